"""Kramers–Kronig validity test: the linear KK test with automatic choice of the number of RC elements.

A spectrum that obeys the KK relations (linear, causal, stable, time-invariant during the sweep) can be
fitted by R∞ + jωL + Σ R_k/(1 + jωτ_k) with fixed τ_k spread over the measured window; the R_k come from
a linear weighted least-squares solve (they may be negative).  The number M of RC elements is the
smallest for which μ = 1 − Σ_{R_k<0}|R_k| / Σ_{R_k≥0}R_k drops below ``mu_criterion``: more elements
would start fitting noise (Schönleber, Klotz & Ivers-Tiffée, Electrochim. Acta 131 (2014) 20).  Two
additions make this robust on real data: the μ search starts only once the fit has converged (see
:class:`_Scan`), and a series capacitance joins the model when the spectrum needs one.  The
relative residuals (Z − Ẑ)/|Z| then tell whether the data are KK-consistent: drift during the sweep,
non-linearity or instrument artefacts leave residuals with a trend (runs of one sign, neighbours that
agree), random noise leaves random ones.  The verdict uses both the size of the residual and its structure
(:mod:`nakinetics.residuals`): within the limit it passes; above it, random residuals are noisy but valid
data ("pass (noisy)", with the noise they imply), structured ones fail.

Cost: the weighted design is built once per spectrum and only its RC columns are recomputed for each M;
one QR factorisation per M yields the fits without and with the series capacitance and their residual
norms (see :class:`_Design`), the factorisations of consecutive M being stacked into one call; the R_k
(for μ) are solved only for the M the choice looks at.  numpy alone does the linear algebra (importing
scipy.linalg would cost more than a hundred tests).  A 60-point test takes 1.3–3.5 ms of CPU, depending
on how far the scan of M runs (``benchmarks/kk_benchmark.py``), most of it in the LAPACK factorisations.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import checked, integer, number
from ._repr import compact_repr
from ._spectrum_checks import KRAMERS_KRONIG_SPREAD, impedance_input
from ._typing import ComplexArray, FloatArray
from .data import Spectrum
from .exceptions import DataError
from .residuals import (
    OUTLIER_RATIO,
    OUTLIER_SIGMAS,
    ResidualStructure,
    outliers,
    residual_structure,
    robust_scatter,
)

KK_RMS_LIMIT = 0.005
"""Default limit on the RMS relative KK residual (0.5 %): above the ≤ 0.3 % noise of a typical potentiostat
measurement.  Residuals above it still pass when they are random (noisy data are not invalid data); only
structured residuals above it fail (see :class:`KKResult`)."""

KK_MIN_POINTS = 6
"""Fewest points the test accepts."""

MAX_RC = 50
"""Most RC elements tried (fewer when the spectrum has fewer points)."""

CONVERGED_FACTOR = 1.2
CONVERGED_MARGIN = 5e-4
"""A fit counts as converged when its RMS residual is within 1.2× (or 0.05 percentage points) of the
lowest any M reaches (less on spectra of more than 100 points: :func:`_resolution_scale`)."""

PLATEAU_STEPS = 6
PLATEAU_GAIN = 0.9
"""The M scan stops after 6 further M fail to lower the best residual by 10 % (see :class:`_Scan`; less
than 10 % on spectra of more than 100 points: :func:`_resolution_scale`)."""

REFERENCE_ROWS = 200
"""Real equations (2 per point: 100 points) up to which the tolerances above apply as they stand."""


def _resolution_scale(rows: int) -> float:
    """Factor s ≤ 1 on the tolerances above (1.2 − 1, 0.05 points, 1 − 0.9) for ``rows`` real equations:
    REFERENCE_ROWS/rows beyond REFERENCE_ROWS, 1 up to it; the plateau needs PLATEAU_STEPS/√s further M.

    A converged M may still miss the data by a smooth misfit of relative power q = (rms/floor)² − 1 of the
    noise's; the structure test sees it once q·√rows exceeds a few (lag-1 autocorrelation ≈ q, standard
    error 1/√rows), so fixed tolerances, unseen among 60 points, decided the verdict among 1000 (valid dense
    spectra failed).  With q ∝ 1/rows, q·√rows falls as √(REFERENCE_ROWS/rows); in units of the floor's own
    resolution √(2/rows) the tolerance falls from 4.4σ at 100 points to 1.4σ at 1000.  The smaller plateau
    gain and the longer plateau let the scan reach those M past single-M dips of the residual (the τ grid
    happening to fit, often with μ above the criterion) that would otherwise end it.
    """
    return min(1.0, REFERENCE_ROWS / rows)


FIRST_BATCH = 7
SCAN_BATCH = 4
"""The scan factorises M = 3 … 9 together (it never stops before: the plateau needs 6 M after the best),
then 4 M at a time (each batch shares the per-call costs; on average 1.5 M beyond the stop are wasted)."""

CAPACITOR_GAIN = 0.7
"""When the test fails without it, a series capacitance is added to the KK model (blocking electrodes,
diffusion tails running below the window) and kept if it lowers the RMS residual below 70 % of the value
without it."""


@dataclass(frozen=True)
class KKResult:
    """Outcome of :func:`kramers_kronig_test`.

    ``residuals`` are complex (Z − Ẑ)/|Z| per point; ``rms`` and ``max_abs`` summarise their real and
    imaginary parts.  The verdict tells noise from drift: ``passed`` when the RMS residual is within
    ``limit``, or, above it, when the residuals are random (:attr:`structure`: no runs of one sign, no
    correlation between neighbours) — noisy but Kramers–Kronig-consistent data.  Residuals above the limit
    that are structured fail (drift, non-linearity, artefacts).  With ``noise_aware=False`` only the limit
    counts (the classical fixed-threshold test).
    """

    __repr__ = compact_repr

    n_rc: int
    mu: float
    capacitor: bool
    residuals: ComplexArray
    frequency: FloatArray
    rms: float
    max_abs: float
    limit: float
    noise_aware: bool = True

    @functools.cached_property
    def structure(self) -> ResidualStructure | None:
        """Randomness of the residuals in frequency order (``None``: too few points to tell)."""
        return residual_structure(self.frequency, self.residuals)

    @property
    def n_parameters(self) -> int:
        """Linear parameters of the KK model: M resistances, R∞, L and the series C when used."""
        return self.n_rc + 2 + int(self.capacitor)

    @property
    def noise(self) -> float:
        """Relative noise per point (fraction of |Z|) the residuals imply if they are noise: the RMS residual
        corrected for the model's parameters, rms·√(2n/(2n − p))."""
        rows = 2 * len(self.residuals)
        return self.rms * math.sqrt(rows / max(rows - self.n_parameters, 1))

    @property
    def random(self) -> bool | None:
        """Whether the residuals look like noise (``None``: too few points to test)."""
        return None if self.structure is None else not self.structure.structured

    @property
    def outlier_dominated(self) -> bool:
        """The RMS residual comes from a few large residuals (isolated artefacts), not from scatter of all
        points: RMS > :data:`~nakinetics.residuals.OUTLIER_RATIO` × their robust scatter."""
        return self.rms > OUTLIER_RATIO * robust_scatter(self.residuals)

    @property
    def passed(self) -> bool:
        if self.rms <= self.limit:
            return True
        return bool(self.noise_aware and self.random and not self.outlier_dominated)

    @property
    def verdict(self) -> str:
        """``"pass"``, ``"pass (noisy)"`` (above the limit, random residuals) or ``"FAIL"``."""
        if not self.passed:
            return "FAIL"
        return "pass" if self.rms <= self.limit else "pass (noisy)"

    def finding(self) -> str:
        """What the residuals show, in words (the second half of :meth:`summary` and of every warning)."""
        s = self.structure
        within = f"RMS residual {100 * self.rms:.3g} % {'≤' if self.rms <= self.limit else '>'} {100 * self.limit:.3g} %"
        if s is None:
            return f"{within} (too few points to tell noise from drift)"
        if self.rms <= self.limit:
            if s.structured:
                return (
                    f"{within}, but the residuals are systematic ({s.describe()}): a small drift or artefact "
                    "within the limit"
                )
            return f"{within}; residuals random"
        if s.structured:
            return (
                f"{within} and the residuals are systematic ({s.describe()}): drift during the sweep, "
                "non-linearity or instrument artefacts"
            )
        if self.outlier_dominated:
            far = outliers(self.frequency, self.residuals)
            shown = ", ".join(f"{f:.3g}" for f in far[:6]) + (", ..." if far.size > 6 else "")
            return (
                f"{within}, dominated by {far.size} isolated residual(s) beyond "
                f"{OUTLIER_SIGMAS:g}σ at {shown} Hz (artefacts, not noise: the other points scatter by "
                f"{100 * robust_scatter(self.residuals):.2g} %); leave them out (fmin/fmax) or check the "
                "measurement there"
            )
        return (
            f"{within}, but the residuals are random (runs/autocorrelation p = {s.p_value:.2g}): noise of about "
            f"{100 * self.noise:.2g} % per point, not drift"
            + ("" if self.noise_aware else " (fixed limit: counted as a failure)")
        )

    def summary(self) -> str:
        return (
            f"Kramers–Kronig (linear KK, M = {self.n_rc} RC elements{' + series C' if self.capacitor else ''}, "
            f"μ = {self.mu:.3f}): {self.verdict} — {self.finding()}; max {100 * self.max_abs:.3g} %"
        )

    def failure(self) -> str | None:
        """Why the spectrum fails the test (for warnings), or ``None`` when it passes."""
        return None if self.passed else f"the Kramers–Kronig test fails: {self.finding()}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "verdict": self.verdict,
            "n_rc": self.n_rc,
            "mu": self.mu,
            "series_capacitor": self.capacitor,
            "rms_residual": self.rms,
            "max_abs_residual": self.max_abs,
            "limit_rms": self.limit,
            "noise_aware": self.noise_aware,
            "noise_estimate": self.noise,
            "robust_scatter": robust_scatter(self.residuals),
            "outlier_dominated": self.outlier_dominated,
            "residual_structure": None if self.structure is None else self.structure.to_dict(),
            "unit": "fraction of |Z|",
        }


