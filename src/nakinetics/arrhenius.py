"""Arrhenius analysis: activation energies from a temperature series.

A conductance-like quantity x (ionic conductivity σ, interfacial conductance 1/R, exchange current
density i0) is fitted as ln y = ln A − E_a/(k_B T) by a weighted straight line in 1/T, where

* conductivity, ``form="sigmaT"`` (default, usual for ion conductors): y = σT;
* conductivity, ``form="sigma"``: y = σ (E_a smaller by ≈ k_B T, 0.026 eV near room temperature);
* resistance: y = 1/R (interfacial activation energy);
* i0: y = i0.  When i0 comes from R_ct as i0 = g·RT/(nF R A), E_a(i0) = E_a(1/R) + k_B T̄
  (≈ 0.026 eV near room temperature) because of the T in the prefactor.

Weights are 1/s² with s = stderr/value (the standard error of ln y) when every point has one, else all
equal.  Standard errors are scaled by the scatter about the line (reduced χ², as scipy's ``curve_fit``
does by default), and the confidence interval uses Student's t with n − 2 degrees of freedom.
E_a is reported in eV (k_B in eV K⁻¹) and kJ mol⁻¹ (1 eV per particle = F/1000 kJ mol⁻¹).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy import stats

from ._checks import checked
from ._repr import compact_repr
from ._typing import FloatArray
from .arrhenius_table import (
    QUANTITY_UNITS,
    ArrheniusTable,
    Quantity,
    TemperatureUnit,
    parse_arrhenius_table,  # noqa: F401  (re-exported: nakinetics.arrhenius.parse_arrhenius_table)
)
from .conductivity import pellet_conductivity
from .constants import BOLTZMANN_EV, FARADAY, ZERO_CELSIUS
from .data import Spectrum
from .derived import (
    INTERFACIAL_ROLES,
    KINETIC_ROLES,
    CellGeometry,
    CellKind,
    cell_context,
    propagate_uncertainty,
    role_assignment,
    with_derived,
)
from .exceptions import DataError
from .fitting import DerivedQuantity, FitResult, fit_circuit
from .parameters import resolve_model
from .temperature import (
    NamedTemperature,
    check_temperature_k,
    format_temperature,
    several_temperatures_message,
    temperature_readings_in_name,
)

Form = Literal["sigmaT", "sigma"]
TemperatureSource = Literal["auto", "file", "name", "given"]

TEMPERATURE_TOLERANCE_K = 1.5
"""Given, file and name temperatures closer than this (K) agree (names are rounded to whole degrees)."""
CURVATURE_P_VALUE = 0.01
"""A quadratic term in 1/T this significant (two-sided p) is reported as a curved (kinked) plot."""
VAGUE_RELATIVE_ERROR = 0.5
"""Points with a larger relative standard error are named in a warning (they barely count in the fit)."""
EV_TO_KJ_PER_MOL = FARADAY / 1000.0
"""1 eV per particle in kJ mol⁻¹ (96.485)."""


@dataclass(frozen=True)
class ArrheniusResult:
    """Straight-line fit of ln y against 1/T and the activation energy it implies.

    ``values`` (in ``unit``) and ``stderr`` are the quantity as given (σ, R or i0), ``temperature_k`` in K.
    ``slope`` (K) and ``intercept`` are those of ln y = intercept + slope/T; ``covariance`` their 2×2
    (scaled) covariance.  ``ci_ev`` and ``ci_kj_mol`` are the ``confidence`` intervals of E_a.
    """

    __repr__ = compact_repr

    temperature_k: FloatArray
    values: FloatArray
    stderr: FloatArray | None
    quantity: Quantity
    form: Form
    unit: str
    slope: float
    intercept: float
    covariance: np.ndarray | None
    dof: int
    confidence: float
    t_value: float
    r2: float
    weighted: bool
    labels: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def y(self) -> FloatArray:
        """ln y at each point (y = σT, σ, 1/R or i0 in the units of :attr:`y_label`)."""
        return _ln_y(self.quantity, self.form, self.temperature_k, self.values)

    @property
    def y_stderr(self) -> FloatArray | None:
        """Standard error of ln y (= relative error of the value)."""
        return None if self.stderr is None else self.stderr / self.values

    @property
    def y_label(self) -> str:
        if self.quantity == "conductivity":
            return "ln(σT / S cm⁻¹ K)" if self.form == "sigmaT" else "ln(σ / S cm⁻¹)"
        if self.quantity == "resistance":
            return "ln(1/ASR / Ω⁻¹ cm⁻²)" if self.unit == "Ohm cm^2" else "ln(1/R / Ω⁻¹)"
        return "ln(i0 / mA cm⁻²)"

    @property
    def convention(self) -> str:
        y = {"resistance": "1/R", "i0": "i0"}.get(self.quantity, "σT" if self.form == "sigmaT" else "σ")
        weights = "weighted by 1/(stderr/value)²" if self.weighted else "unweighted"
        note = (
            "; for i0 = g·RT/(nF·R_ct·A) this E_a exceeds that of 1/R_ct by k_B·T̄ (the T of the prefactor)"
            if self.quantity == "i0"
            else ""
        )
        return f"ln({y}) = ln A − E_a/(k_B T), straight line in 1/T, {weights}{note}"

    @property
    def activation_energy(self) -> DerivedQuantity:
        """E_a = −slope·k_B in eV."""
        stderr = None if self.covariance is None else math.sqrt(self.covariance[1, 1]) * BOLTZMANN_EV
        return DerivedQuantity(-self.slope * BOLTZMANN_EV, stderr, "eV", self.convention)

    @property
    def activation_energy_kj_mol(self) -> DerivedQuantity:
        ea = self.activation_energy
        return DerivedQuantity(
            ea.value * EV_TO_KJ_PER_MOL,
            None if ea.stderr is None else ea.stderr * EV_TO_KJ_PER_MOL,
            "kJ mol^-1",
            self.convention,
        )

    def _interval(self, q: DerivedQuantity) -> tuple[float, float] | None:
        if q.stderr is None or not math.isfinite(self.t_value):
            return None
        return (q.value - self.t_value * q.stderr, q.value + self.t_value * q.stderr)

    @property
    def ci_ev(self) -> tuple[float, float] | None:
        return self._interval(self.activation_energy)

    @property
    def ci_kj_mol(self) -> tuple[float, float] | None:
        return self._interval(self.activation_energy_kj_mol)

    def line(self, temperature_k: FloatArray) -> FloatArray:
        """Fitted ln y at ``temperature_k`` (K)."""
        return self.intercept + self.slope / np.asarray(temperature_k, dtype=float)

    def line_band(self, temperature_k: FloatArray) -> FloatArray | None:
        """Half-width of the confidence band of the fitted line at ``temperature_k`` (in ln y)."""
        if self.covariance is None or not math.isfinite(self.t_value):
            return None
        u = 1.0 / np.asarray(temperature_k, dtype=float)
        c = self.covariance
        return self.t_value * np.sqrt(c[0, 0] + 2 * u * c[0, 1] + u * u * c[1, 1])

    def to_dict(self) -> dict[str, Any]:
        ci_ev, ci_kj = self.ci_ev, self.ci_kj_mol
        return {
            "quantity": self.quantity,
            "form": self.form,
            "convention": self.convention,
            "activation_energy": {
                **self.activation_energy.to_dict(),
                "ci": None if ci_ev is None else list(ci_ev),
            },
            "activation_energy_kj_mol": {
                **self.activation_energy_kj_mol.to_dict(),
                "ci": None if ci_kj is None else list(ci_kj),
            },
            "confidence": self.confidence,
            "ln_prefactor": {
                "value": self.intercept,
                "stderr": None if self.covariance is None else math.sqrt(self.covariance[0, 0]),
                "unit": f"ln of {self.y_label.removeprefix('ln(').removesuffix(')')}",
            },
            "r2": self.r2,
            "dof": self.dof,
            "weighted": self.weighted,
            "points": [
                {
                    "label": label,
                    "temperature_k": float(t),
                    "value": float(v),
                    "stderr": None if self.stderr is None else float(s),
                    "unit": self.unit,
                }
                for label, t, v, s in zip(
                    self.labels or [""] * len(self.values),
                    self.temperature_k,
                    self.values,
                    self.stderr if self.stderr is not None else [None] * len(self.values),
                    strict=True,
                )
            ],
            "warnings": list(self.warnings),
        }


def _ln_y(quantity: str, form: str, temperature_k: FloatArray, values: FloatArray) -> FloatArray:
    """ln(σT), ln(σ), ln(1/R) or ln(i0)."""
    if quantity == "resistance":
        return -np.log(values)
    if quantity == "conductivity" and form == "sigmaT":
        return np.log(values) + np.log(temperature_k)  # not ln(σ·T): σ = 1e308 S/cm overflows the product
    return np.log(values)


MIN_RELATIVE_WEIGHT = 1e-10
"""A point whose weight is below this fraction of the best point's (a relative error 1e5 times larger)
counts as unweighted when checking that the line is determined: in floating point the normal equations of
weights spanning more than ~1e16 are singular."""


def _weighted_line(u: FloatArray, y: FloatArray, w: FloatArray) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted least squares y = c0 + c1·u: coefficients, unscaled covariance (XᵀWX)⁻¹, χ²."""
    design = np.column_stack([np.ones_like(u), u])
    normal = design.T @ (design * w[:, None])
    coef = np.linalg.solve(normal, design.T @ (w * y))
    chisq = float(np.sum(w * (y - design @ coef) ** 2))
    return coef, np.linalg.inv(normal), chisq


