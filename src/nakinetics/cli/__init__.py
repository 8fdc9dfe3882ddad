"""The ``nakinetics`` command line: a click group with one module per subcommand.

Library errors (:class:`~nakinetics.exceptions.NakineticsError`) and operating-system errors (a file that
cannot be read) become one line on stderr and exit code 1; usage errors exit with 2 (click's convention);
``--debug`` shows the traceback instead.  Anything else is a bug in nakinetics: it is reported in one line
that says so (exit code 1), with the traceback under ``--debug``.  Python warnings are shown as one
``warning:`` line each.

The command line and the processes it starts use one BLAS thread (see :mod:`nakinetics._threads`).
Subcommands are loaded lazily: ``nakinetics --help`` and ``nakinetics fit …`` import only the modules
they run.  A new command is one module here that registers itself with ``@main.command("name")`` plus one
line in :data:`COMMANDS` (tests check that the two agree).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import click

from .. import __version__
from .._threads import limit_blas_threads
from ..exceptions import NakineticsError
from ._command import CheckedCommand


def one_line(text: str) -> str:
    """``text`` with its lines joined (a message must stay on one line)."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    """Show each Python warning as one ``warning: ...`` line on stderr (no source line, no file path)."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        click.echo(f"warning: {one_line(str(message))} ({category.__name__})", err=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "nakinetics" in f.filename] or frames
    return f" at {Path(own[-1].filename).name}:{own[-1].lineno}" if own else ""


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
    "drt": LazyCommand("drt", "Distribution of relaxation times: γ(τ) with band, processes."),
    "geis": LazyCommand("geis", "Operando GEIS series: R_int(t) beside U(t), quality, onset."),
    "cycling": LazyCommand("cycling", "Plating/stripping: overpotentials, shorts, CCD, CE."),
    "circuits": LazyCommand("circuits", "List the preset circuits."),
    "simulate": LazyCommand("simulate", "Impedance of a circuit for given parameters, as CSV."),
}
"""Every subcommand: name → module and summary (the order of ``nakinetics --help``)."""


def _debug(ctx: click.Context) -> bool:
    """Whether ``--debug`` was given (known once the group's callback has run)."""
    return bool(ctx.obj and ctx.obj.get("debug"))


class _Group(click.Group):
    """Click group that loads subcommands on demand and turns errors into a one-line message and exit
    code 1 (see the module docstring)."""

    command_class = CheckedCommand

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
            with _one_line_warnings():
                return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except NakineticsError as exc:
            if _debug(ctx):
                raise
            from ._options import cli_wording

            command = self.get_command(ctx, ctx.invoked_subcommand) if ctx.invoked_subcommand else None
            click.echo(f"error: {one_line(cli_wording(str(exc), command))}", err=True)
        except OSError as exc:
            if _debug(ctx):
                raise
            name = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {name}{one_line(exc.strerror or str(exc))}", err=True)
        except MemoryError:
            if _debug(ctx):
                raise
            click.echo("error: out of memory: the input is too large for this machine", err=True)
        except Exception as exc:
            if _debug(ctx):
                raise
            click.echo(
                f"error: internal error ({type(exc).__name__}: {one_line(str(exc))[:300]}{_where(exc)}); "
                "this is a bug in nakinetics, please report it with the output of `nakinetics --debug ...`",
                err=True,
            )
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
