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
  A value that cannot be an ASR is refused (``value`` null, ``refused`` says why) instead of printed:
  not finite, negative, or — ohmic plus interfacial — more than :data:`EIS_DC_RATIO_LIMIT` × the DC ASR
  of the same cell (a wrong area, a spectrum of another cell, or a fit that ran away).  The spectrum's own
  area, when its file gives one that differs from the cycling area, is named in a note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._typing import FloatArray
from ..derived import INTERFACIAL_ROLES, OHMIC_ROLES, CellGeometry, propagate_uncertainty, role_assignment
from ..fitting import FitResult
from ..kinetics.analysis import placeholder_area


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


def _line_slope(x: FloatArray, y: FloatArray, span: float) -> tuple[float | None, float | None]:
    """Least-squares slope of y(x) ×100 and its standard error (None from 3 points), computed on x
    scaled to [0, 1] so that any time scale (a mis-read column of 1e300 h) keeps the system regular."""
    with np.errstate(all="ignore"):
        xc = (x - x[0]) / span
        d = xc - xc.mean()
        sxx = float(d @ d)
        slope = float(d @ (y - y.mean())) / sxx
        rate = 100 * slope / span
        if not math.isfinite(rate):
            return None, None
        if x.size == 3:
            return rate, None
        residual = y - y.mean() - slope * d
        stderr = 100 * math.sqrt(float(residual @ residual) / (x.size - 2) / sxx) / span
    return rate, stderr if math.isfinite(stderr) else None


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
    span = float(np.ptp(x)) if x.size else 0.0
    if x.size >= 3 and 0 < span < math.inf:
        rate, stderr = _line_slope(x, y, span)
    return Growth(
        rate_mv_per_100h=rate,
        stderr_mv_per_100h=stderr,
        current_density_ma_cm2=float(np.median(j_abs[keep])),
        n_half_cycles=int(x.size),
        first_mv=float(y[0]) if y.size else float("nan"),
        last_mv=float(y[-1]) if y.size else float("nan"),
    )


#: An EIS ASR (ohmic + interfacial) above this multiple of the DC ASR of the same cell is refused.
EIS_DC_RATIO_LIMIT = 100.0


def eis_asr(
    fit: FitResult, area_cm2: float, symmetric: bool, dc_asr_ohm_cm2: float | None = None
) -> dict[str, Any]:
    """Ohmic and interfacial ASR from an impedance fit (Ω cm², with standard errors where available);
    impossible values refused (see the module docstring; ``dc_asr_ohm_cm2``: the cell's DC ASR)."""
    assignment = role_assignment(fit, geometry=CellGeometry(area_cm2=area_cm2))
    electrolyte = assignment.resistances(*OHMIC_ROLES)
    interfacial = assignment.resistances(*INTERFACIAL_ROLES)

    def quantity(labels: list[str], factor: float) -> dict[str, Any] | None:
        if not labels:
            return None
        value, stderr = propagate_uncertainty(fit, lambda v: sum(v[n] for n in labels) * factor)
        return {"value": value, "stderr": stderr}

    ohmic, cell = quantity(electrolyte, area_cm2), quantity(interfacial, area_cm2)
    per = quantity(interfacial, area_cm2 / 2) if symmetric else None
    refused = _impossible(ohmic, cell, dc_asr_ohm_cm2, area_cm2)
    notes = []
    for name, entry in (("ohmic", ohmic), ("interfacial", cell), ("interfacial per interface", per)):
        reason = refused.get("interfacial" if name.startswith("interfacial") else name)
        if entry is not None and reason is not None:
            entry.update(value=None, stderr=None, refused=reason)
    for name in sorted(set(refused)):
        notes.append(f"EIS {name} ASR refused: {refused[name]}")
    spectrum_area = fit.spectrum.metadata.area_cm2
    if spectrum_area is not None and not math.isclose(spectrum_area, area_cm2, rel_tol=0.01):
        default = placeholder_area(fit.spectrum.metadata)
        notes.append(
            f"the spectrum's file gives an area of {spectrum_area:g} cm²"
            + (f" ({default}: a placeholder, ignored)" if default else "")
            + f"; the EIS ASRs use the cycling area {area_cm2:g} cm²"
        )
    return {
        "circuit": fit.circuit.text,
        "file": fit.spectrum.metadata.source,
        "ohmic_elements": electrolyte,
        "interfacial_elements": interfacial,
        "ohmic_asr_ohm_cm2": ohmic,
        "interfacial_asr_cell_ohm_cm2": cell,
        "interfacial_asr_per_interface_ohm_cm2": per,
        "convention": "R × A (A geometric); per interface R × A / 2 (symmetric cell, identical interfaces)",
        "dc_asr_cell_ohm_cm2": dc_asr_ohm_cm2,
        "notes": notes,
    }


def _impossible(
    ohmic: dict[str, Any] | None, cell: dict[str, Any] | None, dc_asr: float | None, area_cm2: float
) -> dict[str, str]:
    """{"ohmic"/"interfacial": why the value cannot be an ASR} (see the module docstring)."""
    out: dict[str, str] = {}
    for name, entry in (("ohmic", ohmic), ("interfacial", cell)):
        if entry is None:
            continue
        value = entry["value"]
        if not math.isfinite(value):
            out[name] = f"{value} Ω cm² is not finite (the fit did not determine it)"
        elif value < 0:
            out[name] = f"{value:.4g} Ω cm² is negative (an unphysical fit)"
    total = sum(
        e["value"] for n, e in (("ohmic", ohmic), ("interfacial", cell)) if e is not None and n not in out
    )
    if dc_asr is not None and math.isfinite(dc_asr) and dc_asr > 0 and total > EIS_DC_RATIO_LIMIT * dc_asr:
        why = (
            f"ohmic + interfacial {total:.4g} Ω cm² is {total / dc_asr:.3g} × the DC ASR {dc_asr:.4g} Ω cm² of "
            f"the same cell (η_p/|j|), which includes both; a wrong area ({area_cm2:g} cm² used), a spectrum "
            "of another cell, or a fit that ran away"
        )
        for name, entry in (("ohmic", ohmic), ("interfacial", cell)):
            if entry is not None and name not in out:
                out[name] = why
    return out
