"""The DRT of every spectrum of an operando series, on the series' time axis (``nakinetics geis --drt``).

Each readable spectrum gets :func:`~nakinetics.drt.compute_drt` (with the fits' frequency window); the
results are tabulated in long format — one row per spectrum and τ node (``drt.csv``) and one row per
spectrum and peak (``drt_peaks.csv``) — for a τ–time map beside R_int(t).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._typing import FloatArray
from ..data import Spectrum
from ..drt import DRTResult, compute_drt
from ..exceptions import DataError
from .runner import Key, spectrum_key


@dataclass(frozen=True)
class SeriesDRT:
    """DRTs of a series in time order: ``times`` (s on the series axis), ``labels`` and ``results``;
    ``failures`` are (label, reason) of spectra whose DRT was refused."""

    times: list[float]
    labels: list[str]
    results: list[DRTResult]
    failures: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.results)

    def distribution_columns(self) -> dict[str, FloatArray]:
        """Long format, units in the names: spectrum number (time order), time, τ, f, γ and its band."""
        parts: dict[str, list[FloatArray]] = {
            k: []
            for k in (
                "spectrum",
                "time/s",
                "tau/s",
                "frequency/Hz",
                "gamma/Ohm",
                "gamma_lower/Ohm",
                "gamma_upper/Ohm",
            )
        }
        for k, (t, r) in enumerate(zip(self.times, self.results, strict=True)):
            n = r.tau.size
            parts["spectrum"].append(np.full(n, float(k)))
            parts["time/s"].append(np.full(n, t))
            parts["tau/s"].append(r.tau)
            parts["frequency/Hz"].append(r.frequency)
            parts["gamma/Ohm"].append(r.gamma)
            parts["gamma_lower/Ohm"].append(r.gamma_lower)
            parts["gamma_upper/Ohm"].append(r.gamma_upper)
        return {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}

    def peak_columns(self) -> dict[str, FloatArray]:
        """One row per spectrum and peak: τ, f, R with standard errors (NaN when unknown), exponent n,
        R∞ and ∫γ of that spectrum."""
        rows: list[list[float]] = []
        for k, (t, r) in enumerate(zip(self.times, self.results, strict=True)):
            for j, p in enumerate(r.peaks):
                rows.append(
                    [
                        k,
                        t,
                        j,
                        p.tau,
                        _nan(p.tau_stderr),
                        p.frequency,
                        p.resistance,
                        _nan(p.resistance_stderr),
                        _nan(p.exponent),
                        r.r_inf,
                        r.polarization_resistance,
                    ]
                )
        names = (
            "spectrum",
            "time/s",
            "peak",
            "tau/s",
            "tau_stderr/s",
            "frequency/Hz",
            "R/Ohm",
            "R_stderr/Ohm",
            "n",
            "R_inf/Ohm",
            "R_pol/Ohm",
        )
        table = np.array(rows, dtype=float).reshape(-1, len(names))
        return {name: table[:, i] for i, name in enumerate(names)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "spectra": len(self.results),
            "processes": [r.n_processes for r in self.results],
            "failures": [{"label": label, "reason": reason} for label, reason in self.failures],
            "convention": "γ(ln τ) in Ohm per spectrum (∫γ d ln τ = polarisation resistance); time on the "
            "series axis (s)",
        }


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def series_drt(
    spectra: Sequence[Spectrum],
    times: Mapping[Key, float | None],
    *,
    fmin: float | None = None,
    fmax: float | None = None,
    **options: Any,
) -> SeriesDRT:
    """The DRT of each spectrum with a time in ``times`` (keyed as the series table, see
    :func:`~nakinetics.series.runner.spectrum_key`), in time order; ``options`` go to
    :func:`~nakinetics.drt.compute_drt`.  A refused spectrum becomes a failure, the series goes on."""
    placed = []
    for position, spectrum in enumerate(spectra):
        t = times.get(spectrum_key(spectrum, position))
        if t is not None and math.isfinite(t):
            placed.append((t, spectrum))
    placed.sort(key=lambda pair: pair[0])
    out = SeriesDRT([], [], [], [])
    for t, spectrum in placed:
        try:
            result = compute_drt(spectrum, fmin=fmin, fmax=fmax, **options)
        except DataError as exc:
            out.failures.append((spectrum.label, str(exc)))
            continue
        out.times.append(t)
        out.labels.append(spectrum.label)
        out.results.append(result)
    return out
