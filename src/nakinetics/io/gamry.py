"""Gamry Framework ``.DTA`` (EXPLAIN format) impedance files: ``TAG EISPOT`` (PEIS) / ``EISGALV`` (GEIS).

Header lines are tab-separated ``NAME  TYPE  VALUE  [flag]  DESCRIPTION``; tables start with
``NAME  TABLE  [n]``, then a column-name line, a unit line and tab-indented rows.  The ``ZCURVE`` table
holds ``Pt Time Freq Zreal Zimag ...`` with Zimag signed (capacitive < 0).  ``EXPERIMENTABORTED`` marks
an aborted run: the rows present are read.  Decimal commas (comma-locale PCs) are accepted.

Metadata: ``PSTAT`` (instrument), ``DATE``/``TIME`` (month-first, as Gamry writes them), ``VDC`` (V; the
``T`` flag means "vs. Eoc", then ``EOC`` is added), ``VAC`` (mV rms), ``IDC``/``IACREQ`` (A, galvanostatic),
``AREA`` (cm²), ``Temp`` column (°C) when present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..data import Spectrum
from ._common import (
    fail,
    header_float,
    make_spectrum,
    numeric_rows,
    parse_datetime,
    read_lines,
    rescale,
    split_on,
    to_complex,
)

FORMAT = "gamry"
_TECHNIQUES = {"EISPOT": "PEIS", "EISGALV": "GEIS"}
_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _header(lines: list[str]) -> dict[str, list[str]]:
    """Top-level ``NAME TYPE VALUE ...`` lines (not table rows) → ``{NAME: [TYPE, VALUE, ...]}``."""
    out: dict[str, list[str]] = {}
    for line in lines:
        if line and not line[0].isspace():
            fields = line.split("\t")
            out.setdefault(fields[0].strip(), [f.strip() for f in fields[1:]])
    return out


def _value(header: dict[str, list[str]], name: str) -> float | None:
    fields = header.get(name)
    return header_float(fields[1]) if fields and len(fields) > 1 else None


def read_gamry(path: Path) -> list[Spectrum]:
    """Read the ``ZCURVE`` table of a Gamry ``.DTA`` file (one spectrum)."""
    lines = read_lines(path)
    header = _header(lines)
    tag = header.get("TAG", [""])[0]
    start = next((i for i, line in enumerate(lines) if line.split("\t")[0] == "ZCURVE"), None)
    if start is None:
        raise fail(path, f"no ZCURVE table (TAG {tag!r}); expected an EISPOT or EISGALV impedance file")
    split = split_on("\t", strip_line=True)
    names = split(lines[start + 1]) if start + 1 < len(lines) else []
    rows = lines[start + 3 :]
    decimal_comma = any("," in row for row in rows[:5])
    table = numeric_rows(
        path,
        lines,
        start + 3,
        split=split,
        min_fields=5,
        decimal_comma=decimal_comma,
        names=names,
        end_at=lambda line: bool(line) and not line[0].isspace(),
    )
    f = table.column(path, "Freq")
    z = to_complex(table.column(path, "Zreal"), table.column(path, "Zimag"))
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
        "temperature_k": None if temp_c is None or np.any(temp_c < -273) else float(np.mean(temp_c)) + 273.15,
    }
    vdc_col = table.column(path, "Vdc", required=False)
    idc_col = table.column(path, "Idc", required=False)
    extra = {
        "tag": tag,
        "title": header.get("TITLE", ["", ""])[1] if len(header.get("TITLE", [])) > 1 else None,
        "vdc_setpoint_v": vdc,
        "vdc_vs": ("Eoc" if vs_eoc else "Eref") if vdc is not None else None,
        "eoc_v": eoc,
        "ac_amplitude_kind": "rms",
        "framework_version": header.get("FRAMEWORKVERSION", [None, None])[1],
        "aborted": "EXPERIMENTABORTED" in header,
        "drift_corrected_columns": "ZrealDrCor" in names,
        "mean_vdc_v": None if vdc_col is None else float(np.mean(vdc_col)),
        "mean_idc_a": None if idc_col is None else float(np.mean(idc_col)),
    }
    return [make_spectrum(path, FORMAT, f, z, lines=table.lines, times=times, extra=extra, **fields)]
