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

from ._checks import checked_class
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


def _is_descriptor(path: object) -> bool:
    """Whether ``path`` names an open file descriptor or a device (``/dev/fd/N``, ``/proc/self/fd/N``,
    ``/dev/stdin``) rather than a file whose name means something."""
    from pathlib import PurePosixPath

    parent = PurePosixPath(str(path)).parent
    return parent.as_posix() in ("/dev", "/dev/fd") or (
        parent.name == "fd" and parent.parent.parent.as_posix() == "/proc"
    )


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
        if source and _is_descriptor(Path(source)):
            name = str(source)  # /dev/fd/63 (a shell's <(…)): its bare name "63" names nothing
        several = self.metadata.index or self.metadata.extra.get("items_in_file", 1) > 1
        return f"{name}[{self.metadata.index}]" if several else name


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


def _checked_pair(
    where: str, first: tuple[Any, type, str], second: tuple[Any, type, str], kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """The two paired arrays of a measurement as 1-D arrays, checked: same length, not empty, finite.
    Each argument is (values, dtype, name used in messages); ``kind`` names the measurement."""
    a, b = (_as_1d(values, dtype, name) for values, dtype, name in (first, second))
    name_a, name_b = first[2], second[2]
    if a.shape != b.shape:
        raise DataError(f"{where}{name_a} ({a.size}) and {name_b} ({b.size}) differ in length")
    if a.size == 0:
        raise DataError(f"{where}{kind} has no data points")
    if not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        bad = int(np.count_nonzero(~(np.isfinite(a) & np.isfinite(b))))
        raise DataError(f"{where}{bad} point(s) have NaN or infinite {name_a} or {name_b}")
    return a, b


def _set_aligned(obj: Any, where: str, name: str, dtype: type, reference: tuple[str, int]) -> None:
    """Convert the optional per-point field ``name`` of a frozen dataclass to a 1-D array of ``dtype`` and
    check that it has one value per point (``reference`` = (name, length) of the main array)."""
    values = getattr(obj, name)
    if values is None:
        return
    arr = _as_1d(values, dtype, name)
    if arr.size != reference[1]:
        raise DataError(f"{where}{name} ({arr.size}) and {reference[0]} ({reference[1]}) differ in length")
    object.__setattr__(obj, name, arr)


@checked_class
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
        f, z = _checked_pair(
            where,
            (self.frequency, np.float64, "frequency"),
            (self.impedance, np.complex128, "impedance"),
            "spectrum",
        )
        if np.any(f <= 0):
            raise DataError(f"{where}frequencies must be > 0 Hz, found minimum {f.min():g} Hz")
        object.__setattr__(self, "frequency", f)
        object.__setattr__(self, "impedance", z)
        _set_aligned(self, where, "point_times_s", np.float64, ("frequency", f.size))

    def __len__(self) -> int:
        return int(self.frequency.size)

    def __repr__(self) -> str:
        meta = self.metadata
        kind = ", ".join(k for k in (meta.format, meta.technique) if k)
        return (
            f"Spectrum({self.label}, {len(self)} points, {self.frequency.min():.4g}–{self.frequency.max():.4g} Hz, "
            f"|Z| {self.modulus.min():.4g}–{self.modulus.max():.4g} Ohm{', ' + kind if kind else ''})"
        )

    def to_dataframe(self) -> Any:
        """A pandas DataFrame (pandas imported only here): frequency_hz, z_real_ohm, z_imag_ohm (Z'' < 0
        capacitive), z_mod_ohm, phase_deg and time_s when the file gave point times; the metadata are in
        ``DataFrame.attrs["metadata"]``."""
        from ._tables import dataframe
        from .records import spectrum_columns

        return dataframe(spectrum_columns(self), {"metadata": self.metadata.to_dict()})

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
        from ._checks import frequency_window

        fmin, fmax = frequency_window(fmin, fmax)
        keep = np.ones(self.frequency.shape, dtype=bool)
        if fmin is not None:
            keep &= self.frequency >= fmin
        if fmax is not None:
            keep &= self.frequency <= fmax
        if not keep.any():
            window = (
                f"{fmin:g}–{fmax:g} Hz"
                if fmin is not None and fmax is not None
                else (f"at or above {fmin:g} Hz" if fmin is not None else f"at or below {fmax:g} Hz")
            )
            raise DataError(
                f"{self.label}: no points in the frequency window {window} (fmin/fmax); the data span "
                f"{self.frequency.min():g}–{self.frequency.max():g} Hz"
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


@checked_class
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
        v, i = _checked_pair(
            where,
            (self.potential_v, np.float64, "potential"),
            (self.current_a, np.float64, "current"),
            "record",
        )
        object.__setattr__(self, "potential_v", v)
        object.__setattr__(self, "current_a", i)
        _set_aligned(self, where, "time_s", np.float64, ("potential", v.size))
        _set_aligned(self, where, "cycle", np.int64, ("potential", v.size))

    def __len__(self) -> int:
        return int(self.potential_v.size)

    def __repr__(self) -> str:
        technique = f", {self.metadata.technique}" if self.metadata.technique else ""
        return (
            f"{type(self).__name__}({self.label}, {len(self)} points, {self.potential_v.min():.4g}–{self.potential_v.max():.4g} V, "
            f"{self.current_a.min():.4g}–{self.current_a.max():.4g} A{technique})"
        )

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


#: Control mode of each point of a :class:`CyclingRecord` (``CyclingRecord.mode``).
MODE_UNKNOWN, MODE_CC, MODE_CV, MODE_REST = 0, 1, 2, 3
MODE_NAMES = {
    MODE_UNKNOWN: "unknown",
    MODE_CC: "constant current",
    MODE_CV: "constant voltage",
    MODE_REST: "rest",
}


@dataclass(frozen=True)
class CyclingRecord(DCRecord):
    """A galvanostatic cycling record (plating/stripping, charge/discharge): a :class:`DCRecord` whose
    ``time_s`` is required, with the cycler's step number and control mode per point when the file has them.

    Convention as :class:`DCRecord`: ``potential_v`` is the working-electrode (or cell) voltage in V,
    ``current_a`` is anodic positive at the working electrode (A): positive = oxidation at the working
    electrode (Na stripping from it), negative = reduction (Na plating onto it).

    Attributes
    ----------
    step : step number of each point as the cycler numbers them, or ``None``.
    mode : control mode of each point (int8): 0 unknown, 1 constant current, 2 constant voltage
        (taper), 3 rest; ``None`` when the file does not say (the analysis then infers it).
    """

    _default_label: ClassVar[str] = "cycling record"
    __repr__ = DCRecord.__repr__
    step: np.ndarray | None = None
    mode: np.ndarray | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        where = f"{self.metadata.source}: " if self.metadata.source else ""
        if self.time_s is None:
            raise DataError(f"{where}no time column; a cycling record needs the time of every point")
        if not np.all(np.isfinite(self.time_s)):
            raise DataError(f"{where}time is NaN or infinite in some rows")
        reference = ("potential", self.potential_v.size)
        _set_aligned(self, where, "step", np.int64, reference)
        _set_aligned(self, where, "mode", np.int8, reference)

    def subset(self, index: Any) -> CyclingRecord:
        """The points selected by ``index`` (slice, boolean mask or integer positions), same metadata."""
        assert self.time_s is not None  # checked in __post_init__
        return dataclasses.replace(
            self,
            potential_v=self.potential_v[index],
            current_a=self.current_a[index],
            time_s=self.time_s[index],
            cycle=None if self.cycle is None else self.cycle[index],
            step=None if self.step is None else self.step[index],
            mode=None if self.mode is None else self.mode[index],
        )
