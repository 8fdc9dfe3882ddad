"""Generic delimited text (``"csv"``) and the Eco Chemie / Autolab FRA ``Z60W`` text export.

Generic reader:

* delimiter: tab, ``;``, ``,`` or runs of whitespace, chosen from the last data line; decimal commas are
  accepted with tab, ``;`` and whitespace delimiters;
* any preamble is skipped; the data block starts at the first line of ≥ 3 numbers followed by another
  such line; the line just before it, if any, is the header;
* header names are matched to roles case-insensitively: frequency (``f``, ``freq``, ``frequency``),
  Z' (``Z'``, ``Zre``, ``Z_real``, ``Re(Z)``, ``real``), Z'' (``Z''``, ``Z"``, ``Zim``, ``Zimag``, ``Im(Z)``),
  ``-Z''``/``-Im(Z)`` (flipped), |Z| (``|Z|``, ``mod``, ``Zmod``, ``Z``) and phase (``phase``, ``phz``;
  ``-phase`` flipped; degrees unless the unit says rad), time (``time``, ``t``); units in ``(…)``, ``[…]``
  or after ``/`` scale the values (``kΩ``, ``mOhm``, ``kHz``, ``mHz``, ``min``, ...);
* Z' and Z'' win over |Z| and phase when both are present;
* without a header the file must have exactly three columns, read as f (Hz), Z' (Ω), Z'' (Ω) with Z''
  **as written** — the convention of impedance.py's ``readCSV``.  Nothing is flipped by guessing, even
  when most Z'' values are positive: name the column ``-Z''`` to flip it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data import Spectrum
from ..exceptions import DataError, FileFormatError
from ._common import (
    Splitter,
    fail,
    looks_numeric,
    make_spectrum,
    numeric_rows,
    read_lines,
    rescale,
    split_on,
    to_complex,
    unit_scale,
)
from ._frequency_sweeps import split_sweeps
from ._registry import FileFormat
from .cycler_tables import find_header, looks_like_table_header
from .zplot import read_scribner

FORMAT = "csv"
FORMAT_Z60W = "autolab-z60w"

_ROLES: dict[str, frozenset[str]] = {
    "frequency": frozenset({"f", "freq", "frequency", "frequencies", "fr", "frq", "ν"}),
    "real": frozenset(
        {
            "z'",
            "zre",
            "zreal",
            "re(z)",
            "rez",
            "re",
            "real",
            "real(z)",
            "realz",
            "zr",
            "z'(a)",
            "r",
            "rs",
            "resistance",
            "z'(re)",
        }
    ),
    "imag": frozenset(
        {
            "z''",
            "zim",
            "zimag",
            "zimg",
            "im(z)",
            "imz",
            "im",
            "imag",
            "imag(z)",
            "imagz",
            "imaginary",
            "zi",
            "z''(b)",
            "x",
            "xs",
            "reactance",
            "zimaginary",
        }
    ),
    "modulus": frozenset(
        {
            "|z|",
            "mod",
            "modz",
            "mod(z)",
            "zmod",
            "abs(z)",
            "absz",
            "z",
            "magnitude",
            "zmag",
            "modulus",
            "impedance",
        }
    ),
    "phase": frozenset(
        {"phase", "phase(z)", "phz", "zphz", "phi", "theta", "phaseangle", "angle", "theta-z", "θ", "θz", "φ"}
    ),
    "time": frozenset({"t", "time", "elapsedtime"}),
}
_QUANTITY = {"frequency": "hz", "real": "ohm", "imag": "ohm", "modulus": "ohm", "time": "s"}
_ANGLE_UNITS = {"deg": 1.0, "°": 1.0, "degree": 1.0, "degrees": 1.0, "rad": float(np.degrees(1.0))}
_UNIT_SUFFIX = re.compile(r"^(.*?)\s*(?:\(([^()]*)\)|\[([^\[\]]*)\])$")


def _is_unit(text: str) -> bool:
    return text.strip().lower() in _ANGLE_UNITS or any(
        unit_scale(text, quantity) is not None for quantity in ("ohm", "hz", "s", "v", "a")
    )


def split_unit(name: str) -> tuple[str, str | None]:
    """``"Z' (kΩ)"`` → ``("Z'", "kΩ")``; also ``[unit]`` and ``name/unit``; ``(name, None)`` if none."""
    match = _UNIT_SUFFIX.match(name)
    if match:
        return match.group(1), (match.group(2) or match.group(3)).strip()
    if "/" in name:
        base, unit = name.rsplit("/", 1)
        return base.strip(), unit.strip()
    return name, None


def clean_name(name: str) -> str:
    """Strip enclosing double quotes; primes and ``"`` (CHI's ``Z"``) become ``'`` / ``''``."""
    name = name.strip()
    if len(name) > 1 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    return name.replace("’", "'").replace("′", "'").replace("″", "''").replace('"', "''")


