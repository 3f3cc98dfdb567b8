"""Streaming batch scoring of CSV / Parquet files, and the Dask adapter.

A file is read in chunks (pyarrow's streaming CSV reader or Parquet row
batches), each chunk is scored with the same code as :func:`score`, and the
results are written as they come, so memory does not grow with the file.
Chunks can be scored in parallel worker processes (joblib); they are written
in input order. Input columns are passed through as the reader produced them
(CSV cells as the exact text of the cell), the output columns are appended.

Output goes to a temporary file beside the target that is renamed into place
only when everything succeeded: an error or Ctrl-C leaves no partial file.

Reading (delimiter, encoding, byte ranges for the workers) is in
:mod:`calcinosis_classify._reading`, encoding and writing the output in
:mod:`calcinosis_classify._writing`; this module plans and runs the batch.
"""

from __future__ import annotations

import difflib
import functools
import gc
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calcinosis_classify._atomic import AtomicOutput
from calcinosis_classify._reading import (
    DEFAULT_CHUNK_ROWS,
    ByteRange,
    Input,
    byte_ranges,
    delimiter,
    open_input,
    read_range,
    read_table,
    spool_stdin,
)
from calcinosis_classify._workers import PARALLEL_MIN_BYTES, default_jobs
from calcinosis_classify._writing import (
    CsvFormat,
    ParquetSink,
    ReportWriter,
    check_output,
    encode_rows,
    open_sink,
)
from calcinosis_classify.assessment import OUTPUT_COLUMNS, OUTPUT_DTYPES, score_arrays
from calcinosis_classify.columns import QUIET_CODES, column_problems, unmatched_sites
from calcinosis_classify.errors import ColumnClashError, InputError
from calcinosis_classify.intake import Intake, Units, check_unique_columns, read_cases
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.schema import FIELDS, normalise_column

__all__ = ["BatchSummary", "REPORT_COLUMNS", "output_meta", "read_table", "score_dask", "score_file"]

REPORT_COLUMNS = ("input_row", "case_id", "column", "value", "problem", "code", "field")


