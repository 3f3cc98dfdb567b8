"""Composite findings: named combinations of other findings, in the condition language (data only).

Each composite is evaluated after the findings that need arithmetic (statuses, Ca×P, eGFR, age bands,
text matching; see :mod:`calcinosis_classify.findings`) and in the order listed here, so a composite may
use the ones above it. They are validated when the package is imported: a name that is not a finding,
an input field or an earlier composite fails then, with a suggestion.
"""

from __future__ import annotations

from calcinosis_classify.knowledge.model import Composite
from calcinosis_classify.schema import FIELDS

# The yes/no history fields of the input contract (lesion flags apart): "any history item recorded". The
# contract's items are what reports and extracts state; the optional extensions come with one of them.
_HISTORY_FLAGS = tuple(f.name for f in FIELDS
                       if f.kind == "flag" and f.contract and f.name not in ("painful", "ulceration", "necrosis"))

__all__ = ["COMPOSITES"]

COMPOSITES: tuple[Composite, ...] = (
    # ------------------------------------------------------------------ kidney (§6.1 step 7, [41])
    # A recorded KDIGO G category stands for the eGFR it is defined by, only while no eGFR is known ([41]).
    Composite("esrd", "has_dialysis | egfr_below_15 | (unknown(egfr_used) & has_ckd_g5)",
              "on dialysis, eGFR < 15, or CKD G5 recorded without an eGFR", (9, 41)),
    Composite("ckd_g4_5", "has_dialysis | egfr_below_30 | (unknown(egfr_used) & (has_ckd_g4 | has_ckd_g5))",
              "CKD G4-G5 or dialysis", (41, 43)),
    Composite("ckd_any", "has_ckd | has_dialysis | has_kidney_transplant | egfr_below_60",
              "any chronic kidney disease", (41, 43)),
    # A measured eGFR settles it unless the patient is known to be on dialysis; without one, CKD and
    # dialysis must both be denied.
    Composite("kidney_normal",
              "(known(egfr_used) & ~egfr_below_60 & not_known(has_dialysis)) | "
              "(unknown(egfr_used) & ~has_ckd & ~has_dialysis)",
              "kidney function known to be normal (eGFR ≥ 60, or CKD and dialysis both denied)", (41,)),
    Composite("kidney_status_known", "known(egfr_used) | known(has_dialysis) | known(has_ckd)",
              "kidney status known: an eGFR (or creatinine), or dialysis or CKD answered either way", (41,)),
    # ------------------------------------------------------------------ calcium and phosphate (§3, §6.1)
    Composite("ca_and_p_known", "known(calcium_status_code) & known(phosphate_status_code)",
              "calcium and phosphate status both known (a number or a qualitative result)", (52, 82)),
    Composite("ca_or_p_high", "ca_high | p_high", "hypercalcaemia or hyperphosphataemia", (1, 2)),
    Composite("ca_and_p_not_high", "~ca_high & ~p_high", "neither calcium nor phosphate is raised", (1, 2)),
    Composite("labs_normal", "ca_normal & p_normal", "calcium and phosphate both normal", (1, 2, 4)),
    # A product in the raised bands counts only when calcium or phosphate is abnormal for age: a neonate's
    # physiological phosphate (up to ~8 mg/dL) with normal calcium can exceed 70 (§3.2, pitfall §6.6.2). In
    # adults a product of 55 or more is impossible with both values in range, so this changes nothing there.
    Composite("caxp_metastatic", "caxp_metastatic_band & ~labs_normal",
              "Ca×P at or above the metastatic threshold (70), calcium or phosphate abnormal for age",
              (1, 5, 45, 82)),
    Composite("caxp_elevated", "caxp_elevated_band & ~labs_normal",
              "Ca×P above the CKD target (55; 65 aged ≤ 12) but below the metastatic threshold, calcium or "
              "phosphate abnormal for age", (36, 37, 43, 82)),
    Composite("tls_pattern", "has_chemotherapy & p_high", "hyperphosphataemia after chemotherapy (TLS)", (53,)),
    Composite("metabolic_cause",
              "ckd_g4_5 | has_hyperparathyroidism | vitd_toxic | has_vitamin_d_excess | has_milk_alkali | "
              "has_sarcoidosis | has_malignancy | tls_pattern",
              "a known cause of metastatic calcification (CKD G4-5/dialysis, HPT, vitamin D excess, milk-alkali, "
              "sarcoidosis, malignancy, TLS)", (4, 45, 48, 50, 53)),
    Composite("pth_independent_hypercalcaemia", "ca_high & pth_low", "high calcium with suppressed PTH",
              (48, 99)),
    # ------------------------------------------------------------------ lesion (§4.3)
    Composite("ischaemic_lesion", "has_necrosis | (has_painful & has_ulceration)",
              "necrosis / eschar / retiform purpura, or a painful non-healing ulcer", (7, 8, 9, 22)),
    Composite("compatible_cp_lesion", "has_necrosis | has_painful | has_ulceration",
              "painful, ulcerated or necrotic lesion", (8, 9)),
    Composite("painless_without_necrosis", "~has_painful & ~has_necrosis",
              "painless lesion without purpura or necrosis", (5, 8)),
    Composite("ctd_digital_ulcer", "has_autoimmune_disease & site_digits_hands & ~has_necrosis",
              "ulcerated digital lesion without necrosis in a patient with CTD (typical of SSc calcinosis)",
              (55, 56)),
    # ------------------------------------------------------------------ history and settings
    Composite("iatrogenic_exposure",
              "has_iv_calcium | has_heel_sticks | has_electrode_paste | has_parenteral_nutrition | "
              "has_alginate_dressing | has_pas_therapy | has_nicu_stay | text_calcium_injection",
              "a recorded iatrogenic exposure (a flag, or a calcium-containing injection named at the site)",
              (4, 46, 69, 70, 79, 101, 230)),
    Composite("explaining_history",
              "has_autoimmune_disease | has_injury | has_genetic_disorder | iatrogenic_exposure | metabolic_cause",
              "CTD, local injury, inherited disorder, exposure or metabolic disorder that explains the lesion",
              (1, 2, 4, 45)),
    Composite("nonuremic_cp_setting",
              "has_warfarin | has_hyperparathyroidism | has_malignancy | has_liver_disease | "
              "(has_autoimmune_disease & has_corticosteroids)",
              "warfarin/VKA, primary HPT, malignancy, liver disease, or CTD on steroids", (18, 19, 20, 33)),
    Composite("cp_must_exclude", "ischaemic_lesion & (esrd | has_kidney_transplant | has_warfarin)",
              "an ischaemic lesion with dialysis, eGFR < 15, a kidney transplant or warfarin (override O1)",
              (9, 15, 19, 22)),
    # ------------------------------------------------------------------ settings of sparse presentations (§6.8)
    Composite("uremic_setting", "esrd | has_kidney_transplant",
              "dialysis, eGFR < 15 or a kidney transplant: calciphylaxis and metastatic are both candidates",
              (10, 15, 43, 45)),
    Composite("ckd_g3b_4", "((egfr_below_45 & ~egfr_below_15) | (unknown(egfr_used) & has_ckd_g4)) & ~has_dialysis",
              "CKD G3b-G4 without dialysis (eGFR 15-44, or CKD G4 recorded without an eGFR)", (12, 41, 43)),
    Composite("cp_setting",
              "uremic_setting | ckd_g3b_4 | has_warfarin | has_hyperparathyroidism | has_malignancy",
              "a calciphylaxis setting: dialysis, eGFR < 15, transplant, CKD G3b-G4, warfarin/VKA, primary HPT or "
              "malignancy", (10, 12, 15, 18, 19, 20)),
    Composite("cp_risk_factor",
              "has_obesity | has_diabetes | female | has_corticosteroids | has_liver_disease | has_autoimmune_disease",
              "a calciphylaxis risk factor that is not a setting on its own (obesity, diabetes, female sex, "
              "corticosteroids, liver disease, CTD)", (10, 12, 18)),
    Composite("cp_high_risk", "cp_must_exclude | (has_painful & uremic_setting)",
              "an ischaemic lesion in a must-exclude setting, or any painful lesion on dialysis or after transplant",
              (8, 9, 22, 106)),
    # In CTD a painful ulcer is the common course of dystrophic calcinosis itself (§2.1): there only necrosis,
    # eschar or retiform purpura counts. Non-uremic series are of patients aged 15 and over (§4.6).
    Composite("nonuremic_cp_picture",
              "((has_necrosis & nonuremic_cp_setting) | "
              "(ischaemic_lesion & (has_hyperparathyroidism | has_malignancy | has_liver_disease))) & "
              "not_known(below_calciphylaxis_age)",
              "the picture of non-uremic calciphylaxis: necrosis with warfarin/VKA, primary HPT, malignancy, liver "
              "disease or CTD on steroids, or a painful ulcer with primary HPT, malignancy or liver disease",
              (18, 20, 33)),
    Composite("cp_moderate_risk", "uremic_setting | nonuremic_cp_picture",
              "dialysis, eGFR < 15 or a kidney transplant (§6.8.1), or the picture of non-uremic calciphylaxis "
              "(§4.6)", (10, 15, 18, 20, 33)),
    # The metastatic picture of §2.2 and §6.3: deposits at its typical sites (periarticular, tumoral masses,
    # fingertips) with a recorded mineral derangement (hypercalcaemia or hyperphosphataemia, or a Ca×P in the
    # raised bands).
    Composite("metastatic_pattern",
              "(site_periarticular | text_mass | site_digits_hands) & "
              "(caxp_elevated | caxp_metastatic | ca_or_p_high)",
              "periarticular, tumoral or fingertip deposits with raised calcium, phosphate or Ca×P", (1, 5, 44, 47)),
    Composite("metastatic_basis",
              "ca_or_p_high | caxp_elevated | caxp_metastatic | metabolic_cause | uremic_setting | pth_high | "
              "vitd125_high",
              "a recorded abnormality of calcium/phosphate metabolism or a disorder that produces it", (1, 2, 4, 5, 45)),
    # ------------------------------------------------------------------ what is recorded (§6.8.4-5)
    Composite("history_recorded", f"any_known({', '.join(_HISTORY_FLAGS)})",
              "any history item answered (yes or no)", (1, 45)),
    Composite("presentation_recorded",
              "history_recorded | any_known(lesion_site, lesion_description, painful, ulceration, necrosis)",
              "anything recorded about the patient or the lesion beyond laboratory values", (1, 45)),
    Composite("confidence_basis", "ca_and_p_known & presentation_recorded",
              "calcium and phosphate known and something recorded beyond them: an answer resting on laboratory "
              "values alone (e.g. an exclusion from three normal numbers) stays low confidence", (1, 2, 45)),
    Composite("case_described", "presentation_recorded | any_known(age_years, sex)",
              "the case has an age, a sex, a site, a lesion feature or a history item", (1, 45)),
)
