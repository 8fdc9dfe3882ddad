"""Synthetic plating/stripping records with known truth, for tests, benchmarks and examples.

A symmetric Na | electrolyte | Na cell (``cell="symmetric"``) is cycled at constant current density:
half-cycles of alternating sign, each ``half_cycle_h`` long (or ``capacity_mah_cm2`` / |j| long).  During a
half-cycle the cell voltage is, with the sign of the current,

    |U|(τ) = η_p · (1 + tilt · (τ − ½)) + spike(t − t0) + noise,         τ = (t − t0)/duration,

where the plateau η_p = R_app(t0) · |j| follows an apparent resistance R_app that grows linearly in time
(``growth_mv_per_100h`` at the first current level), so the median |U| over the middle half of the
half-cycle (the analysis's definition) is η_p exactly up to noise.  Every half-cycle starts at the ohmic step, ``ir_fraction`` · η_p, and
charges to the plateau with time constant ``charging_s`` (double layer).  The nucleation spike has the shape
of a nucleation transient: the overpotential builds up while no nucleus forms, (1 − e^(−t/τ_r)), and
relaxes as nuclei grow, e^(−t/``spike_tau_s``); τ_r puts its peak at ``tip_s``, scaled to
``nucleation_mv`` there.  The truth's nucleation overpotential is the noise-free tip of |U| in the first
quarter minus η_p where that is positive and the spike has relaxed to < 5 % of its height by the end of
that quarter (None otherwise: a slow transient is no spike).  A short circuit at
``short_h``: ``"hard"`` makes U = R_short·j (ohmic, near zero) until the end; ``"soft"`` collapses |U| to
a few mV with erratic spikes, recovering after ``recover_h`` when given.  A stepped-current (CCD) record
runs ``cycles_per_level`` cycles at each level of ``current_ma_cm2``.

A half cell (``cell="half"``: Na | electrolyte | Cu) plates a fixed capacity onto Cu (negative current,
negative voltage, nucleation spike on every plating) and strips at +|j| until the plated sodium minus
the cycle's loss (Coulombic efficiency ``ce``) is gone; the voltage then rises to ``cutoff_v`` and the
step ends, optionally followed by a constant-voltage hold (``cv_hold_s``: a decaying taper current).
``protocol="reservoir"`` follows Adams et al. (Adv. Energy Mater. 2018, 8, 1702097): plate Q_T, cycle
``n_cycles`` times Q_C = ``reservoir_fraction``·Q_T, strip everything to the cut-off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .._typing import FloatArray
from ..data import MODE_CC, MODE_CV, MODE_REST, CyclingRecord, DCMetadata

_HOUR = 3600.0


@dataclass(frozen=True)
class TrueHalfCycle:
    """Truth of one synthetic half-cycle (times in s, j in mA cm⁻², voltages in mV); ``nucleation_mv`` is
    the noise-free tip of |U| in the first quarter minus the plateau."""

    start_s: float
    end_s: float
    current_ma_cm2: float  # signed: > 0 stripping from the working electrode, < 0 plating onto it
    plateau_mv: float
    nucleation_mv: float | None
    capacity_mah_cm2: float
    nucleation_tip_s: float | None = None  # time of that tip after the start (s)


@dataclass(frozen=True)
class CyclingTruth:
    """What the synthetic record was built from."""

    half_cycles: list[TrueHalfCycle]
    short_s: float | None
    short_kind: str | None
    failing_level_ma_cm2: float | None
    ce: list[float] = field(default_factory=list)
    average_ce: float | None = None
    growth_mv_per_100h: float = 0.0


@dataclass(frozen=True)
class SyntheticCycling:
    """A synthetic record and its truth."""

    record: CyclingRecord
    truth: CyclingTruth


def _rise_time(tip_s: float, decay_s: float) -> float:
    """τ_r of (1 − e^(−t/τ_r)) e^(−t/τ_d) whose peak, τ_r ln(1 + τ_d/τ_r), is at ``tip_s`` (< τ_d)."""
    if not 0 < tip_s < decay_s:
        raise ValueError(f"tip_s={tip_s:g} s must be positive and shorter than spike_tau_s={decay_s:g} s")
    from scipy.optimize import brentq

    return float(brentq(lambda r: r * np.log1p(decay_s / r) - tip_s, 1e-9 * tip_s, tip_s))


def synthetic_cycling(
    *,
    cell: Literal["symmetric", "half"] = "symmetric",
    area_cm2: float = 1.0,
    current_ma_cm2: float | Sequence[float] = 1.0,
    cycles_per_level: int = 1,
    n_cycles: int = 20,
    half_cycle_h: float = 1.0,
    capacity_mah_cm2: float | None = None,
    dt_s: float = 10.0,
    plateau_mv: float = 20.0,
    growth_mv_per_100h: float = 0.0,
    tilt: float = 0.1,
    nucleation_mv: float = 0.0,
    nucleation_first_only: bool = False,
    tip_s: float = 20.0,
    spike_tau_s: float = 120.0,
    ir_fraction: float = 0.5,
    charging_s: float = 3.0,
    noise_mv: float = 0.05,
    rest_s: float = 0.0,
    short_h: float | None = None,
    short_kind: Literal["soft", "hard"] = "hard",
    recover_h: float | None = None,
    r_short_ohm_cm2: float = 0.3,
    first_direction: Literal["stripping", "plating"] = "plating",
    ce: float | Sequence[float] = 0.95,
    protocol: Literal["plain", "reservoir"] = "plain",
    reservoir_fraction: float = 0.2,
    cutoff_v: float = 0.5,
    cv_hold_s: float = 0.0,
    write_mode: bool = False,
    write_current: bool = True,
    seed: int = 0,
) -> SyntheticCycling:
    """Build a synthetic cycling record (see the module docstring); ``write_mode`` stores the control mode
    per point (as BioLogic/Neware/Maccor files do), ``write_current=False`` stores the set current only
    where the cell is under current and marks nothing (the analysis must infer steps from the data)."""
    rng = np.random.default_rng(seed)
    levels = np.atleast_1d(np.asarray(current_ma_cm2, dtype=float))
    stepped = levels.size > 1
    currents = np.repeat(levels, 2 * cycles_per_level) if stepped else np.full(2 * n_cycles, levels[0])
    r_app0 = plateau_mv / levels[0]  # Ω cm²
    growth_r = growth_mv_per_100h / levels[0] / (100 * _HOUR)  # Ω cm² per s
    sign0 = -1.0 if first_direction == "plating" else 1.0
    ce_values = np.resize(np.asarray(ce, dtype=float), n_cycles)

    pieces: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = []
    truth: list[TrueHalfCycle] = []
    t0 = 0.0

    def add(t: FloatArray, u_mv: FloatArray, j: FloatArray, mode: int) -> None:
        pieces.append((t, u_mv, j, np.full(t.size, mode, dtype=float)))

    def rest(t_start: float) -> float:
        if rest_s <= 0:
            return t_start
        t = t_start + np.arange(0.0, rest_s, dt_s)
        add(t, np.zeros(t.size), np.zeros(t.size), MODE_REST)
        return t_start + rest_s

    rise_s = _rise_time(tip_s, spike_tau_s)

    def transient(rel: FloatArray) -> FloatArray:
        """The nucleation transient, 1 at its peak (``tip_s``)."""
        shape = -np.expm1(-rel / rise_s) * np.exp(-rel / spike_tau_s)
        return shape / (-np.expm1(-tip_s / rise_s) * np.exp(-tip_s / spike_tau_s))

    def half_cycle(t_start: float, j: float, duration: float, spike: float, tail_v: float | None) -> float:
        """One constant-current half-cycle from t_start; returns its end time."""
        t = t_start + np.arange(0.0, duration, dt_s)
        tau = (t - t_start) / duration
        rel = t - t_start
        eta = (r_app0 + growth_r * t_start) * abs(j)
        u = eta * (1 + tilt * (tau - 0.5))
        if charging_s > 0:  # ohmic step, then the double layer charges
            u = u * (1 - (1 - ir_fraction) * np.exp(-rel / charging_s))
        if spike > 0:
            u = u + spike * transient(rel)
        if tail_v is not None:  # voltage rise at the end of stripping: the last three points climb to cut-off
            u[-3:] = np.geomspace(max(eta, 1.0), tail_v * 1e3, 4)[1:]
        add(t, np.sign(j) * u, np.full(t.size, j), MODE_CC)
        lead = tau < 0.25
        tip, tip_at = float(u[lead].max() - eta), float(rel[lead][np.argmax(u[lead])])
        has_spike = spike > 0 and tip > 0 and float(transient(np.array(duration / 4))) < 0.05
        # the analysis's definition: tip of |U| in the first quarter minus the plateau median
        spike = tip if has_spike else 0.0
        truth.append(
            TrueHalfCycle(
                t_start,
                t_start + duration,
                j,
                eta,
                spike if has_spike else None,
                abs(j) * duration / _HOUR,
                tip_at if has_spike else None,
            )
        )
        return t_start + duration

    def cv_hold(t_start: float, j: float) -> tuple[float, float]:
        """A constant-voltage hold at the cut-off; returns (end time, its charge in mAh cm⁻²)."""
        if cv_hold_s <= 0:
            return t_start, 0.0
        t = t_start + np.arange(0.0, cv_hold_s, dt_s)
        jt = j * np.exp(-(t - t_start) / (cv_hold_s / 4))
        add(t, np.full(t.size, cutoff_v * 1e3), jt, MODE_CV)
        return t_start + cv_hold_s, float(jt.sum() * dt_s / _HOUR)

    ce_truth: list[float] = []
    average_ce = None
    if cell == "symmetric":
        for k, j_abs in enumerate(currents):
            sign = sign0 if k % 2 == 0 else -sign0
            duration = half_cycle_h * _HOUR if capacity_mah_cm2 is None else capacity_mah_cm2 / j_abs * _HOUR
            spike = nucleation_mv if (not nucleation_first_only or k < 2) else 0.0
            t0 = half_cycle(t0, sign * j_abs, duration, spike, None)
            t0 = rest(t0)
    else:
        j_abs = levels[0]
        q_plate = capacity_mah_cm2 if capacity_mah_cm2 is not None else j_abs * half_cycle_h
        duration = q_plate / j_abs * _HOUR
        if protocol == "plain":
            for k in range(n_cycles):
                spike = nucleation_mv if (not nucleation_first_only or k == 0) else 0.0
                t0 = rest(half_cycle(t0, -j_abs, duration, spike, None))
                t0, q_hold = cv_hold(half_cycle(t0, j_abs, duration * ce_values[k], 0.0, cutoff_v), j_abs)
                t0 = rest(t0)
                ce_truth.append(float(ce_values[k]) + q_hold / q_plate)  # the hold strips sodium too
            average_ce = float(np.mean(ce_truth))
        else:
            q_c = reservoir_fraction * q_plate
            d_c = q_c / j_abs * _HOUR
            t0 = rest(half_cycle(t0, -j_abs, duration, nucleation_mv, None))
            loss = 0.0
            for k in range(n_cycles):
                t0 = rest(half_cycle(t0, j_abs, d_c, 0.0, None))
                t0 = rest(half_cycle(t0, -j_abs, d_c, 0.0, None))
                loss += (1 - ce_values[k]) * q_c  # inactive sodium: shows only in the final strip
            q_s = q_plate - loss
            t0, q_hold = cv_hold(half_cycle(t0, j_abs, q_s / j_abs * _HOUR, 0.0, cutoff_v), j_abs)
            average_ce = (n_cycles * q_c + q_s + q_hold) / (n_cycles * q_c + q_plate)

    t = np.concatenate([p[0] for p in pieces])
    u_mv = np.concatenate([p[1] for p in pieces])
    j = np.concatenate([p[2] for p in pieces])
    mode = np.concatenate([p[3] for p in pieces]).astype(np.int8)
    u_mv = u_mv + rng.normal(0.0, noise_mv, t.size)

    failing_level = None
    if short_h is not None:
        short_s = short_h * _HOUR
        after = t >= short_s
        if recover_h is not None:
            after &= t < (short_h + recover_h) * _HOUR
        under_current = after & (j != 0)
        if short_kind == "hard":
            u_mv[under_current] = r_short_ohm_cm2 * j[under_current] + rng.normal(
                0.0, 0.02, int(under_current.sum())
            )
        else:
            n = int(under_current.sum())
            level = 2.0 * np.sign(j[under_current]) + rng.normal(0.0, 0.6, n)
            spikes = rng.random(n) < 0.04
            eta = (r_app0 + growth_r * t[under_current]) * np.abs(j[under_current])
            level[spikes] = (
                np.sign(j[under_current][spikes]) * eta[spikes] * rng.uniform(0.3, 0.9, spikes.sum())
            )
            u_mv[under_current] = level
        u_mv[after & (j == 0)] = 0.0
        if stepped:
            failing_level = float(currents[np.searchsorted([h.start_s for h in truth], short_s, "right") - 1])
    else:
        short_s = None

    current_a = j * 1e-3 * area_cm2
    meta = DCMetadata(
        source=None,
        format="synthetic",
        technique="CP",
        area_cm2=area_cm2,
        reference="cell voltage",
        extra={"current_source": "file", "current_convention": "anodic positive (synthetic)"},
    )
    record = CyclingRecord(
        potential_v=u_mv * 1e-3,
        current_a=current_a if write_current else np.where(mode == MODE_REST, 0.0, current_a),
        time_s=t,
        mode=mode if write_mode else None,
        metadata=meta,
    )
    info: dict[str, Any] = {
        "half_cycles": truth,
        "short_s": short_s,
        "short_kind": short_kind if short_h is not None else None,
        "failing_level_ma_cm2": failing_level,
        "ce": ce_truth,
        "average_ce": average_ce,
        "growth_mv_per_100h": growth_mv_per_100h,
    }
    return SyntheticCycling(record, CyclingTruth(**info))
