"""Format detection from the file extension and a header signature (first 8 KiB of the file).

Every format has a positive signature; nothing is detected by trying parsers until one succeeds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from ._common import BLANK_BYTES, decode, fail, is_utf16
from .chi import parse_chi_date
from .dc_delimited import looks_like_nova

_HEAD_BYTES = 8192

#: Extensions that name one instrument family; a file with one of them must carry its signature.
FAMILY_EXTENSIONS: dict[str, str] = {
    ".mpt": "biologic-mpt",
    ".mpr": "biologic-mpr",
    ".dta": "gamry",
    ".idf": "ivium",
    ".ids": "ivium",
    ".z": "zplot",
    ".par": "versastudio",
}
#: Extensions of plain delimited text read by the generic reader when no signature matches.
TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".dat", ".tsv", ".tab", ".asc", ""})

_MPR_MAGIC = b"BIO-LOGIC MODULAR FILE"
_IVIUM_VERSION = re.compile(rb"Version=\d+")


def _first_lines(text: str, n: int = 40) -> list[str]:
    return [line.strip() for line in re.split(r"\r*\n|\r", text)[:n]]


def _header_fields(line: str) -> list[str]:
    return [field.strip() for field in line.split("\t") if field.strip()]


def _is_chi(lines: list[str]) -> bool:
    """CHI exports start with a date line (``Feb. 20, 2020   15:55:08``) or name a CHI model."""
    return parse_chi_date(lines[0]) is not None or any(
        re.match(r"Instrument Model:\s*CHI", ln) for ln in lines
    )


def _is_parstat(lines: list[str]) -> bool:
    fields = _header_fields(lines[0]) if lines else []
    return {"Frequency (Hz)", "Zre (ohms)", "Zim (ohms)"} <= set(fields)


def _is_powersuite(lines: list[str]) -> bool:
    return bool(lines) and _header_fields(lines[0]) == ["Frequency", "Zre", "Zimg"]


def _is_versastudio(lines: list[str]) -> bool:
    return bool(lines) and lines[0] == "<Application>" and any(line == "Name=VersaStudio" for line in lines)


#: Text signatures, checked in order against the stripped first lines of the file.
_TEXT_SIGNATURES: list[tuple[str, Callable[[list[str]], bool]]] = [
    ("biologic-mpt", lambda ls: ls[0].startswith(("EC-Lab ASCII FILE", "BT-Lab ASCII FILE"))),
    ("gamry", lambda ls: ls[0] == "EXPLAIN"),
    (
        "zplot",
        lambda ls: ls[0].startswith("ZPLOT2 ASCII") or ls[0].lstrip('"').startswith("ZPlotW Data File"),
    ),
    ("autolab-z60w", lambda ls: ls[0].lstrip('"').startswith("Z60W Data File")),
    ("versastudio", _is_versastudio),
    ("chi", _is_chi),
    ("parstat", _is_parstat),
    ("powersuite", _is_powersuite),
]

#: Signatures only DC reading knows (NOVA exports have no spectrum reader of their own).
_DC_TEXT_SIGNATURES: list[tuple[str, Callable[[list[str]], bool]]] = [("autolab-nova", looks_like_nova)]

Kind = Literal["spectrum", "dc"]


def detect_format(path: str | Path, *, kind: Kind = "spectrum") -> str:
    """Name of the reader for ``path``: a key of :data:`nakinetics.io.FORMATS` (``kind="spectrum"``) or a
    name in :data:`nakinetics.io.DC_FORMATS` (``kind="dc"``, which also knows Autolab NOVA exports).

    The header signature decides; the extension only decides between "generic delimited text"
    (``.csv``, ``.txt``, ...) and "unknown".  Raises :class:`FileFormatError` for an empty file, a file
    whose extension names an instrument family but whose header does not match it, or an
    unrecognised binary/extension.
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head.strip(BLANK_BYTES):
        raise fail(
            path, f"file is empty (expected {'a DC record' if kind == 'dc' else 'an impedance spectrum'})"
        )
    ext = path.suffix.lower()
    if head.startswith(_MPR_MAGIC):
        return "biologic-mpr"
    if _IVIUM_VERSION.search(head[:1024]) and (ext in (".idf", ".ids") or b"Method=" in head):
        return "ivium"
    lines = _first_lines(decode(head).replace("\x00", ""))
    signatures = _TEXT_SIGNATURES + (_DC_TEXT_SIGNATURES if kind == "dc" else [])
    for name, matches in signatures:
        if matches(lines):
            return name
    if ext in FAMILY_EXTENSIONS:
        raise fail(
            path,
            f"extension {ext!r} suggests format {FAMILY_EXTENSIONS[ext]!r} but the header does not match it "
            f"(first line {lines[0][:60]!r}); pass format= to force a reader",
        )
    if b"\x00" in head and not is_utf16(head):
        raise fail(
            path, "unknown format: binary file with no known signature; pass format= to choose a reader"
        )
    if ext in TEXT_EXTENSIONS:
        return "csv"
    raise fail(
        path,
        f"unknown format: extension {ext!r} and header {lines[0][:60]!r} match no reader; "
        "pass format= to choose a reader",
    )
