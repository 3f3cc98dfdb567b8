"""The knowledge base: evidence rules, overrides, co-existence, risk, urgency, next steps.

Data only. Every entry cites clinical-spec reference numbers (§9 of the spec).
Weights follow §6.2: strong ±3, moderate ±2, weak ±1; priors and age
modifiers ±1/±2 as in §6.2–§6.3. Entries marked [PROPOSED] in the spec are
design choices for this library, not validated findings.
"""

from __future__ import annotations

from calcinosis_classify.knowledge.model import (
    Coexistence,
    NextStep,
    Override,
    RiskFactor,
    Rule,
    UrgencyTrigger,
)

__all__ = ["COEXISTENCE", "NEXT_STEPS", "OVERRIDES", "PRIORS", "PRIOR_REFS", "RISK_FACTORS", "RULES", "URGENCY"]

# The prior is a tie-breaker, not evidence: it never makes a subtype "supported" on its own.
PRIORS: dict[str, float] = {"dystrophic": 1.0}  # commonest subtype [1][5][7]; §6.2
PRIOR_REFS: tuple[int, ...] = (1, 5, 7)

RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ dystrophic
    Rule("DYS-CTD", "dystrophic", "has_autoimmune_disease", 2, "strong", "cohort",
         "Known autoimmune connective-tissue disease (SSc/CREST, dermatomyositis, lupus, MCTD).",
         (54, 55, 56, 57, 59)),
    Rule("DYS-CTD-NORMAL-LABS", "dystrophic", "has_autoimmune_disease & ca_and_p_not_high", 1, "strong", "cohort",
         "CTD with normal calcium and phosphate completes the strong dystrophic pattern.", (1, 2, 54, 59)),
    Rule("DYS-LOCAL-INJURY", "dystrophic", "has_injury", 3, "strong", "textbook",
         "Lesion within a scar, cyst, tumour or site of trauma, infection or panniculitis.", (4, 5)),
    Rule("DYS-INHERITED", "dystrophic", "has_genetic_disorder", 2, "moderate", "textbook",
         "Inherited connective-tissue disorder (PXE, Ehlers-Danlos, Werner, Rothmund-Thomson).", (4, 60)),
    Rule("DYS-PXE-SITE", "dystrophic", "has_genetic_disorder & site_neck_flexural", 1, "strong", "textbook",
         "Inherited elastic-tissue disorder with papules at the neck and flexures (PXE pattern).", (60,)),
    Rule("DYS-CTD-SITE", "dystrophic", "has_autoimmune_disease & (site_digits_hands | site_jdm)", 2, "moderate",
         "cohort", "Lesions at CTD-typical sites (fingers/thumbs in SSc; elbows, knees, buttocks in JDM).",
         (56, 57)),
    Rule("DYS-ANTIBODY", "dystrophic", "has_ctd_antibody", 2, "moderate", "cohort",
         "Anticentromere or anti-NXP2 antibody (associated with calcinosis in SSc and JDM).", (55, 58)),
    Rule("DYS-ISCHAEMIA", "dystrophic", "has_raynaud_digital_ulcers", 2, "moderate", "cohort",
         "Raynaud phenomenon, digital ulcers or acro-osteolysis (associated with SSc calcinosis).", (55, 56)),
    Rule("DYS-SCFN", "dystrophic", "has_scfn & infant", 2, "moderate", "case series",
         "Subcutaneous fat necrosis of the newborn (dystrophic panniculitis).", (80,)),
    Rule("DYS-FEMALE-CTD", "dystrophic", "female & has_autoimmune_disease", 1, "weak", "case series",
         "Female sex with CTD (82% female in the Mayo series).", (59,)),
    Rule("DYS-VENOUS-ACNE", "dystrophic", "has_venous_disease_or_acne", 1, "weak", "textbook",
         "Chronic venous disease or acne scarring at the site.", (4,)),
    Rule("DYS-AGAINST-METABOLIC", "dystrophic", "ca_or_p_high", -2, "moderate", "textbook",
         "Hypercalcaemia or hyperphosphataemia argues against a purely dystrophic mechanism.", (1, 2, 4)),
    Rule("DYS-AGAINST-CAXP", "dystrophic", "caxp_metastatic", -1, "strong", "textbook",
         "Ca×P at or above the metastatic threshold makes the 'against' strong (-3 in all).", (1, 5, 45)),
    Rule("DYS-AGAINST-NO-LOCAL", "dystrophic",
         "~has_autoimmune_disease & ~has_injury & ~has_genetic_disorder & ~has_scfn", -1, "weak", "textbook",
         "No local disease or injury recorded as absent.", (1, 2)),
    Rule("DYS-AGE-INFANT", "dystrophic", "infant", 1, "modifier", "proposed",
         "Age modifier: infants (subcutaneous fat necrosis of the newborn).", (80,)),
    Rule("DYS-AGE-JDM", "dystrophic", "child & has_autoimmune_disease", 1, "modifier", "proposed",
         "Age modifier: a child with CTD features (juvenile dermatomyositis).", (57,)),
    Rule("DYS-CANDIDATE", "dystrophic", "case_described", 1, "candidate", "textbook",
         "Nothing-recorded order: dystrophic, the commonest subtype, is listed whenever the case has an age, a "
         "site or a history item (§6.8.4-5).", (1, 5, 7)),
    # ------------------------------------------------------------------ metastatic
    Rule("MET-CAXP-70", "metastatic", "caxp_metastatic", 3, "strong", "textbook",
         "Ca×P at or above the metastatic threshold (70 mg²/dL² by default).", (1, 5, 45)),
    Rule("MET-ABNORMAL-WITH-CAUSE", "metastatic", "ca_or_p_high & metabolic_cause", 3, "strong", "textbook",
         "Hypercalcaemia or age-adjusted hyperphosphataemia with a known cause (CKD G4-5/dialysis, HPT, "
         "vitamin D toxicity, milk-alkali, sarcoidosis, malignancy, TLS).", (4, 45, 48, 50, 53)),
    Rule("MET-CAXP-55", "metastatic", "caxp_elevated", 2, "moderate", "guideline",
         "Ca×P 55-69 (above the K/DOQI CKD target; 65 in children aged 12 or less).", (36, 37, 43)),
    Rule("MET-CKD-HIGH-PTH", "metastatic", "ckd_g4_5 & pth_high", 2, "moderate", "textbook",
         "CKD G4-G5 or dialysis with high PTH (secondary hyperparathyroidism).", (43,)),
    Rule("MET-PERIARTICULAR", "metastatic", "site_periarticular", 2, "moderate", "case series",
         "Periarticular / large-joint deposits.", (44, 47)),
    Rule("MET-CALCITRIOL", "metastatic", "vitd125_high", 2, "moderate", "review",
         "Raised 1,25-(OH)₂ vitamin D (granulomatous disease, lymphoma, intoxication).", (50, 92)),
    Rule("MET-PTH-INDEPENDENT", "metastatic", "pth_independent_hypercalcaemia", 2, "moderate", "review",
         "High calcium with suppressed PTH (malignancy, vitamin D, granulomatous disease, milk-alkali).",
         (48, 99)),
    Rule("MET-SUPPLEMENTS", "metastatic", "has_calcium_supplements", 1, "weak", "review",
         "Heavy calcium carbonate or vitamin D supplement use.", (48, 50)),
    Rule("MET-ALKALOSIS", "metastatic", "has_metabolic_alkalosis", 1, "weak", "review",
         "Metabolic alkalosis with acute kidney injury (milk-alkali pattern).", (48,)),
    Rule("MET-ABNORMAL-LABS", "metastatic", "ca_or_p_high", 1, "weak", "textbook",
         "Hypercalcaemia or hyperphosphataemia, even without a recorded cause: the measured abnormality that "
         "defines metastatic calcinosis (§2.2).", (1, 2, 4, 5)),
    Rule("MET-SETTING-UREMIC", "metastatic", "uremic_setting", 2, "moderate", "textbook",
         "Dialysis, eGFR < 15 or a kidney transplant: CKD-mineral bone disorder is the commonest cause of "
         "metastatic calcinosis (setting support, §6.8.1).", (43, 45)),
    Rule("MET-SETTING-CKD", "metastatic", "ckd_g3b_4", 1, "weak", "textbook",
         "CKD G3b-G4 without dialysis (setting support, §6.8.1).", (12, 43)),
    Rule("MET-SETTING-HPT", "metastatic", "has_hyperparathyroidism", 2, "moderate", "textbook",
         "Hyperparathyroidism supports metastatic calcinosis even without numbers (§6.8.1).", (45, 90)),
    Rule("MET-SETTING-MALIGNANCY", "metastatic", "has_malignancy", 1, "weak", "review",
         "Malignancy: hypercalcaemia of malignancy, tumour lysis (§6.8.1).", (53, 99)),
    Rule("MET-AGAINST-NORMAL-LABS", "metastatic", "ca_and_p_not_high", -3, "strong", "textbook",
         "Calcium and phosphate not raised: metastatic calcification is unlikely.", (1, 2, 4, 5)),
    Rule("MET-AGAINST-NORMAL-AXIS", "metastatic", "kidney_normal & pth_normal & ~vitd_concern", -2, "moderate",
         "textbook", "Normal kidney function, PTH and vitamin D.", (1, 45)),
    Rule("MET-AGE-CHILD", "metastatic", "child & ~ckd_any & ~metabolic_cause", -1, "modifier", "case series",
         "Age modifier: children without CKD or a metabolic disease (no metastatic case in a paediatric "
         "cohort of 30).", (97,)),
    # ------------------------------------------------------------------ idiopathic
    # Kleene throughout: a rule never fires on an unknown input. Where a pattern has a known
    # contradiction (several nodules for SCN, raised PTH for HFTC) that is a separate rule against.
    Rule("IDI-SCROTAL", "idiopathic", "site_scrotum & scrotal_age", 2, "strong",
         "case series", "Scrotal (or vulvar) nodules from adolescence to middle age (idiopathic scrotal calcinosis).",
         (61, 62), phenotype="scrotal calcinosis"),
    Rule("IDI-SCN", "idiopathic", "site_head_neck & child", 2, "strong",
         "case series", "Head/neck nodule (ear, eyelid, cheek) in a child: subepidermal calcified nodule.",
         (63, 64), phenotype="subepidermal calcified nodule"),
    Rule("IDI-SCN-AGAINST-MULTIPLE", "idiopathic", "site_head_neck & child & ~solitary_lesion", -1, "weak",
         "case series", "Several head/neck lesions: subepidermal calcified nodules are solitary in about 80%.",
         (63, 64)),
    Rule("IDI-SCN-ANY-AGE", "idiopathic", "site_head_neck", 1, "weak",
         "case series", "Head/neck nodule (ear, eyelid, cheek) at any age: about 30% of subepidermal calcified "
         "nodules occur in adults (in a child IDI-SCN adds strong support; what explains a lesion counts against "
         "idiopathic, and O4 stops it leading).", (63, 64),
         phenotype="subepidermal calcified nodule"),
    Rule("IDI-MICC", "idiopathic", "has_down_syndrome & (site_acral | text_milia_like)", 2, "strong", "case series",
         "Milia-like papules on the hands or feet in a child with Down syndrome.", (65,),
         phenotype="milia-like calcinosis (Down syndrome)"),
    Rule("IDI-PHENOTYPE-NORMAL-LABS", "idiopathic",
         "labs_normal & ((site_scrotum & scrotal_age) | (site_head_neck & child) | "
         "(has_down_syndrome & (site_acral | text_milia_like)))", 1,
         "strong", "case series", "A named idiopathic phenotype with normal calcium and phosphate.",
         (61, 63, 65)),
    Rule("IDI-HFTC", "idiopathic", "site_periarticular & p_high & ~ca_high & kidney_normal & young_person", 3,
         "strong", "review",
         "Periarticular masses with high phosphate, normal calcium, PTH and kidney function in a young person "
         "(hyperphosphataemic familial tumoral calcinosis).", (66, 67), phenotype="tumoral calcinosis (HFTC)"),
    Rule("IDI-EXCLUSION", "idiopathic", "labs_normal", 2, "moderate", "textbook",
         "Normal calcium and phosphate: the metabolic arm of the exclusion (what else is known counts "
         "against below).", (1, 2)),
    Rule("IDI-FAMILY", "idiopathic", "has_family_history_calcinosis", 2, "moderate", "review",
         "Consanguinity or family history of tumoral calcinosis.", (66, 68)),
    Rule("IDI-NFTC", "idiopathic", "has_yemenite_jewish_ancestry & compatible_cp_lesion", 2, "moderate", "review",
         "Jewish-Yemenite ancestry with inflammatory skin lesions (normophosphataemic tumoral calcinosis).", (68,)),
    Rule("IDI-LOCALISED", "idiopathic", "has_localised", 1, "weak", "textbook",
         "Involvement limited to one region.", (4,)),
    Rule("IDI-CANDIDATE", "idiopathic", "case_described", 1, "candidate", "textbook",
         "Nothing-recorded order: idiopathic, a diagnosis of exclusion, is listed whenever the case has an age, "
         "a site or a history item (§6.8.4-5).", (1, 2, 45)),
    Rule("IDI-PHENOTYPE-SITE", "idiopathic", "site_scrotum | site_penis | (site_head_neck & child) | text_milia_like",
         2, "candidate", "case series",
         "A named idiopathic phenotype site (scrotum, vulva, penis; head and neck in a child; milia-like papules) "
         "puts idiopathic first in the nothing-recorded order (§6.8.4).", (61, 62, 63, 64, 65),
         phenotype="named idiopathic phenotype site"),
    Rule("IDI-TUMORAL-PATTERN", "idiopathic", "(site_periarticular | text_mass) & young_person", 1, "weak", "review",
         "Periarticular or tumoral masses in a child or young adult point to tumoral (idiopathic) calcinosis, "
         "pending phosphate (§6.8.4).", (66, 67), phenotype="tumoral calcinosis pattern (pending phosphate)"),
    Rule("IDI-AGAINST-EXPOSURE", "idiopathic", "iatrogenic_exposure", -3, "strong", "textbook",
         "A qualifying iatrogenic exposure explains the lesion.", (1, 2, 4)),
    Rule("IDI-AGAINST-CTD-INJURY", "idiopathic", "has_autoimmune_disease | has_injury | has_genetic_disorder", -2,
         "moderate", "textbook", "Known CTD, inherited disorder or local injury at the site.", (1, 2, 4)),
    Rule("IDI-AGAINST-EXPLAINED", "idiopathic", "ca_or_p_high & (ckd_g4_5 | has_hyperparathyroidism)", -3, "strong",
         "textbook", "Abnormal calcium/phosphate explained by CKD or hyperparathyroidism.", (1, 2, 43)),
    Rule("IDI-AGAINST-PTH", "idiopathic", "pth_high", -2, "moderate", "textbook",
         "Raised PTH: a parathyroid disorder is present (HFTC has normal PTH).", (1, 2, 66, 90)),
    Rule("IDI-AGAINST-KIDNEY", "idiopathic", "~kidney_normal", -2, "moderate", "textbook",
         "Impaired kidney function or dialysis: the exclusion needs normal kidney function.", (1, 2, 41, 43)),
    Rule("IDI-AGAINST-METABOLIC-CAUSE", "idiopathic", "metabolic_cause & ~ckd_g4_5", -2, "moderate", "textbook",
         "A disorder of calcium/phosphate metabolism on record (HPT, vitamin D excess, milk-alkali, sarcoidosis, "
         "malignancy, TLS).", (1, 2, 45)),
    Rule("IDI-AGAINST-ISCHAEMIC", "idiopathic", "ischaemic_lesion", -2, "moderate", "registry",
         "Necrosis, retiform purpura or a painful non-healing ulcer points to a vascular process, not idiopathic "
         "nodules.", (8, 9)),
    Rule("IDI-AGE-CHILD", "idiopathic", "child & ~infant", 1, "modifier", "proposed",
         "Age modifier: children (subepidermal nodule, milia-like and tumoral calcinosis).", (63, 65, 66)),
    # ------------------------------------------------------------------ iatrogenic
    Rule("IAT-IV-CALCIUM", "iatrogenic", "has_iv_calcium", 2, "strong", "case series",
         "Documented IV calcium (gluconate/chloride) or calcium/phosphate infusion.", (70, 71, 72, 73, 74, 75)),
    Rule("IAT-IV-SITE", "iatrogenic", "has_iv_calcium & site_infusion", 1,
         "strong", "case series", "...at the infusion site: completes the strong pattern.", (70, 72, 74)),
    Rule("IAT-AGAINST-LATE", "iatrogenic", "has_iv_calcium & ~exposure_in_window & ~onset_before_exposure", -1,
         "weak", "case series", "Onset more than 6 weeks after the infusion, outside the reported window.",
         (70, 71, 72, 73)),
    Rule("IAT-HEEL-STICK", "iatrogenic", "has_heel_sticks & site_heel", 2, "strong", "case series",
         "Heel nodules after neonatal heel sticks.", (4, 69)),
    Rule("IAT-HEEL-STICK-AGE", "iatrogenic", "has_heel_sticks & site_heel & heel_stick_peak_age", 1, "strong",
         "case series", "...first noticed at 4-12 months of age: completes the strong pattern.", (69,)),
    Rule("IAT-ELECTRODE", "iatrogenic", "has_electrode_paste", 2, "moderate", "case report",
         "Calcium chloride electrode paste (EEG/EMG), nodules at electrode sites.", (46, 78, 79)),
    Rule("IAT-ALGINATE", "iatrogenic", "has_alginate_dressing", 2, "moderate", "textbook",
         "Calcium alginate dressing on the affected wound.", (46,)),
    Rule("IAT-NICU", "iatrogenic", "has_nicu_stay", 2, "moderate", "case series",
         "NICU stay with treatment for hypocalcaemia.", (70, 71, 72, 73)),
    Rule("IAT-CALCIUM-INJECTION-SITE", "iatrogenic", "text_calcium_injection", 3, "strong", "case series",
         "The lesion is at the site of a calcium-containing injection or infusion named in the record "
         "(subcutaneous calcium heparin / nadroparin, calcium gluconate or chloride): parenteral calcium at the "
         "lesion site.", (4, 70, 101, 230)),
    Rule("IAT-PARENTERAL", "iatrogenic", "has_parenteral_nutrition", 1, "weak", "textbook",
         "Parenteral nutrition (calcium/phosphate infusion; no dedicated report retrieved).", (4, 101)),
    Rule("IAT-HOSPITAL", "iatrogenic", "has_recent_hospitalisation", 1, "weak", "textbook",
         "Recent hospital stay without a specific exposure record.", (5,)),
    Rule("IAT-PAS", "iatrogenic", "has_pas_therapy", 1, "weak", "textbook",
         "Para-aminosalicylic acid therapy.", (79,)),
    Rule("IAT-AGAINST-FAR-SITE", "iatrogenic", "has_iv_calcium & ~site_infusion & ~infant", -2, "moderate",
         "case series", "Lesion away from any access site beyond infancy (in infants with lines, occult or distant "
         "extravasation is reported, e.g. the flank after a femoral catheter).", (73, 77)),
    Rule("IAT-AGAINST-ONSET-BEFORE", "iatrogenic", "onset_before_exposure", -3, "strong", "proposed",
         "Lesion began before the exposure.", (5,)),
    Rule("IAT-AGE-INFANT", "iatrogenic", "infant", 1, "modifier", "proposed",
         "Age modifier: neonates and infants (heel sticks, extravasation).", (69, 70)),
    # ------------------------------------------------------------------ calciphylaxis
    Rule("CPX-UREMIC", "calciphylaxis", "ischaemic_lesion & (esrd | has_kidney_transplant)", 3, "strong", "registry",
         "Painful retiform purpura, necrosis, eschar or non-healing ulcer in a dialysis/eGFR<15/transplant "
         "patient.", (8, 9, 22)),
    Rule("CPX-BIOPSY", "calciphylaxis", "has_biopsy_vascular_calcification", 3, "strong", "cohort",
         "Biopsy with arteriolar medial calcification, stippled or peri-eccrine calcification.", (27,)),
    Rule("CPX-NONUREMIC", "calciphylaxis", "ischaemic_lesion & nonuremic_cp_setting", 2, "moderate",
         "systematic review", "The same lesions with warfarin/VKA, primary HPT, malignancy, liver disease or CTD "
         "on steroids (non-uremic calciphylaxis).", (18, 19, 20)),
    Rule("CPX-PROXIMAL", "calciphylaxis", "ischaemic_lesion & (site_proximal_fat | site_penis)", 2, "moderate",
         "cohort", "Necrotic or painful ulcerated lesions at fat-rich proximal sites (abdomen, thighs, buttocks, breasts) "
         "or the penis.", (17, 30)),
    Rule("CPX-XRAY", "calciphylaxis", "has_vascular_calcification_xray", 2, "moderate", "review",
         "Net-like small-vessel calcification on plain films.", (8,)),
    Rule("CPX-FEMALE", "calciphylaxis", "compatible_cp_lesion & female", 1, "weak", "case-control",
         "Female sex (OR 6.04).", (11, 12)),
    Rule("CPX-OBESITY", "calciphylaxis", "compatible_cp_lesion & has_obesity", 1, "weak", "case-control",
         "Obesity / high BMI.", (10, 12)),
    Rule("CPX-DIABETES", "calciphylaxis", "compatible_cp_lesion & has_diabetes", 1, "weak", "case-control",
         "Diabetes / insulin injections.", (12,)),
    Rule("CPX-ALBUMIN", "calciphylaxis", "compatible_cp_lesion & albumin_low", 1, "weak", "case-control",
         "Hypoalbuminaemia.", (11, 13)),
    Rule("CPX-MINERAL", "calciphylaxis", "compatible_cp_lesion & (p_high | caxp_metastatic | pth_very_high)", 1,
         "weak", "case-control", "High phosphate, Ca×P > 70 or PTH > 1,000 pg/mL.", (10, 11, 26)),
    Rule("CPX-VINTAGE", "calciphylaxis", "compatible_cp_lesion & dialysis_long", 1, "weak", "expert consensus",
         "Dialysis for more than 5 years.", (26,)),
    Rule("CPX-THROMBOPHILIA", "calciphylaxis", "compatible_cp_lesion & has_thrombophilia", 1, "weak", "case series",
         "Thrombophilia (protein C/S deficiency, lupus anticoagulant).", (24,)),
    Rule("CPX-STEROIDS", "calciphylaxis", "compatible_cp_lesion & has_corticosteroids", 1, "weak", "case-control",
         "Systemic corticosteroids.", (10,)),
    Rule("CPX-WEIGHT-LOSS", "calciphylaxis", "compatible_cp_lesion & has_weight_loss", 1, "weak", "review",
         "Recent weight loss.", (8, 22)),
    Rule("CPX-SETTING-UREMIC", "calciphylaxis", "uremic_setting", 2, "moderate", "registry",
         "Dialysis, eGFR < 15 or a kidney transplant: 77-86% of calciphylaxis patients are on dialysis "
         "(setting support, §6.8.1).", (10, 15, 17)),
    Rule("CPX-SETTING-CKD", "calciphylaxis", "ckd_g3b_4", 1, "weak", "case-control",
         "CKD G3b-G4 without dialysis (setting support, §6.8.1).", (12,)),
    Rule("CPX-SETTING-WARFARIN", "calciphylaxis", "has_warfarin", 2, "moderate", "registry",
         "Warfarin / VKA (52% of registry patients; the rule against counts lesions within ~2 weeks of starting "
         "it) (§6.8.1).", (14, 15, 19)),
    Rule("CPX-WARFARIN-SITE", "calciphylaxis",
         "has_warfarin & (site_distal_leg | site_proximal_fat | compatible_cp_lesion)", 1, "weak", "case series",
         "On warfarin, lesions on the legs or at fat-rich sites, or painful, ulcerated or necrotic ones (67% "
         "below the knee in warfarin-associated cases).", (19, 32)),
    Rule("CPX-HPT-LESION", "calciphylaxis", "has_hyperparathyroidism & (compatible_cp_lesion | site_proximal_fat)",
         1, "weak", "systematic review",
         "Primary hyperparathyroidism, the commonest non-uremic cause, with a painful, purpuric or necrotic "
         "lesion or one at a fat-rich site (§6.8.1).", (18, 33)),
    Rule("CPX-MALIGNANCY-LESION", "calciphylaxis", "has_malignancy & compatible_cp_lesion", 1, "weak",
         "systematic review", "Malignancy with a painful, purpuric or necrotic lesion (§6.8.1).", (18, 20)),
    Rule("CPX-VIOLACEOUS", "calciphylaxis", "text_violaceous & compatible_cp_lesion", 1, "weak", "review",
         "Violaceous indurated plaques or nodules that are painful, ulcerated or necrotic: the stage between "
         "livedo and retiform purpura or eschar in the calciphylaxis sequence (§4.3).", (7, 8, 30, 35)),
    Rule("CPX-PAIN-IN-SETTING", "calciphylaxis", "has_painful & cp_setting", 1, "weak", "review",
         "A painful lesion in a calciphylaxis setting: pain is its most consistent feature (§6.8.2).", (8, 9)),
    Rule("CPX-NECROSIS-RISK", "calciphylaxis", "has_necrosis & (cp_setting | cp_risk_factor | caxp_metastatic)", 2,
         "moderate", "case-control",
         "Necrosis, eschar, retiform purpura or livedo racemosa with a calciphylaxis setting or risk factor, or a "
         "Ca×P at or above the metastatic threshold (§6.8.3).", (8, 9, 10, 11, 12)),
    Rule("CPX-FAT-SITE-RISK", "calciphylaxis", "site_proximal_fat & cp_risk_factor", 1, "modifier", "case-control",
         "A calciphylaxis risk factor (obesity, diabetes, female sex, steroids, liver disease, CTD) with a lesion "
         "at a fat-rich site adds to calciphylaxis beside other support; it is not a setting on its own "
         "(§6.8.1).", (10, 12, 17, 18, 30)),
    Rule("CPX-AGAINST-PAINLESS", "calciphylaxis", "painless_without_necrosis", -3, "strong", "textbook",
         "Painless, slowly growing nodules without purpura or necrosis.", (5, 8, 9)),
    Rule("CPX-AGAINST-CTD-DIGITAL", "calciphylaxis", "ctd_digital_ulcer & ischaemic_lesion", -2, "moderate",
         "cohort", "A painful ulcerated fingertip/hand lesion without necrosis in known CTD is typical of SSc "
         "calcinosis (rank by site, §6.5); calciphylaxis lesions are necrotic and mostly proximal.",
         (17, 30, 55, 56)),
    Rule("CPX-AGAINST-WARFARIN-NECROSIS", "calciphylaxis", "has_warfarin & warfarin_recent_start", -2, "moderate",
         "review", "Lesions within days of starting warfarin favour warfarin skin necrosis.", (32, 33)),
    Rule("CPX-AGE-CHILD", "calciphylaxis", "below_calciphylaxis_age", -2, "modifier", "proposed",
         "Age modifier: younger than any patient in the retrieved calciphylaxis series (15 y).",
         (12, 15, 16, 18)),
)

