"""Where independent work runs: a local process pool (concurrent.futures) or an existing Dask cluster.

Both offer ``submit(fn, *args)`` returning a future with ``.result()`` and ``as_completed(futures)``;
the functions submitted must be importable module-level functions with picklable arguments.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, Self

from .._checks import integer
from .._threads import limit_blas_threads
from ..exceptions import ArgumentError, NakineticsError


class Future(Protocol):
    def result(self) -> Any: ...


class TaskPool(Protocol):
    """What the series runner needs from a pool of workers."""

    workers: int

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future: ...

    def as_completed(self, futures: Iterable[Future]) -> Iterator[Future]: ...

    def close(self) -> None: ...


PARENT_CHECK_S = 0.5
"""How often a worker process checks that the process that started it is still alive (s)."""


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: a daemon thread ends the worker (``os._exit``) once its parent has died, so a
    killed run leaves no orphans holding its files open (a blocked worker would otherwise wait forever)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="nakinetics-parent-watch", daemon=True).start()


def _start_worker(parent_pid: int) -> None:
    limit_blas_threads()
    _exit_with_parent(parent_pid)


MAX_WORKERS = 1024
"""Most local worker processes a pool starts."""


class ProcessPool:
    """``workers`` local processes (``concurrent.futures.ProcessPoolExecutor``), each with one BLAS thread
    (:func:`~nakinetics._threads.limit_blas_threads`: parallel workers with threaded BLAS fight over the
    cores), that exit when the process that created them dies."""

    def __init__(self, workers: int) -> None:
        self.workers = integer(workers, "workers", low=1, high=MAX_WORKERS)
        self._executor = cf.ProcessPoolExecutor(
            max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future:
        return self._executor.submit(fn, *args)

    def as_completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        return cf.as_completed(list(futures))  # type: ignore[arg-type]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskPool:
    """Tasks on an existing Dask cluster (``distributed.Client(address)``; optional extra ``dask``)."""

    def __init__(self, address: str, timeout_s: float = 10.0) -> None:
        try:
            from distributed import Client  # optional dependency, imported only when asked for
        except ImportError:
            raise NakineticsError(
                'running on a Dask cluster needs the optional package distributed: pip install "nakinetics[dask]"'
            ) from None
        if not isinstance(address, str) or not re.fullmatch(
            r"([a-z][a-z0-9+.-]*://)?[^\s:/]+:\d{1,5}", address
        ):
            raise ArgumentError(
                f"{address!r} is not a Dask scheduler address; expected HOST:PORT or tcp://HOST:PORT "
                "(e.g. tcp://127.0.0.1:8786)"
            )
        try:
            self._client = Client(address, timeout=timeout_s)
        except (OSError, TimeoutError, ValueError) as exc:
            raise NakineticsError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future:
        return self._client.submit(fn, *args, pure=False)  # type: ignore[no-any-return]

    def as_completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        from distributed import as_completed

        return iter(as_completed(list(futures)))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
