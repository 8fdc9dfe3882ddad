"""Partial half-cycles at the edges of a record stay out of the CE averages; placeholder areas are refused
(issue 15)."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from nakinetics.cycling import analyse_cycling, synthetic_cycling
from nakinetics.exceptions import DataError
from nakinetics.io import read_cycling_record


def _half_cell(**kw):
    return synthetic_cycling(cell="half", n_cycles=5, ce=0.9, rest_s=300, **kw)


def test_complete_record_has_no_partial_half_cycle():
    result = analyse_cycling(_half_cell().record)
    ce = result.coulombic_efficiency
    assert ce.excluded == [] and not result.partial and not result.warnings
    assert all(h.partial is None for h in result.half_cycles)


def test_record_starting_mid_plating_leaves_its_cycle_out():
    """Cut 60 % into the first plating: cycle 0 would read CE = 0.9 / 0.4 = 2.25; the truth is 0.9."""
    syn = _half_cell()
    first = syn.truth.half_cycles[0]
    t = syn.record.time_s
    cut = syn.record.subset(t >= first.start_s + 0.6 * (first.end_s - first.start_s))
    result = analyse_cycling(cut)
    ce = result.coulombic_efficiency
    assert ce.cycles[0]["ce"] == pytest.approx(0.9 / 0.4, rel=0.02)  # what the partial cycle gives
    assert [c["cycle"] for c in ce.excluded] == [0] and "starts during it" in ce.excluded[0]["reason"]
    assert ce.average == pytest.approx(syn.truth.average_ce, abs=1e-3)
    assert result.half_cycles[0].partial is not None and result.half_cycles[1].partial is None
    assert any("left out of the Coulombic-efficiency averages" in w for w in result.warnings)
    assert "partial" in result.to_dict()["half_cycles"][0]


def test_record_ending_mid_strip_leaves_its_cycle_out():
    syn = _half_cell()
    last = syn.truth.half_cycles[-1]
    t = syn.record.time_s
    cut = syn.record.subset(t <= last.start_s + 0.3 * (last.end_s - last.start_s))
    ce = analyse_cycling(cut, cell="half").coulombic_efficiency  # no strip reaches the cut-off now: say so
    assert [c["cycle"] for c in ce.excluded] == [4] and "ends during it" in ce.excluded[0]["reason"]
    assert ce.average == pytest.approx(0.9, abs=1e-3)


@pytest.mark.parametrize("fraction", [0.3, 0.97])
def test_half_cell_whose_last_strip_the_file_cuts_is_still_a_half_cell(fraction):
    """Cut at 97 % the last strip holds nearly a full one (within the 10 % charge tolerance), but it stops
    short of the cut-off that ends every other strip: partial, out of the averages; the cell is still
    recognised as a half cell (auto) from the earlier strips."""
    syn = _half_cell()
    last = syn.truth.half_cycles[-1]
    t = syn.record.time_s
    result = analyse_cycling(syn.record.subset(t <= last.start_s + fraction * (last.end_s - last.start_s)))
    assert result.cell == "half"
    ce = result.coulombic_efficiency
    assert [c["cycle"] for c in ce.excluded] == [4] and "stops short of the voltage cut-off" in ce.excluded[
        0
    ]["reason"]
    assert ce.cycles[4]["ce"] == pytest.approx(0.9 * fraction, rel=0.02)  # what the partial cycle gives
    assert ce.average == pytest.approx(np.mean(syn.truth.ce[:4]), abs=1e-3)
    assert result.half_cycles[-1].partial is not None
    assert all(h.partial is None for h in result.half_cycles[:-1])


def test_half_cell_last_strip_stopped_early_at_the_cut_off_is_flagged():
    """The last strip hits the voltage limit after 40 % of the usual charge (a safety stop or a failing
    cell): its cycle is listed with its CE but left out of the averages, which keep the truth of the others."""
    syn = synthetic_cycling(cell="half", n_cycles=5, ce=[0.9, 0.92, 0.9, 0.91, 0.36], rest_s=300)
    result = analyse_cycling(syn.record)
    ce = result.coulombic_efficiency
    assert result.cell == "half"
    assert ce.cycles[4]["ce"] == pytest.approx(syn.truth.ce[4], abs=2e-3)
    assert [c["cycle"] for c in ce.excluded] == [4] and "voltage limit" in ce.excluded[0]["reason"]
    assert ce.average == pytest.approx(np.mean(syn.truth.ce[:4]), abs=1e-3)


def test_arbin_export_starting_mid_charge(realdata: Path):
    """The Arbin sample begins after steps 7–9 of its first cycle (Charge_Capacity already 0.88 Ah): its
    first charge is partial and its CE (~5.6) is left out; the average is the complete cycle's, which the
    cycler's own counters give as Discharge_Capacity / Charge_Capacity at the end of the record."""
    path = realdata / "cycling" / "arbin_csv_fastcharge_lfp-18650_2cycles.csv"
    result = analyse_cycling(read_cycling_record(path), area_cm2=1.0)
    ce = result.coulombic_efficiency
    assert ce.cycles[0]["ce"] > 5 and [c["cycle"] for c in ce.excluded] == [0]
    with path.open(newline="") as handle:
        last = list(csv.DictReader(handle))[-1]
    cycler = float(last["Discharge_Capacity"]) / float(last["Charge_Capacity"])
    assert ce.average == pytest.approx(cycler, abs=5e-3)
    assert result.half_cycles[0].partial is not None


