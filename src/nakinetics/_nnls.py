"""Non-negative least squares, min ‖A x − b‖ subject to x ≥ 0, in numpy alone.

The distributions of relaxation times behind the fit's starts and the DRT itself are small, dense NNLS problems
(2N + n_τ rows by ~30–160 columns).  ``scipy.optimize.nnls`` solves them, but importing ``scipy.optimize`` costs
more CPU time than every NNLS solve of a command together, so these paths use this solver instead: the
active-set method of Lawson & Hanson (*Solving Least Squares Problems*, SIAM 1995, ch. 23), the algorithm
behind scipy's, with the least-squares subproblems solved on the normal equations (Bro & De Jong,
J. Chemometrics 11 (1997) 393) and the final solution refined on its support from the residual of A itself.

Each outer step frees the variable of largest gradient; a free variable that the unconstrained solution on the
free set would drive below zero is moved back to its bound by the largest feasible step.  Every outer step
lowers ‖A x − b‖, so no free set repeats and the method ends.  ``start`` (a guess of the free set: by default
where the unconstrained solution is positive, or the support of a neighbouring problem's solution) skips most
outer steps: the guess is first shrunk until the unconstrained solution on it is positive, a valid state of
the method.  On the DRT's problems it agrees with scipy to ~3e-10 of the solution's largest value (their
condition numbers reach 1e7).

Block principal pivoting (this module's solver before, Kim & Park, SIAM J. Sci. Comput. 33 (2011) 3261) failed
on ~30 % of the DRT's own problems: their smoothness penalty makes neighbouring columns nearly parallel, its
full exchanges cycled, its single-exchange backup (Murty's rule, finite but exponential in the worst case) did
not finish within its iteration cap, and the cap returned an infeasible iterate clipped at zero — off by up to
1000× the solution's largest value.  On the fit starts' problems it was right (to ~1e-11).
"""

from __future__ import annotations

import numpy as np

from ._typing import FloatArray

BoolArray = np.ndarray


def nnls(
    matrix: FloatArray,
    target: FloatArray,
    *,
    start: BoolArray | None = None,
    max_iterations: int | None = None,
) -> tuple[FloatArray, float]:
    """x ≥ 0 minimising ‖``matrix`` x − ``target``‖₂, and that norm (as ``scipy.optimize.nnls`` returns them).

    ``start``: columns guessed to be positive at the solution (a warm start; any guess gives the same x).
    ``max_iterations`` (default 10 × the number of columns; the DRT's problems take fewer than 1 ×) caps the outer
    steps; reaching it raises ``RuntimeError`` (as scipy does) rather than returning a point that is not the
    minimum."""
    a = np.asarray(matrix, dtype=float)
    b = np.asarray(target, dtype=float)
    gram = a.T @ a
    rhs = a.T @ b
    n = rhs.size
    cap = 10 * n if max_iterations is None else max_iterations
    # gradients below this are round-off: an ulp of the largest sum of terms of Aᵀb
    tol = np.finfo(float).eps * max(float(np.abs(a).max(initial=0.0) * np.abs(b).sum()), 1e-300)
    free = _unconstrained_support(gram, rhs) if start is None else np.asarray(start, dtype=bool).copy()
    x = np.zeros(n)
    while free.any():  # shrink the guess until the solution on it is positive
        index = np.flatnonzero(free)
        z = _solve_on(gram, rhs, index)
        if (z > 0).all():
            x[index] = z
            break
        free[index[z <= 0]] = False
    for _ in range(cap):
        gradient = rhs - gram @ x  # −½ ∇‖Ax − b‖²
        gradient[free] = -np.inf
        j = int(np.argmax(gradient))
        if gradient[j] <= tol:
            break
        free[j] = True
        entering = True
        while True:
            index = np.flatnonzero(free)
            z = _solve_on(gram, rhs, index)
            if (z > 0).all():
                x[index] = z
                break
            if entering and z[index == j].item() <= 0:
                # the variable cannot rise from its bound: its gradient was round-off — converged
                free[j] = False
                return _finish(a, b, gram, x, free)
            entering = False
            current = x[index]
            negative = z <= 0
            steps = current[negative] / (current[negative] - z[negative])
            k = int(np.argmin(steps))
            x[index] = current + steps[k] * (z - current)
            leaving = x[index] <= 0
            leaving[np.flatnonzero(negative)[k]] = True
            x[index[leaving]] = 0.0
            free[index[leaving]] = False
            if not free.any():
                break
    else:
        raise RuntimeError(f"NNLS did not converge in {cap} iterations")
    return _finish(a, b, gram, x, free)


def _solve_on(gram: FloatArray, rhs: FloatArray, index: np.ndarray) -> FloatArray:
    """The unconstrained least-squares solution on the columns ``index`` (normal equations; least squares when
    that block is singular)."""
    block = gram.take(index, 0).take(index, 1)
    try:
        return np.linalg.solve(block, rhs[index])
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(block, rhs[index], rcond=None)[0]


def _unconstrained_support(gram: FloatArray, rhs: FloatArray) -> BoolArray:
    """Where the unconstrained least-squares solution is positive (the default warm start)."""
    try:
        return np.asarray(np.linalg.solve(gram, rhs) > 0)
    except np.linalg.LinAlgError:
        return np.zeros(rhs.size, dtype=bool)


def _finish(
    a: FloatArray, b: FloatArray, gram: FloatArray, x: FloatArray, free: BoolArray
) -> tuple[FloatArray, float]:
    """``x`` refined on its support by corrections from the residual computed from ``a`` itself (the normal
    equations square the condition number; refinement recovers the accuracy of a QR solution, Björck, *Numerical
    Methods for Least Squares Problems*, SIAM 1996, §6.6), kept while it stays positive; and the residual norm."""
    index = np.flatnonzero(free)
    x = np.where(free, x, 0.0)
    if index.size:
        columns = a[:, index]
        block = gram.take(index, 0).take(index, 1)
        z = x[index]
        for _ in range(REFINEMENTS):
            try:
                refined = z + np.linalg.solve(block, columns.T @ (b - columns @ z))
            except np.linalg.LinAlgError:
                break
            if not (refined > 0).all():
                break
            z = refined
        x[index] = z
    return x, float(np.linalg.norm(a @ x - b))


REFINEMENTS = 1
"""Refinement steps of the final solution (each gains about the digits the normal equations lost)."""
