"""Plots of an operando GEIS series: voltage with the EIS acquisitions, R_int(t) next to the DC-apparent
ASR, capacitances, quality, and a Nyquist waterfall coloured by time.  Every single-panel function takes
an optional Axes and returns it; the two figure functions return a Figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..data import Spectrum
from ..fitting import resolve_circuit
from ..series.dc import VoltageTrace
from ..series.onset import Onset
from ..series.quality import LINEARITY_LIMIT_MV
from ..series.runner import SeriesResult, spectrum_key
from ..series.table import Row, SeriesTable
from ._axes import axes_or_new as _axes
from ._axes import outside_legend, plain_log_ticks

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_UNITS = ((3 * 3600.0, 3600.0, "h"), (3 * 60.0, 60.0, "min"), (0.0, 1.0, "s"))


def time_unit(span_s: float) -> tuple[float, str]:
    """Divisor and label for a time axis spanning ``span_s`` seconds (h above 3 h, min above 3 min)."""
    for threshold, divisor, label in _UNITS:
        if span_s > threshold:
            return divisor, label
    return 1.0, "s"


def _span(table: SeriesTable, trace: VoltageTrace | None) -> float:
    times = table.column("time_s")
    ends = [np.nanmax(times) if np.isfinite(times).any() else 0.0]
    if trace is not None:
        ends.append(float(trace.time_s[-1]))
    return float(max(ends))


def _twin_panel(
    table: SeriesTable, ax: Axes | None, twin: Axes | None, scale: float
) -> tuple[Axes, Axes, list[Row], np.ndarray]:
    """Axes, twin axes (made if not given), the fitted rows and their times in the display unit."""
    ax = _axes(ax)
    rows = table.fitted
    return ax, twin if twin is not None else ax.twinx(), rows, table.column("time_s", rows) / scale


def _joint_legend(ax: Axes, twin: Axes, **options: object) -> None:
    """One legend above ``ax`` (outside the data) for the lines of ``ax`` and of its twin axis."""
    handles, labels = twin.get_legend_handles_labels()
    outside_legend(ax, handles=handles, labels=labels, **options)


def _marker_size(n: int) -> float:
    return 4.0 if n <= 100 else 2.0


def _mark_onset(ax: Axes, onset: Onset | None, scale: float, color: str) -> None:
    if onset is None or not onset.detected or onset.interval_s is None:
        return
    lo, hi = onset.interval_s
    ax.axvspan(lo / scale, hi / scale, color=color, alpha=0.2, lw=0)
    ax.axvline(
        onset.time_s / scale,
        color=color,
        lw=1,
        ls="--",  # type: ignore[operator]
        label=f"onset {onset.quantity}",
    )


def _mark_failed(ax: Axes, table: SeriesTable, scale: float) -> None:
    for row in table.rows:
        if row.get("status") == "failed" and row.get("time_s") is not None:
            ax.axvline(row["time_s"] / scale, color="0.6", lw=3, alpha=0.4)


def plot_voltage(
    trace: VoltageTrace | None,
    table: SeriesTable,
    ax: Axes | None = None,
    *,
    scale: float = 1.0,
    unit: str = "s",
    onset: Onset | None = None,
) -> Axes:
    """DC cell voltage U(t) (V) with every EIS acquisition shaded (a line where the sweep end is unknown)."""
    ax = _axes(ax)
    if trace is not None:
        ax.plot(trace.time_s / scale, trace.potential_v, "-", lw=1, color="k", label="U_dc")
    else:
        ax.text(
            0.5,
            0.5,
            "no voltage record (--voltage)",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.4",
        )
    label: str | None = "EIS acquisition"
    for row in table.rows:
        start, end = row.get("t_start_s"), row.get("t_end_s")
        if start is None:
            continue
        failed = row.get("status") == "failed"
        color, name = ("0.6", None) if failed else ("tab:blue", label)
        if end is None:
            ax.axvline(start / scale, color=color, lw=0.8, alpha=0.5, label=name)
        else:
            ax.axvspan(start / scale, end / scale, color=color, alpha=0.18, lw=0, label=name)
        label = label if failed else None
    _mark_onset(ax, onset, scale, "tab:red")
    ax.set_ylabel("U_dc / V")
    ax.set_xlabel(f"t / {unit}")
    outside_legend(ax, ncols=4)
    return ax


def plot_interface_resistance(
    table: SeriesTable,
    ax: Axes | None = None,
    *,
    scale: float = 1.0,
    unit: str = "s",
    onset: Onset | None = None,
) -> Axes:
    """Interfacial ASR (Ω cm², or R_int in Ω without an area) with 1σ error bars, cold/fall-back fits as
    open markers, flagged spectra in orange, and the DC-apparent ASR when it is known."""
    ax = _axes(ax)
    rows = table.fitted
    use_asr = bool(np.isfinite(table.column("ASR_int", rows)).any())
    name = "ASR_int" if use_asr else "R_int"
    t = table.column("time_s", rows) / scale
    y, err = table.column(name, rows), table.column(f"{name}_stderr", rows)
    flagged = np.array([r.get("status") == "flagged" for r in rows], dtype=bool)
    cold = np.array([r.get("fit_start") in ("cold", "fallback") for r in rows], dtype=bool)
    for mask, color, label in ((~flagged, "tab:blue", "EIS"), (flagged, "tab:orange", "EIS (flagged)")):
        if mask.any():
            ax.errorbar(
                t[mask],
                y[mask],
                yerr=np.nan_to_num(err[mask]),
                fmt="o",
                ms=4,
                color=color,
                capsize=2,
                label=label,
            )
    if cold.any():
        ax.plot(t[cold], y[cold], "s", ms=9, mfc="none", color="k", label="cold / fall-back fit")
    dc = table.column("ASR_dc_apparent", rows)
    if use_asr and np.isfinite(dc).any():
        ax.plot(t, dc, "-", color="tab:green", lw=1.5, zorder=5, label="DC-apparent (|U| − |I|·R_SE)·A/|I|")
    _mark_failed(ax, table, scale)
    _mark_onset(ax, onset, scale, "tab:red")
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_ylabel("ASR_int / Ω cm² (cell)" if use_asr else "R_int / Ω (cell)")
    ax.set_xlabel(f"t / {unit}")
    outside_legend(ax, ncols=4)
    return ax


def determined(values: np.ndarray, stderr: np.ndarray, at_bound: np.ndarray | None = None) -> np.ndarray:
    """Mask of values that a fit determined: finite and positive, with a finite standard error no larger than
    the value, and (when ``at_bound`` is given) not from a parameter at a bound of its fit."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(values) & (values > 0) & np.isfinite(stderr) & (stderr <= values)
    return ok if at_bound is None else ok & ~at_bound


