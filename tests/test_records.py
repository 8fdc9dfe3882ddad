"""Save and reload fits (JSON records with a schema), tables, one-line reprs and simulate()."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nakinetics as nk
from nakinetics.records import SCHEMA_VERSION, fit_row, fit_schema
from nakinetics.synthetic import synthetic_spectrum
from nakinetics.validation import kramers_kronig_test

jsonschema = pytest.importorskip("jsonschema")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"
TRUTH = {"R0": 20.0, "R1": 150.0, "CPE1_Q": 2e-6, "CPE1_n": 0.85, "R2": 400.0, "CPE2_Q": 2e-4, "CPE2_n": 0.8}
CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)"


@pytest.fixture(scope="module")
def full_result() -> nk.FitResult:
    """A fit with everything a record can hold: a preset, a fixed and a tied parameter, derived
    quantities, a Kramers–Kronig test and point times."""
    spectrum = synthetic_spectrum(
        CIRCUIT, TRUTH, np.logspace(-2, 6, 50), noise=0.01, rng=np.random.default_rng(4)
    )
    spectrum = nk.Spectrum(
        spectrum.frequency,
        spectrum.impedance,
        point_times_s=np.arange(50.0),
        metadata=nk.SpectrumMetadata(source="cell.mpt", format="biologic-mpt", technique="PEIS", index=2),
    )
    result = nk.fit_circuit(spectrum, "na_liquid_na", fixed={"R0": 20.0}, ties={"CPE2_n": "CPE1_n - 0.05"})
    result = nk.with_derived(result, nk.CellGeometry(area_cm2=1.13))
    return result.with_kramers_kronig(kramers_kronig_test(result.spectrum))


def test_record_round_trip_restores_the_fit(full_result: nk.FitResult) -> None:
    record = json.loads(json.dumps(full_result.to_dict(), allow_nan=False))  # standard JSON
    assert record["schema_version"] == SCHEMA_VERSION and record["nakinetics_version"] == nk.__version__
    restored = nk.FitResult.from_dict(record)
    frequency = np.logspace(-4, 8, 200)  # also far outside the fitted window
    np.testing.assert_array_equal(restored.impedance(frequency), full_result.impedance(frequency))
    np.testing.assert_array_equal(restored.spectrum.impedance, full_result.spectrum.impedance)
    np.testing.assert_array_equal(restored.covariance, full_result.covariance)
    np.testing.assert_array_equal(restored.kramers_kronig.residuals, full_result.kramers_kronig.residuals)
    assert restored.parameters == full_result.parameters
    assert restored.statistics == full_result.statistics
    assert restored.derived == full_result.derived
    assert restored.warnings == full_result.warnings and restored.preset == full_result.preset
    assert restored.spectrum.metadata == full_result.spectrum.metadata
    assert restored.parameters["CPE2_n"].expr == "CPE1_n - 0.05"
    assert restored.to_dict() == record  # nothing lost or changed on the way


def test_record_carries_the_fitted_curve_and_matches_the_schema(full_result: nk.FitResult) -> None:
    record = full_result.to_dict()
    jsonschema.validate(record, fit_schema())
    curve = record["curve"]
    fit = np.array(curve["z_fit_real_ohm"]) + 1j * np.array(curve["z_fit_imag_ohm"])
    data = np.array(curve["z_real_ohm"]) + 1j * np.array(curve["z_imag_ohm"])
    np.testing.assert_allclose(fit, full_result.circuit.simulate(curve["frequency_hz"], full_result.values))
    residual = np.array(curve["residual_real"]) + 1j * np.array(curve["residual_imag"])
    np.testing.assert_allclose(residual, (data - fit) / np.abs(data), rtol=1e-12)
    # the schema is strict where it matters: a renamed field or a wrong type is rejected
    broken = json.loads(json.dumps(record))
    broken["parameters"]["R1"]["stderr"] = "large"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, fit_schema())
    del broken["curve"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, fit_schema())


def test_load_fit_reads_what_the_cli_writes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from nakinetics.cli import main

    target = tmp_path / "fit.json"
    source = EXAMPLES / "na_nzsp_na_cycled.txt"
    done = CliRunner().invoke(
        main, ["fit", str(source), "-c", "na_se_na_2arc", "--area", "0.785", "--json", str(target)]
    )
    assert done.exit_code == 0, done.output
    record = json.loads(target.read_text())
    jsonschema.validate(record, fit_schema())
    loaded = nk.load_fit(target)
    again = nk.fit_circuit(nk.read_spectrum(source), "na_se_na_2arc")
    np.testing.assert_allclose(loaded.impedance(), again.impedance(), rtol=1e-9)
    assert loaded.derived["ASR_R2_per_interface"].unit == "Ohm cm^2"
    assert "Kramers–Kronig" in str(loaded)
    assert [r.circuit.text for r in nk.load_fits(target)] == [CIRCUIT]


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(nk.MissingFileError, match="no such file"):
        nk.load_fit(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(nk.FileFormatError, match=r"bad\.json: cannot read as JSON"):
        nk.load_fit(bad)
    bad.write_text(json.dumps({"circuit": "R0"}))
    with pytest.raises(nk.FileFormatError, match="not a nakinetics fit record"):
        nk.load_fit(bad)
    future = synthetic_spectrum("R0-p(R1,C1)", {"R0": 1, "R1": 10, "C1": 1e-3}, np.logspace(-2, 3, 20))
    record = nk.fit_circuit(future, "R0-p(R1,C1)").to_dict()
    bad.write_text(json.dumps([record | {"schema_version": SCHEMA_VERSION + 1}]))
    with pytest.raises(nk.FileFormatError, match="newer than this nakinetics reads"):
        nk.load_fits(bad)
    bad.write_text(json.dumps([record, record]))
    with pytest.raises(nk.FileFormatError, match="use load_fits"):
        nk.load_fit(bad)
    assert len(nk.load_fits(bad)) == 2
    del record["curve"]
    bad.write_text(json.dumps(record))
    with pytest.raises(nk.FileFormatError, match="incomplete or invalid fit record"):
        nk.load_fit(bad)


def test_tables_from_a_result_and_a_spectrum(full_result: nk.FitResult) -> None:
    pytest.importorskip("pandas")
    import pandas as pd

    summary = full_result.to_dataframe()
    assert len(summary) == 1
    row = summary.iloc[0]
    assert row["R1 [Ohm]"] == full_result.values["R1"]
    assert row["R1 stderr [Ohm]"] == full_result.parameters["R1"].stderr
    assert row["CPE1_n"] == full_result.values["CPE1_n"]  # dimensionless: no unit in the name
    assert row["ASR_R2_cell [Ohm cm^2]"] == full_result.derived["ASR_R2_cell"].value
    assert row["n_varying"] == 5 and row["kk_passed"] == full_result.kramers_kronig.passed
    # a study table is the concatenation of rows (what a batch table is built from)
    table = pd.concat([summary, summary], ignore_index=True)
    assert list(table.columns) == list(fit_row(full_result))
    params = full_result.to_dataframe("parameters")
    assert (
        params.loc["CPE2_n", "expr"] == "CPE1_n - 0.05"
        and params.loc["CPE1_Q", "impedance_py_name"] == "CPE1_0"
    )
    curve = full_result.to_dataframe("curve")
    assert len(curve) == 50 and curve["frequency_hz"].iloc[0] == full_result.spectrum.frequency[0]
    spectrum = full_result.spectrum.to_dataframe()
    assert list(spectrum.columns) == [
        "frequency_hz",
        "z_real_ohm",
        "z_imag_ohm",
        "z_mod_ohm",
        "phase_deg",
        "time_s",
    ]
    np.testing.assert_allclose(spectrum["z_mod_ohm"], np.abs(full_result.spectrum.impedance))
    assert spectrum.attrs["metadata"]["source"] == "cell.mpt"
    with pytest.raises(ValueError, match="table must be"):
        full_result.to_dataframe("everything")


def test_pandas_is_imported_only_for_tables() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, nakinetics as nk\n"
        "s = nk.simulate('R0-p(R1,C1)', [1, 10, 1e-3], np.logspace(-2, 3, 20))\n"
        "r = nk.fit_circuit(s, 'R0-p(R1,C1)'); r.to_dict(); repr(r); str(r)\n"
        "assert 'pandas' not in sys.modules\n"
        "r.to_dataframe(); assert 'pandas' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_reprs_are_one_line_and_str_is_the_report(full_result: nk.FitResult) -> None:
    text = repr(full_result)
    assert "\n" not in text and text.startswith("FitResult(R0-p(R1,CPE1)-p(R2,CPE2), cell.mpt[2], 50 points")
    assert "R1=" in text and len(text) < 400
    assert "\n" not in repr(full_result.spectrum) and "50 points" in repr(full_result.spectrum)
    assert str(full_result).startswith("file      cell.mpt[2]") and "parameters" in str(full_result)
    record = nk.io.read_dc_record(Path(__file__).parents[1] / "examples" / "data_tafel" / "na_na_sweep.csv")
    assert "\n" not in repr(record) and repr(record).startswith("DCRecord(na_na_sweep.csv")


# ---------------------------------------------------------------------------------------------------
# simulate


def test_simulate_by_name_alias_and_sequence_agree_with_the_formula() -> None:
    f = np.logspace(-2, 5, 30)
    by_name = nk.simulate("R0-p(R1,CPE1)", {"R0": 10.0, "R1": 100.0, "CPE1_Q": 1e-5, "CPE1_n": 0.9}, f)
    by_alias = nk.simulate("R0-p(R1,CPE1)", {"R0": 10.0, "R1": 100.0, "CPE1_0": 1e-5, "CPE1_1": 0.9}, f)
    by_order = nk.simulate("R0-p(R1,CPE1)", [10.0, 100.0, 1e-5, 0.9], f)
    expected = 10.0 + 1.0 / (1.0 / 100.0 + 1e-5 * (2j * np.pi * f) ** 0.9)
    for spectrum in (by_name, by_alias, by_order):
        np.testing.assert_allclose(spectrum.impedance, expected, rtol=1e-13)
        np.testing.assert_array_equal(spectrum.frequency, f)
    assert by_order.metadata.format == "simulated"
    assert by_order.metadata.extra["parameters"]["CPE1_n"] == 0.9


def test_simulate_with_an_impedance_py_circuit_and_errors() -> None:
    impedance_py = pytest.importorskip("impedance.models.circuits")
    f = np.logspace(-2, 5, 30)
    model = impedance_py.CustomCircuit(
        "R0-p(R1,CPE1)", initial_guess=[100.0, 1e-5, 0.9], constants={"R0": 10.0}
    )
    with pytest.warns(UserWarning, match="initial parameters"):
        theirs = model.predict(f, use_initial=True)
    ours = nk.simulate(model, model.initial_guess, f)  # constants fill in, the sequence is the rest
    np.testing.assert_allclose(ours.impedance, theirs, rtol=1e-12)
    with pytest.raises(nk.UnknownParameterError, match="3 values given for 4 parameters"):
        nk.simulate("R0-p(R1,CPE1)", [1.0, 2.0, 3.0], f)
    with pytest.raises(nk.UnknownParameterError, match="no value for CPE1_n"):
        nk.simulate("R0-p(R1,CPE1)", {"R0": 1.0, "R1": 2.0, "CPE1_Q": 1e-5}, f)
    with pytest.raises(nk.DataError, match="frequencies > 0"):
        nk.simulate("R0", [1.0], [1.0, -2.0])
    with pytest.raises(nk.DataError, match="not finite for parameters"):
        nk.simulate("R0-C1", [1.0, 0.0], f)  # no numpy warning on the way (warnings are errors here)
