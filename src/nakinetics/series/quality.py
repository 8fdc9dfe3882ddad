"""Per-spectrum validity checks of an operando series: Kramers–Kronig residuals, linearity of the
response |Z|·i_ac, and DC drift during the sweep.

* Linearity: the AC voltage response |Z(f)|·i_ac (mV) with i_ac the AC current amplitude the user gives
  (it overrides the file's) or else the one the file states; above ``LINEARITY_LIMIT_MV`` the response
  may be non-linear (≲ 10 mV is the usual rule).  For potential-controlled spectra the response is the
  set amplitude itself.
* Drift: change of the DC voltage during the sweep (straight-line fit to the record inside the sweep),
  compared with the AC voltage response at the lowest frequency (acquired last, most affected); flagged
  when it exceeds ``DRIFT_LIMIT_RATIO`` × that response by more than twice its standard error (so that
  noise in the record alone does not flag).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Spectrum
from ..validation import KK_RMS_LIMIT, kramers_kronig_test

LINEARITY_LIMIT_MV = 10.0
"""Largest AC voltage response (mV) still taken as linear."""
DRIFT_LIMIT_RATIO = 0.1
"""Largest |ΔU_dc during the sweep| / (|Z(f_min)|·i_ac) before a spectrum is flagged as drifting."""


def kk_columns(spectrum: Spectrum, limit: float = KK_RMS_LIMIT) -> dict[str, Any]:
    """Linear Kramers–Kronig test of ``spectrum`` as row columns (residuals in % of |Z|)."""
    kk = kramers_kronig_test(spectrum, limit=limit)
    return {
        "kk_rms_pct": 100.0 * kk.rms,
        "kk_max_pct": 100.0 * kk.max_abs,
        "kk_n_rc": kk.n_rc,
        "kk_pass": kk.passed,
    }


@dataclass(frozen=True)
class Excitation:
    """AC amplitude of a spectrum: current (A) for GEIS or voltage (V) for PEIS; ``None`` when unknown."""

    current_a: float | None = None
    voltage_v: float | None = None

    @classmethod
    def of(cls, spectrum: Spectrum, current_a: float | None = None) -> Excitation:
        """From ``current_a`` if given, else the file's metadata."""
        meta = spectrum.metadata
        if current_a is not None:
            return cls(current_a=current_a)
        if meta.technique == "PEIS" and meta.ac_amplitude_v:
            return cls(voltage_v=meta.ac_amplitude_v)
        return cls(current_a=meta.ac_amplitude_a or None)

    def response_mv(self, spectrum: Spectrum) -> float | None:
        """Largest AC voltage response over the spectrum (mV)."""
        if self.current_a is not None:
            return float(np.max(spectrum.modulus)) * abs(self.current_a) * 1e3
        return None if self.voltage_v is None else abs(self.voltage_v) * 1e3

    def lowest_frequency_response_mv(self, spectrum: Spectrum) -> float | None:
        """AC voltage response at the lowest frequency (mV)."""
        if self.current_a is not None:
            return float(spectrum.modulus[np.argmin(spectrum.frequency)]) * abs(self.current_a) * 1e3
        return None if self.voltage_v is None else abs(self.voltage_v) * 1e3


def quality_flags(
    kk_pass: bool | None,
    linearity_mv: float | None,
    drift_mv: float | None,
    drift_stderr_mv: float | None,
    low_f_response_mv: float | None,
) -> list[str]:
    """Names of the failed checks: ``kk``, ``nonlinear``, ``drift``."""
    flags = []
    if kk_pass is False:
        flags.append("kk")
    if linearity_mv is not None and linearity_mv > LINEARITY_LIMIT_MV:
        flags.append("nonlinear")
    if (
        drift_mv is not None
        and low_f_response_mv
        and abs(drift_mv) - 2 * (drift_stderr_mv or 0.0) > DRIFT_LIMIT_RATIO * low_f_response_mv
    ):
        flags.append("drift")
    return flags
