"""Streaming batch scoring of CSV / Parquet files, and the Dask adapter.

A file is read in chunks (pyarrow's streaming CSV reader or Parquet row
batches), each chunk is scored with the same code as :func:`score`, and the
results are written as they come, so memory does not grow with the file.
Chunks can be scored in parallel worker processes (joblib); they are written
in input order. Input columns are passed through as the reader produced them
(CSV cells as the exact text of the cell), the output columns are appended.

Output goes to a temporary file beside the target that is renamed into place
only when everything succeeded: an error or Ctrl-C leaves no partial file.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import gc
import io
import mmap
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from calcinosis_classify._atomic import AtomicOutput
from calcinosis_classify._workers import PARALLEL_MIN_BYTES, default_jobs
from calcinosis_classify.assessment import OUTPUT_COLUMNS, OUTPUT_DTYPES, score_arrays
from calcinosis_classify.errors import ColumnClashError, InputError
from calcinosis_classify.intake import Intake, Units, read_cases
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.schema import FIELDS

__all__ = ["BatchSummary", "REPORT_COLUMNS", "output_meta", "score_dask", "score_file"]

REPORT_COLUMNS = ("input_row", "case_id", "column", "value", "problem", "code", "field")
DEFAULT_CHUNK_ROWS = 32_768
_SAMPLE_BYTES = 1 << 20
_PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass
class BatchSummary:
    """What a batch run did.

    Attributes
    ----------
    rows : int
        Rows read and written.
    subtype_counts : dict of str to int
        Rows per top subtype (``indeterminate`` included).
    rows_with_warnings : int
        Rows with at least one data warning.
    problems : int
        Data problems found (cells, plus whole-input problems such as an
        unrecognised column).
    seconds : float
        Wall time.
    notes : list of str
        How the input was read (column aliases, assumed encoding...).
    """

    rows: int = 0
    subtype_counts: dict[str, int] = field(default_factory=dict)
    rows_with_warnings: int = 0
    problems: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def text(self, output: str) -> str:
        """A one-screen human summary."""
        lines = [f"scored {self.rows:,} rows in {self.seconds:.2f} s -> {output}"]
        for name, count in sorted(self.subtype_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {name:<14} {count:>10,}")
        lines.append(f"  rows with data warnings: {self.rows_with_warnings:,} ({self.problems:,} problems)")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def _is_parquet(path: str) -> bool:
    return path.lower().endswith(_PARQUET_SUFFIXES)


_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".lz4": "lz4"}


def _open_bytes(path: str) -> tuple[pa.NativeFile, pa.NativeFile]:
    """(byte stream of the file, decompressed by extension; the raw file, whose position shows progress)."""
    raw = pa.OSFile(path, "rb")
    codec = _COMPRESSION.get(Path(path).suffix.lower())
    return (pa.CompressedInputStream(raw, codec) if codec else raw), raw


def _sample(path: str) -> bytes:
    stream, raw = _open_bytes(path)
    with stream, raw:
        return bytes(stream.read(_SAMPLE_BYTES))


def _decode_sample(sample: bytes) -> tuple[str, str, str | None]:
    """Text of the sample, the encoding to read with, and a note when it is not UTF-8."""
    try:
        # An incremental decoder tolerates a multi-byte character cut at the end of the sample.
        return codecs.getincrementaldecoder("utf-8-sig")().decode(sample), "utf-8", None
    except UnicodeDecodeError as exc:
        return (sample.decode("latin-1"), "latin-1",
                f"input is not valid UTF-8 (byte 0x{sample[exc.start]:02x} at offset {exc.start}); "
                f"read it as Latin-1")


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        # One column, or no delimiter consistent across lines: the commonest candidate in the header.
        counts = {d: lines[0].count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


@dataclass
class _CsvPlan:
    names: list[str]
    delimiter: str
    encoding: str
    note: str | None


def _plan_csv(path: str, sep: str | None) -> _CsvPlan:
    if os.path.getsize(path) == 0:
        raise InputError(f"input file is empty: {path}")
    text, encoding, note = _decode_sample(_sample(path))
    if not text.strip():
        raise InputError(f"input has no header row: {path}")
    delimiter = sep if sep is not None else _sniff_delimiter(text)
    if len(delimiter) != 1:
        raise InputError(f"--sep must be a single character, got {delimiter!r}")
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    names = [h for h in header]
    if not any(n.strip() for n in names):
        raise InputError(f"input has no header row: {path}")
    return _CsvPlan(names, delimiter, encoding, note)


class _BadRows:
    """Remembers the first malformed row pyarrow reports (then lets it raise)."""

    def __init__(self) -> None:
        self.first: Any = None

    def __call__(self, row: Any) -> str:
        if self.first is None:
            self.first = row
        return "error"


def _csv_batches(path: str, plan: _CsvPlan, bad: _BadRows, chunk_rows: int,
                 progress: Callable[[int], None], start: int | None = None) -> Iterator[pa.Table]:
    """Chunks of a CSV file parsed here; from byte ``start`` (a row start of an uncompressed file) when
    given, else after the header."""
    stream, raw = _open_bytes(path)
    if start is not None:
        raw.seek(start)
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(column_names=plan.names, skip_rows=1 if start is None else 0,
                                       encoding=plan.encoding, block_size=4 << 20),
        parse_options=pacsv.ParseOptions(delimiter=plan.delimiter, newlines_in_values=True,
                                         invalid_row_handler=bad),
        convert_options=_text_cells(plan.names),
    )
    with stream, raw:
        yield from _rechunk(reader, chunk_rows, lambda: progress(raw.tell()))


def _text_cells(names: list[str]) -> pacsv.ConvertOptions:
    """Every cell as its exact text: numbers are parsed by intake, input columns pass through unchanged."""
    return pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                strings_can_be_null=False, quoted_strings_can_be_null=False)


def _byte_ranges(path: str, plan: _CsvPlan, chunk_rows: int, source: str, bad: _BadRows,
                 progress: Callable[[int], None]) -> Iterator[_ByteRange | pa.Table] | None:
    """Chunks of a plain CSV file for worker processes: byte ranges of whole rows (about ``chunk_rows``
    rows each) that the workers read and parse themselves, so this process only finds line ends.

    A range is cut at a line end and used only if every line end in it lies outside quotes (each line
    holds an even number of quote characters); from the first range where that fails (a quoted cell
    with a line break), the rest of the file is parsed here and handed over as tables. ``None`` when
    the file cannot be split at all: compressed, or in an encoding where a byte is not a character.
    """
    if Path(path).suffix.lower() in _COMPRESSION or plan.encoding not in ("utf-8", "latin-1"):
        return None

    def chunks() -> Iterator[_ByteRange | pa.Table]:
        size = os.path.getsize(path)
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            start = mm.find(b"\n") + 1
            if start == 0:
                return  # the header alone
            if not _quotes_balanced(mm, 0, start):  # a header with a quoted line break
                yield from _csv_batches(path, plan, bad, chunk_rows, progress)
                return
            sample = mm[start:start + _SAMPLE_BYTES]
            target = max(1, int(chunk_rows * len(sample) / max(1, sample.count(b"\n"))))
            while start < size:
                stop = start + target
                end = mm.find(b"\n", stop - 1) if stop < size else -1
                stop = size if end < 0 else end + 1
                if not _quotes_balanced(mm, start, stop):
                    yield from _csv_batches(path, plan, bad, chunk_rows, progress, start=start)
                    return
                # The pages scanned here are not needed again: unmap them, so this process's resident
                # memory does not grow with the file.
                drop = start - start % mmap.PAGESIZE
                mm.madvise(mmap.MADV_DONTNEED, drop, (stop - drop) - (stop - drop) % mmap.PAGESIZE)
                yield _ByteRange(path, start, stop, plan, source)
                start = stop

    return chunks()


def _quotes_balanced(mm: mmap.mmap, start: int, stop: int) -> bool:
    """Whether every line end in ``mm[start:stop]`` has an even number of quote characters before it
    (counted from ``start``): then none lies inside a quoted cell."""
    if mm.find(b'"', start, stop) < 0:
        return True
    data = np.frombuffer(mm, np.uint8, count=stop - start, offset=start)
    quotes = np.flatnonzero(data == ord('"'))
    if quotes.size % 2:
        return False
    before = np.searchsorted(quotes, np.flatnonzero(data == ord("\n")))
    return not (before % 2).any()


def _rechunk(batches: Any, chunk_rows: int, tick: Callable[[], None]) -> Iterator[pa.Table]:
    """Regroup reader batches into tables of exactly ``chunk_rows`` rows (the last may be shorter).

    Slicing is zero-copy: no cell is copied here.
    """
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        pending.append(batch)
        size += batch.num_rows
        while size >= chunk_rows:
            tick()
            table = pa.Table.from_batches(pending, schema=batch.schema)
            yield table.slice(0, chunk_rows)
            rest = table.slice(chunk_rows)
            pending, size = rest.to_batches(), rest.num_rows
    if size:
        tick()
        yield pa.Table.from_batches(pending)


def _parquet_batches(path: str, chunk_rows: int, progress: Callable[[int], None]) -> Iterator[pa.Table]:
    pf = pq.ParquetFile(path)
    done = 0
    for batch in pf.iter_batches(batch_size=chunk_rows):
        done += batch.num_rows
        progress(done)
        yield pa.Table.from_batches([batch])


def _check_columns(names: list[str], prefix: str, source: str) -> Intake:
    """Refuse inputs the scorer cannot use as a whole, with the reason and the fix; returns the intake of
    the header alone (column matches, notes and whole-input warnings)."""
    seen: Counter[str] = Counter(names)
    dupes = sorted(n for n, c in seen.items() if c > 1)
    if dupes:
        raise InputError(f"duplicate column names in {source}: {', '.join(map(repr, dupes))}; "
                         f"each column name must be unique")
    clash = [prefix + c for c in OUTPUT_COLUMNS if prefix + c in seen]
    if clash:
        raise ColumnClashError(clash)
    probe = read_cases(pd.DataFrame({n: pd.Series([], dtype=object) for n in names}))
    if probe.columns:
        return probe
    known = sorted({k for f in FIELDS for k in (f.name, *f.aliases)})
    hints = []
    for name in names:
        close = difflib.get_close_matches(name.strip().lower().replace(" ", "_").replace("-", "_"),
                                          known, n=1, cutoff=0.6)
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
    counts: dict[str, int]
    rows_with_warnings: int
    # Whole-column problems found in this chunk's data (e.g. a column that looks like the other unit system):
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
class _ByteRange:
    """Whole CSV rows ``start:stop`` (bytes) of a file that a worker reads and parses itself."""

    path: str
    start: int
    stop: int
    plan: _CsvPlan
    source: str


def _read_range(chunk: _ByteRange) -> tuple[pa.Table, bytes]:
    """Parse one byte range with the options of :func:`_csv_batches` (same cells, same errors); also
    returns the range's bytes."""
    with open(chunk.path, "rb") as f:
        f.seek(chunk.start)
        data = f.read(chunk.stop - chunk.start)
    bad = _BadRows()
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=chunk.plan.names, encoding=chunk.plan.encoding,
                                           use_threads=False, block_size=max(1 << 20, len(data) + 1)),
            parse_options=pacsv.ParseOptions(delimiter=chunk.plan.delimiter, newlines_in_values=True,
                                             invalid_row_handler=bad),
            convert_options=_text_cells(chunk.plan.names)), data
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):  # nothing but blank lines
            return pa.Table.from_pylist([], schema=pa.schema([(n, pa.string()) for n in chunk.plan.names])), data
        raise InputError(_csv_error_message(exc, bad, chunk.source, chunk.path, chunk.plan.encoding)) from None


