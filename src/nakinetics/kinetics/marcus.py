"""Marcus–Hush–Chidsey (MHC) and symmetric Marcus–Hush kinetics, normalised so that i₀ is the true
exchange current (linear response i ≈ i₀ f η, as for Butler–Volmer with α_a + α_c = 1).

Dimensionless variables: η̃ = eη/k_BT, λ̃ = λ/k_BT (λ in eV).  The exact oxidation rate (prefactor 1) is

    k_ox(η̃) = ∫ exp(−(x − λ̃ + η̃)² / (4λ̃)) / (1 + eˣ) dx,     k_red(η̃) = k_ox(−η̃) = e^(−η̃) k_ox(η̃)

(the second equality is detailed balance), so the normalised current is

    i/i₀ = [k_ox(η̃) − k_red(η̃)] / k_ox(0) = k_ox(η̃)(1 − e^(−η̃)) / k_ox(0),   odd in η̃.

The integral is evaluated with the trapezoidal rule on a grid centred on the integrand's maximum.  The
integrand is analytic in a strip of half-width π about the real axis (poles of the Fermi function at
x = ±iπ), so the trapezoidal error falls like exp(−2π²/h): about 1e-10 relative at the step h = 0.8
used here, checked against adaptive quadrature in the tests.  The Zeng–Smith–Bai–Bazant closed form
(:func:`mhc_current_approx`) is accurate only near λ ≈ 0.2–0.35 eV and is meant for starting values.

References: Chidsey, Science 251 (1991) 919; Zeng, Smith, Bai, Bazant, J. Electroanal. Chem. 735 (2014)
77 (arXiv 1407.5370).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erfc, expit

from .._checks import checked, ieee_formula
from .._typing import FloatArray
from ..constants import BOLTZMANN_EV, T_ROOM
from ..exceptions import ArgumentError
from .models import inverse_thermal_voltage

QUADRATURE_STEP = 0.8
"""Trapezoidal step in x (units of k_BT)."""
TAIL = 32.0
"""The integration grid extends until the integrand is below e^(−TAIL) of its maximum."""


MIN_LAMBDA_EV, MAX_LAMBDA_EV = 1e-3, 20.0
"""Reorganisation energies accepted (eV); measured ones are 0.1–2 eV."""


def reduced_lambda(lambda_ev: float, temperature_k: float = T_ROOM) -> float:
    """λ̃ = λ/k_BT (λ in eV, 0 < λ ≤ 20 eV; reorganisation energies are 0.1–2 eV)."""
    if not MIN_LAMBDA_EV <= lambda_ev <= MAX_LAMBDA_EV:
        raise ArgumentError(
            f"lambda_ev must lie in [{MIN_LAMBDA_EV:g}, {MAX_LAMBDA_EV:g}] eV, got {lambda_ev:g}"
        )
    if not temperature_k > 0.0:
        raise ArgumentError(f"temperature_k must be > 0 K, got {temperature_k:g}")
    return lambda_ev / (BOLTZMANN_EV * temperature_k)


def _log_integrand(x: FloatArray, centre: FloatArray, lam: float) -> FloatArray:
    return -((x - centre) ** 2) / (4.0 * lam) - np.logaddexp(0.0, x)


def _peak(centre: FloatArray, lam: float) -> FloatArray:
    """Maximum of the (concave) log-integrand: −(x − m)/(2λ̃) = σ(x), bracketed in [m − 2λ̃, m]."""
    lo, hi = centre - 2.0 * lam, centre.copy()
    x = np.clip(0.0, lo, hi)
    for _ in range(60):
        s = expit(x)
        slope = -(x - centre) / (2.0 * lam) - s
        lo = np.where(slope > 0, x, lo)
        hi = np.where(slope > 0, hi, x)
        new = x + slope / (1.0 / (2.0 * lam) + s * (1.0 - s))
        new = np.where((new < lo) | (new > hi) | ~np.isfinite(new), 0.5 * (lo + hi), new)
        done = np.max(np.abs(new - x), initial=0.0) < 1e-5
        x = new
        if done:
            break
    return x


def _extent(peak: FloatArray, centre: FloatArray, lam: float, peak_value: FloatArray, side: float) -> float:
    """Largest distance from the peak (on one side) at which the log-integrand has fallen by TAIL.

    Newton from the Gaussian-curvature bound √(4·TAIL·λ̃) converges from above (the log-integrand is
    concave), so every iterate is a safe extent."""
    d = np.full(peak.shape, np.sqrt(4.0 * TAIL * lam))
    for _ in range(4):
        x = peak + side * d
        value = _log_integrand(x, centre, lam) - peak_value + TAIL
        slope = side * (-(x - centre) / (2.0 * lam) - expit(x))
        d = np.where(slope < 0, d - value / slope, d)
    return float(np.max(d, initial=0.0))


def mhc_log_rate(eta_t: ArrayLike, lam_t: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ln k_ox(η̃) of the exact MHC integral (prefactor 1) and its derivatives ∂/∂η̃ and ∂/∂λ̃."""
    eta = np.atleast_1d(np.asarray(eta_t, dtype=float))
    lam = float(lam_t)
    centre = lam - eta
    peak = _peak(centre, lam)
    peak_value = _log_integrand(peak, centre, lam)
    h = QUADRATURE_STEP
    n_left = int(np.ceil(_extent(peak, centre, lam, peak_value, -1.0) / h))
    n_right = int(np.ceil(_extent(peak, centre, lam, peak_value, +1.0) / h))
    offsets = h * np.arange(-n_left, n_right + 1)
    x = peak[:, None] + offsets[None, :]
    z = x - centre[:, None]
    weights = np.exp(_log_integrand(x, centre[:, None], lam) - peak_value[:, None])
    total = weights.sum(axis=1)
    first = (weights * z).sum(axis=1) / total
    second = (weights * z * z).sum(axis=1) / total
    log_rate = peak_value + np.log(h * total)
    return log_rate, -first / (2.0 * lam), first / (2.0 * lam) + second / (4.0 * lam * lam)


