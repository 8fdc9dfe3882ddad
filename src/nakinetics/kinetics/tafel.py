"""Classical Tafel estimator: a straight line through log₁₀|i| against the kinetic voltage, in a window
chosen automatically — or "no Tafel region" with the reason.

Kinetic voltage x: the overpotential η = V − V₀ − i·R_Ω of a single interface, or for a symmetric cell
V_kin = V − V₀ − i·R_Ω (post-hoc correction with the measured current and the given R_Ω).

Rules (``notes/kinetics.md`` §1.3, §2, §5.1.6):

* windows start beyond the back-reaction threshold, where the neglected reverse reaction is < 1 % of
  the forward one: |η| > ln(100)·RT/((α_a+α_c)F) ≈ 118 mV per interface, twice that (≈ 237 mV) for a
  symmetric cell;
* a window must span at least one decade of current (McCafferty 2005);
* the local slope d log₁₀|i|/dx must be constant across the window (a plateau of the Tafel-slope plot,
  van der Heijden et al. 2024; Khadke et al. 2021): a quadratic fit may change the slope by at most
  10 % from one end to the other, and the data must be precise enough to tell;
* R² is reported for information only.

Among the acceptable windows the one spanning the most decades is reported, with the spread of i₀ and b
over all acceptable windows.  The intercept at x = 0 is i₀ (for a symmetric cell the high-voltage
intercept tends to i₀ as well); the slope gives α: α_a or α_c = ln10·RT/(F b) for a single interface and
α_a·α_c = (α_a + α_c)·ln10·RT/(F b_cell) for a symmetric cell, with α_a + α_c = n
(:func:`~.models.symmetric_tafel_slope_mv_per_decade`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import checked
from .._typing import FloatArray
from ..exceptions import DataError
from ..temperature import check_temperature_k
from .models import inverse_thermal_voltage

BACK_REACTION_FRACTION = 0.01
"""The Tafel region starts where the reverse reaction is below this fraction of the forward one."""
MIN_DECADES = 1.0
SLOPE_CHANGE_TOLERANCE = 0.10
"""Largest relative change of the local slope across an acceptable window."""
MIN_WINDOW_POINTS = 8
LOCAL_SLOPE_WIDTH_V = 0.03
"""Width of the sliding regression that gives the local Tafel slope b(x) for the Tafel-slope plot."""


@dataclass(frozen=True)
class TafelLine:
    """A straight line log₁₀|i| = A + S·|x| fitted in one window of one branch.

    ``x_range`` is signed (V), ``i0`` in the working current unit (10^A), slope b = 1/S in V/decade.
    """

    branch: str
    x_range: tuple[float, float]
    n_points: int
    slope_v_per_decade: float
    slope_stderr: float | None
    i0: float
    log10_i0_stderr: float | None
    decades: float
    r_squared: float
    slope_change: float
    slope_change_stderr: float
    potential_range_v: tuple[float, float] | None = None

    def alpha(self, temperature_k: float) -> float:
        """ln10·RT/(F b): the transfer coefficient of the branch read with the single-interface formula."""
        return math.log(10.0) / (inverse_thermal_voltage(temperature_k) * self.slope_v_per_decade)


@dataclass(frozen=True)
class TafelBranch:
    """Result for one branch: the chosen line or the reason there is none, and the local slope b(x)."""

    branch: str
    threshold_v: float
    line: TafelLine | None
    reason: str | None
    accepted: tuple[TafelLine, ...] = ()
    local_x: FloatArray = field(default_factory=lambda: np.zeros(0))
    local_slope_v_per_decade: FloatArray = field(default_factory=lambda: np.zeros(0))
    user_window: bool = False
    notes: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.line is not None


@dataclass(frozen=True)
class TafelResult:
    """Classical Tafel estimates for the anodic and cathodic branches."""

    cell: str
    temperature_k: float
    r_ohm: float
    v0: float
    branches: dict[str, TafelBranch]
    alpha_sum: float = 1.0
    r_ohm_source: str = "given"

    @property
    def found(self) -> bool:
        return any(b.found for b in self.branches.values())

    def alpha(self, line: TafelLine) -> float:
        """The transfer coefficient a line gives: α_a or α_c = ln10·RT/(F b) of one interface, or for a
        symmetric cell α_a·α_c = (α_a + α_c)·ln10·RT/(F b_cell) with α_a + α_c = ``alpha_sum``."""
        single = line.alpha(self.temperature_k)
        return self.alpha_sum * single if self.cell == "symmetric" else single

    def to_dict(
        self,
        current_factor: float = 1.0,
        current_unit: str = "mA cm^-2",
        resistance_unit: str = "Ohm cm^2",
    ) -> dict[str, Any]:
        """JSON-ready record; currents multiplied by ``current_factor`` into ``current_unit``; R_Ω (in the
        working unit, V per current unit) labelled ``resistance_unit``."""
        x_name = (
            "V_kin (cell voltage − V0 − i·R_ohm)" if self.cell == "symmetric" else "eta (V − V0 − i·R_ohm)"
        )
        out: dict[str, Any] = {
            "found": self.found,
            "x": x_name,
            "r_ohm_used": {"value": self.r_ohm, "unit": resistance_unit, "source": self.r_ohm_source},
            "v0_used": {"value": self.v0, "unit": "V"},
            "criteria": {
                "back_reaction_fraction": BACK_REACTION_FRACTION,
                "min_decades": MIN_DECADES,
                "max_slope_change": SLOPE_CHANGE_TOLERANCE,
            },
            "branches": {},
        }
        alpha_name = "alpha_product" if self.cell == "symmetric" else None
        for name, branch in self.branches.items():
            record: dict[str, Any] = {
                "found": branch.found,
                "threshold": {"value": branch.threshold_v, "unit": "V"},
                "window_source": "user" if branch.user_window else "automatic",
            }
            if branch.line is None:
                record["reason"] = branch.reason
            else:
                line = branch.line
                alpha = self.alpha(line)
                record.update(_line_dict(line, current_factor, current_unit))
                key = alpha_name or ("alpha_a" if name == "anodic" else "alpha_c")
                rel = (line.slope_stderr / line.slope_v_per_decade) if line.slope_stderr else None
                record[key] = {
                    "value": alpha,
                    "stderr": alpha * rel if rel is not None else None,
                    "unit": "1",
                    "convention": (
                        f"α_a·α_c = (α_a + α_c)·ln10·RT/(F·b) with α_a + α_c = {self.alpha_sum:g} "
                        "(symmetric cell: b = ln10·(RT/F)(1/α_a + 1/α_c))"
                        if alpha_name
                        else "ln10·RT/(F·b)"
                    ),
                }
                if branch.accepted:
                    i0s = [w.i0 * current_factor for w in branch.accepted]
                    slopes = [w.slope_v_per_decade * 1e3 for w in branch.accepted]
                    record["spread"] = {
                        "n_windows": len(branch.accepted),
                        "i0": {"min": min(i0s), "max": max(i0s), "unit": current_unit},
                        "tafel_slope": {"min": min(slopes), "max": max(slopes), "unit": "mV/dec"},
                    }
            if branch.notes:
                record["notes"] = list(branch.notes)
            out["branches"][name] = record
        return out


def _line_dict(line: TafelLine, factor: float, unit: str) -> dict[str, Any]:
    log_err = line.log10_i0_stderr
    i0 = line.i0 * factor
    return {
        "window": {"x_min": min(line.x_range), "x_max": max(line.x_range), "unit": "V"},
        "potential_window": (
            None
            if line.potential_range_v is None
            else {"v_min": min(line.potential_range_v), "v_max": max(line.potential_range_v), "unit": "V"}
        ),
        "n_points": line.n_points,
        "decades": line.decades,
        "tafel_slope": {
            "value": 1e3 * line.slope_v_per_decade,
            "stderr": None if line.slope_stderr is None else 1e3 * line.slope_stderr,
            "unit": "mV/dec",
        },
        "i0": {
            "value": i0,
            "stderr": None if log_err is None else i0 * math.log(10.0) * log_err,
            "unit": unit,
            "convention": "intercept of the Tafel line at x = 0",
        },
        "slope_change_across_window": {
            "value": line.slope_change,
            "stderr": line.slope_change_stderr,
            "unit": "1",
            "convention": "relative change of the local slope from one end of the window to the other "
            "(quadratic fit); acceptable when |value| and stderr are both within max_slope_change",
        },
        "r_squared": line.r_squared,
    }


@checked
def back_reaction_threshold(cell: str, temperature_k: float, alpha_sum: float = 1.0) -> float:
    """|x| beyond which the back reaction is < 1 %: ln(100)/((α_a+α_c) f), doubled for a symmetric cell (V)."""
    per_interface = math.log(1.0 / BACK_REACTION_FRACTION) / (
        alpha_sum * inverse_thermal_voltage(temperature_k)
    )
    return 2.0 * per_interface if cell == "symmetric" else per_interface


def _branch_points(
    x: FloatArray, current: FloatArray, sign: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    keep = (sign * x > 0) & (sign * current > 0)
    order = np.argsort(np.abs(x[keep]), kind="stable")
    index = np.flatnonzero(keep)[order]
    return np.abs(x[index]), np.log10(np.abs(current[index])), index


def local_tafel_slope(ax: FloatArray, y: FloatArray, width_v: float = LOCAL_SLOPE_WIDTH_V) -> FloatArray:
    """Local slope b(x) = dx/dlog₁₀|i| (V/decade) from a sliding linear regression over ``width_v``
    (``ax`` sorted ascending); NaN where fewer than 4 points or a non-positive slope."""
    n = ax.size
    if n == 0:
        return np.zeros(0)
    lo = np.searchsorted(ax, ax - width_v / 2, side="left")
    hi = np.searchsorted(ax, ax + width_v / 2, side="right")
    centre = ax - ax.mean()
    c = [np.concatenate([[0.0], np.cumsum(v)]) for v in (np.ones(n), centre, y, centre * centre, centre * y)]
    s0, sx, sy, sxx, sxy = (arr[hi] - arr[lo] for arr in c)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (s0 * sxy - sx * sy) / (s0 * sxx - sx * sx)
        b = 1.0 / slope
    return np.where((s0 >= 4) & (slope > 0), b, np.nan)


def _inverse_or_nan(mats: np.ndarray) -> np.ndarray:
    """Inverses of a stack of square matrices; NaN for the singular ones (a window whose points share one
    potential), which then never qualify."""
    out = np.full(mats.shape, np.nan)
    with np.errstate(all="ignore"):
        det = np.linalg.det(mats)
        good = np.isfinite(det) & (det != 0)
        if good.any():
            out[good] = np.linalg.inv(mats[good])
    return out


def _window_statistics(
    ax: FloatArray, y: FloatArray, starts: np.ndarray, ends: np.ndarray
) -> dict[str, FloatArray]:
    """Linear and quadratic least-squares fits of every window [starts[k], ends[k]] (inclusive), from
    cumulative sums of powers of a centred, scaled abscissa.  A window whose points share one potential
    has no line: its statistics are NaN and it never qualifies."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _window_fits(ax, y, starts, ends)


