"""Preset circuits: TOML files in the top-level ``circuits/`` folder, shipped in the wheel.

A preset names a circuit and the physical role of its elements (which R is the electrolyte, the
interface, the charge transfer), so derived quantities (ASR, i0, conductivity) know what to compute.
Optional per-parameter entries set a starting ``value``, ``min``/``max`` bounds or ``vary = false``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._checks import checked
from ._repr import compact_repr
from .circuit import Circuit
from .exceptions import CircuitSyntaxError, PresetError, did_you_mean

ROLES = (
    "electrolyte",  # ohmic electrolyte resistance (R_SE = bulk + grain boundary for solid cells)
    "bulk",
    "grain_boundary",
    "interface",  # interfacial resistance (Na | solid electrolyte)
    "sei",
    "charge_transfer",
    "double_layer",
    "diffusion",
    "electrode",  # blocking-electrode double layer
    "leads",
    "inductance",
)
"""Physical roles an element can have in a preset."""

_TOP_KEYS = {"schema", "name", "title", "circuit", "description", "references", "tags", "roles", "parameters"}
_PARAM_KEYS = {"value", "min", "max", "vary"}


@dataclass(frozen=True)
class ParameterOverride:
    """Preset settings for one parameter; ``None`` keeps the element's default."""

    value: float | None = None
    min: float | None = None
    max: float | None = None
    vary: bool = True


@dataclass(frozen=True)
class Preset:
    """A named circuit with element roles and parameter settings."""

    __repr__ = compact_repr

    name: str
    title: str
    circuit: Circuit
    description: str
    roles: Mapping[str, str]
    parameters: Mapping[str, ParameterOverride] = field(default_factory=dict)
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    matched: bool = False
    """True when the user wrote a circuit string and this preset was found by its structure
    (:func:`nakinetics.parameters.resolve_model`), not named."""

    def role_of(self, element_label: str) -> str | None:
        """Role of an element (``"interface"``) or ``None`` when the preset does not say."""
        return self.roles.get(element_label)

    @property
    def source(self) -> str:
        """Where a convention taken from this preset comes from, as reports say it: ``preset NAME``, or
        ``circuit matches preset NAME`` when the user wrote the circuit string."""
        return f"circuit matches preset {self.name}" if self.matched else f"preset {self.name}"


def _fail(source: str, message: str) -> PresetError:
    return PresetError(f"{source}: {message}")


def _check_keys(source: str, where: str, given: Mapping[str, Any], allowed: set[str]) -> None:
    for key in given:
        if key not in allowed:
            raise _fail(source, f"unknown key '{key}' in {where}{did_you_mean(key, sorted(allowed))}")


