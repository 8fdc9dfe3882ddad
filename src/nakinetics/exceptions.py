"""The project's exception and warning classes.

Every class derives from :class:`NakineticsError` and, where it makes sense, from the builtin that a
caller would naturally catch (``ValueError``, ``RuntimeError``), so both ``except NakineticsError`` and
``except ValueError`` work.  Messages are one line: what was wrong, the offending value, what is valid.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the option closest to ``word``, or ``""`` when none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return f"; did you mean '{close[0]}'?" if close else ""


class NakineticsError(Exception):
    """Base class of every error raised by nakinetics."""


class DataError(NakineticsError, ValueError):
    """Data that cannot be analysed: NaN, non-positive frequency, too few points, mismatched shapes."""


class FileFormatError(DataError):
    """A file that cannot be read: unknown format, empty, missing columns, malformed rows."""


class MissingFileError(NakineticsError, FileNotFoundError):
    """An input file that does not exist (also a ``FileNotFoundError``)."""


class UnreadableFileError(NakineticsError, OSError):
    """An input that exists but cannot be read as a file: a directory, a device, a symbolic-link loop,
    no permission, or too large."""


class CircuitSyntaxError(NakineticsError, ValueError):
    """A malformed circuit string; the message points at the offending character."""


class UnknownElementError(CircuitSyntaxError):
    """A circuit string names an element type nakinetics does not define."""


class ElementDefinitionError(NakineticsError, ValueError):
    """A user-defined element that cannot be registered: duplicate symbol, bad parameters or formula."""


class PresetError(NakineticsError, ValueError):
    """An unknown preset name or an invalid preset file."""


class FitError(NakineticsError, RuntimeError):
    """A fit that cannot be set up or run (e.g. fewer points than free parameters)."""


class MissingDependencyError(NakineticsError, ImportError):
    """An optional dependency (pandas, lmfit, impedance.py) is needed but not installed; the message names
    the pip extra that installs it."""


class ArgumentError(DataError):
    """An argument of a public function with an invalid value (NaN, out of range, unknown choice); the
    message names the argument, the value and what is valid.  A :class:`DataError` (so a ``ValueError``):
    the functions always raised that for bad inputs, and ``except DataError`` keeps working."""


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong type (a string where a number is expected); also a ``TypeError``."""


class OutputError(NakineticsError, OSError):
    """An output file or folder that cannot be written, or that nakinetics refuses to replace (a device,
    a read-only file, a folder locked by another run); also an ``OSError``."""


class UnknownParameterError(FitError, ValueError):
    """A parameter name that the circuit does not have, or a required value that is missing (also a
    :class:`FitError` and a ``ValueError``)."""
