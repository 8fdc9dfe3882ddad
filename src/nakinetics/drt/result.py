"""What a DRT analysis returns: the distribution with its credible band, the series terms, the peaks, the
regularisation and the residuals — each number with its unit (``to_dict`` is the JSON record)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._repr import compact_repr
from .._typing import ComplexArray, FloatArray
from ..data import Spectrum
from ..validation import KKResult
from .shapes import WARBURG_LINES, power_law_distribution


def _float(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


R_INF_AT_BOUND = 1e-9
"""R∞ below this fraction of max |Z| is the fit's bound R∞ ≥ 0, not an estimate."""


@dataclass(frozen=True)
class WarburgLines:
    """A peak that is the DRT of a finite-length Warburg element (its lines, see
    :func:`~nakinetics.drt.shapes.warburg_lines`): ``symbol`` Ws or Wo, the element's resistance R (Ω) and
    diffusion time τ_W (s) with standard errors — diffusion, not a discrete process."""

    symbol: str
    resistance: float
    resistance_stderr: float | None
    tau: float
    tau_stderr: float | None

    def describe(self) -> str:
        return (
            f"{WARBURG_LINES[self.symbol]} {self.symbol}: R = {self.resistance:.4g} Ω, τ_W = {self.tau:.4g} s"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.symbol,
            "description": WARBURG_LINES[self.symbol],
            "resistance": self.resistance,
            "resistance_stderr": _float(self.resistance_stderr),
            "tau": self.tau,
            "tau_stderr": _float(self.tau_stderr),
            "convention": "Ws = R tanh√(jωτ)/√(jωτ), Wo = R coth√(jωτ)/√(jωτ) (its capacitance τ/R is the tail); "
            "the peak's tau is the first DRT line, its resistance the lines' (Ws: R, Wo: R/3)",
            "units": {"resistance": "Ohm", "tau": "s"},
        }


@dataclass(frozen=True)
class DRTPeak:
    """One process of the DRT.

    tau : time constant at the peak (s); frequency = 1/(2πτ) (Hz).
    resistance : the peak's area ∫γ d ln τ (Ω).
    exponent : dispersion n of the ZARC that describes the peak (1 = ideal RC); ``None`` when the resistance
        is the area of the region of γ (``method == "area"``).
    capacitance : τ/R (F), the capacitance of an RC element with this R and τ (the effective capacitance of
        the ZARC, Hsu–Mansfeld form) — it tells bulk, grain boundary, SEI and charge transfer apart.
    method : ``"zarc"`` (a ZARC of the decomposition fitted to the data) or ``"area"`` (the region of γ
        between its minima).
    diffusion : when the decomposition found the peak to be a finite-length Warburg's DRT lines (better
        than a ZARC by the Bayesian information criterion), the element (:class:`WarburgLines`); ``tau`` is
        then the first line's and ``resistance`` the lines' — diffusion, not a discrete process.
    fraction : resistance / the sum of all peaks' resistances (the shares add up to 1); in_window : whether 1/(2πτ) lies inside the measured frequency range;
    asr : ASRs (Ω cm²) by convention (``cell`` = R × A; ``per_interface`` = R × A/2 for a symmetric cell)
        when an electrode area was given — these three are filled in by
        :func:`~nakinetics.drt.compute_drt`, which knows ∫γ, the window and the cell.
    """

    tau: float
    tau_stderr: float | None
    resistance: float
    resistance_stderr: float | None
    method: str
    exponent: float | None = None
    exponent_stderr: float | None = None
    fraction: float = math.nan
    in_window: bool = True
    asr: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    diffusion: WarburgLines | None = None

    @property
    def frequency(self) -> float:
        """Peak frequency 1/(2πτ) (Hz)."""
        return 1.0 / (2.0 * math.pi * self.tau)

    @property
    def frequency_stderr(self) -> float | None:
        return None if self.tau_stderr is None else self.frequency * self.tau_stderr / self.tau

    @property
    def capacitance(self) -> float:
        return self.tau / self.resistance

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tau": self.tau,
            "tau_stderr": _float(self.tau_stderr),
            "frequency": self.frequency,
            "frequency_stderr": _float(self.frequency_stderr),
            "resistance": self.resistance,
            "resistance_stderr": _float(self.resistance_stderr),
            "exponent": _float(self.exponent),
            "exponent_stderr": _float(self.exponent_stderr),
            "capacitance": self.capacitance,
            "fraction_of_peaks_total": _float(self.fraction),
            "in_window": self.in_window,
            "method": self.method,
            "kind": "relaxation" if self.diffusion is None else "diffusion",
            "diffusion": None if self.diffusion is None else self.diffusion.to_dict(),
            "units": {
                "tau": "s",
                "frequency": "Hz",
                "resistance": "Ohm",
                "capacitance": "F",
                "fraction_of_peaks_total": "resistance / sum of the resistances of all peaks",
            },
        }
        for name, (value, stderr) in self.asr.items():
            out[f"asr_{name}"] = value
            out[f"asr_{name}_stderr"] = _float(stderr)
        if self.asr:
            out["units"]["asr"] = "Ohm cm^2"
        return out


