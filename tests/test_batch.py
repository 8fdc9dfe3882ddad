"""Batch runs: many files, folders and glob patterns in natural order, a row per spectrum, failures as
rows, ``--csv`` equal to the single-file JSON, the same layout from ``nakinetics.fit_table``, workers,
the progress bar and the exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import nakinetics as nk
from nakinetics.batch import Failure, expand_inputs, natural_key, table_columns
from nakinetics.cli import main
from nakinetics.cli._batch import EXIT_FAILED_ROWS, progress

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "data"
CYCLED = EXAMPLES / "na_nzsp_na_cycled.txt"
TWO_ARC = "R0-p(R1,CPE1)-p(R2,CPE2)"


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def read_table(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


# ------------------------------------------------------------------------------------------- inputs


def test_natural_key_orders_numbers_as_numbers() -> None:
    names = ["cell10.txt", "cell2.txt", "Cell1.txt", "cell2b.txt"]
    assert sorted(names, key=natural_key) == ["Cell1.txt", "cell2.txt", "cell2b.txt", "cell10.txt"]


def test_folders_patterns_and_files_expand_in_natural_order(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    for name in ("spec10.txt", "spec2.txt", "spec1.txt", ".hidden.txt", "fit.png", "notes.json", "table.csv"):
        (folder / name).write_text("x")
    (folder / "sub").mkdir()
    (folder / "sub" / "spec3.txt").write_text("x")
    extra = tmp_path / "other_spec11.mpt"
    extra.write_text("x")

    found = expand_inputs([folder, str(tmp_path / "*.mpt")], exclude=[folder / "table.csv"])
    assert [p.name for p in found.files] == ["other_spec11.mpt", "spec1.txt", "spec2.txt", "spec10.txt"]
    assert {p.name for p, _ in found.skipped} == {"fit.png", "notes.json", "table.csv"}
    assert found.problems == ()

    # a quoted pattern is expanded by us (recursively with **); the same file twice is read once
    again = expand_inputs([str(folder / "**" / "spec*.txt"), folder / "spec1.txt"])
    assert [p.name for p in again.files] == ["spec1.txt", "spec2.txt", "spec10.txt", "spec3.txt"]
    assert [p.parent.name for p in again.files][-1] == "sub"

    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = expand_inputs([str(tmp_path / "*.DTA"), empty, tmp_path / "missing.txt"])
    assert [p.name for p in nothing.files] == ["missing.txt"]  # reading it names the problem
    assert [why for _, why in nothing.problems] == ["pattern matches no file", "folder holds no data files"]


def test_table_columns_put_file_and_index_first_and_error_last() -> None:
    rows = [{"index": 0, "file": "a", "R0 [Ohm]": 1.0}, Failure("b", None, "bad").to_row(), {"R1 [Ohm]": 2}]
    assert table_columns(rows) == ["file", "index", "R0 [Ohm]", "R1 [Ohm]", "error"]


# ------------------------------------------------------------------------------------------- fit


@pytest.fixture
def corrupt(tmp_path: Path) -> Path:
    """A CH Instruments export cut off inside its header (a transfer that broke off)."""
    text = CYCLED.read_text(encoding="utf-8")
    path = tmp_path / "broken_cell.txt"
    path.write_text(text[: text.index("Freq/Hz")], encoding="utf-8")
    return path


def test_fit_batch_rows_equal_single_file_json_and_failures_are_rows(
    realdata: Path, corrupt: Path, tmp_path: Path
) -> None:
    eis = realdata / "eis"
    loops = eis / "biologic_sp300_geis_4loops.mpt"  # four spectra: four rows
    chi = eis / "chi660e_ac-impedance.txt"
    missing_freq = eis / "impedance_py_exampleDataBioLogic_MissingFreq.mpt"  # no frequency column
    table, records = tmp_path / "table.csv", tmp_path / "fits.json"
    code, out, _ = run(
        "fit", CYCLED, loops, chi, missing_freq, corrupt, "-c", TWO_ARC, "--area", "0.785",
        "--csv", table, "--json", records, "--workers", "2",
    )  # fmt: skip
    assert code == EXIT_FAILED_ROWS
    # the report lists the inputs in natural order and one line per spectrum, the failures with their error
    listed = [line.strip() for line in out.splitlines()[1:6]]
    assert listed == sorted(listed, key=natural_key) and len(listed) == 5
    assert "8 rows from 5 files: 6 analysed, 2 failed (exit code 4)" in out
    assert "biologic_sp300_geis_4loops.mpt [3]" in out

    rows = read_table(table)
    ordered = sorted([CYCLED, loops, chi, missing_freq, corrupt], key=lambda p: natural_key(str(p)))
    expected = [(str(p), str(k)) for p in ordered for k in (range(4) if p == loops else [0])]
    expected = [(f, "" if Path(f) in (missing_freq, corrupt) else k) for f, k in expected]
    assert [(r["file"], r["index"]) for r in rows] == expected
    errors = {Path(r["file"]).name: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"broken_cell.txt", "impedance_py_exampleDataBioLogic_MissingFreq.mpt"}
    assert "freq/Hz" in errors["impedance_py_exampleDataBioLogic_MissingFreq.mpt"]
    assert all(r["R2 [Ohm]"] == "" for r in rows if r["error"])
    header = list(rows[0])
    assert header[:3] == ["file", "index", "circuit"] and header[-1] == "error"
    assert {"R2 stderr [Ohm]", "ASR_R2_per_interface [Ohm cm^2]", "i0_R2 [mA cm^-2]", "chisqr"} <= set(header)
    assert {"kk_passed", "n_warnings"} <= set(header)

    # every number of a row is the number a single-file run writes to its JSON (computed there serially)
    for source, index in ((chi, None), (loops, 2)):
        single = tmp_path / "single.json"
        args = ["fit", source, "-c", TWO_ARC, "--area", "0.785", "--json", single]
        code, _, _ = run(*args, *(["--index", index] if index is not None else []))
        assert code == 0
        record = json.loads(single.read_text())
        row = next(r for r in rows if r["file"] == str(source) and r["index"] == str(index or 0))
        for name, p in record["parameters"].items():
            unit = f" [{p['unit']}]" if p["unit"] else ""
            assert number(row[f"{name}{unit}"]) == pytest.approx(p["value"], rel=1e-12)
            assert number(row[f"{name} stderr{unit}"]) == pytest.approx(p["stderr"], rel=1e-12)
        for name, d in record["derived"].items():
            assert number(row[f"{name} [{d['unit']}]"]) == pytest.approx(d["value"], rel=1e-12)
        assert number(row["chisqr"]) == pytest.approx(record["statistics"]["chisqr"], rel=1e-12)
        assert row["kk_passed"] == str(record["kramers_kronig"]["passed"])
        assert int(row["n_warnings"]) == len(record["warnings"])

    # the JSON holds a record per row (errors as {"file", "index", "error"}); load_fits skips the errors
    written = json.loads(records.read_text())
    assert len(written) == 8 and sum("error" in r for r in written) == 2
    fits = nk.load_fits(records)
    assert len(fits) == 6

    # the library gives the same table: same columns, same values
    pandas = pytest.importorskip("pandas")
    failures = [Failure(r["file"], None, r["error"]) for r in written if "error" in r]
    frame = nk.fit_table([*fits, *failures])
    from_csv = pandas.read_csv(table)
    assert list(frame.columns) == list(from_csv.columns)
    ok = from_csv[from_csv["error"].isna()].reset_index(drop=True)
    fitted = frame[frame["error"].isna()].sort_values(["file", "index"], key=lambda c: c.astype(str))
    fitted = fitted.reset_index(drop=True)
    for column in ("R0 [Ohm]", "CPE2_n stderr", "i0_R2 [mA cm^-2]", "redchi", "n_warnings"):
        assert fitted[column].astype(float).tolist() == pytest.approx(
            ok[column].astype(float).tolist(), rel=1e-12, nan_ok=True
        )


def test_fit_folder_with_plots_named_per_file_and_reruns_skip_own_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "cells"
    folder.mkdir()
    for name in ("na_nzsp_na_pristine.txt", "na_nzsp_na_cycled.txt"):
        shutil.copy(EXAMPLES / name, folder / name)
    table = folder / "table.csv"
    args = [
        "fit",
        folder,
        "-c",
        "na_se_na_2arc",
        "--area",
        "0.785",
        "--csv",
        table,
        "--plot",
        folder / "fit.png",
    ]
    code, out, _ = run(*args, "--curve-csv", folder / "curve.csv")
    assert code == 0, out
    assert "2 input files in" in out and "2 rows from 2 files: 2 analysed, 0 failed" in out
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "curve_na_nzsp_na_cycled.csv",
        "curve_na_nzsp_na_pristine.csv",
        "fit_na_nzsp_na_cycled.png",
        "fit_na_nzsp_na_pristine.png",
        "na_nzsp_na_cycled.txt",
        "na_nzsp_na_pristine.txt",
        "table.csv",
    ]
    # the second run finds its own table, curves and figures in the folder and leaves them out
    code, out, _ = run(*args, "--curve-csv", folder / "curve.csv")
    assert code == 0, out
    assert "2 input files" in out and "skipped 5" in out and len(read_table(table)) == 2
    # an output path that holds data found in the folder is refused before any fit
    code, _, err = run("fit", folder, "--json", folder / "na_nzsp_na_cycled.txt")
    assert code == 1 and "is the input file" in err and "would be overwritten" in err


def test_stdin_cannot_join_a_batch() -> None:
    code, _, err = run("fit", "-", CYCLED)
    assert code == 2 and "standard input" in err


# ------------------------------------------------------------------------------------------- the other commands


def test_validate_batch_exit_codes(realdata: Path, tmp_path: Path) -> None:
    eis = realdata / "eis"
    passing = [eis / "scribner_zplot_3.2c.z", eis / "impedance_py_Circuit1_EIS_1.z"]
    table = tmp_path / "kk.csv"
    code, out, _ = run("validate", *passing, "--strict", "--csv", table)
    assert code == 0 and "2 analysed, 0 failed" in out
    code, _, _ = run("validate", *passing, eis / "gamry_ref3000_eispot.DTA", "--strict")
    assert code == 3  # a spectrum failed the test
    code, _, _ = run(
        "validate", *passing, eis / "impedance_py_exampleDataBioLogic_MissingFreq.mpt", "--strict"
    )
    assert code == EXIT_FAILED_ROWS  # a file failed to be read: that comes first
    rows = read_table(table)
    single = tmp_path / "kk.json"
    assert run("validate", passing[0], "--json", single)[0] == 0
    record = json.loads(single.read_text())
    row = next(r for r in rows if r["file"] == str(passing[0]))
    assert float(row["rms_residual [%]"]) == pytest.approx(100 * record["rms_residual"], rel=1e-12)
    assert int(row["n_rc"]) == record["n_rc"] and row["passed"] == "True"


def test_warburg_conductivity_and_tafel_take_folders(tmp_path: Path) -> None:
    diffusion = ROOT / "examples" / "data_diffusion"
    table = tmp_path / "w.csv"
    code, out, _ = run(
        "warburg", diffusion / "na_nvp_warburg.csv", diffusion / "sigma_table.csv", "--area", "1", "--conc",
        "1", "--conc-unit", "mol/L", "--csv", table,
    )  # fmt: skip
    assert code == EXIT_FAILED_ROWS and "σ = " in out
    rows = read_table(table)
    assert [bool(r["error"]) for r in rows] == [False, True]
    assert "no impedance columns" in rows[1]["error"]
    single = tmp_path / "w.json"
    run("warburg", diffusion / "na_nvp_warburg.csv", "--area", "1", "--conc", "1", "--conc-unit", "mol/L",
        "--json", single)  # fmt: skip
    record = json.loads(single.read_text())
    assert float(rows[0]["D [cm^2 s^-1]"]) == pytest.approx(record["D"]["value"], rel=1e-12)
    assert float(rows[0]["sigma [Ohm s^-1/2]"]) == pytest.approx(record["sigma"]["value"], rel=1e-12)

    table = tmp_path / "c.csv"
    pellets = str(diffusion / "nzsp_pellet_[24]*C.csv")  # 25 °C and 40 °C, a quoted pattern
    code, out, _ = run("conductivity", pellets, "--thickness", "0.162", "--diameter", "1.114", "--csv", table)
    assert code == 0, out
    rows = read_table(table)
    assert [Path(r["file"]).name for r in rows] == ["nzsp_pellet_25C.csv", "nzsp_pellet_40C.csv"]
    sigma = [float(r["sigma_total [S cm^-1]"]) for r in rows]
    assert sigma[0] < sigma[1]  # a solid electrolyte conducts better when warmer

    tafel = ROOT / "examples" / "data_tafel"
    table = tmp_path / "t.csv"
    code, _, _ = run("tafel", tafel, "--area", "1", "--csv", table)
    rows = read_table(table)
    assert code == EXIT_FAILED_ROWS  # the folder also holds the cell's impedance spectrum
    good = next(r for r in rows if not r["error"])
    assert Path(good["file"]).name == "na_na_sweep.csv"
    single = tmp_path / "t.json"
    assert run("tafel", tafel / "na_na_sweep.csv", "--area", "1", "--json", single)[0] == 0
    record = json.loads(single.read_text())
    assert float(good["i0 [mA cm^-2]"]) == pytest.approx(record["parameters"]["i0"]["value"], rel=1e-12)


# ------------------------------------------------------------------------------------------- progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_count_rate_and_eta_only_on_a_terminal() -> None:
    screen = Terminal()
    with progress(3, "fitting", quiet=False, stream=screen) as advance:
        for _ in range(3):
            advance()
    shown = screen.getvalue()
    assert "fitting" in shown and "3/3" in shown and "/s" in shown
    assert "2/3" in shown and "ETA" in shown

    for stream, quiet in ((io.StringIO(), False), (Terminal(), True)):
        with progress(3, "fitting", quiet=quiet, stream=stream) as advance:
            advance()
        assert stream.getvalue() == ""


@pytest.mark.parametrize(
    "args",
    [
        ["fit"],
        ["validate"],
        ["warburg", "--area", "1", "--conc", "1e-3"],
        ["conductivity", "--thickness", "0.1", "--area", "1"],
        ["tafel"],
    ],
    ids=lambda a: a[0],
)
def test_csv_path_is_checked_before_any_work(args: list[str], tmp_path: Path) -> None:
    code, _, err = run(*args, CYCLED, EXAMPLES, "--csv", tmp_path / "missing" / "table.csv")
    assert code == 1 and err.startswith("error: --csv ") and "missing does not exist" in err
    copy = tmp_path / "cell.txt"
    copy.write_bytes(CYCLED.read_bytes())
    code, _, err = run(*args, copy, "--csv", copy)
    assert code == 1 and "is the input file" in err
    assert copy.read_bytes() == CYCLED.read_bytes()


def test_one_file_keeps_its_report_and_can_write_the_table_to_stdout() -> None:
    code, out, err = run("validate", CYCLED, "--csv", "-")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))  # stdout holds nothing but the table
    assert len(rows) == 1 and rows[0]["file"] == str(CYCLED) and rows[0]["error"] == ""
    assert "input file" not in err and "Kramers" in err  # the single-file report, on stderr
    code, out, err = run("validate", CYCLED.with_name("missing.txt"))
    assert code == 1 and err.startswith("error: ") and "missing.txt" in err  # a plain run stops on errors


def _two_sweeps(path: Path, second: int) -> Path:
    """A CSV with a 25-point sweep of R0-p(R1,CPE1) (R1 = 100 Ω) followed by a sweep of ``second`` points."""
    import numpy as np

    from nakinetics.synthetic import synthetic_spectrum

    truth = {"R0": 10.0, "R1": 100.0, "CPE1_Q": 1e-5, "CPE1_n": 0.9}
    lines = ["freq_Hz,Zre_ohm,Zim_ohm"]
    for n in (25, second):
        s = synthetic_spectrum("R0-p(R1,CPE1)", truth, np.logspace(5, -1, n))
        lines += [
            f"{float(f)!r},{float(z.real)!r},{float(z.imag)!r}"
            for f, z in zip(s.frequency, s.impedance, strict=True)
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("command", "second", "check"),
    [
        # a noise-free spectrum of a passive circuit passes the KK test; 3 points are too few for it
        (["validate"], 3, lambda r: r["passed"] is True),
        (["drt", "--tail", "none"], 3, lambda r: r["peaks"][0]["resistance"] == pytest.approx(100, rel=0.05)),
        (
            ["fit", "-c", "R0-p(R1,CPE1)"],
            2,
            lambda r: r["parameters"]["R1"]["value"] == pytest.approx(100, rel=1e-6),
        ),
    ],
)
def test_one_file_with_a_failing_spectrum_keeps_the_others(tmp_path: Path, command, second, check) -> None:
    path = _two_sweeps(tmp_path / "sweeps.csv", second)
    code, out, err = run(*command, path, "--json", "-")
    assert code == EXIT_FAILED_ROWS, err
    records = json.loads(out)
    assert len(records) == 2 and records[0].get("error") is None
    assert check(records[0])
    assert records[1]["index"] == 1 and f"{second} points" in records[1]["error"]
    assert f"error: sweeps.csv[1]: {second} points" in err
