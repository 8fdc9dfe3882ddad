"""``nakinetics geis``: real GEIS files with their times, resume after an interruption (in-process, killed
process, half-written line), corrupt files, parallel workers, changed settings, the example script."""

from __future__ import annotations

import csv
import json
import os
import runpy
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.data import Spectrum
from nakinetics.series import runner
from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series

CELL = OperandoCell()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "geis_series_example.py"


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_series(folder: Path, n: int) -> Path:
    """``n`` synthetic spectra as generic CSV files without times (name order = time order)."""
    spectra, _ = operando_series(
        CELL, n, 1200.0, np.geomspace(1e6, 0.1, 40), noise=0.01, rng=np.random.default_rng(5), first_s=0.0
    )
    folder.mkdir()
    for k, spectrum in enumerate(spectra):
        rows = [
            f"{f:.9e},{z.real:.9e},{z.imag:.9e}"
            for f, z in zip(spectrum.frequency, spectrum.impedance, strict=True)
        ]
        (folder / f"spec_{k + 1}.csv").write_text("\n".join(["freq/Hz,Z'/Ohm,Z''/Ohm", *rows]) + "\n")
    return folder


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_series(tmp_path_factory.mktemp("geis") / "spectra", 16)


def geis_args(folder: Path, out: Path, *extra: object) -> list[object]:
    return ["geis", folder, "-c", CIRCUIT, "--interval", 1200, "--area", CELL.area_cm2, "--out", out, *extra]


