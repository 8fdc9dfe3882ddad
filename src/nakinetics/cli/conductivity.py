"""``nakinetics conductivity``: bulk, grain-boundary and total ionic conductivity of a pellet."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
import numpy as np

from ..batch import quantity_cells
from ..conductivity import ConductivityResult, area_from_diameter, pellet_conductivity
from ..data import Spectrum
from ..presets import model_label
from ..report import format_number
from . import main
from ._batch import BatchOptions, FileTask, Outcome, batch_options, inputs_argument, plot_format, run
from ._options import (
    area_option,
    check_frequency_range,
    format_option,
    frequency_options,
    index_option,
    json_option,
    length_option,
    plot_option,
    weighting_option,
)
from ._output import figure_bytes
from ._validity import with_kk_check


def electrode_area(area: float | None, diameter: float | None) -> float:
    """The electrode area (cm²) from --area or --diameter (exactly one)."""
    if (area is None) == (diameter is None):
        raise click.UsageError("give the electrode area: --area CM2 or --diameter CM (one of them)")
    return area if area is not None else area_from_diameter(diameter)  # type: ignore[arg-type]


def _text(result: ConductivityResult) -> str:
    fit = result.fit
    named = fit.preset is not None and fit.preset.name != fit.circuit.text
    label = model_label(fit.circuit, fit.preset)
    roles = ", ".join(f"{label} {role.replace('_', ' ')}" for label, role in result.roles.items())
    lines = [
        f"file            {fit.spectrum.label}",
        f"circuit         {label}",
        f"roles           {roles}  ({'the preset' if named else 'from the circuit structure and arc capacitances'})",
    ]
    if result.choice:
        lines.append(f"choice          {result.choice}")
    lines.append(
        f"geometry        L = {result.thickness_cm:g} cm, A = {result.area_cm2:.5g} cm², "
        f"L/A = {result.thickness_cm / result.area_cm2:.4g} cm⁻¹"
    )
    for name, q in (
        ("sigma_total", result.total),
        ("sigma_bulk", result.bulk),
        ("sigma_gb", result.grain_boundary),
    ):
        if q is not None:
            lines.append(
                f"{name:<16}{format_number(q.value, 5)} ± {format_number(q.stderr, 3)} {q.unit}   [{q.convention}]"
            )
    if result.reason:
        lines.append(f"note            {result.reason}")
    if result.warnings:
        lines += ["warnings"] + [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def _figure(result: ConductivityResult) -> Any:
    """Nyquist plot of the whole spectrum and of the electrolyte region (Z' up to 1.6 R_total), with the
    fit; each panel as wide as its data need at equal scales (no empty gap between them)."""
    from matplotlib.figure import Figure

    from ..plotting import nyquist_aspect, plot_nyquist
    from ..plotting._axes import legend_below

    spectrum = result.fit.spectrum
    r_total = result.thickness_cm / (result.total.value * result.area_cm2)
    near = spectrum.real <= 1.6 * r_total
    zoomed = (
        Spectrum(spectrum.frequency[near], spectrum.impedance[near], metadata=spectrum.metadata)
        if np.count_nonzero(near) >= 3
        else None
    )
    panels = [spectrum] if zoomed is None else [spectrum, zoomed]
    height = 4.5
    widths = [float(np.clip(height / max(nyquist_aspect(s), 1e-6), 2.5, 9.0)) for s in panels]
    figure = Figure(figsize=(sum(widths) + 1.2 * len(widths), height + 1.6), layout="constrained")
    axes = figure.subplots(1, len(panels), width_ratios=widths, squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        plot_nyquist(panel, result.fit, ax=ax)
    axes[0].set_title("whole spectrum", fontsize="medium")
    axes[-1].axvline(r_total, color="C2", ls="--", lw=1, label=f"R_b + R_gb = {r_total:.4g} Ω")
    if zoomed is not None:
        axes[-1].set_title(f"electrolyte: σ_total = {result.total.value:.4g} S cm⁻¹", fontsize="medium")
    handles, labels = axes[-1].get_legend_handles_labels()
    for ax in axes:
        ax.get_legend().remove()
    legend_below(figure, handles, labels)
    figure.suptitle(spectrum.label)
    return figure


@dataclass(frozen=True, kw_only=True)
class ConductivityTask(FileTask):
    """``nakinetics conductivity`` on one spectrum (see :mod:`nakinetics.cli._batch`)."""

    thickness_cm: float
    area_cm2: float
    circuit: str | None
    weighting: str
    fmin: float | None
    fmax: float | None

    def analyse(self, spectrum: Spectrum) -> Outcome:
        result = pellet_conductivity(
            spectrum,
            thickness_cm=self.thickness_cm,
            area_cm2=self.area_cm2,
            circuit=self.circuit,
            weighting=self.weighting,
            fmin=self.fmin,
            fmax=self.fmax,
        )
        result = replace(result, fit=with_kk_check(result.fit)[0])  # KK test and model-adequacy warnings
        files = {} if self.plot_format is None else {"plot": figure_bytes(_figure(result), self.plot_format)}
        return Outcome(
            *self.identify(spectrum),
            summary=_summary(result),
            report=_text(result),
            record=result.to_dict(),
            row=_row(result),
            files=files,
        )


def _row(result: ConductivityResult) -> dict[str, Any]:
    """Table row: σ total, bulk and grain boundary, whether the arcs were resolved, then the fit's row."""
    record = result.to_dict()
    row: dict[str, Any] = {"circuit": result.fit.circuit.text, "resolved": result.resolved}
    for name in ("sigma_total", "sigma_bulk", "sigma_grain_boundary"):
        row |= quantity_cells(name, record[name])
    fit = result.fit.to_row()
    for key in ("file", "index", "circuit", "n_warnings"):
        fit.pop(key, None)
    return {**row, **fit, "n_warnings": len(result.warnings)}


def _summary(result: ConductivityResult) -> str:
    parts = [f"σ_total {format_number(result.total.value, 4)} ± {format_number(result.total.stderr, 2)}"]
    if result.bulk is not None:
        parts.append(f"bulk {format_number(result.bulk.value, 4)}")
    if result.grain_boundary is not None:
        parts.append(f"grain boundary {format_number(result.grain_boundary.value, 4)}")
    count = len(result.warnings)
    return (
        f"{', '.join(parts)} {result.total.unit} ({result.fit.circuit.text}); "
        f"{count} warning{'s' if count != 1 else ''}"
    )


@main.command("conductivity")
@inputs_argument
@length_option("--thickness", "Pellet thickness L.", required=True)
@area_option("Electrode area A (the electrodes', if smaller than the pellet face).")
@length_option("--diameter", "Electrode diameter instead of --area (A = π d²/4).")
@click.option(
    "--circuit",
    "-c",
    metavar="PRESET|STRING",
    help="Pellet model: a preset with bulk/grain_boundary (or electrolyte) roles, e.g. pellet_blocking, or "
    "a circuit string such as 'R1-p(R2,CPE2)-CPE3' (roles from its structure and arc capacitances). "
    "Default: chosen by BIC among two arcs + spike, intercept + one arc + spike, intercept + spike.",
)
@frequency_options("Lowest frequency fitted.", "Highest frequency fitted.")
@weighting_option
@index_option
@format_option()
@json_option
@plot_option(
    "Save the fit figure (Nyquist, Bode, residuals); several spectra → PATH_<n> (batch: PATH_<file>[_<n>])."
)
@batch_options
def conductivity_command(
    inputs: tuple[Path, ...],
    thickness: float,
    area: float | None,
    diameter: float | None,
    circuit: str | None,
    fmin: float | None,
    fmax: float | None,
    weighting: str,
    index: int | None,
    format: str | None,
    json_path: str | None,
    plot_path: Path | None,
    batch: BatchOptions,
) -> None:
    """Ionic conductivity σ = L/(R A) in S cm⁻¹ of a solid-electrolyte pellet between blocking electrodes:
    bulk (R_b), grain boundary (R_gb) and total (R_b + R_gb), or the total only, with the reason, when the
    measured window does not separate the arcs."""
    check_frequency_range(fmin, fmax)
    area_cm2 = electrode_area(area, diameter)
    task = ConductivityTask(
        thickness_cm=thickness,
        area_cm2=area_cm2,
        circuit=circuit,
        weighting=weighting,
        fmin=fmin,
        fmax=fmax,
        index=index,
        format=format,
        plot_format=plot_format(plot_path),
    )
    run(task, inputs, batch, json_path=json_path, files={"plot": plot_path}, label="fitting")
