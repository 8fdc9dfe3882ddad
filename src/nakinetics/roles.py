"""What the measurement is and what each circuit element stands for.

Two decisions stand behind every derived number (ASR, i0, σ, R_Ω):

* the **cell context** — symmetric cell (two identical working interfaces) or a single one, liquid or solid
  electrolyte — is a property of the measurement: given explicitly, else read from the file's metadata, else from
  the preset *the user chose*, else the default (symmetric; electrolyte unknown).  It never follows the circuit
  an automatic model choice happens to pick (:func:`decide_context`);
* the **role** of each element (electrolyte intercept, bulk, grain boundary, SEI/surface layer, charge transfer,
  double layer, diffusion, blocking electrode, inductance) comes from the preset where the preset names it, and
  otherwise from the circuit's structure and the arcs' capacitances (:func:`assign_roles`):

  - a resistor in series at the top level is the electrolyte intercept (the bulk when a grain-boundary arc is
    resolved, leads when a bulk arc is too); an inductor is lead inductance; a capacitor or CPE in series is a
    blocking electrode; W, Wo, Ws and G are diffusion;
  - an arc whose resistive branch holds a diffusion element is a Randles arc: its resistor is charge transfer,
    its capacitor the double layer; an arc nested in another arc's resistive branch is the charge transfer under
    a surface film (the outer arc);
  - a plain R‖C or R‖CPE arc is placed by its effective capacitance (Hsu–Mansfeld, normalised to a cell constant
    L/A of 1 cm⁻¹ when thickness and area are known), after Irvine, Sinclair & West, Adv. Mater. 2 (1990) 132:
    ≤ 1e-8 F is the electrolyte (bulk if ≤ 1e-10 F and fastest, else grain boundary) — except in a liquid cell,
    whose electrolyte shows no arc in the window; larger capacitances are electrode processes: with blocking
    electrodes an ``interface`` arc (no charge transfer), otherwise the slowest is the charge transfer (its
    capacitance the double layer) and faster ones are SEI/surface layers.

A circuit string that equals a preset's circuit (up to element numbering) takes that preset's roles, so the
string and the preset give the same numbers (:func:`matching_preset`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from .circuit import Circuit, Element, Node, Parallel, Series, elements_of
from .exceptions import DataError
from .measurement import cell_from_reference
from .presets import ParameterOverride, Preset, list_presets

CellKind = Literal["symmetric", "single"]
Electrolyte = Literal["liquid", "solid"]
CELL_KINDS: tuple[CellKind, ...] = ("symmetric", "single")
ELECTROLYTES: tuple[Electrolyte, ...] = ("liquid", "solid")
DEFAULT_CELL: CellKind = "symmetric"
"""Without --cell, metadata or a preset saying otherwise, a cell is taken as symmetric (Na | electrolyte | Na),
the cell this toolkit is for; the report says so."""

OHMIC_ROLES = ("electrolyte", "bulk", "grain_boundary", "leads")
"""Roles whose resistances add up to R_Ω (the iR-drop resistance)."""
INTERFACIAL_ROLES = ("interface", "sei", "charge_transfer")
"""Roles whose resistances are interfacial (ASR reported, cell total and per interface)."""
KINETIC_ROLES = ("charge_transfer",)
"""Roles an exchange current density is computed from."""
ROLE_NAMES = {
    "electrolyte": "electrolyte (intercept)",
    "bulk": "bulk",
    "grain_boundary": "grain boundary",
    "interface": "interfacial (not charge transfer)",
    "sei": "SEI / surface layer",
    "charge_transfer": "charge transfer",
    "double_layer": "double layer",
    "diffusion": "diffusion",
    "electrode": "blocking electrode",
    "leads": "leads / contacts",
    "inductance": "lead inductance",
}
"""How each role is written in reports."""

ELECTROLYTE_CAPACITANCE_MAX_F = 1e-8
"""Arcs with a (normalised) effective capacitance up to this are electrolyte arcs (grain boundary ≤ 1e-8 F)."""
BULK_CAPACITANCE_MAX_F = 1e-10
"""The fastest electrolyte arc with a capacitance up to this is the bulk (~1e-12 F)."""
DOUBLE_LAYER_CAPACITANCE_MIN_F = 1e-7
"""An arc named charge transfer with less capacitance than this per cm² is unusual (electrode interface
1e-7–1e-5 F): a note says so."""

_DIFFUSION = {"W", "Wo", "Ws", "G"}
_IN_ELECTROLYTE = ("bulk", "grain_boundary")
_ELECTRODE = ("sei", "interface", "charge_transfer")
_CAPACITIVE = {"C", "CPE"}


# ---------------------------------------------------------------------------------------------------
# cell context


@dataclass(frozen=True)
class CellContext:
    """The decided cell type and electrolyte, each with where the decision came from."""

    cell: CellKind
    cell_source: str
    electrolyte: Electrolyte | None
    electrolyte_source: str

    @property
    def symmetric(self) -> bool:
        return self.cell == "symmetric"

    def describe(self) -> str:
        """``symmetric cell (default), electrolyte liquid (given)``."""
        electrolyte = self.electrolyte or "not known"
        return f"{self.cell} cell ({self.cell_source}), electrolyte {electrolyte} ({self.electrolyte_source})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "cell_source": self.cell_source,
            "electrolyte": self.electrolyte,
            "electrolyte_source": self.electrolyte_source,
        }


_LIQUID_TEXT = re.compile(
    r"""\b\d+(?:\.\d+)?\s*(?:m|mol\s*/\s*l|mol\s*l-?1|mol\s*dm-?3)\b    # a molarity: a solution
    | \b(?:liquid|aqueous|water|h2o|solution|solvent|ionic\s+liquid)\b
    | glyme|carbonate|ether|acetonitrile|sulfolane                       # solvents (diglyme, ethylene carbonate)
    | \b(?:dme|dol|ec|pc|dmc|dec|emc|fec|thf|dmso)\b
    | \bna(?:pf6|clo4|fsi|tfsi|otf|bf4|bob)\b                               # sodium salts
    """,
    re.IGNORECASE | re.VERBOSE,
)
"""Free text that names a liquid electrolyte: a molar concentration (``1 M NaPF6 in diglyme``, ``2.0M Zn(ClO4)2
in water``), a solvent or a sodium salt."""
_SOLID_TEXT = re.compile(
    r"solid|nasicon|nzsp|na3zr2si2po12|alumina|ceramic|pellet|sulfide|na3ps4|garnet", re.IGNORECASE
)
"""Free text that names a solid electrolyte."""


def _metadata_hint(metadata: Any, key: str, allowed: tuple[str, ...]) -> str | None:
    """``metadata.extra[key]`` when it is one of ``allowed`` (readers or the user may set it)."""
    extra = getattr(metadata, "extra", None) or {}
    value = extra.get(key)
    if isinstance(value, str) and value.strip().lower() in allowed:
        return value.strip().lower()
    return None


def electrolyte_from_text(text: str) -> Electrolyte | None:
    """``liquid``/``solid`` when a free-text field (an instrument's 'Electrolyte' entry) names one unambiguously."""
    liquid = _LIQUID_TEXT.search(text) is not None
    solid = _SOLID_TEXT.search(text) is not None
    if liquid != solid:
        return "liquid" if liquid else "solid"
    return None


def decide_context(
    *,
    cell: str | None = None,
    electrolyte: str | None = None,
    metadata: Any = None,
    preset: Preset | None = None,
) -> CellContext:
    """The cell context: explicit values, else the file's metadata, else the tags of ``preset`` (pass only a
    preset the user chose, never one an automatic choice picked), else the default.

    Metadata is read from ``metadata.extra["cell"]`` (``symmetric``/``single``), the reference electrode
    (a potential against one means a three-electrode, single-interface measurement:
    :func:`nakinetics.measurement.cell_from_reference`) and ``extra["electrolyte"]`` (``liquid``/``solid``
    or an instrument's free-text electrolyte entry).
    """
    if cell is not None and cell not in CELL_KINDS:
        raise DataError(f"cell must be 'symmetric' or 'single', got {cell!r}")
    if electrolyte is not None and electrolyte not in ELECTROLYTES:
        raise DataError(f"electrolyte must be 'liquid' or 'solid', got {electrolyte!r}")
    tags = set(preset.tags) if preset is not None else set()
    if cell is not None:
        cell_kind, cell_source = cell, "given"
    elif (hint := _metadata_hint(metadata, "cell", CELL_KINDS)) is not None:
        cell_kind, cell_source = hint, "file metadata"
    elif (measured := cell_from_reference(metadata)) is not None:
        cell_kind, cell_source = measured[0], f"file: {measured[1]}"
    elif preset is not None and tags & set(CELL_KINDS):
        cell_kind = "single" if "single" in tags else "symmetric"
        cell_source = f"preset {preset.name}"
    else:
        cell_kind, cell_source = DEFAULT_CELL, "default"
    found: str | None = electrolyte
    source = "given" if electrolyte is not None else "not given"
    if found is None:
        extra = getattr(metadata, "extra", None) or {}
        raw = extra.get("electrolyte")
        found = _metadata_hint(metadata, "electrolyte", ELECTROLYTES) or (
            electrolyte_from_text(raw) if isinstance(raw, str) else None
        )
        source = "file metadata" if found else source
    if found is None and preset is not None and tags & set(ELECTROLYTES):
        found = "liquid" if "liquid" in tags else "solid"
        source = f"preset {preset.name}"
    return CellContext(cell_kind, cell_source, found, source)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------
# presets that match a circuit string


def _shape(node: Node) -> tuple[str, list[Element]]:
    """A label-free canonical form of ``node`` and its elements in that order.  Series parts and parallel
    branches commute, so both are sorted (stably: identical arcs keep their written order)."""
    if isinstance(node, Element):
        return node.spec.symbol, [node]
    parts = sorted((_shape(child) for child in node.children), key=lambda part: part[0])
    kind = "p" if isinstance(node, Parallel) else "s"
    return f"{kind}(" + ",".join(p[0] for p in parts) + ")", [e for _, elements in parts for e in elements]


def _relabel(preset: Preset, circuit: Circuit) -> Preset:
    """``preset`` with its element labels renamed to those of ``circuit`` (same shape)."""
    _, theirs = _shape(preset.circuit.tree)
    _, ours = _shape(circuit.tree)
    names = {a.label: b.label for a, b in zip(theirs, ours, strict=True)}
    params = {
        old: new
        for a, b in zip(theirs, ours, strict=True)
        for old, new in zip(a.parameter_names, b.parameter_names, strict=True)
    }
    overrides: dict[str, ParameterOverride] = {params[k]: v for k, v in preset.parameters.items()}
    return replace(
        preset,
        circuit=circuit,
        roles=MappingProxyType({names[k]: v for k, v in preset.roles.items()}),
        parameters=MappingProxyType(overrides),
    )


def same_structure(preset: Preset, circuit: Circuit) -> Preset | None:
    """``preset`` with its element labels renamed to ``circuit``'s when both have the same structure (element
    numbers may differ), else ``None``."""
    if _shape(preset.circuit.tree)[0] != _shape(circuit.tree)[0]:
        return None
    return preset if preset.circuit.text == circuit.text else _relabel(preset, circuit)


def matching_preset(circuit: Circuit | str, electrolyte: str | None = None) -> Preset | None:
    """The preset whose circuit has the same structure as ``circuit`` (element numbers may differ), with its
    labels renamed to ``circuit``'s; among several (e.g. ``na_se_na_2arc`` and ``na_liquid_na``) the one
    tagged with ``electrolyte``, else an automatic-choice (``general``) one, else the first by name."""
    circuit = Circuit(circuit) if isinstance(circuit, str) else circuit
    shape = _shape(circuit.tree)[0]
    found = [p for p in list_presets() if _shape(p.circuit.tree)[0] == shape]
    if not found:
        return None
    found.sort(
        key=lambda p: (electrolyte is None or electrolyte not in p.tags, "general" not in p.tags, p.name)
    )
    return _relabel(found[0], circuit)


# ---------------------------------------------------------------------------------------------------
# roles


def arc_capacitance(arc: Parallel, values: Mapping[str, float]) -> tuple[float, float] | None:
    """(effective capacitance in F, time constant in s) of a plain R‖C or R‖CPE arc; the CPE's capacitance
    is the Hsu–Mansfeld form (Q R^(1−n))^(1/n).  ``None`` for other arcs."""
    resistors = [b for b in arc.children if isinstance(b, Element) and b.spec.symbol == "R"]
    caps = [b for b in arc.children if isinstance(b, Element) and b.spec.symbol in _CAPACITIVE]
    if len(resistors) != 1 or len(caps) != 1 or len(arc.children) != 2:
        return None
    if any(name not in values for e in (*resistors, *caps) for name in e.parameter_names):
        return None
    r = values[resistors[0].label]
    cap = caps[0]
    if cap.spec.symbol == "C":
        c = values[cap.label]
        return c, r * c
    q, n = (values[name] for name in cap.parameter_names)
    if not (r > 0 and q > 0 and n > 0):
        return None
    return (q * r ** (1 - n)) ** (1 / n), (r * q) ** (1 / n)


@dataclass(frozen=True)
class RoleAssignment:
    """The role of each element (by label), where the roles came from, and notes on doubtful assignments."""

    roles: Mapping[str, str]
    source: str
    notes: tuple[str, ...] = ()

    def labels(self, *roles: str) -> list[str]:
        """Element labels with any of ``roles``, in circuit order."""
        return [label for label, role in self.roles.items() if role in roles]


@dataclass
class _Walk:
    """What one pass over the circuit finds: roles fixed by structure, the series resistors and plain arcs."""

    roles: dict[str, str] = field(default_factory=dict)
    series_resistors: list[Element] = field(default_factory=list)
    plain_arcs: list[Parallel] = field(default_factory=list)
    blocking: bool = False


def _parts(node: Node) -> list[Node]:
    """The parts of ``node`` in series (nested series flattened)."""
    if isinstance(node, Series):
        return [part for child in node.children for part in _parts(child)]
    return [node]


def _is_plain(arc: Parallel) -> bool:
    """A plain R‖C / R‖CPE arc (its role is decided by its capacitance)."""
    return all(isinstance(b, Element) and b.spec.symbol in {"R", *_CAPACITIVE} for b in arc.children)


def _mark_structured_arc(arc: Parallel, walk: _Walk) -> None:
    """Roles inside an arc that is not plain.  A resistive branch holding another arc is a surface film over
    the electrode (its resistor and the arc's capacitance are the film's); the innermost resistor, or one in
    series with a diffusion element (Randles), is the charge transfer and its capacitance the double layer."""
    inner = [n for b in arc.children for n in _parts(b) if isinstance(n, Parallel)]
    for branch in arc.children:
        elements = elements_of(branch)
        if {e.spec.symbol for e in elements} <= _CAPACITIVE:
            for e in elements:
                walk.roles[e.label] = "sei" if inner else "double_layer"
            continue
        for part in _parts(branch):
            if isinstance(part, Parallel):
                _mark_structured_arc(part, walk)
            elif part.spec.symbol == "R":
                walk.roles[part.label] = "sei" if inner else "charge_transfer"
            elif part.spec.symbol in _DIFFUSION:
                walk.roles[part.label] = "diffusion"
            elif part.spec.symbol == "L":
                walk.roles[part.label] = "inductance"


def _structure(circuit: Circuit) -> _Walk:
    walk = _Walk()
    for node in _parts(circuit.tree):
        if isinstance(node, Parallel):
            if _is_plain(node):
                walk.plain_arcs.append(node)
            else:
                _mark_structured_arc(node, walk)
            continue
        symbol = node.spec.symbol
        if symbol == "R":
            walk.series_resistors.append(node)
        elif symbol == "L":
            walk.roles[node.label] = "inductance"
        elif symbol in _CAPACITIVE:
            walk.roles[node.label] = "electrode"
            walk.blocking = True
        elif symbol in _DIFFUSION:
            walk.roles[node.label] = "diffusion"
    return walk


@dataclass(frozen=True)
class _Arc:
    tau: float
    capacitance: float
    resistor: Element
    capacitor: Element


def _plain_arcs(walk: _Walk, values: Mapping[str, float], scale: float) -> list[_Arc]:
    """The plain arcs, fastest first, with their normalised effective capacitance."""
    arcs = []
    for arc in walk.plain_arcs:
        resistor = next(b for b in arc.children if isinstance(b, Element) and b.spec.symbol == "R")
        capacitor = next(b for b in arc.children if isinstance(b, Element) and b.spec.symbol in _CAPACITIVE)
        found = arc_capacitance(arc, values)
        c_eff, tau = found if found else (math.nan, math.nan)
        arcs.append(_Arc(tau, c_eff * scale, resistor, capacitor))
    return sorted(arcs, key=lambda a: a.tau if math.isfinite(a.tau) else math.inf)


def _place_arcs(arcs: list[_Arc], walk: _Walk, electrolyte: str | None) -> None:
    """Roles of the plain arcs and the series resistors (see the module docstring)."""
    in_electrolyte = [
        a for a in arcs if electrolyte != "liquid" and a.capacitance <= ELECTROLYTE_CAPACITANCE_MAX_F
    ]
    at_electrode = [a for a in arcs if a not in in_electrolyte]
    for k, arc in enumerate(in_electrolyte):
        role = "bulk" if k == 0 and arc.capacitance <= BULK_CAPACITANCE_MAX_F else "grain_boundary"
        walk.roles[arc.resistor.label] = walk.roles[arc.capacitor.label] = role
    has_charge_transfer = "charge_transfer" in walk.roles.values()
    for k, arc in enumerate(at_electrode):
        if walk.blocking:
            role, cap_role = "interface", "interface"
        elif k == len(at_electrode) - 1 and not has_charge_transfer:
            role, cap_role = "charge_transfer", "double_layer"
        else:  # a faster electrode process: a film in a liquid cell, else interphase / constriction
            role = "sei" if electrolyte == "liquid" else "interface"
            cap_role = role
        walk.roles[arc.resistor.label], walk.roles[arc.capacitor.label] = role, cap_role
    arc_roles = set(walk.roles.values())
    for k, resistor in enumerate(walk.series_resistors):
        if k > 0 or "bulk" in arc_roles:
            walk.roles[resistor.label] = "leads"
        elif "grain_boundary" in arc_roles:
            walk.roles[resistor.label] = "bulk"
        else:
            walk.roles[resistor.label] = "electrolyte"


def _capacitance_notes(
    arcs: list[_Arc], roles: Mapping[str, str], electrolyte: str | None, blocking: bool
) -> list[str]:
    notes = []
    for arc in arcs:
        role, c_n, label = roles.get(arc.resistor.label), arc.capacitance, arc.resistor.label
        if not math.isfinite(c_n):
            continue
        if role == "charge_transfer" and c_n < DOUBLE_LAYER_CAPACITANCE_MIN_F:
            notes.append(
                f"{label} is taken as charge transfer but its arc's capacitance ({c_n:.2g} F) is below the "
                "double-layer range (1e-7–1e-5 F at a cell constant of 1 cm⁻¹): it may be a surface layer or the "
                "electrolyte"
            )
        elif role == "grain_boundary" and electrolyte != "liquid" and not blocking:
            notes.append(
                f"{label} ({c_n:.2g} F) is taken as grain boundary (counted in R_Ω); current constriction at a "
                "porous metal | solid-electrolyte interface gives an arc of the same capacitance (Eckhardt, Klar, "
                "Janek & Heiliger 2022, PMID 35878322), which one spectrum cannot tell apart"
            )
    return notes


def assign_roles(
    circuit: Circuit,
    values: Mapping[str, float],
    context: CellContext | None = None,
    preset: Preset | None = None,
    *,
    cell_constant_per_cm: float | None = None,
) -> RoleAssignment:
    """Roles of ``circuit``'s elements at fitted ``values`` (see the module docstring for the rules).

    ``preset`` roles win where the preset names them; without a preset, a preset with the same circuit
    structure is used when there is one (:func:`matching_preset`).  ``cell_constant_per_cm`` (L/A) normalises
    capacitances for the Irvine–Sinclair–West ranges (taken as 1 cm⁻¹ when not known).
    """
    electrolyte = context.electrolyte if context else None
    if preset is None:
        preset = matching_preset(circuit, electrolyte)
    walk = _structure(circuit)
    arcs = _plain_arcs(walk, values, cell_constant_per_cm or 1.0)
    _place_arcs(arcs, walk, electrolyte)
    inferred = {e.label: walk.roles[e.label] for e in circuit.elements if e.label in walk.roles}
    if preset is not None and preset.roles:
        roles = {e.label: preset.roles.get(e.label, inferred.get(e.label)) for e in circuit.elements}
        complete = set(preset.roles) >= set(inferred)
        source = f"preset {preset.name}" + ("" if complete else " (the rest from structure and capacitance)")
    else:
        roles = dict(inferred)
        source = "structure and capacitance (Irvine–Sinclair–West ranges)"
    named = {label: role for label, role in roles.items() if role is not None}
    notes = _capacitance_notes(arcs, named, electrolyte, walk.blocking)
    for arc in arcs:
        label = arc.resistor.label
        pinned, by_capacitance = named.get(label), inferred.get(label)
        if (pinned in _ELECTRODE and by_capacitance in _IN_ELECTROLYTE) or (
            pinned in _IN_ELECTROLYTE and by_capacitance in _ELECTRODE
        ):
            notes.append(
                f"{label} is taken as {ROLE_NAMES[pinned]} ({source}) but its arc's capacitance ({arc.capacitance:.2g} F) "
                f"suggests {ROLE_NAMES[by_capacitance]} (Irvine–Sinclair–West): if so, "
                + (
                    "it belongs to R_Ω, not to the interfacial ASR"
                    if by_capacitance in _IN_ELECTROLYTE
                    else "it is interfacial, not part of R_Ω"
                )
            )
    return RoleAssignment(MappingProxyType(named), source, tuple(notes))
