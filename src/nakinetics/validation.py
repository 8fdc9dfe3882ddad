"""Kramers–Kronig validity test: the linear KK test with automatic choice of the number of RC elements.

A spectrum that obeys the KK relations (linear, causal, stable, time-invariant during the sweep) can be
fitted by R∞ + jωL + Σ R_k/(1 + jωτ_k) with fixed τ_k spread over the measured window; the R_k come from
a linear weighted least-squares solve (they may be negative).  The number M of RC elements is the
smallest for which μ = 1 − Σ_{R_k<0}|R_k| / Σ_{R_k≥0}R_k drops below ``mu_criterion``: more elements
would start fitting noise (Schönleber, Klotz & Ivers-Tiffée, Electrochim. Acta 131 (2014) 20).  Two
additions make this robust on real data: the μ search starts only once the fit has converged (see
:func:`_choose`), and a series capacitance joins the model when the spectrum needs one.  The
relative residuals (Z − Ẑ)/|Z| then tell whether the data are KK-consistent: drift during the sweep,
non-linearity or instrument artefacts leave residuals well above the noise, usually with a trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg

from ._typing import ComplexArray, FloatArray
from .data import Spectrum
from .exceptions import DataError

KK_RMS_LIMIT = 0.005
"""Default pass limit on the RMS relative KK residual (0.5 %): above the ≤ 0.3 % noise of a typical
potentiostat measurement; raise it for noisier data."""

KK_MIN_POINTS = 6
"""Fewest points the test accepts."""

MAX_RC = 50
"""Most RC elements tried (fewer when the spectrum has fewer points)."""

CONVERGED_FACTOR = 1.2
CONVERGED_MARGIN = 5e-4
"""A fit counts as converged when its RMS residual is within 1.2× (or 0.05 percentage points) of the
lowest any M reaches."""

PLATEAU_STEPS = 6
PLATEAU_GAIN = 0.9
"""The M scan stops after 6 further M fail to lower the best residual by 10 % (see :func:`_scan`)."""

CAPACITOR_GAIN = 0.7
"""When the test fails without it, a series capacitance is added to the KK model (blocking electrodes,
diffusion tails running below the window) and kept if it lowers the RMS residual below 70 % of the value
without it."""


@dataclass(frozen=True)
class KKResult:
    """Outcome of :func:`kramers_kronig_test`.

    ``residuals`` are complex (Z − Ẑ)/|Z| per point; ``rms`` and ``max_abs`` summarise their real and
    imaginary parts; ``passed`` means rms ≤ ``limit``.
    """

    n_rc: int
    mu: float
    capacitor: bool
    residuals: ComplexArray
    frequency: FloatArray
    rms: float
    max_abs: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.rms <= self.limit

    def summary(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        return (
            f"Kramers–Kronig (linear KK, M = {self.n_rc} RC elements{' + series C' if self.capacitor else ''}, "
            f"μ = {self.mu:.3f}): {verdict} — "
            f"RMS residual {100 * self.rms:.3g} %, max {100 * self.max_abs:.3g} % (limit {100 * self.limit:.3g} % RMS)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "n_rc": self.n_rc,
            "mu": self.mu,
            "series_capacitor": self.capacitor,
            "rms_residual": self.rms,
            "max_abs_residual": self.max_abs,
            "limit_rms": self.limit,
            "unit": "fraction of |Z|",
        }


def _lin_kk(spectrum: Spectrum, n_rc: int, capacitor: bool) -> tuple[FloatArray, ComplexArray]:
    """Weighted linear fit with ``n_rc`` RC elements (plus R∞, L and optionally a series C); returns the
    R_k (Ω) and the model Ẑ (Ω)."""
    omega = spectrum.omega
    tau = np.geomspace(1.0 / omega.max(), 1.0 / omega.min(), n_rc)
    columns = [1.0 / (1.0 + 1j * np.outer(omega, tau)), np.ones(omega.size), 1j * omega]
    if capacitor:
        columns.append(1.0 / (1j * omega))
    design = np.column_stack(columns)
    weight = 1.0 / np.abs(spectrum.impedance)
    matrix = np.vstack([design.real * weight[:, None], design.imag * weight[:, None]])
    target = np.concatenate([spectrum.real * weight, spectrum.imag * weight])
    scale = np.linalg.norm(matrix, axis=0)
    scale[scale == 0] = 1.0
    # gelsy (complete orthogonal factorisation) is ~3x faster than numpy's SVD-based lstsq here
    coef = scipy.linalg.lstsq(matrix / scale, target, lapack_driver="gelsy", check_finite=False)[0] / scale
    return coef[:n_rc], design @ coef


@dataclass(frozen=True)
class _Trial:
    n_rc: int
    mu: float
    model: ComplexArray
    rms: float


def _trial(spectrum: Spectrum, n_rc: int, capacitor: bool) -> _Trial:
    resistances, model = _lin_kk(spectrum, n_rc, capacitor)
    positive = resistances[resistances >= 0].sum()
    negative = -resistances[resistances < 0].sum()
    mu = 1.0 - negative / positive if positive > 0 else 0.0
    relative = (spectrum.impedance - model) / np.abs(spectrum.impedance)
    rms = float(np.sqrt(np.mean(np.concatenate([relative.real, relative.imag]) ** 2)))
    return _Trial(n_rc, float(mu), model, rms)


def _choose(trials: list[_Trial], mu_criterion: float) -> _Trial | None:
    """The μ criterion, applied only once the fit has converged.

    With too few RC elements the fit is poor and μ can dip below the criterion by accident (negative
    R_k compensating a misfit), so the search starts at the smallest M whose residual is within
    ``CONVERGED_FACTOR`` of the best any M reaches; from there M grows until μ ≤ ``mu_criterion``.
    Returns ``None`` when no converged M meets the criterion.
    """
    first = _first_converged(trials)
    return next((t for t in trials[first:] if t.mu <= mu_criterion), None)


def _first_converged(trials: list[_Trial]) -> int:
    """Index of the smallest M whose residual is within ``CONVERGED_FACTOR`` (or ``CONVERGED_MARGIN``) of
    the lowest residual of all ``trials``."""
    floor = min(t.rms for t in trials)
    threshold = max(CONVERGED_FACTOR * floor, floor + CONVERGED_MARGIN)
    return next(i for i, t in enumerate(trials) if t.rms <= threshold)


def _scan(spectrum: Spectrum, upper: int, capacitor: bool, mu_criterion: float) -> _Trial:
    """Grow M from 3 and return the chosen trial (see :func:`_choose`).

    The scan stops early once a choice exists and ``PLATEAU_STEPS`` further M have not lowered the best
    residual by more than 10 %; otherwise it runs to ``upper`` and, if μ never meets the
    criterion, keeps the first converged M.
    """
    trials: list[_Trial] = []
    best_at = 0
    for n_rc in range(3, upper + 1):
        trials.append(_trial(spectrum, n_rc, capacitor))
        floor = trials[best_at].rms
        if trials[-1].rms < PLATEAU_GAIN * floor:
            best_at = len(trials) - 1
        if len(trials) - 1 - best_at >= PLATEAU_STEPS and _choose(trials, mu_criterion) is not None:
            break
    chosen = _choose(trials, mu_criterion)
    return chosen if chosen is not None else trials[_first_converged(trials)]


def kramers_kronig_test(
    spectrum: Spectrum, *, mu_criterion: float = 0.85, max_rc: int | None = None, limit: float = KK_RMS_LIMIT
) -> KKResult:
    """Linear Kramers–Kronig test of ``spectrum`` with automatic M (see module docstring)."""
    n_points = len(spectrum)
    if n_points < KK_MIN_POINTS:
        raise DataError(f"{spectrum.label}: {n_points} points are too few for a Kramers–Kronig test")
    upper = max_rc if max_rc is not None else min(n_points - 3, MAX_RC)
    upper = max(upper, 3)
    chosen = _scan(spectrum, upper, False, mu_criterion)
    use_capacitor = False
    if chosen.rms > limit:
        with_capacitor = _scan(spectrum, upper, True, mu_criterion)
        if with_capacitor.rms < CAPACITOR_GAIN * chosen.rms:
            chosen, use_capacitor = with_capacitor, True
    residuals = (spectrum.impedance - chosen.model) / np.abs(spectrum.impedance)
    parts = np.concatenate([residuals.real, residuals.imag])
    return KKResult(
        n_rc=chosen.n_rc,
        mu=chosen.mu,
        capacitor=use_capacitor,
        residuals=residuals,
        frequency=spectrum.frequency,
        rms=chosen.rms,
        max_abs=float(np.max(np.abs(parts))),
        limit=limit,
    )
