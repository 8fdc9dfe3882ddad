"""Argument and data checks shared by the public functions, so every one of them refuses bad input with
the project's own exceptions and a message that names the argument (or the file), the value and what is
valid — instead of a numpy or scipy error (or a silent NaN) deep inside a computation.

* :func:`number`, :func:`integer`, :func:`choice`, :func:`bounds_pair` check arguments
  (:class:`~nakinetics.exceptions.ArgumentError`, a ``ValueError``; :class:`ArgumentTypeError` for a
  wrong type, also a ``TypeError``);
* :func:`analysable_spectrum` checks that a spectrum's numbers can be analysed in floating point
  (:class:`~nakinetics.exceptions.DataError` naming the file and the first offending point).
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Collection, Mapping
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np

from .exceptions import ArgumentError, ArgumentTypeError, DataError

if TYPE_CHECKING:
    from .data import Spectrum

FREQUENCY_RANGE_HZ = (1e-8, 1e13)
"""Frequencies an impedance analysis accepts (Hz): far beyond any instrument (µHz to 10 GHz), near enough
that a τ grid spanning the window and ω² stay well inside float64."""
IMPEDANCE_RANGE_OHM = (1e-12, 1e16)
"""|Z| an impedance analysis accepts at every point (Ω): pΩ to 10 PΩ.  Outside it the data are a unit or
parsing mistake (or a placeholder zero), and squares of Z leave float64's range."""


def _shown(value: Any) -> str:
    """A value as a user would write it (``nan``, ``1e+308``, ``'abc'``), never a numpy repr."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, Integral):
        n = int(value)
        if abs(n) < 10**15:
            return str(n)
        return f"{'-' if n < 0 else ''}an integer of {len(str(abs(n))) if n.bit_length() < 10_000 else 'many'} digits"
    if isinstance(value, Real):
        return f"{float(value):g}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite float within [low, high] (open ends when asked), else an error naming
    ``name``.  Booleans and strings are refused (``True`` is not a number of ohms)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise ArgumentTypeError(f"{name} must be a number, got {_shown(value)} ({type(value).__name__})")
    try:
        x = float(value)
    except OverflowError:
        raise ArgumentError(f"{name} must be a finite number, got {_shown(value)}") from None
    if not math.isfinite(x):
        raise ArgumentError(f"{name} must be a finite number, got {_shown(x)}")
    too_low = low is not None and (x <= low if low_open else x < low)
    too_high = high is not None and (x >= high if high_open else x > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ArgumentError(f"{name} must lie in {left}{lo}, {hi}{right}, got {_shown(x)}")
    return x


def optional_number(value: Any, name: str, **limits: Any) -> float | None:
    """:func:`number`, with ``None`` passed through."""
    return None if value is None else number(value, name, **limits)


def integer(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int within [low, high] (floats such as 3.0 are refused: counts are integers)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, Integral):
        raise ArgumentTypeError(f"{name} must be an integer, got {_shown(value)} ({type(value).__name__})")
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        span = f"≥ {low}" if high is None else f"in [{low}, {high}]" if low is not None else f"≤ {high}"
        raise ArgumentError(f"{name} must be an integer {span}, got {n}")
    return n


def choice(value: Any, name: str, options: Collection[str]) -> str:
    """``value`` if it is one of ``options`` (a string, or an enum whose value is), else an error listing
    them."""
    text = getattr(value, "value", value)
    if not isinstance(text, str) or text not in options:
        raise ArgumentError(f"{name} must be one of {', '.join(map(repr, options))}, got {_shown(value)}")
    return text


def bounds_pair(value: Any, name: str) -> tuple[float | None, float | None]:
    """A (min, max) pair of finite numbers or ``None`` with min < max."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ArgumentTypeError(f"{name} must be a (min, max) pair, got {_shown(value)}")
    low, high = (optional_number(v, f"{name}[{k}]") for k, v in enumerate(value))
    if low is not None and high is not None and not low < high:
        raise ArgumentError(f"{name}: min {low:g} must be below max {high:g}")
    return low, high


