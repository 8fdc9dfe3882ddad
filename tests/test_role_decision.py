"""One role decision behind every derived number (issue 10 review: fit, conductivity, geis, tafel --eis,
arrhenius and cycling select resistances by element type and decide roles in one place).  Every expectation is a
hand formula on the known truth of a simulated spectrum."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics import CellGeometry, fit_circuit, with_derived
from nakinetics.circuit import Circuit
from nakinetics.cli import main
from nakinetics.conductivity import pellet_conductivity
from nakinetics.constants import FARADAY, GAS_CONSTANT
from nakinetics.derived import resistance_sum
from nakinetics.kinetics import eis_resistances
from nakinetics.roles import assign_roles, decide_context
from nakinetics.series.fits import CircuitRoles, SeriesSettings, fit_columns, fit_spectrum
from nakinetics.synthetic import synthetic_spectrum

from .test_diffusion import write_csv

RT_F = GAS_CONSTANT * 298.15 / FARADAY  # V
L_CM, A_CM2 = 0.162, math.pi * 1.114**2 / 4  # NZSP pellet of the domain guide


def i0_symmetric(r_ct: float, area: float) -> float:
    """Hand formula: i0 = 2RT/(F R_ct A) in mA cm⁻² (symmetric cell, two identical interfaces)."""
    return 1e3 * 2 * RT_F / (r_ct * area)


def q_for(r: float, c_eff: float, n: float) -> float:
    """CPE Q whose Hsu–Mansfeld capacitance (Q R^(1−n))^(1/n) is ``c_eff``."""
    return c_eff**n / r ** (1 - n)


def arcs(r0: float, *arcs: tuple[float, float, float]) -> dict[str, float]:
    """R0 and R‖CPE arcs numbered from 1, each given as (R in Ω, Hsu–Mansfeld C_eff in F, n)."""
    values = {"R0": r0}
    for k, (r, c_eff, n) in enumerate(arcs, start=1):
        values |= {f"R{k}": r, f"CPE{k}_Q": q_for(r, c_eff, n), f"CPE{k}_n": n}
    return values


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------------------------------------------
# 1. a capacitor is not a resistance (C elements: the parameter name equals the label)

RC2 = {"R0": 5.0, "R1": 10.0, "C1": 1e-6, "R2": 40.0, "C2": 1e-4}


def test_capacitors_are_not_counted_as_resistances() -> None:
    spectrum = synthetic_spectrum(
        "R0-p(R1,C1)-p(R2,C2)", RC2, np.logspace(6, -1.3, 70), noise=0.003, rng=np.random.default_rng(1)
    )
    result = with_derived(fit_circuit(spectrum, "R0-p(R1,C1)-p(R2,C2)"), CellGeometry(area_cm2=1.0))
    derived = result.derived
    assert not any(name.startswith("ASR_C") for name in derived)
    assert derived["ASR_interfacial_total_cell"].value == pytest.approx(RC2["R1"] + RC2["R2"], rel=0.01)
    assert derived["ASR_interfacial_total_cell"].unit == "Ohm cm^2"
    assert derived["i0_R2"].value == pytest.approx(i0_symmetric(RC2["R2"], 1.0), rel=0.01)


def test_conductivity_of_a_pellet_written_with_plain_capacitors() -> None:
    """Bulk 1e-12 F and grain boundary 1e-10 F (at L/A = 1 cm⁻¹) as ideal capacitors: σ_b = L/(R_b A), not
    L/(C_b A) (3.3e10 S cm⁻¹ before)."""
    scale = A_CM2 / L_CM  # capacitance of the pellet = specific capacitance × A/L
    truth = {"R1": 20e3, "C1": 1e-12 * scale, "R2": 30e3, "C2": 1e-10 * scale, "CPE3_Q": 1e-6, "CPE3_n": 0.85}
    spectrum = synthetic_spectrum(
        "p(R1,C1)-p(R2,C2)-CPE3", truth, np.logspace(7, 0, 71), noise=0.003, rng=np.random.default_rng(2)
    )
    result = pellet_conductivity(
        spectrum, thickness_cm=L_CM, area_cm2=A_CM2, circuit="p(R1,C1)-p(R2,C2)-CPE3"
    )
    assert result.bulk is not None and result.grain_boundary is not None
    assert result.bulk.value == pytest.approx(L_CM / (truth["R1"] * A_CM2), rel=0.02)
    assert result.grain_boundary.value == pytest.approx(L_CM / (truth["R2"] * A_CM2), rel=0.02)
    assert result.total.value == pytest.approx(L_CM / ((truth["R1"] + truth["R2"]) * A_CM2), rel=0.02)


def test_arrhenius_and_cycling_select_resistors_only() -> None:
    from nakinetics.arrhenius import _resistors
    from nakinetics.cycling.summary import eis_asr

    spectrum = synthetic_spectrum("R0-p(R1,C1)-p(R2,C2)", RC2, np.logspace(6, -1.3, 50))
    fit = fit_circuit(spectrum, "R0-p(R1,C1)-p(R2,C2)")
    assert _resistors(fit, None, ("interface", "charge_transfer"), "interfacial") == ["R1", "R2"]
    asr = eis_asr(fit, 2.0, symmetric=True)
    assert asr["interfacial_elements"] == ["R1", "R2"] and asr["ohmic_elements"] == ["R0"]
    assert asr["interfacial_asr_cell_ohm_cm2"]["value"] == pytest.approx(2.0 * 50.0, rel=1e-3)


# ---------------------------------------------------------------------------------------------------
# 2. a preset's arcs are named by time-constant rank, whatever order the fit left them in

LIQUID_2 = {  # liq2.csv of the review: SEI 10 Ω at ~26 kHz, charge transfer 40 Ω at ~74 Hz
    "R0": 5.0,
    "R1": 10.0,
    "CPE1_Q": 2e-6,
    "CPE1_n": 0.9,
    "R2": 40.0,
    "CPE2_Q": 1e-4,
    "CPE2_n": 0.9,
}


def liquid_2arc() -> object:
    return synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)",
        LIQUID_2,
        np.logspace(6, -1.3, 74),
        noise=0.003,
        rng=np.random.default_rng(0),
    )


def test_fixing_a_parameter_does_not_swap_the_preset_roles() -> None:
    """--fix CPE1_n=0.9 keeps the fit from sorting the arcs (R1 comes out as the slow 40 Ω arc); i0 must still be
    the charge-transfer arc's, 2RT/(F·40 Ω·A) = 1.28 mA cm⁻² (5.15 from the SEI arc before)."""
    result = with_derived(
        fit_circuit(liquid_2arc(), "na_liquid_na", fixed={"CPE1_n": 0.9}), CellGeometry(area_cm2=1.0)
    )
    i0 = [name for name in result.derived if name.startswith("i0_")]
    assert len(i0) == 1
    ct = i0[0].removeprefix("i0_")
    assert result.values[ct] == pytest.approx(LIQUID_2["R2"], rel=0.01)
    assert result.derived[i0[0]].value == pytest.approx(i0_symmetric(LIQUID_2["R2"], 1.0), rel=0.01)
    if ct == "R1":  # the fit left the arcs unsorted: the note says the roles follow the time constants
        assert any("roles follow the time constants" in w for w in result.warnings)