def _curvature_warning(u: FloatArray, y: FloatArray, w: FloatArray) -> str | None:
    """A warning when a quadratic term in 1/T is significant (a kink, e.g. a phase transition)."""
    n = u.size
    if n < 4:
        return None
    uc = (u - u.mean()) / np.ptp(u)
    design = np.column_stack([np.ones_like(uc), uc, uc * uc])
    normal = design.T @ (design * w[:, None])
    try:
        coef = np.linalg.solve(normal, design.T @ (w * y))
    except np.linalg.LinAlgError:  # weights leaving fewer than 3 temperatures: no curvature to test
        return None
    chisq = float(np.sum(w * (y - design @ coef) ** 2))
    dof = n - 3
    if chisq <= 0:
        return None
    se = math.sqrt(np.linalg.inv(normal)[2, 2] * chisq / dof)
    p = 2.0 * stats.t.sf(abs(coef[2]) / se, dof)
    if p < CURVATURE_P_VALUE:
        return (
            f"the Arrhenius plot is curved (quadratic term in 1/T significant, p = {p:.2g}): a change of "
            "mechanism or phase (NASICON monoclinic↔rhombohedral near 150–200 °C)? Fit each range separately"
        )
    return None


_OTHER_UNITS = {"resistance": ("Ohm cm^2",)}
"""Units a quantity may carry besides its own (an area-specific resistance)."""


