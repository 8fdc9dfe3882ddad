"""sweeps: segments, cycles and scan rate on synthetic sweeps whose vertices and rate are known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nakinetics import sweeps
from nakinetics.data import DCMetadata, DCRecord
from nakinetics.exceptions import DataError


def _triangle(
    e_start: float,
    vertices: list[float],
    *,
    rate: float = 0.05,
    dt: float = 0.01,
    hold: int = 0,
    noise: float = 0.0,
    seed: int = 1,
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Potential program through ``vertices`` at ``rate`` V/s sampled every ``dt`` s, with ``hold``
    points held at each vertex; returns (t, E, index of the last point of each segment but the last)."""
    potential = [e_start]
    ends = []
    for k, target in enumerate(vertices):
        step = rate * dt * np.sign(target - potential[-1])
        n = round(abs(target - potential[-1]) / (rate * dt))
        potential.extend(potential[-1] + step * np.arange(1, n + 1))
        if k < len(vertices) - 1:
            potential.extend([potential[-1]] * hold)
            ends.append(len(potential) - 1)
    e = np.asarray(potential) + np.random.default_rng(seed).normal(0.0, noise, len(potential))
    return dt * np.arange(e.size), e, ends


def _record(t: np.ndarray | None, e: np.ndarray, **meta: object) -> DCRecord:
    metadata = DCMetadata(technique="CV", scan_rate_v_s=meta.pop("rate", None), area_cm2=0.2, **meta)  # type: ignore[arg-type]
    return DCRecord(potential_v=e, current_a=np.sin(e), time_s=t, metadata=metadata)


@pytest.mark.parametrize(("hold", "noise"), [(0, 0.0), (15, 0.0), (15, 2e-4), (0, 5e-4)])
def test_segments_at_known_vertices(hold: int, noise: float) -> None:
    t, e, ends = _triangle(-0.5, [0.5, -0.5, 0.5, -0.5], hold=hold, noise=noise)
    record = _record(t, e, rate=0.05)
    segments = sweeps.split_segments(record)
    assert len(segments) == 4
    # boundaries: exact without noise (hold points stay with the segment that ends at the vertex);
    # with noise the turning point may move by a few points around the vertex
    cuts = np.cumsum([len(s) for s in segments])[:-1] - 1
    tolerance = 0 if noise == 0 else hold + 3
    assert np.all(np.abs(cuts - np.asarray(ends)) <= tolerance)
    if noise == 0:
        assert cuts.tolist() == ends
    assert [s.metadata.extra["sweep_direction"] for s in segments] == ["positive", "negative"] * 2
    assert [s.metadata.extra["forward"] for s in segments] == [True, False, True, False]
    assert [s.metadata.extra["segment"] for s in segments] == [0, 1, 2, 3]
    for s in segments:  # metadata kept on every piece
        assert (s.metadata.technique, s.metadata.scan_rate_v_s, s.metadata.area_cm2) == ("CV", 0.05, 0.2)
    joined = np.concatenate([s.potential_v for s in segments])
    assert np.array_equal(joined, record.potential_v)


def test_noise_does_not_split_a_single_sweep() -> None:
    t, e, _ = _triangle(0.0, [0.3], noise=1e-3, seed=7)
    assert len(sweeps.split_segments(_record(t, e))) == 1


def test_tolerance_argument() -> None:
    t, e, _ = _triangle(0.0, [0.3, 0.28, 0.5])  # a 20 mV reversal
    assert len(sweeps.split_segments(_record(t, e))) == 3  # default threshold 1 % of 0.5 V = 5 mV
    assert len(sweeps.split_segments(_record(t, e), tolerance_v=0.05)) == 1
    with pytest.raises(DataError, match="tolerance_v"):
        sweeps.split_segments(_record(t, e), tolerance_v=0.0)


def test_cycles_from_segments_start_at_vertex() -> None:
    t, e, ends = _triangle(-0.5, [0.5, -0.5, 0.5, -0.5, 0.5, -0.5])
    cycles = sweeps.cycles(_record(t, e))
    assert [c.metadata.extra["cycle"] for c in cycles] == [0, 1, 2]
    assert [len(c) for c in cycles] == [ends[1] + 1, ends[3] - ends[1], len(e) - ends[3] - 1]


