"""Bounded minimisation of a function of one variable in pure Python (``scipy.optimize`` costs more to import
than the DRT that uses it): Brent's method, golden-section steps with parabolic interpolation (R. P. Brent,
*Algorithms for Minimization without Derivatives*, Prentice-Hall 1973, ch. 5, procedure ``localmin``), with the
stopping rule of ``scipy.optimize.minimize_scalar(method="bounded")``: |x − m| ≤ 2·tol − (b − a)/2,
tol = √ε·|x| + xatol/3, so it visits the same points.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

_GOLDEN = 0.5 * (3.0 - math.sqrt(5.0))
_SQRT_EPS = math.sqrt(2.2e-16)


@dataclass(frozen=True)
class BoundedMinimum:
    """The best point ``x`` found, its value ``fun``, the evaluations made and whether the tolerance was met."""

    x: float
    fun: float
    evaluations: int
    converged: bool


def minimize_bounded(
    function: Callable[[float], float],
    low: float,
    high: float,
    xatol: float = 1e-5,
    max_evaluations: int = 500,
) -> BoundedMinimum:
    """The minimum of ``function`` on [``low``, ``high``] to ``xatol`` (a local one if it has several)."""
    if not low < high:
        raise ValueError(f"the bounds must satisfy low < high, got {low} and {high}")
    a, b = float(low), float(high)
    x = w = v = a + _GOLDEN * (b - a)  # best point, second best, the one before
    fx = fw = fv = function(x)
    evaluations = 1
    d = e = 0.0  # the last step and the one before it
    while True:
        middle = 0.5 * (a + b)
        tol = _SQRT_EPS * abs(x) + xatol / 3.0
        if abs(x - middle) <= 2.0 * tol - 0.5 * (b - a):
            return BoundedMinimum(x, fx, evaluations, True)
        if evaluations >= max_evaluations:
            return BoundedMinimum(x, fx, evaluations, False)
        golden = True
        if abs(e) > tol:  # try a parabola through x, w, v
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2.0 * (q - r)
            if q > 0.0:
                p = -p
            q = abs(q)
            previous, e = e, d
            if abs(p) < abs(0.5 * q * previous) and q * (a - x) < p < q * (b - x):
                golden = False
                d = p / q
                if (x + d) - a < 2.0 * tol or b - (x + d) < 2.0 * tol:
                    d = tol if middle >= x else -tol  # not closer than tol to a bound
        if golden:
            e = (a if x >= middle else b) - x
            d = _GOLDEN * e
        u = x + (d if abs(d) >= tol else math.copysign(tol, d) if d != 0.0 else tol)
        fu = function(u)
        evaluations += 1
        if fu <= fx:
            if u >= x:
                a = x
            else:
                b = x
            v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, fv, w, fw = w, fw, u, fu
            elif fu <= fv or v in (x, w):
                v, fv = u, fu
