"""The text output columns built from engine arrays equal a plain per-row construction, whatever the
arrays' memory order (row-major, or a transposed view of a column-major array)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from calcinosis_classify import assessment, engine
from calcinosis_classify import knowledge as kb
from calcinosis_classify.engine import KB, PROBE_NAMES, SUBTYPES
from calcinosis_classify.findings import TRUE


def _ranked(order: np.ndarray, include: np.ndarray, names: tuple[str, ...], limit: int) -> list[str]:
    return [";".join([names[j] for j in order[i] if include[i, j]][:limit]) for i in range(len(order))]


def _expected_differential(res: Any) -> list[str]:
    """Per row: the top, then contributing subtypes, then by adjusted points; equal points put a supported
    subtype first, then calciphylaxis when its can't-miss finding holds, then the declared tie order."""
    cant_miss = res.env[kb.CANT_MISS.finding] == TRUE
    out = []
    for i in range(res.n):
        def sort_key(j: int, i: int = i) -> tuple[Any, ...]:
            return (-int(res.top[i] == j), -bool(res.contributing[i, j]), -res.adjusted[i, j],
                    -bool(res.supported[i, j]), -(SUBTYPES[j] == kb.CANT_MISS.subtype and bool(cant_miss[i])),
                    kb.TIE_ORDER.index(SUBTYPES[j]))
        out.append(";".join(SUBTYPES[j] for j in sorted(range(len(SUBTYPES)), key=sort_key)
                            if res.in_differential[i, j]))
    return out


def _expected_missing(missing: np.ndarray) -> list[str]:
    order = np.argsort(-missing, axis=1, kind="stable")
    return _ranked(order, missing > 0, PROBE_NAMES, engine.MAX_MISSING)


def _expected_evidence(rule_state: np.ndarray) -> list[str]:
    ids = [r.rule.id for r in KB.rules]
    return [";".join(ids[k] for k in assessment._EVIDENCE_ORDER if row[k] == TRUE) for row in rule_state]


def _layout(a: np.ndarray, order: str) -> np.ndarray:
    """``a`` stored row-major ("C"), or as the transposed view of a contiguous column-major array ("T")."""
    return np.ascontiguousarray(a) if order == "C" else np.ascontiguousarray(a.T).T


def _fake_result(n: int, seed: int, order: str, missing_dtype: Any = np.int16) -> Any:
    rng = np.random.default_rng(seed)
    s, k, r = len(SUBTYPES), len(PROBE_NAMES), len(KB.rules)
    # Half-point steps and few distinct values: plenty of ties in the ranking keys.
    adjusted = rng.integers(-4, 5, size=(n, s)) * 0.5
    missing = np.where(rng.random((n, k)) < 0.15, rng.choice([1, 2, 10, 11, 20], size=(n, k)), 0)
    missing[: n // 10] = rng.integers(0, 3, size=(n // 10, k))  # rows with more than MAX_MISSING entries
    return SimpleNamespace(
        n=n, adjusted=_layout(adjusted, order),
        contributing=_layout(rng.random((n, s)) < 0.2, order),
        in_differential=_layout(rng.random((n, s)) < 0.5, order),
        supported=_layout(rng.random((n, s)) < 0.5, order),
        env={kb.CANT_MISS.finding: rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=n)},
        top=rng.integers(-1, s, size=n),
        missing=_layout(missing.astype(missing_dtype), order),
        rule_state=_layout(rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=(n, r), p=[0.6, 0.3, 0.1]),
                           order))


@pytest.mark.parametrize("order", ["C", "T"])
@pytest.mark.parametrize("n", [0, 1, 2_000])
def test_text_columns_equal_a_per_row_construction(order: str, n: int) -> None:
    res = _fake_result(n, seed=n, order=order)
    assert assessment._differential(res).to_pylist() == _expected_differential(res)
    assert assessment._missing(res).to_pylist() == _expected_missing(res.missing)
    assert assessment._evidence(res.rule_state).to_pylist() == _expected_evidence(res.rule_state)


@pytest.mark.parametrize("order", ["C", "T"])
def test_missing_with_values_too_wide_for_one_sort_key(order: str) -> None:
    res = _fake_result(500, seed=3, order=order, missing_dtype=np.int64)
    res.missing = res.missing * (1 << 58)
    assert assessment._missing(res).to_pylist() == _expected_missing(res.missing)
