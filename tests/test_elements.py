"""Element formulas against impedance.py (1e-9 relative or better) and against analytic limits and
derivatives; impedance.py-style labels and parameter aliases; user-defined elements."""

from __future__ import annotations

import numpy as np
import pytest

from nakinetics.circuit import Circuit
from nakinetics.elements import ELEMENTS
from nakinetics.exceptions import UnknownParameterError

impedance_elements = pytest.importorskip("impedance.models.circuits.elements")

FREQ = np.logspace(-3, 7, 81)
OMEGA = 2 * np.pi * FREQ

# symbol -> parameter sets (same order in both libraries): typical values and ones that push the
# hyperbolic functions to small and large arguments inside 1 mHz–10 MHz
CASES = {
    "R": [[12.5]],
    "C": [[3.3e-6]],
    "L": [[2e-7]],
    "CPE": [[4e-5, 0.83]],
    "W": [[17.0]],
    "Wo": [[55.0, 3.2]],
    "Ws": [[55.0, 3.2]],
    "G": [[40.0, 2e-3]],
    "Gs": [[40.0, 2e-3, 0.7], [3.0, 10.0, 0.05], [40.0, 2e-3, 5.0]],
    "K": [[5.0, 1e-3]],
    "Zarc": [[30.0, 1e-3, 0.8], [30.0, 2.0, 0.5]],
    "TLMQ": [[100.0, 1e-4, 0.9], [5.0, 1e-2, 0.6]],
    "T": [[10.0, 5.0, 0.1, 1e-3], [10.0, 5.0, 0.0, 1e-3], [10.0, 5.0, 3.0, 1e2]],
    "La": [[1e-6, 0.9], [2e-3, 0.6]],
}
IMPEDANCE_PY_1_7_1 = ("R", "C", "L", "CPE", "W", "Wo", "Ws", "G", "Gs", "K", "Zarc", "TLMQ", "T", "La")
ALL_CASES = [(symbol, values) for symbol in CASES for values in CASES[symbol]]


def test_every_impedance_py_element_is_defined() -> None:
    # impedance.py evaluates circuits with this dict as globals, so eval() may have added __builtins__
    theirs = {s for s in impedance_elements.circuit_elements if not s.startswith("__")} - {"s", "p"}
    assert theirs == set(IMPEDANCE_PY_1_7_1)
    assert theirs <= set(ELEMENTS)
    assert {s: len(ELEMENTS[s].parameters) for s in theirs} == {
        s: impedance_elements.circuit_elements[s].num_params for s in theirs
    }


@pytest.mark.parametrize(("symbol", "values"), ALL_CASES)
def test_formula_equals_impedance_py(symbol: str, values: list[float]) -> None:
    ours = ELEMENTS[symbol].impedance(OMEGA, *values)
    theirs = getattr(impedance_elements, symbol)([float(v) for v in values], FREQ)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)


def _finite_difference(symbol: str, values: np.ndarray, k: int) -> np.ndarray:
    step = np.zeros_like(values)
    step[k] = 1e-6 * abs(values[k]) if values[k] else 1e-9
    zp = ELEMENTS[symbol].impedance(OMEGA, *(values + step))
    zm = ELEMENTS[symbol].impedance(OMEGA, *(values - step))
    return (zp - zm) / (2 * step[k])


@pytest.mark.parametrize(("symbol", "values"), ALL_CASES)
def test_analytic_derivatives_match_finite_differences(symbol: str, values: list[float]) -> None:
    array = np.array(values, dtype=float)
    z, grads = ELEMENTS[symbol].evaluate(OMEGA, *array)
    for k in range(array.size):
        numeric = _finite_difference(symbol, array, k)
        # truncation error plus the rounding error of the difference, ~1e-16·|Z|/(1e-6·|p|)
        rounding = 1e-8 * np.abs(z) / (abs(array[k]) or 1e-3)
        assert np.all(np.abs(grads[k] - numeric) < 1e-6 * np.abs(numeric).max() + rounding), (symbol, k)


