"""``analyse_polarization``: the complete kinetic analysis of one sweep.

Order of work: prepare the data (current density, sweep directions, dV/dt, temperature); R_Ω from the
caller or from an impedance spectrum; classical estimates for starting values; the window-free global
fit (primary estimator; for ``model="auto"`` BV and MHC on BV's noise model, compared with
:func:`~.compare.choose_model`); separate fits of the rising and falling sweeps; the classical Tafel and
linear estimators on the capacitance-corrected current, with the given R_Ω (or the fitted one, labelled
as not independent, when none was given); the EIS link; diagnostics and warnings.

Units: potentials in V; inside, currents in A cm⁻² (A when no area is known) and resistances in Ω cm²
(Ω); in :meth:`KineticsResult.to_dict` currents are in mA cm⁻² (mA), resistances in Ω cm² (Ω).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._checks import analysable_sweep, checked, number
from .._repr import compact_repr
from .._typing import FloatArray
from ..constants import T_ROOM
from ..data import DCMetadata, DCRecord, Spectrum
from ..exceptions import DataError
from ..residuals import runs_test
from ..roles import decide_context
from ..sweeps import scan_rate_v_s, split_segments
from ..temperature import check_temperature_k
from .compare import ModelChoice, choose_model, curvature_at, lambda_interval
from .diagnostics import (
    CAPACITIVE_WARNING,
    HYSTERESIS_WARNING,
    IR_SHARE_WARNING,
    RUNS_P_WARNING,
    hysteresis,
    ir_share,
)
from .eis_link import EisLink, eis_link, eis_resistances
from .fit import CAPACITANCE, RESISTANCE, SweepFit, current_unit_names, fit_sweep
from .laws import CURRENT, Law, make_law
from .linear import LinearResult, linear_estimate
from .models import symmetric_tafel_slope_mv_per_decade
from .noise import NoiseModel
from .tafel import TafelResult, back_reaction_threshold, tafel_analysis

MODEL_OPTIONS = ("bv", "bv-limited", "mhc", "mh", "auto")
CORRELATION_WARNING = 0.95
PRIOR_CONFLICT = 3.0
"""Warn when the fitted R_Ω lies more than this many standard errors from the given value."""
OUTPUT_NAMES = {"lambda_ev": "lambda_eV", "r_ohm": "R_ohm", "v0": "V0", "capacitance": "C"}
"""Parameter names in the output where they differ from the internal ones."""


@dataclass(frozen=True)
class PreparedSweep:
    """Arrays ready for analysis: current in the working unit (A cm⁻², or A without area)."""

    label: str
    source: str | None
    potential_v: FloatArray
    current: FloatArray
    direction: FloatArray
    dvdt: FloatArray | None
    scan_rate_v_s: float | None
    area_cm2: float | None
    temperature_k: float
    n_segments: int
    area_source: str | None = None
    """``"given"`` (by the caller), ``"file"`` (the file's metadata), ``"placeholder"`` (the file's area is its
    software's default, not used: no area) or ``None`` (no area)."""

    @property
    def both_directions(self) -> bool:
        return bool((self.direction > 0).sum() >= 5 and (self.direction < 0).sum() >= 5)

    def subset(self, index: Any) -> PreparedSweep:
        return dataclasses.replace(
            self,
            potential_v=self.potential_v[index],
            current=self.current[index],
            direction=self.direction[index],
            dvdt=None if self.dvdt is None else self.dvdt[index],
        )


PLACEHOLDER_AREAS_CM2 = {"biologic": (0.001, "EC-Lab's default electrode surface area")}
"""Electrode areas instrument software writes when the user leaves the field alone, by reader family."""


def placeholder_area(metadata: DCMetadata) -> str | None:
    """What the file's electrode area is when it equals its software's default (a placeholder), else ``None``."""
    family = (metadata.format or "").split("-")[0]
    known = PLACEHOLDER_AREAS_CM2.get(family)
    if known is None or metadata.area_cm2 is None:
        return None
    value, what = known
    return what if math.isclose(metadata.area_cm2, value, rel_tol=1e-9) else None


def _as_record(data: DCRecord | Sequence[ArrayLike]) -> DCRecord:
    if isinstance(data, DCRecord):
        return data
    arrays = list(data)
    if len(arrays) not in (2, 3):
        raise DataError("give a DCRecord or (potential_v, current_a[, time_s]) arrays")
    return DCRecord(
        potential_v=arrays[0], current_a=arrays[1], time_s=arrays[2] if len(arrays) == 3 else None
    )


MIN_AREA_CM2, MAX_AREA_CM2 = 1e-12, 1e6
"""Electrode areas accepted (cm²): from far below an ultramicroelectrode (1 µm: 8e-9 cm²) to 100 m²."""


@checked
def prepare_sweep(
    data: DCRecord | Sequence[ArrayLike],
    *,
    area_cm2: float | None,
    temperature_k: float | None,
    any_temperature: bool = False,
) -> tuple[PreparedSweep, list[str]]:
    """Current density, sweep direction and dV/dt of every point; notes on what had to be assumed.

    The temperature (given, else the file's, else 298.15 K) must lie in 200–1200 K unless
    ``any_temperature`` (:func:`~nakinetics.temperature.check_temperature_k`).
    """
    record = _as_record(data)
    notes: list[str] = []
    technique = record.metadata.technique
    if technique in ("CP", "CA", "OCV"):
        raise DataError(
            f"{record.label}: technique {technique} is not a potential sweep; the Tafel analysis "
            "needs current against swept potential"
        )
    if not record.current_measured:
        raise DataError(f"{record.label}: the current is not measured in this record")
    if len(record) < 10:
        raise DataError(f"{record.label}: only {len(record)} points; a kinetic analysis needs a sweep")
    analysable_sweep(record.label, record.potential_v, record.current_a)
    area = area_cm2 if area_cm2 is not None else record.metadata.area_cm2
    if area is not None:
        number(area, "area_cm2", low=MIN_AREA_CM2, high=MAX_AREA_CM2)
    area_source = None
    if area is not None:
        given = area_cm2 is not None or record.metadata.extra.get("area_source") == "given"
        area_source = "given" if given else "file"
    if area_source == "file":
        default = placeholder_area(record.metadata)
        if default is not None:  # as in `fit` (cycling refuses it): a software default is no electrode area
            notes.append(
                f"the file's electrode area {area:g} cm² is {default}, usually left unchanged: not used, "
                "currents and i0 are absolute (mA), resistances in Ohm — give the real area (--area / area_cm2=)"
            )
            area, area_source = None, "placeholder"
    current = record.current_density_a_cm2(area) if area is not None else record.current_a
    if area is None and area_source is None:
        notes.append(
            "no electrode area (--area or in the file): currents and i0 are absolute (mA), resistances in Ohm"
        )
    temperature = temperature_k if temperature_k is not None else record.metadata.temperature_k
    if temperature is None:
        temperature = T_ROOM
        notes.append(f"temperature not given: {T_ROOM} K assumed (1 K changes f = F/RT by 0.34 %)")
    what = "temperature_k" if temperature_k is not None else f"{record.label}: the file's temperature"
    temperature = check_temperature_k(temperature, any_temperature=any_temperature, what=what)
    segments = split_segments(record)
    direction = np.concatenate(
        [
            np.full(len(s), 1.0 if s.metadata.extra.get("sweep_direction") == "positive" else -1.0)
            for s in segments
        ]
    )
    try:
        rate: float | None = scan_rate_v_s(record)
    except DataError:
        rate = None
    dvdt = None if rate is None else direction * rate
    if rate is None:
        notes.append("scan rate unknown (not in the file, no time column): capacitive current not modelled")
    prepared = PreparedSweep(
        record.label,
        record.metadata.source,
        record.potential_v,
        current,
        direction,
        dvdt,
        rate,
        area,
        float(temperature),
        len(segments),
        area_source,
    )
    return prepared, notes


@dataclass(frozen=True)
class KineticsResult:
    """Everything :func:`analyse_polarization` found about one sweep (see :meth:`to_dict`)."""

    __repr__ = compact_repr

    sweep: PreparedSweep
    model: str
    cell: str
    n_electrons: int
    fit: SweepFit
    choice: ModelChoice | None
    direction_fits: dict[str, SweepFit]
    tafel: TafelResult
    linear: LinearResult
    eis: EisLink | None
    r_ohm_source: str
    r_ohm_independent: bool
    stride: int
    warnings: tuple[str, ...]
    cell_source: str = "given"
    """Where the cell convention came from: ``"given"``, ``"file: ..."`` (a reference electrode,
    metadata) or ``"default"``."""

    @property
    def area_known(self) -> bool:
        return self.sweep.area_cm2 is not None

    @property
    def units(self) -> dict[str, str]:
        return current_unit_names(self.area_known)

    def output_value(self, name: str, value: float | None) -> float | None:
        """A parameter value in output units (currents × 1000: A → mA)."""
        if value is None:
            return None
        unit = self.fit.parameters[name].unit if name in self.fit.parameters else ""
        return value * 1e3 if unit == CURRENT else value

    @property
    def i0_linear_response(self) -> tuple[float, float | None]:
        """(α_a+α_c)/n · i₀ in the working unit: the exchange current EIS and the linear region see."""
        p = self.fit.parameters
        i0 = p["i0"]
        if "alpha_c" not in p or self.fit.law.alpha_mode != "free":
            return i0.value, i0.stderr
        factor = (p["alpha_a"].value + p["alpha_c"].value) / self.n_electrons
        if self.fit.covariance is None or i0.stderr is None:
            return factor * i0.value, None
        names = ("i0", "alpha_a", "alpha_c")
        idx = [self.fit.varying.index(n) for n in names]
        grad = np.array([factor, i0.value / self.n_electrons, i0.value / self.n_electrons])
        var = float(grad @ self.fit.covariance[np.ix_(idx, idx)] @ grad)
        return factor * i0.value, math.sqrt(max(var, 0.0))

    def parameters_dict(self) -> dict[str, Any]:
        units = self.units
        out: dict[str, Any] = {}
        symmetric = self.cell == "symmetric"
        for name, p in self.fit.parameters.items():
            unit = units.get(p.unit, p.unit)
            entry = {
                "value": self.output_value(name, p.value),
                "stderr": self.output_value(name, p.stderr),
                "unit": unit,
                "vary": p.vary,
                "convention": _convention(name, p.description, self),
            }
            if p.prior is not None:
                entry["prior"] = {"mean": p.prior[0], "stderr": p.prior[1], "unit": unit}
            if p.vary:
                why = self.not_determined(name)
                entry["determined"] = why is None
                if why is not None:
                    entry["not_determined"] = why
            out[OUTPUT_NAMES.get(name, name)] = entry
        law = self.fit.law
        if law.alpha_mode == "half":
            out["alpha"] = {
                "value": self.n_electrons / 2.0,
                "stderr": None,
                "unit": "1",
                "vary": False,
                "convention": "assumed α_a = α_c = n/2 (not fitted)",
            }
        if symmetric and law.model.startswith("bv"):
            if "alpha_product" in self.fit.parameters:
                p = self.fit.parameters["alpha_product"]
                product, rel = p.value, None if p.stderr is None else p.stderr / p.value
            else:  # α = n/2 assumed
                product, rel = self.n_electrons**2 / 4.0, None
            slope = symmetric_tafel_slope_mv_per_decade(product, self.n_electrons, self.sweep.temperature_k)
            out["tafel_slope_cell"] = {
                "value": slope,
                "stderr": None if rel is None else slope * rel,
                "unit": "mV/dec",
                "convention": "ln10·(RT/F)·(1/α_a + 1/α_c) = ln10·RT·n/(F·α_a·α_c) with α_a + α_c = n: "
                "high-voltage slope of the cell",
            }
            _inherit_determination(out, "tafel_slope_cell", "alpha_product")
        if law.alpha_mode == "free" and law.model.startswith("bv"):
            value, stderr = self.i0_linear_response
            out["i0_linear_response"] = {
                "value": value * 1e3,
                "stderr": None if stderr is None else stderr * 1e3,
                "unit": units[CURRENT],
                "convention": "(α_a+α_c)/n · i0: what EIS and the linear region measure",
            }
            _inherit_determination(out, "i0_linear_response", "i0")
        return out

    def not_determined(self, name: str) -> str | None:
        """Why the sweep does not determine the fitted parameter ``name`` — at a bound of its range, no
        standard error, a standard error larger than the value, or strongly correlated (|r| > 0.95) with a
        parameter at a bound (its value then follows that bound) — or ``None`` when it does."""
        own = self._own_determination(name)
        if own is not None:
            return own
        for other in self.fit.varying:
            r = self.fit.correlation(name, other) if other != name else None
            if r is not None and abs(r) > CORRELATION_WARNING and _range_bound(self.fit.parameters[other]):
                shown = OUTPUT_NAMES.get(other, other)
                return f"follows {shown} (r = {r:+.3f}), which is at a bound of its range"
        return None

    def _own_determination(self, name: str) -> str | None:
        p = self.fit.parameters[name]
        side = _range_bound(p)
        if side is not None:
            bound = self.output_value(name, p.lower if side == "lower" else p.upper)
            unit = self.units.get(p.unit, p.unit)
            shown = f"{bound:.3g}" + ("" if unit == "1" else f" {unit}")
            return f"at the {side} bound of its range ({shown}): the range, not the data, sets it"
        unit = self.units.get(p.unit, p.unit)
        return undetermined_by_error(
            self.output_value(name, p.value), self.output_value(name, p.stderr), unit
        )

    def diagnostics_dict(self) -> dict[str, Any]:
        return _diagnostics(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (layout of issue 5)."""
        units = self.units
        fit = self.fit
        record = {
            "file": self.sweep.source,
            "model": self.fit.law.model,
            "model_requested": self.model,
            "cell": self.cell,
            "cell_source": self.cell_source,
            "n_electrons": self.n_electrons,
            "temperature_k": self.sweep.temperature_k,
            "area_cm2": self.sweep.area_cm2,
            "area_source": self.sweep.area_source,
            "conventions": {
                "current": "anodic positive; per geometric area of one electrode"
                if self.area_known
                else "anodic positive; absolute current (no area)",
                "i0": f"{units[CURRENT]}, per electrode"
                + ("; symmetric cell of two identical interfaces" if self.cell == "symmetric" else ""),
                "potential": "V; x = V − V0 − i·R_ohm is the kinetic voltage "
                + ("of the cell (V_kin)" if self.cell == "symmetric" else "(overpotential η)"),
                "resistance": units[RESISTANCE],
                "alpha": "IUPAC transfer coefficients without n",
            },
            "r_ohm_source": self.r_ohm_source,
            "parameters": self.parameters_dict(),
            "fit": {
                "n_points": fit.n_points,
                "stride": self.stride,
                "n_varying": fit.n_varying,
                "chisqr": fit.chisqr,
                "prior_chisqr": fit.prior_chisqr,
                "redchi": fit.redchi,
                "aic": fit.aic,
                "bic": fit.bic,
                "rms_log_current": fit.rms_log_current(),
                "rms_log_current_note": fit.rms_log_current_note(),
                "success": fit.success,
                "nfev": fit.nfev,
                "noise": fit.noise.to_dict(units[CURRENT].replace("mA", "A")),
                "potential_range_v": [float(fit.potential_v.min()), float(fit.potential_v.max())],
            },
            "model_comparison": None if self.choice is None else self.choice.to_dict(units[RESISTANCE]),
            "tafel": self.tafel.to_dict(1e3, units[CURRENT], units[RESISTANCE]),
            "linear": self.linear.to_dict(1e3, units[CURRENT], units[RESISTANCE]),
            "eis_link": None if self.eis is None else self.eis.to_dict(1e3, units[CURRENT]),
            "diagnostics": self.diagnostics_dict(),
            "warnings": list(self.warnings),
        }
        for part in ("tafel", "linear", "eis_link"):
            mark_undetermined(record[part])
        return record


PHYSICAL_LIMITS = {("capacitance", "lower"), ("alpha_product", "upper")}
"""Bounds that are physical limits, not search ranges: C = 0 (no capacitive current) and α_a·α_c = n²/4
(α_a = α_c = n/2, the most common truth).  A fit that ends there is an estimate; its standard error decides."""


def _range_bound(p: Any) -> str | None:
    """``"lower"``/``"upper"`` when ``p`` ended on a bound of its search range (not a physical limit)."""
    side = p.bound_hit()
    return None if side is None or (p.name, side) in PHYSICAL_LIMITS else side


def undetermined_by_error(value: float | None, stderr: float | None, unit: str = "") -> str | None:
    """``"no standard error"`` or ``"standard error X exceeds the value"`` for an estimate the data do not
    determine; ``None`` otherwise.  Potentials (unit V) are offsets whose zero is a convention: only a
    missing error counts for them."""
    if value is None or not math.isfinite(value):
        return None
    if stderr is None or not math.isfinite(stderr):
        return "no standard error (the data do not constrain it)"
    if unit != "V" and stderr > abs(value):
        return f"standard error {stderr:.3g} exceeds the value {value:.3g}"
    return None


def mark_undetermined(tree: Any) -> None:
    """Add ``"determined"`` (and ``"not_determined"``: why) to every ``{"value", "stderr", "unit"}`` estimate
    in a JSON-ready ``tree`` that has a standard error (in place)."""
    if isinstance(tree, list):
        for item in tree:
            mark_undetermined(item)
        return
    if not isinstance(tree, dict):
        return
    if "value" in tree and "stderr" in tree and tree.get("stderr") is not None and "determined" not in tree:
        value = tree["value"]
        why = undetermined_by_error(value, tree["stderr"], str(tree.get("unit", "")))
        if isinstance(value, float | int):
            tree["determined"] = why is None
            if why is not None:
                tree["not_determined"] = why
    for key, item in tree.items():
        if key not in ("value", "stderr"):
            mark_undetermined(item)


def _inherit_determination(entries: dict[str, Any], derived: str, source: str) -> None:
    """``entries[derived]`` is determined exactly when ``entries[source]`` is (a function of it alone)."""
    origin = entries.get(source, {})
    if "determined" in origin:
        entries[derived]["determined"] = origin["determined"]
        if "not_determined" in origin:
            entries[derived]["not_determined"] = f"from {source}: {origin['not_determined']}"


def _convention(name: str, description: str, result: KineticsResult) -> str:
    if name == "i0":
        what = {
            "bv": "Butler–Volmer",
            "bv-limited": "Butler–Volmer (transport-limited)",
            "mhc": "normalised MHC",
            "mh": "normalised Marcus–Hush",
        }.get(result.fit.law.model, result.fit.law.model)
        return f"{what} exchange current density per electrode" + (
            " (each of two identical interfaces)" if result.cell == "symmetric" else ""
        )
    if name == "alpha_product":
        return (
            "α_a·α_c with α_a + α_c = n; a symmetric cell cannot tell α_a from α_c (not reported separately)"
        )
    if name == "r_ohm":
        return f"{description}; source: {result.r_ohm_source}"
    if name == "capacitance":
        return description + (
            "; symmetric cell: two double layers in series, C_dl ≈ 2C" if result.cell == "symmetric" else ""
        )
    return description


def _diagnostics(result: KineticsResult) -> dict[str, Any]:
    fit, sweep = result.fit, result.sweep
    units = result.units
    out: dict[str, Any] = {}
    cap = fit.parameters.get("capacitance")
    if cap is not None and sweep.scan_rate_v_s:
        i_c = cap.value * sweep.scan_rate_v_s
        i0 = fit.parameters["i0"].value
        out["capacitive"] = {
            "C": {"value": cap.value, "stderr": cap.stderr, "unit": units[CAPACITANCE]},
            "scan_rate": {"value": sweep.scan_rate_v_s, "unit": "V/s"},
            "i_C": {"value": 1e3 * i_c, "unit": units[CURRENT]},
            "ratio_to_i0": i_c / i0,
            "ratio_at_tafel_window": _capacitive_ratio_in_window(result, i_c),
            "convention": "ratio_to_i0 = C·ν/i0; ratio_at_tafel_window = C·ν/|i| at the smallest current of "
            "the Tafel window(s); the fit and the classical estimators use the current minus C·dV/dt",
        }
    else:
        out["capacitive"] = {
            "available": False,
            "reason": "one sweep direction only" if not sweep.both_directions else "scan rate unknown",
        }
    out["ocv_offset"] = {
        "V0": {"value": fit.parameters["v0"].value, "stderr": fit.parameters["v0"].stderr, "unit": "V"},
        "zero_crossings_v": _zero_crossings(sweep.potential_v, sweep.current),
    }
    r_used = fit.parameters["r_ohm"].value
    share = ir_share(sweep.potential_v, sweep.current, r_used, fit.parameters["v0"].value)
    out["ir_share"] = {
        "value": share,
        "r_ohm_used": r_used,
        "unit_r_ohm": units[RESISTANCE],
        "convention": "|i·R_ohm|/|V − V0| at the largest |i|",
        "flag": bool(share and share > IR_SHARE_WARNING),
    }
    runs = runs_test(fit.residuals())
    out["residuals"] = {
        "rms_log_current": fit.rms_log_current(),
        "rms_log_current_note": fit.rms_log_current_note(),
        "runs_test": None if runs is None else runs.to_dict(),
        "systematic": bool(runs is not None and runs.p_value < RUNS_P_WARNING),
    }
    hyst = _hysteresis(result)
    if hyst is not None:
        out["hysteresis"] = hyst
    transport = _transport(fit)
    if transport:
        out["transport"] = {
            **{f"{branch}_current_over_limit": ratio for branch, ratio in transport.items()},
            "max_current_over_i_lim": max(transport.values()),
            "convention": "largest measured current of each branch / that branch's limiting current "
            "(symmetric cell: |i| / the electrolyte's i_lim, both directions)",
        }
    if fit.law.model in ("mhc", "mh"):
        interval = lambda_interval(fit)
        max_eta = (0.5 if result.cell == "symmetric" else 1.0) * float(np.max(np.abs(fit.kinetic_voltage)))
        lam = fit.parameters["lambda_ev"].value
        out["curvature_support"] = {
            "value": curvature_at(max_eta, lam, sweep.temperature_k),
            "at_lambda_ci95_high": None
            if interval is None
            else curvature_at(max_eta, interval[1], sweep.temperature_k),
            "max_eta_per_interface_v": max_eta,
            "convention": "(e·η_max)²/(4λ·k_B·T): MHC deviation of ln i from BV at the largest overpotential",
        }
    return out


def _transport(fit: SweepFit) -> dict[str, float]:
    """Largest measured current of each branch over the limiting current that bounds it: for a single
    interface the cathodic current against i_lim and the anodic against i_lim_anodic; for a symmetric cell
    |i| in either direction against the electrolyte's i_lim."""
    current = np.asarray(fit.current, dtype=float)
    limits = {
        "cathodic": fit.parameters["i_lim"].value if "i_lim" in fit.parameters else None,
        "anodic": fit.parameters["i_lim_anodic"].value if "i_lim_anodic" in fit.parameters else None,
    }
    if fit.law.cell == "symmetric":
        limits["anodic"] = limits["cathodic"]
    out = {}
    for branch, sign in (("cathodic", -1.0), ("anodic", 1.0)):
        limit = limits[branch]
        reached = sign * current
        if limit and (reached > 0).any():
            out[branch] = float(reached.max()) / limit
    return out


def _capacitive_ratio_in_window(result: KineticsResult, i_c: float) -> float | None:
    ratios = []
    for branch in result.tafel.branches.values():
        if branch.line is not None:
            lo = min(abs(v) for v in branch.line.x_range)
            x = result.sweep.potential_v - result.tafel.v0 - result.tafel.r_ohm * result.sweep.current
            sign = 1.0 if branch.branch == "anodic" else -1.0
            near = (sign * x >= lo) & (sign * result.sweep.current > 0)
            if near.any():
                ratios.append(i_c / float(np.min(np.abs(result.sweep.current[near]))))
    return max(ratios) if ratios else None


def _zero_crossings(potential: FloatArray, current: FloatArray) -> list[float]:
    """Potentials (V) where the current changes sign, interpolated between the neighbouring nonzero
    points; exact zeros (current quantisation near OCV) are skipped, not taken as a missing crossing."""
    nonzero = current != 0
    v, i = potential[nonzero], current[nonzero]
    change = np.flatnonzero(np.sign(i[:-1]) * np.sign(i[1:]) < 0)
    out = []
    for k in change[:20]:
        v1, v2, i1, i2 = v[k], v[k + 1], i[k], i[k + 1]
        out.append(float(v1 - i1 * (v2 - v1) / (i2 - i1)))
    return out


def _hysteresis(result: KineticsResult) -> dict[str, Any] | None:
    sweep, fit = result.sweep, result.fit
    if not sweep.both_directions:
        return None
    i_c = (
        fit.parameters["capacitance"].value * sweep.dvdt
        if "capacitance" in fit.parameters and sweep.dvdt is not None
        else 0.0
    )
    faradaic = sweep.current - i_c
    floor = 10.0 * max(fit.noise.crossover, float(np.max(np.abs(i_c))) if np.ndim(i_c) else 0.0)
    h = hysteresis(sweep.potential_v, faradaic, sweep.direction, floor)
    if h is None:
        return None
    out = h.to_dict()
    units = result.units
    for name, d in result.direction_fits.items():
        p = d.parameters["i0"]
        out[f"i0_{name}"] = {
            "value": 1e3 * p.value,
            "stderr": None if p.stderr is None else 1e3 * p.stderr,
            "unit": units[CURRENT],
            "convention": f"global fit of the {name} points only",
        }
    if len(result.direction_fits) == 2:
        out["ln_i0_rising_minus_falling"] = math.log(
            result.direction_fits["rising"].parameters["i0"].value
            / result.direction_fits["falling"].parameters["i0"].value
        )
    return out


# --------------------------------------------------------------------------------------------------
# starting values


def _zero_crossing_v0(sweep: PreparedSweep) -> float | None:
    crossings = _zero_crossings(sweep.potential_v, sweep.current)
    return float(np.mean(crossings)) if crossings else None


def _law_starts(
    law: Law, i0_candidates: list[float], tafel: TafelResult, sweep: PreparedSweep
) -> list[dict[str, float]]:
    n = law.n_electrons
    shapes: list[dict[str, float]] = [{}]
    names = law.names
    lines = {k: b.line for k, b in tafel.branches.items() if b.line is not None}
    if "alpha_c" in names:
        shapes = [{"alpha_a": n / 2.0, "alpha_c": n / 2.0}]
        if lines:
            a = tafel.alpha(lines["anodic"]) if "anodic" in lines else n / 2.0
            c = tafel.alpha(lines["cathodic"]) if "cathodic" in lines else n / 2.0
            shapes.append(
                {"alpha_a": float(np.clip(a, 0.05, 1.9 * n)), "alpha_c": float(np.clip(c, 0.05, 1.9 * n))}
            )
    elif "alpha_a" in names:
        shapes = [{"alpha_a": n / 2.0}]
    elif "alpha_product" in names:
        shapes = [{"alpha_product": n * n / 4.0}]
        if lines:
            p = float(np.median([tafel.alpha(line) for line in lines.values()]))
            shapes.append({"alpha_product": float(np.clip(p, 0.02, n * n / 4.0 - 1e-3))})
    if "lambda_ev" in names:
        shapes = [{"lambda_ev": 0.3}, {"lambda_ev": 1.0}]
    extra: dict[str, float] = {}
    i_pos = float(np.max(sweep.current, initial=0.0))
    i_neg = float(-np.min(sweep.current, initial=0.0))
    if "i_lim" in names:
        extra["i_lim"] = 1.2 * max(i_neg if law.cell == "single" else max(i_pos, i_neg), 1e-30)
    if "i_lim_anodic" in names:
        extra["i_lim_anodic"] = 1.2 * max(i_pos, 1e-30)
    if "t_plus" in names:
        extra["t_plus"] = 0.4
    return [{"i0": i0, **shape, **extra} for i0 in i0_candidates for shape in shapes]


def _i0_candidates(linear: LinearResult, tafel: TafelResult, sweep: PreparedSweep) -> list[float]:
    out = [linear.i0] if linear.i0 else []
    out += [b.line.i0 for b in tafel.branches.values() if b.line is not None]
    scale = float(np.max(np.abs(sweep.current)))
    if not out:
        out = [1e-2 * scale, 1e-4 * scale]
    unique: list[float] = []
    for value in out:
        if value > 0 and all(abs(math.log(value / u)) > 0.2 for u in unique):
            unique.append(value)
    return unique[:3]


# --------------------------------------------------------------------------------------------------


@checked
def analyse_polarization(
    data: DCRecord | Sequence[ArrayLike],
    *,
    area_cm2: float | None = None,
    cell: str | None = None,
    electrolyte: str | None = None,
    model: str = "bv",
    alpha: str | None = None,
    r_ohm: float | None = None,
    r_ohm_stderr: float | None = None,
    temperature_k: float | None = None,
    window: str | tuple[float, float] = "auto",
    eis_spectrum: Spectrum | None = None,
    n_electrons: int = 1,
    t_plus: float | None = None,
    capacitance: float | None = None,
    max_points: int = 2000,
    any_temperature: bool = False,
) -> KineticsResult:
    """Kinetic analysis of a polarization sweep.

    Parameters
    ----------
    data : a :class:`~nakinetics.data.DCRecord` (from :func:`nakinetics.io.read_dc_record`) or arrays
        (potential V, current A anodic positive[, time s]).
    area_cm2 : geometric electrode area (cm²); default: the file's.  Without area, absolute currents.
    cell : ``"symmetric"`` (two identical interfaces, V is the cell voltage) or ``"single"`` (one
        interface, V against a reference electrode); ``None``: from the record (a reference electrode or an
        overpotential column in the file means ``"single"``, :func:`nakinetics.roles.decide_context`), else
        symmetric.  The decision and its source are in the result (``cell``, ``cell_source``).
    electrolyte : ``"liquid"`` or ``"solid"`` (``None``: from the files, else not known): names the arcs of
        ``eis_spectrum`` as ``fit`` does (an SEI arc is not charge transfer).
    model : ``"bv"``, ``"bv-limited"``, ``"mhc"`` (exact integral), ``"mh"`` or ``"auto"`` (BV vs MHC,
        :mod:`.compare`).
    alpha : ``"free"``, ``"sum"`` (α_a + α_c = n) or ``"half"``; default free (single) / sum (symmetric).
    r_ohm, r_ohm_stderr : ohmic resistance in Ω cm² (Ω without area) and its standard error; see
        :func:`~.fit.fit_sweep` for how each combination is used.
    temperature_k : K; default the file's, else 298.15 K (with a warning).  Outside 200–1200 K it is
        refused as a likely °C slip unless ``any_temperature``.
    window : ``"auto"`` or (x_min, x_max) in V for the classical Tafel line (x after iR and offset correction).
    eis_spectrum : impedance spectrum of the same cell: R_Ω (when ``r_ohm`` is not given) and the EIS i₀.
    n_electrons : n of the electrode reaction (1 for Na⁺ + e⁻ ⇌ Na).
    t_plus : transference number for the symmetric ``bv-limited`` model (fitted when ``None``).
    capacitance : fixed capacitance (F cm⁻²); ``None`` fits it when both sweep directions are present.
    max_points : the global fit uses every k-th point so that at most this many remain.
    """
    if model not in MODEL_OPTIONS:
        raise DataError(f"model must be one of {', '.join(MODEL_OPTIONS)}, got {model!r}")
    if cell not in (None, "symmetric", "single"):
        raise DataError(f"cell must be 'symmetric' or 'single', got {cell!r}")
    data = _as_record(data)
    context = decide_context(cell=cell, electrolyte=electrolyte, metadata=data.metadata)
    cell, cell_source = context.cell, context.cell_source
    if r_ohm is not None and not (math.isfinite(r_ohm) and r_ohm >= 0):
        raise DataError(f"r_ohm must be ≥ 0, got {r_ohm}")
    if r_ohm_stderr is not None and not (math.isfinite(r_ohm_stderr) and r_ohm_stderr >= 0):
        raise DataError(f"r_ohm_stderr must be ≥ 0, got {r_ohm_stderr}")
    sweep, notes = prepare_sweep(
        data, area_cm2=area_cm2, temperature_k=temperature_k, any_temperature=any_temperature
    )
    warnings_: list[str] = list(notes)
    temperature = sweep.temperature_k
    area_factor = sweep.area_cm2 or 1.0

    resistances = None
    unit = "Ohm cm^2" if sweep.area_cm2 else "Ohm"
    # R_Ω = 0 (data already iR-corrected) or a standard error of exactly 0 is an exact R_Ω: nothing is
    # left to be wrong about, so the BV/MHC choice needs no robustness test over an uncertainty
    r_exact = r_ohm is not None and (r_ohm == 0 or r_ohm_stderr == 0)
    r_source = (
        "not given: fitted from the sweep (curvature), not independent"
        if r_ohm is None
        else f"given: {r_ohm:g}"
        + (f" ± {r_ohm_stderr:g}" if r_ohm_stderr else " (exact)")
        + f" {unit}"
        + (" (data already iR-corrected)" if r_ohm == 0 else "")
    )
    r_label = "given"
    if eis_spectrum is not None:
        resistances = eis_resistances(
            eis_spectrum, cell=cell, electrolyte=context.electrolyte, area_cm2=sweep.area_cm2
        )
        if r_ohm is None:
            r_label = "EIS fit"
            r_ohm = resistances.r_ohm * area_factor
            r_ohm_stderr = (
                None if resistances.r_ohm_stderr is None else resistances.r_ohm_stderr * area_factor
            )
            r_source = (
                f"EIS: {'+'.join(resistances.ohmic_labels)} of {resistances.model} fitted to "
                f"{eis_spectrum.label} = {r_ohm:.4g}"
                + (f" ± {r_ohm_stderr:.2g}" if r_ohm_stderr else "")
                + f" {unit}"
            )
    independent = r_ohm is not None
    if r_ohm is None:
        warnings_.append(
            "R_ohm not given (--r-ohm or --eis): the iR drop is not corrected from an independent "
            "measurement; the fit estimates R_ohm from the sweep's curvature and the classical Tafel and "
            "linear estimates use that fitted value (not independent)"
        )
    elif not r_ohm_stderr and not r_exact:
        warnings_.append("R_ohm given without an uncertainty: its error is not propagated into i0 and alpha")

    v0_guess = _zero_crossing_v0(sweep)
    v0_fixed = None
    if v0_guess is None:
        v0_fixed = 0.0
        warnings_.append(
            "the current does not change sign: V0 fixed at 0 V (potentials taken as overpotentials); "
            "with one branch only, i0 is an extrapolation"
        )
    v0_classical = v0_guess if v0_guess is not None else 0.0
    user_window = None if window == "auto" else tuple(window)  # type: ignore[arg-type]

    def classical(
        current: FloatArray, v0: float, alpha_sum: float, r_value: float, r_error: float, r_label: str
    ) -> tuple[TafelResult, LinearResult]:
        """The classical Tafel and linear estimators with R_Ω = ``r_value`` ± ``r_error`` (source
        ``r_label``) and offset V₀."""
        tafel = tafel_analysis(
            sweep.potential_v,
            current,
            cell=cell,
            temperature_k=temperature,
            r_ohm=r_value,
            v0=v0,
            alpha_sum=alpha_sum,
            window=user_window,
            r_ohm_source=r_label,
            any_temperature=True,  # checked once in prepare_sweep
        )
        linear = linear_estimate(
            sweep.potential_v,
            current,
            cell=cell,
            temperature_k=temperature,
            v0=v0,
            r_ohm=r_value,
            r_ohm_stderr=r_error,
            n_electrons=n_electrons,
            r_ohm_source=r_label,
            any_temperature=True,
        )
        return tafel, linear

    # starting values: before any fit, R_Ω is the given one or none
    pre_tafel, pre_linear = classical(
        sweep.current,
        v0_classical,
        float(n_electrons),
        r_ohm or 0.0,
        r_ohm_stderr or 0.0,
        r_label if independent else "none (before the fit)",
    )

    stride = max(1, math.ceil(len(sweep.potential_v) / max_points))
    fitted = sweep.subset(slice(None, None, stride)) if stride > 1 else sweep
    if stride > 1:
        warnings_.append(
            f"the global fit uses one point in {stride} ({len(fitted.potential_v)} of "
            f"{len(sweep.potential_v)})"
        )
    dvdt = fitted.dvdt
    if dvdt is not None and not fitted.both_directions:
        dvdt = None
    if capacitance is not None and dvdt is None and fitted.dvdt is not None:
        dvdt = fitted.dvdt
    i0_start = _i0_candidates(pre_linear, pre_tafel, sweep)
    common = {
        "r_ohm": r_ohm,
        "r_ohm_stderr": r_ohm_stderr,
        "v0": v0_fixed,
        "capacitance": capacitance,
        "dvdt": dvdt,
    }
    base_start = {"v0": v0_classical, **({"r_ohm": r_ohm} if r_ohm is not None else {})}

    def build(name: str, branches: tuple[str, ...] | None = None) -> Law:
        return make_law(
            name,
            cell,
            temperature_k=temperature,
            n_electrons=n_electrons,
            alpha=alpha,
            current_scale=float(np.max(np.abs(sweep.current))),
            limited_branches=branches or _limited_branches(sweep, cell, temperature, v0_classical),
            t_plus=t_plus,
        )

    def run(
        name: str,
        starts: list[dict[str, float]],
        noise: NoiseModel | None = None,
        _branches: tuple[str, ...] | None = None,
        **overrides: Any,
    ) -> SweepFit:
        options = {**common, **overrides}
        law = build(name, _branches)
        return fit_sweep(fitted.potential_v, fitted.current, law, starts=starts, noise=noise, **options)

    def from_fit(previous: SweepFit, extra: list[dict[str, float]]) -> list[dict[str, float]]:
        keep = {k: v for k, v in previous.values.items() if k in ("i0", "r_ohm", "v0", "capacitance")}
        return [{**keep, **e} for e in extra]

    def fit_marcus(
        name: str, reference: SweepFit | None, noise: NoiseModel | None, **overrides: Any
    ) -> SweepFit:
        if reference is not None:
            starts = from_fit(reference, [{"lambda_ev": 0.3}, {"lambda_ev": 1.0}, {"lambda_ev": 3.0}])
        else:
            starts = [{**base_start, **s} for s in _law_starts(build(name), i0_start, pre_tafel, sweep)]
        if name == "mh":
            return run(name, starts, noise, **overrides)
        approx = run("mhc-approx", starts, noise, **overrides)
        # the closed form misses the exact current by up to ~30 %: its residuals say nothing about the
        # noise, so the exact fit gets the caller's noise model (None: estimated from its own residuals)
        return run("mhc", from_fit(approx, [{"lambda_ev": approx.values["lambda_ev"]}]), noise, **overrides)

    choice = None
    if model in ("bv", "bv-limited"):
        starts = [{**base_start, **s} for s in _law_starts(build(model), i0_start, pre_tafel, sweep)]
        fit = run(model, starts)
        if model == "bv-limited" and cell == "single":
            fit = _drop_unreached_limits(fit, run)
    elif model in ("mhc", "mh"):
        fit = fit_marcus(model, None, None)
    else:
        bv_starts = [{**base_start, **s} for s in _law_starts(build("bv"), i0_start, pre_tafel, sweep)]
        bv_fit = run("bv", bv_starts)
        # one noise model for both, from BV's residuals: if the data are MHC, BV's larger residuals
        # overestimate the noise and shrink ΔAIC, so the comparison leans toward BV (conservative)
        mhc_fit = fit_marcus("mhc", bv_fit, bv_fit.noise)

        def refit(name: str, r_fixed: float) -> SweepFit:
            reference = bv_fit if name == "bv" else mhc_fit
            starts = [{k: v for k, v in reference.values.items() if k != "r_ohm"}]
            return run(name, starts, bv_fit.noise, r_ohm=r_fixed, r_ohm_stderr=None)

        choice = choose_model(
            bv_fit,
            mhc_fit,
            r_ohm_independent=independent,
            r_ohm=r_ohm,
            r_ohm_stderr=r_ohm_stderr,
            refit=refit,
            r_ohm_exact=r_exact,
        )
        fit = choice.fits[choice.preferred]
    warnings_ += list(fit.warnings)

    direction_fits: dict[str, SweepFit] = {}
    if fitted.both_directions:
        for name, sign in (("rising", 1.0), ("falling", -1.0)):
            part = fitted.subset(fitted.direction == sign)
            if len(part.potential_v) < 20:
                continue
            start = [dict(fit.values)]
            try:
                direction_fits[name] = fit_sweep(
                    part.potential_v,
                    part.current,
                    fit.law,
                    starts=start,
                    noise=fit.noise,
                    r_ohm=r_ohm,
                    r_ohm_stderr=r_ohm_stderr,
                    v0=v0_fixed,
                    dvdt=part.dvdt if "capacitance" in fit.parameters else None,
                    capacitance=fit.values.get("capacitance", None) if part.dvdt is not None else None,
                )
            except DataError:
                continue

    cap = fit.values.get("capacitance", 0.0)
    faradaic = sweep.current - (cap * sweep.dvdt if sweep.dvdt is not None else 0.0)
    if independent:
        r_final, r_final_err = r_ohm or 0.0, r_ohm_stderr or 0.0
    else:
        fitted_r = fit.parameters["r_ohm"]
        r_final, r_final_err = fitted_r.value, fitted_r.stderr or 0.0
        r_label = "fitted from the sweep (not independent)"
    tafel, linear = classical(
        faradaic, fit.values["v0"], _alpha_sum(fit, n_electrons), r_final, r_final_err, r_label
    )

    link = None
    result = KineticsResult(
        sweep,
        model,
        cell,
        n_electrons,
        fit,
        choice,
        direction_fits,
        tafel,
        linear,
        None,
        r_source,
        independent,
        stride,
        (),
        cell_source,
    )
    if resistances is not None:
        i0_dc, i0_dc_err = result.i0_linear_response
        link = eis_link(
            resistances,
            cell=cell,
            area_cm2=sweep.area_cm2,
            temperature_k=temperature,
            n_electrons=n_electrons,
            i0_dc=i0_dc,
            i0_dc_stderr=i0_dc_err,
            r_p_dc=linear.r_p,
            any_temperature=True,
        )
    result = dataclasses.replace(result, eis=link)
    warnings_ += _assessment(result)
    return dataclasses.replace(result, warnings=tuple(dict.fromkeys(warnings_)))


def _drop_unreached_limits(fit: SweepFit, run: Any) -> SweepFit:
    """Refit without a limiting current that ran to its upper bound (that branch is not transport-limited
    within the sweep), so it does not leave the information matrix singular."""
    names = (("i_lim", "cathodic"), ("i_lim_anodic", "anodic"))
    unreached = [n for n, _ in names if n in fit.parameters and fit.parameters[n].bound_hit() == "upper"]
    keep = tuple(b for n, b in names if n in fit.parameters and n not in unreached)
    if not unreached or not keep:
        return fit
    start = {k: v for k, v in fit.values.items() if k not in unreached}
    return run("bv-limited", [start], fit.noise, _branches=keep)


def _alpha_sum(fit: SweepFit, n: int) -> float:
    values = fit.values
    if fit.law.alpha_mode == "free" and "alpha_c" in values:
        return max(values["alpha_a"] + values["alpha_c"], 0.1)
    return float(n)


def _limited_branches(sweep: PreparedSweep, cell: str, temperature: float, v0: float) -> tuple[str, ...]:
    """Branches with ≥ 10 points beyond the back-reaction threshold get a limiting current (single
    interface ``bv-limited``)."""
    threshold = back_reaction_threshold("single", temperature)
    x = sweep.potential_v - v0
    out = tuple(
        name for name, sign in (("cathodic", -1.0), ("anodic", 1.0)) if np.sum(sign * x > threshold) >= 10
    )
    return out or ("cathodic",)


def _assessment(result: KineticsResult) -> list[str]:
    """Plain-language warnings from the estimators and diagnostics."""
    notes: list[str] = []
    fit = result.fit
    units = result.units
    vague = [
        f"{OUTPUT_NAMES.get(name, name)} ({why})"
        for name, p in fit.parameters.items()
        if p.vary and (why := result.not_determined(name)) is not None
    ]
    if vague:
        notes.append(
            "not determined by this sweep — report these as undetermined, not as numbers: "
            + "; ".join(vague)
            + ". A sweep reaching further from equilibrium, an independent R_ohm (--r-ohm / --eis) or "
            "--alpha half can pin them down"
        )
    for p in fit.parameters.values():
        side = _range_bound(p)
        if side is None:
            continue  # C = 0 and α_a·α_c = n²/4 (α_a = α_c) are physical limits, not failures
        unit = units.get(p.unit, p.unit)
        suffix = f" {unit}" if unit != "1" else ""
        shown = f"{OUTPUT_NAMES.get(p.name, p.name)} = {result.output_value(p.name, p.value):.4g}{suffix}"
        if p.name == "r_ohm":
            notes.append(f"{shown}: the fit drives R_ohm to its {side} bound")
            continue
        bound = result.output_value(p.name, p.lower if side == "lower" else p.upper)
        notes.append(
            f"{shown} stopped at the {side} end of its search range ({bound:.3g}{suffix}): the range, not the "
            "data, sets this value and its uncertainty; the model, R_ohm or V0 may not suit the sweep"
        )
    r_fit = fit.parameters.get("r_ohm")
    if r_fit is not None and r_fit.vary and r_fit.prior is not None:
        mean, sd = r_fit.prior
        z = (r_fit.value - mean) / sd
        if abs(z) > PRIOR_CONFLICT:
            unit = units[RESISTANCE]
            notes.append(
                f"the sweep contradicts the given R_ohm: the fit moves it to {r_fit.value:.4g} {unit}, "
                f"{abs(z):.1f} σ from the given {mean:.4g} ± {sd:.2g} {unit}; check the R_ohm measurement "
                "(EIS fit, cell changed between measurements) or the kinetic model"
            )
    names = fit.varying
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            r = fit.correlation(names[a], names[b])
            if r is not None and abs(r) > CORRELATION_WARNING:
                notes.append(
                    f"{OUTPUT_NAMES.get(names[a], names[a])} and {OUTPUT_NAMES.get(names[b], names[b])} "
                    f"are strongly correlated (r = {r:+.3f}): the sweep does not separate them"
                )
    if result.cell == "symmetric" and fit.law.model.startswith("bv") and fit.law.alpha_mode != "half":
        notes.append(
            "symmetric cell: α_a and α_c are not separately identifiable (swapping them gives the same "
            "curve); α_a·α_c is reported with α_a + α_c = n"
        )
    diag = result.diagnostics_dict()
    share = diag["ir_share"]["value"]
    if share is not None and share > IR_SHARE_WARNING:
        notes.append(
            f"the iR drop is {100 * share:.0f} % of the voltage at the largest current: i0 and alpha "
            "depend strongly on R_ohm"
        )
    cap = diag.get("capacitive", {})
    if cap.get("ratio_to_i0") is not None and cap["ratio_to_i0"] > CAPACITIVE_WARNING:
        notes.append(
            f"capacitive current C·ν is {100 * cap['ratio_to_i0']:.0f} % of i0: the sweep is fast for "
            "this interface (the fit corrects for it, the raw Tafel plot does not)"
        )
    if diag["residuals"]["systematic"]:
        runs = diag["residuals"]["runs_test"]
        notes.append(
            f"the residuals are systematic (runs test p = {runs['p_value']:.2g}): the {fit.law.model} model "
            "misses part of the curve (mass transport, iR, non-steady state, or another mechanism)"
        )
    hyst = diag.get("hysteresis")
    if (
        hyst
        and hyst["delta_ln_current"]["value"] is not None
        and abs(hyst["delta_ln_current"]["value"]) > HYSTERESIS_WARNING
    ):
        d = hyst["delta_ln_current"]["value"]
        notes.append(
            f"rising and falling sweeps differ by {100 * (math.exp(abs(d)) - 1):.0f} % in current at equal "
            "potential: the kinetics are not at steady state (compare scan rates)"
        )
    if not result.tafel.found:
        reasons = "; ".join(f"{k}: {b.reason}" for k, b in result.tafel.branches.items() if b.reason)
        notes.append(f"no Tafel region: {reasons}")
    else:
        for k, b in result.tafel.branches.items():
            notes += [f"Tafel {k} window: {n}" for n in b.notes]
    if result.eis is not None and result.eis.resistances.r_ct is None:
        res = result.eis.resistances
        notes.append(
            f"no EIS i0: no resistance of {res.model} fitted to the spectrum has the charge-transfer role"
            + (f" ({'; '.join(res.notes)})" if res.notes else "")
        )
    if result.eis is not None and result.eis.agrees is False:
        notes.append(
            f"DC and EIS exchange currents disagree: ratio DC/EIS = {result.eis.ratio:.3g} (outside "
            "[0.5, 2]); see eis_link.likely_causes"
        )
    if result.eis is not None and result.eis.r_p_agrees is False:
        notes.append(
            f"the DC polarization resistance and the EIS low-frequency limit disagree: ratio DC/EIS = "
            f"{result.eis.r_p_ratio:.3g} (outside [0.5, 2]); see eis_link.R_p_likely_causes"
        )
    for branch in ("cathodic", "anodic"):
        ratio = diag.get("transport", {}).get(f"{branch}_current_over_limit")
        if ratio is not None and ratio > 0.5:
            notes.append(
                f"the {branch} current reaches {100 * ratio:.0f} % of its limiting current: mass transport "
                "shapes the high-current part of that branch"
            )
    if result.choice is not None:
        notes.append(f"model choice: {result.choice.preferred.upper()} — {result.choice.reason}")
    return notes
