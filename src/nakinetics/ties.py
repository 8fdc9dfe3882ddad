"""Ties between circuit parameters: ``R2 = R1``, ``CPE2_n = CPE1_n``, ``R3 = 0.5*R1 + R2``.

A tie makes one parameter a function of others, so it is not fitted: the degrees of freedom, the reduced
χ² and the covariance count only the free parameters, and the tied parameter's standard error follows
by linear propagation through the expression's gradient (as lmfit does for ``expr`` parameters).

Expressions are parsed with :mod:`ast` and evaluated by a small interpreter — never ``eval`` — that
allows numbers, parameter names (impedance.py's ``CPE1_1`` too), ``+ - * / **``, parentheses and the
functions ``exp``, ``log``, ``log10`` and ``sqrt``.  The interpreter carries the gradient along
(forward-mode differentiation), so fits keep an exact Jacobian.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np

from ._typing import FloatArray
from .exceptions import FitError

#: value and gradient with respect to the free parameters
Dual = tuple[float, FloatArray]

_FUNCTIONS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    # name: (f, f')
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda x: 1.0 / x),
    "log10": (math.log10, lambda x: 1.0 / (x * math.log(10.0))),
    "sqrt": (math.sqrt, lambda x: 0.5 / math.sqrt(x)),
}


class TieError(FitError, ValueError):
    """A tie that cannot be used: bad syntax, unknown names, a cycle, or a tied parameter that is fixed."""


@dataclass(frozen=True)
class Tie:
    """``target = expression``; ``expression`` uses canonical parameter names (``CPE1_n``)."""

    target: str
    expression: str
    tree: ast.expr
    depends_on: tuple[str, ...]

    def evaluate(self, values: Mapping[str, Dual]) -> Dual:
        """Value and gradient of the expression, given those of the parameters it depends on; raises
        :class:`TieError` when the value is not a finite real number (``(-2)**0.5``, an overflow)."""
        value, gradient = _evaluate(self.tree, values, f"tie {self.target} = {self.expression}")
        if not math.isfinite(value):
            raise TieError(
                f"tie {self.target} = {self.expression}: the value is {value:g}, not a finite number"
            )
        return value, gradient

    def value(self, values: Mapping[str, float]) -> float:
        """The expression's value for plain parameter values."""
        zero = np.zeros(0)
        return self.evaluate({n: (float(values[n]), zero) for n in self.depends_on})[0]


def parse_tie(target: str, expression: str | float, resolve: Callable[[str], str | None]) -> Tie:
    """Parse ``target = expression``; ``resolve`` maps a name (or impedance.py alias) to its canonical
    parameter name, or ``None`` when the circuit has no such parameter."""
    text = str(expression).strip()
    where = f"tie {target} = {text}"
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise TieError(f"{where}: not an arithmetic expression ({exc.msg})") from None
    names: list[str] = []
    tree = _RenameParameters(resolve, names, where).visit(tree)
    _check_nodes(tree, where)
    return Tie(target, ast.unparse(tree), tree, tuple(dict.fromkeys(names)))


class _RenameParameters(ast.NodeTransformer):
    """Replace every parameter name by its canonical name and record it."""

    def __init__(self, resolve: Callable[[str], str | None], names: list[str], where: str) -> None:
        self.resolve, self.names, self.where = resolve, names, where

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            allowed = ", ".join(_FUNCTIONS)
            raise TieError(f"{self.where}: only the functions {allowed} may be called")
        if len(node.args) != 1 or node.keywords:
            raise TieError(f"{self.where}: {node.func.id}() takes exactly one argument")
        node.args = [self.visit(node.args[0])]
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        canonical = self.resolve(node.id)
        if canonical is None:
            raise TieError(f"{self.where}: '{node.id}' is not a parameter of the circuit")
        self.names.append(canonical)
        return ast.copy_location(ast.Name(canonical, ast.Load()), node)


_ALLOWED = (ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load)
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.UAdd, ast.USub)


def _check_nodes(tree: ast.AST, where: str) -> None:
    for node in ast.walk(tree):
        if isinstance(node, _OPERATORS):
            continue
        if not isinstance(node, _ALLOWED):
            raise TieError(
                f"{where}: '{type(node).__name__}' is not allowed (use numbers, names, + - * / **)"
            )
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            raise TieError(f"{where}: constant {node.value!r} is not a number")


def _evaluate(node: ast.AST, values: Mapping[str, Dual], where: str) -> Dual:
    if isinstance(node, ast.Constant):
        size = next(iter(values.values()))[1].size if values else 0
        return float(node.value), np.zeros(size)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        v, g = _evaluate(node.operand, values, where)
        return (-v, -g) if isinstance(node.op, ast.USub) else (v, g)
    if isinstance(node, ast.Call):
        name = cast(ast.Name, node.func).id  # checked by the parser
        f, df = _FUNCTIONS[name]
        v, g = _evaluate(node.args[0], values, where)
        try:
            return f(v), df(v) * g
        except (ValueError, ZeroDivisionError, OverflowError):
            raise TieError(f"{where}: {name}({v:g}) is undefined") from None
    node = cast(ast.BinOp, node)  # the only node type left after _check_nodes
    (a, ga), (b, gb) = _evaluate(node.left, values, where), _evaluate(node.right, values, where)
    op = node.op
    if isinstance(op, ast.Pow) and a < 0 and not float(b).is_integer():
        raise TieError(f"{where}: {a:g} ** {b:g} is not a real number (negative base, fractional power)")
    try:
        if isinstance(op, ast.Add):
            return a + b, ga + gb
        if isinstance(op, ast.Sub):
            return a - b, ga - gb
        if isinstance(op, ast.Mult):
            return a * b, ga * b + a * gb
        if isinstance(op, ast.Div):
            return a / b, (ga * b - a * gb) / (b * b)
        power = a**b
        log_term = math.log(a) * gb * power if np.any(gb) else 0.0
        return power, b * a ** (b - 1.0) * ga + log_term
    except (ZeroDivisionError, OverflowError, ValueError):
        raise TieError(f"{where}: arithmetic error at {a:g} and {b:g}") from None


def order_ties(ties: Mapping[str, Tie]) -> list[Tie]:
    """The ties in an order where every tie comes after the ties it depends on (raises on a cycle)."""
    ordered: list[Tie] = []
    state: dict[str, int] = {}  # 1 = in progress, 2 = done

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2 or name not in ties:
            return
        if state.get(name) == 1:
            raise TieError(f"ties form a cycle: {' -> '.join((*chain, name))}")
        state[name] = 1
        for dep in ties[name].depends_on:
            visit(dep, (*chain, name))
        state[name] = 2
        ordered.append(ties[name])

    for name in ties:
        visit(name, ())
    return ordered
