"""Helpers shared by the DC readers (sweeps, chronopotentiometry, OCV): reading options, the current
when a file has none, scan-rate units, and building a checked :class:`~nakinetics.data.DCRecord`.

Conventions every DC reader follows: potential in V, current in A with **anodic current positive**
(a reader flips the sign once when the file says it stores cathodic current as positive), time in s,
cycle numbers 0-based.  What was done is recorded in ``metadata.extra``:

* ``current_convention``: how the file stores the sign and whether it was flipped (the caller's
  ``current_convention="cathodic"`` flips a current column the file does not declare, ``"anodic"`` takes
  it as written; either overrides a file's own declaration);
* ``current_source``: ``"file"`` (a current column), ``"open circuit"`` (an OCV record: zero by
  definition), ``"given"`` (the caller's ``current_a=``, for potential-vs-time files without a current
  column) or ``"density × area"`` (a current-density column times ``area_cm2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from .._typing import FloatArray
from ..data import DCMetadata, DCRecord
from ..exceptions import DataError
from ._common import fail, json_safe, unit_scale
from ._source import Source

AS_WRITTEN = "anodic positive, as written in the file"
FLIPPED = "cathodic positive in the file; sign flipped to anodic positive"

CurrentConvention = Literal["anodic", "cathodic"]
CURRENT_CONVENTIONS: tuple[str, ...] = get_args(CurrentConvention)
#: ``current_source`` values whose current comes from a column of the file (what a convention applies to).
_FILE_SOURCES = ("file", "density × area")


@dataclass(frozen=True)
class DCOptions:
    """What the caller knows that the file may not say.

    current_a : set current (A, anodic positive) of a potential-vs-time record whose file has no current
        column (chronopotentiometry); ``None`` = the file must provide the current.
    area_cm2 : electrode area (cm²); overrides the file's value, and converts current-density columns.
    current_convention : how the file's current column is signed: ``"anodic"`` (anodic positive: taken as
        written) or ``"cathodic"`` (cathodic positive: flipped); ``None`` = what the file declares (Gamry
        ``CONVENTION``), else as written.
    """

    current_a: float | None = None
    area_cm2: float | None = None
    current_convention: CurrentConvention | None = None


def dc_options(
    source: Source | Path, current_a: float | None, area_cm2: float | None, convention: str | None
) -> DCOptions:
    """The caller's options for reading ``source``; an unknown ``current_convention`` is a DataError."""
    if convention is not None and convention not in CURRENT_CONVENTIONS:
        raise fail(
            source,
            f"current_convention={convention!r}; expected one of {', '.join(CURRENT_CONVENTIONS)}",
            error=DataError,
        )
    return DCOptions(current_a=current_a, area_cm2=area_cm2, current_convention=convention)  # type: ignore[arg-type]


def supplied_current(
    path: Path, options: DCOptions, n_points: int, *, open_circuit: bool, missing: str
) -> tuple[FloatArray, str]:
    """Current for a file without a current column: zeros for an open-circuit record, else the caller's
    ``current_a``; otherwise a :class:`FileFormatError` naming the missing column (``missing``)."""
    if open_circuit and options.current_a in (None, 0.0):
        return np.zeros(n_points), "open circuit"
    if options.current_a is None:
        raise fail(
            path,
            f"no current column ({missing}); this is a potential-vs-time record: pass current_a= "
            "(the set current in A, anodic positive) to read it",
        )
    if open_circuit:
        raise fail(
            path, f"an open-circuit record has zero current; current_a={options.current_a!r} A contradicts it"
        )
    return np.full(n_points, float(options.current_a)), "given"


def reject_given_current(path: Path, options: DCOptions, column: str) -> None:
    """A file that has a current column must not also get ``current_a=`` (which one would be meant?)."""
    if options.current_a is not None:
        raise fail(
            path,
            f"current_a={options.current_a!r} was given but the file has a current column {column!r}; "
            "leave current_a out",
        )


def scan_rate_scale(unit: str | None) -> float | None:
    """Factor converting a sweep-rate unit to V s⁻¹: ``"mV/s"`` → 1e-3, ``"V/s"`` → 1, ``"mV/min"`` →
    1e-3/60; ``None`` for anything else."""
    if not unit or "/" not in unit:
        return None
    numerator, _, denominator = unit.strip().partition("/")
    volts, seconds = unit_scale(numerator.strip(), "v"), unit_scale(denominator.strip(), "s")
    return None if volts is None or seconds is None else volts / seconds


def make_record(
    path: Path,
    fmt: str,
    potential: Any,
    current: Any,
    *,
    options: DCOptions,
    time: Any = None,
    cycle: Any = None,
    lines: np.ndarray | None = None,
    index: int = 0,
    extra: dict[str, Any] | None = None,
    **metadata: Any,
) -> DCRecord:
    """Check the points (NaN/inf, with the line of the first bad row) and build the :class:`DCRecord`.

    ``metadata`` holds :class:`DCMetadata` fields; ``options.area_cm2`` overrides the file's area (the
    file's value is kept in ``extra["file_area_cm2"]``); ``options.current_convention`` signs a current
    read from the file (``extra["current_source"]`` ``"file"`` or ``"density × area"``) and replaces
    ``extra["current_convention"]``.  ``extra`` is made JSON-safe, ``None`` dropped.
    """
    potential = np.asarray(potential, dtype=np.float64)
    current = np.asarray(current, dtype=np.float64)
    extra = dict(extra or {})
    given = options.current_convention
    if given is not None and extra.get("current_source") in _FILE_SOURCES:
        if given == "cathodic":
            current = -current
        extra["current_convention"] = (FLIPPED if given == "cathodic" else AS_WRITTEN) + (
            f" (given: current_convention={given!r})"
        )
    columns = {"potential": potential, "current": current}
    if time is not None:
        columns["time"] = np.asarray(time, dtype=np.float64)
    for name, values in columns.items():
        bad = ~np.isfinite(values)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            line = None if lines is None else int(lines[k])
            raise fail(path, f"{name} is NaN or infinite in {int(bad.sum())} row(s); expected numbers", line)
    if options.area_cm2 is not None:
        if not options.area_cm2 > 0:
            raise fail(path, f"area_cm2={options.area_cm2!r}; expected an area > 0 cm²")
        extra["file_area_cm2"] = metadata.get("area_cm2")
        extra["area_source"] = "given"
        metadata["area_cm2"] = float(options.area_cm2)
    clean = {k: json_safe(v) for k, v in extra.items() if v is not None}
    meta = DCMetadata(source=str(path), format=fmt, index=index, extra=clean, **metadata)
    return DCRecord(potential_v=potential, current_a=current, time_s=time, cycle=cycle, metadata=meta)


def zero_based(cycle: Any) -> tuple[np.ndarray, int]:
    """Cycle numbers shifted so that the first cycle of the file is 0; returns (cycles, offset) with
    ``file number = cycle + offset``."""
    values = np.asarray(cycle, dtype=np.float64)
    if values.size and not np.all(np.isfinite(values) & (np.abs(values) < 2**53)):
        values = np.where(np.isfinite(values) & (np.abs(values) < 2**53), values, 0.0)  # junk → cycle 0
    numbers = np.rint(values).astype(np.int64)
    offset = int(numbers.min()) if numbers.size else 0
    return numbers - offset, offset
