"""Fit benchmark: nakinetics (no guesses) against impedance.py (generic and informed starts), same run.

Generates seeded synthetic spectra with known truth for two sets of families and fits each spectrum

* with nakinetics, no initial values (``fit_circuit(spectrum, circuit)``, the true circuit given),
* with impedance.py ``CustomCircuit.fit`` (weight_by_modulus=True, the same objective) from a start within
  ×2 of the truth ("informed") and, for the basic families, from a fixed generic start.

*basic*: Na | solid electrolyte | Na two-arc, Na | liquid | Na two-arc, Randles + W, Randles + Wo,
blocking-electrode pellet (60 points, 1 % noise, every arc inside the window).

*hard*: three arcs (grain boundary, interface, constriction; apexes 30–300× apart), two arcs only 4–12× apart
with 0.3–3 % noise, cable inductance, an arc whose apex lies below or above the window, transmissive diffusion (Ws)
in a Randles cell and in series, four and five arcs (apexes 20–50× apart), 20-point spectra, 30 points with 3–5 %
noise, a liquid cell with Ws diffusion, an arc before a Randles arc with reflective diffusion, a Gerischer
element, three Zarc elements, inductance before three arcs, a pellet with three arcs and a blocking CPE, a
blocking pellet whose bulk and grain-boundary arcs peak only 1.5–10× apart, an arc before each of the other
element types (finite Gerischer Gs, porous electrode T, transmission line TLMQ), a modified inductance (La) before
two arcs, three RC elements (K), and 2,000- and 10,000-point spectra (timing of large spectra).

Success = the fit reaches the best minimum: its χ² (modulus weighting) exceeds the best χ² found for that
spectrum by any method — nakinetics, impedance.py, a local fit from the truth and from eight starts
scattered ×3 around it — by at most one noise variance s² = χ²_best/(2N − k), i.e. the two fits are
statistically indistinguishable.  "fallback" counts nakinetics fits that needed the differential-evolution
fallback.  Medians and 95th percentiles are wall times per fit (ms); the speed-up is impedance.py
informed's median over the method's median, from the same run.

    python benchmarks/fit_benchmark.py [--per-family 30] [--seed 2026] [--set basic|hard|all]
                                       [--family NAME ...] [--no-impedance] [--misses] [--cpu]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from nakinetics import Spectrum, _search, fit_circuit
from nakinetics.circuit import Circuit
from nakinetics.fitting import resolve_circuit
from nakinetics.synthetic import synthetic_spectrum

Sampler = Callable[[np.random.Generator], dict[str, float]]
CLOCK = time.perf_counter
"""Wall time by default; ``--cpu`` switches to the process's CPU time."""

SE_WINDOW = np.logspace(6, -1, 60)  # 1 MHz → 0.1 Hz
WIDE_WINDOW = np.logspace(6, -2, 60)  # 1 MHz → 10 mHz
VERY_WIDE_WINDOW = np.logspace(7, -2, 60)  # 10 MHz → 10 mHz


def _cpe_q(r: float, apex_hz: float, n: float) -> float:
    """Q that puts the apex of R‖CPE at ``apex_hz``: (RQ)^(1/n) = 1/(2πf)."""
    return (1.0 / (2 * np.pi * apex_hz)) ** n / r


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _arc(rng: np.random.Generator, k: int, r: float, apex_hz: float, n_range: tuple[float, float]):
    n = rng.uniform(*n_range)
    return {f"R{k}": r, f"CPE{k}_Q": _cpe_q(r, apex_hz, n), f"CPE{k}_n": n}


def _arc_chain(n_arcs: int) -> str:
    return "R0-" + "-".join(f"p(R{k},CPE{k})" for k in range(1, n_arcs + 1))