def name_key(name: str) -> str:
    return re.sub(r"[\s_.]", "", name).lower()


def normalize_name(name: str) -> tuple[str, str | None]:
    """``"Z_real [kOhm]"`` → ``("zreal", "kOhm")``; ``"-Im(Z)/Ohm"`` → ``("-im(z)", "Ohm")``.

    A suffix that is not a known unit stays part of the name (``"Re(Z)"`` → ``("re(z)", None)``).
    """
    name = clean_name(name)
    base, unit = split_unit(name)
    if unit is not None and _is_unit(unit):
        return name_key(base), unit
    base, underscore, unit = name.rpartition("_")  # "freq_Hz", "Zre_ohm" (scripts' own headers)
    if underscore and base and _is_unit(unit):
        return name_key(base), unit
    return name_key(name), None


_NEGATED = ("-", "neg", "minus")


def _role(key: str) -> tuple[str | None, float]:
    """Role and sign of a name key: ``"-im(z)"``, ``"neg.phase"`` (PSTrace) and ``"minusz''"`` are negated."""
    sign = 1.0
    for prefix in _NEGATED:
        if key.startswith(prefix) and len(key) > len(prefix):
            role = next((role for role, keys in _ROLES.items() if key[len(prefix) :] in keys), None)
            if role is not None:
                return role, -1.0
    return next((role for role, keys in _ROLES.items() if key in keys), None), sign


def column_roles(names: Sequence[str]) -> dict[str, tuple[int, float, str]]:
    """Role → (column, sign, unit) for the first column that plays it.

    A name with an unrecognised unit suffix (``"Z' (Ohm cm2)"``) still gets its role, so that the unit
    is reported as unsupported rather than the column silently ignored.
    """
    found: dict[str, tuple[int, float, str]] = {}
    for j, name in enumerate(names):
        key, unit = normalize_name(name)
        role, sign = _role(key)
        if role is None:
            base, raw_unit = split_unit(clean_name(name))
            role, sign = _role(name_key(base))
            unit = raw_unit
        if role is not None and role not in found:
            found[role] = (j, sign, unit or "")
    return found


def _has_spectrum(roles: Collection[str]) -> bool:
    return "frequency" in roles and ({"real", "imag"} <= set(roles) or {"modulus", "phase"} <= set(roles))


def impedance_columns(names: Sequence[str]) -> bool:
    """True when header ``names`` hold an impedance spectrum: a frequency column and Z'/Z'' (or |Z| and
    phase), by the rules of the generic reader (``freq/Hz``, ``Re(Z)/Ohm``, ``-Im(Z)/Ohm`` ...)."""
    return _has_spectrum(column_roles(names).keys())


def _scale(path: Path, role: str, unit: str, name: str, line: int | None) -> float:
    if not unit:
        return 1.0
    scale = _ANGLE_UNITS.get(unit.lower()) if role == "phase" else unit_scale(unit, _QUANTITY[role])
    if scale is None:
        raise fail(path, f"column {name!r}: unit {unit!r} is not supported for {role}", line)
    return scale


_DIALECTS: tuple[tuple[str | None, str, bool], ...] = (
    ("\t", "tab", True),
    (";", ";", True),
    (",", ",", False),
    (None, "whitespace", False),
    (None, "whitespace", True),
)


