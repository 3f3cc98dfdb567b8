"""What is usually done: cited management options per subtype (data only).

Each option says what it is, for which subtype(s) and, through ``when``, for which cases it is shown; how
strong the evidence is (in words from :data:`~calcinosis_classify.knowledge.model.EVIDENCE_LEVELS`); whether
it is standard practice, off-label or weakly supported; when it does not apply; its references; and the same
option in plain words for patients. They are options for a clinician to weigh, never instructions.

Validated when the package is imported: an option without a reference or an evidence level, citing a
reference the table does not have, naming an unknown subtype, evidence word or practice status, or with a
``when`` condition naming an unknown finding, fails then with its id.
"""

from __future__ import annotations

from calcinosis_classify.knowledge.model import SUBTYPES, ManagementOption

__all__ = ["MANAGEMENT"]

_CP = ("calciphylaxis",)
_MET = ("metastatic",)
_DYS = ("dystrophic",)
_IDI = ("idiopathic",)
_IAT = ("iatrogenic",)

MANAGEMENT: tuple[ManagementOption, ...] = (
    # ------------------------------------------------------------------ calciphylaxis
    ManagementOption(
        "MGT-CPX-TEAM", _CP,
        "Urgent multidisciplinary care (nephrology, dermatology, wound care, pain and palliative care), usually "
        "in hospital.",
        ("expert consensus", "no controlled trial"), "standard practice",
        "Mortality remains high (historic 1-year mortality 45-80%); goals of care are discussed early.",
        (9, 16, 17, 102),
        "Care from a team that knows kidneys, skin, wounds and pain. This often means a stay in hospital."),
    ManagementOption(
        "MGT-CPX-WOUND-PAIN", _CP,
        "Wound care (debridement of necrotic tissue where it helps, prevention and treatment of infection) and "
        "multimodal pain control.",
        ("observational cohort", "expert consensus"), "standard practice",
        "Surgical debridement went with better 1-year survival in one cohort (61.6% vs 27.4%), not a trial; "
        "sepsis is the usual cause of death; the pain is often hard to control.",
        (10, 102, 106),
        "Careful care of the wound to help it heal and keep germs out. Strong enough pain relief."),
    ManagementOption(
        "MGT-CPX-STS", _CP,
        "Intravenous sodium thiosulfate (in dialysis patients usually given with the sessions).",
        ("observational cohort", "case series", "no controlled trial"), "off-label",
        "Widely used, but meta-analyses of cohort studies found no significant benefit on lesions or survival; "
        "no randomised trial has reported.",
        (9, 111, 112),
        "A medicine called sodium thiosulfate, given by drip. It is often tried, but it is not proven to help."),
    ManagementOption(
        "MGT-CPX-STOP-VKA", _CP,
        "Stop warfarin or another vitamin K antagonist; if anticoagulation is still needed, change to another "
        "anticoagulant.",
        ("case-control", "case series", "expert consensus"), "standard practice",
        "Only for a patient taking a VKA; the reason for anticoagulation is weighed again, not dropped. In "
        "warfarin-associated non-uremic calciphylaxis 83% recovered after warfarin was stopped.",
        (9, 14, 19),
        "If you take warfarin, a blood thinner, your team may change it for another one. Do not stop it on "
        "your own.",
        when="not_known(~has_warfarin)"),
    ManagementOption(
        "MGT-CPX-MINERAL", _CP,
        "Correct calcium, phosphate and PTH: non-calcium phosphate binders, dialysis adjustment, cinacalcet, or "
        "parathyroidectomy for hyperparathyroidism that medicines do not control.",
        ("guideline", "observational cohort", "no controlled trial"), "standard practice",
        "Parathyroidectomy and cinacalcet showed no survival difference in cohorts and a meta-analysis; the "
        "operation is for uncontrolled hyperparathyroidism only.",
        (9, 10, 112, 113),
        "Keeping calcium and phosphate in the blood at healthy levels. This can mean changes to food, dialysis "
        "or medicine."),
    ManagementOption(
        "MGT-CPX-AVOID-CALCIUM", _CP,
        "Avoid calcium-based phosphate binders, calcium supplements and active vitamin D.",
        ("case-control", "expert consensus"), "standard practice",
        "Effect sizes are not established; non-calcium binders went with better survival in a French cohort, and "
        "KDIGO 2017 suggests restricting calcium-based binders in CKD anyway.",
        (22, 26, 113),
        "Not taking extra calcium, or some kinds of vitamin D, unless your team says so."),
    ManagementOption(
        "MGT-CPX-BIOPSY", _CP,
        "Deep skin biopsy sampling subcutaneous fat (von Kossa / Alizarin red) only when its result would change "
        "management.",
        ("case series", "expert consensus"), "standard practice",
        "A biopsy can leave a new wound that does not heal, and misses some cases (positive in 64.7% in one "
        "series); the diagnosis is often clinical.",
        (8, 21, 23, 27),
        "Sometimes a small sample of skin, but only if the result would change your care. The cut can be slow "
        "to heal."),
    # ------------------------------------------------------------------ metastatic
    ManagementOption(
        "MGT-MET-CAUSE", _MET,
        "Treat the disorder of calcium-phosphate metabolism that causes the deposits.",
        ("expert consensus",), "standard practice",
        "The cause decides the treatment: kidney disease, hyperparathyroidism, vitamin D or calcium-alkali excess, "
        "malignancy, sarcoidosis or tumour lysis.",
        (1, 2, 5),
        "Treating the cause of the high calcium or phosphate in the blood."),
    ManagementOption(
        "MGT-MET-PHOSPHATE", _MET,
        "In CKD: lower phosphate toward normal (diet, phosphate binders, adequate dialysis), restricting "
        "calcium-based binders.",
        ("guideline",), "standard practice",
        "The updated KDIGO 2017 statements are weak (grade 2) or ungraded; phosphate-lowering is for persistent "
        "or progressive hyperphosphataemia.",
        (36, 113, 122),
        "If the kidneys are part of the cause: less phosphate in food, pills that soak up phosphate, and enough "
        "dialysis if you need it.",
        when="not_known(~ckd_any)"),
    ManagementOption(
        "MGT-MET-PTH", _MET,
        "Hyperparathyroidism: parathyroidectomy for primary (and for refractory secondary or tertiary) disease; "
        "cinacalcet for secondary hyperparathyroidism on dialysis.",
        ("guideline", "expert consensus"), "standard practice",
        "Needs a PTH with a simultaneous calcium to tell primary from secondary disease.",
        (113, 118),
        "If a small gland in the neck makes too much of the hormone that controls calcium: medicine, or an "
        "operation to take out the gland.",
        when="not_known(~has_hyperparathyroidism) | pth_high"),
    ManagementOption(
        "MGT-MET-STOP-EXCESS", _MET,
        "Stop excess vitamin D and calcium (supplements, calcium carbonate antacids, milk-alkali intake).",
        ("case series", "expert consensus"), "standard practice",
        "Only when such intake is recorded or suspected; over-the-counter supplements and antacids are asked about.",
        (48, 50),
        "Stopping extra vitamin D or calcium pills, or antacids, if you take them.",
        when="not_known(~has_vitamin_d_excess) | not_known(~has_milk_alkali) | not_known(~has_calcium_supplements)"),
    ManagementOption(
        "MGT-MET-HCM", _MET,
        "Hypercalcaemia of malignancy: IV fluids with denosumab or an IV bisphosphonate (adding calcitonin when "
        "calcium is above 14 mg/dL), and treatment of the cancer.",
        ("guideline", "randomised trial"), "standard practice",
        "Endocrine Society 2023: a strong recommendation for denosumab or an IV bisphosphonate; its other "
        "suggestions rest on low-certainty evidence.",
        (114,),
        "If a cancer makes the calcium high: fluids and medicine by drip to bring the calcium down, along with "
        "care for the cancer.",
        when="not_known(~has_malignancy) & not_known(~ca_high)"),
    # ------------------------------------------------------------------ dystrophic
    ManagementOption(
        "MGT-DYS-CTD", _DYS,
        "Treat the underlying connective-tissue disease; in juvenile dermatomyositis, early and adequate "
        "immunosuppression.",
        ("observational cohort", "expert consensus"), "standard practice",
        "Calcinosis goes with longer untreated, active disease in JDM; whether treatment shrinks established "
        "deposits is uncertain.",
        (57, 105, 110),
        "Treating the illness that harmed the skin, such as an immune disease.",
        when="not_known(~has_autoimmune_disease)"),
    ManagementOption(
        "MGT-DYS-DILTIAZEM", _DYS,
        "Diltiazem (a calcium-channel blocker), over months.",
        ("case series", "observational cohort"), "off-label",
        "Partial responses only (9 of 17 treated patients in a 78-patient retrospective series); level IV "
        "evidence in a systematic review.",
        (59, 110),
        "A pill called diltiazem. It helps some people a little, over months."),
    ManagementOption(
        "MGT-DYS-BISPHOSPHONATE", _DYS,
        "Bisphosphonates (e.g. IV pamidronate; oral alendronate or etidronate).",
        ("case series", "case reports"), "off-label",
        "Level IV evidence, mostly children with juvenile dermatomyositis.",
        (110, 119),
        "Bone medicines, such as pamidronate, that may slow the build-up of calcium. The proof is weak."),
    ManagementOption(
        "MGT-DYS-STS", _DYS,
        "Sodium thiosulfate: intralesional or topical for localised deposits; intravenous for severe, widespread "
        "disease.",
        ("case series", "case reports"), "off-label",
        "Level IV evidence; injections cause brief pain; intravenous use rests on single cases.",
        (110, 117, 120),
        "A medicine called sodium thiosulfate. It can be put into the lump or on the skin. It is still being "
        "studied."),
    ManagementOption(
        "MGT-DYS-COLCHICINE", _DYS,
        "Colchicine for the inflammation around deposits.",
        ("case reports",), "weakly supported",
        "In the first report it calmed the inflammation but did not shrink the deposits.",
        (57, 121),
        "A pill called colchicine that can calm redness and swelling around the lumps."),
    ManagementOption(
        "MGT-DYS-SURGERY", _DYS,
        "Surgical excision (or CO2 laser) of localised deposits that are painful, ulcerated, infected or limit "
        "function.",
        ("case series", "observational cohort"), "standard practice",
        "Deposits can recur; fingertip surgery risks nerve and vessel damage; CO2 laser often scars.",
        (59, 117),
        "Taking out a painful or troublesome lump with surgery or a laser. Lumps can come back."),
    # ------------------------------------------------------------------ idiopathic
    ManagementOption(
        "MGT-IDI-OBSERVE", _IDI,
        "Reassurance and observation of stable, painless nodules with normal calcium, phosphate and PTH.",
        ("case series",), "standard practice",
        "Only once the labs are known to be normal and the nodule is stable.",
        (62, 63, 65),
        "Often nothing needs to be done. These lumps are harmless."),
    ManagementOption(
        "MGT-IDI-EXCISION", _IDI,
        "Excision, which is diagnostic and curative for subepidermal calcified nodules and scrotal calcinosis.",
        ("case series",), "standard practice",
        "Recurrence after scrotal excision is rare; tumoral calcinosis needs a phosphate work-up first.",
        (61, 63, 64),
        "A small operation to take out the lump. For some kinds of lump this is a cure."),
    ManagementOption(
        "MGT-IDI-HFTC", _IDI,
        "Hyperphosphataemic tumoral calcinosis: low-phosphate diet and phosphate binders, with specialist care.",
        ("case series", "expert consensus"), "weakly supported",
        "Only with a confirmed high phosphate and normal kidney function; responses to diet and binders vary.",
        (66, 67),
        "If the blood phosphate is high from birth: less phosphate in food and pills that soak it up.",
        when="not_known(~p_high) & (text_mass | site_periarticular)"),
    # ------------------------------------------------------------------ iatrogenic
    ManagementOption(
        "MGT-IAT-STOP", _IAT,
        "Stop or avoid the exposure (calcium or phosphate infusion at that site, calcium chloride electrode "
        "paste, calcium alginate dressing).",
        ("case series", "expert consensus"), "standard practice",
        "The exposure has usually already ended by the time nodules appear.",
        (4, 46, 79),
        "Stopping what put the calcium into the skin, such as a drip, a skin paste or a dressing."),
    ManagementOption(
        "MGT-IAT-WAIT", _IAT,
        "Watchful waiting: most extravasation nodules resolve within 1-6 months and heel-stick nodules by "
        "18-30 months.",
        ("case series",), "standard practice",
        "Severe or occult extravasation (necrosis, extrusion, a distant site) may need debridement or grafting.",
        (69, 70, 71, 73),
        "Waiting. Most of these lumps go away by themselves within a few months. Lumps on a baby's heel can "
        "take a year or two."),
    ManagementOption(
        "MGT-IAT-EXTRAVASATION", _IAT,
        "Prompt treatment of an acute extravasation: stop the infusion, aspirate, elevate; hyaluronidase and "
        "warm compresses per local protocol; surgical review for necrosis or compartment signs.",
        ("expert consensus", "case reports"), "standard practice",
        "Only for a recent extravasation; antidote use varies between protocols.",
        (74, 75, 115),
        "If a drip has leaked into the skin, the area needs care quickly.",
        when="not_known(~has_iv_calcium)"),
    ManagementOption(
        "MGT-IAT-PREVENT", _IAT,
        "Prevention: IV protocols for calcium and phosphate infusions (dilution, a secure line, frequent site "
        "checks) and an infiltration-management checklist.",
        ("expert consensus",), "standard practice",
        "Lowers the risk of extravasation but cannot remove it.",
        (70, 115, 116),
        "Hospitals use careful rules for drips to help stop this from happening again."),
    # ------------------------------------------------------------------ every subtype
    ManagementOption(
        "MGT-ALL-WATCH", SUBTYPES,
        "Watch for infection, ulceration and severe or increasing pain, which call for prompt review.",
        ("expert consensus",), "standard practice",
        "Applies to every subtype; in calciphylaxis, sepsis is the usual cause of death.",
        (5, 106),
        "Watch for signs of infection, an open sore, or pain that gets worse. These need a doctor soon."),
)
