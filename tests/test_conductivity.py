"""Pellet conductivity σ = L/(R A): the NZSP reference pellet, resolved and unresolved arcs, model choice
that does not mistake the electrode spike for the electrolyte, and the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from nakinetics.conductivity import (
    PELLET_MODELS,
    ConductivityResult,
    _implausible,
    area_from_diameter,
    conductivity_from_fit,
    pellet_conductivity,
    pellet_models,
)
from nakinetics.data import Spectrum
from nakinetics.derived import CellGeometry, with_derived
from nakinetics.exceptions import DataError
from nakinetics.fitting import fit_circuit
from nakinetics.synthetic import synthetic_spectrum

from .test_diffusion import run, write_csv

L_CM, D_CM = 0.162, 1.114  # NZSP pellet with Au electrodes (domain guide §1)
AREA = math.pi * D_CM**2 / 4  # 0.97468 cm²
WIDE = np.logspace(7, 2, 51)  # Novocontrol-like 10 MHz → 100 Hz


def pellet(values: dict[str, float], frequency: np.ndarray = WIDE, seed: int = 0) -> Spectrum:
    return synthetic_spectrum(
        "pellet_blocking", values, frequency, noise=0.005, rng=np.random.default_rng(seed)
    )


# room temperature: bulk (C ≈ 1e-11 F) far above 10 MHz, the grain-boundary arc partly visible
ROOM = {
    "R1": 15.0,
    "CPE1_Q": 2e-11,
    "CPE1_n": 0.95,
    "R2": 25.5,
    "CPE2_Q": 3e-8,
    "CPE2_n": 0.85,
    "CPE3_Q": 2e-6,
    "CPE3_n": 0.8,
}
# low temperature: both arcs inside the window (bulk apex ≈ 250 kHz, grain boundary ≈ 10 kHz)
COLD = {
    "R1": 2e4,
    "CPE1_Q": 3e-11,
    "CPE1_n": 0.95,
    "R2": 3e4,
    "CPE2_Q": 2e-9,
    "CPE2_n": 0.85,
    "CPE3_Q": 2e-6,
    "CPE3_n": 0.8,
}


def test_area_from_diameter() -> None:
    assert area_from_diameter(D_CM) == pytest.approx(0.974676, rel=1e-6)
    with pytest.raises(DataError):
        area_from_diameter(0.0)


def test_nzsp_pellet_total_conductivity_4p1e_3() -> None:
    # by hand: 0.162 cm / (40.5 Ω × π 1.114²/4 cm²) = 4.104e-3 S/cm
    assert L_CM / (40.5 * AREA) == pytest.approx(4.104e-3, rel=1e-3)
    result = pellet_conductivity(pellet(ROOM), thickness_cm=L_CM, area_cm2=AREA)
    assert result.total.value == pytest.approx(L_CM / (40.5 * AREA), rel=0.01)
    assert f"{result.total.value:.2g}" == "0.0041" and result.total.unit == "S cm^-1"
    assert result.total.stderr is not None and result.total.stderr < 0.01 * result.total.value
    # the bulk arc is above 10 MHz: no bulk / grain-boundary split, and the reason says so
    assert not result.resolved and result.bulk is None and result.grain_boundary is None
    assert "not separated" in (result.reason or "") and "only σ_total" in (result.reason or "")
    assert "sigma_bulk" not in result.fit.derived  # not smuggled out through the fit record either
    assert result.choice is not None and "pellet_1arc" in result.choice


def test_resolved_arcs_give_bulk_and_grain_boundary() -> None:
    result = pellet_conductivity(pellet(COLD), thickness_cm=L_CM, area_cm2=AREA)
    assert result.resolved and result.fit.preset is not None and result.fit.preset.name == "pellet_blocking"
    assert result.bulk is not None and result.grain_boundary is not None
    assert result.bulk.value == pytest.approx(L_CM / (2e4 * AREA), rel=0.03)
    assert result.grain_boundary.value == pytest.approx(L_CM / (3e4 * AREA), rel=0.03)
    assert result.total.value == pytest.approx(L_CM / (5e4 * AREA), rel=0.01)
    assert result.reason is None and not result.notes  # capacitances are bulk- and gb-like


def test_bulk_arc_above_a_1_mhz_window() -> None:
    result = pellet_conductivity(
        pellet(COLD, np.logspace(7, 2, 51)).select(fmax=2e4), thickness_cm=L_CM, area_cm2=AREA
    )
    # the bulk apex (≈ 250 kHz) lies above 20 kHz: only the total, with the reason
    assert result.total.value == pytest.approx(L_CM / (5e4 * AREA), rel=0.02)
    assert not result.resolved and "bulk" in (result.reason or "")


def test_only_the_intercept_visible() -> None:
    values = {**ROOM, "CPE2_Q": 1e-10, "CPE2_n": 0.9}  # grain boundary above the window too
    result = pellet_conductivity(pellet(values, np.logspace(6, 2, 41)), thickness_cm=L_CM, area_cm2=AREA)
    assert result.fit.preset is not None and result.fit.preset.name == "pellet_intercept"
    assert result.total.value == pytest.approx(L_CM / (40.5 * AREA), rel=0.01)
    assert "one electrolyte resistance" in (result.reason or "")


HOT = {**ROOM, "R1": 0.4 * 1.2643, "R2": 0.6 * 1.2643}  # R_b + R_gb = 1.2643 Ω: a hot, fast pellet


@pytest.mark.parametrize("seed", [0, 3, 5])
def test_hot_pellet_total(seed: int) -> None:
    result = pellet_conductivity(pellet(HOT, seed=seed), thickness_cm=L_CM, area_cm2=AREA)
    assert result.total.value == pytest.approx(L_CM / (1.2643 * AREA), rel=0.02)


def test_an_arc_that_models_the_electrode_spike_is_set_aside() -> None:
    """The two-arc model can bend its grain-boundary arc into the electrode spike (R_gb → 1e9 Ω, forced
    here): such a fit is unphysical however low its BIC."""
    fit = fit_circuit(pellet(HOT), "pellet_blocking", fixed={"R2": 1e9})
    why = _implausible(with_derived(fit, CellGeometry(area_cm2=AREA, thickness_cm=L_CM)), L_CM / AREA)
    assert why is not None and "below the lowest measured frequency" in why and "electrode spike" in why
    # an arc inside the window but with a double-layer capacitance (forced R_gb = 100 Ω)
    fit = fit_circuit(pellet(HOT), pellet_models()[1], fixed={"R2": 100.0})
    fitted = with_derived(fit, CellGeometry(area_cm2=AREA, thickness_cm=L_CM))
    assert fitted.derived["f_apex_CPE2"].value > 100.0
    why = _implausible(fitted, L_CM / AREA)
    assert why is not None and "an electrode capacitance" in why
    good = pellet_conductivity(pellet(HOT), thickness_cm=L_CM, area_cm2=AREA).fit
    assert (
        _implausible(with_derived(good, CellGeometry(area_cm2=AREA, thickness_cm=L_CM)), L_CM / AREA) is None
    )


def test_conductivity_from_a_symmetric_cell_intercept() -> None:
    spectrum = synthetic_spectrum(
        "na_se_na_1arc", {"R0": 31.8, "R1": 9.0, "CPE1_Q": 4e-6, "CPE1_n": 0.82}, np.logspace(6, 0, 61)
    )
    result = conductivity_from_fit(fit_circuit(spectrum, "na_se_na_1arc"), 0.1, 0.785)
    assert result.total.value == pytest.approx(0.1 / (31.8 * 0.785), rel=1e-3)
    assert not result.resolved


def test_circuit_string_of_a_preset_gives_the_presets_conductivity() -> None:
    """The string of pellet_blocking takes that preset's roles (bulk, grain boundary): the same σ."""
    string = conductivity_from_fit(fit_circuit(pellet(COLD), "p(R1,CPE1)-p(R2,CPE2)-CPE3"), L_CM, AREA)
    preset = conductivity_from_fit(fit_circuit(pellet(COLD), "pellet_blocking"), L_CM, AREA)
    assert string.total.value == pytest.approx(preset.total.value, rel=1e-9)
    assert string.bulk is not None and preset.bulk is not None
    assert string.bulk.value == pytest.approx(preset.bulk.value, rel=1e-9)