def _is_row(fields: Sequence[str], comma: bool, min_fields: int, max_text: int) -> bool:
    """At least ``min_fields`` numbers and at most ``max_text`` other fields (text flags, units)."""
    if len(fields) < min_fields:
        return False
    if max_text == 0:
        return looks_numeric(fields, comma)
    numbers = sum(looks_numeric([field], comma) for field in fields)
    return numbers >= min_fields and len(fields) - numbers <= max_text


_SAMPLE = 200


def _sample(lines: Sequence[str]) -> list[str]:
    """Non-blank, non-comment lines from the start and the end of the file (the dialect is decided on
    these, not on every line of a long file)."""
    head = [line for line in lines[: 4 * _SAMPLE] if line.strip() and not is_comment(line)][:_SAMPLE]
    tail = [line for line in lines[-_SAMPLE:] if line.strip() and not is_comment(line)]
    return head + tail


def _dialect(lines: Sequence[str], min_fields: int, max_text: int) -> tuple[Splitter, str, bool]:
    """(splitter, delimiter name, decimal comma): the candidate that turns the most sampled lines into
    rows of ≥ ``min_fields`` numbers (ties: tab, ``;``, ``,``, whitespace)."""
    best: tuple[int, Splitter, str, bool] | None = None
    sampled = _sample(lines)
    for delimiter, name, comma_allowed in _DIALECTS:
        split = split_on(delimiter)
        sample = [split(line) for line in sampled]
        comma = comma_allowed and any("," in field for fields in sample for field in fields)
        if comma_allowed and not comma and delimiter is None:
            continue
        count = sum(_is_row(fields, comma, min_fields, max_text) for fields in sample)
        if best is None or count > best[0]:
            best = (count, split, name, comma)
    assert best is not None
    return best[1], best[2], best[3]


#: Line prefixes of comments in delimited text (numpy.savetxt ``#``, Keysight ``!``, MATLAB ``%``).
_COMMENT = ("#", "!", "%", "//")


def is_comment(line: str) -> bool:
    """True for a comment line (``# f Zr Zi`` from ``numpy.savetxt``, ``!Keysight ...``)."""
    return line.lstrip().startswith(_COMMENT)


def uncommented(line: str) -> str:
    """The line without its comment prefix: ``"# f Zr Zi"`` → ``"f Zr Zi"``."""
    stripped = line.lstrip()
    for prefix in _COMMENT:
        if stripped.startswith(prefix):
            return stripped[len(prefix) :].lstrip()
    return line


@dataclass(frozen=True)
class TextLayout:
    """Where the numbers are in a delimited text file.

    split : field splitter; delimiter : its name (``"tab"``, ``";"``, ``","``, ``"whitespace"``);
    decimal_comma : ``,`` is the decimal separator; start : index of the first data line;
    header : index of the column-header line (the non-blank line just before ``start``) or ``None``.
    """

    split: Splitter
    delimiter: str
    decimal_comma: bool
    start: int
    header: int | None


def sniff_layout(
    path: Path, lines: Sequence[str], min_fields: int, expected: str, max_text: int = 0
) -> TextLayout:
    """Delimiter, decimal separator and data start of generic delimited text: the data block starts at
    the first line of ≥ ``min_fields`` numbers (and ≤ ``max_text`` text fields) followed by another such
    line (or ending the file)."""
    split, delimiter, comma = _dialect(lines, min_fields, max_text)
    previous: int | None = None
    pending: int | None = None  # a row-like line waiting for a second one
    start = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if not is_comment(line) and _is_row(split(line), comma, min_fields, max_text):
            if pending is not None:
                start = pending
                break
            pending = i
            continue
        if pending is not None:
            previous, pending = pending, None
        previous = i
    else:
        start = pending  # a single row at the end of the file
    if start is None:
        cycler = find_header(lines)
        if cycler is not None:  # e.g. a Neware CSV: clock times, dates and step names between the numbers
            raise fail(
                path,
                "the columns name a time and a voltage and the rows hold text fields (a cycler export), "
                f"not {expected}; read it with read_cycling_records",
                cycler + 1,
            )
        raise fail(path, f"no data rows: expected lines of at least {min_fields} numbers ({expected})")
    header = previous if previous is not None and previous < start else None
    return TextLayout(split, delimiter, comma, start, header)


