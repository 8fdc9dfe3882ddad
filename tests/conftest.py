"""Shared test fixtures: where the real instrument files live, and synthetic spectra."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nakinetics._threads import LIBRARY_VARIABLES

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
"""Real instrument files (../shared/realdata); tests that need them skip when the folder is absent."""
TESTDATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def realdata() -> Path:
    """Path to ../shared/realdata, or skip the test when it is absent (a user's clone)."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread() -> Iterator[None]:
    """Run the whole suite with one BLAS thread, in this process and in the processes tests start.

    The suite fits thousands of small problems; on a shared two-core machine a multi-threaded BLAS only adds
    spinning threads that compete with pytest itself (slower, and timings that vary from run to run).  The
    environment variables reach subprocesses (example scripts, the command line); ``threadpool_limits``
    reaches the libraries numpy and scipy have already loaded.  ``tests/test_threads.py`` starts its
    interpreters with a clean environment, so it still measures what nakinetics itself sets.
    """
    from threadpoolctl import threadpool_limits

    saved = {name: os.environ.get(name) for name in LIBRARY_VARIABLES}
    for name in LIBRARY_VARIABLES:
        os.environ[name] = "1"
    with threadpool_limits(limits=1, user_api="blas"):
        yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
