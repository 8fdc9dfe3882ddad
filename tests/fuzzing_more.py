"""The ``more`` fuzz suite (``tests/fuzzing.py`` has the design and the ``core`` suite): the commands and
library functions that came after issue 11's list.

* ``drt`` and ``compute_drt`` on mutated impedance files (the ``core`` seeds of kind ``eis``);
* ``cycling``, ``read_cycling_record`` and ``analyse_cycling`` on mutated cycling records (the files of
  ``../shared/realdata/cycling``, ``examples/data_cycling`` and small synthetic records: plain, shorted,
  a current staircase, time–voltage only, zero current, one-way current), sometimes on an impedance or DC
  file instead;
* ``arrhenius`` on 2–5 files of a temperature series (``examples/data_diffusion``: pellet conductivity or
  symmetric-cell resistance, temperatures in the names) with one or two of them mutated, or swapped for
  a mutated real spectrum, names with or without temperatures and pathological ``--temperatures``; or on
  a mutated ``--table``;
* ``simulate`` with mutated circuit strings, parameter values (NaN, inf, huge, negative, missing, extra),
  frequency ranges and points per decade; a successful run must write a CSV that ``read_spectra`` reads
  back with finite values (otherwise the case is ``invalid_json``: invalid output).

Case ``i`` of master seed ``s`` comes from ``numpy.random.default_rng([s, i, 1])`` alone
(:func:`make_more_case`), so the ``core`` cases are unchanged by this suite.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .fuzzing import (
    _MUTATION_WEIGHTS,
    _OUTPUT_TRAPS,
    _SPECIAL_NUMBERS,
    MAX_SEED_BYTES,
    MUTATIONS,
    SUFFIXES,
    Case,
    CaseTimeout,
    Outcome,
    Rng,
    Seed,
    _alarm,
    _prepare_trap,
    classify_cli,
    real_seeds,
    synthetic_seeds,
)

MORE_CLI_TARGETS = ("drt", "cycling", "arrhenius", "simulate")
MORE_API_TARGETS = ("read_cycling_record", "compute_drt", "analyse_cycling")
MAX_BINARY_SEED_BYTES = 4_000_000
"""Binary cycler files (.mpr, .nda, .ndax: containers whose index may sit at the end) are kept whole up to
this size; text files are cut to :data:`~tests.fuzzing.MAX_SEED_BYTES` like the ``core`` seeds."""
_BINARY = {".mpr", ".nda", ".ndax"}
_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_SUITE = 1
"""Third element of the case's random seed (the ``core`` suite uses two)."""


# ---------------------------------------------------------------------------------------------------
# seeds


def _cycling_csv(t: np.ndarray, u_v: np.ndarray, i_a: np.ndarray | None) -> bytes:
    header = "time (s),Ecell (mV)" + (",I (mA)" if i_a is not None else "")
    rows = [t, 1e3 * u_v] + ([1e3 * i_a] if i_a is not None else [])
    return (
        "\n".join([header] + [",".join(f"{v:.8g}" for v in row) for row in zip(*rows, strict=True)]) + "\n"
    ).encode()


def synthetic_cycling_seeds() -> list[Seed]:
    """Small records: plain symmetric cycling, a hard short, a current staircase (CCD), a time–voltage
    record without current, zero current, and a current that never changes sign."""
    from nakinetics.cycling import synthetic_cycling

    def seed(name: str, **kwargs: object) -> Seed:
        record = synthetic_cycling(n_cycles=6, half_cycle_h=0.5, dt_s=60.0, **kwargs).record  # type: ignore[arg-type]
        return Seed(
            name, _cycling_csv(record.time_s, record.potential_v, record.current_a), ".csv", "cycling"
        )

    plain = synthetic_cycling(n_cycles=6, half_cycle_h=0.5, dt_s=60.0).record
    t, u, i = plain.time_s, plain.potential_v, plain.current_a
    return [
        seed("synthetic_cycling"),
        seed("synthetic_cycling_short", short_h=3.2),
        seed("synthetic_cycling_ccd", current_ma_cm2=[0.5, 1.0, 2.0, 4.0], cycles_per_level=1),
        Seed("synthetic_cycling_time_voltage", _cycling_csv(t, u, None), ".csv", "cycling"),
        Seed("synthetic_cycling_zero_current", _cycling_csv(t, u, 0 * i), ".csv", "cycling"),
        Seed("synthetic_cycling_one_way", _cycling_csv(t, np.abs(u), np.abs(i)), ".csv", "cycling"),
    ]


