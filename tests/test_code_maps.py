"""The FHIR code maps: cited, well-formed, consistent with the input contract, and looked up as documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from calcinosis_classify import fhir_codes
from calcinosis_classify.fhir_codes import (
    SYSTEM_NAMES,
    code_maps_markdown,
    code_maps_summary_markdown,
    lookup,
    normalise_code,
    unverified_codes,
)
from calcinosis_classify.knowledge import codes
from calcinosis_classify.knowledge.codes import CODE_SYSTEMS, CodeMap
from calcinosis_classify.knowledge.references import REFERENCES_BY_NUMBER
from calcinosis_classify.schema import FIELDS

ROOT = Path(__file__).resolve().parents[1]
LOINC, ICD10CM, SNOMED = "http://loinc.org", "http://hl7.org/fhir/sid/icd-10-cm", "http://snomed.info/sct"
RXNORM, ATC = "http://www.nlm.nih.gov/research/umls/rxnorm", "http://www.whocc.no/atc"
CPT, ICD10PCS = "http://www.ama-assn.org/go/cpt", "http://www.cms.gov/Medicare/Coding/ICD10"
FIELD_KINDS = {f.name: f.kind for f in FIELDS}
SPECS = {f.name: f for f in FIELDS}
ENTRIES = [(system, m) for system, table in CODE_SYSTEMS.items() for m in table]
IDS = [f"{SYSTEM_NAMES[s]}:{m.code}" for s, m in ENTRIES]

# UCUM: a unit is terms joined by "/"; a term is a metric prefix and an atom, or an annotation in braces.
_UCUM_TERM = re.compile(r"(?:[munpfkd]?(?:g|mol|L|eq|m2?)|min|h|d|\{[^{}]+\})")


def ucum_valid(unit: str) -> bool:
    """Whether ``unit`` is a case-sensitive UCUM spelling built from the atoms lab results use here."""
    return bool(unit) and all(_UCUM_TERM.fullmatch(term) for term in unit.split("/"))


def luhn_ok(digits: str) -> bool:
    """LOINC's mod-10 check digit (the Luhn algorithm over the number and its check digit)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


