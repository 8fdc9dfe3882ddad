"""Arrhenius activation energies: exact lines against scipy, synthetic temperature series of spectra with
known E_a (temperature in the metadata), the σT/σ forms, tables and the command line."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats

from nakinetics.arrhenius import (
    arrhenius_fit,
    arrhenius_from_spectra,
    arrhenius_from_table,
    pair_temperatures,
    parse_arrhenius_table,
)
from nakinetics.data import Spectrum, SpectrumMetadata
from nakinetics.exceptions import DataError
from nakinetics.synthetic import synthetic_spectrum

from .test_diffusion import run, write_csv

K_B = 8.617333262e-5  # eV/K (CODATA 2018), typed in independently of nakinetics.constants
TEMPS = np.array([273.15, 288.15, 298.15, 313.15, 333.15, 353.15])
L_CM, AREA = 0.162, math.pi * 1.114**2 / 4


def interfacial_series(ea: float = 0.60, seed: int = 0) -> list[Spectrum]:
    """Na | NASICON | Na spectra whose interfacial R follows R = R_298 exp(E_a/k (1/T − 1/298.15))."""
    out = []
    for k, t in enumerate(TEMPS):
        values = {
            "R0": 30.0 * math.exp(0.3 / K_B * (1 / t - 1 / 298.15)),
            "R1": 200.0 * math.exp(ea / K_B * (1 / t - 1 / 298.15)),
            "CPE1_Q": 2e-6,
            "CPE1_n": 0.85,
        }
        out.append(
            synthetic_spectrum(
                "na_se_na_1arc",
                values,
                np.logspace(6, 0, 49),
                noise=0.005,
                rng=np.random.default_rng(seed + k),
                metadata=SpectrumMetadata(temperature_k=float(t), source=f"T{t:.0f}.txt"),
            )
        )
    return out


def pellet_series(ea: float) -> list[Spectrum]:
    """NZSP pellet spectra with σT = σ_298·298.15 exp(−E_a/k (1/T − 1/298.15)), σ_298 = 4.1e-3 S/cm."""
    out = []
    for k, t in enumerate(TEMPS):
        sigma = 4.1e-3 * 298.15 / t * math.exp(-ea / K_B * (1 / t - 1 / 298.15))
        r_total = L_CM / (sigma * AREA)
        values = {
            "R1": 0.4 * r_total,
            "CPE1_Q": 2e-11,
            "CPE1_n": 0.95,
            "R2": 0.6 * r_total,
            "CPE2_Q": 3e-8,
            "CPE2_n": 0.85,
            "CPE3_Q": 2e-6,
            "CPE3_n": 0.8,
        }
        out.append(
            synthetic_spectrum(
                "pellet_blocking",
                values,
                np.logspace(7, 2, 51),
                noise=0.005,
                rng=np.random.default_rng(k),
                metadata=SpectrumMetadata(temperature_k=float(t)),
            )
        )
    return out


def test_exact_line_matches_scipy_linregress() -> None:
    rng = np.random.default_rng(1)
    sigma = 1e2 / TEMPS * np.exp(-0.35 / (K_B * TEMPS)) * (1 + 0.01 * rng.standard_normal(TEMPS.size))
    result = arrhenius_fit(TEMPS, sigma)
    reference = stats.linregress(1 / TEMPS, np.log(sigma * TEMPS))
    ea = result.activation_energy
    assert ea.value == pytest.approx(-reference.slope * K_B, rel=1e-9)
    assert ea.stderr == pytest.approx(reference.stderr * K_B, rel=1e-9)
    assert result.activation_energy_kj_mol.value == pytest.approx(ea.value * 96.4853321, rel=1e-9)
    half = stats.t.ppf(0.975, TEMPS.size - 2) * reference.stderr * K_B
    assert result.ci_ev == pytest.approx((ea.value - half, ea.value + half), rel=1e-9)
    assert result.r2 == pytest.approx(reference.rvalue**2, rel=1e-9)
    assert not result.weighted and result.dof == 4


def test_weighted_line_matches_curve_fit() -> None:
    rng = np.random.default_rng(2)
    r = 50.0 * np.exp(0.6 / K_B * (1 / TEMPS - 1 / 298.15))
    err = r * np.array([0.01, 0.02, 0.01, 0.05, 0.03, 0.02])
    measured = r * (1 + err / r * rng.standard_normal(TEMPS.size))
    result = arrhenius_fit(TEMPS, measured, err, quantity="resistance")
    popt, pcov = optimize.curve_fit(
        lambda u, a, b: a + b * u, 1 / TEMPS, -np.log(measured), sigma=err / measured, absolute_sigma=False
    )
    assert result.weighted and result.activation_energy.value == pytest.approx(-popt[1] * K_B, rel=1e-8)
    assert result.activation_energy.stderr == pytest.approx(math.sqrt(pcov[1, 1]) * K_B, rel=1e-6)
    assert "ln(1/R)" in result.convention


def test_sigma_form_differs_by_about_kt() -> None:
    sigma = 1e2 / TEMPS * np.exp(-0.35 / (K_B * TEMPS))  # exact σT form, E_a = 0.35 eV
    sigma_t = arrhenius_fit(TEMPS, sigma)
    plain = arrhenius_fit(TEMPS, sigma, form="sigma")
    assert sigma_t.activation_energy.value == pytest.approx(0.35, abs=1e-9)
    # ln σ = ln A − ln T − E_a/kT: the ln T term lowers the apparent E_a by ≈ k T̄
    assert sigma_t.activation_energy.value - plain.activation_energy.value == pytest.approx(
        K_B * TEMPS.mean(), rel=0.02
    )


def test_interfacial_series_0p60_ev_from_spectra_metadata() -> None:
    series = arrhenius_from_spectra(interfacial_series(), quantity="resistance", circuit="na_se_na_1arc")
    result = series.result
    ea = result.activation_energy.value
    assert ea == pytest.approx(0.60, abs=0.02)
    assert result.ci_ev is not None and result.ci_ev[0] <= 0.60 <= result.ci_ev[1]
    assert result.ci_ev[1] - result.ci_ev[0] < 0.04  # 0.60 ± 0.02 eV
    assert result.activation_energy_kj_mol.value == pytest.approx(0.60 * 96.485, abs=2.0)
    assert list(result.temperature_k) == list(TEMPS) and result.labels[0] == "T273.txt"
    record = series.to_dict()
    assert record["points"][0]["circuit"] == "R0-p(R1,CPE1)" and record["points"][0]["unit"] == "Ohm"


def test_i0_series_adds_kt() -> None:
    series = arrhenius_from_spectra(
        interfacial_series(seed=10), quantity="i0", circuit="na_se_na_1arc", area_cm2=1.0
    )
    # i0 = 2RT/(nF R A) ∝ T/R: its E_a exceeds that of 1/R by ≈ k T̄ (0.027 eV)
    assert series.result.activation_energy.value == pytest.approx(0.60 + K_B * TEMPS.mean(), abs=0.02)
    assert series.result.unit == "mA cm^-2"


def test_pellet_conductivity_series() -> None:
    series = arrhenius_from_spectra(
        pellet_series(0.35), quantity="conductivity", thickness_cm=L_CM, area_cm2=AREA
    )
    assert series.result.activation_energy.value == pytest.approx(0.35, abs=0.01)
    assert series.result.values[2] == pytest.approx(4.1e-3, rel=0.02)  # 298.15 K


def test_missing_temperature_and_other_input_errors() -> None:
    spectra = interfacial_series()
    bare = [Spectrum(s.frequency, s.impedance) for s in spectra]
    with pytest.raises(DataError, match="no temperature"):
        arrhenius_from_spectra(bare, quantity="resistance", circuit="na_se_na_1arc")
    with pytest.raises(DataError, match="needs a circuit"):
        arrhenius_from_spectra(spectra, quantity="resistance")
    with pytest.raises(DataError, match="3 temperatures given for 6 spectra"):
        arrhenius_from_spectra(
            spectra, quantity="resistance", circuit="na_se_na_1arc", temperatures_k=[1, 2, 3]
        )
    with pytest.raises(DataError, match="form"):
        arrhenius_fit(TEMPS, np.ones(6), quantity="i0", form="sigmaT")
    with pytest.raises(DataError, match="> 0"):
        arrhenius_fit(TEMPS, -np.ones(6))
    with pytest.raises(DataError, match="2 distinct"):
        arrhenius_fit([300.0, 300.0], [1.0, 2.0])


def test_two_points_without_errors_have_no_interval() -> None:
    result = arrhenius_fit([300.0, 350.0], [1e-3, 4e-3])
    assert result.ci_ev is None and result.activation_energy.stderr is None
    # by hand: ln(4e-3·350 / (1e-3·300)) / (1/300 − 1/350) × k_B
    assert result.activation_energy.value == pytest.approx(math.log(1.4 / 0.3) / (1 / 300 - 1 / 350) * K_B)


def test_a_kinked_plot_is_flagged() -> None:
    t = np.linspace(260, 460, 9)
    ea = np.where(t < 360, 0.55, 0.25)  # a phase change at 360 K, continuous at the kink
    ln_st = -ea / (K_B * t) + np.where(t < 360, 0.0, (0.25 - 0.55) / (K_B * 360))
    result = arrhenius_fit(
        t, np.exp(ln_st) / t * (1 + 0.002 * np.random.default_rng(0).standard_normal(t.size))
    )
    assert any("curved" in w for w in result.warnings)
    straight = arrhenius_fit(
        TEMPS,
        1e2
        / TEMPS
        * np.exp(-0.35 / (K_B * TEMPS))
        * (1 + 0.01 * np.random.default_rng(3).standard_normal(TEMPS.size)),
    )
    assert not straight.warnings


def test_table_units_and_errors() -> None:
    table = parse_arrhenius_table("T/°C,sigma/S cm-1,stderr\n25,4.1e-3,1e-4\n# note\n40,6e-3,1e-4\n", "t.csv")
    assert table.temperature_k.tolist() == [298.15, 313.15] and table.stderr is not None
    kelvin = parse_arrhenius_table("temperature (K);R/Ohm\n300;12\n320;8\n")
    assert kelvin.temperature_k.tolist() == [300.0, 320.0] and kelvin.stderr is None
    with pytest.raises(DataError, match="states no unit"):
        parse_arrhenius_table("temperature,value\n300,1\n320,2\n", "t.csv")
    assert (
        parse_arrhenius_table("temperature,value\n25,1\n40,2\n", temperature_unit="C").temperature_k[0]
        == 298.15
    )
    with pytest.raises(DataError, match="first row must be a header"):
        parse_arrhenius_table("300,1\n320,2\n", "t.csv")
    with pytest.raises(DataError, match=r"t\.csv: line 3: not a number"):
        parse_arrhenius_table("T/K,v\n300,1\n320,abc\n", "t.csv")
    with pytest.raises(DataError, match="header says"):
        parse_arrhenius_table("T/K,v\n300,1\n320,2\n", temperature_unit="C")


# ---------------------------------------------------------------------------------------------------
# command line


def test_cli_table_json_and_plot(tmp_path: Path) -> None:
    sigma = 4.1e-3 * 298.15 / TEMPS * np.exp(-0.30 / K_B * (1 / TEMPS - 1 / 298.15))
    rows = "".join(f"{t - 273.15:.2f},{s:.6e},{0.02 * s:.3e}\n" for t, s in zip(TEMPS, sigma, strict=True))
    table = tmp_path / "sigma.csv"
    table.write_text("T/°C,sigma (S/cm),stderr\n" + rows)
    figure = tmp_path / "arr.png"
    code, out, err = run("arrhenius", "--table", table, "--json", "-", "--plot", figure)
    assert code == 0, err
    record = json.loads(out)
    assert record["activation_energy"]["value"] == pytest.approx(0.30, abs=1e-3)
    assert record["activation_energy"]["unit"] == "eV" and len(record["activation_energy"]["ci"]) == 2
    assert record["activation_energy_kj_mol"]["unit"] == "kJ mol^-1"
    assert record["form"] == "sigmaT" and "ln(σT)" in record["convention"]
    assert "E_a" in err and "kJ/mol" in err
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_files_with_temperatures(tmp_path: Path) -> None:
    paths = [write_csv(tmp_path / f"s{k}.csv", s) for k, s in enumerate(interfacial_series(seed=20))]
    celsius = ",".join(f"{t - 273.15:.2f}" for t in TEMPS)
    code, out, err = run(
        "arrhenius",
        *paths,
        "--quantity",
        "resistance",
        "-c",
        "na_se_na_1arc",
        "--temperatures",
        celsius,
        "--temperature-unit",
        "C",
        "--json",
        "-",
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["activation_energy"]["value"] == pytest.approx(0.60, abs=0.02)
    assert [p["temperature_k"] for p in record["points"]] == pytest.approx(list(TEMPS))
    code, _, err = run("arrhenius", *paths, "--quantity", "resistance", "-c", "na_se_na_1arc")
    assert code == 1 and "no temperature in the file" in err


def test_cli_usage_errors(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("T/K,R\n300,10\n320,5\n")
    assert run("arrhenius")[0] == 2
    code, _, err = run("arrhenius", "--table", table, "--quantity", "resistance", "--form", "sigma")
    assert code == 2 and "conductivity only" in err
    code, _, err = run("arrhenius", "--table", table, "--circuit", "na_se_na_1arc")
    assert code == 2 and "--circuit" in err


@pytest.mark.parametrize("header", ["1000/T (1/K),sigma", "1/T,sigma"])
def test_table_of_inverse_temperatures_is_refused(header: str) -> None:
    with pytest.raises(DataError, match="looks like 1/T or 1000/T"):
        parse_arrhenius_table(f"{header}\n3.35,1e-3\n3.0,2e-3\n", "t.csv")


def test_celsius_given_as_kelvin_is_refused() -> None:
    with pytest.raises(DataError, match=r"25 K is implausible.*did you mean 25 °C"):
        arrhenius_fit([25.0, 40.0, 60.0], [1e-3, 2e-3, 3e-3])


# ---------------------------------------------------------------------------------------------------
# pairing files with temperatures (issue 10 item 1)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data_diffusion"
PELLET = ("--thickness", "0.162", "--diameter", "1.114")


def test_shell_glob_of_the_pellet_series_never_gives_a_wrong_activation_energy() -> None:
    """The issue's repro: a shell glob orders the files 100C, 25C, 40C, ... and the temperatures are typed
    25,40,60,80,100.  The generator's truth (examples/diffusion_conductivity_example.py) is 0.30 eV; pairing
    in argument order gave 0.157 eV with exit code 0."""
    files = sorted(str(p) for p in EXAMPLES.glob("nzsp_pellet_*C.csv"))  # what the shell passes
    assert Path(files[0]).name == "nzsp_pellet_100C.csv"
    code, out, err = run(
        "arrhenius",
        *files,
        "--temperatures",
        "25,40,60,80,100",
        "--temperature-unit",
        "C",
        *PELLET,
        "--json",
        "-",
    )
    assert code == 1 and out == ""
    assert "contradict" in err and "another order" in err and "nzsp_pellet_100C.csv" in err
    assert len(err.strip().splitlines()) == 1
    # without --temperatures the names pair them; the pairing is in the report and the JSON
    code, out, err = run("arrhenius", *files, *PELLET, "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["activation_energy"]["value"] == pytest.approx(0.30, abs=0.005)
    by_file = {Path(p["file"]).name: p for p in record["points"]}
    assert by_file["nzsp_pellet_100C.csv"]["temperature_k"] == pytest.approx(373.15)
    assert by_file["nzsp_pellet_25C.csv"]["temperature_source"] == "name"
    assert "'25C'" in by_file["nzsp_pellet_25C.csv"]["temperature_detail"]
    assert "file name '100C'" in err and "temperature from" in err
    # the same temperatures listed in the order of the files, or with units, agree with the names
    code, out, err = run(
        "arrhenius", *files, "--temperatures", "100C,25C,40C,60C,80C", *PELLET, "--json", "-"
    )
    assert code == 0, err
    assert json.loads(out)["activation_energy"]["value"] == pytest.approx(0.30, abs=0.005)


def _named(names: list[str], temperatures_k: list[float | None] | None = None) -> list[Spectrum]:
    base = interfacial_series()[0]
    temps = temperatures_k or [None] * len(names)
    return [
        Spectrum(base.frequency, base.impedance, metadata=SpectrumMetadata(source=n, temperature_k=t))
        for n, t in zip(names, temps, strict=True)
    ]


def test_pairing_from_names_metadata_and_given_temperatures() -> None:
    spectra = _named(["a/s_100C.csv", "a/s_25C.csv", "a/60C/run.csv"])
    pairing, notes = pair_temperatures(spectra)
    assert [p.temperature_k for p in pairing] == pytest.approx([373.15, 298.15, 333.15])
    assert [p.source for p in pairing] == ["name", "name", "name"] and notes == ()
    assert "folder name '60C'" in pairing[2].detail
    # given in the files' order (in K, rounded): accepted and marked as checked against the names
    pairing, _ = pair_temperatures(spectra, [373.0, 298.0, 333.0])
    assert [p.source for p in pairing] == ["given"] * 3 and "agrees" in pairing[0].detail
    with pytest.raises(DataError, match="another order"):
        pair_temperatures(spectra, [298.15, 333.15, 373.15])
    # metadata (a measured probe temperature) and the name must agree
    both = _named(["x_25C.DTA", "x_60C.DTA"], [298.4, 318.15])
    with pytest.raises(DataError, match=r"x_60C\.DTA: file metadata says 318\.15 K .* file name '60C' says"):
        pair_temperatures(both)
    pairing, _ = pair_temperatures(both, source="file")
    assert [p.temperature_k for p in pairing] == pytest.approx([298.4, 318.15])
    pairing, _ = pair_temperatures(both, source="name")
    assert [p.temperature_k for p in pairing] == pytest.approx([298.15, 333.15])
    # "given": the user's order wins, every disagreement is reported
    pairing, notes = pair_temperatures(both, [298.15, 340.0], source="given")
    assert [p.temperature_k for p in pairing] == [298.15, 340.0]
    assert len(notes) == 2 and all(n.startswith("x_60C.DTA") for n in notes)


def test_pairing_in_command_line_order_is_warned_and_glob_traps_are_refused() -> None:
    plain = _named(["first.csv", "second.csv", "third.csv"])
    pairing, notes = pair_temperatures(plain, [300.0, 320.0, 340.0])
    assert [p.source for p in pairing] == ["order"] * 3
    assert "command-line order" in notes[0]
    # bare numbers in the names: the given temperatures in another order (°C in names, K given)
    glob = _named(["p_100.csv", "p_25.csv", "p_40.csv"])
    with pytest.raises(DataError, match=r"carry the numbers 100, 25, 40 \(°C\?\)"):
        pair_temperatures(glob, [298.15, 313.15, 373.15])
    # lexicographic order of sample numbers against sorted temperatures
    lexicographic = _named(["s1.csv", "s10.csv", "s2.csv"])
    with pytest.raises(DataError, match="lexicographic"):
        pair_temperatures(lexicographic, [280.0, 300.0, 320.0])
    pairing, _ = pair_temperatures(lexicographic, [280.0, 300.0, 320.0], source="given")
    assert [p.temperature_k for p in pairing] == [280.0, 300.0, 320.0]
    # names in the order of the numbers: paired in order, with the warning only
    pairing, notes = pair_temperatures(
        _named(["p_25.csv", "p_40.csv", "p_100.csv"]), [298.15, 313.15, 373.15]
    )
    assert [p.source for p in pairing] == ["order"] * 3 and len(notes) == 1


def test_spectra_without_any_temperature_need_them_given() -> None:
    with pytest.raises(DataError, match="no temperature in the file metadata or name"):
        pair_temperatures(_named(["a.csv", "b.csv"]))
    with pytest.raises(DataError, match="3 temperatures given for 2 spectra"):
        pair_temperatures(_named(["a.csv", "b.csv"]), [300.0, 310.0, 320.0])


# ---------------------------------------------------------------------------------------------------
# what a table's value column holds (reviewer: "R (Ohm)" was fitted as σ, E_a = −0.356 eV, exit 0)


def _table(path: Path, header: str, temps: np.ndarray, values: np.ndarray) -> Path:
    path.write_text(header + "\n" + "".join(f"{t:.2f},{v:.8e}\n" for t, v in zip(temps, values, strict=True)))
    return path


def test_cli_table_of_resistances_is_fitted_as_one_over_r(tmp_path: Path) -> None:
    """R = 10 Ω·exp(E_a/k (1/T − 1/300)) with E_a = 0.35 eV: the header 'R (Ohm)' must make it a
    resistance (ln 1/R), giving +0.35 eV; read as σ it gave ≈ −0.33 eV with exit code 0."""
    temps = np.array([300.0, 325.0, 350.0, 375.0, 400.0])
    resistance = 10.0 * np.exp(0.35 / K_B * (1 / temps - 1 / 300.0))
    table = _table(tmp_path / "r.csv", "T/K,R (Ohm)", temps, resistance)
    code, out, err = run("arrhenius", "--table", table, "--json", "-")
    assert code == 0, err
    record = json.loads(out)
    assert record["quantity"] == "resistance"
    assert record["activation_energy"]["value"] == pytest.approx(0.35, abs=1e-6)
    assert {p["unit"] for p in record["points"]} == {"Ohm"} and "S cm^-1" not in err
    code, _, err = run("arrhenius", "--table", table, "--quantity", "conductivity")
    assert code == 1 and "'R (Ohm)' holds a resistance" in err and "r.csv" in err
    # the same resistances in kΩ and as conductances 1/R in mS: the same E_a, values in Ω
    for header, column in (("T/K,R_ct/kOhm", resistance / 1e3), ("T/K,1/R (mS)", 1e3 / resistance)):
        code, out, err = run(
            "arrhenius", "--table", _table(tmp_path / "x.csv", header, temps, column), "--json", "-"
        )
        record = json.loads(out)
        assert code == 0 and record["activation_energy"]["value"] == pytest.approx(0.35, abs=1e-6), header
        assert record["points"][0]["value"] == pytest.approx(10.0, rel=1e-6)


def test_table_of_exchange_currents_is_fitted_as_ln_i0() -> None:
    """i0 = 0.5 mA cm⁻² exp(−0.5 eV/k (1/T − 1/300)): ln(i0) gives 0.5 eV; the σT form gave 0.53."""
    temps = np.array([300.0, 325.0, 350.0, 375.0, 400.0])
    i0 = 0.5 * np.exp(-0.5 / K_B * (1 / temps - 1 / 300.0))
    for header, scale in (
        ("i0 (mA cm-2)", 1.0),
        ("j0/A cm^-2", 1e-3),
        ("exchange current density (µA cm-2)", 1e3),
    ):
        text = f"T/K,{header}\n" + "".join(f"{t},{v * scale:.10e}\n" for t, v in zip(temps, i0, strict=True))
        table = parse_arrhenius_table(text, "t.csv")
        assert table.quantity == "i0" and table.unit == "mA cm^-2"
        assert table.values == pytest.approx(i0, rel=1e-9)
        result = arrhenius_from_table(table)
        assert result.quantity == "i0" and result.activation_energy.value == pytest.approx(0.5, abs=1e-6)
        with pytest.raises(DataError, match="holds an i0"):
            arrhenius_from_table(table, quantity="resistance", source="t.csv")


def test_table_header_units_conversions_and_contradictions() -> None:
    """Each header's conversion against a hand value; contradictory or logarithmic headers are refused."""
    temps = "300,"
    cases = {  # header: (raw value, quantity, converted value, unit)
        "sigma (mS/cm)": (4.1, "conductivity", 4.1e-3, "S cm^-1"),
        "σ_total / S m-1": (0.41, "conductivity", 4.1e-3, "S cm^-1"),
        "rho (Ohm cm)": (250.0, "conductivity", 4e-3, "S cm^-1"),
        "sigma*T (S K/cm)": (1.23, "conductivity", 1.23 / 300, "S cm^-1"),
        "ASR [Ω cm²]": (12.5, "resistance", 12.5, "Ohm cm^2"),
        "G (mS)": (4.0, "resistance", 250.0, "Ohm"),
        "i0 (A/m2)": (5.0, "i0", 0.5, "mA cm^-2"),
    }
    for header, (raw, quantity, value, unit) in cases.items():
        table = parse_arrhenius_table(f"T/K,{header}\n{temps}{raw}\n350,{raw}\n", "t.csv")
        assert (table.quantity, table.unit) == (quantity, unit), header
        assert table.values[0] == pytest.approx(value, rel=1e-12), header
    unknown = parse_arrhenius_table("T/K,value\n300,1\n350,2\n", "t.csv")
    assert unknown.quantity is None
    assert "names no quantity" in " ".join(arrhenius_from_table(unknown).warnings)
    for header, message in (
        ("sigma (Ohm)", "names a conductivity σ but its unit 'Ohm' is that of a resistance"),
        ("R (furlong)", "not one nakinetics reads"),
        ("log10(sigma)", "holds logarithms"),
    ):
        with pytest.raises(DataError, match=re.escape(message)):
            parse_arrhenius_table(f"T/K,{header}\n300,1\n350,2\n", "t.csv")


