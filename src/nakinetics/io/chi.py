"""CH Instruments text exports (CHI 6xx/7xx/11xx): ``A.C. Impedance`` spectra and DC techniques.

Layout::

    Feb. 20, 2020   15:55:08               date line (month style varies: "Feb.", "July", "Sept.")
    A.C. Impedance                         technique line
    Instrument Model:  CHI660E
    Init E (V) = 0                         "Name (unit) = value" parameters
    Amplitude (V) = 0.025
    Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg
                                           one blank line
    9.961e+4, 9.891e+1, -2.748e+0, ...     ", " separated rows; Z" signed (capacitive < 0)

CHI EIS is potential-controlled: technique PEIS, DC level ``Init E`` (V), amplitude ``Amplitude`` (V).

DC exports share the header; their parameters include ``Scan Rate (V/s)``, ``Init/High/Low/Final E (V)``,
``Init P/N``, ``Segment``; a CV adds ``Segment n:`` lines (with ``Ep``/``ip``/``Ah`` results when CHI found
peaks), then ``Potential/V, Current/A`` (Tafel Plot: ``+ log(i/A)``; bipotentiostat: ``i1/A, i2/A``).
Chronopotentiometry and open-circuit potential exports have ``Time/sec, Potential/V``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from ..data import DCRecord, DCTechnique, Spectrum
from ._common import (
    fail,
    header_float,
    key_values,
    make_spectrum,
    numeric_rows,
    read_lines,
    split_on,
    to_complex,
)
from ._dc import AS_WRITTEN, DCOptions, make_record, reject_given_current, supplied_current
from ._registry import FileFormat, Head

FORMAT = "chi"
_TECHNIQUE = "A.C. Impedance"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = re.compile(r"^\s*([A-Za-z]+)\.?\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})")


def parse_chi_date(line: str) -> datetime | None:
    """``"Feb. 20, 2020   15:55:08"`` (also ``"July 3, 2019"``, ``"Sept. 1, ..."``) → datetime."""
    match = _DATE.match(line)
    if not match or match.group(1)[:3].lower() not in _MONTHS:
        return None
    month = _MONTHS.index(match.group(1)[:3].lower()) + 1
    day, year, hour, minute, second = (int(g) for g in match.groups()[1:])
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _column_header(lines: list[str], start: str, expected: str, path: Path) -> int:
    """Index of the column-header line starting with ``start``."""
    header = next((i for i, line in enumerate(lines) if line.startswith(start)), None)
    if header is None:
        raise fail(path, f"no column header starting with {start!r} (expected {expected})")
    return header


def _split_row(line: str) -> list[str]:
    """CHI rows are ``", "``-separated; tab- or space-separated rows (hand-edited exports) also work."""
    return split_on(",")(line) if "," in line else line.split()


def read_chi(path: Path) -> list[Spectrum]:
    """Read a CHI ``A.C. Impedance`` text export (one spectrum); other CHI techniques are rejected."""
    lines = read_lines(path)
    technique = lines[1].strip() if len(lines) > 1 else ""
    if technique != _TECHNIQUE:
        hint = "; read DC techniques with read_dc_records" if technique in DC_TECHNIQUES else ""
        raise fail(
            path,
            f"CHI technique is {technique!r}; expected {_TECHNIQUE!r} (only impedance exports hold spectra){hint}",
            2,
        )
    header = _column_header(lines, "Freq/Hz", "Freq/Hz, Z'/ohm, Z\"/ohm, ...", path)
    names = [name.strip() for name in lines[header].split(",")]
    table = numeric_rows(path, lines, header + 1, split=split_on(","), min_fields=3, names=names)
    f = table.column(path, "Freq/Hz")
    z = to_complex(table.column(path, "Z'/ohm"), table.column(path, 'Z"/ohm', "Z''/ohm"))

    params = key_values(lines[2:header], " = ")
    info = key_values(lines[2:header], ":")
    extra = {
        "high_frequency_hz": header_float(params.get("High Frequency (Hz)")),
        "low_frequency_hz": header_float(params.get("Low Frequency (Hz)")),
        "quiet_time_s": header_float(params.get("Quiet Time (sec)")),
        "chi_technique": technique,
        "date_line": lines[0].strip(),
    }
    return [
        make_spectrum(
            path,
            FORMAT,
            f,
            z,
            lines=table.lines,
            extra=extra,
            instrument=info.get("Instrument Model") or None,
            technique="PEIS",
            dc_potential_v=header_float(params.get("Init E (V)")),
            ac_amplitude_v=header_float(params.get("Amplitude (V)")),
            start_time=parse_chi_date(lines[0]),
        )
    ]


# ------------------------------------------------------------------------------------------ DC exports

#: CHI technique line → nakinetics DC technique.
DC_TECHNIQUES: dict[str, DCTechnique] = {
    "Linear Sweep Voltammetry": "LSV",
    "Tafel Plot": "Tafel",
    "Cyclic Voltammetry": "CV",
    "Chronopotentiometry": "CP",
    "Open Circuit Potential - Time": "OCV",
}
_SEGMENT_RESULT = re.compile(r"^(Ep|ip|Ah)\s*=\s*(\S+?)\s*[VAC]?\s*$")


def _segment_results(lines: list[str]) -> list[dict[str, Any]]:
    """``Segment n:`` blocks with CHI's peak results (``Ep = 0.273V``, ``ip = 4.046e-6A``, ``Ah = ...C``).

    Only the first channel's blocks are read (a ``Current 2:`` line starts the second channel's)."""
    results: list[dict[str, Any]] = []
    for line in lines:
        line = line.strip()
        if line.startswith("Current 2"):
            break
        segment = re.match(r"^Segment\s+(\d+):", line)
        if segment:
            results.append({"segment": int(segment.group(1)), "peaks": []})
            continue
        match = _SEGMENT_RESULT.match(line)
        if match and results:
            key = {"Ep": "ep_v", "ip": "ip_a", "Ah": "ah_c"}[match.group(1)]
            peaks = results[-1]["peaks"]
            if not peaks or key in peaks[-1]:
                peaks.append({})
            peaks[-1][key] = header_float(match.group(2))
    return results


def read_chi_dc(path: Path, options: DCOptions) -> list[DCRecord]:
    """Read a CHI DC text export: LSV, Tafel Plot, CV (``Potential/V, Current/A[, log(i/A)]``; a
    bipotentiostat's ``Potential/V, i1/A, i2/A`` gives i1), chronopotentiometry and open-circuit
    potential (``Time/sec, Potential/V``).  One record.

    Sign: the exported numbers are taken as written (anodic positive): two real exports (CHI1100B
    ferricyanide CV, CHI760E RRDE) show reduction currents negative.  CHI's "US" plotting convention is a
    display option; an export that stores cathodic current positive would be read with the wrong sign.
    A CP export has no current column: pass ``options.current_a`` (the header's currents and polarity are
    kept in ``extra``).
    """
    lines = read_lines(path)
    chi_technique = lines[1].strip() if len(lines) > 1 else ""
    if chi_technique == _TECHNIQUE:
        raise fail(path, "CHI A.C. Impedance export holds a spectrum, not a DC record; use read_spectra", 2)
    technique = DC_TECHNIQUES.get(chi_technique)
    if technique is None:
        known = ", ".join(repr(t) for t in DC_TECHNIQUES)
        raise fail(path, f"CHI technique {chi_technique!r} is not read as a DC record (known: {known})", 2)
    time_based = technique in ("CP", "OCV")
    if time_based:
        header = _column_header(lines, "Time/sec", "Time/sec, Potential/V", path)
    else:
        header = _column_header(lines, "Potential/V", "Potential/V, Current/A", path)
    names = [name.strip() for name in lines[header].split(",")]
    table = numeric_rows(path, lines, header + 1, split=_split_row, min_fields=2, names=names)
    potential = table.column(path, "Potential/V")
    params = key_values(lines[2:header], " = ")
    info = key_values(lines[2:header], ":")
    extra: dict[str, Any] = {
        "chi_technique": chi_technique,
        "date_line": lines[0].strip(),
        "init_e_v": header_float(params.get("Init E (V)")),
        "high_e_v": header_float(params.get("High E (V)")),
        "low_e_v": header_float(params.get("Low E (V)")),
        "final_e_v": header_float(params.get("Final E (V)")),
        "initial_polarity": params.get("Init P/N"),
        "segments": header_float(params.get("Segment")),
        "sample_interval_v": header_float(params.get("Sample Interval (V)")),
        "quiet_time_s": header_float(params.get("Quiet Time (sec)")),
        "sensitivity_a_v": header_float(params.get("Sensitivity (A/V)")),
        "cathodic_current_a": header_float(params.get("Cathodic Current (A)")),
        "anodic_current_a": header_float(params.get("Anodic Current (A)")),
        "current_convention": AS_WRITTEN,
    }
    results = _segment_results(lines[2:header])
    if any(block["peaks"] for block in results):
        extra["segment_results"] = results
    if time_based:
        time = table.column(path, "Time/sec")
        current, extra["current_source"] = supplied_current(
            path, options, len(potential), open_circuit=technique == "OCV", missing="'Current/A'"
        )
    else:
        time = None
        column = next((n for n in ("Current/A", "i1/A") if n in table.names), None)
        if column is None:
            table.column(path, "Current/A", "i1/A")  # raises, naming the missing column
        reject_given_current(path, options, str(column))
        current = table.column(path, str(column))
        extra["current_source"] = "file"
        others = [n for n in table.names if n not in ("Potential/V", column)]
        extra["other_columns"] = others or None
    return [
        make_record(
            path,
            FORMAT,
            potential,
            current,
            options=options,
            time=time,
            lines=table.lines,
            extra=extra,
            instrument=info.get("Instrument Model") or None,
            technique=technique,
            scan_rate_v_s=header_float(params.get("Scan Rate (V/s)")),
            start_time=parse_chi_date(lines[0]),
        )
    ]


def _is_chi(head: Head) -> bool:
    """CHI exports start with a date line (``Feb. 20, 2020   15:55:08``) or name a CHI model."""
    lines = head.nonblank
    return parse_chi_date(lines[0]) is not None or any(
        re.match(r"Instrument Model:\s*CHI", ln) for ln in lines
    )


CHI = FileFormat(
    name=FORMAT,
    title="CH Instruments text export",
    signature=_is_chi,
    readers={"spectrum": read_chi, "dc": read_chi_dc},
    metadata="instrument model, start time, DC potential (Init E), AC amplitude, frequency range",
    tested_with="CHI660E, CHI1100B, CHI760E exports",
)
