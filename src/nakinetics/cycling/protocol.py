"""The signed current of a time–voltage record whose current is known only from the protocol.

The magnitude is the caller's set current.  Its sign per point:

* with the half-cycle duration T: the record is cut every T from its first point, each cut moved to the
  largest voltage step within ±15 % of T around where it is expected, so that small pauses between
  segments do not accumulate.  Only a reversal (the voltage changes sign) or a relaxation (|U| falls, as
  after a pause) can start a segment — a spike up in |U| (the noise of a soft short) cannot.  A second pass
  repeats this with the period learned from the first (the median spacing of its cuts, T plus any pause)
  and a window of ±5 robust standard deviations of those spacings (at least ±1.5 sampling intervals),
  keeping the wide window's cut only where the narrow one finds no step half as large (a longer pause):
  a noise dip away from the period does not win over the real start.  The sign of each segment is the sign of its median voltage;
* without T: the sign of the voltage itself, carried over through points closer to zero than
  max(0.5 mV, 10 % of the median |U|) (a dead band, so noise at a reversal does not flip it back).

Both rest on a symmetric (or Na | substrate) cell's voltage following the sign of its current: the cell
convention is assumed, not read.  :func:`protocol_checks` says so and tests what it can — a plateau
|U| above :data:`MAX_PLAUSIBLE_MV` (no Na plating/stripping overpotential; a full cell or an electrode vs
Na, or mV read as V), a given current whose sign disagrees with the voltage of the first half-cycle, and
a current density or DC ASR η_p/|j| outside :data:`PLAUSIBLE_J_MA_CM2` / :data:`PLAUSIBLE_ASR_OHM_CM2`
(the current's unit, or the area).
"""

from __future__ import annotations

import numpy as np

from .._typing import FloatArray
from .overpotentials import HalfCycleArrays

SNAP_FRACTION = 0.15
#: Half-width of the second pass's window: this many robust standard deviations of the first pass's
#: spacings, and at least this many (90th-percentile) sampling intervals.
NARROW_SPREADS = 5.0
NARROW_SAMPLES = 1.5


def _start_score(potential_v: FloatArray) -> FloatArray:
    """How strongly each point looks like the start of a segment (V): where the voltage changes sign from
    the point before, the whole swing from the level before (the median of the three points before);
    elsewhere the fall of |U| from that level (the fall back from a one-point spike is no start);
    negative where |U| rises."""
    padded = np.concatenate((np.repeat(potential_v[:1], 3), potential_v))
    before = np.median(np.lib.stride_tricks.sliding_window_view(padded, 3)[:-1], axis=1)
    previous = np.concatenate((potential_v[:1], potential_v[:-1]))
    reversal = np.sign(previous) != np.sign(potential_v)
    return np.where(reversal, np.abs(before - potential_v), np.abs(before) - np.abs(potential_v))


def _best_in(
    time_s: FloatArray, score: FloatArray, t_lo: float, t_hi: float, after: int
) -> tuple[int, float]:
    """(index, score) of the best segment start with t_lo ≤ t ≤ t_hi and index > ``after``; (-1, -inf)
    when the window holds no point."""
    lo = max(int(np.searchsorted(time_s, t_lo, "left")), after + 1)
    hi = int(np.searchsorted(time_s, t_hi, "right"))
    if hi <= lo:
        return -1, -np.inf
    k = lo + int(np.argmax(score[lo:hi]))
    return k, float(score[k])


def _snap(
    time_s: FloatArray, score: FloatArray, period_s: float, wide_s: float, narrow_s: float | None
) -> list[int]:
    """Cuts every ``period_s`` from the first point, each snapped as in the module docstring."""
    n = time_s.size
    bounds = [0]
    t_next = time_s[0] + period_s
    while t_next < time_s[-1] - wide_s:
        k, best = _best_in(time_s, score, t_next - wide_s, t_next + wide_s, bounds[-1])
        if narrow_s is not None:
            near, near_best = _best_in(time_s, score, t_next - narrow_s, t_next + narrow_s, bounds[-1])
            if near >= 0 and near_best >= 0.5 * best:
                k = near
        if k < 0:
            k = min(int(np.searchsorted(time_s, t_next, "left")), n - 1)
        if k <= bounds[-1]:
            break
        bounds.append(k)
        t_next = time_s[k] + period_s
    return bounds


def segment_bounds(time_s: FloatArray, potential_v: FloatArray, half_cycle_s: float) -> np.ndarray:
    """Point indices where each half-cycle starts (first is 0), snapped as described above."""
    score = _start_score(potential_v)
    wide = SNAP_FRACTION * half_cycle_s
    bounds = _snap(time_s, score, half_cycle_s, wide, None)
    if len(bounds) >= 3:
        spacing = np.diff(time_s[bounds])
        period = float(np.median(spacing))
        spread = 1.4826 * float(np.median(np.abs(spacing - period)))
        narrow = max(NARROW_SPREADS * spread, NARROW_SAMPLES * float(np.percentile(np.diff(time_s), 90)))
        if narrow < wide:
            bounds = _snap(time_s, score, period, wide, narrow)
    return np.asarray(bounds, dtype=np.int64)