def test_circuit_without_electrolyte_resistance_is_refused() -> None:
    fit = fit_circuit(pellet(COLD), "CPE3")  # nothing but the electrode spike
    with pytest.raises(DataError, match="names no bulk, grain-boundary or electrolyte resistance"):
        conductivity_from_fit(fit, L_CM, AREA)


# ---------------------------------------------------------------------------------------------------
# every name and string the tool prints is accepted back (issue 10 item 5)

SPECTRA = {  # each makes a different candidate win: pellet_1arc, pellet_blocking, pellet_intercept
    "room": pellet(ROOM),
    "cold": pellet(COLD),
    "intercept": pellet({**ROOM, "CPE2_Q": 1e-10, "CPE2_n": 0.9}, np.logspace(6, 2, 41)),
}


def _sigmas(result: ConductivityResult) -> tuple[float | None, ...]:
    return tuple(None if q is None else q.value for q in (result.total, result.bulk, result.grain_boundary))


@pytest.mark.parametrize("model", PELLET_MODELS)
def test_every_candidate_name_and_its_circuit_string_give_the_same_conductivity(model: str) -> None:
    spectrum = SPECTRA["room"]
    by_name = pellet_conductivity(spectrum, thickness_cm=L_CM, area_cm2=AREA, circuit=model)
    by_string = pellet_conductivity(
        spectrum, thickness_cm=L_CM, area_cm2=AREA, circuit=by_name.fit.circuit.text
    )
    assert _sigmas(by_string) == _sigmas(by_name)
    assert by_string.roles == by_name.roles


