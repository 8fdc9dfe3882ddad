"""Physical constants: the exact 2019-SI values written out in nakinetics.constants."""

from __future__ import annotations


def test_constants_equal_scipy_codata() -> None:
    # nakinetics.constants writes out the exact 2019-SI values so start-up does not import scipy
    from scipy import constants as codata

    from nakinetics import constants

    assert constants.FARADAY == codata.physical_constants["Faraday constant"][0]
    assert constants.GAS_CONSTANT == codata.R
    assert constants.BOLTZMANN_EV == codata.physical_constants["Boltzmann constant in eV/K"][0]
    assert constants.ZERO_CELSIUS == codata.zero_Celsius
