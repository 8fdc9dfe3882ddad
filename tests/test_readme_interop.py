"""The README's interoperability section runs as written (its code blocks, in order, on shipped files)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def section_blocks(title: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block in the README section whose heading starts with ``title``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 3)
    section = text[start : end if end > 0 else None]
    return re.findall(r"```(\w*)\n(.*?)```", section, flags=re.DOTALL)


def test_interoperability_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("impedance")
    pytest.importorskip("lmfit")
    pytest.importorskip("pandas")
    import nakinetics as nk

    blocks = section_blocks("Interoperability")
    assert [lang for lang, _ in blocks].count("python") >= 6 and any(lang == "bash" for lang, _ in blocks)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    try:
        for lang, code in blocks:
            if lang == "python":
                exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (the README's own examples)
            elif lang == "bash":
                subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", code], check=True, env=env, capture_output=True
                )
    finally:
        if "Hn" in nk.ELEMENTS:
            nk.unregister_element("Hn")
    assert (tmp_path / "fit.json").is_file() and (tmp_path / "sim_curve.csv").is_file()
    assert namespace["hn"].values["Hn1_alpha"] == pytest.approx(0.7, rel=1e-6)  # type: ignore[attr-defined]
