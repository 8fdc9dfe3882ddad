"""Circuit elements: one definition each, with formula, analytic derivatives, units and bounds.

Conventions: ω in rad s⁻¹, Z in Ω, Z'' < 0 for capacitive behaviour.  Every formula returns the
impedance and its derivative with respect to each parameter, so fits get an exact Jacobian.

========  ====================================  ====================================================
symbol    impedance                             parameters (units)
========  ====================================  ====================================================
R         R                                     R (Ω)
C         1/(jωC)                               C (F)
L         jωL                                   L (H)
CPE       1/(Q (jω)^n)                          Q (Ω⁻¹ sⁿ = F s^(n−1)), n (1)
W         σ(1 − j)/√ω                           σ (Ω s^-½) — semi-infinite Warburg
Wo        R coth√(jωτ)/√(jωτ)                   R (Ω), τ (s) — finite space, reflective
Ws        R tanh√(jωτ)/√(jωτ)                   R (Ω), τ (s) — finite length, transmissive
G         R/√(1 + jωτ)                          R (Ω), τ (s) — Gerischer
Gs        R/(√(1 + jωτ) tanh(φ√(1 + jωτ)))      R (Ω), τ (s), φ (1) — finite-length Gerischer
K         R/(1 + jωτ)                           R (Ω), τ (s) — RC element (linear Kramers–Kronig)
Zarc      R/(1 + (jωτ)^n)                       R (Ω), τ (s), n (1) — R‖CPE written with τ
TLMQ      √(R_ion Z_s) coth√(R_ion/Z_s),        R_ion (Ω), Q (Ω⁻¹ sⁿ), n (1) — transmission line
          Z_s = 1/(Q (jω)^n)
T         A coth β/β + B/(β sinh β),            A (Ω), B (Ω), a (1), b (s) — porous electrode
          β = √(a + jωb)                        (Paasch, Micka & Gersdorf)
La        (L jω)^n                              L (Ω^(1/n) s), n (1) — modified inductance
========  ====================================  ====================================================

The formulas and parameter orders equal impedance.py 1.7.1's elements of the same symbol, so its circuit
strings carry over; nakinetics names the parameters (``CPE1_Q``) instead of numbering them (``CPE1_0``;
those positional names are accepted as aliases).  Warburg σ is impedance.py's ``A_W``; pyimpspec's Y at
n = ½ is 1/(σ√2).  impedance.py computes La as (L·jω)^n (its docstring says L·(jω)^n); nakinetics follows
the code, so L carries the unit Ω^(1/n) s.  For T, impedance.py replaces sinh β by 1e10 once Re β ≥ 100;
nakinetics evaluates B/(β sinh β) without overflow instead (the two differ by less than 1e-10·B/A).

:func:`register_element` adds a user-defined element (formula, parameter units and bounds; derivatives
optional, central differences when absent); it refuses a symbol that is already defined.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from ._typing import ComplexArray, FloatArray
from .exceptions import ElementDefinitionError


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


def with_unit(value: float, unit: str, spec: str = ".3g") -> str:
    """``value`` formatted with ``spec`` and followed by its ``unit`` (nothing for a dimensionless one): the one
    way a message quotes a parameter value, ``22 Ohm^-1 s^n``, ``0.5``."""
    text = format(value, spec)
    return f"{text} {unit}" if unit else text


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


def _inverse(x: float) -> float:
    """1/x for a real divisor of complex arrays: numpy divides a complex array by a real x as a product with
    1/x (its complex division with a zero imaginary part), so writing that product is cheaper and gives the same
    numbers; at x = 0 the product with +inf gives numpy's infinities as the division does."""
    return 1.0 / x if x else math.inf


def _capacitor(w: Frequencies, c: float) -> tuple[ComplexArray, list[ComplexArray]]:
    z = 1.0 / (w.jw * c)
    return z, [z * -_inverse(c)]


def _inductor(w: Frequencies, ind: float) -> tuple[ComplexArray, list[ComplexArray]]:
    return w.jw * ind, [w.jw]


def _cpe(w: Frequencies, q: float, n: float) -> tuple[ComplexArray, list[ComplexArray]]:
    inverse = _inverse(q)
    z = np.exp(-n * w.log_jw) * inverse
    return z, [z * -inverse, -z * w.log_jw]


def _warburg(w: Frequencies, sigma: float) -> tuple[ComplexArray, list[ComplexArray]]:
    return sigma * w.warburg_unit, [w.warburg_unit]


