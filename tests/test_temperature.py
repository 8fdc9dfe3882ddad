"""Temperatures typed with units, the plausibility check (25 typed for 25 °C must not run at 25 K) in the
library and on every command that takes a temperature, and temperatures read from file names."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from nakinetics.arrhenius import arrhenius_fit
from nakinetics.data import DCMetadata, DCRecord
from nakinetics.derived import CellGeometry
from nakinetics.diffusion import DiffusionInputs
from nakinetics.exceptions import DataError
from nakinetics.kinetics import analyse_polarization, exchange_current_from_resistance, linear_estimate
from nakinetics.temperature import (
    check_temperature_k,
    parse_temperature,
    split_temperature,
    temperature_in_name,
)

from .test_diffusion import d_by_hand, run

ROOT = Path(__file__).resolve().parents[1]
R_GAS, FARADAY = 8.314462618, 96485.33212  # CODATA 2018, typed independently of nakinetics.constants
PRISTINE = ROOT / "examples" / "data" / "na_nzsp_na_pristine.txt"
WARBURG = ROOT / "examples" / "data_diffusion" / "na_nvp_warburg.csv"
SWEEP = ROOT / "examples" / "data_tafel" / "na_na_sweep.csv"


@pytest.mark.parametrize(
    ("text", "unit", "kelvin"),
    [
        ("25C", None, 298.15),
        ("25 °C", None, 298.15),
        ("25°C", "C", 298.15),
        ("25degC", None, 298.15),
        ("25 ℃", None, 298.15),
        ("-60°C", None, 213.15),
        ("−20C", None, 253.15),
        ("298.15K", None, 298.15),
        ("353 kelvin", None, 353.0),
        ("298.15", None, 298.15),
        ("60", "C", 333.15),
        ("1e2C", None, 373.15),
    ],
)
def test_typed_temperatures(text: str, unit: str | None, kelvin: float) -> None:
    assert parse_temperature(text, unit) == pytest.approx(kelvin, abs=1e-9)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "match"),
    [("77F", "°F is not accepted"), ("warm", "not a temperature"), ("25 X", "unknown temperature unit")],
)
def test_malformed_temperatures(text: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        split_temperature(text)


def test_unit_in_the_value_must_not_contradict_the_given_unit() -> None:
    with pytest.raises(DataError, match="in °C but the unit given is K"):
        parse_temperature("25C", "K")


def test_library_refuses_implausible_temperatures_naming_the_slip() -> None:
    with pytest.raises(DataError, match=r"25 K is implausible .*did you mean 25 °C \(298\.15 K\)"):
        check_temperature_k(25.0)
    with pytest.raises(DataError, match="any_temperature=True"):
        check_temperature_k(1500.0)
    assert check_temperature_k(25.0, any_temperature=True) == 25.0
    with pytest.raises(DataError, match="> 0 K"):
        check_temperature_k(-5.0, any_temperature=True)  # never, even when insisting
    # every analysis entry point that turns a temperature into a number
    with pytest.raises(DataError, match="did you mean 25 °C"):
        CellGeometry(area_cm2=1.0, temperature_k=25.0)
    assert CellGeometry(area_cm2=1.0, temperature_k=25.0, any_temperature=True).temperature_k == 25.0
    with pytest.raises(DataError, match="did you mean 25 °C"):
        DiffusionInputs(1.0, 1e-3, temperature_k=25.0)
    with pytest.raises(DataError, match="did you mean 25 °C"):
        exchange_current_from_resistance(10.0, area_cm2=1.0, cell="single", temperature_k=25.0)
    with pytest.raises(DataError, match="did you mean 25 °C"):
        linear_estimate(
            np.linspace(-0.01, 0.01, 50), np.linspace(-1, 1, 50), cell="single", temperature_k=25, v0=0
        )
    with pytest.raises(DataError, match="did you mean 25 °C"):
        arrhenius_fit([25.0, 40.0, 60.0], [1e-3, 2e-3, 3e-3])


def _sweep(temperature_k: float | None) -> DCRecord:
    v = np.linspace(-0.3, 0.3, 200)
    i0 = 1e-3
    i = i0 * (np.exp(0.5 * v / 0.025693) - np.exp(-0.5 * v / 0.025693))
    return DCRecord(v, i, metadata=DCMetadata(source="sweep_25C.txt", temperature_k=temperature_k))


def test_polarization_refuses_implausible_given_or_file_temperature() -> None:
    with pytest.raises(DataError, match="temperature_k = 25 K is implausible"):
        analyse_polarization(_sweep(None), cell="single", temperature_k=25.0)
    with pytest.raises(DataError, match=r"sweep_25C\.txt: the file's temperature = 25 K is implausible"):
        analyse_polarization(_sweep(25.0), cell="single")


def test_fit_temperature_in_celsius_gives_the_hand_i0_and_25_is_refused() -> None:
    code, _, err = run("fit", PRISTINE, "-c", "na_se_na_1arc", "--area", "0.785", "--temperature", "25")
    assert code == 2 and "25 K is implausible" in err and "write 25C" in err and "--any-temperature" in err
    records = {}
    for args in (["60C"], ["60", "--temperature-unit", "C"], ["333.15K"], ["333.15"]):
        code, out, err = run(
            "fit", PRISTINE, "-c", "na_se_na_1arc", "--area", "0.785", "--json", "-", "--temperature", *args
        )
        assert code == 0, err
        records[args[0]] = json.loads(out)
    record = records["60C"]
    r_ct = record["parameters"]["R1"]["value"]
    # symmetric cell: i0 = 2RT/(nF R A), in mA cm⁻², at 333.15 K
    expected = 1e3 * 2 * R_GAS * 333.15 / (FARADAY * r_ct * 0.785)
    assert record["derived"]["i0_R1"]["value"] == pytest.approx(expected, rel=1e-6)
    assert "T = 333.15 K" in record["derived"]["i0_R1"]["convention"]
    for other in records.values():
        assert other["derived"]["i0_R1"]["value"] == pytest.approx(expected, rel=1e-6)
    code, out, err = run(
        "fit",
        PRISTINE,
        "-c",
        "na_se_na_1arc",
        "--area",
        "0.785",
        "--json",
        "-",
        "--temperature",
        "25",
        "--any-temperature",
    )
    assert code == 0, err
    assert json.loads(out)["derived"]["i0_R1"]["value"] == pytest.approx(expected * 25 / 333.15, rel=1e-6)


def test_warburg_temperature_in_celsius() -> None:
    base = ("warburg", WARBURG, "--area", "1.131", "--conc", "0.0207", "--cell", "single", "--json", "-")
    code, _, err = run(*base, "--temperature", "25")
    assert code == 2 and "did you mean 25 °C" in err
    code, out, err = run(*base, "--temperature", "25°C")
    assert code == 0, err
    record = json.loads(out)
    assert record["inputs"]["temperature_k"] == pytest.approx(298.15)
    sigma = record["sigma"]["value"]
    assert record["D"]["value"] == pytest.approx(
        d_by_hand(sigma, 1.131, 0.0207, temperature=298.15), rel=1e-9
    )


def test_tafel_temperature_in_celsius_and_contradicting_unit() -> None:
    code, _, err = run("tafel", SWEEP, "--temperature", "25")
    assert code == 2 and "did you mean 25 °C" in err
    code, _, err = run("tafel", SWEEP, "--temperature", "25C", "--temperature-unit", "K")
    assert code == 2 and "contradicts --temperature-unit K" in err
    code, out, err = run("tafel", SWEEP, "--temperature", "40C", "--area", "1", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["temperature_k"] == pytest.approx(313.15)


@pytest.mark.parametrize(
    ("name", "kelvin"),
    [
        ("nzsp_pellet_100C.csv", 373.15),
        ("EIS_-60°C.txt", 213.15),
        ("cell_-20C.csv", 253.15),
        ("cell-20C.csv", 293.15),  # a hyphen between words is a separator, not a sign
        ("run_353K.mpt", 353.0),
        ("Na_NZSP_25degC.txt", 298.15),
        ("T=80C.csv", 353.15),
        ("sample3_T353K_run2.csv", 353.0),
        ("x_25p5C.z", 298.65),
        ("pellet 80 °C.txt", 353.15),
        ("cell_25oC_1C.csv", 298.15),  # the degree-marked token beats a C-rate
        ("data/60C/run1.csv", 333.15),  # the folder says it
        ("pellet_25.csv", None),  # a bare number is never a temperature
        ("cycling_5K.csv", None),  # "5K" (5000 cycles) is no temperature
        ("T25.csv", None),
        ("EIS 1MHz.txt", None),
    ],
)
def test_temperature_in_name(name: str, kelvin: float | None) -> None:
    found = temperature_in_name(name)
    if kelvin is None:
        assert found is None
    else:
        assert found is not None and found.temperature_k == pytest.approx(kelvin, abs=1e-9)


def test_names_with_two_temperatures_or_no_unit() -> None:
    with pytest.raises(DataError, match="several temperatures"):
        temperature_in_name("from_25C_to_60C.csv")
    with pytest.raises(DataError, match="without a unit"):
        temperature_in_name("T=80.csv")
    found = temperature_in_name("T=80.csv", "C")
    assert found is not None and math.isclose(found.temperature_k, 353.15)
