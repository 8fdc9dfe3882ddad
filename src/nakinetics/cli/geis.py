"""``nakinetics geis``: fit an operando GEIS series in time order, next to the DC voltage, resumably."""

from __future__ import annotations

import dataclasses
import json
import platform
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..data import DCRecord, Spectrum
from ..exceptions import DataError, FileFormatError, NakineticsError
from ..io import read_dc_record, read_spectra
from ..series.dc import CHARGE_CONVENTION, DC_ASR_CONVENTION, DCConditions, VoltageTrace, align_voltage
from ..series.fits import COLD_EVERY, CircuitRoles, SeriesSettings
from ..series.onset import preload_onset_search
from ..series.pools import DaskPool, ProcessPool, TaskPool
from ..series.quality import DRIFT_LIMIT_RATIO, LINEARITY_LIMIT_MV
from ..series.resume import ResumePlan, plan_resume, settings_differences, time_mismatches
from ..series.runner import Key, SeriesItem, SeriesResult, find_onsets, run_series, series_items
from ..series.table import Column, Row, SeriesTable, csv_header, csv_row, parse_csv, series_columns
from ..series.timing import TIME_CONVENTION, TimeAxis, assign_times, natural_key
from ..validation import KK_RMS_LIMIT
from . import main
from ._batch import EXIT_FAILED_ROWS
from ._lock import FolderLock
from ._options import (
    OneFile,
    area_option,
    check_frequency_range,
    check_parameter_names,
    electrolyte_option,
    folder_option,
    format_option,
    frequency_options,
    json_option,
    plot_option,
    weighting_option,
)
from ._output import (
    OutputError,
    check_output_file,
    emit_json,
    make_folder,
    parse_assignments,
    save_figure,
    write_atomic,
)

SERIES_CSV = "series.csv"
SETTINGS_JSON = "series_settings.json"


def _expand_inputs(inputs: Sequence[Path], exclude: Path | None) -> list[Path]:
    """Files given directly, plus the visible files of given folders in natural name order."""
    skip = exclude.resolve() if exclude is not None else None
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")),
                key=lambda p: natural_key(p.name),
            )
            if not found:
                raise DataError(f"{path}: folder holds no files")
            files += found
        else:
            files.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return [p for p in unique if p != skip]


def _read_inputs(files: Sequence[Path], format: str | None = None) -> tuple[list[Spectrum], list[SeriesItem]]:
    """All spectra of ``files``; an unreadable file becomes a failed item (index -1) with its reason."""
    spectra: list[Spectrum] = []
    failed: list[SeriesItem] = []
    for path in files:
        try:
            spectra += read_spectra(path, format=format)
        except (NakineticsError, OSError, ValueError) as exc:
            failed.append(SeriesItem(str(path), -1, None, None, error=f"unreadable: {exc}"))
    return spectra, failed


def _read_voltage(
    path: Path, current_a: float | None, area_cm2: float | None, format: str | None = None
) -> DCRecord:
    """The DC record of ``path``; a time,voltage file without a current column gets ``current_a`` (the
    stripping current j·A, anodic positive) or, when that is unknown, zero."""
    try:
        return read_dc_record(path, area_cm2=area_cm2, format=format)
    except FileFormatError as without_current:
        try:
            return read_dc_record(
                path,
                area_cm2=area_cm2,
                current_a=current_a if current_a is not None else 0.0,
                format=format,
            )
        except FileFormatError:
            raise without_current from None


def _versions(dask: bool) -> dict[str, str]:
    """Versions of Python and of the packages that shaped the numbers."""
    from importlib.metadata import version  # ~10–40 ms to import: only for the JSON summary

    packages = ["nakinetics", "numpy", "scipy", "click"] + (["distributed"] if dask else [])
    return {"python": platform.python_version(), **{name: version(name) for name in packages}}


