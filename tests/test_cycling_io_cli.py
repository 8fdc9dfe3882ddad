"""Cycling readers on every real file in ../shared/realdata/cycling, documented layouts, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.cycling import analyse_cycling, synthetic_cycling
from nakinetics.exceptions import FileFormatError
from nakinetics.io import read_cycling_record


def _cycling(realdata, name, **kw):
    return read_cycling_record(realdata / "cycling" / name, **kw)


def test_neware_and_maccor_capacities_match_provenance(realdata):
    pytest.importorskip("NewareNDA")
    ndax = analyse_cycling(_cycling(realdata, "neware_bts85_ndax_cc_22cycles.ndax"), area_cm2=1.0)
    assert ndax.cell == "other"  # a cell with an offset voltage: no overpotentials
    import warnings

    import NewareNDA

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = NewareNDA.read(str(realdata / "cycling" / "neware_bts85_ndax_cc_22cycles.ndax"))
    per_step = frame.groupby("Step")[["Charge_Capacity(mAh)", "Discharge_Capacity(mAh)"]].max().sum(axis=1)
    steps = [int(ndax.record.step[ndax.arrays.start[h]]) for h in range(ndax.n_half_cycles)]
    ours = [h.capacity_mah_cm2 for h in ndax.half_cycles]  # area 1 cm²: mAh
    assert ours == pytest.approx(per_step.loc[steps].to_numpy(), rel=2e-3)  # the cycler's own capacity
    assert ours[0] == pytest.approx(1.05, abs=0.01)  # PROVENANCE: ~1.05 mAh charge
    assert ndax.coulombic_efficiency is not None and len(ndax.coulombic_efficiency.cycles) >= 21
    nda = analyse_cycling(_cycling(realdata, "neware_bts_nda_cc-cv_li-ion_3cycles.nda"), area_cm2=1.0)
    assert nda.steps.counts()["taper (constant voltage)"] == 2  # CV_Chg steps are tapers, not half-cycles
    maccor_record = _cycling(realdata, "maccor_txt_capacity-test_na-ion-full-cell_2cycles.txt")
    assert maccor_record.metadata.extra["time_unit"].startswith("min")
    assert maccor_record.current_a.min() < 0  # unsigned current signed from Md
    maccor = analyse_cycling(maccor_record, area_cm2=1.0)
    q = [h.capacity_mah_cm2 for h in maccor.half_cycles]
    assert q[0] == pytest.approx(2.4, abs=0.1) and q[1] == pytest.approx(2.25, abs=0.05)


def test_biologic_and_arbin_real_files(realdata):
    pytest.importorskip("galvani")
    half = analyse_cycling(
        _cycling(realdata, "biologic_mpg2_gcpl_nacoo2-na-half-cell_6cycles.mpr"), area_cm2=1.0
    )
    assert half.n_half_cycles == 13
    ce = half.coulombic_efficiency
    assert ce is not None and ce.average == pytest.approx(0.88 / 0.95, abs=0.02)  # PROVENANCE capacities
    with pytest.raises(Exception, match="only one half-cycle"):
        analyse_cycling(
            _cycling(realdata, "biologic_vsp_gcpl_li-li-symmetric_01-rest-then-0.4mA-10min.mpr"), area_cm2=1
        )
    with pytest.raises(FileFormatError, match="impedance spectra"):
        _cycling(realdata, "biologic_vsp_geis_li-li-symmetric_02-45-spectra.mpr")
    arbin = analyse_cycling(_cycling(realdata, "arbin_csv_fastcharge_lfp-18650_2cycles.csv"), area_cm2=1.0)
    assert arbin.coulombic_efficiency.cycles[-1]["ce"] == pytest.approx(1.0, abs=0.01)


def test_time_voltage_export_needs_current_and_is_one_directional(realdata):
    path = realdata / "cycling" / "biologic_vsp_gcpl_li-li-symmetric_03-45x1h-0.4mA_time-ewe-export.txt"
    with pytest.raises(FileFormatError, match="no current column"):
        read_cycling_record(path)
    record = read_cycling_record(path, current_a=4e-4)
    with pytest.raises(Exception, match="never changes sign"):
        analyse_cycling(record, area_cm2=1.0, half_cycle_h=1.0)
    result = analyse_cycling(record, area_cm2=1.0, half_cycle_h=1.0, unidirectional=True)
    assert result.n_half_cycles == 45  # PROVENANCE: 45 segments of +0.4 mA for 1 h
    assert all(h.direction == "stripping" for h in result.half_cycles)
    # boundaries snapped to the relaxation steps between segments: within ±0.025 h of the 1 h protocol
    assert [h.capacity_mah_cm2 for h in result.half_cycles] == pytest.approx(
        [0.4] * 45, abs=0.01 + 0.4 * 0.025
    )


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_layouts_land_and_maccor_signs(tmp_path):
    syn = synthetic_cycling(n_cycles=3, rest_s=60, plateau_mv=15)
    r = syn.record
    state = np.where(r.current_a > 0, "C_CC", np.where(r.current_a < 0, "D_CC", "R"))
    rows = "\n".join(
        f"{k + 1}\t{t:.1f}\t{u:.6f}\t{abs(i) * 1e3:.6f}\t{s}"
        for k, (t, u, i, s) in enumerate(zip(r.time_s, r.potential_v, r.current_a, state, strict=True))
    )
    path = _write(tmp_path, "land.txt", "Record\tTestTime/Sec\tVoltage/V\tCurrent/mA\tState\n" + rows + "\n")
    record = read_cycling_record(path)
    assert record.metadata.format == "land"
    np.testing.assert_allclose(record.current_a, r.current_a, atol=1e-9)
    result = analyse_cycling(record, area_cm2=1.0)
    assert result.steps.counts()["rest"] == 6
    assert [h.overpotential_mv for h in result.half_cycles] == pytest.approx(
        [t.plateau_mv for t in syn.truth.half_cycles], abs=0.1
    )


def test_bad_files_one_line_errors(tmp_path):
    no_time = _write(tmp_path, "a.csv", "Voltage (V),Current (mA)\n0.1,1\n0.2,1\n")
    with pytest.raises(FileFormatError, match=r"a\.csv"):
        read_cycling_record(no_time)
    mixed = _write(
        tmp_path, "b.csv", "time (s),Voltage (V),Current (mA),I (A)\n0,0.1,1,1\n1,0.1,1,1\n2,-0.1,-1,-1\n"
    )
    with pytest.raises(FileFormatError, match="mixed units"):
        read_cycling_record(mixed)


def test_cli_json_csv_plot_and_errors(tmp_path):
    syn = synthetic_cycling(
        n_cycles=8, plateau_mv=20, nucleation_mv=6, short_h=12.2, short_kind="hard", area_cm2=0.5
    )
    r = syn.record
    data = np.column_stack([r.time_s / 60, r.potential_v * 1e3, r.current_a * 1e6])
    path = tmp_path / "cell.csv"
    np.savetxt(path, data, delimiter=",", header="t (min),Ecell (mV),I (uA)", comments="", fmt="%.9g")
    runner = CliRunner()
    out = runner.invoke(
        main,
        [
            "cycling",
            str(path),
            "--area",
            "0.5",
            "--json",
            "-",
            "--csv",
            str(tmp_path / "h.csv"),
            "--plot",
            str(tmp_path / "f.png"),
        ],
    )
    assert out.exit_code == 0, out.output
    record = json.loads(out.stdout)
    assert record["short_circuit"]["kind"] == "hard"
    assert abs(record["short_circuit"]["time_h"] - 12.2) < 0.01
    assert record["half_cycles"][0]["current_density_ma_cm2"] == pytest.approx(1.0)
    assert (tmp_path / "f.png").stat().st_size > 10_000
    assert (tmp_path / "h.csv").read_text().count("\n") == 17
    bad = runner.invoke(main, ["cycling", str(path)])  # csv has no area
    assert bad.exit_code == 1 and bad.output.count("\n") == 1 and "area" in bad.output
    usage = runner.invoke(main, ["cycling", str(path), "--current", "zero"])
    assert usage.exit_code == 2


def test_shipped_example_gives_the_readme_numbers():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "data_cycling" / "na_na_cycling_synthetic.csv"
    result = analyse_cycling(read_cycling_record(path), area_cm2=0.785)
    assert result.half_cycles[0].overpotential_mv == pytest.approx(18.1, abs=0.05)
    assert result.growth.rate_mv_per_100h == pytest.approx(8.0, abs=0.1)  # built in: 8 mV/100 h
    short = result.short_circuit
    assert short.kind == "soft" and abs(short.time_h - 52.4) <= short.uncertainty_h + 60 / 3600


@pytest.mark.parametrize(("short_h", "expected_last"), [(52.4, 25), (53.5, 25), (None, 29)])
def test_default_zoom_shows_the_last_cycle_that_ends_before_the_short(short_h, expected_last):
    from nakinetics.plotting.cycling import default_zoom_cycles

    # 30 cycles of two 1 h half-cycles: cycle k (0-based) runs from 2k h to 2k + 2 h, so a short at 52.4 h
    # or 53.5 h falls in cycle 26 and the last cycle that ends before it is 25 (52 h)
    made = synthetic_cycling(n_cycles=30, dt_s=60, short_h=short_h, short_kind="soft", seed=7)
    result = analyse_cycling(made.record, area_cm2=1.0)
    cycles = default_zoom_cycles(result)
    assert cycles == [0, expected_last // 2, expected_last]
    if short_h is not None:
        ends = [h.end_h for h in result.half_cycles if h.cycle == cycles[-1]]
        assert max(ends) <= short_h
