"""Peaks of a DRT: which maxima are processes, and the resistance and time constant of each.

1. **Detection.** Every local maximum of γ owns the region between the minima that separate it from its
   neighbours.  A maximum is a process when its region holds at least ``min_fraction`` of ∫γ (0: any share), it rises
   above the higher of its two valleys by more than :data:`PROMINENCE_SD` posterior standard deviation and
   its area above half its maximum is :data:`AREA_Z` standard errors clear of zero (the peak itself: flat,
   poorly determined stretches merged into its region must not drown it);
   the least significant maximum is merged into its neighbour until all pass, so ripples and the smeared
   edges of the window do not count.  A maximum on the first or last node is γ cut by the grid (a process
   beyond the window, or R∞ / a tail seen as γ): it keeps its region but is not a peak.
2. **Quantification.** The spectrum is fitted with one ZARC per process plus the series terms of the
   DRT (R∞, L, tail), starting from each region's area, maximum and width — a peak's resistance is then its
   area in a decomposition of γ into symmetric peaks, free of the smoothing that merges overlapping peaks in
   the regularised γ, with standard errors from the fit's covariance.  The decomposition is kept only when
   it reproduces the data as well as the DRT itself and every peak stays in its own region; otherwise (peaks
   far from ZARC-shaped) each peak's resistance is the area of its region of γ, its τ that of the maximum,
   with standard errors from the DRT's posterior covariance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _lm
from .._typing import ComplexArray, FloatArray
from .basis import TauGrid
from .result import DRTPeak, WarburgLines
from .shapes import warburg_lines, zarc_exponent_from_height

PROMINENCE_SD = 1.0
AREA_Z = 3.0
"""A maximum must rise above its higher valley by one posterior standard deviation of γ at its top, and its
area above half maximum must exceed three standard errors of that area (which, unlike the node-by-node
deviations, accounts for their correlation)."""

MIN_FRACTION = 0.02
"""Default smallest share of ∫γ a process may hold."""

MIN_EXPONENT = 0.3
"""Lowest ZARC exponent allowed in the decomposition (a ZARC that ends there is rejected: see
:func:`decomposition_rejected`)."""

MAX_ITERATIONS = 100
"""Most Levenberg–Marquardt iterations of the decomposition."""

AREA_FACTOR = 1.5
"""A ZARC of the decomposition may differ from its region's area by at most this factor (overlapping peaks
share the smoothed γ between them unevenly; more is a ZARC that took another peak's resistance)."""

SUM_TOLERANCE = 0.10
"""The ZARCs together must hold the area of their regions of γ within 10 % of ∫γ (on the synthetic
benchmark spectra they agree within 3.5 %)."""

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
        regions.append(PeakRegion(start + int(np.argmax(gamma[start:stop])), start, stop))
        start = stop
    return regions


def detect_peaks(
    gamma: FloatArray, covariance: FloatArray, min_fraction: float = MIN_FRACTION
) -> list[PeakRegion]:
    """The significant peaks of ``gamma`` (any unit; ``covariance`` its posterior covariance)."""
    total = float(gamma.sum())
    if total <= 0:
        return []
    sd = np.sqrt(np.maximum(np.diag(covariance), 0.0))
    floor = 1e-12 * float(gamma.max())
    tops = _maxima(gamma)
    while tops:
        regions = _regions(gamma, tops)
        scores = []
        for r in regions:
            part = slice(r.start, r.stop)
            area = float(gamma[part].sum())
            lo, hi = _half_width(gamma, r)  # the peak itself, not the flat ends merged into its region
            core = slice(lo, hi + 1)
            core_area = float(gamma[core].sum())
            core_sd = math.sqrt(max(float(covariance[core, core].sum()), 0.0))
            left = gamma[r.start] if r.start > 0 else 0.0
            right = gamma[r.stop] if r.stop < gamma.size else 0.0
            prominence = gamma[r.top] - max(left, right)
            share = area / total / min_fraction if min_fraction > 0 else math.inf
            scores.append(
                min(
                    share,
                    prominence / (PROMINENCE_SD * max(float(sd[r.top]), floor)),
                    core_area / (AREA_Z * max(core_sd, floor)),
                )
            )
        worst = int(np.argmin(scores))
        if scores[worst] >= 1.0:
            return [r for r in regions if 0 < r.top < gamma.size - 1]
        del tops[worst]
        tops = sorted({r.top for r in _regions(gamma, tops)}) if tops else tops  # each region's highest node
    return []