@dataclass
class BatchSummary:
    """What a batch run did.

    Attributes
    ----------
    rows : int
        Rows read and written.
    subtype_counts : dict of str to int
        Cases per top subtype (``indeterminate`` included, blank rows not).
    rows_with_warnings : int
        Rows with at least one data warning.
    problems : int
        Data problems found (cells, plus whole-input problems such as an
        unrecognised column, plus rows whose case id is not unique).
    seconds : float
        Wall time.
    notes : list of str
        How the input was read (column aliases, assumed encoding...).
    blank_rows : int
        Rows without any value (lines of only separators): written, not cases.
    duplicate_ids : dict of str to list of int
        Case ids found on more than one row, with those rows (1-based data rows); at most
        :data:`SUMMARY_DUPLICATES` ids (the report lists every row).
    duplicate_id_count, duplicate_rows : int
        How many case ids are not unique, and on how many rows in all.
    column_problems : list of dict
        Problems of whole columns (see :func:`calcinosis_classify.columns.column_problems`): misspelt or
        ignored columns, units no field knows, lesion-site text that matched no site group.
    """

    rows: int = 0
    subtype_counts: dict[str, int] = field(default_factory=dict)
    rows_with_warnings: int = 0
    problems: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    blank_rows: int = 0
    duplicate_ids: dict[str, list[int]] = field(default_factory=dict)
    duplicate_id_count: int = 0
    duplicate_rows: int = 0
    column_problems: list[dict[str, Any]] = field(default_factory=list)

    def text(self, output: str) -> str:
        """A one-screen human summary."""
        lines = [f"scored {self.rows:,} rows in {self.seconds:.2f} s -> {output}"]
        for name, count in sorted(self.subtype_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {name:<14} {count:>10,}")
        lines.append(f"  rows with data warnings: {self.rows_with_warnings:,} ({self.problems:,} problems)")
        if self.blank_rows:
            lines.append(f"  blank rows (no value in any column; written, not scored as cases): {self.blank_rows:,}")
        if self.duplicate_id_count:
            shown = "; ".join(f"{k!r} on rows {_row_list(v)}" for k, v in list(self.duplicate_ids.items())[:3])
            more = "; ..." if self.duplicate_id_count > 3 else ""
            lines.append(f"  duplicate case ids: {self.duplicate_id_count:,} ids on {self.duplicate_rows:,} rows "
                         f"({shown}{more})")
        lines.extend(_column_lines(self.column_problems))
        return "\n".join(lines)


SUMMARY_DUPLICATES = 100


def _row_list(rows: list[int], most: int = 10) -> str:
    text = ", ".join(str(r) for r in rows[:most])
    return text + (f", ... ({len(rows)} rows)" if len(rows) > most else "")


def _column_lines(problems: list[dict[str, Any]], most: int = 8) -> list[str]:
    """Summary lines for the column problems: ignored columns on one line, the rest one per line."""
    if not problems:
        return []
    ignored = [str(p["column"]) for p in problems if p["code"] == "ignored_column"]
    other = [str(p["message"]) for p in problems if p["code"] != "ignored_column"]
    lines = ["  columns:"]
    lines += [f"    {m}" for m in other[:most]]
    if len(other) > most:
        lines.append(f"    ... and {len(other) - most} more (all in --report)")
    if ignored:
        names = ", ".join(repr(n) for n in ignored[:most]) + (", ..." if len(ignored) > most else "")
        lines.append(f"    columns ignored (not input fields, passed through): {names}")
    return lines


def _check_columns(names: list[str], prefix: str, source: str) -> Intake:
    """Refuse inputs the scorer cannot use as a whole, with the reason and the fix; returns the intake of
    the header alone (column matches, notes and whole-input warnings)."""
    check_unique_columns(names, source)
    clash = [prefix + c for c in OUTPUT_COLUMNS if prefix + c in names]
    if clash:
        raise ColumnClashError(clash)
    probe = read_cases(pd.DataFrame({n: pd.Series([], dtype=object) for n in names}))
    if probe.columns:
        return probe
    known = sorted({k for f in FIELDS for k in (f.name, *f.aliases)})
    hints = []
    for name in names:
        close = difflib.get_close_matches(normalise_column(name), known, n=1, cutoff=0.6)
        if close:
            hints.append(f"{name!r} -> {close[0]!r}")
    expected = ", ".join(f.name for f in FIELDS if f.contract)
    closest = f"; closest matches: {', '.join(hints)}" if hints else ""
    raise InputError(f"no recognisable input column in {source} (columns: "
                     f"{', '.join(map(repr, names[:10]))}{'...' if len(names) > 10 else ''}); "
                     f"expected names such as {expected}{closest}")


# --------------------------------------------------------------------------- scoring one chunk


@dataclass
class _ChunkResult:
    key: int  # the chunk's place in the input
    rows: int
    columns: dict[str, pa.Array]
    csv: bytes | str | None  # encoded rows, or the spool file holding them
    warnings: pd.DataFrame
    counts: dict[str, int]  # rows per top subtype (blank rows not counted)
    rows_with_warnings: int
    blank_rows: int
    sites: dict[str, int]  # lesion-site texts that matched no site group, with their row counts
    ids: np.ndarray | None  # case-id hashes (see _id_hashes)
    # Whole-column problems found in this chunk's data (a column that looks like the other unit system, say):
    # (code, column, field, message).
    column_problems: list[tuple[str, str, str, str]] = field(default_factory=list)


_PARALLEL_MIN_BYTES = PARALLEL_MIN_BYTES


def _spool_ipc(table: pa.Table, path: str) -> str:
    """Write a chunk as an Arrow IPC file for a worker to map (no copy through the pipe)."""
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return path


def _spool_dir() -> tempfile.TemporaryDirectory[str]:
    """Where chunks travel between the reader and the workers: shared memory when the system has it."""
    shm = "/dev/shm"
    base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
    return tempfile.TemporaryDirectory(prefix="calcinosis-", dir=base)


@functools.lru_cache(maxsize=4)
def _load_model(path: str, mtime_ns: int) -> Any:
    """The model file, loaded (and verified) once per process."""
    from calcinosis_classify.persistence import load_model

    return load_model(path)


def _output_types(units: Units, thresholds: Thresholds, strict_units: bool, model: str | None
                  ) -> dict[str, pa.DataType]:
    """Arrow type of every output column (rules, then model columns), from scoring an empty frame."""
    cols, _ = score_arrays(pd.DataFrame({"case_id": pd.Series([], dtype=object)}), units=units,
                           thresholds=thresholds, strict_units=strict_units,
                           model=_load_model(model, os.stat(model).st_mtime_ns) if model else None)
    kinds = {"f": pa.float64(), "b": pa.bool_()}
    return {name: _ARROW_TYPES.get(name, kinds.get(np.asarray(v).dtype.kind, pa.string()))
            for name, v in cols.items()}


@dataclass(frozen=True)
class _ChunkJob:
    """What every chunk of a run is scored with (sent to the worker processes with each chunk)."""

    units: Units
    thresholds: Thresholds
    strict_units: bool
    prefix: str
    case_column: str | None
    model: str | None
    types: Mapping[str, pa.DataType]
    fmt: CsvFormat | None  # how to encode the rows here; None: they are not encoded (Parquet output)
    spool: str | None  # where to hand encoded rows back (a file each) rather than through the pipe


def _score_chunk(chunk: pa.Table | str | ByteRange, key: int, job: _ChunkJob) -> _ChunkResult:
    """Score one chunk: a table, the path of a spooled Arrow IPC file (read, then removed), or a byte range
    of the CSV file to parse here. Report rows are numbered from 1 within the chunk."""
    # Scoring allocates many arrays and no reference cycles: the cyclic collector only costs time here.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _score_chunk_now(chunk, key, job)
    finally:
        if collecting:
            gc.enable()


def _chunk_table(chunk: pa.Table | str | ByteRange, fmt: CsvFormat | None) -> tuple[pa.Table, bytes | None]:
    """The chunk as a table, and its input text when the output may reuse it (a byte range of a UTF-8 file
    whose delimiter is the output's)."""
    if isinstance(chunk, ByteRange):
        table, raw = read_range(chunk)
        reusable = fmt is not None and chunk.plan.delimiter == fmt.delimiter and chunk.plan.encoding == "utf-8"
        return table, raw if reusable else None
    if isinstance(chunk, str):
        table = pa.ipc.open_stream(pa.memory_map(chunk)).read_all()
        os.unlink(chunk)
        return table, None
    return chunk, None


def _score_chunk_now(chunk: pa.Table | str | ByteRange, key: int, job: _ChunkJob) -> _ChunkResult:
    table, raw = _chunk_table(chunk, job.fmt)
    frame = table.to_pandas()
    model = _load_model(job.model, os.stat(job.model).st_mtime_ns) if job.model else None
    cols, intake = score_arrays(frame, units=job.units, thresholds=job.thresholds, strict_units=job.strict_units,
                                model=model)
    arrays = {job.prefix + name: _arrow_column(values, job.types.get(name, _ARROW_TYPES.get(name)))
              for name, values in cols.items()}
    report = _chunk_report(intake.warnings, frame, job.case_column)
    blank = report["input_row"].to_numpy()[report["code"].to_numpy() == "blank_row"] - 1
    subtypes = cols["subtype"]
    if blank.size:  # blank rows are no cases: they are not counted as indeterminate ones
        keep = np.ones(len(frame), dtype=bool)
        keep[blank] = False
        subtypes = subtypes.filter(pa.array(keep))
    counts = pc.value_counts(subtypes)
    encoded: bytes | str | None = None
    if job.fmt is not None:
        # The whole output row block as CSV, here in the worker: the writer only appends bytes.
        encoded = encode_rows(table, arrays, raw, job.fmt)
        arrays = {}
        if job.spool is not None:
            path = os.path.join(job.spool, f"out-{key}.csv")
            with open(path, "wb") as f:
                f.write(encoded)
            encoded = path
    return _ChunkResult(key, table.num_rows, arrays, encoded, report,
                        dict(sorted(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(),
                                        strict=True))),
                        int(pc.sum(pc.not_equal(cols["warnings"], ""), min_count=0).as_py()),
                        int(blank.size), dict(unmatched_sites(intake)), _id_hashes(frame, job.case_column),
                        _whole_column_problems(intake.warnings))


