"""Warburg plot: Z' and −Z'' against ω^-½ with the chosen window and the fitted straight lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..data import Spectrum
from ..diffusion import WarburgSlope
from ..fitting import FitResult
from ._axes import axes_or_new as _axes
from ._axes import outside_legend

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_warburg(
    spectrum: Spectrum,
    slope: WarburgSlope | None = None,
    fit: FitResult | None = None,
    ax: Axes | None = None,
    fmax: float | None = None,
) -> Axes:
    """Z' (circles) and −Z'' (squares) in Ω against ω^-½ (s^½, ω = 2πf).

    With ``slope``, the window's points are filled, the window is shaded and both fitted lines are drawn
    across it (dashed beyond it).  With ``fit``, the fitted circuit's Z' and −Z'' are drawn as thin lines.
    ``fmax`` (Hz) hides the points above it (default: 10× the window's top frequency, or the whole
    spectrum without a window).
    """
    ax = _axes(ax)
    if fmax is None and slope is not None:
        fmax = 10.0 * slope.fmax_hz
    shown = spectrum if fmax is None or fmax >= spectrum.frequency.max() else spectrum.select(fmax=fmax)
    x = 1.0 / np.sqrt(shown.omega)
    ax.plot(x, shown.real, "o", ms=4, mfc="none", color="C0", label="Z'")
    ax.plot(x, -shown.imag, "s", ms=4, mfc="none", color="C1", label="−Z''")
    if slope is not None:
        xw = 1.0 / np.sqrt(spectrum.omega[slope.mask])
        ax.plot(xw, spectrum.real[slope.mask], "o", ms=4, color="C0")
        ax.plot(xw, -spectrum.imag[slope.mask], "s", ms=4, color="C1")
        ax.axvspan(
            xw.min(),
            xw.max(),
            color="0.92",
            zorder=0,
            label=f"window {slope.fmin_hz:.3g}–{slope.fmax_hz:.3g} Hz",
        )
        full = np.array([0.0, max(x.max(), xw.max())])
        inside = np.array([xw.min(), xw.max()])
        for line, color, name in ((slope.real, "C0", "Z'"), (slope.imag, "C1", "−Z''")):
            ax.plot(full, line.intercept + line.slope * full, "--", lw=0.8, color=color)
            ax.plot(
                inside,
                line.intercept + line.slope * inside,
                "-",
                lw=1.6,
                color=color,
                label=f"{name} slope {line.slope:.4g} Ω s^-½ (R² {line.r2:.4f})",
            )
    if fit is not None:
        dense = np.geomspace(shown.frequency.min(), shown.frequency.max(), 300)
        z = fit.impedance(dense)
        xd = 1.0 / np.sqrt(2 * np.pi * dense)
        ax.plot(xd, z.real, "-", lw=1.0, color="C2", label=f"fit {fit.circuit.text}: Z'")
        ax.plot(xd, -z.imag, "-", lw=1.0, color="C3", label="fit: −Z''")
    ax.set_xlabel("ω^-½ / s^½")
    ax.set_ylabel("Z', −Z'' / Ω")
    ax.set_xlim(left=0.0)
    outside_legend(ax, ncols=2)
    return ax
