"""Fits without initial guesses recover the truth of simulated spectra (seeded, 1 % noise)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nakinetics import CellGeometry, FitError, Spectrum, fit_circuit, get_preset, list_presets, with_derived
from nakinetics.fitting import Weighting, canonical_arc_order, residual_weights, weighted_residual
from nakinetics.synthetic import synthetic_spectrum
from nakinetics.ties import TieError

WINDOW = np.logspace(6, -1, 60)  # 1 MHz → 0.1 Hz, 60 points

# Realistic truths with every arc inside the measured window.
TRUTHS: dict[str, tuple[dict[str, float], np.ndarray]] = {
    "na_se_na_1arc": ({"R0": 45.0, "R1": 310.0, "CPE1_Q": 2e-6, "CPE1_n": 0.86}, WINDOW),
    "na_se_na_2arc": (
        {"R0": 40.0, "R1": 120.0, "CPE1_Q": 1e-7, "CPE1_n": 0.9, "R2": 400.0, "CPE2_Q": 5e-5, "CPE2_n": 0.8},
        WINDOW,
    ),
    "na_liquid_na": (
        {"R0": 8.0, "R1": 30.0, "CPE1_Q": 2e-6, "CPE1_n": 0.9, "R2": 126.0, "CPE2_Q": 1e-4, "CPE2_n": 0.85},
        np.logspace(6, -2, 60),
    ),
    "randles_w": ({"R0": 10.0, "R1": 80.0, "W1": 30.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9}, WINDOW),
    "randles_wo": (
        {"R0": 10.0, "R1": 80.0, "Wo1_R": 200.0, "Wo1_tau": 5.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9},
        WINDOW,
    ),
    "randles_ws": (
        {"R0": 10.0, "R1": 80.0, "Ws1_R": 200.0, "Ws1_tau": 5.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9},
        WINDOW,
    ),
    "na_se_na_3arc": (
        {
            "R0": 20.0,
            "R1": 300.0,
            "CPE1_Q": 8e-8,
            "CPE1_n": 0.9,
            "R2": 150.0,
            "CPE2_Q": 4e-6,
            "CPE2_n": 0.85,
            "R3": 500.0,
            "CPE3_Q": 1.6e-4,
            "CPE3_n": 0.85,
        },
        WINDOW,
    ),
    "na_liquid_na_diffusion": (
        {
            "R0": 8.0,
            "R1": 30.0,
            "CPE1_Q": 1.6e-6,
            "CPE1_n": 0.9,
            "R2": 126.0,
            "CPE2_Q": 9e-5,
            "CPE2_n": 0.85,
            "Ws3_R": 100.0,
            "Ws3_tau": 20.0,
        },
        np.logspace(5, -2.3, 60),
    ),
    "pellet_blocking": (
        {
            "R1": 1e4,
            "CPE1_Q": 1e-11,
            "CPE1_n": 0.95,
            "R2": 2e4,
            "CPE2_Q": 1e-9,
            "CPE2_n": 0.85,
            "CPE3_Q": 1e-6,
            "CPE3_n": 0.85,
        },
        np.logspace(7, 0, 60),
    ),
    "pellet_1arc": (
        {"R1": 15.0, "R2": 25.5, "CPE2_Q": 3e-8, "CPE2_n": 0.85, "CPE3_Q": 2e-6, "CPE3_n": 0.8},
        np.logspace(7, 1, 60),
    ),
    "pellet_intercept": ({"R1": 40.5, "CPE3_Q": 2e-6, "CPE3_n": 0.8}, np.logspace(6, 1, 60)),
}

TRUTHS["na_se_na_2arc_leads"] = (
    {"L0": 1e-6, **TRUTHS["na_se_na_2arc"][0]},
    WINDOW,
)  # coin cell on 1 µH leads


def _resistances(values: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in values.items() if re.fullmatch(r"R\d+", k) or k.endswith("_R")}


def test_every_preset_has_a_recovery_case() -> None:
    """Every preset file, and one lead-inductance twin (the twins only add L0 in series)."""
    files = {p.name for p in list_presets() if "leads" not in p.tags}
    assert files | {"na_se_na_2arc_leads"} == set(TRUTHS)


@pytest.mark.parametrize("name", sorted(TRUTHS))
@pytest.mark.parametrize("seed", [1, 2])
def test_recovers_every_resistance_within_two_percent(name: str, seed: int) -> None:
    truth, freq = TRUTHS[name]
    spectrum = synthetic_spectrum(name, truth, freq, noise=0.01, rng=np.random.default_rng(seed))
    result = fit_circuit(spectrum, name)
    assert result.statistics.success
    for key, true_value in _resistances(truth).items():
        assert result.values[key] == pytest.approx(true_value, rel=0.02), key
        # the reported 1σ error is consistent with the actual error (within 4σ)
        assert abs(result.values[key] - true_value) < 4 * result.parameters[key].stderr + 1e-12
    # noise of 1 % per component with modulus weighting gives reduced χ² ≈ 1e-4
    assert 0.5e-4 < result.statistics.redchi < 2e-4


def test_noise_free_fit_is_exact() -> None:
    truth, freq = TRUTHS["na_se_na_2arc"]
    result = fit_circuit(synthetic_spectrum("na_se_na_2arc", truth, freq), "na_se_na_2arc")
    for key, value in truth.items():
        assert result.values[key] == pytest.approx(value, rel=1e-5), key


def test_arcs_come_out_fastest_first_whatever_the_labels() -> None:
    # the truth written with the slow arc first must come back with the fast arc as R1
    slow_first = {
        "R0": 40.0,
        "R1": 400.0,
        "CPE1_Q": 5e-5,
        "CPE1_n": 0.8,
        "R2": 120.0,
        "CPE2_Q": 1e-8,
        "CPE2_n": 0.9,
    }
    spectrum = synthetic_spectrum(
        "na_se_na_2arc", slow_first, WINDOW, noise=0.005, rng=np.random.default_rng(3)
    )
    result = fit_circuit(spectrum, "na_se_na_2arc")
    assert result.values["R1"] == pytest.approx(120.0, rel=0.02)
    assert result.values["R2"] == pytest.approx(400.0, rel=0.02)
    canon = canonical_arc_order(get_preset("na_se_na_2arc").circuit, slow_first)
    assert canon["R1"] == 120.0 and canon["CPE1_Q"] == 1e-8 and canon["R2"] == 400.0


def test_fixed_parameter_and_frequency_range() -> None:
    truth, freq = TRUTHS["na_se_na_1arc"]
    spectrum = synthetic_spectrum("na_se_na_1arc", truth, freq, noise=0.01, rng=np.random.default_rng(5))
    result = fit_circuit(spectrum, "R0-p(R1,CPE1)", fixed={"CPE1_n": 0.86}, fmin=1.0, fmax=1e5)
    assert result.parameters["CPE1_n"].vary is False
    assert result.parameters["CPE1_n"].value == 0.86
    assert result.parameters["CPE1_n"].stderr is None
    assert result.spectrum.frequency.min() >= 1.0 and result.spectrum.frequency.max() <= 1e5
    assert result.statistics.n_varying == 3
    assert result.values["R1"] == pytest.approx(310.0, rel=0.02)


def test_weightings_differ_as_documented() -> None:
    z = np.array([3 + 4j, 10 - 0.01j])
    w_re, w_im = residual_weights(z, "modulus")
    np.testing.assert_allclose(w_re, [0.2, 0.1], rtol=1e-6)
    w_re, w_im = residual_weights(z, Weighting.PROPORTIONAL)
    np.testing.assert_allclose(w_re, [1 / 3, 1 / 10])
    np.testing.assert_allclose(w_im, [1 / 4, 1 / (0.01 * abs(z[1]))])  # floored at 1 % of |Z|
    w_re, w_im = residual_weights(z, "unit")
    assert np.all(w_re == 1) and np.all(w_im == 1)
    r = weighted_residual(np.array([4 + 4j, 10 + 0j]), z, np.ones(2), np.ones(2) * 2)
    np.testing.assert_allclose(r, [1, 0, 0, 0.02])


@pytest.mark.parametrize("weighting", ["proportional", "unit"])
def test_other_weightings_also_recover(weighting: str) -> None:
    truth, freq = TRUTHS["na_se_na_1arc"]
    spectrum = synthetic_spectrum("na_se_na_1arc", truth, freq, noise=0.005, rng=np.random.default_rng(9))
    result = fit_circuit(spectrum, "na_se_na_1arc", weighting=weighting)
    assert result.values["R1"] == pytest.approx(310.0, rel=0.02)


def test_fewer_points_than_parameters_is_a_fit_error() -> None:
    spectrum = Spectrum(np.logspace(4, 0, 5), np.array([10 - 1j, 12 - 3j, 15 - 2j, 17 - 2j, 18 - 1j]))
    with pytest.raises(FitError, match="5 distinct frequencies cannot determine 7 free parameters"):
        fit_circuit(spectrum, "na_se_na_2arc")


def test_unknown_fixed_parameter_is_named() -> None:
    truth, freq = TRUTHS["na_se_na_1arc"]
    with pytest.raises(FitError, match="'R9' is not a parameter"):
        fit_circuit(synthetic_spectrum("na_se_na_1arc", truth, freq), "na_se_na_1arc", fixed={"R9": 1.0})


def test_out_of_window_arc_is_flagged_not_identifiable() -> None:
    # bulk arc of a NASICON cell far above 1 MHz: only the intercept is visible
    truth = {
        "R0": 5.0,
        "R1": 30.0,
        "CPE1_Q": 1e-11,
        "CPE1_n": 0.95,
        "R2": 300.0,
        "CPE2_Q": 2e-6,
        "CPE2_n": 0.85,
    }
    spectrum = synthetic_spectrum("na_se_na_2arc", truth, WINDOW, noise=0.005, rng=np.random.default_rng(4))
    result = fit_circuit(spectrum, "na_se_na_2arc")
    assert any("above the highest measured frequency" in w or "not determined" in w for w in result.warnings)
    # what the window does contain is still right: the intercept R_SE and the visible arc
    r_arcs = result.values["R1"] + result.values["R2"]
    if result.values["R0"] < 20:  # the fit put an arc above the window: intercept = R0 + R1
        assert result.values["R0"] + result.values["R1"] == pytest.approx(35.0, rel=0.03)
    else:  # the fit split the visible arc: intercept = R0
        assert result.values["R0"] == pytest.approx(35.0, rel=0.03)
        assert r_arcs == pytest.approx(300.0, rel=0.03)


def test_standard_errors_match_curve_fit_through_impedance_py() -> None:
    # impedance.py's fit is scipy curve_fit with sigma = |Z| (the modulus weighting) and the covariance
    # scaled by χ²/(2n − k): started at our minimum it must report the same parameters and errors
    from impedance.models.circuits import CustomCircuit

    truth, freq = TRUTHS["randles_w"]
    spectrum = synthetic_spectrum("randles_w", truth, freq, noise=0.01, rng=np.random.default_rng(8))
    ours = fit_circuit(spectrum, "randles_w")
    names = ours.circuit.parameter_names
    theirs = CustomCircuit(ours.circuit.text, initial_guess=[ours.values[n] for n in names])
    theirs.fit(spectrum.frequency, spectrum.impedance, weight_by_modulus=True)
    for name, value, error in zip(names, theirs.parameters_, theirs.conf_, strict=True):
        assert ours.values[name] == pytest.approx(value, rel=1e-4), name
        assert ours.parameters[name].stderr == pytest.approx(error, rel=0.01), name


def test_statistics_follow_the_documented_formulas() -> None:
    truth, freq = TRUTHS["na_se_na_2arc"]
    spectrum = synthetic_spectrum("na_se_na_2arc", truth, freq, noise=0.01, rng=np.random.default_rng(9))
    result = fit_circuit(spectrum, "na_se_na_2arc")
    w_re, w_im = residual_weights(spectrum.impedance, "modulus")
    r = weighted_residual(result.impedance(), spectrum.impedance, w_re, w_im)
    n, k = r.size, 7
    stats = result.statistics
    assert stats.chisqr == pytest.approx(float(r @ r), rel=1e-10)
    assert stats.redchi == pytest.approx(stats.chisqr / (n - k), rel=1e-10)
    assert stats.aic == pytest.approx(n * np.log(stats.chisqr / n) + 2 * k, rel=1e-10)
    assert stats.bic == pytest.approx(n * np.log(stats.chisqr / n) + np.log(n) * k, rel=1e-10)


def test_iteration_cap_reports_failure_instead_of_running_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from nakinetics import _search

    # no converging iterations at all: the fit cannot have converged and must say so
    monkeypatch.setattr(_search, "MAX_ITERATIONS", 0)
    truth, freq = TRUTHS["na_se_na_2arc"]
    spectrum = synthetic_spectrum("na_se_na_2arc", truth, freq, noise=0.01, rng=np.random.default_rng(3))
    result = fit_circuit(spectrum, "na_se_na_2arc", max_starts=1)
    assert not result.statistics.success
    assert any(w.startswith("fit did not converge: stopped after") for w in result.warnings)


def test_global_fallback_rescues_a_search_whose_starts_all_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    from nakinetics import _search, fitting
    from nakinetics.guesses import StartPlan, starting_points

    truth, freq = TRUTHS["na_se_na_2arc"]
    spectrum = synthetic_spectrum("na_se_na_2arc", truth, freq, noise=0.01, rng=np.random.default_rng(5))
    real_plan = starting_points(spectrum, get_preset("na_se_na_2arc").circuit)
    # a single start with the intercept 12× too high, the fast arc's resistance 1e5 Ω with a huge Q and the
    # slow arc collapsed: Levenberg–Marquardt alone stays in that basin (χ² ≈ 5 against ≈ 0.01 at the truth)
    bad = {"R0": 500, "R1": 1e5, "CPE1_Q": 1e-1, "CPE1_n": 0.99, "R2": 1e-2, "CPE2_Q": 1e-12, "CPE2_n": 0.99}
    monkeypatch.setattr(
        fitting, "starting_points", lambda *a, **k: StartPlan([bad], real_plan.drt_relative_rms)
    )
    # the regrouping moves around the best fit already find the way out of that basin ...
    regrouped = fit_circuit(spectrum, "na_se_na_2arc", global_fallback=False)
    # ... so switch them off to see the global search rescue the fit on its own
    monkeypatch.setattr(_search, "REGROUP_ROUNDS", 0)
    without = fit_circuit(spectrum, "na_se_na_2arc", global_fallback=False)
    rescued = fit_circuit(spectrum, "na_se_na_2arc")
    assert without.statistics.chisqr > 100 * rescued.statistics.chisqr  # the start alone does not get there
    for result in (rescued, regrouped):
        for key in ("R0", "R1", "R2"):
            assert result.values[key] == pytest.approx(truth[key], rel=0.03), key


def test_two_arcs_with_the_same_time_constant_are_reported_as_inseparable() -> None:
    # both arcs relax at τ = (R Q)^(1/n) = 4.45e-5 s: only R1 + R2 = 500 Ω is in the data
    truth = {
        "R0": 40.0,
        "R1": 200.0,
        "CPE1_Q": 1e-6,
        "CPE1_n": 0.85,
        "R2": 300.0,
        "CPE2_Q": 2e-6 / 3,
        "CPE2_n": 0.85,
    }
    spectrum = synthetic_spectrum("na_se_na_2arc", truth, WINDOW, noise=0.01, rng=np.random.default_rng(2))
    # a local fit from the truth keeps both arcs at one frequency and says only the sum is determined
    local = fit_circuit(spectrum, "na_se_na_2arc", warm_start=truth)
    notes = [w for w in local.warnings if "cannot separate them" in w]
    assert len(notes) == 1
    total = float(re.search(r"R1 \+ R2 = ([\d.]+)", notes[0]).group(1))
    assert total == pytest.approx(500.0, rel=0.02)
    # the search finds a minimum as good (Δχ² below one noise variance) with one arc shrunk to nothing:
    # the sum is the same and the vanishing arc is reported as not determined
    searched = fit_circuit(spectrum, "na_se_na_2arc")
    s2 = local.statistics.redchi
    assert searched.statistics.chisqr <= local.statistics.chisqr + s2
    assert searched.values["R1"] + searched.values["R2"] == pytest.approx(500.0, rel=0.02)
    assert any("not determined" in w or "cannot separate them" in w for w in searched.warnings)


def test_well_separated_arcs_get_no_overlap_warning() -> None:
    truth, freq = TRUTHS["na_se_na_2arc"]
    spectrum = synthetic_spectrum("na_se_na_2arc", truth, freq, noise=0.01, rng=np.random.default_rng(2))
    assert not [w for w in fit_circuit(spectrum, "na_se_na_2arc").warnings if "cannot separate" in w]


def test_identical_relaxation_elements_in_canonical_order_and_fixed_values_stay_put() -> None:
    truth = {"R0": 10.0, "Zarc1_R": 300.0, "Zarc1_tau": 0.1, "Zarc1_n": 0.8}
    truth |= {"Zarc2_R": 100.0, "Zarc2_tau": 1e-4, "Zarc2_n": 0.85}
    spectrum = synthetic_spectrum("R0-Zarc1-Zarc2", truth, np.logspace(-2, 6, 60))
    result = fit_circuit(spectrum, "R0-Zarc1-Zarc2")
    # the fast relaxation is reported first, whatever order the truth used
    assert result.values["Zarc1_tau"] == pytest.approx(1e-4, rel=1e-6)
    assert result.values["Zarc2_R"] == pytest.approx(300.0, rel=1e-6)
    # a fixed value must not be moved to the other element by the reordering
    held = fit_circuit(spectrum, "R0-Zarc1-Zarc2", fixed={"Zarc1_n": 0.8})
    assert held.values["Zarc1_n"] == 0.8
    assert held.values["Zarc1_tau"] == pytest.approx(0.1, rel=1e-6)


def test_impedance_py_parameter_names_are_accepted_as_aliases() -> None:
    truth, freq = TRUTHS["na_se_na_1arc"]
    spectrum = synthetic_spectrum("na_se_na_1arc", truth, freq, noise=0.01, rng=np.random.default_rng(5))
    canonical = fit_circuit(spectrum, "R0-p(R1,CPE1)", fixed={"CPE1_n": 0.86}, bounds={"R1": (1.0, 1e4)})
    aliased = fit_circuit(spectrum, "R0-p(R1,CPE1)", fixed={"CPE1_1": 0.86}, bounds={"R1": (1.0, 1e4)})
    assert aliased.values == canonical.values
    assert aliased.parameters["CPE1_n"].vary is False
    bounded = fit_circuit(spectrum, "R_0-p(R_1,CPE_1)", bounds={"CPE_1_1": (0.5, 0.8)})
    assert bounded.parameters["CPE_1_n"].max == 0.8 and bounded.values["CPE_1_n"] <= 0.8
    with pytest.raises(FitError, match="given twice"):
        fit_circuit(spectrum, "R0-p(R1,CPE1)", fixed={"CPE1_n": 0.86, "CPE1_1": 0.9})


# ---------------------------------------------------------------------------------------------------
# ties


TWO_ARCS = "R0-p(R1,CPE1)-p(R2,CPE2)"
IDENTICAL = {
    "R0": 20.0,
    "R1": 150.0,
    "CPE1_Q": 2e-6,
    "CPE1_n": 0.85,
    "R2": 150.0,
    "CPE2_Q": 2e-6,
    "CPE2_n": 0.85,
}


def test_tied_identical_interfaces_match_the_reparametrised_one_arc_fit() -> None:
    # two identical R‖CPE arcs in series are one arc with R' = 2R and Q' = Q/2 (same n): fitting the
    # one-arc circuit is an independent calculation of the tied fit's values, errors and dof
    spectrum = synthetic_spectrum(
        TWO_ARCS, IDENTICAL, np.logspace(-1, 6, 50), noise=0.01, rng=np.random.default_rng(7)
    )
    tied = fit_circuit(spectrum, TWO_ARCS, ties={"R2": "R1", "CPE2_Q": "CPE1_Q", "CPE2_n": "CPE1_1"})
    one = fit_circuit(spectrum, "R0-p(R1,CPE1)")
    assert tied.statistics.n_varying == 4 == one.statistics.n_varying
    assert tied.statistics.redchi == pytest.approx(one.statistics.redchi, rel=1e-8)
    p, q = tied.parameters, one.parameters
    assert p["R1"].value == pytest.approx(q["R1"].value / 2, rel=1e-7)
    assert p["R1"].stderr == pytest.approx(q["R1"].stderr / 2, rel=1e-5)
    assert p["CPE1_Q"].stderr == pytest.approx(2 * q["CPE1_Q"].stderr, rel=1e-5)
    assert p["CPE1_n"].stderr == pytest.approx(q["CPE1_n"].stderr, rel=1e-5)
    assert p["R0"].stderr == pytest.approx(q["R0"].stderr, rel=1e-5)
    # tied parameters: not varied, the tie recorded in canonical names, error propagated (= R1's)
    assert p["R2"].vary is False and p["R2"].expr == "R1" and p["CPE2_n"].expr == "CPE1_n"
    assert p["R2"].value == p["R1"].value and p["R2"].stderr == pytest.approx(p["R1"].stderr)
    assert tied.varying == ["R0", "R1", "CPE1_Q", "CPE1_n"] and tied.covariance.shape == (4, 4)
    assert not any("cannot separate" in w for w in tied.warnings)
    # derived quantities of the tied arc carry the errors of the parameters it is tied to
    derived = with_derived(tied, CellGeometry(area_cm2=1.0)).derived
    assert derived["C_eff_CPE2"].stderr == pytest.approx(derived["C_eff_CPE1"].stderr, rel=1e-4)
    assert derived["C_eff_CPE2"].stderr > 0


def test_tie_expression_with_a_factor_propagates_its_error() -> None:
    truth = IDENTICAL | {"R2": 450.0, "CPE2_Q": 2e-4}
    spectrum = synthetic_spectrum(
        TWO_ARCS, truth, np.logspace(-2, 6, 60), noise=0.01, rng=np.random.default_rng(8)
    )
    tied = fit_circuit(spectrum, TWO_ARCS, ties={"R2": "3 * R1"})
    free = fit_circuit(spectrum, TWO_ARCS)
    assert tied.statistics.n_varying == free.statistics.n_varying - 1
    assert tied.values["R2"] == pytest.approx(3 * tied.values["R1"], rel=1e-12)
    assert tied.parameters["R2"].stderr == pytest.approx(3 * tied.parameters["R1"].stderr, rel=1e-9)
    assert tied.values["R1"] == pytest.approx(150.0, rel=0.02)


def test_tie_errors() -> None:
    spectrum = synthetic_spectrum(TWO_ARCS, IDENTICAL, np.logspace(-1, 6, 30))
    with pytest.raises(FitError, match="'R9' is not a parameter"):
        fit_circuit(spectrum, TWO_ARCS, ties={"R2": "R9"})
    with pytest.raises(FitError, match="cycle"):
        fit_circuit(spectrum, TWO_ARCS, ties={"R2": "R1", "R1": "R2"})
    with pytest.raises(FitError, match="both fixed and tied"):
        fit_circuit(spectrum, TWO_ARCS, ties={"R2": "R1"}, fixed={"R2": 3.0})
    with pytest.raises(FitError, match="only the functions"):
        fit_circuit(spectrum, TWO_ARCS, ties={"R2": "__import__('os')"})
    with pytest.raises(FitError, match="not allowed"):
        fit_circuit(spectrum, TWO_ARCS, ties={"R2": "R1 if R0 else R0"})


def test_tie_that_leaves_the_bounds_is_refused_not_crashed() -> None:
    # R1 held at 150 Ω: R2 = R1 − 200 is −50 Ω whatever the search does, and no resistance may be negative
    spectrum = synthetic_spectrum(TWO_ARCS, IDENTICAL, np.logspace(-1, 6, 30))
    with pytest.raises(TieError, match=r"R2 = R1 - 200 gives R2 = -50 Ohm, outside its bounds"):
        fit_circuit(spectrum, TWO_ARCS, fixed={"R1": 150.0}, ties={"R2": "R1-200"})
    with pytest.raises(TieError, match=r"-50 \*\* 0.5 is not a real number"):
        fit_circuit(spectrum, TWO_ARCS, fixed={"R1": 150.0}, ties={"R2": "(R1-200)**0.5"})
    # two identical arcs (one time constant) are one arc: R1 = 250, R2 = 50 Ω describes the same data
    # exactly (Q scaled to keep R·Q), so the tie is satisfied inside the bounds, with no error
    tied = fit_circuit(spectrum, TWO_ARCS, ties={"R2": "R1-200"})
    assert tied.values["R1"] == pytest.approx(250.0, rel=1e-6)
    assert tied.values["R2"] == pytest.approx(50.0, rel=1e-5)
