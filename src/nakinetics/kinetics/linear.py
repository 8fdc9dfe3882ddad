"""Linear (micro-polarization) estimator: i₀ from the slope of the sweep through its zero-current point.

For |x| ≪ RT/F the current is linear, i ≈ (α_a+α_c) i₀ f η.  The measured slope gives the DC polarization
resistance R_p = dV/di (including R_Ω); the charge-transfer part is R_ct = R_p − R_Ω and

    i₀ = g·RT/(n F R_ct),   g = 2 for a symmetric cell (R_ct holds two interfaces), 1 for one interface,

assuming α_a + α_c = n (n = 1 for Na⁺ + e⁻ ⇌ Na).  The linearisation error stays below 1 % for
|V − V₀| < 25 mV on a symmetric cell and |η| < 12.6 mV on one interface at α = ½ (``notes/kinetics.md``
§1.4); these are the default windows.  R_p is also the number to compare with the low-frequency limit
of an EIS spectrum (R_Ω + R_ct).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import checked
from .._typing import FloatArray
from ..constants import thermal_voltage
from ..temperature import check_temperature_k

LINEAR_LIMIT_V = {"symmetric": 0.025, "single": 0.0126}
"""Default half-width of the linear window around V₀ (V)."""
MIN_POINTS = 5


@dataclass(frozen=True)
class LinearResult:
    """Micro-polarization estimate (resistances in V per working current unit)."""

    cell: str
    limit_v: float
    n_points: int
    r_p: float | None = None
    r_p_stderr: float | None = None
    r_ohm: float = 0.0
    r_ohm_stderr: float = 0.0
    r_ct: float | None = None
    r_ct_stderr: float | None = None
    i0: float | None = None
    i0_stderr: float | None = None
    factor: float = 1.0
    reason: str | None = None
    r_ohm_source: str = "given"

    @property
    def found(self) -> bool:
        return self.i0 is not None

    def to_dict(self, current_factor: float, current_unit: str, resistance_unit: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "found": self.found,
            "window": {"half_width": self.limit_v, "unit": "V", "about": "V0"},
            "n_points": self.n_points,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.r_p is not None:
            out["R_p"] = {
                "value": self.r_p,
                "stderr": self.r_p_stderr,
                "unit": resistance_unit,
                "convention": "DC polarization resistance dV/di at V0 (includes R_ohm)",
            }
        if self.r_ct is not None:
            out["R_ct"] = {
                "value": self.r_ct,
                "stderr": self.r_ct_stderr,
                "unit": resistance_unit,
                "convention": "R_p − R_ohm"
                + (" (both interfaces)" if self.cell == "symmetric" else "")
                + f"; R_ohm = {self.r_ohm:.4g} ± {self.r_ohm_stderr:.2g} {resistance_unit}, {self.r_ohm_source}",
            }
        if self.i0 is not None:
            out["i0"] = {
                "value": self.i0 * current_factor,
                "stderr": None if self.i0_stderr is None else self.i0_stderr * current_factor,
                "unit": current_unit,
                "convention": f"i0 = {self.factor:g}·RT/(nF·R_ct), assumes α_a + α_c = n",
            }
        return out


@checked
def linear_estimate(
    potential_v: FloatArray,
    current: FloatArray,
    *,
    cell: str,
    temperature_k: float,
    v0: float,
    r_ohm: float = 0.0,
    r_ohm_stderr: float = 0.0,
    n_electrons: int = 1,
    limit_v: float | None = None,
    r_ohm_source: str = "given",
    any_temperature: bool = False,
) -> LinearResult:
    """Fit i = a + V/R_p to the points with |V − V₀| ≤ ``limit_v`` and convert to i₀ (see module
    docstring).  ``current`` should already be corrected for capacitive current if it matters;
    ``r_ohm_source`` says where R_Ω came from (reported with R_ct).  ``temperature_k`` must lie in
    200–1200 K unless ``any_temperature`` (:func:`~nakinetics.temperature.check_temperature_k`)."""
    check_temperature_k(temperature_k, any_temperature=any_temperature)
    limit = LINEAR_LIMIT_V[cell] if limit_v is None else limit_v
    v = np.asarray(potential_v, dtype=float)
    i = np.asarray(current, dtype=float)
    keep = np.abs(v - v0) <= limit
    n = int(keep.sum())
    if n < MIN_POINTS:
        return LinearResult(
            cell, limit, n, reason=f"only {n} point(s) within ±{1e3 * limit:.1f} mV of V0 = {v0:.4g} V"
        )
    vk, ik = v[keep] - v0, i[keep]
    if np.ptp(vk) <= 0.2 * limit:
        return LinearResult(cell, limit, n, reason=f"the points near V0 span only {1e3 * np.ptp(vk):.2f} mV")
    design = np.column_stack([np.ones(n), vk])
    coef, *_ = np.linalg.lstsq(design, ik, rcond=None)
    residual = ik - design @ coef
    var = float(residual @ residual) / max(n - 2, 1)
    cov = var * np.linalg.inv(design.T @ design)
    conductance, g_err = float(coef[1]), math.sqrt(max(cov[1, 1], 0.0))
    if conductance <= 0:
        return LinearResult(cell, limit, n, reason="the current does not increase with the potential near V0")
    r_p = 1.0 / conductance
    r_p_err = r_p * (g_err / conductance)  # = g_err/G² without underflowing G² to zero
    if not math.isfinite(r_p_err):
        return LinearResult(
            cell, limit, n, reason=f"the slope near V0 ({conductance:.3g}) is too small to give a resistance"
        )
    r_ct = r_p - r_ohm
    r_ct_err = math.hypot(r_p_err, r_ohm_stderr)
    factor = 2.0 if cell == "symmetric" else 1.0
    measured = LinearResult(
        cell,
        limit,
        n,
        r_p,
        r_p_err,
        r_ohm,
        r_ohm_stderr,
        r_ct,
        r_ct_err,
        factor=factor,
        r_ohm_source=r_ohm_source,
    )
    if r_ct <= 0:
        return dataclasses.replace(
            measured,
            reason=f"R_p = {r_p:.4g} does not exceed R_ohm = {r_ohm:.4g}: no charge-transfer part left",
        )
    i0 = factor * thermal_voltage(temperature_k) / (n_electrons * r_ct)
    return dataclasses.replace(measured, i0=i0, i0_stderr=i0 * r_ct_err / r_ct)
