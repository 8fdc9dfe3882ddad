"""The one place that creates a figure when a plot function is called without an Axes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None) -> Axes:
    """Return ``ax``, or the Axes of a new figure (matplotlib imported only now)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def plain_log_ticks(axis: Any, unit: str | None = None) -> None:
    """Label a log-scaled ``axis`` (``ax.xaxis``/``ax.yaxis``) with plain numbers — ``20``, ``300``,
    ``0.05`` — instead of ``2×10¹``; with ``unit``, engineering prefixes (``2 µF``, ``150 kΩ``).  Minor
    ticks are labelled only where matplotlib would label them (an axis spanning about a decade or less)."""
    from matplotlib import ticker

    engineering = ticker.EngFormatter(unit=unit, sep=" ") if unit else None

    def plain(value: float) -> str:
        if engineering is not None:
            return str(engineering(value))
        if value == 0 or 1e-3 <= abs(value) < 1e6:
            return str(np.format_float_positional(value, precision=4, unique=True, trim="-"))
        return f"{value:.3g}"

    class PlainLogFormatter(ticker.LogFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return plain(x) if super().__call__(x, pos) else ""

    axis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
    axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


LEGEND_ROW_PT = 14.0
"""Height of one row of a small legend (points): a title over an :func:`outside_legend` is lifted by this
much per row."""


def outside_legend(ax: Axes, **options: Any) -> float:
    """The legend of ``ax`` above the axes, outside the data area, so that it never hides data (extra
    handles, e.g. of a twin axis, via ``handles=`` and ``labels=``).  Returns the title padding (points)
    that puts a title above the legend: ``ax.set_title(..., pad=outside_legend(ax))``."""
    handles, labels = ax.get_legend_handles_labels()
    handles = [*handles, *options.pop("handles", [])]
    labels = [*labels, *options.pop("labels", [])]
    if not handles:
        return 6.0
    columns = options.pop("ncols", min(len(handles), 3))
    ax.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=columns,
        fontsize="small",
        frameon=False,
        borderaxespad=0.2,
        **options,
    )
    return 6.0 + LEGEND_ROW_PT * -(-len(handles) // columns)


LEGEND_ROW_IN = 0.32
"""Height reserved per legend row below the panels of a figure (inches)."""


def legend_below(figure: Any, handles: list[Any], labels: list[str]) -> None:
    """One legend in a single row under the panels of a constrained-layout ``figure``, in space reserved
    for it (so it never covers data, and equal-aspect panels keep exactly equal scales, which
    matplotlib's ``outside`` legends disturb)."""
    legend = figure.legend(
        handles, labels, loc="lower center", ncols=max(len(handles), 1), fontsize="small", frameon=False
    )
    legend.set_in_layout(False)
    bottom = LEGEND_ROW_IN / figure.get_figheight()
    figure.get_layout_engine().set(rect=(0.0, bottom, 1.0, 1.0 - bottom))
