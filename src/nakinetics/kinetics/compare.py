"""Butler–Volmer versus Marcus–Hush–Chidsey, decided honestly.

Uncorrected iR and mass transport bend a Tafel plot the way Marcus kinetics does (``notes/kinetics.md``
§0.6, §1.8: BV data with R_Ω under-corrected by 40 % fit MHC with λ = 1.67 eV).  So "MHC preferred" is
reported only when all of these hold:

1. both fits use the same noise model, and AIC(BV) − AIC(MHC) ≥ 10 (strong evidence);
2. R_Ω came from an independent measurement (``--r-ohm``/``--eis``), not from the sweep itself;
3. R_Ω came **with its standard error σ**: then both fits treat R_Ω as a Gaussian prior (so each may move
   it where the sweep asks, and ΔAIC includes the prior penalty), and with R_Ω fixed at R̂ − 2σ and at
   R̂ + 2σ (refits of both models) MHC still wins by ΔAIC ≥ 10.  Without σ the uncertainty of R_Ω is
   unknown and no default can stand in for it: a mis-set R_Ω is wrong in the same direction at every
   trial value near it, so MHC is never declared — unless R_Ω is **exact**: 0 for data already
   iR-corrected, or a standard error of exactly 0 stated by the user (``r_ohm_exact``);
4. λ is not at a bound and its 95 % interval stays where MHC differs from BV over the measured range:
   the curvature (e·η_max)²/(4λk_BT) — the MHC deviation of ln i from BV at the largest per-interface
   overpotential — is at least 0.05 at the upper end of the interval ("curvature support").

Otherwise BV is kept and the reason lists every test that failed.  ΔAIC uses the common noise model
(χ² + prior χ² + 2k), so it is a likelihood comparison on identical residual scales.  The caller
(:func:`~.analysis.analyse_polarization`) estimates that common noise model from the BV fit's residuals:
if the data are really MHC, BV's residuals are larger, the noise is overestimated and ΔAIC shrinks —
conservative, in favour of keeping BV.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..constants import BOLTZMANN_EV
from .fit import SweepFit

STRONG_EVIDENCE = 10.0
MIN_CURVATURE = 0.05


@dataclass(frozen=True)
class ModelChoice:
    """Outcome of :func:`choose_model`: the preferred model and why."""

    fits: dict[str, SweepFit]
    preferred: str
    reason: str
    delta_aic: float
    robustness: tuple[tuple[float, float], ...] = ()
    lambda_ci95_ev: tuple[float, float] | None = None
    curvature_support: float | None = None

    def table(self) -> list[dict[str, Any]]:
        best = min(f.aic for f in self.fits.values())
        best_bic = min(f.bic for f in self.fits.values())
        return [
            {
                "model": name,
                "n_varying": fit.n_varying,
                "chisqr": fit.chisqr,
                "prior_chisqr": fit.prior_chisqr,
                "aic": fit.aic,
                "bic": fit.bic,
                "delta_aic": fit.aic - best,
                "delta_bic": fit.bic - best_bic,
                "rms_log_current": fit.rms_log_current(),
                "preferred": name == self.preferred,
            }
            for name, fit in self.fits.items()
        ]

    def to_dict(self, resistance_unit: str) -> dict[str, Any]:
        return {
            "preferred": self.preferred,
            "reason": self.reason,
            "delta_aic_bv_minus_mhc": self.delta_aic,
            "table": self.table(),
            "robustness": [
                {"r_ohm": r, "unit": resistance_unit, "delta_aic_bv_minus_mhc": d} for r, d in self.robustness
            ],
            "lambda_ci95": None
            if self.lambda_ci95_ev is None
            else {"low": self.lambda_ci95_ev[0], "high": self.lambda_ci95_ev[1], "unit": "eV"},
            "curvature_support": self.curvature_support,
            "rule": f"MHC only if ΔAIC ≥ {STRONG_EVIDENCE:g} with an independent R_ohm given with its σ, also "
            f"at R_ohm ± 2σ, λ off its bounds and (eη_max)²/(4λ_high·kT) ≥ {MIN_CURVATURE:g}",
        }


MAX_LOG_FLOAT = math.log(np.finfo(float).max)
"""ln of the largest float: an interval end beyond it is unbounded."""


def curvature_at(max_eta_v: float, lambda_ev: float, temperature_k: float) -> float:
    """MHC deviation of ln i from BV at overpotential ``max_eta_v`` (V): (eη)²/(4λ k_BT), λ in eV."""
    return max_eta_v * max_eta_v / (4.0 * lambda_ev * BOLTZMANN_EV * temperature_k)


def lambda_interval(fit: SweepFit) -> tuple[float, float] | None:
    """95 % interval of λ (eV) from the covariance, symmetric in ln λ; ``None`` without an error or when
    the interval is unbounded (its upper end beyond floating point: λ not determined)."""
    p = fit.parameters["lambda_ev"]
    if p.stderr is None or not p.value > 0 or not math.isfinite(p.stderr):
        return None
    half_width = 1.96 * p.stderr / p.value
    if math.log(p.value) + half_width > MAX_LOG_FLOAT:
        return None
    return p.value * math.exp(-half_width), p.value * math.exp(half_width)


def choose_model(
    bv: SweepFit,
    mhc: SweepFit,
    *,
    r_ohm_independent: bool,
    r_ohm: float | None,
    r_ohm_stderr: float | None,
    refit: Callable[[str, float], SweepFit] | None = None,
    r_ohm_exact: bool = False,
) -> ModelChoice:
    """Decide between the BV and MHC fits of one sweep (see module docstring).  ``refit(model, r_ohm)``
    refits a model with R_Ω held at ``r_ohm``, for the robustness test; ``r_ohm_exact`` says R_Ω has no
    uncertainty (0 for iR-corrected data), so none is needed."""
    fits = {"bv": bv, "mhc": mhc}
    delta = bv.aic - mhc.aic
    cell_half = 0.5 if mhc.law.cell == "symmetric" else 1.0
    max_eta = cell_half * float(np.max(np.abs(mhc.kinetic_voltage)))
    lam = mhc.parameters["lambda_ev"]
    interval = lambda_interval(mhc)
    temperature = mhc.law.temperature_k
    support = None if interval is None else curvature_at(max_eta, interval[1], temperature)

    failed: list[str] = []
    if not mhc.success:
        failed.append("the MHC fit did not converge")
    if delta < STRONG_EVIDENCE:
        failed.append(f"MHC does not fit strongly better (ΔAIC = {delta:.1f} < {STRONG_EVIDENCE:g})")
    better = f"MHC fits better (ΔAIC = {delta:.1f}) but " if delta >= STRONG_EVIDENCE else ""
    if not r_ohm_independent:
        failed.append(
            f"{better}R_ohm was not measured independently: the curvature may be uncorrected iR; give "
            "--r-ohm or --eis"
        )
    elif not r_ohm_stderr and not r_ohm_exact:
        failed.append(
            f"{better}R_ohm has no standard error: how wrong it may be is unknown, and the curvature MHC "
            "explains may be uncorrected iR; give --r-ohm R:SIGMA"
        )
    if lam.at_bound:
        side = (
            "upper bound of its range (toward the BV limit)" if lam.bound_hit() == "upper" else "lower bound"
        )
        failed.append(f"λ = {lam.value:.3g} eV is at the {side}")
    elif interval is None or support is None or support < MIN_CURVATURE:
        high = "unbounded" if interval is None else f"{interval[1]:.3g} eV"
        failed.append(
            f"the 95 % interval of λ (up to {high}) reaches values where MHC and BV differ by less "
            f"than {100 * MIN_CURVATURE:.0f} % over the measured range (open toward the BV limit)"
        )
    if failed:
        return ModelChoice(fits, "bv", "; ".join(failed), delta, (), interval, support)
    robustness: list[tuple[float, float]] = []
    if r_ohm is not None and r_ohm_stderr and refit is not None:
        for r in (max(r_ohm - 2.0 * r_ohm_stderr, 0.0), r_ohm + 2.0 * r_ohm_stderr):
            d = refit("bv", r).aic - refit("mhc", r).aic
            robustness.append((r, d))
        worst = min(d for _, d in robustness)
        if worst < STRONG_EVIDENCE:
            return ModelChoice(
                fits,
                "bv",
                f"MHC fits better at the given R_ohm (ΔAIC = {delta:.1f}) but not across R_ohm ± 2σ "
                f"(ΔAIC down to {worst:.1f}): the curvature can be an iR error",
                delta,
                tuple(robustness),
                interval,
                support,
            )
    robust = "robust to R_ohm ± 2σ"
    if r_ohm_exact and not robustness:
        robust = (
            "R_ohm = 0 taken as exact (data already iR-corrected; if they are not, this curvature can be the "
            "uncorrected iR drop)"
            if r_ohm == 0
            else "R_ohm taken as exact (σ = 0 given)"
        )
    return ModelChoice(
        fits,
        "mhc",
        f"MHC fits strongly better (ΔAIC = {delta:.1f}), {robust}, λ = "
        f"{lam.value:.3g} eV with a closed 95 % interval",
        delta,
        tuple(robustness),
        interval,
        support,
    )
