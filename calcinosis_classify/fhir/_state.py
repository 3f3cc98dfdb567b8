"""The reduced per-patient state of a FHIR read, and the warnings collected on the way.

Memory grows with the number of patients, never with the number of resources: each patient has a row in
a few numpy arrays (a date, a number and a reference per lab field and slot, a yes/no/unknown per flag,
the newest date of each medication or procedure exposure), and every block of resources is folded into
those arrays with vectorised operations (:class:`TopK` keeps the newest ``k`` results per patient).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calcinosis_classify.fhir._columns import NO_DATE
from calcinosis_classify.intake import WARNING_COLUMNS
from calcinosis_classify.warning_codes import WARNING_CODES

ACTIVE = np.int64(2**62)
"""Date sentinel of an exposure that is still going on (an active medication, an in-progress procedure)."""

_GROWTH = 1.25


def _grown(array: np.ndarray, capacity: int, fill: Any) -> np.ndarray:
    out = np.full((capacity, *array.shape[1:]), fill, dtype=array.dtype)
    out[: len(array)] = array
    return out


def as_ids(values: Any) -> np.ndarray:
    """Resource ids (str or None) as a fixed-width bytes array (UTF-8; absent = empty)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "S":
        return values
    encoded = [b"" if v is None else str(v).encode("utf-8") for v in values]
    return np.array(encoded, dtype=f"S{max(1, max(map(len, encoded), default=1))}")