def cycling_seeds(realdata: Path | None) -> list[Seed]:
    """The records of ``realdata/cycling`` (if present) and ``examples/data_cycling``."""
    paths = sorted((realdata / "cycling").glob("*")) if realdata is not None and realdata.is_dir() else []
    paths += sorted((_EXAMPLES / "data_cycling").glob("*"))
    seeds = []
    for path in paths:
        if path.is_file():
            limit = MAX_BINARY_SEED_BYTES if path.suffix.lower() in _BINARY else MAX_SEED_BYTES
            seeds.append(Seed(f"cycling/{path.name}", path.read_bytes()[:limit], path.suffix, "cycling"))
    return seeds


def more_seeds(realdata: Path | None) -> list[Seed]:
    """Every seed of the suite: the ``core`` ones (impedance and DC) and the cycling ones."""
    return real_seeds(realdata) + synthetic_seeds() + cycling_seeds(realdata) + synthetic_cycling_seeds()


# ---------------------------------------------------------------------------------------------------
# options

_DRT_OPTIONS = [
    ["--lambda", "1e-16"],
    ["--lambda", "1e6"],
    ["--tail", "always"],
    ["--tail", "none"],
    ["--regularization", "gcv"],
    ["--fmin", "1e5"],
    ["--fmax", "1e-2"],
    ["--fmin", "1", "--fmax", "10"],
    ["--min-peak", "1"],
    ["--min-peak", "0"],
    ["--area", "nan"],
    ["--area", "0.785cm2"],
    ["--cell", "single"],
    ["--require-kk"],
    ["--index", "5"],
    ["--csv", "{work}/drt.csv"],
    ["--plot", "{work}/drt.png"],
    ["--tail", "always", "--regularization", "gcv", "--min-peak", "0"],
]
_CYCLING_OPTIONS = [
    ["--cell", "half"],
    ["--cell", "symmetric"],
    ["--cell", "other"],
    ["--current", "0.4mA"],
    ["--current", "nan"],
    ["--current", "1e400A"],
    ["--current", "-0.4mA", "--half-cycle", "1h"],
    ["--half-cycle", "1h"],
    ["--half-cycle", "1e-300s"],
    ["--unidirectional"],
    ["--ccd-convention", "last-stable"],
    ["--voltage-limit", "1e-9"],
    ["--voltage-limit", "inf"],
    ["--ce-protocol", "reservoir"],
    ["--ce-protocol", "plain", "--cell", "half"],
    ["--zoom", "1,2,100000"],
    ["--zoom", "999999999999999999999"],
    ["--format", "csv"],
    ["--format", "maccor"],
    ["--area", "1e-300"],
    ["--area", "1e300"],
    ["--csv", "{work}/rows.csv"],
    ["--csv", "-"],
    ["--plot", "{work}/cycling.png"],
]
_CYCLING_API_OPTIONS = [
    ["cell='half'"],
    ["cell='symmetric'"],
    ["cell='other'"],
    ["half_cycle_h=1.0"],
    ["half_cycle_h=1e-300"],
    ["unidirectional=True"],
    ["ccd_convention='last stable'"],
    ["voltage_limit_v=1e-9"],
    ["ce_protocol='reservoir'", "cell='half'"],
    ["area_cm2=1e300"],
]
_READ_CYCLING_OPTIONS = [["current_a=4e-4"], ["area_cm2=0.785"], ["current_convention='cathodic'"]]
_DRT_API_OPTIONS = [
    ["tail='always'"],
    ["tail='none'"],
    ["regularization='gcv'"],
    ["regularization=1e-16"],
    ["regularization=1e6"],
    ["penalty_order=2"],
    ["penalty_order=0"],
    ["fmin=1e5"],
    ["fmax=1e-2"],
    ["min_peak_fraction=0.0"],
    ["min_peak_fraction=1.0"],
    ["credible=0.5"],
    ["kramers_kronig='refuse'"],
    ["area_cm2=1.0", "cell='single'"],
]


# ---------------------------------------------------------------------------------------------------
# cases


