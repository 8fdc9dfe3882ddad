"""Checks that let a re-run continue a series on disk: same settings, same spectrum times."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .runner import Key, SeriesItem
from .table import Row


def settings_differences(stored: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """``"name: stored → now"`` for every setting that differs (missing keys count as ``None``)."""
    out = []
    for name in sorted(set(stored) | set(now)):
        before, after = stored.get(name), now.get(name)
        if before != after:
            out.append(f"{name}: {before!r} → {after!r}")
    return out


def time_mismatches(
    items: Iterable[SeriesItem], done: Mapping[Key, Row], tolerance_s: float = 1e-3
) -> list[str]:
    """Finished spectra whose time on the axis of this run differs from the stored one."""
    out = []
    for item in items:
        row = done.get(item.key)
        if row is None or item.time is None or row.get("time_s") is None:
            continue
        stored = float(row["time_s"])
        if abs(stored - item.time.time_s) > tolerance_s:
            out.append(f"{item.label}: stored {stored:.6g} s, now {item.time.time_s:.6g} s")
    return out
