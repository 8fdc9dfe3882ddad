"""How a fit's parameters are set up: which are free, fixed or tied, their bounds and starting values.

The ways users describe this all end here: a preset's overrides, ``fixed``/``bounds``/``initial``
mappings (nakinetics names or impedance.py's ``CPE1_0``), ``ties`` (``{"R2": "R1"}``), an impedance.py
``CustomCircuit`` (its circuit string, constants and initial guess) and an ``lmfit.Parameters`` object
(value, min, max, vary, expr).  Neither impedance.py nor lmfit is imported: their objects are read by
their attributes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ._checks import bounds_pair, number
from ._typing import ComplexArray, FloatArray
from .circuit import Circuit
from .elements import with_unit
from .exceptions import ArgumentError, ArgumentTypeError, CircuitSyntaxError, FitError
from .presets import Preset, get_preset, list_presets
from .roles import matching_preset, same_structure
from .ties import Tie, TieError, order_ties, parse_tie

Bounds = Mapping[str, tuple[float | None, float | None]]


def is_impedance_py_circuit(obj: Any) -> bool:
    """Whether ``obj`` looks like an impedance.py circuit model (``CustomCircuit``, ``Randles``)."""
    return isinstance(getattr(obj, "circuit", None), str) and isinstance(
        getattr(obj, "constants", None), dict
    )


def resolve_circuit(circuit_or_preset: str | Circuit | Preset | Any) -> tuple[Circuit, Preset | None]:
    """Turn a preset name, a circuit string, a :class:`Circuit`, a :class:`Preset` or an impedance.py
    ``CustomCircuit`` into the circuit and its preset (``None`` when it is not a preset)."""
    if isinstance(circuit_or_preset, Preset):
        return circuit_or_preset.circuit, circuit_or_preset
    if isinstance(circuit_or_preset, Circuit):
        return circuit_or_preset, None
    if is_impedance_py_circuit(circuit_or_preset):
        return Circuit(circuit_or_preset.circuit), None
    if not isinstance(circuit_or_preset, str):
        raise CircuitSyntaxError(
            "expected a preset name, a circuit string, a Circuit, a Preset or an impedance.py CustomCircuit, "
            f"got {type(circuit_or_preset).__name__}"
        )
    # a trailing ':' comes with a name copied from a batch summary line ("na_se_na_2arc: 12 spectra")
    text = circuit_or_preset.strip().removesuffix(":").rstrip()
    if text in {p.name for p in list_presets()}:
        return get_preset(text).circuit, get_preset(text)
    try:
        return Circuit(text), None
    except CircuitSyntaxError:
        if re.fullmatch(r"[a-z][a-z0-9_]*", text):
            get_preset(text)  # raises PresetError with the known names and a suggestion
        if (named := _NAMED_MODEL.fullmatch(text)) is not None and named.group(1) != "p":
            return _named_model(named.group(1), named.group(2))
        raise


def resolve_model(
    circuit_or_preset: str, electrolyte: str | None = None, candidates: Sequence[Preset] | None = None
) -> tuple[str | Preset, str | None]:
    """The model a user's ``-c`` names (``fit``, ``conductivity``, ``geis``, ``arrhenius``): a preset by name
    (or ``name (circuit)``), or a circuit string — taken as the preset with the same structure among
    ``candidates`` (default: every preset; one tagged ``electrolyte`` first, see
    :func:`nakinetics.roles.matching_preset`) when there is one, so the string gives exactly the preset's
    numbers (its bounds and roles; its conventions are then said to come from "circuit matches preset NAME"),
    with a note saying so.  Any other string is returned as it is."""
    circuit, preset = resolve_circuit(circuit_or_preset)
    if preset is not None:
        return preset, None
    matched = matching_preset(circuit, electrolyte, candidates)
    if matched is None:
        return circuit_or_preset, None
    note = f"{circuit.text} is the circuit of preset {matched.name}: its roles and bounds are used"
    return replace(matched, matched=True), note


_NAMED_MODEL = re.compile(r"([a-z][a-z0-9_]*)\s*\((.*)\)", re.DOTALL)
"""``name (circuit)``, the form reports print a preset in (:func:`nakinetics.presets.model_label`)."""


def _named_model(name: str, text: str) -> tuple[Circuit, Preset]:
    """The preset ``name`` written with its circuit ``text``: the two must agree (element numbers may differ,
    as when a circuit string was fitted as the preset of the same structure)."""
    preset = get_preset(name)  # PresetError with the known names and a suggestion
    circuit = Circuit(text)
    matched = same_structure(preset, circuit)
    if matched is None:
        raise CircuitSyntaxError(
            f"'{name} ({circuit.text})': preset {name} is the circuit {preset.circuit.text}, not {circuit.text}; "
            "give the preset name or the circuit string alone"
        )
    return matched.circuit, matched


@dataclass
class ParameterSetup:
    """Per parameter (canonical names): fit bounds, held values, ties and starting values.

    ``values`` holds the fixed values and any starting value a preset gives; ``vary`` is False for
    fixed and tied parameters; ``ties`` maps a tied parameter to its :class:`~nakinetics.ties.Tie`.
    """

    values: dict[str, float] = field(default_factory=dict)
    lower: dict[str, float] = field(default_factory=dict)
    upper: dict[str, float] = field(default_factory=dict)
    vary: dict[str, bool] = field(default_factory=dict)
    ties: dict[str, Tie] = field(default_factory=dict)
    initial: dict[str, float] = field(default_factory=dict)

    @property
    def held(self) -> dict[str, float]:
        """Fixed (not fitted, not tied) parameters and their values."""
        return {n: self.values.get(n, math.nan) for n, v in self.vary.items() if not v and n not in self.ties}

    @property
    def locked(self) -> set[str]:
        """Parameters whose identity matters to the caller: fixed, tied or used in a tie."""
        used = {dep for tie in self.ties.values() for dep in tie.depends_on}
        return set(self.held) | set(self.ties) | used


@dataclass(frozen=True)
class FitSpecification:
    """What the user asked for, translated to canonical parameter names (see :func:`specify`)."""

    fixed: dict[str, float]
    bounds: dict[str, tuple[float | None, float | None]]
    initial: dict[str, float]
    ties: dict[str, str]


def specify(
    circuit: Circuit,
    source: Any = None,
    *,
    fixed: Mapping[str, float] | None = None,
    bounds: Bounds | None = None,
    initial: Mapping[str, float] | None = None,
    ties: Mapping[str, str | float] | None = None,
    params: Any = None,
) -> FitSpecification:
    """Merge the ways of describing parameters into one :class:`FitSpecification`.

    ``source`` is the object the circuit came from (an impedance.py ``CustomCircuit`` contributes its
    constants as fixed values and its initial guess as starting values); ``params`` an
    ``lmfit.Parameters`` (value → start, min/max → bounds, ``vary=False`` → fixed, ``expr`` → tie).
    Explicit ``fixed``, ``bounds``, ``initial`` and ``ties`` take precedence over both.
    """
    spec_fixed: dict[str, float] = {}
    spec_bounds: dict[str, tuple[float | None, float | None]] = {}
    spec_initial: dict[str, float] = {}
    spec_ties: dict[str, str] = {}
    if source is not None and is_impedance_py_circuit(source):
        spec_fixed |= circuit.canonical_values(source.constants, "CustomCircuit constants")
        guess = [float(v) for v in getattr(source, "initial_guess", None) or []]
        free = [n for n in circuit.parameter_names if n not in spec_fixed]
        if guess and len(guess) != len(free):
            raise FitError(
                f"CustomCircuit {source.circuit}: {len(guess)} initial guesses for {len(free)} parameters "
                f"that are not constants ({', '.join(free)})"
            )
        spec_initial |= dict(zip(free, guess, strict=False))
    if params is not None:
        lm_fixed, lm_bounds, lm_initial, lm_ties = _from_lmfit(circuit, params)
        spec_fixed |= lm_fixed
        spec_bounds |= lm_bounds
        spec_initial |= lm_initial
        spec_ties |= lm_ties
    for name, expression in circuit.canonical_values(ties or {}, "ties").items():
        spec_ties[name] = str(expression)
        spec_fixed.pop(name, None)  # an explicit tie replaces a constant of the CustomCircuit or lmfit
    spec_fixed |= circuit.canonical_values(_mapping(fixed, "fixed"), "fixed")
    spec_bounds |= circuit.canonical_values(_mapping(bounds, "bounds"), "bounds")
    spec_initial |= circuit.canonical_values(_mapping(initial, "initial"), "initial")
    return FitSpecification(
        {n: number(v, f"fixed value of {n}") for n, v in spec_fixed.items()},
        {n: bounds_pair(v, f"bounds of {n}") for n, v in spec_bounds.items()},
        {n: number(v, f"initial value of {n}") for n, v in spec_initial.items()},
        spec_ties,
    )


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    """``value`` if it is a mapping of names (``None`` → empty), else an :class:`ArgumentTypeError`."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{name} must be a mapping of parameter names, got {type(value).__name__}")
    return value


