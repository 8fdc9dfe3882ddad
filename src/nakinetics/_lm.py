"""A small bounded Levenberg–Marquardt solver for the search stage of circuit fits.

scipy's ``least_squares`` costs ~0.3 ms of Python overhead per iteration, more than evaluating the
circuit; this solver does one SVD-free normal-equation step per iteration (Marquardt's diagonal scaling,
bounds by projection) and reuses the residual and Jacobian computed together.  It is used to find the
basin and to converge the best one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack

from ._typing import FloatArray

_posv = lapack.get_lapack_funcs("posv", dtype=np.float64)

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
    evaluations: int = 0


def start(fun: ResidualAndJacobian, u0: FloatArray, lower: FloatArray, upper: FloatArray) -> LMState:
    """Evaluate ``fun`` at ``u0`` projected into the bounds."""
    u = np.clip(u0, lower, upper)
    r, jac = fun(u)
    cost = float(r @ r) if np.all(np.isfinite(r)) else np.inf
    return LMState(u, r, jac, cost)


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
    """
    if state.u.size == 0:  # nothing free: the start is the answer
        state.converged = True
        return state
    span = upper - lower
    near_lower, near_upper = lower + 1e-9 * span, upper - 1e-9 * span
    diagonal = np.arange(state.u.size)
    for _ in range(max_iterations):
        if state.converged or not math.isfinite(state.cost):
            break
        state.iterations += 1
        jac = state.jacobian
        gradient = jac.T @ state.residual
        blocked = ((state.u <= near_lower) & (gradient > 0)) | ((state.u >= near_upper) & (gradient < 0))
        if blocked.any():
            free = ~blocked
            if not free.any():
                state.converged = True
                break
            step_free = _damped_step(jac[:, free], gradient[free], state.damping, diagonal[: int(free.sum())])
            step = np.zeros_like(state.u)
            if step_free is not None:
                step[free] = step_free
        else:
            step = _damped_step(jac, gradient, state.damping, diagonal)
        if step is None:
            state.damping *= 10.0
            continue
        u_new = np.clip(state.u + step, lower, upper)
        with np.errstate(all="ignore"):
            r_new, jac_new = fun(u_new)
        cost_new = float(r_new @ r_new)
        if math.isfinite(cost_new) and cost_new < state.cost:
            moved = float(np.max(np.abs(u_new - state.u)))
            gain = state.cost - cost_new
            state.u, state.residual, state.jacobian, state.cost = u_new, r_new, jac_new, cost_new
            state.damping = max(state.damping / 5.0, 1e-12)
            if gain <= ftol * cost_new or moved <= xtol:
                state.converged = True
        else:
            state.damping *= 5.0
            if state.damping > 1e10:
                state.converged = True
    return state


def _damped_step(
    jac: FloatArray, gradient: FloatArray, damping: float, diagonal: np.ndarray
) -> FloatArray | None:
    """Solve (JᵀJ + λ·diag(JᵀJ))·δ = −g by Cholesky (LAPACK posv); ``None`` when it fails."""
    normal = jac.T @ jac
    scale = normal[diagonal, diagonal]
    floor = 1e-12 * max(float(scale.max()), 1e-300)
    normal[diagonal, diagonal] = scale + damping * np.maximum(scale, floor)
    _, step, info = _posv(normal, -gradient)
    if info != 0 or not np.all(np.isfinite(step)):
        return None
    return step
