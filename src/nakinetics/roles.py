"""What the measurement is and what each circuit element stands for.

Two decisions stand behind every derived number (ASR, i0, σ, R_Ω):

* the **cell context** — symmetric cell (two identical working interfaces) or a single one, liquid or solid
  electrolyte — is a property of the measurement: given explicitly, else read from the file's metadata, else from
  the preset *the user chose*, else the default (symmetric; electrolyte unknown).  It never follows the circuit
  an automatic model choice happens to pick (:func:`decide_context`);
* the **role** of each element (electrolyte intercept, bulk, grain boundary, SEI/surface layer, charge transfer,
  double layer, diffusion, blocking electrode, inductance) comes from the preset where the preset names it, and
  otherwise from the circuit's structure and the arcs' capacitances (:func:`assign_roles`, the one decision
  behind fit, conductivity, geis, tafel --eis, arrhenius and cycling):

  - a resistor in series at the top level is the electrolyte intercept — the bulk when an electrolyte arc is
    resolved (it adds to a resolved bulk arc), the leads only when a bulk arc is resolved *and* the circuit has a
    lead inductance; an inductor is lead inductance; a capacitor or CPE in series is a blocking electrode;
    W, Wo, Ws and G are diffusion;
  - an arc whose resistive branch holds a diffusion element is a Randles arc: its resistor is charge transfer,
    its capacitor the double layer; an arc nested in another arc's resistive branch is the charge transfer under
    a surface film (the outer arc);
  - a plain R‖C or R‖CPE arc is placed by its effective capacitance (Hsu–Mansfeld, normalised to a cell constant
    L/A of 1 cm⁻¹ when thickness and area are known), after Irvine, Sinclair & West, Adv. Mater. 2 (1990) 132:
    ≤ 1e-8 F is the electrolyte (bulk if ≤ 1e-11 F and fastest, else grain boundary) — except in a liquid cell,
    whose electrolyte shows no arc in the window; larger capacitances are electrode processes: with blocking
    electrodes an ``interface`` arc (no charge transfer), otherwise the slowest arc that can be a charge transfer
    is the charge transfer (its capacitance the double layer) and faster ones are SEI/surface layers (liquid) or
    interfacial (solid / not known).  An arc cannot be the charge transfer when it looks like diffusion
    (≥ 1e-3 F cm⁻² of electrode, or n < 0.7 with its apex below the window: the role passes to the next faster
    arc) or the window does not determine it (apex below the lowest fitted frequency, or n < 0.7: no arc is the
    charge transfer): :func:`charge_transfer_doubt`;
  - a preset names interchangeable arcs fastest first: they get the preset's roles by time-constant rank
    whatever order the fit left them in, and the preset's charge-transfer arc loses the role when it cannot be one.

Only resistors (``R`` elements) are resistances: an arc's capacitor shares its resistor's role but is never
summed, halved or turned into an ASR, i0 or σ (:meth:`RoleAssignment.resistances`).

A circuit string that equals a preset's circuit (up to element numbering) takes that preset's roles, so the
string and the preset give the same numbers (:func:`matching_preset`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
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

ELECTROLYTE_ROLES = ("electrolyte", "bulk", "grain_boundary")
"""Roles whose resistances are the electrolyte's (R_SE = R_b + R_gb; conductivity σ = L/(R A))."""
OHMIC_ROLES = (*ELECTROLYTE_ROLES, "leads")
"""Roles whose resistances add up to R_Ω, the iR-drop resistance (the electrolyte and any leads/contacts)."""
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
"""Arcs with an effective capacitance up to this (normalised to L/A = 1 cm⁻¹) are electrolyte arcs: the top of
Irvine–Sinclair–West's grain-boundary range 1e-11–1e-8 F."""
BULK_CAPACITANCE_MAX_F = 1e-11
"""The fastest electrolyte arc with a normalised capacitance up to this is the bulk: bulk ~1e-12 F
(ε_r ε0 with ε_r up to ~100), grain boundary from 1e-11 F (Irvine–Sinclair–West)."""
GRAIN_BOUNDARY_CAPACITANCE_F = (BULK_CAPACITANCE_MAX_F, ELECTROLYTE_CAPACITANCE_MAX_F)
"""Normalised capacitance range of a grain-boundary arc (a note flags one outside it)."""
DOUBLE_LAYER_CAPACITANCE_MIN_F = 1e-7
"""An arc named charge transfer with less capacitance than this per cm² of electrode is unusual (electrode
interface 1e-7–1e-4 F cm⁻²): a note says so."""
DIFFUSION_CAPACITANCE_MIN_F_CM2 = 1e-3
"""An electrode arc with this much capacitance per cm² of electrode or more is not a double layer (10–100 µF cm⁻²,
×10 for a rough metal) but diffusion fitted as an arc: salt diffusion across a separator looks like 1e-2–1e2 F cm⁻²
(τ/R of the finite-length element; calibrated on Na | liquid | Na spectra of known truth, ``charge_transfer_doubt``)."""
CHARGE_TRANSFER_MIN_N = 0.7
"""An arc more depressed than this (CPE n below it) is not read as one charge-transfer relaxation; with its apex
below the window it is a Warburg-like tail (n = 0.5 is a Warburg line)."""

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
        cell_source = preset.source
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
    if found is None and preset is not None and (tagged := preset_electrolyte(preset)) is not None:
        found, source = tagged, preset.source
    return CellContext(cell_kind, cell_source, found, source)  # type: ignore[arg-type]