def test_placeholder_area_from_the_file_is_refused():
    record = _half_cell().record
    ec_lab = dataclasses.replace(
        record, metadata=dataclasses.replace(record.metadata, format="biologic-mpt", area_cm2=0.001)
    )
    with pytest.raises(DataError, match=r"0\.001 cm² is EC-Lab's default .*area_cm2"):
        analyse_cycling(ec_lab)
    given = analyse_cycling(ec_lab, area_cm2=0.001)  # an explicit area is the user's word
    assert given.area_cm2 == 0.001
    other = dataclasses.replace(ec_lab, metadata=dataclasses.replace(ec_lab.metadata, format="csv"))
    assert analyse_cycling(other).area_cm2 == 0.001  # 0.001 cm² is no placeholder of a generic CSV


def test_mpr_cycling_reads_the_area_and_model(realdata: Path):
    pytest.importorskip("galvani")
    path = realdata / "cycling" / "biologic_mpg2_gcpl_nacoo2-na-half-cell_6cycles.mpr"
    record = read_cycling_record(path)
    assert (record.metadata.area_cm2, record.metadata.instrument) == (0.001, "BioLogic MPG-2")
    with pytest.raises(DataError, match="EC-Lab's default"):
        analyse_cycling(record)
    assert analyse_cycling(read_cycling_record(path, area_cm2=1.2)).area_cm2 == 1.2
    np.testing.assert_array_equal(read_cycling_record(path, area_cm2=1.2).time_s, record.time_s)


def test_cli_csv_to_stdout_carries_the_partial_column(tmp_path: Path):
    from click.testing import CliRunner

    from nakinetics.cli import main

    syn = _half_cell()
    first = syn.truth.half_cycles[0]
    keep = syn.record.time_s >= first.start_s + 0.6 * (first.end_s - first.start_s)
    cut = syn.record.subset(keep)
    path = tmp_path / "cut.csv"
    rows = ["time/s,Ewe/V,I/A"] + [
        f"{a!r},{b!r},{c!r}"
        for a, b, c in zip(cut.time_s.tolist(), cut.potential_v.tolist(), cut.current_a.tolist(), strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")
    result = CliRunner().invoke(main, ["cycling", str(path), "--area", "1", "--cell", "half", "--csv", "-"])
    assert result.exit_code == 0, result.stderr
    table = list(csv.DictReader(result.stdout.splitlines()))
    assert "partial" in table[0]["partial"] and table[1]["partial"] == ""
    assert "left out of the Coulombic-efficiency averages" in result.stderr  # the report went to stderr
    assert not (tmp_path / "-").exists()
