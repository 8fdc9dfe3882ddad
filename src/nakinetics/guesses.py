"""Data-driven starting values: no initial guesses typed in by the user.

The spectrum is first decomposed into a smooth, non-negative distribution of relaxation times
(:func:`relaxation_peaks`): Z ≈ R∞ + jωL + Σ a_k (jω)^-n_k + Σ R_m/(1 + jωτ_m) on a log grid of τ, solved
by NNLS (:mod:`nakinetics._nnls`) with a second-difference smoothness penalty, so that one dispersed arc
(R‖CPE, n ≈ 0.7) gives one broad peak rather than a comb of spikes.  Peaks of that distribution give the resistance, time constant and
width of each relaxation visible in the data; the least-squares misfit, corrected for the distribution's
effective number of parameters, estimates the noise level.

The circuit's structure (:func:`circuit_processes`) says which parameters form a relaxation — an arc
(R‖C, R‖CPE) or an element with a resistance and a time constant (Wo, Ws, G, Gs, K, Zarc, ...) — and which
are series resistance, inductance, blocking capacitance or a Warburg tail.  :func:`starting_points`
combines both: every plausible way of grouping the peaks (at two smoothing levels) into as many
relaxations as the circuit has — merging neighbours, splitting one broad peak in two, setting aside
peaks outside the window — and, where processes of different kinds could take them, every order of
assignment.  The fit ranks these starts by their misfit and refines the best few.  All functions are
pure.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ._checks import analysable_spectrum
from ._nnls import nnls
from ._typing import ComplexArray, FloatArray
from .circuit import Circuit, Element, Node, Parallel, Series, elements_of
from .data import Spectrum

_CAPACITIVE = {"C", "CPE"}
_INDUCTIVE = {"L", "La"}
WIDTH_PER_DISPERSION = 4.8
"""A DRT peak of an R‖CPE is about 4.8 (1 − n) wider in ln τ than that of an ideal R‖C."""
TAIL_EXPONENTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Exponents n of the low-frequency tail terms (jω)^-n tried when the circuit has a blocking element or
Warburg diffusion."""
BLOCKING_SLOW_EXTENSION = 0.3
"""For circuits with a series (blocking) capacitor the DRT's slowest τ is 0.3/ω_min (apex ≈ 3 f_min)."""
SMOOTHING_LEVELS = (1e-2, 1e-1)
"""Strengths of the DRT's smoothness penalty (relative to unit-norm columns) whose peaks seed starts:
the weaker one separates arcs a few-fold apart, the stronger one keeps a dispersed arc in one peak."""
FEW_PROCESSES = 2
"""Circuits with at most this many relaxations take their starts from the weaker smoothing level only, are
searched without probing and get regrouping moves only around a fit with a collapsed relaxation (see
:mod:`nakinetics._search`): their alternatives are few and cheap to cover."""
COLLAPSED_SHARE = 0.02
OVERLAPPING_TAU_RATIO = 30.0
"""Two relaxations whose time constants lie within this factor of each other overlap in the spectrum (an R‖CPE
arc spans two decades or more): the data can be shared between them in more than one way, so a fit with at most
``FEW_PROCESSES`` relaxations gets regrouping moves then too.  Measured on a blocking pellet whose bulk and
grain-boundary arcs peak 2–10× apart (1 % noise, 120 spectra): without the moves 6 fits ended in a minimum with
χ² 1.01–1.13× the best (bulk resistance 1.1–36× off, standard errors of 0.2–2 %), with them none."""
DRT_POINTS_PER_DECADE = 8
DRT_MAX_POINTS = 150
"""Longer spectra are decimated (evenly in log f) for the DRT; peaks do not need more points."""
MAX_PEAKS_OVER_PROCESSES = 2
"""Peak lists longer than the circuit's processes + 2 are shortened first, merging the least significant
peak into its nearer neighbour, so the groupings stay few (tens, not thousands)."""
MAX_ORDERS = 6
"""At most this many orders of assigning relaxations to processes of different kinds."""
PEAK_SPLIT_MIN_SHARE = 0.05
"""Peaks holding at least this share of the total polarisation resistance are also tried split in two."""


StartValues = Callable[[float, float, Mapping[str, float]], dict[str, float]]
"""``(R, τ, previous) → values by parameter suffix``: an element's start for a relaxation of resistance R (Ω) and
time constant τ (s); ``previous`` holds its values so far (by suffix) for parameters the relaxation does not set."""


@dataclass(frozen=True)
class ElementStart:
    """How an element that relaxes by itself (a finite Warburg, a Gerischer, a porous electrode, ...) takes its
    starting values from a relaxation (R, τ) of the distribution of relaxation times, and back.

    ``variants`` give its values for (R, τ), one function per shape (the first is the element's usual form, the
    others are further starts); ``relaxation`` is the inverse of the first: the (R, τ) of fitted values — R the
    element's DC resistance, τ where its main DRT peak lies.  Calibrated by decomposing each element's own impedance (a unit element over 14 decades,
    the DRT used for the starts)."""

    variants: tuple[StartValues, ...]
    relaxation: Callable[[Mapping[str, float]], tuple[float, float]]
    tailed: bool = False
    """The element's low-frequency end is capacitive (the DRT then needs its tail terms); an exponent ``n`` of
    such an element starts at the tail's exponent."""
    exponent_is_width: bool = True
    """An exponent ``n`` broadens the element's DRT peak (Zarc), so it follows the peak's width."""


def _scaled(r_ratio: float, t_ratio: float, r: str = "R", t: str = "tau") -> ElementStart:
    """Parameters R = ``r_ratio`` × R_DRT and τ = ``t_ratio`` × τ_DRT."""
    return ElementStart(
        (lambda res, tau, _: {r: r_ratio * res, t: t_ratio * tau},),
        lambda v: (v[r] / r_ratio, v[t] / t_ratio),
    )


