"""DRT benchmark: accuracy on spectra of known truth and speed, nakinetics against pyDRTtools, same spectra.

Families (``nakinetics.drt.synthetic.make_case``; 70 points, 100 kHz–10 mHz, 0.3–1 % proportional noise):
two and three ZARCs 1.3–3 decades apart (n 0.8–0.95), two ideal RC elements one decade apart, a ZARC within
0.3–0.5 decade of a window edge beside a second one; Randles circuits with a semi-infinite, finite-length
(transmissive) or finite-space (reflective) Warburg element in the charge-transfer branch; one or two ZARCs
beside a blocking electrode's CPE.  A spectrum passes when every true peak has a found peak within 0.15
decade in τ whose resistance is within 10 % (5 % for ideal RC), no unmatched peak holds more than 5 % of the
total polarisation resistance, ∫γ is within 5 % of it (10 % for the semi-infinite Warburg, whose
charge-transfer peak has a genuine slow shoulder above the Warburg's own distribution) and a true tail is
found with its exponent within 0.1 (``Score``; a finite-length Warburg's DRT lines are scored as one group).

nakinetics: ``compute_drt`` with its defaults (peaks counted by the method itself), called as a library
user calls it: no thread settings (compute_drt limits BLAS to one thread itself).  pyDRTtools 0.2
(tests/pydrttools_reference.py): its default DRT (Gaussian RBF, 1st-derivative penalty, λ by GCV, cvxopt)
and its ``peak_analysis`` given the TRUE number of peaks (it cannot count them itself), run with one BLAS
thread.  Times are wall clock per spectrum in one process, measured in the same run (compare ratios on a
shared machine).  ``--threads`` also times compute_drt with the BLAS library's default threads
(``NAKINETICS_BLAS_THREADS`` = the number of CPUs), what it cost before it limited them.

    python benchmarks/drt_benchmark.py [--per-family 25] [--reference-per-family 8] [--seed 2026] [--threads]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pydrttools_reference

import numpy as np
from threadpoolctl import threadpool_limits

from nakinetics._threads import THREADS_VARIABLE
from nakinetics.drt import compute_drt
from nakinetics.drt.synthetic import FAMILIES, ZARC_FAMILIES, Case, Score, make_case, score


def _ours(case: Case, **options: object) -> tuple[Score, float]:
    start = time.perf_counter()
    result = compute_drt(case.spectrum, kramers_kronig="skip", **options)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    peaks = [(p.tau, p.resistance) for p in result.peaks]
    tail = None if result.tail is None else result.tail.exponent
    return score(case, peaks, result.polarization_resistance, tail), elapsed


REFERENCE_ERRORS: list[str] = []
"""Families of the spectra on which pyDRTtools' peak analysis raised (scored as failed)."""


def _reference(case: Case) -> tuple[Score, float, float]:
    """pyDRTtools' score and times (one BLAS thread): with its peak analysis given the true number of
    peaks, and its DRT alone (``simple_run``)."""
    from tests.pydrttools_reference import compute

    n_peaks = len(case.processes) + (case.lines is not None)
    with threadpool_limits(1):
        start = time.perf_counter()
        try:
            ref = compute(case.spectrum.frequency, case.spectrum.impedance, n_peaks=n_peaks)
        except (RuntimeError, ValueError):
            # its peak analysis (differential evolution) can raise: a spectrum with no answer fails
            ref = None
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        alone_ref = compute(case.spectrum.frequency, case.spectrum.impedance)
        alone = time.perf_counter() - start
    if ref is None:
        REFERENCE_ERRORS.append(case.family)
        return score(case, [], alone_ref.integral), elapsed, alone
    return score(case, ref.peaks, ref.integral), elapsed, alone


def _default_threads(cases: list[Case]) -> list[float]:
    """Times of compute_drt with the BLAS library's default thread count (one per CPU)."""
    os.environ[THREADS_VARIABLE] = str(os.cpu_count() or 1)
    try:
        return [_ours(c)[1] for c in cases]
    finally:
        del os.environ[THREADS_VARIABLE]


def _r_tol(family: str) -> float:
    return 0.05 if family == "two_rc" else 0.10


def _integral_tol(family: str) -> float:
    return 0.10 if family == "randles_w" else 0.05