@dataclass(frozen=True)
class DRTTail:
    """The low-frequency power-law term a (jω)^-ν kept outside γ (tail mode).

    Its own distribution is a·sin(νπ)/π·τ^ν over all τ (zero for ν = 1, a capacitor at τ → ∞).
    ``distribution`` (Ω, at the result's τ nodes) is what of it the data show inside the grid: less than
    the power law where the tail is shunted — a Warburg element in the Randles branch is short-circuited
    by the double-layer capacitance at τ below R_ct·C_dl — and the power law elsewhere.  It is diffusion
    or blocking, not a discrete process: the peaks are read from γ alone."""

    coefficient: float
    exponent: float
    distribution: FloatArray

    def describe(self) -> str:
        if self.exponent >= 0.95:
            return f"blocking (capacitive) tail, C ≈ {1.0 / self.coefficient:.4g} F"
        if self.exponent <= 0.55:
            return f"diffusive (Warburg-like) tail, σ ≈ {self.coefficient / math.sqrt(2):.4g} Ω s^-½"
        return f"power-law tail, ν = {self.exponent:.3g}"

    def power_law(self, tau: FloatArray) -> FloatArray:
        """The unshunted power law's distribution a·sin(νπ)/π·τ^ν (Ω) at ``tau`` (s)."""
        return self.coefficient * power_law_distribution(tau, self.exponent)

    def shunted_below(self, tau: FloatArray, resistance: float) -> float | None:
        """τ (s) up to which the data show less than half the power law's distribution (``tau``: the result's
        nodes) — where a double layer short-circuits a Warburg in its branch — or ``None`` when what is
        missing holds less than 1 % of ``resistance`` (Ω, the relaxations' ∫γ)."""
        own = self.power_law(tau)
        missing = float(np.sum(own - self.distribution) * np.log(tau[1] / tau[0])) if tau.size > 1 else 0.0
        short = np.flatnonzero((own > 0) & (self.distribution < 0.5 * own))
        if not short.size or missing < 0.01 * resistance:
            return None
        return float(tau[short[-1]])

    def to_dict(self) -> dict[str, Any]:
        return {
            "coefficient": self.coefficient,
            "exponent": self.exponent,
            "description": self.describe(),
            "distribution": self.distribution.tolist(),
            "convention": "Z_tail = coefficient · (jω)^-exponent less the shunted part of its distribution; "
            "exponent 1: C = 1/coefficient (F); exponent 0.5: Warburg σ = coefficient/√2 (Ohm s^-1/2); "
            "distribution: the tail's own distribution at the tau nodes (coefficient·sin(πν)/π·τ^ν where "
            "not shunted), diffusion or blocking rather than a discrete process",
            "units": {"coefficient": "Ohm s^-exponent", "distribution": "Ohm (per unit ln tau)"},
        }


