"""A small bounded Levenberg–Marquardt solver for the search stage of circuit fits.

scipy's ``least_squares`` costs ~0.3 ms of Python overhead per iteration, more than evaluating the
circuit; this solver does one SVD-free normal-equation step per iteration, with bounds by projection, and
reuses the residual and Jacobian computed together.  It is used to find the basin and to converge the
best one.

Two standard refinements make it converge in about half the iterations on fits with many arcs (sloppy,
strongly correlated parameters): the damping is scaled by the largest diagonal of JᵀJ seen so far in the
run (Moré 1978, so a parameter whose sensitivity drops for a step is not suddenly undamped), and it is
updated from the gain ratio ρ of actual to predicted reduction — λ·max(1/3, 1 − (2ρ − 1)³) after an
accepted step, λ·ν with ν doubling after each rejected one (Nielsen 1999; Madsen, Nielsen & Tingleff,
*Methods for non-linear least squares problems*, 2004, §3.2).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._typing import FloatArray

STALL_WINDOW = 100
STALL_GAIN = 0.1
"""A run that reaches its iteration cap has still converged when its last ``STALL_WINDOW`` iterations lowered the
cost by less than ``STALL_GAIN`` × s², s² = cost/(m − k) the noise variance the fit implies.  Such a run crawls
along a flat direction of χ² — a log-scaled parameter heading for a bound it only reaches asymptotically (R → 0
beside an arc above the window that takes over the intercept, R → ∞ turning an arc into a capacitor), or two
arcs sharing one relaxation — where the points it visits fit the data equally well: a χ² change below a tenth
of the noise variance moves no determined parameter by more than a third of its standard error and no BIC by
more than 0.1.  The parameters along that direction come out not determined (their standard errors say so)."""

ResidualAndJacobian = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


@dataclass
class LMState:
    """Where a Levenberg–Marquardt run stands: parameters, residual, Jacobian, cost, damping."""

    u: FloatArray
    residual: FloatArray
    jacobian: FloatArray
    cost: float
    damping: float = 1e-3
    iterations: int = 0
    converged: bool = False
    stalled: bool = False
    """Converged by the stall test (see ``STALL_GAIN``) at the iteration cap, not by the step tolerances."""
    evaluations: int = 0
    growth: float = 2.0
    scale: FloatArray | None = None


def start(fun: ResidualAndJacobian, u0: FloatArray, lower: FloatArray, upper: FloatArray) -> LMState:
    """Evaluate ``fun`` at ``u0`` projected into the bounds."""
    u = np.clip(u0, lower, upper)
    with np.errstate(all="ignore"):
        r, jac = fun(u)
    cost = float(r @ r) if np.all(np.isfinite(r)) else np.inf
    return LMState(u, r, jac, cost, evaluations=1)


def iterate(
    fun: ResidualAndJacobian,
    state: LMState,
    lower: FloatArray,
    upper: FloatArray,
    max_iterations: int,
    ftol: float = 1e-10,
    xtol: float = 1e-9,
) -> LMState:
    """Run up to ``max_iterations`` accepted-or-rejected steps from ``state`` (modified in place).

    Parameters sitting on a bound whose gradient pushes them further out are held there for the step
    (an active set), so a fit with, say, a CPE exponent at 1 converges instead of crawling along the bound.
    Converged: an accepted step lowers the cost by less than ``ftol`` (relative) or moves no coordinate
    by more than ``xtol``, the lightly damped (λ ≤ 1) linear model predicts less than that, or the damping
    grows beyond 1e10 (no downhill step left); at the cap, the last ``STALL_WINDOW`` iterations lowered the
    cost by less than ``STALL_GAIN`` noise variances (``stalled``).
    """
    if state.u.size == 0:  # nothing free: the start is the answer
        state.converged = True
        return state
    span = upper - lower
    near_lower, near_upper = lower + 1e-9 * span, upper - 1e-9 * span
    recent: deque[float] = deque(maxlen=STALL_WINDOW + 1)
    for _ in range(max_iterations):
        if state.converged or not math.isfinite(state.cost):
            break
        recent.append(state.cost)
        state.iterations += 1
        jac = state.jacobian
        gradient = jac.T @ state.residual
        diagonal = np.einsum("ij,ij->j", jac, jac)
        state.scale = diagonal if state.scale is None else np.maximum(state.scale, diagonal)
        free = ~(((state.u <= near_lower) & (gradient > 0)) | ((state.u >= near_upper) & (gradient < 0)))
        if not free.any():
            state.converged = True
            break
        solved = _damped_step(jac[:, free], gradient[free], state.damping, state.scale[free])
        if solved is None:
            state.damping *= 10.0
            continue
        step_free, predicted = solved
        if predicted <= ftol * state.cost and state.damping <= 1.0:
            state.converged = True  # the (nearly undamped) linear model sees no further descent
            break
        step = np.zeros_like(state.u)
        step[free] = step_free
        u_new = np.clip(state.u + step, lower, upper)
        with np.errstate(all="ignore"):
            r_new, jac_new = fun(u_new)
        state.evaluations += 1
        cost_new = float(r_new @ r_new)
        if math.isfinite(cost_new) and cost_new < state.cost:
            moved = float(np.max(np.abs(u_new - state.u)))
            gain = state.cost - cost_new
            rho = gain / predicted if predicted > 0 else 1.0
            state.u, state.residual, state.jacobian, state.cost = u_new, r_new, jac_new, cost_new
            state.damping = max(state.damping * max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), 1e-12)
            state.growth = 2.0
            if gain <= ftol * cost_new or moved <= xtol:
                state.converged = True
        else:
            state.damping *= state.growth
            state.growth *= 2.0
            if state.damping > 1e10:
                state.converged = True
    else:
        recent.append(state.cost)
        if not state.converged and len(recent) > STALL_WINDOW and _stalled(recent[0], state):
            state.converged = state.stalled = True
    return state


def _stalled(earlier: float, state: LMState) -> bool:
    """The cost fell from ``earlier`` by less than ``STALL_GAIN`` × s² (s² = cost/(m − k))."""
    dof = max(state.residual.size - state.u.size, 1)
    return math.isfinite(state.cost) and earlier - state.cost <= STALL_GAIN * state.cost / dof


def _damped_step(
    jac: FloatArray, gradient: FloatArray, damping: float, scale: FloatArray
) -> tuple[FloatArray, float] | None:
    """Solve (JᵀJ + λ·D)·δ = −g, D = diag(``scale``); return δ and the reduction of the cost the linear
    model predicts, or ``None`` when the solve fails or the matrix is not positive definite to working precision
    (the predicted reduction of a positive definite system is never negative).  numpy.linalg, not LAPACK's
    posv through scipy.linalg: a k × k solve (k ≤ ~20) costs ~8 µs more, importing scipy.linalg ~0.2 s of
    every command's start-up."""
    normal = jac.T @ jac
    floor = 1e-12 * max(float(scale.max()), 1e-300)
    index = np.arange(gradient.size)
    normal[index, index] += damping * np.maximum(scale, floor)
    try:
        step = np.linalg.solve(normal, -gradient)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(step)):
        return None
    predicted = -float(step @ (2.0 * gradient + jac.T @ (jac @ step)))
    if predicted < 0:
        return None
    return step, predicted