def _negative_activation_energy(quantity: str, form: str, ea_ev: float) -> str:
    """The warning for E_a < 0, naming what usually causes it."""
    y = {"resistance": "1/R", "i0": "i0"}.get(quantity, "σT" if form == "sigmaT" else "σ")
    cause = {
        "conductivity": "a resistance (or resistivity) fitted as a conductivity",
        "resistance": "a conductance (or conductivity) fitted as a resistance",
        "i0": "a resistance fitted as i0",
    }[quantity]
    return (
        f"E_a is negative ({ea_ev:.3g} eV): {y} falls as the temperature rises, which a thermally activated "
        f"{quantity} does not — {cause} (check the quantity and the column header or --quantity), or "
        "temperatures paired with the wrong points?"
    )


@checked
def arrhenius_fit(
    temperature_k: Sequence[float] | FloatArray,
    values: Sequence[float] | FloatArray,
    stderr: Sequence[float] | FloatArray | None = None,
    *,
    quantity: Quantity = "conductivity",
    form: Form | None = None,
    confidence: float = 0.95,
    labels: Sequence[str] = (),
    any_temperature: bool = False,
    unit: str | None = None,
) -> ArrheniusResult:
    """Activation energy from values of ``quantity`` at temperatures ``temperature_k`` (K).

    ``values`` are σ (S cm⁻¹), R (Ω; or an ASR in Ω cm² with ``unit="Ohm cm^2"``) or i0 (mA cm⁻²) with
    optional standard errors ``stderr`` (same unit; all given → weighted fit).  ``form`` applies to
    conductivity only: ``"sigmaT"`` (default) or ``"sigma"``.  A negative E_a (the conductance-like y
    falling as T rises: a resistance given as a conductivity, or temperatures paired in the wrong order)
    is named in the warnings.

    Raises
    ------
    DataError : fewer than 2 distinct temperatures, non-positive values or temperatures, temperatures
        outside 200–1200 K (unless ``any_temperature``), mismatched lengths, ``form`` given for another
        quantity.
    """
    if quantity not in QUANTITY_UNITS:
        raise DataError(f"quantity must be one of {', '.join(QUANTITY_UNITS)}, got {quantity!r}")
    if form is not None and quantity != "conductivity":
        raise DataError(
            f"form ({form}) applies to conductivity only; {quantity} is fitted as "
            f"{'ln(1/R)' if quantity == 'resistance' else 'ln(i0)'}"
        )
    form = form or "sigmaT"
    if form not in ("sigmaT", "sigma"):
        raise DataError(f"form must be 'sigmaT' or 'sigma', got {form!r}")
    if not 0 < confidence < 1:
        raise DataError(f"confidence must be between 0 and 1, got {confidence}")
    if unit is not None and unit not in (QUANTITY_UNITS[quantity], *_OTHER_UNITS.get(quantity, ())):
        raise DataError(f"unit of {quantity} must be {QUANTITY_UNITS[quantity]}, got {unit!r}")
    t = np.asarray(temperature_k, dtype=float)
    v = np.asarray(values, dtype=float)
    if t.ndim != 1 or t.shape != v.shape:
        raise DataError(f"{t.size} temperatures but {v.size} values")
    if not (np.all(np.isfinite(t)) and np.all(t > 0)):
        raise DataError(f"temperatures must be finite and > 0 K, got {t.tolist()}")
    for k, tk in enumerate(t):
        what = labels[k] if len(labels) == t.size else f"temperature #{k + 1}"
        check_temperature_k(float(tk), any_temperature=any_temperature, what=what)
    if not (np.all(np.isfinite(v)) and np.all(v > 0)):
        raise DataError(f"{quantity} values must be finite and > 0 for a logarithm, got {v.tolist()}")
    if np.unique(t).size < 2:
        raise DataError(
            f"an Arrhenius fit needs at least 2 distinct temperatures, got {np.unique(t).tolist()} K"
        )
    if labels and len(labels) != t.size:
        raise DataError(f"{len(labels)} labels for {t.size} points")
    notes: list[str] = []
    s: FloatArray | None = None
    if stderr is not None:
        s = np.asarray(stderr, dtype=float)
        if s.shape != v.shape:
            raise DataError(f"{s.size} standard errors for {v.size} values")
        with np.errstate(all="ignore"):  # a 1e308 error on a 1e-3 value: no finite relative error
            relative = s / v
        if not (np.all(np.isfinite(s)) and np.all(s > 0) and np.all(np.isfinite(relative))):
            notes.append("some points have no (positive, finite) standard error: unweighted fit")
            s = None
        else:
            vague = [
                f"{lbl or f'{tk:g} K'} (±{100 * e / x:.2g} %)"
                for lbl, tk, x, e in zip(labels or [""] * t.size, t, v, s, strict=True)
                if e > VAGUE_RELATIVE_ERROR * x
            ]
            if vague:
                notes.append(f"poorly determined points carry almost no weight: {', '.join(vague)}")

    u, y = 1.0 / t, _ln_y(quantity, form, t, v)
    # weights 1/(relative error)², scaled so the best point has weight 1 (their scale does not change
    # the line; unscaled, relative errors of 1e150 underflow to zero weights and a singular system)
    w = np.ones_like(y) if s is None else (np.min(s / v) / (s / v)) ** 2
    try:
        if np.unique(u[w > MIN_RELATIVE_WEIGHT]).size < 2:
            raise np.linalg.LinAlgError
        coef, cov, chisq = _weighted_line(u, y, w)
    except np.linalg.LinAlgError:
        raise DataError(
            "the standard errors leave fewer than 2 temperatures with a usable weight (relative errors: "
            + ", ".join(
                f"{lbl or f'{tk:g} K'} {x:.3g}"
                for lbl, tk, x in zip(labels or [""] * t.size, t, s / v, strict=True)  # type: ignore[operator]
            )
            + "); check the errors or fit unweighted"
        ) from None
    dof = t.size - 2
    if dof > 0:
        covariance: np.ndarray | None = cov * (chisq / dof)
        t_value = float(stats.t.ppf(0.5 + confidence / 2.0, dof))
    elif s is not None:
        covariance = cov  # two points with known errors: absolute errors, normal quantile
        t_value = float(stats.norm.ppf(0.5 + confidence / 2.0))
        notes.append(
            "two temperatures: the error comes from the points' standard errors alone (no scatter check)"
        )
    else:
        covariance, t_value = None, math.nan
        notes.append("two temperatures without standard errors: E_a has no uncertainty")
    y_mean = float(np.sum(w * y) / np.sum(w))
    total = float(np.sum(w * (y - y_mean) ** 2))
    curved = _curvature_warning(u, y, w)
    if curved:
        notes.append(curved)
    if coef[1] > 0:
        notes.append(_negative_activation_energy(quantity, form, -coef[1] * BOLTZMANN_EV))
    return ArrheniusResult(
        t,
        v,
        s,
        quantity,
        form,
        unit or QUANTITY_UNITS[quantity],
        float(coef[1]),
        float(coef[0]),
        covariance,
        dof,
        confidence,
        t_value,
        1.0 - chisq / total if total > 0 else 1.0,
        s is not None,
        tuple(labels),
        tuple(notes),
    )


