"""Regression tests for the defects of issue 11, each with its minimal input: every bad input gives one
line naming the file (or argument) and the problem, exit code 1 (2 for usage), and the library raises the
project's own exceptions (which also subclass ValueError/TypeError)."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from click.testing import CliRunner

import nakinetics as nk
from nakinetics import diffusion
from nakinetics.circuit import MAX_NESTING
from nakinetics.cli import main
from nakinetics.exceptions import ArgumentError, ArgumentTypeError, DataError, NakineticsError
from nakinetics.kinetics import analyse_polarization, synthetic_sweep, triangular_sweep
from nakinetics.synthetic import synthetic_spectrum
from nakinetics.validation import kramers_kronig_test

ONE_ARC = {"R0": 20.0, "R1": 100.0, "CPE1_Q": 1e-5, "CPE1_n": 0.9}
FREQ = np.logspace(6, -1, 36)


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and "np.float64" not in err
    return lines[0]


def spectrum_csv(path: Path, rows: np.ndarray) -> Path:
    path.write_text("freq/Hz,Z'/Ohm,Z''/Ohm\n" + "".join(f"{f:.10g},{a:.10g},{b:.10g}\n" for f, a, b in rows))
    return path


def one_arc_rows() -> np.ndarray:
    z = nk.Circuit("R0-p(R1,CPE1)").simulate(FREQ, ONE_ARC)
    return np.column_stack([FREQ, z.real, z.imag])


# 1. one zero-impedance point ------------------------------------------------------------------------


@pytest.fixture
def zero_point_file(tmp_path: Path) -> Path:
    rows = one_arc_rows()
    rows[30] = [10.0, 0.0, 0.0]  # "10,0,0" among normal rows (frequencies 1 MHz … 0.1 Hz)
    rows[30, 0] = FREQ[30]
    return spectrum_csv(tmp_path / "zero.csv", rows)


@pytest.mark.parametrize(
    "command",
    [
        ["fit"],
        ["validate"],
        ["conductivity", "--thickness", "0.1", "--area", "1"],
        ["geis", "-c", "R0-p(R1,CPE1)"],
    ],
)
def test_a_zero_impedance_point_is_named_not_a_traceback(
    zero_point_file: Path, command: list[str], tmp_path: Path
) -> None:
    extra = ["--out", tmp_path / "series", "--interval", 60] if command[0] == "geis" else []
    code, _, err = run(command[0], zero_point_file, *command[1:], *extra)
    if command[0] == "geis":  # a spectrum that cannot be fitted is a failed row, the run goes on (exit 4)
        assert code == 4, err
        row = (tmp_path / "series" / "series.csv").read_text().splitlines()[1]
        assert ",failed," in row and "Z = 0 Ω at" in row
        return
    line = one_line_error(err)
    assert code == 1
    assert f"zero.csv: Z = 0 Ω at {FREQ[30]:g} Hz (1 point(s))" in line and "remove the point" in line


def test_the_zero_point_can_be_left_out_by_the_frequency_window(zero_point_file: Path) -> None:
    code, out, err = run(
        "fit", zero_point_file, "-c", "R0-p(R1,CPE1)", "--fmin", FREQ[29] * 1.01, "--json", "-"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["parameters"]["R1"]["value"] == pytest.approx(100.0, rel=1e-3)


def test_the_library_refuses_a_zero_point_with_a_data_error() -> None:
    rows = one_arc_rows()
    z = rows[:, 1] + 1j * rows[:, 2]
    z[5] = 0.0
    spectrum = nk.Spectrum(FREQ, z)
    for call in (lambda: nk.fit_circuit(spectrum, "na_se_na_1arc"), lambda: kramers_kronig_test(spectrum)):
        with pytest.raises(DataError, match="Z = 0 Ω at"):
            call()


# 5. strict JSON ------------------------------------------------------------------------------------


def test_tafel_on_the_real_pt_orr_sweep_writes_strict_json(realdata: Path, tmp_path: Path) -> None:
    source = realdata / "dc" / "meg-lbnl_tafel_fitter" / "Pt-ORR_100mM_perchloric_acid_1600rpm.csv"
    # --cell symmetric: the analysis this regression was found with (the file's overpotential column now
    # makes the default a single interface, whose fit has a finite rms)
    code, _, err = run("tafel", source, "--cell", "symmetric", "--json", tmp_path / "t.json")
    assert code == 0, err

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON")

    record = json.loads((tmp_path / "t.json").read_text(), parse_constant=refuse)
    residuals = record["diagnostics"]["residuals"]
    # every point of this ORR sweep is within 3× of the noise crossover: no rms(ln i), and it says why
    assert residuals["rms_log_current"] is None and "noise crossover" in residuals["rms_log_current_note"]


def test_a_spectrum_of_1e_minus_300_ohm_is_refused_not_written_as_infinity(tmp_path: Path) -> None:
    rows = one_arc_rows()
    rows[:, 1:] *= 1e-300
    path = spectrum_csv(tmp_path / "tiny.csv", rows)
    code, _, err = run("fit", path, "--json", tmp_path / "out.json")
    assert code == 1 and not (tmp_path / "out.json").exists()
    assert "tiny.csv: |Z| = " in one_line_error(err) and "not a measured impedance" in err


# 6. degenerate sweeps -------------------------------------------------------------------------------


def sweep_csv(path: Path, v: np.ndarray, i: np.ndarray) -> Path:
    path.write_text(
        "Potential/V,Current/A\n" + "".join(f"{a:.10g},{b:.10g}\n" for a, b in zip(v, i, strict=True))
    )
    return path


SWEEP_V = np.linspace(-0.4, 0.4, 81)
SWEEP_I = 2e-4 * np.sinh(SWEEP_V / (4 * 0.025693))


@pytest.mark.parametrize(
    ("name", "potential", "current", "message"),
    [
        (
            "constant.csv",
            np.full(81, 0.1),
            SWEEP_I,
            "the potential does not vary enough (span 0 mV, 1 distinct value(s) over 81 points)",
        ),
        ("huge.csv", np.where(SWEEP_V > 0.3, 1e308, SWEEP_V), SWEEP_I, "potential 1e+308 V at point 71"),
        ("zero.csv", SWEEP_V, 0 * SWEEP_I, "the current is zero at every point"),
    ],
)
def test_degenerate_sweeps_are_refused_in_one_line_naming_the_file(
    tmp_path: Path, name: str, potential: np.ndarray, current: np.ndarray, message: str
) -> None:
    code, _, err = run("tafel", sweep_csv(tmp_path / name, potential, current))
    assert code == 1
    line = one_line_error(err)
    assert f"error: {name}: " in line and message in line


def test_a_sweep_with_runs_at_one_potential_gives_the_true_i0(tmp_path: Path) -> None:
    """Quantised potentials (runs of points at one value) made the window statistics singular
    (LinAlgError); the windows without a line are now skipped.  Truth: i = 2·i0·sinh(FV/4RT), i0 = 0.1 mA."""
    v = np.round(np.linspace(-0.4, 0.4, 161) / 0.05) * 0.05
    code, out, err = run(
        "tafel", sweep_csv(tmp_path / "steps.csv", v, 2e-4 * np.sinh(v / (4 * 0.025693))), "--json", "-"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["parameters"]["i0"]["value"] == pytest.approx(0.1, rel=1e-3)


def test_analyse_polarization_refuses_degenerate_records_with_a_data_error() -> None:
    record = synthetic_sweep("bv", "symmetric", i0=1e-4, potential_v=triangular_sweep(-0.3, 0.3, 0.01))
    flat = analyse_polarization  # same record, current zeroed
    with pytest.raises(DataError, match="current is zero at every point"):
        flat((record.potential_v, 0 * record.current_a))


# 8. frequencies spanning hundreds of decades --------------------------------------------------------


def test_a_frequency_of_1e_minus_300_hz_is_refused_by_fit_and_validate(tmp_path: Path) -> None:
    rows = one_arc_rows()
    rows[-1, 0] = 1e-300
    path = spectrum_csv(tmp_path / "wide.csv", rows)
    for command in ("fit", "validate", "warburg"):
        extra = ["--area", 1, "--conc", 1e-3] if command == "warburg" else []
        code, _, err = run(command, path, *extra)
        assert code == 1
        assert "wide.csv: frequency 1e-300 Hz (1 point(s)) is outside 1e-08–1e+13 Hz" in one_line_error(err)


# 9. warburg: bounded memory -------------------------------------------------------------------------


def test_warburg_window_search_is_bounded_and_matches_the_exhaustive_one() -> None:
    truth = {"R0": 10.0, "R1": 50.0, "W1": 30.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9}
    small = synthetic_spectrum(
        "R0-p(R1-W1,CPE1)", truth, np.logspace(5, -3, 120), noise=0.005, rng=np.random.default_rng(1)
    )
    bounded = diffusion.warburg_slope(small)
    with mock.patch.object(diffusion, "MAX_WINDOW_EDGES", 10_000):
        exhaustive = diffusion.warburg_slope(small)
    assert (bounded.mask == exhaustive.mask).all()  # up to 399 points: every window, as before

    sizes: list[int] = []
    original = diffusion._candidates

    def counting(*args: np.ndarray) -> diffusion._Candidates:
        sizes.append(args[3].size)
        return original(*args)

    large = synthetic_spectrum(
        "R0-p(R1-W1,CPE1)", truth, np.logspace(5, -3, 10_000), noise=0.005, rng=np.random.default_rng(2)
    )
    with mock.patch.object(diffusion, "_candidates", counting):
        result = diffusion.warburg_slope(large)
    assert max(sizes) < 100_000  # not the 5·10⁷ windows of 10 000 points
    assert result.sigma.value == pytest.approx(30.0, rel=0.01)


# 12. every parameter fixed --------------------------------------------------------------------------


def test_fitting_with_every_parameter_fixed_evaluates_the_model() -> None:
    spectrum = synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ)
    result = nk.fit_circuit(spectrum, "R0", fixed={"R0": 50.0})
    z = spectrum.impedance
    expected = float(
        np.sum(((50.0 - z.real) / np.abs(z)) ** 2 + (z.imag / np.abs(z)) ** 2)
    )  # modulus weights
    stats = result.statistics
    assert stats.n_varying == 0 and stats.chisqr == pytest.approx(expected, rel=1e-12)
    assert stats.redchi == pytest.approx(expected / (2 * FREQ.size))
    assert result.parameters["R0"].stderr is None and result.parameters["R0"].vary is False
    code, out, err = run("fit", spectrum_csv_from(spectrum), "-c", "R0", "--fix", "R0=50", "--json", "-")
    assert code == 0, err
    assert json.loads(out)["statistics"]["chisqr"] == pytest.approx(expected, rel=1e-6)


def spectrum_csv_from(spectrum: nk.Spectrum) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "s.csv"
    return spectrum_csv(path, np.column_stack([spectrum.frequency, spectrum.real, spectrum.imag]))


# 13. deeply nested circuits -------------------------------------------------------------------------


def test_deeply_nested_circuits_are_refused_in_one_line(tmp_path: Path) -> None:
    text = "p(" * 500 + "R1,C1" + ")" * 500
    with pytest.raises(nk.CircuitSyntaxError, match=f"nested deeper than {MAX_NESTING} levels") as error:
        nk.Circuit(text)
    assert len(str(error.value)) < 400  # the 3000-character string is quoted briefly
    code, _, err = run(
        "fit", spectrum_csv_from(synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ)), "-c", text
    )
    assert code == 1 and "nested deeper than 32 levels" in one_line_error(err)
    nk.Circuit("(" * MAX_NESTING + "R1" + ")" * MAX_NESTING)  # the limit itself is fine


# 14. argument validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "kind", "message"),
    [
        ({"weighting": "bogus"}, ArgumentError, "weighting must be one of 'modulus', 'proportional', 'unit'"),
        ({"max_starts": 0}, ArgumentError, "max_starts must be an integer ≥ 1, got 0"),
        ({"max_starts": 2.5}, ArgumentTypeError, "max_starts must be an integer"),
        ({"bounds": {"CPE1_n": (-1, 0)}}, ArgumentError, "do not overlap its range [0.3, 1]"),
        ({"bounds": {"R1": ("1", "10")}}, ArgumentTypeError, "must be a number, got '1' (str)"),
        ({"bounds": {"R1": (math.nan, 10)}}, ArgumentError, "must be a finite number, got nan"),
        ({"bounds": {"R1": (10, 1)}}, ArgumentError, "min 10 must be below max 1"),
        ({"fixed": {"R0": -5}}, ArgumentError, "fixed value R0 = -5 Ohm is outside its range"),
        ({"fixed": {"CPE1_n": 2}}, ArgumentError, "fixed value CPE1_n = 2 is outside its range [0.3, 1]"),
        ({"fixed": {"R0": math.inf}}, ArgumentError, "must be a finite number, got inf"),
        ({"initial": {"R1": "big"}}, ArgumentTypeError, "initial value of R1 must be a number"),
        ({"fmin": -1.0}, ArgumentError, "fmin must lie in (0, inf], got -1"),
        ({"fmin": 100.0, "fmax": 10.0}, ArgumentError, "fmin = 100 Hz must be below fmax = 10 Hz"),
        ({"fixed": [("R0", 1)]}, ArgumentTypeError, "fit_circuit: fixed must be Mapping or None, got"),
    ],
)
def test_fit_circuit_validates_its_arguments(options: dict, kind: type, message: str) -> None:
    spectrum = synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ)
    with pytest.raises(kind) as error:
        nk.fit_circuit(spectrum, "R0-p(R1,CPE1)", **options)
    assert message in str(error.value)
    assert isinstance(error.value, NakineticsError) and isinstance(error.value, ValueError)
    if kind is ArgumentTypeError:
        assert isinstance(error.value, TypeError)


def test_other_public_functions_validate_their_arguments() -> None:
    spectrum = synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ)
    with pytest.raises(ArgumentError, match="mu_criterion must be a finite number, got nan"):
        kramers_kronig_test(spectrum, mu_criterion=math.nan)
    with pytest.raises(ArgumentError, match="limit must lie in"):
        kramers_kronig_test(spectrum, limit=0)
    with pytest.raises(ArgumentError, match="criterion must be one of 'aic', 'bic'"):
        nk.compare_models(spectrum, criterion="r2")
    with pytest.raises(
        ArgumentTypeError, match=r"fit_circuit: spectrum must be Spectrum, got \[1, 2, 3\] \(list\)"
    ):
        nk.fit_circuit([1, 2, 3], "R0")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="min_points must be an integer ≥ 3"):
        diffusion.warburg_slope(spectrum, min_points=1)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--fix", "R0=-5"], "fixed value R0 = -5 Ohm is outside"),
        (["--fix", "R0=nan"], "not a finite number"),
    ],
)
def test_cli_refuses_bad_fixed_values(option: list[str], message: str) -> None:
    path = spectrum_csv_from(synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ))
    code, _, err = run("fit", path, "-c", "R0-p(R1,CPE1)", *option)
    assert code in (1, 2) and message in err and "Traceback" not in err


# 15. noise and consistency --------------------------------------------------------------------------


def test_nan_options_are_usage_errors_not_silently_accepted() -> None:
    path = spectrum_csv_from(synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ))
    for option in (["--area", "nan"], ["--fmin", "nan"], ["--thickness", "inf"]):
        code, _, err = run("fit", path, *option)
        assert code == 2 and "is not a finite number" in err, (option, err)
    code, _, err = run("validate", path, "--limit", "nan")
    assert code == 2 and "is not a finite number" in err


def test_empty_circuit_is_refused_by_the_cli_and_by_the_api() -> None:
    path = spectrum_csv_from(synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ))
    code, _, err = run("fit", path, "-c", "")
    assert code == 2 and "an empty value is not allowed" in err  # never a silent automatic choice
    with pytest.raises(nk.CircuitSyntaxError, match="circuit string is empty"):
        nk.fit_circuit(synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ), "")


def test_reader_messages_quote_numbers_not_numpy_reprs(tmp_path: Path) -> None:
    rows = one_arc_rows()
    path = spectrum_csv(tmp_path / "nan.csv", rows)
    path.write_text(path.read_text().replace(f"{rows[3, 1]:.10g}", "nan", 1))
    with pytest.raises(DataError) as error:
        nk.read_spectra(path)
    assert "np." not in str(error.value) and "Z = nan" in str(error.value)


def test_pathological_fits_emit_no_runtime_warnings(tmp_path: Path) -> None:
    """Inputs that used to print numpy RuntimeWarnings (overflow in the Warburg window search, iR share
    of a near-zero span, a quantised sweep)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = one_arc_rows()
        rows[:, 1] = rows[0, 1]  # constant Z': no Warburg window, huge half-slope changes
        code, _, err = run("warburg", spectrum_csv(tmp_path / "flat.csv", rows), "--area", 1, "--conc", 1e-3)
        assert code == 1 and "no Warburg (45°) region found" in one_line_error(err)
        v = np.round(np.linspace(-0.4, 0.4, 161) / 0.05) * 0.05
        code, _, err = run("tafel", sweep_csv(tmp_path / "q.csv", v, 2e-4 * np.sinh(v / 0.1)))
        assert code == 0 and "warning:" not in err.replace("warning: JSON", ""), err


