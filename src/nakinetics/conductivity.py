"""Ionic conductivity of a solid-electrolyte pellet between ion-blocking electrodes.

σ = L/(R A) (L thickness in cm, A electrode area in cm² → S cm⁻¹): bulk from R_b, grain boundary
(apparent, macroscopic) from R_gb, total from R_b + R_gb.  The numbers themselves come from
:func:`nakinetics.derived.derive_quantities` (roles ``bulk``, ``grain_boundary``, ``electrolyte`` of the
circuit's preset); this module chooses the model and decides what the measured window can tell apart.

A bulk arc whose apex lies above the highest measured frequency (NASICON at room temperature below
~1 GHz) is seen only as the real-axis intercept: R_b and R_gb are then not separated and only σ_total is
reported, with the reason.  Arcs are assigned by capacitance (Irvine, Sinclair & West, Adv. Mater. 2
(1990) 132): normalised to a cell constant L/A of 1 cm⁻¹, bulk ~1e-12 F, grain boundary 1e-11–1e-8 F.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from ._checks import checked, finite_result, number
from ._repr import compact_repr
from .data import Spectrum
from .derived import CellGeometry, element_roles, role_assignment, with_derived
from .exceptions import CircuitSyntaxError, DataError, PresetError
from .fitting import DerivedQuantity, FitResult, Weighting, fit_circuit
from .parameters import resolve_model
from .presets import Preset, get_preset
from .roles import DOUBLE_LAYER_CAPACITANCE_MIN_F, CellContext, assign_roles
from .selection import compare_models

ELECTRODE_CAPACITANCE_MIN_F = DOUBLE_LAYER_CAPACITANCE_MIN_F
"""An arc with a larger normalised capacitance is an electrode (double-layer) feature, not the electrolyte."""
MAX_RELATIVE_ERROR = 0.5
"""R_b or R_gb with a larger relative standard error is not considered separated."""

PELLET_MODELS = ("pellet_blocking", "pellet_1arc", "pellet_intercept")
"""The automatic candidates (presets in ``circuits/``): two arcs + electrode spike; intercept R_b + one
grain-boundary arc + spike (bulk arc above the window); intercept R_b + R_gb + spike."""


def pellet_models() -> list[Preset]:
    """Candidate models when none is given (:data:`PELLET_MODELS`): the ``pellet_blocking`` preset (bulk
    and grain-boundary arcs and the electrode spike) and its reductions for arcs above the measured window."""
    return [get_preset(name) for name in PELLET_MODELS]


@checked
def pellet_model(circuit: str | Preset) -> str | Preset:
    """The model ``circuit`` names, by the rule ``fit -c`` follows (:func:`nakinetics.parameters.resolve_model`):
    a preset or preset name is that preset; a circuit string with the structure of a pellet model
    (``R1-p(R2,CPE2)-CPE3`` as the automatic choice prints it, or ``R3-p(R5,CPE5)-CPE7``) is that model, so it
    gives the same numbers; any other string stays a string (roles from its structure, :func:`pellet_roles`)."""
    if isinstance(circuit, Preset):
        return circuit
    try:
        return resolve_model(circuit, "solid", pellet_models())[0]
    except (CircuitSyntaxError, PresetError):
        return circuit  # fit_circuit reports it, with its suggestions


PELLET_CONTEXT = CellContext("symmetric", "pellet", "solid", "pellet between ion-blocking electrodes")
"""A pellet between blocking electrodes: a solid electrolyte whose arcs are bulk and grain boundary."""


@checked
def pellet_roles(result: FitResult, cell_constant: float) -> dict[str, str]:
    """Role of each element of a pellet fit (blocking electrodes), from the named model or the structure:
    :func:`nakinetics.roles.assign_roles` for a solid electrolyte, with the arcs' capacitances normalised by
    the cell constant L/A (``cell_constant``, cm⁻¹).  A preset keeps its roles (identical arcs are fitted
    fastest first, so its bulk arc is the faster one); a circuit string equal to a preset's circuit up to
    element numbering takes that preset's; any other string is read by structure and Irvine–Sinclair–West
    capacitance ranges (bulk ≤ 1e-10 F and fastest, grain boundary ≤ 1e-8 F, a series R the bulk when only
    the grain-boundary arc is resolved, else the whole electrolyte; a series C/CPE the blocking electrode)."""
    found = assign_roles(
        result.circuit, result.values, PELLET_CONTEXT, result.preset, cell_constant_per_cm=cell_constant
    )
    return dict(found.roles)


@checked
def area_from_diameter(diameter_cm: float) -> float:
    """Electrode area π d²/4 (cm²) of a disc of diameter ``diameter_cm`` (cm)."""
    if not (math.isfinite(diameter_cm) and diameter_cm > 0):
        raise DataError(f"diameter must be a positive number of cm, got {diameter_cm}")
    return finite_result(lambda: math.pi * diameter_cm**2 / 4.0, "electrode area")


@dataclass(frozen=True)
class ConductivityResult:
    """Conductivities (S cm⁻¹) of a pellet from one fit.

    ``bulk`` and ``grain_boundary`` are ``None`` when the window does not separate them; ``reason`` then
    says why.  ``choice`` explains the model choice when it was automatic.  ``notes`` hold the checks made
    here (capacitance assignment); :attr:`warnings` adds the fit's own.
    """

    __repr__ = compact_repr

    fit: FitResult
    thickness_cm: float
    area_cm2: float
    total: DerivedQuantity
    bulk: DerivedQuantity | None = None
    grain_boundary: DerivedQuantity | None = None
    reason: str | None = None
    choice: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        """Whether bulk and grain-boundary conductivities are both reported."""
        return self.bulk is not None and self.grain_boundary is not None

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.fit.warnings) + self.notes

    @property
    def roles(self) -> dict[str, str]:
        """Role of each element of the fitted model (:func:`pellet_roles`), in circuit order."""
        roles = element_roles(self.fit)
        return {e.label: roles[e.label] for e in self.fit.circuit.elements if e.label in roles}

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.fit.spectrum.metadata.source,
            "index": self.fit.spectrum.metadata.index,
            "sigma_total": self.total.to_dict(),
            "sigma_bulk": None if self.bulk is None else self.bulk.to_dict(),
            "sigma_grain_boundary": None if self.grain_boundary is None else self.grain_boundary.to_dict(),
            "resolved": self.resolved,
            "reason": self.reason,
            "choice": self.choice,
            "roles": self.roles,
            "inputs": {
                "thickness_cm": self.thickness_cm,
                "area_cm2": self.area_cm2,
                "cell_constant_per_cm": self.thickness_cm / self.area_cm2,
            },
            "fit": self.fit.to_dict(),
            "warnings": list(self.warnings),
        }


def _arc_capacitor(result: FitResult, role: str) -> str | None:
    """Label of the C/CPE element with ``role`` (the arc's capacitive branch), if the circuit has one."""
    roles = element_roles(result)
    for element in result.circuit.elements:
        if element.spec.symbol in {"C", "CPE"} and roles.get(element.label) == role:
            return element.label
    return None


def _separation(result: FitResult) -> tuple[bool, str | None]:
    """Whether the fit separates bulk and grain boundary, and if not, why."""
    f_lo, f_hi = float(result.spectrum.frequency.min()), float(result.spectrum.frequency.max())
    for role, name in (("bulk", "bulk"), ("grain_boundary", "grain-boundary")):
        cap = _arc_capacitor(result, role)
        if cap is None:
            return False, (
                f"no {name} arc is resolved in {f_lo:.3g}–{f_hi:.3g} Hz (the model has none): its "
                "resistance is seen only in the real-axis intercept, so R_b and R_gb are not separated "
                "and only σ_total is reported"
            )
        apex = result.derived[f"f_apex_{cap}"].value
        if apex > f_hi:
            return False, (
                f"the {name} arc's apex ({apex:.3g} Hz) lies above the highest measured frequency "
                f"({f_hi:.3g} Hz): R_b and R_gb are not separated, only σ_total is reported"
            )
        if apex < f_lo:
            return False, (
                f"the {name} arc's apex ({apex:.3g} Hz) lies below the lowest measured frequency "
                f"({f_lo:.3g} Hz): R_b and R_gb are not separated, only σ_total is reported"
            )
    assignment = role_assignment(result)
    for role in ("bulk", "grain_boundary"):
        for label in assignment.resistances(role):
            p = result.parameters[label]
            if p.stderr is None or p.stderr > MAX_RELATIVE_ERROR * abs(p.value):
                return False, (
                    f"{label} ({role}) is not determined (standard error "
                    f"{'unknown' if p.stderr is None else f'{p.stderr:.3g} Ω'}): only σ_total is reported"
                )
    return True, None


MAX_THICKNESS_CM, MAX_AREA_CM2 = 100.0, 1e6
"""Largest pellet thickness (cm) and electrode area (cm²) accepted."""


def pellet_geometry(thickness_cm: float, area_cm2: float) -> None:
    """Thickness and area must be positive and plausible (σ = L/(R·A) must stay a finite number)."""
    number(thickness_cm, "thickness_cm", low=0.0, high=MAX_THICKNESS_CM, low_open=True)
    number(area_cm2, "area_cm2", low=0.0, high=MAX_AREA_CM2, low_open=True)


@checked
def conductivity_from_fit(
    result: FitResult, thickness_cm: float, area_cm2: float, choice: str | None = None
) -> ConductivityResult:
    """Bulk, grain-boundary and total conductivity (S cm⁻¹) from a fitted pellet circuit.

    Which resistance is bulk, grain boundary or the whole electrolyte follows :func:`pellet_roles` (the
    preset's roles, or for a circuit string its structure and arc capacitances); the result's fit carries
    them (``fit.preset.roles``).

    Raises
    ------
    DataError : the circuit has no electrolyte resistance; bad thickness or area.
    """
    pellet_geometry(thickness_cm, area_cm2)
    CellGeometry(area_cm2=area_cm2, thickness_cm=thickness_cm)  # validates both before they are used
    result = with_roles(result, pellet_roles(result, thickness_cm / area_cm2))
    fitted = with_derived(result, CellGeometry(area_cm2=area_cm2, thickness_cm=thickness_cm))
    derived = fitted.derived
    notes: list[str] = []
    if "sigma_total" in derived:
        total = derived["sigma_total"]
    elif "sigma_electrolyte" in derived:
        total = derived["sigma_electrolyte"]
    elif "sigma_bulk" in derived:
        total = derived["sigma_bulk"]
        notes.append("the circuit has no grain-boundary resistance: σ_total = σ_bulk")
    else:
        raise DataError(
            f"{result.spectrum.label}: circuit {result.circuit.text} names no bulk, grain-boundary or electrolyte "
            "resistance; use the pellet_blocking preset (or leave the circuit to the default pellet models)"
        )
    separated, reason = (
        _separation(fitted)
        if "sigma_total" in derived
        else (
            False,
            (
                "the circuit has one electrolyte resistance (the real-axis intercept R_b + R_gb): only σ_total is reported"
            ),
        )
    )
    if not separated:  # keep unseparated bulk / grain-boundary numbers out of the fit's record too
        hidden = ("sigma_bulk", "sigma_grain_boundary")
        fitted = replace(fitted, derived={k: v for k, v in derived.items() if k not in hidden})
    return ConductivityResult(
        fitted,
        thickness_cm,
        area_cm2,
        total,
        bulk=derived["sigma_bulk"] if separated else None,
        grain_boundary=derived["sigma_grain_boundary"] if separated else None,
        reason=reason,
        choice=choice,
        notes=tuple(notes),
    )


@checked
def pellet_conductivity(
    spectrum: Spectrum,
    *,
    thickness_cm: float,
    area_cm2: float,
    circuit: str | Preset | None = None,
    weighting: Weighting | str = Weighting.MODULUS,
    fmin: float | None = None,
    fmax: float | None = None,
) -> ConductivityResult:
    """Fit a pellet model to ``spectrum`` (Hz, Ω) and report its conductivities (S cm⁻¹).

    ``thickness_cm`` is the pellet thickness L, ``area_cm2`` the electrode area A.  Without ``circuit``
    the model is chosen by BIC among :func:`pellet_models` (two arcs + spike; intercept + one arc + spike;
    intercept + spike), so arcs above the measured window are not invented.
    """
    CellGeometry(area_cm2=area_cm2, thickness_cm=thickness_cm)  # validates both
    pellet_geometry(thickness_cm, area_cm2)
    options: dict[str, Any] = {"weighting": weighting, "fmin": fmin, "fmax": fmax}
    if circuit is not None:
        model = pellet_model(circuit)
        return conductivity_from_fit(fit_circuit(spectrum, model, **options), thickness_cm, area_cm2)
    comparison = compare_models(spectrum, pellet_models(), **options)
    geometry = CellGeometry(area_cm2=area_cm2, thickness_cm=thickness_cm)
    cell_constant = thickness_cm / area_cm2
    candidates = [with_roles(r, pellet_roles(r, cell_constant)) for r in comparison.results]
    rejected: list[str] = []
    for candidate in candidates:
        why = _implausible(with_derived(candidate, geometry), cell_constant)
        if why is None:
            break
        rejected.append(f"{_name(candidate)} set aside ({why})")
    else:
        candidate = candidates[0]
        rejected.append("no candidate is free of such problems: the lowest BIC is kept")
    choice = (
        comparison.reason()
        if not rejected
        else ("; ".join(rejected) + f"; {_name(candidate)} chosen: lowest BIC of the rest")
    )
    return conductivity_from_fit(candidate, thickness_cm, area_cm2, choice=choice)


def with_roles(result: FitResult, roles: Mapping[str, str]) -> FitResult:
    """``result`` whose model carries ``roles``: its preset with these roles, or for a circuit string a
    preset named after the string (so derived quantities and reports use them)."""
    if result.preset is not None:
        return replace(result, preset=replace(result.preset, roles=MappingProxyType(dict(roles))))
    preset = Preset(
        name=result.circuit.text,
        title="circuit string; pellet roles from its structure",
        circuit=result.circuit,
        description="roles from the circuit structure and the arc capacitances (conductivity.pellet_roles)",
        roles=MappingProxyType(dict(roles)),
        tags=("pellet",),
    )
    return replace(result, preset=preset)


def _name(result: FitResult) -> str:
    return result.preset.name if result.preset else result.circuit.text


def _implausible(result: FitResult, cell_constant: float) -> str | None:
    """Why a fitted pellet model is unphysical: an electrolyte arc that peaks below the measured window or
    has an electrode-like capacitance is modelling the electrode spike, not the electrolyte."""
    f_lo = float(result.spectrum.frequency.min())
    for role in ("bulk", "grain_boundary"):
        cap = _arc_capacitor(result, role)
        if cap is None:
            continue
        name = role.replace("_", "-")
        apex = result.derived[f"f_apex_{cap}"].value
        if apex < f_lo:
            return (
                f"its {name} arc peaks at {apex:.3g} Hz, below the lowest measured frequency {f_lo:.3g} Hz: "
                "it models the electrode spike"
            )
        normalised = result.derived[f"C_eff_{cap}"].value * cell_constant
        if normalised > ELECTRODE_CAPACITANCE_MIN_F:
            return (
                f"its {name} arc has C_eff × L/A = {normalised:.3g} F, an electrode capacitance: it models "
                "the electrode spike"
            )
    return None