@checked
def arrhenius_from_table(
    table: ArrheniusTable,
    *,
    quantity: Quantity | None = None,
    form: Form | None = None,
    confidence: float = 0.95,
    any_temperature: bool = False,
    source: str = "<table>",
) -> ArrheniusResult:
    """:func:`arrhenius_fit` of a table read by :func:`parse_arrhenius_table`.

    The quantity is what the value column's header says (σ, 1/ρ, σT/T, R, 1/G, ASR, i0);
    ``quantity`` given as well must agree with it.  A header that names nothing is fitted as
    ``quantity`` (default conductivity, with a warning).  Notes on the header go to the warnings.

    Raises
    ------
    DataError : ``quantity`` contradicts the header (naming ``source``), or as :func:`arrhenius_fit`.
    """
    resolved, notes = table.resolve_quantity(quantity, source)
    result = arrhenius_fit(
        table.temperature_k,
        table.values,
        table.stderr,
        quantity=resolved,
        form=form,
        confidence=confidence,
        labels=table.labels,
        any_temperature=any_temperature,
        unit=table.unit if table.quantity == resolved else None,
    )
    return replace(result, warnings=(*notes, *result.warnings)) if notes else result


# ---------------------------------------------------------------------------------------------------
# spectra


@dataclass(frozen=True)
class TemperaturePairing:
    """The temperature of one spectrum and where it came from.

    ``source``: ``"file"`` (the instrument file's metadata), ``"name"`` (its file or folder name),
    ``"given"`` (the temperatures the user gave, checked against the file and name where they say
    anything) or ``"order"`` (the given temperatures in the order of the spectra: nothing else said
    which temperature belongs to which file).  ``detail`` says it in words.
    """

    label: str
    temperature_k: float
    source: Literal["file", "name", "given", "order"]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "temperature_k": self.temperature_k,
            "source": self.source,
            "detail": self.detail,
        }


