"""Readers on the bundled MIT files (tests/data) and on small synthetic files written to tmp_path.

These run in a user's clone without ../shared/realdata.
"""

from __future__ import annotations

import hashlib
import re
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from nakinetics.exceptions import DataError, FileFormatError
from nakinetics.io import FORMATS, detect_format, read_spectra, read_spectrum

DATA = Path(__file__).resolve().parent / "data"
CHI = DATA / "chi660e_ac-impedance.txt"
GAMRY = DATA / "gamry_ref3000_eispot.DTA"
MPT = DATA / "biologic_sp150_peis_ecl11-18.mpt"


def _one_line_error(info: pytest.ExceptionInfo[BaseException], path: Path) -> str:
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------------------- bundled files


def test_bundled_files_match_readme() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \|.*\| ([0-9a-f]{64}) \|$", readme, flags=re.MULTILINE)
    assert {name for name, _ in rows} == {CHI.name, GAMRY.name, MPT.name, "chi1100b_cyclic-voltammetry.csv"}
    for name, digest in rows:
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest


NEW_FORMATS = {  # formats added after the first catalogue (tested in test_io_formats.py)
    "palmsens-pssession",
    "palmsens-csv",
    "zahner-ism",
    "autolab-dfr",
    "p00",
    "elchemea-i2b",
    "corrtest-z60",
    "xlsx",
    "ods",
}


def test_registry_names() -> None:
    assert (
        set(FORMATS)
        == {
            "chi",
            "biologic-mpt",
            "biologic-mpr",
            "gamry",
            "ivium",
            "zplot",
            "autolab-z60w",
            "parstat",
            "versastudio",
            "powersuite",
            "autolab-nova",
            "csv",
        }
        | NEW_FORMATS
    )


def test_chi_bundled() -> None:
    s = read_spectrum(CHI)
    assert detect_format(CHI) == "chi"
    assert len(s) == 73
    m = s.metadata
    assert (m.format, m.instrument, m.technique) == ("chi", "CHI660E", "PEIS")
    assert (m.dc_potential_v, m.ac_amplitude_v) == (0.0, 0.025)
    assert m.start_time == datetime(2020, 2, 20, 15, 55, 8)
    assert s.frequency[0] == 9.961e4
    assert s.impedance[0] == 9.891e1 - 2.748j  # Z" is signed in CHI files
    assert s.impedance[-1].imag < 0
    assert s.point_times_s is None


def test_gamry_bundled() -> None:
    s = read_spectrum(GAMRY)
    m = s.metadata
    assert len(s) == 72
    assert (m.format, m.technique, m.instrument) == ("gamry", "PEIS", "Gamry REF3000-34128")
    assert m.ac_amplitude_v == 0.01
    assert m.dc_potential_v == pytest.approx(-0.3419803, rel=1e-12)
    assert m.extra["vdc_vs"] == "Eoc"
    assert m.area_cm2 == 1.0
    assert m.start_time == datetime(2018, 4, 23, 16, 43, 15)
    assert s.point_times_s[0] == 1.0
    assert s.impedance[0] == 825.8584 - 1367.239j


def test_biologic_bundled() -> None:
    s = read_spectrum(MPT)
    m = s.metadata
    assert len(s) == 43
    assert (m.format, m.technique, m.instrument) == ("biologic-mpt", "PEIS", "BioLogic SP-150")
    assert (m.ac_amplitude_v, m.dc_potential_v, m.area_cm2) == (0.02, 0.0, 0.001)
    assert m.start_time == datetime(
        2018, 2, 4, 10, 2, 46, 783690
    )  # acquisition start + time/s of point 1 (0.78369 s)
    # -Im(Z)/Ohm = 3.8998979E-001 in the file → Z'' = -0.38998979 Ω
    assert s.impedance[0] == 6.5470886e1 - 3.8998979e-1j
    assert s.point_times_s[0] == pytest.approx(0.7836904905780102)


