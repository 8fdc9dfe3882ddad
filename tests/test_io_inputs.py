"""Inputs that are not plain files, and the reading guard: standard input, pipes, devices, directories,
symbolic-link loops, over-long lines, and the command line's --format option and wording."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.exceptions import FileFormatError, MissingFileError, NakineticsError, UnreadableFileError
from nakinetics.io import detect_format, open_source, read_dc_records, read_spectra
from nakinetics.io._source import MAX_LINE_CHARS

DATA = Path(__file__).resolve().parent / "data"
CHI = DATA / "chi660e_ac-impedance.txt"


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_stdin_reads_like_the_file() -> None:
    code, out, err = run("validate", "-", stdin=CHI.read_bytes())
    assert code == 0, err
    assert "file      <stdin>" in out and "Kramers–Kronig" in out
    from_file = read_spectra(CHI)[0]
    from_stream = read_spectra(io.BytesIO(CHI.read_bytes()))[0]
    assert (from_stream.impedance == from_file.impedance).all()


def test_stdin_with_forced_format_and_empty_stdin() -> None:
    code, _, err = run("validate", "-", "--format", "csv", stdin=b"f,Zre,Zim\n1000,10,-1\n100,11,-3\n")
    assert code == 1 and "<stdin>" in err  # 2 points: too few for the test, but read
    code, _, err = run("fit", "-", stdin=b"")
    assert code == 1 and err.strip() == "error: <stdin>: file is empty (expected an impedance spectrum)"


def test_dash_in_python_is_not_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MissingFileError, match="standard input on the command line"):
        read_spectra("-")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_read(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(CHI.read_bytes()))
    writer.start()
    spectra = read_spectra(fifo)
    writer.join()
    assert len(spectra[0]) == 73 and spectra[0].metadata.format == "chi"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_is_refused_without_reading() -> None:
    with pytest.raises(UnreadableFileError, match="/dev/zero: is a device, not a file"):
        read_spectra("/dev/zero")


def test_directory_loop_dangling_link(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="is a directory"):
        read_spectra(tmp_path)
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(UnreadableFileError, match="symbolic link loop"):
        read_dc_records(tmp_path / "a")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    with pytest.raises(MissingFileError, match="broken symbolic link"):
        read_spectra(tmp_path / "dangling")
    code, _, err = run("fit", tmp_path / "a")
    assert code == 1 and err.strip().endswith("symbolic link loop; expected a file")


def test_huge_single_line_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "one_line.csv"
    path.write_bytes(b"1,2,3," * (MAX_LINE_CHARS // 3))  # ~2 MiB, no line break
    with pytest.raises(FileFormatError, match=r"line 1 is [\d,]+ characters long"):
        read_spectra(path)


def test_reader_crash_becomes_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard: an unexpected exception inside a reader is a FileFormatError naming the file."""
    import dataclasses

    from nakinetics.io import _formats

    def broken(source: object) -> list[object]:
        raise IndexError("list index out of range")

    fmt = dataclasses.replace(_formats.FORMATS_BY_NAME["chi"], readers={"spectrum": broken})
    monkeypatch.setitem(_formats.FORMATS_BY_NAME, "chi", fmt)
    monkeypatch.setattr(_formats, "CATALOG", (fmt,))
    with pytest.raises(FileFormatError) as info:
        read_spectra(CHI)
    message = str(info.value)
    assert message.startswith(str(CHI)) and "IndexError: list index out of range" in message
    assert isinstance(info.value.__cause__, IndexError)


def test_format_option_in_help_and_cli_wording(tmp_path: Path) -> None:
    for command in ("fit", "validate", "warburg", "conductivity", "tafel", "arrhenius", "geis"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "--format NAME" in out, command
    fake = tmp_path / "fake.mpt"
    fake.write_text("freq,Zre,Zim\n1000,10,-1\n100,11,-2\n")
    code, _, err = run("validate", fake)
    assert code == 1 and "use --format NAME to force a reader" in err and "format=" not in err
    with pytest.raises(FileFormatError, match="pass format=NAME to force a reader"):
        read_spectra(fake)
    code, _, err = run("tafel", CHI)
    assert code == 1 and "read_spectra" not in err and "nakinetics fit" in err
    code, _, err = run("fit", CHI, "--format", "nope")
    assert code == 2 and "unknown format 'nope'" in err and "biologic-mpt" in err


def test_extension_names_its_family_as_format() -> None:
    assert read_spectra(CHI, format="CHI")[0].metadata.format == "chi"
    with pytest.raises(FileFormatError, match="did you mean 'gamry'"):
        read_spectra(CHI, format="gamri")


MPT_SPECTRUM = DATA / "biologic_sp150_peis_ecl11-18.mpt"


@pytest.mark.parametrize("name", ["mpt", ".MPT", "Biologic-MPT", "biologic-mpt"])
def test_command_line_accepts_the_format_names_the_library_accepts(name: str) -> None:
    # the library takes an extension (any case) as a format name; --format takes the same names
    spectra = read_spectra(MPT_SPECTRUM, format=name)
    assert spectra[0].metadata.format == "biologic-mpt"
    code, out, err = run("validate", MPT_SPECTRUM, "--format", name, "--json", "-")
    assert code == 0, err
    detected = run("validate", MPT_SPECTRUM, "--json", "-")[1]
    assert out == detected
    code, _, err = run("fit", CHI, "--format", "gamri")
    assert code == 2 and "did you mean 'gamry'" in err


def test_open_source_from_stream_and_detect() -> None:
    source = open_source(io.BytesIO(CHI.read_bytes()), name="upload.txt")
    assert str(source) == "upload.txt" and detect_format(source) == "chi"
    assert issubclass(UnreadableFileError, NakineticsError) and issubclass(UnreadableFileError, OSError)
