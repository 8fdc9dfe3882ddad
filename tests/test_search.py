"""The search stage: smooth DRT peaks, groupings into starts, time-constant coordinates, the multistart
and its regrouping moves, the Levenberg–Marquardt solver, large spectra (seeded synthetic spectra)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nakinetics import _lm, fit_circuit
from nakinetics.circuit import Circuit
from nakinetics.fitting import Weighting, _Problem, canonical_arc_order
from nakinetics.guesses import (
    circuit_processes,
    decimated,
    fitted_relaxation,
    regrouped_starts,
    relaxation_peaks,
    starting_points,
)
from nakinetics.parameters import parameter_setup, specify
from nakinetics.synthetic import synthetic_spectrum

THREE_ARCS = "R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,CPE3)"


def _arc(k: int, r: float, tau: float, n: float) -> dict[str, float]:
    return {f"R{k}": r, f"CPE{k}_Q": tau**n / r, f"CPE{k}_n": n}


def _chisqr_truth_started(spectrum, circuit: str, truth: dict[str, float]) -> float:
    return fit_circuit(spectrum, circuit, warm_start=truth).statistics.chisqr


def test_one_dispersed_arc_gives_one_drt_peak_and_the_noise_level() -> None:
    # a ZARC with n = 0.75 spreads over decades; the smooth DRT keeps it in one peak at its τ and R
    truth = {"R0": 10.0, **_arc(1, 100.0, 1e-3, 0.75)}
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)", truth, np.logspace(6, -2, 60), noise=0.01, rng=np.random.default_rng(1)
    )
    analysis = relaxation_peaks(spectrum)
    main = max(analysis.peaks, key=lambda p: p.resistance)
    assert sum(p.resistance > 10 for p in analysis.peaks) == 1
    assert main.resistance == pytest.approx(100.0, rel=0.1)
    assert main.tau == pytest.approx(1e-3, rel=0.3)
    assert analysis.r_inf == pytest.approx(10.0, rel=0.2)
    # the noise estimate (relative, per real/imaginary part) recovers the 1 % put in
    assert analysis.noise_rms == pytest.approx(0.01, rel=0.2)


def test_decimation_keeps_the_window_evenly_in_log_frequency() -> None:
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)", {"R0": 1.0, **_arc(1, 10.0, 1e-3, 0.9)}, np.logspace(6, -1, 10_000)
    )
    small = decimated(spectrum, 150)
    assert 140 <= len(small) <= 150
    assert small.frequency.max() == spectrum.frequency.max()
    assert small.frequency.min() == spectrum.frequency.min()
    steps = np.diff(np.log10(np.sort(small.frequency)))
    assert steps.max() < 1.5 * 7 / 149


def test_starts_include_one_near_the_truth_of_three_arcs() -> None:
    truth = {
        "R0": 30.0,
        **_arc(1, 200.0, 1e-6, 0.85),
        **_arc(2, 800.0, 2e-4, 0.75),
        **_arc(3, 300.0, 0.05, 0.8),
    }
    spectrum = synthetic_spectrum(
        THREE_ARCS, truth, np.logspace(6, -2, 60), noise=0.01, rng=np.random.default_rng(4)
    )
    circuit = Circuit(THREE_ARCS)
    plan = starting_points(spectrum, circuit)

    def close(start: dict[str, float]) -> bool:
        rel = [fitted_relaxation(p, start) for p in circuit_processes(circuit).processes]
        true = [fitted_relaxation(p, truth) for p in circuit_processes(circuit).processes]
        return all(
            abs(math.log(a.resistance / b.resistance)) < math.log(1.5)
            and abs(math.log(a.tau / b.tau)) < math.log(2)
            for a, b in zip(rel, true, strict=True)
        )

    assert any(close(s) for s in plan.starts)


def test_the_distribution_of_one_spectrum_is_computed_once_per_setting() -> None:
    # the automatic choice asks for the same DRT for every candidate circuit: it is kept, read-only, and
    # recomputed for other data or other settings
    truth = {"R0": 10.0, **_arc(1, 100.0, 1e-3, 0.75)}
    frequency = np.logspace(6, -2, 60)
    spectrum = synthetic_spectrum("R0-p(R1,CPE1)", truth, frequency, noise=0.01, rng=np.random.default_rng(3))
    first = relaxation_peaks(spectrum, smoothing=0.37)
    assert relaxation_peaks(spectrum, smoothing=0.37) is first
    assert not first.distribution.flags.writeable and not first.tau_grid.flags.writeable
    assert relaxation_peaks(spectrum, smoothing=0.38) is not first
    other = synthetic_spectrum("R0-p(R1,CPE1)", truth, frequency, noise=0.01, rng=np.random.default_rng(4))
    again = relaxation_peaks(other, smoothing=0.37)
    assert again is not first and again.noise_rms != first.noise_rms


def test_regrouping_revives_an_arc_that_collapsed_to_nothing() -> None:
    circuit = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)")
    collapsed = {"R0": 20.0, **_arc(1, 1e-3, 1e-9, 1.0), **_arc(2, 400.0, 1e-3, 0.8)}
    starts = regrouped_starts(circuit, collapsed)
    shares = [sorted((s["R1"], s["R2"])) for s in starts]
    # merging the two and splitting the result gives two arcs of ~200 Ω either side of 1 ms
    assert any(
        lo == pytest.approx(200.0, rel=0.01) and hi == pytest.approx(200.0, rel=0.01) for lo, hi in shares
    )
    assert all(s["R0"] == 20.0 for s in starts)


def test_a_collapsed_arc_is_also_tried_as_a_shoulder_of_the_other() -> None:
    # an arc pushed 80× below the window: besides the regroupings, a start puts it back as 10 % of the
    # other arc's resistance on either flank of it
    circuit = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)")
    fitted = {"R0": 12.0, **_arc(1, 360.0, 4e-3, 0.8), **_arc(2, 84.0, 13.0, 1.0)}
    window = (2 * np.pi * 0.1, 2 * np.pi * 1e6)
    starts = regrouped_starts(circuit, fitted, window=window)
    resistances = [sorted((s["R1"], s["R2"])) for s in starts]
    assert any(lo == pytest.approx(36.0) and hi == pytest.approx(324.0) for lo, hi in resistances)
    # the same fit with both arcs inside the window, sizeable and 100× apart gets no moves (two
    # relaxations); 10× apart they overlap (could share the data another way) and get them
    inside = {"R0": 12.0, **_arc(1, 360.0, 4e-3, 0.8), **_arc(2, 84.0, 0.4, 1.0)}
    assert regrouped_starts(circuit, inside, window=window) == []
    overlapping = {"R0": 12.0, **_arc(1, 360.0, 4e-3, 0.8), **_arc(2, 84.0, 0.04, 1.0)}
    assert len(regrouped_starts(circuit, overlapping, window=window)) > 0


def test_nested_diffusion_comes_after_its_arc_and_series_one_takes_both_orders() -> None:
    from nakinetics.guesses import _orders

    nested = circuit_processes(Circuit("R0-p(R1-Ws1,CPE1)")).processes
    assert [p.kind for p in nested] == ["arc", "element"] and nested[1].parent is nested[0]
    assert len(_orders(nested)) == 1
    series = circuit_processes(Circuit("R0-p(R1,CPE1)-Ws1")).processes
    assert len(_orders(series)) == 2
    chain = circuit_processes(Circuit(THREE_ARCS)).processes
    assert len(_orders(chain)) == 1  # interchangeable arcs: one order
    # a held parameter makes its element distinct: the relaxations are tried both ways round
    zarcs = circuit_processes(Circuit("R0-Zarc1-Zarc2")).processes
    assert len(_orders(zarcs)) == 1
    assert len(_orders(zarcs, frozenset({"Zarc1_n"}))) == 2


@pytest.mark.parametrize(
    ("circuit", "values", "fixed"),
    [
        ("R0-p(R1,CPE1)-p(R2,C2)", {"R0": 5.0, **_arc(1, 50.0, 1e-4, 0.8), "R2": 80.0, "C2": 1e-3}, {}),
        ("R0-p(R1,CPE1)", {"R0": 5.0, **_arc(1, 50.0, 1e-4, 0.8)}, {"CPE1_n": 0.8}),
    ],
)
def test_time_constant_coordinates_have_the_exact_jacobian(circuit: str, values, fixed) -> None:
    c = Circuit(circuit)
    spectrum = synthetic_spectrum(c, values, np.logspace(5, -2, 30))
    setup = parameter_setup(c, None, specify(c, c, fixed=fixed))
    problem = _Problem(c, spectrum, Weighting.MODULUS, setup, search_coordinates=True)
    assert problem.arcs  # the arcs are searched in log τ
    u = problem.to_internal(values)
    assert problem.named(u) == pytest.approx(values, rel=1e-12)
    _, jac = problem.residual_and_jacobian(u)
    numeric = np.empty_like(jac)
    for k in range(u.size):
        step = np.zeros_like(u)
        step[k] = 1e-6
        numeric[:, k] = (
            problem.residual_and_jacobian(u + step)[0] - problem.residual_and_jacobian(u - step)[0]
        ) / 2e-6
    np.testing.assert_allclose(jac, numeric, atol=1e-6 * np.abs(jac).max())


def test_levenberg_marquardt_solves_rosenbrock_and_respects_bounds() -> None:
    def fun(u):
        x, y = u
        return np.array([10 * (y - x * x), 1 - x]), np.array([[-20 * x, 10.0], [-1.0, 0.0]])

    lower, upper = np.array([-5.0, -5.0]), np.array([5.0, 5.0])
    state = _lm.iterate(fun, _lm.start(fun, np.array([-1.2, 1.0]), lower, upper), lower, upper, 500)
    assert state.converged
    np.testing.assert_allclose(state.u, [1.0, 1.0], atol=1e-6)
    # the minimum outside the box: x held at its bound 0.5, y at the constrained optimum x² = 0.25
    upper = np.array([0.5, 5.0])
    state = _lm.iterate(fun, _lm.start(fun, np.array([-1.2, 1.0]), lower, upper), lower, upper, 500)
    np.testing.assert_allclose(state.u, [0.5, 0.25], atol=1e-6)


def test_a_deferred_jacobian_is_computed_only_where_the_run_moves_and_changes_nothing() -> None:
    """_lm takes the Jacobian as a function (a fit's residual_and_deferred_jacobian): it must call it only for
    the start and each accepted step (a trial point below the cost so far), and the run must be bitwise the
    run with the Jacobian given at once."""
    c = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)")
    truth = {"R0": 5.0, **_arc(1, 50.0, 1e-6, 0.85), **_arc(2, 200.0, 1e-3, 0.8)}
    spectrum = synthetic_spectrum(c, truth, np.logspace(6, -2, 40), noise=0.01, rng=np.random.default_rng(0))
    problem = _Problem(c, spectrum, Weighting.MODULUS, parameter_setup(c, None, specify(c, c)), True)
    u0 = problem.to_internal({**truth, "R1": 5.0, "R2": 2000.0, "CPE1_n": 0.6})
    costs: list[float] = []
    computed: list[int] = []

    def deferred(u):
        residual, jacobian = problem.residual_and_deferred_jacobian(u)
        costs.append(float(residual @ residual))
        return residual, lambda: computed.append(len(costs)) or jacobian()

    lower, upper = problem.u_lower, problem.u_upper
    lazy = _lm.iterate(deferred, _lm.start(deferred, u0, lower, upper), lower, upper, 60)
    fun = problem.residual_and_jacobian
    eager = _lm.iterate(fun, _lm.start(fun, u0, lower, upper), lower, upper, 60)
    assert lazy.cost == eager.cost and np.array_equal(lazy.u, eager.u)
    assert lazy.evaluations == eager.evaluations == len(costs)
    moved_to = [1] + [k + 1 for k in range(1, len(costs)) if costs[k] < min(costs[:k])]
    assert computed == moved_to
    assert len(moved_to) < len(costs)  # some trial steps were rejected: their Jacobian was never computed


@pytest.mark.parametrize("seed", [3, 8])
def test_three_arcs_reach_the_minimum_of_a_fit_started_at_the_truth(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = {
        "R0": 40.0,
        **_arc(1, 150.0, 5e-7, 0.9),
        **_arc(2, 900.0, 1e-4, 0.72),
        **_arc(3, 250.0, 0.02, 0.8),
    }
    spectrum = synthetic_spectrum(THREE_ARCS, truth, np.logspace(6, -2, 60), noise=0.01, rng=rng)
    result = fit_circuit(spectrum, THREE_ARCS)
    reference = _chisqr_truth_started(spectrum, THREE_ARCS, truth)
    assert result.statistics.chisqr <= reference * (1 + 1e-6) + result.statistics.redchi
    for k, r in ((1, 150.0), (2, 900.0), (3, 250.0)):  # each resistance within 4 of its standard errors
        assert abs(result.values[f"R{k}"] - r) < 4 * result.parameters[f"R{k}"].stderr


def test_two_arcs_five_fold_apart_are_both_found() -> None:
    # the DRT shows one broad peak: the starts split it, the regrouping moves check the alternatives
    truth = {"R0": 20.0, **_arc(1, 120.0, 2e-4, 0.85), **_arc(2, 200.0, 1e-3, 0.85)}
    spectrum = synthetic_spectrum(
        "na_se_na_2arc", truth, np.logspace(6, -1, 60), noise=0.003, rng=np.random.default_rng(11)
    )
    result = fit_circuit(spectrum, "na_se_na_2arc")
    assert result.statistics.chisqr <= _chisqr_truth_started(spectrum, "na_se_na_2arc", truth) * (1 + 1e-6)
    assert result.values["R1"] == pytest.approx(120.0, rel=0.15)
    assert result.values["R2"] == pytest.approx(200.0, rel=0.15)


def test_ten_thousand_points_are_searched_on_a_subsample_and_polished_on_all() -> None:
    truth = {"R0": 40.0, **_arc(1, 120.0, 1e-6, 0.9), **_arc(2, 400.0, 1e-2, 0.8)}
    spectrum = synthetic_spectrum(
        "na_se_na_2arc", truth, np.logspace(6, -1, 10_000), noise=0.01, rng=np.random.default_rng(2)
    )
    result = fit_circuit(spectrum, "na_se_na_2arc")
    assert result.statistics.n_points == 10_000
    assert result.statistics.success
    # the same minimum as a fit of every point from the truth
    assert result.statistics.chisqr == pytest.approx(
        _chisqr_truth_started(spectrum, "na_se_na_2arc", truth), rel=1e-6
    )


def test_arcs_with_different_bounds_are_not_swapped_into_the_wrong_ones() -> None:
    circuit = Circuit("p(R1,CPE1)-p(R2,CPE2)-CPE3")
    # a preset gives CPE1_n the range 0.6–1 and CPE2_n 0.5–1: arc 2 (n = 0.55) relaxes faster, but moving
    # its values to arc 1 would put 0.55 below CPE1_n's bound
    slow_first = {**_arc(1, 1e3, 1e-2, 0.65), **_arc(2, 1e4, 1e-6, 0.55), "CPE3_Q": 1e-6, "CPE3_n": 0.8}
    assert canonical_arc_order(circuit, slow_first)["CPE1_n"] == 0.55  # without bounds: fastest first
    bounds = dict.fromkeys(circuit.parameter_names, (1e-18, 10000.0)) | {
        "CPE1_n": (0.6, 1.0),
        "CPE2_n": (0.5, 1.0),
    }
    assert canonical_arc_order(circuit, slow_first, bounds=bounds) == slow_first
