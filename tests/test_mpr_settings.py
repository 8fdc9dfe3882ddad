"""EC-Lab ``.mpr`` settings decoding: the binary gives the metadata its ``.mpt`` twin prints (issue 12)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from nakinetics.io import read_spectra
from nakinetics.io._mpr_settings import eis_settings

FIELDS = ("instrument", "technique", "dc_potential_v", "dc_current_a", "ac_amplitude_v", "ac_amplitude_a")
FIELDS += ("area_cm2", "start_time")
EXTRA = ("dc_setpoint_vs", "freq_initial_hz", "freq_final_hz", "points_per_decade", "measures_per_frequency")


@pytest.mark.parametrize("stem", ["biologic_sp150_peis_ecl11-18", "biologic_sp300_geis_4loops"])
def test_mpr_metadata_equals_mpt_metadata(realdata: Path, stem: str) -> None:
    """The .mpt header (text written by EC-Lab) is the independent expectation for every decoded field."""
    pytest.importorskip("galvani")
    text = read_spectra(realdata / "eis" / f"{stem}.mpt")
    binary = read_spectra(realdata / "eis" / f"{stem}.mpr")
    assert len(text) == len(binary)
    for a, b in zip(text, binary, strict=True):
        for name in FIELDS:
            assert getattr(b.metadata, name) == getattr(a.metadata, name), name
        for name in EXTRA:
            assert b.metadata.extra[name] == a.metadata.extra[name], name
    # not vacuous: the fields the .mpr used to leave empty are filled
    first = binary[0].metadata
    assert first.instrument is not None
    assert first.ac_amplitude_v is not None or first.ac_amplitude_a is not None


def test_mpr_settings_of_an_older_ec_lab(realdata: Path) -> None:
    """EC-Lab 11.32 (one-byte ``vs.`` field) on a VSP: values as listed in PROVENANCE.md for that run
    (Is = 0, Ia = 100 µA, 500 Hz → 0.8 Hz, 3 points per decade)."""
    pytest.importorskip("galvani")
    spectra = read_spectra(realdata / "cycling" / "biologic_vsp_geis_li-li-symmetric_02-45-spectra.mpr")
    m = spectra[0].metadata
    assert (m.instrument, m.technique, m.dc_current_a, m.ac_amplitude_a) == (
        "BioLogic VSP",
        "GEIS",
        0.0,
        1e-4,
    )
    assert (m.extra["freq_initial_hz"], m.extra["freq_final_hz"], m.extra["points_per_decade"]) == (
        500,
        0.8,
        3,
    )


def _geis_block(fi_khz: float, is_ma: float, ia_ua: float, wide_vs: bool) -> bytes:
    """A GEIS parameter sequence packed field by field (the layout the module docstring describes)."""
    vs = struct.pack("<I", 2) if wide_vs else bytes([2])
    head = bytes([0]) + struct.pack("<f", is_ma) + bytes([1]) + vs + struct.pack("<f", 0) + bytes([0])
    head += (
        struct.pack("<ff", 0, 0) + struct.pack("<f", fi_khz) + bytes([1]) + struct.pack("<f", 1) + bytes([2])
    )
    head += struct.pack("<I", 6) + bytes([1, 1, 0]) + struct.pack("<f", ia_ua) + bytes([2])
    head += struct.pack("<ff", 0.1, 0.1) + struct.pack("<I", 2) + bytes(40)
    settings = bytearray(0x1900)
    settings[0x1845 : 0x1845 + 4] = struct.pack("<HH", 1, 55)
    settings[0x1849 : 0x1849 + len(head)] = head
    return bytes(settings)


@pytest.mark.parametrize("wide", [False, True])
def test_geis_block_both_widths(wide: bool) -> None:
    got = eis_settings(_geis_block(100.0, -0.2, 10.0, wide), "GEIS", first_frequency_hz=100_000.0)
    assert (got.dc_current_a, got.ac_amplitude_a, got.freq_initial_hz, got.freq_final_hz) == (
        -2e-4,
        1e-5,
        1e5,
        1,
    )


def test_layout_that_does_not_match_the_data_gives_nothing() -> None:
    """If the decoded initial frequency contradicts the measured one, no field is reported (no shifted
    numbers): the .mpt stays the source."""
    got = eis_settings(_geis_block(100.0, -0.2, 10.0, True), "GEIS", first_frequency_hz=2_000.0)
    assert got.ac_amplitude_a is None and got.dc_current_a is None and got.freq_initial_hz is None


def test_mpt_amplitude_set_as_voltage_is_not_read_as_current(realdata: Path, tmp_path: Path) -> None:
    """``Ia/Va  Va``: EC-Lab applied a voltage amplitude, so the ``Ia`` line is not the AC current."""
    raw = (realdata / "eis" / "biologic_sp300_geis_4loops.mpt").read_bytes()
    assert raw.count(b"Ia/Va               Ia") == 1
    path = tmp_path / "va.mpt"
    path.write_bytes(raw.replace(b"Ia/Va               Ia", b"Ia/Va               Va"))
    assert read_spectra(path)[0].metadata.ac_amplitude_a is None
    assert (
        read_spectra(realdata / "eis" / "biologic_sp300_geis_4loops.mpt")[0].metadata.ac_amplitude_a == 3e-5
    )
