"""Window-free fit of a kinetic law to a whole sweep, with parameter uncertainties.

Model (:mod:`.solver`): i = I(x) + C·dV/dt with x + R_Ω·(I + C·dV/dt) + E(I) = V − V₀, solved exactly at
every point; the Jacobian follows from implicit differentiation, ∂i/∂θ = ∂I/∂θ / (1 + Φ'·I').

Residuals are variance-stabilised currents (:mod:`.noise`): log-space at large |i|, linear near zero.
The noise model is estimated from the data (a first fit, the residual spread in bins of |i|, a second
fit: feasible generalised least squares) unless given.

R_Ω enters as a parameter.  Given with a standard error it carries a Gaussian prior — one more residual
(R_Ω − R̂)/σ_R — so the fit may refine it where the sweep says more than the EIS value, and the covariance
(Laplace approximation of the posterior) carries σ_R into i₀, α and λ.  Given without an error it is
held fixed; not given at all it is fitted from the sweep's curvature alone (weakly determined).

Several starting points are tried briefly and the best is run to convergence (``multi-start``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import OptimizeWarning, least_squares

from .._checks import checked
from .._typing import FloatArray
from ..exceptions import DataError, FitError
from .laws import CURRENT, Law, LawParameter
from .noise import NoiseModel, estimate_noise, initial_noise
from .solver import solve_kinetic_voltage

RESISTANCE = "resistance"
"""Unit marker: V per working current unit (Ω cm² with an area, Ω without)."""
CAPACITANCE = "capacitance"
"""Unit marker: working current unit × s/V (F cm⁻² with an area, F without)."""


@dataclass(frozen=True)
class KineticParameter:
    """A fitted or fixed parameter in natural units (``unit`` may be a marker: CURRENT, RESISTANCE,
    CAPACITANCE, converted for output by the caller)."""

    name: str
    value: float
    stderr: float | None
    unit: str
    vary: bool
    lower: float
    upper: float
    description: str
    prior: tuple[float, float] | None = None
    log: bool = False

    def bound_hit(self) -> str | None:
        """``"lower"``/``"upper"`` when a varied parameter ends on a bound (within 1e-7 of the span in its
        fitting coordinate: ln p for log parameters), else ``None``."""
        if not self.vary:
            return None
        if self.log:
            lo, hi, v = math.log(self.lower), math.log(self.upper), math.log(self.value)
        else:
            lo, hi, v = self.lower, self.upper, self.value
        tolerance = 1e-7 * (hi - lo)
        if v - lo <= tolerance:
            return "lower"
        if hi - v <= tolerance:
            return "upper"
        return None

    @property
    def at_bound(self) -> bool:
        return self.bound_hit() is not None


@dataclass(frozen=True)
class _Spec(LawParameter):
    """A law parameter as this fit uses it: whether it varies, its start (or fixed) value, and an
    optional Gaussian prior (mean, σ)."""

    vary: bool
    value: float
    prior: tuple[float, float] | None = None


@dataclass(frozen=True)
class SweepFit:
    """Outcome of :func:`fit_sweep` (immutable)."""

    law: Law
    parameters: Mapping[str, KineticParameter]
    covariance: FloatArray | None
    varying: tuple[str, ...]
    noise: NoiseModel
    potential_v: FloatArray
    current: FloatArray
    dvdt: FloatArray | None
    model_current: FloatArray
    kinetic_voltage: FloatArray
    chisqr: float
    prior_chisqr: float
    success: bool
    message: str
    nfev: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def values(self) -> dict[str, float]:
        return {name: p.value for name, p in self.parameters.items()}

    @property
    def n_points(self) -> int:
        return int(self.current.size)

    @property
    def n_varying(self) -> int:
        return len(self.varying)

    @property
    def aic(self) -> float:
        """−2 ln L + 2k with the (common) noise model: χ²_data + χ²_prior + 2k."""
        return self.chisqr + self.prior_chisqr + 2.0 * self.n_varying

    @property
    def bic(self) -> float:
        """χ²_data + χ²_prior + k ln n."""
        return self.chisqr + self.prior_chisqr + self.n_varying * math.log(self.n_points)

    @property
    def redchi(self) -> float:
        return self.chisqr / max(self.n_points - self.n_varying, 1)

    def residuals(self) -> FloatArray:
        """Normalised residuals y(i_model) − y(i_data) (unit variance under the noise model)."""
        return self.noise.transform(self.model_current) - self.noise.transform(self.current)

    def rms_log_current(self) -> float | None:
        """RMS of ln|i_model| − ln|i_data| over points well above the noise crossover (dimensionless);
        ``None`` when no point lies above 3× the crossover (the whole sweep is in the noise: see
        :meth:`rms_log_current_note`)."""
        keep = np.abs(self.current) > 3.0 * self.noise.crossover
        if not keep.any():
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            diff = np.log(np.abs(self.model_current[keep])) - np.log(np.abs(self.current[keep]))
        diff = diff[np.isfinite(diff)]
        return float(np.sqrt(np.mean(diff * diff))) if diff.size else None

    def rms_log_current_note(self) -> str | None:
        """Why :meth:`rms_log_current` is ``None`` (or ``None`` when it has a value)."""
        if self.rms_log_current() is not None:
            return None
        return (
            f"rms(ln i) not defined: no point has |i| above 3× the noise crossover ({self.noise.crossover:.3g}), "
            "or the model current is zero there"
        )

    def correlation(self, first: str, second: str) -> float | None:
        """Correlation coefficient of two varied parameters, or ``None``."""
        if self.covariance is None or first not in self.varying or second not in self.varying:
            return None
        a, b = self.varying.index(first), self.varying.index(second)
        denom = math.sqrt(self.covariance[a, a] * self.covariance[b, b])
        return float(self.covariance[a, b] / denom) if denom > 0 else None

    def predict(
        self, potential_v: FloatArray, dvdt: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Model current and kinetic voltage at ``potential_v`` (V) with sweep rate ``dvdt`` (V s⁻¹)."""
        values = self.values
        law_theta = np.array([values[n] for n in self.law.names])
        current, x, *_ = _forward(self.law, law_theta, values, np.asarray(potential_v, dtype=float), dvdt)
        return current, x


