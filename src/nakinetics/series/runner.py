"""Running a series: spectra in time order → one row per spectrum, yielded as each is finished.

Warm-start mode (default) fits in time order, each fit starting from the previous accepted one (see
:mod:`.fits`), in chains of ``cold_every`` spectra that each start with a cold fit; a pool fits the
chains in parallel (fits and Kramers–Kronig tests), with the same rows as a serial run.  Independent mode fits every
spectrum cold, in the pool.  Rows already finished (``done``, e.g. read back from ``series.csv``) are
skipped but still provide the warm start and the fixed electrolyte values, so a resumed run continues
exactly where it stopped.  A spectrum that cannot be read or fitted becomes a failed row; the run goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import checked
from ..data import DCRecord, Spectrum
from ..exceptions import DataError
from .dc import DCConditions, VoltageTrace, align_voltage, dc_apparent_asr, na_thickness_um
from .fits import (
    FIT_ERRORS,
    WARM_KEPT,
    CircuitRoles,
    PreviousFit,
    SeriesSettings,
    advance_previous,
    fit_columns,
    fit_spectrum,
)
from .onset import Onset, bin_series, compare_onsets, detect_onset
from .pools import TaskPool
from .quality import Excitation, kk_columns, quality_flags
from .table import Row, SeriesTable, series_columns
from .timing import SweepTime, TimeAxis, assign_times, natural_key

Key = tuple[str, int]


@dataclass(frozen=True)
class SeriesItem:
    """One spectrum of a series (or an unreadable file: ``spectrum`` ``None``, ``error`` set)."""

    file: str
    index: int
    spectrum: Spectrum | None
    time: SweepTime | None
    error: str | None = None

    @property
    def key(self) -> Key:
        return self.file, self.index

    @property
    def label(self) -> str:
        return self.spectrum.label if self.spectrum is not None else Path(self.file).name

    def sort_key(self) -> tuple[float, tuple[tuple[int, int | str], ...], int]:
        return (-math.inf if self.time is None else self.time.time_s, natural_key(self.file), self.index)


def spectrum_key(spectrum: Spectrum, position: int) -> Key:
    """(resolved source path, index in file); spectra without a source are keyed by their position."""
    source = spectrum.metadata.source
    return (str(Path(source).resolve()), spectrum.metadata.index) if source else (f"<spectrum {position}>", 0)


def data_fingerprint(spectrum: Spectrum) -> str:
    """``"n:hash"``: the number of points and a BLAKE2b hash (16 hex digits) of the frequencies (Hz) and
    impedances (Ω) as float64, which tells whether a spectrum changed since it was fitted."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(np.ascontiguousarray(spectrum.frequency, dtype=np.float64).tobytes())
    digest.update(np.ascontiguousarray(spectrum.impedance, dtype=np.complex128).tobytes())
    return f"{len(spectrum.frequency)}:{digest.hexdigest()}"


def _fitted_range(spectrum: Spectrum, settings: SeriesSettings) -> Spectrum:
    if settings.fmin_hz is None and settings.fmax_hz is None:
        return spectrum
    return spectrum.select(settings.fmin_hz, settings.fmax_hz)


def kk_task(spectrum: Spectrum, settings: SeriesSettings) -> Row:
    """Kramers–Kronig columns of the fitted frequency range (empty when the test cannot run)."""
    try:
        return kk_columns(_fitted_range(spectrum, settings), settings.kk_limit)
    except DataError:
        return {}


def independent_task(
    spectrum: Spectrum, settings: SeriesSettings, fixed: Mapping[str, float] | None
) -> Row | str:
    """Cold fit + KK of one spectrum (runs in a worker): the row's analysis columns, or the failure reason."""
    try:
        fit = fit_spectrum(spectrum, settings, None, fixed)
    except FIT_ERRORS as exc:
        return f"fit failed: {exc}"
    return {
        **fit_columns(fit, _roles(settings.circuit, settings.electrolyte), settings),
        **kk_task(spectrum, settings),
    }


Step = tuple[Spectrum | None, Row | None]
"""One spectrum of a warm-start chain: (spectrum to fit, None) or (None, its finished row)."""


