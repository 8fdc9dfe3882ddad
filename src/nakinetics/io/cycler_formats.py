"""The cycler file formats (catalogue entries): Neware ``.nda``/``.ndax``, Maccor, Arbin and LAND text
exports (cycler ``.xlsx`` files are read through the spreadsheet format's cycling reader).  Their readers are in :mod:`.cycler_tables` and :mod:`.cycling_readers`."""

from __future__ import annotations

from ._registry import FileFormat
from .cycler_tables import read_cycler_text, split_name
from .cycling_readers import read_neware


def _has_header(head_lines: list[str], *keys: str) -> bool:
    """A header line (within the first lines) naming all ``keys`` (normalised column names)."""
    for line in head_lines:
        names = {split_name(f)[0] for f in line.replace(";", "\t").replace(",", "\t").split("\t")}
        if set(keys) <= names:
            return True
    return False


NEWARE_NDA = FileFormat(
    name="neware-nda",
    title="Neware BTS binary (.nda)",
    extensions=(".nda",),
    signature=lambda head: head.raw.startswith(b"NEWARE"),
    readers={"cycling": read_neware},
    metadata="cycle, step, status (rest/CC/CV), signed current; needs the optional NewareNDA",
    tested_with="BTS 9.1 .nda (NewareNDA 2026.6.11)",
)
NEWARE_NDAX = FileFormat(
    name="neware-ndax",
    title="Neware BTS zip archive (.ndax)",
    extensions=(".ndax",),
    signature=lambda head: head.raw.startswith(b"PK") and head.suffix == ".ndax",
    readers={"cycling": read_neware},
    metadata="cycle, step, status (rest/CC/CV), signed current; needs the optional NewareNDA",
    tested_with="BTS 8.5 .ndax (NewareNDA 2026.6.11)",
)
MACCOR = FileFormat(
    name="maccor",
    title="Maccor text export",
    signature=lambda head: (
        _has_header(head.lines, "rec", "md", "voltage")
        or _has_header(head.lines, "rec", "cyc", "state", "volts")
    ),
    readers={"cycling": read_cycler_text},
    metadata="unsigned current with its sign from Md or State (C/D/R); TestTime unit from the DPT Time clock",
    tested_with="Maccor #4 export (cellpy maccor_002.txt); MIMS 'Today's Date' export (Rec#, Cyc#, Test (Min), Amps, "
    "Volts, State)",
)
ARBIN = FileFormat(
    name="arbin",
    title="Arbin CSV export",
    signature=lambda head: _has_header(head.lines, "testtime", "stepindex", "cycleindex", "current"),
    readers={"cycling": read_cycler_text},
    metadata="Test_Time, Step_Index, Cycle_Index, signed current (charge +); SI units",
    tested_with="Arbin CSV with the column set BEEP reads (battery-data-toolkit arbin_example.csv)",
)
LAND = FileFormat(
    name="land",
    title="LAND/LANHE text or CSV export",
    signature=lambda head: (
        _has_header(head.lines, "specap")
        or _has_header(head.lines, "testtime", "steptime", "state")
        or _has_header(head.lines, "record", "testtime", "state")
    ),
    readers={"cycling": read_cycler_text},
    metadata="Record, Cycle, Step, TestTime, Voltage/V, Current/mA, State (C_CC/D_CC/C_CV/R)",
    tested_with="documented LANDdt column layout (no public sample file)",
)
#: Cycler formats this module adds to the catalogue (before the generic ``csv``).
#: LAND before Arbin: a LAND export also names TestTime, Step-Index and Cycle-Index.
CYCLER_FORMATS: tuple[FileFormat, ...] = (NEWARE_NDA, NEWARE_NDAX, MACCOR, LAND, ARBIN)