OVERRIDES: tuple[Override, ...] = (
    Override("O1-CALCIPHYLAXIS-MUST-EXCLUDE", "calciphylaxis", "rank_first",
             "cp_must_exclude & not_known(ctd_digital_ulcer)",
             "Painful retiform purpura, necrosis, eschar or non-healing ulcer with dialysis, eGFR < 15, a kidney "
             "transplant or warfarin: calciphylaxis is ranked first regardless of labs - unless the only sign is "
             "an ulcerated digital lesion without necrosis in known CTD, which is ranked by site (§6.5).",
             (9, 15, 19, 22, 56)),
    Override("O6-NECROSIS-OUTRANKS", "calciphylaxis", "rank_first",
             "has_necrosis & (cp_setting | nonuremic_cp_setting | caxp_metastatic) & "
             "not_known(iatrogenic_exposure) & not_known(below_calciphylaxis_age)",
             "Necrosis, eschar, retiform purpura or livedo racemosa in any calciphylaxis setting (dialysis, eGFR < "
             "15, transplant, CKD G3b-G4, warfarin/VKA, primary HPT, malignancy, liver disease, CTD on steroids) "
             "or with a Ca×P at or above the metastatic threshold: calciphylaxis is ranked first, extending O1 "
             "beyond dialysis, transplant and warfarin (§6.8.3) - unless a recorded exposure (extravasation) "
             "explains the necrosis, or the patient is younger than any reported calciphylaxis patient.",
             (9, 10, 12, 15, 18, 19, 20, 33, 74, 75)),
    Override("O3-IATROGENIC-NEEDS-EXPOSURE", "iatrogenic", "rank_at_most_third", "not_known(iatrogenic_exposure)",
             "Without a recorded qualifying exposure, iatrogenic cannot rank above third.", (2, 4, 5)),
    Override("O4-IDIOPATHIC-EXCLUSION", "idiopathic", "lead_only_if",
             "(labs_normal & ~strong_other_idiopathic) | (phenotype_idiopathic & not_known(explaining_history))",
             "Idiopathic is a diagnosis of exclusion: it leads only with calcium and phosphate known to be normal "
             "and no strong support elsewhere, or through a named phenotype with nothing that explains the "
             "lesion.", (1, 2, 45)),
    Override("O5-METASTATIC-NEEDS-BASIS", "metastatic", "lead_only_if", "metastatic_basis",
             "Metastatic calcinosis leads only with a recorded abnormality of calcium/phosphate metabolism or a "
             "disorder that produces it; periarticular or tumoral masses alone point to tumoral or dystrophic "
             "calcinosis (§2.2, §6.8.4).", (1, 2, 45, 66)),
)

