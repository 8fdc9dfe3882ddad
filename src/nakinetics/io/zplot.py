"""Scribner ZPlot/ZView ``.z`` files, and the shared "Scribner table" used by the Autolab Z60W text.

Two variants are read:

* ``ZPLOT2 ASCII``: indented ``Key: value`` header with ``Begin``/``End`` blocks, the tab-separated column
  header ``Freq(Hz) Ampl Bias Time(Sec) Z'(a) Z''(b) GD Err Range`` just before ``End Comments``, then
  tab-separated rows;
* ``"ZPlotW Data File: Version 3.2c"``: a few quoted lines (control mode, ``Date:``/``Time:``), a
  configuration line, a declared point count, the quoted column header, then ``", "``-separated rows.

Z'' is signed (capacitive < 0).  ``Experiment Type ... Control Voltage`` → PEIS, ``Control Current`` → GEIS.
The ``Ampl`` column gives the AC amplitude (V for voltage control; A assumed for current control), the
``Bias`` column the DC level (stored as ``dc_current_a`` for current control; for voltage control only in
``extra["bias_v"]`` because the file does not say whether it is vs. reference or vs. open circuit).
Dates are month-first (``MM-DD-YYYY``).  Rows present are read even when fewer than declared.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ..data import Spectrum
from ._common import (
    Table,
    fail,
    header_float,
    make_spectrum,
    numeric_rows,
    parse_datetime,
    read_lines,
    split_on,
    technique_from_control,
    to_complex,
)
from ._registry import FileFormat

FORMAT = "zplot"
_DATE = re.compile(r"\bDate:\s*(\S+)")
_TIME = re.compile(r"\bTime:\s*(\d\S*)")


def _names(line: str) -> list[str]:
    """``'"  Freq (Hz)    Ampl ..."'`` → ``["Freq(Hz)", "Ampl", ...]``."""
    return re.sub(r"\s+\(", "(", line.strip().strip('"')).split()


def scribner_table(path: Path, lines: list[str]) -> tuple[Table, int]:
    """The ``Freq(Hz) Ampl Bias Time(Sec) Z'(a) Z''(b) ...`` table and the index of its header line."""
    header = next((i for i, line in enumerate(lines) if _names(line)[:1] == ["Freq(Hz)"]), None)
    if header is None:
        raise fail(
            path, "no column header starting with 'Freq(Hz)' (expected Freq(Hz), Ampl, Bias, Time(Sec), ...)"
        )
    start = header + 1
    while start < len(lines) and not re.match(r"\s*[-+.\d]", lines[start]):
        start += 1  # "End Comments" and blank lines between header and rows
    first = lines[start] if start < len(lines) else ""
    table = numeric_rows(
        path,
        lines,
        start,
        split=split_on("," if "," in first else None),
        min_fields=6,
        names=_names(lines[header]),
    )
    return table, header


def _constant(column: np.ndarray | None) -> float | None:
    """The column's value when it is the same non-zero number in every row."""
    if column is None or not column.size or np.ptp(column) != 0 or column[0] == 0:
        return None
    return float(column[0])


def read_scribner(path: Path, fmt: str, instrument: str | None) -> list[Spectrum]:
    """Read a ``.z``-style file (ZPlot or Z60W) into one spectrum; ``instrument`` is the fallback name."""
    lines = read_lines(path)
    table, header = scribner_table(path, lines)
    preamble = lines[:header]
    f = table.column(path, "Freq(Hz)")
    z = to_complex(table.column(path, "Z'(a)"), table.column(path, "Z''(b)"))
    text = "\n".join(preamble)
    technique = technique_from_control(text, "Control Voltage", "Control Current")
    date, time = _DATE.search(text), _TIME.search(text)
    start_time = None
    if date and time:
        start_time = parse_datetime(
            f"{date.group(1)} {time.group(1)}", ("%m-%d-%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S")
        )
    version = re.search(r"(?:Measured Data, ZPlot:|ZPlotW Data File: Version)\s*([\w.]+)", text)
    info = {
        k.strip(): v.strip() for k, _, v in (ln.strip().strip('"').partition(":") for ln in preamble) if v
    }
    ampl = _constant(table.column(path, "Ampl", required=False))
    bias = _constant(table.column(path, "Bias", required=False))
    declared = header_float(info.get("Data Points"))
    if declared is None:
        counts = (x.strip() for x in preamble[-3:])
        declared = next((float(ln) for ln in counts if ln.isascii() and ln.isdigit() and len(ln) < 10), None)
    fields: dict[str, Any] = {
        "instrument": f"Scribner ZPlot {version.group(1)}" if version else instrument,
        "technique": technique,
        "ac_amplitude_v": ampl if technique == "PEIS" else None,
        "ac_amplitude_a": ampl if technique == "GEIS" else None,
        "dc_current_a": bias if technique == "GEIS" else None,
        "area_cm2": header_float(info.get("Surface Area")),
        "start_time": start_time,
    }
    extra = {
        "bias_v": bias if technique == "PEIS" else None,
        "eoc_v": header_float(info.get("Open Circuit Potential (V)")),
        "analyzer": info.get("Begin Analyzer"),
        "experiment_type": info.get("Experiment Type"),
        "declared_points": int(declared) if declared is not None and 0 <= declared < 1e9 else None,
    }
    times = table.column(path, "Time(Sec)", required=False)
    if times is not None and not times.any():
        times = None  # Z60W writes zeros
    return [make_spectrum(path, fmt, f, z, lines=table.lines, times=times, extra=extra, **fields)]


def read_zplot(path: Path) -> list[Spectrum]:
    """Read a Scribner ZPlot/ZView ``.z`` file (both variants; one spectrum)."""
    return read_scribner(path, FORMAT, "Scribner ZPlot")


ZPLOT = FileFormat(
    name=FORMAT,
    title="Scribner ZPlot/ZView (.z)",
    extensions=(".z",),
    signature=lambda head: (
        head.nonblank[0].startswith("ZPLOT2 ASCII")
        or head.nonblank[0].lstrip('"').startswith("ZPlotW Data File")
    ),
    readers={"spectrum": read_zplot},
    metadata="technique, start time, AC amplitude, DC bias, area, declared point count",
    tested_with="ZPlot 3.2c (Solartron 1252/1260)",
)
