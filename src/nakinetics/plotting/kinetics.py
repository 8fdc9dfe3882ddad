"""Kinetics plots: the Tafel plot (log₁₀|i| against the kinetic voltage, data, fitted model, Tafel lines
and windows) and the local Tafel-slope plot b(x).

The abscissa is the classical kinetic voltage x = V − V₀ − i·R_Ω with the R_Ω the classical estimator
used (the given one, or the fit's when none was given), so data, model and Tafel lines share one
coordinate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import FloatArray
from ..kinetics.analysis import KineticsResult
from ..kinetics.fit import RESISTANCE
from ..kinetics.tafel import local_tafel_slope
from ._axes import axes_or_new as _axes
from ._axes import outside_legend

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_COLOURS = {"anodic": "C3", "cathodic": "C0"}


def _faradaic(result: KineticsResult) -> FloatArray:
    sweep, fit = result.sweep, result.fit
    cap = fit.values.get("capacitance", 0.0)
    return sweep.current - (cap * sweep.dvdt if sweep.dvdt is not None else 0.0)


def _model_curve(result: KineticsResult) -> tuple[FloatArray, FloatArray]:
    """Faradaic model current (working unit) on a dense potential grid, and its classical x."""
    fit, tafel = result.fit, result.tafel
    v = np.linspace(float(result.sweep.potential_v.min()), float(result.sweep.potential_v.max()), 800)
    current, _ = fit.predict(v, None)
    return v - tafel.v0 - tafel.r_ohm * current, current


def _scale(result: KineticsResult) -> tuple[float, str]:
    return 1e3, result.units["current"]


def plot_tafel(result: KineticsResult, ax: Axes | None = None, **style: Any) -> Axes:
    """log₁₀|i| against x: data (capacitive current removed), the fitted model, the classical Tafel lines
    extrapolated to x = 0 and their windows (shaded)."""
    ax = _axes(ax)
    tafel = result.tafel
    factor, unit = _scale(result)
    current = _faradaic(result)
    x = result.sweep.potential_v - tafel.v0 - tafel.r_ohm * current
    keep = current != 0
    ax.plot(
        x[keep],
        np.log10(np.abs(current[keep]) * factor),
        ".",
        ms=5,
        color="0.6",
        alpha=0.6,
        zorder=2,
        label="data",
        **style,
    )
    xm, im = _model_curve(result)
    nonzero = im != 0
    ax.plot(
        xm[nonzero],
        np.log10(np.abs(im[nonzero]) * factor),
        "-",
        color=FIT_COLOUR,
        lw=1.3,
        zorder=3,
        label=f"{result.fit.law.model.upper()} fit",
    )
    for name, branch in tafel.branches.items():
        colour = _COLOURS[name]
        if branch.line is None:
            continue
        line = branch.line
        sign = 1.0 if name == "anodic" else -1.0
        far = max(abs(v) for v in line.x_range)
        xs = np.linspace(0.0, far, 50)
        ys = np.log10(line.i0 * factor) + xs / line.slope_v_per_decade
        ax.plot(
            sign * xs,
            ys,
            "--",
            color=colour,
            lw=1.2,
            label=f"{name} Tafel line: b = {1e3 * line.slope_v_per_decade:.0f} mV/dec, i0 = {line.i0 * factor:.3g}",
        )
        ax.axvspan(min(line.x_range), max(line.x_range), color=colour, alpha=0.10)
    _mark_thresholds(ax, result)
    magnitudes = np.abs(current[keep]) * factor
    if magnitudes.size:
        top = float(np.log10(magnitudes.max()))
        floor = min(
            float(np.log10(result.fit.values["i0"] * factor)), float(np.log10(np.percentile(magnitudes, 5)))
        )
        ax.set_ylim(max(floor - 1.5, top - 8.0), top + 0.3)
    symbol = "V_kin" if result.cell == "symmetric" else "η"
    fitted = "" if result.r_ohm_independent else ", fitted from the sweep"
    resistance = _display_unit(result.units[RESISTANCE])
    ax.set_xlabel(f"{symbol} = V − V0 − i·R_Ω / V   (R_Ω = {tafel.r_ohm:.3g} {resistance}{fitted})")
    ax.set_ylabel(f"log10 |i / ({_display_unit(unit)})|")
    outside_legend(ax, ncols=2)
    return ax


FIT_COLOUR = "tab:orange"
"""Colour of the fitted model curve (the data are grey points)."""

_UNIT_TEXT = {"Ohm cm^2": "Ω cm²", "Ohm": "Ω", "mA cm^-2": "mA cm⁻²", "F cm^-2": "F cm⁻²"}


def _display_unit(unit: str) -> str:
    """A unit as it is written on a plot (``Ohm cm^2`` → ``Ω cm²``)."""
    return _UNIT_TEXT.get(unit, unit)


def _mark_thresholds(ax: Axes, result: KineticsResult) -> None:
    """The back-reaction thresholds (dotted) with their value written at the top of the axes, inside:
    beyond them the reverse current is below 1 % and a Tafel line can be read."""
    thresholds = [b.threshold_v for b in result.tafel.branches.values()]
    label: str | None = f"±{1e3 * max(thresholds):.0f} mV: reverse current < 1 % beyond"
    for name, branch in result.tafel.branches.items():
        x = (1.0 if name == "anodic" else -1.0) * branch.threshold_v
        ax.axvline(x, color="0.4", lw=0.9, ls=":", label=label)
        ax.annotate(
            f"{1e3 * x:+.0f} mV".replace("-", "−"),
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-3 if x > 0 else 3, -3),
            textcoords="offset points",
            ha="right" if x > 0 else "left",
            va="top",
            fontsize="x-small",
            color="0.3",
        )
        label = None


def plot_local_slope(result: KineticsResult, ax: Axes | None = None) -> Axes:
    """Local Tafel slope b(x) = dx/dlog₁₀|i| (mV/decade) of the data and of the fitted model, with the
    back-reaction thresholds (dotted) and the chosen windows (shaded): a Tafel region is a plateau."""
    ax = _axes(ax)
    xm, im = _model_curve(result)
    for name, branch in result.tafel.branches.items():
        colour = _COLOURS[name]
        sign = 1.0 if name == "anodic" else -1.0
        if branch.local_x.size:
            ax.plot(
                branch.local_x,
                1e3 * branch.local_slope_v_per_decade,
                ".",
                ms=2.5,
                color=colour,
                alpha=0.5,
                label=f"{name} data",
            )
        mask = (sign * xm > 0) & (sign * im > 0)
        if mask.sum() > 5:
            order = np.argsort(np.abs(xm[mask]))
            ax_m, y_m = np.abs(xm[mask])[order], np.log10(np.abs(im[mask]))[order]
            ax.plot(
                sign * ax_m,
                1e3 * local_tafel_slope(ax_m, y_m, 0.01),
                "-",
                color=colour,
                lw=1.2,
                label=f"{name} model",
            )
        if branch.line is not None:
            ax.axvspan(min(branch.line.x_range), max(branch.line.x_range), color=colour, alpha=0.10)
            ax.axhline(1e3 * branch.line.slope_v_per_decade, color=colour, lw=0.8, ls="--")
    finite = [1e3 * b.local_slope_v_per_decade for b in result.tafel.branches.values() if b.local_x.size]
    values = np.concatenate(finite) if finite else np.zeros(0)
    values = values[np.isfinite(values)]
    if values.size:
        top = float(np.percentile(values, 95))
        ax.set_ylim(0, 1.5 * top if top > 0 else None)
    _mark_thresholds(ax, result)
    symbol = "V_kin" if result.cell == "symmetric" else "η"
    ax.set_xlabel(f"{symbol} / V")
    ax.set_ylabel("local Tafel slope b / (mV/dec)")
    outside_legend(ax, ncols=2)
    return ax


def kinetics_figure(result: KineticsResult) -> Figure:
    """One figure: the Tafel plot and the local Tafel-slope plot."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.8), layout="constrained")
    left, right = fig.subplots(1, 2)
    plot_tafel(result, ax=left)
    plot_local_slope(result, ax=right)
    label = result.sweep.label
    if len(label) > 60:
        label = f"{label[:28]}…{label[-28:]}"
    cell = "symmetric cell" if result.cell == "symmetric" else "single interface"
    fig.suptitle(f"{label} — {result.fit.law.model.upper()}, {cell}")
    return fig