def _score_chunk(chunk: pa.Table | str | _ByteRange, key: int, units: Units, thresholds: Thresholds,
                 strict_units: bool, prefix: str, case_column: str | None, model: str | None = None,
                 types: Mapping[str, pa.DataType] = MappingProxyType({}), encode_csv: bool = False,
                 spool: str | None = None) -> _ChunkResult:
    """Score one chunk: a table, the path of a spooled Arrow IPC file (read, then removed), or a byte range
    of the CSV file to parse here. With ``spool``, the encoded CSV rows are handed back in a file there
    rather than through the pipe. Report rows are numbered from 1 within the chunk."""
    # Scoring allocates many arrays and no reference cycles: the cyclic collector only costs time here.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _score_chunk_now(chunk, key, units, thresholds, strict_units, prefix, case_column, model, types,
                                encode_csv, spool)
    finally:
        if collecting:
            gc.enable()


def _score_chunk_now(chunk: pa.Table | str | _ByteRange, key: int, units: Units, thresholds: Thresholds,
                     strict_units: bool, prefix: str, case_column: str | None, model: str | None,
                     types: Mapping[str, pa.DataType], encode_csv: bool, spool: str | None) -> _ChunkResult:
    raw: bytes | None = None
    if isinstance(chunk, _ByteRange):
        table, raw = _read_range(chunk)
        if chunk.plan.delimiter != "," or chunk.plan.encoding != "utf-8":
            raw = None  # output lines are UTF-8 and comma-separated: the input lines cannot be reused
    elif isinstance(chunk, str):
        table = pa.ipc.open_stream(pa.memory_map(chunk)).read_all()
        os.unlink(chunk)
    else:
        table = chunk
    frame = table.to_pandas()
    cols, intake = score_arrays(frame, units=units, thresholds=thresholds, strict_units=strict_units,
                                model=_load_model(model, os.stat(model).st_mtime_ns) if model else None)
    arrays = {prefix + name: _arrow_column(values, types.get(name, _ARROW_TYPES.get(name)))
              for name, values in cols.items()}
    w = intake.warnings
    cell = w[w["row"].notna()]
    report = pd.DataFrame({
        "input_row": cell["row"].to_numpy(dtype=np.int64) + 1,
        "case_id": (frame[case_column].to_numpy(dtype=object)[cell["row"].to_numpy(dtype=np.int64)]
                    if case_column is not None else None),
        "column": cell["column"].to_numpy(dtype=object),
        "value": cell["value"].to_numpy(dtype=object),
        "problem": cell["message"].to_numpy(dtype=object),
        "code": cell["code"].to_numpy(dtype=object),
        "field": cell["field"].to_numpy(dtype=object),
    }, columns=list(REPORT_COLUMNS))
    counts = pc.value_counts(cols["subtype"])
    encoded: bytes | str | None = None
    if encode_csv:
        # The whole output row block as CSV, here in the worker: the writer only appends bytes.
        encoded = _reuse_input_lines(raw, table, arrays) if raw is not None else None
        if encoded is None:
            full = table
            for name, arr in arrays.items():
                full = full.append_column(name, arr)
            encoded = _csv_rows(full)
        arrays = {}
        if spool is not None:
            path = os.path.join(spool, f"out-{key}.csv")
            with open(path, "wb") as f:
                f.write(encoded)
            encoded = path
    whole = w[w["row"].isna()]
    return _ChunkResult(key, table.num_rows, arrays, encoded, report,
                        dict(sorted(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(),
                                        strict=True))),
                        int(pc.sum(pc.not_equal(cols["warnings"], ""), min_count=0).as_py()),
                        list(zip(whole["code"], whole["column"], whole["field"], whole["message"], strict=True)))