def test_preset_roles_by_rank_at_given_values() -> None:
    """The rule itself: na_liquid_na at values whose R1 arc is the slower one — R1 is the charge transfer."""
    values = {**LIQUID_2, "R1": 40.0, "CPE1_Q": 1e-4, "R2": 10.0, "CPE2_Q": 2e-6}
    found = assign_roles(Circuit("R0-p(R1,CPE1)-p(R2,CPE2)"), values, decide_context(electrolyte="liquid"))
    assert found.resistances("charge_transfer") == ["R1"] and found.resistances("sei") == ["R2"]
    assert (found.roles["CPE1"], found.roles["CPE2"]) == ("double_layer", "sei")
    in_order = assign_roles(
        Circuit("R0-p(R1,CPE1)-p(R2,CPE2)"), LIQUID_2, decide_context(electrolyte="liquid")
    )
    assert in_order.resistances("charge_transfer") == ["R2"] and not in_order.notes


# ---------------------------------------------------------------------------------------------------
# 3. charge transfer only for an arc that can be one


def liquid_cell(seed: int, f_lowest: float) -> tuple[dict[str, float], object]:
    """Na | liquid | Na with physical capacitances (SEI 1 µF cm⁻², double layer 20 µF cm⁻² per interface, 1 cm²)
    and a finite salt-diffusion tail."""
    truth = arcs(4.0, (12.0, 1e-6, 0.9), (60.0, 1e-5, 0.85)) | {"Ws3_R": 50.0, "Ws3_tau": 30.0}
    frequency = np.logspace(5, math.log10(f_lowest), 70)
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)-Ws3", truth, frequency, noise=0.004, rng=np.random.default_rng(seed)
    )
    return truth, spectrum