@dataclass(frozen=True)
class Regularization:
    """How γ was regularised: λ (dimensionless: γ in units of ``scale`` Ω, residuals relative to |Z|),
    how it was chosen, the penalty and the noise level the evidence implies."""

    value: float
    method: str
    penalty_order: int
    scale: float
    noise: float
    at_bound: bool

    def to_dict(self) -> dict[str, Any]:
        methods = {
            "evidence": "maximum Bayesian evidence (hierarchical Bayes, σ² profiled)",
            "gcv": "minimum generalised cross-validation",
            "given": "given by the user",
        }
        return {
            "lambda": self.value,
            "method": self.method,
            "description": methods.get(self.method, self.method),
            "penalty": f"derivative of order {self.penalty_order} of γ(ln τ), zero outside the τ grid",
            "lambda_convention": f"dimensionless: γ in units of the span of Z' = {self.scale:.6g} Ohm, residuals "
            "weighted by 1/|Z|",
            "noise_relative": self.noise,
            "lambda_at_search_bound": self.at_bound,
        }


@dataclass(frozen=True)
class PeakModel:
    """How the peaks' resistances were read.

    method : ``"zarc"`` — a decomposition into ZARCs fitted to the data, with the series terms it used
        (``r_inf`` Ω, ``inductance`` H; a tail is held at the DRT's) and its relative RMS ``residual_rms``;
        ``"area"`` — the regions of γ between its minima, ``rejected`` saying why no decomposition was
        used; ``"none"`` — no peak.
    """

    method: str
    r_inf: float | None = None
    inductance: float | None = None
    residual_rms: float | None = None
    rejected: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "r_inf": self.r_inf,
            "inductance": self.inductance,
            "residual_rms": self.residual_rms,
            "rejected": self.rejected,
            "units": {"r_inf": "Ohm", "inductance": "H", "residual_rms": "fraction of |Z|"},
        }


