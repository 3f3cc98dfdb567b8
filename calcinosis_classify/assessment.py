"""Public entry points: ``score`` (a frame) and ``classify`` (one case), with explanations."""

from __future__ import annotations

import functools
import os
import textwrap
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calcinosis_classify import engine
from calcinosis_classify import knowledge as kb
from calcinosis_classify.columns import QUIET_CODES, column_problems
from calcinosis_classify.engine import CONFIDENCE, KB, PROBE_NAMES, RISK_LEVELS, SUBTYPES, URGENCY_LEVELS
from calcinosis_classify.errors import ColumnClashError, InputTypeError, InputWarning
from calcinosis_classify.findings import FINDINGS, TRUE, UNKNOWN
from calcinosis_classify.intake import CASES_EXPECTED, Intake, Units, read_cases
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.leaflet import (
    AUDIENCES,
    ManagementNote,
    management_notes,
    management_section,
    patient_summary,
)
from calcinosis_classify.logic import compile_batch
from calcinosis_classify.ranking import tie_broken
from calcinosis_classify.schema import FIELD_BY_NAME

__all__ = ["DISCLAIMER", "OUTPUT_COLUMNS", "Assessment", "Point", "classify", "score"]

DISCLAIMER = ("Decision support for research and teaching only - not a diagnosis. Results must be interpreted "
              "by a qualified clinician with the full clinical picture.")

OUTPUT_COLUMNS: tuple[str, ...] = (
    "subtype", "differential", *(f"score_{s}" for s in SUBTYPES), "confidence", "calciphylaxis_risk", "urgency",
    *(name for name, _ in kb.REPORTED_FINDINGS), "evidence", "missing", "warnings",
)
INDETERMINATE = "indeterminate"
_ID_FIELD = next(f.name for f in FIELD_BY_NAME.values() if f.kind == "identifier")
# Messages in the `warnings` column are joined with this (messages themselves may contain "; ").
WARNING_SEPARATOR = " | "
# Declared dtypes of the output columns (the Dask adapter's meta and the batch writer's schema use them;
# a test checks score() returns exactly these).
OUTPUT_DTYPES: dict[str, str] = {
    name: "float64" if name.startswith("score_") or name in dict(kb.REPORTED_FINDINGS) else "str"
    for name in OUTPUT_COLUMNS
}

# Rules ordered strongest first for the evidence column.
_EVIDENCE_ORDER = np.array(sorted(range(len(KB.rules)),
                                  key=lambda i: (-abs(KB.rules[i].rule.points), KB.rules[i].rule.id)))

# Text columns are Arrow large_string arrays (64-bit offsets, the storage of pandas' "str" dtype): each
# distinct string is built once and taken for every row by Arrow's kernels, with no Python object per row.
_TEXT = pa.large_string()
_SEPARATOR = pa.scalar(";", type=_TEXT)
_SUBTYPE_NAMES = pa.array(SUBTYPES, type=_TEXT)
_PROBE_NAMES = pa.array(PROBE_NAMES, type=_TEXT)
_ROW_CONDITIONS = compile_batch([cond for _, cond in KB.next_steps] + [cond for _, cond in KB.management])


def _labels(names: tuple[str, ...], index: np.ndarray) -> pa.Array:
    """``names[index]`` as a text column."""
    return pa.array(names, type=_TEXT).take(index)


