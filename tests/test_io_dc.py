"""DC readers (read_dc_records / read_dc_record): every real file in ../shared/realdata/dc, the bundled CHI
CV, and small synthetic files for layouts without a public real file.

Expected numbers were read off the raw files by hand (head/tail/awk), not from the reader.
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from nakinetics import sweeps
from nakinetics.exceptions import DataError, FileFormatError
from nakinetics.io import DC_FORMATS, detect_format, read_dc_record, read_dc_records, read_spectra

DATA = Path(__file__).resolve().parent / "data"
CHI_CV = DATA / "chi1100b_cyclic-voltammetry.csv"
GAMRY_EIS = DATA / "gamry_ref3000_eispot.DTA"
CHI_EIS = DATA / "chi660e_ac-impedance.txt"


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _error(info: pytest.ExceptionInfo[BaseException], path: Path) -> str:
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def test_dc_formats_tuple() -> None:
    # every format with a DC reader; .mpr, Ivium and VersaStudio DC files are recognised and explained
    assert set(DC_FORMATS) == {
        "chi",
        "biologic-mpt",
        "biologic-mpr",
        "gamry",
        "ivium",
        "versastudio",
        "autolab-nova",
        "zahner-isc",
        "csv",
    }


# ------------------------------------------------------------------------------ CHI (bundled real file)


def test_chi_cv_bundled_values() -> None:
    record = read_dc_record(CHI_CV)
    meta = record.metadata
    assert (meta.format, meta.technique, meta.instrument) == ("chi", "CV", "CHI1100B")
    assert meta.start_time == datetime(2020, 7, 27, 17, 10, 46)
    assert meta.scan_rate_v_s == pytest.approx(0.02)  # "Scan Rate (V/s) = 0.02"
    assert meta.area_cm2 is None and record.time_s is None and record.cycle is None
    # 6000 rows: first "-0.500, -5.780e-5", last "-0.499, -3.183e-5"
    assert len(record) == 6000
    assert (record.potential_v[0], record.current_a[0]) == (-0.5, -5.780e-5)
    assert (record.potential_v[-1], record.current_a[-1]) == (-0.499, -3.183e-5)
    assert meta.extra["segments"] == 6 and meta.extra["initial_polarity"] == "P"
    assert meta.extra["current_source"] == "file" and record.current_measured


def test_chi_cv_sign_anodic_peak_positive() -> None:
    """Ferricyanide: the anodic peak (max current, +4.803e-5 A at 0.093 V by awk on the raw file) must be
    positive and lie at a more positive potential than the cathodic peak (−6.482e-5 A at −0.053 V)."""
    record = read_dc_record(CHI_CV)
    k_max, k_min = int(np.argmax(record.current_a)), int(np.argmin(record.current_a))
    assert record.current_a[k_max] == pytest.approx(4.803e-5) and record.potential_v[k_max] == 0.093
    assert record.current_a[k_min] == pytest.approx(-6.482e-5) and record.potential_v[k_min] == -0.053
    assert record.potential_v[k_max] > record.potential_v[k_min]


def test_chi_cv_segments_match_header() -> None:
    """Header "Segment = 6"; the vertices 0.500 / −0.500 sit on file lines 1033, 2033, ... (rows 1000,
    2000, ...), so segments hold 1001, 1000, 1000, 1000, 1000, 999 points; 3 cycles."""
    record = read_dc_record(CHI_CV)
    segments = sweeps.split_segments(record)
    assert [len(s) for s in segments] == [1001, 1000, 1000, 1000, 1000, 999]
    assert [s.metadata.extra["sweep_direction"] for s in segments] == ["positive", "negative"] * 3
    assert all(s.metadata.scan_rate_v_s == 0.02 and s.metadata.technique == "CV" for s in segments)
    assert [len(c) for c in sweeps.cycles(record)] == [2001, 2000, 1999]


# ------------------------------------------------------------------------------- real files: dc/ folder


def test_every_realdata_dc_file_is_read(realdata: Path) -> None:
    """Every file under dc/ is read: DC files by read_dc_records, the PEIS file by read_spectra."""
    files = sorted(p for p in (realdata / "dc").rglob("*") if p.is_file())
    assert len(files) == 12  # 1 CHI, 1 Gamry, 3 EC-Lab, 7 Tafel_Fitter
    for path in files:
        if "_PEIS_" in path.name:
            with pytest.raises(FileFormatError, match="read_spectra"):
                read_dc_records(path)
            assert len(read_spectra(path)[0]) == 71  # PROVENANCE: 71 points 1 MHz → 100 mHz
        else:
            records = read_dc_records(path)
            assert records and all(len(r) > 10 for r in records)


def test_gamry_potdyn(realdata: Path) -> None:
    record = read_dc_record(realdata / "dc/ganglix_gamry/test_file_Icorr10uA.DTA")
    meta = record.metadata
    assert (meta.format, meta.technique, meta.instrument) == ("gamry", "POTDYN", "Gamry REF620-50035")
    assert meta.area_cm2 == 2.929  # AREA QUANT 2.929
    assert meta.scan_rate_v_s == pytest.approx(0.1667e-3, rel=1e-12)  # SCANRATE 1.66700E-001 mV/s
    assert meta.temperature_k is None  # Temp column −327.67 °C: no probe
    assert len(record) == 1163  # CURVE TABLE 1163
    # first row: Pt 0, T 2, Vf -8.61727E-001, Im -2.74121E-004; last: Pt 1162, T 2326, Vf -4.75190E-001
    assert (record.time_s[0], record.potential_v[0], record.current_a[0]) == (2.0, -0.861727, -2.74121e-4)
    assert (record.time_s[-1], record.potential_v[-1], record.current_a[-1]) == (2326.0, -0.47519, 0.199691)
    # VINIT −0.2 V vs. Eoc (EOC −0.6623822 V) = −0.862 V: the first measured Vf agrees within 1 mV
    assert meta.extra["vinit_v"] == pytest.approx(-0.8623822)
    assert abs(meta.extra["vinit_v"] - record.potential_v[0]) < 1e-3
    # anodic positive: negative below the corrosion potential, positive above; the zero crossing
    # (between Vf −0.674523 and −0.674271 V in the raw file) lies within 15 mV of EOC
    crossing = np.flatnonzero(np.diff(np.sign(record.current_a)) != 0)
    assert crossing.size == 1
    assert record.potential_v[crossing[0]] == -0.674523
    assert abs(record.potential_v[crossing[0]] - meta.extra["eoc_v"]) < 0.015
    assert "CONVENTION 1" in meta.extra["current_convention"]
    # scan rate from the time column agrees with the header within 0.2 %
    assert sweeps.scan_rate_v_s(record, from_time=True) == pytest.approx(0.1667e-3, rel=2e-3)
    # one row flagged in the Over column ("....ih..i.." at Pt 565, file line 645, awk): kept, listed
    assert meta.extra["overload_rows"] == [565] and meta.extra["overload_flags"] == ["....ih..i.."]
    assert record.potential_v[565] == -0.674297
    # area override: the file's AREA is kept beside the given one
    given = read_dc_record(realdata / "dc/ganglix_gamry/test_file_Icorr10uA.DTA", area_cm2=1.0)
    assert given.metadata.area_cm2 == 1.0 and given.metadata.extra["file_area_cm2"] == 2.929


def test_gamry_decimal_comma_crlf_matches_point_export(realdata: Path, tmp_path: Path) -> None:
    """The real POTDYN file rewritten as a comma-locale PC writes it (decimal commas, CRLF, cp1252) reads
    to the same numbers as the original."""
    source = realdata / "dc/ganglix_gamry/test_file_Icorr10uA.DTA"
    text = re.sub(r"(\d)\.(\d)", r"\1,\2", source.read_text(encoding="latin-1")).replace("\n", "\r\n")
    record = read_dc_record(_write(tmp_path, "comma.DTA", text, encoding="cp1252"))
    original = read_dc_record(source)
    assert np.array_equal(record.potential_v, original.potential_v)
    assert np.array_equal(record.current_a, original.current_a)
    assert record.metadata.area_cm2 == 2.929 and record.metadata.extra["overload_rows"] == [565]


def _fe_files(realdata: Path) -> tuple[Path, Path, Path]:
    folder = realdata / "dc/houlbergg_fe23_rde"
    return tuple(next(folder.glob(f"*_{tag}_C15.mpt")) for tag in ("02_CV", "01_OCV", "02_PEIS"))  # type: ignore[return-value]


def test_biologic_cv_fe23(realdata: Path) -> None:
    cv, _, _ = _fe_files(realdata)
    record = read_dc_record(cv)
    meta = record.metadata
    assert (meta.format, meta.technique, meta.instrument) == ("biologic-mpt", "CV", "BioLogic VMP-300")
    assert meta.scan_rate_v_s == pytest.approx(0.02)  # dE/dt 20.000, dE/dt unit mV/s
    assert meta.area_cm2 == pytest.approx(0.001)  # "Electrode surface area : 0.001 cm²" (placeholder)
    assert meta.reference == "SCE Saturated Calomel Electrode (0.241 V)"
    # acquisition start 12:36:41.987 + time/s of the first CV point (56.632199 s: the OCV step ran before it)
    assert meta.start_time == datetime(2024, 2, 23, 12, 37, 38, 619199)
    assert len(record) == 11987  # 12048 lines, 61 header lines
    # first row: time/s 5.663219856935029E+001, Ewe/V 4.6034262E-001, <I>/mA 4.570477904053405E-005
    assert record.time_s[0] == pytest.approx(56.63219856935029, rel=1e-15)
    assert record.potential_v[0] == 0.46034262
    assert record.current_a[0] == pytest.approx(4.570477904053405e-8, rel=1e-12)
    # last row: 3.566229909909453E+002, 4.6034649E-001, 9.976738365367055E-004 mA, cycle number 3
    assert record.time_s[-1] == pytest.approx(356.6229909909453, rel=1e-15)
    assert record.current_a[-1] == pytest.approx(9.976738365367055e-7, rel=1e-12)
    # 3 cycles: cycle number 1/2/3 with 3994/3996/3997 rows (awk), 0-based here
    assert np.bincount(record.cycle).tolist() == [3994, 3996, 3997]
    assert meta.extra["cycle_offset"] == 1
    # Fe²⁺ oxidation at the positive vertex is anodic: +0.5484 mA at Ewe 0.99999 V, −0.5228 mA at 5.6e-5 V
    assert record.current_a[np.argmax(record.potential_v)] == pytest.approx(5.484037473797798e-4)
    assert record.current_a[np.argmin(record.potential_v)] == pytest.approx(-5.227712914347649e-4)


def test_biologic_cv_segments_and_cycles(realdata: Path) -> None:
    cv, _, _ = _fe_files(realdata)
    record = read_dc_record(cv)
    segments = sweeps.split_segments(record)
    # Ei = Eoc (0.46 V) → E1 1.0 V → E2 0.0 V, three cycles, back to Eoc: 7 monotonic segments
    assert len(segments) == 7
    assert segments[0].potential_v[0] == pytest.approx(0.46, abs=1e-3)
    assert [round(float(s.potential_v[-1]), 2) for s in segments] == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.46]
    from_file = [len(c) for c in sweeps.cycles(record)]
    from_segments = [len(c) for c in sweeps.cycles(dataclasses.replace(record, cycle=None))]
    assert from_file == from_segments == [3994, 3996, 3997]
    assert sweeps.scan_rate_v_s(record, from_time=True) == pytest.approx(0.02, rel=2e-3)


def test_biologic_ocv_record(realdata: Path) -> None:
    _, ocv, _ = _fe_files(realdata)
    record = read_dc_record(ocv)
    meta = record.metadata
    assert meta.technique == "OCV" and meta.scan_rate_v_s is None
    assert len(record) == 120  # 167 lines, 47 header lines
    assert (record.time_s[0], record.potential_v[0]) == (pytest.approx(0.4999999873689376), 0.45976934)
    assert (record.time_s[-1], record.potential_v[-1]) == (pytest.approx(59.99979848427756), 0.45981857)
    assert np.all(record.current_a == 0.0)
    assert meta.extra["current_source"] == "open circuit" and not record.current_measured
    assert meta.extra["potential_column"] == "<Ewe/V>"
    with pytest.raises(FileFormatError, match="open-circuit"):
        read_dc_record(ocv, current_a=1e-3)
    with pytest.raises(DataError, match="not a potential sweep"):
        sweeps.split_segments(record)


_TAFEL_FITTER = [
    # file, rows (reader-independent count below), first (η V, I A), last (η V, I A): from head/tail
    ("Ir_OER_100mM_perchloric_acid_1600rpm.csv", (0.0001776, 3.80e-08), (0.1000445, 3.72e-03)),
    ("Pt-HER_100mM_perchloric_acid_1600rpm.csv", (-0.06603434, -0.010894229888916), (-0.00035995, 5.61e-05)),
    ("Pt-HER_100mM_perchloric_acid_2500rpm.csv", (-0.06580561, -0.011454909563065), (-0.00032702, 9.94e-05)),
    ("Pt-HER_100mM_perchloric_acid_900rpm.csv", (-0.06590476, -0.011029139041901), (-0.00032225, 9.16e-06)),
    ("Pt-ORR_100mM_perchloric_acid_1600rpm.csv", (-1.20578656, -0.00080817130208), (-0.24931825, -3.58e-07)),
    ("Pt-ORR_100mM_perchloric_acid_2500rpm.csv", (-0.2443198, -3.23e-07), (-1.20525143, -0.00100041163185)),
    ("Pt-ORR_100mM_perchloric_acid_900rpm.csv", (-1.20575795, -0.000569548249245), (-0.26339204, -2.76e-07)),
]


@pytest.mark.parametrize(("name", "first", "last"), _TAFEL_FITTER)
def test_tafel_fitter_csv(realdata: Path, name: str, first: tuple, last: tuple) -> None:
    path = realdata / "dc/meg-lbnl_tafel_fitter" / name
    record = read_dc_record(path)
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(record) == len(rows) - 1
    assert (record.potential_v[0], record.current_a[0]) == first
    assert (record.potential_v[-1], record.current_a[-1]) == last
    meta = record.metadata
    assert meta.format == "csv" and meta.extra["potential_kind"] == "overpotential"
    assert meta.reference == "overpotential (E − E_eq)"
    # the file's own third column is log10|I|: the current column and its unit (A) are the right ones
    # (currents are rounded to 3 digits in the file, hence 0.01 decade)
    log_i = np.array([float(row.split(",")[-1]) for row in rows[1:]])
    nonzero = record.current_a != 0
    assert np.max(np.abs(np.log10(np.abs(record.current_a[nonzero])) - log_i[nonzero])) < 0.01
    # HER and ORR are reductions: cathodic, negative at the largest |η|
    if "OER" not in name:
        assert record.current_a[np.argmin(record.potential_v)] < 0


# ------------------------------------------------------------------------------ CHI synthetic layouts

_CHI_HEAD = "Mar. 02, 2024   09:41:07\n{technique}\nFile: d:\\lab\\x.bin\nData Source:  Experiment\n"
_CHI_HEAD += "Instrument Model:  CHI660E\nHeader: \nNote: \n\n"


def _chi(tmp_path: Path, technique: str, params: str, header: str, rows: list[str]) -> Path:
    text = _CHI_HEAD.format(technique=technique) + params + "\n" + header + "\n\n" + "\n".join(rows) + "\n"
    return _write(tmp_path, "chi.txt", text)


def test_chi_lsv_synthetic(tmp_path: Path) -> None:
    """Layout from the real CV export with the LSV parameter names (Final E); unverified on a real LSV."""
    rows = [f"{0.001 * k:.3f}, {1e-6 * math.exp(k / 20):.3e}" for k in range(101)]
    params = "Init E (V) = 0\nFinal E (V) = 0.1\nScan Rate (V/s) = 0.005\nSample Interval (V) = 0.001\n"
    path = _chi(tmp_path, "Linear Sweep Voltammetry", params, "Potential/V, Current/A", rows)
    assert detect_format(path, kind="dc") == "chi"
    record = read_dc_record(path)
    assert (record.metadata.technique, record.metadata.scan_rate_v_s) == ("LSV", 0.005)
    assert record.metadata.extra["final_e_v"] == 0.1
    assert len(record) == 101 and record.current_a[-1] == pytest.approx(1e-6 * math.exp(5), rel=1e-3)
    assert len(sweeps.split_segments(record)) == 1
    with pytest.raises(FileFormatError, match="read_dc_records"):
        read_spectra(path)


def test_chi_tafel_reads_current_not_log_column(tmp_path: Path) -> None:
    """CHI Tafel Plot: `Potential/V, Current/A, log(i/A)` (third-party parsers' layout; unverified)."""
    e = np.linspace(-0.25, 0.25, 51)
    i = 1e-5 * (np.exp(0.5 * e / 0.025693) - np.exp(-0.5 * e / 0.025693))
    rows = [f"{a:.3f}, {b:.3e}, {math.log10(abs(b)) if b else -12:.3f}" for a, b in zip(e, i, strict=True)]
    path = _chi(
        tmp_path,
        "Tafel Plot",
        "Init E (V) = -0.25\nFinal E (V) = 0.25\nScan Rate (V/s) = 0.001\n",
        "Potential/V, Current/A, log(i/A)",
        rows,
    )
    record = read_dc_record(path)
    assert record.metadata.technique == "Tafel"
    assert record.current_a == pytest.approx(i, rel=1e-3, abs=1e-9)
    assert record.metadata.extra["other_columns"] == ["log(i/A)"]


def test_chi_bipotentiostat_takes_i1(tmp_path: Path) -> None:
    """`Potential/V, i1/A, i2/A` as in a real CHI760E RRDE export (wsyxbcl/pyCV, not copied)."""
    rows = ["0.200, 1.710e-4, 1.119e-5", "0.199, 1.341e-4, 1.126e-5", "0.198, 1.074e-4, 1.128e-5"]
    path = _chi(
        tmp_path,
        "Cyclic Voltammetry",
        "Scan Rate (V/s) = 0.01\nSegment = 7\n",
        "Potential/V, i1/A, i2/A",
        rows,
    )
    record = read_dc_record(path)
    assert record.current_a.tolist() == [1.710e-4, 1.341e-4, 1.074e-4]
    assert record.metadata.extra["other_columns"] == ["i2/A"]


def test_chi_cv_segment_results_parsed(tmp_path: Path) -> None:
    params = (
        "Scan Rate (V/s) = 0.01\n\nSegment 1:\nEp = -0.141V\nip = -1.036e-3A\nAh = -6.457e-3C\n\nSegment 2:\n"
    )
    path = _chi(tmp_path, "Cyclic Voltammetry", params, "Potential/V, Current/A", ["0.1, 1e-6", "0.0, 2e-6"])
    results = read_dc_record(path).metadata.extra["segment_results"]
    assert results[0] == {"segment": 1, "peaks": [{"ep_v": -0.141, "ip_a": -1.036e-3, "ah_c": -6.457e-3}]}
    assert results[1] == {"segment": 2, "peaks": []}


def test_chi_chronopotentiometry_needs_current(tmp_path: Path) -> None:
    """`Time/sec, Potential/V` (third-party CHI loaders; unverified): no current column."""
    params = "Cathodic Current (A) = 1e-3\nAnodic Current (A) = 1e-3\nInit P/N = P\nSegment = 1\n"
    path = _chi(
        tmp_path,
        "Chronopotentiometry",
        params,
        "Time/sec, Potential/V",
        ["0.0, 0.700", "2.0, 0.750", "4.0, 0.690"],
    )
    with pytest.raises(FileFormatError, match="current_a=") as info:
        read_dc_record(path)
    _error(info, path)
    record = read_dc_record(path, current_a=1e-3)
    assert record.metadata.technique == "CP" and record.time_s.tolist() == [0.0, 2.0, 4.0]
    assert record.current_a.tolist() == [1e-3] * 3 and not record.current_measured
    assert record.metadata.extra["current_source"] == "given"
    assert record.metadata.extra["anodic_current_a"] == 1e-3


def test_chi_impedance_is_not_dc() -> None:
    with pytest.raises(FileFormatError, match="read_spectra") as info:
        read_dc_records(CHI_EIS)
    _error(info, CHI_EIS)


# --------------------------------------------------------------------------- Gamry synthetic layouts

_GAMRY_HEAD = "EXPLAIN\nTAG\t{tag}\nTITLE\tLABEL\tx\tTest &Identifier\nDATE\tLABEL\t3/6/2019\tDate\n"
_GAMRY_HEAD += "TIME\tLABEL\t16:35:22\tTime\nPSTAT\tPSTAT\tREF600-1\tPotentiostat\n"
_GAMRY_HEAD += "SCANRATE\tQUANT\t5.00000E+001\t&Scan Rate (mV/s)\nAREA\tQUANT\t0.5\tSample &Area (cm^2)\n"
_GAMRY_HEAD += "CONVENTION\tIQUANT\t{convention}\tCurrent Convention\n"
_GAMRY_COLUMNS = "\tPt\tT\tVf\tIm\tVu\tSig\tAch\tIERange\tOver\n\t#\ts\tV vs. Ref.\tA\tV\tV\tV\t#\tbits\n"


def _gamry_cv(tmp_path: Path, convention: int) -> Path:
    """CV layout as gamry-parser's test file cv_data.dta: CURVE1..n tables without row counts."""
    text = _GAMRY_HEAD.format(tag="CV", convention=convention)
    pt = 0
    for cycle in range(3):
        text += f"CURVE{cycle + 1}\tTABLE\n" + _GAMRY_COLUMNS
        for k in range(4):
            e = 0.1 * k if k < 3 else 0.1
            text += (
                f"\t{pt}\t{0.1 * pt:.1f}\t{e:.5E}\t{(cycle + 1) * 1e-6:.5E}\t0\t{e}\t-1E-3\t5\t...........\n"
            )
            pt += 1
    return _write(tmp_path, "cv.DTA", text)


def test_gamry_cv_tables_are_cycles(tmp_path: Path) -> None:
    record = read_dc_record(_gamry_cv(tmp_path, 1))
    assert record.metadata.technique == "CV" and record.metadata.scan_rate_v_s == pytest.approx(0.05)
    assert record.metadata.area_cm2 == 0.5 and record.metadata.start_time == datetime(2019, 3, 6, 16, 35, 22)
    assert record.cycle.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert record.current_a.tolist() == [1e-6] * 4 + [2e-6] * 4 + [3e-6] * 4
    assert [len(c) for c in sweeps.cycles(record)] == [4, 4, 4]


def test_gamry_convention_zero_is_flipped(tmp_path: Path) -> None:
    record = read_dc_record(_gamry_cv(tmp_path, 0))
    assert record.current_a[0] == -1e-6
    assert record.metadata.extra["current_convention"].startswith("cathodic positive in the file")


def test_gamry_corpot_is_open_circuit(tmp_path: Path) -> None:
    """CORPOT layout as gamry-parser's ocp_data.dta (Pt T Vf Vm Ach Over Temp, no Im)."""
    text = _GAMRY_HEAD.format(tag="CORPOT", convention=1) + "CURVE\tTABLE\t3\n"
    text += "\tPt\tT\tVf\tVm\tAch\tOver\tTemp\n\t#\ts\tV vs. Ref.\tV\tV\tbits\tdeg C\n"
    for k in range(3):
        text += f"\t{k}\t{5.0 * (k + 1)}\t2.05E-002\t2.05E-002\t1.6E-003\t..........a\t-327.62\n"
    record = read_dc_record(_write(tmp_path, "ocp.DTA", text))
    assert record.metadata.technique == "OCV" and np.all(record.current_a == 0)
    assert record.time_s.tolist() == [5.0, 10.0, 15.0] and record.metadata.temperature_k is None


def test_gamry_impedance_is_not_dc() -> None:
    with pytest.raises(FileFormatError, match="read_spectra"):
        read_dc_records(GAMRY_EIS)


# -------------------------------------------------------------------------- BioLogic synthetic layouts


def _mpt(
    tmp_path: Path,
    technique: str,
    params: list[str],
    columns: list[str],
    rows: list[str],
    extra_header: list[str] = (),
) -> Path:  # type: ignore[assignment]
    head = [
        "EC-Lab ASCII FILE",
        "",
        "",
        technique,
        "",
        "Device : SP-150 (SN 1)",
        "Acquisition started on : 01/10/2024 11:02:29.886",
        "Electrode surface area : 1,131 cm²",
        *extra_header,
        *params,
        "",
    ]
    head[1] = f"Nb header lines : {len(head) + 1}"
    text = "\n".join([*head, "\t".join(columns), *rows]) + "\n"
    return _write(tmp_path, "x.mpt", text, encoding="cp1252")


def test_biologic_two_electrode_lsv_decimal_comma(tmp_path: Path) -> None:
    params = [
        "Ei (V)              0,000               ",
        "dE/dt               1,000               ",
        "dE/dt unit          mV/s                ",
    ]
    rows = [f"{k}\t{0.01 * k:.3f}\t{0.002 * k:.4f}".replace(".", ",") for k in range(5)]
    path = _mpt(tmp_path, "Linear Sweep Voltammetry", params, ["time/s", "Ecell/V", "I/mA"], rows)
    record = read_dc_record(path)
    meta = record.metadata
    assert (meta.technique, meta.reference, meta.scan_rate_v_s) == ("LSV", "cell voltage", 0.001)
    assert meta.area_cm2 == pytest.approx(1.131) and meta.extra["decimal_comma"] is True
    assert record.current_a.tolist() == pytest.approx([0.0, 2e-6, 4e-6, 6e-6, 8e-6])
    assert record.potential_v.tolist() == pytest.approx([0.0, 0.01, 0.02, 0.03, 0.04])


def test_biologic_loops_are_records(tmp_path: Path) -> None:
    loops = ["Number of loops : 2", "Loop 0 from point number 0 to 2", "Loop 1 from point number 3 to 5"]
    rows = [f"{k}\t{0.1 * (k % 3):.1f}\t{k}" for k in range(6)]
    path = _mpt(tmp_path, "Cyclic Voltammetry", [], ["time/s", "Ewe/V", "<I>/mA"], rows, loops)
    records = read_dc_records(path)
    assert [len(r) for r in records] == [3, 3] and [r.metadata.index for r in records] == [0, 1]
    assert records[1].time_s.tolist() == [3.0, 4.0, 5.0]
    assert records[0].metadata.start_time == datetime(2024, 1, 10, 11, 2, 29, 886000)  # time/s = 0
    assert records[1].metadata.start_time == datetime(2024, 1, 10, 11, 2, 32, 886000)  # + 3 s
    with pytest.raises(DataError, match="index="):
        read_dc_record(path)
    assert read_dc_record(path, index=1).current_a[0] == pytest.approx(3e-3)
    with pytest.raises(DataError, match="out of range"):
        read_dc_record(path, index=2)
    # an aborted run: the header declares loop 1 as points 3–8, the data end at point 5
    loops[2] = "Loop 1 from point number 3 to 8"
    path = _mpt(tmp_path, "Cyclic Voltammetry", [], ["time/s", "Ewe/V", "<I>/mA"], rows, loops)
    records = read_dc_records(path)
    assert [len(r) for r in records] == [3, 3]
    assert records[0].metadata.extra.get("partial_loop") is None
    assert "3 of 6 points" in records[1].metadata.extra["partial_loop"]


def test_biologic_missing_potential_column_is_named(tmp_path: Path) -> None:
    path = _mpt(tmp_path, "Cyclic Voltammetry", [], ["time/s", "control/V", "<I>/mA"], ["0\t0\t0", "1\t1\t1"])
    with pytest.raises(FileFormatError, match=r"no potential column .*Ewe/V") as info:
        read_dc_record(path)
    _error(info, path)


# ---------------------------------------------------------------------- NOVA and generic delimited text

_NOVA = (
    "Potential applied (V);Time (s);WE(1).Current (A);WE(1).Potential (V);Scan;Index;Q+;Q-;Current range\n"
)


def test_nova_semicolon_decimal_comma(tmp_path: Path) -> None:
    """NOVA CV export from a comma-locale PC (column names as documented in the notes; unverified)."""
    rows = []
    for k in range(6):
        applied, scan = [0.0, 0.1, 0.2, 0.1, 0.0, 0.1][k], 1 if k < 4 else 2
        rows.append(
            f"{applied};{0.5 * k};{1e-6 * (k - 2)};{applied + 0.0003};{scan};{k + 1};0;0;1 mA".replace(
                ".", ","
            )
        )
    path = _write(tmp_path, "nova.txt", _NOVA + "\n".join(rows) + "\n")
    assert detect_format(path, kind="dc") == "autolab-nova"
    assert detect_format(path) == "autolab-nova"  # one detection for every kind of data
    record = read_dc_record(path)
    meta = record.metadata
    assert meta.format == "autolab-nova" and meta.instrument == "Metrohm Autolab (NOVA)"
    assert meta.extra["columns"]["potential"] == "WE(1).Potential (V)"  # measured, not applied
    assert record.potential_v.tolist() == pytest.approx([0.0003, 0.1003, 0.2003, 0.1003, 0.0003, 0.1003])
    assert record.current_a.tolist() == pytest.approx([-2e-6, -1e-6, 0.0, 1e-6, 2e-6, 3e-6])
    assert record.time_s.tolist() == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
    assert record.cycle.tolist() == [0, 0, 0, 0, 1, 1] and meta.extra["cycle_offset"] == 1


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_nova_comma_and_tab(tmp_path: Path, delimiter: str) -> None:
    header = "Potential applied (V),Time (s),WE(1).Current (A)".replace(",", delimiter)
    rows = [delimiter.join(["0.1", "0.0", "1E-06"]), delimiter.join(["0.2", "1.0", "2E-06"])]
    record = read_dc_record(_write(tmp_path, "nova.csv", header + "\n" + "\n".join(rows) + "\n"))
    assert record.metadata.format == "autolab-nova"
    assert record.potential_v.tolist() == [0.1, 0.2] and record.current_a.tolist() == [1e-6, 2e-6]


def test_csv_mv_ma_units(tmp_path: Path) -> None:
    text = "# exported by hand\nTime (s),Voltage (mV),Current (mA)\n0,-100,-2.5\n1,0,0\n2,100,2.5\n"
    record = read_dc_record(_write(tmp_path, "sweep.csv", text))
    assert record.potential_v.tolist() == pytest.approx([-0.1, 0.0, 0.1])
    assert record.current_a.tolist() == pytest.approx([-2.5e-3, 0.0, 2.5e-3])
    assert record.time_s.tolist() == [0.0, 1.0, 2.0]
    assert record.metadata.extra.get("assumed_units") is None and record.metadata.technique is None


@pytest.mark.parametrize("unit", ["µA", "uA"])
def test_csv_microamps_and_reference_in_unit(tmp_path: Path, unit: str) -> None:
    text = f"Potential (V vs. RHE)\tI ({unit})\n0.5\t-3\n0.6\t4\n"
    record = read_dc_record(_write(tmp_path, "s.tsv", text))
    assert record.current_a.tolist() == pytest.approx([-3e-6, 4e-6])
    assert record.metadata.reference == "RHE"


def test_csv_current_density_needs_area(tmp_path: Path) -> None:
    path = _write(tmp_path, "j.csv", "E (V),j (mA/cm2)\n0.0,-1.0\n0.1,2.0\n")
    with pytest.raises(FileFormatError, match="area_cm2") as info:
        read_dc_record(path)
    _error(info, path)
    record = read_dc_record(path, area_cm2=0.5)
    assert record.current_a.tolist() == pytest.approx([-0.5e-3, 1.0e-3])
    assert record.current_density_a_cm2() == pytest.approx([-1e-3, 2e-3])
    assert record.metadata.area_cm2 == 0.5 and record.metadata.extra["current_source"] == "density × area"


def test_time_voltage_csv_is_cp_with_given_current(tmp_path: Path) -> None:
    """The operando GEIS case: U(t) at a known stripping current, no current column."""
    path = _write(tmp_path, "u_t.csv", "time/s,Ewe/V\n0,0.010\n600,0.012\n1200,0.015\n")
    with pytest.raises(FileFormatError, match=r"no current column .*current_a=") as info:
        read_dc_record(path)
    _error(info, path)
    record = read_dc_record(path, current_a=2e-4, area_cm2=1.0)
    assert record.metadata.technique == "CP" and record.current_a.tolist() == [2e-4] * 3
    assert record.time_s.tolist() == [0.0, 600.0, 1200.0] and record.potential_v[-1] == 0.015
    assert not record.current_measured and record.metadata.extra["area_source"] == "given"
    with pytest.raises(DataError, match="not a potential sweep"):
        sweeps.split_segments(record)


def test_given_current_rejected_when_file_has_current(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "E/V,I/A\n0,1e-6\n0.1,2e-6\n")
    with pytest.raises(FileFormatError, match=r"current_a=0\.001 was given"):
        read_dc_record(path, current_a=1e-3)


def test_ivium_ascii_export_via_generic_reader(tmp_path: Path) -> None:
    """IviumSoft ASCII export as described by ixdat's reader (timestamp line, `time/s E/V I/A`, one
    unlabeled extra column); layout unverified on a real file."""
    text = "04/03/2021 19:42:30\ntime/s E/V I/A\n0.0 0.10 1.0E-06 0.1001\n1.0 0.11 2.0E-06 0.1102\n"
    record = read_dc_record(_write(tmp_path, "ivium.txt", text))
    assert record.potential_v.tolist() == [0.10, 0.11] and record.current_a.tolist() == [1e-6, 2e-6]
    assert record.time_s.tolist() == [0.0, 1.0]


def test_ivium_idf_dc_is_rejected(tmp_path: Path) -> None:
    text = "\x00\x01Version=11\r\nMethod=CyclicVoltammetry\r\nprimary_data\r\n3\r\n1\r\n0 0 0\r\n"
    path = _write(tmp_path, "cv.idf", text, encoding="latin-1")
    with pytest.raises(FileFormatError, match="undocumented") as info:
        read_dc_records(path)
    _error(info, path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("0.1,1e-6\n0.2,2e-6\n", "no header row"),
        ("Time (s),Temperature (C)\n0,25\n1,26\n", "no potential column"),
        ("E (V),Index\n0,1\n0.1,2\n", "no current column"),
        ("E (V),I (furlongs)\n0,1\n0.1,2\n", "unit 'furlongs' is not supported"),
        ("\n  \n", "empty"),
    ],
)
def test_csv_errors_name_file_and_problem(tmp_path: Path, text: str, match: str) -> None:
    path = _write(tmp_path, "bad.csv", text)
    with pytest.raises(FileFormatError, match=match) as info:
        read_dc_records(path)
    _error(info, path)


