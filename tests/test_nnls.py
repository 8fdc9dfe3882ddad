"""The numpy NNLS behind the fit's starts against scipy.optimize.nnls (an independent implementation)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import nnls as scipy_nnls

from nakinetics._nnls import nnls


@pytest.mark.parametrize("seed", range(6))
def test_random_full_rank_problems_match_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(20, 120), rng.integers(5, 60)
    cols = min(cols, rows)
    matrix = rng.normal(size=(rows, cols))
    target = rng.normal(size=rows)
    expected, expected_norm = scipy_nnls(matrix, target)
    x, norm = nnls(matrix, target)
    assert np.all(x >= 0)
    assert 0 < np.count_nonzero(x) < cols  # the constraints are active: a real NNLS problem
    np.testing.assert_allclose(x, expected, rtol=1e-9, atol=1e-12)
    assert norm == pytest.approx(expected_norm, rel=1e-12)


def test_known_solution_with_an_active_constraint() -> None:
    # min ‖x − (1, −2)‖ with x ≥ 0 is (1, 0) at distance 2
    x, norm = nnls(np.eye(2), np.array([1.0, -2.0]))
    np.testing.assert_allclose(x, [1.0, 0.0])
    assert norm == pytest.approx(2.0)


def test_drt_problem_of_a_dispersed_arc_matches_scipy() -> None:
    # the smoothed DRT design of the fit's starts (Voigt columns on a log τ grid plus a smoothness penalty)
    omega = 2 * np.pi * np.logspace(5, -1, 60)
    z = 10 + 100 / (1 + (1j * omega * 1e-3) ** 0.75)
    tau = np.logspace(-7, 2, 80)
    voigt = 1 / (1 + 1j * omega[:, None] * tau[None, :])
    weight = 1 / np.abs(z)
    matrix = np.vstack([(voigt.real * weight[:, None]), (voigt.imag * weight[:, None])])
    matrix = np.hstack([matrix, np.concatenate([weight, np.zeros_like(weight)])[:, None]])
    second_difference = (np.eye(80, k=0) - 2 * np.eye(80, k=1) + np.eye(80, k=2))[:78]
    penalty = 0.3 * np.hstack([second_difference, np.zeros((78, 1))])  # R∞ is not smoothed
    a = np.vstack([matrix, penalty])
    b = np.concatenate([z.real * weight, z.imag * weight, np.zeros(78)])
    expected, expected_norm = scipy_nnls(a, b, maxiter=50 * a.shape[1])
    x, norm = nnls(a, b)
    np.testing.assert_allclose(x, expected, rtol=1e-6, atol=1e-9 * expected.max())
    assert norm == pytest.approx(expected_norm, rel=1e-9)
    assert x[-1] == pytest.approx(10.0, rel=0.05)  # the series resistance


def test_a_capped_solve_raises_instead_of_returning_a_non_minimum() -> None:
    rng = np.random.default_rng(1)
    matrix, target = rng.normal(size=(40, 20)), rng.normal(size=40)
    with pytest.raises(RuntimeError, match="did not converge"):
        nnls(matrix, target, start=np.zeros(20, dtype=bool), max_iterations=1)
    x, _ = nnls(matrix, target, start=np.zeros(20, dtype=bool))
    np.testing.assert_allclose(x, scipy_nnls(matrix, target)[0], rtol=1e-9, atol=1e-12)