def chains(fittable: Sequence[SeriesItem], cold_every: int) -> list[list[SeriesItem]]:
    """The warm-start chains: consecutive runs of ``cold_every`` spectra (all of them for 0), in time order.

    Each chain starts with a cold fit, so chains are independent of each other and can be fitted in
    parallel; they are fixed by position, never by the number of workers, so the rows do not depend on it.
    """
    size = cold_every if cold_every > 0 else max(len(fittable), 1)
    return [list(fittable[k : k + size]) for k in range(0, len(fittable), size)]


def _steps(chain: Sequence[SeriesItem], done: Mapping[Key, Row]) -> list[Step]:
    return [(None, done[i.key]) if i.key in done else (i.spectrum, None) for i in chain]


@lru_cache(maxsize=16)
def _roles(circuit: str, electrolyte: str | None) -> CircuitRoles:
    """:meth:`CircuitRoles.of`, parsed once per circuit and process (every step of every chain needs it)."""
    return CircuitRoles.of(circuit, electrolyte)


def chain_step(
    spectrum: Spectrum | None,
    row: Row | None,
    settings: SeriesSettings,
    previous: PreviousFit | None,
    electrolyte: Mapping[str, float] | None,
) -> tuple[Row | str | None, PreviousFit | None]:
    """One step of a chain: the analysis columns (fit + Kramers–Kronig), the failure reason, or ``None``
    for a finished ``row``; and the warm-start state after it."""
    roles = _roles(settings.circuit, settings.electrolyte)
    if row is not None:
        return None, previous_from_row(row, roles, previous)
    try:
        fit = fit_spectrum(spectrum, settings, previous, electrolyte)
    except FIT_ERRORS as exc:
        return f"fit failed: {exc}", previous
    analysis = {**fit_columns(fit, roles, settings), **kk_task(spectrum, settings)}  # type: ignore[arg-type]
    return analysis, fit.following(previous)


def chain_outcomes(
    steps: Sequence[Step],
    settings: SeriesSettings,
    electrolyte: Mapping[str, float] | None,
    previous: PreviousFit | None = None,
) -> Iterator[Row | str | None]:
    """Fit one chain in order — the first spectrum cold (or warm from ``previous``), each next one warm
    from the previous accepted fit — yielding what :func:`chain_step` gives per step."""
    for spectrum, row in steps:
        outcome, previous = chain_step(spectrum, row, settings, previous, electrolyte)
        yield outcome


def chain_task(*args: Any) -> list[Row | str | None]:
    """:func:`chain_outcomes` of one chain (same arguments) as a list: what a worker runs."""
    return list(chain_outcomes(*args))


def _base_row(item: SeriesItem) -> Row:
    t = item.time
    return {
        "file": item.file,
        "index": item.index,
        "label": item.label,
        "data_fingerprint": None if item.spectrum is None else data_fingerprint(item.spectrum),
        "time_s": None if t is None else t.time_s,
        "t_start_s": None if t is None else t.start_s,
        "t_end_s": None if t is None else t.end_s,
    }


def failed_row(item: SeriesItem, reason: str) -> Row:
    return {**_base_row(item), "status": "failed", "reason": reason}


