"""Cycling plots: voltage–time (whole record, min/max envelope for long records) with the short circuit
marked, zoom windows of chosen cycles with the plateau window and nucleation tip, overpotential and
nucleation overpotential against cycle, and the CCD staircase with the failure marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import FloatArray
from ..cycling.analysis import CyclingResult
from ..cycling.overpotentials import WINDOW_EDGE
from ._axes import axes_or_new as _axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_ENVELOPE_BINS = 3000
_DIRECTION_COLOURS = {"plating": "C0", "stripping": "C3", "charge": "C3", "discharge": "C0"}


def envelope(
    time_h: FloatArray, value: FloatArray, bins: int = _ENVELOPE_BINS
) -> tuple[FloatArray, FloatArray]:
    """Decimate for plotting: for more than 4 × ``bins`` points, the min and max of each of ``bins``
    equal-count chunks, interleaved (keeps spikes and collapses visible)."""
    n = value.size
    if n <= 4 * bins:
        return time_h, value
    starts = np.linspace(0, n, bins + 1).astype(np.int64)[:-1]
    lo, hi = np.minimum.reduceat(value, starts), np.maximum.reduceat(value, starts)
    t = time_h[starts]
    return np.repeat(t, 2), np.column_stack((lo, hi)).ravel()


def plot_voltage_time(
    result: CyclingResult,
    ax: Axes | None = None,
    *,
    window_h: tuple[float, float] | None = None,
    **style: Any,
) -> Axes:
    """U (mV) against time (h), the short circuit (line and ± band) marked; ``window_h`` zooms."""
    ax = _axes(ax)
    record = result.record
    assert record.time_s is not None
    t_h, u_mv = record.time_s / 3600, record.potential_v * 1e3
    if window_h is not None:
        keep = (t_h >= window_h[0]) & (t_h <= window_h[1])
        t_h, u_mv = t_h[keep], u_mv[keep]
    x, y = envelope(t_h, u_mv)
    ax.plot(x, y, lw=style.pop("lw", 0.7), color=style.pop("color", "k"), **style)
    short = result.short_circuit
    if short is not None and (window_h is None or window_h[0] <= short.time_h <= window_h[1]):
        ax.axvline(short.time_h, color="C1", lw=1.2, label=f"{short.kind} short {short.time_h:.4g} h")
        ax.axvspan(
            short.time_h - short.uncertainty_h, short.time_h + short.uncertainty_h, color="C1", alpha=0.25
        )
        ax.legend(loc="best", fontsize="small")
    ax.set_xlabel("time (h)")
    ax.set_ylabel("U (mV)")
    return ax


def plot_half_cycle_zoom(result: CyclingResult, cycle: int, ax: Axes | None = None) -> Axes:
    """The half-cycles of ``cycle`` (0-based) with the plateau window shaded, η_p and the nucleation tip."""
    ax = _axes(ax)
    record = result.record
    assert record.time_s is not None
    members = np.flatnonzero(result.cycle == cycle)
    a = result.arrays
    for h in members:
        sl = slice(int(a.start[h]), int(a.stop[h]))
        t = record.time_s[sl] / 3600
        u = record.potential_v[sl] * 1e3
        direction = result.direction(int(a.sign[h]))
        ax.plot(t, u, lw=0.9, color=_DIRECTION_COLOURS[direction], label=direction)
        d = a.end_s[h] - a.start_s[h]
        ax.axvspan(
            (a.start_s[h] + WINDOW_EDGE * d) / 3600, (a.end_s[h] - WINDOW_EDGE * d) / 3600, color="0.9"
        )
        if result.overpotentials_valid:
            sign = float(a.sign[h])
            ax.hlines(
                sign * a.plateau_mv[h],
                a.start_s[h] / 3600,
                a.end_s[h] / 3600,
                colors="k",
                linestyles=":",
                lw=0.8,
            )
            hc = result.half_cycles[h]
            if hc.nucleation_overpotential_mv is not None:
                ax.plot(record.time_s[a.tip_index[h]] / 3600, sign * a.tip_mv[h], "v", color="C2", ms=6)
    ax.set_title(f"cycle {cycle + 1}", fontsize="small")
    ax.set_xlabel("time (h)")
    ax.set_ylabel("U (mV)")
    return ax


def plot_overpotentials(result: CyclingResult, ax: Axes | None = None) -> Axes:
    """η_p (median |U|, with its interquartile range) and η_n against cycle, plating and stripping apart."""
    ax = _axes(ax)
    halves = result.half_cycles
    if not result.overpotentials_valid:
        for direction in ("charge", "discharge"):
            sel = [h for h in halves if h.direction == direction]
            ax.plot(
                [h.cycle + 1 for h in sel],
                [abs(h.plateau_voltage_mv) for h in sel],
                "o",
                ms=3,
                color=_DIRECTION_COLOURS[direction],
                label=f"{direction}: plateau |U|",
            )
        ax.set_ylabel("plateau |U| (mV)")
    else:
        for direction in ("plating", "stripping"):
            sel = [h for h in halves if h.direction == direction]
            if not sel:
                continue
            x = np.array([h.cycle + 1 for h in sel], dtype=float)
            y = np.array([h.overpotential_mv for h in sel], dtype=float)
            lo = y - np.array([h.overpotential_q25_mv for h in sel], dtype=float)
            hi = np.array([h.overpotential_q75_mv for h in sel], dtype=float) - y
            ax.errorbar(
                x,
                y,
                yerr=[lo, hi],
                fmt="o",
                ms=3,
                lw=0.6,
                color=_DIRECTION_COLOURS[direction],
                label=f"η_p {direction}",
            )
            nuc = [
                (h.cycle + 1, h.overpotential_mv + h.nucleation_overpotential_mv)
                for h in sel
                if h.nucleation_overpotential_mv is not None
            ]
            if nuc:
                nx, ny = zip(*nuc, strict=True)
                ax.plot(
                    nx,
                    ny,
                    "v",
                    ms=4,
                    color=_DIRECTION_COLOURS[direction],
                    mfc="none",
                    label=f"spike tip (η_p + η_n) {direction}",
                )
        ax.set_ylabel("overpotential (mV)")
    short = result.short_circuit
    if short is not None:
        ax.axvline(result.cycle[short.half_cycle] + 1, color="C1", lw=1.0, label="short circuit")
    ax.set_xlabel("cycle")
    ax.legend(loc="best", fontsize="x-small")
    return ax


def plot_ccd(result: CyclingResult, ax: Axes | None = None) -> Axes:
    """Current-density staircase |j| (mA cm⁻²) against time with the failure and the CCD marked."""
    ax = _axes(ax)
    a = result.arrays
    j = result.current_density_ma_cm2
    t = np.column_stack((a.start_s, a.end_s)).ravel() / 3600
    ax.plot(t, np.repeat(j, 2), color="k", lw=1.0, label="|j| of each half-cycle")
    ccd = result.ccd
    if ccd is not None:
        if ccd.failure_time_h is not None:
            ax.axvline(ccd.failure_time_h, color="C1", lw=1.2, label=f"failure {ccd.failure_time_h:.4g} h")
        if ccd.value_ma_cm2 is not None:
            ax.axhline(
                ccd.value_ma_cm2,
                color="C3",
                ls="--",
                lw=1.0,
                label=f"CCD {ccd.value_ma_cm2:.3g} mA cm⁻² ({ccd.convention})",
            )
        elif ccd.lower_bound_ma_cm2 is not None:
            ax.axhline(
                ccd.lower_bound_ma_cm2,
                color="C3",
                ls=":",
                lw=1.0,
                label=f"no failure: CCD ≥ {ccd.lower_bound_ma_cm2:.3g}",
            )
    ax.set_xlabel("time (h)")
    ax.set_ylabel("|j| (mA cm⁻²)")
    ax.legend(loc="best", fontsize="x-small")
    return ax


def default_zoom_cycles(result: CyclingResult) -> list[int]:
    """First, middle and last cycle (0-based, without repeats); with a short, the last is the last cycle
    that ends before it (the short's own cycle is marked on the voltage–time panel)."""
    last = int(result.cycle[-1])
    if result.short_circuit is not None:
        last = max(0, int(result.cycle[result.short_circuit.half_cycle]) - 1)
    return sorted({0, last // 2, last})


def cycling_figure(result: CyclingResult, zoom_cycles: list[int] | None = None) -> Figure:
    """Voltage–time on top, zoom windows of ``zoom_cycles`` (1-based; default first/middle/last), then
    overpotentials against cycle and, for a staircase, the CCD panel."""
    import matplotlib.pyplot as plt

    cycles = default_zoom_cycles(result) if zoom_cycles is None else [c - 1 for c in zoom_cycles]
    cycles = [c for c in cycles if 0 <= c <= int(result.cycle[-1])][:4] or [0]
    bottom = 2 if result.ccd is not None else 1
    fig = plt.figure(figsize=(11, 9), layout="constrained")
    grid = fig.add_gridspec(3, max(len(cycles), bottom))
    plot_voltage_time(result, fig.add_subplot(grid[0, :]))
    for k, cycle in enumerate(cycles):
        plot_half_cycle_zoom(result, cycle, fig.add_subplot(grid[1, k]))
    if result.ccd is not None:
        width = max(len(cycles), 2)
        plot_overpotentials(result, fig.add_subplot(grid[2, : width // 2]))
        plot_ccd(result, fig.add_subplot(grid[2, width // 2 :]))
    else:
        plot_overpotentials(result, fig.add_subplot(grid[2, :]))
    name = result.record.label
    fig.suptitle(f"{name}: {result.cell} cell, {result.n_half_cycles} half-cycles", fontsize="medium")
    return fig
