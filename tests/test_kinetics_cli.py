"""``nakinetics tafel`` driven with click's CliRunner: text report, JSON layout, plots, exit codes and
one-line errors; every real sweep in ../shared/realdata/dc analysed from the command line."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.kinetics import synthetic_sweep, triangular_sweep
from nakinetics.synthetic import synthetic_spectrum

AREA = 1.131


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def sweep_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A symmetric Na cell to ±0.8 V: i0 = 0.5 mA cm⁻², α = ½, R_Ω = 5 Ω cm², 12 mm disc, 10 mV/s."""
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=5e-4,
        r_ohm=5.0,
        v0=0.002,
        capacitance=20e-6,
        area_cm2=AREA,
        potential_v=triangular_sweep(-0.8, 0.8, 0.002),
        noise_abs=1e-8,
        noise_rel=0.01,
        rng=np.random.default_rng(42),
    )
    path = tmp_path_factory.mktemp("tafel") / "na_na_sweep.csv"
    rows = "\n".join(
        f"{t:.4f},{v:.6f},{i:.6e}"
        for t, v, i in zip(record.time_s, record.potential_v, record.current_a, strict=True)
    )
    path.write_text("time/s,Ewe/V,I/A\n" + rows + "\n", encoding="utf-8")
    return path


def test_text_report_names_model_conventions_and_estimators(sweep_csv: Path) -> None:
    code, out, _ = run("tafel", sweep_csv, "--area", AREA, "--r-ohm", "5:0.5", "--alpha", "half")
    assert code == 0
    assert "symmetric cell (two identical interfaces)" in out
    assert "mA cm^-2, per electrode" in out
    assert "global fit of the whole sweep" in out and "classical Tafel estimate" in out
    assert "linear estimate" in out and "prior 5 ± 0.5" in out
    i0_line = next(line for line in out.splitlines() if line.strip().startswith("i0 "))
    assert float(i0_line.split()[1]) == pytest.approx(0.5, rel=0.01)


def test_json_to_stdout_has_the_issue_layout(sweep_csv: Path) -> None:
    code, out, err = run("tafel", sweep_csv, "--area", AREA, "--r-ohm", "5:0.5", "--json", "-")
    assert code == 0
    record = json.loads(out)  # nothing but JSON on stdout; the report went to stderr
    assert "global fit" in err
    assert set(record) >= {
        "model",
        "cell",
        "parameters",
        "tafel",
        "linear",
        "eis_link",
        "diagnostics",
        "warnings",
    }
    assert record["model"] == "bv" and record["cell"] == "symmetric" and record["eis_link"] is None
    for name in ("i0", "alpha_product", "R_ohm", "V0", "C"):
        assert set(record["parameters"][name]) >= {"value", "stderr", "unit"}
    assert record["parameters"]["i0"]["unit"] == "mA cm^-2"
    assert record["parameters"]["i0"]["value"] == pytest.approx(0.5, rel=0.02)
    assert record["parameters"]["R_ohm"]["unit"] == "Ohm cm^2"
    anodic = record["tafel"]["branches"]["anodic"]
    assert anodic["found"] is True and anodic["window"]["x_min"] >= 0.236
    assert anodic["tafel_slope"]["unit"] == "mV/dec" and anodic["tafel_slope"]["value"] == pytest.approx(
        236.6, rel=0.02
    )
    assert record["linear"]["i0"]["value"] == pytest.approx(0.5, rel=0.03)
    assert record["diagnostics"]["capacitive"]["C"]["unit"] == "F cm^-2"


