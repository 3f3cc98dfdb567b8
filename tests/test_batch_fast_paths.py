"""Fast-path equivalence: the batch scorer's two CSV encoders write the same bytes.

Worker processes that read a plain UTF-8 CSV file as byte ranges write each output row as the input line
itself followed by the encoded output cells (``_reuse_input_lines``); everywhere else rows are encoded cell
by cell (``_csv_rows``). Both must give the same bytes for any input, or the output would depend on the
number of worker processes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from calcinosis_classify import _reading as reading
from calcinosis_classify import _writing as writing

# Cells that stress quoting: the delimiter, quotes, line breaks, a carriage return, non-ASCII, blanks,
# spaces at the ends, the text "NaN".
PIECES = ["", "a", "9.5", "x,y", 'say "hi"', "two\nlines", "cr\r\nlf", "é", "日本", " pad ", "NaN", ";", "\t",
          '"', ",", "<5", "-"]


def _random_rows(rng: np.random.Generator, n: int, width: int) -> list[list[str]]:
    def cell() -> str:
        return "".join(rng.choice(PIECES, size=int(rng.integers(0, 3))).tolist())

    return [[f"id{i}"] + [cell() for _ in range(width - 1)] for i in range(n)]


def _outputs(rng: np.random.Generator, n: int) -> dict[str, pa.Array]:
    numbers = rng.normal(5, 3, n).round(3)
    numbers[rng.random(n) < 0.2] = np.nan
    texts = rng.choice(["metastatic", "a;b", 'q "x"', "c,d", "", "é"], n)
    return {"score": pa.array(numbers, pa.float64(), from_pandas=True), "text": pa.array(texts.tolist())}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_reused_input_lines_equal_cell_by_cell_encoding(tmp_path: Path, seed: int, quoting: int) -> None:
    """Hundreds of random rows (quotes, delimiters, line breaks, non-ASCII, empty and NaN cells), written by
    Python's csv module, read as a worker reads a byte range: the fast path gives the bytes the general
    encoder gives, or declines (``None``) when lines and rows do not correspond one to one."""
    rng = np.random.default_rng(seed)
    rows = _random_rows(rng, 400, 5)
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=quoting, lineterminator="\n")
    writer.writerow(["case_id", "a", "b", "c", "d"])
    writer.writerows(rows)
    path = tmp_path / "in.csv"
    path.write_bytes(buf.getvalue().encode())
    plan = reading.plan_csv(str(path), ",")
    start = path.read_bytes().index(b"\n") + 1
    table, raw = reading.read_range(reading.ByteRange(str(path), start, path.stat().st_size, plan, "in"))
    assert table.column("a").to_pylist() == [r[1] for r in rows]
    outputs = _outputs(rng, table.num_rows)
    full = table
    for name, arr in outputs.items():
        full = full.append_column(name, arr)
    general = writing.csv_rows(full)
    assert general.count(b"\n") >= len(rows)
    fast = writing.reuse_input_lines(raw, table, outputs)
    breaks = any("\n" in c or "\r" in c for r in rows for c in r)
    assert fast is not None or breaks  # it declines only where a cell holds a line break
    assert fast is None or fast == general
    # Without line breaks in any cell the fast path must take part, and agree.
    flat = [[c.replace("\n", " ").replace("\r", " ") for c in r] for r in rows]
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=quoting, lineterminator="\n")
    writer.writerows(flat)
    raw = buf.getvalue().encode()
    flat_table = pa.table({n: [r[i] for r in flat] for i, n in enumerate(["case_id", "a", "b", "c", "d"])})
    full = flat_table
    for name, arr in outputs.items():
        full = full.append_column(name, arr)
    assert writing.reuse_input_lines(raw, flat_table, outputs) == writing.csv_rows(full)
