"""Complex non-linear least-squares fits of equivalent circuits, with no initial guesses required.

The objective is a real, signed, weighted residual vector built here:
``r = concat((Z'_fit − Z'_data)·w', (Z''_fit − Z''_data)·w'')`` with fixed weights from the data
(:class:`Weighting`).  A fit runs in two stages:

1. *search* (:mod:`nakinetics._search`): starts from every plausible grouping of the peaks of the
   data's distribution of relaxation times (:func:`nakinetics.guesses.starting_points`), ranked by misfit;
   Levenberg–Marquardt runs with the exact Jacobian of the circuit in internal coordinates (log of every
   positive magnitude, the CPE exponent linear, and for each arc log τ in place of log Q or log C, which
   decorrelates an arc's capacitance from its exponent); the best start and the most promising probed
   ones are converged until the best minimum has been reached twice at the data's noise level.  Spectra
   longer than ``SEARCH_MAX_POINTS`` are searched on a log-evenly decimated copy;
2. *finish*: the best minimum is polished on every point in natural coordinates within the parameter
   bounds, and its statistics computed here: χ², AIC, BIC and the asymptotic covariance s²(JᵀJ)⁻¹ (the
   same estimates lmfit reports).

Interchangeable arcs (identical R‖CPE sub-circuits in series) are then put in canonical order, fastest
time constant first, so labels do not swap between spectra.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _lm, _search
from ._checks import checked, choice, frequency_window, integer, number
from ._spectrum_checks import CIRCUIT_FIT_SPREAD, impedance_input
from ._typing import ComplexArray, FloatArray
from .circuit import Circuit, Element, Parallel, elements_of
from .data import Spectrum
from .elements import Frequencies, with_unit
from .exceptions import FitError
from .guesses import circuit_processes, decimated, regrouped_starts, relative_rms, starting_points
from .parameters import ParameterSetup, TiedValues, parameter_setup, resolve_circuit, specify
from .presets import Preset
from .ties import Tie, TieError, order_ties, parse_tie

if TYPE_CHECKING:  # the KK test's module (and its scipy.linalg) loads only where a KK test runs
    from .validation import KKResult

SETTLE_RATIO = 1.15
"""The search stops early only at a minimum whose relative RMS misfit is at most this multiple of the misfit
a correct model reaches at the data's noise level (the noise the distribution of relaxation times leaves,
scaled to the circuit's degrees of freedom); correct models land at 0.85–1.11× on the benchmark's synthetic
spectra.  Above it the search probes a wider set of starts."""
SEARCH_WIDEN_RATIO = 1.25
"""Above this multiple of that misfit, after the wider probe, the search falls back to a global search."""
SEARCH_MAX_POINTS = 150
"""Spectra with more points are searched on this many (log-evenly spaced), then polished on all."""
APEX_WINDOW_MARGIN = 3.0
"""An arc's apex counts as measured when it lies within a factor 3 of the frequency window."""
OVERLAP_RATIO = 2.0
"""Arcs whose apex frequencies differ by less than this factor are reported as not separable."""
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
        failure = kk.failure()
        warning = () if failure is None else (f"{failure}; fitted values may be biased",)
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
    """Residual and Jacobian in internal coordinates u: log p for positive magnitudes, p otherwise.

    With ``search_coordinates`` (the search stage), every arc R‖CPE (R‖C) whose R and Q are both free is
    moved in log τ instead of log Q (log C): Q = τⁿ/R, C = τ/R, which decorrelates the capacitance from the
    resistance and exponent (the τ coordinate has bounds of its own, 1e-15–1e10 s).  The finish uses
    natural coordinates and bounds on every parameter."""

    def __init__(
        self,
        circuit: Circuit,
        spectrum: Spectrum,
        weighting: Weighting,
        setup: ParameterSetup,
        search_coordinates: bool = False,
    ) -> None:
        self.circuit = circuit
        self.frequencies = Frequencies(spectrum.omega)
        self.data = spectrum.impedance
        self.w_re, self.w_im = residual_weights(self.data, weighting)
        self.names = circuit.parameter_names
        self.free = [i for i, n in enumerate(self.names) if setup.vary[n]]
        self.log = np.array([circuit.parameters[i].spec.log_scale for i in self.free])
        self.full = np.array([setup.values.get(n, np.nan) for n in self.names], dtype=float)
        self.tied = TiedValues(
            self.names,
            self.free,
            setup.ties,
            setup.lower,
            setup.upper,
            {p.name: p.spec.unit for p in circuit.parameters},
        )
        lower = np.array([setup.lower[self.names[i]] for i in self.free])
        upper = np.array([setup.upper[self.names[i]] for i in self.free])
        self.u_lower = np.where(self.log, np.log(np.where(self.log, lower, 1.0)), lower)
        self.u_upper = np.where(self.log, np.log(np.where(self.log, upper, 1.0)), upper)
        arcs = _time_constant_arcs(circuit, self.names, self.free, self.full) if search_coordinates else []
        self.arcs = bool(arcs)
        self._r, self._q, n_position, n_fixed = (
            (np.array(column) for column in zip(*arcs, strict=True)) if arcs else (np.zeros(0, int),) * 4
        )
        self._n_free = n_position >= 0
        self._n_index = np.where(self._n_free, n_position, 0).astype(int)
        self._n_fixed = np.where(self._n_free, 0.0, n_fixed)
        self._every_exponent_free = bool(self._n_free.all())
        self.u_lower[self._q], self.u_upper[self._q] = math.log(1e-15), math.log(1e10)
        self._free_index = np.array(self.free, dtype=int)
        self._every_parameter_free = len(self.free) == len(self.names)
        # the chain rule of log Q = n·u_τ − u_R adds c·∂/∂u_τ to these rows (R: c = −1, free n: c = u_τ)
        self._chain_rows = np.concatenate([self._r, self._n_index[self._n_free]])
        self._chain_source = np.concatenate([np.arange(self._q.size), np.flatnonzero(self._n_free)])
        self._chain_factor = np.concatenate([np.full(self._q.size, len(self.free)), self._q[self._n_free]])
        self._u_extended = np.full(len(self.free) + 1, -1.0)  # u, then the factor −1
        self._weights = np.stack([self.w_re, self.w_im])  # (2, n): the residual's halves

    def _exponents(self, u: FloatArray) -> FloatArray:
        """The exponent n of every arc searched in log τ (free or fixed)."""
        if self._every_exponent_free:
            return u[self._n_index]
        return np.where(self._n_free, u[self._n_index], self._n_fixed)

    def values(self, u: FloatArray) -> FloatArray:
        full = self.full.copy()
        v = u
        if self.arcs:
            v = u.copy()
            v[self._q] = self._exponents(u) * u[self._q] - u[self._r]
        full[self._free_index] = np.where(self.log, np.exp(v), v)
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
        if self.arcs:
            u[self._q] = (u[self._q] + u[self._r]) / self._exponents(u)
        span = self.u_upper - self.u_lower
        return np.clip(u, self.u_lower + 1e-6 * span, self.u_upper - 1e-6 * span)

    def named(self, u: FloatArray) -> dict[str, float]:
        """Parameter values at u by name."""
        return dict(zip(self.names, (float(v) for v in self.values(u)), strict=True))

    def residual(self, values: FloatArray) -> FloatArray:
        """Weighted residual for a full parameter vector (natural units)."""
        z = self.circuit.impedance(self.frequencies, values)
        return weighted_residual(z, self.data, self.w_re, self.w_im)

    def cost(self, u: FloatArray) -> float:
        """χ² at u (``inf`` where the model is not finite)."""
        r = self.residual(self.values(u))
        c = float(r @ r)
        return c if math.isfinite(c) else math.inf

    def weighted_jacobian(self, dz: ComplexArray) -> FloatArray:
        """Jacobian of the weighted residual, shape (2 n_points, n_free), from ∂Z/∂p rows of the free
        parameters."""
        return np.concatenate([dz.real * self.w_re, dz.imag * self.w_im], axis=1).T

    def residual_and_jacobian(self, u: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Weighted residual and its Jacobian with respect to u, shape (2 n_points, n_free)."""
        residual, jacobian = self.residual_and_deferred_jacobian(u)
        return residual, jacobian()

    def residual_and_deferred_jacobian(self, u: FloatArray) -> tuple[FloatArray, Callable[[], FloatArray]]:
        """The weighted residual at u now and a function that computes its Jacobian (as
        :meth:`residual_and_jacobian` gives it) when called: a rejected trial step needs only the residual.

        The per-evaluation path of every fit: the chain rule runs on the real and imaginary parts of ∂Z/∂p as
        one real array (numpy would multiply a complex row by a real factor as a complex product with zero
        imaginary part: the same numbers wherever they are finite) and the weights are applied in one call
        into the layout :meth:`weighted_jacobian` gives."""
        values = self.values(u)
        z, derivatives = self.circuit.impedance_and_deferred_jacobian(self.frequencies, values)
        n = z.size
        residual = np.empty(2 * n)
        np.multiply((z - self.data).view(float).reshape(n, 2).T, self._weights, out=residual.reshape(2, n))
        return residual, lambda: self._jacobian(u, values, derivatives())

    def _jacobian(self, u: FloatArray, values: FloatArray, dz: ComplexArray) -> FloatArray:
        """The weighted Jacobian with respect to u from ∂Z/∂p of all parameters at ``values`` = values(u)."""
        if self.tied:
            dz = self.free_derivatives(values, dz)
        elif not self._every_parameter_free:
            dz = dz[self._free_index]
        k, n = dz.shape
        d = dz.view(float)  # rows of (re, im) pairs: a real view of the (new, owned) array
        d *= np.where(self.log, values[self._free_index], 1.0)[:, None]
        if self.arcs:  # chain rule of log Q = n·u_τ − u_R
            dq = d[self._q]
            self._u_extended[:-1] = u
            factor = self._u_extended[self._chain_factor]
            d[self._chain_rows] += factor[:, None] * dq[self._chain_source]  # (−1)·x: R's row − ∂/∂u_τ
            d[self._q] = self._exponents(u)[:, None] * dq
        jacobian = np.empty((k, 2 * n))
        np.multiply(d.reshape(k, n, 2).transpose(0, 2, 1), self._weights, out=jacobian.reshape(k, 2, n))
        return jacobian.T

    def relative_rms(self, u: FloatArray) -> float:
        """Relative RMS misfit at u, whatever the weighting (see :func:`~nakinetics.guesses.relative_rms`)."""
        return relative_rms(self.circuit.impedance(self.frequencies, self.values(u)), self.data)


def _time_constant_arcs(
    circuit: Circuit, names: list[str], free: list[int], full: FloatArray
) -> list[tuple[int, int, int, float]]:
    """(R, Q, n, fixed n) positions in the free vector of every arc R‖C or R‖CPE whose R and Q (C) are
    free; the n position is −1 when the exponent is fixed (its value is then given; 1 for a capacitor).
    Arcs with a tied exponent are left out."""
    position = {names[i]: k for k, i in enumerate(free)}
    arcs = []
    for process in circuit_processes(circuit).processes:
        if process.kind != "arc" or len(process.resistive) != 1 or len(process.capacitive) != 1:
            continue
        cap, r_name = process.capacitive[0], process.resistive[0].label
        q_name, n_name = (cap.label, None) if cap.spec.symbol == "C" else cap.parameter_names
        if r_name not in position or q_name not in position:
            continue
        n_fixed = 1.0 if n_name is None else float(full[names.index(n_name)])
        n_position = position.get(n_name, -1) if n_name else -1
        if n_position < 0 and not math.isfinite(n_fixed):
            continue  # a tied exponent: keep this arc in Q coordinates
        arcs.append((position[r_name], position[q_name], n_position, n_fixed))
    return arcs


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
    circuit: Circuit,
    values: Mapping[str, float],
    locked: Collection[str] = (),
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, float]:
    """Swap the values of identical arcs (or identical relaxation elements such as Zarc) in series so
    their time constants increase along the string.  Groups holding a ``locked`` parameter (fixed or
    tied by the caller) keep their order: swapping would move the held value to another element; so do
    groups whose arcs have different ``bounds`` ((min, max) by name, e.g. a preset's bulk and grain-boundary
    exponent ranges): swapping could move a value outside its parameter's bounds."""
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
        if bounds is not None and any(
            len({bounds[n] for n in same}) > 1
            for per_element in zip(*names, strict=True)
            for same in zip(*per_element, strict=True)
        ):
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
    max_starts: int | None = None,
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
    max_starts : use at most this many of the ranked data-driven starts (default: as many as the search
        wants; it scales with the circuit's number of relaxations).
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
    max_starts = None if max_starts is None else integer(max_starts, "max_starts", low=1)
    spectrum = impedance_input(spectrum, "fit_circuit", CIRCUIT_FIT_SPREAD, fmin, fmax)
    spec = specify(
        circuit, circuit_or_preset, fixed=fixed, bounds=bounds, initial=initial, ties=ties, params=params
    )
    setup = parameter_setup(circuit, preset, spec)
    n_vary = sum(setup.vary.values())
    distinct = np.unique(spectrum.frequency).size  # repeated rows at one frequency add no information
    if distinct * 2 <= n_vary or distinct < n_vary:
        raise FitError(
            f"{spectrum.label}: {distinct} distinct frequencies cannot determine {n_vary} free parameters of "
            f"{circuit.text}"
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
        state = _search.converge(problem, _search.probe(problem, problem.to_internal(start), 0))
        initial_values = problem.named(problem.to_internal(start))
    else:
        state, initial_values = _search_minimum(
            problem, spectrum, circuit, setup, weighting, global_fallback, max_starts
        )
    ranges = {n: (setup.lower[n], setup.upper[n]) for n in circuit.parameter_names}
    best_values = canonical_arc_order(circuit, problem.named(state.u), locked=setup.locked, bounds=ranges)
    return _finish(problem, setup, state, best_values, initial_values, spectrum, weighting, preset)


def _search_minimum(
    problem: _Problem,
    spectrum: Spectrum,
    circuit: Circuit,
    setup: ParameterSetup,
    weighting: Weighting,
    global_fallback: bool,
    max_starts: int | None,
) -> tuple[_lm.LMState, dict[str, float]]:
    """The best minimum the search finds (see :mod:`nakinetics._search`), polished on every point of
    ``problem`` in natural coordinates; also the values of the first start."""
    held = setup.held
    searched = decimated(spectrum, SEARCH_MAX_POINTS)
    search = _Problem(circuit, searched, weighting, setup, search_coordinates=True)
    plan = starting_points(searched, circuit, fixed=held)
    forced = [{**plan.starts[0], **setup.initial, **held}] if setup.initial else []
    preset_starts = {n: v for n, v in setup.values.items() if setup.vary[n]}
    starts = [{**s, **preset_starts} for s in plan.starts] if preset_starts else plan.starts
    ranked = _search.rank_starts(
        search, [search.to_internal(s) for s in [*forced, *starts]], keep_first=len(forced)
    )
    if not ranked:
        if setup.ties:  # say which tie made every start infeasible
            try:
                search.tied.check(search.values(search.to_internal({**plan.starts[0], **held})))
            except TieError as exc:
                raise TieError(f"{spectrum.label}: {exc} at every starting point") from None
        raise FitError(f"{spectrum.label}: {circuit.text} is not finite at any starting point")
    ranked = ranked[:max_starts] if max_starts else ranked
    n_free = len(problem.free)
    n_res = 2 * len(searched)
    floor = (
        plan.noise_rms * math.sqrt(max(n_res - n_free, 1) / n_res)
        if plan.noise_rms
        else plan.drt_relative_rms
    )
    n_processes = len(circuit_processes(circuit).processes)

    window = (float(searched.omega.min()), float(searched.omega.max()))

    def neighbours(u: FloatArray) -> list[FloatArray]:
        starts = regrouped_starts(
            circuit, search.named(u), fixed=held, window=window, peaks=plan.peaks, data_start=plan.starts[0]
        )
        return [search.to_internal(s) for s in starts]

    outcome = _search.multistart(search, ranked, n_processes, SETTLE_RATIO * floor, neighbours)
    if global_fallback and search.relative_rms(outcome.state.u) > SEARCH_WIDEN_RATIO * floor:
        box = np.array(ranked[: max(len(forced), 1) + _search.WIDE_PROBES])
        found = _search.global_search(search, box.min(axis=0), box.max(axis=0))
        found.evaluations += outcome.evaluations
        outcome = (
            found
            if found.state.cost < outcome.state.cost
            else replace(outcome, evaluations=found.evaluations)
        )
    polish = _search.probe(problem, problem.to_internal(search.named(outcome.state.u)), 0)
    polish.evaluations += outcome.evaluations
    state = _search.converge(problem, polish)
    return state, problem.named(problem.to_internal(search.named(ranked[0])))


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
    if problem.tied:  # a tie that cannot hold within its bounds: refused, not reported
        try:
            problem.tied.check(full)
        except TieError as exc:
            raise TieError(f"{spectrum.label}: {exc} at the fitted values") from None
    z, dz = circuit.impedance_and_jacobian(problem.frequencies, full)
    residual = weighted_residual(z, problem.data, problem.w_re, problem.w_im)
    jacobian = problem.weighted_jacobian(problem.free_derivatives(full, dz))
    chisqr = float(residual @ residual)
    n_data, k = residual.size, len(problem.free)
    redchi = chisqr / (n_data - k) if n_data > k else math.nan
    covariance = _covariance(jacobian, redchi) if k else None
    stderr = np.sqrt(np.diag(covariance)) if covariance is not None else None
    flat: list[int] = []
    if k and covariance is None:
        flat, stderr = _conditional_stderr(jacobian, redchi)
    tie_errors = _tied_stderr(problem, full, covariance)

    fitted: dict[str, FittedParameter] = {}
    for i, info in enumerate(circuit.parameters):
        vary = setup.vary[info.name]
        error = float(stderr[problem.free.index(i)]) if vary and stderr is not None else None
        error = error if error is None or math.isfinite(error) else None
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
        message=(
            f"converged along a flat direction of χ² (its last {_lm.STALL_WINDOW} iterations lowered χ² by less "
            f"than {_lm.STALL_GAIN:g} × its noise variance)"
            if converged and state.stalled
            else "converged"
            if converged
            else f"stopped after {state.iterations} iterations without converging"
        ),
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
    undetermined = [problem.names[problem.free[j]] for j in flat]
    return replace(result, warnings=tuple(fit_warnings(result, undetermined, flat_valley=state.stalled)))


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


FLAT_SINGULAR_VALUE = 1e-7
"""A direction of the column-scaled Jacobian whose singular value is below this fraction of the largest (JᵀJ
conditioned beyond 1e14, where the covariance is not computed) is flat: χ² does not change along it."""
FLAT_SHARE = 0.1
"""A parameter whose unit vector has at least this component in the flat directions is not determined."""


def _conditional_stderr(jacobian: FloatArray, redchi: float) -> tuple[list[int], FloatArray | None]:
    """When JᵀJ is singular: the free parameters along its flat directions (indices) and the standard errors
    of the others conditional on them (NaN for the flat ones; ``None`` when even the rest is singular)."""
    scale = np.linalg.norm(jacobian, axis=0)
    if not (np.all(np.isfinite(jacobian)) and math.isfinite(redchi)) or not np.any(scale > 0):
        return [], None
    scaled = jacobian / np.where(scale > 0, scale, 1.0)
    _, singular, vt = np.linalg.svd(scaled, full_matrices=False)
    null = vt[singular < FLAT_SINGULAR_VALUE * singular[0]]
    share = np.sqrt((null**2).sum(axis=0)) if null.size else np.zeros(jacobian.shape[1])
    flat = [j for j in range(jacobian.shape[1]) if scale[j] == 0 or share[j] >= FLAT_SHARE]
    keep = [j for j in range(jacobian.shape[1]) if j not in flat]
    covariance = _covariance(jacobian[:, keep], redchi) if flat and keep else None
    if covariance is None:
        return flat, None
    stderr = np.full(jacobian.shape[1], np.nan)
    stderr[keep] = np.sqrt(np.diag(covariance))
    return flat, stderr


def fit_warnings(
    result: FitResult, undetermined: Collection[str] = (), *, flat_valley: bool = False
) -> list[str]:
    """Plain-language problems with a fit: bounds, missing or large errors, correlated pairs, arcs
    whose apex lies outside the measured window.  ``undetermined``: free parameters along a flat direction of
    χ² (:func:`_conditional_stderr`); ``flat_valley``: the fit converged by the stall test (``_lm.STALL_GAIN``)."""
    notes: list[str] = []
    if not result.statistics.success:
        notes.append(f"fit did not converge: {result.statistics.message}")
    if flat_valley:
        notes.append(
            f"the fit ended in a flat valley of χ² (its last {_lm.STALL_WINDOW} iterations lowered χ² by less than "
            f"{_lm.STALL_GAIN:g} × its noise variance): the parameters along the valley are not determined"
        )
    if undetermined:
        notes.append(
            f"{', '.join(undetermined)}: not determined — χ² is flat along a combination of them (the data fix "
            "only that combination, e.g. a sum of resistances), so they have no standard error; the other "
            "parameters' errors are conditional on them"
        )
    for p in result.parameters.values():
        if not p.vary:
            continue
        span = math.log(p.max / p.min) if p.min > 0 else p.max - p.min
        near = (math.log(p.value / p.min) if p.min > 0 else p.value - p.min) < 1e-4 * span or (
            math.log(p.max / p.value) if p.min > 0 else p.max - p.value
        ) < 1e-4 * span
        if near:
            bounds = f"[{p.min:g}, {p.max:g}]" + (f" {p.unit}" if p.unit else "")
            notes.append(f"{p.name} = {with_unit(p.value, p.unit, '.4g')} is at a bound {bounds}")
        if p.stderr is None:
            if p.name not in undetermined:
                notes.append(f"{p.name}: standard error could not be estimated")
        elif p.stderr > abs(p.value):
            notes.append(
                f"{p.name}: standard error {with_unit(p.stderr, p.unit)} exceeds the value "
                f"{with_unit(p.value, p.unit)} (not determined)"
            )
    if result.correlation is not None:
        names = result.varying
        corr = result.correlation
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                same_cpe = names[i].rsplit("_", 1)[0] == names[j].rsplit("_", 1)[0] and "CPE" in names[i]
                if not same_cpe and np.isfinite(corr[i, j]) and abs(corr[i, j]) > CORRELATION_WARNING:
                    notes.append(f"{names[i]} and {names[j]} are strongly correlated (r = {corr[i, j]:+.3f})")
    elif result.statistics.n_varying and not undetermined:
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