@pytest.fixture(scope="module")
def reference(series: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """series.csv of an uninterrupted serial run."""
    out = tmp_path_factory.mktemp("reference")
    code, _, err = run(*geis_args(series, out))
    assert code == 0, err
    return (out / "series.csv").read_text()


def test_biologic_loops_are_read_with_their_per_point_times(realdata: Path, tmp_path: Path) -> None:
    source = realdata / "eis" / "biologic_sp300_geis_4loops.mpt"
    code, out, err = run("geis", source, "-c", "na_se_na_1arc", "--out", tmp_path, "--json", "-")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["counts"]["spectra"] == 4 and summary["counts"]["failed"] == 0
    # origin = first loop's first point: acquisition start 11:02:29.886 + its time/s (61.515 s)
    assert summary["time_axis"]["origin"] == "2024-01-10T11:03:31.401199"
    # independent expectation: the time/s column of the file itself (column 6, after 76 header lines)
    raw = np.loadtxt(source, skiprows=76, usecols=5, encoding="latin-1")
    loops = raw.reshape(4, 21)
    rows = read_rows(tmp_path / "series.csv")
    starts = [float(r["t_start_s"]) for r in rows]
    ends = [float(r["t_end_s"]) for r in rows]
    assert np.allclose(starts, loops[:, 0] - loops[0, 0], atol=1e-6)
    assert np.allclose(ends, loops[:, -1] - loops[0, 0], atol=1e-6)
    assert [r["fit_start"] for r in rows] == ["cold", "warm", "warm", "warm"]
    assert all(float(r["R_int"]) > 0 and float(r["R_int_stderr"]) > 0 for r in rows)


def test_ivium_file_is_read_with_its_start_time(realdata: Path, tmp_path: Path) -> None:
    source = realdata / "eis" / "ivium_compactstat_geis_constant-I.idf"
    code, out, err = run("geis", source, "-c", "na_se_na_1arc", "--out", tmp_path, "--json", "-")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["time_axis"]["origin"] == "2022-12-12T17:18:49"  # starttime=12/12/2022 5:18:49 PM
    assert summary["counts"]["spectra"] == 1
    assert "too few" in summary["onset"]["eis"]["note"]
    # the file's AC amplitude (1 mA) gives the linearity column: max|Z| × 1 mA
    assert float(read_rows(tmp_path / "series.csv")[0]["linearity_mv"]) > 0


def interrupted_run(monkeypatch: pytest.MonkeyPatch, fits: int, *args: object) -> None:
    """Run ``nakinetics *args`` in-process, interrupted (KeyboardInterrupt) when fit number ``fits + 1``
    starts."""
    original = runner.fit_spectrum
    calls = {"n": 0}

    def interrupt(*a: object, **k: object) -> object:
        calls["n"] += 1
        if calls["n"] > fits:
            raise KeyboardInterrupt
        return original(*a, **k)

    with monkeypatch.context() as patch:
        patch.setattr(runner, "fit_spectrum", interrupt)
        code, _, _ = run(*args)
    assert code != 0


def test_interrupted_run_resumes_to_the_uninterrupted_result(
    series: Path, reference: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    interrupted_run(monkeypatch, 5, *geis_args(series, tmp_path))
    assert len((tmp_path / "series.csv").read_text().splitlines()) == 1 + 5  # five rows survived
    code, out, err = run(*geis_args(series, tmp_path, "--json", "-"))
    assert code == 0, err
    counts = json.loads(out)["counts"]
    assert counts["resumed"] == 5 and counts["fitted_now"] == 11
    assert (tmp_path / "series.csv").read_text() == reference


def test_interrupted_chained_run_resumed_with_workers_gives_the_serial_result(
    series: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # warm-start chains of 5 spectra: interrupted inside the second chain, resumed with two workers
    code, _, err = run(*geis_args(series, tmp_path / "serial", "--cold-every", 5))
    assert code == 0, err
    interrupted_run(monkeypatch, 7, *geis_args(series, tmp_path / "resumed", "--cold-every", 5))
    code, out, err = run(
        *geis_args(series, tmp_path / "resumed", "--cold-every", 5, "--workers", 2, "--json", "-")
    )
    assert code == 0, err
    counts = json.loads(out)["counts"]
    assert counts["resumed"] == 7
    assert counts["cold"] == 4  # the chains start at spectra 1, 6, 11 and 16
    serial = (tmp_path / "serial" / "series.csv").read_text()
    assert (tmp_path / "resumed" / "series.csv").read_text() == serial


def test_killed_process_resumes_to_the_uninterrupted_result(
    series: Path, reference: str, tmp_path: Path
) -> None:
    args = [sys.executable, "-m", "nakinetics", *map(str, geis_args(series, tmp_path))]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    csv = tmp_path / "series.csv"
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if csv.exists() and len(csv.read_text().splitlines()) >= 4:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    process.wait()
    survived = len(csv.read_text().splitlines()) - 1
    assert process.returncode == -signal.SIGKILL and 3 <= survived < 16  # killed in the middle
    code, out, err = run(*geis_args(series, tmp_path, "--json", "-"))
    assert code == 0, err
    assert json.loads(out)["counts"]["resumed"] >= 3
    assert csv.read_text() == reference


def test_half_written_last_line_is_dropped_and_refitted(series: Path, reference: str, tmp_path: Path) -> None:
    lines = reference.splitlines(keepends=True)
    (tmp_path / "series.csv").write_text("".join(lines[:7]) + lines[7][: len(lines[7]) // 2])
    code, _, _ = run(*geis_args(series, tmp_path / "first"))  # creates a settings file to copy
    assert code == 0
    (tmp_path / "series_settings.json").write_text((tmp_path / "first" / "series_settings.json").read_text())
    code, out, err = run(*geis_args(series, tmp_path, "--json", "-"))
    assert code == 0, err
    counts = json.loads(out)["counts"]
    assert counts["dropped_incomplete_lines"] == 1 and counts["resumed"] == 6
    assert (tmp_path / "series.csv").read_text() == reference


def test_changed_settings_are_refused(series: Path, reference: str, tmp_path: Path) -> None:
    code, _, _ = run(*geis_args(series, tmp_path))
    assert code == 0
    code, _, err = run(*geis_args(series, tmp_path, "--fix-electrolyte"))
    assert code == 1
    assert "other settings" in err and "fix_electrolyte: False → True" in err
    assert (tmp_path / "series.csv").read_text() == reference  # untouched


def test_corrupt_file_becomes_a_failed_row_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = write_series(tmp_path / "spectra", 6)
    (folder / "spec_4b.csv").write_text("this is not an impedance spectrum\n")
    code, out, err = run(*geis_args(folder, tmp_path / "out", "--json", "-"))
    assert code == 4, err  # a failed row: exit code 4, as for every batch command
    summary = json.loads(out)
    assert summary["counts"]["failed"] == 1 and summary["counts"]["spectra"] == 7
    failure = summary["failures"][0]
    assert failure["file"].endswith("spec_4b.csv") and failure["index"] == -1
    assert "spec_4b.csv" in failure["reason"] and "unreadable" in failure["reason"]
    assert "failed: spec_4b.csv" in err  # the terminal summary names it (stderr because --json -)


@pytest.mark.parametrize("mode", [(), ("--independent",), ("--cold-every", 5)])
def test_two_workers_give_the_serial_result(series: Path, tmp_path: Path, mode: tuple[object, ...]) -> None:
    code, _, err = run(*geis_args(series, tmp_path / "serial", *mode))
    assert code == 0, err
    code, _, err = run(*geis_args(series, tmp_path / "pool", *mode, "--workers", 2))
    assert code == 0, err
    assert (tmp_path / "pool" / "series.csv").read_text() == (tmp_path / "serial" / "series.csv").read_text()


def test_missing_times_without_interval_is_a_clear_error(series: Path, tmp_path: Path) -> None:
    code, _, err = run("geis", series, "-c", CIRCUIT, "--out", tmp_path)
    assert code == 1
    assert err.startswith("error: ") and "--interval" in err and len(err.strip().splitlines()) == 1


@pytest.mark.examples
def test_example_produces_the_dashboard_and_finds_the_onset(tmp_path: Path) -> None:
    module = runpy.run_path(str(EXAMPLE))
    assert module["main"](tmp_path) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    truth = module["CELL"].onset_s - module["FIRST_SPECTRUM_S"]
    onset = summary["onset"]
    assert abs(onset["eis"]["time_s"]["value"] - truth) < 600
    assert abs(onset["dc"]["time_s"]["value"] - truth) < 60
    assert onset["agreement"]["agree"] is True
    assert summary["voltage"]["alignment"] == "--voltage-offset -60 s"
    for name in ("dashboard.png", "dashboard_nyquist.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# another dask cluster on this machine (a shared CI host) moves the scheduler's HTTP port: not our concern
@pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning")
def test_dask_cluster_gives_the_serial_result(series: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    code, _, err = run(*geis_args(series, tmp_path / "serial", "--independent"))
    assert code == 0, err
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None, protocol="tcp"
    ) as cluster:
        code, out, err = run(
            *geis_args(
                series, tmp_path / "dask", "--independent", "--dask", cluster.scheduler_address, "--json", "-"
            )
        )
    assert code == 0, err
    assert "distributed" in json.loads(out)["versions"]
    assert (tmp_path / "dask" / "series.csv").read_text() == (tmp_path / "serial" / "series.csv").read_text()


@pytest.mark.slow  # waits for the 10 s connection timeout
def test_unreachable_dask_scheduler_is_a_clear_error(series: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    code, _, err = run(*geis_args(series, tmp_path, "--independent", "--dask", "tcp://127.0.0.1:9"))
    assert code == 1 and "cannot connect to the Dask scheduler" in err


def test_repaired_file_is_fitted_in_its_slot_and_changed_times_are_refused(tmp_path: Path) -> None:
    folder = write_series(tmp_path / "spectra", 5)
    good = (folder / "spec_3.csv").read_text()
    (folder / "spec_3.csv").write_text("garbage\n")
    out = tmp_path / "out"
    code, text, err = run(*geis_args(folder, out, "--json", "-"))
    assert code == 4, err
    assert json.loads(text)["counts"]["failed"] == 1
    failed = next(r for r in read_rows(out / "series.csv") if r["status"] == "failed")
    assert float(failed["time_s"]) == 2 * 1200.0  # with --interval an unreadable file keeps its slot
    code, text, err = run(*geis_args(folder, out, "--retry-failed", "--json", "-"))  # still unreadable
    assert code == 4, err
    assert json.loads(text)["counts"] == {**json.loads(text)["counts"], "failed": 1, "spectra": 5}
    (folder / "spec_3.csv").write_text(good)
    code, text, err = run(*geis_args(folder, out, "--json", "-"))
    assert code == 0, err
    counts = json.loads(text)["counts"]
    assert counts["failed"] == 0 and counts["spectra"] == 5 and counts["fitted_now"] == 1
    # a spectrum slipped into the name order moves the later ones in time: refused, nothing rewritten
    before = (out / "series.csv").read_text()
    (folder / "spec_2b.csv").write_text(good)
    code, _, err = run(*geis_args(folder, out))
    assert code == 1 and "spectrum times differ from the earlier run" in err
    assert (out / "series.csv").read_text() == before


def test_file_unreadable_now_keeps_its_rows_without_a_failed_duplicate(tmp_path: Path) -> None:
    folder = write_series(tmp_path / "spectra", 5)
    out = tmp_path / "out"
    code, _, err = run(*geis_args(folder, out))
    assert code == 0, err
    before = read_rows(out / "series.csv")
    (folder / "spec_3.csv").write_text("garbage\n")  # fitted before, unreadable now
    code, text, err = run(*geis_args(folder, out, "--json", "-"))
    assert code == 0, err
    summary = json.loads(text)
    assert summary["counts"]["spectra"] == 5 and summary["counts"]["failed"] == 0
    kept = summary["resume"]["unreadable_now_rows_kept"]
    assert len(kept) == 1 and kept[0]["file"].endswith("spec_3.csv")
    assert "cannot be read now" in err and "spec_3.csv" in err
    assert read_rows(out / "series.csv") == before  # no (file, -1) failed row beside the fitted one


def test_rows_of_spectra_no_longer_among_the_inputs_are_dropped(tmp_path: Path) -> None:
    folder = write_series(tmp_path / "spectra", 6)
    out = tmp_path / "out"
    code, _, err = run(*geis_args(folder, out))
    assert code == 0, err
    (folder / "spec_6.csv").unlink()
    code, text, err = run(*geis_args(folder, out, "--json", "-"))
    assert code == 0, err
    summary = json.loads(text)
    assert summary["counts"]["spectra"] == 5 and summary["counts"]["resumed"] == 5
    assert summary["counts"]["fitted_now"] == 0
    gone = summary["resume"]["dropped_not_in_inputs"]
    assert [Path(g["file"]).name for g in gone] == ["spec_6.csv"]
    assert "no longer among the inputs" in err
    # the table and its analysis are those of a fresh run on the five files that remain
    code, fresh_text, err = run(*geis_args(folder, tmp_path / "fresh", "--json", "-"))
    assert code == 0, err
    assert (out / "series.csv").read_text() == (tmp_path / "fresh" / "series.csv").read_text()
    assert summary["onset"] == json.loads(fresh_text)["onset"]


def _truncated(spectrum: Spectrum, n: int) -> Spectrum:
    times = spectrum.point_times_s
    return Spectrum(
        spectrum.frequency[:n],
        spectrum.impedance[:n],
        None if times is None else times[:n],
        spectrum.metadata,
    )


def test_a_growing_last_loop_is_fitted_again_on_resume(tmp_path: Path) -> None:
    example = runpy.run_path(str(EXAMPLE))
    spectra, _ = operando_series(
        CELL, 4, 600.0, np.geomspace(1e6, 0.1, 30), noise=0.01, rng=np.random.default_rng(8), first_s=0.0
    )
    start = datetime(2025, 3, 1, 9, 0, 0)  # operando_series' default start
    mpt = tmp_path / "growing.mpt"
    mpt.write_text(example["mpt_text"]([*spectra[:3], _truncated(spectra[3], 18)], CELL, start))
    out = tmp_path / "out"
    args = ["geis", mpt, "-c", CIRCUIT, "--area", CELL.area_cm2, "--out", out]
    code, _, err = run(*args)
    assert code == 0, err
    assert read_rows(out / "series.csv")[-1]["data_fingerprint"].startswith("18:")
    mpt.write_text(example["mpt_text"](spectra, CELL, start))  # the instrument finished the last loop
    code, text, err = run(*args, "--json", "-")
    assert code == 0, err  # its end time moved: not refused as a changed time axis
    summary = json.loads(text)
    assert summary["counts"]["fitted_now"] == 1 and summary["counts"]["resumed"] == 3
    assert summary["resume"]["refitted_changed"] == ["growing.mpt[3]"]
    code, _, err = run("geis", mpt, "-c", CIRCUIT, "--area", CELL.area_cm2, "--out", tmp_path / "fresh")
    assert code == 0, err
    assert (out / "series.csv").read_text() == (tmp_path / "fresh" / "series.csv").read_text()


def test_ac_current_overrides_the_file_and_needs_the_area(tmp_path: Path) -> None:
    example = runpy.run_path(str(EXAMPLE))
    spectra, _ = operando_series(
        CELL, 2, 600.0, np.geomspace(1e6, 0.1, 30), noise=0.01, rng=np.random.default_rng(9), first_s=0.0
    )
    mpt = tmp_path / "two.mpt"
    mpt.write_text(example["mpt_text"](spectra, CELL, datetime(2025, 3, 1, 9)))
    base = ["geis", mpt, "-c", CIRCUIT, "--area", CELL.area_cm2]
    code, _, err = run(*base, "--out", tmp_path / "file")
    assert code == 0, err
    code, _, err = run(*base, "--ac-current", 0.02, "--out", tmp_path / "given")
    assert code == 0, err
    stated = [float(r["linearity_mv"]) for r in read_rows(tmp_path / "file" / "series.csv")]
    given = [float(r["linearity_mv"]) for r in read_rows(tmp_path / "given" / "series.csv")]
    # the file states 10 µA cm⁻² (7.85 µA); --ac-current 0.02 mA cm⁻² doubles max|Z|·i_ac
    assert np.allclose(np.array(given) / np.array(stated), 2.0, rtol=1e-6)
    code, _, err = run("geis", mpt, "-c", CIRCUIT, "--ac-current", 0.02, "--out", tmp_path / "no_area")
    assert code == 2 and "--ac-current" in err and "--area" in err
