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
says so (``verified=False``), cites the page it should be checked at, and is
listed in the README.

Decisions a reader relies on
----------------------------
* A recorded diagnosis of calcinosis cutis (ICD-10-CM L94.2) or of
  calciphylaxis (ICD-10-CM E83.59, SNOMED CT 237900002) sets no field: the
  library must not take its own answer as evidence. L94.2 is still listed so a
  reader can use its ``bodySite`` as ``lesion_site``.
* CKD stage codes set ``ckd``; G4 (N18.4) also sets ``ckd_g4`` and G5 / ESRD
  (N18.5, N18.6, SNOMED CT 46177005) ``ckd_g5``, which stand in for the eGFR
  the stage is defined by only when no eGFR result is known. ESRD does not
  imply ``dialysis``.
* Codes that describe something somewhere on the body (scars, burns,
  panniculitis, skin ulcers, gangrene) are weaker than the contract's "at the
  site"; their notes say so and a reader should prefer a matching ``bodySite``.
* ``route``: ``""`` counts for any route; ``"intravenous"`` only when the
  medication is given intravenously (IV calcium salts); ``"systemic"`` only
  for oral or parenteral use (corticosteroids: not topical, inhaled, nasal,
  ophthalmic, otic or intra-articular). The reader compares it with the
  request's ``dosageInstruction.route`` (or the product's dose form).
* Calcium carbonate is both a supplement and a phosphate binder and no code
  tells which: it sets ``calcium_supplements``; calcium acetate, a binder
  only, sets ``calcium_binders``.

Deliberately absent
-------------------
* LOINC 29265-6 (calcium corrected for albumin): the library corrects calcium
  itself, and a corrected value read as total calcium would be corrected twice.
  No LOINC code for 1,25-dihydroxyvitamin D could be checked, so none is mapped.
* ICD-10-CM E66.3 (overweight) is not obesity. Milk-alkali syndrome has no
  ICD-10-CM code of its own (it is indexed to hypercalcaemia, E83.52, which is a
  laboratory finding the reader takes from the calcium results). Pseudoxanthoma
  elasticum, Werner and Rothmund-Thomson syndromes have no specific ICD-10-CM
  code (they share catch-all congenital categories): ``genetic_disorder`` comes
  only from the Ehlers-Danlos code (Q79.6, not verified). Injury
  codes by body region (S00-T14) are too broad to stand for an injury at the
  lesion; pain codes do not say the lesion is painful.
* Heel sticks, electrode paste and alginate dressings are not coded orders.
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
    "CURRENT_STATE",
    "DATA_ABSENT_REASONS",
    "EXPOSURES",
    "INTERPRETATION",
    "PAIR_DAYS",
    "ROUTE_CODES",
    "ROUTES",
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
    _lab("14879-1", "Phosphate [Moles/volume] in Serum or Plasma", "phosphate", ("mmol/L",), (222, 185),
         note="The molar twin of 2777-1; seen as the LOINC code of a serum phosphate test reported in mmol/L "
              "(the LOINC page itself could not be read)."),
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

_SITE_NOTE = ("The code records the condition somewhere on the body; the contract asks for it at the lesion "
              "site, so a reader should prefer a bodySite matching the lesion and treat the code alone as weaker "
              "evidence.")
