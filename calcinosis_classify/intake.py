"""Raw cases -> canonical numeric arrays plus structured warnings.

Intake never raises on bad cells and never drops a row: a cell that cannot be
used becomes "unknown" and gets a warning (row, column, field, code, value,
message). Only input that is not tabular at all raises :class:`InputError`.

Parsing works on the *unique* values of each column (``pandas.factorize``),
so text columns cost one Python call per distinct spelling, not per row.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from calcinosis_classify import _separators
from calcinosis_classify.errors import DuplicateColumnError, InputError, InputTypeError
from calcinosis_classify.schema import FIELD_BY_NAME, FIELDS, Field, normalise_column, normalise_unit
from calcinosis_classify.warning_codes import WARNING_CODES

__all__ = ["Intake", "Units", "check_unique_columns", "read_cases"]

Units = Literal["conventional", "si"]

WARNING_COLUMNS = ("row", "column", "field", "code", "value", "message")

# Tri-state codes for flags (int8): unknown, no, yes.
UNKNOWN, NO, YES = -1, 0, 1

_TRUE = {"1", "1.0", "true", "t", "yes", "y", "present", "positive", "pos", "+", "x"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "absent", "negative", "neg", "-", "none"}
_CENSOR_MARKS = frozenset({"<", ">", "<=", ">=", "≤", "≥"})
_BLANK = {"", "na", "n/a", "nan", "null", "unknown", "unk", "?", "not known", "not recorded",
          "nr", "missing", "<na>", "none recorded"}
_STATUS = {
    "low": -1.0, "l": -1.0, "decreased": -1.0, "reduced": -1.0, "below": -1.0, "hypo": -1.0,
    "suppressed": -1.0,
    "normal": 0.0, "n": 0.0, "norm": 0.0, "wnl": 0.0, "within normal limits": 0.0, "ok": 0.0,
    "within range": 0.0, "unremarkable": 0.0,
    "high": 1.0, "h": 1.0, "elevated": 1.0, "raised": 1.0, "increased": 1.0, "above": 1.0, "hyper": 1.0,
}
_SEX = {"f": 1, "female": 1, "woman": 1, "w": 1, "girl": 1, "fem": 1,
        "m": 0, "male": 0, "man": 0, "boy": 0}
# A number (digits in groups of three with "," or "." between them, or a decimal), then a unit.
_NUMBER_WITH_UNIT = re.compile(r"^\s*([<>]=?|≤|≥)?\s*([-+]?(?:\d{1,3}(?:[.,]\d{3})+(?!\d)(?:[.,]\d*)?|\d+(?:[.,]\d*)?"
                               r"|[.,]\d+)(?:e[-+]?\d+)?)\s*(.*?)\s*$", re.IGNORECASE)


@dataclass
class Intake:
    """Canonical view of a batch of cases.

    Attributes
    ----------
    n : int
        Number of rows (always the number of input rows).
    values : dict of str to numpy.ndarray
        One array per schema field. Numbers: float64 in the field's canonical
        unit, NaN = unknown. Statuses: float64 -1/0/1, NaN = unknown. Flags and
        ``sex``: int8, -1 = unknown, 0 = no / male, 1 = yes / female. Text:
        object arrays of lower-case strings, None = unknown.
    columns : dict of str to str
        Field -> the input column it was read from.
    warnings : pandas.DataFrame
        One row per data problem: ``row`` (0-based input row, <NA> for
        problems of the whole input), ``column``, ``field``, ``code``,
        ``value``, ``message``.
    notes : list of str
        How columns were matched (aliases, header units), for reporting.
    ignored : list of str
        Input columns that name no input field (passed through unused).
    """

    n: int
    values: dict[str, np.ndarray]
    columns: dict[str, str] = field(default_factory=dict)
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(WARNING_COLUMNS)))
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


class _Collector:
    """Collects warnings as column arrays; builds one frame at the end."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, rows: np.ndarray, column: str | None, field_name: str | None, code: str,
            values: Any, messages: Any) -> None:
        if code not in WARNING_CODES:
            raise KeyError(f"warning code {code!r} is not in calcinosis_classify.warning_codes.WARNING_CODES")
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        n = rows.size
        self.parts.append(pd.DataFrame({
            "row": pd.array(rows, dtype="Int64"),
            "column": [column] * n,
            "field": [field_name] * n,
            "code": [code] * n,
            "value": _as_list(values, n),
            "message": _as_list(messages, n),
        }))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return _no_warnings().copy()
        out = pd.concat(self.parts, ignore_index=True)
        return out.sort_values("row", kind="stable", na_position="first").reset_index(drop=True)


