"""``nakinetics cycling``: plating/stripping records → overpotentials, nucleation, short circuit, CCD, CE
(files, folders or glob patterns; batch runs through :mod:`nakinetics.cli._batch`)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from ..cycling import CELL_KINDS, analyse_cycling
from ..cycling.report import format_cycling, half_cycle_rows, summary_line
from ..data import CyclingRecord
from ..io import read_cycling_record
from ..io._common import unit_scale
from . import main
from ._batch import (
    BatchOptions,
    FileTask,
    Outcome,
    batch_options,
    inputs_argument,
    is_batch,
    plot_format,
    run,
)
from ._options import (
    OneFile,
    area_option,
    companion_spectrum,
    eis_index_option,
    format_option,
    input_file,
    json_option,
    plot_option,
)
from ._output import figure_bytes

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]*)\s*$")
_DURATIONS = {"": 1.0, "s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0, "d": 86400.0}


def parse_current(text: str | None) -> float | None:
    """``0.4mA`` / ``400uA`` / ``4e-4`` (A) → A."""
    if text is None:
        return None
    match = _QUANTITY.match(text)
    scale = unit_scale(match.group(2) or "A", "a") if match else None
    if not match or scale is None:
        raise click.BadParameter(
            f"expected a current such as 0.4mA, 400uA or 4e-4 (A), got {text!r}", param_hint="--current"
        )
    value = float(match.group(1)) * scale
    if value == 0:
        raise click.BadParameter("the current must not be zero", param_hint="--current")
    return value


def parse_duration_h(text: str | None) -> float | None:
    """``1h`` / ``30min`` / ``3600s`` / ``3600`` (s) → h."""
    if text is None:
        return None
    match = _QUANTITY.match(text)
    if not match or match.group(2) not in _DURATIONS or float(match.group(1)) <= 0:
        raise click.BadParameter(
            f"expected a duration such as 1h, 30min or 3600s, got {text!r}", param_hint="--half-cycle"
        )
    return float(match.group(1)) * _DURATIONS[match.group(2)] / 3600


def parse_zoom(text: str | None) -> list[int] | None:
    """``1,10,100`` → cycle numbers (1-based, as papers count them)."""
    if text is None:
        return None
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise click.BadParameter(
            f"expected cycle numbers ≥ 1 such as 1,10,100, got {text!r}", param_hint="--zoom"
        )
    return values


def _progress(label: str) -> Any:
    """A click progress bar on a terminal (stderr), else nothing."""
    if not sys.stderr.isatty():
        return None
    return click.progressbar(length=100, label=label, file=sys.stderr, show_eta=False)


@dataclass(frozen=True, kw_only=True)
class CyclingTask(FileTask):
    """``nakinetics cycling`` on one record (see :mod:`nakinetics.cli._batch`)."""

    options: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments of :func:`~nakinetics.cycling.analyse_cycling` (not the record)."""
    current_a: float | None = None
    area: float | None = None
    zoom: list[int] | None = None
    progress: bool = False
    """Show a progress bar per record (a single-file run on a terminal: long records take seconds)."""

    def read(self, path: Path) -> list[CyclingRecord]:
        return [
            read_cycling_record(
                input_file(path), format=self.format, current_a=self.current_a, area_cm2=self.area
            )
        ]

    def analyse(self, record: CyclingRecord) -> Outcome:
        bar = _progress(f"analysing {Path(record.label).name}") if self.progress else None
        done = [0]

        def tick(fraction: float, stage: str) -> None:
            if bar is not None:
                bar.update(int(fraction * 100) - done[0])
                done[0] = int(fraction * 100)

        try:
            result = analyse_cycling(record, area_cm2=self.area, progress=tick, **self.options)
        finally:
            if bar is not None:
                bar.render_finish()
        files = {}
        if self.plot_format is not None:
            from ..plotting.cycling import cycling_figure

            files["plot"] = figure_bytes(cycling_figure(result, zoom_cycles=self.zoom), self.plot_format)
        return Outcome(
            *self.identify(record),
            summary=summary_line(result),
            report=format_cycling(result),
            record=result.to_dict(),
            rows=tuple(half_cycle_rows(result)),
            files=files,
        )