def test_transmission_line_resistance_derivative_at_low_frequency() -> None:
    # Z → 1/(Q (jω)^n) + R_ion/3 as ω → 0 (Landesfeind eq. 11 limit), so ∂Z/∂R_ion → 1/3 exactly,
    # although Z itself is dominated by the CPE term there
    _, grads = ELEMENTS["TLMQ"].evaluate(np.array([1e-9, 1e-7]), 50.0, 1e-4, 0.9)
    np.testing.assert_allclose(grads[0], 1.0 / 3.0, rtol=1e-9)


def test_zarc_is_r_parallel_cpe_and_k_is_r_parallel_c() -> None:
    r, tau, n = 30.0, 2e-3, 0.8
    q = tau**n / r
    parallel = Circuit("p(R1,CPE1)").impedance(OMEGA, [r, q, n])
    np.testing.assert_allclose(ELEMENTS["Zarc"].impedance(OMEGA, r, tau, n), parallel, rtol=1e-12)
    rc = Circuit("p(R1,C1)").impedance(OMEGA, [r, tau / r])
    np.testing.assert_allclose(ELEMENTS["K"].impedance(OMEGA, r, tau), rc, rtol=1e-12)


def test_porous_electrode_limits() -> None:
    # a = 0 and B = 0: T reduces to the reflective finite Warburg A coth√(jωb)/√(jωb)
    np.testing.assert_allclose(
        ELEMENTS["T"].impedance(OMEGA, 7.0, 0.0, 0.0, 0.3),
        ELEMENTS["Wo"].impedance(OMEGA, 7.0, 0.3),
        rtol=1e-12,
    )
    # finite-length Gerischer with large φ is the Gerischer element
    np.testing.assert_allclose(
        ELEMENTS["Gs"].impedance(OMEGA, 7.0, 0.3, 50.0), ELEMENTS["G"].impedance(OMEGA, 7.0, 0.3), rtol=1e-12
    )


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
    for symbol, values in [
        ("Ws", (10.0, 1e3)),
        ("Wo", (10.0, 1e3)),
        ("Gs", (10.0, 1e3, 2.0)),
        ("TLMQ", (10.0, 1e-3, 0.9)),
        ("T", (10.0, 5.0, 1.0, 1e3)),
    ]:
        z, grads = ELEMENTS[symbol].evaluate(omega, *values)
        assert np.all(np.isfinite(z))
        assert all(np.all(np.isfinite(g)) for g in grads)


# values per element of the all-types circuit below, in order
ALL_TYPES_VALUES = [
    [1e-7], [5.0], [20.0], [1e-6], [30.0, 1e-3, 0.8], [40.0], [8.0, 2e-3, 0.5], [15.0, 1e-2],
    [60.0, 1e-4, 0.9], [10.0, 5.0, 0.1, 1e-3], [1e-3, 0.85], [25.0, 0.5], [12.0, 1e-2], [1e-6, 0.95],
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("R0-p(R1,CPE1)-p(R2-Wo2,CPE2)-L0", [10.0, 50.0, 1e-6, 0.9, 80.0, 30.0, 4.0, 1e-4, 0.8, 1e-7]),
        # every element type of impedance.py 1.7.1, impedance.py-style labels with underscores
        (
            "L_0-R_0-p(R_1,C_1)-p(Zarc_1,W_1)-p(Gs_1,K_1)-TLMQ_1-p(T_1,CPE_2)-Ws_1-G_1-La_1",
            [v for group in ALL_TYPES_VALUES for v in group],
        ),
    ],
)
def test_circuit_matches_impedance_py_circuit(text: str, values: list[float]) -> None:
    from impedance.models.circuits import CustomCircuit

    with pytest.warns(UserWarning, match="initial parameters"):
        theirs = CustomCircuit(text, initial_guess=values).predict(FREQ, use_initial=True)
    circuit = Circuit(text)
    ours = circuit.impedance(OMEGA, values)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    # the same values by impedance.py's parameter names
    theirs_names, _ = CustomCircuit(text, initial_guess=values).get_param_names()
    assert circuit.impedance_py_names == theirs_names
    np.testing.assert_allclose(circuit.simulate(FREQ, dict(zip(theirs_names, values, strict=True))), ours)


