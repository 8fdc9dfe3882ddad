"""DRT plots: γ(τ) with its credible band, the peaks labelled and a top axis in Hz; the reconstruction
against the data; the τ–time map of a series."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..drt.result import DRTResult
from ..drt.shapes import zarc_distribution
from ._axes import axes_or_new as _axes
from ._axes import outside_legend

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..data import Spectrum
    from ..series.drt import SeriesDRT
    from ..series.runner import SeriesResult


def _tau_to_hz(tau: Any) -> Any:
    tau = np.asarray(tau, dtype=float)
    with np.errstate(divide="ignore"):
        return 1.0 / (2.0 * math.pi * np.where(tau > 0, tau, np.nan))


def _format_ohm(value: float) -> str:
    return f"{value:.3g} Ω"


def plot_drt(result: DRTResult, ax: Axes | None = None, components: bool = True, **style: Any) -> Axes:
    """γ(τ) (Ω) against τ (s, log), the credible band shaded, each peak marked with its frequency and
    resistance, the measured window bounded by dotted lines, a tail's own distribution dashed (clipped at the
    top of γ), and a top axis in Hz (f = 1/(2πτ)).
    ``components`` draws the ZARC peaks of the decomposition as thin dashed lines."""
    ax = _axes(ax)
    tau = result.tau
    color = style.pop("color", "C0")
    ax.fill_between(
        tau,
        result.gamma_lower,
        result.gamma_upper,
        color=color,
        alpha=0.2,
        lw=0,
        label=f"{100 * result.credible:.0f} % credible band",
    )
    ax.plot(tau, result.gamma, "-", color=color, lw=1.6, label="γ (DRT)", **style)
    if result.tail is not None and np.any(result.tail.distribution > 0):
        ax.plot(
            tau,
            result.tail.distribution,
            "--",
            color="0.35",
            lw=1.1,
            label="tail's own distribution (diffusion/blocking, not a process)",
        )
    ax.set_xscale("log")
    dense = np.geomspace(tau.min(), tau.max(), 600)
    top = float(max(result.gamma_upper.max(), 1e-300))
    for k, peak in enumerate(result.peaks):
        height = float(result.gamma_at(np.array([peak.tau]))[0])
        if components and peak.exponent is not None and peak.exponent < 0.995:
            ax.plot(
                dense,
                zarc_distribution(dense, peak.resistance, peak.tau, peak.exponent),
                "--",
                color=f"C{(k % 8) + 1}",
                lw=0.9,
            )
        ax.plot([peak.tau], [height], "v", color="k", ms=5)
        stderr = f" ± {peak.resistance_stderr:.2g}" if peak.resistance_stderr else ""
        what = "" if peak.diffusion is None else f"\n{peak.diffusion.symbol} (diffusion)"
        ax.annotate(
            f"{peak.frequency:.3g} Hz\n{peak.resistance:.3g}{stderr} Ω{what}",
            (peak.tau, height),
            xytext=(0, 6 + 22 * (k % 2)),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
        )
    f = result.spectrum.frequency
    for edge in (1.0 / (2 * math.pi * f.max()), 1.0 / (2 * math.pi * f.min())):
        ax.axvline(edge, color="0.6", lw=0.8, ls=":")
    ax.set_xlim(tau.min(), tau.max())
    ax.set_ylim(0, 1.18 * top)
    ax.set_xlabel("τ / s")
    ax.set_ylabel("γ / Ω")
    secondary = ax.secondary_xaxis("top", functions=(_tau_to_hz, _tau_to_hz))
    secondary.set_xlabel("f = 1/(2πτ) / Hz")
    title = f"∫γ = {_format_ohm(result.polarization_resistance)}, R∞ = {_format_ohm(result.r_inf)}"
    if result.tail is not None:
        title += f"; {result.tail.describe()}"
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="small", loc="upper left")
    return ax


def plot_drt_nyquist(result: DRTResult, ax: Axes | None = None, spectrum: Spectrum | None = None) -> Axes:
    """Nyquist plot of the data (points) and the DRT's reconstruction (line), equal axes, the legend above
    the axes (as :func:`~nakinetics.plotting.impedance.plot_nyquist`); ``spectrum`` = a part of the
    result's spectrum (a :func:`~nakinetics.plotting.impedance.nyquist_zoom`) to show instead."""
    from .impedance import plot_nyquist

    shown = result.spectrum if spectrum is None else spectrum
    ax = plot_nyquist(shown, ax=ax)
    order = np.argsort(shown.frequency)
    z = result.impedance(shown.frequency[order])
    ax.plot(z.real, -z.imag, "-", lw=1.4, label="DRT reconstruction")
    outside_legend(ax)
    return ax


