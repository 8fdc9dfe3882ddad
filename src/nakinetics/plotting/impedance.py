"""Impedance plots: Nyquist, Bode, residuals and a combined fit figure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import Spectrum
from ..fitting import FitResult
from ..validation import KKResult
from ._axes import axes_or_new as _axes
from ._axes import legend_below, outside_legend, plain_log_ticks

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _fit_curve(result: FitResult) -> tuple[np.ndarray, np.ndarray]:
    f = result.spectrum.frequency
    dense = np.geomspace(f.min(), f.max(), max(200, 4 * f.size))
    return dense, result.impedance(dense)


def _impedance_unit(area_cm2: float | None) -> str:
    return "Ω cm²" if area_cm2 else "Ω"


_PREFIXES = ((1e6, "MHz"), (1e3, "kHz"), (1.0, "Hz"), (1e-3, "mHz"), (1e-6, "µHz"))


def frequency_label(f_hz: float) -> str:
    """A frequency with an SI prefix: ``100 kHz``, ``1 Hz``, ``10 mHz``."""
    for scale, unit in _PREFIXES:
        if f_hz >= scale * 0.9999:
            return f"{f_hz / scale:.4g} {unit}"
    return f"{f_hz:.3g} Hz"


def _at_log_frequency(spectrum: Spectrum, log_f: float) -> complex:
    """Z at frequency 10**log_f, interpolated linearly in log f between the measured points around it."""
    order = np.argsort(spectrum.frequency)
    logs = np.log10(spectrum.frequency[order])
    z = spectrum.impedance[order]
    return complex(np.interp(log_f, logs, z.real), np.interp(log_f, logs, z.imag))


def decade_points(spectrum: Spectrum) -> list[tuple[float, complex]]:
    """(f, Z) at every whole decade of frequency (1 kHz, 100 Hz, ...) inside the measured range, Z
    interpolated linearly in log f between the two measured points around it."""
    if len(spectrum) < 2:
        return []
    low, high = np.log10(spectrum.frequency.min()), np.log10(spectrum.frequency.max())
    decades = range(int(np.ceil(low - 1e-9)), int(np.floor(high + 1e-9)) + 1)
    return [(10.0**d, _at_log_frequency(spectrum, d)) for d in decades]


def nyquist_aspect(spectrum: Spectrum) -> float:
    """Height over width of the Nyquist data (−Z'' from 0, Z' from its minimum): > 1 for a spectrum whose
    low-frequency tail rises more than the arcs are wide."""
    x, y = spectrum.real, -spectrum.imag
    width = max(float(np.ptp(x)), 1e-12)
    return (float(y.max()) - min(float(y.min()), 0.0)) / width


def nyquist_zoom(spectrum: Spectrum, max_aspect: float = 1.2, min_points: int = 5) -> Spectrum | None:
    """The high-frequency part of a spectrum whose Nyquist plot is dominated by a steep low-frequency tail
    (a blocking electrode, diffusion): the most points from the highest frequency down whose Nyquist
    height over width stays ≤ ``max_aspect``; ``None`` when the whole spectrum already does."""
    if nyquist_aspect(spectrum) <= max_aspect:
        return None
    order = np.argsort(spectrum.frequency)[::-1]
    best = 0
    for k in range(min_points, order.size):
        part = order[:k]
        if nyquist_aspect(Spectrum(spectrum.frequency[part], spectrum.impedance[part])) <= max_aspect:
            best = k
    if best < min_points:
        return None
    keep = np.sort(order[:best])
    return Spectrum(spectrum.frequency[keep], spectrum.impedance[keep], metadata=spectrum.metadata)


DECADE_LABEL_SPACING = 0.05
"""Minimum distance between two labelled decade markers, as a fraction of the larger data span (closer
markers are drawn but not labelled, so that labels do not pile up)."""


def _plotted(z: complex, scale: float) -> complex:
    """Z as a point of the Nyquist plot: Z'·scale + j(−Z''·scale)."""
    return complex(scale * z.real, -scale * z.imag)


def _mark_decades(ax: Axes, spectrum: Spectrum, scale: float) -> None:
    """Diamonds at the decade points, each labelled beside the curve (along its normal, on the side away
    from the middle of the data), skipping labels that would crowd an earlier one."""
    marks = decade_points(spectrum)
    if not marks:
        return
    x, y = scale * spectrum.real, -scale * spectrum.imag
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-12)
    centre = complex(float(np.mean(x)), float(np.mean(y)))
    points = [_plotted(z, scale) for _, z in marks]
    ax.plot(
        [p.real for p in points],
        [p.imag for p in points],
        "D",
        ms=4.5,
        color="k",
        zorder=4,
        label="whole decades of f",
    )
    labelled: list[complex] = []
    for (f, _), point in zip(marks, points, strict=True):
        if any(abs(point - other) < DECADE_LABEL_SPACING * span for other in labelled):
            continue
        labelled.append(point)
        ahead, behind = (
            _plotted(_at_log_frequency(spectrum, np.log10(f) + step), scale) for step in (0.3, -0.3)
        )
        tangent = ahead - behind
        normal = 1j * tangent / abs(tangent) if abs(tangent) > 0 else 1 + 0j
        bulge = point - (ahead + behind) / 2  # away from the centre of curvature: outside an arc
        outward = bulge if abs(bulge) > 0.003 * span else point - centre
        if (normal.conjugate() * outward).real < 0:
            normal = -normal
        ax.annotate(
            frequency_label(f),
            (point.real, point.imag),
            xytext=(8 * normal.real, 8 * normal.imag),
            textcoords="offset points",
            ha="left" if normal.real >= 0 else "right",
            va="bottom" if normal.imag >= 0 else "top",
            fontsize="x-small",
            color="0.2",
        )