def _two_arc(
    rng: np.random.Generator,
    r0: tuple[float, float],
    r1: tuple[float, float],
    f1: tuple[float, float],
    r2: tuple[float, float],
    f2: tuple[float, float],
) -> dict[str, float]:
    v = {"R0": _log_uniform(rng, *r0)}
    v |= _arc(rng, 1, _log_uniform(rng, *r1), _log_uniform(rng, *f1), (0.8, 0.95))
    v |= _arc(rng, 2, _log_uniform(rng, *r2), _log_uniform(rng, *f2), (0.7, 0.9))
    return v


def _randles(rng: np.random.Generator, diffusion: str) -> dict[str, float]:
    n = rng.uniform(0.8, 0.95)
    v = {"R0": _log_uniform(rng, 5, 50), "R1": _log_uniform(rng, 20, 500), "CPE1_n": n}
    v["CPE1_Q"] = _cpe_q(v["R1"], _log_uniform(rng, 30, 3e3), n)
    if diffusion == "W":
        v["W1"] = _log_uniform(rng, 5, 100)
    else:
        v |= {f"{diffusion}1_R": _log_uniform(rng, 50, 500), f"{diffusion}1_tau": _log_uniform(rng, 1, 30)}
    return v


def _pellet(rng: np.random.Generator) -> dict[str, float]:
    n1, n2, n3 = rng.uniform(0.85, 0.98), rng.uniform(0.7, 0.9), rng.uniform(0.7, 0.9)
    v = {"R1": _log_uniform(rng, 1e3, 1e5), "R2": _log_uniform(rng, 1e3, 1e5)}
    v |= {"CPE1_n": n1, "CPE1_Q": _cpe_q(v["R1"], _log_uniform(rng, 2e5, 2e6), n1)}
    v |= {"CPE2_n": n2, "CPE2_Q": _cpe_q(v["R2"], _log_uniform(rng, 1e2, 1e4), n2)}
    v |= {"CPE3_n": n3, "CPE3_Q": _log_uniform(rng, 1e-7, 1e-5)}
    return v


def _overlapping_pellet(rng: np.random.Generator) -> dict[str, float]:
    """Blocking pellet whose bulk and grain-boundary arcs peak only 1.5–10× apart (bulk 10 kHz–1 MHz)."""
    n1, n2, n3 = rng.uniform(0.85, 0.98), rng.uniform(0.7, 0.9), rng.uniform(0.7, 0.9)
    v = {"R1": _log_uniform(rng, 1e3, 1e5), "R2": _log_uniform(rng, 1e3, 1e5)}
    apex = _log_uniform(rng, 1e4, 1e6)
    v |= {"CPE1_n": n1, "CPE1_Q": _cpe_q(v["R1"], apex, n1)}
    v |= {"CPE2_n": n2, "CPE2_Q": _cpe_q(v["R2"], apex / _log_uniform(rng, 1.5, 10), n2)}
    v |= {"CPE3_n": n3, "CPE3_Q": _log_uniform(rng, 1e-7, 1e-5)}
    return v


def _separated_arcs(
    rng: np.random.Generator,
    n_arcs: int,
    first_apex: tuple[float, float],
    ratio: tuple[float, float],
    resistance: tuple[float, float],
) -> dict[str, float]:
    """R0 and ``n_arcs`` R‖CPE arcs, the first apex in ``first_apex`` (Hz), each next one slower by a
    factor drawn from ``ratio``."""
    v = {"R0": _log_uniform(rng, 10, 100)}
    apex = _log_uniform(rng, *first_apex)
    for k in range(1, n_arcs + 1):
        v |= _arc(rng, k, _log_uniform(rng, *resistance), apex, (0.7, 0.95))
        apex /= _log_uniform(rng, *ratio)
    return v


def _three_arcs(rng: np.random.Generator) -> dict[str, float]:
    """Grain boundary (20–500 Ω, apex 30–300 kHz), interface (50–2000 Ω) and constriction (20–1000 Ω),
    apexes 30–300× apart."""
    v = {"R0": _log_uniform(rng, 10, 100)}
    apex = _log_uniform(rng, 3e4, 3e5)
    v |= _arc(rng, 1, _log_uniform(rng, 20, 500), apex, (0.8, 0.95))
    apex /= _log_uniform(rng, 30, 300)
    v |= _arc(rng, 2, _log_uniform(rng, 50, 2000), apex, (0.7, 0.9))
    apex /= _log_uniform(rng, 30, 300)
    v |= _arc(rng, 3, _log_uniform(rng, 20, 1000), apex, (0.7, 0.9))
    return v


