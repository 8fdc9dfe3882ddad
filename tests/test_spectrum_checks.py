"""Spectra no impedance analysis can use are refused by every one of them, naming the cause: frequencies
without spread (30 rows at 100 Hz) and signs no cell gives (Z' < 0, a −Z'' column read as Z'')."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nakinetics._spectrum_checks import (
    CIRCUIT_FIT_SPREAD,
    FrequencySpread,
    frequency_spread,
    impedance_signs,
)
from nakinetics.conductivity import pellet_conductivity
from nakinetics.data import Spectrum, SpectrumMetadata
from nakinetics.diffusion import warburg_slope
from nakinetics.drt import compute_drt
from nakinetics.exceptions import DataError
from nakinetics.fitting import fit_circuit
from nakinetics.io import read_spectra
from nakinetics.synthetic import synthetic_spectrum
from nakinetics.validation import kramers_kronig_test

from .test_diffusion import run

TRUTH = {
    "L0": 5e-6,
    "R0": 10.0,
    "R1": 50.0,
    "CPE1_Q": 1e-7,
    "CPE1_n": 0.9,
    "R2": 300.0,
    "CPE2_Q": 1e-5,
    "CPE2_n": 0.85,
}
FREQ = np.logspace(6, -1, 57)


def _cell() -> Spectrum:
    """A Na | SE | Na spectrum with lead inductance: Z'' > 0 at the top three frequencies only."""
    spectrum = synthetic_spectrum(
        "L0-R0-p(R1,CPE1)-p(R2,CPE2)", TRUTH, FREQ, noise=0.003, rng=np.random.default_rng(0)
    )
    assert (spectrum.imag > 0).sum() == 3  # the premise: an inductive high-frequency end
    return spectrum


def _write(path: Path, header: str, columns: tuple[np.ndarray, ...]) -> Path:
    path.write_text(
        header
        + "\n"
        + "".join(",".join(f"{v:.10g}" for v in row) + "\n" for row in zip(*columns, strict=True))
    )
    return path


def _flat() -> Spectrum:
    f = np.full(30, 100.0)
    z = 10 + 20 / (1 + 2j * np.pi * f * 1e-3) + np.random.default_rng(0).normal(0, 0.05, 30)
    return Spectrum(f, z, metadata=SpectrumMetadata(source="flat.csv"))


# ---------------------------------------------------------------------------------------------------
# frequency spread


@pytest.mark.parametrize(
    "analysis",
    [
        lambda s: fit_circuit(s, "na_se_na_1arc"),
        lambda s: pellet_conductivity(s, thickness_cm=0.1, area_cm2=1.0),
        lambda s: kramers_kronig_test(s),
        lambda s: warburg_slope(s),
        lambda s: compute_drt(s),
    ],
    ids=["fit_circuit", "pellet_conductivity", "kramers_kronig_test", "warburg_slope", "compute_drt"],
)
def test_every_analysis_refuses_a_spectrum_at_one_frequency(analysis) -> None:
    """30 rows at 100 Hz were fitted (i0 = 7.55 mA cm⁻², σ from conductivity, exit 0)."""
    with pytest.raises(DataError, match=r"flat\.csv: all 30 point\(s\) are at 100 Hz; .* needs at least"):
        analysis(_flat())


def test_cli_commands_refuse_a_spectrum_at_one_frequency(tmp_path: Path) -> None:
    s = _flat()
    path = _write(tmp_path / "flat.csv", "freq/Hz,Z'/Ohm,Z''/Ohm", (s.frequency, s.real, s.imag))
    for args in (
        ("fit", "--area", "1"),
        ("conductivity", "--thickness", "0.1", "--area", "1"),
        ("validate",),
        ("warburg", "--area", "1", "--conc", "1M"),
        ("drt",),
    ):
        code, _, err = run(args[0], path, *args[1:])
        assert code == 1 and "all 30 point(s) are at 100 Hz" in err and err.count("\n") == 1, (args, err)


def test_spread_counts_distinct_frequencies_and_decades() -> None:
    """Repeated rows count once; the span is log10(f_max/f_min) of the distinct values."""
    need = FrequencySpread("a test", 5, 1.0)
    repeated = Spectrum(np.repeat([1e3, 1e2, 1e1], 4), np.full(12, 10 - 1j))
    with pytest.raises(DataError, match=r"12 points at 3 distinct frequencies spanning 2 decades"):
        frequency_spread(repeated, need)
    narrow = Spectrum(np.logspace(0, 0.9, 8), np.full(8, 10 - 1j))
    with pytest.raises(DataError, match=r"spanning 0\.9 decades"):
        frequency_spread(narrow, need)
    frequency_spread(Spectrum(np.logspace(0, 1, 5), np.full(5, 10 - 1j)), need)  # exactly enough
    assert (CIRCUIT_FIT_SPREAD.frequencies, CIRCUIT_FIT_SPREAD.decades) == (5, 1.0)


# ---------------------------------------------------------------------------------------------------
# signs


def test_cli_refuses_sign_flipped_columns_and_names_the_fix(tmp_path: Path) -> None:
    """Z' < 0 everywhere (i0 = 5e10 mA cm⁻² was reported) and −Z'' under the name Z'' (i0 1.50 instead of
    0.51) are refused with their likely cause; the fix the message names (a -Z'' header) gives the
    generating R2 back."""
    s = _cell()
    f, re, im = s.frequency, s.real, s.imag
    header = "freq/Hz,Z'/Ohm,Z''/Ohm"
    cases = {
        "negated.csv": ((f, -re, -im), "Z' < 0 at 57 of 57 points", "name them -Z' and -Z''"),
        "swapped.csv": ((f, im, re), "Z' < 0 at 54 of 57 points", "Z' and Z'' swapped"),
        "minus_imag.csv": ((f, re, -im), "Z'' > 0 (inductive) at 54 of 57 points", "name it -Z''"),
    }
    for name, (columns, found, fix) in cases.items():
        code, _, err = run(
            "fit", _write(tmp_path / name, header, columns), "-c", "na_se_na_2arc", "--area", "1"
        )
        assert code == 1 and found in err and fix in err and name in err, (name, err)
    fixed = _write(tmp_path / "fixed.csv", "freq/Hz,Z'/Ohm,-Z''/Ohm", (f, re, -im))
    [spectrum] = read_spectra(fixed)
    fit = fit_circuit(spectrum, "L0-R0-p(R1,CPE1)-p(R2,CPE2)")
    assert fit.values["R2"] == pytest.approx(TRUTH["R2"], rel=0.02)


def test_signs_of_real_cells_pass(realdata: Path) -> None:
    """Every real spectrum (instrument readers with verified conventions, inductive high-frequency ends
    and a few negative Z' at the top frequencies included) passes the sign check."""
    files = sorted(p for folder in ("eis", "eis_more") for p in (realdata / folder).iterdir())
    checked = 0
    for path in files:
        try:
            spectra = read_spectra(path)
        except DataError:
            continue  # a reader needing an optional extra
        for spectrum in spectra:
            impedance_signs(spectrum)
            checked += 1
    assert checked >= 15


def test_low_frequency_inductive_loop_and_lead_inductance_are_not_refused() -> None:
    """Genuine inductive behaviour: a lead inductance at the top frequencies, and an inductive loop at the
    lowest (adsorption, corrosion) — both capacitive in between."""
    impedance_signs(_cell())
    f = np.logspace(5, -2, 50)
    omega = 2 * np.pi * f
    capacitive = 10 + 100 / (1 + 1j * omega * 100 * 1e-5)
    loop = 1 / (1 / capacitive + 1 / (50 + 1j * omega * 200))  # an R-L branch in parallel: Z'' > 0 at low f
    spectrum = Spectrum(f, loop)
    assert spectrum.imag[-1] > 0 and spectrum.imag[20] < 0
    impedance_signs(spectrum)
