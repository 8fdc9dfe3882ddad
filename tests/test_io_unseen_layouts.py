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


def test_gamry_comma_decimal_chronoamperometry_and_advice_for_the_wrong_reader(tmp_path):
    # Layout of a Gamry CHRONOA .DTA written on a comma-decimal PC (gamry-parser
    # tests/data/chronoa_de_data.dta): "0,00000E+000" numbers, CURVE TABLE with a point count.
    from nakinetics.exceptions import FileFormatError
    from nakinetics.io import read_cycling_records, read_dc_record

    text = (
        "EXPLAIN\nTAG\tCHRONOA\nTITLE\tLABEL\tChronoamperometry\tTest &Identifier\nDATE\tLABEL\t3/10/2019\tDate\n"
        "TIME\tLABEL\t12:00:00\tTime\nPSTAT\tPSTAT\tpstat-1\tPotentiostat\n"
        "AREA\tQUANT\t2,50000E-001\tElectrode &Area (cm^2)\nCONVENTION\tIQUANT\t1\tCurrent Convention\n"
        "CURVE\tTABLE\t3\n\tPt\tT\tVf\tIm\tVu\tSig\tAch\tIERange\tOver\n\t#\ts\tV vs. Ref.\tA\tV\tV\tV\t#\tbits\n"
        "\t0\t0\t-5,00000E-004\t-2,00000E-008\t0\t0\t0\t6\t...........\n"
        "\t1\t30\t4,99669E-001\t1,40441E-008\t0\t5,00000E-001\t0\t6\t...........\n"
        "\t2\t90,0001\t4,99659E-001\t7,52058E-009\t0\t5,00000E-001\t0\t6\t...........\n"
    )
    path = tmp_path / "chronoa.DTA"
    path.write_text(text, encoding="latin-1")
    record = read_dc_record(path)
    assert record.time_s == pytest.approx([0, 30, 90.0001])
    assert record.potential_v == pytest.approx([-5e-4, 0.499669, 0.499659])
    assert record.current_a == pytest.approx([-2e-8, 1.40441e-8, 7.52058e-9])
    assert record.metadata.area_cm2 == pytest.approx(0.25)
    with pytest.raises(FileFormatError, match="read it with read_spectra or read_dc_records"):
        read_cycling_records(path)


