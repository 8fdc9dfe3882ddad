"""``nakinetics validate``: Kramers–Kronig test of every spectrum in a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..report import format_kramers_kronig
from ..validation import KK_RMS_LIMIT, kramers_kronig_test
from . import main
from ._options import (
    check_frequency_range,
    format_option,
    frequency_options,
    index_option,
    json_option,
    plot_option,
    selected_spectra,
)
from ._output import echo_reports, emit_records, save_figures


@main.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@index_option
@format_option()
@frequency_options("Lowest frequency tested.", "Highest frequency tested.")
@click.option(
    "--limit",
    type=click.FloatRange(min=0, min_open=True),
    default=100 * KK_RMS_LIMIT,
    show_default=True,
    metavar="PERCENT",
    help="Pass limit on the RMS relative residual, in % of |Z|.",
)
@click.option(
    "--mu",
    "mu_criterion",
    type=click.FloatRange(0, 1),
    default=0.85,
    show_default=True,
    help="μ criterion for the number of RC elements (Schönleber 2014).",
)
@json_option
@plot_option("Save the residual plot; several spectra → PATH_<n>.")
@click.option("--strict", is_flag=True, help="Exit with code 3 when any spectrum fails the test.")
def validate_command(
    file: Path,
    index: int | None,
    format: str | None,
    fmin: float | None,
    fmax: float | None,
    limit: float,
    mu_criterion: float,
    json_path: str | None,
    plot_path: Path | None,
    strict: bool,
) -> None:
    """Kramers–Kronig test (linear KK, automatic number of RC elements) of the spectra in FILE: prints
    pass/fail, the chosen M and μ, and the residual at every frequency."""
    check_frequency_range(fmin, fmax)
    spectra = selected_spectra(file, index, format)
    spectra = [s.select(fmin, fmax) if fmin is not None or fmax is not None else s for s in spectra]
    results = [kramers_kronig_test(s, mu_criterion=mu_criterion, limit=limit / 100) for s in spectra]

    echo_reports(
        [format_kramers_kronig(kk, s.label) for s, kk in zip(spectra, results, strict=True)], json_path
    )
    if plot_path is not None:
        from matplotlib.figure import Figure

        from ..plotting import plot_kramers_kronig

        figures = []
        for spectrum, kk in zip(spectra, results, strict=True):
            figure = Figure(figsize=(7, 4.5), layout="constrained")
            plot_kramers_kronig(kk, ax=figure.add_subplot()).set_title(
                spectrum.label, loc="left", fontsize="small"
            )
            figures.append(figure)
        save_figures(figures, plot_path)
    records = [
        {
            "file": s.metadata.source,
            "index": s.metadata.index,
            **kk.to_dict(),
            "frequency_hz": kk.frequency.tolist(),
            "residual_real": kk.residuals.real.tolist(),
            "residual_imag": kk.residuals.imag.tolist(),
        }
        for s, kk in zip(spectra, results, strict=True)
    ]
    emit_records(records, json_path)
    if strict and not all(kk.passed for kk in results):
        sys.exit(3)
