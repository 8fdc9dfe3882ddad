"""Decode the EIS technique parameters and the instrument model from an EC-Lab ``.mpr`` settings module.

What the ``.mpt`` header prints as text (``E (V)``/``vs.``, ``Is``/``unit Is``/``vs.``, ``fi``/``unit fi``,
``ff``, ``Nd``, ``Va (mV)``, ``Ia``/``unit  Ia``, ``Na``, ``Device :``), the ``.mpr`` stores in binary:

* the settings module's byte ``0x46E`` is the instrument model, numbered as the ``DeviceType`` enumeration of
  BioLogic's EC-Lab Development Package (SP-150 = 14, SP-300 = 16, VSP = 6, MPG-2 = 22; checked on five
  real files of four instruments);
* a technique-parameter block (two ``uint16``: number of sequences, number of parameters; then the packed
  values of each sequence) starts at ``0x572``, ``0x1845``, ``0x1846`` or ``0x1847`` depending on the EC-Lab
  version (offsets and field order as documented by yadg's EC-Lab extractor and eclabfiles). Fields are
  ``float32``, one-byte codes and ``uint32`` counts, in the order of the ``.mpt`` parameter lines. Since about
  EC-Lab 11.50 one code field is four bytes wide instead of one (GEIS: the ``vs.`` of ``Is``, seen here in an
  11.50 file; yadg documents the PEIS sine mode), which shifts everything after it by three bytes.
* codes: frequency unit 0 MHz, 1 kHz, 2 Hz, 3 mHz; current unit 0 A, 1 mA, 2 µA, 3 nA, 4 pA; ``E vs.``
  0 Eoc, 1 Ectrl, 2 Emeas, 3 Ei, 4 Ref; ``Is vs.`` 2 ``<None>``; ``Ia/Va`` 0 = amplitude given as ``Ia``.

No layout is assumed blindly: every candidate (offset × field width) is decoded and kept only if it is
self-consistent — unit codes in range, zero padding where a field is wide, no denormal floats, a positive
point density, and an initial frequency that matches the first measured frequency within 5 %. A value is
reported only when every surviving candidate gives the same one, so an unknown layout yields ``None``
(the ``.mpt`` then remains the source), never a shifted number.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._common import rescale

#: Settings-module offsets: electrode area (float32, cm²; yadg's documentation) and instrument-model byte.
_AREA_OFFSET = 0x211
_DEVICE_OFFSET = 0x46E
#: EC-Lab Development Package ``DeviceType`` codes → the model name EC-Lab writes in ``.mpt`` headers.
#: (Codes 23–26 differ between SDK versions and are left out.)
DEVICE_NAMES: dict[int, str] = {
    0: "VMP",
    1: "VMP2",
    2: "MPG",
    3: "BiStat",
    4: "MCS-200",
    5: "VMP3",
    6: "VSP",
    7: "HCP-803",
    8: "EPP-400",
    9: "EPP-4000",
    10: "BiStat2",
    11: "FCT-150S",
    12: "VMP-300",
    13: "SP-50",
    14: "SP-150",
    15: "FCT-50S",
    16: "SP-300",
    17: "CLB-500",
    18: "HCP-1005",
    19: "CLB-2000",
    20: "VSP-300",
    21: "SP-200",
    22: "MPG-2",
    27: "SP-240",
    28: "MPG-205",
    29: "MPG-210",
    30: "MPG-220",
    31: "MPG-240",
    32: "BP-300",
    33: "VMP-3e",
    34: "VSP-3e",
    35: "SP-50e",
    36: "SP-150e",
}
_PARAMETER_OFFSETS = (0x572, 0x1845, 0x1846, 0x1847)
_FREQUENCY_UNITS = {0: 1e6, 1: 1e3, 2: 1.0, 3: 1e-3}  # Hz per unit
_CURRENT_UNITS = {0: 1.0, 1: 1e-3, 2: 1e-6, 3: 1e-9, 4: 1e-12}  # A per unit
_POTENTIAL_VS = {0: "Eoc", 1: "Ectrl", 2: "Emeas", 3: "Ei", 4: "Ref"}
_CURRENT_VS = {2: "<None>"}

# Leading fields of one parameter sequence, in ``.mpt`` order: (name, kind).  ``code`` fields are one byte,
# except that one of them may be four bytes (little-endian, high bytes zero) in newer files: which one is
# not assumed (yadg documents the PEIS sine mode and the GEIS ``Is vs.``); every choice is tried.
_PEIS = (
    ("mode", "code"), ("E", "f4"), ("E_vs", "code"), ("tE", "f4"), ("record", "u1"), ("dI", "f4"),
    ("dI_unit", "u1"), ("dt", "f4"), ("fi", "f4"), ("fi_unit", "u1"), ("ff", "f4"), ("ff_unit", "u1"),
    ("Nd", "u4"), ("points", "u1"), ("spacing", "u1"), ("Va", "f4"), ("pw", "f4"), ("Na", "u4"),
)  # fmt: skip
_GEIS = (
    ("mode", "code"), ("Is", "f4"), ("Is_unit", "u1"), ("Is_vs", "code"), ("tIs", "f4"), ("record", "u1"),
    ("dE", "f4"), ("dt", "f4"), ("fi", "f4"), ("fi_unit", "u1"), ("ff", "f4"), ("ff_unit", "u1"),
    ("Nd", "u4"), ("points", "u1"), ("spacing", "u1"), ("Ia/Va", "u1"), ("Ia", "f4"), ("Ia_unit", "u1"),
    ("va_percent", "f4"), ("pw", "f4"), ("Na", "u4"),
)  # fmt: skip
_LAYOUTS = {"PEIS": _PEIS, "GEIS": _GEIS}
_KIND_SIZE = {"u1": 1, "u4": 4, "f4": 4}


@dataclass(frozen=True)
class EisSettings:
    """The ``.mpr`` EIS settings the ``.mpt`` header also prints (SI units; ``None`` where not decoded)."""

    dc_potential_v: float | None = None  # set-point E, reported only when it is "vs. Ref"
    dc_current_a: float | None = None  # set-point Is, reported only when it is "vs. <None>"
    ac_amplitude_v: float | None = None
    ac_amplitude_a: float | None = None
    setpoint_vs: str | None = None
    freq_initial_hz: float | None = None
    freq_final_hz: float | None = None
    points_per_decade: float | None = None
    measures_per_frequency: float | None = None


def f32(value: float) -> float:
    """A ``float32`` from the file at the 7 significant digits it carries (0.001, not 0.0010000000475; 10, not
    the 10.000001 EC-Lab's own conversion stores for "10.000"): the number the ``.mpt`` prints."""
    return float(f"{float(np.float32(value)):.7g}")


def settings_area_cm2(settings: bytes) -> float | None:
    """Electrode surface area (cm², ``float32`` at ``0x211``); ``None`` when absent or 0 ("not set")."""
    if len(settings) < _AREA_OFFSET + 4:
        return None
    value = struct.unpack_from("<f", settings, _AREA_OFFSET)[0]
    return f32(value) if math.isfinite(value) and 0 < value < 1e6 else None


def device_name(settings: bytes) -> str | None:
    """The instrument model (``"SP-150"``) from the settings module, or ``None`` if absent or unknown."""
    return DEVICE_NAMES.get(settings[_DEVICE_OFFSET]) if len(settings) > _DEVICE_OFFSET else None


def _unpack(
    data: bytes, offset: int, fields: tuple[tuple[str, str], ...], wide: str | None
) -> dict[str, Any] | None:
    """The fields at ``offset`` (the code field named ``wide`` four bytes wide); ``None`` if the bytes are
    not self-consistent (a widened code with non-zero high bytes, a denormal float, a huge count)."""
    out: dict[str, Any] = {}
    for name, kind in fields:
        if kind == "code":
            kind = "u4" if name == wide else "u1"
        size = _KIND_SIZE[kind]
        if offset + size > len(data):
            return None
        if kind == "f4":
            value = struct.unpack_from("<f", data, offset)[0]
            if not math.isfinite(value) or (value != 0 and abs(value) < 1e-30):  # denormal: misaligned
                return None
            out[name] = f32(value)
        elif kind == "u4":
            out[name] = struct.unpack_from("<I", data, offset)[0]
            if out[name] > (0xFF if name == wide else 0xFFFF):  # codes fit a byte, counts are small
                return None
        else:
            out[name] = data[offset]
        offset += size
    return out


def _consistent(values: dict[str, Any], first_frequency_hz: float) -> bool:
    if values["fi_unit"] not in _FREQUENCY_UNITS or values["ff_unit"] not in _FREQUENCY_UNITS:
        return False
    fi = values["fi"] * _FREQUENCY_UNITS[values["fi_unit"]]
    if not (fi > 0 and values["ff"] > 0 and 0 < values["Nd"] < 10_000 and values["Na"] < 10_000):
        return False
    if "Ia_unit" in values and values["Ia_unit"] not in _CURRENT_UNITS:
        return False
    if "Is_unit" in values and values["Is_unit"] not in _CURRENT_UNITS:
        return False
    return math.isclose(fi, first_frequency_hz, rel_tol=0.05)


def _decoded(values: dict[str, Any], technique: str) -> EisSettings:
    common = {
        "freq_initial_hz": rescale(values["fi"], _FREQUENCY_UNITS[values["fi_unit"]]),
        "freq_final_hz": rescale(values["ff"], _FREQUENCY_UNITS[values["ff_unit"]]),
        "points_per_decade": float(values["Nd"]),
        "measures_per_frequency": float(values["Na"]),
    }
    if technique == "PEIS":
        vs = _POTENTIAL_VS.get(values["E_vs"])
        return EisSettings(
            dc_potential_v=values["E"] if vs == "Ref" else None,
            ac_amplitude_v=rescale(values["Va"], 1e-3),  # mV
            setpoint_vs=vs,
            **common,
        )
    vs = _CURRENT_VS.get(values["Is_vs"])
    amplitude = values["Ia"] if values["Ia/Va"] == 0 else None  # 1: the amplitude is set as a voltage
    return EisSettings(
        dc_current_a=rescale(values["Is"], _CURRENT_UNITS[values["Is_unit"]]) if vs == "<None>" else None,
        ac_amplitude_a=None if amplitude is None else rescale(amplitude, _CURRENT_UNITS[values["Ia_unit"]]),
        setpoint_vs=vs,
        **common,
    )


def eis_settings(settings: bytes, technique: str | None, first_frequency_hz: float) -> EisSettings:
    """Decode the PEIS/GEIS parameters of the first sequence; fields that cannot be decoded unambiguously
    are ``None``.  ``first_frequency_hz`` (the first measured frequency) validates the layout."""
    fields = _LAYOUTS.get(technique or "")
    if fields is None or not math.isfinite(first_frequency_hz):
        return EisSettings()
    candidates = []
    for offset in _PARAMETER_OFFSETS:
        if offset + 4 > len(settings):
            continue
        n_sequences, n_parameters = struct.unpack_from("<HH", settings, offset)
        if not (1 <= n_sequences <= 1000 and len(fields) <= n_parameters <= 500):
            continue
        for wide in (None, *(name for name, kind in fields if kind == "code")):
            values = _unpack(settings, offset + 4, fields, wide)
            if values is not None and _consistent(values, first_frequency_hz):
                candidates.append(_decoded(values, technique or ""))
    if not candidates:
        return EisSettings()
    first = candidates[0]
    agreed = {
        name: getattr(first, name)
        for name in first.__dataclass_fields__
        if all(getattr(c, name) == getattr(first, name) for c in candidates)
    }
    return EisSettings(**agreed)
