"""Speed and memory of ``nakinetics cycling`` on a 6,000 h record at 10 s resolution (2.16 M rows).

Run: ``nice python benchmarks/cycling_benchmark.py`` (prints a table).  The record is synthetic (symmetric
cell, 1 h half-cycles, growing overpotential, nucleation spikes, a soft short at 5,000 h); times are wall
clock on this machine, peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from nakinetics.cycling import analyse_cycling, synthetic_cycling
from nakinetics.io import read_cycling_record


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    t0 = time.perf_counter()
    syn = synthetic_cycling(
        n_cycles=3000,
        dt_s=10.0,
        plateau_mv=20,
        growth_mv_per_100h=0.3,
        nucleation_mv=5,
        short_h=5000.3,
        short_kind="soft",
        area_cm2=1.0,
    )
    record = syn.record
    t_make = time.perf_counter() - t0
    rows = len(record)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.csv"
        np.savetxt(
            path,
            np.column_stack([record.time_s, record.potential_v, record.current_a * 1e3]),
            delimiter=",",
            header="time/s,Ewe/V,I/mA",
            comments="",
            fmt="%.10g",
        )
        t1 = time.perf_counter()
        read = read_cycling_record(path)
        t_read = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = analyse_cycling(read, area_cm2=1.0)
    t_analyse = time.perf_counter() - t2
    t3 = time.perf_counter()
    payload = result.to_dict()
    t_dict = time.perf_counter() - t3
    short = result.short_circuit
    print(
        f"rows: {rows:,}   half-cycles: {result.n_half_cycles}   short found at "
        f"{short.time_h if short else float('nan'):.3f} h (truth 5000.3 h)"
    )
    print("| step | time (s) |")
    print("|---|---|")
    print(f"| generate synthetic record | {t_make:.2f} |")
    print(f"| read 2.16 M-row CSV (read_cycling_record) | {t_read:.2f} |")
    print(f"| analyse_cycling | {t_analyse:.2f} |")
    print(f"| to_dict ({len(payload['half_cycles'])} half-cycles) | {t_dict:.2f} |")
    print(f"| read + analyse + to_dict | {t_read + t_analyse + t_dict:.2f} |")
    print(f"peak resident memory: {_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
