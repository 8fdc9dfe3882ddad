"""Metrohm Autolab / Eco Chemie FRA files and other small vendor text formats without a public
specification: ``.dfr``, ``.P00``, Elchemea ``.i2b``, Corrtest ``.z60``; NOVA ``.nox`` projects are
recognised and refused with the export that works.

No public sample of these formats was available; the layouts below are those read by pyimpspec (GPL-3,
``pyimpspec/data/formats/{dfr,p00,i2b}.py``, studied for the facts, no code taken) and the tests build
files from that description.

* ``.dfr`` (Autolab FRA "VERSION8.0"): one value per line (blank lines ignored, latin-1): ``VERSION8.0``,
  the number of points N, one unused line, then N blocks of nine lines ``f (Hz), Z' (Ω), −Z'' (Ω),
  E_dc (V), I_dc (A), time (s)`` and three unused values.  Z'' is stored negated.
* ``.P00``: header lines, a line starting ``f/Hz`` (the column names, tab-separated), a line with N, then
  N tab-separated rows of six numbers ``f, Z', −Z'', ...``; when the ``f/Hz`` line names the columns in a
  way the generic rules understand (``Z''``, ``-Z''``), the names decide the sign.
* ``.i2b`` (Elchemea Analytical): five metadata lines, then space-separated rows ``f Z' Z''`` with Z''
  signed (capacitive < 0).
* ``.z60`` (Corrtest CS Studio): no description found; read as ZView-style text when it carries that
  signature, else by the generic delimited rules (name the columns).
* ``.nox`` (NOVA project, a binary database): no open description; refused with the NOVA export to use.

Declared counts are bounded by the lines present: a file never makes the reader allocate more than it
holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..data import Spectrum
from ._common import fail, make_spectrum, read_lines, to_complex, to_float
from ._registry import FileFormat
from ._source import open_source
from .delimited import column_roles, read_delimited_spectra

FORMAT_DFR = "autolab-dfr"
FORMAT_P00 = "p00"
FORMAT_I2B = "elchemea-i2b"
_DFR_FIELDS = 9


def _numbers(source: Any, texts: list[str], first_line: int, what: str) -> np.ndarray:
    values = np.empty(len(texts))
    for k, text in enumerate(texts):
        try:
            values[k] = to_float(text, decimal_comma="," in text and "." not in text)
        except ValueError:
            raise fail(source, f"expected a number ({what}), found {text[:40]!r}", first_line + k) from None
    return values


def read_dfr(path: Path) -> list[Spectrum]:
    """Read an Autolab FRA ``.dfr`` file (one spectrum)."""
    source = open_source(path)
    numbered = [(i + 1, line.strip()) for i, line in enumerate(read_lines(source)) if line.strip()]
    if not numbered or numbered[0][1].upper() != "VERSION8.0":
        raise fail(source, "first line is not 'VERSION8.0'; expected an Autolab FRA .dfr file", 1)
    if len(numbered) < 3:
        raise fail(source, "file ends before the point count")
    line, count = numbered[1]
    if not (count.isascii() and count.isdigit() and len(count) < 10):
        raise fail(source, f"expected the number of points, found {count[:40]!r}", line)
    n = int(count)
    available = (len(numbered) - 3) // _DFR_FIELDS
    if not 0 < n <= available:
        raise fail(source, f"declares {n} points but holds {available} complete 9-line blocks", line)
    body = numbered[3 : 3 + n * _DFR_FIELDS]
    values = _numbers(source, [text for _, text in body], body[0][0], "9 values per point").reshape(
        n, _DFR_FIELDS
    )
    extra = {"imag_sign": "the file stores −Z''; flipped", "declared_points": n}
    return [
        make_spectrum(
            source,
            FORMAT_DFR,
            values[:, 0],
            to_complex(values[:, 1], -values[:, 2]),
            lines=np.array([body[k * _DFR_FIELDS][0] for k in range(n)]),
            times=values[:, 5],
            extra=extra,
            instrument="Metrohm Autolab FRA",
            dc_potential_v=float(np.mean(values[:, 3])),
            dc_current_a=float(np.mean(values[:, 4])),
        )
    ]


def read_p00(path: Path) -> list[Spectrum]:
    """Read a ``.P00`` impedance export (one spectrum)."""
    source = open_source(path)
    lines = read_lines(source)
    header = next((i for i, line in enumerate(lines) if line.strip().lower().startswith("f/hz")), None)
    if header is None:
        raise fail(source, "no column header starting with 'f/Hz'; expected a .P00 impedance export")
    count_line = next((i for i in range(header + 1, len(lines)) if lines[i].strip()), None)
    count = lines[count_line].strip() if count_line is not None else ""
    if count_line is None or not (count.isascii() and count.isdigit() and len(count) < 10):
        raise fail(
            source, f"expected the number of points after the header, found {count[:40]!r}", header + 2
        )
    rows = [(i + 1, lines[i].split("\t")) for i in range(count_line + 1, len(lines)) if lines[i].strip()]
    n = int(count)
    if not 0 < n <= len(rows):
        raise fail(source, f"declares {n} points but holds {len(rows)} rows", count_line + 1)
    rows = rows[:n]
    short = next(((line, fields) for line, fields in rows if len(fields) < 3), None)
    if short is not None:
        raise fail(source, f"expected at least 3 tab-separated fields, found {len(short[1])}", short[0])
    table = np.array(
        [_numbers(source, [f.strip() for f in fields[:3]], line, "f, Z', Z''") for line, fields in rows]
    )
    names = [name.strip() for name in lines[header].split("\t")]
    roles = column_roles(names)
    sign = -1.0  # the layout as pyimpspec reads it: −Z'' in the third column
    if "imag" in roles and roles["imag"][0] == 2 and roles.get("frequency", (0,))[0] == 0:
        sign = roles["imag"][1]  # the header says which sign it is
    return [
        make_spectrum(
            source,
            FORMAT_P00,
            table[:, 0],
            to_complex(table[:, 1], sign * table[:, 2]),
            lines=np.array([line for line, _ in rows]),
            extra={"columns": names, "imag_sign": "flipped (−Z'' stored)" if sign < 0 else "as written"},
        )
    ]


def read_i2b(path: Path) -> list[Spectrum]:
    """Read an Elchemea Analytical ``.i2b`` file (one spectrum)."""
    source = open_source(path)
    numbered = [(i + 1, line.strip()) for i, line in enumerate(read_lines(source)) if line.strip()]
    meta, body = numbered[:5], numbered[5:]
    if not body:
        raise fail(source, "no data rows after the five metadata lines; expected 'f Z' Z''' rows")
    bad = next(((line, text) for line, text in body if len(text.split()) < 3), None)
    if bad is not None:
        raise fail(source, f"expected 3 numbers 'f Z' Z''', found {bad[1][:60]!r}", bad[0])
    table = np.array([_numbers(source, text.split()[:3], line, "f Z' Z''") for line, text in body])
    return [
        make_spectrum(
            source,
            FORMAT_I2B,
            table[:, 0],
            to_complex(table[:, 1], table[:, 2]),
            lines=np.array([line for line, _ in body]),
            extra={"header_lines": [text for _, text in meta]},
            instrument="Elchemea Analytical",
        )
    ]


def read_z60(path: Path) -> list[Spectrum]:
    """Corrtest ``.z60``: generic delimited rules (see the module docstring)."""
    return read_delimited_spectra(path, "corrtest-z60", "Corrtest")


_NOX_MESSAGE = (
    "Metrohm NOVA .nox project files have no open description and are not read; in NOVA export the "
    "measurement as ASCII (.txt/.csv, 'Export data' with Frequency, Z', -Z'' columns) or as Excel "
    "(.xlsx) and read that file"
)

DFR = FileFormat(
    name=FORMAT_DFR,
    title="Metrohm Autolab FRA (.dfr)",
    extensions=(".dfr",),
    signature=lambda head: bool(head.nonblank) and head.nonblank[0].upper() == "VERSION8.0",
    readers={"spectrum": read_dfr},
    metadata="DC potential and current (means), per-point times",
    tested_with="layout as read by pyimpspec 4 (no public sample)",
)
P00 = FileFormat(
    name=FORMAT_P00,
    title=".P00 impedance text export",
    extensions=(".p00",),
    signature=lambda head: head.suffix == ".p00" and any(ln.lower().startswith("f/hz") for ln in head.lines),
    readers={"spectrum": read_p00},
    metadata="column names",
    tested_with="layout as read by pyimpspec 4 (no public sample)",
)
I2B = FileFormat(
    name=FORMAT_I2B,
    title="Elchemea Analytical (.i2b)",
    extensions=(".i2b",),
    extension_only=True,
    readers={"spectrum": read_i2b},
    metadata="the five header lines (kept as text)",
    tested_with="layout as read by pyimpspec 4 (no public sample)",
)
Z60 = FileFormat(
    name="corrtest-z60",
    title="Corrtest CS Studio (.z60)",
    extensions=(".z60",),
    extension_only=True,
    readers={"spectrum": read_z60},
    metadata="columns by name (generic rules)",
    tested_with="no public description or sample; generic rules",
)
NOX = FileFormat(
    name="autolab-nox",
    title="Metrohm NOVA project (.nox)",
    extensions=(".nox",),
    extension_only=True,
    unsupported=_NOX_MESSAGE,
    metadata="not read",
    tested_with="—",
)
