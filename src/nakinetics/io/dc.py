"""Reading DC records (sweeps, chronopotentiometry, OCV) from instrument files.

>>> from nakinetics.io import read_dc_record, read_dc_records
>>> sweep = read_dc_record("tafel.txt")                       # CHI, EC-Lab .mpt, Gamry .DTA, NOVA, CSV
>>> u_t = read_dc_record("stripping.csv", current_a=2e-4)     # time,voltage file at a set current

Every reader returns :class:`~nakinetics.data.DCRecord` objects with potential in V, current in A
**anodic positive** (converted once, see ``metadata.extra["current_convention"]``), time in s and 0-based
cycle numbers.  A file exported with cathodic current positive (and not saying so) is read with
``current_convention="cathodic"``, which flips the sign of its current column.  Files with no current column (chronopotentiometry exported as time, potential) need the
set current ``current_a``; open-circuit records get zero current.  ``metadata.extra["current_source"]``
says where the current came from (``"file"``, ``"open circuit"``, ``"given"``, ``"density × area"``).
"""

from __future__ import annotations

import os
from typing import BinaryIO

from ..data import DCRecord
from ._common import pick_one
from ._dc import CurrentConvention, dc_options
from ._formats import format_names, read_items
from ._source import Source, open_source

DC_FORMATS: tuple[str, ...] = tuple(format_names("dc"))
"""Formats that have a DC reader (``format=`` values).  ``.mpr``, Ivium ``.idf`` and VersaStudio ``.par``
DC files are recognised but rejected with an explanation; impedance-only formats (ZPlot, Z60W, Parstat,
...) are rejected."""


def read_dc_records(
    path: str | os.PathLike[str] | BinaryIO | Source,
    *,
    format: str | None = None,
    current_a: float | None = None,
    area_cm2: float | None = None,
    current_convention: CurrentConvention | None = None,
) -> list[DCRecord]:
    """Every DC record in ``path`` (one per BioLogic loop; one for the other formats) in file order.

    ``format`` forces a reader (a :data:`DC_FORMATS` name); by default it is detected from the header
    signature and extension.  ``current_a`` (A, anodic positive) is the set current of a
    potential-vs-time file without a current column (chronopotentiometry; not allowed when the file has
    one).  ``area_cm2`` (cm²) overrides the file's electrode area (the file's value is kept in
    ``extra["file_area_cm2"]``) and converts current-density columns.  ``current_convention`` says how the
    file signs its current column: ``"anodic"`` (anodic positive, taken as written) or ``"cathodic"``
    (cathodic positive, flipped); ``None`` (default) follows the file's own declaration (Gamry
    ``CONVENTION``) or takes the numbers as written.  ``metadata.index`` is 0..n-1.

    Raises :class:`~nakinetics.exceptions.MissingFileError` (a ``FileNotFoundError``) for a missing file and :class:`~nakinetics.exceptions.FileFormatError`
    for a file that is not a DC record (impedance files included) or lacks the potential/current column.
    """
    source = open_source(path)
    return read_items(source, "dc", format, dc_options(source, current_a, area_cm2, current_convention))


def read_dc_record(
    path: str | os.PathLike[str] | BinaryIO | Source,
    *,
    index: int | None = None,
    format: str | None = None,
    current_a: float | None = None,
    area_cm2: float | None = None,
    current_convention: CurrentConvention | None = None,
) -> DCRecord:
    """The one DC record in ``path``, or the ``index``-th (0-based) of a multi-record file.

    Raises :class:`~nakinetics.exceptions.DataError` when the file holds several records and ``index`` is
    ``None``, or when ``index`` is out of range.  Other arguments as in :func:`read_dc_records`.
    """
    source = open_source(path)
    records = read_dc_records(
        source, format=format, current_a=current_a, area_cm2=area_cm2, current_convention=current_convention
    )
    return pick_one(source, records, index, "DC records", "read_dc_records")
