"""Command-line side of interoperability: ties, simulate, fitted-curve CSV, JSON reload, completion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nakinetics.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"
CYCLED = EXAMPLES / "na_nzsp_na_cycled.txt"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env, prog_name="nakinetics")
    return result.exit_code, result.stdout, result.stderr


def test_fit_with_ties_counts_only_free_parameters() -> None:
    circuit = "R0-p(R1,CPE1)-p(R2,CPE2)"
    code, out, err = run("fit", CYCLED, "-c", circuit, "--tie", "CPE2_n=CPE1_1", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    params = record["parameters"]
    assert params["CPE2_n"]["value"] == params["CPE1_n"]["value"]
    assert params["CPE2_n"]["stderr"] == pytest.approx(params["CPE1_n"]["stderr"])
    assert record["statistics"]["n_varying"] == 6
    assert "(= CPE1_n)" in err
    code, _, err = run("fit", CYCLED, "-c", circuit, "--tie", "CPE2_n")
    assert code == 2 and "expected NAME=EXPR" in err
    code, _, err = run("fit", CYCLED, "-c", circuit, "--tie", "CPE2_n=CPE9_n")
    assert code == 2 and "'CPE9_n' is not a parameter" in err and "Traceback" not in err  # before any work
    # R1 of this cell is ~24 Ω: R2 = R1 − 200 is negative at every start, a clear error, not a crash
    code, _, err = run("fit", EXAMPLES / "na_carbonate_na.csv", "-c", circuit, "--tie", "R2=R1-200")
    assert code == 1 and "outside its bounds" in err and "internal error" not in err
    assert err.count("\n") == 1


def test_simulate_writes_csv_that_fit_reads_back(tmp_path: Path) -> None:
    import numpy as np

    import nakinetics as nk

    target = tmp_path / "sim.csv"
    truth = ["R0=10", "R1=100", "CPE1_0=1e-6", "CPE1_n=0.9", "R2=300", "CPE2_Q=1e-4", "CPE2_1=0.85"]
    args = [a for item in truth for a in ("-p", item)]
    code, _, err = run(
        "simulate", "R0-p(R1,CPE1)-p(R2,CPE2)", *args, "--fmin", "0.1", "--ppd", "8", "-o", target
    )
    assert code == 0, err
    spectrum = nk.read_spectrum(target)
    assert (
        len(spectrum) == 57 and spectrum.frequency[0] == 1e6 and spectrum.frequency[-1] == pytest.approx(0.1)
    )
    expected = nk.simulate(
        "R0-p(R1,CPE1)-p(R2,CPE2)", [10, 100, 1e-6, 0.9, 300, 1e-4, 0.85], spectrum.frequency
    )
    np.testing.assert_array_equal(spectrum.impedance, expected.impedance)  # written with full precision
    code, out, err = run("fit", target, "-c", "R0-p(R1,CPE1)-p(R2,CPE2)", "--json", "-")
    assert code == 0, err
    assert json.loads(out)["parameters"]["R2"]["value"] == pytest.approx(300.0, rel=1e-6)
    # the same spectrum from a value sequence in impedance.py's order, to stdout
    code, out, _ = run(
        "simulate",
        "R0-p(R1,CPE1)-p(R2,CPE2)",
        "--values",
        "10,100,1e-6,0.9,300,1e-4,0.85",
        "--fmin",
        "0.1",
        "--ppd",
        "8",
    )
    assert code == 0 and out == target.read_text()


def test_simulate_noise_and_errors() -> None:
    code, out, _ = run("simulate", "R0-p(R1,C1)", "--values", "1,10,1e-3", "--noise", "0.01", "--seed", "3")
    assert code == 0 and out.splitlines()[0] == "frequency/Hz,Z'/Ohm,Z''/Ohm,|Z|/Ohm,phase/deg"
    _, again, _ = run("simulate", "R0-p(R1,C1)", "--values", "1,10,1e-3", "--noise", "0.01", "--seed", "3")
    assert again == out  # seeded
    code, _, err = run("simulate", "R0-p(R1,C1)")
    assert code == 2 and "--param NAME=VALUE" in err
    code, _, err = run("simulate", "R0-p(R1,C1)", "--values", "1,10")
    assert code == 1 and "2 values given for 3 parameters (R0, R1, C1)" in err
    code, _, err = run("simulate", "R0-p(R1,C1)", "-p", "R0=1", "-p", "R1=10", "-p", "C2=1")
    assert code == 1 and "'C2' is not a parameter" in err
    code, _, err = run("simulate", "R0-p(R1,Q1)", "--values", "1,10")
    assert code == 1 and "unknown element 'Q'" in err
    code, _, err = run("simulate", "R0", "--values", "1", "--fmin", "10", "--fmax", "1")
    assert code == 2 and "must be below" in err
    # noise on |Z| near the largest float overflows: one error, no numpy warning (found by the fuzzer, seed 7)
    code, _, err = run("simulate", "R0", "--values", "-1e308", "--noise", "10", "--seed", "1")
    assert code == 1 and "overflows" in err and "RuntimeWarning" not in err
    assert len(err.strip().splitlines()) <= 2  # the out-of-range warning for R0, then the error


def test_fit_curve_csv(tmp_path: Path) -> None:
    import numpy as np

    import nakinetics as nk

    target = tmp_path / "curve.csv"
    code, out, err = run("fit", CYCLED, "-c", "na_se_na_2arc", "--curve-csv", target, "--json", "-")
    assert code == 0, err
    lines = target.read_text().splitlines()
    assert lines[0].split(",") == [
        "frequency/Hz", "Z'/Ohm", "Z''/Ohm", "Z'_fit/Ohm", "Z''_fit/Ohm", "|Z|_fit/Ohm", "phase_fit/deg",
        "residual_Z'/%", "residual_Z''/%",
    ]  # fmt: skip
    table = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    record = json.loads(out)
    np.testing.assert_array_equal(table[:, 0], record["curve"]["frequency_hz"])
    np.testing.assert_array_equal(table[:, 3], record["curve"]["z_fit_real_ohm"])
    fit = table[:, 3] + 1j * table[:, 4]
    np.testing.assert_allclose(table[:, 5], np.abs(fit))
    data = table[:, 1] + 1j * table[:, 2]
    np.testing.assert_allclose(table[:, 7] + 1j * table[:, 8], 100 * (data - fit) / np.abs(data), atol=1e-12)
    # the data columns read back as the fitted spectrum (the extra columns are ignored by the reader)
    np.testing.assert_array_equal(nk.read_spectrum(target).impedance, nk.read_spectrum(CYCLED).impedance)


def test_shell_completion_script_and_completions() -> None:
    code, out, _ = run(env={"_NAKINETICS_COMPLETE": "bash_source"})
    assert code == 0 and "_nakinetics_completion" in out and "complete -o nosort -F" in out
    env = {"_NAKINETICS_COMPLETE": "bash_complete", "COMP_WORDS": "nakinetics si", "COMP_CWORD": "1"}
    code, out, _ = run(env=env)
    assert code == 0 and out.split() == ["plain,simulate"]
    env = {
        "_NAKINETICS_COMPLETE": "bash_complete",
        "COMP_WORDS": "nakinetics fit x.txt --cur",
        "COMP_CWORD": "3",
    }
    code, out, _ = run(env=env)
    assert "plain,--curve-csv" in out.split()


def test_fit_profile_intervals_in_report_and_json(tmp_path: Path) -> None:
    from nakinetics.records import fit_schema

    jsonschema = pytest.importorskip("jsonschema")
    code, out, err = run("fit", CYCLED, "-c", "na_se_na_1arc", "--fmin", "100", "--profile", "--json", "-")
    assert code == 0, err
    assert "profile-likelihood 95 % intervals" in err
    record = json.loads(out)
    jsonschema.validate(record, fit_schema())
    intervals = record["profile_intervals"]
    assert set(intervals) == {"R0", "R1", "CPE1_Q", "CPE1_n"}
    for name, interval in intervals.items():
        value = record["parameters"][name]["value"]
        assert interval["lower"] <= value < interval["upper"] and interval["level"] == 0.95
    # one arc fitted to a two-arc cell: R0 and n are not limited from below (the ± stderr says R0 < 0)
    assert intervals["R0"]["lower_open"] and intervals["R0"]["covariance_interval"][0] < 0
    assert not intervals["R1"]["lower_open"] and not intervals["R1"]["upper_open"]
