"""Second newcomer pass: every number a command reports from a circuit fit carries the fit's quality checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import nakinetics as nk
from nakinetics.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _write_csv(spectrum: nk.Spectrum, path: Path) -> Path:
    rows = ["frequency/Hz,Z'/Ohm,Z''/Ohm"] + [
        f"{float(f)!r},{float(z.real)!r},{float(z.imag)!r}"
        for f, z in zip(spectrum.frequency, spectrum.impedance, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def _pellet_with_grain_boundary_arc(path: Path) -> Path:
    """Bulk intercept 100 Ω, a grain-boundary arc of 400 Ω at ~4 kHz, electrode spike; 0.3 % noise."""
    values = {"R1": 100.0, "R2": 400.0, "CPE2_Q": 1e-7, "CPE2_n": 0.9, "CPE3_Q": 1e-6, "CPE3_n": 0.85}
    spectrum = nk.simulate(
        "R1-p(R2,CPE2)-CPE3", values, np.logspace(6, -1, 71), noise=0.003, rng=np.random.default_rng(4)
    )
    return _write_csv(spectrum, path)


def test_conductivity_warns_when_the_model_misses_an_arc(tmp_path: Path) -> None:
    """An intercept + spike model forced on a spectrum with a 400 Ω grain-boundary arc cannot describe it: the
    σ it reports (from R = 100 + 400 Ω at best) comes with the same model-adequacy warning `fit` gives."""
    spectrum = _pellet_with_grain_boundary_arc(tmp_path / "pellet.csv")
    code, out, err = _run("conductivity", spectrum, "--thickness", 0.1, "--area", 1, "-c", "pellet_intercept")
    assert code == 0, err
    assert "the model does not describe the data" in out
    code, out, err = _run("conductivity", spectrum, "--thickness", 0.1, "--area", 1, "-c", "pellet_1arc")
    assert code == 0, err
    assert "does not describe the data" not in out and "Kramers–Kronig test fails" not in out
    code, out, err = _run(
        "conductivity", spectrum, "--thickness", 0.1, "--area", 1, "-c", "pellet_1arc", "--json", "-"
    )
    # the true model recovers σ_total = L/((R1 + R2)·A) = 0.1/500 S/cm
    assert json.loads(out)["sigma_total"]["value"] == pytest.approx(2e-4, rel=0.01)


def test_conductivity_of_a_misfitted_real_spectrum_is_flagged(realdata: Path) -> None:
    """CHI 660E example: none of the pellet models describes its curved low-frequency branch (the chosen
    intercept + spike misses it by ~9 % RMS, seven times the Kramers–Kronig residual): the report says so."""
    code, out, err = _run(
        "conductivity", realdata / "eis" / "chi660e_ac-impedance.txt", "--thickness", 0.1, "--diameter", 1
    )
    assert code == 0, err
    assert "the model does not describe the data" in out


def test_warburg_from_a_fit_that_misses_an_arc_is_flagged(tmp_path: Path) -> None:
    """σ from `warburg -c randles_w` on a spectrum with an extra 200 Ω surface-layer arc: the Randles fit
    cannot describe the data, and the report says so (it did not), while the true circuit recovers σ = 50."""
    truth = "R0-p(R1,CPE1)-p(R2-W2,CPE2)"
    values = {
        "R0": 10,
        "R1": 200,
        "CPE1_Q": 1e-7,
        "CPE1_n": 0.9,
        "R2": 300,
        "W2": 50,
        "CPE2_Q": 1e-5,
        "CPE2_n": 0.85,
    }
    path = _write_csv(
        nk.simulate(truth, values, np.logspace(6, -2, 81), noise=0.003, rng=np.random.default_rng(9)),
        tmp_path / "cell.csv",
    )
    base = ("warburg", path, "--area", 1, "--conc", "1M")
    code, out, err = _run(*base, "-c", "randles_w")
    assert code == 0, err
    assert "the model does not describe the data" in out
    code, out, err = _run(*base, "-c", truth, "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["sigma"]["value"] == pytest.approx(50, rel=0.03)
    assert not any("does not describe" in w for w in record["warnings"])


def test_geis_readme_example_writes_its_outputs_into_the_new_out_folder(tmp_path: Path) -> None:
    """The README's `geis … --out run_fit --plot run_fit/dashboard.png --json run_fit/summary.json` on a
    first run: the folder does not exist yet, and the files go into it (it was refused: folder does not
    exist).  A plot in another missing folder is still refused before any work."""
    from tests.test_geis_cli import write_series

    spectra = write_series(tmp_path / "spectra", 4)
    out = tmp_path / "run_fit"
    args = ("geis", spectra, "-c", "na_se_na_2arc", "--area", 0.785, "--interval", 600, "--out", out)
    code, _, err = _run(*args, "--plot", out / "dashboard.png", "--json", out / "summary.json")
    assert code == 0, err
    assert {p.name for p in out.iterdir()} >= {
        "series.csv",
        "dashboard.png",
        "dashboard_nyquist.png",
        "summary.json",
    }
    assert json.loads((out / "summary.json").read_text())["counts"]["spectra"] == 4
    other = tmp_path / "elsewhere"
    code, _, err = _run(*args[:-1], tmp_path / "second", "--plot", other / "dashboard.png")
    assert code == 1 and "folder" in err and "does not exist" in err
    assert not (tmp_path / "second").exists()


@pytest.mark.parametrize(
    ("option", "typed", "fixed"),
    [
        ("--area", "0,785", "0.785"),
        ("--temperature", "298,15", "298.15"),
        ("--temperature", "25,5C", "25.5C"),
    ],
)
def test_a_decimal_comma_is_named_as_such(option: str, typed: str, fixed: str) -> None:
    """European keyboards: '0,785' was refused as "unknown area unit ',785'"; the message now names the slip."""
    code, _, err = _run("fit", EXAMPLES / "na_nzsp_na_cycled.txt", "-c", "na_se_na_1arc", option, typed)
    assert code == 2 and f"write the decimal separator as a point: {fixed}" in err


def test_decimal_comma_in_the_library_and_points_still_parse() -> None:
    from nakinetics.exceptions import DataError
    from nakinetics.temperature import parse_temperature
    from nakinetics.units import parse_area, parse_concentration

    with pytest.raises(DataError, match=r"point: 0\.5M"):
        parse_concentration("0,5M")
    assert parse_area("78.5mm2") == (pytest.approx(0.785), True)
    assert parse_temperature("25.5C") == pytest.approx(298.65)


def test_an_empty_frequency_window_names_the_options_not_python_values() -> None:
    """`fit --fmin 1e7` on a spectrum ending at 1 MHz said "between fmin=10000000.0 Hz and fmax=None Hz"."""
    code, _, err = _run("fit", EXAMPLES / "na_nzsp_na_cycled.txt", "--fmin", "1e7")
    assert code == 1
    assert "no points in the frequency window at or above 1e+07 Hz (--fmin/--fmax)" in err
    assert "None" not in err and "the data span 1–1e+06 Hz" in err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    """A CHI export re-encoded to UTF-16 without a BOM (iconv -t UTF-16LE) was refused ("first line is
    'A\\x00...'"); it reads to the same arrays as the UTF-8 original."""
    original = EXAMPLES / "na_nzsp_na_cycled.txt"
    copy = tmp_path / "cycled.txt"
    copy.write_bytes(original.read_text(encoding="utf-8").encode(encoding))
    expected, got = nk.read_spectrum(original), nk.read_spectrum(copy)
    assert np.array_equal(got.frequency, expected.frequency)
    assert np.array_equal(got.impedance, expected.impedance)


def test_binary_files_are_not_taken_for_utf16(realdata: Path) -> None:
    """Binary formats hold NULs at even and odd positions: the BOM-less UTF-16 test leaves them alone."""
    from nakinetics.io._source import is_utf16

    for name in ("eis/biologic_sp300_geis_4loops.mpr", "eis_more/zahner_ism_eis_li-ion-battery.ism"):
        assert not is_utf16((realdata / name).read_bytes())
    assert is_utf16((realdata / "eis_more" / "palmsens_pstrace-csv_eis_2spectra_utf16.csv").read_bytes())


def test_unaligned_voltage_record_is_worded_plainly() -> None:
    """`geis` printed "aligned by none: the voltage record give(s) no absolute start time"."""
    from datetime import datetime

    from nakinetics.data import DCMetadata, DCRecord
    from nakinetics.series.dc import align_voltage

    record = DCRecord(
        potential_v=np.array([1.0, 2.0]),
        current_a=np.zeros(2),
        time_s=np.array([0.0, 10.0]),
        metadata=DCMetadata(),
    )
    trace = align_voltage(record, origin=datetime(2025, 1, 1))
    assert (
        "the voltage record gives no absolute start time" in trace.alignment and "(s)" not in trace.alignment
    )


def test_pellet_lengths_take_units_and_a_bare_mm_value_is_warned() -> None:
    """--diameter 11.14 (mm typed as cm) gave σ 100× too low and --thickness 1.62 σ 10× too high without a
    word; both now warn naming the slip, and `11.14mm` / `1.62mm` give the σ of 1.114 cm / 0.162 cm."""
    pellet = EXAMPLES.parent / "data_diffusion" / "nzsp_pellet_25C.csv"

    def sigma(*geometry: object) -> tuple[float, str]:
        code, out, err = _run("conductivity", pellet, *geometry, "--json", "-")
        assert code == 0, err
        return json.loads(out)["sigma_total"]["value"], err

    reference, err = sigma("--thickness", 0.162, "--diameter", 1.114)
    assert reference == pytest.approx(4.1e-3, rel=0.01) and "warning" not in err  # the example's 4.1e-3 S/cm
    value, err = sigma("--thickness", 0.162, "--diameter", 11.14)
    assert value == pytest.approx(reference / 100) and "write 11.14mm" in err
    value, err = sigma("--thickness", 1.62, "--diameter", 1.114)
    assert value == pytest.approx(reference * 10) and "write 1.62mm" in err
    value, err = sigma("--thickness", "1.62mm", "--diameter", "11.14mm")
    assert value == pytest.approx(reference) and "warning" not in err


@pytest.mark.parametrize(("q", "has_rct"), [(2e-5, True), (5e-2, False)])
def test_tafel_says_why_the_eis_link_has_no_i0(tmp_path: Path, q: float, has_rct: bool) -> None:
    """`tafel --eis` printed "R_ct = n/a, i0 EIS = n/a" without a reason when the spectrum's arc is not taken
    as charge transfer (here C_eff ≈ 0.04 F cm⁻², a diffusion-like capacitance); the report now says why."""
    spectrum = nk.simulate(
        "R0-p(R1,CPE1)", {"R0": 5, "R1": 100, "CPE1_Q": q, "CPE1_n": 0.95}, np.logspace(5, -3, 56)
    )
    eis = _write_csv(spectrum, tmp_path / "eis.csv")
    sweep = EXAMPLES.parent / "data_tafel" / "na_na_sweep.csv"
    code, out, err = _run("tafel", sweep, "--area", 1.131, "--eis", eis, "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert (record["eis_link"]["R_ct"] is not None) is has_rct
    notes = [w for w in record["warnings"] if w.startswith("no EIS i0")]
    assert bool(notes) is not has_rct
    if notes:
        assert "charge-transfer role" in notes[0] and "diffusion" in notes[0]


def test_temperature_from_a_folder_name_is_not_repeated() -> None:
    """'25C/pellet.csv' was reported as "folder name '25C': '25C'"; a longer folder name keeps both."""
    from nakinetics.arrhenius import pair_temperatures
    from nakinetics.data import Spectrum, SpectrumMetadata

    base = nk.simulate("R0-p(R1,CPE1)", [10, 100, 1e-6, 0.9], np.logspace(5, 0, 20))
    spectra = [
        Spectrum(base.frequency, base.impedance, metadata=SpectrumMetadata(source=name))
        for name in ("runs/25C/pellet.csv", "runs/series_60C/pellet.csv")
    ]
    pairing, _ = pair_temperatures(spectra)
    assert [p.temperature_k for p in pairing] == pytest.approx([298.15, 333.15])
    assert pairing[0].detail == "folder name '25C'"
    assert pairing[1].detail == "folder name 'series_60C': '60C'"


def test_conductivity_help_says_circuit_strings_work() -> None:
    """`conductivity -c` takes circuit strings (the README passes printed ones back), its help said PRESET."""
    code, out, _ = _run("conductivity", "--help")
    assert code == 0 and "-c, --circuit PRESET|STRING" in out
    pellet = EXAMPLES.parent / "data_diffusion" / "nzsp_pellet_25C.csv"
    by_name = _run("conductivity", pellet, "--thickness", 0.162, "--diameter", 1.114, "-c", "pellet_1arc")
    by_string = _run(
        "conductivity", pellet, "--thickness", 0.162, "--diameter", 1.114, "-c", "R1-p(R2,CPE2)-CPE3"
    )
    assert by_name[0] == by_string[0] == 0
    sigma = [line for line in by_string[1].splitlines() if line.startswith("sigma_total")]
    assert sigma and sigma == [line for line in by_name[1].splitlines() if line.startswith("sigma_total")]