def plot_nyquist(
    spectrum: Spectrum,
    fit: FitResult | None = None,
    ax: Axes | None = None,
    *,
    area_cm2: float | None = None,
    decades: bool = True,
    **style: Any,
) -> Axes:
    """Nyquist plot: Z' against −Z'' (Ω, or Ω cm² times ``area_cm2``), equal scales, −Z'' upward, data as
    points, the fit as a line, every whole decade of frequency marked and labelled (``decades``), the
    legend above the axes.  The axes keep their box and widen the range of one axis to keep the scales
    equal (no narrow strip for a steep spectrum)."""
    ax = _axes(ax)
    scale = area_cm2 or 1.0
    x, y = scale * spectrum.real, -scale * spectrum.imag
    ax.plot(x, y, "o", ms=4, mfc="none", label="data", **style)
    if fit is not None:
        dense, z = _fit_curve(fit)
        inside = (dense >= spectrum.frequency.min()) & (dense <= spectrum.frequency.max())
        ax.plot(scale * z.real[inside], -scale * z.imag[inside], "-", lw=1.5, label=f"fit {fit.circuit.text}")
    if decades:
        _mark_decades(ax, spectrum, scale)
    unit = _impedance_unit(area_cm2)
    ax.set_xlabel(f"Z' / {unit}" if not area_cm2 else f"Z'·A / ({unit})")
    ax.set_ylabel(f"−Z'' / {unit}" if not area_cm2 else f"−Z''·A / ({unit})")
    ax.update_datalim([(float(x.min()), min(float(y.min()), 0.0))])  # the real axis stays in view
    ax.margins(0.04)
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    ax.axhline(0, color="0.7", lw=0.5)
    outside_legend(ax)
    return ax


def plot_bode(
    spectrum: Spectrum,
    fit: FitResult | None = None,
    ax: Axes | None = None,
    phase_ax: Axes | None = None,
    *,
    area_cm2: float | None = None,
) -> tuple[Axes, Axes]:
    """Bode plot: |Z| (Ω, or Ω cm² times ``area_cm2``; log, blue) on ``ax`` and −phase (°, orange) on
    ``phase_ax`` (a twin axis if not given); points: data, lines: fit."""
    ax = _axes(ax)
    phase_ax = phase_ax if phase_ax is not None else ax.twinx()
    scale = area_cm2 or 1.0
    f = spectrum.frequency
    ax.loglog(f, scale * spectrum.modulus, "o", ms=4, mfc="none", color="C0", label="|Z| data")
    phase_ax.semilogx(f, -spectrum.phase_deg, "s", ms=3, mfc="none", color="C1", label="−phase data")
    if fit is not None:
        dense, z = _fit_curve(fit)
        ax.loglog(dense, scale * np.abs(z), "-", color="C0", label="|Z| fit")
        phase_ax.semilogx(dense, -np.degrees(np.angle(z)), "-", color="C1", label="−phase fit")
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("f / Hz")
    ax.set_ylabel(f"|Z|{'·A' if area_cm2 else ''} / {_impedance_unit(area_cm2)}", color="C0")
    phase_ax.set_ylabel("−phase / °", color="C1")
    return ax, phase_ax


