"""Evaluate the knowledge base over whole columns.

Pipeline (all numpy, no per-row Python): findings -> rule matrix (tri-state)
-> points per subtype -> co-existence, overrides O1/O3/O4 -> ranking ->
confidence, calciphylaxis risk, urgency -> which unknown inputs could change
the answer (re-evaluating only the findings and rules each input touches).

The knowledge base is compiled and validated when this module is imported;
a malformed rule raises :class:`~calcinosis_classify.errors.KnowledgeBaseError`
then, never mid-batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np

from calcinosis_classify import knowledge as kb
from calcinosis_classify.errors import KnowledgeBaseError
from calcinosis_classify.findings import (
    FINDINGS,
    TRUE,
    UNKNOWN,
    absent_inputs,
    compute_findings,
    downstream,
    unknown_closure,
    unknown_defaults,
)
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.logic import Condition, ConditionSyntaxError, compile_batch, compile_condition
from calcinosis_classify.schema import FIELD_BY_NAME, FIELDS

__all__ = ["CONFIDENCE", "KB", "RISK_LEVELS", "SUBTYPES", "URGENCY_LEVELS", "EngineResult", "evaluate"]

SUBTYPES = kb.SUBTYPES
S = len(SUBTYPES)
SUB_INDEX = {s: i for i, s in enumerate(SUBTYPES)}
CONFIDENCE = ("low", "moderate", "high")
RISK_LEVELS = ("low", "moderate", "high")
URGENCY_LEVELS = ("routine", "urgent", "emergency")
_POINTS = {"strong": 3, "moderate": 2, "weak": 1}
# Ties (clinical-spec §6.4): can't-miss first (a bonus of _CANT_MISS_TIE when its finding holds), then the
# declared order; the steps are far below the half points adjusted scores move in.
_TIE = np.array([0.001 * (S - 1 - kb.TIE_ORDER.index(s)) for s in SUBTYPES])
_CANT_MISS_TIE = np.float32(0.01)
_CANT_MISS = SUB_INDEX[kb.CANT_MISS.subtype]
_SCORE_SCALE = 4.0  # points at which a subtype's score reaches 1 - 1/e [PROPOSED]

# Inputs probed for `missing` (knowledge/policy.py): (name, plausible values, the fields that must all be
# unknown), and the field each probe sets.
_PROBES: tuple[tuple[str, tuple[Any, ...], tuple[str, ...]], ...] = tuple(
    (p.name, p.values, p.group) for p in kb.PROBES)
PROBE_NAMES = tuple(p[0] for p in _PROBES)
_PROBE_SET_FIELD = {p.name: p.sets for p in kb.PROBES}
MAX_MISSING = 5
_HIGH_MARGIN = np.float32(kb.CONFIDENCE.high_margin)


@dataclass(frozen=True)
class CompiledRule:
    rule: kb.Rule
    cond: Condition
    index: int


@dataclass(frozen=True)
class KnowledgeBase:
    """The compiled, validated knowledge base."""

    rules: tuple[CompiledRule, ...]
    points: np.ndarray  # (R, S) float
    positive: np.ndarray  # (R, S) bool: supporting evidence (not priors/modifiers)
    strong: np.ndarray  # (R, S) bool
    phenotype: np.ndarray  # (R, S) bool
    prior: np.ndarray  # (S,)
    overrides: tuple[tuple[kb.Override, Condition], ...]
    coexistence: tuple[tuple[kb.Coexistence, Condition], ...]
    risk: tuple[tuple[kb.RiskFactor, Condition], ...]
    urgency: tuple[tuple[kb.UrgencyTrigger, Condition], ...]
    next_steps: tuple[tuple[kb.NextStep, Condition], ...]
    rule_deps: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


_PRESUMING = re.compile(r"\b(?:not_known|unknown)\s*\(")
_ENGINE_FINDINGS = {f"{p}_{s}" for s in SUBTYPES for p in ("strong_other", "phenotype", "top")} | {"cp_risk_high"}


def _compile(item_id: str, text: str, extra: set[str] = frozenset()) -> Condition:  # type: ignore[assignment]
    try:
        cond = compile_condition(text)
    except ConditionSyntaxError as exc:
        raise KnowledgeBaseError(item_id, str(exc)) from None
    known = set(FINDINGS) | set(FIELD_BY_NAME) | set(extra)
    for name in cond.names:
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KnowledgeBaseError(item_id, f"condition names unknown finding {name!r}{hint}")
    return cond


def build_knowledge_base() -> KnowledgeBase:
    """Compile and validate the tables of :mod:`calcinosis_classify.knowledge`."""
    ids: set[str] = set()
    items: list[Any] = [*kb.RULES, *kb.OVERRIDES, *kb.COEXISTENCE, *kb.RISK_FACTORS, *kb.URGENCY, *kb.NEXT_STEPS]
    for item in items:
        if item.id in ids:
            raise KnowledgeBaseError(item.id, "duplicate id")
        ids.add(item.id)
        if not item.refs and not isinstance(item, kb.Rule):
            raise KnowledgeBaseError(item.id, "cites no clinical-spec reference")
    rules = []
    points = np.zeros((len(kb.RULES), S))
    positive = np.zeros((len(kb.RULES), S), dtype=bool)
    strong = np.zeros_like(positive)
    phenotype = np.zeros_like(positive)
    for i, rule in enumerate(kb.RULES):
        if rule.subtype not in SUB_INDEX:
            raise KnowledgeBaseError(rule.id, f"subtype must be one of {', '.join(SUBTYPES)}, got {rule.subtype!r}")
        if not rule.refs:
            raise KnowledgeBaseError(rule.id, "cites no clinical-spec reference")
        if rule.points == 0 or abs(rule.points) > 3:
            raise KnowledgeBaseError(rule.id, f"points must be ±1, ±2 or ±3, got {rule.points}")
        if rule.strength in _POINTS and abs(rule.points) > _POINTS[rule.strength]:
            raise KnowledgeBaseError(rule.id, f"{rule.strength} evidence is worth at most "
                                              f"{_POINTS[rule.strength]} points, got {rule.points}")
        if rule.phenotype and rule.points <= 0:
            raise KnowledgeBaseError(rule.id, "a phenotype rule must add points")
        cond = _compile(rule.id, rule.condition)
        if _PRESUMING.search(rule.condition):
            # not_known()/unknown() are true on unknown input: an evidence rule using them would let a
            # blank cell add points. A known contradiction belongs in a separate rule against.
            raise KnowledgeBaseError(rule.id, "evidence rules cannot use unknown() or not_known(): "
                                              "an unknown input must never make a rule fire")
        rules.append(CompiledRule(rule, cond, i))
        j = SUB_INDEX[rule.subtype]
        points[i, j] = rule.points
        positive[i, j] = rule.points > 0 and rule.strength in _POINTS
        strong[i, j] = rule.points > 0 and rule.strength == "strong"
        phenotype[i, j] = rule.phenotype is not None
    prior = np.array([kb.PRIORS.get(s, 0.0) for s in SUBTYPES])
    for o in kb.OVERRIDES:
        if o.subtype not in SUB_INDEX:
            raise KnowledgeBaseError(o.id, f"unknown subtype {o.subtype!r}")
    for c in kb.COEXISTENCE:
        for s in (c.primary, c.contributing):
            if s not in SUB_INDEX:
                raise KnowledgeBaseError(c.id, f"unknown subtype {s!r}")
    deps: dict[str, list[int]] = {}
    for r in rules:
        for name in r.cond.names:
            deps.setdefault(name, []).append(r.index)
    return KnowledgeBase(
        rules=tuple(rules), points=points, positive=positive, strong=strong, phenotype=phenotype, prior=prior,
        overrides=tuple((o, _compile(o.id, o.condition, _ENGINE_FINDINGS)) for o in kb.OVERRIDES),
        coexistence=tuple((c, _compile(c.id, c.condition, _ENGINE_FINDINGS)) for c in kb.COEXISTENCE),
        risk=tuple((r, _compile(r.id, r.condition)) for r in kb.RISK_FACTORS),
        urgency=tuple((u, _compile(u.id, u.condition, _ENGINE_FINDINGS)) for u in kb.URGENCY),
        next_steps=tuple((x, _compile(x.id, x.condition, _ENGINE_FINDINGS)) for x in kb.NEXT_STEPS),
        rule_deps={k: tuple(v) for k, v in deps.items()},
    )


KB = build_knowledge_base()
_STACKED = np.hstack([KB.points, KB.positive, KB.strong, KB.phenotype]).astype(np.float32)
_STACKED_T = np.ascontiguousarray(_STACKED.T)
_PRIOR32 = KB.prior.astype(np.float32)
_TIE32 = _TIE.astype(np.float32)
# Findings read by the ranking stage itself and by override / co-existence conditions.
# What _rank reads from the findings environment besides the condition names (confidence, tie-break).
_RANK_BASE_NAMES = frozenset({kb.CONFIDENCE.graded, kb.CONFIDENCE.kidney_known, kb.CANT_MISS.finding})
_RANK_NAMES = _RANK_BASE_NAMES.union(
    *(c.names for _, c in KB.overrides), *(c.names for _, c in KB.coexistence)) - _ENGINE_FINDINGS


_STRONG_OTHER = frozenset(f"strong_other_{s}" for s in SUBTYPES)
_PHENOTYPE = frozenset(f"phenotype_{s}" for s in SUBTYPES)
_COEX_PRIMARY = np.array([SUB_INDEX[c.primary] for c, _ in KB.coexistence], dtype=np.intp)
_COEX_CONTRIBUTING = np.array([[c.contributing == s for c, _ in KB.coexistence] for s in SUBTYPES], dtype=np.uint8)
_OVERRIDE_ORDER = tuple(sorted(enumerate(KB.overrides), key=lambda t: t[1][0].action == "rank_first"))
_RANK_CONDITIONS: tuple[tuple[tuple[str, int], Condition], ...] = (
    *((("c", k), cond) for k, (_, cond) in enumerate(KB.coexistence)),
    *((("o", k), cond) for k, (_, cond) in enumerate(KB.overrides)))


def _rank_conditions(ranked: Mapping[str, Any]) -> list[tuple[tuple[str, int], np.ndarray, Condition]]:
    """Every co-existence and override condition with its key and its state in ``ranked`` (all rows)."""
    states = {"c": ranked["coexist_state"], "o": ranked["override_state"]}
    return [(key, states[key[0]][:, key[1]], cond) for key, cond in _RANK_CONDITIONS]


@dataclass
class EngineResult:
    """Arrays for every row (see :func:`evaluate`)."""

    n: int
    env: Mapping[str, np.ndarray]  # inputs and findings by name
    rule_state: np.ndarray  # (n, R) uint8 tri-state (a view of the rule-major (R, n) matrix)
    points: np.ndarray  # (n, S) raw evidence points (no prior)
    adjusted: np.ndarray  # (n, S) after prior, co-existence and overrides
    supported: np.ndarray  # (n, S) bool
    top: np.ndarray  # (n,) subtype index or -1 = indeterminate
    scores: np.ndarray  # (n, S) 0-1
    in_differential: np.ndarray  # (n, S) bool
    contributing: np.ndarray  # (n, S) bool
    confidence: np.ndarray  # (n,) index into CONFIDENCE
    risk: np.ndarray  # (n,) index into RISK_LEVELS
    risk_state: np.ndarray  # (n, F) uint8
    urgency: np.ndarray  # (n,) index into URGENCY_LEVELS
    urgency_state: np.ndarray  # (n, U) uint8
    override_state: np.ndarray  # (n, O) uint8
    coexist_state: np.ndarray  # (n, C) uint8
    missing: np.ndarray  # (n, K) int decisiveness per probe (0 = not decisive / known)


def _rule_matrix(env: Mapping[str, np.ndarray], n: int, skip: frozenset[str] = frozenset(),
                 thresholds: Thresholds | None = None) -> np.ndarray:
    """Tri-state of every rule, rule-major: shape (R, n), one contiguous row per rule. Rules reading only
    ``skip`` names take their all-unknown state."""
    if n <= _FEW_ROWS:  # every rule in one generated function: per-call cost is the cost here
        return _as_states(_RULE_BATCH(env, n), n)
    out = np.empty((len(KB.rules), n), dtype=np.uint8)
    defaults = _unknown_rule_state(thresholds) if skip and thresholds is not None else None
    for r in KB.rules:
        if defaults is not None and r.cond.names <= skip:
            out[r.index] = defaults[r.index]
        else:
            out[r.index] = r.cond.evaluate(env)
    return out


@lru_cache(maxsize=16)
def _unknown_rule_state(thresholds: Thresholds) -> np.ndarray:
    """Each rule's state when no input is known."""
    return _rule_matrix(unknown_defaults(thresholds), 1)[:, 0]


