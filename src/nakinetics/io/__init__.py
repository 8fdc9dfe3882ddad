"""Instrument file readers.  Impedance readers return :class:`~nakinetics.data.Spectrum` objects in the
nakinetics convention (f in Hz > 0, Z = Z' + jZ'' in Ω with Z'' < 0 capacitive) with metadata; DC readers
(:func:`read_dc_records`, :func:`read_dc_record`, formats :data:`DC_FORMATS`) return
:class:`~nakinetics.data.DCRecord` objects (V, A anodic positive, s), see :mod:`nakinetics.io.dc`.

>>> from nakinetics.io import read_spectrum, read_spectra
>>> spectrum = read_spectrum("cell.DTA")                  # format detected from extension + header
>>> loops = read_spectra("geis_series.mpt")               # one Spectrum per BioLogic loop

Formats (``FORMATS`` keys): ``chi``, ``biologic-mpt``, ``biologic-mpr`` (needs the optional galvani),
``gamry``, ``ivium``, ``zplot``, ``autolab-z60w``, ``parstat``, ``versastudio``, ``powersuite`` and
``csv`` (generic delimited text).  Problems raise :class:`~nakinetics.exceptions.FileFormatError`
(a :class:`~nakinetics.exceptions.DataError`) with a one-line message that starts with the file path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..data import Spectrum
from ..exceptions import MissingFileError
from ._common import fail, pick_one, reindexed
from ._sniff import detect_format
from .biologic import read_mpr, read_mpt
from .chi import read_chi
from .dc import DC_FORMATS, read_dc_record, read_dc_records
from .delimited import read_csv, read_z60w
from .gamry import read_gamry
from .ivium import read_ivium
from .par import read_parstat, read_powersuite, read_versastudio
from .zplot import read_zplot

__all__ = [
    "DC_FORMATS",
    "FORMATS",
    "Reader",
    "detect_format",
    "read_dc_record",
    "read_dc_records",
    "read_spectra",
    "read_spectrum",
]

Reader = Callable[[Path], list[Spectrum]]

FORMATS: dict[str, Reader] = {
    "chi": read_chi,
    "biologic-mpt": read_mpt,
    "biologic-mpr": read_mpr,
    "gamry": read_gamry,
    "ivium": read_ivium,
    "zplot": read_zplot,
    "autolab-z60w": read_z60w,
    "parstat": read_parstat,
    "versastudio": read_versastudio,
    "powersuite": read_powersuite,
    "csv": read_csv,
}
"""Reader registry: format name → ``reader(path) -> list[Spectrum]``."""


def read_spectra(path: str | Path, *, format: str | None = None) -> list[Spectrum]:
    """Every spectrum in ``path`` (BioLogic loops, Ivium ``.ids`` datasets, ...) in file order.

    ``format`` forces a reader (a :data:`FORMATS` key); by default it is detected with
    :func:`detect_format`.  ``metadata.index`` is 0..n-1.  Raises :class:`~nakinetics.exceptions.MissingFileError` (a ``FileNotFoundError``) for a missing
    file and :class:`~nakinetics.exceptions.FileFormatError` for an unreadable one.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: no such file")
    name = detect_format(path) if format is None else format.lower()
    if name not in FORMATS:
        raise fail(path, f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    return reindexed(FORMATS[name](path))


def read_spectrum(path: str | Path, *, index: int | None = None, format: str | None = None) -> Spectrum:
    """The one spectrum in ``path``, or the ``index``-th (0-based) of a multi-spectrum file.

    Raises :class:`~nakinetics.exceptions.DataError` when the file holds several spectra and ``index`` is
    ``None``, or when ``index`` is out of range.
    """
    return pick_one(path, read_spectra(path, format=format), index, "spectra", "read_spectra")
