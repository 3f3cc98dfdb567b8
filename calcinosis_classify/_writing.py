"""Writing batch output: CSV rows encoded with exactly the quotes they need, and the sinks (CSV, optionally
gzip-compressed, Parquet, the problem report) that write them.

CSV rows are encoded where a chunk is scored, in the worker processes, so the writing process only appends
bytes. A compressed output is written as one gzip member per chunk, compressed in the workers too: gzip
members concatenate into one valid gzip file, which every gzip reader reads whole.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from calcinosis_classify._atomic import AtomicOutput, atomic_path
from calcinosis_classify.errors import InputError

__all__ = ["CsvFormat", "CsvSink", "ParquetSink", "ReportWriter", "check_output", "csv_rows", "encode_rows",
           "open_sink", "reuse_input_lines"]

PARQUET_SUFFIXES = (".parquet", ".pq")
# gzip level of a compressed output. On scored CSV, level 9 costs about 20 times the CPU of level 1 for a
# file of 13% of the plain size instead of 22% (level 6: 3 times the CPU, 14%); at level 1, compressed in
# the worker processes, a .csv.gz output takes about as long as a plain one.
GZIP_LEVEL = 1
BOM = "\ufeff".encode()
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class CsvFormat:
    """How CSV output is written: the delimiter, a byte-order mark first (for Excel), gzip compression."""

    delimiter: str = ","
    bom: bool = False
    gzip_level: int | None = None

    def finish(self, data: bytes) -> bytes:
        """Encoded bytes as they go into the file: a gzip member of their own when compressing."""
        if self.gzip_level is None or not data:
            return data
        return gzip.compress(data, compresslevel=self.gzip_level, mtime=0)


def check_output(path: str) -> None:
    """Refuse an output this library cannot write, before anything is read."""
    if path.lower().endswith(_SPREADSHEET_SUFFIXES):
        raise InputError(f"cannot write a spreadsheet workbook ({Path(path).suffix}): {path}; write CSV "
                         f"instead (-o {Path(path).with_suffix('.csv').name} --excel gives UTF-8 with a "
                         f"byte-order mark, which Excel opens directly)")


def encode_rows(table: pa.Table, outputs: Mapping[str, pa.Array], raw: bytes | None, fmt: CsvFormat) -> bytes:
    """The rows of ``table`` followed by the ``outputs`` columns as CSV in format ``fmt``; ``raw`` is the
    rows' input text when it may be reused (UTF-8 with the output's delimiter)."""
    encoded = reuse_input_lines(raw, table, outputs, fmt.delimiter) if raw is not None else None
    if encoded is None:
        full = table
        for name, arr in outputs.items():
            full = full.append_column(name, arr)
        encoded = csv_rows(full, fmt.delimiter)
    return fmt.finish(encoded)


def csv_rows(table: pa.Table, delimiter: str = ",") -> bytes:
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
        needs_quotes |= pc.fill_null(hit, False).to_numpy(zero_copy_only=False)  # a null cell is written empty
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


def reuse_input_lines(raw: bytes, table: pa.Table, outputs: Mapping[str, pa.Array],
                      delimiter: str = ",") -> bytes | None:
    """Output rows built from the input's own lines (UTF-8, separated by ``delimiter``, the output's
    delimiter too) followed by the encoded output cells: only the output columns are written as CSV. A line holding a quote is re-encoded instead (its
    cells are then quoted exactly as :func:`csv_rows` quotes them). ``None`` when lines and rows do not
    correspond one to one (a lone carriage return, output text with a line break).

    Why a second encoder: an unquoted input line is, byte for byte, what :func:`csv_rows` would write for
    its cells (a cell that needs quotes cannot appear unquoted), and the input cells are most of an output
    row's bytes. Reusing the lines halves the encoding time of a chunk (58 ms against 129 ms for 32,768
    rows of the benchmark's cases, about 6% of the chunk's scoring time), which the benchmark's 10% budget
    cannot give away. ``tests/test_batch_fast_paths.py`` holds the two encoders to the same bytes on
    random rows full of quotes, delimiters, line breaks, non-ASCII, empty and NaN cells.
    """
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
    out_text = csv_rows(pa.table(dict(outputs)), delimiter)
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
        redone = csv_rows(table.take(pa.array(redo)), delimiter)
        redo_ends = np.flatnonzero(np.frombuffer(redone, np.uint8) == ord("\n"))
        redone_lines = pa.Array.from_buffers(pa.string(), redo.size, [
            None, pa.py_buffer(np.concatenate([[0], redo_ends + 1]).astype(np.int32)), pa.py_buffer(redone)])
        mask = np.zeros(n, dtype=bool)
        mask[redo] = True
        inputs = pc.replace_with_mask(inputs, pa.array(mask), pc.utf8_rtrim(redone_lines, "\n"))
    outs = pa.Array.from_buffers(pa.string(), n, [
        None, pa.py_buffer(np.concatenate([[0], out_ends]).astype(np.int32)), pa.py_buffer(out_text)])
    lines = pc.binary_join_element_wise(inputs, outs, delimiter)
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


class CsvSink:
    """Writes the header, then rows already encoded (by the workers, in parallel) in format ``fmt``."""

    def __init__(self, stream: IO[bytes], fmt: CsvFormat):
        self.stream = stream
        self.fmt = fmt
        self.header_done = False

    def write(self, table: pa.Table, encoded: bytes | None = None) -> None:
        """Append ``encoded`` rows (``table``'s own rows when None); the header first, from ``table``."""
        if not self.header_done:
            buf = io.StringIO()
            csv.writer(buf, delimiter=self.fmt.delimiter, lineterminator="\n").writerow(table.column_names)
            self.stream.write(self.fmt.finish((BOM if self.fmt.bom else b"") + buf.getvalue().encode("utf-8")))
            self.header_done = True
        self.stream.write(encoded if encoded is not None else self.fmt.finish(csv_rows(table, self.fmt.delimiter)))

    def write_file(self, table: pa.Table, path: str) -> None:
        """Append rows already encoded in a file: copied by the kernel into a plain file or pipe, read and
        written otherwise."""
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


class ParquetSink:
    """Writes tables to a Parquet file (rows are not encoded ahead: ``fmt`` is None)."""

    fmt = None

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


def open_sink(output: str, atomic: AtomicOutput | None, fmt: CsvFormat) -> tuple[Any, Any]:
    """(sink, closable stream or None) for ``output`` (``-``: standard output); ``.gz`` compresses."""
    if output == "-":
        return CsvSink(sys.stdout.buffer, fmt), None
    assert atomic is not None
    if output.lower().endswith(PARQUET_SUFFIXES):
        return ParquetSink(atomic.tmp), None
    if output.lower().endswith(".gz"):
        fmt = replace(fmt, gzip_level=GZIP_LEVEL)
    stream = open(atomic.tmp, "wb")  # closed by the caller on every path
    return CsvSink(stream, fmt), stream


class ReportWriter:
    """Appends report rows to a CSV as chunks finish (memory stays flat however many problems); ``-``
    writes them to standard error."""

    def __init__(self, path: str):
        self.atomic = AtomicOutput(path) if path != "-" else None
        self.handle: IO[str] = (open(self.atomic.tmp, "w", encoding="utf-8", newline="")
                                if self.atomic is not None else sys.stderr)
        self.header = True

    def write(self, frame: pd.DataFrame) -> None:
        if len(frame) or self.header:
            frame.to_csv(self.handle, index=False, header=self.header)
            self.header = False

    def commit(self) -> None:
        if self.atomic is None:
            self.handle.flush()
            return
        self.handle.close()
        self.atomic.commit()

    def discard(self) -> None:
        if self.atomic is not None:
            self.handle.close()
            self.atomic.discard()


_WRITE_ROWS = 131_072


def _pandas_like_text(column: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """A float or boolean column as the text pandas would write, so that the file reads back with the
    same types: booleans are ``True`` / ``False``, and a float column that would read back as integers
    (no missing value, every value whole) keeps a ``.0`` (``54.0``, not pyarrow's ``54``). Other columns:
    ``None`` (pyarrow's writer renders them: the shortest text that reads back as the same number)."""
    if pa.types.is_floating(column.type):
        if column.null_count or not pc.all(pc.equal(column, pc.floor(column))).as_py():
            return None  # reads back as floats however the whole values are written
        text = pc.cast(column, pa.string())  # shortest text that reads back as the same number
        whole = pc.match_substring_regex(text, r"^-?[0-9]+$")
        return pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    if pa.types.is_boolean(column.type):
        return pc.if_else(column, "True", "False")
    return None


def write_frame(frame: pd.DataFrame, output: str) -> None:
    """Write a data frame as CSV (``.gz`` compressed), Parquet, or CSV to standard output (``"-"``).

    CSV goes through the same encoder as ``score``'s output (pyarrow, a cell quoted only when it holds a
    comma, a quote or a line break), a slice of rows at a time; missing values are empty cells.
    ``pandas.read_csv`` reads the file back as the same frame (the same values and types; text that reads
    as a number, such as ``"007"``, is the exception, as with ``DataFrame.to_csv``). A file is written to a
    temporary file beside it and renamed into place only when complete.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to write (the index is not written).
    output : str
        A path ending in ``.parquet`` / ``.pq``, ``.gz`` or anything else (plain CSV), or ``"-"``.
    """
    check_output(output)
    if output != "-" and output.lower().endswith(PARQUET_SUFFIXES):
        with atomic_path(output) as tmp:
            frame.to_parquet(tmp, index=False)
        return
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.columns):
        text = _pandas_like_text(column)
        if text is not None:
            table = table.set_column(i, pa.field(table.field(i).name, pa.string()), text)
    atomic = None if output == "-" else AtomicOutput(output)
    try:
        sink, stream = open_sink(output, atomic, CsvFormat())
        try:
            for start in range(0, max(table.num_rows, 1), _WRITE_ROWS):
                sink.write(table.slice(start, _WRITE_ROWS))
            sink.close()
        finally:
            if stream is not None:
                stream.close()
        if atomic is not None:
            atomic.commit()
    except BaseException:
        if atomic is not None:
            atomic.discard()
        raise
