"""Several sweeps in one file: split at frequency resets and at direction reversals (issue 12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nakinetics.io import read_spectra
from nakinetics.io._frequency_sweeps import split_sweeps


def _bounds(f: np.ndarray) -> list[tuple[int, int]]:
    return [(s.start, s.stop) for s in split_sweeps(np.asarray(f, dtype=float))]


def _csv(path: Path, f: np.ndarray, z: np.ndarray) -> Path:
    rows = [f"{float(a)!r},{float(b.real)!r},{float(b.imag)!r}" for a, b in zip(f, z, strict=True)]
    path.write_text("freq/Hz,Zre/Ohm,Zim/Ohm\n" + "\n".join(rows) + "\n")
    return path


def test_down_then_up_in_one_run_is_two_spectra(realdata: Path, tmp_path: Path) -> None:
    """A real spectrum written high→low, then low→high (the turning frequency measured once): two spectra,
    each equal to the measured one (the second in its own order)."""
    [s] = read_spectra(realdata / "eis" / "chi660e_ac-impedance.txt")
    f, z = s.frequency, s.impedance
    f2, z2 = np.r_[f, f[::-1][1:]], np.r_[z, z[::-1][1:]]
    down, up = read_spectra(_csv(tmp_path / "return.csv", f2, z2))
    np.testing.assert_array_equal(down.frequency, f)
    np.testing.assert_array_equal(down.impedance, z)
    np.testing.assert_array_equal(up.frequency, f[::-1][1:])
    np.testing.assert_array_equal(up.impedance, z[::-1][1:])
    assert "turns back" in down.metadata.extra["sweeps"] and up.metadata.extra["sweep"] == 1


def test_turning_frequency_measured_twice_starts_the_second_sweep() -> None:
    f = np.logspace(4, 0, 9)
    assert _bounds(np.r_[f, f[::-1]]) == [(0, 9), (9, 18)]
    assert _bounds(np.r_[f[::-1], f]) == [(0, 9), (9, 18)]  # low→high, then high→low


def test_coarse_return_sweep_is_not_shattered() -> None:
    """One point per decade: every step is a factor 10, which is not a "reset" when the run goes on."""
    f = np.logspace(5, 0, 6)
    assert _bounds(np.r_[f, f[::-1][1:]]) == [(0, 6), (6, 11)]


def test_three_sweeps_down_up_down_and_resets_still_split() -> None:
    f = np.logspace(5, -1, 25)
    assert _bounds(np.r_[f, f[::-1][1:], f[1:]]) == [(0, 25), (25, 49), (49, 73)]
    assert _bounds(np.r_[f, f]) == [(0, 25), (25, 50)]  # jumps back: unchanged behaviour
    assert _bounds(np.r_[f[::-1], f[::-1]]) == [(0, 25), (25, 50)]


def test_return_sweep_on_another_grid_is_split() -> None:
    down, up = np.logspace(5, -1, 43), np.logspace(-1, 5, 31)[1:]
    assert _bounds(np.r_[down, up]) == [(0, 43), (43, 73)]


@pytest.mark.parametrize("seed", range(20))
def test_a_monotonic_sweep_is_never_split(seed: int) -> None:
    rng = np.random.default_rng(seed)
    steps = rng.uniform(0.01, 1.5, size=int(rng.integers(3, 200)))  # decades, any density
    f = 10 ** (6 - np.cumsum(steps))
    assert _bounds(f) == [(0, f.size)]
    assert _bounds(f[::-1]) == [(0, f.size)]


def test_wiggles_and_short_excursions_do_not_split() -> None:
    f = np.logspace(5, -1, 43)
    assert _bounds(np.r_[f[:10], f[11], f[10], f[12:]]) == [(0, 43)]  # two points swapped
    assert _bounds(np.r_[f[:10], f[9] * 1.02, f[10:]]) == [(0, 44)]  # one point slightly back
    assert _bounds(np.r_[f, f[-2], f[-3]]) == [(0, 45)]  # two points back: not a sweep
    assert _bounds(np.repeat(f, 2)) == [(0, 86)]  # every frequency measured twice
    # a short start in the other direction, then the sweep: the few points are not a sweep of their own
    assert _bounds(np.r_[10.0, 5.0, np.logspace(0.5, 5, 30)]) == [(0, 32)]