def _column_problems(result: _ChunkResult, reported: set[tuple[str, str]], summary: BatchSummary,
                     report: Any) -> None:
    """Whole-column problems a chunk's data revealed, each (code and column) said once: a note of the summary
    and a report row without an input row (its message counts the rows of the first chunk that showed it)."""
    for code, column, field_name, message in result.column_problems:
        if (code, column) in reported:
            continue
        reported.add((code, column))
        summary.notes.append(message)
        summary.problems += 1
        if report is not None:
            report.write(pd.DataFrame({
                "input_row": pd.array([None], dtype="Int64"), "case_id": None, "column": [column], "value": [column],
                "problem": [message], "code": [code], "field": [field_name]}, columns=list(REPORT_COLUMNS)))


def _arrow_column(values: Any, kind: pa.DataType | None) -> pa.Array:
    """An output column as an Arrow array of type ``kind`` (Arrow arrays are passed through or cast)."""
    if isinstance(values, pa.Array):
        return values if kind is None or values.type == kind else values.cast(kind)
    return pa.array(values, type=kind, from_pandas=True)


_ARROW_TYPES: Mapping[str, pa.DataType] = {
    name: pa.float64() if dtype == "float64" else pa.string() for name, dtype in OUTPUT_DTYPES.items()}


# --------------------------------------------------------------------------- writing