def test_nan_row_is_named_by_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "nan.csv", "E/V,I/A\n0,1e-6\n0.1,nan\n0.2,3e-6\n")
    with pytest.raises(FileFormatError, match="line 3: current is NaN"):
        read_dc_records(path)


def test_unknown_format_and_spectrum_formats(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match=r"ZPlot.*hold impedance spectra, not DC records"):
        read_dc_records(CHI_CV, format="zplot")
    z60w = _write(tmp_path, "a.txt", "Z60W Data File: Version 1.1\n1,2,3\n")
    with pytest.raises(FileFormatError, match="hold impedance spectra, not DC records"):
        read_dc_records(z60w)
    with pytest.raises(FileNotFoundError):
        read_dc_records(tmp_path / "missing.csv")


def test_area_override_keeps_file_value(tmp_path: Path) -> None:
    path = _gamry_cv(tmp_path, 1)  # AREA QUANT 0.5
    record = read_dc_record(path, area_cm2=0.0707)
    assert record.metadata.area_cm2 == 0.0707 and record.metadata.extra["file_area_cm2"] == 0.5
    assert record.metadata.extra["area_source"] == "given"
    assert record.current_density_a_cm2()[0] == pytest.approx(1e-6 / 0.0707)
    assert read_dc_record(path).current_density_a_cm2()[0] == pytest.approx(1e-6 / 0.5)
    chi = read_dc_record(CHI_CV, area_cm2=0.0707)  # no area in a CHI export: nothing to keep
    assert chi.metadata.area_cm2 == 0.0707 and "file_area_cm2" not in chi.metadata.extra
    with pytest.raises(FileFormatError, match="area_cm2=-1"):
        read_dc_record(CHI_CV, area_cm2=-1)


