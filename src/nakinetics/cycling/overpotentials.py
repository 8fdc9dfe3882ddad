"""Per-half-cycle numbers, vectorised over all half-cycles: times, current density, capacity, the plateau
overpotential with its spread, the nucleation overpotential and the end-of-step voltage.

Definitions (every half-cycle is one constant-current step of duration D starting at t0):

* plateau window: the middle half, t0 + D/4 ≤ t ≤ t0 + 3D/4 (at least three points, the ones nearest
  the middle when sampling is coarser);
* plateau overpotential η_p: the median of |U| over the plateau window (mV); spread: its 25th and 75th
  percentiles; the signed median of U is kept for the hysteresis;
* nucleation overpotential η_n: the tip of the voltage spike at the start, max |U| over t0 ≤ t < t0 + D/4,
  minus η_p — reported only when the start has the nucleation shape, a peak that relaxes to the plateau:
  the tip exceeds η_p by more than max(0.5 mV, 5 σ) (σ: point-to-point noise of the plateau, from the
  median |ΔU| / 0.954), comes before the last 10 % (at least 3 points) of the quarter, and the median |U|
  over those last points is back within 25 % of the rise above η_p.  A start within the noise, a steady
  rise, and a steady fall (a tilted plateau: a straight line is still 50 % above η_p a quarter in) or a
  slow transient that has not relaxed by D/4 are no spike (:data:`NUCLEATION_REASONS` says which);
* end-of-step value: U at the last point of the step (mV, signed);
* capacity: ∫|I| dt over the step / area (mAh cm⁻²); the last point is credited with the step's mean
  sampling interval, not with a gap to the next step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._typing import FloatArray
from ._grouped import grouped_argmax, grouped_quantiles

#: Fraction of the half-cycle before the plateau window (and after it, from the end).
WINDOW_EDGE = 0.25
#: A nucleation spike must rise this far (mV) above the plateau at least, and 5 σ of its noise.
MIN_SPIKE_MV = 0.5
SPIKE_SIGMAS = 5.0
#: By the end of the first quarter the spike must have relaxed to this fraction of its rise.
RELAXED_FRACTION = 0.25
#: Points needed in the first quarter to see a spike: its tip, then the last 3 points it relaxes to.
MIN_LEAD_POINTS = 4

SPIKE, FEW_POINTS, NO_PEAK, NOT_RELAXED = 0, 1, 2, 3
NUCLEATION_REASONS = {
    FEW_POINTS: f"fewer than {MIN_LEAD_POINTS} points before the plateau window: the start is not resolved",
    NO_PEAK: "no spike: the start stays within {threshold:.3g} mV (max(0.5 mV, 5σ noise)) of the plateau",
    NOT_RELAXED: "no nucleation shape: |U| has not relaxed to the plateau by the end of the first quarter "
    "(a steady fall, a slow transient or a rise, not a spike)",
}
"""Why a half-cycle has no nucleation overpotential (code in :attr:`HalfCycleArrays.spike_reason`)."""


@dataclass(frozen=True)
class HalfCycleArrays:
    """One entry per half-cycle (parallel arrays; times in s, voltages in mV, charge in A s)."""

    start: np.ndarray  # first point index
    stop: np.ndarray  # one past the last point
    sign: np.ndarray  # sign of the current: +1 anodic at the working electrode, −1 cathodic
    start_s: FloatArray
    end_s: FloatArray
    current_a: FloatArray  # mean |I|
    charge_as: FloatArray  # ∫|I| dt of the CC step
    plateau_mv: FloatArray  # median |U| in the window
    q25_mv: FloatArray
    q75_mv: FloatArray
    plateau_signed_mv: FloatArray  # median U (signed)
    window_points: np.ndarray
    noise_mv: FloatArray
    tip_mv: FloatArray  # max |U| in the leading quarter
    tip_s: FloatArray  # time of the tip after t0
    tip_index: np.ndarray
    spike: np.ndarray  # bool: the leading maximum is a spike (see module docstring)
    spike_reason: np.ndarray  # SPIKE or the code of NUCLEATION_REASONS
    spike_threshold_mv: FloatArray  # max(0.5 mV, 5σ)
    end_mv: FloatArray  # signed U at the last point

    @property
    def duration_s(self) -> FloatArray:
        return self.end_s - self.start_s

    @property
    def nucleation_mv(self) -> FloatArray:
        """Tip minus plateau where there is a spike, NaN elsewhere."""
        return np.where(self.spike, self.tip_mv - self.plateau_mv, np.nan)


def step_charge(
    time_s: FloatArray, current_a: FloatArray, start: np.ndarray, stop: np.ndarray
) -> tuple[FloatArray, FloatArray]:
    """(∫|I| dt in A s, end time in s) of each step [start, stop); the last point of a step is credited
    with the step's mean sampling interval (or the time to the next point if shorter)."""
    n = time_s.size
    dt = np.diff(time_s, append=time_s[-1])
    npts = stop - start
    span = time_s[stop - 1] - time_s[start]
    mean_dt = np.where(npts > 1, span / np.maximum(npts - 1, 1), 0.0)
    last = stop - 1
    to_next = np.where(stop < n, time_s[np.minimum(stop, n - 1)] - time_s[last], mean_dt)
    last_dt = np.minimum(to_next, mean_dt) if mean_dt.size else mean_dt
    dt_step = dt.copy()
    dt_step[last] = last_dt
    weighted = np.abs(current_a) * dt_step
    cumulative = np.concatenate(([0.0], np.cumsum(weighted)))
    return cumulative[stop] - cumulative[start], time_s[last] + last_dt