def _coth_over(s: ComplexArray) -> tuple[ComplexArray, ComplexArray, ComplexArray]:
    """Return (coth s, csch² s, coth(s)/s) for Re s > 0 without overflow, using e^(−2s)."""
    e = np.exp(-2.0 * s)
    one_minus = -np.expm1(-2.0 * s)
    coth = (1.0 + e) / one_minus
    return coth, 4.0 * e / (one_minus * one_minus), coth / s


def _coth_shape(s: ComplexArray) -> tuple[ComplexArray, ComplexArray]:
    """coth(s)/s and its derivative with respect to s."""
    coth, csch2, shape = _coth_over(s)
    return shape, -csch2 / s - coth / (s * s)


def _warburg_open(w: Frequencies, r: float, tau: float) -> tuple[ComplexArray, list[ComplexArray]]:
    s = np.sqrt(w.jw * tau)
    shape, dshape_ds = _coth_shape(s)
    return r * shape, [shape, r * dshape_ds * s / (2.0 * tau)]


def _warburg_short(w: Frequencies, r: float, tau: float) -> tuple[ComplexArray, list[ComplexArray]]:
    s = np.sqrt(w.jw * tau)
    tanh, sech2 = _tanh_parts(s)
    shape = tanh / s
    # sech²/s − tanh/s² cancels to −2s/3 at low frequency: use the series there (computed only when needed)
    s2 = s * s
    dshape_ds = sech2 / s - tanh / s2
    small = np.abs(s) < 1e-2
    if small.any():
        series = s * (-2.0 / 3.0 + s2 * (8.0 / 15.0 - s2 * 102.0 / 315.0))
        dshape_ds = np.where(small, series, dshape_ds)
    return r * shape, [shape, r * dshape_ds * s * _inverse(2.0 * tau)]


def _gerischer(w: Frequencies, r: float, tau: float) -> tuple[ComplexArray, list[ComplexArray]]:
    base = 1.0 + w.jw * tau
    shape = 1.0 / np.sqrt(base)
    z = r * shape
    return z, [shape, -0.5 * z * w.jw / base]


def _gerischer_finite(
    w: Frequencies, r: float, tau: float, phi: float
) -> tuple[ComplexArray, list[ComplexArray]]:
    s = np.sqrt(1.0 + w.jw * tau)
    tanh, sech2 = _tanh_parts(phi * s)
    z = r / (s * tanh)
    dz_ds = -z * (tanh + phi * s * sech2) / (s * tanh)
    return z, [z / r, dz_ds * w.jw / (2.0 * s), -z * s * sech2 / tanh]


def _rc_element(w: Frequencies, r: float, tau: float) -> tuple[ComplexArray, list[ComplexArray]]:
    base = 1.0 + w.jw * tau
    shape = 1.0 / base
    return r * shape, [shape, -r * w.jw * shape * shape]


def _zarc(w: Frequencies, r: float, tau: float, n: float) -> tuple[ComplexArray, list[ComplexArray]]:
    log_jwt = w.log_jw + np.log(tau)
    x = np.exp(n * log_jwt)  # (jωτ)^n, principal branch as numpy's power
    shape = 1.0 / (1.0 + x)
    dz_dx = -r * shape * shape
    return r * shape, [shape, dz_dx * n * x / tau, dz_dx * x * log_jwt]


def _transmission_line_cpe(
    w: Frequencies, r_ion: float, q: float, n: float
) -> tuple[ComplexArray, list[ComplexArray]]:
    # √(R_ion Z_s) coth √(R_ion/Z_s) = R_ion coth(u)/u with u = √(R_ion Q (jω)^n)
    u = np.exp(0.5 * (np.log(r_ion * q) + n * w.log_jw))
    coth, csch2, shape = _coth_over(u)
    du = -0.5 * r_ion * (csch2 + coth / u)  # R_ion · ∂shape/∂u · u/2 = ∂Z/∂(ln Q)
    # ∂Z/∂R_ion = (coth(u)/u − csch²u)/2; both terms grow as 1/u² at low frequency, so use the series there
    u2 = u * u
    small = np.abs(u) < 1e-2
    d_rion = np.where(small, 1.0 / 3.0 - u2 * (2.0 / 45.0 - u2 * 2.0 / 315.0), 0.5 * (shape - csch2))
    return r_ion * shape, [d_rion, du / q, du * w.log_jw]