def _csv_rows(table: pa.Table, delimiter: str = ",") -> bytes:
    """The rows of ``table`` as CSV, quoting exactly the cells that need it (a delimiter, quote or line
    break), so a cell's bytes never depend on its neighbours.

    pyarrow's writer either quotes nothing (and refuses such cells) or quotes every text cell. So the
    table is written unquoted with those cells blanked, and the few rows holding one are then replaced
    by lines built here.
    """
    if table.num_rows == 0:
        return b""
    specials = tuple({delimiter.encode(), b'"', b"\n", b"\r"})
    pattern = "[" + re.escape(delimiter) + '"\r\n]'
    # Dictionary-encoded text (from Parquet, say) is written as its text.
    for i, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(i, pa.field(table.field(i).name, column.type.value_type),
                                     column.cast(column.type.value_type))
    needs_quotes = np.zeros(table.num_rows, dtype=bool)
    blanked = table
    quote: set[int] = set()
    for i, column in enumerate(table.columns):
        if not _is_text(column.type) or not any(_has_any(chunk, specials) for chunk in column.chunks):
            continue
        quote.add(i)
        hit = pc.match_substring_regex(column, pattern)
        needs_quotes |= hit.to_numpy(zero_copy_only=False)
        blanked = blanked.set_column(i, table.field(i), pc.if_else(hit, "", column))
    out = io.BytesIO()
    try:
        pacsv.write_csv(blanked, out, write_options=pacsv.WriteOptions(
            include_header=False, quoting_style="none", delimiter=delimiter))
    except pa.ArrowInvalid:
        # A column of a type scanned above as not text (binary, say) holds such a byte: quote every text
        # cell of this chunk.
        out = io.BytesIO()
        pacsv.write_csv(table, out, write_options=pacsv.WriteOptions(
            include_header=False, quoting_style="needed", delimiter=delimiter))
        return out.getvalue()
    text = out.getvalue()
    rows = np.flatnonzero(needs_quotes)
    if not rows.size:
        return text
    # Row r spans text[starts[r]:starts[r + 1]] (no blanked cell holds a line break).
    starts = np.concatenate([[0], np.flatnonzero(np.frombuffer(text, np.uint8) == ord("\n")) + 1])
    quoted = _quoted_lines(table.take(pa.array(rows)), quote, delimiter, pattern).cast(pa.binary()).to_pylist()
    view = memoryview(text)
    pieces: list[Any] = []
    done = 0
    for r, line in zip(rows.tolist(), quoted, strict=True):
        pieces += [view[done:starts[r]], line]
        done = starts[r + 1]
    pieces.append(view[done:])
    return b"".join(pieces)


