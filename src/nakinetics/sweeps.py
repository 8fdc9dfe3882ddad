"""Pure helpers on potential sweeps (:class:`~nakinetics.data.DCRecord`): monotonic segments, cycles,
vertex holds and the scan rate.

A *segment* is a run of the sweep in one potential direction.  Turning points are found with a
hysteresis rule: a reversal counts only once the potential has come back from its running extreme by more
than ``tolerance_v`` (default: the larger of 1 % of the potential span and 20 × the point-to-point noise),
so noise never splits a segment.  One- and two-point glitches (spikes beyond the threshold and 3 typical
steps from the median of the 5 points around them) are ignored when looking for turning points.

Points held at a vertex stay with the segment that ends there: the points within the *hold window* of the
extreme (the largest of 3 × the noise, 3 × the noise near that vertex where it is more than twice the
record's, and a quarter of the typical nonzero potential step, capped at half the reversal threshold), and
a hold that follows an overshoot (a run of points within the window of one level, longer than the sweep
would stay there) up to its end.  The step floor matters for constant-step or ADC-quantised sweeps, whose
noise estimate is 0.
:func:`hold_mask` marks these held points (and holds before the first / after the last sweep).

Every piece keeps the record's metadata (scan rate, area, technique, ...) and gets ``extra["segment"]`` /
``extra["cycle"]`` and ``extra["sweep_direction"]`` (``"positive"``: potential increasing, ``"negative"``:
decreasing) with ``extra["forward"]`` (same direction as the first segment).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

import numpy as np

from ._typing import FloatArray
from .data import DCRecord
from .exceptions import DataError

_NOT_SWEPT = ("CP", "CA", "OCV")
_RESOLUTION_V = 1e-9  # potential steps at or below this are "no step" (float rounding of exact values)
_PROGRESS_SPAN = 10  # points over which the typical sweep progress per point is measured
_MIN_NOISE_POINTS = 12  # nonzero second differences needed to estimate the noise near a vertex


def potential_noise_v(potential_v: FloatArray) -> float:
    """Point-to-point noise of a potential record (V): robust σ from the second differences
    (for white noise var(Δ²E) = 6σ²; a linear or staircase sweep contributes nothing).

    A sweep whose potential steps are mostly exact (constant step, ADC-quantised) gives 0 here even when
    part of it (a hold) is noisy; the segment rules floor their windows for that case."""
    return _sigma(np.diff(np.asarray(potential_v, dtype=np.float64), 2))


def _sigma(d2: FloatArray) -> float:
    """Robust σ of white noise from its second differences (MAD; var(Δ²E) = 6σ²)."""
    if d2.size == 0:
        return 0.0
    mad = float(np.median(np.abs(d2 - np.median(d2))))
    return 1.4826 * mad / np.sqrt(6.0)


def _vertex_noise(
    potential: FloatArray, start: int, peak: int, confirm: int, direction: int, tolerance: float
) -> float:
    """Noise σ (V) near a vertex: over the points within the reversal threshold of the extreme on both
    sides, from the second differences that are not exactly zero (exact steps of the sweep would hide a
    noisy hold); 0 when fewer than 12 are left (the kinks of a vertex, an overshoot and its settling
    give up to about 6, which are not noise)."""
    outside = np.flatnonzero(direction * (potential[start : peak + 1] - potential[peak]) < -tolerance)
    first = start + (int(outside[-1]) + 1 if outside.size else 0)
    d2 = np.diff(potential[first : confirm + 1], 2)
    d2 = d2[np.abs(d2) > _RESOLUTION_V]
    return _sigma(d2) if d2.size >= _MIN_NOISE_POINTS else 0.0


@dataclasses.dataclass(frozen=True)
class _Scale:
    """Potential scales of one record: reversal threshold, noise σ and typical nonzero step (V); typical
    sweep progress (V per point, 0 when the record hardly moves)."""

    tolerance: float
    noise: float
    step: float
    progress: float

    @property
    def floor(self) -> float:
        """Smallest hold window: a quarter of the typical nonzero step (V)."""
        return 0.25 * self.step

    def window(self, local_noise: float = 0.0) -> float:
        """Hold window (V): max(3σ, 3σ near the vertex, a quarter of the typical step), ≤ half the
        threshold."""
        return min(max(3.0 * max(self.noise, local_noise), self.floor), 0.5 * self.tolerance)

    def min_hold(self, window: float) -> int:
        """Fewest points of a hold: 3 × what a steady sweep spends within a band of ±``window``."""
        if self.progress <= 0:
            return 5
        return max(5, math.ceil(3.0 * (2.0 * window / self.progress + 1.0)))


def _scale(potential: FloatArray, tolerance_v: float | None) -> _Scale:
    noise = potential_noise_v(potential)
    if tolerance_v is None:
        tolerance_v = max(0.01 * float(np.ptp(potential)), 20.0 * noise)
    elif not tolerance_v > 0:
        raise DataError(f"tolerance_v={tolerance_v!r}; expected a potential step > 0 V")
    steps = np.abs(np.diff(potential))
    moving = steps[steps > _RESOLUTION_V]
    step = float(np.median(moving)) if moving.size else 0.0
    span = min(_PROGRESS_SPAN, potential.size - 1)
    progress = float(np.percentile(np.abs(potential[span:] - potential[:-span]), 75)) / span
    return _Scale(float(tolerance_v), noise, step, progress)


def _despiked(potential: FloatArray, scale: _Scale) -> FloatArray:
    """The potential with one- and two-point glitches replaced by the median of the 5 points around
    them: a point counts as a glitch when it lies beyond the reversal threshold and 3 typical steps
    from that median (a vertex lies about one step from it, so even a coarse sweep keeps its vertices)."""
    if potential.size < 5:
        return potential
    window = np.lib.stride_tricks.sliding_window_view(np.pad(potential, 2, mode="reflect"), 5)
    median = np.median(window, axis=1)
    glitch = np.abs(potential - median) > max(scale.tolerance, 3.0 * scale.step)
    return np.where(glitch, median, potential)


def _plateaus(values: FloatArray, window: float, min_points: int) -> list[tuple[int, int]]:
    """(first, last) index of the runs of ≥ ``min_points`` consecutive values spanning ≤ 2 × ``window``
    (greedy, left to right), each trimmed to its points within ``window`` of the run's median."""
    runs = []
    first, low, high = 0, values[0], values[0]
    for j in range(1, values.size + 1):
        if j < values.size:
            low_j, high_j = min(low, values[j]), max(high, values[j])
            if high_j - low_j <= 2.0 * window:
                low, high = low_j, high_j
                continue
        if j - first >= min_points:
            run = values[first:j]
            inside = np.flatnonzero(np.abs(run - np.median(run)) <= window)
            runs.append((first + int(inside[0]), first + int(inside[-1])))
        if j < values.size:
            first, low, high = j, values[j], values[j]
    return runs


