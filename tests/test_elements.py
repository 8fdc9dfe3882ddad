"""Element formulas against impedance.py (1e-12 relative) and against analytic limits and derivatives."""

from __future__ import annotations

import numpy as np
import pytest

from nakinetics.circuit import Circuit
from nakinetics.elements import ELEMENTS

impedance_elements = pytest.importorskip("impedance.models.circuits.elements")

FREQ = np.logspace(-3, 7, 81)
OMEGA = 2 * np.pi * FREQ

# symbol -> parameter values (same order in both libraries)
CASES = {
    "R": [12.5],
    "C": [3.3e-6],
    "L": [2e-7],
    "CPE": [4e-5, 0.83],
    "W": [17.0],
    "Wo": [55.0, 3.2],
    "Ws": [55.0, 3.2],
    "G": [40.0, 2e-3],
}


@pytest.mark.parametrize("symbol", sorted(CASES))
def test_formula_equals_impedance_py(symbol: str) -> None:
    ours = ELEMENTS[symbol].impedance(OMEGA, *CASES[symbol])
    theirs = getattr(impedance_elements, symbol)(CASES[symbol], FREQ)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("symbol", sorted(CASES))
def test_analytic_derivatives_match_finite_differences(symbol: str) -> None:
    values = np.array(CASES[symbol])
    _, grads = ELEMENTS[symbol].evaluate(OMEGA, *values)
    for k in range(values.size):
        step = np.zeros_like(values)
        step[k] = 1e-6 * abs(values[k])
        zp = ELEMENTS[symbol].impedance(OMEGA, *(values + step))
        zm = ELEMENTS[symbol].impedance(OMEGA, *(values - step))
        numeric = (zp - zm) / (2 * step[k])
        assert np.max(np.abs(grads[k] - numeric)) < 1e-7 * np.abs(numeric).max()


def test_cpe_with_n_one_is_a_capacitor() -> None:
    np.testing.assert_allclose(
        ELEMENTS["CPE"].impedance(OMEGA, 2e-6, 1.0), ELEMENTS["C"].impedance(OMEGA, 2e-6)
    )


def test_warburg_phase_is_minus_45_degrees() -> None:
    z = ELEMENTS["W"].impedance(OMEGA, 5.0)
    np.testing.assert_allclose(np.degrees(np.angle(z)), -45.0)
    # |Z| = σ√2/√ω: σ is the slope of Z' (and of −Z'') against ω^-½
    np.testing.assert_allclose(z.real * np.sqrt(OMEGA), 5.0)


def test_finite_warburgs_limits() -> None:
    low = np.array([1e-6])
    # transmissive: Z -> R at ω -> 0; reflective: Z' -> R/3, capacitive at ω -> 0
    np.testing.assert_allclose(ELEMENTS["Ws"].impedance(low, 30.0, 2.0).real, 30.0, rtol=1e-6)
    np.testing.assert_allclose(ELEMENTS["Wo"].impedance(low, 30.0, 2.0).real, 10.0, rtol=1e-6)
    # both approach the semi-infinite Warburg with σ = R/√(2τ) at high frequency
    high = np.array([1e3])
    sigma = 30.0 / np.sqrt(2 * 2.0)
    for symbol in ("Ws", "Wo"):
        np.testing.assert_allclose(
            ELEMENTS[symbol].impedance(high, 30.0, 2.0), ELEMENTS["W"].impedance(high, sigma)
        )


def test_finite_warburgs_stay_finite_far_outside_their_window() -> None:
    omega = np.logspace(-8, 12, 50)
    for symbol in ("Ws", "Wo"):
        z, grads = ELEMENTS[symbol].evaluate(omega, 10.0, 1e3)
        assert np.all(np.isfinite(z))
        assert all(np.all(np.isfinite(g)) for g in grads)


def test_circuit_matches_impedance_py_circuit() -> None:
    from impedance.models.circuits import CustomCircuit

    text = "R0-p(R1,CPE1)-p(R2-Wo2,CPE2)-L0"
    values = [10.0, 50.0, 1e-6, 0.9, 80.0, 30.0, 4.0, 1e-4, 0.8, 1e-7]
    with pytest.warns(UserWarning, match="initial parameters"):
        theirs = CustomCircuit(text, initial_guess=values).predict(FREQ, use_initial=True)
    ours = Circuit(text).impedance(OMEGA, values)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_circuit_jacobian_matches_finite_differences() -> None:
    circuit = Circuit("R0-p(R1,CPE1)-p(R2-W2,C2)-G3")
    values = np.array([10.0, 50.0, 1e-6, 0.9, 80.0, 30.0, 1e-4, 20.0, 0.01])
    _, jac = circuit.impedance_and_jacobian(OMEGA, values)
    assert jac.shape == (values.size, OMEGA.size)
    for k in range(values.size):
        h = 1e-6 * values[k]
        up, down = values.copy(), values.copy()
        up[k] += h
        down[k] -= h
        numeric = (circuit.impedance(OMEGA, up) - circuit.impedance(OMEGA, down)) / (2 * h)
        assert np.max(np.abs(jac[k] - numeric)) < 1e-7 * np.abs(numeric).max(), circuit.parameter_names[k]
