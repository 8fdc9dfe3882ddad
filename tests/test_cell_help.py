"""Every command whose ``--help`` says the cell or the electrolyte is read from the file reads it there (issue 10,
items 3/4).  The claims are found in the help texts themselves, so a new command that makes one needs a check here;
each check runs the command on an EC-Lab file whose header names a reference electrode (three-electrode: one
interface) or a liquid electrolyte, and compares with a hand formula or with what ``fit`` decides on the same file."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.constants import FARADAY, GAS_CONSTANT

from .test_cell_from_file import write_mpt
from .test_role_decision import arcs
from .test_tafel_conventions import _single_interface_csv

RT_F = GAS_CONSTANT * 298.15 / FARADAY  # V
REFERENCE = {"Reference electrode": "Ag/AgCl (0.197 V)"}
LIQUID = {"Electrolyte": "1 M NaPF6 in diglyme"}
TWO_ARCS = arcs(5.0, (10.0, 1e-6, 0.9), (50.0, 2e-5, 0.85))
"""SEI arc (10 Ω, 1 µF) and charge transfer (50 Ω, 20 µF) of a Na | liquid | Na cell."""


def run(*args: object) -> dict:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    return record[0] if isinstance(record, list) else record


def commands() -> dict[str, click.Command]:
    """Every subcommand (the group loads them on demand)."""
    ctx = click.Context(main)
    return {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}  # type: ignore[misc]


def claims_the_file(command: click.Command, option: str) -> bool:
    """The option's help says its default is read from the file."""
    param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
    text = getattr(param, "help", None) or ""
    return "Default" in text and "the file" in text


def check_fit_cell(tmp_path: Path) -> None:
    path = write_mpt(tmp_path / "cell.mpt", REFERENCE)  # R1 = 100 Ω
    record = run("fit", path, "--area", 1, "--json", "-")  # the automatic choice: the file still decides
    assert record["conventions"]["cell"] == "single"
    assert record["conventions"]["cell_source"].startswith("file: potential vs Ag/AgCl")
    (name,) = [k for k in record["derived"] if k.startswith("i0_")]
    assert record["derived"][name]["value"] == pytest.approx(1e3 * RT_F / 100.0, rel=0.03)  # RT/(F R A)


def check_fit_electrolyte(tmp_path: Path) -> None:
    path = write_mpt(tmp_path / "cell.mpt", LIQUID, circuit="R0-p(R1,CPE1)-p(R2,CPE2)", values=TWO_ARCS)
    record = run("fit", path, "-c", "R0-p(R1,CPE1)-p(R2,CPE2)", "--area", 1, "--json", "-")
    conventions = record["conventions"]
    assert (conventions["electrolyte"], conventions["electrolyte_source"]) == ("liquid", "file metadata")
    assert conventions["roles"]["R1"] == "sei" and conventions["roles"]["R2"] == "charge_transfer"


def check_drt_cell(tmp_path: Path) -> None:
    path = write_mpt(tmp_path / "cell.mpt", REFERENCE)
    record = run("drt", path, "--area", 1, "--json", "-")
    assert record["cell"]["cell"] == "single" and record["cell"]["cell_source"].startswith("file:")


def check_warburg_cell(tmp_path: Path) -> None:
    """σ of a Warburg line read as one electrode: D = R²T²/(2A²F⁴C²σ²) with σ itself, 4× the symmetric D."""
    values = {"R0": 5.0, "R1": 20.0, "CPE1_Q": 2e-5, "CPE1_n": 0.95, "W1": 30.0}
    frequency = np.logspace(5, -2, 50)
    path = write_mpt(
        tmp_path / "cell.mpt", REFERENCE, circuit="R0-p(R1-W1,CPE1)", values=values, frequency=frequency
    )
    args = ("warburg", path, "--area", 1, "--conc", "1M", "--json", "-")
    record = run(*args)
    assert record["inputs"]["cell"] == "single" and record["inputs"]["cell_source"].startswith("file:")
    single = run(*args, "--cell", "single")["D"]["value"]
    symmetric = run(*args, "--cell", "symmetric")["D"]["value"]
    assert record["D"]["value"] == pytest.approx(single, rel=1e-12)
    assert symmetric == pytest.approx(4 * single, rel=1e-9)