@pytest.mark.parametrize(
    ("path", "instrument"),
    [(CHI, "chinstruments"), (GAMRY, "gamry"), (MPT, "biologic")],
    ids=lambda p: str(p)[-12:],
)
def test_bundled_same_as_impedance_py(path: Path, instrument: str) -> None:
    preprocessing = pytest.importorskip("impedance.preprocessing")
    f_ref, z_ref = preprocessing.readFile(str(path), instrument=instrument)
    s = read_spectrum(path)
    np.testing.assert_array_equal(s.frequency, f_ref)
    np.testing.assert_array_equal(s.impedance, z_ref)


# ------------------------------------------------------------------------------------ BioLogic variants


def test_biologic_crlf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.mpt"
    path.write_bytes(MPT.read_bytes().replace(b"\n", b"\r\n"))
    s = read_spectrum(path)
    np.testing.assert_array_equal(s.impedance, read_spectrum(MPT).impedance)
    assert s.metadata.ac_amplitude_v == 0.02


def test_biologic_decimal_comma_cp1252(tmp_path: Path) -> None:
    lines = MPT.read_bytes().decode("cp1252").split("\n")
    lines = [ln.replace(".", ",") if i >= 61 else ln for i, ln in enumerate(lines)]
    text = "\r\n".join(lines).replace("Electrode surface area : 0.001", "Electrode surface area : 0,125")
    path = _write(tmp_path, "comma.mpt", text, "cp1252")
    s = read_spectrum(path)
    np.testing.assert_array_equal(s.impedance, read_spectrum(MPT).impedance)
    assert s.metadata.area_cm2 == 0.125
    assert s.metadata.extra["decimal_comma"] is True


def test_biologic_galvanostatic_header(tmp_path: Path) -> None:
    text = MPT.read_bytes().decode("cp1252")
    text = text.replace("Potentio Electrochemical", "Galvano Electrochemical")
    text = text.replace(
        "Va (mV)             20.0                ", "Is                  -1.500              "
    )
    text = text.replace(
        "pw                  0.10                ", "unit Is             mA                  "
    )
    text = text.replace(
        "Na                  1                   ", "Ia                  50.000              "
    )
    text = text.replace(
        "corr                0                   ", "unit  Ia            \u00b5A                  "
    )
    text = text.replace("vs.                 Ref", "vs.                 <None>")
    m = read_spectrum(_write(tmp_path, "geis.mpt", text, "cp1252")).metadata
    assert m.technique == "GEIS"
    assert m.dc_current_a == -1.5e-3
    assert m.ac_amplitude_a == 50e-6
    assert m.ac_amplitude_v is None


def test_biologic_potential_vs_eoc_is_not_absolute(tmp_path: Path) -> None:
    text = MPT.read_bytes().decode("cp1252").replace("vs.                 Ref", "vs.                 Eoc")
    m = read_spectrum(_write(tmp_path, "eoc.mpt", text, "cp1252")).metadata
    assert m.dc_potential_v is None
    assert m.extra["dc_setpoint_vs"] == "Eoc"


def test_mpr_without_galvani(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.mpr"
    path.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + b" " * 25 + b"\x00" * 4)
    monkeypatch.setitem(sys.modules, "galvani", None)  # makes "import galvani" raise ImportError
    assert detect_format(path) == "biologic-mpr"
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    assert 'pip install "nakinetics[mpr]"' in _one_line_error(info, path)


def test_mpr_invalid_file(tmp_path: Path) -> None:
    pytest.importorskip("galvani")
    path = tmp_path / "bad.mpr"
    path.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + b" " * 25 + b"\x00" * 4 + b"garbage")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    assert "galvani" in _one_line_error(info, path)


# --------------------------------------------------------------------------------------- Gamry variants


