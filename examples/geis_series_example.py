"""Operando GEIS example: a synthetic Na | NZSP | Na stripping experiment, analysed with ``nakinetics geis``.

The cell is stripped at 0.2 mA cm⁻² (0.785 cm²) from 09:00; every 10 min a galvanostatic spectrum
(10 µA cm⁻² AC, 1 MHz → 0.1 Hz, 60 points, 1 % noise) is recorded.  The interfacial (contact) resistance
is constant until 12 345 s after switch-on and then grows exponentially with τ = 3000 s (void formation);
the DC cell voltage follows I·(R_SE + R_int).  Written into OUTDIR (default: a new temporary folder):

* ``geis_series.mpt`` — the 36 spectra as one BioLogic EC-Lab GEIS file with loops and per-point times;
* ``voltage.csv`` — the DC record, ``time/s,Ewe/V`` every 10 s from switch-on.

Then it runs (the first spectrum starts 60 s after switch-on, hence the offset of the voltage record)::

    nakinetics geis OUTDIR/geis_series.mpt -c na_se_na_2arc --area 0.785 --current 0.2 \\
        --voltage OUTDIR/voltage.csv --voltage-offset -60 --kk-limit 2 --out OUTDIR/fit \\
        --plot OUTDIR/dashboard.png --json OUTDIR/summary.json

and prints where the dashboard and the Nyquist waterfall are.  Run: ``python examples/geis_series_example.py [OUTDIR]``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np

from nakinetics.data import DCRecord, Spectrum
from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series

START = datetime(2025, 3, 1, 9, 0, 0)
FIRST_SPECTRUM_S = 60.0
CELL = OperandoCell()


def mpt_text(spectra: list[Spectrum], cell: OperandoCell, start: datetime) -> str:
    """The spectra as an EC-Lab GEIS ``.mpt`` export: one loop per spectrum, time/s from ``start``."""
    params = [
        ("Is", f"{cell.current_a * 1e3:.4f}"),
        ("unit Is", "mA"),
        ("vs.", "<None>"),
        ("fi", "1.000"),
        ("unit fi", "MHz"),
        ("ff", "100.000"),
        ("unit ff", "mHz"),
        ("Ia", f"{cell.ac_current_a * 1e6:.3f}"),
        ("unit  Ia", "uA"),
    ]
    counts = np.cumsum([0] + [len(s) for s in spectra])
    body = [
        "Galvano Electrochemical Impedance Spectroscopy",
        "",
        f"Acquisition started on : {start:%m/%d/%Y %H:%M:%S}.000",
        "Device : SP-300 (synthetic, nakinetics examples/geis_series_example.py)",
        f"Electrode surface area : {cell.area_cm2:.3f} cm2",
        *(f"{key:<20}{value:<20}" for key, value in params),
        "",
        f"Number of loops : {len(spectra)}",
        *(f"Loop {k} from point number {counts[k]} to {counts[k + 1] - 1}" for k in range(len(spectra))),
        "",
    ]
    columns = "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\ttime/s\t<I>/mA"
    header = ["EC-Lab ASCII FILE", f"Nb header lines : {len(body) + 4}", "", *body, columns]
    rows = []
    for spectrum in spectra:
        times = spectrum.point_times_s if spectrum.point_times_s is not None else np.zeros(len(spectrum))
        for f, z, t in zip(spectrum.frequency, spectrum.impedance, times, strict=True):
            rows.append(f"{f:.7E}\t{z.real:.7E}\t{-z.imag:.7E}\t{t:.6f}\t{cell.current_a * 1e3:.7E}")
    return "\n".join(header + rows) + "\n"


def voltage_csv(record: DCRecord) -> str:
    """The DC record as ``time/s,Ewe/V`` (no current column: the command gets it from --current)."""
    lines = [f"{t:.1f},{u:.7f}" for t, u in zip(record.time_s, record.potential_v, strict=True)]  # type: ignore[arg-type]
    return "\n".join(["time/s,Ewe/V", *lines]) + "\n"


def generate(outdir: Path) -> tuple[Path, Path]:
    """Write ``geis_series.mpt`` and ``voltage.csv`` into ``outdir``; returns their paths."""
    frequency = np.geomspace(1e6, 0.1, 60)
    spectra, record = operando_series(
        CELL,
        36,
        600.0,
        frequency,
        noise=0.01,
        rng=np.random.default_rng(2025),
        start=START,
        first_s=FIRST_SPECTRUM_S,
    )
    outdir.mkdir(parents=True, exist_ok=True)
    mpt, voltage = outdir / "geis_series.mpt", outdir / "voltage.csv"
    mpt.write_text(mpt_text(spectra, CELL, START), encoding="utf-8")
    voltage.write_text(voltage_csv(record), encoding="utf-8")
    return mpt, voltage


def main(outdir: Path) -> int:
    mpt, voltage = generate(outdir)
    print(f"wrote {mpt} and {voltage}")
    command = [
        sys.executable,
        "-m",
        "nakinetics",
        "geis",
        str(mpt),
        "-c",
        CIRCUIT,
        "--area",
        str(CELL.area_cm2),
        "--current",
        str(CELL.current_ma_cm2),
        "--voltage",
        str(voltage),
        "--voltage-offset",
        str(-FIRST_SPECTRUM_S),
        "--kk-limit",
        "2",
        "--out",
        str(outdir / "fit"),
        "--plot",
        str(outdir / "dashboard.png"),
        "--json",
        str(outdir / "summary.json"),
    ]
    print("$ nakinetics " + " ".join(command[3:]))
    done = subprocess.run(command, check=False)
    onset = CELL.onset_s - FIRST_SPECTRUM_S
    print(f"truth: onset of R_int growth at {onset:g} s on the series axis ({onset / 3600:.3g} h)")
    return done.returncode


if __name__ == "__main__":
    sys.exit(
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="nakinetics_geis_")))
    )
