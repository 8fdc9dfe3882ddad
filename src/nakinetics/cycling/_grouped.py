"""Vectorised statistics over many contiguous index ranges of one array (no Python loop per range)."""

from __future__ import annotations

import numpy as np

from .._typing import FloatArray


def range_indices(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point index, group number) of every point in the ranges ``first[g] <= k < stop[g]``."""
    lengths = np.maximum(stop - first, 0)
    total = int(lengths.sum())
    group = np.repeat(np.arange(first.size), lengths)
    offsets = np.cumsum(lengths) - lengths
    index = np.arange(total) - np.repeat(offsets, lengths) + np.repeat(first, lengths)
    return index, group


def grouped_quantiles(
    values: FloatArray, first: np.ndarray, stop: np.ndarray, quantiles: tuple[float, ...]
) -> FloatArray:
    """Quantiles (linear interpolation, as ``np.quantile``) of ``values[first[g]:stop[g]]`` for every
    group g; shape (groups, len(quantiles)); NaN for empty ranges."""
    index, group = range_indices(first, stop)
    lengths = np.maximum(stop - first, 0)
    out = np.full((first.size, len(quantiles)), np.nan)
    if index.size == 0:
        return out
    order = np.lexsort((values[index], group))
    ordered = values[index][order]
    offsets = np.cumsum(lengths) - lengths
    has = lengths > 0
    for c, q in enumerate(quantiles):
        pos = q * (lengths[has] - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, lengths[has] - 1)
        frac = pos - lo
        base = offsets[has]
        out[has, c] = ordered[base + lo] * (1 - frac) + ordered[base + hi] * frac
    return out


def grouped_argmax(values: FloatArray, first: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Index of the (first) maximum of ``values`` in each non-empty range; −1 for empty ranges."""
    out = np.full(first.size, -1, dtype=np.int64)
    has = stop > first
    if not has.any():
        return out
    index, group = range_indices(first[has], stop[has])
    seg_max = np.maximum.reduceat(values[index], np.cumsum(stop[has] - first[has]) - (stop[has] - first[has]))
    hit = values[index] == seg_max[group]
    hit_group, where = np.unique(group[hit], return_index=True)
    out_has = np.full(int(has.sum()), -1, dtype=np.int64)
    out_has[hit_group] = index[hit][where]
    out[has] = out_has
    return out
