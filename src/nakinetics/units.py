"""Quantities as people type them — a number with an optional unit — and the plausibility checks that
catch unit slips in electrode areas and concentrations.

Two slips change published numbers silently and by large factors:

* an **area in mm²** read as cm² (a 10 mm coin electrode typed as ``78.5``): ASR × 100, i0 and D ÷ 100
  or ÷ 10⁴.  Areas are parsed by :func:`parse_area` (``"0.785"`` = cm², ``"78.5mm2"``, ``"0.785 cm²"``,
  ``"1e-4 m2"``); :func:`implausible_area` names the slip for a bare number above
  :data:`PLAUSIBLE_AREA_CM2` (a warning, not a refusal: pouch cells are that large);
* a **molarity read as mol cm⁻³** (``1`` meant as 1 M): D × 10⁻⁶.  Concentrations are parsed by
  :func:`parse_concentration` (``"1M"``, ``"1 mol/L"``, ``"50mM"``, ``"1e-3 mol/cm3"``, a bare number in
  the unit the caller says, mol cm⁻³ by default) and :func:`check_concentration` refuses a value above
  :data:`MAX_CONCENTRATION_MOL_CM3` naming the likely slip, unless the caller insists.

Temperatures have their own module (:mod:`nakinetics.temperature`), built on :func:`split_quantity`.
"""

from __future__ import annotations

import math
import re

from .exceptions import DataError

NUMBER = r"[+\-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?"
"""A decimal number as typed (an optional sign, the Unicode minus included, and an exponent)."""
TYPED_QUANTITY = re.compile(rf"^\s*(?P<number>{NUMBER})\s*(?P<unit>[^\d\s].*?)?\s*$")
"""A number and an optional unit after it (groups ``number`` and ``unit``)."""


_DECIMAL_COMMA = re.compile(r"^\s*[+\-−]?\d+,\d")


def refuse_decimal_comma(text: str) -> None:
    """A number typed with a decimal comma (``"0,785"``, ``"298,15K"``) is refused naming the slip, rather than
    read as a number followed by an unknown unit ``,785``.

    Raises
    ------
    DataError : ``text`` starts with digits, a comma and a digit.
    """
    if _DECIMAL_COMMA.match(str(text)):
        fixed = str(text).strip().replace(",", ".", 1)
        raise DataError(f"'{text}': write the decimal separator as a point: {fixed}")


def split_quantity(text: str, what: str, example: str) -> tuple[float, str | None]:
    """``"78.5mm2"`` → (78.5, ``"mm2"``); ``"0.785"`` → (0.785, None).

    Raises
    ------
    DataError : ``text`` is not a number with an optional unit (``what`` and ``example`` word it), or has a
        decimal comma.
    """
    refuse_decimal_comma(text)
    match = TYPED_QUANTITY.match(str(text))
    if match is None:
        try:
            float(text)
        except (TypeError, ValueError):
            raise DataError(f"'{text}' is not {what}: write e.g. {example}") from None
        raise DataError(f"{text} is not a finite number")  # nan, inf

    return float(match.group("number").replace("−", "-")), match.group("unit")


def _unit_key(unit: str) -> str:
    """A unit as written, without spaces, carets and multiplication dots, with superscripts as digits."""
    table = str.maketrans(
        {"²": "2", "³": "3", "⁻": "-", "¹": "1", "^": None, "·": None, "*": None, " ": None}
    )
    return unit.strip().translate(table)


def _parse_scaled(
    text: str, what: str, example: str, units: dict[str, float], kind: str, advice: str
) -> tuple[float, bool]:
    """(value in the base unit of ``units``, whether a unit was written) for a quantity that must be a finite
    number > 0: ``what`` (``"an area"``) and ``example`` word a malformed entry, ``kind`` and ``advice`` an
    unknown unit.

    Raises
    ------
    DataError : malformed, an unknown unit, or not a finite number > 0.
    """
    value, unit = split_quantity(text, what, example)
    factor = 1.0
    if unit is not None:
        key = _unit_key(unit).lower()
        if key not in units:
            raise DataError(f"'{text}': unknown {kind} unit '{unit.strip()}'; use {advice}")
        factor = units[key]
    scaled = value * factor
    if not (math.isfinite(scaled) and scaled > 0):
        raise DataError(f"'{text}': {what} must be a finite number > 0")
    return scaled, unit is not None


# ---------------------------------------------------------------------------------------------------
# areas