@pytest.mark.parametrize("case", list(SPECTRA))
def test_the_printed_automatic_choice_passed_back_gives_the_identical_sigma(
    tmp_path: Path, case: str
) -> None:
    path = write_csv(tmp_path / f"{case}.csv", SPECTRA[case])
    geometry = ("--thickness", L_CM, "--area", AREA, "--json", "-")
    code, out, err = run("conductivity", path, *geometry)
    assert code == 0, err
    auto = json.loads(out)
    printed = {auto["fit"]["preset"], auto["fit"]["circuit"]}
    printed |= {name for name in PELLET_MODELS if name in auto["choice"]}  # the runner-up it names
    assert f"circuit         {auto['fit']['preset']} ({auto['fit']['circuit']})" in err
    for name in printed:
        code, out, err = run("conductivity", path, *geometry, "-c", name)
        assert code == 0, f"{name}: {err}"
        again = json.loads(out)
        if again["fit"]["circuit"] == auto["fit"]["circuit"]:
            for key in ("sigma_total", "sigma_bulk", "sigma_grain_boundary"):
                assert again[key] == auto[key], (name, key)


def test_roles_of_a_circuit_string_follow_its_structure_not_its_labels() -> None:
    # the pellet_1arc circuit relabelled: R0 is the intercept (bulk), the arc the grain boundary
    result = pellet_conductivity(pellet(ROOM), thickness_cm=L_CM, area_cm2=AREA, circuit="R0-p(R1,CPE1)-CPE2")
    assert result.roles == {
        "R0": "bulk",
        "R1": "grain_boundary",
        "CPE1": "grain_boundary",
        "CPE2": "electrode",
    }
    assert result.total.value == pytest.approx(L_CM / (40.5 * AREA), rel=0.01)  # truth: R_b + R_gb = 40.5 Ω
    # both arcs resolved, written grain boundary first: the higher-frequency arc is still the bulk
    result = pellet_conductivity(
        pellet(COLD), thickness_cm=L_CM, area_cm2=AREA, circuit="p(R9,CPE9)-p(R8,CPE8)-CPE3"
    )
    cold = pellet_conductivity(
        pellet(COLD), thickness_cm=L_CM, area_cm2=AREA, circuit="p(R2,CPE2)-p(R1,CPE1)-CPE3"
    )
    for r in (result, cold):
        assert r.resolved and r.bulk is not None and r.grain_boundary is not None
        assert r.bulk.value == pytest.approx(L_CM / (2e4 * AREA), rel=0.03)
        assert r.grain_boundary.value == pytest.approx(L_CM / (3e4 * AREA), rel=0.03)
        bulk = next(label for label, role in r.roles.items() if role == "bulk" and label.startswith("R"))
        assert r.fit.values[bulk] == pytest.approx(2e4, rel=0.03)  # the arc of the bulk, whatever its label
    # an intercept with only the spike is the whole electrolyte
    only = pellet_conductivity(SPECTRA["intercept"], thickness_cm=L_CM, area_cm2=AREA, circuit="R7-CPE3")
    assert only.roles["R7"] == "electrolyte"
    assert only.total.value == pytest.approx(L_CM / (40.5 * AREA), rel=0.01)