def test_impedance_py_names_are_aliases() -> None:
    circuit = Circuit("R_0-p(R_1,CPE_1)-Wo2")
    assert circuit.parameter_names == ["R_0", "R_1", "CPE_1_Q", "CPE_1_n", "Wo2_R", "Wo2_tau"]
    assert circuit.canonical_name("CPE_1_1") == "CPE_1_n"
    assert circuit.canonical_name("Wo2_0") == "Wo2_R"
    assert circuit.canonical_name("CPE_1_n") == "CPE_1_n"
    assert circuit.canonical_name("CPE_1_2") is None
    with pytest.raises(UnknownParameterError, match="given twice"):
        circuit.canonical_values({"CPE_1_Q": 1.0, "CPE_1_0": 1.0})
    with pytest.raises(UnknownParameterError, match=r"not a parameter.*did you mean 'Wo2_R'"):
        circuit.canonical_values({"Wo2_r": 1.0})


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("R0-p(R1,CPE1)-p(R2-W2,C2)-G3", [10.0, 50.0, 1e-6, 0.9, 80.0, 30.0, 1e-4, 20.0, 0.01]),
        # parallel branches of every kind: resistors only, a nested parallel, an element other than R
        ("p(R1,R2)-p(R3,p(R4,CPE4),C3)-p(L5,R5)", [5.0, 20.0, 40.0, 60.0, 2e-5, 0.8, 1e-6, 1e-4, 3.0]),
    ],
)
def test_circuit_jacobian_matches_finite_differences(text: str, values: list[float]) -> None:
    circuit = Circuit(text)
    values = np.array(values)
    _, jac = circuit.impedance_and_jacobian(OMEGA, values)
    assert jac.shape == (values.size, OMEGA.size)
    for k in range(values.size):
        h = 1e-6 * values[k]
        up, down = values.copy(), values.copy()
        up[k] += h
        down[k] -= h
        numeric = (circuit.impedance(OMEGA, up) - circuit.impedance(OMEGA, down)) / (2 * h)
        assert np.max(np.abs(jac[k] - numeric)) < 1e-7 * np.abs(numeric).max(), circuit.parameter_names[k]


def test_evaluated_circuit_pickles_and_evaluates_the_same() -> None:
    """A circuit compiles its evaluation on first use (closures, not picklable): circuits and fit results must
    still travel to worker processes."""
    import pickle

    circuit = Circuit("R0-p(R1,CPE1)-p(R2-W2,C2)")
    values = [10.0, 50.0, 1e-6, 0.9, 80.0, 30.0, 1e-4]
    before = circuit.impedance(OMEGA, values)
    copy = pickle.loads(pickle.dumps(circuit))
    assert copy == circuit
    np.testing.assert_array_equal(copy.impedance(OMEGA, values), before)


# ---------------------------------------------------------------------------------------------------
# user-defined elements


def _havriliak_negami(omega: np.ndarray, r: float, tau: float, alpha: float, beta: float) -> np.ndarray:
    return r / (1.0 + (1j * omega * tau) ** alpha) ** beta


HN_PARAMETERS = [
    {"name": "R", "unit": "Ohm", "default": 10.0, "min": 1e-6, "max": 1e9},
    {"name": "tau", "unit": "s", "default": 1e-3, "min": 1e-12, "max": 1e6},
    {"name": "alpha", "unit": "", "default": 0.9, "min": 0.2, "max": 1.0, "log_scale": False},
    {"name": "beta", "unit": "", "default": 0.8, "min": 0.2, "max": 1.0, "log_scale": False},
]


