"""Profile-likelihood confidence intervals: for parameters the covariance cannot describe.

The covariance gives symmetric ±σ intervals from the curvature at the minimum; for a parameter that is
poorly determined (an arc at the edge of the window, a Warburg tail, a strongly correlated pair) the real
interval is asymmetric or open to one side.  The profile fixes the parameter at a value, refits every
other free parameter, and records χ².  The interval at confidence ``level`` holds the values whose
χ² stays below the F-test threshold (the criterion lmfit's ``conf_interval`` uses, one parameter):

    χ²(θ)/χ²_min − 1 ≤ F⁻¹(level; 1, N − k)/(N − k)

with N = 2 × points residuals and k free parameters.  Each side is bracketed by steps that double from
the standard error (in log θ for positive magnitudes) and the crossing is found by Brent's method, each
refit warm-started from the nearest solution.  A side that reaches the parameter's bound without crossing
is *open*: the data do not limit the parameter there.

``benchmarks/profile_benchmark.py`` compares these intervals and their cost with lmfit's
``conf_interval`` run on the same model and data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scipy.optimize import brentq
from scipy.stats import f as f_dist

from .exceptions import FitError
from .fitting import FitResult, fit_circuit


@dataclass(frozen=True)
class ProfileInterval:
    """The profile-likelihood interval of one parameter (same unit as the parameter).

    ``lower``/``upper`` are the interval ends; ``lower_open``/``upper_open`` say the profile reached the
    parameter's bound (``lower``/``upper`` is then that bound) without leaving the confidence region.
    ``covariance_interval`` is value ± √F⁻¹ · stderr, the symmetric interval the covariance implies at
    the same level (``None`` without a standard error).  ``better_minimum`` is set when a refit found a
    lower χ² than the fit itself (the fit was not at the global minimum).
    """

    name: str
    value: float
    unit: str
    level: float
    lower: float
    upper: float
    lower_open: bool
    upper_open: bool
    covariance_interval: tuple[float, float] | None
    n_fits: int
    better_minimum: bool = False

    @property
    def asymmetry(self) -> float:
        """(upper − value)/(value − lower): 1 for a symmetric interval."""
        below = self.value - self.lower
        return (self.upper - self.value) / below if below > 0 else math.inf

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "level": self.level,
            "lower": self.lower,
            "upper": self.upper,
            "lower_open": self.lower_open,
            "upper_open": self.upper_open,
            "covariance_interval": None
            if self.covariance_interval is None
            else list(self.covariance_interval),
            "n_fits": self.n_fits,
            "better_minimum": self.better_minimum,
        }


def chi2_threshold(result: FitResult, level: float) -> float:
    """χ² at the edge of the ``level`` confidence region of one parameter (F-test, as lmfit)."""
    n_free = 2 * result.statistics.n_points - result.statistics.n_varying
    return result.statistics.chisqr * (1.0 + float(f_dist.ppf(level, 1, n_free)) / n_free)


class _Profile:
    """χ² of ``result``'s model with one parameter held at a value and the others refitted."""

    def __init__(self, result: FitResult, name: str) -> None:
        self.result, self.name = result, name
        p = result.parameters[name]
        self.log = result.circuit.parameters[result.circuit.parameter_names.index(name)].spec.log_scale
        self.fixed = {n: q.value for n, q in result.parameters.items() if not q.vary and not q.expr}
        self.ties = {n: q.expr for n, q in result.parameters.items() if q.expr}
        self.bounds = {n: (q.min, q.max) for n, q in result.parameters.items() if q.vary and n != name}
        self.solutions: list[tuple[float, dict[str, float]]] = [(self.to_t(p.value), dict(result.values))]
        self.n_fits = 0
        self.best_chisqr = result.statistics.chisqr

    def to_t(self, value: float) -> float:
        return math.log(value) if self.log else value

    def to_value(self, t: float) -> float:
        return math.exp(t) if self.log else t

    def chisqr(self, t: float) -> float:
        """Refit with the parameter at ``to_value(t)``, warm-started from the nearest solution."""
        start = min(self.solutions, key=lambda s: abs(s[0] - t))[1]
        value = self.to_value(t)
        try:
            fit = fit_circuit(
                self.result.spectrum,
                self.result.circuit,
                weighting=self.result.weighting,
                fixed=self.fixed | {self.name: value},
                bounds=self.bounds,
                ties=self.ties,
                warm_start=start,
            )
        except FitError:
            return math.inf
        self.n_fits += 1
        self.solutions.append((t, fit.values))
        self.best_chisqr = min(self.best_chisqr, fit.statistics.chisqr)
        return fit.statistics.chisqr


def _side(profile: _Profile, t0: float, step: float, limit: float, target: float) -> tuple[float, bool]:
    """The crossing of χ² = target going from t0 towards ``limit`` (signed ``step``); (limit, True) when
    the profile stays below the target up to the bound."""
    inside, k = t0, 0
    while True:
        t = t0 + step * 2.0**k
        if (t - limit) * step >= 0:
            t = limit
        chi = profile.chisqr(t)
        if chi >= target:
            break
        if t == limit:
            return limit, True
        inside, k = t, k + 1
        if k > 40:
            return t, True
    crossing = brentq(
        lambda x: profile.chisqr(x) - target, inside, t, xtol=1e-3 * abs(step), rtol=1e-10, maxiter=30
    )
    return float(crossing), False


def profile_interval(result: FitResult, name: str, level: float = 0.95) -> ProfileInterval:
    """The profile-likelihood interval of parameter ``name`` (nakinetics or impedance.py name) of a fit
    at confidence ``level`` (0.683 ≈ 1σ, 0.95, 0.997 ≈ 3σ)."""
    name = result.circuit.require_name(name, "profile")
    p = result.parameters[name]
    if not p.vary:
        raise FitError(f"{name} is {'tied' if p.expr else 'fixed'}, not fitted: it has no profile")
    if not 0 < level < 1:
        raise FitError(f"level must be between 0 and 1 (e.g. 0.95), got {level}")
    profile = _Profile(result, name)
    target = chi2_threshold(result, level)
    t0 = profile.to_t(p.value)
    if profile.log:
        step = min(max(p.stderr / p.value, 1e-3), 1.0) if p.stderr else 0.1
    else:
        step = (
            min(max(p.stderr, 1e-4 * (p.max - p.min)), 0.25 * (p.max - p.min))
            if p.stderr
            else 0.02 * (p.max - p.min)
        )
    lo, lo_open = _side(profile, t0, -step, profile.to_t(p.min), target)
    hi, hi_open = _side(profile, t0, step, profile.to_t(p.max), target)
    half = math.sqrt(
        float(f_dist.ppf(level, 1, 2 * result.statistics.n_points - result.statistics.n_varying))
    )
    return ProfileInterval(
        name=name,
        value=p.value,
        unit=p.unit,
        level=level,
        lower=profile.to_value(lo),
        upper=profile.to_value(hi),
        lower_open=lo_open,
        upper_open=hi_open,
        covariance_interval=None
        if p.stderr is None
        else (p.value - half * p.stderr, p.value + half * p.stderr),
        n_fits=profile.n_fits,
        better_minimum=profile.best_chisqr < result.statistics.chisqr * (1 - 1e-9),
    )


def profile_intervals(
    result: FitResult, names: Iterable[str] | None = None, level: float = 0.95
) -> dict[str, ProfileInterval]:
    """:func:`profile_interval` for each of ``names`` (default: every fitted parameter)."""
    chosen = list(names) if names is not None else result.varying
    return {result.circuit.require_name(n, "profile"): profile_interval(result, n, level) for n in chosen}
