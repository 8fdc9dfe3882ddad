"""pyDRTtools (Ciucci group, MIT licence) as a test-time reference DRT, used by the tests and by
benchmarks/drt_benchmark.py.

pyDRTtools 0.2's package ``__init__`` imports its PyQt5 GUI and switches matplotlib to a Qt backend, which
fails without a display, so its computational modules are imported without running the package
``__init__``.  Its default DRT is used: Gaussian RBF discretisation, first-derivative Tikhonov penalty, λ by
GCV, non-negativity by quadratic programming (cvxopt), combined real and imaginary parts, inductance on;
peaks by its ``peak_analysis`` (Gaussian functions fitted to γ, given the number of peaks).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import math
import sys
import types
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np


@functools.cache
def load() -> tuple[Any, Any] | None:
    """pyDRTtools' ``runs`` and ``basics`` modules, or ``None`` when it (or cvxopt/scikit-learn) is missing."""
    spec = importlib.util.find_spec("pyDRTtools")
    if spec is None or spec.submodule_search_locations is None:
        return None
    if importlib.util.find_spec("cvxopt") is None or importlib.util.find_spec("sklearn") is None:
        return None
    if "pyDRTtools" not in sys.modules:
        package = types.ModuleType("pyDRTtools")
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules["pyDRTtools"] = package
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # numpy.matlib, pandas and matplotlib notices at import
        import matplotlib

        matplotlib.use("Agg")
        from cvxopt import solvers
        from pyDRTtools import basics, runs

    solvers.options["show_progress"] = False
    return runs, basics


@dataclass(frozen=True)
class ReferenceDRT:
    """pyDRTtools' γ (Ω) on its τ grid (s), R∞ (Ω), and peaks (τ s, R Ω) when asked for."""

    tau: np.ndarray
    gamma: np.ndarray
    r_inf: float
    peaks: list[tuple[float, float]]

    @property
    def integral(self) -> float:
        """∫γ d ln τ (Ω), trapezoid rule on pyDRTtools' fine grid."""
        x = np.log(self.tau)
        return float(np.sum(0.5 * (self.gamma[1:] + self.gamma[:-1]) * np.diff(x)))


def compute(frequency: np.ndarray, impedance: np.ndarray, n_peaks: int | None = None) -> ReferenceDRT:
    """pyDRTtools' DRT of one spectrum (its defaults), with its Gaussian peak analysis when ``n_peaks``."""
    loaded = load()
    if loaded is None:
        raise RuntimeError("pyDRTtools is not installed")
    runs, _ = loaded
    order = np.argsort(frequency)[::-1]
    f = np.asarray(frequency, dtype=float)[order]
    z = np.asarray(impedance, dtype=complex)[order]
    entry = runs.EIS_object(f, z.real, z.imag)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        if n_peaks:
            runs.peak_analysis(entry, N_peaks=n_peaks)
        else:
            runs.simple_run(entry)
    peaks: list[tuple[float, float]] = []
    if n_peaks:
        # peak_analysis fits sum_k sigma_f² exp(−inv_sigma²/2 (ln τ − μ)²): area sigma_f² √(2π)/inv_sigma
        for gaussian in entry.out_gamma_fit:
            g = np.asarray(gaussian, dtype=float).ravel()
            x = np.log(np.asarray(entry.out_tau_vec, dtype=float).ravel())
            area = float(np.sum(0.5 * (g[1:] + g[:-1]) * np.diff(x)))
            if area > 0:
                peaks.append((math.exp(float(x[int(np.argmax(g))])), area))
    return ReferenceDRT(
        tau=np.asarray(entry.out_tau_vec, dtype=float).ravel(),
        gamma=np.asarray(entry.gamma, dtype=float).ravel(),
        r_inf=float(entry.R),
        peaks=peaks,
    )
