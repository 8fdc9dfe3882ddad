"""The link between a DC sweep and an impedance spectrum of the same cell.

The spectrum is fitted with a few candidate circuits (:data:`CANDIDATES`, each as the preset tagged with the
cell's electrolyte: ``na_liquid_na`` for ``na_se_na_2arc`` in a liquid cell; lowest BIC wins) and its elements
get their roles by the decision ``fit`` makes (:func:`nakinetics.derived.role_assignment`, with the cell and
electrolyte of the measurement):

* R_Ω for the iR correction: the resistances with an ohmic role (:data:`nakinetics.roles.OHMIC_ROLES`) — the
  high-frequency intercept for a liquid cell, and for a solid electrolyte measured below its bulk and
  grain-boundary arcs the real-axis value before the interfacial arc (R_SE = R_b + R_gb); when the
  circuit resolves bulk and grain-boundary arcs their resistances are added.
* i₀ from EIS: i₀,EIS = g·RT/(nF·R_ct·A) from the charge-transfer resistances only (an SEI or other interfacial
  arc is excluded, as in ``fit``), g = 2 for a symmetric cell (R_ct holds two interfaces) and g = 1 for a single
  interface; compared with the DC i₀ (ratio DC/EIS, flagged outside [0.5, 2]).  The sum of all interfacial
  resistances is reported beside it (a symmetric cell with unequal electrodes shows two charge-transfer arcs,
  which one spectrum cannot tell from interphase + charge transfer).
* DC polarization resistance (linear estimator) against the spectrum's DC limit R_Ω + ΣR (ratio DC/EIS,
  flagged outside [0.5, 2]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._checks import checked, finite_result, positive
from ..constants import FARADAY, GAS_CONSTANT
from ..data import Spectrum
from ..derived import CellGeometry, resistance_sum, role_assignment
from ..exceptions import DataError
from ..fitting import FitResult
from ..parameters import resolve_model
from ..roles import INTERFACIAL_ROLES, KINETIC_ROLES, OHMIC_ROLES, CellContext, decide_context
from ..selection import compare_models
from ..temperature import check_temperature_k

AGREEMENT_RANGE = (0.5, 2.0)
CANDIDATES = {
    "symmetric": ("R0-p(R1,CPE1)", "R0-p(R1,CPE1)-p(R2,CPE2)"),
    "single": ("R0-p(R1,CPE1)", "randles_w"),
}
"""Circuits tried on a spectrum (lowest BIC wins), each replaced by the preset of the same structure tagged with
the cell's electrolyte (:func:`nakinetics.roles.matching_preset`)."""
LIKELY_CAUSES = (
    (
        "an SEI/interphase resistance: EIS separates it from R_ct, while the DC sweep sees it in series with the "
        "charge transfer (R_Ω holds only the electrolyte), so the DC i0 is an SEI-inclusive effective value"
    ),
    "the DC sweep is not at steady state (transient concentration polarization, SEI changes): compare scan rates",
    (
        "unequal electrodes: EIS and the low-voltage slope give the harmonic mean of the two i0, the Tafel "
        "intercept (high voltage) the geometric mean"
    ),
    "different area definitions or an R_ohm that is wrong for the sweep",
)
R_P_LIKELY_CAUSES = (
    (
        "a slow process (diffusion, a low-frequency arc) seen by one measurement only: the spectrum may stop "
        "before its DC limit or the fitted circuit leave it out, or the sweep may be too fast to reach it"
    ),
    "the sweep is not at steady state near V0 (transient and capacitive currents): compare scan rates",
    "the cell changed between the sweep and the spectrum (SEI, contact, temperature)",
    "the linear window around V0 is too wide or too noisy for a reliable slope (see linear.R_p stderr)",
)


@dataclass(frozen=True)
class EisResistances:
    """What a spectrum says about the cell (resistances in Ω, not per area)."""

    r_ohm: float
    r_ohm_stderr: float | None
    r_ct: float | None
    r_ct_stderr: float | None
    r_dc_limit: float
    ohmic_labels: tuple[str, ...]
    kinetic_labels: tuple[str, ...]
    fit: FitResult
    interfacial_labels: tuple[str, ...] = ()
    r_interfacial: float | None = None
    context: CellContext | None = None
    roles_source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def model(self) -> str:
        return self.fit.preset.name if self.fit.preset else self.fit.circuit.text