def test_a_diffusion_tail_fitted_as_an_arc_gets_no_i0() -> None:
    """Three arcs fitted to SEI + charge transfer + diffusion: the third arc (capacitance of F cm⁻²) is
    diffusion, and the charge transfer (60 Ω) keeps its i0 — before, i0 came from the tail and R_ct was called
    'interfacial'."""
    truth, spectrum = liquid_cell(4, 5e-3)
    fit = fit_circuit(spectrum, "R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,CPE3)")
    result = with_derived(fit, CellGeometry(area_cm2=1.0))
    i0 = [name for name in result.derived if name.startswith("i0_")]
    assert i0 == ["i0_R2"]
    assert result.values["R2"] == pytest.approx(truth["R2"], rel=0.05)
    assert result.derived["i0_R2"].value == pytest.approx(i0_symmetric(truth["R2"], 1.0), rel=0.05)
    roles = assign_roles(fit.circuit, fit.values, decide_context(), area_cm2=1.0, f_lowest_hz=5e-3).roles
    assert roles["R3"] == "diffusion" and roles["R1"] == "interface"
    assert any("R3 is not taken as charge transfer" in w for w in result.warnings)


def test_thresholds_of_the_charge_transfer_role() -> None:
    """Hand-placed arcs: a double layer of 20 µF cm⁻² is charge transfer; 5 mF cm⁻² is diffusion (the faster
    arc takes the role); n = 0.6 with the apex below the window is a Warburg-like tail; an apex below the
    window alone leaves no charge transfer at all (the faster arc is not promoted)."""
    circuit = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)-R9")  # no preset has this shape: the rules alone decide

    def roles(n2: float, apex2: float, r2: float = 50.0) -> dict[str, str]:
        """R2 with exponent ``n2`` and apex ``apex2`` (Hz); window from 0.1 Hz, area 1 cm²."""
        values = {"R0": 5.0, "R9": 0.5, "R1": 10.0, "CPE1_Q": q_for(10.0, 1e-6, 0.9), "CPE1_n": 0.9, "R2": r2}
        values |= {"CPE2_n": n2, "CPE2_Q": (1 / (2 * math.pi * apex2)) ** n2 / r2}
        found = assign_roles(
            circuit, values, decide_context(electrolyte="liquid"), area_cm2=1.0, f_lowest_hz=0.1
        )
        return dict(found.roles)

    # an ideal capacitor: C = τ/R; 20 µF cm⁻² → apex 1/(2π·50 Ω·20 µF) = 159 Hz
    assert roles(1.0, 1 / (2 * math.pi * 50 * 2e-5))["R2"] == "charge_transfer"
    diffusion = roles(1.0, 1 / (2 * math.pi * 50 * 5e-3))  # 5 mF cm⁻², apex 0.64 Hz inside the window
    assert diffusion["R2"] == "diffusion" and diffusion["R1"] == "charge_transfer"
    tail = roles(0.6, 0.05)
    assert tail["R2"] == "diffusion" and tail["R1"] == "charge_transfer"
    below = roles(0.9, 0.05, r2=5000.0)  # C_eff ≈ τ/R ≈ 6e-4 F cm⁻²: a double layer, but not measured
    assert below["R2"] == "interface" and below["R1"] == "sei"
    # a preset's charge-transfer arc that looks like diffusion loses the role; the preset's SEI stays SEI
    values = {
        "R0": 5.0,
        "R1": 10.0,
        "CPE1_Q": q_for(10.0, 1e-6, 0.9),
        "CPE1_n": 0.9,
        "R2": 50.0,
        "CPE2_n": 1.0,
    }
    values["CPE2_Q"] = 5e-3
    preset = assign_roles(
        Circuit("R0-p(R1,CPE1)-p(R2,CPE2)"), values, decide_context(electrolyte="liquid"), area_cm2=1.0
    )
    assert preset.source == "preset na_liquid_na"
    assert (preset.roles["R1"], preset.roles["R2"]) == ("sei", "diffusion")
    assert any("named charge transfer by the preset na_liquid_na" in note for note in preset.notes)
    assert "charge_transfer" not in below.values()