def _joined(names: pa.Array, flat: np.ndarray, counts: np.ndarray) -> pa.Array:
    """One string per group: ``names[flat]`` cut into consecutive groups of ``counts`` items, each joined
    with ``;`` (an empty group gives "")."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return pc.binary_join(pa.LargeListArray.from_arrays(offsets, names.take(flat)), _SEPARATOR)


def _ranked_strings(codes: np.ndarray, names: pa.Array, limit: int) -> pa.Array:
    """Text of ranked-name codes: digit ``r`` (base ``len(names) + 1``, least significant first) is 1 + the
    index of the name at rank ``r``, 0 past the last one. Each distinct code (found by hashing, no sort) is
    decoded once, then taken for every row."""
    index, uniques = pd.factorize(codes)
    base = len(names) + 1
    digits = uniques[:, None] // base ** np.arange(limit, dtype=np.int64) % base
    named = digits > 0  # a prefix of each code's digits
    return _joined(names, digits[named] - 1, np.count_nonzero(named, axis=1)).take(index)


def _differential(res: engine.EngineResult) -> pa.Array:
    """Subtypes in the differential: the top subtype, then contributing ones (§6.5), then the rest by
    adjusted points, ties broken as the top is (:func:`~calcinosis_classify.ranking.tie_broken`)."""
    s = len(SUBTYPES)
    contributing, include = res.contributing.T, res.in_differential.T
    ordered = tie_broken(np.ascontiguousarray(res.adjusted.T), res.supported.T, res.env)
    key = [ordered[j] + np.where(contributing[j], 1000.0, 0.0) + np.where(res.top == j, 10000.0, 0.0)
           for j in range(s)]
    inc = [np.ascontiguousarray(include[j]) for j in range(s)]
    # Rank of each subtype among the included ones: a larger key, or an equal key and a lower index,
    # comes first (keys are finite: adjusted points are). One comparison per pair of subtypes.
    rank = [np.zeros(res.n, dtype=np.uint8) for _ in range(s)]
    for i in range(s):
        for j in range(i + 1, s):
            i_first = key[i] >= key[j]
            rank[j] += inc[i] & i_first
            rank[i] += inc[j] & ~i_first
    powers = (s + 1) ** np.arange(s, dtype=np.int64)
    codes = np.zeros(res.n, dtype=np.int64)
    for j in range(s):
        codes += np.where(inc[j], (j + 1) * powers[rank[j]], 0)
    return _ranked_strings(codes, _SUBTYPE_NAMES, s)


def _missing(res: engine.EngineResult, limit: int = engine.MAX_MISSING) -> pa.Array:
    """Probe inputs with ``res.missing > 0``, most decisive first (ties in probe order), at most ``limit``.

    Works on the few nonzero entries only, found in whichever order ``res.missing`` is stored.
    """
    n, k = res.missing.shape
    if res.missing.T.flags.c_contiguous:  # probe-major storage
        flat = res.missing.T.reshape(-1)
        at = np.flatnonzero(flat > 0)
        probe, row = np.divmod(at, n)
    else:
        flat = np.ascontiguousarray(res.missing).reshape(-1)
        at = np.flatnonzero(flat > 0)
        row, probe = np.divmod(at, k)
    if len(at):
        # Order the entries by row, then decreasing value, then probe: one sort of a packed int64 key.
        value = flat[at].astype(np.int64)
        top = int(value.max())
        vbits, pbits = (top - int(value.min())).bit_length(), (k - 1).bit_length()
        if (n - 1).bit_length() + vbits + pbits <= 63:
            key = np.sort((row << (vbits + pbits)) | ((top - value) << pbits) | probe)
            row, probe = key >> (vbits + pbits), key & ((1 << pbits) - 1)
        else:
            order = np.lexsort((probe, -value, row))
            row, probe = row[order], probe[order]
    # Rank of each entry within its row; keep the first `limit`.
    starts = np.ones(len(row), dtype=bool)
    starts[1:] = row[1:] != row[:-1]
    position = np.arange(len(row))
    rank = position - np.maximum.accumulate(np.where(starts, position, 0))
    kept = rank < limit
    row, probe, rank = row[kept], probe[kept], rank[kept]
    # Sum each row's digits (its entries are consecutive, from rank 0).
    codes = np.zeros(n, dtype=np.int64)
    if len(row):
        firsts = np.flatnonzero(rank == 0)
        powers = (k + 1) ** np.arange(limit, dtype=np.int64)
        codes[row[firsts]] = np.add.reduceat((probe + 1) * powers[rank], firsts)
    return _ranked_strings(codes, _PROBE_NAMES, limit)


def _evidence_bytes() -> pa.Array:
    """For each byte of an evidence-ordered bit pattern (8 rules), the text of its 256 values: the fired
    rule ids in evidence order, each followed by ``;`` ("" when none fired)."""
    ids = [KB.rules[k].rule.id for k in _EVIDENCE_ORDER]
    return pa.array(["".join(f"{ids[b + bit]};" for bit in range(min(8, len(ids) - b)) if value >> bit & 1)
                     for b in range(0, len(ids), 8) for value in range(256)], type=_TEXT)


_EVIDENCE_BYTES = _evidence_bytes()  # byte b of value v at 256 * b + v
_BYTE_BASE = 256 * np.arange((len(KB.rules) + 7) // 8, dtype=np.int64)
_NO_SEPARATOR = pa.scalar("", type=_TEXT)
_PACK_BY_RULE_FROM = 1024  # rows from which packing rule by rule beats one packbits of the gathered rows


def _evidence(rule_state: np.ndarray) -> pa.Array:
    """Fired rule ids, strongest first. Rows are grouped by their fired-rule bit pattern (bit ``p`` is the
    ``p``-th rule in evidence order), hashed as an exact fixed-size binary key (no sort, no collision);
    each distinct pattern's text is the concatenation of its bytes' texts, looked up per byte."""
    n, r = rule_state.shape
    width = (r + 7) // 8
    if n >= _PACK_BY_RULE_FROM and rule_state.T.flags.c_contiguous:
        # Rule-major storage of many rows: OR each rule's bit into its byte (few rows: one packbits)
        by_rule = rule_state.T
        packed_t = np.zeros((width, n), dtype=np.uint8)
        for p, j in enumerate(_EVIDENCE_ORDER.tolist()):
            packed_t[p >> 3] |= (by_rule[j] == TRUE).view(np.uint8) << np.uint8(p & 7)
        packed = np.ascontiguousarray(packed_t.T)
    else:
        packed = np.ascontiguousarray(np.packbits(rule_state[:, _EVIDENCE_ORDER] == TRUE, axis=1,
                                                  bitorder="little"))
    keys = pa.Array.from_buffers(pa.binary(width), n, [None, pa.py_buffer(packed)])
    encoded = keys.dictionary_encode()
    patterns = encoded.dictionary
    raw = np.frombuffer(patterns.buffers()[1], dtype=np.uint8, count=len(patterns) * width,
                        offset=patterns.offset * width).reshape(len(patterns), width)
    pieces = _EVIDENCE_BYTES.take((raw + _BYTE_BASE).ravel())  # every byte's text, pattern by pattern
    offsets = np.arange(0, len(patterns) * width + 1, width, dtype=np.int64)
    # Each fired id ends in ";": drop the last one (a pattern with none fired is "").
    strings = pc.utf8_rtrim(pc.binary_join(pa.LargeListArray.from_arrays(offsets, pieces), _NO_SEPARATOR),
                            characters=";")
    return strings.take(encoded.indices)


def _warnings(intake: Intake) -> pa.Array:
    w = intake.warnings
    if w.empty:
        return pa.array([""], type=_TEXT).take(np.zeros(intake.n, dtype=np.int64))
    w = w[w["row"].notna()]
    joined = w.groupby("row", sort=False)["message"].agg(WARNING_SEPARATOR.join)
    index = np.full(intake.n, len(joined), dtype=np.int64)  # rows without a warning: the final ""
    index[joined.index.to_numpy(dtype=np.int64)] = np.arange(len(joined))
    return pa.array([*joined.to_numpy(dtype=object), ""], type=_TEXT).take(index)


def _result_columns(intake: Intake, res: engine.EngineResult) -> dict[str, Any]:
    cols: dict[str, Any] = {"subtype": _labels((*SUBTYPES, INDETERMINATE),
                                               np.where(res.top >= 0, res.top, len(SUBTYPES))),
                            "differential": _differential(res)}
    for j, s in enumerate(SUBTYPES):
        cols[f"score_{s}"] = np.round(res.scores[:, j], 3)
    cols["confidence"] = _labels(CONFIDENCE, res.confidence)
    cols["calciphylaxis_risk"] = _labels(RISK_LEVELS, res.risk)
    cols["urgency"] = _labels(URGENCY_LEVELS, res.urgency)
    for name, decimals in kb.REPORTED_FINDINGS:
        cols[name] = np.round(res.env[name], decimals)
    cols["evidence"] = _evidence(res.rule_state)
    cols["missing"] = _missing(res)
    cols["warnings"] = _warnings(intake)
    return cols


def score_arrays(frame: pd.DataFrame, units: Units = "conventional",
                 thresholds: Thresholds | dict[str, float] | None = None,
                 strict_units: bool = False, model: Any = None) -> tuple[dict[str, Any], Intake]:
    """The output columns of :func:`score` as arrays (unprefixed, model columns last when ``model`` is
    given), and the intake they came from.

    The rules' text columns are ``pyarrow`` large_string arrays, their numbers numpy float64 arrays;
    model columns are numpy arrays (see :func:`~calcinosis_classify.model.model_columns`).
    """
    th = Thresholds.coerce(thresholds)
    intake = read_cases(frame, units=units, strict_units=strict_units)
    res = engine.evaluate(intake.values, intake.n, th)
    cols = _result_columns(intake, res)
    if model is not None:
        # Imported here: scoring without a model never imports scikit-learn.
        from calcinosis_classify.model import model_columns

        if isinstance(model, (str, os.PathLike)):
            from calcinosis_classify.persistence import load_model

            model = load_model(model)
        cols.update(model_columns(model, frame, intake, res, units=units, thresholds=th,
                                  strict_units=strict_units))
    return cols, intake


def score(frame: pd.DataFrame | Any, units: Units = "conventional", thresholds: Thresholds | dict[str, float] | None = None,
          strict_units: bool = False, prefix: str = "", model: Any = None) -> pd.DataFrame:
    """Score every row of a frame.

    Parameters
    ----------
    frame : pandas.DataFrame (or records / one mapping)
        Cases in the input contract (README, "Input contract"); unknown columns pass through.
    units : {"conventional", "si"}
        Default unit system for numbers whose unit is stated nowhere (see
        :func:`~calcinosis_classify.intake.read_cases` for how such values are
        checked against the other system).
    thresholds : Thresholds or dict, optional
        Overrides of the default cut-offs, e.g. ``{"caxp_metastatic": 55}``.
    strict_units : bool
        Treat values impossible in their declared unit as unknown instead of
        converting them from the one unit where they are plausible.
    prefix : str
        Prefix for the output column names (use it when the input already has
        a column called e.g. ``subtype``).
    model : HybridClassifier, Pipeline or path, optional
        A fitted model (see :mod:`calcinosis_classify.model`) or the path of
        a model file (loaded safely with
        :func:`~calcinosis_classify.persistence.load_model`). Adds
        ``model_subtype``, ``model_proba_<subtype>`` and ``agreement``; a
        :class:`~calcinosis_classify.model.HybridClassifier` also adds
        ``hybrid_subtype``, ``decided_by`` and ``hybrid_urgency``. The rules'
        columns are unchanged: the rules stay first.

    Returns
    -------
    pandas.DataFrame
        The input rows, same order, count and index, input columns untouched,
        with the output columns listed in the README ("Output columns") appended. ``attrs["column_problems"]``
        lists the problems of whole columns (see :mod:`calcinosis_classify.columns`).

    Warns
    -----
    InputWarning
        When a column is misspelt, has a unit no field knows, duplicates a
        field, or holds lesion-site text that matches no site group.
    """
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame.from_records(_records(frame))
    clash = [prefix + c for c in OUTPUT_COLUMNS if prefix + c in frame.columns]
    if clash:
        raise ColumnClashError(clash)
    arrays, intake = score_arrays(frame, units=units, thresholds=thresholds, strict_units=strict_units,
                                  model=model)
    cols = {prefix + k: v for k, v in arrays.items()}
    clash = [c for c in cols if c in frame.columns]
    if clash:
        raise ColumnClashError(clash)
    text = _text_dtype()
    out = pd.DataFrame({k: _pandas_text(v, text) if isinstance(v, pa.Array) else v for k, v in cols.items()},
                       index=frame.index)
    scored = pd.concat([frame, out], axis=1)
    problems = column_problems(intake)
    scored.attrs["column_problems"] = problems
    loud = [p["message"] for p in problems if p["code"] not in QUIET_CODES]
    if loud:
        more = f" (and {len(loud) - 5} more)" if len(loud) > 5 else ""
        warnings.warn(InputWarning(f"{len(loud)} column problem(s): " + "; ".join(map(str, loud[:5])) + more
                                   + "; all are in the result's attrs['column_problems']"), stacklevel=2)
    return scored


def _records(cases: Any) -> list[Mapping[str, Any]]:
    """One mapping or an iterable of mappings as a list of mappings; anything else is refused."""
    if isinstance(cases, Mapping):
        return [cases]
    if isinstance(cases, Iterable) and not isinstance(cases, (str, bytes)):
        records = list(cases)
        wrong = next((i for i, r in enumerate(records) if not isinstance(r, Mapping)), None)
        if wrong is None:
            return records
        raise InputTypeError(f"score(): item {wrong} is a {type(records[wrong]).__name__}, not a mapping of "
                             f"field -> value; {CASES_EXPECTED}")
    raise InputTypeError(f"score(): got {type(cases).__name__}; {CASES_EXPECTED}")


def _text_dtype() -> Any:
    """The dtype pandas gives a column of Python strings (pandas' default ``str`` dtype, or object)."""
    return pd.Series(np.array([""], dtype=object)).dtype


def _pandas_text(values: pa.Array, dtype: Any) -> Any:
    """A text column as pandas would hold it had it been given Python strings (``dtype`` from
    :func:`_text_dtype`; an empty column stays object): an Arrow-backed string dtype wraps the Arrow
    array with no per-row work."""
    if len(values) and isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pd.array(values, dtype=dtype)
    return values.to_numpy(zero_copy_only=False)


# --------------------------------------------------------------------------- single case


def _is_unknown(value: Any) -> bool:
    """Whether one row's value of a finding is unknown (tri-state UNKNOWN or NaN)."""
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, np.uint8) and value == UNKNOWN


