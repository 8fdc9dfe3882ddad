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
from ..temperature import (
    TemperatureUnit,
    implausible_temperature,
    other_reading,
    split_temperature,
    to_kelvin,
)

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


class TemperatureType(click.ParamType):
    """A temperature as typed: ``25C``, ``25°C``, ``298.15K`` or a bare number → (value, unit or None)."""

    name = "temperature"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        try:
            return split_temperature(str(value))
        except DataError as exc:
            self.fail(str(exc), param, ctx)


TEMPERATURE = TemperatureType()


def temperature_unit_option(help_text: str) -> Callable[[F], F]:
    """``--temperature-unit K|C``: the unit of temperatures typed without one."""

    def decorate(func: F) -> F:
        return click.option("--temperature-unit", type=click.Choice(["K", "C"]), help=help_text)(func)

    return decorate


def any_temperature_option(func: F) -> F:
    """``--any-temperature``: accept a temperature outside the plausible range."""
    return click.option(
        "--any-temperature",
        is_flag=True,
        help="Accept temperatures outside 200–1200 K (refused otherwise as a likely °C/K slip).",
    )(func)


def temperature_options(default_note: str) -> Callable[[F], F]:
    """``--temperature T``, ``--temperature-unit K|C`` and ``--any-temperature``; resolve them with
    :func:`resolve_temperature`."""

    def decorate(func: F) -> F:
        func = any_temperature_option(func)
        func = temperature_unit_option("Unit of a --temperature typed without one (default K).")(func)
        return click.option(
            "--temperature",
            type=TEMPERATURE,
            metavar="T",
            help=f"Temperature: 25C, 25°C, 298.15K, or a number in --temperature-unit (K). {default_note}",
        )(func)

    return decorate


def resolve_temperature(
    typed: tuple[float, TemperatureUnit | None] | None,
    unit: str | None,
    any_temperature: bool,
    option: str = "--temperature",
) -> float | None:
    """Kelvin from a typed temperature and ``--temperature-unit``; a usage error naming the likely slip
    when the unit contradicts the value's own or the value is implausible (unless ``any_temperature``)."""
    if typed is None:
        return None
    value, written = typed
    if written is not None and unit is not None and written != unit:
        raise click.BadParameter(
            f"{value:g}{written} contradicts --temperature-unit {unit}", param_hint=option
        )
    actual: TemperatureUnit = written or unit or "K"  # type: ignore[assignment]
    kelvin = to_kelvin(value, actual)
    if not kelvin > 0:
        raise click.BadParameter(f"{value:g} {actual} is not above absolute zero", param_hint=option)
    why = None if any_temperature else implausible_temperature(kelvin, (value, actual))
    if why is not None:
        other = other_reading(value, actual)
        remedy = (
            f" write {value:g}{other}, or pass --any-temperature"
            if other
            else "; pass --any-temperature if you mean it"
        )
        raise click.BadParameter(why + remedy, param_hint=option)
    return kelvin


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
