"""``nakinetics validate``: Kramers–Kronig test of every spectrum in a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from ..data import Spectrum
from ..report import format_kramers_kronig
from ..validation import KK_RMS_LIMIT, KKResult, kramers_kronig_test
from . import main
from ._batch import BatchOptions, FileTask, Outcome, batch_options, inputs_argument, plot_format, run
from ._options import (
    check_frequency_range,
    format_option,
    frequency_options,
    index_option,
    json_option,
    plot_option,
)
from ._output import figure_bytes

STRICT_EXIT = 3
"""Exit code of ``validate --strict`` when a spectrum fails the test."""


@dataclass(frozen=True, kw_only=True)
class ValidateTask(FileTask):
    """``nakinetics validate`` on one spectrum (see :mod:`nakinetics.cli._batch`)."""

    fmin: float | None
    fmax: float | None
    limit: float
    """RMS relative residual (fraction of |Z|) below which a spectrum passes."""
    mu_criterion: float
    noise_aware: bool = True
    """Above the limit, random residuals (noise) pass and only structured ones fail."""

    def read(self, path: Path) -> list[Spectrum]:
        spectra = list(super().read(path))
        if self.fmin is None and self.fmax is None:
            return spectra
        return [s.select(self.fmin, self.fmax) for s in spectra]

    def analyse(self, spectrum: Spectrum) -> Outcome:
        kk = kramers_kronig_test(
            spectrum, mu_criterion=self.mu_criterion, limit=self.limit, noise_aware=self.noise_aware
        )
        record = {
            "file": spectrum.metadata.source,
            "index": spectrum.metadata.index,
            **kk.to_dict(),
            "frequency_hz": kk.frequency.tolist(),
            "residual_real": kk.residuals.real.tolist(),
            "residual_imag": kk.residuals.imag.tolist(),
        }
        files = {}
        if self.plot_format is not None:
            from matplotlib.figure import Figure

            from ..plotting import plot_kramers_kronig

            figure = Figure(figsize=(7, 4.5), layout="constrained")
            plot_kramers_kronig(kk, ax=figure.add_subplot())
            figure.suptitle(spectrum.label, fontsize="medium")
            files["plot"] = figure_bytes(figure, self.plot_format)
        return Outcome(
            *self.identify(spectrum),
            summary=_summary(kk),
            report=format_kramers_kronig(kk, spectrum.label),
            record=record,
            row=_row(kk, spectrum),
            files=files,
            flagged=not kk.passed,
        )


def _row(kk: KKResult, spectrum: Spectrum) -> dict[str, object]:
    structure = kk.structure
    return {
        "n_points": len(kk.frequency),
        "f_min [Hz]": float(spectrum.frequency.min()),
        "f_max [Hz]": float(spectrum.frequency.max()),
        "passed": kk.passed,
        "verdict": kk.verdict,
        "residuals_random": kk.random,
        "structure_p_value": None if structure is None else structure.p_value,
        "noise_estimate [%]": 100 * kk.noise,
        "n_rc": kk.n_rc,
        "mu": kk.mu,
        "series_capacitor": kk.capacitor,
        "rms_residual [%]": 100 * kk.rms,
        "max_abs_residual [%]": 100 * kk.max_abs,
        "limit_rms [%]": 100 * kk.limit,
    }


def _summary(kk: KKResult) -> str:
    random = {None: "", True: ", residuals random", False: ", residuals systematic"}[kk.random]
    if kk.random and kk.outlier_dominated:
        random = ", dominated by isolated outliers"
    return (
        f"{kk.verdict}: RMS residual {100 * kk.rms:.3g} % (limit {100 * kk.limit:.3g} %){random}, "
        f"max {100 * kk.max_abs:.3g} %, M = {kk.n_rc}, μ = {kk.mu:.3g}"
        + (", series C" if kk.capacitor else "")
    )


@main.command("validate")
@inputs_argument
@index_option
@format_option()
@frequency_options("Lowest frequency tested.", "Highest frequency tested.")
@click.option(
    "--limit",
    type=click.FloatRange(min=0, min_open=True),
    default=100 * KK_RMS_LIMIT,
    show_default=True,
    metavar="PERCENT",
    help="RMS relative residual (in % of |Z|) below which a spectrum passes; above it, random residuals "
    "(noise) still pass and systematic ones (drift, non-linearity) fail.",
)
@click.option(
    "--fixed-limit",
    is_flag=True,
    help="Fail every spectrum above --limit, whether its residuals are noise or drift.",
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
@plot_option("Save the residual plot; several spectra → PATH_<n> (batch: PATH_<file>[_<n>]).")
@click.option(
    "--strict", is_flag=True, help=f"Exit with code {STRICT_EXIT} when any spectrum fails the test."
)
@batch_options
def validate_command(
    inputs: tuple[Path, ...],
    index: int | None,
    format: str | None,
    fmin: float | None,
    fmax: float | None,
    limit: float,
    fixed_limit: bool,
    mu_criterion: float,
    json_path: str | None,
    plot_path: Path | None,
    strict: bool,
    batch: BatchOptions,
) -> None:
    """Kramers–Kronig test (linear KK, automatic number of RC elements) of every spectrum of FILES (files,
    folders or glob patterns): prints the verdict — pass, pass (noisy: above --limit but random residuals)
    or FAIL (systematic residuals above --limit) —, the chosen M and μ, and the residual at every frequency."""
    check_frequency_range(fmin, fmax)
    task = ValidateTask(
        fmin=fmin,
        fmax=fmax,
        limit=limit / 100,
        mu_criterion=mu_criterion,
        noise_aware=not fixed_limit,
        index=index,
        format=format,
        plot_format=plot_format(plot_path),
    )
    flagged_exit = STRICT_EXIT if strict else None
    run(task, inputs, batch, json_path=json_path, files={"plot": plot_path}, flagged_exit=flagged_exit)
