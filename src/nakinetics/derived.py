"""Quantities derived from a circuit fit, each labelled with its unit and convention.

What every number means depends on two decisions made in :mod:`nakinetics.roles`: the cell context
(symmetric or single interface, liquid or solid electrolyte — a property of the measurement, never of the circuit
an automatic choice picked) and the role of each element (from the preset, the circuit's structure and the arcs'
capacitances).

* ASR = R × A (Ω cm², geometric electrode area A) for every interfacial resistance (SEI / surface layer,
  interface, charge transfer), labelled with its role: the cell total, and per interface (÷ 2) for a symmetric
  cell with two identical interfaces.
* Exchange current density i0 = g·RT/(n F R_ct A), only for resistances whose role is charge transfer, with g = 2
  for a symmetric cell (the measured R_ct holds both interfaces) and g = 1 for a single interface (mA cm⁻²).
* Effective capacitance of R‖CPE: the Hsu–Mansfeld form C = (Q R^(1−n))^(1/n) (normal distribution of time
  constants through a layer; Hsu & Mansfeld, Corrosion 57 (2001) 747) for every arc, and beside it for electrode
  arcs Brug's form C = Q^(1/n) (1/R_e + 1/R)^((n−1)/n) with the series (electrolyte) resistance R_e (surface
  distribution; Brug et al., J. Electroanal. Chem. 176 (1984) 275); apex frequency f = 1/(2π (R Q)^(1/n)) (Hz);
  for R‖C, C and 1/(2πRC).
* Ionic conductivity σ = L/(R A) (S cm⁻¹) for electrolyte, bulk and grain-boundary resistances when the
  thickness L is given.

Uncertainties are propagated linearly through the fit's covariance matrix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import checked, checked_class
from .circuit import Circuit, Element, Parallel
from .constants import FARADAY, GAS_CONSTANT, T_ROOM
from .exceptions import DataError
from .fitting import DerivedQuantity, FitResult
from .roles import (
    CELL_KINDS,
    ELECTROLYTE_ROLES,
    ELECTROLYTES,
    INTERFACIAL_ROLES,
    KINETIC_ROLES,
    OHMIC_ROLES,
    ROLE_NAMES,
    CellContext,
    CellKind,
    Electrolyte,
    RoleAssignment,
    assign_roles,
    decide_context,
    preset_electrolyte,
)
from .temperature import check_temperature_k

__all__ = [
    "INTERFACIAL_ROLES",
    "KINETIC_ROLES",
    "OHMIC_ROLES",
    "CellGeometry",
    "CellKind",
    "cell_context",
    "conventions",
    "derive_quantities",
    "element_roles",
    "propagate_uncertainty",
    "resistance_sum",
    "role_assignment",
    "with_derived",
]


@checked_class
@dataclass(frozen=True)
class CellGeometry:
    """How the cell was built: what derived quantities need beyond the fit.

    area_cm2 : geometric electrode area (cm²); ``None`` skips ASR, i0 and conductivity.
    cell : ``"symmetric"`` (two identical electrodes, e.g. Na | electrolyte | Na) or ``"single"`` (one working
        interface); ``None``: from the file's metadata, else the preset's tags, else symmetric (see
        :func:`nakinetics.roles.decide_context`).
    temperature_k : temperature for i0 (K); 200–1200 K unless ``any_temperature``
        (:func:`~nakinetics.temperature.check_temperature_k`: 25 is refused as a likely °C slip).
    thickness_cm : electrolyte or pellet thickness L for conductivity (cm).
    n_electrons : electrons transferred per ion (1 for Na⁺ + e⁻ ⇌ Na).
    any_temperature : accept a temperature outside the plausible range.
    electrolyte : ``"liquid"`` or ``"solid"``; ``None``: from the metadata or the preset, else not known.
    """

    area_cm2: float | None = None
    cell: CellKind | None = None
    temperature_k: float = T_ROOM
    thickness_cm: float | None = None
    n_electrons: int = 1
    any_temperature: bool = False
    electrolyte: Electrolyte | None = None

    def __post_init__(self) -> None:
        for name, unit in (("area_cm2", "cm²"), ("thickness_cm", "cm")):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise DataError(f"{name} must be a positive number of {unit}, got {value} {unit}")
        check_temperature_k(self.temperature_k, any_temperature=self.any_temperature)
        if self.cell not in (None, *CELL_KINDS):
            raise DataError(f"cell must be 'symmetric' or 'single', got {self.cell!r}")
        if self.electrolyte not in (None, *ELECTROLYTES):
            raise DataError(f"electrolyte must be 'liquid' or 'solid', got {self.electrolyte!r}")

    @property
    def cell_constant_per_cm(self) -> float | None:
        """L/A (cm⁻¹) when both are known."""
        if self.area_cm2 is None or self.thickness_cm is None:
            return None
        return self.thickness_cm / self.area_cm2


def cell_context(result: FitResult, geometry: CellGeometry, *, preset_decides: bool = True) -> CellContext:
    """The cell context for ``result``: ``geometry``'s explicit values, else the spectrum's metadata, else the
    fit's preset when ``preset_decides`` (pass ``False`` when the preset was picked by an automatic choice, so
    the winner's tags cannot change the convention), else the default."""
    return decide_context(
        cell=geometry.cell,
        electrolyte=geometry.electrolyte,
        metadata=result.spectrum.metadata,
        preset=result.preset if preset_decides else None,
    )