_NO_FIELD_NOTE = ("The library must not take a recorded diagnosis of what it classifies as evidence for its own "
                  "answer, so the code sets no input field.")

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
        note="Stages 1-3 (N18.1-N18.3x) and N18.9 set ckd only: kidney function comes from eGFR and creatinine "
             "results; stages 4 and 5 have entries of their own."),
    _dx("N18.4", "Chronic kidney disease, stage 4 (severe)", ("ckd", "ckd_g4"), (174,),
        note="Stage 4 is eGFR 15-29; it stands in for an eGFR only when no eGFR result is known."),
    _dx("N18.5", "Chronic kidney disease, stage 5", ("ckd", "ckd_g5"), (174,),
        note="Stage 5 is eGFR < 15 (kidney failure); it stands in for an eGFR only when no eGFR result is known; "
             "it does not by itself mean dialysis."),
    _dx("N18.6", "End stage renal disease", ("ckd", "ckd_g5"), (174,),
        note="ESRD is CKD G5 (stands in for an eGFR < 15 only when no eGFR result is known); it does not by "
             "itself mean dialysis (a transplant or conservative care are possible), "
             "so dialysis needs its own code."),
    _dx("Z99.2", "Dependence on renal dialysis", ("dialysis",), (175,),
        note="Includes haemodialysis and peritoneal dialysis status."),
    _dx("Z49.32", "Encounter for adequacy testing for peritoneal dialysis", ("dialysis",), (203,)),
    _dx("Z94.0", "Kidney transplant status", ("kidney_transplant",), (174,)),
    _dx("T86.1", "Complications of kidney transplant", ("kidney_transplant",), (200,), prefix=True,
        note="Rejection, failure or infection of a transplanted kidney: the patient is a transplant recipient."),
    # Parathyroid (E21.4 and E21.5 are other parathyroid disorders, not hyperparathyroidism).
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
    # Obesity (E66.3 overweight is deliberately absent: overweight is not obesity) and adult BMI >= 30.
    _dx("E66.0", "Obesity due to excess calories", ("obesity",), (183,), prefix=True),
    _dx("E66.1", "Drug-induced obesity", ("obesity",), (183,)),
    _dx("E66.2", "Morbid (severe) obesity with alveolar hypoventilation", ("obesity",), (183,)),
    _dx("E66.8", "Other obesity", ("obesity",), (183,), prefix=True),
    _dx("E66.9", "Obesity, unspecified", ("obesity",), (183,)),
    _dx("Z68.3", "Body mass index [BMI] 30-39, adult", ("obesity",), (186,), prefix=True),
    _dx("Z68.4", "Body mass index [BMI] 40 or greater, adult", ("obesity",), (186,), prefix=True),
    # Malignancy: the whole C letter is malignant neoplasms (in situ and benign neoplasms are D codes).
    _dx("C", "Malignant neoplasms (C00-C96, C4A, C7A, C7B)", ("malignancy",), (187,), prefix=True,
        note="Every ICD-10-CM code beginning with C is a malignant neoplasm; in situ (D00-D09), benign "
             "(D10-D36) and uncertain-behaviour (D37-D49) neoplasms are not."),
    _dx("C90.0", "Multiple myeloma", ("malignancy",), (188,), prefix=True),
    _dx("D86", "Sarcoidosis", ("sarcoidosis",), (189,), prefix=True),
    _dx("Q90", "Down syndrome", ("down_syndrome",), (190,), prefix=True),
    # Inherited connective-tissue disorders.
    _dx("Q79.6", "Ehlers-Danlos syndromes", ("genetic_disorder",), (223,), prefix=True, verified=False,
        note="The only inherited connective-tissue disorder of the contract with a specific ICD-10-CM code; no "
             "copy of its code page could be read. Pseudoxanthoma elasticum, Werner and Rothmund-Thomson "
             "syndromes share catch-all congenital categories and are not mapped."),
    # Injury at the site: scars, burns, panniculitis.
    _dx("L90.5", "Scar conditions and fibrosis of skin", ("injury",), (191,), note=_SITE_NOTE),
    _dx("L91.0", "Hypertrophic scar", ("injury",), (191,), note="Includes keloid. " + _SITE_NOTE),
    _dx("M79.3", "Panniculitis, unspecified", ("injury",), (192,), note=_SITE_NOTE),
    _dx("T20", "Burn and corrosion of head, face, and neck", ("injury",), (193,), prefix=True, note=_SITE_NOTE),
    _dx("T21", "Burn and corrosion of trunk", ("injury",), (193,), prefix=True, note=_SITE_NOTE),
    _dx("T22", "Burn and corrosion of shoulder and upper limb, except wrist and hand", ("injury",), (193,),
        prefix=True, note=_SITE_NOTE),
    _dx("T23", "Burn and corrosion of wrist and hand", ("injury",), (193,), prefix=True, note=_SITE_NOTE),
    _dx("T24", "Burn and corrosion of lower limb, except ankle and foot", ("injury",), (193,), prefix=True,
        note=_SITE_NOTE),
    _dx("T25", "Burn and corrosion of ankle and foot", ("injury",), (193,), prefix=True, note=_SITE_NOTE),
    _dx("T31", "Burns classified according to extent of body surface involved", ("injury",), (193,), prefix=True,
        note=_SITE_NOTE),
    _dx("T32", "Corrosions classified according to extent of body surface involved", ("injury",), (193,),
        prefix=True, note=_SITE_NOTE),
    # Lesion features.
    _dx("L97", "Non-pressure chronic ulcer of lower limb, not elsewhere classified", ("ulceration",), (199,),
        prefix=True, note=_SITE_NOTE),
    _dx("L98.4", "Non-pressure chronic ulcer of skin, not elsewhere classified", ("ulceration",), (199,),
        prefix=True, note=_SITE_NOTE),
    _dx("I96", "Gangrene, not elsewhere classified", ("necrosis",), (199,), note=_SITE_NOTE),
    _dx("I73.0", "Raynaud's syndrome", ("raynaud_digital_ulcers",), (195,), prefix=True,
        note="I73.00 without gangrene, I73.01 with gangrene."),
    _dx("L94.2", "Calcinosis cutis", (), (184,),
        note="The condition being classified. " + _NO_FIELD_NOTE + " A reader uses its bodySite for "
             "lesion_site (and its onset for the exposure windows)."),
    _dx("E83.59", "Other disorders of calcium metabolism", (), (219, 202),
        note="The ICD-10-CM code for calciphylaxis (the category also holds other calcium disorders). A "
             "calciphylaxis diagnosis is one of the library's answers: " + _NO_FIELD_NOTE),
    # Other history fields (extensions).
    _dx("E67.3", "Hypervitaminosis D", ("vitamin_d_excess",), (221, 194)),
    _dx("P15.6", "Subcutaneous fat necrosis due to birth injury", ("scfn",), (220, 201),
        note="The code the cited atlas gives for subcutaneous fat necrosis of the newborn."),
    _dx("D68.5", "Primary thrombophilia", ("thrombophilia",), (196,), prefix=True,
        note="Activated protein C resistance, prothrombin gene mutation, protein C/S and antithrombin deficiency."),
    _dx("D68.6", "Other thrombophilia", ("thrombophilia",), (196,), prefix=True,
        note="Includes antiphospholipid syndrome (D68.61) and lupus anticoagulant syndrome (D68.62)."),
    _dx("R63.4", "Abnormal weight loss", ("weight_loss",), (197,)),
    _dx("K70", "Alcoholic liver disease", ("liver_disease",), (198,), prefix=True),
    _dx("K74.6", "Other and unspecified cirrhosis of liver", ("liver_disease",), (198,), prefix=True),
)
"""ICD-10-CM ``Condition.code`` -> the yes/no fields a recorded (not refuted) diagnosis sets."""

