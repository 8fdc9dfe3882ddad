"""Per-spectrum output files (``--plot``, ``--curve-csv``): every numbered path is checked once the spectra
are read, before any fit, and one that cannot be written does not stop the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nakinetics.cli import _batch, main
from nakinetics.exceptions import OutputError


def test_a_folder_at_a_numbered_plot_path_stops_the_run_before_the_fits(
    realdata: Path, tmp_path: Path
) -> None:
    """p_1.png a folder: the run took 4 s of fitting, wrote p_0.png, exited 1 and never wrote p_2/p_3.
    Now it stops after reading, with nothing written."""
    loops = realdata / "eis" / "biologic_sp300_geis_4loops.mpt"
    (tmp_path / "p_1.png").mkdir()
    fitted: list[object] = []
    original = _batch._run_all

    def spy(*args: object, **kwargs: object) -> object:
        fitted.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_batch, "_run_all", spy)
        result = CliRunner().invoke(
            main, ["fit", str(loops), "-c", "na_se_na_2arc", "--plot", str(tmp_path / "p.png")]
        )
    assert result.exit_code == 1 and "p_1.png: is a folder" in result.stderr
    assert fitted == [] and sorted(p.name for p in tmp_path.iterdir()) == ["p_1.png"]


def test_an_output_failing_while_written_does_not_stop_the_others(realdata: Path, tmp_path: Path) -> None:
    """A write that fails after the up-front check (disk full, a folder made meanwhile): the other figures,
    the curves and the JSON are still written, then the failure is reported with exit code 1."""
    loops = realdata / "eis" / "biologic_sp300_geis_4loops.mpt"
    real_write = _batch.write_atomic

    def flaky(path: Path, write: object) -> None:
        if Path(path).name == "p_1.png":
            raise OutputError(f"{path}: cannot write (No space left on device)")
        real_write(path, write)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_batch, "write_atomic", flaky)
        args = ["fit", str(loops), "-c", "na_se_na_1arc", "--plot", str(tmp_path / "p.png")]
        result = CliRunner().invoke(
            main, [*args, "--curve-csv", str(tmp_path / "c.csv"), "--json", str(tmp_path / "f.json")]
        )
    assert result.exit_code == 1 and "p_1.png: cannot write (No space left on device)" in result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["c_0.csv", "c_1.csv", "c_2.csv", "c_3.csv", "f.json", "p_0.png", "p_2.png", "p_3.png"]
    assert len(json.loads((tmp_path / "f.json").read_text())) == 4


def test_batch_per_file_paths_are_checked_before_the_fits(realdata: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.mpt", "b.mpt"):
        (folder / name).write_bytes((realdata / "eis" / "biologic_sp300_geis_4loops.mpt").read_bytes())
    (tmp_path / "fit_b_2.png").mkdir()
    result = CliRunner().invoke(
        main, ["fit", str(folder), "-c", "na_se_na_1arc", "--plot", str(tmp_path / "fit.png")]
    )
    assert result.exit_code == 1 and "fit_b_2.png: is a folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit_b_2.png", "in"]
