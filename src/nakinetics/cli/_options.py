"""Options and input handling shared by the subcommands (one definition each)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..batch import has_pattern
from ..data import Spectrum
from ..exceptions import DataError
from ..fitting import Weighting
from ..io import Source, format_names, open_source, read_spectra
from ..io._formats import format_named, unknown_format
from ..temperature import (
    TemperatureUnit,
    implausible_temperature,
    other_reading,
    split_temperature,
    to_kelvin,
)
from ..units import (
    canonical_concentration_unit,
    concentration_factor,
    implausible_area,
    implausible_concentration,
    implausible_length,
    parse_area,
    parse_length,
    split_quantity,
)
from ._output import OutputError, check_output_file, check_output_folder

F = TypeVar("F", bound=Callable[..., Any])


class OneFile(click.Path):
    """Type of an option that takes ONE input file: a path that does not exist but looks like a glob
    pattern (quoted, so the shell passed it on unexpanded) gets the hint that the option takes one file."""

    def __init__(self, *, exists: bool = True) -> None:
        super().__init__(exists=exists, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value)
        if has_pattern(text) and not Path(text).exists():
            self.fail(
                f"{text!r} does not exist; it looks like a glob pattern: this option takes one file (name it, "
                "or leave the pattern unquoted so the shell expands it to one file)",
                param,
                ctx,
            )
        return super().convert(value, param, ctx)


def index_option(func: F) -> F:
    """``--index N``: only spectrum N (0-based) of a multi-spectrum file."""
    return click.option(
        "--index", type=click.IntRange(min=0), metavar="N", help="Only spectrum N (0-based) of the file."
    )(func)


_PRESET_DEFAULT = " else the tags of the preset named with --circuit (or whose circuit a string has),"


def cell_default_help(circuit: bool) -> str:
    """The one default policy for the cell type (:func:`nakinetics.roles.decide_context`), as a command with
    (``circuit``) or without a ``--circuit`` option applies it."""
    return (
        "Default (as for every command): the file — a potential against a reference electrode (vs Ag/AgCl, vs "
        "SCE, an EC-Lab or VersaStudio reference-electrode entry, EC-Lab's recorded counter-electrode potential) "
        f"or an overpotential column means single —{_PRESET_DEFAULT if circuit else ''} else symmetric "
        "(Na | electrolyte | Na). The report says which and why."
    )


def electrolyte_default_help(circuit: bool) -> str:
    """The one default policy for the electrolyte (:func:`nakinetics.roles.decide_context`)."""
    return (
        "Default: the file (an EC-Lab or VersaStudio electrolyte entry such as '1 M NaPF6 in diglyme'),"
        f"{_PRESET_DEFAULT if circuit else ''} else not known (arcs named by their capacitance)."
    )


def cell_option(help_text: str, *, circuit: bool = False) -> Callable[[F], F]:
    """``--cell symmetric|single`` (default: decided by :func:`nakinetics.roles.decide_context`; ``circuit``:
    the command has a ``--circuit`` option whose preset may decide)."""
    return click.option(
        "--cell", type=click.Choice(["symmetric", "single"]), help=f"{help_text} {cell_default_help(circuit)}"
    )


def electrolyte_option(help_text: str, *, circuit: bool = False) -> Callable[[F], F]:
    """``--electrolyte liquid|solid`` (default: decided by :func:`nakinetics.roles.decide_context`)."""
    return click.option(
        "--electrolyte",
        type=click.Choice(["liquid", "solid"]),
        help=f"{help_text} {electrolyte_default_help(circuit)}",
    )


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


def _output_check(check: Callable[[Any], object]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback that runs ``check`` on a given value (``-`` = stdout is not checked) and names the
    option in the error."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None and str(value) != "-":
            try:
                check(value, created=ctx.params.get(CREATED_FOLDER))
            except OutputError as exc:
                raise OutputError(f"{param.opts[0]} {exc}") from None
        return value

    return callback


CREATED_FOLDER = "out_dir"
"""The parameter of an output folder the command creates (:func:`folder_option`, processed first): output
files directly in it are checked against it, so ``--out run --json run/summary.json`` works on a first run."""
checked_output_path = _output_check(check_output_file)
"""Click callback for any output-file option (``-`` = stdout is not checked)."""
_checked_json_path = checked_output_path
_checked_plot_path = _output_check(
    lambda path, created=None: check_output_file(path, figure=True, created=created)
)
_checked_folder = _output_check(lambda path, created=None: check_output_folder(path))


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
            is_eager=True,  # before the output files that may lie in it
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


class _SizeType(click.ParamType):
    """A size as typed, a number with an optional unit; a bare number beyond what a coin cell or pellet
    can be is accepted with a one-line warning naming the slip (see :class:`AreaType`, :class:`LengthType`)."""

    def parse(self, text: str) -> tuple[float, bool]:
        """(value in the base unit, whether a unit was written); :class:`DataError` if malformed."""
        raise NotImplementedError

    def implausible(self, value: float) -> str | None:
        """Why a bare ``value`` is probably a unit slip, or ``None``."""
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):
            return value
        try:
            size, explicit = self.parse(str(value))
        except DataError as exc:
            self.fail(str(exc), param, ctx)
        why = None if explicit else self.implausible(size)
        if why is not None:
            option = param.opts[0] if param is not None and param.opts else f"--{self.name}"
            click.echo(f"warning: {option} {why}", err=True)
        return size


class AreaType(_SizeType):
    """An electrode area as typed: ``0.785`` (cm²), ``0.785cm2``, ``78.5mm2``, ``78.5 mm²`` → cm².

    A bare number above a coin-cell or pellet area (:data:`~nakinetics.units.PLAUSIBLE_AREA_CM2`) is
    accepted with a one-line warning naming the mm² slip; with a written unit it is taken as meant."""

    name = "area"

    def parse(self, text: str) -> tuple[float, bool]:
        return parse_area(text)

    def implausible(self, value: float) -> str | None:
        return implausible_area(value)


AREA = AreaType()


class LengthType(_SizeType):
    """A pellet thickness or electrode diameter as typed: ``0.162`` (cm), ``0.162cm``, ``1.62mm`` → cm.

    A bare number above a pellet's size (:data:`~nakinetics.units.PLAUSIBLE_LENGTH_CM`) is accepted with a
    one-line warning naming the mm slip; with a written unit it is taken as meant."""

    def __init__(self, what: str) -> None:
        self.name = what

    def parse(self, text: str) -> tuple[float, bool]:
        return parse_length(text)

    def implausible(self, value: float) -> str | None:
        return implausible_length(value, self.name)


def length_option(name: str, help_text: str, *, required: bool = False) -> Callable[[F], F]:
    """``--thickness CM`` / ``--diameter CM``: a pellet length in cm, or with its unit (``1.62mm``); see
    :class:`LengthType`."""

    def decorate(func: F) -> F:
        return click.option(
            name,
            type=LengthType(name.removeprefix("--")),
            required=required,
            metavar="CM",
            help=f"{help_text} A bare number is cm; or give the unit: 1.62mm, 0.162cm.",
        )(func)

    return decorate


def area_option(help_text: str, *, required: bool = False, name: str = "--area") -> Callable[[F], F]:
    """``--area CM2``: an electrode area in cm², or with its unit (``78.5mm2``); see :class:`AreaType`."""

    def decorate(func: F) -> F:
        return click.option(
            name,
            type=AREA,
            required=required,
            metavar="CM2",
            help=f"{help_text} A bare number is cm²; or give the unit: 0.785cm2, 78.5mm2.",
        )(func)

    return decorate


class ConcentrationType(click.ParamType):
    """A concentration as typed: ``1M``, ``1mol/L``, ``50mM``, ``1e-3mol/cm3`` or a bare number →
    (value, unit or None)."""

    name = "concentration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        try:
            number, unit = split_quantity(str(value), "a concentration", "1M, 1mol/L or 1e-3mol/cm3")
            if unit is not None:
                concentration_factor(unit)
        except DataError as exc:
            self.fail(str(exc), param, ctx)
        return number, unit


class ConcentrationUnitType(click.ParamType):
    """A concentration unit (``mol/cm3``, ``mol/L``, ``M``, ``mM``, ...)."""

    name = "unit"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return canonical_concentration_unit(str(value))
        except DataError as exc:
            self.fail(str(exc), param, ctx)


def concentration_options(func: F) -> F:
    """``--conc C`` (required), ``--conc-unit UNIT`` and ``--any-concentration``; resolve them with
    :func:`resolve_concentration`."""
    func = click.option(
        "--any-concentration",
        is_flag=True,
        help="Accept a concentration above 0.08 mol/cm³ (refused otherwise as a molarity typed as mol/cm³).",
    )(func)
    func = click.option(
        "--conc-unit",
        type=ConcentrationUnitType(),
        metavar="UNIT",
        help="Unit of a --conc typed without one: mol/cm3 (default), mol/L (= M), mM.",
    )(func)
    return click.option(
        "--conc",
        type=ConcentrationType(),
        required=True,
        metavar="C",
        help="Concentration of the diffusing species in the phase where it diffuses: 1M, 1mol/L, 50mM, "
        "1e-3mol/cm3, or a number in --conc-unit (mol/cm³).",
    )(func)


def resolve_concentration(
    typed: tuple[float, str | None], unit: str | None, any_concentration: bool, option: str = "--conc"
) -> tuple[float, str]:
    """(value, canonical unit) from a typed concentration and ``--conc-unit``; a usage error naming the
    slip when the units contradict each other or the value is above any real concentration (a molarity
    typed as mol/cm³), unless ``any_concentration``."""
    value, written = typed
    if (
        written is not None
        and unit is not None
        and concentration_factor(written) != concentration_factor(unit)
    ):
        raise click.BadParameter(f"{value:g} {written} contradicts --conc-unit {unit}", param_hint=option)
    actual = canonical_concentration_unit(written or unit or "mol/cm3")
    if not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"{value:g} is not a positive concentration", param_hint=option)
    why = None if any_concentration else implausible_concentration(value, actual)
    if why is not None:
        raise click.BadParameter(f"{why}, or pass --any-concentration if you mean it", param_hint=option)
    return value, actual


def check_frequency_range(fmin: float | None, fmax: float | None) -> None:
    """A usage error when ``fmin >= fmax``."""
    if fmin is not None and fmax is not None and fmin >= fmax:
        raise click.BadParameter(f"--fmin {fmin} must be below --fmax {fmax}", param_hint="--fmin")


class FormatType(click.ParamType):
    """A reader name for data of ``kind``, by the rule the library's ``format=`` uses
    (:func:`~nakinetics.io._formats.format_named`): a format name or a file extension (``mpt``, ``DTA``),
    any case; converted to the format's name."""

    name = "format"

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        fmt = format_named(str(value), self.kind)
        if fmt is None:
            self.fail(unknown_format(str(value), self.kind), param, ctx)
        return fmt.name


