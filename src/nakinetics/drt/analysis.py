"""``compute_drt``: the distribution of relaxation times of one spectrum, in named steps.

checks (points, window, inductive loops, Kramers–Kronig) → τ grid → regularised non-negative inversion
with λ from the data (:mod:`.regularization`), in tail mode when the low-frequency end is a blocking or
diffusive tail (:func:`choose_tail`) → credible band → peaks (:mod:`.peaks`) → ASR with the cell convention.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._checks import choice, integer, number
from .._minimize import minimize_bounded
from .._special import normal_quantile
from .._spectrum_checks import DRT_SPREAD, impedance_input
from .._threads import with_blas_thread_limit
from .._typing import ComplexArray, FloatArray
from ..data import Spectrum
from ..exceptions import DataError
from ..guesses import relative_rms
from ..roles import CELL_KINDS, decide_context
from ..validation import KK_MIN_POINTS, KK_RMS_LIMIT, KKResult, kramers_kronig_test
from .basis import TauGrid, basis_impedance, tau_grid
from .design import PENALTY_ORDER, SeriesTerms, linear_problem
from .peaks import (
    MIN_FRACTION,
    Decomposition,
    PeakRegion,
    decompose_zarc,
    decomposition_rejected,
    detect_peaks,
    merge_smallest,
    region_estimates,
)
from .regularization import (
    GIVEN_LAMBDA_RANGE,
    SELECTIONS,
    LambdaChoice,
    LinearProblem,
    Selection,
    choose_lambda,
    decompose,
    nonnegative_support,
    posterior_covariance,
    solve_nonnegative,
)
from .result import R_INF_AT_BOUND, DRTPeak, DRTResult, DRTTail, PeakModel, Regularization
from .shapes import WARBURG_LINES

TailMode = Literal["auto", "none", "always"]
TAIL_MODES: tuple[str, ...] = ("auto", "none", "always")
KKPolicy = Literal["flag", "refuse", "skip"]
KK_POLICIES: tuple[str, ...] = ("flag", "refuse", "skip")

DRT_MIN_POINTS = DRT_SPREAD.frequencies
"""Fewest distinct frequencies a DRT is computed from (and at least a decade: ``_checks.DRT_SPREAD``)."""

TAIL_EXPONENTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TAIL_REFINE = 0.1
TAIL_TOLERANCE = 1e-4
"""Tail exponents ν (tail a (jω)^-ν) tried: these, then a bounded search within ±0.1 of the one kept, to
±0.001 (see :func:`choose_tail`).  The evidence of the unconstrained model cannot judge ν: with γ free to
turn negative every ν fits."""

TAIL_EQUIVALENCE = 4.0
"""Tail exponents whose non-negative fits differ by less than 4 in χ² (residual sum of squares in units of
the best fit's mean square) fit the data equally well; of these the one that leaves the least resistance to
γ is kept: a slow end that a tail explains as well as a tail plus a peak is not evidence of a peak (a
Warburg seen only at the end of the window fits ν = 0.5 … 1 with a matching peak at the edge)."""

VISIBILITY = 10.0
"""In tail mode γ stops where |Z| exceeds 10 × the resistance before the tail (:func:`visible_end`): a
process holding 5 % of that resistance would change Z by 0.25 %, the noise of a good analyser."""

VALLEY_DEPTH = 0.9
"""A valley of −Z''/|Z| (the end of the arcs before a tail) lies at least 10 % below its highest value at
higher frequencies (noise on a rising tail makes shallower ones)."""

TAIL_SLOW_EXTENSION = 0.0
"""In tail mode the τ grid stops at 1/ω_min (decades beyond it)."""

EDGE_NODES = 3
EDGE_FRACTION = 0.25
"""Tail detection: without a tail term, γ within the slowest 3 nodes (0.3 decade) of the grid reaching 25 %
of its maximum means the distribution is cut by the grid: the data end in a tail, not a relaxation."""

DIFFUSION_EVIDENCE = 10.0
"""A finite-length Warburg's lines replace the slowest ZARC when they lower the Bayesian information
criterion by more than 10 ("very strong" evidence, Kass & Raftery, J. Am. Stat. Assoc. 90 (1995) 773)."""

RECONSTRUCTION_TOLERANCE = 2.0
"""The DRT misses the data when its RMS residual exceeds twice the Kramers–Kronig fit's (+ 0.1 % of |Z|).
The KK residual is the reference only when the spectrum passes the test; a spectrum that fails it (or is not
tested) is held to the test's limit instead, so a large residual is never "ok" because KK is as bad."""

ROUNDING_RESISTANCE = 1e-9
"""γ holding less than 1e-9 of the spectrum's resistance scale in all holds no process: on noise-free data
(``nakinetics simulate``) a tail carries everything and γ is rounding (~1e-16 of it), whose wiggles the
vanishing noise estimate would otherwise make significant; no analyser resolves 1e-9 of |Z|."""

INDUCTIVE_LOOP_FRACTION = 0.01
INDUCTIVE_LOOP_POINTS = 3
"""An inductive loop: 3 consecutive points with Z'' > 0 below the high-frequency inductive branch, one of
them above 1 % of |Z|."""


@dataclass(frozen=True)
class Inversion:
    """One regularised non-negative inversion: γ (Ω), the series values (R∞ Ω, L H[, tail a]), λ, σ² and
    the covariance of γ (Ω²)."""

    grid: TauGrid
    terms: SeriesTerms
    problem: LinearProblem
    gamma: FloatArray
    series: FloatArray
    choice: LambdaChoice
    sigma2: float

    @property
    def scale(self) -> float:
        return self.problem.scale

    def support(self) -> np.ndarray:
        """The unknowns off their bound (:func:`~nakinetics.drt.regularization.nonnegative_support`): a warm
        start for a similar inversion."""
        return nonnegative_support(self.problem, self.gamma / self.scale, self.series)

    def covariance(self) -> FloatArray:
        floor = self.problem.floor
        lower = 0.0 if floor is None else -floor * self.series[self.problem.floor_column]
        cov = posterior_covariance(
            self.problem, self.choice.value, self.gamma / self.scale, self.sigma2, lower
        )
        return cov * self.scale**2

    def model(self) -> ComplexArray:
        """Z (Ω) of the DRT at the spectrum's frequencies (from the weighted problem's own matrices)."""
        problem = self.problem
        return self._unweight(problem.a @ (self.gamma / self.scale) + problem.n @ self.series)

    def _unweight(self, weighted: FloatArray) -> ComplexArray:
        half = weighted.size // 2
        return (weighted[:half] + 1j * weighted[half:]) / self.problem.weight

    @property
    def processes(self) -> FloatArray:
        """The relaxations beside the tail: γ where positive (Ω).  Below zero γ only cancels part of the
        tail's own distribution (see :mod:`.design`)."""
        return np.maximum(self.gamma, 0.0)

    @property
    def tail_coefficient(self) -> float:
        return float(self.series[2]) if self.terms.tail_exponent is not None else 0.0

    def tail_distribution(self) -> FloatArray:
        """The tail's distribution inside the grid as the data show it (Ω): its power law where γ ≥ 0,
        less what γ < 0 cancels."""
        own = self.tail_coefficient * self.terms.tail_distribution(self.grid.tau)
        return own + np.minimum(self.gamma, 0.0)

    def tail_impedance(self) -> ComplexArray | None:
        """Z (Ω) of the tail with its shunted part at the spectrum's frequencies (``None`` without one)."""
        if self.terms.tail_exponent is None:
            return None
        problem = self.problem
        weighted = problem.n[:, 2] * self.series[2] + problem.a @ (np.minimum(self.gamma, 0.0) / self.scale)
        return self._unweight(weighted)


def invert(
    omega: FloatArray,
    impedance: ComplexArray,
    grid: TauGrid,
    terms: SeriesTerms,
    regularization: Selection | float = "evidence",
    penalty_order: int = PENALTY_ORDER,
    basis: tuple[FloatArray, FloatArray] | None = None,
    deficit_until: int | None = None,
    start: Inversion | None = None,
) -> Inversion:
    """Regularised non-negative DRT of one spectrum with the given series terms (``basis``: the grid's
    :func:`~nakinetics.drt.basis.basis_impedance` when already computed; ``deficit_until``: γ may cancel
    the tail's distribution only at nodes below this one, see :func:`confined`; ``start``: an inversion on
    the same grid whose solution warm-starts the non-negative solve)."""
    problem = confined(linear_problem(omega, impedance, grid, terms, penalty_order, basis), deficit_until)
    spectrum = decompose(problem)
    choice = choose_lambda(spectrum, regularization)
    gamma, series = solve_nonnegative(problem, choice.value, None if start is None else start.support())
    return Inversion(
        grid=grid,
        terms=terms,
        problem=problem,
        gamma=gamma * problem.scale,
        series=series,
        choice=choice,
        sigma2=spectrum.noise_variance(choice.value),
    )


def confined(problem: LinearProblem, deficit_until: int | None) -> LinearProblem:
    """``problem`` with γ allowed below zero (down to minus the tail's distribution) only at the nodes
    before ``deficit_until`` (``None``: everywhere).

    A tail shunted at short τ is physical: a Warburg element in the Randles branch is short-circuited by
    the double-layer capacitance below the charge-transfer time constant — the slowest relaxation before
    the tail — and is fully present above it; a blocking electrode's CPE in series is present at every τ.
    γ dipping under zero among the slower nodes, where the tail dominates, would only trade noise (or an
    error in ν) between γ and the tail."""
    if problem.floor is None or deficit_until is None:
        return problem
    floor = problem.floor.copy()
    floor[deficit_until:] = 0.0
    return dataclasses.replace(problem, floor=floor)


def _misfit(problem: LinearProblem, gamma: FloatArray, series: FloatArray) -> float:
    """Mean square of the weighted residual (γ in units of the problem's scale)."""
    return float(np.mean((problem.y - problem.a @ gamma - problem.n @ series) ** 2))


def _objective(problem: LinearProblem, lam: float, gamma: FloatArray, series: FloatArray) -> float:
    """The penalised least-squares objective ‖y − Aγ − Nβ‖² + λ‖Rγ‖² (γ in units of the problem's scale):
    minus twice the log posterior of (γ, β, ν) at fixed λ and σ², up to a constant."""
    residual = problem.y - problem.a @ gamma - problem.n @ series
    return float(residual @ residual + lam * np.sum((problem.penalty @ gamma) ** 2))


def _tail_misfit(inversion: Inversion) -> float:
    """How well a non-negative inversion fits the data with its tail (:func:`_misfit`)."""
    return _misfit(inversion.problem, inversion.gamma / inversion.scale, inversion.series)


def edge_piled(gamma: FloatArray) -> bool:
    """Whether γ is cut by the slow end of the grid (see :data:`EDGE_FRACTION`)."""
    top = float(gamma.max())
    return top > 0 and float(gamma[-EDGE_NODES:].max()) >= EDGE_FRACTION * top


def _equivalent(misfit: float, best: float, rows: int) -> bool:
    """Whether a fit with mean square residual ``misfit`` fits as well as ``best`` (:data:`TAIL_EQUIVALENCE`)."""
    return misfit <= best * (1.0 + TAIL_EQUIVALENCE / rows)


def _best_tail(trials: dict[float, Inversion]) -> float:
    """The tail exponent to keep (see :data:`TAIL_EQUIVALENCE`): among the trials that fit the data as well
    as the best one, the one whose relaxations beside the tail hold the least resistance (∫ max(γ, 0)) —
    which also passes over exponents that leave γ piled up at the slow edge."""
    misfit = {nu: _tail_misfit(inv) for nu, inv in trials.items()}
    best = min(misfit.values())
    rows = next(iter(trials.values())).problem.y.size
    equivalent = [nu for nu, m in misfit.items() if _equivalent(m, best, rows)]
    return min(equivalent, key=lambda nu: float(trials[nu].processes.sum()))


def _slowest_peak(inversion: Inversion) -> int:
    """Node of the top of the slowest significant peak of γ (of its maximum when there is none)."""
    gamma = inversion.processes
    regions = detect_peaks(gamma, inversion.covariance())
    return max(r.top for r in regions) if regions else int(np.argmax(gamma))


def visible_end(omega: FloatArray, impedance: ComplexArray) -> float:
    """Lowest angular frequency (rad/s) at which relaxations can still be seen beside a tail.

    The resistance before the tail, R_ref, is Z' at the last valley of −Z''/|Z| (the sine of the phase
    angle, between the slowest arc and the rising tail); below the highest frequency where |Z| exceeds :data:`VISIBILITY` × R_ref the tail
    dominates so that a process would change Z by less than the noise.  Without such a valley, the lowest
    frequency of the data."""
    order = np.argsort(omega)[::-1]
    w, z = omega[order], impedance[order]
    reactance = -z.imag / np.abs(z)
    valleys = [
        k
        for k in range(1, w.size - 1)
        if reactance[k] < reactance[k - 1]
        and reactance[k] <= reactance[k + 1]
        and reactance[k] < VALLEY_DEPTH * float(reactance[:k].max())
    ]
    if not valleys:
        return float(w[-1])
    k = valleys[-1]
    hidden = np.flatnonzero(np.abs(z[k:]) > VISIBILITY * max(float(z[k].real), 0.0))
    return float(w[k + hidden[0] - 1]) if hidden.size and hidden[0] > 0 else float(w[-1])


def choose_tail(
    omega: FloatArray,
    impedance: ComplexArray,
    mode: TailMode,
    regularization: Selection | float,
    penalty_order: int,
) -> Inversion:
    """The inversion without a tail term, or — in ``always`` mode, or in ``auto`` mode when γ piles up at
    the slow edge — with a tail a (jω)^-ν.  With a tail the τ grid ends at 1/ω_min, or where the tail hides
    relaxations (:func:`visible_end`): beyond, the tail, not γ, carries the low-frequency impedance.  The
    total distribution, γ plus the tail's own, must be non-negative (see :mod:`.design`).

    ν: non-negative fits at one λ (the evidence's at ν = 0.75), for the exponents :data:`TAIL_EXPONENTS`
    and a bounded search for the best-fitting one within ±:data:`TAIL_REFINE` of the best of them; of all
    these :func:`_best_tail` keeps one — a blocking CPE's ν must be right to ~1e-4, a Warburg seen only at
    the end of the window does not fix ν at all.  The inversion with that ν (its own λ) then lets γ cancel
    the tail only below its slowest peak (:func:`confined`).  In ``auto`` mode a tail that reproduces the data
    worse than γ alone by more than :data:`RECONSTRUCTION_TOLERANCE` in RMS residual is dropped again."""
    if mode not in TAIL_MODES:
        raise ValueError(f"tail must be one of {', '.join(TAIL_MODES)}, got {mode!r}")
    plain = None
    if mode != "always":
        plain = invert(omega, impedance, tau_grid(omega), SeriesTerms(), regularization, penalty_order)
        if mode == "none" or not edge_piled(plain.gamma):
            return plain
    end = visible_end(omega, impedance)
    grid = tau_grid(omega[omega >= end], slow_extension_decades=TAIL_SLOW_EXTENSION)
    basis = basis_impedance(omega, grid)
    middle = 0.5 * (TAIL_EXPONENTS[0] + TAIL_EXPONENTS[-1])
    reference = invert(omega, impedance, grid, SeriesTerms(middle), regularization, penalty_order, basis)
    lam = reference.choice.value
    trials: dict[float, Inversion] = {}

    def trial(nu: float) -> Inversion:
        nu = round(float(nu), 6)
        if nu not in trials:
            problem = linear_problem(omega, impedance, grid, SeriesTerms(nu), penalty_order, basis)
            # warm start from the nearest exponent solved (the solution does not depend on it)
            nearest = min(trials, key=lambda known: abs(known - nu), default=None)
            start = reference if nearest is None else trials[nearest]
            gamma, series = solve_nonnegative(problem, lam, start.support())
            trials[nu] = dataclasses.replace(
                reference, terms=SeriesTerms(nu), problem=problem, gamma=gamma * problem.scale, series=series
            )
        return trials[nu]

    centre = min(TAIL_EXPONENTS, key=lambda nu: _tail_misfit(trial(nu)))
    low = max(centre - TAIL_REFINE, TAIL_EXPONENTS[0])
    high = min(centre + TAIL_REFINE, TAIL_EXPONENTS[-1])
    minimize_bounded(lambda nu: _tail_misfit(trial(nu)), low, high, xatol=TAIL_TOLERANCE)
    chosen = _best_tail(trials)
    until = _slowest_peak(trials[chosen])
    tailed = invert(
        omega,
        impedance,
        grid,
        SeriesTerms(chosen),
        regularization,
        penalty_order,
        basis,
        until,
        trials[chosen],
    )
    if plain is not None and _tail_misfit(tailed) > RECONSTRUCTION_TOLERANCE**2 * _tail_misfit(plain):
        # the tail misses the data that γ alone reproduces (RMS residual over twice γ's): γ piled at the slow
        # edge is an arc the window cuts, not a tail (a noise dip on its falling side looked like the valley
        # before a tail, and the grid ended there)
        return plain
    return tailed


def inductive_loop(spectrum: Spectrum) -> float | None:
    """Highest frequency (Hz) of an inductive loop: :data:`INDUCTIVE_LOOP_POINTS` consecutive points with
    Z'' > 0, one of them beyond :data:`INDUCTIVE_LOOP_FRACTION` of |Z| (noise around Z'' = 0 is not a loop),
    below at least as many clearly capacitive points (Z'' < −1 % of |Z|; cable inductance and artefacts at
    the top of the sweep come before them); ``None`` if there is none."""
    order = np.argsort(spectrum.frequency)[::-1]
    imag = spectrum.imag[order]
    modulus = spectrum.modulus[order]
    capacitive = np.flatnonzero(imag < -INDUCTIVE_LOOP_FRACTION * modulus)
    if capacitive.size < INDUCTIVE_LOOP_POINTS:
        return None
    first = int(capacitive[INDUCTIVE_LOOP_POINTS - 1])
    positive = imag > 0
    run = 0
    for k in range(first, imag.size):
        run = run + 1 if positive[k] else 0
        if run >= INDUCTIVE_LOOP_POINTS:
            points = np.arange(k - run + 1, k + 1)
            if np.any(imag[points] > INDUCTIVE_LOOP_FRACTION * modulus[points]):
                return float(spectrum.frequency[order[points[0]]])
    return None


def _kramers_kronig(spectrum: Spectrum, policy: KKPolicy) -> tuple[KKResult | None, list[str]]:
    if policy == "skip" or len(spectrum) < KK_MIN_POINTS:
        return None, []
    kk = kramers_kronig_test(spectrum)
    if kk.passed:
        return kk, []
    message = f"{spectrum.label}: {kk.failure()}; a DRT of invalid data is not meaningful"
    if policy == "refuse":
        raise DataError(message)
    return kk, [message]


def _peak_estimates(
    spectrum: Spectrum, inversion: Inversion, covariance: FloatArray, min_fraction: float
) -> tuple[list[DRTPeak], PeakModel]:
    """The peaks of γ and how their resistances were read (:class:`PeakModel`).

    The smallest peak is merged into its neighbour while the decomposition without it fits the data as
    well by the Bayesian information criterion (or the one with it is rejected): a ripple that the
    smoothness prior draws beside a narrow peak is not a process the data need.  With two peaks or more,
    the slowest is also tried as the DRT lines of a finite-length Warburg (Ws, Wo), kept when that beats
    the ZARCs by :data:`DIFFUSION_EVIDENCE` in the criterion: its lines then take in the small peaks a
    smoothed γ shows beside the first line."""
    gamma = inversion.processes
    if float(gamma.sum()) <= ROUNDING_RESISTANCE * inversion.scale:
        return [], PeakModel("none")
    regions = detect_peaks(gamma, covariance, min_fraction)
    if not regions:
        return [], PeakModel("none")
    drt_rms = relative_rms(inversion.model(), spectrum.impedance)
    fixed = inversion.tail_impedance()
    reasons: list[str] = []

    def attempt(candidate: list[PeakRegion], lines: str | None) -> Decomposition | None:
        shapes = ["zarc"] * len(candidate)
        if lines is not None:
            shapes[-1] = lines
        found = decompose_zarc(
            spectrum.omega,
            spectrum.impedance,
            inversion.grid,
            gamma,
            candidate,
            r_inf=float(inversion.series[0]),
            inductance=float(inversion.series[1]),
            fixed=fixed,
            shapes=shapes,
        )
        reason = (
            "the fit failed"
            if found is None
            else decomposition_rejected(found, drt_rms, inversion.grid, gamma, covariance, candidate)
        )
        if reason is not None:
            if lines is None:
                reasons.append(reason)
            return None
        return found

    def merged(lines: str | None) -> Decomposition | None:
        current, best = regions, attempt(regions, lines)
        while len(current) > (2 if lines else 1):
            fewer = merge_smallest(gamma, current)
            candidate = attempt(fewer, lines)
            if candidate is None or (best is not None and candidate.bic > best.bic):
                break
            current, best = fewer, candidate
        return best

    best = merged(None)
    if len(regions) >= 2:
        for symbol in WARBURG_LINES:
            diffusion = merged(symbol)
            if diffusion is not None and (best is None or diffusion.bic < best.bic - DIFFUSION_EVIDENCE):
                best = diffusion
    if best is not None:
        return best.peaks, PeakModel("zarc", best.r_inf, best.inductance, best.rms)
    areas = region_estimates(inversion.grid, gamma, covariance, regions)
    return areas, PeakModel("area", rejected=f"the ZARC decomposition was rejected: {reasons[0]}")


def _asr(
    resistance: float, stderr: float | None, area: float | None, symmetric: bool
) -> dict[str, tuple[float, float | None]]:
    if area is None:
        return {}
    out = {"cell": (resistance * area, None if stderr is None else stderr * area)}
    if symmetric:
        out["per_interface"] = (resistance * area / 2, None if stderr is None else stderr * area / 2)
    return out


MAX_AREA_CM2 = 1e6
"""Largest electrode area (cm²) accepted for peak ASRs."""


def _check_options(
    tail: Any,
    regularization: Any,
    penalty_order: Any,
    min_peak_fraction: Any,
    credible: Any,
    kramers_kronig: Any,
    area_cm2: Any,
    cell: Any,
) -> None:
    """Every option of :func:`compute_drt` checked before any work, with the valid values in the error."""
    choice(tail, "tail", TAIL_MODES)
    if isinstance(regularization, str):
        choice(regularization, "regularization", SELECTIONS)
    else:
        low, high = GIVEN_LAMBDA_RANGE
        number(regularization, "regularization (a given λ)", low=low, high=high)
    integer(penalty_order, "penalty_order", low=0, high=2)
    number(min_peak_fraction, "min_peak_fraction", low=0.0, high=1.0)
    number(credible, "credible", low=0.0, high=1.0, low_open=True, high_open=True)
    choice(kramers_kronig, "kramers_kronig", KK_POLICIES)
    if area_cm2 is not None:
        number(area_cm2, "area_cm2", low=0.0, high=MAX_AREA_CM2, low_open=True)
    if cell is not None:
        choice(cell, "cell", CELL_KINDS)


def reconstruction_verdict(rms: float, kk: KKResult | None) -> tuple[bool, str]:
    """Whether a DRT whose RMS relative residual is ``rms`` reproduces the data, and why.

    The reference is the Kramers–Kronig fit's residual when the spectrum passes the test (the noise the
    data allow); otherwise the test's limit: when KK fails, no causal, linear model reproduces the data, so
    neither does the DRT, however close its residual is to the KK fit's."""
    limit = KK_RMS_LIMIT if kk is None else kk.limit
    if kk is not None and kk.passed:
        reference, against = kk.rms, f"against {100 * kk.rms:.2g} % for the Kramers–Kronig fit"
    elif kk is not None:
        reference = limit
        against = (
            f"and the spectrum fails the Kramers–Kronig test too ({100 * kk.rms:.2g} %): no causal, linear "
            "model describes it"
        )
    else:
        reference, against = limit, f"above the {100 * limit:.2g} % a valid spectrum allows (KK not tested)"
    ok = rms <= RECONSTRUCTION_TOLERANCE * reference + 1e-3
    if ok:
        return True, against
    if kk is not None and kk.passed:
        against += ": a non-negative distribution of RC relaxations cannot describe this spectrum"
    return False, against


@with_blas_thread_limit
def compute_drt(
    spectrum: Spectrum,
    *,
    tail: TailMode = "auto",
    regularization: Selection | float = "evidence",
    penalty_order: int = PENALTY_ORDER,
    fmin: float | None = None,
    fmax: float | None = None,
    min_peak_fraction: float = MIN_FRACTION,
    credible: float = 0.95,
    kramers_kronig: KKPolicy = "flag",
    area_cm2: float | None = None,
    cell: str | None = None,
) -> DRTResult:
    """The distribution of relaxation times of ``spectrum`` with its credible band and peaks.

    Parameters
    ----------
    spectrum : the impedance spectrum (Z'' < 0 capacitive).
    tail : ``"auto"`` (a power-law tail a(jω)^-ν joins the model when γ would otherwise pile up at the
        slow edge: blocking electrodes, diffusion), ``"none"`` or ``"always"``.
    regularization : ``"evidence"`` (default), ``"gcv"`` or a fixed λ (dimensionless, see
        :class:`~nakinetics.drt.result.Regularization`).
    penalty_order : derivative of γ penalised (1 or 2; 0 = ridge).
    fmin, fmax : frequency window used (Hz).
    min_peak_fraction : smallest share of ∫γ a peak may hold to count as a process.
    credible : probability of the credible band (0 < p < 1).
    kramers_kronig : ``"flag"`` (default: a warning when the KK test fails), ``"refuse"`` (raise
        :class:`DataError`) or ``"skip"``.
    area_cm2, cell : electrode area (cm²) for peak ASRs and the cell convention (``"symmetric"`` or
        ``"single"``; default from the file's metadata, else symmetric — as for ``fit``).

    The linear algebra runs with one BLAS thread (``NAKINETICS_BLAS_THREADS``; the caller's setting is
    restored on return): its matrices are small, and threads only compete for the cores
    (``benchmarks/drt_benchmark.py --threads``).

    Raises
    ------
    DataError : too few points, too narrow a window, or (``kramers_kronig="refuse"``) a spectrum failing
        the Kramers–Kronig test.
    """
    _check_options(
        tail, regularization, penalty_order, min_peak_fraction, credible, kramers_kronig, area_cm2, cell
    )
    spectrum = impedance_input(spectrum, "compute_drt", DRT_SPREAD, fmin, fmax)
    warnings: list[str] = []
    loop = inductive_loop(spectrum)
    if loop is not None:
        warnings.append(
            f"{spectrum.label}: inductive loop (Z'' > 0) at and below {loop:.3g} Hz: a non-negative DRT cannot "
            "describe it; exclude it with fmin/fmax (--fmin/--fmax) or read the residuals"
        )
    kk, kk_warnings = _kramers_kronig(spectrum, kramers_kronig)
    warnings += kk_warnings

    omega = spectrum.omega
    inversion = choose_tail(omega, spectrum.impedance, tail, regularization, penalty_order)
    grid = inversion.grid
    covariance = inversion.covariance()
    sd = np.sqrt(np.maximum(np.diag(covariance), 0.0))
    z_score = normal_quantile(0.5 + credible / 2)
    gamma = inversion.processes
    h = grid.spacing
    total = float(gamma.sum() * h)
    positive = (gamma > 0).astype(float)
    total_sd = h * math.sqrt(max(float(positive @ covariance @ positive), 0.0))

    found, peak_model = _peak_estimates(spectrum, inversion, covariance, min_peak_fraction)
    if peak_model.rejected is not None:
        warnings.append(
            f"{spectrum.label}: peak resistances are the areas of γ between its minima ({peak_model.rejected})"
        )
    symmetric = False
    cell_info = None
    if area_cm2 is not None:
        context = decide_context(cell=cell, metadata=spectrum.metadata)
        symmetric = context.symmetric
        cell_info = {"cell": context.cell, "cell_source": context.cell_source}
    f_lo, f_hi = float(spectrum.frequency.min()), float(spectrum.frequency.max())
    # shares are of the peaks' own total: the decomposition's R need not add up to ∫γ (a ZARC fitted to the data
    # may hold more or less than the area of γ), and a share of a total that does not contain the peaks can
    # exceed 100 %
    peak_total = sum(p.resistance for p in found)
    peaks = tuple(
        dataclasses.replace(
            p,
            fraction=p.resistance / peak_total if peak_total > 0 else math.nan,
            in_window=f_lo <= p.frequency <= f_hi,
            asr=_asr(p.resistance, p.resistance_stderr, area_cm2, symmetric),
        )
        for p in sorted(found, key=lambda p: p.tau)
    )
    for p in peaks:
        if not p.in_window:
            warnings.append(
                f"{spectrum.label}: the peak at {p.frequency:.3g} Hz lies outside the measured window "
                f"({f_lo:.3g}–{f_hi:.3g} Hz): its resistance and time constant are extrapolated"
            )

    model = inversion.model()
    residuals = (spectrum.impedance - model) / np.abs(spectrum.impedance)
    rms = relative_rms(model, spectrum.impedance)
    ok, why = reconstruction_verdict(rms, kk)
    if not ok:
        warnings.append(
            f"{spectrum.label}: the DRT does not reproduce the data (RMS residual {100 * rms:.2g} % of |Z|, "
            f"{why}): read the residuals before the peaks"
        )
    if float(inversion.series[0]) <= R_INF_AT_BOUND * float(np.max(np.abs(spectrum.impedance))):
        lowest = float(spectrum.impedance.real[np.argmax(spectrum.frequency)])
        warnings.append(
            f"{spectrum.label}: R∞ = 0 Ω is the lower bound of the fit (R∞ ≥ 0), not a measured intercept "
            f"(Z' = {lowest:.4g} Ω at the highest frequency): R∞ is not determined"
        )
    if inversion.choice.at_bound:
        warnings.append(
            f"{spectrum.label}: the regularisation parameter λ = {inversion.choice.value:.3g} sits at the end "
            "of its search range"
        )

    tail_term = None
    if inversion.terms.tail_exponent is not None and inversion.tail_coefficient > 0:
        tail_term = DRTTail(
            inversion.tail_coefficient, inversion.terms.tail_exponent, inversion.tail_distribution()
        )
    return DRTResult(
        spectrum=spectrum,
        tau=grid.tau,
        gamma=gamma,
        gamma_lower=np.maximum(inversion.gamma - z_score * sd, 0.0),
        gamma_upper=np.maximum(inversion.gamma + z_score * sd, 0.0),
        credible=credible,
        r_inf=float(inversion.series[0]),
        inductance=float(inversion.series[1]),
        tail=tail_term,
        polarization_resistance=total,
        polarization_resistance_stderr=total_sd,
        peaks=peaks,
        regularization=Regularization(
            value=inversion.choice.value,
            method=inversion.choice.method,
            penalty_order=penalty_order,
            scale=inversion.scale,
            noise=math.sqrt(inversion.sigma2),
            at_bound=inversion.choice.at_bound,
        ),
        reconstruction=model,
        residuals=residuals,
        residual_rms=rms,
        reconstruction_ok=ok,
        tail_mode=tail if tail != "auto" else ("auto: tail" if tail_term is not None else "auto: none"),
        kramers_kronig=kk,
        peak_model=peak_model,
        area_cm2=area_cm2,
        cell=cell_info,
        warnings=tuple(warnings),
    )
