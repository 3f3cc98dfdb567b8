"""Evaluate the knowledge base over whole columns.

Pipeline (all numpy, no per-row Python): findings (:mod:`~calcinosis_classify.findings`) -> rule matrix
(tri-state) -> points per subtype -> co-existence, overrides O1/O3/O4 -> ranking -> confidence,
calciphylaxis risk, urgency (:mod:`~calcinosis_classify.ranking`) -> which unknown inputs could change the
answer (:mod:`~calcinosis_classify.missing`). The knowledge base is compiled and validated once, on import
(:mod:`~calcinosis_classify.compiled`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from calcinosis_classify.compiled import KB, SUB_INDEX, SUBTYPES, S, build_knowledge_base
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.missing import (
    MAX_MISSING,
    PROBE_NAMES,
    SMALL_BATCH,
    decisive,
    decisiveness,
    probe_variants,
)
from calcinosis_classify.ranking import CANT_MISS_INDEX, core, risk_levels, urgency_levels

__all__ = ["CONFIDENCE", "KB", "MAX_MISSING", "PROBE_NAMES", "RISK_LEVELS", "S", "SUBTYPES", "SUB_INDEX",
           "URGENCY_LEVELS", "EngineResult", "build_knowledge_base", "evaluate"]

CONFIDENCE = ("low", "moderate", "high")
RISK_LEVELS = ("low", "moderate", "high")
URGENCY_LEVELS = ("routine", "urgent", "emergency")
_SCORE_SCALE = 4.0  # points at which a subtype's score reaches 1 - 1/e [PROPOSED]


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

    def __contains__(self, name: object) -> bool:
        return name in self._cache or name in self._env

    def __iter__(self) -> Any:
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)


def evaluate(values: Mapping[str, np.ndarray], n: int, thresholds: Thresholds, with_missing: bool = True
             ) -> EngineResult:
    """Run the whole engine over canonical input arrays."""
    probed = None
    size = n
    if with_missing and 0 < n <= SMALL_BATCH:
        # One pass over the rows and all their probe variants (risk and urgency too: the same calls on more
        # rows), then keep the rows.
        variants, probe_of, src, absent = probe_variants(values, n)
        size = n + src.size
        env, rule_state, stacked, ranked = core(variants, size, thresholds, absent=absent, bounds=False)
        probed = decisive(ranked, n, probe_of, src) if src.size else np.zeros((len(PROBE_NAMES), n), dtype=np.int16)
    else:
        # (what only the input-by-input probes read is left out when there are none)
        env, rule_state, stacked, ranked = core(values, n, thresholds, bounds=with_missing)
    risk, risk_state = risk_levels(env, size)
    urgency, urgency_state = urgency_levels(env, ranked["top"], risk, size)
    rows_env: Mapping[str, np.ndarray] = env
    if size > n:
        rows_env = _FirstRows(env, n)
        rule_state, stacked = rule_state[:, :n], stacked[:, :n]
        ranked = {name: v[:n] for name, v in ranked.items()}
        risk, risk_state, urgency, urgency_state = risk[:n], risk_state[:n], urgency[:n], urgency_state[:n]
    adj, supported, top = ranked["adjusted"], ranked["supported"], ranked["top"]
    pos = np.clip(adj, 0.0, None)
    scores = np.where(supported, 1.0 - np.exp(-pos / _SCORE_SCALE), 0.0)
    # Listed subtypes (supported, or named by a candidate rule) with at least one point before or after the
    # overrides, and contributing ones; the rest sit 100 points down.
    in_diff = ranked["listed"] | ranked["contributing"]
    # Never empty when a candidate rule speaks (anything recorded, §6.8.5): evidence against every candidate
    # still leaves them listed, in their order.
    empty = ~in_diff.any(axis=1)
    if empty.any():
        in_diff[empty] |= ranked["candidate"][empty]
    # A can't-miss calciphylaxis risk keeps calciphylaxis in the differential (§6.4 step 3).
    in_diff[:, CANT_MISS_INDEX] |= risk == 2
    in_diff[np.arange(n), np.maximum(top, 0)] |= top >= 0
    missing = (decisiveness(values, rows_env, rule_state, stacked, ranked, thresholds, probed) if with_missing and n
               else np.zeros((len(PROBE_NAMES), n), dtype=np.int16).T)
    return EngineResult(
        n=n, env=rows_env, rule_state=rule_state.T, points=ranked["points"], adjusted=adj, supported=supported,
        top=top, scores=scores, in_differential=in_diff, contributing=ranked["contributing"],
        confidence=ranked["confidence"], risk=risk, risk_state=risk_state, urgency=urgency,
        urgency_state=urgency_state, override_state=ranked["override_state"],
        coexist_state=ranked["coexist_state"], missing=missing,
    )
