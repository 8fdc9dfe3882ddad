"""Series benchmark: 1,000 synthetic two-arc GEIS spectra (60 points, 1 % noise) fitted as an operando series.

The synthetic stripping experiment of :mod:`nakinetics.series.synthetic` (na_se_na_2arc, R2 constant, then
growing ×42 after 60 % of the run) is fitted

* ``serial``: warm start in chains of ``--cold-every`` spectra (the default of ``nakinetics geis``), one
  process,
* ``workers``: the same chains in a pool of ``--workers`` processes,
* ``one chain``: warm start through the whole series (``cold_every = 0``), one process — the sequential
  reference the chains are checked against,
* ``independent``: every spectrum cold, in the pool,

each including Kramers–Kronig tests, derived quantities, DC columns and onset detection (everything
``nakinetics geis`` computes except writing files), with one BLAS thread per process as the command line
uses.  Printed: wall time, time per spectrum, speed-up over ``serial`` in the same run, the CPU time of
the main process and of the workers (on a machine whose cores are busy with other work the wall-clock
speed-up of a pool cannot show; the CPU times show how the work divides), warm/cold/fall-back counts, accuracy of R_int against the truth (median and max relative error), the largest R_int difference
from the one-chain fit, whether the rows equal the serial run's, and the onset error.

``--cli`` adds a second table: the same spectra written as one EC-Lab GEIS ``.mpt`` file (the layout of
``examples/geis_series_example.py``) and run through the command line as a user does,
``nakinetics geis FILE -c na_se_na_2arc --area … --current … --kk-limit 2 --workers W --out DIR``, with one
worker and with ``--workers`` — wall time of the whole command (start-up, reading, fitting, onsets, writing
``series.csv``), the speed-up and whether both ``series.csv`` are byte for byte the same.

    python benchmarks/series_benchmark.py [--n 1000] [--workers 2] [--cold-every 50]
                                          [--modes serial,workers,one-chain,independent] [--repeats 1] [--cli]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nakinetics._threads import limit_blas_threads

limit_blas_threads()  # before numpy loads: one BLAS thread, as in the command line

import numpy as np

from nakinetics.series import ProcessPool, SeriesResult, SeriesSettings, fit_series
from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series

ROOT = Path(__file__).resolve().parents[1]
INTERVAL_S = 600.0
FIRST_S = 60.0
LABELS = {
    "serial": "chains, serial",
    "workers": "chains, workers",
    "one-chain": "one chain, serial",
    "independent": "independent",
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(
    mode: str, spectra: list, record: object, settings: SeriesSettings, workers: int
) -> tuple[float, float, float, SeriesResult]:
    """Wall time, CPU time of this process and of the worker processes (s), and the result."""
    if mode == "one-chain":
        settings = dataclasses.replace(settings, cold_every=0)
    if mode == "independent":
        settings = dataclasses.replace(settings, independent=True)
    start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    if mode in ("serial", "one-chain"):
        result = fit_series(spectra, settings, voltage=record)  # type: ignore[arg-type]
    else:
        with ProcessPool(workers) as pool:
            result = fit_series(spectra, settings, voltage=record, pool=pool)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    return elapsed, time.process_time() - cpu, _children_cpu() - children, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of spectra")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the pool modes")
    parser.add_argument("--cold-every", type=int, default=50, help="spectra per warm-start chain")
    parser.add_argument("--modes", default="serial,workers,one-chain,independent", help="comma-separated")
    parser.add_argument("--repeats", type=int, default=1, help="runs per mode (median time reported)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--cli", action="store_true", help="also time `nakinetics geis` on the series as a file"
    )
    args = parser.parse_args()

    span = args.n * INTERVAL_S
    cell = OperandoCell(onset_s=FIRST_S + 0.6 * span + 0.37 * INTERVAL_S, tau_s=0.1 * span)
    frequency = np.geomspace(1e6, 0.1, 60)
    spectra, record = operando_series(
        cell, args.n, INTERVAL_S, frequency, noise=0.01, rng=np.random.default_rng(args.seed), first_s=FIRST_S
    )
    settings = SeriesSettings(
        CIRCUIT,
        area_cm2=cell.area_cm2,
        current_ma_cm2=cell.current_ma_cm2,
        kk_limit=0.02,
        cold_every=args.cold_every,
    )
    truth_onset = cell.onset_s - FIRST_S
    load_before = os.getloadavg()[0]
    modes = args.modes.split(",")
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    cpu: dict[str, list[tuple[float, float]]] = {mode: [] for mode in modes}
    results: dict[str, SeriesResult] = {}
    for _ in range(args.repeats):
        for mode in modes:  # interleaved, so that changing load hits every mode alike
            elapsed, main_cpu, workers_cpu, results[mode] = run(mode, spectra, record, settings, args.workers)
            times[mode].append(elapsed)
            cpu[mode].append((main_cpu, workers_cpu))
    print(
        f"{args.n} spectra × 60 points, na_se_na_2arc, 1 % noise; R_int grows "
        f"×{cell.r_int(span + FIRST_S) / cell.r_int(0):.0f} after t = {truth_onset:.0f} s; chains of "
        f"{args.cold_every} spectra; {args.repeats} run(s) per mode; os.cpu_count() = {os.cpu_count()}, "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print()
    print(
        "| mode | workers | total s | ms/spectrum | speed-up | CPU s main / workers | warm | cold | fallback | failed "
        "| R_int error median / max % | max ΔR_int vs one chain % | rows = serial | onset error s (± s) |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|---|")
    serial = results.get("serial")
    one_chain = results.get("one-chain")
    reference_time = statistics.median(times["serial"]) if "serial" in times else None
    for mode in modes:
        result = results[mode]
        elapsed = statistics.median(times[mode])
        table = result.table
        r_int = table.column("R_int")
        error = np.abs(r_int / cell.r_int(table.column("time_s") + FIRST_S) - 1) * 100
        counts = result.counts()
        onset = result.onset_eis
        onset_text = (
            f"{onset.time_s - truth_onset:.1f} (± {onset.stderr_s:.1f})" if onset.detected else "none"
        )
        vs_chain = (
            "—"
            if one_chain is None
            else f"{100 * np.max(np.abs(r_int / one_chain.table.column('R_int') - 1)):.2g}"
        )
        same = (
            "—"
            if serial is None or mode == "serial"
            else ("yes" if table.rows == serial.table.rows else "no")
        )
        speed_up = "—" if reference_time is None else f"{reference_time / elapsed:.2f}×"
        workers = 1 if mode in ("serial", "one-chain") else args.workers
        main_cpu = statistics.median(c[0] for c in cpu[mode])
        workers_cpu = statistics.median(c[1] for c in cpu[mode])
        print(
            f"| {LABELS[mode]} | {workers} | {elapsed:.2f} | {1e3 * elapsed / args.n:.2f} | {speed_up} | "
            f"{main_cpu:.2f} / {workers_cpu:.2f} | "
            f"{counts['warm']} | {counts['cold']} | {counts['fallback']} | {counts['failed']} | "
            f"{np.median(error):.3f} / {error.max():.2f} | {vs_chain} | {same} | {onset_text} |"
        )
    if args.cli:
        cli_table(spectra, cell, args.workers, args.repeats)


def _nakinetics() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m nakinetics``."""
    script = Path(sys.executable).with_name("nakinetics")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nakinetics"]


