"""Data-driven starting values: no initial guesses typed in by the user.

The spectrum is first decomposed with a quick non-negative distribution of relaxation times
(:func:`relaxation_peaks`): Z ≈ R∞ + jωL + 1/(jωC_s) + Σ R_m/(1 + jωτ_m) on a log grid of τ, solved by
NNLS with a small ridge term.  Peaks of that distribution give the resistance and time constant of each
arc visible in the data.  The circuit's structure (:func:`circuit_processes`) says which parameters form
an arc (R‖C, R‖CPE), a finite diffusion element (Wo, Ws, G), a Warburg tail, a series resistance,
inductance or blocking capacitance; :func:`starting_points` combines both into a few structured starts.
All functions are pure.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls

from ._checks import analysable_spectrum
from ._typing import ComplexArray, FloatArray
from .circuit import Circuit, Element, Node, Series, elements_of
from .data import Spectrum

_CAPACITIVE = {"C", "CPE"}
_DIFFUSION = {"Wo", "Ws", "G"}
CPE_START_N = 0.85
"""Starting CPE exponent (between an ideal capacitor and a strongly dispersed arc)."""
TAIL_EXPONENTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Exponents n of the low-frequency tail terms (jω)^-n tried when the circuit has a blocking element or
Warburg diffusion."""
BLOCKING_SLOW_EXTENSION = 0.3
"""For circuits with a series (blocking) capacitor the DRT's slowest τ is 0.3/ω_min (apex ≈ 3 f_min)."""


@dataclass(frozen=True)
class Relaxation:
    """One peak of the distribution of relaxation times: resistance R (Ω), time constant τ (s) and
    significance R/|Z(ω = 1/τ)| (how much of the impedance at its own frequency the peak explains)."""

    resistance: float
    tau: float
    significance: float = 1.0


@dataclass(frozen=True)
class RelaxationAnalysis:
    """Result of :func:`relaxation_peaks`.

    ``r_inf`` is the high-frequency real intercept (Ω), ``inductance`` the series inductance (H),
    ``tails`` the low-frequency power-law terms as (n, a) with Z_tail = a (jω)^-n (a in Ω s^-n; n = 1 is a
    blocking capacitance 1/a, n = 0.5 a Warburg tail with σ = a/√2), ``peaks`` sorted by τ.
    """

    r_inf: float
    inductance: float
    tails: tuple[tuple[float, float], ...]
    peaks: tuple[Relaxation, ...]
    tau_grid: FloatArray
    distribution: FloatArray
    relative_rms: float

    def dominant_tail(self, omega_min: float) -> tuple[float, float] | None:
        """The tail term (n, a) with the largest |Z| at ``omega_min``, or ``None`` without tails."""
        present = [(n, a) for n, a in self.tails if a > 0]
        if not present:
            return None
        return max(present, key=lambda t: t[1] * omega_min ** (-t[0]))


def relative_rms(model: ComplexArray, data: ComplexArray) -> float:
    """RMS of (Z_model − Z_data)/|Z_data| over the real and imaginary parts (dimensionless)."""
    return float(np.sqrt(np.mean(np.abs(model - data) ** 2 / np.abs(data) ** 2) / 2.0))


def relaxation_peaks(
    spectrum: Spectrum,
    points_per_decade: int = 6,
    ridge: float = 1e-3,
    tail_exponents: tuple[float, ...] = (1.0,),
    slow_extension: float = 10.0,
) -> RelaxationAnalysis:
    """Non-negative DRT of ``spectrum`` and its peaks (see module docstring).

    The τ grid extends one decade beyond 1/ω_max and ``slow_extension`` × 1/ω_min so that arcs partly
    outside the measured window still get a peak.  ``tail_exponents`` adds series terms a·(jω)^-n (blocking electrode,
    Warburg) so that a low-frequency tail is not mistaken for huge arcs.  Rows are weighted by 1/|Z|.
    """
    spectrum = analysable_spectrum(spectrum, "relaxation_peaks")
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
    # scale every column to unit norm so the ridge and NNLS treat them evenly
    norms = np.linalg.norm(matrix, axis=0)
    col_scale = np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 1.0)
    matrix = matrix * col_scale
    reg = np.zeros((n_tau, matrix.shape[1]))
    reg[:, :n_tau] = ridge * np.eye(n_tau)
    target = np.concatenate([z.real * weight, z.imag * weight, np.zeros(n_tau)])
    coef, _ = nnls(np.vstack([matrix, reg]), target, maxiter=50 * matrix.shape[1])
    coef = coef * col_scale
    gamma = coef[:n_tau]
    model = a_re @ coef + 1j * (a_im @ coef)
    return RelaxationAnalysis(
        r_inf=float(coef[n_tau]),
        inductance=float(coef[n_tau + 1]),
        tails=tuple((float(n), float(a)) for n, a in zip(tail_exponents, coef[n_tau + 2 :], strict=True)),
        peaks=_cluster(tau, gamma, spectrum),
        tau_grid=tau,
        distribution=gamma,
        relative_rms=relative_rms(model, z),
    )


