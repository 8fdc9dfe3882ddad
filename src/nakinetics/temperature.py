"""Temperatures as people type them, and the plausibility check every analysis applies.

A temperature enters RT/F (i0, Tafel slopes), R²T² (Warburg D) and 1/T (Arrhenius), so a value typed in
°C but read as K (25 → 25 K) silently changes results by 10×–100×.  Two rules protect against that:

* :func:`parse_temperature` reads ``"25C"``, ``"25 °C"``, ``"25degC"``, ``"298.15K"``, ``"-60°C"`` and
  bare numbers (in the unit the caller says, K by default) and returns kelvin;
* :func:`check_temperature_k` refuses temperatures outside :data:`PLAUSIBLE_TEMPERATURE_K` (200–1200 K,
  what sodium cells from sub-zero tests to Na–S and Na–NiCl₂ cells at 300 °C are measured at) with
  :class:`~nakinetics.exceptions.DataError` naming the likely slip, unless ``any_temperature=True``.

The analysis entry points that turn a temperature into a reported number check it (and take
``any_temperature``): :class:`~nakinetics.derived.CellGeometry`,
:class:`~nakinetics.diffusion.DiffusionInputs`, :func:`~nakinetics.kinetics.analyse_polarization`
(and :func:`~nakinetics.kinetics.prepare_sweep`, :func:`~nakinetics.kinetics.tafel_analysis`,
:func:`~nakinetics.kinetics.linear_estimate`, :func:`~nakinetics.kinetics.exchange_current_from_resistance`),
:func:`~nakinetics.arrhenius.arrhenius_fit` and :func:`~nakinetics.arrhenius.arrhenius_from_spectra`.
The model formulas themselves (``butler_volmer``, ``mhc_current``, ``thermal_voltage``, ...) are pure
vectorised functions and accept any T > 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from .constants import ZERO_CELSIUS
from .exceptions import DataError
from .units import TYPED_QUANTITY as _TYPED
from .units import refuse_decimal_comma

TemperatureUnit = Literal["K", "C"]

PLAUSIBLE_TEMPERATURE_K = (200.0, 1200.0)
"""Temperatures (K) a sodium cell or electrolyte is measured at; outside them the input is a unit slip
unless the caller insists (``any_temperature=True``, CLI ``--any-temperature``)."""

_UNITS: dict[str, TemperatureUnit] = {
    "k": "K",
    "kelvin": "K",
    "\u212a": "K",  # KELVIN SIGN
    "c": "C",
    "°c": "C",
    "ºc": "C",  # masculine ordinal, typed for ° on some keyboards
    "℃": "C",
    "degc": "C",
    "deg c": "C",
    "celsius": "C",
    "°celsius": "C",
}


def to_kelvin(value: float, unit: TemperatureUnit) -> float:
    """``value`` in ``unit`` (``"K"`` or ``"C"``) as kelvin."""
    if unit == "C":
        return value + ZERO_CELSIUS
    if unit == "K":
        return value
    raise DataError(f"temperature unit must be 'K' or 'C', got {unit!r}")


def format_temperature(temperature_k: float) -> str:
    """``"298.15 K (25 °C)"``."""
    return f"{temperature_k:.6g} K ({temperature_k - ZERO_CELSIUS:.6g} °C)"


def split_temperature(text: str) -> tuple[float, TemperatureUnit | None]:
    """``"25C"`` → (25.0, "C"); ``"298.15 K"`` → (298.15, "K"); ``"300"`` → (300.0, None).

    Accepted units: K, kelvin, C, °C, ºC, ℃, degC, celsius (any case, with or without a space).

    Raises
    ------
    DataError : not a number with an optional temperature unit (°F is refused by name).
    """
    refuse_decimal_comma(text)
    match = _TYPED.match(text)
    if match is None:
        raise DataError(f"'{text}' is not a temperature: write e.g. 25C, 25°C, 298.15K or 298.15")
    number = float(match.group("number").replace("−", "-"))
    raw = match.group("unit")
    if raw is None:
        return number, None
    key = re.sub(r"\s+", " ", raw.strip().lower()).replace("° c", "°c")
    if key in _UNITS:
        return number, _UNITS[key]
    if key in {"f", "°f", "degf", "℉", "fahrenheit"}:
        raise DataError(f"'{text}': °F is not accepted; give the temperature in °C (e.g. 25C) or K")
    raise DataError(
        f"'{text}': unknown temperature unit '{raw.strip()}'; use C (°C) or K, e.g. 25C or 298.15K"
    )


def parse_temperature(text: str, unit: TemperatureUnit | None = None) -> float:
    """Kelvin from a typed temperature: its own unit (``"25C"``), else ``unit``, else K.

    Raises
    ------
    DataError : malformed, or its unit contradicts ``unit``.
    """
    value, written = split_temperature(text)
    if written is not None and unit is not None and written != unit:
        raise DataError(f"'{text}' is in {_NAME[written]} but the unit given is {_NAME[unit]}")
    return to_kelvin(value, written or unit or "K")


_NAME = {"K": "K", "C": "°C"}


def other_reading(value: float, unit: TemperatureUnit) -> TemperatureUnit | None:
    """The unit in which ``value`` (typed in ``unit``) would be a plausible temperature, if the typed
    reading is implausible and the other one is not (25 K → ``"C"``); else ``None``."""
    low, high = PLAUSIBLE_TEMPERATURE_K
    other: TemperatureUnit = "C" if unit == "K" else "K"
    typed_ok = low <= to_kelvin(value, unit) <= high
    return other if not typed_ok and low <= to_kelvin(value, other) <= high else None


def implausible_temperature(
    temperature_k: float, typed: tuple[float, TemperatureUnit] | None = None
) -> str | None:
    """Why ``temperature_k`` cannot be meant, naming the likely slip; ``None`` when it is plausible.

    ``typed`` = (value, unit) as the user wrote it, so the hint can name the other reading
    (``"25 K is implausible (outside 200–1200 K): did you mean 25 °C (298.15 K)?"``).
    """
    low, high = PLAUSIBLE_TEMPERATURE_K
    if low <= temperature_k <= high:
        return None
    value, unit = typed if typed is not None else (temperature_k, "K")
    shown = f"{value:g} {_NAME[unit]}" + (f" ({temperature_k:.6g} K)" if unit == "C" else "")
    message = f"{shown} is implausible (outside {low:g}–{high:g} K)"
    other = other_reading(value, unit)
    if other == "C":
        message += f": did you mean {value:g} °C ({to_kelvin(value, 'C'):.6g} K)?"
    elif other == "K":
        message += f": did you mean {value:g} K?"
    elif 0 < temperature_k < 10:
        message += ": a 1000/T value?"
    return message


def check_temperature_k(
    temperature_k: float, *, any_temperature: bool = False, what: str = "temperature_k"
) -> float:
    """``temperature_k`` (K) when it is finite, > 0 and (unless ``any_temperature``) plausible.

    Raises
    ------
    DataError : not finite or ≤ 0 K (always); outside :data:`PLAUSIBLE_TEMPERATURE_K` (unless
        ``any_temperature``), naming the likely slip (°C given as K).
    """
    try:
        value = float(temperature_k)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number of kelvin, got {temperature_k!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise DataError(f"{what} must be a finite temperature > 0 K, got {temperature_k!r}")
    if not any_temperature:
        why = implausible_temperature(value)
        if why is not None:
            remedy = (
                f"if it is in °C write {value:g}C; if {value:g} K is meant, pass"
                if other_reading(value, "K") == "C"
                else "pass"
            )
            remedy += " any_temperature=True (CLI: --any-temperature) to use it anyway"
            joined = f" {remedy[0].upper()}{remedy[1:]}" if why.endswith("?") else f"; {remedy}"
            raise DataError(f"{what} = {why}{joined}")
    return value


# ---------------------------------------------------------------------------------------------------
# temperatures written in file names

_IN_NAME = re.compile(
    r"(?<![A-Za-z0-9.])"
    r"(?P<prefix>T\s*=\s*|T_?|temp(?:erature)?[\s_=]*)?"
    r"(?P<sign>[-−])?"
    r"(?P<number>\d+(?:[.p]\d+)?)"
    r"\s*"
    r"(?P<unit>°\s*C|º\s*C|℃|deg\s*C|degC|oC|celsius|kelvin|C|K)?"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
NAME_PARTS = 3
"""File name, then up to this many - 1 enclosing folder names (``25C/run1.csv``) are searched."""


@dataclass(frozen=True)
class NamedTemperature:
    """A temperature read from a file or folder name: ``token`` as written, ``part`` the name it was in;
    ``alternatives``: the name's other readings, when a given temperature chose among several."""

    temperature_k: float
    token: str
    part: str
    alternatives: tuple[str, ...] = ()