def _window_fits(
    ax: FloatArray, y: FloatArray, starts: np.ndarray, ends: np.ndarray
) -> dict[str, FloatArray]:
    mid, scale = 0.5 * (ax[0] + ax[-1]), max(0.5 * (ax[-1] - ax[0]), 1e-12)
    u = (ax - mid) / scale
    powers = [np.ones_like(u), u, u**2, u**3, u**4]
    cum = [np.concatenate([[0.0], np.cumsum(p)]) for p in powers]
    cum_y = [np.concatenate([[0.0], np.cumsum(p * y)]) for p in powers[:3]]
    cum_yy = np.concatenate([[0.0], np.cumsum(y * y)])
    hi = ends + 1
    s = [c[hi] - c[starts] for c in cum]
    t = [c[hi] - c[starts] for c in cum_y]
    syy = cum_yy[hi] - cum_yy[starts]
    n = s[0]
    # linear fit y = a + b u
    det = n * s[2] - s[1] ** 2
    b_lin = (n * t[1] - s[1] * t[0]) / det
    a_lin = (t[0] - b_lin * s[1]) / n
    sse_lin = np.maximum(syy - a_lin * t[0] - b_lin * t[1], 0.0)
    var_lin = sse_lin / np.maximum(n - 2, 1)
    sst = np.maximum(syy - t[0] ** 2 / n, 1e-300)
    # quadratic fit y = c0 + c1 u + c2 u²
    mats = np.stack(
        [
            np.stack([s[0], s[1], s[2]], -1),
            np.stack([s[1], s[2], s[3]], -1),
            np.stack([s[2], s[3], s[4]], -1),
        ],
        -2,
    )
    rhs = np.stack([t[0], t[1], t[2]], -1)
    inv = _inverse_or_nan(mats)
    coef = np.einsum("kij,kj->ki", inv, rhs)
    sse_q = np.maximum(syy - np.einsum("ki,ki->k", coef, rhs), 0.0)
    var_q = sse_q / np.maximum(n - 3, 1)
    u_a, u_b = u[starts], u[ends]
    slope_change = 2.0 * coef[:, 2] * (u_b - u_a) / b_lin
    change_err = 2.0 * np.sqrt(np.maximum(var_q * inv[:, 2, 2], 0.0)) * (u_b - u_a) / np.abs(b_lin)
    slope_x = b_lin / scale  # decades per volt
    slope_x_err = np.sqrt(var_lin * n / det) / scale
    # intercept at |x| = 0, i.e. u0 = −mid/scale
    u0 = -mid / scale
    intercept = a_lin + b_lin * u0
    intercept_var = var_lin * (s[2] - 2 * u0 * s[1] + u0 * u0 * n) / det
    return {
        "n": n,
        "slope": slope_x,
        "slope_err": slope_x_err,
        "intercept": intercept,
        "intercept_err": np.sqrt(np.maximum(intercept_var, 0.0)),
        "r2": 1.0 - sse_lin / sst,
        "change": slope_change,
        "change_err": change_err,
        "decades": slope_x * (ax[ends] - ax[starts]),
    }