COEXISTENCE: tuple[Coexistence, ...] = (
    Coexistence("X-UREMIC-SETTING",
                "uremic_setting & not_known(painless_without_necrosis) & not_known(metastatic_pattern) & "
                "not_known(below_calciphylaxis_age)",
                "calciphylaxis", "metastatic", True,
                "Dialysis, eGFR < 15 or transplant: calciphylaxis ranks above metastatic unless the lesion is known "
                "to be painless without purpura or necrosis, or periarticular/tumoral masses with a high Ca×P "
                "show the metastatic pattern (§6.8.1). The order comes from adult dialysis series: below the "
                "youngest reported calciphylaxis age (15 y) it does not apply (§6.3 age modifiers).",
                (10, 12, 15, 16, 18, 43, 45)),
    Coexistence("X-PAIN-KIDNEY", "has_painful & (uremic_setting | ckd_g3b_4) & not_known(metastatic_pattern) & "
                "not_known(below_calciphylaxis_age)",
                "calciphylaxis", "metastatic", True,
                "A painful lesion in advanced CKD, on dialysis or after transplant: calciphylaxis leads, the "
                "CKD-mineral derangement contributing (pain is its most consistent feature; metastatic deposits "
                "are typically painless) - unless periarticular, tumoral or fingertip deposits with a high Ca×P "
                "show the metastatic pattern, whose masses can also hurt (§2.2, §6.8.1-2). Not below the youngest "
                "reported calciphylaxis age (15 y, §6.3).", (5, 8, 9, 10, 11, 12, 15, 44)),
    Coexistence("X-PAIN-HPT-MALIGNANCY",
                "has_painful & (has_hyperparathyroidism | has_malignancy) & not_known(metastatic_pattern) & "
                "not_known(below_calciphylaxis_age)",
                "calciphylaxis", "metastatic", True,
                "A painful lesion with primary HPT or malignancy: calciphylaxis leads, the metabolic cause "
                "contributing, unless the deposits show the metastatic pattern (§6.8.2); not below the youngest "
                "reported calciphylaxis age (15 y, §6.3).", (5, 8, 9, 12, 15, 18, 33, 44)),
    Coexistence("X-NECROSIS-MINERAL", "has_necrosis & (ca_or_p_high | caxp_elevated | caxp_metastatic | metabolic_cause)",
                "calciphylaxis", "metastatic", True,
                "Necrosis or retiform purpura outrank a high Ca×P: with a mineral derangement or its cause, "
                "calciphylaxis primary, metastatic contributing (§6.5, §6.8.3).", (10, 18, 46)),
    Coexistence("X-CTD-IN-CKD", "has_autoimmune_disease & (site_digits_hands | site_jdm) & ckd_g4_5",
                "dystrophic", "metastatic", True,
                "CTD-typical deposits in a patient with advanced CKD: dystrophic primary, metastatic milieu "
                "contributing.", (43, 56, 57)),
    Coexistence("X-CTD-DIGITAL-ULCER", "ctd_digital_ulcer & cp_must_exclude", "dystrophic", "calciphylaxis", True,
                "An ulcerated fingertip/hand lesion without necrosis in known CTD on dialysis or warfarin: ranked "
                "by site as dystrophic, calciphylaxis kept beside it (not excluded: urgency and risk stand).",
                (9, 43, 56, 57)),
    Coexistence("X-EXTRAVASATION-ESRD",
                "((has_iv_calcium & site_infusion) | text_calcium_injection) & (esrd | caxp_metastatic)",
                "iatrogenic", "metastatic", True,
                "Extravasation (or a calcium-containing injection at the site) in ESRD / high Ca×P: iatrogenic "
                "primary, metastatic contributing.", (76, 230)),
    Coexistence("X-HEEL-STICK-DYSTROPHIC", "has_heel_sticks & site_heel", "iatrogenic", "dystrophic", True,
                "Heel-stick nodules: iatrogenic exposure with a dystrophic mechanism.", (4, 69)),
    Coexistence("X-SCROTAL-SCN-DYSTROPHIC", "phenotype_idiopathic & ~site_periarticular", "idiopathic", "dystrophic",
                False, "Scrotal calcinosis and subepidermal nodules: idiopathic by convention, possibly dystrophic "
                "in origin (cysts, trauma).", (61, 63, 64)),
    Coexistence("X-SCFN", "has_scfn & infant", "dystrophic", "metastatic", True,
                "Subcutaneous fat necrosis: dystrophic now, with a risk of hypercalcaemia later.", (80,)),
    Coexistence("X-HFTC", "site_periarticular & p_high & ~ca_high & kidney_normal & young_person & "
                "not_known(pth_high)", "idiopathic", "metastatic", True,
                "Hyperphosphataemic tumoral calcinosis: idiopathic (tumoral) with an FGF23-pathway metabolic "
                "basis, not CKD-related metastatic.", (66, 67)),
)