def _finish_row(item: SeriesItem, analysis: Row, settings: SeriesSettings, dc: DCConditions) -> Row:
    """Add DC, charge, linearity and drift columns, flags and status to a fitted spectrum's analysis."""
    spectrum, t = item.spectrum, item.time
    if spectrum is None or t is None:
        return failed_row(item, item.error or "no spectrum or time")
    row = {**_base_row(item), **analysis}
    trace = dc.trace
    row["U_dc_v"] = None if trace is None else trace.window_voltage(t.start_s, t.end_s)
    row["I_dc_a"] = dc.current_a(t.time_s, spectrum.metadata.dc_current_a)
    drift = None if trace is None else trace.drift_v(t.start_s, t.end_s)
    row["drift_mv"], row["drift_stderr_mv"] = (
        (None, None) if drift is None else (1e3 * drift[0], 1e3 * drift[1])
    )
    row["ASR_dc_apparent"] = dc_apparent_asr(row["U_dc_v"], row["I_dc_a"], row.get("R_SE"), settings.area_cm2)
    charge = dc.charge_c_cm2(t.time_s)
    row["q_stripped_c_cm2"] = charge
    row["na_stripped_um"] = None if charge is None else na_thickness_um(charge)
    ac = None
    if settings.ac_current_ma_cm2 is not None and settings.area_cm2 is not None:
        ac = settings.ac_current_ma_cm2 * 1e-3 * settings.area_cm2
    excitation = Excitation.of(spectrum, ac)
    fitted = _fitted_range(spectrum, settings)
    row["linearity_mv"] = excitation.response_mv(fitted)
    flags = quality_flags(
        row.get("kk_pass"),
        row["linearity_mv"],
        row["drift_mv"],
        row["drift_stderr_mv"],
        excitation.lowest_frequency_response_mv(fitted),
    )
    if row.get("at_bound"):
        flags.append("bound")
    if not row.get("success"):
        flags.append("not_converged")
    row["flags"] = ";".join(flags) or None
    row["status"] = "flagged" if flags else "ok"
    return row


def previous_from_row(row: Row, roles: CircuitRoles, previous: PreviousFit | None) -> PreviousFit | None:
    """The warm-start state after a finished row (``previous`` unchanged for a failed row), as the live
    run computed it (:func:`~.fits.advance_previous`)."""
    if row.get("status") == "failed" or row.get("redchi") is None:
        return previous
    values = {name: row[name] for name in roles.circuit.parameter_names}
    if any(v is None for v in values.values()):
        return previous
    at_bound = frozenset((row.get("at_bound") or "").split(";")) - {""}
    return advance_previous(previous, row.get("fit_start") or "cold", values, float(row["redchi"]), at_bound)


def _electrolyte_values(row: Row, roles: CircuitRoles) -> dict[str, float]:
    """The values of the parameters ``row``'s own roles name ohmic (:meth:`CircuitRoles.electrolyte_parameters`)."""
    return {name: row[name] for name in roles.electrolyte_parameters(row.get("roles"))}


@checked
def run_series(
    items: Sequence[SeriesItem],
    settings: SeriesSettings,
    *,
    dc: DCConditions | None = None,
    done: Mapping[Key, Row] | None = None,
    pool: TaskPool | None = None,
) -> Iterator[Row]:
    """Yield a row for every item not in ``done`` (see the module docstring)."""
    dc = dc or DCConditions(area_cm2=settings.area_cm2)
    done = done or {}
    roles = _roles(settings.circuit, settings.electrolyte)
    ordered = sorted(items, key=SeriesItem.sort_key)
    for item in ordered:
        if item.key not in done and (item.spectrum is None or item.time is None):
            yield failed_row(item, item.error or "no spectrum")
    fittable = [item for item in ordered if item.spectrum is not None and item.time is not None]
    run = _Run(settings, dc, done, pool, roles)
    yield from (run.independent(fittable) if settings.independent else run.warm(fittable))


