"""Engine benchmark: CPU time of circuit fits against another git revision, and whether the results changed.

The cost of a fit is its number of circuit evaluations (how the search goes) times the cost of one evaluation
and Levenberg–Marquardt step (this benchmark's subject).  Each workload runs in child processes, alternately
with this tree's nakinetics and with REV's (``git archive REV src``, put first on ``PYTHONPATH``), for
``--rounds`` rounds in shuffled order, so drifting load on a shared machine hits both alike; every child
times its fits with ``time.process_time`` after a warm-up fit.  Workloads:

* ``choose_model small.csv``: the automatic model choice on ``examples/data/na_carbonate_na.csv`` (81 points,
  seven fits), ``--repeats`` times per child;
* one row per family of ``benchmarks/fit_benchmark.py`` (its seeded synthetic spectra, ``--per-family`` of
  each, ``fit_circuit`` with the true circuit given: its nakinetics column);
* ``--realdata``: ``choose_model`` on every spectrum of ``../shared/realdata/eis*`` (one child per side; for
  the comparison, its time is a by-product);
* ``LM iteration: PRESET``: the cost of one evaluation and step alone, independent of how many the search
  takes: ``ITERATIONS`` Levenberg–Marquardt iterations (each a damped step and the evaluation of its trial
  point) of the search problem of PRESET on small.csv from the elements' default values, ``--repeats`` × 20
  times per child (the engine's internals, ``fitting._Problem`` and ``_lm``: a revision without them fails).

``--engine-only`` compares the engine alone: REV's side is this side's source with only ``ENGINE_FILES`` taken
from REV, so other changes since REV (the data-driven starts, the DRT) are the same on both sides — valid while
those files carry nothing but engine changes since REV.

The table gives median CPU ms per fit (per ``choose_model``; per run of ``ITERATIONS`` iterations), the ratio
REV/this, the circuit evaluations per fit and the CPU µs per evaluation (a fit's CPU time over its evaluations,
so its other work counts too; for the LM rows, per iteration), and the largest relative difference between
the two revisions' fitted values over every fit of the workload (0 = bitwise the same; for ``choose_model``
every candidate's fit and the chosen model are compared; for the LM rows the point each run ends at).

    python benchmarks/engine_benchmark.py --against REV [--rounds 5] [--repeats 5] [--per-family 5]
                                          [--family NAME ...] [--no-families] [--realdata]
                                          [--this REV2] [--engine-only]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
SMALL_SPECTRUM = ROOT / "examples" / "data" / "na_carbonate_na.csv"
REALDATA = ROOT.parent / "shared" / "realdata"
SMALL = "choose_model small.csv"
REAL = "choose_model realdata"
LM = "LM iteration: "
LM_PRESETS = ("na_se_na_2arc", "na_se_na_3arc", "na_liquid_na_diffusion", "randles_w")
"""Candidates of the automatic choice on small.csv (two and three arcs, arcs with Ws diffusion, Randles + W)."""
ITERATIONS = 20


# ------------------------------------------------------------------------------------------------
# child side: run one workload with whatever nakinetics is importable, print JSON


def _fit_record(result: Any) -> dict[str, Any]:
    return {"values": result.values, "chisqr": result.statistics.chisqr, "nfev": result.statistics.nfev}


def _choice_records(label: str, comparison: Any) -> dict[str, dict[str, Any]]:
    records = {f"{label} | {r.circuit.text}": _fit_record(r) for r in comparison.results}
    records.update(
        {f"{label} | {r.circuit.text} (set aside)": _fit_record(r) for r, _ in comparison.set_aside}
    )
    records[f"{label} | chosen"] = {
        "values": {},
        "chisqr": 0.0,
        "nfev": 0,
        "circuit": comparison.best.circuit.text,
    }
    return records


def _family_spectra(name: str, per_family: int, seed: int) -> tuple[Any, list[Any]]:
    """The spectra ``fit_benchmark.run_family`` fits for the family ``name`` (same seed, same draws)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fit_benchmark as fb
    import numpy as np

    from nakinetics.fitting import resolve_circuit
    from nakinetics.synthetic import synthetic_spectrum

    family = next(f for f in fb.BASIC + fb.HARD if f.name == name)
    rng = np.random.default_rng([seed, sum(map(ord, family.name)), 0])
    circuit, _ = resolve_circuit(family.circuit)
    spectra = []
    for _ in range(per_family):
        truth = family.sample(rng)
        lo, hi = family.noise
        noise = fb._log_uniform(rng, lo, hi) if lo != hi else lo
        spectra.append(synthetic_spectrum(circuit, truth, family.frequency, noise=noise, rng=rng))
    return family, spectra