def _finite_gerischer(res: float, tau: float, _: Mapping[str, float]) -> dict[str, float]:
    """Gs at φ = 1 (between a Gerischer and an arc): its main DRT peak holds ≈ R at τ."""
    return {"R": res, "tau": tau, "phi": 1.0}


def _porous_electrode_dc(v: Mapping[str, float]) -> float:
    """DC resistance of T: A coth√a/√a + B/(√a sinh√a)."""
    root = math.sqrt(v["a"])
    return v["A"] / (root * math.tanh(root)) + v["B"] / (root * math.sinh(root))


def _porous_electrode(a: float, b_over_a: float) -> StartValues:
    """T with shape a and B/A given, its DC resistance R and b = a τ (β² = a (1 + jω b/a): it relaxes at b/a)."""

    def values(res: float, tau: float, _: Mapping[str, float]) -> dict[str, float]:
        unit = _porous_electrode_dc({"A": 1.0, "B": b_over_a, "a": a})
        return {"A": res / unit, "B": b_over_a * res / unit, "a": a, "b": a * tau}

    return values


def _transmission_line(res: float, tau: float, previous: Mapping[str, float]) -> dict[str, float]:
    """TLMQ, a reflective Warburg (Wo: R = 3 R_DRT, τ = 2.5 τ_DRT) when n = 1: R_ion = 3R, (R_ion Q)^(1/n) = 2.5τ,
    n as before (the low-frequency tail's exponent)."""
    n = previous.get("n", 0.9)
    return {"Rion": 3.0 * res, "Q": (2.5 * tau) ** n / (3.0 * res), "n": n}


ELEMENT_STARTS: dict[str, ElementStart] = {
    # finite Warburg and Gerischer elements peak near ωτ ≈ 2.5; the reflective Wo's DC limit is R/3, its
    # low-frequency tail being capacitive
    "Wo": replace(_scaled(3.0, 2.5), tailed=True),
    "Ws": _scaled(1.0, 2.5),
    "G": _scaled(1.0, 2.5),
    # Gs: the DC resistance R/tanh φ, scaled to the main peak's R at φ = 1
    "Gs": ElementStart(
        (_finite_gerischer,), lambda v: (v["R"] * math.tanh(1.0) / math.tanh(v["phi"]), v["tau"])
    ),
    # porous electrode: a transmission line (a = 1, A = B), an arc (a ≪ 1) and a Gerischer (a ≫ 1)
    "T": ElementStart(
        (_porous_electrode(1.0, 1.0), _porous_electrode(0.1, 0.1), _porous_electrode(10.0, 1.0)),
        lambda v: (_porous_electrode_dc(v), v["b"] / v["a"]),
    ),
    "TLMQ": ElementStart(
        (_transmission_line,),
        lambda v: (v["Rion"] / 3.0, (v["Rion"] * v["Q"]) ** (1.0 / v["n"]) / 2.5),
        tailed=True,
        exponent_is_width=False,
    ),
}
"""Start rules of the built-in relaxation elements; any other element with parameters ``R`` and ``tau`` (K, Zarc,
a registered element) takes R and τ as they are."""
_DIRECT = _scaled(1.0, 1.0)


@dataclass(frozen=True)
class Relaxation:
    """One peak of the distribution of relaxation times: resistance R (Ω), time constant τ (s),
    significance R/|Z(ω = 1/τ)| (how much of the impedance at its own frequency the peak explains) and
    width: its dispersion in ln τ beyond that of an ideal R‖C (R-weighted standard deviation over the
    peak, the ideal element's subtracted in quadrature), ≈ 4.8 (1 − n) for an R‖CPE (see
    :func:`exponent_from_width`)."""

    resistance: float
    tau: float
    significance: float = 1.0
    width: float = 0.0


@dataclass(frozen=True)
class RelaxationAnalysis:
    """Result of :func:`relaxation_peaks`.

    ``r_inf`` is the high-frequency real intercept (Ω), ``inductance`` the series inductance (H),
    ``tails`` the low-frequency power-law terms as (n, a) with Z_tail = a (jω)^-n (a in Ω s^-n; n = 1 is a
    blocking capacitance 1/a, n = 0.5 a Warburg tail with σ = a/√2), ``peaks`` sorted by τ.
    ``relative_rms`` is the distribution model's misfit (relative to |Z|), ``dof`` its effective number of
    parameters (trace of the hat matrix on the active set) and ``noise_rms`` the relative noise this
    implies, √(χ²/(2N − dof)).
    """

    r_inf: float
    inductance: float
    tails: tuple[tuple[float, float], ...]
    peaks: tuple[Relaxation, ...]
    tau_grid: FloatArray
    distribution: FloatArray
    relative_rms: float
    dof: float = 0.0
    noise_rms: float = 0.0

    def dominant_tail(self, omega_min: float) -> tuple[float, float] | None:
        """The tail term (n, a) with the largest |Z| at ``omega_min``, or ``None`` without tails."""
        present = [(n, a) for n, a in self.tails if a > 0]
        if not present:
            return None
        return max(present, key=lambda t: t[1] * omega_min ** (-t[0]))


def relative_rms(model: ComplexArray, data: ComplexArray) -> float:
    """RMS of (Z_model − Z_data)/|Z_data| over the real and imaginary parts (dimensionless)."""
    return float(np.sqrt(np.mean(np.abs(model - data) ** 2 / np.abs(data) ** 2) / 2.0))


def decimated(spectrum: Spectrum, max_points: int) -> Spectrum:
    """At most ``max_points`` points of ``spectrum``, spread evenly in log f (all of them if fewer)."""
    if len(spectrum) <= max_points:
        return spectrum
    order = np.argsort(spectrum.frequency)
    log_f = np.log(spectrum.frequency[order])
    targets = np.linspace(log_f[0], log_f[-1], max_points)
    nearest = np.clip(np.searchsorted(log_f, targets), 1, log_f.size - 1)
    nearest -= (targets - log_f[nearest - 1]) < (log_f[nearest] - targets)
    return spectrum._subset(np.unique(order[nearest]))


