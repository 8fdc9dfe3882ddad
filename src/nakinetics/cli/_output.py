"""Writing command output: whole files or nothing, never onto anything but a regular file.

Rules (the same for ``--json``, ``--plot`` and the files of ``geis --out``):

* a file is written to a temporary file beside its target and renamed into place only when complete, so a
  failed or interrupted run leaves the earlier file (or none), never half of one;
* only regular files are written: a device, FIFO, socket or folder at the path is refused (``--json -``
  is the way to write to stdout);
* a symlink is written *through*: its target file is replaced and the link stays a link (a dangling link
  creates its target; a symlink loop is refused);
* an existing read-only file is never replaced; a replaced file keeps its permission bits, a new file
  gets ``0o666`` minus the umask (as ``open()`` would);
* every operating-system error becomes a one-line :class:`~nakinetics.exceptions.OutputError` naming the
  path.

:func:`check_output_file` and :func:`check_output_folder` apply the same rules before any work starts
(the options call them when they are parsed), so a bad path fails in a second, not after the fit.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import stat
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import numpy as np

from ..exceptions import OutputError

__all__ = [
    "OutputError",
    "check_output_file",
    "check_output_folder",
    "emit_json",
    "json_text",
    "save_figure",
    "write_atomic",
]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_SYSTEM_TREES = ("/dev/", "/proc/", "/sys/")
"""Paths here are never files to replace, whatever they resolve to: ``/dev/stdout`` resolves through
``/proc/self/fd/1`` to wherever stdout is redirected, and renaming over that would swap the shell's output
file for ours."""


def _link_chain(path: Path, hops: int = 40) -> list[str]:
    """``path`` (absolute) and every path its symlinks point to, hop by hop (a loop ends the list)."""
    hop = path.absolute()
    chain = [str(hop)]
    for _ in range(hops):
        try:
            hop = hop.parent / hop.readlink()  # an absolute target replaces the parent
        except OSError:  # not a link (or unreadable): the chain ends here
            break
        chain.append(os.path.normpath(hop))
    return chain


def _resolve(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file a write to ``path`` would replace (symlinks followed) and its status (``None``: new)."""
    for where in [*_link_chain(path), os.path.realpath(path)]:
        if where.startswith(_SYSTEM_TREES):
            raise OutputError(
                f"{path}: is a system path ({where}), not a regular file; nakinetics writes only regular files "
                "(use '--json -' for stdout)"
            )
    try:
        status = path.stat()
    except FileNotFoundError:
        if path.is_symlink():  # dangling: the write creates the link's target
            return Path(os.path.realpath(path)), None
        return path, None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{path}: symlink loop; not writing there") from None
        raise OutputError(f"{path}: cannot write ({_reason(exc)})") from None
    if not stat.S_ISREG(status.st_mode):
        raise OutputError(
            f"{path}: is {_kind(status.st_mode)}, not a regular file; nakinetics writes only regular files"
            + (" (use '--json -' for stdout)" if not stat.S_ISDIR(status.st_mode) else "")
        )
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise OutputError(
            f"{path}: file is read-only; not replacing it (make it writable or choose another path)"
        )
    return target, status


def _probe_folder(folder: Path, path: Path) -> None:
    """Raise :class:`OutputError` unless a file can be created in the existing ``folder``."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".nakinetics-probe-", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder} ({_reason(exc)})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        Path(probe).unlink()


def _existing_folder(path: Path) -> Path:
    folder = path.parent if str(path.parent) else Path()
    if not folder.exists():
        raise OutputError(f"{path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    return folder


def figure_formats() -> list[str]:
    """File extensions matplotlib can save a figure as (imports matplotlib)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def figure_format(path: Path) -> str:
    """The figure format of ``path`` from its extension (no extension: ``png``)."""
    return path.suffix.lstrip(".").lower() or "png"


def check_output_file(path: str | Path, *, figure: bool = False, created: Path | None = None) -> Path:
    """Check, before any work, that ``path`` can be written by :func:`write_atomic` (and, for a figure,
    that its extension is a format matplotlib saves); return it as a :class:`~pathlib.Path`.  ``created``
    is an output folder the command makes before writing (``geis --out``): a file directly in it is
    checked against that folder (it may not exist yet)."""
    path = Path(path)
    if figure and figure_format(path) not in figure_formats():
        raise OutputError(
            f"{path}: unsupported figure format '{figure_format(path)}' "
            f"(supported: {', '.join(figure_formats())})"
        )
    target, _ = _resolve(path)
    folder = target.parent if str(target.parent) else Path()
    if created is not None and not folder.exists() and folder.absolute() == Path(created).absolute():
        check_output_folder(created)
        return path
    _probe_folder(_existing_folder(target), path)
    return path


