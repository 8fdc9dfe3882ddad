"""The signed current of a time–voltage record whose current is known only from the protocol.

The magnitude is the caller's set current.  Its sign per point:

* with the half-cycle duration T: the record is cut every T from its first point, each cut moved to the
  largest voltage step within ±15 % of T around where it is expected (a reversal, or the relaxation of a
  pause between segments), so that small pauses between segments do not accumulate; the sign of each
  segment is the sign of its median voltage;
* without T: the sign of the voltage itself, carried over through points closer to zero than
  max(0.5 mV, 10 % of the median |U|) (a dead band, so noise at a reversal does not flip it back).

Both rest on a symmetric (or Na | substrate) cell's voltage following the sign of its current.
"""

from __future__ import annotations

import numpy as np

from .._typing import FloatArray

SNAP_FRACTION = 0.15


def segment_bounds(time_s: FloatArray, potential_v: FloatArray, half_cycle_s: float) -> np.ndarray:
    """Point indices where each half-cycle starts (first is 0), snapped as described above."""
    n = time_s.size
    step = np.abs(np.diff(potential_v, prepend=potential_v[0]))
    bounds = [0]
    t_next = time_s[0] + half_cycle_s
    while t_next < time_s[-1] - SNAP_FRACTION * half_cycle_s:
        lo = int(np.searchsorted(time_s, t_next - SNAP_FRACTION * half_cycle_s, "left"))
        hi = int(np.searchsorted(time_s, t_next + SNAP_FRACTION * half_cycle_s, "right"))
        lo = max(lo, bounds[-1] + 1)
        if hi <= lo:
            k = min(int(np.searchsorted(time_s, t_next, "left")), n - 1)
        else:
            k = lo + int(np.argmax(step[lo:hi]))
        if k <= bounds[-1]:
            break
        bounds.append(k)
        t_next = time_s[k] + half_cycle_s
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
            f"point (each cut moved to the largest voltage step within ±{SNAP_FRACTION:.0%}); direction = "
            "sign of each half-cycle's median voltage (the voltage of a Na|Na or Na|substrate cell follows "
            "its current)"
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
