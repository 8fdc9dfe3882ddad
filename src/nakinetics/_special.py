"""Special functions the DRT and the fit report need, in numpy and the standard library (importing
``scipy.special`` costs more CPU time than a DRT or a fit): the dilogarithm on the negative real axis, the
inverse-tangent integral, the normal distribution's log-CDF and quantiles, and the F distribution's survival
function.

Dilogarithm: Li₂(z) = Σ_{n≥0} B_n uⁿ⁺¹/(n + 1)! with u = −ln(1 − z) (B_n the Bernoulli numbers, B₁ = −½),
which converges for |u| < 2π and needs ~10 terms for |z| ≤ 1, Re z ≤ ½ (’t Hooft & Veltman, Nucl. Phys. B 153
(1979) 365, appendix); larger arguments are brought there by Li₂(−t) = −π²/6 − ½ ln²t − Li₂(−1/t) and
Ti₂(x) = Ti₂(1/x) + (π/2) ln x (Lewin, *Polylogarithms and Associated Functions*, 1981, eqs. 1.7 and 2.5).

F distribution: P(F > f) = I_x(d₂/2, d₁/2) with x = d₂/(d₂ + d₁f), the regularised incomplete beta function
evaluated by its continued fraction (Abramowitz & Stegun 26.5.8) with the modified Lentz algorithm (Lentz, Appl.
Opt. 15 (1976) 668), on the side x < (a + 1)/(a + b + 2) where it converges fast and by I_x(a, b) = 1 − I_{1−x}(b, a)
on the other.
"""

from __future__ import annotations

import math
from fractions import Fraction
from statistics import NormalDist

import numpy as np

from ._typing import FloatArray