def _close_arcs(rng: np.random.Generator) -> dict[str, float]:
    """Two arcs of comparable size whose apexes are only 4–12× apart."""
    v = {"R0": _log_uniform(rng, 10, 100)}
    apex = _log_uniform(rng, 10, 1e4)
    v |= _arc(rng, 1, _log_uniform(rng, 30, 500), apex, (0.75, 0.95))
    v |= _arc(rng, 2, _log_uniform(rng, 30, 500), apex / _log_uniform(rng, 4, 12), (0.75, 0.95))
    return v


def _inductive(rng: np.random.Generator) -> dict[str, float]:
    """Liquid cell with cable inductance 0.1–2 µH (ωL at 1 MHz comparable with R0)."""
    v = _two_arc(rng, (2, 20), (5, 60), (1e3, 1e5), (20, 300), (0.3, 30))
    return {"L0": _log_uniform(rng, 1e-7, 2e-6), **v}


def _arc_below_window(rng: np.random.Generator) -> dict[str, float]:
    """Two arcs, the second one's apex 1.5–10× below the lowest frequency (0.1 Hz)."""
    return _two_arc(rng, (10, 100), (20, 500), (1e3, 1e5), (100, 5000), (0.01, 0.067))


def _arc_above_window(rng: np.random.Generator) -> dict[str, float]:
    """Two arcs, the first one's apex 1.5–10× above the highest frequency (1 MHz), as a NASICON grain
    boundary measured to 1 MHz."""
    return _two_arc(rng, (10, 100), (50, 1000), (1.5e6, 1e7), (100, 2000), (1, 1e3))


def _arc_with_series_ws(rng: np.random.Generator) -> dict[str, float]:
    """Liquid cell: interface arc, then electrolyte polarisation as a transmissive finite-length Warburg."""
    v = {"R0": _log_uniform(rng, 2, 20)}
    v |= _arc(rng, 1, _log_uniform(rng, 10, 300), _log_uniform(rng, 100, 1e4), (0.75, 0.95))
    return v | {"Ws1_R": _log_uniform(rng, 20, 500), "Ws1_tau": _log_uniform(rng, 1, 100)}


def _liquid_with_diffusion(rng: np.random.Generator) -> dict[str, float]:
    """Liquid cell: SEI and charge-transfer arcs, then electrolyte polarisation (Ws) at 3–100 s."""
    v = {"R0": _log_uniform(rng, 2, 20)}
    v |= _arc(rng, 1, _log_uniform(rng, 5, 60), _log_uniform(rng, 1e3, 1e5), (0.8, 0.95))
    v |= _arc(rng, 2, _log_uniform(rng, 20, 300), _log_uniform(rng, 1, 100), (0.7, 0.9))
    return v | {"Ws3_R": _log_uniform(rng, 20, 300), "Ws3_tau": _log_uniform(rng, 3, 100)}


def _three_zarcs(rng: np.random.Generator) -> dict[str, float]:
    """Three Zarc elements (R, τ, n), apexes 20–200× apart."""
    v = {"R0": _log_uniform(rng, 10, 100)}
    apex = _log_uniform(rng, 1e4, 1e5)
    for k in (1, 2, 3):
        v |= {f"Zarc{k}_R": _log_uniform(rng, 30, 800), f"Zarc{k}_tau": 1 / (2 * np.pi * apex)}
        v[f"Zarc{k}_n"] = rng.uniform(0.7, 0.95)
        apex /= _log_uniform(rng, 20, 200)
    return v