class _SeriesDirectory:
    """``DIR/series.csv`` (rows, appended and flushed one by one) and ``DIR/series_settings.json``."""

    def __init__(self, directory: Path, columns: Sequence[Column]) -> None:
        self.directory = directory
        self.csv = directory / SERIES_CSV
        self.settings = directory / SETTINGS_JSON
        self.columns = list(columns)
        self.replaced: str | None = None

    def load(self, settings: dict[str, Any]) -> tuple[datetime | None, list[Row], int] | None:
        """Stored time origin, rows and dropped incomplete lines of an earlier run; ``None`` if fresh."""
        if not self.csv.exists():
            return None
        for path in (self.csv, self.settings):
            if path.exists() and not path.is_file():
                raise OutputError(f"{path}: is not a regular file; use another --out")
        if not self.settings.is_file():
            raise OutputError(
                f"{self.csv} exists but {self.settings} is missing: cannot tell how it was made; "
                "use another --out or remove it"
            )
        try:
            stored = json.loads(self.settings.read_text(encoding="utf-8"))
            parsed = parse_csv(self.csv.read_text(encoding="utf-8"), self.columns)
        except (OSError, ValueError) as exc:
            raise OutputError(
                f"{self.directory}: cannot resume from the earlier run ({exc}); use another --out"
            ) from None
        differences = settings_differences(stored.get("settings", {}), settings)
        if differences and not any(row.get("status") != "failed" for row in parsed.rows):
            # nothing was fitted with the earlier settings (a wrong --fmin, say): nothing to resume or keep
            self.replaced = f"the earlier run in {self.directory} fitted no spectrum; started afresh ({'; '.join(differences)})"
            return None
        if differences:
            raise OutputError(
                f"{self.csv} was written with other settings ({'; '.join(differences)}); re-run with the same "
                "options to resume, or choose another --out"
            )
        origin = stored.get("time_origin")
        return (datetime.fromisoformat(origin) if origin else None), parsed.rows, parsed.dropped

    def start(self, settings: dict[str, Any], origin: datetime | None) -> None:
        """Write the settings and an empty table (header only) for a fresh run."""
        payload = {
            "settings": settings,
            "time_origin": origin.isoformat() if origin else None,
            "nakinetics": __version__,
        }
        text = json.dumps(payload, indent=2) + "\n"
        write_atomic(self.settings, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        self.rewrite([])

    def rewrite(self, rows: Sequence[Row]) -> None:
        """Replace the table atomically (header + ``rows``)."""
        text = csv_header(self.columns) + "".join(csv_row(r, self.columns) for r in rows)
        write_atomic(self.csv, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    @contextmanager
    def appender(self) -> Iterator[Any]:
        try:
            with self.csv.open("a", encoding="utf-8", newline="") as handle:

                def append(row: Row) -> None:
                    handle.write(csv_row(row, self.columns))
                    handle.flush()

                yield append
        except OSError as exc:
            raise OutputError(f"{self.csv}: cannot write ({exc.strerror or exc})") from None


def _pool(workers: int, dask: str | None) -> TaskPool | None:
    if dask:
        return DaskPool(dask)
    return ProcessPool(workers) if workers > 1 else None


def format_number(value: float | None, unit: str = "", digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}g}{' ' + unit if unit else ''}"


def _report(
    result: SeriesResult, resumed: int, fitted_now: int, written: list[str], plan: ResumePlan | None
) -> str:
    counts = result.counts()
    table = result.table
    flags: dict[str, int] = {}
    for row in table.rows:
        for flag in filter(None, (row.get("flags") or "").split(";")):
            flags[flag] = flags.get(flag, 0) + 1
    axis = result.axis
    lines = [
        f"GEIS series: {counts['spectra']} spectra ({fitted_now} fitted now, {resumed} from the earlier run)",
        f"times: {axis.source if axis else 'none'}",
        f"fits: {counts['warm']} warm, {counts['cold']} cold, {counts['fallback']} cold fall-back, "
        + f"{counts['warm_kept_over_cold']} warm kept over a worse cold fit",
        f"status: {counts['ok']} ok, {counts['flagged']} flagged"
        + (f" ({', '.join(f'{k} {v}' for k, v in sorted(flags.items()))})" if flags else "")
        + f", {counts['failed']} failed",
    ]
    lines += [] if plan is None else plan.notes()
    if result.trace is not None:
        alignment = result.trace.alignment
        lines.append(
            f"voltage record: not aligned ({alignment.removeprefix('none: ')})"
            if alignment.startswith("none:")
            else f"voltage record: aligned by {alignment}"
        )
    rows = table.fitted
    if rows:
        r_int = table.column("R_int", rows)
        lines.append(
            f"R_int (cell total): {format_number(r_int[0], 'Ω')} at the first spectrum, {format_number(r_int[-1], 'Ω')} at the last"
        )
    for onset in (result.onset_eis, result.onset_dc):
        if onset is None:
            continue
        if onset.detected:
            hours = (onset.time_s or 0.0) / 3600
            lines.append(
                f"onset in {onset.quantity}: {format_number(onset.time_s, 's', 6)} ± {format_number(onset.stderr_s, 's', 2)} "
                f"({hours:.3g} h)"
            )
        else:
            lines.append(f"onset in {onset.quantity}: none ({onset.note})")
    agree = result.agreement.get("agree")
    if agree is not None:
        lines.append(f"EIS and DC onsets {'agree' if agree else 'DISAGREE'} ({result.agreement['rule']})")
    for row in table.rows:
        if row.get("status") == "failed":
            lines.append(f"failed: {row.get('label')}: {row.get('reason')}")
    lines.append("wrote " + ", ".join(written))
    return "\n".join(lines)


def _summary(
    result: SeriesResult,
    *,
    inputs: Sequence[Path],
    settings: dict[str, Any],
    resumed: int,
    fitted_now: int,
    dropped: int,
    plan: ResumePlan | None,
    files: dict[str, str | None],
    dask: bool,
) -> dict[str, Any]:
    trace = result.trace
    axis = result.axis
    failures = [
        {"file": r.get("file"), "index": r.get("index"), "label": r.get("label"), "reason": r.get("reason")}
        for r in result.table.rows
        if r.get("status") == "failed"
    ]
    return {
        "command": "nakinetics geis",
        "versions": _versions(dask),
        "inputs": [str(p) for p in inputs],
        "settings": settings,
        "time_axis": {
            "origin": axis.origin.isoformat() if axis and axis.origin else None,
            "source": axis.source if axis else None,
            "convention": TIME_CONVENTION,
        },
        "voltage": None
        if trace is None
        else {
            "file": trace.source,
            "alignment": trace.alignment,
            "offset_s": {"value": trace.offset_s, "unit": "s"},
        },
        "counts": {
            **result.counts(),
            "resumed": resumed,
            "fitted_now": fitted_now,
            "dropped_incomplete_lines": dropped,
        },
        "resume": None if plan is None else plan.to_dict(),
        "failures": failures,
        "onset": result.onset_dict(),
        "files": files,
        "conventions": {
            "asr": "cell total R × A (not halved: the stripping and plating interfaces differ)",
            "dc_apparent_asr": DC_ASR_CONVENTION,
            "stripped_charge": CHARGE_CONVENTION,
            "linearity": f"max |Z|·i_ac over the spectrum, flagged above {LINEARITY_LIMIT_MV:g} mV (i_ac from --ac-current × area, else as the file states it)",
            "drift": f"change of U_dc during the sweep (line fit), flagged when |drift| − 2·stderr > {DRIFT_LIMIT_RATIO:g} × |Z(f_min)|·i_ac",
            "kramers_kronig": f"linear KK, RMS residual limit {100 * result.settings.kk_limit:g} % of |Z|",
        },
        "columns": result.table.column_info(),
    }


def _drt_map_path(plot_path: Path) -> Path:
    return plot_path.with_name(f"{plot_path.stem}_drt{plot_path.suffix}")


def _series_drt(
    result: SeriesResult,
    spectra: Sequence[Spectrum],
    store: _SeriesDirectory,
    plot_path: Path | None,
    fmin: float | None,
    fmax: float | None,
) -> tuple[dict[str, Any], list[str]]:
    """``geis --drt``: the DRT of every spectrum on the series' time axis, written next to series.csv
    (recomputed in full on every run, resumed or not: it takes tens of ms per spectrum)."""
    from ..series.drt import series_drt
    from ._csv import write_columns

    times = {(r["file"], r["index"]): r.get("time_s") for r in result.table.rows}
    drts = series_drt(spectra, times, fmin=fmin, fmax=fmax)
    distribution, peaks = store.directory / "drt.csv", store.directory / "drt_peaks.csv"
    write_columns(drts.distribution_columns(), distribution)
    write_columns(drts.peak_columns(), peaks)
    written = [str(distribution), str(peaks)]
    map_path = None
    if plot_path is not None:
        from ..plotting.drt import series_drt_figure

        map_path = _drt_map_path(plot_path)
        save_figure(series_drt_figure(result, drts), map_path)
        written.append(str(map_path))
    summary = {
        **drts.to_dict(),
        "files": {
            "distribution_csv": str(distribution),
            "peaks_csv": str(peaks),
            "map": None if map_path is None else str(map_path),
        },
    }
    return summary, written


@main.command("geis")
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="INPUT..."
)
@click.option(
    "--circuit",
    "-c",
    required=True,
    metavar="PRESET|STRING",
    help="Preset name (e.g. na_se_na_2arc) or circuit string such as 'R0-p(R1,CPE1)-p(R2,CPE2)'.",
)
@area_option("Geometric electrode area (ASR, stripped charge density, current from --current).")
@electrolyte_option(
    "Liquid or solid electrolyte: names the arcs (SEI vs grain boundary / interphase) as `fit` does, for "
    "every spectrum, and so which resistances make R_SE and R_int.",
    circuit=True,
)
@click.option(
    "--current",
    "current",
    type=float,
    metavar="MA_CM2",
    help="DC (stripping) current density in mA cm⁻² (stripped charge, DC-apparent ASR).",
)
@click.option(
    "--ac-current",
    type=click.FloatRange(min=0, min_open=True),
    metavar="MA_CM2",
    help="AC current amplitude in mA cm⁻² for the linearity and drift checks (needs --area); overrides "
    "the amplitude the files state.",
)
@click.option(
    "--voltage",
    type=OneFile(),
    metavar="FILE",
    help="DC voltage record (chronopotentiometry export or CSV time,voltage).",
)
@click.option(
    "--voltage-offset",
    type=float,
    metavar="S",
    help="Seconds to add to the voltage record's time to put it on the series axis "
    "(default: from absolute start times, else 0).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0, min_open=True),
    metavar="S",
    help="Spacing of spectra in s, in name order, when the files give no times.",
)
@frequency_options("Lowest frequency fitted.", "Highest frequency fitted.")
@weighting_option
@click.option("--fix", multiple=True, metavar="NAME=VALUE", help="Hold a parameter fixed (repeatable).")
@click.option(
    "--fix-electrolyte",
    is_flag=True,
    help="Hold the electrolyte parameters at the values of the first fitted spectrum.",
)
@click.option(
    "--independent",
    is_flag=True,
    help="Fit every spectrum on its own (cold, in parallel) instead of starting from the previous fit.",
)
@click.option(
    "--cold-every",
    type=click.IntRange(min=0),
    default=COLD_EVERY,
    show_default=True,
    metavar="N",
    help="Start a fresh (cold) fit every N spectra: warm-start chains of N spectra, which --workers fit in "
    "parallel (0: one chain through the whole series).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=1024),
    default=1,
    show_default=True,
    metavar="N",
    help="Worker processes (warm-start chains, or the independent fits); the rows do not depend on N.",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run the parallel work on an existing Dask cluster (e.g. tcp://host:8786); needs nakinetics[dask].",
)
@click.option(
    "--kk-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=100 * KK_RMS_LIMIT,
    show_default=True,
    metavar="PERCENT",
    help="Kramers–Kronig pass limit on the RMS residual, % of |Z|.",
)
@click.option(
    "--chi2-jump",
    type=click.FloatRange(min=1),
    default=3.0,
    show_default=True,
    metavar="FACTOR",
    help="Run a cold fit when the warm fit's reduced χ² exceeds FACTOR × the lowest one since the last "
    "cold fit.",
)
@folder_option(
    "--out",
    "out_dir",
    default=Path("geis_series"),
    help_text="Folder for series.csv (resumed when it exists; locked while a run uses it).",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="When resuming, try again the spectra that failed before (a file that could not be read and "
    "reads now is always retried).",
)
@click.option(
    "--drt",
    "with_drt",
    is_flag=True,
    help="Also compute the distribution of relaxation times of every spectrum: DIR/drt.csv (γ per τ and "
    "time), DIR/drt_peaks.csv (processes per time) and, with --plot, the τ–time map beside R_int(t) as "
    "PATH_drt.",
)
@format_option("spectrum", what="the spectrum files")
@format_option("dc", "--voltage-format", "the --voltage file")
@json_option
@plot_option("Save the dashboard (PNG/PDF/SVG by extension) and the Nyquist waterfall as PATH_nyquist.")
def geis_command(
    inputs: tuple[Path, ...],
    circuit: str,
    area: float | None,
    electrolyte: str | None,
    current: float | None,
    ac_current: float | None,
    voltage: Path | None,
    voltage_offset: float | None,
    interval: float | None,
    fmin: float | None,
    fmax: float | None,
    weighting: str,
    fix: tuple[str, ...],
    fix_electrolyte: bool,
    independent: bool,
    cold_every: int,
    workers: int,
    dask_address: str | None,
    kk_limit: float,
    chi2_jump: float,
    out_dir: Path,
    retry_failed: bool,
    with_drt: bool,
    format: str | None,
    voltage_format: str | None,
    json_path: str | None,
    plot_path: Path | None,
) -> None:
    """Fit an operando GEIS series (INPUT: multi-spectrum files, files or folders) in time order, each fit
    starting from the previous one, and write DIR/series.csv row by row: parameters ± errors, R_int, ASR,
    C_eff, DC-apparent ASR, stripped charge, Kramers–Kronig/linearity/drift checks.  Re-running the same
    command resumes.  Reports the onset of deterioration in R_int(t) and in dU/dt."""
    check_frequency_range(fmin, fmax)
    if ac_current is not None and area is None:
        raise click.UsageError("--ac-current (mA cm⁻²) needs --area to give the AC current amplitude")
    fixed = parse_assignments(fix, "--fix")
    check_parameter_names(fixed, {}, [circuit], requested=True)  # before the folder stores the settings
    if plot_path is not None:
        waterfall = plot_path.with_name(f"{plot_path.stem}_nyquist{plot_path.suffix}")
        check_output_file(waterfall, figure=True, created=out_dir)
        if with_drt:
            check_output_file(_drt_map_path(plot_path), figure=True, created=out_dir)
    settings = SeriesSettings(
        circuit=circuit,
        weighting=weighting,
        fmin_hz=fmin,
        fmax_hz=fmax,
        fixed=tuple(sorted(fixed.items())),
        fix_electrolyte=fix_electrolyte,
        independent=independent,
        cold_every=cold_every,
        chi2_jump=chi2_jump,
        kk_limit=kk_limit / 100,
        area_cm2=area,
        current_ma_cm2=current,
        ac_current_ma_cm2=ac_current,
        interval_s=interval,
        voltage_offset_s=voltage_offset,
        electrolyte=electrolyte,
    )
    stored_settings = {**settings.to_dict(), "voltage_file": str(voltage.resolve()) if voltage else None}
    columns = series_columns(CircuitRoles.of(circuit, electrolyte))
    files = _expand_inputs(inputs, voltage)
    spectra, unreadable = _read_inputs(files, format)
    if not spectra:
        first = unreadable[0].error if unreadable else "no files"
        raise DataError(f"none of the {len(files)} input file(s) could be read ({first})")
    record = None
    if voltage is not None:
        stripping_a = None if current is None or area is None else abs(current) * 1e-3 * area
        record = _read_voltage(voltage, stripping_a, area, voltage_format)

    make_folder(out_dir)
    click.get_current_context().call_on_close(FolderLock(out_dir, "geis").acquire().release)
    store = _SeriesDirectory(out_dir, columns)
    earlier = store.load(stored_settings)
    origin, old_rows, dropped = earlier if earlier is not None else (None, [], 0)
    axis: TimeAxis = assign_times(
        spectra, interval_s=interval, origin=origin, unreadable=[item.file for item in unreadable]
    )
    failed = [dataclasses.replace(item, time=t) for item, t in zip(unreadable, axis.unreadable, strict=True)]
    plan = plan_resume(
        old_rows, failed + series_items(spectra, axis), {str(p) for p in files}, retry_failed=retry_failed
    )
    items, old_rows = plan.items, plan.rows
    done: dict[Key, Row] = {(r["file"], r["index"]): r for r in old_rows}
    mismatches = time_mismatches(items, done)
    if mismatches:
        raise OutputError(
            f"{store.csv}: spectrum times differ from the earlier run ({'; '.join(mismatches[:3])}); the inputs or "
            "--interval changed — use another --out"
        )
    if earlier is None:
        store.start(stored_settings, axis.origin)
    elif dropped or plan.modified:
        store.rewrite(old_rows)

    trace: VoltageTrace | None = None
    if record is not None:
        trace = align_voltage(record, origin=axis.origin, offset_s=voltage_offset)
    dc = DCConditions(current, area, trace)
    todo = sum(1 for item in items if item.key not in done)
    quiet = json_path == "-" or not sys.stderr.isatty()
    new_rows: list[Row] = []
    with ExitStack() as stack:
        pool = _pool(workers, dask_address)
        if pool is not None:
            stack.callback(pool.close)
        append = stack.enter_context(store.appender())
        bar = stack.enter_context(
            nullcontext() if quiet else click.progressbar(length=todo, label="fitting", file=sys.stderr)
        )
        for row in run_series(items, settings, dc=dc, done=done, pool=pool):
            append(row)
            new_rows.append(row)
            if pool is not None and len(new_rows) == 1:
                preload_onset_search()  # the workers are busy: load the onset search's optimiser meanwhile
            if bar is not None:
                bar.update(1)

    table = SeriesTable.build(columns, [*old_rows, *new_rows])
    if old_rows or any(a is not b for a, b in zip(table.rows, new_rows, strict=True)):
        store.rewrite(table.rows)  # time order; every row was already on disk
    eis, dc_onset, agreement = find_onsets(table, dc)
    result = SeriesResult(settings, table, axis, trace, eis, dc_onset, agreement)

    written = [str(store.csv), str(store.settings)]
    figures: dict[str, str | None] = {"dashboard": None, "nyquist": None}
    if plot_path is not None:
        from ..plotting.series import nyquist_waterfall, series_dashboard

        waterfall = plot_path.with_name(f"{plot_path.stem}_nyquist{plot_path.suffix}")
        save_figure(series_dashboard(result), plot_path)
        save_figure(nyquist_waterfall(result.table, spectra, settings.circuit), waterfall)
        figures = {"dashboard": str(plot_path), "nyquist": str(waterfall)}
        written += [str(plot_path), str(waterfall)]
    drt_summary = None
    if with_drt:
        drt_summary, drt_written = _series_drt(result, spectra, store, plot_path, fmin, fmax)
        written += drt_written
        figures["drt_map"] = drt_summary["files"]["map"]
    if json_path not in (None, "-"):
        written.append(str(json_path))
    resumed = None if earlier is None else plan
    report = _report(result, len(done), len(new_rows), written, resumed)
    if store.replaced:
        report = f"{store.replaced}\n{report}"
    click.echo(report, err=json_path == "-")
    if drt_summary is not None:
        counts = drt_summary["processes"]
        click.echo(
            f"DRT: {drt_summary['spectra']} spectra, {min(counts, default=0)}–{max(counts, default=0)} processes "
            f"each, {len(drt_summary['failures'])} refused",
            err=json_path == "-",
        )
    if json_path is not None:
        payload = _summary(
            result,
            inputs=files,
            settings=stored_settings,
            resumed=len(done),
            fitted_now=len(new_rows),
            dropped=dropped,
            plan=resumed,
            files={
                "series_csv": str(store.csv),
                "settings": str(store.settings),
                **figures,
                "json": None if json_path == "-" else str(json_path),
            },
            dask=dask_address is not None,
        )
        if drt_summary is not None:
            payload["drt"] = drt_summary
        emit_json(payload, json_path)
    failed_rows = sum(1 for row in table.rows if row.get("status") == "failed")
    if failed_rows:
        click.echo(
            f"{failed_rows} of {len(table.rows)} spectra failed (their rows say why; exit code {EXIT_FAILED_ROWS})",
            err=True,
        )
        sys.exit(EXIT_FAILED_ROWS)
