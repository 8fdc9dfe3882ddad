"""nakinetics as a library, as a newcomer meets it: one-line reprs of every result, misuse answered by a
nakinetics exception in one line, and docstrings of the main functions that state units and conventions."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nakinetics as nk
from nakinetics._repr import compact_value
from nakinetics.fitting import DerivedQuantity

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_compact_values() -> None:
    assert compact_value(np.array([3.0, 1.0, 2.0])) == "array(3 values, 1…3)"
    assert compact_value(np.array([1.0, np.nan, 5.0])) == "array(3 values, 1…5)"  # the finite range
    assert compact_value(np.zeros((2, 2))) == "array(2×2)"
    assert compact_value(np.array([1 + 1j])) == "array(1 values)"
    assert (
        compact_value(DerivedQuantity(5.2470697e-14, 2.4896e-15, "cm^2 s^-1", "c"))
        == "5.247e-14 ± 2.49e-15 cm^2 s^-1"
    )
    assert compact_value(DerivedQuantity(1.5, None, "", "c")) == "1.5"
    assert compact_value(0.123456789) == "0.1235"
    assert compact_value(list(range(5))) == "[5 items]"
    assert compact_value(("a",)) == "('a',)"
    text = compact_value("x" * 100)
    assert len(text) == 62 and text.endswith("…'")  # 59 characters, the ellipsis and the quotes


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    """One of each result type, computed from the shipped example data."""
    from nakinetics.arrhenius import arrhenius_fit
    from nakinetics.conductivity import pellet_conductivity
    from nakinetics.cycling import analyse_cycling
    from nakinetics.diffusion import DiffusionInputs, apparent_diffusion_coefficient, warburg_slope
    from nakinetics.io import read_cycling_record, read_dc_record
    from nakinetics.kinetics import analyse_polarization
    from nakinetics.validation import kramers_kronig_test

    cell = nk.read_spectrum(EXAMPLES / "data" / "na_nzsp_na_cycled.txt")
    slope = warburg_slope(nk.read_spectrum(EXAMPLES / "data_diffusion" / "na_nvp_warburg.csv"))
    record = read_cycling_record(EXAMPLES / "data_cycling" / "na_na_cycling_synthetic.csv")
    sweep = read_dc_record(EXAMPLES / "data_tafel" / "na_na_sweep.csv")
    return {
        "KKResult": kramers_kronig_test(cell),
        "WarburgSlope": slope,
        "DiffusionResult": apparent_diffusion_coefficient(
            slope.sigma, DiffusionInputs(area_cm2=1.131, concentration=0.0207, cell="single")
        ),
        "ConductivityResult": pellet_conductivity(
            nk.read_spectrum(EXAMPLES / "data_diffusion" / "nzsp_pellet_25C.csv"),
            thickness_cm=0.162,
            area_cm2=0.975,
        ),
        "ArrheniusResult": arrhenius_fit([298.15, 323.15, 348.15], [1e-3, 2e-3, 4e-3]),
        "DRTResult": nk.compute_drt(cell),
        "CyclingRecord": record,
        "CyclingResult": analyse_cycling(record, area_cm2=0.785),
        "KineticsResult": analyse_polarization(sweep, area_cm2=1.131, r_ohm=5, r_ohm_stderr=0.5),
        "Preset": nk.get_preset("na_se_na_2arc"),
        "FitResult": nk.fit_circuit(cell, "na_se_na_2arc"),
    }


def test_result_reprs_are_one_readable_line(results: dict[str, Any]) -> None:
    for name, result in results.items():
        text = repr(result)
        assert text.startswith(f"{name}("), text[:80]
        assert "\n" not in text and len(text) < 800, f"{name}: {len(text)} characters"
        assert "array([" not in text, name  # no array printed element by element
    # the numbers a reader looks for are in them
    assert f"D={results['DiffusionResult'].D.value:.4g} ± " in repr(results["DiffusionResult"])
    assert f"mu={results['KKResult'].mu:.4g}" in repr(results["KKResult"])
    assert f"life_h={results['CyclingResult'].life_h:.4g}" in repr(results["CyclingResult"])
    assert "3600 points" in repr(results["CyclingRecord"])  # examples/make_example_data.py: 60 h at 60 s


def refused(call: Callable[[], object]) -> str:
    with pytest.raises(nk.NakineticsError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message and len(message) < 600, message
    return message


def test_misuse_is_a_nakinetics_error_in_one_line() -> None:
    from nakinetics.cycling import analyse_cycling
    from nakinetics.diffusion import warburg_slope
    from nakinetics.kinetics import analyse_polarization

    path = EXAMPLES / "data" / "na_nzsp_na_cycled.txt"
    spectrum = nk.read_spectrum(path)
    # a spectrum where a cycling record belongs used to escape as AttributeError ('time_s')
    assert "analyse_cycling: record must be CyclingRecord" in refused(lambda: analyse_cycling(spectrum))
    assert "index=3 is out of range: the file holds only one (index 0)" in refused(
        lambda: nk.read_spectrum(path, index=3)
    )
    assert "spectrum must be Spectrum" in refused(lambda: nk.fit_circuit(str(path), "na_se_na_1arc"))  # type: ignore[arg-type]
    assert "geometry must be CellGeometry" in refused(
        lambda: nk.with_derived(nk.fit_circuit(spectrum, "na_se_na_1arc"), 0.785)  # type: ignore[arg-type]
    )
    assert "cell must be one of 'symmetric', 'single'" in refused(
        lambda: nk.CellGeometry(area_cm2=1, cell="sym")
    )  # type: ignore[arg-type]
    assert "spectrum must be Spectrum" in refused(
        lambda: warburg_slope(nk.fit_circuit(spectrum, "na_se_na_1arc"))
    )  # type: ignore[arg-type]
    assert "data must be DCRecord" in refused(lambda: analyse_polarization(spectrum))  # type: ignore[arg-type]
    # the suggestion comes before the list of the 30 presets, not after it
    assert refused(lambda: nk.get_preset("na_se_na_2ark")).startswith(
        "unknown preset 'na_se_na_2ark'; did you mean 'na_se_na_2arc'? (known: "
    )
    assert "expected ')'" in refused(lambda: nk.fit_circuit(spectrum, "R0-p(R1,C1"))
    assert "not a parameter of" in refused(lambda: nk.fit_circuit(spectrum, "na_se_na_1arc", fixed={"R9": 1}))


def test_main_functions_state_units_and_conventions() -> None:
    from nakinetics.cycling import analyse_cycling
    from nakinetics.diffusion import apparent_diffusion_coefficient, warburg_slope
    from nakinetics.io import read_dc_records
    from nakinetics.kinetics import analyse_polarization
    from nakinetics.series import fit_series

    required = {
        nk.read_spectrum: ["Hz", "Ω", "Z'' < 0 capacitive", "cm²"],
        nk.read_spectra: ["Hz", "Ω"],
        nk.fit_circuit: ["Hz", "Ω"],
        nk.compare_models: ["BIC", "lower is better", "Hz"],
        nk.choose_model: ["ModelComparison", "set_aside", "i0"],
        nk.with_derived: ["Ω cm²", "mA cm⁻²", "F", "S cm⁻¹"],
        nk.CellGeometry: ["cm²", "symmetric", "K"],
        nk.compute_drt: ["Hz", "Z'' < 0 capacitive"],
        warburg_slope: ["ω = 2πf"],
        apparent_diffusion_coefficient: ["cm² s⁻¹", "Ω s^-½"],
        analyse_polarization: ["cm²", "anodic positive", "V"],
        fit_series: ["Ω cm²", "cell total", " s"],
        analyse_cycling: ["cm²", "time in s", "I in A"],
        read_dc_records: ["anodic positive"],
    }
    for function, words in required.items():
        doc = " ".join((inspect.getdoc(function) or "").split())
        missing = [w for w in words if w not in doc]
        assert not missing, f"{function.__qualname__} docstring does not state {missing}"
