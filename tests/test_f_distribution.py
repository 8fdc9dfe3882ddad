"""The F distribution's survival function of :mod:`nakinetics._special` (the model-adequacy F test's p-value)
against closed forms and scipy.special.fdtrc."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special

from nakinetics._special import f_survival, regularized_beta


@pytest.mark.parametrize("d2", [1.0, 4.0, 37.0, 1000.0])
def test_two_numerator_degrees_have_a_closed_form(d2: float) -> None:
    # d1 = 2: P(F > f) = (1 + 2f/d2)^(−d2/2)
    for f in (1e-3, 0.5, 1.0, 3.0, 40.0):
        assert f_survival(f, 2.0, d2) == pytest.approx((1 + 2 * f / d2) ** (-d2 / 2), rel=1e-12)


def test_one_numerator_degree_is_a_squared_t() -> None:
    # d1 = 1, d2 = 1: F = t² with Cauchy t, so P(F > f) = 1 − (2/π)·atan(√f)
    for f in (0.01, 1.0, 7.5, 1e4):
        assert f_survival(f, 1.0, 1.0) == pytest.approx(1 - 2 / math.pi * math.atan(math.sqrt(f)), rel=1e-12)


def test_matches_scipy_over_the_adequacy_tests_range() -> None:
    """Degrees of freedom of the adequacy test: extra parameters 1–1,000, residual dof 1–20,000 (10,000 points)."""
    worst = 0.0
    for d1 in (1, 2, 3, 7, 30, 57, 400, 1000):
        for d2 in (1, 2, 5, 60, 150, 1000, 20000):
            for f in np.geomspace(1e-4, 1e4, 41):
                expected = float(scipy.special.fdtrc(d1, d2, f))
                if expected > 1e-200:
                    worst = max(worst, abs(f_survival(float(f), d1, d2) - expected) / expected)
    assert worst < 1e-9


def test_edges() -> None:
    assert (
        f_survival(0.0, 3, 10) == 1.0
        and f_survival(-1.0, 3, 10) == 1.0
        and f_survival(math.inf, 3, 10) == 0.0
    )
    assert regularized_beta(0.0, 2, 3) == 0.0 and regularized_beta(1.0, 2, 3) == 1.0
    # I_x(a, 1) = x^a
    assert regularized_beta(0.3, 2.5, 1.0) == pytest.approx(0.3**2.5, rel=1e-13)