def test_cycles_from_segments_start_between_vertices() -> None:
    """EC-Lab-like: start at 0.46 V, up to 1.0, down to 0.0, twice, back to 0.46 V: the cut is where the
    upward sweep passes 0.46 V again, and the final return to 0.46 V opens no new cycle."""
    t, e, _ = _triangle(0.46, [1.0, 0.0, 1.0, 0.0, 0.46])
    cycles = sweeps.cycles(_record(t, e))
    assert len(cycles) == 2
    second = cycles[1]
    assert second.potential_v[0] >= 0.46 > cycles[0].potential_v[-1]
    assert second.potential_v[0] - 0.46 < 0.05 * 0.01 + 1e-12  # first point at or just past 0.46 V
    assert second.potential_v[-1] == pytest.approx(0.46)


def test_cycles_from_file_column() -> None:
    t, e, _ = _triangle(-0.5, [0.5, -0.5])
    cycle = np.repeat([0, 1, 2], [5, 10, e.size - 15])
    record = dataclasses.replace(_record(t, e), cycle=cycle)
    cycles = sweeps.cycles(record)
    assert [len(c) for c in cycles] == [5, 10, e.size - 15]
    assert [c.metadata.extra["cycle"] for c in cycles] == [0, 1, 2]
    assert all(np.all(c.cycle == c.metadata.extra["cycle"]) for c in cycles)


@pytest.mark.parametrize(("hold", "noise"), [(0, 0.0), (40, 3e-4)])
def test_scan_rate_from_time(hold: int, noise: float) -> None:
    t, e, _ = _triangle(0.0, [0.4, -0.2, 0.4], rate=0.025, dt=0.02, hold=hold, noise=noise)
    record = _record(t, e, rate=0.02)  # the "file" says 20 mV/s
    assert sweeps.scan_rate_v_s(record) == 0.02
    assert sweeps.scan_rate_v_s(record, from_time=True) == pytest.approx(0.025, rel=5e-3)
    assert sweeps.scan_rate_v_s(dataclasses.replace(record, metadata=DCMetadata())) == pytest.approx(
        0.025, rel=5e-3
    )


def test_scan_rate_needs_time() -> None:
    _, e, _ = _triangle(0.0, [0.4])
    with pytest.raises(DataError, match="no time column"):
        sweeps.scan_rate_v_s(_record(None, e))


def test_not_swept_records_are_rejected() -> None:
    t = np.arange(5.0)
    record = DCRecord(np.full(5, 0.3), np.full(5, 1e-4), t, metadata=DCMetadata(technique="CP"))
    with pytest.raises(DataError, match="not a potential sweep"):
        sweeps.cycles(record)


def test_flat_potential_is_one_segment() -> None:
    record = DCRecord(np.zeros(4), np.arange(4.0), metadata=DCMetadata(technique="unknown"))
    assert [len(s) for s in sweeps.split_segments(record)] == [4]


def test_current_density() -> None:
    record = _record(None, np.linspace(0, 1, 5))
    assert record.current_density_a_cm2() == pytest.approx(np.sin(np.linspace(0, 1, 5)) / 0.2)
    assert record.current_density_a_cm2(0.5) == pytest.approx(np.sin(np.linspace(0, 1, 5)) / 0.5)
    bare = DCRecord(np.zeros(2), np.ones(2))
    with pytest.raises(DataError, match="area unknown"):
        bare.current_density_a_cm2()
    with pytest.raises(DataError, match="area_cm2=0"):
        bare.current_density_a_cm2(0.0)


def _plain(potential: np.ndarray) -> DCRecord:
    return DCRecord(potential, np.zeros(potential.size), metadata=DCMetadata(technique="CV"))