def _porous_electrode(
    w: Frequencies, a_coef: float, b_coef: float, a: float, b: float
) -> tuple[ComplexArray, list[ComplexArray]]:
    beta = np.sqrt(a + w.jw * b)
    coth, csch2, coth_shape = _coth_over(beta)
    csch = 2.0 * np.exp(-beta) / -np.expm1(-2.0 * beta)
    sinh_shape = csch / beta  # 1/(β sinh β)
    dcoth_shape = -csch2 / beta - coth / (beta * beta)
    dsinh_shape = -csch * coth / beta - csch / (beta * beta)
    dz_dbeta = a_coef * dcoth_shape + b_coef * dsinh_shape
    dbeta_da = 0.5 / beta
    return (
        a_coef * coth_shape + b_coef * sinh_shape,
        [coth_shape, sinh_shape, dz_dbeta * dbeta_da, dz_dbeta * dbeta_da * w.jw],
    )


def _modified_inductance(w: Frequencies, ind: float, n: float) -> tuple[ComplexArray, list[ComplexArray]]:
    log_base = np.log(ind) + w.log_jw
    z = np.exp(n * log_base)  # (L jω)^n as impedance.py computes it
    return z, [n * z / ind, z * log_base]


_R = ParameterSpec("R", "Ohm", "resistance", 10.0, 1e-9, 1e12)
_TAU = ParameterSpec("tau", "s", "time constant", 1.0, 1e-12, 1e8)
_EXPONENT = ParameterSpec("n", "", "dispersion exponent (1 = ideal)", 0.9, 0.3, 1.0, log_scale=False)
_Q = ParameterSpec("Q", "Ohm^-1 s^n", "CPE coefficient", 1e-5, 1e-18, 1e4)

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
        (_Q, ParameterSpec("n", "", "CPE exponent (1 = ideal capacitor)", 0.9, 0.3, 1.0, log_scale=False)),
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
    ElementSpec(
        "Gs",
        "finite-length Gerischer",
        (_R, _TAU, ParameterSpec("phi", "", "finite-length factor φ", 1.0, 1e-6, 1e6)),
        _gerischer_finite,
        "Z = R/(√(1 + jωτ) tanh(φ√(1 + jωτ)))",
        "Green, Liu & Adler, Solid State Ionics 179 (2008) 647",
    ),
    ElementSpec(
        "K",
        "RC element (R‖C written with τ = RC)",
        (_R, _TAU),
        _rc_element,
        "Z = R/(1 + jωτ)",
        "Schönleber, Klotz & Ivers-Tiffée, Electrochim. Acta 131 (2014) 20",
    ),
    ElementSpec(
        "Zarc",
        "ZARC (R‖CPE written with τ; Cole–Cole)",
        (_R, _TAU, _EXPONENT),
        _zarc,
        "Z = R/(1 + (jωτ)^n)",
        "Cole & Cole, J. Chem. Phys. 9 (1941) 341",
    ),
    ElementSpec(
        "TLMQ",
        "transmission line with CPE interface (simplified)",
        (ParameterSpec("Rion", "Ohm", "ionic resistance of the pore", 10.0, 1e-9, 1e12), _Q, _EXPONENT),
        _transmission_line_cpe,
        "Z = √(R_ion Z_s) coth√(R_ion/Z_s), Z_s = 1/(Q (jω)^n)",
        "Landesfeind et al., J. Electrochem. Soc. 163 (2016) A1373, eq. 11",
    ),
    ElementSpec(
        "T",
        "macrohomogeneous porous electrode",
        (
            ParameterSpec("A", "Ohm", "A = d(ρ1² + ρ2²)/(ρ1 + ρ2)", 10.0, 1e-9, 1e12),
            ParameterSpec("B", "Ohm", "B = 2dρ1ρ2/(ρ1 + ρ2)", 10.0, 1e-9, 1e12),
            ParameterSpec("a", "", "a = kd²/K", 1.0, 1e-12, 1e8),
            ParameterSpec("b", "s", "b = d²/K", 1.0, 1e-12, 1e8),
        ),
        _porous_electrode,
        "Z = A coth β/β + B/(β sinh β), β = √(a + jωb)",
        "Paasch, Micka & Gersdorf, Electrochim. Acta 38 (1993) 2653",
    ),
    ElementSpec(
        "La",
        "modified inductance",
        (
            ParameterSpec("L", "Ohm^(1/n) s", "inductance coefficient", 1e-7, 1e-15, 1e2),
            ParameterSpec("n", "", "exponent", 0.9, 0.0, 1.0, log_scale=False),
        ),
        _modified_inductance,
        "Z = (L jω)^n",
        "BioLogic EC-Lab Application Note 42 (2019)",
    ),
)

