"""Kinetics benchmark: time of the window-free global fits on 600-point sweeps (medians over repeats).

Cases (seeded synthetic sweeps, noise σ² = (1e-8 A cm⁻²)² + (1 % i)², one direction, 1 mV steps):

* BV, single interface, α_a and α_c free, η −0.3…+0.3 V (R_Ω known = 0);
* BV, symmetric cell, α_a·α_c fitted, V −0.3…+0.3 V, R_Ω = 5 ± 0.5 Ω cm² (Gaussian prior);
* BV, symmetric cell, α = ½, same data;
* exact-integral MHC, symmetric cell, λ = 0.3 eV, V −0.6…+0.6 V (2 mV steps), R_Ω = 2 ± 0.1 Ω cm²: the
  closed-form stage for starting values and the exact fit, as ``analyse_polarization`` runs them;
* the complete ``analyse_polarization`` (fit, noise model, classical Tafel and linear estimators,
  diagnostics) of the symmetric BV sweep and of the MHC sweep.

Each fit starts from the classical estimates, as the analysis does; "ok" counts fits whose i₀ is within
2 % of the truth (λ within 0.01 eV for MHC).  Targets (issue 5): BV/symmetric fit < 50 ms, MHC fit < 1 s.

    python benchmarks/kinetics_benchmark.py [--repeats 15] [--seed 2026]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from nakinetics.data import DCRecord
from nakinetics.kinetics import analyse_polarization, fit_sweep, make_law, synthetic_sweep, triangular_sweep
from nakinetics.kinetics.fit import SweepFit

NOISE = {"noise_abs": 1e-8, "noise_rel": 0.01}


def _bv_single(rng: np.random.Generator) -> DCRecord:
    return synthetic_sweep(
        "bv",
        "single",
        i0=1e-3,
        alpha_a=0.4,
        alpha_c=0.6,
        rng=rng,
        potential_v=triangular_sweep(-0.3, 0.3, 0.001, False),
        **NOISE,
    )


def _bv_symmetric(rng: np.random.Generator) -> DCRecord:
    return synthetic_sweep(
        "bv",
        "symmetric",
        i0=5e-4,
        r_ohm=5.0,
        rng=rng,
        potential_v=triangular_sweep(-0.3, 0.3, 0.001, False),
        **NOISE,
    )


def _mhc_symmetric(rng: np.random.Generator) -> DCRecord:
    return synthetic_sweep(
        "mhc",
        "symmetric",
        i0=5e-4,
        lambda_ev=0.3,
        r_ohm=2.0,
        rng=rng,
        potential_v=triangular_sweep(-0.6, 0.6, 0.002, False),
        **NOISE,
    )


def _fit(
    record: DCRecord, model: str, cell: str, alpha: str | None, r_ohm: float, sigma: float | None
) -> SweepFit:
    """The global fit as analyse_polarization sets it up (starts from the classical estimates)."""
    v, i = record.potential_v, record.current_a
    law = make_law(model, cell, temperature_k=298.15, alpha=alpha, current_scale=float(np.max(np.abs(i))))
    small = np.abs(v) <= 0.0125 * (2 if cell == "symmetric" else 1)
    slope = np.polyfit(v[small], i[small], 1)[0]
    i0 = (2.0 if cell == "symmetric" else 1.0) * 0.025693 / (1.0 / slope - r_ohm)
    shapes = (
        {"alpha_a": 0.5, "alpha_c": 0.5}
        if alpha == "free"
        else {"alpha_product": 0.25}
        if alpha == "sum"
        else {}
    )
    return fit_sweep(v, i, law, starts=[{"i0": i0, "v0": 0.0, **shapes}], r_ohm=r_ohm, r_ohm_stderr=sigma)


def _median_ms(
    task: Callable[[np.random.Generator], tuple[object, bool]], repeats: int, seed: int
) -> tuple[float, float, int]:
    times, ok = [], 0
    for k in range(repeats):
        rng = np.random.default_rng(seed + k)
        start = time.perf_counter()
        _, good = task(rng)
        times.append(time.perf_counter() - start)
        ok += good
    return 1e3 * float(np.median(times)), 1e3 * float(np.percentile(times, 95)), ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    def timed_fit(
        make: Callable[[np.random.Generator], DCRecord], check: Callable[[SweepFit], bool], **options: object
    ) -> Callable[[np.random.Generator], tuple[object, bool]]:
        def task(rng: np.random.Generator) -> tuple[object, bool]:
            record = make(rng)
            fit = _fit(record, **options)  # type: ignore[arg-type]
            return fit, check(fit)

        return task

    def timed_analysis(
        make: Callable[[np.random.Generator], DCRecord], check: Callable[[SweepFit], bool], **options: object
    ) -> Callable[[np.random.Generator], tuple[object, bool]]:
        def task(rng: np.random.Generator) -> tuple[object, bool]:
            record = make(rng)
            result = analyse_polarization(record, **options)  # type: ignore[arg-type]
            return result, check(result.fit)

        return task

    def i0_ok(truth: float) -> Callable[[SweepFit], bool]:
        return lambda fit: abs(fit.parameters["i0"].value / truth - 1) < 0.02

    def mhc_ok(fit: SweepFit) -> bool:
        return abs(fit.parameters["lambda_ev"].value - 0.3) < 0.01 and i0_ok(5e-4)(fit)

    cases = [
        (
            "BV single, α_a α_c free (fit)",
            timed_fit(
                _bv_single, i0_ok(1e-3), model="bv", cell="single", alpha="free", r_ohm=0.0, sigma=None
            ),
            "< 50 ms",
        ),
        (
            "BV symmetric, α_a·α_c, R prior (fit)",
            timed_fit(
                _bv_symmetric, i0_ok(5e-4), model="bv", cell="symmetric", alpha="sum", r_ohm=5.0, sigma=0.5
            ),
            "< 50 ms",
        ),
        (
            "BV symmetric, α = ½, R prior (fit)",
            timed_fit(
                _bv_symmetric, i0_ok(5e-4), model="bv", cell="symmetric", alpha="half", r_ohm=5.0, sigma=0.5
            ),
            "< 50 ms",
        ),
        (
            "MHC exact, symmetric, R prior (analysis fit)",
            timed_analysis(
                _mhc_symmetric, mhc_ok, cell="symmetric", model="mhc", r_ohm=2.0, r_ohm_stderr=0.1
            ),
            "< 1 s",
        ),
        (
            "analyse_polarization, BV symmetric",
            timed_analysis(
                _bv_symmetric, i0_ok(5e-4), cell="symmetric", model="bv", r_ohm=5.0, r_ohm_stderr=0.5
            ),
            "—",
        ),
    ]
    print(f"kinetics benchmark: 600-point sweeps, {args.repeats} repeats, seed {args.seed}")
    print(f"{'case':<48} {'median ms':>10} {'p95 ms':>9} {'ok':>6}  target")
    for name, task, target in cases:
        median, p95, ok = _median_ms(task, args.repeats, args.seed)
        print(f"{name:<48} {median:>10.1f} {p95:>9.1f} {ok:>3}/{args.repeats:<2}  {target}")


if __name__ == "__main__":
    main()
