"""Closed-form relaxations used to read peaks off a DRT and to test it.

The ZARC (R‖CPE with its time constant τ₀ = (RQ)^(1/n)), Z = R/(1 + (jωτ₀)^n), has the distribution

    γ(ln τ) = R/(2π) · sin((1 − n)π) / (cosh(n ln(τ/τ₀)) − cos((1 − n)π))

(Fuoss & Kirkwood, J. Am. Chem. Soc. 63 (1941) 385; Boukamp, Electrochim. Acta 154 (2015) 35): a peak
symmetric in ln τ with area R that narrows to a delta at τ₀ as n → 1 (an ideal RC element).

A finite-length Warburg element is a series of RC lines (the partial fractions of tanh and coth):
Ws = R tanh√(jωτ)/√(jωτ) = Σ_{m odd} (8R/(m²π²))/(1 + jω·4τ/(m²π²)), all of R in lines whose first holds
8/π² = 81 % at 4τ/π², the next 1/9 of it 0.95 decade faster; Wo = R coth√(jωτ)/√(jωτ) = R/(jωτ) +
Σ_k (2R/(k²π²))/(1 + jω·τ/(k²π²)), a capacitance τ/R and lines holding R/3, the first 61 % of them at
τ/π², the next 1/4 of it 0.6 decade faster (Boukamp, Electrochim. Acta 252 (2017) 154).

A power law a (jω)^-ν (0 < ν < 1: a CPE, ν = ½ a semi-infinite Warburg with a = σ√2) is the distribution
a·sin(νπ)/π·τ^ν over all τ, since ∫₀^∞ τ^(ν−1)/(1 + jωτ) dτ = (jω)^-ν π/sin(νπ).
"""

from __future__ import annotations

import math

import numpy as np

from .._typing import ComplexArray, FloatArray


def zarc_impedance(omega: FloatArray, resistance: float, tau: float, n: float) -> ComplexArray:
    """Z = R/(1 + (jωτ)^n) (Ω) at angular frequencies ``omega`` (rad/s); τ in s, 0 < n ≤ 1."""
    return resistance / (1.0 + (1j * omega * tau) ** n)


def zarc_distribution(tau: FloatArray, resistance: float, tau0: float, n: float) -> FloatArray:
    """γ(ln τ) (Ω) of a ZARC of resistance R (Ω), time constant τ₀ (s) and exponent n < 1 at ``tau`` (s)."""
    if not 0.0 < n < 1.0:
        raise ValueError(f"the ZARC distribution needs 0 < n < 1, got {n} (n = 1 is a delta at τ₀)")
    x = np.log(np.asarray(tau, dtype=float) / tau0)
    phase = (1.0 - n) * math.pi
    return resistance / (2.0 * math.pi) * math.sin(phase) / (np.cosh(n * x) - math.cos(phase))


def power_law_distribution(tau: FloatArray, exponent: float) -> FloatArray:
    """γ(ln τ) per unit coefficient of (jω)^-ν at ``tau`` (s): sin(νπ)/π·τ^ν (zero for ν ≥ 1, a capacitor,
    whose relaxation time is infinite)."""
    tau = np.asarray(tau, dtype=float)
    if exponent >= 1.0:
        return np.zeros_like(tau)
    return math.sin(exponent * math.pi) / math.pi * tau**exponent


WARBURG_LINES = {
    "Ws": "finite-length (transmissive) Warburg",
    "Wo": "finite-space (reflective) Warburg",
}
"""The finite-length Warburg elements whose DRT lines :func:`warburg_lines` gives."""

MAX_LINES = 400


def warburg_lines(
    symbol: str, resistance: float, tau: float, tau_min: float
) -> tuple[FloatArray, FloatArray]:
    """Resistances (Ω) and time constants (s) of the DRT lines of a Ws or Wo element of resistance R (Ω)
    and diffusion time τ (s), those at or above ``tau_min`` (s; at least the first line)."""
    if symbol == "Ws":
        m = 2.0 * np.arange(1, MAX_LINES + 1) - 1.0
        taus, rs = 4.0 * tau / (m * math.pi) ** 2, 8.0 * resistance / (m * math.pi) ** 2
    elif symbol == "Wo":
        k = np.arange(1, MAX_LINES + 1, dtype=float)
        taus, rs = tau / (k * math.pi) ** 2, 2.0 * resistance / (k * math.pi) ** 2
    else:
        raise ValueError(f"no DRT lines for element {symbol!r}; one of {', '.join(WARBURG_LINES)}")
    keep = max(int(np.count_nonzero(taus >= tau_min)), 1)
    return rs[:keep], taus[:keep]


def zarc_exponent_from_height(resistance: float, height: float) -> float:
    """The ZARC exponent n whose peak height is ``height`` (Ω) for area ``resistance`` (Ω):
    γ_max = R/(2π) cot((1 − n)π/2)."""
    if height <= 0 or resistance <= 0:
        return 0.8
    return 1.0 - (2.0 / math.pi) * math.atan(resistance / (2.0 * math.pi * height))
