"""When each spectrum of a series was measured, on one time axis in seconds.

Sources, in order of preference:

1. every spectrum has an absolute start time (``metadata.start_time``): the series axis counts seconds from
   the earliest start (or from a given origin); per-point times, when present, give each sweep's duration;
2. every spectrum has per-point times and all come from one file (one instrument clock): the axis counts
   seconds from the earliest point;
3. otherwise ``interval_s``: spectra in name order (natural sort of the file name, then index in the file)
   at 0, Δ, 2Δ, ... with unknown duration.

A spectrum's time stamp ``time_s`` is the middle of its sweep.  When only some spectra have per-point
times, the others get start + half the median sweep duration of those that have them (their end stays
unknown), so that all stamps mean the same; without any duration the stamp is the start.  ``start_s`` and
``end_s`` bound the acquisition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from .._checks import checked
from ..batch import natural_key
from ..data import Spectrum
from ..exceptions import DataError

TIME_CONVENTION = (
    "time_s = middle of the sweep, seconds on the series axis (a spectrum without per-point times among "
    "others with them: start + half their median sweep duration; start when no duration is known); "
    "t_start_s/t_end_s bound the acquisition"
)


@dataclass(frozen=True)
class SweepTime:
    """Acquisition window of one spectrum on the series axis (s); ``end_s`` is ``None`` when unknown, and
    ``typical_duration_s`` then, if given, the median sweep duration of the series' other spectra."""

    start_s: float
    end_s: float | None = None
    typical_duration_s: float | None = None

    @property
    def time_s(self) -> float:
        """Time stamp of the spectrum (s): middle of the sweep (estimated with ``typical_duration_s`` when
        the end is unknown), or its start when no duration is known."""
        if self.end_s is not None:
            return 0.5 * (self.start_s + self.end_s)
        return self.start_s + 0.5 * (self.typical_duration_s or 0.0)

    @property
    def duration_s(self) -> float | None:
        return None if self.end_s is None else self.end_s - self.start_s


@dataclass(frozen=True)
class TimeAxis:
    """Times of a series: one :class:`SweepTime` per spectrum (input order), the absolute time of
    t = 0 (``None`` when the axis is relative), a sentence saying where the times came from, and the times
    of unreadable files (only with ``--interval``, where each holds the slot of one spectrum)."""

    times: tuple[SweepTime, ...]
    origin: datetime | None
    source: str
    unreadable: tuple[SweepTime | None, ...] = ()


def _name_key(source: str | None, index: int) -> tuple[tuple[tuple[int, int | str], ...], int]:
    return natural_key(Path(source).name if source else ""), index


def name_order(spectra: Sequence[Spectrum]) -> list[int]:
    """Indexes of ``spectra`` in name order: natural sort of the file name, then index in the file."""
    return sorted(
        range(len(spectra)), key=lambda k: _name_key(spectra[k].metadata.source, spectra[k].metadata.index)
    )


def _duration_s(spectrum: Spectrum) -> float | None:
    t = spectrum.point_times_s
    return None if t is None else float(t.max() - t.min())


@checked
def assign_times(
    spectra: Sequence[Spectrum],
    *,
    interval_s: float | None = None,
    origin: datetime | None = None,
    unreadable: Sequence[str] = (),
) -> TimeAxis:
    """Put every spectrum on one time axis (see the module docstring for the rules).

    ``origin`` fixes t = 0 for absolute times (a resumed run keeps its first origin).  ``unreadable``
    names files that could not be read: with ``interval_s`` each keeps the slot of one spectrum in name
    order, so that the others keep their times once it is repaired.  Raises :class:`DataError` when the
    files carry no usable times and no ``interval_s`` is given.
    """
    if not spectra:
        raise DataError("no spectra to put on a time axis")
    if interval_s is not None and not interval_s > 0:
        raise DataError(f"interval must be > 0 s, got {interval_s}")
    starts = [s.metadata.start_time for s in spectra]
    if all(start is not None for start in starts):
        zero = origin or min(start for start in starts if start is not None)
        durations = [_duration_s(spectrum) for spectrum in spectra]
        known = [d for d in durations if d is not None]
        typical = float(np.median(known)) if known else None
        times = []
        for start, duration in zip(starts, durations, strict=True):
            begin = (start - zero).total_seconds()  # type: ignore[operator]
            if duration is None:
                times.append(SweepTime(begin, None, typical))
            else:
                times.append(SweepTime(begin, begin + duration))
        if len(known) == len(spectra):
            detail = "per-point times give each sweep's duration; time_s = middle of the sweep"
        elif not known:
            detail = "sweep durations unknown; time_s = start of the sweep"
        else:
            detail = (
                f"time_s = middle of the sweep: from per-point times for {len(known)} of {len(spectra)} "
                f"spectra, start + half their median duration ({typical:.6g} s) for the other "
                f"{len(spectra) - len(known)}"
            )
        return TimeAxis(
            tuple(times), zero, f"absolute start time from each file ({detail})", (None,) * len(unreadable)
        )
    sources = {s.metadata.source for s in spectra}
    if len(sources) == 1 and all(s.point_times_s is not None for s in spectra):
        zero_s = min(float(s.point_times_s.min()) for s in spectra)  # type: ignore[union-attr]
        times = [
            SweepTime(float(s.point_times_s.min()) - zero_s, float(s.point_times_s.max()) - zero_s)  # type: ignore[union-attr]
            for s in spectra
        ]
        return TimeAxis(
            tuple(times),
            None,
            "per-point times of one file (instrument clock); time_s = middle of the sweep",
            (None,) * len(unreadable),
        )
    if interval_s is None:
        lacking = next(s for s in spectra if s.metadata.start_time is None)
        raise DataError(
            f"{lacking.label}: the file gives no start time"
            + (
                ""
                if len(sources) == 1
                else " (per-point times alone cannot order spectra from several files)"
            )
            + "; pass --interval SECONDS to space the spectra in name order"
        )
    slots = [(_name_key(s.metadata.source, s.metadata.index), "spectrum", k) for k, s in enumerate(spectra)]
    slots += [(_name_key(name, 0), "unreadable", k) for k, name in enumerate(unreadable)]
    placed: dict[tuple[str, int], SweepTime] = {
        (kind, k): SweepTime(position * interval_s) for position, (_, kind, k) in enumerate(sorted(slots))
    }
    return TimeAxis(
        tuple(placed["spectrum", k] for k in range(len(spectra))),
        None,
        f"--interval {interval_s:g} s in name order (the files give no usable times); time_s = slot start",
        tuple(placed["unreadable", k] for k in range(len(unreadable))),
    )
