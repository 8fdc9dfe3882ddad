"""``compute_drt``: the distribution of relaxation times of one spectrum, in named steps.

checks (points, window, inductive loops, Kramers–Kronig) → τ grid → regularised non-negative inversion
with λ from the data (:mod:`.regularization`), in tail mode when the low-frequency end is a blocking or
diffusive tail (:func:`choose_tail`) → credible band → peaks (:mod:`.peaks`) → ASR with the cell convention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.special import ndtri

from .._checks import choice, integer, number
from .._spectrum_checks import DRT_SPREAD, impedance_input
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
    PeakEstimate,
    PeakRegion,
    decompose_zarc,
    decomposition_fits,
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
    posterior_covariance,
    solve_nonnegative,
)
from .result import R_INF_AT_BOUND, DRTPeak, DRTResult, DRTTail, Regularization

TailMode = Literal["auto", "none", "always"]
TAIL_MODES: tuple[str, ...] = ("auto", "none", "always")
KKPolicy = Literal["flag", "refuse", "skip"]
KK_POLICIES: tuple[str, ...] = ("flag", "refuse", "skip")

DRT_MIN_POINTS = DRT_SPREAD.frequencies
"""Fewest distinct frequencies a DRT is computed from (and at least a decade: ``_checks.DRT_SPREAD``)."""

TAIL_EXPONENTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TAIL_REFINE = 0.05
"""Tail exponents ν (tail a (jω)^-ν) tried: these, then ±0.05 around the best; kept is the one whose
non-negative inversion fits the data best without γ still piling up at the slow edge (the evidence of the
unconstrained model cannot judge ν: with γ free to turn negative every ν fits)."""

TAIL_SLOW_EXTENSION = 0.0
"""In tail mode the τ grid stops at 1/ω_min (decades beyond it)."""

EDGE_NODES = 3
EDGE_FRACTION = 0.25
"""Tail detection: without a tail term, γ within the slowest 3 nodes (0.3 decade) of the grid reaching 25 %
of its maximum means the distribution is cut by the grid: the data end in a tail, not a relaxation."""

RECONSTRUCTION_TOLERANCE = 2.0
"""The DRT misses the data when its RMS residual exceeds twice the Kramers–Kronig fit's (+ 0.1 % of |Z|).
The KK residual is the reference only when the spectrum passes the test; a spectrum that fails it (or is not
tested) is held to the test's limit instead, so a large residual is never "ok" because KK is as bad."""

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

    def covariance(self) -> FloatArray:
        cov = posterior_covariance(self.problem, self.choice.value, self.gamma / self.scale, self.sigma2)
        return cov * self.scale**2

    def model(self) -> ComplexArray:
        """Z (Ω) of the DRT at the spectrum's frequencies (from the weighted problem's own matrices)."""
        problem = self.problem
        weighted = problem.a @ (self.gamma / self.scale) + problem.n @ self.series
        half = weighted.size // 2
        return (weighted[:half] + 1j * weighted[half:]) / problem.weight


def invert(
    omega: FloatArray,
    impedance: ComplexArray,
    grid: TauGrid,
    terms: SeriesTerms,
    regularization: Selection | float = "evidence",
    penalty_order: int = PENALTY_ORDER,
    basis: tuple[FloatArray, FloatArray] | None = None,
) -> Inversion:
    """Regularised non-negative DRT of one spectrum with the given series terms (``basis``: the grid's
    :func:`~nakinetics.drt.basis.basis_impedance` when already computed)."""
    problem = linear_problem(omega, impedance, grid, terms, penalty_order, basis)
    spectrum = decompose(problem)
    choice = choose_lambda(spectrum, regularization)
    gamma, series = solve_nonnegative(problem, choice.value)
    return Inversion(
        grid=grid,
        terms=terms,
        problem=problem,
        gamma=gamma * problem.scale,
        series=series,
        choice=choice,
        sigma2=spectrum.noise_variance(choice.value),
    )


def _tail_misfit(inversion: Inversion) -> float:
    """RMS of the weighted residual of a non-negative inversion: how well γ ≥ 0 fits with that tail."""
    problem = inversion.problem
    model = problem.a @ (inversion.gamma / inversion.scale) + problem.n @ inversion.series
    return float(np.sqrt(np.mean((problem.y - model) ** 2)))


def edge_piled(gamma: FloatArray) -> bool:
    """Whether γ is cut by the slow end of the grid (see :data:`EDGE_FRACTION`)."""
    top = float(gamma.max())
    return top > 0 and float(gamma[-EDGE_NODES:].max()) >= EDGE_FRACTION * top


