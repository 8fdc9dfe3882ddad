"""Simulated spectra: the impedance of a circuit at given frequencies, with optional noise of known size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._checks import checked
from ._typing import FloatArray
from .circuit import Circuit
from .data import Spectrum, SpectrumMetadata
from .exceptions import DataError, UnknownParameterError
from .parameters import is_impedance_py_circuit, resolve_circuit
from .presets import Preset


def named_values(
    circuit: Circuit, parameters: Mapping[str, float] | Sequence[float] | FloatArray, source: Any = None
) -> dict[str, float]:
    """Parameter values by canonical name from a mapping (nakinetics or impedance.py names) or a sequence
    in impedance.py's order.  With an impedance.py ``CustomCircuit`` as ``source`` its constants fill in
    and a sequence covers only the other parameters, as in impedance.py."""
    constants = (
        circuit.canonical_values(source.constants, "constants") if is_impedance_py_circuit(source) else {}
    )
    if isinstance(parameters, Mapping):
        values = constants | circuit.canonical_values(parameters, "parameters")
    else:
        sequence = [float(v) for v in np.asarray(parameters, dtype=float).ravel()]
        names = [n for n in circuit.parameter_names if n not in constants]
        if len(sequence) != len(names):
            raise UnknownParameterError(
                f"{circuit.text}: {len(sequence)} values given for {len(names)} parameters "
                f"({', '.join(circuit.impedance_py_names[circuit.parameter_names.index(n)] for n in names)})"
            )
        values = constants | dict(zip(names, sequence, strict=True))
    missing = [n for n in circuit.parameter_names if n not in values]
    if missing:
        raise UnknownParameterError(f"{circuit.text}: no value for {', '.join(missing)}")
    return values


@checked
def simulate(
    circuit: str | Circuit | Preset | Any,
    parameters: Mapping[str, float] | Sequence[float] | FloatArray,
    frequency_hz: FloatArray | Sequence[float],
    *,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> Spectrum:
    """The spectrum of ``circuit`` at ``frequency_hz`` (Hz) for the given parameter values.

    Parameters
    ----------
    circuit : a circuit string (``"R0-p(R1,CPE1)"``), a preset name, a :class:`Circuit`, a :class:`Preset`
        or an impedance.py ``CustomCircuit`` (its constants fill in).
    parameters : values by name (``{"R0": 10, "CPE1_Q": 1e-5}`` or impedance.py's ``{"CPE1_0": 1e-5}``;
        units as in :mod:`nakinetics.elements`), or a sequence in impedance.py's order (the circuit's
        parameter order, see ``Circuit(...).impedance_py_names``).
    frequency_hz : frequencies in Hz (> 0).
    noise, rng : relative standard deviation of proportional complex Gaussian noise: each point is
        multiplied by 1 + noise·(ε' + jε''), ε ~ N(0, 1) (0.01 = 1 %); needs ``rng`` when non-zero.

    Returns
    -------
    A :class:`Spectrum` (Z'' < 0 capacitive) whose metadata record the circuit and the values
    (``metadata.extra``).
    """
    model, _ = resolve_circuit(circuit)
    values = named_values(model, parameters, circuit)
    f = np.asarray(frequency_hz, dtype=float)
    if f.ndim != 1 or f.size == 0 or not np.all(np.isfinite(f)) or np.any(f <= 0):
        raise DataError("frequency_hz must be a non-empty 1-D array of finite frequencies > 0 Hz")
    with np.errstate(all="ignore"):  # a zero capacitance etc.: reported below, not as numpy warnings
        z = model.simulate(f, values)
    if not np.all(np.isfinite(z)):
        raise DataError(f"{model.text}: the impedance is not finite for parameters {values}")
    if noise:
        if rng is None:
            raise ValueError("noise needs an explicit rng (np.random.default_rng(seed))")
        with np.errstate(all="ignore"):  # |Z| near the largest float: reported below, not as numpy warnings
            z = z * (1.0 + noise * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size)))
        if not np.all(np.isfinite(z)):
            raise DataError(
                f"{model.text}: the impedance with relative noise {noise:g} overflows (not finite) for "
                f"parameters {values}: lower the noise or the parameter values"
            )
    extra = {"circuit": model.text, "parameters": values, "noise": noise}
    return Spectrum(f, z, metadata=SpectrumMetadata(format="simulated", extra=extra))


def synthetic_spectrum(
    circuit_or_preset: str | Circuit | Preset,
    values: Mapping[str, float],
    frequency: FloatArray,
    *,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
    metadata: SpectrumMetadata | None = None,
) -> Spectrum:
    """Z of a circuit at ``frequency`` (Hz) with proportional complex Gaussian noise (see :func:`simulate`;
    this variant takes the spectrum's metadata, default ``format="synthetic"``)."""
    spectrum = simulate(circuit_or_preset, values, frequency, noise=noise, rng=rng)
    return Spectrum(
        spectrum.frequency, spectrum.impedance, metadata=metadata or SpectrumMetadata(format="synthetic")
    )
