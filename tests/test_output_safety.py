"""Output files are written whole, only as regular files, never over a read-only file, a device or a
link; output paths are checked before any work; JSON is strict RFC 8259; a ``geis --out`` folder is
locked; killed runs leave no orphan workers and resumes never keep duplicate rows."""

from __future__ import annotations

import json
import math
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import _output, main
from nakinetics.cli._lock import LOCK_NAME, FolderLock
from nakinetics.cli._output import OutputError, check_output_file, json_text, write_atomic
from nakinetics.exceptions import NakineticsError

from .test_geis_cli import geis_args, read_rows, write_series

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_nzsp_na_cycled.txt"
FIT = ["fit", str(EXAMPLE), "-c", "na_se_na_1arc"]


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write_text(path: Path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text))


# ---------------------------------------------------------------------------------------------------
# write_atomic


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "results" / "fit.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "fit.json"
    link.symlink_to(target)
    write_text(link, "new")
    assert link.is_symlink() and link.readlink() == target
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["fit.json"]  # no temporary file left


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "made.json")
    write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "x"


def test_a_symlink_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OutputError, match="symlink loop"):
        write_text(tmp_path / "a", "x")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()


def test_special_files_are_refused_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="is a FIFO"):
        write_text(fifo, "x")  # refused without opening it (opening a FIFO would block)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(OutputError, match="is a system path"):
        write_text(Path(os.devnull), "x")
    link = tmp_path / "out.json"
    link.symlink_to("/dev/stdout")  # through /proc/self/fd/1 to a file, when stdout is redirected to one
    with pytest.raises(OutputError, match="is a system path"):
        write_text(link, "x")
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)
    with pytest.raises(OutputError, match="is a folder"):
        write_text(tmp_path, "x")


