"""The example data is what examples/make_example_data.py generates, and the README's main command runs."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.io import read_spectra

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("folder", ["data", "data_cycling"])
def test_shipped_example_data_is_reproduced_by_the_script(tmp_path: Path, folder: str) -> None:
    module = runpy.run_path(str(EXAMPLES / "make_example_data.py"))
    module["main"](tmp_path)
    shipped = sorted(p.name for p in (EXAMPLES / folder).iterdir())
    assert shipped == sorted(p.name for p in (tmp_path / folder).iterdir())
    for name in shipped:
        assert (tmp_path / folder / name).read_text() == (EXAMPLES / folder / name).read_text(), name


def test_example_spectra_folder_holds_only_spectra() -> None:
    # a batch command on examples/data/ (the README's first batch example) analyses every file there
    for path in (EXAMPLES / "data").iterdir():
        assert read_spectra(path), path.name


def test_readme_main_command() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    first_command = next(line for line in readme.splitlines() if line.startswith("pip install . && "))
    args = first_command.split("&& nakinetics ", 1)[1].split()
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert "ASR_R2_per_interface" in result.stdout