def test_gamry_galvanostatic_decimal_comma_aborted(tmp_path: Path) -> None:
    lines = GAMRY.read_bytes().decode("cp1252").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("ZCURVE"))
    lines = [*lines[: start + 3 + 10], "EXPERIMENTABORTED\tTOGGLE\tT\tExperiment Aborted"]
    lines = [ln.replace(".", ",") if i >= start + 3 else ln for i, ln in enumerate(lines)]
    text = "\n".join(lines).replace("TAG\tEISPOT", "TAG\tEISGALV")
    text = text.replace("VDC\tPOTEN", "IDC\tQUANT\t-1,00000E-003\tDC Current (A)\nVDCX\tPOTEN")
    text = text.replace("VAC\tQUANT", "IACREQ\tQUANT\t1.00000E-004\tAC Current (A rms)\nVACX\tQUANT")
    s = read_spectrum(_write(tmp_path, "galv.DTA", text))
    assert len(s) == 10
    assert s.metadata.technique == "GEIS"
    assert (s.metadata.dc_current_a, s.metadata.ac_amplitude_a) == (-1e-3, 1e-4)
    assert s.metadata.extra["aborted"] is True
    np.testing.assert_array_equal(s.impedance, read_spectrum(GAMRY).impedance[:10])


def test_gamry_without_zcurve(tmp_path: Path) -> None:
    path = _write(tmp_path, "cv.DTA", "EXPLAIN\nTAG\tCV\nCURVE\tTABLE\n\tPt\tT\n\t#\ts\n\t0\t1\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    assert "ZCURVE" in _one_line_error(info, path)


# ----------------------------------------------------------------------------------------- CHI variants


def test_chi_rejects_other_techniques(tmp_path: Path) -> None:
    text = CHI.read_text().replace("A.C. Impedance", "Cyclic Voltammetry")
    path = _write(tmp_path, "cv.txt", text)
    assert detect_format(path) == "chi"
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    message = _one_line_error(info, path)
    assert "line 2" in message
    assert "Cyclic Voltammetry" in message
    assert "A.C. Impedance" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("July 3, 2019   09:01:02", datetime(2019, 7, 3, 9, 1, 2)),
        ("Sept. 30, 2021 23:59:59", datetime(2021, 9, 30, 23, 59, 59)),
    ],
)
def test_chi_month_styles(tmp_path: Path, line: str, expected: datetime) -> None:
    text = CHI.read_text().replace("Feb. 20, 2020   15:55:08", line)
    assert read_spectrum(_write(tmp_path, "chi.txt", text)).metadata.start_time == expected


# ------------------------------------------------------------------------------------- ZPlot / Z60W


def test_zplot_current_control(tmp_path: Path) -> None:
    rows = "\n".join(
        f"{f:e}, 1.0000E-04, -2.0000E-03, {t:e}, 1.0E+01, -{f / 1e3:e}, 0, 0, 3"
        for t, f in enumerate([1e4, 1e3, 1e2])
    )
    text = (
        '"ZPlotW Data File: Version 3.2c"\n"Raw Data"\n"Sweep Frequency: Control Current"\n'
        'Date: 01-31-2021    Time: 08:00:00\ncomment\n"Open Circuit Potential (V):  0.5 "\n"Frequency"\n'
        "0,3,0,1,10000,100\n3\n\"  Freq(Hz)    Ampl     Bias   Time(Sec)   Z'(a)    Z''(b)    GD   Err   Range\"\n"
        + rows
        + "\n"
    )
    path = _write(tmp_path, "galv.z", text)
    s = read_spectrum(path)
    m = s.metadata
    assert (m.format, m.technique, m.ac_amplitude_a, m.dc_current_a) == ("zplot", "GEIS", 1e-4, -2e-3)
    assert m.start_time == datetime(2021, 1, 31, 8)
    assert m.extra["eoc_v"] == 0.5
    np.testing.assert_array_equal(s.point_times_s, [0.0, 1.0, 2.0])