def _header_names(line: str, split: Splitter, delimiter: str, n_cols: int) -> list[str]:
    """Column names of a header line (comment prefix removed; quoted names with delimiters kept whole)."""
    line = uncommented(line) if is_comment(line) else line
    if delimiter == "whitespace":
        names = line.split()
        if len(names) != n_cols:
            names = re.split(r"\s{2,}|\t", line.strip())
        return names
    char = {"tab": "\t"}.get(delimiter, delimiter)
    names = [name.strip() for name in next(csv.reader([line], delimiter=char))]
    while names and not names[-1]:
        names.pop()
    return names


def _imag_sign_disagrees(imag: np.ndarray, phase_deg: np.ndarray) -> bool:
    """True when the Z'' column's sign contradicts the phase column's on most clearly non-zero points (an
    export that writes −Z'' under the name Z'', as PSTrace does)."""
    clear = np.abs(phase_deg) > 1.0
    if clear.sum() < 3:
        return False
    return bool(np.mean(np.sign(imag[clear]) != np.sign(phase_deg[clear])) > 0.8)


def _no_impedance_columns(path: Path, names: list[str], line: int | None) -> DataError:
    cycler = (
        "; the columns name a time and a voltage: read it with read_cycling_records"
        if (looks_like_table_header(names))
        else ""
    )
    return fail(
        path,
        f"no impedance columns in header {names!r}; expected a frequency column (freq, frequency, f(Hz)) "
        f"and Z'/Z'' (Zre/Zim, Re(Z)/Im(Z), -Z'', R/X) or |Z| and phase{cycler}",
        line,
    )


def _text_field_layout(path: Path, lines: Sequence[str]) -> TextLayout | None:
    """Layout of a table whose rows also hold text fields (a NOVA fit export's ``Converged``, a DC export's
    ``10 µA`` current range), or ``None`` when there is none with a header.  A header without impedance
    columns is refused by name (instead of "no data rows")."""
    try:
        layout = sniff_layout(path, lines, 3, "", max_text=4)
    except FileFormatError:
        return None
    if layout.header is None:
        return None
    n_cols = len(layout.split(lines[layout.start]))
    names = _header_names(lines[layout.header], layout.split, layout.delimiter, n_cols)
    if not _has_spectrum(column_roles(names).keys()):
        raise _no_impedance_columns(path, names, layout.header + 1)
    return layout