def preset_electrolyte(preset: Any) -> Electrolyte | None:
    """The electrolyte ``preset``'s tags name (``liquid`` first), ``None`` for none or no preset."""
    tags = getattr(preset, "tags", ())
    return next((e for e in ELECTROLYTES if e in tags), None)


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


def matching_preset(
    circuit: Circuit | str, electrolyte: str | None = None, candidates: Sequence[Preset] | None = None
) -> Preset | None:
    """The preset among ``candidates`` (default: every preset) whose circuit has the same structure as
    ``circuit`` (element numbers may differ), with its labels renamed to ``circuit``'s; among several (e.g.
    ``na_se_na_2arc`` and ``na_liquid_na``) the one tagged with ``electrolyte``, else an automatic-choice
    (``general``) one, else the first by name."""
    circuit = Circuit(circuit) if isinstance(circuit, str) else circuit
    shape = _shape(circuit.tree)[0]
    pool = list_presets() if candidates is None else list(candidates)
    found = [p for p in pool if _shape(p.circuit.tree)[0] == shape]
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
    """The role of each element (by label), where the roles came from, and notes on doubtful assignments.

    Select resistances with :meth:`resistances`: a role belongs to an element, and an arc's capacitor shares
    its resistor's role, but only a resistor's value is a resistance."""

    roles: Mapping[str, str]
    source: str
    notes: tuple[str, ...] = ()
    resistors: tuple[str, ...] = ()
    """Labels of the circuit's resistors (``R`` elements), in circuit order."""

    def labels(self, *roles: str) -> list[str]:
        """Element labels with any of ``roles``, in circuit order."""
        return [label for label, role in self.roles.items() if role in roles]

    def resistances(self, *roles: str) -> list[str]:
        """Labels of the resistors with any of ``roles``, in circuit order: the parameters whose values are
        the resistances of those roles (an arc's capacitor has its resistor's role but is not one)."""
        return [label for label in self.resistors if self.roles.get(label) in roles]


@dataclass
class _Walk:
    """What one pass over the circuit finds: roles fixed by structure, the series resistors and plain arcs."""

    roles: dict[str, str] = field(default_factory=dict)
    series_resistors: list[Element] = field(default_factory=list)
    plain_arcs: list[Parallel] = field(default_factory=list)
    blocking: bool = False
    inductor: bool = False


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
                walk.inductor = True


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
            walk.inductor = True
        elif symbol in _CAPACITIVE:
            walk.roles[node.label] = "electrode"
            walk.blocking = True
        elif symbol in _DIFFUSION:
            walk.roles[node.label] = "diffusion"
    return walk