def check_output_folder(path: str | Path) -> Path:
    """Check, before any work, that folder ``path`` exists and is writable or can be created."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            raise OutputError(f"{path}: {_reason(exc)}") from None
        if not is_dir:
            raise OutputError(f"{path}: exists and is not a folder")
        _probe_folder(path, path)
        return path
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{path}: {ancestor} is not a folder")
    _probe_folder(ancestor, path)
    return path


def make_folder(path: Path) -> None:
    """Create ``path`` (and its parents) if needed; OS errors become one-line :class:`OutputError`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the folder ({_reason(exc)})") from None


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``'s target and move it into place only when
    ``write`` returns (the rules are in the module docstring)."""
    path = Path(path)
    target, existing = _resolve(path)
    folder = _existing_folder(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder} ({_reason(exc)})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        if existing is None:
            tmp.chmod(0o666 & ~_umask())
        else:
            tmp.chmod(stat.S_IMODE(existing.st_mode))
            with contextlib.suppress(OSError):  # keep the owner when running as root
                os.chown(tmp, existing.st_uid, existing.st_gid)
        tmp.replace(target)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({_reason(exc)})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _finite_json(value: Any, where: str, notes: list[str]) -> Any:
    """``value`` with NaN/±inf replaced by ``None`` (noted in ``notes``) and numpy types made plain."""
    if isinstance(value, dict):
        return {str(k): _finite_json(v, f"{where}.{k}" if where else str(k), notes) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_json(v, f"{where}[{k}]", notes) for k, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        return _finite_json(value.tolist(), where, notes)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number):
            return number
        notes.append(f"{where or 'value'} is {'NaN' if math.isnan(number) else 'infinite'}: written as null")
        return None
    if isinstance(value, complex | np.complexfloating):
        return _finite_json({"real": value.real, "imag": value.imag}, where, notes)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str):
        return value
    return str(value)


def json_text(payload: Any) -> tuple[str, list[str]]:
    """Strict RFC 8259 JSON text of ``payload`` and the notes on values that were not finite numbers.

    JSON has no NaN or Infinity: such a value is written as ``null`` and a note says where, e.g.
    ``statistics.redchi is NaN: written as null``.  A record (dict) with a ``warnings`` list gets the notes
    on its own values appended there.
    """
    notes: list[str] = []
    if isinstance(payload, list):
        clean = []
        for k, record in enumerate(payload):
            own: list[str] = []
            clean.append(_with_notes(_finite_json(record, "", own), own))
            notes += [f"[{k}] {note}" for note in own]
    else:
        clean = _with_notes(_finite_json(payload, "", notes), notes)
    return json.dumps(clean, indent=2, allow_nan=False) + "\n", notes


def _with_notes(record: Any, notes: list[str]) -> Any:
    if notes and isinstance(record, dict) and isinstance(record.get("warnings"), list):
        record["warnings"] = [*record["warnings"], *(f"JSON: {note}" for note in notes)]
    return record


def emit_json(payload: Any, destination: str | Path) -> None:
    """Write ``payload`` as strict JSON to ``destination`` (``-`` = stdout, else an atomic file write);
    non-finite numbers become ``null`` with a one-line warning on stderr for each."""
    text, notes = json_text(payload)
    for note in notes:
        click.echo(f"warning: JSON output: {note}", err=True)
    if str(destination) == "-":
        click.echo(text, nl=False)
        return
    write_atomic(destination, lambda tmp: tmp.write_text(text, encoding="utf-8"))


FIGURE_DPI = 150
"""Resolution of saved raster figures (dots per inch)."""


def save_figure(figure: Any, destination: str | Path) -> None:
    """Save a matplotlib figure atomically; the format follows the file extension (none: PNG)."""
    destination = Path(destination)
    check_output_file(destination, figure=True)
    write_atomic(
        destination, lambda tmp: figure.savefig(tmp, format=figure_format(destination), dpi=FIGURE_DPI)
    )


def figure_bytes(figure: Any, format: str) -> bytes:
    """A matplotlib figure rendered in ``format`` (``png``, ``pdf``, ...), e.g. in a worker process."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format=format, dpi=FIGURE_DPI)
    return buffer.getvalue()


def parse_assignments(items: tuple[str, ...], option: str) -> dict[str, float]:
    """``("R0=12.5", ...)`` → ``{"R0": 12.5}``; a malformed item or a non-finite value is a usage error."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            number = float(value)
        except ValueError:
            raise click.BadParameter(f"expected NAME=VALUE, got '{item}'", param_hint=option) from None
        if not math.isfinite(number):
            raise click.BadParameter(
                f"{name.strip()} = {value.strip()} is not a finite number", param_hint=option
            )
        out[name.strip()] = number
    return out


def numbered_path(path: Path, k: int, count: int) -> Path:
    """``path`` itself for a single output, ``stem_k.suffix`` when there are several."""
    return path if count == 1 else path.with_name(f"{path.stem}_{k}{path.suffix}")


def echo_reports(texts: list[str], json_path: str | None) -> None:
    """Print the text reports, on stderr when the JSON goes to stdout."""
    for text in texts:
        click.echo(text + "\n", err=json_path == "-")


def save_figures(figures: list[Any], plot_path: Path | None) -> None:
    """Save one figure per result (``PATH``, or ``PATH_<k>`` for several)."""
    if plot_path is None:
        return
    for k, figure in enumerate(figures):
        save_figure(figure, numbered_path(plot_path, k, len(figures)))


def emit_records(records: list[Any], json_path: str | None) -> None:
    """Write the JSON records: one object for one result, a list for several."""
    if json_path is not None:
        emit_json(records[0] if len(records) == 1 else records, json_path)
