"""Plain-text report of a DRT (what ``nakinetics drt`` prints)."""

from __future__ import annotations

from .result import DRTPeak, DRTResult


def _pm(value: float, stderr: float | None, fmt: str = ".4g") -> str:
    return f"{value:{fmt}}" + (f" ± {stderr:.2g}" if stderr is not None else "")


def _peak_row(k: int, peak: DRTPeak, with_asr: bool) -> str:
    n = peak.diffusion.symbol if peak.diffusion else "—" if peak.exponent is None else f"{peak.exponent:.3f}"
    row = (
        f"  {k:>2}  {_pm(peak.frequency, peak.frequency_stderr):<20} {_pm(peak.tau, peak.tau_stderr):<20} "
        f"{_pm(peak.resistance, peak.resistance_stderr):<18} {n:<6} {peak.capacitance:<11.3g} "
        f"{100 * peak.fraction:5.1f} %{'' if peak.in_window else '  (outside window)'}"
    )
    if with_asr:
        parts = [_pm(v, s) for _, (v, s) in sorted(peak.asr.items())]
        row += "   " + " / ".join(parts)
    return row


def format_drt(result: DRTResult) -> str:
    """The DRT's numbers with units and conventions, one block per spectrum."""
    s = result.spectrum
    reg = result.regularization
    f = s.frequency
    lines = [
        f"DRT of {s.label} ({len(s)} points, {f.min():.3g}–{f.max():.3g} Hz)",
        (
            "  method: Tikhonov regularisation, piecewise-linear γ(ln τ) ≥ 0, penalty on its derivative of order "
            f"{reg.penalty_order}; λ = {reg.value:.3g} ({reg.to_dict()['description']})"
        ),
        f"  R∞ = {result.r_inf:.4g} Ω"
        + (" (at its bound R∞ ≥ 0: NOT DETERMINED)" if result.r_inf_at_bound else "")
        + (f"    L = {result.inductance:.3g} H" if result.inductance > 0 else "")
        + f"    tail: {result.tail.describe() if result.tail else 'none'} (mode {result.tail_mode})",
    ]
    if result.tail is not None:
        shunt = result.tail.shunted_below(result.tau, result.polarization_resistance)
        lines.append(
            "  the tail's own distribution is kept apart from γ: diffusion or blocking, not a discrete process"
            + (
                f"; absent below τ ≈ {shunt:.3g} s (shunted, as a Warburg in the charge-transfer branch is by "
                "the double layer)"
                if shunt is not None
                else ""
            )
        )
    beside = " of the relaxations beside the tail" if result.tail is not None else ""
    lines.append(
        f"  ∫γ d ln τ (polarisation resistance{beside}) = "
        f"{_pm(result.polarization_resistance, result.polarization_resistance_stderr)} Ω"
    )
    kk = result.kramers_kronig
    verdict = "ok" if result.reconstruction_ok else "DOES NOT REPRODUCE THE DATA"
    reference = f" (Kramers–Kronig fit {100 * kk.rms:.2g} %)" if kk is not None else ""
    lines.append(
        f"  reconstruction: RMS residual {100 * result.residual_rms:.2g} % of |Z|{reference}: {verdict}"
    )
    if not result.peaks:
        lines.append("  processes: none distinct")
    else:
        model = result.peak_model
        if model.method == "zarc":
            how = (
                f"resistances and τ from a decomposition of γ into ZARC peaks fitted to the data with R∞ = "
                f"{model.r_inf:.4g} Ω"
                + (f", L = {model.inductance:.3g} H" if model.inductance else "")
                + (" and the DRT's tail" if result.tail is not None else "")
            )
        else:
            how = "resistances = areas of γ between its minima, τ at the maxima"
        peaks_total = sum(p.resistance for p in result.peaks)
        lines.append(
            f"  processes: {len(result.peaks)} ({how}; C = τ/R; share = R / ΣR of the peaks = {peaks_total:.4g} Ω)"
        )
        with_asr = result.area_cm2 is not None
        header = f"  {'#':>2}  {'f (Hz)':<20} {'τ (s)':<20} {'R (Ω)':<18} {'n':<6} {'C (F)':<11} share"
        if with_asr and result.cell is not None:
            names = " / ".join(sorted(result.peaks[0].asr))
            header += f"     ASR {names} (Ω cm²)"
        lines.append(header)
        lines += [_peak_row(k, p, with_asr) for k, p in enumerate(result.peaks, start=1)]
        for k, p in enumerate(result.peaks, start=1):
            if p.diffusion is not None:
                w = p.diffusion
                lines.append(
                    f"  peak {k} is the DRT of a {w.describe().split(':')[0]} (its lines fit the data better than "
                    f"a ZARC): R = {_pm(w.resistance, w.resistance_stderr)} Ω, τ_W = {_pm(w.tau, w.tau_stderr)} s "
                    "— diffusion, not a discrete process"
                )
        if with_asr and result.cell is not None:
            symmetric = result.cell["cell"] == "symmetric"
            convention = (
                "cell total R·A and per interface R·A/2 (two identical interfaces)"
                if symmetric
                else "R·A (single interface)"
            )
            lines.append(
                f"  ASR: A = {result.area_cm2:g} cm² geometric, {result.cell['cell']} cell "
                f"({result.cell['cell_source']}): {convention}"
            )
    for warning in result.warnings:
        lines.append(f"  ! {warning}")
    return "\n".join(lines)
