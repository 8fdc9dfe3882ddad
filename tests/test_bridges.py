"""Round trips with impedance.py and lmfit (tested against those libraries) and profile intervals."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import nakinetics as nk
from nakinetics.profile import chi2_threshold, profile_interval, profile_intervals
from nakinetics.synthetic import synthetic_spectrum

impedance_circuits = pytest.importorskip("impedance.models.circuits")
lmfit = pytest.importorskip("lmfit")

TWO_ARCS = "R0-p(R1,CPE1)-p(R2,CPE2)"
TRUTH = {"R0": 20.0, "R1": 150.0, "CPE1_Q": 2e-6, "CPE1_n": 0.85, "R2": 400.0, "CPE2_Q": 2e-4, "CPE2_n": 0.8}
FREQ = np.logspace(-2, 6, 60)


@pytest.fixture(scope="module")
def spectrum() -> nk.Spectrum:
    return synthetic_spectrum(TWO_ARCS, TRUTH, FREQ, noise=0.01, rng=np.random.default_rng(2))


@pytest.fixture(scope="module")
def tied(spectrum: nk.Spectrum) -> nk.FitResult:
    return nk.fit_circuit(spectrum, TWO_ARCS, fixed={"R0": 20.0}, ties={"CPE2_n": "CPE1_n"})


# ---------------------------------------------------------------------------------------------------
# impedance.py


ALL_TYPES = "L_0-R_0-p(R_1,C_1)-p(Zarc_1,W_1)-p(Gs_1,K_1)-TLMQ_1-p(T_1,CPE_2)-Ws_1-G_1-(Wo_1-La_1)"
ALL_VALUES = [1e-7, 5.0, 20.0, 1e-6, 30.0, 1e-3, 0.8, 40.0, 8.0, 2e-3, 0.5, 15.0, 1e-2, 60.0, 1e-4, 0.9]
ALL_VALUES += [10.0, 5.0, 0.1, 1e-3, 1e-3, 0.85, 25.0, 0.5, 12.0, 1e-2, 7.0, 0.3, 1e-6, 0.95]


@pytest.mark.parametrize(
    ("circuit", "values"),
    [(TWO_ARCS, list(TRUTH.values())), (ALL_TYPES, ALL_VALUES)],
)
def test_to_impedance_py_predicts_the_same_impedance(circuit: str, values: list[float]) -> None:
    model = nk.Circuit(circuit)
    truth = dict(zip(model.parameter_names, values, strict=True))
    data = synthetic_spectrum(circuit, truth, FREQ, noise=0.005, rng=np.random.default_rng(1))
    first = model.parameter_names[0]
    result = nk.fit_circuit(data, circuit, warm_start=truth, fixed={first: truth[first]})
    fitted = result.to_impedance_py()
    assert isinstance(fitted, impedance_circuits.CustomCircuit)
    f = np.logspace(-4, 8, 150)
    np.testing.assert_allclose(fitted.predict(f), result.impedance(f), rtol=1e-9)
    names, _ = fitted.get_param_names()
    assert names == [
        a for a, n in zip(model.impedance_py_names, model.parameter_names, strict=True) if n != first
    ]
    assert fitted.constants == {model.impedance_py_names[0]: truth[first]}
    np.testing.assert_array_equal(fitted.parameters_, [result.values[n] for n in result.varying])
    assert fitted.conf_ == pytest.approx([result.parameters[n].stderr for n in result.varying])
    assert "Fit: True" in str(fitted)


def test_fitted_custom_circuit_with_ties_and_back(spectrum: nk.Spectrum, tied: nk.FitResult) -> None:
    fitted = tied.to_impedance_py()
    assert fitted.constants == {"R0": 20.0, "CPE2_1": tied.values["CPE2_n"]}  # fixed and tied
    np.testing.assert_allclose(fitted.predict(FREQ), tied.impedance(FREQ), rtol=1e-12)
    # a CustomCircuit goes straight into fit_circuit: its constants are held (impedance.py has no ties,
    # so CPE2_n comes back as a constant) ...
    held = nk.fit_circuit(spectrum, fitted)
    assert held.parameters["CPE2_n"].vary is False and held.parameters["CPE2_n"].expr is None
    assert held.values["R0"] == 20.0 and held.values["CPE2_n"] == tied.values["CPE2_n"]
    # ... and an explicit tie replaces the constant: the tied fit again
    again = nk.fit_circuit(spectrum, fitted, ties={"CPE2_1": "CPE1_n"})
    np.testing.assert_allclose(again.impedance(FREQ), tied.impedance(FREQ), rtol=1e-6)


def test_fit_of_a_custom_circuit_agrees_with_impedance_py_own_fit(spectrum: nk.Spectrum) -> None:
    # same model, constants and objective (impedance.py's weight_by_modulus = our modulus weighting)
    model = impedance_circuits.CustomCircuit(
        TWO_ARCS, initial_guess=[100.0, 1e-6, 0.8, 300.0, 1e-4, 0.8], constants={"R0": 20.0}
    )
    ours = nk.fit_circuit(spectrum, model)
    assert ours.parameters["R0"].vary is False and ours.values["R0"] == 20.0
    assert ours.parameters["R1"].initial == pytest.approx(100.0)  # the CustomCircuit's guess was tried
    model.fit(spectrum.frequency, spectrum.impedance, weight_by_modulus=True)
    free = ours.varying
    # curve_fit stops a little above the minimum our fit reaches (same objective), never below it
    theirs = model.predict(spectrum.frequency)
    their_chisqr = float(np.sum(np.abs(theirs - spectrum.impedance) ** 2 / np.abs(spectrum.impedance) ** 2))
    assert ours.statistics.chisqr <= their_chisqr <= ours.statistics.chisqr * (1 + 1e-4)
    np.testing.assert_allclose([ours.values[n] for n in free], model.parameters_, rtol=1e-3)
    # their errors come from curve_fit's finite-difference Jacobian, ours from the exact one
    np.testing.assert_allclose([ours.parameters[n].stderr for n in free], model.conf_, rtol=0.02)


def test_impedance_py_cannot_take_every_label_or_user_elements(spectrum: nk.Spectrum) -> None:
    result = nk.fit_circuit(spectrum, "R0_el-p(R1,CPE1)-p(R2,CPE2)")
    with pytest.raises(nk.NakineticsError, match=r"label 'R0_el' cannot be written for impedance\.py"):
        result.to_impedance_py()
    nk.register_element("Rx", lambda omega, r: r + 0 * omega, [{"name": "R", "unit": "Ohm"}])
    try:
        result = nk.fit_circuit(spectrum, "Rx0-p(R1,CPE1)-p(R2,CPE2)")
        with pytest.raises(nk.NakineticsError, match=r"'Rx' is not defined in impedance\.py"):
            result.to_impedance_py()
    finally:
        nk.unregister_element("Rx")


# ---------------------------------------------------------------------------------------------------
# lmfit


def test_to_lmfit_carries_values_errors_bounds_ties_and_correlations(tied: nk.FitResult) -> None:
    params = tied.to_lmfit()
    assert isinstance(params, lmfit.Parameters) and list(params) == list(tied.parameters)
    for name, p in tied.parameters.items():
        assert params[name].value == pytest.approx(p.value, rel=1e-12)
        assert params[name].stderr == p.stderr
        assert params[name].vary is (p.vary and not p.expr)
    assert params["R1"].min == tied.parameters["R1"].min and params["CPE1_n"].max == 1.0
    assert params["CPE2_n"].expr == "CPE1_n" and params["R0"].vary is False
    i, j = tied.varying.index("R1"), tied.varying.index("CPE1_Q")
    assert params["R1"].correl["CPE1_Q"] == pytest.approx(tied.correlation[i, j])


def test_lmfit_parameters_drive_a_fit(spectrum: nk.Spectrum, tied: nk.FitResult) -> None:
    params = lmfit.Parameters()
    params.add("R0", value=20.0, vary=False)
    params.add("R1", value=100.0, min=0, max=1e3)  # min=0 means "positive" for a resistance
    params.add("CPE1_0", value=1e-6)  # impedance.py's name is accepted too
    params.add("CPE1_n", value=0.8, min=0.5, max=0.95)
    params.add("CPE2_1", expr="CPE1_n")
    result = nk.fit_circuit(spectrum, TWO_ARCS, params=params)
    assert result.values["R0"] == 20.0 and not result.parameters["R0"].vary
    assert (
        result.parameters["R1"].max == 1e3
        and result.parameters["R1"].min == nk.ELEMENTS["R"].parameters[0].min
    )
    assert result.parameters["CPE1_n"].min == 0.5 and result.parameters["CPE2_n"].expr == "CPE1_n"
    np.testing.assert_allclose(result.impedance(), tied.impedance(), rtol=1e-7)
    # the round trip: a result's own Parameters give the same fit back
    again = nk.fit_circuit(spectrum, TWO_ARCS, params=tied.to_lmfit())
    np.testing.assert_allclose(list(again.values.values()), list(tied.values.values()), rtol=1e-6)


def test_lmfit_minimize_on_the_same_model_agrees_with_the_fit(tied: nk.FitResult) -> None:
    from nakinetics.bridges import lmfit_objective

    start = tied.to_lmfit()
    for name in tied.varying:  # start lmfit away from the solution
        start[name].value *= 1.05
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = lmfit.minimize(lmfit_objective(tied), start, method="least_squares", xtol=1e-12, ftol=1e-12)
    # lmfit (finite-difference Jacobian in natural units) stops a little above our minimum, never below
    assert out.nvarys == tied.statistics.n_varying
    assert tied.statistics.chisqr <= out.chisqr <= tied.statistics.chisqr * (1 + 1e-4)
    for name, p in tied.parameters.items():
        assert out.params[name].value == pytest.approx(p.value, rel=2e-3), name
        if p.stderr is not None:  # lmfit propagates the tie's error itself (uncertainties package)
            assert out.params[name].stderr == pytest.approx(p.stderr, rel=0.02), name


# ---------------------------------------------------------------------------------------------------
# profile-likelihood intervals


def test_profile_equals_the_covariance_interval_where_the_fit_is_linear(tied: nk.FitResult) -> None:
    intervals = profile_intervals(tied, level=0.95)
    assert list(intervals) == tied.varying
    threshold = chi2_threshold(tied, 0.95)
    for name, interval in intervals.items():
        lo, hi = interval.covariance_interval
        half = (hi - lo) / 2
        assert interval.lower == pytest.approx(lo, abs=0.05 * half), name
        assert interval.upper == pytest.approx(hi, abs=0.05 * half), name
        assert not (interval.lower_open or interval.upper_open or interval.better_minimum)
    # the ends lie on the χ² threshold (refitting there independently)
    p = intervals["R1"]
    for end in (p.lower, p.upper):
        refit = nk.fit_circuit(
            tied.spectrum, TWO_ARCS, fixed={"R0": 20.0, "R1": end}, ties={"CPE2_n": "CPE1_n"}
        )
        assert refit.statistics.chisqr == pytest.approx(threshold, rel=1e-3)


def test_profile_is_asymmetric_or_open_where_the_covariance_fails() -> None:
    # the arc relaxes far below the window: only a capacitor is seen, R1 has a lower limit only
    truth = {"R0": 10.0, "R1": 1e4, "C1": 1e-3}
    data = synthetic_spectrum(
        "R0-p(R1,C1)", truth, np.logspace(1, 5, 30), noise=0.01, rng=np.random.default_rng(5)
    )
    result = nk.fit_circuit(data, "R0-p(R1,C1)")
    interval = profile_interval(result, "R1")
    assert interval.upper_open and not interval.lower_open
    assert 300.0 < interval.lower < 1e4  # a real lower limit, where the covariance gives ±1e21
    assert interval.covariance_interval is None or interval.covariance_interval[0] < 0
    c1 = profile_interval(result, "C1")
    assert not (c1.lower_open or c1.upper_open) and c1.lower < 1e-3 < c1.upper


def test_profile_against_lmfit_conf_interval() -> None:
    from nakinetics.bridges import lmfit_minimizer

    truth = {"R0": 10.0, "R1": 100.0, "C1": 1e-5}
    data = synthetic_spectrum(
        "R0-p(R1,C1)", truth, np.logspace(1, 5, 25), noise=0.02, rng=np.random.default_rng(9)
    )
    result = nk.fit_circuit(data, "R0-p(R1,C1)")
    ours = profile_intervals(result, level=0.95)
    minimizer = lmfit_minimizer(result, xtol=1e-12, ftol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lmfit.conf_interval(minimizer, minimizer.minimize(method="least_squares"), sigmas=[0.95])
    for name, interval in ours.items():
        (_, lo), (_, value), (_, hi) = theirs[name]
        assert value == pytest.approx(interval.value, rel=1e-6)
        assert lo == pytest.approx(interval.lower, abs=0.1 * (interval.value - interval.lower)), name
        assert hi == pytest.approx(interval.upper, abs=0.1 * (interval.upper - interval.value)), name


def test_profile_refuses_fixed_and_tied_parameters(tied: nk.FitResult) -> None:
    with pytest.raises(nk.FitError, match="R0 is fixed"):
        profile_interval(tied, "R0")
    with pytest.raises(nk.FitError, match="CPE2_n is tied"):
        profile_interval(tied, "CPE2_1")
    assert math.isfinite(profile_interval(tied, "CPE1_0", level=0.683).upper)


def test_missing_optional_libraries_give_a_one_line_install_hint(
    tied: nk.FitResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from nakinetics.exceptions import MissingDependencyError

    for module, call, extra in [
        ("lmfit", tied.to_lmfit, "lmfit"),
        ("impedance.models.circuits", tied.to_impedance_py, "impedance"),
        ("pandas", tied.to_dataframe, "pandas"),
    ]:
        monkeypatch.setitem(sys.modules, module, None)
        with pytest.raises(MissingDependencyError, match=rf"pip install 'nakinetics\[{extra}\]'"):
            call()
