"""``nakinetics warburg``: Warburg coefficient σ and apparent diffusion coefficient D of every spectrum."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..batch import quantity_cells
from ..constants import T_ROOM
from ..data import Spectrum
from ..diffusion import (
    DiffusionInputs,
    WarburgFromFit,
    WarburgSlope,
    apparent_diffusion_coefficient,
    diffusion_from_tau,
    warburg_from_fit,
    warburg_slope,
)
from ..exceptions import DataError
from ..fitting import DerivedQuantity, fit_circuit
from ..parameters import resolve_model
from ..presets import Preset
from ..report import format_number
from ..roles import decide_context
from . import main
from ._batch import BatchOptions, FileTask, Outcome, batch_options, inputs_argument, plot_format, run
from ._options import (
    area_option,
    cell_option,
    check_frequency_range,
    concentration_options,
    format_option,
    frequency_options,
    index_option,
    json_option,
    plot_option,
    resolve_concentration,
    resolve_temperature,
    temperature_options,
)
from ._output import figure_bytes
from ._validity import with_kk_check


def _quantity_line(name: str, q: DerivedQuantity) -> str:
    return f"{name:<16}{format_number(q.value, 5)} ± {format_number(q.stderr, 3)} {q.unit}   [{q.convention}]"


def _window_line(slope: WarburgSlope) -> str:
    how = "automatic" if slope.automatic else "given"
    return (
        f"{slope.fmin_hz:.4g}–{slope.fmax_hz:.4g} Hz ({slope.n_points} points, {how}): "
        f"d Z'/dω^-½ = {format_number(slope.real.slope, 5)} (R² {slope.real.r2:.4f}), "
        f"d(−Z'')/dω^-½ = {format_number(slope.imag.slope, 5)} (R² {slope.imag.r2:.4f}), "
        f"ratio {slope.ratio:.3f}, line angle {slope.line_angle_deg:.1f}°, mean phase {slope.mean_phase_deg:.1f}°"
    )


def _analyse(
    spectrum: Spectrum,
    base: dict[str, Any],
    circuit: str | None,
    element: str | None,
    length: float | None,
    window: tuple[float | None, float | None],
) -> tuple[dict[str, Any], list[str], WarburgSlope | None, WarburgFromFit | None]:
    """σ (from the slope or a fit), D and everything to report, as a JSON record and text lines."""
    temperature = base.pop("temperature_k")
    source = "--temperature"
    if temperature is None:
        temperature, source = (
            (spectrum.metadata.temperature_k, "file")
            if spectrum.metadata.temperature_k is not None
            else (T_ROOM, "default: not in the file")
        )
    model = resolve_model(circuit)[0] if circuit is not None else None  # a string takes its preset, as in fit
    context = decide_context(
        cell=base.pop("cell"),
        metadata=spectrum.metadata,
        preset=model if isinstance(model, Preset) else None,
    )
    inputs = DiffusionInputs(temperature_k=temperature, cell=context.cell, **base)  # type: ignore[arg-type]
    warnings: list[str] = []
    slope: WarburgSlope | None = None
    from_fit: WarburgFromFit | None = None
    if circuit is None:
        slope = warburg_slope(spectrum, fmin=window[0], fmax=window[1])
        sigma = slope.sigma
        warnings += slope.warnings
    else:
        fit, _ = with_kk_check(fit_circuit(spectrum, model, fmin=window[0], fmax=window[1]))  # type: ignore[arg-type]
        from_fit = warburg_from_fit(fit, element)
        sigma = from_fit.sigma
        warnings += fit.warnings
        try:
            slope = warburg_slope(spectrum)
        except DataError as exc:
            reason = str(exc).split("; give a window")[0]  # the advice is for the slope method, not this fit
            warnings.append(f"slope cross-check not possible: {reason}")
    result = apparent_diffusion_coefficient(sigma, inputs)
    warnings += result.warnings
    record: dict[str, Any] = {
        "file": spectrum.metadata.source,
        "index": spectrum.metadata.index,
        "method": "slope" if from_fit is None else "fit",
        **result.to_dict(),
        "window": None if slope is None else slope.to_dict(),
    }
    record["inputs"]["temperature_source"] = source
    record["inputs"]["cell_source"] = context.cell_source
    record["inputs"]["length_cm"] = length
    lines = [f"file            {spectrum.label}", _quantity_line("sigma", result.sigma)]
    if inputs.cell == "symmetric":
        lines.append(_quantity_line("sigma_electrode", result.sigma_electrode))
    lines.append(_quantity_line("D", result.D))
    if from_fit is not None:
        record["fit"] = {**from_fit.fit.to_dict(), "element": from_fit.to_dict()}
        lines.append(
            f"fit             {from_fit.fit.circuit.text}: {from_fit.kind} element {from_fit.element}"
        )
        if from_fit.tau is not None and length is not None:
            d_tau = diffusion_from_tau(from_fit.tau, length, inputs.cell)
            record["D_from_tau"] = d_tau.to_dict()
            lines.append(_quantity_line("D_from_tau", d_tau))
        if slope is not None:
            record["sigma_slope"] = slope.sigma.to_dict()
            lines.append(_quantity_line("sigma_slope", slope.sigma) + "  (cross-check)")
    if slope is not None:
        lines.append(f"window          {_window_line(slope)}")
    lines.append(
        f"inputs          A = {inputs.area_cm2:g} cm², C = {inputs.concentration:g} {inputs.concentration_unit} "
        f"= {inputs.concentration_mol_cm3:g} mol/cm³, n = {inputs.n_electrons}, T = {temperature:g} K ({source}), "
        f"{inputs.species} diffusing species"
    )
    lines.append(f"cell            {inputs.cell} ({context.cell_source}; --cell to change)")
    record["warnings"] = warnings
    if warnings:
        lines += ["warnings"] + [f"  - {w}" for w in warnings]
    return record, lines, slope, from_fit


@dataclass(frozen=True, kw_only=True)
class WarburgTask(FileTask):
    """``nakinetics warburg`` on one spectrum (see :mod:`nakinetics.cli._batch`)."""

    base: dict[str, Any]
    """Inputs of :class:`~nakinetics.diffusion.DiffusionInputs` (temperature_k None: the file's)."""
    circuit: str | None
    element: str | None
    length: float | None
    window: tuple[float | None, float | None]

    def analyse(self, spectrum: Spectrum) -> Outcome:
        record, lines, slope, from_fit = _analyse(
            spectrum, dict(self.base), self.circuit, self.element, self.length, self.window
        )
        if self.length is not None and from_fit is not None and from_fit.tau is None:
            raise DataError(
                f"{spectrum.label}: --length needs a Wo or Ws element; {from_fit.element} is a "
                "semi-infinite W (no τ)"
            )
        files = {}
        if self.plot_format is not None:
            from matplotlib.figure import Figure

            from ..plotting.diffusion import plot_warburg

            figure = Figure(figsize=(7, 5), layout="constrained")
            fit = None if from_fit is None else from_fit.fit
            plot_warburg(spectrum, slope, fit, ax=figure.add_subplot())
            figure.suptitle(spectrum.label, fontsize="medium")
            files["plot"] = figure_bytes(figure, self.plot_format)
        return Outcome(
            *self.identify(spectrum),
            summary=_summary(record),
            report="\n".join(lines),
            record=record,
            row=_row(record),
            files=files,
        )


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """Table row: method, σ, σ per electrode, D (and D from τ), the window and its fit quality."""
    window = record.get("window") or {}
    row: dict[str, Any] = {"method": record["method"]}
    for name in ("sigma", "sigma_electrode", "D", "D_from_tau", "sigma_slope"):
        row |= quantity_cells(name, record.get(name))
    if record.get("fit"):
        row["circuit"] = record["fit"]["circuit"]
        row["element"] = record["fit"]["element"]["element"]
    row |= {
        "window_fmin [Hz]": window.get("fmin_hz"),
        "window_fmax [Hz]": window.get("fmax_hz"),
        "window_points": window.get("n_points"),
        "r2_real": window.get("r2_real"),
        "r2_imag": window.get("r2_imag"),
        "ratio_real_to_imag": window.get("ratio_real_to_imag"),
        "temperature [K]": record["inputs"]["temperature_k"],
        "n_warnings": len(record["warnings"]),
    }
    return row


def _summary(record: dict[str, Any]) -> str:
    sigma, d = record["sigma"], record["D"]
    count = len(record["warnings"])
    return (
        f"σ = {format_number(sigma['value'], 4)} ± {format_number(sigma['stderr'], 2)} {sigma['unit']}, "
        f"D = {format_number(d['value'], 3)} ± {format_number(d['stderr'], 2)} {d['unit']} ({record['method']}); "
        f"{count} warning{'s' if count != 1 else ''}"
    )


@main.command("warburg")
@inputs_argument
@area_option("Electrode area A (geometric unless you know the electroactive one; D ∝ 1/A²).", required=True)
@concentration_options
@click.option(
    "--n",
    "n_electrons",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Electrons per diffusing ion (1 for Na⁺; not per formula unit).",
)
@temperature_options(f"Default: the file's, else {T_ROOM} K.")
@cell_option(
    "symmetric: σ holds two identical electrodes, σ_electrode = σ/2 (and L/2 for --length); single: one "
    "electrode (a full cell against NVP, a half cell, a three-electrode measurement).",
    circuit=True,
)
@click.option(
    "--species",
    type=click.Choice(["one", "two"]),
    default="one",
    show_default=True,
    help="one diffusing species: D = R²T²/(2A²n⁴F⁴C²σ²); two soluble species of equal C and D: 4× that.",
)
@click.option(
    "--single-ion-conductor",
    is_flag=True,
    help="The electrolyte conducts only Na⁺ (NASICON, β-alumina): warn that D has no bulk meaning.",
)
@click.option(
    "--circuit",
    "-c",
    metavar="PRESET|STRING",
    help="Take σ from a fit of this circuit (W: σ; Wo/Ws: σ = R/√(2τ)), e.g. randles_w, randles_ws, "
    "instead of the slope.",
)
@click.option(
    "--element", metavar="LABEL", help="Diffusion element of --circuit to use when it has several (W1)."
)
@click.option(
    "--length",
    type=click.FloatRange(min=0, min_open=True),
    metavar="CM",
    help="Diffusion length for D = L²/τ from a fitted Wo/Ws (with --cell symmetric: the electrode spacing).",
)
@frequency_options(
    "Lowest frequency of the window (slope) or of the fit; default: automatic window.",
    "Highest frequency of the window (slope) or of the fit.",
)
@index_option
@format_option()
@json_option
@plot_option(
    "Save Z' and −Z'' against ω^-½ with the window and lines; several spectra → PATH_<n> "
    "(batch: PATH_<file>[_<n>])."
)
@batch_options
def warburg_command(
    inputs: tuple[Path, ...],
    area: float,
    conc: tuple[float, str | None],
    conc_unit: str | None,
    any_concentration: bool,
    n_electrons: int,
    temperature: tuple[float, str | None] | None,
    temperature_unit: str | None,
    any_temperature: bool,
    cell: str | None,
    species: str,
    single_ion_conductor: bool,
    circuit: str | None,
    element: str | None,
    length: float | None,
    fmin: float | None,
    fmax: float | None,
    index: int | None,
    format: str | None,
    json_path: str | None,
    plot_path: Path | None,
    batch: BatchOptions,
) -> None:
    """Warburg coefficient σ (Ω s^-½, slope of Z' and −Z'' against ω^-½ in an automatically chosen 45°
    window, or from a fitted W/Wo/Ws element) and the apparent diffusion coefficient
    D = R²T²/(2A²n⁴F⁴C²σ²) in cm² s⁻¹ for each spectrum of FILES (files, folders or glob patterns), with
    every input echoed."""
    check_frequency_range(fmin, fmax)
    if length is not None and circuit is None:
        raise click.BadParameter(
            "D = L²/τ needs a fitted finite-length element: add --circuit randles_ws "
            "(or randles_wo / a string with Ws/Wo)",
            param_hint="--length",
        )
    if element is not None and circuit is None:
        raise click.BadParameter("--element selects a diffusion element of --circuit", param_hint="--element")
    temperature_k = resolve_temperature(temperature, temperature_unit, any_temperature)  # type: ignore[arg-type]
    concentration, concentration_unit = resolve_concentration(conc, conc_unit, any_concentration)
    base = {
        "area_cm2": area,
        "concentration": concentration,
        "concentration_unit": concentration_unit,
        "any_concentration": any_concentration,
        "n_electrons": n_electrons,
        "temperature_k": temperature_k,
        "any_temperature": any_temperature,
        "cell": cell,
        "species": species,
        "single_ion_conductor": single_ion_conductor,
    }
    task = WarburgTask(
        base=base,
        circuit=circuit,
        element=element,
        length=length,
        window=(fmin, fmax),
        index=index,
        format=format,
        plot_format=plot_format(plot_path),
    )
    run(task, inputs, batch, json_path=json_path, files={"plot": plot_path})
