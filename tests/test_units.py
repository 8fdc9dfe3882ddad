"""Areas and concentrations as people type them (nakinetics.units): units are read, and the two slips that
change published numbers by 100×–10⁶× (an area in mm², a molarity typed as mol cm⁻³) are named."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.exceptions import DataError
from nakinetics.units import implausible_area, parse_area, parse_concentration

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WARBURG = EXAMPLES / "data_diffusion" / "na_nvp_warburg.csv"
PRISTINE = EXAMPLES / "data" / "na_nzsp_na_pristine.txt"


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("typed", "cm2", "explicit"),
    [
        ("0.785", 0.785, False),
        ("78.5mm2", 0.785, True),
        ("78.5 mm²", 0.785, True),
        ("0.785cm^2", 0.785, True),
        ("1e-4 m2", 1.0, True),  # 1 m² = 10⁴ cm²
        ("2e6um2", 0.02, True),  # 1 µm² = 10⁻⁸ cm²
    ],
)
def test_typed_areas(typed: str, cm2: float, explicit: bool) -> None:
    area, written = parse_area(typed)
    assert area == pytest.approx(cm2, rel=1e-12) and written is explicit


def test_area_refusals_and_the_mm2_hint() -> None:
    for bad in ("0", "-1", "nan", "1 ft2", "abc"):
        with pytest.raises(DataError):
            parse_area(bad)
    # π (5 mm)² = 78.54 mm² = 0.7854 cm²: the hint converts back
    hint = implausible_area(math.pi * 25)
    assert hint is not None and "0.785398 cm²" in hint and "mm2" in hint
    assert implausible_area(2.01) is None  # a CR2032 electrode (16 mm)
    assert implausible_area(4.9) is None  # a 25 mm pellet


@pytest.mark.parametrize(
    "command", ["fit", "tafel", "cycling", "drt", "warburg", "conductivity", "geis", "arrhenius"]
)
def test_every_command_warns_about_an_area_in_mm2(command: str, tmp_path: Path) -> None:
    # the option is converted before the (missing) input is looked at: the warning names the slip
    code, _, err = run(command, "--area", "78.5", tmp_path / "missing.csv")
    assert code != 0
    warning = next(line for line in err.splitlines() if line.startswith("warning: --area"))
    assert "0.785 cm²" in warning and "78.5mm2" in warning
    code, _, err = run(command, "--area", "78.5mm2", tmp_path / "missing.csv")
    assert "warning: --area" not in err


def test_an_area_in_mm2_gives_the_cm2_numbers() -> None:
    args = ("fit", PRISTINE, "-c", "na_se_na_1arc", "--json", "-")
    plain = json.loads(run(*args, "--area", "0.785")[1])
    code, out, err = run(*args, "--area", "78.5mm2")
    assert code == 0 and "warning" not in err
    in_mm2 = json.loads(out)
    asr = in_mm2["derived"]["ASR_R1_per_interface"]["value"]
    assert asr == plain["derived"]["ASR_R1_per_interface"]["value"]
    # R × A / 2 with A = 0.785 cm²
    assert asr == pytest.approx(in_mm2["parameters"]["R1"]["value"] * 0.785 / 2, rel=1e-12)
    code, out, err = run(*args, "--area", "78.5")
    assert code == 0 and "78.5mm2" in err
    assert json.loads(out)["derived"]["ASR_R1_per_interface"]["value"] == pytest.approx(100 * asr, rel=1e-12)


def test_warburg_concentrations_with_units() -> None:
    base = ("warburg", WARBURG, "--area", "1", "--cell", "single", "--json", "-")
    values = {}
    for typed in (
        ("1M",),
        ("1", "--conc-unit", "mol/L"),
        ("1", "--conc-unit", "M"),
        ("1e-3mol/cm3",),
        ("1000mM",),
    ):
        code, out, err = run(*base, "--conc", *typed)
        assert code == 0, err
        record = json.loads(out)
        assert record["inputs"]["concentration_mol_cm3"] == pytest.approx(1e-3, rel=1e-12)
        values[typed] = record["D"]["value"]
    assert len(set(values.values())) == 1
    # D = R²T²/(2A²F⁴C²σ²) with the σ the command measured
    record = json.loads(run(*base, "--conc", "1M")[1])
    sigma = record["sigma"]["value"]
    rt, faraday = 8.314462618 * 298.15, 96485.33212
    assert record["D"]["value"] == pytest.approx(rt**2 / (2 * faraday**4 * 1e-6 * sigma**2), rel=1e-6)


def test_warburg_refuses_a_molarity_typed_as_mol_per_cm3() -> None:
    code, out, err = run("warburg", WARBURG, "--area", "1", "--conc", "1")
    assert code == 2 and not out
    assert "1 mol cm⁻³ is 1000 M" in err and "did you mean 1 M? write 1M" in err
    code, _, err = run("warburg", WARBURG, "--area", "1", "--conc", "1M", "--conc-unit", "mol/cm3")
    assert code == 2 and "contradicts --conc-unit" in err
    code, out, err = run(
        "warburg", WARBURG, "--area", "1", "--conc", "1", "--any-concentration", "--json", "-"
    )
    assert code == 0 and any("1000 M" in w for w in json.loads(out)["warnings"])


def test_parse_concentration_names_units() -> None:
    assert parse_concentration("1M") == (1.0, "mol/L")
    assert parse_concentration("2", "mM") == (2.0, "mmol/L")
    assert parse_concentration("0.0207") == (0.0207, "mol/cm3")
