"""Fast paths against their plain references: each optimised path must give exactly what the plain
definition gives, on hundreds of random rows (behaviour tests live in test_engine.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import case_frame as _frame
from strategies import cases as _case

from calcinosis_classify.findings import compute_findings


@given(seed=st.integers(0, 2**31 - 1), n=st.integers(17, 400), missing_rate=st.floats(0.0, 0.9),
       blank=st.lists(st.sampled_from(["calcium", "phosphate", "pth", "egfr", "albumin", "age_years", "sex",
                                       "dialysis", "lesion_site", "painful", "necrosis", "warfarin"]),
                      max_size=5, unique=True))
@settings(max_examples=12, deadline=None)
def test_missing_data_fast_paths_equal_the_reference(seed: int, n: int, missing_rate: float,
                                                     blank: list[str]) -> None:
    """The missing-data analysis (input by input with bounds for many rows, all variants in one pass for
    few) equals the plain reference that ranks every probe variant in full."""
    from calcinosis_classify import engine
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS
    from calcinosis_classify.missing import reference_decisiveness
    from calcinosis_classify.synthetic import generate_cohort

    cohort = generate_cohort(n, seed=seed, missing_rate=missing_rate, qualitative_rate=0.1, si_fraction=0.2,
                             atypical_rate=0.3)
    for name in blank:  # whole columns unknown: the absent-input shortcuts
        if name in cohort:
            cohort[name] = None
    values = read_cases(cohort).values
    expected = reference_decisiveness(values, n, DEFAULT_THRESHOLDS)
    np.testing.assert_array_equal(engine.evaluate(values, n, DEFAULT_THRESHOLDS).missing, expected)
    few = slice(0, 9)  # the small-input path
    few_values = {k: v[few] for k, v in values.items()}
    np.testing.assert_array_equal(engine.evaluate(few_values, 9, DEFAULT_THRESHOLDS).missing,
                                  reference_decisiveness(few_values, 9, DEFAULT_THRESHOLDS))


def _cohort_values(n: int, seed: int, sparse_rate: float) -> dict[str, np.ndarray]:
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.synthetic import generate_cohort

    cohort = generate_cohort(n, seed=seed, missing_rate=0.35, qualitative_rate=0.1, si_fraction=0.2,
                             atypical_rate=0.3, sparse_rate=sparse_rate)
    return read_cases(cohort).values


def _without_reach(ranked: dict) -> dict:
    """A base ranking whose co-existence / override steps claim to move nothing."""
    return {**ranked, "coexist_reach": np.zeros_like(ranked["coexist_reach"]),
            "override_reach": np.zeros_like(ranked["override_reach"])}


@pytest.mark.parametrize(("seed", "sparse_rate"), [(31, 0.0), (32, 0.4), (33, 0.9)])
def test_probe_bounds_equal_full_reranking_of_every_probe(seed: int, sparse_rate: float) -> None:
    """Input-by-input probing settles rows by bounds (a change of points, and of whether one co-existence
    or override condition is in force, widened by its reach) and re-ranks only the rest from the states it
    already has: on thousands of varied rows, sparse ones included, it equals ranking every probe variant
    in full. The same rows need the reach: bounds that left it out would give other answers."""
    from calcinosis_classify import missing, ranking
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    n = 2500
    values = _cohort_values(n, seed, sparse_rate)
    expected = missing.reference_decisiveness(values, n, DEFAULT_THRESHOLDS)
    env, rule_state, stacked, ranked = ranking.core(values, n, DEFAULT_THRESHOLDS)
    got = missing.decisiveness(values, env, rule_state, stacked, ranked, DEFAULT_THRESHOLDS)
    np.testing.assert_array_equal(got, expected)
    if sparse_rate < 0.5:  # (mostly empty rows seldom reach a condition that changes)
        wrong = missing.decisiveness(values, env, rule_state, stacked, _without_reach(ranked), DEFAULT_THRESHOLDS)
        assert (wrong != expected).any()


@given(st.lists(_case, min_size=17, max_size=40))
@settings(max_examples=25, deadline=None)
def test_probing_generated_rows_equals_the_reference(cases: list[dict]) -> None:
    """Hypothesis-generated rows, above the single-pass size: the missing-data analysis equals ranking
    every probe variant in full."""
    from calcinosis_classify import engine
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS
    from calcinosis_classify.missing import reference_decisiveness

    values = read_cases(_frame(cases)).values
    np.testing.assert_array_equal(engine.evaluate(values, len(cases), DEFAULT_THRESHOLDS).missing,
                                  reference_decisiveness(values, len(cases), DEFAULT_THRESHOLDS))


def test_override_actions_are_checked_for_what_probing_assumes() -> None:
    """Every override action is checked at import for what the probe bounds rely on (monotone, moving
    by at most what the points move, its reach recorded): the actions the ranking knows pass, an action
    that breaks any of it fails with a KnowledgeBaseError naming it."""
    from calcinosis_classify import ranking
    from calcinosis_classify.errors import KnowledgeBaseError

    for name, action in ranking.OVERRIDE_ACTIONS.items():
        ranking.check_override_action(name, action)

    def mirror(adj: np.ndarray, j: int, holds: np.ndarray, supported: np.ndarray, reach=None) -> None:
        moved = -adj[j]  # not monotone
        if reach is not None:
            reach[:] = np.abs(moved - adj[j])
        adj[j] = np.where(holds == 2, moved, adj[j])

    def silent(adj: np.ndarray, j: int, holds: np.ndarray, supported: np.ndarray, reach=None) -> None:
        ranking._lead_only_if(adj, j, holds, supported)  # records no reach

    def short(adj: np.ndarray, j: int, holds: np.ndarray, supported: np.ndarray, reach=None) -> None:
        ranking._rank_first(adj, j, holds, supported, reach)
        if reach is not None:
            reach /= 2  # claims less than it moves

    for name, action in (("mirror", mirror), ("silent", silent), ("short", short)):
        with pytest.raises(KnowledgeBaseError, match=name):
            ranking.check_override_action(name, action)


@given(st.lists(_case, min_size=1, max_size=6))
@settings(max_examples=40)
def test_both_missing_data_strategies_agree(cases: list[dict]) -> None:
    """Small inputs evaluate every probe variant in one pass, large ones probe input by input:
    the two must name the same inputs with the same weights."""
    from calcinosis_classify import engine, missing, ranking
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    values = read_cases(_frame(cases)).values
    res = engine.evaluate(values, len(cases), DEFAULT_THRESHOLDS, with_missing=False)
    stacked = ranking._stack(res.rule_state.T)
    ranked = ranking.rank(dict(res.env), stacked)
    at_once = missing._probe_all_at_once(values, DEFAULT_THRESHOLDS, len(cases))
    by_input = missing._probe_by_input(values, dict(res.env), res.rule_state.T, stacked, ranked, DEFAULT_THRESHOLDS,
                                      len(cases))
    np.testing.assert_array_equal(at_once, by_input)


@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.integers(-1, 4))
@settings(max_examples=60)
def test_few_row_ranking_matches_running_maxima(n: int, seed: int, skip: int) -> None:
    """Few rows are ranked with single numpy reductions, many with running maxima over the subtype
    rows: both give the same first maximum and the same top two (a tie counting twice)."""
    from calcinosis_classify import engine, ranking

    rng = np.random.default_rng(seed)
    a = (rng.integers(-6, 7, size=(engine.S, n)) / 2).astype(np.float32)  # half points: ties are common
    few = ranking._first_max(a), ranking._top_two(a, skip=skip), ranking._top_two(a, skip=skip, second=False)[0]
    few_rows = ranking._FEW_ROWS
    try:
        ranking._FEW_ROWS = 0
        many = ranking._first_max(a), ranking._top_two(a, skip=skip), ranking._top_two(a, skip=skip, second=False)[0]
    finally:
        ranking._FEW_ROWS = few_rows
    for x, y in zip(few[:2], many[:2], strict=True):
        np.testing.assert_array_equal(x[0], y[0])
        np.testing.assert_array_equal(x[1], y[1])
    np.testing.assert_array_equal(few[2], many[2])


@pytest.mark.parametrize("units", ["conventional", "si"])
def test_fused_findings_equal_their_own_functions(units: str) -> None:
    """Flags and single-threshold comparisons are computed together; each must equal its own node."""
    from calcinosis_classify.findings import _FUSABLE, FINDINGS, compute_findings
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS, Thresholds
    from calcinosis_classify.synthetic import generate_cohort

    cases = generate_cohort(400, seed=11, missing_rate=0.3, qualitative_rate=0.1, si_fraction=0.5)
    values = read_cases(cases, units=units).values
    assert len(_FUSABLE) > 40
    for th in (DEFAULT_THRESHOLDS, Thresholds(egfr_ckd=50.0, vitd_concern=40.0)):
        env = compute_findings(values, th)
        for name in _FUSABLE:
            node = FINDINGS[name]
            np.testing.assert_array_equal(env[name], node.fn(th, *(env[i] for i in node.inputs)), err_msg=name)


def test_generated_condition_batches_equal_each_condition() -> None:
    """compile_batch generates one function per condition set; it must give each condition's own states,
    for the knowledge base and for every form of the language."""
    from calcinosis_classify import engine
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS
    from calcinosis_classify.logic import compile_batch, compile_condition
    from calcinosis_classify.synthetic import generate_cohort

    cases = generate_cohort(500, seed=21, missing_rate=0.4, qualitative_rate=0.1, si_fraction=0.3)
    env = dict(engine.evaluate(read_cases(cases).values, len(cases), DEFAULT_THRESHOLDS).env)
    forms = [compile_condition(t) for t in (
        "true", "~has_dialysis", "known(calcium) & ~unknown(phosphate)", "not_known(has_ckd | ca_high)",
        "has_dialysis & (ca_high | ~p_high) & has_dialysis", "unknown(has_warfarin) | true",
        "any_known(dialysis, warfarin, calcium, lesion_site)")]
    sets = [[r.cond for r in engine.KB.rules], *([c for _, c in items] for items in (
        engine.KB.risk, engine.KB.urgency, engine.KB.coexistence, engine.KB.overrides, engine.KB.next_steps)),
        forms]
    for conditions in sets:
        got = compile_batch(conditions)(env, len(cases))
        for cond, state in zip(conditions, got, strict=True):
            np.testing.assert_array_equal(state, cond.evaluate(env), err_msg=cond.text)


def test_absent_inputs_shortcut_changes_nothing() -> None:
    """Findings and rules that read only absent inputs are taken from the all-unknown defaults."""
    from calcinosis_classify import engine, ranking
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    frame = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "examples.csv", dtype=str,
                        keep_default_na=False)
    values = read_cases(frame).values
    fast = engine.evaluate(values, len(frame), DEFAULT_THRESHOLDS)
    slow_env = compute_findings(values, DEFAULT_THRESHOLDS)
    np.testing.assert_array_equal(fast.rule_state, ranking._rule_matrix(slow_env, len(frame)).T)
    for name, arr in slow_env.items():
        np.testing.assert_array_equal(np.asarray(fast.env[name]), np.asarray(arr), err_msg=name)


def test_any_known_is_the_or_of_known() -> None:
    """any_known(a, b, ...) is one pass over its inputs with the value of known(a) | known(b) | ..."""
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.logic import compile_condition
    from calcinosis_classify.synthetic import generate_cohort

    values = read_cases(generate_cohort(400, seed=4, missing_rate=0.6, sparse_rate=0.5)).values
    names = ("dialysis", "warfarin", "calcium", "lesion_site", "sex")
    fast = compile_condition(f"any_known({', '.join(names)})").evaluate(values)
    plain = compile_condition(" | ".join(f"known({n})" for n in names)).evaluate(values)
    np.testing.assert_array_equal(fast, plain)
    assert (fast == 2).any() and (fast == 0).any()
    # One row at a time (the single-case path tests each cell as a scalar): the same states.
    one_row = compile_condition(f"any_known({', '.join(names)})")
    for i in range(len(fast)):
        assert one_row.evaluate({k: v[i:i + 1] for k, v in values.items()})[0] == fast[i], i
    # A few rows at a time (each dtype's arrays tested stacked): the same states.
    for start in range(0, len(fast), 17):
        few = {k: v[start:start + 17] for k, v in values.items()}
        np.testing.assert_array_equal(one_row.evaluate(few), fast[start:start + 17])


def test_probe_shift_bounds_cover_supported_and_unsupported_subtypes() -> None:
    """The bound on how far a probe moves each subtype's adjusted points covers every combination of one
    or two probed rules changing state, for a supported subtype (all its points count) and an unsupported
    one (its modifier points do not): some probes move a subtype by a modifier one way and by another
    rule the other, which leaves its points as they were but not an unsupported subtype's."""
    from itertools import combinations, product

    from calcinosis_classify import missing
    from calcinosis_classify.compiled import S

    uncovered_without_modifiers = 0
    for k in range(len(missing.PROBE_NAMES)):
        plan = missing._probe_plan(k)
        if plan is None:
            continue
        r = len(plan.rules)
        diffs = [np.zeros(r)]
        for size in (1, 2):
            for cols in combinations(range(r), size):
                for signs in product((-1, 1), repeat=size):
                    d = np.zeros(r)
                    d[list(cols)] = signs
                    diffs.append(d)
        diff = np.array(diffs, dtype=np.float32).T  # (probed rules, combinations)
        change = plan.to_moved @ diff
        gain, loss = missing._shift_bounds(plan, change)
        full = np.zeros((6 * S, diff.shape[1]), dtype=np.float32)
        full[plan.moved] = change
        supported_move, unsupported_move = full[:S], full[:S] - full[5 * S:]
        for move in (supported_move, unsupported_move):
            assert (move <= gain).all() and (-move <= loss).all(), missing.PROBE_NAMES[k]
        points_only = np.maximum(change[:len(plan.moved_points)].max(axis=0, initial=0.0), 0.0)
        uncovered_without_modifiers += int((unsupported_move > points_only).any())
    assert uncovered_without_modifiers  # the knowledge base has such probes: the modifier term matters