def _from_lmfit(
    circuit: Circuit, params: Any
) -> tuple[dict[str, float], dict[str, tuple[float | None, float | None]], dict[str, float], dict[str, str]]:
    """Read an ``lmfit.Parameters`` (any mapping of objects with value, min, max, vary, expr)."""
    if not hasattr(params, "items"):
        raise FitError(f"params must be an lmfit.Parameters (a mapping), got {type(params).__name__}")
    fixed: dict[str, float] = {}
    bounds: dict[str, tuple[float | None, float | None]] = {}
    initial: dict[str, float] = {}
    ties: dict[str, str] = {}
    for key, par in params.items():
        name = circuit.require_name(key, "lmfit Parameters")
        expr = getattr(par, "expr", None)
        value = getattr(par, "value", None)
        if expr:
            ties[name] = str(expr)
            continue
        low, high = getattr(par, "min", None), getattr(par, "max", None)
        bounds[name] = (
            float(low) if low is not None and math.isfinite(low) else None,
            float(high) if high is not None and math.isfinite(high) else None,
        )
        if value is not None and math.isfinite(value):
            if getattr(par, "vary", True):
                initial[name] = float(value)
            else:
                fixed[name] = float(value)
        elif not getattr(par, "vary", True):
            raise FitError(f"lmfit parameter '{key}' has vary=False but no finite value")
    return fixed, bounds, initial, ties


