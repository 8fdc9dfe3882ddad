"""Kramers–Kronig benchmark: time per linear KK test (automatic M, series C when needed) on typical spectra.

Seeded synthetic spectra with proportional complex noise — a two-arc Na | solid electrolyte | Na cell at
0.3 % (passes the default 0.5 % limit) and 1 % noise (fails it, so the series-capacitance variant is
considered), a Randles cell with a finite-space Warburg, a blocking-electrode pellet (needs the series C),
a cell whose interfacial resistance grows 60 % during the sweep (must fail), and 20/200-point versions —
plus the real spectra in ``../shared/realdata/eis`` when present.  Printed per case: median and 95th
percentile CPU time per test (process time, BLAS single-threaded: on a shared machine the wall time of a
millisecond-long call mostly measures the other processes), the median wall time, the chosen M (median),
how often the series C was used and the pass rate.
``--against REV`` also times ``validation.py`` as it was at git revision REV on the same spectra,
interleaved with the current one, and reports the speed-up and whether every result (M, series C,
pass/fail) is the same.

    python benchmarks/kk_benchmark.py [--repeats 30] [--seed 2026] [--against REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nakinetics._threads import limit_blas_threads

limit_blas_threads()  # before numpy loads: one BLAS thread, as in the command line

import numpy as np

from nakinetics import NakineticsError, Spectrum, get_preset, read_spectra
from nakinetics.synthetic import synthetic_spectrum
from nakinetics.validation import kramers_kronig_test

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata" / "eis"

TWO_ARC = {"R0": 40.0, "R1": 120.0, "CPE1_Q": 1e-7, "CPE1_n": 0.9, "R2": 400.0, "CPE2_Q": 5e-5, "CPE2_n": 0.8}
RANDLES_WO = {"R0": 10.0, "R1": 80.0, "CPE1_Q": 2e-5, "CPE1_n": 0.9, "Wo1_R": 200.0, "Wo1_tau": 5.0}
PELLET = {"R1": 300.0, "CPE1_Q": 2e-11, "CPE1_n": 0.95, "R2": 600.0, "CPE2_Q": 5e-9, "CPE2_n": 0.85}
PELLET |= {"CPE3_Q": 2e-6, "CPE3_n": 0.9}

Maker = Callable[[np.random.Generator], Spectrum]


def _synthetic(preset: str, truth: dict[str, float], points: int, noise: float, fmax: float = 1e6) -> Maker:
    frequency = np.geomspace(fmax, 0.1, points)
    return lambda rng: synthetic_spectrum(preset, truth, frequency, noise=noise, rng=rng)


def _drifting(rng: np.random.Generator) -> Spectrum:
    """Two-arc spectrum whose R2 grows linearly by 60 % while the sweep runs from 1 MHz to 0.1 Hz."""
    frequency = np.geomspace(1e6, 0.1, 60)
    circuit = get_preset("na_se_na_2arc").circuit
    growth = np.linspace(1.0, 1.6, frequency.size)
    z = np.array(
        [
            circuit.simulate(np.array([f]), {**TWO_ARC, "R2": TWO_ARC["R2"] * g})[0]
            for f, g in zip(frequency, growth, strict=True)
        ]
    )
    z = z * (1 + 0.003 * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size)))
    return Spectrum(frequency, z)


CASES: dict[str, Maker] = {
    "two arcs, 60 points, 0.3 % noise": _synthetic("na_se_na_2arc", TWO_ARC, 60, 0.003),
    "two arcs, 60 points, 1 % noise": _synthetic("na_se_na_2arc", TWO_ARC, 60, 0.01),
    "Randles + Wo, 60 points, 1 % noise": _synthetic("randles_wo", RANDLES_WO, 60, 0.01, fmax=1e5),
    "blocking pellet, 60 points, 0.3 % noise": _synthetic("pellet_blocking", PELLET, 60, 0.003, fmax=1e7),
    "drifting cell, 60 points (must fail)": _drifting,
    "two arcs, 20 points, 0.3 % noise": _synthetic("na_se_na_2arc", TWO_ARC, 20, 0.003),
    "two arcs, 200 points, 0.3 % noise": _synthetic("na_se_na_2arc", TWO_ARC, 200, 0.003),
}


def _real_spectra() -> dict[str, Spectrum]:
    """First spectrum of each readable real file (``{}`` without ../shared/realdata)."""
    found = {}
    for path in sorted(REALDATA.glob("*")) if REALDATA.is_dir() else []:
        if path.suffix == ".mpr":
            continue  # the .mpt twin holds the same data and needs no optional reader
        try:
            spectrum = read_spectra(path)[0]
        except NakineticsError:
            continue  # e.g. impedance.py's deliberately broken MissingFreq file
        found[f"real: {path.name} ({len(spectrum)} points)"] = spectrum
    return found


def reference_test(revision: str) -> Callable[..., Any]:
    """``kramers_kronig_test`` of ``src/nakinetics/validation.py`` at git ``revision`` (loaded as a module
    of the installed package, so its relative imports resolve)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:src/nakinetics/validation.py"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "validation_reference.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("nakinetics._validation_reference", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.kramers_kronig_test  # type: ignore[no-any-return]


def _same(a: Any, b: Any) -> bool:
    return (a.n_rc, a.capacitor, a.passed) == (b.n_rc, b.capacitor, b.passed) and abs(
        a.rms - b.rms
    ) <= 1e-6 * a.rms


def _timed(test: Callable[..., Any], spectrum: Spectrum) -> tuple[Any, float, float]:
    """Result, CPU time and wall time (s) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = test(spectrum)
    return result, time.process_time() - cpu, time.perf_counter() - wall


def _row(label: str, spectra: list[Spectrum], repeats: int, reference: Callable[..., Any] | None) -> str:
    times, walls, reference_times, results, same = [], [], [], [], 0
    for spectrum in spectra:
        for _ in range(repeats):
            result, cpu, wall = _timed(kramers_kronig_test, spectrum)
            times.append(cpu)
            walls.append(wall)
            if reference is not None:
                old, cpu, _ = _timed(reference, spectrum)
                reference_times.append(cpu)
        results.append(result)
        same += reference is not None and _same(result, old)
    ms = 1e3 * np.array(times)
    m = statistics.median(r.n_rc for r in results)
    capacitor = sum(r.capacitor for r in results)
    passed = sum(r.passed for r in results)
    n = len(results)
    row = (
        f"| {label} | {np.median(ms):.2f} | {np.percentile(ms, 95):.2f} | {1e3 * np.median(walls):.2f} | "
        f"{m:g} | {capacitor}/{n} | "
        f"{passed}/{n} |"
    )
    if reference is not None:
        old_ms = 1e3 * np.array(reference_times)
        row += f" {np.median(old_ms):.2f} | {np.median(old_ms / ms):.1f}× | {same}/{n} |"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="spectra (seeds) per synthetic case")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--against", metavar="REV", help="also time validation.py of this git revision")
    args = parser.parse_args()
    reference = None if args.against is None else reference_test(args.against)
    print(
        f"{args.repeats} seeded spectra per synthetic case (seed {args.seed}), each real spectrum timed "
        f"{args.repeats}×; os.cpu_count() = {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}"
    )
    print()
    header = "| case | CPU ms median | CPU ms p95 | wall ms median | M (median) | series C | passed |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if reference is not None:
        header += f" {args.against} CPU ms median | speed-up (median of ratios) | same result |"
        rule += "---:|---:|---:|"
    print(header)
    print(rule)
    rng = np.random.default_rng(args.seed)
    kramers_kronig_test(CASES["two arcs, 60 points, 0.3 % noise"](rng))  # first call: caches, imports
    for label, make in CASES.items():
        print(_row(label, [make(rng) for _ in range(args.repeats)], 1, reference))
    for label, spectrum in _real_spectra().items():
        print(_row(label, [spectrum], args.repeats, reference))


if __name__ == "__main__":
    main()
