"""Arrhenius plot: ln(σT), ln(σ), ln(1/R) or ln(i0) against 1000/T with the fitted line and its band."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..arrhenius import ArrheniusResult
from ..constants import ZERO_CELSIUS
from ._axes import axes_or_new as _axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_arrhenius(result: ArrheniusResult, ax: Axes | None = None) -> Axes:
    """Points (with ±1 standard-error bars in ln y) against 1000/T (K⁻¹), the fitted line, its confidence
    band, E_a with its interval in the legend, and the temperature in °C on the top axis."""
    ax = _axes(ax)
    x = 1000.0 / result.temperature_k
    ax.errorbar(x, result.y, yerr=result.y_stderr, fmt="o", ms=5, mfc="none", capsize=3, label="data")
    t_dense = 1.0 / np.linspace(1.0 / result.temperature_k.max(), 1.0 / result.temperature_k.min(), 100)
    ea, ci = result.activation_energy, result.ci_ev
    if ci is not None:
        label = (
            f"E_a = {ea.value:.3f} eV ({ci[0]:.3f}–{ci[1]:.3f}, {100 * result.confidence:.0f} % CI)"
            f" = {result.activation_energy_kj_mol.value:.1f} kJ/mol"
        )
    else:
        label = f"E_a = {ea.value:.3f} eV = {result.activation_energy_kj_mol.value:.1f} kJ/mol"
    line = result.line(t_dense)
    ax.plot(1000.0 / t_dense, line, "-", color="C1", label=label)
    band = result.line_band(t_dense)
    if band is not None:
        ax.fill_between(1000.0 / t_dense, line - band, line + band, color="C1", alpha=0.2, lw=0)
    ax.set_xlabel("1000/T / K⁻¹")
    ax.set_ylabel(result.y_label)
    top = ax.secondary_xaxis("top", functions=(_to_celsius, _to_inverse))
    top.set_xlabel("T / °C")
    ax.legend(fontsize="small")
    return ax


def _to_celsius(inverse_kk: np.ndarray) -> np.ndarray:
    """1000/T (K⁻¹) → T (°C); safe at 0."""
    return 1000.0 / np.maximum(np.asarray(inverse_kk, dtype=float), 1e-9) - ZERO_CELSIUS


def _to_inverse(celsius: np.ndarray) -> np.ndarray:
    """T (°C) → 1000/T (K⁻¹); safe at absolute zero."""
    return 1000.0 / np.maximum(np.asarray(celsius, dtype=float) + ZERO_CELSIUS, 1e-9)