_BUILTIN: frozenset[str] = frozenset(spec.symbol for spec in _SPECS)
_REGISTRY: dict[str, ElementSpec] = {spec.symbol: spec for spec in _SPECS}

ELEMENTS: Mapping[str, ElementSpec] = MappingProxyType(_REGISTRY)
"""Every element type by symbol (a read-only view: elements added by :func:`register_element` appear
here)."""

_SYMBOL = re.compile(r"[A-Za-z]+")
_SUFFIX = re.compile(r"[A-Za-z][A-Za-z0-9]*")

#: A user formula: ``impedance(omega, *values) -> Z`` with ω in rad s⁻¹ and Z in Ω.
UserImpedance = Callable[..., Any]
#: Optional user derivatives: ``gradient(omega, *values) -> [∂Z/∂p for each parameter]``.
UserGradient = Callable[..., Sequence[Any]]


def _user_function(
    symbol: str, impedance: UserImpedance, gradient: UserGradient | None, n_params: int
) -> ImpedanceWithGradient:
    """Wrap a user formula (and optional derivatives) as an :data:`ImpedanceWithGradient`."""

    def function(w: Frequencies, *values: float) -> tuple[ComplexArray, list[ComplexArray]]:
        z = np.asarray(impedance(w.omega, *values), dtype=complex) * w.ones
        if gradient is not None:
            grads = [np.asarray(g, dtype=complex) * w.ones for g in gradient(w.omega, *values)]
            if len(grads) != n_params:
                raise ElementDefinitionError(
                    f"element {symbol}: gradient returned {len(grads)} derivatives for {n_params} parameters"
                )
            return z, grads
        return z, _central_differences(impedance, w.omega, values)

    return function


def _central_differences(
    impedance: UserImpedance, omega: FloatArray, values: tuple[float, ...]
) -> list[ComplexArray]:
    """∂Z/∂p by central differences with a relative step of 1e-6 (absolute 1e-9 at p = 0)."""
    grads = []
    for k, value in enumerate(values):
        h = 1e-6 * abs(value) if value != 0 else 1e-9
        up, down = list(values), list(values)
        up[k] += h
        down[k] -= h
        z_up = np.asarray(impedance(omega, *up), dtype=complex)
        z_down = np.asarray(impedance(omega, *down), dtype=complex)
        grads.append((z_up - z_down) / (2.0 * h) * np.ones(omega.shape))
    return grads


def _as_parameter_spec(symbol: str, entry: ParameterSpec | Mapping[str, Any]) -> ParameterSpec:
    if isinstance(entry, ParameterSpec):
        spec = entry
    elif isinstance(entry, Mapping):
        known = {"name", "unit", "description", "default", "min", "max", "log_scale"}
        unknown = sorted(set(entry) - known)
        if unknown or "name" not in entry or "unit" not in entry:
            raise ElementDefinitionError(
                f"element {symbol}: a parameter needs 'name' and 'unit' (optional: description, default, "
                f"min, max, log_scale); got keys {sorted(entry)}"
            )
        log_scale = bool(entry.get("log_scale", float(entry.get("min", 1e-12)) > 0))
        spec = ParameterSpec(
            suffix=str(entry["name"]),
            unit=str(entry["unit"]),
            description=str(entry.get("description", "")),
            default=float(entry.get("default", 1.0)),
            min=float(entry.get("min", 1e-12 if log_scale else -1e12)),
            max=float(entry.get("max", 1e12)),
            log_scale=log_scale,
        )
    else:
        raise ElementDefinitionError(
            f"element {symbol}: parameters must be ParameterSpec or dicts, got {entry!r}"
        )
    if not _SUFFIX.fullmatch(spec.suffix):
        raise ElementDefinitionError(
            f"element {symbol}: parameter name '{spec.suffix}' must be a letter followed by letters or digits"
        )
    if not spec.min < spec.max or not spec.min <= spec.default <= spec.max:
        raise ElementDefinitionError(
            f"element {symbol}: parameter {spec.suffix} needs min < max and default inside "
            f"(got min={spec.min}, default={spec.default}, max={spec.max})"
        )
    if spec.log_scale and spec.min <= 0:
        raise ElementDefinitionError(
            f"element {symbol}: parameter {spec.suffix} is fitted on a log scale, so min must be > 0 "
            f"(got {spec.min}); pass log_scale=False for parameters that can be zero or negative"
        )
    return spec


