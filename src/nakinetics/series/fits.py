"""Fitting one spectrum of a series: warm start from the previous result with a fall-back to a fresh
no-guess (cold) fit, and the fit's columns of the series table.

Fall-back rule: the warm fit (``fit_circuit(..., warm_start=previous)``) is kept unless it raised, did not
converge, left a parameter at a bound that the last accepted cold fit was not at, or its reduced χ²
exceeds ``chi2_jump`` × the reference: the lowest reduced χ² since the last cold fit (so that a slow
degradation triggers as well as a jump).  Then a cold fit runs; its result is taken ("fallback") unless
the warm fit's χ² is lower by more than ``COLD_MARGIN``, in which case the warm result is kept and
labelled "warm (kept over cold)".  Such a kept warm fit resets the reference χ² (a cold fit did no
better) but not the bounds: a bound it newly reached keeps triggering cold checks on later spectra.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from .._checks import checked
from ..circuit import Circuit, Element, Parallel, elements_of
from ..derived import CellGeometry, derive_quantities, resistance_sum, role_assignment
from ..exceptions import ArgumentError, ArgumentTypeError, NakineticsError
from ..fitting import FitResult, FittedParameter, Weighting, fit_circuit
from ..parameters import resolve_circuit, resolve_model
from ..presets import Preset
from ..roles import ELECTROLYTES, INTERFACIAL_ROLES, OHMIC_ROLES, RoleAssignment, decide_context
from ..validation import KK_RMS_LIMIT

CHI2_JUMP = 3.0
"""A warm fit whose reduced χ² exceeds this multiple of the reference triggers a cold fit."""
COLD_MARGIN = 1e-3
"""A rejected warm fit is kept over the cold fit only when its χ² is lower by more than this fraction."""
WARM_KEPT = "warm (kept over cold)"
COLD_EVERY = 50
"""Default length of a warm-start chain (spectra): each chain starts with a cold fit."""
FIT_ERRORS: tuple[type[Exception], ...] = (
    NakineticsError,
    ValueError,
    ArithmeticError,
    np.linalg.LinAlgError,
)
"""Exceptions that turn a spectrum into a failed row instead of stopping the series."""
FitStart = Literal["cold", "warm", "fallback", "warm (kept over cold)"]


@dataclass(frozen=True)
class SeriesSettings:
    """Everything that decides a series' rows (a resumed run must use the same).

    circuit : preset name or circuit string.
    weighting, fmin_hz, fmax_hz, fixed : passed to :func:`~nakinetics.fitting.fit_circuit`.
    fix_electrolyte : hold the electrolyte parameters (the elements with an ohmic role in the first successfully
        fitted spectrum: electrolyte, bulk, grain boundary, leads) at that spectrum's values.
    independent : fit every spectrum cold, on its own (parallelisable), instead of warm-starting.
    cold_every : warm-start chains are this many spectra long, each starting with a cold fit (a fresh
        check of the warm chain every so often, and chains can be fitted in parallel); 0 = one chain.
    chi2_jump : fall-back threshold (see the module docstring).
    kk_limit : pass limit on the RMS relative Kramers–Kronig residual (fraction of |Z|).
    area_cm2 : geometric electrode area (cm²) for ASR, charge density and current.
    current_ma_cm2 : DC current density during stripping (mA cm⁻²).
    ac_current_ma_cm2 : AC current amplitude (mA cm⁻²) for the linearity and drift checks; with
        ``area_cm2`` it overrides the amplitude the files state.
    interval_s : spacing of spectra whose files give no times (s).
    voltage_offset_s : series time − voltage-record time (s); ``None`` = from absolute start times.
    electrolyte : ``"liquid"`` or ``"solid"`` (``None``: from the files or the preset, else not known): names
        the arcs as ``fit`` does (:func:`nakinetics.derived.role_assignment`, decided for every spectrum).
    """

    circuit: str
    weighting: str = Weighting.MODULUS.value
    fmin_hz: float | None = None
    fmax_hz: float | None = None
    fixed: tuple[tuple[str, float], ...] = ()
    fix_electrolyte: bool = False
    independent: bool = False
    cold_every: int = COLD_EVERY
    chi2_jump: float = CHI2_JUMP
    kk_limit: float = KK_RMS_LIMIT
    area_cm2: float | None = None
    current_ma_cm2: float | None = None
    ac_current_ma_cm2: float | None = None
    interval_s: float | None = None
    voltage_offset_s: float | None = None
    electrolyte: str | None = None

    def __post_init__(self) -> None:
        Weighting(self.weighting)  # raises ValueError for an unknown weighting
        if self.electrolyte not in (None, *ELECTROLYTES):
            raise ArgumentError(f"electrolyte must be 'liquid' or 'solid', got {self.electrolyte!r}")
        if isinstance(self.cold_every, bool) or not isinstance(self.cold_every, int):
            raise ArgumentTypeError(f"cold_every must be a whole number of spectra, got {self.cold_every!r}")
        if self.cold_every < 0:
            raise ArgumentError(f"cold_every must be ≥ 0 (0 = one warm-start chain), got {self.cold_every}")
        resolve_circuit(self.circuit)  # raises PresetError / CircuitSyntaxError early

    @property
    def model(self) -> str | Preset:
        """What is fitted: the preset ``circuit`` names or matches (as ``fit -c`` takes it,
        :func:`nakinetics.parameters.resolve_model`), else the circuit string."""
        return resolve_model(self.circuit, self.electrolyte)[0]

    def model_for(self, spectrum: Any) -> str | Preset:
        """What is fitted to ``spectrum``: :attr:`model`, with the electrolyte decided as ``fit`` decides it
        (``electrolyte``, else the file's) when a circuit string matches presets of both electrolytes."""
        electrolyte = decide_context(electrolyte=self.electrolyte, metadata=spectrum.metadata).electrolyte
        return _model(self.circuit, electrolyte)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (``fixed`` as a mapping)."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["fixed"] = dict(self.fixed)
        return out

    def fit_options(self, fixed: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {
            "weighting": self.weighting,
            "fmin": self.fmin_hz,
            "fmax": self.fmax_hz,
            "fixed": {**dict(self.fixed), **dict(fixed or {})},
        }


@lru_cache(maxsize=32)
def _model(circuit: str, electrolyte: str | None) -> str | Preset:
    """:func:`~nakinetics.parameters.resolve_model`, once per circuit, electrolyte and process."""
    return resolve_model(circuit, electrolyte)[0]


@dataclass(frozen=True)
class CircuitRoles:
    """What the series table needs of a circuit before any fit: its resistors, the resistors inside arcs
    (their ASR columns) and the arc capacitances.  Which resistances are electrolyte and which interfacial
    is decided for every fitted spectrum, as ``fit`` decides it (:func:`spectrum_roles`)."""

    circuit: Circuit
    preset: Preset | None
    resistors: tuple[str, ...]
    arc_resistors: tuple[str, ...]
    capacitances: tuple[str, ...]

    @classmethod
    def of(cls, circuit_or_preset: str, electrolyte: str | None = None) -> CircuitRoles:
        model = resolve_model(circuit_or_preset, electrolyte)[0]
        circuit, preset = resolve_circuit(model)
        series = {n.label for n in circuit.top_level if isinstance(n, Element)}
        resistors = tuple(e.label for e in circuit.elements if e.spec.symbol == "R")
        caps = [
            e.label
            for node in circuit.top_level
            if isinstance(node, Parallel)
            for e in elements_of(node)
            if e.spec.symbol in {"C", "CPE"}
        ]
        return cls(
            circuit=circuit,
            preset=preset,
            resistors=resistors,
            arc_resistors=tuple(r for r in resistors if r not in series),
            capacitances=tuple(caps),
        )

    def electrolyte_parameters(self, roles_text: str | None) -> tuple[str, ...]:
        """Parameters of the elements a row's ``roles`` column names ohmic (``fix_electrolyte``)."""
        roles = parse_roles(roles_text)
        return tuple(
            name
            for e in self.circuit.elements
            if roles.get(e.label) in OHMIC_ROLES
            for name in e.parameter_names
        )


def format_roles(roles: Mapping[str, str]) -> str:
    """The ``roles`` column: ``R0=electrolyte;R1=interface;CPE1=interface;...``."""
    return ";".join(f"{label}={role}" for label, role in roles.items())


def parse_roles(text: str | None) -> dict[str, str]:
    """The ``roles`` column back as a mapping (empty for a missing value)."""
    return dict(part.split("=", 1) for part in (text or "").split(";") if "=" in part)


def spectrum_roles(result: FitResult, settings: SeriesSettings) -> RoleAssignment:
    """The role decision of ``fit`` for one fitted spectrum of the series (its values, window, file metadata,
    ``settings.electrolyte`` and area; the preset's conventions when the circuit names or matches one)."""
    context = decide_context(
        electrolyte=settings.electrolyte, metadata=result.spectrum.metadata, preset=result.preset
    )
    return role_assignment(result, context, CellGeometry(area_cm2=settings.area_cm2))


@dataclass(frozen=True)
class PreviousFit:
    """What the next spectrum's warm start needs: the last accepted values, the reference reduced χ² (the
    lowest since the last cold fit) and the parameters at a bound in the last accepted cold fit."""

    values: Mapping[str, float]
    redchi: float
    at_bound: frozenset[str] = field(default_factory=frozenset)


def advance_previous(
    previous: PreviousFit | None,
    start: str,
    values: Mapping[str, float],
    redchi: float,
    at_bound: frozenset[str],
) -> PreviousFit:
    """The warm-start state after a fit started as ``start`` (``previous`` ``None`` before the first fit).

    cold / fallback: the new fit becomes the reference (χ² and bounds); warm: the reference χ² is the lower
    of the two, the bounds stay; warm (kept over cold): the reference χ² is this fit's (a cold fit did no
    better), the bounds stay those of the last accepted cold fit."""
    if previous is None or start in ("cold", "fallback"):
        return PreviousFit(values, redchi, at_bound)
    keep_lower = start != WARM_KEPT and previous.redchi > 0
    return PreviousFit(values, min(previous.redchi, redchi) if keep_lower else redchi, previous.at_bound)


def parameters_at_bound(parameters: Mapping[str, FittedParameter], tolerance: float = 1e-4) -> frozenset[str]:
    """Names of varying parameters within ``tolerance`` × (log-)span of a bound."""
    out = set()
    for p in parameters.values():
        if not p.vary:
            continue
        log = p.min > 0
        span = math.log(p.max / p.min) if log else p.max - p.min
        low = math.log(p.value / p.min) if log else p.value - p.min
        high = math.log(p.max / p.value) if log else p.max - p.value
        if min(low, high) < tolerance * span:
            out.add(p.name)
    return frozenset(out)


@dataclass(frozen=True)
class SpectrumFit:
    """A fit of one spectrum of a series and how it was started."""

    result: FitResult
    start: FitStart
    reason: str | None = None

    @property
    def at_bound(self) -> frozenset[str]:
        return parameters_at_bound(self.result.parameters)

    def following(self, previous: PreviousFit | None) -> PreviousFit:
        """The warm-start state for the next spectrum (see :func:`advance_previous`)."""
        values, redchi = dict(self.result.values), self.result.statistics.redchi
        return advance_previous(previous, self.start, values, redchi, self.at_bound)


def _fallback_reason(warm: FitResult, previous: PreviousFit, chi2_jump: float) -> str | None:
    stats = warm.statistics
    if not stats.success or not math.isfinite(stats.chisqr):
        return "warm fit did not converge"
    new_bounds = sorted(parameters_at_bound(warm.parameters) - previous.at_bound)
    if new_bounds:
        return f"warm fit put {', '.join(new_bounds)} at a bound"
    if previous.redchi > 0 and stats.redchi > chi2_jump * previous.redchi:
        return (
            f"reduced χ² jumped ×{stats.redchi / previous.redchi:.3g} over the reference (lowest since "
            "the last cold fit)"
        )
    return None


@checked
def fit_spectrum(
    spectrum: Any,
    settings: SeriesSettings,
    previous: PreviousFit | None = None,
    fixed: Mapping[str, float] | None = None,
) -> SpectrumFit:
    """Fit ``spectrum``: cold without ``previous``, else warm with the fall-back rule of this module.

    ``fixed`` adds held parameters (e.g. the electrolyte values of the first spectrum).  Raises what
    :func:`~nakinetics.fitting.fit_circuit` raises when the cold fit itself fails.
    """
    options = settings.fit_options(fixed)
    model = settings.model_for(spectrum)
    if previous is None or settings.independent:
        return SpectrumFit(fit_circuit(spectrum, model, **options), "cold")
    warm: FitResult | None = None
    try:
        warm = fit_circuit(spectrum, model, warm_start=previous.values, **options)
    except FIT_ERRORS as exc:
        reason: str | None = f"warm fit failed: {exc}"
    else:
        reason = _fallback_reason(warm, previous, settings.chi2_jump)
        if reason is None:
            return SpectrumFit(warm, "warm")
    cold = fit_circuit(spectrum, model, **options)
    if (
        warm is not None
        and warm.statistics.success
        and warm.statistics.chisqr < (1 - COLD_MARGIN) * cold.statistics.chisqr
    ):
        ratio = cold.statistics.chisqr / warm.statistics.chisqr
        return SpectrumFit(warm, WARM_KEPT, f"{reason}; the cold fit's χ² was ×{ratio:.4g} higher")
    return SpectrumFit(cold, "fallback", reason)


def fit_columns(fit: SpectrumFit, roles: CircuitRoles, settings: SeriesSettings) -> dict[str, Any]:
    """The fit's part of a series row: start, statistics, parameters ± stderr, the roles of this fit (the
    decision ``fit`` makes), R_SE (ohmic roles), R_int (interfacial roles), ASR, C_eff."""
    result = fit.result
    stats = result.statistics
    area_cm2 = settings.area_cm2
    row: dict[str, Any] = {
        "fit_start": fit.start,
        "fallback_reason": fit.reason,
        "success": stats.success,
        "chisqr": stats.chisqr,
        "redchi": stats.redchi,
        "n_points": stats.n_points,
        "at_bound": ";".join(sorted(fit.at_bound)) or None,
        "fit_warnings": "; ".join(result.warnings) or None,
    }
    for name, p in result.parameters.items():
        row[name], row[f"{name}_stderr"] = p.value, p.stderr
    assignment = spectrum_roles(result, settings)
    row["roles"] = format_roles(assignment.roles)
    interfacial = tuple(assignment.resistances(*INTERFACIAL_ROLES))
    row["R_SE"], row["R_SE_stderr"] = resistance_sum(result, assignment.resistances(*OHMIC_ROLES))
    row["R_int"], row["R_int_stderr"] = resistance_sum(result, interfacial)
    if area_cm2 is not None and row["R_int"] is not None:
        row["ASR_int"] = row["R_int"] * area_cm2
        row["ASR_int_stderr"] = None if row["R_int_stderr"] is None else row["R_int_stderr"] * area_cm2
    for label in interfacial if area_cm2 is not None else ():
        value, stderr = resistance_sum(result, (label,))  # R × A, cell total
        row[f"ASR_{label}"] = None if value is None else value * area_cm2
        row[f"ASR_{label}_stderr"] = None if stderr is None else stderr * area_cm2
    # no area: only the arc quantities (C_eff, apex frequency) are derived, the ones needed here
    derived, _ = derive_quantities(result, CellGeometry(area_cm2=None, cell="single"))
    for label in roles.capacitances:
        quantity = derived.get(f"C_eff_{label}")
        if quantity is not None:
            row[f"C_eff_{label}"], row[f"C_eff_{label}_stderr"] = quantity.value, quantity.stderr
    return row
