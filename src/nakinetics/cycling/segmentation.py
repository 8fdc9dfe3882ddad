"""Cutting a cycling record into steps: rest, constant current (CC), taper (constant voltage) and variable.

Vectorised: the record is first cut into *runs* wherever the sign of the current (rest = 0), the cycler's
step number, its control mode or (for a current known only from the protocol) the time grid changes; a
run whose (median-filtered) current stays within ``tol`` of its level is one CC step.  Only the few runs
that are not constant are examined one by one: a leading CC part, then either a new CC level (a current
step without reversal) or a decaying current (a taper / CV step), which ends the run.

A CC step of at least ``min_points`` points under current is a *half-cycle*.  A taper right after a CC
step of the same sign belongs to that half-cycle's charge (``taper_of``) but is never a half-cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter

from .._typing import FloatArray
from ..data import MODE_CV, MODE_REST

REST, CC, TAPER, VARIABLE = 0, 1, 2, 3
KIND_NAMES = {REST: "rest", CC: "constant current", TAPER: "taper (constant voltage)", VARIABLE: "variable"}

#: A current below this fraction of the record's 99th-percentile |I| is a rest (cycler zero offsets).
REST_FRACTION = 1e-3


@dataclass(frozen=True)
class Steps:
    """Steps of a record as parallel arrays (point indices are ``start`` ≤ k < ``stop``).

    kind : REST, CC, TAPER or VARIABLE per step; sign : −1, 0, +1 (sign of the current);
    level_a : mean |I| of the step (A); taper_of : for a TAPER step, the index of the CC step it follows
    (same sign, adjacent), else −1.
    """

    start: np.ndarray
    stop: np.ndarray
    kind: np.ndarray
    sign: np.ndarray
    level_a: FloatArray
    taper_of: np.ndarray

    def __len__(self) -> int:
        return int(self.start.size)

    def counts(self) -> dict[str, int]:
        """Number of steps of each kind, by name."""
        return {name: int(np.count_nonzero(self.kind == code)) for code, name in KIND_NAMES.items()}

    def describe(self) -> str:
        """``3 rest, 2 variable`` (the kinds present)."""
        return ", ".join(f"{n} {name}" for name, n in self.counts().items() if n) or "none"


def rest_threshold(current_a: FloatArray) -> float:
    """|I| (A) below which a point is at rest: :data:`REST_FRACTION` of the 99th percentile of |I|."""
    return float(np.percentile(np.abs(current_a), 99)) * REST_FRACTION


def _run_bounds(
    current_a: FloatArray, step: np.ndarray | None, mode: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, stops, sign per run): runs of constant current sign, step number and control mode."""
    threshold = rest_threshold(current_a)
    sign = np.sign(current_a).astype(np.int8)
    sign[np.abs(current_a) <= threshold] = 0
    if mode is not None:
        sign[mode == MODE_REST] = 0
    change = sign[1:] != sign[:-1]
    if step is not None:
        change |= step[1:] != step[:-1]
    if mode is not None:
        change |= mode[1:] != mode[:-1]
    starts = np.concatenate(([0], np.flatnonzero(change) + 1))
    stops = np.concatenate((starts[1:], [current_a.size]))
    return starts, stops, sign[starts]