@dataclasses.dataclass(frozen=True)
class _Vertex:
    cut: int  # last point of the segment that ends at this vertex
    hold: tuple[int, int] | None  # first and last held point, if the potential was held there


def _vertex(
    potential: FloatArray, start: int, peak: int, confirm: int, direction: int, scale: _Scale
) -> _Vertex:
    """Where the segment ending at extreme ``peak`` stops, given that point ``confirm`` (beyond the
    threshold) belongs to the next one; ``start`` is the segment's first point."""
    # the noise near the vertex counts where it clearly exceeds the record's (a noisy hold on a sweep of
    # exact steps, whose record noise is 0); from a few points it is too uncertain to count otherwise
    local = _vertex_noise(potential, start, peak, confirm, direction, scale.tolerance)
    window = scale.window(local if local > 2.0 * scale.noise else 0.0)
    region = potential[peak:confirm]
    cut = peak + int(np.flatnonzero(direction * (region - potential[peak]) >= -window)[-1])
    min_points = scale.min_hold(window)
    plateaus = _plateaus(region, window, min_points)
    if plateaus:  # a hold after an overshoot (or a noisy hold) stays with this segment up to its end
        cut = max(cut, peak + plateaus[-1][1])
    level = float(np.median(potential[peak : cut + 1]))
    first = start + int(np.flatnonzero(direction * (potential[start : peak + 1] - level) >= -window)[0])
    return _Vertex(cut, (first, cut) if cut - first + 1 >= min_points else None)