def test_z60w_with_bom(tmp_path: Path) -> None:
    text = (
        '\ufeff"Z60W Data File: Version 1.1"\n""\n0,2,0,1,0.1,10000\n2\n'
        "\"  Freq (Hz)    Ampl     Bias   Time(Sec)   Z'(a)    Z''(b)    GD   Err   Range\"\n"
        "10000,0,0,0,0.0137,0.0071,0,0,0\n0.1,0,0,0,0.0345,-0.0039,0,0,0\n"
    )
    path = _write(tmp_path, "fra.txt", text)
    assert detect_format(path) == "autolab-z60w"
    s = read_spectrum(path)
    assert s.impedance.tolist() == [0.0137 + 0.0071j, 0.0345 - 0.0039j]
    assert s.point_times_s is None  # Z60W writes zeros in Time(Sec)


# ------------------------------------------------------------------------------------ generic delimited

F = [1000.0, 100.0, 10.0]
ZRE = [10.5, 12.25, 20.0]
ZIM = [-1.5, -4.0, -8.75]


def _expected() -> np.ndarray:
    return np.array(ZRE) + 1j * np.array(ZIM)


def test_csv_semicolon_decimal_comma_negated_header(tmp_path: Path) -> None:
    rows = "".join(f"{f:g};{r:g};{-i:g}\n".replace(".", ",") for f, r, i in zip(F, ZRE, ZIM, strict=True))
    path = _write(tmp_path, "nova.csv", "Frequency (Hz);Z' (Ω);-Z'' (Ω)\n" + rows)
    s = read_spectrum(path)
    assert detect_format(path) == "csv"
    np.testing.assert_array_equal(s.frequency, F)
    np.testing.assert_array_equal(s.impedance, _expected())
    assert s.metadata.extra["columns"] == {
        "frequency": "Frequency (Hz)",
        "real": "Z' (Ω)",
        "imag": "-Z'' (Ω)",
    }
    assert s.metadata.extra["decimal_comma"] is True


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_csv_utf16_with_bom(tmp_path: Path, encoding: str) -> None:
    """Windows "Unicode" exports: UTF-16 with a byte-order mark (LE or BE), CRLF."""
    rows = "".join(f"{f}\t{r}\t{i}\r\n" for f, r, i in zip(F, ZRE, ZIM, strict=True))
    text = (
        "\ufefffreq (Hz)\tZ' (Ω)\tZ'' (Ω)\r\n"
        if encoding == "utf-16-be"
        else "freq (Hz)\tZ' (Ω)\tZ'' (Ω)\r\n"
    )
    path = _write(tmp_path, "u16.txt", text + rows, encoding=encoding)
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert detect_format(path) == "csv"
    s = read_spectrum(path)
    np.testing.assert_array_equal(s.frequency, F)
    np.testing.assert_array_equal(s.impedance, _expected())


def test_csv_tab_with_preamble_and_time(tmp_path: Path) -> None:
    rows = "".join(f"{f}\t{r}\t{i}\t{k * 2.5}\n" for k, (f, r, i) in enumerate(zip(F, ZRE, ZIM, strict=True)))
    path = _write(tmp_path, "run.tsv", "My cell\nDate: today\n\nfreq\tZre\tZim\ttime/s\n" + rows)
    s = read_spectrum(path)
    np.testing.assert_array_equal(s.impedance, _expected())
    np.testing.assert_array_equal(s.point_times_s, [0.0, 2.5, 5.0])


def test_csv_whitespace_header_with_units(tmp_path: Path) -> None:
    rows = "".join(f"  {f / 1e3}   {r / 1e3}   {i / 1e3}\n" for f, r, i in zip(F, ZRE, ZIM, strict=True))
    path = _write(tmp_path, "k.dat", "f(kHz)   Re(Z) [kOhm]   Im(Z) [kOhm]\n" + rows)
    s = read_spectrum(path)
    np.testing.assert_allclose(s.frequency, F, rtol=1e-15)
    np.testing.assert_allclose(s.impedance, _expected(), rtol=1e-15)


