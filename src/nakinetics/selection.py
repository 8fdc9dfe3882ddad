"""Model choice: fit several circuits to one spectrum and rank them by information criteria."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._checks import choice
from .circuit import Circuit
from .data import Spectrum
from .exceptions import ArgumentTypeError, FitError
from .fitting import FitResult, fit_circuit
from .presets import Preset, general_presets


@dataclass(frozen=True)
class ModelComparison:
    """Fits of several candidate models to one spectrum, best first by ``criterion`` (lower is better)."""

    results: tuple[FitResult, ...]
    criterion: str
    failures: tuple[tuple[str, str], ...] = ()

    @property
    def best(self) -> FitResult:
        return self.results[0]

    def score(self, result: FitResult) -> float:
        return float(getattr(result.statistics, self.criterion))

    def reason(self) -> str:
        """One sentence: which model was chosen and by how much it beats the runner-up."""
        best = self.best
        name = best.preset.name if best.preset else best.circuit.text
        crit = self.criterion.upper()
        if len(self.results) == 1:
            return f"{name} chosen: the only candidate that could be fitted"
        runner = self.results[1]
        runner_name = runner.preset.name if runner.preset else runner.circuit.text
        delta = self.score(runner) - self.score(best)
        strength = "strong" if delta > 10 else "positive" if delta > 2 else "weak"
        return (
            f"{name} chosen: lowest {crit} ({self.score(best):.1f}); next is {runner_name} at "
            f"Δ{crit} = {delta:.1f} ({strength} evidence)"
        )

    def table(self) -> list[dict[str, Any]]:
        """Rows of χ², reduced χ², AIC, BIC and Δ for each model, best first."""
        best_score = self.score(self.best)
        return [
            {
                "model": r.preset.name if r.preset else r.circuit.text,
                "circuit": r.circuit.text,
                "n_varying": r.statistics.n_varying,
                "chisqr": r.statistics.chisqr,
                "redchi": r.statistics.redchi,
                "aic": r.statistics.aic,
                "bic": r.statistics.bic,
                "delta": self.score(r) - best_score,
                "preferred": k == 0,
            }
            for k, r in enumerate(self.results)
        ]


def compare_models(
    spectrum: Spectrum,
    candidates: Sequence[str | Circuit | Preset] | None = None,
    *,
    criterion: str = "bic",
    **options: Any,
) -> ModelComparison:
    """Fit every candidate (default: the ``general`` presets) and rank by ``criterion`` (``aic``/``bic``).

    Candidates that share a circuit string are fitted once (the first one named wins).  A candidate
    that cannot be fitted is recorded in ``failures``; if none can be fitted, :class:`FitError`.
    """
    criterion = choice(criterion, "criterion", ("aic", "bic"))
    if not isinstance(spectrum, Spectrum):  # its numbers are checked by fit_circuit, after fmin/fmax
        raise ArgumentTypeError(f"compare_models needs a Spectrum, got {type(spectrum).__name__}")
    pool = list(candidates) if candidates else list(general_presets())
    results: list[FitResult] = []
    failures: list[tuple[str, str]] = []
    seen: set[str] = set()
    for candidate in pool:
        name = candidate.name if isinstance(candidate, Preset) else str(candidate)
        try:
            result = fit_circuit(spectrum, candidate, **options)
        except FitError as exc:
            failures.append((name, str(exc)))
            continue
        if result.circuit.text in seen:
            continue
        seen.add(result.circuit.text)
        results.append(result)
    if not results:
        detail = "; ".join(f"{n}: {m}" for n, m in failures)
        raise FitError(f"{spectrum.label}: no candidate model could be fitted ({detail})")
    results.sort(key=lambda r: float(getattr(r.statistics, criterion)))
    return ModelComparison(tuple(results), criterion, tuple(failures))
