"""``nakinetics arrhenius``: activation energy from spectra at several temperatures or from a table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..arrhenius import (
    ArrheniusResult,
    TemperaturePairing,
    arrhenius_from_spectra,
    arrhenius_from_table,
)
from ..arrhenius_table import parse_arrhenius_table
from ..exceptions import DataError
from ..io import read_spectra
from ..report import aligned_rows, format_number
from ..temperature import split_temperature
from . import main
from ._options import (
    OneFile,
    any_temperature_option,
    area_option,
    cell_option,
    check_frequency_range,
    format_option,
    frequency_options,
    input_file,
    json_option,
    length_option,
    plot_option,
    resolve_temperature,
    temperature_unit_option,
)
from ._output import emit_json, save_figure
from .conductivity import electrode_area


def _temperatures(text: str | None, unit: str | None, any_temperature: bool) -> list[float] | None:
    """``"25C,40C"`` or ``"298,313"`` (in ``unit``, default K) → temperatures in K, each checked."""
    if text is None:
        return None
    items = [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]
    typed = []
    for item in items:
        try:
            typed.append(split_temperature(item))
        except DataError as exc:
            raise click.BadParameter(str(exc), param_hint="--temperatures") from None
    return [resolve_temperature(t, unit, any_temperature, "--temperatures") for t in typed]  # type: ignore[misc]


def _text(result: ArrheniusResult, extra: list[str], pairing: tuple[TemperaturePairing, ...] = ()) -> str:
    ea, ea_kj = result.activation_energy, result.activation_energy_kj_mol
    ci, ci_kj = result.ci_ev, result.ci_kj_mol
    level = f"{100 * result.confidence:.0f} % CI"
    t = result.temperature_k
    lines = [
        f"quantity        {result.quantity}"
        + (f" ({result.form} form)" if result.quantity == "conductivity" else ""),
        f"convention      {result.convention}",
        f"E_a             {ea.value:.4f} ± {format_number(ea.stderr, 2)} eV"
        + (f"   ({level} {ci[0]:.4f} to {ci[1]:.4f})" if ci else ""),
        f"                {ea_kj.value:.2f} ± {format_number(ea_kj.stderr, 2)} kJ/mol"
        + (f"   ({level} {ci_kj[0]:.2f} to {ci_kj[1]:.2f})" if ci_kj else ""),
        (
            f"fit             {t.size} points, {t.min():.2f}–{t.max():.2f} K, R² {result.r2:.5f}, "
            f"{'weighted' if result.weighted else 'unweighted'}, ln A = {result.intercept:.4g}"
        ),
        "",
        "points",
    ]
    rows = [["T / K", "value", "± stderr", "unit", "source"] + (["temperature from"] if pairing else [])]
    errors = result.stderr if result.stderr is not None else [None] * t.size
    labels = result.labels or ("",) * t.size
    details = [p.detail for p in pairing] or [None] * t.size
    for tk, v, e, label, detail in zip(t, result.values, errors, labels, details, strict=True):
        rows.append(
            [
                f"{tk:.2f}",
                format_number(float(v), 5),
                format_number(None if e is None else float(e), 3),
                result.unit,
                label,
            ]
            + ([detail] if detail is not None else [])
        )
    lines += ["  " + row for row in aligned_rows(rows)]
    warnings = [*result.warnings, *extra]
    if warnings:
        lines += ["", "warnings"] + [f"  - {w}" for w in warnings]
    return "\n".join(lines)


@main.command("arrhenius")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--table",
    type=OneFile(),
    metavar="CSV",
    help="Values instead of spectra: header row, then temperature, value[, stderr] per row; the unit of "
    "the temperature in the header (T/K or T/°C) or --temperature-unit; the value column's header says "
    "what the values are (sigma/S cm-1, R/Ohm, ASR/Ohm cm2, 1/R (S), i0/mA cm-2).",
)
@click.option(
    "--quantity",
    type=click.Choice(["conductivity", "resistance", "i0"]),
    help="What the activation energy is of: σ (S cm⁻¹), interfacial R (Ω, fitted as 1/R) or i0 (mA cm⁻²). "
    "Spectra: default conductivity; --table: what the value column's header says (must agree).",
)
@click.option(
    "--form",
    type=click.Choice(["sigmaT", "sigma"]),
    help="Conductivity only: ln(σT) (default, usual for ion conductors) or ln(σ) (E_a smaller by ≈ kT).",
)
@click.option(
    "--temperatures",
    metavar="T1,T2,...",
    help="Temperatures of the spectra in file order (25C,40C or numbers in --temperature-unit). Default: "
    "from each file's metadata or name (_25C, -60°C, _353K, 25degC, T=80C); when given, they are "
    "checked against those.",
)
@temperature_unit_option(
    "Unit of numbers without one in --temperatures (default K), in names (T=80) or of a table whose "
    "header does not say."
)
@click.option(
    "--temperature-source",
    type=click.Choice(["auto", "file", "name", "given"]),
    default="auto",
    show_default=True,
    help="Where temperatures come from: file metadata or name, checked against --temperatures (auto); "
    "only the metadata (file) or names (name); or --temperatures in command-line order, nothing checked "
    "(given).",
)
@any_temperature_option
@click.option(
    "--circuit",
    "-c",
    metavar="PRESET|STRING",
    help="Circuit fitted at every temperature (required for resistance and i0; conductivity default: "
    "automatic pellet model).",
)
@click.option(
    "--parameter",
    metavar="NAME",
    help="Resistance for resistance/i0 (default: the interfacial resistances of the preset's roles).",
)
@click.option(
    "--component",
    type=click.Choice(["total", "bulk", "grain_boundary"]),
    default="total",
    show_default=True,
    help="Conductivity from spectra: which conductivity.",
)
@length_option("--thickness", "Pellet thickness (conductivity).")
@area_option("Electrode area (conductivity, i0).")
@length_option("--diameter", "Electrode diameter instead of --area.")
@cell_option("For i0: symmetric cell (i0 = 2RT/(nFRA)) or single interface (RT/(nFRA)).", circuit=True)
@click.option(
    "--n",
    "n_electrons",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Electrons per ion (i0).",
)
@click.option(
    "--confidence",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Confidence level of the E_a interval.",
)
@frequency_options("Lowest frequency fitted.", "Highest frequency fitted.")
@format_option("spectrum", what="FILES")
@json_option
@plot_option("Save the Arrhenius plot; PNG/PDF/SVG by extension.")
def arrhenius_command(
    files: tuple[Path, ...],
    table: Path | None,
    quantity: str | None,
    form: str | None,
    temperatures: str | None,
    temperature_unit: str | None,
    temperature_source: str,
    any_temperature: bool,
    circuit: str | None,
    parameter: str | None,
    component: str,
    thickness: float | None,
    area: float | None,
    diameter: float | None,
    cell: str | None,
    n_electrons: int,
    confidence: float,
    fmin: float | None,
    fmax: float | None,
    format: str | None,
    json_path: str | None,
    plot_path: Path | None,
) -> None:
    """Activation energy (eV and kJ/mol, with a confidence interval) from FILES measured at different
    temperatures (every spectrum of each file, in order) or from a --table of values: a weighted straight
    line of ln(σT), ln(σ), ln(1/R) or ln(i0) against 1/T."""
    check_frequency_range(fmin, fmax)
    if bool(files) == (table is not None):
        raise click.UsageError("give spectrum FILES or --table CSV (one of them)")
    if form is not None and quantity not in (None, "conductivity"):
        raise click.BadParameter(
            f"applies to conductivity only ({quantity} is fitted as "
            f"{'ln(1/R)' if quantity == 'resistance' else 'ln(i0)'})",
            param_hint="--form",
        )
    payload: dict[str, Any]
    notes: list[str] = []
    pairing: tuple[TemperaturePairing, ...] = ()
    if table is not None:
        spectrum_only = {
            "--temperatures": temperatures,
            "--temperature-source": None if temperature_source == "auto" else temperature_source,
            "--circuit": circuit,
            "--parameter": parameter,
            "--thickness": thickness,
            "--area": area,
            "--diameter": diameter,
            "--cell": cell,
        }
        given = [name for name, value in spectrum_only.items() if value is not None]
        if given or component != "total":
            raise click.UsageError(f"{', '.join(given) or '--component'} applies to spectra, not to --table")
        text = input_file(table).text  # any encoding an instrument or a spreadsheet writes
        data = parse_arrhenius_table(text, str(table), temperature_unit)  # type: ignore[arg-type]
        if form is not None and (quantity or data.quantity) not in (None, "conductivity"):
            raise click.BadParameter(
                f"applies to conductivity only (the column '{data.column}' of {table} holds {data.quantity})",
                param_hint="--form",
            )
        result = arrhenius_from_table(
            data,
            quantity=quantity,  # type: ignore[arg-type]
            form=form,  # type: ignore[arg-type]
            confidence=confidence,
            any_temperature=any_temperature,
            source=str(table),
        )
        payload = {"source": str(table), "column": data.column, **result.to_dict()}
    else:
        quantity = quantity or "conductivity"
        temps = _temperatures(temperatures, temperature_unit, any_temperature)
        spectra = [s for f in files for s in read_spectra(input_file(f), format=format)]
        if temps is not None and len(temps) != len(spectra):
            raise DataError(
                f"{len(temps)} temperatures given for {len(spectra)} spectra in {len(files)} file(s)"
            )
        needs_area = quantity == "i0" or quantity == "conductivity"
        area_cm2 = electrode_area(area, diameter) if needs_area or area or diameter else None
        series = arrhenius_from_spectra(
            spectra,
            quantity=quantity,
            temperatures_k=temps,
            circuit=circuit,  # type: ignore[arg-type]
            thickness_cm=thickness,
            area_cm2=area_cm2,
            component=component,
            parameter=parameter,  # type: ignore[arg-type]
            cell=cell,
            n_electrons=n_electrons,
            form=form,
            confidence=confidence,
            fmin=fmin,
            fmax=fmax,  # type: ignore[arg-type]
            temperature_source=temperature_source,  # type: ignore[arg-type]
            temperature_unit=temperature_unit,  # type: ignore[arg-type]
            any_temperature=any_temperature,
        )
        result = series.result
        pairing = series.pairing
        payload = series.to_dict()
        flagged = [f"{fit.spectrum.label} ({len(fit.warnings)})" for fit in series.fits if fit.warnings]
        if flagged:
            notes.append(f"fits with warnings (listed per point in --json): {', '.join(flagged)}")
    click.echo(_text(result, notes, pairing), err=json_path == "-")
    if plot_path is not None:
        from matplotlib.figure import Figure

        from ..plotting.arrhenius import plot_arrhenius

        figure = Figure(figsize=(7, 5), layout="constrained")
        plot_arrhenius(result, ax=figure.add_subplot())
        save_figure(figure, plot_path)
    if json_path is not None:
        emit_json(payload, json_path)