def test_an_unexpected_exception_is_one_line_that_says_it_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    path = spectrum_csv_from(synthetic_spectrum("R0-p(R1,CPE1)", ONE_ARC, FREQ))

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr("nakinetics.cli.validate.kramers_kronig_test", broken)
    code, _, err = run("validate", path)
    line = one_line_error(err)
    assert code == 1 and line.startswith(
        "error: internal error (ZeroDivisionError: float division by zero at "
    )
    assert "this is a bug in nakinetics" in line
    result = CliRunner().invoke(main, ["--debug", "validate", str(path)])
    assert isinstance(result.exception, ZeroDivisionError)  # --debug shows the real traceback


# ---------------------------------------------------------------------------------------------------
# defects found by the ``more`` fuzz suite (tests/fuzzing_more.py)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_arrhenius_table_in_any_instrument_encoding(tmp_path: Path, encoding: str) -> None:
    """A --table saved as UTF-16 or cp1252 (the °C of a Windows spreadsheet) raised UnicodeDecodeError."""
    temps_c = np.array([25.0, 50.0, 75.0, 100.0])
    kelvin = temps_c + 273.15
    sigma = 1e3 / kelvin * np.exp(-0.30 / (8.617333262e-5 * kelvin))  # σT = 1e3 exp(−0.30 eV / kT)
    table = tmp_path / "t.csv"
    text = "T/°C,sigma/S cm-1\n" + "".join(f"{t:g},{s:.8e}\n" for t, s in zip(temps_c, sigma, strict=True))
    table.write_bytes(text.encode(encoding))
    code, out, err = run("arrhenius", "--table", table, "--json", "-")
    assert code == 0, err
    assert json.loads(out)["activation_energy"]["value"] == pytest.approx(0.30, abs=1e-6)