def positive(value: Any, name: str) -> float:
    """``value`` as a finite number > 0."""
    return number(value, name, low=0.0, low_open=True)


def finite_result(compute: Callable[[], float], what: str) -> float:
    """``compute()`` when it is a finite number; an :class:`ArgumentError` saying the arguments give no
    finite ``what`` otherwise (a formula fed with extreme but finite inputs overflows or underflows)."""
    try:
        value = float(compute())
    except (OverflowError, ZeroDivisionError):
        value = math.nan
    if not math.isfinite(value) or value == 0.0:
        raise ArgumentError(
            f"these arguments give no finite, non-zero {what} (an argument far outside its range?)"
        )
    return value


def frequency_window(fmin: Any, fmax: Any) -> tuple[float | None, float | None]:
    """``fmin``/``fmax`` (Hz) as positive finite numbers or ``None``, with fmin < fmax."""
    low = optional_number(fmin, "fmin", low=0.0, low_open=True)
    high = optional_number(fmax, "fmax", low=0.0, low_open=True)
    if low is not None and high is not None and not low < high:
        raise ArgumentError(f"fmin = {low:g} Hz must be below fmax = {high:g} Hz")
    return low, high


def _refuse_points(bad: np.ndarray, message: Callable[[int, int], str]) -> None:
    """Raise :class:`DataError` with ``message(first bad index, count)`` when any point is ``bad``."""
    if bad.any():
        raise DataError(message(int(np.flatnonzero(bad)[0]), int(bad.sum())))


def analysable_spectrum(spectrum: Any, what: str = "the analysis") -> Spectrum:
    """``spectrum`` if its numbers can be analysed: a :class:`Spectrum` with frequencies within
    :data:`FREQUENCY_RANGE_HZ` and |Z| within :data:`IMPEDANCE_RANGE_OHM` at every point (so no point has
    Z = 0, which has no relative error).  Otherwise a :class:`DataError` naming the file, the first
    offending point and how many there are."""
    from .data import Spectrum

    if not isinstance(spectrum, Spectrum):
        raise ArgumentTypeError(f"{what} needs a Spectrum, got {type(spectrum).__name__}")
    f, z = spectrum.frequency, spectrum.impedance
    label, modulus = spectrum.label, np.abs(z)
    (f_lo, f_hi), (z_lo, z_hi) = FREQUENCY_RANGE_HZ, IMPEDANCE_RANGE_OHM
    _refuse_points(
        (f < f_lo) | (f > f_hi),
        lambda k, n: (
            f"{label}: frequency {f[k]:g} Hz ({n} point(s)) is outside {f_lo:g}–{f_hi:g} Hz, so it is "
            "not a measured frequency; check the frequency column and its unit"
        ),
    )
    _refuse_points(
        modulus == 0,
        lambda k, n: (
            f"{label}: Z = 0 Ω at {f[k]:g} Hz ({n} point(s)); a measured impedance is never exactly "
            "zero (an overload or placeholder row?): remove the point(s) to analyse the rest"
        ),
    )
    _refuse_points(
        (modulus < z_lo) | (modulus > z_hi),
        lambda k, n: (
            f"{label}: |Z| = {modulus[k]:g} Ω at {f[k]:g} Hz ({n} point(s)) is outside "
            f"{z_lo:g}–{z_hi:g} Ω, so it is not a measured impedance; check the impedance columns and their unit"
        ),
    )
    return spectrum


POTENTIAL_LIMIT_V = 1e3
"""|E| a polarization analysis accepts (V); beyond it the column is not a potential in volts."""
CURRENT_LIMIT_A = 1e12
"""|I| a polarization analysis accepts (A): generous (synthetic sweeps reach MA), but keeps I² inside float64."""
MIN_LARGEST_CURRENT_A = 1e-18
"""The largest |I| of a sweep must reach an attoampere (potentiostats resolve ~1e-15 A): below it the column
is not a current in amperes, and its squares underflow."""
MIN_DISTINCT_POTENTIALS = 5
"""… and take at least 5 distinct potentials (a line and its curvature need more than two levels)."""
MIN_POTENTIAL_SPAN_V = 1e-4
"""A sweep must cover at least 0.1 mV (below any real sweep): a constant potential has no kinetics."""


