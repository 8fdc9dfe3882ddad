"""Coulombic efficiency of half cells (Na | Cu, Na | Al) and of cells with an intercalation electrode.

The charge of a half-cycle is ∫|I| dt over every step under current of its sign until the current
reverses (rests ignored): its constant-current step, a following taper (constant-voltage) step, a ramp or
any varying-current part; ``half_cycles`` in the per-cycle entries count these direction blocks.

* **plain** cycling: each cycle plates Q_p onto the substrate and strips to a voltage cut-off;
  CE = Q_s / Q_p per cycle (for an intercalation electrode: discharge / charge of a charge-first cycle).
* **reservoir** (Adams, Zheng, Ren, Xu, Zhang, Adv. Energy Mater. 2018, 8, 1702097): plate a reservoir
  Q_T, cycle n times at Q_C < Q_T without reaching the cut-off, then strip everything (Q_S):
  CE_avg = (Σ Q_C,stripped + Q_S) / (Q_T + Σ Q_C,plated).

**Partial half-cycles.** A record can start or end inside a half-cycle (an export that begins mid-charge,
a run stopped before the last strip): the first or last half-cycle then holds only part of its charge and
its cycle's CE is meaningless (5.6 for an Arbin export that starts after most of the first charge).
:func:`partial_blocks` flags the first or last half-cycle whose charge falls short of the median of the
other half-cycles of its direction by more than max(10 %, 3 robust standard deviations of them) — a
half-cycle in the middle is bounded by others and was recorded whole.  The last half-cycle is also partial
when it stops short of the voltage cut-off that ends most of the other half-cycles of its direction (a
half cell's strip cut by the end of the file, however much it holds), and when it reaches the cut-off with
that short a charge (the test stopped at a voltage limit: a safety stop or a failing cell).  Plain-protocol
cycles with a partial half-cycle are listed with the reason and left out of both averages.

``protocol="auto"`` calls the record a reservoir test when its first stripping half-cycles do not reach
the cut-off (they end by time or capacity), the last one does, and the first plating is at least 1.2 × the
median of the later ones; otherwise plain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .._typing import FloatArray

CEProtocol = Literal["auto", "plain", "reservoir"]


@dataclass(frozen=True)
class CoulombicEfficiency:
    """Per-cycle and average Coulombic efficiency (fractions, not %)."""

    protocol: str
    decided_by: str
    definition: str
    cycles: list[dict[str, Any]] = field(default_factory=list)
    average: float | None = None
    average_excluding_first: float | None = None
    excluded: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "decided_by": self.decided_by,
            "definition": self.definition,
            "average": self.average,
            "average_excluding_first": self.average_excluding_first,
            "excluded_from_averages": self.excluded,
            "per_cycle": self.cycles,
        }


def partial_blocks(
    sign: np.ndarray,
    charge: FloatArray,
    at_cutoff: np.ndarray,
    *,
    names: Mapping[int, str],
    unit: str = "mAh cm⁻²",
) -> dict[int, str]:
    """Half-cycles (direction blocks) the record holds only part of → the reason (see the module notes).

    ``sign``/``charge``/``at_cutoff`` per block in record order; ``names`` maps a sign to its direction name.
    """
    out: dict[int, str] = {}
    n = sign.size
    for k, edge in ((0, "starts"), (n - 1, "ends")):
        if n < 2 or k in out:
            continue
        same = (sign == sign[k]) & (np.arange(n) != k)
        others = charge[same]
        if others.size == 0:
            continue
        name = names[int(sign[k])]
        median = float(np.median(others))
        spread = 1.4826 * float(np.median(np.abs(others - median))) / median if median > 0 else 0.0
        tolerance = max(0.10, 3 * spread)
        short = median > 0 and charge[k] < (1 - tolerance) * median
        held = (
            f"holds {charge[k]:.4g} {unit}, {100 * charge[k] / median:.0f} % of the median {median:.4g} {unit} "
            f"of the other {others.size} {name} half-cycle(s)"
            if median > 0
            else f"holds {charge[k]:.4g} {unit}"
        )
        which = "first" if k == 0 else "last"
        cut_others = int(np.count_nonzero(at_cutoff[same]))
        if edge == "ends" and not at_cutoff[k] and 2 * cut_others >= others.size:
            out[k] = (
                f"the last half-cycle of the record ({name}) stops short of the voltage cut-off that ends "
                f"{cut_others} of the other {others.size} {name} half-cycle(s) and {held}: partial — the "
                "record ends during it"
            )
        elif short and edge == "ends" and at_cutoff[k]:
            out[k] = (
                f"the last half-cycle of the record ({name}) reaches the voltage cut-off but {held}: cut "
                "short — the test stopped at a voltage limit (a safety stop or a failing cell)"
            )
        elif short:
            out[k] = (
                f"the {which} half-cycle of the record ({name}) {held}: partial — the record {edge} during it"
                + (", or the cell was not fully charged or discharged before it" if k == 0 else "")
            )
    return out


def coulombic_efficiency(
    sign: np.ndarray,
    charge_mah_cm2: FloatArray,
    at_cutoff: np.ndarray,
    *,
    first_sign: int,
    names: tuple[str, str],
    protocol: CEProtocol = "auto",
    partial: Mapping[int, str] | None = None,
) -> CoulombicEfficiency | None:
    """CE from the half-cycle signs, charges (mAh cm⁻², tapers included) and cut-off flags.

    ``first_sign`` is the sign of the half-cycle that puts charge in (−1 plating onto Cu, +1 charge of an
    intercalation electrode); ``names`` are (in, out) direction names for the definition text; ``partial``
    (block index → reason, :func:`partial_blocks`) marks half-cycles whose cycles stay out of the averages.
    """
    partial = partial or {}
    into, out = names
    takes_out = sign == -first_sign
    outs = np.flatnonzero(takes_out)
    if outs.size == 0 or not np.any(sign == first_sign):
        return None
    chosen = protocol
    decided = f"given: protocol={protocol!r}"
    if protocol == "auto":
        ins = np.flatnonzero(sign == first_sign)
        reservoir = (
            outs.size >= 3
            and not at_cutoff[outs[:-1]].any()
            and bool(at_cutoff[outs[-1]])
            and ins.size >= 3
            and charge_mah_cm2[ins[0]] >= 1.2 * float(np.median(charge_mah_cm2[ins[1:]]))
        )
        chosen = "reservoir" if reservoir else "plain"
        decided = (
            "auto: the first plating is a reservoir (≥ 1.2 × the later ones), the cycles end by capacity "
            "and only the final strip reaches the cut-off"
            if reservoir
            else f"auto: every {out} is paired with the {into} before it"
        )
    if chosen == "reservoir":
        ins = np.flatnonzero(sign == first_sign)
        q_t = float(charge_mah_cm2[ins[0]])
        q_s = float(charge_mah_cm2[outs[-1]])
        cycled_out = float(charge_mah_cm2[outs[:-1]].sum())
        cycled_in = float(charge_mah_cm2[ins[1:]].sum())
        average = (cycled_out + q_s) / (q_t + cycled_in)
        return CoulombicEfficiency(
            protocol="reservoir",
            decided_by=decided,
            definition="CE_avg = (Σ Q_C,stripped + Q_S) / (Q_T + Σ Q_C,plated) (Adams et al. 2018)",
            cycles=[
                {"q_reservoir_mah_cm2": q_t, "q_final_strip_mah_cm2": q_s, "n_cycles": int(ins.size - 1)}
            ],
            average=average,
        )
    cycles = []
    for h in outs:
        if h == 0 or sign[h - 1] != first_sign:
            continue
        q_in, q_out = float(charge_mah_cm2[h - 1]), float(charge_mah_cm2[h])
        reason = "; ".join(partial[b] for b in (h - 1, h) if b in partial) or None
        cycles.append(
            {
                "cycle": len(cycles),
                "half_cycles": [int(h - 1), int(h)],
                f"q_{into}_mah_cm2": q_in,
                f"q_{out}_mah_cm2": q_out,
                "ce": q_out / q_in if q_in > 0 else None,
                "partial": reason,
            }
        )
    used = [c for c in cycles if c["ce"] is not None and c["partial"] is None]
    values = np.array([c["ce"] for c in used], dtype=float)
    later = np.array([c["ce"] for c in used if c["cycle"] > 0], dtype=float)
    return CoulombicEfficiency(
        protocol="plain",
        decided_by=decided,
        definition=f"CE = Q_{out} / Q_{into} per cycle ({into} first); averages are arithmetic means over "
        "the complete cycles (a cycle with a partial half-cycle is left out)",
        cycles=cycles,
        average=float(values.mean()) if values.size else None,
        average_excluding_first=float(later.mean()) if later.size else None,
        excluded=[{"cycle": c["cycle"], "reason": c["partial"]} for c in cycles if c["partial"] is not None],
    )
