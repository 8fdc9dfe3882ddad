"""Instrument file readers.  Impedance readers return :class:`~nakinetics.data.Spectrum` objects in the
nakinetics convention (f in Hz > 0, Z = Z' + jZ'' in Ω with Z'' < 0 capacitive) with metadata; DC readers
(:func:`read_dc_records`, :func:`read_dc_record`, formats :data:`DC_FORMATS`) return
:class:`~nakinetics.data.DCRecord` objects (V, A anodic positive, s), see :mod:`nakinetics.io.dc`.

>>> from nakinetics.io import read_spectrum, read_spectra
>>> spectrum = read_spectrum("cell.DTA")                  # format detected from extension + header
>>> loops = read_spectra("geis_series.mpt")               # one Spectrum per BioLogic loop

Formats: :data:`CATALOG` (name, extensions, what metadata is read); ``FORMATS`` maps each name that
holds spectra to its reader.  ``.mpr`` needs the optional galvani, spreadsheets the optional
python-calamine.  Problems raise :class:`~nakinetics.exceptions.FileFormatError`
(a :class:`~nakinetics.exceptions.DataError`) with a one-line message that starts with the file path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .._checks import checked
from ..data import Spectrum
from ._common import pick_one
from ._formats import CATALOG, detect_format, format_names, read_items
from ._registry import FileFormat
from ._source import Source, open_source
from .cycling import CYCLING_FORMATS, read_cycling_record, read_cycling_records
from .dc import DC_FORMATS, read_dc_record, read_dc_records

__all__ = [
    "CATALOG",
    "CYCLING_FORMATS",
    "DC_FORMATS",
    "FORMATS",
    "FileFormat",
    "Reader",
    "Source",
    "detect_format",
    "format_names",
    "open_source",
    "read_cycling_record",
    "read_cycling_records",
    "read_dc_record",
    "read_dc_records",
    "read_spectra",
    "read_spectrum",
]

Reader = Callable[[Path], list[Spectrum]]

FORMATS: dict[str, Reader] = {
    fmt.name: fmt.readers["spectrum"] for fmt in CATALOG if "spectrum" in fmt.readers
}
"""Spectrum readers by format name (``reader(path) -> list[Spectrum]``); the full catalogue with
extensions, signatures and DC readers is :data:`CATALOG`."""

Input = str | os.PathLike[str] | BinaryIO | Source


@checked
def read_spectra(path: Input, *, format: str | None = None) -> list[Spectrum]:
    """Every spectrum in ``path`` (BioLogic loops, Ivium ``.ids`` datasets, sweeps one after another in a
    CSV, PalmSens sessions, spreadsheet sheets, ...) in file order, as :class:`~nakinetics.data.Spectrum`
    (frequency in Hz, impedance in Ω with Z'' < 0 capacitive; see :func:`read_spectrum`).

    ``path`` is a file path, a binary file object (e.g. ``sys.stdin.buffer``) or a :class:`Source`.
    ``format`` forces a reader (a :data:`FORMATS` key, case-insensitive; an extension such as ``"mpt"``
    also works); by default it is detected with :func:`detect_format`.  ``metadata.index`` is 0..n-1.
    Raises :class:`~nakinetics.exceptions.MissingFileError` (a ``FileNotFoundError``) for a missing file,
    :class:`~nakinetics.exceptions.UnreadableFileError` for a directory, device or link loop, and
    :class:`~nakinetics.exceptions.FileFormatError` for an unreadable file; never another exception.
    """
    return read_items(path, "spectrum", format)


@checked
def read_spectrum(path: Input, *, index: int | None = None, format: str | None = None) -> Spectrum:
    """The one spectrum in ``path``, or the ``index``-th (0-based) of a multi-spectrum file.

    The :class:`~nakinetics.data.Spectrum` holds ``frequency`` (Hz), ``impedance`` (complex, Ω, Z'' < 0
    capacitive whatever the file wrote: ``-Im(Z)``/``-Z''`` columns are flipped on reading), per-point
    ``point_times_s`` (s from the start, ``None`` when the file has none) and ``metadata`` (instrument,
    technique, start time, DC level, AC amplitude, area in cm², temperature in K, ``extra``).  Reading is
    as :func:`read_spectra`.  Raises :class:`~nakinetics.exceptions.DataError` when the file holds several spectra and ``index`` is
    ``None``, or when ``index`` is out of range.
    """
    source = open_source(path)
    return pick_one(source, read_spectra(source, format=format), index, "spectra", "read_spectra")
