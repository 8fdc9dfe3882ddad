"""The README's code is true: every ```python block runs as written, the numbers its comments show are what
the code prints, the JSON record shown is what the command gives, and every ``nakinetics`` command line of
its ```bash blocks parses (and, where a shipped file or a stand-in can stand for the user's file, runs).

The blocks run in a scratch folder that holds ``examples/`` (the shipped files) and, under the file names
the README uses for a user's file, the stand-ins of :data:`STANDINS`.  A block whose comment shows values
(``print(x)  # 700.3 1.25 (Ω)``) is checked token by token against what that ``print`` wrote: numbers to
the digits shown, words exactly, up to the first token that opens an explanation (``(``, ``—``, ``…``).
"""

from __future__ import annotations

import csv
import decimal
import glob
import json
import re
import runpy
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TESTDATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Block:
    heading: str
    lang: str
    code: str
    line: int


def readme_blocks() -> list[Block]:
    """Every fenced block of the README with the heading (``##``/``###``) it stands under."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    blocks, heading, start = [], "", None
    for number, line in enumerate(lines, 1):
        if start is None and line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.startswith("```"):
            if start is None:
                start, lang = number, line[3:].strip()
            else:
                blocks.append(Block(heading, lang, "\n".join(lines[start : number - 1]) + "\n", start))
                start = None
    return blocks


def python_blocks(heading: str) -> list[Block]:
    found = [b for b in readme_blocks() if b.lang == "python" and b.heading.startswith(heading)]
    assert found, f"no python block under a README heading starting with {heading!r}"
    return found


# Python blocks that another test module executes (and checks) already.
COVERED_ELSEWHERE = {
    "Batch: many files, one table": "tests/test_readme_batch.py",
    "Interoperability: impedance.py, lmfit, saved fits, simulation": "tests/test_readme_interop.py",
}
# Sections whose blocks continue from an earlier section's (the reader reads on with the same session).
CONTINUES = {"Fitting": "Reading spectra"}


# ---------------------------------------------------------------------------------------------- stand-ins
def _stripping_record(path: Path) -> None:
    """A ``time/s,Ewe/V`` chronopotentiometry export without a current column: the first plating
    half-cycle of the shipped cycling record (the README's ``stripping_U_t.csv``)."""
    with (EXAMPLES / "data_cycling" / "na_na_cycling_synthetic.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))[1:61]
    path.write_text("time/s,Ewe/V\n" + "".join(f"{t},{float(mv) / 1000:.6g}\n" for t, mv, _ in rows))


def _geis_series(folder: Path, n_spectra: int = 8) -> tuple[Path, Path]:
    """An EC-Lab GEIS export of ``n_spectra`` loops and its voltage CSV, written as
    ``examples/geis_series_example.py`` writes its 36 (its cell, frequencies, noise and writers)."""
    import numpy as np

    example = runpy.run_path(str(EXAMPLES / "geis_series_example.py"))
    spectra, record = example["operando_series"](
        example["CELL"], n_spectra, 600.0, np.geomspace(1e6, 0.1, 60), noise=0.01,
        rng=np.random.default_rng(2025), start=example["START"], first_s=example["FIRST_SPECTRUM_S"],
    )  # fmt: skip
    mpt, voltage = folder / "geis_series.mpt", folder / "voltage.csv"
    mpt.write_text(example["mpt_text"](spectra, example["CELL"], example["START"]), encoding="utf-8")
    voltage.write_text(example["voltage_csv"](record), encoding="utf-8")
    return mpt, voltage


STANDINS: dict[str, Path | str] = {
    # a user's EC-Lab PEIS export: BioLogic SP-150, EC-Lab 11.18 (MIT; tests/data/README.md)
    "cell.mpt": TESTDATA / "biologic_sp150_peis_ecl11-18.mpt",
    # a multi-spectrum EC-Lab file: a GEIS series as examples/geis_series_example.py writes it (8 loops)
    "geis_4loops.mpt": "geis mpt",
    "run.mpt": "geis mpt",
    "cp.csv": "geis voltage",
    # a CV: CH Instruments CHI1100B, 10 mM ferricyanide (MIT; tests/data/README.md)
    "ferricyanide_cv.csv": TESTDATA / "chi1100b_cyclic-voltammetry.csv",
    "stripping_U_t.csv": "stripping record",
    # Warburg, conductivity and Arrhenius commands: the shipped data of examples/diffusion_conductivity_example.py
    "cell.csv": EXAMPLES / "data_diffusion" / "na_nvp_warburg.csv",
    "pellet.csv": EXAMPLES / "data_diffusion" / "nzsp_pellet_25C.csv",
    **{
        f"pellet_{c}C.csv": EXAMPLES / "data_diffusion" / f"nzsp_pellet_{c}C.csv"
        for c in (25, 40, 60, 80, 100)
    },
    **{
        f"run{k}.csv": EXAMPLES / "data_diffusion" / f"na_nzsp_na_{c}C.csv"
        for k, c in enumerate((25, 40, 60), 1)
    },
    "sigma_table.csv": EXAMPLES / "data_diffusion" / "sigma_table.csv",
    # a symmetric-cell sweep and its spectrum: examples/data_tafel (examples/tafel_symmetric_example.py)
    "sweep.txt": EXAMPLES / "data_tafel" / "na_na_sweep.csv",
    "cell_eis.txt": EXAMPLES / "data_tafel" / "na_na_eis.csv",
    # a folder of spectra: the shipped examples/data
    "runs": EXAMPLES / "data",
}
# The README's files that no public file can stand for in the command shown: these lines are only parsed
# (options, choices, units, paths), on empty placeholders; the reason is what a stand-in would need.
PARSE_ONLY = {
    "cell_*.DTA": "Gamry spectra at several temperatures with the temperature in their metadata (none public)",
    "rde_cv.mpt": "an EC-Lab CV of one electrode with a reference electrode and its PEIS (real ones carry no "
    "licence: ../shared/realdata only; tests/test_kinetics_cli.py runs them there)",
    "rde_peis.mpt": "see rde_cv.mpt",
    "run.mpr": "an EC-Lab GCPL .mpr of a Na|Na cell (the public ones are GPL or Li, ../shared/realdata only; "
    "tests/test_cycling*.py run them there)",
    "cell_eis.mpt": "the spectrum of that cycling cell",
    "geis_series.mpr": "a GEIS series .mpr of that cycling cell",
    "export.txt": "a time–voltage EC-Lab export of alternating plating/stripping",
    "ccd.ndax": "a Neware current-density staircase (none public)",
}


def scratch(folder: Path) -> Path:
    """``folder`` with ``examples/`` and every stand-in under its README name."""
    (folder / "examples").symlink_to(EXAMPLES)
    generated: dict[str, Path] = {}
    for name, source in STANDINS.items():
        if isinstance(source, str):
            if source.startswith("geis") and "geis mpt" not in generated:
                generated["geis mpt"], generated["geis voltage"] = _geis_series(folder)
            if source == "stripping record":
                _stripping_record(folder / name)
                continue
            source = generated[source]
        # copies, not links: a README line that writes to that name (the batch `--csv sigma.csv`) must not
        # write through a link into the shipped examples
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copyfile(source, folder / name)
    for pattern in PARSE_ONLY:
        for name in (
            [pattern.replace("*", "25C"), pattern.replace("*", "60C")] if "*" in pattern else [pattern]
        ):
            (folder / name).write_bytes(b"")
    return folder


# ------------------------------------------------------------------------------------- shown = printed
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def same_as_shown(shown: str, actual: str) -> bool:
    """A value as the README shows it (``700.3``, ``2.5e-15``, ``soft``) against the printed one."""
    if NUMBER.fullmatch(shown) and NUMBER.fullmatch(actual):
        exponent = decimal.Decimal(shown).as_tuple().exponent
        assert isinstance(exponent, int)
        return abs(decimal.Decimal(actual) - decimal.Decimal(shown)) <= decimal.Decimal(5).scaleb(
            exponent - 1
        )
    return shown == actual


def shown_tokens(comment: str) -> list[str]:
    """The values a comment shows: its leading tokens up to the first that opens an explanation."""
    tokens = []
    for token in comment.split():
        if token[0] in "(—…" or token == "==":
            break
        tokens.append(token)
    return tokens


def check_printed(block: Block, printed: list[str]) -> None:
    """The i-th ``print(...)  # shown`` line of the block wrote what its comment shows."""
    lines = [line for line in block.code.splitlines() if line.startswith("print(")]
    assert len(lines) == len(printed), f"README line {block.line}: one output per top-level print"
    for line, output in zip(lines, printed, strict=True):
        if "  # " not in line:
            continue
        shown = shown_tokens(line.split("  # ", 1)[1])
        words = output.split()
        assert len(words) >= len(shown), (line, output)
        for expected, actual in zip(shown, words, strict=False):
            assert same_as_shown(expected, actual), f"README line {block.line}: {line!r} printed {output!r}"


def run_python(blocks: list[Block], namespace: dict[str, Any]) -> None:
    for block in blocks:
        printed: list[str] = []
        namespace["print"] = lambda *args, _out=printed: _out.append(" ".join(str(a) for a in args))
        exec(compile(block.code, f"README.md:{block.line}", "exec"), namespace)  # noqa: S102 (README code)
        check_printed(block, printed)


# ------------------------------------------------------------------------------------------- the tests
def test_every_python_block_is_run_by_a_test() -> None:
    headings = {b.heading for b in readme_blocks() if b.lang == "python"}
    run_here = {"Reading spectra", "Fitting", "Python", "Reading DC records", "Distribution of relaxation",
                "Plating and stripping"}  # fmt: skip
    for heading in headings:
        assert heading in COVERED_ELSEWHERE or any(heading.startswith(h) for h in run_here), heading
    for heading, module in COVERED_ELSEWHERE.items():
        assert heading in headings, heading
        assert f'section_blocks("{heading.split(":")[0]}")' in (ROOT / module).read_text(), module


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(scratch(tmp_path))
    return tmp_path


def test_reading_and_fitting_blocks(folder: Path) -> None:
    import nakinetics as nk

    namespace: dict[str, Any] = {}
    run_python(python_blocks(CONTINUES["Fitting"]) + python_blocks("Fitting"), namespace)
    assert len(namespace["loops"]) == 8  # every loop of the multi-spectrum file
    # examples/make_example_data.py: 275 Ω cm² per interface for the cycled cell (π (0.5 cm)² electrodes)
    asr = namespace["result"].derived["ASR_R2_per_interface"]
    assert asr.value == pytest.approx(275.0 * 3.141592653589793 * 0.25 / 0.785, rel=0.02)
    assert isinstance(namespace["result"], nk.FitResult)


def test_json_record_is_what_the_command_writes(folder: Path) -> None:
    """Every number, string and key the README's abridged JSON record shows, against the command it names."""
    from nakinetics.cli import main

    block = next(b for b in readme_blocks() if b.lang == "json" and b.heading.startswith("JSON record"))
    intro = (ROOT / "README.md").read_text(encoding="utf-8").split("```json")[0].rstrip().rsplit("\n\n", 1)[1]
    command = re.search(r"`nakinetics (fit [^`]*)`", intro)
    assert command, "the JSON record names the command that wrote it"
    result = CliRunner().invoke(main, shlex.split(command.group(1)))
    assert result.exit_code == 0, result.output
    actual = json.loads(Path("fit.json").read_text(encoding="utf-8"))
    shown = json.loads(block.code, parse_float=decimal.Decimal, parse_int=decimal.Decimal)
    compare(shown, actual, "record")


def compare(shown: Any, actual: Any, where: str) -> None:
    ellipsis = "…"
    if isinstance(shown, dict):
        assert isinstance(actual, dict), where
        for key, value in shown.items():
            if key != ellipsis:
                assert key in actual, f"{where}.{key} is not in the record"
                compare(value, actual[key], f"{where}.{key}")
    elif isinstance(shown, list):
        assert isinstance(actual, list), where
        listed = [v for v in shown if v != ellipsis]
        if len(listed) == len(shown) and not any(isinstance(v, dict | list) for v in shown):
            assert len(actual) == len(shown), where
        for k, value in enumerate(listed):
            compare(value, actual[k], f"{where}[{k}]")
    elif isinstance(shown, decimal.Decimal):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), where
        assert same_as_shown(str(shown), repr(float(actual))), f"{where}: README {shown}, record {actual}"
    elif isinstance(shown, str) and shown.endswith(ellipsis):
        assert str(actual).startswith(shown[:-1].rstrip()), f"{where}: README {shown!r}, record {actual!r}"
    else:
        assert shown == actual, f"{where}: README {shown!r}, record {actual!r}"


def test_diffusion_conductivity_arrhenius_block(folder: Path) -> None:
    namespace: dict[str, Any] = {}
    run_python(python_blocks("Python"), namespace)
    # the generating values of examples/diffusion_conductivity_example.py
    assert namespace["d"].D.value == pytest.approx(5.3e-14, rel=0.05)
    assert namespace["sigma"].total.value == pytest.approx(4.1e-3, rel=0.02)
    assert namespace["ea"].activation_energy.value == pytest.approx(0.30, abs=0.01)


def test_dc_record_block(folder: Path) -> None:
    namespace: dict[str, Any] = {}
    run_python(python_blocks("Reading DC records"), namespace)
    # CHI1100B header: 20 mV/s, six segments −0.5 → 0.5 V (tests/data/README.md)
    assert namespace["rate"] == pytest.approx(0.02)
    assert len(namespace["segments"]) == 6
    assert namespace["u_t"].current_measured is False


def test_drt_block(folder: Path) -> None:
    namespace: dict[str, Any] = {}
    run_python(python_blocks("Distribution of relaxation"), namespace)
    assert namespace["drt"].peaks


def test_cycling_block(folder: Path) -> None:
    namespace: dict[str, Any] = {}
    run_python(python_blocks("Plating and stripping"), namespace)
    # the generating values of the shipped record (examples/make_example_data.py): η_p 18 mV, short at 52.4 h
    assert namespace["result"].half_cycles[0].overpotential_mv == pytest.approx(18, abs=0.5)
    assert namespace["result"].short_circuit.time_h == pytest.approx(52.4, abs=0.05)
    assert namespace["record"] == namespace["result"].to_dict()


# ------------------------------------------------------------------------------------------ bash blocks
def command_lines() -> list[tuple[Block, str]]:
    """Every ``nakinetics …`` line of the README's bash blocks (continuations joined, comments dropped)."""
    found = []
    for block in readme_blocks():
        if block.lang != "bash":
            continue
        for line in block.code.replace("\\\n", " ").splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("nakinetics "):
                found.append((block, line))
    return found


def arguments(line: str) -> list[str]:
    """The line's arguments as bash passes them: unquoted globs expanded (sorted), quoted ones kept."""
    args = []
    for token in shlex.split(line)[1:]:
        unquoted_glob = "*" in token and f"'{token}'" not in line and f'"{token}"' not in line
        args += sorted(str(p) for p in Path().glob(token)) if unquoted_glob else [token]
    return args


def parse(args: list[str]) -> None:
    """Parse and convert the arguments as the command would, without running it."""
    from nakinetics.cli import main

    with click.Context(main, info_name="nakinetics") as parent:
        command = main.get_command(parent, args[0])
        assert command is not None, args[0]
        command.make_context(args[0], args[1:], parent=parent).close()


# Lines run in full (the rest are parsed): what no other test runs, on a stand-in for the user's file.
# The batch and interoperability lines run in their own modules, the first command in test_examples.py.
RUN = ("warburg cell.csv --area 1.131", "conductivity pellet.csv --thickness 0.162 --area", "arrhenius --table",
       "tafel sweep.txt --area 1.131 --r-ohm 5:0.5\n", "drt cell.mpt\n", "drt cell.mpt --area")  # fmt: skip


def test_every_command_line_parses(folder: Path) -> None:
    lines = command_lines()
    assert len(lines) >= 25
    for block, line in lines:
        try:
            parse(arguments(line))
        except click.ClickException as exc:
            pytest.fail(f"README line {block.line}: {line!r} does not parse: {exc.format_message()}")
    named = {name for _, line in lines for name in shlex.split(line)}
    for pattern in PARSE_ONLY:  # each placeholder is for a file the README names
        assert any(glob.fnmatch.fnmatch(n, pattern) for n in named), pattern  # type: ignore[attr-defined]


def test_command_lines_run_on_standins(folder: Path) -> None:
    from nakinetics.cli import main

    lines = [
        line for _, line in command_lines() if any((line + "\n").startswith(f"nakinetics {r}") for r in RUN)
    ]
    assert len(lines) == len(RUN)
    for line in lines:
        result = CliRunner().invoke(main, arguments(line))
        assert result.exit_code == 0, f"{line}: {result.output}"


def quoted(pattern: str) -> re.Match[str]:
    found = re.search(pattern, (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert found, f"the README no longer says {pattern!r}"
    return found


def run(args: list[str]) -> str:
    from nakinetics.cli import main

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.stdout


def test_warburg_refusal_as_quoted(folder: Path) -> None:
    from nakinetics.cli import main

    shown = quoted(r"```\n(error: gamry_ref3000_eispot\.DTA: .*?), \.\.\.\n```").group(1)
    Path("gamry_ref3000_eispot.DTA").symlink_to(TESTDATA / "gamry_ref3000_eispot.DTA")
    refused = CliRunner().invoke(main, ["warburg", "gamry_ref3000_eispot.DTA", "--area", "1", "--conc", "1M"])
    assert refused.exit_code == 1
    assert refused.stderr.startswith(" ".join(shown.split()))


def test_tafel_example_as_quoted(folder: Path) -> None:
    command = quoted(r"`nakinetics (tafel examples/data_tafel/[^`]*)`").group(1)
    shown = quoted(
        r"gives i0 = (\S+) ± (\S+) mA cm⁻², α_a·α_c = (\S+), EIS/DC ratio (\S+),.*?only (\S+) decades"
    )
    report = run(shlex.split(" ".join(command.split())))
    i0 = re.search(r"^  i0 +(\S+) +(\S+) +mA cm\^-2", report, re.MULTILINE)
    product = re.search(r"^  alpha_product +(\S+)", report, re.MULTILINE)
    ratio = re.search(r"i0 DC = .*?, ratio DC/EIS = (\S+)", report)
    decades = re.search(r"anodic +no Tafel region: .*? spans only (\S+) decades", report)
    assert i0 and product and ratio and decades, report
    for expected, actual in zip(
        shown.groups(), [*i0.groups(), product.group(1), ratio.group(1), decades.group(1)], strict=True
    ):
        assert same_as_shown(expected, actual), (expected, actual)


def test_cycling_example_as_quoted(folder: Path) -> None:
    command = quoted(r"`nakinetics (cycling examples/data_cycling/\S+ --area \S+)` reports").group(1)
    shown = quoted(
        r"reports\s+η_p (\S+) mV in the first half-cycle, growth (\S+) ± (\S+) mV/100 h, a soft short at (\S+) ± "
        r"(\S+) h .*?cycling life (\S+) h and a DC ASR of (\S+) Ω cm² \((\S+) per interface"
    )
    report = run(shlex.split(command))
    patterns = [r"η_p .*?first (\S+) mV", r"growth: (\S+) ± (\S+) mV/100 h", r"short circuit: soft at (\S+) ± (\S+) h",
                r"cycling life: (\S+) h", r"DC ASR .*?cell (\S+) Ω cm²", r"per interface (\S+) Ω cm²"]  # fmt: skip
    actual = [value for pattern in patterns for value in re.search(pattern, report).groups()]  # type: ignore[union-attr]
    for expected, value in zip(shown.groups(), actual, strict=True):
        assert same_as_shown(expected, value), (expected, value, report)


def test_validate_verdict_as_quoted(folder: Path) -> None:
    """The Kramers–Kronig verdict the README quotes for its simulate example (1 % noise)."""
    shown = quoted(r"The README's simulate example \(1 % noise per component\) now reads `([^`]*)`").group(1)
    simulate = next(line for _, line in command_lines() if line.startswith("nakinetics simulate"))
    run(arguments(simulate))
    verdict = run(["validate", "sim.csv"]).splitlines()[1]
    before, after = (" ".join(part.split()) for part in shown.split("(…)"))
    assert before in verdict and after in verdict, verdict


def test_command_synopsis_names_real_options() -> None:
    """Every option of the "Command line" synopsis is an option of its command."""
    from nakinetics.cli import main

    synopsis = next(b for b in readme_blocks() if not b.lang and b.heading == "Command line").code
    commands: dict[str, set[str]] = {}
    name = ""
    for line in synopsis.splitlines():
        if line.startswith("nakinetics "):
            name = line.split()[1]
        if name in ("warburg",):  # "warburg | conductivity | ... (sections below)"
            continue
        commands.setdefault(name, set()).update(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))
    assert set(commands) == {"fit", "simulate", "validate", "circuits"}
    with click.Context(main, info_name="nakinetics") as parent:
        for name, options in commands.items():
            command = main.get_command(parent, name)
            assert command is not None, name
            known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
            assert options <= known, f"nakinetics {name}: {sorted(options - known)} not options"


def test_geis_command_writes_into_the_out_folder_it_creates(folder: Path) -> None:
    """The README's geis line puts --plot and --json inside --out, a folder the run creates (this was
    refused at parse time as "folder run_fit does not exist"); a path in another missing folder still is."""
    from nakinetics.cli import main

    line = next(line for _, line in command_lines() if line.startswith("nakinetics geis"))
    assert "--out run_fit --plot run_fit/" in line and not Path("run_fit").exists()
    run(arguments(line))
    assert {p.name for p in Path("run_fit").iterdir()} >= {
        "series.csv", "dashboard.png", "dashboard_nyquist.png", "summary.json"
    }  # fmt: skip
    assert json.loads(Path("run_fit/summary.json").read_text(encoding="utf-8"))["counts"]["spectra"] == 8
    elsewhere = CliRunner().invoke(main, ["geis", "run.mpt", "--out", "new", "--plot", "other/d.png"])
    assert elsewhere.exit_code == 1 and "folder other does not exist" in elsewhere.stderr
    assert not Path("new").exists()  # refused before the folder was made