def _arc_with_gerischer(rng: np.random.Generator) -> dict[str, float]:
    v = {"R0": _log_uniform(rng, 5, 50)}
    v |= _arc(rng, 1, _log_uniform(rng, 20, 300), _log_uniform(rng, 1e3, 1e5), (0.8, 0.95))
    return v | {"G1_R": _log_uniform(rng, 20, 500), "G1_tau": _log_uniform(rng, 1e-3, 1)}


def _arc_then(rng: np.random.Generator, r0: tuple[float, float] = (5, 50)) -> dict[str, float]:
    """R0 and an interphase arc (20–300 Ω, apex 1–100 kHz) in front of the element a family is about."""
    v = {"R0": _log_uniform(rng, *r0)}
    return v | _arc(rng, 1, _log_uniform(rng, 20, 300), _log_uniform(rng, 1e3, 1e5), (0.8, 0.95))


def _arc_with_finite_gerischer(rng: np.random.Generator) -> dict[str, float]:
    v = _arc_then(rng)
    v |= {"Gs1_R": _log_uniform(rng, 20, 500), "Gs1_tau": _log_uniform(rng, 1e-3, 1)}
    return v | {"Gs1_phi": _log_uniform(rng, 0.3, 3)}


def _arc_with_porous_electrode(rng: np.random.Generator) -> dict[str, float]:
    """Arc, then a macrohomogeneous porous electrode (Paasch): A 20–500 Ω, B 0.1–1 × A, a 0.1–10, b 1 ms–1 s."""
    v = _arc_then(rng)
    a = _log_uniform(rng, 20, 500)
    v |= {"T1_A": a, "T1_B": a * _log_uniform(rng, 0.1, 1), "T1_a": _log_uniform(rng, 0.1, 10)}
    return v | {"T1_b": _log_uniform(rng, 1e-3, 1)}


def _arc_with_transmission_line(rng: np.random.Generator) -> dict[str, float]:
    """Arc, then a blocking porous electrode (transmission line with CPE interface): R_ion 10–500 Ω."""
    v = _arc_then(rng)
    v |= {"TLMQ1_Rion": _log_uniform(rng, 10, 500), "TLMQ1_Q": _log_uniform(rng, 1e-5, 1e-3)}
    return v | {"TLMQ1_n": rng.uniform(0.8, 0.95)}


def _modified_inductance_two_arcs(rng: np.random.Generator) -> dict[str, float]:
    """Leads as a modified inductance (L jω)^n, n 0.85–1, before a liquid cell's two arcs."""
    v = _two_arc(rng, (2, 20), (5, 60), (1e3, 1e5), (20, 300), (0.3, 30))
    return {"La0_L": _log_uniform(rng, 1e-7, 2e-6), "La0_n": rng.uniform(0.85, 1.0), **v}


def _voigt_elements(rng: np.random.Generator) -> dict[str, float]:
    """R0 and three ideal RC elements (K), time constants 10–100× apart."""
    v = {"R0": _log_uniform(rng, 10, 100)}
    tau = _log_uniform(rng, 1e-6, 1e-5)
    for k in (1, 2, 3):
        v |= {f"K{k}_R": _log_uniform(rng, 20, 1000), f"K{k}_tau": tau}
        tau *= _log_uniform(rng, 10, 100)
    return v


def _blocking_three_arcs(rng: np.random.Generator) -> dict[str, float]:
    """Pellet with bulk, grain-boundary and a surface-layer arc (30–300× apart) before a blocking CPE."""
    v: dict[str, float] = {}
    apex = _log_uniform(rng, 1e6, 5e6)
    for k in (1, 2, 3):
        v |= _arc(rng, k, _log_uniform(rng, 1e3, 1e5), apex, (0.75, 0.97))
        apex /= _log_uniform(rng, 30, 300)
    return v | {"CPE4_Q": _log_uniform(rng, 1e-7, 1e-5), "CPE4_n": rng.uniform(0.7, 0.9)}


