"""Reading batch input: one policy for every command that reads a table.

A CSV file's delimiter (sniffed, or given) and encoding (UTF-8, or Latin-1 with a note) are settled from
its first megabyte; every cell is read as its exact text (numbers are parsed by intake). Parquet files are
read by row group. Large plain CSV files can be cut into byte ranges of whole rows that worker processes
read themselves. Parse errors become one-line :class:`~calcinosis_classify.errors.InputError` messages
that name the line and the fix.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from calcinosis_classify._writing import PARQUET_SUFFIXES
from calcinosis_classify.errors import InputError

__all__ = ["BadRows", "ByteRange", "CsvPlan", "Input", "byte_ranges", "delimiter", "open_input", "plan_csv",
           "read_range", "read_table", "spool_stdin"]

DEFAULT_CHUNK_ROWS = 32_768
_SAMPLE_BYTES = 1 << 20



def is_parquet(path: str) -> bool:
    return path.lower().endswith(PARQUET_SUFFIXES)


COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".lz4": "lz4"}


def _open_bytes(path: str) -> tuple[pa.NativeFile, pa.NativeFile]:
    """(byte stream of the file, decompressed by extension; the raw file, whose position shows progress)."""
    raw = pa.OSFile(path, "rb")
    codec = COMPRESSION.get(Path(path).suffix.lower())
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


_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def delimiter(text: str, option: str = "sep") -> str:
    """A CSV delimiter from how a user writes it: one character, or ``tab`` / ``\\t`` (also ``comma``,
    ``semicolon``, ``pipe``)."""
    value = _DELIMITER_NAMES.get(text.strip().lower(), text) if len(text) != 1 else text
    if len(value) != 1 or value in ('"', "\n", "\r"):
        raise InputError(f"{option} must be one character (or tab, comma, semicolon, pipe), got {text!r}")
    return value


@dataclass
class CsvPlan:
    names: list[str]
    delimiter: str
    encoding: str
    note: str | None


def plan_csv(path: str, sep: str | None, source: str | None = None) -> CsvPlan:
    """Delimiter, encoding and column names of a CSV file from its first megabyte (``source``: the name
    for messages, default ``path``)."""
    source = path if source is None else source
    if os.path.getsize(path) == 0:
        raise InputError(f"input file is empty: {source}")
    text, encoding, note = _decode_sample(_sample(path))
    if not text.strip():
        raise InputError(f"input has no header row: {source}")
    separator = delimiter(sep) if sep is not None else _sniff_delimiter(text)
    names = next(csv.reader(io.StringIO(text), delimiter=separator))
    if not any(n.strip() for n in names):
        raise InputError(f"input has no header row: {source}")
    return CsvPlan(names, separator, encoding, note)


class BadRows:
    """Remembers the first malformed row pyarrow reports (then lets it raise)."""

    def __init__(self) -> None:
        self.first: Any = None

    def __call__(self, row: Any) -> str:
        if self.first is None:
            self.first = row
        return "error"


def csv_batches(path: str, plan: CsvPlan, bad: BadRows, chunk_rows: int,
                 progress: Callable[[int], None], start: int | None = None,
                 columns: list[str] | None = None) -> Iterator[pa.Table]:
    """Chunks of a CSV file parsed here; from byte ``start`` (a row start of an uncompressed file) when
    given, else after the header; only ``columns`` when given."""
    stream, raw = _open_bytes(path)
    if start is not None:
        raw.seek(start)
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(column_names=plan.names, skip_rows=1 if start is None else 0,
                                       encoding=plan.encoding, block_size=4 << 20),
        parse_options=pacsv.ParseOptions(delimiter=plan.delimiter, newlines_in_values=True,
                                         invalid_row_handler=bad),
        convert_options=_text_cells(plan.names, columns),
    )
    with stream, raw:
        yield from _rechunk(reader, chunk_rows, lambda: progress(raw.tell()))


def _text_cells(names: list[str], columns: list[str] | None = None) -> pacsv.ConvertOptions:
    """Every cell as its exact text: numbers are parsed by intake, input columns pass through unchanged."""
    return pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, include_columns=columns,
                                strings_can_be_null=False, quoted_strings_can_be_null=False)


def byte_ranges(path: str, plan: CsvPlan, chunk_rows: int, source: str, bad: BadRows,
                 progress: Callable[[int], None]) -> Iterator[ByteRange | pa.Table] | None:
    """Chunks of a plain CSV file for worker processes: byte ranges of whole rows (about ``chunk_rows``
    rows each) that the workers read and parse themselves, so this process only finds line ends.

    A range is cut at a line end and used only if every line end in it lies outside quotes (each line
    holds an even number of quote characters); from the first range where that fails (a quoted cell
    with a line break), the rest of the file is parsed here and handed over as tables. ``None`` when
    the file cannot be split at all: compressed, or in an encoding where a byte is not a character.
    """
    if Path(path).suffix.lower() in COMPRESSION or plan.encoding not in ("utf-8", "latin-1"):
        return None

    def chunks() -> Iterator[ByteRange | pa.Table]:
        size = os.path.getsize(path)
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            start = mm.find(b"\n") + 1
            if start == 0:
                return  # the header alone
            if not _quotes_balanced(mm, 0, start):  # a header with a quoted line break
                yield from csv_batches(path, plan, bad, chunk_rows, progress)
                return
            sample = mm[start:start + _SAMPLE_BYTES]
            target = max(1, int(chunk_rows * len(sample) / max(1, sample.count(b"\n"))))
            while start < size:
                stop = start + target
                end = mm.find(b"\n", stop - 1) if stop < size else -1
                stop = size if end < 0 else end + 1
                if not _quotes_balanced(mm, start, stop):
                    yield from csv_batches(path, plan, bad, chunk_rows, progress, start=start)
                    return
                # The pages scanned here are not needed again: unmap them, so this process's resident
                # memory does not grow with the file.
                drop = start - start % mmap.PAGESIZE
                mm.madvise(mmap.MADV_DONTNEED, drop, (stop - drop) - (stop - drop) % mmap.PAGESIZE)
                yield ByteRange(path, start, stop, plan, source)
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


def _parquet_batches(path: str, chunk_rows: int, progress: Callable[[int], None],
                     columns: list[str] | None = None) -> Iterator[pa.Table]:
    pf = pq.ParquetFile(path)
    done = 0
    for batch in pf.iter_batches(batch_size=chunk_rows, columns=columns):
        done += batch.num_rows
        progress(done)
        yield pa.Table.from_batches([batch])


@dataclass(frozen=True)
class ByteRange:
    """Whole CSV rows ``start:stop`` (bytes) of a file that a worker reads and parses itself."""

    path: str
    start: int
    stop: int
    plan: CsvPlan
    source: str


def read_range(chunk: ByteRange) -> tuple[pa.Table, bytes]:
    """Parse one byte range with the options of :func:`csv_batches` (same cells, same errors); also
    returns the range's bytes."""
    with open(chunk.path, "rb") as f:
        f.seek(chunk.start)
        data = f.read(chunk.stop - chunk.start)
    bad = BadRows()
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
        raise InputError(csv_error_message(exc, bad, chunk.source, chunk.path, chunk.plan.encoding)) from None