RANK_RTOL = 1e-10
"""A QR factorisation whose smallest |R_ii| falls below this fraction of the largest marks a near-singular
design; that M is then solved by rank-revealing least squares instead (see :meth:`_Design._rank_revealing`)."""


class _Trial:
    """The KK fit with ``n_rc`` RC elements (one variant, ``p`` linear parameters).

    ``rms`` is known from the factorisation; the coefficients, and μ from them, are solved from the
    triangular factor ``lower`` (Rᵀ of [design | data], zero above the diagonal) when first asked for:
    the choice of M reads μ of the converged M only.  The near-singular path passes ``coef`` instead.
    """

    def __init__(
        self,
        n_rc: int,
        rms: float,
        lower: FloatArray | None = None,
        p: int = 0,
        coef: FloatArray | None = None,
    ) -> None:
        self.n_rc, self.rms = n_rc, rms
        self._lower, self._p = lower, p
        if coef is not None:
            self.coef = coef

    @functools.cached_property
    def coef(self) -> FloatArray:
        """R_1 … R_M (Ω), R∞ (Ω), L (H) and, with the series capacitance, 1/C (F⁻¹)."""
        assert self._lower is not None
        p, lower = self._p, self._lower
        coef: FloatArray = np.linalg.solve(lower[:p, :p].T, lower[-1, :p])  # R x = Qᵀ·data
        return coef

    @functools.cached_property
    def mu(self) -> float:
        """μ = 1 − Σ|R_k<0| / ΣR_k≥0 of the RC resistances."""
        resistances = self.coef[: self.n_rc]
        total, total_abs = float(resistances.sum()), float(np.abs(resistances).sum())
        positive, negative = 0.5 * (total_abs + total), 0.5 * (total_abs - total)
        return 1.0 - negative / positive if positive > 0 else 0.0