def choose_tail(
    omega: FloatArray,
    impedance: ComplexArray,
    mode: TailMode,
    regularization: Selection | float,
    penalty_order: int,
) -> Inversion:
    """The inversion without a tail term, or — in ``always`` mode, or in ``auto`` mode when γ piles up at
    the slow edge — with the tail exponent of highest evidence.  With a tail the τ grid ends at 1/ω_min:
    beyond the window the tail, not γ, carries the low-frequency impedance."""
    if mode not in TAIL_MODES:
        raise ValueError(f"tail must be one of {', '.join(TAIL_MODES)}, got {mode!r}")
    if mode != "always":
        plain = invert(omega, impedance, tau_grid(omega), SeriesTerms(), regularization, penalty_order)
        if mode == "none" or not edge_piled(plain.gamma):
            return plain
    grid = tau_grid(omega, slow_extension_decades=TAIL_SLOW_EXTENSION)
    basis = basis_impedance(omega, grid)

    def trial(nu: float) -> Inversion:
        return invert(omega, impedance, grid, SeriesTerms(nu), regularization, penalty_order, basis)

    def rank(inversion: Inversion) -> tuple[bool, float]:  # a tail that still leaves γ piled up loses
        return edge_piled(inversion.gamma), _tail_misfit(inversion)

    trials = {nu: trial(nu) for nu in TAIL_EXPONENTS}
    coarse = min(trials, key=lambda nu: rank(trials[nu]))
    for nu in (round(coarse - TAIL_REFINE, 3), round(coarse + TAIL_REFINE, 3)):
        if TAIL_EXPONENTS[0] <= nu <= TAIL_EXPONENTS[-1]:
            trials[nu] = trial(nu)
    return min(trials.values(), key=rank)


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
) -> tuple[list[PeakEstimate], str]:
    """The peaks and how their resistances were obtained (``"zarc"`` decomposition or region ``"area"``).

    The smallest peak is merged into its neighbour while the decomposition without it fits the data as
    well by the Bayesian information criterion (or the one with it does not fit at all): a ripple that the
    smoothness prior draws beside a narrow peak is not a process the data need."""
    regions = detect_peaks(inversion.gamma, covariance, min_fraction)
    if not regions:
        return [], "none"
    tail = None
    if inversion.terms.tail_exponent is not None:
        tail = (float(inversion.series[2]), inversion.terms.tail_exponent)
    drt_rms = relative_rms(inversion.model(), spectrum.impedance)

    def attempt(candidate: list[PeakRegion]) -> Decomposition | None:
        found = decompose_zarc(
            spectrum.omega,
            spectrum.impedance,
            inversion.grid,
            inversion.gamma,
            candidate,
            r_inf=float(inversion.series[0]),
            inductance=float(inversion.series[1]),
            tail=tail,
        )
        if found is None or not decomposition_fits(
            found, drt_rms, inversion.grid, inversion.gamma, candidate
        ):
            return None
        return found

    current, best = regions, attempt(regions)
    while len(current) > 1:
        fewer = merge_smallest(inversion.gamma, current)
        candidate = attempt(fewer)
        if candidate is None or (best is not None and candidate.bic > best.bic):
            break
        current, best = fewer, candidate
    if best is not None:
        return best.peaks, "zarc"
    return region_estimates(inversion.grid, inversion.gamma, covariance, regions), "area"


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
    z_score = float(ndtri(0.5 + credible / 2))
    gamma = inversion.gamma
    h = grid.spacing
    total = float(gamma.sum() * h)
    total_sd = h * math.sqrt(max(float(covariance.sum()), 0.0))

    estimates, peak_method = _peak_estimates(spectrum, inversion, covariance, min_peak_fraction)
    symmetric = False
    cell_info = None
    if area_cm2 is not None:
        context = decide_context(cell=cell, metadata=spectrum.metadata)
        symmetric = context.symmetric
        cell_info = {"cell": context.cell, "cell_source": context.cell_source}
    f_lo, f_hi = float(spectrum.frequency.min()), float(spectrum.frequency.max())
    peak_total = sum(e.resistance for e in estimates) or 1.0
    peaks = tuple(
        DRTPeak(
            tau=e.tau,
            tau_stderr=e.tau_stderr,
            resistance=e.resistance,
            resistance_stderr=e.resistance_stderr,
            exponent=e.exponent,
            exponent_stderr=e.exponent_stderr,
            method=e.method,
            fraction=e.resistance / (total if total > 0 else peak_total),
            in_window=f_lo <= 1.0 / (2 * math.pi * e.tau) <= f_hi,
            asr=_asr(e.resistance, e.resistance_stderr, area_cm2, symmetric),
        )
        for e in sorted(estimates, key=lambda e: e.tau)
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
    if inversion.terms.tail_exponent is not None and inversion.series[2] > 0:
        tail_term = DRTTail(float(inversion.series[2]), inversion.terms.tail_exponent)
    return DRTResult(
        spectrum=spectrum,
        tau=grid.tau,
        gamma=gamma,
        gamma_lower=np.maximum(gamma - z_score * sd, 0.0),
        gamma_upper=gamma + z_score * sd,
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
        peak_method=peak_method,
        area_cm2=area_cm2,
        cell=cell_info,
        warnings=tuple(warnings),
    )