def _whole_column_problems(warnings: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    whole = warnings[warnings["row"].isna()]
    return list(zip(whole["code"], whole["column"], whole["field"], whole["message"], strict=True))


def _chunk_report(warnings: pd.DataFrame, frame: pd.DataFrame, case_column: str | None) -> pd.DataFrame:
    """The report rows of a chunk's cell problems (rows numbered from 1 within the chunk)."""
    cell = warnings[warnings["row"].notna()]
    rows = cell["row"].to_numpy(dtype=np.int64)
    return pd.DataFrame({
        "input_row": rows + 1,
        "case_id": frame[case_column].to_numpy(dtype=object)[rows] if case_column is not None else None,
        "column": cell["column"].to_numpy(dtype=object),
        "value": cell["value"].to_numpy(dtype=object),
        "problem": cell["message"].to_numpy(dtype=object),
        "code": cell["code"].to_numpy(dtype=object),
        "field": cell["field"].to_numpy(dtype=object),
    }, columns=list(REPORT_COLUMNS))


def _id_hashes(frame: pd.DataFrame, case_column: str | None) -> np.ndarray | None:
    """A 64-bit hash of every row's case id (0 for a blank id), so duplicates can be found across the
    whole input without holding its ids."""
    if case_column is None:
        return None
    ids = frame[case_column]
    text = ids if ids.dtype == object or isinstance(ids.dtype, pd.StringDtype) else ids.astype(str)
    blank = (text.isna() | (text.fillna("") == "")).to_numpy(dtype=bool)
    hashes = pd.util.hash_array(text.fillna("").to_numpy(dtype=object))
    hashes[blank] = 0
    return hashes


def _arrow_column(values: Any, kind: pa.DataType | None) -> pa.Array:
    """An output column as an Arrow array of type ``kind`` (Arrow arrays are passed through or cast)."""
    if isinstance(values, pa.Array):
        return values if kind is None or values.type == kind else values.cast(kind)
    return pa.array(values, type=kind, from_pandas=True)


_ARROW_TYPES: Mapping[str, pa.DataType] = {
    name: pa.float64() if dtype == "float64" else pa.string() for name, dtype in OUTPUT_DTYPES.items()}


# --------------------------------------------------------------------------- the run
#
# score_file plans the run (open_input, _plan_run: everything that can refuse the input, before any output
# exists), opens the outputs (_Outputs: temporary files beside the targets), runs the chunks through the
# scorer (_run_chunks, _write_result) and commits (_finish). A _Run carries what planning decided and what
# the run has counted so far.


def _progress_bar(total: int | None, unit: str, enabled: bool) -> Any:
    # tqdm.auto picks the notebook widget when it can; only import it when a bar is wanted (it warns
    # in a notebook without ipywidgets even for a disabled bar).
    if enabled:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=total, unit=unit, unit_scale=True, disable=not enabled, file=sys.stderr,
                desc="scoring", leave=False)


