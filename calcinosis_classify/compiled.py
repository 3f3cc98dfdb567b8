"""The knowledge base compiled and validated: rules as point matrices, conditions parsed and checked.

Built once when the package is imported; a malformed item raises
:class:`~calcinosis_classify.errors.KnowledgeBaseError` then, never mid-batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from calcinosis_classify import knowledge as kb
from calcinosis_classify.errors import KnowledgeBaseError
from calcinosis_classify.findings import FINDINGS
from calcinosis_classify.logic import Condition, ConditionSyntaxError, compile_condition
from calcinosis_classify.schema import FIELD_BY_NAME

__all__ = ["KB", "S", "SUBTYPES", "SUB_INDEX", "CompiledRule", "KnowledgeBase", "build_knowledge_base"]

SUBTYPES = kb.SUBTYPES
S = len(SUBTYPES)
SUB_INDEX = {s: i for i, s in enumerate(SUBTYPES)}
_POINTS = {"strong": 3, "moderate": 2, "weak": 1}


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
ENGINE_FINDINGS = {f"{p}_{s}" for s in SUBTYPES for p in ("strong_other", "phenotype", "top")} | {"cp_risk_high"}


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
        overrides=tuple((o, _compile(o.id, o.condition, ENGINE_FINDINGS)) for o in kb.OVERRIDES),
        coexistence=tuple((c, _compile(c.id, c.condition, ENGINE_FINDINGS)) for c in kb.COEXISTENCE),
        risk=tuple((r, _compile(r.id, r.condition)) for r in kb.RISK_FACTORS),
        urgency=tuple((u, _compile(u.id, u.condition, ENGINE_FINDINGS)) for u in kb.URGENCY),
        next_steps=tuple((x, _compile(x.id, x.condition, ENGINE_FINDINGS)) for x in kb.NEXT_STEPS),
        rule_deps={k: tuple(v) for k, v in deps.items()},
    )


KB = build_knowledge_base()
