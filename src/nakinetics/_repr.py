"""One-line reprs for result objects: what they hold, not every array they carry.

The generated dataclass repr of a result prints each array in full (a DRT result ran to 13,000 characters,
a polarization analysis to 130,000).  :func:`compact_repr` keeps the dataclass layout but shows an array
as its size and range, a number to 4 significant digits, a long text cut short, a long list as its length
and a derived quantity as ``value ± stderr unit``, so ``repr(result)`` in a session or a notebook is one
readable line.  Use it as the class's ``__repr__``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

TEXT = 60
"""Characters of a text field shown before it is cut."""
NESTED = 100
"""A nested object longer than this is shown as ``TypeName(…)``."""


def compact_value(value: Any) -> str:
    """``value`` in a few characters (see the module docstring)."""
    import numpy as np  # here, not at the top: presets (the `circuits` command) use this module

    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, str):
        return repr(value if len(value) <= TEXT else value[: TEXT - 1] + "…")
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, list | tuple):
        if len(value) > 3:
            return f"[{len(value)} items]"
        inner = ", ".join(compact_value(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return f"{{{len(value)} entries}}" if value else "{}"
    if all(hasattr(value, name) for name in ("value", "stderr", "unit", "convention")):  # a DerivedQuantity
        error = "" if value.stderr is None else f" ± {compact_value(value.stderr)}"
        return f"{compact_value(value.value)}{error} {value.unit}".rstrip()
    text = repr(value)
    return text if len(text) <= NESTED and "\n" not in text else f"{type(value).__name__}(…)"


def _array(values: Any) -> str:
    import numpy as np

    if values.size == 0:
        return "array(0 values)"
    if values.ndim > 1:
        return f"array({'×'.join(str(n) for n in values.shape)})"
    if np.iscomplexobj(values) or values.dtype.kind not in "biuf":
        return f"array({values.size} values)"
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size == 0:
        return f"array({values.size} values)"
    return f"array({values.size} values, {finite.min():.4g}…{finite.max():.4g})"


def compact_repr(self: Any) -> str:
    """``TypeName(field=value, …)`` over the dataclass fields shown by repr, in one line; fields that are
    ``None`` or empty are left out."""
    parts = []
    for field in dataclasses.fields(self):
        if not field.repr:
            continue
        value = getattr(self, field.name)
        if value is None or (isinstance(value, list | tuple | dict | str) and not value):
            continue
        parts.append(f"{field.name}={compact_value(value)}")
    return f"{type(self).__name__}({', '.join(parts)})"
