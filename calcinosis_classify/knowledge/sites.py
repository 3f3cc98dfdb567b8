"""Free-text lesion sites and descriptions -> site and morphology groups (data only).

Patterns are regular expressions matched case-insensitively against the
``lesion_site`` and ``lesion_description`` text. Groups overlap on purpose
(a hip is periarticular and a fat-rich proximal site). Sources: the typical
sites of clinical-spec §2 and §4.3.
"""

from __future__ import annotations

__all__ = ["MORPHOLOGY_GROUPS", "SITE_GROUPS"]

# group -> (pattern, description, refs)
SITE_GROUPS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "site_digits_hands": (r"finger|thumb|digit|fingertip|\bhands?\b|palm|knuckle|nail|pulp",
                          "fingers, thumbs or hands (SSc-typical)", (56,)),
    "site_periarticular": (r"periarticular|juxta-?articular|shoulder|elbow|\bhips?\b|(?<!below )(?<!below the )knee|"
                           r"\bjoints?\b|olecran",
                           "periarticular / large joints", (44, 47, 66)),
    "site_jdm": (r"elbow|(?<!below )(?<!below the )knee|buttock|gluteal|trunk|\bback\b(?! of)|\bchest\b",
                 "JDM pressure points (elbows, knees, buttocks, trunk)", (57,)),
    "site_scrotum": (r"scrot|vulva|labia", "scrotum (or vulva)", (61, 62)),
    "site_head_neck": (r"\bears?\b|auric|pinna|earlobe|eyelid|\blids?\b|cheek|\bface\b|facial|scalp|forehead|"
                       r"\bnose\b|nasal|\blips?\b|chin|\bneck\b|\bhead\b|temple|eyebrow|\bbrows?\b|periorbital|"
                       r"\bjaw\b|mandib",
                       "head and neck (ear, eyelid, cheek)", (63, 64)),
    "site_heel": (r"heel|calcane", "heel", (69,)),
    "site_proximal_fat": (r"abdom|belly|thigh|buttock|gluteal|breast|flank|\bhips?\b|pann|mons",
                          "fat-rich proximal sites (abdomen, thighs, buttocks, breasts)", (17, 30)),
    "site_penis": (r"penis|penile|glans", "penis", (17,)),
    "site_distal_leg": (r"\blegs?\b|shin|calf|calves|below.{0,5}knee|ankle|\bfoot\b|\bfeet\b|\btoes?\b|"
                        r"pretibial|lower (limb|extremit)", "below the knee", (15, 16, 19, 30)),
    "site_infusion": (r"\biv\b|infusion|cannula|catheter|line site|dorsum|back of (the )?(hand|foot)|wrist|"
                      r"forearm|antecubital|ankle|\bfoot\b|\bfeet\b|\bhands?\b|\barms?\b|scalp vein",
                      "infusion / vascular access site (hand, wrist, forearm, ankle, foot)", (70, 72, 74, 77)),
    "site_electrode": (r"scalp|electrode|\bhead\b", "electrode sites (scalp)", (78, 79)),
    "site_neck_flexural": (r"\bneck\b|nape|axill|antecubital|groin|inguinal|flexur|popliteal",
                           "neck and flexures (PXE)", (60,)),
    "site_acral": (r"\bhands?\b|finger|palm|\bfoot\b|\bfeet\b|\btoes?\b|\bsoles?\b|acral|digit|thumb",
                   "acral (hands and feet)", (65,)),
}

# Morphology words only ever add a positive statement: silence is not absence.
MORPHOLOGY_GROUPS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "text_necrosis": (r"necro|eschar|retiform|livedo|gangren|purpur", "necrosis, eschar, retiform purpura or livedo",
                      (7, 8, 30)),
    # The stage between livedo and retiform purpura / eschar in the calciphylaxis sequence (clinical-spec §4.3).
    "text_violaceous": (r"violaceous|\bviolet", "violaceous plaques or nodules", (7, 8, 30, 35)),
    "text_painful": (r"painful|tender|exquisit|\bpain\b", "painful or tender", (8, 9)),
    "text_painless": (r"painless|asymptomatic|non-?tender|symptom-?free", "painless", (5, 61)),
    "text_ulcer": (r"ulcer", "ulcerated", (5,)),
    "text_milia_like": (r"milia|milium", "milia-like papules", (65,)),
    "text_solitary": (r"solitary|single|isolated|\bone\b", "solitary lesion", (63, 64)),
    "text_multiple": (r"multiple|numerous|several|many|\b[2-9]\d*\s+(nodules|papules|lesions)", "multiple lesions",
                      (61, 65)),
    # An exposure named where the lesion is: a subcutaneous calcium salt (calcium heparin / nadroparin) or an
    # infusion of calcium gluconate / chloride. "calcium deposits", "calcium-containing material" and "calcium
    # alginate" (a dressing, its own flag) do not match.
    "text_calcium_injection": (r"calcium[- ]containing (heparin|nadroparin|injection|infusion|solution|fluid|paste|gel)|"
                               r"calci(um)?[- ]?(heparin|nadroparin)|(heparin|nadroparin)[- ]"
                               r"calcium|calcipar|nadroparin|fraxiparin|calcium (gluconate|chloride)",
                               "a calcium-containing injection or infusion at the site", (4, 70, 101, 230)),
    "text_mass": (r"\bmass(es)?\b|tumou?r-?like|tumoral", "large tumoral mass", (66, 67)),
}
