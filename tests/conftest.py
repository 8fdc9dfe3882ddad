"""Shared test fixtures: where the real instrument files live, and synthetic spectra."""

from __future__ import annotations

from pathlib import Path

import pytest

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
"""Real instrument files (../shared/realdata); tests that need them skip when the folder is absent."""
TESTDATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def realdata() -> Path:
    """Path to ../shared/realdata, or skip the test when it is absent (a user's clone)."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA
