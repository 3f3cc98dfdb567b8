"""Every knowledge-base item has a fixture case where it fires and one where it does not.

``fixtures/rule_cases.csv`` holds one row per case: the item id, the expected
outcome (``fires``: the item's state is TRUE; ``silent``: it is FALSE or
UNKNOWN), a short note and the input columns of the contract (blank =
unknown). Negative cases are near misses: the same picture with the deciding
finding changed or left unknown. All rows are evaluated in one engine call.

The item ids are read from the compiled knowledge base, so a new rule,
override, co-existence pattern, risk factor, urgency trigger or next step
without both kinds of case fails :func:`test_every_item_has_a_firing_and_a_silent_case`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calcinosis_classify import engine
from calcinosis_classify.engine import KB
from calcinosis_classify.findings import TRUE
from calcinosis_classify.intake import read_cases
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS
from calcinosis_classify.schema import FIELD_BY_NAME

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rule_cases.csv"
META_COLUMNS = ("item_id", "expect", "note")
EXPECTATIONS = ("fires", "silent")
STATE_NAMES = {0: "FALSE", 1: "UNKNOWN", 2: "TRUE"}

CASES = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
INPUT_COLUMNS = [c for c in CASES.columns if c not in META_COLUMNS]


def _kb_items() -> dict[str, tuple[str, int]]:
    """Every knowledge-base id -> (state array name, column index in it)."""
    groups = (
        ("rule_state", [r.rule.id for r in KB.rules]),
        ("override_state", [o.id for o, _ in KB.overrides]),
        ("coexist_state", [c.id for c, _ in KB.coexistence]),
        ("risk_state", [rf.id for rf, _ in KB.risk]),
        ("urgency_state", [u.id for u, _ in KB.urgency]),
        ("next_step_state", [x.id for x, _ in KB.next_steps]),
    )
    return {item_id: (array, k) for array, ids in groups for k, item_id in enumerate(ids)}


ITEMS = _kb_items()


@pytest.fixture(scope="module")
def states() -> dict[str, np.ndarray]:
    """State arrays (n cases x items) for every kind of knowledge-base item, from one engine call."""
    intake = read_cases(CASES[INPUT_COLUMNS])
    res = engine.evaluate(intake.values, intake.n, DEFAULT_THRESHOLDS, with_missing=False)
    # Next steps have no state array in the result; evaluate their conditions on the engine's
    # environment (which holds the top_* and cp_risk_high findings) as assessment.classify does.
    next_steps = np.empty((intake.n, len(KB.next_steps)), dtype=np.uint8)
    for k, (_, cond) in enumerate(KB.next_steps):
        next_steps[:, k] = cond.evaluate(res.env)
    return {"rule_state": res.rule_state, "override_state": res.override_state,
            "coexist_state": res.coexist_state, "risk_state": res.risk_state,
            "urgency_state": res.urgency_state, "next_step_state": next_steps}


def _case_params() -> list[object]:
    return [pytest.param(i, id=f"{row.item_id}-{row.expect}-{i}")
            for i, row in enumerate(CASES.itertuples(index=False))]


@pytest.mark.parametrize("i", _case_params())
def test_case(states: dict[str, np.ndarray], i: int) -> None:
    row = CASES.iloc[i]
    item_id, expect, note = row["item_id"], row["expect"], row["note"]
    assert item_id in ITEMS, f"row {i}: {item_id!r} is not a knowledge-base id"
    assert expect in EXPECTATIONS, f"row {i} ({item_id}): expect must be 'fires' or 'silent', got {expect!r}"
    array, k = ITEMS[item_id]
    state = int(states[array][i, k])
    fired = state == TRUE
    assert fired == (expect == "fires"), (
        f"{item_id} should be {expect} ({note}) but its state is {STATE_NAMES[state]}")


def test_every_item_has_a_firing_and_a_silent_case() -> None:
    all_ids = set(ITEMS)
    firing = set(CASES.loc[CASES["expect"] == "fires", "item_id"])
    silent = set(CASES.loc[CASES["expect"] == "silent", "item_id"])
    no_fires = sorted(all_ids - firing)
    no_silent = sorted(all_ids - silent)
    assert not no_fires and not no_silent, (
        f"knowledge-base items without a 'fires' case: {no_fires}; without a 'silent' case: {no_silent}")
    assert firing == all_ids == silent


def test_no_unknown_item_ids() -> None:
    unknown = sorted(set(CASES["item_id"]) - set(ITEMS))
    assert not unknown, f"fixture ids not in the knowledge base (renamed or removed?): {unknown}"


def test_fixture_inputs_are_read_as_written() -> None:
    # Canonical column names only (no alias or typo passing through as an unknown column),
    # and no value the intake had to drop or reinterpret.
    assert not [c for c in INPUT_COLUMNS if c not in FIELD_BY_NAME]
    intake = read_cases(CASES[INPUT_COLUMNS])
    assert intake.columns == {c: c for c in INPUT_COLUMNS}
    assert intake.warnings.empty, intake.warnings[["row", "column", "message"]].to_string()
    assert set(CASES["expect"]) <= set(EXPECTATIONS)
    assert (CASES["note"].str.strip() != "").all()
