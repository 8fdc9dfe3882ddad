"""``nakinetics fit``: fit an equivalent circuit to every spectrum in a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..adequacy import fit_adequacy
from ..constants import T_ROOM
from ..data import Spectrum
from ..derived import CellGeometry, conventions, with_derived
from ..exceptions import FitError
from ..fitting import FitResult, fit_circuit
from ..parameters import resolve_model
from ..presets import Preset
from ..report import format_comparison, format_fit, format_number
from ..roles import CellContext, decide_context
from ..selection import ModelComparison, choose_model, compare_models, model_name
from . import main
from ._batch import BatchOptions, FileTask, Outcome, batch_options, inputs_argument, plot_format, run
from ._options import (
    area_option,
    cell_option,
    check_frequency_range,
    check_parameter_names,
    electrolyte_option,
    format_option,
    frequency_options,
    index_option,
    json_option,
    length_option,
    plot_option,
    resolve_temperature,
    temperature_options,
    weighting_option,
)
from ._output import figure_bytes, parse_assignments
from ._validity import with_kk_check


@dataclass(frozen=True)
class _Outcome:
    """One spectrum's fit and what the report says about how its model was chosen."""

    result: FitResult
    user_model: bool
    reason: str | None = None
    table: str | None = None
    choice: dict[str, Any] | None = None


def _fit_one(
    spectrum: Spectrum,
    circuit: str | None,
    compare: tuple[str, ...],
    context: CellContext,
    options: dict[str, Any],
) -> _Outcome:
    """Fit one spectrum: the given circuit (compared with ``compare`` when given, but always the one reported),
    or the automatic choice among the candidate presets plus ``compare``."""
    if circuit is None:
        comparison = choose_model(spectrum, context=context, extra=compare, **options)
        return _Outcome(
            comparison.best,
            False,
            comparison.reason(),
            format_comparison(comparison.table(), comparison.criterion),
            _choice_record(comparison),
        )
    model, note = resolve_model(circuit, context.electrolyte)
    result = fit_circuit(spectrum, model, **options)
    if not compare:
        return _Outcome(result, True, note)
    try:
        others = compare_models(spectrum, list(compare), **options)
    except FitError as exc:  # no comparison model could be fitted: the requested one still stands
        others = ModelComparison((), "bic", ((", ".join(compare), str(exc)),))
    comparison = ModelComparison(
        tuple(sorted([result, *others.results], key=lambda r: r.statistics.bic)),
        "bic",
        others.failures,
        notes=others.notes,
    )
    reason = f"{model_name(result)} as requested (-c); compared with {', '.join(compare)}"
    if note:
        reason = f"{note}; {reason}"
    if not others.results:
        reason += f" — none of them could be fitted ({others.failures[0][1]})"
    reason += "".join(f"; {n}" for n in others.notes)
    best = comparison.best
    if best is not result:
        delta = result.statistics.bic - best.statistics.bic
        warning = (
            f"{model_name(best)} describes the data better than the requested {model_name(result)} "
            f"(ΔBIC = {delta:.1f}); the report is for {model_name(result)} as requested with -c"
        )
        result = result.with_derived(result.derived, (warning,))
        reason += f"; {model_name(best)} has the lower BIC (Δ = {delta:.1f})"
    return _Outcome(
        result, True, reason, format_comparison(comparison.table(), "bic"), _choice_record(comparison, reason)
    )


def _possible_candidates(compare: tuple[str, ...]) -> list[Any]:
    """Every model the automatic choice may fit (the general presets, their electrolyte-tagged and
    lead-inductance twins) and the --compare models."""
    from ..presets import list_presets, with_leads

    presets = list_presets()
    return [*presets, *(with_leads(p) for p in presets), *compare]


def _choice_record(comparison: ModelComparison, reason: str | None = None) -> dict[str, Any]:
    return {
        "reason": reason or comparison.reason(),
        "screen": comparison.screen,
        "candidates": comparison.table(),
        "failures": [{"model": n, "error": m} for n, m in comparison.failures],
        "notes": list(comparison.notes),
    }


PROFILE_LEVEL = 0.95
"""Confidence level of ``fit --profile``."""


def _parse_ties(items: tuple[str, ...]) -> dict[str, str]:
    """``("R2=R1", ...)`` → ``{"R2": "R1"}``; a malformed item is a usage error."""
    ties: dict[str, str] = {}
    for item in items:
        name, sep, expression = item.partition("=")
        if not sep or not name.strip() or not expression.strip():
            raise click.BadParameter(f"expected NAME=EXPR, got '{item}'", param_hint="--tie")
        ties[name.strip()] = expression.strip()
    return ties