def spool_stdin() -> str:
    fd, tmp = tempfile.mkstemp(prefix="calcinosis-stdin-", suffix=".csv")
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, length=1 << 20)
    return tmp


@dataclass
class Input:
    """An input file, opened: its column names and how to read it in chunks."""

    source: str  # the input as the caller named it (for messages)
    path: str  # the file read (standard input is spooled to a file first)
    schema: pa.Schema  # of the chunks read (every CSV cell is text)
    plan: CsvPlan | None  # None for Parquet
    total_rows: int | None  # known for Parquet only
    notes: list[str] = field(default_factory=list)
    bad: BadRows = field(default_factory=BadRows)

    @property
    def names(self) -> list[str]:
        return list(self.schema.names)

    @property
    def encoding(self) -> str:
        return self.plan.encoding if self.plan is not None else "utf-8"

    def batches(self, chunk_rows: int, progress: Callable[[int], None],
                columns: list[str] | None = None) -> Iterator[pa.Table]:
        """Chunks of ``chunk_rows`` rows (of ``columns`` only, when given); ``progress`` gets the rows done
        (Parquet) or the byte position (CSV)."""
        if self.plan is None:
            return _parquet_batches(self.path, chunk_rows, progress, columns)
        return csv_batches(self.path, self.plan, self.bad, chunk_rows, progress, columns=columns)

    def error(self, exc: Exception) -> InputError:
        """The one-line error for a parse failure of this input."""
        return InputError(csv_error_message(exc, self.bad, self.source, self.path, self.encoding))


def open_input(path: str, source: str, sep: str | None) -> Input:
    """Open ``path`` (named ``source`` in messages): Parquet by extension, else CSV with its delimiter and
    encoding settled from the first megabyte."""
    if not Path(path).exists():
        raise InputError(f"input file not found: {source}")
    if Path(path).is_dir():
        raise InputError(f"input is a directory, not a file: {source}")
    if is_parquet(path):
        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            raise InputError(f"cannot read Parquet file {source}: {exc}") from None
        return Input(source, path, pf.schema_arrow, None, pf.metadata.num_rows)
    plan = plan_csv(path, sep, source)
    return Input(source, path, pa.schema([(n, pa.string()) for n in plan.names]), plan, None,
                  [plan.note] if plan.note else [])


def read_table(input: str, sep: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read a whole CSV or Parquet file the way :func:`score_file` reads it.

    Parameters
    ----------
    input : str
        Path of a CSV (optionally compressed) or Parquet file, or ``-`` for CSV on standard input.
    sep : str, optional
        CSV delimiter (``tab`` or ``\\t`` for a tab); sniffed from the first lines when omitted.

    Returns
    -------
    frame : pandas.DataFrame
        Every CSV cell as its exact text (Parquet columns keep their types).
    notes : list of str
        How the input was read (an assumed encoding, say).

    Raises
    ------
    InputError
        Missing, empty, headerless or ragged input, with the line and the fix.
    """
    spooled = spool_stdin() if input == "-" else None
    try:
        src = open_input(spooled or input, input, sep)
        try:
            tables = list(src.batches(DEFAULT_CHUNK_ROWS, lambda position: None))
        except pa.ArrowInvalid as exc:
            raise src.error(exc) from None
        table = pa.concat_tables(tables) if tables else src.schema.empty_table()
        return table.to_pandas(), src.notes
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


def csv_error_message(exc: Exception, bad: BadRows, source: str, path: str, encoding: str) -> str:
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


