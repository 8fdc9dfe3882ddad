"""Synthetic polarization sweeps with known truth, for tests, benchmarks and the examples.

Built from the pure current functions of :mod:`.models` and :mod:`.marcus` and the implicit solver, not
from the fitting laws, so that fits of these sweeps are an independent check of the laws.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._checks import checked, positive
from .._typing import FloatArray
from ..constants import T_ROOM
from ..data import DCMetadata, DCRecord
from ..exceptions import ArgumentError, DataError
from .marcus import marcus_hush_current, mhc_current
from .models import butler_volmer, butler_volmer_limited, concentration_overpotential, symmetric_cell_current
from .solver import solve_kinetic_voltage


def kinetic_current_function(
    model: str,
    cell: str,
    *,
    i0: float,
    alpha_a: float = 0.5,
    alpha_c: float = 0.5,
    lambda_ev: float | None = None,
    i_lim: float | None = None,
    i_lim_anodic: float | None = None,
    temperature_k: float = T_ROOM,
) -> Callable[[FloatArray], FloatArray]:
    """Faradaic current as a function of kinetic voltage (η, or V_kin for a symmetric cell)."""
    symmetric = cell == "symmetric"
    if model == "bv" or (model == "bv-limited" and symmetric):
        if symmetric:
            return lambda x: symmetric_cell_current(x, i0, alpha_a, alpha_c, temperature_k)
        return lambda x: butler_volmer(x, i0, alpha_a, alpha_c, temperature_k)
    if model == "bv-limited":
        lim_c = np.inf if i_lim is None else i_lim
        lim_a = np.inf if i_lim_anodic is None else i_lim_anodic
        return lambda x: butler_volmer_limited(x, i0, alpha_a, alpha_c, lim_c, lim_a, temperature_k)
    if model in ("mhc", "mh"):
        if lambda_ev is None:
            raise DataError(f"model {model!r} needs lambda_ev")
        law = mhc_current if model == "mhc" else marcus_hush_current
        half = 0.5 if symmetric else 1.0
        return lambda x: law(half * x, i0, lambda_ev, temperature_k)
    raise DataError(f"unknown model {model!r}")


@checked
def triangular_sweep(
    v_min: float, v_max: float, step_v: float = 1e-3, both_directions: bool = True
) -> FloatArray:
    """Potentials of a sweep v_min → v_max (and back when ``both_directions``), one point per ``step_v``
    (at most 10⁷ points)."""
    positive(step_v, "step_v")
    if not v_min < v_max:
        raise ArgumentError(f"v_min = {v_min:g} V must be below v_max = {v_max:g} V")
    points = (v_max - v_min) / step_v
    if not points <= 1e7:
        raise ArgumentError(
            f"{v_min:g} to {v_max:g} V in steps of {step_v:g} V is {points:.3g} points (at most 1e7)"
        )
    up = np.arange(v_min, v_max + 0.5 * step_v, step_v)
    return np.concatenate([up, up[-2::-1]]) if both_directions else up


@checked
def synthetic_sweep(
    model: str = "bv",
    cell: str = "symmetric",
    *,
    i0: float,
    potential_v: FloatArray,
    alpha_a: float = 0.5,
    alpha_c: float = 0.5,
    lambda_ev: float | None = None,
    i_lim: float | None = None,
    i_lim_anodic: float | None = None,
    t_plus: float | None = None,
    r_ohm: float = 0.0,
    v0: float = 0.0,
    capacitance: float = 0.0,
    scan_rate_v_s: float = 0.01,
    hysteresis_ln: float = 0.0,
    temperature_k: float = T_ROOM,
    area_cm2: float = 1.0,
    noise_abs: float = 0.0,
    noise_rel: float = 0.0,
    rng: np.random.Generator | None = None,
    source: str | None = None,
) -> DCRecord:
    """A sweep at ``potential_v`` (V, in time order) with the given truth, as a :class:`DCRecord`.

    Current densities (``i0``, ``i_lim``, ``noise_abs``) are in A cm⁻² and become currents with
    ``area_cm2``; ``r_ohm`` in Ω cm²; ``capacitance`` in F cm⁻² (i_C = C·dV/dt); ``hysteresis_ln``
    multiplies i₀ by e^(+h/2) on rising and e^(−h/2) on falling potential; noise is Gaussian with
    σ² = noise_abs² + (noise_rel·i)².
    """
    v = np.asarray(potential_v, dtype=float)
    direction = np.sign(np.gradient(v))
    direction[direction == 0] = 1.0
    dvdt = direction * scan_rate_v_s
    steps = np.abs(np.diff(v, prepend=v[0]))
    time_s = np.cumsum(steps) / scan_rate_v_s
    current = np.empty_like(v)
    concentration = model == "bv-limited" and cell == "symmetric"
    if concentration and (i_lim is None or t_plus is None):
        raise DataError("a symmetric bv-limited sweep needs i_lim and t_plus")
    for sign in (1.0, -1.0):
        mask = direction == sign
        if not mask.any():
            continue
        scaled_i0 = i0 * np.exp(sign * hysteresis_ln / 2.0)
        law = kinetic_current_function(
            model,
            cell,
            i0=scaled_i0,
            alpha_a=alpha_a,
            alpha_c=alpha_c,
            lambda_ev=lambda_ev,
            i_lim=i_lim,
            i_lim_anodic=i_lim_anodic,
            temperature_k=temperature_k,
        )

        def current_and_slope(
            x: FloatArray, law: Callable[[FloatArray], FloatArray] = law
        ) -> tuple[FloatArray, FloatArray]:
            h = 1e-7
            return law(x), (law(x + h) - law(x - h)) / (2.0 * h)

        def series(i: FloatArray) -> tuple[FloatArray, FloatArray]:
            if not concentration:
                return r_ohm * i, np.full_like(i, r_ohm)
            h = 1e-9 * float(i_lim)
            extra = concentration_overpotential(i, i_lim, t_plus, temperature_k)
            slope = (
                concentration_overpotential(i + h, i_lim, t_plus, temperature_k)
                - concentration_overpotential(i - h, i_lim, t_plus, temperature_k)
            ) / (2.0 * h)
            return r_ohm * i + extra, r_ohm + slope

        i_cap = capacitance * dvdt[mask]
        w = v[mask] - v0 - r_ohm * i_cap
        if r_ohm == 0.0 and not concentration:
            x = w
        else:
            with np.errstate(all="ignore"):
                x = solve_kinetic_voltage(w, current_and_slope, series)
        current[mask] = law(x) + i_cap
    if noise_abs or noise_rel:
        if rng is None:
            raise DataError("noise needs an explicit rng (np.random.default_rng(seed))")
        current = current + np.hypot(noise_abs, noise_rel * current) * rng.standard_normal(current.size)
    metadata = DCMetadata(
        source=source,
        format="synthetic",
        technique="CV" if (direction < 0).any() else "LSV",
        scan_rate_v_s=scan_rate_v_s,
        area_cm2=area_cm2,
        temperature_k=temperature_k,
        reference="cell voltage" if cell == "symmetric" else "overpotential",
    )
    return DCRecord(potential_v=v, current_a=current * area_cm2, time_s=time_s, metadata=metadata)
