"""Classical estimators and the EIS link: window selection with and without a Tafel region (T10), the
linear estimator, EIS consistency for identical and unequal electrodes (T9), and the diagnostics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nakinetics.constants import thermal_voltage
from nakinetics.data import Spectrum
from nakinetics.exceptions import DataError
from nakinetics.kinetics import (
    KineticsResult,
    analyse_polarization,
    butler_volmer_overpotential,
    eis_resistances,
    exchange_current_from_resistance,
    linear_estimate,
    synthetic_sweep,
    tafel_analysis,
    triangular_sweep,
)
from nakinetics.kinetics.diagnostics import hysteresis
from nakinetics.residuals import runs_test
from nakinetics.synthetic import synthetic_spectrum

NOISE = {"noise_abs": 1e-8, "noise_rel": 0.01}
AREA = 1.131  # 12 mm disc
FREQUENCY = np.geomspace(1e6, 0.1, 71)


# T10 ---------------------------------------------------------------------------------------------------


def test_symmetric_cell_swept_only_to_150_mv_has_no_tafel_region() -> None:
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=5e-4,
        potential_v=triangular_sweep(-0.15, 0.15),
        rng=np.random.default_rng(1),
        **NOISE,
    )
    result = tafel_analysis(record.potential_v, record.current_a, cell="symmetric", temperature_k=298.15)
    assert not result.found
    for branch in result.branches.values():
        assert branch.line is None
        assert "150 mV" in branch.reason and "back-reaction threshold 237 mV" in branch.reason
    record_dict = result.to_dict()
    assert record_dict["found"] is False and "reason" in record_dict["branches"]["anodic"]


def test_curved_marcus_data_has_no_straight_tafel_window() -> None:
    record = synthetic_sweep(
        "mhc",
        "single",
        i0=1e-4,
        lambda_ev=0.8,
        potential_v=triangular_sweep(-0.5, 0.5),
        rng=np.random.default_rng(2),
        **NOISE,
    )
    result = tafel_analysis(record.potential_v, record.current_a, cell="single", temperature_k=298.15)
    for branch in result.branches.values():
        assert branch.line is None
        assert "constant local slope" in branch.reason


def test_windows_beyond_the_threshold_need_a_decade() -> None:
    """A symmetric cell to ±0.4 V spans only 0.7 decades beyond 237 mV: no Tafel region, and it says why."""
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=5e-4,
        potential_v=triangular_sweep(-0.4, 0.4),
        rng=np.random.default_rng(3),
        **NOISE,
    )
    result = tafel_analysis(record.potential_v, record.current_a, cell="symmetric", temperature_k=298.15)
    assert "spans only 0.69 decades" in result.branches["anodic"].reason


def test_user_window_is_fitted_and_its_rule_breaks_are_noted() -> None:
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=5e-4,
        potential_v=triangular_sweep(-0.3, 0.3),
        rng=np.random.default_rng(4),
        **NOISE,
    )
    result = tafel_analysis(
        record.potential_v, record.current_a, cell="symmetric", temperature_k=298.15, window=(0.1, 0.2)
    )
    anodic = result.branches["anodic"]
    assert anodic.user_window and anodic.line is not None
    assert anodic.line.i0 == pytest.approx(0.78 * 5e-4, rel=0.03)  # the −22 % naive bias of notes §1.7
    assert any("below the back-reaction threshold" in n for n in anodic.notes)
    assert any("decades" in n for n in anodic.notes)
    assert result.branches["cathodic"].user_window is False
    with pytest.raises(DataError, match="crosses zero"):
        tafel_analysis(
            record.potential_v, record.current_a, cell="symmetric", temperature_k=298.15, window=(-0.1, 0.2)
        )


def test_tafel_spread_over_acceptable_windows_is_reported() -> None:
    record = synthetic_sweep(
        "bv",
        "single",
        i0=1e-4,
        alpha_a=0.5,
        alpha_c=0.5,
        potential_v=triangular_sweep(-0.4, 0.4),
        rng=np.random.default_rng(5),
        **NOISE,
    )
    result = tafel_analysis(record.potential_v, record.current_a, cell="single", temperature_k=298.15)
    branch = result.to_dict(1e3, "mA cm^-2")["branches"]["anodic"]
    spread = branch["spread"]
    assert spread["n_windows"] > 5
    assert spread["i0"]["min"] <= branch["i0"]["value"] <= spread["i0"]["max"]
    assert spread["i0"]["max"] / spread["i0"]["min"] < 1.1
    assert 112 < spread["tafel_slope"]["min"] <= spread["tafel_slope"]["max"] < 125
    # the straightness test of the chosen window is reported with its precision (both within 10 %)
    change = branch["slope_change_across_window"]
    assert abs(change["value"]) <= 0.10 and 0 < change["stderr"] <= 0.10 and change["unit"] == "1"


# linear estimator --------------------------------------------------------------------------------------


def test_linear_estimator_uses_the_symmetric_factor_two() -> None:
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=5e-4,
        r_ohm=5.0,
        potential_v=triangular_sweep(-0.05, 0.05),
        rng=np.random.default_rng(6),
        **NOISE,
    )
    lin = linear_estimate(
        record.potential_v,
        record.current_a,
        cell="symmetric",
        temperature_k=298.15,
        v0=0.0,
        r_ohm=5.0,
        r_ohm_stderr=0.5,
    )
    assert lin.factor == 2.0
    assert lin.r_p == pytest.approx(5.0 + 2 * thermal_voltage(298.15) / 5e-4, rel=0.01)
    assert lin.i0 == pytest.approx(5e-4, rel=0.02)
    assert lin.i0_stderr == pytest.approx(5e-4 * 0.5 / lin.r_ct, rel=0.05)  # dominated by σ(R_Ω)
    single = linear_estimate(
        record.potential_v, record.current_a, cell="single", temperature_k=298.15, v0=0.0, r_ohm=5.0
    )
    assert single.i0 == pytest.approx(lin.i0 / 2, rel=0.05)  # the textbook formula halves it
    few = linear_estimate(
        record.potential_v[:3], record.current_a[:3], cell="symmetric", temperature_k=298.15, v0=0.0
    )
    assert not few.found and "point" in few.reason


# T9: EIS link ------------------------------------------------------------------------------------------


def _symmetric_spectrum(i0_a: float, i0_b: float, r_ohm_cm2: float, rng: np.random.Generator) -> Spectrum:
    r_a = thermal_voltage(298.15) / (i0_a * AREA)
    r_b = thermal_voltage(298.15) / (i0_b * AREA)
    values = {"R0": r_ohm_cm2 / AREA, "R1": r_a, "C1": 20e-6 * AREA, "R2": r_b, "C2": 20e-6 * AREA}
    return synthetic_spectrum("R0-p(R1,C1)-p(R2,C2)", values, FREQUENCY, noise=0.002, rng=rng)


def _analyse_with_eis(i0: float, spectrum: Spectrum, rng: np.random.Generator) -> KineticsResult:
    """A symmetric sweep with per-electrode ``i0`` (A cm⁻²), R_Ω = 5 Ω cm², analysed with ``spectrum``."""
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=i0,
        r_ohm=5.0,
        area_cm2=AREA,
        potential_v=triangular_sweep(-0.3, 0.3),
        rng=rng,
        **NOISE,
    )
    return analyse_polarization(record, cell="symmetric", alpha="half", eis_spectrum=spectrum)


def test_eis_and_dc_exchange_currents_agree_for_identical_electrodes() -> None:
    rng = np.random.default_rng(7)
    spectrum = _symmetric_spectrum(5e-4, 5e-4, 5.0, rng)
    res = eis_resistances(spectrum, cell="symmetric")
    assert res.r_ohm * AREA == pytest.approx(5.0, rel=0.01)
    i0_eis = exchange_current_from_resistance(res.r_ct, area_cm2=AREA, cell="symmetric", temperature_k=298.15)
    assert i0_eis == pytest.approx(5e-4, rel=0.01)
    result = _analyse_with_eis(5e-4, spectrum, rng)
    link = result.to_dict()["eis_link"]
    assert link["ratio_dc_eis"] == pytest.approx(1.0, abs=0.01)
    assert link["flag"] is False and "likely_causes" not in link
    assert link["i0_eis"]["value"] == pytest.approx(0.5, rel=0.01) and link["i0_eis"]["unit"] == "mA cm^-2"
    assert "2·RT" in link["i0_eis"]["convention"]
    assert result.to_dict()["r_ohm_source"].startswith("EIS")
    assert result.fit.parameters["r_ohm"].prior[0] == pytest.approx(5.0, rel=0.01)
    # DC polarization resistance equals the spectrum's DC limit
    assert link["R_p_dc"]["value"] == pytest.approx(link["R_dc_limit_eis"]["value"], rel=0.02)
    assert link["R_p_ratio_dc_eis"] == pytest.approx(1.0, abs=0.02)
    assert link["R_p_flag"] is False and "R_p_likely_causes" not in link


def test_unequal_electrodes_eis_gives_the_harmonic_and_tafel_the_geometric_mean() -> None:
    """One fresh (1 mA cm⁻²) and one cycled (0.25 mA cm⁻²) electrode: low-voltage quantities (EIS, linear
    slope) see 2/(1/i01 + 1/i02) = 0.4, the high-voltage Tafel intercept √(i01·i02) = 0.5 mA cm⁻²."""
    i01, i02 = 1e-3, 2.5e-4
    harmonic, geometric = 2 / (1 / i01 + 1 / i02), math.sqrt(i01 * i02)
    current = np.linspace(-0.05, 0.05, 4001)
    voltage = butler_volmer_overpotential(current, i01, 0.5, 0.5) - butler_volmer_overpotential(
        -current, i02, 0.5, 0.5
    )
    lin = linear_estimate(voltage, current, cell="symmetric", temperature_k=298.15, v0=0.0)
    assert lin.i0 == pytest.approx(harmonic, rel=0.02)
    tafel = tafel_analysis(voltage, current, cell="symmetric", temperature_k=298.15)
    for branch in tafel.branches.values():
        assert branch.line is not None
        assert branch.line.i0 == pytest.approx(geometric, rel=0.05)
    spectrum = _symmetric_spectrum(i01, i02, 5.0, np.random.default_rng(8))
    res = eis_resistances(spectrum, cell="symmetric")
    # one spectrum cannot tell a second electrode's charge transfer from an interphase: the role decision of
    # `fit` names the slower arc charge transfer (R_ct) and the faster one interfacial; their sum is reported
    # beside R_ct and gives the harmonic mean
    r_slow = thermal_voltage(298.15) / (i02 * AREA)
    assert res.kinetic_labels == ("R2",) and res.r_ct == pytest.approx(r_slow, rel=0.01)
    assert res.interfacial_labels == ("R1", "R2")
    i0_eis = exchange_current_from_resistance(
        res.r_interfacial, area_cm2=AREA, cell="symmetric", temperature_k=298.15
    )
    assert i0_eis == pytest.approx(harmonic, rel=0.01)


def test_solid_electrolyte_ohmic_resistance_includes_the_unresolved_grain_boundary() -> None:
    """NASICON-like: bulk 30 Ω and a grain-boundary arc of 10.5 Ω above 1 MHz; the spectrum to 1 MHz shows
    only their sum as the intercept before the interfacial arc, and that sum is R_Ω."""
    values = {"R0": 30.0, "R1": 10.5, "C1": 1e-10, "R2": 300.0, "C2": 1e-6}
    spectrum = synthetic_spectrum(
        "R0-p(R1,C1)-p(R2,C2)", values, np.geomspace(1e6, 1.0, 61), noise=0.002, rng=np.random.default_rng(9)
    )
    res = eis_resistances(spectrum, cell="symmetric")
    assert res.r_ohm == pytest.approx(40.5, rel=0.02)
    assert res.r_ct == pytest.approx(300.0, rel=0.02)


def test_disagreeing_eis_and_dc_is_flagged_with_causes() -> None:
    rng = np.random.default_rng(10)
    spectrum = _symmetric_spectrum(5e-4, 5e-4, 5.0, rng)  # EIS: 0.5 mA cm⁻²
    result = _analyse_with_eis(1.5e-4, spectrum, rng)
    link = result.to_dict()["eis_link"]
    assert link["ratio_dc_eis"] == pytest.approx(0.3, rel=0.02)
    assert link["flag"] is True
    assert any("harmonic mean" in cause for cause in link["likely_causes"])
    assert any("DC and EIS exchange currents disagree" in w for w in result.warnings)
    # the DC polarization resistance R_Ω + 2RT/(F·i0) against the spectrum's R_Ω + R_ct: flagged as well
    expected = (5.0 + 2 * thermal_voltage(298.15) / 1.5e-4) / (5.0 + 2 * thermal_voltage(298.15) / 5e-4)
    assert link["R_p_ratio_dc_eis"] == pytest.approx(expected, rel=0.03)
    assert link["R_p_flag"] is True
    assert any("low-frequency arc" in cause for cause in link["R_p_likely_causes"])
    assert any(
        "DC polarization resistance and the EIS low-frequency limit disagree" in w for w in result.warnings
    )


def test_parameter_stopped_by_its_search_range_is_named_as_a_bound_problem() -> None:
    """α_c = 2.5 (24 mV/dec, beyond the search range 0.02–2n): the fit stops at 2, and the warning says that
    the bound, not the data, sets the value."""
    record = synthetic_sweep(
        "bv",
        "single",
        i0=1e-4,
        alpha_a=0.5,
        alpha_c=2.5,
        potential_v=triangular_sweep(-0.25, 0.35, 0.001, False),
        rng=np.random.default_rng(12),
        **NOISE,
    )
    result = analyse_polarization(record, cell="single", r_ohm=0.0)
    assert result.fit.parameters["alpha_c"].bound_hit() == "upper"
    notes = [w for w in result.warnings if w.startswith("alpha_c = 2 ")]
    assert len(notes) == 1
    assert "upper end of its search range (2)" in notes[0] and "the range, not the data" in notes[0]
    assert not any("not determined by the data" in w for w in result.warnings)


# diagnostics -------------------------------------------------------------------------------------------


def test_runs_test_detects_structure_and_passes_noise() -> None:
    rng = np.random.default_rng(11)
    assert runs_test(rng.standard_normal(2000)).p_value > 0.01
    structured = np.sin(np.linspace(0, 6 * np.pi, 2000)) + 0.1 * rng.standard_normal(2000)
    assert runs_test(structured).p_value < 1e-10


def test_hysteresis_function_on_shifted_branches() -> None:
    v = np.linspace(-0.3, 0.3, 301)
    up = 2e-3 * np.sinh(v / 0.1)
    potential = np.concatenate([v, v[::-1]])
    current = np.concatenate([up * 1.1, up[::-1]])
    dvdt = np.concatenate([np.ones(301), -np.ones(301)])
    h = hysteresis(potential, current, dvdt, floor=1e-6)
    assert h is not None and h.delta_ln_current == pytest.approx(math.log(1.1), abs=1e-6)
    assert hysteresis(v, up, np.ones(301), floor=1e-6) is None


def test_eis_link_without_area_states_absolute_conventions() -> None:
    """No electrode area: i0 is an absolute current I0 = g·RT/(nF·R_ct) and the resistances are not × A, and the
    conventions must say so (they used to print the per-area formulas beside absolute values)."""
    from nakinetics.kinetics.eis_link import eis_link

    spectrum = _symmetric_spectrum(5e-4, 5e-4, 5.0, np.random.default_rng(7))
    res = eis_resistances(spectrum, cell="symmetric")
    link = eis_link(
        res, cell="symmetric", area_cm2=None, temperature_k=298.15, n_electrons=1, i0_dc=None, i0_dc_stderr=None,
        r_p_dc=None,
    ).to_dict(1e3, "mA")  # fmt: skip
    expected_ma = 2 * thermal_voltage(298.15) / res.r_ct * 1e3  # 2RT/(F R_ct), symmetric cell, absolute
    assert link["i0_eis"]["value"] == pytest.approx(expected_ma, rel=1e-12)
    assert link["i0_eis"]["unit"] == "mA"
    assert "R_ct·A" not in link["i0_eis"]["convention"] and "2·RT/(nF·R_ct)" in link["i0_eis"]["convention"]
    assert link["R_ct"]["unit"] == "Ohm" and "× A" not in link["R_ct"]["convention"]
    assert "× A" not in link["R_ohm"]["convention"]
