"""Messages a new user meets on the command line name what to do there (newcomer pass)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stderr


def test_wrong_format_names_the_detected_one() -> None:
    code, err = _run("fit", EXAMPLES / "data" / "na_nzsp_na_cycled.txt", "--format", "gamry")
    assert code == 1 and "Traceback" not in err
    assert "looks like a CH Instruments" in err and "--format chi" in err and "format=" not in err


def test_time_voltage_record_advice_follows_the_command(tmp_path: Path) -> None:
    t = np.arange(0, 7200, 10.0)
    u = np.where((t // 3600) % 2 == 0, 0.02, -0.02)
    path = tmp_path / "tv.csv"
    path.write_text("time/s,Ewe/V\n" + "\n".join(f"{a},{b}" for a, b in zip(t, u, strict=True)) + "\n")
    code, err = _run("cycling", path, "--area", "1")
    assert code == 1 and "--current" in err and "current_a" not in err  # cycling has --current
    code, err = _run("tafel", path, "--area", "1")
    assert code == 1 and "export the current too" in err  # tafel has no such option


def test_warburg_window_advice_names_the_options() -> None:
    code, err = _run(
        "warburg", EXAMPLES / "data" / "na_nzsp_na_pristine.txt", "--area", "1", "--conc", "1e-3"
    )
    assert code == 1 and "(--fmin/--fmax)" in err and "-c randles_w" in err


def test_arrhenius_table_without_unit_names_the_option(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("T,sigma\n25,0.004\n50,0.009\n75,0.018\n")
    code, err = _run("arrhenius", "--table", table)
    assert code == 1 and "--temperature-unit K or C" in err and "temperature_unit=" not in err


def test_gamry_start_time_with_microseconds(realdata: Path) -> None:
    """Framework writes ``TIME LABEL 21:09:58.727375`` in newer files; the header text is the expectation."""
    from datetime import datetime

    from nakinetics.io import read_spectra

    [s] = read_spectra(realdata / "eis_more" / "gamry_galveis_dta_0.5A-dc_low-impedance-cell.DTA")
    assert s.metadata.start_time == datetime(2024, 10, 25, 21, 9, 58, 727375)


def test_simulate_warns_about_values_fit_cannot_reach(tmp_path: Path) -> None:
    args = ["simulate", "R0-p(R1,CPE1)", "-p", "R0=10", "-p", "CPE1_Q=1e-5", "-o", tmp_path / "s.csv"]
    code, err = _run(*args, "-p", "R1=-100", "-p", "CPE1_n=1.5")
    assert code == 0 and "warning: R1 = -100 Ohm is outside" in err and "warning: CPE1_n = 1.5" in err
    code, err = _run(*args, "-p", "R1=100", "-p", "CPE1_n=0.9")
    assert code == 0 and "warning" not in err


def test_cycling_messages_name_options_not_python(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, err = _run("cycling", empty, "--area", "1")
    assert code == 1 and "expected a cycling record" in err and "impedance" not in err
    t = np.arange(0, 400.0)
    i = np.where((t // 100) % 2 == 0, 1.0, 0.0)  # 1 mA on, off, on, off: never reversed
    one_way = tmp_path / "one_way.csv"
    np.savetxt(
        one_way, np.c_[t, 0.02 * i, i], delimiter=",", header="time (s),Voltage (V),Current (mA)", comments=""
    )
    for args, expected in [
        (["--area", "1"], "pass --unidirectional to analyse one-way segments"),
        ([], "electrode area unknown; pass --area (cm²)"),
        (["--area", "1", "--half-cycle", "1h"], "--half-cycle is only for time–voltage records"),
    ]:
        code, err = _run("cycling", one_way, *args)
        assert code == 1 and expected in err, err
        assert "=True" not in err and "area_cm2" not in err and "half_cycle_h" not in err


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["arrhenius"], "--table"),
        (["tafel", "sweep.csv"], "--eis"),
        (["cycling", "record.csv"], "--eis"),
        (["geis", "spectra.mpt", "-c", "R0-p(R1,CPE1)"], "--voltage"),
    ],
)
def test_quoted_glob_pattern_for_a_one_file_option_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], option: str
) -> None:
    # two files match the pattern, but it reached the option unexpanded (quoted): the option takes one file
    monkeypatch.chdir(tmp_path)
    for name in ("sweep.csv", "record.csv", "spectra.mpt", "a1.mpt", "a2.mpt"):
        (tmp_path / name).write_text("x\n")
    code, err = _run(*command, option, "a*.mpt")
    assert code == 2
    assert f"Invalid value for '{option}'" in err
    assert "looks like a glob pattern: this option takes one file" in err
    # a plain missing file keeps click's own message, without the hint
    code, err = _run(*command, option, "missing.mpt")
    assert "glob" not in err


def test_process_substitution_file_is_named_by_its_path() -> None:
    # `nakinetics validate <(cat f)` hands us /dev/fd/N: the report must name that path, not the bare "N"
    import os

    read_end, write_end = os.pipe()
    try:
        os.write(write_end, (EXAMPLES / "data" / "na_nzsp_na_pristine.txt").read_bytes())
        os.close(write_end)
        path = f"/dev/fd/{read_end}"
        if not Path(path).exists():
            pytest.skip("no /dev/fd on this system")
        result = CliRunner().invoke(main, ["validate", path])
    finally:
        os.close(read_end)
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.split() == ["file", path]


def test_every_spectrum_of_a_multi_spectrum_file_carries_its_index(realdata: Path) -> None:
    # 4 loops in one file: the error lines name [0], [1], [2], [3] alike (the first had no "[0]")
    path = realdata / "eis" / "biologic_sp300_geis_4loops.mpt"
    result = CliRunner().invoke(main, ["fit", str(path), "-c", "R0-p(R1,CPE1)", "--fmin", "3e5"])
    lines = [ln for ln in result.stderr.splitlines() if "no points in the frequency window" in ln]
    assert len(lines) == 4
    for k in range(4):
        assert sum(f"biologic_sp300_geis_4loops.mpt[{k}]: " in ln for ln in lines) == 1
    # a file with one spectrum keeps its bare name
    code, err = _run(
        "fit", EXAMPLES / "data" / "na_nzsp_na_pristine.txt", "-c", "R0-p(R1,CPE1)", "--fmin", "3e9"
    )
    assert code == 1 and "na_nzsp_na_pristine.txt: no points" in err


def test_preset_name_copied_with_its_trailing_colon_is_accepted() -> None:
    # "na_se_na_2arc:" copied from a batch summary line is the preset na_se_na_2arc
    from nakinetics.exceptions import PresetError
    from nakinetics.parameters import resolve_circuit
    from nakinetics.presets import get_preset

    circuit, preset = resolve_circuit("na_se_na_2arc:")
    assert preset is not None and preset.name == "na_se_na_2arc"
    assert str(circuit) == str(get_preset("na_se_na_2arc").circuit)
    with pytest.raises(PresetError, match="did you mean 'na_se_na_2arc'"):
        resolve_circuit("na_se_na_2ar:")
    code, _ = _run("fit", EXAMPLES / "data" / "na_nzsp_na_pristine.txt", "-c", "na_se_na_2arc:")
    assert code == 0
