"""Current–voltage laws of Butler–Volmer electrode kinetics (pure, vectorised functions).

Conventions (``notes/kinetics.md`` §1.1):

* anodic (oxidation) current positive; η is the overpotential of *one* interface (V);
* for a symmetric cell, ``v_kin`` is the cell voltage after ohmic correction, V_kin = V − i·R_Ω − V₀ (V);
* currents come back in the unit of ``i0`` (A cm⁻², mA cm⁻², A: the functions do not care);
* transfer coefficients follow IUPAC (without n): i = i₀[exp(α_a f η) − exp(−α_c f η)], f = F/RT.

The symmetric cell (two identical interfaces, one stripping at +i and one plating at −i) has
V_kin = η(i) − η(−i).  Its current has a closed form for *any* α_a, α_c: with X = f·V_kin and
u = exp(f η₁) of the stripping interface, the two interface equations give
u^(α_a+α_c) = (1 + e^(α_c X)) / (1 + e^(−α_a X)), and i = i₀ (u^α_a − u^(−α_c)).  For α_a = α_c = α this
reduces to i = 2 i₀ sinh(α f V_kin / 2).  :func:`symmetric_cell_voltage` computes the same relation the
other way round (V from i, by inverting each interface numerically) and serves as its independent check.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._checks import checked, ieee_formula, number
from .._typing import FloatArray
from ..constants import T_ROOM, thermal_voltage

EXP_LIMIT = 700.0
"""Exponent arguments are clipped to ±EXP_LIMIT so that no exp() overflows (e^700 ≈ 1e304)."""


def inverse_thermal_voltage(temperature_k: float = T_ROOM) -> float:
    """f = F/RT in V⁻¹ (38.92 V⁻¹ at 298.15 K)."""
    return 1.0 / thermal_voltage(temperature_k)


def _exp(x: FloatArray) -> FloatArray:
    return np.exp(np.clip(x, -EXP_LIMIT, EXP_LIMIT))


@checked
@ieee_formula
def butler_volmer(
    eta: ArrayLike, i0: float, alpha_a: float, alpha_c: float, temperature_k: float = T_ROOM
) -> FloatArray:
    """Single-interface Butler–Volmer current i = i₀[exp(α_a f η) − exp(−α_c f η)] (unit of ``i0``)."""
    x = inverse_thermal_voltage(temperature_k) * np.asarray(eta, dtype=float)
    return i0 * (_exp(alpha_a * x) - _exp(-alpha_c * x))


@checked
@ieee_formula
def butler_volmer_overpotential(
    current: ArrayLike,
    i0: float,
    alpha_a: float,
    alpha_c: float,
    temperature_k: float = T_ROOM,
    *,
    tol: float = 1e-14,
    max_iter: int = 60,
) -> FloatArray:
    """Overpotential η (V) at which one Butler–Volmer interface carries ``current`` (inverse of
    :func:`butler_volmer`; Newton iteration on asinh(g(η)/2i₀), which is nearly linear in η)."""
    u = np.asarray(current, dtype=float) / i0
    target = np.arcsinh(u / 2.0)
    x = 2.0 * target / (alpha_a + alpha_c)  # exact when alpha_a == alpha_c
    for _ in range(max_iter):
        ea, ec = _exp(alpha_a * x), _exp(-alpha_c * x)
        g = ea - ec
        step = (np.arcsinh(g / 2.0) - target) * np.sqrt(g * g + 4.0) / (alpha_a * ea + alpha_c * ec)
        x = x - step
        if np.all(np.abs(step) <= tol * (1.0 + np.abs(x))):
            break
    return x / inverse_thermal_voltage(temperature_k)


def _log_cosh(y: FloatArray) -> FloatArray:
    """ln cosh(y) without cancellation: log1p(2 sinh²(y/2)) for small |y|, |y| − ln 2 + log1p(e^(−2|y|))
    beyond."""
    a = np.abs(y)
    small = np.minimum(a, 20.0)
    return np.where(
        a < 20.0, np.log1p(2.0 * np.sinh(small / 2.0) ** 2), a - np.log(2.0) + np.log1p(np.exp(-2.0 * a))
    )


def symmetric_stripping_log(
    big_x: FloatArray, alpha_a: float, alpha_c: float
) -> tuple[FloatArray, FloatArray]:
    """f·η₁ of the stripping interface of a symmetric cell at reduced kinetic voltage X = f·V_kin, and its
    derivative d(fη₁)/dX: fη₁ = X/2 + [ln cosh(α_c X/2) − ln cosh(α_a X/2)]/(α_a + α_c) (module docstring,
    written so that small X loses no precision)."""
    s = alpha_a + alpha_c
    value = big_x / 2.0 + (_log_cosh(alpha_c * big_x / 2.0) - _log_cosh(alpha_a * big_x / 2.0)) / s
    slope = 0.5 + (alpha_c * np.tanh(alpha_c * big_x / 2.0) - alpha_a * np.tanh(alpha_a * big_x / 2.0)) / (
        2.0 * s
    )
    return value, slope


@checked
@ieee_formula
def symmetric_cell_current(
    v_kin: ArrayLike, i0: float, alpha_a: float, alpha_c: float, temperature_k: float = T_ROOM
) -> FloatArray:
    """Current of a symmetric cell with identical Butler–Volmer interfaces at kinetic cell voltage
    ``v_kin`` (V), closed form for any α_a, α_c (module docstring); unit of ``i0``.

    Invariant under α_a ↔ α_c: a symmetric cell cannot tell the two apart.
    """
    big_x = inverse_thermal_voltage(temperature_k) * np.asarray(v_kin, dtype=float)
    ln_u, _ = symmetric_stripping_log(big_x, alpha_a, alpha_c)
    return i0 * (
        np.expm1(np.clip(alpha_a * ln_u, None, EXP_LIMIT))
        - np.expm1(np.clip(-alpha_c * ln_u, None, EXP_LIMIT))
    )


@checked
@ieee_formula
def symmetric_cell_voltage(
    current: ArrayLike,
    i0: float,
    alpha_a: float,
    alpha_c: float,
    temperature_k: float = T_ROOM,
    *,
    r_ohm: float = 0.0,
    v0: float = 0.0,
) -> FloatArray:
    """Cell voltage V = η(i) − η(−i) + i·R_Ω + V₀ (V) of a symmetric cell carrying ``current``, each
    interface inverted numerically (:func:`butler_volmer_overpotential`).  ``r_ohm`` in V per unit of
    current (Ω cm² for A cm⁻²)."""
    i = np.asarray(current, dtype=float)
    eta_strip = butler_volmer_overpotential(i, i0, alpha_a, alpha_c, temperature_k)
    eta_plate = butler_volmer_overpotential(-i, i0, alpha_a, alpha_c, temperature_k)
    return eta_strip - eta_plate + i * r_ohm + v0


@checked
@ieee_formula
def butler_volmer_limited(
    eta: ArrayLike,
    i0: float,
    alpha_a: float,
    alpha_c: float,
    i_lim_cathodic: float = np.inf,
    i_lim_anodic: float = np.inf,
    temperature_k: float = T_ROOM,
) -> FloatArray:
    """Butler–Volmer current with mass-transport limits (closed form, ``notes/kinetics.md`` §1.6):

    i = i₀(e^(α_a x) − e^(−α_c x)) / (1 + (i₀/i_L,a) e^(α_a x) + (i₀/i_L,c) e^(−α_c x)),  x = fη,

    tending to +i_L,a and −i_L,c (magnitudes, unit of ``i0``).  ``i_lim_anodic = inf`` is the metal
    deposition/stripping case (the metal side has unit activity: only plating is transport-limited).
    """
    x = inverse_thermal_voltage(temperature_k) * np.asarray(eta, dtype=float)
    up, down = alpha_a * x, -alpha_c * x
    m = np.maximum(np.maximum(up, down), 0.0)
    ea, ec = np.exp(np.clip(up - m, -EXP_LIMIT, 0)), np.exp(np.clip(down - m, -EXP_LIMIT, 0))
    denominator = np.exp(-np.minimum(m, EXP_LIMIT)) + (i0 / i_lim_anodic) * ea + (i0 / i_lim_cathodic) * ec
    return i0 * (ea - ec) / denominator


@checked
@ieee_formula
def concentration_overpotential(
    current: ArrayLike, i_lim: float, t_plus: float, temperature_k: float = T_ROOM
) -> FloatArray:
    """Steady-state concentration overpotential (V) of a symmetric cell with a binary liquid electrolyte
    (ideal dilute solution): η_conc = (2RT/F)(1 − t₊) ln[(1 + i/i_L)/(1 − i/i_L)], ±inf at |i| ≥ i_L."""
    ratio = np.asarray(current, dtype=float) / i_lim
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (
            4.0
            * (1.0 - t_plus)
            * np.arctanh(np.clip(ratio, -1.0, 1.0))
            / inverse_thermal_voltage(temperature_k)
        )
    return np.where(np.abs(ratio) >= 1.0, np.copysign(np.inf, ratio), value)


@checked
def tafel_slope_mv_per_decade(alpha: float, temperature_k: float = T_ROOM) -> float:
    """Tafel slope b = ln(10)·RT/(αF) in mV per decade (118.3 mV/dec at α = ½, 298.15 K)."""
    number(alpha, "alpha", low=1e-6, high=100.0)
    return 1e3 * np.log(10.0) * thermal_voltage(temperature_k) / alpha


def symmetric_tafel_slope_mv_per_decade(
    alpha_product: float, alpha_sum: float = 1.0, temperature_k: float = T_ROOM
) -> float:
    """High-voltage Tafel slope of a symmetric cell in mV per decade: with η₁ = ln(i/i₀)/(α_a f) on the
    stripping and η₂ = −ln(i/i₀)/(α_c f) on the plating interface, V = η₁ − η₂ gives
    b_cell = ln(10)·(RT/F)·(1/α_a + 1/α_c) = ln(10)·RT·(α_a + α_c)/(F·α_a·α_c)
    (236.6 mV/dec at α_a = α_c = ½; α_a + α_c = n for an n-electron step)."""
    return float(1e3 * np.log(10.0) * thermal_voltage(temperature_k) * alpha_sum / alpha_product)