def role_assignment(
    result: Any, context: CellContext | None = None, geometry: CellGeometry | None = None
) -> RoleAssignment:
    """Roles of ``result``'s elements (see :func:`nakinetics.roles.assign_roles`), the one decision every
    command uses.  ``result`` needs a ``circuit`` and a ``preset``; without fitted ``values`` (and a
    ``spectrum`` for the fitted window) arcs are placed by structure alone."""
    values: Mapping[str, float] = getattr(result, "values", None) or {}
    spectrum = getattr(result, "spectrum", None)
    f_lowest = float(np.min(spectrum.frequency)) if spectrum is not None and len(spectrum) else None
    return assign_roles(
        result.circuit,
        values,
        context,
        result.preset,
        cell_constant_per_cm=geometry.cell_constant_per_cm if geometry else None,
        area_cm2=geometry.area_cm2 if geometry else None,
        f_lowest_hz=f_lowest,
    )


def element_roles(result: Any, context: CellContext | None = None) -> dict[str, str]:
    """Role of each element by label (see :func:`role_assignment`)."""
    return dict(role_assignment(result, context).roles)


def resistance_sum(result: FitResult, labels: Sequence[str]) -> tuple[float | None, float | None]:
    """Σ of the resistances ``labels`` (Ω) with its standard error from the fit covariance (ties and
    correlations included, fixed parameters exact); ``(None, None)`` for no labels."""
    if not labels:
        return None, None
    return propagate_uncertainty(result, lambda v: sum(v[n] for n in labels))


def _simple_arcs(circuit: Circuit) -> list[tuple[Element, Element]]:
    """(resistor, capacitive element) pairs of the plain R‖C / R‖CPE arcs at the top of ``circuit``."""
    pairs = []
    for node in circuit.top_level:
        if isinstance(node, Parallel):
            resistors = [b for b in node.children if isinstance(b, Element) and b.spec.symbol == "R"]
            caps = [b for b in node.children if isinstance(b, Element) and b.spec.symbol in {"C", "CPE"}]
            if resistors and caps:
                pairs.append((resistors[0], caps[0]))
            elif caps:  # Randles-type arc: the capacitive branch against the resistor of the other branch
                nested = [
                    e
                    for b in node.children
                    if not isinstance(b, Element)
                    for e in getattr(b, "children", ())
                    if isinstance(e, Element) and e.spec.symbol == "R"
                ]
                if nested:
                    pairs.append((nested[0], caps[0]))
    return pairs


DerivedValue = tuple[float, float | None]


def propagate_uncertainty(result: FitResult, func: Callable[[Mapping[str, float]], float]) -> DerivedValue:
    """Value of ``func(parameters)`` and its linear-propagated standard error (``None`` if unknown)."""
    values = result.values
    value = float(func(values))
    if result.covariance is None:
        return value, None
    names = result.varying
    grad = np.zeros(len(names))
    for k, name in enumerate(names):
        h = 1e-6 * abs(values[name]) or 1e-9
        up = dict(values)
        down = dict(values)
        up[name] += h
        down[name] -= h
        grad[k] = (func(result.apply_ties(up)) - func(result.apply_ties(down))) / (2 * h)
    variance = float(grad @ result.covariance @ grad)
    return value, math.sqrt(variance) if variance >= 0 and math.isfinite(variance) else None