def relaxation_peaks(
    spectrum: Spectrum,
    points_per_decade: int = DRT_POINTS_PER_DECADE,
    smoothing: float = SMOOTHING_LEVELS[0],
    tail_exponents: tuple[float, ...] = (1.0,),
    slow_extension: float = 10.0,
    noise: bool = True,
) -> RelaxationAnalysis:
    """Smooth non-negative DRT of ``spectrum`` and its peaks (see module docstring).

    The τ grid extends one decade beyond 1/ω_max and ``slow_extension`` × 1/ω_min so that arcs partly
    outside the measured window still get a peak.  ``tail_exponents`` adds series terms a·(jω)^-n (blocking
    electrode, Warburg) so that a low-frequency tail is not mistaken for huge arcs.  Rows are weighted by
    1/|Z|, columns scaled to unit norm, and ``smoothing`` weighs the penalty on second differences of the
    distribution (and on its two end points, which pulls it to zero at the grid's edges).  ``noise=False``
    skips the effective degrees of freedom and noise estimate (left at 0).

    Results are kept for the last ``ANALYSIS_CACHE_SIZE`` (spectrum, settings) pairs: the automatic choice
    fits several candidate circuits to one spectrum and their starts need the same few distributions.
    """
    key = (
        spectrum.frequency.tobytes(),
        spectrum.impedance.tobytes(),
        points_per_decade,
        smoothing,
        tuple(tail_exponents),
        slow_extension,
        noise,
    )
    cached = _ANALYSES.get(key)
    if cached is None:
        cached = _relaxation_analysis(
            spectrum, points_per_decade, smoothing, tail_exponents, slow_extension, noise
        )
        with _ANALYSES_LOCK:
            _ANALYSES[key] = cached
            while len(_ANALYSES) > ANALYSIS_CACHE_SIZE:
                del _ANALYSES[next(iter(_ANALYSES))]
    return cached


ANALYSIS_CACHE_SIZE = 16
_ANALYSES: dict[tuple[object, ...], RelaxationAnalysis] = {}
_ANALYSES_LOCK = threading.Lock()


def _relaxation_analysis(
    spectrum: Spectrum,
    points_per_decade: int,
    smoothing: float,
    tail_exponents: tuple[float, ...],
    slow_extension: float,
    noise: bool,
) -> RelaxationAnalysis:
    """:func:`relaxation_peaks` computed (its arrays read-only: the result is shared by the cache)."""
    spectrum = decimated(analysable_spectrum(spectrum, "relaxation_peaks"), DRT_MAX_POINTS)
    omega = spectrum.omega
    z = spectrum.impedance
    tau_min = 0.1 / omega.max()
    tau_max = slow_extension / omega.min()
    n_tau = max(int(np.ceil(np.log10(tau_max / tau_min) * points_per_decade)) + 1, 4)
    tau = np.geomspace(tau_min, tau_max, n_tau)
    wt = np.outer(omega, tau)
    denom = 1.0 + wt * wt
    weight = 1.0 / np.abs(z)
    tails = (
        np.column_stack([(1j * omega) ** (-n) for n in tail_exponents])
        if tail_exponents
        else np.zeros((omega.size, 0))
    )
    a_re = np.hstack([1.0 / denom, np.ones((omega.size, 1)), np.zeros((omega.size, 1)), tails.real])
    a_im = np.hstack([-wt / denom, np.zeros((omega.size, 1)), omega[:, None], tails.imag])
    matrix = np.vstack([a_re * weight[:, None], a_im * weight[:, None]])
    norms = np.linalg.norm(matrix, axis=0)
    col_scale = np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 1.0)
    matrix = matrix * col_scale
    penalty = np.zeros((n_tau, matrix.shape[1]))
    rows = np.arange(n_tau - 2)
    penalty[rows, rows], penalty[rows, rows + 1], penalty[rows, rows + 2] = 1.0, -2.0, 1.0
    penalty[n_tau - 2, 0] = penalty[n_tau - 1, n_tau - 1] = 1.0
    penalty *= math.sqrt(smoothing)
    target = np.concatenate([z.real * weight, z.imag * weight])
    coef, _ = nnls(np.vstack([matrix, penalty]), np.concatenate([target, np.zeros(n_tau)]))
    misfit = matrix @ coef - target
    chisqr = float(misfit @ misfit)
    dof = _effective_dof(matrix, penalty, coef > 0) if noise else 0.0
    coef = coef * col_scale
    gamma = coef[:n_tau]
    model = a_re @ coef + 1j * (a_im @ coef)
    n_res = 2 * omega.size
    tau.flags.writeable = gamma.flags.writeable = False
    return RelaxationAnalysis(
        r_inf=float(coef[n_tau]),
        inductance=float(coef[n_tau + 1]),
        tails=tuple((float(n), float(a)) for n, a in zip(tail_exponents, coef[n_tau + 2 :], strict=True)),
        peaks=_cluster(tau, gamma, spectrum, _ideal_width(smoothing)),
        tau_grid=tau,
        distribution=gamma,
        relative_rms=relative_rms(model, z),
        dof=dof,
        noise_rms=math.sqrt(chisqr / max(n_res - dof, 1.0)) if noise else 0.0,
    )


def _effective_dof(matrix: FloatArray, penalty: FloatArray, active: np.ndarray) -> float:
    """Trace of the hat matrix A_S (A_SᵀA_S + P_SᵀP_S)⁻¹ A_Sᵀ of the penalised fit on its active set S."""
    if not active.any():
        return 0.0
    a, p = matrix[:, active], penalty[:, active]
    gram = a.T @ a
    try:
        return float(np.trace(np.linalg.solve(gram + p.T @ p + 1e-12 * np.eye(gram.shape[0]), gram)))
    except np.linalg.LinAlgError:
        return float(active.sum())


