"""What a file format is to the readers: a name, its extensions, a header signature and one reader per
kind of data it holds.  The catalogue of formats (:mod:`._formats`) is an explicit, ordered tuple of these.

Adding a format (for example a cycler export) takes one :class:`FileFormat` in its family module and
one line in :data:`nakinetics.io._formats.CATALOG`::

    NEWARE = FileFormat(
        name="neware-nda",
        title="Neware BTS binary (.nda)",
        extensions=(".nda",),
        signature=lambda head: head.raw.startswith(b"NEWARE"),
        readers={"cycling": read_nda},          # reader(source, *args) -> list[...]
        metadata="cycle, step, current, voltage", tested_with="BTS 9.1",
    )

A reader takes a :class:`~._source.Source` (``source.raw`` bytes, ``source.lines`` decoded text lines,
``source.stream()`` for libraries that want a file object, ``str(source)`` for messages) and returns a
list of items; it raises :class:`~nakinetics.exceptions.FileFormatError` through
:func:`~._common.fail`.  Anything else it raises is turned into a one-line ``FileFormatError`` naming the
file by :func:`guarded` (the last line of defence, not a way to detect formats).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..exceptions import FileFormatError, NakineticsError
from ._source import Source, decode

#: Bytes of the file start that signatures look at.
HEAD_BYTES = 32 * 1024
_HEAD_LINES = 60
_HEAD_LINE_CHARS = 2000


@dataclass(frozen=True)
class Head:
    """The start of a file as signatures see it: ``raw`` bytes, ``suffix`` (lower-case extension), and
    (lazily) ``text`` decoded with NULs removed and ``lines``: the first 60 lines, stripped, each cut at
    2,000 characters."""

    raw: bytes
    suffix: str

    @cached_property
    def text(self) -> str:
        return decode(self.raw).replace("\x00", "")

    @cached_property
    def lines(self) -> list[str]:
        found = re.split(r"\r*\n|\r", self.text, maxsplit=_HEAD_LINES)[:_HEAD_LINES]
        lines = [line[:_HEAD_LINE_CHARS].strip() for line in found]
        return lines or [""]

    @property
    def nonblank(self) -> list[str]:
        """The first lines that are not blank."""
        return [line for line in self.lines if line]


def head_of(source: Source) -> Head:
    return Head(source.raw[:HEAD_BYTES], source.suffix)


Signature = Callable[[Head], bool]


@dataclass(frozen=True)
class FileFormat:
    """One file format.

    name : the ``format=`` / ``--format`` value.
    title : human-readable name (instrument software and file kind).
    extensions : lower-case extensions that name this family (``".dta"``); a file with one of them must
        match the signature (or be read with an explicit format).
    signature : ``signature(head) -> bool``, a positive test of the file start; ``None`` = only chosen by
        name (or by extension when ``extension_only``).
    readers : kind (``"spectrum"``, ``"dc"``, ...) → ``reader(source, *args) -> list``.
    extension_only : the extension alone identifies the format (binary formats with no magic bytes).
    unsupported : message for a format that is recognised but cannot be read (what to export instead).
    metadata, tested_with : documentation (README table): what metadata is read, which instrument
        software versions the reader was checked with.
    """

    name: str
    title: str
    extensions: tuple[str, ...] = ()
    signature: Signature | None = None
    readers: Mapping[str, Callable[..., list[Any]]] = field(default_factory=dict)
    extension_only: bool = False
    unsupported: str | None = None
    metadata: str = ""
    tested_with: str = ""

    def matches(self, head: Head) -> bool:
        """True when the signature matches (a signature that fails on odd input does not match)."""
        if self.signature is None:
            return self.extension_only and head.suffix in self.extensions
        try:
            return bool(self.signature(head))
        except (ValueError, IndexError, UnicodeError):
            return False


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def guarded(fmt: FileFormat, kind: str, source: Source, *args: Any) -> list[Any]:
    """Run the ``kind`` reader of ``fmt`` on ``source``; any exception that is not one of the project's
    own becomes a one-line :class:`FileFormatError` naming the file (the original is chained, so
    ``--debug`` shows it).  Numerical warnings are silenced: readers check values explicitly."""
    reader = fmt.readers[kind]
    try:
        with np.errstate(all="ignore"):
            return reader(source, *args)
    except NakineticsError:
        raise
    except MemoryError:
        raise FileFormatError(f"{source}: too large to read into memory as a {fmt.title} file") from None
    except RecursionError:
        raise FileFormatError(f"{source}: too deeply nested to read as a {fmt.title} file") from None
    except Exception as exc:  # the last line of defence: never a raw traceback
        detail = _one_line(f"{type(exc).__name__}: {exc}")
        raise FileFormatError(f"{source}: cannot be read as {fmt.title} ({detail})") from exc