def mhc_normalised_current(eta_t: ArrayLike, lam_t: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """i/i₀ of the exact, normalised MHC current at reduced overpotentials ``eta_t``, with its
    derivatives with respect to η̃ and λ̃."""
    eta = np.atleast_1d(np.asarray(eta_t, dtype=float))
    magnitude = np.abs(eta)
    log_rate, d_eta, d_lam = mhc_log_rate(magnitude, lam_t)
    log_rate0, _, d_lam0 = mhc_log_rate(np.zeros(1), lam_t)
    ratio = np.exp(log_rate - log_rate0[0])
    back = np.exp(-magnitude)
    value = ratio * -np.expm1(-magnitude)
    slope = value * d_eta + ratio * back
    sign = np.where(eta < 0, -1.0, 1.0)
    return sign * value, slope, sign * value * (d_lam - d_lam0[0])


@checked
@ieee_formula
def mhc_current(eta: ArrayLike, i0: float, lambda_ev: float, temperature_k: float = T_ROOM) -> FloatArray:
    """Exact normalised MHC current of one interface at overpotential ``eta`` (V); unit of ``i0``."""
    f = inverse_thermal_voltage(temperature_k)
    value, _, _ = mhc_normalised_current(
        f * np.asarray(eta, dtype=float), reduced_lambda(lambda_ev, temperature_k)
    )
    return i0 * value.reshape(np.shape(eta))


@checked
def mhc_limiting_ratio(lambda_ev: float, temperature_k: float = T_ROOM) -> float:
    """i_max/i₀: the plateau of the normalised MHC current, 2√(πλ̃)/k_ox(0)."""
    lam = reduced_lambda(lambda_ev, temperature_k)
    log_rate0 = mhc_log_rate(np.zeros(1), lam)[0][0]
    return float(2.0 * np.sqrt(np.pi * lam) * np.exp(-log_rate0))


def _chi(eta_t: FloatArray, lam: float) -> FloatArray:
    return (lam - np.sqrt(1.0 + np.sqrt(lam) + eta_t * eta_t)) / (2.0 * np.sqrt(lam))


@checked
def mhc_rate_approx(eta_t: ArrayLike, lam_t: float) -> FloatArray:
    """Zeng et al. closed form of k_ox(η̃) (prefactor 1): √(πλ̃) erfc(χ(η̃)) / (1 + e^(−η̃))."""
    eta = np.asarray(eta_t, dtype=float)
    return np.sqrt(np.pi * lam_t) * erfc(_chi(eta, lam_t)) * expit(eta)


@checked
@ieee_formula
def mhc_current_approx(
    eta: ArrayLike, i0: float, lambda_ev: float, temperature_k: float = T_ROOM
) -> FloatArray:
    """Zeng et al. closed-form MHC current, normalised: 2 i₀ tanh(η̃/2) erfc(χ(η̃))/erfc(χ(0))."""
    lam = reduced_lambda(lambda_ev, temperature_k)
    eta_t = inverse_thermal_voltage(temperature_k) * np.asarray(eta, dtype=float)
    return 2.0 * i0 * np.tanh(eta_t / 2.0) * erfc(_chi(eta_t, lam)) / erfc(_chi(np.zeros(1), lam)[0])


@checked
@ieee_formula
def marcus_hush_current(
    eta: ArrayLike, i0: float, lambda_ev: float, temperature_k: float = T_ROOM
) -> FloatArray:
    """Symmetric Marcus–Hush current (no Fermi integral), normalised: 2 i₀ exp(−η̃²/(4λ̃)) sinh(η̃/2)."""
    lam = reduced_lambda(lambda_ev, temperature_k)
    eta_t = inverse_thermal_voltage(temperature_k) * np.asarray(eta, dtype=float)
    return (
        2.0
        * i0
        * np.exp(-eta_t * eta_t / (4.0 * lam) + np.abs(eta_t) / 2.0)
        * -np.expm1(-np.abs(eta_t))
        / 2.0
        * np.sign(eta_t)
    )
