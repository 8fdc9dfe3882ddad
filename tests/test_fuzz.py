"""Fuzzing the command line and the reading API with mutated real and synthetic files (``tests/fuzzing.py``):
no traceback, no raw exception, no hang, no invalid JSON, no warning noise, no clobbered output.

The default run takes a fast, fixed subset of the cases; the full set (≥ 5000 cases, in worker processes
with a per-case timeout) is behind the ``slow`` marker and in ``benchmarks/fuzz_benchmark.py``, which
prints the table quoted in the README.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest

from .conftest import REALDATA
from .fuzzing import (
    API_TARGETS,
    CLI_TARGETS,
    DEFECTS,
    MUTATIONS,
    CasePool,
    Seed,
    make_case,
    option_cases,
    real_seeds,
    run_case,
    run_option_case,
    suite_case,
    synthetic_seeds,
)
from .fuzzing_more import MORE_API_TARGETS, MORE_CLI_TARGETS, more_seeds

FAST_CASES = 64
"""Cases 0–63 of master seed 0 (every target and most mutations; ~15 s)."""
FULL_CASES = 5000
FAST_MORE_CASES = 64
"""Cases 0–63 of the ``more`` suite (drt, cycling, arrhenius, simulate and their library calls; ~5 s)."""
FULL_MORE_CASES = 3000
CASE_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def seeds() -> list[Seed]:
    """The real files of ../shared/realdata (when present) and the synthetic ones."""
    return real_seeds(REALDATA) + synthetic_seeds()


@pytest.fixture(scope="module")
def seeds_more() -> list[Seed]:
    """The seeds of the ``more`` suite (``tests/fuzzing_more.py``)."""
    return more_seeds(REALDATA)


def _report(defects: list[str]) -> str:
    return f"{len(defects)} defect(s):\n" + "\n".join(defects[:30])


def test_case_generation_is_seeded_and_covers_every_target(seeds: list[Seed]) -> None:
    first = [make_case(k, seeds) for k in range(FAST_CASES)]
    again = [make_case(k, seeds) for k in range(FAST_CASES)]
    assert [(c.seed, c.mutations, c.data, c.target) for c in first] == [
        (c.seed, c.mutations, c.data, c.target) for c in again
    ]
    many = [make_case(k, seeds) for k in range(600)]
    assert {c.target for c in many} == set(CLI_TARGETS) | set(API_TARGETS)
    assert {m for c in many for m in c.mutations} == set(MUTATIONS)
    assert any(c.trap for c in many) and any(c.options for c in many)


def test_fast_fuzz_subset_has_no_defects(seeds: list[Seed]) -> None:
    outcomes = Counter()
    defects = []
    for k in range(FAST_CASES):
        case = make_case(k, seeds)
        outcome = run_case(case, timeout=CASE_TIMEOUT_S)
        outcomes[outcome.category] += 1
        if outcome.category in DEFECTS:
            defects.append(f"{outcome.category}: {case.describe()}: {outcome.detail}")
    assert not defects, _report(defects)
    assert outcomes["ok"] >= 10 and outcomes["error"] >= 10  # the subset exercises both paths


def test_more_suite_is_seeded_and_covers_every_new_target(seeds_more: list[Seed]) -> None:
    first = [suite_case("more", k, seeds_more) for k in range(16)]
    again = [suite_case("more", k, seeds_more) for k in range(16)]
    assert first == again
    many = [suite_case("more", k, seeds_more) for k in range(150)]
    assert {c.target for c in many} == set(MORE_CLI_TARGETS) | set(MORE_API_TARGETS)
    assert any(c.others for c in many) and any(c.trap for c in many) and any(c.options for c in many)
    assert {"cycling", "eis", "dc"} <= {s.kind for s in seeds_more}


def test_fast_more_subset_has_no_defects(seeds_more: list[Seed]) -> None:
    outcomes = Counter()
    defects = []
    for k in range(FAST_MORE_CASES):
        case = suite_case("more", k, seeds_more)
        outcome = run_case(case, timeout=CASE_TIMEOUT_S)
        outcomes[outcome.category] += 1
        if outcome.category in DEFECTS:
            defects.append(f"{outcome.category}: {case.describe()}: {outcome.detail}")
    assert not defects, _report(defects)
    assert outcomes["ok"] >= 5 and outcomes["error"] >= 10


def _full_run(suite: str, seeds: list[Seed], cases: int) -> None:
    pool = CasePool(2, seeds, 0, 4.0, suite)
    defects = []
    try:
        for index, outcome in pool.run(list(range(cases)), CASE_TIMEOUT_S):
            if outcome.category in DEFECTS:
                case = suite_case(suite, index, seeds)
                defects.append(f"{outcome.category}: {case.describe()}: {outcome.detail}")
    finally:
        pool.close()
    assert not defects, _report(defects)


@pytest.mark.slow
def test_full_fuzz_has_no_defects(seeds: list[Seed]) -> None:
    _full_run("core", seeds, FULL_CASES)


@pytest.mark.slow
def test_full_more_fuzz_has_no_defects(seeds_more: list[Seed]) -> None:
    _full_run("more", seeds_more, FULL_MORE_CASES)


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_nzsp_na_cycled.txt"


@pytest.mark.slow
def test_every_option_with_pathological_values(
    realdata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every non-flag option of the commands of issue 11 with NaN, ±inf, -1, 0, huge, subnormal, empty,
    text, a 400-digit number and malformed pairs (~1300 runs; in a scratch folder: ``--csv nan`` writes a
    table called ``nan``)."""
    monkeypatch.chdir(tmp_path)
    sweep = str(realdata / "dc" / "meg-lbnl_tafel_fitter" / "Pt-HER_100mM_perchloric_acid_1600rpm.csv")
    spectrum = str(EXAMPLE)
    inputs = {
        "fit": [spectrum, "-c", "na_se_na_1arc"],
        "validate": [spectrum],
        "warburg": [spectrum, "--area", "1", "--conc", "1e-3"],
        "conductivity": [spectrum, "--thickness", "0.1", "--area", "1"],
        "tafel": [sweep],
        "geis": [spectrum, "-c", "na_se_na_1arc", "--interval", "60"],
        "arrhenius": [spectrum, "--temperatures", "300"],
    }
    defects = []
    for _, args in option_cases(inputs):
        with tempfile.TemporaryDirectory() as tmp:
            outcome = run_option_case(args, Path(tmp), timeout=CASE_TIMEOUT_S)
        if outcome.category in DEFECTS:
            defects.append(f"{outcome.category}: {' '.join(a[:30] for a in args[2:])}: {outcome.detail}")
    assert not defects, _report(defects)
