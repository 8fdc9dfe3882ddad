"""Fit benchmark: nakinetics (no guesses) against impedance.py (generic and informed starts), same run.

Generates a seeded synthetic set for five families (Na | solid electrolyte | Na two-arc, Na | liquid | Na
two-arc, Randles + W, Randles + Wo, blocking-electrode pellet) with realistic parameters, every arc inside
the measured window and 1 % proportional complex noise; fits each spectrum

* with nakinetics, no initial values (``fit_circuit(spectrum, preset)``),
* with impedance.py ``CustomCircuit.fit`` (weight_by_modulus=True, the same objective) from a generic
  start and from a start within ×2 of the truth,

and prints per family and overall the success rate (every resistance within 5 % of the best minimum found
for that spectrum by any method, a fit from the truth included), the median and 95th-percentile time per
fit and the speed ratio to impedance.py's informed-start median.

    python benchmarks/fit_benchmark.py [--per-family 40] [--seed 2026]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from nakinetics import fit_circuit, get_preset
from nakinetics.fitting import residual_weights, weighted_residual
from nakinetics.synthetic import synthetic_spectrum

Sampler = Callable[[np.random.Generator], dict[str, float]]


def _cpe_q(r: float, apex_hz: float, n: float) -> float:
    """Q that puts the apex of R‖CPE at ``apex_hz``: (RQ)^(1/n) = 1/(2πf)."""
    return (1.0 / (2 * np.pi * apex_hz)) ** n / r


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _two_arc(
    rng: np.random.Generator,
    r0: tuple[float, float],
    r1: tuple[float, float],
    f1: tuple[float, float],
    r2: tuple[float, float],
    f2: tuple[float, float],
) -> dict[str, float]:
    n1, n2 = rng.uniform(0.8, 0.95), rng.uniform(0.7, 0.9)
    v = {"R0": _log_uniform(rng, *r0), "R1": _log_uniform(rng, *r1), "R2": _log_uniform(rng, *r2)}
    v |= {"CPE1_n": n1, "CPE1_Q": _cpe_q(v["R1"], _log_uniform(rng, *f1), n1)}
    v |= {"CPE2_n": n2, "CPE2_Q": _cpe_q(v["R2"], _log_uniform(rng, *f2), n2)}
    return v


def _randles(rng: np.random.Generator, diffusion: str) -> dict[str, float]:
    n = rng.uniform(0.8, 0.95)
    v = {"R0": _log_uniform(rng, 5, 50), "R1": _log_uniform(rng, 20, 500), "CPE1_n": n}
    v["CPE1_Q"] = _cpe_q(v["R1"], _log_uniform(rng, 30, 3e3), n)
    if diffusion == "W":
        v["W1"] = _log_uniform(rng, 5, 100)
    else:
        v |= {"Wo1_R": _log_uniform(rng, 50, 500), "Wo1_tau": _log_uniform(rng, 1, 30)}
    return v


def _pellet(rng: np.random.Generator) -> dict[str, float]:
    n1, n2, n3 = rng.uniform(0.85, 0.98), rng.uniform(0.7, 0.9), rng.uniform(0.7, 0.9)
    v = {"R1": _log_uniform(rng, 1e3, 1e5), "R2": _log_uniform(rng, 1e3, 1e5)}
    v |= {"CPE1_n": n1, "CPE1_Q": _cpe_q(v["R1"], _log_uniform(rng, 2e5, 2e6), n1)}
    v |= {"CPE2_n": n2, "CPE2_Q": _cpe_q(v["R2"], _log_uniform(rng, 1e2, 1e4), n2)}
    v |= {"CPE3_n": n3, "CPE3_Q": _log_uniform(rng, 1e-7, 1e-5)}
    return v


@dataclass(frozen=True)
class Family:
    name: str
    preset: str
    frequency: np.ndarray
    sample: Sampler
    generic_start: dict[str, float]


FAMILIES = [
    Family(
        "Na|SE|Na 2-arc",
        "na_se_na_2arc",
        np.logspace(6, -1, 60),
        lambda g: _two_arc(g, (10, 100), (20, 500), (1e4, 2e5), (50, 2000), (1, 300)),
        {"R0": 10, "R1": 100, "CPE1_Q": 1e-6, "CPE1_n": 0.9, "R2": 100, "CPE2_Q": 1e-4, "CPE2_n": 0.9},
    ),
    Family(
        "Na|liquid|Na 2-arc",
        "na_liquid_na",
        np.logspace(6, -2, 60),
        lambda g: _two_arc(g, (2, 20), (5, 60), (1e3, 1e5), (20, 300), (0.3, 30)),
        {"R0": 10, "R1": 100, "CPE1_Q": 1e-6, "CPE1_n": 0.9, "R2": 100, "CPE2_Q": 1e-4, "CPE2_n": 0.9},
    ),
    Family(
        "Randles + W",
        "randles_w",
        np.logspace(5, -2, 60),
        lambda g: _randles(g, "W"),
        {"R0": 10, "R1": 100, "W1": 10, "CPE1_Q": 1e-5, "CPE1_n": 0.9},
    ),
    Family(
        "Randles + Wo",
        "randles_wo",
        np.logspace(5, -2, 60),
        lambda g: _randles(g, "Wo"),
        {"R0": 10, "R1": 100, "Wo1_R": 100, "Wo1_tau": 1, "CPE1_Q": 1e-5, "CPE1_n": 0.9},
    ),
    Family(
        "pellet (blocking)",
        "pellet_blocking",
        np.logspace(7, 0, 60),
        _pellet,
        {
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


def _resistance_names(names: list[str]) -> list[str]:
    return [n for n in names if (n[0] == "R" and n[1:].isdigit()) or n.endswith("_R")]


def _chisqr(preset: str, values: dict[str, float], spectrum) -> float:
    circuit = get_preset(preset).circuit
    z = circuit.simulate(spectrum.frequency, values)
    w_re, w_im = residual_weights(spectrum.impedance, "modulus")
    r = weighted_residual(z, spectrum.impedance, w_re, w_im)
    return float(r @ r) if np.all(np.isfinite(r)) else np.inf


def _impedance_py_fit(preset: str, start: dict[str, float], spectrum) -> tuple[dict[str, float], float]:
    from impedance.models.circuits import CustomCircuit

    circuit = get_preset(preset).circuit
    names = circuit.parameter_names
    model = CustomCircuit(circuit.text, initial_guess=[start[n] for n in names])
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(spectrum.frequency, spectrum.impedance, weight_by_modulus=True)
        values = dict(zip(names, (float(v) for v in model.parameters_), strict=True))
    except (RuntimeError, ValueError, np.linalg.LinAlgError):  # curve_fit gives up: a failure
        values = dict.fromkeys(names, np.nan)
    return values, time.perf_counter() - t0


def _informed_start(truth: dict[str, float], rng: np.random.Generator) -> dict[str, float]:
    start = {}
    for name, value in truth.items():
        if name.endswith("_n"):
            start[name] = float(np.clip(value + rng.uniform(-0.05, 0.05), 0.5, 1.0))
        else:
            start[name] = value * float(np.exp(rng.uniform(-np.log(2), np.log(2))))
    return start


def run(per_family: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    methods = ("nakinetics", "impedance.py generic", "impedance.py informed")
    rows = []
    all_times: dict[str, list[float]] = {m: [] for m in methods}
    all_ok: dict[str, list[bool]] = {m: [] for m in methods}
    fit_circuit(
        synthetic_spectrum(
            "na_se_na_1arc", {"R0": 1, "R1": 10, "CPE1_Q": 1e-5, "CPE1_n": 0.9}, np.logspace(5, -1, 30)
        ),
        "na_se_na_1arc",
    )  # warm-up (imports)
    for family in FAMILIES:
        times: dict[str, list[float]] = {m: [] for m in methods}
        ok: dict[str, list[bool]] = {m: [] for m in methods}
        for _ in range(per_family):
            truth = family.sample(rng)
            spectrum = synthetic_spectrum(family.preset, truth, family.frequency, noise=0.01, rng=rng)
            t0 = time.perf_counter()
            ours = fit_circuit(spectrum, family.preset).values
            times["nakinetics"].append(time.perf_counter() - t0)
            generic, t_generic = _impedance_py_fit(family.preset, family.generic_start, spectrum)
            informed, t_informed = _impedance_py_fit(family.preset, _informed_start(truth, rng), spectrum)
            times["impedance.py generic"].append(t_generic)
            times["impedance.py informed"].append(t_informed)
            reference = fit_circuit(spectrum, family.preset, initial=truth).values
            candidates = {
                "nakinetics": ours,
                "impedance.py generic": generic,
                "impedance.py informed": informed,
                "reference": reference,
            }
            best = min(candidates.values(), key=lambda v: _chisqr(family.preset, v, spectrum))
            names = _resistance_names(list(truth))
            for method in methods:
                values = candidates[method]
                ok[method].append(all(abs(values[n] / best[n] - 1) <= 0.05 for n in names))
        for method in methods:
            rows.append(
                (
                    family.name,
                    method,
                    100 * np.mean(ok[method]),
                    1e3 * np.median(times[method]),
                    1e3 * np.percentile(times[method], 95),
                )
            )
            all_times[method] += times[method]
            all_ok[method] += ok[method]
    for method in methods:
        rows.append(
            (
                "overall",
                method,
                100 * np.mean(all_ok[method]),
                1e3 * np.median(all_times[method]),
                1e3 * np.percentile(all_times[method], 95),
            )
        )

    informed_median = {r[0]: r[3] for r in rows if r[1] == "impedance.py informed"}
    print(f"{per_family} spectra per family, seed {seed}, 1 % proportional complex noise, 60 points each\n")
    print("| family | method | success % | median ms | p95 ms | speed-up vs impedance.py informed |")
    print("|---|---|---:|---:|---:|---:|")
    for family, method, success, median, p95 in rows:
        ratio = informed_median[family] / median
        print(f"| {family} | {method} | {success:.1f} | {median:.1f} | {p95:.1f} | {ratio:.1f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=40, help="spectra per family (default 40)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    run(args.per_family, args.seed)


if __name__ == "__main__":
    main()
