"""Plating/stripping analysis of cycling records: half-cycles with plateau and nucleation overpotentials,
short circuits, critical current density, Coulombic efficiency, overpotential growth, DC ASR.

>>> from nakinetics.io import read_cycling_record
>>> from nakinetics.cycling import analyse_cycling
>>> result = analyse_cycling(read_cycling_record("na_na.mpt"), area_cm2=0.785)
>>> result.to_dict()["short_circuit"]
"""

from .analysis import CELL_KINDS, DEFINITIONS, SIGN_CONVENTION, CyclingResult, HalfCycle, analyse_cycling
from .ccd import CCD_CONVENTIONS, CriticalCurrentDensity
from .efficiency import CoulombicEfficiency
from .shorts import ShortCircuit
from .synthetic import CyclingTruth, SyntheticCycling, synthetic_cycling

__all__ = [
    "CCD_CONVENTIONS",
    "CELL_KINDS",
    "DEFINITIONS",
    "SIGN_CONVENTION",
    "CoulombicEfficiency",
    "CriticalCurrentDensity",
    "CyclingResult",
    "CyclingTruth",
    "HalfCycle",
    "ShortCircuit",
    "SyntheticCycling",
    "analyse_cycling",
    "synthetic_cycling",
]