def _mutate(data: bytes, rng: Rng, count: int | None = None) -> tuple[bytes, tuple[str, ...]]:
    names = list(MUTATIONS)
    weights = np.array([_MUTATION_WEIGHTS.get(name, 1.0) for name in names])
    if count is None:
        count = int(rng.choice([0, 1, 1, 1, 2, 2, 3]))
    mutations = tuple(names[int(k)] for k in rng.choice(len(names), size=count, p=weights / weights.sum()))
    for name in mutations:
        data = MUTATIONS[name](data, rng)
    return data, mutations


def _pick(rng: Rng, pool: list[list[str]], chance: float) -> tuple[str, ...]:
    return tuple(pool[int(rng.integers(len(pool)))]) if rng.random() < chance else ()


_TARGET_WEIGHTS = {
    "drt": 3.0,
    "compute_drt": 2.0,
    "cycling": 3.0,
    "read_cycling_record": 2.0,
    "analyse_cycling": 2.0,
    "arrhenius": 2.0,
    "simulate": 1.5,
}


def make_more_case(index: int, seeds: list[Seed], master_seed: int = 0) -> Case:
    """Case ``index`` of the ``more`` suite (``seeds``: :func:`more_seeds`)."""
    rng = np.random.default_rng([master_seed, index, _SUITE])
    targets = list(_TARGET_WEIGHTS)
    p = np.array([_TARGET_WEIGHTS[t] for t in targets])
    target = targets[int(rng.choice(len(targets), p=p / p.sum()))]
    if target == "arrhenius":
        return _arrhenius_case(index, rng, seeds)
    if target == "simulate":
        return _simulate_case(index, rng)
    wanted = "eis" if target in ("drt", "compute_drt") else "cycling"
    if wanted == "cycling" and rng.random() < 0.1:  # an impedance or DC file given as a cycling record
        wanted = "eis" if rng.random() < 0.5 else "dc"
    pool = [s for s in seeds if s.kind == wanted]
    seed = pool[int(rng.integers(len(pool)))]
    data, mutations = _mutate(seed.data, rng)
    suffix = seed.suffix if rng.random() > 0.1 else SUFFIXES[int(rng.integers(len(SUFFIXES)))]
    options: tuple[str, ...] = ()
    if target == "drt":
        options = _pick(rng, _DRT_OPTIONS, 0.3)
    elif target == "cycling":
        options = (("--area", "1") if rng.random() < 0.85 else ()) + _pick(rng, _CYCLING_OPTIONS, 0.3)
    elif target == "compute_drt":
        options = _pick(rng, _DRT_API_OPTIONS, 0.3)
    elif target == "read_cycling_record":
        options = _pick(rng, _READ_CYCLING_OPTIONS, 0.2)
    elif target == "analyse_cycling":
        options = (("area_cm2=1.0",) if rng.random() < 0.85 else ()) + _pick(rng, _CYCLING_API_OPTIONS, 0.3)
    trap = None
    if target in MORE_CLI_TARGETS and rng.random() < 0.08:
        trap = _OUTPUT_TRAPS[int(rng.integers(len(_OUTPUT_TRAPS)))]
    return Case(index, seed.name, mutations, suffix, data, target, options, trap)


_SERIES = {
    "pellet": ("nzsp_pellet_{}C.csv", ("--thickness", "0.162", "--diameter", "1.114")),
    "symmetric": ("na_nzsp_na_{}C.csv", ("--quantity", "resistance", "-c", "na_se_na_1arc")),
}
_CELSIUS = (25, 40, 60, 80, 100)
_TEMPERATURE_LISTS = [
    "nan,300,320",
    "300,300,300,300,300",
    "25C,40C",
    "1e400,300",
    "25C,313K,60,80C,100",
    "-300C,40C,60C,80C,100C",
    "0,0,0,0,0",
    ",,,",
    "25°C,40°C,60°C,80°C,100°C",
]


