"""``cycling --eis``: ASRs from an impedance fit beside the DC ASR, and impossible ones refused rather
than printed (issue 15)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from nakinetics import fit_circuit
from nakinetics.cycling import analyse_cycling, synthetic_cycling
from nakinetics.cycling.report import format_cycling
from nakinetics.synthetic import synthetic_spectrum

CIRCUIT = "R0-p(R1,CPE1)"


def _fit(r0: float, r1: float):
    spectrum = synthetic_spectrum(
        CIRCUIT, {"R0": r0, "R1": r1, "CPE1_0": 1e-5, "CPE1_1": 0.9}, np.logspace(5, -1, 40)
    )
    return fit_circuit(spectrum, CIRCUIT)


def _with_value(fit, name: str, value: float):
    """The fit with one parameter replaced (what a fit that went wrong reports)."""
    parameters = dict(fit.parameters)
    parameters[name] = dataclasses.replace(parameters[name], value=value)
    return dataclasses.replace(fit, parameters=parameters)


@pytest.fixture(scope="module")
def cell():
    """Na|Na at 1 mA cm⁻² on 0.5 cm², η_p 20 mV: DC ASR 20 Ω cm² (cell)."""
    return synthetic_cycling(n_cycles=4, plateau_mv=20, noise_mv=0.1, area_cm2=0.5).record


def test_plausible_eis_asr_is_reported_beside_the_dc_asr(cell):
    result = analyse_cycling(cell, eis_fit=_fit(6.0, 24.0))  # × 0.5 cm²: 3 and 12 Ω cm²
    eis = result.to_dict()["summary"]["eis_asr"]
    assert eis["ohmic_asr_ohm_cm2"]["value"] == pytest.approx(3.0, rel=1e-6)
    assert eis["interfacial_asr_per_interface_ohm_cm2"]["value"] == pytest.approx(6.0, rel=1e-6)
    assert eis["dc_asr_cell_ohm_cm2"] == pytest.approx(20.0, abs=0.05) and eis["notes"] == []
    # per interface from the DC side with the EIS ohmic part removed: (20 − 3) / 2
    assert result.dc_asr()["per_interface_median_ohm_cm2"] == pytest.approx(8.5, abs=0.05)
    assert "3 Ω cm², interfacial 6 Ω cm² per interface" in format_cycling(result)


@pytest.mark.parametrize(
    ("case", "change", "refused", "why"),
    [
        (
            "spectrum of another cell / area",
            lambda f: _fit(6e3, 2.4e4),
            {"ohmic", "interfacial"},
            "× the DC ASR",
        ),
        ("negative R1", lambda f: _with_value(f, "R1", -24.0), {"interfacial"}, "negative"),
        ("R0 not finite", lambda f: _with_value(f, "R0", math.nan), {"ohmic"}, "not finite"),
    ],
)
def test_impossible_eis_asr_is_refused_not_printed(cell, case, change, refused, why):
    result = analyse_cycling(cell, eis_fit=change(_fit(6.0, 24.0)))
    eis = result.to_dict()["summary"]["eis_asr"]
    entries = {"ohmic": eis["ohmic_asr_ohm_cm2"], "interfacial": eis["interfacial_asr_cell_ohm_cm2"]}
    for name, entry in entries.items():
        if name in refused:
            assert entry["value"] is None and why in entry["refused"], case
        else:
            assert entry["value"] is not None and "refused" not in entry, case
    if "interfacial" in refused:
        assert eis["interfacial_asr_per_interface_ohm_cm2"]["value"] is None
    assert sum(f"EIS {n} ASR refused" in w for w in result.warnings for n in refused) == len(refused)
    text = format_cycling(result)
    assert "refused (see warnings)" in text and "nan" not in text.lower().split("eis asr")[1].split("\n")[0]
    if "ohmic" in refused:  # the DC per-interface value must not subtract a refused ohmic part
        assert "electrolyte ohmic part included" in result.dc_asr()["per_interface_definition"]


def test_ohmic_part_above_the_dc_asr_refuses_the_per_interface_value(cell):
    """R0 = 50 Ω on 0.5 cm² is 25 Ω cm², more than the 20 Ω cm² DC ASR that includes it: (20 − 25)/2 < 0."""
    result = analyse_cycling(cell, eis_fit=_fit(50.0, 24.0))
    dc = result.dc_asr()
    assert (
        dc["per_interface_median_ohm_cm2"] is None
        and "exceeds the cell's DC ASR" in dc["per_interface_refused"]
    )
    assert dc["cell_median_ohm_cm2"] == pytest.approx(20.0, abs=0.05)  # the cell value stands
    assert any(w.startswith("per-interface DC ASR refused") for w in result.warnings)
    assert "per interface refused (see warnings)" in format_cycling(result)


def test_cli_eis_index_picks_one_spectrum_of_a_series(realdata, tmp_path):
    """The Li|Li GEIS .mpr holds 45 spectra: --eis alone is refused in one line naming --eis-index; with it,
    the spectrum is fitted, and the file's EC-Lab placeholder area (0.001 cm²) is named as ignored."""
    pytest.importorskip("galvani")
    from pathlib import Path

    from click.testing import CliRunner

    from nakinetics.cli import main

    geis = str(realdata / "cycling" / "biologic_vsp_geis_li-li-symmetric_02-45-spectra.mpr")
    never_read = str(tmp_path / "never_read.csv")  # the --eis checks come first
    runner = CliRunner()
    many = runner.invoke(main, ["cycling", never_read, "--area", "1", "--eis", geis])
    assert many.exit_code == 1 and "--eis-index N (0..44)" in many.output and many.output.count("\n") == 1
    out_of_range = runner.invoke(
        main, ["cycling", never_read, "--area", "1", "--eis", geis, "--eis-index", "45"]
    )
    assert out_of_range.exit_code == 1 and "holds 45 spectrum(s)" in out_of_range.output
    assert runner.invoke(main, ["cycling", never_read, "--eis-index", "2"]).exit_code == 2
    example = (
        Path(__file__).resolve().parents[1] / "examples" / "data_cycling" / "na_na_cycling_synthetic.csv"
    )
    one = runner.invoke(main, ["cycling", str(example), "--area", "0.785", "--eis", geis, "--eis-index", "3"])
    assert one.exit_code == 0, one.output
    assert "EIS ASR (" in one.output and "0.001 cm² (EC-Lab's default" in one.output