def _vertices(potential: FloatArray, scale: _Scale) -> tuple[list[_Vertex], int]:
    """The turning points and the direction of the first segment (+1, −1; 0 when the potential never
    leaves the threshold band around its first value)."""
    vertices: list[_Vertex] = []
    first_direction = direction = 0
    start = peak = 0
    for k in range(1, potential.size):
        e = potential[k]
        if direction == 0:
            if abs(e - potential[0]) > scale.tolerance:
                first_direction = direction = 1 if e > potential[0] else -1
                peak = k
            continue
        if direction * (e - potential[peak]) > 0:
            peak = k
        elif direction * (potential[peak] - e) > scale.tolerance:
            vertex = _vertex(potential, start, peak, k, direction, scale)
            vertices.append(vertex)
            direction, start = -direction, vertex.cut + 1
            peak = start + int(np.argmax(direction * potential[start : k + 1]))
    return vertices, first_direction


@dataclasses.dataclass(frozen=True)
class _Sweep:
    bounds: list[tuple[int, int]]  # (start, stop) of every segment
    directions: list[int]  # +1 / −1 per segment
    holds: list[tuple[int, int]]  # (first, last) held point at each vertex with a hold
    scale: _Scale


def _sweep(record: DCRecord, tolerance_v: float | None) -> _Sweep:
    """Segments, their directions and the vertex holds of a swept record."""
    if record.metadata.technique in _NOT_SWEPT:
        raise DataError(
            f"{record.label}: technique {record.metadata.technique} is not a potential sweep; "
            "segments need a swept potential"
        )
    potential = record.potential_v
    if potential.size < 2 or np.ptp(potential) == 0:
        return _Sweep([(0, potential.size)], [1], [], _Scale(0.0, 0.0, 0.0, 0.0))
    scale = _scale(potential, tolerance_v)
    vertices, first = _vertices(_despiked(potential, scale), scale)
    if first == 0:  # never left the threshold band: the direction of the net drift (halves' means)
        half = potential.size // 2
        first = 1 if np.mean(potential[potential.size - half :]) >= np.mean(potential[:half]) else -1
    cuts = [0, *(v.cut + 1 for v in vertices), potential.size]
    bounds = list(itertools.pairwise(cuts))
    directions = [first * (-1) ** k for k in range(len(bounds))]
    return _Sweep(bounds, directions, [v.hold for v in vertices if v.hold is not None], scale)


def _tagged(record: DCRecord, index: Any, **items: Any) -> DCRecord:
    piece = record.subset(index)
    extra = {**record.metadata.extra, **items}
    return dataclasses.replace(piece, metadata=dataclasses.replace(record.metadata, extra=extra))


def _name(direction: int) -> str:
    return "positive" if direction > 0 else "negative"


def split_segments(record: DCRecord, *, tolerance_v: float | None = None) -> list[DCRecord]:
    """The monotonic potential segments of a sweep, in order (forward, backward, forward, ...).

    ``tolerance_v`` (V) is how far the potential must come back from a vertex to count as a reversal
    (default in the module docstring).  A segment's direction is the one the sweep had between its
    turning points (so a held or glitchy end does not decide it).  Raises :class:`DataError` for records
    that are not sweeps (technique CP, CA, OCV).
    """
    sweep = _sweep(record, tolerance_v)
    first = sweep.directions[0]
    return [
        _tagged(
            record,
            slice(a, b),
            segment=k,
            sweep_direction=_name(direction),
            forward=direction == first,
        )
        for k, ((a, b), direction) in enumerate(zip(sweep.bounds, sweep.directions, strict=True))
    ]