def _ideal_width(smoothing: float) -> float:
    """Width (standard deviation in ln τ) of the DRT peak of an ideal R‖C at ``DRT_POINTS_PER_DECADE``:
    0.36 at smoothing 1e-2 and 0.49 at 1e-1 (measured on synthetic spectra), interpolated in log λ."""
    return float(np.interp(math.log10(smoothing), [-2.0, -1.0], [0.36, 0.49]))


def exponent_from_width(width: float) -> float:
    """CPE exponent n of an R‖CPE whose DRT peak has dispersion ``width`` (see :class:`Relaxation`):
    n ≈ 1 − width/4.8, calibrated on synthetic R‖CPE spectra with n = 0.6–1 and 1 % noise (±0.03),
    clipped to 0.5–1."""
    return min(max(1.0 - width / WIDTH_PER_DISPERSION, 0.5), 1.0)


def _cluster(
    tau: FloatArray,
    gamma: FloatArray,
    spectrum: Spectrum,
    ideal_width: float = 0.0,
    min_significance: float = 0.02,
) -> tuple[Relaxation, ...]:
    """Split the distribution at zeros and local minima; each part is one relaxation.

    A part is kept when its resistance is at least ``min_significance`` of |Z| at ω = 1/τ, so that small
    arcs next to a large blocking or diffusion tail are not lost.
    """
    total = gamma.sum()
    if total <= 0:
        return ()
    here, before, after = gamma[1:-1], gamma[:-2], gamma[2:]
    is_gap = (here <= 1e-12 * total) & (before > 0)
    is_valley = (here < before) & (here <= after) & (here > 0)
    boundaries = [0, *(np.flatnonzero(is_gap | is_valley) + 1).tolist(), gamma.size]
    order = np.argsort(spectrum.omega)
    log_w = np.log(spectrum.omega[order])
    log_modulus = np.log(spectrum.modulus[order])
    log_tau = np.log(tau)
    peaks = []
    for lo, hi in itertools.pairwise(boundaries):
        part = gamma[lo:hi]
        r = part.sum()
        if r <= 0:
            continue
        mean = float(np.sum(part * log_tau[lo:hi]) / r)
        spread = float(np.sum(part * (log_tau[lo:hi] - mean) ** 2) / r)
        width = math.sqrt(max(spread - ideal_width**2, 0.0))
        local = float(np.exp(np.interp(-mean, log_w, log_modulus)))
        significance = float(r / local)
        if significance >= min_significance:
            peaks.append(Relaxation(float(r), math.exp(mean), significance, width))
    return tuple(sorted(peaks, key=lambda p: p.tau))


# ---------------------------------------------------------------------------------------------------
# circuit structure


@dataclass
class Process:
    """A part of the circuit that produces one relaxation: an arc (parallel node) or an element with a
    resistance and a time constant; ``resistive`` and ``capacitive`` list the arc's elements whose values
    follow from (R, τ); ``parent`` is the arc a nested element sits in (it relaxes more slowly)."""

    node: Node
    resistive: list[Element] = field(default_factory=list)
    capacitive: list[Element] = field(default_factory=list)
    parent: Process | None = None

    @property
    def kind(self) -> str:
        return "element" if isinstance(self.node, Element) else "arc"

    @property
    def signature(self) -> str:
        """Processes with equal signatures are interchangeable when relaxations are assigned."""
        if isinstance(self.node, Element):
            return self.node.spec.symbol
        return _shape(self.node)


def _shape(node: Node) -> str:
    if isinstance(node, Element):
        return node.spec.symbol
    inner = ",".join(_shape(c) for c in node.children)
    return f"p({inner})" if isinstance(node, Parallel) else f"s({inner})"


def is_relaxation_element(element: Element) -> bool:
    """An element that relaxes by itself: one with a start rule (:data:`ELEMENT_STARTS`) or with a resistance
    and a time constant (K, Zarc, user elements alike)."""
    suffixes = {p.suffix for p in element.spec.parameters}
    return element.spec.symbol in ELEMENT_STARTS or {"R", "tau"} <= suffixes


def _element_start(element: Element) -> tuple[ElementStart, dict[str, str]]:
    """The start rule of a relaxation element and its parameter names by suffix."""
    names = dict(zip((p.suffix for p in element.spec.parameters), element.parameter_names, strict=True))
    return ELEMENT_STARTS.get(element.spec.symbol, _DIRECT), names


@dataclass
class CircuitRoles:
    """Structural roles of a circuit's elements, found by walking its tree."""

    processes: list[Process]
    series_resistors: list[Element]
    series_inductors: list[Element]
    series_capacitors: list[Element]
    warburgs: list[Element]


def circuit_processes(circuit: Circuit) -> CircuitRoles:
    """Classify every element of ``circuit`` by the part it plays (see :class:`CircuitRoles`)."""
    roles = CircuitRoles([], [], [], [], [])
    for node in circuit.top_level:
        _classify(node, roles, top_level=True, parent=None)
    return roles


def _classify(node: Node, roles: CircuitRoles, top_level: bool, parent: Process | None) -> None:
    if isinstance(node, Element):
        symbol = node.spec.symbol
        if symbol == "W":
            roles.warburgs.append(node)
        elif is_relaxation_element(node):
            roles.processes.append(Process(node, parent=parent))
        elif top_level and symbol == "R":
            roles.series_resistors.append(node)
        elif top_level and symbol in _INDUCTIVE:
            roles.series_inductors.append(node)
        elif top_level and symbol in _CAPACITIVE:
            roles.series_capacitors.append(node)
        return
    if isinstance(node, Series):
        for child in node.children:
            _classify(child, roles, top_level, parent)
        return
    process = Process(node, parent=parent)
    roles.processes.append(process)
    for branch in node.children:
        elements = elements_of(branch)
        symbols = {e.spec.symbol for e in elements}
        if symbols <= _CAPACITIVE:
            process.capacitive.extend(elements)
            continue
        process.resistive.extend(e for e in elements if e.spec.symbol == "R")
        if isinstance(branch, Element):
            if branch.spec.symbol != "R":
                _classify(branch, roles, top_level=False, parent=process)
        else:
            for child in branch.children:
                if not (isinstance(child, Element) and child.spec.symbol == "R"):
                    _classify(child, roles, top_level=False, parent=process)