def test_a_neware_file_under_another_extension_is_read_quietly(
    realdata: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A .nda recognised by its content but named .txt failed with NewareNDA's 'File type not supported!'
    logged to stderr above the error line."""
    pytest.importorskip("NewareNDA")
    from nakinetics.io import read_cycling_record

    original = realdata / "cycling" / "neware_bts_nda_cc-cv_li-ion_3cycles.nda"
    renamed = tmp_path / "cell.txt"
    renamed.write_bytes(original.read_bytes())
    expected = read_cycling_record(original)
    record = read_cycling_record(renamed)
    np.testing.assert_array_equal(record.potential_v, expected.potential_v)
    np.testing.assert_array_equal(record.current_a, expected.current_a)
    capfd.readouterr()
    code, _, err = run("cycling", renamed, "--area", 1, "--json", tmp_path / "out.json")
    assert code == 0, err
    assert capfd.readouterr().err == ""  # nothing from the library's logger


def test_simulate_refuses_more_points_than_it_can_write_in_one_line() -> None:
    """``--ppd 99999999999999999999`` raised numpy's 'Maximum allowed size exceeded'; a huge product of
    ppd and decades asked for tens of millions of rows; ``--seed -1`` crashed once --noise was given."""
    code, _, err = run("simulate", "R0", "-p", "R0=1", "--ppd", "99999999999999999999")
    assert code == 2 and "--ppd" in err
    code, _, err = run("simulate", "R0", "-p", "R0=1", "--ppd", "100000", "--fmin", "1e-8", "--fmax", "1e13")
    assert code == 2 and "2,100,001 points; at most 100,000" in err
    # frequencies `fit` would refuse to read back (it accepts 1e-8–1e13 Hz) are refused here too
    code, _, err = run("simulate", "R0", "-p", "R0=1", "--fmin", "1e-300", "--fmax", "1e300")
    assert code == 2 and "--fmin" in err and "1e-300 Hz is outside 1e-08–1e+13 Hz" in err
    code, _, err = run("simulate", "R0", "-p", "R0=1", "--fmax", "1e14")
    assert code == 2 and "--fmax" in err
    code, _, err = run("simulate", "R0", "-p", "R0=1", "--noise", "0.01", "--seed", "-1")
    assert code == 2 and "--seed" in err
    code, out, _ = run("simulate", "R0", "-p", "R0=1", "--fmin", "1", "--fmax", "1000", "--ppd", "2")
    assert code == 0 and len(out.strip().splitlines()) == 1 + 7  # header + 3 decades × 2 + 1


def test_a_zero_ohm_parallel_branch_is_a_data_error_not_zero_division() -> None:
    """``simulate R0-p(R1,CPE1) -p R1=0`` raised Python's ZeroDivisionError (complex scalar 1/0)."""
    with pytest.raises(DataError, match="the impedance is not finite"):
        nk.simulate("R0-p(R1,C1)", {"R0": 1.0, "R1": 0.0, "C1": 1e-6}, np.logspace(0, 3, 5))
    code, _, err = run(
        "simulate", "R0-p(R1,CPE1)", "-p", "R0=3", "-p", "R1=0", "-p", "CPE1_Q=1e-5", "-p", "CPE1_n=0.9"
    )
    assert code == 1 and "not finite" in one_line_error(err)
    z = nk.simulate("R0-p(R1,C1)", {"R0": 1.0, "R1": 1.0, "C1": 1.0}, [1 / (2 * np.pi)]).impedance
    assert z[0] == pytest.approx(1.0 + 1 / (1 + 1j))  # R0 + R1 ∥ C1 at ω = 1/(R1·C1)


def test_cycling_reader_and_analysis_check_their_arguments(tmp_path: Path) -> None:
    """read_cycling_record(format=1) raised AttributeError, index='abc' a TypeError from a comparison;
    analyse_cycling(area_cm2=1e-320) printed numpy overflow warnings and returned infinite densities."""
    from nakinetics.cycling import analyse_cycling, synthetic_cycling
    from nakinetics.io import read_cycling_record

    record = synthetic_cycling(n_cycles=4, half_cycle_h=0.5, dt_s=60.0).record
    path = tmp_path / "cell.csv"
    path.write_text(
        "time/s,Ewe/V,I/A\n"
        + "".join(
            f"{t},{u},{i}\n"
            for t, u, i in zip(record.time_s, record.potential_v, record.current_a, strict=True)
        )
    )
    with pytest.raises(ArgumentTypeError, match="format must be a string or None"):
        read_cycling_record(path, format=1)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="index must be an integer or None"):
        read_cycling_record(path, index="abc")  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for area in (1e-320, 1e308):
            with pytest.raises(DataError, match="outside 1e-09–1e\\+09 cm²"):
                analyse_cycling(record, area_cm2=area)
        result = analyse_cycling(read_cycling_record(path), area_cm2=2.0)
    assert result.half_cycles[0].current_density_ma_cm2 == pytest.approx(1.0 / 2.0, rel=1e-6)  # 1 mA on 2 cm²


