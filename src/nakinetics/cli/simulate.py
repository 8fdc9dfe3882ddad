"""``nakinetics simulate``: the impedance of a circuit for given parameter values, as CSV."""

from __future__ import annotations

import math
from pathlib import Path

import click
import numpy as np

from .._checks import FREQUENCY_RANGE_HZ
from ..synthetic import simulate
from . import main
from ._csv import write_columns
from ._options import check_frequency_range, frequency_options
from ._output import parse_assignments

DEFAULT_FMIN_HZ = 0.01
DEFAULT_FMAX_HZ = 1e6
MAX_POINTS = 100_000
"""Most points written (100,000 rows are already ~8 MB of CSV, far more than any instrument measures; a typo in --ppd must not ask for more)."""


def _values(text: str) -> list[float]:
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(
            f"expected numbers separated by commas, got '{text}'", param_hint="--values"
        ) from None


def _outside_fit_range(circuit: str, values: dict[str, float]) -> list[str]:
    """Parameters outside the range of their element (CPE n > 1, a negative R, ...): allowed here, but
    `nakinetics fit` searches only inside it, so a fit of the written spectrum cannot return them."""
    from ..circuit import Circuit

    notes = []
    for info in Circuit(circuit).parameters:
        value, spec = values[info.name], info.spec
        if not spec.min <= value <= spec.max:
            unit = f" {spec.unit}" if spec.unit else ""
            notes.append(
                f"{info.name} = {value:g}{unit} is outside the range of its element ({spec.min:g} to "
                f"{spec.max:g}{unit}; {spec.description}): `nakinetics fit` searches only inside it"
            )
    return notes


@main.command("simulate")
@click.argument("circuit")
@click.option(
    "--param",
    "-p",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter value (repeatable), e.g. -p R0=10 -p CPE1_Q=1e-5 (impedance.py names such as CPE1_0 too).",
)
@click.option(
    "--values", metavar="V1,V2,...", help="All parameter values in impedance.py's order instead of --param."
)
@frequency_options("Lowest frequency (default 0.01 Hz).", "Highest frequency (default 1 MHz).")
@click.option(
    "--ppd",
    type=click.IntRange(min=1, max=MAX_POINTS),
    default=10,
    show_default=True,
    metavar="N",
    help="Points per decade (log-spaced, high to low frequency as instruments sweep).",
)
@click.option(
    "--noise",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="FRACTION",
    help="Proportional complex Gaussian noise, e.g. 0.01 = 1 % of Z' and of Z''.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed of the noise."
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="CSV file to write (columns frequency/Hz, Z'/Ohm, Z''/Ohm, |Z|/Ohm, phase/deg); default: stdout.",
)
def simulate_command(
    circuit: str,
    param: tuple[str, ...],
    values: str | None,
    fmin: float | None,
    fmax: float | None,
    ppd: int,
    noise: float,
    seed: int,
    out: Path | None,
) -> None:
    """Simulate CIRCUIT (a circuit string such as 'R0-p(R1,CPE1)' or a preset name) and write the
    spectrum as CSV, which `nakinetics fit` reads back. Z'' < 0 is capacitive."""
    if param and values:
        raise click.UsageError("give --param NAME=VALUE or --values, not both")
    if not param and not values:
        raise click.UsageError("give the parameter values with --param NAME=VALUE ... or --values V1,V2,...")
    fmin, fmax = fmin or DEFAULT_FMIN_HZ, fmax or DEFAULT_FMAX_HZ
    check_frequency_range(fmin, fmax)
    low, high = FREQUENCY_RANGE_HZ
    for name, value in (("--fmin", fmin), ("--fmax", fmax)):
        if not low <= value <= high:
            raise click.BadParameter(
                f"{value:g} Hz is outside {low:g}–{high:g} Hz, the frequencies `nakinetics fit` accepts "
                "(a spectrum it would refuse to read back)",
                param_hint=name,
            )
    parameters = parse_assignments(param, "--param") if param else _values(values or "")
    decades = math.log10(fmax) - math.log10(fmin)  # not of fmax/fmin: 1e300/1e-300 overflows
    n_points = max(round(decades * ppd) + 1, 2)
    if n_points > MAX_POINTS:
        raise click.BadParameter(
            f"{ppd} points per decade over {decades:.3g} decades make {n_points:,} points; at most "
            f"{MAX_POINTS:,}",
            param_hint="--ppd",
        )
    frequency = np.geomspace(fmax, fmin, n_points)
    spectrum = simulate(
        circuit, parameters, frequency, noise=noise, rng=np.random.default_rng(seed) if noise else None
    )
    for note in _outside_fit_range(spectrum.metadata.extra["circuit"], spectrum.metadata.extra["parameters"]):
        click.echo(f"warning: {note}", err=True)
    columns = {
        "frequency/Hz": spectrum.frequency,
        "Z'/Ohm": spectrum.real,
        "Z''/Ohm": spectrum.imag,
        "|Z|/Ohm": spectrum.modulus,
        "phase/deg": spectrum.phase_deg,
    }
    write_columns(columns, out if out is not None else "-")
    if out is not None:
        click.echo(
            f"{spectrum.metadata.extra['circuit']}: {n_points} points, {fmin:g}–{fmax:g} Hz → {out}", err=True
        )