def _reuse_input_lines(raw: bytes, table: pa.Table, outputs: Mapping[str, pa.Array]) -> bytes | None:
    """Output rows built from the input's own lines (UTF-8, comma-separated) followed by the encoded output
    cells: only the output columns are written as CSV. A line holding a quote is re-encoded instead (its
    cells are then quoted exactly as :func:`_csv_rows` quotes them). ``None`` when lines and rows do not
    correspond one to one (a lone carriage return, output text with a line break)."""
    n = table.num_rows
    data = np.frombuffer(raw, np.uint8)
    ends = np.flatnonzero(data == ord("\n"))
    if ends.size == 0 or ends[-1] != data.size - 1:
        ends = np.append(ends, data.size)  # a last line without a line end
    starts = np.concatenate([[0], ends[:-1] + 1])
    content_end = ends - (data[np.maximum(ends - 1, 0)] == ord("\r")) * (ends > starts)
    carriage = np.flatnonzero(data == ord("\r"))
    if carriage.size and not np.isin(carriage, content_end).all():
        return None  # a carriage return that is not part of a line end starts a row of its own
    rows = content_end > starts  # blank lines are no rows
    if int(rows.sum()) != n:
        return None
    row_starts = starts[rows]
    out_text = _csv_rows(pa.table(dict(outputs)))
    out_ends = np.flatnonzero(np.frombuffer(out_text, np.uint8) == ord("\n")) + 1
    if out_ends.size != n:
        return None
    # Each row's input element runs to the next row's start; trimming line-end characters drops its line
    # end and any blank lines after it.
    inputs = pc.utf8_trim(pa.Array.from_buffers(pa.string(), n, [
        None, pa.py_buffer(np.append(row_starts, data.size).astype(np.int32)), pa.py_buffer(raw)]), "\r\n")
    quoted = np.searchsorted(row_starts, np.flatnonzero(data == ord('"')), side="right") - 1
    if quoted.size:
        redo = np.unique(quoted)
        redone = _csv_rows(table.take(pa.array(redo)))
        redo_ends = np.flatnonzero(np.frombuffer(redone, np.uint8) == ord("\n"))
        redone_lines = pa.Array.from_buffers(pa.string(), redo.size, [
            None, pa.py_buffer(np.concatenate([[0], redo_ends + 1]).astype(np.int32)), pa.py_buffer(redone)])
        mask = np.zeros(n, dtype=bool)
        mask[redo] = True
        inputs = pc.replace_with_mask(inputs, pa.array(mask), pc.utf8_rtrim(redone_lines, "\n"))
    outs = pa.Array.from_buffers(pa.string(), n, [
        None, pa.py_buffer(np.concatenate([[0], out_ends]).astype(np.int32)), pa.py_buffer(out_text)])
    lines = pc.binary_join_element_wise(inputs, outs, ",")
    offsets = np.frombuffer(lines.buffers()[1], np.int32, count=n + 1, offset=lines.offset * 4)
    return lines.buffers()[2][offsets[0]:offsets[-1]].to_pybytes()


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _has_any(array: pa.Array, needles: tuple[bytes, ...]) -> bool:
    """Whether any cell of a (large) string array contains any of the ``needles`` (one scan of its bytes
    each)."""
    data = array.buffers()[2]
    if data is None or len(array) == 0:
        return False
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], width, count=len(array) + 1,
                            offset=array.offset * np.dtype(width).itemsize)
    cells = memoryview(data)[offsets[0]:offsets[-1]].tobytes()
    return any(needle in cells for needle in needles)


