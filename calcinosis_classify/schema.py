"""The one declarative table of input fields.

Everything that needs to know about inputs reads :data:`FIELDS`: intake
(column matching, unit conversion, plausibility), the README's input table,
the synthetic generator and the hypothesis strategies of the test suite.

Units and conversion factors come from clinical-spec §3.3 [87][89][90][91][92];
reference ranges from §3.1 [52][81][82][83][86][88]. ``possible`` is the range
outside which a value cannot be a real measurement in the declared unit;
``plausible`` is the range a clinician would not question in that unit (used to
decide whether a value was reported in another unit).

Fields marked ``contract=True`` are the fixed input contract of the README ("Input contract").
The others are optional extensions that let the rules use findings the
clinical spec's evidence table names (antibodies, biopsy, timing, ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

__all__ = [
    "FIELDS",
    "FIELD_BY_NAME",
    "Field",
    "Kind",
    "normalise_column",
    "input_table_markdown",
    "normalise_unit",
]

# Adult total calcium reference interval, mg/dL [52] (§3.1 PROPOSED), written once: the field's reference
# interval, the age table of knowledge/ranges.py and the default hypercalcaemia threshold read it.
ADULT_CALCIUM_TOTAL: tuple[float, float] = (8.5, 10.5)

Kind = Literal["identifier", "demographic", "lab", "number", "status", "flag", "text"]


@dataclass(frozen=True)
class Field:
    """One input field of the contract.

    Parameters
    ----------
    name : str
        Canonical column name.
    kind : {"identifier", "demographic", "lab", "number", "status", "flag", "text"}
        How intake parses it.
    description : str
        One line for documentation.
    aliases : tuple of str
        Other accepted column names (already normalised: lower case,
        underscores).
    unit : str or None
        Canonical (conventional) unit; every number is stored in it.
    si_unit : str or None
        The SI unit used when the caller says ``units="si"``.
    units : mapping of str to float
        Accepted unit spellings and the factor that converts a value in that
        unit into ``unit`` (multiply).
    reference : tuple of float or None
        Adult reference interval in ``unit``.
    plausible : tuple of float or None
        Values a clinician would accept without question, in ``unit``.
    possible : tuple of float or None
        Physically possible values in ``unit``; outside it a value is junk or
        in another unit.
    loinc : str or None
        LOINC code where verified (clinical-spec Appendix A [96]).
    contract : bool
        Part of the fixed input contract (README, "Input contract").
    refs : tuple of int
        Clinical-spec reference numbers behind the units and ranges.
    """

    name: str
    kind: Kind
    description: str
    aliases: tuple[str, ...] = ()
    unit: str | None = None
    si_unit: str | None = None
    units: Mapping[str, float] = field(default_factory=dict)
    reference: tuple[float, float] | None = None
    plausible: tuple[float, float] | None = None
    possible: tuple[float, float] | None = None
    loinc: str | None = None
    contract: bool = True
    refs: tuple[int, ...] = ()

    @property
    def is_number(self) -> bool:
        """True for fields stored as numbers (labs and ``age_years``)."""
        return self.unit is not None

    def factor(self, unit: str) -> float | None:
        """Factor converting a value in ``unit`` into the canonical unit."""
        return _UNIT_INDEX.get(self.name, {}).get(normalise_unit(unit))


def _flag(name: str, description: str, aliases: tuple[str, ...] = (), *,
          contract: bool = True, refs: tuple[int, ...] = ()) -> Field:
    return Field(name, "flag", description, aliases, contract=contract, refs=refs)


# Conversion factors: clinical-spec §3.3.
_CA_MMOL = 4.008  # mmol/L -> mg/dL [87][89]
_P_MMOL = 3.097  # mmol/L -> mg/dL [89]
_PTH_PMOL = 9.43  # pmol/L -> pg/mL [90]
_VITD_NMOL = 0.4006  # nmol/L -> ng/mL [91]
_CREAT_UMOL = 1 / 88.4  # umol/L -> mg/dL [89]

FIELDS: tuple[Field, ...] = (
    Field("case_id", "identifier", "Case identifier, passed through unchanged.",
          ("id", "patient_id", "case", "mrn", "subject_id")),
    Field("age_years", "demographic", "Age in years (infants as fractions: 3 weeks = 0.058).",
          ("age", "age_yrs", "age_y", "agey"), unit="years", si_unit="years",
          units={"years": 1.0, "y": 1.0, "yr": 1.0, "yrs": 1.0, "months": 1 / 12,
                 "mo": 1 / 12, "weeks": 7 / 365.25, "wk": 7 / 365.25, "days": 1 / 365.25,
                 "d": 1 / 365.25},
          plausible=(0.0, 110.0), possible=(0.0, 125.0)),
    Field("sex", "demographic", "Sex: F or M (female/male, woman/man, f/m).",
          ("gender", "sex_at_birth")),
    Field("calcium", "lab", "Total serum calcium.",
          ("ca", "total_calcium", "serum_calcium", "calcium_total", "tca", "s_ca"),
          unit="mg/dL", si_unit="mmol/L",
          units={"mg/dL": 1.0, "mmol/L": _CA_MMOL, "mEq/L": _CA_MMOL / 2},
          reference=ADULT_CALCIUM_TOTAL, plausible=(5.0, 18.0), possible=(3.0, 25.0),
          loinc="17861-6", refs=(52, 81, 87, 89)),
    Field("ionized_calcium", "lab", "Ionised calcium.",
          ("ionised_calcium", "ica", "ca_ionized", "ca_ionised", "ionized_ca", "ionised_ca",
           "free_calcium"),
          unit="mmol/L", si_unit="mmol/L",
          units={"mmol/L": 1.0, "mg/dL": 1 / _CA_MMOL, "mEq/L": 0.5},
          reference=(1.15, 1.32), plausible=(0.6, 2.2), possible=(0.3, 3.5),
          loinc="1995-0", refs=(52, 81, 87)),
    Field("phosphate", "lab", "Serum phosphate, reported as phosphorus.",
          ("phosphorus", "phos", "po4", "serum_phosphate", "inorganic_phosphate"),
          unit="mg/dL", si_unit="mmol/L", units={"mg/dL": 1.0, "mmol/L": _P_MMOL},
          reference=(2.5, 4.5), plausible=(0.8, 15.0), possible=(0.2, 25.0),
          refs=(82, 84, 88, 89)),
    Field("pth", "lab", "Intact parathyroid hormone.",
          ("ipth", "intact_pth", "parathyroid_hormone", "pth_intact"),
          unit="pg/mL", si_unit="pmol/L",
          units={"pg/mL": 1.0, "ng/L": 1.0, "pmol/L": _PTH_PMOL},
          reference=(15.0, 65.0), plausible=(1.0, 3000.0), possible=(0.0, 10000.0),
          refs=(83, 86, 90)),
    Field("albumin", "lab", "Serum albumin.", ("alb", "serum_albumin"),
          unit="g/dL", si_unit="g/L", units={"g/dL": 1.0, "g/L": 0.1},
          reference=(3.4, 4.7), plausible=(1.0, 6.0), possible=(0.5, 8.0),
          refs=(88, 89, 94)),
    Field("vitamin_d_25oh", "lab", "25-hydroxyvitamin D.",
          ("vitamin_d", "25ohd", "25_oh_d", "25_oh_vitamin_d", "vit_d", "vitd",
           "calcidiol", "25_hydroxyvitamin_d", "vitamin_d_25_oh"),
          unit="ng/mL", si_unit="nmol/L", units={"ng/mL": 1.0, "nmol/L": _VITD_NMOL},
          reference=(20.0, 80.0), plausible=(2.0, 400.0), possible=(0.5, 1500.0),
          refs=(50, 51, 91)),
    Field("creatinine", "lab", "Serum creatinine.", ("creat", "scr", "serum_creatinine"),
          unit="mg/dL", si_unit="umol/L", units={"mg/dL": 1.0, "umol/L": _CREAT_UMOL},
          reference=(0.6, 1.2), plausible=(0.1, 20.0), possible=(0.05, 35.0),
          refs=(88, 89)),
    Field("egfr", "lab", "Estimated GFR.", ("gfr", "e_gfr", "estimated_gfr"),
          unit="mL/min/1.73m2", si_unit="mL/min/1.73m2",
          units={"mL/min/1.73m2": 1.0, "mL/min": 1.0},
          reference=(90.0, 150.0), plausible=(1.0, 180.0), possible=(0.0, 250.0), refs=(41,)),
    Field("calcium_status", "status", "Qualitative calcium result when no number: low / normal / high.",
          ("ca_status",), refs=(52,)),
    Field("phosphate_status", "status", "Qualitative phosphate result when no number: low / normal / high.",
          ("phosphorus_status", "p_status", "phos_status")),
    Field("pth_status", "status", "Qualitative PTH result when no number: low / normal / high.",
          ("ipth_status",)),
    _flag("autoimmune_disease", "Autoimmune connective-tissue disease (SSc/CREST, dermatomyositis, lupus, MCTD, overlap).",
          ("ctd", "connective_tissue_disease", "autoimmune", "scleroderma", "systemic_sclerosis",
           "dermatomyositis", "lupus"), refs=(54, 55, 56, 57, 59)),
    _flag("ckd", "Chronic kidney disease (any stage).", ("chronic_kidney_disease", "renal_failure"), refs=(41,)),
    _flag("dialysis", "On dialysis (haemo- or peritoneal).",
          ("hemodialysis", "haemodialysis", "on_dialysis", "esrd_dialysis"), refs=(15,)),
    _flag("kidney_transplant", "Kidney transplant recipient.", ("renal_transplant", "transplant")),
    _flag("hyperparathyroidism", "Hyperparathyroidism (primary, secondary or tertiary).",
          ("hpt", "primary_hyperparathyroidism"), refs=(4, 45, 90)),
    _flag("iv_calcium", "IV calcium/phosphate infusion or its extravasation.",
          ("calcium_infusion", "calcium_gluconate", "iv_calcium_gluconate", "extravasation"),
          refs=(70, 71, 72, 73, 74, 75)),
    _flag("heel_sticks", "Neonatal heel-stick blood sampling.", ("heel_stick", "heelstick", "heel_prick"),
          refs=(69,)),
    _flag("electrode_paste", "Calcium chloride electrode paste (EEG/EMG).", ("eeg_paste", "electrode_gel"),
          refs=(46, 78, 79)),
    _flag("parenteral_nutrition", "Parenteral nutrition.", ("tpn",), refs=(4, 101)),
    _flag("injury", "Trauma, surgery, scar, cyst, tumour, infection or panniculitis at the site.",
          ("trauma", "local_injury", "scar"), refs=(4, 5)),
    _flag("genetic_disorder", "Pseudoxanthoma elasticum, Ehlers-Danlos, Werner or Rothmund-Thomson syndrome.",
          ("pxe", "inherited_ctd"), refs=(4, 60)),
    _flag("warfarin", "Warfarin or another vitamin K antagonist.", ("vka", "phenprocoumon", "coumarin"),
          refs=(13, 14, 15, 19)),
    _flag("corticosteroids", "Systemic corticosteroids.", ("steroids", "glucocorticoids"), refs=(10, 18)),
    _flag("diabetes", "Diabetes mellitus.", ("diabetes_mellitus",), refs=(12,)),
    _flag("obesity", "Obesity (BMI > 30).", ("obese",), refs=(10, 12)),
    _flag("vitamin_d_excess", "Excess vitamin D intake or toxicity.", ("hypervitaminosis_d",), refs=(50,)),
    _flag("milk_alkali", "Milk-alkali (calcium-alkali) syndrome.", ("milk_alkali_syndrome",), refs=(48,)),
    _flag("malignancy", "Malignancy (incl. myeloma, bone metastases).", ("cancer", "neoplasm"), refs=(4, 45)),
    _flag("sarcoidosis", "Sarcoidosis or other granulomatous disease.", ("granulomatous_disease",), refs=(4, 50)),
    _flag("down_syndrome", "Down syndrome (trisomy 21).", ("trisomy_21",), refs=(65,)),
    Field("lesion_site", "text", "Lesion site, free text (mapped to site groups).",
          ("site", "location", "lesion_location", "body_site")),
    _flag("painful", "Lesion painful or tender.", ("pain", "tender"), refs=(8, 9)),
    _flag("ulceration", "Lesion ulcerated.", ("ulcer", "ulcerated"), refs=(5,)),
    _flag("necrosis", "Necrosis, eschar, retiform purpura or livedo racemosa.",
          ("eschar", "necrotic", "retiform_purpura"), refs=(7, 8, 9)),
    # ---- optional extensions (not part of the fixed contract) ----
    Field("lesion_description", "text", "Lesion morphology, free text (e.g. 'milia-like papules').",
          ("morphology", "lesion_morphology"), contract=False),
    Field("lesion_count", "number", "Number of lesions.", ("n_lesions", "number_of_lesions"),
          unit="lesions", si_unit="lesions", units={"lesions": 1.0},
          plausible=(1.0, 500.0), possible=(0.0, 10000.0), contract=False),
    Field("dialysis_years", "number", "Years on dialysis.", ("dialysis_vintage", "years_on_dialysis"),
          unit="years", si_unit="years", units={"years": 1.0, "months": 1 / 12},
          plausible=(0.0, 40.0), possible=(0.0, 80.0), contract=False, refs=(26,)),
    Field("warfarin_months", "number", "Months on warfarin/VKA before lesion onset.",
          ("vka_months", "months_on_warfarin"), unit="months", si_unit="months",
          units={"months": 1.0, "days": 12 / 365.25, "years": 12.0, "weeks": 12 * 7 / 365.25},
          plausible=(0.0, 480.0), possible=(0.0, 1200.0), contract=False, refs=(19, 32, 33)),
    Field("exposure_weeks", "number",
          "Weeks from the iatrogenic exposure to lesion onset (negative: lesion came first).",
          ("weeks_since_exposure",), unit="weeks", si_unit="weeks",
          units={"weeks": 1.0, "days": 1 / 7, "months": 365.25 / 12 / 7},
          plausible=(-520.0, 520.0), possible=(-5200.0, 5200.0), contract=False, refs=(69, 70)),
    Field("vitamin_d_125", "lab", "1,25-dihydroxyvitamin D (calcitriol).",
          ("calcitriol", "1_25_oh2d", "vitamin_d_1_25"), unit="pg/mL", si_unit="pmol/L",
          units={"pg/mL": 1.0, "pmol/L": 0.42}, reference=(18.0, 78.0), plausible=(1.0, 500.0),
          possible=(0.0, 2000.0), contract=False, refs=(92,)),
    _flag("ctd_antibody", "Anticentromere or anti-NXP2 antibody positive.",
          ("anticentromere", "anti_nxp2"), contract=False, refs=(55, 58)),
    _flag("raynaud_digital_ulcers", "Raynaud phenomenon, digital ulcers or acro-osteolysis.",
          ("raynaud", "digital_ulcers"), contract=False, refs=(55, 56)),
    _flag("scfn", "Subcutaneous fat necrosis of the newborn.", ("fat_necrosis_newborn",),
          contract=False, refs=(80,)),
    _flag("venous_disease_or_acne", "Chronic venous disease or acne scarring at the site.",
          ("acne_scars", "venous_disease"), contract=False, refs=(4,)),
    _flag("calcium_supplements", "Heavy calcium carbonate or vitamin D supplement use.",
          ("calcium_carbonate",), contract=False, refs=(48, 50)),
    _flag("metabolic_alkalosis", "Metabolic alkalosis with acute kidney injury.", (), contract=False, refs=(48,)),
    _flag("chemotherapy", "Recent chemotherapy (tumour lysis risk).", (), contract=False, refs=(53,)),
    _flag("family_history_calcinosis", "Consanguinity or family history of tumoral calcinosis.",
          ("consanguinity",), contract=False, refs=(66, 68)),
    _flag("yemenite_jewish_ancestry", "Jewish-Yemenite ancestry (normophosphataemic tumoral calcinosis).",
          (), contract=False, refs=(68,)),
    _flag("localised", "Involvement limited to one region.", ("localized", "single_region"),
          contract=False, refs=(4,)),
    _flag("alginate_dressing", "Calcium alginate dressing on the affected wound.", (), contract=False, refs=(46,)),
    _flag("nicu_stay", "NICU stay with treatment for hypocalcaemia.", ("nicu",), contract=False,
          refs=(70, 71, 72, 73)),
    _flag("recent_hospitalisation", "Recent hospital stay without a specific exposure record.",
          ("recent_hospitalization",), contract=False, refs=(5,)),
    _flag("pas_therapy", "Para-aminosalicylic acid therapy.", (), contract=False, refs=(79,)),
    _flag("liver_disease", "Liver disease (e.g. alcoholic).", ("cirrhosis",), contract=False, refs=(10, 18)),
    _flag("ckd_g4", "CKD G4 recorded as a diagnosis (eGFR 15-29); stands in for an eGFR not given.",
          ("ckd_stage_4",), contract=False, refs=(41,)),
    _flag("ckd_g5", "CKD G5 or end-stage kidney disease recorded as a diagnosis (eGFR < 15); stands in for an "
          "eGFR not given.", ("ckd_stage_5", "end_stage_kidney_disease", "end_stage_renal_disease"),
          contract=False, refs=(41,)),
    _flag("thrombophilia", "Thrombophilia (protein C/S deficiency, lupus anticoagulant...).",
          ("protein_c_deficiency",), contract=False, refs=(24, 104)),
    _flag("weight_loss", "Recent weight loss.", (), contract=False, refs=(8, 22)),
    _flag("active_vitamin_d", "Active vitamin D > 0.5 ug/day.", ("calcitriol_therapy",), contract=False, refs=(26,)),
    _flag("calcium_binders", "High-dose calcium-based phosphate binders > 6 months.", (), contract=False, refs=(26,)),
    _flag("biopsy_vascular_calcification", "Biopsy: arteriolar medial calcification, stippled or peri-eccrine calcification.",
          ("biopsy_calciphylaxis",), contract=False, refs=(27,)),
    _flag("vascular_calcification_xray", "Net-like small-vessel calcification on plain films.", (),
          contract=False, refs=(8,)),
    _flag("fever_sepsis", "Fever, spreading erythema or signs of sepsis.", ("sepsis", "fever"),
          contract=False, refs=(106,)),
    _flag("hypercalcaemia_symptoms", "Confusion, vomiting, polyuria/dehydration (or, in an infant, irritability, poor feeding, constipation).",
          ("hypercalcemia_symptoms",), contract=False, refs=(50, 52, 80)),
    _flag("blistering", "Blistering or compartment signs after extravasation.", ("compartment_signs",),
          contract=False, refs=(74, 75)),
    _flag("rapid_growth", "Rapidly enlarging lesion.", ("rapidly_enlarging",), contract=False),
)

FIELD_BY_NAME: Mapping[str, Field] = MappingProxyType({f.name: f for f in FIELDS})

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_unit(unit: str) -> str:
    """Spelling-insensitive key for a unit: ``"µmol/L"`` -> ``"umoll"``."""
    text = str(unit).strip().lower().replace("µ", "u").replace("μ", "u").replace("²", "2")
    text = text.replace(" per ", "/")
    return _NON_ALNUM.sub("", text)


def normalise_column(name: object) -> str:
    """Canonical spelling of a column header (README, "Input contract").

    Trims, lower-cases and maps runs of spaces and hyphens to one underscore.
    """
    return _normalise_header(str(name))


@lru_cache(maxsize=4096)
def _normalise_header(text: str) -> str:
    """:func:`normalise_column` of a string (cached: one case at a time repeats the same headers)."""
    return _HEADER_SEPARATORS.sub("_", text.strip().lower())


_HEADER_SEPARATORS = re.compile(r"[\s\-]+")


def _build_unit_index() -> dict[str, dict[str, float]]:
    index: dict[str, dict[str, float]] = {}
    for f in FIELDS:
        if f.is_number:
            index[f.name] = {normalise_unit(u): factor for u, factor in f.units.items()}
    return index


_UNIT_INDEX = _build_unit_index()


def _check_table() -> None:
    seen: dict[str, str] = {}
    for f in FIELDS:
        for key in (f.name, *f.aliases):
            if key in seen:
                raise RuntimeError(f"schema: name {key!r} used by both {seen[key]!r} and {f.name!r}")
            seen[key] = f.name
        if f.is_number:
            assert f.unit is not None and f.si_unit is not None
            if normalise_unit(f.unit) not in _UNIT_INDEX[f.name] or normalise_unit(f.si_unit) not in _UNIT_INDEX[f.name]:
                raise RuntimeError(f"schema: {f.name}: default units must be listed in units")
            if f.possible is None or f.plausible is None:
                raise RuntimeError(f"schema: {f.name}: numeric field needs plausible and possible ranges")
            if not (f.possible[0] <= f.plausible[0] < f.plausible[1] <= f.possible[1]):
                raise RuntimeError(f"schema: {f.name}: plausible range must lie inside the possible range")


_check_table()


def input_table_markdown(contract_only: bool = False) -> str:
    """The input fields as a markdown table (the README embeds this verbatim)."""
    lines = ["| field | kind | unit (SI / others) | also accepted as | description |", "|---|---|---|---|---|"]
    for f in FIELDS:
        if contract_only and not f.contract:
            continue
        units = ""
        if f.is_number:
            others = [u for u in f.units if u not in (f.unit, f.si_unit)]
            units = f.unit or ""
            if f.si_unit != f.unit:
                units += f" ({f.si_unit}"
                units += (", " + ", ".join(others)) if others else ""
                units += ")"
            elif others:
                units += f" ({', '.join(others)})"
        aliases = ", ".join(f"`{a}`" for a in f.aliases)
        extra = "" if f.contract else " *(optional extension)*"
        lines.append(f"| `{f.name}` | {f.kind} | {units} | {aliases} | {f.description}{extra} |")
    return "\n".join(lines)
