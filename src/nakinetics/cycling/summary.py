"""Summary numbers of a cycling record: overpotential growth, cycling life, DC and EIS ASR.

* growth rate: ordinary least-squares slope of η_p against the half-cycle's middle time, over the
  half-cycles at the most frequent current density before any short circuit, in mV per 100 h with its
  standard error;
* cycling life: from the start of the first half-cycle to the short circuit, else to the end of the last
  half-cycle (then a lower bound: ``ended_by = "end of record"``);
* DC ASR: η_p / |j| (Ω cm²; mV / mA cm⁻²), the whole cell.  Per interface for a symmetric cell:
  (η_p − |j|·ASR_Ω) / (2|j|) when the ohmic ASR_Ω is known from an impedance fit of the same cell,
  otherwise η_p / (2|j|) with the electrolyte included (said so);
* EIS ASR: from a circuit fit (:func:`nakinetics.fit_circuit` or :func:`nakinetics.compare_models`) —
  the electrolyte resistance × A and the interfacial resistances × A (cell) and × A / 2 (per interface).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._typing import FloatArray
from ..derived import INTERFACIAL_ROLES, OHMIC_ROLES, CellGeometry, propagate_uncertainty, role_assignment
from ..fitting import FitResult


@dataclass(frozen=True)
class Growth:
    """Linear growth of the plateau overpotential."""

    rate_mv_per_100h: float | None
    stderr_mv_per_100h: float | None
    current_density_ma_cm2: float
    n_half_cycles: int
    first_mv: float
    last_mv: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate_mv_per_100h": self.rate_mv_per_100h,
            "stderr_mv_per_100h": self.stderr_mv_per_100h,
            "current_density_ma_cm2": self.current_density_ma_cm2,
            "n_half_cycles": self.n_half_cycles,
            "first_overpotential_mv": self.first_mv,
            "last_overpotential_mv": self.last_mv,
            "definition": "least-squares slope of η_p vs half-cycle mid-time, half-cycles at this current "
            "density before any short circuit",
        }


def growth_rate(
    mid_h: FloatArray, eta_mv: FloatArray, j_abs: FloatArray, levels: np.ndarray
) -> Growth | None:
    """Growth of η_p at the most frequent current level (``levels``: level index per half-cycle)."""
    if mid_h.size == 0:
        return None
    counts = np.bincount(levels)
    keep = levels == int(np.argmax(counts))
    x, y = mid_h[keep], eta_mv[keep]
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    rate = stderr = None
    if x.size >= 3 and np.ptp(x) > 0:
        coef, cov = np.polyfit(x, y, 1, cov=True) if x.size > 3 else (np.polyfit(x, y, 1), None)
        rate = float(coef[0]) * 100
        stderr = float(np.sqrt(cov[0, 0])) * 100 if cov is not None else None
    return Growth(
        rate_mv_per_100h=rate,
        stderr_mv_per_100h=stderr,
        current_density_ma_cm2=float(np.median(j_abs[keep])),
        n_half_cycles=int(x.size),
        first_mv=float(y[0]) if y.size else float("nan"),
        last_mv=float(y[-1]) if y.size else float("nan"),
    )


def eis_asr(fit: FitResult, area_cm2: float, symmetric: bool) -> dict[str, Any]:
    """Ohmic and interfacial ASR from an impedance fit (Ω cm², with standard errors where available)."""
    assignment = role_assignment(fit, geometry=CellGeometry(area_cm2=area_cm2))
    electrolyte = assignment.resistances(*OHMIC_ROLES)
    interfacial = assignment.resistances(*INTERFACIAL_ROLES)

    def quantity(labels: list[str], factor: float) -> dict[str, float | None] | None:
        if not labels:
            return None
        value, stderr = propagate_uncertainty(fit, lambda v: sum(v[n] for n in labels) * factor)
        return {"value": value, "stderr": stderr}

    out: dict[str, Any] = {
        "circuit": fit.circuit.text,
        "file": fit.spectrum.metadata.source,
        "ohmic_elements": electrolyte,
        "interfacial_elements": interfacial,
        "ohmic_asr_ohm_cm2": quantity(electrolyte, area_cm2),
        "interfacial_asr_cell_ohm_cm2": quantity(interfacial, area_cm2),
        "interfacial_asr_per_interface_ohm_cm2": quantity(interfacial, area_cm2 / 2) if symmetric else None,
        "convention": "R × A (A geometric); per interface R × A / 2 (symmetric cell, identical interfaces)",
    }
    return out
