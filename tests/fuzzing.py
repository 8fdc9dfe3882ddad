"""Seeded fuzzing of the command line and the reading API (used by ``tests/test_fuzz.py`` and
``benchmarks/fuzz_benchmark.py``).

Each case is made from a seed file (a real instrument file from ``../shared/realdata`` or a synthetic one
written here) by zero to three mutations (truncation, flipped bytes, NaN/inf/huge/tiny numbers, a zeroed
row, a constant or rescaled column, dropped or shuffled rows, re-encoding, line-ending changes, a changed
extension), and is run through one target: a CLI command (``fit``, ``validate``, ``warburg``,
``conductivity``, ``tafel``, ``geis``, in-process with click's ``CliRunner``) or a reading function
(``read_spectra``, ``read_dc_records``).  Some cases also add one pathological option value, or point
``--json``/``--plot`` at an existing read-only file, a symlink or a missing folder and check afterwards that
the file or link is untouched.

Case ``i`` of master seed ``s`` is generated from ``numpy.random.default_rng([s, i])`` alone, so any case is
reproduced by its number (:func:`make_case`).  An outcome is one of :data:`GOOD` or a defect:

* ``traceback``: an exception escaped the CLI (the user would see a traceback);
* ``raw_exception``: the reading API raised an exception that is not a ``NakineticsError``;
* ``hang``: the case ran past its timeout;
* ``invalid_json``: ``--json`` wrote text that strict RFC 8259 parsing rejects (NaN, Infinity), or a
  successful run wrote no JSON, or a failed run left one behind (half-written output);
* ``noise``: a Python warning (e.g. numpy's RuntimeWarning) reached the user, an error was not one line,
  or a message quotes a numpy repr such as ``np.float64(nan)``;
* ``clobbered``: a pre-existing read-only file or a symlink at an output path was replaced.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import re
import signal
import stat
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import numpy as np

GOOD = ("ok", "error", "usage")
DEFECTS = ("traceback", "raw_exception", "hang", "invalid_json", "noise", "clobbered")
CLI_TARGETS = ("fit", "validate", "warburg", "conductivity", "tafel", "geis")
API_TARGETS = ("read_spectra", "read_dc_records")
MAX_SEED_BYTES = 400_000
"""Real files larger than this are cut to their first 400 kB before mutation (keeps cases fast; the cut
itself is a truncation the readers must handle)."""

Rng = np.random.Generator


# ---------------------------------------------------------------------------------------------------
# seeds


@dataclass(frozen=True)
class Seed:
    """A file to mutate: its bytes, its file-name suffix and what it holds (``eis`` or ``dc``)."""

    name: str
    data: bytes
    suffix: str
    kind: str


def _csv(header: str, rows: np.ndarray) -> bytes:
    lines = [header] + [",".join(f"{v:.10g}" for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _spectrum_rows(
    circuit: str, values: dict[str, float], decades: tuple[float, float], n: int
) -> np.ndarray:
    from nakinetics.circuit import Circuit

    f = np.logspace(decades[1], decades[0], n)
    z = Circuit(circuit).simulate(f, values)
    return np.column_stack([f, z.real, z.imag])


def synthetic_seeds() -> list[Seed]:
    """Small synthetic files: clean spectra of the common shapes, DC sweeps, and degenerate versions."""
    header = "frequency/Hz,Z'/Ohm,Z''/Ohm"
    one_arc = _spectrum_rows(
        "R0-p(R1,CPE1)", {"R0": 20, "R1": 100, "CPE1_Q": 1e-5, "CPE1_n": 0.9}, (-1, 6), 50
    )
    randles = _spectrum_rows(
        "R0-p(R1-W1,CPE1)", {"R0": 10, "R1": 50, "W1": 30, "CPE1_Q": 2e-5, "CPE1_n": 0.9}, (-2, 5), 50
    )
    pellet = _spectrum_rows(
        "p(R1,CPE1)-p(R2,CPE2)-CPE3",
        {
            "R1": 30,
            "CPE1_Q": 1e-10,
            "CPE1_n": 0.95,
            "R2": 15,
            "CPE2_Q": 1e-7,
            "CPE2_n": 0.9,
            "CPE3_Q": 1e-5,
            "CPE3_n": 0.8,
        },
        (0, 7),
        60,
    )
    zero_point = one_arc.copy()
    zero_point[20] = [10.0, 0.0, 0.0]
    tiny = one_arc.copy()
    tiny[:, 1:] *= 1e-300
    wide = one_arc.copy()
    wide[-1, 0] = 1e-300
    v = np.linspace(-0.4, 0.4, 161)
    i = 2e-4 * np.sinh(v / (4 * 0.025693))
    sweep = np.column_stack([v, i])
    dc_header = "Potential/V,Current/A"
    return [
        Seed("synthetic_one_arc", _csv(header, one_arc), ".csv", "eis"),
        Seed("synthetic_randles_w", _csv(header, randles), ".csv", "eis"),
        Seed("synthetic_pellet", _csv(header, pellet), ".csv", "eis"),
        Seed("synthetic_zero_point", _csv(header, zero_point), ".csv", "eis"),
        Seed("synthetic_1e-300_ohm", _csv(header, tiny), ".csv", "eis"),
        Seed("synthetic_1e-300_hz", _csv(header, wide), ".csv", "eis"),
        Seed("synthetic_headerless", _csv("", one_arc).lstrip(b"\n"), ".txt", "eis"),
        Seed("synthetic_sweep", _csv(dc_header, sweep), ".csv", "dc"),
        Seed(
            "synthetic_constant_potential", _csv(dc_header, np.column_stack([0 * v + 0.1, i])), ".csv", "dc"
        ),
        Seed("synthetic_zero_current", _csv(dc_header, np.column_stack([v, 0 * i])), ".csv", "dc"),
        Seed(
            "synthetic_huge_potential",
            _csv(dc_header, np.column_stack([np.where(v > 0.3, 1e308, v), i])),
            ".csv",
            "dc",
        ),
        Seed("synthetic_two_points", _csv(dc_header, sweep[:2]), ".csv", "dc"),
    ]


def real_seeds(realdata: Path | None) -> list[Seed]:
    """The impedance (``eis``, ``eis_more``) and DC (``dc``) files of ``realdata``, if present."""
    if realdata is None or not realdata.is_dir():
        return []
    seeds = []
    for folder, kind in (("eis", "eis"), ("eis_more", "eis"), ("dc", "dc")):
        for path in sorted((realdata / folder).rglob("*")):
            if path.is_file():
                seeds.append(
                    Seed(
                        f"{folder}/{path.relative_to(realdata / folder)}",
                        path.read_bytes()[:MAX_SEED_BYTES],
                        path.suffix,
                        kind,
                    )
                )
    return seeds


# ---------------------------------------------------------------------------------------------------
# mutations (bytes → bytes; text ones work on latin-1 text so every byte survives)

_NUMBER = re.compile(rb"(?<![\w.])[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
_SPECIAL_NUMBERS = [
    b"nan",
    b"NaN",
    b"inf",
    b"-inf",
    b"Infinity",
    b"1e308",
    b"-1e308",
    b"1e400",
    b"1e-300",
    b"1e-320",
    b"0",
    b"-0",
    b"0.0",
    b"-1",
    b"9" * 400,
    b"1e20",
    b"-1e-12",
]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _data_lines(lines: list[bytes]) -> list[int]:
    """Indices of lines made only of numbers and delimiters (the data rows of most formats)."""
    out = []
    for k, line in enumerate(lines):
        fields = [f for f in re.split(rb"[,;\t ]+", line.strip()) if f]
        if len(fields) >= 2 and all(_NUMBER.fullmatch(f) for f in fields):
            out.append(k)
    return out


def _truncate(data: bytes, rng: Rng) -> bytes:
    return data[: int(rng.integers(0, max(len(data), 1)))]


def _flip_bytes(data: bytes, rng: Rng) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(int(rng.integers(1, 9))):
        k = int(rng.integers(len(buf)))
        buf[k] = int(rng.integers(256))
    return bytes(buf)


def _special_numbers(data: bytes, rng: Rng) -> bytes:
    """NaN, inf, huge, tiny or negative numbers in place of 1–3 numbers (mostly in the data rows)."""
    if rng.random() < 0.7:
        lines = _lines(data)
        rows = _data_lines(lines)
        if rows:
            k = rows[int(rng.integers(len(rows)))]
            lines[k] = _special_numbers(lines[k], np.random.default_rng(rng.integers(2**32)))
            return b"".join(lines)
    matches = list(_NUMBER.finditer(data))
    if not matches:
        return data
    chosen = sorted(rng.choice(len(matches), size=min(len(matches), int(rng.integers(1, 4))), replace=False))
    out, last = [], 0
    for k in chosen:
        m = matches[int(k)]
        out += [data[last : m.start()], _SPECIAL_NUMBERS[int(rng.integers(len(_SPECIAL_NUMBERS)))]]
        last = m.end()
    return b"".join([*out, data[last:]])


def _zero_row(data: bytes, rng: Rng) -> bytes:
    lines = _lines(data)
    rows = _data_lines(lines)
    if not rows:
        return data
    k = rows[int(rng.integers(len(rows)))]
    keep_first = bool(rng.integers(2))  # "10,0,0": frequency kept, impedance zero

    def zero(m: re.Match[bytes], count: list[int] = [0]) -> bytes:  # noqa: B006
        count[0] += 1
        return m.group(0) if keep_first and count[0] == 1 else b"0"

    lines[k] = _NUMBER.sub(zero, lines[k])
    return b"".join(lines)


def _column(data: bytes, rng: Rng, transform: Callable[[bytes], bytes]) -> bytes:
    lines = _lines(data)
    rows = _data_lines(lines)
    if not rows:
        return data
    column = int(rng.integers(0, 4))
    for k in rows:
        matches = list(_NUMBER.finditer(lines[k]))
        if column < len(matches):
            m = matches[column]
            lines[k] = lines[k][: m.start()] + transform(m.group(0)) + lines[k][m.end() :]
    return b"".join(lines)


def _constant_column(data: bytes, rng: Rng) -> bytes:
    value = [b"0", b"1", b"0.1", b"1e308", b"nan"][int(rng.integers(5))]
    return _column(data, rng, lambda _: value)


def _scale_column(data: bytes, rng: Rng) -> bytes:
    factor = [1e300, 1e-300, 1e-30, 1e30, -1.0][int(rng.integers(5))]

    def scale(text: bytes) -> bytes:
        try:
            return f"{float(text.replace(b',', b'.')) * factor:.6g}".encode()
        except ValueError:
            return text

    return _column(data, rng, scale)


def _drop_rows(data: bytes, rng: Rng) -> bytes:
    lines = _lines(data)
    rows = _data_lines(lines)
    keep = (
        set(rng.choice(rows, size=min(len(rows), int(rng.integers(0, 4))), replace=False)) if rows else set()
    )
    data_rows = set(rows)
    return b"".join(line for k, line in enumerate(lines) if k not in data_rows or k in keep)


def _shuffle_or_duplicate_rows(data: bytes, rng: Rng) -> bytes:
    lines = _lines(data)
    rows = _data_lines(lines)
    if len(rows) < 2:
        return data
    if rng.integers(2):
        picked = [lines[k] for k in rng.permutation(rows)]
        for k, line in zip(rows, picked, strict=True):
            lines[k] = line
    else:
        k = rows[int(rng.integers(len(rows)))]
        lines[k : k + 1] = [lines[k]] * int(rng.integers(2, 5))
    return b"".join(lines)


def _delete_lines(data: bytes, rng: Rng) -> bytes:
    lines = _lines(data)
    if not lines:
        return data
    start = int(rng.integers(len(lines)))
    return b"".join(lines[:start] + lines[start + int(rng.integers(1, 20)) :])


def _insert_garbage(data: bytes, rng: Rng) -> bytes:
    lines = _lines(data)
    garbage = [
        b"garbage,,,\n",
        b"\x00\x01\x02\n",
        b";;;;\n",
        b"1,2\n",
        b"1e5,abc,3\n",
        b"\n\n\n",
        b"Freq/Hz, Z'/ohm\n",
        b"\xff\xfe\n",
        b"-\n",
        b"1 2 3 4 5 6 7 8 9 10 11\n",
    ]
    k = int(rng.integers(len(lines) + 1))
    lines.insert(k, garbage[int(rng.integers(len(garbage)))])
    return b"".join(lines)


def _reencode(data: bytes, rng: Rng) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    encoding = ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "latin-1", "utf-32"][int(rng.integers(6))]
    return text.encode(encoding, errors="replace")


def _line_endings(data: bytes, rng: Rng) -> bytes:
    unix = data.replace(b"\r\n", b"\n")
    choice = int(rng.integers(4))
    if choice == 0:
        return unix.replace(b"\n", b"\r\n")
    if choice == 1:
        return unix.replace(b"\n", b"\r")
    if choice == 2:
        return unix
    lines = _lines(unix)
    return b"".join(line.replace(b"\n", b"\r\n") if k % 2 else line for k, line in enumerate(lines))


def _decimal_comma(data: bytes, rng: Rng) -> bytes:
    return re.sub(rb"(\d)\.(\d)", rb"\1,\2", data)


def _replace_whole(data: bytes, rng: Rng) -> bytes:
    choice = int(rng.integers(5))
    if choice == 0:
        return b""
    if choice == 1:
        return rng.bytes(int(rng.integers(1, 4000)))
    if choice == 2:  # header only
        lines = _lines(data)
        rows = _data_lines(lines)
        return b"".join(lines[: rows[0]]) if rows else data[:200]
    if choice == 3:
        return b"\n" * int(rng.integers(1, 50))
    return data[:1] * int(rng.integers(1, 100_000))


MUTATIONS: dict[str, Callable[[bytes, Rng], bytes]] = {
    "truncate": _truncate,
    "flip_bytes": _flip_bytes,
    "special_numbers": _special_numbers,
    "zero_row": _zero_row,
    "constant_column": _constant_column,
    "scale_column": _scale_column,
    "drop_rows": _drop_rows,
    "shuffle_rows": _shuffle_or_duplicate_rows,
    "delete_lines": _delete_lines,
    "insert_garbage": _insert_garbage,
    "reencode": _reencode,
    "line_endings": _line_endings,
    "decimal_comma": _decimal_comma,
    "replace_whole": _replace_whole,
}
_MUTATION_WEIGHTS = {
    "special_numbers": 3.0,
    "zero_row": 2.0,
    "constant_column": 1.5,
    "scale_column": 1.5,
    "drop_rows": 1.5,
}
"""Mutations that keep the file readable come up more often, so the analyses see pathological data."""
SUFFIXES = [".csv", ".txt", ".mpt", ".DTA", ".z", ".idf", ".par", ".mpr", ".ism", ""]


# ---------------------------------------------------------------------------------------------------
# cases

_OPTION_VALUES: dict[str, list[list[str]]] = {
    "fit": [
        ["--fmin", "nan"],
        ["--fmax", "inf"],
        ["--fmin", "1e308"],
        ["--fix", "R0=nan"],
        ["--fix", "R0=-5"],
        ["--fix", "R0=inf"],
        ["--fix", "CPE1_n=2"],
        ["-c", ""],
        ["-c", "p(" * 300 + "R1,C1" + ")" * 300],
        ["-c", "R0"],
        ["-c", "R0", "--fix", "R0=50"],
        ["--index", "99999999999999999999999"],
        ["--area", "nan"],
        ["--area", "1e-320"],
        ["--temperature", "nan"],
        ["--thickness", "inf"],
        ["--weighting", "bogus"],
        ["--compare", "R0"],
        ["--fix", "R0"],
        ["-c", "R0-R0"],
    ],
    "validate": [
        ["--limit", "nan"],
        ["--mu", "nan"],
        ["--fmin", "1e-320"],
        ["--index", "3"],
        ["--limit", "inf"],
    ],
    "warburg": [
        ["--temperature", "nan"],
        ["--fmin", "1e3", "--fmax", "1e4"],
        ["-c", "randles_w"],
        ["-c", "R0"],
        ["--length", "1", "-c", "randles_ws"],
        ["--conc", "inf"],
    ],
    "conductivity": [["-c", "pellet_blocking"], ["-c", "R0"], ["--fmax", "1"], ["--thickness", "nan"]],
    "tafel": [
        ["--r-ohm", "nan"],
        ["--r-ohm", "0"],
        ["--window", "nan:1"],
        ["--window", "0.1:0.2"],
        ["--model", "auto"],
        ["--model", "mhc"],
        ["--temperature", "nan"],
        ["--area", "inf"],
        ["--t-plus", "nan"],
        ["--cell", "single", "--alpha", "free"],
    ],
    "geis": [
        ["--interval", "nan"],
        ["--workers", "2"],
        ["--fix", "R0=nan"],
        ["--independent"],
        ["--current", "nan"],
        ["--chi2-jump", "inf"],
    ],
}
_OUTPUT_TRAPS = ("readonly_json", "symlink_json", "missing_dir_json", "bad_plot_suffix", "directory_json")


@dataclass(frozen=True)
class Case:
    """One fuzz case: a mutated file, the target that reads it, extra options and an output trap."""

    index: int
    seed: str
    mutations: tuple[str, ...]
    suffix: str
    data: bytes
    target: str
    options: tuple[str, ...] = ()
    trap: str | None = None
    name: str = "input"
    """File name (without suffix) of the input: some commands read temperatures from names."""
    others: tuple[tuple[str, bytes], ...] = ()
    """Further input files (name with suffix, bytes), given after the first (``arrhenius``)."""

    def describe(self) -> str:
        extra = f" options {' '.join(self.options)!r}" if self.options else ""
        trap = f" trap {self.trap}" if self.trap else ""
        mutated = "+".join(self.mutations) or "unmutated"
        more = f" + {len(self.others)} file(s)" if self.others else ""
        return f"case {self.index}: {self.target} on {self.seed} [{mutated}] as '*{self.suffix}'{more}{extra}{trap}"


_EIS_TARGETS = {
    "fit": 3,
    "validate": 3,
    "warburg": 2,
    "conductivity": 2,
    "geis": 1,
    "read_spectra": 6,
    "tafel": 0.3,
    "read_dc_records": 0.5,
}
_DC_TARGETS = {"tafel": 5, "read_dc_records": 5, "read_spectra": 0.5, "fit": 0.3}


def make_case(index: int, seeds: list[Seed], master_seed: int = 0) -> Case:
    """Case ``index``: a seed, 0–3 mutations, a target, sometimes an extra option or an output trap."""
    rng = np.random.default_rng([master_seed, index])
    seed = seeds[int(rng.integers(len(seeds)))]
    names = list(MUTATIONS)
    weights = np.array([_MUTATION_WEIGHTS.get(name, 1.0) for name in names])
    count = int(rng.choice([0, 1, 1, 1, 2, 2, 3]))
    mutations = tuple(names[int(k)] for k in rng.choice(len(names), size=count, p=weights / weights.sum()))
    data = seed.data
    for name in mutations:
        data = MUTATIONS[name](data, rng)
    suffix = seed.suffix if rng.random() > 0.1 else SUFFIXES[int(rng.integers(len(SUFFIXES)))]
    weights = _EIS_TARGETS if seed.kind == "eis" else _DC_TARGETS
    targets = list(weights)
    p = np.array([weights[t] for t in targets], dtype=float)
    target = targets[int(rng.choice(len(targets), p=p / p.sum()))]
    options: tuple[str, ...] = ()
    if target in _OPTION_VALUES and rng.random() < 0.15:
        pool = _OPTION_VALUES[target]
        options = tuple(pool[int(rng.integers(len(pool)))])
    trap = None
    if target in CLI_TARGETS and rng.random() < 0.08:
        trap = _OUTPUT_TRAPS[int(rng.integers(len(_OUTPUT_TRAPS)))]
    return Case(index, seed.name, mutations, suffix, data, target, options, trap)


# ---------------------------------------------------------------------------------------------------
# running a case


@dataclass
class Outcome:
    """What a case did: its category (:data:`GOOD` or :data:`DEFECTS`) and a one-line detail."""

    category: str
    detail: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


class CaseTimeout(BaseException):
    """Raised by the alarm in an in-process run (a BaseException so ``except Exception`` cannot hide it)."""


@contextlib.contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    if not seconds:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_CLI_BASE = {
    "fit": [],
    "validate": [],
    "warburg": ["--area", "1", "--conc", "1e-3"],
    "conductivity": ["--thickness", "0.1", "--area", "1"],
    "tafel": [],
    "geis": ["-c", "na_se_na_1arc"],
}


def _strict_json(text: str) -> None:
    def refuse(name: str) -> None:
        raise ValueError(f"non-standard constant {name}")

    json.loads(text, parse_constant=refuse)


def _prepare_trap(trap: str | None, work: Path) -> tuple[list[str], Callable[[], str | None]]:
    """Extra CLI arguments for an output trap and a check that returns a problem or ``None``."""
    if trap == "readonly_json":
        target = work / "existing.json"
        target.write_text("precious\n")
        target.chmod(0o444)
        return [
            "--json",
            str(target),
        ], lambda: None if target.read_text() == "precious\n" else ("read-only --json file replaced")
    if trap == "symlink_json":
        real = work / "real_target.txt"
        real.write_text("precious\n")
        link = work / "link.json"
        link.symlink_to(real)

        def check() -> str | None:
            if not link.is_symlink():
                return "symlink at --json replaced by a file"
            return None

        return ["--json", str(link)], check
    if trap == "missing_dir_json":
        return ["--json", str(work / "no_such_dir" / "out.json")], lambda: None
    if trap == "bad_plot_suffix":
        return (
            ["--plot", str(work / "out.xyz")],
            lambda: (
                None if not (work / "out.xyz").exists() else ("figure written with an unsupported extension")
            ),
        )
    if trap == "directory_json":
        (work / "adir").mkdir()
        return [
            "--json",
            str(work / "adir"),
        ], lambda: None if (work / "adir").is_dir() else "directory replaced"
    return [], lambda: None


_PYTHON_WARNING = re.compile(r"^warning: .*\(\w*Warning\)$")
"""How the CLI shows a Python warning (one line ending in the category)."""
_NUMPY_REPR = re.compile(r"np\.(float|int|complex|bool|str)_?\d*\(")


def _message_noise(text: str) -> str | None:
    if _NUMPY_REPR.search(text):
        return f"numpy repr in message: {text.strip()[:200]}"
    return None


def run_cli_case(case: Case, work: Path, timeout: float | None = None) -> Outcome:
    """Run ``case`` through its CLI command in-process and classify the outcome."""
    from click.testing import CliRunner

    from nakinetics.cli import main

    path = work / f"{case.name}{case.suffix}"
    path.write_bytes(case.data)
    inputs = [] if "{input}" in case.options else [path]  # else an option names the file (--table)
    for name, data in case.others:
        inputs.append(work / name)
        inputs[-1].write_bytes(data)
    json_path = work / "out.json"
    args = [case.target, *map(str, inputs), *_CLI_BASE.get(case.target, [])]
    if case.target == "geis":
        args += ["--out", str(work / "series")]
    trap_args, trap_check = _prepare_trap(case.trap, work)
    if not any(a == "--json" for a in trap_args):
        args += ["--json", str(json_path)]
    args += trap_args + [
        option.replace("{work}", str(work)).replace("{input}", str(path)) for option in case.options
    ]
    runner = CliRunner()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _alarm(timeout):
                result = runner.invoke(main, args, catch_exceptions=True)
        except CaseTimeout:
            return Outcome("hang", f"over {timeout} s")
    return classify_cli(
        result,
        [f"{w.category.__name__}: {w.message}" for w in caught],
        trap_check(),
        None if "--json" in trap_args else json_path,
    )


def classify_cli(result: Any, caught: list[str], clobbered: str | None, json_path: Path | None) -> Outcome:
    """Classify a CliRunner result (most serious first): clobbered, traceback, invalid JSON, noise, then
    ok / error / usage.  ``json_path`` is where ``--json`` wrote (``None``: not checked)."""
    stderr = result.stderr
    lines = [
        line for line in stderr.strip().splitlines() if line.strip() and not line.startswith("warning: ")
    ]
    shown = caught + [line for line in stderr.splitlines() if _PYTHON_WARNING.match(line)]
    if clobbered:
        return Outcome("clobbered", clobbered)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        last = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
        frames = traceback.extract_tb(result.exc_info[2]) if result.exc_info else []
        own = [f for f in frames if "nakinetics" in f.filename] or frames
        at = f" at {Path(own[-1].filename).name}:{own[-1].lineno}" if own else ""
        return Outcome("traceback", f"{last[:300]}{at}")
    if lines and lines[-1].startswith("error: internal error"):
        return Outcome("traceback", lines[-1][:300])
    if result.exit_code not in (0, 1, 2, 3, 4):
        return Outcome("traceback", f"unexpected exit code {result.exit_code}")
    written = json_path is not None and json_path.exists()
    complete = result.exit_code in (0, 4)  # 4: some spectra failed, their rows say why; every output written
    if complete and json_path is not None:
        if not written:
            return Outcome("invalid_json", "exit 0 but no JSON written")
        try:
            _strict_json(json_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            return Outcome("invalid_json", str(exc)[:200])
    if not complete and written:
        return Outcome("invalid_json", f"exit {result.exit_code} but a JSON file was left behind")
    if shown:
        return Outcome("noise", f"warning reached the user: {shown[0][:200]}", warnings=shown)
    noise = _message_noise(stderr + result.stdout)
    if noise:
        return Outcome("noise", noise)
    if result.exit_code == 0:
        return Outcome("ok")
    if result.exit_code == 2:
        return Outcome("usage", stderr.strip().splitlines()[-1][:200] if stderr.strip() else "")
    if result.exit_code == 4:
        return Outcome("error", f"exit 4: {lines[-1][:300] if lines else 'failed rows'}")
    if len(lines) != 1 or not lines[0].startswith("error: "):
        return Outcome("noise", f"error output is not one 'error:' line: {stderr.strip()[:300]!r}")
    return Outcome("error", lines[0][:300])


def run_api_case(case: Case, work: Path, timeout: float | None = None) -> Outcome:
    """Run ``case`` through a library function (:func:`api_call`) and classify the outcome."""
    from nakinetics.exceptions import NakineticsError

    path = work / f"{case.name}{case.suffix}"
    path.write_bytes(case.data)
    call = api_call(case)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _alarm(timeout):
                call(path)
        except CaseTimeout:
            return Outcome("hang", f"over {timeout} s")
        except NakineticsError as exc:
            message = str(exc)
            if "\n" in message.strip():
                return Outcome("noise", f"multi-line message: {message[:200]!r}")
            noise = _message_noise(message)
            return Outcome("noise", noise) if noise else Outcome("error", message[:300])
        except Exception as exc:  # noqa: BLE001 - classifying what escaped is the point
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return Outcome(
                "raw_exception",
                f"{type(exc).__name__}: {str(exc)[:200]} at {Path(where.filename).name}:{where.lineno}",
            )
    shown = [f"{w.category.__name__}: {w.message}" for w in caught]
    if shown:
        return Outcome("noise", f"warning: {shown[0][:200]}", warnings=shown)
    return Outcome("ok")


def api_call(case: Case) -> Callable[[Path], object]:
    """The library call of an API case: a reader of this module or a target of ``tests/fuzzing_more.py``."""
    if case.target in API_TARGETS:
        import nakinetics.io as nkio

        return getattr(nkio, case.target)
    from .fuzzing_more import more_api_call

    return more_api_call(case)


def _runner(target: str) -> Callable[[Case, Path, float | None], Outcome]:
    if target in API_TARGETS:
        return run_api_case
    from .fuzzing_more import MORE_API_TARGETS, run_simulate_case

    if target in MORE_API_TARGETS:
        return run_api_case
    return run_simulate_case if target == "simulate" else run_cli_case


def run_case(case: Case, timeout: float | None = None) -> Outcome:
    """Run one case in a fresh temporary folder (in this process; ``timeout`` via SIGALRM)."""

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nk-fuzz-") as tmp:
        work = Path(tmp)
        try:
            outcome = _runner(case.target)(case, work, timeout)
        finally:
            for p in work.rglob("*"):  # read-only traps must not stop the clean-up
                with contextlib.suppress(OSError):
                    if not p.is_symlink():
                        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    outcome.seconds = time.perf_counter() - start
    return outcome


def limit_memory(gigabytes: float) -> None:
    """Cap this process's address space so a memory blow-up becomes a ``MemoryError`` (Linux)."""
    import resource

    limit = int(gigabytes * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def quiet_environment() -> None:
    """One BLAS thread and a non-interactive matplotlib in fuzz workers."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("MPLBACKEND", "Agg")


def suite_case(suite: str, index: int, seeds: list[Seed], master_seed: int = 0) -> Case:
    """Case ``index`` of ``suite``: ``core`` (this module: the commands of issue 11) or ``more``
    (``tests/fuzzing_more.py``: drt, cycling, arrhenius, simulate and their library functions)."""
    if suite == "core":
        return make_case(index, seeds, master_seed)
    from .fuzzing_more import make_more_case

    return make_more_case(index, seeds, master_seed)


def _worker(conn: Connection, seeds: list[Seed], master_seed: int, memory_gb: float, suite: str) -> None:
    quiet_environment()
    limit_memory(memory_gb)
    import nakinetics.cli  # noqa: F401 - import once, not per case

    while True:
        try:
            index = conn.recv()
        except EOFError:  # the parent is gone
            return
        if index is None:
            return
        conn.send((index, run_case(suite_case(suite, index, seeds, master_seed))))


class CasePool:
    """Worker processes that run cases (CLI in-process in each worker) with a timeout enforced from
    outside: a worker past its timeout is killed (the case is a hang) and replaced; a worker that dies is
    replaced too (its case counts as a traceback).  ``memory_gb`` caps each worker's address space."""

    def __init__(
        self, workers: int, seeds: list[Seed], master_seed: int, memory_gb: float, suite: str = "core"
    ) -> None:
        self.ctx = mp.get_context("fork")
        self.args = (seeds, master_seed, memory_gb, suite)
        self.slots: list[list] = [self._spawn() for _ in range(workers)]

    def _spawn(self) -> list:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker, args=(child, *self.args))  # not daemonic: geis --workers
        process.start()
        return [process, parent, None, 0.0]  # process, connection, current case, started

    def run(self, indices: list[int], timeout: float) -> Iterator[tuple[int, Outcome]]:
        todo = list(reversed(indices))
        busy = 0
        while todo or busy:
            for slot in self.slots:
                if slot[2] is None and todo:
                    slot[2], slot[3] = todo.pop(), time.monotonic()
                    slot[1].send(slot[2])
                    busy += 1
            ready = wait([s[1] for s in self.slots if s[2] is not None], timeout=1.0)
            for slot in self.slots:
                if slot[2] is None:
                    continue
                if slot[1] in ready:
                    try:
                        index, outcome = slot[1].recv()
                    except EOFError:  # the worker died (e.g. killed by the OOM killer)
                        index, outcome = slot[2], Outcome("traceback", "worker process died")
                        slot[:] = self._spawn()
                    slot[2] = None
                    busy -= 1
                    yield index, outcome
                elif time.monotonic() - slot[3] > timeout:
                    index = slot[2]
                    slot[0].kill()
                    slot[0].join()
                    slot[:] = self._spawn()
                    busy -= 1
                    yield index, Outcome("hang", f"over {timeout:g} s", seconds=timeout)

    def close(self) -> None:
        for process, conn, _, _ in self.slots:
            conn.send(None)
            process.join(timeout=5)


