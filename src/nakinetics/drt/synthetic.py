"""Spectra of known DRT for tests and benchmarks: sums of ZARC and ideal RC elements, Randles circuits with a
Warburg element in the charge-transfer branch and blocking electrodes, with proportional noise; and the
score of a DRT against the truth (peak positions, resistances, spurious peaks, ∫γ, the tail)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._typing import ComplexArray, FloatArray
from ..data import Spectrum, SpectrumMetadata
from .shapes import zarc_impedance

BENCHMARK_FREQUENCIES = np.logspace(5, -2, 70)
"""70 points, 100 kHz to 10 mHz (10 per decade): the window of the accuracy benchmark (Hz)."""

ZARC_FAMILIES = ("two_zarc", "three_zarc", "two_rc", "edge")
"""Families of relaxations only (the issue's accuracy criteria; see :func:`make_case`)."""

TAIL_FAMILIES = ("randles_w", "randles_ws", "randles_wo", "blocking")
"""Families with diffusion or a blocking electrode at the slow end (see :func:`make_case`)."""

FAMILIES = ZARC_FAMILIES + TAIL_FAMILIES
"""Families of the accuracy benchmark."""


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
class TailTruth:
    """The slow-end term a DRT should keep out of γ: a (jω)^-ν (ν = ½, a = σ√2 for a Warburg element; ν = n,
    a = 1/Q for a blocking CPE; ν = 1, a = R_W/τ_W for the capacitive end of a reflective Warburg)."""

    coefficient: float
    exponent: float


@dataclass(frozen=True)
class LinesTruth:
    """The DRT of a finite-length Warburg element: lines at τ_k holding R_k, the first (slowest) at
    ``first_tau`` (s), all of them ``resistance`` (Ω) — a DRT shows them as one peak near the first line
    (reflective: merged, up to half a decade faster) or as a peak there with small satellites faster
    (transmissive: the second line, 1/9 of the first, 0.95 decade faster)."""

    resistance: float
    first_tau: float
    kind: str

    SPAN_DECADES = 1.2
    TAU_TOLERANCE = 0.5

    def holds(self, tau: float) -> bool:
        """Whether a peak at ``tau`` (s) lies among the lines (up to 1.2 decades faster than the first: the
        second line of a transmissive Warburg is 0.95 decade faster; the families keep other peaks 1.5
        decades away)."""
        offset = math.log10(tau / self.first_tau)
        return -self.SPAN_DECADES <= offset <= 0.15


@dataclass(frozen=True)
class Case:
    """A synthetic spectrum with its truth: the processes γ should show as peaks, the lines of a
    finite-length Warburg (``lines``) and the tail, if any."""

    family: str
    spectrum: Spectrum
    processes: tuple[Process, ...]
    r_inf: float
    noise: float
    tail: TailTruth | None = None
    lines: LinesTruth | None = None

    @property
    def polarization_resistance(self) -> float:
        return sum(p.resistance for p in self.processes) + (self.lines.resistance if self.lines else 0.0)


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
    * ``randles_w``: R∞ + (R_ct + W)‖CPE_dl, a semi-infinite Warburg in the charge-transfer branch whose
      |Z| at the lowest frequency is 0.5–5 × R_ct: one process (R_ct) and a diffusive tail (σ);
    * ``randles_ws``/``randles_wo``: the same with a finite-length (transmissive) or finite-space
      (reflective) Warburg of R_W 0.5–2 × R_ct: two peaks — R_ct and the Warburg's DRT, lines at
      4τ_W/((2k−1)²π²) holding 8R_W/((2k−1)²π²) (Ws: R_W in all) or at τ_W/(k²π²) holding 2R_W/(k²π²)
      (Wo: R_W/3, plus a capacitive tail C = τ_W/R_W), scored as one group (:class:`LinesTruth`);
    * ``blocking``: one or two ZARCs (n 0.8–0.95) and a series CPE (n 0.75–1) of a blocking electrode.

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
    elif family in TAIL_FAMILIES:
        return _tail_case(family, rng, f, lo, hi, noise, r_inf)
    else:
        raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")
    spectrum = spectrum_of(processes, r_inf, f, noise, rng)
    return Case(family, spectrum, tuple(processes), r_inf, noise)


def _with_noise(z: ComplexArray, noise: float, rng: np.random.Generator) -> ComplexArray:
    return z * (1.0 + noise * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size)))