def _quoted_lines(table: pa.Table, quote: set[int], delimiter: str, pattern: str) -> pa.Array:
    """One CSV line per row (newline included): the text cells of columns ``quote`` that match
    ``pattern`` quoted the way pyarrow quotes (double quotes around, inner quotes doubled), every other
    cell rendered as pyarrow's writer renders it."""
    cells = []
    for i, column in enumerate(table.columns):
        arr = column.combine_chunks()
        if not pa.types.is_string(arr.type):
            arr = pc.cast(arr, pa.string())  # numbers as pyarrow's writer renders them; large text as text
        if i in quote:
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
            arr = pc.if_else(pc.match_substring_regex(arr, pattern), quoted, arr)
        cells.append(arr)
    cells[-1] = pc.binary_join_element_wise(cells[-1], "\n", "", null_handling="replace")
    return pc.binary_join_element_wise(*cells, delimiter, null_handling="replace")


class _CsvSink:
    """Writes the header, then rows already encoded as CSV (by the workers, in parallel)."""

    encodes_in_workers = True

    def __init__(self, stream: IO[bytes], delimiter: str = ","):
        self.stream = stream
        self.delimiter = delimiter
        self.header_done = False

    def write(self, table: pa.Table, encoded: bytes | None = None) -> None:
        if not self.header_done:
            buf = io.StringIO()
            csv.writer(buf, delimiter=self.delimiter, lineterminator="\n").writerow(table.column_names)
            self.stream.write(buf.getvalue().encode("utf-8"))
            self.header_done = True
        self.stream.write(encoded if encoded is not None else _csv_rows(table, self.delimiter))

    def write_file(self, table: pa.Table, path: str) -> None:
        """Append rows already encoded in a file: copied by the kernel into a plain file or pipe, read and
        written otherwise (a compressing stream must see every byte)."""
        self.write(table, b"")
        size = os.path.getsize(path)
        sent = 0
        with open(path, "rb") as src:
            if isinstance(self.stream, io.BufferedWriter):
                self.stream.flush()
                try:
                    while sent < size:
                        step = os.sendfile(self.stream.fileno(), src.fileno(), sent, size - sent)
                        if step == 0:
                            break
                        sent += step
                except OSError:
                    pass  # not supported between these two: copy the rest
            if sent < size:
                src.seek(sent)
                shutil.copyfileobj(src, self.stream, 1 << 20)

    def close(self) -> None:
        self.stream.flush()


class _ParquetSink:
    encodes_in_workers = False

    def __init__(self, path: str):
        self.path = path
        self.writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table, encoded: bytes | None = None) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        elif table.schema != self.writer.schema:
            table = table.cast(self.writer.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _open_sink(output: str, atomic: AtomicOutput | None, like_parquet: bool) -> tuple[Any, Any]:
    """(sink, closable stream or None)."""
    if output == "-":
        return _CsvSink(sys.stdout.buffer), None
    assert atomic is not None
    if output.lower().endswith(_PARQUET_SUFFIXES):
        return _ParquetSink(atomic.tmp), None
    if output.lower().endswith(".gz"):
        stream: Any = pa.output_stream(atomic.tmp, compression="gzip")
    else:
        stream = open(atomic.tmp, "wb")  # closed by score_file on every path
    return _CsvSink(stream), stream


class _ReportWriter:
    """Appends report rows to a CSV as chunks finish (memory stays flat however many problems)."""

    def __init__(self, path: str):
        self.atomic = AtomicOutput(path)
        self.handle = open(self.atomic.tmp, "w", encoding="utf-8", newline="")
        self.header = True

    def write(self, frame: pd.DataFrame) -> None:
        if len(frame) or self.header:
            frame.to_csv(self.handle, index=False, header=self.header)
            self.header = False

    def commit(self) -> None:
        self.handle.close()
        self.atomic.commit()

    def discard(self) -> None:
        self.handle.close()
        self.atomic.discard()


# --------------------------------------------------------------------------- the run


def _progress_bar(total: int | None, unit: str, enabled: bool) -> Any:
    # tqdm.auto picks the notebook widget when it can; only import it when a bar is wanted (it warns
    # in a notebook without ipywidgets even for a disabled bar).
    if enabled:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=total, unit=unit, unit_scale=True, disable=not enabled, file=sys.stderr,
                desc="scoring", leave=False)