def _arc_and_randles_wo(rng: np.random.Generator) -> dict[str, float]:
    """An interphase arc, then a Randles arc with reflective finite diffusion in its branch."""
    v = {"R0": _log_uniform(rng, 5, 50)}
    v |= _arc(rng, 1, _log_uniform(rng, 20, 300), _log_uniform(rng, 1e4, 1e5), (0.8, 0.95))
    v |= _arc(rng, 2, _log_uniform(rng, 20, 300), _log_uniform(rng, 30, 3e3), (0.75, 0.9))
    return v | {"Wo2_R": _log_uniform(rng, 50, 500), "Wo2_tau": _log_uniform(rng, 1, 30)}


@dataclass(frozen=True)
class Family:
    name: str
    circuit: str
    frequency: np.ndarray
    sample: Sampler
    noise: tuple[float, float] = (0.01, 0.01)
    generic_start: dict[str, float] | None = None
    timing_only_impedance_py: bool = False


_TWO_ARC_GENERIC = {
    "R0": 10,
    "R1": 100,
    "CPE1_Q": 1e-6,
    "CPE1_n": 0.9,
    "R2": 100,
    "CPE2_Q": 1e-4,
    "CPE2_n": 0.9,
}

BASIC = [
    Family(
        "Na|SE|Na 2-arc",
        "na_se_na_2arc",
        SE_WINDOW,
        lambda g: _two_arc(g, (10, 100), (20, 500), (1e4, 2e5), (50, 2000), (1, 300)),
        generic_start=_TWO_ARC_GENERIC,
    ),
    Family(
        "Na|liquid|Na 2-arc",
        "na_liquid_na",
        WIDE_WINDOW,
        lambda g: _two_arc(g, (2, 20), (5, 60), (1e3, 1e5), (20, 300), (0.3, 30)),
        generic_start=_TWO_ARC_GENERIC,
    ),
    Family(
        "Randles + W",
        "randles_w",
        np.logspace(5, -2, 60),
        lambda g: _randles(g, "W"),
        generic_start={"R0": 10, "R1": 100, "W1": 10, "CPE1_Q": 1e-5, "CPE1_n": 0.9},
    ),
    Family(
        "Randles + Wo",
        "randles_wo",
        np.logspace(5, -2, 60),
        lambda g: _randles(g, "Wo"),
        generic_start={"R0": 10, "R1": 100, "Wo1_R": 100, "Wo1_tau": 1, "CPE1_Q": 1e-5, "CPE1_n": 0.9},
    ),
    Family(
        "pellet (blocking)",
        "pellet_blocking",
        np.logspace(7, 0, 60),
        _pellet,
        generic_start={
            "R1": 1e4,
            "CPE1_Q": 1e-10,
            "CPE1_n": 0.9,
            "R2": 1e4,
            "CPE2_Q": 1e-8,
            "CPE2_n": 0.9,
            "CPE3_Q": 1e-6,
            "CPE3_n": 0.9,
        },
    ),
]

