"""pandas only when a table is asked for: one place that imports it and says how to install it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .exceptions import MissingDependencyError


def require(module: str, extra: str, purpose: str) -> Any:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"{purpose} needs {module.split('.')[0]}, which is not installed: pip install 'nakinetics[{extra}]'"
        ) from None


def dataframe(
    columns: Mapping[str, Any] | list[Mapping[str, Any]], attrs: Mapping[str, Any] | None = None
) -> Any:
    """A pandas DataFrame from columns (a mapping of equal-length arrays) or rows (a list of mappings)."""
    pandas = require("pandas", "pandas", "to_dataframe()")
    frame = pandas.DataFrame(columns if isinstance(columns, list) else dict(columns))
    if attrs:
        frame.attrs.update(attrs)
    return frame
