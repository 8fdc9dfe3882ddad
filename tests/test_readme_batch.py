"""The README's batch section runs as written on the shipped examples: its commands give the documented
exit codes and tables, and its Python block gives the same layout from the library."""

from __future__ import annotations

import csv
import math
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .test_readme_interop import section_blocks

ROOT = Path(__file__).resolve().parents[1]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_batch_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    blocks = section_blocks("Batch")
    commands = [line for lang, code in blocks if lang == "bash" for line in code.splitlines() if line.strip()]
    assert [shlex.split(c)[1] for c in commands] == ["fit", "validate", "conductivity"]
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    runs = [subprocess.run(["bash", "-c", c], check=False, env=env, capture_output=True) for c in commands]
    assert [r.returncode for r in runs] == [0, 0, 0]  # examples/data holds spectra only
    shown = next(code for lang, code in blocks if not lang)  # the report the README prints for the first
    assert runs[0].stdout.decode().split() == shown.split()

    fits = rows(tmp_path / "table.csv")
    assert [Path(r["file"]).name for r in fits] == [
        "na_carbonate_na.csv",
        "na_nzsp_na_cycled.txt",
        "na_nzsp_na_pristine.txt",
    ]
    assert [bool(r["error"]) for r in fits] == [False, False, False]
    # examples/make_example_data.py: 275 Ω cm² per interface for the cycled cell
    assert float(fits[1]["ASR_R2_per_interface [Ohm cm^2]"]) == pytest.approx(
        275.0 * math.pi * 0.25 / 0.785, rel=0.02
    )
    assert sorted(p.name for p in tmp_path.glob("fit_*.png")) == [
        "fit_na_carbonate_na.png",
        "fit_na_nzsp_na_cycled.png",
        "fit_na_nzsp_na_pristine.png",
    ]
    kk = rows(tmp_path / "kk.csv")
    assert len(kk) == 5 and all(r["passed"] == "True" for r in kk)
    sigma = rows(tmp_path / "sigma.csv")
    temperatures = [int(Path(r["file"]).stem.split("_")[-1].removesuffix("C")) for r in sigma]
    assert temperatures == [25, 40, 60, 80, 100]  # natural order, not 100 < 25
    values = [float(r["sigma_total [S cm^-1]"]) for r in sigma]
    assert values == sorted(values)  # conductivity rises with temperature

    namespace: dict[str, object] = {}
    for lang, code in blocks:
        if lang == "python":
            exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (the README's own example)
    table = namespace["table"]
    assert list(table["error"].notna()) == [False, False, False]  # type: ignore[index]
    assert table["R2 [Ohm]"][1] == pytest.approx(float(fits[1]["R2 [Ohm]"]), rel=1e-9)  # type: ignore[index]