def _element_at_bound(rows: Sequence[Row], element: str) -> np.ndarray:
    """Whether a parameter of ``element`` other than its exponent n sat at a bound (the ``at_bound`` column).
    An exponent at its bound (n = 1: an ideal capacitor) leaves C_eff defined."""
    prefix = f"{element}_"
    return np.array(
        [
            any(
                name.startswith(prefix) and not name.endswith("_n")
                for name in str(row.get("at_bound") or "").split(";")
            )
            for row in rows
        ],
        dtype=bool,
    )


def _log_limits(values: Sequence[np.ndarray], fallback: Sequence[np.ndarray]) -> tuple[float, float] | None:
    """Log-axis limits (a factor 2 of margin) around ``values``; without any, around the central 80 %
    of the finite positive ``fallback`` values (an undetermined fit's value can be anything)."""
    chosen = np.concatenate(list(values)) if values else np.array([])
    if chosen.size == 0:
        pool = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in fallback]) if fallback else np.array([])
        if pool.size == 0:
            return None
        chosen = np.percentile(pool, [10, 90])
    lo, hi = float(np.min(chosen)), float(np.max(chosen))
    return lo / 2.0, hi * 2.0


def plot_capacitance(
    table: SeriesTable,
    ax: Axes | None = None,
    *,
    scale: float = 1.0,
    unit: str = "s",
    exponent_ax: Axes | None = None,
) -> tuple[Axes, Axes]:
    """Effective capacitances C_eff (F, log, filled, 1σ bars) and CPE exponents n (twin axis, open triangles)
    against time.  The C_eff axis spans the determined values only (finite, stderr ≤ value, the element's
    Q/R not at a bound); undetermined ones are hollow circles without bars, pinned to the axis edge when they
    lie beyond it."""
    ax, n_ax, rows, t = _twin_panel(table, ax, exponent_ax, scale)
    names = [c.name for c in table.columns if c.name.startswith("C_eff_") and not c.name.endswith("_stderr")]
    series = []
    for name in names:
        label = name.removeprefix("C_eff_")
        y, err = table.column(name, rows), table.column(f"{name}_stderr", rows)
        series.append((label, y, err, determined(y, err, _element_at_bound(rows, label))))
    limits = _log_limits([y[ok] for _, y, _, ok in series], [y for _, y, _, _ in series])
    any_undetermined = False
    for k, (label, y, err, ok) in enumerate(series):
        size = _marker_size(len(rows))
        ax.errorbar(t[ok], y[ok], yerr=err[ok], fmt="o", ms=size, color=f"C{k}", label=f"C_eff {label}")
        loose = ~ok & np.isfinite(y) & (y > 0)
        if loose.any() and limits is not None:
            any_undetermined = True
            ax.plot(
                t[loose], np.clip(y[loose], *limits), "o", ms=size + 1, mfc="none", color=f"C{k}", mew=1.2
            )
        n_name = f"{label}_n"
        if n_name in table.names:
            n_ax.plot(
                t, table.column(n_name, rows), "^", ms=size, mfc="none", color=f"C{k}", label=f"n {label}"
            )
    if any_undetermined:
        ax.plot(
            [],
            [],
            "o",
            mfc="none",
            color="0.35",
            label="C_eff undetermined (σ > value or at a bound; at the edge if off-scale)",
        )
    _mark_failed(ax, table, scale)
    ax.set_yscale("log")
    if limits is not None:
        ax.set_ylim(*limits)
    plain_log_ticks(ax.yaxis, "F")
    ax.set_ylabel("C_eff")
    n_ax.set_ylabel("CPE n")
    n_ax.set_ylim(0.45, 1.05)
    ax.set_xlabel(f"t / {unit}")
    _joint_legend(ax, n_ax, ncols=3)
    return ax, n_ax