def measured_electrical(label: str, potential: np.ndarray, current: np.ndarray | None) -> None:
    """Refuse, naming ``label``, potentials or currents (V, A; ``None``: no current column) that are not
    finite or lie outside :data:`POTENTIAL_LIMIT_V` / :data:`CURRENT_LIMIT_A`: a unit or parsing mistake,
    and numbers whose sums and products overflow."""
    for values, limit, name, unit in (
        (potential, POTENTIAL_LIMIT_V, "potential", "V"),
        (current, CURRENT_LIMIT_A, "current", "A"),
    ):
        if values is None:
            continue
        _refuse_points(
            ~np.isfinite(values) | (np.abs(values) > limit),
            lambda k, n, values=values, limit=limit, name=name, unit=unit: (
                f"{label}: {name} {values[k]:g} {unit} "
                f"at point {k + 1} ({n} point(s)) is not a measured {name} (|{name}| ≤ {limit:g} {unit} expected); "
                "check the column and its unit"
            ),
        )


def analysable_sweep(label: str, potential: Any, current: Any) -> None:
    """Refuse, naming ``label``, a polarization record whose numbers cannot give kinetics: potentials or
    currents outside :data:`POTENTIAL_LIMIT_V` / :data:`CURRENT_LIMIT_A` (a unit or parsing mistake), a
    potential that does not vary, or a current that is zero everywhere."""
    v = np.asarray(potential, dtype=float)
    i = np.asarray(current, dtype=float)
    measured_electrical(label, v, i)
    span = float(v.max() - v.min()) if v.size else 0.0
    distinct = np.unique(v).size
    if span < MIN_POTENTIAL_SPAN_V or distinct < MIN_DISTINCT_POTENTIALS:
        raise DataError(
            f"{label}: the potential does not vary enough (span {1e3 * span:.3g} mV, {distinct} distinct value(s) "
            f"over {v.size} points); a Tafel analysis needs a potential sweep"
        )
    if not np.any(i != 0):
        raise DataError(f"{label}: the current is zero at every point; there is no kinetics to analyse")
    largest = float(np.max(np.abs(i)))
    if largest < MIN_LARGEST_CURRENT_A:
        raise DataError(
            f"{label}: the largest current is {largest:g} A, below any measurable current "
            f"({MIN_LARGEST_CURRENT_A:g} A); check the current column and its unit"
        )


# ---------------------------------------------------------------------------------------------------
# argument checks from the annotations of public functions

_Check = Callable[[str, Any], None]


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


_FLOAT_TYPES = (float, np.float64, np.float32)


def _check_float(name: str, value: Any) -> None:
    if type(value) in _FLOAT_TYPES and math.isfinite(value):  # the common case, without the ABC checks
        return
    number(value, name)


def _check_int(name: str, value: Any) -> None:
    integer(value, name)