def merge_smallest(gamma: FloatArray, regions: list[PeakRegion]) -> list[PeakRegion]:
    """``regions`` with the one of smallest area merged into the neighbour across its higher valley."""
    areas = [float(gamma[r.start : r.stop].sum()) for r in regions]
    k = int(np.argmin(areas))
    left = gamma[regions[k].start] if k > 0 else -np.inf
    right = gamma[regions[k].stop] if k + 1 < len(regions) else -np.inf
    j = k - 1 if left >= right else k + 1
    lo, hi = sorted((k, j))
    start, stop = regions[lo].start, regions[hi].stop
    merged = PeakRegion(start + int(np.argmax(gamma[start:stop])), start, stop)
    return [*regions[:lo], merged, *regions[hi + 1 :]]


# ---------------------------------------------------------------------------------------------------
# decomposition into ZARC peaks


@dataclass(frozen=True)
class Decomposition:
    """The fitted decomposition: its peaks, the series terms it used (R∞ Ω, L H; the tail, when the DRT
    has one, held at the DRT's), its relative RMS residual and model impedance (Ω)."""

    peaks: list[DRTPeak]
    r_inf: float
    inductance: float
    rms: float
    model: ComplexArray
    n_parameters: int
    at_bound: tuple[str, ...]

    @property
    def bic(self) -> float:
        """Bayesian information criterion N ln(RSS/N) + p ln N of the weighted residuals."""
        n = 2 * self.model.size
        return n * math.log(max(self.rms**2, 1e-300)) + self.n_parameters * math.log(n)