def plot_residuals(fit: FitResult, ax: Axes | None = None) -> Axes:
    """Relative residuals (Z_data − Z_fit)/|Z_data| of real and imaginary parts (%) against frequency."""
    ax = _relative_residuals(fit.spectrum.frequency, fit.residuals(), _axes(ax))
    outside_legend(ax)
    return ax


def plot_kramers_kronig(kk: KKResult, ax: Axes | None = None) -> Axes:
    """Kramers–Kronig residuals (Z − Z_KK)/|Z| (%) against frequency, with the ±RMS limit shaded and the
    verdict (random or systematic residuals) in the title."""
    ax = _relative_residuals(kk.frequency, kk.residuals, _axes(ax))
    ax.axhspan(-100 * kk.limit, 100 * kk.limit, color="tab:green", alpha=0.12, lw=0, label="pass limit (RMS)")
    ax.set_title(
        f"linear KK, M = {kk.n_rc}{' + C' if kk.capacitor else ''}: {kk.verdict}, RMS {100 * kk.rms:.2g} %"
        + ("" if kk.random is None else (", random" if kk.random else ", systematic")),
        fontsize="medium",
        pad=outside_legend(ax),
    )
    return ax


def _relative_residuals(f: np.ndarray, res: np.ndarray, ax: Axes) -> Axes:
    ax.semilogx(f, 100 * res.real, "o-", ms=3, lw=0.8, label="Δ Z' / |Z|")
    ax.semilogx(f, 100 * res.imag, "s-", ms=3, lw=0.8, label="Δ Z'' / |Z|")
    ax.axhline(0, color="0.5", lw=0.5)
    ax.set_xlabel("f / Hz")
    ax.set_ylabel("residual / %")
    return ax


WIDE_ASPECT = 0.8
"""Nyquist height/width up to which the fit figure puts the Nyquist plot on a full-width row; taller
spectra get a tall Nyquist column (and a zoom on the high-frequency part when a tail dominates)."""


def fit_figure(fit: FitResult, *, area_cm2: float | None = None) -> Figure:
    """One figure: Nyquist with the fit (plus a zoom on the high-frequency part when a steep low-frequency
    tail dominates), Bode magnitude and phase, and residuals; impedances per area with ``area_cm2``.

    The panels follow the shape of the spectrum: a flat one gets a full-width Nyquist row, a tall one a
    tall Nyquist column, so that the equal-scaled Nyquist plot fills its panel."""
    from matplotlib.figure import Figure

    spectrum = fit.spectrum
    zoom = nyquist_zoom(spectrum)
    nyquist = []
    if nyquist_aspect(spectrum) <= WIDE_ASPECT:
        fig = Figure(figsize=(11, 8.5), layout="constrained")
        grid = fig.add_gridspec(2, 2, height_ratios=[1.2, 1])
        nyquist.append(plot_nyquist(spectrum, fit, ax=fig.add_subplot(grid[0, :]), area_cm2=area_cm2))
        bode, residual = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    elif zoom is None:
        fig = Figure(figsize=(12, 8.5), layout="constrained")
        grid = fig.add_gridspec(2, 2, width_ratios=[1, 1.6])
        nyquist.append(plot_nyquist(spectrum, fit, ax=fig.add_subplot(grid[:, 0]), area_cm2=area_cm2))
        bode, residual = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    else:
        fig = Figure(figsize=(13, 8.5), layout="constrained")
        grid = fig.add_gridspec(2, 3, width_ratios=[1, 1.1, 1.1])
        nyquist.append(plot_nyquist(spectrum, fit, ax=fig.add_subplot(grid[:, 0]), area_cm2=area_cm2))
        nyquist.append(plot_nyquist(zoom, fit, ax=fig.add_subplot(grid[0, 1]), area_cm2=area_cm2))
        nyquist[0].set_title("whole spectrum", fontsize="medium")
        nyquist[1].set_title(f"{frequency_label(zoom.frequency.min())} and above", fontsize="medium")
        bode, residual = fig.add_subplot(grid[0, 2]), fig.add_subplot(grid[1, 1:])
    handles, labels = nyquist[0].get_legend_handles_labels()
    for ax in nyquist:
        ax.get_legend().remove()  # one legend for the Nyquist panels, above the figure
    legend_below(fig, handles, labels)
    plot_bode(spectrum, fit, ax=bode, area_cm2=area_cm2)
    plot_residuals(fit, ax=residual)
    fig.suptitle(f"{spectrum.label} — {fit.preset.name if fit.preset else fit.circuit.text}")
    return fig
