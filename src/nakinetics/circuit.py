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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NoReturn

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
        z, jacobian = self.impedance_and_deferred_jacobian(omega, values)
        return z, jacobian()

    def impedance_and_deferred_jacobian(
        self, omega: FloatArray | Frequencies, values: Sequence[float] | FloatArray
    ) -> tuple[ComplexArray, Callable[[], ComplexArray]]:
        """Z(ω) (Ω) now and a function that computes ∂Z/∂p (as :meth:`impedance_and_jacobian` returns it) when
        called: a fit's rejected trial step needs only Z."""
        w, vals = self._arguments(omega, values)
        tape: list[_Step] = []
        z = self._program(w, vals, tape)

        def jacobian() -> ComplexArray:
            jac = np.empty((len(vals), w.omega.size), dtype=complex)
            for write, *arguments in tape:
                write(jac, *arguments)
            return jac

        return (z if isinstance(z, np.ndarray) and z.ndim else z * w.ones), jacobian

    def _compute(
        self, omega: FloatArray | Frequencies, values: Sequence[float] | FloatArray, with_jacobian: bool
    ) -> tuple[ComplexArray, ComplexArray | None]:
        if with_jacobian:
            return self.impedance_and_jacobian(omega, values)
        w, vals = self._arguments(omega, values)
        z = self._program(w, vals, None)
        return (z if isinstance(z, np.ndarray) and z.ndim else z * w.ones), None

    def _arguments(
        self, omega: FloatArray | Frequencies, values: Sequence[float] | FloatArray
    ) -> tuple[Frequencies, list[float]]:
        w = omega if isinstance(omega, Frequencies) else Frequencies(omega)
        vals = values.tolist() if isinstance(values, np.ndarray) else [float(v) for v in values]
        if len(vals) != len(self.parameters):
            raise ValueError(f"{self.text} takes {len(self.parameters)} parameters, got {len(vals)}")
        return w, vals

    @cached_property
    def _program(self) -> _Evaluation:
        """The tree compiled once into nested closures (see :func:`_compile`)."""
        return _compile(self.tree, 0)[0]

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the compiled closures (they cannot be pickled; compiled again on first use), so
        circuits and fit results still travel to and from worker processes."""
        state = self.__dict__.copy()
        state.pop("_program", None)
        return state

    def simulate(self, frequency: FloatArray, values: Mapping[str, float]) -> ComplexArray:
        """Z (Ω) at ``frequency`` (Hz) for named parameter ``values`` (impedance.py names accepted)."""
        named = self.canonical_values(values)
        missing = [n for n in self.parameter_names if n not in named]
        if missing:
            raise UnknownParameterError(f"{self.text}: missing values for {', '.join(missing)}")
        return self.impedance(
            2.0 * np.pi * np.asarray(frequency, dtype=float), [named[n] for n in self.parameter_names]
        )


_Step = tuple[Any, ...]
"""One step of writing a Jacobian: ``(write, *arguments)``, run as ``write(jac, *arguments)``."""
_Evaluation = Callable[[Frequencies, list[float], "list[_Step] | None"], ComplexArray]
"""A compiled node: ``(ω, values, tape) -> Z``; appends to ``tape`` (unless ``None``: impedance only) the steps
that write ∂Z/∂p into the Jacobian rows of its parameters, to be run in order when the Jacobian is wanted."""


def _compile(node: Node, start: int) -> tuple[_Evaluation, int]:
    """``node`` as an evaluation whose parameters start at ``start`` in the value vector (depth-first, the
    parameter order), and the position after its last parameter.

    Compiled once per circuit, so an evaluation does no tree walking: a series node adds its children's Z,
    a parallel node combines 1/Z = Σ 1/Z_i and scales its children's Jacobian rows by (Z/Z_i)², the chain
    rule of 1/Z = Σ 1/Z_i; series rows pass through.  The Jacobian steps go on a tape in the order the nodes
    finish (children before their parallel node), so rows are written, then scaled outward.
    """
    if isinstance(node, Element):
        return _compile_element(node, start)
    parts = []
    stop = start
    for child in node.children:
        evaluate, child_stop = _compile(child, stop)
        parts.append((evaluate, stop, child_stop))
        stop = child_stop
    if isinstance(node, Series):
        first, *rest = (evaluate for evaluate, _, _ in parts)

        def series(omega: Frequencies, values: list[float], tape: list[_Step] | None) -> ComplexArray:
            z = first(omega, values, tape)
            for evaluate in rest:
                z = z + evaluate(omega, values, tape)
            return z

        return series, stop
    branches = [
        _branch(child, evaluate, a, b) for (evaluate, a, b), child in zip(parts, node.children, strict=True)
    ]

    def parallel(omega: Frequencies, values: list[float], tape: list[_Step] | None) -> ComplexArray:
        admittance: complex | ComplexArray = 0
        parts: list[Any] = []
        for kind, evaluate, a, b in branches:
            if kind is _RESISTOR and values[a]:
                # 1/R: what numpy's complex division gives for a real divisor (a product with 1/R), so Z/R in
                # _parallel_rows is Z·(1/R) likewise
                part = 1.0 / values[a]
                admittance = admittance + part
            elif kind is _SUBTREE:
                part = zi = evaluate(omega, values, tape)
                # numpy: a 0 Ω branch → inf, not ZeroDivisionError
                admittance = admittance + np.divide(1.0, zi)
            else:
                part = zi, _ = evaluate(omega, *values[a:b])
                admittance = admittance + np.divide(1.0, zi)
            parts.append(part)
        z = np.divide(1.0, complex(admittance) if isinstance(admittance, float) else admittance)
        if tape is not None:
            tape.append((_parallel_rows, branches, values, z, parts))
        return z

    return parallel, stop


def _parallel_rows(
    jac: ComplexArray, branches: list[_Branch], values: list[float], z: ComplexArray, parts: list[Any]
) -> None:
    """The Jacobian rows of a parallel node's branches: ∂Z/∂p = (Z/Z_i)² ∂Z_i/∂p."""
    for (kind, _, a, b), part in zip(branches, parts, strict=True):
        if kind is _RESISTOR and values[a]:  # ∂Z/∂R = (Z/R)²
            ratio = z * part
            jac[a] = ratio * ratio
        elif kind is _SUBTREE:  # its rows are written: scale them
            ratio = z / part
            jac[a:b] *= ratio * ratio
        else:  # an element's rows: its gradients times (Z/Z_i)², written once
            zi, grads = part
            ratio = z / zi
            square = ratio * ratio
            for row, grad in enumerate(grads, a):
                np.multiply(grad, square, out=jac[row])


