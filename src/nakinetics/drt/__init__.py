"""Distribution of relaxation times (DRT): Z(ω) = R∞ + jωL [+ tail] + ∫ γ(ln τ)/(1 + jωτ) d ln τ.

:func:`compute_drt` returns a :class:`DRTResult`: γ on a τ grid with its credible band, the series terms,
the processes (peaks: τ, frequency, resistance with standard errors, optional ASR), the regularisation
parameter and how it was chosen, and the residuals of the reconstruction.  Modules: :mod:`.basis`
(τ grid, exact piecewise-linear basis), :mod:`.regularization` (λ by Bayesian evidence or GCV,
non-negative solve, posterior), :mod:`.design` (the linear model with its series terms), :mod:`.peaks`
(detection and ZARC decomposition), :mod:`.shapes` (closed-form ZARC distribution), :mod:`.analysis`.
"""

from .analysis import DRT_MIN_POINTS, TAIL_MODES, compute_drt
from .result import DRTPeak, DRTResult, DRTTail, Regularization
from .shapes import zarc_distribution, zarc_impedance

__all__ = [
    "DRT_MIN_POINTS",
    "TAIL_MODES",
    "DRTPeak",
    "DRTResult",
    "DRTTail",
    "Regularization",
    "compute_drt",
    "zarc_distribution",
    "zarc_impedance",
]
