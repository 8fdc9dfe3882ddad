"""Operando GEIS series (library): recovery of R_int(t) and of the onset from a synthetic experiment with
known truth, warm start with cold fall-back, time axes, DC quantities against hand calculations, pools."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import numpy as np
import pytest

from nakinetics.data import DCMetadata, DCRecord, Spectrum, SpectrumMetadata
from nakinetics.exceptions import DataError
from nakinetics.series import (
    Column,
    DCConditions,
    PreviousFit,
    ProcessPool,
    SeriesResult,
    SeriesSettings,
    SeriesTable,
    align_voltage,
    assign_times,
    detect_onset,
    fit_series,
    fit_spectrum,
    fits,
    na_thickness_um,
)
from nakinetics.series.dc import dc_apparent_asr
from nakinetics.series.runner import dc_onset
from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series
from nakinetics.series.table import csv_header, csv_row, parse_csv
from nakinetics.synthetic import synthetic_spectrum

CELL = OperandoCell()
FREQUENCY = np.geomspace(1e6, 0.1, 60)
INTERVAL_S = 600.0
Operando = tuple[list[Spectrum], DCRecord]
FIRST_S = 60.0  # the first spectrum starts 60 s after the current is switched on (series t = 0 there)


@pytest.fixture(scope="module")
def operando() -> tuple[list[Spectrum], DCRecord]:
    return operando_series(
        CELL, 36, INTERVAL_S, FREQUENCY, noise=0.01, rng=np.random.default_rng(7), first_s=FIRST_S
    )


@pytest.fixture(scope="module")
def fitted(operando: tuple[list[Spectrum], DCRecord]) -> SeriesResult:
    spectra, record = operando
    settings = SeriesSettings(
        CIRCUIT, area_cm2=CELL.area_cm2, current_ma_cm2=CELL.current_ma_cm2, kk_limit=0.02
    )
    return fit_series(spectra, settings, voltage=record)


def test_series_recovers_r_int_within_2_percent_per_spectrum(fitted: SeriesResult) -> None:
    table = fitted.table
    t_cell = table.column("time_s") + FIRST_S  # the synthetic cell's clock starts at switch-on
    r_int = table.column("R_int")
    truth = CELL.r_int(t_cell)
    assert len(table) == 36 and fitted.counts()["failed"] == 0
    assert truth.max() / truth.min() > 10  # the series really degrades
    assert np.all(np.abs(r_int / truth - 1) < 0.02), np.abs(r_int / truth - 1).max()
    # the reported 1σ errors are honest: residuals/stderr of order one
    z = (r_int - truth) / table.column("R_int_stderr")
    assert 0.3 < np.sqrt(np.mean(z**2)) < 3
    # first spectrum cold, then warm starts; no spurious fall-backs on smooth data
    assert table.rows[0]["fit_start"] == "cold"
    assert fitted.counts()["warm"] == 35


def test_series_finds_the_onset_within_one_interval_in_both_channels(fitted: SeriesResult) -> None:
    truth = CELL.onset_s - FIRST_S
    eis, dc = fitted.onset_eis, fitted.onset_dc
    assert eis.detected and dc is not None and dc.detected
    assert abs(eis.time_s - truth) < INTERVAL_S
    assert 0 < eis.stderr_s < INTERVAL_S
    assert eis.interval_s[0] < eis.time_s < eis.interval_s[1]
    assert abs(dc.time_s - truth) < 10 * INTERVAL_S / 60  # the 10 s voltage record pins it much better
    assert eis.tau_s == pytest.approx(CELL.tau_s, rel=0.1)
    assert fitted.agreement["agree"] is True


def test_dc_apparent_asr_charge_and_thickness_match_hand_calculation(fitted: SeriesResult) -> None:
    table = fitted.table
    # linear interface: (U − I·R_SE)·A/I equals R_int·A of the truth (voltage noise 0.05 mV ≪ I·R_int)
    t_cell = table.column("time_s") + FIRST_S
    expected_asr = CELL.r_int(t_cell) * CELL.area_cm2
    assert np.allclose(table.column("ASR_dc_apparent"), expected_asr, rtol=0.02)
    # q = j·(t − t_record_start): 0.2 mA cm⁻² for (time_s + 60 s)
    assert np.allclose(table.column("q_stripped_c_cm2"), 0.2e-3 * t_cell, rtol=1e-9)
    # domain check: 0.2 mA cm⁻² for 10 min = 0.12 C cm⁻² ≈ 0.30 µm of Na (V_m = 22.99/0.968 cm³/mol)
    assert na_thickness_um(0.12) == pytest.approx(0.12 / 96485.33212 * (22.98977 / 0.968) * 1e4, rel=1e-6)
    assert na_thickness_um(0.12) == pytest.approx(0.30, abs=0.01)
    # the sweep shading: start and end from the per-point times, time stamp in the middle
    row = table.rows[3]
    assert row["t_start_s"] == pytest.approx(3 * INTERVAL_S)
    assert row["time_s"] == pytest.approx(0.5 * (row["t_start_s"] + row["t_end_s"]))


def test_quality_columns_flag_nonlinearity_once_the_interface_grows(fitted: SeriesResult) -> None:
    table = fitted.table
    lin = table.column("linearity_mv")
    # |Z|max·i_ac by hand at the last spectrum: (R_SE + R_int)·7.85 µA
    last_truth = (CELL.r_se + CELL.r_int(table.rows[-1]["time_s"] + FIRST_S)) * CELL.ac_current_a * 1e3
    assert lin[-1] == pytest.approx(last_truth, rel=0.03)
    assert "nonlinear" in (table.rows[-1]["flags"] or "")
    assert "nonlinear" not in (table.rows[0]["flags"] or "")
    assert all(r["kk_pass"] for r in table.rows)  # valid synthetic spectra pass KK at a 2 % limit


def test_warm_fit_falls_back_to_cold_when_chi2_jumps() -> None:
    values = CELL.values(0.0)
    spectrum = synthetic_spectrum(CIRCUIT, values, FREQUENCY, noise=0.01, rng=np.random.default_rng(1))
    settings = SeriesSettings(CIRCUIT)
    # a previous fit that claimed an impossibly small χ² forces the jump rule
    previous = PreviousFit(values, redchi=1e-12)
    fit = fit_spectrum(spectrum, settings, previous)
    # warm and cold reach the same minimum: the cold fit is taken (a warm fit is kept only when clearly better)
    assert fit.start == "fallback" and fit.reason is not None and "jumped" in fit.reason
    assert fit.result.values["R2"] == pytest.approx(values["R2"], rel=0.02)
    # a sensible previous fit is kept warm
    honest = fit_spectrum(spectrum, settings, PreviousFit(values, redchi=fit.result.statistics.redchi))
    assert honest.start == "warm" and honest.reason is None


def test_warm_fit_from_a_wrong_start_is_rescued() -> None:
    values = CELL.values(0.0)
    spectrum = synthetic_spectrum(CIRCUIT, values, FREQUENCY, noise=0.01, rng=np.random.default_rng(2))
    cold = fit_spectrum(spectrum, SeriesSettings(CIRCUIT))
    wrong = {**values, "R1": 3000.0, "R2": 0.5, "CPE2_n": 0.5, "CPE1_n": 0.5}
    fit = fit_spectrum(
        spectrum, SeriesSettings(CIRCUIT), PreviousFit(wrong, redchi=cold.result.statistics.redchi)
    )
    assert fit.start == "fallback" and "bound" in (fit.reason or "")
    assert fit.result.statistics.chisqr <= cold.result.statistics.chisqr * 1.0001
    assert fit.result.values["R2"] == pytest.approx(values["R2"], rel=0.02)


def test_fix_electrolyte_holds_the_first_spectrum_value(operando: Operando) -> None:
    spectra, _ = operando
    settings = SeriesSettings(CIRCUIT, fix_electrolyte=True)
    table = fit_series(spectra[:6], settings).table
    r0 = table.column("R0")
    assert np.all(r0[1:] == r0[0]) and r0[0] == pytest.approx(CELL.r_se, rel=0.03)
    assert table.rows[0]["R0_stderr"] is not None and all(r["R0_stderr"] is None for r in table.rows[1:])


def _bare(spectrum: Spectrum, name: str | None) -> Spectrum:
    meta = SpectrumMetadata(source=name)
    return Spectrum(spectrum.frequency, spectrum.impedance, None, meta)


def test_times_from_interval_follow_natural_name_order(operando: Operando) -> None:
    spectra, _ = operando
    names = ["run/s10.csv", "run/s2.csv", "run/s1.csv"]
    bare = [_bare(s, n) for s, n in zip(spectra[:3], names, strict=True)]
    with pytest.raises(DataError, match="--interval"):
        assign_times(bare)
    axis = assign_times(bare, interval_s=600.0)
    assert [t.start_s for t in axis.times] == [1200.0, 600.0, 0.0]
    assert all(t.end_s is None for t in axis.times) and "interval" in axis.source


def test_absolute_times_give_start_end_and_origin(operando: Operando) -> None:
    spectra, _ = operando
    axis = assign_times(spectra[:3])
    start = spectra[0].metadata.start_time
    assert axis.origin == start
    sweep = spectra[0].point_times_s
    assert axis.times[1].start_s == pytest.approx(INTERVAL_S)
    assert axis.times[1].end_s - axis.times[1].start_s == pytest.approx(sweep.max() - sweep.min())


def test_voltage_alignment_by_absolute_time_or_offset() -> None:
    origin = datetime(2025, 1, 1, 12, 0, 0)
    record = DCRecord(
        potential_v=np.array([1.0, 2.0, 3.0]),
        current_a=np.zeros(3),
        time_s=np.array([0.0, 10.0, 20.0]),
        metadata=DCMetadata(start_time=origin - timedelta(seconds=30)),
    )
    trace = align_voltage(record, origin=origin)
    assert trace.offset_s == -30.0 and trace.voltage_at(-15.0) == pytest.approx(2.5)
    assert trace.current_a is None  # an all-zero current column means no current
    shifted = align_voltage(record, origin=origin, offset_s=5.0)
    assert shifted.voltage_at(10.0) == pytest.approx(1.5) and "voltage-offset" in shifted.alignment
    unaligned = align_voltage(dataclasses.replace(record, metadata=DCMetadata()), origin=origin)
    assert unaligned.offset_s == 0.0 and "none" in unaligned.alignment
    # drift over a window: a straight line through the points inside it
    drift, stderr = trace.drift_v(-30.0, -10.0)
    assert drift == pytest.approx(2.0) and stderr == pytest.approx(0.0, abs=1e-12)
    conditions = DCConditions(current_ma_cm2=None, area_cm2=2.0, trace=trace)
    assert conditions.current_a(0.0) is None and conditions.charge_c_cm2(0.0) is None


def test_onset_absent_in_a_flat_series_and_found_in_a_linear_kink() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(40) * 300.0
    flat = detect_onset(t, 100 + rng.standard_normal(t.size), np.ones(t.size))
    assert not flat.detected and flat.time_s is None
    kink = 100 + np.clip(t - 5000.0, 0, None) * 0.05 + 0.3 * rng.standard_normal(t.size)
    found = detect_onset(t, kink)
    assert found.detected and abs(found.time_s - 5000.0) < 300.0
    assert found.to_dict()["time_s"]["unit"] == "s"


def test_onset_in_a_long_series_with_fast_growth_has_no_overflow() -> None:
    t = np.arange(1200) * 60.0  # e-folding over a few samples: exp(span/τ) would overflow
    y = 1.0 + 1e-3 * np.random.default_rng(4).standard_normal(t.size)
    y[t > 60000.0] += np.expm1((t[t > 60000.0] - 60000.0) / 900.0) * 1e-3
    onset = detect_onset(t, y)
    assert onset.detected and abs(onset.time_s - 60000.0) < 300.0


@pytest.mark.slow
def test_onset_interval_covers_the_truth_about_two_times_in_three() -> None:
    rng = np.random.default_rng(11)
    t = np.arange(36) * INTERVAL_S + 45.0
    truth = CELL.r_int(t + 12345.0 - 12300.0)
    hits = 0
    for _ in range(60):
        y = truth + 0.004 * truth * rng.standard_normal(t.size)
        onset = detect_onset(t, y, 0.004 * truth)
        hits += onset.interval_s[0] <= 12300.0 <= onset.interval_s[1]
    assert 0.45 < hits / 60 < 0.9


def test_process_pool_gives_the_serial_rows(operando: Operando) -> None:
    spectra, record = operando
    for independent in (False, True):
        settings = SeriesSettings(CIRCUIT, area_cm2=CELL.area_cm2, independent=independent)
        serial = fit_series(spectra[:8], settings, voltage=record).table.rows
        with ProcessPool(2) as pool:
            parallel = fit_series(spectra[:8], settings, voltage=record, pool=pool).table.rows
        assert parallel == serial


def test_warm_chains_run_in_parallel_and_agree_with_one_chain(
    operando: Operando, fitted: SeriesResult
) -> None:
    # chains of 8 spectra, each starting cold: the same rows serially and with two workers, and the same
    # fits as the single warm-start chain through all 36 spectra (the module fixture) to 1e-5
    spectra, record = operando
    settings = dataclasses.replace(fitted.settings, cold_every=8)
    serial = fit_series(spectra, settings, voltage=record)
    with ProcessPool(2) as pool:
        parallel = fit_series(spectra, settings, voltage=record, pool=pool)
    assert parallel.table.rows == serial.table.rows
    starts = [row["fit_start"] for row in serial.table.rows]
    assert [k for k, start in enumerate(starts) if start == "cold"] == [0, 8, 16, 24, 32]
    assert fitted.settings.cold_every > len(spectra) and fitted.counts()["cold"] == 1
    for name in ("R0", "R1", "R2", "R_int", "CPE2_Q"):
        np.testing.assert_allclose(serial.table.column(name), fitted.table.column(name), rtol=1e-5)
    assert serial.onset_eis.time_s == pytest.approx(fitted.onset_eis.time_s, rel=1e-4)


def test_chain_length_is_checked() -> None:
    from nakinetics.exceptions import ArgumentError, ArgumentTypeError

    with pytest.raises(ArgumentError, match="cold_every must be ≥ 0"):
        SeriesSettings(CIRCUIT, cold_every=-1)
    with pytest.raises(ArgumentTypeError, match="whole number"):
        SeriesSettings(CIRCUIT, cold_every=2.5)  # type: ignore[arg-type]


def test_fixed_electrolyte_is_shared_by_all_chains(operando: Operando) -> None:
    spectra, _ = operando
    settings = SeriesSettings(CIRCUIT, fix_electrolyte=True, cold_every=3)
    serial = fit_series(spectra[:8], settings).table
    with ProcessPool(2) as pool:
        parallel = fit_series(spectra[:8], settings, pool=pool).table
    assert parallel.rows == serial.rows
    r0 = serial.column("R0")
    assert np.all(r0[1:] == r0[0]) and serial.count("fit_start", "cold") == 3


def test_fixed_electrolyte_comes_from_a_later_chain_when_the_first_fails(operando: Operando) -> None:
    # the first chain (two 3-point spectra) cannot be fitted: the first spectrum that fits, at the start
    # of the second chain, fixes R0 for every later spectrum, with or without workers
    spectra, _ = operando
    bad = [
        dataclasses.replace(s, frequency=s.frequency[:3], impedance=s.impedance[:3], point_times_s=None)
        for s in spectra[:2]
    ]
    settings = SeriesSettings(CIRCUIT, fix_electrolyte=True, cold_every=2)
    serial = fit_series(bad + spectra[2:7], settings).table
    with ProcessPool(2) as pool:
        assert fit_series(bad + spectra[2:7], settings, pool=pool).table.rows == serial.rows
    assert [row["status"] for row in serial.rows[:2]] == ["failed", "failed"]
    r0 = serial.column("R0")[2:]
    assert np.all(r0 == r0[0]) and serial.count("fit_start", "cold") == 3


def test_fixed_electrolyte_in_independent_mode_with_a_pool(operando: Operando) -> None:
    spectra, _ = operando
    settings = SeriesSettings(CIRCUIT, independent=True, fix_electrolyte=True)
    serial = fit_series(spectra[:6], settings).table
    with ProcessPool(2) as pool:
        parallel = fit_series(spectra[:6], settings, pool=pool).table
    assert parallel.rows == serial.rows
    r0 = serial.column("R0")
    assert np.all(r0 == r0[0]) and serial.count("fit_start", "cold") == 6


# another dask cluster on this machine (a shared CI host) moves the scheduler's HTTP port: not our concern
@pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning")
def test_dask_local_cluster_gives_the_serial_rows(operando: Operando) -> None:
    distributed = pytest.importorskip("distributed")
    from nakinetics.series import DaskPool

    spectra, _ = operando
    modes = [SeriesSettings(CIRCUIT, independent=True), SeriesSettings(CIRCUIT, cold_every=2)]
    serial = [fit_series(spectra[:4], settings).table.rows for settings in modes]
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None, protocol="tcp"
        ) as cluster,
        DaskPool(cluster.scheduler_address) as pool,
    ):
        assert pool.workers == 2
        parallel = [fit_series(spectra[:4], settings, pool=pool).table.rows for settings in modes]
    assert parallel == serial  # independent fits, and warm-start chains of two


def _timed(spectra: list[Spectrum]) -> list[Spectrum]:
    """``spectra`` with absolute start times every INTERVAL_S and no source (keyed by position)."""
    start = datetime(2025, 1, 1)
    return [
        Spectrum(
            s.frequency,
            s.impedance,
            None,
            SpectrumMetadata(start_time=start + timedelta(seconds=k * INTERVAL_S)),
        )
        for k, s in enumerate(spectra)
    ]


def test_slow_degradation_of_the_warm_fits_triggers_a_cold_check() -> None:
    # noise ×1.4 per spectrum: reduced χ² ×1.96 per step (modulus weighting, χ² ∝ noise²), never ×3 over the
    # previous spectrum, but ×3.8 over the reference two spectra back
    values = CELL.values(0.0)
    noise = [0.01 * 1.4**k for k in range(5)]
    spectra = [
        synthetic_spectrum(CIRCUIT, values, FREQUENCY, noise=e, rng=np.random.default_rng(20 + k))
        for k, e in enumerate(noise)
    ]
    table = fit_series(_timed(spectra), SeriesSettings(CIRCUIT)).table
    redchi = table.column("redchi")
    assert np.all(redchi[1:] / redchi[:-1] < 3)  # the old rule (χ² over the previous one) never fires
    assert [r["fit_start"] for r in table.rows] == ["cold", "warm", "fallback", "warm", "fallback"]
    assert "reference" in table.rows[2]["fallback_reason"]


def test_a_bound_reached_by_a_kept_warm_fit_keeps_triggering_cold_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # truth CPE2_n = 1.05 lies beyond the upper bound 1: every fit ends at that bound
    values = {**CELL.values(0.0), "CPE2_n": 1.05}
    spectra = [
        synthetic_spectrum(CIRCUIT, values, FREQUENCY, noise=0.01, rng=np.random.default_rng(30 + k))
        for k in range(2)
    ]
    settings = SeriesSettings(CIRCUIT)
    real_fit = fits.fit_circuit
    start = PreviousFit(CELL.values(0.0), redchi=real_fit(spectra[0], CIRCUIT).statistics.redchi)

    def poor_cold_fit(
        spectrum: Spectrum, circuit: str, *, warm_start: object = None, **options: object
    ) -> object:
        if warm_start is None:  # a cold fit that misses the minimum (CPE2_n held far off)
            options["fixed"] = {**options["fixed"], "CPE2_n": 0.6}  # type: ignore[dict-item]
        return real_fit(spectrum, circuit, warm_start=warm_start, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(fits, "fit_circuit", poor_cold_fit)
    previous = start
    for spectrum in spectra:
        fit = fit_spectrum(spectrum, settings, previous)
        assert fit.start == "warm (kept over cold)" and "CPE2_n at a bound" in (fit.reason or "")
        assert fit.result.values["CPE2_n"] == pytest.approx(1.0)
        previous = fit.following(previous)
        assert previous.at_bound == frozenset()  # the questionable bound is not made acceptable
        assert previous.redchi == fit.result.statistics.redchi
    # a cold fit that itself ends at the bound makes it acceptable: the next warm fit stays warm
    monkeypatch.setattr(fits, "fit_circuit", real_fit)
    fallback = fit_spectrum(spectra[0], settings, start)
    assert fallback.start == "fallback" and "CPE2_n" in fallback.at_bound
    assert fit_spectrum(spectra[1], settings, fallback.following(start)).start == "warm"


def test_onset_requires_growth_not_a_fall() -> None:
    rng = np.random.default_rng(40)
    t = np.arange(36) * INTERVAL_S
    rising = 130 + 100 * np.expm1(np.clip(t - 12000.0, 0, None) / 3000.0) + rng.standard_normal(t.size)
    assert detect_onset(t, rising, np.ones(t.size)).detected  # the detector does see this change ...
    falling = 2 * rising.mean() - rising  # ... and its mirror image is an improvement, not deterioration
    onset = detect_onset(t, falling, np.ones(t.size))
    assert not onset.detected and onset.time_s is None
    # R_int that decreases linearly after some time: a change of slope, but downwards
    bending_down = 200 - 0.01 * np.clip(t - 10000.0, 0, None) + rng.standard_normal(t.size)
    assert not detect_onset(t, bending_down, np.ones(t.size)).detected


def test_decaying_conditioning_transient_is_no_onset() -> None:
    t = np.arange(36) * INTERVAL_S
    for seed in range(3):
        rng = np.random.default_rng(50 + seed)
        transient = 130 + 60 * np.exp(-t / 1500.0) + rng.standard_normal(t.size)
        onset = detect_onset(t, transient, np.ones(t.size))
        assert not onset.detected, onset.note
        # the same transient followed by real growth from 12 300 s: found within one spectrum interval
        growing = transient + 100 * np.expm1(np.clip(t - 12300.0, 0, None) / 3000.0)
        found = detect_onset(t, growing, np.ones(t.size))
        assert found.detected and abs(found.time_s - 12300.0) < INTERVAL_S


def test_random_walk_voltage_is_not_an_onset() -> None:
    t = np.arange(400) * 50.0
    for seed in range(5):
        walk = 0.05 + 1e-3 * np.cumsum(np.random.default_rng(60 + seed).standard_normal(t.size))
        onset = detect_onset(t, walk)
        assert not onset.detected, onset.delta_bic
        assert onset.autocorrelation > 0.5  # recognised as correlated noise


def _sweeps(starts: list[float], duration: float) -> SeriesTable:
    rows = [{"t_start_s": t, "t_end_s": t + duration, "time_s": t + duration / 2} for t in starts]
    return SeriesTable.build([], rows)


def test_dc_onset_uses_the_stripping_period_and_charge_counts_from_switch_on() -> None:
    # 300 s open-circuit rest (I = 0, U ≈ 0), then 0.2 mA cm⁻² on 0.785 cm²: U = I·R, R growing after 9000 s
    cell = OperandoCell(onset_s=9000.0, tau_s=3000.0)
    t = np.arange(0.0, 18000.0, 10.0)
    on = t >= 300.0
    current = np.where(on, cell.current_a, 0.0)
    u = np.where(on, cell.voltage(t), 0.0) + 5e-5 * np.random.default_rng(70).standard_normal(t.size)
    record = DCRecord(u, current, t, metadata=DCMetadata())
    trace = align_voltage(record, origin=None, offset_s=0.0)
    conditions = DCConditions(current_ma_cm2=None, area_cm2=cell.area_cm2, trace=trace)
    assert conditions.stripping_span() == (300.0, t[-1])
    # ∫|I| dt / A from switch-on: j·(t − 300 s), by hand 0.2 mA cm⁻² × 1000 s = 0.2 C cm⁻²
    assert conditions.charge_c_cm2(1300.0) == pytest.approx(0.2, rel=1e-9)
    with_j = DCConditions(current_ma_cm2=0.2, area_cm2=cell.area_cm2, trace=trace)
    assert with_j.charge_c_cm2(1300.0) == pytest.approx(0.2, rel=1e-9)
    onset = dc_onset(_sweeps([400.0 + 600.0 * k for k in range(28)], 300.0), conditions)
    assert onset is not None and onset.detected and abs(onset.time_s - 9000.0) < 60.0
    assert "from 400 s" in (onset.note or "")  # the rest and the switch-on step are left out
    # the same record as a random walk: no onset
    walk = np.where(on, 0.05 + 1e-3 * np.cumsum(np.random.default_rng(71).standard_normal(t.size)), 0.0)
    walking = DCConditions(
        None, cell.area_cm2, align_voltage(dataclasses.replace(record, potential_v=walk), origin=None)
    )
    assert not dc_onset(_sweeps([400.0 + 600.0 * k for k in range(28)], 300.0), walking).detected


def test_dc_apparent_asr_with_opposite_sign_conventions() -> None:
    # U = +0.1 V with I = −100 µA (the record counts the current the other way), R_SE = 40 Ω, A = 0.785 cm²:
    # (0.1 − 1e-4·40)·0.785/1e-4 = 753.6 Ω cm², the same as with both positive
    assert dc_apparent_asr(0.1, -1e-4, 40.0, 0.785) == pytest.approx(753.6)
    assert dc_apparent_asr(-0.1, 1e-4, 40.0, 0.785) == pytest.approx(753.6)
    assert dc_apparent_asr(0.1, 1e-4, 40.0, 0.785) == pytest.approx(753.6)


def test_partial_per_point_times_give_consistent_middle_of_sweep_stamps(operando: Operando) -> None:
    spectra, _ = operando
    mixed = [spectra[0], dataclasses.replace(spectra[1], point_times_s=None), spectra[2]]
    axis = assign_times(mixed)
    sweep = spectra[0].point_times_s
    duration = sweep.max() - sweep.min()
    assert axis.times[0].time_s == pytest.approx(duration / 2)
    # no per-point times: start + half the others' (median) duration, end unknown
    assert axis.times[1].end_s is None
    assert axis.times[1].time_s == pytest.approx(INTERVAL_S + duration / 2)
    assert "2 of 3" in axis.source and "median" in axis.source


def test_line_breaks_in_text_cells_do_not_lose_rows() -> None:
    columns = [
        Column("file", "", "file", str),
        Column("index", "1", "index", int),
        Column("reason", "", "reason", str),
        Column("time_s", "s", "time"),
    ]
    rows = [
        {"file": "a.mpt", "index": 0, "reason": "bad header\nline 2\r\nline 3\u2028end", "time_s": 1.5},
        {"file": "b.mpt", "index": 0, "reason": None, "time_s": 2.5},
    ]
    text = csv_header(columns) + "".join(csv_row(r, columns) for r in rows)
    assert len(text.split("\n")) == 4  # header, two rows, the empty tail: one line per row
    parsed = parse_csv(text, columns)
    assert parsed.dropped == 0 and len(parsed.rows) == 2
    assert parsed.rows[0]["reason"] == "bad header line 2 line 3 end"
    assert parsed.rows[1] == rows[1]


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_fast_onset_grid_matches_explicit_least_squares(rho: float) -> None:
    # the grid search's suffix-sum normal equations against a plain least-squares fit per onset:
    # y ~ a + b·s + A·growth, weighted, AR(1)-prewhitened, growth exponential or linear after t_c
    from nakinetics.series.onset import _Profile

    rng = np.random.default_rng(11)
    s = np.sort(rng.uniform(0, 1, 300))
    s = (s - s[0]) / np.ptp(s)
    y = 0.05 * rng.standard_normal(s.size) + np.where(s > 0.55, np.expm1((s - 0.55) / 0.2), 0.0)
    w = rng.uniform(0.5, 2.0, s.size)
    profile = _Profile(s, y, w, rho)
    onsets = np.linspace(s[3], s[-4], 40)
    sw = np.sqrt(w)

    def whiten(a: np.ndarray) -> np.ndarray:
        a = a * sw
        return a if rho == 0 else a[1:] - rho * a[:-1]

    for tau in (0.02, 0.2, 5.0, np.inf):
        expected = []
        for c in onsets:
            x = np.clip(s - c, 0, None)
            growth = x if np.isinf(tau) else np.expm1(x / tau)
            growth = growth / growth.max()  # scaled to 1 at the last point, as the model is
            design = np.column_stack([whiten(np.ones_like(s)), whiten(s), whiten(growth)])
            beta, *_ = np.linalg.lstsq(design, whiten(y), rcond=None)
            sse = float(np.sum((whiten(y) - design @ beta) ** 2))
            expected.append(min(sse, profile.sse_null) if beta[2] > 0 else profile.sse_null)
        np.testing.assert_allclose(profile.sse_grid(onsets, tau), expected, rtol=1e-7)
        np.testing.assert_allclose(profile.sse(onsets, tau), expected, rtol=1e-7)
