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

from ._typing import BoolArray, FloatArray

STALL_WINDOW = 100
STALL_GAIN = 0.1
"""A run that reaches its iteration cap has still converged when its last ``STALL_WINDOW`` iterations lowered the
cost by less than ``STALL_GAIN`` × s², s² = cost/(m − k) the noise variance the fit implies.  Such a run crawls
along a flat direction of χ² — a log-scaled parameter heading for a bound it only reaches asymptotically (R → 0
beside an arc above the window that takes over the intercept, R → ∞ turning an arc into a capacitor), or two
arcs sharing one relaxation — where the points it visits fit the data equally well: a χ² change below a tenth
of the noise variance moves no determined parameter by more than a third of its standard error and no BIC by
more than 0.1.  The parameters along that direction come out not determined (their standard errors say so)."""

ResidualAndJacobian = Callable[[FloatArray], tuple[FloatArray, FloatArray | Callable[[], FloatArray]]]
"""``fun(u) -> (residual, Jacobian)``; the Jacobian may come as a function that computes it, called only for a
point the run moves to (a rejected trial step never needs it)."""


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
    u = np.minimum(np.maximum(u0, lower), upper)  # np.clip's result, without its wrapper
    with np.errstate(all="ignore"):
        r, jac = fun(u)
        jac = jac() if callable(jac) else jac
    cost = float(r @ r) if np.isfinite(r).all() else np.inf
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
    cost by less than ``STALL_GAIN`` noise variances (``stalled``).  Floating-point warnings are off for the
    whole run (a trial step may overflow the model; its non-finite cost rejects it).
    """
    if state.u.size == 0:  # nothing free: the start is the answer
        state.converged = True
        return state
    with np.errstate(all="ignore"):
        return _iterate(fun, state, lower, upper, max_iterations, ftol, xtol)


def _iterate(
    fun: ResidualAndJacobian,
    state: LMState,
    lower: FloatArray,
    upper: FloatArray,
    max_iterations: int,
    ftol: float,
    xtol: float,
) -> LMState:
    """:func:`iterate`'s loop, written for the cost of one iteration on small problems (k ≲ 20 parameters,
    ~100–300 residuals), where numpy's per-call overhead is most of it: the linear model at the current point
    (:class:`_Linearisation`) is built once and reused after a rejected step (only the damping changes)."""
    span = upper - lower
    near_lower, near_upper = lower + 1e-9 * span, upper - 1e-9 * span
    recent: deque[float] = deque(maxlen=STALL_WINDOW + 1)
    model: _Linearisation | None = None
    for _ in range(max_iterations):
        if state.converged or not math.isfinite(state.cost):
            break
        recent.append(state.cost)
        state.iterations += 1
        u = state.u
        if model is None:
            model = _linearise(state, near_lower, near_upper)
            if model is None:  # every coordinate held at a bound
                state.converged = True
                break
        solved = _damped_step(model, state.damping)
        if solved is None:
            state.damping *= 10.0
            continue
        step, predicted = solved
        if predicted <= ftol * state.cost and state.damping <= 1.0:
            state.converged = True  # the (nearly undamped) linear model sees no further descent
            break
        if model.free is not None:
            step_free, step = step, np.zeros(u.size)
            step[model.free] = step_free
        u_new = np.minimum(np.maximum(u + step, lower), upper)  # np.clip's result, without its wrapper
        r_new, jac_new = fun(u_new)
        state.evaluations += 1
        cost_new = float(r_new @ r_new)
        if math.isfinite(cost_new) and cost_new < state.cost:
            moved = float(np.abs(u_new - u).max())
            gain = state.cost - cost_new
            rho = gain / predicted if predicted > 0 else 1.0
            jac_new = jac_new() if callable(jac_new) else jac_new
            state.u, state.residual, state.jacobian, state.cost = u_new, r_new, jac_new, cost_new
            state.damping = max(state.damping * max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), 1e-12)
            state.growth = 2.0
            model = None
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


@dataclass
class _Linearisation:
    """The linear model of the residual at a point, restricted to the coordinates free for the step: Jacobian
    J, gradient g = Jᵀr, JᵀJ, and the damping scale D (``LMState.scale``, floored at 1e-12 of its largest)."""

    free: BoolArray | None
    """Which coordinates move (``None``: all of them)."""
    jacobian: FloatArray
    gradient: FloatArray
    normal: FloatArray
    scale: FloatArray

    def __post_init__(self) -> None:
        self.descent = -self.gradient
        self.twice_gradient = 2.0 * self.gradient


def _linearise(state: LMState, near_lower: FloatArray, near_upper: FloatArray) -> _Linearisation | None:
    """The linear model at ``state`` (updating ``state.scale``); ``None`` when every coordinate sits on a bound
    its gradient pushes it against."""
    jac, u = state.jacobian, state.u
    gradient = jac.T @ state.residual
    diagonal = np.einsum("ij,ij->j", jac, jac)
    state.scale = scale = diagonal if state.scale is None else np.maximum(state.scale, diagonal)
    free = None
    low, high = u <= near_lower, u >= near_upper
    if low.any() or high.any():
        held = (low & (gradient > 0)) | (high & (gradient < 0))
        if held.any():  # hold them: the step moves the others (copies only then)
            free = ~held
            if not free.any():
                return None
            jac, gradient, scale = jac[:, free], gradient[free], scale[free]
    floor = 1e-12 * max(float(scale.max()), 1e-300)
    return _Linearisation(free, jac, gradient, jac.T @ jac, np.maximum(scale, floor))


def _stalled(earlier: float, state: LMState) -> bool:
    """The cost fell from ``earlier`` by less than ``STALL_GAIN`` × s² (s² = cost/(m − k))."""
    dof = max(state.residual.size - state.u.size, 1)
    return math.isfinite(state.cost) and earlier - state.cost <= STALL_GAIN * state.cost / dof


def _damped_step(model: _Linearisation, damping: float) -> tuple[FloatArray, float] | None:
    """Solve (JᵀJ + λ·D)·δ = −g, D = diag(``scale``); return δ and the reduction of the cost the linear
    model predicts, or ``None`` when the solve fails or the matrix is not positive definite to working precision
    (the predicted reduction of a positive definite system is never negative).  LAPACK's gesv through numpy's
    own gufunc (what ``numpy.linalg.solve`` calls, without its ~5 µs of argument checks; a singular matrix gives
    NaN, under the caller's ``errstate``), not scipy.linalg: importing it costs ~0.2 s of every command's
    start-up."""
    gradient = model.gradient
    damped = model.normal.copy()
    damped.ravel()[:: gradient.size + 1] += damping * model.scale  # the diagonal (a C-ordered copy: a view)
    step = _solve(damped, model.descent)
    jac = model.jacobian
    predicted = -float(step @ (model.twice_gradient + jac.T @ (jac @ step)))
    if not math.isfinite(predicted) and not np.isfinite(step).all():  # (a finite step gives a finite
        return None  # prediction but for overflow)
    if predicted < 0:
        return None
    return step, predicted


def _solve_checked(matrix: FloatArray, rhs: FloatArray) -> FloatArray:
    """``numpy.linalg.solve``, NaN for a singular matrix (as the gufunc gives)."""
    try:
        return np.linalg.solve(matrix, rhs)
    except np.linalg.LinAlgError:
        return np.full(rhs.shape, np.nan)


try:  # numpy's private gufunc behind linalg.solve (numpy 1.x and 2.x); the public function if it moves
    from numpy.linalg._umath_linalg import solve1 as _solve
except ImportError:  # pragma: no cover
    _solve = _solve_checked