def _known(spectrum: Spectrum, named: NamedTemperature | None) -> list[tuple[float, str, str]]:
    """(T in K, source, description) from the file's metadata and from its name."""
    out = []
    if spectrum.metadata.temperature_k is not None:
        out.append((float(spectrum.metadata.temperature_k), "file", "file metadata"))
    if named is not None:
        in_file_name = named.part == Path(spectrum.metadata.source or "").stem
        if in_file_name:
            where = "file name"
        else:  # the folder's name, unless the temperature is all of it ('25C/run.csv': "folder name '25C'")
            where = "folder name" if named.part == named.token else f"folder name '{named.part}':"
        chosen = (
            f" (chosen by the given temperature among the name's readings '{named.token}', "
            + ", ".join(f"'{a}'" for a in named.alternatives)
            + ")"
            if named.alternatives
            else ""
        )
        out.append((named.temperature_k, "name", f"{where} '{named.token}'{chosen}"))
    return out


def _named(
    spectrum: Spectrum, unit: TemperatureUnit | None, strict: bool, given_k: float | None = None
) -> NamedTemperature | None:
    """The temperature in the spectrum's file or folder name.  A name with several readings
    (``pellet_1C_25C``) is resolved by the given temperature ``given_k`` when it matches exactly one of
    them; otherwise (``strict``) refused, naming the readings and the options that work."""
    if spectrum.metadata.source is None:
        return None
    try:
        readings = temperature_readings_in_name(spectrum.metadata.source, unit)
    except DataError as exc:
        if strict:
            raise DataError(f"{spectrum.label}: {exc}") from None
        return None
    if len(readings) <= 1:
        return readings[0] if readings else None
    if given_k is not None:
        matching = [r for r in readings if abs(r.temperature_k - given_k) <= TEMPERATURE_TOLERANCE_K]
        if len(matching) == 1:
            others = tuple(r.token for r in readings if r is not matching[0])
            return replace(matching[0], alternatives=others)
        if strict:
            shown = " or ".join(f"'{r.token}' ({format_temperature(r.temperature_k)})" for r in readings)
            raise DataError(
                f"{spectrum.label}: given {given_k:.6g} K, but the name '{readings[0].part}' reads {shown}; "
                "correct --temperatures, or --temperature-source given (temperature_source='given') to "
                "use the given temperatures whatever the names say"
            )
    if strict:
        raise DataError(f"{spectrum.label}: {several_temperatures_message(readings)}")
    return None


def _numbers_in_names(labels: Sequence[str]) -> list[float] | None:
    """The one number that varies between the names (``pellet_100.csv``, ``pellet_25.csv`` → 100, 25),
    or ``None`` when the names do not differ by exactly one number."""
    found = [re.findall(r"\d+(?:\.\d+)?", Path(label).stem) for label in labels]
    if len({len(f) for f in found}) != 1 or not found[0]:
        return None
    varying = [j for j in range(len(found[0])) if len({f[j] for f in found}) > 1]
    if len(varying) != 1:
        return None
    return [float(f[varying[0]]) for f in found]


def _monotonic(values: Sequence[float]) -> bool:
    steps = np.diff(np.asarray(values, dtype=float))
    return bool(np.all(steps > 0) or np.all(steps < 0))


def _order_trap(spectra: Sequence[Spectrum], given: Sequence[float]) -> str | None:
    """Why pairing ``given`` with ``spectra`` in order is likely wrong although no name states a
    temperature: the names carry the given temperatures as bare numbers in another order, or the files
    are in lexicographic (shell glob) order, which is not the order of the numbers in their names, while
    the temperatures are in ascending or descending order."""
    files = [Path(s.metadata.source or s.label).name for s in spectra]
    numbers = _numbers_in_names(files)
    if numbers is None or len(set(files)) != len(files):
        return None
    for offset, unit in ((0.0, "K"), (ZERO_CELSIUS, "°C")):
        as_k = np.array(numbers) + offset
        if np.allclose(np.sort(as_k), np.sort(given), atol=TEMPERATURE_TOLERANCE_K, rtol=0):
            if np.allclose(as_k, given, atol=TEMPERATURE_TOLERANCE_K, rtol=0):
                return None
            shown = ", ".join(f"{v:g}" for v in numbers)
            return (
                f"the file names carry the numbers {shown} ({unit}?) — the given temperatures in another "
                "order, so pairing in command-line order would give files the wrong temperatures"
            )
    if _monotonic(given) and not _monotonic(numbers) and files == sorted(files):
        return (
            f"the files are in lexicographic (shell glob) order ({', '.join(files[:3])}{', …' if len(files) > 3 else ''}), "
            "which is not the order of the numbers in their names, while the temperatures are sorted"
        )
    return None