@dataclass
class _Run:
    """One run of :func:`score_file`: what planning decided, and what the run has counted so far."""

    input: Input
    units: Units
    thresholds: Thresholds
    strict_units: bool
    prefix: str
    model: str | None
    chunk_rows: int
    n_jobs: int
    header: Intake  # the intake of the header alone: column matches, notes, whole-input warnings
    types: dict[str, pa.DataType]  # Arrow type of every output column (unprefixed names)
    bar: Any
    summary: BatchSummary = field(default_factory=BatchSummary)
    counts: Counter[str] = field(default_factory=Counter)
    sites: Counter[str] = field(default_factory=Counter)  # unmatched lesion-site texts
    id_hashes: list[np.ndarray] = field(default_factory=list)
    columns_said: set[tuple[str, str]] = field(default_factory=set)  # whole-column problems already reported

    @property
    def case_column(self) -> str | None:
        return self.header.columns.get("case_id")

    def empty_output(self) -> pa.Table:
        """No rows, every column of the output: what a header-only input gives, and what a sink needs to
        write the header of rows that come already encoded."""
        schema = pa.schema([*self.input.schema, *(pa.field(self.prefix + n, t) for n, t in self.types.items())])
        return schema.empty_table()

    def tick(self, position: int) -> None:
        self.bar.update(position - self.bar.n)

    def record(self, result: _ChunkResult) -> pd.DataFrame:
        """Count a chunk's results; returns its report rows, numbered in the whole input."""
        self.counts.update(result.counts)
        result.warnings["input_row"] += self.summary.rows
        self.summary.rows += result.rows
        self.summary.rows_with_warnings += result.rows_with_warnings
        self.summary.problems += len(result.warnings)
        self.summary.blank_rows += result.blank_rows
        self.sites.update(result.sites)
        if result.ids is not None:
            self.id_hashes.append(result.ids)
        return result.warnings

    def job(self, spool: str | None, fmt: CsvFormat | None) -> _ChunkJob:
        return _ChunkJob(self.units, self.thresholds, self.strict_units, self.prefix, self.case_column, self.model,
                         self.types, fmt, spool)