SNOMED_CT: tuple[CodeMap, ...] = (
    _dx("89155008", "Systemic sclerosis", ("autoimmune_disease",), (204,)),
    _dx("55464009", "Systemic lupus erythematosus", ("autoimmune_disease",), (205,)),
    _dx("398049005", "Mixed connective tissue disease", ("autoimmune_disease",), (180,)),
    _dx("709044004", "Chronic kidney disease", ("ckd",), (207,)),
    _dx("46177005", "End-stage renal disease", ("ckd", "ckd_g5"), (207,),
        note="As for ICD-10-CM N18.6: ESRD alone does not mean dialysis."),
    _dx("108241001", "Dialysis procedure", ("dialysis",), (208,),
        note="A Procedure code. The cited value sets take every descendant of this concept (61 concepts: "
             "haemodialysis and peritoneal dialysis procedures); a reader with a terminology server should too."),
    _dx("302497006", "Hemodialysis", ("dialysis",), (208,), verified=False,
        note="A descendant of 108241001 in common use; not seen in the part of the expansion that could be read."),
    _dx("71192002", "Peritoneal dialysis", ("dialysis",), (208,), verified=False,
        note="A descendant of 108241001 in common use; not seen in the part of the expansion that could be read."),
    _dx("66999008", "Hyperparathyroidism", ("hyperparathyroidism",), (206,)),
    _dx("363346000", "Malignant tumour", ("malignancy",), (209,),
        note="Malignant neoplastic disease; a reader with a terminology server should also take its descendants."),
    _dx("41040004", "Complete trisomy 21 syndrome", ("down_syndrome",), (210,), verified=False,
        note="Listed among the SNOMED CT concepts mapped to ICD-10-CM Q90.9, without its display."),
    _dx("27712000", "Hypervitaminosis D", ("vitamin_d_excess",), (221,)),
    _dx("239094006", "Subcutaneous fat necrosis of newborn", ("scfn",), (220,)),
    _dx("237900002", "Calciphylaxis", (), (219,),
        note="As for ICD-10-CM E83.59: " + _NO_FIELD_NOTE),
)
"""SNOMED CT ``Condition.code`` (and ``Procedure.code``) -> fields. SNOMED CT is not prefix-hierarchical:
every entry is exact, and subsumption (descendants) is a terminology server's job."""

