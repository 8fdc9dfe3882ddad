"""Kinetic laws with named parameters, as the fitter sees them.

A law maps the *kinetic voltage* x (V) — the overpotential η of one interface, or for a symmetric cell
the cell voltage after ohmic and offset correction, V_kin — to the faradaic current I(x) (working
current unit: A cm⁻² when an area is known, else A), with ∂I/∂x and ∂I/∂θ for its parameters θ.
A law may add a voltage in series that depends on the current (the concentration overpotential of a
symmetric liquid cell).  Ohmic drop, offset V₀ and capacitive current are added by the fitter.

Laws (``model`` × ``cell``):

* ``bv``: Butler–Volmer.  single: α_a, α_c free (``alpha="free"``), α_a + α_c = n (``"sum"``) or
  α_a = α_c = n/2 (``"half"``).  symmetric: identical interfaces, closed form of
  :func:`~nakinetics.kinetics.models.symmetric_cell_current`; α_a + α_c = n and the product α_a·α_c
  fitted (``"sum"``, default) or α = n/2 (``"half"``) — α_a and α_c are never reported separately.
* ``bv-limited``: single: Butler–Volmer with cathodic (and, if the data reach it, anodic) limiting
  currents; symmetric: Butler–Volmer interfaces plus the binary-electrolyte concentration overpotential
  (limiting current i_L, transference number t₊ fitted or given).
* ``mhc``: exact normalised Marcus–Hush–Chidsey (:mod:`.marcus`); symmetric: i = i_MHC(V_kin/2).
* ``mh``: symmetric Marcus–Hush (no Fermi integral); symmetric cell as for MHC.
* ``mhc-approx``: Zeng et al. closed form (starting values only).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .._checks import checked
from .._typing import FloatArray
from ..constants import BOLTZMANN_EV
from ..exceptions import DataError
from .marcus import marcus_hush_current, mhc_current_approx, mhc_normalised_current, reduced_lambda
from .models import (
    butler_volmer_limited,
    concentration_overpotential,
    inverse_thermal_voltage,
    symmetric_stripping_log,
)

_butler_volmer_limited = inspect.unwrap(butler_volmer_limited)
"""The formula without the public argument checks: the fit calls it thousands of times with its own values."""

ModelName = Literal["bv", "bv-limited", "mhc", "mh", "mhc-approx"]
CellName = Literal["single", "symmetric"]
AlphaMode = Literal["free", "sum", "half"]
MODELS: tuple[str, ...] = ("bv", "bv-limited", "mhc", "mh", "mhc-approx")

CURRENT = "current"
"""Unit marker: the parameter is a current in the working current unit (converted for output)."""


@dataclass(frozen=True)
class LawParameter:
    """A law parameter: bounds in natural units, fitted as ln(value) when ``log``."""

    name: str
    unit: str
    lower: float
    upper: float
    log: bool
    description: str


@dataclass(frozen=True)
class Law:
    """A kinetic law ready for fitting (see module docstring)."""

    model: str
    cell: str
    parameters: tuple[LawParameter, ...]
    temperature_k: float
    n_electrons: int
    alpha_mode: str
    _current: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]
    _gradient: Callable[[FloatArray, FloatArray, FloatArray], FloatArray] | None = None
    _series: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]] | None = None
    fixed: tuple[tuple[str, float], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def has_series(self) -> bool:
        return self._series is not None

    def current(self, x: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Faradaic current I(x) and ∂I/∂x."""
        return self._current(x, theta)

    def gradient(self, x: FloatArray, theta: FloatArray, current: FloatArray) -> FloatArray:
        """∂I/∂θ at fixed x, shape (len(θ), len(x)); analytic where given, else central differences."""
        if self._gradient is not None:
            return self._gradient(x, theta, current)
        return _central_differences(lambda t: self._current(x, t)[0], theta, self.parameters)

    def series(self, current: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Series voltage E(i) (V) and ∂E/∂i; zero for laws without one."""
        if self._series is None:
            zero = np.zeros_like(current)
            return zero, zero
        return self._series(current, theta)

    def series_gradient(self, current: FloatArray, theta: FloatArray) -> FloatArray:
        """∂E/∂θ at fixed current, shape (len(θ), len(current))."""
        if self._series is None:
            return np.zeros((len(theta), current.size))
        series = self._series
        return _central_differences(lambda t: series(current, t)[0], theta, self.parameters)


def _central_differences(
    func: Callable[[FloatArray], FloatArray],
    theta: FloatArray,
    parameters: tuple[LawParameter, ...],
    only: tuple[int, ...] | None = None,
) -> FloatArray:
    """∂func/∂θ_k by central differences (one-sided at a bound), for every k or those in ``only``."""
    rows = []
    for k, p in enumerate(parameters):
        if only is not None and k not in only:
            continue
        h = 1e-6 * max(abs(theta[k]), 1e-3)
        up, down = theta.copy(), theta.copy()
        up[k] = min(theta[k] + h, p.upper)
        down[k] = max(theta[k] - h, p.lower)
        with np.errstate(all="ignore"):
            rows.append((func(up) - func(down)) / (up[k] - down[k]))
    return np.array(rows)


def _i0(scale: float) -> LawParameter:
    return LawParameter(
        "i0", CURRENT, 1e-12 * scale, 1e6 * scale, True, "exchange current density per electrode"
    )


def _alpha(name: str, description: str, upper: float) -> LawParameter:
    return LawParameter(name, "1", 0.02, upper, False, description)


def _limit(name: str, description: str, scale: float) -> LawParameter:
    return LawParameter(name, CURRENT, 1e-9 * scale, 1e6 * scale, True, description)


def _exp(values: FloatArray) -> FloatArray:
    return np.exp(np.clip(values, -700.0, 700.0))


Builder = tuple[tuple[LawParameter, ...], Callable, Callable | None]


def _alphas(mode: str, n: int, t: FloatArray, symmetric: bool) -> tuple[float, float]:
    """(α_a, α_c) from the parameter vector: free (t[1], t[2]), sum (t[1] = α_a, or for a symmetric
    cell t[1] = α_a·α_c, smaller root first) or half."""
    if mode == "half":
        return n / 2.0, n / 2.0
    if mode == "free":
        return float(t[1]), float(t[2])
    if symmetric:
        small = 0.5 * (n - np.sqrt(max(n * n - 4.0 * t[1], 0.0)))
        return small, n - small
    return float(t[1]), n - float(t[1])


def _single_bv(temperature_k: float, n: int, mode: str, scale: float) -> Builder:
    f = inverse_thermal_voltage(temperature_k)
    params: tuple[LawParameter, ...] = (_i0(scale),)
    if mode == "free":
        params += (
            _alpha("alpha_a", "anodic transfer coefficient", 2.0 * n),
            _alpha("alpha_c", "cathodic transfer coefficient", 2.0 * n),
        )
    elif mode == "sum":
        params += (_alpha("alpha_a", f"anodic transfer coefficient (α_c = {n} − α_a)", n - 0.02),)

    def current(x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        aa, ac = _alphas(mode, n, t, False)
        ea, ec = _exp(aa * f * x), _exp(-ac * f * x)
        return t[0] * (ea - ec), t[0] * f * (aa * ea + ac * ec)

    def gradient(x: FloatArray, t: FloatArray, i: FloatArray) -> FloatArray:
        aa, ac = _alphas(mode, n, t, False)
        ea, ec = _exp(aa * f * x), _exp(-ac * f * x)
        rows = [i / t[0]]
        if mode == "free":
            rows += [t[0] * f * x * ea, t[0] * f * x * ec]
        elif mode == "sum":
            rows.append(t[0] * f * x * (ea - ec))
        return np.array(rows)

    return params, current, gradient


def _symmetric_bv(temperature_k: float, n: int, mode: str, scale: float) -> Builder:
    if mode == "free":
        raise DataError(
            "a symmetric cell cannot separate α_a from α_c (swapping them gives the same curve): use "
            "alpha='sum' (α_a + α_c = n, fits α_a·α_c) or alpha='half'"
        )
    f = inverse_thermal_voltage(temperature_k)
    params: tuple[LawParameter, ...] = (_i0(scale),)
    if mode == "sum":
        params += (
            LawParameter("alpha_product", "1", 0.01, n * n / 4.0, False, f"α_a·α_c with α_a + α_c = {n}"),
        )

    def current(x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        aa, ac = _alphas(mode, n, t, True)
        big = f * x
        ln_u, d_ln_u = symmetric_stripping_log(big, aa, ac)
        i = t[0] * (np.expm1(np.clip(aa * ln_u, None, 700.0)) - np.expm1(np.clip(-ac * ln_u, None, 700.0)))
        return i, t[0] * f * (aa * _exp(aa * ln_u) + ac * _exp(-ac * ln_u)) * d_ln_u

    def gradient(x: FloatArray, t: FloatArray, i: FloatArray) -> FloatArray:
        rows = [i / t[0]]
        if mode == "sum":
            rows.append(_central_differences(lambda p: current(x, p)[0], t, params, only=(1,))[0])
        return np.array(rows)

    return params, current, gradient


def _bv_limited_single(
    temperature_k: float, n: int, mode: str, scale: float, branches: tuple[str, ...]
) -> Builder:
    base, _, _ = _single_bv(temperature_k, n, mode, scale)
    extra: tuple[LawParameter, ...] = ()
    if "cathodic" in branches:
        extra += (_limit("i_lim", "cathodic limiting current density", scale),)
    if "anodic" in branches:
        extra += (_limit("i_lim_anodic", "anodic limiting current density", scale),)
    k = len(base)

    def evaluate(x: FloatArray, t: FloatArray) -> FloatArray:
        aa, ac = _alphas(mode, n, t, False)
        limits = dict(zip((p.name for p in extra), t[k:], strict=True))
        return _butler_volmer_limited(
            x, t[0], aa, ac, limits.get("i_lim", np.inf), limits.get("i_lim_anodic", np.inf), temperature_k
        )

    def current(x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        h = 1e-7
        return evaluate(x, t), (evaluate(x + h, t) - evaluate(x - h, t)) / (2.0 * h)

    return base + extra, current, None


def _concentration_series(temperature_k: float, index: int, t_plus: float | None) -> Callable:
    f = inverse_thermal_voltage(temperature_k)

    def series(i: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        i_lim = t[index]
        tp = t[index + 1] if t_plus is None else t_plus
        ratio = i / i_lim
        with np.errstate(divide="ignore"):
            slope = np.where(
                np.abs(ratio) < 1.0, 4.0 * (1.0 - tp) / (f * i_lim * (1.0 - ratio * ratio)), np.inf
            )
        return concentration_overpotential(i, i_lim, tp, temperature_k), slope

    return series


def _marcus(temperature_k: float, cell: str, model: str, scale: float) -> Builder:
    f = inverse_thermal_voltage(temperature_k)
    params = (_i0(scale), LawParameter("lambda_ev", "eV", 0.03, 5.0, True, "reorganization energy λ"))
    half = 0.5 if cell == "symmetric" else 1.0
    per_ev = 1.0 / (BOLTZMANN_EV * temperature_k)

    if model == "mhc":

        def current(x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
            value, slope, _ = mhc_normalised_current(f * half * x, reduced_lambda(t[1], temperature_k))
            return t[0] * value, t[0] * slope * f * half

        def gradient(x: FloatArray, t: FloatArray, i: FloatArray) -> FloatArray:
            _, _, by_lambda = mhc_normalised_current(f * half * x, reduced_lambda(t[1], temperature_k))
            return np.array([i / t[0], t[0] * by_lambda * per_ev])

        return params, current, gradient

    law = marcus_hush_current if model == "mh" else mhc_current_approx

    def explicit(x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        h = 1e-7
        slope = law(half * (x + h), t[0], t[1], temperature_k) - law(
            half * (x - h), t[0], t[1], temperature_k
        )
        return law(half * x, t[0], t[1], temperature_k), slope / (2.0 * h)

    return params, explicit, None


@checked
def make_law(
    model: str,
    cell: str,
    *,
    temperature_k: float,
    n_electrons: int = 1,
    alpha: str | None = None,
    current_scale: float = 1.0,
    limited_branches: tuple[str, ...] = ("cathodic",),
    t_plus: float | None = None,
) -> Law:
    """Build the law for ``model`` on a ``cell``.

    ``alpha`` defaults to ``"free"`` for a single interface and ``"sum"`` for a symmetric cell;
    ``current_scale`` (a typical current, e.g. the largest measured) sets the search bounds of i₀ and
    limiting currents; ``limited_branches`` says which limiting currents a single-interface
    ``bv-limited`` law has; ``t_plus`` fixes the transference number of a symmetric ``bv-limited`` law
    (fitted when ``None``).
    """
    if model not in MODELS:
        raise DataError(f"unknown kinetic model {model!r}; known: {', '.join(MODELS)}")
    if cell not in ("single", "symmetric"):
        raise DataError(f"cell must be 'single' or 'symmetric', got {cell!r}")
    mode = alpha or ("sum" if cell == "symmetric" else "free")
    if mode not in ("free", "sum", "half"):
        raise DataError(f"alpha must be 'free', 'sum' or 'half', got {mode!r}")
    series = None
    fixed: tuple[tuple[str, float], ...] = ()
    if model == "bv":
        builder = _symmetric_bv if cell == "symmetric" else _single_bv
        params, current, gradient = builder(temperature_k, n_electrons, mode, current_scale)
    elif model == "bv-limited" and cell == "single":
        params, current, gradient = _bv_limited_single(
            temperature_k, n_electrons, mode, current_scale, limited_branches
        )
    elif model == "bv-limited":
        params, kinetic, kinetic_gradient = _symmetric_bv(temperature_k, n_electrons, mode, current_scale)
        k = len(params)
        params += (_limit("i_lim", "limiting current density of the electrolyte", current_scale),)
        if t_plus is None:
            params += (LawParameter("t_plus", "1", 0.0, 0.99, False, "cation transference number"),)
        else:
            fixed = (("t_plus", float(t_plus)),)
        series = _concentration_series(temperature_k, k, t_plus)

        def current(x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
            return kinetic(x, t[:k])

        def gradient(x: FloatArray, t: FloatArray, i: FloatArray) -> FloatArray:
            return np.vstack([kinetic_gradient(x, t[:k], i), np.zeros((len(t) - k, x.size))])
    else:
        params, current, gradient = _marcus(temperature_k, cell, model, current_scale)
        mode = "marcus"
    return Law(model, cell, params, temperature_k, n_electrons, mode, current, gradient, series, fixed)