def test_json_file_and_plot_are_written(sweep_csv: Path, tmp_path: Path) -> None:
    target, figure = tmp_path / "k.json", tmp_path / "k.png"
    code, out, _ = run(
        "tafel", sweep_csv, "--area", AREA, "--json", target, "--plot", figure, "--window", "0.25:0.45"
    )
    assert code == 0 and "file" in out
    record = json.loads(target.read_text(encoding="utf-8"))
    assert record["tafel"]["branches"]["anodic"]["window_source"] == "user"
    assert any("R_ohm not given" in w for w in record["warnings"])
    assert figure.stat().st_size > 20_000 and figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eis_option_sets_r_ohm_and_links_the_exchange_currents(sweep_csv: Path, tmp_path: Path) -> None:
    r_ct = 0.025693 / (5e-4 * AREA)
    values = {"R0": 5.0 / AREA, "R1": r_ct, "C1": 20e-6 * AREA, "R2": r_ct, "C2": 20e-6 * AREA}
    spectrum = synthetic_spectrum(
        "R0-p(R1,C1)-p(R2,C2)", values, np.geomspace(1e6, 0.1, 61), noise=0.002, rng=np.random.default_rng(1)
    )
    path = tmp_path / "eis.csv"
    rows = "\n".join(
        f"{f:.6e},{z.real:.6e},{z.imag:.6e}"
        for f, z in zip(spectrum.frequency, spectrum.impedance, strict=True)
    )
    path.write_text("freq/Hz,Z'/Ohm,Z''/Ohm\n" + rows + "\n", encoding="utf-8")
    code, out, _ = run("tafel", sweep_csv, "--area", AREA, "--eis", path, "--json", "-")
    assert code == 0
    record = json.loads(out)
    assert record["r_ohm_source"].startswith("EIS")
    assert record["parameters"]["R_ohm"]["prior"]["mean"] == pytest.approx(5.0, rel=0.02)
    assert record["eis_link"]["ratio_dc_eis"] == pytest.approx(1.0, abs=0.03)


def test_eis_index_selects_one_spectrum_of_a_multi_spectrum_file(sweep_csv: Path, tmp_path: Path) -> None:
    """A file with two sweeps (the second at 3× the ohmic resistance): --eis alone names --eis-index (not the
    sweep's --index); --eis-index 1 takes R_ohm from the second spectrum, 3 × 5 Ω cm²."""
    frequency = np.geomspace(1e6, 0.1, 61)
    r_ct = 0.025693 / (5e-4 * AREA)
    blocks = []
    for r0 in (5.0 / AREA, 15.0 / AREA):
        values = {"R0": r0, "R1": r_ct, "C1": 20e-6 * AREA, "R2": r_ct, "C2": 20e-6 * AREA}
        spectrum = synthetic_spectrum(
            "R0-p(R1,C1)-p(R2,C2)", values, frequency, noise=0.002, rng=np.random.default_rng(1)
        )
        blocks += [
            f"{f:.6e},{z.real:.6e},{z.imag:.6e}" for f, z in zip(frequency, spectrum.impedance, strict=True)
        ]
    path = tmp_path / "two_spectra.csv"
    path.write_text("freq/Hz,Z'/Ohm,Z''/Ohm\n" + "\n".join(blocks) + "\n", encoding="utf-8")

    code, _, err = run("tafel", sweep_csv, "--area", AREA, "--eis", path)
    assert code == 1 and "--eis-index N (0..1)" in err and err.count("\n") == 1
    code, out, _ = run("tafel", sweep_csv, "--area", AREA, "--eis", path, "--eis-index", 1, "--json", "-")
    assert code == 0
    assert json.loads(out)["parameters"]["R_ohm"]["prior"]["mean"] == pytest.approx(15.0, rel=0.02)
    code, _, err = run("tafel", sweep_csv, "--eis", path, "--eis-index", 2)
    assert code == 1 and "--eis-index 2 but the file holds 2" in err
    assert run("tafel", sweep_csv, "--eis-index", 0)[0] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--r-ohm", "five"), "expected OHM_CM2"),
        (("--r-ohm", "5:-1"), "must be ≥ 0"),
        (("--window", "0.4:0.2"), "VMIN < VMAX"),
        (("--window", "-0.2:0.3"), "one branch"),
        (("--cell", "symmetric", "--alpha", "free"), "cannot separate"),
        (("--model", "butler"), "Invalid value for '--model'"),
    ],
)
def test_usage_errors_exit_2(sweep_csv: Path, args: tuple[str, ...], message: str) -> None:
    code, _, err = run("tafel", sweep_csv, *args)
    assert code == 2
    assert message in err


def test_missing_file_is_a_one_line_error() -> None:
    # as for every reading command: the reader's own message, exit 1 (fit and validate did this already)
    code, _, err = run("tafel", "no_such_sweep.csv")
    assert code == 1 and err.strip() == "error: no_such_sweep.csv: no such file"


def test_unreadable_file_is_one_line_error_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("hello\nthis is not a sweep\n", encoding="utf-8")
    code, _, err = run("tafel", bad)
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1 and "bad.csv" in err