# ---------------------------------------------------------------------------------------------------
# starting points


def warburg_sigma_estimate(spectrum: Spectrum, n_points: int = 5) -> float:
    """σ (Ω s^-½) from the slope of −Z'' against ω^-½ over the lowest-frequency points (≥ 0)."""
    order = np.argsort(spectrum.frequency)[: max(n_points, 2)]
    x = 1.0 / np.sqrt(spectrum.omega[order])
    y = -spectrum.imag[order]
    slope = np.polyfit(x, y, 1)[0] if np.ptp(x) > 0 else 0.0
    fallback = abs(spectrum.impedance[order[0]]) * np.sqrt(spectrum.omega[order[0]]) / 4.0
    return float(slope) if slope > 0 else float(fallback)


def _process_values(
    process: Process, relaxation: Relaxation, values: dict[str, float], variant: int = 0
) -> None:
    """Set the values of ``process``'s parameters in ``values`` for ``relaxation``; ``variant`` picks an
    element's shape variant (see :class:`ElementStart`; the first when it has fewer)."""
    resistance = max(relaxation.resistance, 1e-6)
    tau = max(relaxation.tau, 1e-12)
    node = process.node
    if isinstance(node, Element):  # finite diffusion, Gerischer, porous electrode, Zarc, K, ...
        rule, names = _element_start(node)
        previous = {suffix: values[name] for suffix, name in names.items() if name in values}
        start = rule.variants[variant if variant < len(rule.variants) else 0](resistance, tau, previous)
        for suffix, value in start.items():
            values[names[suffix]] = value
        if "n" in names and rule.exponent_is_width:
            values[names["n"]] = exponent_from_width(relaxation.width)
        return
    share = resistance / max(len(process.resistive), 1)
    for element in process.resistive:
        values[element.label] = share
    for element in process.capacitive:
        if element.spec.symbol == "C":
            values[element.label] = tau / resistance
        else:
            q_name, n_name = element.parameter_names
            exponent = exponent_from_width(relaxation.width)
            values[n_name] = exponent
            values[q_name] = tau**exponent / resistance


def _merged(peaks: list[Relaxation]) -> Relaxation:
    """One relaxation for a group of peaks: summed R, R-weighted mean ln τ, combined width."""
    r = sum(p.resistance for p in peaks)
    mean = sum(p.resistance * math.log(p.tau) for p in peaks) / r
    spread = sum(p.resistance * ((math.log(p.tau) - mean) ** 2 + p.width**2) for p in peaks) / r
    return Relaxation(r, math.exp(mean), max(p.significance for p in peaks), math.sqrt(spread))


def _shortened(peaks: list[Relaxation], length: int) -> list[Relaxation]:
    """Merge the least significant peak into its nearer neighbour (in ln τ) until ``length`` remain."""
    pool = list(peaks)
    while len(pool) > max(length, 1):
        k = min(range(len(pool)), key=lambda i: pool[i].significance)
        neighbours = [j for j in (k - 1, k + 1) if 0 <= j < len(pool)]
        j = min(neighbours, key=lambda i: abs(math.log(pool[i].tau / pool[k].tau)))
        lo, hi = min(j, k), max(j, k)
        pool[lo : hi + 1] = [_merged(pool[lo : hi + 1])]
    return pool


def _split(peak: Relaxation) -> list[Relaxation]:
    """A broad peak as two relaxations half its R apart by about its width (a factor 2–4.5 either side)."""
    factor = math.exp(min(max(peak.width, 0.7), 1.5))
    half = Relaxation(peak.resistance / 2, peak.tau, peak.significance / 2, peak.width / 2)
    return [
        Relaxation(half.resistance, peak.tau / factor, half.significance, half.width),
        Relaxation(half.resistance, peak.tau * factor, half.significance, half.width),
    ]


def _shoulders(peak: Relaxation) -> list[tuple[Relaxation, Relaxation]]:
    """A small relaxation (10 % of R) on either flank of ``peak`` (a factor e^max(width, 1) away), with
    what is left of the peak."""
    factor = math.exp(max(peak.width, 1.0))
    rest = Relaxation(0.9 * peak.resistance, peak.tau, peak.significance, peak.width)
    return [
        (Relaxation(0.1 * peak.resistance, peak.tau / factor, 0.0, 0.0), rest),
        (Relaxation(0.1 * peak.resistance, peak.tau * factor, 0.0, 0.0), rest),
    ]


def _padded(
    peaks: list[Relaxation], n: int, window: tuple[float, float], r_span: float
) -> list[list[Relaxation]]:
    """Ways to reach ``n`` relaxations from fewer peaks: split the largest repeatedly, or add one small arc
    just above the window (ω in rad/s) or one just below it."""
    total = sum(p.resistance for p in peaks) or r_span
    fast = Relaxation(0.01 * total, 0.3 / window[1], 0.0, 0.0)
    slow = Relaxation(0.1 * total, 3.0 / window[0], 0.0, 0.0)
    variants = []
    for extra in ([], [fast], [slow]):
        pool = sorted([*peaks, *extra], key=lambda p: p.tau)
        if len(pool) > n or (extra and not peaks):
            continue
        while len(pool) < n:
            if not pool:
                mid = 1.0 / math.sqrt(window[0] * window[1])
                pool = [Relaxation(total, mid, 1.0, 1.0)]
                continue
            k = max(range(len(pool)), key=lambda i: pool[i].resistance)
            pool[k : k + 1] = _split(pool[k])
        variants.append(pool)
    return variants


