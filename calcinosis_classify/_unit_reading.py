"""Units of lab columns during intake: which unit each cell is in (cell, unit column, header, default), the
possible and plausible ranges, and the units a column or a row implies when no unit is stated.

Split out of :mod:`calcinosis_classify.intake`, which calls :func:`_resolve_units` and :func:`_plausibility`
for every lab column; every cell read as anything but its plain meaning gets a warning in the collector.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from calcinosis_classify.schema import Field, normalise_unit

if TYPE_CHECKING:
    from calcinosis_classify.intake import _Collector



def _resolve_units(spec: Field, n: int, default_unit: str, header_unit: str | None,
                   unit_values: Any | None, inline: np.ndarray | None, unit_column: str | None,
                   column: str, col: _Collector) -> tuple[np.ndarray, np.ndarray]:
    """Per-row factor into the canonical unit (NaN = unknown unit string), and which rows state their unit
    (in the header, the unit column or the cell) rather than taking ``default_unit``.

    The most specific statement wins: the cell, then the unit column, then the header; a statement that
    contradicts a less specific one gets a ``unit_conflict`` warning.
    """
    from calcinosis_classify.intake import _BLANK, _unique_strings  # shared with intake (imported after them)

    base = spec.factor(header_unit) if header_unit else spec.factor(default_unit)
    factors = np.full(n, base if base is not None else 1.0, dtype="float64")
    declared = np.full(n, header_unit is not None)
    any_declared = header_unit is not None and n > 0
    column_codes: np.ndarray | None = None
    column_texts: np.ndarray | None = None
    for source, values in (("column", unit_values), ("inline", inline)):
        if values is None:
            continue
        codes, texts = _unique_strings(values)
        if not len(texts):
            continue
        u_factor = np.array([math.nan if t in _BLANK else (spec.factor(t) or math.nan) for t in texts])
        u_blank = np.array([t in _BLANK for t in texts])
        has = codes >= 0
        rows = np.flatnonzero(has)
        blank = u_blank[codes[rows]]
        rows, c = rows[~blank], codes[rows][~blank]
        new = u_factor[c]
        clash = declared[rows] if any_declared else np.zeros(rows.size, dtype=bool)
        if clash.any():
            clash &= np.isfinite(new) & np.isfinite(factors[rows])
            clash[clash] = ~np.isclose(new[clash], factors[rows][clash], rtol=1e-9, atol=0.0)
        if clash.any():
            _unit_conflicts(spec, source, rows[clash], texts[c[clash]], header_unit, column_codes, column_texts,
                            unit_column, column, col)
        factors[rows] = new
        declared[rows] = True
        any_declared = any_declared or bool(rows.size)
        if source == "column":
            column_codes, column_texts = codes, texts
        unknown = np.isnan(new)
        if unknown.any():
            where = unit_column if source == "column" else column
            raw = texts[c[unknown]]
            col.add(rows[unknown], where, spec.name, "unknown_unit", raw,
                    [f"{spec.name}: unit {u!r} is not recognised (accepted: {', '.join(spec.units)}); "
                     f"value treated as unknown" for u in raw])
    return factors, declared


def _unit_conflicts(spec: Field, source: str, rows: np.ndarray, said: np.ndarray, header_unit: str | None,
                    column_codes: np.ndarray | None, column_texts: np.ndarray | None, unit_column: str | None,
                    column: str, col: _Collector) -> None:
    """Warn where a unit statement contradicts a less specific one (the more specific is used)."""
    from calcinosis_classify.intake import _BLANK  # shared with intake (imported after them)

    if source == "column":
        col.add(rows, unit_column, spec.name, "unit_conflict", said,
                [f"{spec.name}: {unit_column} says {_unit_name(spec, u)!r} but the header {column!r} says "
                 f"{header_unit!r}; "
                 f"the unit column is used" for u in said])
        return
    before: list[str] = []
    for r in rows:
        code = -1 if column_codes is None else int(column_codes[r])
        if code >= 0 and column_texts is not None and column_texts[code] not in _BLANK:
            before.append(f"{unit_column} says {_unit_name(spec, column_texts[code])!r}")
        else:
            before.append(f"the header {column!r} says {header_unit!r}")
    col.add(rows, column, spec.name, "unit_conflict", said,
            [f"{spec.name}: the cell says {_unit_name(spec, u)!r} but {b}; the cell's unit is used"
             for u, b in zip(said, before, strict=True)])


def _unit_name(spec: Field, text: str) -> str:
    """A unit as the schema spells it ("mmol/l" -> "mmol/L"); unknown units as given."""
    key = normalise_unit(text)
    return next((u for u in spec.units if normalise_unit(u) == key), text)


def _round12(x: np.ndarray) -> np.ndarray:
    """Nonzero finite values to 12 significant digits (a converted value's float noise removed)."""
    scale = 10.0 ** (11 - np.floor(np.log10(np.abs(x))))
    return np.asarray(np.round(x * scale) / scale)


def _plausibility(spec: Field, raw: np.ndarray, factors: np.ndarray, declared: np.ndarray, default_unit: str,
                  strict: bool, presumed: np.ndarray | None, column: str, col: _Collector
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """Convert to canonical units and apply the possible/plausible ranges (README, "Input contract").

    Returns the values and the rows read in the other unit system than ``default_unit`` by assumption
    (``None`` when there are none): on a row where calcium was, it becomes the presumption for other labs
    (``presumed``).
    """
    assert spec.possible is not None and spec.plausible is not None and spec.unit is not None
    assert spec.si_unit is not None
    if np.isnan(raw).all():  # nothing given (a lab not measured): nothing to convert, check or infer
        return np.full(len(raw), np.nan), None
    out = raw * factors
    # A converted value carries float noise (2.495 mmol/L -> 9.999999999999998 mg/dL would fall on the other
    # side of a cut-off than the same value typed in mg/dL): keep 12 significant digits, far beyond any lab's.
    converted = (factors != 1.0) & np.isfinite(out) & (out != 0)
    if converted.any():
        out[converted] = _round12(out[converted])
    finite = np.isfinite(raw)
    inf = np.isinf(raw)
    if inf.any():
        rows = np.flatnonzero(inf)
        col.add(rows, column, spec.name, "not_finite", raw[rows],
                f"{spec.name}: infinite value treated as unknown")
    out[~finite] = np.nan
    neg = finite & (raw < 0) & (spec.possible[0] >= 0)
    if neg.any():
        rows = np.flatnonzero(neg)
        col.add(rows, column, spec.name, "negative", raw[rows],
                [f"{spec.name}: negative value {v:g} treated as unknown" for v in raw[rows]])
        out[rows] = np.nan
    other_unit = spec.si_unit if default_unit == spec.unit else spec.unit
    assumed: list[np.ndarray] = []
    if other_unit != default_unit and not declared.all():
        assumed.append(_infer_units(spec, raw, out, declared, default_unit, other_unit, strict, presumed,
                                    column, col))
    assumed.append(_impossible(spec, raw, out, factors, strict, other_unit, column, col))
    rows = np.concatenate(assumed)
    if not rows.size:
        return out, None
    mask = np.zeros(len(out), dtype=bool)
    mask[rows] = True
    return out, mask


def _infer_units(spec: Field, raw: np.ndarray, out: np.ndarray, declared: np.ndarray, default_unit: str,
                 other_unit: str, strict: bool, presumed: np.ndarray | None, column: str,
                 col: _Collector) -> np.ndarray:
    """Units of the cells that do not state one, inferred per row and per column (``out`` updated in place).

    A value's reading "votes" for a unit when it is plausible only in that unit, or (plausible in both)
    inside that unit's reference interval only. On a row whose calcium was read in ``other_unit``
    (``presumed``), a value plausible in ``other_unit`` is read in it. A column whose values mostly vote for
    ``other_unit`` gets one warning; its values that vote for ``other_unit`` are read in it, and those
    plausible in both units that vote for neither are ambiguous. Elsewhere a value possible but implausible
    in ``default_unit`` and plausible in ``other_unit`` is ambiguous. Ambiguous values become unknown (so do
    all guesses with ``strict``). Values impossible in ``default_unit`` are left to :func:`_impossible`.
    Returns the rows read in ``other_unit``.
    """
    assert spec.plausible is not None and spec.possible is not None
    rows = np.flatnonzero(~declared & np.isfinite(out))
    factor = spec.factor(other_unit)
    assert factor is not None
    (plo, phi), (lo, hi) = spec.plausible, spec.possible
    with np.errstate(over="ignore", invalid="ignore"):
        alt = raw[rows] * factor
    # Everything below concerns values plausible in the other unit: work on those only.
    at = np.flatnonzero((alt >= plo) & (alt <= phi))
    if not at.size:
        return np.empty(0, dtype=np.intp)
    n_valued = rows.size
    rows, alt = rows[at], alt[at]
    x, decl = raw[rows], out[rows]
    p_decl = (decl >= plo) & (decl <= phi)
    candidates = (decl >= lo) & (decl <= hi)  # possible in the default unit, plausible in the other
    system = "si" if other_unit == spec.si_unit else "conventional"
    presumed_here = np.zeros(rows.size, dtype=bool)
    if presumed is not None and not strict:
        presumed_here = presumed[rows] & candidates
        _read_in_other(spec, rows[presumed_here], x[presumed_here], alt[presumed_here], other_unit,
                       "row_unit_presumed", f"calcium on this row is in {'SI' if system == 'si' else system} units",
                       column, col, out)
    take = np.zeros(rows.size, dtype=bool)
    ambiguous = candidates & ~p_decl & ~presumed_here
    if n_valued >= 3 and 2 * rows.size > n_valued:
        for_other, for_declared = _votes(spec, decl, alt, p_decl)
        votes = int(np.count_nonzero(for_other))
        if 2 * votes > n_valued:
            col.add(np.array([-1]), column, spec.name, "column_unit_suspect", column,
                    f"{spec.name} looks like {other_unit} in {votes} of {n_valued} rows without a stated unit: "
                    f"pass --units {system} (units={system!r}), or add a {spec.name}_unit column")
            take = candidates & for_other & ~presumed_here & (not strict)
            ambiguous = candidates & ~for_declared & ~presumed_here & ~take
            _read_in_other(spec, rows[take], x[take], alt[take], other_unit, "unit_assumed",
                           f"most of this column looks like {other_unit}", column, col, out)
    if ambiguous.any():
        r = rows[ambiguous]
        shown = [f"{v:g}" for v in x[ambiguous]]
        col.add(r, column, spec.name, "ambiguous_unit", shown,
                [f"{spec.name}: {v} could be {default_unit} or {other_unit} (= {c:.4g} {spec.unit}); treated as "
                 f"unknown: state the unit ({spec.name}_unit column, or '{v} {other_unit}' in the cell)"
                 for v, c in zip(shown, alt[ambiguous], strict=True)])
        out[r] = np.nan
    return rows[take | presumed_here]


def _votes(spec: Field, decl: np.ndarray, alt: np.ndarray, p_decl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of values plausible in the other unit (``alt``), which ones' plausible reading is that unit, and which
    the declared one (``decl``): plausible only there, or, plausible in both, inside that unit's reference
    interval only."""
    for_other, for_declared = ~p_decl, np.zeros(p_decl.size, dtype=bool)
    if spec.reference is not None and p_decl.any():
        rlo, rhi = spec.reference
        a, d = alt[p_decl], decl[p_decl]
        in_a, in_d = (a >= rlo) & (a <= rhi), (d >= rlo) & (d <= rhi)
        for_other[p_decl] = in_a & ~in_d
        for_declared[p_decl] = in_d & ~in_a
    return for_other, for_declared


def _read_in_other(spec: Field, rows: np.ndarray, x: np.ndarray, alt: np.ndarray, unit: str, code: str, why: str,
                   column: str, col: _Collector, out: np.ndarray) -> None:
    """Read ``rows`` (values ``x``) in ``unit`` (``alt`` in the canonical unit), with a warning saying why."""
    if not rows.size:
        return
    values = _round12(alt)
    out[rows] = values
    shown = [f"{v:g}" for v in x]
    col.add(rows, column, spec.name, code, shown,
            [f"{spec.name}: {v} read as {unit} (= {c:.4g} {spec.unit}): {why}"
             for v, c in zip(shown, values, strict=True)])


def _impossible(spec: Field, raw: np.ndarray, out: np.ndarray, factors: np.ndarray, strict: bool,
                other_unit: str, column: str, col: _Collector) -> np.ndarray:
    """Values impossible in their unit: converted from the one unit where they are plausible (``strict``:
    unknown), else unknown; ``out`` is updated in place. Returns the rows converted from ``other_unit``."""
    assert spec.possible is not None and spec.plausible is not None and spec.unit is not None
    assert spec.si_unit is not None
    lo, hi = spec.possible
    impossible = np.isfinite(out) & ((out < lo) | (out > hi))
    if not impossible.any():
        return np.empty(0, dtype=np.intp)
    rows = np.flatnonzero(impossible)
    plo, phi = spec.plausible
    defaults = {spec.unit: spec.factor(spec.unit), spec.si_unit: spec.factor(spec.si_unit)}
    candidates: list[tuple[str, float]] = [(u, f) for u, f in defaults.items() if f is not None]
    hits = np.zeros(rows.size, dtype="int64")
    choice = np.full(rows.size, np.nan)
    choice_unit = np.full(rows.size, None, dtype=object)
    for unit, factor in candidates:
        with np.errstate(over="ignore"):  # an absurd number overflows to inf: implausible in any unit
            alt = raw[rows] * factor
        same = np.isclose(factor, factors[rows])
        ok = ~same & (alt >= plo) & (alt <= phi)
        hits += ok
        choice = np.where(ok, alt, choice)
        choice_unit = np.where(ok, unit, choice_unit)
    unique_hit = hits == 1
    shown = [f"{v:g}" for v in raw[rows]]
    converted = np.empty(0, dtype=np.intp)
    if unique_hit.any():
        r = rows[unique_hit]
        if strict:
            col.add(r, column, spec.name, "implausible_for_unit", np.array(shown)[unique_hit],
                    [f"{spec.name}: {v} is impossible in the declared unit (it would be plausible in {u}); "
                     f"strict_units=True, so treated as unknown"
                     for v, u in zip(np.array(shown)[unique_hit], choice_unit[unique_hit], strict=True)])
            out[r] = np.nan
        else:
            out[r] = choice[unique_hit]
            converted = r[choice_unit[unique_hit] == other_unit]
            col.add(r, column, spec.name, "unit_assumed", np.array(shown)[unique_hit],
                    [f"{spec.name}: {v} is impossible in the declared unit; assumed it was {u} "
                     f"(= {c:.4g} {spec.unit})"
                     for v, u, c in zip(np.array(shown)[unique_hit], choice_unit[unique_hit],
                                        choice[unique_hit], strict=True)])
    if (~unique_hit).any():
        r = rows[~unique_hit]
        col.add(r, column, spec.name, "implausible", np.array(shown)[~unique_hit],
                [f"{spec.name}: {v} is outside the possible range {lo:g}-{hi:g} {spec.unit} "
                 f"in any accepted unit; treated as unknown" for v in np.array(shown)[~unique_hit]])
        out[r] = np.nan
    return converted


