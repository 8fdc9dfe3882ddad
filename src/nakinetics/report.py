"""Plain-text rendering of results (returns strings; never prints)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .fitting import FitResult
from .presets import model_label
from .validation import KKResult

if TYPE_CHECKING:
    from .profile import ProfileInterval


def format_number(value: float | None, digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures, ``n/a`` for ``None``."""
    if value is None:
        return "n/a"
    return f"{value:.{digits}g}"


def aligned_rows(rows: Sequence[Sequence[str]]) -> list[str]:
    """Table rows as text lines with every column left-aligned to its widest cell."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def format_conventions(conventions: Mapping[str, Any]) -> list[str]:
    """The ``cell`` and ``roles`` lines: how the cell type and each element's role were decided."""
    from .roles import ROLE_NAMES

    electrolyte = conventions.get("electrolyte") or "not known"
    cell = (
        f"cell      {conventions['cell']} ({conventions['cell_source']}"
        + ("; --cell to change" if conventions["cell_source"] != "given" else "")
        + f"), electrolyte {electrolyte} ({conventions['electrolyte_source']}"
        + ("; --electrolyte to change" if conventions["electrolyte_source"] != "given" else "")
        + ")"
    )
    roles = ", ".join(f"{label} {ROLE_NAMES.get(role, role)}" for label, role in conventions["roles"].items())
    return [cell, f"roles     {roles} [{conventions['roles_source']}]"]


def format_fit(
    result: FitResult, reason: str | None = None, conventions: Mapping[str, Any] | None = None
) -> str:
    """A readable report: parameters ± errors with units, derived quantities with conventions,
    statistics and warnings (``conventions``: see :func:`nakinetics.derived.conventions`)."""
    meta = result.spectrum.metadata
    stats = result.statistics
    f = result.spectrum.frequency
    name = model_label(result.circuit, result.preset)
    lines = [
        f"file      {result.spectrum.label}"
        + (f"  [{meta.format}{', ' + meta.technique if meta.technique else ''}]" if meta.format else ""),
        f"circuit   {name}",
    ]
    if conventions is not None and conventions.get("circuit_note"):
        # its own line: the circuit line stays a label `-c` accepts back
        lines.append(f"note      {conventions['circuit_note']}")
    if reason:
        lines.append(f"choice    {reason}")
    if conventions is not None:
        lines += format_conventions(conventions)
    lines.append(
        f"data      {stats.n_points} points, {f.min():.4g}–{f.max():.4g} Hz, weighting {result.weighting.value}"
    )
    lines += ["", "parameters"]
    rows = [["name", "value", "± stderr", "unit", ""]]
    for p in result.parameters.values():
        rows.append(
            [
                p.name,
                format_number(p.value, 5),
                format_number(p.stderr, 3),
                p.unit,
                "" if p.vary else f"(= {p.expr})" if p.expr else "(fixed)",
            ]
        )
    lines += ["  " + line for line in aligned_rows(rows)]
    if result.derived:
        lines += ["", "derived"]
        rows = [["name", "value", "± stderr", "unit", "convention"]]
        for key, d in result.derived.items():
            rows.append([key, format_number(d.value, 5), format_number(d.stderr, 3), d.unit, d.convention])
        lines += ["  " + line for line in aligned_rows(rows)]
    lines += [
        "",
        "statistics",
        (
            f"  chi2 {stats.chisqr:.4g}   reduced chi2 {stats.redchi:.4g}   AIC {stats.aic:.2f}"
            f"   BIC {stats.bic:.2f}   success {'yes' if stats.success else 'NO'}"
        ),
    ]
    if result.kramers_kronig is not None:
        lines += ["", "validity", f"  {result.kramers_kronig.summary()}"]
    if result.warnings:
        lines += ["", "warnings"] + [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def format_kramers_kronig(kk: KKResult, label: str) -> str:
    """The verdict of a Kramers–Kronig test and its residual at every frequency."""
    lines = [f"file      {label}", kk.summary(), "", "residuals (Z − Z_KK)/|Z|"]
    rows = [["f / Hz", "Δ Z' / %", "Δ Z'' / %"]]
    for f, r in zip(kk.frequency, kk.residuals, strict=True):
        rows.append([f"{f:.4g}", f"{100 * r.real:+.3f}", f"{100 * r.imag:+.3f}"])
    lines += ["  " + line for line in aligned_rows(rows)]
    return "\n".join(lines)


def format_comparison(table: Sequence[dict[str, Any]], criterion: str) -> str:
    """The model-comparison table (χ², AIC, BIC, Δ, preferred or why set aside)."""
    rows = [["model", "k", "chi2", "red. chi2", "AIC", "BIC", f"Δ{criterion.upper()}", ""]]
    for row in table:
        rows.append(
            [
                row["model"],
                str(row["n_varying"]),
                format_number(row["chisqr"]),
                format_number(row["redchi"]),
                f"{row['aic']:.2f}",
                f"{row['bic']:.2f}",
                f"{row['delta']:.2f}",
                "preferred"
                if row["preferred"]
                else (f"set aside: {row['set_aside']}" if row.get("set_aside") else ""),
            ]
        )
    return "\n".join(aligned_rows(rows))


def format_profile_intervals(intervals: Mapping[str, ProfileInterval]) -> str:
    """Profile-likelihood intervals beside the symmetric ones the standard errors imply."""
    level = next(iter(intervals.values())).level if intervals else 0.95
    lines = [f"profile-likelihood {100 * level:g} % intervals (F-test; 'open': not limited up to the bound)"]
    rows = [["name", "value", "lower", "upper", "from ± stderr", "unit"]]
    for name, i in intervals.items():
        cov = (
            "n/a"
            if i.covariance_interval is None
            else "–".join(format_number(v) for v in i.covariance_interval)
        )
        rows.append(
            [
                name,
                format_number(i.value, 5),
                "open" if i.lower_open else format_number(i.lower),
                "open" if i.upper_open else format_number(i.upper),
                cov,
                i.unit,
            ]
        )
    lines += ["  " + line for line in aligned_rows(rows)]
    if any(i.better_minimum for i in intervals.values()):
        lines.append("  note: a refit found a lower χ² than the fit: the fit is not at its minimum; refit it")
    return "\n".join(lines)