def format_option(kind: str = "spectrum", name: str = "--format", what: str = "FILE") -> Callable[[F], F]:
    """``--format NAME``: the reader for ``what`` (names of the formats that hold ``kind`` data, listed
    in ``--help``, or a file extension); default: detected from the file's header and extension."""
    names = format_names(kind)

    def decorate(func: F) -> F:
        return click.option(
            name,
            name.lstrip("-").replace("-", "_"),
            type=FormatType(kind),
            metavar="NAME",
            help=f"Reader for {what} (default: detected from its header). One of: {', '.join(names)}; "
            "or a file extension (mpt, DTA, ...).",
        )(func)

    return decorate


def input_file(file: Path | str) -> Source:
    """The input named on the command line, read once; ``-`` is standard input."""
    return open_source(file, stdin=True)


def eis_index_option(func: F) -> F:
    """``--eis-index N``: which spectrum of a multi-spectrum ``--eis`` file (see :func:`companion_spectrum`)."""
    return click.option(
        "--eis-index",
        type=click.IntRange(min=0),
        metavar="N",
        help="Spectrum N (0-based) of an --eis file that holds several (a GEIS series, EC-Lab loops).",
    )(func)


def companion_spectrum(
    file: Path | str | None, index: int | None, format: str | None = None
) -> Spectrum | None:
    """The one spectrum of an ``--eis`` file, or its ``index``-th (``None`` without a file); a file with
    several and no index, or an index out of range, is a one-line error naming ``--eis-index``
    (``--index`` selects the main input)."""
    if file is None:
        if index is not None:
            raise click.UsageError("--eis-index selects a spectrum of the --eis file; give --eis too")
        return None
    spectra = read_spectra(input_file(file), format=format)
    if index is None and len(spectra) > 1:
        raise DataError(
            f"{file}: the --eis file holds {len(spectra)} spectra; choose one with --eis-index N "
            f"(0..{len(spectra) - 1})"
        )
    if index is not None and index >= len(spectra):
        raise DataError(f"{file}: --eis-index {index} but the file holds {len(spectra)} spectrum(s)")
    return spectra[index or 0]


