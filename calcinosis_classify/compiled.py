"""The knowledge base compiled and validated: rules as point matrices, conditions parsed and checked.

Built once when the package is imported; a malformed item raises
:class:`~calcinosis_classify.errors.KnowledgeBaseError` then, never mid-batch.
"""

from __future__ import annotations

import difflib
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

__all__ = ["KB", "S", "SUBTYPES", "SUB_INDEX", "CompiledRule", "KnowledgeBase", "build_knowledge_base",
           "compile_management_option"]

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
    positive: np.ndarray  # (R, S) bool: supporting evidence (not candidates or modifiers)
    strong: np.ndarray  # (R, S) bool
    phenotype: np.ndarray  # (R, S) bool
    candidate: np.ndarray  # (R, S) bool: candidate rules (differential order without support, §6.8.4)
    modifier: np.ndarray  # (R, S) bool: modifiers (count only for a subtype supported by other rules)
    prior: np.ndarray  # (S,)
    overrides: tuple[tuple[kb.Override, Condition], ...]
    coexistence: tuple[tuple[kb.Coexistence, Condition], ...]
    risk: tuple[tuple[kb.RiskFactor, Condition], ...]
    urgency: tuple[tuple[kb.UrgencyTrigger, Condition], ...]
    next_steps: tuple[tuple[kb.NextStep, Condition], ...]
    management: tuple[tuple[kb.ManagementOption, Condition], ...]
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
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KnowledgeBaseError(item_id, f"condition names unknown finding {name!r}{hint}")
    return cond


def build_knowledge_base() -> KnowledgeBase:
    """Compile and validate the tables of :mod:`calcinosis_classify.knowledge`."""
    _check_ids_and_refs([*kb.RULES, *kb.OVERRIDES, *kb.COEXISTENCE, *kb.RISK_FACTORS, *kb.URGENCY, *kb.NEXT_STEPS])
    _check_subtypes()
    _check_policy()
    _check_plain_wording()
    management = tuple((m, compile_management_option(m)) for m in kb.MANAGEMENT)
    if len({m.id for m in kb.MANAGEMENT}) != len(kb.MANAGEMENT):
        raise KnowledgeBaseError("MANAGEMENT", "duplicate id")
    rules = tuple(CompiledRule(rule, _compile_rule(rule), i) for i, rule in enumerate(kb.RULES))
    points = np.zeros((len(rules), S))
    positive = np.zeros((len(rules), S), dtype=bool)
    strong = np.zeros_like(positive)
    phenotype = np.zeros_like(positive)
    candidate = np.zeros_like(positive)
    modifier = np.zeros_like(positive)
    for i, rule in enumerate(kb.RULES):
        j = SUB_INDEX[rule.subtype]
        points[i, j] = rule.points
        positive[i, j] = rule.points > 0 and rule.strength in _POINTS
        strong[i, j] = rule.points > 0 and rule.strength == "strong"
        phenotype[i, j] = rule.phenotype is not None
        candidate[i, j] = rule.strength == "candidate"
        modifier[i, j] = rule.strength == "modifier"
    deps: dict[str, list[int]] = {}
    for r in rules:
        for name in r.cond.names:
            deps.setdefault(name, []).append(r.index)
    return KnowledgeBase(
        rules=rules, points=points, positive=positive, strong=strong, phenotype=phenotype, candidate=candidate,
        modifier=modifier,
        prior=np.array([kb.PRIORS.get(s, 0.0) for s in SUBTYPES]),
        overrides=tuple((o, _compile(o.id, o.condition, ENGINE_FINDINGS)) for o in kb.OVERRIDES),
        coexistence=tuple((c, _compile(c.id, c.condition, ENGINE_FINDINGS)) for c in kb.COEXISTENCE),
        risk=tuple((r, _compile(r.id, r.condition)) for r in kb.RISK_FACTORS),
        urgency=tuple((u, _compile(u.id, u.condition, ENGINE_FINDINGS)) for u in kb.URGENCY),
        next_steps=tuple((x, _compile(x.id, x.condition, ENGINE_FINDINGS)) for x in kb.NEXT_STEPS),
        management=management,
        rule_deps={k: tuple(v) for k, v in deps.items()},
    )


def _check_ids_and_refs(items: list[Any]) -> None:
    ids: set[str] = set()
    for item in items:
        if item.id in ids:
            raise KnowledgeBaseError(item.id, "duplicate id")
        ids.add(item.id)
        if not item.refs:
            raise KnowledgeBaseError(item.id, "cites no clinical-spec reference")


def _check_subtypes() -> None:
    named = [(r.id, r.subtype) for r in kb.RULES] + [(o.id, o.subtype) for o in kb.OVERRIDES] + [
        (c.id, s) for c in kb.COEXISTENCE for s in (c.primary, c.contributing)] + [
        ("TIE_ORDER", s) for s in kb.TIE_ORDER] + [("CANT_MISS", kb.CANT_MISS.subtype)]
    for item_id, subtype in named:
        if subtype not in SUB_INDEX:
            raise KnowledgeBaseError(item_id, f"subtype must be one of {', '.join(SUBTYPES)}, got {subtype!r}")
    if sorted(kb.TIE_ORDER) != sorted(SUBTYPES):
        raise KnowledgeBaseError("TIE_ORDER", f"must list every subtype once, got {kb.TIE_ORDER!r}")