# ---------------------------------------------------------------------------------------------------
# option fuzzing: every option of a command with pathological values

OPTION_VALUES = [
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e308",
    "1e-320",
    "",
    "abc",
    "9" * 400,
    "-",
    "1:2:3",
    "nan:1",
]
OPTION_SKIP = {"json_path", "plot_path", "out_dir", "help"}


def option_cases(inputs: dict[str, list[str]]) -> Iterator[tuple[str, list[str]]]:
    """(command, arguments) for every non-flag option of each command in ``inputs`` (valid base arguments
    per command) and every value of :data:`OPTION_VALUES`."""
    import click

    from nakinetics.cli import main

    for name, base in inputs.items():
        command = main.get_command(click.Context(main), name)
        assert command is not None
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and param.name not in OPTION_SKIP:
                for value in OPTION_VALUES:
                    yield name, [name, *base, param.opts[0], value]


def run_option_case(args: list[str], work: Path, timeout: float | None = None) -> Outcome:
    """Run one option case in-process with ``--json`` into ``work`` and classify it."""
    from click.testing import CliRunner

    from nakinetics.cli import main

    json_path = work / "out.json"
    extra = ["--out", str(work / "series")] if args[0] == "geis" else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _alarm(timeout):
                result = CliRunner().invoke(main, [*args, *extra, "--json", str(json_path)])
        except CaseTimeout:
            return Outcome("hang", f"over {timeout} s")
    return classify_cli(result, [f"{w.category.__name__}: {w.message}" for w in caught], None, json_path)