def _tail_case(
    family: str, rng: np.random.Generator, f: FloatArray, lo: float, hi: float, noise: float, r_inf: float
) -> Case:
    """Randles circuits R∞ + (R_ct + Z_d)‖CPE_dl (n 0.9–1, R_ct 20–200 Ω, τ_ct = (R_ct Q)^(1/n) 1.5–3.5
    decades inside the fast end) with Z_d a Warburg element, and blocking electrodes (see
    :func:`make_case`)."""
    from ..circuit import Circuit

    if family == "blocking":
        count = int(rng.integers(1, 3))
        logs = _spaced_log_taus(rng, count, lo + 0.5, hi - 2.5, (1.3, 2.5))
        processes = [
            Process(
                float(np.exp(rng.uniform(math.log(10), math.log(50)))), 10.0**x, float(rng.uniform(0.8, 0.95))
            )
            for x in logs
        ]
        n_cpe = float(rng.uniform(0.75, 1.0))
        total = sum(p.resistance for p in processes)
        # the CPE's |Z| equals the arcs' resistance 1–2 decades below the slowest arc's frequency
        f_cross = processes[-1].frequency / 10.0 ** float(rng.uniform(1.0, 2.0))
        q = 1.0 / (total * (2 * math.pi * f_cross) ** n_cpe)
        omega = 2 * np.pi * f
        z = r_inf + sum(zarc_impedance(omega, p.resistance, p.tau, p.exponent) for p in processes)
        z = z + 1.0 / (q * (1j * omega) ** n_cpe)
        spectrum = Spectrum(f, _with_noise(z, noise, rng), metadata=SpectrumMetadata(format="synthetic"))
        return Case(family, spectrum, tuple(processes), r_inf, noise, TailTruth(1.0 / q, n_cpe))

    r_ct = float(np.exp(rng.uniform(math.log(20), math.log(200))))
    n_dl = float(rng.uniform(0.9, 1.0))
    tau_ct = 10.0 ** float(rng.uniform(lo + 1.5, lo + 3.5))
    q = tau_ct**n_dl / r_ct
    values = {"R0": r_inf, "R1": r_ct, "CPE1_Q": q, "CPE1_n": n_dl}
    processes = [Process(r_ct, tau_ct, n_dl)]
    tail = None
    lines = None
    if family == "randles_w":
        # |Z_W| at the lowest frequency 0.5–5 × R_ct: the 45° line is seen, not only its start
        ratio = float(np.exp(rng.uniform(math.log(0.5), math.log(5.0))))
        sigma = ratio * r_ct * math.sqrt(2 * math.pi * float(f.min())) / math.sqrt(2.0)
        values["W1"] = sigma
        circuit = "R0-p(R1-W1,CPE1)"
        tail = TailTruth(sigma * math.sqrt(2.0), 0.5)
    else:
        r_w = r_ct * float(np.exp(rng.uniform(math.log(0.5), math.log(2.0))))
        # the first DRT line of the Warburg: τ_W·4/π² (Ws) or τ_W/π² (Wo), 1.5 decades or more slower than
        # the charge transfer and half a decade or more inside the slow end
        first = 10.0 ** float(rng.uniform(math.log10(tau_ct) + 1.5, hi - 0.5))
        name = "Ws1" if family == "randles_ws" else "Wo1"
        tau_w = first * math.pi**2 / (4.0 if family == "randles_ws" else 1.0)
        values |= {f"{name}_R": r_w, f"{name}_tau": tau_w}
        circuit = f"R0-p(R1-{name},CPE1)"
        if family == "randles_ws":  # lines 8R/((2k−1)²π²) at 4τ/((2k−1)²π²): all of R_W
            lines = LinesTruth(r_w, first, "finite-length (transmissive) Warburg")
        else:  # lines 2R/(k²π²) at τ/(k²π²): R_W/3, and a capacitance τ_W/R_W at the slow end
            lines = LinesTruth(r_w / 3.0, first, "finite-space (reflective) Warburg")
            tail = TailTruth(r_w / tau_w, 1.0)
    z = Circuit(circuit).simulate(f, values)
    spectrum = Spectrum(f, _with_noise(z, noise, rng), metadata=SpectrumMetadata(format="synthetic"))
    return Case(family, spectrum, tuple(processes), r_inf, noise, tail, lines)


TAIL_EXPONENT_TOLERANCE = 0.1
"""A tail's exponent ν must be within 0.1 of the truth."""


@dataclass(frozen=True)
class Score:
    """How a DRT compares with the truth of a :class:`Case`: per true process the error of the nearest found
    peak in log10 τ (decades) and its relative resistance error; the largest unmatched peak as a share of
    the true polarisation resistance; the relative error of ∫γ; the error of the tail exponent (``None``
    without a true tail, ∞ when the DRT kept none)."""

    tau_errors: tuple[float, ...]
    resistance_errors: tuple[float, ...]
    spurious: float
    integral_error: float
    tail_error: float | None = None

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
            and (self.tail_error is None or self.tail_error <= TAIL_EXPONENT_TOLERANCE)
        )


def score(
    case: Case,
    peaks: Sequence[tuple[float, float]],
    integral: float,
    tail_exponent: float | None = None,
) -> Score:
    """Score found ``peaks`` (τ s, R Ω), ∫γ (Ω) and the tail exponent against ``case``; each true process
    takes the nearest unused peak in log τ (a missing peak counts as an infinite error).  The peaks among
    a finite-length Warburg's lines are taken together: their resistances summed, the τ of the largest
    within :attr:`LinesTruth.TAU_TOLERANCE` decade of the first line (scored as an error in units of the
    0.15-decade criterion)."""
    remaining = list(peaks)
    tau_err: list[float] = []
    r_err: list[float] = []
    if case.lines is not None:
        group = [p for p in remaining if case.lines.holds(p[0])]
        remaining = [p for p in remaining if not case.lines.holds(p[0])]
        if group:
            largest = max(group, key=lambda p: p[1])
            offset = abs(math.log10(largest[0] / case.lines.first_tau))
            tau_err.append(0.15 * offset / case.lines.TAU_TOLERANCE)
            r_err.append(abs(sum(r for _, r in group) - case.lines.resistance) / case.lines.resistance)
        else:
            tau_err.append(math.inf)
            r_err.append(math.inf)
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
    tail_error = None
    if case.tail is not None:
        tail_error = math.inf if tail_exponent is None else abs(tail_exponent - case.tail.exponent)
    return Score(tuple(tau_err), tuple(r_err), spurious, abs(integral - total) / total, tail_error)
