"""BioLogic EC-Lab files: ``.mpt`` text export (own parser) and ``.mpr`` binary (through galvani).

``.mpt`` layout: line 1 ``EC-Lab ASCII FILE``, line 2 ``Nb header lines : N``, technique name
(``Potentio``/``Galvano Electrochemical Impedance Spectroscopy``), ``key : value`` lines
(``Acquisition started on : 01/10/2024 11:02:29.886``, ``Device : SP-300``, ``Electrode surface area``),
a fixed-width parameter block (``Is``/``unit Is``, ``Ia``/``unit  Ia``, ``E (V)``/``vs.``, ``Va (mV)``,
``fi``/``unit fi`` ...), optional ``Loop k from point number a to b`` lines, then the tab-separated
column header on line N and the data.  Text is cp1252/latin-1, line ends LF or CRLF, decimal
separator ``.`` or ``,`` (comma-locale PCs).

Sign: EC-Lab stores ``-Im(Z)/Ohm``; it is flipped once here so that Z'' < 0 is capacitive.
Loops become separate spectra (``Loop`` lines, or frequency resets when there are none).
Dates are read month-first (``MM/DD/YYYY``, EC-Lab's format; the ``.mpr`` timestamps of the sample files
agree); the raw text is kept in ``extra["acquisition_started_on"]``.
"""

from __future__ import annotations

import itertools
import re
import struct
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from .._typing import FloatArray
from ..data import Spectrum, Technique
from ._common import (
    fail,
    header_float,
    key_values,
    make_spectrum,
    numeric_rows,
    parse_datetime,
    read_lines,
    rescale,
    split_on,
    split_sweeps,
    technique_from_control,
    to_complex,
    unit_scale,
)

FORMAT_MPT = "biologic-mpt"
FORMAT_MPR = "biologic-mpr"
_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")
_LOOP = re.compile(r"^Loop\s+(\d+)\s+from point number\s+(\d+)\s+to\s+(\d+)")
_PARAMETER_WIDTH = 20
#: ``.mpr`` settings module, first byte: EC-Lab technique id (as tabulated by yadg; checked on the samples).
_MPR_TECHNIQUE_ID: dict[int, Technique] = {0x1D: "PEIS", 0x1E: "GEIS"}


def _loop_slices(lines: list[str], n_points: int, path: Path) -> list[slice] | None:
    loops = [tuple(int(g) for g in m.groups()) for m in map(_LOOP.match, lines) if m]
    if not loops:
        return None
    slices = []
    for _, first, last in loops:
        if not 0 <= first <= last < n_points:
            raise fail(path, f"loop from point {first} to {last} is outside the {n_points} data rows")
        slices.append(slice(first, last + 1))
    return slices


def _parameters(lines: list[str]) -> dict[str, str]:
    """Fixed-width parameter block (20-character columns: ``unit  Ia            µA``) → first value of
    each key (sequences write one 20-character column per sequence)."""
    out: dict[str, str] = {}
    w = _PARAMETER_WIDTH
    for line in lines:
        if len(line) > w and line[w - 1] == " " and line[w] != " " and ":" not in line[:w]:
            out.setdefault(" ".join(line[:w].split()), line[w : 2 * w].strip())
    return out


def _scaled(params: Mapping[str, str], key: str, quantity: str) -> float | None:
    """``params[key]`` in the unit named by ``params["unit " + key]``, converted to SI (A, V, Hz)."""
    value = header_float(params.get(key))
    if value is None:
        return None
    scale = unit_scale(params.get(f"unit {key}"), quantity)
    return None if scale is None else rescale(value, scale)