RISK_FACTORS: tuple[RiskFactor, ...] = (
    RiskFactor("RISK-DIALYSIS-LONG", "major", "dialysis_long", "Dialysis for more than 5 years.", (26,)),
    RiskFactor("RISK-WARFARIN", "major", "has_warfarin", "Long-term warfarin/VKA.", (13, 14, 15, 26)),
    RiskFactor("RISK-BINDERS", "major", "has_calcium_binders", "High-dose calcium-based binders > 6 months.", (26,)),
    RiskFactor("RISK-ACTIVE-VITD", "major", "has_active_vitamin_d", "Active vitamin D > 0.5 µg/day.", (26,)),
    RiskFactor("RISK-THROMBOPHILIA", "major", "has_thrombophilia", "Protein C/S deficiency or thrombophilia.", (24, 26)),
    RiskFactor("RISK-PTH-1000", "major", "pth_very_high", "iPTH > 1,000 pg/mL.", (26,)),
    RiskFactor("RISK-DIALYSIS", "minor", "esrd & not_known(dialysis_long)", "Dialysis (< 5 years) or eGFR < 15.",
               (15, 26)),
    RiskFactor("RISK-OBESITY", "minor", "has_obesity", "Obesity.", (10, 12, 26)),
    RiskFactor("RISK-DIABETES", "minor", "has_diabetes", "Diabetes / insulin injections.", (12, 26)),
    RiskFactor("RISK-ALBUMIN", "minor", "albumin_low", "Hypoalbuminaemia.", (11, 13, 26)),
    RiskFactor("RISK-STEROIDS", "minor", "has_corticosteroids", "Long-term steroids or immunosuppressants.", (10, 26)),
    RiskFactor("RISK-HYPERCALCAEMIA", "minor", "ca_high", "Hypercalcaemia.", (12, 26)),
    RiskFactor("RISK-HYPERPHOSPHATAEMIA", "minor", "p_high", "Hyperphosphataemia.", (11, 26)),
    RiskFactor("RISK-CAXP-70", "minor", "caxp_metastatic", "Ca×P > 70 mg²/dL².", (10,)),
    RiskFactor("RISK-PTH-LOW-DIALYSIS", "minor", "esrd & pth_below_dialysis_target", "iPTH < 300 pg/mL on dialysis.",
               (26,)),
    RiskFactor("RISK-FEMALE", "minor", "female & (esrd | has_warfarin)", "Female sex (OR 6.04) in a high-risk setting.",
               (11,)),
    RiskFactor("RISK-LIVER", "minor", "has_liver_disease", "Liver disease.", (10, 18)),
)