@checked
def derive_quantities(
    result: FitResult, geometry: CellGeometry, *, preset_decides: bool = True
) -> tuple[dict[str, DerivedQuantity], list[str]]:
    """ASR, i0, effective capacitances, apex frequencies and conductivities for ``result``.

    Returns the quantities and notes: what could not be computed (e.g. no area given), how the cell context
    and the roles were decided, and doubtful role assignments.  ``preset_decides``: see :func:`cell_context`.
    """
    context = cell_context(result, geometry, preset_decides=preset_decides)
    assignment = role_assignment(result, context, geometry)
    roles = assignment.roles
    symmetric = context.symmetric
    cell_note = "symmetric cell" if symmetric else "single interface"
    area = geometry.area_cm2
    out: dict[str, DerivedQuantity] = {}
    notes: list[str] = list(assignment.notes)

    def add(name: str, func: Callable[[Mapping[str, float]], float], unit: str, convention: str) -> None:
        value, stderr = propagate_uncertainty(result, func)
        out[name] = DerivedQuantity(value, stderr, unit, convention)

    interfacial = assignment.resistances(*INTERFACIAL_ROLES)
    kinetic = assignment.resistances(*KINETIC_ROLES)
    if area is not None:
        for label in interfacial:
            role = ROLE_NAMES[roles[label]]
            add(
                f"ASR_{label}_cell",
                lambda v, n=label: v[n] * area,
                "Ohm cm^2",
                f"{role} ASR, cell total: R × A (A = {area:g} cm² geometric)",
            )
            if symmetric:
                add(
                    f"ASR_{label}_per_interface",
                    lambda v, n=label: v[n] * area / 2,
                    "Ohm cm^2",
                    f"{role} ASR per interface: R × A / 2 (symmetric cell, identical interfaces)",
                )
        if len(interfacial) > 1:
            add(
                "ASR_interfacial_total_cell",
                lambda v: sum(v[n] for n in interfacial) * area,
                "Ohm cm^2",
                f"({' + '.join(interfacial)}) × A, cell total",
            )
            if symmetric:
                add(
                    "ASR_interfacial_total_per_interface",
                    lambda v: sum(v[n] for n in interfacial) * area / 2,
                    "Ohm cm^2",
                    f"({' + '.join(interfacial)}) × A / 2, per interface (symmetric cell)",
                )
        g = 2.0 if symmetric else 1.0
        rt_nf = GAS_CONSTANT * geometry.temperature_k / (geometry.n_electrons * FARADAY)
        for label in kinetic:
            add(
                f"i0_{label}",
                lambda v, n=label: 1e3 * g * rt_nf / (v[n] * area),
                "mA cm^-2",
                f"i0 = {g:g}·RT/(nF·R·A) from {label} (charge transfer; {cell_note}, {context.cell_source}), "
                f"n = {geometry.n_electrons}, T = {geometry.temperature_k:g} K",
            )
        if len(kinetic) == 1 and set(interfacial) == set(kinetic) and context.electrolyte != "solid":
            (label,) = kinetic
            notes.append(
                f"i0_{label} takes the one electrode arc as charge transfer alone: if it also holds a surface "
                f"film's resistance (an SEI in a liquid electrolyte), which no separate arc resolves here, "
                f"R_ct < {label} and i0_{label} is a lower bound"
            )
        if interfacial and not kinetic:
            named = ", ".join(f"{n} = {ROLE_NAMES[roles[n]]}" for n in interfacial)
            notes.append(
                f"i0 not computed: no resistance has the charge-transfer role ({named}); choose a preset or "
                "circuit with a charge-transfer arc, or give the electrolyte (--electrolyte)"
            )
    elif interfacial:
        notes.append("no electrode area given (--area): ASR and i0 not computed")

    top = {n.label for n in result.circuit.top_level if isinstance(n, Element)}
    series = [label for label in assignment.resistances(*OHMIC_ROLES) if label in top]
    for resistor, cap in _simple_arcs(result.circuit):
        r_name = resistor.label
        if cap.spec.symbol == "C":
            add(f"C_eff_{cap.label}", lambda v, c=cap.label: v[c], "F", f"{cap.label} (ideal capacitor)")
            add(
                f"f_apex_{cap.label}",
                lambda v, r=r_name, c=cap.label: 1 / (2 * math.pi * v[r] * v[c]),
                "Hz",
                f"1/(2π {r_name} {cap.label})",
            )
            continue
        q_name, n_name = cap.parameter_names
        add(
            f"C_eff_{cap.label}",
            lambda v, r=r_name, q=q_name, n=n_name: (v[q] * v[r] ** (1 - v[n])) ** (1 / v[n]),
            "F",
            f"Hsu–Mansfeld: (Q R^(1−n))^(1/n) with R = {r_name}",
        )
        if series and roles.get(r_name) in INTERFACIAL_ROLES:
            add(
                f"C_eff_Brug_{cap.label}",
                lambda v, r=r_name, q=q_name, n=n_name: (
                    v[q] ** (1 / v[n]) * (1 / sum(v[e] for e in series) + 1 / v[r]) ** ((v[n] - 1) / v[n])
                ),
                "F",
                f"Brug: Q^(1/n) (1/R_e + 1/R)^((n−1)/n) with R_e = {' + '.join(series)} (series), R = {r_name}",
            )
        add(
            f"f_apex_{cap.label}",
            lambda v, r=r_name, q=q_name, n=n_name: 1 / (2 * math.pi * (v[r] * v[q]) ** (1 / v[n])),
            "Hz",
            f"1/(2π (R Q)^(1/n)) with R = {r_name}",
        )

    if geometry.thickness_cm is not None:
        if area is None:
            notes.append("thickness given without area: conductivity not computed")
        else:
            length = geometry.thickness_cm
            by_role = {role: assignment.resistances(role) for role in ELECTROLYTE_ROLES}
            for role, labels in by_role.items():
                if labels:  # several resistances of one role (a series R and a bulk arc) add up
                    add(
                        f"sigma_{role}",
                        lambda v, names=labels: length / (sum(v[n] for n in names) * area),
                        "S cm^-1",
                        f"L/(R A) with R = {' + '.join(labels)} ({role}), L = {length:g} cm, A = {area:g} cm²",
                    )
            if by_role["bulk"] and by_role["grain_boundary"]:
                parts = by_role["bulk"] + by_role["grain_boundary"]
                add(
                    "sigma_total",
                    lambda v: length / (sum(v[n] for n in parts) * area),
                    "S cm^-1",
                    f"L/((R_b + R_gb) A) with {' + '.join(parts)}",
                )
    return out, notes


