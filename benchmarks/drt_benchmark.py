"""DRT benchmark: accuracy on spectra of known truth and speed, nakinetics against pyDRTtools, same spectra.

Families (``nakinetics.drt.synthetic.make_case``; 70 points, 100 kHz–10 mHz, 0.3–1 % proportional noise):
two and three ZARCs 1.3–3 decades apart (n 0.8–0.95), two ideal RC elements one decade apart, a ZARC within
0.3–0.5 decade of a window edge beside a second one.  A spectrum passes when every true peak has a found
peak within 0.15 decade in τ whose resistance is within 10 % (5 % for ideal RC), no unmatched peak holds more
than 5 % of the total polarisation resistance, and ∫γ is within 5 % of it.

nakinetics: ``compute_drt`` with its defaults (peaks counted by the method itself).  pyDRTtools 0.2
(tests/pydrttools_reference.py): its default DRT (Gaussian RBF, 1st-derivative penalty, λ by GCV, cvxopt)
and its ``peak_analysis`` given the TRUE number of peaks (it cannot count them itself).  Times are wall
clock per spectrum in one process, one BLAS thread, measured in the same run (compare ratios on a shared
machine).

    python benchmarks/drt_benchmark.py [--per-family 25] [--reference-per-family 8] [--seed 2026]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pydrttools_reference

import numpy as np

from nakinetics.drt import compute_drt
from nakinetics.drt.synthetic import FAMILIES, Case, Score, make_case, score


def _ours(case: Case, **options: object) -> tuple[Score, float]:
    start = time.perf_counter()
    result = compute_drt(case.spectrum, kramers_kronig="skip", **options)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    peaks = [(p.tau, p.resistance) for p in result.peaks]
    return score(case, peaks, result.polarization_resistance), elapsed


def _reference(case: Case) -> tuple[Score, float, float]:
    """pyDRTtools' score and times: with its peak analysis, and its DRT alone (``simple_run``)."""
    from tests.pydrttools_reference import compute

    start = time.perf_counter()
    ref = compute(case.spectrum.frequency, case.spectrum.impedance, n_peaks=len(case.processes))
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    compute(case.spectrum.frequency, case.spectrum.impedance)
    alone = time.perf_counter() - start
    return score(case, ref.peaks, ref.integral), elapsed, alone


def _r_tol(family: str) -> float:
    return 0.05 if family == "two_rc" else 0.10


def _row(label: str, family: str, scores: list[Score], times: list[float]) -> str:
    tau = np.concatenate([s.tau_errors for s in scores])
    res = np.concatenate([s.resistance_errors for s in scores])
    passed = sum(s.passed(r_tol=_r_tol(family)) for s in scores)
    return (
        f"| {family} | {label} | {len(scores)} | {passed}/{len(scores)} | {np.max(tau):.3f} | "
        f"{100 * np.median(res):.1f} / {100 * np.max(res):.1f} | {100 * max(s.spurious for s in scores):.1f} | "
        f"{100 * max(s.integral_error for s in scores):.1f} | {1e3 * np.median(times):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-family", type=int, default=25)
    parser.add_argument(
        "--reference-per-family", type=int, default=8, help="spectra per family for pyDRTtools"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--show-failures", action="store_true", help="print the truth and score of failures")
    args = parser.parse_args()

    from tests.pydrttools_reference import load

    have_reference = load() is not None
    rng = np.random.default_rng(args.seed)
    cases = {family: [make_case(family, rng) for _ in range(args.per_family)] for family in FAMILIES}
    compute_drt(cases["two_zarc"][0].spectrum)  # warm-up: basis table, imports

    print(
        "| family | method | spectra | passed | max Δlog10τ (dec) | R error median / max (%) | "
        "max spurious (% of R_pol) | max ∫γ error (%) | median time (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    all_ours: list[float] = []
    ratio_ours: list[float] = []
    ratio_ref: list[float] = []
    ratio_alone: list[float] = []
    totals = {"nakinetics": [0, 0], "nakinetics (GCV)": [0, 0], "pyDRTtools": [0, 0]}
    for family, family_cases in cases.items():
        ours = [_ours(c) for c in family_cases]
        gcv = [_ours(c, regularization="gcv") for c in family_cases]
        all_ours += [t for _, t in ours]
        if args.show_failures:
            for c, (s, _) in zip(family_cases, ours, strict=True):
                if not s.passed(r_tol=_r_tol(family)):
                    truth = [
                        (round(float(np.log10(p.tau)), 2), round(p.resistance, 1), round(p.exponent, 2))
                        for p in c.processes
                    ]
                    print(f"FAIL {family} noise {c.noise:.4f} R∞ {c.r_inf:.1f} truth {truth} -> {s}")
        print(_row("nakinetics", family, [s for s, _ in ours], [t for _, t in ours]))
        print(_row("nakinetics (GCV)", family, [s for s, _ in gcv], [t for _, t in gcv]))
        for label, runs in (("nakinetics", ours), ("nakinetics (GCV)", gcv)):
            totals[label][0] += sum(s.passed(r_tol=_r_tol(family)) for s, _ in runs)
            totals[label][1] += len(runs)
        if have_reference and args.reference_per_family > 0:
            subset = family_cases[: args.reference_per_family]
            ref = [_reference(c) for c in subset]
            print(_row("pyDRTtools", family, [s for s, _, _ in ref], [t for _, t, _ in ref]))
            totals["pyDRTtools"][0] += sum(s.passed(r_tol=_r_tol(family)) for s, _, _ in ref)
            totals["pyDRTtools"][1] += len(ref)
            ratio_ours += [t for _, t in ours[: len(subset)]]
            ratio_ref += [t for _, t, _ in ref]
            ratio_alone += [t for _, _, t in ref]
    print()
    for label, (passed, count) in totals.items():
        if count:
            print(f"{label}: {passed}/{count} spectra pass every criterion")
    times = np.array(all_ours)
    print(
        f"\nnakinetics time per 70-point spectrum: median {1e3 * np.median(times):.1f} ms, "
        f"95th percentile {1e3 * np.percentile(times, 95):.1f} ms, max {1e3 * times.max():.1f} ms; "
        f"1,000 spectra ≈ {np.mean(times) * 1000:.0f} s"
    )
    if ratio_ref:
        print(
            f"pyDRTtools (DRT + peak analysis) median {1e3 * np.median(ratio_ref):.0f} ms on the same spectra: "
            f"nakinetics is {np.median(ratio_ref) / np.median(ratio_ours):.0f}× faster (ratio of medians); "
            f"its DRT alone (no peaks) median {1e3 * np.median(ratio_alone):.0f} ms, "
            f"{np.median(ratio_alone) / np.median(ratio_ours):.0f}× nakinetics' complete analysis"
        )
    else:
        print("pyDRTtools not installed (pip install pyDRTtools cvxopt scikit-learn): no comparison")


if __name__ == "__main__":
    main()