def _groupings(
    peaks: list[Relaxation], n: int, window: tuple[float, float]
) -> Iterator[tuple[list[Relaxation], float]]:
    """Every way to group ``peaks`` (sorted by τ) into ``n`` contiguous groups, leaving out leading peaks
    faster than the window (ω in rad/s) or trailing peaks slower than it.

    Yields the relaxations and the resistance of the left-out fast peaks (part of the intercept)."""
    tau_fast, tau_slow = 1.0 / window[1], 1.0 / window[0]
    m = len(peaks)
    lead = 0
    while lead < m - n and peaks[lead].tau < tau_fast:
        lead += 1
    trail = 0
    while trail < m - n and peaks[m - 1 - trail].tau > tau_slow:
        trail += 1
    for a in range(lead + 1):
        left_out = sum(p.resistance for p in peaks[:a])
        for b in range(m - trail, m + 1):
            if b - a < n:
                continue
            for cuts in itertools.combinations(range(a + 1, b), n - 1):
                edges = (a, *cuts, b)
                yield [_merged(peaks[edges[i] : edges[i + 1]]) for i in range(n)], left_out


def _orders(processes: list[Process], held: frozenset[str] = frozenset()) -> list[list[Process]]:
    """Orders in which sorted relaxations may be assigned: interchangeable processes (same signature, no
    ``held`` parameter) keep their order in the string, a process nested in an arc comes after that arc;
    at most ``MAX_ORDERS``, the string order (arcs first, then elements) first."""

    def signature(process: Process) -> str:
        own = {n for e in elements_of(process.node) for n in e.parameter_names}
        return f"{process.signature}#{id(process)}" if own & held else process.signature

    default = [p for p in processes if p.kind == "arc"] + [p for p in processes if p.kind != "arc"]
    signatures = {id(p): signature(p) for p in processes}
    if len(processes) > 7 or len(set(signatures.values())) == 1:
        return [default]
    orders, seen = [default], {tuple(signatures[id(p)] for p in default)}
    index = {id(p): i for i, p in enumerate(processes)}
    for perm in itertools.permutations(processes):
        key = tuple(signatures[id(p)] for p in perm)
        position = {id(p): i for i, p in enumerate(perm)}
        nested_first = any(p.parent is not None and position[id(p)] < position[id(p.parent)] for p in perm)
        if key in seen or nested_first:
            continue
        by_signature: dict[str, list[int]] = {}
        for p in perm:
            by_signature.setdefault(signatures[id(p)], []).append(index[id(p)])
        if any(seq != sorted(seq) for seq in by_signature.values()):
            continue
        seen.add(key)
        orders.append(list(perm))
        if len(orders) >= MAX_ORDERS:
            break
    return orders


@dataclass(frozen=True)
class StartPlan:
    """Candidate starting points (most plausible first; the fit ranks them by misfit) and what the data's
    distribution of relaxation times says a correct model can reach: its own relative RMS misfit
    (``drt_relative_rms``) and the relative noise level (``noise_rms``, corrected for the distribution's
    effective number of parameters; 0 when unknown); ``peaks`` are the distribution's peaks (the weaker
    smoothing), for moves around a fit (:func:`regrouped_starts`)."""

    starts: list[dict[str, float]]
    drt_relative_rms: float
    noise_rms: float = 0.0
    peaks: tuple[Relaxation, ...] = ()


def starting_points(
    spectrum: Spectrum, circuit: Circuit, fixed: dict[str, float] | None = None, max_starts: int = 400
) -> StartPlan:
    """Candidate starting points for fitting ``circuit`` to ``spectrum`` (all parameters named).

    Each start assigns one grouping of the DRT peaks (see module docstring) to the circuit's arcs and
    relaxation elements in order of time constant; the series resistance, inductance, blocking capacitance
    and Warburg coefficient come from the intercept, the inductive tail and the low-frequency slope.
    """
    roles = circuit_processes(circuit)
    has_tail = bool(roles.series_capacitors or roles.warburgs) or any(
        _element_start(p.node)[0].tailed for p in roles.processes if isinstance(p.node, Element)
    )
    # with a blocking element in series, relaxations slower than the window would only compete with the
    # capacitive tail (and split it into fake arcs), so the τ grid stops inside the window
    slow_extension = BLOCKING_SLOW_EXTENSION if roles.series_capacitors else 10.0
    analyses = [
        relaxation_peaks(
            spectrum,
            smoothing=level,
            tail_exponents=TAIL_EXPONENTS if has_tail else (1.0,),
            slow_extension=slow_extension,
            noise=k == 0,
        )
        for k, level in enumerate(SMOOTHING_LEVELS[: 1 if len(roles.processes) <= FEW_PROCESSES else None])
    ]
    base = _series_values(spectrum, roles, analyses[0])
    window = (float(spectrum.omega.min()), float(spectrum.omega.max()))
    n = len(roles.processes)
    orders = _orders(roles.processes, frozenset(fixed or ())) if n else [[]]
    series_r = roles.series_resistors[0].label if roles.series_resistors else None

    starts: list[dict[str, float]] = []
    seen: set[tuple[float, ...]] = set()
    r_span = max(float(np.ptp(spectrum.real)), 1e-3 * float(np.abs(spectrum.impedance).max()))
    variants = max(
        (len(_element_start(p.node)[0].variants) for p in roles.processes if isinstance(p.node, Element)),
        default=1,
    )
    for peak_list, shift in _peak_lists(analyses, roles, n, window, r_span):
        for relaxations, left_out in _groupings(peak_list, n, window) if n else [([], 0.0)]:
            for order, variant in itertools.product(orders, range(variants)):
                values = dict(base)
                if series_r is not None:
                    values[series_r] = max(values[series_r] + shift + left_out, 1e-3 * r_span)
                for process, relaxation in zip(order, relaxations, strict=True):
                    _process_values(process, relaxation, values, variant)
                for info in circuit.parameters:
                    values.setdefault(info.name, info.spec.default)
                if fixed:
                    values.update(fixed)
                key = tuple(round(math.log(abs(v)) if v else 0.0, 1) for _, v in sorted(values.items()))
                if key not in seen:
                    seen.add(key)
                    starts.append(values)
            if len(starts) >= max_starts:
                break
        if len(starts) >= max_starts:
            break
    return StartPlan(starts[:max_starts], analyses[0].relative_rms, analyses[0].noise_rms, analyses[0].peaks)