URGENCY: tuple[UrgencyTrigger, ...] = (
    UrgencyTrigger("URG-CALCIPHYLAXIS", "emergency", "cp_must_exclude",
                   "Suspected calciphylaxis (1-year mortality up to ~45-80%).", (9, 10, 17)),
    UrgencyTrigger("URG-CALCIPHYLAXIS-TOP", "emergency", "top_calciphylaxis & compatible_cp_lesion",
                   "The rules rank calciphylaxis first with a compatible lesion.", (9, 10, 17)),
    UrgencyTrigger("URG-UREMIC-PAIN", "emergency", "has_painful & uremic_setting",
                   "A painful lesion on dialysis or after a kidney transplant (suspected calciphylaxis, §6.8.2).",
                   (8, 9, 106)),
    UrgencyTrigger("URG-SEPSIS", "emergency", "has_fever_sepsis", "Fever, spreading erythema or sepsis.", (106,)),
    UrgencyTrigger("URG-CA-CRISIS", "emergency", "ca_crisis", "Corrected calcium ≥ 14 mg/dL (override O2).", (52,)),
    UrgencyTrigger("URG-CA-SYMPTOMS", "emergency", "ca_high & has_hypercalcaemia_symptoms",
                   "Hypercalcaemia with confusion, vomiting, polyuria or dehydration.", (50, 52)),
    UrgencyTrigger("URG-TLS", "emergency", "tls_pattern & (ca_low | egfr_below_60)",
                   "Post-chemotherapy hyperphosphataemia with hypocalcaemia or renal impairment (TLS).", (53,)),
    UrgencyTrigger("URG-EXTRAVASATION", "emergency", "has_iv_calcium & (has_necrosis | has_blistering)",
                   "Acute extravasation with blistering, necrosis or compartment signs.", (74, 75)),
    UrgencyTrigger("URG-SCFN", "emergency", "has_scfn & (ionized_above_scfn_limit | has_hypercalcaemia_symptoms)",
                   "Infant with SCFN and ionised Ca > 1.6 mmol/L or hypercalcaemia symptoms.", (80,)),
    UrgencyTrigger("URG-UREMIC-SETTING", "urgent", "uremic_setting",
                   "Calcinosis on dialysis, with eGFR < 15 or after transplant: calciphylaxis is a can't-miss "
                   "diagnosis (assessment within days, §6.8.1).", (9, 17)),
    UrgencyTrigger("URG-CALCIPHYLAXIS-FIRST", "urgent", "top_calciphylaxis",
                   "The rules rank calciphylaxis first.", (9, 17)),
    UrgencyTrigger("URG-CA-MODERATE", "urgent", "ca_moderate_or_worse", "Moderate hypercalcaemia (≥ 12 mg/dL).", (52,)),
    UrgencyTrigger("URG-CAXP", "urgent", "caxp_metastatic", "Ca×P ≥ 70 mg²/dL².", (1, 5)),
    UrgencyTrigger("URG-PTH-INDEPENDENT", "urgent", "pth_independent_hypercalcaemia",
                   "PTH-independent hypercalcaemia (possible malignancy).", (99,)),
    UrgencyTrigger("URG-JDM", "urgent", "child & has_autoimmune_disease",
                   "New calcinosis in a child with dermatomyositis features (active disease).", (57,)),
    UrgencyTrigger("URG-PROGRESSING", "urgent", "has_rapid_growth | has_ulceration | has_painful",
                   "Rapidly enlarging, ulcerating or painful lesions.", (5,)),
    UrgencyTrigger("URG-CP-RISK", "urgent", "cp_risk_high", "High calciphylaxis risk.", (26,)),
)