def _check_policy() -> None:
    """The findings and fields the ranking policy and the probes name must exist."""
    sch = kb.RISK_SCHEME
    for item_id, name in (("CONFIDENCE", kb.CONFIDENCE.graded), ("CONFIDENCE", kb.CONFIDENCE.kidney_known),
                          ("CANT_MISS", kb.CANT_MISS.finding), *(("RISK_SCHEME", getattr(sch, a)) for a in (
                              "high_when", "moderate_when", "lesion", "ischaemic"))):
        _compile(item_id, name)
    probe_names = [p.name for p in kb.PROBES]
    for p in kb.PROBES:
        for name in (p.sets, *p.group):
            if name not in FIELD_BY_NAME:
                raise KnowledgeBaseError(f"PROBE {p.name}", f"{name!r} is not an input field")
        if p.sets not in p.group:
            raise KnowledgeBaseError(f"PROBE {p.name}", f"sets {p.sets!r}, which is not in its group {p.group}")
    for name in kb.CONFIDENCE.needs_probes:
        if name not in probe_names:
            raise KnowledgeBaseError("CONFIDENCE", f"needs_probes names {name!r}, which is not a probe")


def _known_word(item_id: str, what: str, word: str, allowed: tuple[str, ...]) -> None:
    """Fail unless ``word`` is one of ``allowed``, suggesting the closest."""
    if word not in allowed:
        close = difflib.get_close_matches(word, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise KnowledgeBaseError(item_id, f"{what} must be one of {', '.join(allowed)}, got {word!r}{hint}")


def compile_management_option(option: kb.ManagementOption) -> Condition:
    """Validate one management option and compile its ``when`` condition.

    Raises
    ------
    KnowledgeBaseError
        The option cites no reference or a number the reference table does not have, states no evidence
        level or one outside :data:`~calcinosis_classify.knowledge.model.EVIDENCE_LEVELS`, names an unknown
        subtype or practice status, lacks its clinician or patient wording, or its condition names an
        unknown finding.
    """
    if not option.refs:
        raise KnowledgeBaseError(option.id, "cites no reference: add the numbers of its sources to refs")
    missing = [n for n in option.refs if n not in kb.REFERENCES_BY_NUMBER]
    if missing:
        raise KnowledgeBaseError(option.id, f"cites {missing}, which knowledge/references.py does not have")
    if not option.evidence:
        raise KnowledgeBaseError(option.id, f"states no evidence level: give one or more of "
                                            f"{', '.join(kb.EVIDENCE_LEVELS)}")
    for word in option.evidence:
        _known_word(option.id, "an evidence level", word, kb.EVIDENCE_LEVELS)
    _known_word(option.id, "practice", option.practice, kb.PRACTICE_STATUSES)
    if not option.subtypes:
        raise KnowledgeBaseError(option.id, "applies to no subtype")
    for subtype in option.subtypes:
        _known_word(option.id, "a subtype", subtype, SUBTYPES)
    if not option.option.strip() or not option.patient.strip():
        raise KnowledgeBaseError(option.id, "needs both its clinician wording (option) and its patient wording")
    return _compile(option.id, option.when, ENGINE_FINDINGS)


def _check_plain_wording() -> None:
    """Every subtype, probed input and urgency trigger has a plain wording, and every wording names one."""
    tables = (("PLAIN_SUBTYPES", kb.PLAIN_SUBTYPES, SUBTYPES),
              ("PLAIN_PROBES", kb.PLAIN_PROBES, tuple(p.name for p in kb.PROBES)),
              ("PLAIN_URGENCY", kb.PLAIN_URGENCY, tuple(u.id for u in kb.URGENCY)))
    for table, wording, names in tables:
        lacking = [n for n in names if n not in wording]
        if lacking:
            raise KnowledgeBaseError(table, f"has no plain wording for {lacking}: add it to knowledge/plain.py")
        unknown = [n for n in wording if n not in names]
        if unknown:
            raise KnowledgeBaseError(table, f"words {unknown}, which do not exist (expected one of {list(names)})")


def _compile_rule(rule: kb.Rule) -> Condition:
    if rule.points == 0 or abs(rule.points) > 3:
        raise KnowledgeBaseError(rule.id, f"points must be ±1, ±2 or ±3, got {rule.points}")
    if rule.strength in _POINTS and abs(rule.points) > _POINTS[rule.strength]:
        raise KnowledgeBaseError(rule.id, f"{rule.strength} evidence is worth at most "
                                          f"{_POINTS[rule.strength]} points, got {rule.points}")
    if rule.strength == "candidate" and rule.points not in (1, 2):
        raise KnowledgeBaseError(rule.id, f"a candidate rule orders the differential with +1 or +2 points, "
                                          f"got {rule.points}")
    if rule.phenotype and rule.points <= 0:
        raise KnowledgeBaseError(rule.id, "a phenotype rule must add points")
    if _PRESUMING.search(rule.condition):
        # not_known()/unknown() are true on unknown input: an evidence rule using them would let a
        # blank cell add points. A known contradiction belongs in a separate rule against.
        raise KnowledgeBaseError(rule.id, "evidence rules cannot use unknown() or not_known(): "
                                          "an unknown input must never make a rule fire")
    return _compile(rule.id, rule.condition)


KB = build_knowledge_base()
