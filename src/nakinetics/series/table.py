"""The series table: one row per spectrum, its columns with units and conventions, and the text form
of each value in ``series.csv`` (floats written with ``repr`` so that a resumed run reads back exactly
what it wrote)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._typing import FloatArray
from .dc import CHARGE_CONVENTION, DC_ASR_CONVENTION
from .fits import CircuitRoles
from .timing import TIME_CONVENTION

Row = dict[str, Any]
"""One spectrum's results: column name → value (``None`` = not available)."""


@dataclass(frozen=True)
class Column:
    """A column of the series table: name, unit (``""`` for text, ``"1"`` dimensionless), meaning."""

    name: str
    unit: str
    description: str
    kind: type = float

    def to_dict(self) -> dict[str, str]:
        return {"unit": self.unit, "description": self.description}


def _text(name: str, description: str) -> Column:
    return Column(name, "", description, str)


def series_columns(roles: CircuitRoles) -> list[Column]:
    """All columns of a series fitted with the circuit of ``roles``, in file order."""
    columns = [
        _text("file", "source file (absolute path)"),
        Column("index", "1", "spectrum index within the file (0-based; -1 = file unreadable)", int),
        _text("label", "file name[index]"),
        _text(
            "data_fingerprint",
            "points of the spectrum and a hash of its frequencies and impedances (n:hash); a spectrum whose "
            "data changed since it was fitted is fitted again on resume",
        ),
        _text("status", "ok | flagged (see flags) | failed (see reason)"),
        _text("flags", "failed checks: kk, nonlinear, drift, bound, not_converged (';'-separated)"),
        _text("reason", "why the spectrum failed"),
        Column("time_s", "s", TIME_CONVENTION),
        Column("t_start_s", "s", "start of the sweep on the series axis"),
        Column("t_end_s", "s", "end of the sweep on the series axis (empty when unknown)"),
        _text(
            "fit_start",
            "warm (from the previous spectrum's fit) | cold (no-guess fit) | fallback (cold after "
            "a rejected warm fit) | warm (kept over cold) (a rejected warm fit whose χ² beat the cold "
            "fit's; see fallback_reason)",
        ),
        _text(
            "fallback_reason", "why the warm fit was rejected (and, if kept, how much worse the cold fit was)"
        ),
        Column("success", "", "the least-squares fit converged", bool),
        Column("chisqr", "1", "χ² of the weighted residuals"),
        Column("redchi", "1", "reduced χ²"),
        Column("n_points", "1", "points fitted", int),
        _text("at_bound", "parameters at a bound (';'-separated)"),
    ]
    for info in roles.circuit.parameters:
        columns.append(Column(info.name, info.spec.unit, info.spec.description))
        columns.append(
            Column(
                f"{info.name}_stderr",
                info.spec.unit,
                f"1σ standard error of {info.name} (empty when fixed or not estimable)",
            )
        )
    columns.append(
        _text(
            "roles",
            "the role of each element in this spectrum's fit, decided as `fit` decides it (label=role, "
            "';'-separated): R_SE and R_int follow it",
        )
    )
    sums = [
        ("R_SE", "Ohm", "electrolyte (ohmic) resistance: the resistors with an ohmic role (see roles)"),
        (
            "R_int",
            "Ohm",
            "interfacial resistance: the resistors with an interfacial role (see roles), cell total",
        ),
        (
            "ASR_int",
            "Ohm cm^2",
            "R_int × A, cell total (not halved: stripping and plating interfaces differ)",
        ),
    ]
    sums += [
        (f"ASR_{r}", "Ohm cm^2", f"{r} × A, cell total (when {r} is interfacial, see roles)")
        for r in roles.arc_resistors
    ]
    sums += [
        (f"C_eff_{c}", "F", f"effective capacitance of {c} (Hsu–Mansfeld (Q R^(1−n))^(1/n) for a CPE)")
        for c in roles.capacitances
    ]
    for name, unit, description in sums:
        columns += [
            Column(name, unit, description),
            Column(f"{name}_stderr", unit, f"1σ standard error of {name}"),
        ]
    columns += [
        Column(
            "U_dc_v", "V", "DC cell voltage: mean of the record over the sweep (interpolated if no point)"
        ),
        Column("I_dc_a", "A", "DC current (from --current × area, the record, or the file's set-point)"),
        Column(
            "drift_mv", "mV", "change of U_dc during the sweep (line through the record inside the sweep)"
        ),
        Column("drift_stderr_mv", "mV", "1σ standard error of drift_mv"),
        Column("ASR_dc_apparent", "Ohm cm^2", DC_ASR_CONVENTION),
        Column("q_stripped_c_cm2", "C cm^-2", CHARGE_CONVENTION),
        Column("na_stripped_um", "um", "equivalent thickness of stripped Na"),
        Column("kk_rms_pct", "%", "RMS of the linear Kramers–Kronig residuals, % of |Z|"),
        Column("kk_max_pct", "%", "largest |Kramers–Kronig residual|, % of |Z|"),
        Column("kk_n_rc", "1", "RC elements of the Kramers–Kronig fit", int),
        Column("kk_pass", "", "RMS KK residual within the limit", bool),
        Column(
            "linearity_mv",
            "mV",
            "largest AC voltage response max|Z|·i_ac (i_ac from --ac-current, else as the file states it)",
        ),
        _text("fit_warnings", "the fit's plain-language warnings"),
    ]
    return columns