def _sigma_table(path: Path, stderr: list[str]) -> Path:
    kelvin = np.array([298.15, 323.15, 348.15, 373.15])
    sigma = 1e3 / kelvin * np.exp(-0.30 / (8.617333262e-5 * kelvin))  # E_a = 0.30 eV in ln(σT)
    rows = "".join(f"{t},{s:.10e},{e}\n" for t, s, e in zip(kelvin, sigma, stderr, strict=True))
    path.write_text("T/K,sigma/S cm-1,stderr\n" + rows)
    return path


def test_arrhenius_weights_of_any_scale(tmp_path: Path) -> None:
    """Standard errors of 1e296 S/cm (relative errors 1e299) made the weights underflow to zero: a
    singular matrix (LinAlgError traceback).  Weights are relative, so their scale must not matter; a
    point 1e24 times less certain than the others leaves too few weighted temperatures: a DataError."""
    from nakinetics.arrhenius import arrhenius_fit

    code, out, err = run(
        "arrhenius", "--table", _sigma_table(tmp_path / "a.csv", ["1e296"] * 4), "--json", "-"
    )
    assert code == 0, err
    assert json.loads(out)["activation_energy"]["value"] == pytest.approx(0.30, abs=1e-6)
    code, _, err = run("arrhenius", "--table", _sigma_table(tmp_path / "b.csv", ["1e308"] * 4))
    assert code == 0, err  # no finite relative error: an unweighted fit, said in the warnings
    with pytest.raises(DataError, match="fewer than 2 temperatures with a usable weight"):
        arrhenius_fit([298.15, 313.15], [1e-3, 2e-3], stderr=[1e9, 1e-5])