AREA_UNITS_CM2 = {"cm2": 1.0, "mm2": 1e-2, "m2": 1e4, "um2": 1e-8, "µm2": 1e-8, "μm2": 1e-8}
"""Area units (lower case, as :func:`_unit_key` writes them) → cm²."""
PLAUSIBLE_AREA_CM2 = 10.0
"""Largest electrode area (cm²) of a coin cell or pellet (a CR2032 electrode is 2 cm², a 25 mm pellet
4.9 cm²); a bare number above it is more often an area in mm² (a 10 mm electrode is 78.5 mm²) than a pouch
cell, so it is warned about (:func:`implausible_area`)."""


def parse_area(text: str) -> tuple[float, bool]:
    """(area in cm², whether a unit was written) from ``"0.785"`` (cm²), ``"78.5mm2"``, ``"78.5 mm²"``,
    ``"0.785cm^2"``, ``"1e-4m2"``.

    Raises
    ------
    DataError : malformed, an unknown unit, or not a finite number > 0.
    """
    return _parse_scaled(
        text,
        "an area",
        "0.785 (cm²), 0.785cm2 or 78.5mm2",
        AREA_UNITS_CM2,
        "area",
        "cm2 or mm2, e.g. 78.5mm2",
    )


def implausible_area(area_cm2: float) -> str | None:
    """Why a bare ``area_cm2`` (typed without a unit) is probably a slip, naming it; ``None`` when it is a
    plausible coin-cell or pellet area."""
    if area_cm2 <= PLAUSIBLE_AREA_CM2:
        return None
    return (
        f"{area_cm2:g} cm² is larger than a coin-cell or pellet electrode (≤ {PLAUSIBLE_AREA_CM2:g} cm²): "
        f"if it is in mm², that is {area_cm2 / 100:g} cm² — write {area_cm2:g}mm2; for a cell that large "
        f"write {area_cm2:g}cm2"
    )


# ---------------------------------------------------------------------------------------------------
# lengths (pellet thickness, electrode diameter)

LENGTH_UNITS_CM = {"cm": 1.0, "mm": 0.1, "m": 100.0, "um": 1e-4, "µm": 1e-4, "μm": 1e-4}
"""Length units (lower case, as :func:`_unit_key` writes them) → cm."""
PLAUSIBLE_LENGTH_CM = {"thickness": 1.0, "diameter": 2 * math.sqrt(PLAUSIBLE_AREA_CM2 / math.pi)}
"""Largest bare number (cm) taken without a warning: a pellet is at most ~1 cm thick (0.05–0.3 cm usually),
and an electrode of :data:`PLAUSIBLE_AREA_CM2` is 3.57 cm across; a larger bare number is more often typed
in mm (a 1.62 mm pellet as ``1.62``: σ × 10; a 11.14 mm disc as ``11.14``: σ ÷ 100)."""


def parse_length(text: str) -> tuple[float, bool]:
    """(length in cm, whether a unit was written) from ``"0.162"`` (cm), ``"1.62mm"``, ``"0.162 cm"``,
    ``"250um"``.

    Raises
    ------
    DataError : malformed, an unknown unit, or not a finite number > 0.
    """
    return _parse_scaled(
        text, "a length", "0.162 (cm), 0.162cm or 1.62mm", LENGTH_UNITS_CM, "length", "cm or mm, e.g. 1.62mm"
    )


def implausible_length(length_cm: float, what: str) -> str | None:
    """Why a bare ``length_cm`` (typed without a unit) for a pellet ``what`` (``"thickness"`` or
    ``"diameter"``) is probably a length in mm, naming the slip; ``None`` when it is plausible."""
    limit = PLAUSIBLE_LENGTH_CM[what]
    if length_cm <= limit:
        return None
    return (
        f"{length_cm:g} cm is larger than a pellet {what} (≤ {limit:.3g} cm): if it is in mm, that is "
        f"{length_cm / 10:g} cm — write {length_cm:g}mm; if it is meant, write {length_cm:g}cm"
    )


# ---------------------------------------------------------------------------------------------------
# concentrations

