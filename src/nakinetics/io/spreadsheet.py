"""Spreadsheets: Excel ``.xlsx``/``.xlsm``/``.xls`` and OpenDocument ``.ods``, one spectrum (or several
sweeps) per sheet.

Read with python-calamine (MIT; the optional extra ``nakinetics[spreadsheet]``): one small compiled
wheel that reads both Excel and OpenDocument files, maintained, and much faster than openpyxl (xlsx
only) or odfpy (ods only, slow on large sheets); pandas would pull both in plus itself.

Each sheet's cells become rows of text and go through the generic delimited rules
(:mod:`.delimited`): any preamble, a header row naming the columns (``Frequency (Hz)``, ``Z' (Ω)``,
``-Z'' (Ω)``, ``|Z|``, ``Phase``, ...), numeric rows.  Sheets without an impedance table (notes, plots,
DC data) are skipped and listed in ``extra["skipped_sheets"]``; a workbook with none is an error.
Numbers stored as text with a decimal comma are accepted (the generic rules).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

from ..data import Spectrum
from ..exceptions import FileFormatError
from ._common import fail
from ._registry import FileFormat
from ._source import Source, open_source
from .delimited import read_delimited_spectra

FORMAT_XLSX = "xlsx"
FORMAT_ODS = "ods"


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "nan"
    return "" if value is None else " ".join(str(value).split()).replace("\t", " ")


def _sheets(source: Source) -> list[tuple[str, list[list[Any]]]]:
    try:
        from python_calamine import CalamineWorkbook  # optional dependency, imported lazily
    except ImportError:
        raise fail(
            source,
            'reading spreadsheets needs the optional package python-calamine: pip install "nakinetics[spreadsheet]"',
        ) from None
    try:
        book = CalamineWorkbook.from_filelike(source.stream())
        return [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]
    except Exception as err:  # calamine raises its own errors on damaged files
        detail = " ".join(f"{type(err).__name__}: {err}".split())[:200]
        raise fail(source, f"cannot be read as a spreadsheet ({detail})") from err


def read_spreadsheet(path: Path, fmt: str = FORMAT_XLSX) -> list[Spectrum]:
    """Every sheet that holds an impedance table → its spectra, in sheet order."""
    source = open_source(path)
    spectra: list[Spectrum] = []
    skipped: list[str] = []
    for name, rows in _sheets(source):
        text = "\n".join("\t".join(_cell(value) for value in row).rstrip("\t") for row in rows)
        if not text.strip():
            skipped.append(name)
            continue
        sheet = Source(f"{source}[{name}]", text.encode("utf-8"), source.path)
        try:
            found = read_delimited_spectra(sheet, fmt)
        except FileFormatError:
            skipped.append(name)
            continue
        for spectrum in found:
            extra = dict(spectrum.metadata.extra, sheet=name, skipped_sheets=skipped or None)
            meta = dataclasses.replace(spectrum.metadata, source=str(source), extra=extra)
            spectra.append(dataclasses.replace(spectrum, metadata=meta))
    if not spectra:
        raise fail(
            source,
            f"no sheet holds an impedance table (sheets: {', '.join(skipped) or 'none'}); expected a header "
            "row naming frequency and Z'/Z'' (or |Z| and phase) columns above numeric rows",
        )
    return spectra


def read_ods(path: Path) -> list[Spectrum]:
    return read_spreadsheet(path, FORMAT_ODS)


_ZIP = b"PK\x03\x04"
XLSX = FileFormat(
    name=FORMAT_XLSX,
    title="Excel workbook (.xlsx, .xlsm, .xls)",
    extensions=(".xlsx", ".xlsm", ".xls"),
    signature=lambda head: (
        (head.suffix in (".xlsx", ".xlsm") and head.raw.startswith(_ZIP))
        or (head.suffix == ".xls" and head.raw.startswith(b"\xd0\xcf\x11\xe0"))
    ),
    readers={"spectrum": read_spreadsheet},
    metadata="sheet name; columns by name (generic rules); needs the optional python-calamine",
    tested_with="files written by openpyxl 3.1 (tests); NOVA/PSTrace Excel exports use the same layout",
)
ODS = FileFormat(
    name=FORMAT_ODS,
    title="OpenDocument spreadsheet (.ods)",
    extensions=(".ods",),
    signature=lambda head: (
        head.raw.startswith(_ZIP) and b"application/vnd.oasis.opendocument.spreadsheet" in head.raw[:200]
    ),
    readers={"spectrum": read_ods},
    metadata="sheet name; columns by name (generic rules); needs the optional python-calamine",
    tested_with="ODF 1.2 files built in the tests (LibreOffice layout)",
)
