"""Thousands separators and decimal marks in number cells.

A number such as ``1,200`` or ``1.200`` has two readings: 1.2 with a decimal mark, or 1200 with a thousands
separator. Which one is meant is decided per cell with the field's plausible range (1.2 pg/mL PTH is
implausible beside 1200; 2,450 mg/dL calcium is impossible beside 2.45), then per column and per input with
the decimal mark the other cells show (``9.5`` or ``1,234.5`` say the decimal mark is ``.``; ``9,5`` or
``1.234,5`` say it is ``,``). A cell is never silently read as anything but its literal meaning: a thousands
separator, or a decimal comma chosen from the rest of the input, gets a warning; a cell that stays ambiguous
becomes unknown with a warning.

Only text cells are examined (a column the caller already parsed into numbers is taken as parsed), and on
the hot path only numbers whose grouped reading would be plausible are looked at as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FileMarks", "Separators", "read_token", "resolve"]

_GROUPED = {",": re.compile(r"\d{1,3}(?:,\d{3})+"), ".": re.compile(r"\d{1,3}(?:\.\d{3})+")}
_GROUP_LEAD = re.compile(r"[1-9]\d{0,2}")
_AMBIGUOUS_DOT = re.compile(r"\+?[1-9]\d{0,2}\.\d{3}")
# Plain text cells showing a decimal point that cannot be a thousands separator ("9.5", "0.125", "1234.5").
_DOT_DECIMAL = r"^\s*[-+]?\d*\.\d+(?:[eE][-+]?\d+)?\s*$"
_NOT_DOT_DECIMAL = r"^\s*\+?[1-9]\d{0,2}\.\d{3}\s*$"

# Kinds of number token.
PLAIN, DECIMAL, GROUPED, AMBIGUOUS, BAD = "", "decimal", "grouped", "ambiguous", "bad"


def read_token(token: str) -> tuple[float, float, str, str]:
    """Read a number token (sign, digits, ``,``/``.``, exponent) with both separator conventions.

    Returns
    -------
    value : float
        The value read (a single separator is a decimal mark; NaN when the separators make no number).
    other : float
        For an ambiguous token (``1,200``, ``1.200``) the thousands-separator reading, else NaN.
    kind : str
        ``""`` no separator; ``"decimal"`` one decimal mark that cannot be a thousands separator;
        ``"grouped"`` thousands separators (several, or both marks); ``"ambiguous"``; ``"bad"``.
    mark : str
        ``"decimal"``/``"grouped"``: the decimal mark the token shows; ``"ambiguous"``: its separator.
    """
    sign, body = ("", token) if token[:1] not in "+-" else (token[0], token[1:])
    mantissa, has_exp, exp = body.lower().partition("e")
    suffix = "e" + exp if has_exp else ""

    def number(digits: str) -> float:
        return float(sign + digits + suffix)

    commas, dots = mantissa.count(","), mantissa.count(".")
    if commas and dots:
        dec = "," if mantissa.rfind(",") > mantissa.rfind(".") else "."
        group = "." if dec == "," else ","
        head, _, frac = mantissa.rpartition(dec)
        if group in frac or dec in head or not _GROUPED[group].fullmatch(head):
            return math.nan, math.nan, BAD, ""
        return number(head.replace(group, "") + "." + frac), math.nan, GROUPED, dec
    if commas + dots > 1:
        sep = "," if commas else "."
        if not _GROUPED[sep].fullmatch(mantissa):
            return math.nan, math.nan, BAD, ""
        return number(mantissa.replace(sep, "")), math.nan, GROUPED, "." if sep == "," else ","
    if commas + dots == 1:
        sep = "," if commas else "."
        head, _, frac = mantissa.partition(sep)
        value = number(head + "." + frac)
        if len(frac) == 3 and _GROUP_LEAD.fullmatch(head):
            return value, number(head + frac), AMBIGUOUS, sep
        return value, math.nan, DECIMAL, sep
    return number(mantissa), math.nan, PLAIN, ""


@dataclass
class Separators:
    """What the text cells of one number column say about separators.

    Attributes
    ----------
    rows, other, sep : numpy.ndarray
        Ambiguous cells read by the full parser: their rows, thousands-separator readings and separators.
    marks : set of str
        Decimal marks the column's cells show (``"."``, ``","``).
    """

    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    other: np.ndarray = field(default_factory=lambda: np.empty(0))
    sep: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    marks: set[str] = field(default_factory=set)


def _decided(marks: set[str]) -> str | None:
    return next(iter(marks)) if len(marks) == 1 else None


class FileMarks:
    """The decimal mark of each number column and of the whole input, worked out only when asked for."""

    def __init__(self, columns: Mapping[str, tuple[Any, Separators | None]]):
        self._columns = columns
        self._marks: dict[str, set[str]] = {}

    def column_marks(self, name: str) -> set[str]:
        if name not in self._marks:
            raw, seps = self._columns[name]
            marks = set(seps.marks) if seps is not None else set()
            if _shows_decimal_point(raw):
                marks.add(".")
            self._marks[name] = marks
        return self._marks[name]

    def any_comma(self) -> bool:
        """Whether some cell read by the full parser writes a decimal comma (no plain cell can)."""
        return any(seps is not None and "," in seps.marks for _, seps in self._columns.values())

    def mark(self, name: str) -> str | None:
        """The decimal mark of column ``name``: its own if its cells agree on one, else the input's."""
        own = self.column_marks(name)
        if own:
            return _decided(own)
        seen = {m for other in self._columns if (m := _decided(self.column_marks(other))) is not None}
        return _decided(seen)