def _plan_run(src: Input, *, units: Units, thresholds: Thresholds, strict_units: bool,
              prefix: str, model: str | None, chunk_rows: int, jobs: int | None, progress: bool | None) -> _Run:
    """Everything that can refuse the input as a whole, before any output exists: columns, output names,
    the model (loaded, so verified), the number of worker processes."""
    header = _check_columns(src.names, prefix, src.source)
    types = _output_types(units, thresholds, strict_units, model)
    clash = [prefix + c for c in types if prefix + c in src.names]
    if clash:
        raise ColumnClashError(clash)
    n_jobs = jobs if jobs is not None else default_jobs()
    if n_jobs < 1:
        raise InputError(f"jobs must be at least 1, got {n_jobs}")
    if src.total_rows is not None and src.total_rows <= chunk_rows:
        n_jobs = 1
    elif src.total_rows is None and os.path.getsize(src.path) < _PARALLEL_MIN_BYTES:
        n_jobs = 1
    show = sys.stderr.isatty() if progress is None else progress
    bar = (_progress_bar(src.total_rows, "rows", show) if src.plan is None
           else _progress_bar(os.path.getsize(src.path), "B", show))
    run = _Run(src, units, thresholds, strict_units, prefix, model, chunk_rows, n_jobs, header, types, bar)
    run.summary.notes.extend([*src.notes, *header.notes])
    return run


class _Outputs:
    """The output (a file or standard output), the report and the spool directory of one run.

    Files are written beside their targets and renamed into place by :meth:`commit`; leaving the ``with``
    block on an exception removes them instead, so an error or Ctrl-C leaves no partial file.
    """

    def __init__(self, output: str, report: str | None, n_jobs: int, fmt: CsvFormat):
        self.atomic = AtomicOutput(output) if output != "-" else None
        self.report: ReportWriter | None = None
        self.stream: Any = None
        self.spool: tempfile.TemporaryDirectory[str] | None = None
        try:
            self.report = ReportWriter(report) if report else None
            self.sink, self.stream = open_sink(output, self.atomic, fmt)
            # Worker processes get their chunks, and return their rows, through files (a pipe costs copies).
            self.spool = _spool_dir() if n_jobs > 1 else None
        except BaseException:
            self._discard()
            raise

    def __enter__(self) -> _Outputs:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        try:
            if kind is not None:
                self._discard()
        finally:
            if self.spool is not None:
                self.spool.cleanup()

    def commit(self) -> None:
        self.sink.close()
        if self.stream is not None:
            self.stream.close()
        if self.atomic is not None:
            self.atomic.commit()
        if self.report is not None:
            self.report.commit()

    def _discard(self) -> None:
        if self.stream is not None and not self.stream.closed:
            self.stream.close()
        if isinstance(getattr(self, "sink", None), ParquetSink):
            self.sink.close()
        if self.atomic is not None:
            self.atomic.discard()
        if self.report is not None:
            self.report.discard()