def check_arrhenius_cell(tmp_path: Path) -> None:
    paths = [write_mpt(tmp_path / f"cell_{t}C.mpt", REFERENCE) for t in (25, 60)]  # R1 = 100 Ω at both
    record = run("arrhenius", *paths, "--quantity", "i0", "-c", "na_se_na_1arc", "--area", 1, "--json", "-")
    points = {round(p["temperature_k"], 2): p["value"] for p in record["points"]}
    for t_k, value in points.items():  # one interface: i0 = RT/(F R A), not 2RT/(F R A)
        assert value == pytest.approx(1e3 * GAS_CONSTANT * t_k / (FARADAY * 100.0), rel=0.03)


def check_tafel_cell(tmp_path: Path) -> None:
    path = _single_interface_csv(tmp_path / "sweep.csv", "E/V vs. Ag/AgCl")
    record = run("tafel", path, "--area", 1, "--json", "-")
    assert record["cell"] == "single" and record["cell_source"].startswith("file:")
    assert record["parameters"]["i0"]["value"] == pytest.approx(1.0, rel=0.05)  # the simulated 1 mA cm⁻²


def check_tafel_electrolyte(tmp_path: Path) -> None:
    """The --eis spectrum's file names a liquid electrolyte: its arcs are named with the liquid-cell preset and
    R_ct is the charge-transfer arc alone (50 Ω), not the SEI."""
    sweep = _single_interface_csv(tmp_path / "sweep.csv", "Ecell/V")
    eis = write_mpt(tmp_path / "cell.mpt", LIQUID, circuit="R0-p(R1,CPE1)-p(R2,CPE2)", values=TWO_ARCS)
    link = run("tafel", sweep, "--area", 1, "--eis", eis, "--json", "-")["eis_link"]
    assert link["circuit"] == "na_liquid_na"
    assert link["R_ct"]["value"] == pytest.approx(TWO_ARCS["R2"], rel=0.03)


def check_geis_electrolyte(tmp_path: Path) -> None:
    """Each spectrum's roles in the series are fit's roles on the same file: the file's liquid electrolyte makes
    the first arc an SEI, and R_int = R1 + R2."""
    folder = tmp_path / "series"
    folder.mkdir()
    for k in range(3):
        write_mpt(
            folder / f"spec_{k}.mpt", LIQUID, circuit="R0-p(R1,CPE1)-p(R2,CPE2)", values=TWO_ARCS, seed=k
        )
    circuit = "R0-p(R1,CPE1)-p(R2,CPE2)"
    result = CliRunner().invoke(
        main, ["geis", str(folder), "-c", circuit, "--interval", "60", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "out" / "series.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if not r.get("time_s", "").startswith("#")]
    fitted = run("fit", folder / "spec_0.mpt", "-c", circuit, "--json", "-")["conventions"]["roles"]
    for row in rows:
        roles = dict(part.split("=", 1) for part in row["roles"].split(";"))
        assert roles == fitted
        assert float(row["R_int"]) == pytest.approx(TWO_ARCS["R1"] + TWO_ARCS["R2"], rel=0.03)


CHECKS: dict[tuple[str, str], Callable[[Path], None]] = {
    ("fit", "--cell"): check_fit_cell,
    ("fit", "--electrolyte"): check_fit_electrolyte,
    ("drt", "--cell"): check_drt_cell,
    ("warburg", "--cell"): check_warburg_cell,
    ("arrhenius", "--cell"): check_arrhenius_cell,
    ("tafel", "--cell"): check_tafel_cell,
    ("tafel", "--electrolyte"): check_tafel_electrolyte,
    ("geis", "--electrolyte"): check_geis_electrolyte,
}


def test_every_claim_has_a_check() -> None:
    claims = {
        (name, option)
        for name, command in commands().items()
        for option in ("--cell", "--electrolyte")
        if claims_the_file(command, option)
    }
    assert claims == set(CHECKS)


@pytest.mark.parametrize("claim", list(CHECKS), ids=lambda c: f"{c[0]} {c[1]}")
def test_the_file_decides_as_the_help_says(claim: tuple[str, str], tmp_path: Path) -> None:
    CHECKS[claim](tmp_path)


def test_help_names_the_preset_only_where_there_is_a_circuit() -> None:
    for name, command in commands().items():
        has_circuit = any("--circuit" in getattr(p, "opts", ()) for p in command.params)
        for option in ("--cell", "--electrolyte"):
            param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
            if param is not None and claims_the_file(command, option):
                assert ("--circuit" in (param.help or "")) == has_circuit, (name, option)