@dataclass(frozen=True, kw_only=True)
class FitTask(FileTask):
    """``nakinetics fit`` on one spectrum (see :mod:`nakinetics.cli._batch`): the settings of the command
    line, picklable for worker processes."""

    circuit: str | None
    compare: tuple[str, ...]
    area: float | None
    cell: str | None
    electrolyte: str | None
    temperature_k: float | None
    any_temperature: bool
    thickness: float | None
    options: dict[str, Any]
    profile: bool = False
    plot_per_area: bool = False
    curve: bool = False

    def analyse(self, spectrum: Spectrum) -> Outcome:
        user_preset = resolve_model(self.circuit, self.electrolyte)[0] if self.circuit else None
        context = decide_context(
            cell=self.cell,
            electrolyte=self.electrolyte,
            metadata=spectrum.metadata,
            preset=user_preset if isinstance(user_preset, Preset) else None,
        )
        outcome = _fit_one(spectrum, self.circuit, self.compare, context, self.options)
        geometry = CellGeometry(
            area_cm2=self.area,
            cell=self.cell,  # type: ignore[arg-type]
            temperature_k=self.temperature_k or spectrum.metadata.temperature_k or T_ROOM,
            thickness_cm=self.thickness,
            any_temperature=self.any_temperature,
            electrolyte=self.electrolyte,  # type: ignore[arg-type]
        )
        result = with_derived(outcome.result, geometry, preset_decides=outcome.user_model)
        result, kk = with_kk_check(result)
        convention = conventions(result, geometry, preset_decides=outcome.user_model)
        record = result.to_dict()
        record["conventions"] = convention
        if kk is not None:
            record["model_adequacy"] = fit_adequacy(result, kk).to_dict()
        if outcome.choice is not None:
            record["model_choice"] = outcome.choice
        text = format_fit(result, outcome.reason, convention)
        drt_line = _drt_processes(result.spectrum, record)
        if drt_line:
            text += f"\n{drt_line}"
        if self.profile:
            from ..profile import profile_intervals
            from ..report import format_profile_intervals

            intervals = profile_intervals(result, level=PROFILE_LEVEL)
            record["profile_intervals"] = {name: i.to_dict() for name, i in intervals.items()}
            text += "\n\n" + format_profile_intervals(intervals)
        files: dict[str, bytes] = {}
        if self.plot_format is not None:
            from ..plotting import fit_figure

            figure = fit_figure(result, area_cm2=self.area if self.plot_per_area else None)
            files["plot"] = figure_bytes(figure, self.plot_format)
        if self.curve:
            from ._csv import columns_text, curve_columns_for_csv

            files["curve"] = columns_text(curve_columns_for_csv(result)).encode()
        return Outcome(
            *self.identify(spectrum),
            summary=_summary(result),
            report=text if outcome.table is None else f"{text}\n\nmodel comparison\n{outcome.table}",
            record=record,
            row=result.to_row(),
            files=files,
        )


def _drt_processes(spectrum: Spectrum, record: dict[str, Any]) -> str | None:
    """ "the DRT shows N processes …" beside the model (its peaks go to ``record["drt"]``); ``None`` when the
    spectrum is too short for a DRT."""
    from ..drt import compute_drt
    from ..exceptions import DataError

    try:
        drt = compute_drt(spectrum, kramers_kronig="skip")
    except DataError:
        return None
    record["drt"] = {
        "n_processes": drt.n_processes,
        "peaks": [
            {k: p.to_dict()[k] for k in ("tau", "frequency", "resistance", "units")} for p in drt.peaks
        ],
        "tail": None if drt.tail is None else drt.tail.describe(),
        "note": "independent of the circuit: `nakinetics drt` gives the full distribution",
    }
    tail = f"; {drt.tail.describe()}" if drt.tail is not None else ""
    return f"DRT (model-free check): {drt.summary()}{tail}"


def _summary(result: FitResult) -> str:
    """One line for a batch listing: model, resistances, reduced χ², KK verdict, warnings."""
    resistances = ", ".join(
        f"{name} {format_number(p.value)} Ω" for name, p in result.parameters.items() if p.unit == "Ohm"
    )
    kk = result.kramers_kronig
    verdict = "–" if kk is None else kk.verdict
    count = len(result.warnings)
    return (
        f"{model_name(result)}: {resistances}; χ²_red {format_number(result.statistics.redchi, 3)}; "
        f"KK {verdict}; {count} warning{'s' if count != 1 else ''}"
    )