def _header_metadata(lines: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Metadata fields and ``extra`` from the ``.mpt`` header lines."""
    info = key_values(lines, " : ")
    params = _parameters(lines)
    technique_line = next((ln for ln in lines[:8] if "Impedance Spectroscopy" in ln), "")
    technique = technique_from_control(technique_line, "Potentio", "Galvano")
    device = info.get("Device", "").split("(")[0].strip()
    area, area_unit = header_float(info.get("Electrode surface area")), ""
    if area is not None:
        area_unit = info["Electrode surface area"].split()[-1]
    fields: dict[str, Any] = {
        "instrument": f"BioLogic {device}" if device else None,
        "technique": technique,
        "area_cm2": area if area and area_unit.startswith("cm") else None,
        "start_time": parse_datetime(info.get("Acquisition started on"), _DATE_FORMATS),
    }
    # DC set-points count only when absolute: Is "vs. <None>", E "vs. Ref" (not vs. Eoc/Ectrl/Imeas ...)
    if technique == "GEIS":
        if params.get("vs.", "<None>") == "<None>":
            fields["dc_current_a"] = _scaled(params, "Is", "a")
        fields["ac_amplitude_a"] = _scaled(params, "Ia", "a")
    elif technique == "PEIS":
        va = header_float(params.get("Va (mV)"))
        fields["ac_amplitude_v"] = _scaled(params, "Va", "v") if va is None else rescale(va, 1e-3)
        if params.get("vs.") == "Ref":
            fields["dc_potential_v"] = header_float(params.get("E (V)"))
    software = next((ln.strip() for ln in lines if ln.strip().endswith("(software)")), None)
    extra = {
        "technique_line": technique_line.strip() or None,
        "software": software,
        "channel": info.get("Run on channel"),
        "acquisition_started_on": info.get("Acquisition started on"),
        "dc_setpoint": params.get("Is" if technique == "GEIS" else "E (V)"),
        "dc_setpoint_vs": params.get("vs."),
        "freq_initial_hz": _scaled(params, "fi", "hz"),
        "freq_final_hz": _scaled(params, "ff", "hz"),
        "points_per_decade": header_float(params.get("Nd")),
        "measures_per_frequency": header_float(params.get("Na")),
    }
    return fields, extra


def _spectra(
    path: Path,
    fmt: str,
    columns: Mapping[str, FloatArray],
    line_numbers: np.ndarray | None,
    loops: list[slice] | None,
    fields: dict[str, Any],
    extra: dict[str, Any],
    header_line: int | None = None,
) -> list[Spectrum]:
    """Shared by ``.mpt`` and ``.mpr``: columns by name → one spectrum per loop."""
    missing = [name for name in ("freq/Hz", "Re(Z)/Ohm") if name not in columns]
    if missing:
        found = ", ".join(name for name in columns if name)
        raise fail(
            path,
            f"column header lacks {' and '.join(repr(m) for m in missing)} (found: {found}); expected an EIS export with "
            "freq/Hz, Re(Z)/Ohm and -Im(Z)/Ohm",
            header_line,
        )
    f = columns["freq/Hz"]
    if "-Im(Z)/Ohm" in columns:
        z = to_complex(columns["Re(Z)/Ohm"], -columns["-Im(Z)/Ohm"])
    elif "Im(Z)/Ohm" in columns:
        z = to_complex(columns["Re(Z)/Ohm"], columns["Im(Z)/Ohm"])
    else:
        raise fail(path, "no '-Im(Z)/Ohm' column; expected freq/Hz, Re(Z)/Ohm and -Im(Z)/Ohm", header_line)
    times = columns.get("time/s")
    ewe, current = columns.get("<Ewe>/V"), columns.get("<I>/mA")
    start: datetime | None = fields.pop("start_time", None)
    slices = loops or split_sweeps(f)
    spectra = []
    for index, part in enumerate(slices):
        part_extra = dict(extra, loop=index, n_loops=len(slices))
        if ewe is not None:
            part_extra["mean_ewe_v"] = float(np.mean(ewe[part]))
        if current is not None:
            part_extra["mean_i_a"] = float(np.mean(current[part])) * 1e-3
        begin = start
        if start is not None and times is not None and index > 0:
            begin = start + timedelta(seconds=float(times[part][0] - times[slices[0]][0]))
        spectra.append(
            make_spectrum(
                path,
                fmt,
                f[part],
                z[part],
                lines=None if line_numbers is None else line_numbers[part],
                times=None if times is None else times[part],
                index=index,
                extra=part_extra,
                start_time=begin,
                **fields,
            )
        )
    return spectra


def read_mpt(path: Path) -> list[Spectrum]:
    """Read an EC-Lab ``.mpt`` EIS export; one spectrum per loop (``start_time`` of loop k is the
    acquisition start plus the time elapsed since loop 0's first point)."""
    lines = read_lines(path)
    if not lines[0].startswith(("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")):
        raise fail(path, f"first line is {lines[0][:40]!r}; expected 'EC-Lab ASCII FILE'", 1)
    n_header = header_float(lines[1].partition(":")[2]) if len(lines) > 1 else None
    if n_header is None or not 2 <= n_header <= len(lines):
        raise fail(path, "expected 'Nb header lines : N' with N within the file", 2)
    header = int(n_header) - 1
    names = lines[header].split("\t")
    rows = lines[header + 1 :]
    decimal_comma = any("," in row for row in rows[:5])
    table = numeric_rows(
        path, lines, header + 1, split=split_on("\t"), min_fields=2, decimal_comma=decimal_comma, names=names
    )
    columns = {name.strip(): table.data[:, j] for j, name in enumerate(names) if j < table.data.shape[1]}
    fields, extra = _header_metadata(lines[:header])
    extra["decimal_comma"] = decimal_comma
    loops = _loop_slices(lines[:header], len(table.lines), path)
    return _spectra(path, FORMAT_MPT, columns, table.lines, loops, fields, extra, header + 1)


def read_mpr(path: Path) -> list[Spectrum]:
    """Read an EC-Lab ``.mpr`` binary file through galvani (optional, GPL-3; imported here only).

    galvani gives the data columns, loop indexes and acquisition timestamp; the technique comes from the
    settings module's technique id.  Amplitude and DC set-points are not decoded (use the ``.mpt``).
    """
    try:
        from galvani import BioLogic  # optional GPL-3 dependency, imported lazily
    except ImportError:
        raise fail(
            path,
            'reading BioLogic .mpr files needs the optional package galvani: pip install "nakinetics[mpr]"',
        ) from None
    try:
        with path.open("rb") as handle:
            mpr = BioLogic.MPRfile(handle)
    except (ValueError, NotImplementedError, KeyError, struct.error, EOFError) as err:
        raise fail(path, f"galvani cannot read this .mpr file: {err}") from None
    data = mpr.data
    columns = {name: np.asarray(data[name], dtype=np.float64) for name in data.dtype.names}
    loops = None
    loop_index = getattr(mpr, "loop_index", None)
    if loop_index is not None and len(loop_index) > 2:
        bounds = [int(k) for k in loop_index]
        loops = [slice(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    settings = next((m["data"] for m in mpr.modules if m["shortname"].strip() == b"VMP Set"), b"")
    technique = _MPR_TECHNIQUE_ID.get(settings[0]) if settings else None
    timestamp = getattr(mpr, "timestamp", None)
    fields: dict[str, Any] = {
        "technique": technique,
        "start_time": timestamp if isinstance(timestamp, datetime) else None,
    }
    extra = {"mpr_version": getattr(mpr, "version", None), "reader": "galvani"}
    return _spectra(path, FORMAT_MPR, columns, None, loops, fields, extra)
