"""The ``nakinetics`` command line: a click group with one module per subcommand.

Library errors (:class:`~nakinetics.exceptions.NakineticsError`) and operating-system errors (a file that
cannot be read) become one line on stderr and exit code 1; usage errors exit with 2 (click's convention);
``--debug`` shows the traceback instead.  Anything else is a bug in nakinetics: it is reported in one line
that says so (exit code 1), with the traceback under ``--debug``.  Python warnings are shown as one
``warning:`` line each.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..exceptions import NakineticsError
from ._options import CheckedCommand


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


class _Group(click.Group):
    """Click group that turns errors into a one-line message and exit code 1 (see the module docstring)."""

    command_class = CheckedCommand

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.obj and ctx.obj.get("debug"))
        try:
            with _one_line_warnings():
                return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except NakineticsError as exc:
            if debug:
                raise
            click.echo(f"error: {one_line(str(exc))}", err=True)
        except OSError as exc:
            if debug:
                raise
            name = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {name}{one_line(exc.strerror or str(exc))}", err=True)
        except MemoryError:
            if debug:
                raise
            click.echo("error: out of memory: the input is too large for this machine", err=True)
        except Exception as exc:
            if debug:
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


from . import arrhenius as _arrhenius
from . import circuits as _circuits
from . import conductivity as _conductivity
from . import fit as _fit
from . import geis as _geis
from . import tafel as _tafel
from . import validate as _validate
from . import warburg as _warburg

__all__ = ["main"]
del _circuits, _fit, _geis, _validate, _warburg, _conductivity, _arrhenius, _tafel
