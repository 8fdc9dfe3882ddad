"""Every warning that quotes a parameter's value also says its unit (a newcomer read "standard error 216 exceeds
the value 22" with no unit on the pellet example)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from nakinetics import CellGeometry, fit_circuit, read_spectrum
from nakinetics.conductivity import pellet_conductivity
from nakinetics.exceptions import ArgumentError, DataError
from nakinetics.synthetic import synthetic_spectrum

EXAMPLE_PELLET = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_nzsp_na_pristine.txt"
UNITS = {"R": "Ohm", "CPE_Q": "Ohm^-1 s^n", "CPE_n": "", "C": "F", "L": "H"}
"""The units the element definitions give (written out here, not read from the code under test)."""
NUMBER = r"-?[0-9.]+(?:e[-+]?[0-9]+)?"


def unit_of(name: str) -> str:
    symbol = re.match(r"[A-Za-z]+", name)[0]
    suffix = name.split("_", 1)[1] if "_" in name else ""
    return UNITS[f"{symbol}_{suffix}" if suffix else symbol]


def check_units(warnings: tuple[str, ...] | list[str]) -> int:
    """Assert the units of the parameter values quoted in ``warnings``; return how many were checked."""
    checked = 0
    for text in warnings:
        if m := re.fullmatch(
            rf"(\w+): standard error ({NUMBER})(.*) exceeds the value ({NUMBER})(.*) \(not determined\)", text
        ):
            unit = unit_of(m[1])
            assert m[3].strip() == unit and m[5].strip() == unit, text
            checked += 1
        elif m := re.fullmatch(rf"(\w+) = ({NUMBER})(.*) is at a bound \[{NUMBER}, {NUMBER}\](.*)", text):
            unit = unit_of(m[1])
            assert m[3].strip() == unit and m[4].strip() == unit, text
            checked += 1
    return checked


def test_pellet_example_warnings_carry_units() -> None:
    spectrum = read_spectrum(EXAMPLE_PELLET)
    result = pellet_conductivity(spectrum, thickness_cm=0.162, area_cm2=0.97468)
    assert check_units(result.warnings) >= 2
    assert any("Ohm^-1 s^n" in w for w in result.warnings)


def test_undetermined_resistance_and_capacitance_warnings_carry_units() -> None:
    # one arc measured, two fitted: the second arc is not determined by the data
    truth = {"R0": 20.0, "R1": 100.0, "C1": 1e-6}
    spectrum = synthetic_spectrum(
        "R0-p(R1,C1)", truth, np.logspace(5, 0, 41), noise=0.002, rng=np.random.default_rng(1)
    )
    result = fit_circuit(spectrum, "R0-p(R1,C1)-p(R2,C2)", bounds={"R2": (1e-6, 1e4)})
    assert check_units(result.warnings) >= 1


def test_argument_errors_quote_values_with_units() -> None:
    spectrum = synthetic_spectrum("R0-p(R1,C1)", {"R0": 20.0, "R1": 100.0, "C1": 1e-6}, np.logspace(5, 0, 21))
    with pytest.raises(ArgumentError, match=r"R0 = 5e\+06 Ohm is outside its range \[[^\]]+\] Ohm"):
        fit_circuit(spectrum, "R0-p(R1,C1)", fixed={"R0": 5e6}, bounds={"R0": (1, 1e3)})
    with pytest.raises(DataError, match=r"got -1(\.0)? cm²"):
        CellGeometry(area_cm2=-1.0)
