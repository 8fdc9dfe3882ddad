"""Onset of deterioration: the start of growth in a time series, with a profile-likelihood uncertainty.

Model (continuous at the onset t_c)::

    y(t) = a + b·t                                   t ≤ t_c
    y(t) = a + b·t + A·(exp((t − t_c)/τ) − 1)        t > t_c      (τ → ∞: a kink, A·(t − t_c)/τ)

i.e. a linear baseline (flat when b = 0) that starts to grow exponentially at t_c.  dy/dt steps from b to
b + A/τ at t_c, so for y = U(t) the onset is a change point of dU/dt; for y = R_int(t) it is the start of
the exponential growth.  For fixed (t_c, τ) the model is linear in (a, b, A): the weighted least-squares
SSE is profiled over a fine t_c grid × a τ grid (plus τ = ∞), and the best cell is refined.

* Direction: deterioration is growth, so A ≥ 0 (a cell whose best A is negative gets the straight line's
  SSE), and the model must rise after the onset: y(t_end) − y(t_c) = A + b·(t_end − t_c) more than twice
  its standard error.  A falling quantity, or a slope that merely levels off, is no onset.
* Initial transient: when the best change is a fall that levels off (b < 0, no significant rise after
  t_c) the points before t_c are taken as a conditioning transient, left out, and the rest is analysed
  again (``analysed_from_s``).
* Correlated noise: when the lag-1 autocorrelation ρ of the change model's residuals exceeds 2/√n, both
  models are refitted to AR(1)-prewhitened data (rows e_i − ρ·e_(i−1), Cochrane–Orcutt), so that a drifting,
  random-walk-like record is not taken for a change point.
* Detection: the change model must beat the straight line by ΔBIC = n·ln(SSE₀/SSE₁) − 3·ln n > 10.
* Uncertainty: the 68 % profile-likelihood interval {t_c : SSE_min(t_c) − SSE₁ ≤ σ̂²} with σ̂² = SSE₁/(n − 5);
  ``stderr_s`` is its half-width (a change point is not Gaussian: report the interval too).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import checked
from .._minimize import minimize_bounded
from .._typing import FloatArray
from ..exceptions import ArgumentError


def preload_onset_search() -> None:
    """Import the optimiser the onset search uses (scipy.optimize, ~0.15 s).  The search imports it on first
    use; a caller with idle time (the main process while workers fit a series) can load it earlier."""
    import scipy.optimize  # noqa: F401


MODEL = (
    "y = a + b·t, plus A·(exp((t − t_c)/τ) − 1) with A ≥ 0 after the onset t_c (τ → ∞: linear growth); "
    "an onset needs a significant rise after t_c; weighted least squares (AR(1)-prewhitened when the "
    "residuals are autocorrelated) profiled over t_c; 68 % profile-likelihood interval"
)
DETECTION_DELTA_BIC = 10.0
"""ΔBIC of the change model over a straight line above which an onset is reported."""
RISE_SIGMAS = 2.0
"""The rise after the onset must exceed this many standard errors."""
MIN_POINTS = 7
MAX_TRANSIENTS = 2
"""Initial transients left out, at most, before giving up."""
FINALISTS = 32
"""Grid cells (t_c, τ) re-evaluated with explicit residuals after the fast grid search."""
RHO_MAX = 0.99
TAU_MAX = 20.0
"""Largest finite growth time constant τ as a multiple of the series span (plus τ = ∞).  The smallest is
the median sampling interval: faster growth cannot be told from a single outlying last point."""


@dataclass(frozen=True)
class Onset:
    """A detected (or not) onset of deterioration (growth) in one channel."""

    quantity: str
    detected: bool
    time_s: float | None = None
    stderr_s: float | None = None
    interval_s: tuple[float, float] | None = None
    tau_s: float | None = None
    delta_bic: float | None = None
    n_points: int = 0
    note: str | None = None
    analysed_from_s: float | None = None
    autocorrelation: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "detected": self.detected,
            "time_s": {"value": self.time_s, "stderr": self.stderr_s, "unit": "s"},
            "interval_68_s": list(self.interval_s) if self.interval_s else None,
            "growth_time_constant_s": None if self.tau_s is None or math.isinf(self.tau_s) else self.tau_s,
            "growth": None if self.tau_s is None else ("linear" if math.isinf(self.tau_s) else "exponential"),
            "delta_bic": self.delta_bic,
            "n_points": self.n_points,
            "analysed_from_s": self.analysed_from_s,
            "residual_lag1_autocorrelation": self.autocorrelation,
            "model": MODEL,
            "note": self.note,
        }


class _Profile:
    """SSE of the change model on scaled time s ∈ [0, 1] for a grid of onsets and one τ at a time.

    Rows are weighted by √w and, with ``rho`` ≠ 0, prewhitened (row i − ρ·row i−1, the first dropped)."""

    def __init__(self, s: FloatArray, y: FloatArray, w: FloatArray, rho: float = 0.0) -> None:
        self.s, self.rho = s, rho
        self.sw = np.sqrt(w)
        self.tau_min = max(float(np.median(np.diff(s))), 1e-4)
        self.y = self.whiten(y)
        self.s_max = float(s.max())
        self.base = np.stack([self.whiten(np.ones_like(s)), self.whiten(s)])  # (2, n): intercept, slope
        self.base_gram = self.base @ self.base.T
        self.n = self.y.size
        beta = np.linalg.lstsq(self.base.T, self.y, rcond=None)[0]
        self.sse_null = float(((self.y - self.base.T @ beta) ** 2).sum())

    def whiten(self, a: FloatArray) -> FloatArray:
        a = a * self.sw
        return a if self.rho == 0 else a[..., 1:] - self.rho * a[..., :-1]

    def growth(self, onsets: FloatArray, tau: float) -> FloatArray:
        """Growth term per onset, shape (n_onsets, n), scaled to 1 at the last point (0 up to the onset;
        rows with no point after it: 0).  Exponential: (e^(x/τ) − 1)/(e^(x_max/τ) − 1) with x = s − t_c,
        written as (e^((s − s_max)/τ) − e^(−x_max/τ))/(1 − e^(−x_max/τ)) so that it cannot overflow for
        x_max ≫ τ and needs one exponential per point and one per onset, not one per (onset, point); its
        numerator is negative exactly before the onset."""
        x_max = np.maximum(self.s_max - onsets, 0.0)
        if math.isinf(tau):
            g = self.s[None, :] - onsets[:, None]
            scale = np.divide(1.0, x_max, out=np.zeros_like(x_max), where=x_max > 0)
        else:
            g = np.exp((self.s - self.s_max) / tau)[None, :] - np.exp(-x_max / tau)[:, None]
            denominator = -np.expm1(-x_max / tau)
            scale = np.divide(1.0, denominator, out=np.zeros_like(x_max), where=denominator > 0)
        np.maximum(g, 0.0, out=g)
        g *= scale[:, None]
        return g

    def solve(self, onsets: FloatArray, tau: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Best (a, b, A) per onset, the normal matrices and the (whitened) residuals: batched normal
        equations with one step of iterative refinement (the SSE is summed from the residuals, not
        Σy² − β·Xᵀy, which cancels catastrophically when the model explains nearly all of the variance)."""
        g = self.whiten(self.growth(onsets, tau))
        base, y = self.base, self.y
        m = np.empty((onsets.size, 3, 3))
        m[:, :2, :2] = self.base_gram
        m[:, :2, 2] = g @ base.T
        m[:, 2, 2] = np.einsum("kn,kn->k", g, g)
        m[:, 2, :2] = m[:, :2, 2]
        m += 1e-12 * np.trace(m, axis1=1, axis2=2)[:, None, None] * np.eye(3)

        def residual(beta: FloatArray) -> FloatArray:
            r = beta[:, :2] @ base
            np.subtract(y, r, out=r)
            r -= beta[:, 2:3] * g
            return r

        def right_side(r: FloatArray) -> FloatArray:
            return np.concatenate([r @ base.T, np.einsum("kn,kn->k", g, r)[:, None]], axis=1)

        first = np.concatenate([np.broadcast_to(base @ y, (onsets.size, 2)), (g @ y)[:, None]], axis=1)
        beta = np.linalg.solve(m, first[..., None])[..., 0]
        beta += np.linalg.solve(m, right_side(residual(beta))[..., None])[..., 0]
        return beta, m, residual(beta)

    def sse(self, onsets: FloatArray, tau: float) -> FloatArray:
        """SSE per onset with growth only (A ≥ 0): where the best A is negative the constrained optimum is
        A = 0, the straight line."""
        beta, _, r = self.solve(onsets, tau)
        sse = np.einsum("kn,kn->k", r, r)
        return np.where(beta[:, 2] > 0, np.minimum(sse, self.sse_null), self.sse_null)

    def sse_grid(self, onsets: FloatArray, tau: float) -> FloatArray:
        """:meth:`sse` for a whole grid of onsets in O(n + n_onsets) instead of O(n·n_onsets), for ranking.

        After the onset the growth term is (F_i − f)·h with F per point and f, h per onset (exponential:
        F = expm1((s − s_max)/τ), f = expm1(−x_max/τ), h = −1/f; linear: F = s − s_max, f = −x_max,
        h = 1/x_max), so every product of the normal equations is a suffix sum over the points after the
        onset (plus, when prewhitened, the one row that straddles it).  The SSE then comes from the normal
        equations, Σy² − β·Xᵀy, which loses digits when the model explains nearly all of the variance:
        the search re-evaluates its best cells with :meth:`sse`.
        """
        s, sw, rho = self.s, self.sw, self.rho
        x_max = np.maximum(self.s_max - onsets, 0.0)
        if math.isinf(tau):
            point, onset = s - self.s_max, -x_max
            h = np.divide(1.0, x_max, out=np.zeros_like(x_max), where=x_max > 0)
        else:
            point, onset = np.expm1((s - self.s_max) / tau), np.expm1(-x_max / tau)
            h = np.divide(-1.0, onset, out=np.zeros_like(x_max), where=onset < 0)
        first = np.searchsorted(s, onsets, side="right")  # first point after each onset
        p0, q0 = sw * point, sw
        # whitened rows (row j is point j + 1 when prewhitened) and where each onset's suffix starts
        p, q = (p0, q0) if rho == 0 else (p0[1:] - rho * p0[:-1], q0[1:] - rho * q0[:-1])
        start = np.minimum(first, p.size)
        vectors = (*self.base, self.y)  # intercept, slope, data (whitened)

        def suffix(a: FloatArray) -> FloatArray:
            return np.concatenate([np.cumsum(a[::-1])[::-1], [0.0]])[start]

        g_dot = [suffix(p * v) - onset * suffix(q * v) for v in vectors]
        gg = suffix(p * p) - 2 * onset * suffix(p * q) + onset**2 * suffix(q * q)
        if rho != 0:  # the row straddling the onset: point first − 1 is before it (growth 0)
            edge = first - 1
            has_edge = (first >= 1) & (first < s.size)
            row = np.where(
                has_edge, p0[np.minimum(first, s.size - 1)] - onset * q0[np.minimum(first, s.size - 1)], 0.0
            )
            for k, v in enumerate(vectors):
                g_dot[k] = g_dot[k] + row * v[np.clip(edge, 0, v.size - 1)]
            gg = gg + row**2
        gb0, gb1, gy = (h * d for d in g_dot)
        gg = h * h * gg
        gram = np.empty((onsets.size, 3, 3))
        gram[:, :2, :2] = self.base_gram
        gram[:, 0, 2] = gram[:, 2, 0] = gb0
        gram[:, 1, 2] = gram[:, 2, 1] = gb1
        gram[:, 2, 2] = gg
        m = gram + 1e-12 * np.trace(gram, axis1=1, axis2=2)[:, None, None] * np.eye(3)
        base_y = self.base @ self.y
        rhs = np.stack([np.full(onsets.size, base_y[0]), np.full(onsets.size, base_y[1]), gy], axis=1)
        beta = np.linalg.solve(m, rhs[..., None])[..., 0]
        # the refinement step of :meth:`solve`, with Xᵀr = Xᵀy − XᵀXβ; SSE = Σ(y − Xβ)² expanded
        beta += np.linalg.solve(m, (rhs - np.einsum("kij,kj->ki", gram, beta))[..., None])[..., 0]
        sse = (
            float(self.y @ self.y)
            - 2 * np.einsum("kj,kj->k", beta, rhs)
            + np.einsum("ki,kij,kj->k", beta, gram, beta)
        )
        return np.where(beta[:, 2] > 0, np.minimum(sse, self.sse_null), self.sse_null)

    def profile_at(self, onset: float) -> float:
        """SSE minimised over τ (continuous, and τ = ∞) at one onset: the profile likelihood."""
        c = np.array([onset])
        linear = float(self.sse(c, math.inf)[0])
        found = minimize_bounded(
            lambda u: float(self.sse(c, math.exp(u))[0]),
            math.log(self.tau_min),
            math.log(TAU_MAX),
            xatol=1e-4,
        )
        return min(linear, found.fun)

    def interval(
        self,
        onsets: FloatArray,
        coarse: FloatArray,
        best: float,
        best_sse: float,
        sigma2: float,
        limits: tuple[float, float],
    ) -> tuple[float, float]:
        """Onsets whose profile SSE lies within σ² of the best, bracketed on a fine grid.

        The coarse curve (τ on a grid) over-estimates the profile, so the search region is where it lies
        within 4σ² (widened by two grid steps); inside it the profile is evaluated with τ optimised.
        """
        step = float(onsets[1] - onsets[0])
        near = onsets[coarse - best_sse <= 4 * sigma2]
        start = min(float(near.min()) if near.size else best, best) - 2 * step
        stop = max(float(near.max()) if near.size else best, best) + 2 * step
        fine = np.linspace(max(start, limits[0]), min(stop, limits[1]), 61)
        within = fine[np.array([self.profile_at(c) for c in fine]) - best_sse <= sigma2]
        half = 0.5 * float(fine[1] - fine[0])
        low = min(float(within.min()) - half, best) if within.size else best - half
        high = max(float(within.max()) + half, best) if within.size else best + half
        return max(low, limits[0]), min(high, limits[1])