_STANDARD_NORMAL = NormalDist()
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _bernoulli_even(count: int) -> list[Fraction]:
    """B₂, B₄, …, B_{2·count} (Akiyama–Tanigawa algorithm, exact rationals)."""
    size = 2 * count + 1
    row = [Fraction(0)] * size
    numbers = []
    for m in range(size):
        row[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        numbers.append(row[0])  # B_m (with B₁ = +½; only the even ones are used)
    return [numbers[2 * k] for k in range(1, count + 1)]


_DILOG_TERMS = 14
_DILOG_COEFFICIENTS = np.array(
    [float(b / math.factorial(2 * k + 1)) for k, b in enumerate(_bernoulli_even(_DILOG_TERMS), start=1)]
)
"""B_{2k}/(2k + 1)!, k = 1 … 14: the series' odd terms (its even terms after u − u²/4 vanish); the last is
~1e-30 of the first, far below double precision for |u| ≤ 0.9."""


def _dilog_series(u: np.ndarray) -> np.ndarray:
    """Li₂(z) from u = −ln(1 − z), real or complex, |u| ≲ 1."""
    u2 = u * u
    total = np.zeros_like(u)
    for c in _DILOG_COEFFICIENTS[::-1]:
        total = total * u2 + c
    return u - 0.25 * u2 + u * u2 * total


def dilog_negative(t: FloatArray) -> FloatArray:
    """Li₂(−t) for t ≥ 0 (= ``scipy.special.spence(1 + t)``)."""
    t = np.asarray(t, dtype=float)
    small = t <= 1.0
    inverse = np.where(small, t, 1.0 / np.where(small, 1.0, t))
    core = _dilog_series(-np.log1p(inverse))
    log_t = np.log(np.where(small, 1.0, t))
    return np.where(small, core, -(math.pi**2) / 6.0 - 0.5 * log_t**2 - core)


def inverse_tangent_integral(x: FloatArray) -> FloatArray:
    """Ti₂(x) = ∫₀ˣ arctan(t)/t dt = Im Li₂(jx) for x ≥ 0 (= Im ``scipy.special.spence(1 − jx)``)."""
    x = np.asarray(x, dtype=float)
    small = x <= 1.0
    inverse = np.where(small, x, 1.0 / np.where(small, 1.0, x))
    u = -0.5 * np.log1p(inverse**2) + 1j * np.arctan(inverse)  # −ln(1 − j·inverse)
    core = _dilog_series(u).imag
    return np.where(small, core, core + 0.5 * math.pi * np.log(np.where(small, 1.0, x)))


def normal_quantile(p: float) -> float:
    """Φ⁻¹(p), the standard normal quantile (``scipy.special.ndtri``), 0 < p < 1."""
    return _STANDARD_NORMAL.inv_cdf(p)


_ASYMPTOTIC_BELOW = -20.0
_ASYMPTOTIC_TERMS = 12


def _log_cdf(x: float) -> float:
    """ln Φ(x) of one value: from erfc down to x = −20, below from the asymptotic series
    ln Φ(x) = −x²/2 − ln(−x) − ½ ln 2π + ln Σ_k (−1)ᵏ (2k − 1)!!/x²ᵏ (Abramowitz & Stegun 26.2.12)."""
    if x > 0:
        return math.log1p(-0.5 * math.erfc(x / math.sqrt(2.0)))
    if x >= _ASYMPTOTIC_BELOW:
        return math.log(0.5 * math.erfc(-x / math.sqrt(2.0)))
    inv = 1.0 / (x * x)
    term, total = 1.0, 1.0
    for k in range(1, _ASYMPTOTIC_TERMS + 1):
        term *= -(2 * k - 1) * inv
        total += term
    return -0.5 * x * x - math.log(-x) - _LOG_SQRT_2PI + math.log(total)


def log_normal_cdf(x: FloatArray) -> FloatArray:
    """ln Φ(x), finite for every finite x (``scipy.special.log_ndtr``)."""
    x = np.asarray(x, dtype=float)
    return np.array([_log_cdf(float(v)) for v in x.ravel()]).reshape(x.shape)


def _quantile_from_log(y: float) -> float:
    """Φ⁻¹(e^y) for y < 0 without forming e^y where it would lose digits or underflow."""
    if y == -math.inf:
        return -math.inf
    if y >= 0.0:  # p = 1 (or a log-probability above 0, which has no quantile)
        return math.inf if y == 0.0 else math.nan
    if y > math.log1p(-math.exp(-2.0)):  # p near 1: from 1 − p = −expm1(y)
        return -_STANDARD_NORMAL.inv_cdf(-math.expm1(y))
    if y > -700.0:
        return _STANDARD_NORMAL.inv_cdf(math.exp(y))
    # far tail: Newton on ln Φ(z) = y from the leading asymptotic term, d ln Φ/dz = φ(z)/Φ(z)
    z = -math.sqrt(-2.0 * y - math.log(-2.0 * y) - 2.0 * _LOG_SQRT_2PI)
    for _ in range(50):
        log_cdf = _log_cdf(z)
        step = (log_cdf - y) / math.exp(-0.5 * z * z - _LOG_SQRT_2PI - log_cdf)
        z -= step
        if abs(step) <= 4e-16 * abs(z):
            break
    return z


def normal_quantile_from_log(y: FloatArray) -> FloatArray:
    """Φ⁻¹(e^y) for y ≤ 0 (``scipy.special.ndtri_exp``): quantiles of probabilities below double precision."""
    y = np.asarray(y, dtype=float)
    return np.array([_quantile_from_log(float(v)) for v in y.ravel()]).reshape(y.shape)


_LENTZ_TINY = 1e-300


def _lentz_guard(value: float) -> float:
    """A denominator of the Lentz recursion kept away from zero."""
    return _LENTZ_TINY if abs(value) < _LENTZ_TINY else value


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of I_x(a, b)·a·B(a, b)/(xᵃ(1 − x)ᵇ); converges fast for x < (a + 1)/(a + b + 2)."""
    d = 1.0 / _lentz_guard(1.0 - (a + b) * x / (a + 1.0))
    c, value = 1.0, d
    for m in range(1, 100_000):
        for term in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 / _lentz_guard(1.0 + term * d)
            c = _lentz_guard(1.0 + term / c)
            value *= d * c
        if abs(d * c - 1.0) < 1e-15:
            return value
    raise ArithmeticError(f"incomplete beta I_{x}({a}, {b}): the continued fraction did not converge")


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the regularised incomplete beta function, for 0 ≤ x ≤ 1 and a, b > 0."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1.0 - front * _beta_continued_fraction(1.0 - x, b, a) / b


def f_survival(f: float, d1: float, d2: float) -> float:
    """P(F > f) for F with ``d1`` and ``d2`` degrees of freedom (``scipy.special.fdtrc(d1, d2, f)``)."""
    if not f > 0.0:
        return 1.0
    if math.isinf(f):
        return 0.0
    return regularized_beta(d2 / (d2 + d1 * f), 0.5 * d2, 0.5 * d1)
