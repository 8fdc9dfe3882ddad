"""Peaks of a DRT: which maxima are processes, and the resistance and time constant of each.

1. **Detection.** Every local maximum of γ owns the region between the minima that separate it from its
   neighbours.  A maximum is a process when its region holds at least ``min_fraction`` of ∫γ and it rises
   above the higher of its two valleys by more than :data:`PROMINENCE_SD` posterior standard deviations;
   the least significant maximum is merged into its neighbour until all pass, so ripples and the smeared
   edges of the window do not count.
2. **Quantification.** The spectrum is fitted with one ZARC per process plus the series terms of the
   DRT (R∞, L, tail), starting from each region's area, maximum and width — a peak's resistance is then its
   area in a decomposition of γ into symmetric peaks, free of the smoothing that merges overlapping peaks in
   the regularised γ, with standard errors from the fit's covariance.  The decomposition is kept only when
   it reproduces the data as well as the DRT itself and every peak stays in its own region; otherwise (peaks
   far from ZARC-shaped) each peak's resistance is the area of its region of γ, its τ the centroid, with
   standard errors from the DRT's posterior covariance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _lm
from .._typing import ComplexArray, FloatArray
from .basis import TauGrid
from .shapes import zarc_exponent_from_height

PROMINENCE_SD = 1.0
"""A maximum must rise above its higher valley by this many posterior standard deviations of γ."""

MIN_FRACTION = 0.02
"""Default smallest share of ∫γ a process may hold."""

MIN_EXPONENT = 0.3
"""Lowest ZARC exponent allowed in the decomposition."""

MAX_ITERATIONS = 100
"""Most Levenberg–Marquardt iterations of the decomposition."""

RESIDUAL_TOLERANCE = 1.5
"""The decomposition is kept when its RMS residual is at most 1.5 × that of the DRT (+ 0.05 % of |Z|)."""


@dataclass(frozen=True)
class PeakRegion:
    """A maximum of γ (node ``top``) and the nodes ``start``…``stop`` − 1 it owns."""

    top: int
    start: int
    stop: int


def _maxima(gamma: FloatArray) -> list[int]:
    padded = np.concatenate([[0.0], gamma, [0.0]])
    return [
        i - 1
        for i in range(1, padded.size - 1)
        if padded[i] > 0 and padded[i] >= padded[i - 1] and padded[i] > padded[i + 1]
    ]


def _regions(gamma: FloatArray, tops: list[int]) -> list[PeakRegion]:
    regions = []
    start = 0
    for k, top in enumerate(tops):
        if k + 1 < len(tops):
            nxt = tops[k + 1]
            stop = top + int(np.argmin(gamma[top : nxt + 1]))  # the valley node opens the next region
        else:
            stop = gamma.size
        regions.append(PeakRegion(top, start, stop))
        start = stop
    return regions


def detect_peaks(gamma: FloatArray, sd: FloatArray, min_fraction: float = MIN_FRACTION) -> list[PeakRegion]:
    """The significant peaks of ``gamma`` (any unit; ``sd`` its posterior standard deviation)."""
    total = float(gamma.sum())
    if total <= 0:
        return []
    tops = _maxima(gamma)
    while tops:
        regions = _regions(gamma, tops)
        scores = []
        for r in regions:
            share = float(gamma[r.start : r.stop].sum()) / total
            left = gamma[r.start] if r.start > 0 else 0.0
            right = gamma[r.stop] if r.stop < gamma.size else 0.0
            prominence = gamma[r.top] - max(left, right)
            noise = max(float(sd[r.top]), 1e-12 * float(gamma.max()))
            scores.append(min(share / min_fraction, prominence / (PROMINENCE_SD * noise)))
        worst = int(np.argmin(scores))
        if scores[worst] >= 1.0:
            return regions
        del tops[worst]
    return []


# ---------------------------------------------------------------------------------------------------
# decomposition into ZARC peaks


@dataclass(frozen=True)
class PeakEstimate:
    """One process: τ (s), R (Ω), ZARC exponent n (None for region areas), their standard errors, and the
    method: ``"zarc"`` (decomposition) or ``"area"`` (region of γ)."""

    tau: float
    tau_stderr: float | None
    resistance: float
    resistance_stderr: float | None
    exponent: float | None
    exponent_stderr: float | None
    method: str


@dataclass(frozen=True)
class Decomposition:
    """The fitted decomposition: peaks, series terms (R∞, L, tail a, tail ν) and relative RMS residual."""

    peaks: list[PeakEstimate]
    r_inf: float
    inductance: float
    tail: tuple[float, float] | None
    rms: float
    model: ComplexArray


class _ZarcModel:
    """Z = R∞ + jωL [+ a (jω)^-ν] + Σ R_k/(1 + (jωτ_k)^n_k); parameters [R∞, L, (ln a, ν), (ln R, ln τ, n)…]."""

    def __init__(self, omega: FloatArray, impedance: ComplexArray, n_peaks: int, tail: bool) -> None:
        self.omega = omega
        self.impedance = impedance
        self.weight = 1.0 / np.abs(impedance)
        self.n_peaks = n_peaks
        self.tail = tail
        self.offset = 4 if tail else 2
        self.log_jw = np.log(omega) + 0.5j * math.pi

    def impedance_and_jacobian(self, p: FloatArray) -> tuple[ComplexArray, ComplexArray]:
        omega = self.omega
        jac = np.empty((omega.size, p.size), dtype=complex)
        z = p[0] + 1j * omega * p[1]
        jac[:, 0] = 1.0
        jac[:, 1] = 1j * omega
        if self.tail:
            t = np.exp(p[2] - p[3] * self.log_jw)
            z = z + t
            jac[:, 2] = t
            jac[:, 3] = -t * self.log_jw
        for k in range(self.n_peaks):
            i = self.offset + 3 * k
            r, log_tau, n = math.exp(p[i]), p[i + 1], p[i + 2]
            log_jwt = self.log_jw + log_tau
            s = np.exp(n * log_jwt)
            inv = 1.0 / (1.0 + s)
            zk = r * inv
            z = z + zk
            common = -r * s * inv * inv
            jac[:, i] = zk
            jac[:, i + 1] = common * n
            jac[:, i + 2] = common * log_jwt
        return z, jac

    def residual_and_jacobian(self, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Weighted residual [Re; Im] of (Z_model − Z)/|Z| and its Jacobian."""
        z, jac = self.impedance_and_jacobian(p)
        d = (z - self.impedance) * self.weight
        jac = jac * self.weight[:, None]
        return np.concatenate([d.real, d.imag]), np.vstack([jac.real, jac.imag])