def _split_run(level: FloatArray, start: int, tol: float, min_points: int) -> list[tuple[int, int, int]]:
    """(start, stop, kind) pieces of one non-constant run; ``level`` is its filtered |I|.

    A piece is a CC level when its current stays within ``tol`` of its first points and does not drift
    (the least-squares line through it changes by less than tol/2 over the piece: a taper drifts across
    the whole band).  Up to 10 % of the remaining points (at most 20) of a ramp into a level join it.  Once a
    piece is not a CC level, the rest of the run is a taper (decaying current) or variable.
    """
    pieces: list[tuple[int, int, int]] = []
    k, n = 0, level.size
    while k < n:
        ramp = 0  # leading points of a ramp into the level (cyclers that ramp the current) join the piece
        end = _cc_end(level, k, tol, min_points)
        while end is None and ramp < max(min_points, min(20, (n - k) // 10)) and k + ramp + 1 < n:
            ramp += 1
            end = _cc_end(level, k + ramp, tol, min_points)
        if end is not None:
            pieces.append((start + k, start + end, CC))
            k = end
            continue
        rest = level[k:]
        ref = float(np.median(rest[:min_points]))
        decaying = (
            rest.size >= min_points and rest[-1] < 0.7 * rest[0] and np.mean(np.diff(rest) <= tol * ref) > 0.8
        )
        pieces.append((start + k, start + n, TAPER if decaying else VARIABLE))
        break
    return pieces


def _cc_end(level: FloatArray, k: int, tol: float, min_points: int) -> int | None:
    """End of a constant-current level starting at ``k`` (see :func:`_split_run`), or ``None``."""
    ref = float(np.median(level[k : k + min_points]))
    off = np.flatnonzero(np.abs(level[k:] - ref) > tol * ref)
    end = level.size if off.size == 0 else k + int(off[0])
    piece = level[k:end]
    if piece.size < min_points:
        return None
    x = np.arange(piece.size) - 0.5 * (piece.size - 1)
    drift = abs(float(x @ (piece - piece.mean()) / float(x @ x))) * piece.size  # fitted change over the piece
    return end if drift <= 0.5 * tol * ref else None


def segment(
    current_a: FloatArray,
    *,
    step: np.ndarray | None = None,
    mode: np.ndarray | None = None,
    tol: float = 0.05,
    min_points: int = 3,
) -> Steps:
    """Cut a record into :class:`Steps` (see the module docstring).  ``current_a`` in A (any sign
    convention), ``step``/``mode`` as in :class:`~nakinetics.data.CyclingRecord`; ``tol`` is the relative
    tolerance of a constant current."""
    starts, stops, signs = _run_bounds(current_a, step, mode)
    level = median_filter(np.abs(current_a), size=5, mode="nearest")
    lo = np.minimum.reduceat(level, starts)
    hi = np.maximum.reduceat(level, starts)
    constant = (hi - lo) <= tol * hi
    out_start, out_stop, out_kind, out_sign = [], [], [], []
    cv = np.zeros(starts.size, dtype=bool) if mode is None else mode[starts] == MODE_CV
    for r in np.flatnonzero(~constant & (signs != 0) & ~cv):
        for a, b, kind in _split_run(level[starts[r] : stops[r]], int(starts[r]), tol, min_points):
            out_start.append(a)
            out_stop.append(b)
            out_kind.append(kind)
            out_sign.append(signs[r])
    simple = constant | (signs == 0) | cv
    kinds = np.where(signs == 0, REST, np.where(cv, TAPER, CC))[simple]
    start = np.concatenate((starts[simple], np.asarray(out_start, dtype=np.int64)))
    stop = np.concatenate((stops[simple], np.asarray(out_stop, dtype=np.int64)))
    kind = np.concatenate((kinds, np.asarray(out_kind, dtype=np.int64)))
    sign = np.concatenate((signs[simple], np.asarray(out_sign, dtype=np.int8)))
    order = np.argsort(start, kind="stable")
    start, stop, kind, sign = start[order], stop[order], kind[order], sign[order]
    short_cc = (kind == CC) & (stop - start < min_points)
    kind[short_cc] = VARIABLE
    sums = np.add.reduceat(np.abs(current_a), start)
    level_a = sums / (stop - start)
    taper_of = np.full(start.size, -1, dtype=np.int64)
    follows = np.flatnonzero((kind[1:] == TAPER) & (kind[:-1] == CC) & (sign[1:] == sign[:-1])) + 1
    taper_of[follows] = follows - 1
    return Steps(start, stop, kind, sign, level_a, taper_of)