def hold_mask(record: DCRecord, *, tolerance_v: float | None = None) -> np.ndarray:
    """Boolean mask of the points where the potential is held rather than swept: at a vertex (a dwell
    at the turning potential, overshoot settling included, longer than the sweep would stay within the
    hold window there), and a hold before the first or after the last sweep.

    Same rules and ``tolerance_v`` as :func:`split_segments` (module docstring); a record that never
    turns has only the end holds.  Raises :class:`DataError` for records that are not sweeps.
    """
    sweep = _sweep(record, tolerance_v)
    mask = np.zeros(len(record), dtype=bool)
    for first, last in sweep.holds:
        mask[first : last + 1] = True
    potential = record.potential_v
    if sweep.scale.tolerance == 0:  # a flat record is one hold
        mask[:] = potential.size > 1
        return mask
    window = sweep.scale.window()
    min_points = sweep.scale.min_hold(window)
    (a, b), (c, d) = sweep.bounds[0], sweep.bounds[-1]
    head = _plateaus(potential[a:b], window, min_points)
    if head and head[0][0] == 0:
        mask[a : a + head[0][1] + 1] = True
    tail = _plateaus(potential[c:d][::-1], window, min_points)
    if tail and tail[0][0] == 0:
        mask[d - 1 - tail[0][1] : d] = True
    return mask


def cycles(record: DCRecord, *, tolerance_v: float | None = None) -> list[DCRecord]:
    """The cycles of a sweep, in order.

    From the file's cycle numbers when the record has them (contiguous runs of one number); otherwise a
    new cycle starts where a sweep in the initial direction passes the starting potential again (and goes
    on beyond it) after a full excursion — EC-Lab's rule: a CV that starts at a vertex gives segment
    pairs; one that starts between the vertices is cut where the start potential is crossed.
    """
    if record.cycle is not None:
        changes = np.flatnonzero(np.diff(record.cycle) != 0) + 1
        cuts = [0, *changes.tolist(), len(record)]
        return [
            _tagged(record, slice(a, b), cycle=int(record.cycle[a]))
            for a, b in itertools.pairwise(cuts)
            if b > a
        ]
    sweep = _sweep(record, tolerance_v)
    potential = record.potential_v
    start = potential[0]
    sign = float(sweep.directions[0])
    cuts = [0]
    for a, b in sweep.bounds[2::2]:
        beyond = sign * (potential[a:b] - start)
        if beyond.max() > sweep.scale.tolerance:  # a sweep that only returns to Ei (Ef = Ei) opens no cycle
            cuts.append(a + int(np.flatnonzero(beyond >= 0)[0]))
    cuts.append(len(record))
    return [
        _tagged(record, slice(a, b), cycle=k) for k, (a, b) in enumerate(itertools.pairwise(cuts)) if b > a
    ]


def scan_rate_v_s(record: DCRecord, *, from_time: bool = False, tolerance_v: float | None = None) -> float:
    """Sweep rate in V s⁻¹ (positive): the file's value, or (``from_time=True`` or when the file does
    not say) estimated from the time column.

    Estimate: in every segment, the slope of E(t) fitted over the middle 80 % of the segment's potential
    range (vertex holds and start-up transients excluded); the segments' |slopes| are averaged weighted
    by their duration.  Raises :class:`DataError` when the record has no time column or no segment
    with enough points.
    """
    if not from_time and record.metadata.scan_rate_v_s is not None:
        return float(record.metadata.scan_rate_v_s)
    if record.time_s is None:
        told = (
            "from_time=True asks for an estimate from E(t) but"
            if from_time
            else "no scan rate in the file and"
        )
        raise DataError(f"{record.label}: {told} there is no time column to estimate the scan rate from")
    slopes, weights = [], []
    for a, b in _sweep(record, tolerance_v).bounds:
        e, t = record.potential_v[a:b], record.time_s[a:b]
        low, high = np.min(e), np.max(e)
        middle = (e >= low + 0.1 * (high - low)) & (e <= high - 0.1 * (high - low))
        if np.count_nonzero(middle) < 3 or np.ptp(t[middle]) <= 0:
            continue
        slope = np.polyfit(t[middle], e[middle], 1)[0]
        slopes.append(abs(float(slope)))
        weights.append(float(np.ptp(t[middle])))
    if not slopes:
        raise DataError(
            f"{record.label}: no sweep segment with at least 3 timed points to estimate the scan rate"
        )
    return float(np.average(slopes, weights=weights))