def _shows_decimal_point(raw: Any) -> bool:
    """Whether some cell of a column writes a decimal point that cannot be a thousands separator."""
    if isinstance(raw, (pd.Series, np.ndarray)) and getattr(raw.dtype, "kind", "O") in "fc":
        values = np.asarray(raw, dtype="float64")
        finite = values[np.isfinite(values)]
        return bool((finite != np.floor(finite)).any())
    cells = np.asarray(raw, dtype=object)
    # One cell is enough: look at the first few thousand before the whole column.
    for part in (cells[:2000], cells[2000:]):
        text = pd.Series(part, dtype=object).map(lambda v: v if isinstance(v, str) else None).dropna()
        if not text.empty and (text.str.match(_DOT_DECIMAL) & ~text.str.match(_NOT_DOT_DECIMAL)).any():
            return True
    return False


def _dot_candidates(raw: Any, numbers: np.ndarray, factors: np.ndarray, plausible: tuple[float, float],
                    screen_plausible: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows of plain text cells written like ``1.200``, and their thousands readings.

    Numbers are screened first (a value in [1, 1000) with at most three decimals; with
    ``screen_plausible``, only those whose thousands reading is plausible), so the text of only those cells
    is looked at.
    """
    lo, hi = plausible
    with np.errstate(over="ignore", invalid="ignore"):
        if screen_plausible:  # the most selective test first, on every row
            in_canonical = numbers * factors
            in_canonical *= 1000.0
            rows = np.flatnonzero((in_canonical >= lo) & (in_canonical <= hi))
        else:
            rows = np.arange(numbers.size)
        value = numbers[rows]
        grouped = value * 1000.0
        rows = rows[(value >= 1.0) & (value < 1000.0) & (np.abs(grouped - np.rint(grouped)) < 1e-6)]
    if not rows.size:
        return rows, np.empty(0)
    grouped = numbers[rows] * 1000.0
    cells = (raw.iloc[rows] if isinstance(raw, pd.Series) else pd.Series(np.asarray(raw, dtype=object)[rows]))
    texts = pd.Series(cells.to_numpy(dtype=object)).map(lambda v: v if isinstance(v, str) else "")
    keep = texts.astype(object).str.strip().str.fullmatch(_AMBIGUOUS_DOT.pattern).to_numpy(dtype=bool)
    return rows[keep], np.rint(grouped[keep])


Warn = Callable[[np.ndarray, str, list[str]], None]


def resolve(name: str, unit: str, numbers: np.ndarray, factors: np.ndarray, raw: Any, seps: Separators | None,
            text_cells: bool, plausible: tuple[float, float], marks: FileMarks, warn: Warn) -> None:
    """Settle the ambiguous cells of one number column in place (``numbers`` holds the decimal readings).

    ``factors`` convert each row's value into the canonical ``unit``, where ``plausible`` applies.
    ``warn(rows, code, messages)`` records a warning. Where the column (else the input) shows its decimal
    mark, the other mark is a thousands separator; elsewhere the plausible reading is taken, and a cell
    plausible both ways is unknown if written with a comma (kept as written, with a note, if with a point).
    """
    rows, other, sep = (seps.rows, seps.other, seps.sep) if seps is not None else (
        np.empty(0, dtype=np.intp), np.empty(0), np.empty(0, dtype=object))
    if text_cells:
        dot_rows, dot_other = _dot_candidates(raw, numbers, factors, plausible, not marks.any_comma())
        if dot_rows.size:
            rows = np.concatenate([rows, dot_rows])
            other = np.concatenate([other, dot_other])
            sep = np.concatenate([sep, np.full(dot_rows.size, ".", dtype=object)])
    if not rows.size:
        return
    lo, hi = plausible
    decimal = numbers[rows]
    with np.errstate(invalid="ignore", over="ignore"):
        dec_ok = (decimal * factors[rows] >= lo) & (decimal * factors[rows] <= hi)
        grp_ok = (other * factors[rows] >= lo) & (other * factors[rows] <= hi)
    comma = sep == ","
    mark = marks.mark(name)
    if mark is not None:  # the other mark can only group digits
        to_group = comma if mark == "." else ~comma
    else:
        to_group = grp_ok & ~dec_ok
    unknown = comma & dec_ok & grp_ok & (mark is None)
    to_comma = comma & ~to_group & ~unknown & ((mark is None) | (dec_ok & grp_ok))
    noted = ~comma & ~to_group & dec_ok & grp_ok
    shown = [str(v).strip() for v in (raw.iloc[rows] if isinstance(raw, pd.Series)
                                      else pd.Series(np.asarray(raw, dtype=object)[rows])).to_numpy(dtype=object)]

    def canonical(i: Any, value: float) -> str:
        return f"{value * factors[rows[i]]:g} {unit}"

    if to_group.any():
        idx = np.flatnonzero(to_group)
        numbers[rows[idx]] = other[idx]
        warn(rows[idx], "thousands_separator", [
            f"{name}: {shown[i]!r} read as {other[i]:g}, with {sep[i]!r} as a thousands separator ("
            + (f"this input writes decimals with {mark!r})" if mark is not None else
               f"{canonical(i, decimal[i])} would be implausible)") for i in idx])
    if to_comma.any():
        idx = np.flatnonzero(to_comma)
        warn(rows[idx], "decimal_comma_assumed", [
            f"{name}: {shown[i]!r} read as {decimal[i]:g}, with a decimal comma ("
            + ("as elsewhere in this input" if mark == "," else f"{canonical(i, other[i])} would be implausible")
            + f"); write {other[i]:g} without the comma if that was meant" for i in idx])
    if noted.any():
        idx = np.flatnonzero(noted)
        warn(rows[idx], "maybe_thousands_separator", [
            f"{name}: {shown[i]!r} read as {decimal[i]:g}; if {other[i]:g} was meant, write it without the "
            f"thousands separator" for i in idx])
    if unknown.any():
        idx = np.flatnonzero(unknown)
        numbers[rows[idx]] = np.nan
        warn(rows[idx], "ambiguous_separator", [
            f"{name}: {shown[i]!r} could be {decimal[i]:g} (decimal comma) or {other[i]:g} (thousands "
            f"separator), both plausible; treated as unknown: write the number without a thousands separator"
            for i in idx])
