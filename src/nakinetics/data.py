"""Validated, immutable data containers: impedance spectra and their metadata.

Convention everywhere: Z = Z' + jZ'' in Ω with Z'' < 0 for capacitive behaviour, frequency f in Hz
(ω = 2πf in rad s⁻¹).  Readers convert to this convention once; nothing downstream flips signs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

import numpy as np

from ._typing import ComplexArray, FloatArray
from .exceptions import DataError

Technique = Literal["PEIS", "GEIS"]


class _MetadataDict:
    """``to_dict`` shared by the metadata classes."""

    start_time: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (datetime as ISO 8601 string)."""
        out = dataclasses.asdict(self)  # type: ignore[call-overload]
        out["start_time"] = self.start_time.isoformat() if self.start_time else None
        return out


class _Labelled:
    """``label`` shared by the measurement classes: file name, and the index in multi-item files."""

    metadata: SpectrumMetadata | DCMetadata
    _default_label: ClassVar[str] = "measurement"

    @property
    def label(self) -> str:
        """Short human-readable name: file name and, for multi-item files, the index."""
        from pathlib import Path

        source = self.metadata.source
        name = Path(source).name if source else self._default_label
        return f"{name}[{self.metadata.index}]" if self.metadata.index else name


@dataclass(frozen=True)
class SpectrumMetadata(_MetadataDict):
    """What the instrument file says about how a spectrum was measured.

    Every field is optional: ``None`` means the file did not say.

    Attributes
    ----------
    source : path of the file the spectrum came from.
    format : reader that produced it (``"chi"``, ``"biologic-mpt"``, ...).
    instrument : instrument model or software as written in the file.
    technique : ``"PEIS"`` (potential-controlled) or ``"GEIS"`` (current-controlled).
    dc_potential_v, dc_current_a : DC level during the measurement (V, A).
    ac_amplitude_v, ac_amplitude_a : perturbation amplitude as the file states it (V or A).
    area_cm2 : electrode area written in the file (cm²).
    temperature_k : temperature (K).
    start_time : absolute start of the spectrum (naive local time as written in the file).
    index : position of this spectrum in a multi-spectrum file (0-based).
    extra : anything else worth keeping (free-form, JSON-safe values).
    """

    source: str | None = None
    format: str | None = None
    instrument: str | None = None
    technique: Technique | None = None
    dc_potential_v: float | None = None
    dc_current_a: float | None = None
    ac_amplitude_v: float | None = None
    ac_amplitude_a: float | None = None
    area_cm2: float | None = None
    temperature_k: float | None = None
    start_time: datetime | None = None
    index: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _as_1d(values: Any, dtype: type, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=dtype)
    if arr.ndim != 1:
        raise DataError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


@dataclass(frozen=True)
class Spectrum(_Labelled):
    """One impedance spectrum.

    Attributes
    ----------
    frequency : frequencies in Hz, all finite and > 0 (any order).
    impedance : complex impedance in Ω, Z'' < 0 capacitive.
    point_times_s : elapsed time of each point in s (instrument clock), or ``None``.
    metadata : how and where it was measured.
    """

    _default_label: ClassVar[str] = "spectrum"
    frequency: FloatArray
    impedance: ComplexArray
    point_times_s: FloatArray | None = None
    metadata: SpectrumMetadata = field(default_factory=SpectrumMetadata)

    def __post_init__(self) -> None:
        where = f"{self.metadata.source}: " if self.metadata.source else ""
        f = _as_1d(self.frequency, np.float64, "frequency")
        z = _as_1d(self.impedance, np.complex128, "impedance")
        if f.shape != z.shape:
            raise DataError(f"{where}frequency ({f.size}) and impedance ({z.size}) differ in length")
        if f.size == 0:
            raise DataError(f"{where}spectrum has no data points")
        if not np.all(np.isfinite(f)) or not np.all(np.isfinite(z)):
            bad = int(np.count_nonzero(~(np.isfinite(f) & np.isfinite(z))))
            raise DataError(f"{where}{bad} point(s) have NaN or infinite frequency or impedance")
        if np.any(f <= 0):
            raise DataError(f"{where}frequencies must be > 0 Hz, found minimum {f.min():g} Hz")
        object.__setattr__(self, "frequency", f)
        object.__setattr__(self, "impedance", z)
        if self.point_times_s is not None:
            t = _as_1d(self.point_times_s, np.float64, "point_times_s")
            if t.shape != f.shape:
                raise DataError(f"{where}point_times_s ({t.size}) and frequency ({f.size}) differ in length")
            object.__setattr__(self, "point_times_s", t)

    def __len__(self) -> int:
        return int(self.frequency.size)

    @property
    def omega(self) -> FloatArray:
        """Angular frequency ω = 2πf in rad s⁻¹."""
        return 2.0 * np.pi * self.frequency

    @property
    def real(self) -> FloatArray:
        """Z' in Ω."""
        return self.impedance.real

    @property
    def imag(self) -> FloatArray:
        """Z'' in Ω (negative for capacitive behaviour)."""
        return self.impedance.imag

    @property
    def modulus(self) -> FloatArray:
        """|Z| in Ω."""
        return np.abs(self.impedance)

    @property
    def phase_deg(self) -> FloatArray:
        """Phase of Z in degrees (negative for capacitive behaviour)."""
        return np.degrees(np.angle(self.impedance))

    def select(self, fmin: float | None = None, fmax: float | None = None) -> Spectrum:
        """Return the points with ``fmin <= f <= fmax`` (Hz) as a new spectrum."""
        keep = np.ones(self.frequency.shape, dtype=bool)
        if fmin is not None:
            keep &= self.frequency >= fmin
        if fmax is not None:
            keep &= self.frequency <= fmax
        if not keep.any():
            raise DataError(
                f"{self.label}: no points between fmin={fmin} Hz and fmax={fmax} Hz "
                f"(data span {self.frequency.min():g}–{self.frequency.max():g} Hz)"
            )
        return self._subset(keep)

    def sorted(self, descending: bool = True) -> Spectrum:
        """Return a copy ordered by frequency (high → low by default)."""
        order = np.argsort(self.frequency, kind="stable")
        return self._subset(order[::-1] if descending else order)

    def _subset(self, index: np.ndarray) -> Spectrum:
        times = None if self.point_times_s is None else self.point_times_s[index]
        return dataclasses.replace(
            self,
            frequency=self.frequency[index],
            impedance=self.impedance[index],
            point_times_s=times,
        )