def _candidates(part: str, unit: TemperatureUnit | None) -> list[tuple[float, str, bool]]:
    """(kelvin, token, strong) of each temperature-like token in one name.  Strong: a degree sign,
    ``degC``/``oC``/``celsius``/``kelvin`` or a ``T=``/``temp`` prefix; weak: a bare C or K suffix (weak
    tokens outside the plausible range, like ``5K`` for 5000 cycles, are not temperatures)."""
    out = []
    for match in _IN_NAME.finditer(part):
        prefix, written = match.group("prefix"), match.group("unit")
        if written is None and prefix is None:
            continue  # a bare number is never taken for a temperature
        if prefix is not None and prefix.strip().upper() == "T" and written is None:
            continue  # "T5" is too often a trial or tray number
        number = float(match.group("number").replace("p", ".").replace("P", "."))
        if match.group("sign"):
            number = -number
        key = re.sub(r"\s+", "", (written or "").lower())
        resolved = _UNITS.get(key, "C" if key in {"oc", "degc"} else None) if written else unit
        if resolved is None:
            raise DataError(
                f"'{part}' names the temperature '{match.group(0).strip()}' without a unit; "
                "give --temperature-unit C or K (temperature_unit=)"
            )
        kelvin = to_kelvin(number, resolved)
        strong = prefix is not None or key not in {"c", "k"}
        if not strong and implausible_temperature(kelvin) is not None:
            continue
        out.append((kelvin, match.group(0).strip(" _="), strong))
    return out