HARD = [
    Family("three arcs 30–300× apart", _arc_chain(3), WIDE_WINDOW, _three_arcs),
    Family("two arcs 4–12× apart, 0.3–3 % noise", _arc_chain(2), SE_WINDOW, _close_arcs, noise=(0.003, 0.03)),
    Family("cable inductance + 2 arcs", "L0-" + _arc_chain(2), WIDE_WINDOW, _inductive),
    Family("arc apex below the window", _arc_chain(2), SE_WINDOW, _arc_below_window),
    Family("arc apex above the window", _arc_chain(2), SE_WINDOW, _arc_above_window),
    Family("Randles + Ws", "randles_ws", np.logspace(5, -2, 60), lambda g: _randles(g, "Ws")),
    Family("arc + Ws in series", "R0-p(R1,CPE1)-Ws1", WIDE_WINDOW, _arc_with_series_ws),
    Family(
        "four arcs 20–50× apart",
        _arc_chain(4),
        VERY_WIDE_WINDOW,
        lambda g: _separated_arcs(g, 4, (3e5, 3e6), (20, 50), (20, 1000)),
    ),
    Family(
        "five arcs 20–50× apart",
        _arc_chain(5),
        VERY_WIDE_WINDOW,
        lambda g: _separated_arcs(g, 5, (1e6, 3e6), (20, 50), (20, 1000)),
    ),
    Family(
        "Na|SE|Na 2-arc, 20 points",
        "na_se_na_2arc",
        np.logspace(6, -1, 20),
        lambda g: _two_arc(g, (10, 100), (20, 500), (1e4, 2e5), (50, 2000), (1, 300)),
    ),
    Family("three arcs, 20 points", _arc_chain(3), np.logspace(6, -2, 20), _three_arcs),
    Family(
        "three arcs, 30 points, 3–5 % noise", _arc_chain(3), np.logspace(6, -2, 30), _three_arcs, (0.03, 0.05)
    ),
    Family("liquid cell + Ws diffusion", "R0-p(R1,CPE1)-p(R2,CPE2)-Ws3", WIDE_WINDOW, _liquid_with_diffusion),
    Family("arc + Randles with Wo", "R0-p(R1,CPE1)-p(R2-Wo2,CPE2)", WIDE_WINDOW, _arc_and_randles_wo),
    Family("arc + Gerischer", "R0-p(R1,CPE1)-G1", WIDE_WINDOW, _arc_with_gerischer),
    Family("three Zarc elements", "R0-Zarc1-Zarc2-Zarc3", WIDE_WINDOW, _three_zarcs),
    Family(
        "cable inductance + 3 arcs",
        "L0-" + _arc_chain(3),
        WIDE_WINDOW,
        lambda g: {"L0": _log_uniform(g, 1e-7, 2e-6), **_three_arcs(g)},
    ),
    Family(
        "pellet, 3 arcs + blocking CPE",
        "p(R1,CPE1)-p(R2,CPE2)-p(R3,CPE3)-CPE4",
        np.logspace(7, -1, 60),
        _blocking_three_arcs,
    ),
    Family(
        "pellet, bulk and grain boundary 1.5–10× apart",
        "pellet_blocking",
        np.logspace(7, 0, 60),
        _overlapping_pellet,
    ),
    Family("arc + finite Gerischer (Gs)", "R0-p(R1,CPE1)-Gs1", WIDE_WINDOW, _arc_with_finite_gerischer),
    Family("arc + porous electrode (T)", "R0-p(R1,CPE1)-T1", WIDE_WINDOW, _arc_with_porous_electrode),
    Family("arc + transmission line (TLMQ)", "R0-p(R1,CPE1)-TLMQ1", WIDE_WINDOW, _arc_with_transmission_line),
    Family(
        "modified inductance (La) + 2 arcs",
        "La0-" + _arc_chain(2),
        WIDE_WINDOW,
        _modified_inductance_two_arcs,
    ),
    Family("three RC elements (K)", "R0-K1-K2-K3", VERY_WIDE_WINDOW, _voigt_elements),
    Family(
        "Na|SE|Na 2-arc, 2,000 points",
        "na_se_na_2arc",
        np.logspace(6, -1, 2000),
        lambda g: _two_arc(g, (10, 100), (20, 500), (1e4, 2e5), (50, 2000), (1, 300)),
    ),
    Family(
        "Na|SE|Na 2-arc, 10,000 points",
        "na_se_na_2arc",
        np.logspace(6, -1, 10000),
        lambda g: _two_arc(g, (10, 100), (20, 500), (1e4, 2e5), (50, 2000), (1, 300)),
    ),
]


class FallbackCounter:
    """Counts calls of the differential-evolution fallback (a private hook, benchmark only)."""

    def __init__(self) -> None:
        self.calls = 0
        self._original = _search.global_search

    def __enter__(self) -> Self:
        counter = self

        def counted(problem, lower, upper):
            counter.calls += 1
            return counter._original(problem, lower, upper)

        _search.global_search = counted
        return self

    def __exit__(self, *exc: object) -> None:
        _search.global_search = self._original


