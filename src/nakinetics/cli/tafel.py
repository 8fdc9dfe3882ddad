"""``nakinetics tafel``: exchange current density and transfer coefficients from a polarization sweep."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..batch import quantity_cells
from ..data import DCRecord, Spectrum
from ..exceptions import DataError
from ..io import read_dc_record
from ..kinetics.analysis import MODEL_OPTIONS, analyse_polarization
from ..kinetics.report import format_kinetics
from ..report import format_number
from . import main
from ._batch import BatchOptions, FileTask, Outcome, batch_options, inputs_argument, plot_format, run
from ._options import (
    OneFile,
    area_option,
    cell_option,
    companion_spectrum,
    eis_index_option,
    electrolyte_option,
    format_option,
    input_file,
    json_option,
    plot_option,
    resolve_temperature,
    temperature_options,
)
from ._output import figure_bytes


def _pair(text: str, option: str, what: str) -> tuple[float, float | None]:
    """'A' or 'A:B' → (A, B or None); anything else is a usage error."""
    first, sep, second = text.partition(":")
    try:
        a = float(first)
        b = float(second) if sep else None
    except ValueError:
        raise click.BadParameter(f"expected {what}, got '{text}'", param_hint=option) from None
    return a, b


def parse_r_ohm(text: str | None) -> tuple[float | None, float | None]:
    """``--r-ohm OHM_CM2[:SIGMA]`` → (R, σ)."""
    if text is None:
        return None, None
    r, sigma = _pair(text, "--r-ohm", "OHM_CM2 or OHM_CM2:SIGMA, e.g. 5 or 5:0.5")
    if r < 0 or (sigma is not None and sigma < 0):
        raise click.BadParameter(
            f"resistance and its uncertainty must be ≥ 0, got '{text}'", param_hint="--r-ohm"
        )
    return r, sigma


def parse_window(text: str) -> str | tuple[float, float]:
    """``--window auto|VMIN:VMAX`` → "auto" or (VMIN, VMAX) in V."""
    if text == "auto":
        return "auto"
    lo, hi = _pair(text, "--window", "auto or VMIN:VMAX in V, e.g. 0.25:0.5")
    if hi is None or not lo < hi:
        raise click.BadParameter(f"expected VMIN:VMAX with VMIN < VMAX, got '{text}'", param_hint="--window")
    if lo < 0 < hi:
        raise click.BadParameter(
            f"the window must lie on one branch (both ends > 0 or both < 0), got '{text}'",
            param_hint="--window",
        )
    return lo, hi


@dataclass(frozen=True, kw_only=True)
class TafelTask(FileTask):
    """``nakinetics tafel`` on one sweep (see :mod:`nakinetics.cli._batch`)."""

    options: dict[str, Any]
    """Keyword arguments of :func:`~nakinetics.kinetics.analysis.analyse_polarization` (not the record)."""
    eis_spectrum: Spectrum | None = None
    eis_path: str | None = None

    def read(self, path: Path) -> list[DCRecord]:
        return [read_dc_record(input_file(path), index=self.index, format=self.format, area_cm2=self.area)]

    @property
    def area(self) -> float | None:
        return self.options.get("area_cm2")

    def analyse(self, record: DCRecord) -> Outcome:
        if self.eis_spectrum is not None and self.area is None and record.metadata.area_cm2 is None:
            raise DataError(
                f"{self.eis_path}: --eis needs the electrode area (--area) to compare per-area quantities"
            )
        result = analyse_polarization(record, eis_spectrum=self.eis_spectrum, **self.options)
        files = {}
        if self.plot_format is not None:
            from ..plotting.kinetics import kinetics_figure

            files["plot"] = figure_bytes(kinetics_figure(result), self.plot_format)
        payload = result.to_dict()
        return Outcome(
            *self.identify(record),
            summary=_summary(payload),
            report=format_kinetics(result),
            record=payload,
            row=_row(payload),
            files=files,
        )


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """Table row: model, every fitted parameter, the classical Tafel and linear estimates, the EIS link."""
    row: dict[str, Any] = {
        "model": record["model"],
        "cell": record["cell"],
        "area [cm^2]": record["area_cm2"],
    }
    for name, quantity in record["parameters"].items():
        row |= quantity_cells(name, quantity)
    fit = record["fit"]
    row |= {"n_points": fit["n_points"], "chisqr": fit["chisqr"], "redchi": fit["redchi"]}
    row["rms_log_current"] = fit["rms_log_current"]
    for branch, found in record["tafel"]["branches"].items():
        row |= quantity_cells(f"tafel_{branch}_i0", found.get("i0"))
        row |= quantity_cells(f"tafel_{branch}_slope", found.get("tafel_slope"))
    linear = record["linear"]
    row |= quantity_cells("linear_i0", linear.get("i0"))
    row |= quantity_cells("linear_R_ct", linear.get("R_ct"))
    if record["eis_link"] is not None:
        row |= quantity_cells("eis_i0", record["eis_link"]["i0_eis"])
        row["ratio_dc_eis"] = record["eis_link"]["ratio_dc_eis"]
    row["n_warnings"] = len(record["warnings"])
    return row


def _summary(record: dict[str, Any]) -> str:
    i0 = record["parameters"]["i0"]
    count = len(record["warnings"])
    flag = " NOT DETERMINED" if i0.get("determined") is False else ""
    return (
        f"i0 = {format_number(i0['value'], 4)} ± {format_number(i0['stderr'], 2)} {i0['unit']}{flag} "
        f"({record['model']}, {record['cell']}); {count} warning{'s' if count != 1 else ''}"
    )


@main.command("tafel")
@inputs_argument
@area_option("Geometric area of one electrode (default: from the file; without it currents stay absolute).")
@cell_option(
    "Symmetric Na|electrolyte|Na cell (V is the cell voltage over two identical interfaces) or a "
    "single interface (three-electrode measurement)."
)
@electrolyte_option(
    "Liquid or solid electrolyte: names the arcs of the --eis spectrum as `fit` does (an SEI arc is not "
    "charge transfer and stays out of the EIS i0)."
)
@click.option(
    "--model",
    type=click.Choice(list(MODEL_OPTIONS)),
    default="bv",
    show_default=True,
    help="Kinetic model of the global fit; 'auto' compares BV with exact MHC and keeps BV unless MHC "
    "wins robustly under the R_ohm uncertainty.",
)
@click.option(
    "--alpha",
    type=click.Choice(["free", "sum", "half"]),
    help="Transfer coefficients: free α_a, α_c (single only), α_a + α_c = n (default for a symmetric "
    "cell; fits α_a·α_c) or α = n/2 fixed.",
)
@click.option(
    "--r-ohm",
    "r_ohm",
    metavar="OHM_CM2[:SIGMA]",
    help="Ohmic resistance in Ω cm² (Ω without area) with optional standard error, e.g. 5:0.5; with σ it "
    "is a Gaussian prior propagated into i0 and α.",
)
@click.option(
    "--eis",
    "eis_path",
    type=OneFile(),
    metavar="SPECTRUM",
    help="Impedance spectrum of the same cell: R_ohm (unless --r-ohm) and the EIS i0 for comparison.",
)
@temperature_options("Default: the file's, else 298.15 K.")
@click.option(
    "--window",
    default="auto",
    show_default=True,
    metavar="auto|VMIN:VMAX",
    help="Classical Tafel window in V of the kinetic voltage x = V − V0 − i·R_ohm (one branch).",
)
@click.option(
    "--t-plus",
    "t_plus",
    type=click.FloatRange(min=0, max=1, max_open=True),
    metavar="T",
    help="Cation transference number for --model bv-limited on a symmetric cell (default: fitted).",
)
@format_option("dc")
@eis_index_option
@format_option("spectrum", "--eis-format", "the --eis file")
@click.option(
    "--index", type=click.IntRange(min=0), metavar="N", help="Record N (0-based) of a multi-record file."
)
@json_option
@plot_option(
    "Save the Tafel plot and the local Tafel-slope plot (PNG/PDF/SVG by extension; batch: PATH_<file>)."
)
@batch_options
def tafel_command(
    inputs: tuple[Path, ...],
    area: float | None,
    cell: str | None,
    electrolyte: str | None,
    model: str,
    alpha: str | None,
    r_ohm: str | None,
    eis_path: Path | None,
    eis_index: int | None,
    temperature: tuple[float, str | None] | None,
    temperature_unit: str | None,
    any_temperature: bool,
    window: str,
    t_plus: float | None,
    index: int | None,
    format: str | None,
    eis_format: str | None,
    json_path: str | None,
    plot_path: Path | None,
    batch: BatchOptions,
) -> None:
    """Exchange current density of each potential sweep in FILES (files, folders or glob patterns; CHI,
    EC-Lab .mpt, Gamry .DTA, NOVA, CSV) from a window-free fit of the whole sweep, with the classical Tafel
    and linear estimates beside it.

    i0 is reported in mA cm⁻² per electrode; a symmetric cell is modelled as two identical interfaces.
    Parameters the sweep does not determine (at a bound, or a standard error larger than the value) are
    marked "not determined"."""
    r_value, r_sigma = parse_r_ohm(r_ohm)
    window_value = parse_window(window)
    if cell == "symmetric" and alpha == "free":
        raise click.BadParameter(
            "a symmetric cell cannot separate α_a and α_c; use 'sum' or 'half'", param_hint="--alpha"
        )
    temperature_k = resolve_temperature(temperature, temperature_unit, any_temperature)  # type: ignore[arg-type]
    spectrum = companion_spectrum(eis_path, eis_index, eis_format)
    options = {
        "area_cm2": area,
        "cell": cell,
        "electrolyte": electrolyte,
        "model": model,
        "alpha": alpha,
        "r_ohm": r_value,
        "r_ohm_stderr": r_sigma,
        "temperature_k": temperature_k,
        "any_temperature": any_temperature,
        "window": window_value,
        "t_plus": t_plus,
    }
    task = TafelTask(
        options=options,
        eis_spectrum=spectrum,
        eis_path=None if eis_path is None else str(eis_path),
        index=index,
        format=format,
        plot_format=plot_format(plot_path),
    )
    run(task, inputs, batch, json_path=json_path, files={"plot": plot_path}, label="fitting")