def _passed(family: str, s: Score) -> bool:
    return s.passed(r_tol=_r_tol(family), integral_tol=_integral_tol(family))


def _row(label: str, family: str, scores: list[Score], times: list[float]) -> str:
    tau = np.concatenate([s.tau_errors for s in scores])
    res = np.concatenate([s.resistance_errors for s in scores])
    passed = sum(_passed(family, s) for s in scores)
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
    parser.add_argument(
        "--threads", action="store_true", help="also time compute_drt with the BLAS default thread count"
    )
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
    all_ours: dict[str, list[float]] = {"relaxations only": [], "with a tail or Warburg": []}
    threaded: list[float] = []
    limited: list[float] = []
    ratio_ours: list[float] = []
    ratio_ref: list[float] = []
    ratio_alone: list[float] = []
    totals = {"nakinetics": [0, 0], "nakinetics (GCV)": [0, 0], "pyDRTtools": [0, 0]}
    for family, family_cases in cases.items():
        ours = [_ours(c) for c in family_cases]
        gcv = [_ours(c, regularization="gcv") for c in family_cases]
        kind = "relaxations only" if family in ZARC_FAMILIES else "with a tail or Warburg"
        all_ours[kind] += [t for _, t in ours]
        if args.threads:
            subset = family_cases[:10]
            threaded += _default_threads(subset)
            limited += [_ours(c)[1] for c in subset]
        if args.show_failures:
            for c, (s, _) in zip(family_cases, ours, strict=True):
                if not _passed(family, s):
                    truth: list[object] = [
                        (round(float(np.log10(p.tau)), 2), round(p.resistance, 1), round(p.exponent, 2))
                        for p in c.processes
                    ]
                    if c.lines is not None:
                        truth.append(
                            (
                                "lines",
                                round(float(np.log10(c.lines.first_tau)), 2),
                                round(c.lines.resistance, 1),
                            )
                        )
                    print(f"FAIL {family} noise {c.noise:.4f} R∞ {c.r_inf:.1f} truth {truth} -> {s}")
        print(_row("nakinetics", family, [s for s, _ in ours], [t for _, t in ours]))
        print(_row("nakinetics (GCV)", family, [s for s, _ in gcv], [t for _, t in gcv]))
        for label, runs in (("nakinetics", ours), ("nakinetics (GCV)", gcv)):
            totals[label][0] += sum(_passed(family, s) for s, _ in runs)
            totals[label][1] += len(runs)
        if have_reference and args.reference_per_family > 0:
            subset = family_cases[: args.reference_per_family]
            ref = [_reference(c) for c in subset]
            print(_row("pyDRTtools", family, [s for s, _, _ in ref], [t for _, t, _ in ref]))
            totals["pyDRTtools"][0] += sum(_passed(family, s) for s, _, _ in ref)
            totals["pyDRTtools"][1] += len(ref)
            ratio_ours += [t for _, t in ours[: len(subset)]]
            ratio_ref += [t for _, t, _ in ref]
            ratio_alone += [t for _, _, t in ref]
    print()
    for label, (passed, count) in totals.items():
        if count:
            print(f"{label}: {passed}/{count} spectra pass every criterion")
    print()
    for kind, values in all_ours.items():
        times = np.array(values)
        print(
            f"nakinetics time per 70-point spectrum, {kind} ({times.size} spectra): median "
            f"{1e3 * np.median(times):.1f} ms, 95th percentile {1e3 * np.percentile(times, 95):.1f} ms, "
            f"max {1e3 * times.max():.1f} ms; 1,000 spectra ≈ {np.mean(times) * 1000:.0f} s"
        )
    if threaded:
        print(
            f"BLAS threads: compute_drt as called (one thread inside) median {1e3 * np.median(limited):.1f} ms; "
            f"with the BLAS default ({os.cpu_count()} threads) median {1e3 * np.median(threaded):.1f} ms, "
            f"95th percentile {1e3 * np.percentile(threaded, 95):.1f} ms, on the same {len(limited)} spectra"
        )
    if REFERENCE_ERRORS:
        print(
            f"pyDRTtools' peak analysis raised on {len(REFERENCE_ERRORS)} spectra "
            f"({', '.join(sorted(set(REFERENCE_ERRORS)))}): counted as failed"
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