def test_real_ferricyanide_spectrum_gets_no_i0_from_its_diffusion_tail(realdata: Path) -> None:
    """PalmSens ferricyanide on a screen-printed electrode: the slowest fitted arc (n ≈ 0.64, apex 0.048 Hz,
    below the 0.1 Hz window) is the Warburg tail of the redox couple, not its charge transfer."""
    path = realdata / "eis_more" / "palmsens_ps4_pssession_cv-dpv-eis_ferricyanide-spe.pssession"
    code, out, err = run("fit", path, "--area", 1, "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    record = record[0] if isinstance(record, list) else record
    f_lowest = min(record["frequency_range_hz"])
    i0 = [name for name in record["derived"] if name.startswith("i0_")]
    assert i0, "the charge-transfer arc of the redox couple keeps its i0"
    for name in i0:
        quantity = record["derived"][name]
        label = name.removeprefix("i0_")
        cap = label.replace("R", "CPE")
        apex = record["derived"].get(f"f_apex_{cap}", {}).get("value")
        assert apex is None or apex >= f_lowest, (name, apex)
        assert record["parameters"][f"{cap}_n"]["value"] >= 0.7
        assert quantity["unit"] == "mA cm^-2"


# ---------------------------------------------------------------------------------------------------
# 4. geis decides roles as fit does

SE_3ARC = arcs(10.0, (400.0, 1e-10, 0.9), (800.0, 5e-7, 0.85), (2000.0, 2e-5, 0.85))
"""Na | NASICON | Na to 7 MHz: grain boundary (1e-10 F), interphase, charge transfer."""


def test_geis_r_int_is_the_interfacial_total_of_fit() -> None:
    spectrum = synthetic_spectrum(
        "na_se_na_3arc",
        SE_3ARC,
        np.logspace(np.log10(7e6), -1, 70),
        noise=0.003,
        rng=np.random.default_rng(5),
    )
    settings = SeriesSettings("na_se_na_3arc", area_cm2=1.0)
    fitted = fit_spectrum(spectrum, settings)
    row = fit_columns(fitted, CircuitRoles.of("na_se_na_3arc"), settings)
    result = with_derived(fitted.result, CellGeometry(area_cm2=1.0))
    assert row["R_int"] == pytest.approx(result.derived["ASR_interfacial_total_cell"].value, rel=1e-12)
    assert row["R_int"] == pytest.approx(SE_3ARC["R2"] + SE_3ARC["R3"], rel=0.03)
    assert row["R_SE"] == pytest.approx(SE_3ARC["R0"] + SE_3ARC["R1"], rel=0.03)
    assert "R1=grain_boundary" in row["roles"] and "ASR_R1" not in row
    assert CircuitRoles.of("na_se_na_3arc").electrolyte_parameters(row["roles"]) == (
        "R0",
        "R1",
        "CPE1_Q",
        "CPE1_n",
    )


DIFFUSION_LAST = "R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,C3)"
"""No preset has this shape (an ideal capacitor in the slowest arc): the roles come from the rules alone."""


def test_geis_passes_the_charge_transfer_role_on_from_a_diffusion_like_slowest_arc(tmp_path: Path) -> None:
    """A series of Na | liquid | Na spectra whose slowest arc is salt diffusion fitted as an arc (50 mF on
    1 cm²): geis names it diffusion, the next faster arc charge transfer, and R_int = R_SEI + R_ct (cell total,
    the truth within 3 %) leaves the diffusion out — the roles `fit` gives the same file."""
    truth = arcs(4.0, (12.0, 1e-6, 0.9), (60.0, 2e-5, 0.85)) | {"R3": 40.0, "C3": 0.05}
    folder = tmp_path / "series"
    folder.mkdir()
    for k in range(3):
        spectrum = synthetic_spectrum(
            DIFFUSION_LAST, truth, np.logspace(5, -2.3, 66), noise=0.003, rng=np.random.default_rng(20 + k)
        )
        write_csv(folder / f"spec_{k}.csv", spectrum)
    out = tmp_path / "out"
    code, _, err = run("geis", folder, "-c", DIFFUSION_LAST, "--interval", 600, "--area", 1, "--out", out)
    assert code == 0, err
    with (out / "series.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    code, text, err = run("fit", folder / "spec_0.csv", "-c", DIFFUSION_LAST, "--area", 1, "--json", "-")
    assert code == 0, err
    fitted = json.loads(text)
    for row in rows:
        roles = dict(part.split("=", 1) for part in row["roles"].split(";"))
        assert (roles["R3"], roles["R2"], roles["R1"]) == ("diffusion", "charge_transfer", "interface")
        assert roles == fitted["conventions"]["roles"]
        assert float(row["R_int"]) == pytest.approx(truth["R1"] + truth["R2"], rel=0.03)
        assert float(row["R_SE"]) == pytest.approx(truth["R0"], rel=0.03)
        assert not row.get("ASR_R3")
    assert [k for k in fitted["derived"] if k.startswith("i0_")] == ["i0_R2"]
    assert fitted["derived"]["i0_R2"]["value"] == pytest.approx(i0_symmetric(truth["R2"], 1.0), rel=0.03)


# ---------------------------------------------------------------------------------------------------
# 5. tafel --eis: R_ct is the charge transfer only


def test_eis_link_excludes_the_sei_from_r_ct(tmp_path: Path) -> None:
    spectrum = liquid_2arc()
    for electrolyte in ("liquid", None):
        res = eis_resistances(spectrum, cell="symmetric", electrolyte=electrolyte, area_cm2=1.0)
        assert res.kinetic_labels == ("R2",)
        assert res.r_ct == pytest.approx(LIQUID_2["R2"], rel=0.01)  # 50 Ω with the SEI before
        assert res.r_ohm == pytest.approx(LIQUID_2["R0"], rel=0.02)
    assert res.r_interfacial == pytest.approx(LIQUID_2["R1"] + LIQUID_2["R2"], rel=0.01)
    liquid = eis_resistances(spectrum, cell="symmetric", electrolyte="liquid", area_cm2=1.0)
    assert liquid.model == "na_liquid_na"  # the liquid-cell preset is a candidate, not dropped as a duplicate


def test_tafel_cli_takes_the_electrolyte(tmp_path: Path) -> None:
    from nakinetics.kinetics import synthetic_sweep, triangular_sweep

    r_ct = LIQUID_2["R2"]
    i0 = 2 * RT_F / (r_ct * 1.0)  # per electrode (A cm⁻²): R_ct of the cell holds two interfaces
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=i0,
        r_ohm=LIQUID_2["R0"] + LIQUID_2["R1"],  # the DC sweep sees the SEI as an ohmic drop
        area_cm2=1.0,
        potential_v=triangular_sweep(-0.4, 0.4, 0.002),
        noise_abs=1e-8,
        noise_rel=0.005,
        rng=np.random.default_rng(6),
    )
    sweep = tmp_path / "sweep.csv"
    rows = "\n".join(
        f"{t:.4f},{v:.6f},{i:.6e}"
        for t, v, i in zip(record.time_s, record.potential_v, record.current_a, strict=True)
    )
    sweep.write_text("time/s,Ewe/V,I/A\n" + rows + "\n", encoding="utf-8")
    eis = write_csv(tmp_path / "eis.csv", liquid_2arc())
    code, out, err = run(
        "tafel",
        sweep,
        "--area",
        1,
        "--eis",
        eis,
        "--electrolyte",
        "liquid",
        "--r-ohm",
        "15:0.5",
        "--json",
        "-",
    )
    assert code == 0, err
    link = json.loads(out)["eis_link"]
    assert link["R_ct"]["value"] == pytest.approx(r_ct, rel=0.01)
    assert link["i0_eis"]["value"] == pytest.approx(1e3 * 2 * RT_F / r_ct, rel=0.01)
    assert link["ratio_dc_eis"] == pytest.approx(1.0, abs=0.1)
    assert "na_liquid_na" in link["roles"]


# ---------------------------------------------------------------------------------------------------
# 6. Irvine–Sinclair–West: a grain-boundary arc at 5e-11 F is not bulk; a series R stays bulk


def test_grain_boundary_arc_is_not_bulk_and_the_intercept_stays_in_sigma_total() -> None:
    scale = A_CM2 / L_CM
    truth = {"R0": 20e3, "R1": 10e3, "C1": 5e-11 * scale, "C2": 2e-6}  # bulk as intercept, GB arc, electrode
    spectrum = synthetic_spectrum(
        "R0-p(R1,C1)-C2", truth, np.logspace(7, 0, 71), noise=0.003, rng=np.random.default_rng(7)
    )
    result = pellet_conductivity(spectrum, thickness_cm=L_CM, area_cm2=A_CM2, circuit="R0-p(R1,C1)-C2")
    assert result.roles["R0"] == "bulk" and result.roles["R1"] == "grain_boundary"
    assert result.total.value == pytest.approx(L_CM / ((truth["R0"] + truth["R1"]) * A_CM2), rel=0.02)


def test_bulk_resistances_of_one_role_add_up() -> None:
    """A series R and a resolved bulk arc (no lead inductance): both bulk, σ_bulk = L/((R0 + R1) A)."""
    scale = A_CM2 / L_CM
    values = {"R0": 50.0, "R1": 2e3, "C1": 1e-12 * scale, "R2": 3e3, "C2": 1e-9 * scale, "C3": 1e-6}
    spectrum = synthetic_spectrum("R0-p(R1,C1)-p(R2,C2)-C3", values, np.logspace(7.5, 0, 60))
    fit = fit_circuit(spectrum, "R0-p(R1,C1)-p(R2,C2)-C3")
    derived = with_derived(fit, CellGeometry(area_cm2=A_CM2, thickness_cm=L_CM)).derived
    assert derived["sigma_bulk"].value == pytest.approx(L_CM / ((50.0 + 2e3) * A_CM2), rel=0.01)
    assert derived["sigma_total"].value == pytest.approx(L_CM / ((50.0 + 5e3) * A_CM2), rel=0.01)


# ---------------------------------------------------------------------------------------------------
# 7. conductivity takes a preset's roles for a relabelled string, as fit does


def test_conductivity_relabelled_string_gives_the_presets_numbers() -> None:
    scale = A_CM2 / L_CM
    truth = {
        "R1": 20e3,
        "CPE1_Q": q_for(20e3, 1e-12 * scale, 0.95),
        "CPE1_n": 0.95,
        "R2": 25e3,
        "CPE2_Q": q_for(25e3, 3e-10 * scale, 0.8),
        "CPE2_n": 0.8,
        "CPE3_Q": 1e-6,
        "CPE3_n": 0.85,
    }
    spectrum = synthetic_spectrum(
        "pellet_blocking", truth, np.logspace(7, 0, 71), noise=0.005, rng=np.random.default_rng(8)
    )
    by_name = pellet_conductivity(spectrum, thickness_cm=L_CM, area_cm2=A_CM2, circuit="pellet_blocking")
    by_string = pellet_conductivity(
        spectrum, thickness_cm=L_CM, area_cm2=A_CM2, circuit="p(R5,CPE5)-p(R6,CPE6)-CPE7"
    )
    assert by_string.fit.preset is not None and by_string.fit.preset.name == "pellet_blocking"
    assert by_string.bulk is not None and by_name.bulk is not None
    assert by_string.bulk.value == pytest.approx(by_name.bulk.value, rel=1e-6)
    assert by_name.bulk.value == pytest.approx(L_CM / (truth["R1"] * A_CM2), rel=0.03)


# ---------------------------------------------------------------------------------------------------
# 8. one covariance sum, ties included


def test_resistance_sum_propagates_ties() -> None:
    """R2 tied to R1: the error of R1 + R2 = 2 R1 is twice R1's (the copies that ignored ties gave R1's)."""
    values = {"R0": 5.0, "R1": 20.0, "CPE1_Q": q_for(20.0, 1e-5, 0.9), "CPE1_n": 0.9}
    values |= {"R2": 20.0, "CPE2_Q": values["CPE1_Q"], "CPE2_n": 0.9}
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)", values, np.logspace(5, -1, 50), noise=0.01, rng=np.random.default_rng(9)
    )
    fit = fit_circuit(
        spectrum, "R0-p(R1,CPE1)-p(R2,CPE2)", ties={"R2": "R1", "CPE2_Q": "CPE1_Q", "CPE2_n": "CPE1_n"}
    )
    total, stderr = resistance_sum(fit, ["R1", "R2"])
    assert total == pytest.approx(2 * fit.values["R1"], rel=1e-12)
    assert stderr == pytest.approx(2 * fit.parameters["R1"].stderr, rel=1e-6)