NEXT_STEPS: tuple[NextStep, ...] = (
    # Asked for only when the test was not given: a value whose status is unknown for want of age asks for age.
    NextStep("NEXT-PHOSPHATE", "unknown(phosphate_status_code) & unknown(phosphate)",
             "Request serum phosphate (age-appropriate range); Ca×P cannot be computed without it.", (36, 82)),
    NextStep("NEXT-CALCIUM", "unknown(calcium_status_code) & unknown(calcium) & unknown(ionized_calcium)",
             "Request serum calcium with albumin, or ionised calcium.", (52, 94)),
    NextStep("NEXT-AGE", "unknown(age_years) & ((known(phosphate) & unknown(phosphate_status_code)) | "
             "(unknown(calcium_status_code) & (known(calcium) | known(ionized_calcium))) | "
             "(known(pth) & unknown(pth_status_code)))",
             "Record age: the ranges depend on it (calcium, phosphate and PTH are judged against age-specific "
             "reference ranges).", (81, 82, 83)),
    NextStep("NEXT-ALBUMIN", "known(calcium) & unknown(albumin) & unknown(ionized_calcium)",
             "Calcium is not albumin-adjusted: request albumin or (preferably) ionised calcium.", (52, 94)),
    NextStep("NEXT-HIGH-CA", "ca_high & unknown(pth_status_code)",
             "High calcium: request intact PTH with a simultaneous calcium, phosphate, creatinine/eGFR and 25-OH "
             "vitamin D.", (90, 99)),
    NextStep("NEXT-PTH-DEPENDENT", "ca_high & ~pth_low", "High calcium with high or inappropriately normal PTH: "
             "pattern of primary (or tertiary) hyperparathyroidism; consider endocrine referral.", (90,)),
    NextStep("NEXT-PTH-INDEPENDENT", "pth_independent_hypercalcaemia",
             "PTH-independent hypercalcaemia: PTHrP, 25-OH D, 1,25-(OH)₂D, serum protein electrophoresis / "
             "immunofixation, calcium/alkali intake and bicarbonate.", (48, 50, 92, 99)),
    NextStep("NEXT-HIGH-P", "p_high & ~ca_high & ~has_chemotherapy",
             "High phosphate with low/normal calcium: creatinine/eGFR and PTH (CKD with secondary HPT).", (43,)),
    NextStep("NEXT-TLS", "p_high & has_chemotherapy", "High phosphate after chemotherapy: uric acid, potassium, LDH "
             "(tumour lysis).", (53,)),
    NextStep("NEXT-HFTC", "site_periarticular & p_high & ~ca_high & kidney_normal & young_person",
             "High phosphate with normal calcium and kidney function and periarticular masses: tubular phosphate "
             "reabsorption, intact and C-terminal FGF23, 1,25-(OH)₂D; genetic testing (GALNT3, FGF23, KL).",
             (66, 67)),
    NextStep("NEXT-KIDNEY", "unknown(egfr_used) & unknown(has_dialysis)", "Request creatinine for an eGFR category.",
             (41,)),
    NextStep("NEXT-CTD", "has_autoimmune_disease | has_raynaud_digital_ulcers",
             "CTD work-up: ANA, anticentromere, Scl-70; myositis panel including anti-NXP2; CK.", (54, 55, 58)),
    NextStep("NEXT-CALCIPHYLAXIS", "compatible_cp_lesion & (esrd | has_kidney_transplant | has_warfarin | "
             "top_calciphylaxis)",
             "Suspected calciphylaxis: urgent nephrology/dermatology review; skin biopsy sampling subcutaneous fat "
             "with von Kossa/Alizarin red if it will change management; thrombophilia screen; ALP, albumin; plain "
             "films or bone scan; review warfarin, steroids, calcium binders and vitamin D.", (8, 24, 26, 27)),
    # §6.8 worked example K: on dialysis with nothing else recorded, the lesion features decide the urgency and
    # PTH the CKD-mineral picture; ask for them by name.
    NextStep("NEXT-UREMIC-LESION", "uremic_setting & unknown(painful) & unknown(necrosis) & unknown(ulceration)",
             "On dialysis, with eGFR < 15 or after a transplant: record whether the lesion is painful, purpuric, "
             "ulcerated or necrotic - pain is the most consistent feature of calciphylaxis, and a painful lesion "
             "here makes it an emergency.", (8, 9, 17)),
    NextStep("NEXT-UREMIC-PTH", "uremic_setting & unknown(pth_status_code) & unknown(pth)",
             "Advanced CKD or dialysis: request intact PTH with calcium and phosphate (CKD-mineral bone disorder; "
             "PTH > 1,000 pg/mL is a calciphylaxis risk factor).", (26, 43)),
    NextStep("NEXT-NODULE", "labs_normal & ~compatible_cp_lesion",
             "Unclear nodule with normal labs: excision or biopsy (von Kossa / Alizarin red); plain radiograph.",
             (27, 63, 69)),
    NextStep("NEXT-PXE", "has_genetic_disorder & site_neck_flexural",
             "Suspected PXE: dilated fundoscopy (angioid streaks), skin biopsy with von Kossa, ABCC6 testing.", (60,)),
    NextStep("NEXT-SCFN", "has_scfn & infant", "SCFN: ionised calcium now and monitoring for at least 3 months.", (80,)),
    NextStep("NEXT-MICC", "has_down_syndrome & (site_acral | text_milia_like)",
             "Milia-like papules in Down syndrome: normal labs expected; observation.", (65,)),
)