def test_negative_activation_energy_is_warned_about() -> None:
    """A conductivity that falls with T (a resistance given as σ) gives E_a < 0: named, not silent."""
    temps = np.array([300.0, 350.0, 400.0])
    result = arrhenius_fit(temps, 1e-3 * np.exp(0.3 / K_B * (1 / temps - 1 / 300)), form="sigma")
    assert result.activation_energy.value == pytest.approx(-0.3, abs=1e-9)
    assert any("E_a is negative (-0.3 eV)" in w and "resistance" in w for w in result.warnings)
    rising = arrhenius_fit(temps, 1e-3 * np.exp(-0.3 / K_B * (1 / temps - 1 / 300)), form="sigma")
    assert not any("negative" in w for w in rising.warnings)


# ---------------------------------------------------------------------------------------------------
# --any-temperature reaches every check; names with several temperature readings


def test_cli_i0_below_the_plausible_range_with_any_temperature(tmp_path: Path) -> None:
    """150–190 K (a sub-ambient study): --any-temperature must reach the i0 geometry as well (it was refused
    with 'give it in kelvin', which the user had done).  Expected E_a: a straight line through the exact
    ln i0 = ln(2RT/(F R A)) of the generating resistances, computed here with numpy."""
    temps = np.array([150.0, 170.0, 190.0])
    r_true = 200.0 * np.exp(0.3 / K_B * (1 / temps - 1 / 170.0))
    paths = []
    for k, r in enumerate(r_true):
        values = {"R0": 30.0, "R1": float(r), "CPE1_Q": 2e-6, "CPE1_n": 0.85}
        s = synthetic_spectrum(
            "na_se_na_1arc", values, np.logspace(6, -1, 50), noise=0.002, rng=np.random.default_rng(k)
        )
        paths.append(write_csv(tmp_path / f"cold_{k}.csv", s))
    gas, faraday = 8.314462618, 96485.33212
    i0_true = 2 * gas * temps / (faraday * r_true * 1.0) * 1e3  # mA cm^-2, symmetric cell, A = 1 cm²
    expected = -np.polyfit(1 / temps, np.log(i0_true), 1)[0] * K_B
    args = (
        "arrhenius",
        *paths,
        "--quantity",
        "i0",
        "-c",
        "na_se_na_1arc",
        "--area",
        "1",
        "--temperatures",
        "150,170,190",
    )
    code, out, err = run(*args, "--any-temperature", "--json", "-")
    assert code == 0, err
    assert json.loads(out)["activation_energy"]["value"] == pytest.approx(expected, abs=0.005)
    code, _, err = run(*args)
    assert code == 2 and "--any-temperature" in err