def _check_str(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be a string, got {_shown(value)} ({type(value).__name__})")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(f"{name} must be True or False, got {_shown(value)} ({type(value).__name__})")


def _check_float_or_infinity(name: str, value: Any) -> None:
    """A real number that is not NaN (±inf allowed: the parameter's default is infinite, e.g. no limit)."""
    if not _is_number(value) or math.isnan(float(value)):
        number(value, name)


def _array_check(kind: type) -> _Check:
    """A check that ``value`` is a number or an array convertible to ``kind`` (float or complex) numbers;
    the values themselves are the function's to judge."""

    kinds = "fiubc" if kind is complex else "fiub"

    def check(name: str, value: Any) -> None:
        if type(value) is np.ndarray and value.dtype.kind in kinds:  # already an array of numbers
            return
        what = "complex numbers" if kind is complex else "real numbers"
        if isinstance(value, str | bytes | Mapping) or value is None:
            raise ArgumentTypeError(
                f"{name} must be {what} (an array), got {_shown(value)} ({type(value).__name__})"
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", np.exceptions.ComplexWarning)
                np.asarray(value, dtype=kind)
        except (TypeError, ValueError, OverflowError, np.exceptions.ComplexWarning):
            raise ArgumentTypeError(f"{name} must be {what} (an array), got {_shown(value)}") from None

    return check


_check_array = _array_check(float)
_check_complex_array = _array_check(complex)


def _annotation_check(annotation: Any) -> _Check | None:
    """A check for one annotation, or ``None`` when it cannot be checked (e.g. ``Sequence[float]``)."""
    import types
    import typing

    import numpy.typing as npt

    if annotation is float:
        return _check_float
    if annotation is int:
        return _check_int
    if annotation is str:
        return _check_str
    if annotation is bool:
        return _check_bool
    if annotation is npt.ArrayLike:
        return _check_array
    origin = typing.get_origin(annotation)
    if origin is np.ndarray:
        dtype_args = typing.get_args(typing.get_args(annotation)[-1]) if typing.get_args(annotation) else ()
        complex_dtype = (
            bool(dtype_args)
            and inspect.isclass(dtype_args[0])
            and issubclass(dtype_args[0], np.complexfloating)
        )
        return _check_complex_array if complex_dtype else _check_array
    if origin is typing.Literal:
        options = tuple(typing.get_args(annotation))
        return lambda name, value: (
            None if isinstance(value, str) and value in options else _refuse_choice(name, value, options)
        )
    if origin in (typing.Union, types.UnionType):
        parts = typing.get_args(annotation)
        optional = type(None) in parts
        rest = [p for p in parts if p is not type(None)]
        inner = _annotation_check(rest[0]) if len(rest) == 1 else _union_check(rest)
        if inner is None:
            return None
        return _or_none(inner) if optional else inner
    return _instance_check(annotation)


def _or_none(inner: _Check) -> _Check:
    """``inner``, with ``None`` also accepted (and named in the message)."""

    def check(name: str, value: Any) -> None:
        if value is None:
            return
        try:
            inner(name, value)
        except ArgumentTypeError as exc:
            raise ArgumentTypeError(str(exc).replace(", got ", " or None, got ", 1)) from None

    return check


_NUMBER_SEQUENCES = (float, int)


def _array_like(annotation: Any) -> bool:
    """ArrayLike, an ndarray type or a sequence of numbers (``Sequence[float]``)."""
    import collections.abc
    import typing

    import numpy.typing as npt

    origin = typing.get_origin(annotation)
    if annotation is npt.ArrayLike or origin is np.ndarray:
        return True
    args = typing.get_args(annotation)
    return (
        origin in (collections.abc.Sequence, list, tuple) and len(args) >= 1 and args[0] in _NUMBER_SEQUENCES
    )


def _union_check(parts: list[Any]) -> _Check | None:
    """A check for a union without None: all array-like → one array check; otherwise an isinstance test
    over the parts' classes (``None`` when a part cannot be tested)."""
    if all(_array_like(p) for p in parts):
        checks = [_annotation_check(p) for p in parts]
        return _check_complex_array if _check_complex_array in checks else _check_array
    kinds: list[type] = []
    for part in parts:
        kind = _instance_kind(part)
        if kind is None:
            return None
        kinds.append(kind)
    return _isinstance_check(parts, tuple(kinds))


def _instance_kind(annotation: Any) -> type | None:
    """The class ``isinstance`` tests for an annotation (a class, or a generic's origin such as ``Sequence``)."""
    import collections.abc
    import typing

    if _checkable_class(annotation):
        return annotation  # type: ignore[no-any-return]
    origin = typing.get_origin(annotation)
    if origin in (
        collections.abc.Sequence,
        collections.abc.Mapping,
        collections.abc.Iterable,
        list,
        tuple,
        dict,
    ):
        return origin  # type: ignore[no-any-return]
    if origin is np.ndarray:
        return np.ndarray
    if origin is typing.Literal and all(isinstance(a, str) for a in typing.get_args(annotation)):
        return str
    return None


def _isinstance_check(parts: list[Any], kinds: tuple[type, ...]) -> _Check:
    numbers = float in kinds
    strings = str in kinds

    def check(name: str, value: Any) -> None:
        if isinstance(value, str) and not strings:  # a str is a Sequence, but never the one meant
            _refuse_type(name, value, parts, False)
        if isinstance(value, kinds) or (numbers and _is_number(value)):
            if (
                numbers
                and _is_number(value)
                and not isinstance(value, tuple(k for k in kinds if k is not float))
            ):
                number(value, name)
            return
        _refuse_type(name, value, parts, False)

    return check


def _instance_check(annotation: Any) -> _Check | None:
    if _array_like(annotation):
        return _check_array
    kind = _instance_kind(annotation)
    if kind is None:
        return None
    return _isinstance_check([annotation], (kind,))


def _checkable_class(annotation: Any) -> bool:
    """A plain class ``isinstance`` can test (not a typing construct or a static-only Protocol)."""
    import typing

    return (
        inspect.isclass(annotation)
        and typing.get_origin(annotation) is None
        and annotation.__module__ != "typing"
        and not (
            getattr(annotation, "_is_protocol", False)
            and not getattr(annotation, "_is_runtime_protocol", False)
        )
    )


def _refuse_choice(name: str, value: Any, options: tuple[Any, ...]) -> None:
    raise ArgumentError(f"{name} must be one of {', '.join(map(repr, options))}, got {_shown(value)}")


def _refuse_type(name: str, value: Any, kinds: list[Any], optional: bool) -> None:
    names = [getattr(k, "__name__", str(k)) for k in kinds] + (["None"] if optional else [])
    raise ArgumentTypeError(
        f"{name} must be {' or '.join(names)}, got {_shown(value)} ({type(value).__name__})"
    )


def checked(func: Callable[..., Any]) -> Callable[..., Any]:
    """Check a public function's arguments against its annotations on every call: ``float`` → a finite
    real number (not a bool), ``int`` → an integer, ``str``, ``bool``, ``Literal[...]``, classes such as
    ``Spectrum`` (``isinstance``), arrays → real numbers without ±inf, ``X | None`` → also ``None``.
    Other annotations are not checked (the function checks them itself).  A failed check raises
    :class:`ArgumentError` / :class:`ArgumentTypeError` naming the function, the argument and the value."""
    import functools
    import typing

    signature = inspect.signature(func)
    names = list(signature.parameters)
    resolved: dict[str, _Check] | None = None

    def checks() -> dict[str, _Check]:
        nonlocal resolved
        if resolved is None:
            try:
                hints = typing.get_type_hints(func)
            except (NameError, TypeError):  # an annotation only importable for type checkers
                hints = {}
            resolved = {}
            for name in names:
                check = _annotation_check(hints[name]) if name in hints else None
                default = signature.parameters[name].default
                if check is _check_float and isinstance(default, float) and math.isinf(default):
                    check = _check_float_or_infinity
                if check is not None:
                    resolved[name] = check
        return resolved

    where = func.__qualname__.replace(".__init__", "")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        table = checks()
        for name, value in zip(names, args, strict=False):
            check = table.get(name)
            if check is not None:
                _run(check, where, name, value)
        for name, value in kwargs.items():
            check = table.get(name)
            if check is not None:
                _run(check, where, name, value)
        return func(*args, **kwargs)

    return wrapper


def ieee_formula(func: Callable[..., Any]) -> Callable[..., Any]:
    """A vectorised formula that returns IEEE results (±inf, NaN) for arguments at the edge of float range
    (η = 1e308 V gives an infinite current) instead of printing numpy's overflow warnings."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return func(*args, **kwargs)

    return wrapper


def checked_class(cls: type) -> type:
    """:func:`checked` for a class's ``__init__`` (put it above ``@dataclass``)."""
    cls.__init__ = checked(cls.__init__)  # type: ignore[misc]
    return cls


def _run(check: _Check, where: str, name: str, value: Any) -> None:
    try:
        check(name, value)
    except ArgumentError as exc:
        raise type(exc)(f"{where}: {exc}") from None
