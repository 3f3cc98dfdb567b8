"""The numbered references: the table, every citation checked against it, the generated page, the CLI."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from calcinosis_classify import citations as citations_mod
from calcinosis_classify import knowledge as kb
from calcinosis_classify.citations import (
    citations,
    references_markdown,
    references_rows,
    uncited_references,
    unknown_citations,
)
from calcinosis_classify.cli import main
from calcinosis_classify.knowledge import REFERENCES, REFERENCES_BY_NUMBER, Reference

ROOT = Path(__file__).resolve().parents[1]
DOCS_PAGE = ROOT / "docs" / "references.md"


def test_the_table_holds_every_numbered_reference_once() -> None:
    numbers = [r.number for r in REFERENCES]
    # The specification's numbering (it does not use 100), then later sources in ranges of their own.
    assert [n for n in numbers if n < 107] == [n for n in range(1, 107) if n != 100]
    assert len(numbers) == len(set(numbers))  # each number once, whatever order merged ranges land in
    assert dict(REFERENCES_BY_NUMBER) == {r.number: r for r in REFERENCES}
    for ref in REFERENCES:
        assert ref.title and ref.url.startswith(("http://", "https://")), ref.number
        assert all(u.startswith(("http://", "https://")) for u in ref.other_urls), ref.number
        assert not ref.doi or re.fullmatch(r"10\.\d{4,}/\S+", ref.doi), ref.number
        assert not ref.pmid or ref.pmid.isdigit(), ref.number
        assert ref.year is None or 1900 < ref.year < 2100, ref.number


def test_canonical_link_prefers_doi_then_pubmed_then_publisher() -> None:
    base = Reference(1, "A B", "T", 2000, "J", "https://mirror.example/x")
    assert base.canonical_url == "" and base.link == "https://mirror.example/x"
    assert dataclasses.replace(base, canonical="https://pub.example/x").link == "https://pub.example/x"
    with_pmid = dataclasses.replace(base, pmid="123", canonical="https://pub.example/x")
    assert with_pmid.canonical_url == "https://pubmed.ncbi.nlm.nih.gov/123/"
    assert dataclasses.replace(with_pmid, doi="10.1000/x").canonical_url == "https://doi.org/10.1000/x"
    assert base.citation() == "[1] A B. T. J."
    assert REFERENCES_BY_NUMBER[9].canonical_url == "https://doi.org/10.1056/NEJMra1505292"  # cited via a mirror


def test_every_cited_number_is_in_the_table() -> None:
    """Rules, overrides, co-existence, risk factors, urgency triggers, next steps, the prior, the risk scheme,
    thresholds, reference ranges, site and morphology groups, schema fields and findings all cite numbers
    that the references table has."""
    unknown = unknown_citations()
    assert not unknown, "cited but not in knowledge/references.py: " + "; ".join(
        f"[{n}] by {', '.join(items)}" for n, items in unknown.items())
    cited = citations()
    assert {"rule DYS-CTD", "threshold caxp_metastatic", "field calcium"} <= set(cited[54] + cited[1] + cited[52])


def _fake_rule() -> kb.Rule:
    return kb.Rule("FAKE-RULE", "dystrophic", "true", 1, "weak", "proposed", "A test rule.", (999,))


@dataclasses.dataclass(frozen=True)
class _NewKind:
    id: str
    refs: tuple[int, ...]


def _inject(source: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make one source cite reference 999; return the label it must be reported under."""
    from calcinosis_classify import findings, schema
    from calcinosis_classify.knowledge import ranges, sites, thresholds

    if source == "rule":
        monkeypatch.setattr(kb, "RULES", (*kb.RULES, _fake_rule()))
        return "rule FAKE-RULE"
    if source == "new knowledge table":
        monkeypatch.setattr(kb, "__all__", [*kb.__all__, "NEW_TABLE"])
        monkeypatch.setattr(kb, "NEW_TABLE", {"x": _NewKind("NEW-1", (999,))}, raising=False)
        return "new kind NEW-1"
    if source == "prior":
        monkeypatch.setattr(kb, "PRIOR_REFS", (*kb.PRIOR_REFS, 999))
        return "prior (commonest subtype)"
    if source == "risk scheme":
        monkeypatch.setattr(kb, "RISK_SCHEME", dataclasses.replace(kb.RISK_SCHEME, refs=(999,)))
        return "policy RISK_SCHEME"
    if source == "threshold":
        table = thresholds.threshold_table()
        monkeypatch.setattr(thresholds, "threshold_table", lambda: [*table, {"name": "fake", "refs": (999,)}])
        return "threshold fake"
    if source == "range":
        monkeypatch.setitem(ranges.RANGE_REFS, "fake", (999,))
        return "reference range fake"
    if source == "site group":
        monkeypatch.setitem(sites.SITE_GROUPS, "site_fake", ("fake", "fake", (999,)))
        return "site group site_fake"
    if source == "morphology group":
        monkeypatch.setitem(sites.MORPHOLOGY_GROUPS, "text_fake", ("fake", "fake", (999,)))
        return "morphology group text_fake"
    if source == "field":
        fake = dataclasses.replace(schema.FIELDS[0], name="fake_field", refs=(999,))
        monkeypatch.setattr(schema, "FIELDS", (*schema.FIELDS, fake))
        return "field fake_field"
    assert source == "finding"
    some = next(iter(findings.FINDINGS.values()))
    monkeypatch.setitem(findings.FINDINGS, "fake_finding", dataclasses.replace(some, name="fake_finding",
                                                                               refs=(999,)))
    return "finding fake_finding"