# ------------------------------------------------------------------- review fixes: layouts and messages


def test_chi_crlf_reads_like_lf(tmp_path: Path) -> None:
    """The bundled CHI CV with CRLF line ends: same rows as read by hand (first/last) from the LF file."""
    text = CHI_CV.read_text(encoding="latin-1").replace("\n", "\r\n")
    record = read_dc_record(_write(tmp_path, "crlf.csv", text, encoding="cp1252"))
    assert len(record) == 6000 and record.metadata.technique == "CV"
    assert (record.potential_v[0], record.current_a[0]) == (-0.5, -5.780e-5)
    assert (record.potential_v[-1], record.current_a[-1]) == (-0.499, -3.183e-5)


def test_gamry_decimal_comma_after_the_first_rows(tmp_path: Path) -> None:
    """The first rows hold integers only; commas appear from the 7th row on."""
    text = _GAMRY_HEAD.format(tag="LSV", convention=1) + "CURVE\tTABLE\t8\n" + _GAMRY_COLUMNS
    for k in range(8):
        vf = f"{k}" if k < 6 else f"{k},5"
        text += f"\t{k}\t{k}\t{vf}\t{k}E-006\t0\t0\t0\t5\t...........\n"
    record = read_dc_record(_write(tmp_path, "late.DTA", text))
    assert record.potential_v.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.5, 7.5]
    assert record.current_a[-1] == pytest.approx(7e-6)