@checked
def pair_temperatures(
    spectra: Sequence[Spectrum],
    temperatures_k: Sequence[float] | None = None,
    *,
    source: TemperatureSource = "auto",
    unit: TemperatureUnit | None = None,
) -> tuple[tuple[TemperaturePairing, ...], tuple[str, ...]]:
    """The temperature of each spectrum, where it came from, and warnings about the pairing.

    Pairing never depends silently on the order of the files:

    * ``source="auto"`` (default): a temperature in the file's metadata (Gamry, Ivium) or in its file or
      folder name (``_25C``, ``-60°C``, ``_353K``, ``25degC``, ``T=80C``; see
      :func:`~nakinetics.temperature.temperature_in_name`) decides; both present must agree.
      ``temperatures_k`` given as well must agree with them spectrum by spectrum (a DataError otherwise,
      naming the likely cause: files in shell-glob order, 100C before 25C).  Spectra about which neither
      says anything take ``temperatures_k`` in order — with a warning, and refused when the names show
      the order is likely wrong (bare numbers in another order, lexicographic order);
    * ``"file"`` / ``"name"``: only the metadata / only the names (each spectrum must have one);
    * ``"given"``: ``temperatures_k`` in the order of the spectra, names and metadata ignored
      (disagreements are warned about).

    ``unit`` is the unit of a temperature written without one in a name (``T=80``).

    Raises
    ------
    DataError : missing or contradicting temperatures, as described above.
    """
    if source not in ("auto", "file", "name", "given"):
        raise DataError(f"temperature source must be auto, file, name or given, got {source!r}")
    n = len(spectra)
    given = None if temperatures_k is None else [float(t) for t in temperatures_k]
    if given is not None and len(given) != n:
        raise DataError(f"{len(given)} temperatures given for {n} spectra")
    if source == "given" and given is None:
        raise DataError("temperature source 'given' needs the temperatures (--temperatures)")
    names = [
        _named(s, unit, source in ("auto", "name"), None if given is None else given[k])
        for k, s in enumerate(spectra)
    ]
    known = [_known(s, named) for s, named in zip(spectra, names, strict=True)]
    if source in ("file", "name"):
        known = [[k for k in ks if k[1] == source] for ks in known]
    warnings: list[str] = []
    if source == "given":
        assert given is not None
        for s, t, ks in zip(spectra, given, known, strict=True):
            for value, _, where in ks:
                if abs(value - t) > TEMPERATURE_TOLERANCE_K:
                    warnings.append(
                        f"{s.label}: {where} says {format_temperature(value)}; the given {t:.6g} K is used"
                    )
        return tuple(
            TemperaturePairing(s.label, t, "given", f"given (#{k + 1}, in command-line order)")
            for k, (s, t) in enumerate(zip(spectra, given, strict=True))
        ), tuple(warnings)
    for s, ks in zip(spectra, known, strict=True):
        if len(ks) == 2 and abs(ks[0][0] - ks[1][0]) > TEMPERATURE_TOLERANCE_K:
            raise DataError(
                f"{s.label}: {ks[0][2]} says {format_temperature(ks[0][0])} but {ks[1][2]} says "
                f"{format_temperature(ks[1][0])}; choose with --temperature-source file|name (temperature_source=)"
            )
    missing = [s.label for s, ks in zip(spectra, known, strict=True) if not ks]
    if given is None or source in ("file", "name"):
        if missing:
            where = {"file": "in the file metadata", "name": "in the file name"}.get(
                source, "in the file metadata or name (e.g. _25C, _298K)"
            )
            raise DataError(
                f"no temperature {where} for {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}; "
                "give the temperatures (--temperatures T1,T2,... in file order)"
            )
        if given is None:
            return tuple(
                TemperaturePairing(
                    s.label, ks[0][0], ks[0][1], ks[0][2] + "".join(f"; {k[2]} agrees" for k in ks[1:])
                )  # type: ignore[arg-type]
                for s, ks in zip(spectra, known, strict=True)
            ), ()
    contradictions = [
        f"{s.label}: given {t:.6g} K, {where} says {format_temperature(value)}"
        for s, t, ks in zip(spectra, given, known, strict=True)
        for value, _, where in ks
        if abs(value - t) > TEMPERATURE_TOLERANCE_K
    ]
    if contradictions:
        message = f"the given temperatures contradict the files: {'; '.join(contradictions[:2])}"
        message += f" (and {len(contradictions) - 2} more)" if len(contradictions) > 2 else ""
        inferred = [ks[0][0] for ks in known if ks]
        if not missing and np.allclose(
            np.sort(inferred), np.sort(given), atol=TEMPERATURE_TOLERANCE_K, rtol=0
        ):
            message += (
                " — the same temperatures in another order: the files are not listed in the order of the "
                "temperatures (a shell glob sorts 100C before 25C); leave the temperatures out to pair by name"
            )
        else:
            message += "; leave the temperatures out to use the files' own, or --temperature-source given"
        raise DataError(message)
    unpaired = [s for s, ks in zip(spectra, known, strict=True) if not ks]
    if unpaired:
        trap = _order_trap(unpaired, [t for t, ks in zip(given, known, strict=True) if not ks])
        if trap is not None:
            raise DataError(
                f"{trap}; list the files in the order of the temperatures, write the temperature in the "
                "names (pellet_25C.csv), or --temperature-source given (temperature_source='given') to pair "
                "them in this order anyway"
            )
        warnings.append(
            f"{'all ' if len(unpaired) == n else ''}{len(unpaired)} temperature(s) paired with the spectra in "
            "command-line order (neither the file names nor the metadata state a temperature): check the "
            "pairing"
        )
    pairs = []
    for k, (s, t, ks) in enumerate(zip(spectra, given, known, strict=True)):
        if ks:
            pairs.append(
                TemperaturePairing(
                    s.label, t, "given", "given; " + "; ".join(f"{w} agrees" for _, _, w in ks)
                )
            )
        else:
            pairs.append(
                TemperaturePairing(s.label, t, "order", f"given #{k + 1}, paired in command-line order")
            )
    return tuple(pairs), tuple(warnings)


