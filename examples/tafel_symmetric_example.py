"""A symmetric Na | carbonate electrolyte | Na cell read two ways: the naive single-electrode Tafel reading
that papers use, and the symmetric-cell, iR-corrected analysis of nakinetics.

Truth (per electrode): i0 = 0.5 mA cm⁻², α_a = α_c = ½, R_Ω = 5 Ω cm², 12 mm Na discs (1.131 cm²),
double layer 20 µF cm⁻² per electrode (10 µF cm⁻² for the cell), 2 mV offset, 10 mV/s from −0.3 V to +0.3 V
and back, 1 mV steps, noise 1e-8 A cm⁻² ⊕ 1 %, seed 2026.  The impedance spectrum of the same cell
(R_Ω + two R_ct‖C_dl arcs, 1 MHz–0.1 Hz, 0.3 % noise) supplies R_Ω and the EIS i0.

Writes examples/data_tafel/na_na_sweep.csv (generic CSV: time, cell voltage, current in A) and
na_na_eis.csv (f, Z', Z''), the same bytes on every run, then prints

* the naive reading: a straight line through log|i| against the raw cell voltage between 100 and 200 mV,
  read with single-electrode formulas (α = 2.303RT/(F b), i0 from the intercept) and the textbook EIS
  formula i0 = RT/(F R_ct A);
* the nakinetics analysis, as ``nakinetics tafel examples/data_tafel/na_na_sweep.csv --area 1.131
  --eis examples/data_tafel/na_na_eis.csv`` prints it (run here through the CLI), with JSON and a plot in
  OUTDIR.

Run: ``python examples/tafel_symmetric_example.py [OUTDIR]`` (default OUTDIR: a new temporary folder).
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

from nakinetics.cli import main as nakinetics
from nakinetics.constants import thermal_voltage
from nakinetics.io import read_dc_record, read_spectrum
from nakinetics.kinetics import eis_resistances, synthetic_sweep, tafel_analysis, triangular_sweep
from nakinetics.synthetic import synthetic_spectrum

DATA = Path(__file__).parent / "data_tafel"
AREA = math.pi * 0.6**2  # 12 mm disc, cm²
I0, R_OHM, C_DL = 5e-4, 5.0, 20e-6  # A cm⁻² per electrode, Ω cm², F cm⁻² per electrode
SEED = 2026


def write_data(folder: Path = DATA) -> tuple[Path, Path]:
    """Generate the sweep and the spectrum (seeded) and write them as CSV files."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    record = synthetic_sweep(
        "bv",
        "symmetric",
        i0=I0,
        r_ohm=R_OHM,
        v0=0.002,
        capacitance=C_DL / 2,
        scan_rate_v_s=0.01,
        area_cm2=AREA,
        potential_v=triangular_sweep(-0.3, 0.3, 0.001),
        noise_abs=1e-8,
        noise_rel=0.01,
        rng=rng,
    )
    sweep = folder / "na_na_sweep.csv"
    rows = (
        f"{t:.3f},{v:.6f},{i:.6e}"
        for t, v, i in zip(record.time_s, record.potential_v, record.current_a, strict=True)
    )
    sweep.write_text("time/s,Ecell/V,I/A\n" + "\n".join(rows) + "\n", encoding="utf-8")
    r_ct = thermal_voltage() / (I0 * AREA)  # Ω per interface
    values = {"R0": R_OHM / AREA, "R1": r_ct, "C1": C_DL * AREA, "R2": r_ct, "C2": C_DL * AREA}
    spectrum = synthetic_spectrum(
        "R0-p(R1,C1)-p(R2,C2)", values, np.geomspace(1e6, 0.1, 71), noise=0.003, rng=rng
    )
    eis = folder / "na_na_eis.csv"
    rows = (
        f"{f:.6e},{z.real:.6e},{z.imag:.6e}"
        for f, z in zip(spectrum.frequency, spectrum.impedance, strict=True)
    )
    eis.write_text("freq/Hz,Z'/Ohm,Z''/Ohm\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return sweep, eis


def naive_reading(sweep: Path, eis: Path) -> None:
    """What a single-electrode Tafel reading of the cell voltage gives (notes/kinetics.md §1.7)."""
    record = read_dc_record(sweep)
    density = record.current_a / AREA
    rising = np.gradient(record.potential_v) > 0
    tafel = tafel_analysis(
        record.potential_v[rising], density[rising], cell="single", temperature_k=298.15, window=(0.1, 0.2)
    )
    line = tafel.branches["anodic"].line
    assert line is not None
    r_ct = eis_resistances(read_spectrum(eis), cell="symmetric").r_ct
    textbook = thermal_voltage() / (r_ct * AREA)
    print("naive reading (cell voltage 100–200 mV, single-electrode formulas, no iR correction):")
    print(f"  Tafel slope {1e3 * line.slope_v_per_decade:.0f} mV/dec, R² = {line.r_squared:.4f}")
    print(f"  alpha = 2.303RT/(F b) = {line.alpha(298.15):.2f}            (truth 0.50)")
    print(f"  i0 = {1e3 * line.i0:.3f} mA cm⁻²  ({100 * (line.i0 / I0 - 1):+.0f} %)      (truth 0.500)")
    print(
        f"  EIS, textbook RT/(F R_ct A): i0 = {1e3 * textbook:.3f} mA cm⁻²  ({100 * (textbook / I0 - 1):+.0f} %)"
    )


def main(outdir: Path | None = None) -> dict[str, object]:
    out = outdir or Path(tempfile.mkdtemp(prefix="nakinetics_tafel_"))
    out.mkdir(parents=True, exist_ok=True)
    sweep, eis = write_data()
    naive_reading(sweep, eis)
    print("\nnakinetics tafel (symmetric cell, R_Ω from the EIS fit with its error, whole sweep fitted):\n")
    json_path = out / "na_na_tafel.json"
    args = [
        "tafel",
        str(sweep),
        "--area",
        f"{AREA:.4f}",
        "--eis",
        str(eis),
        "--json",
        str(json_path),
        "--plot",
        str(out / "na_na_tafel.png"),
    ]
    try:
        nakinetics(args, standalone_mode=False)
    except SystemExit as exc:  # the CLI group exits 1 with a one-line message on errors
        if exc.code:
            raise
    record = json.loads(json_path.read_text(encoding="utf-8"))
    i0 = record["parameters"]["i0"]
    print(f"\ni0 = {i0['value']:.4f} ± {i0['stderr']:.4f} {i0['unit']} (truth 0.5000); results in {out}")
    return record


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