def test_gamry_overload_flags_and_convention_override(tmp_path: Path) -> None:
    text = _GAMRY_HEAD.format(tag="LSV", convention=0) + "CURVE\tTABLE\t3\n" + _GAMRY_COLUMNS
    for k, flag in enumerate(["...........", "....i......", "..........."]):
        text += f"\t{k}\t{k}\t{0.1 * k:.1f}\t{k + 1}E-006\t0\t0\t0\t5\t{flag}\n"
    path = _write(tmp_path, "over.DTA", text)
    record = read_dc_record(path)  # CONVENTION 0: flipped
    assert record.current_a.tolist() == pytest.approx([-1e-6, -2e-6, -3e-6]) and len(record) == 3
    assert record.metadata.extra["overload_rows"] == [1]
    assert record.metadata.extra["overload_flags"] == ["....i......"]
    as_written = read_dc_record(path, current_convention="anodic")  # the caller overrides the file
    assert as_written.current_a.tolist() == pytest.approx([1e-6, 2e-6, 3e-6])
    assert "current_convention='anodic'" in as_written.metadata.extra["current_convention"]
    flipped = read_dc_record(path, current_convention="cathodic")  # flipped once, not twice
    assert flipped.current_a.tolist() == pytest.approx([-1e-6, -2e-6, -3e-6])