DCTechnique = Literal["LSV", "CV", "Tafel", "POTDYN", "CP", "CA", "OCV", "unknown"]


@dataclass(frozen=True)
class DCMetadata(_MetadataDict):
    """What the instrument file says about a DC measurement (sweep or chronopotentiometry).

    Every field is optional: ``None`` means the file did not say.

    Attributes
    ----------
    source, format, instrument : as in :class:`SpectrumMetadata`.
    technique : ``"LSV"``, ``"CV"``, ``"Tafel"``, ``"POTDYN"`` (potential sweeps), ``"CP"``
        (chronopotentiometry: potential vs time at set current), ``"CA"``, ``"OCV"`` or ``"unknown"``.
    scan_rate_v_s : sweep rate (V s⁻¹), positive.
    area_cm2 : electrode area written in the file (cm²).
    temperature_k : temperature (K).
    start_time : absolute start of the record (naive local time as written in the file).
    reference : what the potential is measured against, as written (``"Ag/AgCl"``, ``"cell voltage"``).
    index : position of this record in a multi-record file (0-based).
    extra : anything else worth keeping (free-form, JSON-safe values).
    """

    source: str | None = None
    format: str | None = None
    instrument: str | None = None
    technique: DCTechnique | None = None
    scan_rate_v_s: float | None = None
    area_cm2: float | None = None
    temperature_k: float | None = None
    start_time: datetime | None = None
    reference: str | None = None
    index: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DCRecord(_Labelled):
    """A DC measurement: a potential sweep (LSV, CV, Tafel, potentiodynamic) or a potential-vs-time
    record (chronopotentiometry, OCV).

    Convention: ``current_a`` is positive for oxidation (anodic, IUPAC); readers convert once.

    Attributes
    ----------
    potential_v : working-electrode potential or cell voltage (V), as the file gives it.
    current_a : current (A), anodic positive.
    time_s : elapsed time of each point (s), or ``None``.
    cycle : cycle number of each point as the file gives it (0-based), or ``None``.
    metadata : how and where it was measured.
    """

    _default_label: ClassVar[str] = "record"
    potential_v: FloatArray
    current_a: FloatArray
    time_s: FloatArray | None = None
    cycle: np.ndarray | None = None
    metadata: DCMetadata = field(default_factory=DCMetadata)

    def __post_init__(self) -> None:
        where = f"{self.metadata.source}: " if self.metadata.source else ""
        v = _as_1d(self.potential_v, np.float64, "potential_v")
        i = _as_1d(self.current_a, np.float64, "current_a")
        if v.shape != i.shape:
            raise DataError(f"{where}potential ({v.size}) and current ({i.size}) differ in length")
        if v.size == 0:
            raise DataError(f"{where}record has no data points")
        if not np.all(np.isfinite(v)) or not np.all(np.isfinite(i)):
            bad = int(np.count_nonzero(~(np.isfinite(v) & np.isfinite(i))))
            raise DataError(f"{where}{bad} point(s) have NaN or infinite potential or current")
        object.__setattr__(self, "potential_v", v)
        object.__setattr__(self, "current_a", i)
        for name, dtype in (("time_s", np.float64), ("cycle", np.int64)):
            arr = getattr(self, name)
            if arr is not None:
                arr = _as_1d(arr, dtype, name)
                if arr.shape != v.shape:
                    raise DataError(f"{where}{name} ({arr.size}) and potential ({v.size}) differ in length")
                object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return int(self.potential_v.size)

    @property
    def current_measured(self) -> bool:
        """False when the current is not a measurement in the file but zero by definition (open circuit)
        or the caller's set value (``metadata.extra["current_source"]``, see :mod:`nakinetics.io`)."""
        return self.metadata.extra.get("current_source", "file") in ("file", "density × area")

    def current_density_a_cm2(self, area_cm2: float | None = None) -> FloatArray:
        """Current density (A cm⁻², anodic positive) per ``area_cm2``, or per ``metadata.area_cm2``.

        Raises :class:`DataError` when neither area is known or the area is not > 0.
        """
        area = self.metadata.area_cm2 if area_cm2 is None else area_cm2
        if area is None:
            raise DataError(f"{self.label}: electrode area unknown (the file does not say); pass area_cm2")
        if not area > 0:
            raise DataError(f"{self.label}: area_cm2={area!r}; expected an area > 0 cm²")
        return self.current_a / area

    def subset(self, index: Any) -> DCRecord:
        """The points selected by ``index`` (slice, boolean mask or integer positions), same metadata."""
        return dataclasses.replace(
            self,
            potential_v=self.potential_v[index],
            current_a=self.current_a[index],
            time_s=None if self.time_s is None else self.time_s[index],
            cycle=None if self.cycle is None else self.cycle[index],
        )
