"""Helpers shared by every reader: text decoding, numbers with units and decimal commas, header
key/value parsing, dates, numeric tables with line numbers, point checks and spectrum building.

Nothing here knows an instrument layout; the family modules (``chi``, ``biologic``, ...) do.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .._typing import ComplexArray, FloatArray
from ..data import DCRecord, Spectrum, SpectrumMetadata, Technique
from ..exceptions import DataError, FileFormatError
from ._source import BLANK_BYTES, Source, open_source

# --------------------------------------------------------------------------------------------- errors


def fail(
    path: Path | str | Source, message: str, line: int | None = None, error: type[DataError] = FileFormatError
) -> DataError:
    """One-line error (``FileFormatError`` by default): ``"<path>: line <n>: <message>"``."""
    where = f"{path}: line {line}: " if line is not None else f"{path}: "
    return error((where + message).replace("\r", " ").replace("\n", " "))


# -------------------------------------------------------------------------------- multi-item files

_Item = TypeVar("_Item", Spectrum, DCRecord)


def reindexed(items: Sequence[_Item]) -> list[_Item]:
    """The items with ``metadata.index`` set to their position 0..n-1; in a file of several,
    ``metadata.extra["items_in_file"]`` = n (so that every label, the first's too, carries its index)."""
    several = {"items_in_file": len(items)} if len(items) > 1 else {}
    return [
        item
        if item.metadata.index == i and not several
        else dataclasses.replace(
            item,
            metadata=dataclasses.replace(item.metadata, index=i, extra={**item.metadata.extra, **several}),
        )
        for i, item in enumerate(items)
    ]


def pick_one(path: Path | str, items: Sequence[_Item], index: int | None, noun: str, reader: str) -> _Item:
    """The only item, or the ``index``-th; :class:`DataError` when several and no index, or out of range.

    ``noun`` names the items in messages (``"spectra"``), ``reader`` the function that returns them all.
    """
    if index is None:
        if len(items) > 1:
            raise fail(
                path,
                f"file holds {len(items)} {noun}; pass index= (0..{len(items) - 1}) or use {reader}",
                error=DataError,
            )
        return items[0]
    if not 0 <= index < len(items):
        raise fail(
            path,
            f"index={index} is out of range: the file holds "
            + (
                f"{len(items)} {noun} (index 0..{len(items) - 1})" if len(items) > 1 else "only one (index 0)"
            ),
            error=DataError,
        )
    return items[index]


# ----------------------------------------------------------------------------------------------- text


def read_bytes(file: Source | Path | str) -> bytes:
    """The input's bytes; raise :class:`FileFormatError` when it is empty or only whitespace."""
    source = open_source(file)
    if not source.raw.strip(BLANK_BYTES):
        raise fail(source, "file is empty (expected instrument data)")
    return source.raw


def read_lines(file: Source | Path | str) -> list[str]:
    """Decoded lines without line terminators (see :attr:`Source.lines`): LF, CRLF, CR and CR CR LF each
    count as one break; an empty file or an over-long line raises :class:`FileFormatError`."""
    return open_source(file).lines


# -------------------------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def to_float(text: str, decimal_comma: bool = False) -> float:
    """Parse one number; with ``decimal_comma`` a ``,`` is the decimal separator. Raises ValueError."""
    text = text.strip()
    if decimal_comma:
        text = text.replace(",", ".")
    return float(text)


def number_and_unit(text: str | None) -> tuple[float | None, str]:
    """Split ``"0,001 cm²"`` into ``(0.001, "cm²")``; a lone comma is a decimal comma.

    Returns ``(None, text)`` when the text does not start with a number.
    """
    if text is None:
        return None, ""
    match = _NUMBER.match(text)
    if not match:
        return None, text.strip()
    number, unit = match.groups()
    if "," in number and "." not in number:
        number = number.replace(",", ".")
    try:
        return float(number), unit
    except ValueError:
        return None, text.strip()


def header_float(text: str | None) -> float | None:
    """Number at the start of a header value (unit text after it ignored), or ``None``."""
    return number_and_unit(text)[0]


# ---------------------------------------------------------------------------------------------- units

_MICRO = ("µ", "μ", "u")
_PREFIX: dict[str, float] = {
    "p": 1e-12,
    "n": 1e-9,
    "m": 1e-3,
    "": 1.0,
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    **dict.fromkeys(_MICRO, 1e-06),
}
_BASE_UNITS: dict[str, tuple[str, ...]] = {
    "ohm": ("Ω", "Ohm", "ohm", "ohms", "Ohms", "OHM"),
    "hz": ("Hz", "hz", "HZ"),
    "v": ("V",),
    "a": ("A",),
    "s": ("s", "sec", "Sec", "S"),
}


def unit_scale(unit: str | None, quantity: str) -> float | None:
    """Factor converting ``unit`` to the SI base of ``quantity`` (``"ohm"``, ``"hz"``, ``"v"``, ``"a"``,
    ``"s"``): ``unit_scale("kΩ", "ohm") == 1e3``, ``unit_scale("mHz", "hz") == 1e-3``.

    Case matters for prefixes (``mHz`` vs ``MHz``). Returns ``None`` for an unrecognised unit.
    """
    if unit is None:
        return None
    unit = unit.strip()
    if quantity == "s":
        extra = {"min": 60.0, "h": 3600.0, "ms": 1e-3}
        if unit in extra:
            return extra[unit]
    for base in _BASE_UNITS[quantity]:
        if unit.endswith(base):
            prefix = unit[: len(unit) - len(base)]
            if prefix in _PREFIX:
                return _PREFIX[prefix]
    return None


def rescale(value: Any, scale: float) -> Any:
    """``value * scale``, dividing by the exact integer 1/scale for sub-unit prefixes so that
    ``rescale(30.0, 1e-6) == 3e-05`` (not 2.9999999999999997e-05)."""
    return value / round(1.0 / scale) if 0 < scale < 1 else value * scale


# ------------------------------------------------------------------------------------- key / values


def key_values(lines: Iterable[str], separator: str) -> dict[str, str]:
    """``key<sep>value`` lines → dict (keys and values stripped; the first occurrence wins)."""
    out: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(separator)
        key = " ".join(key.split())
        if sep and key and key not in out:
            out[key] = value.strip()
    return out


# ---------------------------------------------------------------------------------------------- dates


def parse_datetime(text: str | None, formats: Sequence[str]) -> datetime | None:
    """First of ``formats`` that parses ``text`` (whitespace collapsed), or ``None``."""
    if not text:
        return None
    text = " ".join(text.split())
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------------------------- tables

Splitter = Callable[[str], list[str]]


def split_on(delimiter: str | None, strip_line: bool = False) -> Splitter:
    """Field splitter: ``None`` = runs of whitespace; otherwise the delimiter, fields stripped and
    trailing empty fields (a trailing delimiter) dropped; ``strip_line`` also drops leading delimiters
    (Gamry's tab-indented table rows)."""
    if delimiter is None:
        return _split_whitespace

    def split(line: str) -> list[str]:
        fields = [field.strip() for field in (line.strip() if strip_line else line).split(delimiter)]
        while fields and fields[-1] == "":
            fields.pop()
        return fields

    split.delimiter = delimiter  # type: ignore[attr-defined]  # read by the vectorised table parser
    split.strip_line = strip_line  # type: ignore[attr-defined]
    return split


def _split_whitespace(line: str) -> list[str]:
    return line.split()


_split_whitespace.delimiter = None  # type: ignore[attr-defined]
_split_whitespace.strip_line = False  # type: ignore[attr-defined]
_NO_DELIMITER = object()


def _fast_rows(
    lines: Sequence[str],
    start: int,
    stop: int,
    split: Splitter,
    min_fields: int,
    decimal_comma: bool,
    usecols: Collection[int] | None,
) -> tuple[FloatArray, np.ndarray] | None:
    """Vectorised parse of ``lines[start:stop]`` (blank lines skipped) with ``numpy.loadtxt``: (data,
    1-based line numbers), or ``None`` when the rows are not a clean rectangle of numbers (then the
    line-by-line parser finds and names the offending line)."""
    delimiter = getattr(split, "delimiter", _NO_DELIMITER)
    if delimiter is _NO_DELIMITER:
        return None
    block = lines[start:stop]
    blank = [i for i, line in enumerate(block) if not line or line.isspace()]
    if blank:
        keep = np.ones(len(block), dtype=bool)
        keep[blank] = False
        numbers = np.flatnonzero(keep) + start + 1
        rows = [line for line in block if line and not line.isspace()]
    else:
        numbers = np.arange(start + 1, start + len(block) + 1)
        rows = list(block)
    if not rows:
        return None
    if getattr(split, "strip_line", False):
        rows = [row.strip() for row in rows]
    width = len(split(rows[0]))
    if width < min_fields:
        return None
    if delimiter is not None and rows[0].rstrip().endswith(delimiter):  # a trailing delimiter on each row
        rows = [row.rstrip().rstrip(delimiter) for row in rows]
    text = "\n".join(rows)
    if decimal_comma:
        text = text.replace(",", ".")
    cols = None if usecols is None else sorted(j for j in usecols if j < width)
    try:
        values = np.loadtxt(
            io.StringIO(text), delimiter=delimiter, comments=None, usecols=cols, ndmin=2, dtype=np.float64
        )
    except (ValueError, IndexError):
        return None
    if values.shape[0] != len(rows):
        return None
    if cols is not None:
        data = np.full((len(rows), width), math.nan)
        data[:, cols] = values
        return data, numbers
    if values.shape[1] != width:
        return None
    return values, numbers


@dataclass(frozen=True)
class Table:
    """Numeric rows of a text table: ``data[i, j]`` is row i, column j; ``lines[i]`` its 1-based line."""

    names: list[str]
    data: FloatArray
    lines: np.ndarray

    def index(self, path: Path, *candidates: str, required: bool = True) -> int | None:
        """Position of the first column whose name equals one of ``candidates``."""
        for candidate in candidates:
            if candidate in self.names:
                return self.names.index(candidate)
        if required:
            raise fail(
                path,
                f"no column named {' or '.join(repr(c) for c in candidates)} "
                f"(found: {', '.join(repr(n) for n in self.names if n)})",
            )
        return None

    def column(self, path: Path, *candidates: str, required: bool = True) -> FloatArray | None:
        """The column named by the first matching candidate (see :meth:`index`)."""
        j = self.index(path, *candidates, required=required)
        return None if j is None else self.data[:, j]

    def select(self, keep: np.ndarray) -> Table:
        """Rows where ``keep`` is true."""
        return Table(self.names, self.data[keep], self.lines[keep])


def numeric_rows(
    path: Path,
    lines: Sequence[str],
    start: int,
    stop: int | None = None,
    *,
    split: Splitter,
    min_fields: int,
    decimal_comma: bool = False,
    names: Sequence[str] = (),
    end_at: Callable[[str], bool] | None = None,
    usecols: Collection[int] | None = None,
) -> Table:
    """Parse ``lines[start:stop]`` as numeric rows (blank lines skipped) into a :class:`Table`.

    ``end_at(line)`` true ends the table before that line.  A row with fewer than ``min_fields``
    fields, fewer fields than the first row, or a field that is not a number raises
    :class:`FileFormatError` naming the line; extra trailing fields are ignored.  With ``usecols``
    only those field positions must be numbers; the others (flags, text) become NaN.
    """
    stop = len(lines) if stop is None else min(stop, len(lines))
    if end_at is not None:
        stop = next((i for i in range(start, stop) if end_at(lines[i])), stop)
    fast = _fast_rows(lines, start, stop, split, min_fields, decimal_comma, usecols)
    if fast is not None:
        return Table(list(names), fast[0], fast[1])
    rows: list[list[float]] = []
    numbers: list[int] = []
    width: int | None = None
    for i in range(start, stop):
        line = lines[i]
        if not line.strip():
            continue
        fields = split(line)
        if len(fields) < min_fields:
            raise fail(
                path, f"expected at least {min_fields} fields, found {len(fields)}: {line.strip()!r}", i + 1
            )
        try:
            values = [
                to_float(field, decimal_comma) if usecols is None or j in usecols else math.nan
                for j, field in enumerate(fields)
            ]
        except ValueError:
            raise fail(path, f"expected numbers, found {line.strip()[:80]!r}", i + 1) from None
        if width is None:
            width = len(values)
        elif len(values) < width:
            raise fail(path, f"expected {width} fields like the rows above, found {len(values)}", i + 1)
        rows.append(values)
        numbers.append(i + 1)
    if not rows:
        raise fail(path, "no data rows found (expected numeric rows after the column header)")
    assert width is not None
    data = np.array([row[:width] for row in rows], dtype=np.float64)
    return Table(list(names), data, np.asarray(numbers, dtype=np.int64))


def looks_numeric(fields: Sequence[str], decimal_comma: bool = False) -> bool:
    """True when every field parses as a number."""
    try:
        for field in fields:
            to_float(field, decimal_comma)
    except ValueError:
        return False
    return bool(fields)


# ---------------------------------------------------------------------------------- points → spectrum


def check_points(
    path: Path, frequency: FloatArray, impedance: ComplexArray, lines: np.ndarray | None = None
) -> None:
    """Raise :class:`FileFormatError` at the first NaN/inf value or frequency ≤ 0 (with its line)."""
    bad = ~(np.isfinite(frequency) & np.isfinite(impedance.real) & np.isfinite(impedance.imag))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        line = None if lines is None else int(lines[k])
        raise fail(
            path,
            f"NaN or infinite value (f = {frequency[k]:g} Hz, Z = {impedance[k].real:g} "
            f"{'-' if impedance[k].imag < 0 else '+'} {abs(impedance[k].imag):g}j Ω) in {int(bad.sum())} "
            "point(s); expected finite numbers",
            line,
        )
    nonpositive = frequency <= 0
    if nonpositive.any():
        k = int(np.flatnonzero(nonpositive)[0])
        line = None if lines is None else int(lines[k])
        raise fail(path, f"frequency {frequency[k]:g} Hz; expected frequencies > 0 Hz", line)


def to_complex(real: Any, imag: Any) -> ComplexArray:
    """Z' + jZ'' as a complex array, without ``0 * inf`` warnings for non-finite parts (checked later)."""
    real = np.asarray(real, dtype=np.float64)
    z = np.empty(real.shape, dtype=np.complex128)
    z.real = real
    z.imag = imag
    return z


#: Temperatures a cell can be measured at (K): −200 °C … 1000 °C.  Outside, a probe is disconnected or
#: mis-scaled (a Gamry probe reading 1395 °C), and the value is dropped with a note.
PLAUSIBLE_TEMPERATURE_K = (73.15, 1273.15)


def plausible_temperature_k(value: float | None, what: str) -> tuple[float | None, str | None]:
    """(value, None) for a plausible temperature in K, else (None, note saying what was dropped)."""
    if value is None:
        return None, None
    low, high = PLAUSIBLE_TEMPERATURE_K
    if math.isfinite(value) and low <= value <= high:
        return value, None
    return None, (
        f"{what} gives {value:.6g} K ({value - 273.15:.6g} °C), outside {low:g}–{high:g} K: a disconnected "
        "or mis-scaled probe; not used as the temperature"
    )


def json_safe(value: Any) -> Any:
    """Make ``value`` JSON-safe: numbers, strings, bools, None, lists and dicts of them."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def technique_from_control(text: str | None, potential: str, current: str) -> Technique | None:
    """``"PEIS"`` if ``potential`` occurs in ``text``, ``"GEIS"`` if ``current`` does, else ``None``."""
    if not text:
        return None
    if current.lower() in text.lower():
        return "GEIS"
    if potential.lower() in text.lower():
        return "PEIS"
    return None


def make_spectrum(
    path: Path,
    fmt: str,
    frequency: FloatArray,
    impedance: ComplexArray,
    *,
    lines: np.ndarray | None = None,
    times: FloatArray | None = None,
    index: int = 0,
    extra: dict[str, Any] | None = None,
    **metadata: Any,
) -> Spectrum:
    """Check the points (NaN/inf, f ≤ 0, with line numbers) and build the :class:`Spectrum`.

    ``metadata`` holds :class:`SpectrumMetadata` fields (``instrument``, ``technique``, ...); ``None``
    values stay ``None``.  ``extra`` is made JSON-safe and ``None`` entries are dropped.
    """
    frequency = np.asarray(frequency, dtype=np.float64)
    impedance = np.asarray(impedance, dtype=np.complex128)
    check_points(path, frequency, impedance, lines)
    clean = {k: json_safe(v) for k, v in (extra or {}).items() if v is not None}
    meta = SpectrumMetadata(source=str(path), format=fmt, index=index, extra=clean, **metadata)
    return Spectrum(frequency=frequency, impedance=impedance, point_times_s=times, metadata=meta)