@dataclass(frozen=True)
class _Arc:
    """A plain arc at fitted values: time constant (s), effective capacitance normalised to a cell constant of
    1 cm⁻¹ (``specific``, F: the Irvine–Sinclair–West scale) and per electrode area (``per_area``, F cm⁻²),
    CPE exponent (1 for a capacitor)."""

    tau: float
    specific: float
    per_area: float
    exponent: float
    resistor: Element
    capacitor: Element

    @property
    def apex_hz(self) -> float:
        return 1.0 / (2.0 * math.pi * self.tau) if self.tau > 0 else math.nan


def _plain_arcs(
    walk: _Walk, values: Mapping[str, float], cell_constant_per_cm: float, area_cm2: float
) -> list[_Arc]:
    """The plain arcs, fastest first (arcs without values last, in written order)."""
    arcs = []
    for arc in walk.plain_arcs:
        resistor = next(b for b in arc.children if isinstance(b, Element) and b.spec.symbol == "R")
        capacitor = next(b for b in arc.children if isinstance(b, Element) and b.spec.symbol in _CAPACITIVE)
        found = arc_capacitance(arc, values)
        c_eff, tau = found if found else (math.nan, math.nan)
        exponent = values.get(f"{capacitor.label}_n", 1.0) if capacitor.spec.symbol == "CPE" else 1.0
        arcs.append(_Arc(tau, c_eff * cell_constant_per_cm, c_eff / area_cm2, exponent, resistor, capacitor))
    return sorted(arcs, key=lambda a: a.tau if math.isfinite(a.tau) else math.inf)


def charge_transfer_doubt(
    per_area_f_cm2: float, exponent: float, apex_hz: float, f_lowest_hz: float | None
) -> tuple[str, str] | None:
    """Why an electrode arc (effective capacitance per electrode area, CPE exponent, apex frequency) cannot be
    read as a charge transfer: ``("diffusion", why)`` when it looks like diffusion — a capacitance of
    :data:`DIFFUSION_CAPACITANCE_MIN_F_CM2` or more, or a depressed arc (n < :data:`CHARGE_TRANSFER_MIN_N`) whose
    apex lies below the window, i.e. a Warburg-like line; ``("unidentified", why)`` when the window does not
    determine it (apex below the lowest fitted frequency ``f_lowest_hz``: R is an extrapolation; or
    n < :data:`CHARGE_TRANSFER_MIN_N`: too depressed to be one interfacial relaxation); ``None`` when it can."""
    if not (math.isfinite(per_area_f_cm2) and math.isfinite(apex_hz)):
        return None  # no fitted values: the structure alone decides
    below = f_lowest_hz is not None and apex_hz < f_lowest_hz
    depressed = exponent < CHARGE_TRANSFER_MIN_N
    if per_area_f_cm2 >= DIFFUSION_CAPACITANCE_MIN_F_CM2:
        return "diffusion", (
            f"its capacitance ({per_area_f_cm2:.2g} F cm⁻²) is far above a double layer's (1e-5–1e-4 F cm⁻²): "
            "a diffusion (or pseudo-capacitive) process fitted as an arc"
        )
    if depressed and below:
        return "diffusion", (
            f"it is strongly depressed (n = {exponent:.2f}) and its apex ({apex_hz:.3g} Hz) lies below the "
            f"lowest fitted frequency ({f_lowest_hz:.3g} Hz): a Warburg-like diffusion tail fitted as an arc"
        )
    if below:
        return "unidentified", (
            f"its apex ({apex_hz:.3g} Hz) lies below the lowest fitted frequency ({f_lowest_hz:.3g} Hz), so its "
            "resistance is an extrapolation"
        )
    if depressed:
        return "unidentified", (
            f"it is strongly depressed (n = {exponent:.2f} < {CHARGE_TRANSFER_MIN_N}): not one interfacial "
            "relaxation (distributed or diffusion-like)"
        )
    return None