class _Design:
    """The weighted linear KK problem of one spectrum, built once and extended with M.

    Rows are the real then the imaginary parts weighted by 1/|Z|, so the residual vector is the relative
    residual (Z − Ẑ)/|Z| itself.  The columns R∞, jωL, 1/(jωC) and the data are fixed; only the M RC
    columns change with M (their τ_k spread over the window).  One QR factorisation of
    [RC columns | R∞ | L | C | data] per M gives both variants: without the series C from its leading
    block, with it from the whole (R's last column is Qᵀ·data, its trailing entries the residual norms),
    so the series-C variant costs one extra column, not a second scan.  The designs of several M are
    factorised by one stacked call (:meth:`batch`; each result is bit for bit that of its own call).
    """

    def __init__(self, spectrum: Spectrum, upper: int) -> None:
        omega = spectrum.omega
        z = spectrum.impedance
        weight = 1.0 / np.abs(z)
        n = omega.size
        self.n, self.omega, self.weight, self.upper = n, omega, weight, upper
        self.omega_tau_min = omega / omega.max()  # ω τ_min per frequency
        self.minus_omega_tau_min = -self.omega_tau_min
        self.log_span = math.log(omega.max() / omega.min())
        self.steps = np.arange(upper + 4, dtype=float)
        # the design is kept transposed (one row per column, C order): the buffer a column-major LAPACK
        # factorisation reads without reordering, and row-wise numpy operations on contiguous memory
        self.fixed = np.zeros((4, 2 * n))
        self.fixed[0, :n] = weight  # R∞
        self.fixed[1, n:] = omega * weight  # jωL
        self.fixed[2, n:] = -weight / omega  # 1/(jωC)
        self.fixed[3, :n], self.fixed[3, n:] = z.real * weight, z.imag * weight  # the data
        self.fixed_norms = np.sqrt(np.einsum("ij,ij->i", self.fixed[:3], self.fixed[:3]))
        self.weight_squared = weight * weight
        self.rms_factor = 1.0 / math.sqrt(2 * n)
        self._buffer = np.empty((0, 0, 2 * n))
        self._mask = np.empty((0, 0))

    def _tau_factors(self, n_rc: int) -> FloatArray:
        """τ_k/τ_min for ``n_rc`` τ_k spread logarithmically from 1/ω_max to 1/ω_min."""
        return np.exp(self.steps[:n_rc] * (self.log_span / max(n_rc - 1, 1)))

    def _omega_tau(self, n_rc: int) -> FloatArray:
        """ω τ_k (rows: frequencies, columns: τ_k)."""
        return self.omega_tau_min[:, None] * self._tau_factors(n_rc)

    def scan(self) -> Iterator[tuple[_Trial, _Trial]]:
        """The fits for M = 3, 4, … ``upper``, factorised in batches of :data:`SCAN_BATCH` M (the first
        :data:`FIRST_BATCH`: a scan never stops before) so that the per-call costs are shared."""
        first = 3
        while first <= self.upper:
            last = min(self.upper, first + (FIRST_BATCH if first == 3 else SCAN_BATCH) - 1)
            yield from self.batch(first, last)
            first = last + 1

    def _stack(self, designs: int, width: int) -> FloatArray:
        """A reused buffer for ``designs`` designs of ``width`` columns (grown geometrically: a fresh large
        array per batch costs more in page faults than the arithmetic on it)."""
        if self._buffer.shape[0] < designs or self._buffer.shape[1] < width:
            grown = min(max(width, 2 * self._buffer.shape[1]), self.upper + 4)
            self._buffer = np.empty((max(designs, self._buffer.shape[0]), grown, 2 * self.n))
        return self._buffer[:designs, :width]

    def trials(self, n_rc: int) -> tuple[_Trial, _Trial]:
        """The fits with ``n_rc`` RC elements, without and with the series capacitance."""
        return self.batch(n_rc, n_rc)[0]

    def batch(self, first: int, last: int) -> list[tuple[_Trial, _Trial]]:
        """The fits without and with the series capacitance for M = ``first`` … ``last``.

        The designs [RC | R∞ | L | C | data] of all these M are stacked, padded with zero columns to the
        widest, and factorised by one call (Householder QR: zero columns after the data change nothing).
        """
        n, counts, width = self.n, np.arange(first, last + 1), last + 4
        stack = self._stack(counts.size, width)  # design columns as rows, one design per M
        real, imag = stack[:, :, :n], stack[:, :, n:]
        # τ_k/τ_min = exp(k ln(ω_max/ω_min)/(M − 1)); the rows from k = M on are overwritten below
        k = np.minimum(self.steps[:width], (counts - 1)[:, None])
        factors = np.exp(k * (self.log_span / np.maximum(counts - 1, 1))[:, None])
        # contiguous temporaries, then one write into each half of the (strided) rows
        minus_x = np.multiply.outer(factors, self.minus_omega_tau_min)  # −ω τ_k
        lorentz = np.multiply(minus_x, minus_x)
        lorentz += 1.0
        np.reciprocal(lorentz, out=lorentz)  # Re 1/(1 + jωτ) = 1/(1 + x²)
        norms = np.sqrt(lorentz @ self.weight_squared)  # ‖column‖² = Σ w²/(1 + x²)
        np.multiply(lorentz, self.weight, out=real)
        np.multiply(minus_x, real, out=imag)  # Im = −x/(1 + x²), weighted like the real part
        for design, n_rc, column_norms in zip(stack, counts.tolist(), norms, strict=True):
            design[n_rc : n_rc + 4] = self.fixed
            design[n_rc + 4 :] = 0.0
            column_norms[n_rc : n_rc + 3] = self.fixed_norms
            column_norms[n_rc + 3 :] = 1.0
        # Householder QR: the raw result holds Rᵀ in its lower triangle (the Householder vectors above it)
        raw = np.linalg.qr(stack.transpose(0, 2, 1), mode="raw")[0]
        lower = np.multiply(raw[:, :, :width], self._lower_mask(width))
        # diagonal of the QR of the design with unit-norm columns, for the rank check
        scaled = np.abs(np.diagonal(lower, axis1=1, axis2=2)) / norms
        smallest, largest = np.minimum.accumulate(scaled, axis=1), np.maximum.accumulate(scaled, axis=1)
        out = []
        for b, n_rc in enumerate(counts.tolist()):
            size = n_rc + 4
            factor = lower[b, :size, :size]
            data = factor[-1]  # Qᵀ·data
            pair = []
            for p in (n_rc + 2, n_rc + 3):  # without, with the series capacitance
                if smallest[b, p - 1] > RANK_RTOL * largest[b, p - 1]:
                    residual_norm = math.sqrt(float(data[p:] @ data[p:]))
                    pair.append(_Trial(n_rc, residual_norm * self.rms_factor, lower=factor, p=p))
                else:
                    coef, residual_norm = self._rank_revealing(n_rc, p)
                    pair.append(_Trial(n_rc, residual_norm * self.rms_factor, coef=coef))
            out.append((pair[0], pair[1]))
        return out

    def _lower_mask(self, width: int) -> FloatArray:
        """1 on and below the diagonal of a ``width``-square, 0 above (grown like the buffer)."""
        if self._mask.shape[0] < width:
            self._mask = np.tri(min(max(width, 2 * self._mask.shape[0]), self.upper + 4))
        return self._mask[:width, :width]

    def _design_columns(self, n_rc: int) -> tuple[FloatArray, FloatArray]:
        """[RC | R∞ | L | C] and the data, built without shortcuts (for the near-singular path)."""
        tau_x = self._omega_tau(n_rc)
        rc = 1.0 / (1.0 + 1j * tau_x) * self.weight[:, None]
        design = np.concatenate([np.concatenate([rc.real, rc.imag]), self.fixed[:3].T], axis=1)
        return design, self.fixed[3]

    def _rank_revealing(self, n_rc: int, p: int) -> tuple[FloatArray, float]:
        """Coefficients and residual norm of a near-singular design: minimum-norm least squares on unit-norm
        columns by SVD (numpy's gelsd), dropping singular values below max(rows, columns)·ε of the largest —
        the numerical rank (numpy's and MATLAB's default): smaller ones are indistinguishable from rounding,
        so the fit does not depend on it.  LAPACK's gelsy (pivoted QR, estimated rank at ε), used before, gives
        residuals within a few per cent of these on such designs, where μ ≈ 0 anyway.
        """
        design, data = self._design_columns(n_rc)
        design = design[:, :p]
        scale = np.linalg.norm(design, axis=0)
        scale[scale == 0] = 1.0
        coef = np.linalg.lstsq(design / scale, data, rcond=None)[0] / scale
        return coef, float(np.linalg.norm(data - design @ coef))

    def residuals(self, trial: _Trial) -> ComplexArray:
        """Complex relative residuals (Z − Ẑ)/|Z| of ``trial``."""
        design, data = self._design_columns(trial.n_rc)
        r = data - design[:, : trial.coef.size] @ trial.coef
        return r[: self.n] + 1j * r[self.n :]