def _report_whole_input(run: _Run, out: _Outputs) -> None:
    """The problems of the input as a whole (an unknown column, say): report rows without a row number.
    Columns that are merely not input fields are listed too, but are no data problem."""
    problems = [p for p in column_problems(run.header, {}) if p["code"] != "unmatched_site"]
    run.summary.problems += sum(p["code"] not in QUIET_CODES for p in problems)
    # Chunks find the same whole-column problems again: each is said once.
    run.columns_said.update((str(p["code"]), str(p["column"])) for p in problems)
    run.columns_said.update(zip(run.header.warnings["code"], run.header.warnings["column"], strict=True))
    _report_columns(out, problems)


def _report_columns(out: _Outputs, problems: list[dict[str, Any]]) -> None:
    if out.report is None or not problems:
        return
    whole = pd.DataFrame(problems)
    out.report.write(pd.DataFrame({
        "input_row": pd.array([None] * len(whole), dtype="Int64"), "case_id": None,
        "column": whole["column"], "value": whole["value"], "problem": whole["message"],
        "code": whole["code"], "field": whole["field"]}, columns=list(REPORT_COLUMNS)))


def _run_chunks(run: _Run, out: _Outputs) -> None:
    """Score every chunk (in worker processes when there are several jobs) and write the results in input
    order."""
    from joblib import Parallel, delayed

    src, spool = run.input, out.spool
    encode = out.sink.fmt is not None
    # A plain CSV file scored by worker processes is split into byte ranges that the workers read and parse
    # themselves; otherwise chunks are parsed here and handed over.
    ranges = (byte_ranges(src.path, src.plan, run.chunk_rows, src.source, src.bad, run.tick)
              if spool is not None and encode and src.plan is not None else None)
    chunks: Iterator[pa.Table | ByteRange] = (ranges if ranges is not None
                                               else src.batches(run.chunk_rows, run.tick))
    # Chunks wait here, by key, until their results come back: their columns are written unchanged and never
    # travel back from a worker. (joblib may pull tasks from another thread; dict insertion and pop are
    # atomic.)
    pending: dict[int, pa.Table | ByteRange] = {}
    job = run.job(spool.name if spool is not None else None, out.sink.fmt)

    def calls() -> Iterator[Any]:
        for key, chunk in enumerate(chunks):
            pending[key] = chunk
            payload = (chunk if spool is None or isinstance(chunk, ByteRange)
                       else _spool_ipc(chunk, os.path.join(spool.name, f"in-{key}.arrows")))
            yield delayed(_score_chunk)(payload, key, job)

    with Parallel(n_jobs=run.n_jobs, return_as="generator", pre_dispatch="2*n_jobs") as parallel:
        try:
            for result in parallel(calls()):
                _write_result(run, out, pending.pop(result.key), result)
        except pa.ArrowInvalid as exc:
            raise src.error(exc) from None


def _write_result(run: _Run, out: _Outputs, chunk: pa.Table | ByteRange, result: _ChunkResult) -> None:
    """Write one scored chunk, count it and append its report rows."""
    if isinstance(chunk, ByteRange):
        run.tick(chunk.stop)
    if result.csv is None:  # the output is not CSV: the chunk's own columns, then the results
        table = chunk
        assert isinstance(table, pa.Table)
        for name, arr in result.columns.items():
            table = table.append_column(name, arr)
        out.sink.write(table)
    elif isinstance(result.csv, str):  # rows encoded into a spool file; the sink needs only the header
        out.sink.write_file(run.empty_output(), result.csv)
        os.unlink(result.csv)
    else:
        out.sink.write(run.empty_output(), result.csv)
    report = run.record(result)
    if out.report is not None:
        out.report.write(report)
    _report_chunk_columns(run, out, result)


def _report_chunk_columns(run: _Run, out: _Outputs, result: _ChunkResult) -> None:
    """Whole-column problems a chunk's data revealed, each (code and column) said once: a note of the summary
    and a report row without an input row (its message counts the rows of the first chunk that showed it)."""
    for code, column, field_name, message in result.column_problems:
        if (code, column) in run.columns_said:
            continue
        run.columns_said.add((code, column))
        run.summary.notes.append(message)
        run.summary.problems += 1
        if out.report is not None:
            out.report.write(pd.DataFrame({
                "input_row": pd.array([None], dtype="Int64"), "case_id": None, "column": [column], "value": [column],
                "problem": [message], "code": [code], "field": [field_name]}, columns=list(REPORT_COLUMNS)))