def _stack(rule_state: np.ndarray) -> np.ndarray:
    """Points, support, strong support and phenotype matches per subtype: one matrix product of the
    rule-major (R, n) states.

    Subtype-major, shape (4S, n): every per-subtype quantity is one contiguous row, so the ranking
    below works on whole contiguous arrays (numpy's reductions along short rows are slow).
    """
    n = rule_state.shape[1]
    if n == 0:  # no rows (an empty frame, a header): no call into BLAS, whose threads would then spin
        return np.zeros((_STACKED_T.shape[0], 0), dtype=np.float32)
    if n <= _STACK_BLOCK:
        return _STACKED_T @ (rule_state == TRUE).astype(np.float32)
    # In column blocks: the 0/1 matrix of a block stays in cache instead of a full-size float copy.
    out = np.empty((_STACKED_T.shape[0], n), dtype=np.float32)
    block = np.empty((rule_state.shape[0], _STACK_BLOCK), dtype=np.float32)
    for start in range(0, n, _STACK_BLOCK):
        stop = min(n, start + _STACK_BLOCK)
        fired = block[:, :stop - start]
        np.equal(rule_state[:, start:stop], TRUE, out=fired, casting="unsafe")
        out[:, start:stop] = _STACKED_T @ fired
    return out


_STACK_BLOCK = 16384