def _peak_lists(
    analyses: list[RelaxationAnalysis],
    roles: CircuitRoles,
    n: int,
    window: tuple[float, float],
    r_span: float,
) -> Iterator[tuple[list[Relaxation], float]]:
    """Peak lists to group, each with a change of the series resistance: each smoothing level's peaks
    (shortened to n + 2; with a Warburg element also without the slowest peak, which may be its tail),
    then the same with one significant peak split in two; with fewer peaks than processes, the padded
    variants instead.  With a series resistor, the intercept also becomes a peak just above the window
    that the fastest relaxation may take over (an arc whose apex lies above the window leaves the series
    resistance undetermined, and its best fit often has almost none)."""
    variants: list[list[Relaxation]] = []
    for analysis in analyses:
        peaks = list(analysis.peaks)
        choices = [peaks[:-1], peaks] if roles.warburgs and len(peaks) > n else [peaks]
        for chosen in choices:
            if len(chosen) < n:
                variants.extend(_padded(chosen, n, window, r_span))
            else:
                variants.append(_shortened(chosen, n + MAX_PEAKS_OVER_PROCESSES))
    splits: list[list[Relaxation]] = []
    for peaks in variants:
        total = sum(p.resistance for p in peaks)
        for k, peak in enumerate(peaks):
            if n and peak.resistance >= PEAK_SPLIT_MIN_SHARE * total:
                splits.append([*peaks[:k], *_split(peak), *peaks[k + 1 :]])
    yield from ((v, 0.0) for v in variants)
    r_inf = analyses[0].r_inf
    if roles.series_resistors and n and r_inf > 0:
        intercept = Relaxation(r_inf, 1.0 / (3.0 * window[1]), 0.0, 0.0)
        peaks = [intercept, *_shortened(list(analyses[0].peaks), n + MAX_PEAKS_OVER_PROCESSES - 1)]
        for padded in _padded(peaks, n, window, r_span) if len(peaks) < n else [peaks]:
            yield padded, -r_inf
    yield from ((v, 0.0) for v in splits)


def fitted_relaxation(process: Process, values: dict[str, float]) -> Relaxation | None:
    """The (R, τ, width) a process has at fitted ``values`` (the inverse of the start rules), or ``None``
    for a process without a resistance.  An R‖CPE arc's width is 4.8 (1 − n) (see :class:`Relaxation`)."""
    node = process.node
    if isinstance(node, Element):
        rule, names = _element_start(node)
        by_suffix = {suffix: values[name] for suffix, name in names.items()}
        with np.errstate(all="ignore"):
            try:
                resistance, tau = (float(x) for x in rule.relaxation(by_suffix))
            except (ArithmeticError, ValueError):
                return None
        if not (math.isfinite(resistance) and math.isfinite(tau) and resistance > 0 and tau > 0):
            return None
        exponent = by_suffix.get("n", 1.0) if rule.exponent_is_width else 1.0
        return Relaxation(resistance, tau, 1.0, WIDTH_PER_DISPERSION * (1 - exponent))
    if not process.resistive or not process.capacitive:
        return None
    resistance = sum(values[e.label] for e in process.resistive)
    cap = process.capacitive[0]
    if cap.spec.symbol == "C":
        return Relaxation(resistance, resistance * values[cap.label], 1.0, 0.0)
    q, n = (values[name] for name in cap.parameter_names)
    with np.errstate(all="ignore"):
        tau = float((resistance * q) ** (1.0 / n))
    return (
        Relaxation(resistance, tau, 1.0, WIDTH_PER_DISPERSION * (1 - n))
        if math.isfinite(tau) and tau > 0
        else None
    )


