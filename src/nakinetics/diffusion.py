"""Warburg diffusion: the coefficient σ from a spectrum or a circuit fit, and the apparent diffusion
coefficient D it implies.

* σ (Ω s^-½) is the slope of Z' and of −Z'' against ω^-½ (ω = 2πf in rad s⁻¹, never f) in the
  Warburg region, where the Nyquist plot is a 45° line: both slopes equal σ, their ratio is 1 and the
  line is straight.  :func:`warburg_slope` finds that window automatically (or takes one) and reports
  both slopes, their R², their ratio, the line angle and the mean phase; it refuses a spectrum without
  such a region.
* From a fit (:func:`warburg_from_fit`): σ of a W element directly; for the finite-length elements Wo/Ws
  (Z = R coth√(jωτ)/√(jωτ), R tanh√(jωτ)/√(jωτ)) σ = R/√(2τ) in their 45° region, and D = L²/τ when
  the diffusion length L is known (L_cell/2 in a symmetric cell).
* One diffusing species (:func:`apparent_diffusion_coefficient`):
  D = R²T²/(2 A² n⁴ F⁴ C² σ²) with A in cm², C in mol cm⁻³ (1 M = 1e-3 mol cm⁻³) → cm² s⁻¹.
  Two soluble species with equal C and D: D = 2R²T²/(A² n⁴ F⁴ C² σ²) (4× the one-species value).
  A symmetric cell's σ holds two identical electrodes: σ_electrode = σ_cell/2.

References: Bard & Faulkner, *Electrochemical Methods* (2001), ch. 10; Ho, Raistrick & Huggins,
J. Electrochem. Soc. 127 (1980) 343; Lasia, *EIS and its Applications* (2014), ch. 4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._checks import (
    checked,
    checked_class,
    finite_result,
    frequency_window,
    integer,
    positive,
)
from ._repr import compact_repr
from ._spectrum_checks import WARBURG_SPREAD, impedance_input
from ._typing import FloatArray
from .constants import FARADAY, GAS_CONSTANT, T_ROOM
from .data import Spectrum
from .derived import CellKind, propagate_uncertainty
from .exceptions import DataError
from .fitting import DerivedQuantity, FitResult
from .roles import DEFAULT_CELL
from .temperature import check_temperature_k
from .units import (
    canonical_concentration_unit,
    check_concentration,
    concentration_factor,
    implausible_concentration,
    parse_concentration,
)

ConcentrationUnit = str
"""A concentration unit: ``"mol/cm3"``, ``"mol/L"`` (= ``"M"``), ``"mM"``, ... (see
:data:`nakinetics.units.CONCENTRATION_UNITS_MOL_CM3`)."""
Species = Literal["one", "two"]

SIGMA_UNIT = "Ohm s^-1/2"
D_UNIT = "cm^2 s^-1"
MOL_PER_L_TO_MOL_PER_CM3 = 1e-3
"""1 mol L⁻¹ = 1e-3 mol cm⁻³."""

SELECT_RATIO_DEVIATION = 0.10
"""Automatic window: |σ(Z')/σ(−Z'') − 1| at most this."""
MAX_RATIO_DEVIATION = 0.20
"""Beyond this the region is not Warburg-like: refused (automatic) or flagged (given window)."""
MIN_R2 = 0.99
"""Minimum R² of both straight lines in the automatic window."""
MIN_POINTS = 5
"""Fewest points in an automatic window."""
MIN_FREQUENCY_SPAN = 10.0
"""An automatic window spans at least a decade of frequency: over less, the 45° tangent of a depressed\narc passes for a Warburg line."""
HALF_SLOPE_TOLERANCE = 0.1
"""Curvature check: the slopes of the window's low- and high-frequency halves differ by at most this
fraction of the whole-window slope."""


# ---------------------------------------------------------------------------------------------------
# σ from the spectrum: straight lines against ω^-½


@dataclass(frozen=True)
class LineFit:
    """Least-squares straight line y = intercept + slope·x, with the slope's standard error and R²."""

    slope: float
    slope_stderr: float
    intercept: float
    r2: float


def _line_fit(x: FloatArray, y: FloatArray) -> LineFit:
    n = x.size
    sxx = float(np.sum((x - x.mean()) ** 2))
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * x.mean())
    sse = float(np.sum((y - intercept - slope * x) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    stderr = math.sqrt(sse / (n - 2) / sxx) if n > 2 else math.nan
    return LineFit(slope, stderr, intercept, 1.0 - sse / sst if sst > 0 else 0.0)


@dataclass(frozen=True)
class WarburgSlope:
    """σ from the slopes of Z' and −Z'' against ω^-½ over a window of the spectrum.

    ``mask`` marks the window's points in ``spectrum`` (its own order).  ``real`` is the line fitted to
    Z' (Ω), ``imag`` the line fitted to −Z'' (Ω), both against ω^-½ (s^½).  ``automatic`` says whether
    the window was chosen by :func:`warburg_slope` or given.
    """

    __repr__ = compact_repr

    spectrum: Spectrum
    mask: np.ndarray
    real: LineFit
    imag: LineFit
    automatic: bool
    warnings: tuple[str, ...] = ()

    @property
    def fmin_hz(self) -> float:
        return float(self.spectrum.frequency[self.mask].min())

    @property
    def fmax_hz(self) -> float:
        return float(self.spectrum.frequency[self.mask].max())

    @property
    def n_points(self) -> int:
        return int(np.count_nonzero(self.mask))

    @property
    def ratio(self) -> float:
        """σ(Z')/σ(−Z''): 1 for an ideal Warburg line."""
        return self.real.slope / self.imag.slope

    @property
    def line_angle_deg(self) -> float:
        """Angle of the fitted line in the Nyquist plane, atan(σ(−Z'')/σ(Z')) in degrees (45° ideal)."""
        return math.degrees(math.atan2(self.imag.slope, self.real.slope))

    @property
    def mean_phase_deg(self) -> float:
        """Mean phase of Z over the window (°); −45° only when no resistance is in series."""
        return float(np.mean(self.spectrum.phase_deg[self.mask]))

    @property
    def sigma_systematic(self) -> float:
        """Systematic part of σ's uncertainty (Ω s^-½): half the disagreement between the Z' and −Z''
        slopes and between the Z' slopes of the window's two halves, added in quadrature.  Both vanish for
        an ideal Warburg line; a finite-length turnover or an arc edge in the window makes them grow,
        while the least-squares error of the slope alone does not see such bias."""
        x = 1.0 / np.sqrt(self.spectrum.omega[self.mask])
        y = self.spectrum.real[self.mask]
        order = np.argsort(x)
        half = order.size // 2
        halves = 0.0
        if half >= 2 and order.size - half >= 2:
            low, high = (
                _line_fit(x[order[:half]], y[order[:half]]),
                _line_fit(x[order[half:]], y[order[half:]]),
            )
            halves = abs(low.slope - high.slope) / 2.0
        between = abs(self.real.slope - self.imag.slope) / 2.0
        return math.hypot(between, halves)

    @property
    def sigma(self) -> DerivedQuantity:
        """σ = slope of Z' against ω^-½ (the standard estimate; −Z'' gives the check slope), with the
        slope's least-squares error and :attr:`sigma_systematic` added in quadrature."""
        return DerivedQuantity(
            self.real.slope,
            math.hypot(self.real.slope_stderr, self.sigma_systematic),
            SIGMA_UNIT,
            f"slope of Z' vs ω^-1/2 (ω = 2πf in rad/s), {self.fmin_hz:.4g}–{self.fmax_hz:.4g} Hz, "
            f"{self.n_points} points; error = statistical ⊕ systematic (Z' vs −Z'' and half-window slopes)",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "fmin_hz": self.fmin_hz,
            "fmax_hz": self.fmax_hz,
            "n_points": self.n_points,
            "automatic": self.automatic,
            "slope_real": {
                "value": self.real.slope,
                "stderr": self.real.slope_stderr,
                "unit": SIGMA_UNIT,
                "convention": "d Z' / d ω^-1/2",
            },
            "slope_imag": {
                "value": self.imag.slope,
                "stderr": self.imag.slope_stderr,
                "unit": SIGMA_UNIT,
                "convention": "d(−Z'') / d ω^-1/2",
            },
            "r2_real": self.real.r2,
            "r2_imag": self.imag.r2,
            "ratio_real_to_imag": self.ratio,
            "line_angle_deg": self.line_angle_deg,
            "mean_phase_deg": self.mean_phase_deg,
        }


@dataclass(frozen=True)
class _Candidates:
    """Straight-line statistics of every contiguous window [start, stop) of the frequency-sorted points.

    ``half_change`` is the larger (of Z' and −Z'') difference between the slopes of the window's two
    halves relative to the whole-window slope; ``span`` is the window's f_max/f_min.
    """

    start: np.ndarray
    stop: np.ndarray
    slope_real: np.ndarray
    slope_imag: np.ndarray
    r2_real: np.ndarray
    r2_imag: np.ndarray
    half_change: np.ndarray
    span: np.ndarray

    @property
    def deviation(self) -> np.ndarray:
        """|σ(Z')/σ(−Z'') − 1|, infinite where a slope is not positive."""
        positive = (self.slope_real > 0) & (self.slope_imag > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(positive, np.abs(self.slope_real / self.slope_imag - 1.0), np.inf)


def _window_stats(
    x: FloatArray, y: FloatArray, start: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slope and R² of y against x over the index windows [start, stop), from prefix sums."""
    cum = [np.concatenate([[0.0], np.cumsum(v)]) for v in (np.ones_like(x), x, y, x * x, x * y, y * y)]
    n, sx, sy, sxx, sxy, syy = (c[stop] - c[start] for c in cum)
    cxx = sxx - sx * sx / n
    cxy = sxy - sx * sy / n
    cyy = syy - sy * sy / n
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = cxy / cxx
        r2 = np.where(cyy > 0, cxy * cxy / (cxx * cyy), 0.0)
    return slope, r2


def _candidates(
    x: FloatArray, y_real: FloatArray, y_imag: FloatArray, start: np.ndarray, stop: np.ndarray
) -> _Candidates:
    """Statistics of the windows [start, stop) of the frequency-sorted points."""
    mid = (start + stop) // 2
    slope_r, r2_r = _window_stats(x, y_real, start, stop)
    slope_i, r2_i = _window_stats(x, y_imag, start, stop)
    half_change = np.zeros(start.size)
    for y, slope in ((y_real, slope_r), (y_imag, slope_i)):
        lower, _ = _window_stats(x, y, start, mid + 1)
        upper, _ = _window_stats(x, y, mid, stop)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            half_change = np.maximum(
                half_change, np.nan_to_num(np.abs(lower - upper) / np.abs(slope), nan=np.inf)
            )
    span = (x[start] / x[stop - 1]) ** 2  # x = ω^-½ sorted by ascending frequency: f_max/f_min of the window
    return _Candidates(start, stop, slope_r, slope_i, r2_r, r2_i, half_change, span)


def _pairs(starts: np.ndarray, stops: np.ndarray, min_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window [i, j) with i from ``starts``, j from ``stops`` and j − i ≥ ``min_points`` (i, then j,
    ascending)."""
    i, j = np.repeat(starts, stops.size), np.tile(stops, starts.size)
    keep = j - i >= min_points
    return i[keep], j[keep]


def _best_window(c: _Candidates, kind: str | None = None) -> tuple[int, str] | None:
    """Index of the chosen window and whether it met the ``strict`` or only the ``loose`` criteria
    (``kind`` forces one); ``None`` when none qualifies.  Widest first, then the straightest pair of lines."""
    deviation = c.deviation
    base = (c.span >= MIN_FREQUENCY_SPAN) & (c.half_change <= HALF_SLOPE_TOLERANCE)
    strict = base & (deviation <= SELECT_RATIO_DEVIATION) & (np.minimum(c.r2_real, c.r2_imag) >= MIN_R2)
    loose = base & (deviation <= MAX_RATIO_DEVIATION)
    if kind is None:
        kind = "strict" if strict.any() else "loose"
    chosen = strict if kind == "strict" else loose
    if not chosen.any():
        return None
    score = np.where(
        chosen, (c.stop - c.start) + 0.5 * np.minimum(c.r2_real, c.r2_imag) - 0.1 * deviation, -np.inf
    )
    return int(np.argmax(score)), kind


MAX_WINDOW_EDGES = 400
"""The automatic window search tries every window between at most this many edge positions (every point
of spectra up to 399 points); longer spectra are searched on evenly spaced edges and the best window's
edges are then refined point by point.  Memory and time stay bounded (O(n) plus ~80 000 windows) instead
of growing with n² (10 000 points would otherwise mean 5·10⁷ windows, ~10 GB)."""


def _automatic_window(
    x: FloatArray, y_real: FloatArray, y_imag: FloatArray, min_points: int
) -> tuple[int, int] | _Candidates:
    """The chosen window [start, stop) of the sorted points, or the candidates when none qualifies."""
    n = x.size
    edges = np.unique(np.round(np.linspace(0, n, min(n + 1, MAX_WINDOW_EDGES))).astype(int))
    c = _candidates(x, y_real, y_imag, *_pairs(edges, edges, min_points))
    found = _best_window(c)
    if found is None:
        return c
    k, kind = found
    start, stop = int(c.start[k]), int(c.stop[k])
    step = int(np.max(np.diff(edges)))
    if step > 1:  # refine the coarse edges within one grid step
        starts = np.arange(max(start - step, 0), min(start + step, n) + 1)
        stops = np.arange(max(stop - step, 1), min(stop + step, n) + 1)
        fine = _candidates(x, y_real, y_imag, *_pairs(starts, stops, min_points))
        refined = _best_window(fine, kind)
        if refined is not None:
            start, stop = int(fine.start[refined[0]]), int(fine.stop[refined[0]])
    return start, stop


def _refusal(spectrum: Spectrum, c: _Candidates) -> DataError:
    """Why no window qualifies, with the numbers of the most Warburg-like window that spans a decade."""
    where = f"{spectrum.label}: no Warburg (45°) region found"
    hint = "; give a window (fmin/fmax) to force one, or fit a circuit with a W/Wo/Ws element"
    wide = (c.span >= MIN_FREQUENCY_SPAN) & np.isfinite(c.deviation)
    if not wide.any():
        return DataError(
            f"{where}: Z' and −Z'' never both rise with ω^-1/2 over a window of {MIN_POINTS}+ points spanning "
            f"a factor {MIN_FREQUENCY_SPAN:g} in frequency{hint}"
        )
    with np.errstate(over="ignore"):  # half_change may be huge or inf: that window is simply the worst
        badness = np.maximum(c.deviation / SELECT_RATIO_DEVIATION, c.half_change / HALF_SLOPE_TOLERANCE)
    badness = np.maximum(badness, (1.0 - np.minimum(c.r2_real, c.r2_imag)) / (1.0 - MIN_R2))
    k = int(np.argmin(np.where(wide, badness, np.inf)))
    f = np.sort(spectrum.frequency)
    angle = math.degrees(math.atan2(c.slope_imag[k], c.slope_real[k]))
    return DataError(
        f"{where}: no window spanning a factor {MIN_FREQUENCY_SPAN:g} in frequency is a straight 45° line; the "
        f"closest, {f[c.start[k]]:.3g}–{f[c.stop[k] - 1]:.3g} Hz, has σ(Z')/σ(−Z'') = "
        f"{c.slope_real[k] / c.slope_imag[k]:.2f} (line at {angle:.0f}°), R² {c.r2_real[k]:.3f}/{c.r2_imag[k]:.3f}, "
        f"slopes of its halves differing by {100 * c.half_change[k]:.0f} %{hint}"
    )


def _window_warnings(fit: WarburgSlope) -> list[str]:
    notes = []
    if abs(fit.ratio - 1.0) > MAX_RATIO_DEVIATION:
        notes.append(
            f"not Warburg-like: σ(Z')/σ(−Z'') = {fit.ratio:.2f} (line at {fit.line_angle_deg:.0f}°, 45° expected); "
            "σ and D from this window are not meaningful"
        )
    elif abs(fit.ratio - 1.0) > SELECT_RATIO_DEVIATION:
        notes.append(
            f"σ(Z')/σ(−Z'') = {fit.ratio:.2f} departs from 1 by more than 10 %: marginal Warburg region"
        )
    if min(fit.real.r2, fit.imag.r2) < MIN_R2:
        notes.append(f"Z' or −Z'' is not straight against ω^-1/2 (R² {fit.real.r2:.4f} / {fit.imag.r2:.4f})")
    if fit.n_points < MIN_POINTS:
        notes.append(f"only {fit.n_points} points in the window: σ is poorly determined")
    return notes


@checked
def warburg_slope(
    spectrum: Spectrum,
    *,
    fmin: float | None = None,
    fmax: float | None = None,
    min_points: int = MIN_POINTS,
) -> WarburgSlope:
    """σ from straight lines of Z' and −Z'' against ω^-½ (ω = 2πf).

    Without ``fmin``/``fmax`` (Hz) the window is chosen automatically: the widest contiguous run of at
    least ``min_points`` points spanning a decade of frequency where both slopes are positive, their ratio
    is within 10 % of 1, both lines have R² ≥ 0.99 and the two halves of the window have the same slopes
    (within 10 %: no finite-length turnover or arc inside).  When no window qualifies, the best one within
    20 % of a ratio of 1 is used with a warning; otherwise :class:`DataError` says why (the closest window
    and its numbers).  A given window is used as is, with warnings when it is not Warburg-like.

    Raises
    ------
    DataError : no Warburg-like window; a given window with fewer than 3 points or non-positive slopes.
    """
    fmin, fmax = frequency_window(fmin, fmax)
    impedance_input(spectrum, "warburg_slope", WARBURG_SPREAD, fmin, fmax)
    min_points = integer(min_points, "min_points", low=3)
    order = np.argsort(spectrum.frequency, kind="stable")
    x = 1.0 / np.sqrt(spectrum.omega[order])
    y_real, y_imag = spectrum.real[order], -spectrum.imag[order]
    if fmin is not None or fmax is not None:
        mask = np.ones(len(spectrum), dtype=bool)
        if fmin is not None:
            mask &= spectrum.frequency >= fmin
        if fmax is not None:
            mask &= spectrum.frequency <= fmax
        if np.count_nonzero(mask) < 3:
            raise DataError(
                f"{spectrum.label}: the window {fmin}–{fmax} Hz holds {np.count_nonzero(mask)} "
                "point(s); a slope needs at least 3"
            )
        return _slope_result(spectrum, mask, automatic=False)

    if len(spectrum) < min_points:
        raise DataError(
            f"{spectrum.label}: {len(spectrum)} points, fewer than the {min_points} a Warburg window needs"
        )
    window = _automatic_window(x, y_real, y_imag, min_points)
    if isinstance(window, _Candidates):
        raise _refusal(spectrum, window)
    sorted_mask = np.zeros(len(spectrum), dtype=bool)
    sorted_mask[window[0] : window[1]] = True
    mask = np.zeros(len(spectrum), dtype=bool)
    mask[order] = sorted_mask
    return _slope_result(spectrum, mask, automatic=True)


def _slope_result(spectrum: Spectrum, mask: np.ndarray, automatic: bool) -> WarburgSlope:
    x = 1.0 / np.sqrt(spectrum.omega[mask])
    result = WarburgSlope(
        spectrum, mask, _line_fit(x, spectrum.real[mask]), _line_fit(x, -spectrum.imag[mask]), automatic
    )
    if result.real.slope <= 0 or result.imag.slope <= 0:
        raise DataError(
            f"{spectrum.label}: in {result.fmin_hz:.3g}–{result.fmax_hz:.3g} Hz Z' or −Z'' falls with ω^-1/2 "
            f"(slopes {result.real.slope:.3g}, {result.imag.slope:.3g} Ω s^-1/2): no Warburg behaviour there"
        )
    return WarburgSlope(spectrum, mask, result.real, result.imag, automatic, tuple(_window_warnings(result)))


# ---------------------------------------------------------------------------------------------------
# σ from a fitted circuit


@dataclass(frozen=True)
class WarburgFromFit:
    """σ of a diffusion element of a fitted circuit.

    ``kind`` is ``"W"`` (σ fitted directly), ``"Wo"`` or ``"Ws"`` (σ = R/√(2τ) in their 45° region;
    ``resistance`` R in Ω and ``tau`` τ in s are the fitted parameters).
    """

    fit: FitResult
    element: str
    kind: str
    sigma: DerivedQuantity
    resistance: DerivedQuantity | None = None
    tau: DerivedQuantity | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"element": self.element, "kind": self.kind, "sigma": self.sigma.to_dict()}
        if self.resistance is not None and self.tau is not None:
            out["resistance"] = self.resistance.to_dict()
            out["tau"] = self.tau.to_dict()
        return out


def _parameter(result: FitResult, name: str, convention: str) -> DerivedQuantity:
    p = result.parameters[name]
    return DerivedQuantity(p.value, p.stderr, p.unit, convention)


@checked
def warburg_from_fit(result: FitResult, element: str | None = None) -> WarburgFromFit:
    """σ (Ω s^-½) of the W, Wo or Ws element ``element`` of ``result`` (default: its only one).

    Raises
    ------
    DataError : the circuit has no diffusion element, several and none chosen, or ``element`` is unknown.
    """
    diffusion = [e for e in result.circuit.elements if e.spec.symbol in {"W", "Wo", "Ws"}]
    labels = [e.label for e in diffusion]
    if not diffusion:
        raise DataError(f"circuit {result.circuit.text} has no Warburg element (W, Wo or Ws) to take σ from")
    if element is None:
        if len(diffusion) > 1:
            raise DataError(
                f"circuit {result.circuit.text} has several diffusion elements ({', '.join(labels)}); choose one"
            )
        chosen = diffusion[0]
    else:
        matches = [e for e in diffusion if e.label == element]
        if not matches:
            raise DataError(
                f"{element} is not a diffusion element of {result.circuit.text} (have {', '.join(labels)})"
            )
        chosen = matches[0]
    label, kind = chosen.label, chosen.spec.symbol
    source = f"fitted {kind} element {label} of {result.circuit.text}"
    if kind == "W":
        (name,) = chosen.parameter_names
        return WarburgFromFit(result, label, kind, _parameter(result, name, f"σ of {source}"))
    r_name, tau_name = chosen.parameter_names
    value, stderr = propagate_uncertainty(result, lambda v: v[r_name] / math.sqrt(2.0 * v[tau_name]))
    sigma = DerivedQuantity(value, stderr, SIGMA_UNIT, f"σ = R/√(2τ) of {source} (its 45° region)")
    return WarburgFromFit(
        result,
        label,
        kind,
        sigma,
        _parameter(result, r_name, f"diffusion resistance R of {label}"),
        _parameter(result, tau_name, f"diffusion time constant τ = L²/D of {label}"),
    )


@checked
def diffusion_from_tau(
    tau: DerivedQuantity, length_cm: float, cell: CellKind = DEFAULT_CELL
) -> DerivedQuantity:
    """Apparent D = L²/τ (cm² s⁻¹) of a finite-length element with time constant ``tau`` (s).

    ``length_cm`` is the diffusion length; in a symmetric cell it is the electrode spacing and the
    effective length is half of it (D = L²/(4τ)).
    """
    if not (math.isfinite(length_cm) and length_cm > 0):
        raise DataError(f"length must be a positive number of cm, got {length_cm}")
    if not (math.isfinite(tau.value) and tau.value > 0):
        raise DataError(f"τ must be positive, got {tau.value} s")
    effective = length_cm / 2.0 if cell == "symmetric" else length_cm
    value = effective**2 / tau.value
    stderr = None if tau.stderr is None else value * tau.stderr / tau.value
    how = f"L_cell/2 = {effective:g} cm (symmetric cell)" if cell == "symmetric" else f"L = {effective:g} cm"
    return DerivedQuantity(value, stderr, D_UNIT, f"apparent D = L²/τ with {how}; stderr from τ only")


# ---------------------------------------------------------------------------------------------------
# D from σ


@checked
def concentration_mol_cm3(value: float, unit: ConcentrationUnit | str) -> float:
    """A concentration in mol cm⁻³ from ``value`` in ``unit`` (``"mol/cm3"``, ``"mol/L"``, ``"M"``, ``"mM"``,
    ...; :func:`nakinetics.units.concentration_factor`).  No plausibility check (see
    :func:`nakinetics.units.check_concentration`)."""
    if not (math.isfinite(value) and value > 0):
        raise DataError(f"concentration must be a positive number, got {value} {unit}")
    return value * concentration_factor(unit)


@checked_class
@dataclass(frozen=True)
class DiffusionInputs:
    """Everything :func:`apparent_diffusion_coefficient` needs besides σ, as the user gave it.

    area_cm2 : electrode area A (cm², geometric unless stated otherwise).
    concentration, concentration_unit : C of the diffusing species in the phase where it diffuses: a
        number in ``concentration_unit`` (default mol cm⁻³; ``"mol/L"``/``"M"``, ``"mM"``, ...) or a typed
        value with its unit (``"1M"``, ``"1e-3 mol/cm3"``).  A value above any real concentration
        (> 0.08 mol cm⁻³: a molarity typed as mol cm⁻³) is refused, naming the slip, unless
        ``any_concentration``.  After construction ``concentration`` is a number and ``concentration_unit``
        the unit's canonical name.
    n_electrons : electrons per diffusing ion (1 for Na⁺).
    temperature_k : T (K); 200–1200 K unless ``any_temperature`` (a °C value typed as K is refused).
    cell : ``"symmetric"`` (σ holds two identical electrodes: σ_electrode = σ_cell/2) or ``"single"``; the
        default is the toolkit's one default, symmetric (:data:`nakinetics.roles.DEFAULT_CELL`): pass
        ``"single"`` for one electrode (a full or half cell, a three-electrode measurement).
    species : ``"one"`` diffusing species (D = R²T²/(2A²n⁴F⁴C²σ²)) or ``"two"`` soluble species with
        equal C and D (D = 2R²T²/(A²n⁴F⁴C²σ²)).
    single_ion_conductor : the electrolyte conducts only Na⁺ (NASICON, β-alumina): there is no bulk
        concentration gradient, so the "apparent D" has no bulk meaning (warned).
    any_temperature : accept a temperature outside the plausible range.
    any_concentration : accept a concentration above 0.08 mol cm⁻³.
    """

    area_cm2: float
    concentration: float | str
    concentration_unit: ConcentrationUnit | None = None
    n_electrons: int = 1
    temperature_k: float = T_ROOM
    cell: CellKind = DEFAULT_CELL
    species: Species = "one"
    single_ion_conductor: bool = False
    any_temperature: bool = False
    any_concentration: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.area_cm2) and self.area_cm2 > 0):
            raise DataError(f"area must be a positive number of cm², got {self.area_cm2}")
        if isinstance(self.concentration, str):
            value, unit = parse_concentration(self.concentration, self.concentration_unit)
        else:
            value, unit = (
                self.concentration,
                canonical_concentration_unit(self.concentration_unit or "mol/cm3"),
            )
        check_concentration(value, unit, any_concentration=self.any_concentration)
        object.__setattr__(self, "concentration", float(value))
        object.__setattr__(self, "concentration_unit", unit)
        if int(self.n_electrons) != self.n_electrons or self.n_electrons < 1:
            raise DataError(f"n (electrons per ion) must be a positive integer, got {self.n_electrons}")
        check_temperature_k(self.temperature_k, any_temperature=self.any_temperature)
        if self.cell not in ("symmetric", "single"):
            raise DataError(f"cell must be 'symmetric' or 'single', got {self.cell!r}")
        if self.species not in ("one", "two"):
            raise DataError(f"species must be 'one' or 'two', got {self.species!r}")

    @property
    def concentration_mol_cm3(self) -> float:
        return concentration_mol_cm3(float(self.concentration), self.concentration_unit or "mol/cm3")

    def to_dict(self) -> dict[str, Any]:
        return {
            "area_cm2": self.area_cm2,
            "concentration": {"value": self.concentration, "unit": self.concentration_unit},
            "concentration_mol_cm3": self.concentration_mol_cm3,
            "n_electrons": self.n_electrons,
            "temperature_k": self.temperature_k,
            "cell": self.cell,
            "species": self.species,
            "single_ion_conductor": self.single_ion_conductor,
        }


@dataclass(frozen=True)
class DiffusionResult:
    """Apparent D from σ with the inputs it used.

    ``sigma`` is σ as measured (the whole cell); ``sigma_electrode`` the σ in the formula (σ/2 for a
    symmetric cell, else σ); ``D`` in cm² s⁻¹ with the standard error propagated from σ alone.
    """

    __repr__ = compact_repr

    sigma: DerivedQuantity
    sigma_electrode: DerivedQuantity
    D: DerivedQuantity
    inputs: DiffusionInputs
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sigma": self.sigma.to_dict(),
            "sigma_electrode": self.sigma_electrode.to_dict(),
            "D": self.D.to_dict(),
            "inputs": self.inputs.to_dict(),
            "warnings": list(self.warnings),
        }


