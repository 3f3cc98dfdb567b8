"""Engine behaviour: worked examples, overrides, tri-state, properties."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from strategies import case_frame as _frame
from strategies import cases as _case

from calcinosis_classify import OUTPUT_COLUMNS, classify, score
from calcinosis_classify.errors import ColumnClashError, KnowledgeBaseError, ThresholdError
from calcinosis_classify.findings import TRUE, compute_findings
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
    """Blanking an input never makes a rule fire. The one declared presumption is excluded: a measured
    eGFR makes normal kidney function the presumption unless dialysis is known (composite
    ``kidney_normal``), so blanking a "yes" for dialysis beside a normal eGFR may fire kidney-normal rules."""
    from calcinosis_classify import engine
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    assume(not (field == "dialysis" and "egfr" in case))
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


def test_regression_unknown_age_does_not_decide_age_dependent_findings() -> None:
    """Unknown age used to fall back to adult cut-offs, so blanking a child's age could fire rules:
    phosphate 5.0 became 'high' and Ca×P 56 crossed the adult 55 band (the paediatric band is 65)."""
    from calcinosis_classify.findings import UNKNOWN
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS

    env = compute_findings(read_cases({"calcium": 8.0, "phosphate": 7.0}).values, DEFAULT_THRESHOLDS)
    assert env["caxp_elevated"][0] == UNKNOWN and env["p_high"][0] == UNKNOWN
    env = compute_findings(read_cases({"calcium": 9.5, "phosphate": 9.5}).values, DEFAULT_THRESHOLDS)
    assert env["p_high"][0] == TRUE  # high for every age band


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


# ------------------------------------------------------------------ sparse presentations (worked examples K-R)

def _row(scored: pd.DataFrame, case_id: str) -> pd.Series:
    return scored.loc[scored["case_id"] == case_id].iloc[0]


def _first_two(row: pd.Series) -> list[str]:
    return row["differential"].split(";")[:2]


def test_k_dialysis_with_nothing_else_recorded(scored: pd.DataFrame) -> None:
    """K: haemodialysis, calcified plaque on the abdomen, nothing else: 1 calciphylaxis, 2 metastatic; risk
    moderate; urgent; calcium and phosphate named as missing."""
    row = _row(scored, "K")
    assert _first_two(row) == ["calciphylaxis", "metastatic"]
    assert (row["calciphylaxis_risk"], row["urgency"]) == ("moderate", "urgent")
    assert {"calcium", "phosphate"} <= set(row["missing"].split(";"))
    # The lesion features and PTH, which decide urgency and the CKD-mineral picture, are asked for by name.
    steps = " ".join(classify(EXAMPLES.loc[EXAMPLES["case_id"] == "K"].iloc[0].to_dict()).next_steps)
    assert "painful, purpuric, ulcerated or necrotic" in steps and "intact PTH" in steps


def test_l_painful_lesion_on_dialysis_outranks_a_high_caxp(scored: pd.DataFrame) -> None:
    """L: painful calves on haemodialysis with Ca×P 79: calciphylaxis first, metastatic contributing; high risk,
    emergency."""
    row = _row(scored, "L")
    assert _first_two(row) == ["calciphylaxis", "metastatic"]
    assert (row["calciphylaxis_risk"], row["urgency"]) == ("high", "emergency")
    assert classify(EXAMPLES.loc[EXAMPLES["case_id"] == "L"].iloc[0].to_dict()).contributing == ("metastatic",)


def test_m_warfarin_with_leg_lesions(scored: pd.DataFrame) -> None:
    """M: 3 years on warfarin, lesions on both lower legs, normal kidney function: calciphylaxis (non-uremic),
    dystrophic next; urgent."""
    row = _row(scored, "M")
    assert _first_two(row) == ["calciphylaxis", "dystrophic"]
    assert row["urgency"] == "urgent"


def test_n_necrosis_outranks_caxp_outside_dialysis(scored: pd.DataFrame) -> None:
    """N: lung cancer, retiform purpura with necrosis on the thighs, Ca 13.5, P 5.5: calciphylaxis first,
    metastatic contributing; emergency."""
    row = _row(scored, "N")
    assert _first_two(row) == ["calciphylaxis", "metastatic"]
    assert row["urgency"] == "emergency"


def test_o_single_nodule_with_nothing_recorded(scored: pd.DataFrame) -> None:
    """O: a single forearm nodule and nothing else: indeterminate or low-confidence dystrophic, the differential
    dystrophic then idiopathic, the deciding history and labs named as missing."""
    row = _row(scored, "O")
    assert row["subtype"] in ("indeterminate", "dystrophic") and row["confidence"] == "low"
    assert _first_two(row) == ["dystrophic", "idiopathic"]
    assert {"calcium", "phosphate", "autoimmune_disease"} <= set(row["missing"].split(";"))


def test_p_periarticular_mass_in_a_child_without_labs_is_not_metastatic(scored: pd.DataFrame) -> None:
    """P: painless elbow mass in an 11-year-old, no labs: idiopathic (tumoral pattern) or dystrophic first, never
    metastatic; phosphate named as missing."""
    row = _row(scored, "P")
    assert row["differential"].split(";")[0] in ("idiopathic", "dystrophic")
    assert row["subtype"] != "metastatic"
    assert "phosphate" in row["missing"].split(";")


def test_q_painful_lesion_in_ckd_g4(scored: pd.DataFrame) -> None:
    """Q: CKD G4 without dialysis, painful ulcerated thigh lesion: 1 calciphylaxis, 2 metastatic; urgent or
    emergency."""
    row = _row(scored, "Q")
    assert _first_two(row) == ["calciphylaxis", "metastatic"]
    assert row["urgency"] in ("urgent", "emergency")


def test_r_primary_hpt_without_numbers(scored: pd.DataFrame) -> None:
    """R: primary hyperparathyroidism, firm nodules at the knees, no numbers: metastatic; routine (no calcium
    value, so no hypercalcaemia trigger)."""
    row = _row(scored, "R")
    assert row["subtype"] == "metastatic" and row["urgency"] == "routine"


def test_differential_is_never_empty_when_anything_is_recorded() -> None:
    """§6.8.5: a case with an age, a sex, a site or any history item always lists candidates."""
    cases = [{"age_years": 40}, {"sex": "F"}, {"lesion_site": "forearm"}, {"diabetes": "no"},
             {"calcium": 9.5, "phosphate": 3.5, "egfr": 90, "age_years": 30}]
    for case in cases:
        assert classify(case).differential, case


def test_exclusion_from_three_normal_numbers_is_low_confidence() -> None:
    """Normal calcium, phosphate and eGFR with nothing else recorded: idiopathic may lead, with low confidence."""
    a = classify({"calcium": 9.5, "phosphate": 3.5, "egfr": 95})
    assert a.confidence == "low"
    assert classify({"calcium": 9.5, "phosphate": 3.5, "egfr": 95, "lesion_site": "scrotum", "sex": "M",
                     "age_years": 30}).confidence != "low"


@pytest.mark.parametrize("category, measured", [("ckd_g5", {"egfr": 10}), ("ckd_g4", {"egfr": 25})])
def test_a_recorded_ckd_category_stands_in_for_an_egfr_only_while_none_is_known(category: str, measured: dict) -> None:
    """CKD G4 / G5 recorded as a diagnosis (e.g. from ICD-10-CM N18.4-N18.6) counts as the eGFR it is defined
    by, the same as that eGFR measured; a measured eGFR outside the category wins over the record."""
    case = {"age_years": 72, "sex": "F", "ckd": 1, "dialysis": 0, "lesion_site": "thigh", "painful": 1,
            "ulceration": 1}
    recorded, labs = classify({**case, category: 1}), classify({**case, **measured})
    assert recorded.differential == labs.differential and recorded.urgency == labs.urgency
    assert recorded.differential[:2] == ("calciphylaxis", "metastatic")
    normal_egfr = classify({**case, category: 1, "egfr": 70})
    assert normal_egfr.differential == classify({**case, "egfr": 70}).differential
    assert "metastatic" not in normal_egfr.differential
    assert "metastatic" not in classify(case).differential


@pytest.mark.parametrize(("text", "named"), [
    ("injection sites of calcium-containing heparin", True),
    ("nadroparin injection sites", True),
    ("abdomen and thighs (Calciparin injection sites)", True),
    ("dorsum of hand after calcium gluconate extravasation", True),
    ("white calcium-containing material", False),
    ("firm nodules with calcium deposits", False),
    ("wound under a calcium alginate dressing", False),
    ("injection sites of enoxaparin", False),
])
def test_a_calcium_containing_injection_named_at_the_site_is_an_exposure(text: str, named: bool) -> None:
    """Only a named calcium-containing preparation counts as the exposure; calcium as the deposit does not."""
    case = classify({"age_years": 60, "sex": "M", "calcium_status": "normal", "phosphate_status": "normal",
                     "lesion_site": text})
    assert ("IAT-CALCIUM-INJECTION-SITE" in {p.rule_id for p in case.evidence}) is named
    assert (case.subtype == "iatrogenic") is named


@pytest.mark.parametrize("setting", [{"hyperparathyroidism": "yes"}, {"malignancy": "yes"}, {"liver_disease": "yes"},
                                     {"autoimmune_disease": "yes", "corticosteroids": "yes"}])
def test_the_picture_of_non_uremic_calciphylaxis_is_at_least_moderate_risk(setting: dict[str, str]) -> None:
    """Necrosis in a non-uremic calciphylaxis setting (primary HPT, malignancy, liver disease, CTD on
    steroids), or a painful ulcer outside CTD: risk at least moderate. An intact lesion, a painful ulcer in CTD
    (the course of dystrophic calcinosis) and a child stay low."""
    base = {"age_years": 58, "sex": "M", "egfr": 80, "lesion_site": "thigh", **setting}
    ctd = "autoimmune_disease" in setting
    assert classify({**base, "painful": "yes", "necrosis": "yes"}).calciphylaxis_risk in ("moderate", "high")
    ulcer = classify({**base, "painful": "yes", "ulceration": "yes"}).calciphylaxis_risk
    assert (ulcer == "low") if ctd else (ulcer in ("moderate", "high"))
    assert classify({**base, "painful": "no", "ulceration": "no", "necrosis": "no"}).calciphylaxis_risk == "low"
    assert classify({**base, "age_years": 10, "painful": "yes", "necrosis": "yes"}).calciphylaxis_risk == "low"


@pytest.mark.parametrize(("site", "head_neck"), [
    ("right eyebrow", True), ("left brow", True), ("periorbital skin", True), ("jaw line", True),
    ("nasal tip", True), ("eyelid", True), ("earlobe", True),
    ("browser", False), ("forearm", False), ("thumb", False),
])
def test_facial_sites_named_in_other_words_are_head_and_neck(site: str, head_neck: bool) -> None:
    """A subepidermal calcified nodule is weakly supported at any head or neck site, however it is named."""
    case = classify({"age_years": 25, "sex": "M", "lesion_site": site, "painful": "no"})
    assert ("IDI-SCN-ANY-AGE" in {p.rule_id for p in case.evidence}) is head_neck


_JUNK_FLAGS = st.fixed_dictionaries({}, optional={
    "dialysis": st.sampled_from(["yes", "no", "maybe", "", " Y ", "1.0", None, "unknown", 1, 0, float("nan")]),
    "painful": st.sampled_from(["tender", "no", "", None, "2"]),
    "sex": st.sampled_from(["F", "m", "other", "", None]),
    "calcium_status": st.sampled_from(["high", "normal", "raised?", "", None]),
    "lesion_site": st.sampled_from(["", None, "thigh", "  "]),
})


@given(_case, _JUNK_FLAGS)
@example({}, {})
@example({}, {"lesion_site": "", "sex": None})
def test_one_mapping_reads_like_a_one_row_frame(case: dict, junk: dict) -> None:
    """The single-case shortcuts of intake (one cell looked up directly, a blank row tested cell by cell) give
    the values and warnings of the column path a one-row frame takes."""
    record = {**case, **junk}
    one, frame = read_cases(dict(record)), read_cases(pd.DataFrame([record], dtype=object))
    for name, v in frame.values.items():
        assert pd.Series(one.values[name]).equals(pd.Series(v)), name
    pd.testing.assert_frame_equal(one.warnings.reset_index(drop=True), frame.warnings.reset_index(drop=True))
