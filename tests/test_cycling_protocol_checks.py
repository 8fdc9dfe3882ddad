"""Time–voltage records (current from the protocol): the cell convention is reported as assumed, and a
given current whose sign or unit does not fit the voltage, or a voltage that is no overpotential, is
warned about with the likely cause (issue 15)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from nakinetics.cycling import analyse_cycling, synthetic_cycling
from nakinetics.cycling.report import format_cycling


def _time_voltage(current_a: float, *, volts_scale: float = 1.0, **kw):
    """A synthetic Na|Na record (1 mA cm⁻² on 1 cm², 15 mV plateau, plating first) with its current
    replaced by the caller's ``current_a``, as the reader stores a --current."""
    syn = synthetic_cycling(n_cycles=4, plateau_mv=15, noise_mv=0.1, area_cm2=1.0, **kw)
    rec = syn.record
    return dataclasses.replace(
        rec,
        potential_v=rec.potential_v * volts_scale,
        current_a=np.full(len(rec), current_a),
        metadata=dataclasses.replace(rec.metadata, extra={"current_source": "given"}),
    )


def _warnings(result, text: str) -> list[str]:
    return [w for w in result.warnings if text in w]


def test_convention_is_reported_as_assumed_only_for_time_voltage_records():
    given = analyse_cycling(_time_voltage(1e-3), half_cycle_h=1.0)
    assert given.to_dict()["conventions"]["cell_convention"].startswith("assumed, not read")
    assert "cell convention: assumed, not read" in format_cycling(given)
    assert given.warnings == [given.warnings[0]]  # only "the current is not in the file": all plausible
    read = analyse_cycling(synthetic_cycling(n_cycles=4).record)
    assert read.to_dict()["conventions"]["cell_convention"].startswith("read")
    assert "cell convention" not in format_cycling(read)


@pytest.mark.parametrize(
    ("current_a", "first", "warned"),
    [(-1e-3, "plating", False), (-1e-3, "stripping", True), (1e-3, "plating", False)],
)
def test_given_current_sign_against_the_first_half_cycle(current_a, first, warned):
    """A negative --current states a direction: it must match the voltage of the first half-cycle
    (plating: U < 0); a positive one on an alternating record is the magnitude."""
    result = analyse_cycling(_time_voltage(current_a, first_direction=first), half_cycle_h=1.0)
    assert result.half_cycles[0].direction == first  # the direction always follows the voltage
    assert bool(_warnings(result, "check the sign of --current")) == warned


def test_current_in_the_wrong_unit_is_named():
    """0.001 given as 1 (A instead of mA): |j| = 1000 mA cm⁻², DC ASR 0.015 Ω cm²."""
    result = analyse_cycling(_time_voltage(1.0), half_cycle_h=1.0)
    (warning,) = _warnings(result, "check the unit of --current")
    j, asr = re.search(r"\|j\| = (\S+) mA cm⁻².* = (\S+) Ω cm²", warning).groups()
    assert float(j) == pytest.approx(1000) and float(asr) == pytest.approx(15 / 1000, rel=0.01)


def test_voltage_that_is_no_overpotential_is_named():
    """The same record with mV read as V: a 15 V 'plateau'."""
    result = analyse_cycling(_time_voltage(1e-3, volts_scale=1e3), half_cycle_h=1.0)
    (warning,) = _warnings(result, "no Na plating/stripping overpotential")
    eta = re.search(r"plateau \|U\| is (\S+) mV", warning).group(1)
    assert float(eta) == pytest.approx(15e3, rel=0.01) and "mV read as V" in warning
    assert not _warnings(result, "check the unit of --current")
