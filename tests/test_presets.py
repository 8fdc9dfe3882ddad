"""Preset files: validation, roles, and that they ship in the wheel and work from an editable install."""

from __future__ import annotations

import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from nakinetics import PresetError, get_preset, list_presets
from nakinetics.presets import ROLES, general_presets, parse_preset

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "na_se_na_1arc",
    "na_se_na_2arc",
    "na_se_na_3arc",
    "na_liquid_na",
    "na_liquid_na_diffusion",
    "randles_w",
    "randles_wo",
    "randles_ws",
    "pellet_blocking",
    "pellet_1arc",
    "pellet_intercept",
}
"""The preset files; each also has a ``<name>_leads`` twin with a series lead inductance."""
EVERY = REQUIRED | {f"{name}_leads" for name in REQUIRED}
LIST_PRESETS = "import nakinetics; print(' '.join(p.name for p in nakinetics.list_presets()))"


def test_required_presets_exist_with_roles() -> None:
    presets = {p.name: p for p in list_presets()}
    assert set(presets) == EVERY
    for preset in presets.values():
        assert set(preset.roles.values()) <= set(ROLES)
    assert presets["na_liquid_na"].roles["R2"] == "charge_transfer"
    assert presets["na_liquid_na"].roles["R1"] == "sei"
    assert presets["pellet_blocking"].roles["R1"] == "bulk"
    assert presets["na_se_na_1arc"].roles["R0"] == "electrolyte"


def test_general_presets_have_distinct_circuits() -> None:
    circuits = [p.circuit.text for p in general_presets()]
    assert len(circuits) == len(set(circuits)) >= 3


def test_unknown_preset_suggests_the_nearest() -> None:
    with pytest.raises(PresetError, match="did you mean 'na_se_na_2arc'"):
        get_preset("na_se_na_2arcs")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'schema = 1\nname = "x"\ntitle = "t"\ncircuit = "R0-p(R1,C1)"\ndescription = "d"\ncolour = 1',
            "unknown key 'colour'",
        ),
        ('schema = 2\nname = "x"\ntitle = "t"\ncircuit = "R0"\ndescription = "d"', "schema must be 1"),
        ('schema = 1\nname = "x"\ntitle = "t"\ncircuit = "R0-Q1"\ndescription = "d"', "unknown element 'Q'"),
        (
            'schema = 1\nname = "x"\ntitle = "t"\ncircuit = "R0"\ndescription = "d"\n[roles]\nR0 = "electrolite"',
            "did you mean 'electrolyte'",
        ),
        (
            'schema = 1\nname = "x"\ntitle = "t"\ncircuit = "R0"\ndescription = "d"\n[parameters.R1]\nmin = 1',
            "not in circuit",
        ),
        (
            'schema = 1\nname = "x"\ntitle = "t"\ncircuit = "R0"\ndescription = "d"\n[parameters.R0]\nvalue = 5\nmax = 1',
            "outside",
        ),
    ],
)
def test_invalid_preset_files_are_rejected(text: str, message: str) -> None:
    with pytest.raises(PresetError, match=message):
        parse_preset(text, "bad.toml")


def _run(python: Path | str, code: str, **env: str) -> str:
    return subprocess.run(
        [str(python), "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
    ).stdout.strip()


def test_presets_ship_in_the_wheel(tmp_path: Path) -> None:
    pytest.importorskip("build")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("nakinetics-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).stem for n in names if n.startswith("nakinetics/presets/") and n.endswith(".toml")}
    assert shipped == {p.stem for p in (ROOT / "circuits").glob("*.toml")}
    # typing marker (PEP 561) and the JSON Schema of fit records ship with the package
    assert {"nakinetics/py.typed", "nakinetics/schemas/fit-result.schema.json"} <= set(names)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    listed = _run(sys.executable, LIST_PRESETS, PYTHONPATH=f"{target}:{':'.join(sys.path[1:])}")
    assert set(listed.split()) == EVERY
    code = "from nakinetics.records import fit_schema; print(fit_schema()['title'])"
    assert (
        _run(sys.executable, code, PYTHONPATH=f"{target}:{':'.join(sys.path[1:])}") == "nakinetics fit record"
    )


@pytest.mark.slow
def test_presets_from_an_editable_install(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # The new venv sees this environment's packages (hatchling, numpy, ...) through a .pth file:
    # system_site_packages would expose the base interpreter's, not this virtual environment's.
    new_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(new_site) / "_outer_env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-e",
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    listed = _run(python, LIST_PRESETS)
    assert set(listed.split()) == EVERY
