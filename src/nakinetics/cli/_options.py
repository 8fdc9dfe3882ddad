"""Options and input handling shared by the subcommands (one definition each)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..data import Spectrum
from ..exceptions import DataError
from ..fitting import Weighting
from ..io import read_spectra
from ._output import OutputError, check_output_file, check_output_folder

F = TypeVar("F", bound=Callable[..., Any])


def index_option(func: F) -> F:
    """``--index N``: only spectrum N (0-based) of a multi-spectrum file."""
    return click.option(
        "--index", type=click.IntRange(min=0), metavar="N", help="Only spectrum N (0-based) of the file."
    )(func)


def frequency_options(
    fmin_help: str = "Lowest frequency used.", fmax_help: str = "Highest frequency used."
) -> Callable[[F], F]:
    """``--fmin HZ`` and ``--fmax HZ`` (check them with :func:`check_frequency_range`)."""

    def decorate(func: F) -> F:
        positive = click.FloatRange(min=0, min_open=True)
        func = click.option("--fmax", type=positive, metavar="HZ", help=fmax_help)(func)
        return click.option("--fmin", type=positive, metavar="HZ", help=fmin_help)(func)

    return decorate


# The output checks raise OutputError (a one-line "error: --json PATH: problem", exit code 1) rather than a
# usage error: the option is well formed, the file system refuses it.


def _checked_json_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and value != "-":
        try:
            check_output_file(value)
        except OutputError as exc:
            raise OutputError(f"{param.opts[0]} {exc}") from None
    return value


def _checked_plot_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        try:
            check_output_file(value, figure=True)
        except OutputError as exc:
            raise OutputError(f"{param.opts[0]} {exc}") from None
    return value


def _checked_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        try:
            check_output_folder(value)
        except OutputError as exc:
            raise OutputError(f"{param.opts[0]} {exc}") from None
    return value


def json_option(func: F) -> F:
    """``--json PATH|-``: results as JSON, ``-`` for stdout only (the text report then goes to stderr).
    The path is checked when parsed (see :func:`~nakinetics.cli._output.check_output_file`)."""
    return click.option(
        "--json",
        "json_path",
        metavar="PATH|-",
        callback=_checked_json_path,
        help="Write the results as JSON ('-' = stdout only).",
    )(func)


def plot_option(help_text: str) -> Callable[[F], F]:
    """``--plot PATH``: save a figure, the format following the extension (checked when parsed)."""

    def decorate(func: F) -> F:
        return click.option(
            "--plot",
            "plot_path",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="PATH",
            callback=_checked_plot_path,
            help=help_text,
        )(func)

    return decorate


def folder_option(*names: str, default: Path, help_text: str) -> Callable[[F], F]:
    """An output folder option (e.g. ``geis --out``), checked when parsed: it exists and is writable, or
    can be created."""

    def decorate(func: F) -> F:
        return click.option(
            *names,
            type=click.Path(file_okay=False, path_type=Path),
            default=default,
            show_default=True,
            metavar="DIR",
            callback=_checked_folder,
            help=help_text,
        )(func)

    return decorate


OUTPUT_PARAMETERS = ("json_path", "plot_path", "out_dir")
"""Names of the parameters that are output paths (checked against the inputs by :class:`CheckedCommand`)."""


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


class CheckedCommand(click.Command):
    """A subcommand that refuses, before any work, an output path that is one of its input files or
    another output path (``fit data.csv --json data.csv`` would replace the data)."""

    def invoke(self, ctx: click.Context) -> Any:
        outputs = [
            (name, Path(ctx.params[name]))
            for name in OUTPUT_PARAMETERS
            if ctx.params.get(name) not in (None, "-")
        ]
        inputs = _input_files(ctx.params)
        for k, (name, path) in enumerate(outputs):
            option = "--" + name.removesuffix("_path").removesuffix("_dir").replace("_", "-")
            clash = next((p for p in inputs if _same_file(p, path)), None)
            if clash is not None:
                raise OutputError(f"{option} {path}: is the input file {clash}; it would be overwritten")
            for _, other in outputs[k + 1 :]:
                if path == other or _same_file(path, other):
                    raise OutputError(f"{option} {path}: is given for two outputs")
        return super().invoke(ctx)


def weighting_option(func: F) -> F:
    """``--weighting``: the residual weights of the circuit fit."""
    return click.option(
        "--weighting",
        type=click.Choice([w.value for w in Weighting]),
        default="modulus",
        show_default=True,
        help="Residual weights: 1/|Z| (modulus), 1/|Z'| and 1/|Z''| (proportional) or none (unit).",
    )(func)


def check_frequency_range(fmin: float | None, fmax: float | None) -> None:
    """A usage error when ``fmin >= fmax``."""
    if fmin is not None and fmax is not None and fmin >= fmax:
        raise click.BadParameter(f"--fmin {fmin} must be below --fmax {fmax}", param_hint="--fmin")


def selected_spectra(file: Path, index: int | None) -> list[Spectrum]:
    """Every spectrum of ``file``, or only the ``index``-th (a one-line error when out of range)."""
    spectra = read_spectra(file)
    if index is None:
        return spectra
    if index >= len(spectra):
        raise DataError(f"{file}: --index {index} but the file holds {len(spectra)} spectrum(s)")
    return [spectra[index]]
