"""Every knowledge-base item has a fixture case where it fires and one where it does not, and it matters.

``fixtures/rule_cases.csv`` holds one row per case: the item id, the expected outcome (``fires``: the
item's state is TRUE; ``silent``: it is FALSE or UNKNOWN), the effect a firing case must have
(``expect_top``, ``expect_in_differential``, ``expect_risk``, ``expect_urgency``: any that apply), a short
note, and ``fields``: only the inputs the case sets, as ``name=value`` pairs separated by ``;`` (so a new
input field touches no existing row). Negative cases are near misses: the same picture with the deciding
finding changed or left unknown. All rows are evaluated in one engine call.

The item ids are read from the compiled knowledge base, so a new rule, override, co-existence pattern, risk
factor, urgency trigger or next step without both kinds of case fails, and one that cannot change the
ranking, the confidence, the risk or the urgency on any of its own firing cases (an inert item, e.g. a rule
whose points an override always caps) fails :func:`test_every_item_changes_an_answer_on_its_firing_case`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calcinosis_classify import engine, ranking, score
from calcinosis_classify.engine import KB
from calcinosis_classify.findings import FALSE, TRUE
from calcinosis_classify.intake import read_cases
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS
from calcinosis_classify.schema import FIELD_BY_NAME

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rule_cases.csv"
EXPECTATIONS = ("fires", "silent")
EFFECTS = {"expect_top": "subtype", "expect_in_differential": "differential", "expect_risk": "calciphylaxis_risk",
           "expect_urgency": "urgency"}
STATE_NAMES = {0: "FALSE", 1: "UNKNOWN", 2: "TRUE"}

CASES = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)


def _fields(text: str) -> dict[str, str]:
    pairs = [p.strip() for p in text.split(";") if p.strip()]
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        assert sep and name.strip() and value.strip(), f"fields must be name=value pairs, got {pair!r}"
        out[name.strip()] = value.strip()
    return out


INPUTS = pd.DataFrame([_fields(t) for t in CASES["fields"]], dtype=object).fillna("")


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
def result() -> engine.EngineResult:
    intake = read_cases(INPUTS)
    return engine.evaluate(intake.values, intake.n, DEFAULT_THRESHOLDS, with_missing=False)


@pytest.fixture(scope="module")
def states(result: engine.EngineResult) -> dict[str, np.ndarray]:
    """State arrays (n cases x items) for every kind of knowledge-base item, from one engine call."""
    # Next steps have no state array in the result; evaluate their conditions on the engine's
    # environment (which holds the top_* and cp_risk_high findings) as assessment.classify does.
    next_steps = np.empty((result.n, len(KB.next_steps)), dtype=np.uint8)
    for k, (_, cond) in enumerate(KB.next_steps):
        next_steps[:, k] = cond.evaluate(result.env)
    return {"rule_state": result.rule_state, "override_state": result.override_state,
            "coexist_state": result.coexist_state, "risk_state": result.risk_state,
            "urgency_state": result.urgency_state, "next_step_state": next_steps}


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return score(INPUTS)


def _case_params() -> list[object]:
    return [pytest.param(i, id=f"{row.item_id}-{row.expect}-{i}")
            for i, row in enumerate(CASES.itertuples(index=False))]


@pytest.mark.parametrize("i", _case_params())
def test_case(states: dict[str, np.ndarray], scored: pd.DataFrame, i: int) -> None:
    row = CASES.iloc[i]
    item_id, expect, note = row["item_id"], row["expect"], row["note"]
    assert item_id in ITEMS, f"row {i}: {item_id!r} is not a knowledge-base id"
    assert expect in EXPECTATIONS, f"row {i} ({item_id}): expect must be 'fires' or 'silent', got {expect!r}"
    array, k = ITEMS[item_id]
    state = int(states[array][i, k])
    assert (state == TRUE) == (expect == "fires"), (
        f"{item_id} should be {expect} ({note}) but its state is {STATE_NAMES[state]}")
    out = scored.iloc[i]
    for column, output in EFFECTS.items():
        want = row[column]
        if not want:
            continue
        got = out[output].split(";") if column == "expect_in_differential" else out[output]
        assert want in got if column == "expect_in_differential" else want == got, (
            f"{item_id} ({note}): {column} {want!r}, got {out[output]!r}")


def test_every_firing_case_states_its_effect() -> None:
    firing = CASES[CASES["expect"] == "fires"]
    bare = firing[(firing[list(EFFECTS)] == "").all(axis=1)
                  & ~firing["item_id"].isin([x.id for x, _ in KB.next_steps])]
    assert bare.empty, f"firing cases without an expected effect: {list(bare['item_id'])}"


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
    # Canonical field names only (no alias or typo passing through as an unknown column),
    # and no value the intake had to drop or reinterpret.
    assert not [c for c in INPUTS.columns if c not in FIELD_BY_NAME]
    intake = read_cases(INPUTS)
    assert intake.columns == {c: c for c in INPUTS.columns}
    assert intake.warnings.empty, intake.warnings[["row", "column", "message"]].to_string()
    assert set(CASES["expect"]) <= set(EXPECTATIONS)
    assert (CASES["note"].str.strip() != "").all()


# ------------------------------------------------------------------ inert items

def _answers(res: engine.EngineResult, ranked: dict, risk: np.ndarray, urgency: np.ndarray) -> list[tuple]:
    """Per row: what an item may change (adjusted points and support per subtype, contributing subtypes,
    top, confidence, risk, urgency)."""
    adjusted = np.round(ranked["adjusted"], 3)
    return [(tuple(adjusted[i]), tuple(ranked["supported"][i]), tuple(ranked["contributing"][i]),
             int(ranked["top"][i]), int(ranked["confidence"][i]), int(risk[i]), int(urgency[i]))
            for i in range(res.n)]


def _without(res: engine.EngineResult, item_id: str) -> list[tuple]:
    """The answers with one item taken out of the knowledge base (its condition never holding)."""
    env = dict(res.env)
    array, k = ITEMS[item_id]
    rule_state = res.rule_state.T.copy()
    fixed: dict[tuple[str, int], np.ndarray] = {}
    if array == "rule_state":
        rule_state[k] = FALSE
    elif array == "override_state":
        # An override that never acts: a cap or lift never holds; "lead only if" always permits leading.
        action = KB.overrides[k][0].action
        fixed[("o", k)] = np.full(res.n, TRUE if action == "lead_only_if" else FALSE, dtype=np.uint8)
    elif array == "coexist_state":
        fixed[("c", k)] = np.zeros(res.n, dtype=np.uint8)
    ranked = ranking.rank(env, ranking._stack(rule_state), fixed=fixed)
    risk_state = res.risk_state.T.copy()
    if array == "risk_state":
        risk_state[k] = FALSE
    risk = ranking.risk_from_states(risk_state, env)
    urgency, urgency_state = ranking.urgency_levels(env, ranked["top"], risk, res.n)
    if array == "urgency_state":
        state = urgency_state.T.copy()
        state[k] = FALSE
        urgency = ranking.urgency_from_states(state)
    return _answers(res, ranked, risk, urgency)


def test_every_item_changes_an_answer_on_its_firing_case(result: engine.EngineResult) -> None:
    env = dict(result.env)
    base = _answers(result, ranking.rank(env, ranking._stack(result.rule_state.T)), result.risk, result.urgency)
    inert = []
    for item_id, (array, _) in ITEMS.items():
        if array == "next_step_state":  # a next step is an answer of its own (checked by test_case)
            continue
        # An override that acts where its condition does not hold ("lead only if") shows its effect on its
        # silent cases; every other item on its firing cases.
        acts_when = "fires"
        if array == "override_state" and KB.overrides[ITEMS[item_id][1]][0].action == "lead_only_if":
            acts_when = "silent"
        rows = np.flatnonzero((CASES["item_id"] == item_id) & (CASES["expect"] == acts_when))
        ablated = _without(result, item_id)
        if not any(ablated[i] != base[i] for i in rows):
            inert.append(item_id)
    assert not inert, (f"knowledge-base items that change no ranking, confidence, risk or urgency on any of "
                       f"their firing cases (inert, or the case does not show what they do): {inert}")


def test_the_inert_check_catches_a_capped_rule(result: engine.EngineResult) -> None:
    """The check is not vacuous: taking out a rule must change an answer somewhere in the fixture."""
    env = dict(result.env)
    base = _answers(result, ranking.rank(env, ranking._stack(result.rule_state.T)), result.risk, result.urgency)
    assert _without(result, "MET-CAXP-70") != base
