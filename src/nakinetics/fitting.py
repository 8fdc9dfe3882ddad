"""Complex non-linear least-squares fits of equivalent circuits, with no initial guesses required.

The objective is a real, signed, weighted residual vector built here:
``r = concat((Z'_fit − Z'_data)·w', (Z''_fit − Z''_data)·w'')`` with fixed weights from the data
(:class:`Weighting`).  A fit runs in two stages:

1. *search*: from a few data-driven starts (:func:`nakinetics.guesses.starting_points`) a trust-region
   least-squares solve in internal coordinates (log of every positive magnitude, the CPE exponent linear),
   with the exact Jacobian of the circuit; the best local minimum wins;
2. *finish*: the best run is iterated to convergence and its statistics computed here: χ², AIC, BIC and
   the asymptotic covariance s²(JᵀJ)⁻¹ (the same estimates lmfit reports).  A final lmfit/scipy
   ``least_squares`` pass used to do this; it cost more than the whole search and, with bounds on
   parameters spanning 16 decades, could step uphill out of a good minimum.

Interchangeable arcs (identical R‖CPE sub-circuits in series) are then put in canonical order, fastest
time constant first, so labels do not swap between spectra.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np

from . import _lm
from ._checks import analysable_spectrum, checked, choice, frequency_window, integer, number
from ._typing import ComplexArray, FloatArray
from .circuit import Circuit, Element, Parallel, elements_of
from .data import Spectrum
from .elements import Frequencies
from .exceptions import FitError
from .guesses import relative_rms, starting_points
from .parameters import ParameterSetup, TiedValues, parameter_setup, resolve_circuit, specify
from .presets import Preset
from .ties import Tie, order_ties, parse_tie
from .validation import KKResult

SEARCH_WIDEN_RATIO = 1.25
"""The search tries every structured start when the best fit's relative RMS misfit exceeds this multiple of
the distribution-of-relaxation-times model's misfit."""
EARLY_ACCEPT_RATIO = 1.15
"""A start whose fit comes within this multiple of the DRT model's relative RMS misfit is taken without
trying the others (correct minima land at 1.0–1.15× on synthetic spectra with 1 % noise, wrong ones at
≥ 1.3× except for some blocking-electrode pellets, where the search may stop on a near-degenerate fit)."""
APEX_WINDOW_MARGIN = 3.0
"""An arc's apex counts as measured when it lies within a factor 3 of the frequency window."""
GLOBAL_GENERATIONS = 15
GLOBAL_POPULATION = 5
GLOBAL_BOX_MARGIN = 2.3
"""Differential-evolution fallback: 15 generations of 5 × k members (≈ 600 evaluations for k = 7, ~0.2 s)
over the box the structured starts span, widened by a factor 10 (ln 10 ≈ 2.3) on each side for
log-scaled parameters."""
OVERLAP_RATIO = 2.0
"""Arcs whose apex frequencies differ by less than this factor are reported as not separable."""
MAX_ITERATIONS = 300
"""Most Levenberg–Marquardt iterations after the probe stage; a fit that needs more reports failure."""
CORRELATION_WARNING = 0.98
"""|correlation| above which a pair of parameters is reported as strongly correlated (the Q and n of one
CPE are always strongly correlated and are not reported)."""


class Weighting(StrEnum):
    """How residuals are weighted (weights are fixed from the data, not from the model).

    * ``modulus``: w' = w'' = 1/|Z_data| (every point counts by its relative error; default);
    * ``proportional``: w' = 1/|Z'_data|, w'' = 1/|Z''_data| (floored at 1 % of |Z_data| so points on the
      real axis do not dominate);
    * ``unit``: w' = w'' = 1 (absolute errors in Ω; large impedances dominate).
    """

    MODULUS = "modulus"
    PROPORTIONAL = "proportional"
    UNIT = "unit"


def residual_weights(impedance: ComplexArray, weighting: Weighting | str) -> tuple[FloatArray, FloatArray]:
    """Weights (w', w'') in Ω⁻¹ (or 1 for ``unit``) for data ``impedance``."""
    weighting = Weighting(weighting)
    modulus = np.abs(impedance)
    if weighting is Weighting.MODULUS:
        return 1.0 / modulus, 1.0 / modulus
    if weighting is Weighting.PROPORTIONAL:
        floor = 0.01 * modulus
        return 1.0 / np.maximum(np.abs(impedance.real), floor), 1.0 / np.maximum(
            np.abs(impedance.imag), floor
        )
    ones = np.ones(impedance.shape)
    return ones, ones


def weighted_residual(
    model: ComplexArray, data: ComplexArray, w_real: FloatArray, w_imag: FloatArray
) -> FloatArray:
    """Real residual vector ``concat((Z'_m − Z'_d)·w', (Z''_m − Z''_d)·w'')``."""
    diff = model - data
    return np.concatenate([diff.real * w_real, diff.imag * w_imag])


