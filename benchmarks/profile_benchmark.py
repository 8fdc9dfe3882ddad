"""Profile-likelihood intervals: nakinetics' own profile against lmfit's ``conf_interval``, same run.

For a few seeded synthetic spectra (1 % proportional complex noise) the circuit is fitted with
nakinetics, then the 95 % interval of every free parameter is computed

* by :func:`nakinetics.profile.profile_intervals` (refits warm-started with the exact Jacobian), and
* by lmfit 1.3 ``conf_interval`` on an ``lmfit.Minimizer`` over the same weighted residual
  (:func:`nakinetics.bridges.lmfit_minimizer`, ``least_squares`` from the nakinetics solution),

both with the F-test criterion, lmfit once with its default ``leastsq`` tolerances and once with
xtol = ftol = 1e-12.  The table gives the wall time of each, the number of refits of ours, the largest
disagreement of an interval end as a fraction of that side's half-width, and the lowest χ²/threshold
that nakinetics finds when it refits at lmfit's interval ends (1 = on the boundary; below 1 means lmfit's
refits stopped above the minimum and its interval is too narrow).  Cases: two
arcs well inside the window (the covariance describes them), the same circuit with the slow arc's apex
near the lowest frequency (asymmetric intervals), and a Randles cell with a semi-infinite Warburg.

    python benchmarks/profile_benchmark.py [--seed 2026] [--level 0.95]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from nakinetics import FitResult, fit_circuit
from nakinetics.bridges import lmfit_minimizer
from nakinetics.profile import chi2_threshold, profile_intervals
from nakinetics.synthetic import synthetic_spectrum

TWO_ARCS = "R0-p(R1,CPE1)-p(R2,CPE2)"
CASES = {
    "two arcs inside window": (
        TWO_ARCS,
        {"R0": 20.0, "R1": 150.0, "CPE1_Q": 2e-6, "CPE1_n": 0.85, "R2": 400.0, "CPE2_Q": 2e-4, "CPE2_n": 0.8},
        np.logspace(-1, 6, 50),
    ),
    "slow arc at the window edge": (
        TWO_ARCS,
        {"R0": 20.0, "R1": 150.0, "CPE1_Q": 2e-6, "CPE1_n": 0.85, "R2": 400.0, "CPE2_Q": 2e-3, "CPE2_n": 0.8},
        np.logspace(0, 6, 40),
    ),
    "Randles + W": (
        "R0-p(R1-W1,CPE1)",
        {"R0": 15.0, "R1": 120.0, "W1": 60.0, "CPE1_Q": 5e-6, "CPE1_n": 0.9},
        np.logspace(-2, 5, 50),
    ),
}


def _disagreement(ours: tuple[float, float, float], theirs: tuple[float, float, float]) -> float:
    """Largest |Δ end| / half-width of that side (value, lower, upper triples)."""
    value, lo, hi = ours
    _, lo2, hi2 = theirs
    return max(abs(lo - lo2) / max(value - lo, 1e-300), abs(hi - hi2) / max(hi - value, 1e-300))


def run(seed: int, level: float) -> list[list[str]]:
    import lmfit

    rows = []
    for k, (label, (circuit, truth, frequency)) in enumerate(CASES.items()):
        spectrum = synthetic_spectrum(
            circuit, truth, frequency, noise=0.01, rng=np.random.default_rng(seed + k)
        )
        result = fit_circuit(spectrum, circuit)
        start = time.perf_counter()
        ours = profile_intervals(result, level=level)
        t_ours = time.perf_counter() - start
        asym = max(abs(np.log(i.asymmetry)) for i in ours.values() if np.isfinite(i.asymmetry))
        threshold = chi2_threshold(result, level)
        for tolerances, options in (("default", {}), ("xtol=ftol=1e-12", {"xtol": 1e-12, "ftol": 1e-12})):
            start = time.perf_counter()
            minimizer = lmfit_minimizer(result, **options)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = minimizer.minimize(method="least_squares")
                theirs = lmfit.conf_interval(minimizer, fitted, sigmas=[level])
            t_lmfit = time.perf_counter() - start
            worst, open_sides, low_chi = 0.0, 0, 1.0
            for name, interval in ours.items():
                if interval.lower_open or interval.upper_open:
                    open_sides += 1
                    continue
                (_, lo), (_, value), (_, hi) = theirs[name]
                worst = max(
                    worst, _disagreement((interval.value, interval.lower, interval.upper), (value, lo, hi))
                )
                for end in (lo, hi):  # χ² at lmfit's interval end, refitted by nakinetics
                    low_chi = min(low_chi, _profile_chisqr(result, name, end) / threshold)
            rows.append(
                [
                    label,
                    str(len(ours)),
                    f"{1e3 * t_ours:.0f}",
                    str(sum(i.n_fits for i in ours.values())),
                    tolerances,
                    f"{1e3 * t_lmfit:.0f}",
                    f"{t_lmfit / t_ours:.1f}×",
                    f"{100 * worst:.1f} %",
                    f"{low_chi:.4f}",
                    f"{np.exp(asym):.2f}",
                    str(open_sides),
                ]
            )
    return rows


def _profile_chisqr(result: FitResult, name: str, value: float) -> float:
    return fit_circuit(
        result.spectrum, result.circuit, fixed={name: value}, warm_start=result.values
    ).statistics.chisqr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--level", type=float, default=0.95)
    args = parser.parse_args()
    header = [
        "case",
        "params",
        "nakinetics ms",
        "refits",
        "lmfit leastsq tolerances",
        "lmfit conf_interval ms",
        "lmfit / nakinetics",
        "max end difference (of half-width)",
        "min χ²/threshold at lmfit's ends",
        "max asymmetry",
        "open",
    ]
    rows = run(args.seed, args.level)
    print(f"profile-likelihood {100 * args.level:g} % intervals of every free parameter, seed {args.seed}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
