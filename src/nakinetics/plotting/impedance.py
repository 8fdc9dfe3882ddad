"""Impedance plots: Nyquist, Bode, residuals and a combined fit figure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import Spectrum
from ..fitting import FitResult
from ..validation import KKResult
from ._axes import axes_or_new as _axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _fit_curve(result: FitResult) -> tuple[np.ndarray, np.ndarray]:
    f = result.spectrum.frequency
    dense = np.geomspace(f.min(), f.max(), max(200, 4 * f.size))
    return dense, result.impedance(dense)


def plot_nyquist(
    spectrum: Spectrum, fit: FitResult | None = None, ax: Axes | None = None, **style: Any
) -> Axes:
    """Nyquist plot: Z' against −Z'' (Ω), equal axes, −Z'' upward, data as points and the fit as a line."""
    ax = _axes(ax)
    ax.plot(spectrum.real, -spectrum.imag, "o", ms=4, mfc="none", label="data", **style)
    if fit is not None:
        _, z = _fit_curve(fit)
        ax.plot(z.real, -z.imag, "-", lw=1.5, label=f"fit {fit.circuit.text}")
    ax.set_xlabel("Z' / Ω")
    ax.set_ylabel("−Z'' / Ω")
    x, y = spectrum.real, -spectrum.imag
    pad = 0.04 * max(np.ptp(x), np.ptp(y), 1e-12)
    ax.set_xlim(x.min() - pad, x.max() + pad)
    ax.set_ylim(min(y.min(), 0.0) - pad, y.max() + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.axhline(0, color="0.7", lw=0.5)
    ax.legend(fontsize="small")
    return ax


def plot_bode(
    spectrum: Spectrum, fit: FitResult | None = None, ax: Axes | None = None, phase_ax: Axes | None = None
) -> tuple[Axes, Axes]:
    """Bode plot: |Z| (Ω, log) on ``ax`` and −phase (°) on ``phase_ax`` (a twin axis if not given)."""
    ax = _axes(ax)
    phase_ax = phase_ax if phase_ax is not None else ax.twinx()
    f = spectrum.frequency
    ax.loglog(f, spectrum.modulus, "o", ms=4, mfc="none", color="C0", label="|Z| data")
    phase_ax.semilogx(f, -spectrum.phase_deg, "s", ms=3, mfc="none", color="C1", label="−phase data")
    if fit is not None:
        dense, z = _fit_curve(fit)
        ax.loglog(dense, np.abs(z), "-", color="C0", label="|Z| fit")
        phase_ax.semilogx(dense, -np.degrees(np.angle(z)), "-", color="C1", label="−phase fit")
    ax.set_xlabel("f / Hz")
    ax.set_ylabel("|Z| / Ω")
    phase_ax.set_ylabel("−phase / °")
    return ax, phase_ax


def plot_residuals(fit: FitResult, ax: Axes | None = None) -> Axes:
    """Relative residuals (Z_data − Z_fit)/|Z_data| of real and imaginary parts (%) against frequency."""
    return _relative_residuals(fit.spectrum.frequency, fit.residuals(), _axes(ax))


def plot_kramers_kronig(kk: KKResult, ax: Axes | None = None) -> Axes:
    """Kramers–Kronig residuals (Z − Z_KK)/|Z| (%) against frequency, with the ±RMS pass limit shaded."""
    ax = _relative_residuals(kk.frequency, kk.residuals, _axes(ax))
    ax.axhspan(-100 * kk.limit, 100 * kk.limit, color="tab:green", alpha=0.12, lw=0, label="pass limit (RMS)")
    ax.set_title(
        f"linear KK, M = {kk.n_rc}{' + C' if kk.capacitor else ''}: {'pass' if kk.passed else 'FAIL'}, RMS {100 * kk.rms:.2g} %"
    )
    ax.legend(fontsize="small")
    return ax


def _relative_residuals(f: np.ndarray, res: np.ndarray, ax: Axes) -> Axes:
    ax.semilogx(f, 100 * res.real, "o-", ms=3, lw=0.8, label="Δ Z' / |Z|")
    ax.semilogx(f, 100 * res.imag, "s-", ms=3, lw=0.8, label="Δ Z'' / |Z|")
    ax.axhline(0, color="0.5", lw=0.5)
    ax.set_xlabel("f / Hz")
    ax.set_ylabel("residual / %")
    ax.legend(fontsize="small")
    return ax


def fit_figure(fit: FitResult) -> Figure:
    """One figure: Nyquist with the fit, Bode magnitude and phase, and residuals."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 8.5), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1.2, 1])
    plot_nyquist(fit.spectrum, fit, ax=fig.add_subplot(grid[0, :]))
    plot_bode(fit.spectrum, fit, ax=fig.add_subplot(grid[1, 0]))
    plot_residuals(fit, ax=fig.add_subplot(grid[1, 1]))
    fig.suptitle(f"{fit.spectrum.label} — {fit.preset.name if fit.preset else fit.circuit.text}")
    return fig