@functools.cache
def _no_warnings() -> pd.DataFrame:
    """The empty warnings frame (copied for each intake: building it costs more than copying it)."""
    return pd.DataFrame({
        "row": pd.array([], dtype="Int64"),
        **{c: pd.Series([], dtype=object) for c in WARNING_COLUMNS[1:]},
    })


def _as_list(values: Any, n: int) -> list[Any]:
    if isinstance(values, (list, np.ndarray, pd.Series)):
        return [None if v is None else str(v) for v in values]
    return [None if values is None else str(values)] * n


# --------------------------------------------------------------------------- columns

_NAME_LOOKUP: dict[str, str] = {}
for _f in FIELDS:
    for _key in (_f.name, *_f.aliases):
        _NAME_LOOKUP[_key] = _f.name
_KNOWN_NAMES = sorted(_NAME_LOOKUP)
_BRACKET_UNIT = re.compile(r"^(.*?)\s*[\[(]\s*(.+?)\s*[\])]\s*$")


def _split_header_unit(norm: str) -> tuple[str, str] | None:
    """``calcium_mmol_l`` -> (``calcium``, ``mmol/L``) when the tail is a unit of that field."""
    parts = norm.split("_")
    for cut in range(len(parts) - 1, 0, -1):
        head, tail = "_".join(parts[:cut]), "".join(parts[cut:])
        name = _NAME_LOOKUP.get(head)
        if name is None:
            continue
        spec = FIELD_BY_NAME[name]
        if spec.is_number and spec.factor(tail) is not None:
            # The unit as the schema spells it ("pth_pg/ml" -> "pg/mL"); factor() found it, so one matches.
            key = normalise_unit(tail)
            unit = next(u for u in spec.units if normalise_unit(u) == key)
            return name, unit
    return None


@dataclass
class _Match:
    field: str
    column: str
    header_unit: str | None = None


def _match_columns(columns: Iterable[Any], notes: list[str], col: _Collector,
                   ignored: list[str]) -> tuple[dict[str, _Match], dict[str, str]]:
    """Map input columns to fields; returns (field -> match, field -> unit column). Columns that name no
    field are appended to ``ignored``."""
    matches: dict[str, _Match] = {}
    unit_columns: dict[str, str] = {}
    pending_units: list[tuple[str, str]] = []
    for raw in columns:
        column = str(raw)
        bracket = _BRACKET_UNIT.match(column.strip())
        header_unit: str | None = None
        norm = normalise_column(column)
        if bracket:
            norm = normalise_column(bracket.group(1))
            header_unit = bracket.group(2)
        name = _NAME_LOOKUP.get(norm)
        if name is None and norm.endswith("_unit"):
            base = _NAME_LOOKUP.get(norm[: -len("_unit")])
            if base is not None and FIELD_BY_NAME[base].is_number:
                pending_units.append((base, column))
                continue
        if name is None and header_unit is None:
            split = _split_header_unit(norm)
            if split is not None:
                name, header_unit = split
        if name is None:
            close = difflib.get_close_matches(norm, _KNOWN_NAMES, n=1, cutoff=0.8)
            if close:
                suggestion = _NAME_LOOKUP[close[0]]
                col.add(np.array([-1]), column, None, "unknown_column",
                        column, f"column {column!r} is not an input field and is passed through; "
                                f"did you mean {suggestion!r}?")
            ignored.append(column)
            continue
        spec = FIELD_BY_NAME[name]
        if header_unit is not None:
            if not spec.is_number or spec.factor(header_unit) is None:
                accepted = ", ".join(spec.units) if spec.is_number else "none (not a number field)"
                col.add(np.array([-1]), column, name, "unknown_unit", header_unit,
                        f"column {column!r}: unit {header_unit!r} is not a unit of {name}; "
                        f"accepted: {accepted}; the column is ignored")
                continue
        if name in matches:
            col.add(np.array([-1]), column, name, "duplicate_field", column,
                    f"column {column!r} also maps to {name!r} (already read from "
                    f"{matches[name].column!r}); it is passed through unused")
            continue
        matches[name] = _Match(name, column, header_unit)
        if norm != name:
            how = f" with unit {header_unit}" if header_unit else ""
            notes.append(f"column {column!r} read as {name!r}{how}")
    for base, column in pending_units:
        unit_columns[base] = column
    return matches, unit_columns


