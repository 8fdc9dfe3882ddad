"""Reader layouts met on public instrument files outside ../shared/realdata (issue 12: "checked on real
files from instruments and layouts it has not seen").  Each test builds a small file in the layout of the
named public source with our own numbers, and checks values against the numbers written in it."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from nakinetics.data import MODE_CC, MODE_REST
from nakinetics.io import detect_format, read_cycling_record


def test_maccor_mims_export_with_state_column(tmp_path):
    # Layout of the Maccor "Today's Date ... Date of Test:" text export (battery-data-toolkit
    # tests/files/maccor_example.001): Rec#, Cyc#, Step, Test (Min), Step (Min), Amp-hr, Watt-hr,
    # Amps (unsigned), Volts, State (R/C/D), ES, DPt Time.
    rows = [
        (1, 0, 1, 0.0, 0.0, 0.0, 3.300, "R", "03/31/2016 16:05:31"),
        (2, 0, 1, 0.5, 0.5, 0.0, 3.301, "R", "03/31/2016 16:06:01"),
        (3, 0, 2, 1.0, 0.0, 0.0024, 3.650, "C", "03/31/2016 16:06:31"),
        (4, 0, 2, 2.0, 1.0, 0.0024, 3.700, "C", "03/31/2016 16:07:31"),
        (5, 1, 3, 3.0, 0.0, 0.0024, 3.400, "D", "03/31/2016 16:08:31"),
    ]
    text = "Today's Date 04/04/2016  Date of Test:\t03/31/2016\t Filename:\tC:\\x\\cell.001 Procedure: form.000\n"
    text += "Rec#\tCyc#\tStep\tTest (Min)\tStep (Min)\tAmp-hr\tWatt-hr\tAmps\tVolts\tState\tES\tDPt Time\n"
    for rec, cyc, step, t, ts, amps, volts, state, clock in rows:
        text += f"{rec}\t{cyc}\t{step}\t{t:.4f}\t{ts:.4f}\t0.0\t0.0\t{amps:.10f}\t{volts:.8f}\t{state}\t0\t{clock}\n"
    path = tmp_path / "cell.001"
    path.write_text(text)
    assert detect_format(path) == "maccor"
    record = read_cycling_record(path)
    assert record.time_s == pytest.approx([0, 30, 60, 120, 180])  # Test (Min) × 60
    assert record.potential_v == pytest.approx([3.300, 3.301, 3.650, 3.700, 3.400])
    assert record.current_a == pytest.approx([0, 0, 0.0024, 0.0024, -0.0024])  # sign from State
    assert list(record.mode) == [MODE_REST, MODE_REST, MODE_CC, MODE_CC, MODE_CC]
    assert record.metadata.start_time == datetime(2016, 3, 31, 16, 5, 31)
    assert record.metadata.extra.get("assumed_units") is None  # "Volts" and "Amps" name their unit


def test_neware_csv_with_clock_durations_and_spaced_step_types(tmp_path):
    # Layout of a Neware BTS CSV export (cellpy testdata/data/neware_uio.csv): Time is the step time as
    # HH:MM:SS (it restarts at each step), Cumulative Time the test time, Step Type "Rest"/"CC Chg"/"CC DChg".
    header = "DataPoint,Cycle Index,Step Index,Step Type,Time,Cumulative Time,Current(A),Voltage(V),Date\n"
    rows = [
        "1,1,1,Rest,00:00:00,00:00:00,0.00000000,2.9170,2022-05-18 16:27:52",
        "2,1,1,Rest,00:01:00,00:01:00,0.00000000,2.9176,2022-05-18 16:28:52",
        "3,1,2,CC Chg,00:00:00,00:01:00,0.00050000,3.1000,2022-05-18 16:28:52",
        "4,1,2,CC Chg,01:00:00,01:01:00,0.00050000,3.6000,2022-05-18 17:28:52",
        "5,1,3,CC DChg,1-00:00:30,1-01:01:30,-0.00050000,3.0000,2022-05-19 17:29:22",
    ]
    path = tmp_path / "neware.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    record = read_cycling_record(path)
    assert record.time_s == pytest.approx([0, 60, 60, 3660, 86400 + 3690])  # Cumulative Time, not Time
    assert record.current_a == pytest.approx([0, 0, 5e-4, 5e-4, -5e-4])
    assert list(record.mode) == [MODE_REST, MODE_REST, MODE_CC, MODE_CC, MODE_CC]
    assert list(record.step) == [1, 1, 2, 2, 3]
    assert record.metadata.start_time == datetime(2022, 5, 18, 16, 27, 52)
    assert record.metadata.instrument == "Neware"


def test_unix_seconds_clock_gives_the_start_time(tmp_path):
    # Arbin CSV export (battery-data-toolkit tests/files/arbin_example.csv) keeps the clock as Unix seconds.
    header = "Data_Point,Test_Time,DateTime,Step_Time,Step_Index,Cycle_Index,Current,Voltage\n"
    rows = ["1,0,1499006353,0.7,10,1,0.0,3.28", "2,5.0,1499006358,5.0,11,1,1.1,3.37"]
    path = tmp_path / "arbin.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    record = read_cycling_record(path)
    # 1499006353 s after 1970-01-01 00:00 UTC (date -u -d @1499006353)
    assert record.metadata.start_time == datetime(2017, 7, 2, 14, 39, 13)
    assert np.array_equal(record.time_s, [0.0, 5.0])