def _check_user_bounds(name: str, spec: Any, low: float | None, high: float | None) -> None:
    """User bounds must leave part of the parameter's range: a positive magnitude needs an upper bound
    > 0, any parameter bounds that overlap its range [min, max] (a CPE exponent in (-1, 0) is not a CPE)."""
    if spec.log_scale and high is not None and high <= 0:
        raise ArgumentError(
            f"bounds of {name}: upper bound {with_unit(high, spec.unit, 'g')} must be > 0 ({name} is positive)"
        )
    effective_low = spec.min if low is None or (spec.log_scale and low <= 0) else low
    effective_high = spec.max if high is None else high
    if effective_high < spec.min or effective_low > spec.max:
        raise ArgumentError(
            f"bounds of {name} ({low}, {high}) do not overlap its range [{spec.min:g}, {spec.max:g}] {spec.unit}".rstrip()
        )


def parameter_setup(circuit: Circuit, preset: Preset | None, spec: FitSpecification) -> ParameterSetup:
    """Bounds, held values and ties for every parameter of ``circuit`` (canonical names).

    Bounds come from the element, then the preset, then the user; a lower bound of 0 (or below) for a
    strictly positive parameter means "positive" and keeps the element's lower bound (lmfit's and
    impedance.py's habit of writing min=0).
    """
    setup = ParameterSetup()
    for info in circuit.parameters:
        lo, hi, vary = info.spec.min, info.spec.max, True
        override = preset.parameters.get(info.name) if preset else None
        if override is not None:
            lo = lo if override.min is None else override.min
            hi = hi if override.max is None else override.max
            vary = override.vary
            if override.value is not None:
                setup.values[info.name] = override.value
        user_lo, user_hi = spec.bounds.get(info.name, (None, None))
        _check_user_bounds(info.name, info.spec, user_lo, user_hi)
        if user_lo is not None and not (info.spec.log_scale and user_lo <= 0):
            lo = user_lo
        hi = hi if user_hi is None else user_hi
        if lo >= hi:
            unit = info.spec.unit
            raise FitError(
                f"{info.name}: lower bound {with_unit(lo, unit, 'g')} is not below upper bound {with_unit(hi, unit, 'g')}"
            )
        if info.name in spec.fixed:
            value = spec.fixed[info.name]
            if not lo <= value <= hi:
                raise ArgumentError(
                    f"fixed value {info.name} = {with_unit(value, info.spec.unit, 'g')} is outside its range "
                    f"[{lo:g}, {hi:g}]{' ' + info.spec.unit if info.spec.unit else ''}"
                    + (
                        " (it must be > 0)"
                        if info.spec.log_scale and value <= 0
                        else "; widen it with bounds"
                    )
                )
            setup.values[info.name] = value
            vary = False
        setup.lower[info.name], setup.upper[info.name], setup.vary[info.name] = lo, hi, vary
    for name, expression in spec.ties.items():
        if name in spec.fixed:
            raise TieError(f"{name} is both fixed and tied; give one of them")
        setup.ties[name] = parse_tie(name, expression, circuit.canonical_name)
        setup.vary[name] = False
        if name in setup.ties[name].depends_on:
            raise TieError(f"tie {name} = {expression} refers to itself")
    order_ties(setup.ties)  # raises on a cycle
    setup.initial = {n: v for n, v in spec.initial.items() if setup.vary[n]}
    return setup