@pytest.mark.parametrize("seed", [0, 2])
def test_noisy_hold_on_quantised_sweep_stays_with_its_segment(seed: int) -> None:
    """0 → 0.5 V in exact 1 mV steps, 200 points held at 0.5 V with 0.3 mV noise, back from 0.499 V; all
    rounded to 0.1 mV (ADC).  Most second differences are exactly 0, so the record's noise estimate is 0:
    the hold (indices 500–699) must still end the forward segment, not open the reverse one."""
    rng = np.random.default_rng(seed)
    up, down = np.arange(500) * 1e-3, 0.499 - np.arange(500) * 1e-3
    e = np.round(np.concatenate([up, 0.5 + rng.normal(0.0, 3e-4, 200), down]), 4)
    record = _plain(e)
    assert sweeps.potential_noise_v(e) == 0.0
    segments = sweeps.split_segments(record)
    assert [s.metadata.extra["sweep_direction"] for s in segments] == ["positive", "negative"]
    # 0.3 mV noise on 1 mV steps: the first reverse point (0.499 V) may be taken for a held one
    assert 700 <= len(segments[0]) <= 701
    mask = sweeps.hold_mask(record)
    assert mask[500:700].all() and mask[:499].sum() == 0 and mask[701:].sum() == 0


def test_hold_after_overshoot_stays_with_its_segment() -> None:
    """The potential overshoots the 0.5 V vertex by 3 mV (0.503, 0.502 V), settles and is held at 0.5 V for
    100 points, then sweeps back: the 102 points after the last sweep point (index 499) are the hold."""
    e = np.concatenate(
        [np.arange(500) * 1e-3, [0.503, 0.502], np.full(100, 0.5), 0.499 - np.arange(500) * 1e-3]
    )
    record = _plain(e)
    assert [len(s) for s in sweeps.split_segments(record)] == [602, 500]
    assert np.flatnonzero(sweeps.hold_mask(record)).tolist() == list(range(500, 602))


@pytest.mark.parametrize(
    ("index", "spike", "width"), [(500, -0.03, 1), (500, 0.03, 1), (300, 0.03, 2), (700, -0.03, 2)]
)
def test_glitch_does_not_split_a_sweep(index: int, spike: float, width: int) -> None:
    """A 30 mV glitch (3 % of the span, beyond the 10 mV threshold) on a 0 → 1 V sweep of 1000 points."""
    e = np.linspace(0.0, 1.0, 1000)
    e[index : index + width] += spike
    segments = sweeps.split_segments(_plain(e))
    assert len(segments) == 1 and segments[0].metadata.extra["sweep_direction"] == "positive"
    assert not sweeps.hold_mask(_plain(e)).any()


def test_glitch_after_a_vertex_does_not_move_it() -> None:
    """+30 mV spike 5 points after the 0.5 V vertex of a clean CV: the vertex (index 1000) stays the cut."""
    _, e, ends = _triangle(-0.5, [0.5, -0.5], rate=0.05, dt=0.02)
    e[ends[0] + 5] += 0.03
    segments = sweeps.split_segments(_plain(e))
    assert [len(s) for s in segments] == [ends[0] + 1, e.size - ends[0] - 1]
    assert [s.metadata.extra["sweep_direction"] for s in segments] == ["positive", "negative"]


def test_hold_mask_marks_holds_before_and_after_the_sweep() -> None:
    """Quiet time of 100 points at 0 V before a 0 → 0.3 → 0 V sweep, 50 points at 0 V after it; no hold
    at the 0.3 V vertex."""
    _, sweep, _ = _triangle(0.0, [0.3, 0.0], rate=0.05, dt=0.02)
    e = np.concatenate([np.zeros(100), sweep[1:-1], np.zeros(51)])
    mask = sweeps.hold_mask(_plain(e))
    assert mask[:100].all() and mask[-51:].all() and not mask[101:-52].any()
    with pytest.raises(DataError, match="not a potential sweep"):
        sweeps.hold_mask(DCRecord(np.zeros(3), np.ones(3), metadata=DCMetadata(technique="CP")))


def test_scan_rate_from_time_without_a_time_column_says_what_was_asked() -> None:
    # a CHI export states its scan rate but has no time column: the file's value, or a clear refusal
    record = DCRecord(
        np.linspace(-0.5, 0.5, 50), np.linspace(-1e-5, 1e-5, 50), None, None, DCMetadata(source="cv.csv")
    )
    record = dataclasses.replace(record, metadata=dataclasses.replace(record.metadata, scan_rate_v_s=0.02))
    assert sweeps.scan_rate_v_s(record) == 0.02
    with pytest.raises(
        DataError, match=r"cv.csv: from_time=True asks for an estimate from E\(t\) but there is no"
    ):
        sweeps.scan_rate_v_s(record, from_time=True)
