"""Plain-language wording for patients (data only): the subtypes, the missing inputs, the urgency triggers and
the fixed sentences of the patient summary.

Written for a reading age of about twelve: short sentences, everyday words, a technical word only with its
meaning beside it. Checked when the package is imported: every subtype, every probed input (what ``missing``
can name) and every urgency trigger has a wording here, and nothing here names one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = ["LEAFLET", "PLAIN_PROBES", "PLAIN_SUBTYPES", "PLAIN_URGENCY", "PlainProbe", "PlainSubtype"]


@dataclass(frozen=True)
class PlainSubtype:
    """A subtype in plain words: a short name (``"calcium in damaged skin"``) and what it usually means."""

    name: str
    meaning: str


@dataclass(frozen=True)
class PlainProbe:
    """A missing input in plain words: a ``test`` (a blood test) or a ``question`` (history), and why it helps."""

    kind: Literal["test", "question"]
    text: str


PLAIN_SUBTYPES: Mapping[str, PlainSubtype] = MappingProxyType({
    "dystrophic": PlainSubtype(
        "calcium in damaged skin",
        "Calcium has settled in skin that was harmed before. The harm may come from an injury, a scar, an "
        "infection or an immune disease. The calcium level in the blood is usually normal."),
    "metastatic": PlainSubtype(
        "calcium from high blood levels",
        "There is too much calcium or phosphate in the blood, and some of it settles in the skin. Kidney "
        "disease is the most common cause."),
    "idiopathic": PlainSubtype(
        "calcium with no clear cause",
        "No cause can be found, and blood tests are normal. These lumps are usually harmless."),
    "iatrogenic": PlainSubtype(
        "calcium left by a treatment",
        "A medical treatment put calcium into the skin. The most common cause is a drip that leaked. These "
        "lumps often go away by themselves."),
    "calciphylaxis": PlainSubtype(
        "calcium in tiny blood vessels",
        "Calcium blocks tiny blood vessels in the skin and the fat under it. The skin can become very painful "
        "and start to die. This is serious and needs care fast. It is most common in people on dialysis."),
})

PLAIN_PROBES: Mapping[str, PlainProbe] = MappingProxyType({
    "calcium": PlainProbe("test", "A blood test for calcium. It shows if the calcium level is too high or too low."),
    "phosphate": PlainProbe("test", "A blood test for phosphate, a mineral that works with calcium. A high level "
                                    "can push calcium into the skin."),
    "pth": PlainProbe("test", "A blood test for parathyroid hormone. This hormone comes from small glands in the "
                              "neck and controls calcium."),
    "egfr": PlainProbe("test", "A blood test of how well the kidneys work. Weak kidneys can raise calcium and "
                               "phosphate."),
    "albumin": PlainProbe("test", "A blood test for albumin, a protein. It helps read the calcium result the "
                                  "right way."),
    "vitamin_d_25oh": PlainProbe("test", "A blood test for vitamin D. Too much vitamin D can raise calcium."),
    "age_years": PlainProbe("question", "Your age. Some types are more common at some ages."),
    "sex": PlainProbe("question", "Whether you are male or female. Some types are more common in women."),
    "autoimmune_disease": PlainProbe("question", "Whether you have an immune disease that can harm the skin, "
                                                 "joints or muscles."),
    "ckd": PlainProbe("question", "Whether you have long-term kidney disease."),
    "dialysis": PlainProbe("question", "Whether you have dialysis, a treatment that cleans the blood when the "
                                       "kidneys fail."),
    "kidney_transplant": PlainProbe("question", "Whether you have had a kidney transplant."),
    "hyperparathyroidism": PlainProbe("question", "Whether a gland in your neck makes too much of the hormone "
                                                  "that controls calcium."),
    "iv_calcium": PlainProbe("question", "Whether you had calcium through a drip near the lump."),
    "heel_sticks": PlainProbe("question", "Whether blood was taken from the heel many times as a baby."),
    "electrode_paste": PlainProbe("question", "Whether a paste was put on the skin for a brain or nerve test."),
    "parenteral_nutrition": PlainProbe("question", "Whether you were fed through a drip."),
    "injury": PlainProbe("question", "Whether the skin there was hurt before, for example by a cut, a burn, "
                                     "surgery or an infection."),
    "genetic_disorder": PlainProbe("question", "Whether you have a skin or joint condition you were born with."),
    "warfarin": PlainProbe("question", "Whether you take warfarin or a similar blood thinner."),
    "corticosteroids": PlainProbe("question", "Whether you take steroid pills or shots."),
    "diabetes": PlainProbe("question", "Whether you have diabetes."),
    "obesity": PlainProbe("question", "Whether you carry a lot of extra weight."),
    "vitamin_d_excess": PlainProbe("question", "Whether you take high doses of vitamin D."),
    "milk_alkali": PlainProbe("question", "Whether you take a lot of milk, calcium pills or antacids."),
    "malignancy": PlainProbe("question", "Whether you have or have had cancer."),
    "sarcoidosis": PlainProbe("question", "Whether you have sarcoidosis, an illness that makes small lumps of "
                                          "swelling inside the body."),
    "down_syndrome": PlainProbe("question", "Whether the person has Down syndrome."),
    "painful": PlainProbe("question", "Whether the lump hurts."),
    "ulceration": PlainProbe("question", "Whether the skin over it has opened into a sore."),
    "necrosis": PlainProbe("question", "Whether the skin has turned dark purple or black."),
})

PLAIN_URGENCY: Mapping[str, str] = MappingProxyType({
    "URG-CALCIPHYLAXIS": "Painful dark, purple or black skin in someone on dialysis, with a kidney transplant, or "
                         "on warfarin.",
    "URG-CALCIPHYLAXIS-TOP": "Signs of calcium in tiny blood vessels, with skin that hurts, is open or is dark.",
    "URG-UREMIC-PAIN": "A painful patch of skin in someone on dialysis or with a kidney transplant.",
    "URG-SEPSIS": "Fever, redness that spreads, or feeling very unwell.",
    "URG-CA-CRISIS": "A very high calcium level in the blood.",
    "URG-CA-SYMPTOMS": "High calcium in the blood with confusion, being sick, or passing a lot of urine.",
    "URG-TLS": "Blood changes after cancer treatment that can harm the kidneys and the heart.",
    "URG-EXTRAVASATION": "A drip that leaked into the skin, with blisters, dark skin, or a swollen, tight limb.",
    "URG-SCFN": "A baby with hard lumps under the skin who is fussy, feeds poorly or has high calcium.",
    "URG-UREMIC-SETTING": "Calcium in the skin in someone on dialysis, with very weak kidneys, or with a kidney "
                          "transplant.",
    "URG-CALCIPHYLAXIS-FIRST": "Signs that calcium may be blocking tiny blood vessels in the skin.",
    "URG-CA-MODERATE": "A high calcium level in the blood.",
    "URG-CAXP": "Calcium and phosphate levels that are high together.",
    "URG-PTH-INDEPENDENT": "High calcium in the blood whose cause needs to be found.",
    "URG-JDM": "New lumps in a child with an immune disease of the skin and muscles.",
    "URG-PROGRESSING": "A lump that grows fast, opens into a sore, or hurts.",
    "URG-CP-RISK": "A high chance of calcium in tiny blood vessels of the skin.",
})

# The fixed sentences of the patient summary, in the order they appear. ``{name}``, ``{doctors}``, ``{types}``
# are filled in by :mod:`calcinosis_classify.leaflet`.
LEAFLET: Mapping[str, str] = MappingProxyType({
    "title": "About this result, in plain words",
    "emergency_head": "Get help today",
    "emergency_lead": "Please get medical help today, for example at an emergency department, if you are not "
                      "already being cared for. Here is why:",
    "urgent_head": "See a doctor soon",
    "urgent_lead": "Please see a doctor in the next few days, if you are not already being cared for. Here is "
                   "why:",
    "what_head": "What calcinosis cutis is",
    "what": "Calcinosis cutis means hard lumps or patches of calcium in or under the skin. There are five main "
            "types. Each type has its own causes, so the type helps decide what is done.",
    "fits_head": "What the details fit",
    "fits_high": "The details given most likely fit {name}.",
    "fits_moderate": "The details given fit {name} best.",
    "fits_low": "The details given may fit {name}, but this is far from sure.",
    "doctors_call": "Doctors call this type {doctors}.",
    "also_part": "Another type may play a part too: {types}.",
    "also_possible": "Other types are still possible: {types}.",
    "possible": "Types that are possible: {types}.",
    "unclear": "The details given are not enough to say which type this is. That is not bad news in itself. It "
               "means that more facts are needed.",
    "help_head": "Tests and questions that would help",
    "help_lead": "These would help a doctor tell the types apart:",
    "help_none": "No single test is likely to change this result much.",
    "options_head": "What is usually done",
    "options_lead": "These are choices your care team may talk about with you. They are not instructions, and "
                    "not all of them will suit you.",
    "options_unclear": "This depends on the type. Once the type is clearer, your care team can talk with you "
                       "about the choices.",
    "not_diagnosis": "This is not a diagnosis. It is a guide for learning and research. Only a doctor who knows "
                     "your whole story can say what it means for you.",
})