@dataclass(frozen=True)
class FittedParameter:
    """A fitted, fixed or tied parameter: value and 1σ standard error in ``unit``."""

    name: str
    value: float
    stderr: float | None
    unit: str
    vary: bool
    min: float
    max: float
    initial: float
    expr: str | None = None
    """The tie that computes this parameter from others (``"CPE1_n"``), or ``None``: a tied parameter has
    ``vary`` False and a standard error propagated from the free parameters' covariance."""


@dataclass(frozen=True)
class FitStatistics:
    """Goodness of fit.  χ² is the sum of squared weighted residuals; AIC/BIC as in lmfit
    (n ln(χ²/n) + 2k and n ln(χ²/n) + k ln n with n = 2 × points)."""

    chisqr: float
    redchi: float
    aic: float
    bic: float
    n_points: int
    n_varying: int
    nfev: int
    success: bool
    message: str


@dataclass(frozen=True)
class DerivedQuantity:
    """A number computed from fitted parameters, with its unit and the convention it follows."""

    value: float
    stderr: float | None
    unit: str
    convention: str

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "stderr": self.stderr, "unit": self.unit, "convention": self.convention}


@dataclass(frozen=True)
class FitResult:
    """Outcome of :func:`fit_circuit` (immutable)."""

    circuit: Circuit
    spectrum: Spectrum
    parameters: Mapping[str, FittedParameter]
    statistics: FitStatistics
    weighting: Weighting
    covariance: FloatArray | None
    correlation: FloatArray | None
    preset: Preset | None = None
    warnings: tuple[str, ...] = ()
    derived: Mapping[str, DerivedQuantity] = field(default_factory=dict)
    kramers_kronig: KKResult | None = None

    @property
    def values(self) -> dict[str, float]:
        """Parameter values by name."""
        return {name: p.value for name, p in self.parameters.items()}

    @cached_property
    def ties(self) -> dict[str, Tie]:
        """The tied parameters and their ties (see :mod:`nakinetics.ties`)."""
        return {
            name: parse_tie(name, p.expr, self.circuit.canonical_name)
            for name, p in self.parameters.items()
            if p.expr
        }

    def apply_ties(self, values: Mapping[str, float]) -> dict[str, float]:
        """``values`` with every tied parameter recomputed from the others (for propagating errors: perturb
        a free parameter, then apply the ties)."""
        out = dict(values)
        for tie in order_ties(self.ties):
            out[tie.target] = tie.value(out)
        return out

    @property
    def varying(self) -> list[str]:
        """Names of the fitted (not fixed) parameters, in the order of :attr:`covariance`."""
        return [name for name, p in self.parameters.items() if p.vary]

    def impedance(self, frequency: FloatArray | None = None) -> ComplexArray:
        """Model impedance (Ω) at ``frequency`` (Hz; default: the fitted points)."""
        f = self.spectrum.frequency if frequency is None else np.asarray(frequency, dtype=float)
        return self.circuit.simulate(f, self.values)

    def residuals(self) -> ComplexArray:
        """Relative residuals (Z_data − Z_fit)/|Z_data| at the fitted points (complex, dimensionless)."""
        z = self.spectrum.impedance
        return (z - self.impedance()) / np.abs(z)

    def with_derived(
        self, derived: Mapping[str, DerivedQuantity], warnings: tuple[str, ...] = ()
    ) -> FitResult:
        """A copy with derived quantities (and extra warnings) attached."""
        return replace(self, derived=dict(derived), warnings=self.warnings + warnings)

    def with_kramers_kronig(self, kk: KKResult) -> FitResult:
        """A copy carrying the Kramers–Kronig test of its spectrum as a quality flag (a failed test adds a
        warning: the parameters describe data that no linear, stable, time-invariant system produced), and a
        warning when the circuit's residual is systematically above the KK residual, i.e. the data's noise
        (:mod:`nakinetics.adequacy`: the model does not describe the data)."""
        message = (
            f"Kramers–Kronig test fails (RMS residual {100 * kk.rms:.2g} % > {100 * kk.limit:.2g} %): drift, "
            "non-linearity or instrument artefacts; fitted values may be biased"
        )
        warning = () if kk.passed else (message,)
        from .adequacy import fit_adequacy  # the fit's residual against the KK residual (the data's noise)

        adequacy = fit_adequacy(self, kk) if len(kk.residuals) == len(self.spectrum) else None
        if adequacy is not None and adequacy.inadequate:
            f = self.spectrum.frequency
            warning += (adequacy.message((float(f.min()), float(f.max()))),)
        return replace(self, kramers_kronig=kk, warnings=self.warnings + warning)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (what ``nakinetics fit --json`` writes): circuit, parameters with bounds, ties
        and errors, covariance, derived quantities, statistics, Kramers–Kronig test, warnings, the measured
        points and the fitted curve, with ``schema_version`` and the nakinetics version.
        :meth:`from_dict` rebuilds the result (see :mod:`nakinetics.records`)."""
        from .records import fit_record

        return fit_record(self)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> FitResult:
        """Rebuild a result from :meth:`to_dict`'s record (also after a JSON round trip); it predicts the
        same impedance.  ``nakinetics.load_fit(path)`` reads the JSON file the CLI writes."""
        from .records import fit_from_record

        return fit_from_record(record)

    def to_row(self) -> dict[str, Any]:
        """One flat row for a table of many fits: parameters, errors and derived quantities with their
        units in the column names, statistics, Kramers–Kronig verdict (see :func:`nakinetics.records.fit_row`)."""
        from .records import fit_row

        return fit_row(self)

    def to_dataframe(self, table: str = "summary") -> Any:
        """A pandas DataFrame (pandas is imported only here).

        ``table="summary"``: one row (:meth:`to_row`), so ``pandas.concat`` of many results is a study
        table; ``"parameters"``: one row per parameter (value, stderr, unit, vary, tie, bounds, start);
        ``"curve"``: one row per frequency with the data, the fitted curve and the residuals.
        """
        from ._tables import dataframe
        from .records import curve_columns, parameter_rows

        if table == "summary":
            return dataframe([self.to_row()])
        if table == "parameters":
            return dataframe(parameter_rows(self)).set_index("name")
        if table == "curve":
            return dataframe(curve_columns(self))
        raise ValueError(f"table must be 'summary', 'parameters' or 'curve', got {table!r}")

    def to_impedance_py(self) -> Any:
        """A fitted impedance.py ``CustomCircuit`` that predicts the same impedance (fixed and tied
        parameters become its constants); needs impedance.py (``pip install 'nakinetics[impedance]'``)."""
        from .bridges import to_impedance_py

        return to_impedance_py(self)

    def to_lmfit(self) -> Any:
        """``lmfit.Parameters`` with values, standard errors, bounds, ties (``expr``) and correlations;
        ``fit_circuit(..., params=...)`` takes them back.  Needs lmfit (``pip install 'nakinetics[lmfit]'``)."""
        from .bridges import to_lmfit

        return to_lmfit(self)

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={p.value:.4g}" for name, p in self.parameters.items())
        stats = self.statistics
        return (
            f"FitResult({self.circuit.text}, {self.spectrum.label}, {stats.n_points} points, "
            f"redchi={stats.redchi:.3g}, {'converged' if stats.success else 'NOT converged'}, {values})"
        )

    def __str__(self) -> str:
        """The readable report (the text ``nakinetics fit`` prints)."""
        from .report import format_fit

        return format_fit(self)


class _Problem:
    """Residual and Jacobian in internal coordinates u (log p for positive magnitudes, p otherwise)."""

    def __init__(
        self, circuit: Circuit, spectrum: Spectrum, weighting: Weighting, setup: ParameterSetup
    ) -> None:
        self.circuit = circuit
        self.frequencies = Frequencies(spectrum.omega)
        self.data = spectrum.impedance
        self.window = (float(spectrum.frequency.min()), float(spectrum.frequency.max()))
        self.w_re, self.w_im = residual_weights(self.data, weighting)
        self.names = circuit.parameter_names
        self.free = [i for i, n in enumerate(self.names) if setup.vary[n]]
        self.log = np.array([circuit.parameters[i].spec.log_scale for i in self.free])
        self.full = np.array([setup.values.get(n, np.nan) for n in self.names], dtype=float)
        self.tied = TiedValues(self.names, self.free, setup.ties)
        lower = np.array([setup.lower[self.names[i]] for i in self.free])
        upper = np.array([setup.upper[self.names[i]] for i in self.free])
        self.u_lower = np.where(self.log, np.log(np.where(self.log, lower, 1.0)), lower)
        self.u_upper = np.where(self.log, np.log(np.where(self.log, upper, 1.0)), upper)

    def values(self, u: FloatArray) -> FloatArray:
        full = self.full.copy()
        full[self.free] = np.where(self.log, np.exp(u), u)
        if self.tied:
            self.tied.fill(full)
        return full

    def free_derivatives(self, values: FloatArray, dz: ComplexArray) -> ComplexArray:
        """∂Z/∂p for the free parameters (natural units) from ∂Z/∂p of all parameters at ``values``,
        including the paths through tied parameters."""
        if not self.tied:
            return dz[self.free]
        return self.tied.chain(dz, self.tied.fill(values.copy()))

    def to_internal(self, values: Mapping[str, float]) -> FloatArray:
        p = np.array([values[self.names[i]] for i in self.free], dtype=float)
        u = np.where(self.log, np.log(np.maximum(p, 1e-300)), p)
        span = self.u_upper - self.u_lower
        return np.clip(u, self.u_lower + 1e-6 * span, self.u_upper - 1e-6 * span)

    def residual(self, values: FloatArray) -> FloatArray:
        """Weighted residual for a full parameter vector (natural units)."""
        z = self.circuit.impedance(self.frequencies, values)
        return weighted_residual(z, self.data, self.w_re, self.w_im)

    def weighted_jacobian(self, dz: ComplexArray) -> FloatArray:
        """Jacobian of the weighted residual, shape (2 n_points, n_free), from ∂Z/∂p rows of the free
        parameters."""
        return np.concatenate([dz.real * self.w_re, dz.imag * self.w_im], axis=1).T

    def residual_and_jacobian(self, u: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Weighted residual and its Jacobian with respect to u, shape (2 n_points, n_free)."""
        values = self.values(u)
        z, dz = self.circuit.impedance_and_jacobian(self.frequencies, values)
        dz = self.free_derivatives(values, dz) * np.where(self.log, values[self.free], 1.0)[:, None]
        return weighted_residual(z, self.data, self.w_re, self.w_im), self.weighted_jacobian(dz)

    def relative_rms(self, u: FloatArray) -> float:
        """Relative RMS misfit at u, whatever the weighting (see :func:`~nakinetics.guesses.relative_rms`)."""
        return relative_rms(self.circuit.impedance(self.frequencies, self.values(u)), self.data)

    def arcs_inside_window(self, u: FloatArray) -> bool:
        """Whether every arc's apex frequency lies inside the measured window (see ``APEX_WINDOW_MARGIN``)."""
        values = dict(zip(self.names, self.values(u), strict=True))
        return all(_inside_window(apex, *self.window) for _, apex in arc_apexes(self.circuit, values))

    def global_search(self, lower: FloatArray, upper: FloatArray) -> _lm.LMState:
        """Differential evolution over the box [lower, upper] in internal coordinates, widened by
        ``GLOBAL_BOX_MARGIN`` and clipped to the bounds, then Levenberg–Marquardt to convergence.

        Bounded: ``GLOBAL_GENERATIONS`` generations of ``GLOBAL_POPULATION`` × k members; seeded, so the
        same spectrum always gives the same answer.
        """
        from scipy.optimize import differential_evolution  # the fall-back only: kept off the import path

        span = np.maximum(upper - lower, 1e-3)
        lo = np.maximum(lower - GLOBAL_BOX_MARGIN * np.where(self.log, 1.0, span), self.u_lower)
        hi = np.minimum(upper + GLOBAL_BOX_MARGIN * np.where(self.log, 1.0, span), self.u_upper)
        hi = np.maximum(hi, lo + 1e-9)

        def cost(u: FloatArray) -> float:
            r = self.residual(self.values(u))
            c = float(r @ r)
            return c if math.isfinite(c) else 1e300

        with np.errstate(all="ignore"):
            found = differential_evolution(
                cost,
                list(zip(lo, hi, strict=True)),
                maxiter=GLOBAL_GENERATIONS,
                popsize=GLOBAL_POPULATION,
                tol=1e-8,
                polish=False,
                init="sobol",
                rng=np.random.default_rng(0),
            )
            fun = self.residual_and_jacobian
            state = _lm.iterate(
                fun,
                _lm.start(fun, found.x, self.u_lower, self.u_upper),
                self.u_lower,
                self.u_upper,
                MAX_ITERATIONS,
            )
        state.evaluations = int(found.nfev) + state.iterations
        return state

    def search(
        self,
        starts: list[FloatArray],
        probe_iterations: int = 8,
        keep: int = 2,
        good_enough: float = 0.0,
    ) -> _lm.LMState:
        """Best local minimum from several starts: a few LM steps from each, then the most promising
        ``keep`` runs to convergence (bounded: at most ``MAX_ITERATIONS`` further iterations each).

        A run whose relative RMS misfit falls to ``good_enough`` (the noise floor the caller expects) is
        converged at once and, if it stays there with every arc's apex inside the measured window, returned
        without probing the remaining starts (an arc pushed outside the window is often a degenerate
        solution, e.g. a grain-boundary arc turned into a blocking capacitor).
        """
        fun, lo, hi = self.residual_and_jacobian, self.u_lower, self.u_upper
        states: list[_lm.LMState] = []
        with np.errstate(all="ignore"):
            for u0 in starts:
                state = _lm.iterate(fun, _lm.start(fun, u0, lo, hi), lo, hi, probe_iterations)
                states.append(state)
                if good_enough and self.relative_rms(state.u) <= good_enough:
                    _lm.iterate(fun, state, lo, hi, MAX_ITERATIONS)
                    if self.relative_rms(state.u) <= good_enough and self.arcs_inside_window(state.u):
                        state.evaluations = sum(s.iterations + 1 for s in states)
                        return state
            states.sort(key=lambda s: s.cost)
            finals = [_lm.iterate(fun, s, lo, hi, MAX_ITERATIONS) for s in states[:keep]]
        best = min(finals, key=lambda s: s.cost)
        best.evaluations = sum(s.iterations + 1 for s in states)
        return best


