"""Public entry points: ``score`` (a frame) and ``classify`` (one case), with explanations."""

from __future__ import annotations

import functools
import os
import textwrap
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from calcinosis_classify import engine
from calcinosis_classify.engine import CONFIDENCE, KB, PROBE_NAMES, RISK_LEVELS, SUBTYPES, URGENCY_LEVELS
from calcinosis_classify.errors import ColumnClashError
from calcinosis_classify.findings import FINDINGS, TRUE
from calcinosis_classify.intake import Intake, Units, read_cases
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.schema import FIELD_BY_NAME

__all__ = ["DISCLAIMER", "OUTPUT_COLUMNS", "Assessment", "Point", "classify", "score"]

DISCLAIMER = ("Decision support for research and teaching only - not a diagnosis. Results must be interpreted "
              "by a qualified clinician with the full clinical picture.")

OUTPUT_COLUMNS: tuple[str, ...] = (
    "subtype", "differential", *(f"score_{s}" for s in SUBTYPES), "confidence", "calciphylaxis_risk", "urgency",
    "ca_x_p", "calcium_corrected", "evidence", "missing", "warnings",
)
INDETERMINATE = "indeterminate"
# Messages in the `warnings` column are joined with this (messages themselves may contain "; ").
WARNING_SEPARATOR = " | "
# Declared dtypes of the output columns (the Dask adapter's meta and the batch writer's schema use them;
# a test checks score() returns exactly these).
OUTPUT_DTYPES: dict[str, str] = {
    name: "float64" if name.startswith("score_") or name in ("ca_x_p", "calcium_corrected") else "str"
    for name in OUTPUT_COLUMNS
}

# Rules ordered strongest first for the evidence column.
_EVIDENCE_ORDER = np.array(sorted(range(len(KB.rules)),
                                  key=lambda i: (-abs(KB.rules[i].rule.points), KB.rules[i].rule.id)))
_EVIDENCE_IDS = np.array([KB.rules[i].rule.id for i in _EVIDENCE_ORDER], dtype=object)


def _strings_by_pattern(keys: np.ndarray, build: Any) -> np.ndarray:
    """Build one string per distinct key row and broadcast it (keeps Python off the per-row path)."""
    if keys.shape[0] == 0:
        return np.array([], dtype=object)
    if keys.ndim == 2:
        keys = np.ascontiguousarray(keys).view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1]))).ravel()
    uniques, inverse = np.unique(keys, return_inverse=True)
    built = np.array([build(u) for u in uniques], dtype=object)
    return built[inverse.ravel()]


def _evidence_strings(rule_state: np.ndarray) -> np.ndarray:
    fired = rule_state[:, _EVIDENCE_ORDER] == TRUE
    packed = np.packbits(fired, axis=1)
    width = fired.shape[1]

    return _strings_by_pattern(packed, lambda key: _decode_evidence(bytes(key), width))


@functools.lru_cache(maxsize=65536)
def _decode_evidence(key: bytes, width: int) -> str:
    bits = np.unpackbits(np.frombuffer(key, dtype=np.uint8))[:width].astype(bool)
    return ";".join(_EVIDENCE_IDS[bits])


def _ranked_strings(order: np.ndarray, include: np.ndarray, names: tuple[str, ...], limit: int) -> np.ndarray:
    """``;``-joined names in ``order`` where ``include``; at most ``limit``."""
    n, k = order.shape
    # Position-major copies: the loop below reads one contiguous array per position.
    order_t = np.ascontiguousarray(order.T)
    inc_t = np.ascontiguousarray(np.take_along_axis(include, order, axis=1).T)
    # Encode the kept indices, in order, as one integer per row (base k+1).
    key = np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    weight = np.ones(n, dtype=np.int64)
    base = k + 1
    for c in range(k):
        keep = inc_t[c] & (count < limit)
        if not keep.any():
            continue
        key += np.where(keep, (order_t[c] + 1) * weight, 0)
        weight = np.where(keep, weight * base, weight)
        count += keep
    return _strings_by_pattern(key, functools.partial(_decode_names, names, base))


@functools.lru_cache(maxsize=65536)
def _decode_names(names: tuple[str, ...], base: int, code: int) -> str:
    """Names encoded by :func:`_ranked_strings` (cached: the same few patterns recur across chunks)."""
    code = int(code)
    parts = []
    while code:
        code, digit = divmod(code, base)
        parts.append(names[digit - 1])
    return ";".join(parts)