_PER_LITRE = ("/L", "/l", "/dm3", "L-1", "l-1", "dm-3")
CONCENTRATION_UNITS_MOL_CM3: dict[str, float] = {
    "mol/cm3": 1.0,
    "molcm-3": 1.0,
    "mol/cc": 1.0,
    "mmol/cm3": 1e-3,
    "mmolcm-3": 1e-3,
    "mol/m3": 1e-6,
    "molm-3": 1e-6,
    "M": 1e-3,
    "molar": 1e-3,
    "mM": 1e-6,
    "millimolar": 1e-6,
    "µM": 1e-9,
    "μM": 1e-9,
    "uM": 1e-9,
    **{f"mol{tail}": 1e-3 for tail in _PER_LITRE},
    **{f"mmol{tail}": 1e-6 for tail in _PER_LITRE},
    **{f"µmol{tail}": 1e-9 for tail in _PER_LITRE},
    **{f"umol{tail}": 1e-9 for tail in _PER_LITRE},
}
"""Concentration units (as :func:`_unit_key` writes them) → mol cm⁻³.  ``M`` is molar (mol L⁻¹)."""
CANONICAL_CONCENTRATION_UNITS = {1.0: "mol/cm3", 1e-3: "mol/L", 1e-6: "mmol/L", 1e-9: "µmol/L"}
"""How a concentration unit is written back in reports and JSON (by its factor to mol cm⁻³)."""
MAX_CONCENTRATION_MOL_CM3 = 0.08
"""Above any real concentration of a mobile ion: lithium metal is 0.077 mol cm⁻³, sodium metal 0.042; a
value this large in mol cm⁻³ is a molarity (mol L⁻¹ = 1e-3 mol cm⁻³) typed in the wrong unit."""


def concentration_factor(unit: str) -> float:
    """mol cm⁻³ per one ``unit`` (``"M"``, ``"mol/L"``, ``"mM"``, ``"mol/cm3"``, ``"mol cm⁻³"``, ...).

    ``M`` and ``mM`` are case-sensitive (``m`` alone is refused); the other units are not.

    Raises
    ------
    DataError : an unknown unit.
    """
    key = _unit_key(unit)
    if key in CONCENTRATION_UNITS_MOL_CM3:
        return CONCENTRATION_UNITS_MOL_CM3[key]
    folded = {k.lower(): v for k, v in CONCENTRATION_UNITS_MOL_CM3.items() if len(k) > 2}
    if key.lower() in folded:
        return folded[key.lower()]
    raise DataError(
        f"unknown concentration unit '{unit.strip()}'; use M (mol/L), mM or mol/cm3, e.g. 1M or 1e-3mol/cm3"
    )


def canonical_concentration_unit(unit: str) -> str:
    """The name reports use for ``unit`` (``"M"`` → ``"mol/L"``, ``"mol cm-3"`` → ``"mol/cm3"``)."""
    factor = concentration_factor(unit)
    return CANONICAL_CONCENTRATION_UNITS.get(factor, unit.strip())


def parse_concentration(text: str, unit: str | None = None) -> tuple[float, str]:
    """(value, unit) from a typed concentration: ``"1M"`` → (1.0, ``"mol/L"``); a bare number takes
    ``unit`` (default ``"mol/cm3"``).  The unit is returned in its canonical name.

    Raises
    ------
    DataError : malformed, an unknown unit, or a written unit that contradicts ``unit``.
    """
    value, written = split_quantity(text, "a concentration", "1M, 1mol/L, 50mM or 1e-3mol/cm3")
    if (
        written is not None
        and unit is not None
        and concentration_factor(written) != concentration_factor(unit)
    ):
        raise DataError(f"'{text}' is in {written.strip()} but the unit given is {unit}")
    return value, canonical_concentration_unit(written or unit or "mol/cm3")


def implausible_concentration(value: float, unit: str) -> str | None:
    """Why ``value`` in ``unit`` cannot be a real concentration, naming the likely slip (a molarity typed
    as mol cm⁻³); ``None`` when it is plausible."""
    mol_cm3 = value * concentration_factor(unit)
    if mol_cm3 <= MAX_CONCENTRATION_MOL_CM3:
        return None
    molar = mol_cm3 * 1e3
    message = (
        f"{value:g} {canonical_concentration_unit(unit).replace('/cm3', ' cm⁻³')} is {molar:g} M, above any "
        f"real concentration (lithium metal is 0.077 mol cm⁻³, sodium metal 0.042)"
    )
    if concentration_factor(unit) == 1.0:
        message += f": did you mean {value:g} M? write {value:g}M"
    return message


def check_concentration(
    value: float, unit: str = "mol/cm3", *, any_concentration: bool = False, what: str = "concentration"
) -> float:
    """``value`` in ``unit`` as mol cm⁻³ when it is a finite number > 0 and (unless ``any_concentration``)
    at most :data:`MAX_CONCENTRATION_MOL_CM3`.

    Raises
    ------
    DataError : not finite or ≤ 0 (always); above any real concentration (unless ``any_concentration``),
        naming the likely slip ("1 mol cm⁻³ is 1000 M: did you mean 1 M? write 1M").
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number, got {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise DataError(f"{what} must be a positive number, got {value!r}")
    if not any_concentration:
        why = implausible_concentration(number, unit)
        if why is not None:
            raise DataError(
                f"{what} = {why}; pass any_concentration=True (CLI: --any-concentration) to use it anyway"
            )
    return number * concentration_factor(unit)
