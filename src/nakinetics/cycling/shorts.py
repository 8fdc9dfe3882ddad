"""Short-circuit detection in a plating/stripping record.

A drop in polarisation is a short only when it is not explained by the current: the tests work on the
apparent resistance R_app = |U| / |j| (Ω cm²), so a lower current density (a rate step) does not fire,
and rests are not half-cycles, so a rest does not fire either.

* **collapse** (the onset): the median-filtered |U| (5 points, which removes isolated spikes) falls below
  ``COLLAPSE`` × the expected polarisation R_ref·|j| and stays there for at least 3 points and 2 % of the
  half-cycle, where R_ref is the median R_app of the preceding ``REFERENCE_HALF_CYCLES`` half-cycles
  (from the fourth half-cycle on: three at least set the reference).
  The onset time is the midpoint between the last point above and the first point below the threshold;
  its uncertainty is half that interval (so a short during a rest or a data gap is as uncertain as the
  gap).
* **kind**: *hard* when |U| stays collapsed to the end of the record, smooth (interquartile range of
  |U|/|j| below half its median) and ohmic (U keeps the sign of the current; the short's resistance
  |U|/|j| is reported); *soft* when |U|/|j| is erratic after the onset (IQR ≥ half the median, or more
  than 1 % of points above 5 × the median) or recovers (a later half-cycle back above ``RECOVERY`` × R_ref).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import median_filter

from .._typing import FloatArray
from .overpotentials import HalfCycleArrays

COLLAPSE = 0.3
RECOVERY = 0.6
REFERENCE_HALF_CYCLES = 5
REFERENCE_MIN = 3  # no collapse is judged before three half-cycles have set the reference
SKIP_FRACTION = 0.1  # the first 10 % of a half-cycle (reversal transient) cannot start a collapse


@dataclass(frozen=True)
class ShortCircuit:
    """A detected short circuit (times in h from the start of the record's clock)."""

    time_h: float
    uncertainty_h: float
    kind: str  # "soft" or "hard"
    half_cycle: int  # index of the half-cycle in which the collapse was found
    evidence: list[str] = field(default_factory=list)
    level_mv: float | None = None  # median |U| after the onset
    resistance_ohm_cm2: float | None = None  # |U|/|j| after the onset (the short's ASR)
    recovered: bool = False
    recovered_at_h: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "time_h": self.time_h,
            "uncertainty_h": self.uncertainty_h,
            "kind": self.kind,
            "half_cycle": self.half_cycle,
            "level_mv": self.level_mv,
            "resistance_ohm_cm2": self.resistance_ohm_cm2,
            "recovered": self.recovered,
            "recovered_at_h": self.recovered_at_h,
            "evidence": list(self.evidence),
        }


def reference_resistance(r_app: FloatArray) -> FloatArray:
    """Median R_app of the preceding :data:`REFERENCE_HALF_CYCLES` half-cycles (NaN for the first
    :data:`REFERENCE_MIN`, whose predecessors are too few to set a reference)."""
    out = np.full(r_app.size, np.nan)
    for h in range(REFERENCE_MIN, r_app.size):  # cheap: one small median per half-cycle
        out[h] = np.nanmedian(r_app[max(0, h - REFERENCE_HALF_CYCLES) : h])
    return out


def _onset(
    time_s: FloatArray, abs_u_mv: FloatArray, smooth: FloatArray, hc: HalfCycleArrays, expected_mv: FloatArray
) -> tuple[int, int, int] | None:
    """(half-cycle, last healthy point, first collapsed point) of the first sustained collapse; only points
    under current count (a rest says nothing about a short)."""
    under_current = np.zeros(time_s.size, dtype=bool)
    for a, b in zip(hc.start, hc.stop, strict=True):
        under_current[a:b] = True
    for h in np.flatnonzero(np.isfinite(expected_mv)):
        a, b = int(hc.start[h]), int(hc.stop[h])
        first = a + int(np.ceil(SKIP_FRACTION * (b - a)))
        threshold = COLLAPSE * expected_mv[h]
        low = smooth[first:b] < threshold
        if not low.any():
            continue
        need = max(3, int(0.02 * (b - a)))
        runs = np.flatnonzero(np.diff(np.concatenate(([0], low.astype(np.int8), [0]))))
        starts, stops = runs[::2], runs[1::2]
        long_enough = np.flatnonzero(stops - starts >= need)
        if long_enough.size == 0:
            continue
        k = first + int(starts[long_enough[0]])
        healthy = np.flatnonzero(under_current[:k] & (smooth[:k] >= threshold))
        if healthy.size == 0:
            return int(h), max(k - 1, 0), k
        last_ok = int(healthy[-1])
        return int(h), last_ok, last_ok + 1 + int(np.argmax(under_current[last_ok + 1 : k + 1]))
    return None