def test_current_convention_option(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "E/V,I/mA\n0.1,-1.5\n0.2,2.5\n")
    assert read_dc_record(path).current_a.tolist() == pytest.approx([-1.5e-3, 2.5e-3])
    record = read_dc_record(path, current_convention="cathodic")
    assert record.current_a.tolist() == pytest.approx([1.5e-3, -2.5e-3])
    assert record.metadata.extra["current_convention"].startswith("cathodic positive in the file")
    # a given set current is anodic positive by definition: the convention does not touch it
    u_t = _write(tmp_path, "u.csv", "time/s,Ewe/V\n0,0.01\n1,0.02\n")
    assert read_dc_record(u_t, current_a=2e-4, current_convention="cathodic").current_a.tolist() == [2e-4] * 2
    with pytest.raises(DataError, match="current_convention='IUPAC'") as info:
        read_dc_record(path, current_convention="IUPAC")  # type: ignore[arg-type]
    _error(info, path)


def test_biologic_crlf_comma_locale_start_time_and_late_comma(tmp_path: Path) -> None:
    """EC-Lab on a comma-locale PC: CRLF, cp1252, ``11:02:29,886``; the first data rows are integers."""
    params = ["dE/dt               50,000              ", "dE/dt unit          mV/s                "]
    rows = [f"{k}\t{k}\t{k}\t1" for k in range(6)] + ["6,5\t0,5\t1,25\t1"]
    path = _mpt(tmp_path, "Cyclic Voltammetry", params, ["time/s", "Ewe/V", "<I>/mA", "cycle number"], rows)
    text = path.read_text(encoding="cp1252").replace("11:02:29.886", "11:02:29,886").replace("\n", "\r\n")
    path.write_bytes(text.encode("cp1252"))
    record = read_dc_record(path)
    meta = record.metadata
    assert meta.start_time == datetime(2024, 1, 10, 11, 2, 29, 886000)
    assert meta.scan_rate_v_s == pytest.approx(0.05) and meta.extra["decimal_comma"] is True
    assert record.potential_v.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 0.5]
    assert record.current_a[-1] == pytest.approx(1.25e-3) and record.time_s[-1] == 6.5


