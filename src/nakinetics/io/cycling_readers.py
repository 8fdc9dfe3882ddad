"""Cycling readers for formats whose spectrum/DC readers live elsewhere: BioLogic GCPL/CP (``.mpt``, and
``.mpr`` through the optional galvani), CH Instruments chronopotentiometry text, and Neware ``.nda`` /
``.ndax`` (through the optional NewareNDA, BSD-3).

* BioLogic: ``mode`` (1 constant current, 2 constant voltage, 3 rest), ``Ns`` (step), ``cycle number``;
  the current is ``I/mA`` or ``<I>/mA``; a GCPL ``.mpr`` without a measured current uses the set current
  ``control/V/mA`` in constant-current points, zero at rest, and dq/dt in constant-voltage points.  EC-Lab
  writes anodic current positive.
* CHI chronopotentiometry: the export has ``Time/sec, Potential/V`` only; the current is rebuilt from the
  header (``Cathodic/Anodic Current (A)``, ``Cathodic/Anodic Time (sec)``, ``Initial Polarity``): segments
  alternate from the initial polarity (cathodic = negative).  With ``Current Switching Priority = Potential``
  the segment times are unknown: the magnitude is kept and the analysis takes the sign from the voltage.
* Neware (NewareNDA): ``Current(mA)`` signed (discharge negative), ``Status`` (``CC_Chg``, ``CC_DChg``,
  ``CV_Chg``, ``Rest``, ...) marks rest and constant-voltage steps; the test time is taken from the
  ``Timestamp`` column (the ``Time`` column restarts at every step).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..data import MODE_CC, MODE_CV, MODE_REST, MODE_UNKNOWN, CyclingRecord
from ._common import fail, header_float, key_values
from ._dc import AS_WRITTEN, DCOptions, make_record
from ._mpr_settings import device_name, settings_area_cm2
from ._source import Source
from .biologic import header_metadata as mpt_header_metadata
from .biologic import reference_electrode as mpt_reference_electrode
from .chi import parse_chi_date
from .cycler_tables import _STATES, cycling_record, table_record, text_table

_BIOLOGIC_MODES = np.array([MODE_UNKNOWN, MODE_CC, MODE_CV, MODE_REST], dtype=np.int8)


def read_mpt_cycling(source: Source, options: DCOptions) -> list[CyclingRecord]:
    """EC-Lab ``.mpt`` text export of GCPL, CP or any DC technique with time, Ewe and I (one record)."""
    lines = source.lines
    n_header = header_float(lines[1].partition(":")[2]) if len(lines) > 1 else None
    if n_header is None or not 2 <= n_header <= len(lines):
        raise fail(source, "expected 'Nb header lines : N' with N within the file", 2)
    header = int(n_header) - 1
    table = text_table(source, lines, header)
    names = [n.strip() for n in table.names]
    info = key_values(lines[:header], " : ")
    area = header_float(info.get("Electrode surface area"))
    technique = next((ln.strip() for ln in lines[2:8] if ln.strip()), "")
    extra = {"technique_line": technique, "acquisition_started_on": info.get("Acquisition started on")}
    fields, _ = mpt_header_metadata(lines[:header])
    record = table_record(
        source, table, options, fmt="biologic-mpt", instrument=fields["instrument"] or "BioLogic", extra=extra
    )
    mode = None
    if "mode" in names:
        codes = table.numbers(table_column(names, "mode")).astype(np.int64)
        mode = _BIOLOGIC_MODES[np.clip(codes, 0, 3)]
    meta = record.metadata
    if area is not None and options.area_cm2 is None:
        meta = dataclasses.replace(meta, area_cm2=area)
    start = fields["start_time"]  # EC-Lab counts time/s from "Acquisition started on"
    if start is not None and record.time_s is not None and record.time_s.size:
        start = start + timedelta(seconds=float(record.time_s[0]))
    ece = next((name for name in ("Ece/V", "<Ece>/V") if name in names), None)
    reference = mpt_reference_electrode(info, {ece: table.numbers(table_column(names, ece))} if ece else None)
    if not any(name.startswith("Ecell") for name in names) and reference is not None:
        meta = dataclasses.replace(meta, reference=reference)
    meta = dataclasses.replace(meta, start_time=start)
    return [dataclasses.replace(record, mode=mode, metadata=meta)]


def table_column(names: list[str], name: str) -> Any:
    from .cycler_tables import Column

    return Column(names.index(name), name, None)


def read_mpr_cycling(source: Source, options: DCOptions) -> list[CyclingRecord]:
    """EC-Lab ``.mpr`` (GCPL, CP, ...) through galvani (optional, GPL-3; imported here only)."""
    try:
        from galvani import BioLogic  # optional GPL-3 dependency, imported lazily
    except ImportError:
        raise fail(
            source,
            'reading BioLogic .mpr files needs the optional package galvani: pip install "nakinetics[mpr]"',
        ) from None
    mpr = BioLogic.MPRfile(source.stream())
    data = mpr.data
    names = set(data.dtype.names)
    if "freq/Hz" in names:
        raise fail(
            source, "this .mpr holds impedance spectra (freq/Hz), not a cycling record; use read_spectra"
        )
    potential_name = next((n for n in ("Ewe/V", "Ecell/V", "<Ewe>/V") if n in names), None)
    if potential_name is None or "time/s" not in names:
        raise fail(source, f"no time/s and Ewe/V columns (found {', '.join(sorted(names))})")
    time = np.asarray(data["time/s"], dtype=float)
    mode = None
    if "flags" in names:
        mode = _BIOLOGIC_MODES[np.asarray(data["flags"], dtype=np.int64) & 3]
    current_name = next((n for n in ("I/mA", "<I>/mA") if n in names), None)
    if current_name is not None:
        current = np.asarray(data[current_name], dtype=float) * 1e-3
        source_note = f"file ({current_name})"
    elif "control/V/mA" in names and mode is not None:
        control = np.asarray(data["control/V/mA"], dtype=float) * 1e-3
        current = np.where(mode == MODE_CC, control, 0.0)
        charge = next((n for n in ("(Q-Qo)/mA.h", "Q charge/discharge/mA.h") if n in names), None)
        cv = mode == MODE_CV
        if cv.any() and charge is not None:
            q = np.asarray(data[charge], dtype=float) * 3.6  # A s
            current[cv] = np.gradient(q, time)[cv]
        source_note = "set current control/V/mA in constant-current points (no measured I in the file)"
    else:
        raise fail(
            source,
            f"no current column (I/mA, <I>/mA or control/V/mA with flags; found {', '.join(sorted(names))})",
        )
    settings = next((m["data"] for m in mpr.modules if m["shortname"].strip() == b"VMP Set"), b"")
    device = device_name(settings)
    step = np.asarray(data["Ns"], dtype=np.int64) if "Ns" in names else None
    cycle = np.asarray(data["cycle number"], dtype=np.int64) if "cycle number" in names else None
    extra = {
        "current_source": "file",
        "current_column": source_note,
        "current_convention": AS_WRITTEN,
        "reader": "galvani",
    }
    base = make_record(
        source.path or source.name,  # type: ignore[arg-type]
        "biologic-mpr",
        np.asarray(data[potential_name], dtype=float),
        current,
        options=options,
        time=time,
        cycle=None if cycle is None else cycle - cycle.min(),
        extra=extra,
        technique="CP",
        instrument=f"BioLogic {device}" if device else "BioLogic",
        reference="cell voltage",
        start_time=getattr(mpr, "timestamp", None),
    )
    area = settings_area_cm2(settings)
    if area is not None and options.area_cm2 is None:  # as the .mpt reader: the file's area unless given
        base = dataclasses.replace(base, metadata=dataclasses.replace(base.metadata, area_cm2=area))
    return [cycling_record(base, step, mode)]


_SIDES = ("Cathodic", "Anodic")


def _first(params: dict[str, str], *keys: str) -> str | None:
    """The value of the first of ``keys`` the header has (CHI versions word some keys differently)."""
    return next((params[k] for k in keys if k in params), None)


def read_chi_cycling(source: Source, options: DCOptions) -> list[CyclingRecord]:
    """CH Instruments chronopotentiometry export: current rebuilt from the header (module docstring)."""
    lines = source.lines
    technique = lines[1].strip() if len(lines) > 1 else ""
    if technique != "Chronopotentiometry":
        raise fail(
            source,
            f"CHI technique {technique!r}; cycling records are read from 'Chronopotentiometry' exports",
            2,
        )
    header = next((k for k, ln in enumerate(lines) if ln.strip().startswith("Time/sec")), None)
    if header is None:
        raise fail(source, "no column header 'Time/sec, Potential/V'")
    params = key_values(lines[2:header], " = ")
    table = text_table(source, lines, header)
    time = table.numbers(table_column([n.strip() for n in table.names], "Time/sec"))
    potential = table.numbers(table_column([n.strip() for n in table.names], "Potential/V"))
    i_c, i_a = (
        header_float(params.get("Cathodic Current (A)")),
        header_float(params.get("Anodic Current (A)")),
    )
    t_c, t_a = (header_float(_first(params, f"{side} Time (sec)", f"{side} Time (s)")) for side in _SIDES)
    polarity = (_first(params, "Initial Polarity") or "Cathodic").strip().lower()
    if "Initial Polarity" not in params and params.get("Init P/N", "").strip() in ("P", "N"):
        polarity = {"P": "anodic", "N": "cathodic"}[params["Init P/N"].strip()]  # older CHI wording
    priority = (params.get("Current Switching Priority") or "Time").strip().lower()
    if i_c is None and i_a is None:
        if options.current_a is None:
            raise fail(
                source, "no 'Cathodic/Anodic Current (A)' in the header and no current given (--current)"
            )
        i_c = i_a = abs(options.current_a)
    i_c, i_a = abs(i_c if i_c is not None else i_a), abs(i_a if i_a is not None else i_c)  # type: ignore[arg-type]
    extra: dict[str, Any] = {
        "chi_technique": technique,
        "initial_polarity": polarity,
        "switching_priority": priority,
    }
    if priority.startswith("time") and t_c and t_a:
        first_cathodic = polarity.startswith("cath")
        period = t_c + t_a
        phase = np.mod(time - time[0], period)
        first_len = t_c if first_cathodic else t_a
        in_first = phase < first_len
        cathodic = in_first if first_cathodic else ~in_first
        current = np.where(cathodic, -i_c, i_a)
        extra["current_source"] = "file"
        extra["current_convention"] = "rebuilt from the CHI header (cathodic negative, anodic positive)"
    else:
        current = np.full(time.size, max(i_c, i_a))
        extra["current_source"] = "given"
        extra["current_convention"] = (
            "magnitude from the CHI header; sign from the voltage (potential switching)"
        )
    base = make_record(
        source.path or source.name,  # type: ignore[arg-type]
        "chi",
        potential,
        current,
        options=dataclasses.replace(options, current_a=None),
        time=time,
        extra=extra,
        technique="CP",
        instrument=key_values(lines[2:header], ":").get("Instrument Model") or "CH Instruments",
        reference="cell voltage",
        start_time=parse_chi_date(lines[0]),
    )
    return [cycling_record(base, None, None)]


def read_neware(source: Source, options: DCOptions) -> list[CyclingRecord]:
    """Neware ``.nda``/``.ndax`` through NewareNDA (optional, BSD-3; imported here only)."""
    try:
        import NewareNDA  # optional dependency, imported lazily
    except ImportError:
        raise fail(
            source,
            'reading Neware .nda/.ndax files needs the optional package NewareNDA: pip install "nakinetics[neware]"',
        ) from None
    # NewareNDA picks its parser by the extension and logs its errors to stderr (besides raising them):
    # a file detected as Neware by its content but named otherwise goes through a copy with the right
    # extension, and the library's log is muted (its failures reach the user as one FileFormatError).
    suffix = ".ndax" if source.raw.startswith(b"PK") else ".nda"
    log = logging.getLogger("newarenda")
    muted = log.disabled
    log.disabled = True
    try:
        with warnings.catch_warnings():  # NewareNDA's pandas deprecation notices are not the user's concern
            warnings.simplefilter("ignore")
            if source.path is not None and source.suffix == suffix:
                frame = NewareNDA.read(str(source.path))
            else:  # standard input, or another extension: NewareNDA reads .nda/.ndax paths only
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / f"input{suffix}"
                    path.write_bytes(source.raw)
                    frame = NewareNDA.read(os.fspath(path))
    finally:
        log.disabled = muted
    if len(frame) == 0:
        raise fail(source, "no data records")
    stamps = frame["Timestamp"]
    time = (stamps - stamps.iloc[0]).dt.total_seconds().to_numpy(dtype=float)
    if np.any(np.diff(time) < 0):  # clock adjusted during the test: rebuild from the per-step time
        step_time = frame["Time"].to_numpy(dtype=float)
        new = np.r_[True, np.diff(frame["Step"].to_numpy()) != 0]
        time = np.cumsum(np.where(new, step_time, np.diff(step_time, prepend=0.0)))
    status = frame["Status"].astype(str).str.lower().to_numpy()
    unique, inverse = np.unique(status, return_inverse=True)
    modes = np.array([_STATES.get(str(u), (0, MODE_UNKNOWN))[1] for u in unique], dtype=np.int8)
    extra = {
        "current_source": "file",
        "current_convention": "signed in the file (charge +, discharge −)",
        "reader": "NewareNDA",
        "status_codes": [str(u) for u in unique],
    }
    base = make_record(
        source.path or source.name,  # type: ignore[arg-type]
        "neware",
        frame["Voltage"].to_numpy(dtype=float),
        frame["Current(mA)"].to_numpy(dtype=float) * 1e-3,
        options=options,
        time=time,
        cycle=frame["Cycle"].to_numpy(dtype=np.int64) - int(frame["Cycle"].min()),
        extra=extra,
        technique="CP",
        instrument="Neware BTS",
        reference="cell voltage",
    )
    return [cycling_record(base, frame["Step"].to_numpy(dtype=np.int64), modes[inverse])]