@main.command("cycling")
@inputs_argument
@area_option(
    "Electrode area (default: from the file, unless it is a software default such as EC-Lab's 0.001 cm², which is refused)."
)
@click.option(
    "--cell",
    type=click.Choice(CELL_KINDS),
    default="auto",
    show_default=True,
    help="symmetric (Na|Na), half (Na|Cu, Na|Al: the substrate is the working electrode), other "
    "(full cell, intercalation electrode: no overpotentials) or auto.",
)
@click.option(
    "--current",
    "current_text",
    metavar="I",
    help="Set current of a time–voltage record with no current column, e.g. 0.4mA.",
)
@click.option(
    "--half-cycle",
    "half_cycle_text",
    metavar="T",
    help="Half-cycle duration of a time–voltage record, e.g. 1h (default: reversals from the voltage sign).",
)
@click.option("--unidirectional", is_flag=True, help="Accept a record whose current never changes sign.")
@click.option(
    "--ccd-convention",
    type=click.Choice(["failing", "last-stable"]),
    default="failing",
    show_default=True,
    help="CCD value: the step in which the cell failed, or the last one it survived.",
)
@click.option(
    "--voltage-limit",
    type=click.FloatRange(min=0, min_open=True),
    metavar="V",
    help="|U| that counts as failure in a CCD staircase (besides shorts and cut-short steps).",
)
@click.option(
    "--ce-protocol",
    type=click.Choice(["auto", "plain", "reservoir"]),
    default="auto",
    show_default=True,
    help="Coulombic-efficiency protocol of a half cell.",
)
@click.option(
    "--eis",
    "eis_path",
    type=OneFile(exists=False),
    metavar="SPECTRUM",
    help="Impedance spectrum of the same cell: its fitted ASR beside the DC ASR (circuit chosen by BIC).",
)
@eis_index_option
@click.option(
    "--zoom", "zoom_text", metavar="CYCLES", help="Cycles (1-based) shown in zoom windows, e.g. 1,10,100."
)
@format_option("cycling")
@json_option
@plot_option(
    "Save the figure (voltage–time with zooms, overpotentials, CCD staircase); PNG/PDF/SVG "
    "(batch: PATH_<file>)."
)
@batch_options(
    table_help="Write one row per half-cycle (file, index, half_cycle, ..., error; all records) as CSV "
    "('-' = stdout; the report then goes to stderr)."
)
def cycling_command(
    inputs: tuple[Path, ...],
    area: float | None,
    cell: str,
    current_text: str | None,
    half_cycle_text: str | None,
    unidirectional: bool,
    ccd_convention: str,
    voltage_limit: float | None,
    ce_protocol: str,
    eis_path: Path | None,
    eis_index: int | None,
    zoom_text: str | None,
    format: str | None,
    json_path: str | None,
    plot_path: Path | None,
    batch: BatchOptions,
) -> None:
    """Plating/stripping analysis of each cycling record of FILES (files, folders or glob patterns;
    BioLogic .mpt/.mpr, Neware .nda/.ndax, Arbin, LAND, Maccor, CHI chronopotentiometry, CSV): per half-cycle plateau overpotential (median |U| over the middle
    half), nucleation overpotential, capacity and end voltage; short circuit (time ± uncertainty, soft/hard,
    evidence); CCD of a current staircase; Coulombic efficiency of half cells; overpotential growth,
    cycling life, DC ASR (beside the EIS ASR with --eis)."""
    if batch.csv_path == "-" and json_path == "-":
        raise click.UsageError("--csv - and --json - both want stdout; write one of them to a file")
    current_a = parse_current(current_text)
    half_cycle_h = parse_duration_h(half_cycle_text)
    zoom = parse_zoom(zoom_text)
    eis_fit = None
    spectrum = companion_spectrum(eis_path, eis_index)
    if spectrum is not None:
        from ..derived import CellGeometry, with_derived
        from ..selection import compare_models

        eis_fit = with_derived(compare_models(spectrum).best, CellGeometry(area_cm2=area))
    options = {
        "cell": cell,
        "half_cycle_h": half_cycle_h,
        "unidirectional": unidirectional,
        "ccd_convention": "failing step" if ccd_convention == "failing" else "last stable",
        "voltage_limit_v": voltage_limit,
        "ce_protocol": ce_protocol,
        "eis_fit": eis_fit,
    }
    task = CyclingTask(
        options=options,
        current_a=current_a,
        area=area,
        zoom=zoom,
        progress=not is_batch(inputs),
        format=format,
        plot_format=plot_format(plot_path),
    )
    run(task, inputs, batch, json_path=json_path, files={"plot": plot_path})