def plot_drt_residuals(result: DRTResult, ax: Axes | None = None) -> Axes:
    """Relative residuals (Z − Z_DRT)/|Z| (%) of the reconstruction against frequency."""
    from .impedance import _relative_residuals

    ax = _relative_residuals(result.spectrum.frequency, result.residuals, _axes(ax))
    verdict = "" if result.reconstruction_ok else " — DOES NOT REPRODUCE THE DATA"
    ax.set_title(
        f"DRT residuals, RMS {100 * result.residual_rms:.2g} %{verdict}",
        fontsize="medium",
        pad=outside_legend(ax),
    )
    return ax


def drt_figure(result: DRTResult) -> Figure:
    """One figure: γ(τ) with band and peaks (left); Nyquist with the reconstruction, a zoom on the
    high-frequency part when a steep low-frequency tail dominates (as ``fit`` draws it), and the residuals
    (right)."""
    from matplotlib.figure import Figure

    from .impedance import frequency_label, nyquist_zoom

    zoom = nyquist_zoom(result.spectrum)
    rows = 2 if zoom is None else 3
    fig = Figure(figsize=(13, 6.5 if zoom is None else 8.5), layout="constrained")
    grid = fig.add_gridspec(rows, 2, width_ratios=[1.5, 1])
    plot_drt(result, ax=fig.add_subplot(grid[:, 0]))
    whole = plot_drt_nyquist(result, ax=fig.add_subplot(grid[0, 1]))
    if zoom is not None:
        part = plot_drt_nyquist(result, ax=fig.add_subplot(grid[1, 1]), spectrum=zoom)
        part.get_legend().remove()  # the same entries as the whole spectrum's legend
        whole.set_title("whole spectrum", fontsize="medium", pad=outside_legend(whole))
        part.set_title(f"{frequency_label(zoom.frequency.min())} and above", fontsize="medium")
    plot_drt_residuals(result, ax=fig.add_subplot(grid[rows - 1, 1]))
    headline = result.summary() if len(result.peaks) <= 3 else f"the DRT shows {len(result.peaks)} processes"
    fig.suptitle(f"{result.spectrum.label} — {headline}", fontsize="medium")
    return fig


def plot_drt_map(
    times: Sequence[float],
    results: Sequence[DRTResult],
    ax: Axes | None = None,
    time_unit: str = "min",
    time_scale: float = 60.0,
) -> Axes:
    """τ–time map of a series: γ of each spectrum (colour, Ω) on a common τ axis (log, s) against time
    (``times`` in s, shown in ``time_unit`` = s/``time_scale``), peak positions as dots."""
    ax = _axes(ax)
    all_tau = np.concatenate([r.tau for r in results])
    tau = np.geomspace(all_tau.min(), all_tau.max(), 300)
    t = np.asarray(times, dtype=float) / time_scale
    image = np.array([r.gamma_at(tau) for r in results])
    if t.size > 1:
        mid = 0.5 * (t[1:] + t[:-1])
        edges = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
    else:
        edges = np.array([t[0] - 0.5, t[0] + 0.5])
    log_tau = np.log10(tau)
    step = log_tau[1] - log_tau[0]
    tau_edges = 10.0 ** np.concatenate([log_tau - step / 2, [log_tau[-1] + step / 2]])
    mesh = ax.pcolormesh(edges, tau_edges, image.T, shading="flat", cmap="viridis")
    for ti, r in zip(t, results, strict=True):
        for p in r.peaks:
            ax.plot(ti, p.tau, ".", color="w", ms=3)
    ax.set_yscale("log")
    ax.set_xlabel(f"t / {time_unit}")
    ax.set_ylabel("τ / s")
    ax.figure.colorbar(mesh, ax=ax, label="γ / Ω", pad=0.02)
    secondary = ax.secondary_yaxis("right", functions=(_tau_to_hz, _tau_to_hz))
    secondary.set_ylabel("f / Hz")
    return ax


def series_drt_figure(result: SeriesResult, drts: SeriesDRT) -> Figure:
    """R_int(t) (top) above the τ–time map of the DRTs (bottom, colour = γ, white dots = peaks) on one
    time axis."""
    from matplotlib.figure import Figure

    from .series import _span, plot_interface_resistance, time_unit

    scale, unit = time_unit(_span(result.table, result.trace))
    fig = Figure(figsize=(9, 8), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.4])
    plot_interface_resistance(result.table, top, scale=scale, unit=unit, onset=result.onset_eis)
    top.set_xlabel("")
    if len(drts):
        plot_drt_map(drts.times, drts.results, ax=bottom, time_unit=unit, time_scale=scale)
    bottom.set_title("DRT of each spectrum (colour = γ; white dots: peaks)", fontsize="medium")
    fig.suptitle(
        f"{result.settings.circuit}: R_int(t) and the distribution of relaxation times", fontsize="medium"
    )
    return fig
