"""The measurement model of a sweep: kinetic law + series voltage (ohmic drop, concentration
overpotential) + offset + capacitive current, solved point by point for the current.

At every point the faradaic current i_F = I(x) follows from the kinetic voltage x, which solves

    x + Φ(I(x)) = W,    W = V − V₀ − R_Ω·i_C,    Φ(i) = R_Ω·i + E(i),

with i_C = C·dV/dt the capacitive current and E an optional series term of the law.  Both I and Φ are
monotone and sign-preserving, so the root lies between 0 and W.  It is found by Newton's method on
φ = ln|Φ(I(x))| − ln|W − x|, stepping in ln|x| while x is nearer to 0 and in ln|W − x| while it is nearer
to W: both logarithmic barriers then become nearly linear, so the ohmic-drop-dominated and the
kinetics-dominated limits each converge in a step or two.  Bisection of the bracket is the safeguard.
The measured current is i = i_F + i_C.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._typing import FloatArray

CurrentFunction = Callable[[FloatArray], tuple[FloatArray, FloatArray]]
SeriesFunction = Callable[[FloatArray], tuple[FloatArray, FloatArray]]
EPS = float(np.finfo(float).eps)


def solve_kinetic_voltage(
    w: FloatArray,
    current: CurrentFunction,
    series: SeriesFunction,
    *,
    start: FloatArray | None = None,
    rtol: float = 1e-14,
    max_iter: int = 200,
) -> FloatArray:
    """Kinetic voltage x (V) with x + Φ(I(x)) = w at every point.

    ``current(x) -> (I, dI/dx)`` and ``series(i) -> (Φ, dΦ/di)`` are evaluated only on the points not yet
    converged; ``start`` (e.g. the previous solution during a fit) speeds things up.
    """
    w = np.asarray(w, dtype=float)
    lo, hi = np.minimum(w, 0.0), np.maximum(w, 0.0)
    x = np.zeros_like(w)
    active = np.flatnonzero(w != 0.0)
    if start is not None:
        guess = np.asarray(start, dtype=float)[active]
    else:
        i_slope = current(np.zeros(1))[1][0]
        r_slope = series(np.zeros(1))[1][0]
        guess = w[active] / (1.0 + max(i_slope * r_slope, 0.0))
    wa0 = w[active]
    inside = (guess * wa0 > 0) & (np.abs(guess) < np.abs(wa0)) & np.isfinite(guess)
    x[active] = np.where(inside, guess, 0.5 * wa0)
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            if active.size == 0:
                break
            xa, wa = x[active], w[active]
            i, di = current(xa)
            phi, dphi = series(i)
            residual = xa + phi - wa
            gap = wa - xa
            value = np.log(np.abs(phi)) - np.log(np.abs(gap))
            slope = dphi * di / phi + 1.0 / gap
            below = residual < 0
            lo_a = np.where(below, xa, lo[active])
            hi_a = np.where(below, hi[active], xa)
            lo[active], hi[active] = lo_a, hi_a
            # Newton in ln|x| near 0 and in ln|W − x| near W: both barriers become nearly linear
            near_zero = np.abs(xa) < np.abs(gap)
            new = np.where(
                near_zero,
                xa * np.exp(np.clip(-value / (slope * xa), -50.0, 50.0)),
                wa - gap * np.exp(np.clip(value / (slope * gap), -50.0, 50.0)),
            )
            good = np.isfinite(new) & (new >= lo_a) & (new <= hi_a)
            new = np.where(good, new, 0.5 * (lo_a + hi_a))
            tolerance = rtol * np.maximum(np.abs(wa), 1e-300)
            at_rounding = np.isfinite(phi) & (
                np.abs(residual) <= 8.0 * EPS * (np.abs(xa) + np.abs(phi) + np.abs(wa))
            )
            x[active] = np.where(at_rounding, xa, new)
            converged = (good & (np.abs(new - xa) <= tolerance)) | (hi_a - lo_a <= tolerance) | at_rounding
            active = active[~converged]
    return x
