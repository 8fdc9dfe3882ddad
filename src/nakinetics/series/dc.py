"""The DC side of an operando series: the cell-voltage record on the series time axis, the DC current,
stripped charge and the DC-apparent interfacial ASR.

Conventions
-----------
* ``voltage_offset_s``: series time = record time + offset.  Default: from the absolute start times of
  the record and of the spectra; 0 when either lacks one (say so with ``--voltage-offset``).
* Stripping period: the span of the record in which the current is on, |I| ≥ half the stripping level
  (j·A when the current density and area are given, else the 90th percentile of |I|); the whole record
  when it carries no current.  An open-circuit rest before switch-on is thus left out.
* Stripped charge density q (C cm⁻²) counts from the start of the stripping period, or from t = 0 of the
  series without a record: q = |j|·(t − t_on) for a constant current density j, or ∫|I| dt / A from the
  record's current.  Equivalent Na thickness d = q V_m / F with V_m = M/ρ of sodium.
* DC-apparent ASR = (|U| − |I|·R_SE)·A/|I| (Ω cm², cell total): magnitudes, so that records whose voltage
  and current use opposite sign conventions give the same value; it equals the EIS interfacial ASR only
  if the interface responds linearly (EIS measures dU/dI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from .._checks import checked
from .._typing import FloatArray
from ..constants import FARADAY
from ..data import DCRecord
from ..exceptions import DataError

NA_MOLAR_MASS_G_MOL = 22.98977
"""Molar mass of sodium (g mol⁻¹, IUPAC)."""
NA_DENSITY_G_CM3 = 0.968
"""Density of solid sodium near room temperature (g cm⁻³, CRC Handbook)."""
NA_MOLAR_VOLUME_CM3_MOL = NA_MOLAR_MASS_G_MOL / NA_DENSITY_G_CM3
"""Molar volume of sodium metal V_m = M/ρ ≈ 23.75 cm³ mol⁻¹."""
CHARGE_CONVENTION = (
    "stripped charge density |q| (C cm^-2) counted from the start of the stripping current (first point of "
    "the DC record with |I| at least half its stripping level; the record's start when it has no current, "
    "t = 0 without a record); "
    f"Na thickness = q·V_m/F with V_m = {NA_MOLAR_VOLUME_CM3_MOL:.2f} cm^3/mol"
)
DC_ASR_CONVENTION = (
    "(|U| - |I|·R_SE)·A/|I|, cell total (not halved), R_SE = electrolyte resistance of the same spectrum; "
    "magnitudes, whatever the records' sign conventions"
)


@checked
def na_thickness_um(charge_c_cm2: float) -> float:
    """Thickness of sodium (µm) carrying ``charge_c_cm2`` (C cm⁻²) per unit area: q V_m / F."""
    return charge_c_cm2 / FARADAY * NA_MOLAR_VOLUME_CM3_MOL * 1e4


@dataclass(frozen=True)
class VoltageTrace:
    """A DC record on the series time axis.

    Attributes
    ----------
    time_s : series time of each point (s), increasing.
    potential_v : cell voltage (V).
    current_a : DC current (A, the record's sign), or ``None`` when the record carries none (all zero).
    offset_s : series time − record time (s).
    alignment : how ``offset_s`` was obtained.
    source : file the record came from.
    """

    time_s: FloatArray
    potential_v: FloatArray
    current_a: FloatArray | None
    offset_s: float
    alignment: str
    source: str | None = None

    def covers(self, t: float) -> bool:
        return bool(self.time_s[0] <= t <= self.time_s[-1])

    def _window(self, start_s: float, end_s: float) -> slice:
        """The points with start_s ≤ t ≤ end_s (times are sorted: a binary search, not a scan)."""
        return slice(
            int(np.searchsorted(self.time_s, start_s, side="left")),
            int(np.searchsorted(self.time_s, end_s, side="right")),
        )

    def voltage_at(self, t: float) -> float | None:
        """U (V) interpolated at series time ``t`` (s); ``None`` outside the record."""
        return float(np.interp(t, self.time_s, self.potential_v)) if self.covers(t) else None

    def window_voltage(self, start_s: float, end_s: float | None) -> float | None:
        """Mean U (V) over a sweep window, or U at ``start_s`` when the window holds no record point."""
        if end_s is not None:
            inside = self._window(start_s, end_s)
            if inside.stop > inside.start:
                return float(self.potential_v[inside].mean())
            return self.voltage_at(0.5 * (start_s + end_s))
        return self.voltage_at(start_s)

    def drift_v(self, start_s: float, end_s: float | None) -> tuple[float, float] | None:
        """Change of U (V) over a sweep and its standard error: slope of a straight line through the
        record points inside the window × the sweep duration (three points at least), else the difference
        of U interpolated at both ends (error 0).  ``None`` when the end is unknown or outside the record."""
        if end_s is None:
            return None
        inside = self._window(start_s, end_s)
        if inside.stop - inside.start >= 3:
            t, u = self.time_s[inside], self.potential_v[inside]
            dt = t - t.mean()
            slope = float(dt @ (u - u.mean()) / (dt @ dt))
            residual = u - u.mean() - slope * dt
            se = math.sqrt(float(residual @ residual) / max(t.size - 2, 1) / float(dt @ dt))
            duration = end_s - start_s
            return slope * duration, se * duration
        u0, u1 = self.voltage_at(start_s), self.voltage_at(end_s)
        return None if u0 is None or u1 is None else (u1 - u0, 0.0)

    def current_at(self, t: float) -> float | None:
        """DC current (A) interpolated at ``t``; ``None`` without a current column or outside the record."""
        if self.current_a is None or not self.covers(t):
            return None
        return float(np.interp(t, self.time_s, self.current_a))

    def charge_c(self, t: float, start_s: float | None = None) -> float:
        """∫|I| dt (C) from ``start_s`` (default: the start of the record) to series time ``t`` (needs a
        current column); 0 before ``start_s``."""
        if self.current_a is None:
            raise DataError("the voltage record has no current column: cannot integrate the stripped charge")
        first, last = float(self.time_s[0]), float(self.time_s[-1])
        begin = first if start_s is None else min(max(start_s, first), last)
        t = min(max(t, begin), last)
        inside = slice(
            int(np.searchsorted(self.time_s, begin, side="right")),
            int(np.searchsorted(self.time_s, t, side="left")),
        )
        times = np.concatenate([[begin], self.time_s[inside], [t]])
        currents = np.abs(np.interp(times, self.time_s, self.current_a))
        return float(np.sum(0.5 * (currents[1:] + currents[:-1]) * np.diff(times)))

    def stripping_span(self, level_a: float | None = None) -> tuple[float, float]:
        """Series-time span (s) in which the current is on: first to last point with |I| ≥ half the
        stripping level ``level_a`` (A; default the 90th percentile of |I|).  The whole record when it
        carries no current or no point reaches that level."""
        whole = float(self.time_s[0]), float(self.time_s[-1])
        if self.current_a is None:
            return whole
        magnitude = np.abs(self.current_a)
        level = abs(level_a) if level_a else float(np.percentile(magnitude, 90))
        on = np.flatnonzero(magnitude >= 0.5 * level)
        return (float(self.time_s[on[0]]), float(self.time_s[on[-1]])) if on.size else whole


@checked
def align_voltage(
    record: DCRecord, *, origin: datetime | None, offset_s: float | None = None
) -> VoltageTrace:
    """Put ``record`` on the series axis (see the module docstring for the offset rule).

    Points are sorted by time; a record without times raises :class:`DataError`.
    """
    where = record.label
    if record.time_s is None:
        raise DataError(f"{where}: the voltage record has no time column; cannot align it with the spectra")
    if record.time_s.size < 2:
        raise DataError(f"{where}: the voltage record has fewer than two points")
    if offset_s is not None:
        alignment = f"--voltage-offset {offset_s:g} s"
    elif origin is not None and record.metadata.start_time is not None:
        offset_s = (record.metadata.start_time - origin).total_seconds()
        alignment = "absolute start times of the record and the spectra"
    else:
        offset_s = 0.0
        missing = "the spectra give" if origin is None else "the voltage record gives"
        alignment = f"none: {missing} no absolute start time, so both axes start at 0 (use --voltage-offset)"
    order = np.argsort(record.time_s, kind="stable")
    current = record.current_a[order]
    return VoltageTrace(
        time_s=record.time_s[order] + offset_s,
        potential_v=record.potential_v[order],
        current_a=None if not np.any(current) else current,
        offset_s=float(offset_s),
        alignment=alignment,
        source=record.metadata.source,
    )


@dataclass(frozen=True)
class DCConditions:
    """What is known about the DC side: constant current density (mA cm⁻²), area (cm²), record."""

    current_ma_cm2: float | None = None
    area_cm2: float | None = None
    trace: VoltageTrace | None = None

    def current_a(self, t: float, spectrum_dc_a: float | None = None) -> float | None:
        """DC current (A) at ``t``: from the current density × area (sign of the cell voltage, so that
        U/I > 0), else the record's current, else the spectrum's own DC set-point when non-zero."""
        if self.current_ma_cm2 is not None and self.area_cm2 is not None:
            magnitude = abs(self.current_ma_cm2) * 1e-3 * self.area_cm2
            u = None if self.trace is None else self.trace.voltage_at(t)
            return -magnitude if u is not None and u < 0 else magnitude
        if self.trace is not None:
            record_current = self.trace.current_at(t)
            if record_current is not None:
                return record_current
        return spectrum_dc_a if spectrum_dc_a else None

    @property
    def stripping_level_a(self) -> float | None:
        """|j|·A (A) when both are given."""
        if self.current_ma_cm2 is None or self.area_cm2 is None:
            return None
        return abs(self.current_ma_cm2) * 1e-3 * self.area_cm2

    @cached_property
    def _stripping_span(self) -> tuple[float, float] | None:
        return None if self.trace is None else self.trace.stripping_span(self.stripping_level_a)

    def stripping_span(self) -> tuple[float, float] | None:
        """Series-time span (s) of the record while the stripping current is on (``None`` without a
        record); see the module docstring.  Computed once (every spectrum's charge needs it)."""
        return self._stripping_span

    def charge_c_cm2(self, t: float) -> float | None:
        """Stripped charge density (C cm⁻²) from the start of stripping up to series time ``t`` (``None``
        when not computable)."""
        span = self.stripping_span()
        start = 0.0 if span is None else span[0]
        if self.current_ma_cm2 is not None:
            return abs(self.current_ma_cm2) * 1e-3 * max(0.0, t - start)
        if self.trace is not None and self.trace.current_a is not None and self.area_cm2 is not None:
            return self.trace.charge_c(t, start) / self.area_cm2
        return None


def dc_apparent_asr(
    voltage_v: float | None, current_a: float | None, r_se_ohm: float | None, area_cm2: float | None
) -> float | None:
    """(|U| − |I|·R_SE)·A/|I| in Ω cm², or ``None`` when an input is missing or I = 0."""
    if voltage_v is None or current_a is None or r_se_ohm is None or area_cm2 is None or current_a == 0:
        return None
    current = abs(current_a)
    value = (abs(voltage_v) - current * r_se_ohm) * area_cm2 / current
    return value if math.isfinite(value) else None
