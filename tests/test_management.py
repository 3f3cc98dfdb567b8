"""What is usually done: the cited management options (validated at import), the clinician section of
`explain`, `explain --json` and `rules --kind management`."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from calcinosis_classify import classify
from calcinosis_classify import knowledge as kb
from calcinosis_classify.cli import main
from calcinosis_classify.compiled import build_knowledge_base, compile_management_option
from calcinosis_classify.errors import KnowledgeBaseError

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples.csv"
HEADING = "What is usually done (options for the clinician to weigh with the patient, not instructions):"


def _example(case_id: str) -> dict[str, object]:
    frame = pd.read_csv(EXAMPLES)
    row = frame.loc[frame["case_id"] == case_id].iloc[0]
    return {str(k): v for k, v in row.items() if k not in ("description", "expected_subtype", "expected_urgency")}


# ------------------------------------------------------------------ the table and its validation

def test_every_option_cites_references_in_the_table_and_states_its_evidence() -> None:
    for option in kb.MANAGEMENT:
        assert option.refs and all(n in kb.REFERENCES_BY_NUMBER for n in option.refs), option.id
        assert option.evidence and set(option.evidence) <= set(kb.EVIDENCE_LEVELS), option.id
        assert option.practice in kb.PRACTICE_STATUSES, option.id
        assert option.cautions and option.patient, option.id


def test_the_options_cover_what_the_issue_lists() -> None:
    """The options a reader expects for each subtype: calciphylaxis, metastatic, dystrophic, idiopathic, iatrogenic."""
    def wording(subtype: str) -> str:
        return " ".join(o.option for o in kb.MANAGEMENT if subtype in o.subtypes).lower()

    for subtype, words in {
        "calciphylaxis": ("multidisciplinary", "wound", "pain", "sodium thiosulfate", "warfarin", "pth",
                          "calcium-based phosphate binders", "active vitamin d", "biopsy"),
        "metastatic": ("phosphate binders", "dialysis", "cinacalcet", "parathyroidectomy", "vitamin d",
                       "malignancy"),
        "dystrophic": ("connective-tissue disease", "diltiazem", "bisphosphonates", "intralesional",
                       "intravenous", "colchicine", "excision"),
        "idiopathic": ("reassurance", "scrotal", "subepidermal calcified nodule"),
        "iatrogenic": ("exposure", "heel-stick", "extravasation", "protocols"),
    }.items():
        missing = [w for w in words if w not in wording(subtype)]
        assert not missing, (subtype, missing)
    practices = {o.practice for o in kb.MANAGEMENT}
    assert practices == set(kb.PRACTICE_STATUSES)  # standard, off-label and weakly supported options all marked


def _option(**changes: object) -> kb.ManagementOption:
    return dataclasses.replace(kb.MANAGEMENT[0], **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "message"), [
    ({"refs": ()}, "cites no reference"),
    ({"refs": (9, 999)}, r"cites \[999\], which knowledge/references.py does not have"),
    ({"evidence": ()}, "states no evidence level"),
    ({"evidence": ("case serie",)}, "did you mean 'case series'"),
    ({"subtypes": ("calciphylaxsis",)}, "did you mean 'calciphylaxis'"),
    ({"subtypes": ()}, "applies to no subtype"),
    ({"practice": "standard"}, "practice must be one of"),
    ({"patient": " "}, "patient wording"),
    ({"when": "has_warfrin"}, "did you mean 'has_warfarin'"),
])
def test_a_malformed_option_fails_with_its_id(changes: dict[str, object], message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message) as info:
        compile_management_option(_option(**changes))
    assert info.value.rule_id == kb.MANAGEMENT[0].id


def test_the_knowledge_base_refuses_an_uncited_or_unlevelled_option_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """What happens at import: building the knowledge base with such an entry fails loudly."""
    uncited = dataclasses.replace(kb.MANAGEMENT[0], id="MGT-NEW", refs=())
    monkeypatch.setattr(kb, "MANAGEMENT", (*kb.MANAGEMENT, uncited))
    with pytest.raises(KnowledgeBaseError, match="MGT-NEW.*cites no reference"):
        build_knowledge_base()
    unlevelled = dataclasses.replace(kb.MANAGEMENT[0], id="MGT-NEW", evidence=())
    monkeypatch.setattr(kb, "MANAGEMENT", (*kb.MANAGEMENT[:-1], unlevelled))
    with pytest.raises(KnowledgeBaseError, match="MGT-NEW.*states no evidence level"):
        build_knowledge_base()
    monkeypatch.setattr(kb, "MANAGEMENT", (*kb.MANAGEMENT[:-1], kb.MANAGEMENT[0]))
    with pytest.raises(KnowledgeBaseError, match="duplicate id"):
        build_knowledge_base()


def test_the_plain_wording_must_cover_every_probe_subtype_and_trigger(monkeypatch: pytest.MonkeyPatch) -> None:
    probes = dict(kb.PLAIN_PROBES)
    del probes["phosphate"]
    monkeypatch.setattr(kb, "PLAIN_PROBES", probes)
    with pytest.raises(KnowledgeBaseError, match=r"no plain wording for \['phosphate'\]"):
        build_knowledge_base()
    monkeypatch.setattr(kb, "PLAIN_PROBES", {**kb.PLAIN_PROBES, "phosphate": kb.PLAIN_PROBES["calcium"]})
    monkeypatch.setattr(kb, "PLAIN_URGENCY", {**kb.PLAIN_URGENCY, "URG-NOT-A-TRIGGER": "x"})
    with pytest.raises(KnowledgeBaseError, match="URG-NOT-A-TRIGGER"):
        build_knowledge_base()


# ------------------------------------------------------------------ the clinician section

def _section(text: str) -> str:
    start = text.index(HEADING)
    return text[start:text.index("Decision support for research", start)]


def test_explain_ends_with_the_options_of_the_leading_and_coexisting_subtypes() -> None:
    a = classify(_example("C"))  # calciphylaxis leading, metastatic co-existing
    assert a.subtype == "calciphylaxis" and a.contributing == ("metastatic",)
    text = a.explain()
    section = _section(text)
    assert text.rstrip().endswith(a.disclaimer) and text.index(HEADING) > text.index("Missing data")
    assert "  For calciphylaxis (leading subtype):" in section and "  For metastatic (co-existing):" in section
    assert section.index("For calciphylaxis") < section.index("For metastatic") < section.index("For every subtype")
    assert "<MGT-CPX-STS>" in section and "<MGT-MET-PHOSPHATE>" in section and "<MGT-DYS-DILTIAZEM>" not in section
    # Every option with its evidence in words, its practice status and its references.
    items = re.split(r"\n  - ", section)[1:]
    assert len(items) == len(a.management)
    for item, note in zip(items, a.management, strict=True):
        flat = " ".join(item.split())
        assert f"Evidence: {', '.join(note.evidence)}; {note.practice}." in flat
        assert "".join(f"[{r}]" for r in note.refs) in flat and f"<{note.id}>" in flat
    assert [n.role for n in a.management][:1] == ["leading"] and a.management[-1].role == "general"


def test_each_subtype_gets_its_own_options() -> None:
    for case_id, subtype, option in (("A", "dystrophic", "MGT-DYS-DILTIAZEM"), ("B", "metastatic", "MGT-MET-CAUSE"),
                                     ("E", "iatrogenic", "MGT-IAT-WAIT"), ("F", "idiopathic", "MGT-IDI-EXCISION")):
        a = classify(_example(case_id))
        assert a.subtype == subtype
        ids = {n.id for n in a.management if n.subtype == subtype}
        assert option in ids and all(subtype in next(o for o in kb.MANAGEMENT if o.id == i).subtypes for i in ids)


def test_options_follow_their_conditions() -> None:
    """Stopping warfarin is listed when warfarin is taken or not recorded, not when it is known not to be."""
    case = {"age_years": 60, "sex": "F", "dialysis": "yes", "calcium": 9.0, "phosphate": 6.0, "painful": "yes",
            "necrosis": "yes", "lesion_site": "thigh"}
    for warfarin, listed in (("yes", True), (None, True), ("no", False)):
        a = classify({**case, "warfarin": warfarin} if warfarin else case)
        assert a.subtype == "calciphylaxis"
        assert ("MGT-CPX-STOP-VKA" in {n.id for n in a.management}) is listed, warfarin


def test_an_indeterminate_case_lists_no_subtype_option() -> None:
    a = classify(_example("O"))
    assert a.subtype == "indeterminate"
    section = _section(a.explain())
    assert "No subtype leads, so no subtype-specific option is listed" in section
    assert {n.role for n in a.management} == {"general"}


def test_explain_json_and_the_cli_include_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES), "--case-id", "C", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    first = classify(_example("C")).management[0]
    assert out["management"][0]["id"] == first.id and out["management"][0]["refs"] == list(first.refs)
    assert out["management"][0]["evidence"] == list(first.evidence)
    assert {"id", "subtype", "role", "option", "evidence", "practice", "cautions", "refs", "patient"} <= set(
        out["management"][0])
    assert "patient_summary" not in out
    assert main(["explain", str(EXAMPLES), "--case-id", "C"]) == 0
    assert HEADING in capsys.readouterr().out


def test_rules_renders_the_management_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--kind", "management", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [o.id for o in kb.MANAGEMENT]
    assert {"evidence", "level", "cautions", "patient", "refs", "subtype"} <= set(rows[0])
    assert main(["rules", "--kind", "management", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "| id | subtypes | option | evidence | practice | cautions | shown when | refs |" in md
    assert md.count("\n| MGT-") == len(kb.MANAGEMENT)
    assert main(["rules", "--kind", "management"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == len(kb.MANAGEMENT) and "off-label" in table[2]