def region_estimates(
    grid: TauGrid, gamma: FloatArray, covariance: FloatArray, regions: list[PeakRegion]
) -> list[PeakEstimate]:
    """Each region's area (Ω) and centroid τ (s) with standard errors from the covariance of γ (Ω²)."""
    h = grid.spacing
    x = grid.log_tau
    out = []
    for r in regions:
        part = slice(r.start, r.stop)
        g = gamma[part]
        area = float(g.sum() * h)
        cov = covariance[part, part]
        ones = np.full(g.size, h)
        area_sd = math.sqrt(max(float(ones @ cov @ ones), 0.0))
        centre = float((g * x[part]).sum() / g.sum()) if area > 0 else float(x[r.top])
        grad = (x[part] - centre) / max(float(g.sum()), 1e-300)
        centre_sd = math.sqrt(max(float(grad @ cov @ grad), 0.0))
        tau = math.exp(centre)
        out.append(PeakEstimate(tau, tau * centre_sd, area, area_sd, None, None, "area"))
    return out


def decompose_zarc(
    omega: FloatArray,
    impedance: ComplexArray,
    grid: TauGrid,
    gamma: FloatArray,
    regions: list[PeakRegion],
    r_inf: float,
    inductance: float,
    tail: tuple[float, float] | None,
) -> Decomposition | None:
    """Fit one ZARC per region (see module docstring); ``None`` when the fit fails outright."""
    h = grid.spacing
    x = grid.log_tau
    model = _ZarcModel(omega, impedance, len(regions), tail is not None)
    big = 1e3 * float(np.abs(impedance).max())
    log_big = math.log(big)
    p0: list[float] = [r_inf, max(inductance, 0.0)]
    lower: list[float] = [-big, 0.0]
    upper: list[float] = [big, big / float(omega.max())]
    if tail is not None:
        p0 += [math.log(max(tail[0], 1e-300)), tail[1]]
        lower += [-700.0, MIN_EXPONENT]
        upper += [700.0, 1.0]
    lo_tau, hi_tau = x[0] - h, x[-1] + h
    for r in regions:
        area = max(float(gamma[r.start : r.stop].sum() * h), 1e-12)
        n0 = min(max(zarc_exponent_from_height(area, float(gamma[r.top])), 0.5), 0.98)
        p0 += [math.log(area), float(x[r.top]), n0]
        lower += [log_big - 60.0, lo_tau, MIN_EXPONENT]
        upper += [log_big, hi_tau, 1.0]
    lo, hi = np.array(lower), np.array(upper)
    state = _lm.start(model.residual_and_jacobian, np.array(p0), lo, hi)
    if not math.isfinite(state.cost):
        return None
    state = _lm.iterate(model.residual_and_jacobian, state, lo, hi, MAX_ITERATIONS)
    p = state.u
    if not (np.all(np.isfinite(p)) and math.isfinite(state.cost)):
        return None
    resid = state.residual
    dof = max(resid.size - p.size, 1)
    sd = _parameter_sd(state.jacobian, state.cost / dof, p, lo, hi)
    peaks = []
    for k in range(len(regions)):
        i = model.offset + 3 * k
        r, tau, n = math.exp(p[i]), math.exp(p[i + 1]), float(p[i + 2])
        peaks.append(
            PeakEstimate(
                tau=tau,
                tau_stderr=None if sd[i + 1] is None else tau * sd[i + 1],
                resistance=r,
                resistance_stderr=None if sd[i] is None else r * sd[i],
                exponent=n,
                exponent_stderr=sd[i + 2],
                method="zarc",
            )
        )
    z, _ = model.impedance_and_jacobian(p)
    tail_out = (math.exp(p[2]), float(p[3])) if tail is not None else None
    rms = float(np.sqrt(np.mean(resid**2)))
    return Decomposition(peaks, float(p[0]), float(p[1]), tail_out, rms, z)