def _first_max(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Index of the first maximum, maximum) over the subtype axis of a (S, n) array."""
    if a.shape[1] <= _FEW_ROWS:
        idx = a.argmax(axis=0)
        return idx, a[idx, np.arange(a.shape[1])]
    top = a.max(axis=0)
    idx = np.full(a.shape[1], a.shape[0] - 1, dtype=np.intp)
    for j in range(a.shape[0] - 2, -1, -1):
        idx = np.where(a[j] == top, j, idx)
    return idx, top


def _graded(env: Mapping[str, np.ndarray]) -> np.ndarray:
    """Rows whose confidence can be above low: the inputs the confidence policy needs are known."""
    return env[kb.CONFIDENCE.graded] == TRUE


def _kidney_known(env: Mapping[str, np.ndarray]) -> np.ndarray:
    return env[kb.CONFIDENCE.kidney_known] == TRUE


# Up to this many rows, reductions over the subtype axis are single numpy calls; above it, running maxima
# over contiguous rows (reductions along short strided rows are slow on long arrays).
_FEW_ROWS = 2048


def _top_two(a: np.ndarray, skip: int = -1, second: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Largest and second largest (a tie counts twice) over the subtype rows of ``a`` other than ``skip``:
    running maxima, no copies of the whole array."""
    if a.shape[1] <= _FEW_ROWS:  # few rows: a reduction or a partial sort is one call
        rest = a if skip < 0 else a[_OTHERS[skip]]
        if not second:
            first = rest.max(axis=0)
            return first, first
        part = np.partition(rest, rest.shape[0] - 2, axis=0)
        return part[-1], part[-2]
    rows = [a[j] for j in range(a.shape[0]) if j != skip]
    first = np.maximum(rows[0], rows[1])
    if not second:
        for r in rows[2:]:
            np.maximum(first, r, out=first)
        return first, first
    runner = np.minimum(rows[0], rows[1])
    for r in rows[2:]:
        np.maximum(runner, np.minimum(first, r), out=runner)
        np.maximum(first, r, out=first)
    return first, runner