def selected_spectra(file: Path | str, index: int | None, format: str | None = None) -> list[Spectrum]:
    """Every spectrum of ``file`` (``-`` = standard input), or only the ``index``-th (a one-line error
    when out of range); ``format`` forces a reader."""
    spectra = read_spectra(input_file(file), format=format)
    if index is None:
        return spectra
    if index >= len(spectra):
        raise DataError(f"{file}: --index {index} but the file holds {len(spectra)} spectrum(s)")
    return [spectra[index]]


#: Library wording → command-line wording: (pattern, replacement, option the replacement names).
_CLI_WORDS: tuple[tuple[str, str, str | None], ...] = (
    (r"pass format=NAME to", "use --format NAME to", "format"),
    (r"\bformat=NAME\b", "--format NAME", "format"),
    (r"\bformat=([\w-]+)", r"--format \1", "format"),
    (r"give a window \(fmin/fmax\)", "give a window (--fmin/--fmax)", "fmin"),
    (r"\(fmin/fmax\)", "(--fmin/--fmax)", "fmin"),
    (
        r"fit a circuit with a W/Wo/Ws element",
        "fit a circuit with a W/Wo/Ws element (-c randles_w)",
        "circuit",
    ),
    (r"pass index= \(([^)]*)\) or use read_spectra", r"use --index N (\1) or leave it out for all", "index"),
    (r"pass index= \(([^)]*)\) or use read_(dc|cycling)_records", r"use --index N (\1)", "index"),
    (r"\bindex=(-?\d+)", r"--index \1", "index"),
    (r"pass temperature_unit='K' or 'C'", "pass --temperature-unit K or C", "temperature_unit"),
    (r"pass area_cm2=", "use --area", "area"),
    (r"pass (the real area: )?area_cm2 \(cm²\)", r"pass \1--area (cm²)", "area"),
    (r"pass unidirectional=True", "pass --unidirectional", "unidirectional"),
    (
        r"half_cycle_h is only for (.*) \(leave it out\)",
        r"--half-cycle is only for \1 (leave it out)",
        "half_cycle_text",
    ),
    (r"\barea_cm2=", "--area ", "area"),
    (
        r"(use|read it with) read_spectra",
        r"\1 an impedance command (nakinetics fit, validate, warburg, ...)",
        None,
    ),
    (r"(use|read it with|or) read_dc_records", r"\1 a DC command (nakinetics tafel)", None),
    (r"with read_dc_records", "with a DC command (nakinetics tafel)", None),
    (r"(use|read it with) read_cycling_records", r"\1 nakinetics cycling", None),
    (r"pass area_cm2 \(the --area option\)", "use --area", "area"),
    (r"area_cm2 \(the --area option\)", "--area", "area"),
    (
        r"pass current_a= \([^)]*\) to read it",
        "pass the set current with --current (e.g. --current 0.4mA; --half-cycle 1h if it alternates)",
        "current_text",
    ),
    (
        r"pass current_a= \([^)]*\) to read it",
        "export the current too: this command needs a current column",
        None,
    ),
    (r"with current_a=", "with a current column", None),
    (r"\bcurrent_a=(\S+) A\b", r"--current \1A", "current_text"),
)