def cli_table(spectra: list, cell: OperandoCell, workers: int, repeats: int) -> None:
    """Time ``nakinetics geis`` on the spectra written as one ``.mpt`` file, serial and with ``workers``."""
    sys.path.insert(0, str(ROOT / "examples"))
    from geis_series_example import START, mpt_text

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mpt = folder / "series.mpt"
        mpt.write_text(mpt_text(spectra, cell, START), encoding="utf-8")
        counts = (1, workers)
        times: dict[int, list[float]] = {w: [] for w in counts}
        for _ in range(repeats):
            for w in counts:
                out = folder / f"out{w}"
                shutil.rmtree(out, ignore_errors=True)
                argv = [
                    *_nakinetics(), "geis", str(mpt), "-c", CIRCUIT, "--area", f"{cell.area_cm2}",
                    "--current", f"{cell.current_ma_cm2}", "--kk-limit", "2", "--workers", str(w),
                    "--out", str(out),
                ]  # fmt: skip
                start = time.perf_counter()
                subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[w].append(time.perf_counter() - start)
        same = (folder / "out1" / "series.csv").read_bytes() == (
            folder / f"out{workers}" / "series.csv"
        ).read_bytes()
        size_mb = mpt.stat().st_size / 1e6
    serial = statistics.median(times[1])
    print()
    print(
        f"command line: `nakinetics geis` on the {len(spectra)} spectra as one {size_mb:.1f} MB EC-Lab .mpt file; "
        f"{repeats} run(s) each, interleaved; load average {os.getloadavg()[0]:.2f} after"
    )
    print()
    print("| command | workers | wall s (median) | speed-up | series.csv = serial |")
    print("|---|---:|---:|---:|---|")
    for w in counts:
        elapsed = statistics.median(times[w])
        print(
            f"| `nakinetics geis FILE --workers {w}` | {w} | {elapsed:.2f} | {serial / elapsed:.2f}× | "
            f"{'—' if w == 1 else ('yes' if same else 'no')} |"
        )


if __name__ == "__main__":
    main()