def test_a_read_only_file_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "fit.json"
    target.write_text("precious")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        write_text(target, "new")  # as root too: the permission bits decide, not the access check
    assert target.read_text() == "precious"


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text(tmp_path / "new.json", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640  # 0o666 & ~0o027
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    kept.chmod(0o604)
    write_text(kept, "new")
    assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == 0o604


def test_os_errors_become_one_line_output_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("")
    with pytest.raises(OutputError, match=r"out.json: cannot write \(Not a directory\)"):
        write_text(blocker / "out.json", "x")
    with pytest.raises(OutputError, match="does not exist"):
        write_text(tmp_path / "missing" / "out.json", "x")

    def denied(*args: object, **kwargs: object) -> None:  # a read-only folder (root ignores the bits)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_output.tempfile, "mkstemp", denied)
    with pytest.raises(OutputError) as error:
        write_text(tmp_path / "out.json", "x")
    assert str(error.value) == f"{tmp_path / 'out.json'}: cannot write in {tmp_path} (Permission denied)"
    assert isinstance(error.value, NakineticsError) and isinstance(error.value, OSError)


def test_a_failed_write_leaves_the_earlier_file(tmp_path: Path) -> None:
    target = tmp_path / "fit.json"
    target.write_text("earlier")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(target, half_then_fail)
    assert target.read_text() == "earlier" and [p.name for p in tmp_path.iterdir()] == ["fit.json"]


# ---------------------------------------------------------------------------------------------------
# output paths are checked before any work, for every command

COMMANDS = {
    "fit": (["fit", EXAMPLE], "nakinetics.cli._options.selected_spectra"),
    "validate": (["validate", EXAMPLE], "nakinetics.cli._options.selected_spectra"),
    "warburg": (
        ["warburg", EXAMPLE, "--area", 1, "--conc", 1e-3],
        "nakinetics.cli._options.selected_spectra",
    ),
    "conductivity": (
        ["conductivity", EXAMPLE, "--thickness", 0.1, "--area", 1],
        "nakinetics.cli._options.selected_spectra",
    ),
    "tafel": (["tafel", EXAMPLE], "nakinetics.cli.tafel.read_dc_record"),
    "geis": (["geis", EXAMPLE, "-c", "na_se_na_1arc"], "nakinetics.cli.geis._expand_inputs"),
    "arrhenius": (["arrhenius", EXAMPLE, "--temperatures", 300], "nakinetics.cli.arrhenius.read_spectra"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        ("--plot", "out.xyz", "unsupported figure format 'xyz' (supported: "),
        ("--plot", "missing/out.png", "folder missing"),
        ("--json", "missing/out.json", "folder missing"),
        ("--json", "readonly.json", "file is read-only"),
        ("--json", os.devnull, "is a system path"),
        ("--json", "/dev/stdout", "is a system path"),  # it resolves to wherever stdout is redirected
    ],
)
def test_bad_output_paths_fail_before_any_work(
    command: str, option: str, name: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, entry = COMMANDS[command]

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the output path was checked")

    monkeypatch.setattr(entry, no_work)
    (tmp_path / "readonly.json").write_text("precious")
    (tmp_path / "readonly.json").chmod(0o444)
    monkeypatch.chdir(tmp_path)
    extra = ["--out", tmp_path / "series"] if command == "geis" else []
    code, _, err = run(*args, *extra, option, name)
    assert code == 1
    assert err.startswith(f"error: {option} {name}: ") and message in err and err.count("\n") == 1
    assert (tmp_path / "readonly.json").read_text() == "precious"
    assert not (tmp_path / "out.xyz").exists()


def test_an_output_path_that_is_an_input_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_bytes(EXAMPLE.read_bytes())
    code, _, err = run("fit", data, "-c", "na_se_na_1arc", "--json", data)
    assert code == 1 and "is the input file" in err
    assert data.read_bytes() == EXAMPLE.read_bytes()
    code, _, err = run("fit", data, "--json", tmp_path / "x.png", "--plot", tmp_path / "x.png")
    assert code == 1 and "given for two outputs" in err


def test_geis_out_inside_a_file_or_unwritable_fails_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    code, _, err = run("geis", EXAMPLE, "-c", "na_se_na_1arc", "--out", tmp_path / "file" / "series")
    assert code == 1 and err.startswith("error: --out ") and "is not a folder" in err


def test_figure_formats_check_matches_matplotlib(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    for suffix in ("png", "pdf", "svg"):
        check_output_file(tmp_path / f"a.{suffix}", figure=True)
    with pytest.raises(OutputError, match="unsupported figure format"):
        check_output_file(tmp_path / "a.xyz", figure=True)
    with pytest.raises(ValueError, match="not supported"):
        Figure().savefig(tmp_path / "a.xyz")  # what the check prevents, after the work


# ---------------------------------------------------------------------------------------------------
# strict JSON


def test_json_has_no_nan_or_infinity_and_says_where_they_were() -> None:
    record = {
        "value": math.nan,
        "limits": [1.0, np.inf],
        "nested": {"x": np.float64(-np.inf)},
        "warnings": [],
    }
    text, notes = json_text(record)

    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard constant {name}")

    parsed = json.loads(text, parse_constant=refuse)
    assert parsed["value"] is None and parsed["limits"] == [1.0, None] and parsed["nested"]["x"] is None
    assert notes == [
        "value is NaN: written as null",
        "limits[1] is infinite: written as null",
        "nested.x is infinite: written as null",
    ]
    assert parsed["warnings"] == [f"JSON: {note}" for note in notes]
    text, notes = json_text([{"a": np.nan, "warnings": []}, {"a": 1}])
    assert json.loads(text)[0]["warnings"] == ["JSON: a is NaN: written as null"] and notes == [
        "[0] a is NaN: written as null"
    ]


# ---------------------------------------------------------------------------------------------------
# geis: folder lock, duplicates, orphans


def _holder(folder: Path) -> subprocess.Popen[str]:
    code = (
        "import sys, time; from pathlib import Path; from nakinetics.cli._lock import FolderLock; "
        f"FolderLock(Path({str(folder)!r}), 'test').acquire(); print('locked', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    return process


def test_a_locked_out_folder_is_refused_and_a_crashed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    series = write_series(tmp_path / "spectra", 3)
    out = tmp_path / "out"
    out.mkdir()
    holder = _holder(out)
    try:
        code, _, err = run(*geis_args(series, out))
        assert code == 1 and err.count("\n") == 1
        assert f"{out} is in use by another run (PID {holder.pid} on " in err
        assert not (out / "series.csv").exists()
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: the lock file keeps the dead holder's PID
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    assert f"pid={holder.pid}" in (out / LOCK_NAME).read_text()
    code, _, err = run(*geis_args(series, out))
    assert code == 0, err
    assert len(read_rows(out / "series.csv")) == 3
    assert (out / LOCK_NAME).read_text() == ""  # released at the end of the run


def test_lock_is_exclusive_within_one_process_too(tmp_path: Path) -> None:
    with FolderLock(tmp_path, "a"), pytest.raises(OutputError, match="in use by another run"):
        FolderLock(tmp_path, "b").acquire()
    with FolderLock(tmp_path, "c"):  # released: can be taken again
        pass


def test_resume_drops_duplicate_rows_whatever_wrote_them(tmp_path: Path) -> None:
    series = write_series(tmp_path / "spectra", 4)
    out = tmp_path / "out"
    code, _, err = run(*geis_args(series, out))
    assert code == 0, err
    table = (out / "series.csv").read_text()
    header, *rows = table.splitlines(keepends=True)
    # two runs appending to one table and both killed: every row twice, one of them marked failed
    failed = rows[1].replace(",ok,", ",failed,", 1)
    (out / "series.csv").write_text(header + "".join(rows) + "".join(rows[:3]) + failed)
    code, out_text, err = run(*geis_args(series, out, "--json", "-"))
    assert code == 0, err
    summary = json.loads(out_text)
    assert summary["resume"]["duplicates_removed"] == 4 and summary["counts"]["fitted_now"] == 0
    assert (out / "series.csv").read_text() == table  # one row per spectrum, the fitted ones
    assert "duplicate row(s) of the earlier run(s) removed" in err


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_killing_the_parent_leaves_no_orphan_workers(tmp_path: Path) -> None:
    series = write_series(tmp_path / "spectra", 12)
    out = tmp_path / "out"
    args = [
        sys.executable,
        "-m",
        "nakinetics",
        *map(str, geis_args(series, out, "--workers", 2, "--independent")),
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while process.poll() is None and time.monotonic() < deadline and len(workers) < 2:
        workers = _children(process.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "the run ended before its workers were seen"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    # and the folder is free again at once
    code, _, err = run(*geis_args(series, out, "--independent"))
    assert code == 0, err
    assert len(read_rows(out / "series.csv")) == 12
