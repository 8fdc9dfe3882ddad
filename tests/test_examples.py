"""The example data is what examples/make_example_data.py generates, and the README's main command runs."""

from __future__ import annotations

import runpy
from pathlib import Path

from click.testing import CliRunner

from nakinetics.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_shipped_example_data_is_reproduced_by_the_script(tmp_path: Path) -> None:
    module = runpy.run_path(str(EXAMPLES / "make_example_data.py"))
    module["main"](tmp_path)
    shipped = sorted(p.name for p in (EXAMPLES / "data").iterdir())
    assert shipped == sorted(p.name for p in tmp_path.iterdir())
    for name in shipped:
        assert (tmp_path / name).read_text() == (EXAMPLES / "data" / name).read_text(), name


def test_readme_main_command() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    first_command = next(line for line in readme.splitlines() if line.startswith("pip install . && "))
    args = first_command.split("&& nakinetics ", 1)[1].split()
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert "ASR_R2_per_interface" in result.stdout
