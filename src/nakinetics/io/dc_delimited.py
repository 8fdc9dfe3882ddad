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
  (also ``mA cm-2``); s, ms, min, h.  A column without a unit is taken in V, A or s and listed in
  ``extra["assumed_units"]``;
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
from typing import Any

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
from .delimited import TextLayout, clean_name, name_key, sniff_layout, split_unit

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
_VERSUS = re.compile(r"^(.*?)\s*\bvs\.?\s*(.+)$")


def _role(key: str) -> tuple[str | None, int]:
    for role, keys in _ROLES.items():
        if key in keys:
            return role, keys[key]
    for prefix, role in _PREFIX_ROLES:
        if key.startswith(prefix):
            return role, _ROLES[role][prefix]
    return None, 0


def _columns(names: list[str]) -> dict[str, tuple[int, str | None]]:
    """Role → (column index, unit) for the best-priority column of each role."""
    best: dict[str, tuple[int, int, str | None]] = {}
    for j, name in enumerate(names):
        base, unit = split_unit(clean_name(name))
        role, priority = _role(name_key(base))
        if role is None and unit is not None:  # "Re(Z)"-like names: the suffix was not a unit
            role, priority = _role(name_key(clean_name(name)))
            unit = None
        if role == "current" and unit and _DENSITY_UNIT.match(unit.strip()):
            role = "density"
        if role is not None and (role not in best or priority < best[role][0]):
            best[role] = (priority, j, unit)
    return {role: (j, unit) for role, (_, j, unit) in best.items()}


def _header_names(lines: list[str], layout: TextLayout, n_cols: int) -> list[str]:
    """Column names of the header line, splitting quoted names (``"LSV, baseline adjusted"``) correctly."""
    assert layout.header is not None
    line = lines[layout.header]
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
    versus = _VERSUS.match(unit)
    if role == "potential" and versus:
        unit = versus.group(1)
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
    roles = {role: spec for role, spec in _columns(names).items() if spec[0] < n_cols}
    if "potential" not in roles:
        raise fail(
            path,
            f"no potential column in header {names!r}; expected one named E, Ewe, potential, voltage, "
            "U, Ecell or overpotential (units V or mV)",
            header_line,
        )
    assumed: list[str] = []

    def values(role: str) -> FloatArray:
        j, unit = roles[role]
        return rescale(table.data[:, j], _scale(path, role, names[j], unit, header_line, assumed))

    potential = values("potential")
    time = values("time") if "time" in roles else None
    extra: dict[str, Any] = {}
    technique = None
    if "current" in roles or "density" in roles:
        role = "current" if "current" in roles else "density"
        reject_given_current(path, options, names[roles[role][0]])
        current = values(role)
        if role == "density":
            if options.area_cm2 is None:
                raise fail(
                    path,
                    f"column {names[roles[role][0]]!r} is a current density; pass area_cm2= to convert it "
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
        cycle, offset = zero_based(table.data[:, roles["cycle"][0]])
    potential_name = names[roles["potential"][0]]
    overpotential = name_key(split_unit(clean_name(potential_name))[0]) in _OVERPOTENTIAL
    versus = _VERSUS.match(roles["potential"][1] or "")
    reference = "overpotential (E − E_eq)" if overpotential else versus.group(2) if versus else None
    extra.update(
        {
            "columns": {role: names[j] for role, (j, _) in roles.items()},
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
    """NOVA column names (``WE(1).Current (A)``, ``Potential applied (V)``) in the first lines."""
    return any("WE(1)." in line or "Potential applied (V)" in line for line in lines[:20])
