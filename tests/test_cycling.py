"""Plating/stripping analysis on synthetic records with known truth (nakinetics.cycling)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from nakinetics.cycling import analyse_cycling, synthetic_cycling
from nakinetics.data import CyclingRecord, DCMetadata
from nakinetics.exceptions import DataError


def _by_half_cycle(result, truth):
    got = result.half_cycles
    assert len(got) == len(truth.half_cycles)
    return list(zip(got, truth.half_cycles, strict=True))


def test_plateau_nucleation_capacity_and_growth_recovered():
    syn = synthetic_cycling(
        n_cycles=30, plateau_mv=25, growth_mv_per_100h=12, nucleation_mv=9, noise_mv=0.1, area_cm2=0.785
    )
    result = analyse_cycling(syn.record)
    assert result.cell == "symmetric"
    for got, true in _by_half_cycle(result, syn.truth):
        assert got.direction == ("stripping" if true.current_ma_cm2 > 0 else "plating")
        assert got.start_h == pytest.approx(true.start_s / 3600, abs=1e-9)
        assert got.end_h == pytest.approx(true.end_s / 3600, abs=1e-9)
        assert got.current_density_ma_cm2 == pytest.approx(abs(true.current_ma_cm2), rel=1e-9)
        assert got.capacity_mah_cm2 == pytest.approx(true.capacity_mah_cm2, rel=1e-9)
        assert got.overpotential_mv == pytest.approx(true.plateau_mv, abs=0.1)
        assert got.overpotential_q25_mv < got.overpotential_mv < got.overpotential_q75_mv
        assert got.nucleation_overpotential_mv == pytest.approx(true.nucleation_mv, abs=0.3)
        assert got.asr_cell_ohm_cm2 == pytest.approx(true.plateau_mv / abs(true.current_ma_cm2), rel=0.01)
    growth = result.growth
    assert growth is not None
    assert growth.rate_mv_per_100h == pytest.approx(12, abs=3 * growth.stderr_mv_per_100h + 0.05)
    assert result.short_circuit is None and result.ccd is None
    assert result.life_ended_by.startswith("end of record")
    assert result.life_h == pytest.approx(60.0)


def test_no_spike_means_null_nucleation_and_first_only_spikes():
    syn = synthetic_cycling(n_cycles=6, nucleation_mv=10, nucleation_first_only=True, noise_mv=0.2)
    got = [h.nucleation_overpotential_mv for h in analyse_cycling(syn.record).half_cycles]
    assert got[0] is not None and got[1] is not None
    assert all(value is None for value in got[2:])


def test_rate_step_down_is_not_a_short():
    """A lower current lowers |U| in proportion: R_app is unchanged, so no short is reported."""
    syn = synthetic_cycling(current_ma_cm2=[1.0, 0.2], cycles_per_level=5, plateau_mv=30, noise_mv=0.05)
    result = analyse_cycling(syn.record)
    assert result.short_circuit is None
    assert result.ccd is None  # two levels, the second lower: not a staircase


@pytest.mark.parametrize("kind", ["hard", "soft"])
def test_short_time_and_kind(kind):
    syn = synthetic_cycling(n_cycles=20, plateau_mv=20, short_h=23.37, short_kind=kind, noise_mv=0.1)
    short = analyse_cycling(syn.record).short_circuit
    assert short is not None
    assert short.kind == kind
    assert abs(short.time_h - 23.37) <= short.uncertainty_h + 10 / 3600
    assert short.uncertainty_h <= 10 / 3600
    assert any(e.startswith("collapse") for e in short.evidence)
    assert any(e.startswith("ohmic" if kind == "hard" else "noise") for e in short.evidence)
    if kind == "hard":
        assert short.resistance_ohm_cm2 == pytest.approx(0.3, rel=0.05)


def test_soft_short_that_recovers():
    syn = synthetic_cycling(n_cycles=20, short_h=11.5, short_kind="soft", recover_h=4.5)
    result = analyse_cycling(syn.record)
    short = result.short_circuit
    assert short is not None and short.kind == "soft" and short.recovered
    assert short.recovered_at_h == pytest.approx(16.0)
    assert result.life_h == pytest.approx(short.time_h)


def test_short_between_half_cycles_has_the_gap_as_uncertainty():
    """A short during a rest is only known to lie between the last healthy and the first collapsed point."""
    syn = synthetic_cycling(n_cycles=10, rest_s=1800, short_h=7.2, short_kind="hard")  # 7.2 h: in a rest
    short = analyse_cycling(syn.record).short_circuit
    assert short is not None
    rest_start, rest_end = 7.0, 7.5  # half-cycle 4 ends at 7.0 h, a 0.5 h rest, half-cycle 5 starts at 7.5 h
    assert short.time_h - short.uncertainty_h <= 7.2 <= short.time_h + short.uncertainty_h
    assert short.uncertainty_h >= 0.2
    assert (
        rest_start - 0.01 <= short.time_h - short.uncertainty_h
        and short.time_h + short.uncertainty_h <= rest_end
    )


@pytest.mark.parametrize("convention", ["failing step", "last stable"])
def test_ccd_failing_step_and_last_stable(convention):
    levels = [0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0]
    syn = synthetic_cycling(
        current_ma_cm2=levels, cycles_per_level=3, half_cycle_h=0.5, plateau_mv=10, short_h=16.1
    )
    result = analyse_cycling(syn.record, ccd_convention=convention)
    ccd = result.ccd
    assert ccd is not None
    assert syn.truth.failing_level_ma_cm2 == 1.0  # 16.1 h lies in the sixth level (15–18 h)
    assert ccd.failing_step_ma_cm2 == pytest.approx(1.0)
    assert ccd.last_stable_ma_cm2 == pytest.approx(0.8)
    assert ccd.value_ma_cm2 == pytest.approx(1.0 if convention == "failing step" else 0.8)
    assert ccd.convention == convention
    assert "short circuit" in ccd.failure_criterion
    assert ccd.levels_ma_cm2 == pytest.approx(levels)
    assert ccd.cycles_per_level == [3.0] * len(levels)


def test_ccd_without_failure_is_a_lower_bound():
    syn = synthetic_cycling(current_ma_cm2=[0.1, 0.2, 0.4], cycles_per_level=2, half_cycle_h=0.25)
    ccd = analyse_cycling(syn.record).ccd
    assert ccd is not None and ccd.value_ma_cm2 is None
    assert ccd.lower_bound_ma_cm2 == pytest.approx(0.4)


def test_ccd_voltage_limit():
    syn = synthetic_cycling(
        current_ma_cm2=[0.5, 1.0, 2.0, 4.0], cycles_per_level=2, half_cycle_h=0.5, plateau_mv=50
    )
    ccd = analyse_cycling(syn.record, voltage_limit_v=0.3).ccd  # 4 mA cm⁻² gives 400 mV
    assert ccd is not None
    assert ccd.failing_step_ma_cm2 == pytest.approx(4.0) and ccd.last_stable_ma_cm2 == pytest.approx(2.0)
    assert "voltage limit" in ccd.failure_criterion


def test_half_cell_plain_ce_with_taper_and_rests():
    ce = [0.82, 0.9, 0.95, 0.97, 0.98]
    syn = synthetic_cycling(cell="half", n_cycles=5, ce=ce, cv_hold_s=600, rest_s=300, nucleation_mv=40)
    result = analyse_cycling(syn.record)
    assert result.cell == "half"
    counts = result.steps.counts()
    assert counts["taper (constant voltage)"] == 5 and counts["rest"] == 10
    assert result.n_half_cycles == 10  # tapers and rests are not half-cycles
    efficiency = result.coulombic_efficiency
    assert efficiency is not None and efficiency.protocol == "plain"
    got = [c["ce"] for c in efficiency.cycles]
    assert got == pytest.approx(syn.truth.ce, abs=2e-3)
    assert efficiency.average == pytest.approx(np.mean(syn.truth.ce), abs=2e-3)
    nucleation = [h.nucleation_overpotential_mv for h in result.half_cycles]
    assert all(n is not None for n in nucleation[::2]) and all(n is None for n in nucleation[1::2])


def test_half_cell_reservoir_ce():
    syn = synthetic_cycling(
        cell="half", protocol="reservoir", n_cycles=10, ce=0.97, half_cycle_h=5, rest_s=60
    )
    efficiency = analyse_cycling(syn.record).coulombic_efficiency
    assert efficiency is not None and efficiency.protocol == "reservoir"
    assert efficiency.average == pytest.approx(syn.truth.average_ce, abs=1e-3)


def test_mode_column_marks_taper_and_rest():
    syn = synthetic_cycling(cell="half", n_cycles=3, ce=0.9, cv_hold_s=900, rest_s=300, write_mode=True)
    result = analyse_cycling(syn.record)
    assert result.steps.counts()["taper (constant voltage)"] == 3
    assert result.n_half_cycles == 6


def test_time_voltage_record_with_protocol_current():
    syn = synthetic_cycling(n_cycles=8, plateau_mv=15, noise_mv=0.1, area_cm2=1.0)
    rec = syn.record
    given = dataclasses.replace(
        rec,
        current_a=np.full(len(rec), 1e-3),
        metadata=dataclasses.replace(rec.metadata, extra={"current_source": "given"}),
    )
    for half_cycle_h in (1.0, None):
        result = analyse_cycling(given, half_cycle_h=half_cycle_h)
        assert result.n_half_cycles == 16
        assert [h.direction for h in result.half_cycles][:2] == ["plating", "stripping"]
        assert [h.overpotential_mv for h in result.half_cycles] == pytest.approx(
            [t.plateau_mv for t in syn.truth.half_cycles], abs=0.1
        )
        assert "not in the file" in result.warnings[0]


def test_to_dict_is_json_and_matches_result():
    syn = synthetic_cycling(n_cycles=5, short_h=6.5, nucleation_mv=5)
    result = analyse_cycling(syn.record)
    record = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert record["n_half_cycles"] == len(record["half_cycles"]) == 10
    assert record["short_circuit"]["time_h"] == pytest.approx(result.short_circuit.time_h)
    assert record["half_cycles"][0]["overpotential_mv"] == pytest.approx(
        result.half_cycles[0].overpotential_mv
    )
    assert "median |U|" in record["conventions"]["overpotential_mv"]
    assert "anodic positive" in record["conventions"]["sign"]


def _record(t, u, i, **extra):
    meta = DCMetadata(source="bad.csv", area_cm2=1.0, extra=extra)
    return CyclingRecord(potential_v=u, current_a=i, time_s=t, metadata=meta)


def test_bad_records_give_one_line_errors():
    t = np.arange(100.0)
    with pytest.raises(DataError, match=r"^bad.csv: only rest"):
        analyse_cycling(_record(t, np.zeros(100), np.zeros(100)))
    with pytest.raises(DataError, match=r"^bad.csv: only one half-cycle"):
        analyse_cycling(_record(t, np.full(100, 0.02), np.full(100, 1e-3)))
    i = np.where((t // 10) % 2 == 0, 1e-3, 0.0)
    with pytest.raises(DataError, match=r"^bad.csv: the current never changes sign .*unidirectional=True"):
        analyse_cycling(_record(t, 0.02 * np.sign(i), i))
    assert analyse_cycling(_record(t, 0.02 * np.sign(i), i), unidirectional=True).n_half_cycles == 5
    with pytest.raises(DataError, match=r"^bad.csv: time goes backwards"):
        analyse_cycling(_record(np.r_[t[:50], t[:50]], 0.02 * np.sign(i - 5e-4), i - 5e-4))
    with pytest.raises(DataError, match="no time column"):
        CyclingRecord(potential_v=[0.0, 1.0], current_a=[0.0, 1.0], metadata=DCMetadata(source="x.csv"))
    with pytest.raises(DataError, match="area unknown"):
        analyse_cycling(
            dataclasses.replace(_record(t, 0.02 * np.sign(i), i), metadata=DCMetadata(source="x"))
        )


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_one_direction_record_is_not_said_to_follow_the_current_in_both_directions(sign: float) -> None:
    # 5 segments of one current sign with rests: the voltage cannot have been seen to follow the current in
    # both directions, and the decision must say the current never reverses
    t = np.arange(100.0)
    i = sign * np.where((t // 10) % 2 == 0, 1e-3, 0.0)
    result = analyse_cycling(_record(t, 0.02 * np.sign(i), i), unidirectional=True)
    assert "both directions" not in result.cell_decided_by
    direction = "stripping" if sign > 0 else "plating"
    assert f"never reverses (all 5 half-cycles {direction}" in result.cell_decided_by