def test_dc_table_with_text_fields_is_refused_by_name_for_spectra(tmp_path):
    # NOVA CV export with a current-range text column (chemotion-converter-app
    # test_files/ChemConverter/CV/Metrohm/NOVA-txt/File021_CV.txt): reading it as a spectrum must name the
    # columns, not claim that there are no data rows.
    from nakinetics.exceptions import FileFormatError
    from nakinetics.io import read_dc_record, read_spectra

    text = (
        "Potential applied (V);Time (s);WE(1).Current (A);WE(1).Potential (V);Scan;Index;Current range\n"
        "0,5010;6,4371;1E-05;0,5025;1;1;1 µA\n0,5021;6,4477;9,31E-06;0,5035;1;2;10 µA\n"
        "0,5032;6,4584;8,74E-06;0,5045;1;3;10 µA\n"
    )
    path = tmp_path / "cv.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"line 1: no impedance columns in header \['Potential applied"):
        read_spectra(path)
    record = read_dc_record(path)
    assert record.potential_v == pytest.approx([0.5025, 0.5035, 0.5045])  # WE(1).Potential, comma decimals
    assert record.current_a == pytest.approx([1e-5, 9.31e-6, 8.74e-6])


@pytest.mark.parametrize("written", ["05/03/2024 14:39:22.131", "05-03-2024 14:39:22.131"])
def test_eclab_start_time_with_slash_or_dash_dates(tmp_path, written):
    # EC-Lab 11.52 headers (Houlbergg/Thesis IRFB .mpt/.mpl files) write "Acquisition started on" month
    # first, with "/" in the .mpt and "-" in the log: both are the same instant.
    from nakinetics.io import read_spectrum

    head = ["EC-Lab ASCII FILE", "Nb header lines : 7", "", "Potentio Electrochemical Impedance Spectroscopy"]
    head += [f"Acquisition started on : {written}", ""]
    rows = ["freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\ttime/s", "1000\t10.0\t1.0\t0", "100\t11.0\t2.0\t5"]
    path = tmp_path / "peis.mpt"
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")
    spectrum = read_spectrum(path)
    assert spectrum.metadata.start_time == datetime(2024, 5, 3, 14, 39, 22, 131000)
    assert spectrum.impedance == pytest.approx([10 - 1j, 11 - 2j])


def test_chi_chronopotentiometry_with_short_key_wording(tmp_path):
    # CHI CP header written "Cathodic Time (s)" and "Init P/N = N" (the wording of CHI760E exports quoted in
    # ecat's parser tests) rather than "(sec)" and "Initial Polarity": the current is still rebuilt.
    text = (
        "Jan. 27, 2022   13:43:22\nChronopotentiometry\nFile:  C:\\data\\cp.bin\nData Source:  Experiment\n"
        "Instrument Model:  CHI760E\nHeader: \nNote: \n\nCathodic Current (A) = -0.025\n"
        "Anodic Current (A) = 0.025\nInit P/N = N\nCathodic Time (s) = 10\nAnodic Time (s) = 10\n"
        "Current Switching Priority = Time\n\nTime/sec, Potential/V\n\n"
        "0.000, 0.700\n2.000, 0.650\n4.000, 0.600\n10.000, 0.500\n12.000, 0.800\n18.000, 0.900\n"
    )
    path = tmp_path / "cp.txt"
    path.write_text(text)
    record = read_cycling_record(path)
    assert record.current_a == pytest.approx([-0.025, -0.025, -0.025, 0.025, 0.025, 0.025])
    assert record.metadata.start_time == datetime(2022, 1, 27, 13, 43, 22)
    assert record.metadata.instrument == "CHI760E"


def test_versastudio_dc_segments(tmp_path):
    # VersaStudio .par DC layout (VersaStudio manual "Save New Data", as quoted by public .par parsers):
    # <ActionN> Name= gives the technique, <SegmentN> Definition= names the comma columns.
    from nakinetics.io import read_dc_record

    text = (
        "<Application>\nVersion=2.66.2.0\n</Application>\n\n<Instrument>\nModel=PMC-1000\nType=PMC-1000\n"
        "</Instrument>\n\n<Experiment>\nTimeAcquired=10:41:31 AM\nDateAcquired=Thursday, June 12, 2025\n"
        "</Experiment>\n\n<Action0>\nWorking Electrode Area (cm2)=0.5\nName=Common\n</Action0>\n\n"
        "<Action1>\nDuration (s)=10\nCurrent (mA)=-6\nName=Constant Current\n</Action1>\n\n"
        "<Segment1>\nType=11\nVersion=3\nDefinition=Segment #, Point #, E(V), I(A), Elapsed Time(s), "
        "ADC Sync Input(V), Current Range, Status, E Applied(V), Frequency(Hz), ActionId\n"
        "0,0,3.331,-0.006,1,0.0,5,131077,0,0,1\n0,1,3.330,-0.006,2,0.0,5,131077,0,0,1\n</Segment1>\n"
        "<Segment2>\nDefinition=Segment #, Point #, E(V), I(A), Elapsed Time(s)\n1,0,3.310,-0.006,3\n</Segment2>\n"
    )
    path = tmp_path / "cc.par"
    path.write_text(text)
    record = read_dc_record(path)
    assert record.potential_v == pytest.approx([3.331, 3.330, 3.310])
    assert record.current_a == pytest.approx([-0.006, -0.006, -0.006])
    assert record.time_s == pytest.approx([1, 2, 3])
    meta = record.metadata
    assert (meta.technique, meta.area_cm2, meta.instrument) == ("CP", 0.5, "VersaStudio PMC-1000")
    assert meta.start_time == datetime(2025, 6, 12, 10, 41, 31)


def test_nova_fit_export_with_text_columns(tmp_path):
    # NOVA impedance export with fit columns (layout listed by MiguelO-UCSB/Plot-echem's README): frequency
    # after the impedance columns, a "Converged" text column, semicolons and decimal commas.
    from nakinetics.io import read_spectrum

    text = (
        "Z' (Ω);-Z'' (Ω);Error Z' (%);Error Z'' (%);Z (Ω);-Phase (°);Frequency (Hz);Convergence;"
        "Number of iterations;χ²\n"
        "10,5;1,2;0,1;0,2;10,568;6,52;100000;Converged;12;0,001\n"
        "11,0;3,5;0,1;0,2;11,543;17,65;10000;Converged;12;0,001\n"
        "14,0;8,0;0,1;0,2;16,125;29,74;1000;Not converged;40;0,003\n"
    )
    path = tmp_path / "nova_fit.txt"
    path.write_text(text, encoding="utf-8")
    spectrum = read_spectrum(path)
    assert spectrum.frequency == pytest.approx([1e5, 1e4, 1e3])
    assert spectrum.impedance == pytest.approx([10.5 - 1.2j, 11.0 - 3.5j, 14.0 - 8.0j])  # −Z'' flipped


def test_eclab_gcpl_cycling_metadata_matches_the_dc_reader(tmp_path):
    # EC-Lab 11.61 GCPL .mpt of a Na (NaClO4) T-cell with a reference electrode (yadg
    # tests/test_x_eclab/gcpl.issue_211.mpt layout): the cycling record names the device, the reference
    # electrode and the start of the record (acquisition start + time/s of the first point), as read_dc does.
    from datetime import timedelta

    from nakinetics.io import read_dc_record

    head = [
        "EC-Lab ASCII FILE",
        "Nb header lines : 10",
        "",
        "Galvanostatic Cycling with Potential Limitation",
        "",
        "Acquisition started on : 05/28/2025 14:23:16.145",
        "Device : VMP3 (SN 0858)",
        "Reference electrode : Ag/AgCl / KCl (sat'd) (0.197 V)",
        "Electrode surface area : 0.5 cm²",
    ]
    columns = "mode\tNs\ttime/s\tcontrol/V/mA\tEwe/V\tEce/V\t<I>/mA\tcycle number"
    rows = [
        "1\t1\t88246.5\t0.137\t-0.3223\t-0.52\t0.137\t0",
        "1\t1\t88276.5\t0.137\t-0.3173\t-0.51\t0.137\t0",
        "1\t2\t88306.5\t-0.137\t-0.3300\t-0.50\t-0.137\t0",
    ]
    path = tmp_path / "gcpl.mpt"
    path.write_text("\n".join([*head, columns, *rows]) + "\n", encoding="latin-1")
    record = read_cycling_record(path)
    meta = record.metadata
    assert meta.instrument == "BioLogic VMP3"
    assert meta.reference == "Ag/AgCl / KCl (sat'd) (0.197 V)"
    assert meta.start_time == datetime(2025, 5, 28, 14, 23, 16, 145000) + timedelta(seconds=88246.5)
    assert meta.area_cm2 == pytest.approx(0.5)
    assert record.current_a == pytest.approx([1.37e-4, 1.37e-4, -1.37e-4])
    dc = read_dc_record(path).metadata
    assert (dc.instrument, dc.reference, dc.start_time) == (meta.instrument, meta.reference, meta.start_time)


def test_neware_levelled_export_cycle_step_record_rows(tmp_path):
    # Neware BTS "regular" CSV export (cellpy testdata/data/nw_regular_export_ife_example.csv): three
    # header rows (cycle, step, record), rows indented by their level, a cycle row that goes on with its
    # first step.  Only record rows are data; step type, step index and cycle come from their parents.
    text = (
        "Cycle Index,Chg. Cap.(Ah),DChg. Cap.(Ah)\n"
        ",Step Index,Step Number,Step Type,Step Time\n"
        ",,DataPoint,Time,Total Time,Current(A),Voltage(V),Date\n"
        "1,0.001,0.0009,1,1,Rest,00:00:20\n"
        ",,1,00:00:00,00:00:00,0.0,3.000,2026-03-06 12:37:25\n"
        ",,2,00:00:20,00:00:20,0.0,3.001,2026-03-06 12:37:45\n"
        ",2,2,CC Chg,00:01:00\n"
        ",,3,00:00:00,00:00:20,0.002,3.500,2026-03-06 12:37:45\n"
        ",,4,00:01:00,00:01:20,0.002,3.900,2026-03-06 12:38:45\n"
        "2,0.002,0.0018,3,3,CC DChg,00:01:00\n"
        ",,5,00:00:00,00:01:20,0.002,3.800,2026-03-06 12:38:45\n"
        ",,6,00:01:00,00:02:20,0.002,3.100,2026-03-06 12:39:45\n"
    )
    path = tmp_path / "neware_export.csv"
    path.write_text(text)
    record = read_cycling_record(path)
    assert record.time_s == pytest.approx([0, 20, 20, 80, 80, 140])  # Total Time
    assert record.potential_v == pytest.approx([3.000, 3.001, 3.500, 3.900, 3.800, 3.100])
    assert record.current_a == pytest.approx([0, 0, 0.002, 0.002, -0.002, -0.002])  # unsigned: sign from type
    assert list(record.step) == [1, 1, 2, 2, 3, 3]
    assert list(record.mode) == [MODE_REST, MODE_REST, MODE_CC, MODE_CC, MODE_CC, MODE_CC]
    assert list(record.cycle) == [0, 0, 0, 0, 1, 1]
    assert record.metadata.start_time == datetime(2026, 3, 6, 12, 37, 25)


def test_land_rate_mode_export_is_land_not_arbin(tmp_path):
    # LAND/LANHE CSV as described in monocell's LANDT schema tests: units in the header (TestTime/h,
    # Current/mA), an empty spacer column, a temperature channel of "-", states R / RateC / RateD, and a
    # slice of a longer run (record and test time do not start at zero).
    from nakinetics.io import detect_format

    text = (
        "Record,SysTime,,Cycle-Index,Step-Index,TestTime/h,StepTime/h,Voltage/V,Current/mA,Capacity/mAh,"
        "SpeCap/mAh/g,Temperature/C,State\n"
        "1201,2024-01-05 10:00:00,,3,7,12.5,0.0,3.20,0.000,0.000,0.0,-,R\n"
        "1202,2024-01-05 10:06:00,,3,8,12.6,0.0,3.40,0.500,0.000,0.0,-,RateC\n"
        "1203,2024-01-05 10:12:00,,3,9,12.7,0.0,3.30,-0.500,0.000,0.0,-,RateD\n"
    )
    path = tmp_path / "land.csv"
    path.write_text(text)
    assert detect_format(path, kind="cycling") == "land"
    record = read_cycling_record(path)
    assert record.metadata.format == "land"
    assert record.time_s == pytest.approx([45000, 45360, 45720])  # 12.5 h, 12.6 h, 12.7 h
    assert record.current_a == pytest.approx([0, 5e-4, -5e-4])
    assert list(record.mode) == [MODE_REST, MODE_CC, MODE_CC]


def test_maccor_time_of_day_clock_takes_the_date_of_test(tmp_path):
    # battery-data-toolkit tests/files/maccor_example.002: "DPt Time" holds only the time of day; the day is
    # the preamble's "Date of Test".
    text = (
        "Today's Date 04/04/2016  Date of Test:\t04/01/2016\t Filename:\tC:\\x\\cell.002\n"
        "Rec#\tCyc#\tStep\tTest (Min)\tStep (Min)\tAmp-hr\tWatt-hr\tAmps\tVolts\tState\tES\tDPt Time\n"
        "1\t0\t1\t0.0000\t0.0000\t0\t0\t0\t3.3068\tR\t0\t16:05:31\n"
        "2\t0\t1\t0.1667\t0.1667\t0\t0\t0\t3.3057\tR\t1\t16:05:41\n"
    )
    path = tmp_path / "cell.002"
    path.write_text(text)
    record = read_cycling_record(path)
    assert record.metadata.start_time == datetime(2016, 4, 1, 16, 5, 31)
    assert record.time_s == pytest.approx([0, 10.002])


def test_cycler_csv_read_as_spectrum_or_dc_points_to_the_cycling_reader(tmp_path):
    from nakinetics.exceptions import FileFormatError
    from nakinetics.io import read_dc_records, read_spectra

    text = (
        "DataPoint,Cycle Index,Step Index,Step Type,Time,Total Time,Current(A),Voltage(V),Date\n"
        "1,1,1,Rest,00:00:00,00:00:00,0.0,2.917,2022-05-18 16:27:52\n"
        "2,1,1,Rest,00:01:00,00:01:00,0.0,2.918,2022-05-18 16:28:52\n"
    )
    path = tmp_path / "neware.csv"
    path.write_text(text)
    for reader in (read_spectra, read_dc_records):
        with pytest.raises(
            FileFormatError,
            match=r"line 1: .*(cycler export|time and a voltage).*read it with read_cycling_records",
        ):
            reader(path)
