"""Many inputs for one command: files, folders and glob patterns, a row per spectrum, workers, progress.

``fit``, ``validate``, ``warburg``, ``conductivity``, ``tafel``, ``drt`` and ``cycling`` describe their work as a :class:`Task`
(what a file holds, what one item gives) and hand it to :func:`run`, which reads, analyses (in
``--workers`` processes), prints and writes for all of them the same way:

* **one input file** (not a folder or pattern): the command's own report, and errors stop it (exit 1) —
  the behaviour of a single-file run; a file holding several spectra (sweeps, loops) is the exception:
  a spectrum that fails is reported as an ``error:`` line and a JSON/CSV record with its error, the
  other spectra are analysed and written, and the exit code is 4;
* **several inputs, a folder or a glob pattern** (batch): the inputs in natural order, one summary line per
  spectrum, a failed file or spectrum as a row with its error while the others go on, and the totals.

Exit codes: 0 every spectrum analysed; 1 the command stopped (a bad input in a single-file run, an
output that cannot be written, an interruption); 2 usage error; 3 ``validate --strict`` and a spectrum
failed the test; 4 batch run (or one file with several spectra) in which at least one file or spectrum
failed (its row says why; the other rows and every output were written).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

import click

from ..batch import NOT_DATA_SUFFIXES, Failure, Inputs, expand_inputs, has_pattern, table_columns
from ..exceptions import NakineticsError, OutputError
from ._options import _output_check, cli_wording
from ._output import check_output_file, emit_json, figure_format, numbered_path, write_atomic

EXIT_FAILED_ROWS = 4
"""Exit code of a batch run in which a file or a spectrum failed."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Outcome:
    """What one item (a spectrum, a sweep) gave: everything the runner prints and writes, picklable so
    that it can come back from a worker process.

    ``files`` holds rendered outputs by kind (``"plot"``: figure bytes, ``"curve"``: CSV bytes); ``flagged``
    marks a result that fails a check the command may turn into an exit code (``validate --strict``).
    ``rows``, when given, are this item's rows of the ``--csv`` table in place of the one ``row`` (``cycling``:
    one per half-cycle)."""

    file: str
    index: int | None
    summary: str = ""
    report: str = ""
    record: dict[str, Any] | None = None
    row: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, bytes] = field(default_factory=dict)
    flagged: bool = False
    error: str | None = None
    notes: tuple[str, ...] = ()
    rows: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def failed(cls, file: str, index: int | None, error: str) -> Outcome:
        return cls(file, index, error=error)

    def table_rows(self) -> list[dict[str, Any]]:
        """This item's rows of the ``--csv`` table (its error alone when it failed)."""
        if self.error is not None:
            return [Failure(self.file, self.index, self.error).to_row()]
        return [
            {**row, "file": self.file, "index": self.index, "error": None} for row in self.rows or [self.row]
        ]

    def json_record(self) -> dict[str, Any]:
        if self.error is not None or self.record is None:
            return Failure(self.file, self.index, self.error or "no result").to_dict()
        return self.record


class Task(Protocol):
    """One command's work on one file: read its items, analyse one item into an :class:`Outcome`.

    A task is a picklable (frozen dataclass) description of the command's settings: workers receive it
    with each item."""

    def read(self, path: Path) -> Sequence[Any]:
        """The items of ``path`` (spectra, sweeps) to analyse; raises the reader's error."""
        ...

    def identify(self, item: Any) -> tuple[str, int | None]:
        """(file, index in the file) of ``item``, for the rows of a failure."""
        ...

    def analyse(self, item: Any) -> Outcome:
        """Everything the command reports for one item."""
        ...


# ---------------------------------------------------------------------------------------------- options


def inputs_argument(func: F) -> F:
    """``FILES...``: files, folders or glob patterns (one file: a plain run; more, a folder or a pattern:
    a batch run)."""
    return click.argument(
        "inputs", nargs=-1, required=True, metavar="FILES...", type=click.Path(path_type=Path)
    )(func)


_checked_csv = _output_check(check_output_file)


@dataclass(frozen=True)
class BatchOptions:
    """The options every batch-capable command has (:func:`batch_options`)."""

    csv_path: str | None = None
    workers: int = 1
    quiet: bool = False
    reports: bool = False