def _element_rows(jac: ComplexArray, start: int, grads: list[ComplexArray]) -> None:
    for row, grad in enumerate(grads, start):
        jac[row] = grad


_RESISTOR, _ELEMENT, _SUBTREE = "resistor", "element", "subtree"
"""How a parallel node treats a branch: a resistor needs no array for its admittance; an element's gradients
are written already scaled; a sub-circuit writes its rows, which are then scaled."""
_Branch = tuple[str, Callable[..., Any], int, int]


def _branch(node: Node, evaluate: _Evaluation, start: int, stop: int) -> _Branch:
    """A parallel node's branch: its kind, its evaluation (an element's formula for elements) and its rows."""
    if not isinstance(node, Element):
        return _SUBTREE, evaluate, start, stop
    return (_RESISTOR if node.spec.symbol == "R" else _ELEMENT), node.spec.function, start, stop


def _compile_element(element: Element, start: int) -> tuple[_Evaluation, int]:
    function = element.spec.function
    stop = start + len(element.spec.parameters)

    def evaluate(omega: Frequencies, values: list[float], tape: list[_Step] | None) -> ComplexArray:
        z, grads = function(omega, *values[start:stop])
        if tape is not None:
            tape.append((_element_rows, start, grads))
        return z

    return evaluate, stop