# --------------------------------------------------------------------------- parsing helpers

# Up to this many cells, a column is parsed cell by cell in Python (a single case: pandas' per-call
# cost would be most of the time); the results are those of the column path.
_FEW_CELLS = 8


def _few_cells(values: Any) -> list[Any] | None:
    """The cells of a short object column (a mapping or a few records), else ``None``."""
    if isinstance(values, np.ndarray) and values.dtype == object and len(values) <= _FEW_CELLS:
        return values.tolist()
    return None


def _is_na(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _unique_strings(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Factorize to (codes, normalised unique strings); code -1 = missing."""
    cells = _few_cells(values)
    if cells is not None and not any(isinstance(c, (np.generic, np.ndarray)) for c in cells):
        first: dict[Any, int] = {}
        codes_list = [-1 if _is_na(c) else first.setdefault(c, len(first)) for c in cells]
        return (np.array(codes_list, dtype=np.intp),
                np.array([str(u).strip().lower() for u in first], dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([str(u).strip().lower() for u in uniques], dtype=object)
    return np.asarray(codes), texts


def _has_text_cells(values: Any) -> bool:
    """Whether a column may hold text cells (only text can be written with a separator): not for a numeric
    column, nor for a few cells none of which is text (a case given as a mapping of numbers)."""
    if _is_numeric_dtype(values):
        return False
    cells = _few_cells(values)
    return cells is None or any(isinstance(c, str) for c in cells)


def _is_numeric_dtype(values: Any) -> bool:
    dtype = getattr(values, "dtype", None)
    return dtype is not None and getattr(dtype, "kind", "O") in "fiub" and not isinstance(dtype, pd.CategoricalDtype)


def _parse_number_text(text: str) -> tuple[float, str, str | None, float, str, str]:
    """Parse '9.6', '2.4 mmol/L', '<5', '1,200' -> (value, unit text, censor mark, other reading, separator
    kind, mark): see :func:`calcinosis_classify._separators.read_token` for the last three."""
    m = _NUMBER_WITH_UNIT.match(text)
    if not m:
        return math.nan, "", None, math.nan, _separators.BAD, ""
    censor, number, unit = m.group(1), m.group(2), m.group(3)
    try:
        value, other, kind, mark = _separators.read_token(number)
    except ValueError:
        return math.nan, "", None, math.nan, _separators.BAD, ""
    if kind == _separators.BAD:
        return math.nan, "", None, math.nan, kind, ""
    return value, unit, censor, other, kind, mark


_PLAIN_NUMBER = r"^[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$"


def _plain_numbers(series: pd.Series) -> np.ndarray:
    """Cells that are plain decimal numbers, as floats (NaN elsewhere: those get the full parser).

    Text backed by Arrow (a CSV read by pyarrow, pandas' pyarrow string dtype) is parsed by Arrow's
    compute kernels, about 2.5x faster than ``pandas.to_numeric``; anything else goes through pandas.
    """
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pc.utf8_trim_whitespace(pa.array(series.array))
        try:
            # The common case, a column of plain numbers and blanks: one cast. Arrow's parser accepts a
            # superset of _PLAIN_NUMBER's forms ("nan", for one), and only NaN results are parsed again
            # below, so any number it returns is the one the pattern would have let through.
            blank = pc.equal(text, "")
            return np.array(pc.cast(pc.if_else(blank, pa.scalar(None, text.type), text), pa.float64())
                            .to_numpy(zero_copy_only=False), dtype="float64")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            # Some cell is not a plain number: cast only the cells the pattern accepts.
            plain = pc.if_else(pc.match_substring_regex(text, _PLAIN_NUMBER), text, pa.scalar(None, text.type))
            return np.array(pc.cast(plain, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    return np.array(pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))


_PLAIN_NUMBER_RE = re.compile(_PLAIN_NUMBER, re.ASCII)


def _plain_number(cell: Any) -> float:
    """One cell as :func:`_plain_numbers` reads it: a number, or text that is a plain decimal number."""
    if isinstance(cell, str):
        text = cell.strip()
        return float(text) if _PLAIN_NUMBER_RE.match(text) else math.nan
    if isinstance(cell, (int, float)):
        return float(cell)
    return math.nan


def _number_column(values: Any, spec: Field, column: str, col: _Collector
                   ) -> tuple[np.ndarray, np.ndarray | None, _separators.Separators | None]:
    """Raw numbers plus per-row inline unit strings (object array, None = none given; ``None`` instead of
    the array when no cell has one), and what the cells read by the full parser say about separators
    (``None`` when there were none)."""
    n = len(values)
    if _is_numeric_dtype(values):
        return np.array(values, dtype="float64"), None, None
    cells = _few_cells(values)
    if cells is not None and all(c is None or isinstance(c, (str, int, float)) for c in cells):
        numbers = np.array([_plain_number(c) for c in cells], dtype="float64")
        rest = np.flatnonzero(np.isnan(numbers) & np.array([not _is_na(c) for c in cells], dtype=bool))
        series = pd.Series(values, dtype=object) if rest.size else None
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
        numbers = _plain_numbers(series)
        rest = np.flatnonzero(np.isnan(numbers) & series.notna().to_numpy())
    if not rest.size:
        return numbers, None, None
    assert series is not None
    inline: np.ndarray = np.full(n, None, dtype=object)
    codes, texts = _unique_strings(series.iloc[rest])
    parsed = [_parse_number_text(t) if t not in _BLANK else (math.nan, "", "blank", math.nan, "", "")
              for t in texts]
    u_val = np.array([p[0] for p in parsed], dtype="float64")
    u_unit = np.array([p[1] or None for p in parsed], dtype=object)
    u_censored = np.array([p[2] in _CENSOR_MARKS for p in parsed], dtype=bool)
    u_blank = np.array([p[2] == "blank" for p in parsed], dtype=bool)
    ok = codes >= 0
    rows = rest[ok]
    numbers[rows] = u_val[codes[ok]]
    inline[rows] = u_unit[codes[ok]]
    bad = np.isnan(numbers[rows]) & ~u_blank[codes[ok]]
    if bad.any():
        raw = series.iloc[rows[bad]].astype(str).to_numpy()
        col.add(rows[bad], column, spec.name, "not_a_number", raw,
                [f"{spec.name}: {v!r} is not a number; treated as unknown" for v in raw])
    cens = u_censored[codes[ok]]
    if cens.any():
        raw = series.iloc[rows[cens]].astype(str).to_numpy()
        col.add(rows[cens], column, spec.name, "censored", raw,
                [f"{spec.name}: {v!r} is a censored result; its limit is used as the value" for v in raw])
    seps = _separator_cells(parsed, codes[ok], rows, numbers, series, spec, column, col)
    return numbers, inline if any(u is not None for u in u_unit) else None, seps


def _separator_cells(parsed: list[tuple[float, str, str | None, float, str, str]], codes: np.ndarray,
                     rows: np.ndarray, numbers: np.ndarray, series: pd.Series, spec: Field, column: str,
                     col: _Collector) -> _separators.Separators | None:
    """Warn about numbers read with thousands separators; collect the ambiguous cells and decimal marks."""
    kinds = np.array([p[4] for p in parsed], dtype=object)
    if not np.isin(kinds, (_separators.DECIMAL, _separators.GROUPED, _separators.AMBIGUOUS)).any():
        return None
    row_kind = kinds[codes]
    grouped = rows[row_kind == _separators.GROUPED]
    if grouped.size:
        raw = series.iloc[grouped].astype(str).to_numpy()
        col.add(grouped, column, spec.name, "thousands_separator", raw,
                [f"{spec.name}: {v.strip()!r} read as {x:g} (thousands separators removed)"
                 for v, x in zip(raw, numbers[grouped], strict=True)])
    ambiguous = row_kind == _separators.AMBIGUOUS
    present = np.unique(codes)
    return _separators.Separators(
        rows=rows[ambiguous],
        other=np.array([parsed[c][3] for c in codes[ambiguous]], dtype="float64"),
        sep=np.array([parsed[c][5] for c in codes[ambiguous]], dtype=object),
        marks={parsed[c][5] for c in present if parsed[c][4] in (_separators.DECIMAL, _separators.GROUPED)})


def _table_key(text: str, table: Mapping[str, Any]) -> str:
    return text[:-2] if text.endswith(".0") and text[:-2] in table else text


def _lookup_numbers(values: Any, table: Mapping[str, Any], unknown: Any, dtype: str) -> np.ndarray | None:
    """A numeric column holding only blanks and the small integers the table names (0/1 flags, -1/0/1),
    mapped without factorising; ``None`` when some other number needs the general path and its warning."""
    v = np.asarray(values, dtype="float64")
    out = np.full(len(v), unknown, dtype=dtype)
    covered = np.isnan(v)
    for x in (-1.0, 0.0, 1.0):
        key = _table_key(str(x), table)
        if key in table:
            hit = v == x
            out[hit] = table[key]
            covered |= hit
    return out if covered.all() else None


def _lookup_column(values: Any, table: Mapping[str, Any], spec: Field, column: str, col: _Collector,
                   unknown: Any, dtype: str, code: str, expected: str) -> np.ndarray:
    n = len(values)
    if _is_numeric_dtype(values):
        if np.asarray(values).dtype.kind == "b":
            return np.asarray(values, dtype=dtype)
        quick = _lookup_numbers(values, table, unknown, dtype)
        if quick is not None:
            return quick
    cells = _few_cells(values)
    if cells is not None and len(cells) == 1 and not isinstance(cells[0], (np.generic, np.ndarray)):
        # A single case: no factorisation (the same result and warning as below).
        return _lookup_cell(cells[0], table, spec, column, col, unknown, dtype, code, expected)
    codes, texts = _unique_strings(values)
    if not len(texts):
        return np.full(n, unknown, dtype=dtype)
    keys = [_table_key(t, table) for t in texts]
    # One extra slot for code -1 (a missing cell): unknown, no warning.
    u_val = np.array([*(table.get(k, unknown) for k in keys), unknown], dtype=dtype)
    u_bad = np.array([*(k not in table and k not in _BLANK for k in keys), False])
    out = u_val[codes]
    bad_rows = np.flatnonzero(u_bad[codes])
    if bad_rows.size:
        raw = texts[codes[bad_rows]]
        col.add(bad_rows, column, spec.name, code, raw, [_not_understood(spec, v, expected) for v in raw])
    return out


def _lookup_cell(cell: Any, table: Mapping[str, Any], spec: Field, column: str, col: _Collector, unknown: Any,
                 dtype: str, code: str, expected: str) -> np.ndarray:
    """:func:`_lookup_column` of a one-cell column."""
    if _is_na(cell):
        return np.full(1, unknown, dtype=dtype)
    text = str(cell).strip().lower()
    key = _table_key(text, table)
    if key in table:
        return np.array([table[key]], dtype=dtype)
    if key not in _BLANK:
        raw = np.array([text], dtype=object)
        col.add(np.array([0]), column, spec.name, code, raw, [_not_understood(spec, text, expected)])
    return np.full(1, unknown, dtype=dtype)


def _not_understood(spec: Field, text: str, expected: str) -> str:
    return f"{spec.name}: {text!r} is not understood (expected {expected}); treated as unknown"


_FLAG_TABLE = {**{k: YES for k in _TRUE}, **{k: NO for k in _FALSE}}


from calcinosis_classify._unit_reading import _plausibility, _resolve_units  # noqa: E402

# --------------------------------------------------------------------------- public API

def check_unique_columns(names: Iterable[Any], source: str = "the input") -> None:
    """Refuse two columns whose names differ only in case, spaces or hyphens (``calcium`` and
    ``Calcium``): which one holds the value would be a guess.

    Raises
    ------
    DuplicateColumnError
        Naming every such group of columns.
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(normalise_column(name), []).append(str(name))
    clashes = [group for group in groups.values() if len(group) > 1]
    if clashes:
        raise DuplicateColumnError(clashes, source)


# How to pass cases (the end of every message refusing the wrong type).
CASES_EXPECTED = ("pass a pandas DataFrame, one case as a mapping of field -> value (a dict), or a list of "
                   "such mappings")


def _as_columns(data: Any) -> tuple[int, dict[str, Any]]:
    if isinstance(data, pd.DataFrame):
        check_unique_columns(data.columns)
        return len(data), {str(c): data[c] for c in data.columns}
    if isinstance(data, Mapping):
        check_unique_columns(data)
        return 1, {str(k): np.array([v], dtype=object) for k, v in data.items()}
    if isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        records = list(data)
        wrong = next((i for i, r in enumerate(records) if not isinstance(r, Mapping)), None)
        if wrong is not None:
            raise InputTypeError(f"cases: item {wrong} is a {type(records[wrong]).__name__}, not a mapping of "
                                 f"field -> value; {CASES_EXPECTED}")
        return _as_columns(pd.DataFrame.from_records(records)) if records else (0, {})
    raise InputTypeError(f"cases: got {type(data).__name__}; {CASES_EXPECTED}")


def read_cases(data: Any, units: Units = "conventional", strict_units: bool = False) -> Intake:
    """Read cases into canonical arrays, collecting every data problem.

    Parameters
    ----------
    data : pandas.DataFrame, mapping or iterable of mappings
        The cases. Column names are matched case-insensitively after trimming
        and mapping spaces and hyphens to underscores; aliases are accepted.
    units : {"conventional", "si"}
        Unit assumed for a number when neither a unit in the cell, a
        ``<field>_unit`` column nor a unit in the header says otherwise. Such
        values are also checked against the other unit system: ambiguous ones
        become unknown, a column that looks like the other system is read in
        it (one ``column_unit_suspect`` warning), and a row whose calcium was
        read in the other system presumes it for its other labs.
    strict_units : bool
        If True, no unit is guessed: a value impossible in its declared unit,
        or whose unit was inferred from its column or row, becomes unknown.

    Returns
    -------
    Intake

    Raises
    ------
    InputTypeError
        ``data`` is not a frame, a mapping or an iterable of mappings.
    InputError
        Duplicate column names, or an unknown ``units``.
    """
    if units not in ("conventional", "si"):
        raise InputError(f"units must be 'conventional' or 'si', got {units!r}")
    n, columns = _as_columns(data)
    col = _Collector()
    notes: list[str] = []
    ignored: list[str] = []
    matches, unit_columns = _match_columns(columns, notes, col, ignored)
    values: dict[str, np.ndarray] = {}
    used: dict[str, str] = {}
    numbers = _Numbers(n, columns, matches, unit_columns, units, strict_units)
    for spec in FIELDS:
        match = matches.get(spec.name)
        if match is None:
            values[spec.name] = _unknown(spec, n)
            continue
        raw = columns[match.column]
        used[spec.name] = match.column
        if spec.is_number:
            values[spec.name] = numbers.read(spec, col)
        elif spec.kind == "flag":
            values[spec.name] = _lookup_column(raw, _FLAG_TABLE, spec, match.column, col, UNKNOWN, "int8",
                                               "unparseable_flag", "yes/no, 1/0, true/false, present/absent")
        elif spec.kind == "status":
            values[spec.name] = _lookup_column(raw, _STATUS, spec, match.column, col, np.nan, "float64",
                                               "unparseable_status", "low/normal/high")
        elif spec.name == "sex":
            values[spec.name] = _lookup_column(raw, _SEX, spec, match.column, col, UNKNOWN, "int8",
                                               "unparseable_sex", "F/M, female/male")
        elif spec.kind == "text":
            values[spec.name] = _text_column(raw)
        else:  # identifier
            values[spec.name] = np.asarray(raw, dtype=object)
    for name, unit_col in unit_columns.items():
        if name not in matches:
            col.add(np.array([-1]), unit_col, name, "orphan_unit_column", unit_col,
                    f"unit column {unit_col!r} has no {name!r} column beside it; ignored")
    _status_conflicts(values, col)
    _blank_rows(columns, n, col)
    warnings = col.frame()
    if len(warnings):
        warnings.loc[warnings["row"] == -1, "row"] = pd.NA
        _raw_values(warnings, columns)
    return Intake(n=n, values=values, columns=used, warnings=warnings, notes=notes, ignored=ignored)


class _Numbers:
    """The number columns of one input, read in two steps: every column's cells are parsed first (what they
    show about decimal marks is needed by the others), then each column's units and values are settled in
    schema order (calcium first: a row whose calcium was read in the other unit system presumes it for the
    labs after it)."""

    def __init__(self, n: int, columns: Mapping[str, Any], matches: Mapping[str, _Match],
                 unit_columns: Mapping[str, str], units: Units, strict: bool):
        self.n, self.columns, self.matches, self.unit_columns = n, columns, matches, unit_columns
        self.units, self.strict = units, strict
        self.parsed: dict[str, tuple[np.ndarray, np.ndarray | None, _separators.Separators | None]] = {}
        self.early: dict[str, _Collector] = {}
        for spec in FIELDS:
            match = matches.get(spec.name)
            if spec.is_number and match is not None:
                self.early[spec.name] = _Collector()
                self.parsed[spec.name] = _number_column(columns[match.column], spec, match.column,
                                                        self.early[spec.name])
        self.marks = _separators.FileMarks({name: (columns[matches[name].column], parsed[2])
                                            for name, parsed in self.parsed.items()})
        self.presumed: np.ndarray | None = None

    def read(self, spec: Field, col: _Collector) -> np.ndarray:
        """The values of number field ``spec`` in its canonical unit; warnings go to ``col`` in the order of
        a field-by-field reading."""
        assert spec.unit is not None and spec.si_unit is not None and spec.plausible is not None
        match = self.matches[spec.name]
        col.parts.extend(self.early[spec.name].parts)
        numbers, inline, seps = self.parsed.pop(spec.name)
        unit_col = self.unit_columns.get(spec.name)
        default_unit = spec.si_unit if self.units == "si" else spec.unit
        factors, declared = _resolve_units(spec, self.n, default_unit, match.header_unit,
                                           self.columns[unit_col] if unit_col else None, inline, unit_col,
                                           match.column, col)
        raw = self.columns[match.column]

        def warn(rows: np.ndarray, code: str, messages: list[str]) -> None:
            col.add(rows, match.column, spec.name, code, None, messages)

        _separators.resolve(spec.name, spec.unit, numbers, factors, raw, seps, _has_text_cells(raw),
                            spec.plausible, self.marks, warn)
        values, assumed = _plausibility(spec, numbers, factors, declared, default_unit, self.strict,
                                        self.presumed if spec.name != "calcium" else None, match.column, col)
        if spec.name == "calcium":
            self.presumed = assumed
        return values


def _raw_values(warnings: pd.DataFrame, columns: Mapping[str, Any]) -> None:
    """Report each cell's value as written in the input (not as parsed: '-4', not '-4.0')."""
    cell = warnings["row"].notna() & warnings["column"].isin(list(columns))
    if not cell.any():
        return
    for name in warnings.loc[cell, "column"].unique():
        idx = warnings.index[cell & (warnings["column"] == name)]
        rows = warnings.loc[idx, "row"].to_numpy(dtype=np.int64)
        raw = np.asarray(columns[name], dtype=object)[rows]
        warnings.loc[idx, "value"] = [None if v is None else str(v) for v in raw]


def _unknown(spec: Field, n: int) -> np.ndarray:
    if spec.is_number or spec.kind == "status":
        return np.full(n, np.nan)
    if spec.kind == "flag" or spec.name == "sex":
        return np.full(n, UNKNOWN, dtype="int8")
    return np.full(n, None, dtype=object)


def _text_column(values: Any) -> np.ndarray:
    codes, texts = _unique_strings(values)
    cleaned = np.array([None if t in _BLANK else t for t in texts] + [None], dtype=object)
    return cleaned[np.where(codes >= 0, codes, len(texts))]


# Each qualitative status field of the schema and the lab whose number it stands in for (``<lab>_status``).
_STATUS_PAIRS = tuple((f.name.removesuffix("_status"), f.name) for f in FIELDS if f.kind == "status")


def _status_conflicts(values: dict[str, np.ndarray], col: _Collector) -> None:
    """A number and a contradicting status: the number wins (README, "Input contract"), with a warning.

    Only gross contradictions are flagged here (a status of 'high' with a value
    below the adult reference interval or 'low' above it); age-aware status is
    computed in :mod:`calcinosis_classify.findings`.
    """
    for number, status in _STATUS_PAIRS:
        spec = FIELD_BY_NAME[number]
        assert spec.reference is not None
        lo, hi = spec.reference
        v, s = values[number], values[status]
        clash = np.isfinite(v) & (((s == 1) & (v < lo)) | ((s == -1) & (v > hi)))
        rows = np.flatnonzero(clash)
        if rows.size:
            word = np.where(s[rows] == 1, "high", "low")
            col.add(rows, status, status, "status_contradicts_value", word,
                    [f"{status} says {str(w)!r} but {number} is {x:g} {spec.unit}; the number is used"
                     for w, x in zip(word, v[rows], strict=True)])


def _blank_rows(columns: Mapping[str, Any], n: int, col: _Collector) -> None:
    """A row with no value in any column (a spreadsheet line of only separators) is no case: it keeps its
    place in the output, so row numbers stay aligned, with a warning saying so.

    Each column is checked only on the rows still blank in every column before it, so the first column
    with a value on most rows (a case id) settles nearly all of them.
    """
    if n == 0 or not columns:
        return
    one = _one_case_cells(columns, n)
    if one is not None:  # one case given as a mapping: the same test cell by cell, without a Series per column
        if all(_is_na(c) or (isinstance(c, str) and c == "") for c in one):
            col.add(np.array([0]), None, None, "blank_row", "", _BLANK_ROW_MESSAGE)
        return
    rows = np.arange(n)
    for values in columns.values():
        cells = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
        if len(rows) < n:
            cells = cells.iloc[rows]
        blank = cells.isna().to_numpy(dtype=bool)
        if cells.dtype.kind not in "fiub":
            blank = blank | (cells == "").to_numpy(dtype=bool, na_value=True)
        rows = rows[blank]
        if not rows.size:
            return
    col.add(rows, None, None, "blank_row", "", _BLANK_ROW_MESSAGE)


def _one_case_cells(columns: Mapping[str, Any], n: int) -> list[Any] | None:
    """The cells of a single row whose columns are all object arrays of plain Python values (one case given
    as a mapping), else ``None``."""
    if n != 1 or not all(isinstance(v, np.ndarray) and v.dtype == object for v in columns.values()):
        return None
    cells = [v.tolist()[0] for v in columns.values()]
    return None if any(isinstance(c, (np.generic, np.ndarray)) for c in cells) else cells


_BLANK_ROW_MESSAGE = ("blank row: no column has a value (in a file, a line of only separators); not a case, kept "
                      "so row numbers stay aligned")