@checked
def eis_resistances(
    spectrum: Spectrum,
    *,
    cell: str | None = None,
    electrolyte: str | None = None,
    area_cm2: float | None = None,
) -> EisResistances:
    """Fit the :data:`CANDIDATES` for the cell to ``spectrum`` (lowest BIC) and read R_Ω (ohmic roles) and R_ct
    (charge-transfer roles only: SEI and other interfacial arcs excluded), with the roles decided as ``fit``
    decides them for this ``cell``/``electrolyte`` (``None``: from the file, see
    :func:`nakinetics.roles.decide_context`) and electrode ``area_cm2``."""
    context = decide_context(cell=cell, electrolyte=electrolyte, metadata=spectrum.metadata)
    candidates = [resolve_model(c, context.electrolyte)[0] for c in CANDIDATES[context.cell]]
    fit = compare_models(spectrum, candidates).best
    assignment = role_assignment(fit, context, CellGeometry(area_cm2=area_cm2))
    ohmic = tuple(assignment.resistances(*OHMIC_ROLES))
    kinetic = tuple(assignment.resistances(*KINETIC_ROLES))
    interfacial = tuple(assignment.resistances(*INTERFACIAL_ROLES))
    if not ohmic:
        raise DataError(
            f"{spectrum.label}: the fitted circuit {fit.circuit.text} has no electrolyte resistance"
        )
    r_ohm, r_ohm_err = resistance_sum(fit, ohmic)
    r_ct, r_ct_err = resistance_sum(fit, kinetic)
    r_int = resistance_sum(fit, interfacial)[0]
    r_dc = sum(fit.values[n] for n in assignment.resistors)
    return EisResistances(
        r_ohm,  # type: ignore[arg-type]
        r_ohm_err,
        r_ct,
        r_ct_err,
        r_dc,
        ohmic,
        kinetic,
        fit,
        interfacial,
        r_int,
        context,
        assignment.source,
        assignment.notes,
    )


@checked
def exchange_current_from_resistance(
    r_ct_ohm: float,
    *,
    area_cm2: float | None,
    cell: str,
    temperature_k: float,
    n_electrons: int = 1,
    any_temperature: bool = False,
) -> float:
    """i₀ = g·RT/(nF·R_ct·A) in A cm⁻² (A without area), g = 2 for a symmetric cell; ``temperature_k``
    in 200–1200 K unless ``any_temperature`` (:func:`~nakinetics.temperature.check_temperature_k`)."""
    check_temperature_k(temperature_k, any_temperature=any_temperature)
    positive(r_ct_ohm, "r_ct_ohm")
    if area_cm2 is not None:
        positive(area_cm2, "area_cm2")
    g = 2.0 if cell == "symmetric" else 1.0
    return finite_result(
        lambda: g * GAS_CONSTANT * temperature_k / (n_electrons * FARADAY * r_ct_ohm * (area_cm2 or 1.0)),
        "exchange current",
    )


