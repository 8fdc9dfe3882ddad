"""Formats and layouts added for issue 12: the real files in ../shared/realdata/eis_more, and files built
from each format's documentation (the source is named in each test) for layouts without a public sample.

Expected values were read off the raw files by hand (the PalmSens JSON arrays, the PSTrace CSV rows, the
Zahner binary through Zahner's own documented layout), not from the readers.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nakinetics.exceptions import FileFormatError
from nakinetics.io import detect_format, read_dc_record, read_spectra

# ------------------------------------------------------------------------------------ real files


def test_pssession_picks_the_eis_measurement(realdata: Path) -> None:
    path = realdata / "eis_more" / "palmsens_ps4_pssession_cv-dpv-eis_ferricyanide-spe.pssession"
    [s] = read_spectra(path)
    m = s.metadata
    assert detect_format(path) == "palmsens-pssession" and len(s) == 71
    assert s.frequency[0] == 1e6 and s.frequency[-1] == pytest.approx(0.1)
    # first point in the file: ZRe 112.354, ZIm 29.8389 with unit q "-Z''" → Z'' = −29.8389
    assert s.impedance[0] == 112.354 - 29.8389j
    assert m.extra["title"] == "Impedance Spectroscopy [2]" and m.extra["measurement"] == 2
    assert m.dc_potential_v == pytest.approx(0.1581, abs=2e-4) and m.technique == "PEIS"
    assert m.start_time is not None and (m.start_time.year, m.start_time.month, m.start_time.day) == (
        2017,
        7,
        12,
    )


def test_pstrace_csv_two_spectra_and_sign(realdata: Path) -> None:
    path = realdata / "eis_more" / "palmsens_pstrace-csv_eis_2spectra_utf16.csv"
    spectra = read_spectra(path)
    assert detect_format(path) == "palmsens-csv" and [len(s) for s in spectra] == [41, 41]
    # row 1: 50000.00,10.317,...,Z' 759.024, Z'' 138.177 (positive: the file writes −Z'')
    assert spectra[0].impedance[0] == 759.024 - 138.177j
    assert spectra[0].metadata.start_time.isoformat() == "2023-06-29T17:48:50"
    assert spectra[1].metadata.start_time.isoformat() == "2023-06-29T18:08:15"
    assert "holds −Z''" in spectra[0].metadata.extra["imag_sign"]
    assert np.all(spectra[0].impedance.imag < 0)  # capacitive everywhere (phase 10–75°)


@pytest.mark.parametrize(
    ("name", "n", "f_first"),
    [("zahner_ism_eis_li-ion-battery.ism", 128, None), ("zahner_ism_eis_drift-zhit-example.ism", 47, None)],
)
def test_zahner_ism(realdata: Path, name: str, n: int, f_first: float | None) -> None:
    path = realdata / "eis_more" / name
    raw = path.read_bytes()
    [s] = read_spectra(path)
    assert detect_format(path) == "zahner-ism" and len(s) == n
    # independent decoding of the documented layout: N big-endian doubles f, |Z|, phase (rad)
    count = int.from_bytes(raw[6:12], "big") + 1
    f, modulus, phase = np.frombuffer(raw, ">f8", 3 * count, 12).reshape(3, count)
    assert count == n
    np.testing.assert_allclose(np.sort(s.frequency), np.sort(f), rtol=0)
    k = int(np.argmin(f))
    j = int(np.flatnonzero(s.frequency == f[k])[0])
    assert s.impedance[j] == pytest.approx(modulus[k] * complex(math.cos(phase[k]), math.sin(phase[k])))


def test_zahner_drift_metadata(realdata: Path) -> None:
    [s] = read_spectra(realdata / "eis_more" / "zahner_ism_eis_drift-zhit-example.ism")
    m = s.metadata
    assert m.start_time.isoformat() == "2023-03-17T16:17:05"  # "170323" + "16:17:05 - 16:20:57"
    assert m.ac_amplitude_v == pytest.approx(0.005) and m.dc_potential_v == 0.0  # "0.0V, Ampl: 5mV"
    assert m.dc_current_a == pytest.approx(-2.4241e-9)
    assert np.ptp(s.point_times_s) == pytest.approx(16 * 60 + 20 * 60 + 57 - (16 * 60 + 17 * 60 + 5), abs=60)


def test_zahner_simulation_placeholders_are_unknown(realdata: Path) -> None:
    """Zahner's example spectrum is a simulation: system 'Simulation', clock '11:11:11 - 12:12:12' and
    time stamps 0, 1, 2 … (read from the bytes here) — no start time, point times or DC bias from them."""
    path = realdata / "eis_more" / "zahner_ism_eis_li-ion-battery.ism"
    raw = path.read_bytes()
    n = int.from_bytes(raw[6:12], "big") + 1
    stamps = np.frombuffer(raw, ">f8", n, 12 + 3 * 8 * n)
    assert stamps.tolist() == list(range(n))
    text = raw[12 + 34 * n :].decode("latin-1").swapcase()
    assert "Simulation" in text and "11:11:11 - 12:12:12" in text
    [s] = read_spectra(path)
    m = s.metadata
    assert m.start_time is None and s.point_times_s is None
    assert m.dc_potential_v is None and m.dc_current_a is None
    assert "Simulation" in m.extra["placeholder_metadata"] and "11:11:11" in m.extra["placeholder_metadata"]


def _gamry_table(path: Path) -> dict[str, np.ndarray]:
    """The ZCURVE columns by name, parsed from the text here: tab-indented rows after the unit line."""
    lines = path.read_bytes().decode("latin-1").splitlines()
    names = lines[lines.index("ZCURVE\tTABLE") + 1].split("\t")[1:]
    rows = [ln.split("\t")[1:] for ln in lines if ln[:1] == "\t" and ln[1:2].isdigit()]
    return {name: np.array([float(r[k]) for r in rows]) for k, name in enumerate(names)}


def test_gamry_galveis_is_geis(realdata: Path) -> None:
    path = realdata / "eis_more" / "gamry_galveis_dta_0.5A-dc_low-impedance-cell.DTA"
    [s] = read_spectra(path)
    table = _gamry_table(path)
    assert len(s) == len(table["Freq"]) == 71 and s.metadata.technique == "GEIS"
    np.testing.assert_array_equal(s.frequency, table["Freq"])
    np.testing.assert_array_equal(s.impedance, table["Zreal"] + 1j * table["Zimag"])  # Zimag signed as is
    np.testing.assert_array_equal(s.point_times_s, table["Time"])
    # the header has no IDC line; the run's DC current is its Idc column (0.496–0.529 A, ≈ 0.5 A bias)
    assert s.metadata.dc_current_a == pytest.approx(float(np.median(table["Idc"])), rel=1e-12)
    assert s.metadata.dc_current_a == pytest.approx(0.5, abs=0.01)
    assert "Idc column" in s.metadata.extra["dc_current_source"]


@pytest.mark.parametrize(
    ("name", "n", "instrument"),
    [
        ("biologic_vmp3_peis-multisine_ecl11-61_with-ece.mpt", 32, "BioLogic VMP3"),
        ("biologic_vsp_peis_ecl11-52_zn-mno2-3electrode.mpt", 43, "BioLogic VSP"),
    ],
)
def test_more_biologic(realdata: Path, name: str, n: int, instrument: str) -> None:
    [s] = read_spectra(realdata / "eis_more" / name)
    assert len(s) == n and s.metadata.instrument == instrument and s.metadata.ac_amplitude_v == 0.01


def test_every_realdata_spectrum_file_reads(realdata: Path) -> None:
    """Every file under eis/, eis_more/ and the PEIS in dc/ reads (except the deliberately broken copy)."""
    files = [*sorted((realdata / "eis").iterdir()), *sorted((realdata / "eis_more").iterdir())]
    files += sorted((realdata / "dc").glob("*/*PEIS*.mpt"))
    for path in files:
        if path.name == "impedance_py_exampleDataBioLogic_MissingFreq.mpt":
            with pytest.raises(FileFormatError, match="freq/Hz"):
                read_spectra(path)
            continue
        spectra = read_spectra(path)
        assert spectra and all(len(s) >= 20 for s in spectra), path.name


def test_every_realdata_dc_file_reads(realdata: Path) -> None:
    for path in sorted((realdata / "dc").rglob("*")):
        if path.is_file() and "PEIS" not in path.name:
            record = read_dc_record(path, index=0)
            assert len(record) > 10, path.name


def test_same_measurement_two_formats(realdata: Path) -> None:
    """.mpt text and .mpr binary of the same runs agree to the precision of the text file."""
    for stem in ("biologic_sp150_peis_ecl11-18", "biologic_sp300_geis_4loops"):
        text = read_spectra(realdata / "eis" / f"{stem}.mpt")
        binary = read_spectra(realdata / "eis" / f"{stem}.mpr")
        assert len(text) == len(binary)
        for a, b in zip(text, binary, strict=True):
            np.testing.assert_allclose(a.frequency, b.frequency, rtol=1e-6)
            np.testing.assert_allclose(a.impedance, b.impedance, rtol=1e-6, atol=1e-9)
            assert a.metadata.technique == b.metadata.technique
            assert a.metadata.area_cm2 == (
                None if b.metadata.area_cm2 is None else pytest.approx(b.metadata.area_cm2)
            )


def test_mpr_software_version(realdata: Path) -> None:
    [s] = read_spectra(realdata / "eis" / "biologic_sp150_peis_ecl11-18.mpr")
    assert s.metadata.extra["software"] == "EC-Lab 11.18" and s.metadata.area_cm2 == pytest.approx(0.001)


# -------------------------------------------------------------------- layouts seen failing (issue 12)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_underscore_units_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", "freq_Hz,Zre_ohm,Zim_ohm\n1000,10,-1\n100,11,-2\n10,12,-5\n")
    [s] = read_spectra(path)
    assert s.impedance[2] == 12 - 5j and s.metadata.extra["columns"]["real"] == "Zre_ohm"
    [k] = read_spectra(
        _write(tmp_path, "k.csv", "freq_kHz,Zre_kohm,Zim_kohm\n1,1,-0.5\n0.1,2,-1\n0.01,3,-1\n")
    )
    assert k.frequency[0] == 1000 and k.impedance[0] == 1000 - 500j


def test_numpy_savetxt_commented_header(tmp_path: Path) -> None:
    f = np.array([1e4, 1e3, 1e2])
    z = np.array([10 - 1j, 11 - 3j, 14 - 6j])
    path = tmp_path / "np.txt"
    np.savetxt(path, np.column_stack([f, z.real, z.imag]), header="f Zr Zi")  # writes "# f Zr Zi"
    [s] = read_spectra(path)
    np.testing.assert_array_equal(s.impedance, z)


def test_nova_dc_header_with_hash(tmp_path: Path) -> None:
    text = "# Potential applied (V);Time (s);WE(1).Current (A)\n0.1;0;1e-6\n0.2;1;2e-6\n0.3;2;4e-6\n"
    record = read_dc_record(_write(tmp_path, "nova.txt", text))
    assert record.metadata.format == "autolab-nova" and record.current_a[2] == 4e-6


def test_two_sweeps_in_one_csv_are_split(tmp_path: Path) -> None:
    f = np.logspace(5, -1, 58)
    rows = [f"{x:.6g},{10 + 1 / (1 + x):.6g},{-1 / (1 + x):.6g}" for x in f]
    down = read_spectra(_write(tmp_path, "twice.csv", "f,Zre,Zim\n" + "\n".join(rows + rows) + "\n"))
    assert [len(s) for s in down] == [58, 58] and down[1].metadata.extra["sweep"] == 1
    up = read_spectra(_write(tmp_path, "up.csv", "f,Zre,Zim\n" + "\n".join(rows[::-1] * 2) + "\n"))
    assert [len(s) for s in up] == [58, 58]


def test_ivium_cr_only_and_late_version_line(tmp_path: Path) -> None:
    """IviumSoft key=value layout as in the real CompactStat file, written with CR-only line ends and
    without any Version= line in the first kilobyte."""
    lines = ["Method=Impedance", "Technique=Constant E", "E start=0.1", "starttime=12/12/2022 5:18:49 PM"]
    lines += ["x" * 1100, "Version=12", "primary_data", "3", "2", "10 -1 1000", "11 -2 100"]
    path = tmp_path / "a.idf"
    path.write_bytes(b"\x00\x01\x02\r" + "\r".join(lines).encode("latin-1") + b"\r")
    assert detect_format(path) == "ivium"
    [s] = read_spectra(path)
    assert s.metadata.technique == "PEIS" and s.impedance[1] == 11 - 2j and s.metadata.dc_potential_v == 0.1


def _gamry(tmp_path: Path, drift: bool, temp: float) -> Path:
    names = "Pt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange\tTemp"
    units = "#\ts\tHz\tohm\tohm\tV\tohm\t°\tA\tV\t#\t°C"
    rows = ["\t0\t1\t1000\t10\t-1\t1\t10\t-5\t0\t0\t1\t{t}", "\t1\t2\t100\t12\t-3\t1\t12\t-14\t0\t0\t1\t{t}"]
    if drift:
        names += "\tZrealDrCor\tZimagDrCor"
        units += "\tohm\tohm"
        rows = [rows[0] + "\t9.5\t-0.8", rows[1] + "\t11.5\t-2.5"]
    text = (
        "EXPLAIN\nTAG\tEISPOT\nZCURVE\tTABLE\n\t"
        + names
        + "\n\t"
        + units
        + "\n"
        + "\n".join(rows).format(t=temp)
        + "\n"
    )
    return _write(tmp_path, f"g{drift}.DTA", text, "latin-1")


def test_gamry_drift_corrected_columns_used(tmp_path: Path) -> None:
    """Gamry EIS with drift correction on adds ZrealDrCor/ZimagDrCor (Gamry Framework documentation)."""
    [s] = read_spectra(_gamry(tmp_path, True, 25.0))
    assert s.impedance[1] == 11.5 - 2.5j
    assert "drift-corrected" in s.metadata.extra["drift_correction"]
    assert s.metadata.extra["uncorrected_zimag_ohm"] == [-1.0, -3.0]
    [plain] = read_spectra(_gamry(tmp_path, False, 25.0))
    assert plain.impedance[1] == 12 - 3j and plain.metadata.temperature_k == pytest.approx(298.15)


def test_disconnected_temperature_probe_dropped(tmp_path: Path) -> None:
    [s] = read_spectra(_gamry(tmp_path, False, 1395.0))
    assert s.metadata.temperature_k is None
    assert "1668.15 K" in s.metadata.extra["dropped_metadata"]


# ----------------------------------------------------------- formats built from their documentation


def test_dfr(tmp_path: Path) -> None:
    """Autolab FRA .dfr as pyimpspec's parse_dfr reads it: VERSION8.0, N, one line, 9 values per point
    (f, Z', −Z'', Edc, Idc, t, 3 unused)."""
    body = ["VERSION8.0", "2", "0"]
    body += ["1000", "10", "1", "0.1", "1e-6", "0.5", "0", "0", "0"]
    body += ["100", "12", "3", "0.1", "1e-6", "1.5", "0", "0", "0"]
    [s] = read_spectra(_write(tmp_path, "a.dfr", "\n".join(body) + "\n"))
    assert s.metadata.format == "autolab-dfr" and s.impedance[1] == 12 - 3j
    assert s.metadata.dc_potential_v == pytest.approx(0.1) and list(s.point_times_s) == [0.5, 1.5]
    with pytest.raises(FileFormatError, match="declares 400 points"):
        read_spectra(_write(tmp_path, "b.dfr", "\n".join(["VERSION8.0", "400", "0", *body[3:]]) + "\n"))
    with pytest.raises(FileFormatError, match="expected the number of points"):
        read_spectra(_write(tmp_path, "c.dfr", "VERSION8.0\n" + "9" * 400 + "\n0\n"))


def test_p00_and_i2b(tmp_path: Path) -> None:
    """.P00 (pyimpspec parse_p00: 'f/Hz' header, count, 6 tab fields f, Z', −Z'') and Elchemea .i2b
    (pyimpspec parse_i2b: five metadata lines, then 'f Z' Z''' rows, Z'' signed)."""
    p00 = "Title\nf/Hz\tZ'/Ohm\t-Z''/Ohm\tx\ty\tz\n2\n1000\t10\t1\t0\t0\t0\n100\t12\t3\t0\t0\t0\n"
    [s] = read_spectra(_write(tmp_path, "a.P00", p00))
    assert s.metadata.format == "p00" and s.impedance[1] == 12 - 3j
    i2b = "a\nb\nc\nd\ne\n1000 10 -1\n100 12 -3\n"
    [t] = read_spectra(_write(tmp_path, "a.i2b", i2b))
    assert t.metadata.format == "elchemea-i2b" and t.impedance[1] == 12 - 3j


def test_nox_names_the_export(tmp_path: Path) -> None:
    path = tmp_path / "project.nox"
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(FileFormatError, match=r"NOVA .nox .* export the measurement as ASCII"):
        read_spectra(path)


def test_keysight_and_hioki_analyser_csv(tmp_path: Path) -> None:
    """Impedance-analyser exports: Keysight E4990A-style '!' comments with |Z|(Ohm), theta-z(deg), and
    R, X columns (series resistance and reactance)."""
    text = (
        "!Keysight E4990A\n!Date: x\nFrequency(Hz),|Z|(Ohm),theta-z(deg)\n1000,10,-90\n100,100,-45\n10,20,0\n"
    )
    [s] = read_spectra(_write(tmp_path, "k.csv", text))
    assert s.impedance[0] == pytest.approx(-10j) and s.impedance[1] == pytest.approx(
        100 * (1 - 1j) / math.sqrt(2)
    )
    [r] = read_spectra(
        _write(tmp_path, "h.csv", "FREQUENCY[Hz],R[ohm],X[ohm]\n1000,5,-2\n100,6,-4\n10,7,-9\n")
    )
    assert r.impedance[2] == 7 - 9j


def test_zahner_text_export(tmp_path: Path) -> None:
    """Thales text export: Frequency;Impedance;Phase (|Z| in Ω, phase in degrees)."""
    text = "Frequency;Impedance;Phase\n1000;10;-30\n100;20;-45\n10;30;-60\n"
    [s] = read_spectra(_write(tmp_path, "eis.csv", text))
    assert s.impedance[2] == pytest.approx(
        30 * complex(math.cos(math.radians(-60)), math.sin(math.radians(-60)))
    )


def test_xlsx_one_spectrum_per_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("python_calamine")
    book = openpyxl.Workbook()
    first = book.active
    first.title = "25 C"
    first.append(["cell A, 25 °C"])
    first.append(["Frequency (Hz)", "Z' (Ω)", "-Z'' (Ω)"])
    for row in ([1000, 10, 1], [100, 12, 3], [10, 15, 4]):
        first.append(row)
    notes = book.create_sheet("notes")
    notes.append(["measured by", "me"])
    second = book.create_sheet("40 C")
    second.append(["freq", "Zre", "Zim"])
    for row in ([1000, 5, -1], [100, 6, -2], [10, 8, -2]):
        second.append(row)
    path = tmp_path / "cells.xlsx"
    book.save(path)
    spectra = read_spectra(path)
    assert [s.metadata.extra["sheet"] for s in spectra] == ["25 C", "40 C"]
    assert spectra[0].impedance[1] == 12 - 3j and spectra[1].impedance[2] == 8 - 2j
    assert spectra[1].metadata.extra["skipped_sheets"] == ["notes"]


def _ods(rows: list[list[object]]) -> bytes:
    """Minimal ODF 1.2 spreadsheet (OASIS OpenDocument v1.2 part 1, §9.1 tables; LibreOffice layout)."""

    def cell(v: object) -> str:
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="EIS">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def test_ods(tmp_path: Path) -> None:
    pytest.importorskip("python_calamine")
    path = tmp_path / "eis.ods"
    path.write_bytes(_ods([["f / Hz", "Z' / Ohm", "Z'' / Ohm"], [1000, 10, -1], [100, 12, -3], [10, 15, -4]]))
    assert detect_format(path) == "ods"
    [s] = read_spectra(path)
    assert s.impedance[1] == 12 - 3j and s.metadata.extra["sheet"] == "EIS"


# ----------------------------------------------------------------- issue 11: bounded, no raw errors


def test_mpt_with_bad_times_reads(tmp_path: Path) -> None:
    src = (Path(__file__).parent / "data" / "biologic_sp150_peis_ecl11-18.mpt").read_text(encoding="latin-1")
    lines = src.split("\n")
    header = int(lines[1].split(":")[1])
    columns = lines[header - 1].split("\t")
    t = columns.index("time/s")
    for bad in ("nan", "inf", "1e20"):
        row = lines[header].split("\t")
        row[t] = bad
        text = "\n".join([*lines[:header], "\t".join(row), *lines[header + 1 :]])
        [s] = read_spectra(_write(tmp_path, f"{bad}.mpt", text, "latin-1"))
        assert len(s) == 43 and s.metadata.start_time is not None  # acquisition start kept


def test_z60w_huge_count_is_bounded(tmp_path: Path) -> None:
    header = "\"  Freq (Hz)    Ampl     Bias   Time(Sec)   Z'(a)    Z''(b)    GD   Err   Range\""
    text = '"Z60W Data File: Version 1.1"\n""\n0,2,0,1,0.1,10000\n' + "9" * 400 + "\n" + header + "\n"
    text += "1000,0,0,0,10,-1,0,0,0\n100,0,0,0,12,-3,0,0,0\n"
    [s] = read_spectra(_write(tmp_path, "z.txt", text))
    assert s.metadata.extra.get("declared_points") is None and len(s) == 2


def test_ivium_huge_row_count_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "a.idf"
    path.write_bytes(
        b"Version=12\r\nMethod=Impedance\r\nprimary_data\r\n3\r\n" + b"9" * 400 + b"\r\n10 -1 1000\r\n"
    )
    with pytest.raises(FileFormatError, match=r"declares .* rows but the file has room"):
        read_spectra(path)


def test_damaged_mpr_is_one_line_error(realdata: Path, tmp_path: Path) -> None:
    raw = (realdata / "eis" / "biologic_sp150_peis_ecl11-18.mpr").read_bytes()
    for cut in (60, 400, len(raw) // 2):
        path = tmp_path / f"cut{cut}.mpr"
        path.write_bytes(raw[:cut])
        with pytest.raises(FileFormatError) as info:
            read_spectra(path)
        assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
