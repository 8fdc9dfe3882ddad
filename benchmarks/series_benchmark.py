"""Series benchmark: 1,000 synthetic two-arc GEIS spectra (60 points, 1 % noise) fitted as an operando series.

The synthetic stripping experiment of :mod:`nakinetics.series.synthetic` (na_se_na_2arc, R2 constant, then
growing ×55 after 60 % of the run) is fitted

* ``warm``: in time order, each fit starting from the previous one (cold fall-back rule active), with the
  Kramers–Kronig tests in a pool of ``--workers`` processes beside the fits,
* ``warm, serial``: the same in one process,
* ``independent``: every spectrum cold, in the pool,

each including KK, derived quantities, DC columns and onset detection (everything ``nakinetics geis``
computes except writing files).  Printed: total wall time, per-spectrum time, warm/cold/fall-back counts,
accuracy of R_int against the truth (median and max relative error) and of the onset.

    python benchmarks/series_benchmark.py [--n 1000] [--workers 2] [--modes warm,serial,independent]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from nakinetics.series import ProcessPool, SeriesResult, SeriesSettings, fit_series
from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series

INTERVAL_S = 600.0
FIRST_S = 60.0


def run(
    mode: str, spectra: list, record: object, cell: OperandoCell, workers: int
) -> tuple[float, SeriesResult]:
    settings = SeriesSettings(
        CIRCUIT,
        area_cm2=cell.area_cm2,
        current_ma_cm2=cell.current_ma_cm2,
        independent=mode == "independent",
        kk_limit=0.02,
    )
    start = time.perf_counter()
    if mode == "serial":
        result = fit_series(spectra, settings, voltage=record)  # type: ignore[arg-type]
    else:
        with ProcessPool(workers) as pool:
            result = fit_series(spectra, settings, voltage=record, pool=pool)  # type: ignore[arg-type]
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of spectra")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the pool modes")
    parser.add_argument(
        "--modes", default="warm,serial,independent", help="comma-separated: warm, serial, independent"
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    span = args.n * INTERVAL_S
    cell = OperandoCell(onset_s=FIRST_S + 0.6 * span + 0.37 * INTERVAL_S, tau_s=0.1 * span)
    frequency = np.geomspace(1e6, 0.1, 60)
    spectra, record = operando_series(
        cell, args.n, INTERVAL_S, frequency, noise=0.01, rng=np.random.default_rng(args.seed), first_s=FIRST_S
    )
    truth_onset = cell.onset_s - FIRST_S
    print(
        f"{args.n} spectra × 60 points, na_se_na_2arc, 1 % noise; R_int grows ×{cell.r_int(span + FIRST_S) / cell.r_int(0):.0f} "
        f"after t = {truth_onset:.0f} s; os.cpu_count() = {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}"
    )
    header = (
        f"{'mode':<13}{'workers':>8}{'total s':>9}{'ms/spectrum':>12}{'warm':>6}{'cold':>6}{'fallback':>9}"
        f"{'failed':>7}{'R_int err median %':>19}{'max %':>7}{'onset err s':>12}{'± s':>7}"
    )
    print(header)
    print("-" * len(header))
    for mode in args.modes.split(","):
        elapsed, result = run(mode, spectra, record, cell, args.workers)
        table = result.table
        error = np.abs(table.column("R_int") / cell.r_int(table.column("time_s") + FIRST_S) - 1) * 100
        counts = result.counts()
        onset = result.onset_eis
        onset_error = (onset.time_s - truth_onset) if onset.detected else float("nan")
        label = {"warm": "warm", "serial": "warm, serial", "independent": "independent"}[mode]
        print(
            f"{label:<13}{1 if mode == 'serial' else args.workers:>8}{elapsed:>9.2f}{1e3 * elapsed / args.n:>12.2f}"
            f"{counts['warm']:>6}{counts['cold']:>6}{counts['fallback']:>9}{counts['failed']:>7}"
            f"{np.median(error):>19.3f}{error.max():>7.2f}{onset_error:>12.1f}{onset.stderr_s or float('nan'):>7.1f}"
        )
    print(f"load average after the run: {os.getloadavg()[0]:.2f} (other processes share the cores)")


if __name__ == "__main__":
    main()