@pytest.mark.parametrize(("unit", "scale"), [("kΩ", 1e3), ("mOhm", 1e-3), ("MΩ", 1e6), ("ohm", 1.0)])
def test_csv_impedance_units(tmp_path: Path, unit: str, scale: float) -> None:
    rows = "".join(f"{f},{r},{i}\n" for f, r, i in zip(F, ZRE, ZIM, strict=True))
    path = _write(tmp_path, "u.csv", f"Frequency/Hz,Z_real/{unit},Z_imag/{unit}\n" + rows)
    np.testing.assert_allclose(read_spectrum(path).impedance, _expected() * scale, rtol=1e-15)


def test_csv_modulus_and_phase(tmp_path: Path) -> None:
    z = _expected()
    mod, phase = np.abs(z).tolist(), np.degrees(np.angle(z)).tolist()
    rows = "".join(f"{f!r},{m!r},{p!r}\n" for f, m, p in zip(F, mod, phase, strict=True))
    path = _write(tmp_path, "mp.csv", "f(Hz),|Z| (Ohm),phase(deg)\n" + rows)
    np.testing.assert_allclose(read_spectrum(path).impedance, z, rtol=1e-13)
    neg = _write(tmp_path, "mp_neg.csv", "f(Hz),mod,-phase\n" + rows.replace(",-", ",+"))
    np.testing.assert_allclose(read_spectrum(neg).impedance, z, rtol=1e-13)


def test_csv_real_imag_win_over_modulus_phase(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "all.csv",
        "Freq/Hz, Z'/ohm, Z\"/ohm, Z/ohm, Phase/deg\n1000, 3, -4, 99, 99\n10, 3, -4, 99, 99\n",
    )
    assert read_spectrum(path).impedance.tolist() == [3 - 4j, 3 - 4j]


def test_csv_headerless_three_columns_signed(tmp_path: Path) -> None:
    """Headerless f, Z', Z'': Z'' is taken as written (impedance.py's convention), never flipped by guessing."""
    path = _write(tmp_path, "plain.csv", "1000,10,1.5\n100,12,4\n10,20,8\n")
    s = read_spectrum(path)
    assert s.impedance.tolist() == [10 + 1.5j, 12 + 4j, 20 + 8j]
    assert s.metadata.extra["header"] is False


def test_csv_headerless_four_columns_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "four.csv", "1000,10,1.5,3\n100,12,4,3\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    assert "exactly 3 columns" in _one_line_error(info, path)


def test_csv_no_impedance_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "cv.csv", "time/s,E/V,I/A\n0,0.1,1e-6\n1,0.2,2e-6\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    message = _one_line_error(info, path)
    assert "line 1" in message
    assert "no impedance columns" in message


def test_csv_nan_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "nan.csv", "freq,Zre,Zim\n1000,10,-1\n100,nan,-2\n10,12,-3\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    message = _one_line_error(info, path)
    assert "line 3" in message
    assert "NaN" in message


def test_csv_inf_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "inf.csv", "1000,10,-1\n100,11,-2\n10,12,inf\n")
    with pytest.raises(DataError, match="line 3"):
        read_spectra(path)


