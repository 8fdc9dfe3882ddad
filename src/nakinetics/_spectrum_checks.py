"""What every impedance analysis checks in a spectrum before it starts, in one place.

* :func:`analysable_spectrum` (in :mod:`._checks`): numbers that floating point can analyse;
* :func:`frequency_spread`: enough distinct frequencies over a wide enough span for the analysis (its
  :class:`FrequencySpread`): 30 rows all at 100 Hz are one point, not a spectrum;
* :func:`impedance_signs`: the signs of a cell's impedance — Z' < 0 at most frequencies (a column holding
  −Z', or Z' and Z'' swapped) and Z'' > 0 over the whole spectrum but an inductive high-frequency end
  (a column holding −Z'' under the name Z'') are refused, naming the likely cause and the fix.

:func:`impedance_input` runs all three: the analyses (circuit fits and model choice, Kramers–Kronig,
Warburg slope, DRT) call it on their input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import analysable_spectrum
from .data import Spectrum
from .exceptions import DataError


@dataclass(frozen=True)
class FrequencySpread:
    """The fewest distinct frequencies and the narrowest span (decades) an impedance analysis needs.

    Rows repeated at one frequency add no information about the frequency dependence every impedance
    analysis reads: they are counted once."""

    name: str
    frequencies: int
    decades: float


CIRCUIT_FIT_SPREAD = FrequencySpread("a circuit fit", 5, 1.0)
"""A circuit fit (``fit``, model choice, ``conductivity``, ``geis``, Arrhenius points): an arc needs its
apex and both flanks, a decade at the least, and more distinct frequencies than a one-arc model has
parameters."""
KRAMERS_KRONIG_SPREAD = FrequencySpread("a Kramers–Kronig test", 6, 1.0)
"""The linear Kramers–Kronig test spreads its time constants over the window: 6 points over a decade."""
WARBURG_SPREAD = FrequencySpread("a Warburg slope", 3, 0.5)
"""A Warburg slope against ω^-½: 3 points over half a decade (ω^-½ changing by 1.8×) at the least."""
DRT_SPREAD = FrequencySpread("a DRT", 10, 1.0)
"""A distribution of relaxation times: 10 points over a decade."""


def frequency_spread(spectrum: Spectrum, spread: FrequencySpread) -> None:
    """Refuse (:class:`DataError` naming the file) a spectrum whose frequencies are too few or too narrow
    for the analysis ``spread`` is of: fewer than ``spread.frequencies`` distinct values, or a span below
    ``spread.decades``."""
    f = spectrum.frequency
    distinct = np.unique(f)
    span = math.log10(distinct[-1] / distinct[0]) if distinct.size else 0.0
    if distinct.size >= spread.frequencies and span >= spread.decades - 1e-9:
        return
    if distinct.size == 1:
        found = f"all {f.size} point(s) are at {distinct[0]:g} Hz"
    else:
        at = "" if distinct.size == f.size else f" at {distinct.size} distinct frequencies"
        found = f"{f.size} points{at} spanning {span:.2g} decades ({distinct[0]:g}–{distinct[-1]:g} Hz)"
    raise DataError(
        f"{spectrum.label}: {found}; {spread.name} needs at least {spread.frequencies} distinct frequencies "
        f"over {spread.decades:g} decade(s) — is the frequency column the right one (a constant column, a "
        "fixed-frequency time scan)? widen --fmin/--fmax if they cut the spectrum"
    )


NEGATIVE_REAL_SHARE = 0.5
"""Z' < 0 at more than this share of the points is refused: a cell's real part is not negative (a few
negative points at the top frequencies are an instrument artefact and are let through)."""
INDUCTIVE_SHARE = 0.9
"""Z'' > 0 at this share (or more) of the points below an inductive-looking high-frequency end ..."""
INDUCTIVE_MIN_PHASE = 0.05
"""... with Z''/|Z| above this somewhere (a real arc, not noise about zero) is refused as a −Z'' column."""
_READER_FIX = "if the wrong reader read the file, give --format"


def _rank_correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation of ``x`` and ``y`` (0 when either is constant)."""
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def impedance_signs(spectrum: Spectrum) -> None:
    """Refuse (:class:`DataError` naming the file, the likely cause and the fix) impedance signs no cell
    gives: Z' < 0 at most points (a −Z' column, or Z' and Z'' swapped), or Z'' > 0 (inductive) over the
    whole spectrum except, at most, a run at its highest frequencies — what a −Z'' column written under
    the name Z'' looks like, the high-frequency end being the cable inductance turned negative."""
    f, z = spectrum.frequency, spectrum.impedance
    n = f.size
    negative = int(np.sum(z.real < 0))
    if negative > NEGATIVE_REAL_SHARE * n:
        # The real part of an RC network falls monotonically with frequency and its imaginary part does
        # not: the column that follows log f more closely is the one holding (±) Z'.
        log_f = np.log(f)
        swapped = abs(_rank_correlation(z.imag, log_f)) > abs(_rank_correlation(z.real, log_f)) + 0.2
        cause = (
            "Z' and Z'' swapped (the column read as Z'' changes steadily with frequency, as Z' does): name "
            "the columns in their order in the header (freq, Z'', Z')"
            if swapped
            else "columns holding −Z' (and −Z''): name them -Z' and -Z'' in the header and the reader flips "
            "them"
        )
        raise DataError(
            f"{spectrum.label}: Z' < 0 at {negative} of {n} points; a cell's real part is not negative — "
            f"most likely {cause}; {_READER_FIX}"
        )
    order = np.argsort(f)[::-1]  # high → low frequency
    imag, modulus = z.imag[order], np.abs(z[order])
    high_end = 0
    while high_end < n and imag[high_end] < 0:
        high_end += 1
    rest = imag[high_end:]
    if rest.size < max(3, n // 2):
        return
    positive = rest > 0
    if (
        positive.mean() >= INDUCTIVE_SHARE
        and positive[-min(3, rest.size) :].all()
        and np.max(rest / modulus[high_end:]) > INDUCTIVE_MIN_PHASE
    ):
        below = f" below {f[order][high_end - 1]:g} Hz" if high_end else ""
        raise DataError(
            f"{spectrum.label}: Z'' > 0 (inductive) at {int(positive.sum())} of {n} points, everywhere"
            f"{below} down to the lowest frequency; a cell is capacitive (Z'' < 0) there — most likely the "
            "column holds −Z'' (as EC-Lab's -Im(Z) does) under the name Z'': name it -Z'' (or -Im(Z)) in the "
            f"header and the reader flips it; {_READER_FIX}"
        )


def impedance_input(
    spectrum: Any,
    what: str,
    spread: FrequencySpread,
    fmin: float | None = None,
    fmax: float | None = None,
) -> Spectrum:
    """The points of ``spectrum`` between ``fmin`` and ``fmax`` (Hz) when an impedance analysis (``what``,
    needing ``spread``) can use them: numbers it can compute with (:func:`analysable_spectrum`), enough
    distinct frequencies over a wide enough span (:func:`frequency_spread`), and — over the whole
    spectrum, so that a window on an inductive tail stays possible — plausible signs
    (:func:`impedance_signs`).

    Raises
    ------
    DataError : as those checks; ArgumentTypeError : not a Spectrum.
    """
    window = analysable_spectrum(
        spectrum.select(fmin, fmax) if isinstance(spectrum, Spectrum) else spectrum, what
    )
    frequency_spread(window, spread)
    impedance_signs(spectrum)
    return window
