"""Every model name and circuit string the tool prints is accepted back by ``-c`` and gives the same fit
(issue 10, items 3 and 5: the ``circuit`` line of ``fit`` and ``conductivity`` pasted back)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from nakinetics.circuit import Circuit
from nakinetics.cli import main
from nakinetics.exceptions import CircuitSyntaxError, PresetError
from nakinetics.fitting import resolve_circuit
from nakinetics.presets import list_presets, model_label
from nakinetics.roles import same_structure

from .test_roles import two_arc_file

EXAMPLE_PELLET = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_nzsp_na_pristine.txt"


def _shifted(text: str, shift: int = 5) -> str:
    """``text`` with every element's number raised by ``shift`` (R1 → R6)."""
    return re.sub(r"([A-Z][a-z]*)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + shift}", text)


@pytest.mark.parametrize("preset", list_presets(), ids=lambda p: p.name)
def test_every_printed_preset_label_resolves_to_that_preset(preset) -> None:
    label = model_label(preset.circuit, preset)
    assert label == f"{preset.name} ({preset.circuit.text})"
    circuit, resolved = resolve_circuit(label)
    assert resolved is not None
    assert (resolved.name, circuit.text) == (preset.name, preset.circuit.text)
    # a circuit string fitted as the preset of the same structure is printed with its own labels
    relabelled = same_structure(preset, Circuit(_shifted(preset.circuit.text)))
    assert relabelled is not None
    circuit, resolved = resolve_circuit(model_label(relabelled.circuit, relabelled))
    assert resolved is not None
    assert (resolved.name, circuit.text) == (preset.name, _shifted(preset.circuit.text))
    assert dict(resolved.roles) == {_shifted(label): role for label, role in preset.roles.items()}


def test_label_of_a_plain_circuit_is_the_circuit_and_p_stays_parallel() -> None:
    assert model_label(Circuit("R0-p(R1,C1)"), None) == "R0-p(R1,C1)"
    assert resolve_circuit("p(R1,C1)") == (Circuit("p(R1,C1)"), None)
    assert resolve_circuit("p (R1,C1)")[1] is None


def test_name_and_circuit_that_disagree_are_refused() -> None:
    with pytest.raises(CircuitSyntaxError, match=r"preset na_se_na_1arc is the circuit R0-p\(R1,CPE1\)"):
        resolve_circuit("na_se_na_1arc (R0-p(R1,CPE1)-p(R2,CPE2))")
    with pytest.raises(PresetError, match="did you mean 'na_se_na_2arc'"):
        resolve_circuit("na_se_na_2ar (R0-p(R1,CPE1)-p(R2,CPE2))")


def _printed_circuit(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if line.startswith("circuit "))
    return line.split(None, 1)[1].strip()


def _run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_fit_circuit_line_pasted_back_gives_the_same_parameters(tmp_path: Path) -> None:
    path = two_arc_file(tmp_path)
    auto = tmp_path / "auto.json"
    printed = _printed_circuit(_run("fit", path, "--area", 1, "--json", auto))
    assert "(" in printed and not printed.startswith(("R", "L"))  # a preset, printed as "name (circuit)"
    again = tmp_path / "again.json"
    assert _printed_circuit(_run("fit", path, "--area", 1, "-c", printed, "--json", again)) == printed
    first, second = (json.loads(p.read_text()) for p in (auto, again))
    values = {k: v["value"] for k, v in first["parameters"].items()}
    assert values == pytest.approx({k: v["value"] for k, v in second["parameters"].items()}, rel=1e-9)
    assert first["derived"]["i0_R2"]["value"] == pytest.approx(second["derived"]["i0_R2"]["value"], rel=1e-9)


def test_conductivity_circuit_line_pasted_back_gives_the_same_conductivity(tmp_path: Path) -> None:
    geometry = ("--thickness", 0.162, "--diameter", 1.114)
    printed = _printed_circuit(_run("conductivity", EXAMPLE_PELLET, *geometry))
    assert printed.startswith("pellet_")
    sigma = re.compile(r"^sigma_total\s+(\S+)", re.MULTILINE)
    auto = float(sigma.search(_run("conductivity", EXAMPLE_PELLET, *geometry))[1])
    again = _run("conductivity", EXAMPLE_PELLET, *geometry, "-c", printed)
    assert _printed_circuit(again) == printed
    assert float(sigma.search(again)[1]) == pytest.approx(auto, rel=1e-9)