def chisqr(circuit: Circuit, values: dict[str, float], spectrum: Spectrum) -> float:
    """χ² with modulus weighting (the objective both libraries minimise here)."""
    if not all(np.isfinite(values.get(n, np.nan)) for n in circuit.parameter_names):
        return np.inf
    z = circuit.simulate(spectrum.frequency, values)
    r = (z - spectrum.impedance) / np.abs(spectrum.impedance)
    c = float(np.sum(r.real**2 + r.imag**2))
    return c if np.isfinite(c) else np.inf


def impedance_py_fit(circuit: Circuit, start: dict[str, float], spectrum: Spectrum):
    """impedance.py's fit from ``start``: (values, seconds); NaN values when curve_fit gives up."""
    from impedance.models.circuits import CustomCircuit

    names = circuit.parameter_names
    model = CustomCircuit(circuit.text, initial_guess=[start[n] for n in names])
    t0 = CLOCK()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(spectrum.frequency, spectrum.impedance, weight_by_modulus=True)
        values = dict(zip(names, (float(v) for v in model.parameters_), strict=True))
    except (RuntimeError, ValueError, np.linalg.LinAlgError):
        values = dict.fromkeys(names, np.nan)
    return values, CLOCK() - t0


def informed_start(
    truth: dict[str, float], rng: np.random.Generator, factor: float = 2.0
) -> dict[str, float]:
    """Every magnitude within ×``factor`` of the truth (log-uniform), CPE exponents within ±0.05."""
    start = {}
    for name, value in truth.items():
        if name.endswith("_n"):
            start[name] = float(np.clip(value + rng.uniform(-0.05, 0.05), 0.5, 1.0))
        else:
            start[name] = value * float(np.exp(rng.uniform(-np.log(factor), np.log(factor))))
    return start


def reference_fits(circuit: str, truth: dict[str, float], spectrum: Spectrum, rng: np.random.Generator):
    """Local fits from the truth and from eight starts scattered ×3 around it (the reference minima)."""
    starts = [truth] + [informed_start(truth, rng, factor=3.0) for _ in range(8)]
    fits = []
    for start in starts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(fit_circuit(spectrum, circuit, warm_start=start).values)
    return fits


@dataclass
class Tally:
    ok: list[bool]
    seconds: list[float]
    fallbacks: int = 0
    ratios: list[float] | None = None