@pytest.mark.parametrize("source", ["rule", "new knowledge table", "prior", "risk scheme", "threshold", "range",
                                    "site group", "morphology group", "field", "finding"])
def test_a_number_missing_from_the_table_is_reported_wherever_it_is_cited(
        source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    label = _inject(source, monkeypatch)
    assert unknown_citations() == {999: [label]}


def test_references_nothing_cites_are_listed_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citations_mod, "citations", lambda: {1: ["rule X"], 2: ["rule Y"]})
    assert [r.number for r in uncited_references()] == [r.number for r in REFERENCES][2:]
    page = references_markdown()
    listed = page.split("## Not cited by a rule")[1]
    assert "[3], [4]," in listed and "[1]" not in listed and f"[{REFERENCES[-1].number}]." in listed
    monkeypatch.setattr(citations_mod, "citations", lambda: {r.number: ["rule X"] for r in REFERENCES})
    assert "Every reference is cited" in references_markdown()


def test_docs_page_is_the_generated_one() -> None:
    assert DOCS_PAGE.read_text() == references_markdown(), (
        "docs/references.md is out of date: regenerate it with "
        "`calcinosis-classify rules --references --format md > docs/references.md`")


def test_readme_links_the_references_page() -> None:
    assert "(docs/references.md)" in (ROOT / "README.md").read_text()


def test_rules_references_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--references"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].startswith("[1] Le C, Bedocs PM. Calcinosis Cutis.")
    assert "     https://doi.org/10.1056/NEJMra1505292" in text.splitlines()
    assert main(["rules", "--references", "--format", "md"]) == 0
    assert capsys.readouterr().out == DOCS_PAGE.read_text()
    assert main(["rules", "--references", "--format", "json"]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    assert rows == json.loads(json.dumps(references_rows()))
    by_number = {row["number"]: row for row in rows}
    assert "rule CPX-VINTAGE" in by_number[26]["cited_by"]
    assert by_number[13]["canonical_url"] == "https://pubmed.ncbi.nlm.nih.gov/22121234/"
    assert main(["rules", "--references", "--kind", "rule"]) == 2
    assert "leave out --kind" in capsys.readouterr().err