_FIELD_RANK = {name: k for k, name in enumerate(FIELD_BY_NAME)}


def _fields_and_findings(names: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``names`` split into input fields and findings (a name that is both counts as a field)."""
    names = tuple(names)
    return (tuple(x for x in names if x in FIELD_BY_NAME),
            tuple(x for x in names if x in FINDINGS and x not in FIELD_BY_NAME))


@functools.cache
def _expansion(name: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """A finding's direct input fields, its direct input findings, and whether it can be unknown on a row
    (a per-row array; a site matrix is never unknown)."""
    return (*_fields_and_findings(FINDINGS[name].inputs), FINDINGS[name].kind != "matrix")


_roots = functools.cache(_fields_and_findings)  # the fields and findings a condition names, per condition


def _rule_fields(names: frozenset[str], env: Mapping[str, np.ndarray], i: int) -> tuple[str, ...]:
    """Input fields a condition reads on row ``i``, in schema order: a finding that is unknown on that row
    contributed nothing, so the inputs behind it are left out (an eGFR never computed does not show the age
    and sex it would have been computed from)."""
    fields, findings = _roots(names)
    seen, stack = set(fields), list(findings)
    visited: set[str] = set()  # findings already expanded (composites share sub-findings)
    while stack:
        name = stack.pop()
        if name in visited:
            continue
        visited.add(name)
        fields, findings, per_row = _expansion(name)
        if per_row and name in env and _is_unknown(env[name][i]):
            continue
        seen.update(fields)
        stack.extend(findings)
    return tuple(sorted(seen, key=_FIELD_RANK.__getitem__))


def _clause(text: str) -> str:
    """A sentence as a clause of a list joined with "; " (no full stop before the semicolon)."""
    return text.rstrip().removesuffix(".")


def _calcium_wording(text: str, albumin_known: bool) -> str:
    """Say "corrected calcium" only when albumin was given (otherwise the total calcium was used)."""
    if albumin_known:
        return text
    return (text.replace("Corrected calcium", "Total calcium (not albumin-corrected)")
            .replace("corrected calcium", "total calcium (not albumin-corrected)"))


def _format_value(name: str, value: Any) -> str | None:
    spec = FIELD_BY_NAME[name]
    if spec.is_number:
        return None if np.isnan(value) else f"{name} {value:.4g} {spec.unit}"
    if spec.kind == "status":
        return None if np.isnan(value) else f"{name} {['low', 'normal', 'high'][int(value) + 1]}"
    if spec.kind == "flag":
        return None if value < 0 else f"{name} {'yes' if value == 1 else 'no'}"
    if spec.kind == "demographic":  # sex, coded -1 unknown, 0 male, 1 female (numbers were handled above)
        return None if value < 0 else f"{name} {'F' if value == 1 else 'M'}"
    return None if value is None else f"{name} {value!r}"


@dataclass(frozen=True)
class Point:
    """One rule that fired for a case."""

    rule_id: str
    subtype: str
    points: int
    strength: str
    rationale: str
    refs: tuple[int, ...]
    values: tuple[str, ...]
    counted: bool = True  # False: a modifier of a subtype no rule supports (its points are not added)

    def sentence(self) -> str:
        refs = "".join(f"[{r}]" for r in self.refs)
        shown = f" ({'; '.join(self.values)})" if self.values else ""
        not_counted = "" if self.counted else f" (not counted: no rule supports {self.subtype})"
        return f"{self.points:+d} {self.subtype}{not_counted}: {self.rationale}{shown} {refs} <{self.rule_id}>"


@dataclass(frozen=True)
class Assessment:
    """The full result for one case (see :func:`classify`)."""

    subtype: str
    differential: tuple[str, ...]
    scores: dict[str, float]
    confidence: str
    calciphylaxis_risk: str
    urgency: str
    ca_x_p: float | None
    calcium_corrected: float | None
    evidence: tuple[Point, ...]
    contributing: tuple[str, ...]
    overrides: tuple[str, ...]
    urgency_reasons: tuple[str, ...]
    risk_factors: tuple[str, ...]
    missing: tuple[str, ...]
    next_steps: tuple[str, ...]
    warnings: tuple[str, ...]
    urgency_triggers: tuple[str, ...] = ()
    management: tuple[ManagementNote, ...] = ()
    case_id: str | None = None
    disclaimer: str = field(default=DISCLAIMER)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable dict."""
        d = asdict(self)
        d["evidence"] = [asdict(p) for p in self.evidence]
        d["management"] = [asdict(n) for n in self.management]
        return d

    def _listed(self, subtype: str) -> str:
        """A differential entry: its score, or why it is listed without one (a candidate of the
        nothing-recorded order, or a contributing subtype)."""
        if self.scores[subtype] > 0:
            return f"{subtype} {self.scores[subtype]:.2f}"
        return f"{subtype} (contributing)" if subtype in self.contributing else f"{subtype} (candidate)"

    def explain(self, label: str | None = None, audience: str = "clinician") -> str:
        """Readable explanation.

        Parameters
        ----------
        label : str, optional
            Where the case comes from (e.g. ``"row 3 of extract.csv"``), shown in the clinician header beside
            its ``case_id``.
        audience : {"clinician", "patient"}
            ``"clinician"``: each point with its rule, value and reference, the missing data and next steps,
            and what is usually done for the leading and co-existing subtypes, with evidence levels and
            references. ``"patient"``: a short plain-language summary (when to seek care first, when it
            applies; what calcinosis cutis is; what the result most likely fits; which tests would help; the
            usual options; that it is not a diagnosis).

        Raises
        ------
        ValueError
            ``audience`` is neither ``"clinician"`` nor ``"patient"``.
        """
        if audience not in AUDIENCES:
            raise ValueError(f"explain(): audience must be one of {', '.join(AUDIENCES)}, got {audience!r}")
        if audience == AUDIENCES[1]:
            return patient_summary(self)
        return self._clinician_text(label)

    def _clinician_text(self, label: str | None) -> str:
        """The clinician explanation (see :meth:`explain`)."""
        case = f"Case {self.case_id}" if self.case_id is not None else "Case (no case_id)"
        lines = [case + (f", {label}" if label else ""),
                 f"Most consistent with: {self.subtype} (confidence {self.confidence})"]
        if self.contributing:
            lines.append(f"Contributing / co-existing: {', '.join(self.contributing)}")
        lines.append("Differential: " + (", ".join(self._listed(s) for s in self.differential) or "none"))
        lines.append(f"Calciphylaxis risk: {self.calciphylaxis_risk}")
        reasons = "; ".join(_clause(r) for r in self.urgency_reasons)
        lines.append(f"Urgency: {self.urgency}" + (f" ({reasons})" if reasons else ""))
        if self.ca_x_p is not None:
            basis = "albumin-corrected" if self.calcium_corrected is not None else "total"
            lines.append(f"Ca×P: {self.ca_x_p:.1f} mg²/dL² (from {basis} calcium)")
        if self.calcium_corrected is not None:
            lines.append(f"Albumin-corrected calcium: {self.calcium_corrected:.2f} mg/dL")
        lines.append("")
        lines.append("Points:")
        lines.extend(textwrap.fill(p.sentence(), 100, initial_indent="  ", subsequent_indent="    ")
                     for p in self.evidence)
        if not self.evidence:
            lines.append("  (no rule fired)")
        if self.overrides:
            lines.append("Overrides and co-existence applied:")
            lines.extend(f"  {o}" for o in self.overrides)
        if self.risk_factors:
            lines.append("Calciphylaxis risk factors present: " + "; ".join(self.risk_factors))
        lines.append("")
        lines.append("Missing data that could change the answer: " + (", ".join(self.missing) or "none"))
        if self.next_steps:
            lines.append("Suggested next steps:")
            lines.extend(textwrap.fill(s, 100, initial_indent="  - ", subsequent_indent="    ") for s in self.next_steps)
        if self.warnings:
            lines.append("Data warnings:")
            lines.extend(f"  - {w}" for w in self.warnings)
        lines.append("")
        lines.extend(management_section(self.management, self.subtype in SUBTYPES))
        lines.append("")
        lines.append(DISCLAIMER)
        return "\n".join(lines)


class _OneRow(Mapping[str, np.ndarray]):
    """Row ``i`` of every array of an environment (length 1), sliced when read."""

    def __init__(self, env: Mapping[str, np.ndarray], i: int):
        self._env, self._i = env, i

    def __getitem__(self, name: str) -> np.ndarray:
        return self._env[name][self._i:self._i + 1]

    def __iter__(self) -> Any:
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)