# ---------------------------------------------------------------------------------------------------
# canonical arc order


def _arc_signature(node: Parallel) -> str:
    def shape(n: Any) -> str:
        if isinstance(n, Element):
            return n.spec.symbol
        inner = ",".join(shape(c) for c in n.children)
        return f"p({inner})" if isinstance(n, Parallel) else f"s({inner})"

    return shape(node)


def _arc_time_constant(node: Parallel, values: Mapping[str, float]) -> float:
    """τ of a simple arc: (R Q)^(1/n) for R‖CPE, R C for R‖C (first R and first capacitive element)."""
    elements = [e for branch in node.children for e in ([branch] if isinstance(branch, Element) else [])]
    resistors = [e for e in elements if e.spec.symbol == "R"]
    caps = [e for e in elements if e.spec.symbol in {"C", "CPE"}]
    if not resistors or not caps:
        return math.nan
    r = values[resistors[0].label]
    cap = caps[0]
    if cap.spec.symbol == "C":
        return r * values[cap.label]
    q, n = (values[name] for name in cap.parameter_names)
    return float((r * q) ** (1.0 / n))


def _relaxation_signature(node: Any) -> str | None:
    """What makes two top-level parts interchangeable: the shape of an arc, or the symbol of a
    single element with a time constant (Zarc, K, G, Gs, Wo, Ws); ``None`` for anything else."""
    if isinstance(node, Parallel):
        return _arc_signature(node)
    if isinstance(node, Element) and any(p.suffix == "tau" for p in node.spec.parameters):
        return node.spec.symbol
    return None


