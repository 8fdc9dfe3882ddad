"""Equivalent-circuit strings: tokenizer, recursive-descent parser and a compiled, vectorised model.

Syntax (impedance.py's): elements are a symbol and a label number (``R0``, ``CPE1``, ``Wo2``, ``R_0``
as impedance.py allows; ``R_sei`` is not valid but ``R1_sei`` is), ``-`` joins in series, ``p(a, b, ...)``
in parallel, and parentheses nest: ``R0-p(R1,CPE1)-p(R2-W2,CPE2)``.  No ``eval``: the string is parsed
into a tree once and the tree evaluates Z(ω) and its exact Jacobian with numpy.

Parameters are named ``R1`` (one-parameter elements) or ``LABEL_PARAM`` (``CPE1_Q``, ``CPE1_n``);
impedance.py's positional names (``CPE1_0``, ``CPE1_1``) are accepted as aliases
(:meth:`Circuit.canonical_name`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NoReturn, cast

import numpy as np

from ._checks import checked, checked_class
from ._typing import ComplexArray, FloatArray
from .elements import ELEMENTS, ElementSpec, Frequencies, ParameterSpec
from .exceptions import CircuitSyntaxError, UnknownElementError, UnknownParameterError, did_you_mean

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z]+[A-Za-z0-9_]*)|(?P<punct>[-,()]))")
_ELEMENT_NAME = re.compile(r"(?P<symbol>[A-Za-z]+)(?P<number>_*\d+\w*)$")


@dataclass(frozen=True)
class Element:
    """A labelled element in a circuit (``CPE1``)."""

    label: str
    spec: ElementSpec

    @property
    def parameter_names(self) -> list[str]:
        return self.spec.parameter_names(self.label)


@dataclass(frozen=True)
class Series:
    """Elements or sub-circuits in series: Z = Σ Z_i."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Parallel:
    """Elements or sub-circuits in parallel: 1/Z = Σ 1/Z_i."""

    children: tuple[Node, ...]


Node = Element | Series | Parallel


def _shorten(text: str, keep: int, left: bool = False) -> str:
    """``text`` cut to ``keep`` characters (its end when ``left``), so a huge string is quoted briefly."""
    if len(text) <= keep:
        return text
    return "…" + text[-keep:] if left else text[:keep] + "…"


MAX_NESTING = 32
"""Deepest nesting of ``p(...)`` and ``(...)`` a circuit string may have (real circuits need a handful;
the parser and the evaluation recurse once per level)."""


class _Parser:
    """Recursive descent over tokens: series := term ('-' term)*; term := p(series, ...) | (series) | element."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        stripped = text.rstrip()
        while pos < len(stripped):
            match = _TOKEN.match(stripped, pos)
            if match is None or match.end() == pos:
                bad = len(stripped[pos:]) - len(stripped[pos:].lstrip()) + pos
                self.fail(bad, f"unexpected character '{stripped[bad]}'")
            kind = "name" if match.group("name") else "punct"
            value = match.group(kind)
            self.tokens.append((kind, value, match.start(kind)))
            pos = match.end()
        self.index = 0
        self.depth = 0

    def enter(self, pos: int) -> None:
        """One level deeper into parentheses; refused beyond :data:`MAX_NESTING`."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(pos, f"parentheses nested deeper than {MAX_NESTING} levels")

    def fail(self, pos: int, message: str, cls: type[CircuitSyntaxError] = CircuitSyntaxError) -> NoReturn:
        context = f"{_shorten(self.text[:pos], 40, left=True)}>>{_shorten(self.text[pos:], 40)}"
        raise cls(f"circuit '{_shorten(self.text, 80)}': {message} at position {pos} ('{context}')")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def expect(self, value: str) -> None:
        token = self.peek()
        if token is None or token[1] != value:
            where = token[2] if token else len(self.text)
            found = f"'{token[1]}'" if token else "end of string"
            self.fail(where, f"expected '{value}', found {found}")
        self.index += 1

    def parse(self) -> Node:
        if not self.tokens:
            raise CircuitSyntaxError("circuit string is empty")
        node = self.series()
        token = self.peek()
        if token is not None:
            self.fail(token[2], f"unexpected '{token[1]}'")
        return node

    def series(self) -> Node:
        terms = [self.term()]
        while (token := self.peek()) is not None and token[1] == "-":
            self.index += 1
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else Series(tuple(terms))

    def term(self) -> Node:
        token = self.peek()
        if token is None:
            self.fail(len(self.text), "expected an element, 'p(' or '(', found end of string")
        kind, value, pos = token
        if value == "(":
            self.index += 1
            self.enter(pos)
            node = self.series()
            self.expect(")")
            self.depth -= 1
            return node
        if kind != "name":
            self.fail(pos, f"expected an element, 'p(' or '(', found '{value}'")
        self.index += 1
        nxt = self.peek()
        if value == "p" and nxt is not None and nxt[1] == "(":
            self.index += 1
            self.enter(pos)
            branches = [self.series()]
            while (token := self.peek()) is not None and token[1] == ",":
                self.index += 1
                branches.append(self.series())
            self.expect(")")
            self.depth -= 1
            if len(branches) < 2:
                self.fail(pos, "p(...) needs at least two branches separated by ','")
            return Parallel(tuple(branches))
        return self.element(value, pos)

    def element(self, name: str, pos: int) -> Element:
        match = _ELEMENT_NAME.match(name)
        if match is None:
            self.fail(
                pos,
                f"element '{_shorten(name, 40)}' needs a symbol followed by a label number (e.g. R1, CPE2, R_0)",
            )
        symbol = match.group("symbol")
        spec = ELEMENTS.get(symbol)
        if spec is None:
            hint = did_you_mean(symbol, ELEMENTS, cutoff=0.3)
            known = ", ".join(ELEMENTS)
            self.fail(
                pos,
                f"unknown element '{_shorten(symbol, 40)}' in '{_shorten(name, 40)}' (known: {known}){hint}",
                UnknownElementError,
            )
        return Element(name, spec)


