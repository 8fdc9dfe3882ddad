"""CH Instruments text export of an ``A.C. Impedance`` run (CHI 6xx/7xx/11xx).

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
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from ..data import Spectrum
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


def read_chi(path: Path) -> list[Spectrum]:
    """Read a CHI ``A.C. Impedance`` text export (one spectrum); other CHI techniques are rejected."""
    lines = read_lines(path)
    technique = lines[1].strip() if len(lines) > 1 else ""
    if technique != _TECHNIQUE:
        raise fail(
            path,
            f"CHI technique is {technique!r}; expected {_TECHNIQUE!r} (only impedance exports hold spectra)",
            2,
        )
    header = next((i for i, line in enumerate(lines) if line.startswith("Freq/Hz")), None)
    if header is None:
        raise fail(path, "no column header starting with 'Freq/Hz' (expected Freq/Hz, Z'/ohm, Z\"/ohm, ...)")
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