class TiedValues:
    """Fill tied parameters into a full parameter vector and chain their derivatives to the free ones.

    A tie is only usable where its value lies within the tied parameter's bounds (``lower``/``upper``):
    :meth:`fill` marks a point where it does not (or where the expression is undefined) as infeasible by
    writing NaN, so the search rejects it; :meth:`check` raises :class:`~nakinetics.ties.TieError`.
    """

    def __init__(
        self,
        names: Sequence[str],
        free: Sequence[int],
        ties: Mapping[str, Tie],
        lower: Mapping[str, float] | None = None,
        upper: Mapping[str, float] | None = None,
        units: Mapping[str, str] | None = None,
    ) -> None:
        self.names = list(names)
        self.free = list(free)
        self.order = order_ties(ties)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.tied = [self.index[t.target] for t in self.order]
        self.lower = {t.target: (lower or {}).get(t.target, -math.inf) for t in self.order}
        self.upper = {t.target: (upper or {}).get(t.target, math.inf) for t in self.order}
        self.units = dict(units or {})

    def __bool__(self) -> bool:
        return bool(self.order)

    def fill(self, full: FloatArray, strict: bool = False) -> FloatArray:
        """Evaluate every tie into ``full`` (in place); return ∂p_tied/∂p_free, shape (n_tied, n_free).
        A tie that is undefined or outside its bounds writes NaN (``strict``: raises TieError)."""
        n_free = len(self.free)
        duals: dict[str, tuple[float, FloatArray]] = {}
        eye = np.eye(n_free)
        position = {i: k for k, i in enumerate(self.free)}
        gradient = np.zeros((len(self.order), n_free))
        for row, tie in enumerate(self.order):
            for dep in tie.depends_on:
                if dep not in duals:
                    i = self.index[dep]
                    duals[dep] = (float(full[i]), eye[position[i]] if i in position else np.zeros(n_free))
            try:
                if any(math.isnan(duals[dep][0]) for dep in tie.depends_on):
                    raise TieError(f"tie {tie.target} = {tie.expression}: depends on an infeasible value")
                value, grad = tie.evaluate(duals)
                self._check_bounds(tie, value)
            except TieError:
                if strict:
                    raise
                value, grad = math.nan, np.zeros(n_free)
            full[self.index[tie.target]] = value
            duals[tie.target] = (value, grad)
            gradient[row] = grad
        return gradient

    def check(self, full: FloatArray) -> None:
        """Raise :class:`TieError` when a tie is undefined or outside its bounds at ``full``."""
        self.fill(full.copy(), strict=True)

    def _check_bounds(self, tie: Tie, value: float) -> None:
        low, high = self.lower[tie.target], self.upper[tie.target]
        if not low <= value <= high:
            unit = self.units.get(tie.target, "")
            raise TieError(
                f"tie {tie.target} = {tie.expression} gives {tie.target} = {with_unit(value, unit, 'g')}, "
                f"outside its bounds [{low:g}, {high:g}]{' ' + unit if unit else ''}"
            )

    def chain(self, dz: ComplexArray, gradient: FloatArray) -> ComplexArray:
        """∂Z/∂p_free including the paths through tied parameters: rows of the free parameters of ``dz``
        (all parameters × frequencies) plus gradientᵀ · rows of the tied ones."""
        out = dz[self.free]
        if self.order:
            out = out + gradient.T @ dz[self.tied]
        return out
