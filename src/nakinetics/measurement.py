"""What an instrument file says about how the cell was connected, as far as it decides the cell convention.

A potential measured against a reference electrode (``Ewe vs. Ag/AgCl``, ``E (V vs RHE)``, an EC-Lab
``Reference electrode : SCE`` header, a column labelled ``vs Ref``) or given as an overpotential of one
electrode (``Overpotential / V``) comes from a three-electrode measurement of one interface: the cell is
``single``.  A two-electrode cell voltage, a metal reference of the kind a two-electrode Na | Na or Li | Li
cell also writes (``vs Na/Na+``: the counter electrode doubles as the reference) and a file that says
nothing leave the decision to the caller's default.

Readers put what the file says in ``metadata.reference`` (DC records) or ``metadata.extra["reference"]``
(spectra); :func:`cell_from_reference` reads either.
"""

from __future__ import annotations

import re
from typing import Any

CellKind = str

_NOT_A_REFERENCE = {"", "none", "<none>", "unspecified", "unknown", "n/a", "na", "-", "cell voltage", "ecell"}
"""Values that name no reference electrode (EC-Lab writes some of them when none was set)."""
_METAL_REFERENCE = re.compile(
    r"^\s*(na|li|k|mg|zn|ca)\s*/\s*(na|li|k|mg|zn|ca)\s*(\+|⁺|2\+|²⁺)?\s*$", re.IGNORECASE
)
"""``Na/Na+``, ``Li/Li⁺``, ...: a two-electrode metal cell writes these too (the counter is the reference)."""


def reference_of(metadata: Any) -> str | None:
    """The reference the potential is given against, as the file wrote it (``metadata.reference`` of a
    DC record, ``metadata.extra["reference"]`` of a spectrum), or ``None``."""
    written = getattr(metadata, "reference", None)
    if not written:
        extra = getattr(metadata, "extra", None) or {}
        written = extra.get("reference") if isinstance(extra, dict) else None
    return written.strip() if isinstance(written, str) and written.strip() else None


def cell_from_reference(metadata: Any) -> tuple[CellKind, str] | None:
    """``("single", why)`` when ``metadata`` shows a three-electrode measurement of one interface (a
    reference electrode, or an overpotential column); ``None`` when it does not decide (no reference, a
    two-electrode cell voltage, an alkali-metal reference such as Na/Na⁺)."""
    reference = reference_of(metadata)
    if reference is None or reference.strip().lower() in _NOT_A_REFERENCE:
        return None
    if reference.lower().startswith("overpotential"):
        return "single", "an overpotential of one electrode (three-electrode measurement)"
    if _METAL_REFERENCE.match(reference):
        return None
    return "single", f"potential vs {reference} (a reference electrode: three-electrode measurement)"
