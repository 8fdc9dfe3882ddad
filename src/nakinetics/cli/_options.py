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


def json_option(func: F) -> F:
    """``--json PATH|-``: results as JSON, ``-`` for stdout only (the text report then goes to stderr)."""
    return click.option(
        "--json", "json_path", metavar="PATH|-", help="Write the results as JSON ('-' = stdout only)."
    )(func)


def plot_option(help_text: str) -> Callable[[F], F]:
    """``--plot PATH``: save a figure, the format following the extension."""

    def decorate(func: F) -> F:
        return click.option(
            "--plot",
            "plot_path",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="PATH",
            help=help_text,
        )(func)

    return decorate


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