def _points(intake: Intake, res: engine.EngineResult, i: int) -> tuple[Point, ...]:
    """The rules that fired on row ``i``, strongest first, each with the inputs it read."""
    points = []
    formatted: dict[str, str | None] = {}  # each input's wording, once per row (rules share inputs)

    def wording(field: str) -> str | None:
        if field not in formatted:
            formatted[field] = _format_value(field, intake.values[field][i])
        return formatted[field]

    row = res.rule_state[i, _EVIDENCE_ORDER]
    for k in _EVIDENCE_ORDER[row == TRUE].tolist():
        r = KB.rules[k]
        shown = tuple(v for f in _rule_fields(r.cond.names, res.env, i) if (v := wording(f)) is not None)
        # Modifiers (age bands, risk factors) adjust only a subtype another rule supports (the ranking's rule).
        counted = r.rule.strength != "modifier" or bool(res.supported[i, engine.SUB_INDEX[r.rule.subtype]])
        points.append(Point(r.rule.id, r.rule.subtype, r.rule.points, r.rule.strength, r.rule.rationale,
                            r.rule.refs, shown, counted))
    return tuple(points)


def _overrides_applied(res: engine.EngineResult, i: int) -> tuple[str, ...]:
    """The overrides and co-existence items that shaped row ``i``'s ranking, each as ``"id: rationale"``."""
    overrides = []
    for k, (o, _) in enumerate(KB.overrides):
        j = engine.SUB_INDEX[o.subtype]
        holds = res.override_state[i, k] == TRUE
        applies = (not holds) if o.action == "lead_only_if" else holds
        if applies and res.supported[i, j]:
            overrides.append(f"{o.id}: {o.rationale}")
    coexist = tuple(f"{c.id}: {c.rationale}" for k, (c, _) in enumerate(KB.coexistence)
                    if res.coexist_state[i, k] == TRUE and res.supported[i, engine.SUB_INDEX[c.primary]])
    return tuple(overrides) + coexist


