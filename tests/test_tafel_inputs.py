"""``nakinetics tafel`` inputs that used to be taken silently (issue 10 item 8): R_Ω = 0 for iR-corrected
data is exact, the transport warning compares each branch with its own limit, a placeholder area from the
file is named, and current-density exports are read with --area."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nakinetics.data import DCMetadata, DCRecord
from nakinetics.io import read_dc_record
from nakinetics.kinetics import analyse_polarization, prepare_sweep, synthetic_sweep, triangular_sweep
from nakinetics.kinetics.analysis import placeholder_area

from .test_kinetics_cli import run

NOISE = {"noise_abs": 1e-8, "noise_rel": 0.01}


def _csv(path: Path, record: DCRecord, density_area: float | None = None) -> Path:
    """The record as time/s, Ewe/V, I/A, or as current density j in mA/cm² over ``density_area``."""
    if density_area is None:
        header, current = "time/s,Ewe/V,I/A", record.current_a
    else:
        header, current = "time/s,Ewe/V,j (mA/cm2)", 1e3 * record.current_a / density_area
    rows = "\n".join(
        f"{t:.4f},{v:.6f},{i:.8e}" for t, v, i in zip(record.time_s, record.potential_v, current, strict=True)
    )
    path.write_text(f"{header}\n{rows}\n", encoding="utf-8")
    return path


def _auto_with_r_ohm_zero(path: Path) -> dict:
    code, out, err = run("tafel", path, "--area", "1", "--model", "auto", "--r-ohm", "0", "--json", "-")
    assert code == 0, err
    return json.loads(out)


def test_r_ohm_zero_is_exact_so_mhc_can_be_chosen(tmp_path: Path) -> None:
    """iR-corrected MHC data (truth λ = 0.3 eV, i0 = 0.5 mA cm⁻²): with --r-ohm 0 the BV/MHC choice needs no
    uncertainty of R_Ω and picks MHC; iR-corrected BV data stay BV (negative control)."""
    sweep = triangular_sweep(-0.6, 0.6, 0.002, False)
    truth = {"i0": 5e-4, "potential_v": sweep, **NOISE}
    mhc = synthetic_sweep("mhc", "symmetric", lambda_ev=0.3, rng=np.random.default_rng(15), **truth)
    record = _auto_with_r_ohm_zero(_csv(tmp_path / "mhc.csv", mhc))
    assert record["model_comparison"]["preferred"] == "mhc", record["model_comparison"]["reason"]
    assert record["parameters"]["lambda_eV"]["value"] == pytest.approx(0.3, rel=0.05)
    assert record["parameters"]["i0"]["value"] == pytest.approx(0.5, rel=0.03)
    assert (
        "iR-corrected" in record["r_ohm_source"] and "taken as exact" in record["model_comparison"]["reason"]
    )
    assert not any("without an uncertainty" in w for w in record["warnings"])
    bv = synthetic_sweep("bv", "symmetric", rng=np.random.default_rng(16), **truth)
    assert _auto_with_r_ohm_zero(_csv(tmp_path / "bv.csv", bv))["model_comparison"]["preferred"] == "bv"


def test_transport_warning_compares_each_branch_with_its_own_limit() -> None:
    """Single interface limited on the cathodic side only (i_L = 2 mA cm⁻²); the anodic branch reaches
    ~0.9 A cm⁻² unlimited.  Comparing that anodic current with the cathodic limit gave "45 900 %"."""
    record = synthetic_sweep(
        "bv-limited",
        "single",
        i0=1e-3,
        i_lim=2e-3,
        potential_v=triangular_sweep(-0.35, 0.35),
        rng=np.random.default_rng(9),
        **NOISE,
    )
    result = analyse_polarization(record, cell="single", model="bv-limited", alpha="sum", r_ohm=0.0)
    transport = result.diagnostics_dict()["transport"]
    expected = float(np.max(-record.current_a)) / 2e-3  # largest cathodic current over the true limit
    assert transport["cathodic_current_over_limit"] == pytest.approx(expected, rel=0.03)
    assert "anodic_current_over_limit" not in transport  # no anodic limit in the model
    assert transport["max_current_over_i_lim"] < 1.1
    notes = [w for w in result.warnings if "limiting current" in w]
    assert len(notes) == 1 and notes[0].startswith("the cathodic current reaches")


def test_symmetric_transport_limit_counts_both_directions() -> None:
    record = synthetic_sweep(
        "bv-limited",
        "symmetric",
        i0=1e-3,
        i_lim=3e-3,
        t_plus=0.4,
        potential_v=triangular_sweep(-0.5, 0.5),
        rng=np.random.default_rng(3),
        **NOISE,
    )
    result = analyse_polarization(record, cell="symmetric", model="bv-limited", r_ohm=0.0)
    transport = result.diagnostics_dict()["transport"]
    # each direction against the electrolyte's true limit (3 mA cm⁻²)
    assert transport["anodic_current_over_limit"] == pytest.approx(
        float(np.max(record.current_a)) / 3e-3, rel=0.03
    )
    assert transport["cathodic_current_over_limit"] == pytest.approx(
        float(np.max(-record.current_a)) / 3e-3, rel=0.03
    )


def test_placeholder_area_from_the_file_is_named(realdata: Path) -> None:
    cv = next((realdata / "dc" / "houlbergg_fe23_rde").glob("*_02_CV_C15.mpt"))
    record = read_dc_record(cv)
    assert record.metadata.area_cm2 == 0.001  # EC-Lab's default, left in the header
    sweep, notes = prepare_sweep(record, area_cm2=None, temperature_k=None)
    # a software default is not the electrode's area: not used (absolute currents), as in `fit`
    assert sweep.area_source == "placeholder" and sweep.area_cm2 is None
    placeholder = [n for n in notes if "0.001 cm² is EC-Lab's default" in n and "not used" in n]
    assert len(placeholder) == 1 and not any(n.startswith("no electrode area") for n in notes)
    assert sweep.current == pytest.approx(record.current_a)  # A, not A per 0.001 cm²
    for given in (
        prepare_sweep(record, area_cm2=0.196, temperature_k=None),
        prepare_sweep(read_dc_record(cv, area_cm2=0.196), area_cm2=None, temperature_k=None),
    ):
        assert given[0].area_source == "given" and given[0].area_cm2 == 0.196
        assert not any("taken from the file" in n for n in given[1])


def test_placeholder_rule() -> None:
    assert placeholder_area(DCMetadata(format="biologic-mpt", area_cm2=0.001)) is not None
    assert placeholder_area(DCMetadata(format="biologic-mpr", area_cm2=0.001)) is not None
    assert placeholder_area(DCMetadata(format="biologic-mpt", area_cm2=0.785)) is None
    assert placeholder_area(DCMetadata(format="gamry", area_cm2=0.001)) is None


def test_current_density_export_is_read_with_area(tmp_path: Path) -> None:
    """A sweep exported as j (mA/cm²): --area converts it (truth i0 = 1 mA cm⁻², whatever the area)."""
    record = synthetic_sweep(
        "bv",
        "single",
        i0=1e-3,
        potential_v=triangular_sweep(-0.3, 0.3),
        area_cm2=0.5,
        rng=np.random.default_rng(4),
        **NOISE,
    )
    path = _csv(tmp_path / "j.csv", record, density_area=0.5)
    code, _, err = run("tafel", path, "--cell", "single", "--r-ohm", "0")
    assert code == 1 and "current density" in err and "--area" in err and len(err.strip().splitlines()) == 1
    code, out, err = run("tafel", path, "--cell", "single", "--r-ohm", "0", "--area", "0.5", "--json", "-")
    assert code == 0, err
    result = json.loads(out)
    assert result["area_cm2"] == 0.5 and result["area_source"] == "given"
    assert result["parameters"]["i0"]["value"] == pytest.approx(1.0, rel=0.02)