@dataclass(frozen=True)
class SpectraArrhenius:
    """An Arrhenius fit over spectra, with the fit behind each point."""

    result: ArrheniusResult
    fits: tuple[FitResult, ...]
    pairing: tuple[TemperaturePairing, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
        pairing = self.pairing or (None,) * len(self.fits)
        for point, fit, pair in zip(out["points"], self.fits, pairing, strict=True):
            point.update(
                {
                    "file": fit.spectrum.metadata.source,
                    "index": fit.spectrum.metadata.index,
                    "temperature_source": None if pair is None else pair.source,
                    "temperature_detail": None if pair is None else pair.detail,
                    "circuit": fit.circuit.text,
                    "fit_warnings": list(fit.warnings),
                }
            )
        return out


def _resistors(
    fit: FitResult,
    parameter: str | None,
    roles: tuple[str, ...],
    what: str,
    geometry: CellGeometry | None = None,
) -> list[str]:
    if parameter is not None:
        if parameter not in fit.values:
            raise DataError(
                f"{parameter} is not a parameter of {fit.circuit.text} (have {', '.join(fit.values)})"
            )
        return [parameter]
    geometry = geometry or CellGeometry()
    found = role_assignment(fit, cell_context(fit, geometry), geometry).resistances(*roles)
    if not found:
        raise DataError(
            f"{fit.circuit.text} has no {what} resistance (by its roles: {fit.spectrum.label}); name one with "
            "parameter="
        )
    return found


def _point(
    spectrum: Spectrum,
    temperature: float,
    quantity: Quantity,
    circuit: str | None,
    options: dict[str, Any],
    geometry: dict[str, Any],
    component: str,
    parameter: str | None,
) -> tuple[DerivedQuantity, FitResult]:
    """The quantity of one spectrum (value, stderr) and the fit it came from."""
    if quantity == "conductivity":
        result = pellet_conductivity(
            spectrum,
            thickness_cm=geometry["thickness_cm"],
            area_cm2=geometry["area_cm2"],
            circuit=circuit,
            **options,
        )
        value = {"total": result.total, "bulk": result.bulk, "grain_boundary": result.grain_boundary}[
            component
        ]
        if value is None:
            raise DataError(
                f"{spectrum.label} ({temperature:g} K): σ_{component} not available: {result.reason}"
            )
        return value, result.fit
    model = resolve_model(circuit)[0] if circuit is not None else None  # a string takes its preset, as in fit
    fit = fit_circuit(spectrum, model, **options)  # type: ignore[arg-type]
    if quantity == "resistance":
        names = _resistors(fit, parameter, INTERFACIAL_ROLES, "interfacial")
        value, stderr = propagate_uncertainty(fit, lambda v: sum(v[n] for n in names))
        return DerivedQuantity(value, stderr, "Ohm", " + ".join(names)), fit
    cell_geometry = CellGeometry(
        area_cm2=geometry["area_cm2"],
        cell=geometry["cell"],
        temperature_k=temperature,
        n_electrons=geometry["n_electrons"],
        any_temperature=geometry["any_temperature"],
    )
    names = _resistors(fit, parameter, KINETIC_ROLES, "charge-transfer", cell_geometry)
    if len(names) > 1:
        raise DataError(
            f"{fit.circuit.text} has several charge-transfer resistances ({', '.join(names)}); choose one"
        )
    fitted = with_derived(fit, cell_geometry)
    key = f"i0_{names[0]}"
    if key not in fitted.derived:
        raise DataError(
            f"no i0 for {names[0]} of {fit.circuit.text}: it is not a charge-transfer resistance"
            + "".join(f"; {w}" for w in fitted.warnings if w.startswith(names[0]))
        )
    return fitted.derived[key], fitted


@checked
def arrhenius_from_spectra(
    spectra: Sequence[Spectrum],
    *,
    quantity: Quantity = "conductivity",
    temperatures_k: Sequence[float] | None = None,
    circuit: str | None = None,
    thickness_cm: float | None = None,
    area_cm2: float | None = None,
    component: Literal["total", "bulk", "grain_boundary"] = "total",
    parameter: str | None = None,
    cell: CellKind | None = None,
    n_electrons: int = 1,
    form: Form | None = None,
    confidence: float = 0.95,
    fmin: float | None = None,
    fmax: float | None = None,
    temperature_source: TemperatureSource = "auto",
    temperature_unit: TemperatureUnit | None = None,
    any_temperature: bool = False,
) -> SpectraArrhenius:
    """Fit every spectrum, take ``quantity`` from each fit and fit the Arrhenius line.

    * conductivity: :func:`~nakinetics.conductivity.pellet_conductivity` (needs ``thickness_cm`` and
      ``area_cm2``; ``circuit`` default: automatic pellet model), ``component`` total, bulk or grain_boundary;
    * resistance: the interfacial resistance of a fit of ``circuit`` (required): ``parameter`` or the sum
      of the resistances with interfacial roles;
    * i0: i0 = g·RT/(nF R A) of that resistance at each spectrum's temperature (needs ``area_cm2``;
      ``cell`` as in :class:`~nakinetics.derived.CellGeometry`).

    Temperatures are paired with the spectra by :func:`pair_temperatures` (the files' metadata and names;
    ``temperatures_k`` checked against them; ``temperature_source``, ``temperature_unit`` as there); the
    pairing is kept in :attr:`SpectraArrhenius.pairing` and the points are sorted by temperature.
    Temperatures outside 200–1200 K are refused unless ``any_temperature``.

    Raises
    ------
    DataError : a temperature is missing or contradicted, inputs a quantity needs are missing, a quantity
        is unavailable.
    """
    if not spectra:
        raise DataError("no spectra given")
    if quantity == "conductivity" and (thickness_cm is None or area_cm2 is None):
        raise DataError("conductivity needs the pellet thickness (cm) and electrode area (cm²)")
    if quantity in ("resistance", "i0") and circuit is None:
        raise DataError(
            f"{quantity} needs a circuit (the same model at every temperature), e.g. na_se_na_1arc"
        )
    if quantity == "i0" and area_cm2 is None:
        raise DataError("i0 needs the electrode area (cm²)")
    if component != "total" and quantity != "conductivity":
        raise DataError(f"component ({component}) applies to conductivity only")
    pairing, pairing_notes = pair_temperatures(
        spectra, temperatures_k, source=temperature_source, unit=temperature_unit
    )
    for pair in pairing:
        check_temperature_k(
            pair.temperature_k, any_temperature=any_temperature, what=f"{pair.label}: temperature"
        )
    order = sorted(range(len(spectra)), key=lambda k: pairing[k].temperature_k)
    spectra = [spectra[k] for k in order]
    pairing = tuple(pairing[k] for k in order)
    temps = [p.temperature_k for p in pairing]
    options = {"fmin": fmin, "fmax": fmax}
    geometry = {
        "thickness_cm": thickness_cm,
        "area_cm2": area_cm2,
        "cell": cell,
        "n_electrons": n_electrons,
        "any_temperature": any_temperature,
    }
    points = [
        _point(s, t, quantity, circuit, options, geometry, component, parameter)
        for s, t in zip(spectra, temps, strict=True)
    ]
    stderr = [p.stderr for p, _ in points]
    result = arrhenius_fit(
        temps,
        [p.value for p, _ in points],
        None if any(e is None for e in stderr) else stderr,
        quantity=quantity,
        form=form,
        confidence=confidence,
        labels=[s.label for s in spectra],
        any_temperature=any_temperature,
    )
    if pairing_notes:
        result = replace(result, warnings=(*pairing_notes, *result.warnings))
    return SpectraArrhenius(result, tuple(fit for _, fit in points), pairing)