def _assessment_from(intake: Intake, res: engine.EngineResult, cols: Mapping[str, Any], i: int) -> Assessment:
    env = res.env
    albumin_known = not np.isnan(env[kb.CORRECTED_CALCIUM][i])  # corrected calcium needs albumin
    fired = [u for k, (u, _) in enumerate(KB.urgency) if res.urgency_state[i, k] == TRUE]
    urgency_reasons = tuple(_calcium_wording(u.rationale, albumin_known) for u in fired)
    risk = tuple(f"{_clause(rf.rationale)} ({rf.level})" for k, (rf, _) in enumerate(KB.risk)
                 if res.risk_state[i, k] == TRUE)
    one = env if res.n == 1 else _OneRow(env, i)  # a single case's arrays already have one row
    # Every next-step and management condition of the row in one generated call.
    states = _ROW_CONDITIONS(one, 1)
    steps = tuple(f"{x.text} {''.join(f'[{r}]' for r in x.refs)}" for (x, _), state
                  in zip(KB.next_steps, states[:len(KB.next_steps)], strict=True) if state[0] == TRUE)
    management_on = {option.id: state[0] == TRUE
                     for (option, _), state in zip(KB.management, states[len(KB.next_steps):], strict=True)}

    def shown(option_id: str) -> bool:
        return bool(management_on[option_id])
    warn = intake.warnings
    warnings = () if warn.empty else (
        tuple(warn.loc[warn["row"] == i, "message"]) + tuple(warn.loc[warn["row"].isna(), "message"]))
    reported: dict[str, Any] = {name: (None if np.isnan(env[name][i]) else round(float(env[name][i]), decimals))
                for name, decimals in kb.REPORTED_FINDINGS}
    case_id = intake.values[_ID_FIELD][i]
    contributing = tuple(SUBTYPES[j] for j in range(len(SUBTYPES)) if res.contributing[i, j])

    def text(name: str) -> str:
        return str(cols[name][i].as_py())

    return Assessment(
        subtype=text("subtype"),
        differential=tuple(s for s in text("differential").split(";") if s),
        scores={s: float(cols[f"score_{s}"][i]) for s in SUBTYPES},
        confidence=text("confidence"), calciphylaxis_risk=text("calciphylaxis_risk"),
        urgency=text("urgency"),
        **reported,
        evidence=_points(intake, res, i),
        contributing=contributing,
        overrides=_overrides_applied(res, i), urgency_reasons=urgency_reasons, risk_factors=risk,
        missing=tuple(s for s in text("missing").split(";") if s),
        next_steps=steps, warnings=warnings, urgency_triggers=tuple(u.id for u in fired),
        management=management_notes(text("subtype"), contributing, shown),
        case_id=None if case_id is None or pd.isna(case_id) else str(case_id),
    )