def _rank(env: dict[str, np.ndarray], stacked: np.ndarray, full: bool = True,
          fixed: Mapping[tuple[str, int], np.ndarray] | None = None, bounds: bool = True) -> dict[str, Any]:
    """Points -> co-existence/overrides -> ranking, top, confidence (for all rows of ``env``).

    ``stacked`` is :func:`_stack` of the rule states (subtype-major); ``full=False`` skips the complete
    ordering and the (n, S) outputs (the missing-data probes need only the top subtype and confidence).
    ``fixed`` gives co-existence (``("c", k)``) and override (``("o", k)``) states known not to change;
    ``bounds=False`` leaves out what only input-by-input probing reads (see :func:`_settle`).
    """
    fixed = fixed or {}
    n = stacked.shape[1]
    points = stacked[:S]
    supported = stacked[S:2 * S] > 0
    # The rule-derived findings the conditions read (all of them for a full ranking).
    wanted = _ENGINE_FINDINGS if full else frozenset().union(
        *(cond.names for key, cond in _RANK_CONDITIONS if key not in fixed)) & _ENGINE_FINDINGS
    if wanted & _STRONG_OTHER:
        strong = stacked[2 * S:3 * S] > 0
        # Some other subtype has strong support: more strongly supported subtypes than this one alone.
        other = (strong.sum(axis=0) - strong > 0).view(np.uint8) * TRUE
        env.update((f"strong_other_{s}", other[j]) for j, s in enumerate(SUBTYPES))
    if wanted & _PHENOTYPE:
        phenotype = (stacked[3 * S:] > 0).view(np.uint8) * TRUE
        env.update((f"phenotype_{s}", phenotype[j]) for j, s in enumerate(SUBTYPES)
                   if f"phenotype_{s}" in wanted)
    # float32 throughout: adjusted points are whole or half points (exact), and the tie-breakers stay
    # far apart (0.001 against a float32 spacing of about 1e-5 at these magnitudes).
    adj = points + _PRIOR32[:, None]
    # Unsupported subtypes cannot lead; push them below any supported one.
    adj = np.where(supported, adj, np.minimum(adj, 0.0) - 100.0)
    # Co-existence: states of every condition first (a contributing-only one moves neither the top nor the
    # confidence, so a partial ranking skips it), then the lifts in order, each only if it is on somewhere.
    coexist = [k for k, (c, _) in enumerate(KB.coexistence) if full or c.primary_outranks]
    if fixed or n > _FEW_ROWS:
        coexist_state = np.empty((len(KB.coexistence), n), dtype=np.uint8)
        for k in coexist:
            coexist_state[k] = fixed[("c", k)] if ("c", k) in fixed else KB.coexistence[k][1].evaluate(env)
    else:
        coexist_state = _as_states(_COEXIST_BATCH(env, n), n)
    on = (coexist_state[coexist] == TRUE) & supported[_COEX_PRIMARY[coexist]]
    for k, on_k, any_k in zip(coexist, on, on.any(axis=1), strict=True):
        c = KB.coexistence[k][0]
        if c.primary_outranks and any_k:
            p, q = SUB_INDEX[c.primary], SUB_INDEX[c.contributing]
            adj[p] = np.where(on_k, np.maximum(adj[p], adj[q] + 1.0), adj[p])
    override_state = np.empty((len(KB.overrides), n), dtype=np.uint8)
    cols = np.arange(n)
    # O3 and O4 cap; O1 lifts and is applied last so nothing can undo it. Each is skipped where it
    # changes nothing in any row.
    overrides = _OVERRIDE_BATCH(env, n) if not fixed and n <= _FEW_ROWS else None
    for k, (o, cond) in _OVERRIDE_ORDER:
        if overrides is not None:
            holds = overrides[k]
        else:
            holds = fixed[("o", k)] if ("o", k) in fixed else cond.evaluate(env)
        override_state[k] = holds
        j = SUB_INDEX[o.subtype]
        if o.action == "rank_at_most_third":
            capped = holds == TRUE
            if capped.any():
                _, second = _top_two(adj, skip=j)
                adj[j] = np.where(capped, np.minimum(adj[j], second - 0.5), adj[j])
        elif o.action == "lead_only_if":
            capped = holds != TRUE
            if capped.any():
                first, _ = _top_two(adj, skip=j, second=False)
                adj[j] = np.where(capped, np.minimum(adj[j], first - 0.5), adj[j])
        else:  # rank_first
            lifted = (holds == TRUE) & supported[j]
            if lifted.any():
                first, _ = _top_two(adj, skip=j, second=False)
                adj[j] = np.where(lifted, np.maximum(adj[j], first + 1.0), adj[j])
    key = adj + _TIE32[:, None]
    key[_CANT_MISS] += (env[kb.CANT_MISS.finding] == TRUE) * _CANT_MISS_TIE
    # The tie-breakers are far smaller than the 0.5-point steps of adj, so ordering by key is ordering by
    # adj with ties broken: the best key has the highest adj, and the margin is the highest adj minus the
    # second highest (a tie counting twice).
    best, _ = _first_max(key)
    best_adj, runner_up = _top_two(adj)
    best_ok = supported[best, cols] & (best_adj > 0)
    top = np.where(best_ok, best, -1)
    # §6.2 compares scores, which are never negative: a runner-up with no support, or with net evidence
    # against it, counts as 0, so a lone subtype needs 3 points of its own for "high".
    margin = best_adj - np.maximum(runner_up, 0.0)
    confidence = np.where(~_graded(env) | (top < 0), 0,
                          np.where((margin >= _HIGH_MARGIN) & _kidney_known(env), 2, 1))
    out: dict[str, Any] = {"top": top, "confidence": confidence}
    if full:
        # (n, S) views of the subtype-major arrays.
        # Contributing subtypes: one product of the subtype-by-condition incidence and the conditions on.
        contributing = (_COEX_CONTRIBUTING @ on.view(np.uint8)) > 0
        out.update({"points": points.T, "adjusted": adj.astype(np.float64).T, "supported": supported.T,
                    "contributing": contributing.T, "coexist_state": coexist_state.T,
                    "override_state": override_state.T})
    if full and bounds:
        # What the missing-data probes need to settle a change of points without re-ranking (see
        # _settle): the lead of the best key over the next, the best subtype's adjusted points, the margin.
        best_key = key[best, cols]
        key[best, cols] = -np.inf
        out.update({"key_gap": best_key - key.max(axis=0), "best_adj": best_adj,
                    "best_supported": supported[best, cols], "margin": margin})
    return out


_RULE_BATCH = compile_batch([r.cond for r in KB.rules])
_RISK_BATCH = compile_batch([cond for _, cond in KB.risk])
_URGENCY_BATCH = compile_batch([cond for _, cond in KB.urgency])
_COEXIST_BATCH = compile_batch([cond for _, cond in KB.coexistence])
_OVERRIDE_BATCH = compile_batch([cond for _, cond in KB.overrides])
_OTHERS = tuple(np.array([i for i in range(S) if i != j]) for j in range(S))
_RISK_MAJOR = np.array([rf.level == "major" for rf, _ in KB.risk])
_URGENCY_VALUE = np.array([[2 if u.level == "emergency" else 1] for u, _ in KB.urgency], dtype=np.int64)
_SUBTYPE_COLUMN = np.arange(S)[:, None]


