"""Engine behaviour: worked examples, overrides, tri-state, properties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calcinosis_classify import OUTPUT_COLUMNS, classify, score
from calcinosis_classify.errors import ColumnClashError, KnowledgeBaseError, ThresholdError
from calcinosis_classify.findings import TRUE
from calcinosis_classify.intake import read_cases
from calcinosis_classify.schema import FIELD_BY_NAME

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLES = pd.read_csv(FIXTURES / "examples.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return score(EXAMPLES)


@pytest.mark.parametrize("case_id", list(EXAMPLES["case_id"]))
def test_worked_examples_top_subtype(scored: pd.DataFrame, case_id: str) -> None:
    row = scored.loc[scored["case_id"] == case_id].iloc[0]
    assert row["subtype"] == row["expected_subtype"], row["evidence"]
    if row["expected_urgency"]:
        assert row["urgency"] == row["expected_urgency"]


def test_output_contract(scored: pd.DataFrame) -> None:
    assert list(scored.columns) == [*EXAMPLES.columns, *OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(scored[EXAMPLES.columns], EXAMPLES)
    for s in ("dystrophic", "metastatic", "idiopathic", "iatrogenic", "calciphylaxis"):
        assert scored[f"score_{s}"].between(0, 1).all()


def test_empty_row_is_indeterminate_and_names_what_is_missing() -> None:
    a = classify({"case_id": "x"})
    assert a.subtype == "indeterminate"
    assert a.confidence == "low"
    assert "calcium" in a.missing and "phosphate" in a.missing


def test_o1_calciphylaxis_ranked_first_regardless_of_labs() -> None:
    case = {"age_years": 60, "dialysis": "yes", "necrosis": "yes", "painful": "yes",
            "calcium": 12.5, "phosphate": 8.0, "lesion_site": "shoulder"}
    a = classify(case)
    assert a.subtype == "calciphylaxis"
    assert a.urgency == "emergency"
    assert "metastatic" in a.differential


def test_o3_iatrogenic_needs_exposure() -> None:
    # An infant gets an iatrogenic age modifier, but without an exposure it cannot lead.
    a = classify({"age_years": 0.5, "lesion_site": "hand", "calcium_status": "normal",
                  "phosphate_status": "normal", "recent_hospitalisation": "yes"})
    assert a.subtype != "iatrogenic"


def test_o4_idiopathic_phenotype_without_labs_is_low_confidence() -> None:
    a = classify({"age_years": 25, "sex": "M", "lesion_site": "scrotum"})
    assert a.subtype == "idiopathic"
    assert a.confidence == "low"
    assert {"calcium", "phosphate"} <= set(a.missing)


def test_o4_idiopathic_never_leads_when_exposure_explains() -> None:
    a = classify({"age_years": 25, "sex": "M", "lesion_site": "scrotum", "injury": "yes"})
    assert a.subtype != "idiopathic"


def test_paediatric_phosphate_is_not_hyperphosphataemia() -> None:
    child = classify({"age_years": 3, "phosphate": 5.8, "calcium": 9.8, "lesion_site": "ear"})
    adult = classify({"age_years": 40, "phosphate": 5.8, "calcium": 9.8, "lesion_site": "ear"})
    assert "DYS-AGAINST-METABOLIC" not in [p.rule_id for p in child.evidence]
    assert "DYS-AGAINST-METABOLIC" in [p.rule_id for p in adult.evidence]


def test_threshold_sensitivity_changes_metastatic_support() -> None:
    case = {"age_years": 50, "calcium": 10.0, "phosphate": 6.0}  # Ca×P 60
    at70 = classify(case)
    at55 = classify(case, thresholds={"caxp_metastatic": 55})
    assert at55.scores["metastatic"] > at70.scores["metastatic"]
    with pytest.raises(ThresholdError, match="caxp_metastatic"):
        classify(case, thresholds={"caxp_metastatic": 5})


def test_output_column_clash_is_refused_or_prefixed() -> None:
    frame = pd.DataFrame({"subtype": ["x"], "calcium": [9.5]})
    with pytest.raises(ColumnClashError, match="prefix"):
        score(frame)
    out = score(frame, prefix="rules_")
    assert out["subtype"].tolist() == ["x"] and "rules_subtype" in out


def test_explain_mentions_rule_value_reference_and_disclaimer() -> None:
    text = classify({"age_years": 61, "dialysis": "yes", "calcium": 10.1, "phosphate": 8.0,
                     "lesion_site": "shoulder"}).explain()
    assert "MET-CAXP-70" in text and "phosphate 8 mg/dL" in text and "[45]" in text
    assert "not a diagnosis" in text


def test_broken_rule_fails_at_build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from calcinosis_classify import engine, knowledge
    from calcinosis_classify.knowledge.model import Rule

    bad = Rule("BAD-1", "metastatic", "ca_hihg & p_high", 2, "moderate", "proposed", "typo", (1,))
    monkeypatch.setattr(knowledge, "RULES", (*knowledge.RULES, bad))
    with pytest.raises(KnowledgeBaseError, match="did you mean 'ca_high'"):
        engine.build_knowledge_base()
    dup = Rule("MET-CAXP-70", "metastatic", "ca_high", 2, "moderate", "proposed", "dup", (1,))
    monkeypatch.setattr(knowledge, "RULES", (*knowledge.RULES[:-1], dup))
    with pytest.raises(KnowledgeBaseError, match="duplicate"):
        engine.build_knowledge_base()
    presuming = Rule("BAD-2", "idiopathic", "site_scrotum & not_known(~scrotal_age)", 2, "strong", "proposed",
                     "presumes", (61,))
    monkeypatch.setattr(knowledge, "RULES", (*knowledge.RULES[:-1], presuming))
    with pytest.raises(KnowledgeBaseError, match="BAD-2.*never make a rule fire"):
        engine.build_knowledge_base()


# ------------------------------------------------------------------ properties

_case = st.fixed_dictionaries({}, optional={
    "age_years": st.floats(0.01, 95),
    "sex": st.sampled_from(["F", "M", ""]),
    "calcium": st.floats(6.0, 16.0),
    "phosphate": st.floats(1.0, 12.0),
    "albumin": st.floats(1.5, 5.0),
    "pth": st.floats(2.0, 2500.0),
    "egfr": st.floats(3.0, 130.0),
    "dialysis": st.sampled_from(["yes", "no", ""]),
    "autoimmune_disease": st.sampled_from(["yes", "no", ""]),
    "iv_calcium": st.sampled_from(["yes", "no", ""]),
    "warfarin": st.sampled_from(["yes", "no", ""]),
    "painful": st.sampled_from(["yes", "no", ""]),
    "necrosis": st.sampled_from(["yes", "no", ""]),
    "lesion_site": st.sampled_from(["thumb", "scrotum", "thighs", "heel", "shoulder", "ear", ""]),
})


def _frame(cases: list[dict]) -> pd.DataFrame:
    cols = sorted({k for c in cases for k in c})
    return pd.DataFrame([{k: c.get(k, "") for k in cols} for c in cases], dtype=object)


def _infers_from_whole_input(frame: pd.DataFrame) -> bool:
    """Whether intake read some cell using the rest of its column (a column that looks like the other unit
    system): the one way rows of an input influence each other."""
    return bool((read_cases(frame).warnings["code"] == "column_unit_suspect").any())


@given(st.lists(_case, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_rows_are_independent_of_each_other(cases: list[dict], rnd) -> None:
    """Order and repetition never change a row's result; a subset gives the same rows unless the units of a
    column without stated units were inferred from the whole column (then the subset may infer otherwise)."""
    frame = _frame(cases)
    full = score(frame)
    perm = list(range(len(frame)))
    rnd.shuffle(perm)
    shuffled = score(frame.iloc[perm])
    pd.testing.assert_frame_equal(shuffled.loc[full.index], full)
    doubled = score(pd.concat([frame, frame], ignore_index=True))
    assert (doubled.iloc[: len(frame)]["subtype"].to_numpy() == full["subtype"].to_numpy()).all()
    subset = perm[: max(1, len(perm) // 2)]
    if not _infers_from_whole_input(frame) and not _infers_from_whole_input(frame.iloc[subset]):
        pd.testing.assert_frame_equal(score(frame.iloc[subset]), full.iloc[subset])


@given(_case)
def test_classify_and_score_agree(case: dict) -> None:
    a = classify(case)
    row = score(_frame([case])).iloc[0]
    assert a.subtype == row["subtype"]
    assert ";".join(a.differential) == row["differential"]
    assert ";".join(a.missing) == row["missing"]


@given(_case)
@example({"calcium": 10.0, "albumin": 1.5})  # corrected calcium exactly on the 12 mg/dL cut-off
def test_unit_invariance(case: dict) -> None:
    si = dict(case)
    # The inverse of the library's own factors (clinical-spec §3.3): a rounded factor such as 0.2495 would
    # move a value sitting on a cut-off to the other side.
    for name in ("calcium", "phosphate", "albumin", "pth"):
        if name in si:
            spec = FIELD_BY_NAME[name]
            si[name] = si[name] / spec.factor(spec.si_unit)
    conv, conv_si = score(_frame([case])), score(_frame([si]), units="si")
    cols = ["subtype", "differential", "confidence", "calciphylaxis_risk", "urgency", "evidence"]
    assert conv[cols].iloc[0].to_dict() == conv_si[cols].iloc[0].to_dict()


@given(_case, st.floats(0.5, 8.0))
def test_raising_phosphate_never_lowers_metastatic(case: dict, extra: float) -> None:
    case = {**case, "phosphate": case.get("phosphate", 3.0), "calcium": case.get("calcium", 9.5)}
    higher = {**case, "phosphate": case["phosphate"] + extra}
    assert classify(higher).scores["metastatic"] >= classify(case).scores["metastatic"] - 1e-9


@given(_case, st.floats(1.0, 3.0), st.sampled_from(["calcium", "phosphate", "both"]))
def test_raising_caxp_never_lowers_metastatic(case: dict, factor: float, which: str) -> None:
    """Ca×P rises by raising calcium, phosphate or both; everything else fixed."""
    case = {**case, "phosphate": case.get("phosphate", 4.0), "calcium": case.get("calcium", 9.5)}
    higher = dict(case)
    for name in (["calcium", "phosphate"] if which == "both" else [which]):
        higher[name] = min(case[name] * factor, 20.0)
    assert classify(higher).ca_x_p >= classify(case).ca_x_p - 1e-9
    assert classify(higher).scores["metastatic"] >= classify(case).scores["metastatic"] - 1e-9


@given(_case)
def test_necrosis_on_dialysis_never_lowers_risk(case: dict) -> None:
    levels = ["low", "moderate", "high"]
    base = {**case, "dialysis": "yes"}
    worse = {**base, "necrosis": "yes"}
    assert levels.index(classify(worse).calciphylaxis_risk) >= levels.index(classify(base).calciphylaxis_risk)


@given(_case, st.sampled_from(["calcium", "phosphate", "dialysis", "autoimmune_disease", "iv_calcium",
                               "necrosis", "painful", "lesion_site", "age_years", "egfr", "sex", "pth"]))
@example({"sex": "M", "age_years": 1.0, "lesion_site": "scrotum"}, "age_years")
@example({"calcium": 9.5, "phosphate": 3.5, "autoimmune_disease": "yes"}, "autoimmune_disease")
def test_unknown_input_never_adds_points(case: dict, field: str) -> None:
    from calcinosis_classify import engine
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    known = engine.evaluate(read_cases(case).values, 1, DEFAULT_THRESHOLDS, with_missing=False)
    blank = engine.evaluate(read_cases({k: v for k, v in case.items() if k != field}).values, 1,
                            DEFAULT_THRESHOLDS, with_missing=False)
    fired_blank = blank.rule_state[0] == TRUE
    fired_known = known.rule_state[0] == TRUE
    # Making an input unknown can only remove fired rules, never fire new ones.
    assert not (fired_blank & ~fired_known).any()


@given(st.lists(st.dictionaries(st.sampled_from(["calcium", "phosphate", "dialysis", "age_years", "sex",
                                                 "lesion_site", "pth", "calcium_unit", "necrosis"]),
                                st.one_of(st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True),
                                          st.integers(-10**6, 10**6), st.none(), st.booleans())),
                min_size=1, max_size=10))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_junk_never_raises_and_never_drops_rows(records: list[dict]) -> None:
    frame = pd.DataFrame(records, dtype=object)
    if frame.shape[1] == 0:
        frame["note"] = ""
    out = score(frame)
    assert len(out) == len(frame)
    assert out.index.equals(frame.index)
    assert out["subtype"].notna().all()


def test_million_rows_do_not_loop_in_python() -> None:
    """A coarse guard on the hot path: 20,000 mixed rows score in well under two seconds."""
    import time

    rng = np.random.default_rng(0)
    n = 20_000
    frame = pd.DataFrame({
        "age_years": rng.uniform(0.1, 90, n), "calcium": rng.normal(9.6, 1.2, n),
        "phosphate": rng.normal(4.0, 1.5, n), "dialysis": rng.choice(["yes", "no", ""], n),
        "lesion_site": rng.choice(["thumb", "scrotum", "thighs", "heel"], n),
    })
    start = time.perf_counter()
    out = score(frame)
    assert len(out) == n
    assert time.perf_counter() - start < 5.0


def test_regression_unknown_age_does_not_decide_age_dependent_findings() -> None:
    """Unknown age used to fall back to adult cut-offs, so blanking a child's age could fire rules:
    phosphate 5.0 became 'high' and Ca×P 56 crossed the adult 55 band (the paediatric band is 65)."""
    from calcinosis_classify.findings import UNKNOWN, compute_findings
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    env = compute_findings(read_cases({"calcium": 8.0, "phosphate": 7.0}).values, DEFAULT_THRESHOLDS)
    assert env["caxp_elevated"][0] == UNKNOWN and env["p_high"][0] == UNKNOWN
    env = compute_findings(read_cases({"calcium": 9.5, "phosphate": 9.5}).values, DEFAULT_THRESHOLDS)
    assert env["p_high"][0] == TRUE  # high for every age band


@given(st.lists(_case, min_size=1, max_size=6))
@settings(max_examples=40)
def test_both_missing_data_strategies_agree(cases: list[dict]) -> None:
    """Small inputs evaluate every probe variant in one pass, large ones probe input by input:
    the two must name the same inputs with the same weights."""
    from calcinosis_classify import engine
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    values = read_cases(_frame(cases)).values
    res = engine.evaluate(values, len(cases), DEFAULT_THRESHOLDS, with_missing=False)
    stacked = engine._stack(res.rule_state.T)
    ranked = engine._rank(dict(res.env), stacked)
    at_once = engine._probe_all_at_once(values, DEFAULT_THRESHOLDS, len(cases))
    by_input = engine._probe_by_input(values, dict(res.env), res.rule_state.T, stacked, ranked, DEFAULT_THRESHOLDS,
                                      len(cases))
    np.testing.assert_array_equal(at_once, by_input)


@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.integers(-1, 4))
@settings(max_examples=60)
def test_few_row_ranking_matches_running_maxima(n: int, seed: int, skip: int) -> None:
    """Few rows are ranked with single numpy reductions, many with running maxima over the subtype
    rows: both give the same first maximum and the same top two (a tie counting twice)."""
    from calcinosis_classify import engine

    rng = np.random.default_rng(seed)
    a = (rng.integers(-6, 7, size=(engine.S, n)) / 2).astype(np.float32)  # half points: ties are common
    few = engine._first_max(a), engine._top_two(a, skip=skip), engine._top_two(a, skip=skip, second=False)[0]
    few_rows = engine._FEW_ROWS
    try:
        engine._FEW_ROWS = 0
        many = engine._first_max(a), engine._top_two(a, skip=skip), engine._top_two(a, skip=skip, second=False)[0]
    finally:
        engine._FEW_ROWS = few_rows
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
        "has_dialysis & (ca_high | ~p_high) & has_dialysis", "unknown(has_warfarin) | true")]
    sets = [[r.cond for r in engine.KB.rules], *([c for _, c in items] for items in (
        engine.KB.risk, engine.KB.urgency, engine.KB.coexistence, engine.KB.overrides, engine.KB.next_steps)),
        forms]
    for conditions in sets:
        got = compile_batch(conditions)(env, len(cases))
        for cond, state in zip(conditions, got, strict=True):
            np.testing.assert_array_equal(state, cond.evaluate(env), err_msg=cond.text)


def test_absent_inputs_shortcut_changes_nothing() -> None:
    """Findings and rules that read only absent inputs are taken from the all-unknown defaults."""
    from calcinosis_classify import engine
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    frame = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "examples.csv", dtype=str,
                        keep_default_na=False)
    values = read_cases(frame).values
    fast = engine.evaluate(values, len(frame), DEFAULT_THRESHOLDS)
    slow_env = engine.compute_findings(values, DEFAULT_THRESHOLDS)
    np.testing.assert_array_equal(fast.rule_state, engine._rule_matrix(slow_env, len(frame)).T)
    for name, arr in slow_env.items():
        np.testing.assert_array_equal(np.asarray(fast.env[name]), np.asarray(arr), err_msg=name)


def test_regression_down_syndrome_alone_is_not_the_milia_like_phenotype() -> None:
    """Down syndrome with normal labs credited the milia-like phenotype whatever the site (facial acne
    scars listed down_syndrome as missing); the phenotype needs acral or milia-like lesions."""
    base = {"age_years": 25, "venous_disease_or_acne": "yes", "lesion_site": "face",
            "calcium_status": "normal", "phosphate_status": "normal"}
    assert "down_syndrome" not in classify(base).missing
    assert "IDI-PHENOTYPE-NORMAL-LABS" not in {p.rule_id for p in classify({**base, "down_syndrome": "yes"}).evidence}
    micc = classify({**base, "down_syndrome": "yes", "lesion_site": "hands", "age_years": 10})
    assert "IDI-PHENOTYPE-NORMAL-LABS" in {p.rule_id for p in micc.evidence}


def test_ssc_digital_ulcer_on_dialysis_is_ranked_by_site_but_calciphylaxis_is_kept() -> None:
    """§6.5: thumb-pulp calcinosis in SSc on dialysis is dystrophic primary. A painful ulcerated fingertip
    nodule without necrosis used to trigger O1 and rank calciphylaxis first; it is now ranked by site with
    calciphylaxis kept in the differential and the emergency urgency unchanged. Unknown CTD or necrosis
    keeps O1 (the must-exclude rule is never relaxed on missing data)."""
    case = {"age_years": 60, "sex": "F", "dialysis": "yes", "autoimmune_disease": "yes",
            "lesion_site": "fingertips", "painful": "yes", "ulceration": "yes", "necrosis": "no",
            "calcium": 9.5, "phosphate": 6.5}
    ssc = classify(case)
    assert ssc.subtype == "dystrophic" and "calciphylaxis" in ssc.differential and ssc.urgency == "emergency"
    assert classify({**case, "necrosis": "yes"}).subtype == "calciphylaxis"
    assert classify({k: v for k, v in case.items() if k != "autoimmune_disease"}).subtype == "calciphylaxis"
