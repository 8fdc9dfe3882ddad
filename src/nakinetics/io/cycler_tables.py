"""Cycling records from cycler table exports: Arbin, LAND/LANHE, Neware and Maccor text/CSV exports,
spreadsheets (``.xlsx``, through the optional openpyxl) and generic CSV with units in the headers.

Columns are found by name (case, spaces, dots, dashes and underscores ignored; the unit in ``(…)``,
``[…]`` or after the first ``/`` scales the values):

* time: ``Test_Time``, ``TestTime``, ``Total Time``, ``time``, ``t`` (units s, ms, min, h; a step-time
  column is never the time).  Without a unit the time is taken in s — unless the file also has a clock
  column (``DPT Time``, ``DateTime``, ``SysTime``, ``Realtime``): then the unit (s, min or h) is the one
  that makes the test time span agree with the clock span (Maccor exports count minutes in ``TestTime``);
* voltage: ``Voltage``, ``Ewe``, ``Ecell``, ``U``, ``E``, ``potential`` (V or mV);
* current: ``Current``, ``I``, ``Cur`` (A, mA, µA/uA, nA) or current density ``j`` (per cm², needs the
  area); cycle: ``Cycle_Index``, ``Cycle C``, ``cycle``; step: ``Step_Index``, ``Step``, ``Ns``;
* state: ``Md`` (Maccor: C/D/R), ``Status``/``State``/``Step Type`` (Neware ``CC_Chg``, ``CC_DChg``,
  ``CV_Chg``, ``Rest``; LAND ``C_CC``, ``D_CC``, ``C_CV``, ``R``): rest and constant-voltage steps are
  marked, and an **unsigned** current (no negative value in the file) gets its sign from it (charge +,
  discharge −: the cycler's charge current is anodic at the working electrode, its positive lead).

Two columns for one role with units that disagree (mixed units) are an error.  Numbers are parsed by
``numpy.loadtxt`` (compiled), so a 2-million-row export reads in about a second.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from .._typing import FloatArray
from ..data import MODE_CC, MODE_CV, MODE_REST, MODE_UNKNOWN, CyclingRecord, DCRecord
from ._common import fail, parse_datetime, rescale, unit_scale
from ._dc import AS_WRITTEN, DCOptions, make_record, reject_given_current, supplied_current
from ._source import Source

_BRACKET_UNIT = re.compile(r"^(.*?)\s*(?:\(([^()]*)\)|\[([^\[\]]*)\])\s*$")
_ROLES: dict[str, dict[str, int]] = {
    "time": {
        **dict.fromkeys(
            ("testtime", "totaltime", "testtimes", "totaltimes", "elapsedtime", "runtime", "cumulativetime"),
            0,
        ),
        **dict.fromkeys(("time", "t", "timeelapsed", "tests", "test"), 1),
    },
    "voltage": dict.fromkeys(
        ("voltage", "ewe", "ecell", "u", "e", "potential", "v", "cellvoltage", "volts"), 0
    ),
    "current": dict.fromkeys(("current", "i", "<i>", "cur", "amps", "currenta"), 0),
    "density": dict.fromkeys(("currentdensity", "j"), 0),
    "cycle": {
        **dict.fromkeys(("cyclec", "cycleindex", "cyclenumber", "cycleid", "cycle", "cyc"), 0),
        "cyclep": 1,
    },
    "step": dict.fromkeys(("stepindex", "step", "stepid", "stepnumber", "ns", "stepno"), 0),
    "state": dict.fromkeys(("md", "state", "status", "mode", "steptype", "stepname"), 0),
    "clock": dict.fromkeys(
        ("dpttime", "datetime", "systime", "realtime", "absolutetime", "timestamp", "date"), 0
    ),
}
_QUANTITY = {"time": "s", "voltage": "v", "current": "a"}
_SELF_UNITS = ("volts", "amps")

#: State codes → (sign of the current, control mode).  Charge = anodic at the working electrode.
_STATES: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("r", "rest", "ocv", "pause", "s", "o"), (0, MODE_REST)),
    **dict.fromkeys(
        ("c", "cc_chg", "c_cc", "chg", "charge", "cc charge", "cc_charge", "cccv_chg"), (1, MODE_CC)
    ),
    **dict.fromkeys(("cv_chg", "c_cv", "cv charge", "cv_charge"), (1, MODE_CV)),
    **dict.fromkeys(
        ("d", "cc_dchg", "d_cc", "dchg", "discharge", "cc discharge", "cc_dischg", "dischg"), (-1, MODE_CC)
    ),
    **dict.fromkeys(("cv_dchg", "d_cv", "cv discharge", "cv_dischg"), (-1, MODE_CV)),
    # LAND/LANHE: rate-mode (C-rate) steps and the CCC/CCD/CVC codes of its step list
    **dict.fromkeys(("ratec", "rate_c", "ccc"), (1, MODE_CC)),
    **dict.fromkeys(("rated", "rate_d", "ccd"), (-1, MODE_CC)),
    "cvc": (1, MODE_CV),
    "cvd": (-1, MODE_CV),
}
_STATE_KEYS: dict[str, tuple[int, int]] = {re.sub(r"[\s_\-]", "", code): v for code, v in _STATES.items()}


def _state_key(code: str) -> str:
    """State code as looked up: lower case without spaces, underscores or dashes (Neware writes
    ``CC Chg`` in CSV exports and ``CC_Chg`` in others)."""
    return re.sub(r"[\s_\-]", "", code.lower())


def split_name(name: str) -> tuple[str, str | None]:
    """``"Current (mA)"`` → ``("current", "mA")``; ``"Ewe/V"`` → ``("ewe", "V")``; key lower-case without
    spaces, dots, dashes and underscores."""
    name = name.strip().strip('"').strip()
    match = _BRACKET_UNIT.match(name)
    if match:
        base, unit = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    elif "/" in name:
        base, _, unit = name.partition("/")
    else:
        base, unit = name, None
    key = re.sub(r"[\s._\-#]", "", base.lower())
    return key, (unit.strip() if unit is not None else None)


@dataclass(frozen=True)
class Column:
    """A column that plays a role: position, header name, unit (``None`` = not given)."""

    index: int
    name: str
    unit: str | None


def find_roles(names: Sequence[str]) -> dict[str, list[Column]]:
    """Role → candidate columns, best priority first."""
    found: dict[str, list[tuple[int, Column]]] = {}
    for j, name in enumerate(names):
        key, unit = split_name(name)
        for role, keys in _ROLES.items():
            if key in keys:
                found.setdefault(role, []).append((keys[key], Column(j, name.strip(), unit)))
                break
    return {role: [c for _, c in sorted(cands, key=lambda pc: pc[0])] for role, cands in found.items()}


def looks_like_table_header(fields: Sequence[str]) -> bool:
    """A header naming at least a time and a voltage column."""
    roles = find_roles(fields)
    return "time" in roles and "voltage" in roles


class Table:
    """Column access for a parsed export: ``numbers(j)`` (float array) and ``texts(j)`` (str array)."""

    def __init__(self, source: Source, names: list[str], line0: int, numbers: Any, texts: Any, n: int):
        self.source, self.names, self.line0, self.n = source, names, line0, n
        self._numbers, self._texts = numbers, texts

    def numbers(self, column: Column) -> FloatArray:
        return self._numbers(column)

    def preload(self, columns: list[Column]) -> None:
        """Parse these numeric columns in one pass where the table supports it (text tables)."""
        loader = getattr(self, "_preload", None)
        if loader is not None:
            loader(columns)

    def texts(self, column: Column) -> np.ndarray:
        return self._texts(column)


def _delimiter(header: str) -> str:
    if "\t" in header:
        return "\t"
    return ";" if header.count(";") > header.count(",") else ","


def text_table(source: Source, lines: list[str], header: int) -> Table:
    """A delimited text table whose column names are on line ``header`` (0-based); data from the first
    non-blank line after it."""
    delimiter = _delimiter(lines[header])
    names = [name.strip().strip('"') for name in lines[header].split(delimiter)]
    start = header + 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines):
        raise fail(source, "no data rows after the column header", header + 1)
    body = lines[start:]
    first = body[0].split(delimiter)
    comma = delimiter != "," and any(re.fullmatch(r"[-+]?\d+,\d*([eE][-+]?\d+)?", f.strip()) for f in first)
    if comma:
        body = [line.replace(",", ".") for line in body]

    cache: dict[int, FloatArray] = {}

    def preload(columns: list[Column]) -> None:
        wanted = sorted({c.index for c in columns} - set(cache))
        if not wanted:
            return
        try:
            data = np.loadtxt(body, delimiter=delimiter, usecols=wanted, dtype=float, quotechar='"', ndmin=2)
        except ValueError:
            return  # a column that is not numeric: parsed (and reported) one by one
        for k, j in enumerate(wanted):
            cache[j] = data[:, k]

    def numbers(column: Column) -> FloatArray:
        if column.index in cache:
            return cache[column.index]
        try:
            return np.loadtxt(
                body, delimiter=delimiter, usecols=(column.index,), dtype=float, quotechar='"', ndmin=1
            )
        except ValueError:
            pass
        for k, line in enumerate(body):  # only on failure: find the offending line
            fields = line.split(delimiter)
            try:
                float(fields[column.index].strip().strip('"'))
            except (ValueError, IndexError):
                if line.strip():
                    raise fail(
                        source,
                        f"column {column.name!r}: expected a number, found {line.strip()[:80]!r}",
                        start + k + 1,
                    ) from None
        raise fail(source, f"column {column.name!r} could not be read as numbers", start + 1)

    def texts(column: Column) -> np.ndarray:
        with warnings.catch_warnings():  # numpy reads text in chunks and warns about blank lines in them
            warnings.filterwarnings("ignore", "Input line .* contained no data", UserWarning)
            values = np.loadtxt(
                body, delimiter=delimiter, usecols=(column.index,), dtype=str, quotechar='"', ndmin=1
            )
        return np.char.strip(values)

    table = Table(source, names, start + 1, numbers, texts, len(body))
    table._preload = preload  # type: ignore[attr-defined]
    return table


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _duration_s(value: Any) -> float:
    """A time cell as seconds: a number, a timedelta, or ``[D-]HH:MM:SS(.f)`` / ``D d HH:MM:SS`` text."""
    if _is_number(value):
        return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    text = str(value).strip()
    days = 0.0
    match = re.match(r"^(\d+)\s*(?:d|day|days|-)\s*(.*)$", text)
    if match and ":" in match.group(2):
        days, text = float(match.group(1)), match.group(2)
    parts = [float(p) for p in text.split(":")]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return days * 86400 + seconds


_CLOCK_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
)


def _clock_value(value: Any) -> datetime | None:
    """A clock cell (datetime, Unix seconds or text in one of :data:`_CLOCK_FORMATS`) as a datetime
    (Unix seconds as naive UTC)."""
    if isinstance(value, datetime):
        return value
    if not _is_number(value):
        try:
            value = float(str(value))
        except ValueError:
            return parse_datetime(str(value), _CLOCK_FORMATS)
    if not 1e8 < float(value) < 1e11:
        return None
    return datetime.fromtimestamp(float(value), tz=UTC).replace(tzinfo=None)


def _clock_span_s(values: np.ndarray) -> float | None:
    """Seconds between the first and last clock values that parse (datetimes or text)."""
    first, last = _clock_value(values[0]), _clock_value(values[-1])
    return None if first is None or last is None else (last - first).total_seconds()


def _scale(source: Source, role: str, column: Column, assumed: list[str]) -> float:
    if column.unit is None:
        if split_name(column.name)[0] not in _SELF_UNITS:  # "Volts", "Amps" name their unit
            assumed.append(column.name)
        return 1.0
    unit = column.unit.replace("sec", "s").replace("Sec", "s")
    if role == "time":
        units = {
            "hr": "h",
            "hour": "h",
            "hours": "h",
            "h": "h",
            "mins": "min",
            "min": "min",
            "m": "min",
            "s": "s",
        }
        unit = units.get(unit.lower(), unit)
    scale = unit_scale(unit, _QUANTITY[role])
    if scale is None:
        raise fail(source, f"column {column.name!r}: unit {column.unit!r} is not a {role} unit")
    return scale


def _one_of(source: Source, table: Table, role: str, columns: list[Column], assumed: list[str]) -> FloatArray:
    """The values of the best column of ``role`` in SI; a second column of the role must agree (else
    the file mixes units)."""
    best = columns[0]
    values = rescale(table.numbers(best), _scale(source, role, best, assumed))
    for other in columns[1:2]:
        if role == "time":
            break
        try:
            alt = rescale(table.numbers(other), _scale(source, role, other, []))
        except Exception:  # noqa: BLE001 - a second column that does not parse is simply not compared
            break
        big = np.abs(values) > 1e-3 * np.max(np.abs(values)) if values.size else values
        if big.any():
            ratio = np.median(alt[big] / values[big])
            if not 0.9 < ratio < 1.1:
                raise fail(
                    source,
                    f"mixed units: columns {best.name!r} and {other.name!r} both give the {role} but differ by "
                    f"a factor {ratio:.4g} after their units ({best.unit!r}, {other.unit!r}) are applied",
                )
    return values


def table_record(
    source: Source,
    table: Table,
    options: DCOptions,
    *,
    fmt: str,
    instrument: str | None = None,
    extra: dict[str, Any] | None = None,
    date: datetime | None = None,
) -> CyclingRecord:
    """Build the :class:`CyclingRecord` of a parsed export (see the module docstring); ``date`` is the day a
    clock column that holds only the time of day refers to (Maccor's ``Date of Test``)."""
    roles = find_roles(table.names)
    header_line = table.line0 - 1
    if "voltage" not in roles:
        raise fail(
            source, f"no voltage column in {table.names!r}; expected Voltage, Ewe, Ecell, U or E", header_line
        )
    if "time" not in roles:
        raise fail(
            source, f"no time column in {table.names!r}; expected Test_Time, TestTime, time or t", header_line
        )
    assumed: list[str] = []
    info: dict[str, Any] = dict(extra or {})
    table.preload(
        [
            c
            for role in ("voltage", "time", "current", "density", "step", "cycle")
            for c in roles.get(role, [])[:2]
        ]
    )
    voltage = _one_of(source, table, "voltage", roles["voltage"], assumed)
    time_col = roles["time"][0]
    durations = False
    try:
        time = rescale(table.numbers(time_col), _scale(source, "time", time_col, assumed))
    except Exception as exc:  # noqa: BLE001 - not numbers: durations written as text
        try:
            time = np.array([_duration_s(v) for v in table.texts(time_col)])
        except ValueError:
            raise exc from None
        durations = True  # [D-]HH:MM:SS text: the unit is known
    clock = table.texts(roles["clock"][0]) if "clock" in roles else None
    start = _clock_value(clock[0]) if clock is not None and clock.size else None
    if start is None and date is not None and clock is not None and clock.size:  # a time-of-day clock
        of_day = parse_datetime(str(clock[0]), ("%H:%M:%S", "%H:%M:%S.%f", "%H:%M"))
        start = None if of_day is None else datetime.combine(date.date(), of_day.time())
    if time_col.unit is None and clock is not None and not durations:
        span = _clock_span_s(clock) if clock.size > 1 else None
        if span and time[-1] > time[0]:
            ratio = span / (time[-1] - time[0])
            unit = min((1.0, 60.0, 3600.0), key=lambda s: abs(np.log(ratio / s)))
            if abs(np.log(ratio / unit)) < 0.05:
                time = time * unit
                info["time_unit"] = f"{ {1.0: 's', 60.0: 'min', 3600.0: 'h'}[unit] } (from the clock column)"
                if time_col.name in assumed:
                    assumed.remove(time_col.name)
    mode = None
    state_info = None
    if "state" in roles:
        codes = np.char.lower(table.texts(roles["state"][0]))
        unique = np.unique(codes)
        known = {
            str(code): _STATE_KEYS[_state_key(str(code))]
            for code in unique
            if _state_key(str(code)) in _STATE_KEYS
        }
        if known:
            sign_map = np.zeros(unique.size)
            mode_map = np.full(unique.size, MODE_UNKNOWN, dtype=np.int8)
            for k, code in enumerate(unique):
                if str(code) in known:
                    sign_map[k], mode_map[k] = known[str(code)]
            inverse = np.searchsorted(unique, codes)
            mode = mode_map[inverse]
            state_sign = sign_map[inverse]
            state_info = {"state_column": roles["state"][0].name, "state_codes": sorted(known)}
    if "current" in roles or "density" in roles:
        role = "current" if "current" in roles else "density"
        reject_given_current(source.path or source.name, options, roles[role][0].name)  # type: ignore[arg-type]
        if role == "current":
            current = _one_of(source, table, "current", roles["current"], assumed)
            info["current_source"] = "file"
        else:
            if options.area_cm2 is None:
                raise fail(source, f"column {roles[role][0].name!r} is a current density; pass the area")
            unit = (roles[role][0].unit or "A/cm2").split("/")[0]
            current = table.numbers(roles[role][0]) * (unit_scale(unit, "a") or 1.0) * options.area_cm2
            info["current_source"] = "density × area"
        info["current_convention"] = AS_WRITTEN
        if mode is not None and not np.any(current < 0) and np.any(state_sign < 0):
            current = np.abs(current) * state_sign
            info["current_convention"] = (
                "unsigned in the file; sign from the state column (charge +, discharge −, rest 0)"
            )
    else:
        if "step" in roles or mode is not None:
            raise fail(
                source, f"no current column in {table.names!r} (expected Current, I or Cur with a unit)"
            )
        current, info["current_source"] = supplied_current(
            source.path or source.name,  # type: ignore[arg-type]
            options,
            voltage.size,
            open_circuit=False,
            missing="expected Current, I or Cur",
        )
    info.update(state_info or {})
    info["columns"] = {role: cols[0].name for role, cols in roles.items()}
    info["assumed_units"] = assumed or None
    step = table.numbers(roles["step"][0]).astype(np.int64) if "step" in roles else None
    cycle = table.numbers(roles["cycle"][0]).astype(np.int64) if "cycle" in roles else None
    base = make_record(
        source.path or source.name,  # type: ignore[arg-type]
        fmt,
        voltage,
        current,
        options=options,
        time=time,
        cycle=None if cycle is None else cycle - cycle.min(),
        extra=info,
        technique="CP",
        instrument=instrument,
        reference="cell voltage",
        start_time=start,
    )
    return cycling_record(base, step, mode)


def cycling_record(base: DCRecord, step: np.ndarray | None, mode: np.ndarray | None) -> CyclingRecord:
    """The cycling record of a DC record (from :func:`~nakinetics.io._dc.make_record`) with the cycler's
    step numbers and control modes."""
    return CyclingRecord(
        potential_v=base.potential_v,
        current_a=base.current_a,
        time_s=base.time_s,
        cycle=base.cycle,
        metadata=base.metadata,
        step=step,
        mode=mode,
    )


def find_header(lines: Sequence[str], limit: int = 200) -> int | None:
    """Index of the first line (within ``limit``) that names a time and a voltage column."""
    for k, line in enumerate(lines[:limit]):
        if line.strip() and looks_like_table_header(list(re.split(r"[\t,;]", line))):
            return k
    return None


def _kind(names: Sequence[str]) -> tuple[str, str | None]:
    """(format label, instrument) guessed from the column names (for metadata only)."""
    keys = {split_name(n)[0] for n in names}
    if "specap" in keys or {"record", "state"} <= keys:  # LAND names its rows Record (Arbin: Data_Point)
        return "land", "LAND/LANHE"
    if {"testtime", "stepindex", "cycleindex"} <= keys:
        return "arbin", "Arbin"
    if {"md", "state"} & keys and "rec" in keys:
        return "maccor", "Maccor"
    if {"specap", "state"} & keys and ("record" in keys or "index" in keys):
        return "land", "LAND/LANHE"
    if "recordid" in keys or "status" in keys or {"datapoint", "steptype"} <= keys:
        return "neware-export", "Neware"
    return "csv", None


def _level(fields: Sequence[str]) -> int:
    """Number of leading empty fields (the indentation of a row in a levelled export)."""
    return next((k for k, f in enumerate(fields) if f.strip()), len(fields))


def _flatten_levels(lines: list[str], header: int) -> list[str] | None:
    """A Neware BTS export with three header rows (cycle, step, record), each row indented by its level
    (``1,...`` cycle, ``,2,...`` step, ``,,12,...`` record): the record rows, with the step type, step
    index and cycle index of their step and cycle appended, at their own line positions (the cycle and
    step rows become blank, so that line numbers in messages stay right).  ``None`` for a flat table."""
    delimiter = _delimiter(lines[header])
    names = lines[header].split(delimiter)
    depth = _level(names)
    if depth == 0 or header < depth:
        return None
    level_names = [[n.strip() for n in lines[header - depth + k].split(delimiter)] for k in range(depth)]
    wanted = ("Cycle Index", "Cycle ID", "Step Index", "Step ID", "Step Type", "Step Name")
    where = {
        name: (k, fields.index(name))
        for name in wanted
        for k, fields in enumerate(level_names)
        if name in fields
    }
    if not where:
        return None
    current: dict[str, str] = dict.fromkeys(where, "")
    out = list(lines[: header + 1])
    out[header] = delimiter.join(names[depth:] + list(where))
    for line in lines[header + 1 :]:
        fields = line.split(delimiter)
        level = _level(fields)
        if not line.strip():
            out.append(line)
        elif level >= depth:
            out.append(delimiter.join(fields[depth:] + [current[name] for name in where]))
        else:
            # a level-k row holds the level-k fields and may go on with the first row of level k + 1
            # (Neware writes a cycle's first step on the cycle row), without its indentation
            start = 0  # where level k's values begin in this row, less level k's indentation
            for k in range(level, depth):
                for name, (lk, j) in where.items():
                    index = j if k == level else start + j - k
                    if lk == k and index < len(fields):
                        current[name] = fields[index].strip()
                start = len(level_names[k]) if k == level else start + len(level_names[k]) - k
                if start >= len(fields):
                    break
            out.append("")
    return out


def read_cycler_text(source: Source, options: DCOptions) -> list[CyclingRecord]:
    """Any delimited cycler export or generic CSV with a time and a voltage column (one record)."""
    lines = source.lines
    header = find_header(lines)
    if header is None:
        raise fail(
            source,
            "no column header naming a time and a voltage column in the first 200 lines (expected e.g. "
            "'time/s, Ewe/V, I/mA' or a cycler export)",
        )
    nested = _flatten_levels(lines, header)
    if nested is not None:
        lines = nested
    table = text_table(source, lines, header)
    kind, instrument = _kind(table.names)
    preamble = [line for line in lines[:header] if line.strip()]
    extra = {"preamble": " | ".join(preamble[:12])[:500] or None, "export": kind}
    if nested is not None:
        extra.update(preamble=None, layout="cycle / step / record levels (Neware BTS export)")
    test_date = re.search(r"Date of Test:\s*(\d{1,2}/\d{1,2}/\d{4})", " ".join(lines[:header]))
    return [
        table_record(
            source,
            table,
            options,
            fmt=kind if kind != "csv" else "csv",
            instrument=instrument,
            extra=extra,
            date=parse_datetime(test_date.group(1), ("%m/%d/%Y",)) if test_date else None,
        )
    ]


def read_cycler_xlsx(source: Source, options: DCOptions) -> list[CyclingRecord]:
    """A spreadsheet export (LAND/LANHE, Arbin, Neware ``.xlsx``): the first sheet with a header row naming
    a time and a voltage column.  Needs the optional openpyxl (``pip install "nakinetics[xlsx]"``)."""
    try:
        import openpyxl  # optional dependency, imported lazily
    except ImportError:
        raise fail(
            source, 'reading .xlsx files needs the optional package openpyxl: pip install "nakinetics[xlsx]"'
        ) from None
    book = openpyxl.load_workbook(source.stream(), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            for k, row in zip(range(200), rows, strict=False):
                names = ["" if v is None else str(v) for v in row]
                if looks_like_table_header(names):
                    data = [r for r in rows if r and any(v is not None for v in r)]
                    return [_sheet_record(source, options, sheet.title, names, k, data)]
    finally:
        book.close()
    raise fail(source, "no sheet with a header row naming a time and a voltage column")


def _sheet_record(
    source: Source, options: DCOptions, title: str, names: list[str], header: int, data: list[tuple[Any, ...]]
) -> CyclingRecord:
    if not data:
        raise fail(source, f"sheet {title!r}: no data rows under the header")

    def numbers(column: Column) -> FloatArray:
        values = [r[column.index] if column.index < len(r) else None for r in data]
        bad = next((k for k, v in enumerate(values) if not _is_number(v)), None)
        if bad is not None:
            raise fail(
                source,
                f"sheet {title!r}, column {column.name!r}: expected a number, found {values[bad]!r}",
                header + bad + 2,
            )
        return np.asarray(values, dtype=float)

    def texts(column: Column) -> np.ndarray:
        return np.array([r[column.index] if column.index < len(r) else "" for r in data], dtype=object)

    def text_values(column: Column) -> np.ndarray:
        return np.char.strip(texts(column).astype(str))

    table = Table(source, names, header + 2, numbers, text_values, len(data))
    table._texts_raw = texts  # type: ignore[attr-defined]
    kind, instrument = _kind(names)
    return table_record(
        source, table, options, fmt="xlsx", instrument=instrument, extra={"sheet": title, "export": kind}
    )
