"""Fuzzing the command line and the reading API with mutated real and synthetic files (``tests/fuzzing.py``):
no traceback, no raw exception, no hang, no invalid JSON, no warning noise, no clobbered output.

The default run takes a fast, fixed subset of the cases; the full set (≥ 5000 cases, in worker processes
with a per-case timeout) is behind the ``slow`` marker and in ``benchmarks/fuzz_benchmark.py``, which
prints the table quoted in the README.
"""

from __future__ import annotations

from collections import Counter

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
    real_seeds,
    run_case,
    synthetic_seeds,
)

FAST_CASES = 64
"""Cases 0–63 of master seed 0 (every target and most mutations; ~15 s)."""
FULL_CASES = 5000
CASE_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def seeds() -> list[Seed]:
    """The real files of ../shared/realdata (when present) and the synthetic ones."""
    return real_seeds(REALDATA) + synthetic_seeds()


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


@pytest.mark.slow
def test_full_fuzz_has_no_defects(seeds: list[Seed]) -> None:
    pool = CasePool(2, seeds, 0, 4.0)
    defects = []
    try:
        for index, outcome in pool.run(list(range(FULL_CASES)), CASE_TIMEOUT_S):
            if outcome.category in DEFECTS:
                defects.append(f"{outcome.category}: {make_case(index, seeds).describe()}: {outcome.detail}")
    finally:
        pool.close()
    assert not defects, _report(defects)