def test_too_short_record_is_one_line_error(tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    short.write_text("potential/V,current/A\n0.0,0\n0.01,1e-6\n0.02,2e-6\n0.03,3e-6\n", encoding="utf-8")
    code, _, err = run("tafel", short)
    assert code == 1 and err.startswith("error: ") and "short.csv" in err


# real files --------------------------------------------------------------------------------------------

NOT_SWEEPS = {"_OCV_C15.mpt": "not a potential sweep", "_PEIS_C15.mpt": "impedance spectra"}
EXPECTED_WARNING = {
    "Pt-ORR": "the current does not change sign",  # oxygen reduction: a cathodic branch only
    "Pt-HER": "alpha_c = 2 stopped at the upper end of its search range",  # ~30 mV/dec: α_c ≈ 2 > 2n
    "Ir_OER": "alpha_c = 0.02 stopped at the lower end of its search range",  # no cathodic branch
    "Fe2Fe3": "the residuals are systematic",  # RDE, transport-limited: plain BV misses the plateau
    "Icorr10uA": "the residuals are systematic",  # corrosion: two different reactions, not one couple
    "chi1100b": "the residuals are systematic",  # a CV with peaks
}
"""A warning each real file must raise, for a physical reason (none is a clean single-interface BV sweep)."""


def test_every_real_sweep_is_read_and_analysed(realdata: Path) -> None:
    """Aqueous/RDE files, not Na cells: analysed as single interfaces without crashing, with honest warnings."""
    files = sorted(p for p in (realdata / "dc").rglob("*") if p.is_file())
    assert len(files) >= 12
    analysed = 0
    for path in files:
        code, out, err = run("tafel", path, "--cell", "single", "--json", "-")
        expected_error = next((m for suffix, m in NOT_SWEEPS.items() if path.name.endswith(suffix)), None)
        if expected_error is not None:
            assert code == 1 and expected_error in err and err.count("\n") == 1, path.name
            continue
        assert code == 0, f"{path.name}: {err[-400:]}"
        record = json.loads(out)
        analysed += 1
        assert record["cell"] == "single" and record["parameters"]["i0"]["value"] > 0
        expected = next(w for key, w in EXPECTED_WARNING.items() if key in path.name)
        assert any(w.startswith(expected) for w in record["warnings"]), (path.name, record["warnings"])
        assert "temperature not given" in " ".join(record["warnings"])
    assert analysed == 10


def test_real_rde_sweep_with_its_impedance_spectrum(realdata: Path) -> None:
    """Fe²⁺/Fe³⁺ on a GC RDE: transport-limited BV fit, R_Ω from the PEIS at OCV (≈ 3.2–3.5 Ω) and the
    DC-vs-EIS comparison (CV slope at E_eq ≈ 2.2 kΩ against |Z| ≈ 3.9 kΩ at low frequency)."""
    folder = realdata / "dc" / "houlbergg_fe23_rde"
    cv = next(folder.glob("*_02_CV_C15.mpt"))
    peis = next(folder.glob("*_02_PEIS_C15.mpt"))
    code, out, err = run(
        "tafel", cv, "--cell", "single", "--model", "bv-limited", "--eis", peis, "--json", "-"
    )
    assert code == 0, err[-400:]
    record = json.loads(out)
    assert record["area_cm2"] is None  # the file's 0.001 cm² is EC-Lab's placeholder: resistances in Ω
    link = record["eis_link"]
    assert 3.0 < link["R_ohm"]["value"] < 3.6
    assert link["R_p_dc"]["value"] == pytest.approx(2200, rel=0.1)
    assert link["R_dc_limit_eis"]["value"] == pytest.approx(3900, rel=0.1)
    assert record["parameters"]["V0"]["value"] == pytest.approx(0.460, abs=0.005)  # E_oc of the OCV file
    assert "i_lim" in record["parameters"]


# example -----------------------------------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tafel_symmetric_example.py"


def test_example_data_is_reproduced_and_the_example_recovers_the_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = runpy.run_path(str(EXAMPLE))
    sweep, eis = module["write_data"](tmp_path / "data")
    shipped = EXAMPLE.parent / "data_tafel"
    for path in (sweep, eis):
        assert path.read_bytes() == (shipped / path.name).read_bytes(), path.name
    record = module["main"](tmp_path / "out")
    printed = capsys.readouterr().out
    assert "-23 %" in printed and "alpha = 2.303RT/(F b) = 0.26" in printed  # the naive reading's bias
    assert record["parameters"]["i0"]["value"] == pytest.approx(0.5, rel=0.01)
    assert record["eis_link"]["ratio_dc_eis"] == pytest.approx(1.0, abs=0.02)
    assert (tmp_path / "out" / "na_na_tafel.png").stat().st_size > 20_000
