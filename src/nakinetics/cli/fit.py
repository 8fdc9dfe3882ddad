"""``nakinetics fit``: fit an equivalent circuit to every spectrum in a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..constants import T_ROOM
from ..data import Spectrum
from ..derived import CellGeometry, with_derived
from ..fitting import FitResult, fit_circuit

if TYPE_CHECKING:
    from ..profile import ProfileInterval
from ..report import format_comparison, format_fit
from ..selection import compare_models
from ..validation import KK_MIN_POINTS, kramers_kronig_test
from . import main
from ._options import (
    check_frequency_range,
    format_option,
    frequency_options,
    index_option,
    json_option,
    plot_option,
    resolve_temperature,
    selected_spectra,
    temperature_options,
    weighting_option,
)
from ._output import echo_reports, emit_records, numbered_path, parse_assignments, save_figures


def _fit_one(
    spectrum: Spectrum, circuit: str | None, compare: tuple[str, ...], options: dict[str, Any]
) -> tuple[FitResult, str | None, str | None]:
    """Fit one spectrum: the given circuit, or the best of ``compare`` / the general presets."""
    if circuit and not compare:
        return fit_circuit(spectrum, circuit, **options), None, None
    candidates = ([circuit] if circuit else []) + list(compare) or None
    comparison = compare_models(spectrum, candidates, **options)
    table = format_comparison(comparison.table(), comparison.criterion)
    return comparison.best, comparison.reason(), table


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


@main.command("fit")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
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
    help="Fit these models too (repeatable) and print a χ²/AIC/BIC table; the lowest BIC is reported.",
)
@click.option(
    "--area",
    type=click.FloatRange(min=0, min_open=True),
    metavar="CM2",
    help="Geometric electrode area in cm² (needed for ASR, i0 and conductivity).",
)
@click.option(
    "--cell",
    type=click.Choice(["symmetric", "single"]),
    help="Symmetric cell (two identical interfaces: per-interface ASR = R·A/2, i0 with g = 2) or a "
    "single interface. Default: from the preset (Na|…|Na presets are symmetric).",
)
@temperature_options("For i0. Default: the file's, else 298.15 K.")
@click.option(
    "--thickness",
    type=click.FloatRange(min=0, min_open=True),
    metavar="CM",
    help="Electrolyte/pellet thickness in cm (conductivity σ = L/(R·A)).",
)
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
    "for re-plotting elsewhere. Several spectra → PATH_<n>.",
)
@plot_option(
    "Save a figure (Nyquist, Bode, residuals); PNG/PDF/SVG by extension. Several spectra → PATH_<n>."
)
def fit_command(
    file: Path,
    circuit: str | None,
    compare: tuple[str, ...],
    area: float | None,
    cell: str | None,
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
) -> None:
    """Fit an equivalent circuit to FILE (any supported instrument format) with no initial guesses,
    and report parameters, ASR, i0, effective capacitances, fit statistics and the Kramers–Kronig test
    of the fitted points (`nakinetics validate` shows its residuals)."""
    check_frequency_range(fmin, fmax)
    fixed = parse_assignments(fix, "--fix")
    temperature_k = resolve_temperature(temperature, temperature_unit, any_temperature)  # type: ignore[arg-type]
    spectra = selected_spectra(file, index, format)
    ties = _parse_ties(tie)
    options = {"weighting": weighting, "fmin": fmin, "fmax": fmax, "fixed": fixed, "ties": ties}

    results: list[FitResult] = []
    texts: list[str] = []
    intervals: list[dict[str, ProfileInterval]] = []
    for spectrum in spectra:
        result, reason, table = _fit_one(spectrum, circuit, compare, options)
        geometry = CellGeometry(
            area_cm2=area,
            cell=cell,  # type: ignore[arg-type]
            temperature_k=temperature_k or spectrum.metadata.temperature_k or T_ROOM,
            thickness_cm=thickness,
            any_temperature=any_temperature,
        )
        result = with_derived(result, geometry)
        if len(result.spectrum) >= KK_MIN_POINTS:
            result = result.with_kramers_kronig(kramers_kronig_test(result.spectrum))
        results.append(result)
        text = format_fit(result, reason)
        if profile:
            from ..profile import profile_intervals
            from ..report import format_profile_intervals

            intervals.append(profile_intervals(result, level=PROFILE_LEVEL))
            text += "\n\n" + format_profile_intervals(intervals[-1])
        texts.append(text if table is None else f"{text}\n\nmodel comparison\n{table}")

    echo_reports(texts, json_path)
    if plot_path is not None:
        from ..plotting import fit_figure

        save_figures([fit_figure(r) for r in results], plot_path)
    if curve_path is not None:
        from ._csv import curve_columns_for_csv, write_columns

        for k, r in enumerate(results):
            write_columns(curve_columns_for_csv(r), numbered_path(curve_path, k, len(results)))
    records = [r.to_dict() for r in results]
    for record, found in zip(records, intervals, strict=False):
        record["profile_intervals"] = {name: i.to_dict() for name, i in found.items()}
    emit_records(records, json_path)