def register_element(
    symbol: str,
    impedance: UserImpedance,
    parameters: Sequence[ParameterSpec | Mapping[str, Any]],
    *,
    name: str = "",
    gradient: UserGradient | None = None,
    equation: str = "",
    reference: str = "",
) -> ElementSpec:
    """Define a new element type for circuit strings (``"R0-p(R1,Hn1)"`` after registering ``Hn``).

    Parameters
    ----------
    symbol : letters only (``"Hn"``); must not already be defined (built-in or registered).
    impedance : ``impedance(omega, *values) -> Z``: ω in rad s⁻¹ (numpy array), parameter values in the
        order of ``parameters``, Z in Ω (complex array like ω, or a scalar), Z'' < 0 capacitive.
    parameters : one entry per parameter, a :class:`ParameterSpec` or a dict with ``name`` (the suffix:
        ``Hn1_R``), ``unit`` and optionally ``description``, ``default``, ``min``, ``max`` (fit bounds)
        and ``log_scale`` (fit log(value); default when ``min`` > 0).  A one-parameter element's
        parameter is named by the bare label (``Hn1``).
    name, equation, reference : description shown with the element.
    gradient : optional ``gradient(omega, *values) -> [∂Z/∂p, ...]`` (one complex array per
        parameter); without it the fit uses central differences (relative step 1e-6).

    Returns
    -------
    The new :class:`ElementSpec` (also in :data:`ELEMENTS`).

    Raises
    ------
    ElementDefinitionError : duplicate or malformed symbol, bad parameter definitions, or a formula that
        does not return finite complex values of the right shape at the default parameters.
    """
    if not isinstance(symbol, str) or not _SYMBOL.fullmatch(symbol) or symbol == "p":
        raise ElementDefinitionError(f"element symbol must be letters only (and not 'p'), got {symbol!r}")
    if symbol in _REGISTRY:
        kind = "a built-in element" if symbol in _BUILTIN else "already registered"
        raise ElementDefinitionError(
            f"element '{symbol}' is {kind}; choose another symbol (or unregister_element('{symbol}') first)"
        )
    if not callable(impedance) or (gradient is not None and not callable(gradient)):
        raise ElementDefinitionError(f"element {symbol}: impedance (and gradient) must be callables")
    specs = tuple(_as_parameter_spec(symbol, p) for p in parameters)
    if not specs:
        raise ElementDefinitionError(f"element {symbol}: needs at least one parameter")
    suffixes = [p.suffix for p in specs]
    if len(set(suffixes)) != len(suffixes):
        raise ElementDefinitionError(f"element {symbol}: parameter names repeat ({', '.join(suffixes)})")
    spec = ElementSpec(
        symbol,
        name or symbol,
        specs,
        _user_function(symbol, impedance, gradient, len(specs)),
        equation,
        reference,
    )
    probe = np.array([1.0, 1e3])
    try:
        z, grads = spec.evaluate(probe, *(p.default for p in specs))
    except ElementDefinitionError:
        raise
    except Exception as exc:  # a user formula may raise anything: report it as a definition error
        raise ElementDefinitionError(
            f"element {symbol}: formula failed at the default parameters ({type(exc).__name__}: {exc})"
        ) from exc
    if z.shape != probe.shape or not np.all(np.isfinite(z)) or not all(np.all(np.isfinite(g)) for g in grads):
        raise ElementDefinitionError(
            f"element {symbol}: formula must return finite complex values, one per frequency, at the "
            f"default parameters {[p.default for p in specs]}"
        )
    _REGISTRY[symbol] = spec
    return spec


def unregister_element(symbol: str) -> None:
    """Remove an element added by :func:`register_element` (built-in elements cannot be removed)."""
    if symbol in _BUILTIN:
        raise ElementDefinitionError(f"'{symbol}' is a built-in element and cannot be removed")
    if symbol not in _REGISTRY:
        raise ElementDefinitionError(f"no registered element '{symbol}'")
    del _REGISTRY[symbol]