_SYSTEMIC = "systemic"
_SYSTEMIC_NOTE = ("Counts for systemic use only (oral or parenteral): topical, inhaled, nasal, ophthalmic, otic and "
                  "intra-articular products do not.")

RXNORM: tuple[CodeMap, ...] = (
    _rx("11289", "Warfarin", ("warfarin",), (170,)),
    _rx("114194", "Warfarin Sodium", ("warfarin",), (170,), note="The salt's precise ingredient (PIN)."),
    _rx("82118", "Warfarin Potassium", ("warfarin",), (170,), note="The salt's precise ingredient (PIN)."),
    _rx("8640", "Prednisone", ("corticosteroids",), (171,), route=_SYSTEMIC, note=_SYSTEMIC_NOTE),
    _rx("6902", "Methylprednisolone", ("corticosteroids",), (172,), route=_SYSTEMIC, note=_SYSTEMIC_NOTE),
    _rx("2878", "Cortisone", ("corticosteroids",), (173,), route=_SYSTEMIC, note=_SYSTEMIC_NOTE),
    _rx("8638", "Prednisolone", ("corticosteroids",), (215,), route=_SYSTEMIC, verified=False,
        note="Ingredient code not checked (no copy of its RxNav page could be read). " + _SYSTEMIC_NOTE),
    _rx("3264", "Dexamethasone", ("corticosteroids",), (215,), route=_SYSTEMIC, verified=False,
        note="Ingredient code not checked (no copy of its RxNav page could be read). " + _SYSTEMIC_NOTE),
    _rx("5492", "Hydrocortisone", ("corticosteroids",), (215,), route=_SYSTEMIC, verified=False,
        note="Ingredient code not checked (no copy of its RxNav page could be read). " + _SYSTEMIC_NOTE),
    _rx("1894", "Calcitriol", ("active_vitamin_d",), (215,), verified=False,
        note="Ingredient code not checked (no copy of its RxNav page could be read)."),
    _rx("2418", "Cholecalciferol", ("calcium_supplements",), (215,), verified=False,
        note="Ingredient code not checked (no copy of its RxNav page could be read). Vitamin D supplement."),
    _rx("1897", "Calcium Carbonate", ("calcium_supplements",), (215,), verified=False,
        note="Ingredient code not checked (no copy of its RxNav page could be read). Calcium carbonate is both a "
             "supplement and a phosphate binder and the code cannot tell which: it sets calcium_supplements; a "
             "reader may set calcium_binders instead for a patient on dialysis."),
)
"""RxNorm ingredient (IN/PIN) codes -> exposure fields. A reader matches a product's ingredient codes."""

