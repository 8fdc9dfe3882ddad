"""Ivium IviumSoft ``.idf`` (one dataset) and ``.ids`` (several datasets) impedance files.

The files start with binary bytes, then CRLF text with embedded NULs (latin-1): ``key=value`` lines
(``starttime=12/12/2022 5:18:49 PM``, ``Method=Impedance``, ``Technique=Constant I`` (GEIS) or
``Constant E`` (PEIS), ``I start``/``E start`` (DC level, A or V), ``I_Frequencies.amp[k]`` /
``Frequencies.amp[k]`` (amplitude, A or V), ``Data Options.Area`` (cm²), ``Data Options.Temperature`` (K),
``Report.Process data`` with 0x1C/0x1E-separated ``key : value`` items), then ``Data Objects`` with a
``primary_data`` block: column count (3), row count, rows ``Z'  Z''  f`` (Z'' signed, capacitive < 0).

Every ``primary_data`` block is one spectrum; its metadata are the ``key=value`` lines before it (a
later dataset overrides keys of an earlier one).  Per-point times come from ``timing.time[k]`` when the
file has them (``timing=N``).  ``starttime`` follows the PC locale: ``AM``/``PM`` → month first,
otherwise day first; the raw text is kept in ``extra["starttime"]``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path
from typing import Any

import numpy as np

from ..data import DCRecord, Spectrum
from ._common import (
    fail,
    header_float,
    make_spectrum,
    parse_datetime,
    read_bytes,
    technique_from_control,
    to_complex,
    to_float,
)
from ._dc import DCOptions
from ._registry import FileFormat, Head

FORMAT = "ivium"
_BLOCK = re.compile(r"primary_data\s")
_VERSION = re.compile(rb"Version=\d+")
_TOKEN = re.compile(r"\S+")
_KEY_VALUE = re.compile(r"^([^=\r\n\x00-\x08]+)=(.*)$", re.MULTILINE)
_INDEXED = re.compile(r"^(.*)\[(\d{1,9})\]$")
_DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)


def _text(path: Path) -> str:
    """The file as latin-1 text without NULs, every line break (CRLF, LF or CR alone, as IviumSoft writes
    some files) made LF so that ``key=value`` lines are found."""
    text = read_bytes(path).decode("latin-1").replace("\x00", "")
    return re.sub(r"\r+\n|\r", "\n", text) if "\r" in text else text


def _indexed(header: dict[str, str], name: str) -> list[float]:
    """Values of ``name[1]``, ``name[2]``, ... in index order (e.g. ``I_Frequencies.amp``)."""
    items = []
    for key, value in header.items():
        match = _INDEXED.match(key)
        if match and match.group(1) == name:
            number = header_float(value)
            if number is not None:
                items.append((int(match.group(2)), number))
    return [value for _, value in sorted(items)]


def _process_data(text: str) -> dict[str, str]:
    """``Report.Process data`` items separated by control characters → dict."""
    out: dict[str, str] = {}
    for item in re.split(r"[\x1c\x1e]+", text):
        key, sep, value = item.partition(":")
        if sep:
            out[" ".join(key.split())] = value.strip()
    return out


class _Lines:
    """1-based line number of a character offset (binary search over the newline offsets)."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect_right(self._newlines, offset - 1) + 1