def _doubt(arc: _Arc, f_lowest_hz: float | None) -> tuple[str, str] | None:
    return charge_transfer_doubt(arc.per_area, arc.exponent, arc.apex_hz, f_lowest_hz)


_NOT_CHARGE_TRANSFER = {"diffusion": "diffusion", "unidentified": "interface"}
"""The role an electrode arc gets when it cannot be the charge transfer, by the kind of doubt."""


def _charge_transfer_arc(
    electrode: list[_Arc], walk: _Walk, f_lowest_hz: float | None, notes: list[str]
) -> _Arc | None:
    """The charge-transfer arc among the electrode arcs (fastest first): the slowest one that can be read
    as charge transfer.  A diffusion-like slowest arc passes the role to the next slower arc; an arc the
    window does not determine ends the search (the charge transfer is then most likely that arc, and a
    faster arc is a film, not the charge transfer)."""
    for arc in reversed(electrode):
        doubt = _doubt(arc, f_lowest_hz)
        if doubt is None:
            return arc
        kind, why = doubt
        role = _NOT_CHARGE_TRANSFER[kind]
        walk.roles[arc.resistor.label] = walk.roles[arc.capacitor.label] = role
        if kind == "diffusion":
            notes.append(
                f"{arc.resistor.label} is not taken as charge transfer ({ROLE_NAMES[role]}, no i0): {why}; the "
                "charge-transfer role goes to the next faster electrode arc, if it can be one"
            )
            continue
        notes.append(
            f"{arc.resistor.label} is not taken as charge transfer ({ROLE_NAMES[role]}, no i0): {why}; no arc "
            "is taken as charge transfer (measure to lower frequencies, or fit a circuit with a diffusion element)"
        )
        return None
    return None


def _place_arcs(
    arcs: list[_Arc], walk: _Walk, electrolyte: str | None, f_lowest_hz: float | None
) -> list[str]:
    """Roles of the plain arcs and the series resistors (see the module docstring); returns notes."""
    notes: list[str] = []
    in_electrolyte = [
        a for a in arcs if electrolyte != "liquid" and a.specific <= ELECTROLYTE_CAPACITANCE_MAX_F
    ]
    at_electrode = [a for a in arcs if a not in in_electrolyte]
    for k, arc in enumerate(in_electrolyte):
        role = "bulk" if k == 0 and arc.specific <= BULK_CAPACITANCE_MAX_F else "grain_boundary"
        walk.roles[arc.resistor.label] = walk.roles[arc.capacitor.label] = role
    charge_transfer = None
    if not walk.blocking and "charge_transfer" not in walk.roles.values():
        charge_transfer = _charge_transfer_arc(at_electrode, walk, f_lowest_hz, notes)
    for arc in at_electrode:
        if arc is charge_transfer:
            role, cap_role = "charge_transfer", "double_layer"
        elif arc.resistor.label in walk.roles:
            continue  # set aside as diffusion-like or not identified
        elif walk.blocking:
            role = cap_role = "interface"
        else:  # a faster electrode process: a film in a liquid cell, else interphase / constriction
            role = cap_role = "sei" if electrolyte == "liquid" else "interface"
        walk.roles[arc.resistor.label], walk.roles[arc.capacitor.label] = role, cap_role
    arc_roles = set(walk.roles.values())
    bulk_arc = "bulk" in arc_roles
    if bulk_arc and walk.inductor:
        series_role = "leads"  # a resolved bulk arc behind lead inductance: the intercept is the leads
    elif bulk_arc or "grain_boundary" in arc_roles:
        series_role = "bulk"
    else:
        series_role = "electrolyte"
    for resistor in walk.series_resistors:
        walk.roles[resistor.label] = series_role
    if bulk_arc and series_role == "bulk" and walk.series_resistors:
        names = " + ".join(r.label for r in walk.series_resistors)
        notes.append(
            f"{names} (series) is counted as bulk together with the bulk arc: without a lead inductance in the "
            "circuit nothing marks it as leads or contacts (add L to the circuit if it is)"
        )
    return notes