@pytest.fixture
def havriliak_negami():
    from nakinetics import register_element, unregister_element

    spec = register_element("Hn", _havriliak_negami, HN_PARAMETERS, name="Havriliak–Negami")
    yield spec
    unregister_element("Hn")


def test_registered_element_in_circuits(havriliak_negami) -> None:
    circuit = Circuit("R0-Hn1")
    assert circuit.parameter_names == ["R0", "Hn1_R", "Hn1_tau", "Hn1_alpha", "Hn1_beta"]
    assert [p.unit for p in havriliak_negami.parameters] == ["Ohm", "s", "", ""]
    values = [5.0, 100.0, 2e-3, 0.7, 0.6]
    expected = 5.0 + 100.0 / (1.0 + (1j * OMEGA * 2e-3) ** 0.7) ** 0.6
    np.testing.assert_allclose(circuit.impedance(OMEGA, values), expected, rtol=1e-13)
    # no derivative given: central differences, close to the analytic derivative of HN in R (Z/R)
    _, jac = circuit.impedance_and_jacobian(OMEGA, values)
    np.testing.assert_allclose(jac[1], (expected - 5.0) / 100.0, rtol=1e-8)


def test_registered_element_fits_synthetic_data(havriliak_negami) -> None:
    from nakinetics import fit_circuit
    from nakinetics.synthetic import synthetic_spectrum

    truth = {"R0": 5.0, "Hn1_R": 100.0, "Hn1_tau": 2e-3, "Hn1_alpha": 0.7, "Hn1_beta": 0.6}
    spectrum = synthetic_spectrum("R0-Hn1", truth, np.logspace(-2, 6, 60))
    result = fit_circuit(spectrum, "R0-Hn1", initial={"Hn1_R": 80.0, "Hn1_tau": 1e-3})
    for name, value in truth.items():
        assert result.values[name] == pytest.approx(value, rel=1e-5), name


def test_registered_element_with_gradient_uses_it() -> None:
    from nakinetics import register_element, unregister_element

    calls = []

    def gradient(omega: np.ndarray, r: float) -> list[np.ndarray]:
        calls.append(r)
        return [np.full(omega.shape, 2.0 + 0j)]

    register_element("Rtwo", lambda omega, r: 2.0 * r, [{"name": "R", "unit": "Ohm"}], gradient=gradient)
    try:
        _, jac = Circuit("Rtwo1").impedance_and_jacobian(OMEGA, [3.0])
        np.testing.assert_allclose(jac[0], 2.0)
        assert calls[-1] == 3.0
    finally:
        unregister_element("Rtwo")


def test_register_element_refuses_duplicates_and_bad_definitions(havriliak_negami) -> None:
    from nakinetics import ElementDefinitionError, register_element

    with pytest.raises(ElementDefinitionError, match="already registered"):
        register_element("Hn", _havriliak_negami, HN_PARAMETERS)
    with pytest.raises(ElementDefinitionError, match="built-in"):
        register_element("CPE", _havriliak_negami, HN_PARAMETERS)
    with pytest.raises(ElementDefinitionError, match="letters only"):
        register_element("H2", _havriliak_negami, HN_PARAMETERS)
    with pytest.raises(ElementDefinitionError, match="'name' and 'unit'"):
        register_element("Hx", _havriliak_negami, [{"name": "R"}])
    with pytest.raises(ElementDefinitionError, match=r"formula failed.*broadcast"):
        register_element("Hx", lambda omega, r: np.ones(3), [{"name": "R", "unit": "Ohm"}])
    with pytest.raises(ElementDefinitionError, match="finite complex values, one per frequency"):
        register_element("Hx", lambda omega, r: np.full(omega.shape, np.nan), [{"name": "R", "unit": "Ohm"}])
    with pytest.raises(ElementDefinitionError, match="formula failed"):
        register_element("Hx", lambda omega: omega, [{"name": "R", "unit": "Ohm"}])
    assert "Hx" not in ELEMENTS
