"""Plain-text report of a kinetic analysis (returns a string; never prints)."""

from __future__ import annotations

from typing import Any

from ..report import aligned_rows, format_number
from .analysis import KineticsResult

NOT_DETERMINED = "NOT DETERMINED"
"""How the report marks an estimate the data do not determine (JSON: ``"determined": false``)."""


def _value(entry: dict[str, Any] | None, digits: int = 4) -> str:
    if not entry:
        return "n/a"
    unit = entry.get("unit", "")
    unit = "" if unit == "1" else f" {unit}"
    flag = f" ({NOT_DETERMINED})" if entry.get("determined") is False else ""
    return f"{format_number(entry['value'], digits)} ± {format_number(entry.get('stderr'), 2)}{unit}{flag}"


def format_kinetics(result: KineticsResult) -> str:
    """Readable summary: model and conventions, fitted parameters, Tafel and linear estimators, EIS link,
    diagnostics, model comparison and warnings."""
    d = result.to_dict()
    sweep = result.sweep
    rate = f", {1e3 * sweep.scan_rate_v_s:g} mV/s" if sweep.scan_rate_v_s else ""
    area = f"A = {sweep.area_cm2:g} cm²" if sweep.area_cm2 else "no area (absolute currents)"
    area += " (from the file)" if sweep.area_source == "file" else ""
    cell = "symmetric cell (two identical interfaces)" if result.cell == "symmetric" else "single interface"
    cell_source = {
        "given": "given with --cell",
        "default": "default: the file names no reference electrode; --cell single for a three-electrode "
        "measurement",
    }.get(result.cell_source, f"{result.cell_source}; --cell to change")
    lines = [
        f"file      {sweep.label}  [{len(sweep.potential_v)} points, {sweep.n_segments} segment(s){rate}]",
        (
            f"model     {result.fit.law.model.upper()}{' (chosen by auto)' if result.model == 'auto' else ''}, "
            f"n = {result.n_electrons}, T = {sweep.temperature_k:g} K, {area}"
        ),
        f"cell      {cell} ({cell_source})",
        f"R_ohm     {result.r_ohm_source}",
        f"units     {d['conventions']['i0']}; currents anodic positive",
        "",
        "global fit of the whole sweep (primary estimate)",
    ]
    rows = [["name", "value", "± stderr", "unit", "note"]]
    for name, p in d["parameters"].items():
        note = "" if p.get("vary", True) else "fixed"
        if "prior" in p:
            note = f"prior {p['prior']['mean']:.4g} ± {p['prior']['stderr']:.2g}"
        if p.get("determined") is False:
            note = f"{NOT_DETERMINED}: {p['not_determined']}" + (f"; {note}" if note else "")
        rows.append(
            [
                name,
                format_number(p["value"], 5),
                format_number(p.get("stderr"), 3),
                "" if p["unit"] == "1" else p["unit"],
                note,
            ]
        )
    lines += ["  " + line for line in aligned_rows(rows)]
    fit = d["fit"]
    lines.append(
        f"  {fit['n_points']} points fitted, rms(ln i) {format_number(fit['rms_log_current'], 3)}, reduced chi2 "
        f"{fit['redchi']:.3g}, AIC {fit['aic']:.1f}, BIC {fit['bic']:.1f}, "
        f"{'converged' if fit['success'] else 'NOT converged'}"
    )
    if d["model_comparison"]:
        comp = d["model_comparison"]
        lines += ["", f"model comparison: {comp['preferred'].upper()} — {comp['reason']}"]
        rows = [["model", "k", "AIC", "BIC", "ΔAIC", "rms(ln i)"]]
        for row in comp["table"]:
            rows.append(
                [
                    row["model"],
                    str(row["n_varying"]),
                    f"{row['aic']:.1f}",
                    f"{row['bic']:.1f}",
                    f"{row['delta_aic']:.1f}",
                    format_number(row["rms_log_current"], 3),
                ]
            )
        lines += ["  " + line for line in aligned_rows(rows)]
    tafel = d["tafel"]
    lines += [
        "",
        (
            f"classical Tafel estimate (x = {tafel['x']}, R_ohm used {format_number(tafel['r_ohm_used']['value'], 4)} "
            f"{tafel['r_ohm_used']['unit']}, {tafel['r_ohm_used']['source']})"
        ),
    ]
    for name, branch in tafel["branches"].items():
        if not branch["found"]:
            lines.append(f"  {name:<9} no Tafel region: {branch['reason']}")
            continue
        w = branch["window"]
        alpha_key = next(k for k in ("alpha_product", "alpha_a", "alpha_c") if k in branch)
        lines.append(
            f"  {name:<9} window {1e3 * w['x_min']:.0f}…{1e3 * w['x_max']:.0f} mV ({branch['window_source']}), "
            f"{branch['decades']:.2f} decades: b = {_value(branch['tafel_slope'], 4)}, i0 = {_value(branch['i0'], 4)}, "
            f"{alpha_key} = {_value(branch[alpha_key], 3)}"
        )
        if "spread" in branch:
            s = branch["spread"]
            lines.append(
                f"            spread over {s['n_windows']} acceptable windows: i0 {format_number(s['i0']['min'], 3)}–"
                f"{format_number(s['i0']['max'], 3)} {s['i0']['unit']}, b {s['tafel_slope']['min']:.0f}–"
                f"{s['tafel_slope']['max']:.0f} mV/dec"
            )
    lin = d["linear"]
    header = (
        f"linear estimate (|V − V0| ≤ {1e3 * lin['window']['half_width']:.1f} mV, {lin['n_points']} points)"
    )
    if lin["found"]:
        lines += [
            "",
            header,
            (
                f"  R_p = {_value(lin['R_p'])}, R_ct = {_value(lin['R_ct'])}, i0 = {_value(lin['i0'])}"
                f"  [{lin['i0']['convention']}]"
            ),
        ]
    else:
        lines += ["", header, f"  not available: {lin.get('reason')}"]
    if d["eis_link"]:
        e = d["eis_link"]
        lines += [
            "",
            f"EIS link ({e['circuit']} fitted to {e['spectrum']})",
            f"  R_ohm = {_value(e['R_ohm'])}, R_ct = {_value(e['R_ct'])}",
            f"  i0 EIS = {_value(e['i0_eis'])} [{e['i0_eis']['convention']}], i0 DC = {_value(e['i0_dc'])}, "
            f"ratio DC/EIS = {format_number(e['ratio_dc_eis'], 3)}"
            + ("  ← outside [0.5, 2]" if e["flag"] else ""),
        ]
        if e["R_p_dc"]:
            lines.append(
                f"  R_p (DC) = {format_number(e['R_p_dc']['value'], 4)} vs EIS DC limit {format_number(e['R_dc_limit_eis']['value'], 4)} "
                f"{e['R_dc_limit_eis']['unit']}, ratio DC/EIS = {format_number(e['R_p_ratio_dc_eis'], 3)}"
                + ("  ← outside [0.5, 2]" if e["R_p_flag"] else "")
            )
    diag = d["diagnostics"]
    lines += ["", "diagnostics"]
    cap = diag["capacitive"]
    if cap.get("available", True):
        lines.append(
            f"  capacitive: C = {_value(cap['C'], 3)}, C·ν = {format_number(cap['i_C']['value'], 3)} {cap['i_C']['unit']}, "
            f"C·ν/i0 = {format_number(cap['ratio_to_i0'], 2)}"
        )
    else:
        lines.append(f"  capacitive: not modelled ({cap['reason']})")
    lines.append(
        f"  OCV offset V0 = {_value(diag['ocv_offset']['V0'], 4)}; iR share at the largest current "
        f"{format_number(diag['ir_share']['value'], 2)}"
    )
    runs = diag["residuals"]["runs_test"]
    lines.append(
        f"  residuals: rms(ln i) {format_number(diag['residuals']['rms_log_current'], 3)}"
        + ("" if runs is None else f", runs test p = {runs['p_value']:.2g}")
    )
    if "hysteresis" in diag:
        h = diag["hysteresis"]
        extra = ""
        if "i0_rising" in h and "i0_falling" in h:
            extra = f"; i0 rising {_value(h['i0_rising'], 4)}, falling {_value(h['i0_falling'], 4)}"
        lines.append(
            f"  hysteresis: Δln|i| = {format_number(h['delta_ln_current']['value'], 3)} at equal V, "
            f"ΔV = {format_number(h['delta_potential']['value'], 3)} V at equal i{extra}"
        )
    if "curvature_support" in diag:
        c = diag["curvature_support"]
        lines.append(f"  MHC curvature support (eη_max)²/(4λkT) = {format_number(c['value'], 3)}")
    if d["warnings"]:
        lines += ["", "warnings"] + [f"  - {w}" for w in d["warnings"]]
    return "\n".join(lines)
