"""Gamry Framework ``.DTA`` (EXPLAIN format) files: impedance (``TAG EISPOT`` (PEIS) / ``EISGALV`` (GEIS))
and DC techniques (``CURVE`` tables, read by :func:`read_gamry_dc`).

Header lines are tab-separated ``NAME  TYPE  VALUE  [flag]  DESCRIPTION``; tables start with
``NAME  TABLE  [n]``, then a column-name line, a unit line and tab-indented rows.  The ``ZCURVE`` table
holds ``Pt Time Freq Zreal Zimag ...`` with Zimag signed (capacitive < 0).  ``EXPERIMENTABORTED`` marks
an aborted run: the rows present are read.  Decimal commas (comma-locale PCs) are accepted.

Metadata: ``PSTAT`` (instrument), ``DATE``/``TIME`` (month-first, as Gamry writes them), ``VDC`` (V; the
``T`` flag means "vs. Eoc", then ``EOC`` is added), ``VAC`` (mV rms), ``IDC``/``IACREQ`` (A, galvanostatic),
``AREA`` (cm²), ``Temp`` column (°C) when present.  A galvanostatic file whose header was stripped (no
``IDC`` line, as scripted ``GALVEIS`` runs write) takes its DC current from the median of the ``Idc``
column (``extra["dc_current_source"]`` says which).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..constants import ZERO_CELSIUS
from ..data import DCRecord, DCTechnique, Spectrum
from ._common import (
    Table,
    fail,
    header_float,
    make_spectrum,
    numeric_rows,
    parse_datetime,
    plausible_temperature_k,
    read_lines,
    rescale,
    split_on,
    to_complex,
)
from ._dc import (
    AS_WRITTEN,
    FLIPPED,
    DCOptions,
    make_record,
    reject_given_current,
    scan_rate_scale,
    supplied_current,
)
from ._registry import FileFormat

FORMAT = "gamry"
_TECHNIQUES = {"EISPOT": "PEIS", "EISGALV": "GEIS", "GALVEIS": "GEIS"}  # GALVEIS: scripted runs
_DATE_FORMATS = tuple(
    f"{day} %H:%M:%S{fraction}"
    for day in ("%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y", "%Y-%m-%d")
    for fraction in ("", ".%f")  # newer Framework versions write microseconds (21:09:58.727375)
)


def _header(lines: list[str]) -> dict[str, list[str]]:
    """Top-level ``NAME TYPE VALUE ...`` lines (not table rows) → ``{NAME: [TYPE, VALUE, ...]}``."""
    out: dict[str, list[str]] = {}
    for line in lines:
        if line and not line[0].isspace():
            fields = line.split("\t")
            out.setdefault(fields[0].strip(), [f.strip() for f in fields[1:]])
    return out


def _temperature_k(temp_c: np.ndarray | None) -> float | None:
    """Mean of a ``Temp`` column (°C) in K; ``None`` when absent or unconnected (−327.67 °C) or NaN."""
    if temp_c is None or not np.all(np.isfinite(temp_c)) or np.any(temp_c < -273):
        return None
    return float(np.mean(temp_c)) + ZERO_CELSIUS


def _value(header: dict[str, list[str]], name: str) -> float | None:
    fields = header.get(name)
    return header_float(fields[1]) if fields and len(fields) > 1 else None


def _table_start(lines: list[str], name: str) -> int | None:
    """Index of the ``NAME  TABLE`` line of table ``name``, or ``None``."""
    return next((i for i, line in enumerate(lines) if line.split("\t")[0] == name), None)


def _read_table(path: Path, lines: list[str], start: int, usecols: list[str] | None = None) -> Table:
    """The tab-indented rows after a ``NAME TABLE`` line (column names, units, rows) up to the next
    top-level line; with ``usecols`` only those named columns must be numeric (flags such as
    ``Over = ...........`` are skipped)."""
    split = split_on("\t", strip_line=True)
    names = split(lines[start + 1]) if start + 1 < len(lines) else []
    rows = itertools.takewhile(lambda line: not line or line[0].isspace(), lines[start + 3 :])
    decimal_comma = any("," in row for row in rows)  # tab-separated rows: a comma is a decimal comma
    return numeric_rows(
        path,
        lines,
        start + 3,
        split=split,
        min_fields=min(5, len(names)) if usecols is None else len(names),
        decimal_comma=decimal_comma,
        names=names,
        end_at=lambda line: bool(line) and not line[0].isspace(),
        usecols=None if usecols is None else {names.index(n) for n in usecols if n in names},
    )


def read_gamry(path: Path) -> list[Spectrum]:
    """Read the ``ZCURVE`` table of a Gamry ``.DTA`` file (one spectrum)."""
    lines = read_lines(path)
    header = _header(lines)
    tag = header.get("TAG", [""])[0]
    start = _table_start(lines, "ZCURVE")
    if start is None:
        hint = "; read DC files with read_dc_records" if _DC_TABLE.search("\n".join(lines)) else ""
        raise fail(path, f"no ZCURVE table (TAG {tag!r}); expected an EISPOT or EISGALV impedance file{hint}")
    table = _read_table(path, lines, start)
    names = table.names
    f = table.column(path, "Freq")
    z_raw = to_complex(table.column(path, "Zreal"), table.column(path, "Zimag"))
    drift = {"ZrealDrCor", "ZimagDrCor"} <= set(names)
    z = to_complex(table.column(path, "ZrealDrCor"), table.column(path, "ZimagDrCor")) if drift else z_raw
    times = table.column(path, "Time", required=False)
    temp_c = table.column(path, "Temp", required=False)

    technique = _TECHNIQUES.get(tag)
    vdc, eoc = _value(header, "VDC"), _value(header, "EOC")
    vs_eoc = len(header.get("VDC", [])) > 2 and header["VDC"][2] == "T"
    dc_potential = None
    if technique == "PEIS" and vdc is not None and not vs_eoc:
        dc_potential = vdc
    elif technique == "PEIS" and vdc is not None and eoc is not None:
        dc_potential = vdc + eoc
    vac_mv = _value(header, "VAC")
    date = header.get("DATE", ["", ""])[1:2]
    time = header.get("TIME", ["", ""])[1:2]
    fields: dict[str, Any] = {
        "instrument": f"Gamry {header['PSTAT'][1]}" if len(header.get("PSTAT", [])) > 1 else None,
        "technique": technique,
        "dc_potential_v": dc_potential,
        "dc_current_a": _value(header, "IDC") if technique == "GEIS" else None,
        "ac_amplitude_v": rescale(vac_mv, 1e-3) if technique == "PEIS" and vac_mv is not None else None,
        "ac_amplitude_a": (_value(header, "IACREQ") or _value(header, "IAC"))
        if technique == "GEIS"
        else None,
        "area_cm2": _value(header, "AREA"),
        "start_time": parse_datetime(" ".join(date + time), _DATE_FORMATS),
        "temperature_k": None,
    }
    fields["temperature_k"], temperature_note = plausible_temperature_k(_temperature_k(temp_c), "Temp column")
    vdc_col = table.column(path, "Vdc", required=False)
    idc_col = table.column(path, "Idc", required=False)
    dc_source = "header IDC" if fields["dc_current_a"] is not None else None
    if technique == "GEIS" and fields["dc_current_a"] is None and idc_col is not None and idc_col.size:
        # a stripped header (scripted runs) has no IDC line: the DC set-point of a galvanostatic run is
        # what its Idc column holds throughout (Gamry logs the DC current at every point)
        fields["dc_current_a"] = float(np.median(idc_col))
        dc_source = "median of the Idc column (no IDC line in the header)"
    extra = {
        "tag": tag,
        "title": header.get("TITLE", ["", ""])[1] if len(header.get("TITLE", [])) > 1 else None,
        "vdc_setpoint_v": vdc,
        "vdc_vs": ("Eoc" if vs_eoc else "Eref") if vdc is not None else None,
        "eoc_v": eoc,
        "ac_amplitude_kind": "rms",
        "framework_version": header.get("FRAMEWORKVERSION", [None, None])[1],
        "aborted": "EXPERIMENTABORTED" in header,
        "drift_correction": (
            "used the drift-corrected ZrealDrCor/ZimagDrCor columns; the raw Zreal/Zimag are in "
            "extra['uncorrected_zreal_ohm'] / ['uncorrected_zimag_ohm']"
        )
        if drift
        else None,
        "uncorrected_zreal_ohm": z_raw.real.tolist() if drift else None,
        "uncorrected_zimag_ohm": z_raw.imag.tolist() if drift else None,
        "dropped_metadata": temperature_note,
        "mean_vdc_v": None if vdc_col is None else float(np.mean(vdc_col)),
        "mean_idc_a": None if idc_col is None else float(np.mean(idc_col)),
        "dc_current_source": dc_source,
    }
    return [make_spectrum(path, FORMAT, f, z, lines=table.lines, times=times, extra=extra, **fields)]


# ------------------------------------------------------------------------------------------ DC files

#: Gamry ``TAG`` → nakinetics DC technique.
DC_TECHNIQUES: dict[str, DCTechnique] = {
    "POTENTIODYNAMIC": "POTDYN",
    "TAFEL": "Tafel",
    "CV": "CV",
    "LSV": "LSV",
    "CORPOT": "OCV",
    "CHRONOP": "CP",
    "CHRONOA": "CA",
}
_DC_TABLE = re.compile(r"^CURVE\d*\tTABLE", re.MULTILINE)
_RATE_UNIT = re.compile(r"\(([^()]*/\s*(?:s|min))\)")


def _unit_of(lines: list[str], start: int, column: str) -> str | None:
    """The unit-line entry of ``column`` in the table starting at ``start`` (``"V vs. Ref."``)."""
    split = split_on("\t", strip_line=True)
    names, units = split(lines[start + 1]), split(lines[start + 2])
    return units[names.index(column)] if column in names and names.index(column) < len(units) else None


def _dc_value(header: dict[str, list[str]], name: str) -> tuple[float | None, bool]:
    """(value, relative to Eoc) of a ``NAME POTEN value T|F description`` line."""
    fields = header.get(name, [])
    value = header_float(fields[1]) if len(fields) > 1 else None
    return value, len(fields) > 2 and fields[2] == "T"


def _overloads(lines: list[str], table: Table) -> tuple[list[int], list[str]]:
    """(row indices, flags) of the rows whose ``Over`` field is not all dots (Gamry marks an overload or
    a range problem with a letter: ``....ih..i..``)."""
    if "Over" not in table.names:
        return [], []
    j = table.names.index("Over")
    split = split_on("\t", strip_line=True)
    fields = [split(lines[n - 1]) for n in table.lines]
    flagged = [(k, f[j]) for k, f in enumerate(fields) if j < len(f) and f[j].strip(".")]
    return [k for k, _ in flagged], [flag for _, flag in flagged]


def read_gamry_dc(path: Path, options: DCOptions) -> list[DCRecord]:
    """Read the ``CURVE`` table(s) of a Gamry DC ``.DTA`` file (POTENTIODYNAMIC, TAFEL, CV, LSV, CORPOT,
    CHRONOP, CHRONOA ...): one record; a CV's ``CURVE1 … CURVEn`` tables become cycles 0 … n−1.

    Columns ``T`` (s), ``Vf`` (V vs. Ref., the filtered measured potential) and ``Im`` (A).  Sign:
    ``CONVENTION 1`` (or absent) is taken as anodic positive, as in the sample POTDYN file whose currents
    are negative below Eoc and positive above; ``CONVENTION 0`` (cathodic positive, inferred — no real
    file seen) is flipped; a ``current_convention`` given by the caller overrides it.  A CORPOT record has
    no ``Im``: its current is zero.  ``SCANRATE`` is converted with the unit in its description
    (``mV/s``); ``AREA`` in cm².  Rows flagged in the ``Over`` column (overload, range change) are kept;
    their 0-based indices and flags are listed in ``extra["overload_rows"]`` / ``extra["overload_flags"]``.
    """
    lines = read_lines(path)
    header = _header(lines)
    tag = header.get("TAG", [""])[0]
    starts = [i for i, line in enumerate(lines) if re.match(r"^CURVE\d*\tTABLE", line)]
    if not starts:
        if _table_start(lines, "ZCURVE") is not None:
            raise fail(path, f"TAG {tag!r} is an impedance file (ZCURVE table); use read_spectra")
        raise fail(path, f"no CURVE table (TAG {tag!r}); expected a Gamry DC file with Pt T Vf Im columns")
    tables = [_read_table(path, lines, start, usecols=["T", "Vf", "Im"]) for start in starts]
    for table in tables:
        table.index(path, "Vf")
    time = np.concatenate([t.column(path, "T") for t in tables])
    potential = np.concatenate([t.column(path, "Vf") for t in tables])
    line_numbers = np.concatenate([t.lines for t in tables])
    technique = DC_TECHNIQUES.get(tag, "unknown")
    convention = header.get("CONVENTION", ["", "1"])[1]
    flip = convention == "0" and options.current_convention is None
    if all("Im" in t.names for t in tables):
        reject_given_current(path, options, "Im")
        current = np.concatenate([t.column(path, "Im") for t in tables]) * (-1.0 if flip else 1.0)
        source = "file"
    elif any("Im" in t.names for t in tables):
        raise fail(path, "some CURVE tables have an Im column and some do not")
    else:
        current, source = supplied_current(
            path, options, potential.size, open_circuit=tag == "CORPOT", missing="'Im'"
        )
    offsets = np.cumsum([0] + [len(t.lines) for t in tables])
    overloads = [_overloads(lines, t) for t in tables]
    overload_rows = [int(offsets[k] + row) for k, (rows, _) in enumerate(overloads) for row in rows]
    overload_flags = [flag for _, flags in overloads for flag in flags]
    cycle = None
    if len(tables) > 1:
        cycle = np.concatenate([np.full(len(t.lines), k) for k, t in enumerate(tables)])
    rate = _value(header, "SCANRATE")
    rate_fields = header.get("SCANRATE", [])
    unit = _RATE_UNIT.search(rate_fields[-1]) if rate_fields else None
    scale = scan_rate_scale(unit.group(1).replace(" ", "") if unit else "mV/s")
    eoc = _value(header, "EOC")
    extra: dict[str, Any] = {"tag": tag, "eoc_v": eoc, "current_source": source}
    for name in ("VINIT", "VFINAL", "VLIMIT1", "VLIMIT2", "VAPEX1", "VAPEX2"):
        value, vs_eoc = _dc_value(header, name)
        if value is not None:
            extra[f"{name.lower()}_setting_v"] = value
            extra[f"{name.lower()}_vs"] = "Eoc" if vs_eoc else "Eref"
            if vs_eoc and eoc is not None:
                extra[f"{name.lower()}_v"] = value + eoc
    temp_c = np.concatenate([t.column(path, "Temp") for t in tables]) if "Temp" in tables[0].names else None
    date = header.get("DATE", ["", ""])[1:2]
    clock = header.get("TIME", ["", ""])[1:2]
    extra.update(
        {
            "title": header.get("TITLE", ["", ""])[1] if len(header.get("TITLE", [])) > 1 else None,
            "current_convention": (FLIPPED if flip else AS_WRITTEN) + f" (CONVENTION {convention})",
            "framework_version": header.get("FRAMEWORKVERSION", [None, None])[1],
            "aborted": "EXPERIMENTABORTED" in header,
            "n_tables": len(tables),
            "overload_rows": overload_rows or None,
            "overload_flags": overload_flags or None,
            "potential_unit": _unit_of(lines, starts[0], "Vf"),
        }
    )
    return [
        make_record(
            path,
            FORMAT,
            potential,
            current,
            options=options,
            time=time,
            cycle=cycle,
            lines=line_numbers,
            extra=extra,
            instrument=f"Gamry {header['PSTAT'][1]}" if len(header.get("PSTAT", [])) > 1 else None,
            technique=technique,
            scan_rate_v_s=None if rate is None or scale is None else rescale(abs(rate), scale),
            area_cm2=_value(header, "AREA"),
            temperature_k=_temperature_k(temp_c),
            start_time=parse_datetime(" ".join(date + clock), _DATE_FORMATS),
        )
    ]


DTA = FileFormat(
    name=FORMAT,
    title="Gamry Framework EXPLAIN (.DTA)",
    extensions=(".dta",),
    signature=lambda head: head.nonblank[0] == "EXPLAIN",
    readers={"spectrum": read_gamry, "dc": read_gamry_dc},
    metadata="potentiostat, technique, start time, DC level (vs. Eref or Eoc + EOC), AC amplitude, area, "
    "temperature; drift-corrected Z",
    tested_with="Gamry Framework 7 (Reference 600+/3000, EISPOT, GALVEIS, POTDYN)",
)
