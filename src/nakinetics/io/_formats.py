"""The catalogue of file formats, format detection and the one reading path every public reader uses.

:data:`CATALOG` is an explicit, ordered tuple of :class:`~._registry.FileFormat` (signatures are tried in
this order: specific instrument layouts first, generic delimited text last).  :func:`read_items` opens the
input once (:func:`~._source.open_source`), detects or looks up the format, runs its reader for the
wanted kind of data under :func:`~._registry.guarded` and numbers the items 0..n-1.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, BinaryIO

from .._checks import checked
from ..exceptions import FileFormatError, NakineticsError, did_you_mean
from . import (
    autolab,
    biologic,
    chi,
    cycling_readers,
    delimited,
    gamry,
    ivium,
    palmsens,
    par,
    spreadsheet,
    zahner,
    zplot,
)
from ._common import fail, reindexed
from ._registry import FileFormat, Head, guarded, head_of
from ._source import BLANK_BYTES, Source, is_utf16, open_source
from .cycler_formats import CYCLER_FORMATS
from .cycler_tables import read_cycler_text, read_cycler_xlsx
from .dc_delimited import looks_like_nova, read_dc_csv, read_nova

#: Extensions of plain delimited text read by the generic reader when no signature matches.
TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".dat", ".tsv", ".tab", ".asc", ".prn", ".text", ""})


def _with(fmt: FileFormat, **readers: object) -> FileFormat:
    """``fmt`` with more readers (the cycling readers of formats whose other readers live elsewhere)."""
    return dataclasses.replace(fmt, readers={**fmt.readers, **readers})


CATALOG: tuple[FileFormat, ...] = (
    _with(biologic.MPR, cycling=cycling_readers.read_mpr_cycling),
    _with(biologic.MPT, cycling=cycling_readers.read_mpt_cycling),
    *CYCLER_FORMATS,
    gamry.DTA,
    ivium.IDF,
    zplot.ZPLOT,
    delimited.Z60W,
    par.VERSASTUDIO,
    _with(chi.CHI, cycling=cycling_readers.read_chi_cycling),
    par.PARSTAT,
    par.POWERSUITE,
    palmsens.PSSESSION,
    palmsens.PSTRACE_CSV,
    zahner.ISM,
    zahner.ISC,
    autolab.DFR,
    autolab.NOX,
    autolab.P00,
    autolab.I2B,
    autolab.Z60,
    _with(spreadsheet.XLSX, cycling=read_cycler_xlsx),
    spreadsheet.ODS,
    FileFormat(
        name="autolab-nova",
        title="Metrohm Autolab NOVA text/CSV export",
        signature=lambda head: looks_like_nova(head.lines),
        readers={"spectrum": delimited.read_nova_spectra, "dc": read_nova},
        metadata="instrument name only (NOVA writes none); columns by name with units",
        tested_with="NOVA 2.1 column names (documentation and user exports)",
    ),
    FileFormat(
        name="csv",
        title="delimited text (CSV, TSV, whitespace)",
        readers={"spectrum": delimited.read_csv, "dc": read_dc_csv, "cycling": read_cycler_text},
        metadata="columns by name with units; several sweeps split at frequency resets and direction reversals",
        tested_with="impedance.py example CSV; numpy.savetxt; Keysight/HIOKI analyser CSV",
    ),
)
FORMATS_BY_NAME: dict[str, FileFormat] = {fmt.name: fmt for fmt in CATALOG}

#: What each kind of data is called in messages, and the function (library) that reads it.
KINDS: dict[str, tuple[str, str]] = {
    "spectrum": ("impedance spectra", "read_spectra"),
    "dc": ("DC records", "read_dc_records"),
    "cycling": ("cycling records", "read_cycling_records"),
}


#: One item of each kind, for messages.
_ONE = {"spectrum": "an impedance spectrum", "dc": "a DC record", "cycling": "a cycling record"}


def format_names(kind: str) -> list[str]:
    """Names of the formats that have a reader for ``kind``."""
    return [fmt.name for fmt in CATALOG if kind in fmt.readers]


def _detect(source: Source, kind: str) -> FileFormat:
    head: Head = head_of(source)
    if not head.raw.strip(BLANK_BYTES):
        raise fail(source, f"file is empty (expected {_ONE.get(kind, kind)})")
    for fmt in CATALOG:
        if fmt.matches(head):
            return fmt
    ext = head.suffix
    family = next((fmt for fmt in CATALOG if ext and ext in fmt.extensions), None)
    if family is not None:
        first = head.nonblank[0] if head.nonblank else ""
        raise fail(
            source,
            f"extension {ext!r} suggests format {family.name!r} but the header does not match it "
            f"(first line {first[:60]!r}); pass format=NAME to force a reader",
        )
    if b"\x00" in head.raw and not is_utf16(head.raw):
        raise fail(
            source, "unknown format: binary file with no known signature; pass format=NAME to choose one"
        )
    if ext in TEXT_EXTENSIONS:
        return FORMATS_BY_NAME["csv"]
    raise fail(
        source,
        f"unknown format: extension {ext!r} and header {head.nonblank[0][:60] if head.nonblank else ''!r} "
        "match no reader; pass format=NAME to choose one",
    )


@checked
def detect_format(file: str | os.PathLike[str] | BinaryIO | Source, *, kind: str = "spectrum") -> str:
    """Name of the format of ``file`` (a key of :data:`FORMATS_BY_NAME`).

    The header signature decides; the extension decides only between generic delimited text
    (``.csv``, ``.txt``, ...), a vendor family whose header does not match (an error), and "unknown".
    Raises :class:`~nakinetics.exceptions.FileFormatError` for an empty, unrecognised or mislabelled
    file.  ``kind`` names the data wanted (``"spectrum"``, ``"dc"``); it only changes messages.
    """
    return _detect(open_source(file), kind).name


def format_named(name: str, kind: str) -> FileFormat | None:
    """The format called ``name`` for data of ``kind``, case-insensitive: a format name (``biologic-mpt``)
    or a file extension that names one family holding ``kind`` (``mpt``, ``.DTA``); ``None`` otherwise.
    The one rule for both the library's ``format=`` and the command line's ``--format``."""
    key = name.strip().lower()
    if key in FORMATS_BY_NAME:
        return FORMATS_BY_NAME[key]
    ext = key if key.startswith(".") else "." + key
    family = [fmt for fmt in CATALOG if ext in fmt.extensions and kind in fmt.readers]
    return family[0] if len(family) == 1 else None


def unknown_format(name: str, kind: str) -> str:
    """Why ``name`` names no format for ``kind``, with the valid names."""
    names = format_names(kind)
    noun = KINDS.get(kind, (kind, ""))[0]
    return (
        f"unknown format {name!r}{did_you_mean(name.strip().lower(), names)}; expected one of (formats "
        f"holding {noun}): {', '.join(names)} (or a file extension such as {_extension_examples(kind)})"
    )


def _extension_examples(kind: str) -> str:
    extensions = [e.lstrip(".") for fmt in CATALOG if kind in fmt.readers for e in fmt.extensions]
    return ", ".join(extensions[:4]) or "csv"


def lookup_format(source: Source | str, name: str, kind: str) -> FileFormat:
    """The format called ``name`` (see :func:`format_named`); :class:`FileFormatError` naming ``source``
    and the valid names otherwise."""
    fmt = format_named(name, kind)
    if fmt is None:
        raise fail(source, unknown_format(name, kind))
    return fmt


def _detected_instead(source: Source, kind: str, forced: FileFormat) -> str | None:
    """What the header says the file is, when a forced format failed on it and detection names another."""
    try:
        detected = _detect(source, kind)
    except NakineticsError:
        return None
    if detected is forced or detected.name == "csv":
        return None
    return f"{detected.title}: leave out format=NAME (or pass format={detected.name})"


def read_items(
    file: str | os.PathLike[str] | BinaryIO | Source, kind: str, format: str | None, *args: Any
) -> list[Any]:
    """Read every item of ``kind`` (``"spectrum"``, ``"dc"``, ...) from ``file`` with the named or
    detected format; extra ``args`` go to the reader.  The items are numbered 0..n-1."""
    source = open_source(file)
    fmt = _detect(source, kind) if format is None else lookup_format(source, format, kind)
    if fmt.unsupported is not None:
        raise fail(source, fmt.unsupported)
    if kind not in fmt.readers:
        holds = " and ".join(KINDS.get(k, (k, ""))[0] for k in fmt.readers) or "nothing readable"
        others = [KINDS[k][1] for k in fmt.readers if k in KINDS]
        advice = f"; read it with {' or '.join(others)}" if others else ""
        raise fail(source, f"{fmt.title} files hold {holds}, not {KINDS.get(kind, (kind, ''))[0]}{advice}")
    try:
        items = guarded(fmt, kind, source, *args)
    except FileFormatError as err:
        hint = None if format is None else _detected_instead(source, kind, fmt)
        if hint is None:
            raise
        raise FileFormatError(f"{err}; the file looks like a {hint}") from err
    if not items:
        raise fail(source, f"no {KINDS.get(kind, (kind, ''))[0]} found in this {fmt.title} file")
    return reindexed(items)