def _arrhenius_case(index: int, rng: Rng, seeds: list[Seed]) -> Case:
    if rng.random() < 0.25:  # a mutated table
        table = (_EXAMPLES / "data_diffusion" / "sigma_table.csv").read_bytes()
        if rng.random() < 0.3:
            table = b"T/K,R/Ohm\n298,120\n313,61\n333,25\n353,11.5\n373,5.9\n"
        data, mutations = _mutate(table, rng, int(rng.choice([0, 1, 1, 2, 3])))
        options = (
            "--table",
            "{input}",
            *_pick(rng, [["--quantity", "resistance"], ["--form", "sigma"]], 0.2),
        )
        return Case(index, "table", mutations, ".csv", data, "arrhenius", options, None, "table")
    kind = "pellet" if rng.random() < 0.6 else "symmetric"
    pattern, base = _SERIES[kind]
    chosen = sorted(rng.choice(len(_CELSIUS), size=int(rng.integers(2, 6)), replace=False))
    named = rng.random() < 0.8
    files = []
    for k in chosen:
        name = pattern.format(_CELSIUS[k]) if named else f"{kind}_{k}.csv"
        files.append((name, (_EXAMPLES / "data_diffusion" / pattern.format(_CELSIUS[k])).read_bytes()))
    victim = int(rng.integers(len(files)))
    mutations: tuple[str, ...] = ()
    if rng.random() < 0.2:  # a real spectrum in the series
        pool = [s for s in seeds if s.kind == "eis"]
        real = pool[int(rng.integers(len(pool)))]
        files[victim] = (files[victim][0].removesuffix(".csv") + real.suffix, real.data)
        mutations = (f"real:{real.name}",)
    data, more = _mutate(files[victim][1], rng, int(rng.choice([1, 1, 2, 3])))
    files[victim] = (files[victim][0], data)
    mutations += more
    options: tuple[str, ...] = base
    if not named or rng.random() < 0.3:
        if rng.random() < 0.5:
            options += ("--temperatures", ",".join(f"{_CELSIUS[k]}C" for k in chosen))
        else:
            options += ("--temperatures", _TEMPERATURE_LISTS[int(rng.integers(len(_TEMPERATURE_LISTS)))])
        if rng.random() < 0.3:
            options += ("--temperature-source", "given")
    options += _pick(
        rng,
        [["--any-temperature"], ["--fmin", "1e4"], ["--confidence", "0.999999"], ["--plot", "{work}/a.png"]],
        0.2,
    )
    first, *others = files
    stem, dot, suffix = first[0].rpartition(".")
    trap = _OUTPUT_TRAPS[int(rng.integers(len(_OUTPUT_TRAPS)))] if rng.random() < 0.08 else None
    return Case(
        index,
        f"series/{kind}",
        mutations,
        dot + suffix,
        first[1],
        "arrhenius",
        options,
        trap,
        stem,
        tuple(others),
    )


_CIRCUITS = [
    "R0-p(R1,CPE1)",
    "R0-p(R1-W1,CPE1)",
    "L0-R0-p(R1,C1)-p(R2,CPE2)",
    "R0-p(R1,CPE1)-Wo1",
    "R0-p(R1-Ws1,CPE1)",
    "p(R1,CPE1)-p(R2,CPE2)-CPE3",
    "R0-G1",
    "na_se_na_1arc",
    "randles_w",
    "pellet_blocking",
]
_SIMULATE_OPTIONS = [
    ["--fmin", "1e-300"],
    ["--fmax", "1e300"],
    ["--fmin", "10", "--fmax", "1"],
    ["--fmin", "1", "--fmax", "1"],
    ["--ppd", "100000"],
    ["--ppd", "99999999999999999999"],
    ["--noise", "nan"],
    ["--noise", "1e300"],
    ["--noise", "10"],
    ["--seed", "-1"],
    ["--seed", "99999999999999999999999"],
    ["--fmin", "nan"],
]


def _mutate_text(text: str, rng: Rng) -> str:
    """A circuit string with a character dropped, doubled, swapped for a bracket/operator, or truncated."""
    if not text:
        return text
    k = int(rng.integers(len(text)))
    choice = int(rng.integers(5))
    if choice == 0:
        return text[:k] + text[k + 1 :]
    if choice == 1:
        return text[:k] + text[k] + text[k:]
    if choice == 2:
        return text[:k] + "()-,p_0é"[int(rng.integers(8))] + text[k + 1 :]
    if choice == 3:
        return text[:k]
    return text.replace("-", ",", 1)


