"""DC records from delimited text: generic CSV/TSV (``"csv"``) and Metrohm Autolab NOVA exports
(``"autolab-nova"``).

Rules (shared with the spectrum reader :mod:`.delimited`: delimiter tab, ``;``, ``,`` or whitespace,
decimal commas, any preamble skipped, the header is the line just before the data):

* header names are matched to roles case-insensitively, ignoring spaces, dots and underscores:
  potential (``E``, ``Ewe``, ``<Ewe>``, ``potential``, ``voltage``, ``U``, ``Ecell``, ``Vf``,
  ``overpotential``, ``eta``, NOVA's ``WE(1).Potential``; an *applied* potential such as NOVA's
  ``Potential applied`` is used only when no measured one is present), current (``I``, ``<I>``,
  ``current``, ``Im``, ``i1``, NOVA's ``WE(1).Current``, Tafel_Fitter's ``LSV…`` column), current density
  (``j``, ``current density`` or a current whose unit is per cm²), time (``t``, ``time``, ``elapsed
  time``), cycle (``cycle``, ``cycle number``, NOVA's ``Scan``); ``log(i/A)``/``Tafel`` columns are
  recognised and ignored;
* units in ``(…)``, ``[…]`` or after ``/`` scale the values: V, mV; A, mA, µA/uA, nA; A/cm², mA/cm²
  (also ``mA cm-2``, ``j/mA/cm2``); s, ms, min, h.  A column without a unit is taken in V, A or s and
  listed in ``extra["assumed_units"]``; a time-named column whose unit is not a time (``T (°C)``) is
  ignored;
* a reference electrode in a potential name (``E/V vs. Ag/AgCl``, ``Ewe vs SCE (V)``, ``E (V vs. RHE)``)
  becomes ``metadata.reference``;
* a table with frequency and impedance columns (an EIS export saved as text) is rejected: read it with
  ``read_spectra``;
* a file without a current column is a potential-vs-time record: it needs ``current_a=`` (technique
  ``"CP"``); a current-density column needs ``area_cm2=`` to become a current;
* the current is taken as written (anodic positive is assumed: generic files carry no convention);
  NOVA writes IUPAC currents (anodic positive);
* a file without a header row is rejected: two bare columns could be (E, I) or (t, E).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, NamedTuple

from .._typing import FloatArray
from ..data import DCRecord
from ._common import fail, looks_numeric, numeric_rows, read_lines, rescale, unit_scale
from ._dc import (
    AS_WRITTEN,
    DCOptions,
    make_record,
    reject_given_current,
    supplied_current,
    zero_based,
)
from .delimited import (
    TextLayout,
    clean_name,
    impedance_columns,
    name_key,
    sniff_layout,
    split_unit,
    uncommented,
)

FORMAT = "csv"
FORMAT_NOVA = "autolab-nova"

#: Role → {name key: priority}; the lowest priority number wins when several columns play a role.
_ROLES: dict[str, dict[str, int]] = {
    "potential": {
        **dict.fromkeys(("we(1)potential", "ewe", "<ewe>", "e", "potential", "voltage", "u", "v"), 0),
        **dict.fromkeys(("ecell", "<ecell>", "cellvoltage", "ewe-ece", "vf", "e(v)", "evsref"), 1),
        **dict.fromkeys(("overpotential", "eta", "η"), 2),
        **dict.fromkeys(("potentialapplied", "appliedpotential", "eapplied", "setpotential"), 3),
    },
    "current": {
        **dict.fromkeys(("we(1)current", "i", "<i>", "current", "im", "iwe", "i1"), 0),
        "lsv": 1,  # Tafel_Fitter's "LSV" / "LSV, baseline adjusted" current column
    },
    "density": dict.fromkeys(("j", "currentdensity", "<j>", "jwe", "we(1)currentdensity"), 0),
    "time": dict.fromkeys(("t", "time", "elapsedtime", "timeelapsed", "testtime"), 0),
    "cycle": dict.fromkeys(("cycle", "cyclenumber", "cycleno", "cycleindex", "scan"), 0),
    "log": dict.fromkeys(("log", "logi", "log|i|", "log10|i|", "log10(i)", "log(i)", "tafel", "log|j|"), 0),
}
_PREFIX_ROLES = (("lsv", "current"),)
_DENSITY_UNIT = re.compile(r"^(\S*A)\s*(?:/\s*cm(?:\^?2|²)|\s*cm(?:\^?-2|⁻²))$")
_MAX_TEXT = 3  # text columns tolerated in data rows (NOVA: "Current range" = "1 mA", "Overload")
_OVERPOTENTIAL = frozenset({"overpotential", "eta", "η"})
_VERSUS = re.compile(r"\s*\bvs\b\.?\s*", re.IGNORECASE)
_TRAILING_UNIT = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\])\s*$")


class _Column(NamedTuple):
    """A header column that plays a role: position, unit text, reference electrode, name key."""

    index: int
    unit: str | None
    reference: str | None
    key: str


def _role(key: str) -> tuple[str | None, int]:
    for role, keys in _ROLES.items():
        if key in keys:
            return role, keys[key]
    for prefix, role in _PREFIX_ROLES:
        if key.startswith(prefix):
            return role, _ROLES[role][prefix]
    return None, 0


def _without_reference(name: str) -> tuple[str, str | None]:
    """``"E/V vs. Ag/AgCl"`` → ``("E/V", "Ag/AgCl")``; also ``"Ewe vs SCE (V)"`` → ``("Ewe (V)", "SCE")``,
    ``"E (V vs. RHE)"`` → ``("E (V)", "RHE")`` and ``"E vs Na/Na+ / V"`` → ``("E/V", "Na/Na+")``."""
    match = _VERSUS.search(name)
    if not match:
        return name, None
    before, after = name[: match.start()], name[match.end() :].strip()
    for opening, closing in ("()", "[]"):
        if before.count(opening) > before.count(closing):  # the reference sits inside the unit brackets
            reference, _, rest = after.partition(closing)
            return f"{before}{closing}{rest}", reference.strip()
    unit = _TRAILING_UNIT.search(after)
    if unit:
        return f"{before} {unit.group(1)}", after[: unit.start()].strip()
    reference, slash, last = after.rpartition("/")
    if slash and unit_scale(last.strip(), "v") is not None:
        return f"{before}/{last.strip()}", reference.strip()
    return before, after


def _split_name(name: str) -> tuple[str, str | None]:
    """(base, unit) as :func:`split_unit`, except that ``"j/mA/cm2"`` is ``("j", "mA/cm2")``."""
    base, unit = split_unit(name)
    if unit is not None and "/" in base and not _TRAILING_UNIT.search(name):
        first, _, rest = name.partition("/")
        if _DENSITY_UNIT.match(rest.strip()):
            return first.strip(), rest.strip()
    return base, unit


def _parse(name: str, reference: str | None = None) -> tuple[str | None, int, _Column]:
    """(role, priority, column with index −1) of one header name."""
    base, unit = _split_name(name)
    role, priority = _role(name_key(base))
    if role is None and unit is not None:  # "Re(Z)"-like names: the suffix was not a unit
        base, unit = name, None
        role, priority = _role(name_key(name))
    if role == "current" and unit and _DENSITY_UNIT.match(unit.strip()):
        role = "density"
    return role, priority, _Column(-1, unit, reference, name_key(base))


def _columns(names: list[str]) -> dict[str, _Column]:
    """Role → column for the best-priority column of each role."""
    best: dict[str, tuple[int, _Column]] = {}
    for j, name in enumerate(names):
        role, priority, column = _parse(*_without_reference(clean_name(name)))
        if role != "potential":  # "vs" is only a reference electrode in a potential's name
            role, priority, column = _parse(clean_name(name))
        if role == "time" and column.unit and unit_scale(column.unit, "s") is None:
            continue  # "T (°C)", "T/K": a temperature, not the time
        if role is not None and (role not in best or priority < best[role][0]):
            best[role] = (priority, column._replace(index=j))
    return {role: column for role, (_, column) in best.items()}


def _header_names(lines: list[str], layout: TextLayout, n_cols: int) -> list[str]:
    """Column names of the header line, splitting quoted names (``"LSV, baseline adjusted"``) correctly."""
    assert layout.header is not None
    line = uncommented(lines[layout.header])  # "# Potential applied (V);Time (s);..." (NOVA)
    if layout.delimiter == "whitespace":
        names = line.split()
        if len(names) > n_cols:  # names with spaces ("Elapsed Time (s)") need ≥ 2 spaces between them
            names = re.split(r"\s{2,}|\t", line.strip())
        return names
    delimiter = "\t" if layout.delimiter == "tab" else layout.delimiter
    names = [name.strip() for name in next(csv.reader([line], delimiter=delimiter))]
    while names and not names[-1]:
        names.pop()
    return names


def _scale(path: Path, role: str, name: str, unit: str | None, line: int, assumed: list[str]) -> float:
    """Factor to SI (V, A, A cm⁻², s) for a column's unit; records unit-less columns in ``assumed``."""
    if not unit:
        assumed.append(name)
        return 1.0
    unit = unit.strip()
    if role == "density":
        match = _DENSITY_UNIT.match(unit)
        scale = unit_scale(match.group(1), "a") if match else None
    else:
        scale = unit_scale(unit, {"potential": "v", "current": "a", "time": "s"}[role])
    if scale is None:
        raise fail(path, f"column {name!r}: unit {unit!r} is not supported for {role}", line)
    return scale


