"""The cell convention and the electrolyte come from what the instrument file says (issue 10, item 3): a named
reference electrode or a recorded counter-electrode potential means a three-electrode measurement of one interface
(i0 = RT/(nF R A), no factor 2, no per-interface halving); an EC-Lab ``Electrolyte :`` entry names the
electrolyte; a two-electrode file keeps the symmetric default."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics import read_spectrum
from nakinetics.cli import main
from nakinetics.constants import FARADAY, GAS_CONSTANT
from nakinetics.io.par import _reference_electrode as versastudio_reference
from nakinetics.roles import decide_context, electrolyte_from_text
from nakinetics.synthetic import synthetic_spectrum

RT_F = GAS_CONSTANT * 298.15 / FARADAY  # V


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def write_mpt(
    path: Path,
    fields: dict[str, str],
    ece_v: float | None = None,
    *,
    circuit: str = "R0-p(R1,CPE1)",
    values: dict[str, float] | None = None,
    frequency: np.ndarray | None = None,
    seed: int = 5,
) -> Path:
    """A minimal EC-Lab PEIS export with the named header ``fields`` and, when ``ece_v`` is given, EC-Lab's
    recorded counter-electrode potential ``<Ece>/V``; the spectrum is ``circuit`` at ``values`` (default: one
    arc, R0 = 10 Ω, R1 = 100 Ω, apex 100 Hz, 1e5–0.1 Hz) with 0.2 % noise."""
    if values is None:
        q = (1 / (2 * math.pi * 100.0)) ** 0.9 / 100.0
        values = {"R0": 10.0, "R1": 100.0, "CPE1_Q": q, "CPE1_n": 0.9}
    spectrum = synthetic_spectrum(
        circuit,
        values,
        np.logspace(5, -1, 37) if frequency is None else frequency,
        noise=0.002,
        rng=np.random.default_rng(seed),
    )
    names = ["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm", "time/s", "<Ewe>/V", "<I>/mA"]
    if ece_v is not None:
        names.append("<Ece>/V")
    head = [
        "Potentio Electrochemical Impedance Spectroscopy",
        "",
        "Run on channel : 1 (SN 1)",
        "Device : SP-150 (SN 1)",
        *(f"{key} : {value}" for key, value in fields.items()),
        "Electrode surface area : 1.000 cm²",
        "",
    ]
    rows = []
    for k, (f, z) in enumerate(zip(spectrum.frequency, spectrum.impedance, strict=True)):
        row = [f, z.real, -z.imag, float(k), 0.0, 0.0] + ([ece_v] if ece_v is not None else [])
        rows.append("\t".join(f"{v:.7E}" for v in row))
    n_header = 2 + len(head) + 1
    text = ["EC-Lab ASCII FILE", f"Nb header lines : {n_header}", *head, "\t".join(names), *rows]
    path.write_text("\n".join(text) + "\n", encoding="latin-1")
    return path


@pytest.mark.parametrize(
    ("fields", "ece_v", "cell", "electrolyte"),
    [
        (
            {"Electrolyte": "1 M NaPF6 in diglyme", "Reference electrode": "Ag/AgCl (0.197 V)"},
            None,
            "single",
            "liquid",
        ),
        (
            {"Electrolyte": "1 M NaPF6 in diglyme"},
            -0.95,
            "single",
            "liquid",
        ),  # a separate reference: E_ce ≠ 0
        (
            {"Electrolyte": "1 M NaPF6 in diglyme"},
            0.0,
            "symmetric",
            "liquid",
        ),  # Ref tied to CE: two electrodes
        ({"Electrolyte": "Na3Zr2Si2PO12 pellet"}, None, "symmetric", "solid"),
        ({"Electrolyte": "", "Reference electrode": ""}, None, "symmetric", None),
    ],
)
def test_mpt_header_decides_cell_and_electrolyte(
    tmp_path: Path, fields: dict[str, str], ece_v: float | None, cell: str, electrolyte: str | None
) -> None:
    spectrum = read_spectrum(write_mpt(tmp_path / "cell.mpt", fields, ece_v))
    named = {k: v for k, v in fields.items() if v}
    assert {k: spectrum.metadata.extra["header"][k] for k in named} == named  # the named fields are kept
    context = decide_context(metadata=spectrum.metadata)
    assert (context.cell, context.electrolyte) == (cell, electrolyte)
    assert context.cell_source.startswith("file") == (cell == "single")


def test_three_electrode_file_gives_single_interface_i0(tmp_path: Path) -> None:
    path = write_mpt(tmp_path / "cell.mpt", {"Reference electrode": "SCE"})
    code, out, err = run("fit", path, "-c", "na_se_na_1arc", "--area", "1", "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    r1 = record["parameters"]["R1"]["value"]
    assert r1 == pytest.approx(100.0, rel=0.03)
    # one interface: i0 = RT/(F R A), no factor 2, and no per-interface ASR
    assert record["derived"]["i0_R1"]["value"] == pytest.approx(1e3 * RT_F / (r1 * 1.0), rel=1e-6)
    assert "ASR_R1_per_interface" not in record["derived"]
    assert record["derived"]["ASR_R1_cell"]["value"] == pytest.approx(r1, rel=1e-9)


def test_real_three_electrode_files(realdata: Path) -> None:
    three = read_spectrum(realdata / "eis_more" / "biologic_vsp_peis_ecl11-52_zn-mno2-3electrode.mpt")
    assert three.metadata.extra["header"]["Electrode material"] == "alphaMnO2"
    context = decide_context(metadata=three.metadata)
    assert (context.cell, context.electrolyte) == ("single", "liquid")  # Ag/AgCl; 1M Na2SO4 + 0.2M MnSO4
    with_ece = read_spectrum(realdata / "eis_more" / "biologic_vmp3_peis-multisine_ecl11-61_with-ece.mpt")
    assert decide_context(metadata=with_ece.metadata).cell == "single"  # E_ce ≈ −0.95 V: separate Ag wire
    two = read_spectrum(realdata / "eis" / "biologic_sp150_peis_ecl11-18.mpt")
    assert decide_context(metadata=two.metadata).cell == "symmetric"  # "vs. Ref" alone is no reference
    code, out, err = run(
        "fit",
        realdata / "eis_more" / "biologic_vsp_peis_ecl11-52_zn-mno2-3electrode.mpt",
        "--area",
        "1",
        "--json",
        "-",
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["conventions"]["cell"] == "single"
    assert not any(name.endswith("_per_interface") for name in record["derived"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 M NaPF6 in diglyme", "liquid"),
        ("1M Na2SO4 + 0.2M MnSO4 + Ar", "liquid"),
        ("2.0M Zn(ClO4)2 in water", "liquid"),
        ("1 M NaClO4 in EC:PC (1:1)", "liquid"),
        ("NaPF6/DME", "liquid"),
        ("Na-beta-alumina", "solid"),
        ("NZSP pellet, 1.6 mm", "solid"),
        ("PFPMAm-co-TEGDMA (3%)", None),
        ("", None),
    ],
)
def test_electrolyte_from_free_text(text: str, expected: str | None) -> None:
    assert electrolyte_from_text(text) == expected


def test_versastudio_reference_field() -> None:
    assert versastudio_reference("(unspecified) (0 Volts)") is None
    assert versastudio_reference("Ag/AgCl (0.197 Volts)") == "Ag/AgCl"