_IV = "intravenous"

ATC: tuple[CodeMap, ...] = (
    _rx("B01AA", "Vitamin K antagonists", ("warfarin",), (211,), prefix=True,
        note="Warfarin B01AA03, phenprocoumon B01AA04, acenocoumarol B01AA07 and the other coumarins and "
             "indandiones."),
    _rx("A12AA03", "Calcium gluconate", ("iv_calcium",), (212,), route=_IV,
        note="Counts only when given intravenously; oral calcium gluconate sets nothing."),
    _rx("A12AA07", "Calcium chloride", ("iv_calcium",), (212,), route=_IV,
        note="Counts only when given intravenously. Calcium chloride electrode paste is not a medication order "
             "and is not mapped (electrode_paste stays unknown)."),
    _rx("A12AA04", "Calcium carbonate", ("calcium_supplements",), (212,),
        note="Also used as a phosphate binder; the code cannot tell which, so it sets calcium_supplements."),
    _rx("A11CC05", "Colecalciferol", ("calcium_supplements",), (213,), note="Vitamin D supplement."),
    _rx("A11CC01", "Ergocalciferol", ("calcium_supplements",), (213,), note="Vitamin D supplement."),
    _rx("A11CC03", "Alfacalcidol", ("active_vitamin_d",), (214,), verified=False,
        note="Not checked against the WHO index (no copy could be read)."),
    _rx("A11CC04", "Calcitriol", ("active_vitamin_d",), (214,), verified=False,
        note="Not checked against the WHO index (no copy could be read)."),
    _rx("H05BX02", "Paricalcitol", ("active_vitamin_d",), (214,), verified=False,
        note="Not checked against the WHO index (no copy could be read)."),
    _rx("H05BX03", "Doxercalciferol", ("active_vitamin_d",), (214,), verified=False,
        note="Not checked against the WHO index (no copy could be read)."),
    _rx("V03AE07", "Calcium acetate", ("calcium_binders",), (214,), verified=False,
        note="Not checked against the WHO index (no copy could be read). A phosphate binder only."),
    _rx("H02AB", "Glucocorticoids", ("corticosteroids",), (214,), prefix=True, verified=False,
        note="Not checked against the WHO index (no copy could be read). H02 holds corticosteroids for "
             "systemic use."),
    _rx("L01", "Antineoplastic agents", ("chemotherapy",), (214,), prefix=True, verified=False,
        note="Not checked against the WHO index (no copy could be read)."),
    _rx("B05BA", "Solutions for parenteral nutrition", ("parenteral_nutrition",), (214,), prefix=True,
        verified=False, note="Not checked against the WHO index (no copy could be read)."),
)
"""WHO ATC codes -> exposure fields. ``route`` ``"intravenous"``: the medication counts only when given
intravenously."""

_SESSION_NOTE = ("One dialysis session, which may be acute (e.g. for acute kidney injury); the dialysis field "
                 "means maintenance dialysis, so a reader should want repeated sessions or a status code.")

CPT: tuple[CodeMap, ...] = (
    _dx("90935", "Hemodialysis procedure with single evaluation by a physician or other qualified health care "
        "professional", ("dialysis",), (216,), note=_SESSION_NOTE),
    _dx("90937", "Hemodialysis procedure requiring repeated evaluation(s) with or without substantial revision "
        "of dialysis prescription", ("dialysis",), (216,), note=_SESSION_NOTE),
    _dx("90945", "Dialysis procedure other than hemodialysis (eg, peritoneal dialysis, hemofiltration, or other "
        "continuous renal replacement therapies), with single evaluation by a physician or other qualified health "
        "care professional", ("dialysis",), (216,), note=_SESSION_NOTE),
    _dx("90947", "Dialysis procedure other than hemodialysis (eg, peritoneal dialysis, hemofiltration, or other "
        "continuous renal replacement therapies) requiring repeated evaluations by a physician or other qualified "
        "health care professional", ("dialysis",), (216,), note=_SESSION_NOTE),
)
"""CPT procedure codes -> fields."""