def _forward(
    law: Law,
    theta: FloatArray,
    values: Mapping[str, float],
    potential: FloatArray,
    dvdt: FloatArray | None,
    start: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Total current, kinetic voltage, faradaic current, ∂I/∂x, ∂E/∂i and capacitive current."""
    r_ohm = values.get("r_ohm", 0.0)
    v0 = values.get("v0", 0.0)
    cap = values.get("capacitance", 0.0)
    i_cap = cap * dvdt if dvdt is not None else np.zeros_like(potential)
    w = potential - v0 - r_ohm * i_cap

    def current(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        return law.current(x, theta)

    def series(i: FloatArray) -> tuple[FloatArray, FloatArray]:
        extra, slope = law.series(i, theta)
        return r_ohm * i + extra, r_ohm + slope

    x = w if r_ohm == 0.0 and not law.has_series else solve_kinetic_voltage(w, current, series, start=start)
    faradaic, slope = law.current(x, theta)
    _, series_slope = law.series(faradaic, theta)
    return faradaic + i_cap, x, faradaic, slope, series_slope, i_cap


class _Problem:
    """Residuals and Jacobian in internal coordinates (ln p for log parameters)."""

    def __init__(
        self,
        law: Law,
        specs: Sequence[_Spec],
        potential: FloatArray,
        current: FloatArray,
        dvdt: FloatArray | None,
        noise: NoiseModel,
    ) -> None:
        self.law = law
        self.specs = list(specs)
        self.free = [s for s in self.specs if s.vary]
        self.potential, self.current, self.dvdt = potential, current, dvdt
        self.set_noise(noise)
        self.log = np.array([s.log for s in self.free], dtype=bool)
        lower = np.array([s.lower for s in self.free])
        upper = np.array([s.upper for s in self.free])
        empty = [f"{s.name} ({s.lower:g}–{s.upper:g})" for s in self.free if not s.lower < s.upper]
        if empty:
            raise DataError(
                f"the sweep leaves no range to fit {', '.join(empty)}: it covers too few distinct potentials"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            self.lower = np.where(self.log, np.log(lower), lower)
            self.upper = np.where(self.log, np.log(upper), upper)
        self.priors = [(k, s.prior) for k, s in enumerate(self.free) if s.prior is not None]
        self._cache: tuple[bytes, FloatArray, FloatArray] | None = None
        self._x_last: FloatArray | None = None

    def set_noise(self, noise: NoiseModel) -> None:
        self.noise = noise
        self.target = noise.transform(self.current)
        self._cache = None

    def values(self, u: FloatArray) -> dict[str, float]:
        out = {s.name: s.value for s in self.specs}
        natural = self.natural(u)
        for s, v in zip(self.free, natural, strict=True):
            out[s.name] = float(v)
        return out

    def natural(self, u: FloatArray) -> FloatArray:
        """Natural parameter values from internal coordinates (exp only of the log ones)."""
        out = np.array(u, dtype=float)
        out[self.log] = np.exp(out[self.log])
        return out

    def internal(self, values: Mapping[str, float]) -> FloatArray:
        raw = np.array([values.get(s.name, s.value) for s in self.free], dtype=float)
        u = np.where(self.log, np.log(np.maximum(raw, 1e-300)), raw)
        span = self.upper - self.lower
        return np.clip(u, self.lower + 1e-9 * span, self.upper - 1e-9 * span)

    def evaluate(self, u: FloatArray) -> tuple[FloatArray, FloatArray]:
        key = u.tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        with np.errstate(all="ignore"):
            residual, jac = self._evaluate(u)
        self._cache = (key, residual, jac)
        return residual, jac

    def _evaluate(self, u: FloatArray) -> tuple[FloatArray, FloatArray]:
        values = self.values(u)
        theta = np.array([values[n] for n in self.law.names])
        total, x, faradaic, slope, series_slope, i_cap = _forward(
            self.law, theta, values, self.potential, self.dvdt, start=self._x_last
        )
        self._x_last = x
        r_ohm = values.get("r_ohm", 0.0)
        denom = 1.0 + (r_ohm + series_slope) * slope
        columns = []
        law_names = self.law.names
        need_law = [n for n in law_names if any(s.name == n for s in self.free)]
        law_grad = self.law.gradient(x, theta, faradaic) if need_law else None
        series_grad = (
            self.law.series_gradient(faradaic, theta) if (need_law and self.law.has_series) else None
        )
        for s in self.free:
            if s.name in law_names:
                k = law_names.index(s.name)
                column = law_grad[k] if law_grad is not None else 0.0
                if series_grad is not None:
                    column = column - slope * series_grad[k]
                column = column / denom
            elif s.name == "r_ohm":
                column = -slope * (faradaic + i_cap) / denom
            elif s.name == "v0":
                column = -slope / denom
            else:  # capacitance
                column = self.dvdt * (1.0 + slope * series_slope) / denom
            columns.append(column)
        jac = np.array(columns).T if columns else np.zeros((self.potential.size, 0))
        natural = np.where(self.log, self.natural(u), 1.0)
        jac = jac * natural[None, :] * self.noise.derivative(total)[:, None]
        residual = self.noise.transform(total) - self.target
        if self.priors:
            prior_res = np.array([(values[self.free[k].name] - mean) / sd for k, (mean, sd) in self.priors])
            prior_jac = np.zeros((len(self.priors), len(self.free)))
            for row, (k, (_, sd)) in enumerate(self.priors):
                prior_jac[row, k] = natural[k] / sd
            residual = np.concatenate([residual, prior_res])
            jac = np.vstack([jac, prior_jac])
        residual = np.where(np.isfinite(residual), residual, 1e6)
        jac = np.where(np.isfinite(jac), jac, 0.0)
        return residual, jac

    def residual(self, u: FloatArray) -> FloatArray:
        return self.evaluate(u)[0]

    def jacobian(self, u: FloatArray) -> FloatArray:
        return self.evaluate(u)[1]

    def solve(self, u0: FloatArray, max_nfev: int) -> Any:
        self._x_last = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            return least_squares(
                self.residual,
                u0,
                jac=self.jacobian,
                bounds=(self.lower, self.upper),
                method="trf",
                x_scale="jac",
                max_nfev=max_nfev,
                xtol=1e-12,
                ftol=1e-12,
                gtol=1e-10,
            )


def _specs(
    law: Law,
    start: Mapping[str, float],
    potential: FloatArray,
    current: FloatArray,
    dvdt: FloatArray | None,
    r_ohm: float | None,
    r_ohm_stderr: float | None,
    v0: float | None,
    capacitance: float | None,
) -> list[_Spec]:
    specs = [
        _Spec(
            p.name,
            p.unit,
            p.lower,
            p.upper,
            p.log,
            p.description,
            True,
            float(
                np.clip(
                    start.get(p.name, math.sqrt(p.lower * p.upper) if p.log else 0.5 * (p.lower + p.upper)),
                    p.lower,
                    p.upper,
                )
            ),
        )
        for p in law.parameters
    ]
    i_max = float(np.max(np.abs(current)))
    v_span = float(np.ptp(potential)) or 1.0
    r_free_max = 10.0 * v_span / i_max
    if r_ohm is None:
        specs.append(
            _Spec(
                "r_ohm",
                RESISTANCE,
                0.0,
                r_free_max,
                False,
                "ohmic resistance (fitted from the sweep)",
                True,
                float(start.get("r_ohm", 1e-3 * r_free_max)),
            )
        )
    elif not r_ohm_stderr:
        specs.append(
            _Spec(
                "r_ohm",
                RESISTANCE,
                0.0,
                max(r_ohm, 1.0),
                False,
                "ohmic resistance (given, fixed)",
                False,
                float(r_ohm),
            )
        )
    else:
        upper = r_ohm + 20.0 * r_ohm_stderr + r_free_max
        specs.append(
            _Spec(
                "r_ohm",
                RESISTANCE,
                0.0,
                upper,
                False,
                "ohmic resistance (given value as a Gaussian prior)",
                True,
                float(start.get("r_ohm", r_ohm)),
                (float(r_ohm), float(r_ohm_stderr)),
            )
        )
    lo, hi = float(potential.min()), float(potential.max())
    if v0 is None:
        specs.append(
            _Spec(
                "v0",
                "V",
                lo,
                hi,
                False,
                "offset: potential at zero faradaic current",
                True,
                float(np.clip(start.get("v0", 0.5 * (lo + hi)), lo, hi)),
            )
        )
    else:
        specs.append(
            _Spec("v0", "V", min(lo, v0) - 1.0, max(hi, v0) + 1.0, False, "offset (fixed)", False, float(v0))
        )
    if dvdt is not None:
        if capacitance is None:
            c_max = 10.0 * i_max / max(float(np.median(np.abs(dvdt))), 1e-12)
            specs.append(
                _Spec(
                    "capacitance",
                    CAPACITANCE,
                    0.0,
                    c_max,
                    False,
                    "capacitance in parallel with the faradaic current (i_C = C·dV/dt)",
                    True,
                    float(start.get("capacitance", 0.0)),
                )
            )
        else:
            specs.append(
                _Spec(
                    "capacitance",
                    CAPACITANCE,
                    0.0,
                    max(capacitance, 1.0),
                    False,
                    "capacitance (given, fixed)",
                    False,
                    float(capacitance),
                )
            )
    for name, value in law.fixed:
        specs = [s for s in specs if s.name != name]
        specs.append(_Spec(name, "1", value, value, False, f"{name} (given, fixed)", False, value))
    return specs


@checked
def fit_sweep(
    potential_v: FloatArray,
    current: FloatArray,
    law: Law,
    *,
    starts: Sequence[Mapping[str, float]],
    dvdt: FloatArray | None = None,
    r_ohm: float | None = None,
    r_ohm_stderr: float | None = None,
    v0: float | None = None,
    capacitance: float | None = None,
    noise: NoiseModel | None = None,
    probe_nfev: int = 12,
    max_nfev: int = 300,
) -> SweepFit:
    """Fit ``law`` to a whole sweep.

    Parameters
    ----------
    potential_v, current : the data (V; working current unit, anodic positive).
    law : from :func:`~nakinetics.kinetics.laws.make_law`.
    starts : starting values (natural units, any subset of the parameter names incl. ``r_ohm``, ``v0``,
        ``capacitance``); each is probed for ``probe_nfev`` evaluations, the best run to convergence.
    dvdt : sweep rate at each point (V s⁻¹, signed); enables the capacitive term.
    r_ohm, r_ohm_stderr : ohmic resistance (V per current unit) and its standard error: both → Gaussian
        prior; value only → fixed; neither → fitted freely (≥ 0).
    v0 : fixed offset (V); ``None`` fits it.
    capacitance : fixed capacitance; ``None`` fits it when ``dvdt`` is given.
    noise : noise model; ``None`` estimates it from a first fit (two passes).
    """
    potential = np.asarray(potential_v, dtype=float)
    current = np.asarray(current, dtype=float)
    if dvdt is not None:
        dvdt = np.asarray(dvdt, dtype=float)
    if not starts:
        raise FitError("fit_sweep needs at least one starting point")
    specs = _specs(law, starts[0], potential, current, dvdt, r_ohm, r_ohm_stderr, v0, capacitance)
    n_free = sum(s.vary for s in specs)
    if potential.size <= n_free + 2:
        raise DataError(f"{potential.size} points cannot determine {n_free} kinetic parameters")
    problem = _Problem(law, specs, potential, current, dvdt, noise or initial_noise(current))
    runs = [
        problem.solve(problem.internal({**{s.name: s.value for s in specs}, **start}), probe_nfev)
        for start in starts
    ]
    best = min(runs, key=lambda r: r.cost if np.isfinite(r.cost) else np.inf)
    result = problem.solve(best.x, max_nfev)
    nfev = sum(r.nfev for r in runs) + result.nfev
    if noise is None:
        values = problem.values(result.x)
        theta = np.array([values[n] for n in law.names])
        model_current = _forward(law, theta, values, potential, dvdt)[0]
        estimated = estimate_noise(current, model_current)
        if estimated is not None:
            problem.set_noise(estimated)
            result = problem.solve(result.x, max_nfev)
            nfev += result.nfev
    return _finish(problem, result, nfev)


def _finish(problem: _Problem, result: Any, nfev: int) -> SweepFit:
    u = result.x
    values = problem.values(u)
    law = problem.law
    theta = np.array([values[n] for n in law.names])
    total, x, *_ = _forward(law, theta, values, problem.potential, problem.dvdt)
    residual, jac = problem.evaluate(u)
    n = problem.current.size
    data_chisqr = float(np.sum(residual[:n] ** 2))
    prior_chisqr = float(np.sum(residual[n:] ** 2))
    notes: list[str] = []
    covariance = None
    k = len(problem.free)
    if k:
        dof = max(n - k + len(problem.priors), 1)
        scale = max(data_chisqr / dof, 1e-300)
        scaled = jac.copy()
        scaled[:n] /= math.sqrt(scale)
        info = scaled.T @ scaled
        if np.linalg.matrix_rank(info) == k:
            cov_u = np.linalg.inv(info)
            natural = np.where(problem.log, problem.natural(u), 1.0)
            covariance = cov_u * np.outer(natural, natural)
        else:
            notes.append(
                "the parameters are not all determined by the data (singular information matrix): "
                "no uncertainties"
            )
    parameters: dict[str, KineticParameter] = {}
    free_names = [s.name for s in problem.free]
    for s in problem.specs:
        stderr = None
        if s.vary and covariance is not None:
            k_index = free_names.index(s.name)
            var = covariance[k_index, k_index]
            stderr = math.sqrt(var) if var >= 0 and math.isfinite(var) else None
        parameters[s.name] = KineticParameter(
            s.name, values[s.name], stderr, s.unit, s.vary, s.lower, s.upper, s.description, s.prior, s.log
        )
    success = bool(result.success and np.isfinite(data_chisqr))
    if not success:
        notes.append(f"fit did not converge: {result.message}")
    return SweepFit(
        law=law,
        parameters=parameters,
        covariance=covariance,
        varying=tuple(free_names),
        noise=problem.noise,
        potential_v=problem.potential,
        current=problem.current,
        dvdt=problem.dvdt,
        model_current=total,
        kinetic_voltage=x,
        chisqr=data_chisqr,
        prior_chisqr=prior_chisqr,
        success=success,
        message=str(result.message),
        nfev=nfev,
        warnings=tuple(notes),
    )


def current_unit_names(area_known: bool) -> dict[str, str]:
    """Output units for the markers: currents in mA cm⁻² (mA without area), resistances in Ω cm² (Ω),
    capacitances in F cm⁻² (F)."""
    if area_known:
        return {CURRENT: "mA cm^-2", RESISTANCE: "Ohm cm^2", CAPACITANCE: "F cm^-2"}
    return {CURRENT: "mA", RESISTANCE: "Ohm", CAPACITANCE: "F"}
