"""Columns of numbers as CSV text with units in the header (full float precision, readable back)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import click
import numpy as np

from ._output import write_atomic


def columns_text(columns: Mapping[str, np.ndarray]) -> str:
    """CSV text: one header line (names with units, e.g. ``frequency/Hz``), then one line per row; floats
    are written with ``repr`` so they read back exactly."""
    names = list(columns)
    arrays = [np.asarray(columns[n], dtype=float) for n in names]
    lines = [",".join(names)]
    lines += [",".join(repr(float(v)) for v in row) for row in zip(*arrays, strict=True)]
    return "\n".join(lines) + "\n"


def write_columns(columns: Mapping[str, np.ndarray], destination: str | Path) -> None:
    """Write :func:`columns_text` to ``destination`` (whole or not at all), or to stdout for ``-``."""
    text = columns_text(columns)
    if str(destination) == "-":
        click.echo(text, nl=False)
        return
    write_atomic(destination, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def curve_columns_for_csv(result: object) -> dict[str, np.ndarray]:
    """The fitted-curve table of a :class:`~nakinetics.fitting.FitResult` with units in the column names:
    data, fit, |Z| and phase of the fit, residuals (Z_data − Z_fit)/|Z_data| in %."""
    from ..records import curve_columns

    c = curve_columns(result)  # type: ignore[arg-type]
    fit = c["z_fit_real_ohm"] + 1j * c["z_fit_imag_ohm"]
    return {
        "frequency/Hz": c["frequency_hz"],
        "Z'/Ohm": c["z_real_ohm"],
        "Z''/Ohm": c["z_imag_ohm"],
        "Z'_fit/Ohm": fit.real,
        "Z''_fit/Ohm": fit.imag,
        "|Z|_fit/Ohm": np.abs(fit),
        "phase_fit/deg": np.degrees(np.angle(fit)),
        "residual_Z'/%": 100.0 * c["residual_real"],
        "residual_Z''/%": 100.0 * c["residual_imag"],
    }


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return repr(float(value)) if np.isfinite(value) else str(float(value))
    return str(value)


def table_text(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    """CSV text of ``rows`` under ``columns`` (RFC 4180 quoting; floats with ``repr`` so they read back
    exactly; an empty cell for a missing value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue()
