"""Pure helpers on potential sweeps (:class:`~nakinetics.data.DCRecord`): monotonic segments, cycles and
the scan rate.

A *segment* is a run of the sweep in one potential direction.  Turning points are found with a
hysteresis rule: a reversal counts only once the potential has come back from its running extreme by more
than ``tolerance_v`` (default: the larger of 1 % of the potential span and 20 × the point-to-point noise),
so noise never splits a segment.  Points held at a vertex (within 3 × the noise of the extreme) stay with
the segment that ends there.  Every piece keeps the record's metadata (scan rate, area, technique, ...)
and gets ``extra["segment"]`` / ``extra["cycle"]`` and ``extra["sweep_direction"]`` (``"positive"``:
potential increasing, ``"negative"``: decreasing) with ``extra["forward"]`` (same direction as the
first segment).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np

from ._typing import FloatArray
from .data import DCRecord
from .exceptions import DataError

_NOT_SWEPT = ("CP", "CA", "OCV")


def potential_noise_v(potential_v: FloatArray) -> float:
    """Point-to-point noise of a potential record (V): robust σ from the second differences
    (for white noise var(Δ²E) = 6σ²; a linear or staircase sweep contributes nothing)."""
    d2 = np.diff(np.asarray(potential_v, dtype=np.float64), 2)
    if d2.size == 0:
        return 0.0
    mad = float(np.median(np.abs(d2 - np.median(d2))))
    return 1.4826 * mad / np.sqrt(6.0)


def _tolerance(potential: FloatArray, tolerance_v: float | None) -> tuple[float, float]:
    """(reversal threshold, vertex-hold tolerance) in V."""
    noise = potential_noise_v(potential)
    if tolerance_v is None:
        tolerance_v = max(0.01 * float(np.ptp(potential)), 20.0 * noise)
    elif not tolerance_v > 0:
        raise DataError(f"tolerance_v={tolerance_v!r}; expected a potential step > 0 V")
    return tolerance_v, min(3.0 * noise, 0.5 * tolerance_v)


def _vertices(potential: FloatArray, tolerance: float, hold: float) -> list[int]:
    """Indices of the turning points (the last point of each segment but the final one)."""
    vertices: list[int] = []
    direction = 0
    extreme_value, extreme_index = potential[0], 0
    for k in range(1, potential.size):
        e = potential[k]
        if direction == 0:
            if abs(e - potential[0]) > tolerance:
                direction = 1 if e > potential[0] else -1
                extreme_value, extreme_index = e, k
            continue
        if direction * (e - extreme_value) >= -hold:
            if direction * (e - extreme_value) > 0:
                extreme_value = e
            extreme_index = k
        elif direction * (extreme_value - e) > tolerance:
            vertices.append(extreme_index)
            direction = -direction
            segment = potential[extreme_index + 1 : k + 1]
            best = int(np.argmax(direction * segment))
            extreme_value, extreme_index = segment[best], extreme_index + 1 + best
    return vertices


def _bounds(record: DCRecord, tolerance_v: float | None) -> tuple[list[tuple[int, int]], float]:
    """(start, stop) of every segment and the reversal threshold used (V)."""
    if record.metadata.technique in _NOT_SWEPT:
        raise DataError(
            f"{record.label}: technique {record.metadata.technique} is not a potential sweep; "
            "segments need a swept potential"
        )
    potential = record.potential_v
    if potential.size < 2 or np.ptp(potential) == 0:
        return [(0, potential.size)], 0.0
    tolerance, hold = _tolerance(potential, tolerance_v)
    cuts = [0, *(v + 1 for v in _vertices(potential, tolerance, hold)), potential.size]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a], tolerance


def _tagged(record: DCRecord, index: Any, **items: Any) -> DCRecord:
    piece = record.subset(index)
    extra = {**record.metadata.extra, **items}
    return dataclasses.replace(piece, metadata=dataclasses.replace(record.metadata, extra=extra))


def _direction(potential: FloatArray) -> str:
    return "positive" if potential[-1] >= potential[0] else "negative"


def split_segments(record: DCRecord, *, tolerance_v: float | None = None) -> list[DCRecord]:
    """The monotonic potential segments of a sweep, in order (forward, backward, forward, ...).

    ``tolerance_v`` (V) is how far the potential must come back from a vertex to count as a reversal
    (default in the module docstring).  Raises :class:`DataError` for records that are not sweeps
    (technique CP, CA, OCV).
    """
    bounds, _ = _bounds(record, tolerance_v)
    first = _direction(record.potential_v[bounds[0][0] : bounds[0][1]])
    pieces = []
    for k, (a, b) in enumerate(bounds):
        direction = _direction(record.potential_v[a:b])
        pieces.append(
            _tagged(record, slice(a, b), segment=k, sweep_direction=direction, forward=direction == first)
        )
    return pieces


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
    bounds, tolerance = _bounds(record, tolerance_v)
    potential = record.potential_v
    start = potential[0]
    sign = 1.0 if _direction(potential[bounds[0][0] : bounds[0][1]]) == "positive" else -1.0
    cuts = [0]
    for a, b in bounds[2::2]:
        beyond = sign * (potential[a:b] - start)
        if beyond.max() > tolerance:  # a sweep that only returns to the start (Ef = Ei) opens no cycle
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
        raise DataError(f"{record.label}: no scan rate in the file and no time column to estimate it from")
    slopes, weights = [], []
    for a, b in _bounds(record, tolerance_v)[0]:
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