def _rank_preset_roles(
    circuit: Circuit, roles: dict[str, str | None], values: Mapping[str, float]
) -> list[str]:
    """A preset names its interchangeable arcs (identical R‖C / R‖CPE in series) fastest first.  When the fit
    left them in another order (a fixed parameter or unequal bounds keep :func:`~nakinetics.fitting.fit_circuit`
    from reordering), each arc gets the roles of its time-constant rank; returns a note for each such move."""
    groups: dict[str, list[Parallel]] = {}
    for node in _parts(circuit.tree):
        if isinstance(node, Parallel) and _is_plain(node):
            groups.setdefault(_shape(node)[0], []).append(node)
    notes = []
    for arcs in groups.values():
        found = [arc_capacitance(arc, values) for arc in arcs]
        if len(arcs) < 2 or any(f is None or not math.isfinite(f[1]) for f in found):
            continue
        taus = [f[1] for f in found if f is not None]
        order = sorted(range(len(arcs)), key=lambda k: taus[k])
        if order == list(range(len(arcs))):
            continue
        written = [[roles.get(e.label) for e in _shape(arc)[1]] for arc in arcs]
        for rank, k in enumerate(order):
            for element, role in zip(_shape(arcs[k])[1], written[rank], strict=True):
                roles[element.label] = role
        resistors = [next(e.label for e in elements_of(arc) if e.spec.symbol == "R") for arc in arcs]
        speeds = ", ".join(f"{resistors[k]} {1 / (2 * math.pi * taus[k]):.3g} Hz" for k in order)
        moved = ", ".join(f"{resistors[k]} = {ROLE_NAMES.get(roles[resistors[k]] or '', '?')}" for k in order)
        notes.append(
            f"the preset names its arcs fastest first, but the fit left them in another order (apexes {speeds}; a "
            f"fixed parameter or unequal bounds keep the fit from reordering): roles follow the time constants — {moved}"
        )
    return notes


def _preset_charge_transfer(
    arcs: list[_Arc], roles: dict[str, str | None], source: str, f_lowest_hz: float | None
) -> list[str]:
    """A preset's charge-transfer arc that cannot be read as one (:func:`charge_transfer_doubt`) loses the
    role (no i0); returns the notes."""
    notes = []
    for arc in arcs:
        if roles.get(arc.resistor.label) != "charge_transfer" or (doubt := _doubt(arc, f_lowest_hz)) is None:
            continue
        kind, why = doubt
        role = _NOT_CHARGE_TRANSFER[kind]
        roles[arc.resistor.label] = roles[arc.capacitor.label] = role
        notes.append(
            f"{arc.resistor.label} is named charge transfer by the {source}, but it is taken as "
            f"{ROLE_NAMES[role]} (no i0): {why}"
        )
    return notes


