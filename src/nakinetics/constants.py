"""Physical constants and defaults used across nakinetics.

The constants follow from the defining constants of the 2019 SI, which are exact (the values CODATA and
``scipy.constants`` use; a test checks they are identical).  They are written out here so that importing
a reader or the command line does not import scipy.
"""

from __future__ import annotations

ELEMENTARY_CHARGE: float = 1.602176634e-19
"""Elementary charge e in C (exact, 2019 SI)."""
AVOGADRO: float = 6.02214076e23
"""Avogadro constant N_A in mol⁻¹ (exact, 2019 SI)."""
BOLTZMANN: float = 1.380649e-23
"""Boltzmann constant k in J K⁻¹ (exact, 2019 SI)."""

FARADAY: float = ELEMENTARY_CHARGE * AVOGADRO
"""Faraday constant F = e·N_A in C mol⁻¹ (96485.332…)."""
GAS_CONSTANT: float = BOLTZMANN * AVOGADRO
"""Molar gas constant R = k·N_A in J mol⁻¹ K⁻¹ (8.314462…)."""
BOLTZMANN_EV: float = BOLTZMANN / ELEMENTARY_CHARGE
"""Boltzmann constant k in eV K⁻¹ (8.617333…e-5)."""
ZERO_CELSIUS: float = 273.15
"""0 °C in K."""
T_ROOM: float = 298.15
"""Default temperature in K (25 °C)."""


def thermal_voltage(temperature_k: float = T_ROOM) -> float:
    """RT/F in V at ``temperature_k`` (25.693 mV at 298.15 K)."""
    return GAS_CONSTANT * temperature_k / FARADAY