@checked
def diffusion_coefficient_value(
    sigma: float,
    area_cm2: float,
    concentration_mol_cm3: float,
    n_electrons: int = 1,
    temperature_k: float = T_ROOM,
    species: Species = "one",
) -> float:
    """D (cm² s⁻¹) = factor·R²T²/(A² n⁴ F⁴ C² σ²) with factor ½ (one species) or 2 (two species);
    σ of one electrode in Ω s^-½, A in cm², C in mol cm⁻³."""
    for value, name in (
        (sigma, "sigma"),
        (area_cm2, "area_cm2"),
        (concentration_mol_cm3, "concentration_mol_cm3"),
    ):
        positive(value, name)
    integer(n_electrons, "n_electrons", low=1)
    factor = 0.5 if species == "one" else 2.0
    rt = GAS_CONSTANT * positive(temperature_k, "temperature_k")
    return finite_result(
        lambda: factor * (rt / (area_cm2 * n_electrons**2 * FARADAY**2 * concentration_mol_cm3 * sigma)) ** 2,
        "diffusion coefficient D",
    )


@checked
def apparent_diffusion_coefficient(
    sigma: DerivedQuantity | float, inputs: DiffusionInputs
) -> DiffusionResult:
    """Apparent diffusion coefficient (cm² s⁻¹) from the Warburg coefficient σ (Ω s^-½, the whole cell).

    D = R²T²/(2A²n⁴F⁴C²σ_el²) for one diffusing species (``inputs.species == "one"``), 4× that for two
    soluble species; σ_el = σ/2 for a symmetric cell.  The standard error comes from σ's alone
    (relative error of D = 2 × that of σ); A, C, n and T are taken as exact.
    """
    if not isinstance(sigma, DerivedQuantity):
        sigma = DerivedQuantity(float(sigma), None, SIGMA_UNIT, "given")
    if not (math.isfinite(sigma.value) and sigma.value > 0):
        raise DataError(f"σ must be a positive number of Ω s^-1/2, got {sigma.value}")
    symmetric = inputs.cell == "symmetric"
    divisor = 2.0 if symmetric else 1.0
    sigma_el = DerivedQuantity(
        sigma.value / divisor,
        None if sigma.stderr is None else sigma.stderr / divisor,
        SIGMA_UNIT,
        "σ_cell/2: symmetric cell, two identical electrodes in series"
        if symmetric
        else "σ as measured (single electrode)",
    )
    conc = inputs.concentration_mol_cm3
    value = diffusion_coefficient_value(
        sigma_el.value, inputs.area_cm2, conc, inputs.n_electrons, inputs.temperature_k, inputs.species
    )
    stderr = None if sigma.stderr is None else 2.0 * value * sigma.stderr / sigma.value
    formula = (
        "R²T²/(2A²n⁴F⁴C²σ²), one diffusing species"
        if inputs.species == "one"
        else ("2R²T²/(A²n⁴F⁴C²σ²), two soluble species with equal C and D")
    )
    convention = (
        f"apparent D = {formula}; σ = {sigma_el.value:.4g} Ω s^-1/2 ({'σ_cell/2' if symmetric else 'as measured'}), "
        f"A = {inputs.area_cm2:g} cm², C = {conc:g} mol/cm³, n = {inputs.n_electrons}, T = {inputs.temperature_k:g} K; "
        "stderr from σ only"
    )
    notes = []
    too_high = implausible_concentration(float(inputs.concentration), inputs.concentration_unit or "mol/cm3")
    if too_high is not None:  # accepted only because the caller insisted (any_concentration)
        notes.append(f"C = {too_high} (accepted with any_concentration); D scales with 1/C²")
    if inputs.single_ion_conductor:
        notes.append(
            "single-ion conductor (e.g. Na | NASICON | Na): there is no bulk concentration gradient, so a "
            "low-frequency tail is interfacial and this apparent D has no bulk meaning"
        )
    return DiffusionResult(
        sigma, sigma_el, DerivedQuantity(value, stderr, D_UNIT, convention), inputs, tuple(notes)
    )
