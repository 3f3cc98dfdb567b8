"""Look FHIR codings up in the code maps, and render the maps for the documentation.

The maps themselves are data in :mod:`calcinosis_classify.knowledge.codes`;
this module answers "which input fields does this ``Coding`` fill?" one code
at a time (:func:`lookup`) and renders the tables as markdown
(:func:`code_maps_markdown` for ``docs/code_maps.md``,
:func:`code_maps_summary_markdown` for the README). Reading a whole export fast
is the reader's business: it can build its own vectorised index from
:data:`~calcinosis_classify.knowledge.codes.CODE_SYSTEMS` with the same
:func:`normalise_code` rule.

Matching rules
--------------
* A code is compared after :func:`normalise_code`: surrounding blanks are
  removed; ICD-10-CM, ICD-10-PCS and ATC codes are upper-cased and the ICD dot
  is dropped (``"n18.6"`` and ``"N186"`` are the same code).
* An ``"exact"`` entry matches its own code only. A ``"prefix"`` entry also
  matches every code that starts with it (``M34`` matches ``M34.1``; ``B01AA``
  matches ``B01AA03``). When several entries match, the exact one wins, then
  the longest prefix, so a specific code can refine its category.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from calcinosis_classify.knowledge.codes import CODE_SYSTEMS, CodeMap

__all__ = [
    "SYSTEM_NAMES",
    "code_maps_markdown",
    "code_maps_summary_markdown",
    "lookup",
    "normalise_code",
    "unverified_codes",
]

SYSTEM_NAMES: Mapping[str, str] = MappingProxyType({
    "http://loinc.org": "LOINC",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://snomed.info/sct": "SNOMED CT",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://www.whocc.no/atc": "ATC",
    "http://www.ama-assn.org/go/cpt": "CPT",
    "http://www.cms.gov/Medicare/Coding/ICD10": "ICD-10-PCS",
})
"""Short name of each code system (``Coding.system`` URI -> name)."""

_FOLDED = frozenset({"http://hl7.org/fhir/sid/icd-10-cm", "http://www.cms.gov/Medicare/Coding/ICD10",
                     "http://www.whocc.no/atc"})


def normalise_code(system: str, code: str) -> str:
    """The form codes of ``system`` are compared in.

    Parameters
    ----------
    system : str
        ``Coding.system`` URI.
    code : str
        ``Coding.code`` as written in the resource.

    Returns
    -------
    str
        The code without surrounding blanks; for ICD-10-CM, ICD-10-PCS and ATC
        also upper-cased and without the ICD dot.
    """
    text = str(code).strip()
    if system in _FOLDED:
        text = text.upper().replace(".", "")
    return text


def _index(system: str, table: tuple[CodeMap, ...]) -> tuple[dict[str, CodeMap], tuple[tuple[str, CodeMap], ...]]:
    exact = {normalise_code(system, m.code): m for m in table if m.match == "exact"}
    prefixes = sorted(((normalise_code(system, m.code), m) for m in table if m.match == "prefix"),
                      key=lambda pair: -len(pair[0]))
    return exact, tuple(prefixes)


_INDEX = {system: _index(system, table) for system, table in CODE_SYSTEMS.items()}


def lookup(system: str, code: str) -> CodeMap | None:
    """The code-map entry for one FHIR ``Coding``, or ``None`` when no table knows it.

    Parameters
    ----------
    system : str
        ``Coding.system`` URI (``"http://loinc.org"``, ``"http://hl7.org/fhir/sid/icd-10-cm"``, ...).
    code : str
        ``Coding.code``.

    Returns
    -------
    CodeMap or None
        The exact entry for the code if there is one, else the longest prefix
        entry the code starts with; ``None`` for an unknown system or code. The
        entry's ``route`` (medications) is not checked here: a reader compares
        it with the request's route.

    Examples
    --------
    >>> lookup("http://hl7.org/fhir/sid/icd-10-cm", "M34.1").fields
    ('autoimmune_disease',)
    >>> lookup("http://loinc.org", "0000-0") is None
    True
    """
    index = _INDEX.get(system)
    if index is None:
        return None
    exact, prefixes = index
    key = normalise_code(system, code)
    if not key:
        return None
    found = exact.get(key)
    if found is not None:
        return found
    for prefix, entry in prefixes:
        if key.startswith(prefix):
            return entry
    return None


def unverified_codes() -> list[tuple[str, CodeMap]]:
    """Every entry marked ``verified=False``, with its system's short name, in table order."""
    return [(SYSTEM_NAMES[system], m) for system, table in CODE_SYSTEMS.items() for m in table if not m.verified]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row(system: str, m: CodeMap) -> str:
    code = f"`{m.code}`" + ("…" if m.match == "prefix" else "")
    fields = ", ".join(f"`{f}`" for f in m.fields) or "*(none)*"
    extra = []
    if m.units:
        extra.append("units " + ", ".join(f"`{u}`" for u in m.units))
    if m.route:
        extra.append(f"route {m.route}")
    if m.note:
        extra.append(m.note)
    checked = "yes" if m.verified else "**no**"
    refs = "".join(f"[{n}]" for n in m.refs)
    return f"| {code} | {_cell(m.display)} | {fields} | {_cell('; '.join(extra))} | {checked} | {refs} |"


def code_maps_markdown() -> str:
    """The full code maps (``docs/code_maps.md``), generated from the tables."""
    lines = [
        "# FHIR code maps",
        "",
        "<!-- Generated by calcinosis_classify.fhir_codes.code_maps_markdown(); do not edit by hand. -->",
        "",
        "Which FHIR codes fill which input field when the library reads FHIR. One table per code system; the",
        "same tables are in the package (`calcinosis_classify.knowledge.codes`), and",
        "`calcinosis_classify.fhir_codes.lookup(system, code)` answers for one `Coding`. A code ending in `…` is a",
        "prefix: it also matches every code below it (ICD codes are compared without their dot). *checked* says",
        "whether the code and its meaning were verified against the cited source ([references](references.md)).",
        "",
    ]
    for system, table in CODE_SYSTEMS.items():
        lines += [f"## {SYSTEM_NAMES[system]}", "", f"`{system}`", ""]
        if not table:
            lines += ["No codes are mapped from this system yet.", ""]
            continue
        lines += ["| code | display | fields | units, route, note | checked | refs |", "|---|---|---|---|---|---|"]
        lines += [_row(system, m) for m in table]
        lines.append("")
    return "\n".join(lines)


def code_maps_summary_markdown() -> str:
    """The README's summary of the code maps: entries per system and every code not verified."""
    lines = ["| code system | entries | verified | not verified |", "|---|---|---|---|"]
    for system, table in CODE_SYSTEMS.items():
        checked = sum(m.verified for m in table)
        lines.append(f"| {SYSTEM_NAMES[system]} (`{system}`) | {len(table)} | {checked} | {len(table) - checked} |")
    missing = unverified_codes()
    lines.append("")
    if missing:
        lines.append("Not verified against a published source (kept because the code is standard, flagged in the "
                     "tables): " + "; ".join(f"{name} `{m.code}` {m.display}" for name, m in missing) + ".")
    else:
        lines.append("Every code was verified against a published source.")
    return "\n".join(lines)