def _finish(run: _Run, out: _Outputs) -> None:
    """What needs the whole input (duplicate case ids, unmatched site text), then commit the outputs."""
    if run.summary.rows == 0:
        out.sink.write(run.empty_output())  # header only: a valid, header-only output
    _report_duplicate_ids(run, out)
    sites = column_problems(run.header, run.sites)
    _report_columns(out, [p for p in sites if p["code"] == "unmatched_site"])
    run.summary.column_problems = sites
    out.commit()
    run.summary.subtype_counts = dict(run.counts)


def _duplicate_rows(hashes: list[np.ndarray]) -> np.ndarray:
    """0-based rows whose (non-blank) case-id hash another row shares, in input order."""
    if not hashes:
        return np.empty(0, dtype=np.int64)
    every = np.concatenate(hashes)
    order = np.argsort(every, kind="stable")
    ranked = every[order]
    same = ranked[1:] == ranked[:-1]
    dup = np.zeros(ranked.size, dtype=bool)
    dup[1:] |= same
    dup[:-1] |= same
    return np.sort(order[dup & (ranked != 0)])


def _report_duplicate_ids(run: _Run, out: _Outputs) -> None:
    """Flag every row whose case id is also on another row (summary and report). Only hashes travel during
    the run; the ids of the rows concerned are read again here, so a file without duplicates costs nothing
    more."""
    rows = _duplicate_rows(run.id_hashes)
    column = run.case_column
    if not rows.size or column is None:
        return
    ids: list[Any] = []
    done = 0
    for table in run.input.batches(run.chunk_rows, lambda position: None, columns=[column]):
        inside = rows[(rows >= done) & (rows < done + table.num_rows)] - done
        ids += table.column(0).take(pa.array(inside)).to_pylist()
        done += table.num_rows
    groups: dict[str, list[int]] = {}
    for row, case in zip(rows.tolist(), ids, strict=True):
        groups.setdefault(str(case), []).append(row + 1)
    groups = {k: v for k, v in groups.items() if len(v) > 1}  # (a hash shared by different ids)
    flagged = [(r, k, v) for k, v in groups.items() for r in v]
    flagged.sort()
    summary = run.summary
    summary.duplicate_id_count, summary.duplicate_rows = len(groups), len(flagged)
    summary.duplicate_ids = dict(list(groups.items())[:SUMMARY_DUPLICATES])
    summary.problems += len(flagged)
    if out.report is not None and flagged:
        out.report.write(pd.DataFrame({
            "input_row": [r for r, _, _ in flagged], "case_id": [k for _, k, _ in flagged], "column": column,
            "value": [k for _, k, _ in flagged],
            "problem": [f"case id {k!r} is on {len(v)} rows: {_row_list(v)}" for _, k, v in flagged],
            "code": "duplicate_case_id", "field": "case_id"}, columns=list(REPORT_COLUMNS)))