def _warning_strings(intake: Intake) -> np.ndarray:
    out = np.full(intake.n, "", dtype=object)
    w = intake.warnings
    w = w[w["row"].notna()]
    if len(w):
        joined = w.groupby("row", sort=False)["message"].agg(WARNING_SEPARATOR.join)
        out[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
    return out


def _differential_and_missing(res: engine.EngineResult) -> tuple[np.ndarray, np.ndarray]:
    # Contributing subtypes follow the top subtype directly (§6.5), then the rest by score.
    key = res.adjusted + np.where(res.contributing, 1000.0, 0.0)
    key[np.arange(res.n), np.maximum(res.top, 0)] += np.where(res.top >= 0, 10000.0, 0.0)
    order = np.argsort(-key, axis=1, kind="stable")
    differential = _ranked_strings(order, res.in_differential, SUBTYPES, len(SUBTYPES))
    morder = np.argsort(-res.missing, axis=1, kind="stable")
    missing = _ranked_strings(morder, res.missing > 0, PROBE_NAMES, engine.MAX_MISSING)
    return differential, missing


def _result_columns(intake: Intake, res: engine.EngineResult) -> dict[str, Any]:
    subtype = np.array([*SUBTYPES, INDETERMINATE], dtype=object)[np.where(res.top >= 0, res.top, len(SUBTYPES))]
    differential, missing = _differential_and_missing(res)
    cols: dict[str, Any] = {"subtype": subtype, "differential": differential}
    for j, s in enumerate(SUBTYPES):
        cols[f"score_{s}"] = np.round(res.scores[:, j], 3)
    cols["confidence"] = np.array(CONFIDENCE, dtype=object)[res.confidence]
    cols["calciphylaxis_risk"] = np.array(RISK_LEVELS, dtype=object)[res.risk]
    cols["urgency"] = np.array(URGENCY_LEVELS, dtype=object)[res.urgency]
    cols["ca_x_p"] = np.round(res.env["ca_x_p"], 1)
    cols["calcium_corrected"] = np.round(res.env["calcium_corrected"], 2)
    cols["evidence"] = _evidence_strings(res.rule_state)
    cols["missing"] = missing
    cols["warnings"] = _warning_strings(intake)
    return cols


def score_arrays(frame: pd.DataFrame, units: Units = "conventional",
                 thresholds: Thresholds | dict[str, float] | None = None,
                 strict_units: bool = False, model: Any = None) -> tuple[dict[str, Any], Intake]:
    """The output columns of :func:`score` as arrays (unprefixed, model columns last when ``model`` is
    given), and the intake they came from."""
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
        Cases in the input contract (DESIGN §3); unknown columns pass through.
    units : {"conventional", "si"}
        Default unit system for numbers without a unit column or header unit.
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
        with the output columns of DESIGN §4 appended.
    """
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame.from_records([frame] if isinstance(frame, Mapping) else list(frame))
    clash = [prefix + c for c in OUTPUT_COLUMNS if prefix + c in frame.columns]
    if clash:
        raise ColumnClashError(clash)
    arrays, _ = score_arrays(frame, units=units, thresholds=thresholds, strict_units=strict_units, model=model)
    cols = {prefix + k: v for k, v in arrays.items()}
    clash = [c for c in cols if c in frame.columns]
    if clash:
        raise ColumnClashError(clash)
    out = pd.DataFrame(cols, index=frame.index)
    return pd.concat([frame, out], axis=1)


# --------------------------------------------------------------------------- single case


@cache
def _rule_fields(names: frozenset[str]) -> tuple[str, ...]:
    """Input fields a condition ultimately reads, in schema order."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in FIELD_BY_NAME:
            seen.add(name)
        elif name in FINDINGS:
            stack.extend(FINDINGS[name].inputs)
    return tuple(f for f in FIELD_BY_NAME if f in seen)


def _format_value(name: str, value: Any) -> str | None:
    spec = FIELD_BY_NAME[name]
    if spec.is_number:
        return None if np.isnan(value) else f"{name} {value:.4g} {spec.unit}"
    if spec.kind == "status":
        return None if np.isnan(value) else f"{name} {['low', 'normal', 'high'][int(value) + 1]}"
    if spec.kind == "flag":
        return None if value < 0 else f"{name} {'yes' if value == 1 else 'no'}"
    if name == "sex":
        return None if value < 0 else f"sex {'F' if value == 1 else 'M'}"
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

    def sentence(self) -> str:
        refs = "".join(f"[{r}]" for r in self.refs)
        shown = f" ({'; '.join(self.values)})" if self.values else ""
        return f"{self.points:+d} {self.subtype}: {self.rationale}{shown} {refs} <{self.rule_id}>"


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
    disclaimer: str = field(default=DISCLAIMER)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable dict."""
        d = asdict(self)
        d["evidence"] = [asdict(p) for p in self.evidence]
        return d

    def explain(self) -> str:
        """Readable explanation: each point with its rule, value and reference."""
        lines = [f"Most consistent with: {self.subtype} (confidence {self.confidence})"]
        if self.contributing:
            lines.append(f"Contributing / co-existing: {', '.join(self.contributing)}")
        lines.append("Differential: " + (", ".join(f"{s} {self.scores[s]:.2f}" for s in self.differential) or "none"))
        lines.append(f"Calciphylaxis risk: {self.calciphylaxis_risk}")
        lines.append(f"Urgency: {self.urgency}" + (f" ({'; '.join(self.urgency_reasons)})" if self.urgency_reasons else ""))
        if self.ca_x_p is not None:
            lines.append(f"Ca×P: {self.ca_x_p:.1f} mg²/dL²")
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
        lines.append(DISCLAIMER)
        return "\n".join(lines)


def _assessment_from(intake: Intake, res: engine.EngineResult, cols: Mapping[str, Any], i: int) -> Assessment:
    env = res.env
    points = []
    for k in _EVIDENCE_ORDER:
        if res.rule_state[i, k] != TRUE:
            continue
        r = KB.rules[k]
        shown = tuple(v for f in _rule_fields(r.cond.names)
                      if (v := _format_value(f, intake.values[f][i])) is not None)
        points.append(Point(r.rule.id, r.rule.subtype, r.rule.points, r.rule.strength, r.rule.rationale,
                            r.rule.refs, shown))
    overrides = []
    for k, (o, _) in enumerate(KB.overrides):
        j = engine.SUB_INDEX[o.subtype]
        holds = res.override_state[i, k] == TRUE
        applies = (not holds) if o.action == "lead_only_if" else holds
        if applies and res.supported[i, j]:
            overrides.append(f"{o.id}: {o.rationale}")
    coexist = tuple(f"{c.id}: {c.rationale}" for k, (c, _) in enumerate(KB.coexistence)
                    if res.coexist_state[i, k] == TRUE and res.supported[i, engine.SUB_INDEX[c.primary]])
    urgency_reasons = tuple(u.rationale for k, (u, _) in enumerate(KB.urgency) if res.urgency_state[i, k] == TRUE)
    risk = tuple(f"{rf.rationale} ({rf.level})" for k, (rf, _) in enumerate(KB.risk) if res.risk_state[i, k] == TRUE)
    one = {k: v[i:i + 1] for k, v in env.items() if getattr(v, "ndim", 0) >= 1 and len(v) == res.n}
    steps = tuple(f"{x.text} {''.join(f'[{r}]' for r in x.refs)}" for x, cond in KB.next_steps
                  if cond.evaluate(one)[0] == TRUE)
    warn = intake.warnings
    warnings = tuple(warn.loc[warn["row"] == i, "message"]) + tuple(warn.loc[warn["row"].isna(), "message"])
    caxp = env["ca_x_p"][i]
    corr = env["calcium_corrected"][i]
    return Assessment(
        subtype=str(cols["subtype"][i]),
        differential=tuple(s for s in str(cols["differential"][i]).split(";") if s),
        scores={s: float(cols[f"score_{s}"][i]) for s in SUBTYPES},
        confidence=str(cols["confidence"][i]), calciphylaxis_risk=str(cols["calciphylaxis_risk"][i]),
        urgency=str(cols["urgency"][i]),
        ca_x_p=None if np.isnan(caxp) else round(float(caxp), 1),
        calcium_corrected=None if np.isnan(corr) else round(float(corr), 2),
        evidence=tuple(points),
        contributing=tuple(SUBTYPES[j] for j in range(len(SUBTYPES)) if res.contributing[i, j]),
        overrides=tuple(overrides) + coexist, urgency_reasons=urgency_reasons, risk_factors=risk,
        missing=tuple(s for s in str(cols["missing"][i]).split(";") if s),
        next_steps=steps, warnings=warnings,
    )


def classify(case: Mapping[str, Any], units: Units = "conventional",
             thresholds: Thresholds | dict[str, float] | None = None, strict_units: bool = False) -> Assessment:
    """Classify one case given as a mapping of field -> value.

    Returns an :class:`Assessment` with the same content as a row of
    :func:`score` plus the fired rules, next steps and ``explain()``.
    """
    th = Thresholds.coerce(thresholds)
    intake = read_cases(dict(case), units=units, strict_units=strict_units)
    res = engine.evaluate(intake.values, intake.n, th)
    cols = _result_columns(intake, res)
    return _assessment_from(intake, res, cols, 0)