class _Scan:
    """Trials of one variant (with or without the series C) for M growing from 3, and the choice of M.

    The μ criterion applies only once the fit has converged: with too few RC elements the fit is poor and
    μ can dip below the criterion by accident (negative R_k compensating a misfit), so the chosen M is the
    smallest whose residual is within ``CONVERGED_FACTOR`` of the best any M reaches and whose μ ≤
    ``mu_criterion``.  The residual is not monotonic in M (the τ grid moves with M): the chosen M must itself
    be converged, not only lie beyond the first converged one (noisy data otherwise get an M whose residual
    is twice the noise, and a structured residual that is the KK model's, not the data's).  The scan is
    done once a choice exists and ``PLATEAU_STEPS`` further M have not lowered the best residual by more
    than 10 %; if μ never meets the criterion, the first converged M is kept.  ``rows`` (twice the points)
    tightens both tolerances on dense spectra (:func:`_resolution_scale`).
    """

    def __init__(self, mu_criterion: float, rows: int) -> None:
        self.mu_criterion = mu_criterion
        # on dense spectra the tolerances shrink below what the structure test resolves (_resolution_scale)
        scale = _resolution_scale(rows)
        self.converged_factor = 1.0 + (CONVERGED_FACTOR - 1.0) * scale
        self.converged_margin = CONVERGED_MARGIN * scale
        self.plateau_gain = 1.0 - (1.0 - PLATEAU_GAIN) * scale
        self.plateau_steps = math.ceil(PLATEAU_STEPS / math.sqrt(scale))
        self.trials: list[_Trial] = []
        self.best_at = 0
        self.floor = math.inf  # lowest finite residual so far
        self.done = False

    def add(self, trial: _Trial) -> None:
        """Record the next M."""
        self.trials.append(trial)
        if trial.rms < self.floor and math.isfinite(trial.rms):
            self.floor = trial.rms
        if trial.rms < self.plateau_gain * self.trials[self.best_at].rms:
            self.best_at = len(self.trials) - 1
        if len(self.trials) - 1 - self.best_at >= self.plateau_steps:
            self.done = self._choose(self._converged_threshold()) is not None

    def _converged_threshold(self) -> float:
        """The residual within ``CONVERGED_FACTOR`` (or ``CONVERGED_MARGIN``) of the lowest of all trials,
        both scaled by :func:`_resolution_scale`."""
        if not math.isfinite(self.floor):
            raise DataError("Kramers–Kronig test: no number of RC elements gives a finite residual")
        return max(self.converged_factor * self.floor, self.floor + self.converged_margin)

    def _choose(self, threshold: float) -> _Trial | None:
        """The smallest converged M with μ ≤ the criterion (``None``: none); μ is solved only for the
        converged M it reads."""
        return next((t for t in self.trials if t.rms <= threshold and t.mu <= self.mu_criterion), None)

    def chosen(self) -> _Trial:
        """The chosen trial; if μ never meets the criterion, the first converged M."""
        threshold = self._converged_threshold()
        chosen = self._choose(threshold)
        return chosen if chosen is not None else next(t for t in self.trials if t.rms <= threshold)


