"""nakinetics: impedance and electrode-kinetics analysis for sodium-metal anodes.

Read any instrument's spectrum, fit an equivalent circuit with no initial guesses, and report
interfacial area-specific resistances, exchange current densities and conductivities with the
convention each number follows.

The public names below are imported on first use (PEP 562), so ``import nakinetics`` — and with it
every ``nakinetics`` command-line call — does not pay for numpy, scipy or the fitting engine until
something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .exceptions import (
    CircuitSyntaxError,
    DataError,
    ElementDefinitionError,
    FileFormatError,
    FitError,
    MissingFileError,
    NakineticsError,
    PresetError,
    UnknownElementError,
    UnknownParameterError,
    UnreadableFileError,
)

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    # public name: the module that defines it (imported on first attribute access)
    "fit_table": "batch",
    "Circuit": "circuit",
    "parse_circuit": "circuit",
    "Spectrum": "data",
    "SpectrumMetadata": "data",
    "CellGeometry": "derived",
    "derive_quantities": "derived",
    "with_derived": "derived",
    "DRTResult": "drt",
    "compute_drt": "drt",
    "ELEMENTS": "elements",
    "ElementSpec": "elements",
    "ParameterSpec": "elements",
    "register_element": "elements",
    "unregister_element": "elements",
    "DerivedQuantity": "fitting",
    "FitResult": "fitting",
    "FitStatistics": "fitting",
    "FittedParameter": "fitting",
    "Weighting": "fitting",
    "fit_circuit": "fitting",
    "read_spectra": "io",
    "read_spectrum": "io",
    "Preset": "presets",
    "get_preset": "presets",
    "list_presets": "presets",
    "ModelComparison": "selection",
    "choose_model": "selection",
    "compare_models": "selection",
    "CellContext": "roles",
    "assign_roles": "roles",
    "decide_context": "roles",
    "model_adequacy": "adequacy",
    "ProfileInterval": "profile",
    "profile_intervals": "profile",
    "load_fit": "records",
    "load_fits": "records",
    "simulate": "synthetic",
}

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports these on demand
    from .adequacy import model_adequacy
    from .batch import fit_table
    from .circuit import Circuit, parse_circuit
    from .data import Spectrum, SpectrumMetadata
    from .derived import CellGeometry, derive_quantities, with_derived
    from .drt import DRTResult, compute_drt
    from .elements import ELEMENTS, ElementSpec, ParameterSpec, register_element, unregister_element
    from .fitting import DerivedQuantity, FitResult, FitStatistics, FittedParameter, Weighting, fit_circuit
    from .io import read_spectra, read_spectrum
    from .presets import Preset, get_preset, list_presets
    from .profile import ProfileInterval, profile_intervals
    from .records import load_fit, load_fits
    from .roles import CellContext, assign_roles, decide_context
    from .selection import ModelComparison, choose_model, compare_models
    from .synthetic import simulate


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nakinetics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ELEMENTS",
    "CellContext",
    "CellGeometry",
    "Circuit",
    "CircuitSyntaxError",
    "DRTResult",
    "DataError",
    "DerivedQuantity",
    "ElementDefinitionError",
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
    "ProfileInterval",
    "Spectrum",
    "SpectrumMetadata",
    "UnknownElementError",
    "UnknownParameterError",
    "UnreadableFileError",
    "Weighting",
    "__version__",
    "assign_roles",
    "choose_model",
    "compare_models",
    "compute_drt",
    "decide_context",
    "derive_quantities",
    "fit_circuit",
    "fit_table",
    "get_preset",
    "list_presets",
    "load_fit",
    "load_fits",
    "model_adequacy",
    "parse_circuit",
    "profile_intervals",
    "read_spectra",
    "read_spectrum",
    "register_element",
    "simulate",
    "unregister_element",
    "with_derived",
]
