"""Zahner Thales/Zennium files: ``.ism`` impedance spectra (binary) and Thales text exports.

``.ism`` layout (big-endian; as read by Zahner's MIT-licensed ``zahner_analysis`` ``IsmImport``):

* 6-byte signed version word (``0000 FFFF FFFF`` or ``0000 FFFF FFFE`` in the known files), 6-byte
  signed count N−1;
* N float64 frequencies (Hz), N float64 |Z| (Ω), N float64 phases (rad, Z'' = |Z| sin φ, so capacitive
  points have φ < 0), N float64 time stamps (s since 1980-01-01), N int16 significances;
* length-prefixed, case-swapped ASCII strings: date ``DDMMYY``, system/title, potential
  (``"0.0V, Ampl: 5mV"``), current (``"-2.4241nA"``), temperature, time ``"HH:MM:SS - HH:MM:SS"``,
  comments; binary settings follow.

Placeholders: files written by Zahner's simulator or example files carry the system ``Simulation``, a
clock of repeated digits (``11:11:11 - 12:12:12``) and time stamps equal to the point numbers; those give
no start time and no point times (``extra["placeholder_metadata"]`` says why), never a made-up date.

Quirks: a measurement starts at a middle frequency, sweeps to one end, then returns and sweeps to the
other; the points measured on the way back over the already-covered range are dropped, as Zahner's own
import does (kept: from the index of the highest to the lowest frequency; the count dropped is in
``extra``).  N is bounded by the file size before anything is allocated.

Thales text export (``Save as ASCII``, ``;``- or tab-separated ``Frequency``, ``Impedance``, ``Phase``
columns, |Z| in Ω and the phase in degrees) is read by the generic delimited reader (``Impedance`` is
a synonym of |Z|).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..data import DCRecord, Spectrum
from ._common import fail, make_spectrum, number_and_unit, rescale, to_complex, unit_scale
from ._dc import DCOptions
from ._registry import FileFormat
from ._source import open_source

FORMAT_ISM = "zahner-ism"
_VERSIONS = (0xFFFFFFFF, 0xFFFFFFFE)
_EPOCH = datetime(1980, 1, 1)
_POINT_BYTES = 8 * 4 + 2


def _count(raw: bytes) -> int | None:
    """N of an ``.ism`` header, or ``None`` when the header is not one (bounded by the file size)."""
    if len(raw) < 12 or int.from_bytes(raw[0:6], "big", signed=True) not in _VERSIONS:
        return None
    n = int.from_bytes(raw[6:12], "big", signed=True) + 1
    return n if 0 < n <= (len(raw) - 12) // _POINT_BYTES else None


def _strings(raw: bytes, offset: int, count: int) -> list[str]:
    """Up to ``count`` length-prefixed (int16) case-swapped ASCII strings from ``offset``."""
    out: list[str] = []
    for _ in range(count):
        if offset + 2 > len(raw):
            break
        length = int.from_bytes(raw[offset : offset + 2], "big", signed=True)
        if not 0 <= length <= 1024 or offset + 2 + length > len(raw):
            break
        text = raw[offset + 2 : offset + 2 + length].decode("latin-1")
        if not text.isprintable():
            break
        out.append(text.swapcase())
        offset += 2 + length
    return out


def _quantity(text: str | None, quantity: str) -> float | None:
    """``"-2.4241nA"`` → −2.4241e-9 (A); ``"0.0V, Ampl: 5mV"`` → 0.0 (V)."""
    value, unit = number_and_unit((text or "").split(",")[0])
    scale = unit_scale(unit.strip(), quantity) if value is not None else None
    return None if scale is None or value is None else rescale(value, scale)


def _placeholders(system: str, clock: str, stamps: np.ndarray) -> dict[str, str]:
    """Header fields that are placeholders, not a record of the measurement (what → why): the system
    ``Simulation`` (a spectrum made by Zahner's simulator), a clock of repeated digits (``11:11:11 -
    12:12:12``), time stamps that are the point numbers 0, 1, 2 …"""
    found: dict[str, str] = {}
    if system.strip().lower() == "simulation":
        found["system"] = "system 'Simulation' (a simulated spectrum, not a measurement)"
    clocks = re.findall(r"(\d{1,2}):(\d{2}):(\d{2})", clock)
    if clocks and all(int(h) == int(m) == int(sec) for h, m, sec in clocks):
        found["time"] = f"time {clock!r} (repeated digits)"
    if found and "time" not in found:
        found["time"] = f"time {clock!r} of a simulation"
    order = np.sort(stamps)
    if stamps.size > 1 and np.array_equal(order, np.arange(stamps.size, dtype=float)):
        found["time stamps"] = f"point time stamps 0, 1 … {stamps.size - 1} (the point numbers)"
    return found


def read_ism(path: Path) -> list[Spectrum]:
    """Read a Zahner ``.ism`` impedance spectrum (one spectrum)."""
    source = open_source(path)
    raw = source.raw
    n = _count(raw)
    if n is None:
        raise fail(
            source, "not a Zahner .ism file (unknown version word or a point count beyond the file size)"
        )
    arrays = np.frombuffer(raw, dtype=">f8", count=4 * n, offset=12).astype(np.float64).reshape(4, n)
    frequency, modulus, phase, stamps = arrays
    strings = _strings(raw, 12 + n * _POINT_BYTES, 12)
    low, high = int(np.argmin(frequency)), int(np.argmax(frequency))
    keep = slice(min(low, high), max(low, high) + 1)
    padded = [*strings, "", "", "", "", "", ""]
    date, clock = padded[0], padded[5]
    placeholders = _placeholders(padded[1], clock, stamps[keep])
    simulated = "system" in placeholders  # its "0V" / "0A" are the simulator's defaults, not a bias
    start = None
    match = re.match(r"(\d{2})(\d{2})(\d{2})$", date)
    hours = re.match(r"(\d{1,2}):(\d{2}):(\d{2})", clock)
    if match and hours and "time" not in placeholders:
        day, month, year = (int(g) for g in match.groups())
        try:
            start = datetime(
                year + (2000 if year < 70 else 1900), month, day, *(int(g) for g in hours.groups())
            )
        except ValueError:
            start = None
    amplitude = re.search(r"Ampl:\s*([-+\d.eE]+\s*[munµ]?V)", strings[2]) if len(strings) > 2 else None
    potential_text = strings[2] if len(strings) > 2 else None
    stamped = np.all(np.isfinite(stamps[keep])) and "time stamps" not in placeholders
    times = stamps[keep] - np.min(stamps[keep]) if stamped else None
    extra: dict[str, Any] = {
        "system": strings[1] if len(strings) > 1 else None,
        "potential_text": potential_text,
        "current_text": strings[3] if len(strings) > 3 else None,
        "temperature_text": strings[4] if len(strings) > 4 else None,
        "time_text": clock or None,
        "comments": [s for s in strings[6:] if s.strip()] or None,
        "dropped_overlap_points": n - (keep.stop - keep.start),
        "file_version": hex(int.from_bytes(raw[0:6], "big")),
        "placeholder_metadata": (
            f"{'; '.join(placeholders.values())}: start time, point times"
            + (" and DC values" if simulated else "")
            + " unknown"
            if placeholders
            else None
        ),
    }
    first_stamp = float(np.min(stamps[keep])) if stamped else None
    if start is None and first_stamp is not None and 0 < first_stamp < 4e9:
        start = _EPOCH + timedelta(seconds=first_stamp)
    spectrum = make_spectrum(
        source,
        FORMAT_ISM,
        frequency[keep],
        to_complex(modulus[keep] * np.cos(phase[keep]), modulus[keep] * np.sin(phase[keep])),
        times=times,
        extra=extra,
        instrument="Zahner",
        dc_potential_v=None if simulated else _quantity(potential_text, "v"),
        dc_current_a=None if simulated or len(strings) <= 3 else _quantity(strings[3], "a"),
        ac_amplitude_v=_quantity(amplitude.group(1), "v") if amplitude else None,
        start_time=start,
    )
    return [spectrum]


def read_isc_dc(path: Path, options: DCOptions) -> list[DCRecord]:
    """Zahner ``.isc`` (cyclic voltammetry) files are recognised but not read yet: export the curve as
    text from Thales and read that file."""
    raise fail(path, "Zahner .isc (CV) files are not read yet; export the curve as text (ASCII) from Thales")


ISM = FileFormat(
    name=FORMAT_ISM,
    title="Zahner Thales impedance spectrum (.ism)",
    extensions=(".ism",),
    signature=lambda head: (
        len(head.raw) >= 12 and int.from_bytes(head.raw[0:6], "big", signed=True) in _VERSIONS
    ),
    readers={"spectrum": read_ism},
    metadata="start time, DC potential and current, AC amplitude (from the header strings), per-point times",
    tested_with="Thales (Zennium) files of 2023 and 2025 (Zahner-Analysis examples)",
)
ISC = FileFormat(
    name="zahner-isc",
    title="Zahner Thales cyclic voltammetry (.isc)",
    extensions=(".isc",),
    extension_only=True,
    readers={"dc": read_isc_dc},
    metadata="not read (export text from Thales)",
    tested_with="—",
)
