"""PalmSens PSTrace files: ``.pssession`` sessions and PSTrace CSV exports.

``.pssession`` (PSTrace 5): UTF-16LE JSON with a byte-order mark, often followed by a stray second BOM
after the closing brace.  ``measurements[k]`` holds ``title`` (``"Impedance Spectroscopy [2]"``),
``timestamp`` (.NET ticks, 100 ns since 0001-01-01, local time), ``deviceused``/``deviceserial``, the
``method`` text (``KEY=value`` lines: ``E_DC``, ``E_AC`` (V rms), ``MIN_FREQ``, ``MAX_FREQ``, ``AREA``,
``NOTES`` URL-encoded) and a ``dataset`` whose ``values`` are arrays, each with a ``description``
(``Frequency``, ``ZRe``, ``ZIm``, ``Phase``, ``Idc``, ``potential``, ``time``), a ``unit`` whose ``q`` says
what the numbers are (``"-Z''"`` for ``ZIm``: it holds −Z''; ``"-Phase"``) and ``datavalues`` ``[{"v": x}]``.
A session can hold CV/DPV runs too; only measurements with ``Frequency``/``ZRe``/``ZIm`` arrays are
spectra (one each, in session order).

PSTrace CSV: UTF-16LE with BOM and an empty line after every line, possibly a trailing odd byte; blocks
``Measurement:,<title>`` / ``Date and time:,<date>`` / a header ``freq / Hz,neg. Phase / °,Idc / uA,
Z / Ohm,Z' / Ohm,Z'' / Ohm,Cs / F,`` (trailing comma) and comma rows.  Its ``Z''`` column holds −Z''
(positive for capacitive points, as the ``neg. Phase`` column confirms); the generic sign check against
the phase column flips it.  Each block is one spectrum.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np

from ..data import Spectrum
from ._common import fail, header_float, key_values, make_spectrum, parse_datetime, read_lines, to_complex
from ._registry import FileFormat, Head
from ._source import Source, open_source
from .delimited import read_delimited_spectra

FORMAT_SESSION = "palmsens-pssession"
FORMAT_CSV = "palmsens-csv"
_TICKS_EPOCH = datetime(1, 1, 1)


def _ticks(value: Any) -> datetime | None:
    """.NET ticks (100 ns since 0001-01-01) → datetime; ``None`` when absent or out of range."""
    if not isinstance(value, int | float) or not 0 < value < 3.2e18:
        return None
    return _TICKS_EPOCH + timedelta(microseconds=int(value) // 10)


def _session(source: Source) -> dict[str, Any]:
    text = source.text.strip().lstrip("\ufeff")
    end = text.rfind("}")
    try:
        data = json.loads(text[: end + 1])
    except json.JSONDecodeError as err:
        raise fail(
            source, f"not a readable PSTrace session (JSON error at character {err.pos}: {err.msg})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("measurements"), list):
        raise fail(source, "PSTrace session without a 'measurements' list")
    return data


def _arrays(measurement: dict[str, Any]) -> dict[str, tuple[np.ndarray, str]]:
    """Dataset arrays by description → (values, unit quantity ``q``)."""
    out: dict[str, tuple[np.ndarray, str]] = {}
    dataset = measurement.get("dataset") or {}
    for array in dataset.get("values") or []:
        if not isinstance(array, dict):
            continue
        name = str(array.get("description", ""))
        points = array.get("datavalues") or []
        values = np.array(
            [
                p.get("v") if isinstance(p, dict) and isinstance(p.get("v"), int | float) else np.nan
                for p in points
            ],
            dtype=np.float64,
        )
        unit = array.get("unit") or {}
        out.setdefault(name, (values, str(unit.get("q") or "") if isinstance(unit, dict) else ""))
    return out


def _method(text: Any) -> dict[str, str]:
    return key_values(str(text or "").replace("\r", "").split("\n"), "=") if text else {}


def read_pssession(path: Path) -> list[Spectrum]:
    """Every impedance measurement of a PSTrace ``.pssession`` (one spectrum each)."""
    source = open_source(path)
    session = _session(source)
    spectra = []
    for k, measurement in enumerate(session["measurements"]):
        if not isinstance(measurement, dict):
            continue
        arrays = _arrays(measurement)
        if not {"Frequency", "ZRe", "ZIm"} <= arrays.keys():
            continue
        f, (z_re, _), (z_im, q_im) = arrays["Frequency"][0], arrays["ZRe"], arrays["ZIm"]
        if not f.size == z_re.size == z_im.size:
            raise fail(source, f"measurement {k}: Frequency, ZRe and ZIm have different lengths")
        sign = -1.0 if q_im.startswith("-") else 1.0  # unit q "-Z''": the array holds −Z''
        method = _method(measurement.get("method"))
        potential = arrays.get("potential", (np.array([]), ""))[0]
        idc = arrays.get("Idc", (np.array([]), ""))[0]
        area = header_float(method.get("AREA"))
        extra = {
            "title": measurement.get("title"),
            "measurement": k,
            "device_serial": measurement.get("deviceserial"),
            "software": f"PSTrace {session.get('coreversion')}" if session.get("coreversion") else None,
            "notes": unquote(method.get("NOTES", "")) or None,
            "freq_min_hz": header_float(method.get("MIN_FREQ")),
            "freq_max_hz": header_float(method.get("MAX_FREQ")),
            "imag_sign": "ZIm holds −Z'' (unit '-Z'''); flipped" if sign < 0 else None,
            "mean_idc_ua": float(np.nanmean(idc)) if idc.size and np.isfinite(idc).any() else None,
        }
        spectra.append(
            make_spectrum(
                source,
                FORMAT_SESSION,
                f,
                to_complex(z_re, sign * z_im),
                index=len(spectra),
                extra=extra,
                instrument="PalmSens"
                + (f" ({measurement['deviceserial']})" if measurement.get("deviceserial") else ""),
                technique="PEIS",
                dc_potential_v=float(np.nanmean(potential))
                if potential.size and np.isfinite(potential).any()
                else header_float(method.get("E_DC")),
                ac_amplitude_v=header_float(method.get("E_AC")),
                area_cm2=area if area and area > 0 else None,
                start_time=_ticks(measurement.get("timestamp")),
            )
        )
    if not spectra:
        titles = [str(m.get("title")) for m in session["measurements"] if isinstance(m, dict)]
        raise fail(source, f"no impedance measurement in this session (found: {', '.join(titles) or 'none'})")
    return spectra


_MEASUREMENT = re.compile(r"^Measurement:\s*,")


def read_pstrace_csv(path: Path) -> list[Spectrum]:
    """Every ``Measurement:`` block of a PSTrace CSV export (one spectrum each)."""
    source = open_source(path)
    lines = read_lines(source)
    starts = [i for i, line in enumerate(lines) if _MEASUREMENT.match(line)] or [0]
    spectra: list[Spectrum] = []
    for k, first in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(lines)
        block = lines[first:stop]
        info = key_values(block, ",")
        text = "\n".join(line for line in block)
        part = Source(f"{source}", text.encode("utf-8"), source.path)
        for spectrum in read_delimited_spectra(part, FORMAT_CSV, "PalmSens (PSTrace)"):
            extra = dict(spectrum.metadata.extra, measurement=info.get("Measurement:") or None, block=k)
            start = parse_datetime(info.get("Date and time:"), ("%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S"))
            meta = dataclasses.replace(spectrum.metadata, extra=extra, start_time=start, technique="PEIS")
            spectra.append(dataclasses.replace(spectrum, metadata=meta))
    return spectra


def _is_pssession(head: Head) -> bool:
    return '"PalmSens.DataFiles.SessionFile"' in head.text[:300].replace(" ", "")


def _is_pstrace_csv(head: Head) -> bool:
    lines = head.nonblank[:8]
    return any(_MEASUREMENT.match(line) for line in lines) and any(
        line.startswith(("Date and time:", "File date:")) for line in lines
    )


PSSESSION = FileFormat(
    name=FORMAT_SESSION,
    title="PalmSens PSTrace session (.pssession)",
    extensions=(".pssession",),
    signature=_is_pssession,
    readers={"spectrum": read_pssession},
    metadata="device serial, start time, DC potential, AC amplitude, area, notes, PSTrace version",
    tested_with="PSTrace 5.7 (PalmSens4)",
)
PSTRACE_CSV = FileFormat(
    name=FORMAT_CSV,
    title="PalmSens PSTrace CSV export",
    signature=_is_pstrace_csv,
    readers={"spectrum": read_pstrace_csv},
    metadata="measurement title, start time; Z'' sign checked against the phase",
    tested_with="PSTrace 5 CSV export (UTF-16, two spectra)",
)
