"""A small bounded Levenberg–Marquardt solver for the search stage of circuit fits.

scipy's ``least_squares`` costs ~0.3 ms of Python overhead per iteration, more than evaluating the
circuit; this solver does one SVD-free normal-equation step per iteration (Marquardt's diagonal scaling,
bounds by projection) and reuses the residual and Jacobian computed together.  It is used to find the
basin; the final fit and its statistics come from lmfit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._typing import FloatArray

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
    """Run up to ``max_iterations`` accepted-or-rejected steps from ``state`` (modified in place)."""
    for _ in range(max_iterations):
        if state.converged or not np.isfinite(state.cost):
            break
        state.iterations += 1
        jac = state.jacobian
        normal = jac.T @ jac
        gradient = jac.T @ state.residual
        diag = np.maximum(np.diag(normal), 1e-12 * max(float(np.max(np.diag(normal))), 1e-300))
        try:
            step = np.linalg.solve(normal + state.damping * np.diag(diag), -gradient)
        except np.linalg.LinAlgError:
            state.damping *= 10.0
            continue
        u_new = np.clip(state.u + step, lower, upper)
        with np.errstate(all="ignore"):
            r_new, jac_new = fun(u_new)
        cost_new = float(r_new @ r_new) if np.all(np.isfinite(r_new)) and np.all(np.isfinite(jac_new)) else np.inf
        if cost_new < state.cost:
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
