"""One BLAS thread in the command line and in the worker processes (nakinetics._threads).

Each check runs in a fresh interpreter whose environment has no thread settings, so what is measured is
what nakinetics sets, not what the test process inherited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SPECTRUM = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_carbonate_na.csv"
BLAS_THREADS = """
import json, sys
from threadpoolctl import threadpool_info
print(json.dumps([(i["internal_api"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]))
"""


def run(code: str, **env: str) -> list[list[object]]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(("_NUM_THREADS", "_MAXIMUM_THREADS"))}
    clean.pop("NAKINETICS_BLAS_THREADS", None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**clean, **env}
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def thread_counts(libraries: list[list[object]]) -> list[object]:
    assert libraries, "no BLAS library loaded"
    return [threads for _, threads in libraries]


CLI = f"""
from nakinetics.cli import main
try:
    main(["validate", {str(SPECTRUM)!r}], prog_name="nakinetics")
except SystemExit:
    pass
{BLAS_THREADS}
"""


def test_command_line_runs_with_one_blas_thread() -> None:
    # numpy's and scipy's OpenBLAS are loaded by the command, after the limit was set
    assert set(thread_counts(run(CLI))) == {1}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to see two BLAS threads")
def test_the_thread_count_can_be_raised() -> None:
    assert set(thread_counts(run(CLI, NAKINETICS_BLAS_THREADS="2"))) == {2}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to see two BLAS threads")
def test_workers_use_one_blas_thread_even_when_the_parent_uses_more() -> None:
    # a library user's process with default threading (numpy and scipy loaded before the pool starts)
    code = """
import json, os
import numpy, scipy.linalg
from threadpoolctl import threadpool_info
from nakinetics.series import ProcessPool
parent = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
with ProcessPool(2) as pool:
    workers = [pool.submit(threadpool_info).result() for _ in range(4)]
print(json.dumps([parent, [[i["num_threads"] for i in w if i["user_api"] == "blas"] for w in workers]]))
"""
    parent, workers = run(code)
    assert min(parent) >= 2  # the user's own process is left alone
    assert all(set(w) == {1} for w in workers)


def test_the_suite_runs_with_one_blas_thread() -> None:
    # the session fixture in conftest.py: every BLAS library loaded in this process uses one thread
    import numpy as np
    import scipy.linalg
    from threadpoolctl import threadpool_info

    scipy.linalg.solve(np.eye(3), np.ones(3))
    counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert counts
    assert set(counts) == {1}
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
