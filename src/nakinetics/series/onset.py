"""Onset of deterioration: a change point in a time series, with a profile-likelihood uncertainty.

Model (continuous at the onset t_c)::

    y(t) = a + b·t                                   t ≤ t_c
    y(t) = a + b·t + A·(exp((t − t_c)/τ) − 1)        t > t_c      (τ → ∞: a kink, A·(t − t_c)/τ)

i.e. a linear baseline (flat when b = 0) that starts to grow exponentially at t_c.  dy/dt steps from b to
b + A/τ at t_c, so for y = U(t) the onset is a change point of dU/dt; for y = R_int(t) it is the start of
the exponential growth.  For fixed (t_c, τ) the model is linear in (a, b, A): the weighted least-squares
SSE is profiled over a fine t_c grid × a τ grid (plus τ = ∞), and the best cell is refined.

* Detection: the change model must beat the straight line by ΔBIC = n·ln(SSE₀/SSE₁) − 3·ln n > 10.
* Uncertainty: the 68 % profile-likelihood interval {t_c : SSE_min(t_c) − SSE₁ ≤ σ̂²} with σ̂² = SSE₁/(n − 5);
  ``stderr_s`` is its half-width (a change point is not Gaussian: report the interval too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from .._typing import FloatArray

MODEL = (
    "y = a + b·t, plus A·(exp((t − t_c)/τ) − 1) after the onset t_c (τ → ∞: linear growth); "
    "weighted least squares profiled over t_c; 68 % profile-likelihood interval"
)
DETECTION_DELTA_BIC = 10.0
"""ΔBIC of the change model over a straight line above which an onset is reported."""
MIN_POINTS = 7
TAU_MAX = 20.0
"""Largest finite growth time constant τ as a multiple of the series span (plus τ = ∞).  The smallest is
the median sampling interval: faster growth cannot be told from a single outlying last point."""


@dataclass(frozen=True)
class Onset:
    """A detected (or not) onset of deterioration in one channel."""

    quantity: str
    detected: bool
    time_s: float | None = None
    stderr_s: float | None = None
    interval_s: tuple[float, float] | None = None
    tau_s: float | None = None
    delta_bic: float | None = None
    n_points: int = 0
    note: str | None = None

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
            "model": MODEL,
            "note": self.note,
        }


class _Profile:
    """SSE of the change model on scaled time s ∈ [0, 1] for a grid of onsets and one τ at a time."""

    def __init__(self, s: FloatArray, y: FloatArray, w: FloatArray) -> None:
        self.s, self.y, self.w = s, y, w
        self.tau_min = max(float(np.median(np.diff(s))), 1e-4)
        self.base = np.column_stack([np.ones_like(s), s])

    def growth(self, onsets: FloatArray, tau: float) -> FloatArray:
        """Growth term per onset, shape (n_onsets, n), scaled to 1 at the last point (rows with no point
        after the onset: 0).  Exponential: (e^(x/τ) − 1)/(e^(x_max/τ) − 1), written so that it cannot
        overflow for x_max ≫ τ."""
        x = np.clip(self.s[None, :] - onsets[:, None], 0.0, None)
        x_max = x.max(axis=1, keepdims=True)
        if math.isinf(tau):
            return np.divide(x, x_max, out=np.zeros_like(x), where=x_max > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = (np.exp((x - x_max) / tau) - np.exp(-x_max / tau)) / -np.expm1(-x_max / tau)
        return np.where((x > 0) & (x_max > 0), g, 0.0)

    def sse(self, onsets: FloatArray, tau: float) -> FloatArray:
        """Weighted SSE of the best (a, b, A) for each onset: batched normal equations with one step of
        iterative refinement, the SSE summed from the residuals (not Σwy² − β·Xᵀwy, which cancels
        catastrophically when the model explains nearly all of the variance)."""
        g = self.growth(onsets, tau)
        w, s, y = self.w, self.s, self.y
        k = onsets.size
        m = np.empty((k, 3, 3))
        m[:, 0, 0], m[:, 0, 1], m[:, 1, 1] = w.sum(), (w * s).sum(), (w * s * s).sum()
        m[:, 0, 2] = g @ w
        m[:, 1, 2] = g @ (w * s)
        m[:, 2, 2] = (g * g) @ w
        m[:, 1, 0], m[:, 2, 0], m[:, 2, 1] = m[:, 0, 1], m[:, 0, 2], m[:, 1, 2]
        m += 1e-12 * np.trace(m, axis1=1, axis2=2)[:, None, None] * np.eye(3)

        def residual(beta: FloatArray) -> FloatArray:
            return y[None, :] - beta[:, :1] - beta[:, 1:2] * s[None, :] - beta[:, 2:3] * g

        def right_side(r: FloatArray) -> FloatArray:
            return np.stack([r @ w, r @ (w * s), np.einsum("kn,kn->k", g * w, r)], axis=1)

        beta = np.linalg.solve(m, right_side(np.broadcast_to(y, g.shape))[..., None])[..., 0]
        beta += np.linalg.solve(m, right_side(residual(beta))[..., None])[..., 0]
        return (residual(beta) ** 2) @ w

    def profile_at(self, onset: float) -> float:
        """SSE minimised over τ (continuous, and τ = ∞) at one onset: the profile likelihood."""
        c = np.array([onset])
        linear = float(self.sse(c, math.inf)[0])
        found = minimize_scalar(
            lambda u: float(self.sse(c, math.exp(u))[0]),
            bounds=(math.log(self.tau_min), math.log(TAU_MAX)),
            method="bounded",
            options={"xatol": 1e-4},
        )
        return min(linear, float(found.fun))

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

    def sse_null(self) -> float:
        sw = np.sqrt(self.w)
        beta = np.linalg.lstsq(self.base * sw[:, None], self.y * sw, rcond=None)[0]
        return float((self.w * (self.y - self.base @ beta) ** 2).sum())


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
    """Onset time (s) of growth in ``values`` against ``time_s`` (see the module docstring).

    ``stderr`` (same unit as ``values``) weights the points by 1/stderr²; non-finite or non-positive
    errors and non-finite values are dropped.  At least ``min_before`` points precede and ``min_after``
    follow any candidate onset.
    """
    t = np.asarray(time_s, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = np.isfinite(t) & np.isfinite(y)
    if stderr is not None:
        e = np.asarray(stderr, dtype=float)
        keep &= np.isfinite(e) & (e > 0)
    order = np.argsort(t[keep], kind="stable")
    t, y = t[keep][order], y[keep][order]
    n = t.size
    if n < max(MIN_POINTS, min_before + min_after + 1) or np.ptp(t) <= 0:
        return Onset(quantity, False, n_points=n, note=f"{n} usable points: too few for a change-point fit")
    w = np.ones(n) if stderr is None else 1.0 / np.asarray(stderr, dtype=float)[keep][order] ** 2
    w = w / w.mean()
    t0, span = float(t[0]), float(np.ptp(t))
    s = (t - t0) / span
    scale = float(np.std(y)) or 1.0
    profile = _Profile(s, (y - float(np.mean(y))) / scale, w)

    lo, hi = s[min_before - 1], s[n - min_after - 1]
    onsets = np.linspace(lo, hi, n_grid)
    taus = [*np.geomspace(profile.tau_min, TAU_MAX, 28), math.inf]
    table = np.array([profile.sse(onsets, tau) for tau in taus])  # (n_tau, n_grid)
    best_tau_index = np.argmin(table, axis=0)
    curve = table[best_tau_index, np.arange(onsets.size)]
    k = int(np.argmin(curve))
    best_c, best_tau, best_sse = float(onsets[k]), taus[int(best_tau_index[k])], float(curve[k])

    log_tau = (math.log(profile.tau_min), math.log(TAU_MAX))
    if math.isfinite(best_tau):  # refine (t_c, log τ) continuously from the best grid cell

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

    null = profile.sse_null()
    tiny = 1e-300
    delta_bic = n * math.log(max(null, tiny) / max(best_sse, tiny)) - 3 * math.log(n)
    if delta_bic <= DETECTION_DELTA_BIC:
        return Onset(
            quantity,
            False,
            n_points=n,
            delta_bic=delta_bic,
            note=f"no significant change (ΔBIC {delta_bic:.3g} ≤ {DETECTION_DELTA_BIC:g})",
        )
    sigma2 = best_sse / max(n - 5, 1)
    c_lo, c_hi = profile.interval(onsets, curve, best_c, best_sse, sigma2, (lo, hi))
    interval = (t0 + c_lo * span, t0 + c_hi * span)
    return Onset(
        quantity,
        True,
        time_s=t0 + best_c * span,
        stderr_s=0.5 * (interval[1] - interval[0]),
        interval_s=interval,
        tau_s=best_tau * span,
        delta_bic=delta_bic,
        n_points=n,
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
