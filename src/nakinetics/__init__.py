"""nakinetics: impedance and electrode-kinetics analysis for sodium-metal anodes.

Read any instrument's spectrum, fit an equivalent circuit with no initial guesses, and report
interfacial area-specific resistances, exchange current densities and conductivities with the
convention each number follows.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .circuit import Circuit, parse_circuit
from .data import Spectrum, SpectrumMetadata
from .derived import CellGeometry, derive_quantities, with_derived
from .elements import ELEMENTS, ElementSpec, ParameterSpec
from .exceptions import (
    CircuitSyntaxError,
    DataError,
    FileFormatError,
    FitError,
    MissingFileError,
    NakineticsError,
    PresetError,
    UnknownElementError,
    UnreadableFileError,
)
from .fitting import DerivedQuantity, FitResult, FitStatistics, FittedParameter, Weighting, fit_circuit
from .io import read_spectra, read_spectrum
from .presets import Preset, get_preset, list_presets
from .selection import ModelComparison, compare_models

__all__ = [
    "ELEMENTS",
    "CellGeometry",
    "Circuit",
    "CircuitSyntaxError",
    "DataError",
    "DerivedQuantity",
    "ElementSpec",
    "FileFormatError",
    "FitError",
    "FitResult",
    "FitStatistics",
    "FittedParameter",
    "MissingFileError",
    "ModelComparison",
    "NakineticsError",
    "ParameterSpec",
    "Preset",
    "PresetError",
    "Spectrum",
    "SpectrumMetadata",
    "UnknownElementError",
    "UnreadableFileError",
    "Weighting",
    "__version__",
    "compare_models",
    "derive_quantities",
    "fit_circuit",
    "get_preset",
    "list_presets",
    "parse_circuit",
    "read_spectra",
    "read_spectrum",
    "with_derived",
]
