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
    assert code == 1 and "'CPE9_n' is not a parameter" in err and "Traceback" not in err