@dataclass(frozen=True)
class _Run:
    """What both loops share: settings, DC side, finished rows, pool and circuit roles."""

    settings: SeriesSettings
    dc: DCConditions
    done: Mapping[Key, Row]
    pool: TaskPool | None
    roles: CircuitRoles

    def first_electrolyte(self, fittable: Sequence[SeriesItem]) -> dict[str, float] | None:
        """Electrolyte values of the first finished fitted row (``None`` when not fixing or none)."""
        if not self.settings.fix_electrolyte:
            return None
        for item in fittable:
            row = self.done.get(item.key)
            if row is not None and row.get("status") != "failed":
                return _electrolyte_values(row, self.roles)
        return None

    def finish(self, item: SeriesItem, outcome: Row | str) -> Row:
        if isinstance(outcome, str):
            return failed_row(item, outcome)
        return _finish_row(item, outcome, self.settings, self.dc)

    def warm(self, fittable: Sequence[SeriesItem]) -> Iterator[Row]:
        """Time order, each fit from the previous accepted one, in chains of ``settings.cold_every``
        spectra that each start cold (see :func:`chains`); with a pool the chains run in parallel and
        their rows are yielded in time order, identical to a serial run."""
        settings, done, roles = self.settings, self.done, self.roles
        electrolyte = self.first_electrolyte(fittable)
        work: list[tuple[list[SeriesItem], PreviousFit | None]] = [
            (chain, None)
            for chain in chains(fittable, settings.cold_every)
            if any(i.key not in done for i in chain)
        ]
        while settings.fix_electrolyte and electrolyte is None and work:
            # the first spectrum that fits sets the electrolyte values for every chain: fit up to it here
            # (into later chains if a whole chain fails), the rest of its chain continues from there
            chain, previous = work.pop(0)
            position = 0
            while electrolyte is None and position < len(chain):
                item = chain[position]
                position += 1
                outcome, previous = chain_step(*_steps([item], done)[0], settings, previous, None)
                if outcome is not None:
                    yield self.finish(item, outcome)
                    if not isinstance(outcome, str):
                        electrolyte = _electrolyte_values(outcome, roles)
            if position < len(chain):
                work.insert(0, (chain[position:], previous))
        if self.pool is None:
            for chain, previous in work:
                outcomes = chain_outcomes(_steps(chain, done), settings, electrolyte, previous)
                for item, outcome in zip(chain, outcomes, strict=True):
                    if outcome is not None:
                        yield self.finish(item, outcome)
            return
        futures = [
            self.pool.submit(chain_task, _steps(chain, done), settings, electrolyte, previous)
            for chain, previous in work
        ]
        for (chain, _), future in zip(work, futures, strict=True):
            for item, outcome in zip(chain, future.result(), strict=True):
                if outcome is not None:
                    yield self.finish(item, outcome)

    def independent(self, fittable: Sequence[SeriesItem]) -> Iterator[Row]:
        """Every spectrum cold, in the pool (in completion order)."""
        settings = self.settings
        todo = [item for item in fittable if item.key not in self.done]
        electrolyte = self.first_electrolyte(fittable)
        while settings.fix_electrolyte and electrolyte is None and todo:
            # the first spectrum that fits sets the electrolyte values for all the others
            item = todo.pop(0)
            outcome = independent_task(item.spectrum, settings, None)  # type: ignore[arg-type]
            if not isinstance(outcome, str):
                electrolyte = _electrolyte_values(outcome, self.roles)
            yield self.finish(item, outcome)
        if self.pool is None:
            for item in todo:
                yield self.finish(item, independent_task(item.spectrum, settings, electrolyte))  # type: ignore[arg-type]
            return
        futures = {
            self.pool.submit(independent_task, item.spectrum, settings, electrolyte): item for item in todo
        }
        for future in self.pool.as_completed(futures):
            yield self.finish(futures[future], future.result())


# ---------------------------------------------------------------------------------------------------
# the whole analysis in one call


@dataclass(frozen=True)
class SeriesResult:
    """A fitted series: the table, its time axis, the aligned voltage record and the onsets."""

    settings: SeriesSettings
    table: SeriesTable
    axis: TimeAxis | None
    trace: VoltageTrace | None
    onset_eis: Onset
    onset_dc: Onset | None
    agreement: dict[str, Any]

    def counts(self) -> dict[str, int]:
        table = self.table
        return {
            "spectra": len(table),
            "ok": table.count("status", "ok"),
            "flagged": table.count("status", "flagged"),
            "failed": table.count("status", "failed"),
            "warm": table.count("fit_start", "warm"),
            "warm_kept_over_cold": table.count("fit_start", WARM_KEPT),
            "cold": table.count("fit_start", "cold"),
            "fallback": table.count("fit_start", "fallback"),
        }

    def onset_dict(self) -> dict[str, Any]:
        return {
            "eis": self.onset_eis.to_dict(),
            "dc": None if self.onset_dc is None else self.onset_dc.to_dict(),
            "agreement": self.agreement,
        }


def _sweep_span(table: SeriesTable) -> tuple[float, float] | None:
    """From the first sweep's start to the last sweep's end (its time stamp when the end is unknown)."""
    starts = table.column("t_start_s")
    ends = np.fmax(table.column("t_end_s"), table.column("time_s"))
    if not (np.isfinite(starts).any() and np.isfinite(ends).any()):
        return None
    return float(np.nanmin(starts)), float(np.nanmax(ends))


