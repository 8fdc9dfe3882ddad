"""The ``nakinetics`` command line: a click group with one module per subcommand.

Library errors (:class:`~nakinetics.exceptions.NakineticsError`) become one line on stderr and exit
code 1; usage errors exit with 2 (click's convention); ``--debug`` shows the traceback instead.

The command line and the processes it starts use one BLAS thread (see :mod:`nakinetics._threads`).
Subcommands are loaded lazily: ``nakinetics --help`` and ``nakinetics fit …`` import only the modules
they run.  A new command is one module here that registers itself with ``@main.command("name")`` plus one
line in :data:`COMMANDS` (tests check that the two agree).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NamedTuple

import click

from .. import __version__
from .._threads import limit_blas_threads
from ..exceptions import NakineticsError


class LazyCommand(NamedTuple):
    """Where a subcommand lives (module under ``nakinetics.cli``) and its one-line summary for the listing."""

    module: str
    summary: str


COMMANDS: dict[str, LazyCommand] = {
    "fit": LazyCommand("fit", "Fit a circuit with no guesses: parameters, ASR, i0, C_eff."),
    "validate": LazyCommand("validate", "Kramers–Kronig test with automatic number of RC elements."),
    "warburg": LazyCommand("warburg", "Warburg coefficient σ and apparent diffusion coefficient D."),
    "conductivity": LazyCommand(
        "conductivity", "Bulk, grain-boundary and total ionic conductivity of a pellet."
    ),
    "arrhenius": LazyCommand("arrhenius", "Activation energies (eV, kJ/mol) of σ, 1/R or i0."),
    "tafel": LazyCommand("tafel", "Exchange current density and α from a polarization sweep."),
    "geis": LazyCommand("geis", "Operando GEIS series: R_int(t) beside U(t), quality, onset."),
    "circuits": LazyCommand("circuits", "List the preset circuits."),
    "simulate": LazyCommand("simulate", "Impedance of a circuit for given parameters, as CSV."),
}
"""Every subcommand: name → module and summary (the order of ``nakinetics --help``)."""


class _Group(click.Group):
    """Click group that loads subcommands on demand and turns library errors into a one-line message
    and exit code 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *sorted(set(self.commands) - set(COMMANDS))]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = COMMANDS.get(cmd_name)
        if lazy is not None and cmd_name not in self.commands:
            importlib.import_module(f"{__name__}.{lazy.module}")  # registers itself with @main.command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command listing from :data:`COMMANDS`, without importing the commands."""
        rows = [(name, lazy.summary) for name, lazy in COMMANDS.items()]
        rows += [
            (name, command.get_short_help_str(formatter.width))
            for name, command in sorted(self.commands.items())
            if name not in COMMANDS and not command.hidden
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        limit_blas_threads()  # before a subcommand imports numpy: one BLAS thread here and in workers
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NakineticsError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            from ._options import cli_wording

            command = self.get_command(ctx, ctx.invoked_subcommand) if ctx.invoked_subcommand else None
            click.echo(f"error: {cli_wording(str(exc), command)}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nakinetics")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Impedance and electrode kinetics for sodium-metal anodes: read instrument files, fit circuits,
    report ASR, i0 and conductivities with their conventions."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


__all__ = ["COMMANDS", "LazyCommand", "main"]