def _spool_stdin() -> str:
    fd, tmp = tempfile.mkstemp(prefix="calcinosis-stdin-", suffix=".csv")
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, length=1 << 20)
    return tmp


def score_file(input: str, output: str = "-", *, units: Units = "conventional",
               thresholds: Thresholds | dict[str, float] | None = None, strict_units: bool = False,
               prefix: str = "", sep: str | None = None, report: str | None = None, jobs: int | None = None,
               chunk_rows: int | None = None, progress: bool | None = None, model: str | None = None
               ) -> BatchSummary:
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
        CSV delimiter; sniffed from the first lines when omitted.
    report : str, optional
        Write every data problem to this CSV: input row (1-based data row),
        case id, column, value, problem.
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

    Returns
    -------
    BatchSummary

    Raises
    ------
    InputError
        When the input cannot be used as a whole (missing, empty, ragged,
        duplicate or unrecognisable columns, output-name clash); nothing is
        written then.
    """
    from joblib import Parallel, delayed

    start = time.perf_counter()
    th = Thresholds.coerce(thresholds)
    if units not in ("conventional", "si"):
        raise InputError(f"units must be 'conventional' or 'si', got {units!r}")
    chunk_rows = DEFAULT_CHUNK_ROWS if chunk_rows is None else chunk_rows
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be a positive integer, got {chunk_rows}")
    spooled = _spool_stdin() if input == "-" else None
    path = spooled or input
    try:
        if not Path(path).exists():
            raise InputError(f"input file not found: {input}")
        if Path(path).is_dir():
            raise InputError(f"input is a directory, not a file: {input}")
        summary = BatchSummary()
        show = sys.stderr.isatty() if progress is None else progress
        if _is_parquet(path):
            try:
                pf = pq.ParquetFile(path)
            except Exception as exc:  # pyarrow raises several types for unreadable files
                raise InputError(f"cannot read Parquet file {input}: {exc}") from None
            names = list(pf.schema_arrow.names)
            total_rows = pf.metadata.num_rows
            bar = _progress_bar(total_rows, "rows", show)
            batches: Iterator[pa.Table] = _parquet_batches(path, chunk_rows,
                                                                 lambda done: bar.update(done - bar.n))
            empty_schema = pf.schema_arrow
            bad = _BadRows()
            encoding = "utf-8"
        else:
            plan = _plan_csv(path, sep)
            if plan.note:
                summary.notes.append(plan.note)
            names = plan.names
            encoding = plan.encoding
            total_rows = None
            bar = _progress_bar(os.path.getsize(path), "B", show)
            bad = _BadRows()
            batches = _csv_batches(path, plan, bad, chunk_rows, lambda pos: bar.update(pos - bar.n))
            empty_schema = pa.schema([(n, pa.string()) for n in names])
        header_intake = _check_columns(names, prefix, input)
        # Loads (and so verifies) the model before anything is written; gives every output column's type.
        types = _output_types(units, th, strict_units, model)
        clash = [prefix + c for c in types if prefix + c in names]
        if clash:
            raise ColumnClashError(clash)
        summary.notes.extend(header_intake.notes)
        case_column = header_intake.columns.get("case_id")

        n_jobs = jobs if jobs is not None else default_jobs()
        if n_jobs < 1:
            raise InputError(f"jobs must be at least 1, got {n_jobs}")
        if total_rows is not None and total_rows <= chunk_rows:
            n_jobs = 1
        elif total_rows is None and os.path.getsize(path) < _PARALLEL_MIN_BYTES:
            n_jobs = 1

        atomic = AtomicOutput(output) if output != "-" else None
        report_writer = _ReportWriter(report) if report else None
        sink, stream = _open_sink(output, atomic, _is_parquet(output))
        spool: tempfile.TemporaryDirectory[str] | None = None
        try:
            # Worker processes get their chunks, and return their rows, through files (a pipe costs copies).
            spool = _spool_dir() if n_jobs > 1 else None
            whole = header_intake.warnings
            if report_writer is not None:
                report_writer.write(pd.DataFrame({
                    "input_row": pd.array([None] * len(whole), dtype="Int64"), "case_id": None,
                    "column": whole["column"], "value": whole["value"], "problem": whole["message"],
                    "code": whole["code"], "field": whole["field"]}, columns=list(REPORT_COLUMNS)))
            summary.problems += len(whole)
            reported = set(zip(whole["code"], whole["column"], strict=True))

            # A plain CSV file scored by worker processes is split into byte ranges that the workers read
            # and parse themselves; otherwise chunks are parsed here and handed over.
            ranges = (_byte_ranges(path, plan, chunk_rows, input, bad, lambda pos: bar.update(pos - bar.n))
                      if spool is not None and sink.encodes_in_workers and not _is_parquet(path) else None)
            chunks: Iterator[pa.Table | _ByteRange] = ranges if ranges is not None else batches
            out_schema = pa.schema([*(pa.field(n, pa.string()) for n in names),
                                    *(pa.field(prefix + n, t) for n, t in types.items())])

            # Chunks wait here, by key, until their results come back: their columns are written unchanged
            # and never travel back from a worker. (joblib may pull tasks from another thread; dict
            # insertion and pop are atomic.)
            pending: dict[int, pa.Table | _ByteRange] = {}

            def calls() -> Iterator[Any]:
                for key, chunk in enumerate(chunks):
                    pending[key] = chunk
                    payload = (chunk if spool is None or isinstance(chunk, _ByteRange)
                               else _spool_ipc(chunk, os.path.join(spool.name, f"in-{key}.arrows")))
                    yield delayed(_score_chunk)(payload, key, units, th, strict_units, prefix, case_column,
                                                model, types, sink.encodes_in_workers,
                                                spool.name if spool is not None else None)

            counts: Counter[str] = Counter()
            with Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs") as parallel:
                try:
                    for result in parallel(calls()):
                        chunk = pending.pop(result.key)
                        if isinstance(chunk, _ByteRange):
                            bar.update(chunk.stop - bar.n)
                            table = pa.Table.from_batches([], schema=out_schema)
                        elif result.csv is None:
                            table = chunk
                            for name, arr in result.columns.items():
                                table = table.append_column(name, arr)
                        else:
                            table = pa.Table.from_batches([], schema=pa.schema(
                                [*chunk.schema, *(pa.field(prefix + n, t) for n, t in types.items())]))
                        encoded = result.csv
                        if isinstance(encoded, str):
                            sink.write_file(table, encoded)
                            os.unlink(encoded)
                        else:
                            sink.write(table, encoded)
                        counts.update(result.counts)
                        # Report rows are numbered within their chunk: number them in the whole input.
                        result.warnings["input_row"] += summary.rows
                        summary.rows += result.rows
                        summary.rows_with_warnings += result.rows_with_warnings
                        summary.problems += len(result.warnings)
                        if report_writer is not None:
                            report_writer.write(result.warnings)
                        _column_problems(result, reported, summary, report_writer)
                except pa.ArrowInvalid as exc:
                    raise InputError(_csv_error_message(exc, bad, input, path, encoding)) from None
            if summary.rows == 0:
                # Header only: a valid, header-only output.
                table = pa.Table.from_batches([], schema=empty_schema)
                for name, kind in types.items():
                    table = table.append_column(prefix + name, pa.array([], type=kind))
                sink.write(table)
            sink.close()
            if stream is not None:
                stream.close()
            if atomic is not None:
                atomic.commit()
            if report_writer is not None:
                report_writer.commit()
        except BaseException:
            if stream is not None and not stream.closed:
                stream.close()
            if isinstance(sink, _ParquetSink):
                sink.close()
            if atomic is not None:
                atomic.discard()
            if report_writer is not None:
                report_writer.discard()
            raise
        finally:
            bar.close()
            if spool is not None:
                spool.cleanup()
        summary.subtype_counts = dict(counts)
        summary.seconds = time.perf_counter() - start
        return summary
    finally:
        if spooled:
            Path(spooled).unlink(missing_ok=True)


def _line_of(path: str, encoding: str, text: str) -> int | None:
    """1-based line number of the first line equal to ``text`` (error path only)."""
    stream, raw = _open_bytes(path)
    with stream, raw, io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if line.rstrip("\r\n") == text:
                return number
    return None


def _csv_error_message(exc: Exception, bad: _BadRows, source: str, path: str, encoding: str) -> str:
    row = bad.first
    if row is not None:
        line = _line_of(path, encoding, row.text)
        where = f"line {line}" if line is not None else "a data row"
        text = row.text if len(row.text) <= 60 else row.text[:57] + "..."
        return (f"ragged rows in {source}: {where} has {row.actual_columns} fields but the header has "
                f"{row.expected_columns} ({text!r}); fix the row or quote cells that contain the delimiter")
    message = str(exc).strip().splitlines()[0]
    if "UTF8" in message or "utf-8" in message.lower():
        return f"{source} is not valid UTF-8 text beyond its first megabyte ({message})"
    return f"cannot parse {source}: {message}"


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
