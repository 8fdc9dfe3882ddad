"""Physical constants (CODATA, from scipy.constants) and defaults used across nakinetics."""

from __future__ import annotations

from scipy import constants as _c

FARADAY: float = _c.physical_constants["Faraday constant"][0]
"""Faraday constant F in C mol⁻¹."""
GAS_CONSTANT: float = _c.R
"""Molar gas constant R in J mol⁻¹ K⁻¹."""
BOLTZMANN_EV: float = _c.physical_constants["Boltzmann constant in eV/K"][0]
"""Boltzmann constant k in eV K⁻¹."""
ZERO_CELSIUS: float = _c.zero_Celsius
"""0 °C in K (273.15)."""
T_ROOM: float = 298.15
"""Default temperature in K (25 °C)."""


def thermal_voltage(temperature_k: float = T_ROOM) -> float:
    """RT/F in V at ``temperature_k`` (25.693 mV at 298.15 K)."""
    return GAS_CONSTANT * temperature_k / FARADAY