@checked
def parse_circuit(text: str) -> Node:
    """Parse a circuit string into a tree of :class:`Element`, :class:`Series` and :class:`Parallel`."""
    return _Parser(text).parse()


def elements_of(node: Node) -> list[Element]:
    """Every element in ``node``, depth-first (the parameter order)."""
    if isinstance(node, Element):
        return [node]
    return [e for child in node.children for e in elements_of(child)]


def _to_string(node: Node) -> str:
    if isinstance(node, Element):
        return node.label
    if isinstance(node, Series):
        return "-".join(
            _to_string(c) if not isinstance(c, Series) else f"({_to_string(c)})" for c in node.children
        )
    return "p(" + ",".join(_to_string(c) for c in node.children) + ")"


@dataclass(frozen=True)
class ParameterInfo:
    """A circuit parameter: its full name, the element it belongs to and the element's spec for it."""

    name: str
    element: Element
    spec: ParameterSpec


@checked_class
class Circuit:
    """A parsed, validated circuit.  ``Circuit("R0-p(R1,CPE1)")``.

    Parameters are ordered as their elements appear in the string.  ``impedance(omega, values)``
    evaluates Z (Ω) for a vector of parameter values; :meth:`impedance_and_jacobian` also returns
    ∂Z/∂p with shape (n_parameters, n_omega).
    """

    def __init__(self, text: str) -> None:
        self.tree: Node = parse_circuit(text)
        self.elements: list[Element] = elements_of(self.tree)
        seen: set[str] = set()
        for element in self.elements:
            if element.label in seen:
                raise CircuitSyntaxError(f"circuit '{text}': element label '{element.label}' is used twice")
            seen.add(element.label)
        self.text: str = _to_string(self.tree)
        self.parameters: list[ParameterInfo] = [
            ParameterInfo(name, element, pspec)
            for element in self.elements
            for name, pspec in zip(element.parameter_names, element.spec.parameters, strict=True)
        ]
        self._aliases: dict[str, str] = {}
        for canonical, alias in zip(self.parameter_names, self.impedance_py_names, strict=True):
            for key in (canonical, alias):
                if self._aliases.setdefault(key, canonical) != canonical:
                    raise CircuitSyntaxError(f"circuit '{text}': parameter name '{key}' is ambiguous")

    def __repr__(self) -> str:
        return f"Circuit('{self.text}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Circuit) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    @property
    def top_level(self) -> tuple[Node, ...]:
        """The parts in series at the top of the circuit (the whole tree if it is not a series)."""
        return self.tree.children if isinstance(self.tree, Series) else (self.tree,)

    @cached_property
    def parameter_names(self) -> list[str]:
        """Names of all parameters in order (``R0``, ``R1``, ``CPE1_Q``, ``CPE1_n``, ...)."""
        return [p.name for p in self.parameters]

    @cached_property
    def impedance_py_names(self) -> list[str]:
        """impedance.py's names of the parameters, in the same order (``R0``, ``CPE1_0``, ``CPE1_1``)."""
        return [
            element.label if len(element.spec.parameters) == 1 else f"{element.label}_{k}"
            for element in self.elements
            for k in range(len(element.spec.parameters))
        ]

    def canonical_name(self, name: str) -> str | None:
        """The parameter that ``name`` means: itself, or the nakinetics name of an impedance.py alias
        (``CPE1_0`` → ``CPE1_Q``); ``None`` when the circuit has no such parameter."""
        return self._aliases.get(name)

    def require_name(self, name: str, what: str = "values") -> str:
        """The canonical name of ``name``; :class:`~nakinetics.exceptions.UnknownParameterError` naming
        ``what`` (where the name came from) and the circuit's parameters when there is none."""
        canonical = self.canonical_name(name)
        if canonical is None:
            raise UnknownParameterError(
                f"{what}: '{name}' is not a parameter of {self.text} (parameters: "
                f"{', '.join(self.parameter_names)}){did_you_mean(name, self._aliases)}"
            )
        return canonical

    def canonical_values(self, values: Mapping[str, float], what: str = "values") -> dict[str, float]:
        """``values`` keyed by canonical parameter names (aliases translated); an unknown or repeated
        name raises :class:`~nakinetics.exceptions.UnknownParameterError`."""
        out: dict[str, float] = {}
        for name, value in values.items():
            canonical = self.require_name(name, what)
            if canonical in out:
                raise UnknownParameterError(
                    f"{what}: {canonical} is given twice (as {canonical} and an alias)"
                )
            out[canonical] = value
        return out

    def impedance(
        self, omega: FloatArray | Frequencies, values: Sequence[float] | FloatArray
    ) -> ComplexArray:
        """Z(ω) in Ω; ``omega`` in rad s⁻¹ (or a precomputed :class:`~nakinetics.elements.Frequencies`),
        ``values`` in the order of :attr:`parameter_names`."""
        return self._compute(omega, values, with_jacobian=False)[0]

    def impedance_and_jacobian(
        self, omega: FloatArray | Frequencies, values: Sequence[float] | FloatArray
    ) -> tuple[ComplexArray, ComplexArray]:
        """Return Z(ω) (Ω) and ∂Z/∂p with shape (n_parameters, n_omega), rows in parameter order."""
        z, jac = self._compute(omega, values, with_jacobian=True)
        return z, cast(ComplexArray, jac)

    def _compute(
        self, omega: FloatArray | Frequencies, values: Sequence[float] | FloatArray, with_jacobian: bool
    ) -> tuple[ComplexArray, ComplexArray | None]:
        w = omega if isinstance(omega, Frequencies) else Frequencies(omega)
        vals = [float(v) for v in values]
        if len(vals) != len(self.parameters):
            raise ValueError(f"{self.text} takes {len(self.parameters)} parameters, got {len(vals)}")
        jac = np.empty((len(vals), w.omega.size), dtype=complex) if with_jacobian else None
        z = _evaluate(self.tree, w, vals, jac, [0])
        return z * w.ones if np.ndim(z) == 0 else z, jac

    def simulate(self, frequency: FloatArray, values: Mapping[str, float]) -> ComplexArray:
        """Z (Ω) at ``frequency`` (Hz) for named parameter ``values`` (impedance.py names accepted)."""
        named = self.canonical_values(values)
        missing = [n for n in self.parameter_names if n not in named]
        if missing:
            raise UnknownParameterError(f"{self.text}: missing values for {', '.join(missing)}")
        return self.impedance(
            2.0 * np.pi * np.asarray(frequency, dtype=float), [named[n] for n in self.parameter_names]
        )