@pytest.mark.parametrize(("unit", "scale"), [("nA", 1e-9), ("µA", 1e-6), ("A", 1.0)])
def test_biologic_current_units(tmp_path: Path, unit: str, scale: float) -> None:
    rows = ["0\t0.1\t2.5", "1\t0.2\t-4"]
    path = _mpt(tmp_path, "Cyclic Voltammetry", [], ["time/s", "Ewe/V", f"<I>/{unit}"], rows)
    record = read_dc_record(path)
    assert record.current_a.tolist() == pytest.approx([2.5 * scale, -4 * scale])


def test_biologic_unsupported_current_unit_is_named(tmp_path: Path) -> None:
    path = _mpt(tmp_path, "Cyclic Voltammetry", [], ["time/s", "Ewe/V", "<I>/mC"], ["0\t0.1\t2", "1\t0.2\t3"])
    with pytest.raises(FileFormatError, match=r"'<I>/mC': unit 'mC' is not supported") as info:
        read_dc_record(path)
    _error(info, path)


def test_impedance_table_is_not_a_dc_record(tmp_path: Path) -> None:
    """An EC-Lab PEIS table saved as .txt without the EC-Lab header (it has <Ewe>/V and <I>/mA columns)."""
    header = "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\t|Z|/Ohm\tPhase(Z)/deg\ttime/s\t<Ewe>/V\t<I>/mA\n"
    rows = "".join(f"{10 ** (5 - k)}\t{10 + k}\t{k}\t11\t-5\t{k}\t0.46\t0.0001\n" for k in range(6))
    path = _write(tmp_path, "peis.txt", header + rows)
    with pytest.raises(FileFormatError, match=r"hold impedance spectra.*use read_spectra") as info:
        read_dc_records(path)
    _error(info, path)
    spectrum = read_spectra(path)[0]
    assert spectrum.frequency.tolist() == [1e5, 1e4, 1e3, 100.0, 10.0, 1.0]
    assert spectrum.imag.tolist() == [0.0, -1.0, -2.0, -3.0, -4.0, -5.0]