def format_value(value: Any) -> str:
    """Text of one cell: ``repr`` for floats (exact round trip), ``true``/``false``, empty for ``None``;
    line breaks in text (anything :meth:`str.splitlines` splits on) become spaces, so that every row is
    one line."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return " ".join(str(value).splitlines())


def parse_value(text: str, kind: type) -> Any:
    """Inverse of :func:`format_value` for a column of ``kind``; raises ``ValueError`` on bad text."""
    if text == "":
        return None
    if kind is bool:
        if text not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return text == "true"
    if kind is int:
        return int(text)
    if kind is float:
        return float(text)
    return text


def csv_line(values: Sequence[str]) -> str:
    """One CSV record (quoted where needed) ending in a newline."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def csv_header(columns: Sequence[Column]) -> str:
    return csv_line([c.name for c in columns])


def csv_row(row: Row, columns: Sequence[Column]) -> str:
    """``row`` as one CSV line in the order of ``columns`` (missing columns empty)."""
    return csv_line([format_value(row.get(c.name)) for c in columns])


@dataclass(frozen=True)
class ParsedCSV:
    """Rows read back from ``series.csv``; ``dropped`` counts incomplete or malformed lines left out
    (an interrupted write leaves at most one, at the end)."""

    rows: list[Row]
    dropped: int


def parse_csv(text: str, columns: Sequence[Column]) -> ParsedCSV:
    """Read rows written by :func:`csv_row`; raises ``ValueError`` when the header does not match."""
    *complete, tail = text.split("\n")  # records end in "\n" only (cells hold no line breaks)
    lines = [line + "\n" for line in complete] + ([tail] if tail else [])  # tail: an incomplete line
    if not lines:
        raise ValueError("file is empty (no header)")
    header = next(csv.reader([lines[0]]))
    expected = [c.name for c in columns]
    if header != expected:
        missing = [n for n in expected if n not in header][:5]
        extra = [n for n in header if n not in expected][:5]
        raise ValueError(
            f"its columns differ from this run's (missing {missing or 'none'}, unexpected {extra or 'none'})"
        )
    rows: list[Row] = []
    dropped = 0
    for line in lines[1:]:
        fields = next(csv.reader([line]), [])
        try:
            if not line.endswith("\n") or len(fields) != len(columns):
                raise ValueError("incomplete line")
            row = {c.name: parse_value(field, c.kind) for c, field in zip(columns, fields, strict=True)}
        except ValueError:
            dropped += 1
            continue
        rows.append(row)
    return ParsedCSV(rows, dropped)


@dataclass(frozen=True)
class SeriesTable:
    """Rows of a fitted series in time order (failed rows without a time first), with column specs."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @classmethod
    def build(cls, columns: Sequence[Column], rows: Iterable[Row]) -> SeriesTable:
        def key(row: Row) -> tuple[float, str, int]:
            time = row.get("time_s")
            return (-math.inf if time is None else time, row.get("file") or "", row.get("index") or 0)

        return cls(tuple(columns), tuple(sorted(rows, key=key)))

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def units(self) -> dict[str, str]:
        return {c.name: c.unit for c in self.columns}

    def column(self, name: str, rows: Sequence[Row] | None = None) -> FloatArray:
        """Numeric column as floats (NaN where empty); ``rows`` defaults to all rows."""
        source = self.rows if rows is None else rows
        return np.array([np.nan if r.get(name) is None else float(r[name]) for r in source], dtype=float)

    @property
    def fitted(self) -> list[Row]:
        """Rows with a fit (status ok or flagged), in time order."""
        return [r for r in self.rows if r.get("status") != "failed"]

    def count(self, column: str, value: Any) -> int:
        return sum(1 for r in self.rows if r.get(column) == value)

    def column_info(self) -> dict[str, dict[str, str]]:
        return {c.name: c.to_dict() for c in self.columns}

    def to_records(self, names: Mapping[str, Any] | None = None) -> list[Row]:
        """Rows as plain dictionaries (JSON-ready; NaN-free because missing values are ``None``)."""
        return [dict(r) if names is None else {k: r.get(k) for k in names} for r in self.rows]