_VERHOEFF_D = [[(i + j) % 5 + 5 * ((i // 5 + j // 5) % 2) if i < 5 or j < 5 else 0 for j in range(10)]
               for i in range(10)]


def verhoeff_ok(number: str) -> bool:
    """SNOMED CT identifiers end in a Verhoeff check digit."""
    d = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
         [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
         [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
         [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
    p = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
         [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
         [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = d[c][p[i % 8][int(ch)]]
    return c == 0


_FORMATS = {
    LOINC: (r"\d{1,7}-\d", None),
    # A prefix may be a whole chapter letter (``C``: every code beginning with C is a malignant neoplasm).
    ICD10CM: (r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?", r"[A-Z](?:\d[0-9A-Z](?:\.[0-9A-Z]{1,3})?)?"),
    SNOMED: (r"[1-9]\d{5,17}", None),
    RXNORM: (r"[1-9]\d{0,8}", None),
    ATC: (r"[A-Z]\d\d[A-Z][A-Z]\d\d", r"[A-Z](?:\d\d(?:[A-Z][A-Z]?)?)?"),
    CPT: (r"\d{4}[0-9FTU]", None),
    ICD10PCS: (r"[0-9A-HJ-NP-Z]{7}", r"[0-9A-HJ-NP-Z]{1,6}"),
}


@pytest.mark.parametrize(("system", "entry"), ENTRIES, ids=IDS)
def test_every_entry_is_cited_well_formed_and_names_contract_fields(system: str, entry: CodeMap) -> None:
    assert entry.refs and all(n in REFERENCES_BY_NUMBER for n in entry.refs), "cites a missing reference"
    assert entry.display.strip() and entry.match in ("exact", "prefix")
    assert all(f in FIELD_KINDS for f in entry.fields), "names a field the input contract does not have"
    exact, prefix = _FORMATS[system]
    pattern = prefix if entry.match == "prefix" else exact
    assert pattern is not None, f"{SYSTEM_NAMES[system]} codes are not hierarchical: no prefix entries"
    assert re.fullmatch(pattern, entry.code), f"{entry.code!r} is not a well-formed {SYSTEM_NAMES[system]} code"
    if system == LOINC:
        assert luhn_ok(entry.code.replace("-", "")), "LOINC check digit is wrong"
    if system == SNOMED:
        assert verhoeff_ok(entry.code), "SNOMED CT check digit is wrong"
    if not entry.verified:
        assert entry.note, "an unverified code says why in its note"
    assert not entry.route or system in (RXNORM, ATC), "only medication codes carry a route"
    assert entry.route in ("", "intravenous", "systemic"), "routes are '', 'intravenous' or 'systemic'"


@pytest.mark.parametrize(("system", "entry"), [(s, m) for s, m in ENTRIES if s == LOINC],
                         ids=[i for i, (s, _) in zip(IDS, ENTRIES, strict=True) if s == LOINC])
def test_loinc_entries_fill_one_lab_field_in_units_the_project_converts(system: str, entry: CodeMap) -> None:
    assert len(entry.fields) == 1 and FIELD_KINDS[entry.fields[0]] == "lab"
    assert entry.units, "a LOINC entry lists the UCUM units its results may carry"
    spec = SPECS[entry.fields[0]]
    for unit in entry.units:
        assert ucum_valid(unit), f"{unit!r} is not a UCUM spelling"
        assert spec.factor(unit) is not None, f"{unit!r} cannot be converted into {spec.name}'s {spec.unit}"


def test_other_systems_set_yes_no_fields_only() -> None:
    for system, entry in ENTRIES:
        if system != LOINC:
            assert not entry.units
            assert all(FIELD_KINDS[f] == "flag" for f in entry.fields), (system, entry.code)


def test_the_checks_reject_what_they_are_meant_to_reject() -> None:
    """The unit, check-digit and field checks above fail on bad data (they are not vacuous)."""
    assert ucum_valid("mL/min/{1.73_m2}") and ucum_valid("umol/L") and ucum_valid("pg/mL")
    assert not ucum_valid("mL/min/1.73m2") and not ucum_valid("mg%") and not ucum_valid("MG/DL")
    assert SPECS["calcium"].factor("mg/L") is None  # a valid UCUM unit the project cannot convert
    assert luhn_ok("178616") and not luhn_ok("178617")
    assert verhoeff_ok("398049005") and not verhoeff_ok("398049006")
    assert "not_a_field" not in FIELD_KINDS


@pytest.mark.parametrize("system", list(CODE_SYSTEMS))
def test_no_code_is_mapped_twice_in_a_table(system: str) -> None:
    seen: dict[tuple[str, str, str], CodeMap] = {}
    for entry in CODE_SYSTEMS[system]:
        key = (normalise_code(system, entry.code), entry.match, entry.route)
        assert key not in seen, f"{entry.code} twice in {SYSTEM_NAMES[system]}"
        seen[key] = entry
    exact = {k[0] for k in seen if k[1] == "exact"}
    assert not exact & {k[0] for k in seen if k[1] == "prefix"}, "a code is both an exact and a prefix entry"


def test_every_table_is_in_the_system_index_and_named() -> None:
    tables = {codes.LOINC, codes.ICD10CM, codes.SNOMED_CT, codes.RXNORM, codes.ATC, codes.CPT, codes.ICD10PCS}
    assert set(map(id, CODE_SYSTEMS.values())) == set(map(id, tables))
    assert set(SYSTEM_NAMES) == set(CODE_SYSTEMS)


def test_lookup_exact_and_normalised() -> None:
    assert lookup(LOINC, "17861-6").fields == ("calcium",)
    assert lookup(LOINC, " 17861-6 ") is lookup(LOINC, "17861-6")
    assert lookup(ICD10CM, "z99.2") is lookup(ICD10CM, "Z992") is lookup(ICD10CM, "Z99.2")
    assert lookup(ICD10CM, "Z99.2").fields == ("dialysis",)
    assert lookup(RXNORM, "11289").fields == ("warfarin",)


def test_lookup_prefix_semantics() -> None:
    assert lookup(ICD10CM, "M34.1").code == "M34" and lookup(ICD10CM, "M34").code == "M34"
    assert lookup(ICD10CM, "E11.22").fields == ("diabetes",)
    assert lookup(ICD10CM, "M3") is None  # shorter than the prefix
    assert lookup(ICD10CM, "E66.3") is None  # overweight: a sibling of the obesity prefixes, not below one
    assert lookup(ICD10CM, "E66.01").code == "E66.0"
    # The exact entry beats the prefix it lies under, and the longest prefix wins.
    assert lookup(ICD10CM, "N18.6").match == "exact" and lookup(ICD10CM, "N18.32").code == "N18"
    assert lookup(ICD10CM, "E21.0").code == "E21.0" and lookup(ICD10CM, "E21.4") is None
    # Prefixes only apply in hierarchical systems; LOINC codes never match by prefix.
    assert lookup(LOINC, "17861") is None and lookup(LOINC, "17861-66") is None


def test_lookup_chapter_letter_and_refinements() -> None:
    """Every ICD-10-CM C code is a malignant neoplasm; in situ (D0x) is not; a narrower prefix wins."""
    assert lookup(ICD10CM, "C34.90").code == "C" and lookup(ICD10CM, "C34.90").fields == ("malignancy",)
    assert lookup(ICD10CM, "C90.00").code == "C90.0"
    assert lookup(ICD10CM, "D05.10") is None
    assert lookup(ICD10CM, "Z68.41").fields == ("obesity",) and lookup(ICD10CM, "Z68.25") is None


def test_medication_routes() -> None:
    assert lookup(ATC, "a12aa03").route == "intravenous" and lookup(ATC, "A12AA03").fields == ("iv_calcium",)
    assert lookup(ATC, "B01AA03").fields == ("warfarin",) and lookup(ATC, "B01AB01") is None
    assert lookup(RXNORM, "8640").route == "systemic" and lookup(RXNORM, "11289").route == ""


def test_lookup_unknown_system_or_code_or_blank() -> None:
    assert lookup("http://example.org/local", "17861-6") is None
    assert lookup(LOINC, "") is None and lookup(ICD10CM, "  ") is None
    assert lookup(SNOMED, "0") is None


def test_longest_prefix_wins_whatever_the_table_order(monkeypatch: pytest.MonkeyPatch) -> None:
    short = CodeMap("N18", "CKD", ("ckd",), (174,), match="prefix")
    long = CodeMap("N18.3", "CKD stage 3", ("dialysis",), (174,), match="prefix")
    for table in ((short, long), (long, short)):
        monkeypatch.setitem(fhir_codes._INDEX, ICD10CM, fhir_codes._index(ICD10CM, table))
        assert lookup(ICD10CM, "N18.31") is long and lookup(ICD10CM, "N18.4") is short


def test_calcinosis_cutis_and_calciphylaxis_set_no_field() -> None:
    """The library must not take a recorded diagnosis of what it classifies as evidence for its own answer."""
    assert lookup(ICD10CM, "L94.2").fields == ()
    for system, entry in ENTRIES:
        if "calciphylaxis" in entry.display.lower() or "calcinosis cutis" in entry.display.lower():
            assert entry.fields == (), (system, entry.code)


def test_code_map_record_keeps_its_field_names() -> None:
    """Readers on other branches build on these names: they may only be added to, at the end."""
    names = [f.name for f in dataclasses.fields(CodeMap)]
    assert names[:9] == ["code", "display", "fields", "refs", "verified", "match", "units", "route", "note"]


def test_docs_page_and_readme_summary_are_generated() -> None:
    page = ROOT / "docs" / "code_maps.md"
    assert page.read_text() == code_maps_markdown(), (
        "docs/code_maps.md is out of date: regenerate it with "
        "`python -c 'from calcinosis_classify.fhir_codes import code_maps_markdown as m; print(m(), end=\"\")' "
        "> docs/code_maps.md`")
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- code-maps:start -->\n")[1].split("\n<!-- code-maps:end -->")[0]
    assert block == code_maps_summary_markdown()
    assert "(docs/code_maps.md)" in readme


def test_rules_lists_the_code_maps(capsys: pytest.CaptureFixture[str]) -> None:
    from calcinosis_classify.cli import main

    assert main(["rules", "--kind", "code"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(ENTRIES)
    assert any("LOINC 17861-6" in line and "calcium" in line for line in lines)
    assert any("ICD-10-CM M34*" in line and "autoimmune_disease" in line for line in lines)
    assert any("LOINC 2000-8" in line and "[not verified]" in line for line in lines)
    assert main(["rules"]) == 0
    assert "LOINC 17861-6" not in capsys.readouterr().out  # code maps are listed on request only


def test_summary_lists_every_unverified_code() -> None:
    summary = code_maps_summary_markdown()
    for name, entry in unverified_codes():
        assert f"{name} `{entry.code}`" in summary
    assert all(not m.verified for _, m in unverified_codes())


def test_reading_rules_name_real_flags_routes_and_statuses() -> None:
    """The reader's tables beside the code maps: a misspelt field or route fails here, not in a silent miss."""
    flags = {f.name for f in FIELDS if f.kind == "flag"}
    assert codes.CURRENT_STATE <= flags and set(codes.EXPOSURES) <= flags
    required = {m.route for table in CODE_SYSTEMS.values() for m in table if m.route}
    assert required <= set(codes.ROUTES)
    route_codes = {code for code, _ in codes.ROUTE_CODES.values()}
    assert all(w.isalpha() or w in route_codes for words, _ in codes.ROUTES.values() for w in words)
    assert set(codes.INTERPRETATION.values()) == {-1, 0, 1} and 1 <= codes.PAIR_DAYS <= 31
