"""Reader speed against numpy.loadtxt on the same numeric block (issue 12: within 3×).

Builds three files in a temporary folder and times, in one run, the nakinetics reader (detection,
decoding, sniffing, parsing, metadata and checked Spectrum/DCRecord objects) and ``numpy.loadtxt`` on
only the numeric rows of the same file.  Median of repeated runs; ratios are what matter on a shared
machine.

    nice python benchmarks/reader_benchmark.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nakinetics.io import read_dc_records, read_spectra

MPT = Path(__file__).resolve().parents[1] / "tests" / "data" / "biologic_sp150_peis_ecl11-18.mpt"


def _median_ms(func: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def _dc_csv(folder: Path, rows: int = 60_000) -> Path:
    t = np.arange(rows) * 0.1
    e = 0.2 * np.sin(t / 50)
    i = 1e-3 * np.sinh(e / 0.05)
    path = folder / "dc_60000.csv"
    np.savetxt(
        path, np.column_stack([t, e, i]), delimiter=",", header="time/s,Ewe/V,I/A", comments="", fmt="%.8g"
    )
    return path


def _eis_csv(folder: Path, sweeps: int = 100) -> Path:
    f = np.logspace(6, -2, 81)
    z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 1e-3 * 100)
    block = np.column_stack([f, z.real, z.imag])
    path = folder / "eis_100_sweeps.csv"
    np.savetxt(
        path, np.vstack([block] * sweeps), delimiter=",", header="freq/Hz,Re(Z)/Ohm,Im(Z)/Ohm", comments=""
    )
    return path


def _mpt_loops(folder: Path, loops: int = 1000) -> tuple[Path, int]:
    """The bundled EC-Lab PEIS export with its 43 rows repeated ``loops`` times and one Loop line each."""
    lines = MPT.read_text(encoding="latin-1").splitlines()
    n_header = int(lines[1].split(":")[1])
    head, names, rows = lines[: n_header - 1], lines[n_header - 1], lines[n_header:]
    loop_lines = [
        f"Loop {k} from point number {k * len(rows)} to {(k + 1) * len(rows) - 1}" for k in range(loops)
    ]
    head = head[:-1] + loop_lines + head[-1:]
    head[1] = f"Nb header lines : {len(head) + 1}"
    path = folder / "peis_1000_loops.mpt"
    path.write_text("\n".join([*head, names, *rows * loops]) + "\n", encoding="latin-1")
    return path, len(head) + 1


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dc = _dc_csv(folder)
        eis = _eis_csv(folder)
        mpt, mpt_header = _mpt_loops(folder)
        cases = [
            (
                "DC CSV, 60,000 rows × 3",
                lambda: read_dc_records(dc),
                lambda: np.loadtxt(dc, delimiter=",", skiprows=1),
            ),
            (
                "EIS CSV, 100 sweeps × 81 rows",
                lambda: read_spectra(eis),
                lambda: np.loadtxt(eis, delimiter=",", skiprows=1),
            ),
            (
                "EC-Lab .mpt, 1,000 loops × 43 rows × 18 columns",
                lambda: read_spectra(mpt),
                lambda: np.loadtxt(mpt, delimiter="\t", skiprows=mpt_header, encoding="latin-1"),
            ),
        ]
        print("| file | nakinetics (ms) | numpy.loadtxt (ms) | ratio |")
        print("|---|---:|---:|---:|")
        for name, ours, reference in cases:
            ours()  # warm caches and imports
            a, b = _median_ms(ours), _median_ms(reference)
            print(f"| {name} | {a:.1f} | {b:.1f} | {a / b:.2f} |")


if __name__ == "__main__":
    main()
