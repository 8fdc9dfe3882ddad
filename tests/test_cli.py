"""The command line, driven with click's CliRunner: output, JSON, plots, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main

from .test_presets import REQUIRED
from .test_validation import drifting_spectrum

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"
CYCLED = EXAMPLES / "na_nzsp_na_cycled.txt"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_fit_prints_parameters_derived_and_choice() -> None:
    code, out, _ = run("fit", CYCLED, "--area", "0.785")
    assert code == 0
    assert "na_se_na_2arc chosen: lowest BIC" in out
    assert "ASR_R2_per_interface" in out and "Ohm cm^2" in out
    assert "i0 = 2·RT/(nF·R·A) from R2 (charge transfer; symmetric cell, default)" in out
    assert "i0_R1" not in out  # R1 is interfacial but not charge transfer: ASR only


def test_fit_json_to_stdout_is_pure_json_and_matches_the_generating_truth() -> None:
    code, out, err = run("fit", CYCLED, "--circuit", "na_se_na_2arc", "--area", "0.785", "--json", "-")
    assert code == 0
    record = json.loads(out)  # stdout holds nothing but the JSON
    assert "parameters" in err  # the table went to stderr
    assert set(record) >= {"file", "circuit", "parameters", "derived", "statistics", "warnings"}
    assert record["circuit"] == "R0-p(R1,CPE1)-p(R2,CPE2)"
    # examples/make_example_data.py: R2 = 2 × 275 Ω cm² / 0.785 cm², i.e. 275 Ω cm² per interface
    asr = record["derived"]["ASR_R2_per_interface"]
    assert asr["unit"] == "Ohm cm^2"
    assert asr["value"] == pytest.approx(275.0 * (np.pi * 0.25) / 0.785, rel=0.02)
    assert "per interface" in asr["convention"]
    assert record["parameters"]["R0"]["unit"] == "Ohm"
    assert record["statistics"]["n_points"] == 61 and record["statistics"]["success"] is True
    # the generator adds 0.4 % noise to a valid circuit: the KK flag passes with residuals at that level
    kk = record["kramers_kronig"]
    assert kk["passed"] is True and 0.002 < kk["rms_residual"] < 0.005 and kk["unit"] == "fraction of |Z|"


def test_fit_writes_json_file_and_plot(tmp_path: Path) -> None:
    target, figure = tmp_path / "fit.json", tmp_path / "fit.png"
    code, _, _ = run(
        "fit",
        CYCLED,
        "-c",
        "R0-p(R1,CPE1)-p(R2,CPE2)",
        "--json",
        target,
        "--plot",
        figure,
        "--cell",
        "single",
        "--area",
        "1",
        "--fmax",
        "5e5",
    )
    assert code == 0
    record = json.loads(target.read_text())
    assert record["frequency_range_hz"][1] <= 5e5
    assert "ASR_R1_per_interface" not in record["derived"]  # single interface: no halving
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.json", "fit.png"]  # no temporary leftovers


def test_fix_and_compare() -> None:
    code, out, _ = run("fit", CYCLED, "-c", "na_se_na_1arc", "--compare", "na_se_na_2arc", "--fix", "R0=33.5")
    assert code == 0
    assert "model comparison" in out and "preferred" in out
    assert "(fixed)" in out


def test_thickness_gives_conductivity() -> None:
    code, out, _ = run(
        "fit",
        EXAMPLES / "na_nzsp_na_pristine.txt",
        "-c",
        "na_se_na_1arc",
        "--area",
        "0.785",
        "--thickness",
        "0.1",
        "--json",
        "-",
    )
    assert code == 0
    sigma = json.loads(out)["derived"]["sigma_electrolyte"]
    # R0 = 31.8 Ω in the generator: σ = L/(R A) = 0.1/(31.8 × 0.785) = 4.0e-3 S/cm
    assert sigma["value"] == pytest.approx(0.1 / (31.8 * 0.785), rel=0.03)
    assert sigma["unit"] == "S cm^-1"


def test_circuits_lists_every_preset() -> None:
    code, out, _ = run("circuits", "-v")
    assert code == 0
    for name in REQUIRED:
        assert name in out
    assert "roles:" in out


def test_validate_prints_verdict_and_residuals_and_writes_json(tmp_path: Path) -> None:
    target, figure = tmp_path / "kk.json", tmp_path / "kk.png"
    code, out, _ = run("validate", CYCLED, "--json", target, "--plot", figure)
    assert code == 0
    assert "pass" in out and "M = " in out
    record = json.loads(target.read_text())
    assert record["passed"] is True and len(record["residual_real"]) == 61 == len(record["frequency_hz"])
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_validate_strict_fails_a_drifting_spectrum(tmp_path: Path) -> None:
    spectrum = drifting_spectrum(2.0, noise=0.0)  # the interfacial resistance doubles during the sweep
    path = tmp_path / "drift.csv"
    rows = zip(spectrum.frequency, spectrum.real, spectrum.imag, strict=True)
    path.write_text("freq,zreal,zimag\n" + "".join(f"{f},{re},{im}\n" for f, re, im in rows))
    code, out, _ = run("validate", path, "--strict")
    assert code == 3 and "FAIL" in out
    code, out, _ = run("validate", path, "--limit", "5")  # a lax limit passes it
    assert code == 0 and "pass" in out


@pytest.mark.parametrize("command", [[], ["fit"], ["circuits"], ["validate"]])
def test_help(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0 and "Usage" in out


# ----------------------------------------------------------------------------------------- bad input


def _one_line_error(code: int, err: str, expected_code: int = 1) -> str:
    assert code == expected_code
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("command", ["fit", "validate"])
def test_missing_file_is_a_one_line_error(tmp_path: Path, command: str) -> None:
    code, _, err = run(command, tmp_path / "nope.txt")
    assert _one_line_error(code, err) == f"error: {tmp_path / 'nope.txt'}: no such file"


def test_unknown_format(tmp_path: Path) -> None:
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04 binary stuff")
    line = _one_line_error(*run("fit", bad)[::2])
    assert "notes.docx" in line


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    line = _one_line_error(*run("fit", empty)[::2])
    assert "empty.txt" in line and "empty" in line


def test_no_impedance_columns(tmp_path: Path) -> None:
    table = tmp_path / "cv.csv"
    table.write_text("Potential/V,Current/A\n0.1,1e-6\n0.2,2e-6\n0.3,3e-6\n")
    line = _one_line_error(*run("fit", table)[::2])
    assert "cv.csv" in line


def test_nan_rows(tmp_path: Path) -> None:
    table = tmp_path / "nan.csv"
    table.write_text("freq,Zre,Zim\n1000,10,-1\n100,nan,-5\n10,20,-3\n1,25,-1\n")
    line = _one_line_error(*run("fit", table)[::2])
    assert "nan.csv" in line


def test_non_positive_frequency(tmp_path: Path) -> None:
    table = tmp_path / "zero.csv"
    table.write_text("freq,Zre,Zim\n1000,10,-1\n0,15,-5\n10,20,-3\n1,25,-1\n")
    line = _one_line_error(*run("fit", table)[::2])
    assert "zero.csv" in line


def test_fewer_points_than_parameters(tmp_path: Path) -> None:
    table = tmp_path / "short.csv"
    table.write_text("freq,Zre,Zim\n10000,9,-0.5\n1000,10,-1\n100,15,-5\n10,20,-3\n1,21,-1\n")
    line = _one_line_error(*run("fit", table, "-c", "na_se_na_2arc")[::2])
    assert "short.csv" in line and "cannot determine 7 free parameters" in line


@pytest.mark.parametrize(
    ("circuit", "fragment"),
    [
        ("R0-p(R1,XPE1)", "unknown element 'XPE'"),
        ("R0-p(R1,CPE1", "expected ')'"),
        ("na_se_na_4arc", "unknown preset"),
    ],
)
def test_bad_circuit_or_preset(circuit: str, fragment: str) -> None:
    line = _one_line_error(*run("fit", CYCLED, "-c", circuit)[::2])
    assert fragment in line


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, _, err = run("fit", CYCLED, "--weighting", "squared")
    assert code == 2 and "Invalid value" in err
    code, _, err = run("fit", CYCLED, "--fix", "R0")
    assert code == 2 and "NAME=VALUE" in err
    code, _, _ = run("fit", tmp_path / "missing.txt")
    assert code in (1, 2)


def test_failed_run_leaves_no_output(tmp_path: Path) -> None:
    table = tmp_path / "short.csv"
    table.write_text("freq,Zre,Zim\n10000,9,-0.5\n1000,10,-1\n100,15,-5\n10,20,-3\n1,21,-1\n")
    out = tmp_path / "result.json"
    code, _, _ = run("fit", table, "-c", "na_se_na_2arc", "--json", out, "--plot", tmp_path / "p.png")
    assert code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.csv"]


def test_debug_shows_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--debug", "fit", str(CYCLED), "-c", "R0-p(R1,XPE1)"])
    assert result.exit_code == 1
    assert result.exception is not None  # re-raised instead of turned into a one-line message


def test_importing_the_package_and_cli_does_not_import_matplotlib() -> None:
    # plots import matplotlib lazily: analysis and the CLI start without it (a fresh interpreter)
    import subprocess
    import sys

    code = "import sys, nakinetics, nakinetics.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
