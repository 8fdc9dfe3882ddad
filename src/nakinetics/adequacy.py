"""Does the fitted circuit describe the data?  The fit's residual against the data's own noise.

The linear Kramers–Kronig model (:mod:`nakinetics.validation`) describes any causal, stable, linear spectrum with M
RC elements, so its residual is the measurement's noise (plus drift, if any).  A circuit that describes the data
leaves a residual of the same size; a circuit that lacks a process leaves more, and leaves it where that process
lives, in a band of frequencies.  Both residuals are relative, (Z − Ẑ)/|Z|, at the same points.

The test is the extra-sum-of-squares F test of the circuit (k free parameters) against the KK model (p = M + 2 or
M + 3 linear parameters, the more flexible one), on the relative residuals: F = ((SS_fit − SS_KK)/(p − k)) /
(SS_KK/(2n − p)).  The model is flagged when all three hold:

* the F test rejects at ``P_VALUE`` (the misfit is not noise),
* the fit's RMS residual is at least ``RATIO`` times the KK residual (the misfit matters: a large spectrum makes
  even tiny, harmless misfits significant),
* the misfit is structured: ``STRUCTURE`` of it lies in one band of frequencies (reported as f1–f2).

Calibrated on synthetic spectra of known truth (``benchmarks/adequacy_calibration.py``; README table): the true
circuit at its best minimum, 0.3–3 % noise, nine families, is never flagged (ratio ≤ 1.3); one arc fitted to two,
two arcs fitted to three and a Randles circuit lacking an arc are flagged whenever the missing process stands out
of the noise.  ``tests/test_adequacy.py`` checks the three cases the issue names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._special import f_survival
from ._typing import ComplexArray, FloatArray

P_VALUE = 1e-4
"""The F test must reject 'the circuit leaves only noise' at this level."""
RATIO = 1.5
"""... and the circuit's RMS residual must be at least this multiple of the KK residual."""
STRUCTURE = 0.5
"""... and at least this share of the excess squared residual must lie in one contiguous band of frequencies."""


@dataclass(frozen=True)
class Adequacy:
    """The circuit's residual against the data's KK residual (both RMS of (Z − Ẑ)/|Z|, dimensionless)."""

    fit_rms: float
    kk_rms: float
    p_value: float
    band_hz: tuple[float, float]
    band_share: float
    inadequate: bool

    @property
    def ratio(self) -> float:
        return self.fit_rms / self.kk_rms if self.kk_rms > 0 else math.inf

    def message(self, window_hz: tuple[float, float] | None = None) -> str:
        """The warning for an inadequate model (``window_hz``: the fitted range, to say when the misfit sits at
        its edge, where instrument artefacts live)."""
        f1, f2 = sorted(self.band_hz)
        edge = window_hz is not None and (f1 <= min(window_hz) * 1.0001 or f2 >= max(window_hz) * 0.9999)
        return (
            f"the model does not describe the data (residual ×{self.ratio:.1f} the Kramers–Kronig residual: "
            f"{100 * self.fit_rms:.2g} % against {100 * self.kk_rms:.2g} % RMS, structured between {f1:.3g} and "
            f"{f2:.3g} Hz): a process is missing or misplaced; compare other circuits (-c, or `nakinetics fit --compare`) before "
            "using its numbers"
            + (", or leave that band out (--fmin/--fmax) if it is an instrument artefact" if edge else "")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "inadequate": self.inadequate,
            "fit_rms_residual": self.fit_rms,
            "kk_rms_residual": self.kk_rms,
            "ratio": self.ratio,
            "p_value": self.p_value,
            "band_hz": list(self.band_hz),
            "band_share": self.band_share,
        }


def _rms(residuals: ComplexArray) -> float:
    return float(np.sqrt(np.mean(residuals.real**2 + residuals.imag**2) / 2.0))


def _band(frequency: FloatArray, excess: FloatArray) -> tuple[tuple[float, float], float]:
    """The contiguous band (in frequency order) holding the largest share of the positive excess, found as
    the maximum-sum run of ``excess`` minus its mean over all points (Kadane)."""
    order = np.argsort(frequency)
    values = excess[order]
    positive = float(values[values > 0].sum())
    if positive <= 0:
        return (float(frequency.min()), float(frequency.max())), 0.0
    shifted = values - max(float(values.mean()), 0.0)
    best, best_span, run, start = -math.inf, (0, 0), 0.0, 0
    for i, v in enumerate(shifted):
        if run <= 0:
            run, start = v, i
        else:
            run += v
        if run > best:
            best, best_span = run, (start, i)
    lo, hi = best_span
    share = float(np.clip(values[lo : hi + 1], 0, None).sum()) / positive
    f = frequency[order]
    return (float(f[lo]), float(f[hi])), share


def model_adequacy(
    frequency: FloatArray,
    fit_residuals: ComplexArray,
    n_varying: int,
    kk_residuals: ComplexArray,
    kk_parameters: int,
) -> Adequacy:
    """Compare a circuit fit's relative residuals (``n_varying`` free parameters) with the KK model's at the same
    ``frequency`` points (``kk_parameters`` linear parameters); see the module docstring."""
    n_rows = 2 * frequency.size
    ss_fit = float(np.sum(fit_residuals.real**2 + fit_residuals.imag**2))
    ss_kk = float(np.sum(kk_residuals.real**2 + kk_residuals.imag**2))
    dof_kk = n_rows - kk_parameters
    extra = kk_parameters - n_varying
    if dof_kk > 0 and extra > 0 and ss_kk > 0 and ss_fit > ss_kk:
        f_stat = ((ss_fit - ss_kk) / extra) / (ss_kk / dof_kk)
        p_value = f_survival(f_stat, extra, dof_kk)
    else:
        p_value = 1.0
    excess = np.abs(fit_residuals) ** 2 - np.abs(kk_residuals) ** 2
    band, share = _band(frequency, excess)
    fit_rms, kk_rms = _rms(fit_residuals), _rms(kk_residuals)
    inadequate = (
        p_value < P_VALUE and fit_rms >= RATIO * kk_rms and share >= STRUCTURE and math.isfinite(fit_rms)
    )
    return Adequacy(fit_rms, kk_rms, p_value, band, share, inadequate)


def fit_adequacy(result: Any, kk: Any) -> Adequacy:
    """:func:`model_adequacy` of a :class:`~nakinetics.fitting.FitResult` against the
    :class:`~nakinetics.validation.KKResult` of the same points."""
    return model_adequacy(
        result.spectrum.frequency,
        result.residuals(),
        result.statistics.n_varying,
        kk.residuals,
        kk.n_rc + 2 + int(kk.capacitor),
    )
