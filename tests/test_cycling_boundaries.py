"""Step boundaries on the real BioLogic records land on the rows where the current changes, read from
the raw columns independently of nakinetics' readers (galvani for the .mpr files, numpy for the text
export) — issue 15."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from nakinetics.cycling import analyse_cycling
from nakinetics.io import read_cycling_record


def _raw_mpr(path):
    galvani = pytest.importorskip("galvani")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return galvani.BioLogic.MPRfile(str(path)).data


def test_gcpl_steps_start_where_charge_starts_to_flow(realdata):
    """NaCoO2 half cell GCPL: ``dq/mA.h`` (charge passed since the previous point) changes sign — or
    leaves zero after the rest — on the first row of each new current; every step the segmentation finds
    starts there (the set-current column ``control/V/mA`` already changes one row earlier, in the rest)."""
    path = realdata / "cycling" / "biologic_mpg2_gcpl_nacoo2-na-half-cell_6cycles.mpr"
    dq = _raw_mpr(path)["dq/mA.h"]
    changes = np.flatnonzero(np.diff(np.sign(dq)) != 0) + 1
    result = analyse_cycling(read_cycling_record(path), area_cm2=1.0)
    np.testing.assert_array_equal(result.steps.start[1:], changes)
    np.testing.assert_array_equal(result.arrays.start, changes)  # each a half-cycle (13, PROVENANCE)
    np.testing.assert_array_equal(result.arrays.stop, np.append(changes[1:], dq.size))


def test_time_voltage_export_segments_start_after_each_impedance_spectrum(realdata):
    """Li|Li time–voltage export (no current column): a GEIS spectrum was taken between the 1 h
    segments, so each segment starts on the first export row after the end time of a spectrum in the
    GEIS ``.mpr`` of the same run.  The soft-short noise has dips larger than the relaxation at a start
    (three of them once won the snapping); the protocol's rebuilt current must still switch exactly there."""
    folder = realdata / "cycling"
    geis = _raw_mpr(folder / "biologic_vsp_geis_li-li-symmetric_02-45-spectra.mpr")
    spectrum_end = np.array(
        [geis["time/s"][geis["cycle number"] == k].max() for k in np.unique(geis["cycle number"])]
    )
    path = folder / "biologic_vsp_gcpl_li-li-symmetric_03-45x1h-0.4mA_time-ewe-export.txt"
    export_time = np.loadtxt(path, skiprows=1, usecols=0)
    expected = np.searchsorted(export_time, spectrum_end, "right")
    assert expected.size == 45 and expected[0] == 0
    result = analyse_cycling(
        read_cycling_record(path, current_a=4e-4), area_cm2=1.0, half_cycle_h=1.0, unidirectional=True
    )
    np.testing.assert_array_equal(result.arrays.start, expected)
    np.testing.assert_array_equal(result.arrays.stop[:-1], expected[1:])


def test_time_voltage_reversals_cut_on_the_first_point_of_each_half_cycle():
    """Synthetic Na|Na record (1 h half-cycles at 10 s, each starting at the ohmic step, half of η_p, and
    charging): with the current from the protocol, every half-cycle starts on the first point the
    generator wrote for it — not one point later, where the swing from the level before looks larger."""
    from nakinetics.cycling import synthetic_cycling

    syn = synthetic_cycling(n_cycles=6, plateau_mv=15, noise_mv=0.1)
    record = syn.record
    given = dataclasses.replace(
        record,
        current_a=np.full(len(record), 1e-3),
        metadata=dataclasses.replace(record.metadata, extra={"current_source": "given"}),
    )
    expected = np.searchsorted(record.time_s, [h.start_s for h in syn.truth.half_cycles])
    result = analyse_cycling(given, half_cycle_h=1.0)
    np.testing.assert_array_equal(result.arrays.start, expected)