def _as_states(states: list[np.ndarray], n: int) -> np.ndarray:
    """Condition states as one (conditions, n) uint8 array."""
    out = np.empty((len(states), n), dtype=np.uint8)
    for k, state in enumerate(states):
        out[k] = state
    return out


def _risk(env: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Calciphylaxis risk level per row and the (n, factors) states (a view of the factor-major array)."""
    state = _as_states(_RISK_BATCH(env, n), n)
    on = state == TRUE
    major = on[_RISK_MAJOR].sum(axis=0)
    minor = on[~_RISK_MAJOR].sum(axis=0)
    sch = kb.RISK_SCHEME
    scheme_met = (major >= sch.major_for_suspected) | ((major >= 1) & (minor >= sch.minor_with_one_major))
    lesion = env[sch.lesion] == TRUE
    ischaemic = env[sch.ischaemic] == TRUE
    setting = env[sch.setting] == TRUE
    high = (env[sch.high_when] == TRUE) | (scheme_met & lesion)
    moderate = scheme_met | (setting & ((major >= 1) | (minor >= sch.minor_in_setting_for_moderate))) | (
        ischaemic & ((major >= 1) | (minor >= sch.minor_with_lesion_for_moderate)))
    return np.where(high, 2, np.where(moderate, 1, 0)), state.T


def _urgency(env: dict[str, np.ndarray], top: np.ndarray, risk: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Urgency level per row and the (n, triggers) states (a view of the trigger-major array)."""
    is_top = np.where(top == _SUBTYPE_COLUMN, TRUE, 0).astype(np.uint8)
    for j, s in enumerate(SUBTYPES):
        env[f"top_{s}"] = is_top[j]
    env["cp_risk_high"] = np.where(risk == 2, TRUE, 0).astype(np.uint8)
    state = _as_states(_URGENCY_BATCH(env, n), n)
    level = ((state == TRUE) * _URGENCY_VALUE).max(axis=0, initial=0)
    return level, state.T


def _unknown_mask(v: np.ndarray) -> np.ndarray:
    if v.dtype.kind == "f":
        return np.isnan(v)
    if v.dtype.kind in "iu":
        return v < 0
    return np.array([x is None for x in v], dtype=bool)


def _probe_unknown(values: Mapping[str, np.ndarray], group: tuple[str, ...]) -> np.ndarray:
    """Rows where every input of a probe's group is unknown."""
    mask = _unknown_mask(values[group[0]])
    for name in group[1:]:
        mask &= _unknown_mask(values[name])
    return mask


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality that counts NaN == NaN."""
    if a.dtype.kind == "f":
        return (a == b) | (np.isnan(a) & np.isnan(b))
    return a == b


def _missing(values: Mapping[str, np.ndarray], env: Mapping[str, np.ndarray], rule_state: np.ndarray, stacked: np.ndarray,
             ranked: Mapping[str, np.ndarray], thresholds: Thresholds, probed: np.ndarray | None = None
             ) -> np.ndarray:
    """Decisiveness of each unknown probe input: 10 per plausible value that changes the top subtype,
    1 per value that changes the confidence. ``probed``: the probe-major result of the variants when
    they were evaluated alongside the rows (see :func:`evaluate`)."""
    n = rule_state.shape[1]
    out = probed if probed is not None else _probe_by_input(values, env, rule_state, stacked, ranked, thresholds, n)
    # The confidence definition (§6.2) needs both calcium and phosphate: when one is missing the
    # other alone cannot lift it, so name both whenever confidence is low for want of them, weighted
    # like one changed answer: without them no answer is better than low confidence.
    conf_low = ranked["confidence"] == 0
    for name in kb.CONFIDENCE.needs_probes:
        k = PROBE_NAMES.index(name)
        unknown = _probe_unknown(values, _PROBES[k][2])
        out[k] += np.where(conf_low & unknown, 10, 0).astype(out.dtype)
    return out.T  # (n, K) view of the probe-major array


# Up to this many rows, every probe variant of every row is stacked under the rows themselves and the
# whole block is evaluated in a single pass (per-call overhead dominates small inputs); larger inputs probe
# one input at a time, re-evaluating only the findings and rules that input touches.
_SMALL_BATCH = 16


def _probe_variants(values: Mapping[str, np.ndarray], n: int
                    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, frozenset[str]]:
    """The ``n`` rows followed by one copy of each row per unknown probe input and plausible value:
    (values of all rows, probe index of each variant, source row of each variant, inputs absent from
    all rows)."""
    # The rows of each input dtype stacked once: whether each input is absent, then the variants' copies.
    groups = _dtype_groups(tuple(values), tuple(v.dtype for v in values.values()))
    stacks = {names: np.array([values[f] for f in names]) for names in groups if values[names[0]].dtype != object}
    absent_names: list[str] = []
    for names in groups:
        stack = stacks.get(names)
        if stack is None:
            absent_names.extend(f for f in names if all(x is None for x in values[f]))
        else:
            unknown = np.isnan(stack) if stack.dtype.kind == "f" else stack < 0
            absent_names.extend(names[i] for i in np.flatnonzero(unknown.all(axis=1)))
    absent = frozenset(absent_names).intersection(FIELD_BY_NAME)
    sources: list[np.ndarray] = [np.arange(n)]
    seg_probe: list[int] = []
    seg_field: list[str] = []
    seg_value: list[Any] = []
    seg_size: list[int] = []
    for k, (name, probe_values, group) in enumerate(_PROBES):
        if n == 1:  # a single row: the probe applies when its whole group is absent
            if not absent.issuperset(group):
                continue
            rows = _ROW0
        else:
            rows = np.flatnonzero(_probe_unknown(values, group))
            if rows.size == 0:
                continue
        set_field = _PROBE_SET_FIELD.get(name, name)
        for value in probe_values:
            sources.append(rows)
            seg_probe.append(k)
            seg_field.append(set_field)
            seg_value.append(value)
            seg_size.append(rows.size)
    src = np.concatenate(sources)
    # Copy the rows once per input dtype (one stacked gather each), then set every probed value with one
    # scatter per dtype: each variant column holds exactly one probed value.
    variants: dict[str, np.ndarray] = {}
    sizes = np.array(seg_size, dtype=np.intp)
    field_of = np.array(seg_field, dtype=object)
    cols = np.arange(n, n + int(sizes.sum()))
    for names in groups:
        if names not in stacks:
            for f in names:
                variants[f] = values[f][src]
            continue
        block = stacks[names][:, src]
        row_of = _row_of(names)
        mine = np.array([f in row_of for f in seg_field], dtype=bool)
        if mine.any():
            per_col = np.repeat(mine, sizes)
            block[np.repeat([row_of[f] for f in field_of[mine]], sizes[mine]), cols[per_col]] = np.repeat(
                np.array(seg_value, dtype=object)[mine].astype(block.dtype), sizes[mine])
        variants.update(zip(names, block, strict=True))
    probe_of = np.repeat(np.array(seg_probe, dtype=np.intp), sizes)
    # Every probe value is a known value: an input is absent from the variants exactly when it is absent
    # from the rows and no variant sets it.
    return variants, probe_of, src[n:], absent - set(seg_field)


_ROW0 = np.zeros(1, dtype=np.intp)


@lru_cache(maxsize=64)
def _row_of(names: tuple[str, ...]) -> dict[str, int]:
    return {f: i for i, f in enumerate(names)}


@lru_cache(maxsize=64)
def _dtype_groups(names: tuple[str, ...], dtypes: tuple[np.dtype, ...]) -> tuple[tuple[str, ...], ...]:
    """Input names grouped by dtype (in input order within each group)."""
    groups: dict[np.dtype, list[str]] = {}
    for name, dtype in zip(names, dtypes, strict=True):
        groups.setdefault(dtype, []).append(name)
    return tuple(tuple(g) for g in groups.values())


def _decisive(ranked: Mapping[str, np.ndarray], n: int, probe_of: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Probe-major decisiveness from a ranking of the rows (first ``n``) and their variants (the rest)."""
    top, confidence = ranked["top"], ranked["confidence"]
    decisive = 10 * (top[n:] != top[src]) + (confidence[n:] != confidence[src])
    counts = np.bincount(probe_of * n + src, weights=decisive, minlength=len(_PROBES) * n)
    return counts.astype(np.int16).reshape(len(_PROBES), n)


def _probe_all_at_once(values: Mapping[str, np.ndarray], thresholds: Thresholds, n: int) -> np.ndarray:
    """Probe-major decisiveness with every variant in one pass (what :func:`evaluate` does for small
    inputs, kept separate so it can be checked against :func:`_probe_by_input`)."""
    variants, probe_of, src, absent = _probe_variants(values, n)
    _, _, _, ranked = _core(variants, n + src.size, thresholds, full=False, absent=absent)
    return _decisive(ranked, n, probe_of, src)


def _settle(ranked: Mapping[str, np.ndarray], rows: np.ndarray, gain: np.ndarray, loss: np.ndarray,
            env: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Which ``rows`` provably keep their top subtype when every subtype's adjusted points move by at most
    ``gain`` up and ``loss`` down, with the supported/strong/phenotype sets, the override and co-existence
    states and the calciphylaxis tie-break unchanged; and their confidence then, from the calcium,
    phosphate and kidney inputs in ``env`` (the probed rows' values).

    Under those conditions each ranking step (the support floor, co-existence lifts, the O3/O4 caps, the
    O1 lift) is monotone and shifts with its inputs, so every final adjusted score, and so every key, moves
    within [-loss, +gain]: the lead of the best key shrinks by at most gain + loss, and the margin behind
    the confidence moves by at most as much. Points move in whole steps and ties are broken by distinct
    fractions, so the comparisons below are exact. Rows not settled must be ranked in full.
    """
    span = gain + loss
    best_adj = ranked["best_adj"][rows]
    # The best subtype still leads and keeps (or still lacks) a positive score.
    top_kept = (ranked["key_gap"][rows] > span) & (
        ~ranked["best_supported"][rows] | np.where(best_adj > 0, best_adj - loss > 0, best_adj + gain <= 0))
    margin = ranked["margin"][rows]
    high, not_high = margin - span >= _HIGH_MARGIN, margin + span < _HIGH_MARGIN
    graded = _graded(env) & (ranked["top"][rows] >= 0)
    kidney = _kidney_known(env)
    confidence = np.where(graded, np.where(high & kidney, 2, 1), 0)
    return top_kept & (~graded | ~kidney | high | not_high), confidence


def _gate(key: tuple[str, int]) -> int:
    """For a co-existence (``("c", k)``) or override (``("o", k)``) condition: the subtype whose support
    it needs to act (-1: none; -2: it never moves the ranking)."""
    kind, k = key
    if kind == "c":
        c = KB.coexistence[k][0]
        return SUB_INDEX[c.primary] if c.primary_outranks else -2
    o = KB.overrides[k][0]
    return SUB_INDEX[o.subtype] if o.action == "rank_first" else -1


def _in_force(state: np.ndarray, gate: int, supported: np.ndarray, rows: np.ndarray) -> np.ndarray:
    on = state == TRUE
    return on & supported[rows, gate] if gate >= 0 else on


class _Gather(Mapping[str, np.ndarray]):
    """Probe-row arrays restricted to ``hit``, falling back to the base ``env`` at ``rows``; gathered lazily
    (a condition reads a handful of the names)."""

    def __init__(self, probe: Mapping[str, np.ndarray], hit: np.ndarray, env: Mapping[str, np.ndarray],
                 rows: np.ndarray):
        self._probe, self._hit, self._env, self._rows = probe, hit, env, rows
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        got = self._cache.get(name)
        if got is None:
            got = self._probe[name][self._hit] if name in self._probe else self._env[name][self._rows]
            self._cache[name] = got
        return got

    def __iter__(self) -> Any:
        return iter(set(self._probe) | set(self._env))

    def __len__(self) -> int:
        return len(set(self._probe) | set(self._env))


@dataclass(frozen=True)
class _ProbePlan:
    """What probing one input touches, fixed by the knowledge base (see :func:`_probe_plan`)."""

    set_field: str
    touched: frozenset[str]  # findings downstream of the input
    rules: tuple[CompiledRule, ...]  # rules reading the input or a touched finding
    rule_cols: np.ndarray
    needed: frozenset[str]  # inputs of the touched findings
    base_names: frozenset[str]  # what the touched findings and probed rules read that the probe leaves as is
    rank_inputs: tuple[str, ...]  # ranking inputs the probe can change
    moved_points: np.ndarray  # stacked rows (points) the probed rules can move
    moved_counts: np.ndarray  # stacked rows (support / strong / phenotype counts) they can move
    to_moved: np.ndarray  # (moved rows, probed rules) weights
    kept: tuple[tuple[str, int], ...]  # co-existence / override conditions the probe cannot change
    recheck: tuple[tuple[tuple[str, int], Condition, int], ...]  # the others that can move the ranking, gated
    env_names: frozenset[str]  # what a partial ranking reads from the findings
    cp_probed: bool


@cache
def _probe_plan(k: int) -> _ProbePlan | None:
    """The static part of probing input ``k`` (``None``: it reaches no rule and no finding)."""
    name = _PROBES[k][0]
    set_field = _PROBE_SET_FIELD.get(name, name)
    touched = frozenset(downstream([set_field]))
    rule_idx = sorted({i for f in touched | {set_field} for i in KB.rule_deps.get(f, ())})
    if not rule_idx and not touched:
        return None
    needed = frozenset().union(*(FINDINGS[f].inputs for f in touched))
    probed = touched | {set_field}
    rule_cols = np.array(rule_idx, dtype=np.intp)
    # The stacked sums the probed rules can move: their points rows (for the shift bound) and their
    # count rows (support / strong / phenotype: a set changes when a count crosses zero).
    moved = np.flatnonzero((_STACKED_T[:, rule_cols] != 0).any(axis=1))
    # Co-existence and override conditions that read neither the probed input nor the rule-derived
    # findings keep their state: taken from the base ranking instead of re-evaluated.
    kept = tuple(key for key, cond in _RANK_CONDITIONS
                 if not (cond.names & probed) and not (cond.names & _ENGINE_FINDINGS))
    # The rest are re-evaluated for the bound. Only whether a condition is in force moves the ranking:
    # true, and for a co-existence lift or O1 the subtype it serves supported (the supported sets are
    # unchanged on that path). A co-existence that only names a contributing subtype does not move it.
    recheck = tuple((key, cond, _gate(key)) for key, cond in _RANK_CONDITIONS
                    if key not in kept and _gate(key) != -2)
    return _ProbePlan(
        set_field=set_field, touched=touched, rules=tuple(KB.rules[i] for i in rule_idx), rule_cols=rule_cols,
        needed=needed, base_names=needed.union(*(KB.rules[i].cond.names for i in rule_idx)) - touched,
        rank_inputs=tuple(sorted(probed & _RANK_NAMES)), moved_points=moved[moved < S],
        moved_counts=moved[moved >= S], to_moved=_STACKED_T[moved][:, rule_cols], kept=kept, recheck=recheck,
        env_names=_RANK_BASE_NAMES.union(*(cond.names for key, cond in _RANK_CONDITIONS if key not in kept))
        - _ENGINE_FINDINGS,
        cp_probed=kb.CANT_MISS.finding in probed)


def _probe_by_input(values: Mapping[str, np.ndarray], env: Mapping[str, np.ndarray], rule_state: np.ndarray,
                    stacked: np.ndarray, ranked: Mapping[str, np.ndarray], thresholds: Thresholds, n: int
                    ) -> np.ndarray:
    """Probe one input at a time over the rows where it is unknown (``rule_state`` is rule-major)."""
    out = np.zeros((len(_PROBES), n), dtype=np.int16)  # probe-major: each probe updates one contiguous row
    states = {key: state for key, state, _ in _rank_conditions(ranked)}
    for k, (_, probe_values, group) in enumerate(_PROBES):
        plan = _probe_plan(k)
        if plan is None:
            continue
        rows = np.flatnonzero(_probe_unknown(values, group))
        if rows.size == 0:
            continue
        sub_values = {f: values[f][rows] for f in plan.needed if f in values}
        sub_env_base = {f: env[f][rows] for f in plan.base_names if f in env}
        base_conf = ranked["confidence"][rows]
        base_fired = np.take(rule_state[plan.rule_cols], rows, axis=1) == TRUE  # (probed rules, rows)
        base_rank_inputs = {name: env[name][rows] for name in plan.rank_inputs}
        recheck = [(cond, gate, _in_force(states[key][rows], gate, ranked["supported"], rows))
                   for key, cond, gate in plan.recheck]
        base_cp = env[kb.CANT_MISS.finding][rows] if plan.cp_probed else np.empty(0, dtype=np.uint8)
        n_points = len(plan.moved_points)
        for value in probe_values:
            sub_values[plan.set_field] = np.full(rows.size, value, dtype=values[plan.set_field].dtype)
            sub_env = compute_findings(sub_values, thresholds, only=plan.touched, base=sub_env_base)
            fired = np.empty_like(base_fired)
            for c, r in enumerate(plan.rules):
                fired[c] = r.cond.evaluate(sub_env) == TRUE
            # Only rows where some rule or ranking input changed can rank differently.
            diff = fired.view(np.int8) - base_fired.view(np.int8)
            changed = diff.any(axis=0)
            for name in plan.rank_inputs:
                changed |= ~_same(sub_env[name], base_rank_inputs[name])
            hit = np.flatnonzero(changed)
            if hit.size == 0:
                continue
            hit_rows = rows[hit]
            hit_env = _Gather(sub_env, hit, env, hit_rows)
            # The stacked sums move by the probed rules' difference.
            change = plan.to_moved @ diff[:, hit].astype(np.float32)  # (moved stacked rows, hits)
            points_change = change[:n_points]
            gain = np.maximum(points_change.max(axis=0, initial=0.0), 0.0)
            loss = np.maximum(-points_change.min(axis=0, initial=0.0), 0.0)
            counts = stacked[plan.moved_counts[:, None], hit_rows]
            same = ((counts > 0) == ((counts + change[n_points:]) > 0)).all(axis=0)
            if plan.cp_probed:
                same &= hit_env[kb.CANT_MISS.finding] == base_cp[hit]
            # With the sets unchanged, the rule-derived findings the conditions read are too.
            for cond, gate, base_in_force in recheck:
                same &= _in_force(cond.evaluate(hit_env), gate, ranked["supported"], hit_rows) == base_in_force[hit]
            settled, confidence = _settle(ranked, hit_rows, gain, loss, hit_env)
            settled &= same
            out[k, hit_rows[settled]] += (confidence[settled] != base_conf[hit[settled]]).astype(np.int16)
            # Rows the bound cannot settle are ranked in full.
            open_ = np.flatnonzero(~settled)
            if open_.size == 0:
                continue
            hit, hit_rows = hit[open_], hit_rows[open_]
            moved_stack = stacked[:, hit_rows]
            moved_stack[np.concatenate([plan.moved_points, plan.moved_counts])] += change[:, open_]
            res = _rank({f: sub_env[f][hit] if f in sub_env else env[f][hit_rows] for f in plan.env_names},
                        moved_stack, full=False, fixed={key: states[key][hit_rows] for key in plan.kept})
            out[k, hit_rows] += 10 * (res["top"] != ranked["top"][hit_rows]) + (
                res["confidence"] != base_conf[hit])
    return out


def _core(values: Mapping[str, np.ndarray], n: int, thresholds: Thresholds, full: bool = True,
          absent: frozenset[str] | None = None, bounds: bool = True
          ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, dict[str, Any]]:
    """Findings, rule states (rule-major), stacked sums and ranking of every row (``absent``: the inputs
    unknown in every row, when already known)."""
    if absent is None:
        absent = absent_inputs(values) if n else frozenset()
    env = compute_findings(values, thresholds, absent=absent)
    rule_state = _rule_matrix(env, n, skip=unknown_closure(absent) if absent else frozenset(),
                              thresholds=thresholds)
    stacked = _stack(rule_state)
    return env, rule_state, stacked, _rank(env, stacked, full=full, bounds=bounds)


class _FirstRows(Mapping[str, np.ndarray]):
    """The first ``n`` rows of every array of an environment, sliced when first read."""

    def __init__(self, env: Mapping[str, np.ndarray], n: int):
        self._env, self._n = env, n
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        got = self._cache.get(name)
        if got is None:
            got = self._cache[name] = self._env[name][:self._n]
        return got

    def __iter__(self) -> Any:
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)


def evaluate(values: Mapping[str, np.ndarray], n: int, thresholds: Thresholds, with_missing: bool = True
             ) -> EngineResult:
    """Run the whole engine over canonical input arrays."""
    probed = None
    size = n
    if with_missing and 0 < n <= _SMALL_BATCH:
        # One pass over the rows and all their probe variants (risk and urgency too: the same calls on more
        # rows), then keep the rows.
        variants, probe_of, src, absent = _probe_variants(values, n)
        size = n + src.size
        env, rule_state, stacked, ranked = _core(variants, size, thresholds, absent=absent, bounds=False)
        probed = _decisive(ranked, n, probe_of, src) if src.size else np.zeros((len(_PROBES), n), dtype=np.int16)
    else:
        env, rule_state, stacked, ranked = _core(values, n, thresholds)
    risk, risk_state = _risk(env, size)
    urgency, urgency_state = _urgency(env, ranked["top"], risk, size)
    rows_env: Mapping[str, np.ndarray] = env
    if size > n:
        rows_env = _FirstRows(env, n)
        rule_state, stacked = rule_state[:, :n], stacked[:, :n]
        ranked = {name: v[:n] for name, v in ranked.items()}
        risk, risk_state, urgency, urgency_state = risk[:n], risk_state[:n], urgency[:n], urgency_state[:n]
    adj, supported, top = ranked["adjusted"], ranked["supported"], ranked["top"]
    pos = np.clip(adj, 0.0, None)
    scores = np.where(supported, 1.0 - np.exp(-pos / _SCORE_SCALE), 0.0)
    in_diff = (supported & (adj >= 1.0)) | ranked["contributing"]
    # A can't-miss calciphylaxis risk keeps calciphylaxis in the differential (§6.4 step 3).
    in_diff[:, _CANT_MISS] |= risk == 2
    in_diff[np.arange(n), np.maximum(top, 0)] |= top >= 0
    missing = (_missing(values, rows_env, rule_state, stacked, ranked, thresholds, probed) if with_missing and n
               else np.zeros((len(_PROBES), n), dtype=np.int16).T)
    return EngineResult(
        n=n, env=rows_env, rule_state=rule_state.T, points=ranked["points"], adjusted=adj, supported=supported,
        top=top, scores=scores, in_differential=in_diff, contributing=ranked["contributing"],
        confidence=ranked["confidence"], risk=risk, risk_state=risk_state, urgency=urgency,
        urgency_state=urgency_state, override_state=ranked["override_state"],
        coexist_state=ranked["coexist_state"], missing=missing,
    )
