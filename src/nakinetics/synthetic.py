"""Synthetic spectra with known truth, for tests, benchmarks and the shipped examples."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._typing import FloatArray
from .circuit import Circuit
from .data import Spectrum, SpectrumMetadata
from .fitting import resolve_circuit
from .presets import Preset


def synthetic_spectrum(
    circuit_or_preset: str | Circuit | Preset,
    values: Mapping[str, float],
    frequency: FloatArray,
    *,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
    metadata: SpectrumMetadata | None = None,
) -> Spectrum:
    """Z of a circuit at ``frequency`` (Hz) with proportional complex Gaussian noise.

    Each point is multiplied by (1 + noise·(ε' + jε'')) with ε', ε'' ~ N(0, 1), i.e. ``noise`` is the
    relative standard deviation of the real and of the imaginary part (0.01 = 1 %).
    """
    circuit, _ = resolve_circuit(circuit_or_preset)
    f = np.asarray(frequency, dtype=float)
    z = circuit.simulate(f, dict(values))
    if noise:
        if rng is None:
            raise ValueError("noise needs an explicit rng (np.random.default_rng(seed))")
        z = z * (1.0 + noise * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size)))
    return Spectrum(f, z, metadata=metadata or SpectrumMetadata(format="synthetic"))
