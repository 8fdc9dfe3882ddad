"""Quantities derived from a circuit fit, each labelled with its unit and convention.

* ASR = R × A (Ω cm², geometric electrode area A): the cell total, and per interface (÷ 2) for a
  symmetric cell with two identical interfaces.
* Exchange current density i0 = g·RT/(n F R A) with g = 2 for a symmetric cell (the measured R holds
  both interfaces) and g = 1 for a single interface (mA cm⁻²).
* Effective capacitance of R‖CPE (Brug): C_eff = (Q R^(1−n))^(1/n) (F), apex frequency
  f = 1/(2π (R Q)^(1/n)) (Hz); for R‖C, C and 1/(2πRC).
* Ionic conductivity σ = L/(R A) (S cm⁻¹) for electrolyte, bulk and grain-boundary resistances when the
  thickness L is given.

Uncertainties are propagated linearly through the fit's covariance matrix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .circuit import Circuit, Element, Parallel, Series
from .constants import FARADAY, GAS_CONSTANT, T_ROOM
from .exceptions import DataError
from .fitting import DerivedQuantity, FitResult
from .temperature import check_temperature_k

CellKind = Literal["symmetric", "single"]
INTERFACIAL_ROLES = ("interface", "sei", "charge_transfer")
KINETIC_ROLES = ("interface", "charge_transfer")


@dataclass(frozen=True)
class CellGeometry:
    """How the cell was built: what derived quantities need beyond the fit.

    area_cm2 : geometric electrode area (cm²); ``None`` skips ASR, i0 and conductivity.
    cell : ``"symmetric"`` (two identical electrodes, e.g. Na | electrolyte | Na) or ``"single"``
        (one working interface); ``None`` follows the preset (symmetric if tagged so, else single).
    temperature_k : temperature for i0 (K); 200–1200 K unless ``any_temperature``
        (:func:`~nakinetics.temperature.check_temperature_k`: 25 is refused as a likely °C slip).
    thickness_cm : electrolyte or pellet thickness L for conductivity (cm).
    n_electrons : electrons transferred per ion (1 for Na⁺ + e⁻ ⇌ Na).
    any_temperature : accept a temperature outside the plausible range.
    """

    area_cm2: float | None = None
    cell: CellKind | None = None
    temperature_k: float = T_ROOM
    thickness_cm: float | None = None
    n_electrons: int = 1
    any_temperature: bool = False

    def __post_init__(self) -> None:
        for name in ("area_cm2", "thickness_cm"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise DataError(f"{name} must be a positive number, got {value}")
        check_temperature_k(self.temperature_k, any_temperature=self.any_temperature)
        if self.cell not in (None, "symmetric", "single"):
            raise DataError(f"cell must be 'symmetric' or 'single', got {self.cell!r}")


def element_roles(result: FitResult) -> dict[str, str]:
    """Role of each element: from the preset, or inferred from the structure of a bare circuit string
    (the first series resistor is the electrolyte, resistors in parallel arcs are interfacial,
    Warburg-type elements are diffusion)."""
    if result.preset is not None:
        return dict(result.preset.roles)
    roles: dict[str, str] = {}
    circuit = result.circuit
    for node in circuit.top_level:
        if isinstance(node, Element) and node.spec.symbol == "R" and "electrolyte" not in roles.values():
            roles[node.label] = "electrolyte"
        elif isinstance(node, Parallel):
            for element in _arc_parts(node)[0]:
                roles[element.label] = "interface"
    for element in circuit.elements:
        if element.spec.symbol in {"W", "Wo", "Ws"}:
            roles[element.label] = "diffusion"
    return roles


def _arc_parts(node: Parallel) -> tuple[list[Element], list[Element]]:
    """Resistors and capacitive elements that are direct branches of a parallel node."""
    direct = [b for b in node.children if isinstance(b, Element)]
    nested = [e for b in node.children if isinstance(b, Series) for e in b.children if isinstance(e, Element)]
    resistors = [e for e in direct + nested if e.spec.symbol == "R"]
    caps = [e for e in direct if e.spec.symbol in {"C", "CPE"}]
    return resistors, caps


def _arcs(circuit: Circuit) -> list[tuple[Element, Element]]:
    """(resistor, capacitive element) pairs of the simple arcs of ``circuit``."""
    pairs = []
    for node in circuit.top_level:
        if isinstance(node, Parallel):
            resistors, caps = _arc_parts(node)
            if resistors and caps:
                pairs.append((resistors[0], caps[0]))
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


def derive_quantities(
    result: FitResult, geometry: CellGeometry
) -> tuple[dict[str, DerivedQuantity], list[str]]:
    """ASR, i0, effective capacitances, apex frequencies and conductivities for ``result``.

    Returns the quantities and notes on what could not be computed (e.g. no area given).
    """
    roles = element_roles(result)
    symmetric = geometry.cell == "symmetric" or (
        geometry.cell is None and result.preset is not None and "symmetric" in result.preset.tags
    )
    cell_note = "symmetric cell" if symmetric else "single interface"
    area = geometry.area_cm2
    out: dict[str, DerivedQuantity] = {}
    notes: list[str] = []

    def add(name: str, func: Callable[[Mapping[str, float]], float], unit: str, convention: str) -> None:
        value, stderr = propagate_uncertainty(result, func)
        out[name] = DerivedQuantity(value, stderr, unit, convention)

    interfacial = [
        label for label, role in roles.items() if role in INTERFACIAL_ROLES and label in result.values
    ]
    if area is not None:
        for label in interfacial:
            role = roles[label]
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
        for label in (lbl for lbl in interfacial if roles[lbl] in KINETIC_ROLES):
            add(
                f"i0_{label}",
                lambda v, n=label: 1e3 * g * rt_nf / (v[n] * area),
                "mA cm^-2",
                f"i0 = {g:g}·RT/(nF·R·A) ({cell_note}), n = {geometry.n_electrons}, T = {geometry.temperature_k:g} K",
            )
    elif interfacial:
        notes.append("no electrode area given (--area): ASR and i0 not computed")

    for resistor, cap in _arcs(result.circuit):
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
            f"Brug: (Q R^(1−n))^(1/n) with R = {r_name}",
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
            by_role = {
                role: [lbl for lbl, r in roles.items() if r == role and lbl in result.values]
                for role in ("electrolyte", "bulk", "grain_boundary")
            }
            for role, labels in by_role.items():
                for label in labels:
                    add(
                        f"sigma_{role}",
                        lambda v, n=label: length / (v[n] * area),
                        "S cm^-1",
                        f"L/(R A) with R = {label} ({role}), L = {length:g} cm, A = {area:g} cm²",
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


def with_derived(result: FitResult, geometry: CellGeometry) -> FitResult:
    """``result`` with :func:`derive_quantities` attached (notes go to its warnings)."""
    quantities, notes = derive_quantities(result, geometry)
    return result.with_derived(quantities, tuple(notes))