def _primary_data(path: Path, text: str, start: int, line_of: _Lines) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows of the ``primary_data`` block starting at ``start`` → (3 × n array, line numbers, end)."""
    tokens = _TOKEN.finditer(text, start)
    try:
        n_cols = int(next(tokens).group())
        n_rows = int(next(tokens).group())
    except (StopIteration, ValueError):
        raise fail(path, "primary_data block without column and row counts", line_of(start)) from None
    if n_cols != 3:
        raise fail(path, f"primary_data has {n_cols} columns; expected 3 (Z', Z'', f)", line_of(start))
    if not 0 < n_rows <= (len(text) - start) // 6:  # each row needs at least three numbers and spaces
        raise fail(
            path,
            f"primary_data declares {n_rows} rows but the file has room for at most "
            f"{max(0, (len(text) - start) // 6)}",
            line_of(start),
        )
    values = np.empty(n_cols * n_rows)
    lines = np.empty(n_rows, dtype=np.int64)
    end = start
    for k in range(n_cols * n_rows):
        token = next(tokens, None)
        if token is None:
            raise fail(path, f"primary_data ends after {k // n_cols} of {n_rows} rows")
        end = token.end()
        try:
            values[k] = to_float(token.group(), decimal_comma=True)
        except ValueError:
            found = token.group()[:40]
            raise fail(
                path, f"expected a number in primary_data, found {found!r}", line_of(token.start())
            ) from None
        if k % n_cols == 0:
            lines[k // n_cols] = line_of(token.start())
    return values.reshape(n_rows, n_cols).T, lines, end


def _metadata(header: dict[str, str], n_points: int) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Metadata fields, extra and per-point times from the accumulated ``key=value`` header."""
    technique = technique_from_control(header.get("Technique"), "Constant E", "Constant I")
    process = _process_data(header.get("Report.Process data", ""))
    amps = _indexed(header, "I_Frequencies.amp" if technique == "GEIS" else "Frequencies.amp")
    amplitude = amps[0] if amps else None
    hw = process.get("hw config", "")
    times = _indexed(header, "timing.time")
    fields: dict[str, Any] = {
        "instrument": f"Ivium {hw.split('+')[0]}" if hw else "Ivium",
        "technique": technique,
        "dc_current_a": header_float(header.get("I start")) if technique == "GEIS" else None,
        "dc_potential_v": header_float(header.get("E start")) if technique == "PEIS" else None,
        "ac_amplitude_a": amplitude if technique == "GEIS" else None,
        "ac_amplitude_v": amplitude if technique == "PEIS" else None,
        "area_cm2": header_float(header.get("Data Options.Area")),
        "temperature_k": header_float(header.get("Data Options.Temperature")),
        "start_time": parse_datetime(header.get("starttime"), _DATE_FORMATS),
    }
    extra = {
        "method": header.get("Method"),
        "ivium_technique": header.get("Technique"),
        "title": header.get("Title"),
        "starttime": header.get("starttime"),
        "endtime": header.get("endtime"),
        "serial_number": header.get("serialnumber") or process.get("instrument"),
        "software_version": process.get("software vs") or header.get("software"),
        "hw_config": hw or None,
        "current_range": header.get("Current Range"),
        "amplitudes_differ": len(set(amps)) > 1 or None,
        "temperature_source": "Data Options.Temperature" if "Data Options.Temperature" in header else None,
    }
    point_times = np.asarray(times) if len(times) == n_points else None
    return fields, extra, point_times


def read_ivium(path: Path) -> list[Spectrum]:
    """Read every ``primary_data`` block of an Ivium ``.idf``/``.ids`` file (one spectrum each)."""
    text = _text(path)
    blocks = list(_BLOCK.finditer(text))
    if not blocks:
        raise fail(path, "no primary_data block; expected an IviumSoft impedance dataset")
    line_of = _Lines(text)
    spectra: list[Spectrum] = []
    header: dict[str, str] = {}
    position = 0
    for index, block in enumerate(blocks):
        header.update({k.strip(): v.strip() for k, v in _KEY_VALUE.findall(text, position, block.start())})
        method = header.get("Method", "")
        if "Impedance" not in method:
            line = line_of(block.start())
            raise fail(path, f"dataset {index} has Method={method!r}; expected Method=Impedance", line)
        (z_re, z_im, f), lines, position = _primary_data(path, text, block.end(), line_of)
        fields, extra, times = _metadata(header, f.size)
        spectrum = make_spectrum(
            path,
            FORMAT,
            f,
            to_complex(z_re, z_im),
            lines=lines,
            times=times,
            index=index,
            extra=extra,
            **fields,
        )
        spectra.append(spectrum)
    return spectra


def read_ivium_dc(path: Path, options: DCOptions) -> list[DCRecord]:
    """Ivium ``.idf``/``.ids`` DC datasets are not read: the meaning of the ``primary_data`` columns of
    non-impedance methods is not documented (third-party readers disagree: (E, I, E) vs (t, I, E)).
    IviumSoft's ASCII export (``time/s E/V I/A`` header) is read by the generic ``"csv"`` reader."""
    text = _text(path)
    method = next(
        (m.group(2).strip() for m in _KEY_VALUE.finditer(text) if m.group(1).strip() == "Method"), ""
    )
    if "Impedance" in method:
        raise fail(path, f"Ivium dataset has Method={method!r} (impedance); use read_spectra")
    raise fail(
        path,
        f"Ivium .idf/.ids DC data (Method={method!r}) are not read: their column layout is undocumented; "
        "export the data as text from IviumSoft and read that file",
    )


def _is_ivium(head: Head) -> bool:
    """``Method=`` and ``Version=`` key lines (anywhere in the first 32 KiB), or an Ivium extension and
    one of them; the binary prefix varies between IviumSoft versions."""
    has_method, has_version = b"Method=" in head.raw, _VERSION.search(head.raw) is not None
    return (has_method and has_version) or (head.suffix in (".idf", ".ids") and (has_method or has_version))


IDF = FileFormat(
    name=FORMAT,
    title="IviumSoft dataset (.idf, .ids)",
    extensions=(".idf", ".ids"),
    signature=_is_ivium,
    readers={"spectrum": read_ivium, "dc": read_ivium_dc},
    metadata="instrument (hw config), technique, start/end time, DC level, AC amplitude, area, "
    "temperature, per-point times, software version",
    tested_with="IviumSoft 4.1084 (CompactStat)",
)