def test_every_preset_name_fit_prints_is_accepted_back() -> None:
    code, out, err = run("circuits")
    assert code == 0, err
    names = [line.split()[0] for line in out.splitlines() if line and not line.startswith("[")]
    assert set(PELLET_MODELS) <= set(names) and "na_se_na_1arc" in names
    spectrum = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_carbonate_na.csv"
    for name in names:
        code, _, err = run("fit", spectrum, "-c", name)
        assert code == 0, f"fit -c {name}: {err}"
    code, out, err = run("fit", spectrum, "--json", "-")
    assert code == 0, err
    auto = json.loads(out)
    for printed in (auto["preset"], auto["circuit"]):
        code, out, err = run("fit", spectrum, "-c", printed, "--json", "-")
        assert code == 0, err
        if printed == auto["preset"]:
            again = json.loads(out)
            assert {k: v["value"] for k, v in again["parameters"].items()} == {
                k: v["value"] for k, v in auto["parameters"].items()
            }


# ---------------------------------------------------------------------------------------------------
# command line


def test_cli_conductivity_with_diameter_json_and_plot(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "pellet.csv", pellet(ROOM))
    figure = tmp_path / "pellet.png"
    code, out, err = run(
        "conductivity", path, "--thickness", L_CM, "--diameter", D_CM, "--json", "-", "--plot", figure
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["sigma_total"]["value"] == pytest.approx(4.104e-3, rel=0.01)
    assert record["sigma_total"]["unit"] == "S cm^-1"
    assert (
        record["sigma_bulk"] is None and record["resolved"] is False and "not separated" in record["reason"]
    )
    assert record["inputs"]["area_cm2"] == pytest.approx(AREA)
    assert "sigma_total" in err and "note" in err
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_conductivity_resolved_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cold.csv", pellet(COLD))
    code, out, _ = run("conductivity", path, "--thickness", L_CM, "--area", AREA, "-c", "pellet_blocking")
    assert code == 0
    assert "sigma_bulk" in out and "sigma_gb" in out and "sigma_total" in out


def test_cli_conductivity_needs_exactly_one_area(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "pellet.csv", pellet(ROOM))
    code, _, err = run("conductivity", path, "--thickness", L_CM)
    assert code == 2 and "--area" in err
    code, _, err = run("conductivity", path, "--thickness", L_CM, "--area", "1", "--diameter", "1")
    assert code == 2