def _widen(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    width = max(a.dtype.itemsize, b.dtype.itemsize)
    kind = np.dtype(f"S{width}")
    return (a if a.dtype == kind else a.astype(kind)), (b if b.dtype == kind else b.astype(kind))


class TopK:
    """The ``k`` newest results per patient of one lab (or one kind of event): date, value, unit, id.

    Slot 0 is the newest. Results of the same patient, date and resource id are one result (a
    duplicated resource); results on the same date-time are ordered by resource id.
    """

    def __init__(self, k: int, capacity: int):
        self.k = k
        self.date = np.full((capacity, k), NO_DATE, dtype="int64")
        self.value = np.full((capacity, k), np.nan)
        self.unit = np.full((capacity, k), -1, dtype="int8")
        self.ids = np.zeros((capacity, k), dtype="S1")

    def grow(self, capacity: int) -> None:
        self.date = _grown(self.date, capacity, NO_DATE)
        self.value = _grown(self.value, capacity, np.nan)
        self.unit = _grown(self.unit, capacity, -1)
        self.ids = _grown(self.ids, capacity, b"")

    def merge(self, rows: np.ndarray, dates: np.ndarray, values: np.ndarray, units: np.ndarray,
              ids: np.ndarray) -> np.ndarray:
        """Fold new results in; returns the positions (in the arguments) of duplicated results."""
        if rows.size == 0:
            return np.array([], dtype="int64")
        self.ids, ids = _widen(self.ids, ids)
        k = self.k
        urows = np.unique(rows)
        c_rows = np.concatenate([np.repeat(urows, k), rows])
        c_date = np.concatenate([self.date[urows].ravel(), dates])
        c_value = np.concatenate([self.value[urows].ravel(), values])
        c_unit = np.concatenate([self.unit[urows].ravel(), units.astype("int8")])
        c_ids = np.concatenate([self.ids[urows].ravel(), ids])
        c_src = np.concatenate([np.full(urows.size * k, -1, dtype="int64"), np.arange(rows.size)])
        order = np.lexsort((c_src, c_ids, -c_date, c_rows))
        r, d, ident, src = c_rows[order], c_date[order], c_ids[order], c_src[order]
        dup = np.zeros(r.size, dtype=bool)
        dup[1:] = (r[1:] == r[:-1]) & (d[1:] == d[:-1]) & (ident[1:] == ident[:-1]) & (d[1:] != NO_DATE)
        keep = order[~dup]
        r = c_rows[keep]
        starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        rank = np.arange(r.size) - np.repeat(starts, np.diff(np.r_[starts, r.size]))
        top = rank < k
        sel, slot = keep[top], rank[top]
        self.date[r[top], slot] = c_date[sel]
        self.value[r[top], slot] = c_value[sel]
        self.unit[r[top], slot] = c_unit[sel]
        self.ids[r[top], slot] = c_ids[sel]
        return src[dup]


class Warnings:
    """Warning rows in the columns of intake's warnings (``row``, ``column``, ``field``, ``code``,
    ``value``, ``message``); ``column`` names the resource (``Observation/o1``) or the line.

    Kept as Arrow strings, not Python objects: an export can warn about every patient (an old lab), and
    a warning then costs its text, not several Python objects.
    """

    def __init__(self) -> None:
        self.parts: list[pa.Table] = []

    def add(self, rows: Any, columns: Any, field: Any, code: str, values: Any, messages: Any) -> None:
        """Add warnings (each argument a scalar, or one value per warning: a sequence or an Arrow array)."""
        if code not in WARNING_CODES:
            raise KeyError(f"warning code {code!r} is not in calcinosis_classify.warning_codes.WARNING_CODES")
        rows = np.atleast_1d(np.asarray(rows, dtype="int64"))
        n = rows.size
        if n == 0:
            return

        def listed(x: Any) -> pa.Array:
            if isinstance(x, (pa.Array, pa.ChunkedArray)):
                return x.cast(pa.string())
            if isinstance(x, (list, tuple, np.ndarray, pd.Series)):
                return pa.array([None if v is None or v is pd.NA else str(v) for v in x], type=pa.string())
            return pa.array([None if x is None else str(x)] * n, type=pa.string())

        self.parts.append(pa.table({"row": rows, "column": listed(columns), "field": listed(field),
                                    "code": pa.array([code] * n, type=pa.string()), "value": listed(values),
                                    "message": listed(messages)}))

    def frame(self) -> pd.DataFrame:
        """All warnings in the order found (while reading, then kind by kind as the state is settled, each
        kind in row order); the text columns are Arrow-backed strings (<NA> where absent),
        ``code`` and ``field`` categories. Not re-sorted by row: that would copy every warning (an export
        can warn about every patient); select a patient's with ``warnings[warnings["row"] == i]``."""
        if not self.parts:
            table = pa.table({"row": pa.array([], pa.int64()),
                              **{c: pa.array([], pa.string()) for c in WARNING_COLUMNS[1:]}})
        else:
            table = pa.concat_tables(self.parts)
            self.parts = []
        rows = table["row"].to_numpy()
        out = pd.DataFrame({"row": pd.arrays.IntegerArray(rows, rows < 0)})
        for c in WARNING_COLUMNS[1:]:
            # code and field repeat a few values: categories; the rest are Arrow strings (no copy).
            v = table[c]
            out[c] = _categories(v) if c in ("code", "field") else pd.array(v, dtype=pd.StringDtype("pyarrow"))
        return out


def _categories(values: pa.ChunkedArray) -> pd.Categorical:
    """A string column of few distinct values as a pandas Categorical (built in Arrow, no Python strings)."""
    encoded = pc.dictionary_encode(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(codes, categories=encoded.dictionary.to_pylist())


class Patients:
    """Patient ids and their rows (first-seen order), growing the per-patient arrays of the owners."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.ids: list[str | None] = []
        self.capacity = 0
        self.listeners: list[Any] = []
        self.has_patient = np.zeros(0, dtype=bool)
        self.sex = np.zeros(0, dtype="int8")
        self.birth = np.zeros(0, dtype="int64")

    @property
    def n(self) -> int:
        return len(self.ids)

    def _ensure(self, n: int) -> None:
        if n <= self.capacity:
            return
        capacity = max(n, int(self.capacity * _GROWTH) + 1024)
        self.has_patient = _grown(self.has_patient, capacity, False)
        self.sex = _grown(self.sex, capacity, -1)
        self.birth = _grown(self.birth, capacity, NO_DATE)
        for grow in self.listeners:
            grow(capacity)
        self.capacity = capacity

    def add(self, pid: str | None) -> int:
        """A new row for ``pid``."""
        row = len(self.ids)
        self._ensure(row + 1)
        self.ids.append(pid)
        if pid is not None:
            self.index[pid] = row
        return row

    def rows(self, pids: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """The row of each id (a new row for an id not seen before), and which ids were new."""
        out = np.empty(len(pids), dtype="int64")
        new = np.zeros(len(pids), dtype=bool)
        index = self.index
        for k, pid in enumerate(pids):
            row = index.get(pid) if pid is not None else None
            if row is None:
                row = self.add(pid) if pid is not None else -1
                new[k] = pid is not None
            out[k] = row
        return out, new