# ---------------------------------------------------------------------------------------------------
# 9. a circuit string matching a preset says so


def test_circuit_string_reports_the_matching_preset_as_such(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "liq2.csv", liquid_2arc())
    code, out, err = run("fit", path, "-c", "R0-p(R1,CPE1)-p(R2,CPE2)", "--area", 1)
    assert code == 0, err
    assert "(circuit matches preset na_se_na_2arc" in out and "(preset na_se_na_2arc" not in out
    code, out, err = run("fit", path, "-c", "na_se_na_2arc", "--area", 1)
    assert "(preset na_se_na_2arc" in out


def test_one_electrode_arc_in_a_liquid_cell_gives_i0_as_a_lower_bound() -> None:
    """A Randles spectrum whose one arc is SEI (30 Ω) + charge transfer (20 Ω) merged: the fit cannot tell them
    apart, so i0 = 2RT/(F·50 Ω·A) is the arc's, below the true 2RT/(F·20 Ω·A) — the note says it is a lower bound
    (liquid or unknown electrolyte); two resolved arcs (SEI + CT) or a solid electrolyte get no such note."""
    values = {"R0": 5.0, "R1": 50.0, "W1": 20.0, "CPE1_Q": q_for(50.0, 2e-5, 0.9), "CPE1_n": 0.9}
    spectrum = synthetic_spectrum(
        "R0-p(R1-W1,CPE1)", values, np.logspace(5, -1, 61), noise=0.002, rng=np.random.default_rng(3)
    )
    fitted = fit_circuit(spectrum, "randles_w")
    for electrolyte in ("liquid", None):
        result = with_derived(fitted, CellGeometry(area_cm2=1.0, electrolyte=electrolyte))
        assert result.derived["i0_R1"].value == pytest.approx(i0_symmetric(50.0, 1.0), rel=0.02)
        assert result.derived["i0_R1"].value < i0_symmetric(20.0, 1.0)
        assert any("i0_R1 is a lower bound" in w for w in result.warnings)
    solid = with_derived(fitted, CellGeometry(area_cm2=1.0, electrolyte="solid"))
    assert not any("lower bound" in w for w in solid.warnings)
    two_arcs = with_derived(fit_circuit(liquid_2arc(), "na_liquid_na"), CellGeometry(area_cm2=1.0))
    assert not any("lower bound" in w for w in two_arcs.warnings)


