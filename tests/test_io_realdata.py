"""Readers on every real instrument file in ../shared/realdata/eis (skipped when the folder is absent).

Checks: format detection, point counts (PROVENANCE.md), key metadata, sign convention (Z'' < 0 where
capacitive), and equality with impedance.py 1.7.1's readers (the test oracle) where it reads the format.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from nakinetics.exceptions import FileFormatError
from nakinetics.io import detect_format, read_spectra, read_spectrum

BROKEN = "impedance_py_exampleDataBioLogic_MissingFreq.mpt"

#: file → (format, points per spectrum, technique)
EXPECTED: dict[str, tuple[str, list[int], str | None]] = {
    "chi660e_ac-impedance.txt": ("chi", [73], "PEIS"),
    "ivium_compactstat_geis_constant-I.idf": ("ivium", [26], "GEIS"),
    "biologic_sp300_geis_4loops.mpt": ("biologic-mpt", [21] * 4, "GEIS"),
    "biologic_sp300_geis_4loops.mpr": ("biologic-mpr", [21] * 4, "GEIS"),
    "biologic_sp150_peis_ecl11-18.mpt": ("biologic-mpt", [43], "PEIS"),
    "biologic_sp150_peis_ecl11-18.mpr": ("biologic-mpr", [43], "PEIS"),
    "gamry_ref3000_eispot.DTA": ("gamry", [72], "PEIS"),
    "impedance_py_exampleDataGamryABORT.DTA": ("gamry", [72], "PEIS"),
    "scribner_zplot_3.2c.z": ("zplot", [21], "PEIS"),
    "impedance_py_exampleDataZPlot_noComments.z": ("zplot", [31], "PEIS"),
    "impedance_py_Circuit1_EIS_1.z": ("zplot", [48], "PEIS"),
    "ecochemie_fra_z60w.txt": ("autolab-z60w", [41], None),
    "impedance_py_exampleDataParstat.txt": ("parstat", [31], None),
    "impedance_py_exampleDataPowersuite.txt": ("powersuite", [30], None),
    "impedance_py_exampleDataVersaStudio.par": ("versastudio", [61], "PEIS"),
    "impedance_py_exampleData.csv": ("csv", [66], None),
}

#: file → metadata fields expected (floats compared with rel 1e-12)
METADATA: dict[str, dict[str, object]] = {
    "chi660e_ac-impedance.txt": {
        "instrument": "CHI660E",
        "dc_potential_v": 0.0,
        "ac_amplitude_v": 0.025,
        "start_time": datetime(2020, 2, 20, 15, 55, 8),
    },
    "ivium_compactstat_geis_constant-I.idf": {
        "instrument": "Ivium CompactStat",
        "dc_current_a": 0.0,
        "ac_amplitude_a": 0.001,
        "area_cm2": 1.0,
        "temperature_k": 298.0,
        "start_time": datetime(2022, 12, 12, 17, 18, 49),
    },
    "biologic_sp300_geis_4loops.mpt": {
        "instrument": "BioLogic SP-300",
        "dc_current_a": 0.0,
        "ac_amplitude_a": 30e-6,
        "area_cm2": None,  # "0.000 cm²" in the header means "not set"
        # acquisition start 11:02:29.886 + time/s of the first point (61.515 s)
        "start_time": datetime(2024, 1, 10, 11, 3, 31, 401199),
    },
    "biologic_sp150_peis_ecl11-18.mpt": {
        "instrument": "BioLogic SP-150",
        "dc_potential_v": 0.0,
        "ac_amplitude_v": 0.020,
        "area_cm2": 0.001,
        "start_time": datetime(2018, 2, 4, 10, 2, 46, 783690),  # + time/s of the first point
    },
    "biologic_sp150_peis_ecl11-18.mpr": {"start_time": datetime(2018, 2, 4, 10, 2, 46, 783690)},
    "gamry_ref3000_eispot.DTA": {
        "instrument": "Gamry REF3000-34128",
        "dc_potential_v": -0.05 + -0.2919803,  # VDC -50 mV vs. Eoc (flag T) + EOC
        "ac_amplitude_v": 0.010,  # VAC 10 mV rms
        "area_cm2": 1.0,
        "start_time": datetime(2018, 4, 23, 16, 43, 15),
    },
    "impedance_py_exampleDataGamryABORT.DTA": {
        "instrument": "Gamry REF600P-36072",
        "dc_potential_v": 0.0,
        "ac_amplitude_v": 0.025,
        "start_time": datetime(2020, 3, 18, 16, 54, 44),
    },
    "scribner_zplot_3.2c.z": {
        "instrument": "Scribner ZPlot 3.2c",
        "ac_amplitude_v": 0.01,
        "area_cm2": 1.0,
        "start_time": datetime(2018, 10, 12, 11, 4, 34),
    },
    "impedance_py_exampleDataZPlot_noComments.z": {
        "ac_amplitude_v": 0.01,
        "start_time": datetime(2019, 12, 17, 16, 24, 35),
    },
    "impedance_py_exampleDataVersaStudio.par": {
        "dc_potential_v": 0.0,
        "ac_amplitude_v": 0.020,
        "area_cm2": 1.0,
        "start_time": datetime(2018, 7, 19, 9, 40, 30),
    },
    "impedance_py_exampleDataParstat.txt": {"dc_potential_v": pytest.approx(3.50029, abs=1e-5)},
}

#: file → impedance.py ``readFile`` instrument (None = ``readCSV``)
ORACLE: dict[str, str | None] = {
    "gamry_ref3000_eispot.DTA": "gamry",
    "impedance_py_exampleDataGamryABORT.DTA": "gamry",
    "ecochemie_fra_z60w.txt": "autolab",
    "impedance_py_exampleDataParstat.txt": "parstat",
    "scribner_zplot_3.2c.z": "zplot",
    "impedance_py_exampleDataZPlot_noComments.z": "zplot",
    "impedance_py_Circuit1_EIS_1.z": "zplot",
    "impedance_py_exampleDataVersaStudio.par": "versastudio",
    "impedance_py_exampleDataPowersuite.txt": "powersuite",
    "biologic_sp300_geis_4loops.mpt": "biologic",
    "biologic_sp150_peis_ecl11-18.mpt": "biologic",
    "chi660e_ac-impedance.txt": "chinstruments",
    "impedance_py_exampleData.csv": None,
}


@pytest.fixture
def eis(realdata: Path) -> Path:
    return realdata / "eis"


def test_every_file_is_covered(eis: Path) -> None:
    assert {p.name for p in eis.iterdir()} == {*EXPECTED, BROKEN}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_read_counts_technique_sign(eis: Path, name: str) -> None:
    if name.endswith(".mpr"):
        pytest.importorskip("galvani")
    fmt, counts, technique = EXPECTED[name]
    assert detect_format(eis / name) == fmt
    spectra = read_spectra(eis / name)
    assert [len(s) for s in spectra] == counts
    for i, s in enumerate(spectra):
        assert s.metadata.index == i
        assert s.metadata.format == fmt
        assert s.metadata.source == str(eis / name)
        assert s.metadata.technique == technique
        assert np.all(s.frequency > 0)
        # capacitive behaviour at the lowest frequency, and for most points: Z'' < 0
        assert s.imag[np.argmin(s.frequency)] < 0
        assert np.median(s.imag) < 0
        json.dumps(s.metadata.to_dict())  # extra is JSON-safe


@pytest.mark.parametrize("name", sorted(METADATA))
def test_metadata(eis: Path, name: str) -> None:
    if name.endswith(".mpr"):
        pytest.importorskip("galvani")
    meta = read_spectra(eis / name)[0].metadata
    for field, expected in METADATA[name].items():
        value = getattr(meta, field)
        if isinstance(expected, float):
            assert value == pytest.approx(expected, rel=1e-12), field
        else:
            assert value == expected, field


@pytest.mark.parametrize("name", sorted(ORACLE))
def test_same_arrays_as_impedance_py(eis: Path, name: str) -> None:
    preprocessing = pytest.importorskip("impedance.preprocessing")
    instrument = ORACLE[name]
    if instrument is None:
        f_ref, z_ref = preprocessing.readCSV(str(eis / name))
    else:
        f_ref, z_ref = preprocessing.readFile(str(eis / name), instrument=instrument)
    spectra = read_spectra(eis / name)  # BioLogic loops: impedance.py concatenates them
    np.testing.assert_array_equal(np.concatenate([s.frequency for s in spectra]), f_ref)
    np.testing.assert_array_equal(np.concatenate([s.impedance for s in spectra]), z_ref)


@pytest.mark.parametrize("stem", ["biologic_sp150_peis_ecl11-18", "biologic_sp300_geis_4loops"])
def test_mpr_matches_mpt(eis: Path, stem: str) -> None:
    pytest.importorskip("galvani")
    text, binary = read_spectra(eis / f"{stem}.mpt"), read_spectra(eis / f"{stem}.mpr")
    assert len(text) == len(binary)
    for a, b in zip(text, binary, strict=True):
        # .mpr stores float32; .mpt prints 8 significant digits
        np.testing.assert_allclose(b.frequency, a.frequency, rtol=1e-7)
        np.testing.assert_allclose(b.impedance, a.impedance, rtol=1e-7)
        np.testing.assert_allclose(b.point_times_s, a.point_times_s, rtol=0, atol=1e-9)
        assert b.metadata.start_time == a.metadata.start_time
        assert b.metadata.technique == a.metadata.technique


def test_broken_biologic_file(eis: Path) -> None:
    with pytest.raises(FileFormatError) as info:
        read_spectra(eis / BROKEN)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(eis / BROKEN))
    assert "freq/Hz" in message
    assert "line 61" in message


def test_biologic_geis_series(eis: Path) -> None:
    loops = read_spectra(eis / "biologic_sp300_geis_4loops.mpt")
    starts = [s.metadata.start_time for s in loops]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert all(190 < g < 210 for g in gaps)  # one spectrum every ~200 s
    assert loops[0].point_times_s[0] == pytest.approx(61.51519854509388)
    assert [s.metadata.extra["loop"] for s in loops] == [0, 1, 2, 3]
    # the first point of each loop is the 200 kHz start: Re(Z) ≈ 8–10 Ω and the sign flip of -Im(Z)
    assert loops[0].impedance[0] == pytest.approx(10.078821 + 2.1745603j)
    assert read_spectrum(eis / "biologic_sp300_geis_4loops.mpt", index=2).metadata.index == 2


def test_biologic_loops_without_loop_lines(eis: Path, tmp_path: Path) -> None:
    """Without ``Loop k from ...`` lines the sweeps are split at the frequency resets."""
    raw = (eis / "biologic_sp300_geis_4loops.mpt").read_bytes()
    lines = raw.split(b"\n")
    kept = [ln for ln in lines if not ln.startswith((b"Loop ", b"Number of loops"))]
    removed = len(lines) - len(kept)
    kept[1] = b"Nb header lines : %d" % (76 - removed)
    (tmp_path / "noloops.mpt").write_bytes(b"\n".join(kept))
    spectra = read_spectra(tmp_path / "noloops.mpt")
    reference = read_spectra(eis / "biologic_sp300_geis_4loops.mpt")
    assert [len(s) for s in spectra] == [21] * 4
    for a, b in zip(spectra, reference, strict=True):
        np.testing.assert_array_equal(a.impedance, b.impedance)


def test_biologic_run_aborted_inside_a_declared_loop(eis: Path, tmp_path: Path) -> None:
    """The header declares loop 3 as points 63–83; an aborted run ends after point 66 (3 loops + 4 rows)."""
    full = eis / "biologic_sp300_geis_4loops.mpt"
    lines = full.read_bytes().split(b"\n")
    (tmp_path / "aborted.mpt").write_bytes(b"\n".join(lines[: 76 + 67]))
    spectra = read_spectra(tmp_path / "aborted.mpt")
    reference = read_spectra(full)
    assert [len(s) for s in spectra] == [21, 21, 21, 4]
    for a, b in zip(spectra, reference, strict=False):
        np.testing.assert_array_equal(a.impedance, b.impedance[: len(a)])
    assert [s.metadata.extra.get("partial_loop") is None for s in spectra] == [True, True, True, False]
    assert "4 of 21 points" in spectra[3].metadata.extra["partial_loop"]
    # one row fewer than the next loop's first point: loop 3 holds no data and is named, not invented
    (tmp_path / "ended.mpt").write_bytes(b"\n".join(lines[: 76 + 63]))
    ended = read_spectra(tmp_path / "ended.mpt")
    assert [len(s) for s in ended] == [21, 21, 21]
    assert "loop(s) 3 declared in the header hold no data" in ended[2].metadata.extra["partial_loop"]


def test_gamry_aborted_run(eis: Path) -> None:
    s = read_spectrum(eis / "impedance_py_exampleDataGamryABORT.DTA")
    assert s.metadata.extra["aborted"] is True
    assert s.point_times_s[:2].tolist() == [1.0, 3.0]


def test_parstat_drops_dc_rows(eis: Path) -> None:
    s = read_spectrum(eis / "impedance_py_exampleDataParstat.txt")
    assert s.metadata.extra["dropped_dc_rows"] == 812 - 31
    assert s.point_times_s[0] == pytest.approx(7639.602)
    assert s.frequency[0] == 10000


def test_ivium_ids_with_two_datasets(eis: Path, tmp_path: Path) -> None:
    """An .ids file is datasets back to back; the second one here is made potentiostatic."""
    raw = (eis / "ivium_compactstat_geis_constant-I.idf").read_bytes()
    second = (
        raw.replace(b"Technique=Constant I", b"Technique=Constant E")
        .replace(b"I_Frequencies.", b"Frequencies.")
        .replace(b"I start=0", b"E start=0,25")  # decimal comma (comma-locale PC)
        .replace(b"starttime=12/12/2022 5:18:49 PM", b"starttime=13/12/2022 17:30:00")
    )
    (tmp_path / "series.ids").write_bytes(raw + second)
    first, pot = read_spectra(tmp_path / "series.ids")
    assert (first.metadata.technique, pot.metadata.technique) == ("GEIS", "PEIS")
    assert pot.metadata.dc_potential_v == 0.25
    assert pot.metadata.ac_amplitude_v == 0.001
    assert pot.metadata.start_time == datetime(2022, 12, 13, 17, 30)
    assert pot.metadata.index == 1
    np.testing.assert_array_equal(first.impedance, pot.impedance)
    assert first.impedance[0] == pytest.approx(13.7548 - 1.87976j)
