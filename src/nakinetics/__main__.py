"""``python -m nakinetics`` runs the command line."""

from .cli import main

main()