ICD10PCS: tuple[CodeMap, ...] = (
    _dx("5A1D70Z", "Performance of Urinary Filtration, Intermittent, Less than 6 Hours Per Day", ("dialysis",),
        (217,), note=_SESSION_NOTE),
    _dx("5A1D80Z", "Performance of Urinary Filtration, Prolonged Intermittent, 6-18 hours Per Day", ("dialysis",),
        (217,), note="Composed from table 5A1 (duration value 8, prolonged intermittent). " + _SESSION_NOTE),
    _dx("5A1D90Z", "Performance of Urinary Filtration, Continuous, Greater than 18 hours Per Day", ("dialysis",),
        (217,), note="Composed from table 5A1 (duration value 9, continuous). " + _SESSION_NOTE),
    _dx("3E1M39Z", "Irrigation of Peritoneal Cavity using Dialysate, Percutaneous Approach", ("dialysis",), (218,),
        verified=False, note="Peritoneal dialysis; the code itself was not seen in the cited page. "
        + _SESSION_NOTE),
)
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


# ------------------------------------------------------------------ how a reader uses the codes
PAIR_DAYS = 7
"""Calcium and phosphate used together (for Ca×P) are from draws at most this many days apart
(clinical-spec §6.1, step 5)."""

CURRENT_STATE = frozenset({"dialysis", "ckd_g4", "ckd_g5", "hyperparathyroidism", "vitamin_d_excess", "milk_alkali",
                           "metabolic_alkalosis", "fever_sepsis", "parenteral_nutrition", "obesity",
                           "weight_loss", "recent_hospitalisation", "nicu_stay"})
"""Fields that describe the patient's present state: a resolved condition records them as absent, and a
completed procedure or medication sets them only when it ended within the window before ``as_of``."""

EXPOSURES = ("iv_calcium", "heel_sticks", "electrode_paste", "alginate_dressing", "nicu_stay",
             "pas_therapy", "parenteral_nutrition")
"""Iatrogenic exposures whose date feeds ``exposure_weeks``."""

INTERPRETATION = {"H": 1, "HH": 1, "HU": 1, ">": 1, "L": -1, "LL": -1, "LU": -1, "<": -1, "N": 0}
"""HL7 v3 ObservationInterpretation codes -> qualitative status (-1 low, 0 normal, 1 high); the first code of
each status is the one a writer uses."""

DATA_ABSENT_REASONS = ("unknown", "asked-unknown", "temp-unknown", "not-asked", "asked-declined", "masked",
                       "not-applicable", "unsupported", "as-text", "error", "not-a-number", "negative-infinity",
                       "positive-infinity", "not-performed", "not-permitted")
"""HL7 data-absent-reason codes a reader names in its warnings."""

ROUTE_CODES = {"intravenous": ("47625008", "Intravenous route"), "oral": ("26643006", "Oral route"),
               "intramuscular": ("78421000", "Intramuscular route"),
               "subcutaneous": ("34206005", "Subcutaneous route")}
"""SNOMED CT route-of-administration codes (FHIR value set route-codes) by route."""

ROUTES = {
    "intravenous": (frozenset({"intravenous", "iv", ROUTE_CODES["intravenous"][0]}), False),
    "systemic": (frozenset({"oral", "mouth", "po", "enteral", "intravenous", "iv", "intramuscular", "im",
                            "subcutaneous", "sc", "parenteral", *(code for code, _ in ROUTE_CODES.values())}), True),
}
"""The routes a code map may require (``CodeMap.route``): the words or route codes that satisfy it, and
whether a medication without a route counts."""