def read_dc_delimited(path: Path, options: DCOptions, fmt: str = FORMAT) -> list[DCRecord]:
    """Read a DC record from delimited text (see the module docstring for the rules); one record."""
    lines = read_lines(path)
    layout = sniff_layout(path, lines, 2, "potential and current, or time and potential", max_text=_MAX_TEXT)
    first = layout.split(lines[layout.start])
    numeric = {j for j, field in enumerate(first) if looks_numeric([field], layout.decimal_comma)}
    table = numeric_rows(
        path,
        lines,
        layout.start,
        split=layout.split,
        min_fields=2,
        decimal_comma=layout.decimal_comma,
        usecols=numeric,
    )
    n_cols = table.data.shape[1]
    if layout.header is None:
        raise fail(
            path,
            f"no header row above the {n_cols} data columns; expected a header naming them "
            "(potential or voltage with V/mV, current with A/mA/µA, optionally time in s)",
            layout.start + 1,
        )
    header_line = layout.header + 1
    names = _header_names(lines, layout, n_cols)
    if impedance_columns(names):
        raise fail(
            path,
            f"columns {names!r} hold impedance spectra (frequency and Z', Z'' or |Z|, phase), not a DC "
            "record; use read_spectra",
            header_line,
        )
    roles = {role: column for role, column in _columns(names).items() if column.index < n_cols}
    if "potential" not in roles:
        raise fail(
            path,
            f"no potential column in header {names!r}; expected one named E, Ewe, potential, voltage, "
            "U, Ecell or overpotential (units V or mV)",
            header_line,
        )
    assumed: list[str] = []

    def values(role: str) -> FloatArray:
        j, unit = roles[role].index, roles[role].unit
        return rescale(table.data[:, j], _scale(path, role, names[j], unit, header_line, assumed))

    potential = values("potential")
    time = values("time") if "time" in roles else None
    extra: dict[str, Any] = {}
    technique = None
    if "current" in roles or "density" in roles:
        role = "current" if "current" in roles else "density"
        reject_given_current(path, options, names[roles[role].index])
        current = values(role)
        if role == "density":
            if options.area_cm2 is None:
                raise fail(
                    path,
                    f"column {names[roles[role].index]!r} is a current density; pass area_cm2= to convert it "
                    "to current",
                    header_line,
                )
            current = current * options.area_cm2
        extra["current_source"] = "file" if role == "current" else "density × area"
    else:
        if time is None:
            raise fail(
                path,
                f"no current column in header {names!r} and no time column; expected current "
                "(I, current, <I>/mA, ...) or time and potential with current_a=",
                header_line,
            )
        current, extra["current_source"] = supplied_current(
            path, options, potential.size, open_circuit=False, missing="expected I, current or <I>/mA"
        )
        technique = "CP"
    cycle, offset = (None, None)
    if "cycle" in roles:
        cycle, offset = zero_based(table.data[:, roles["cycle"].index])
    overpotential = roles["potential"].key in _OVERPOTENTIAL
    reference = "overpotential (E − E_eq)" if overpotential else roles["potential"].reference
    extra.update(
        {
            "columns": {role: names[column.index] for role, column in roles.items()},
            "assumed_units": assumed or None,
            "delimiter": layout.delimiter,
            "decimal_comma": layout.decimal_comma,
            "current_convention": AS_WRITTEN,
            "potential_kind": "overpotential" if overpotential else None,
            "cycle_offset": offset,
        }
    )
    return [
        make_record(
            path,
            fmt,
            potential,
            current,
            options=options,
            time=time,
            cycle=cycle,
            lines=table.lines,
            extra=extra,
            technique=technique,
            instrument="Metrohm Autolab (NOVA)" if fmt == FORMAT_NOVA else None,
            reference=reference,
        )
    ]


def read_dc_csv(path: Path, options: DCOptions) -> list[DCRecord]:
    """Generic delimited DC text (format ``"csv"``)."""
    return read_dc_delimited(path, options, FORMAT)


def read_nova(path: Path, options: DCOptions) -> list[DCRecord]:
    """Metrohm Autolab NOVA text/CSV export (format ``"autolab-nova"``): no metadata in the file."""
    return read_dc_delimited(path, options, FORMAT_NOVA)


def looks_like_nova(lines: list[str]) -> bool:
    """NOVA column names (``WE(1).Current (A)``, ``Potential applied (V)``; impedance exports
    ``-Z'' (Ω)`` with ``-Phase (°)``) in the first lines."""
    return any(
        "WE(1)." in line or "Potential applied (V)" in line or ("-Z'' (Ω)" in line and "-Phase (°)" in line)
        for line in lines[:20]
    )
