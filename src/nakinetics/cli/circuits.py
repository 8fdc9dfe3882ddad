"""``nakinetics circuits``: list the preset circuits."""

from __future__ import annotations

import textwrap

import click

from ..presets import list_presets
from . import main


@main.command("circuits")
@click.option("--verbose", "-v", is_flag=True, help="Also print descriptions, roles and parameters.")
def circuits_command(verbose: bool) -> None:
    """List the preset circuits (use a name with `nakinetics fit --circuit NAME`)."""
    presets = list_presets()
    width = max(len(p.name) for p in presets)
    circuit_width = max(len(p.circuit.text) for p in presets)
    for preset in presets:
        auto = "  [auto]" if "general" in preset.tags else ""
        click.echo(
            f"{preset.name.ljust(width)}  {preset.circuit.text.ljust(circuit_width)}  {preset.title}{auto}"
        )
        if verbose:
            body = textwrap.fill(preset.description, 96, initial_indent="    ", subsequent_indent="    ")
            named = {e.label for e in preset.circuit.elements} - set(preset.roles)
            roles = ", ".join(f"{label}={role}" for label, role in preset.roles.items())
            if named:
                rest = ", ".join(sorted(named))
                roles = (
                    f"{roles}; {rest} from structure and capacitance"
                    if roles
                    else f"{rest} from structure and capacitance"
                )
            click.echo(
                f"{body}\n    roles: {roles}\n    parameters: {', '.join(preset.circuit.parameter_names)}\n"
            )
    click.echo("\n[auto] = candidate when `fit` chooses the model itself (no --circuit).")
    click.echo("[NAME_leads] = every preset with a series lead inductance L0 in front.")
    click.echo("[strings] a circuit string with a preset's structure is fitted as that preset.")
