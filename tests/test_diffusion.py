"""Warburg coefficient σ and the apparent diffusion coefficient D: hand calculations, synthetic spectra
with known σ, the three classic traps (ω vs f, mol/L vs mol/cm³, symmetric cell), real files and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.data import Spectrum
from nakinetics.diffusion import (
    DiffusionInputs,
    apparent_diffusion_coefficient,
    concentration_mol_cm3,
    diffusion_from_tau,
    warburg_from_fit,
    warburg_slope,
)
from nakinetics.exceptions import DataError
from nakinetics.fitting import DerivedQuantity, fit_circuit
from nakinetics.synthetic import synthetic_spectrum

# CODATA 2018 values typed in here, independent of nakinetics.constants
R_GAS = 8.314462618  # J mol^-1 K^-1
FARADAY = 96485.33212  # C mol^-1

RANDLES_W = {"R0": 5.0, "R1": 20.0, "W1": 10.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9}
FREQ = np.logspace(5, -2, 71)


def d_by_hand(
    sigma: float, area: float, conc_mol_cm3: float, n: int = 1, temperature: float = 298.15
) -> float:
    """D = R²T²/(2 A² n⁴ F⁴ C² σ²), written out with the constants above."""
    return (R_GAS * temperature) ** 2 / (2 * area**2 * n**4 * FARADAY**4 * conc_mol_cm3**2 * sigma**2)


def randles(seed: int = 0, noise: float = 0.005, values: dict[str, float] | None = None) -> Spectrum:
    return synthetic_spectrum(
        "randles_w", values or RANDLES_W, FREQ, noise=noise, rng=np.random.default_rng(seed)
    )


def test_worked_check_sigma_10_one_molar_gives_3p55e_10() -> None:
    # by hand: (8.314462618 × 298.15)² / (2 × 1² × 96485.33212⁴ × (1e-3)² × 10²)
    rt = 8.314462618 * 298.15  # 2478.957 J/mol
    hand = rt**2 / (2 * 96485.33212**4 * 1e-6 * 100)
    assert hand == pytest.approx(3.545e-10, rel=1e-3)
    result = apparent_diffusion_coefficient(
        10.0, DiffusionInputs(area_cm2=1.0, concentration=1.0, concentration_unit="mol/L", cell="single")
    )
    assert result.D.value == pytest.approx(hand, rel=1e-9)
    assert f"{result.D.value:.3g}" == "3.55e-10"
    assert result.D.unit == "cm^2 s^-1"
    assert "one diffusing species" in result.D.convention and "C = 0.001 mol/cm³" in result.D.convention
    assert result.inputs.to_dict()["concentration_mol_cm3"] == pytest.approx(1e-3)


def test_mol_per_litre_trap() -> None:
    # 1 typed as mol cm⁻³ when 1 M was meant: refused naming the slip (D would be 10⁻⁶ of the truth)
    with pytest.raises(DataError, match=r"1 mol cm⁻³ is 1000 M.*did you mean 1 M\? write 1M"):
        DiffusionInputs(1.0, 1.0, "mol/cm3", cell="single")
    with pytest.raises(DataError, match="did you mean 1 M"):
        DiffusionInputs(1.0, 1.0, cell="single")  # a bare number is mol cm⁻³
    molar = apparent_diffusion_coefficient(10.0, DiffusionInputs(1.0, 1.0, "mol/L", cell="single"))
    insisted = apparent_diffusion_coefficient(
        10.0, DiffusionInputs(1.0, 1.0, "mol/cm3", any_concentration=True, cell="single")
    )
    assert molar.D.value / insisted.D.value == pytest.approx(1e6, rel=1e-9)
    assert insisted.D.value == pytest.approx(d_by_hand(10.0, 1.0, 1.0), rel=1e-9)
    assert any("1000 M" in w and "any_concentration" in w for w in insisted.warnings)
    assert not molar.warnings
    assert concentration_mol_cm3(1.0, "mol/L") == concentration_mol_cm3(1e-3, "mol/cm3")
    assert concentration_mol_cm3(1.0, "M") == concentration_mol_cm3(1.0, "mol/L")
    with pytest.raises(DataError, match="concentration unit"):
        concentration_mol_cm3(1.0, "g/L")


@pytest.mark.parametrize(
    ("typed", "mol_cm3"),
    [
        ("1M", 1e-3),
        ("1 mol/L", 1e-3),
        ("1 mol L⁻¹", 1e-3),
        ("1mol/dm3", 1e-3),
        ("50mM", 5e-5),
        ("50 mmol/L", 5e-5),
        ("1e-3mol/cm3", 1e-3),
        ("1e-3 mol cm⁻³", 1e-3),
        ("20.7 mmol/cm3", 0.0207),
        ("1000 mol/m3", 1e-3),
    ],
)
def test_typed_concentrations(typed: str, mol_cm3: float) -> None:
    # 1 M = 1 mol/dm³ = 1e-3 mol/cm³; 1 mM = 1 mol/m³ = 1e-6 mol/cm³
    inputs = DiffusionInputs(area_cm2=1.0, concentration=typed, cell="single")
    assert inputs.concentration_mol_cm3 == pytest.approx(mol_cm3, rel=1e-12)
    d = apparent_diffusion_coefficient(10.0, inputs)
    assert d.D.value == pytest.approx(d_by_hand(10.0, 1.0, mol_cm3), rel=1e-9)


def test_typed_concentration_refusals() -> None:
    with pytest.raises(DataError, match=r"contradicts|but the unit given is"):
        DiffusionInputs(area_cm2=1.0, concentration="1M", concentration_unit="mol/cm3", cell="single")
    with pytest.raises(DataError, match="unknown concentration unit"):
        DiffusionInputs(area_cm2=1.0, concentration="1 m", cell="single")  # metre, or a lower-case M: refused
    with pytest.raises(DataError, match=r"did you mean 0\.5 M"):
        DiffusionInputs(area_cm2=1.0, concentration="0.5 mol/cm3", cell="single")
    # the densest real carrier concentrations pass: Na metal 0.042 mol/cm³, NVP's Na 0.0207 mol/cm³
    assert DiffusionInputs(area_cm2=1.0, concentration=0.042, cell="single").concentration_mol_cm3 == 0.042


def test_symmetric_cell_trap() -> None:
    sigma_cell = DerivedQuantity(20.0, 0.4, "Ohm s^-1/2", "slope")
    symmetric = apparent_diffusion_coefficient(
        sigma_cell, DiffusionInputs(1.0, 1.0, "mol/L", cell="symmetric")
    )
    naive = apparent_diffusion_coefficient(sigma_cell, DiffusionInputs(1.0, 1.0, "mol/L", cell="single"))
    # each electrode contributes σ_cell/2 = 10 Ω s^-½: D is that of one electrode with σ = 10
    assert symmetric.sigma_electrode.value == 10.0 and symmetric.sigma_electrode.stderr == 0.2
    assert symmetric.D.value == pytest.approx(d_by_hand(10.0, 1.0, 1e-3), rel=1e-9)
    assert symmetric.D.value / naive.D.value == pytest.approx(4.0, rel=1e-12)
    assert "σ_cell/2" in symmetric.D.convention


def test_two_species_form_is_four_times_one_species() -> None:
    one = apparent_diffusion_coefficient(10.0, DiffusionInputs(1.0, 1.0, "mol/L", cell="single"))
    two = apparent_diffusion_coefficient(
        10.0, DiffusionInputs(1.0, 1.0, "mol/L", species="two", cell="single")
    )
    # σ = RT/(n²F²A√2)·[1/(C√D) + 1/(C√D)] → D = 2R²T²/(A²n⁴F⁴C²σ²)
    assert two.D.value == pytest.approx(2 * (R_GAS * 298.15) ** 2 / (FARADAY**4 * 1e-6 * 100), rel=1e-9)
    assert two.D.value / one.D.value == pytest.approx(4.0)
    assert "two soluble species" in two.D.convention


def test_n_and_temperature_enter_as_n4_and_t2() -> None:
    base = apparent_diffusion_coefficient(
        10.0, DiffusionInputs(0.5, 2e-3, temperature_k=330.0, cell="single")
    ).D.value
    n2 = apparent_diffusion_coefficient(
        10.0, DiffusionInputs(0.5, 2e-3, n_electrons=2, temperature_k=330.0, cell="single")
    ).D.value
    assert base == pytest.approx(d_by_hand(10.0, 0.5, 2e-3, temperature=330.0), rel=1e-9)
    assert base / n2 == pytest.approx(16.0)


def test_uncertainty_propagates_from_sigma() -> None:
    inputs = DiffusionInputs(1.0, 1e-3, cell="single")
    result = apparent_diffusion_coefficient(DerivedQuantity(10.0, 0.3, "Ohm s^-1/2", ""), inputs)
    h = 1e-4
    numeric = abs(d_by_hand(10.0 + h, 1.0, 1e-3) - d_by_hand(10.0 - h, 1.0, 1e-3)) / (2 * h) * 0.3
    assert result.D.stderr == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("area_cm2", 0.0, "area"),
        ("concentration", -1.0, "concentration"),
        ("n_electrons", 1.5, "integer"),
        ("temperature_k", 0.0, "temperature"),
        ("cell", "both", "cell"),
        ("species", "three", "species"),
    ],
)
def test_inputs_are_validated(field: str, value: object, message: str) -> None:
    kwargs: dict[str, object] = {"area_cm2": 1.0, "concentration": 1e-3, field: value}
    with pytest.raises(DataError, match=message):
        DiffusionInputs(**kwargs)  # type: ignore[arg-type]


def test_single_ion_conductor_is_warned() -> None:
    result = apparent_diffusion_coefficient(
        10.0, DiffusionInputs(1.0, 1e-3, single_ion_conductor=True, cell="single")
    )
    assert any("no bulk meaning" in w for w in result.warnings)


def test_omega_not_f_trap() -> None:
    """The slope is taken against ω^-½: a pure R + W spectrum returns σ itself, not σ/√(2π)."""
    spectrum = synthetic_spectrum("R0-W1", {"R0": 3.0, "W1": 10.0}, FREQ)
    slope = warburg_slope(spectrum)
    assert slope.sigma.value == pytest.approx(10.0, rel=1e-9)
    assert slope.ratio == pytest.approx(1.0, rel=1e-9) and slope.line_angle_deg == pytest.approx(45.0)
    # the same data against f^-½ (the trap) give σ/√(2π), and D from it is 2π too large
    wrong = np.polyfit(1 / np.sqrt(spectrum.frequency), spectrum.real, 1)[0]
    assert wrong == pytest.approx(10.0 / math.sqrt(2 * math.pi), rel=1e-9)
    assert d_by_hand(wrong, 1, 1e-3) / d_by_hand(slope.sigma.value, 1, 1e-3) == pytest.approx(2 * math.pi)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_randles_w_slope_gives_d_within_2_percent(seed: int) -> None:
    slope = warburg_slope(randles(seed))
    inputs = DiffusionInputs(1.0, 1.0, "mol/L", cell="single")
    d = apparent_diffusion_coefficient(slope.sigma, inputs).D
    assert d.value == pytest.approx(d_by_hand(10.0, 1.0, 1e-3), rel=0.02)
    # the window: the low-frequency diffusion line, below the charge-transfer arc (apex ≈ 460 Hz)
    assert slope.automatic and slope.fmin_hz == pytest.approx(0.01) and slope.fmax_hz < 50
    assert abs(slope.ratio - 1) < 0.1 and min(slope.real.r2, slope.imag.r2) > 0.99
    assert slope.imag.slope == pytest.approx(10.0, rel=0.03)
    assert not slope.warnings


def test_randles_w_fit_gives_d_within_2_percent() -> None:
    fit = fit_circuit(randles(3), "randles_w")
    from_fit = warburg_from_fit(fit)
    assert (from_fit.kind, from_fit.element) == ("W", "W1")
    d = apparent_diffusion_coefficient(from_fit.sigma, DiffusionInputs(1.0, 1.0, "mol/L", cell="single")).D
    assert d.value == pytest.approx(d_by_hand(10.0, 1.0, 1e-3), rel=0.02)
    assert d.stderr is not None and 0 < d.stderr < 0.02 * d.value


def test_finite_length_warburg_sigma_and_d_from_tau() -> None:
    values = {"R0": 5.0, "R1": 20.0, "Ws1_R": 50.0, "Ws1_tau": 10.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9}
    # the element itself: far above 1/τ, Ws is a 45° line with σ = R/√(2τ) (checked without the module)
    omega = np.array([1e3, 1e4])
    z = synthetic_spectrum("Ws1", {"Ws1_R": 50.0, "Ws1_tau": 10.0}, omega / (2 * np.pi)).impedance
    sigma_true = 50.0 / math.sqrt(20.0)
    np.testing.assert_allclose(z, sigma_true * (1 - 1j) / np.sqrt(omega), rtol=1e-9)

    fit = fit_circuit(
        synthetic_spectrum("randles_ws", values, FREQ, noise=0.005, rng=np.random.default_rng(4)),
        "randles_ws",
    )
    from_fit = warburg_from_fit(fit)
    assert from_fit.kind == "Ws" and from_fit.tau is not None
    assert from_fit.sigma.value == pytest.approx(sigma_true, rel=0.02)
    assert from_fit.sigma.stderr is not None and from_fit.sigma.stderr > 0
    single = diffusion_from_tau(from_fit.tau, 0.01, "single")
    symmetric = diffusion_from_tau(from_fit.tau, 0.01, "symmetric")
    assert single.value == pytest.approx(0.01**2 / 10.0, rel=0.02)
    assert symmetric.value == pytest.approx(0.005**2 / 10.0, rel=0.02)
    assert "L_cell/2" in symmetric.convention


def test_no_warburg_region_is_refused_with_the_closest_candidate() -> None:
    two_arcs = synthetic_spectrum(
        "R0-p(R1,CPE1)-p(R2,CPE2)",
        {"R0": 5.0, "R1": 20.0, "CPE1_Q": 2e-6, "CPE1_n": 0.9, "R2": 100.0, "CPE2_Q": 1e-4, "CPE2_n": 0.8},
        FREQ,
        noise=0.01,
        rng=np.random.default_rng(0),
    )
    with pytest.raises(
        DataError, match=r"no Warburg \(45°\) region found: .* the closest, .* Hz, has σ\(Z'\)/σ\(−Z''\)"
    ):
        warburg_slope(two_arcs)


def test_a_given_window_that_is_not_warburg_like_is_flagged() -> None:
    slope = warburg_slope(randles(0), fmin=2e3, fmax=2e4)  # the high-frequency side of the arc
    assert not slope.automatic and slope.n_points == 10  # 10 points per decade
    assert any("not Warburg-like" in w for w in slope.warnings)
    with pytest.raises(DataError, match="falls with ω"):
        warburg_slope(randles(0), fmin=50, fmax=2e3)  # across the arc's apex: −Z'' falls
    with pytest.raises(DataError, match="needs at least 3"):
        warburg_slope(randles(0), fmin=0.011, fmax=0.013)


def test_fit_without_diffusion_element_is_refused() -> None:
    fit = fit_circuit(randles(0), "R0-p(R1,CPE1)")
    with pytest.raises(DataError, match="no Warburg element"):
        warburg_from_fit(fit)


def test_real_warburg_tail_is_found(realdata: Path) -> None:
    from nakinetics.io import read_spectrum

    spectrum = read_spectrum(realdata / "eis" / "impedance_py_exampleData.csv")
    slope = warburg_slope(spectrum)
    # the low-frequency 45° tail of this Li-ion cell: below 0.2 Hz down to the last point
    assert slope.fmin_hz == pytest.approx(spectrum.frequency.min())
    assert 0.1 < slope.fmax_hz < 0.5
    assert 0.8 < slope.ratio < 1.2 and min(slope.real.r2, slope.imag.r2) > 0.99


def test_real_spectrum_without_tail_is_refused(realdata: Path) -> None:
    from nakinetics.io import read_spectrum

    with pytest.raises(DataError, match=r"gamry_ref3000_eispot\.DTA: no Warburg"):
        warburg_slope(read_spectrum(realdata / "eis" / "gamry_ref3000_eispot.DTA"))


# ---------------------------------------------------------------------------------------------------
# command line


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, spectrum: Spectrum) -> Path:
    rows = zip(spectrum.frequency, spectrum.real, spectrum.imag, strict=True)
    path.write_text("freq/Hz,Z'/Ohm,Z''/Ohm\n" + "".join(f"{f:.8e},{a:.8e},{b:.8e}\n" for f, a, b in rows))
    return path


def test_cli_warburg_json_has_sigma_d_window_and_inputs(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "randles.csv", randles(0))
    args = ("--area", "1", "--conc", "1", "--conc-unit", "mol/L", "--cell", "single", "--json", "-")
    code, out, err = run("warburg", path, *args)
    assert code == 0, err
    record = json.loads(out)
    assert record["method"] == "slope"
    assert record["inputs"]["cell"] == "single" and record["inputs"]["cell_source"] == "given"
    assert record["sigma"]["unit"] == "Ohm s^-1/2" and record["sigma"]["value"] == pytest.approx(
        10.0, rel=0.01
    )
    assert (
        record["D"]["value"] == pytest.approx(d_by_hand(10.0, 1, 1e-3), rel=0.02)
        and record["D"]["stderr"] > 0
    )
    assert record["D"]["unit"] == "cm^2 s^-1"
    assert set(record["window"]) >= {
        "fmin_hz",
        "fmax_hz",
        "n_points",
        "r2_real",
        "r2_imag",
        "ratio_real_to_imag",
        "mean_phase_deg",
    }
    inputs = record["inputs"]
    assert (
        inputs["concentration"] == {"value": 1.0, "unit": "mol/L"} and inputs["concentration_mol_cm3"] == 1e-3
    )
    assert inputs["temperature_k"] == 298.15 and inputs["temperature_source"].startswith("default")
    assert "window" in err and "D " in err  # the text report went to stderr


def test_cli_warburg_cell_follows_the_one_default_policy(tmp_path: Path) -> None:
    """Without --cell, warburg decides the cell as fit and tafel do: symmetric by default (σ_electrode = σ/2,
    so D is 4× the single-electrode value) unless the file shows a reference electrode."""
    path = write_csv(tmp_path / "randles.csv", randles(0))
    base = ("warburg", path, "--area", "1", "--conc", "1M", "--json", "-")
    code, out, err = run(*base)
    assert code == 0, err
    record = json.loads(out)
    assert (record["inputs"]["cell"], record["inputs"]["cell_source"]) == ("symmetric", "default")
    assert record["D"]["value"] == pytest.approx(d_by_hand(5.0, 1, 1e-3), rel=0.02)
    single = json.loads(run(*base, "--cell", "single")[1])
    assert record["D"]["value"] == pytest.approx(4 * single["D"]["value"], rel=1e-9)


def test_cli_warburg_symmetric_fit_and_plot(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "randles.csv", randles(1))
    figure = tmp_path / "w.png"
    code, out, _ = run(
        "warburg",
        path,
        "--area",
        "1",
        "--conc",
        "1e-3",
        "--cell",
        "symmetric",
        "--circuit",
        "randles_w",
        "--plot",
        figure,
        "--json",
        "-",
    )
    assert code == 0
    record = json.loads(out)
    assert record["method"] == "fit" and record["fit"]["element"]["kind"] == "W"
    assert record["sigma_electrode"]["value"] == pytest.approx(record["sigma"]["value"] / 2)
    assert record["D"]["value"] == pytest.approx(d_by_hand(5.0, 1, 1e-3), rel=0.03)
    assert record["sigma_slope"]["value"] == pytest.approx(10.0, rel=0.03)  # the cross-check
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_warburg_length_needs_a_finite_element(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "randles.csv", randles(0))
    code, _, err = run("warburg", path, "--area", "1", "--conc", "1e-3", "--length", "0.01")
    assert code == 2 and "--circuit" in err
    code, _, err = run(
        "warburg", path, "--area", "1", "--conc", "1e-3", "--length", "0.01", "-c", "randles_w"
    )
    assert code == 1 and "error:" in err and "Wo or Ws" in err


def test_cli_warburg_refusal_is_one_line(tmp_path: Path) -> None:
    arc = synthetic_spectrum("R0-p(R1,CPE1)", {"R0": 5.0, "R1": 50.0, "CPE1_Q": 1e-5, "CPE1_n": 0.9}, FREQ)
    path = write_csv(tmp_path / "arc.csv", arc)
    code, out, err = run("warburg", path, "--area", "1", "--conc", "1e-3", "--json", tmp_path / "out.json")
    assert code == 1 and out == ""
    assert err.startswith("error: arc.csv: no Warburg") and err.count("\n") == 1
    assert not (tmp_path / "out.json").exists()


def test_cli_warburg_real_files(realdata: Path) -> None:
    code, out, _ = run(
        "warburg",
        realdata / "eis" / "impedance_py_exampleData.csv",
        "--area",
        "1",
        "--conc",
        "1",
        "--conc-unit",
        "mol/L",
    )
    assert code == 0 and "window" in out and "marginal" in out
    code, _, err = run(
        "warburg", realdata / "eis" / "biologic_sp150_peis_ecl11-18.mpt", "--area", "1", "--conc", "1e-3"
    )
    assert code == 1 and "no Warburg (45°) region found" in err


def test_example_script_reproduces_its_data_and_every_command_runs(tmp_path: Path) -> None:
    import runpy

    examples = Path(__file__).resolve().parents[1] / "examples"
    module = runpy.run_path(str(examples / "diffusion_conductivity_example.py"))
    written = module["generate"](tmp_path / "data")
    shipped = sorted(p.name for p in (examples / "data_diffusion").iterdir())
    assert shipped == sorted(p.name for p in written)
    for path in written:
        assert path.read_text() == (examples / "data_diffusion" / path.name).read_text(), path.name
    out = tmp_path / "out"
    module["run"](tmp_path / "data", out)
    results = {
        name: json.loads((out / name).read_text())
        for name in (
            "warburg.json",
            "warburg_fit.json",
            "conductivity.json",
            "arrhenius_pellet.json",
            "arrhenius_interface.json",
            "arrhenius_table.json",
        )
    }
    assert results["warburg.json"]["D"]["value"] == pytest.approx(5.3e-14, rel=0.03)
    assert results["warburg_fit.json"]["D"]["value"] == pytest.approx(5.3e-14, rel=0.03)
    assert results["conductivity.json"]["sigma_total"]["value"] == pytest.approx(4.1e-3, rel=0.01)
    assert results["arrhenius_pellet.json"]["activation_energy"]["value"] == pytest.approx(0.30, abs=0.01)
    assert results["arrhenius_interface.json"]["activation_energy"]["value"] == pytest.approx(0.60, abs=0.02)
    assert results["arrhenius_table.json"]["activation_energy"]["value"] == pytest.approx(0.30, abs=0.02)
    assert all((out / p).read_bytes()[:4] == b"\x89PNG" for p in ("warburg.png", "conductivity.png"))


def test_slope_error_covers_the_bias_of_a_finite_length_tail() -> None:
    # a reflective (Wo) tail with τ = 10 s: the 45° window sits near the turnover and the slope is biased
    # low by a few %; the reported error must include that, not only the least-squares scatter
    sigma_true = 50.0
    truth = {"R0": 10.0, "R1": 50.0, "Wo1_R": sigma_true * math.sqrt(2 * 10.0), "Wo1_tau": 10.0}
    truth |= {"CPE1_Q": 2e-5, "CPE1_n": 0.9}
    for seed in range(3):
        rng = np.random.default_rng(seed)
        spectrum = synthetic_spectrum("randles_wo", truth, np.logspace(5, -3, 80), noise=0.01, rng=rng)
        slope = warburg_slope(spectrum)
        assert slope.sigma.stderr > 2 * slope.real.slope_stderr  # the systematic part dominates
        assert abs(slope.sigma.value - sigma_true) < 2 * slope.sigma.stderr
