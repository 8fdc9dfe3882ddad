"""Warburg D, pellet conductivity and activation energies on generated (seeded) data.

Writes the data to examples/data_diffusion/ (reproducible: the same bytes on every run), then runs

* ``nakinetics warburg`` on a Na-ion cell vs Na3V2(PO4)3 with a Warburg tail (slope and circuit fit);
* ``nakinetics conductivity`` on an NZSP pellet (L = 0.162 cm, d = 1.114 cm, R_b + R_gb = 40.5 Ω → 4.1e-3 S/cm);
* ``nakinetics arrhenius`` on the pellet at five temperatures (E_a = 0.30 eV, σT form), on Na | NZSP | Na
  cells at five temperatures (interfacial E_a = 0.60 eV from 1/R) and on a table of conductivities.

Run: ``python examples/diffusion_conductivity_example.py [OUTDIR]``; JSON and PNG results go to OUTDIR
(default: a new temporary folder, printed at the end).
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

import numpy as np

from nakinetics.cli import main as nakinetics
from nakinetics.constants import BOLTZMANN_EV, FARADAY, GAS_CONSTANT
from nakinetics.synthetic import synthetic_spectrum

DATA = Path(__file__).parent / "data_diffusion"
NOISE = 0.005  # 0.5 % proportional noise on Z' and Z''

# Full cell vs NVP: apparent D = 5.3e-14 cm²/s, C(Na) = 0.0207 mol/cm³ (3 Na per Na3V2(PO4)3, 3.15 g/cm³,
# 455.8 g/mol), 12 mm electrode. σ = RT/(√2 n² F² A C √D).
NVP_AREA_CM2 = math.pi * 0.6**2
NVP_CONC_MOL_CM3 = 0.0207
NVP_D_CM2_S = 5.3e-14
NVP_SIGMA = (
    GAS_CONSTANT
    * 298.15
    / (math.sqrt(2) * FARADAY**2 * NVP_AREA_CM2 * NVP_CONC_MOL_CM3 * math.sqrt(NVP_D_CM2_S))
)

PELLET_L_CM, PELLET_D_CM = 0.162, 1.114
PELLET_AREA = math.pi * PELLET_D_CM**2 / 4
CELSIUS = (25, 40, 60, 80, 100)


def _kelvin(celsius: float) -> float:
    return celsius + 273.15


def pellet_values(celsius: float, ea_ev: float = 0.30) -> dict[str, float]:
    """pellet_blocking parameters with σT = σ_25·298.15 exp(−E_a/k (1/T − 1/298.15)), σ_25 = 4.1e-3 S/cm
    (R_b : R_gb = 15 : 25.5, so R_b + R_gb = 40.5 Ω at 25 °C)."""
    t = _kelvin(celsius)
    factor = 298.15 / t * math.exp(-ea_ev / BOLTZMANN_EV * (1 / t - 1 / 298.15))
    r_total = 40.5 / factor
    return {
        "R1": r_total * 15 / 40.5,
        "CPE1_Q": 2e-11,
        "CPE1_n": 0.95,
        "R2": r_total * 25.5 / 40.5,
        "CPE2_Q": 3e-8,
        "CPE2_n": 0.85,
        "CPE3_Q": 2e-6,
        "CPE3_n": 0.8,
    }


def interface_values(celsius: float, ea_ev: float = 0.60) -> dict[str, float]:
    """na_se_na_1arc parameters of a cycled Na | NZSP | Na cell: interfacial R with E_a = 0.60 eV (ASR
    345 Ω cm² per interface at 25 °C, 0.785 cm² electrodes), electrolyte R with 0.30 eV."""
    t = _kelvin(celsius)
    arrhenius = lambda ea: math.exp(ea / BOLTZMANN_EV * (1 / t - 1 / 298.15))
    return {
        "R0": 31.8 * arrhenius(0.30),
        "R1": 2 * 345.0 / 0.785 * arrhenius(ea_ev),
        "CPE1_Q": 4e-6,
        "CPE1_n": 0.82,
    }


def _csv(path: Path, frequency: np.ndarray, z: np.ndarray) -> None:
    rows = [f"{f:.6e},{zz.real:.6e},{zz.imag:.6e}" for f, zz in zip(frequency, z, strict=True)]
    path.write_text("\n".join(["freq/Hz,Z'/Ohm,Z''/Ohm", *rows]) + "\n", encoding="utf-8")


def generate(outdir: Path = DATA) -> list[Path]:
    """Write every data file (seeded) to ``outdir``; returns their paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []

    def spectrum(name: str, circuit: str, values: dict[str, float], frequency: np.ndarray, seed: int) -> None:
        s = synthetic_spectrum(circuit, values, frequency, noise=NOISE, rng=np.random.default_rng(seed))
        _csv(outdir / name, s.frequency, s.impedance)
        written.append(outdir / name)

    spectrum(
        "na_nvp_warburg.csv",
        "randles_w",
        {"R0": 3.0, "R1": 150.0, "W1": NVP_SIGMA, "CPE1_Q": 1e-5, "CPE1_n": 0.85},
        np.logspace(6, -2, 81),
        1,
    )
    for k, celsius in enumerate(CELSIUS):
        spectrum(
            f"nzsp_pellet_{celsius}C.csv",
            "pellet_blocking",
            pellet_values(celsius),
            np.logspace(7, 2, 51),
            10 + k,
        )
        spectrum(
            f"na_nzsp_na_{celsius}C.csv",
            "na_se_na_1arc",
            interface_values(celsius),
            np.logspace(6, 0, 49),
            20 + k,
        )
    rng = np.random.default_rng(30)
    rows = []
    for celsius in (25, 50, 75, 100, 125, 150):
        sigma = PELLET_L_CM / (sum(pellet_values(celsius)[r] for r in ("R1", "R2")) * PELLET_AREA)
        rows.append(f"{celsius},{sigma * (1 + 0.02 * rng.standard_normal()):.4e},{0.02 * sigma:.2e}")
    (outdir / "sigma_table.csv").write_text(
        "T/°C,sigma/S cm-1,stderr\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    written.append(outdir / "sigma_table.csv")
    return written


def commands(data: Path, out: Path) -> list[list[str]]:
    """The command lines the example runs (each as `nakinetics` arguments)."""
    temps = ",".join(str(c) for c in CELSIUS)
    warburg = ["warburg", str(data / "na_nvp_warburg.csv"), "--area", f"{NVP_AREA_CM2:.4f}", "--conc",
               str(NVP_CONC_MOL_CM3), "--cell", "single"]  # fmt: skip  (a full cell: one electrode diffuses)
    return [
        [*warburg, "--json", str(out / "warburg.json"), "--plot", str(out / "warburg.png")],
        [*warburg, "--circuit", "randles_w", "--json", str(out / "warburg_fit.json")],
        [
            "conductivity",
            str(data / "nzsp_pellet_25C.csv"),
            "--thickness",
            str(PELLET_L_CM),
            "--diameter",
            str(PELLET_D_CM),
            "--json",
            str(out / "conductivity.json"),
            "--plot",
            str(out / "conductivity.png"),
        ],
        [
            "arrhenius",
            *(str(data / f"nzsp_pellet_{c}C.csv") for c in CELSIUS),
            "--temperatures",
            temps,
            "--temperature-unit",
            "C",
            "--thickness",
            str(PELLET_L_CM),
            "--diameter",
            str(PELLET_D_CM),
            "--json",
            str(out / "arrhenius_pellet.json"),
            "--plot",
            str(out / "arrhenius_pellet.png"),
        ],
        [
            "arrhenius",
            *(str(data / f"na_nzsp_na_{c}C.csv") for c in CELSIUS),
            "--temperatures",
            temps,
            "--temperature-unit",
            "C",
            "--quantity",
            "resistance",
            "--circuit",
            "na_se_na_1arc",
            "--json",
            str(out / "arrhenius_interface.json"),
            "--plot",
            str(out / "arrhenius_interface.png"),
        ],
        ["arrhenius", "--table", str(data / "sigma_table.csv"), "--json", str(out / "arrhenius_table.json")],
    ]


def run(data: Path, out: Path) -> None:
    """Run every command; stop at the first that fails."""
    out.mkdir(parents=True, exist_ok=True)
    for args in commands(data, out):
        print("$ nakinetics " + " ".join(Path(a).name if "/" in a else a for a in args))
        nakinetics(args, standalone_mode=False)
        print()


if __name__ == "__main__":
    for path in generate():
        print(f"wrote {path}")
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="nakinetics_example_"))
    run(DATA, results)
    print(f"results (JSON, PNG) in {results}")
