"""``nakinetics tafel`` decides the cell convention from the measurement and says so, marks what the sweep
does not determine, and takes its choices in the case it prints them (BV, not only bv)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from nakinetics.io import read_spectrum
from nakinetics.kinetics import analyse_polarization, synthetic_sweep, triangular_sweep
from nakinetics.roles import decide_context

from .test_kinetics_cli import run

I0 = 1e-3  # A cm⁻²: the truth of the synthetic sweeps below
RT_F_MV = 25.693  # RT/F at 298.15 K


def _single_interface_csv(path: Path, potential_header: str) -> Path:
    """A one-interface Butler–Volmer sweep (i0 = 1 mA cm⁻², α = ½, A = 1 cm², ±0.3 V, 1 % noise) written
    with ``potential_header`` as the potential column's name."""
    record = synthetic_sweep(
        "bv",
        "single",
        i0=I0,
        potential_v=triangular_sweep(-0.3, 0.3, 0.002, False),
        noise_rel=0.01,
        rng=np.random.default_rng(3),
    )
    rows = "\n".join(f"{v:.6f},{i:.8e}" for v, i in zip(record.potential_v, record.current_a, strict=True))
    path.write_text(f"{potential_header},I/A\n{rows}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("E/V vs. Ag/AgCl", "single"),
        ("E (V vs RHE)", "single"),
        ("Ewe vs SCE (V)", "single"),
        ("E/V vs Ref", "single"),
        ("Overpotential / V", "single"),
        ("Ecell/V", "symmetric"),  # two-electrode: the default
        ("E vs Na/Na+ / V", "symmetric"),  # a Na | Na cell writes this too: not a three-electrode sign
        ("Potential/V", "symmetric"),
    ],
)
def test_the_cell_convention_comes_from_the_file(tmp_path: Path, header: str, cell: str) -> None:
    path = _single_interface_csv(tmp_path / "sweep.csv", header)
    code, out, err = run("tafel", path, "--area", "1", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["cell"] == cell
    if cell == "single":
        assert record["cell_source"].startswith("file:")
        # the three-electrode sweep read as one interface recovers the simulated i0 (1 mA cm⁻²)
        assert record["parameters"]["i0"]["value"] == pytest.approx(1e3 * I0, rel=0.05)
    else:
        assert record["cell_source"] == "default"
    text = run("tafel", path, "--area", "1")[1]
    cell_line = next(line for line in text.splitlines() if line.startswith("cell"))
    assert ("single interface" if cell == "single" else "symmetric cell") in cell_line
    assert ("--cell to change" if cell == "single" else "names no reference electrode") in cell_line


def test_an_explicit_cell_wins_over_the_file(tmp_path: Path) -> None:
    path = _single_interface_csv(tmp_path / "sweep.csv", "E/V vs. Ag/AgCl")
    record = json.loads(run("tafel", path, "--area", "1", "--cell", "symmetric", "--json", "-")[1])
    assert record["cell"] == "symmetric" and record["cell_source"] == "given"


def test_real_rde_sweep_is_a_single_interface(realdata: Path) -> None:
    # an RDE sweep exported as "Overpotential / V" (Tafel_Fitter, Pt HER): three-electrode by construction
    path = realdata / "dc" / "meg-lbnl_tafel_fitter" / "Pt-HER_100mM_perchloric_acid_1600rpm.csv"
    code, out, err = run("tafel", path, "--area", "0.196", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["cell"] == "single" and "overpotential" in record["cell_source"]


def test_what_the_sweep_does_not_determine_is_flagged(realdata: Path) -> None:
    # read as a symmetric cell, this 66 mV sweep cannot fix i0, α_a·α_c or R_ohm: R_ohm ends at its bound 0,
    # α_a·α_c at its limit n²/4, and i0's standard error is larger than i0
    path = realdata / "dc" / "meg-lbnl_tafel_fitter" / "Pt-HER_100mM_perchloric_acid_1600rpm.csv"
    args = ("tafel", path, "--area", "0.196", "--cell", "symmetric")
    record = json.loads(run(*args, "--json", "-")[1])
    parameters = record["parameters"]
    r_ohm, i0 = parameters["R_ohm"], parameters["i0"]
    assert r_ohm["value"] < 1e-9 and r_ohm["determined"] is False and "lower bound" in r_ohm["not_determined"]
    assert i0["stderr"] > i0["value"] and i0["determined"] is False
    assert parameters["alpha_product"]["determined"] is False
    assert parameters["V0"]["determined"] is True
    linear = record["linear"]["i0"]
    assert linear["determined"] is (linear["stderr"] <= linear["value"])
    text = run(*args)[1]
    i0_row = next(line for line in text.splitlines() if line.startswith("  i0 "))
    assert "NOT DETERMINED" in i0_row
    r_row = next(line for line in text.splitlines() if line.startswith("  R_ohm "))
    assert "NOT DETERMINED" in r_row and "lower bound" in r_row
    assert any("not determined by this sweep" in w and "i0" in w for w in record["warnings"])
    summary = run(*args, path.parent / "Pt-HER_*1600rpm.csv")[1]  # batch run: one line per sweep
    assert re.search(r"i0 = \S+ ± \S+ mA cm\^-2 NOT DETERMINED \(bv, symmetric\)", summary), summary


def test_a_well_determined_fit_is_not_flagged() -> None:
    # a symmetric sweep to ±0.6 V (past the 237 mV back-reaction threshold) fixes i0 and α_a·α_c
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=5e-4,
        potential_v=triangular_sweep(-0.6, 0.6, 0.002, False),
        noise_rel=0.01,
        rng=np.random.default_rng(4),
    )
    result = analyse_polarization(record, r_ohm=0.0)
    parameters = result.to_dict()["parameters"]
    assert result.cell == "symmetric" and result.cell_source == "default"  # a cell voltage: the default
    assert parameters["i0"]["determined"] is True
    assert parameters["i0"]["value"] == pytest.approx(0.5, rel=0.03)
    assert not any("not determined" in w for w in result.warnings)


@pytest.mark.parametrize("spelling", ["BV", "Bv", "bv"])
def test_choices_in_any_case(tmp_path: Path, spelling: str) -> None:
    # the report prints "model BV": that spelling is accepted back
    path = _single_interface_csv(tmp_path / "sweep.csv", "E/V vs. Ag/AgCl")
    code, out, err = run("tafel", path, "--area", "1", "--model", spelling, "--cell", "SINGLE", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["model"] == "bv" and record["cell"] == "single"
    assert "model     BV" in run("tafel", path, "--area", "1")[1]


def test_a_three_electrode_spectrum_gives_one_interface_i0(realdata: Path) -> None:
    # EC-Lab writes "Reference electrode : Ag/AgCl ..." in the header: the fit's i0 is RT/(F·R_ct·A), not 2×
    path = realdata / "eis_more" / "biologic_vsp_peis_ecl11-52_zn-mno2-3electrode.mpt"
    context = decide_context(metadata=read_spectrum(path).metadata)
    assert context.cell == "single" and "Ag/AgCl" in context.cell_source
    code, out, err = run("fit", path, "--area", "1", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    i0 = {k: v for k, v in record["derived"].items() if k.startswith("i0_")}
    for name, quantity in i0.items():
        resistance = record["parameters"][name.removeprefix("i0_")]["value"]
        assert quantity["value"] == pytest.approx(RT_F_MV / resistance, rel=1e-3)
    assert not any(k.endswith("_per_interface") for k in record["derived"])
    assert math.isfinite(record["statistics"]["chisqr"])