def plot_quality(
    table: SeriesTable,
    ax: Axes | None = None,
    *,
    scale: float = 1.0,
    unit: str = "s",
    kk_limit_pct: float | None = None,
    response_ax: Axes | None = None,
) -> tuple[Axes, Axes]:
    """Kramers–Kronig RMS residual (%, left) and AC response max|Z|·i_ac and sweep drift (mV, right, log)."""
    ax, mv_ax, rows, t = _twin_panel(table, ax, response_ax, scale)
    size = _marker_size(len(rows)) - 1
    ax.plot(
        t,
        table.column("kk_rms_pct", rows),
        "o-",
        ms=size,
        lw=0.8,
        color="tab:purple",
        label="KK RMS residual",
    )
    if kk_limit_pct is not None:
        ax.axhline(kk_limit_pct, color="tab:purple", ls=":", lw=1, label="KK limit")
    lin = table.column("linearity_mv", rows)
    drift = np.abs(table.column("drift_mv", rows))
    if np.isfinite(lin).any():
        mv_ax.plot(t, lin, "s-", ms=size, color="tab:brown", label="max |Z|·i_ac")
        mv_ax.axhline(LINEARITY_LIMIT_MV, color="tab:brown", ls=":", lw=1, label=f"{LINEARITY_LIMIT_MV:g} mV")
    if np.isfinite(drift).any() and (drift > 0).any():
        mv_ax.plot(t, drift, "d", ms=size, color="tab:gray", label="|ΔU_dc| during sweep")
    if mv_ax.lines:
        mv_ax.set_yscale("log")
        plain_log_ticks(mv_ax.yaxis)
    _mark_failed(ax, table, scale)
    ax.set_ylabel("KK residual / %")
    mv_ax.set_ylabel("mV")
    ax.set_xlabel(f"t / {unit}")
    _joint_legend(ax, mv_ax, ncols=5)
    return ax, mv_ax


def _na_axis(ax: Axes, table: SeriesTable, scale: float) -> None:
    """Secondary x axis on top: stripped Na (µm), when it rises strictly with time."""
    rows = [r for r in table.fitted if r.get("na_stripped_um") is not None]
    if len(rows) < 2:
        return
    t = table.column("time_s", rows) / scale
    um = table.column("na_stripped_um", rows)
    if not (np.all(np.diff(t) > 0) and np.all(np.diff(um) > 0)):
        return
    slope = (um[-1] - um[0]) / (t[-1] - t[0])
    if not np.allclose(um, um[0] + slope * (t - t[0]), rtol=1e-6, atol=1e-9):
        return  # charge not linear in time (varying current): no simple secondary axis
    offset = um[0] - slope * t[0]
    top = ax.secondary_xaxis("top", functions=(lambda x: offset + slope * x, lambda d: (d - offset) / slope))
    top.set_xlabel("stripped Na / µm")
    legend = ax.get_legend()
    if legend is not None:  # a legend above the axes moves up over the secondary axis' ticks and label
        legend.borderaxespad = SECONDARY_AXIS_PAD


SECONDARY_AXIS_PAD = 3.6
"""Gap (in legend font sizes) between an axes and a legend above it that leaves room for a secondary x axis
on top (its tick labels and label)."""