def test_csv_zero_frequency(tmp_path: Path) -> None:
    path = _write(tmp_path, "zero.csv", "freq,Zre,Zim\n1000,10,-1\n0,11,-2\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    message = _one_line_error(info, path)
    assert "line 3" in message
    assert "> 0 Hz" in message


def test_csv_malformed_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "freq,Zre,Zim\n1000,10,-1\n100,11,-2\n10,oops,-3\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    assert "line 4" in _one_line_error(info, path)


def test_csv_unsupported_unit(tmp_path: Path) -> None:
    path = _write(tmp_path, "u.csv", "freq (Hz),Z' (Ohm cm2),Z'' (Ohm cm2)\n1000,10,-1\n100,11,-2\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    message = _one_line_error(info, path)
    assert "'Ohm cm2' is not supported" in message
    assert "line 1" in message


# --------------------------------------------------------------------------------- detection and API


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.csv", "\n  \n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    assert "empty" in _one_line_error(info, path)


def test_unknown_extension(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.xyz", "hello\n")
    with pytest.raises(FileFormatError) as info:
        detect_format(path)
    assert "unknown format" in _one_line_error(info, path)


def test_unknown_binary(tmp_path: Path) -> None:
    path = tmp_path / "blob.dat"
    path.write_bytes(b"\x00\x01\x02binary\x00")
    with pytest.raises(FileFormatError, match="binary"):
        read_spectra(path)


def test_family_extension_without_signature(tmp_path: Path) -> None:
    path = _write(tmp_path, "fake.mpt", "freq,Zre,Zim\n1,2,3\n")
    with pytest.raises(FileFormatError) as info:
        read_spectra(path)
    assert "biologic-mpt" in _one_line_error(info, path)
    assert len(read_spectra(path, format="csv")[0]) == 1


def test_unknown_format_name(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError) as info:
        read_spectra(CHI, format="nope")
    assert "expected one of" in _one_line_error(info, CHI)


def test_forced_format_is_case_insensitive() -> None:
    assert read_spectra(CHI, format="CHI")[0].metadata.format == "chi"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_spectra(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("first_line", "name", "fmt"),
    [
        ("EC-Lab ASCII FILE", "a.txt", "biologic-mpt"),
        ("EXPLAIN", "a.txt", "gamry"),
        ("ZPLOT2 ASCII", "a.txt", "zplot"),
        ('"ZPlotW Data File: Version 3.2c"', "a.txt", "zplot"),
        ('"Z60W Data File: Version 1.1"', "a.z", "autolab-z60w"),
        (
            "Potential (V)\tCurrent (A)\tElapsed Time (s)\tFrequency (Hz)\tZre (ohms)\tZim (ohms)",
            "a.txt",
            "parstat",
        ),
        ("Frequency\t Zre\t Zimg", "a.txt", "powersuite"),
        ("Feb. 20, 2020   15:55:08", "a.txt", "chi"),
        ("freq,Zre,Zim", "a.csv", "csv"),
    ],
)
def test_detect_format_signatures(tmp_path: Path, first_line: str, name: str, fmt: str) -> None:
    assert detect_format(_write(tmp_path, name, first_line + "\n1,2,3\n")) == fmt


def test_detect_ivium_and_versastudio(tmp_path: Path) -> None:
    ivium = tmp_path / "a.idf"
    ivium.write_bytes(b"\x00" * 16 + b"@\x01\x00\x00\r\x00Version=12\r\nQR=x\r\n")
    assert detect_format(ivium) == "ivium"
    par = _write(tmp_path, "a.par", "<Application>\nName=VersaStudio\nVersion=2\n</Application>\n")
    assert detect_format(par) == "versastudio"


def test_read_spectrum_multi_needs_index(tmp_path: Path) -> None:
    text = "freq,Zre,Zim\n1000,10,-1\n100,11,-2\n"
    path = _write(tmp_path, "one.csv", text)
    assert read_spectrum(path, index=0).metadata.index == 0
    with pytest.raises(DataError, match="out of range"):
        read_spectrum(path, index=1)


def test_read_spectrum_several_spectra_error(tmp_path: Path) -> None:
    """Two BioLogic loops (Loop lines added to the bundled PEIS file)."""
    lines = MPT.read_bytes().split(b"\n")
    lines[1] = b"Nb header lines : 64"
    lines[59:59] = [
        b"Number of loops : 2",
        b"Loop 0 from point number 0 to 19",
        b"Loop 1 from point number 20 to 42",
    ]
    path = tmp_path / "two.mpt"
    path.write_bytes(b"\n".join(lines))
    spectra = read_spectra(path)
    assert [len(s) for s in spectra] == [20, 23]
    assert [s.metadata.index for s in spectra] == [0, 1]
    with pytest.raises(DataError) as info:
        read_spectrum(path)
    message = _one_line_error(info, path)
    assert "2 spectra" in message
    assert "index=" in message
    assert "read_spectra" in message
    assert read_spectrum(path, index=1).frequency[0] == spectra[1].frequency[0]
