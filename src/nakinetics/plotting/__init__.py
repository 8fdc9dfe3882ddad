"""Plots.  Every function takes an optional matplotlib Axes and returns it; matplotlib is imported only
when a plot is made, and nothing here shows or saves a figure.  One module per subject."""

from .impedance import (
    fit_figure,
    nyquist_aspect,
    nyquist_zoom,
    plot_bode,
    plot_kramers_kronig,
    plot_nyquist,
    plot_residuals,
)

__all__ = [
    "fit_figure",
    "nyquist_aspect",
    "nyquist_zoom",
    "plot_bode",
    "plot_kramers_kronig",
    "plot_nyquist",
    "plot_residuals",
]
