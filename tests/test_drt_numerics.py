"""The numpy/standard-library numerics behind the DRT, each against its scipy counterpart (an independent
implementation, installed with the test extras): dilogarithm and inverse-tangent integral (``spence``), the
normal distribution's quantile and log-CDF (``ndtri``, ``log_ndtr``, ``ndtri_exp``), bounded Brent search
(``minimize_scalar``), triangular and Cholesky solves (``solve_triangular``, ``cho_solve``), the DRT's NNLS
(``scipy.optimize.nnls``), and compute_drt as a whole with scipy's functions put back."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.special

from nakinetics import _special
from nakinetics._minimize import minimize_bounded
from nakinetics.drt import analysis, basis, compute_drt, regularization
from nakinetics.drt.design import SeriesTerms, linear_problem
from nakinetics.drt.synthetic import make_case
from nakinetics.io import read_spectrum

SPECTRUM = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_carbonate_na.csv"
U = np.arange(-25.0, 25.0, 1e-3)
"""The argument range of the basis table (|y ± h| ≤ 24.3) and a little beyond."""


def test_dilogarithm_matches_spence() -> None:
    # Li₂(−t) = spence(1 + t); scipy's input 1 + t is itself rounded (relative error ε/t in t), so the
    # comparison stops at t = 1e-3 and the small-t end is checked against the series −t + t²/4 − t³/9 …
    t = np.exp(-2.0 * U)
    ours = _special.dilog_negative(t)
    large = t >= 1e-3
    np.testing.assert_allclose(ours[large], scipy.special.spence(1.0 + t[large]), rtol=1e-14, atol=4e-15)
    small = np.geomspace(1e-300, 1e-3, 400)
    series = sum((-small) ** k / k**2 for k in range(1, 8))
    np.testing.assert_allclose(_special.dilog_negative(small), series, rtol=1e-15)
    assert _special.dilog_negative(0.0) == 0.0
    assert _special.dilog_negative(1.0) == pytest.approx(-(math.pi**2) / 12, rel=1e-16)


def test_inverse_tangent_integral_matches_spence() -> None:
    x = np.exp(U)
    ours = _special.inverse_tangent_integral(x)
    np.testing.assert_allclose(ours, np.imag(scipy.special.spence(1.0 - 1j * x)), rtol=2e-15, atol=0)
    catalan = 0.915965594177219015054603514932384110774
    assert _special.inverse_tangent_integral(1.0) == pytest.approx(catalan, rel=1e-16)


def test_basis_table_matches_the_one_built_from_spence() -> None:
    h = round(math.log(10) / 10, 12)
    y, real, imag = basis._basis_table(h)

    def h_real(u: np.ndarray) -> np.ndarray:
        return -0.25 * scipy.special.spence(1.0 + np.exp(-2.0 * u))

    def h_imag(u: np.ndarray) -> np.ndarray:
        return -np.imag(scipy.special.spence(1.0 - 1j * np.exp(u)))

    expected_real = (h_real(y + h) - 2.0 * h_real(y) + h_real(y - h)) / h
    expected_real[y < -basis._TABLE_LIMIT + 2 * h] = h
    expected_imag = (h_imag(y + h) - 2.0 * h_imag(y) + h_imag(y - h)) / h
    # the second difference of H (up to ~300) cancels to values ≤ h ≈ 0.23: both sides carry ~1e-13 of rounding
    np.testing.assert_allclose(real, expected_real, rtol=0, atol=1e-12)
    np.testing.assert_allclose(imag, expected_imag, rtol=0, atol=1e-13)


@pytest.mark.parametrize("p", [1e-300, 1e-12, 0.0013, 0.025, 0.1587, 0.5, 0.8413, 0.975, 0.995, 1 - 1e-10])
def test_normal_quantile_matches_ndtri(p: float) -> None:
    assert _special.normal_quantile(p) == pytest.approx(float(scipy.special.ndtri(p)), rel=1e-15, abs=1e-300)


def test_log_normal_cdf_matches_log_ndtr() -> None:
    x = np.concatenate([-np.geomspace(1e-3, 1e9, 500), np.linspace(-40, 10, 501)])
    np.testing.assert_allclose(_special.log_normal_cdf(x), scipy.special.log_ndtr(x), rtol=5e-14)


def test_normal_quantile_from_log_matches_ndtri_exp() -> None:
    y = -np.concatenate([np.geomspace(1e-12, 1.0, 100), np.geomspace(1.0, 1e12, 400)])
    ours = _special.normal_quantile_from_log(y)
    # scipy's far-tail approximation is good to ~1e-12 (ours is Newton-refined: checked against the identity)
    np.testing.assert_allclose(ours, scipy.special.ndtri_exp(y), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(_special.log_normal_cdf(ours), y, rtol=1e-14, atol=1e-22)
    ends = np.array([-np.inf, 0.0])
    np.testing.assert_array_equal(_special.normal_quantile_from_log(ends), scipy.special.ndtri_exp(ends))
    np.testing.assert_array_equal(
        _special.log_normal_cdf([-np.inf, np.inf]), scipy.special.log_ndtr([-np.inf, np.inf])
    )


def _recorded(search: object, function: object, *args: object, **kwargs: object) -> list[float]:
    points: list[float] = []

    def f(x: float) -> float:
        points.append(float(x))
        return function(x)  # type: ignore[operator]

    search(f, *args, **kwargs)  # type: ignore[operator]
    return points


@pytest.mark.parametrize(
    ("function", "low", "high", "xatol"),
    [
        (lambda x: (x - 0.3) ** 2, 0.0, 1.0, 1e-4),
        (lambda x: math.sin(3 * x) + 0.1 * x * x, -2.0, 1.5, 1e-6),
        (lambda x: abs(x - 0.71), 0.6, 0.8, 1e-4),  # a kink: golden-section steps
        (lambda x: -x, 0.5, 1.0, 1e-4),  # minimum at the upper bound
        (lambda x: math.exp(x), -1.0, 2.0, 1e-3),  # at the lower bound
        (lambda x: math.cos(x) * (x - 0.2) ** 3, -1.0, 2.0, 1e-8),
    ],
)
def test_bounded_brent_visits_the_points_scipy_visits(
    function: object, low: float, high: float, xatol: float
) -> None:
    ours = _recorded(lambda f, a, b, t: minimize_bounded(f, a, b, xatol=t), function, low, high, xatol)
    theirs = _recorded(
        lambda f, a, b, t: scipy.optimize.minimize_scalar(
            f, bounds=(a, b), method="bounded", options={"xatol": t}
        ),
        function,
        low,
        high,
        xatol,
    )
    assert ours == theirs
    assert len(ours) > 5


def test_bounded_brent_finds_a_parabolas_minimum_to_its_tolerance() -> None:
    found = minimize_bounded(lambda x: (x - 0.734) ** 2 + 1.0, 0.5, 1.0, xatol=1e-4)
    assert found.converged
    assert abs(found.x - 0.734) < 1e-4
    assert found.fun == pytest.approx(1.0, abs=1e-8)
    with pytest.raises(ValueError, match="low < high"):
        minimize_bounded(lambda x: x, 1.0, 1.0)


def _problem(family: str, seed: int, tail: float | None = None) -> regularization.LinearProblem:
    spectrum = make_case(family, np.random.default_rng(seed)).spectrum
    grid = basis.tau_grid(spectrum.omega)
    return linear_problem(spectrum.omega, spectrum.impedance, grid, SeriesTerms(tail))


def test_standard_form_matches_solve_triangular() -> None:
    problem = _problem("two_zarc", 1)
    ours = problem.a @ problem.penalty_inverse
    theirs = scipy.linalg.solve_triangular(problem.penalty, problem.a.T, trans="T", lower=False).T
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-13 * np.abs(theirs).max())


def test_positive_definite_inverse_matches_cho_solve() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=(60, 40))
    matrix = a.T @ a + 1e-3 * np.eye(40)
    expected = scipy.linalg.cho_solve(scipy.linalg.cho_factor(matrix), np.eye(40))
    ours = regularization._inverse_positive_definite(matrix)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-10 * np.abs(expected).max())
    assert np.array_equal(ours, ours.T)
    with pytest.raises(np.linalg.LinAlgError):
        regularization._inverse_positive_definite(-matrix)


def _scipy_nnls(matrix: np.ndarray, target: np.ndarray, **_: object) -> tuple[np.ndarray, float]:
    return scipy.optimize.nnls(matrix, target, maxiter=50 * matrix.shape[1])


@pytest.mark.parametrize(
    ("family", "tail", "lam"),
    [
        ("two_zarc", None, 1e-3),
        ("three_zarc", None, 1e-5),
        ("two_rc", None, 1e-7),  # sharp peaks: a small support, far from the unconstrained solution
        ("blocking", 0.9, 1e-2),  # tail mode: the floor makes γ' the unknown
        ("randles_w", 0.5, 1e-4),
    ],
)
def test_drt_nnls_matches_scipy(
    monkeypatch: pytest.MonkeyPatch, family: str, tail: float | None, lam: float
) -> None:
    # the regularised DRT problem has full column rank, so its NNLS solution is unique: a correct solver
    # agrees with scipy's Lawson–Hanson to rounding (the block-pivoting solver this replaced was off by up to
    # 1000× on ~30 % of these problems)
    problem = _problem(family, 11, tail)
    gamma, series = regularization.solve_nonnegative(problem, lam)
    monkeypatch.setattr(regularization, "nnls", _scipy_nnls)
    expected_gamma, expected_series = regularization.solve_nonnegative(problem, lam)
    scale = np.abs(expected_gamma).max()
    np.testing.assert_allclose(gamma, expected_gamma, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(series, expected_series, rtol=1e-9, atol=1e-12 * max(scale, 1.0))
    assert not regularization.nonnegative_support(problem, gamma, series).all()  # the constraint is active


def test_warm_started_nnls_gives_the_same_solution() -> None:
    problem = _problem("blocking", 5, 0.8)
    cold = regularization.solve_nonnegative(problem, 1e-3)
    for guess in (
        np.ones(problem.n_gamma + 3, dtype=bool),
        np.zeros(problem.n_gamma + 3, dtype=bool),
        regularization.nonnegative_support(
            problem, *regularization.solve_nonnegative(_problem("blocking", 5, 0.6), 1e-3)
        ),
    ):
        warm = regularization.solve_nonnegative(problem, 1e-3, guess)
        np.testing.assert_allclose(warm[0], cold[0], rtol=0, atol=1e-10 * np.abs(cold[0]).max())
        np.testing.assert_allclose(warm[1], cold[1], rtol=1e-9)


def _with_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """compute_drt as it was computed with scipy: every replaced function put back."""
    monkeypatch.setattr(regularization, "nnls", _scipy_nnls)
    monkeypatch.setattr(analysis, "normal_quantile", lambda p: float(scipy.special.ndtri(p)))
    monkeypatch.setattr(regularization, "log_normal_cdf", scipy.special.log_ndtr)
    monkeypatch.setattr(regularization, "normal_quantile_from_log", scipy.special.ndtri_exp)

    def bounded(function: object, low: float, high: float, xatol: float) -> None:
        scipy.optimize.minimize_scalar(
            function, bounds=(low, high), method="bounded", options={"xatol": xatol}
        )

    monkeypatch.setattr(analysis, "minimize_bounded", bounded)


@pytest.mark.parametrize("case", ["example", "two_zarc", "randles_w", "blocking"])
def test_compute_drt_as_with_scipy(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    spectrum = (
        read_spectrum(SPECTRUM) if case == "example" else make_case(case, np.random.default_rng(4)).spectrum
    )
    ours = compute_drt(spectrum, kramers_kronig="skip")
    _with_scipy(monkeypatch)
    theirs = compute_drt(spectrum, kramers_kronig="skip")
    assert ours.n_processes == theirs.n_processes >= 1
    assert (ours.tail is None) == (theirs.tail is None) == (case in ("example", "two_zarc"))
    if ours.tail is not None and theirs.tail is not None:
        assert ours.tail.exponent == theirs.tail.exponent
    for mine, reference in zip(ours.peaks, theirs.peaks, strict=True):
        assert mine.tau == pytest.approx(reference.tau, rel=1e-8)
        assert mine.resistance == pytest.approx(reference.resistance, rel=1e-8)
    assert ours.regularization.value == pytest.approx(theirs.regularization.value, rel=1e-8)
