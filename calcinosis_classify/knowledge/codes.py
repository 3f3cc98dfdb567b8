"""Code maps: which FHIR codes fill which input field (data only).

One table per code system. A FHIR reader looks a resource's codings up here:

* :data:`LOINC` maps an ``Observation`` code to a lab field of the input
  contract, with the UCUM units a result under that code may carry;
* :data:`ICD10CM` and :data:`SNOMED_CT` map a ``Condition`` (or, for
  SNOMED CT, a ``Procedure``) code to the yes/no history fields it sets;
* :data:`RXNORM` and :data:`ATC` map a ``MedicationRequest`` /
  ``MedicationStatement`` code to the exposure fields it sets;
* :data:`CPT` and :data:`ICD10PCS` map a ``Procedure`` code (dialysis) to
  the fields it sets.

Every entry cites at least one numbered reference (:mod:`.references`): the
code system's own page for that code, an implementation guide or a value set
that lists it. ``verified`` is ``True`` only when the code and its meaning
were checked against the cited source; an entry that could not be checked
says so (``verified=False``) and is listed in the README.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "ATC",
    "CODE_SYSTEMS",
    "CPT",
    "ICD10CM",
    "ICD10PCS",
    "LOINC",
    "RXNORM",
    "SNOMED_CT",
    "CodeMap",
]


@dataclass(frozen=True)
class CodeMap:
    """One code of one code system and the input fields it fills.

    Attributes
    ----------
    code : str
        The code as the code system writes it (``"17861-6"``, ``"N18.4"``,
        ``"11289"``).
    display : str
        The code system's display name for the code.
    fields : tuple of str
        The input-contract fields the code fills: one lab field for a LOINC
        code; for the other systems, the yes/no fields a recorded (and not
        refuted) code sets to 1.
    refs : tuple of int
        Numbered references the code was checked against.
    verified : bool
        Whether the code and its meaning were checked against ``refs``.
    match : {"exact", "prefix"}
        ``"prefix"`` also matches every code below this one in a
        hierarchical system (ICD-10-CM ``M34`` matches ``M34.1``; ATC
        ``B01AA`` matches ``B01AA03``). Prefixes match whole code segments
        only, after removing the ICD dot.
    units : tuple of str
        LOINC only: the UCUM unit codes a result under this code may carry
        (the first is the code's own property unit).
    route : str
        Medication only: the route a medication must have to count, e.g.
        ``"intravenous"`` for IV calcium salts; empty for any route.
    note : str
        Why the code maps as it does, when that is not obvious.
    """

    code: str
    display: str
    fields: tuple[str, ...]
    refs: tuple[int, ...]
    verified: bool = True
    match: Literal["exact", "prefix"] = "exact"
    units: tuple[str, ...] = ()
    route: str = ""
    note: str = ""


LOINC: tuple[CodeMap, ...] = ()
ICD10CM: tuple[CodeMap, ...] = ()
SNOMED_CT: tuple[CodeMap, ...] = ()
RXNORM: tuple[CodeMap, ...] = ()
ATC: tuple[CodeMap, ...] = ()
CPT: tuple[CodeMap, ...] = ()
ICD10PCS: tuple[CodeMap, ...] = ()

CODE_SYSTEMS: Mapping[str, tuple[CodeMap, ...]] = MappingProxyType(
    {
        "http://loinc.org": LOINC,
        "http://hl7.org/fhir/sid/icd-10-cm": ICD10CM,
        "http://snomed.info/sct": SNOMED_CT,
        "http://www.nlm.nih.gov/research/umls/rxnorm": RXNORM,
        "http://www.whocc.no/atc": ATC,
        "http://www.ama-assn.org/go/cpt": CPT,
        "http://www.cms.gov/Medicare/Coding/ICD10": ICD10PCS,
    }
)
"""The tables by FHIR code-system URI (``Coding.system``)."""