def _simulate_case(index: int, rng: Rng) -> Case:
    from nakinetics.circuit import Circuit
    from nakinetics.presets import get_preset

    circuit = _CIRCUITS[int(rng.integers(len(_CIRCUITS)))]
    try:
        names = list(Circuit(circuit).parameter_names)
    except Exception:  # noqa: BLE001 - a preset name
        names = list(get_preset(circuit).circuit.parameter_names)
    mutations: tuple[str, ...] = ()
    if rng.random() < 0.3:
        circuit = _mutate_text(circuit, rng)
        mutations = ("circuit",)
    values = [f"{float(10 ** rng.uniform(-6, 3)):.4g}" for _ in names]
    for k, name in enumerate(names):
        if name.endswith("_n"):
            values[k] = f"{rng.uniform(0.5, 1):.3f}"
    if rng.random() < 0.4 and values:
        k = int(rng.integers(len(values)))
        values[k] = _SPECIAL_NUMBERS[int(rng.integers(len(_SPECIAL_NUMBERS)))].decode()
        mutations += ("special_value",)
    options: list[str] = [circuit]
    if rng.random() < 0.2:
        if rng.random() < 0.3:
            values = values[:-1] if rng.random() < 0.5 else [*values, "1"]
            mutations += ("value_count",)
        options += ["--values", ",".join(values)]
    else:
        pairs = list(zip(names, values, strict=True))
        if rng.random() < 0.1 and pairs:
            pairs.pop(int(rng.integers(len(pairs))))
            mutations += ("missing_param",)
        if rng.random() < 0.05:
            pairs.append(("X9", "1"))
            mutations += ("unknown_param",)
        for name, value in pairs:
            options += ["-p", f"{name}={value}"]
    options += list(_pick(rng, _SIMULATE_OPTIONS, 0.25))
    traps = [t for t in _OUTPUT_TRAPS if t.endswith("_json")]  # -o takes the --json traps
    trap = traps[int(rng.integers(len(traps)))] if rng.random() < 0.1 else None
    return Case(index, "circuit", mutations, "", b"", "simulate", tuple(options), trap)


# ---------------------------------------------------------------------------------------------------
# running


def _kwargs(options: tuple[str, ...]) -> dict[str, object]:
    return {key: ast.literal_eval(value) for key, _, value in (option.partition("=") for option in options)}


def more_api_call(case: Case) -> Callable[[Path], object]:
    """The library call of a ``more`` API case (reading errors are errors like any other)."""
    from nakinetics import compute_drt, read_spectra
    from nakinetics.cycling import analyse_cycling
    from nakinetics.io import read_cycling_record

    kwargs = _kwargs(case.options)
    if case.target == "read_cycling_record":
        return lambda path: read_cycling_record(path, **kwargs)  # type: ignore[arg-type]
    if case.target == "analyse_cycling":
        return lambda path: analyse_cycling(read_cycling_record(path), **kwargs).to_dict()  # type: ignore[arg-type]

    def drt(path: Path) -> list[object]:
        return [compute_drt(s, **kwargs).to_dict() for s in read_spectra(path)[:2]]  # type: ignore[arg-type]

    return drt


def run_simulate_case(case: Case, work: Path, timeout: float | None = None) -> Outcome:
    """``simulate`` with the case's arguments; a success must leave a CSV that reads back, finite."""
    from click.testing import CliRunner

    from nakinetics.cli import main
    from nakinetics.exceptions import NakineticsError
    from nakinetics.io import read_spectra

    out = work / "simulated.csv"
    trap_args, trap_check = _prepare_trap(case.trap, work)
    target = ["-o", trap_args[1] if trap_args else str(out)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _alarm(timeout):
                result = CliRunner().invoke(main, ["simulate", *case.options, *target])
        except CaseTimeout:
            return Outcome("hang", f"over {timeout} s")
    outcome = classify_cli(
        result, [f"{w.category.__name__}: {w.message}" for w in caught], trap_check(), None
    )
    if outcome.category == "ok" and not trap_args:
        try:
            spectra = read_spectra(out)
        except (NakineticsError, OSError) as exc:
            return Outcome("invalid_json", f"simulate wrote a CSV that does not read back: {exc}"[:300])
        if not all(np.all(np.isfinite(s.impedance)) for s in spectra):
            return Outcome("invalid_json", "simulate wrote non-finite impedances")
    if outcome.category != "ok" and out.exists():
        return Outcome("invalid_json", f"exit {result.exit_code} but the CSV was left behind")
    return outcome
