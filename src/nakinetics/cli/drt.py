"""``nakinetics drt``: distribution of relaxation times of every spectrum in a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..batch import Failure
from ..drt import TAIL_MODES, compute_drt
from ..drt.regularization import GIVEN_LAMBDA_RANGE, SELECTIONS
from ..drt.report import format_drt
from . import main
from ._batch import EXIT_FAILED_ROWS, analyse_each
from ._options import (
    area_option,
    check_frequency_range,
    format_option,
    frequency_options,
    index_option,
    json_option,
    plot_option,
    selected_spectra,
)
from ._output import echo_reports, emit_records, numbered_path, save_figures


@main.command("drt")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@index_option
@format_option()
@frequency_options("Lowest frequency used.", "Highest frequency used.")
@click.option(
    "--tail",
    type=click.Choice(TAIL_MODES),
    default="auto",
    show_default=True,
    help="Low-frequency power-law tail a(jω)^-ν kept out of γ (blocking electrodes, diffusion): 'auto' adds "
    "it when γ would pile up at the slow edge of the window.",
)
@click.option(
    "--regularization",
    type=click.Choice(SELECTIONS),
    default="evidence",
    show_default=True,
    help="How λ is chosen from the data: Bayesian evidence or generalised cross-validation.",
)
@click.option(
    "--lambda",
    "lam",
    type=click.FloatRange(*GIVEN_LAMBDA_RANGE),
    metavar="λ",
    help="Use this regularisation parameter instead of choosing it (dimensionless, see the JSON; "
    f"{GIVEN_LAMBDA_RANGE[0]:g}–{GIVEN_LAMBDA_RANGE[1]:g}: below, no regularisation; above, γ = 0).",
)
@click.option(
    "--min-peak",
    type=click.FloatRange(0, 1),
    default=0.02,
    show_default=True,
    metavar="FRACTION",
    help="Smallest share of ∫γ a peak must hold to count as a process (0: any share that stands out of the "
    "noise).",
)
@area_option("Geometric electrode area: peak resistances also as ASR.")
@click.option(
    "--cell",
    type=click.Choice(["symmetric", "single"]),
    help="Symmetric cell (ASR cell total R·A and per interface R·A/2) or a single interface (R·A). "
    "Default: the file's metadata, else symmetric (as for `fit`).",
)
@click.option(
    "--require-kk",
    is_flag=True,
    help="Refuse (exit 1) a spectrum failing the Kramers–Kronig test instead of flagging it.",
)
@json_option
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Write τ, f, γ and its credible band as CSV. Several spectra → PATH_<n>.",
)
@plot_option(
    "Save a figure (γ(τ) with band and peaks, Nyquist with reconstruction, residuals). Several → PATH_<n>."
)
def drt_command(
    file: Path,
    index: int | None,
    format: str | None,
    fmin: float | None,
    fmax: float | None,
    tail: str,
    regularization: str,
    lam: float | None,
    min_peak: float,
    area: float | None,
    cell: str | None,
    require_kk: bool,
    json_path: str | None,
    csv_path: Path | None,
    plot_path: Path | None,
) -> None:
    """Distribution of relaxation times of the spectra in FILE: γ(τ) with its credible band, R∞, the
    processes (time constant, frequency, resistance with standard errors), the regularisation parameter
    chosen from the data, and the residuals of the reconstruction."""
    check_frequency_range(fmin, fmax)
    spectra = selected_spectra(file, index, format)
    done = analyse_each(
        spectra,
        lambda spectrum: compute_drt(
            spectrum,
            tail=tail,  # type: ignore[arg-type]
            regularization=lam if lam is not None else regularization,  # type: ignore[arg-type]
            fmin=fmin,
            fmax=fmax,
            min_peak_fraction=min_peak,
            kramers_kronig="refuse" if require_kk else "flag",
            area_cm2=area,
            cell=cell,
        ),
    )
    results = [r for r in done if not isinstance(r, Failure)]
    echo_reports([format_drt(r) for r in results], json_path)
    if plot_path is not None:
        from ..plotting.drt import drt_figure

        save_figures([drt_figure(r) for r in results], plot_path)
    if csv_path is not None:
        from ._csv import write_columns

        for k, r in enumerate(results):
            write_columns(
                {
                    "tau/s": r.tau,
                    "frequency/Hz": r.frequency,
                    "gamma/Ohm": r.gamma,
                    "gamma_lower/Ohm": r.gamma_lower,
                    "gamma_upper/Ohm": r.gamma_upper,
                },
                numbered_path(csv_path, k, len(results)),
            )
    emit_records([r.to_dict() for r in done], json_path)
    if len(results) < len(done):
        sys.exit(EXIT_FAILED_ROWS)
