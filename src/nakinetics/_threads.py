"""One BLAS thread per process for the command line and the worker processes.

nakinetics' linear algebra works on small matrices (tens to a few hundred rows), where a multi-threaded
BLAS only adds synchronisation; on a machine whose cores are busy (a parallel ``geis`` run, other users)
its spinning threads compete for the cores and make fits and onset detection several times slower
(``benchmarks/threads_benchmark.py``).  :func:`limit_blas_threads` sets the thread count

* for BLAS/OpenMP libraries loaded later in this process and in processes it starts, through their
  environment variables (a value the user has set is kept), and
* for libraries already loaded (numpy's and scipy's OpenBLAS), through ``threadpoolctl``.

``NAKINETICS_BLAS_THREADS`` (default 1) chooses the number.

Library functions whose work is such small dense linear algebra (``compute_drt``) run it inside
:func:`blas_thread_limit` (decorator :func:`with_blas_thread_limit`), which sets the count for the block and restores the caller's afterwards, so that a
Python user gets the command line's speed without changing their process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, wraps
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

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


@cache
def _controller() -> Any:
    """threadpoolctl's view of the BLAS libraries loaded when first asked (numpy's and scipy's: callers
    have imported both); building it scans the process's libraries (~1 ms), using it does not."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def blas_thread_limit() -> Iterator[None]:
    """Run the block with :func:`blas_threads` BLAS threads, the caller's counts restored afterwards
    (~0.03 ms; a process-wide setting while it lasts, like every BLAS thread setting)."""
    with _controller().limit(limits=blas_threads(), user_api="blas"):
        yield


def with_blas_thread_limit(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator: ``func`` runs inside :func:`blas_thread_limit`."""

    @wraps(func)
    def limited(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with blas_thread_limit():
            return func(*args, **kwargs)

    return limited