def detect_short(
    time_s: FloatArray, potential_v: FloatArray, current_a: FloatArray, hc: HalfCycleArrays, area_cm2: float
) -> ShortCircuit | None:
    """The first short circuit in the record (see the module docstring), or ``None``."""
    if hc.start.size < 2:
        return None
    j = hc.current_a / area_cm2 * 1e3  # mA cm⁻²
    r_app = hc.plateau_mv / j
    r_ref = reference_resistance(r_app)
    abs_u = np.abs(potential_v) * 1e3
    smooth = median_filter(abs_u, size=5, mode="nearest")
    found = _onset(time_s, abs_u, smooth, hc, r_ref * j)
    if found is None:
        return None
    h, last_ok, first_low = found
    t_ok, t_low = time_s[last_ok], time_s[first_low]
    onset_s = 0.5 * (t_ok + t_low)
    uncertainty_s = max(
        0.5 * (t_low - t_ok), 0.5 * float(np.median(np.diff(time_s[hc.start[h] : hc.stop[h]])))
    )
    threshold_mv = COLLAPSE * r_ref[h] * j[h]
    evidence = [
        (
            f"collapse: |U| fell below {threshold_mv:.3g} mV ({COLLAPSE:.0%} of the {r_ref[h] * j[h]:.3g} mV "
            f"expected from R_app = {r_ref[h]:.3g} Ω cm² of the preceding half-cycles at "
            f"{j[h]:.3g} mA cm⁻²) at {onset_s / 3600:.4g} h, in half-cycle {h}"
        )
    ]
    # after the onset: under-current points only
    later = np.arange(h, hc.start.size)
    recovered_h = next((int(k) for k in later[1:] if r_app[k] >= RECOVERY * r_ref[h]), None)
    end_idx = int(hc.start[recovered_h]) if recovered_h is not None else int(hc.stop[-1])
    idx = np.concatenate(
        [np.arange(max(first_low, hc.start[k]), hc.stop[k]) for k in later if hc.start[k] < end_idx]
    )
    idx = idx[idx < end_idx]
    u_after = abs_u[idx]
    r_after = u_after / (np.abs(current_a[idx]) / area_cm2 * 1e3)  # Ω cm² per point: ohmic if constant
    level = float(np.median(u_after))
    r_short = float(np.median(r_after))
    r_iqr = float(np.subtract(*np.percentile(r_after, [75, 25])))
    iqr = float(np.subtract(*np.percentile(u_after, [75, 25])))
    spikes = int(np.count_nonzero(r_after > 5 * max(r_short, 1e-3)))
    same_sign = float(np.mean(np.sign(potential_v[idx]) == np.sign(current_a[idx])))
    erratic = r_iqr >= 0.5 * r_short or spikes > 0.01 * idx.size
    if recovered_h is not None:
        evidence.append(
            f"recovery: half-cycle {recovered_h} at {hc.start_s[recovered_h] / 3600:.4g} h is back to "
            f"R_app = {r_app[recovered_h]:.3g} Ω cm² (≥ {RECOVERY:.0%} of the reference)"
        )
    if erratic:
        evidence.append(
            f"noise: after the onset |U| = {level:.3g} mV median (interquartile range {iqr:.3g} mV), |U|/|j| "
            f"varies by {r_iqr / max(r_short, 1e-12):.0%} of its median with {spikes} spike(s) above 5× it "
            "(erratic, not ohmic)"
        )
    ohmic = not erratic and recovered_h is None and same_sign > 0.95
    if ohmic:
        evidence.append(
            f"ohmic: |U|/|j| stays at {r_short:.3g} Ω cm² (interquartile range {r_iqr:.3g} Ω cm²; |U| median "
            f"{level:.3g} mV; U follows the sign of I in {same_sign:.0%} of the points) to the end of the record"
        )
    kind = "hard" if ohmic else "soft"
    return ShortCircuit(
        time_h=onset_s / 3600,
        uncertainty_h=uncertainty_s / 3600,
        kind=kind,
        half_cycle=h,
        evidence=evidence,
        level_mv=level,
        resistance_ohm_cm2=r_short if kind == "hard" else None,
        recovered=recovered_h is not None,
        recovered_at_h=None if recovered_h is None else float(hc.start_s[recovered_h] / 3600),
    )