class _PeakModel:
    """Z = R∞ + jωL + Z_fixed + Σ components: ZARCs R/(1 + (jωτ)^n), parameters (ln R, ln τ, n), or the DRT
    lines of a Ws/Wo element (:func:`~nakinetics.drt.shapes.warburg_lines`, those not faster than
    ``tau_min``), parameters (ln R, ln τ_W); the first two parameters are R∞ and L.  ``fixed`` (Ω) is what
    the decomposition does not refit: the DRT's tail with its shunted part."""

    offset = 2

    def __init__(
        self,
        omega: FloatArray,
        impedance: ComplexArray,
        shapes: list[str],
        fixed: ComplexArray | None,
        tau_min: float,
    ) -> None:
        self.omega = omega
        self.impedance = impedance
        self.weight = 1.0 / np.abs(impedance)
        self.shapes = shapes
        self.fixed = np.zeros_like(impedance) if fixed is None else fixed
        self.tau_min = tau_min
        self.log_jw = np.log(omega) + 0.5j * math.pi
        self.starts = list(np.cumsum([self.offset] + [_SIZES[s] for s in shapes[:-1]]))

    @property
    def size(self) -> int:
        return self.offset + sum(_SIZES[s] for s in self.shapes)

    def lines(self, k: int, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        i = self.starts[k]
        return warburg_lines(self.shapes[k], math.exp(p[i]), math.exp(p[i + 1]), self.tau_min)

    def impedance_and_jacobian(self, p: FloatArray) -> tuple[ComplexArray, ComplexArray]:
        omega = self.omega
        jac = np.empty((omega.size, p.size), dtype=complex)
        z = p[0] + 1j * omega * p[1] + self.fixed
        jac[:, 0] = 1.0
        jac[:, 1] = 1j * omega
        for k, shape in enumerate(self.shapes):
            i = self.starts[k]
            if shape == "zarc":
                r, log_tau, n = math.exp(p[i]), p[i + 1], p[i + 2]
                log_jwt = self.log_jw + log_tau
                s = np.exp(n * log_jwt)
                inv = 1.0 / (1.0 + s)
                zk = r * inv
                common = -r * s * inv * inv
                jac[:, i] = zk
                jac[:, i + 1] = common * n
                jac[:, i + 2] = common * log_jwt
            else:
                rs, taus = self.lines(k, p)
                jwt = 1j * omega[:, None] * taus[None, :]
                inv = 1.0 / (1.0 + jwt)
                zk = inv @ rs
                jac[:, i] = zk
                jac[:, i + 1] = -(jwt * inv * inv) @ rs
            z = z + zk
        return z, jac

    def residual_and_jacobian(self, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Weighted residual [Re; Im] of (Z_model − Z)/|Z| and its Jacobian."""
        z, jac = self.impedance_and_jacobian(p)
        d = (z - self.impedance) * self.weight
        jac = jac * self.weight[:, None]
        return np.concatenate([d.real, d.imag]), np.vstack([jac.real, jac.imag])


_SIZES = {"zarc": 3, "Ws": 2, "Wo": 2}
_FIRST_LINE = {"Ws": 4.0 / math.pi**2, "Wo": 1.0 / math.pi**2}
"""τ of the first DRT line per unit τ_W."""
_LINES_SHARE = {"Ws": 1.0, "Wo": 1.0 / 3.0}
"""The lines' resistance per unit R of the element (Wo: the rest is its capacitance, the tail)."""


def _vertex(x: FloatArray, gamma: FloatArray, covariance: FloatArray, top: int) -> tuple[float, float]:
    """ln τ of the maximum near node ``top`` (parabola through it and its neighbours) and its standard
    error propagated from the covariance of those three values."""
    if top == 0 or top == gamma.size - 1:
        return float(x[top]), math.nan
    g0, g1, g2 = gamma[top - 1 : top + 2]
    h = float(x[1] - x[0])
    curvature = g0 - 2.0 * g1 + g2
    if curvature >= 0:
        return float(x[top]), math.nan
    numerator = g0 - g2
    shift = 0.5 * h * numerator / curvature
    # d shift / d(g0, g1, g2) for shift = h (g0 − g2) / (2 (g0 − 2 g1 + g2))
    grad = 0.5 * h * np.array([curvature - numerator, 2.0 * numerator, -curvature - numerator]) / curvature**2
    cov = covariance[top - 1 : top + 2, top - 1 : top + 2]
    return float(x[top]) + shift, math.sqrt(max(float(grad @ cov @ grad), 0.0))


def region_estimates(
    grid: TauGrid, gamma: FloatArray, covariance: FloatArray, regions: list[PeakRegion]
) -> list[DRTPeak]:
    """Each region's area (Ω) and the τ (s) of its maximum, with standard errors from the covariance of γ
    (Ω²)."""
    h = grid.spacing
    x = grid.log_tau
    out = []
    for r in regions:
        part = slice(r.start, r.stop)
        area = float(gamma[part].sum() * h)
        ones = np.full(r.stop - r.start, h)
        area_sd = math.sqrt(max(float(ones @ covariance[part, part] @ ones), 0.0))
        log_tau, log_sd = _vertex(x, gamma, covariance, r.top)
        tau = math.exp(log_tau)
        out.append(
            DRTPeak(
                tau=tau,
                tau_stderr=tau * log_sd if math.isfinite(log_sd) else None,
                resistance=area,
                resistance_stderr=area_sd,
                method="area",
            )
        )
    return out


def decompose_zarc(
    omega: FloatArray,
    impedance: ComplexArray,
    grid: TauGrid,
    gamma: FloatArray,
    regions: list[PeakRegion],
    r_inf: float,
    inductance: float,
    fixed: ComplexArray | None = None,
    shapes: list[str] | None = None,
) -> Decomposition | None:
    """Fit one component per region (see module docstring) with R∞ ≥ 0, L ≥ 0 and ``fixed`` (Ω, the DRT's
    tail) held; ``shapes`` (default all ``"zarc"``) may make a region the lines of a ``"Ws"`` or ``"Wo"``
    element, those faster than the previous region's top left out (the double layer of the process before
    shunts them).  ``None`` when the fit fails outright.  ``at_bound`` names the parameters that ended on a
    bound other than L = 0 and n = 1 (no inductance, an ideal RC element), which are physical."""
    shapes = shapes or ["zarc"] * len(regions)
    h = grid.spacing
    x = grid.log_tau
    lines_at = next((k for k, s in enumerate(shapes) if s != "zarc"), None)
    tau_min = float(grid.tau[regions[lines_at - 1].top if lines_at else 0])
    model = _PeakModel(omega, impedance, shapes, fixed, tau_min)
    big = 1e3 * float(np.abs(impedance).max())
    log_big = math.log(big)
    z_max = float(np.abs(impedance).max())
    p0: list[float] = [min(max(r_inf, 0.0), z_max), max(inductance, 0.0)]
    lower: list[float] = [0.0, 0.0]
    upper: list[float] = [z_max, big / float(omega.max())]
    lo_tau, hi_tau = x[0] - h, x[-1] + h
    names = ["R∞", "L"]
    physical = {(1, "lower")}
    for k, (r, shape) in enumerate(zip(regions, shapes, strict=True)):
        area = max(float(gamma[r.start : r.stop].sum() * h), 1e-12)
        if shape == "zarc":
            n0 = min(max(zarc_exponent_from_height(area, float(gamma[r.top])), 0.5), 0.98)
            p0 += [math.log(area), float(x[r.top]), n0]
            lower += [log_big - 60.0, lo_tau, MIN_EXPONENT]
            upper += [log_big, hi_tau, 1.0]
            names += [f"R of peak {k + 1}", f"τ of peak {k + 1}", f"n of peak {k + 1}"]
            physical.add((len(p0) - 1, "upper"))
        else:
            shift = math.log(_FIRST_LINE[shape])  # ln τ_W = ln τ_first − shift
            p0 += [math.log(area / _LINES_SHARE[shape]), float(x[r.top]) - shift]
            lower += [log_big - 60.0, lo_tau - shift]
            upper += [log_big, hi_tau - shift]
            names += [f"R of the {shape} lines", f"τ of the {shape} lines"]
    if r_inf <= 0:  # the DRT itself puts R∞ at zero: so may the decomposition
        physical.add((0, "lower"))
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
    bound = [names[i] for i, side in _bound_sides(p, lo, hi) if (i, side) not in physical]
    peaks = []
    for k, shape in enumerate(shapes):
        i = model.starts[k]
        r_sd, tau_sd = sd[i], sd[i + 1]
        if shape == "zarc":
            r, tau, n = math.exp(p[i]), math.exp(p[i + 1]), float(p[i + 2])
            peaks.append(
                DRTPeak(
                    tau=tau,
                    tau_stderr=None if tau_sd is None else tau * tau_sd,
                    resistance=r,
                    resistance_stderr=None if r_sd is None else r * r_sd,
                    exponent=n,
                    exponent_stderr=sd[i + 2],
                    method="zarc",
                )
            )
            continue
        rs, taus = model.lines(k, p)
        element = WarburgLines(
            shape,
            math.exp(p[i]),
            None if r_sd is None else math.exp(p[i]) * r_sd,
            math.exp(p[i + 1]),
            None if tau_sd is None else math.exp(p[i + 1]) * tau_sd,
        )
        held = float(rs.sum())
        peaks.append(
            DRTPeak(
                tau=float(taus[0]),
                tau_stderr=None if tau_sd is None else float(taus[0]) * tau_sd,
                resistance=held,
                resistance_stderr=None if r_sd is None else held * r_sd,
                method="zarc",
                diffusion=element,
            )
        )
    z, _ = model.impedance_and_jacobian(p)
    rms = float(np.sqrt(np.mean(resid**2)))
    return Decomposition(peaks, float(p[0]), float(p[1]), rms, z, int(p.size), tuple(bound))


def _bound_sides(p: FloatArray, lower: FloatArray, upper: FloatArray) -> list[tuple[int, str]]:
    """(index, "lower"/"upper") of the parameters on a bound (within 1e-9 of their range, where the
    solver's projection holds them)."""
    span = upper - lower
    out = [(int(i), "lower") for i in np.flatnonzero(np.abs(p - lower) <= 1e-9 * span)]
    return out + [(int(i), "upper") for i in np.flatnonzero(np.abs(upper - p) <= 1e-9 * span)]


def _parameter_sd(
    jac: FloatArray, sigma2: float, p: FloatArray, lower: FloatArray, upper: FloatArray
) -> list[float | None]:
    """Standard errors from σ²(JᵀJ)⁻¹ over the parameters not at a bound (``None`` for those at one)."""
    at_bound = np.zeros(p.size, dtype=bool)
    at_bound[[i for i, _ in _bound_sides(p, lower, upper)]] = True
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


def _half_width(gamma: FloatArray, region: PeakRegion) -> tuple[int, int]:
    """First and last node of ``region`` around its top where γ stays at or above half the top value."""
    half = 0.5 * gamma[region.top]
    lo = region.top
    while lo > region.start and gamma[lo - 1] >= half:
        lo -= 1
    hi = region.top
    while hi < region.stop - 1 and gamma[hi + 1] >= half:
        hi += 1
    return lo, hi


def decomposition_rejected(
    decomposition: Decomposition,
    drt_rms: float,
    grid: TauGrid,
    gamma: FloatArray,
    covariance: FloatArray,
    regions: list[PeakRegion],
) -> str | None:
    """Why the decomposition cannot stand for the peaks, or ``None`` when it can: it must describe the data
    as well as the DRT (:data:`RESIDUAL_TOLERANCE`), keep every parameter off its bounds (a physical
    bound — R∞ = 0, τ at the end of the grid, n at its floor — that stops the fit means the model is
    wrong, not that the value is there), keep each ZARC on its peak (τ within the peak's half-maximum
    width ± one node, R within a factor :data:`AREA_FACTOR` of the region's area) and let the ZARCs
    together hold no more than the area of their regions plus :data:`SUM_TOLERANCE` of ∫γ (peaks that hold
    more than the distribution they decompose took it from the series terms), and no less than that area
    minus the larger of that and two standard errors of the area (``covariance``: of γ, Ω²; flat, poorly
    determined stretches of γ in a region are not the peak's)."""
    if decomposition.rms > RESIDUAL_TOLERANCE * drt_rms + 5e-4:
        return (
            f"its RMS residual {100 * decomposition.rms:.2g} % exceeds the DRT's {100 * drt_rms:.2g} % "
            f"by more than {RESIDUAL_TOLERANCE:g}×"
        )
    if decomposition.at_bound:
        return f"{', '.join(decomposition.at_bound)} at the bound of its range"
    x = grid.log_tau
    h = grid.spacing
    for k, (peak, r) in enumerate(zip(decomposition.peaks, regions, strict=True), start=1):
        lo, hi = _half_width(gamma, r)
        if not x[lo] - h <= math.log(peak.tau) <= x[hi] + h:
            return f"the ZARC of peak {k} left its peak (τ = {peak.tau:.3g} s)"
        area = float(gamma[r.start : r.stop].sum() * h)
        if not area / AREA_FACTOR <= peak.resistance <= area * AREA_FACTOR:
            return (
                f"the ZARC of peak {k} holds {peak.resistance:.4g} Ω against {area:.4g} Ω under its "
                "region of γ"
            )
    total = float(gamma.sum() * h)
    held = sum(p.resistance for p in decomposition.peaks)
    nodes = np.zeros(gamma.size)
    for r in regions:
        nodes[r.start : r.stop] = h
    covered = float(nodes @ gamma)
    covered_sd = math.sqrt(max(float(nodes @ covariance @ nodes), 0.0))
    excess = held - covered  # more than the regions hold: taken from the series terms; less: may be noise
    if total > 0 and (excess > SUM_TOLERANCE * total or -excess > max(SUM_TOLERANCE * total, 2 * covered_sd)):
        return (
            f"its peaks hold {held:.4g} Ω against {covered:.4g} ± {covered_sd:.2g} Ω under their regions of γ "
            f"(∫γ = {total:.4g} Ω)"
        )
    return None
