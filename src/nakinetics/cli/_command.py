"""The subcommand class: choices are matched in any case (the reports print ``BV``, ``--model bv`` is the
option's spelling: both are accepted); before any work, an empty option value (``-c ""``), a number that is
not finite (``--area nan``) and an output path that would overwrite an input are refused.

Kept apart from ``_options`` so that ``nakinetics --help`` imports nothing heavy.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from ..exceptions import OutputError

OUTPUT_PARAMETERS = {
    "json_path": "--json",
    "plot_path": "--plot",
    "out_dir": "--out",
    "csv_path": "--csv",
    "curve_path": "--curve-csv",
}
"""Parameters that are output paths and their options (checked against the inputs by :class:`CheckedCommand`)."""


def _input_files(params: dict[str, Any]) -> list[Path]:
    found: list[Path] = []
    for name, value in params.items():
        if name in OUTPUT_PARAMETERS:
            continue
        for item in value if isinstance(value, tuple | list) else (value,):
            if isinstance(item, Path) and item.is_file():
                found.append(item)
    return found


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _any_case(param: click.Parameter) -> None:
    """Let a choice option match in any case when no two of its choices differ only by case."""
    choice = param.type
    if isinstance(choice, click.Choice):
        folded = {str(c).casefold() for c in choice.choices}
        if len(folded) == len(choice.choices):
            choice.case_sensitive = False


class CheckedCommand(click.Command):
    """A subcommand whose choices match in any case, and that refuses, before any work, an output path
    that is one of its input files or another output path (``fit data.csv --json data.csv`` would replace
    the data)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _any_case(param)

    def invoke(self, ctx: click.Context) -> Any:
        for param in self.params:
            value = ctx.params.get(param.name or "")
            values = value if isinstance(value, tuple | list) else (value,)
            if any(isinstance(v, str | Path) and not str(v).strip() for v in values):
                # e.g. -c "$CIRCUIT" with the variable unset: never a silent default
                raise click.BadParameter("an empty value is not allowed", ctx=ctx, param=param)
            if any(isinstance(v, float) and not math.isfinite(v) for v in values):
                # click's FloatRange lets nan through (every comparison with nan is false)
                raise click.BadParameter(f"{value} is not a finite number", ctx=ctx, param=param)
        outputs = [
            (name, Path(ctx.params[name]))
            for name in OUTPUT_PARAMETERS
            if ctx.params.get(name) not in (None, "-")
        ]
        inputs = _input_files(ctx.params)
        for k, (name, path) in enumerate(outputs):
            option = OUTPUT_PARAMETERS[name]
            clash = next((p for p in inputs if _same_file(p, path)), None)
            if clash is not None:
                raise OutputError(f"{option} {path}: is the input file {clash}; it would be overwritten")
            for _, other in outputs[k + 1 :]:
                if path == other or _same_file(path, other):
                    raise OutputError(f"{option} {path}: is given for two outputs")
        return super().invoke(ctx)