def _line(
    branch: str,
    sign: float,
    ax: FloatArray,
    potential: FloatArray | None,
    stats: dict[str, FloatArray],
    k: int,
    start: int,
    end: int,
) -> TafelLine:
    slope = float(stats["slope"][k])
    potentials = None if potential is None else (float(potential[start]), float(potential[end]))
    return TafelLine(
        branch=branch,
        x_range=(sign * float(ax[start]), sign * float(ax[end])),
        n_points=int(stats["n"][k]),
        slope_v_per_decade=1.0 / slope,
        slope_stderr=float(stats["slope_err"][k]) / slope**2,
        i0=float(10.0 ** stats["intercept"][k]),
        log10_i0_stderr=float(stats["intercept_err"][k]),
        decades=float(stats["decades"][k]),
        r_squared=float(stats["r2"][k]),
        slope_change=float(stats["change"][k]),
        slope_change_stderr=float(stats["change_err"][k]),
        potential_range_v=potentials,
    )


def tafel_branch(
    x: FloatArray,
    current: FloatArray,
    branch: str,
    *,
    threshold_v: float,
    potential_v: FloatArray | None = None,
    window: tuple[float, float] | None = None,
    min_decades: float = MIN_DECADES,
    tolerance: float = SLOPE_CHANGE_TOLERANCE,
    max_anchors: int = 40,
) -> TafelBranch:
    """Tafel analysis of one branch (``"anodic"``: x, i > 0; ``"cathodic"``: x, i < 0).

    ``window`` = (|x|min, |x|max) in V fixes the window instead of choosing it (reported with notes when
    it breaks a rule).
    """
    sign = 1.0 if branch == "anodic" else -1.0
    ax, y, index = _branch_points(np.asarray(x, float), np.asarray(current, float), sign)
    pot = None if potential_v is None else np.asarray(potential_v, float)[index]
    local = local_tafel_slope(ax, y)
    common = {"local_x": sign * ax, "local_slope_v_per_decade": local}
    if ax.size < MIN_WINDOW_POINTS:
        return TafelBranch(
            branch, threshold_v, None, f"only {ax.size} points on the {branch} branch", **common
        )
    if window is not None:
        lo, hi = sorted(abs(v) for v in window)
        start, end = int(np.searchsorted(ax, lo, "left")), int(np.searchsorted(ax, hi, "right")) - 1
        if end - start + 1 < 3:
            return TafelBranch(
                branch,
                threshold_v,
                None,
                f"fewer than 3 points in the given window {lo:g}–{hi:g} V",
                user_window=True,
                **common,
            )
        stats = _window_statistics(ax, y, np.array([start]), np.array([end]))
        line = _line(branch, sign, ax, pot, stats, 0, start, end)
        notes = []
        if lo < threshold_v:
            notes.append(
                f"the window starts at {1e3 * lo:.0f} mV, below the back-reaction threshold "
                f"{1e3 * threshold_v:.0f} mV: i0 and b are biased"
            )
        if line.decades < min_decades:
            notes.append(f"the window spans {line.decades:.2f} decades (< {min_decades:g})")
        if abs(line.slope_change) > tolerance:
            notes.append(
                f"the local slope changes by {100 * abs(line.slope_change):.0f} % across the window "
                "(not a straight Tafel line)"
            )
        return TafelBranch(branch, threshold_v, line, None, user_window=True, notes=tuple(notes), **common)

    region = np.flatnonzero(ax >= threshold_v)
    if ax[-1] < threshold_v:
        reason = (
            f"the sweep reaches only {1e3 * ax[-1]:.0f} mV on the {branch} branch, below the back-reaction "
            f"threshold {1e3 * threshold_v:.0f} mV"
        )
        return TafelBranch(branch, threshold_v, None, reason, **common)
    if region.size < MIN_WINDOW_POINTS:
        return TafelBranch(
            branch,
            threshold_v,
            None,
            f"only {region.size} points beyond the back-reaction threshold {1e3 * threshold_v:.0f} mV",
            **common,
        )
    first = int(region[0])
    rx, ry = ax[first:], y[first:]
    span = float(ry[-1] - ry[0]) if ry.size else 0.0
    n_r = rx.size
    anchors = np.unique(np.linspace(0, n_r - 1, min(n_r, max_anchors)).round().astype(int))
    starts, ends = np.meshgrid(anchors, anchors, indexing="ij")
    keep = ends - starts + 1 >= MIN_WINDOW_POINTS
    starts, ends = starts[keep], ends[keep]
    stats = _window_statistics(rx, ry, starts, ends)
    positive = stats["slope"] > 0
    long_enough = positive & (stats["decades"] >= min_decades)
    if not long_enough.any():
        reason = (
            f"beyond the back-reaction threshold {1e3 * threshold_v:.0f} mV the current spans only "
            f"{max(span, 0.0):.2f} decades (< {min_decades:g})"
        )
        return TafelBranch(branch, threshold_v, None, reason, **common)
    straight = long_enough & (np.abs(stats["change"]) <= tolerance)
    precise = straight & (stats["change_err"] <= tolerance)
    if not precise.any():
        if straight.any():
            reason = (
                "the data are too noisy to show a constant local slope over ≥ 1 decade beyond the "
                f"threshold {1e3 * threshold_v:.0f} mV"
            )
        else:
            smallest = float(np.min(np.abs(stats["change"][long_enough])))
            reason = (
                f"no window spanning ≥ {min_decades:g} decade beyond {1e3 * threshold_v:.0f} mV has a constant "
                f"local slope: it changes by at least {100 * smallest:.0f} % across every such window "
                "(curvature from uncorrected iR, mass transport or Marcus kinetics)"
            )
        return TafelBranch(branch, threshold_v, None, reason, **common)
    accepted_idx = np.flatnonzero(precise)
    best = accepted_idx[
        np.lexsort((stats["intercept_err"][accepted_idx], -stats["decades"][accepted_idx]))[0]
    ]
    region_pot = None if pot is None else pot[first:]
    lines = tuple(
        _line(branch, sign, rx, region_pot, stats, int(k), int(starts[k]), int(ends[k])) for k in accepted_idx
    )
    chosen = _line(branch, sign, rx, region_pot, stats, int(best), int(starts[best]), int(ends[best]))
    return TafelBranch(branch, threshold_v, chosen, None, accepted=lines, **common)