def parse_preset(text: str, source: str = "<preset>") -> Preset:
    """Validate and build a :class:`Preset` from TOML ``text``; errors name ``source``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, f"invalid TOML: {exc}") from exc
    _check_keys(source, "the preset", data, _TOP_KEYS)
    if data.get("schema") != 1:
        raise _fail(source, f"schema must be 1, got {data.get('schema')!r}")
    for key in ("name", "title", "circuit", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise _fail(source, f"'{key}' must be a non-empty string")
    try:
        circuit = Circuit(data["circuit"])
    except CircuitSyntaxError as exc:
        raise _fail(source, str(exc)) from exc
    labels = {e.label for e in circuit.elements}
    roles = dict(data.get("roles", {}))
    for label, role in roles.items():
        if label not in labels:
            raise _fail(source, f"role given for '{label}', which is not in circuit {circuit.text}")
        if role not in ROLES:
            raise _fail(source, f"unknown role '{role}' for {label}{did_you_mean(str(role), ROLES)}")
    overrides: dict[str, ParameterOverride] = {}
    specs = {p.name: p.spec for p in circuit.parameters}
    for name, entry in data.get("parameters", {}).items():
        if name not in specs:
            hint = did_you_mean(name, specs)
            raise _fail(source, f"parameter '{name}' is not in circuit {circuit.text}{hint}")
        _check_keys(source, f"[parameters.{name}]", entry, _PARAM_KEYS)
        override = ParameterOverride(
            value=entry.get("value"),
            min=entry.get("min"),
            max=entry.get("max"),
            vary=bool(entry.get("vary", True)),
        )
        lo = specs[name].min if override.min is None else override.min
        hi = specs[name].max if override.max is None else override.max
        if lo >= hi:
            raise _fail(source, f"{name}: min {lo} must be below max {hi}")
        if override.value is not None and not lo <= override.value <= hi:
            raise _fail(source, f"{name}: value {override.value} is outside [{lo}, {hi}]")
        overrides[name] = override
    return Preset(
        name=data["name"],
        title=data["title"],
        circuit=circuit,
        description=" ".join(data["description"].split()),
        roles=MappingProxyType(roles),
        parameters=MappingProxyType(overrides),
        references=tuple(data.get("references", ())),
        tags=tuple(data.get("tags", ())),
    )


def _preset_files() -> Iterator[tuple[str, str]]:
    """(source, text) of every preset: the wheel's ``nakinetics/presets`` or the source tree's circuits/."""
    packaged = resources.files("nakinetics") / "presets"
    if packaged.is_dir():
        for entry in sorted(packaged.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                yield f"nakinetics/presets/{entry.name}", entry.read_text(encoding="utf-8")
        return
    source_tree = Path(__file__).resolve().parents[2] / "circuits"
    for path in sorted(source_tree.glob("*.toml")):
        yield str(path), path.read_text(encoding="utf-8")


LEADS_SUFFIX = "_leads"
"""Every preset without an inductor also exists as ``<name>_leads``: the same circuit behind a series
inductance L0 (leads and cell holder; coin cells on long cables show Z'' > 0 at the highest frequencies)."""


def with_leads(preset: Preset) -> Preset:
    """``preset`` with a lead inductance in series (``L0``, or the next free ``L`` label) named ``<name>_leads``."""
    used = {e.label for e in preset.circuit.elements}
    label = next(f"L{k}" for k in range(100) if f"L{k}" not in used)
    return replace(
        preset,
        name=preset.name + LEADS_SUFFIX,
        title=f"{preset.title}, with lead inductance",
        circuit=Circuit(f"{label}-{preset.circuit.text}"),
        description=f"{preset.description} In series: the lead inductance {label} (typically 0.1–5 µH).",
        roles=MappingProxyType({label: "inductance", **preset.roles}),
        tags=(*preset.tags, "leads"),
    )


@cache
def _all_presets() -> Mapping[str, Preset]:
    presets: dict[str, Preset] = {}
    for source, text in _preset_files():
        preset = parse_preset(text, source)
        if preset.name in presets:
            raise _fail(source, f"preset name '{preset.name}' is defined twice")
        presets[preset.name] = preset
    for preset in list(presets.values()):
        if not any(e.spec.symbol == "L" for e in preset.circuit.elements):
            twin = with_leads(preset)
            if twin.name in presets:
                raise _fail(
                    twin.name, f"preset name '{twin.name}' is defined twice (it is {preset.name}'s twin)"
                )
            presets[twin.name] = twin
    return MappingProxyType(presets)


def list_presets() -> list[Preset]:
    """All presets, sorted by name."""
    return [p for _, p in sorted(_all_presets().items())]


@checked
def get_preset(name: str) -> Preset:
    """The preset called ``name``; :class:`PresetError` with a suggestion when there is none."""
    presets = _all_presets()
    if name in presets:
        return presets[name]
    hint = did_you_mean(name, presets)
    raise PresetError(f"unknown preset '{name}'{hint} (known: {', '.join(sorted(presets))})")


def model_label(circuit: Circuit, preset: Preset | None) -> str:
    """How a fitted model is printed: ``name (circuit)`` for a preset (``na_se_na_2arc (R0-p(R1,CPE1)-p(R2,CPE2))``),
    the circuit string alone otherwise.  Every form is accepted back by ``-c`` / ``fit_circuit``
    (:func:`nakinetics.parameters.resolve_circuit`)."""
    if preset is None or preset.name == circuit.text:
        return circuit.text
    return f"{preset.name} ({circuit.text})"


def general_presets() -> list[Preset]:
    """Presets tagged ``general``: the candidates for automatic model choice."""
    return [p for p in list_presets() if "general" in p.tags]