def _evaluate(
    node: Node, omega: Frequencies, values: list[float], jac: ComplexArray | None, cursor: list[int]
) -> ComplexArray:
    """Z of ``node``; writes ∂Z/∂p into the rows of ``jac`` that belong to its parameters (skipped when
    ``jac`` is ``None``: impedance only).

    ``cursor[0]`` walks depth-first through ``values`` (the parameter order).  A parallel node scales
    its children's rows by (Z/Z_i)², the chain rule of 1/Z = Σ 1/Z_i; series rows pass through.
    """
    if isinstance(node, Element):
        start = cursor[0]
        cursor[0] += len(node.spec.parameters)
        z, grads = node.spec.function(omega, *values[start : cursor[0]])
        if jac is not None:
            for k, grad in enumerate(grads):
                jac[start + k] = grad
        return z
    if isinstance(node, Series):
        z = _evaluate(node.children[0], omega, values, jac, cursor)
        for child in node.children[1:]:
            z = z + _evaluate(child, omega, values, jac, cursor)
        return z
    parts = []
    for child in node.children:
        start = cursor[0]
        parts.append((start, _evaluate(child, omega, values, jac, cursor), cursor[0]))
    z = 1.0 / sum(
        np.divide(1.0, zi) for _, zi, _ in parts
    )  # numpy: a 0 Ω branch → inf, not ZeroDivisionError
    if jac is None:
        return z
    for start, zi, stop in parts:
        if stop > start:
            ratio = z / zi
            jac[start:stop] *= ratio * ratio
    return z
