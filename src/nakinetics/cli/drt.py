"""``nakinetics drt``: distribution of relaxation times of every spectrum in FILES (files, folders or glob
patterns; batch runs through :mod:`nakinetics.cli._batch`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from ..data import Spectrum
from ..drt import TAIL_MODES, compute_drt
from ..drt.regularization import GIVEN_LAMBDA_RANGE, SELECTIONS
from ..drt.report import format_drt
from ..drt.result import DRTResult
from . import main
from ._batch import BatchOptions, FileTask, Outcome, batch_options, inputs_argument, plot_format, run
from ._options import (
    area_option,
    cell_option,
    check_frequency_range,
    checked_output_path,
    format_option,
    frequency_options,
    index_option,
    json_option,
    plot_option,
)
from ._output import figure_bytes


@dataclass(frozen=True, kw_only=True)
class DrtTask(FileTask):
    """``nakinetics drt`` on one spectrum (see :mod:`nakinetics.cli._batch`)."""

    options: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments of :func:`~nakinetics.drt.compute_drt` (not the spectrum)."""
    curve_csv: bool = False
    """Render γ(τ) with its band as CSV (``--csv``)."""

    def analyse(self, spectrum: Spectrum) -> Outcome:
        result = compute_drt(spectrum, **self.options)
        files: dict[str, bytes] = {}
        if self.plot_format is not None:
            from ..plotting.drt import drt_figure

            files["plot"] = figure_bytes(drt_figure(result), self.plot_format)
        if self.curve_csv:
            from ._csv import columns_text

            files["csv"] = columns_text(_curve_columns(result)).encode("utf-8")
        return Outcome(
            *self.identify(spectrum),
            summary=_summary(result),
            report=format_drt(result),
            record=result.to_dict(),
            row=_row(result),
            files=files,
        )


def _curve_columns(result: DRTResult) -> dict[str, Any]:
    return {
        "tau/s": result.tau,
        "frequency/Hz": result.frequency,
        "gamma/Ohm": result.gamma,
        "gamma_lower/Ohm": result.gamma_lower,
        "gamma_upper/Ohm": result.gamma_upper,
    }


class _Selection(click.Choice):
    """How λ is chosen; a number given here is a fixed λ meant for ``--lambda``, and the error says so."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            float(value)
        except (TypeError, ValueError):
            return super().convert(value, param, ctx)
        raise click.BadParameter(
            f"{value!r} is a number: --regularization chooses how λ is found ({', '.join(self.choices)}); "
            f"for a fixed λ give --lambda {value}",
            ctx,
            param,
        )


def _row(result: DRTResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "R_inf [Ohm]": result.r_inf,
        "polarization_resistance [Ohm]": result.polarization_resistance,
        "n_processes": result.n_processes,
        "lambda": result.regularization.value,
        "residual_rms [%]": 100 * result.residual_rms,
        "reconstruction_ok": result.reconstruction_ok,
    }
    for k, peak in enumerate(result.peaks, start=1):
        row |= {f"peak{k}_frequency [Hz]": peak.frequency, f"peak{k}_R [Ohm]": peak.resistance}
    return row


def _summary(result: DRTResult) -> str:
    verdict = "reproduces the data" if result.reconstruction_ok else "DOES NOT REPRODUCE THE DATA"
    return f"{result.summary()}; residual {100 * result.residual_rms:.2g} % ({verdict})"


@main.command("drt")
@inputs_argument
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
    type=_Selection(SELECTIONS),
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
@cell_option("Symmetric cell (ASR cell total R·A and per interface R·A/2) or a single interface (R·A).")
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
    callback=checked_output_path,
    help="Write τ, f, γ and its credible band as CSV. Several spectra → PATH_<n> (batch: PATH_<file>[_<n>]).",
)
@plot_option(
    "Save a figure (γ(τ) with band and peaks, Nyquist with reconstruction, residuals). Several → PATH_<n> "
    "(batch: PATH_<file>[_<n>])."
)
@batch_options(table=False)
def drt_command(
    inputs: tuple[Path, ...],
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
    batch: BatchOptions,
) -> None:
    """Distribution of relaxation times of each spectrum of FILES (files, folders or glob patterns): γ(τ)
    with its credible band, R∞, the processes (time constant, frequency, resistance with standard errors),
    the regularisation parameter chosen from the data, and the residuals of the reconstruction."""
    check_frequency_range(fmin, fmax)
    if csv_path is not None and str(csv_path) == "-":
        raise click.BadParameter(
            "γ(τ) is written to files (one per spectrum); give a path", param_hint="--csv"
        )
    options = {
        "tail": tail,
        "regularization": lam if lam is not None else regularization,
        "fmin": fmin,
        "fmax": fmax,
        "min_peak_fraction": min_peak,
        "kramers_kronig": "refuse" if require_kk else "flag",
        "area_cm2": area,
        "cell": cell,
    }
    task = DrtTask(
        options=options,
        curve_csv=csv_path is not None,
        index=index,
        format=format,
        plot_format=plot_format(plot_path),
    )
    run(task, inputs, batch, json_path=json_path, files={"plot": plot_path, "csv": csv_path})