@main.command("fit")
@inputs_argument
@click.option(
    "--circuit",
    "-c",
    metavar="PRESET|STRING",
    help="Preset name (see `nakinetics circuits`) or circuit string such as 'R0-p(R1,CPE1)'. "
    "Default: choose among the general presets by BIC.",
)
@click.option(
    "--compare",
    multiple=True,
    metavar="PRESET|STRING",
    help="Fit these models too (repeatable) and print a χ²/AIC/BIC table. With --circuit the --circuit model "
    "is still the one reported (a warning says when another fits better); without it they join the automatic "
    "candidates and the lowest BIC is reported.",
)
@area_option("Geometric electrode area (needed for ASR, i0 and conductivity).")
@cell_option(
    "Symmetric cell (two identical interfaces: per-interface ASR = R·A/2, i0 with g = 2) or a single "
    "interface; never the circuit an automatic choice picks.",
    circuit=True,
)
@electrolyte_option(
    "Liquid (SEI, charge transfer, electrolyte diffusion) or solid electrolyte (grain boundary, interface; "
    "no diffusion candidates). Names the arcs' roles and sets the automatic candidates.",
    circuit=True,
)
@temperature_options("For i0. Default: the file's, else 298.15 K.")
@length_option("--thickness", "Electrolyte/pellet thickness (conductivity σ = L/(R·A)).")
@frequency_options("Lowest frequency fitted.", "Highest frequency fitted.")
@weighting_option
@click.option("--fix", multiple=True, metavar="NAME=VALUE", help="Hold a parameter fixed (repeatable).")
@click.option(
    "--tie",
    multiple=True,
    metavar="NAME=EXPR",
    help="Compute a parameter from others instead of fitting it, e.g. --tie R2=R1 --tie CPE2_n=CPE1_n "
    "(two identical interfaces; repeatable; + - * / ** exp log sqrt allowed).",
)
@index_option
@format_option()
@json_option
@click.option(
    "--profile",
    is_flag=True,
    help="Add profile-likelihood 95 % intervals of every fitted parameter (refits with the parameter held; "
    "asymmetric or open where the ± standard error cannot describe the uncertainty).",
)
@click.option(
    "--curve-csv",
    "curve_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Write the fitted curve as CSV (frequency, Z_data, Z_fit, |Z| and phase of the fit, residuals in %) "
    "for re-plotting elsewhere. Several spectra → PATH_<n> (batch: PATH_<file>[_<n>]).",
)
@plot_option(
    "Save a figure (Nyquist, Bode, residuals); PNG/PDF/SVG by extension. Several spectra → PATH_<n> "
    "(batch: PATH_<file>[_<n>])."
)
@click.option(
    "--per-area",
    is_flag=True,
    help="Plot impedances per area: Z·A in Ω cm² (A = --area) in the Nyquist and Bode panels of --plot.",
)
@batch_options
def fit_command(
    inputs: tuple[Path, ...],
    circuit: str | None,
    compare: tuple[str, ...],
    area: float | None,
    cell: str | None,
    electrolyte: str | None,
    temperature: tuple[float, str | None] | None,
    temperature_unit: str | None,
    any_temperature: bool,
    thickness: float | None,
    fmin: float | None,
    fmax: float | None,
    weighting: str,
    fix: tuple[str, ...],
    tie: tuple[str, ...],
    index: int | None,
    format: str | None,
    json_path: str | None,
    profile: bool,
    curve_path: Path | None,
    plot_path: Path | None,
    per_area: bool,
    batch: BatchOptions,
) -> None:
    """Fit an equivalent circuit to every spectrum of FILES (files, folders or glob patterns; any
    supported instrument format) with no initial guesses, and report parameters, ASR, i0, effective capacitances, fit statistics and the Kramers–Kronig test
    of the fitted points (`nakinetics validate` shows its residuals)."""
    check_frequency_range(fmin, fmax)
    if per_area and area is None:
        raise click.BadParameter(
            "impedances per area need the electrode area: add --area CM2", param_hint="--per-area"
        )
    fixed = parse_assignments(fix, "--fix")
    temperature_k = resolve_temperature(temperature, temperature_unit, any_temperature)  # type: ignore[arg-type]
    ties = _parse_ties(tie)
    if circuit:  # a bad circuit, preset or parameter name stops the run before any file is read
        check_parameter_names(fixed, ties, [resolve_model(circuit, electrolyte)[0]], requested=True)
    elif fixed or ties:
        check_parameter_names(fixed, ties, _possible_candidates(compare), requested=False)
    task = FitTask(
        circuit=circuit,
        compare=compare,
        area=area,
        cell=cell,
        electrolyte=electrolyte,
        temperature_k=temperature_k,
        any_temperature=any_temperature,
        thickness=thickness,
        options={"weighting": weighting, "fmin": fmin, "fmax": fmax, "fixed": fixed, "ties": ties},
        index=index,
        format=format,
        profile=profile,
        plot_format=plot_format(plot_path),
        plot_per_area=per_area,
        curve=curve_path is not None,
    )
    files = {"plot": plot_path, "curve": curve_path}
    run(task, inputs, batch, json_path=json_path, files=files, label="fitting")
