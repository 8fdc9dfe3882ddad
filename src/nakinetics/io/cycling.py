"""Reading cycling records (galvanostatic plating/stripping, charge/discharge) from cycler files.

>>> from nakinetics.io import read_cycling_record
>>> record = read_cycling_record("na_na_gcpl.mpt")                 # BioLogic, Neware, Arbin, LAND, Maccor, CHI, CSV
>>> u_t = read_cycling_record("time_voltage.txt", current_a=4e-4)  # no current column: the set current

Every reader returns :class:`~nakinetics.data.CyclingRecord` objects: time in s (the total test time),
voltage in V, current in A **anodic positive at the working electrode** (the cycler's positive lead:
charge / stripping from it positive), with the cycler's step numbers and control modes (rest, constant
current, constant voltage) when the file has them.  Formats (``format=``): :data:`CYCLING_FORMATS`.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from .._checks import checked
from ..data import CyclingRecord
from ._common import pick_one
from ._dc import CurrentConvention, dc_options
from ._formats import format_names, read_items
from ._source import Source, open_source
from .cycler_formats import CYCLER_FORMATS


@checked
def read_cycling_records(
    path: str | os.PathLike[str] | BinaryIO | Source,
    *,
    format: str | None = None,
    current_a: float | None = None,
    area_cm2: float | None = None,
    current_convention: CurrentConvention | None = None,
) -> list[CyclingRecord]:
    """Every cycling record in ``path`` (one for all current formats).

    ``format`` forces a reader (:data:`CYCLING_FORMATS`); ``current_a`` (A) is the set current of a
    time–voltage file without a current column (its sign is decided by the analysis); ``area_cm2``
    overrides the file's area; ``current_convention="cathodic"`` flips a current column that the file
    stores cathodic positive.  Raises :class:`~nakinetics.exceptions.FileFormatError` naming the file
    and what is missing (no time, no voltage, no current, unreadable numbers, mixed units).
    """
    source = open_source(path)
    return read_items(source, "cycling", format, dc_options(source, current_a, area_cm2, current_convention))


@checked
def read_cycling_record(
    path: str | os.PathLike[str] | BinaryIO | Source,
    *,
    index: int | None = None,
    format: str | None = None,
    current_a: float | None = None,
    area_cm2: float | None = None,
    current_convention: CurrentConvention | None = None,
) -> CyclingRecord:
    """The one cycling record in ``path`` (or the ``index``-th); arguments as :func:`read_cycling_records`."""
    source = open_source(path)
    records = read_cycling_records(
        source, format=format, current_a=current_a, area_cm2=area_cm2, current_convention=current_convention
    )
    return pick_one(source, records, index, "cycling records", "read_cycling_records")


CYCLING_FORMATS: tuple[str, ...] = tuple(format_names("cycling"))

__all__ = ["CYCLER_FORMATS", "CYCLING_FORMATS", "read_cycling_record", "read_cycling_records"]