@dataclass(frozen=True)
class DRTResult:
    """The distribution of relaxation times of one spectrum.

    ``tau`` (s) are the grid nodes; ``gamma`` (Ω) is γ(ln τ) there (piecewise linear between nodes, so
    ∫γ d ln τ = Δ Σγ is ``polarization_resistance``); ``gamma_lower``/``gamma_upper`` the credible band
    (``credible`` probability).  ``residuals`` are (Z − Z_DRT)/|Z| per point.
    """

    __repr__ = compact_repr

    spectrum: Spectrum
    tau: FloatArray
    gamma: FloatArray
    gamma_lower: FloatArray
    gamma_upper: FloatArray
    credible: float
    r_inf: float
    inductance: float
    tail: DRTTail | None
    polarization_resistance: float
    polarization_resistance_stderr: float
    peaks: tuple[DRTPeak, ...]
    regularization: Regularization
    reconstruction: ComplexArray
    residuals: ComplexArray
    residual_rms: float
    reconstruction_ok: bool
    tail_mode: str
    kramers_kronig: KKResult | None
    peak_model: PeakModel
    area_cm2: float | None = None
    cell: dict[str, Any] | None = None
    warnings: tuple[str, ...] = ()

    @property
    def frequency(self) -> FloatArray:
        """1/(2πτ) of the grid nodes (Hz)."""
        return 1.0 / (2.0 * np.pi * self.tau)

    @property
    def peak_method(self) -> str:
        """How the peak resistances were read: ``"zarc"``, ``"area"`` or ``"none"`` (see :class:`PeakModel`)."""
        return self.peak_model.method

    @property
    def r_inf_at_bound(self) -> bool:
        """R∞ is the fit's bound R∞ ≥ 0 (not an estimate of the high-frequency intercept)."""
        return self.r_inf <= R_INF_AT_BOUND * float(np.max(np.abs(self.spectrum.impedance)))

    @property
    def n_processes(self) -> int:
        return len(self.peaks)

    def impedance(self, frequency: FloatArray | None = None) -> ComplexArray:
        """Z (Ω) of the DRT model (R∞, L, tail and γ) at ``frequency`` (Hz; default: the spectrum's)."""
        from .basis import TauGrid, basis_impedance

        if frequency is None:
            return self.reconstruction
        omega = 2.0 * np.pi * np.asarray(frequency, dtype=float)
        a_re, a_im = basis_impedance(omega, TauGrid(self.tau))
        gamma = self.gamma
        z = self.r_inf + 1j * omega * self.inductance
        if self.tail is not None:  # the power law, its part inside the grid replaced by what the data show
            gamma = gamma + self.tail.distribution - self.tail.power_law(self.tau)
            z = z + self.tail.coefficient * (1j * omega) ** (-self.tail.exponent)
        return z + a_re @ gamma + 1j * (a_im @ gamma)

    def gamma_at(self, tau: FloatArray) -> FloatArray:
        """γ (Ω) at arbitrary τ (s), linear in ln τ between nodes, zero beyond the grid."""
        from .basis import TauGrid, hat_values

        return hat_values(TauGrid(self.tau), self.gamma, np.asarray(tau, dtype=float))

    def summary(self) -> str:
        """One line: the number of processes and where they are."""
        if not self.peaks:
            return "the DRT shows no distinct process"
        where = ", ".join(
            f"{p.frequency:.3g} Hz ({p.resistance:.3g} Ω{'' if p.diffusion is None else ', ' + p.diffusion.symbol})"
            for p in self.peaks
        )
        word = "process" if len(self.peaks) == 1 else "processes"
        diffusion = sum(p.diffusion is not None for p in self.peaks)
        which = f" ({diffusion} of them finite-length diffusion)" if diffusion else ""
        return f"the DRT shows {len(self.peaks)} {word}{which}: {where}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.spectrum.label,
            "tau": self.tau.tolist(),
            "frequency": self.frequency.tolist(),
            "gamma": self.gamma.tolist(),
            "gamma_lower": self.gamma_lower.tolist(),
            "gamma_upper": self.gamma_upper.tolist(),
            "credible_level": self.credible,
            "r_inf": self.r_inf,
            "r_inf_determined": not self.r_inf_at_bound,
            "inductance": self.inductance if self.inductance > 0 else None,
            "tail": None if self.tail is None else self.tail.to_dict(),
            "tail_mode": self.tail_mode,
            "polarization_resistance": self.polarization_resistance,
            "polarization_resistance_stderr": self.polarization_resistance_stderr,
            "n_processes": self.n_processes,
            "peaks": [p.to_dict() for p in self.peaks],
            "peak_method": self.peak_method,
            "peak_model": self.peak_model.to_dict(),
            "regularization": self.regularization.to_dict(),
            "residuals": {
                "frequency": self.spectrum.frequency.tolist(),
                "real": self.residuals.real.tolist(),
                "imag": self.residuals.imag.tolist(),
                "rms": self.residual_rms,
                "max_abs": float(np.max(np.abs(np.concatenate([self.residuals.real, self.residuals.imag])))),
                "reconstruction_ok": self.reconstruction_ok,
                "unit": "fraction of |Z|: (Z_data − Z_DRT)/|Z_data|",
            },
            "kramers_kronig": None if self.kramers_kronig is None else self.kramers_kronig.to_dict(),
            "area_cm2": self.area_cm2,
            "cell": self.cell,
            "warnings": list(self.warnings),
            "units": {
                "tau": "s",
                "frequency": "Hz",
                "gamma": "Ohm (per unit ln tau)",
                "r_inf": "Ohm",
                "inductance": "H",
                "polarization_resistance": "Ohm",
            },
            "convention": "Z(ω) = R_inf + jωL [+ tail] + ∫ γ(ln τ)/(1 + jωτ) d ln τ; "
            "∫ γ d ln τ = polarization_resistance",
        }