@checked
def tafel_analysis(
    potential_v: FloatArray,
    current: FloatArray,
    *,
    cell: str,
    temperature_k: float,
    r_ohm: float = 0.0,
    v0: float = 0.0,
    alpha_sum: float = 1.0,
    window: tuple[float, float] | None = None,
    min_decades: float = MIN_DECADES,
    r_ohm_source: str = "given",
    any_temperature: bool = False,
) -> TafelResult:
    """Classical Tafel estimates from a sweep: x = V − V₀ − i·R_Ω, both branches.

    ``alpha_sum`` = α_a + α_c (n) sets the back-reaction threshold and, for a symmetric cell, turns the
    cell slope into α_a·α_c; ``window`` = (x_min, x_max) in V (signed, one branch) replaces the automatic
    choice on that branch; ``r_ohm_source`` says where R_Ω came from (reported with it).
    ``temperature_k`` must lie in 200–1200 K unless ``any_temperature``
    (:func:`~nakinetics.temperature.check_temperature_k`).
    """
    check_temperature_k(temperature_k, any_temperature=any_temperature)
    potential = np.asarray(potential_v, dtype=float)
    current = np.asarray(current, dtype=float)
    x = potential - v0 - r_ohm * current
    threshold = back_reaction_threshold(cell, temperature_k, alpha_sum)
    user_branch = None
    if window is not None:
        lo, hi = window
        if lo >= hi:
            raise DataError(f"Tafel window {lo:g}:{hi:g} V is empty (minimum must be below maximum)")
        if lo < 0 < hi:
            raise DataError(
                f"Tafel window {lo:g}:{hi:g} V crosses zero; give one branch (both ends > 0 or < 0)"
            )
        user_branch = "anodic" if lo >= 0 else "cathodic"
    branches = {
        name: tafel_branch(
            x,
            current,
            name,
            threshold_v=threshold,
            potential_v=potential,
            window=window if name == user_branch else None,
            min_decades=min_decades,
        )
        for name in ("anodic", "cathodic")
    }
    return TafelResult(
        cell=cell,
        temperature_k=temperature_k,
        r_ohm=r_ohm,
        v0=v0,
        branches=branches,
        alpha_sum=alpha_sum,
        r_ohm_source=r_ohm_source,
    )