def test_names_with_two_temperature_readings_are_resolved_by_the_given_temperatures() -> None:
    """'pellet_1C_25C' reads 1 °C or 25 °C: the error names --temperatures, and given temperatures that
    match one reading per file pair them (they failed the same way before); one matching no reading is
    refused."""
    spectra = _named(["pellet_1C_25C.csv", "pellet_1C_60C.csv", "pellet_1C_80C.csv"])
    with pytest.raises(
        DataError, match=r"several temperatures \('1C', '25C'\); say which with --temperatures"
    ):
        pair_temperatures(spectra)
    pairing, notes = pair_temperatures(spectra, [298.15, 333.15, 353.15])
    assert [p.temperature_k for p in pairing] == [298.15, 333.15, 353.15] and notes == ()
    assert "'25C'" in pairing[0].detail and "'1C'" in pairing[0].detail and "agrees" in pairing[0].detail
    with pytest.raises(DataError, match=r"given 343\.15 K, but the name 'pellet_1C_80C' reads '1C'"):
        pair_temperatures(spectra, [298.15, 333.15, 343.15])
    pairing, _ = pair_temperatures(spectra, [298.15, 333.15, 343.15], source="given")
    assert pairing[2].temperature_k == 343.15


def test_a_batch_results_table_is_refused_with_the_command_that_does_the_job(tmp_path: Path) -> None:
    """`conductivity --csv` writes one row per file (file, index, circuit, σ, …); given to `arrhenius --table`
    it was refused for a temperature column without unit — the error now says what the table is and how to
    get the Arrhenius fit from those files."""
    from click.testing import CliRunner

    from nakinetics.cli import main

    pellets = sorted(EXAMPLES.glob("nzsp_pellet_*C.csv"))
    table = tmp_path / "sigma.csv"
    runner = CliRunner()
    made = runner.invoke(
        main,
        [
            "conductivity",
            *map(str, pellets[:2]),
            "--thickness",
            "0.162",
            "--diameter",
            "1.114",
            "--csv",
            str(table),
        ],
    )
    assert made.exit_code == 0 and table.read_text(encoding="utf-8").startswith("file,index,")
    refused = runner.invoke(main, ["arrhenius", "--table", str(table)])
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert "a table of per-file results" in refused.stderr and "nakinetics arrhenius" in refused.stderr