def _relaxation_time_constant(node: Any, values: Mapping[str, float]) -> float:
    if isinstance(node, Parallel):
        return _arc_time_constant(node, values)
    return float(values[f"{node.label}_tau"])


def canonical_arc_order(
    circuit: Circuit, values: Mapping[str, float], locked: Collection[str] = ()
) -> dict[str, float]:
    """Swap the values of identical arcs (or identical relaxation elements such as Zarc) in series so
    their time constants increase along the string.  Groups holding a ``locked`` parameter (fixed or
    tied by the caller) keep their order: swapping would move the held value to another element."""
    out = dict(values)
    groups: dict[str, list[Any]] = {}
    for node in circuit.top_level:
        signature = _relaxation_signature(node)
        if signature is not None:
            groups.setdefault(signature, []).append(node)
    for arcs in groups.values():
        if len(arcs) < 2:
            continue
        names = [[e.parameter_names for e in elements_of(a)] for a in arcs]
        if any(n in locked for element_names in names for group in element_names for n in group):
            continue
        taus = [_relaxation_time_constant(a, values) for a in arcs]
        if any(math.isnan(t) for t in taus):
            continue
        order = sorted(range(len(arcs)), key=lambda k: taus[k])
        for target, source in enumerate(order):
            for t_names, s_names in zip(names[target], names[source], strict=True):
                for t_name, s_name in zip(t_names, s_names, strict=True):
                    out[t_name] = values[s_name]
    return out


