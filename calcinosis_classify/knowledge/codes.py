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


def _lab(code: str, display: str, field: str, units: tuple[str, ...], refs: tuple[int, ...], *,
         verified: bool = True, note: str = "") -> CodeMap:
    return CodeMap(code, display, (field,), refs, verified, "exact", units, "", note)


def _dx(code: str, display: str, fields: tuple[str, ...], refs: tuple[int, ...], *, prefix: bool = False,
        verified: bool = True, note: str = "") -> CodeMap:
    return CodeMap(code, display, fields, refs, verified, "prefix" if prefix else "exact", (), "", note)


def _rx(code: str, display: str, fields: tuple[str, ...], refs: tuple[int, ...], *, prefix: bool = False,
        route: str = "", verified: bool = True, note: str = "") -> CodeMap:
    return CodeMap(code, display, fields, refs, verified, "prefix" if prefix else "exact", (), route, note)


_EGFR = ("mL/min/{1.73_m2}",)
_PTH_UNITS_NOTE = ("a mass-concentration code; laboratories also send pmol/L under it, which converts "
                   "exactly (9.43), so it is accepted")

LOINC: tuple[CodeMap, ...] = (
    # Total calcium. Albumin-corrected calcium (29265-6) is deliberately absent: the library corrects calcium
    # itself, and a corrected value read as total calcium would be corrected twice.
    _lab("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "calcium", ("mg/dL",), (96,)),
    _lab("2000-8", "Calcium [Moles/volume] in Serum or Plasma", "calcium", ("mmol/L",), (185,),
         verified=False, note="The molar twin of 17861-6; no copy of its LOINC page could be checked."),
    # Ionised calcium: blood and serum/plasma.
    _lab("1994-3", "Calcium.ionized [Moles/volume] in Blood", "ionized_calcium", ("mmol/L",), (96,)),
    _lab("1995-0", "Calcium.ionized [Moles/volume] in Serum or Plasma", "ionized_calcium", ("mmol/L",), (96,)),
    _lab("17864-0", "Calcium.ionized [Mass/volume] in Serum or Plasma by Ion-selective membrane electrode (ISE)",
         "ionized_calcium", ("mg/dL",), (96,)),
    # Phosphate (reported as phosphorus).
    _lab("2777-1", "Phosphate [Mass/volume] in Serum or Plasma", "phosphate", ("mg/dL",), (164,)),
    _lab("14879-1", "Phosphate [Moles/volume] in Serum or Plasma", "phosphate", ("mmol/L",), (185,),
         verified=False, note="The molar twin of 2777-1; no copy of its LOINC page could be checked."),
    # Intact PTH.
    _lab("2731-8", "Parathyrin.intact [Mass/volume] in Serum or Plasma", "pth", ("pg/mL", "ng/L", "pmol/L"), (163,),
         note="Intact PTH; " + _PTH_UNITS_NOTE + "."),
    # Albumin.
    _lab("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "albumin", ("g/dL", "g/L"), (165,)),
    # 25-hydroxyvitamin D: total (D2+D3) and D3.
    _lab("62292-8", "25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma", "vitamin_d_25oh",
         ("ng/mL",), (167,)),
    _lab("1989-3", "25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma", "vitamin_d_25oh", ("ng/mL",), (167,),
         note="D3 only; laboratories commonly report total 25-OH vitamin D under it."),
    _lab("14635-7", "25-Hydroxyvitamin D3 [Moles/volume] in Serum or Plasma", "vitamin_d_25oh", ("nmol/L",), (166,)),
    # Creatinine.
    _lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "creatinine", ("mg/dL",), (160, 162)),
    _lab("14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "creatinine", ("umol/L",), (160,)),
    _lab("77140-2", "Creatinine [Moles/volume] in Serum, Plasma or Blood", "creatinine", ("umol/L",), (160,)),
    # eGFR: MDRD, CKD-EPI 2009 and the race-free CKD-EPI 2021.
    _lab("33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by "
         "Creatinine-based formula (MDRD)", "egfr", _EGFR, (161, 162)),
    _lab("76633-7", "Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (MDRD) in Blood",
         "egfr", _EGFR, (161,)),
    _lab("77147-7", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
         "Creatinine-based formula (MDRD)", "egfr", _EGFR, (161,)),
    _lab("48642-3", "Glomerular filtration rate/1.73 sq M predicted among non-blacks [Volume Rate/Area] in Serum, "
         "Plasma or Blood by Creatinine-based formula (MDRD)", "egfr", _EGFR, (162,)),
    _lab("48643-1", "Glomerular filtration rate/1.73 sq M predicted among blacks [Volume Rate/Area] in Serum, "
         "Plasma or Blood by Creatinine-based formula (MDRD)", "egfr", _EGFR, (162,)),
    _lab("50044-7", "Glomerular filtration rate/1.73 sq M predicted among females [Volume Rate/Area] in Serum, "
         "Plasma or Blood by Creatinine-based formula (MDRD)", "egfr", _EGFR, (162, 168)),
    _lab("62238-1", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
         "Creatinine-based formula (CKD-EPI)", "egfr", _EGFR, (169,)),
    _lab("88293-6", "Glomerular filtration rate/1.73 sq M.predicted among blacks [Volume Rate/Area] in Serum, "
         "Plasma or Blood by Creatinine-based formula (CKD-EPI)", "egfr", _EGFR, (168,)),
    _lab("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
         "Creatinine-based formula (CKD-EPI 2021)", "egfr", _EGFR, (168,), verified=False,
         note="The race-free CKD-EPI 2021 creatinine equation: the cited profile describes this term, but the copy "
              "seen did not show the code itself."),
    _lab("98980-6", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
         "Creatinine and Cystatin C-based formula (CKD-EPI 2021)", "egfr", _EGFR, (168,)),
)
"""LOINC ``Observation.code`` -> lab field, with the UCUM units a result under the code may carry."""

_SITE_NOTE = ("A code records the condition somewhere on the body; the contract asks for it at the lesion "
              "site, so a reader should prefer a matching bodySite and treat the code alone as weaker evidence.")

ICD10CM: tuple[CodeMap, ...] = (
    # Autoimmune connective-tissue disease.
    _dx("M34", "Systemic sclerosis [scleroderma]", ("autoimmune_disease",), (178,), prefix=True,
        note="Includes M34.1 CR(E)ST syndrome."),
    _dx("M33", "Dermatopolymyositis", ("autoimmune_disease",), (179,), prefix=True,
        note="Includes juvenile dermatomyositis (M33.0-) and other dermatomyositis (M33.1-); polymyositis "
             "(M33.2-) is an autoimmune connective-tissue disease too."),
    _dx("M32", "Systemic lupus erythematosus (SLE)", ("autoimmune_disease",), (177,), prefix=True),
    _dx("M35.1", "Other overlap syndromes", ("autoimmune_disease",), (180,), prefix=True,
        note="Mixed connective tissue disease is classified here."),
    # Kidney.
    _dx("N18", "Chronic kidney disease (CKD)", ("ckd",), (174,), prefix=True,
        note="Every stage (N18.1-N18.5, N18.9) sets ckd only: the contract has no stage field, and kidney "
             "function comes from eGFR and creatinine results."),
    _dx("N18.6", "End stage renal disease", ("ckd",), (174,),
        note="ESRD is CKD; it does not by itself mean dialysis (a transplant or conservative care are possible), "
             "so dialysis needs its own code."),
    _dx("Z99.2", "Dependence on renal dialysis", ("dialysis",), (175,),
        note="Includes haemodialysis and peritoneal dialysis status."),
    _dx("Z94.0", "Kidney transplant status", ("kidney_transplant",), (174,)),
    # Parathyroid.
    _dx("E21.0", "Primary hyperparathyroidism", ("hyperparathyroidism",), (176,), prefix=True),
    _dx("E21.1", "Secondary hyperparathyroidism, not elsewhere classified", ("hyperparathyroidism",), (176,),
        prefix=True),
    _dx("E21.2", "Other hyperparathyroidism", ("hyperparathyroidism",), (176,), prefix=True,
        note="Includes tertiary hyperparathyroidism."),
    _dx("E21.3", "Hyperparathyroidism, unspecified", ("hyperparathyroidism",), (176,), prefix=True),
    _dx("N25.81", "Secondary hyperparathyroidism of renal origin", ("hyperparathyroidism",), (181,)),
    # Diabetes (E08-E13; there is no E12).
    _dx("E08", "Diabetes mellitus due to underlying condition", ("diabetes",), (182,), prefix=True),
    _dx("E09", "Drug or chemical induced diabetes mellitus", ("diabetes",), (182,), prefix=True),
    _dx("E10", "Type 1 diabetes mellitus", ("diabetes",), (182,), prefix=True),
    _dx("E11", "Type 2 diabetes mellitus", ("diabetes",), (182,), prefix=True),
    _dx("E13", "Other specified diabetes mellitus", ("diabetes",), (182,), prefix=True),
    # Obesity (E66.3 overweight is deliberately absent: overweight is not obesity).
    _dx("E66.0", "Obesity due to excess calories", ("obesity",), (183,), prefix=True),
    _dx("E66.1", "Drug-induced obesity", ("obesity",), (183,)),
    _dx("E66.2", "Morbid (severe) obesity with alveolar hypoventilation", ("obesity",), (183,)),
    _dx("E66.8", "Other obesity", ("obesity",), (183,), prefix=True),
    _dx("E66.9", "Obesity, unspecified", ("obesity",), (183,)),
    # Calcinosis cutis itself: no flag.
    _dx("L94.2", "Calcinosis cutis", (), (184,),
        note="The condition being classified: it sets no input field. A reader uses its bodySite for lesion_site "
             "(and its onset for the exposure windows)."),
)
"""ICD-10-CM ``Condition.code`` -> the yes/no fields a recorded (not refuted) diagnosis sets."""

SNOMED_CT: tuple[CodeMap, ...] = (
    _dx("398049005", "Mixed connective tissue disease", ("autoimmune_disease",), (180,)),
)
"""SNOMED CT ``Condition.code`` (and ``Procedure.code``) -> fields."""

RXNORM: tuple[CodeMap, ...] = (
    _rx("11289", "Warfarin", ("warfarin",), (170,)),
    _rx("114194", "Warfarin Sodium", ("warfarin",), (170,), note="The salt's precise ingredient (PIN)."),
    _rx("82118", "Warfarin Potassium", ("warfarin",), (170,), note="The salt's precise ingredient (PIN)."),
    _rx("8640", "Prednisone", ("corticosteroids",), (171,)),
    _rx("6902", "Methylprednisolone", ("corticosteroids",), (172,),
        note="Systemic use only: a topical or intra-articular product does not count (see the route rule)."),
    _rx("2878", "Cortisone", ("corticosteroids",), (173,)),
)
"""RxNorm ingredient (IN/PIN) codes -> exposure fields. A reader matches a product's ingredient codes."""

ATC: tuple[CodeMap, ...] = ()
"""WHO ATC codes -> exposure fields."""

CPT: tuple[CodeMap, ...] = ()
"""CPT procedure codes -> fields."""

ICD10PCS: tuple[CodeMap, ...] = ()
"""ICD-10-PCS procedure codes -> fields."""

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