def temperature_readings_in_name(
    path: str, unit: TemperatureUnit | None = None
) -> tuple[NamedTemperature, ...]:
    """Every distinct temperature the name of ``path`` can be read as: the readings of the file name or,
    when it has none, of the nearest enclosing folder that has any (see :func:`temperature_in_name`).
    Several readings (``pellet_1C_25C``: 1 °C or 25 °C) mean the name alone cannot say which; empty when
    there is none.

    Raises
    ------
    DataError : ``T=80`` without a unit and ``unit``.
    """
    parts = PurePath(path).parts
    if not parts:
        return ()
    names = [PurePath(parts[-1]).stem, *reversed(parts[-NAME_PARTS:-1])]
    for part in names:
        found = _candidates(part, unit)
        if any(strong for _, _, strong in found):
            found = [c for c in found if c[2]]
        distinct: dict[float, NamedTemperature] = {}
        for kelvin, token, _ in found:
            distinct.setdefault(round(kelvin, 6), NamedTemperature(kelvin, token, part))
        if distinct:
            return tuple(distinct.values())
    return ()


def temperature_in_name(path: str, unit: TemperatureUnit | None = None) -> NamedTemperature | None:
    """The temperature written in the name of ``path`` (``pellet_25C.csv``, ``EIS_-60°C.txt``,
    ``run_353K.mpt``, ``cell_25degC``, ``T=80C``, ``25p5C`` = 25.5 °C) or, when the file name has none,
    in the nearest enclosing folder (``60C/run1.csv``); ``None`` when there is none.

    A bare number is never a temperature; ``T=80`` without a unit takes ``unit`` (else an error).  A minus
    sign counts only after a separator that is not itself a hyphen between words (``cell-20C`` is 20 °C,
    ``cell_-20C`` is −20 °C).

    Raises
    ------
    DataError : the name holds several different temperatures (:func:`temperature_readings_in_name`
        lists them), or ``T=80`` without a unit and ``unit``.
    """
    readings = temperature_readings_in_name(path, unit)
    if len(readings) > 1:
        raise DataError(several_temperatures_message(readings))
    return readings[0] if readings else None


def several_temperatures_message(readings: tuple[NamedTemperature, ...]) -> str:
    """Why a name with several temperature readings cannot be paired, and the options that resolve it."""
    tokens = ", ".join(f"'{r.token}'" for r in readings)
    return (
        f"'{readings[0].part}' holds several temperatures ({tokens}); say which with --temperatures in file "
        "order (temperatures_k=; each must be one of the name's readings) or --temperature-source given (temperature_source='given'), or rename the file"
    )