def regrouped_starts(
    circuit: Circuit,
    values: dict[str, float],
    fixed: dict[str, float] | None = None,
    window: tuple[float, float] | None = None,
    peaks: tuple[Relaxation, ...] = (),
    data_start: dict[str, float] | None = None,
) -> list[dict[str, float]]:
    """Starts next to a fit, in the space of groupings, so that an arc that collapsed to nothing, two arcs
    sharing one relaxation or an arc that took over a tail get redistributed:

    * every pair of neighbouring relaxations (in τ) merged into one and every relaxation in turn split in
      two;
    * the fastest or the slowest relaxation dropped (the intercept or a low-frequency tail takes it over)
      and every other one in turn split in two; with the slowest dropped, the low-frequency tail (blocking
      capacitance, Warburg σ) restarts from ``data_start`` (the data-driven start), as the dropped
      relaxation may have been standing in for it;
    * every relaxation replaced by a DRT peak (``peaks``) that no relaxation of the fit accounts for
      (none within a factor 3 in τ);
    * a collapsed relaxation (see below) re-seeded as a small shoulder on either side of each other one;
    * the fit's relaxations assigned in every other order the processes admit (an arc and a diffusion
      element trading places).

    Each move is assigned in the fit's order of the processes; processes whose relaxation is untouched keep
    their fitted values (exponents included).  With a ``window`` (ω_min, ω_max in rad/s), a circuit with at most ``FEW_PROCESSES`` relaxations gets these
    moves only when one of its relaxations has collapsed — less than ``COLLAPSED_SHARE`` of the total
    resistance, or an apex more than 3× outside the window — or two of them overlap (time constants within
    ``OVERLAPPING_TAU_RATIO``); otherwise its other minima are few and the starts already cover them."""
    roles = circuit_processes(circuit)
    in_string_order = roles.processes
    relaxations = [fitted_relaxation(p, values) for p in in_string_order]
    fitted = sorted(
        ((r, p) for r, p in zip(relaxations, in_string_order, strict=True) if r is not None),
        key=lambda rp: rp[0].tau,
    )
    if not fitted or len(fitted) < len(in_string_order):
        return []
    current = [r for r, _ in fitted]
    processes = [p for _, p in fitted]
    total = sum(r.resistance for r in current)
    collapsed = [
        window is not None
        and (r.resistance < COLLAPSED_SHARE * total or not 1 / (3 * window[1]) <= r.tau <= 3 / window[0])
        for r in current
    ]
    if (
        window is not None
        and len(processes) <= FEW_PROCESSES
        and not (any(collapsed) or _ambiguous(current, processes, window))
    ):
        return []
    moves: list[list[Relaxation]] = []
    for i in range(len(current) - 1):
        merged = [*current[:i], _merged(current[i : i + 2]), *current[i + 2 :]]
        moves += [[*merged[:j], *_split(merged[j]), *merged[j + 1 :]] for j in range(len(merged))]
    tail = [n for e in roles.series_capacitors + roles.warburgs for n in e.parameter_names]
    tail_start = {n: data_start[n] for n in tail if n in data_start} if data_start else {}
    resets: dict[int, dict[str, float]] = {}
    for edge in sorted({0, len(current) - 1}) if len(current) > 1 else ():
        rest = [*current[:edge], *current[edge + 1 :]]
        for j in range(len(rest)):
            if edge and tail_start:
                resets[len(moves)] = tail_start
            moves.append([*rest[:j], *_split(rest[j]), *rest[j + 1 :]])
    unused = [p for p in peaks if all(abs(math.log(p.tau / r.tau)) > math.log(3) for r in current)]
    moves += [[*current[:i], peak, *current[i + 1 :]] for i in range(len(current)) for peak in unused]
    for i in (k for k, gone in enumerate(collapsed) if gone):
        for j in (k for k in range(len(current)) if k != i):
            for shoulder, rest in _shoulders(current[j]):
                move = list(current)
                move[i], move[j] = shoulder, rest
                moves.append(move)
    # each move is assigned in the fit's own order; the fit's relaxations themselves also in every other
    # order the processes admit (an arc and a diffusion element trading places)
    own = {id(p): r for p, r in zip(processes, current, strict=True)}
    swaps = [
        (current, order)
        for order in _orders(in_string_order, frozenset(fixed or ()))
        if [id(p) for p in order] != [id(p) for p in processes]
    ]
    starts = []
    for k, (move, order) in enumerate([(move, processes) for move in moves] + swaps):
        start = {**values, **resets.get(k, {})}
        for process, new in zip(order, sorted(move, key=lambda r: r.tau), strict=True):
            if new is not own[id(process)]:
                _process_values(process, new, start)
        if fixed:
            start.update(fixed)
        starts.append(start)
    return starts


def _ambiguous(current: list[Relaxation], processes: list[Process], window: tuple[float, float]) -> bool:
    """Whether a fit's relaxations (sorted by τ) could share the data in another way: two of them overlap
    (time constants within ``OVERLAPPING_TAU_RATIO``), or an arc's apex lies within a factor 3 of the window's
    edge, where it can trade resistance with the intercept or a low-frequency tail (measured on a blocking
    pellet: an arc at the bottom edge that took part of the electrode's spike while the two electrolyte arcs
    merged, χ² 1.01–1.26× the best)."""
    if any(b.tau < OVERLAPPING_TAU_RATIO * a.tau for a, b in itertools.pairwise(current)):
        return True
    fast_edge, slow_edge = 3.0 / window[1], 1.0 / (3.0 * window[0])
    return any(
        p.kind == "arc" and not fast_edge <= r.tau <= slow_edge
        for r, p in zip(current, processes, strict=True)
    )


def _series_values(spectrum: Spectrum, roles: CircuitRoles, analysis: RelaxationAnalysis) -> dict[str, float]:
    """Starting values of the series resistance, inductance (L, or La at n = 1), blocking capacitance and
    Warburg σ, and the exponent of a relaxation element's interface CPE (from the low-frequency tail)."""
    base: dict[str, float] = {}
    r_span = max(float(np.ptp(spectrum.real)), 1e-3 * float(np.abs(spectrum.impedance).max()))
    for k, element in enumerate(roles.series_resistors):
        base[element.label] = max(analysis.r_inf, 1e-3 * r_span) if k == 0 else 1e-2 * r_span
    for element in roles.series_inductors:
        if element.spec.symbol == "La":  # (L jω)^n at n = 1 is the inductance the DRT found
            l_name, n_name = element.parameter_names
            base[l_name], base[n_name] = max(analysis.inductance, 1e-12), 1.0
        else:
            base[element.label] = max(analysis.inductance, 1e-12)
    w_min = float(spectrum.omega.min())
    tail = analysis.dominant_tail(w_min)
    if tail is None or tail[0] < 0.55:  # no blocking behaviour seen: a capacitor corner well below the window
        tail = (1.0, w_min * max(float(np.abs(spectrum.impedance).max()), 1e-9) / 10.0)
    for process in roles.processes:  # an interface CPE (transmission line) has the tail's exponent
        if isinstance(process.node, Element) and _element_start(process.node)[0].tailed:
            names = _element_start(process.node)[1]
            if "n" in names:
                base[names["n"]] = min(max(tail[0], 0.5), 1.0)
    for element in roles.series_capacitors:
        n_tail, a_tail = tail
        if element.spec.symbol == "C":
            base[element.label] = w_min ** (n_tail - 1.0) / a_tail  # same |Z| at the lowest frequency
        else:
            q_name, n_name = element.parameter_names
            base[n_name] = min(max(n_tail, 0.5), 1.0)
            base[q_name] = 1.0 / a_tail
    sigma = warburg_sigma_estimate(spectrum)
    for element in roles.warburgs:
        base[element.label] = sigma / max(len(roles.warburgs), 1)
    return base
