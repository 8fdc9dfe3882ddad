"""Every real spectrum in ../shared/realdata/eis is read and fitted from the command line with no guesses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from tests.conftest import REALDATA

BROKEN = "impedance_py_exampleDataBioLogic_MissingFreq.mpt"
FILES = sorted(p.name for p in (REALDATA / "eis").iterdir()) if (REALDATA / "eis").is_dir() else []


@pytest.mark.parametrize("name", [n for n in FILES if n != BROKEN])
def test_real_file_is_fitted_without_guesses(realdata: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["fit", str(realdata / "eis" / name), "--json", "-"])
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    records = records if isinstance(records, list) else [records]
    for record in records:
        assert record["statistics"]["success"] is True
        # a real fit: residuals of a few percent at most (reduced χ² of relative residuals)
        assert record["statistics"]["redchi"] < 0.1, record["circuit"]
        assert all(p["value"] > 0 for p in record["parameters"].values())


def test_broken_file_gives_one_line_error(realdata: Path) -> None:
    result = CliRunner().invoke(main, ["fit", str(realdata / "eis" / BROKEN)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and BROKEN in lines[0] and "freq/Hz" in lines[0]


def test_multi_spectrum_file_fits_each_or_one(realdata: Path, tmp_path: Path) -> None:
    geis = str(realdata / "eis" / "biologic_sp300_geis_4loops.mpt")
    result = CliRunner().invoke(main, ["fit", geis, "-c", "R0-p(R1,CPE1)", "--json", "-"])
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["index"] for r in records] == [0, 1, 2, 3]
    single = CliRunner().invoke(
        main,
        [
            "fit",
            geis,
            "-c",
            "R0-p(R1,CPE1)",
            "--index",
            "2",
            "--json",
            "-",
            "--plot",
            str(tmp_path / "loop.png"),
        ],
    )
    assert single.exit_code == 0, single.stderr
    record = json.loads(single.stdout)
    assert record["index"] == 2
    assert record["parameters"]["R1"]["value"] == pytest.approx(
        records[2]["parameters"]["R1"]["value"], rel=1e-9
    )
    assert (tmp_path / "loop.png").stat().st_size > 10_000
    out_of_range = CliRunner().invoke(main, ["fit", geis, "--index", "7"])
    assert out_of_range.exit_code == 1 and "holds 4 spectrum" in out_of_range.stderr
