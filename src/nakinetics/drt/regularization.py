"""Tikhonov-regularised, non-negative inversion with the regularisation parameter chosen from the data.

The weighted linear problem is y ≈ A γ + N β: γ the DRT at the grid nodes, β the unpenalised series terms
(R∞, inductance, a low-frequency tail), rows weighted by 1/|Z| so residuals are relative.  The estimate
minimises ‖y − Aγ − Nβ‖² + λ‖Lγ‖² with γ, β ≥ 0, L a difference operator that treats γ as zero outside the
grid (so L is square-invertible after a QR step and the prior is proper).

λ is chosen on the unconstrained problem, where everything follows from one eigen-decomposition:

* ``evidence`` (default): the Bayesian evidence of the Gaussian model y ~ N(Aγ + Nβ, σ²I),
  Lγ ~ N(0, σ²/λ I), flat prior on β, σ² profiled out — MacKay, Neural Comput. 4 (1992) 415; for the DRT
  Ciucci & Chen, Electrochim. Acta 167 (2015) 439 and Maradesa et al., J. Electrochem. Soc. 170 (2023)
  030502.  log p(y|λ) = −n'/2 log(q(λ)/n') − ½ Σ log(1 + s_i²/λ), q(λ) = yᵀ(I + B Bᵀ/λ)⁻¹y.
* ``gcv``: generalised cross-validation (Golub, Heath & Wahba, Technometrics 21 (1979) 215), the choice
  of DRTtools: GCV(λ) = n' RSS(λ)/(n' − tr H(λ))².

The same decomposition gives the Gaussian posterior covariance σ²(BᵀB + λI)⁻¹ used for the credible band.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .._nnls import nnls
from .._special import log_normal_cdf, normal_quantile_from_log
from .._typing import FloatArray

Selection = Literal["evidence", "gcv"]
SELECTIONS: tuple[str, ...] = ("evidence", "gcv")

LAMBDA_RANGE = (1e-9, 1e5)
"""Range of λ searched (dimensionless: γ in units of the span of Z', residuals relative).  The top is high
because a blocking electrode's CPE makes the span of Z' hundreds of times the arcs' resistance, and γ
that small in those units needs a large λ to be smooth."""

_LAMBDA_POINTS = 141

GIVEN_LAMBDA_RANGE = (1e-16, 1e6)
"""A λ given by the user must lie here.  The data term is of order one at this scaling: a λ below 1e-16 is lost
in double-precision round-off against it (the unregularised solution, as at 1e-16), and above 1e6 the penalty
outweighs the data a millionfold and flattens γ to zero (from ~1e154 the products overflow)."""


@functools.cache
def penalty_factor(n_nodes: int, order: int) -> FloatArray:
    """Upper-triangular R with RᵀR = DᵀD, D the ``order``-th difference of γ padded with zeros outside the
    grid (order 0 is the identity); cached, read-only."""
    if order not in (0, 1, 2):
        raise ValueError(f"penalty order must be 0, 1 or 2, got {order}")
    stencil = {0: [1.0], 1: [1.0, -1.0], 2: [1.0, -2.0, 1.0]}[order]
    diff = np.zeros((n_nodes + order, n_nodes))
    idx = np.arange(n_nodes)
    for k, c in enumerate(stencil):
        diff[idx + k, idx] = c
    r = np.linalg.qr(diff, mode="r")
    r = r * np.sign(np.diag(r))[:, None]
    r.flags.writeable = False
    return r


@functools.cache
def penalty_inverse(n_nodes: int, order: int) -> FloatArray:
    """R⁻¹ of :func:`penalty_factor` (its condition number is ~n_nodes^order: ~50 for 80 nodes at order 1);
    cached, read-only."""
    inverse = np.linalg.inv(penalty_factor(n_nodes, order))
    inverse.flags.writeable = False
    return inverse


@dataclass(frozen=True)
class LinearProblem:
    """The weighted problem y ≈ A γ + N β (see module docstring); ``a`` and ``n`` already carry the row
    weights ``weight`` (1/Ω, one per frequency, applied to the real and the imaginary row), ``a`` is in units
    of ``scale`` (Ω) so λ is dimensionless."""

    a: FloatArray
    n: FloatArray
    y: FloatArray
    penalty: FloatArray
    scale: float
    weight: FloatArray
    floor: FloatArray | None = None
    """In tail mode, the tail's own distribution per unit tail coefficient at the nodes (units of ``scale``
    per unit coefficient): the constraint is then γ + floor·β_tail ≥ 0 — the total distribution, not γ
    alone, must be non-negative (see :func:`solve_nonnegative`)."""
    floor_column: int = 2
    penalty_inverse: FloatArray | None = None
    """R⁻¹ of ``penalty`` when known (:func:`penalty_inverse`); computed when needed otherwise."""

    @property
    def n_gamma(self) -> int:
        return int(self.a.shape[1])

    @property
    def dof(self) -> int:
        """Rows left after the unpenalised columns are fitted."""
        return int(self.y.size - self.n.shape[1])


@dataclass(frozen=True)
class Spectrum1D:
    """Singular values of the standard-form problem with the unpenalised columns projected out,
    B = P A R⁻¹ = U S Vᵀ, with c = Uᵀy and the part of y outside the range of B — everything λ selection
    needs, in sums of non-negative terms (no cancellation at small λ)."""

    s2: FloatArray
    c: FloatArray
    outside: float
    dof: int

    def _fitted_fraction(self, lam: FloatArray) -> FloatArray:
        lam = np.asarray(lam, dtype=float)[..., None]
        return lam / (self.s2 + lam)

    def quadratic(self, lam: FloatArray) -> FloatArray:
        """q(λ) = yᵀ(I + BBᵀ/λ)⁻¹y."""
        return (self._fitted_fraction(lam) * self.c**2).sum(-1) + self.outside

    def log_evidence(self, lam: FloatArray) -> FloatArray:
        lam = np.asarray(lam, dtype=float)
        quad = np.maximum(self.quadratic(lam), 1e-300)
        logdet = np.log1p(self.s2 / lam[..., None]).sum(-1)
        return -0.5 * self.dof * np.log(quad / self.dof) - 0.5 * logdet

    def gcv(self, lam: FloatArray) -> FloatArray:
        shrink = self._fitted_fraction(lam)
        rss = (shrink**2 * self.c**2).sum(-1) + self.outside
        trace = (1.0 - shrink).sum(-1)
        return self.dof * np.maximum(rss, 1e-300) / np.maximum(self.dof - trace, 1e-9) ** 2

    def noise_variance(self, lam: float) -> float:
        """σ² at λ: the evidence's profiled estimate q(λ)/n'."""
        return float(max(float(self.quadratic(np.array(lam))), 1e-300) / self.dof)


def _project_out(n: FloatArray, *arrays: FloatArray) -> list[FloatArray]:
    """``arrays`` with their components along the columns of ``n`` removed."""
    norms = np.linalg.norm(n, axis=0)
    keep = norms > 0
    if not keep.any():
        return list(arrays)
    q, _ = np.linalg.qr(n[:, keep] / norms[keep])
    return [x - q @ (q.T @ x) for x in arrays]


def decompose(problem: LinearProblem) -> Spectrum1D:
    """The decomposition behind λ selection (see :class:`Spectrum1D`): a QR step, then U and S² from the
    symmetric eigenproblem of the small triangular factor's R Rᵀ (V is not needed; half the cost of an
    SVD, and S² is only compared with λ ≥ 1e-9, far above its round-off)."""
    a_proj, y_proj = _project_out(problem.n, problem.a, problem.y)
    inverse = problem.penalty_inverse
    b = a_proj @ (np.linalg.inv(problem.penalty) if inverse is None else inverse)
    q, r = np.linalg.qr(b)
    qty = q.T @ y_proj
    s2, u = np.linalg.eigh(r @ r.T)
    residual = y_proj - q @ qty
    return Spectrum1D(
        s2=np.maximum(s2, 0.0), c=u.T @ qty, outside=float(residual @ residual), dof=problem.dof
    )


@dataclass(frozen=True)
class LambdaChoice:
    """The chosen λ, how, and the criterion curve it was read from (for plots and reports)."""

    value: float
    method: str
    grid: FloatArray
    criterion: FloatArray
    at_bound: bool


def choose_lambda(spectrum: Spectrum1D, method: Selection | float) -> LambdaChoice:
    """λ maximising the evidence or minimising GCV over :data:`LAMBDA_RANGE` (a number is used as given).

    The grid search is refined by a parabola through the best point and its neighbours in log λ."""
    grid = np.geomspace(*LAMBDA_RANGE, _LAMBDA_POINTS)
    if not isinstance(method, str):
        value = float(method)
        return LambdaChoice(value, "given", grid, np.full(grid.size, np.nan), False)
    if method == "evidence":
        score = spectrum.log_evidence(grid)
    elif method == "gcv":
        score = -np.log(spectrum.gcv(grid))
    else:
        raise ValueError(f"regularisation must be one of {', '.join(SELECTIONS)} or a number, got {method!r}")
    k = int(np.argmax(score))
    log_lam = math.log(grid[k])
    if 0 < k < grid.size - 1:
        y0, y1, y2 = score[k - 1 : k + 2]
        curvature = y0 - 2 * y1 + y2
        if curvature < 0:
            step = math.log(grid[1] / grid[0])
            log_lam += step * 0.5 * (y0 - y2) / curvature
    criterion = score if method == "evidence" else -score
    return LambdaChoice(math.exp(log_lam), method, grid, criterion, k in (0, grid.size - 1))


def solve_nonnegative(
    problem: LinearProblem, lam: float, start: np.ndarray | None = None
) -> tuple[FloatArray, FloatArray]:
    """γ (in units of ``problem.scale``) and β minimising the penalised least squares with β ≥ 0 and γ ≥ 0
    — or, with a tail floor, γ + floor·β_tail ≥ 0: the problem is solved for the total γ' = γ + floor·β_tail
    (NNLS on γ' and β), whose columns carry the tail's response less its part inside the grid.

    ``start``: :func:`nonnegative_support` of a similar problem's solution (another tail exponent or λ), a
    warm start for the NNLS; the solution does not depend on it."""
    m = problem.n_gamma
    p = problem.n.shape[1]
    root = math.sqrt(lam)
    n_cols = problem.n.copy()
    lower = np.hstack([root * problem.penalty, np.zeros((m, p))])
    if problem.floor is not None:
        k = problem.floor_column
        n_cols[:, k] -= problem.a @ problem.floor
        lower[:, m + k] = -root * (problem.penalty @ problem.floor)
    upper = np.hstack([problem.a, n_cols])
    matrix = np.vstack([upper, lower])
    norms = np.linalg.norm(matrix, axis=0)
    norms[norms == 0] = 1.0
    target = np.concatenate([problem.y, np.zeros(m)])
    coef, _ = nnls(matrix / norms, target, start=start, max_iterations=50 * matrix.shape[1])
    coef = coef / norms
    gamma, series = coef[:m], coef[m:]
    if problem.floor is not None:
        gamma = gamma - problem.floor * series[problem.floor_column]
    return gamma, series


def nonnegative_support(problem: LinearProblem, gamma: FloatArray, series: FloatArray) -> np.ndarray:
    """Which unknowns of :func:`solve_nonnegative` (γ' = γ + floor·β_tail at the nodes, then β) are off their
    bound in its solution ``gamma``, ``series`` (γ in units of ``problem.scale``)."""
    total = gamma if problem.floor is None else gamma + problem.floor * series[problem.floor_column]
    coef = np.concatenate([total, series])
    return np.asarray(coef > 1e-9 * float(np.abs(coef).max(initial=0.0)))


def posterior_covariance(
    problem: LinearProblem, lam: float, gamma: FloatArray, sigma2: float, lower: FloatArray | float = 0.0
) -> FloatArray:
    """Posterior covariance of γ (units of ``problem.scale`` squared), a Laplace approximation around the
    non-negative estimate (``lower``: the bound of γ, 0 or −floor·β_tail in tail mode).

    Nodes where γ > lower share the Gaussian posterior σ²(H_FF)⁻¹ of the free set F (H = AᵀPA + λRᵀR, the
    series terms marginalised); a node held at zero by the constraint gets only a variance: that of its
    conditional posterior, a normal with mean −g_j/H_jj (g the gradient, ≥ 0 there) truncated at zero, whose
    84th percentile stands in for one standard deviation."""
    a_proj, y_proj = _project_out(problem.n, problem.a, problem.y)
    hessian = a_proj.T @ a_proj + lam * (problem.penalty.T @ problem.penalty)
    covariance = np.zeros((gamma.size, gamma.size))
    held_mask = gamma <= lower + 1e-12 * float(np.abs(gamma).max(initial=0.0))
    free = np.flatnonzero(~held_mask)
    if free.size:
        h_ff = hessian[np.ix_(free, free)]
        try:
            inverse = _inverse_positive_definite(h_ff)
        except np.linalg.LinAlgError:
            inverse = np.diag(1.0 / np.diag(h_ff))
        covariance[np.ix_(free, free)] = sigma2 * inverse
    held = np.flatnonzero(held_mask)
    if held.size:
        gradient = hessian[held] @ gamma - a_proj[:, held].T @ y_proj
        h_jj = np.diag(hessian)[held]
        cond_sd = np.sqrt(sigma2 / h_jj)
        spread = _truncated_quantile(-np.maximum(gradient, 0.0) / h_jj, cond_sd, 0.8413)
        covariance[held, held] = spread**2
    return covariance


def _inverse_positive_definite(matrix: FloatArray) -> FloatArray:
    """The inverse of a symmetric positive definite matrix from its Cholesky factor L: (L⁻¹)ᵀL⁻¹, exactly
    symmetric; raises ``LinAlgError`` when the matrix is not positive definite."""
    factor = np.linalg.cholesky(matrix)
    factor_inverse = np.linalg.solve(factor, np.eye(matrix.shape[0]))
    return factor_inverse.T @ factor_inverse


def _truncated_quantile(mean: FloatArray, sd: FloatArray, q: float) -> FloatArray:
    """The q-quantile of N(mean, sd²) truncated to [0, ∞), computed from log tail probabilities so that a
    mean many standard deviations below zero stays finite (it tends to −ln(1 − q)·sd²/|mean|)."""
    upper = -mean / sd  # the truncation point in standard units
    # P(Z > u) = (1 − q) P(Z > upper)
    u = -normal_quantile_from_log(math.log1p(-q) + log_normal_cdf(-upper))
    return np.maximum(mean + sd * u, 0.0)