def _cluster(
    tau: FloatArray, gamma: FloatArray, spectrum: Spectrum, min_significance: float = 0.02
) -> tuple[Relaxation, ...]:
    """Split the distribution at zeros and local minima; each part is one relaxation.

    A part is kept when its resistance is at least ``min_significance`` of |Z| at ω = 1/τ, so that small
    arcs next to a large blocking or diffusion tail are not lost.
    """
    total = gamma.sum()
    if total <= 0:
        return ()
    boundaries = [0]
    for m in range(1, gamma.size - 1):
        is_gap = gamma[m] <= 1e-12 * total and gamma[m - 1] > 0
        is_valley = gamma[m] < gamma[m - 1] and gamma[m] <= gamma[m + 1] and gamma[m] > 0
        if is_gap or is_valley:
            boundaries.append(m)
    boundaries.append(gamma.size)
    order = np.argsort(spectrum.omega)
    log_w = np.log(spectrum.omega[order])
    log_modulus = np.log(spectrum.modulus[order])
    peaks = []
    for lo, hi in itertools.pairwise(boundaries):
        part = gamma[lo:hi]
        r = part.sum()
        if r <= 0:
            continue
        tau_k = float(np.exp(np.sum(part * np.log(tau[lo:hi])) / r))
        local = float(np.exp(np.interp(-np.log(tau_k), log_w, log_modulus)))
        significance = float(r / local)
        if significance >= min_significance:
            peaks.append(Relaxation(float(r), tau_k, significance))
    return tuple(sorted(peaks, key=lambda p: p.tau))


# ---------------------------------------------------------------------------------------------------
# circuit structure


@dataclass
class Process:
    """A part of the circuit that produces one relaxation: an arc (parallel node) or a finite diffusion
    element; ``resistive`` and ``capacitive`` list the elements whose values follow from (R, τ)."""

    node: Node
    resistive: list[Element] = field(default_factory=list)
    capacitive: list[Element] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "diffusion" if isinstance(self.node, Element) else "arc"


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
        _classify(node, roles, top_level=True)
    return roles


def _classify(node: Node, roles: CircuitRoles, top_level: bool) -> None:
    if isinstance(node, Element):
        symbol = node.spec.symbol
        if symbol == "W":
            roles.warburgs.append(node)
        elif symbol in _DIFFUSION:
            roles.processes.append(Process(node))
        elif top_level and symbol == "R":
            roles.series_resistors.append(node)
        elif top_level and symbol == "L":
            roles.series_inductors.append(node)
        elif top_level and symbol in _CAPACITIVE:
            roles.series_capacitors.append(node)
        return
    if isinstance(node, Series):
        for child in node.children:
            _classify(child, roles, top_level)
        return
    process = Process(node)
    for branch in node.children:
        elements = elements_of(branch)
        symbols = {e.spec.symbol for e in elements}
        if symbols <= _CAPACITIVE:
            process.capacitive.extend(elements)
        else:
            process.resistive.extend(e for e in elements if e.spec.symbol == "R")
            for child in elements:
                if child.spec.symbol not in {"R"}:
                    _classify(child, roles, top_level=False)
    roles.processes.append(process)


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


def _process_values(process: Process, resistance: float, tau: float, values: dict[str, float]) -> None:
    resistance = max(resistance, 1e-6)
    tau = max(tau, 1e-12)
    element = process.node
    if isinstance(element, Element):  # a finite diffusion element (Wo, Ws, G)
        r_name, tau_name = element.parameter_names
        # a finite-Warburg or Gerischer -Z'' peak sits near ωτ ≈ 2.5 rather than ωτ = 1
        values[r_name] = resistance * (3.0 if element.spec.symbol == "Wo" else 1.0)
        values[tau_name] = tau * 2.5
        return
    share = resistance / max(len(process.resistive), 1)
    for element in process.resistive:
        values[element.label] = share
    for element in process.capacitive:
        if element.spec.symbol == "C":
            values[element.label] = tau / resistance
        else:
            q_name, n_name = element.parameter_names
            values[n_name] = CPE_START_N
            values[q_name] = tau**CPE_START_N / resistance


