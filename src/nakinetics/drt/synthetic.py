"""Spectra of known DRT for tests and benchmarks: sums of ZARC and ideal RC elements with proportional noise,
and the score of a DRT against the truth (peak positions, resistances, spurious peaks, ∫γ)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._typing import FloatArray
from ..data import Spectrum, SpectrumMetadata
from .shapes import zarc_impedance

BENCHMARK_FREQUENCIES = np.logspace(5, -2, 70)
"""70 points, 100 kHz to 10 mHz (10 per decade): the window of the accuracy benchmark (Hz)."""

FAMILIES = ("two_zarc", "three_zarc", "two_rc", "edge")
"""Families of the accuracy benchmark (see :func:`make_case`)."""


@dataclass(frozen=True)
class Process:
    """A true relaxation: R (Ω), τ (s), exponent n (1 = ideal RC)."""

    resistance: float
    tau: float
    exponent: float

    @property
    def frequency(self) -> float:
        return 1.0 / (2.0 * math.pi * self.tau)


@dataclass(frozen=True)
class Case:
    """A synthetic spectrum with its truth."""

    family: str
    spectrum: Spectrum
    processes: tuple[Process, ...]
    r_inf: float
    noise: float

    @property
    def polarization_resistance(self) -> float:
        return sum(p.resistance for p in self.processes)


def spectrum_of(
    processes: Sequence[Process],
    r_inf: float,
    frequency: FloatArray,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> Spectrum:
    """Z = R∞ + Σ R/(1 + (jωτ)^n) at ``frequency`` (Hz), each point times 1 + noise·(ε' + jε'')."""
    omega = 2.0 * np.pi * np.asarray(frequency, dtype=float)
    z = r_inf + sum(zarc_impedance(omega, p.resistance, p.tau, p.exponent) for p in processes)
    if noise:
        if rng is None:
            raise ValueError("noise needs an explicit rng (np.random.default_rng(seed))")
        z = z * (1.0 + noise * (rng.standard_normal(omega.size) + 1j * rng.standard_normal(omega.size)))
    return Spectrum(np.asarray(frequency, dtype=float), z, metadata=SpectrumMetadata(format="synthetic"))


def _spaced_log_taus(
    rng: np.random.Generator, count: int, lo: float, hi: float, gap: tuple[float, float]
) -> list[float]:
    """``count`` values of log10 τ in [lo, hi] with consecutive gaps drawn from ``gap`` (decades)."""
    gaps = rng.uniform(*gap, size=count - 1)
    span = float(gaps.sum())
    start = rng.uniform(lo, max(lo, hi - span))
    return [start + float(s) for s in np.concatenate([[0.0], np.cumsum(gaps)])]


def make_case(family: str, rng: np.random.Generator, frequency: FloatArray = BENCHMARK_FREQUENCIES) -> Case:
    """One random spectrum of ``family``:

    * ``two_zarc``/``three_zarc``: 2 or 3 ZARCs 1.3–3 decades apart, n 0.8–0.95, R 10–50 Ω;
    * ``two_rc``: two ideal RC elements exactly one decade apart, R 10–50 Ω;
    * ``edge``: a ZARC (n 0.8–0.95) whose peak lies within 0.3–0.5 decade of the low or high end of the
      window, beside a second ZARC at least 1.5 decades away;

    R∞ 2–20 Ω, proportional noise 0.3–1 %; all peaks at least 0.5 decade inside the window unless edge.
    """
    f = np.asarray(frequency, dtype=float)
    lo = math.log10(1.0 / (2 * math.pi * f.max()))  # log10 τ at the high-frequency end
    hi = math.log10(1.0 / (2 * math.pi * f.min()))
    noise = float(rng.uniform(0.003, 0.01))
    r_inf = float(np.exp(rng.uniform(math.log(2), math.log(20))))

    def resistance() -> float:
        return float(np.exp(rng.uniform(math.log(10), math.log(50))))

    if family in ("two_zarc", "three_zarc"):
        count = 2 if family == "two_zarc" else 3
        logs = _spaced_log_taus(rng, count, lo + 0.5, hi - 0.5, (1.3, 3.0))
        processes = [Process(resistance(), 10.0**x, float(rng.uniform(0.8, 0.95))) for x in logs]
    elif family == "two_rc":
        x = float(rng.uniform(lo + 0.5, hi - 1.5))
        processes = [Process(resistance(), 10.0**x, 1.0), Process(resistance(), 10.0 ** (x + 1.0), 1.0)]
    elif family == "edge":
        inset = float(rng.uniform(0.3, 0.5))
        if rng.random() < 0.5:
            x_edge, x_other = hi - inset, float(rng.uniform(lo + 0.5, hi - inset - 1.5))
        else:
            x_edge, x_other = lo + inset, float(rng.uniform(lo + inset + 1.5, hi - 0.5))
        processes = [
            Process(resistance(), 10.0**x, float(rng.uniform(0.8, 0.95))) for x in sorted((x_edge, x_other))
        ]
    else:
        raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")
    spectrum = spectrum_of(processes, r_inf, f, noise, rng)
    return Case(family, spectrum, tuple(processes), r_inf, noise)


@dataclass(frozen=True)
class Score:
    """How a DRT compares with the truth of a :class:`Case`: per true process the error of the nearest found
    peak in log10 τ (decades) and its relative resistance error; the largest unmatched peak as a share of
    the true polarisation resistance; the relative error of ∫γ."""

    tau_errors: tuple[float, ...]
    resistance_errors: tuple[float, ...]
    spurious: float
    integral_error: float

    def passed(
        self,
        tau_tol: float = 0.15,
        r_tol: float = 0.10,
        spurious_tol: float = 0.05,
        integral_tol: float = 0.05,
    ) -> bool:
        return (
            all(e <= tau_tol for e in self.tau_errors)
            and all(e <= r_tol for e in self.resistance_errors)
            and self.spurious <= spurious_tol
            and self.integral_error <= integral_tol
        )


def score(case: Case, peaks: Sequence[tuple[float, float]], integral: float) -> Score:
    """Score found ``peaks`` (τ s, R Ω) and ∫γ (Ω) against ``case``; each true process takes the nearest
    unused peak in log τ (a missing peak counts as an infinite error)."""
    remaining = list(peaks)
    tau_err: list[float] = []
    r_err: list[float] = []
    for proc in sorted(case.processes, key=lambda p: -p.resistance):
        if not remaining:
            tau_err.append(math.inf)
            r_err.append(math.inf)
            continue
        k = int(np.argmin([abs(math.log10(t / proc.tau)) for t, _ in remaining]))
        t, r = remaining.pop(k)
        tau_err.append(abs(math.log10(t / proc.tau)))
        r_err.append(abs(r - proc.resistance) / proc.resistance)
    total = case.polarization_resistance
    spurious = max((r for _, r in remaining), default=0.0) / total
    return Score(tuple(tau_err), tuple(r_err), spurious, abs(integral - total) / total)
