"""One BLAS thread per process for the command line and the worker processes.

nakinetics' linear algebra works on small matrices (tens to a few hundred rows), where a multi-threaded
BLAS only adds synchronisation; on a machine whose cores are busy (a parallel ``geis`` run, other users)
its spinning threads compete for the cores and make fits and onset detection several times slower
(``benchmarks/threads_benchmark.py``).  :func:`limit_blas_threads` sets the thread count

* for BLAS/OpenMP libraries loaded later in this process and in processes it starts, through their
  environment variables (a value the user has set is kept), and
* for libraries already loaded (numpy's and scipy's OpenBLAS), through ``threadpoolctl``.

``NAKINETICS_BLAS_THREADS`` (default 1) chooses the number.
"""

from __future__ import annotations

import os
import sys

THREADS_VARIABLE = "NAKINETICS_BLAS_THREADS"
"""Environment variable with the number of BLAS threads nakinetics uses (default 1)."""

LIBRARY_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
"""What OpenBLAS, OpenMP, MKL, BLIS and Apple Accelerate read when they are loaded."""


def blas_threads() -> int:
    """The requested number of BLAS threads (``NAKINETICS_BLAS_THREADS``, default 1, at least 1)."""
    try:
        return max(1, int(os.environ.get(THREADS_VARIABLE, "1")))
    except ValueError:
        return 1


def limit_blas_threads() -> None:
    """Use :func:`blas_threads` BLAS threads here and in processes started from here (see module doc)."""
    threads = str(blas_threads())
    for name in LIBRARY_VARIABLES:
        os.environ.setdefault(name, threads)
    if "numpy" in sys.modules or "scipy" in sys.modules:  # libraries already loaded ignore the variables
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=blas_threads(), user_api="blas")