def batch_options(func: F | None = None, *, table: bool = True, table_help: str | None = None) -> Any:
    """``--csv PATH``, ``--workers N``, ``--quiet`` and ``--reports``, handed to the command as one
    ``batch: BatchOptions`` argument (put this decorator right above the function).  ``table=False``
    (``@batch_options(table=False)``) leaves out ``--csv``, for a command whose ``--csv`` writes per-item
    files of its own kind (``drt``: γ(τ) of each spectrum); ``table_help`` words ``--csv`` for a command whose
    rows are not spectra."""
    if func is None:
        return functools.partial(batch_options, table=table, table_help=table_help)

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        csv_path = kwargs.pop("csv_path") if table else None
        options = BatchOptions(csv_path, *(kwargs.pop(name) for name in ("workers", "quiet", "reports")))
        return func(*args, batch=options, **kwargs)

    wrapped: Any = command
    wrapped = click.option(
        "--reports",
        is_flag=True,
        help="Batch runs: print every spectrum's full report too, not only its summary line.",
    )(wrapped)
    wrapped = click.option(
        "--quiet", "-q", is_flag=True, help="No progress bar (it shows only on a terminal anyway)."
    )(wrapped)
    wrapped = click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=1,
        show_default=True,
        metavar="N",
        help="Analyse in N processes (0: one per CPU core); each uses one BLAS thread.",
    )(wrapped)
    if not table:
        return wrapped
    return click.option(
        "--csv",
        "csv_path",
        metavar="PATH|-",
        callback=_checked_csv,
        help=table_help
        or "Write one row per spectrum (file, index, results with units, error) as CSV ('-' = stdout).",
    )(wrapped)


@dataclass(frozen=True, kw_only=True)
class FileTask:
    """Base of the tasks: ``--index`` and ``--format`` for reading (spectra unless :meth:`read` is
    overridden), the figure format of ``--plot`` (``None``: no figure)."""

    index: int | None = None
    format: str | None = None
    plot_format: str | None = None

    def read(self, path: Path) -> Sequence[Any]:
        from ._options import selected_spectra

        return selected_spectra(path, self.index, self.format)

    def identify(self, item: Any) -> tuple[str, int | None]:
        return item.metadata.source or "-", item.metadata.index


def plot_format(plot_path: Path | None) -> str | None:
    """The figure format of a ``--plot`` path (``None`` without one)."""
    return None if plot_path is None else figure_format(plot_path)


# ---------------------------------------------------------------------------------------------- running


def is_batch(arguments: Sequence[Path]) -> bool:
    """Several inputs, a folder or a glob pattern make a batch run; one file does not."""
    if len(arguments) != 1:
        return True
    path = arguments[0]
    return path.is_dir() or (not path.exists() and has_pattern(str(path)))


def _analyse(task: Task, item: Any, capture: bool, debug: bool) -> Outcome:
    """``task.analyse(item)``; in a batch (``capture``) an error becomes a failed outcome and Python
    warnings are kept as notes.  Module level: this is what a worker process runs."""
    if not capture:
        return task.analyse(item)
    file, index = task.identify(item)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = task.analyse(item)
        except (NakineticsError, OSError, MemoryError) as exc:
            return Outcome.failed(file, index, str(exc) or type(exc).__name__)
        except Exception as exc:  # a bug on one spectrum must not stop the others
            if debug:
                raise
            return Outcome.failed(file, index, f"internal error ({type(exc).__name__}: {exc})")
    notes = tuple(f"{w.message} ({w.category.__name__})" for w in caught)
    return replace(outcome, notes=outcome.notes + notes) if notes else outcome


