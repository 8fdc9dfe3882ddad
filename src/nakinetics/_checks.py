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

import math
from collections.abc import Callable, Collection
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
        return str(int(value))
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
    x = float(value)
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
MIN_POTENTIAL_SPAN_V = 1e-4
"""A sweep must cover at least 0.1 mV (below any real sweep): a constant potential has no kinetics."""


def analysable_sweep(label: str, potential: Any, current: Any) -> None:
    """Refuse, naming ``label``, a polarization record whose numbers cannot give kinetics: potentials or
    currents outside :data:`POTENTIAL_LIMIT_V` / :data:`CURRENT_LIMIT_A` (a unit or parsing mistake), a
    potential that does not vary, or a current that is zero everywhere."""
    v = np.asarray(potential, dtype=float)
    i = np.asarray(current, dtype=float)
    for values, limit, name, unit in (
        (v, POTENTIAL_LIMIT_V, "potential", "V"),
        (i, CURRENT_LIMIT_A, "current", "A"),
    ):
        _refuse_points(
            ~np.isfinite(values) | (np.abs(values) > limit),
            lambda k, n, values=values, limit=limit, name=name, unit=unit: (
                f"{label}: {name} {values[k]:g} {unit} "
                f"at point {k + 1} ({n} point(s)) is not a measured {name} (|{name}| ≤ {limit:g} {unit} expected); "
                "check the column and its unit"
            ),
        )
    span = float(v.max() - v.min()) if v.size else 0.0
    if span < MIN_POTENTIAL_SPAN_V:
        raise DataError(
            f"{label}: the potential does not vary (span {1e3 * span:.3g} mV over {v.size} points); "
            "a Tafel analysis needs a potential sweep"
        )
    if not np.any(i != 0):
        raise DataError(f"{label}: the current is zero at every point; there is no kinetics to analyse")
