"""The ``nakinetics`` command line: a click group with one module per subcommand.

Library errors (:class:`~nakinetics.exceptions.NakineticsError`) become one line on stderr and exit
code 1; usage errors exit with 2 (click's convention); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..exceptions import NakineticsError


class _Group(click.Group):
    """Click group that turns library errors into a one-line message and exit code 1."""

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