def test_arrhenius_table_refuses_numbers_beyond_float_range(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("T/K,sigma/S cm-1\n298,1e-3\n323," + "9" * 400 + "\n348,3e-3\n")
    code, _, err = run("arrhenius", "--table", table)
    assert code == 1 and "line 3: sigma/S cm-1 = 9999" in one_line_error(err)
    table.write_text("T/K,1/R (S)\n298,1e-320\n323,5\n348,3\n")  # a conductance: R = 1e320 Ω
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, _, err = run("arrhenius", "--table", table, "--quantity", "resistance")
    assert code == 1 and "beyond the range of floating-point numbers" in one_line_error(err)


def test_overpotential_growth_is_independent_of_the_time_scale() -> None:
    """A time column mis-read by 1e300 gave LinAlgError in numpy.polyfit (a traceback from `cycling`)."""
    from nakinetics.cycling.summary import growth_rate

    mid_h = np.array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
    eta = 20 + 0.3 * mid_h + np.array([0.05, -0.05, 0.02, -0.02, 0.0, 0.01])
    levels, j = np.zeros(6, dtype=int), np.ones(6)
    slope, cov = np.polyfit(mid_h, eta, 1, cov=True)
    plain = growth_rate(mid_h, eta, j, levels)
    assert plain.rate_mv_per_100h == pytest.approx(100 * slope[0], rel=1e-12)
    assert plain.stderr_mv_per_100h == pytest.approx(100 * np.sqrt(cov[0, 0]), rel=1e-9)
    scaled = growth_rate(mid_h * 1e300, eta, j, levels)
    assert scaled.rate_mv_per_100h == pytest.approx(100 * slope[0] / 1e300, rel=1e-9)


def test_cycling_refuses_currents_no_cycler_delivers(tmp_path: Path) -> None:
    """A current column of 1e308 mA overflowed numpy's sums (RuntimeWarning before the report)."""
    from nakinetics.cycling import synthetic_cycling

    record = synthetic_cycling(n_cycles=4, half_cycle_h=0.5, dt_s=60.0).record
    path = tmp_path / "cell.csv"
    path.write_text(
        "time (s),Ecell (mV),I (mA)\n"
        + "".join(f"{t},{1e3 * u},1e308\n" for t, u in zip(record.time_s, record.potential_v, strict=True))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, _, err = run("cycling", path, "--area", 1)
    assert code == 1 and "current 1e+305 A at point 1" in one_line_error(err)


def test_blank_lines_inside_a_cycler_table_are_skipped_quietly(realdata: Path, tmp_path: Path) -> None:
    """Blank lines among the rows of an Arbin export made numpy warn 'Input line … contained no data'."""
    from nakinetics.io import read_cycling_record

    original = realdata / "cycling" / "arbin_csv_fastcharge_lfp-18650_2cycles.csv"
    lines = original.read_bytes().splitlines(keepends=True)
    gapped = tmp_path / "arbin.csv"
    gapped.write_bytes(b"".join([*lines[:100], b"\n\n\n", *lines[100:]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = read_cycling_record(gapped)
    np.testing.assert_array_equal(record.potential_v, read_cycling_record(original).potential_v)


def test_arrhenius_ln_sigma_t_of_extreme_values_is_not_an_overflow(tmp_path: Path) -> None:
    """σ = 1e308 S/cm times T overflowed (numpy RuntimeWarning); ln(σT) = ln σ + ln T stays finite.  The
    values are absurd but the fit is defined: E_a = 0 for a constant σ with the ln(σ) form."""
    table = tmp_path / "t.csv"
    table.write_text("T/K,sigma/S cm-1\n298,1e308\n323,1e308\n348,1e308\n373,1e308\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, out, err = run("arrhenius", "--table", table, "--form", "sigma", "--json", "-")
        assert code == 0, err
        assert json.loads(out)["activation_energy"]["value"] == pytest.approx(0.0, abs=1e-12)
        code, out, err = run("arrhenius", "--table", table, "--json", "-")
    # ln(σT) = const + ln T, and d ln T / d(1/T) = −T: E_a ≈ k_B·T̄ over 298–373 K
    assert code == 0, err
    assert json.loads(out)["activation_energy"]["value"] == pytest.approx(8.617333262e-5 * 335.5, rel=0.02)
