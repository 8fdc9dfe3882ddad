"""Current noise model and the variance-stabilising residual used by the kinetic fits.

Measured currents scatter with σ(i)² = σ_abs² + (σ_rel·i)²: absolute (instrument floor) near zero current
and relative at large current.  The transform

    y(i) = asinh(i/s) / σ_rel,    s = σ_abs/σ_rel

has dy/di = 1/√(σ_abs² + σ_rel² i²), so residuals y(i_model) − y(i_data) have unit variance everywhere:
linear in i where |i| ≪ s and ln|i|/σ_rel where |i| ≫ s (log-space residuals, as a Tafel plot).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from .._typing import FloatArray


@dataclass(frozen=True)
class NoiseModel:
    """σ(i)² = sigma_abs² + (sigma_rel·i)²; ``sigma_abs`` in the working current unit, ``sigma_rel``
    dimensionless."""

    sigma_abs: float
    sigma_rel: float

    @property
    def crossover(self) -> float:
        """Current s = σ_abs/σ_rel where the noise changes from absolute to relative."""
        return self.sigma_abs / self.sigma_rel

    def transform(self, current: FloatArray) -> FloatArray:
        """Unit-variance coordinate y(i) = asinh(i/s)/σ_rel."""
        return np.arcsinh(current / self.crossover) / self.sigma_rel

    def derivative(self, current: FloatArray) -> FloatArray:
        """dy/di = 1/√(σ_abs² + σ_rel² i²)."""
        return 1.0 / np.hypot(self.sigma_abs, self.sigma_rel * current)

    def to_dict(self, unit: str) -> dict[str, object]:
        return {
            "sigma_abs": {"value": self.sigma_abs, "unit": unit},
            "sigma_rel": {"value": self.sigma_rel, "unit": "1"},
            "convention": "sigma(i)^2 = sigma_abs^2 + (sigma_rel*i)^2; residuals asinh(i/s)/sigma_rel, s = sigma_abs/sigma_rel",
        }


def initial_noise(current: FloatArray) -> NoiseModel:
    """A neutral first guess before any fit: 1 % relative, crossover at 1e-3 of the largest |i|."""
    scale = float(np.max(np.abs(current))) or 1.0
    return NoiseModel(sigma_abs=1e-5 * scale, sigma_rel=1e-2)


def estimate_noise(data: FloatArray, model: FloatArray, *, min_points: int = 30) -> NoiseModel | None:
    """Maximum-likelihood σ_abs and σ_rel from the residuals of a fit, e = i_data − i_model ~
    N(0, σ_abs² + σ_rel² i_model²).  ``None`` when there are too few points to say."""
    data = np.asarray(data, dtype=float)
    model = np.asarray(model, dtype=float)
    if data.size < min_points:
        return None
    error2 = (data - model) ** 2
    level2 = model * model
    scale = float(np.max(np.abs(data))) or 1.0
    floor = (1e-12 * scale) ** 2
    # E[e²] = a + b·m² with Var[e²] = 2(a + b m²)²: iteratively reweighted least squares for (a, b) ≥ 0
    # solves the Gaussian maximum-likelihood equations.
    design = np.column_stack([np.ones_like(level2), level2])
    magnitude = np.abs(model)
    small, large = magnitude <= np.quantile(magnitude, 0.2), magnitude >= np.quantile(magnitude, 0.8)
    coef = np.array([np.median(error2[small]), np.median(error2[large] / np.maximum(level2[large], floor))])
    for _ in range(50):
        root_w = 1.0 / np.maximum(design @ coef, floor)
        new, _ = nnls(design * root_w[:, None], error2 * root_w)
        done = np.allclose(new, coef, rtol=1e-6, atol=0.0)
        coef = new
        if done:
            break
    sigma_abs = float(np.sqrt(max(coef[0], floor)))
    sigma_rel = max(float(np.sqrt(max(coef[1], 0.0))), 1e-6)
    return NoiseModel(sigma_abs=sigma_abs, sigma_rel=sigma_rel)
