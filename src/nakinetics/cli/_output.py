"""Writing command output: whole files or nothing, and JSON on stdout when the path is ``-``."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..exceptions import NakineticsError


class OutputError(NakineticsError, OSError):
    """An output file could not be written."""


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path`` and move it into place only on success."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path()
    if not directory.is_dir():
        raise OutputError(f"{target}: directory {directory} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.replace(target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def emit_json(payload: Any, destination: str) -> None:
    """Write ``payload`` as JSON to ``destination`` (``-`` = stdout, else an atomic file write)."""
    text = json.dumps(payload, indent=2, allow_nan=True, default=str) + "\n"
    if destination == "-":
        click.echo(text, nl=False)
        return
    write_atomic(destination, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save_figure(figure: Any, destination: str | Path) -> None:
    """Save a matplotlib figure atomically; the format follows the file extension."""
    suffix = Path(destination).suffix.lstrip(".") or "png"
    write_atomic(destination, lambda tmp: figure.savefig(tmp, format=suffix, dpi=150))


def parse_assignments(items: tuple[str, ...], option: str) -> dict[str, float]:
    """``("R0=12.5", ...)`` → ``{"R0": 12.5}``; a malformed item is a usage error."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise click.BadParameter(f"expected NAME=VALUE, got '{item}'", param_hint=option) from None
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