def _duration(seconds: float) -> str:
    """``42 s``, ``3:07`` (min:s) or ``2:03:07`` (h:min:s)."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


@contextlib.contextmanager
def progress(total: int, label: str, *, quiet: bool, stream: Any = None) -> Iterator[Callable[[], None]]:
    """A progress bar on ``stream`` (stderr) with the count, the rate and the time left; yields a function
    to call once per finished item.  Nothing is shown with ``quiet``, for fewer than two items or when the
    stream is not a terminal."""
    stream = sys.stderr if stream is None else stream
    if quiet or total < 2 or not stream.isatty():
        yield lambda: None
        return
    start = time.monotonic()
    done = 0
    with click.progressbar(
        length=total, label=label, file=stream, show_pos=True, item_show_func=lambda info: info
    ) as bar:

        def advance() -> None:
            nonlocal done
            done += 1
            rate = done / max(time.monotonic() - start, 1e-9)
            left = f", ETA {_duration((total - done) / rate)}" if done < total else ""
            bar.update(1, f"{rate:.2f}/s{left}")

        yield advance


def _run_all(
    task: Task, items: Sequence[Any], *, workers: int, capture: bool, label: str, quiet: bool
) -> list[Outcome]:
    """Outcomes of ``items`` in input order, in ``workers`` processes when there are several."""
    debug = bool((click.get_current_context().find_root().obj or {}).get("debug"))
    workers = min(workers or os.cpu_count() or 1, len(items))
    outcomes: list[Outcome | None] = [None] * len(items)
    with progress(len(items), label, quiet=quiet) as advance:
        if workers <= 1:
            for k, item in enumerate(items):
                outcomes[k] = _analyse(task, item, capture, debug)
                advance()
        else:
            from ..series.pools import ProcessPool  # one BLAS thread per worker; workers die with us

            with ProcessPool(workers) as pool:
                futures = {
                    pool.submit(_analyse, task, item, capture, debug): k for k, item in enumerate(items)
                }
                for future in pool.as_completed(futures):
                    k = futures[future]  # type: ignore[index]
                    try:
                        outcomes[k] = future.result()
                    except cf.process.BrokenProcessPool:
                        outcomes[k] = Outcome.failed(
                            *task.identify(items[k]), "the worker process died (out of memory?)"
                        )
                    advance()
    return [o for o in outcomes if o is not None]


def _read_all(
    task: Task, files: Sequence[Path], wording: Callable[[str], str]
) -> tuple[list[Any], list[Outcome]]:
    items: list[Any] = []
    failures: list[Outcome] = []
    for path in files:
        try:
            items += task.read(path)
        except (NakineticsError, OSError) as exc:
            failures.append(Outcome.failed(str(path), None, wording(str(exc) or type(exc).__name__)))
    return items, failures


# ---------------------------------------------------------------------------------------------- output


Key = tuple[str, int | None]
"""(file, index in the file) of an item: what ties an outcome to its per-item output paths."""


def _per_file_paths(template: Path, keys: Sequence[Key]) -> list[Path]:
    """``template``'s name with each item's file stem (and index, for files with several items):
    ``fit.png`` → ``fit_cell2.png``, ``fit_loops_3.png``; clashes get a counter."""
    counts: dict[str, int] = {}
    for file, _ in keys:
        counts[file] = counts.get(file, 0) + 1
    paths: list[Path] = []
    used: set[Path] = set()
    for file, index in keys:
        stem = f"{template.stem}_{Path(file).stem}"
        if counts[file] > 1:
            stem += f"_{index}"
        path = template.with_name(f"{stem}{template.suffix}")
        k = 2
        while path in used:
            path = template.with_name(f"{stem}-{k}{template.suffix}")
            k += 1
        used.add(path)
        paths.append(path)
    return paths


def output_plan(
    keys: Sequence[Key], templates: Mapping[str, Path | None], batch: bool
) -> dict[str, dict[Key, Path]]:
    """The per-item output path of every item (``keys``, in input order) by kind, decided once the items
    are read: ``PATH_<file>[_<n>]`` in a batch, ``PATH`` or ``PATH_<k>`` (k = position) for one file.  Each
    path is checked (:func:`~nakinetics.cli._output.check_output_file`) before any work: a folder, a
    read-only file or a missing folder at any of them stops the run before the analysis, not after it."""
    plan: dict[str, dict[Key, Path]] = {}
    for kind, template in templates.items():
        if template is None:
            continue
        paths = (
            _per_file_paths(template, keys)
            if batch
            else [numbered_path(template, k, len(keys)) for k in range(len(keys))]
        )
        plan[kind] = dict(zip(keys, paths, strict=True))
        for path in paths:
            check_output_file(path)
    return plan


def _write_files(outcomes: Sequence[Outcome], plan: Mapping[str, Mapping[Key, Path]]) -> list[Path]:
    """Write every outcome's files at their planned paths; one that cannot be written does not stop the
    others (an :class:`OutputError` listing the failures follows once all were tried)."""
    written: list[Path] = []
    failed: list[str] = []
    for kind, paths in plan.items():
        for outcome in outcomes:
            path = paths.get((outcome.file, outcome.index))
            if kind not in outcome.files or path is None:
                continue
            data = outcome.files[kind]
            try:
                write_atomic(path, lambda tmp, data=data: tmp.write_bytes(data))  # type: ignore[misc]
            except OutputError as exc:
                failed.append(str(exc))
                continue
            written.append(path)
    if failed:
        raise OutputError(
            f"{len(failed)} output file(s) could not be written ({'; '.join(failed)}); {len(written)} written"
        )
    return written


def write_table(outcomes: Sequence[Outcome], destination: str) -> None:
    """The ``--csv`` table: one row per outcome, the columns of :func:`~nakinetics.batch.table_columns`."""
    from ._csv import table_text

    rows = [row for o in outcomes for row in o.table_rows()]
    text = table_text(rows, table_columns(rows))
    if destination == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(destination, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _label(outcome: Outcome, several: bool, folder: str = "") -> str:
    name = outcome.file
    if folder:
        with contextlib.suppress(ValueError):
            name = os.path.relpath(name, folder)
    return name if outcome.index is None or not several else f"{name} [{outcome.index}]"


def _error_text(outcome: Outcome) -> str:
    """The error of a failed outcome on one line, without the file name it starts with."""
    from . import one_line

    error = one_line(outcome.error or "")
    for prefix in (outcome.file, Path(outcome.file).name):
        error = error.removeprefix(f"{prefix}: ")
    return error


def _common_folder(files: Sequence[Path]) -> str:
    """The folder all ``files`` lie in (``""`` when they do not share one)."""
    try:
        folder = os.path.commonpath([str(p.parent) for p in files]) if files else ""
    except ValueError:  # absolute and relative paths mixed
        return ""
    return "" if folder in ("", ".") else folder


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _batch_text(
    files: Sequence[Path], skipped: Sequence[tuple[Path, str]], outcomes: Sequence[Outcome]
) -> str:
    """The batch report: the inputs in natural order, one line per row (summary or error), the totals."""
    folder = _common_folder(files)
    lines = [f"{_plural(len(files), 'input file')}{f' in {folder}' if folder else ''} (natural order):"]
    lines += [f"  {os.path.relpath(p, folder) if folder else p}" for p in files]
    if skipped:
        lines.append(f"skipped {len(skipped)}: " + "; ".join(f"{p} ({why})" for p, why in skipped))
    per_file: dict[str, int] = {}
    for o in outcomes:
        per_file[o.file] = per_file.get(o.file, 0) + 1
    labels = [_label(o, per_file[o.file] > 1, folder) for o in outcomes]
    width = min(max((len(label) for label in labels), default=0), 60)
    lines.append("")
    for label, o in zip(labels, outcomes, strict=True):
        text = f"error: {_error_text(o)}" if o.error is not None else o.summary
        lines.append(f"{label:<{width}}  {text}")
    failed = sum(o.error is not None for o in outcomes)
    lines += [
        "",
        f"{_plural(len(outcomes), 'row')} from {_plural(len(files), 'file')}: "
        f"{len(outcomes) - failed} analysed, {failed} failed"
        + (f" (exit code {EXIT_FAILED_ROWS})" if failed else ""),
    ]
    return "\n".join(lines)


OWN_HEADERS = (b"file,index,", b"frequency/Hz,", b"{", b"[")
"""How the files nakinetics writes begin (a ``--csv`` table, a ``--curve-csv``, JSON)."""


def _written_by_us(path: Path) -> bool:
    """Whether the existing ``path`` is a file of the kind this program writes (a table, curve, JSON or
    figure) rather than data."""
    if path.suffix.lower() in NOT_DATA_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(OWN_HEADERS)


@dataclass(frozen=True)
class Outputs:
    """Where a command writes: ``--json``, ``--csv`` and per-item files by kind (``{"plot": PATH}``)."""

    json_path: str | None = None
    csv_path: str | None = None
    files: Mapping[str, Path | None] = field(default_factory=dict)

    def existing(self) -> list[Path]:
        """Existing files at this run's output paths (also the per-item files of an earlier run)."""
        paths = [Path(p) for p in (self.json_path, self.csv_path) if p not in (None, "-")]
        for template in filter(None, self.files.values()):
            paths.append(template)
            paths += template.parent.glob(f"{template.stem}_*{template.suffix}")
        return [p for p in paths if p.is_file()]