def dc_onset(table: SeriesTable, dc: DCConditions) -> Onset | None:
    """Onset in the DC voltage: the record while the stripping current is on and the spectra are taken
    (no open-circuit rest, no step at switch-on), binned to ≤ 400 points, oriented so that a growing
    polarisation |U| is growth (``None`` without a record)."""
    trace, span = dc.trace, dc.stripping_span()
    if trace is None or span is None:
        return None
    start, end = span
    sweeps = _sweep_span(table)
    if sweeps is not None:
        start, end = max(start, sweeps[0]), min(end, sweeps[1])
    inside = (trace.time_s >= start) & (trace.time_s <= end)
    quantity = "U_dc (growth of |U|, change of dU/dt)"
    if np.count_nonzero(inside) < 2:
        return Onset(
            quantity, False, note="the voltage record does not overlap the spectra while the current is on"
        )
    u = trace.potential_v[inside]
    t, u = bin_series(trace.time_s[inside], u if np.median(u) >= 0 else -u)
    onset = detect_onset(t, u, quantity=quantity)
    window = f"record from {start:.6g} s to {end:.6g} s (current on, spectra taken)"
    return dataclasses.replace(onset, note="; ".join(filter(None, (window, onset.note))))


@checked
def find_onsets(table: SeriesTable, dc: DCConditions | None) -> tuple[Onset, Onset | None, dict[str, Any]]:
    """Onset in R_int(t) (fitted rows, weighted by their standard errors) and in the DC voltage (see
    :func:`dc_onset`), and whether they agree."""
    rows = table.fitted
    stderr = table.column("R_int_stderr", rows)
    eis = detect_onset(
        table.column("time_s", rows),
        table.column("R_int", rows),
        stderr if rows and bool((stderr > 0).all()) else None,
        quantity="R_int (EIS)",
    )
    dc_channel = None if dc is None else dc_onset(table, dc)
    return eis, dc_channel, compare_onsets(eis, dc_channel)


def series_items(spectra: Sequence[Spectrum], axis: TimeAxis) -> list[SeriesItem]:
    """Items for ``spectra`` on ``axis`` (same order)."""
    return [
        SeriesItem(*spectrum_key(spectrum, k), spectrum, time)
        for k, (spectrum, time) in enumerate(zip(spectra, axis.times, strict=True))
    ]


@checked
def fit_series(
    spectra: Sequence[Spectrum],
    settings: SeriesSettings,
    *,
    voltage: DCRecord | None = None,
    pool: TaskPool | None = None,
) -> SeriesResult:
    """Fit an operando series in memory: times, warm-start fits, quality, DC quantities and onsets.

    ``spectra`` in time order (their ``metadata.start_time`` and ``point_times_s`` give the time axis, else
    ``settings.interval_s`` in s); ``voltage`` is the DC record (V, A anodic positive, s; aligned by absolute
    start times or ``settings.voltage_offset_s``); ``pool`` runs the warm-start chains (warm mode) or the
    fits (independent mode) in parallel.  Returns a :class:`SeriesResult`: ``table`` (one row per spectrum,
    the columns of ``series.csv`` with their units in ``nakinetics.series.table``: times in s, resistances
    in Ω, ASR in Ω cm² cell total, C_eff in F, charge in C cm⁻²), ``axis``, ``trace`` and the onsets of
    deterioration ``onset_eis`` (R_int) and ``onset_dc`` (voltage), times in s.
    """
    axis = assign_times(spectra, interval_s=settings.interval_s)
    trace = (
        None
        if voltage is None
        else align_voltage(voltage, origin=axis.origin, offset_s=settings.voltage_offset_s)
    )
    dc = DCConditions(settings.current_ma_cm2, settings.area_cm2, trace)
    rows = list(run_series(series_items(spectra, axis), settings, dc=dc, pool=pool))
    table = SeriesTable.build(series_columns(_roles(settings.circuit, settings.electrolyte)), rows)
    eis, dc_channel, agreement = find_onsets(table, dc)
    return SeriesResult(settings, table, axis, trace, eis, dc_channel, agreement)
