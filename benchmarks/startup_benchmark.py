"""Start-up benchmark: wall time of short command-line calls as a ratio to ``python -c "import numpy, click"``.

Every round runs each case once as a fresh process (in a shuffled order, so drifting load on a shared
machine hits all cases alike); the ratio of a case is taken to the floor measured in the same round and the
table prints medians over the rounds.  Absolute times depend on the machine and its load; the ratios are
what to compare.

    python benchmarks/startup_benchmark.py [--rounds 15] [--seed 2026]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL_SPECTRUM = ROOT / "examples" / "data" / "na_carbonate_na.csv"
"""81-point CSV of a Na | carbonate | Na coin cell (two arcs)."""

FLOOR = "import numpy, click"


def _nakinetics() -> list[str]:
    """The installed console script (as a user calls it), else ``python -m nakinetics``."""
    script = Path(sys.executable).with_name("nakinetics")
    if script.exists():
        return [str(script)]
    found = shutil.which("nakinetics")
    return [found] if found else [sys.executable, "-m", "nakinetics"]


def cases() -> dict[str, tuple[list[str], str]]:
    """label → (argv, goal)."""
    cli = _nakinetics()
    spectrum = str(SMALL_SPECTRUM)
    return {
        f'python -c "{FLOOR}" (floor)': ([sys.executable, "-c", FLOOR], "—"),
        'python -c "import nakinetics"': ([sys.executable, "-c", "import nakinetics"], "≤ 1.5× floor"),
        "nakinetics --help": ([*cli, "--help"], "≤ 1.5× floor"),
        "nakinetics circuits": ([*cli, "circuits"], "≤ 1.5× floor"),
        "nakinetics fit --help": ([*cli, "fit", "--help"], "—"),
        "nakinetics validate small.csv": ([*cli, "validate", spectrum], "—"),
        "nakinetics fit small.csv -c na_se_na_2arc": ([*cli, "fit", spectrum, "-c", "na_se_na_2arc"], "—"),
        "nakinetics fit small.csv": ([*cli, "fit", spectrum], "≤ 0.35 s"),
    }


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    table = cases()
    floor_label = next(iter(table))
    rng = random.Random(args.seed)
    times: dict[str, list[float]] = {label: [] for label in table}
    ratios: dict[str, list[float]] = {label: [] for label in table}
    load_before = os.getloadavg()[0]
    for label in table:  # warm the file-system cache and the byte-code cache once
        run_once(table[label][0])
    for _ in range(args.rounds):
        order = list(table)
        rng.shuffle(order)
        round_times = {label: run_once(table[label][0]) for label in order}
        for label, elapsed in round_times.items():
            times[label].append(elapsed)
            ratios[label].append(elapsed / round_times[floor_label])
    print(
        f"{args.rounds} rounds, each case once per round in shuffled order; ratio = time / floor of the same "
        f"round; medians. Python {sys.version.split()[0]}, os.cpu_count() = {os.cpu_count()}, "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print()
    print("| command | median s | ratio to floor (median) | goal |")
    print("|---|---:|---:|---|")
    for label, (_, goal) in table.items():
        print(
            f"| `{label}` | {statistics.median(times[label]):.3f} | "
            f"{statistics.median(ratios[label]):.2f}× | {goal} |"
        )


if __name__ == "__main__":
    main()