def run_family(family: Family, per_family: int, seed: int, with_impedance_py: bool):
    """Fit ``per_family`` spectra of ``family``; the spectra depend on ``seed`` and the family only (the
    informed and the reference starts draw from streams of their own), so runs with and without impedance.py
    see the same spectra and references."""
    rng = np.random.default_rng([seed, sum(map(ord, family.name)), 0])
    start_rng = np.random.default_rng([seed, sum(map(ord, family.name)), 1])
    reference_rng = np.random.default_rng([seed, sum(map(ord, family.name)), 2])
    circuit, _ = resolve_circuit(family.circuit)
    methods = ["nakinetics"]
    if with_impedance_py:
        methods += ["impedance.py informed"] + (["impedance.py generic"] if family.generic_start else [])
    tallies = {m: Tally([], [], 0, []) for m in methods}
    k = len(circuit.parameter_names)
    for _ in range(per_family):
        truth = family.sample(rng)
        noise = _log_uniform(rng, *family.noise) if family.noise[0] != family.noise[1] else family.noise[0]
        spectrum = synthetic_spectrum(circuit, truth, family.frequency, noise=noise, rng=rng)
        candidates: dict[str, dict[str, float]] = {}
        with FallbackCounter() as counter, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = CLOCK()
            candidates["nakinetics"] = fit_circuit(spectrum, family.circuit).values
            tallies["nakinetics"].seconds.append(CLOCK() - t0)
        tallies["nakinetics"].fallbacks += counter.calls > 0
        if with_impedance_py:
            candidates["impedance.py informed"], seconds = impedance_py_fit(
                circuit, informed_start(truth, start_rng), spectrum
            )
            tallies["impedance.py informed"].seconds.append(seconds)
            if family.generic_start:
                candidates["impedance.py generic"], seconds = impedance_py_fit(
                    circuit, family.generic_start, spectrum
                )
                tallies["impedance.py generic"].seconds.append(seconds)
        costs = {m: chisqr(circuit, v, spectrum) for m, v in candidates.items()}
        references = reference_fits(family.circuit, truth, spectrum, reference_rng)
        best = min([*costs.values(), *(chisqr(circuit, v, spectrum) for v in references)])
        s2 = best / (2 * len(spectrum) - k)
        for method in methods:
            tallies[method].ok.append(costs[method] <= best + s2)
            tallies[method].ratios.append(costs[method] / best)
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=30, help="spectra per family (default 30)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--set", choices=["basic", "hard", "all"], default="all")
    parser.add_argument("--family", nargs="*", help="only families whose name contains one of these")
    parser.add_argument("--skip", nargs="*", help="leave out families whose name contains one of these")
    parser.add_argument("--no-impedance", action="store_true", help="skip impedance.py (nakinetics only)")
    parser.add_argument("--misses", action="store_true", help="list χ²/χ²_best of nakinetics misses")
    parser.add_argument(
        "--cpu", action="store_true", help="time with CPU time of this process (steadier on a loaded machine)"
    )
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter
    families = {"basic": BASIC, "hard": HARD, "all": BASIC + HARD}[args.set]
    if args.family:
        families = [f for f in families if any(s in f.name for s in args.family)]
    if args.skip:
        families = [f for f in families if not any(s in f.name for s in args.skip)]

    fit_circuit(  # warm-up (imports, caches)
        synthetic_spectrum(
            "na_se_na_1arc", {"R0": 1, "R1": 10, "CPE1_Q": 1e-5, "CPE1_n": 0.9}, np.logspace(5, -1, 30)
        ),
        "na_se_na_1arc",
    )
    print(
        f"{args.per_family} spectra per family, seed {args.seed}, {'CPU' if args.cpu else 'wall'} time; success = χ² within one noise variance of "
        "the best minimum found by any method\n"
    )
    print(
        "| family | points | method | success | fallback | median ms | p95 ms | speed-up vs impedance.py informed |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    overall: dict[tuple[str, str], Tally] = {}
    for family in families:
        tallies = run_family(family, args.per_family, args.seed, not args.no_impedance)
        for method, tally in tallies.items():
            _print_row(
                family.name, str(family.frequency.size), method, tally, tallies.get("impedance.py informed")
            )
            if args.misses and method == "nakinetics":
                misses = sorted(r for r, ok in zip(tally.ratios, tally.ok, strict=True) if not ok)
                if misses:
                    print(f"|   misses χ²/χ²_best: {', '.join(f'{r:.3g}' for r in misses)} |")
            group = "basic" if family in BASIC else "hard"
            total = overall.setdefault((group, method), Tally([], [], 0, []))
            total.ok += tally.ok
            total.seconds += tally.seconds
            total.fallbacks += tally.fallbacks
    for group in ("basic", "hard"):
        reference = overall.get((group, "impedance.py informed"))
        for (name, method), tally in overall.items():
            if name == group:
                _print_row(f"overall {group}", "", method, tally, reference)


def _print_row(name: str, points: str, method: str, tally: Tally, reference: Tally | None) -> None:
    median = 1e3 * float(np.median(tally.seconds))
    p95 = 1e3 * float(np.percentile(tally.seconds, 95))
    ratio = f"{1e3 * float(np.median(reference.seconds)) / median:.1f}×" if reference else "—"
    fallback = f"{tally.fallbacks}/{len(tally.ok)}" if method == "nakinetics" else "—"
    print(
        f"| {name} | {points} | {method} | {sum(tally.ok)}/{len(tally.ok)} | {fallback} | {median:.1f} | "
        f"{p95:.1f} | {ratio} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
