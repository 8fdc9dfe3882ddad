"""Operando GEIS time series: many spectra of one cell, fitted in time order next to the DC voltage.

>>> from nakinetics.series import SeriesSettings, fit_series
>>> result = fit_series(spectra, SeriesSettings("na_se_na_2arc", area_cm2=0.785, current_ma_cm2=0.2),
...                     voltage=record)                                   # doctest: +SKIP
>>> result.table.column("R_int"), result.onset_eis.time_s                 # doctest: +SKIP

Modules: :mod:`.timing` (time axis), :mod:`.fits` (warm start with cold fall-back), :mod:`.quality`
(KK, linearity, drift), :mod:`.dc` (voltage record, current, stripped charge, DC-apparent ASR),
:mod:`.onset` (change-point detection), :mod:`.table` (columns, units, ``series.csv`` text), :mod:`.runner` (the loop,
resumable), :mod:`.pools` (process pool / Dask), :mod:`.resume` (checks before continuing a run),
:mod:`.synthetic` (a synthetic experiment with known truth).
"""

from __future__ import annotations

from .dc import NA_MOLAR_VOLUME_CM3_MOL, DCConditions, VoltageTrace, align_voltage, na_thickness_um
from .fits import CHI2_JUMP, PreviousFit, SeriesSettings, SpectrumFit, fit_spectrum
from .onset import Onset, compare_onsets, detect_onset
from .pools import DaskPool, ProcessPool, TaskPool
from .runner import SeriesItem, SeriesResult, find_onsets, fit_series, run_series
from .table import Column, SeriesTable, series_columns
from .timing import SweepTime, TimeAxis, assign_times

__all__ = [
    "CHI2_JUMP",
    "NA_MOLAR_VOLUME_CM3_MOL",
    "Column",
    "DCConditions",
    "DaskPool",
    "Onset",
    "PreviousFit",
    "ProcessPool",
    "SeriesItem",
    "SeriesResult",
    "SeriesSettings",
    "SeriesTable",
    "SpectrumFit",
    "SweepTime",
    "TaskPool",
    "TimeAxis",
    "VoltageTrace",
    "align_voltage",
    "assign_times",
    "compare_onsets",
    "detect_onset",
    "find_onsets",
    "fit_series",
    "fit_spectrum",
    "na_thickness_um",
    "run_series",
    "series_columns",
]
