"""Checks that let a re-run continue a series on disk: same settings, same spectrum times, which earlier
rows still stand (spectra still among the inputs, data unchanged) and which spectra to fit again."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .runner import Key, SeriesItem, data_fingerprint
from .table import Row


def settings_differences(stored: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """``"name: stored → now"`` for every setting that differs (missing keys count as ``None``)."""
    out = []
    for name in sorted(set(stored) | set(now)):
        before, after = stored.get(name), now.get(name)
        if before != after:
            out.append(f"{name}: {before!r} → {after!r}")
    return out


def time_mismatches(
    items: Iterable[SeriesItem], done: Mapping[Key, Row], tolerance_s: float = 1e-3
) -> list[str]:
    """Finished spectra whose time on the axis of this run differs from the stored one."""
    out = []
    for item in items:
        row = done.get(item.key)
        if row is None or item.time is None or row.get("time_s") is None:
            continue
        stored = float(row["time_s"])
        if abs(stored - item.time.time_s) > tolerance_s:
            out.append(f"{item.label}: stored {stored:.6g} s, now {item.time.time_s:.6g} s")
    return out


@dataclass(frozen=True)
class ResumePlan:
    """How a re-run continues an earlier run.

    rows : the earlier rows kept as finished (time order as stored).
    items : the spectra of this run (an unreadable file whose earlier rows are kept is left out).
    retried : failed rows dropped to be tried again.
    gone : earlier rows dropped because their spectrum is no longer among the inputs (file not given,
        or no longer holding that spectrum); they are neither counted nor analysed.
    duplicates : earlier rows dropped because another row holds the same spectrum (file, index): two runs
        that appended to one table, or a run killed between appending and rewriting it.
    changed : labels of spectra whose data changed since they were fitted (their rows are dropped and the
        spectra fitted again), e.g. the last, partly written loop of a growing file.
    unreadable_kept : (file, reason) of files that cannot be read now but whose earlier rows are kept.
    """

    rows: list[Row]
    items: list[SeriesItem]
    duplicates: int = 0
    retried: int = 0
    gone: list[Row] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unreadable_kept: list[tuple[str, str]] = field(default_factory=list)

    @property
    def modified(self) -> bool:
        """Whether the stored table loses rows."""
        return bool(self.duplicates or self.retried or self.gone or self.changed)

    def notes(self) -> list[str]:
        """One line per thing the re-run did differently from a plain continuation."""
        out = []
        if self.duplicates:
            out.append(
                f"{self.duplicates} duplicate row(s) of the earlier run(s) removed (one row per spectrum kept)"
            )
        if self.gone:
            files = sorted({Path(r["file"]).name for r in self.gone})
            out.append(
                f"{len(self.gone)} earlier row(s) removed from the table, their spectra are no longer among "
                f"the inputs ({', '.join(files[:5])}{', ...' if len(files) > 5 else ''}): not counted or analysed"
            )
        if self.changed:
            out.append(f"changed since fitted, fitted again: {', '.join(self.changed)}")
        for file, reason in self.unreadable_kept:
            out.append(f"cannot be read now, rows of the earlier run kept: {Path(file).name}: {reason}")
        if self.retried:
            out.append(f"tried again: {self.retried} spectrum/spectra that had failed")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "duplicates_removed": self.duplicates,
            "retried_failed": self.retried,
            "dropped_not_in_inputs": [
                {"file": r["file"], "index": r["index"], "label": r.get("label")} for r in self.gone
            ],
            "refitted_changed": self.changed,
            "unreadable_now_rows_kept": [{"file": f, "reason": why} for f, why in self.unreadable_kept],
        }


def unique_rows(rows: Sequence[Row]) -> list[Row]:
    """One row per spectrum (file, index), in the order of first appearance: a fitted row beats a failed
    one, and among rows of the same kind the later one wins (whatever runs wrote them)."""
    chosen: dict[Key, Row] = {}
    for row in rows:
        key = (row["file"], row["index"])
        earlier = chosen.get(key)
        if earlier is None or not (row.get("status") == "failed" and earlier.get("status") != "failed"):
            chosen[key] = row
    return list(chosen.values())


def plan_resume(
    rows: Sequence[Row], items: Sequence[SeriesItem], inputs: Collection[str], *, retry_failed: bool = False
) -> ResumePlan:
    """Which earlier ``rows`` still count as finished for this run's ``items`` (from the files
    ``inputs``, resolved paths), see :class:`ResumePlan`.  A failed row is dropped (tried again) with
    ``retry_failed``, or when its file could not be read before and reads now."""
    unique = unique_rows(rows)
    duplicates, rows = len(rows) - len(unique), unique
    readable = {item.file for item in items if item.spectrum is not None}
    by_key = {item.key: item for item in items}
    kept: list[Row] = []
    gone: list[Row] = []
    changed: list[str] = []
    retried = 0
    for row in rows:
        item = by_key.get((row["file"], row["index"]))
        if row["file"] not in inputs or (item is None and row["file"] in readable and row["index"] >= 0):
            gone.append(row)
        elif row.get("status") == "failed" and (
            retry_failed or (row["index"] == -1 and row["file"] in readable)
        ):
            retried += 1
        elif (
            item is not None
            and item.spectrum is not None
            and row.get("data_fingerprint") != data_fingerprint(item.spectrum)
        ):
            changed.append(item.label)
        else:
            kept.append(row)
    with_rows = {row["file"] for row in kept if row["index"] >= 0}
    skipped = [item for item in items if item.spectrum is None and item.file in with_rows]
    return ResumePlan(
        rows=kept,
        items=[item for item in items if all(item is not other for other in skipped)],
        duplicates=duplicates,
        retried=retried,
        gone=gone,
        changed=changed,
        unreadable_kept=[(item.file, item.error or "unreadable") for item in skipped],
    )