# ---------------------------------------------------------------------------------------------------
# public entry point


@checked
def fit_circuit(
    spectrum: Spectrum,
    circuit_or_preset: str | Circuit | Preset | Any,
    *,
    weighting: Weighting | str = Weighting.MODULUS,
    fmin: float | None = None,
    fmax: float | None = None,
    fixed: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    initial: Mapping[str, float] | None = None,
    ties: Mapping[str, str] | None = None,
    params: Any = None,
    max_starts: int = 6,
    warm_start: Mapping[str, float] | None = None,
    global_fallback: bool = True,
) -> FitResult:
    """Fit ``circuit_or_preset`` to ``spectrum`` without initial guesses.

    Parameters
    ----------
    spectrum : the data (Hz, Ω).
    circuit_or_preset : a preset name (``"na_se_na_2arc"``), a circuit string (``"R0-p(R1,CPE1)"``), a
        :class:`~nakinetics.circuit.Circuit`, a :class:`~nakinetics.presets.Preset`, or an impedance.py
        ``CustomCircuit`` (its constants are held fixed and its initial guess is tried as a start).
    weighting : see :class:`Weighting`.
    fmin, fmax : fit only points with fmin ≤ f ≤ fmax (Hz).
    fixed : parameters held at the given values.
    bounds : per-parameter (min, max), ``None`` keeps the default side.
    initial : optional starting values; any parameter not given gets a data-driven start.
    ties : ``{"R2": "R1", "CPE2_n": "CPE1_n"}``: parameters computed from others instead of fitted
        (arithmetic expressions, see :mod:`nakinetics.ties`); they do not count as free parameters and
        their standard errors are propagated from the covariance.
    params : an ``lmfit.Parameters``: each value is a start, min/max are bounds, ``vary=False`` fixes
        the value and ``expr`` ties the parameter.  ``fixed``, ``bounds``, ``initial`` and ``ties`` given
        explicitly take precedence.  Every parameter name may also be impedance.py's (``CPE1_0``).
    max_starts : how many structured starts the search stage tries.
    warm_start : complete parameter values (e.g. the previous spectrum's fit in a series): fit from these
        alone, skipping the data-driven starts and the search.  Fast, but only as good as the start; the
        caller should check the result and fall back to a fit without ``warm_start``.
    global_fallback : when every structured start ends well above the DRT misfit, run a bounded
        differential-evolution search (≈ 600 evaluations, seeded) in log-parameter space; a wrong
        model for the data also ends up here, so switch it off when fitting many candidate models quickly.

    Raises
    ------
    FitError : fewer points than free parameters, bad bounds, unknown parameter names.
    """
    circuit, preset = resolve_circuit(circuit_or_preset)
    weighting = Weighting(choice(weighting, "weighting", [w.value for w in Weighting]))
    fmin, fmax = frequency_window(fmin, fmax)
    max_starts = integer(max_starts, "max_starts", low=1)
    spectrum = analysable_spectrum(
        spectrum.select(fmin, fmax) if isinstance(spectrum, Spectrum) else spectrum, "fit_circuit"
    )
    spec = specify(
        circuit, circuit_or_preset, fixed=fixed, bounds=bounds, initial=initial, ties=ties, params=params
    )
    setup = parameter_setup(circuit, preset, spec)
    n_vary = sum(setup.vary.values())
    if len(spectrum) * 2 <= n_vary or len(spectrum) < n_vary:
        raise FitError(
            f"{spectrum.label}: {len(spectrum)} points cannot determine {n_vary} free parameters of {circuit.text}"
        )
    problem = _Problem(circuit, spectrum, weighting, setup)
    held = setup.held
    missing_fixed = [n for n in held if not np.isfinite(held[n])]
    if missing_fixed:
        raise FitError(f"parameters {', '.join(missing_fixed)} are fixed but have no value")
    if not problem.free:  # every parameter fixed or tied: evaluate the model, no search
        none = np.zeros(0)
        state = _lm.start(problem.residual_and_jacobian, none, none, none)
        state.converged = True
        values = dict(zip(circuit.parameter_names, problem.values(none), strict=True))
        return _finish(problem, setup, state, values, values, spectrum, weighting, preset)
    if warm_start is not None:
        warm_start = {
            name: number(value, f"warm_start[{name!r}]")
            for name, value in circuit.canonical_values(warm_start, "warm_start").items()
        }
        missing = [
            n
            for n in circuit.parameter_names
            if n not in warm_start and n not in held and n not in setup.ties
        ]
        if missing:
            raise FitError(f"warm_start lacks values for {', '.join(missing)} of {circuit.text}")
        start = {**warm_start, **held}
        best = problem.search([problem.to_internal(start)], keep=1)
        best_values = dict(zip(circuit.parameter_names, problem.values(best.u), strict=True))
        best_values = canonical_arc_order(circuit, best_values, locked=setup.locked)
        initial_values = dict(
            zip(circuit.parameter_names, problem.values(problem.to_internal(start)), strict=True)
        )
        return _finish(problem, setup, best, best_values, initial_values, spectrum, weighting, preset)
    plan = starting_points(spectrum, circuit, fixed=held)
    starts = plan.starts
    if setup.initial:
        starts = [{**starts[0], **setup.initial, **held}, *starts]
    preset_starts = {n: v for n, v in setup.values.items() if setup.vary[n]}
    if preset_starts:
        starts = [{**s, **preset_starts} for s in starts] + starts

    good_enough = EARLY_ACCEPT_RATIO * plan.drt_relative_rms
    best = problem.search([problem.to_internal(s) for s in starts[:max_starts]], good_enough=good_enough)
    if problem.relative_rms(best.u) > SEARCH_WIDEN_RATIO * plan.drt_relative_rms and len(starts) > max_starts:
        # much worse than the flexible DRT model: probably a wrong basin, so try every remaining start
        more = problem.search([problem.to_internal(s) for s in starts[max_starts:]])
        more.evaluations += best.evaluations
        best = more if more.cost < best.cost else replace(best, evaluations=more.evaluations)
    if global_fallback and problem.relative_rms(best.u) > SEARCH_WIDEN_RATIO * plan.drt_relative_rms:
        # every structured start failed: a bounded global search over the box the starts span
        box = np.array([problem.to_internal(s) for s in starts])
        found = problem.global_search(box.min(axis=0), box.max(axis=0))
        found.evaluations += best.evaluations
        best = found if found.cost < best.cost else replace(best, evaluations=found.evaluations)
    best_values = canonical_arc_order(
        circuit, dict(zip(circuit.parameter_names, problem.values(best.u), strict=True)), locked=setup.locked
    )
    initial_values = dict(
        zip(circuit.parameter_names, problem.values(problem.to_internal(starts[0])), strict=True)
    )
    return _finish(problem, setup, best, best_values, initial_values, spectrum, weighting, preset)


