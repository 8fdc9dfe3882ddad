"""Start-up benchmark: wall time of short command-line calls as a ratio to ``python -c "import numpy, click"``
(the floor of the issue's goals), to ``python -c pass`` (the interpreter alone) and to ``python -c "import numpy"``.

Every round runs each case once as a fresh process (in a shuffled order, so drifting load on a shared
machine hits all cases alike); the ratios of a case are taken to the references measured in the same round
and the table prints medians over the rounds.  Absolute times depend on the machine and its load; the ratios
are what to compare.  ``import nakinetics.cli.fit`` is the import cost of the fit path (everything ``fit``
loads before it reads a file); ``fit small.csv -c PRESET`` adds one fit, the DRT check and the
Kramers–Kronig test, ``fit small.csv`` the automatic choice among the candidate models.  ``--against REV``
adds the fit cases as they were at git revision REV (its ``src`` and ``circuits`` on ``PYTHONPATH``, same
interpreter and launcher), interleaved in the same rounds.  The children run with the byte-code cache on
(``PYTHONDONTWRITEBYTECODE`` removed from their environment; the warm-up round writes ``__pycache__``), as for an
installed package: without it every call would also compile nakinetics' modules from source.

    python benchmarks/startup_benchmark.py [--rounds 15] [--seed 2026] [--against REV]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL_SPECTRUM = ROOT / "examples" / "data" / "na_carbonate_na.csv"
"""81-point CSV of a Na | carbonate | Na coin cell (two arcs)."""

FLOOR = "import numpy, click"
REFERENCES = {"pass": "pass", "numpy": "import numpy", "floor": FLOOR}
"""Reference calls: each case's time is divided by theirs from the same round."""


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
        'python -c "pass"': ([sys.executable, "-c", "pass"], "—"),
        'python -c "import numpy"': ([sys.executable, "-c", "import numpy"], "—"),
        'python -c "import nakinetics"': ([sys.executable, "-c", "import nakinetics"], "≤ 1.5× floor"),
        "nakinetics --help": ([*cli, "--help"], "≤ 1.5× floor"),
        "nakinetics circuits": ([*cli, "circuits"], "≤ 1.5× floor"),
        'python -c "import nakinetics.selection" (library fit path)': (
            [sys.executable, "-c", "import nakinetics.selection"],
            "—",
        ),
        'python -c "import nakinetics.cli.fit" (fit path)': (
            [sys.executable, "-c", "import nakinetics.cli.fit"],
            "—",
        ),
        "nakinetics fit --help": ([*cli, "fit", "--help"], "—"),
        "nakinetics validate small.csv": ([*cli, "validate", spectrum], "—"),
        "nakinetics fit small.csv -c na_se_na_2arc": ([*cli, "fit", spectrum, "-c", "na_se_na_2arc"], "—"),
        "nakinetics fit small.csv": ([*cli, "fit", spectrum], "≤ 0.35 s"),
    }


def run_once(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, cwd=ROOT, env=env
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--against", metavar="REV", help="also time the fit cases of this git revision")
    args = parser.parse_args()
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as folder:
        table = cases()
        environments: dict[str, dict[str, str]] = dict.fromkeys(table, cached)
        if args.against:
            env = {**cached, "PYTHONPATH": str(_checkout(args.against, Path(folder)) / "src")}
            for label in [label for label in table if "fit" in label]:
                table[f"{label} @ {args.against}"] = table[label]
                environments[f"{label} @ {args.against}"] = env
        measure(table, environments, args.rounds, args.seed)


def _checkout(revision: str, folder: Path) -> Path:
    """``src`` and ``circuits`` of ``revision`` extracted into ``folder``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src", "circuits"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def measure(
    table: dict[str, tuple[list[str], str]],
    environments: dict[str, dict[str, str]],
    rounds: int,
    seed: int,
) -> None:
    """Run every case ``rounds`` times (shuffled within a round) and print the table."""
    references = {key: _labelled(table, code) for key, code in REFERENCES.items()}
    rng = random.Random(seed)
    times: dict[str, list[float]] = {label: [] for label in table}
    ratios: dict[str, dict[str, list[float]]] = {key: {label: [] for label in table} for key in REFERENCES}
    load_before = os.getloadavg()[0]
    for label in table:  # warm the file-system cache and the byte-code cache once
        run_once(table[label][0], environments[label])
    for _ in range(rounds):
        order = list(table)
        rng.shuffle(order)
        round_times = {label: run_once(table[label][0], environments[label]) for label in order}
        for label, elapsed in round_times.items():
            times[label].append(elapsed)
            for key, reference in references.items():
                ratios[key][label].append(elapsed / round_times[reference])
    print(
        f"{rounds} rounds, each case once per round in shuffled order; ratio = time / reference of the same "
        f"round; medians. Python {sys.version.split()[0]}, os.cpu_count() = {os.cpu_count()}, "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print()
    print("| command | median s | × `pass` | × `import numpy` | × floor (`import numpy, click`) | goal |")
    print("|---|---:|---:|---:|---:|---|")
    for label, (_, goal) in table.items():
        columns = " | ".join(
            f"{statistics.median(ratios[key][label]):.2f}×" for key in ("pass", "numpy", "floor")
        )
        print(f"| `{label}` | {statistics.median(times[label]):.3f} | {columns} | {goal} |")


def _labelled(table: dict[str, tuple[list[str], str]], code: str) -> str:
    """The label of the case that runs ``python -c code``."""
    return next(label for label, (argv, _) in table.items() if argv[1:] == ["-c", code])


if __name__ == "__main__":
    main()
