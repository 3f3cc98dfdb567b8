"""What `classify()` and `explain` say about one case: next steps that fit the input, refusals of the wrong
input types, and the wording of the explanation."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from calcinosis_classify import CalcinosisClassifyError, classify, score
from calcinosis_classify.cli import main
from calcinosis_classify.errors import InputTypeError
from calcinosis_classify.intake import read_cases

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples.csv"

# The case of the issue: a dialysis patient with necrosis, labs given, age missing.
NO_AGE = {"sex": "F", "dialysis": "yes", "calcium": 9.82, "phosphate": 5.0, "albumin": 2.9, "necrosis": "yes",
          "lesion_site": "thigh"}


# ------------------------------------------------------------------ item 3: next steps that fit the input

def test_regression_missing_age_asks_for_age_not_for_tests_already_given() -> None:
    """Regression: with age missing, phosphate 5.0 has no status (normal for an infant, high for an adult), and
    the next steps asked for serum phosphate ("Ca×P cannot be computed without it") and calcium while the
    explanation printed Ca×P 53.5."""
    a = classify(NO_AGE)
    assert a.ca_x_p == 53.5
    text = " ".join(a.next_steps)
    assert "Request serum phosphate" not in text and "Request serum calcium" not in text
    assert any(step.startswith("Record age: the ranges depend on it") for step in a.next_steps)
    assert "Record age" in a.explain()


def test_age_step_goes_once_age_is_given_and_tests_are_asked_for_when_missing() -> None:
    aged = classify({**NO_AGE, "age_years": 58})
    assert not any(s.startswith("Record age") for s in aged.next_steps)
    bare = classify({"age_years": 58, "lesion_site": "thigh"})
    text = " ".join(bare.next_steps)
    assert "Request serum phosphate" in text and "Request serum calcium" in text
    assert not any(s.startswith("Record age") for s in bare.next_steps)


# ------------------------------------------------------------------ item 5: wrong input types

@pytest.mark.parametrize("bad, expected", [
    ([NO_AGE, NO_AGE], "score()"), (None, "got NoneType"), ("calcium=9", "got str"), (42, "got int"),
    (pd.DataFrame([NO_AGE]), "score()"),
])
def test_regression_classify_refuses_the_wrong_type_with_a_type_error_of_ours(bad, expected) -> None:
    """Regression: classify([...]) and classify(None) raised raw Python errors ("dictionary update sequence
    element #0 has length 7", "'NoneType' object is not iterable") that said nothing of what to pass."""
    with pytest.raises(InputTypeError) as info:
        classify(bad)
    assert isinstance(info.value, TypeError) and isinstance(info.value, CalcinosisClassifyError)
    message = str(info.value)
    assert "mapping of field -> value" in message and expected in message


def test_classify_accepts_a_row_of_a_frame() -> None:
    row = pd.DataFrame([NO_AGE]).iloc[0]
    assert classify(row).subtype == classify(NO_AGE).subtype


@pytest.mark.parametrize("bad", [None, 42, [1, 2], [NO_AGE, "x"]])
def test_score_and_read_cases_refuse_the_wrong_type(bad) -> None:
    for fn in (score, read_cases):
        with pytest.raises(InputTypeError, match="mapping"):
            fn(bad)


def test_regression_explain_from_json_array_explains_each_case(monkeypatch, capsys) -> None:
    """Regression: `explain --from-json -` with a JSON array raised a raw error; it explains each case."""
    cases = [{"case_id": "A", **NO_AGE}, {"case_id": "B", "age_years": 70, "calcium": 13.2, "pth": 8,
                                          "lesion_site": "shoulder"}]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(cases)))
    assert main(["explain", "--from-json", "-"]) == 0
    out = capsys.readouterr().out
    assert "Case A, case 1 of 2 in standard input" in out and "Case B, case 2 of 2 in standard input" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(cases)))
    assert main(["explain", "--from-json", "-", "--json"]) == 0
    assert [c["case_id"] for c in json.loads(capsys.readouterr().out)] == ["A", "B"]


