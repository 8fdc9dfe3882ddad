"""A model that does not describe the data is flagged, one that does is not (issue 10 item 6).

Calibration on spectra of known truth: the true circuit at 0.3–3 % noise must pass; one arc fitted to a clear
two-arc spectrum, and randles_w fitted to a spectrum whose high-frequency (SEI) arc it lacks, must be flagged with
the band where the misfit lives.  The wider calibration is benchmarks/adequacy_calibration.py (README table).
"""

from __future__ import annotations

import numpy as np
import pytest

from nakinetics import fit_circuit
from nakinetics.adequacy import fit_adequacy
from nakinetics.synthetic import synthetic_spectrum
from nakinetics.validation import kramers_kronig_test

from .test_roles import q_for_apex

TWO_ARCS = {
    "R0": 20.0,
    "R1": 150.0,
    "CPE1_Q": q_for_apex(150.0, 3e4, 0.9),
    "CPE1_n": 0.9,
    "R2": 400.0,
    "CPE2_Q": q_for_apex(400.0, 30.0, 0.85),
    "CPE2_n": 0.85,
}
LIQUID_WITH_SEI = {
    "R0": 5.0,
    "R1": 25.0,  # the SEI arc at ~6 kHz that randles_w lacks
    "CPE1_Q": q_for_apex(25.0, 6e3, 0.9),
    "CPE1_n": 0.9,
    "R2": 60.0,
    "CPE2_Q": q_for_apex(60.0, 20.0, 0.85),
    "CPE2_n": 0.85,
    "W3": 10.0,
}


def checked(spectrum, circuit):  # type: ignore[no-untyped-def]
    """The fit with its KK test attached, and the adequacy record."""
    result = fit_circuit(spectrum, circuit)
    kk = kramers_kronig_test(result.spectrum)
    return result.with_kramers_kronig(kk), fit_adequacy(result, kk)


@pytest.mark.parametrize("noise", [0.003, 0.01, 0.03])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_true_circuit_is_not_flagged(noise: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    two = synthetic_spectrum("na_se_na_2arc", TWO_ARCS, np.logspace(6, -1, 60), noise=noise, rng=rng)
    liquid = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)-W3", LIQUID_WITH_SEI, np.logspace(5, -2, 60), noise=noise, rng=rng
    )
    for spectrum, circuit in ((two, "na_se_na_2arc"), (liquid, "R0-p(R1,CPE1)-p(R2,CPE2)-W3")):
        result, adequacy = checked(spectrum, circuit)
        assert not adequacy.inadequate, (circuit, adequacy)
        assert adequacy.ratio < 1.3
        assert not any("does not describe" in w for w in result.warnings)


@pytest.mark.parametrize("noise", [0.003, 0.03])
def test_one_arc_on_two_arc_data_is_flagged(noise: float) -> None:
    spectrum = synthetic_spectrum(
        "na_se_na_2arc", TWO_ARCS, np.logspace(6, -1, 60), noise=noise, rng=np.random.default_rng(4)
    )
    result, adequacy = checked(spectrum, "na_se_na_1arc")
    assert adequacy.inadequate and adequacy.ratio > 2
    warning = next(w for w in result.warnings if "does not describe the data" in w)
    assert f"residual ×{adequacy.ratio:.1f} the Kramers–Kronig residual" in warning
    f1, f2 = adequacy.band_hz
    assert f1 < 3e4 and f2 > 30  # the band spans the arcs the single arc has to share


def test_randles_without_the_sei_arc_is_flagged_at_high_frequency() -> None:
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)-W3",
        LIQUID_WITH_SEI,
        np.logspace(5, -2, 60),
        noise=0.003,
        rng=np.random.default_rng(6),
    )
    result, adequacy = checked(spectrum, "randles_w")
    assert result.kramers_kronig is not None and result.kramers_kronig.passed  # the data are fine
    assert adequacy.inadequate and adequacy.ratio > 3
    assert adequacy.band_hz[1] > 1e3  # the misfit lives where the missing SEI arc is
    assert any("structured between" in w for w in result.warnings)
