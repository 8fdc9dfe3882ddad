"""Calibration of the model-inadequacy flag (nakinetics.adequacy) on synthetic spectra of known truth.

Fits the true circuit to seeded spectra of the nine families of benchmarks/auto_choice_benchmark.py (0.3–3 %
noise), at its best minimum (the better of the data-driven fit and one started from the truth: a fit stuck in
a wrong minimum does not describe the data and is rightly flagged) — these must not be flagged — and three kinds of wrong model, which should be: one arc fitted to two
arcs 10–300× apart, two arcs fitted to three arcs (Na | NASICON | Na to MHz), and randles_w fitted to a liquid
cell whose SEI arc it lacks.  Prints how many of each are flagged and the ratio / F-test p / band share
spread, so thresholds can be re-checked after a change.

    python benchmarks/adequacy_calibration.py [--per-family 12] [--wrong 25] [--seed 77]
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import auto_choice_benchmark as cases

from nakinetics.adequacy import Adequacy, fit_adequacy
from nakinetics.fitting import fit_circuit
from nakinetics.synthetic import synthetic_spectrum
from nakinetics.validation import kramers_kronig_test


def _adequacy(spectrum, circuit: str, truth: dict[str, float] | None = None) -> Adequacy:  # type: ignore[no-untyped-def]
    """The flag for ``circuit`` fitted to ``spectrum``; with ``truth``, at the better of the data-driven fit
    and a fit started from the truth (the circuit at its best minimum, so a search failure does not count)."""
    result = fit_circuit(spectrum, circuit)
    if truth is not None:
        from_truth = fit_circuit(spectrum, circuit, warm_start=truth)
        result = min(result, from_truth, key=lambda r: r.statistics.chisqr)
    return fit_adequacy(result, kramers_kronig_test(result.spectrum))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-family", type=int, default=12)
    parser.add_argument("--wrong", type=int, default=25)
    parser.add_argument("--seed", type=int, default=77)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(args.seed)
    true = "true circuit at its best minimum (9 families)"
    rows: dict[str, list[Adequacy]] = {true: []}
    for case in cases.make_cases(args.per_family, args.seed):
        rows[true].append(_adequacy(case.spectrum(rng), case.circuit, case.values))
    for _ in range(args.wrong):
        noise = float(np.exp(rng.uniform(np.log(0.003), np.log(0.03))))
        circuit, values, f = cases.FAMILIES["2 arcs (≥ 30× apart)"](rng)
        spectrum = synthetic_spectrum(circuit, values, f, noise=noise, rng=rng)
        rows.setdefault("one arc on two arcs", []).append(_adequacy(spectrum, "R0-p(R1,CPE1)"))
        circuit, values, f = cases.FAMILIES["3 arcs (Na|NASICON|Na to MHz)"](rng)
        spectrum = synthetic_spectrum(circuit, values, f, noise=noise, rng=rng)
        rows.setdefault("two arcs on three arcs", []).append(_adequacy(spectrum, "R0-p(R1,CPE1)-p(R2,CPE2)"))
        values = {"R0": 5.0, "R1": float(rng.uniform(5, 40)), "CPE1_Q": 1e-6, "CPE1_n": 0.9, "R2": 60.0}
        values |= {"CPE2_Q": 2e-4, "CPE2_n": 0.85, "W3": 10.0}
        spectrum = synthetic_spectrum(
            "R0-p(R1,CPE1)-p(R2,CPE2)-W3", values, np.logspace(5, -2, 60), noise=noise, rng=rng
        )
        rows.setdefault("randles_w without the SEI arc", []).append(_adequacy(spectrum, "randles_w"))
    print(f"seed {args.seed}, noise 0.3–3 %, 60 points")
    print()
    print("| fitted model | spectra | flagged | ratio min–max | F-test p max | band share min–max |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, found in rows.items():
        ratios = [a.ratio for a in found]
        shares = [a.band_share for a in found]
        print(
            f"| {name} | {len(found)} | {sum(a.inadequate for a in found)} | {min(ratios):.2f}–{max(ratios):.2f} | "
            f"{max(a.p_value for a in found):.2g} | {min(shares):.2f}–{max(shares):.2f} |"
        )


if __name__ == "__main__":
    main()
