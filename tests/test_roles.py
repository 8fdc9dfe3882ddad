"""Cell convention and element roles: the numbers follow the measurement and the physics of each element, not
the way a circuit was named or which circuit won a model comparison (issue 10, items 3, 4 and 8)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics import CellGeometry, fit_circuit, with_derived
from nakinetics.cli import main
from nakinetics.constants import FARADAY, GAS_CONSTANT
from nakinetics.data import SpectrumMetadata
from nakinetics.roles import assign_roles, decide_context, matching_preset
from nakinetics.synthetic import synthetic_spectrum

from .test_diffusion import write_csv

AREA = 0.785  # cm²
RT_F = GAS_CONSTANT * 298.15 / FARADAY  # V


def i0_symmetric(r_ct: float) -> float:
    """Hand formula: i0 = 2RT/(F R_ct A) in mA cm⁻² for a symmetric cell (two identical interfaces)."""
    return 1e3 * 2 * RT_F / (r_ct * AREA)


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def q_for_apex(r: float, apex_hz: float, n: float) -> float:
    return (1 / (2 * math.pi * apex_hz)) ** n / r


TWO_ARC = {
    "R0": 33.5,
    "R1": 178.0,
    "CPE1_Q": q_for_apex(178.0, 2e4, 0.9),
    "CPE1_n": 0.9,
    "R2": 700.0,
    "CPE2_Q": q_for_apex(700.0, 150.0, 0.8),
    "CPE2_n": 0.8,
}


def two_arc_file(tmp_path: Path) -> Path:
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)", TWO_ARC, np.logspace(6, 0, 61), noise=0.004, rng=np.random.default_rng(3)
    )
    return write_csv(tmp_path / "na_nzsp_na.csv", spectrum)


# ---------------------------------------------------------------------------------------------------
# item 3: the cell convention is a property of the measurement


def test_circuit_string_equal_to_a_preset_gives_the_presets_numbers(tmp_path: Path) -> None:
    """Today the string gave half the preset's i0 (single interface assumed for a bare string)."""
    path = two_arc_file(tmp_path)
    records = []
    for circuit in ("na_se_na_2arc", "R0-p(R1,CPE1)-p(R2,CPE2)", "R3-p(R5,CPE5)-p(R8,CPE8)"):
        code, out, err = run("fit", path, "-c", circuit, "--area", AREA, "--json", "-")
        assert code == 0, err
        records.append(json.loads(out))
    preset, string, relabelled = records
    assert preset["derived"]["i0_R2"]["value"] == pytest.approx(i0_symmetric(TWO_ARC["R2"]), rel=0.02)
    assert string["derived"]["i0_R2"]["value"] == pytest.approx(preset["derived"]["i0_R2"]["value"], rel=1e-9)
    assert relabelled["derived"]["i0_R8"]["value"] == pytest.approx(
        preset["derived"]["i0_R2"]["value"], rel=1e-6
    )
    assert string["conventions"]["roles"] == preset["conventions"]["roles"]
    assert string["conventions"]["cell"] == preset["conventions"]["cell"] == "symmetric"