def _finish(
    problem: _Problem,
    setup: ParameterSetup,
    state: _lm.LMState,
    values: Mapping[str, float],
    initial: Mapping[str, float],
    spectrum: Spectrum,
    weighting: Weighting,
    preset: Preset | None,
) -> FitResult:
    """Statistics of the converged fit at ``values``: χ², AIC, BIC and the covariance.

    The covariance is s²·(JᵀJ)⁻¹ with the Jacobian J in natural units and s² = χ²/(2n − k), the usual
    asymptotic estimate that lmfit and scipy's ``curve_fit`` also report (``scale_covar``); it is
    computed on column-scaled J so that Q ≈ 1e-11 F s^(n-1) and R ≈ 1e5 Ω sit in one matrix, and left out
    (``None``) when JᵀJ is numerically singular.
    """
    circuit = problem.circuit
    full = np.array([values[n] for n in circuit.parameter_names], dtype=float)
    z, dz = circuit.impedance_and_jacobian(problem.frequencies, full)
    residual = weighted_residual(z, problem.data, problem.w_re, problem.w_im)
    jacobian = problem.weighted_jacobian(problem.free_derivatives(full, dz))
    chisqr = float(residual @ residual)
    n_data, k = residual.size, len(problem.free)
    redchi = chisqr / (n_data - k) if n_data > k else math.nan
    covariance = _covariance(jacobian, redchi) if k else None
    stderr = np.sqrt(np.diag(covariance)) if covariance is not None else None
    tie_errors = _tied_stderr(problem, full, covariance)

    fitted: dict[str, FittedParameter] = {}
    for i, info in enumerate(circuit.parameters):
        vary = setup.vary[info.name]
        error = float(stderr[problem.free.index(i)]) if vary and stderr is not None else None
        tie = setup.ties.get(info.name)
        fitted[info.name] = FittedParameter(
            name=info.name,
            value=float(full[i]),
            stderr=error,
            unit=info.spec.unit,
            vary=vary,
            min=setup.lower[info.name],
            max=setup.upper[info.name],
            initial=float(initial[info.name]),
            expr=tie.expression if tie else None,
        )
        if tie is not None:
            fitted[info.name] = replace(fitted[info.name], stderr=tie_errors.get(info.name))
    correlation = None if covariance is None else correlation_matrix(covariance)
    log_likelihood_term = n_data * math.log(chisqr / n_data) if chisqr > 0 else -math.inf
    converged = state.converged and math.isfinite(chisqr)
    stats = FitStatistics(
        chisqr=chisqr,
        redchi=redchi,
        aic=log_likelihood_term + 2 * k,
        bic=log_likelihood_term + math.log(n_data) * k,
        n_points=len(spectrum),
        n_varying=k,
        nfev=state.evaluations,
        success=converged,
        message="converged"
        if converged
        else f"stopped after {state.iterations} iterations without converging",
    )
    result = FitResult(
        circuit=circuit,
        spectrum=spectrum,
        parameters=fitted,
        statistics=stats,
        weighting=weighting,
        covariance=covariance,
        correlation=correlation,
        preset=preset,
    )
    return replace(result, warnings=tuple(fit_warnings(result)))


