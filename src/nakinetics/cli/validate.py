"""``nakinetics validate``: Kramers–Kronig test of every spectrum in a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..exceptions import DataError
from ..io import read_spectra
from ..report import format_kramers_kronig
from ..validation import KK_RMS_LIMIT, kramers_kronig_test
from . import main
from ._output import emit_json, save_figure


@main.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--index", type=click.IntRange(min=0), metavar="N", help="Test only spectrum N (0-based).")
@click.option(
    "--fmin", type=click.FloatRange(min=0, min_open=True), metavar="HZ", help="Lowest frequency tested."
)
@click.option(
    "--fmax", type=click.FloatRange(min=0, min_open=True), metavar="HZ", help="Highest frequency tested."
)
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
@click.option("--json", "json_path", metavar="PATH|-", help="Write the results as JSON ('-' = stdout only).")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Save the residual plot; several spectra → PATH_<n>.",
)
@click.option("--strict", is_flag=True, help="Exit with code 3 when any spectrum fails the test.")
def validate_command(
    file: Path,
    index: int | None,
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
    spectra = read_spectra(file)
    if index is not None:
        if index >= len(spectra):
            raise DataError(f"{file}: --index {index} but the file holds {len(spectra)} spectrum(s)")
        spectra = [spectra[index]]
    spectra = [s.select(fmin, fmax) if fmin is not None or fmax is not None else s for s in spectra]
    results = [kramers_kronig_test(s, mu_criterion=mu_criterion, limit=limit / 100) for s in spectra]

    to_stderr = json_path == "-"
    for spectrum, kk in zip(spectra, results, strict=True):
        click.echo(format_kramers_kronig(kk, spectrum.label) + "\n", err=to_stderr)
    if plot_path is not None:
        from matplotlib.figure import Figure

        from ..plotting import plot_kramers_kronig

        for k, (spectrum, kk) in enumerate(zip(spectra, results, strict=True)):
            fig = Figure(figsize=(7, 4.5), layout="constrained")
            plot_kramers_kronig(kk, ax=fig.add_subplot()).set_title(
                spectrum.label, loc="left", fontsize="small"
            )
            target = (
                plot_path
                if len(results) == 1
                else plot_path.with_name(f"{plot_path.stem}_{k}{plot_path.suffix}")
            )
            save_figure(fig, target)
    if json_path is not None:
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
        emit_json(records[0] if len(records) == 1 else records, json_path)
    if strict and not all(kk.passed for kk in results):
        sys.exit(3)