def test_automatic_choice_keeps_the_symmetric_factor_whatever_circuit_wins(tmp_path: Path) -> None:
    """A Randles-type winner used to drop the factor 2 of a symmetric Na | liquid | Na cell."""
    truth = {"R0": 6.0, "R1": 80.0, "CPE1_Q": q_for_apex(80.0, 300.0, 0.9), "CPE1_n": 0.9, "W1": 12.0}
    spectrum = synthetic_spectrum(
        "R0-p(R1-W1,CPE1)", truth, np.logspace(5, -2, 60), noise=0.003, rng=np.random.default_rng(5)
    )
    path = write_csv(tmp_path / "na_liquid_na.csv", spectrum)
    code, out, err = run("fit", path, "--area", AREA, "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["preset"] == "randles_w"
    assert record["conventions"]["cell"] == "symmetric" and record["conventions"]["cell_source"] == "default"
    assert record["derived"]["i0_R1"]["value"] == pytest.approx(i0_symmetric(truth["R1"]), rel=0.03)
    code, out, err = run("fit", path, "--area", AREA, "--cell", "single", "--json", "-")
    single = json.loads(out)
    assert single["derived"]["i0_R1"]["value"] == pytest.approx(i0_symmetric(truth["R1"]) / 2, rel=0.03)
    assert "ASR_R1_per_interface" not in single["derived"]


def test_context_sources_in_order() -> None:
    metadata = SpectrumMetadata(extra={"cell": "single", "electrolyte": "1 M NaPF6 in EC:DEC"})
    from nakinetics import get_preset

    preset = get_preset("na_se_na_2arc")
    assert decide_context().cell_source == "default"
    assert decide_context(preset=preset).cell == "symmetric"
    assert decide_context(preset=preset).electrolyte == "solid"
    from_file = decide_context(metadata=metadata, preset=preset)
    assert (from_file.cell, from_file.cell_source) == ("single", "file metadata")
    assert (from_file.electrolyte, from_file.electrolyte_source) == ("liquid", "file metadata")
    given = decide_context(cell="symmetric", electrolyte="solid", metadata=metadata)
    assert (given.cell, given.electrolyte, given.cell_source) == ("symmetric", "solid", "given")


def test_matching_preset_follows_the_electrolyte() -> None:
    assert matching_preset("R0-p(R1,CPE1)-p(R2,CPE2)").name == "na_se_na_2arc"
    assert matching_preset("R0-p(R1,CPE1)-p(R2,CPE2)", "liquid").name == "na_liquid_na"
    relabelled = matching_preset("p(CPE4,R4)-R9", None)
    assert relabelled is not None and relabelled.name == "na_se_na_1arc"
    assert dict(relabelled.roles) == {"R9": "electrolyte", "R4": "charge_transfer", "CPE4": "double_layer"}
    assert matching_preset("R0-p(R1,CPE1)-W2") is None


# ---------------------------------------------------------------------------------------------------
# roles from structure and capacitance (Irvine–Sinclair–West)


def test_roles_of_a_circuit_no_preset_knows() -> None:
    """Four arcs, no preset: the 1e-11 F arc is bulk, 1e-9 F grain boundary, the slowest electrode-like arc
    charge transfer and the other electrode arc interfacial; the intercept is counted as bulk (only a lead
    inductance in the circuit marks it as leads)."""
    from nakinetics import Circuit

    circuit = Circuit("R0-p(R1,C1)-p(R2,C2)-p(R3,C3)-p(R4,C4)")
    values = {
        "R0": 2,
        "R1": 100,
        "C1": 1e-11,
        "R2": 50,
        "C2": 1e-9,
        "R3": 30,
        "C3": 1e-6,
        "R4": 200,
        "C4": 2e-5,
    }
    roles = assign_roles(circuit, values, decide_context()).roles
    assert roles == {
        "R0": "bulk",
        "R1": "bulk",
        "C1": "bulk",
        "R2": "grain_boundary",
        "C2": "grain_boundary",
        "R3": "interface",
        "C3": "interface",
        "R4": "charge_transfer",
        "C4": "double_layer",
    }
    on_leads = assign_roles(Circuit(f"L9-{circuit.text}"), {**values, "L9": 1e-6}, decide_context()).roles
    assert on_leads["R0"] == "leads" and on_leads["L9"] == "inductance"
    liquid = assign_roles(circuit, values, decide_context(electrolyte="liquid")).roles
    assert [liquid[f"R{k}"] for k in range(1, 5)] == ["sei", "sei", "sei", "charge_transfer"]


def test_roles_from_structure() -> None:
    from nakinetics import Circuit

    film = assign_roles(Circuit("L1-R0-p(R1-p(R2-Ws2,CPE2),CPE1)"), {}, None).roles
    assert film == {
        "L1": "inductance",
        "R0": "electrolyte",
        "R1": "sei",
        "R2": "charge_transfer",
        "Ws2": "diffusion",
        "CPE2": "double_layer",
        "CPE1": "sei",
    }
    blocking = assign_roles(Circuit("R0-p(R1,C1)-C2"), {"R0": 10, "R1": 50, "C1": 1e-9, "C2": 1e-6}, None)
    assert dict(blocking.roles) == {
        "R0": "bulk",
        "R1": "grain_boundary",
        "C1": "grain_boundary",
        "C2": "electrode",
    }


# ---------------------------------------------------------------------------------------------------
# item 4: i0 only for charge transfer; liquid cells recognised


LIQUID = {
    "R0": 5.0,
    "R1": 8.0,  # SEI arc (the 8 Ω arc)
    "CPE1_Q": q_for_apex(8.0, 2e3, 0.9),
    "CPE1_n": 0.9,
    "R2": 60.0,  # charge transfer
    "CPE2_Q": q_for_apex(60.0, 20.0, 0.85),
    "CPE2_n": 0.85,
    "Ws3_R": 40.0,  # salt diffusion across the separator
    "Ws3_tau": 30.0,
}


def test_liquid_cell_charge_transfer_i0_within_5_percent(tmp_path: Path) -> None:
    """Today the automatic choice fits two arcs to SEI + charge transfer + diffusion and reports an i0 for
    the 8 Ω SEI arc; the charge-transfer i0 must come out within 5 % of 2RT/(F R_ct A), SEI with its ASR."""
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)-Ws3",
        LIQUID,
        np.logspace(5, -2.5, 60),
        noise=0.005,
        rng=np.random.default_rng(11),
    )
    path = write_csv(tmp_path / "na_liquid_na.csv", spectrum)
    for extra in ((), ("--electrolyte", "liquid")):
        code, out, err = run("fit", path, "--area", AREA, "--json", "-", *extra)
        assert code == 0, err
        record = json.loads(out)
        derived = record["derived"]
        assert [k for k in derived if k.startswith("i0_")] == ["i0_R2"], record["circuit"]
        assert derived["i0_R2"]["value"] == pytest.approx(i0_symmetric(LIQUID["R2"]), rel=0.05)
        assert derived["ASR_R1_cell"]["value"] == pytest.approx(LIQUID["R1"] * AREA, rel=0.1)
        assert record["conventions"]["roles"]["R1"] == "sei"
        assert "SEI" in derived["ASR_R1_cell"]["convention"]