MAX_RC_LIMIT = 10_000
"""Largest ``max_rc`` accepted (the search stops well before: the number of points bounds it anyway)."""


@checked
def kramers_kronig_test(
    spectrum: Spectrum,
    *,
    mu_criterion: float = 0.85,
    max_rc: int | None = None,
    limit: float = KK_RMS_LIMIT,
    noise_aware: bool = True,
) -> KKResult:
    """Linear Kramers–Kronig test of ``spectrum`` with automatic M (see module docstring).

    ``mu_criterion`` in [0, 1]; ``max_rc`` ≥ 3 RC elements (default: up to points − 3, at most 2·points − 4
    whatever is asked); ``limit`` > 0 the
    RMS relative residual (fraction of |Z|) below which the spectrum passes; above it, it passes when
    ``noise_aware`` and the residuals are random (noise, not drift: :class:`KKResult`).  Raises
    :class:`~nakinetics.exceptions.DataError` for a spectrum that cannot be tested and
    :class:`~nakinetics.exceptions.ArgumentError` for bad arguments.
    """
    spectrum = impedance_input(spectrum, "kramers_kronig_test", KRAMERS_KRONIG_SPREAD)
    mu_criterion = number(mu_criterion, "mu_criterion", low=0.0, high=1.0)
    limit = number(limit, "limit", low=0.0, low_open=True)
    if max_rc is not None:
        max_rc = integer(max_rc, "max_rc", low=3, high=MAX_RC_LIMIT)
    n_points = len(spectrum)
    if n_points < KK_MIN_POINTS:
        raise DataError(f"{spectrum.label}: {n_points} points are too few for a Kramers–Kronig test")
    upper = max_rc if max_rc is not None else min(n_points - 3, MAX_RC)
    # at most as many parameters (M + R∞ + L + C + the data column) as the 2n real equations: beyond,
    # the design has more columns than rows (max_rc past that raised a shape error)
    upper = max(min(upper, 2 * n_points - 4), 3)
    design = _Design(spectrum, upper)
    plain, with_capacitor = _Scan(mu_criterion, 2 * n_points), _Scan(mu_criterion, 2 * n_points)
    for trial, trial_capacitor in design.scan():
        # both variants come from one factorisation; the scan without the series C decides how far to
        # go, the one with it runs on only while it matters (the test fails without it)
        if not plain.done:
            plain.add(trial)
        if not with_capacitor.done:
            with_capacitor.add(trial_capacitor)
        if plain.done and (with_capacitor.done or plain.chosen().rms <= limit):
            break
    chosen = plain.chosen()
    use_capacitor = False
    if chosen.rms > limit:
        alternative = with_capacitor.chosen()
        if alternative.rms < CAPACITOR_GAIN * chosen.rms:
            chosen, use_capacitor = alternative, True
    residuals = design.residuals(chosen)
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
        noise_aware=noise_aware,
    )
