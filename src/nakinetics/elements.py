"""Circuit elements: one definition each, with formula, analytic derivatives, units and bounds.

Conventions: ω in rad s⁻¹, Z in Ω, Z'' < 0 for capacitive behaviour.  Every formula returns the
impedance and its derivative with respect to each parameter, so fits get an exact Jacobian.

========  ==============================  ==========================================
symbol    impedance                       parameters (units)
========  ==============================  ==========================================
R         R                               R (Ω)
C         1/(jωC)                         C (F)
L         jωL                             L (H)
CPE       1/(Q (jω)^n)                    Q (Ω⁻¹ sⁿ = F s^(n−1)), n (1)
W         σ(1 − j)/√ω                     σ (Ω s^-½) — semi-infinite Warburg
Wo        R coth√(jωτ)/√(jωτ)             R (Ω), τ (s) — finite space, reflective
Ws        R tanh√(jωτ)/√(jωτ)             R (Ω), τ (s) — finite length, transmissive
G         R/√(1 + jωτ)                    R (Ω), τ (s) — Gerischer
========  ==============================  ==========================================

The formulas and parameter orders equal impedance.py's elements of the same symbol, so its circuit
strings carry over; nakinetics names the parameters (``CPE1_Q``) instead of numbering them (``CPE1_0``).
Warburg σ is impedance.py's ``A_W``; pyimpspec's Y at n = ½ is 1/(σ√2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._typing import ComplexArray, FloatArray


class Frequencies:
    """Angular frequencies ω (rad s⁻¹) with the derived arrays elements need, computed once per fit."""

    def __init__(self, omega: FloatArray) -> None:
        self.omega = np.asarray(omega, dtype=float)
        self.jw = 1j * self.omega
        self.log_jw = np.log(self.omega) + 0.5j * np.pi
        self.warburg_unit = (1.0 - 1.0j) / np.sqrt(self.omega)
        self.ones = np.ones(self.omega.shape, dtype=complex)


#: f(frequencies, *params) -> (Z, [dZ/dp for p in params]); Z may be a scalar for frequency-independent
#: elements (broadcast by the circuit)
ImpedanceWithGradient = Callable[..., tuple[ComplexArray | complex, list[ComplexArray]]]


@dataclass(frozen=True)
class ParameterSpec:
    """One element parameter.

    ``suffix`` is appended to the element label (``CPE1`` + ``_Q``); single-parameter elements use
    the bare label.  ``log_scale`` marks parameters that are fitted as log(value) (all strictly
    positive magnitudes); the others are fitted linearly between ``min`` and ``max``.
    """

    suffix: str
    unit: str
    description: str
    default: float
    min: float
    max: float
    log_scale: bool = True


@dataclass(frozen=True)
class ElementSpec:
    """One element type: symbol, name, parameters and the vectorised formula with derivatives."""

    symbol: str
    name: str
    parameters: tuple[ParameterSpec, ...]
    function: ImpedanceWithGradient
    equation: str
    reference: str = ""

    def parameter_names(self, label: str) -> list[str]:
        """Full parameter names for an element labelled ``label`` (``R1`` or ``CPE1_Q``, ``CPE1_n``)."""
        if len(self.parameters) == 1:
            return [label]
        return [f"{label}_{p.suffix}" for p in self.parameters]

    def evaluate(self, omega: FloatArray, *values: float) -> tuple[ComplexArray, list[ComplexArray]]:
        """Z(ω) in Ω and ∂Z/∂p for each parameter, as arrays over ``omega`` (rad s⁻¹)."""
        w = Frequencies(omega)
        z, grads = self.function(w, *values)
        return z * w.ones, [g * w.ones for g in grads]

    def impedance(self, omega: FloatArray, *values: float) -> ComplexArray:
        """Z(ω) in Ω for parameter values in the order of ``parameters``."""
        return self.evaluate(omega, *values)[0]


def _tanh_parts(s: ComplexArray) -> tuple[ComplexArray, ComplexArray]:
    """Return (tanh s, sech² s) for Re s ≥ 0 without overflow, using e^(−2s)."""
    e = np.exp(-2.0 * s)
    denom = 1.0 + e
    return (1.0 - e) / denom, 4.0 * e / (denom * denom)


def _resistor(w: Frequencies, r: float) -> tuple[complex, list[ComplexArray]]:
    return complex(r), [w.ones]


def _capacitor(w: Frequencies, c: float) -> tuple[ComplexArray, list[ComplexArray]]:
    z = 1.0 / (w.jw * c)
    return z, [-z / c]


def _inductor(w: Frequencies, ind: float) -> tuple[ComplexArray, list[ComplexArray]]:
    return w.jw * ind, [w.jw]


def _cpe(w: Frequencies, q: float, n: float) -> tuple[ComplexArray, list[ComplexArray]]:
    z = np.exp(-n * w.log_jw) / q
    return z, [-z / q, -z * w.log_jw]


def _warburg(w: Frequencies, sigma: float) -> tuple[ComplexArray, list[ComplexArray]]:
    return sigma * w.warburg_unit, [w.warburg_unit]


def _warburg_open(w: Frequencies, r: float, tau: float) -> tuple[ComplexArray, list[ComplexArray]]:
    s = np.sqrt(w.jw * tau)
    e = np.exp(-2.0 * s)
    one_minus = -np.expm1(-2.0 * s)
    coth = (1.0 + e) / one_minus
    csch2 = 4.0 * e / (one_minus * one_minus)
    shape = coth / s  # coth(s)/s
    dshape_ds = -csch2 / s - coth / (s * s)
    return r * shape, [shape, r * dshape_ds * s / (2.0 * tau)]


def _warburg_short(w: Frequencies, r: float, tau: float) -> tuple[ComplexArray, list[ComplexArray]]:
    s = np.sqrt(w.jw * tau)
    tanh, sech2 = _tanh_parts(s)
    shape = tanh / s
    dshape_ds = sech2 / s - tanh / (s * s)
    return r * shape, [shape, r * dshape_ds * s / (2.0 * tau)]


def _gerischer(w: Frequencies, r: float, tau: float) -> tuple[ComplexArray, list[ComplexArray]]:
    base = 1.0 + w.jw * tau
    shape = 1.0 / np.sqrt(base)
    z = r * shape
    return z, [shape, -0.5 * z * w.jw / base]


_R = ParameterSpec("R", "Ohm", "resistance", 10.0, 1e-9, 1e12)
_TAU = ParameterSpec("tau", "s", "time constant", 1.0, 1e-12, 1e8)

_SPECS: tuple[ElementSpec, ...] = (
    ElementSpec("R", "resistor", (_R,), _resistor, "Z = R"),
    ElementSpec(
        "C",
        "capacitor",
        (ParameterSpec("C", "F", "capacitance", 1e-6, 1e-18, 1e4),),
        _capacitor,
        "Z = 1/(jωC)",
    ),
    ElementSpec(
        "L",
        "inductor",
        (ParameterSpec("L", "H", "inductance", 1e-7, 1e-15, 1e2),),
        _inductor,
        "Z = jωL",
    ),
    ElementSpec(
        "CPE",
        "constant-phase element",
        (
            ParameterSpec("Q", "Ohm^-1 s^n", "CPE coefficient", 1e-5, 1e-18, 1e4),
            ParameterSpec("n", "", "CPE exponent (1 = ideal capacitor)", 0.9, 0.3, 1.0, log_scale=False),
        ),
        _cpe,
        "Z = 1/(Q (jω)^n)",
        "Brug et al., J. Electroanal. Chem. 176 (1984) 275",
    ),
    ElementSpec(
        "W",
        "semi-infinite Warburg",
        (ParameterSpec("sigma", "Ohm s^-1/2", "Warburg coefficient σ", 10.0, 1e-9, 1e10),),
        _warburg,
        "Z = σ(1 − j)/√ω",
        "Lasia, Electrochemical Impedance Spectroscopy and its Applications (2014), ch. 4",
    ),
    ElementSpec(
        "Wo",
        "finite-space (reflective) Warburg",
        (_R, _TAU),
        _warburg_open,
        "Z = R coth√(jωτ)/√(jωτ)",
        "Lasia (2014), ch. 4",
    ),
    ElementSpec(
        "Ws",
        "finite-length (transmissive) Warburg",
        (_R, _TAU),
        _warburg_short,
        "Z = R tanh√(jωτ)/√(jωτ)",
        "Lasia (2014), ch. 4",
    ),
    ElementSpec(
        "G",
        "Gerischer",
        (_R, _TAU),
        _gerischer,
        "Z = R/√(1 + jωτ)",
        "Boukamp & Bouwmeester, Solid State Ionics 157 (2003) 29",
    ),
)

ELEMENTS: Mapping[str, ElementSpec] = MappingProxyType({spec.symbol: spec for spec in _SPECS})
"""Every element type by symbol."""
