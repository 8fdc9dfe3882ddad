"""Critical current density of a stepped-current (staircase) record: J_c = I_c / S.

The record is a staircase when its half-cycles use at least three current-density levels (levels within
``LEVEL_TOLERANCE`` of each other are one) and the level never decreases in time.  The cell *fails* at the
first of (i) a short circuit (see :mod:`.shorts`), (ii) |U| reaching ``voltage_limit_v`` when given, or
(iii) a half-cycle cut short by a voltage limit: it ends before 90 % of the median duration of its level
with its largest |U| at the end.  Papers differ on which step they quote, so both are kept:

* ``"failing step"``: J_c is the current density of the step in which the cell failed;
* ``"last stable"``: J_c is the highest step completed without failure.

Without a failure the record gives only a lower bound (the highest step completed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._typing import FloatArray
from .overpotentials import HalfCycleArrays
from .shorts import ShortCircuit

LEVEL_TOLERANCE = 0.03
CCDConvention = Literal["failing step", "last stable"]
CCD_CONVENTIONS: tuple[str, ...] = ("failing step", "last stable")


@dataclass(frozen=True)
class CriticalCurrentDensity:
    """CCD of a staircase record (mA cm⁻²)."""

    value_ma_cm2: float | None
    convention: str
    failing_step_ma_cm2: float | None
    last_stable_ma_cm2: float | None
    failure_criterion: str
    failure_time_h: float | None
    levels_ma_cm2: list[float]
    cycles_per_level: list[float]
    lower_bound_ma_cm2: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value_ma_cm2": self.value_ma_cm2,
            "convention": self.convention,
            "failing_step_ma_cm2": self.failing_step_ma_cm2,
            "last_stable_ma_cm2": self.last_stable_ma_cm2,
            "lower_bound_ma_cm2": self.lower_bound_ma_cm2,
            "failure_criterion": self.failure_criterion,
            "failure_time_h": self.failure_time_h,
            "levels_ma_cm2": self.levels_ma_cm2,
            "cycles_per_level": self.cycles_per_level,
        }


def current_levels(j_abs: FloatArray) -> tuple[FloatArray, np.ndarray]:
    """(levels, level index of each half-cycle): |j| values grouped within :data:`LEVEL_TOLERANCE`."""
    order = np.argsort(j_abs)
    sorted_j = j_abs[order]
    new = np.concatenate(([True], np.diff(sorted_j) > LEVEL_TOLERANCE * sorted_j[1:]))
    group_sorted = np.cumsum(new) - 1
    group = np.empty_like(group_sorted)
    group[order] = group_sorted
    levels = np.array(
        [float(np.median(sorted_j[group_sorted == g])) for g in range(int(group_sorted[-1]) + 1)]
    )
    return levels, group


def is_staircase(group: np.ndarray, n_levels: int) -> bool:
    """At least three levels, never decreasing in time."""
    return n_levels >= 3 and bool(np.all(np.diff(group) >= 0))


def critical_current_density(
    hc: HalfCycleArrays,
    area_cm2: float,
    short: ShortCircuit | None,
    time_s: FloatArray,
    potential_v: FloatArray,
    *,
    convention: CCDConvention = "failing step",
    voltage_limit_v: float | None = None,
) -> CriticalCurrentDensity | None:
    """The CCD of a staircase record, or ``None`` when the record is not a staircase."""
    j_abs = hc.current_a / area_cm2 * 1e3
    if j_abs.size < 3:
        return None
    levels, group = current_levels(j_abs)
    if not is_staircase(group, levels.size):
        return None
    durations = hc.duration_s
    candidates: list[tuple[float, int, str]] = []  # (time s, half-cycle, criterion)
    if short is not None:
        candidates.append(
            (short.time_h * 3600, short.half_cycle, f"short circuit ({short.kind}): {short.evidence[0]}")
        )
    if voltage_limit_v is not None:
        over = np.flatnonzero(np.abs(potential_v[hc.start[0] : hc.stop[-1]]) >= voltage_limit_v)
        if over.size:
            k = int(over[0]) + int(hc.start[0])
            h = int(np.searchsorted(hc.start, k, "right") - 1)
            candidates.append((float(time_s[k]), h, f"|U| reached the voltage limit {voltage_limit_v:g} V"))
    for g in range(levels.size):
        members = np.flatnonzero(group == g)
        typical = float(np.median(durations[members]))
        cut = members[(durations[members] < 0.9 * typical) & (members < j_abs.size - 1)]
        ends_high = np.abs(hc.end_mv[cut]) >= 0.99 * np.maximum(hc.tip_mv[cut], np.abs(hc.end_mv[cut]))
        for h in cut[ends_high & (np.abs(hc.end_mv[cut]) > 3 * hc.plateau_mv[cut])]:
            candidates.append(
                (
                    float(hc.end_s[h]),
                    int(h),
                    "half-cycle cut short at a voltage limit (|U| rising to the end)",
                )
            )
            break
    counts = [float(np.count_nonzero(group == g)) / 2 for g in range(levels.size)]
    if not candidates:
        top = float(levels[group[-1]])
        return CriticalCurrentDensity(
            value_ma_cm2=None,
            convention=convention,
            failing_step_ma_cm2=None,
            last_stable_ma_cm2=top,
            failure_criterion="no failure in the record (short circuit, voltage limit or cut-short half-cycle)",
            failure_time_h=None,
            levels_ma_cm2=[float(x) for x in levels],
            cycles_per_level=counts,
            lower_bound_ma_cm2=top,
        )
    t_fail, h_fail, criterion = min(candidates)
    failing = float(levels[group[h_fail]])
    last_stable = float(levels[group[h_fail] - 1]) if group[h_fail] > 0 else None
    value = failing if convention == "failing step" else last_stable
    return CriticalCurrentDensity(
        value_ma_cm2=value,
        convention=convention,
        failing_step_ma_cm2=failing,
        last_stable_ma_cm2=last_stable,
        failure_criterion=criterion,
        failure_time_h=float(t_fail) / 3600,
        levels_ma_cm2=[float(x) for x in levels],
        cycles_per_level=counts,
    )