def child(args: argparse.Namespace) -> None:
    from nakinetics import fit_circuit
    from nakinetics.io import read_spectra, read_spectrum
    from nakinetics.selection import choose_model

    warnings.simplefilter("ignore")
    small = read_spectrum(SMALL_SPECTRUM)
    choose_model(small)  # warm-up: imports, caches
    times: list[float] = []
    records: dict[str, dict[str, Any]] = {}
    if args.child == SMALL:
        for _ in range(args.repeats):
            start = time.process_time()
            comparison = choose_model(small)
            times.append(time.process_time() - start)
        records = _choice_records("small.csv", comparison)
    elif args.child == REAL:
        for path in sorted(p for d in ("eis", "eis_more") for p in (REALDATA / d).glob("*") if p.is_file()):
            try:
                spectra = read_spectra(path)
            except Exception as exc:  # noqa: BLE001 - a reader's refusal is part of the record
                records[path.name] = {"values": {}, "chisqr": 0.0, "nfev": 0, "error": type(exc).__name__}
                continue
            for k, spectrum in enumerate(spectra):
                start = time.process_time()
                try:
                    records.update(_choice_records(f"{path.name}[{k}]", choose_model(spectrum)))
                except Exception as exc:  # noqa: BLE001
                    records[f"{path.name}[{k}]"] = {"values": {}, "chisqr": 0.0, "nfev": 0, "error": str(exc)}
                times.append(time.process_time() - start)
    elif args.child.startswith(LM):
        times, records = _lm_iterations(args.child.removeprefix(LM), small, 20 * args.repeats)
    else:
        family, spectra = _family_spectra(args.child, args.per_family, args.seed)
        for k, spectrum in enumerate(spectra):
            start = time.process_time()
            result = fit_circuit(spectrum, family.circuit)
            times.append(time.process_time() - start)
            records[f"{family.name} #{k}"] = _fit_record(result)
    # small.csv and the LM rows: the records of the last call; otherwise one record per timed fit
    units = 1 if args.child == SMALL or args.child.startswith(LM) else max(len(times), 1)
    evaluations = sum(r["nfev"] for r in records.values()) / units
    print(json.dumps({"times": times, "records": records, "evaluations": evaluations}))


def _lm_iterations(preset: str, spectrum: Any, runs: int) -> tuple[list[float], dict[str, dict[str, Any]]]:
    """CPU time of ``runs`` runs of ``ITERATIONS`` LM iterations on the search problem of ``preset``."""
    from nakinetics import _lm, fitting
    from nakinetics.parameters import parameter_setup, resolve_circuit, specify

    circuit, found = resolve_circuit(preset)
    setup = parameter_setup(circuit, found, specify(circuit, preset))
    problem = fitting._Problem(circuit, spectrum, fitting.Weighting.MODULUS, setup, search_coordinates=True)
    # the element defaults: a start that does not depend on the data-driven starts (a search change)
    u0 = problem.to_internal({p.name: p.spec.default for p in circuit.parameters})
    fun = getattr(problem, "residual_and_deferred_jacobian", problem.residual_and_jacobian)
    times = []
    for _ in range(runs):
        start = time.process_time()
        state = _lm.start(fun, u0, problem.u_lower, problem.u_upper)
        _lm.iterate(fun, state, problem.u_lower, problem.u_upper, ITERATIONS)
        times.append(time.process_time() - start)
    # "nfev": the iterations of a run (fewer than ITERATIONS if it converges), so the µs column is per iteration
    record = {"values": problem.named(state.u), "chisqr": state.cost, "nfev": state.iterations}
    return times, {preset: record}


# ------------------------------------------------------------------------------------------------
# parent side