def _tied_stderr(problem: _Problem, full: FloatArray, covariance: FloatArray | None) -> dict[str, float]:
    """Standard errors of tied parameters, g·C·gᵀ with g the tie's gradient in the free parameters."""
    if covariance is None or not problem.tied:
        return {}
    gradient = problem.tied.fill(full.copy())
    variances = np.einsum("ij,jk,ik->i", gradient, covariance, gradient)
    return {
        problem.names[i]: float(math.sqrt(v))
        for i, v in zip(problem.tied.tied, variances, strict=True)
        if math.isfinite(v) and v >= 0
    }


def correlation_matrix(covariance: FloatArray) -> FloatArray:
    """Correlation coefficients from a covariance matrix."""
    stderr = np.sqrt(np.diag(covariance))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(covariance / np.outer(stderr, stderr))


def _covariance(jacobian: FloatArray, redchi: float) -> FloatArray | None:
    """s²·(JᵀJ)⁻¹ from column-scaled J, or ``None`` when JᵀJ is singular to working precision."""
    scale = np.linalg.norm(jacobian, axis=0)
    if not np.all(np.isfinite(jacobian)) or np.any(scale == 0) or not math.isfinite(redchi):
        return None
    scaled = jacobian / scale
    normal = scaled.T @ scaled
    if np.linalg.cond(normal) > 1e14:
        return None
    inverse = np.linalg.inv(normal) / np.outer(scale, scale)
    covariance = redchi * inverse
    return covariance if np.all(np.diag(covariance) > 0) else None


