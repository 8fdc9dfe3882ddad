"""The linear DRT model of one spectrum: Z(ω) = R∞ + jωL [+ a (jω)^-ν] + ∫ γ(ln τ)/(1 + jωτ) d ln τ.

Rows are the real and imaginary parts weighted by 1/|Z| (relative residuals, the usual proportional noise
of a frequency-response analyser).  The unpenalised series terms are R∞ (Ω), L (H) and, in tail mode, one
power-law term a (jω)^-ν (ν = 1 a blocking capacitance C = 1/a, ν = ½ a semi-infinite Warburg tail with
σ = a/√2): blocking electrodes and diffusion are not relaxations of the form 1/(1 + jωτ), and a DRT asked
to reproduce them piles up a spurious peak at the slow edge of its τ grid.

With a tail the non-negativity applies to the total distribution, γ plus the tail's own a·sin(νπ)/π·τ^ν
(:func:`~nakinetics.drt.shapes.power_law_distribution`): γ may dip below zero by as much as the tail holds
there.  A Warburg element inside the Randles branch is exactly that — the double-layer capacitance shunts
it at τ below R_ct·C_dl, so its distribution is the power law cut off at short τ — and a DRT that forbade
the dip would have to invent peaks to make up for it (:class:`~nakinetics.drt.regularization.LinearProblem`
``floor``; :func:`~nakinetics.drt.analysis.confine_deficit` keeps the dip to the fast side).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._typing import ComplexArray, FloatArray
from .basis import TauGrid, basis_impedance
from .regularization import LinearProblem, penalty_factor, penalty_inverse
from .shapes import power_law_distribution

PENALTY_ORDER = 1
"""Order of the derivative of γ penalised (1: slope; 2: curvature)."""


@dataclass(frozen=True)
class SeriesTerms:
    """Which unpenalised series terms the model holds: always R∞ and L, optionally a tail of exponent ν."""

    tail_exponent: float | None = None

    def tail_distribution(self, tau: FloatArray) -> FloatArray:
        """The tail's own distribution per unit coefficient at ``tau`` (s) (zero without a tail; see
        :func:`~nakinetics.drt.shapes.power_law_distribution`)."""
        if self.tail_exponent is None:
            return np.zeros_like(tau)
        return power_law_distribution(tau, self.tail_exponent)

    def columns(self, omega: FloatArray) -> ComplexArray:
        """Complex impedance of each term per unit value (rows ω): R∞ → 1, L → jω, tail → (jω)^-ν."""
        cols = [np.ones_like(omega, dtype=complex), 1j * omega]
        if self.tail_exponent is not None:
            cols.append((1j * omega) ** (-self.tail_exponent))
        return np.column_stack(cols)


def resistance_scale(impedance: ComplexArray) -> float:
    """The span of Z' (Ω) — about the polarisation resistance, also when a capacitive tail dominates |Z| —
    and at least 1 % of max|Z|."""
    return max(float(np.ptp(impedance.real)), 0.01 * float(np.abs(impedance).max()))


def linear_problem(
    omega: FloatArray,
    impedance: ComplexArray,
    grid: TauGrid,
    terms: SeriesTerms,
    penalty_order: int = PENALTY_ORDER,
    basis: tuple[FloatArray, FloatArray] | None = None,
) -> LinearProblem:
    """The weighted :class:`LinearProblem`; γ is in units of :func:`resistance_scale` so that λ is
    dimensionless and comparable between spectra.  ``basis`` is :func:`basis_impedance` of ``grid`` when
    already computed."""
    weight = 1.0 / np.abs(impedance)
    scale = resistance_scale(impedance)
    a_re, a_im = basis if basis is not None else basis_impedance(omega, grid)
    series = terms.columns(omega)
    a = np.vstack([a_re * weight[:, None], a_im * weight[:, None]]) * scale
    n = np.vstack([series.real * weight[:, None], series.imag * weight[:, None]])
    y = np.concatenate([impedance.real * weight, impedance.imag * weight])
    floor = None
    if terms.tail_exponent is not None:
        floor = terms.tail_distribution(grid.tau) / scale
    return LinearProblem(
        a=a,
        n=n,
        y=y,
        penalty=penalty_factor(len(grid), penalty_order),
        penalty_inverse=penalty_inverse(len(grid), penalty_order),
        scale=scale,
        weight=weight,
        floor=floor,
    )
