"""Text report and CSV table of a :class:`~nakinetics.cycling.CyclingResult` (pure: returns strings)."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from .analysis import CyclingResult

CSV_COLUMNS = (
    "file",
    "index",
    "half_cycle",
    "cycle",
    "direction",
    "start_h",
    "end_h",
    "current_density_ma_cm2",
    "capacity_mah_cm2",
    "taper_capacity_mah_cm2",
    "overpotential_mv",
    "overpotential_q25_mv",
    "overpotential_q75_mv",
    "plateau_voltage_mv",
    "nucleation_overpotential_mv",
    "nucleation_tip_s",
    "nucleation_note",
    "end_voltage_mv",
    "ended_at_cutoff",
    "asr_cell_ohm_cm2",
    "partial",
)
"""Columns of the half-cycle table: the record (``file``, ``index`` in the file), then each half-cycle
(``half_cycle`` = its number in the record, 0-based)."""


def half_cycle_rows(result: CyclingResult) -> list[dict[str, Any]]:
    """One row per half-cycle of ``result`` (the :data:`CSV_COLUMNS` after ``file`` and ``index``)."""
    rows = []
    for h in result.half_cycles:
        row = h.to_dict()
        row["half_cycle"] = row.pop("index")
        rows.append({c: row.get(c) for c in CSV_COLUMNS[2:]})
    return rows


def half_cycle_csv(results: list[CyclingResult]) -> str:
    """One row per half-cycle of every result (columns :data:`CSV_COLUMNS`; empty = not applicable)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in results:
        where = {"file": result.record.metadata.source, "index": result.record.metadata.index}
        for row in half_cycle_rows(result):
            row = where | row
            writer.writerow(["" if row.get(c) is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()


def summary_line(result: CyclingResult) -> str:
    """One line for a batch run: half-cycles, first and last η_p, short circuit, cycling life."""
    parts = [f"{result.n_half_cycles} half-cycles"]
    halves = result.half_cycles
    if halves and result.overpotentials_valid:
        parts.append(f"η_p {_fmt(halves[0].overpotential_mv)} → {_fmt(halves[-1].overpotential_mv)} mV")
    s = result.short_circuit
    parts.append("no short" if s is None else f"{s.kind} short at {s.time_h:.4g} ± {s.uncertainty_h:.2g} h")
    if result.ccd is not None and result.ccd.value_ma_cm2 is not None:
        parts.append(f"CCD {result.ccd.value_ma_cm2:.3g} mA cm⁻²")
    parts.append(f"life {result.life_h:.4g} h")
    return "; ".join(parts)


def _asr(entry: dict[str, Any] | None) -> str:
    """An EIS ASR entry as text: the value in Ω cm², "refused" (the reason is among the warnings) or —."""
    if entry is not None and entry.get("refused"):
        return "refused (see warnings)"
    return f"{_fmt(entry and entry['value'], '.4g')} Ω cm²"


def _fmt(value: float | None, spec: str = ".3g", unit: str = "") -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:{spec}}{unit}"


def format_cycling(result: CyclingResult) -> str:
    """A short human-readable summary (the JSON has everything)."""
    d = result.to_dict()
    lines = [
        f"{d['file']}  ({d['format']}; {result.n_half_cycles} half-cycles; area {result.area_cm2:g} cm²)",
        f"  cell: {result.cell} — {result.cell_decided_by}",
        f"  direction: {result.direction_rule}"
        + (
            ""
            if result.signed_current_a is None
            else f"\n  cell convention: {d['conventions']['cell_convention']}"
        ),
        f"  steps: {result.steps.describe()}",
    ]
    halves = result.half_cycles
    if halves and result.overpotentials_valid:
        eta = np.array([h.overpotential_mv for h in halves], dtype=float)
        nuc = [h.nucleation_overpotential_mv for h in halves if h.nucleation_overpotential_mv is not None]
        lines.append(
            f"  overpotential η_p (median |U|, middle half): first {_fmt(eta[0])} mV, last {_fmt(eta[-1])} mV, "
            f"range {_fmt(eta.min())}–{_fmt(eta.max())} mV"
        )
        why = next((h.nucleation_note for h in halves if h.nucleation_note is not None), None)
        lines.append(
            f"  nucleation η_n: {len(nuc)} half-cycle(s)"
            + (f", first {_fmt(nuc[0])} mV, max {_fmt(max(nuc))} mV" if nuc else "")
            + (
                f" (none in the others; first reason: {why})"
                if why is not None and len(nuc) < len(halves)
                else ""
            )
        )
    g = result.growth
    if g is not None and g.rate_mv_per_100h is not None:
        lines.append(
            f"  growth: {g.rate_mv_per_100h:.3g} ± {_fmt(g.stderr_mv_per_100h)} mV/100 h at "
            f"{g.current_density_ma_cm2:.3g} mA cm⁻² ({g.n_half_cycles} half-cycles)"
        )
    s = result.short_circuit
    lines.append(
        "  short circuit: none detected"
        if s is None
        else f"  short circuit: {s.kind} at {s.time_h:.4g} ± {s.uncertainty_h:.2g} h — "
        + "; ".join(s.evidence)
    )
    c = result.ccd
    if c is not None:
        value = "—" if c.value_ma_cm2 is None else f"{c.value_ma_cm2:.3g} mA cm⁻²"
        bound = f" (≥ {c.lower_bound_ma_cm2:.3g}: no failure)" if c.lower_bound_ma_cm2 is not None else ""
        lines.append(
            f"  CCD ({c.convention}): {value}{bound}; failing step {_fmt(c.failing_step_ma_cm2)}, last stable "
            f"{_fmt(c.last_stable_ma_cm2)} mA cm⁻²; criterion: {c.failure_criterion}"
        )
    lines.append(f"  cycling life: {result.life_h:.4g} h ({result.life_ended_by})")
    ce = result.coulombic_efficiency
    if ce is not None:
        lines.append(
            f"  Coulombic efficiency ({ce.protocol}; {ce.definition}): average {_fmt(ce.average, '.4f')}"
            + (
                f", excluding the first cycle {_fmt(ce.average_excluding_first, '.4f')}"
                if ce.average_excluding_first
                else ""
            )
        )
    asr = d["summary"]["dc_asr"]
    if asr is not None:
        per = asr.get("per_interface_median_ohm_cm2")
        lines.append(
            f"  DC ASR (η_p/|j|): cell {asr['cell_median_ohm_cm2']:.4g} Ω cm² (median)"
            + (
                f", per interface {per:.4g} Ω cm² ({asr['per_interface_definition']})"
                if per is not None
                else (", per interface refused (see warnings)" if asr.get("per_interface_refused") else "")
            )
        )
    if result.eis is not None:
        e = result.eis
        inter = e.get("interfacial_asr_per_interface_ohm_cm2") or e.get("interfacial_asr_cell_ohm_cm2")
        ohm = e.get("ohmic_asr_ohm_cm2")
        lines.append(
            f"  EIS ASR ({e['circuit']}): ohmic {_asr(ohm)}, interfacial {_asr(inter)} "
            + ("per interface" if e.get("interfacial_asr_per_interface_ohm_cm2") else "cell")
        )
    lines += [f"  warning: {w}" for w in result.warnings]
    return "\n".join(lines)