def fit_warnings(result: FitResult) -> list[str]:
    """Plain-language problems with a fit: bounds, missing or large errors, correlated pairs, arcs
    whose apex lies outside the measured window."""
    notes: list[str] = []
    if not result.statistics.success:
        notes.append(f"fit did not converge: {result.statistics.message}")
    for p in result.parameters.values():
        if not p.vary:
            continue
        span = math.log(p.max / p.min) if p.min > 0 else p.max - p.min
        near = (math.log(p.value / p.min) if p.min > 0 else p.value - p.min) < 1e-4 * span or (
            math.log(p.max / p.value) if p.min > 0 else p.max - p.value
        ) < 1e-4 * span
        if near:
            notes.append(f"{p.name} = {p.value:.4g} {p.unit} is at a bound [{p.min:g}, {p.max:g}]")
        if p.stderr is None:
            notes.append(f"{p.name}: standard error could not be estimated")
        elif p.stderr > abs(p.value):
            notes.append(
                f"{p.name}: standard error {p.stderr:.3g} exceeds the value {p.value:.3g} (not determined)"
            )
    if result.correlation is not None:
        names = result.varying
        corr = result.correlation
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                same_cpe = names[i].rsplit("_", 1)[0] == names[j].rsplit("_", 1)[0] and "CPE" in names[i]
                if not same_cpe and np.isfinite(corr[i, j]) and abs(corr[i, j]) > CORRELATION_WARNING:
                    notes.append(f"{names[i]} and {names[j]} are strongly correlated (r = {corr[i, j]:+.3f})")
    elif result.statistics.n_varying:
        notes.append("covariance matrix could not be estimated: no parameter uncertainties")
    notes.extend(_window_warnings(result))
    notes.extend(_overlap_warnings(result))
    return notes


def arc_apexes(circuit: Circuit, values: Mapping[str, float]) -> list[tuple[str, float]]:
    """Apex frequency (Hz) of every top-level parallel arc, labelled like ``R1‖CPE1``."""
    return [(label, apex) for label, apex, _ in _arcs_with_resistors(circuit, values)]


def _arcs_with_resistors(circuit: Circuit, values: Mapping[str, float]) -> list[tuple[str, float, list[str]]]:
    arcs = []
    for node in circuit.top_level:
        if not isinstance(node, Parallel):
            continue
        tau = _arc_time_constant(node, values)
        if math.isfinite(tau) and tau > 0:
            elements = elements_of(node)
            resistors = [e.label for e in elements if e.spec.symbol == "R"]
            arcs.append(("‖".join(e.label for e in elements), 1.0 / (2.0 * math.pi * tau), resistors))
    return arcs


def _overlap_warnings(result: FitResult) -> list[str]:
    """Two arcs relaxing within a factor ``OVERLAP_RATIO`` of each other cannot be told apart; say so and
    give the sum of their resistances, which the data do determine."""
    notes = []
    arcs = _arcs_with_resistors(result.circuit, result.values)
    names = result.varying
    for (label_a, apex_a, res_a), (label_b, apex_b, res_b) in itertools.combinations(arcs, 2):
        if max(apex_a, apex_b) / min(apex_a, apex_b) > OVERLAP_RATIO or not res_a or not res_b:
            continue
        if any(result.parameters[n].expr for n in res_a + res_b):
            continue  # tied by the user (e.g. two identical interfaces): not an identifiability problem
        total_names = res_a + res_b
        total = sum(result.values[n] for n in total_names)
        error = ""
        if result.covariance is not None and all(n in names for n in total_names):
            index = [names.index(n) for n in total_names]
            variance = float(result.covariance[np.ix_(index, index)].sum())
            error = f" ± {math.sqrt(variance):.3g}" if variance > 0 else ""
        notes.append(
            f"arcs {label_a} and {label_b} relax at nearly the same frequency ({apex_a:.3g} and {apex_b:.3g} Hz): "
            f"the data cannot separate them; only {' + '.join(total_names)} = {total:.4g}{error} Ω is determined"
        )
    return notes


def _inside_window(apex: float, f_lo: float, f_hi: float) -> bool:
    return f_lo / APEX_WINDOW_MARGIN <= apex <= APEX_WINDOW_MARGIN * f_hi


def _window_warnings(result: FitResult) -> list[str]:
    f_lo, f_hi = float(result.spectrum.frequency.min()), float(result.spectrum.frequency.max())
    notes = []
    for label, apex in arc_apexes(result.circuit, result.values):
        if apex > APEX_WINDOW_MARGIN * f_hi:
            notes.append(
                f"arc {label}: apex {apex:.3g} Hz lies above the highest measured frequency {f_hi:.3g} Hz; "
                "its resistance and capacitance are not identifiable from this window"
            )
        elif apex < f_lo / APEX_WINDOW_MARGIN:
            notes.append(
                f"arc {label}: apex {apex:.3g} Hz lies below the lowest measured frequency {f_lo:.3g} Hz; "
                "its resistance is an extrapolation"
            )
    return notes