def half_cycle_arrays(
    time_s: FloatArray,
    potential_v: FloatArray,
    current_a: FloatArray,
    start: np.ndarray,
    stop: np.ndarray,
    level_a: FloatArray,
) -> HalfCycleArrays:
    """Compute :class:`HalfCycleArrays` for the CC steps [start, stop) of mean |I| ``level_a`` (see the
    module docstring)."""
    u_mv = potential_v * 1e3
    abs_u = np.abs(u_mv)
    sign = np.sign(current_a[start]).astype(np.int8)
    charge, end_s = step_charge(time_s, current_a, start, stop)
    start_s = time_s[start]
    duration = end_s - start_s
    w0 = np.searchsorted(time_s, start_s + WINDOW_EDGE * duration, "left")
    w1 = np.searchsorted(time_s, end_s - WINDOW_EDGE * duration, "right")
    w0, w1 = np.clip(w0, start, stop), np.clip(w1, start, stop)
    few = (w1 - w0) < 3
    middle = (start + stop) // 2
    w0 = np.where(few, np.maximum(start, middle - 1), w0)
    w1 = np.where(few, np.minimum(stop, middle + 2), w1)
    q = grouped_quantiles(abs_u, w0, w1, (0.25, 0.5, 0.75))
    signed = grouped_quantiles(u_mv, w0, w1, (0.5,))[:, 0]
    du = np.abs(np.diff(u_mv, append=u_mv[-1]))
    noise = grouped_quantiles(du, w0, np.maximum(w1 - 1, w0), (0.5,))[:, 0] / 0.954
    lead_stop = np.maximum(w0, np.minimum(start + 1, stop))
    tip = grouped_argmax(abs_u, start, lead_stop)
    tip_mv = abs_u[tip]
    plateau = q[:, 1]
    threshold = np.maximum(MIN_SPIKE_MV, SPIKE_SIGMAS * np.nan_to_num(noise))
    rise = tip_mv - plateau
    tail0 = np.maximum(start, lead_stop - np.maximum(3, (lead_stop - start) // 10))
    tail = grouped_quantiles(abs_u, tail0, lead_stop, (0.5,))[:, 0]
    relaxed = (tip < tail0) & (tail - plateau < RELAXED_FRACTION * rise)
    reason = np.where(
        lead_stop - start < MIN_LEAD_POINTS,
        FEW_POINTS,
        np.where(rise <= threshold, NO_PEAK, np.where(relaxed, SPIKE, NOT_RELAXED)),
    ).astype(np.int8)
    spike = reason == SPIKE
    return HalfCycleArrays(
        start=start,
        stop=stop,
        sign=sign,
        start_s=start_s,
        end_s=end_s,
        current_a=level_a,
        charge_as=charge,
        plateau_mv=plateau,
        q25_mv=q[:, 0],
        q75_mv=q[:, 2],
        plateau_signed_mv=signed,
        window_points=w1 - w0,
        noise_mv=noise,
        tip_mv=tip_mv,
        tip_s=time_s[tip] - start_s,
        tip_index=tip,
        spike=spike,
        spike_reason=reason,
        spike_threshold_mv=threshold,
        end_mv=u_mv[stop - 1],
    )