def conventions(result: FitResult, geometry: CellGeometry, *, preset_decides: bool = True) -> dict[str, Any]:
    """How the numbers of ``result`` were decided: the cell context (with sources) and each element's role."""
    context = cell_context(result, geometry, preset_decides=preset_decides)
    assignment = role_assignment(result, context, geometry)
    out = {
        **context.to_dict(),
        "roles": dict(assignment.roles),
        "roles_source": assignment.source,
    }
    note = other_electrolyte_note(result.preset, context.electrolyte)
    if note is not None:
        out["circuit_note"] = note
    return out


def other_electrolyte_note(preset: Any, electrolyte: str | None) -> str | None:
    """A note for a preset made for the other electrolyte than the cell's (``na_se_na_3arc``, a pellet preset
    in a liquid cell): its name describes another cell, only its circuit is used; ``None`` otherwise."""
    tagged = preset_electrolyte(preset)
    if electrolyte is None or tagged is None or electrolyte in preset.tags:
        return None
    return (
        f"the circuit of a {tagged}-electrolyte preset; this cell's electrolyte is {electrolyte}, so only its "
        "circuit is used, not what its name says about the cell"
    )


@checked
def with_derived(result: FitResult, geometry: CellGeometry, *, preset_decides: bool = True) -> FitResult:
    """``result`` with :func:`derive_quantities` attached (notes go to its warnings).

    ``result.derived`` then maps names to :class:`~nakinetics.fitting.DerivedQuantity` (value, stderr, unit,
    convention): ``ASR_<R>_cell`` and, symmetric cells, ``ASR_<R>_per_interface`` (Ω cm², geometric area),
    ``i0_<R>`` (mA cm⁻², charge-transfer resistances only), ``C_eff_<CPE>`` (F), ``f_apex_<CPE>`` (Hz) and,
    with ``thickness_cm``, conductivities (S cm⁻¹); which R is which comes from the roles
    (:func:`nakinetics.roles.assign_roles`)."""
    quantities, notes = derive_quantities(result, geometry, preset_decides=preset_decides)
    return result.with_derived(quantities, tuple(notes))
