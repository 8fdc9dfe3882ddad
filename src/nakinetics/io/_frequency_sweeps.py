"""Split a file's frequency column into its sweeps (several spectra written one after another).

Two kinds of boundary are recognised, both only where the frequencies are measured again:

* **reset** — one step against the sweep direction by more than a factor 2, after which the sweep goes on in
  its direction (1 MHz → 1 Hz, 1 MHz → 1 Hz: the frequency jumps back up);
* **reversal** — the sweep turns and runs back over frequencies it has already measured (1 MHz → 1 Hz →
  1 MHz in one run, as instruments with a "return sweep" write it): at least :data:`MIN_REPEATS` points of
  the return run are at frequencies already measured in this sweep (within 1 %), or, on a different grid, at
  least :data:`MIN_RETURN` return points lie inside the range already swept.  The turning frequency belongs
  to the first sweep; if it was measured twice in a row, the repeat starts the second.

A monotonic sweep is never split, and neither is a one- or two-point wiggle (a repeated or slightly
out-of-order frequency) nor a short excursion that does not go back over measured frequencies.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._typing import FloatArray

#: Return points at frequencies already measured (1 % tolerance) that make a reversal a second sweep.
MIN_REPEATS = 3
#: Return points inside the swept range that make a reversal a second sweep when the grids differ.
MIN_RETURN = 5
_RESET = float(np.log10(2.0))  # a jump back by more than a factor 2 (in decades)
_SAME = 1e-9  # decades: two frequencies this close are the same measurement frequency
_INSIDE = float(np.log10(1.01))  # 1 % tolerance when asking "inside the range already swept"


def _runs(steps: FloatArray) -> list[tuple[int, int, int]]:
    """Monotone runs as (first point, last point, direction ±1); repeated frequencies (zero steps) stay in the
    run they follow (or the run they precede, at the start)."""
    sign = np.where(np.abs(steps) > _SAME, np.sign(steps), 0).astype(int)
    nonzero = np.flatnonzero(sign)
    if nonzero.size == 0:
        return [(0, steps.size, 0)]
    changes = nonzero[1:][sign[nonzero[1:]] != sign[nonzero[:-1]]]  # step index where a new run starts
    starts = [0, *changes.tolist()]
    ends = [*changes.tolist(), steps.size]
    return [(a, b, int(sign[a:b][sign[a:b] != 0][0])) for a, b in zip(starts, ends, strict=True)]


def split_sweeps(frequency: FloatArray) -> list[slice]:
    """One slice per sweep of ``frequency`` (Hz, in file order); see the module docstring for the rules."""
    n = frequency.size
    if n < 3:
        return [slice(0, n)]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_f = np.log10(np.asarray(frequency, dtype=np.float64))
    steps = np.nan_to_num(np.diff(log_f), nan=0.0, posinf=0.0, neginf=0.0)
    runs = _runs(steps)
    direction = max(runs, key=lambda run: run[1] - run[0])[2]  # of the longest monotone run
    cuts, start = [0], 0
    for k, (a, b, d) in enumerate(runs):
        if d == direction or d == 0 or a < start:
            continue
        following = runs[k + 1][2] if k + 1 < len(runs) else direction
        moves = np.flatnonzero(np.abs(steps[a:b]) > _SAME)
        if moves.size == 1 and abs(steps[a + moves[0]]) > _RESET and following == direction:
            start = a + int(moves[0]) + 1  # reset: the point after the jump starts the next sweep
            cuts.append(start)
        elif _revisits(log_f[start : a + 1], log_f[a + 1 : b + 1]):
            cut = a + 1
            while cut - 1 > start and abs(log_f[cut - 1] - log_f[cut - 2]) <= _SAME:
                cut -= 1  # a turning frequency measured twice: the repeat starts the second sweep
            cuts.append(cut)
            start, direction = cut, d
    cuts.append(n)
    return [slice(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _revisits(swept: FloatArray, back: FloatArray) -> bool:
    """Whether the return run ``back`` goes over frequencies of ``swept`` (both log10 Hz) again."""
    measured = np.sort(swept[np.isfinite(swept)])
    back = back[np.isfinite(back)]
    if measured.size < 2 or back.size < MIN_REPEATS:
        return False
    inside = (back >= measured[0] - _INSIDE) & (back <= measured[-1] + _INSIDE)
    if np.count_nonzero(inside) >= MIN_RETURN:
        return True
    k = np.clip(np.searchsorted(measured, back), 1, measured.size - 1)
    nearest = np.minimum(np.abs(back - measured[k - 1]), np.abs(back - measured[k]))
    return int(np.count_nonzero(nearest <= _INSIDE)) >= MIN_REPEATS
