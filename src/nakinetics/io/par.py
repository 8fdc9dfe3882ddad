"""Princeton Applied Research / AMETEK software exports: Parstat text, VersaStudio ``.par``, PowerSuite text.

* **Parstat** (tab text): ``Potential (V)  Current (A)  Elapsed Time (s)  Frequency (Hz)  Zre (ohms)
  Zim (ohms)  |Vac| (V)  |Iac| (A)``.  Rows with ``Frequency = 0`` are DC rest/hold records, not
  impedance points, and are dropped (their number is kept in ``extra``).  The DC level is the mean of the
  measured potential and current over the impedance rows.
* **VersaStudio** ``.par``: INI/XML-like sections; ``<SegmentN>`` holds ``Definition=`` (column names) and
  comma rows.  Columns are found by name (``Frequency(Hz)``, ``Z Real``, ``Z Imag``, ``Elapsed Time(s)``).
  Each segment with impedance columns is one spectrum.  The ``Z`` in ``.par`` is what VersaStudio calls
  "un-calibrated" (impedance.py issue #284).
* **PowerSuite** (tab text): ``Frequency  Zre  Zimg``.

All three store Z'' signed (capacitive < 0).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from .._typing import ComplexArray, FloatArray
from ..data import DCRecord, DCTechnique, Spectrum
from ._common import (
    Table,
    fail,
    header_float,
    make_spectrum,
    numeric_rows,
    parse_datetime,
    read_lines,
    rescale,
    split_on,
    technique_from_control,
    to_complex,
    unit_scale,
)
from ._dc import AS_WRITTEN, DCOptions, make_record, scan_rate_scale
from ._registry import FileFormat

FORMAT_PARSTAT = "parstat"
FORMAT_VERSASTUDIO = "versastudio"
FORMAT_POWERSUITE = "powersuite"
_SECTION = re.compile(r"^<(\w+)>\s*$")


def _tab_table(path: Path, freq: str, real: str, imag: str) -> tuple[Table, FloatArray, ComplexArray]:
    """Header line + tab-separated rows → (table, f in Hz, Z in Ω) with the named columns."""
    lines = read_lines(path)
    names = [name.strip() for name in lines[0].split("\t")]
    table = numeric_rows(path, lines, 1, split=split_on("\t"), min_fields=3, names=names)
    return table, table.column(path, freq), to_complex(table.column(path, real), table.column(path, imag))


def read_parstat(path: Path) -> list[Spectrum]:
    """Read a Parstat tab-separated export, dropping the freq = 0 DC rows (one spectrum)."""
    table, f, z = _tab_table(path, "Frequency (Hz)", "Zre (ohms)", "Zim (ohms)")
    keep = f != 0
    if not keep.any():
        raise fail(path, "every row has Frequency (Hz) = 0 (DC records only); expected impedance rows")
    table = table.select(keep)
    potential = table.column(path, "Potential (V)", required=False)
    current = table.column(path, "Current (A)", required=False)
    extra = {"dropped_dc_rows": int((~keep).sum()), "dc_level": "mean of measured Potential/Current"}
    return [
        make_spectrum(
            path,
            FORMAT_PARSTAT,
            f[keep],
            z[keep],
            lines=table.lines,
            times=table.column(path, "Elapsed Time (s)", required=False),
            extra=extra,
            instrument="Princeton Applied Research PARSTAT",
            dc_potential_v=None if potential is None else float(np.mean(potential)),
            dc_current_a=None if current is None else float(np.mean(current)),
        )
    ]


def read_powersuite(path: Path) -> list[Spectrum]:
    """Read a PowerSuite ``Frequency Zre Zimg`` tab export (one spectrum)."""
    table, f, z = _tab_table(path, "Frequency", "Zre", "Zimg")
    instrument = "Princeton Applied Research PowerSuite"
    return [make_spectrum(path, FORMAT_POWERSUITE, f, z, lines=table.lines, instrument=instrument)]


def _sections(lines: list[str]) -> list[tuple[str, int, int]]:
    """``<Name>`` … ``</Name>`` blocks → (name, first line index inside, end index)."""
    out = []
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            name = match.group(1)
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == f"</{name}>"), len(lines))
            out.append((name, i + 1, end))
    return out


def _keys(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep:
            out.setdefault(key.strip(), value.strip())
    return out


def _reference_electrode(text: str | None) -> str | None:
    """VersaStudio's ``Reference Electrode=Ag/AgCl (0.197 Volts)`` → ``"Ag/AgCl"``; ``None`` when it is
    ``(unspecified)`` (the default, also for two-electrode cells) or absent."""
    name = re.sub(r"\s*\([-+0-9.eE]+\s*Volts?\)\s*$", "", text or "").strip()
    return None if name.strip("()").strip().lower() in {"", "unspecified", "none"} else name


def _action_metadata(action: dict[str, str]) -> dict[str, Any]:
    """Technique, amplitude and DC level from a VersaStudio EIS ``<ActionN>``."""
    technique = technique_from_control(action.get("Name"), "Potentiostatic", "Galvanostatic")
    fields: dict[str, Any] = {"technique": technique}
    for key, value in action.items():
        unit = re.match(r"^Amplitude \((\w+)", key)
        amplitude = header_float(value)
        if unit and amplitude is not None:
            for quantity, field in (("v", "ac_amplitude_v"), ("a", "ac_amplitude_a")):
                scale = unit_scale(unit.group(1), quantity)
                if scale is not None:
                    fields[field] = rescale(amplitude, scale)
    if (
        action.get("Potential (V),Versus") == "vs Ref"
    ):  # "vs OC" set-points are relative: not an absolute level
        fields["dc_potential_v"] = header_float(action.get("Potential (V),Value"))
    if technique == "GEIS":
        fields["dc_current_a"] = header_float(action.get("Current (A),Value"))
    return fields


def _impedance_segments(
    lines: list[str], sections: list[tuple[str, int, int]]
) -> list[tuple[str, int, int, list[str]]]:
    """The ``<SegmentN>`` blocks (see :func:`_segments`) whose columns include ``Frequency(Hz)``, ``Z Real``
    and ``Z Imag``."""
    return [seg for seg in _segments(lines, sections) if {"Frequency(Hz)", "Z Real", "Z Imag"} <= set(seg[3])]


def _model(instrument: dict[str, str]) -> str:
    """``Type=VersaSTAT4`` + ``Model=-400`` → ``"VersaSTAT4-400"``; a Model that repeats the Type once."""
    kind, model = instrument.get("Type", "").strip(), instrument.get("Model", "").strip()
    return kind if model == kind else f"{kind}{model}"


def _start_time(experiment: dict[str, str]) -> datetime | None:
    """``DateAcquired=Thursday, June 12, 2025`` + ``TimeAcquired=10:41:31 AM`` → datetime."""
    return parse_datetime(
        f"{experiment.get('DateAcquired', '')} {experiment.get('TimeAcquired', '')}",
        ("%A, %B %d, %Y %I:%M:%S %p", "%A, %B %d, %Y %H:%M:%S"),
    )


def read_versastudio(path: Path) -> list[Spectrum]:
    """Read the impedance segments of a VersaStudio ``.par`` file (one spectrum per segment)."""
    lines = read_lines(path)
    sections = _sections(lines)
    keys = {name: _keys(lines[a:b]) for name, a, b in sections}
    actions = [
        keys[name]
        for name, _, _ in sections
        if name.startswith("Action") and "EIS" in keys[name].get("Name", "")
    ]
    segments = _impedance_segments(lines, sections)
    if not segments:
        raise fail(path, "no <SegmentN> with Frequency(Hz), Z Real and Z Imag in its Definition= line")
    instrument = keys.get("Instrument", {})
    model = _model(instrument)
    start_time = _start_time(keys.get("Experiment", {}))
    area = header_float(keys.get("Action0", {}).get("Working Electrode Area (cm2)"))
    spectra = []
    for index, (name, definition, end, names) in enumerate(segments):
        table = numeric_rows(path, lines, definition + 1, end, split=split_on(","), min_fields=3, names=names)
        f = table.column(path, "Frequency(Hz)")
        z = to_complex(table.column(path, "Z Real"), table.column(path, "Z Imag"))
        action = actions[index] if len(actions) == len(segments) else (actions[0] if actions else {})
        extra = {
            "segment": name,
            "action": action.get("Name"),
            "software_version": keys.get("Application", {}).get("Version"),
            "serial_number": instrument.get("SN"),
            "amplitude_kind": "rms",
            "potential_versus": action.get("Potential (V),Versus"),
            "reference": _reference_electrode(keys.get("Action0", {}).get("Reference Electrode")),
        }
        spectra.append(
            make_spectrum(
                path,
                FORMAT_VERSASTUDIO,
                f,
                z,
                lines=table.lines,
                times=table.column(path, "Elapsed Time(s)", required=False),
                index=index,
                extra=extra,
                instrument=f"VersaStudio {model}".strip() if model else "VersaStudio",
                area_cm2=area,
                start_time=start_time,
                **_action_metadata(action),
            )
        )
    return spectra


#: VersaStudio action names (lower case, first match wins) → DC technique.
_VERSA_TECHNIQUES: tuple[tuple[str, DCTechnique], ...] = (
    ("cyclic", "CV"),
    ("tafel", "Tafel"),
    ("potentiodynamic", "POTDYN"),
    ("linear", "LSV"),
    ("constant current", "CP"),
    ("chronopotentiometry", "CP"),
    ("galvanostatic", "CP"),
    ("constant potential", "CA"),
    ("chronoamperometry", "CA"),
    ("potentiostatic", "CA"),
    ("open circuit", "OCV"),
)


def _segments(
    lines: list[str], sections: list[tuple[str, int, int]]
) -> list[tuple[str, int, int, list[str]]]:
    """(section name, ``Definition=`` line index, end index, column names) of every ``<SegmentN>``."""
    out = []
    for name, first, end in sections:
        if name.startswith("Segment"):
            definition = next((i for i in range(first, end) if lines[i].startswith("Definition=")), None)
            if definition is not None:
                out.append(
                    (
                        name,
                        definition,
                        end,
                        [n.strip() for n in lines[definition].partition("=")[2].split(",")],
                    )
                )
    return out


def _dc_technique(actions: list[dict[str, str]]) -> tuple[DCTechnique, str | None]:
    """Technique of the first non-``Common`` action whose name is a known DC technique."""
    for action in actions:
        name = action.get("Name", "")
        for key, technique in _VERSA_TECHNIQUES:
            if key in name.lower():
                return technique, name
    return "unknown", next((a.get("Name") for a in actions if a.get("Name") not in (None, "Common")), None)


def _scan_rate_v_s(actions: list[dict[str, str]]) -> float | None:
    """``Scan Rate (mV/s)=50`` (any unit in brackets) of the first action that has one, in V/s."""
    for action in actions:
        for key, value in action.items():
            match = re.match(r"^Scan Rate \((.+?)\)", key)
            if match and header_float(value) is not None:
                scale = scan_rate_scale(match.group(1))
                if scale is not None:
                    return abs(float(header_float(value))) * scale  # type: ignore[arg-type]
    return None


def read_versastudio_dc(path: Path, options: DCOptions) -> list[DCRecord]:
    """The DC segments of a VersaStudio ``.par`` file (sweeps, CP, CA, OCV) as one record: every
    ``<SegmentN>`` whose ``Definition=`` has ``E(V)`` and ``I(A)``, in file order, with ``Elapsed Time(s)``.
    The technique comes from the ``<ActionN>`` names (``Constant Current`` → CP, ``Cyclic Voltammetry``
    → CV, ...).  The current is taken as written (VersaStudio's default convention is anodic positive)."""
    lines = read_lines(path)
    sections = _sections(lines)
    if _impedance_segments(lines, sections):
        raise fail(path, "VersaStudio .par file holds impedance spectra, not DC records; use read_spectra")
    segments = [seg for seg in _segments(lines, sections) if {"E(V)", "I(A)"} <= set(seg[3])]
    if not segments:
        raise fail(path, "no <SegmentN> with E(V) and I(A) in its Definition= line (a VersaStudio DC run)")
    keys = {name: _keys(lines[a:b]) for name, a, b in sections}
    actions = [keys[name] for name, _, _ in sections if name.startswith("Action") and name != "Action0"]
    tables = [
        numeric_rows(path, lines, definition + 1, end, split=split_on(","), min_fields=3, names=names)
        for _, definition, end, names in segments
    ]
    potential = np.concatenate([t.column(path, "E(V)") for t in tables])
    current = np.concatenate([t.column(path, "I(A)") for t in tables])
    times = [t.column(path, "Elapsed Time(s)", required=False) for t in tables]
    time = None if any(t is None for t in times) else np.concatenate(times)  # type: ignore[arg-type]
    technique, action = _dc_technique(actions)
    instrument = keys.get("Instrument", {})
    model = _model(instrument)
    extra = {
        "action": action,
        "segments": [name for name, _, _, _ in segments],
        "software_version": keys.get("Application", {}).get("Version"),
        "current_source": "file" if technique != "OCV" else "open circuit",
        "current_convention": AS_WRITTEN,
    }
    return [
        make_record(
            path,
            FORMAT_VERSASTUDIO,
            potential,
            current,
            options=options,
            time=time,
            lines=np.concatenate([t.lines for t in tables]),
            extra=extra,
            technique=technique,
            scan_rate_v_s=_scan_rate_v_s(actions),
            instrument=f"VersaStudio {model}".strip() if model else "VersaStudio",
            area_cm2=header_float(keys.get("Action0", {}).get("Working Electrode Area (cm2)")),
            start_time=_start_time(keys.get("Experiment", {})),
            reference=_reference_electrode(keys.get("Action0", {}).get("Reference Electrode")),
        )
    ]


def _tab_fields(line: str) -> list[str]:
    return [field.strip() for field in line.split("\t") if field.strip()]


VERSASTUDIO = FileFormat(
    name=FORMAT_VERSASTUDIO,
    title="AMETEK VersaStudio (.par)",
    extensions=(".par",),
    signature=lambda head: (
        head.nonblank[0] == "<Application>" and ("Name=VersaStudio" in head.lines or head.suffix == ".par")
    ),
    readers={"spectrum": read_versastudio, "dc": read_versastudio_dc},
    metadata="instrument model and serial, technique, start time, DC level, AC amplitude, area, software; DC "
    "runs: technique from the action name, scan rate, reference electrode",
    tested_with="VersaStudio 2.52.3 (EIS); DC segments from the documented layout (2.66 Constant Current)",
)
PARSTAT = FileFormat(
    name=FORMAT_PARSTAT,
    title="Princeton Applied Research PARSTAT text",
    signature=lambda head: {"Frequency (Hz)", "Zre (ohms)", "Zim (ohms)"} <= set(_tab_fields(head.lines[0])),
    readers={"spectrum": read_parstat},
    metadata="DC potential and current (means over the impedance rows), per-point times",
    tested_with="PARSTAT export (impedance.py example)",
)
POWERSUITE = FileFormat(
    name=FORMAT_POWERSUITE,
    title="Princeton Applied Research PowerSuite text",
    signature=lambda head: _tab_fields(head.lines[0]) == ["Frequency", "Zre", "Zimg"],
    readers={"spectrum": read_powersuite},
    metadata="none in the file",
    tested_with="PowerSuite export (impedance.py example)",
)