@dataclass(frozen=True)
class _ChangeFit:
    """The best change model on one profile: onset and τ on scaled time, SSEs, coefficients."""

    profile: _Profile
    onsets: FloatArray
    curve: FloatArray
    onset: float
    tau: float
    sse: float
    limits: tuple[float, float]
    sse_null: float

    @classmethod
    def search(cls, profile: _Profile, limits: tuple[float, float], n_grid: int) -> _ChangeFit:
        """Grid over (t_c, τ), then the best cell refined continuously."""
        lo, hi = limits
        onsets = np.linspace(lo, hi, n_grid)
        taus = [*np.geomspace(profile.tau_min, TAU_MAX, 28), math.inf]
        table = np.array([profile.sse_grid(onsets, tau) for tau in taus])  # (n_tau, n_grid)
        for i, k in zip(
            *np.unravel_index(np.argsort(table, axis=None)[:FINALISTS], table.shape), strict=True
        ):
            table[i, k] = profile.sse(onsets[k : k + 1], taus[i])[0]  # the best cells exactly
        best_tau_index = np.argmin(table, axis=0)
        curve = table[best_tau_index, np.arange(onsets.size)]
        k = int(np.argmin(curve))
        best_c, best_tau, best_sse = float(onsets[k]), taus[int(best_tau_index[k])], float(curve[k])
        log_tau = (math.log(profile.tau_min), math.log(TAU_MAX))
        if math.isfinite(best_tau):
            from scipy.optimize import minimize

            def objective(p: FloatArray) -> float:
                c = float(np.clip(p[0], lo, hi))
                return float(profile.sse(np.array([c]), float(np.exp(np.clip(p[1], *log_tau))))[0])

            refined = minimize(
                objective,
                [best_c, math.log(best_tau)],
                method="Nelder-Mead",
                options={"xatol": 1e-7, "fatol": 1e-12 * max(best_sse, 1e-300)},
            )
            if refined.fun < best_sse:
                best_c = float(np.clip(refined.x[0], lo, hi))
                best_tau, best_sse = float(np.exp(np.clip(refined.x[1], *log_tau))), float(refined.fun)
        return cls(profile, onsets, curve, best_c, best_tau, best_sse, limits, profile.sse_null)

    @property
    def delta_bic(self) -> float:
        n, tiny = self.profile.n, 1e-300
        return n * math.log(max(self.sse_null, tiny) / max(self.sse, tiny)) - 3 * math.log(n)

    @property
    def sigma2(self) -> float:
        return self.sse / max(self.profile.n - 5, 1)

    def coefficients(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        beta, m, r = self.profile.solve(np.array([self.onset]), self.tau)
        return beta[0], m[0], r[0]

    def rise(self) -> tuple[float, float, float]:
        """Model rise from the onset to the last point, its standard error (scaled units) and the slope
        b before the onset."""
        beta, m, _ = self.coefficients()
        contrast = np.array([0.0, 1.0 - self.onset, 1.0])
        variance = self.sigma2 * float(contrast @ np.linalg.solve(m, contrast))
        return float(contrast @ beta), math.sqrt(max(variance, 0.0)), float(beta[1])

    def autocorrelation(self) -> float:
        """Lag-1 autocorrelation of the (weighted) residuals."""
        r = self.coefficients()[2]
        denominator = float(r @ r)
        return float(r[1:] @ r[:-1]) / denominator if denominator > 0 else 0.0


def _change_fit(
    s: FloatArray, y: FloatArray, w: FloatArray, limits: tuple[float, float], n_grid: int
) -> _ChangeFit:
    """The best change model; refitted to AR(1)-prewhitened rows when its residuals are autocorrelated,
    and then compared with the straight line at the straight line's own most likely ρ (a random walk is
    better described by a line with ρ → 1 than by a change point)."""
    fit = _ChangeFit.search(_Profile(s, y, w), limits, n_grid)
    rho = fit.autocorrelation()
    if rho <= 2 / math.sqrt(s.size):
        return fit
    fit = _ChangeFit.search(_Profile(s, y, w, min(rho, RHO_MAX)), limits, n_grid)
    line = minimize_bounded(lambda r: _Profile(s, y, w, r).sse_null, 0.0, RHO_MAX, xatol=1e-4)
    return dataclasses.replace(fit, sse_null=min(line.fun, fit.profile.sse_null))


@checked
def detect_onset(
    time_s: FloatArray,
    values: FloatArray,
    stderr: FloatArray | None = None,
    *,
    quantity: str = "",
    min_before: int = 3,
    min_after: int = 3,
    n_grid: int = 800,
) -> Onset:
    """Onset time (s) of growth (increase) of ``values`` against ``time_s`` (see the module docstring);
    pass −values for a quantity that deteriorates by falling.

    ``stderr`` (same unit as ``values``) weights the points by 1/stderr²; non-finite or non-positive
    errors and non-finite values are dropped.  At least ``min_before`` points precede and ``min_after``
    follow any candidate onset.
    """
    t = np.asarray(time_s, dtype=float)
    y = np.asarray(values, dtype=float)
    e = None if stderr is None else np.asarray(stderr, dtype=float)
    for array, name in ((y, "values"), (e, "stderr")):
        if t.ndim != 1 or (array is not None and array.shape != t.shape):
            raise ArgumentError(
                f"time_s and {name} must be one-dimensional arrays of one length, got shapes "
                f"{t.shape} and {None if array is None else array.shape}"
            )
    keep = np.isfinite(t) & np.isfinite(y)
    if e is not None:
        keep &= np.isfinite(e) & (e > 0)
    order = np.argsort(t[keep], kind="stable")
    t, y = t[keep][order], y[keep][order]
    w = np.ones(t.size) if stderr is None else 1.0 / np.asarray(stderr, dtype=float)[keep][order] ** 2
    note_prefix = ""
    analysed_from = None
    for _ in range(MAX_TRANSIENTS + 1):
        outcome = _detect(t, y, w, quantity, min_before, min_after, n_grid, analysed_from, note_prefix)
        if isinstance(outcome, Onset):
            return outcome
        analysed_from = outcome  # an initial transient ends here: analyse the rest
        keep = t >= analysed_from
        t, y, w = t[keep], y[keep], w[keep]
        note_prefix += f"initial transient before {analysed_from:.6g} s left out; "
    return Onset(
        quantity,
        False,
        n_points=t.size,
        analysed_from_s=analysed_from,
        note=f"{note_prefix}the series keeps levelling off: no onset of growth",
    )


def _detect(
    t: FloatArray,
    y: FloatArray,
    w: FloatArray,
    quantity: str,
    min_before: int,
    min_after: int,
    n_grid: int,
    analysed_from: float | None,
    note_prefix: str,
) -> Onset | float:
    """One pass of :func:`detect_onset`: the onset, or the time from which to analyse again after an
    initial transient."""
    n = t.size
    if n < max(MIN_POINTS, min_before + min_after + 1) or np.ptp(t) <= 0:
        return Onset(
            quantity,
            False,
            n_points=n,
            analysed_from_s=analysed_from,
            note=f"{note_prefix}{n} usable points: too few for a change-point fit",
        )
    w = w / w.mean()
    t0, span = float(t[0]), float(np.ptp(t))
    s = (t - t0) / span
    scale = float(np.std(y)) or 1.0
    limits = (float(s[min_before - 1]), float(s[n - min_after - 1]))
    fit = _change_fit(s, (y - float(np.mean(y))) / scale, w, limits, n_grid)
    rho = fit.profile.rho
    common: dict[str, Any] = {
        "n_points": n,
        "delta_bic": fit.delta_bic,
        "analysed_from_s": analysed_from,
        "autocorrelation": rho,
    }
    correlated = f" after prewhitening (residual lag-1 autocorrelation {rho:.2f})" if rho else ""
    if fit.delta_bic <= DETECTION_DELTA_BIC:
        return Onset(
            quantity,
            False,
            **common,
            note=f"{note_prefix}no significant growth{correlated} (ΔBIC {fit.delta_bic:.3g} ≤ {DETECTION_DELTA_BIC:g})",
        )
    rise, rise_stderr, slope_before = fit.rise()
    onset_s = t0 + fit.onset * span
    if rise <= RISE_SIGMAS * rise_stderr:
        if slope_before < 0 and np.count_nonzero(t >= onset_s) >= MIN_POINTS:
            return onset_s
        return Onset(
            quantity,
            False,
            **common,
            note=f"{note_prefix}the change near {onset_s:.6g} s is a slow-down, not growth (rise after it "
            f"{rise * scale:.3g} ± {rise_stderr * scale:.3g}): no onset",
        )
    c_lo, c_hi = fit.profile.interval(fit.onsets, fit.curve, fit.onset, fit.sse, fit.sigma2, fit.limits)
    interval = (t0 + c_lo * span, t0 + c_hi * span)
    return Onset(
        quantity,
        True,
        time_s=onset_s,
        stderr_s=0.5 * (interval[1] - interval[0]),
        interval_s=interval,
        tau_s=fit.tau * span,
        **common,
        note="; ".join(filter(None, (note_prefix.rstrip("; "), correlated.strip()))) or None,
    )


def bin_series(
    time_s: FloatArray, values: FloatArray, max_points: int = 400
) -> tuple[FloatArray, FloatArray]:
    """Means of ``values`` in equal time bins (at most ``max_points``; empty bins dropped), for long records."""
    t = np.asarray(time_s, dtype=float)
    y = np.asarray(values, dtype=float)
    if t.size <= max_points:
        return t, y
    edges = np.linspace(t.min(), t.max(), max_points + 1)
    index = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, max_points - 1)
    counts = np.bincount(index, minlength=max_points)
    filled = counts > 0
    mean_t = np.bincount(index, weights=t, minlength=max_points)[filled] / counts[filled]
    mean_y = np.bincount(index, weights=y, minlength=max_points)[filled] / counts[filled]
    return mean_t, mean_y


AGREEMENT_RULE = "|t_EIS − t_DC| ≤ 2·√(stderr_EIS² + stderr_DC²)"


@checked
def compare_onsets(eis: Onset | None, dc: Onset | None) -> dict[str, Any]:
    """Whether the EIS and DC onsets agree (``None`` when either is missing or undetected)."""
    out: dict[str, Any] = {"agree": None, "difference_s": None, "rule": AGREEMENT_RULE}
    if not (eis and dc and eis.detected and dc.detected):
        missing = [name for name, o in (("EIS", eis), ("DC", dc)) if not (o and o.detected)]
        out["note"] = f"no onset in the {' and '.join(missing)} channel(s): agreement not assessed"
        return out
    diff = float(eis.time_s) - float(dc.time_s)  # type: ignore[arg-type]
    sigma = math.hypot(eis.stderr_s or 0.0, dc.stderr_s or 0.0)
    out["agree"] = abs(diff) <= 2 * sigma
    out["difference_s"] = {"value": diff, "stderr": sigma, "unit": "s"}
    return out
