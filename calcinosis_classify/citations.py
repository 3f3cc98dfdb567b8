"""Which item of the knowledge base cites which numbered reference, and the references page.

Every rule, override, co-existence, risk factor, urgency trigger and next step
of :mod:`calcinosis_classify.knowledge`, every threshold, reference range, site
and morphology group, schema field, derived finding and FHIR code-map entry
carries the numbers of the references behind it. :func:`citations` gathers them all, so a test can
check each number against :data:`~calcinosis_classify.knowledge.references.REFERENCES`
and the documentation can list the references nothing cites yet.
:func:`references_markdown` renders ``docs/references.md``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from calcinosis_classify.knowledge.references import REFERENCES, REFERENCES_BY_NUMBER, Reference

__all__ = ["citations", "references_markdown", "references_rows", "uncited_references", "unknown_citations"]


def _kind(item: Any) -> str:
    """``RiskFactor`` -> ``"risk factor"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(item).__name__.strip("_")).lower()


def _table_items(value: Any) -> Iterator[Any]:
    """The items of a knowledge-base table (a tuple, list or mapping of records) that carry ``refs``."""
    items: Iterable[Any] = value.values() if isinstance(value, Mapping) else value
    if isinstance(value, (tuple, list, Mapping)):
        for item in items:
            if dataclasses.is_dataclass(item) and hasattr(item, "refs"):
                yield item


def _knowledge_tables() -> Iterator[tuple[str, tuple[int, ...]]]:
    """Every record of every table the knowledge package exports (rules, overrides, ... and tables added later)."""
    from calcinosis_classify import knowledge as kb
    from calcinosis_classify.knowledge import policy

    for name in kb.__all__:
        value = getattr(kb, name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type) and hasattr(value, "refs"):
            yield f"policy {name}", tuple(value.refs)  # a single record: RISK_SCHEME, CANT_MISS, CONFIDENCE
        for item in _table_items(value):
            label = getattr(item, "id", None) or getattr(item, "name", None) or repr(item)
            yield f"{_kind(item)} {label}", tuple(item.refs)
    yield "prior (commonest subtype)", tuple(kb.PRIOR_REFS)
    yield "tie order (prior frequency)", tuple(policy.TIE_ORDER_REFS)


def _data_tables() -> Iterator[tuple[str, tuple[int, ...]]]:
    """Thresholds, reference ranges, site and morphology groups, schema fields and derived findings."""
    from calcinosis_classify.findings import FINDINGS
    from calcinosis_classify.knowledge import ranges, sites, thresholds
    from calcinosis_classify.schema import FIELDS

    for row in thresholds.threshold_table():
        yield f"threshold {row['name']}", tuple(row["refs"])
    for analyte, refs in ranges.RANGE_REFS.items():
        yield f"reference range {analyte}", tuple(refs)
    for group, (_pattern, _description, refs) in sites.SITE_GROUPS.items():
        yield f"site group {group}", tuple(refs)
    for group, (_pattern, _description, refs) in sites.MORPHOLOGY_GROUPS.items():
        yield f"morphology group {group}", tuple(refs)
    for field in FIELDS:
        yield f"field {field.name}", tuple(field.refs)
    for finding in FINDINGS.values():
        yield f"finding {finding.name}", tuple(finding.refs)
    yield from _code_maps()


def _code_maps() -> Iterator[tuple[str, tuple[int, ...]]]:
    """The FHIR code maps: ``"code LOINC 17861-6"`` and the references each entry was checked against."""
    from calcinosis_classify.fhir_codes import SYSTEM_NAMES
    from calcinosis_classify.knowledge.codes import CODE_SYSTEMS

    for system, table in CODE_SYSTEMS.items():
        for entry in table:
            yield f"code {SYSTEM_NAMES[system]} {entry.code}", tuple(entry.refs)


def citations() -> dict[int, list[str]]:
    """Every cited reference number and the items that cite it.

    Returns
    -------
    dict of int to list of str
        Reference number -> labels of the citing items (``"rule DYS-CTD"``,
        ``"threshold caxp_metastatic"``, ``"field calcium"``, ...), in the
        order the items are declared; numbers in increasing order.
    """
    cited: dict[int, list[str]] = {}
    for label, refs in (*_knowledge_tables(), *_data_tables()):
        for number in refs:
            cited.setdefault(int(number), []).append(label)
    return dict(sorted(cited.items()))


def unknown_citations() -> dict[int, list[str]]:
    """Cited numbers that are not in the references table, with the items citing them (empty when all is well)."""
    return {n: items for n, items in citations().items() if n not in REFERENCES_BY_NUMBER}


def uncited_references() -> list[Reference]:
    """References that no item of the knowledge base cites."""
    cited = citations()
    return [r for r in REFERENCES if r.number not in cited]


def references_rows() -> list[dict[str, Any]]:
    """The references as rows (JSON-ready), each with the items that cite it."""
    cited = citations()
    return [{**dataclasses.asdict(r), "other_urls": list(r.other_urls), "canonical_url": r.canonical_url,
             "cited_by": cited.get(r.number, [])} for r in REFERENCES]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _links(ref: Reference) -> str:
    links = []
    if ref.canonical_url:
        label = f"doi:{ref.doi}" if ref.doi else f"PMID {ref.pmid}" if ref.pmid else "publisher"
        links.append(f"[{label}]({ref.canonical_url})")
    copies = tuple(url for url in (ref.url, *ref.other_urls) if url != ref.canonical_url)
    links += [f"[copy {i}]({url})" if len(copies) > 1 else f"[copy]({url})" for i, url in enumerate(copies, 1)]
    return " ".join(links)


def references_markdown() -> str:
    """The references page (``docs/references.md``), generated from the table."""
    lines = [
        "# References",
        "",
        "<!-- Generated by `calcinosis-classify rules --references --format md`; do not edit by hand. -->",
        "",
        "Every rule, threshold, finding and explanation of calcinosis_classify cites the numbered sources below",
        "(`[26]` is reference 26). The numbering is that of the clinical specification the knowledge base was",
        "written from (number 100 is not used). *copy* is the public copy that specification cites, which is",
        "sometimes a mirror or a secondary copy; where the primary publication could be identified, its DOI,",
        "PubMed record or publisher's page comes first. The same table is in the package",
        "(`calcinosis_classify.knowledge.REFERENCES`) and printed by `calcinosis-classify rules --references`",
        "(`--format json` adds the items citing each reference).",
        "",
        "| # | reference | year | links |",
        "|---|---|---|---|",
    ]
    for ref in REFERENCES:
        text = ". ".join(p.rstrip(".") for p in (ref.authors, f"*{ref.title}*", ref.source) if p) + "."
        lines.append(f"| {ref.number} | {_cell(text)} | {ref.year or ''} | {_links(ref)} |")
    uncited = uncited_references()
    lines += ["", "## Not cited by a rule", ""]
    if uncited:
        lines += ["These references are in the list but no rule, threshold, finding or field cites them at present:",
                  "", ", ".join(f"[{r.number}]" for r in uncited) + "."]
    else:
        lines.append("Every reference is cited by at least one item of the knowledge base.")
    return "\n".join(lines) + "\n"