def _expand(arguments: Sequence[Path], outputs: Outputs) -> Inputs:
    """The inputs without this run's earlier outputs; an output path that holds data found in a folder or
    pattern is refused (it would be overwritten)."""
    existing = outputs.existing()
    own = [p for p in existing if _written_by_us(p)]
    expanded = expand_inputs(arguments, exclude=own)
    data = {p.resolve(): p for p in existing if p not in own}
    for path in expanded.files:
        if path.resolve() in data:
            raise OutputError(f"{data[path.resolve()]}: is the input file {path}; it would be overwritten")
    return expanded


def run(
    task: Task,
    arguments: Sequence[Path],
    batch_options: BatchOptions,
    *,
    json_path: str | None,
    files: Mapping[str, Path | None],
    label: str = "analysing",
    flagged_exit: int | None = None,
) -> list[Outcome]:
    """Read, analyse, print and write for ``arguments`` (see the module docstring): ``--json``, ``--csv``
    and per-item ``files`` by kind (``{"plot": PATH}``).  Exits with the code of a failed batch row (4)
    or, with ``flagged_exit``, of a flagged result.  Returns the outcomes."""
    outputs = Outputs(json_path, batch_options.csv_path, files)
    workers, quiet = batch_options.workers, batch_options.quiet
    command = click.get_current_context().command

    def wording(text: str) -> str:
        return cli_wording(text, command)

    text_to_stderr = "-" in (outputs.json_path, outputs.csv_path)
    batch = is_batch(arguments)
    if batch:
        if any(str(a) == "-" for a in arguments):
            raise click.UsageError("'-' (standard input) can only be the one input")
        expanded = _expand(arguments, outputs)
        items, failures = _read_all(task, expanded.files, wording)
        failures += [Outcome.failed(argument, None, why) for argument, why in expanded.problems]
        plan = output_plan([task.identify(item) for item in items], outputs.files, batch)
        done = _run_all(task, items, workers=workers, capture=True, label=label, quiet=quiet)
        done = [replace(o, error=wording(o.error)) if o.error else o for o in done]
        outcomes = _in_input_order([*done, *failures], [str(a) for a in expanded.files])
        for o in outcomes:
            for note in o.notes:
                click.echo(f"warning: {_label(o, True)}: {note}", err=True)
        if batch_options.reports:
            for o in outcomes:
                if o.error is None:
                    click.echo(f"== {_label(o, True)}\n{o.report}\n", err=text_to_stderr)
        click.echo(_batch_text(expanded.files, expanded.skipped, outcomes), err=text_to_stderr)
    else:
        items = task.read(arguments[0])
        plan = output_plan([task.identify(item) for item in items], outputs.files, batch)
        several = len(items) > 1  # one spectrum's failure must not lose the others' results
        outcomes = _run_all(task, items, workers=workers, capture=several, label=label, quiet=quiet)
        outcomes = [replace(o, error=wording(o.error)) if o.error else o for o in outcomes]
        for o in outcomes:
            for note in o.notes:
                click.echo(f"warning: {_label(o, True)}: {note}", err=True)
            if o.error is None:
                click.echo(o.report + "\n", err=text_to_stderr)
            else:
                echo_failure(Failure(o.file, o.index, o.error))
    try:
        _write_files(outcomes, plan)
    finally:  # the table and JSON are written even when a figure could not be
        if outputs.csv_path is not None:
            write_table(outcomes, outputs.csv_path)
        if outputs.json_path is not None:
            records = [o.json_record() for o in outcomes]
            emit_json(records[0] if len(records) == 1 and not batch else records, outputs.json_path)
    if any(o.error is not None for o in outcomes):
        sys.exit(EXIT_FAILED_ROWS)
    if flagged_exit is not None and any(o.flagged for o in outcomes):
        sys.exit(flagged_exit)
    return outcomes


def echo_failure(failure: Failure) -> None:
    """``error: <file> [<index>]: <why>`` on stderr (the file named once)."""
    from . import one_line

    text = one_line(failure.error)
    if Path(failure.file).name not in text:
        label = failure.file if failure.index is None else f"{failure.file} [{failure.index}]"
        text = f"{label}: {text}"
    click.echo(f"error: {text}", err=True)


def _in_input_order(outcomes: Sequence[Outcome], files: Sequence[str]) -> list[Outcome]:
    """File by file in input order (patterns that matched nothing last), then index within a file."""
    rank = {f: k for k, f in enumerate(files)}
    return sorted(outcomes, key=lambda o: (rank.get(o.file, len(rank)), -1 if o.index is None else o.index))