@pytest.mark.parametrize("permute", [False, True])
def test_stacked_sums_by_subtype_equal_the_full_product(monkeypatch: pytest.MonkeyPatch, permute: bool) -> None:
    """Large inputs stack the rule states block by block, each subtype's rows from the rules that move
    them (consecutive in the knowledge base, or not): the same sums as the one full product."""
    from calcinosis_classify import ranking

    rng = np.random.default_rng(5)
    if permute:  # rules of one subtype spread over the list: the parts take index arrays
        monkeypatch.setattr(ranking, "STACKED_T", ranking.STACKED_T[:, rng.permutation(ranking.STACKED_T.shape[1])])
    monkeypatch.setattr(ranking, "_STACK_PARTS", ranking._stack_parts())
    monkeypatch.setattr(ranking, "_STACK_BLOCK", 64)
    assert any(isinstance(rules, np.ndarray) for _, rules, _ in ranking._STACK_PARTS) == permute
    states = rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=(ranking.STACKED_T.shape[1], 1000))
    np.testing.assert_array_equal(ranking._stack(states), ranking.STACKED_T @ (states == 2).astype(np.float32))


def test_findings_true_once_the_probed_input_is_known() -> None:
    """A probe tries only known values, so a finding that holds whenever the input is known (``any_known``
    of it, and what is or-ed with that) is set true instead of recomputed from every input it names; one
    that also needs something else is recomputed."""
    import ast

    from calcinosis_classify import missing

    flag = missing.PROBE_NAMES.index("warfarin")
    plan = missing._probe_plan(flag)
    assert {"history_recorded", "presentation_recorded", "case_described"} <= set(plan.known_true)
    assert not set(plan.known_true) & plan.computed and set(plan.known_true) <= plan.touched
    assert "lesion_site" not in plan.needed  # read only by the any_known() findings set true
    assert missing._probe_plan(missing.PROBE_NAMES.index("calcium")).known_true == ()

    def holds(text: str) -> bool:
        return missing._true_once_known(ast.parse(text, mode="eval"), "x", {"t"})
    assert holds("any_known(a, x)") and holds("known(x) | y") and holds("t & known(x)") and holds("any_known(t)")
    assert not holds("known(x) & y") and not holds("unknown(x)") and not holds("not_known(x)") and not holds("~t")
    assert not missing._known_true("sex", (-1, 0), frozenset({"case_described"}))  # -1 codes unknown sex
