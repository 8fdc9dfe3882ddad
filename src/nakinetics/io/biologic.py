"""BioLogic EC-Lab files: ``.mpt`` text export (own parser) and ``.mpr`` binary (through galvani).

``.mpt`` layout: line 1 ``EC-Lab ASCII FILE``, line 2 ``Nb header lines : N``, technique name
(``Potentio``/``Galvano Electrochemical Impedance Spectroscopy``), ``key : value`` lines
(``Acquisition started on : 01/10/2024 11:02:29.886``, ``Device : SP-300``, ``Electrode surface area``),
a fixed-width parameter block (``Is``/``unit Is``, ``Ia``/``unit  Ia``, ``E (V)``/``vs.``, ``Va (mV)``,
``fi``/``unit fi`` ...), optional ``Loop k from point number a to b`` lines, then the tab-separated
column header on line N and the data.  Text is cp1252/latin-1, line ends LF or CRLF, decimal
separator ``.`` or ``,`` (comma-locale PCs).

Sign: EC-Lab stores ``-Im(Z)/Ohm``; it is flipped once here so that Z'' < 0 is capacitive.
Loops become separate spectra (``Loop`` lines, or frequency resets when there are none).  An aborted run
declares loops in the header that the data do not reach: the complete loops are read, the loop the file
ends in is read as far as it goes with a note in ``extra["partial_loop"]``, loops with no data are named
in that note.
Dates are read month-first (``MM/DD/YYYY``, EC-Lab's format; the ``.mpr`` timestamps of the sample files
agree); the raw text is kept in ``extra["acquisition_started_on"]``.

DC ``.mpt`` exports (CV, LSV, OCV, CP, CA, ...) are read by :func:`read_mpt_dc` (technique from the
technique line, ``dE/dt`` + ``dE/dt unit`` for the scan rate, potential/current/time/cycle columns).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from .._typing import FloatArray
from ..data import DCRecord, DCTechnique, Spectrum, Technique
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
    technique_from_control,
    to_complex,
    unit_scale,
)
from ._dc import (
    AS_WRITTEN,
    DCOptions,
    make_record,
    reject_given_current,
    scan_rate_scale,
    supplied_current,
    zero_based,
)
from ._frequency_sweeps import split_sweeps
from ._mpr_settings import device_name, eis_settings, settings_area_cm2
from ._registry import FileFormat
from ._source import open_source

FORMAT_MPT = "biologic-mpt"
FORMAT_MPR = "biologic-mpr"
#: EC-Lab writes the date month first, with "/" or (in its log and some exports) "-" between the fields.
_DATE_FORMATS = tuple(
    f"%m{sep}%d{sep}%Y {clock}" for sep in "/-" for clock in ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M")
)
_LOOP = re.compile(r"^Loop\s+(\d{1,12})\s+from point number\s+(\d{1,12})\s+to\s+(\d{1,12})\b")
_PARAMETER_WIDTH = 20
#: ``.mpr`` settings module, first byte: EC-Lab technique id (as tabulated by yadg; checked on the samples).
_MPR_TECHNIQUE_ID: dict[int, Technique] = {0x1D: "PEIS", 0x1E: "GEIS"}


#: Offset in the ``.mpr`` log module (as documented by yadg's EC-Lab extractor and checked on the sample
#: files against their ``.mpt`` twins): EC-Lab version (Pascal string).
_MPR_SOFTWARE = 0x03B7


def _mpr_text(data: bytes, offset: int) -> str | None:
    """A Pascal string (length byte, then latin-1 text) at ``offset``; ``None`` if absent or not text."""
    if len(data) <= offset:
        return None
    text = data[offset + 1 : offset + 1 + data[offset]].decode("latin-1")
    return f"EC-Lab {text}" if text and text.isprintable() else None


@dataclass(frozen=True)
class _Loops:
    """The ``Loop k from point number a to b`` lines clipped to the data: one slice per loop that holds
    data, and a note per loop the file ends inside (an aborted run: the header declares every loop)."""

    slices: list[slice]
    partial: dict[int, str]


def _loop_slices(lines: list[str], n_points: int, path: Path) -> _Loops | None:
    loops = [tuple(int(g) for g in m.groups()) for m in map(_LOOP.match, lines) if m]
    if not loops:
        return None
    slices: list[slice] = []
    partial: dict[int, str] = {}
    empty: list[int] = []
    for number, first, last in loops:
        if first > last:
            raise fail(path, f"loop {number} from point {first} to {last} ends before it starts")
        if first >= n_points:  # declared, never measured
            empty.append(number)
            continue
        if last >= n_points:
            partial[len(slices)] = (
                f"partial loop: the header declares loop {number} from point {first} to {last}, the file ends "
                f"at point {n_points - 1} ({n_points - first} of {last - first + 1} points; an aborted run?)"
            )
        slices.append(slice(first, min(last, n_points - 1) + 1))
    if empty and slices:
        last_one = len(slices) - 1
        partial[last_one] = (
            partial.get(last_one, "the record ends here")
            + f"; loop(s) {', '.join(map(str, empty))} declared in the header hold no data"
        )
    if not slices:
        raise fail(path, f"every loop of the header starts after the {n_points} data rows")
    return _Loops(slices, partial)


def _loop_start(
    start: datetime | None, times: FloatArray | None, loops: list[slice], index: int
) -> datetime | None:
    """Start of loop ``index``: the acquisition start plus the ``time/s`` of its first point (EC-Lab counts
    ``time/s`` from "Acquisition started on"; a rest or OCV step before the first loop makes it > 0)."""
    if start is None or times is None or not len(times[loops[index]]):
        return start
    offset = float(times[loops[index]][0])
    if not (math.isfinite(offset) and 0 <= offset < 1e10):  # NaN, inf or 1e20 s: no usable elapsed time
        return start
    return start + timedelta(seconds=offset)


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


def _start_time(text: str | None) -> datetime | None:
    """``"01/10/2024 11:02:29.886"`` (month first; comma-locale PCs write ``11:02:29,886``) → datetime."""
    return parse_datetime(None if text is None else text.replace(",", "."), _DATE_FORMATS)


SEPARATE_REFERENCE_V = 0.01
"""EC-Lab records the counter electrode's potential against the reference input (``Record Ece``: columns
``<Ece>/V`` or ``Ece/V``).  In a two-electrode cell the reference lead is tied to the counter, so E_ce is zero;
a median |E_ce| above 10 mV means a separate reference electrode: a three-electrode measurement."""
_ECE_COLUMNS = ("<Ece>/V", "Ece/V")


def reference_electrode(
    info: Mapping[str, str], columns: Mapping[str, FloatArray] | None = None
) -> str | None:
    """The reference electrode the file names (the ``Reference electrode`` header entry EC-Lab writes when one
    was chosen), else one its recorded counter-electrode potential shows (:data:`SEPARATE_REFERENCE_V`), else
    ``None``."""
    named = info.get("Reference electrode")
    if named:
        return named
    ece = next((columns[name] for name in _ECE_COLUMNS if columns and name in columns), None)
    if ece is None or not np.isfinite(ece).any():
        return None
    median = float(np.nanmedian(ece))
    if abs(median) <= SEPARATE_REFERENCE_V:
        return None
    return f"Ref (the counter electrode sits at {median:+.3g} V against it)"


def header_metadata(lines: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
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
        "start_time": _start_time(info.get("Acquisition started on")),
    }
    # DC set-points count only when absolute: Is "vs. <None>", E "vs. Ref" (not vs. Eoc/Ectrl/Imeas ...)
    if technique == "GEIS":
        if params.get("vs.", "<None>") == "<None>":
            fields["dc_current_a"] = _scaled(params, "Is", "a")
        if params.get("Ia/Va", "Ia") == "Ia":  # "Va": the amplitude was set as a voltage, Ia is not it
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
        "reference": reference_electrode(info),
        "electrolyte": info.get("Electrolyte") or None,
        "electrode_material": info.get("Electrode material") or None,
        "header": {key: value for key, value in info.items() if value},
    }
    return fields, extra


def _spectra(
    path: Path,
    fmt: str,
    columns: Mapping[str, FloatArray],
    line_numbers: np.ndarray | None,
    loops: _Loops | None,
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
    partial = loops.partial if loops else {}
    slices = loops.slices if loops else split_sweeps(f)
    extra = dict(extra, reference=extra.get("reference") or reference_electrode({}, columns))
    spectra = []
    for index, part in enumerate(slices):
        part_extra = dict(extra, loop=index, n_loops=len(slices), partial_loop=partial.get(index))
        if ewe is not None:
            part_extra["mean_ewe_v"] = float(np.mean(ewe[part]))
        if current is not None:
            part_extra["mean_i_a"] = float(np.mean(current[part])) * 1e-3
        begin = _loop_start(start, times, slices, index)
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


@dataclass(frozen=True)
class _Mpt:
    """An ``.mpt`` file split into header lines and its data columns (by name)."""

    lines: list[str]
    header: int  # index of the column-header line
    columns: dict[str, FloatArray]
    line_numbers: np.ndarray
    decimal_comma: bool


def _read_mpt_table(path: Path) -> _Mpt:
    lines = read_lines(path)
    if not lines[0].startswith(("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")):
        raise fail(path, f"first line is {lines[0][:40]!r}; expected 'EC-Lab ASCII FILE'", 1)
    n_header = header_float(lines[1].partition(":")[2]) if len(lines) > 1 else None
    if n_header is None or not 2 <= n_header <= len(lines):
        raise fail(path, "expected 'Nb header lines : N' with N within the file", 2)
    header = int(n_header) - 1
    names = lines[header].split("\t")
    decimal_comma = any("," in row for row in lines[header + 1 :])  # tab-separated: a comma is decimal
    table = numeric_rows(
        path, lines, header + 1, split=split_on("\t"), min_fields=2, decimal_comma=decimal_comma, names=names
    )
    columns = {name.strip(): table.data[:, j] for j, name in enumerate(names) if j < table.data.shape[1]}
    return _Mpt(lines, header, columns, table.lines, decimal_comma)


def read_mpt(path: Path) -> list[Spectrum]:
    """Read an EC-Lab ``.mpt`` EIS export; one spectrum per loop (``start_time`` of loop k is the
    acquisition start plus the time elapsed since loop 0's first point)."""
    mpt = _read_mpt_table(path)
    head = mpt.lines[: mpt.header]
    fields, extra = header_metadata(head)
    extra["decimal_comma"] = mpt.decimal_comma
    loops = _loop_slices(head, len(mpt.line_numbers), path)
    return _spectra(path, FORMAT_MPT, mpt.columns, mpt.line_numbers, loops, fields, extra, mpt.header + 1)


# ------------------------------------------------------------------------------------------ DC exports

#: EC-Lab technique line → nakinetics DC technique.
DC_TECHNIQUES: dict[str, DCTechnique] = {
    "Cyclic Voltammetry": "CV",
    "Cyclic Voltammetry Advanced": "CV",
    "Linear Sweep Voltammetry": "LSV",
    "Linear Polarization": "POTDYN",
    "Open Circuit Voltage": "OCV",
    "Chronopotentiometry": "CP",
    "Galvanostatic Cycling with Potential Limitation": "CP",
    "Constant Current": "CP",
    "Chronoamperometry / Chronocoulometry": "CA",
    "Constant Voltage": "CA",
}
_POTENTIALS = ("Ewe/V", "<Ewe>/V", "<Ewe/V>", "Ecell/V", "<Ecell>/V", "Ewe-Ece/V")
_CURRENTS = ("<I>", "I")  # EC-Lab writes "<I>/mA" or "I/mA"; other units (A, µA, nA) are scaled


def _dc_technique(head: list[str], path: Path) -> tuple[DCTechnique, str]:
    """(technique, technique line) from the first header lines; impedance exports are rejected."""
    line = next((ln.strip() for ln in head[2:8] if ln.strip()), "")
    if "Impedance Spectroscopy" in line:
        raise fail(
            path, f"EC-Lab technique {line!r} holds impedance spectra, not a DC record; use read_spectra"
        )
    return DC_TECHNIQUES.get(line, "unknown"), line


def read_mpt_dc(path: Path, options: DCOptions) -> list[DCRecord]:
    """Read an EC-Lab ``.mpt`` DC export (CV, LSV, linear polarization, OCV, CP/GCPL, CA): one record
    per loop (``Loop k from point number a to b`` lines), else one record.

    Columns: potential ``Ewe/V`` (or ``<Ewe>/V``, ``<Ewe/V>``; ``Ecell/V`` for a two-electrode cell,
    then ``reference = "cell voltage"``), current ``<I>/mA`` or ``I/mA`` (also A, µA, nA; → A; EC-Lab
    writes anodic current positive), ``time/s``, ``cycle number`` (→ 0-based ``cycle``).  An OCV record has no current
    column: its current is zero.  Scan rate from ``dE/dt`` + ``dE/dt unit``; area from
    ``Electrode surface area`` (EC-Lab's default 0.001 cm² is often a placeholder: check it).
    """
    mpt = _read_mpt_table(path)
    head = mpt.lines[: mpt.header]
    technique, technique_line = _dc_technique(head, path)
    columns = mpt.columns
    if "freq/Hz" in columns:
        raise fail(
            path, "the file has a freq/Hz column (an impedance export); use read_spectra", mpt.header + 1
        )
    potential_name = next((n for n in _POTENTIALS if n in columns), None)
    if potential_name is None:
        found = ", ".join(n for n in columns if n)
        raise fail(
            path,
            f"no potential column (expected one of {', '.join(_POTENTIALS)}; found: {found})",
            mpt.header + 1,
        )
    current_name = next(
        (n for quantity in _CURRENTS for n in columns if n.partition("/")[0] == quantity and "/" in n), None
    )
    n_points = len(mpt.line_numbers)
    if current_name is None:
        current, source = supplied_current(
            path, options, n_points, open_circuit=technique == "OCV", missing="'<I>/mA' or 'I/mA'"
        )
    else:
        reject_given_current(path, options, current_name)
        unit = current_name.partition("/")[2]
        scale = unit_scale(unit, "a")
        if scale is None:
            raise fail(
                path,
                f"current column {current_name!r}: unit {unit!r} is not supported (expected A, mA, µA or nA)",
                mpt.header + 1,
            )
        current, source = rescale(columns[current_name], scale), "file"
    fields, extra = header_metadata(head)
    fields = {k: fields[k] for k in ("instrument", "area_cm2", "start_time")}
    info = key_values(head, " : ")
    params = _parameters(head)
    rate, rate_unit = header_float(params.get("dE/dt")), params.get("dE/dt unit")
    scale = scan_rate_scale(rate_unit)
    cycle, offset = (None, 0) if "cycle number" not in columns else zero_based(columns["cycle number"])
    reference = "cell voltage" if potential_name.startswith("Ecell") else reference_electrode(info, columns)
    dc_extra = {
        "technique_line": technique_line,
        "software": extra["software"],
        "channel": extra["channel"],
        "acquisition_started_on": extra["acquisition_started_on"],
        "decimal_comma": mpt.decimal_comma,
        "potential_column": potential_name,
        "current_column": current_name,
        "current_source": source,
        "current_convention": AS_WRITTEN,
        "cycle_offset": offset if cycle is not None else None,
        "scan_rate_setting": f"{rate} {rate_unit}" if rate is not None else None,
        "electrolyte": extra["electrolyte"],
        "electrode_material": extra["electrode_material"],
        "header": extra["header"],
    }
    start: datetime | None = fields.pop("start_time")
    time = columns.get("time/s")
    found = _loop_slices(head, n_points, path)
    loops = found.slices if found else [slice(0, n_points)]
    records = []
    for index, part in enumerate(loops):
        begin = _loop_start(start, time, loops, index)
        records.append(
            make_record(
                path,
                FORMAT_MPT,
                columns[potential_name][part],
                current[part],
                options=options,
                time=None if time is None else time[part],
                cycle=None if cycle is None else cycle[part],
                lines=mpt.line_numbers[part],
                index=index,
                extra=dict(
                    dc_extra,
                    loop=index if len(loops) > 1 else None,
                    partial_loop=found.partial.get(index) if found else None,
                ),
                technique=technique,
                scan_rate_v_s=None if rate is None or scale is None else rescale(abs(rate), scale),
                reference=reference,
                start_time=begin,
                **fields,
            )
        )
    return records


def read_mpr_dc(path: Path, options: DCOptions) -> list[DCRecord]:
    """BioLogic ``.mpr`` DC files are not read (galvani gives no technique for them): export ``.mpt``."""
    raise fail(path, "BioLogic .mpr DC files are not read; export the run as text (.mpt) from EC-Lab")


def read_mpr(path: Path) -> list[Spectrum]:
    """Read an EC-Lab ``.mpr`` binary file through galvani (optional, GPL-3; imported here only).

    galvani gives the data columns, loop indexes and acquisition timestamp; the technique, instrument model,
    area, AC amplitude, DC set-point and frequency settings are decoded from the settings module here
    (:mod:`._mpr_settings`), giving the metadata the ``.mpt`` export of the same run gives.
    """
    try:
        from galvani import BioLogic  # optional GPL-3 dependency, imported lazily
    except ImportError:
        raise fail(
            path,
            'reading BioLogic .mpr files needs the optional package galvani: pip install "nakinetics[mpr]"',
        ) from None
    try:
        mpr = BioLogic.MPRfile(open_source(path).stream())
        data = mpr.data
        columns = {name: np.asarray(data[name], dtype=np.float64) for name in data.dtype.names}
        loop_index = getattr(mpr, "loop_index", None)
        modules = list(mpr.modules)
    except Exception as err:  # galvani raises anything on a damaged file
        detail = " ".join(f"{type(err).__name__}: {err}".split())[:200]
        raise fail(path, f"galvani cannot read this .mpr file ({detail})") from err
    loops = None
    if loop_index is not None and len(loop_index) > 2:
        bounds = [int(k) for k in loop_index]
        loops = _Loops([slice(a, b) for a, b in itertools.pairwise(bounds) if b > a], {})
    settings = next((m["data"] for m in modules if m["shortname"].strip() == b"VMP Set"), b"")
    technique = _MPR_TECHNIQUE_ID.get(settings[0]) if settings else None
    log = next((m["data"] for m in modules if m["shortname"].strip() == b"VMP LOG"), b"")
    timestamp = getattr(mpr, "timestamp", None)
    area = settings_area_cm2(settings)
    device = device_name(settings)
    frequency = columns.get("freq/Hz")
    eis = eis_settings(
        settings, technique, float(frequency[0]) if frequency is not None and len(frequency) else math.nan
    )
    fields: dict[str, Any] = {
        "instrument": f"BioLogic {device}" if device else None,
        "technique": technique,
        "start_time": timestamp if isinstance(timestamp, datetime) else None,
        "area_cm2": area,
        "dc_potential_v": eis.dc_potential_v,
        "dc_current_a": eis.dc_current_a,
        "ac_amplitude_v": eis.ac_amplitude_v,
        "ac_amplitude_a": eis.ac_amplitude_a,
    }
    extra = {
        "mpr_version": getattr(mpr, "version", None),
        "reader": "galvani",
        "software": _mpr_text(log, _MPR_SOFTWARE),
        "dc_setpoint_vs": eis.setpoint_vs,
        "freq_initial_hz": eis.freq_initial_hz,
        "freq_final_hz": eis.freq_final_hz,
        "points_per_decade": eis.points_per_decade,
        "measures_per_frequency": eis.measures_per_frequency,
    }
    return _spectra(path, FORMAT_MPR, columns, None, loops, fields, extra)


MPR = FileFormat(
    name=FORMAT_MPR,
    title="BioLogic EC-Lab binary (.mpr)",
    extensions=(".mpr",),
    signature=lambda head: head.raw.startswith(b"BIO-LOGIC MODULAR FILE"),
    readers={"spectrum": read_mpr, "dc": read_mpr_dc},
    metadata="device, technique, start time, AC amplitude, DC set-point, frequency settings, area, EC-Lab version, loops",
    tested_with="EC-Lab 11.18, 11.50 (SP-150, SP-300, VSP); needs the optional galvani",
)
MPT = FileFormat(
    name=FORMAT_MPT,
    title="BioLogic EC-Lab text export (.mpt)",
    extensions=(".mpt",),
    signature=lambda head: head.lines[0].startswith(("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")),
    readers={"spectrum": read_mpt, "dc": read_mpt_dc},
    metadata="device, technique, start time per loop, AC amplitude, DC set-point, area, loops, decimal comma",
    tested_with="EC-Lab 11.18, 11.50, 11.52, 11.61 (SP-150, SP-300, VSP, VMP3)",
)