def _capacitance_notes(
    arcs: list[_Arc], roles: Mapping[str, str], electrolyte: str | None, blocking: bool
) -> list[str]:
    """Irvine–Sinclair–West checks of each plain arc's named role against its capacitance."""
    notes = []
    for arc in arcs:
        role, label = roles.get(arc.resistor.label), arc.resistor.label
        c_n = arc.specific
        if not math.isfinite(c_n):
            continue
        if role == "charge_transfer" and arc.per_area < DOUBLE_LAYER_CAPACITANCE_MIN_F:
            notes.append(
                f"{label} is taken as charge transfer but its arc's capacitance ({arc.per_area:.2g} F cm⁻²) is "
                "below the double-layer range (1e-7–1e-4 F cm⁻²): it may be a surface layer or the electrolyte"
            )
        elif role == "bulk" and c_n > BULK_CAPACITANCE_MAX_F:
            notes.append(
                f"the arc taken as bulk ({label}) has C_eff × L/A = {c_n:.3g} F, unusual for bulk (~1e-12 F; "
                "grain boundary 1e-11–1e-8 F at L/A = 1 cm⁻¹): check the assignment"
            )
        elif role == "grain_boundary" and not (
            GRAIN_BOUNDARY_CAPACITANCE_F[0] <= c_n <= GRAIN_BOUNDARY_CAPACITANCE_F[1]
        ):
            notes.append(
                f"the arc taken as grain boundary ({label}) has C_eff × L/A = {c_n:.3g} F, unusual for a grain "
                "boundary (1e-11–1e-8 F at L/A = 1 cm⁻¹; bulk ~1e-12 F): check the assignment"
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
    area_cm2: float | None = None,
    f_lowest_hz: float | None = None,
) -> RoleAssignment:
    """Roles of ``circuit``'s elements at fitted ``values`` (see the module docstring for the rules): the one
    role decision behind ``fit``, ``conductivity``, ``geis``, ``tafel --eis``, ``arrhenius`` and cycling.

    ``preset`` roles win where the preset names them — its interchangeable arcs by time-constant rank, and
    its charge-transfer arc only when it can be one (:func:`charge_transfer_doubt`); without a preset, a
    preset with the same circuit structure is used when there is one (:func:`matching_preset`).
    ``cell_constant_per_cm`` (L/A) normalises capacitances for the Irvine–Sinclair–West ranges and
    ``area_cm2`` gives electrode capacitances per area (each taken as 1 when not known); ``f_lowest_hz`` is
    the lowest fitted frequency (an arc whose apex lies below it is not taken as charge transfer).
    """
    electrolyte = context.electrolyte if context else None
    if preset is None:
        preset = matching_preset(circuit, electrolyte)
    walk = _structure(circuit)
    arcs = _plain_arcs(walk, values, cell_constant_per_cm or 1.0, area_cm2 or 1.0)
    notes = _place_arcs(arcs, walk, electrolyte, f_lowest_hz)
    inferred = {e.label: walk.roles[e.label] for e in circuit.elements if e.label in walk.roles}
    if preset is not None and preset.roles:
        roles: dict[str, str | None] = {e.label: preset.roles.get(e.label) for e in circuit.elements}
        complete = set(preset.roles) >= set(inferred)
        source = preset.source + ("" if complete else " (the rest from structure and capacitance)")
        notes = _rank_preset_roles(circuit, roles, values)
        notes += _preset_charge_transfer(arcs, roles, preset.source, f_lowest_hz)
        roles = {label: role if role is not None else inferred.get(label) for label, role in roles.items()}
    else:
        roles = dict(inferred)
        source = "structure and capacitance (Irvine–Sinclair–West ranges)"
    named = {label: role for label, role in roles.items() if role is not None}
    notes += _capacitance_notes(arcs, named, electrolyte, walk.blocking)
    for arc in arcs:
        label = arc.resistor.label
        pinned, by_capacitance = named.get(label), inferred.get(label)
        if (pinned in _ELECTRODE and by_capacitance in _IN_ELECTROLYTE) or (
            pinned in _IN_ELECTROLYTE and by_capacitance in _ELECTRODE
        ):
            notes.append(
                f"{label} is taken as {ROLE_NAMES[pinned]} ({source}) but its arc's capacitance ({arc.specific:.2g} F) "
                f"suggests {ROLE_NAMES[by_capacitance]} (Irvine–Sinclair–West): if so, "
                + (
                    "it belongs to R_Ω, not to the interfacial ASR"
                    if by_capacitance in _IN_ELECTROLYTE
                    else "it is interfacial, not part of R_Ω"
                )
            )
    resistors = tuple(e.label for e in circuit.elements if e.spec.symbol == "R")
    return RoleAssignment(MappingProxyType(named), source, tuple(notes), resistors)
