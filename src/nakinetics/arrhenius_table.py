"""Reading an Arrhenius table: temperature, value[, stderr] per row, and what the value column holds.

The value column's header decides the quantity, so a resistance is never fitted as a conductivity: its
name (``sigma``, ``σ_total``, ``R_ct``, ``ASR``, ``i0``, ``1/R``, ``rho``, ``sigma*T``) and its unit
(``S/cm``, ``mS cm-1``, ``Ohm``, ``kΩ``, ``Ω cm²``, ``mA cm-2``, ``S``, ``Ω cm``) are each read, must
agree, and the values are converted to the unit the fit reports:

| column holds | fitted as | reported unit |
|---|---|---|
| σ (S/cm, mS/cm, S/m, ...) | conductivity | S cm⁻¹ |
| ρ = 1/σ (Ω cm, Ω m) | conductivity σ = 1/ρ | S cm⁻¹ |
| σT (S K/cm) | conductivity σ = σT/T | S cm⁻¹ |
| R (Ω, kΩ, mΩ) | resistance (ln 1/R) | Ω |
| ASR (Ω cm²) | resistance (ln 1/ASR) | Ω cm² |
| conductance G = 1/R (S, mS) | resistance R = 1/G | Ω |
| i0, j0 (A/cm², mA/cm², µA/cm², A/m²) | i0 | mA cm⁻² |

Logarithms (``ln(sigma)``, ``log10 R``) are refused: the table gives the values themselves.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from ._checks import checked
from ._typing import FloatArray
from .constants import ZERO_CELSIUS
from .exceptions import DataError

Quantity = Literal["conductivity", "resistance", "i0"]
TemperatureUnit = Literal["K", "C"]

QUANTITY_UNITS: dict[str, str] = {"conductivity": "S cm^-1", "resistance": "Ohm", "i0": "mA cm^-2"}
"""Unit of the values of each quantity (a table of ASR reports Ohm cm^2)."""
QUANTITY_WORDS = {"conductivity": "a conductivity σ", "resistance": "a resistance R", "i0": "an i0"}


@dataclass(frozen=True)
class ValueKind:
    """What a value column (or its name, or its unit) says the values are.

    ``quantity`` is fitted; the raw value x becomes ``factor``·x, or 1/(``factor``·x) when
    ``reciprocal`` (a conductance, a resistivity), divided by T when ``times_temperature`` (σT);
    ``unit`` is the unit after conversion, ``what`` the column's meaning in words.
    """

    quantity: Quantity
    what: str
    unit: str
    raw_unit: str
    factor: float = 1.0
    reciprocal: bool = False
    times_temperature: bool = False


_SIGMA = ValueKind("conductivity", "a conductivity σ", "S cm^-1", "S cm⁻¹")
_SIGMA_T = ValueKind("conductivity", "σT", "S cm^-1", "S K cm⁻¹", times_temperature=True)
_RHO = ValueKind("conductivity", "a resistivity ρ = 1/σ", "S cm^-1", "Ω cm", reciprocal=True)
_R = ValueKind("resistance", "a resistance R", "Ohm", "Ω")
_CONDUCTANCE = ValueKind("resistance", "a conductance 1/R", "Ohm", "S", reciprocal=True)
_ASR = ValueKind("resistance", "an area-specific resistance", "Ohm cm^2", "Ω cm²")
_AREA_CONDUCTANCE = ValueKind(
    "resistance", "a conductance per area 1/ASR", "Ohm cm^2", "S cm⁻²", reciprocal=True
)
_I0 = ValueKind("i0", "an exchange current density i0", "mA cm^-2", "mA cm⁻²")
_INVERSE = {_SIGMA: _RHO, _RHO: _SIGMA, _R: _CONDUCTANCE, _CONDUCTANCE: _R, _ASR: _AREA_CONDUCTANCE}

_NAMES: tuple[tuple[str, ValueKind], ...] = (
    (r"(σ|sigma|kappa|κ)t|(σ|sigma|kappa|κ|cond[a-z]*)[a-z0-9]*(\*|·|×)t", _SIGMA_T),
    (r"conductance|g", _CONDUCTANCE),
    (r"(σ|sigma|kappa|κ|cond|conductivity|ionicconductivity)[a-z0-9]*", _SIGMA),
    (r"(ρ|rho|resistivity)[a-z0-9]*", _RHO),
    (r"(asr|arearesistance|areaspecificresistance)[a-z0-9]*", _ASR),
    (r"(?!rate)(r|resistance)[a-z0-9]{0,10}", _R),
    (r"(i0|io|j0|i₀|j₀|exchangecurrent[a-z]*)", _I0),
)
"""Value-column names (lower case, without spaces, ``_``, ``-`` and ``.``) → what they hold."""

_PREFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3, "µ": 1e-6, "u": 1e-6, "n": 1e-9}
_P = r"(?P<p>[kMGmµun]?)"
_PER_CM = r"(/cm|cm-1)"
_PER_M = r"(/m|m-1)"
_UNITS: tuple[tuple[str, ValueKind, float], ...] = (
    (rf"{_P}S(K{_PER_CM}|{_PER_CM}K)", _SIGMA_T, 1.0),
    (rf"{_P}S{_PER_CM}", _SIGMA, 1.0),
    (rf"{_P}S{_PER_M}", _SIGMA, 1e-2),
    (rf"{_P}S(/cm2|cm-2)", _AREA_CONDUCTANCE, 1.0),
    (rf"{_P}S", _CONDUCTANCE, 1.0),
    (rf"{_P}Ωcm2", _ASR, 1.0),
    (rf"{_P}Ωm2", _ASR, 1e4),
    (rf"{_P}Ωcm", _RHO, 1.0),
    (rf"{_P}Ωm", _RHO, 1e2),
    (rf"{_P}Ω", _R, 1.0),
    (rf"{_P}A(/cm2|cm-2)", _I0, 1e3),
    (rf"{_P}A(/m2|m-2)", _I0, 1e-1),
)
"""Units (spaces, carets and dots removed, ohm written Ω) → what they hold and the factor to the
reported unit (times the SI prefix)."""


def _name_key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name.lower()).replace("₀", "0")


def _unit_key(unit: str) -> str:
    table = str.maketrans(
        {"²": "2", "⁻": "-", "¹": "1", "^": None, "·": None, "*": None, " ": None, "μ": "µ"}
    )
    key = unit.strip().translate(table)
    return re.sub(r"(?i)ohms?|Ω|\u2126", "Ω", key)


def _kind_of_name(name: str) -> ValueKind | None:
    key = _name_key(name)
    inverted = re.match(r"^1/", key)
    key = key[2:] if inverted else key
    for pattern, kind in _NAMES:
        if re.fullmatch(pattern, key):
            return _INVERSE.get(kind) if inverted else kind
    return None


def _kind_of_unit(unit: str) -> ValueKind | None:
    key = _unit_key(unit)
    for pattern, kind, scale in _UNITS:
        match = re.fullmatch(pattern, key)
        if match:
            return replace(kind, factor=scale * _PREFIX[match.group("p")])
    return None


_NAME_AND_UNIT = re.compile(r"^(?P<name>[^(\[/]*?)\s*(?:[(\[](?P<u1>.*)[)\]]|/\s*(?P<u2>.+))?\s*$")


def _name_and_unit(header: str) -> tuple[str, str | None]:
    """``"R (Ohm)"``, ``"R/Ohm"``, ``"R [Ohm]"``, ``"R Ohm"`` → (``"R"``, ``"Ohm"``); ``"1/R (S)"`` →
    (``"1/R"``, ``"S"``); a header without a unit → (header, None)."""
    head, _, tail = header.partition(" ")
    if tail and "(" not in header and "[" not in header and _kind_of_unit(tail) is not None:
        return head, tail
    inverted = re.match(r"^1\s*/\s*", header)
    rest = header[inverted.end() :] if inverted else header
    match = _NAME_AND_UNIT.match(rest)
    if match is None:
        return header, None
    return ("1/" if inverted else "") + match.group("name"), match.group("u1") or match.group("u2")


def value_kind(header: str, source: str = "<table>") -> tuple[ValueKind | None, tuple[str, ...]]:
    """What the value column headed ``header`` holds (``None``: the header names nothing known), and
    notes on assumptions (a name without a unit).

    Raises
    ------
    DataError : logarithms, an unknown unit, or a name and a unit that contradict each other
        (``sigma (Ohm)``); the message names ``source`` and the column.
    """
    text = header.strip()
    if re.match(r"(?i)^\s*(ln|log|log10|lg)\b|^\s*(ln|log|log10|lg)\s*[(\[]", text):
        raise DataError(
            f"{source}: the value column '{header}' holds logarithms; give the values themselves "
            "(sigma/S cm-1, R/Ohm or i0/mA cm-2)"
        )
    name, unit = _name_and_unit(text)
    by_name = _kind_of_name(name) if name else None
    by_unit = _kind_of_unit(unit) if unit else None
    if unit and by_unit is None and by_name is None and _kind_of_unit(text) is not None:
        by_unit = _kind_of_unit(text)  # a unit alone ('S/cm')
    if by_name is None and by_unit is None and name and not unit:
        by_unit = _kind_of_unit(name)  # the header is a unit alone ('Ohm')
    if unit and by_unit is None and by_name is not None:
        raise DataError(
            f"{source}: the value column '{header}' names {by_name.what} but its unit '{unit.strip()}' is not "
            f"one nakinetics reads; write it as {_EXAMPLE_UNITS[by_name.quantity]}"
        )
    if by_name is not None and by_unit is not None:
        if by_name.what != by_unit.what and {by_name, replace(by_unit, factor=1.0)} != {_R, _ASR}:
            raise DataError(
                f"{source}: the value column '{header}' names {by_name.what} but its unit '{unit}' is that of "
                f"{by_unit.what}; correct the header"
            )
        return by_unit, ()
    if by_unit is not None:
        return by_unit, ()
    if by_name is not None:
        return by_name, (
            f"the column '{header}' gives no unit: its values are taken as {by_name.what} in {by_name.raw_unit}",
        )
    return None, ()


_EXAMPLE_UNITS = {
    "conductivity": "S/cm, mS/cm or S/m",
    "resistance": "Ohm, kOhm or Ohm cm2",
    "i0": "mA cm-2 or A cm-2",
}


@dataclass(frozen=True)
class ArrheniusTable:
    """Temperatures (K), values and optional standard errors read from a table.

    ``quantity`` is what the value column's header says it holds (``None`` when it names nothing known);
    ``values`` and ``stderr`` are converted to ``unit`` (σ in S cm⁻¹, R in Ω or ASR in Ω cm², i0 in mA cm⁻²);
    ``column`` is the header as written and ``notes`` the assumptions made reading it.
    """

    temperature_k: FloatArray
    values: FloatArray
    stderr: FloatArray | None
    labels: tuple[str, ...]
    quantity: Quantity | None = None
    unit: str | None = None
    column: str = ""
    notes: tuple[str, ...] = ()

    def resolve_quantity(
        self, quantity: Quantity | None, source: str = "<table>"
    ) -> tuple[Quantity, tuple[str, ...]]:
        """The quantity to fit: the header's; ``quantity`` (the user's) must agree with it.  A header that
        names nothing takes ``quantity``, or conductivity with a note saying so.

        Raises
        ------
        DataError : ``quantity`` contradicts the header.
        """
        if self.quantity is None:
            if quantity is not None:
                return quantity, self.notes
            return "conductivity", (
                *self.notes,
                (
                    f"the value column '{self.column}' names no quantity or unit: fitted as a conductivity σ "
                    "(name the column, e.g. sigma/S cm-1, R/Ohm or i0/mA cm-2, or pass --quantity)"
                ),
            )
        if quantity is not None and quantity != self.quantity:
            raise DataError(
                f"{source}: the value column '{self.column}' holds {QUANTITY_WORDS[self.quantity]}, not "
                f"{QUANTITY_WORDS[quantity]} as asked (quantity {quantity}); correct the header or the quantity"
            )
        return self.quantity, self.notes


_UNIT_IN_HEADER = re.compile(r"(?:^|[\s/(\[_,-])(°\s*c|degc|celsius|c|k|kelvin)\s*[)\]]?\s*$", re.IGNORECASE)


def _header_unit(cell: str) -> TemperatureUnit | None:
    match = _UNIT_IN_HEADER.search(cell.strip())
    if match is None:
        return None
    return "K" if match.group(1).lower() in {"k", "kelvin"} else "C"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@checked
def parse_arrhenius_table(
    text: str, source: str = "<table>", temperature_unit: TemperatureUnit | None = None
) -> ArrheniusTable:
    """Read a table: a header row, then rows of temperature, value[, stderr] (comma, semicolon or tab).

    The temperature unit comes from the first header cell (``T/K``, ``temperature (°C)``, ``T_C``) or from
    ``temperature_unit``; a table that states neither is refused.  The second header cell says what the
    values are (see the module docstring: ``sigma/S cm-1``, ``R (Ohm)``, ``ASR/Ohm cm2``, ``i0 (mA cm-2)``,
    ...); they are converted to the unit the fit reports.  Lines starting with ``#`` are skipped.

    Raises
    ------
    DataError : no header or unit, malformed rows, values ≤ 0, fewer than 2 rows, a value header that
        contradicts itself; the message names ``source`` and line.
    """
    rows = [
        (k, line)
        for k, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise DataError(f"{source}: the table is empty")
    first = rows[0][1]
    delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    parsed = [
        (k, [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]) for k, line in rows
    ]
    header_line, header = parsed[0]
    if _is_number(header[0]):
        raise DataError(
            f"{source}: line {header_line}: the first row must be a header naming the columns, e.g. "
            "'T/K,sigma/S cm-1,stderr'"
        )
    if len(header) < 2:
        raise DataError(
            f"{source}: line {header_line}: expected at least 2 columns (temperature, value), "
            f"got {len(header)} (delimiter {delimiter!r})"
        )
    if header[0].lower() == "file" and "index" in (h.lower() for h in header):
        raise DataError(
            f"{source}: a table of per-file results (first columns 'file', 'index', as `--csv` of a nakinetics "
            "command writes), not temperature and value: give the spectra themselves to `nakinetics arrhenius` "
            "(temperatures from their names, e.g. pellet_25C.csv), or a table whose first column is T/K or T/°C"
        )
    if re.search(r"(^|[^a-z])1(000)?\s*/\s*t", header[0], re.IGNORECASE):
        raise DataError(
            f"{source}: line {header_line}: the first column '{header[0]}' looks like 1/T or 1000/T; "
            "give the temperature itself (T/K or T/°C)"
        )
    unit = _header_unit(header[0])
    if unit is None:
        unit = temperature_unit
    elif temperature_unit is not None and temperature_unit != unit:
        raise DataError(
            f"{source}: the header says the temperature is in {unit} but {temperature_unit} was given"
        )
    if unit is None:
        raise DataError(
            f"{source}: line {header_line}: the temperature column '{header[0]}' states no unit; name it "
            "'T/K' or 'T/°C' (or pass temperature_unit='K' or 'C')"
        )
    kind, notes = value_kind(header[1], source)
    with_errors = len(header) >= 3
    temps, values, errors, labels = [], [], [], []
    for line_no, cells in parsed[1:]:
        if len(cells) < (3 if with_errors else 2):
            raise DataError(
                f"{source}: line {line_no}: expected {3 if with_errors else 2} columns, got {len(cells)}"
            )
        try:
            numbers = [float(c) for c in cells[: 3 if with_errors else 2]]
        except ValueError:
            raise DataError(f"{source}: line {line_no}: not a number in {cells[:3]}") from None
        for name, cell, x in zip(header[:2], cells, numbers[:2], strict=False):
            if not math.isfinite(x):  # "nan", or 1e400 / a 400-digit number that overflows to inf
                raise DataError(f"{source}: line {line_no}: {name} = {cell[:40]} is not a finite number")
        if kind is not None and not numbers[1] > 0:
            raise DataError(
                f"{source}: line {line_no}: {header[1]} = {numbers[1]:g} is not > 0 ({kind.what} is positive)"
            )
        temps.append(numbers[0] + (ZERO_CELSIUS if unit == "C" else 0.0))
        values.append(numbers[1])
        if with_errors:
            errors.append(numbers[2])
        labels.append(f"{Path(source).name}:{line_no}")
    if len(temps) < 2:
        raise DataError(f"{source}: {len(temps)} data row(s); an Arrhenius fit needs at least 2")
    t, raw = np.array(temps), np.array(values)
    converted = raw
    if kind is not None:
        with np.errstate(all="ignore"):  # a 1e-320 S conductance has no finite reciprocal: refused below
            converted = 1.0 / (kind.factor * raw) if kind.reciprocal else kind.factor * raw
            if kind.times_temperature:
                converted = converted / t
        beyond = np.flatnonzero(~(np.isfinite(converted) & (converted > 0)))
        if beyond.size:
            k = int(beyond[0])
            raise DataError(
                f"{labels[k]}: {header[1]} = {raw[k]:g} gives {converted[k]:g} {kind.unit}, beyond the range "
                "of floating-point numbers; check the value and its unit"
            )
    stderr = None
    if with_errors:
        stderr = np.array(errors) * converted / raw  # the relative error is unchanged by the conversion
    return ArrheniusTable(
        t,
        converted,
        stderr,
        tuple(labels),
        quantity=None if kind is None else kind.quantity,
        unit=None if kind is None else kind.unit,
        column=header[1],
        notes=notes,
    )
