"""Many inputs at once: files, folders and glob patterns expanded in natural order, and one table row per
spectrum (fitted or failed) in one column layout.

>>> import nakinetics as nk
>>> from nakinetics.batch import Failure, expand_inputs
>>> results = []
>>> for path in expand_inputs(["spectra/", "more/*.mpt"]).files:        # doctest: +SKIP
...     try:
...         results += [nk.fit_circuit(s, "na_se_na_2arc") for s in nk.read_spectra(path)]
...     except nk.NakineticsError as exc:
...         results.append(Failure(str(path), None, str(exc)))
>>> table = nk.fit_table(results)                                        # doctest: +SKIP

:func:`fit_table` is the table ``nakinetics fit --csv`` writes (pandas is imported only there); both use
:func:`table_columns` for the column order.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fitting import FitResult

__all__ = [
    "NOT_DATA_SUFFIXES",
    "Failure",
    "Inputs",
    "expand_inputs",
    "fit_table",
    "has_pattern",
    "natural_key",
    "quantity_cells",
    "table_columns",
    "unit_label",
]

NOT_DATA_SUFFIXES = frozenset(
    {
        # figures, documents, archives, code and records (ours and others'): never instrument data
        ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".svg", ".svgz", ".pdf", ".eps",
        ".ps", ".pgf", ".json", ".md", ".rst", ".html", ".htm", ".doc", ".docx", ".ppt", ".pptx", ".odt",
        ".zip", ".gz", ".bz2", ".xz", ".7z", ".tar", ".py", ".ipynb", ".toml", ".yaml", ".yml", ".ini",
        ".log", ".lock", ".part", ".pkl", ".npy", ".npz", ".h5",
    }
)  # fmt: skip
"""Extensions skipped when a *folder* is expanded (a file named explicitly or matched by a pattern is
always read)."""

ERROR = "error"
"""Name of the column that holds a failed spectrum's error (empty for a success)."""

LEADING = ("file", "index")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders ``spec2`` before ``spec10`` (digit runs compare as numbers, case ignored)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.lower()) for part in re.split(r"(\d+)", text))


def has_pattern(argument: str) -> bool:
    """Whether ``argument`` is a glob pattern (``*``, ``?`` or ``[``) rather than a plain path."""
    return glob.has_magic(argument)


@dataclass(frozen=True)
class Inputs:
    """The expansion of the inputs named by a user.

    ``files`` are the paths to read, in natural order, each once; ``problems`` are (argument, reason) for
    arguments that name nothing readable (a pattern without matches, a folder without data files) — each
    becomes a failed row; ``skipped`` are (path, reason) for files of a folder or pattern that were left out
    (figures, records, the command's own outputs)."""

    files: tuple[Path, ...]
    problems: tuple[tuple[str, str], ...] = ()
    skipped: tuple[tuple[Path, str], ...] = ()


def _same(path: Path, others: Sequence[Path]) -> bool:
    try:
        resolved = path.resolve()
    except OSError:
        return False
    return any(resolved == other for other in others)


def expand_inputs(arguments: Iterable[str | Path], *, exclude: Iterable[str | Path] = ()) -> Inputs:
    """Files to read from command-line style ``arguments``: a file is taken as named (a missing one too:
    reading it gives the error), a folder gives its visible files whose extension is not in
    :data:`NOT_DATA_SUFFIXES` (not recursive), a glob pattern (``data/*.mpt``, ``runs/**/*.txt``) its
    matching files.  ``exclude`` (e.g. the output files of the run) is left out of folders and patterns.
    The result is in natural order of the path (``cell2`` before ``cell10``) without duplicates."""
    excluded = [Path(p).resolve() for p in exclude]
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    skipped: list[tuple[Path, str]] = []
    for argument in arguments:
        text = str(argument)
        path = Path(text)
        if path.is_dir():
            found = [p for p in path.iterdir() if not p.name.startswith(".") and not p.is_dir()]
            taken = []
            for p in found:
                if p.suffix.lower() in NOT_DATA_SUFFIXES:
                    skipped.append((p, f"not a data file ({p.suffix})"))
                elif _same(p, excluded):
                    skipped.append((p, "an output of this run"))
                else:
                    taken.append(p)
            if not taken:
                problems.append((text, "folder holds no data files"))
            files += taken
        elif not path.exists() and has_pattern(text):
            matches = [Path(m) for m in glob.glob(text, recursive=True)]  # noqa: PTH207 (absolute patterns too)
            taken = [m for m in matches if not m.is_dir() and not _same(m, excluded)]
            skipped += [
                (m, "an output of this run") for m in matches if not m.is_dir() and _same(m, excluded)
            ]
            if not taken:
                problems.append((text, "pattern matches no file"))
            files += taken
        else:
            files.append(path)
    unique: dict[Path, Path] = {}
    for p in files:
        try:
            key = p.resolve()
        except OSError:  # a symlink loop: keep it, reading it names the problem
            key = p.absolute()
        unique.setdefault(key, p)
    ordered = sorted(unique.values(), key=lambda p: natural_key(str(p)))
    return Inputs(
        tuple(ordered), tuple(problems), tuple(sorted(skipped, key=lambda s: natural_key(str(s[0]))))
    )


@dataclass(frozen=True)
class Failure:
    """A spectrum (or a whole file, ``index=None``) that could not be analysed, and why."""

    file: str
    index: int | None
    error: str

    def to_row(self) -> dict[str, Any]:
        """The table row of a failure: file, index and the error (other columns empty)."""
        return {"file": self.file, "index": self.index, ERROR: self.error}

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of a failure (what a batch ``--json`` holds in place of a result)."""
        return self.to_row()


def unit_label(name: str, unit: str | None) -> str:
    """Column name with the unit in brackets: ``R1 [Ohm]`` (no brackets for a dimensionless ``1``)."""
    return f"{name} [{unit}]" if unit and unit != "1" else name


def quantity_cells(name: str, quantity: Mapping[str, Any] | None) -> dict[str, Any]:
    """Two columns for a ``{"value", "stderr", "unit"}`` record: ``name [unit]`` and ``name stderr [unit]``
    (nothing for ``None``), and ``name determined`` (True/False) when the record says whether the data
    determine it."""
    if quantity is None:
        return {}
    unit = quantity.get("unit")
    cells = {
        unit_label(name, unit): quantity.get("value"),
        unit_label(f"{name} stderr", unit): quantity.get("stderr"),
    }
    if "determined" in quantity:
        cells[f"{name} determined"] = quantity["determined"]
    return cells


def table_columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The columns of a table of ``rows`` whose keys differ (different circuits, failures): file and
    index first, then every other key in order of first appearance, the error column last."""
    seen: dict[str, None] = dict.fromkeys(LEADING)
    for row in rows:
        seen.update(dict.fromkeys(k for k in row if k != ERROR))
    return [*seen, ERROR]


def fit_table(results: Iterable[FitResult | Failure]) -> Any:
    """A pandas DataFrame with one row per fit (:meth:`FitResult.to_row`: file, index, circuit, each
    parameter's value and standard error and each derived quantity with its unit in the column name,
    χ², Kramers–Kronig verdict, number of warnings) or per :class:`Failure` (its ``error``): the table
    ``nakinetics fit --csv`` writes.  pandas is imported only here."""
    from ._tables import dataframe

    rows = [item.to_row() for item in results]
    columns = table_columns(rows)
    frame = dataframe([{c: row.get(c) for c in columns} for row in rows])
    return frame.reindex(columns=columns)
