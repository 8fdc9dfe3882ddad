"""``--fix``/``--tie`` names are checked against the circuit(s) before any work, applied only to the models
that have them, and ``geis`` says with its exit code when spectra failed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nakinetics.selection import compare_models
from nakinetics.synthetic import synthetic_spectrum

from .test_diffusion import run, write_csv
from .test_geis_cli import geis_args, read_rows, write_series

TRUTH = {"R0": 20.0, "R1": 60.0, "CPE1_Q": 2e-7, "CPE1_n": 0.9, "R2": 300.0, "CPE2_Q": 1e-5, "CPE2_n": 0.9}


@pytest.fixture(scope="module")
def two_arc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Na | SE | Na spectrum (na_se_na_2arc) whose second arc has CPE2_n = 0.9 exactly."""
    spectrum = synthetic_spectrum(
        "na_se_na_2arc", TRUTH, np.logspace(6, -1, 50), noise=0.003, rng=np.random.default_rng(4)
    )
    return write_csv(tmp_path_factory.mktemp("fix") / "two_arc.csv", spectrum)


def test_a_typo_in_fix_or_tie_is_a_usage_error_before_any_work(two_arc: Path, tmp_path: Path) -> None:
    out = tmp_path / "fit.json"
    code, _, err = run("fit", two_arc, "-c", "na_se_na_2arc", "--fix", "CPE2_m=0.9", "--json", out)
    assert (
        code == 2 and "'CPE2_m' is not a parameter of na_se_na_2arc" in err and "did you mean 'CPE2_n'" in err
    )
    assert not out.exists()
    code, _, err = run("fit", two_arc, "-c", "na_se_na_2arc", "--tie", "R2=R9")
    assert code == 2 and "--tie" in err and "'R9'" in err
    code, _, err = run("fit", two_arc, "--fix", "CPE9_n=0.9")  # automatic choice: no candidate has it
    assert code == 2 and "not a parameter of any candidate model" in err


def test_requested_model_keeps_its_fix_when_a_comparison_model_lacks_the_name(two_arc: Path) -> None:
    """``-c na_se_na_2arc --compare randles_w --fix CPE2_n=0.9`` failed entirely ("no candidate model could
    be fitted"): now the requested model is fitted with CPE2_n held (R2 recovers the generating 300 Ω),
    randles_w is compared without it, and the report says so."""
    code, out, err = run(
        "fit", two_arc, "-c", "na_se_na_2arc", "--compare", "randles_w", "--fix", "CPE2_n=0.9", "--json", "-"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["parameters"]["CPE2_n"]["value"] == 0.9 and not record["parameters"]["CPE2_n"]["vary"]
    assert record["parameters"]["R2"]["value"] == pytest.approx(TRUTH["R2"], rel=0.02)
    choice = record["model_choice"]
    assert {c["model"] for c in choice["candidates"]} == {"na_se_na_2arc", "randles_w"}
    assert choice["failures"] == []
    assert any("randles_w has no CPE2_n and was fitted without" in n for n in choice["notes"])
    assert "randles_w has no CPE2_n" in choice["reason"]


def test_automatic_choice_fits_the_same_candidates_with_a_fix(two_arc: Path) -> None:
    """Without -c, --fix removed every candidate lacking the parameter (their failures only in the JSON):
    now the same candidates are compared as without --fix, the fix held where the parameter exists."""
    code, out, err = run("fit", two_arc, "--json", "-")
    assert code == 0, err
    plain = {c["model"] for c in json.loads(out)["model_choice"]["candidates"]}
    code, out, err = run("fit", two_arc, "--fix", "CPE2_n=0.9", "--json", "-")
    assert code == 0, err
    choice = json.loads(out)["model_choice"]
    assert {c["model"] for c in choice["candidates"]} == plain and choice["failures"] == []
    assert "na_se_na_1arc" in choice["notes"][0] and "fitted without" in choice["notes"][0]


def test_compare_models_applies_fixed_values_and_ties_where_the_names_exist(two_arc: Path) -> None:
    from nakinetics.io import read_spectrum

    spectrum = read_spectrum(two_arc)
    comparison = compare_models(
        spectrum, ["na_se_na_2arc", "na_se_na_1arc"], fixed={"CPE2_n": 0.9}, ties={"CPE2_Q": "CPE1_Q*50"}
    )
    fits = {r.preset.name: r for r in comparison.results if r.preset}
    assert fits["na_se_na_2arc"].values["CPE2_n"] == 0.9
    assert fits["na_se_na_2arc"].values["CPE2_Q"] == pytest.approx(
        50 * fits["na_se_na_2arc"].values["CPE1_Q"]
    )
    assert fits["na_se_na_1arc"].statistics.n_varying == 4  # nothing of the fix or the tie applies
    assert "CPE2_Q, CPE2_n" in comparison.notes[0] and "na_se_na_1arc has no" in comparison.notes[0]


# ---------------------------------------------------------------------------------------------------
# geis


def test_geis_checks_fix_names_before_storing_settings_and_exits_4_when_spectra_fail(tmp_path: Path) -> None:
    """A typo in --fix (R9) made every spectrum fail with exit code 0 and was stored in the folder's
    settings, so the corrected re-run was refused; --fmin above the data failed every spectrum with exit 0."""
    folder = write_series(tmp_path / "spectra", 3)
    out = tmp_path / "out"
    code, _, err = run(*geis_args(folder, out, "--fix", "R9=3"))
    assert code == 2 and "'R9' is not a parameter" in err
    assert not out.exists()  # nothing stored
    code, _, err = run(*geis_args(folder, out, "--fmin", "1e7"))
    assert code == 4 and "3 of 3 spectra failed" in err
    assert {r["status"] for r in read_rows(out / "series.csv")} == {"failed"}
    code, _, err = run(*geis_args(folder, out))  # corrected: the earlier run fitted nothing to resume
    assert code == 0, err
    assert {r["status"] for r in read_rows(out / "series.csv")} != {"failed"}