def series_dashboard(result: SeriesResult) -> Figure:
    """Time-aligned panels: U_dc(t) with the EIS acquisitions (only when a voltage record was given),
    interfacial ASR (EIS and DC-apparent) with the onsets, C_eff and n, and the quality checks."""
    from matplotlib.figure import Figure

    table = result.table
    scale, unit = time_unit(_span(table, result.trace))
    voltage = result.trace is not None
    rows = 4 if voltage else 3
    fig = Figure(figsize=(9, 3 * rows), layout="constrained")
    axes = list(fig.subplots(rows, 1, sharex=True))
    if voltage:
        plot_voltage(result.trace, table, axes[0], scale=scale, unit=unit, onset=result.onset_dc)
    plot_interface_resistance(table, axes[-3], scale=scale, unit=unit, onset=result.onset_eis)
    plot_capacitance(table, axes[-2], scale=scale, unit=unit)
    plot_quality(table, axes[-1], scale=scale, unit=unit, kk_limit_pct=100 * result.settings.kk_limit)
    _na_axis(axes[0], table, scale)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    counts = result.counts()
    fig.suptitle(
        f"{result.settings.circuit}: {counts['spectra']} spectra, {counts['failed']} failed, "
        f"{counts['flagged']} flagged; fits {counts['warm'] + counts['warm_kept_over_cold']} warm / "
        f"{counts['cold'] + counts['fallback']} cold"
        + ("" if voltage else "; no voltage record (--voltage)"),
        fontsize="medium",
    )
    return fig


def _rows_by_key(table: SeriesTable) -> dict[tuple[str, int], Row]:
    return {(r["file"], r["index"]): r for r in table.rows}


def plot_nyquist_series(
    table: SeriesTable,
    spectra: Sequence[Spectrum],
    circuit: str | None = None,
    ax: Axes | None = None,
    *,
    offset_fraction: float = 0.0,
    cmap: str = "viridis",
    max_curves: int = 40,
) -> Axes:
    """Nyquist curves (Z', −Z'' in Ω) coloured by time; fitted curves as thin lines when ``circuit`` is
    given.  ``offset_fraction`` > 0 shifts each curve up by that fraction of the largest −Z'' per unit of
    normalised time (a waterfall; equal aspect only without offset).  Long series show ``max_curves``
    spectra evenly spread in time (first and last included)."""
    import matplotlib as mpl

    ax = _axes(ax)
    rows = _rows_by_key(table)
    placed = []
    for position, spectrum in enumerate(spectra):
        row = rows.get(spectrum_key(spectrum, position))
        if row is not None and row.get("time_s") is not None:
            placed.append((row["time_s"], spectrum, row))
    if not placed:
        return ax
    placed.sort(key=lambda p: p[0])
    if len(placed) > max_curves:
        keep = np.unique(np.linspace(0, len(placed) - 1, max_curves).round().astype(int))
        placed = [placed[k] for k in keep]
    times = np.array([p[0] for p in placed])
    scale, unit = time_unit(float(times.max()))
    norm = mpl.colors.Normalize(times.min() / scale, max(times.max() / scale, times.min() / scale + 1e-12))
    colormap = mpl.colormaps[cmap]
    height = max(float(np.max(-s.imag)) for _, s, _ in placed)
    span = max(float(times.max() - times.min()), 1e-12)
    model = resolve_circuit(circuit)[0] if circuit else None
    for time, spectrum, row in placed:
        color = colormap(norm(time / scale))
        shift = offset_fraction * height * (time - times.min()) / span
        failed = row.get("status") == "failed"
        ax.plot(
            spectrum.real,
            -spectrum.imag + shift,
            "o",
            ms=2.5,
            color="0.6" if failed else color,
            alpha=0.5 if failed else 0.9,
        )
        if model is not None and not failed and all(row.get(n) is not None for n in model.parameter_names):
            f = spectrum.frequency
            dense = np.geomspace(f.min(), f.max(), 200)
            z = model.simulate(dense, {n: float(row[n]) for n in model.parameter_names})
            ax.plot(z.real, -z.imag + shift, "-", lw=0.8, color=color)
    colorbar = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=colormap), ax=ax)
    colorbar.set_label(f"t / {unit}")
    ax.set_xlabel("Z' / Ω")
    ax.set_ylabel("−Z'' / Ω" + (" (offset by time)" if offset_fraction else ""))
    if not offset_fraction:
        x = np.concatenate([s.real for _, s, _ in placed])
        y = np.concatenate([-s.imag for _, s, _ in placed])
        pad = 0.04 * max(np.ptp(x), np.ptp(y), 1e-12)
        ax.set_xlim(min(x.min(), 0.0) - pad, x.max() + pad)
        ax.set_ylim(min(y.min(), 0.0) - pad, y.max() + pad)
        ax.set_aspect("equal", adjustable="box")
    return ax


def nyquist_waterfall(table: SeriesTable, spectra: Sequence[Spectrum], circuit: str | None = None) -> Figure:
    """Two panels: all spectra overlaid on equal axes, and the same as a waterfall offset by time."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 5.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    plot_nyquist_series(table, spectra, circuit, left)
    left.set_title("Nyquist, coloured by time (points: data, lines: fits)", fontsize="medium")
    plot_nyquist_series(table, spectra, circuit, right, offset_fraction=1.5)
    right.set_title("waterfall: each spectrum shifted up by its time", fontsize="medium")
    return fig
