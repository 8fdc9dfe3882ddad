"""Time and peak memory of the automatic Warburg window (``warburg_slope``) against the number of points.

    nice python benchmarks/warburg_benchmark.py

Spectra: a Randles circuit with a semi-infinite Warburg tail, R0-p(R1-W1,CPE1) (σ = 30 Ω s^-½), n points
log-spaced over 1e5–1e-3 Hz with 0.5 % noise.  "all windows" is the exhaustive search (every contiguous
window of ≥ 8 points, n²/2 of them), run only where it fits in memory; "bounded" is the shipped search
(every window between at most 400 edge positions, then the best window's edges refined point by point).
Peak memory is numpy's allocations seen by tracemalloc during the call.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from unittest import mock

import numpy as np

from nakinetics import diffusion
from nakinetics.synthetic import synthetic_spectrum

TRUE = {"R0": 10.0, "R1": 50.0, "W1": 30.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9}


def spectrum(n: int):
    f = np.logspace(5, -3, n)
    return synthetic_spectrum("R0-p(R1-W1,CPE1)", TRUE, f, noise=0.005, rng=np.random.default_rng(n))


def arc_only(n: int):
    """No Warburg region at all (one R‖CPE arc): the search ends in a refusal."""
    values = {"R0": 10.0, "R1": 50.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9}
    return synthetic_spectrum("R0-p(R1,CPE1)", values, np.logspace(5, -3, n))


def measure(s, exhaustive: bool) -> tuple[float, float, diffusion.WarburgSlope | None]:
    edges = len(s) + 1 if exhaustive else diffusion.MAX_WINDOW_EDGES
    with mock.patch.object(diffusion, "MAX_WINDOW_EDGES", edges):
        tracemalloc.start()
        start = time.perf_counter()
        try:
            result = diffusion.warburg_slope(s)
        except diffusion.DataError:
            result = None
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, peak / 2**20, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 300, 1000, 2000, 3000, 10000, 30000])
    parser.add_argument("--exhaustive-up-to", type=int, default=2000)
    args = parser.parse_args()
    print("| spectrum | points | search | time (s) | peak memory (MB) | window (Hz) | σ (Ω s^-½) |")
    print("|---|---|---|---|---|---|---|")
    for kind, make in (("Randles + W", spectrum), ("arc only (refused)", arc_only)):
        for n in args.sizes:
            s = make(n)
            runs = [("bounded", False)] + ([("all windows", True)] if n <= args.exhaustive_up_to else [])
            for name, exhaustive in runs:
                seconds, megabytes, result = measure(s, exhaustive)
                window = "none" if result is None else f"{result.fmin_hz:.3g}–{result.fmax_hz:.3g}"
                sigma = "–" if result is None else f"{result.sigma.value:.3f} ± {result.sigma.stderr:.2g}"
                print(f"| {kind} | {n} | {name} | {seconds:.3f} | {megabytes:.1f} | {window} | {sigma} |")


if __name__ == "__main__":
    main()
