"""BLAS threads benchmark: nakinetics work with the default multi-threaded BLAS against one thread per process.

Each workload runs in a fresh interpreter either with the BLAS libraries' default threading (no thread
variables set, as a plain ``python`` process gets) or after :func:`nakinetics._threads.limit_blas_threads`
(what the command line and the ``geis`` workers do).  ``--load N`` keeps N busy processes running
meanwhile, like a parallel ``geis`` run or other users on the machine.  Each round runs every workload in
both modes (shuffled); printed are the median times and the median of the per-round ratios.

Workloads: onset detection on a 1,000-point R_int(t) series (``detect_onset``), a fit of a 2,000-point
two-arc spectrum (``fit_circuit``), Kramers–Kronig tests of 200-point spectra, and a warm-started series of
100 60-point spectra (``fit_series``, serial).

    python benchmarks/threads_benchmark.py [--rounds 5] [--load 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

WORKLOADS = ("onset detection", "fit, 2,000 points", "KK test, 200 points", "series, 100 spectra")
MODES = ("default threads", "one thread")


def _workload(name: str) -> Callable[[], object]:
    """Set up ``name`` (data generated, caches warm) and return the call to time."""
    import numpy as np

    from nakinetics import fit_circuit
    from nakinetics.series import SeriesSettings, fit_series
    from nakinetics.series.onset import detect_onset
    from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series
    from nakinetics.synthetic import synthetic_spectrum
    from nakinetics.validation import kramers_kronig_test

    rng = np.random.default_rng(2026)
    truth = {
        "R0": 40.0,
        "R1": 120.0,
        "CPE1_Q": 1e-7,
        "CPE1_n": 0.9,
        "R2": 400.0,
        "CPE2_Q": 5e-5,
        "CPE2_n": 0.8,
    }
    if name == "onset detection":
        t = np.linspace(0, 6e5, 1000)
        r = 100 + 1e-5 * t + np.where(t > 4e5, 20 * np.expm1((t - 4e5) / 5e4), 0) + rng.normal(0, 0.5, t.size)
        return lambda: detect_onset(t, r, np.full(t.size, 0.5), quantity="R_int")
    if name == "fit, 2,000 points":
        spectrum = synthetic_spectrum(
            "na_se_na_2arc", truth, np.geomspace(1e6, 0.1, 2000), noise=0.01, rng=rng
        )
        return lambda: fit_circuit(spectrum, "na_se_na_2arc")
    if name == "KK test, 200 points":
        spectra = [
            synthetic_spectrum("na_se_na_2arc", truth, np.geomspace(1e6, 0.1, 200), noise=0.003, rng=rng)
            for _ in range(20)
        ]
        return lambda: [kramers_kronig_test(s) for s in spectra]
    cell = OperandoCell(onset_s=40_000.0, tau_s=6000.0)
    spectra, record = operando_series(cell, 100, 600.0, np.geomspace(1e6, 0.1, 60), noise=0.01, rng=rng)
    settings = SeriesSettings(
        CIRCUIT, area_cm2=cell.area_cm2, current_ma_cm2=cell.current_ma_cm2, kk_limit=0.02
    )
    return lambda: fit_series(spectra, settings, voltage=record)


def child(name: str, mode: str, repeats: int) -> None:
    """Run in a fresh interpreter: time ``repeats`` calls of workload ``name`` and print the times."""
    if mode == "one thread":
        from nakinetics._threads import limit_blas_threads

        limit_blas_threads()
    call = _workload(name)
    call()  # first call: imports, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    from threadpoolctl import threadpool_info

    threads = sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
    print(json.dumps({"time": statistics.median(times), "threads": threads}))


def _busy() -> None:
    while True:
        pass


def run_child(name: str, mode: str, repeats: int) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_NUM_THREADS", "_MAXIMUM_THREADS"))}
    env.pop("NAKINETICS_BLAS_THREADS", None)
    argv = [sys.executable, __file__, "--child", name, "--mode", mode, "--repeats", str(repeats)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per workload and process")
    parser.add_argument("--load", type=int, default=2, help="busy processes running meanwhile")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mode, args.repeats)
        return
    load_before = os.getloadavg()[0]
    busy = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(args.load)]
    for process in busy:
        process.start()
    rng = random.Random(args.seed)
    times: dict[tuple[str, str], list[float]] = {(w, m): [] for w in WORKLOADS for m in MODES}
    threads: dict[tuple[str, str], object] = {}
    try:
        for _ in range(args.rounds):
            jobs = [(w, m) for w in WORKLOADS for m in MODES]
            rng.shuffle(jobs)
            for job in jobs:
                out = run_child(*job, args.repeats)
                times[job].append(float(out["time"]))  # type: ignore[arg-type]
                threads[job] = out["threads"]
    finally:
        for process in busy:
            process.terminate()
    print(
        f"{args.rounds} rounds × {args.repeats} timed calls per process; {args.load} busy processes meanwhile; "
        f"os.cpu_count() = {os.cpu_count()}, load average {load_before:.2f} before the run"
    )
    print()
    print(
        "| workload | default threads: BLAS threads | median s | one thread: median s | slow-down of default |"
    )
    print("|---|---:|---:|---:|---:|")
    for workload in WORKLOADS:
        default, one = times[(workload, MODES[0])], times[(workload, MODES[1])]
        ratio = statistics.median(d / o for d, o in zip(default, one, strict=True))
        print(
            f"| {workload} | {threads[(workload, MODES[0])]} | {statistics.median(default):.3f} | "
            f"{statistics.median(one):.3f} | {ratio:.2f}× |"
        )


if __name__ == "__main__":
    main()