def _parameter_sd(
    jac: FloatArray, sigma2: float, p: FloatArray, lower: FloatArray, upper: FloatArray
) -> list[float | None]:
    """Standard errors from σ²(JᵀJ)⁻¹ over the parameters not at a bound (``None`` for those at one)."""
    span = upper - lower
    at_bound = (np.abs(p - lower) < 1e-6 * span) | (np.abs(upper - p) < 1e-6 * span)
    free = np.flatnonzero(~at_bound)
    out: list[float | None] = [None] * p.size
    if free.size == 0:
        return out
    jf = jac[:, free]
    try:
        _, s, vt = np.linalg.svd(jf, full_matrices=False)
    except np.linalg.LinAlgError:
        return out
    if s[0] <= 0:
        return out
    keep = s > s[0] * 1e-10
    cov = (vt[keep].T / s[keep] ** 2) @ vt[keep] * sigma2
    for j, idx in enumerate(free):
        out[idx] = math.sqrt(max(float(cov[j, j]), 0.0))
    return out


def decomposition_fits(
    decomposition: Decomposition, drt_rms: float, grid: TauGrid, regions: list[PeakRegion]
) -> bool:
    """Whether the decomposition describes the data as well as the DRT and keeps each peak in its region
    (within one grid step beyond its bounds)."""
    if decomposition.rms > RESIDUAL_TOLERANCE * drt_rms + 5e-4:
        return False
    x = grid.log_tau
    h = grid.spacing
    for peak, r in zip(decomposition.peaks, regions, strict=True):
        lo = x[r.start] - 2 * h
        hi = x[r.stop - 1] + 2 * h
        if not lo <= math.log(peak.tau) <= hi or peak.resistance <= 0:
            return False
    return True