def score_file(input: str, output: str = "-", *, units: Units = "conventional",
               thresholds: Thresholds | dict[str, float] | None = None, strict_units: bool = False,
               prefix: str = "", sep: str | None = None, report: str | None = None, jobs: int | None = None,
               chunk_rows: int | None = None, progress: bool | None = None, model: str | None = None,
               out_sep: str | None = None, excel: bool = False) -> BatchSummary:
    """Score a CSV or Parquet file chunk by chunk.

    Parameters
    ----------
    input : str
        Path of a CSV (optionally ``.gz``/``.bz2``) or Parquet file, or ``-``
        for CSV on standard input.
    output : str
        Path of the CSV (``.csv``, ``.csv.gz``) or Parquet output, or ``-``
        for CSV on standard output. Written atomically.
    units, thresholds, strict_units, prefix
        As for :func:`calcinosis_classify.score`.
    sep : str, optional
        CSV delimiter (``"tab"`` or ``"\\t"`` for a tab); sniffed from the first lines when omitted.
    report : str, optional
        Write every data problem to this CSV (``-``: standard error): input row
        (1-based data row), case id, column, value, problem, code, field.
    jobs : int, optional
        Worker processes; default: the machine's cores (at most 4), and one
        (in-process) when the input is a single chunk.
    chunk_rows : int, optional
        Rows per chunk (default :data:`DEFAULT_CHUNK_ROWS`, 32,768).
    progress : bool, optional
        Show a progress bar; default: when standard error is a terminal.
    model : str, optional
        Path of a model file (:func:`calcinosis_classify.persistence.save_model`): adds the model's
        columns (``model_subtype``, ``model_proba_<subtype>``, ``agreement``, and for a hybrid
        ``hybrid_subtype``, ``decided_by``, ``hybrid_urgency``). It is verified and loaded once per
        worker process, before any output is written.
    out_sep : str, optional
        Delimiter of CSV output; default: the input's (a comma for Parquet input).
    excel : bool
        Start CSV output with a UTF-8 byte-order mark, so Excel reads its text right.

    Returns
    -------
    BatchSummary

    Raises
    ------
    InputError
        When the input cannot be used as a whole (missing, empty, ragged,
        duplicate or unrecognisable columns, output-name clash, a spreadsheet
        output name); nothing is written then. Its subclasses
        ``DuplicateColumnError`` and ``ColumnClashError`` carry the columns.
    """
    start = time.perf_counter()
    th = Thresholds.coerce(thresholds)
    if units not in ("conventional", "si"):
        raise InputError(f"units must be 'conventional' or 'si', got {units!r}")
    chunk_rows = DEFAULT_CHUNK_ROWS if chunk_rows is None else chunk_rows
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be a positive integer, got {chunk_rows}")
    check_output(output)
    out_delimiter = delimiter(out_sep, "out_sep") if out_sep is not None else None
    spooled = spool_stdin() if input == "-" else None
    try:
        src = open_input(spooled or input, input, delimiter(sep, "sep") if sep is not None else None)
        fmt = CsvFormat(out_delimiter or (src.plan.delimiter if src.plan is not None else ","), bom=excel)
        run = _plan_run(src, units=units, thresholds=th, strict_units=strict_units, prefix=prefix, model=model,
                        chunk_rows=chunk_rows, jobs=jobs, progress=progress)
        try:
            with _Outputs(output, report, run.n_jobs, fmt) as out:
                _report_whole_input(run, out)
                _run_chunks(run, out)
                _finish(run, out)
        finally:
            run.bar.close()
    finally:
        if spooled:
            Path(spooled).unlink(missing_ok=True)
    run.summary.seconds = time.perf_counter() - start
    return run.summary


# --------------------------------------------------------------------------- Dask


def output_meta(input_meta: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """The empty frame :func:`score` returns for inputs shaped like ``input_meta``.

    Built from the declared output schema (``OUTPUT_DTYPES``), not by running
    the scorer, so it can serve as Dask's ``meta``.
    """
    out = pd.DataFrame({prefix + name: pd.Series([], dtype=dtype) for name, dtype in OUTPUT_DTYPES.items()},
                       index=input_meta.index[:0])
    return pd.concat([input_meta.iloc[:0], out], axis=1)


def score_dask(ddf: Any, *, units: Units = "conventional", thresholds: Thresholds | dict[str, float] | None = None,
               strict_units: bool = False, prefix: str = "") -> Any:
    """Score a ``dask.dataframe.DataFrame`` partition by partition.

    Each partition goes through :func:`calcinosis_classify.score` unchanged
    (rows never interact), with ``meta`` taken from the declared output
    schema. Requires the ``[dask]`` extra.

    Examples
    --------
    >>> import dask.dataframe as dd                                  # doctest: +SKIP
    >>> scored = score_dask(dd.read_csv("extract-*.csv", dtype=str))  # doctest: +SKIP
    >>> scored.to_parquet("scored/")                                  # doctest: +SKIP
    """
    from calcinosis_classify.assessment import score

    th = Thresholds.coerce(thresholds)
    clash = [prefix + c for c in OUTPUT_COLUMNS if prefix + c in ddf.columns]
    if clash:
        raise ColumnClashError(clash)
    return ddf.map_partitions(score, units=units, thresholds=th, strict_units=strict_units, prefix=prefix,
                              meta=output_meta(ddf._meta, prefix))
