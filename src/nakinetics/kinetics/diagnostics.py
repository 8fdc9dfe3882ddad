"""Quality diagnostics of a polarization sweep and its fit (pure functions).

* capacitive current i_C = C·ν against the faradaic current (C from the joint fit of both sweep
  directions);
* forward/backward hysteresis at equal potential (Δ ln|i|) and at equal current (ΔV), after removing the
  capacitive current;
* iR share of the applied voltage at the largest current;
* a Wald–Wolfowitz runs test on the signs of the fit residuals in measurement order: too few runs mean
  the model misses a systematic part of the curve (:func:`nakinetics.residuals.runs_test`, shared with the
  Kramers–Kronig verdict).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._typing import FloatArray

IR_SHARE_WARNING = 0.30
CAPACITIVE_WARNING = 0.10
RUNS_P_WARNING = 1e-3
HYSTERESIS_WARNING = 0.10


@dataclass(frozen=True)
class Hysteresis:
    """Forward (rising potential) minus backward: median Δln|i| at equal V and median ΔV at equal i."""

    delta_ln_current: float | None
    delta_potential_v: float | None
    n_compared: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "delta_ln_current": {
                "value": self.delta_ln_current,
                "unit": "1",
                "convention": "median of ln|i_forward| − ln|i_backward| at equal V (capacitive current removed)",
            },
            "delta_potential": {
                "value": self.delta_potential_v,
                "unit": "V",
                "convention": "median of V_forward − V_backward at equal i",
            },
            "n_compared": self.n_compared,
        }


def _branch_compare(
    v_f: FloatArray, i_f: FloatArray, v_b: FloatArray, i_b: FloatArray, floor: float, sign: float
) -> tuple[list[float], list[float]]:
    keep_f = sign * i_f > floor
    keep_b = sign * i_b > floor
    if keep_f.sum() < 3 or keep_b.sum() < 3:
        return [], []
    vf, lf = v_f[keep_f], np.log(sign * i_f[keep_f])
    vb, lb = v_b[keep_b], np.log(sign * i_b[keep_b])
    order = np.argsort(vb)
    vb, lb = vb[order], lb[order]
    inside = (vf >= vb[0]) & (vf <= vb[-1])
    d_ln = list(lf[inside] - np.interp(vf[inside], vb, lb))
    order = np.argsort(lb)
    lb_sorted, vb_by_i = lb[order], vb[order]
    inside = (lf >= lb_sorted[0]) & (lf <= lb_sorted[-1])
    d_v = list(vf[inside] - np.interp(lf[inside], lb_sorted, vb_by_i))
    return d_ln, d_v


def hysteresis(
    potential_v: FloatArray, current: FloatArray, dvdt: FloatArray, floor: float
) -> Hysteresis | None:
    """Compare the rising-potential points with the falling ones on each branch, using only currents
    above ``floor``; ``None`` when the sweep has one direction only."""
    v = np.asarray(potential_v, dtype=float)
    i = np.asarray(current, dtype=float)
    forward, backward = dvdt > 0, dvdt < 0
    if forward.sum() < 5 or backward.sum() < 5:
        return None
    d_ln: list[float] = []
    d_v: list[float] = []
    for sign in (1.0, -1.0):
        a, b = _branch_compare(v[forward], i[forward], v[backward], i[backward], floor, sign)
        d_ln += a
        d_v += b
    if not d_ln:
        return Hysteresis(None, None, 0)
    return Hysteresis(float(np.median(d_ln)), float(np.median(d_v)) if d_v else None, len(d_ln))


def ir_share(potential_v: FloatArray, current: FloatArray, r_ohm: float, v0: float) -> float | None:
    """|i·R_Ω| / |V − V₀| at the point of largest |i| (fraction of the applied voltage lost ohmically)."""
    v = np.asarray(potential_v, dtype=float)
    i = np.asarray(current, dtype=float)
    k = int(np.argmax(np.abs(i)))
    span = abs(float(v[k]) - float(v0))
    share = abs(float(i[k]) * r_ohm) / span if span > 0 else math.inf  # Python floats: inf, no warning
    return share if math.isfinite(share) else None