def current_from_protocol(
    time_s: FloatArray, potential_v: FloatArray, current_a: float, half_cycle_s: float | None
) -> tuple[FloatArray, str]:
    """(signed current in A, the rule used as text) — see the module docstring."""
    magnitude = abs(current_a)
    if half_cycle_s is not None:
        bounds = segment_bounds(time_s, potential_v, half_cycle_s)
        sizes = np.diff(np.concatenate((bounds, [time_s.size])))
        medians = np.array([np.median(potential_v[a : a + m]) for a, m in zip(bounds, sizes, strict=True)])
        signs = np.where(medians >= 0, 1.0, -1.0)
        rule = (
            f"current ±{magnitude:g} A from the protocol; half-cycles every {half_cycle_s:g} s from the first "
            f"point (each cut moved to the largest fall of |U| or reversal within ±{SNAP_FRACTION:.0%}, then "
            "again within the period learned from the cuts); direction = sign of each half-cycle's median "
            "voltage (the voltage of a Na|Na or Na|substrate cell follows its current)"
        )
        return np.repeat(signs * magnitude, sizes), rule
    u = potential_v
    band = max(5e-4, 0.1 * float(np.median(np.abs(u))))
    valid = np.abs(u) > band
    index = np.where(valid, np.arange(u.size), 0)
    np.maximum.accumulate(index, out=index)
    first = int(np.argmax(valid)) if valid.any() else 0
    index[:first] = first
    sign = np.where(u[index] >= 0, 1.0, -1.0)
    rule = (
        f"current ±{magnitude:g} A from the protocol; direction = sign of the voltage (dead band "
        f"{band * 1e3:.3g} mV; the voltage of a Na|Na or Na|substrate cell follows its current)"
    )
    return sign * magnitude, rule


CONVENTION_ASSUMED = (
    "assumed, not read: the file has no current, so each half-cycle's direction is the sign of its voltage "
    "(a Na|Na or Na|substrate cell's voltage follows its current, positive lead = working electrode)"
)
#: A plateau |U| above this (mV) is no plating/stripping overpotential.
MAX_PLAUSIBLE_MV = 1000.0
#: Current density (mA cm⁻²) and DC ASR η_p/|j| (Ω cm²) outside these ranges point at the given current's
#: unit (or the area): plating/stripping tests run at 0.01–50 mA cm⁻² and show 1–10⁴ Ω cm².
PLAUSIBLE_J_MA_CM2 = (1e-3, 100.0)
PLAUSIBLE_ASR_OHM_CM2 = (0.1, 1e5)


def protocol_checks(given_current_a: float, arrays: HalfCycleArrays, area_cm2: float) -> list[str]:
    """Warnings on a time–voltage record analysed with a current from the protocol (see the module
    docstring); ``given_current_a`` is the caller's current, sign included (A)."""
    out = []
    eta = float(np.median(arrays.plateau_mv))
    if eta > MAX_PLAUSIBLE_MV:
        out.append(
            f"the plateau |U| is {eta:.4g} mV (median): no Na plating/stripping overpotential (mV to a few "
            "hundred mV) — a full cell or an electrode against Na, whose voltage sign does not give the "
            "current's direction, or a voltage in mV read as V; the overpotentials are not meaningful"
        )
    first = float(arrays.plateau_signed_mv[0])
    # a positive current is usually the magnitude; a negative one, or a record of one direction, has a sign
    explicit = given_current_a < 0 or bool(np.all(arrays.plateau_signed_mv < 0))
    if explicit and first != 0 and np.sign(first) != np.sign(given_current_a):
        out.append(
            f"the given current is {given_current_a * 1e3:+.4g} mA but the first half-cycle's voltage is "
            f"{first:+.4g} mV: the direction follows the voltage (convention {CONVENTION_ASSUMED.split(':')[0]}); "
            "check the sign of --current (current_a), or the cell was connected the other way round"
        )
    j = abs(given_current_a) / area_cm2 * 1e3
    asr = eta / j
    (j_low, j_high), (low, high) = PLAUSIBLE_J_MA_CM2, PLAUSIBLE_ASR_OHM_CM2
    if eta <= MAX_PLAUSIBLE_MV and not (j_low <= j <= j_high and low <= asr <= high):
        out.append(
            f"|j| = {j:.4g} mA cm⁻² and the DC ASR η_p/|j| = {eta:.4g} mV / {j:.4g} mA cm⁻² = {asr:.4g} Ω cm² "
            f"(plausible: {j_low:g}–{j_high:g} mA cm⁻², {low:g}–{high:g} Ω cm²): check the unit of --current "
            "(current_a in A: 0.4mA, not 0.4) and the area — every current density, capacity and ASR scales "
            "with them"
        )
    return out