def test_no_i0_without_a_charge_transfer_role() -> None:
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)-CPE2",
        {"R0": 50, "R1": 200, "CPE1_Q": 1e-9, "CPE1_n": 0.9, "CPE2_Q": 1e-6, "CPE2_n": 0.85},
        np.logspace(6, 0, 50),
    )
    result = with_derived(fit_circuit(spectrum, "R0-p(R1,CPE1)-CPE2"), CellGeometry(area_cm2=1.0))
    assert not any(k.startswith("i0_") for k in result.derived)


# ---------------------------------------------------------------------------------------------------
# item 8: effective capacitance named right, Brug's form beside it


def test_hsu_mansfeld_and_brug_capacitances_follow_their_formulas() -> None:
    """Hand formulas: Hsu–Mansfeld C = (Q R^(1−n))^(1/n); Brug C = Q^(1/n) (1/R_e + 1/R)^((n−1)/n)."""
    values = {"R0": 20.0, "R1": 500.0, "CPE1_Q": 3e-5, "CPE1_n": 0.8}
    spectrum = synthetic_spectrum("na_se_na_1arc", values, np.logspace(5, -1, 50))
    result = with_derived(fit_circuit(spectrum, "na_se_na_1arc"), CellGeometry(area_cm2=1.0))
    q, n, r, r_e = 3e-5, 0.8, 500.0, 20.0
    hsu_mansfeld = (q * r ** (1 - n)) ** (1 / n)
    brug = q ** (1 / n) * (1 / r_e + 1 / r) ** ((n - 1) / n)
    assert result.derived["C_eff_CPE1"].value == pytest.approx(hsu_mansfeld, rel=1e-4)
    assert "Hsu–Mansfeld" in result.derived["C_eff_CPE1"].convention
    assert result.derived["C_eff_Brug_CPE1"].value == pytest.approx(brug, rel=1e-4)
    assert "Brug" in result.derived["C_eff_Brug_CPE1"].convention
    assert brug < hsu_mansfeld  # R_e ≪ R: Brug's surface-distribution capacitance is the smaller


def test_ideal_capacitor_limit_of_both_forms() -> None:
    values = {"R0": 20.0, "R1": 500.0, "CPE1_Q": 3e-5, "CPE1_n": 1.0}
    spectrum = synthetic_spectrum("na_se_na_1arc", values, np.logspace(5, -1, 50))
    result = with_derived(fit_circuit(spectrum, "na_se_na_1arc"), CellGeometry(area_cm2=1.0))
    assert result.derived["C_eff_CPE1"].value == pytest.approx(3e-5, rel=1e-3)
    assert result.derived["C_eff_Brug_CPE1"].value == pytest.approx(3e-5, rel=1e-3)


def test_circuit_flag_is_honoured_when_compared(tmp_path: Path) -> None:
    """`-c X --compare Y` used to report Y silently when Y had the lower BIC."""
    path = two_arc_file(tmp_path)
    code, out, err = run("fit", path, "-c", "na_se_na_1arc", "--compare", "na_se_na_2arc", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["preset"] == "na_se_na_1arc" and record["circuit"] == "R0-p(R1,CPE1)"
    assert any("na_se_na_2arc describes the data better" in w for w in record["warnings"])
    assert [c["model"] for c in record["model_choice"]["candidates"]] == ["na_se_na_2arc", "na_se_na_1arc"]


def test_compare_without_circuit_adds_to_the_automatic_candidates(tmp_path: Path) -> None:
    path = two_arc_file(tmp_path)
    code, out, err = run("fit", path, "--compare", "R0-p(R1,C1)-p(R2,CPE2)", "--json", "-")
    assert code == 0, err
    models = {c["model"] for c in json.loads(out)["model_choice"]["candidates"]}
    assert {"na_se_na_1arc", "na_se_na_2arc", "R0-p(R1,C1)-p(R2,CPE2)"} <= models