@pytest.mark.parametrize(
    ("name", "reference", "scale"),
    [
        ("E/V vs. Ag/AgCl", "Ag/AgCl", 1.0),
        ("Ewe vs SCE (V)", "SCE", 1.0),
        ("E (mV vs. RHE)", "RHE", 1e-3),
        ("Potential [V vs Li/Li+]", "Li/Li+", 1.0),
        ("E vs Na/Na+ / mV", "Na/Na+", 1e-3),
    ],
)
def test_reference_electrode_in_potential_name(
    tmp_path: Path, name: str, reference: str, scale: float
) -> None:
    path = _write(tmp_path, "ref.csv", f"{name},I/mA\n100,1\n200,2\n")
    record = read_dc_record(path)
    assert record.potential_v.tolist() == pytest.approx([100 * scale, 200 * scale])
    assert record.metadata.reference == reference
    assert record.current_a.tolist() == pytest.approx([1e-3, 2e-3])


def test_current_density_name_with_two_slashes(tmp_path: Path) -> None:
    path = _write(tmp_path, "j.csv", "E/V,j/mA/cm2\n0.1,1\n0.2,2\n")
    with pytest.raises(FileFormatError, match=r"'j/mA/cm2' is a current density; pass area_cm2="):
        read_dc_record(path)
    record = read_dc_record(path, area_cm2=2.0)
    assert record.current_a.tolist() == pytest.approx([2e-3, 4e-3])
    assert record.metadata.extra["current_source"] == "density × area"