@pytest.mark.parametrize("payload", ["42", "[]", '[{"calcium": 9}, 3]', '"text"'])
def test_explain_from_json_refuses_other_json_in_one_line(monkeypatch, capsys, payload: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(payload))
    assert main(["explain", "--from-json", "-"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "expects a JSON object (one case) or an array of objects" in err


# ------------------------------------------------------------------ item 14: wording

def test_regression_no_full_stop_before_a_semicolon() -> None:
    """Regression: urgency reasons and risk factors were sentences joined with "; ", giving ".; " and ". (minor)"."""
    text = classify(NO_AGE).explain()
    assert ".;" not in text and ". (minor)" not in text and ". (major)" not in text
    assert "Urgency: emergency (Suspected calciphylaxis (1-year mortality up to ~45-80%); " in text


def test_regression_corrected_calcium_only_when_albumin_was_given() -> None:
    """Regression: "Corrected calcium ≥ 14 mg/dL" was printed for a calcium never corrected (no albumin)."""
    without = classify({"age_years": 60, "calcium": 14.5, "lesion_site": "shoulder"})
    assert without.urgency == "emergency"
    assert "corrected calcium" not in without.explain().lower().replace("not albumin-corrected", "")
    assert "Total calcium (not albumin-corrected) ≥ 14 mg/dL" in without.explain()
    with_albumin = classify({"age_years": 60, "calcium": 14.0, "albumin": 3.0, "lesion_site": "shoulder"})
    assert "Corrected calcium ≥ 14 mg/dL" in with_albumin.explain()
    assert "Ca×P: " not in without.explain()  # no phosphate, no product
    assert "Ca×P: 34.2 mg²/dL² (from total calcium)" in classify({"calcium": 11.4, "phosphate": 3.0}).explain()


def test_regression_rule_lines_show_only_the_inputs_the_rule_reads() -> None:
    """Regression: CPX-UREMIC printed "sex F" (read only to compute an eGFR from creatinine, which was not given)
    and CPX-FEMALE printed the lesion site (read only for words such as "necrotic" it did not contain)."""
    a = classify(NO_AGE)
    values = {p.rule_id: p.values for p in a.evidence}
    assert values["CPX-UREMIC"] == ("dialysis yes", "necrosis yes")
    assert values["CPX-FEMALE"] == ("sex F", "necrosis yes")
    assert values["CPX-PROXIMAL"] == ("lesion_site 'thigh'", "necrosis yes")
    with_creatinine = classify({**NO_AGE, "dialysis": "", "creatinine": 6.0, "age_years": 60})
    kidney = {p.rule_id: p.values for p in with_creatinine.evidence}["IDI-AGAINST-KIDNEY"]
    assert {"age_years 60 years", "sex F", "creatinine 6 mg/dL"} <= set(kidney)


def test_regression_the_header_says_which_case_is_explained(capsys) -> None:
    """Regression: the explanation did not say which row or case it explained."""
    assert classify({"case_id": "X1", **NO_AGE}).explain().splitlines()[0] == "Case X1"
    assert classify(NO_AGE).explain().splitlines()[0] == "Case (no case_id)"
    frame = pd.read_csv(EXAMPLES, dtype=str, keep_default_na=False)
    assert main(["explain", str(EXAMPLES), "--row", "2"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"Case {frame['case_id'][1]}, row 2 of {EXAMPLES}"
    assert main(["explain", str(EXAMPLES), "--case-id", frame["case_id"][2]]) == 0
    assert re.fullmatch(rf"Case {re.escape(frame['case_id'][2])}, row 3 of .*",
                        capsys.readouterr().out.splitlines()[0])


def test_candidates_are_shown_as_candidates_not_as_zero_scores() -> None:
    """A subtype listed by the nothing-recorded order has no score: explain says it is a candidate."""
    from calcinosis_classify import classify

    text = classify({"age_years": 35, "sex": "F", "lesion_site": "forearm"}).explain()
    assert "Differential: dystrophic (candidate), idiopathic (candidate)" in text
    assert "0.00" not in text.split("Differential:")[1].split("\n")[0]


def test_a_modifier_of_an_unsupported_subtype_is_shown_as_not_counted() -> None:
    """Modifiers adjust only a subtype another rule supports: the explanation says when one did not count."""
    child = classify({"age_years": 11, "sex": "M", "lesion_site": "elbow", "lesion_description": "mass"})
    by_id = {p.rule_id: p for p in child.evidence}
    assert not by_id["CPX-AGE-CHILD"].counted  # nothing supports calciphylaxis here
    assert by_id["IDI-AGE-CHILD"].counted  # the tumoral pattern supports idiopathic
    text = child.explain()
    assert "-2 calciphylaxis (not counted: no rule supports calciphylaxis):" in text
    assert "+1 idiopathic: Age modifier" in text
    assert child.to_dict()["evidence"][0]["counted"] in (True, False)
    on_dialysis = classify({"age_years": 11, "sex": "M", "dialysis": "yes", "lesion_site": "thigh"})
    assert {p.rule_id: p.counted for p in on_dialysis.evidence}["CPX-AGE-CHILD"]
