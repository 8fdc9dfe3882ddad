"""Run the fuzz cases of ``tests/fuzzing.py`` and print a table of outcomes per target.

    nice python benchmarks/fuzz_benchmark.py --cases 5000 --workers 2
    nice python benchmarks/fuzz_benchmark.py --suite more --cases 3000 --workers 2

``--suite core`` (default) fuzzes the commands of issue 11 (fit, validate, warburg, conductivity, tafel,
geis, read_spectra, read_dc_records); ``--suite more`` the later ones (drt, cycling, arrhenius, simulate,
read_cycling_record, compute_drt, analyse_cycling; ``tests/fuzzing_more.py``).

Each case runs in a worker process (CLI in-process via click's CliRunner) with a per-case timeout enforced
from outside (a worker past its timeout is killed and the case counted as a hang) and a memory cap (a
blow-up becomes a MemoryError, counted as a traceback or raw exception).  Defects are listed with the case
number; ``--save DIR`` also writes each defect's input file so it can be reproduced:
``python benchmarks/fuzz_benchmark.py --only 1234`` re-runs one case.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import REALDATA
from tests.fuzzing import (
    API_TARGETS,
    CLI_TARGETS,
    DEFECTS,
    GOOD,
    CasePool,
    Outcome,
    real_seeds,
    suite_case,
    synthetic_seeds,
)
from tests.fuzzing_more import MORE_API_TARGETS, MORE_CLI_TARGETS, more_seeds


def _signature(outcome: Outcome) -> str:
    """The defect with temporary paths and numbers masked, so equal defects count together."""
    text = re.sub(r"/\S*nk-fuzz-[^/\s]+/", "", outcome.detail)
    text = re.sub(r"np\.\w+\([^)]*\)", "np.#(...)", text)
    text = re.sub(r"(?<![A-Za-z_])[-+]?\d[\d.,eE+-]*", "#", text)
    return f"{outcome.category}: {text[:160]}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--suite", choices=["core", "more"], default="core", help="which targets")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0, help="master seed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--memory", type=float, default=4.0, help="address-space cap per worker, GB")
    parser.add_argument("--only", type=int, nargs="*", help="run only these case numbers")
    parser.add_argument("--save", type=Path, help="write each defect's input file here")
    args = parser.parse_args()

    if args.suite == "core":
        seeds, targets = real_seeds(REALDATA) + synthetic_seeds(), [*CLI_TARGETS, *API_TARGETS]
    else:
        seeds, targets = more_seeds(REALDATA), [*MORE_CLI_TARGETS, *MORE_API_TARGETS]
    indices = args.only if args.only else list(range(args.cases))
    pool = CasePool(args.workers, seeds, args.seed, args.memory, args.suite)
    counts: dict[str, Counter] = defaultdict(Counter)
    defects: list[tuple[int, Outcome]] = []
    seconds: Counter = Counter()
    start = time.monotonic()
    try:
        for done, (index, outcome) in enumerate(pool.run(indices, args.timeout), 1):
            case = suite_case(args.suite, index, seeds, args.seed)
            counts[case.target][outcome.category] += 1
            seconds[case.target] += outcome.seconds
            if outcome.category in DEFECTS:
                defects.append((index, outcome))
                print(f"DEFECT {outcome.category}: {case.describe()}: {outcome.detail}", flush=True)
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"case{index}{case.suffix}").write_bytes(case.data)
            if done % 250 == 0:
                print(f"... {done}/{len(indices)} cases, {time.monotonic() - start:.0f} s", file=sys.stderr)
    finally:
        pool.close()

    columns = [*GOOD, *DEFECTS]
    print(
        f"\n{len(indices)} cases (suite {args.suite}, master seed {args.seed}), {time.monotonic() - start:.0f} s wall, "
        f"{args.workers} workers, timeout {args.timeout:g} s per case\n"
    )
    print("| target | cases | " + " | ".join(columns) + " | mean s |")
    print("|---" * (len(columns) + 3) + "|")
    total: Counter = Counter()
    for target in targets:
        row = counts.get(target, Counter())
        n = sum(row.values())
        total += row
        mean = seconds[target] / n if n else 0.0
        print(f"| {target} | {n} | " + " | ".join(str(row[c]) for c in columns) + f" | {mean:.2f} |")
    print(f"| **all** | {sum(total.values())} | " + " | ".join(str(total[c]) for c in columns) + " | |")
    if defects:
        print(f"\n{len(defects)} defects; kinds (paths and numbers masked):")
        for detail, n in Counter(_signature(o) for _, o in defects).most_common():
            print(f"  {n:4d}  {detail}")
    sys.exit(1 if defects else 0)


if __name__ == "__main__":
    main()