def _candidate_peak_sets(
    peaks: list[Relaxation], n_needed: int, spectrum: Spectrum, max_sets: int
) -> list[list[Relaxation]]:
    """Choose ``n_needed`` relaxations from the peaks (padding with splits and out-of-window guesses)."""
    if n_needed == 0:
        return [[]]
    pool = list(peaks)
    total = sum(p.resistance for p in pool) or float(np.ptp(spectrum.real)) or 1.0
    while len(pool) < n_needed:
        if pool:
            big = max(pool, key=lambda p: p.resistance)
            pool.remove(big)
            pool += [Relaxation(big.resistance / 2, big.tau / 4), Relaxation(big.resistance / 2, big.tau * 4)]
        else:
            tau_mid = 1.0 / np.sqrt(spectrum.omega.max() * spectrum.omega.min())
            pool.append(Relaxation(total, tau_mid))
    pool.sort(key=lambda p: p.tau)
    combos = list(itertools.combinations(pool, n_needed))
    combos.sort(key=lambda c: -sum(p.significance for p in c))
    sets = [list(c) for c in combos[:max_sets]]
    # a start that merges everything beyond the fastest n-1 peaks into the slowest process
    if len(pool) > n_needed:
        head = pool[: n_needed - 1]
        tail = pool[n_needed - 1 :]
        r_tail = sum(p.resistance for p in tail)
        tau_tail = float(np.exp(sum(p.resistance * np.log(p.tau) for p in tail) / r_tail))
        sets.append([*head, Relaxation(r_tail, tau_tail)])
    return sets


@dataclass(frozen=True)
class StartPlan:
    """Starting points, most promising first, and the relative RMS misfit of the flexible DRT model —
    the misfit a correct circuit in its global minimum should come close to."""

    starts: list[dict[str, float]]
    drt_relative_rms: float


def starting_points(
    spectrum: Spectrum, circuit: Circuit, fixed: dict[str, float] | None = None, max_starts: int = 40
) -> StartPlan:
    """A few structured starting points for fitting ``circuit`` to ``spectrum`` (all parameters named).

    Each start assigns relaxations from :func:`relaxation_peaks` to the circuit's arcs and diffusion
    elements in order of time constant; the series resistance, inductance, blocking capacitance and
    Warburg coefficient come from the intercept, the inductive tail and the low-frequency slope.
    """
    roles = circuit_processes(circuit)
    has_tail = bool(roles.series_capacitors or roles.warburgs) or any(
        p.node.spec.symbol == "Wo" for p in roles.processes if isinstance(p.node, Element)
    )
    # with a blocking element in series, relaxations slower than the window would only compete with the
    # capacitive tail (and split it into fake arcs), so the τ grid stops inside the window
    slow_extension = BLOCKING_SLOW_EXTENSION if roles.series_capacitors else 10.0
    analysis = relaxation_peaks(
        spectrum, tail_exponents=TAIL_EXPONENTS if has_tail else (1.0,), slow_extension=slow_extension
    )
    base: dict[str, float] = {}
    r_span = max(float(np.ptp(spectrum.real)), 1e-3 * float(np.abs(spectrum.impedance).max()))
    for k, element in enumerate(roles.series_resistors):
        base[element.label] = max(analysis.r_inf, 1e-3 * r_span) if k == 0 else 1e-2 * r_span
    for element in roles.series_inductors:
        base[element.label] = max(analysis.inductance, 1e-12)
    w_min = float(spectrum.omega.min())
    tail = analysis.dominant_tail(w_min)
    if tail is None or tail[0] < 0.55:  # no blocking behaviour seen: a capacitor corner well below the window
        tail = (1.0, w_min * max(float(np.abs(spectrum.impedance).max()), 1e-9) / 10.0)
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

    peaks = list(analysis.peaks)
    if roles.warburgs and len(peaks) > len(roles.processes):
        peaks_for_arcs = [peaks[: len(peaks) - 1], peaks]  # the slowest peak may be the Warburg tail
    else:
        peaks_for_arcs = [peaks]
    # arcs first in order of appearance, then diffusion elements (usually the slowest)
    ordered = [p for p in roles.processes if p.kind == "arc"] + [
        p for p in roles.processes if p.kind != "arc"
    ]
    starts: list[dict[str, float]] = []
    candidate_lists = [
        _candidate_peak_sets(pool, len(ordered), spectrum, max_starts) for pool in peaks_for_arcs
    ]
    for group in itertools.zip_longest(*candidate_lists):  # interleave: most promising of each pool first
        for chosen in (c for c in group if c is not None):
            values = dict(base)
            for process, relaxation in zip(ordered, chosen, strict=True):
                _process_values(process, relaxation.resistance, relaxation.tau, values)
            starts.append(values)
    complete = []
    for values in starts:
        for info in circuit.parameters:
            values.setdefault(info.name, info.spec.default)
        if fixed:
            values.update(fixed)
        complete.append(values)
    return StartPlan(complete[:max_starts], analysis.relative_rms)
