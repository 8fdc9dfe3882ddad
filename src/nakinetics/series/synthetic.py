"""A synthetic operando GEIS experiment with known truth, for tests, benchmarks and examples.

A Na | solid electrolyte | Na cell is stripped at constant current density j from t = 0.  Every
``interval_s`` a galvanostatic spectrum is taken (circuit ``na_se_na_2arc``: R_SE, an interphase arc
R1‖CPE1 and the charge-transfer/contact arc R2‖CPE2).  R2 is constant until ``onset_s`` and grows as
exp((t − onset)/τ) afterwards (void formation).  Each spectrum is stationary at the middle of its sweep;
per-point times follow a stepped-sine sweep (``periods`` periods plus a settling time per frequency).
The DC record is U(t) = I·(R_SE + R1 + R2(t)) (a linear interface) plus Gaussian noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .._typing import FloatArray
from ..data import DCMetadata, DCRecord, Spectrum, SpectrumMetadata
from ..synthetic import synthetic_spectrum

CIRCUIT = "na_se_na_2arc"


@dataclass(frozen=True)
class OperandoCell:
    """Truth of the synthetic cell (Ω, F s^(n−1), s, cm², mA cm⁻²)."""

    r_se: float = 40.0
    r_sei: float = 30.0
    q_sei: float = 1e-7
    n_sei: float = 0.9
    r_ct0: float = 100.0
    q_ct: float = 1e-5
    n_ct: float = 0.85
    onset_s: float = 12345.0
    tau_s: float = 3000.0
    area_cm2: float = 0.785
    current_ma_cm2: float = 0.2
    ac_current_ma_cm2: float = 0.01

    @property
    def current_a(self) -> float:
        return self.current_ma_cm2 * 1e-3 * self.area_cm2

    @property
    def ac_current_a(self) -> float:
        return self.ac_current_ma_cm2 * 1e-3 * self.area_cm2

    def r_ct(self, t: FloatArray | float) -> FloatArray:
        """R2 (Ω) at time ``t`` (s)."""
        growth = np.clip(np.asarray(t, dtype=float) - self.onset_s, 0.0, None) / self.tau_s
        return self.r_ct0 * np.exp(growth)

    def r_int(self, t: FloatArray | float) -> FloatArray:
        """Interfacial resistance R1 + R2 (Ω, cell total) at ``t``."""
        return self.r_sei + self.r_ct(t)

    def values(self, t: float) -> dict[str, float]:
        """Parameters of ``na_se_na_2arc`` at ``t``."""
        return {
            "R0": self.r_se,
            "R1": self.r_sei,
            "CPE1_Q": self.q_sei,
            "CPE1_n": self.n_sei,
            "R2": float(self.r_ct(t)),
            "CPE2_Q": self.q_ct,
            "CPE2_n": self.n_ct,
        }

    def voltage(self, t: FloatArray) -> FloatArray:
        """DC cell voltage (V) at ``t`` for a linear interface: I·(R_SE + R_int(t))."""
        return self.current_a * (self.r_se + self.r_int(t))


def sweep_point_times(frequency: FloatArray, periods: float = 2.0, settle_s: float = 0.05) -> FloatArray:
    """Time (s from the sweep start) at which each point of a stepped-sine sweep is recorded."""
    return np.cumsum(periods / np.asarray(frequency, dtype=float) + settle_s)


def operando_series(
    cell: OperandoCell,
    n_spectra: int,
    interval_s: float,
    frequency: FloatArray,
    *,
    noise: float,
    rng: np.random.Generator,
    start: datetime = datetime(2025, 3, 1, 9, 0, 0),
    first_s: float = 60.0,
    record_step_s: float = 10.0,
    voltage_noise_v: float = 5e-5,
) -> tuple[list[Spectrum], DCRecord]:
    """Spectra (absolute start times, per-point times on the experiment clock) and the DC record.

    Spectrum k starts at ``first_s + k·interval_s`` after the current is switched on at ``start``.
    """
    sweep = sweep_point_times(frequency)
    spectra = []
    for k in range(n_spectra):
        begin = first_s + k * interval_s
        times = begin + sweep - sweep[0]
        mid = 0.5 * (times[0] + times[-1])
        meta = SpectrumMetadata(
            format="synthetic",
            technique="GEIS",
            dc_current_a=cell.current_a,
            ac_amplitude_a=cell.ac_current_a,
            area_cm2=cell.area_cm2,
            start_time=start + timedelta(seconds=begin),
        )
        spectrum = synthetic_spectrum(
            CIRCUIT, cell.values(mid), frequency, noise=noise, rng=rng, metadata=meta
        )
        spectra.append(Spectrum(spectrum.frequency, spectrum.impedance, times, meta))
    end = first_s + n_spectra * interval_s
    t = np.arange(0.0, end + record_step_s, record_step_s)
    u = cell.voltage(t) + voltage_noise_v * rng.standard_normal(t.size)
    record = DCRecord(
        potential_v=u,
        current_a=np.full(t.size, cell.current_a),
        time_s=t,
        metadata=DCMetadata(
            format="synthetic",
            technique="CP",
            area_cm2=cell.area_cm2,
            start_time=start,
            reference="cell voltage",
        ),
    )
    return spectra, record