def read_delimited_spectra(path: Path, fmt: str = FORMAT, instrument: str | None = None) -> list[Spectrum]:
    """Read generic delimited text (see the module docstring for the rules): one spectrum per sweep."""
    lines = read_lines(path)
    usecols: set[int] | None = None  # only these fields must be numbers (rows with text fields)
    try:
        layout = sniff_layout(path, lines, 3, "f, Z', Z'' or f, |Z|, phase", max_text=0)
    except FileFormatError:
        text_layout = _text_field_layout(path, lines)
        if text_layout is None or text_layout.header is None:
            raise
        layout = text_layout
        n_fields = len(layout.split(lines[layout.start]))
        header_names = _header_names(lines[layout.header], layout.split, layout.delimiter, n_fields)
        usecols = {j for j, _, _ in column_roles(header_names).values()}
    split, delimiter, comma, start, header_index = (
        layout.split,
        layout.delimiter,
        layout.decimal_comma,
        layout.start,
        layout.header,
    )
    table = numeric_rows(path, lines, start, split=split, min_fields=3, decimal_comma=comma, usecols=usecols)
    n_cols = table.data.shape[1]
    if header_index is None:
        if n_cols != 3:
            raise fail(
                path,
                f"no header row and {n_cols} columns; expected a header naming the columns or exactly "
                "3 columns f (Hz), Z' (Ω), Z'' (Ω)",
                start + 1,
            )
        names = ["f", "Z'", "Z''"]
        roles = {"frequency": (0, 1.0, ""), "real": (1, 1.0, ""), "imag": (2, 1.0, "")}
    else:
        names = _header_names(lines[header_index], split, delimiter, n_cols)
        roles = column_roles(names)
    header_line = None if header_index is None else header_index + 1
    if not _has_spectrum(roles.keys()):
        raise _no_impedance_columns(path, names, header_line)

    def values(role: str) -> np.ndarray:
        j, sign, unit = roles[role]
        if j >= n_cols:
            raise fail(path, f"column {names[j]!r} has no values (rows have {n_cols} fields)", start + 1)
        return sign * rescale(table.data[:, j], _scale(path, role, unit, names[j], header_line))

    f = values("frequency")
    extra: dict[str, Any] = {}
    if {"real", "imag"} <= roles.keys():
        imag = values("imag")
        if "phase" in roles and roles["phase"][0] < n_cols and _imag_sign_disagrees(imag, values("phase")):
            imag = -imag
            extra["imag_sign"] = (
                f"column {names[roles['imag'][0]]!r} holds −Z'' (its sign contradicts the phase column "
                f"{names[roles['phase'][0]]!r}); flipped"
            )
        z = to_complex(values("real"), imag)
        used = ("frequency", "real", "imag")
    else:
        modulus, phase = values("modulus"), np.radians(values("phase"))
        z = to_complex(modulus * np.cos(phase), modulus * np.sin(phase))
        used = ("frequency", "modulus", "phase")
    times = None
    if "time" in roles and roles["time"][0] < n_cols:
        scale = unit_scale(roles["time"][2] or "s", "s")  # a "T (°C)" column is not a time: ignored
        times = None if scale is None else rescale(table.data[:, roles["time"][0]], scale)
    extra.update(
        {
            "columns": {role: names[roles[role][0]] for role in used},
            "delimiter": delimiter,
            "decimal_comma": comma,
            "header": header_index is not None,
        }
    )
    sweeps = split_sweeps(f)
    if len(sweeps) > 1:
        extra["sweeps"] = (
            f"{len(sweeps)} sweeps in one file, split where the frequency jumps back or the sweep turns back "
            "over measured frequencies"
        )
    return [
        make_spectrum(
            path,
            fmt,
            f[part],
            z[part],
            lines=table.lines[part],
            times=None if times is None else times[part],
            index=k,
            extra=dict(extra, sweep=k) if len(sweeps) > 1 else extra,
            instrument=instrument,
        )
        for k, part in enumerate(sweeps)
    ]


def read_csv(path: Path) -> list[Spectrum]:
    """Generic delimited text (format ``"csv"``): one spectrum per sweep."""
    return read_delimited_spectra(path)


def read_nova_spectra(path: Path) -> list[Spectrum]:
    """Metrohm Autolab NOVA impedance export (``Frequency (Hz)``, ``Z' (Ω)``, ``-Z'' (Ω)``, ``Z (Ω)``,
    ``-Phase (°)``, ``Time (s)``): the generic rules, with the instrument named."""
    return read_delimited_spectra(path, "autolab-nova", "Metrohm Autolab (NOVA)")


def read_z60w(path: Path) -> list[Spectrum]:
    """Read an Eco Chemie / Autolab FRA ``"Z60W Data File"`` export (comma rows, signed Z''; one spectrum)."""
    return read_scribner(path, FORMAT_Z60W, "Eco Chemie Autolab FRA (Z60W)")


Z60W = FileFormat(
    name=FORMAT_Z60W,
    title="Eco Chemie / Autolab FRA Z60W text",
    signature=lambda head: head.nonblank[0].lstrip('"').startswith("Z60W Data File"),
    readers={"spectrum": read_z60w},
    metadata="AC amplitude and DC bias columns",
    tested_with="Z60W Data File version 1.1",
)