def test_a_preset_made_for_the_other_electrolyte_is_reported_as_only_its_circuit(tmp_path: Path) -> None:
    """A three-arc liquid cell: the automatic choice can only offer the solid-electrolyte three-arc preset; its
    name (Na | solid electrolyte | Na) must not pass for a description of this cell."""
    values = arcs(4.0, (8.0, 2e-7, 0.92), (40.0, 2e-5, 0.88), (150.0, 3e-3, 0.85))  # SEI, CT, slow arc
    spectrum = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,CPE3)",
        values,
        np.logspace(6, -2, 70),
        noise=0.002,
        rng=np.random.default_rng(3),
    )
    path = write_csv(tmp_path / "liq3.csv", spectrum)
    code, out, err = run("fit", path, "-c", "na_se_na_3arc", "--electrolyte", "liquid", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["conventions"]["electrolyte"] == "liquid"
    assert "solid-electrolyte preset" in record["conventions"]["circuit_note"]
    code, out, err = run("fit", path, "-c", "na_se_na_3arc", "--electrolyte", "liquid")
    note_line = next(line for line in out.splitlines() if line.startswith("note"))
    assert "solid-electrolyte preset; this cell's electrolyte is liquid" in note_line
    # the circuit line stays a printed name `-c` takes back
    circuit_line = next(line for line in out.splitlines() if line.startswith("circuit"))
    label = circuit_line.removeprefix("circuit").strip()
    code, again, err = run("fit", path, "-c", label, "--electrolyte", "liquid")
    assert code == 0, err
    assert again == out
    for electrolyte in ("solid", None):  # the preset's own electrolyte, or none known: nothing to say
        options = ("--electrolyte", electrolyte) if electrolyte else ()
        code, out, err = run("fit", path, "-c", "na_se_na_3arc", *options, "--json", "-")
        assert code == 0, err
        assert "circuit_note" not in json.loads(out)["conventions"]
