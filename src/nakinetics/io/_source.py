"""One input, read once: the bytes of a file, a pipe or standard input, with the name used in messages.

Every reader gets a :class:`Source`.  Opening checks what the path is before reading it, so that each
problem gets its own one-line message instead of "no such file":

* missing file or dangling symbolic link → :class:`~nakinetics.exceptions.MissingFileError`;
* a symbolic-link loop, a directory, a device (``/dev/zero``), a socket, no permission, a name too long,
  a file larger than :data:`MAX_INPUT_BYTES` → :class:`~nakinetics.exceptions.UnreadableFileError`;
* a named pipe (FIFO, ``<(command)``) or standard input is read once, up to :data:`MAX_INPUT_BYTES`;
  a terminal on standard input is refused (nothing was piped in).

Text is decoded once (:func:`decode`) and split into lines once; a line longer than
:data:`MAX_LINE_CHARS` ends reading with a message (a 40 MB line is a binary file or a file without line
breaks, not a table, and splitting it into fields would take gigabytes).
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import sys
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from ..exceptions import ArgumentTypeError, FileFormatError, MissingFileError, UnreadableFileError

#: Largest input read (files, pipes, standard input): 2 GiB.
MAX_INPUT_BYTES = 2 * 1024**3
#: Longest text line accepted by the line-based readers: 1 MiB characters.
MAX_LINE_CHARS = 1024**2
#: Name of standard input in messages and ``metadata.source``.
STDIN_NAME = "<stdin>"

#: Bytes that carry no content at the ends of a text file: whitespace, NUL and the UTF-8/UTF-16 BOMs.
BLANK_BYTES = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CR_BREAK = re.compile(r"\r+\n|\r")


def _utf16_encoding(raw: bytes) -> str | None:
    """``"utf-16"`` for text starting with a UTF-16 byte-order mark (Windows "Unicode" text exports),
    ``"utf-16-le"``/``"utf-16-be"`` for UTF-16 text without one (``iconv -t UTF-16LE``, some exporters):
    in its first 4 kB nearly every second byte is NUL (the high byte of ASCII text) and nearly no other
    byte is — binary formats (.mpr, .nda, .ism) have NULs at both positions; else ``None``."""
    if raw.startswith(_UTF16_BOMS):
        return "utf-16"
    sample = raw[: 4096 - 4096 % 2] if len(raw) >= 4096 else raw[: len(raw) - len(raw) % 2]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, text, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) <= 0.02 * len(text):
            return encoding
    return None


def is_utf16(raw: bytes) -> bool:
    """True when ``raw`` is UTF-16 text, with or without a byte-order mark."""
    return _utf16_encoding(raw) is not None


def decode(raw: bytes) -> str:
    """Decode instrument text: UTF-16 with a BOM, or recognisably UTF-16 without one (a cut-off last byte
    or a stray second BOM is dropped), else UTF-8 (BOM stripped) if valid, else cp1252, else latin-1
    (never fails)."""
    encoding = _utf16_encoding(raw)
    if encoding is not None:
        if len(raw) % 2:
            raw = raw[:-1]
        return raw.decode(encoding, errors="replace").replace("\ufeff", "")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def split_lines(text: str) -> list[str]:
    """Lines without terminators; LF, CRLF, CR alone and CR CR LF each count as one break."""
    if "\r" in text:
        text = _CR_BREAK.sub("\n", text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class Source:
    """The bytes of one input and its name (a path, or ``<stdin>``).

    ``str(source)`` is the name used at the start of every error message and in ``metadata.source``.
    ``path`` is the file on disk (``None`` for standard input and streams).
    """

    def __init__(self, name: str, raw: bytes, path: Path | None = None) -> None:
        self.name = name
        self.raw = raw
        self.path = path

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Source({self.name!r}, {len(self.raw)} bytes)"

    @property
    def suffix(self) -> str:
        """Lower-case extension of the file name (``".dta"``), ``""`` for standard input."""
        return Path(self.name).suffix.lower() if self.path is not None else ""

    @cached_property
    def text(self) -> str:
        """The whole input decoded (see :func:`decode`)."""
        return decode(self.raw)

    @cached_property
    def lines(self) -> list[str]:
        """Decoded lines (see :func:`split_lines`); raises :class:`FileFormatError` for an empty input
        or a line longer than :data:`MAX_LINE_CHARS`."""
        if not self.raw.strip(BLANK_BYTES):
            raise FileFormatError(f"{self.name}: file is empty (expected instrument data)")
        lines = split_lines(self.text)
        if lines and max(map(len, lines)) > MAX_LINE_CHARS:  # C-speed scan; the index only when needed
            longest = max(range(len(lines)), key=lambda i: len(lines[i]))
            raise FileFormatError(
                f"{self.name}: line {longest + 1} is {len(lines[longest]):,} characters long (limit "
                f"{MAX_LINE_CHARS:,}); expected a text table with line breaks, not a binary file or a "
                "file without line breaks"
            )
        return lines

    def stream(self) -> BinaryIO:
        """The bytes as a binary file object (for libraries that read a file handle)."""
        return io.BytesIO(self.raw)


def _read_stream(name: str, stream: BinaryIO, path: Path | None = None) -> Source:
    data = stream.read(MAX_INPUT_BYTES + 1)
    if not isinstance(data, bytes):
        raise UnreadableFileError(f"{name}: expected a binary stream (bytes), got {type(data).__name__}")
    if len(data) > MAX_INPUT_BYTES:
        raise UnreadableFileError(f"{name}: input is larger than {MAX_INPUT_BYTES:,} bytes; not read")
    return Source(name, data, path)


def _stat(path: Path) -> os.stat_result:
    """``os.stat`` with each failure turned into its own one-line error."""
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise MissingFileError(f"{path}: broken symbolic link (its target does not exist)") from None
        raise MissingFileError(f"{path}: no such file") from None
    except NotADirectoryError:
        raise MissingFileError(f"{path}: no such file (a part of the path is not a folder)") from None
    except PermissionError:
        raise UnreadableFileError(f"{path}: permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFileError(f"{path}: symbolic link loop; expected a file") from None
        if exc.errno == errno.ENAMETOOLONG:
            raise UnreadableFileError(f"{path}: file name too long") from None
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def open_source(
    file: str | os.PathLike[str] | BinaryIO | Source, *, stdin: bool = False, name: str | None = None
) -> Source:
    """Read ``file`` once into a :class:`Source`.

    ``file`` is a path, a binary file object (``sys.stdin.buffer``, ``io.BytesIO``; ``name`` names it in
    messages) or a :class:`Source` (returned as is).  With ``stdin=True`` (the command line) the path
    ``-`` means standard input.  Raises :class:`MissingFileError` for a missing file and
    :class:`UnreadableFileError` for what cannot be read as a file (see the module docstring).
    """
    if isinstance(file, Source):
        return file
    if hasattr(file, "read"):
        stream: BinaryIO = file  # type: ignore[assignment]
        return _read_stream(name or str(getattr(stream, "name", "<stream>")), stream)
    if stdin and str(file) == "-":
        if sys.stdin is None:
            raise UnreadableFileError(f"{STDIN_NAME}: no standard input to read")
        if sys.stdin.isatty():
            raise UnreadableFileError(
                f"{STDIN_NAME}: standard input is a terminal; pipe a file in (… | nakinetics fit -)"
            )
        return _read_stream(STDIN_NAME, getattr(sys.stdin, "buffer", sys.stdin))  # type: ignore[arg-type]
    if not isinstance(file, str | os.PathLike) or isinstance(file, bool):
        raise ArgumentTypeError(
            f"file must be a path, '-' or a binary file object, got {file!r:.60} ({type(file).__name__})"
        )
    path = Path(file)
    if str(file) == "-" and not path.exists():
        raise MissingFileError(
            f"{path}: no such file ('-' means standard input on the command line; in Python pass "
            "sys.stdin.buffer)"
        )
    mode = _stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise UnreadableFileError(f"{path}: is a directory; expected a file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise UnreadableFileError(f"{path}: is a device, not a file")
    if stat.S_ISSOCK(mode):
        raise UnreadableFileError(f"{path}: is a socket, not a file")
    try:
        with path.open("rb") as handle:
            return _read_stream(str(path), handle, path)  # a FIFO is read like a file, bounded
    except PermissionError:
        raise UnreadableFileError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{path}: is a directory; expected a file") from None
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
