"""The convergence decision: a fit that crawls along a flat direction of χ² at its iteration cap has converged when
its χ² no longer changes measurably against the noise, and its flat parameters are reported as not determined;
a run that is still descending is not called converged."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nakinetics import _lm, fit_circuit
from nakinetics.fitting import _conditional_stderr
from nakinetics.selection import choose_model
from nakinetics.synthetic import synthetic_spectrum

NOISE = 1e-2 * np.random.default_rng(0).standard_normal(50)
"""Fixed residuals no parameter can change: their sum of squares is the infimum of the cost."""
FLOOR = float(NOISE @ NOISE)
S2 = FLOOR / 50  # the noise variance the fit implies (m − k = 51 − 1)


def power_tail(amplitude: float, power: float):
    """One parameter u ≥ 0 whose residual A (1 + u)^-p vanishes only as u → ∞: a valley that flattens out
    without a minimum, like R → 0 in log coordinates beside an arc that takes over the intercept."""

    def fun(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = amplitude * (1 + u[0]) ** -power
        jacobian = np.zeros((51, 1))
        jacobian[0, 0] = -power * amplitude * (1 + u[0]) ** (-power - 1)
        return np.concatenate([[a], NOISE]), jacobian

    return fun


def run(fun, iterations: int) -> _lm.LMState:
    lower, upper = np.array([0.0]), np.array([1e300])
    return _lm.iterate(fun, _lm.start(fun, np.array([0.0]), lower, upper), lower, upper, iterations)


@pytest.mark.parametrize(("amplitude", "power"), [(1e-2, 0.5), (1e-2, 0.1)])
def test_a_crawl_whose_chi2_no_longer_changes_against_the_noise_has_converged(
    amplitude: float, power: float
) -> None:
    state = run(power_tail(amplitude, power), 300)
    assert state.iterations == 300 and state.converged and state.stalled
    # the cost is within a tenth of the noise variance of its infimum (the noise alone)
    assert 0 < state.cost - FLOOR < 0.1 * S2


def test_a_run_still_descending_at_the_cap_has_not_converged() -> None:
    state = run(power_tail(1e-1, 0.1), 300)
    assert not state.converged and not state.stalled
    assert state.cost - FLOOR > S2  # more than a noise variance is still to be gained


def test_short_probes_are_never_called_converged_by_the_stall_test() -> None:
    state = run(power_tail(1e-2, 0.1), _lm.STALL_WINDOW - 1)
    assert not state.converged


def test_flat_columns_are_found_and_the_others_get_conditional_errors() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(40), rng.standard_normal(40)
    y -= x * (x @ y) / (x @ x)  # y ⟂ x
    jacobian = np.column_stack([x, y, 2 * x])  # χ² is flat along (2, 0, −1): only x-column combination known
    flat, stderr = _conditional_stderr(jacobian, redchi=0.25)
    assert flat == [0, 2]
    assert stderr is not None and np.isnan(stderr[[0, 2]]).all()
    assert stderr[1] == pytest.approx(0.5 / np.linalg.norm(y))  # s/‖y‖, s² = 0.25


def q_for_apex(r: float, apex_hz: float, n: float) -> float:
    return (1 / (2 * math.pi * apex_hz)) ** n / r


def test_overparameterised_fit_at_the_noise_floor_converges_with_the_true_sums() -> None:
    # one arc measured, two fitted: the extra arc takes part of the intercept and χ² is flat along R0 ↔ R1
    truth = {"R0": 50.0, "R1": 100.0, "CPE1_Q": q_for_apex(100.0, 100.0, 0.9), "CPE1_n": 0.9}
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)", truth, np.logspace(6, -1, 60), noise=0.01, rng=np.random.default_rng(3)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_circuit(spectrum, "na_se_na_2arc")
    assert result.statistics.success, result.statistics.message
    values = result.values
    slow = max((1, 2), key=lambda k: values[f"R{k}"])  # the measured arc
    fast = 3 - slow
    assert values["R0"] + values[f"R{fast}"] == pytest.approx(50.0, rel=0.02)
    assert values[f"R{slow}"] == pytest.approx(100.0, rel=0.02)
    assert values[f"CPE{slow}_n"] == pytest.approx(0.9, abs=0.02)
    r0 = result.parameters["R0"]
    assert r0.stderr is None or r0.stderr > r0.value
    assert any(w.startswith("R0") and "not determined" in w for w in result.warnings)
    if "flat direction" in result.statistics.message:
        assert any("flat valley" in w for w in result.warnings)


def test_no_candidate_of_the_real_spectrum_is_set_aside_as_not_converged(realdata) -> None:
    from nakinetics import read_spectrum

    spectrum = read_spectrum(realdata / "eis" / "impedance_py_Circuit1_EIS_1.z")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comparison = choose_model(spectrum)
    assert all(r.statistics.success for r in comparison.results)
    assert not [why for _, why in comparison.set_aside if "converge" in why]