def _run_child(workload: str, src: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    argv = [sys.executable, __file__, "--child", workload, "--repeats", str(args.repeats)]
    argv += ["--per-family", str(args.per_family), "--seed", str(args.seed)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {workload} ({src}) failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def _largest_difference(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, str]:
    """Largest relative difference of fitted values (and χ²) between two runs' records, and where."""
    worst, where = 0.0, "—"
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            return float("inf"), f"{key}: only in one run"
        x, y = a[key], b[key]
        if x.get("circuit") != y.get("circuit") or x.get("error") != y.get("error"):
            return float(
                "inf"
            ), f"{key}: {x.get('circuit') or x.get('error')} vs {y.get('circuit') or y.get('error')}"
        pairs = [(f"{key} {n}", v, y["values"].get(n, float("nan"))) for n, v in x["values"].items()]
        pairs.append((f"{key} χ²", x["chisqr"], y["chisqr"]))
        for name, u, v in pairs:
            if u == v:
                continue
            scale = max(abs(u), abs(v))
            difference = abs(u - v) / scale if scale > 0 else 0.0
            if not difference <= worst:  # NaN on one side only counts as infinitely different
                worst, where = difference if math.isfinite(difference) else float("inf"), name
    return worst, where


ENGINE_FILES = ("circuit.py", "elements.py", "fitting.py", "_lm.py", "_search.py")
"""The fitting engine's files (``--engine-only`` takes just these from REV)."""


def _engine_of(revision: str, this: Path, folder: Path) -> Path:
    """``this`` source tree (copied into ``folder``) with the engine's files of ``revision``."""
    shutil.copytree(this, folder / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "circuits", folder / "circuits")
    for name in ENGINE_FILES:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:src/nakinetics/{name}"],
            capture_output=True,
            check=True,
        ).stdout
        (folder / "src" / "nakinetics" / name).write_bytes(text)
    return folder / "src"


def _checkout(revision: str, folder: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src", "circuits"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="the revision to compare with (e.g. main)")
    parser.add_argument(
        "--this", metavar="REV", help="a revision in place of this tree's src (default: the tree)"
    )
    parser.add_argument(
        "--engine-only",
        action="store_true",
        help="REV's side is this side with only the engine's files (ENGINE_FILES) from REV",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="choose_model calls per child (default 5)")
    parser.add_argument(
        "--per-family", type=int, default=5, help="spectra per fit-benchmark family (default 5)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--family", nargs="*", help="only fit-benchmark families whose name contains one of these"
    )
    parser.add_argument("--no-families", action="store_true", help="skip the fit-benchmark families")
    parser.add_argument(
        "--realdata", action="store_true", help="also compare choose_model on the real spectra"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if not args.against:
        parser.error("--against REV is required")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fit_benchmark as fb

    workloads = [LM + preset for preset in LM_PRESETS] + [SMALL]
    if not args.no_families:
        families = [f.name for f in fb.BASIC + fb.HARD]
        workloads += [f for f in families if not args.family or any(s in f for s in args.family)]
    if args.realdata and REALDATA.is_dir():
        workloads.append(REAL)
    rng = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    print(
        f"CPU ms per fit (choose_model: per call), medians over {args.rounds} rounds (realdata: 1), "
        f"this tree vs {args.against} alternately in child processes; Δ = largest relative difference of "
        f"fitted values or χ² (0 = identical)\n"
    )
    print(
        f"| workload | this ms | {args.against} ms | speed-up | evaluations per fit | this µs/eval | "
        f"{args.against} µs/eval | fits compared | Δ | where |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as other:
        this = _checkout(args.this, Path(other)) if args.this else ROOT / "src"
        rev = (
            _engine_of(args.against, this, Path(folder))
            if args.engine_only
            else _checkout(args.against, Path(folder))
        )
        sides = {"this": this, "rev": rev}
        families: list[tuple[float, float]] = []  # (this, rev) median ms of each fit-benchmark family
        largest = (0.0, "—")
        for workload in workloads:
            times: dict[str, list[float]] = {"this": [], "rev": []}
            runs: dict[str, dict[str, Any]] = {}
            for _ in range(1 if workload == REAL else args.rounds):
                order = list(sides)
                rng.shuffle(order)
                for side in order:
                    runs[side] = _run_child(workload, sides[side], args)
                    times[side] += runs[side]["times"]
            nfev = runs["this"]["evaluations"]
            this, rev = (1e3 * statistics.median(times[s]) for s in ("this", "rev"))
            per_eval = {
                s: 1e3 * statistics.median(times[s]) * 1e3 / nfev if nfev else float("nan") for s in sides
            }
            worst, where = _largest_difference(runs["this"]["records"], runs["rev"]["records"])
            print(
                f"| {workload} | {this:.1f} | {rev:.1f} | {rev / this:.2f}× | {nfev:.0f} | {per_eval['this']:.0f} | "
                f"{per_eval['rev']:.0f} | {len(runs['this']['records'])} | {worst:.2g} | "
                f"{where if worst else '—'} |",
                flush=True,
            )
            if workload not in (SMALL, REAL) and not workload.startswith(LM):
                families.append((this, rev))
            largest = max(largest, (worst, where), key=lambda pair: pair[0])
    if families:
        ratios = sorted(rev / this for this, rev in families)
        total_this, total_rev = (sum(pair[k] for pair in families) for k in (0, 1))
        print(
            f"\n{len(families)} fit-benchmark families: speed-up median {statistics.median(ratios):.2f}× "
            f"(range {ratios[0]:.2f}–{ratios[-1]:.2f}×); sum of the family medians {total_this:.0f} vs "
            f"{total_rev:.0f} ms ({total_rev / total_this:.2f}×)"
        )
    print(f"largest Δ over every workload: {largest[0]:.2g} ({largest[1]})")
    print(f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