def cli_wording(message: str, command: click.Command | None) -> str:
    """Rewrite a library error message for the command line: Python keywords (``format=``, ``index=``,
    ``area_cm2=``) become the options of ``command`` (``--format``, ``--index``, ``--area``) and library
    functions become commands.  A keyword whose option ``command`` lacks is left as it is."""
    options = {param.name for param in command.params} if command is not None else set()
    for pattern, replacement, option in _CLI_WORDS:
        if option is None or option in options:
            message = re.sub(pattern, replacement, message)
    return message


def check_parameter_names(
    fixed: dict[str, float], ties: dict[str, str], models: list[Any], *, requested: bool
) -> None:
    """``--fix``/``--tie`` names against the circuits a run will fit, before any file is read or any output
    written: with one ``requested`` model (``-c``) each name must be one of its parameters; otherwise (the
    automatic candidates) a parameter of at least one of ``models``.  A typo is a usage error (exit 2)
    naming the option, the model's parameters and the closest name."""
    from ..exceptions import NakineticsError, did_you_mean
    from ..parameters import resolve_circuit
    from ..selection import option_names

    circuits = [resolve_circuit(m)[0] for m in models]
    for option, options in (("--fix", {"fixed": fixed}), ("--tie", {"ties": ties})):
        try:
            names = option_names(options)
        except NakineticsError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
        for name in sorted(names):
            if any(c.canonical_name(name) is not None for c in circuits):
                continue
            if requested:
                circuit, model = circuits[0], models[0]
                label = model if isinstance(model, str) else getattr(model, "name", circuit.text)
                raise click.BadParameter(
                    f"'{name}' is not a parameter of {label} "
                    f"(parameters: {', '.join(circuit.parameter_names)}){did_you_mean(name, circuit.parameter_names)}",
                    param_hint=option,
                )
            known = sorted({n for c in circuits for n in c.parameter_names})
            raise click.BadParameter(
                f"'{name}' is not a parameter of any candidate model{did_you_mean(name, known)} (candidates' "
                f"parameters: {', '.join(known)}); name the model with -c",
                param_hint=option,
            )
