"""Electrode kinetics from polarization sweeps, done right for symmetric sodium cells.

* :func:`analyse_polarization` — the whole analysis of one sweep → :class:`KineticsResult`
  (``.to_dict()`` for JSON);
* models: :func:`butler_volmer`, :func:`symmetric_cell_current` (closed form for any α_a, α_c),
  :func:`symmetric_cell_voltage`, :func:`butler_volmer_limited`, :func:`mhc_current` (exact integral),
  :func:`mhc_current_approx`, :func:`marcus_hush_current`;
* estimators: :func:`fit_sweep` (window-free global fit), :func:`tafel_analysis` (classical, automatic
  window or "no Tafel region"), :func:`linear_estimate` (micro-polarization);
* :func:`synthetic_sweep` — sweeps with known truth.

Conventions: anodic current positive, i₀ per electrode area, IUPAC α without n; see ``notes/kinetics.md``.
"""

from __future__ import annotations

from .analysis import KineticsResult, analyse_polarization, prepare_sweep
from .compare import ModelChoice, choose_model
from .eis_link import EisLink, eis_link, eis_resistances, exchange_current_from_resistance
from .fit import SweepFit, fit_sweep
from .laws import make_law
from .linear import LinearResult, linear_estimate
from .marcus import marcus_hush_current, mhc_current, mhc_current_approx, mhc_limiting_ratio, mhc_rate_approx
from .models import (
    butler_volmer,
    butler_volmer_limited,
    butler_volmer_overpotential,
    concentration_overpotential,
    symmetric_cell_current,
    symmetric_cell_voltage,
    tafel_slope_mv_per_decade,
)
from .synthetic import synthetic_sweep, triangular_sweep
from .tafel import TafelResult, back_reaction_threshold, tafel_analysis

__all__ = [
    "EisLink",
    "KineticsResult",
    "LinearResult",
    "ModelChoice",
    "SweepFit",
    "TafelResult",
    "analyse_polarization",
    "back_reaction_threshold",
    "butler_volmer",
    "butler_volmer_limited",
    "butler_volmer_overpotential",
    "choose_model",
    "concentration_overpotential",
    "eis_link",
    "eis_resistances",
    "exchange_current_from_resistance",
    "fit_sweep",
    "linear_estimate",
    "make_law",
    "marcus_hush_current",
    "mhc_current",
    "mhc_current_approx",
    "mhc_limiting_ratio",
    "mhc_rate_approx",
    "prepare_sweep",
    "symmetric_cell_current",
    "symmetric_cell_voltage",
    "synthetic_sweep",
    "tafel_analysis",
    "tafel_slope_mv_per_decade",
    "triangular_sweep",
]