def test_temperature_column_is_not_time(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "T (°C),Time (s),E (V),I (A)\n25,0,0.1,1e-6\n25.5,60,0.2,2e-6\n")
    record = read_dc_record(path)
    assert record.time_s.tolist() == [0.0, 60.0]
    assert record.metadata.extra["columns"]["time"] == "Time (s)"


def test_utf16_export(tmp_path: Path) -> None:
    """Windows "Unicode" text (UTF-16 LE with BOM, CRLF): detected as text, not as a binary file."""
    path = _write(tmp_path, "u16.txt", "E (V)\tI (A)\r\n0.1\t1e-6\r\n0.2\t2e-6\r\n", encoding="utf-16")
    assert path.read_bytes()[:2] == b"\xff\xfe"
    assert detect_format(path, kind="dc") == "csv"
    record = read_dc_record(path)
    assert record.potential_v.tolist() == [0.1, 0.2] and record.current_a.tolist() == [1e-6, 2e-6]


def test_versastudio_dc_par_without_segments(tmp_path: Path) -> None:
    text = "<Application>\nName=VersaStudio\n</Application>\n<Experiment>\nTechnique=Linear Sweep\n</Experiment>\n"
    path = _write(tmp_path, "lsv.par", text)
    with pytest.raises(FileFormatError, match=r"no <SegmentN> with E\(V\) and I\(A\)") as info:
        read_dc_records(path)
    _error(info, path)
