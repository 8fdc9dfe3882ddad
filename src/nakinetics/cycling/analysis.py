"""``analyse_cycling``: a cycling record → half-cycles, short circuit, CCD, Coulombic efficiency, summary.

The steps, each a function of its own module: signed current (:mod:`.protocol`, only for records whose
current came from the caller), steps (:mod:`.segmentation`), per-half-cycle numbers
(:mod:`.overpotentials`), cell kind, short circuit (:mod:`.shorts`), CCD (:mod:`.ccd`), Coulombic
efficiency (:mod:`.efficiency`), growth, life and ASR (:mod:`.summary`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .._checks import checked, measured_electrical
from .._repr import compact_repr
from ..data import CyclingRecord
from ..exceptions import DataError
from ..fitting import FitResult
from ..kinetics.analysis import placeholder_area
from .ccd import CCDConvention, CriticalCurrentDensity, critical_current_density, current_levels
from .efficiency import CEProtocol, CoulombicEfficiency, coulombic_efficiency, partial_blocks
from .overpotentials import NUCLEATION_REASONS, HalfCycleArrays, half_cycle_arrays, step_charge
from .protocol import CONVENTION_ASSUMED, current_from_protocol, protocol_checks
from .segmentation import CC, Steps, rest_threshold, segment
from .shorts import ShortCircuit, detect_short
from .summary import Growth, eis_asr, growth_rate

CellKind = Literal["auto", "symmetric", "half", "other"]
CELL_KINDS: tuple[str, ...] = ("auto", "symmetric", "half", "other")
Progress = Callable[[float, str], None]
AREA_RANGE_CM2 = (1e-9, 1e9)
"""Electrode areas accepted (cm²): 1e-9 cm² is a 0.3 µm microelectrode, 1e9 cm² a 10 ha cell."""

SIGN_CONVENTION = (
    "current anodic positive at the working electrode (the cycler's positive lead): I > 0 oxidises it "
    "(Na stripping from it, or charge of an intercalation electrode), I < 0 reduces it (Na plating onto it, "
    "or discharge); direction follows the sign of the current of each half-cycle"
)
DEFINITIONS = {
    "overpotential_mv": "plateau overpotential η_p: median |U| over the middle half of the half-cycle "
    "(t0 + D/4 … t0 + 3D/4), whole cell (both interfaces + electrolyte); q25/q75: its spread",
    "nucleation_overpotential_mv": "η_n = max |U| in the first quarter minus η_p, only when the start has "
    "the nucleation shape: a peak > max(0.5 mV, 5σ) above η_p, back within 25 % of that rise by the end "
    "of the quarter; null otherwise, with nucleation_note saying why",
    "end_voltage_mv": "U at the last point of the constant-current step (signed)",
    "capacity_mah_cm2": "∫|I| dt of the constant-current step / area; taper_capacity: a following "
    "constant-voltage step of the same sign",
    "asr_cell_ohm_cm2": "DC ASR = η_p / |j| (whole cell)",
    "times": "h on the record's clock",
}


@dataclass(frozen=True)
class HalfCycle:
    """One half-cycle, as reported (see :data:`DEFINITIONS`)."""

    index: int
    cycle: int
    direction: str
    start_h: float
    end_h: float
    current_density_ma_cm2: float
    capacity_mah_cm2: float
    taper_capacity_mah_cm2: float
    overpotential_mv: float | None
    overpotential_q25_mv: float | None
    overpotential_q75_mv: float | None
    plateau_voltage_mv: float
    nucleation_overpotential_mv: float | None
    nucleation_tip_s: float | None
    nucleation_note: str | None
    end_voltage_mv: float
    ended_at_cutoff: bool
    asr_cell_ohm_cm2: float | None
    partial: str | None = None  # why the record holds only part of it (see efficiency.partial_blocks)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CyclingResult:
    """Everything :func:`analyse_cycling` finds; ``to_dict()`` is the JSON record of the CLI."""

    __repr__ = compact_repr

    record: CyclingRecord
    area_cm2: float
    cell: str
    cell_decided_by: str
    direction_rule: str
    steps: Steps
    arrays: HalfCycleArrays
    cycle: np.ndarray
    taper_charge_as: np.ndarray
    at_cutoff: np.ndarray
    short_circuit: ShortCircuit | None
    ccd: CriticalCurrentDensity | None
    coulombic_efficiency: CoulombicEfficiency | None
    growth: Growth | None
    life_h: float
    life_ended_by: str
    eis: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    signed_current_a: np.ndarray | None = None
    partial: dict[int, str] = field(default_factory=dict)  # half-cycle index → why it is partial

    @property
    def current_a(self) -> np.ndarray:
        """The signed current the analysis used (A): the record's, or the one rebuilt from the protocol."""
        return self.record.current_a if self.signed_current_a is None else self.signed_current_a

    @property
    def n_half_cycles(self) -> int:
        return int(self.arrays.start.size)

    def direction(self, sign: int) -> str:
        if self.cell == "other":
            return "charge" if sign > 0 else "discharge"
        return "stripping" if sign > 0 else "plating"

    @property
    def overpotentials_valid(self) -> bool:
        """False for a cell whose voltage does not follow its current (full cell, cathode vs Na)."""
        return self.cell != "other"

    @property
    def current_density_ma_cm2(self) -> np.ndarray:
        return self.arrays.current_a / self.area_cm2 * 1e3

    @property
    def dc_asr_ohm_cm2(self) -> np.ndarray:
        return self.arrays.plateau_mv / self.current_density_ma_cm2

    @property
    def half_cycles(self) -> list[HalfCycle]:
        a, valid = self.arrays, self.overpotentials_valid
        j = self.current_density_ma_cm2
        cap = a.charge_as / 3.6 / self.area_cm2
        taper = self.taper_charge_as / 3.6 / self.area_cm2
        nuc = a.nucleation_mv
        notes = self._nucleation_notes()
        out = []
        for h in range(a.start.size):
            has_nuc = notes[h] is None
            out.append(
                HalfCycle(
                    index=h,
                    cycle=int(self.cycle[h]),
                    direction=self.direction(int(a.sign[h])),
                    start_h=float(a.start_s[h] / 3600),
                    end_h=float(a.end_s[h] / 3600),
                    current_density_ma_cm2=float(j[h]),
                    capacity_mah_cm2=float(cap[h]),
                    taper_capacity_mah_cm2=float(taper[h]),
                    overpotential_mv=float(a.plateau_mv[h]) if valid else None,
                    overpotential_q25_mv=float(a.q25_mv[h]) if valid else None,
                    overpotential_q75_mv=float(a.q75_mv[h]) if valid else None,
                    plateau_voltage_mv=float(a.plateau_signed_mv[h]),
                    nucleation_overpotential_mv=float(nuc[h]) if has_nuc else None,
                    nucleation_tip_s=float(a.tip_s[h]) if has_nuc else None,
                    nucleation_note=notes[h],
                    end_voltage_mv=float(a.end_mv[h]),
                    ended_at_cutoff=bool(self.at_cutoff[h]),
                    asr_cell_ohm_cm2=float(a.plateau_mv[h] / j[h]) if valid else None,
                    partial=self.partial.get(h),
                )
            )
        return out

    def _nucleation_notes(self) -> list[str | None]:
        """Per half-cycle: None where η_n is reported, else why not.  A start spike is a nucleation
        overpotential in every half-cycle of a symmetric cell (one electrode plates in each) and in the
        platings of a half cell; it must have the nucleation shape (:data:`.overpotentials.NUCLEATION_REASONS`)
        and come before any short circuit."""
        a = self.arrays
        if self.cell == "other":
            return ["the cell voltage does not follow its current: no overpotentials"] * self.n_half_cycles
        short = self.short_circuit
        notes: list[str | None] = []
        for h in range(self.n_half_cycles):
            if self.cell == "half" and a.sign[h] > 0:
                notes.append("stripping from the working electrode: nothing nucleates on it")
            elif (
                short is not None and (a.start_s[h] + a.tip_s[h]) / 3600 >= short.time_h - short.uncertainty_h
            ):
                notes.append("after the short circuit: a spike is noise, not nucleation")
            elif a.spike[h]:
                notes.append(None)
            else:
                reason = NUCLEATION_REASONS[int(a.spike_reason[h])]
                notes.append(reason.format(threshold=float(a.spike_threshold_mv[h])))
        return notes

    def dc_asr(self) -> dict[str, Any] | None:
        """DC ASR summary (first half-cycle, median before any short), per interface for a symmetric cell."""
        if not self.overpotentials_valid or self.n_half_cycles == 0:
            return None
        asr = self.dc_asr_ohm_cm2
        stop = self.short_circuit.half_cycle if self.short_circuit else asr.size
        healthy = asr[: max(stop, 1)]
        out: dict[str, Any] = {
            "cell_first_half_cycle_ohm_cm2": float(asr[0]),
            "cell_median_ohm_cm2": float(np.median(healthy)),
            "definition": DEFINITIONS["asr_cell_ohm_cm2"] + "; median over the half-cycles before any short",
        }
        if self.cell == "symmetric":
            ohmic = None
            if self.eis is not None and self.eis.get("ohmic_asr_ohm_cm2"):
                ohmic = self.eis["ohmic_asr_ohm_cm2"]["value"]
            if ohmic is not None:
                first, median = float((asr[0] - ohmic) / 2), float((np.median(healthy) - ohmic) / 2)
                impossible = min(first, median) < 0
                out["per_interface_first_half_cycle_ohm_cm2"] = None if impossible else first
                out["per_interface_median_ohm_cm2"] = None if impossible else median
                out["per_interface_definition"] = (
                    f"(η_p − |j|·ASR_Ω)/(2|j|) with ASR_Ω = {ohmic:.4g} Ω cm² from the impedance fit"
                )
                if impossible:
                    out["per_interface_refused"] = (
                        f"the EIS ohmic ASR {ohmic:.4g} Ω cm² exceeds the cell's DC ASR η_p/|j| "
                        f"({float(asr[0]):.4g} Ω cm² first, {float(np.median(healthy)):.4g} median), which "
                        "includes it: the per-interface DC ASR would be negative — the spectrum is of another "
                        "cell or state, its area differs, or its fit's ohmic part is wrong"
                    )
            else:
                out["per_interface_first_half_cycle_ohm_cm2"] = float(asr[0] / 2)
                out["per_interface_median_ohm_cm2"] = float(np.median(healthy) / 2)
                out["per_interface_definition"] = (
                    "η_p/(2|j|): electrolyte ohmic part included (give an impedance spectrum to remove it)"
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        meta = self.record.metadata
        return {
            "file": meta.source,
            "format": meta.format,
            "instrument": meta.instrument,
            "area_cm2": self.area_cm2,
            "cell": self.cell,
            "cell_decided_by": self.cell_decided_by,
            "conventions": {
                "sign": SIGN_CONVENTION,
                "direction_rule": self.direction_rule,
                "current_source": meta.extra.get("current_source", "file"),
                "cell_convention": CONVENTION_ASSUMED
                if self.signed_current_a is not None
                else "read: the sign of the current in the file",
                "file_current_convention": meta.extra.get("current_convention"),
                **DEFINITIONS,
            },
            "steps": self.steps.counts(),
            "n_half_cycles": self.n_half_cycles,
            "half_cycles": [h.to_dict() for h in self.half_cycles],
            "short_circuit": None if self.short_circuit is None else self.short_circuit.to_dict(),
            "ccd": None if self.ccd is None else self.ccd.to_dict(),
            "summary": {
                "overpotential_growth": None if self.growth is None else self.growth.to_dict(),
                "cycling_life_h": self.life_h,
                "cycling_life_ended_by": self.life_ended_by,
                "coulombic_efficiency": None
                if self.coulombic_efficiency is None
                else self.coulombic_efficiency.to_dict(),
                "dc_asr": self.dc_asr(),
                "eis_asr": self.eis,
            },
            "warnings": list(self.warnings),
        }


def _signed_current(record: CyclingRecord, half_cycle_h: float | None) -> tuple[np.ndarray, str, bool]:
    """(signed current, direction rule, rebuilt?) — rebuilt from the protocol when the file had none."""
    assert record.time_s is not None
    source = record.metadata.extra.get("current_source", "file")
    if source == "given":
        magnitude = float(np.max(np.abs(record.current_a)))
        half_s = None if half_cycle_h is None else half_cycle_h * 3600
        current, rule = current_from_protocol(record.time_s, record.potential_v, magnitude, half_s)
        return current, rule, True
    if half_cycle_h is not None:
        raise DataError(
            f"{record.label}: the file has a current column; half_cycle_h is only for time–voltage records "
            "(leave it out)"
        )
    return record.current_a, "sign of the current in the file (reader's anodic-positive convention)", False


def _file_area_placeholder(record: CyclingRecord) -> str | None:
    """What the record's area is when it came from the file and equals the software's default."""
    if record.metadata.extra.get("area_source") == "given":
        return None
    return placeholder_area(record.metadata)


def _check_time(record: CyclingRecord) -> None:
    assert record.time_s is not None
    back = np.flatnonzero(np.diff(record.time_s) < 0)
    if back.size:
        k = int(back[0]) + 1
        raise DataError(
            f"{record.label}: time goes backwards at point {k} ({record.time_s[k - 1]:g} s → {record.time_s[k]:g} s); "
            "expected the total test time (a step-time column restarts at every step)"
        )


def _cell_kind(hc: HalfCycleArrays, requested: str) -> tuple[str, str, np.ndarray]:
    """(cell kind, how decided, cut-off flag per half-cycle)."""
    follows = np.sign(hc.plateau_signed_mv) == hc.sign
    at_cutoff = (np.abs(hc.end_mv) > 3 * hc.plateau_mv) & (np.abs(hc.end_mv) > hc.plateau_mv + 50)
    if requested != "auto":
        return requested, f"given: cell={requested!r}", at_cutoff
    share = float(np.mean(follows))
    if share < 0.8:
        return (
            "other",
            (
                f"auto: the plateau voltage has the sign of the current in only {share:.0%} of the half-cycles "
                "(a full cell or an intercalation electrode vs Na): overpotentials are not computed"
            ),
            at_cutoff,
        )
    strip, plate = hc.sign > 0, hc.sign < 0
    strip_cut = int(np.count_nonzero(at_cutoff[strip]))
    plate_cut = int(np.count_nonzero(at_cutoff[plate]))
    earlier = at_cutoff[strip][:-1]  # the last strip may be cut short by the end of the record
    if strip.any() and plate_cut == 0 and (at_cutoff[strip][-1] or (earlier.size and earlier.mean() >= 0.5)):
        last = (
            "the last included" if at_cutoff[strip][-1] else "the last, which the record cuts short, excepted"
        )
        return (
            "half",
            (
                f"auto: {strip_cut} of {int(strip.sum())} stripping half-cycles ({last}) end at a "
                "voltage cut-off and no plating does (Na | substrate half cell)"
            ),
            at_cutoff,
        )
    if strip.any() and plate.any():
        return (
            "symmetric",
            "auto: the voltage follows the current in both directions (Na | Na symmetric cell)",
            at_cutoff,
        )
    direction = "stripping (positive)" if strip.any() else "plating (negative)"
    return (
        "symmetric",
        (
            f"auto: the current never reverses (all {len(hc.sign)} half-cycles {direction}); the voltage has its "
            f"sign in {share:.0%} of them (taken as a symmetric cell: one direction "
            "cannot tell it from a half cell)"
        ),
        at_cutoff,
    )


def _direction_blocks(
    t: np.ndarray, current: np.ndarray, steps: Steps, cc: np.ndarray, at_cutoff: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sign, charge in A s, ended at cut-off) of each run of steps under current of one sign (rests
    between them ignored): a half-cycle with its taper, ramps and any varying-current part; and the block
    of each constant-current half-cycle."""
    active = np.flatnonzero(steps.sign != 0)
    charge, _ = step_charge(t, current, steps.start[active], steps.stop[active])
    new = np.concatenate(([True], steps.sign[active][1:] != steps.sign[active][:-1]))
    block = np.cumsum(new) - 1
    sums = np.bincount(block, weights=charge)
    signs = steps.sign[active][new].astype(np.int64)
    cutoff = np.zeros(sums.size, dtype=bool)
    block_of_step = np.full(steps.start.size, -1)
    block_of_step[active] = block
    cutoff[block_of_step[cc]] |= at_cutoff  # a block ends at the cut-off when its half-cycle does
    return signs, sums, cutoff, block_of_step[cc]


def _cycle_numbers(sign: np.ndarray, first: int) -> np.ndarray:
    """Cycle index per half-cycle: a new cycle starts at each half-cycle of sign ``first`` that follows
    one of the other sign (the first half-cycle is cycle 0)."""
    starts = np.concatenate(([False], (sign[1:] == first) & (sign[:-1] != first)))
    return np.cumsum(starts)


@checked
def analyse_cycling(
    record: CyclingRecord,
    *,
    area_cm2: float | None = None,
    cell: CellKind = "auto",
    half_cycle_h: float | None = None,
    unidirectional: bool = False,
    ccd_convention: CCDConvention = "failing step",
    voltage_limit_v: float | None = None,
    ce_protocol: CEProtocol = "auto",
    eis_fit: FitResult | None = None,
    progress: Progress | None = None,
) -> CyclingResult:
    """Analyse a plating/stripping (or charge/discharge) record.

    Parameters
    ----------
    record : the record (:func:`nakinetics.io.read_cycling_record`); time in s, U in V, I in A.
    area_cm2 : electrode area (cm²); default the file's, unless that is the software's placeholder
        (EC-Lab's 0.001 cm²), which is refused.
    cell : ``"symmetric"`` (Na | Na), ``"half"`` (Na | Cu or Al, the substrate is the working electrode),
        ``"other"`` (full cell / intercalation electrode: no overpotentials) or ``"auto"``.
    half_cycle_h : half-cycle duration (h) of a time–voltage record whose current came from the caller.
    unidirectional : accept a record whose current never changes sign (one-way polarisation segments).
    ccd_convention : ``"failing step"`` or ``"last stable"``.
    voltage_limit_v : |U| at which a CCD step counts as failed (V), besides shorts and cut-short steps.
    ce_protocol : ``"auto"``, ``"plain"`` or ``"reservoir"`` (half cells).
    eis_fit : a circuit fit of an impedance spectrum of the same cell (ASR beside the DC ASR).
    progress : called with (fraction done, stage name).

    Raises :class:`~nakinetics.exceptions.DataError` (one line naming the record) for records that hold
    no current, only rest, a single half-cycle or a current that never changes sign.
    """
    report = progress or (lambda fraction, stage: None)
    area = record.metadata.area_cm2 if area_cm2 is None else area_cm2
    if area is None or not area > 0:
        raise DataError(f"{record.label}: electrode area unknown; pass area_cm2 (cm²)")
    if not AREA_RANGE_CM2[0] <= area <= AREA_RANGE_CM2[1]:  # beyond, current densities overflow
        raise DataError(
            f"{record.label}: electrode area {area:g} cm² is outside {AREA_RANGE_CM2[0]:g}–"
            f"{AREA_RANGE_CM2[1]:g} cm²; check its value and unit"
        )
    default = None if area_cm2 is not None else _file_area_placeholder(record)
    if default is not None:
        raise DataError(
            f"{record.label}: the file's electrode area {area:g} cm² is {default}, often left unchanged; every "
            "current density and areal capacity scales with it — pass the real area: area_cm2 (cm²)"
        )
    if cell not in CELL_KINDS:
        raise DataError(f"{record.label}: cell={cell!r}; expected one of {', '.join(CELL_KINDS)}")
    _check_time(record)
    measured_electrical(record.label, record.potential_v, record.current_a)
    assert record.time_s is not None
    t, u = record.time_s, record.potential_v
    report(0.05, "current")
    current, rule, rebuilt = _signed_current(record, half_cycle_h)
    if not np.any(np.abs(current) > 0) or rest_threshold(current) == 0:
        raise DataError(
            f"{record.label}: only rest (zero current) in the record; nothing is plated or stripped"
        )
    report(0.15, "segmentation")
    if rebuilt and half_cycle_h is not None:
        from .protocol import segment_bounds

        step_ids = np.zeros(t.size, dtype=np.int64)
        step_ids[segment_bounds(t, u, half_cycle_h * 3600)[1:]] = 1
        steps = segment(current, step=np.cumsum(step_ids), mode=None)
    else:
        steps = segment(current, step=record.step, mode=record.mode)
    cc = np.flatnonzero((steps.kind == CC) & (steps.sign != 0))
    if cc.size == 0:
        raise DataError(
            f"{record.label}: no constant-current half-cycle found (steps: {steps.describe()}); "
            "only rest, taper or varying current"
        )
    if cc.size == 1:
        raise DataError(
            f"{record.label}: only one half-cycle ({'stripping' if steps.sign[cc[0]] > 0 else 'plating'}, "
            f"{(t[steps.stop[cc[0]] - 1] - t[steps.start[cc[0]]]) / 3600:.3g} h); at least two are needed"
        )
    if np.all(steps.sign[cc] == steps.sign[cc[0]]) and not unidirectional:
        raise DataError(
            f"{record.label}: the current never changes sign ({cc.size} half-cycles, all "
            f"{'anodic' if steps.sign[cc[0]] > 0 else 'cathodic'}); not a plating/stripping record — pass "
            "unidirectional=True to analyse one-way segments"
        )
    report(0.35, "half-cycles")
    arrays = half_cycle_arrays(t, u, current, steps.start[cc], steps.stop[cc], steps.level_a[cc])
    taper_charge = np.zeros(cc.size)
    tapers = np.flatnonzero(steps.taper_of >= 0)
    if tapers.size:
        charge, _ = step_charge(t, current, steps.start[tapers], steps.stop[tapers])
        position = np.searchsorted(cc, steps.taper_of[tapers])
        taper_charge[position] = charge
    kind, decided, at_cutoff = _cell_kind(arrays, cell)
    warnings: list[str] = []
    if rebuilt:
        warnings.append(f"the current is not in the file: {rule}")
        warnings += protocol_checks(float(record.current_a[0]), arrays, area)
    report(0.55, "short circuit")
    short = None if kind == "other" else detect_short(t, u, current, arrays, area)
    report(0.75, "critical current density")
    ccd = critical_current_density(
        arrays, area, short, t, u, convention=ccd_convention, voltage_limit_v=voltage_limit_v
    )
    first_sign = -1 if kind in ("half", "symmetric") else 1
    if kind == "symmetric":
        first_sign = int(arrays.sign[0])
    cycles = _cycle_numbers(arrays.sign, first_sign)
    signs, charges, cutoff, block_of_cc = _direction_blocks(t, current, steps, cc, at_cutoff)
    names = ("charge", "discharge") if kind == "other" else ("stripping", "plating")
    partial = partial_blocks(signs, charges / 3.6 / area, cutoff, names={1: names[0], -1: names[1]})
    partial_half = {h: partial[int(b)] for h, b in enumerate(block_of_cc) if int(b) in partial}
    warnings += [f"half-cycle {h}: {reason}" for h, reason in partial_half.items()]
    ce = None
    if kind in ("half", "other"):
        ce = coulombic_efficiency(
            signs,
            charges / 3.6 / area,
            cutoff,
            first_sign=-1 if kind == "half" else 1,
            names=("plating", "stripping") if kind == "half" else ("charge", "discharge"),
            protocol=ce_protocol,
            partial=partial,
        )
        if ce is not None and ce.excluded:
            left_out = ", ".join(str(c["cycle"]) for c in ce.excluded)
            warnings.append(
                f"cycle {left_out} left out of the Coulombic-efficiency averages (partial half-cycle)"
            )
    report(0.9, "summary")
    j_abs = arrays.current_a / area * 1e3
    _, level = current_levels(j_abs)
    healthy = arrays.start.size if short is None else short.half_cycle
    growth = None
    if kind != "other":
        mid_h = 0.5 * (arrays.start_s + arrays.end_s)[:healthy] / 3600
        growth = growth_rate(mid_h, arrays.plateau_mv[:healthy], j_abs[:healthy], level[:healthy])
    start_h = float(arrays.start_s[0] / 3600)
    if short is not None:
        life, ended = short.time_h - start_h, f"{short.kind} short circuit"
    elif ccd is not None and ccd.failure_time_h is not None:
        life, ended = ccd.failure_time_h - start_h, "CCD failure"
    else:
        life, ended = float(arrays.end_s[-1] / 3600) - start_h, "end of record (a lower bound)"
    eis = None
    if eis_fit is not None:
        dc_asr = None
        if kind != "other":
            dc_asr = float(np.median((arrays.plateau_mv / j_abs)[: max(healthy, 1)]))
        eis = eis_asr(eis_fit, area, symmetric=kind == "symmetric", dc_asr_ohm_cm2=dc_asr)
        warnings += eis["notes"]
    report(1.0, "done")
    result = CyclingResult(
        record=record,
        area_cm2=float(area),
        cell=kind,
        cell_decided_by=decided,
        direction_rule=rule,
        steps=steps,
        arrays=arrays,
        cycle=cycles,
        taper_charge_as=taper_charge,
        at_cutoff=at_cutoff,
        short_circuit=short,
        ccd=ccd,
        coulombic_efficiency=ce,
        growth=growth,
        life_h=life,
        life_ended_by=ended,
        eis=eis,
        warnings=warnings,
        signed_current_a=current if rebuilt else None,
        partial=partial_half,
    )
    dc = result.dc_asr()
    if dc is not None and dc.get("per_interface_refused"):
        result.warnings.append(f"per-interface DC ASR refused: {dc['per_interface_refused']}")
    return result