def classify(case: Mapping[str, Any] | pd.Series, units: Units = "conventional",
             thresholds: Thresholds | dict[str, float] | None = None, strict_units: bool = False) -> Assessment:
    """Classify one case given as a mapping of field -> value (or a row of a frame).

    Returns an :class:`Assessment` with the same content as a row of
    :func:`score` plus the fired rules, next steps and ``explain()``.

    Raises
    ------
    InputTypeError
        ``case`` is not a mapping (e.g. a list of cases, ``None`` or a
        frame: pass several cases to :func:`score`).
    """
    if isinstance(case, pd.Series):
        case = {str(k): v for k, v in case.items()}
    if not isinstance(case, Mapping):
        several = isinstance(case, (pd.DataFrame, list, tuple))
        raise InputTypeError(
            f"classify() takes one case as a mapping of field -> value, e.g. {{'calcium': 9.6, 'lesion_site': "
            f"'thumb'}}; got {type(case).__name__}"
            + ("; to score several cases, pass them to score() (or classify them one at a time)" if several else ""))
    th = Thresholds.coerce(thresholds)
    intake = read_cases(dict(case), units=units, strict_units=strict_units)
    res = engine.evaluate(intake.values, intake.n, th)
    cols = _result_columns(intake, res)
    return _assessment_from(intake, res, cols, 0)