@dataclass(frozen=True)
class EisLink:
    """DC versus EIS: i₀ from both and their ratio, R_p versus the DC limit of the spectrum."""

    resistances: EisResistances
    cell: str
    area_cm2: float | None
    i0_eis: float | None
    i0_eis_stderr: float | None
    i0_dc: float | None
    i0_dc_stderr: float | None
    r_p_dc: float | None

    @property
    def ratio(self) -> float | None:
        if self.i0_eis is None or self.i0_dc is None:
            return None
        return self.i0_dc / self.i0_eis

    @property
    def agrees(self) -> bool | None:
        return _within(self.ratio)

    @property
    def r_p_ratio(self) -> float | None:
        """DC polarization resistance over the spectrum's DC limit R_Ω + ΣR."""
        if self.r_p_dc is None or not self.resistances.r_dc_limit > 0:
            return None
        return self.r_p_dc / self.resistances.r_dc_limit

    @property
    def r_p_agrees(self) -> bool | None:
        return _within(self.r_p_ratio)

    def to_dict(self, current_factor: float, current_unit: str) -> dict[str, Any]:
        res = self.resistances
        area = self.area_cm2 or 1.0
        per_area = "Ohm cm^2" if self.area_cm2 else "Ohm"
        times_area = " × A" if self.area_cm2 else ""  # without an area every value is absolute
        g = 2 if self.cell == "symmetric" else 1

        def scaled(value: float | None) -> float | None:
            return None if value is None else value * current_factor

        def resistance(value: float | None, stderr: float | None, convention: str) -> dict[str, Any] | None:
            if value is None:
                return None
            error = None if stderr is None else stderr * area
            return {"value": value * area, "stderr": error, "unit": per_area, "convention": convention}

        out: dict[str, Any] = {
            "spectrum": res.fit.spectrum.metadata.source,
            "circuit": res.model,
            "R_ohm": resistance(
                res.r_ohm, res.r_ohm_stderr, f"sum of {', '.join(res.ohmic_labels)}{times_area}"
            ),
            "R_ct": resistance(
                res.r_ct,
                res.r_ct_stderr,
                f"sum of {', '.join(res.kinetic_labels)} (charge transfer){times_area} (cell total)",
            ),
            "R_interfacial": resistance(
                res.r_interfacial,
                None,
                f"sum of {', '.join(res.interfacial_labels)} (every interfacial role){times_area} (cell total): R_ct if "
                "the faster arcs are a second electrode's charge transfer, not a film",
            ),
            "roles": res.roles_source or None,
            "role_notes": list(res.notes),
            "i0_eis": {
                "value": scaled(self.i0_eis),
                "stderr": scaled(self.i0_eis_stderr),
                "unit": current_unit,
                "convention": f"i0 = {g}·RT/(nF·R_ct·A)"
                if self.area_cm2
                else f"i0 = {g}·RT/(nF·R_ct), an absolute current (no electrode area)",
            },
            "i0_dc": {
                "value": scaled(self.i0_dc),
                "stderr": scaled(self.i0_dc_stderr),
                "unit": current_unit,
                "convention": "linear-response i0 of the global fit, (α_a+α_c)/n · i0",
            },
            "ratio_dc_eis": self.ratio,
            "agreement_range": list(AGREEMENT_RANGE),
            "flag": None if self.agrees is None else not self.agrees,
            "R_dc_limit_eis": {
                "value": res.r_dc_limit * area,
                "unit": per_area,
                "convention": "R_ohm + all resistances of the fitted circuit (EIS low-frequency limit)",
            },
            "R_p_dc": None
            if self.r_p_dc is None
            else {
                "value": self.r_p_dc * area,
                "unit": per_area,
                "convention": "slope dV/di of the sweep at V0",
            },
            "R_p_ratio_dc_eis": self.r_p_ratio,
            "R_p_flag": None if self.r_p_agrees is None else not self.r_p_agrees,
        }
        if self.agrees is False:
            out["likely_causes"] = list(LIKELY_CAUSES)
        if self.r_p_agrees is False:
            out["R_p_likely_causes"] = list(R_P_LIKELY_CAUSES)
        return out


def _within(ratio: float | None) -> bool | None:
    return None if ratio is None else AGREEMENT_RANGE[0] <= ratio <= AGREEMENT_RANGE[1]


@checked
def eis_link(
    resistances: EisResistances,
    *,
    cell: str,
    area_cm2: float | None,
    temperature_k: float,
    n_electrons: int,
    i0_dc: float | None,
    i0_dc_stderr: float | None,
    r_p_dc: float | None,
    any_temperature: bool = False,
) -> EisLink:
    """Compare the DC result (i₀ in the working current unit, R_p in V per working current unit) with
    the spectrum."""
    i0_eis = i0_eis_err = None
    if resistances.r_ct is not None and resistances.r_ct > 0:
        i0_eis = exchange_current_from_resistance(
            resistances.r_ct,
            area_cm2=area_cm2,
            cell=cell,
            temperature_k=temperature_k,
            n_electrons=n_electrons,
            any_temperature=any_temperature,
        )
        if resistances.r_ct_stderr is not None:
            i0_eis_err = i0_eis * resistances.r_ct_stderr / resistances.r_ct
    r_p_ohm = None if r_p_dc is None else r_p_dc / (area_cm2 or 1.0)
    return EisLink(resistances, cell, area_cm2, i0_eis, i0_eis_err, i0_dc, i0_dc_stderr, r_p_ohm)
