"""Seeded synthetic cohort generator with ground truth.

The generator is written from the clinical specification's subtype profiles
(clinical-spec §2, §3, §4, §5), independently of the rule base: it imports
only :mod:`calcinosis_classify.schema` (field names, units, conversion factors
and plausible ranges) and :mod:`calcinosis_classify.errors`, never the
knowledge base, findings, intake or engine, so scoring the rules on its cases
is not circular.

Each *presentation* (one branch of the generative tree, e.g.
``metastatic/primary_hpt``) is a frozen :class:`Presentation` in
:data:`PRESENTATIONS`: prevalence weight, age and sex distributions,
history-flag probabilities, lesion sites, the joint distribution of pain,
ulceration and necrosis, and the marginal distribution of every lab together
with their correlations. Labs are drawn jointly as a multivariate normal
latent vector mapped through per-lab marginals (positions inside the
age-specific reference interval, log-normal levels, ...), then clamped to the
schema's plausible range and rounded to laboratory reporting precision.

Where the cited sources give no number (most prevalence weights, spreads and
correlations), the value is a design choice for this generator that is
consistent with them; the sources' own numbers (e.g. 86% of uremic
calciphylaxis on dialysis [15], 32 months on warfarin [19], lesions about
13 days after extravasation in neonates of 17.5 +/- 7.8 days [70]) are used
as given.

Examples
--------
>>> from calcinosis_classify.synthetic import generate_cohort
>>> cohort = generate_cohort(1000, seed=1, missing_rate=0.2, si_fraction=0.3)
>>> cohort["true_subtype"].value_counts().index[0]
'dystrophic'

Knobs of :func:`generate_cohort`
--------------------------------
Each knob draws from its own random stream, so changing one knob leaves every draw of the others unchanged.

missing_rate : float in [0, 1), default 0.1
    Base probability that a recorded item is unknown. Each field scales
    it by its own weight (ionised calcium x8, vitamin D x4, albumin x2,
    calcium x0.3, sex x0.05, ...; probabilities capped at 1), the whole
    lab panel is missing with probability ``0.5 * missing_rate``, eGFR is
    missing whenever creatinine is, and PTH is missing with probability
    ``7 * missing_rate`` when calcium is normal for age and neither CKD
    nor hyperparathyroidism is recorded (PTH is seldom requested then).
    Unknown values are NaN (numbers and flags) or missing (text). 0 gives
    complete records.
qualitative_rate : float in [0, 1], default 0.05
    Probability that a known calcium, phosphate or PTH value is reported
    only as ``<lab>_status`` = "low" / "normal" / "high" (against the
    age-specific reference interval of clinical-spec §3.2); the number is
    then removed.
si_fraction : float in [0, 1], default 0.0
    Fraction of rows reported in SI units: every lab whose schema SI unit
    differs from its conventional unit (calcium, phosphate, PTH, albumin,
    25-OH vitamin D, creatinine) is converted with the schema factor and
    rounded to SI reporting precision, and its ``<field>_unit`` column
    names the SI unit. In other rows the unit column holds the
    conventional unit or is blank (half each). Unit columns are present
    only when ``si_fraction > 0``.
atypical_rate : float in [0, 1], default 0.0
    Fraction of each subtype's cases drawn from its atypical presentations
    (overlaps that fool naive rules: SSc calcinosis in a dialysis patient,
    metastatic calcinosis in lupus nephritis, hypercalcaemia masked by low
    albumin, HFTC with Ca x P > 70, extravasation in ESRD, calciphylaxis
    with normal labs). The class mix is unchanged.
label_noise : float in [0, 1], default 0.0
    Fraction of rows whose ``true_subtype`` is replaced by one of the
    other four subtypes (uniformly); ``presentation`` keeps the branch
    that generated the row.
sparse_rate : float in [0, 1], default 0.0
    Fraction of rows in the sparse presentation mode of published case
    reports and clinic extracts (clinical-spec §6.8): a history item is
    kept when present with probability 0.7 and when absent with 0.05
    (blank is unknown, not absent), lesion features when present 0.8 /
    absent 0.3, half the rows report no laboratory value at all and the
    rest keep calcium, phosphate, PTH and kidney function with
    probability 0.6 each (calcium, phosphate and PTH then as a status
    only, with probability 0.6) and other labs with 0.15. Applied after
    ``missing_rate``; the rows are drawn from their own random stream.

Columns of the cohort
---------------------
One row per case, columns in schema order:

* ``case_id`` (1..n), ``age_years`` (infants in days / 365.25, others
  in completed years), ``sex`` ("F"/"M");
* labs as floats in the schema's canonical units, rounded to
  reporting precision: ``calcium``, ``ionized_calcium``,
  ``phosphate``, ``pth``, ``albumin``, ``vitamin_d_25oh``,
  ``creatinine``, ``egfr`` (eGFR is not reported under one year of
  age), each SI-capable lab followed by ``<field>_unit`` when
  ``si_fraction > 0``;
* ``calcium_status``, ``phosphate_status``, ``pth_status``;
* history and lesion flags as 1.0 / 0.0 / NaN (contract flags plus the
  optional extension flags some presentation uses);
* ``lesion_site`` (free text), ``lesion_count``, ``dialysis_years``
  (cases on dialysis), ``warfarin_months`` (cases on warfarin),
  ``exposure_weeks`` (iatrogenic exposures);
* ground truth: ``true_subtype``, ``presentation``, ``is_atypical``,
  ``generator_version``, ``seed``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from calcinosis_classify.errors import InputError
from calcinosis_classify.schema import FIELD_BY_NAME, FIELDS

__all__ = [
    "GENERATOR_VERSION",
    "PRESENTATIONS",
    "SUBTYPES",
    "AgeBand",
    "Margin",
    "Presentation",
    "describe_presentations",
    "generate_cohort",
]

#: Changes whenever a profile, a draw or the draw order changes, so a cohort
#: can be regenerated exactly from (``generator_version``, ``seed``, knobs).
GENERATOR_VERSION = "1.1.0"

SUBTYPES: tuple[str, ...] = ("dystrophic", "metastatic", "idiopathic", "iatrogenic", "calciphylaxis")

_DAY = 1 / 365.25
_WEEKS_PER_YEAR = 365.25 / 7


def _adult(name: str) -> tuple[float, float]:
    reference = FIELD_BY_NAME[name].reference
    assert reference is not None
    return reference


# Age-specific reference intervals, (age_from_years, low, high) in the schema's
# canonical unit; a row applies up to the next row's age. Paediatric rows are
# the Davis tables of clinical-spec §3.2 (the spec asks for one table used
# consistently) [81][82][83]; Davis has no phosphate row between 6 days and
# 1 year, which the DiaSys infant interval fills [85]. Adult rows come from the
# schema (§3.1 defaults).
_AGE_RANGES: Mapping[str, tuple[tuple[float, float, float], ...]] = MappingProxyType({
    "calcium": ((0.0, 7.6, 10.4), (11 * _DAY, 9.0, 11.0), (3.0, 8.8, 10.8), (13.0, 8.4, 10.2),
                (19.0, *_adult("calcium"))),
    "ionized_calcium": ((0.0, 1.05, 1.46), (1.0, 1.20, 1.38), (19.0, *_adult("ionized_calcium"))),
    "phosphate": ((0.0, 4.6, 8.0), (6 * _DAY, 3.5, 6.6), (1.0, 3.9, 6.5), (4.0, 4.0, 5.4), (7.0, 3.7, 5.6),
                  (12.0, 3.3, 5.4), (14.0, 2.9, 5.4), (16.0, 2.8, 4.6), (20.0, *_adult("phosphate"))),
    "pth": ((0.0, 7.0, 59.0), (1 / 12, 8.0, 61.0), (1.0, 11.0, 59.0), (11.0, 15.0, 68.0),
            (18.0, *_adult("pth"))),
})

# Albumin correction of total calcium, clinical-spec §3.4 [52][94]: used to
# derive ionised calcium from the calcium the body actually regulates.
_ALBUMIN_SLOPE = 0.8  # mg/dL of calcium per g/dL of albumin
_ALBUMIN_NORMAL = 4.0  # g/dL

# Latent labs drawn jointly; ionised calcium and creatinine are derived from them.
_LATENT: tuple[str, ...] = ("calcium", "phosphate", "pth", "albumin", "vitamin_d_25oh", "egfr")
_DERIVED_LABS: tuple[str, ...] = ("ionized_calcium", "creatinine")

# Reporting precision (decimals) in the canonical and in the SI unit: reports
# carry rounded numbers, and a generator that emitted 15 digits would hand any
# learned model a fingerprint of the generator.
_DECIMALS: Mapping[str, tuple[int, int]] = MappingProxyType({
    "calcium": (1, 2), "ionized_calcium": (2, 2), "phosphate": (1, 2), "pth": (0, 1), "albumin": (1, 0),
    "vitamin_d_25oh": (0, 0), "creatinine": (2, 0), "egfr": (0, 0), "lesion_count": (0, 0),
    "dialysis_years": (1, 1), "warfarin_months": (0, 0), "exposure_weeks": (1, 1),
})

# History-flag prevalence among adults of every presentation unless the
# presentation sets the flag itself: comorbidity noise, so that no flag is a
# perfect marker of one branch.
_ADULT_BACKGROUND: Mapping[str, float] = MappingProxyType({
    "diabetes": 0.10, "obesity": 0.20, "corticosteroids": 0.03, "warfarin": 0.02, "malignancy": 0.02,
    "liver_disease": 0.01,
})
_ADULT_AGE = 18.0

# Missingness: a field is unknown with probability min(1, missing_rate * weight).
# Weights follow how often each item is absent from real extracts: ionised
# calcium and vitamin D are seldom measured, calcium almost always is.
_MISSING_WEIGHT: Mapping[str, float] = MappingProxyType({
    "age_years": 0.1, "sex": 0.05, "lesion_site": 0.2, "painful": 0.5, "ulceration": 0.5, "necrosis": 0.5,
    "calcium": 0.3, "phosphate": 0.8, "albumin": 2.0, "ionized_calcium": 8.0, "pth": 1.0,
    "vitamin_d_25oh": 4.0, "creatinine": 0.6, "egfr": 0.6, "lesion_count": 2.0, "dialysis_years": 1.0,
    "warfarin_months": 1.0, "exposure_weeks": 1.0,
})
_MISSING_WEIGHT_HISTORY = 1.0  # contract history flags
_MISSING_WEIGHT_EXTENSION = 2.0  # optional extension flags are recorded less often
_MISSING_WEIGHT_PANEL = 0.5  # no blood drawn at all
# PTH is seldom requested when calcium is normal and kidney function and
# parathyroid history give no reason (clinical-spec §7.1 orders PTH for high calcium).
_MISSING_WEIGHT_PTH_UNINDICATED = 7.0
# Share of conventional-unit rows whose unit column states the unit (the rest leave it blank).
_CONVENTIONAL_UNIT_STATED = 0.5

_STATUS_WORDS: tuple[str, ...] = ("low", "normal", "high")

# Sparse presentation mode (clinical-spec §6.8): a published case report or a clinic extract gives age, sex,
# the site, one to three history items, whether the lesion hurts or ulcerates, and labs either not at all or
# only as "normal" / "raised". History is recorded when present far more often than when absent (blank is
# unknown, not absent). Probabilities that an item of a sparse row is kept:
_SPARSE_KEEP_POSITIVE_HISTORY = 0.7
_SPARSE_KEEP_NEGATIVE_HISTORY = 0.05
_SPARSE_KEEP_POSITIVE_LESION = 0.8
_SPARSE_KEEP_NEGATIVE_LESION = 0.3
_SPARSE_NO_LABS = 0.5  # no laboratory value reported at all
_SPARSE_KEEP_CORE_LAB = 0.6  # calcium, phosphate, PTH, creatinine / eGFR, when some labs are reported
_SPARSE_KEEP_OTHER_LAB = 0.15  # albumin, ionised calcium, vitamin D
_SPARSE_AS_STATUS = 0.6  # a kept calcium, phosphate or PTH is reported only as low / normal / high
_SPARSE_KEEP_EXTENSION_NUMBER = 0.3  # lesion count, dialysis years, warfarin months, exposure weeks
_SPARSE_KEEP: Mapping[str, float] = MappingProxyType({"age_years": 0.9, "sex": 0.95, "lesion_site": 0.9})

MarginKind = Literal["within", "ref", "above", "band", "normal", "lognormal", "healthy_egfr", "since_birth"]
_AGE_RELATIVE_KINDS = frozenset({"within", "ref"})


@dataclass(frozen=True)
class Margin:
    """Marginal distribution of one value given its standard-normal latent draw ``z``.

    Build one with the class methods; the fields are their parameters.

    Parameters
    ----------
    kind : str
        ``"within"``: strictly inside the age-specific reference interval
        ``[lo, hi]``, ``lo + w * (loc + (1 - 2 loc) * logistic(z))`` with
        ``w = hi - lo`` (bell-shaped, never within ``loc * w`` of an edge).
        ``"ref"``: ``lo + w * clip(loc + scale * z, lower, upper)``; position
        relative to the age-specific interval in widths (0 = lower limit,
        1 = upper limit).
        ``"above"``: ``base + loc * scale ** z`` (log-normal excess over
        ``base``, which is the age-specific upper limit when ``base`` is NaN);
        rounded up so the value stays strictly above ``base``.
        ``"band"``: strictly inside ``[lower, upper]``, logit-normal.
        ``"normal"``: ``clip(loc + scale * z, lower, upper)``.
        ``"lognormal"``: ``clip(loc * scale ** z, lower, upper)`` (median
        ``loc``, geometric SD ``scale``).
        ``"healthy_egfr"``: ``clip(h(age) * scale ** z, lower, upper)`` with
        ``h`` the healthy eGFR for age (renal maturation over the first two
        years, decline after 40).
        ``"since_birth"``: ``clip(age_in_weeks - loc * scale ** z, lower, upper)``
        (an exposure in the first weeks of life, timed from the visit).
    loc, scale, lower, upper, base : float
        Parameters as above; ``lower``/``upper`` are in reference widths for
        ``"ref"`` and in the field's unit otherwise.
    """

    kind: MarginKind
    loc: float = 0.0
    scale: float = 1.0
    lower: float = -math.inf
    upper: float = math.inf
    base: float = math.nan

    @classmethod
    def within(cls, edge: float = 0.15) -> Margin:
        """Inside the age-specific reference interval, at least ``edge`` widths from each limit."""
        return cls("within", loc=edge)

    @classmethod
    def ref(cls, loc: float, scale: float, lower: float = -math.inf, upper: float = math.inf) -> Margin:
        """Normal position relative to the age-specific interval (widths), clipped to [lower, upper]."""
        return cls("ref", loc=loc, scale=scale, lower=lower, upper=upper)

    @classmethod
    def above(cls, excess: float, gsd: float, base: float = math.nan) -> Margin:
        """Strictly above ``base`` (default: the age-specific upper limit) by a log-normal excess."""
        return cls("above", loc=excess, scale=gsd, base=base)

    @classmethod
    def band(cls, lower: float, upper: float) -> Margin:
        """Strictly inside an absolute band, logit-normal."""
        return cls("band", lower=lower, upper=upper)

    @classmethod
    def normal(cls, mean: float, sd: float, lower: float = -math.inf, upper: float = math.inf) -> Margin:
        """Clipped normal in the field's unit."""
        return cls("normal", loc=mean, scale=sd, lower=lower, upper=upper)

    @classmethod
    def lognormal(cls, median: float, gsd: float, lower: float = 0.0, upper: float = math.inf) -> Margin:
        """Clipped log-normal (median, geometric SD) in the field's unit."""
        return cls("lognormal", loc=median, scale=gsd, lower=lower, upper=upper)

    @classmethod
    def healthy_egfr(cls, gsd: float, lower: float = 0.0, upper: float = math.inf) -> Margin:
        """eGFR of a person without kidney disease, log-normal scatter around the age norm."""
        return cls("healthy_egfr", scale=gsd, lower=lower, upper=upper)

    @classmethod
    def since_birth(cls, median_weeks: float, gsd: float, lower: float = 0.0,
                    upper: float = math.inf) -> Margin:
        """Weeks since an exposure that happened ``median_weeks`` after birth."""
        return cls("since_birth", loc=median_weeks, scale=gsd, lower=lower, upper=upper)


@dataclass(frozen=True)
class AgeBand:
    """One component of an age mixture: clipped normal, in years.

    Parameters
    ----------
    weight : float
        Relative weight of the component.
    mean, sd : float
        Normal parameters, years.
    lower, upper : float
        Clip limits, years.
    """

    weight: float
    mean: float
    sd: float
    lower: float
    upper: float


# (painful, ulceration, necrosis, probability): the three lesion flags are
# drawn jointly because they are not independent (necrosis comes with pain).
LesionPattern = tuple[int, int, int, float]


@dataclass(frozen=True)
class Presentation:
    """Generative profile of one presentation (one branch of the cohort).

    Parameters
    ----------
    name : str
        ``"<subtype>/<branch>"``; atypical branches are named ``<subtype>/atypical_...``.
    subtype : str
        Ground-truth subtype, one of :data:`SUBTYPES`.
    weight : float
        Relative prevalence within its pool: typical branches of a subtype
        share the subtype's typical cases by weight; atypical branches share
        its atypical cases by weight. The sum of a subtype's typical weights
        is its default class weight.
    description : str
        One line for :func:`describe_presentations`.
    refs : tuple of int
        Clinical-spec reference numbers behind the profile.
    ages : tuple of AgeBand
        Age mixture.
    p_female : float
        Probability of female sex.
    flags : mapping of str to float
        History-flag probabilities (schema flag names). Unlisted flags are 0
        (recorded as absent), except for the adult comorbidity background.
        ``ckd`` and ``dialysis`` are also set from the drawn eGFR.
    sites : tuple of (str, float)
        Free-text lesion sites and their weights.
    lesions : tuple of LesionPattern
        Joint distribution of (painful, ulceration, necrosis).
    labs : mapping of str to Margin
        Marginal of every latent lab (calcium, phosphate, pth, albumin,
        vitamin_d_25oh, egfr).
    correlations : tuple of (str, str, float)
        Pairwise correlations of the latent normal draws (unlisted pairs 0).
    p_dialysis_if_esrd : float
        Probability that a case whose drawn eGFR is below 15 is on dialysis.
    lesion_count : tuple of float
        ``(p_solitary, median_if_multiple, geometric_sd)``.
    dialysis_years, warfarin_months : Margin
        Drawn for cases on dialysis / on warfarin.
    exposure_weeks : Margin or None
        Weeks from the iatrogenic exposure to the visit, for exposure branches.
    atypical : bool
        Drawn only through the ``atypical_rate`` knob.
    """

    name: str
    subtype: str
    weight: float
    description: str
    refs: tuple[int, ...]
    ages: tuple[AgeBand, ...]
    p_female: float
    flags: Mapping[str, float]
    sites: tuple[tuple[str, float], ...]
    lesions: tuple[LesionPattern, ...]
    labs: Mapping[str, Margin]
    correlations: tuple[tuple[str, str, float], ...] = ()
    p_dialysis_if_esrd: float = 0.0
    lesion_count: tuple[float, float, float] = (0.5, 3.0, 1.8)
    dialysis_years: Margin = field(default_factory=lambda: Margin.lognormal(3.0, 2.5, 0.1, 40.0))
    warfarin_months: Margin = field(default_factory=lambda: Margin.lognormal(24.0, 2.5, 0.5, 480.0))
    exposure_weeks: Margin | None = None
    atypical: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "flags", MappingProxyType(dict(self.flags)))
        object.__setattr__(self, "labs", MappingProxyType(dict(self.labs)))


# --------------------------------------------------------------------------- shared lab blocks

# Normal mineral labs for every age: calcium far enough inside its interval
# (0.2 widths >= 0.36 mg/dL) that the albumin band (3.7-4.3 g/dL, a correction
# of at most 0.24 mg/dL) keeps the albumin-corrected calcium normal too.
_NORMAL_LABS: Mapping[str, Margin] = MappingProxyType({
    "calcium": Margin.within(0.2),
    "phosphate": Margin.within(0.15),
    "pth": Margin.within(0.15),
    "albumin": Margin.band(3.7, 4.3),
    "vitamin_d_25oh": Margin.lognormal(27.0, 1.45, 4.0, 120.0),  # NAM bands [51]: some deficient
    "egfr": Margin.healthy_egfr(1.12),
})
# Total calcium tracks albumin; vitamin D deficiency raises PTH.
_NORMAL_CORR = (("calcium", "albumin", 0.4), ("calcium", "pth", -0.2), ("vitamin_d_25oh", "pth", -0.25))

# CKD G5 / dialysis with secondary HPT: low-normal Ca, high P, high PTH [43][90];
# Ca x P around the metastatic threshold [1][5][45].
_CKD_LABS: Mapping[str, Margin] = MappingProxyType({
    "calcium": Margin.ref(0.45, 0.3, -0.6, 1.6),
    "phosphate": Margin.ref(2.3, 0.65, 0.3, 5.0),
    "pth": Margin.lognormal(480.0, 1.8, 40.0),
    "albumin": Margin.normal(3.7, 0.4, 2.2, 4.8),
    "vitamin_d_25oh": Margin.lognormal(19.0, 1.6, 4.0, 100.0),
    "egfr": Margin.lognormal(9.0, 1.5, 2.0, 40.0),
})
_CKD_CORR = (("calcium", "albumin", 0.4), ("phosphate", "pth", 0.35), ("calcium", "pth", -0.2),
             ("phosphate", "egfr", -0.4), ("pth", "egfr", -0.3), ("vitamin_d_25oh", "pth", -0.15))
_ESRD_EGFR = Margin.lognormal(7.0, 1.3, 2.0, 14.0)

# PTH-independent hypercalcaemia: suppressed PTH [48][50][99].
_SUPPRESSED_PTH = Margin.lognormal(9.0, 1.5, 1.0, 30.0)

# Lesion patterns (painful, ulceration, necrosis, p).
_CHALKY_NODULES: tuple[LesionPattern, ...] = ((0, 0, 0, 0.60), (1, 0, 0, 0.25), (1, 1, 0, 0.10),
                                              (0, 1, 0, 0.05))  # [5]
_SSC_LESIONS: tuple[LesionPattern, ...] = ((0, 0, 0, 0.45), (1, 0, 0, 0.30), (1, 1, 0, 0.20),
                                           (0, 1, 0, 0.05))  # digital ulcers [55][56]
_METASTATIC_LESIONS: tuple[LesionPattern, ...] = ((0, 0, 0, 0.45), (1, 0, 0, 0.45), (1, 1, 0, 0.10))  # [44]
_CALCIPHYLAXIS_LESIONS: tuple[LesionPattern, ...] = ((1, 1, 1, 0.50), (1, 0, 1, 0.35),
                                                     (1, 1, 0, 0.15))  # [7][8][9][30]
_BENIGN_PAPULES: tuple[LesionPattern, ...] = ((0, 0, 0, 0.95), (0, 1, 0, 0.05))
_EXTRAVASATION_LESIONS: tuple[LesionPattern, ...] = ((1, 0, 0, 0.45), (0, 0, 0, 0.25), (1, 1, 0, 0.12),
                                                     (1, 1, 1, 0.12), (1, 0, 1, 0.06))  # [70][74][75]

_METASTATIC_SITES = (("shoulder", 0.22), ("hip", 0.15), ("elbow", 0.15), ("knee", 0.10), ("fingertips", 0.15),
                     ("periarticular, both shoulders", 0.10), ("wrist", 0.05), ("fingers", 0.08))  # [44][47]
_PROXIMAL_DISTAL_SITES = (("thighs", 0.25), ("abdomen", 0.15), ("buttocks", 0.10), ("below knees", 0.25),
                          ("lower legs", 0.15), ("breasts", 0.04), ("penis", 0.03),
                          ("fingers", 0.03))  # [15][16][17][30]
_SSC_SITES = (("thumb pad", 0.20), ("fingertips", 0.30), ("fingers", 0.20), ("dorsum of hand", 0.10),
              ("forearm", 0.10), ("elbow", 0.10))  # hands 70%, thumbs 19% [56]

def _labs(base: Mapping[str, Margin], **changes: Margin) -> dict[str, Margin]:
    return {**base, **changes}


_PROFILES: tuple[Presentation, ...] = (
    # ------------------------------------------------------------------ dystrophic
    Presentation(
        "dystrophic/systemic_sclerosis", "dystrophic", 13.0,
        "Limited SSc/CREST with acral calcinosis and normal mineral labs",
        (54, 55, 56, 59),
        (AgeBand(1.0, 52.0, 12.0, 20.0, 90.0),), 0.85,
        {"autoimmune_disease": 1.0, "ctd_antibody": 0.55, "raynaud_digital_ulcers": 0.75,
         "corticosteroids": 0.15, "localised": 0.5},
        _SSC_SITES, _SSC_LESIONS, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.2, 4.0, 2.0)),
    Presentation(
        "dystrophic/juvenile_dermatomyositis", "dystrophic", 6.0,
        "JDM with calcinosis at pressure points 1-3 years after onset",
        (57, 58, 105),
        (AgeBand(1.0, 9.0, 4.0, 2.0, 17.9),), 0.6,
        {"autoimmune_disease": 1.0, "ctd_antibody": 0.35, "corticosteroids": 0.6, "localised": 0.3},
        (("elbow", 0.25), ("knee", 0.20), ("buttocks", 0.15), ("trunk", 0.10), ("hands", 0.15), ("feet", 0.05),
         ("thighs", 0.10)),
        _CHALKY_NODULES, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.2, 5.0, 2.0)),
    Presentation(
        "dystrophic/other_ctd", "dystrophic", 7.0,
        "Adult dermatomyositis, lupus panniculitis, MCTD or overlap disease",
        (57, 59),
        (AgeBand(1.0, 45.0, 13.0, 18.0, 85.0),), 0.8,
        {"autoimmune_disease": 1.0, "ctd_antibody": 0.15, "corticosteroids": 0.4, "raynaud_digital_ulcers": 0.3},
        (("thighs", 0.20), ("buttocks", 0.15), ("upper arm", 0.20), ("elbow", 0.15), ("fingers", 0.20),
         ("face", 0.10)),
        _CHALKY_NODULES, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.3, 4.0, 2.0)),
    Presentation(
        "dystrophic/trauma_or_scar", "dystrophic", 11.0,
        "Calcification in a scar, cyst, tumour or site of trauma/infection",
        (4, 5, 46),
        (AgeBand(1.0, 42.0, 20.0, 2.0, 95.0),), 0.5,
        {"injury": 1.0, "venous_disease_or_acne": 0.2, "localised": 0.9},
        (("knee scar", 0.15), ("forearm scar", 0.15), ("shin", 0.15), ("cheek (acne scars)", 0.10),
         ("abdominal surgical scar", 0.15), ("elbow", 0.10), ("lower leg", 0.10), ("back", 0.10)),
        _CHALKY_NODULES, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.7, 2.0, 1.5)),
    Presentation(
        "dystrophic/pxe", "dystrophic", 1.5,
        "Pseudoxanthoma elasticum: yellow papules on the neck and flexures",
        (4, 60),
        (AgeBand(1.0, 22.0, 9.0, 8.0, 60.0),), 0.6,
        {"genetic_disorder": 1.0, "localised": 0.3},
        (("side of neck", 0.35), ("nape of neck", 0.20), ("axillae", 0.20), ("antecubital fossae", 0.15),
         ("groin", 0.10)),
        _BENIGN_PAPULES, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.05, 15.0, 2.0)),
    Presentation(
        "dystrophic/scfn_newborn", "dystrophic", 1.5,
        "Subcutaneous fat necrosis of the newborn, before any hypercalcaemia",
        (80,),
        (AgeBand(1.0, 0.05, 0.02, 5 * _DAY, 0.15),), 0.5,
        {"scfn": 1.0, "injury": 0.5, "nicu_stay": 0.5},
        (("back", 0.30), ("buttocks", 0.20), ("thighs", 0.20), ("cheeks", 0.10), ("shoulders", 0.10),
         ("arms", 0.10)),
        ((0, 0, 0, 0.6), (1, 0, 0, 0.4)), _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.2, 4.0, 1.8)),
    # ------------------------------------------------------------------ metastatic
    Presentation(
        "metastatic/ckd_secondary_hpt", "metastatic", 10.0,
        "CKD G5/dialysis with secondary HPT: high P and PTH, Ca x P near or above 70",
        (1, 5, 36, 43, 44, 45, 47),
        (AgeBand(1.0, 58.0, 14.0, 18.0, 90.0),), 0.45,
        {"ckd": 1.0, "hyperparathyroidism": 0.6, "calcium_binders": 0.45, "active_vitamin_d": 0.45,
         "diabetes": 0.4, "kidney_transplant": 0.05, "vascular_calcification_xray": 0.2},
        _METASTATIC_SITES, _METASTATIC_LESIONS, _CKD_LABS, _CKD_CORR, p_dialysis_if_esrd=0.9,
        lesion_count=(0.3, 3.0, 1.8), dialysis_years=Margin.lognormal(4.0, 2.0, 0.2, 40.0)),
    Presentation(
        "metastatic/primary_hpt", "metastatic", 2.5,
        "Primary HPT: high Ca, low/normal P, high PTH (Ca x P often normal)",
        (4, 18, 33, 45, 90),
        (AgeBand(1.0, 60.0, 12.0, 25.0, 90.0),), 0.75,
        {"hyperparathyroidism": 0.85, "hypercalcaemia_symptoms": 0.3},
        _METASTATIC_SITES, _METASTATIC_LESIONS,
        {"calcium": Margin.above(1.0, 1.5), "phosphate": Margin.ref(0.2, 0.22, -0.6, 0.85),
         "pth": Margin.above(70.0, 1.7), "albumin": Margin.normal(4.1, 0.3, 3.0, 5.0),
         "vitamin_d_25oh": Margin.lognormal(22.0, 1.5, 4.0, 100.0), "egfr": Margin.healthy_egfr(1.18)},
        (("calcium", "pth", 0.6), ("calcium", "phosphate", -0.3), ("pth", "phosphate", -0.35),
         ("calcium", "egfr", -0.2), ("calcium", "albumin", 0.3))),
    Presentation(
        "metastatic/vitamin_d_toxicity", "metastatic", 1.5,
        "Vitamin D toxicity: 25-OH D > 150 ng/mL, high Ca, suppressed PTH",
        (4, 50, 51),
        (AgeBand(0.9, 55.0, 15.0, 18.0, 90.0), AgeBand(0.1, 3.0, 2.0, 0.2, 12.0)), 0.55,
        {"vitamin_d_excess": 0.85, "calcium_supplements": 0.3, "hypercalcaemia_symptoms": 0.6},
        _METASTATIC_SITES, _METASTATIC_LESIONS,
        {"calcium": Margin.above(1.8, 1.5), "phosphate": Margin.ref(0.6, 0.3, -0.2, 1.5), "pth": _SUPPRESSED_PTH,
         "albumin": Margin.normal(4.0, 0.35, 2.8, 5.0), "vitamin_d_25oh": Margin.above(90.0, 1.5, base=150.0),
         "egfr": Margin.healthy_egfr(1.3)},
        (("calcium", "vitamin_d_25oh", 0.5), ("calcium", "pth", -0.4), ("calcium", "egfr", -0.4),
         ("calcium", "albumin", 0.3))),
    Presentation(
        "metastatic/milk_alkali", "metastatic", 1.5,
        "Milk-alkali syndrome: hypercalcaemia, alkalosis, renal impairment, suppressed PTH",
        (4, 48, 49),
        (AgeBand(1.0, 62.0, 12.0, 25.0, 90.0),), 0.7,
        {"milk_alkali": 0.75, "calcium_supplements": 0.95, "metabolic_alkalosis": 0.8,
         "hypercalcaemia_symptoms": 0.5},
        _METASTATIC_SITES, _METASTATIC_LESIONS,
        {"calcium": Margin.above(2.2, 1.5), "phosphate": Margin.ref(0.55, 0.3, -0.2, 1.6),
         "pth": Margin.lognormal(10.0, 1.5, 1.0, 35.0), "albumin": Margin.normal(4.0, 0.35, 2.8, 5.0),
         "vitamin_d_25oh": Margin.lognormal(30.0, 1.4, 5.0, 120.0), "egfr": Margin.lognormal(38.0, 1.5, 8.0, 90.0)},
        (("calcium", "egfr", -0.5), ("calcium", "pth", -0.4), ("calcium", "albumin", 0.3))),
    Presentation(
        "metastatic/malignancy_hypercalcaemia", "metastatic", 2.0,
        "Paraneoplastic or osteolytic hypercalcaemia with suppressed PTH",
        (4, 45, 99),
        (AgeBand(1.0, 66.0, 11.0, 30.0, 95.0),), 0.5,
        {"malignancy": 1.0, "hypercalcaemia_symptoms": 0.5, "weight_loss": 0.4},
        _METASTATIC_SITES, _METASTATIC_LESIONS,
        {"calcium": Margin.above(2.0, 1.6), "phosphate": Margin.ref(0.35, 0.3, -0.5, 1.4), "pth": _SUPPRESSED_PTH,
         "albumin": Margin.normal(3.3, 0.5, 1.8, 4.6), "vitamin_d_25oh": Margin.lognormal(22.0, 1.5, 4.0, 100.0),
         "egfr": Margin.healthy_egfr(1.3)},
        (("calcium", "pth", -0.4), ("calcium", "egfr", -0.3), ("calcium", "albumin", 0.3))),
    Presentation(
        "metastatic/sarcoidosis", "metastatic", 1.5,
        "Granulomatous (sarcoid) hypercalcaemia with suppressed PTH",
        (4, 50),
        (AgeBand(1.0, 48.0, 12.0, 20.0, 85.0),), 0.55,
        {"sarcoidosis": 1.0, "corticosteroids": 0.3},
        _METASTATIC_SITES, _METASTATIC_LESIONS,
        {"calcium": Margin.above(1.1, 1.5), "phosphate": Margin.ref(0.6, 0.3, -0.2, 1.5),
         "pth": Margin.lognormal(11.0, 1.5, 1.0, 40.0), "albumin": Margin.normal(4.0, 0.35, 2.8, 5.0),
         "vitamin_d_25oh": Margin.lognormal(24.0, 1.5, 4.0, 100.0), "egfr": Margin.healthy_egfr(1.2)},
        (("calcium", "pth", -0.4), ("calcium", "egfr", -0.3))),
    Presentation(
        "metastatic/tumour_lysis", "metastatic", 1.0,
        "Tumour lysis after chemotherapy: high P, low Ca (cutaneous link unverified in the spec)",
        (45, 53),
        (AgeBand(0.75, 55.0, 15.0, 18.0, 90.0), AgeBand(0.25, 9.0, 4.0, 2.0, 17.9)), 0.45,
        {"malignancy": 1.0, "chemotherapy": 0.95},
        _METASTATIC_SITES, _METASTATIC_LESIONS,
        {"calcium": Margin.ref(-0.45, 0.35, -1.8, 0.6), "phosphate": Margin.above(2.5, 1.5),
         "pth": Margin.lognormal(90.0, 1.5, 20.0, 600.0), "albumin": Margin.normal(3.4, 0.45, 2.0, 4.8),
         "vitamin_d_25oh": Margin.lognormal(20.0, 1.6, 4.0, 100.0), "egfr": Margin.lognormal(40.0, 1.8, 5.0, 120.0)},
        (("calcium", "phosphate", -0.6), ("phosphate", "egfr", -0.5), ("calcium", "pth", -0.3)),
        p_dialysis_if_esrd=0.3),
    # ------------------------------------------------------------------ idiopathic
    Presentation(
        "idiopathic/scrotal", "idiopathic", 5.0,
        "Idiopathic scrotal calcinosis: painless nodules in a young or middle-aged man",
        (61, 62),
        (AgeBand(1.0, 34.0, 10.0, 15.0, 67.0),), 0.0,
        {"localised": 1.0},
        (("scrotum", 0.85), ("scrotal skin", 0.15)),
        ((0, 0, 0, 0.85), (0, 1, 0, 0.10), (1, 1, 0, 0.05)), _NORMAL_LABS, _NORMAL_CORR,
        lesion_count=(0.1, 12.0, 2.5)),
    Presentation(
        "idiopathic/subepidermal_nodule", "idiopathic", 4.5,
        "Subepidermal calcified nodule (Winer): solitary head/neck nodule, mostly children",
        (63, 64),
        (AgeBand(0.7, 5.0, 4.0, 0.05, 17.9), AgeBand(0.3, 35.0, 15.0, 18.0, 80.0)), 1 / 3,
        {"localised": 0.9},
        (("left ear", 0.20), ("right ear", 0.20), ("eyelid", 0.15), ("cheek", 0.15), ("forehead", 0.10),
         ("chin", 0.05), ("hand", 0.10), ("scalp", 0.05)),
        _BENIGN_PAPULES, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.8, 2.0, 1.3)),
    Presentation(
        "idiopathic/milia_like_down", "idiopathic", 1.0,
        "Milia-like idiopathic calcinosis cutis in a child with Down syndrome",
        (65,),
        (AgeBand(1.0, 8.0, 4.0, 1.0, 17.9),), 0.5,
        {"down_syndrome": 1.0},
        (("dorsum of hands", 0.35), ("palms", 0.20), ("feet", 0.20), ("dorsum of feet", 0.15), ("face", 0.10)),
        _BENIGN_PAPULES, _labs(_NORMAL_LABS, vitamin_d_25oh=Margin.band(22.0, 60.0)), _NORMAL_CORR,
        lesion_count=(0.0, 20.0, 1.8)),
    Presentation(
        "idiopathic/tumoral_hftc", "idiopathic", 1.5,
        "Hyperphosphataemic familial tumoral calcinosis: periarticular masses, high P, normal Ca/PTH/eGFR",
        (66, 67),
        (AgeBand(1.0, 14.0, 7.0, 2.0, 45.0),), 0.5,
        {"family_history_calcinosis": 0.5, "localised": 0.3},
        (("hip", 0.30), ("elbow", 0.20), ("shoulder", 0.20), ("foot", 0.10), ("hand", 0.10), ("lower leg", 0.10)),
        ((1, 0, 0, 0.55), (1, 1, 0, 0.35), (0, 0, 0, 0.10)),
        _labs(_NORMAL_LABS, phosphate=Margin.above(1.8, 1.4), egfr=Margin.healthy_egfr(1.1, lower=75.0)),
        _NORMAL_CORR, lesion_count=(0.4, 3.0, 1.5)),
    Presentation(
        "idiopathic/tumoral_nftc", "idiopathic", 0.5,
        "Normophosphataemic familial tumoral calcinosis (SAMD9), mainly Jewish-Yemenite families",
        (68,),
        (AgeBand(1.0, 6.0, 5.0, 0.5, 30.0),), 0.5,
        {"yemenite_jewish_ancestry": 0.7, "family_history_calcinosis": 0.5},
        (("lower leg", 0.35), ("forearm", 0.20), ("hand", 0.20), ("foot", 0.25)),
        ((1, 1, 0, 0.6), (1, 0, 0, 0.3), (0, 0, 0, 0.1)), _NORMAL_LABS, _NORMAL_CORR,
        lesion_count=(0.3, 3.0, 1.6)),
    Presentation(
        "idiopathic/circumscripta", "idiopathic", 2.5,
        "Idiopathic calcinosis circumscripta: no injury, disease, exposure or metabolic cause",
        (1, 4, 5),
        (AgeBand(1.0, 45.0, 18.0, 5.0, 90.0),), 0.5,
        {"localised": 0.8},
        (("forearm", 0.25), ("lower leg", 0.25), ("buttock", 0.15), ("upper arm", 0.15), ("thigh", 0.20)),
        _CHALKY_NODULES, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.5, 3.0, 1.6)),
    # ------------------------------------------------------------------ iatrogenic
    Presentation(
        "iatrogenic/iv_calcium_extravasation", "iatrogenic", 6.0,
        "IV calcium gluconate/chloride extravasation, lesions about 2 weeks later at the infusion site",
        (70, 71, 72, 73, 74, 75, 77),
        (AgeBand(0.75, 17.5 * _DAY, 7.8 * _DAY, 1 * _DAY, 90 * _DAY), AgeBand(0.25, 60.0, 18.0, 18.0, 95.0)), 0.5,
        {"iv_calcium": 1.0, "nicu_stay": 0.7, "blistering": 0.15, "parenteral_nutrition": 0.2},
        (("dorsum of hand", 0.25), ("dorsum of left hand", 0.10), ("wrist", 0.15), ("ankle", 0.15),
         ("foot", 0.15), ("forearm", 0.15), ("flank", 0.05)),
        _EXTRAVASATION_LESIONS, _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.5, 4.0, 1.8),
        exposure_weeks=Margin.normal(1.9, 0.8, 0.3, 6.0)),
    Presentation(
        "iatrogenic/heel_sticks", "iatrogenic", 3.0,
        "Calcified heel nodules at 4-12 months after neonatal heel sticks",
        (4, 69),
        (AgeBand(1.0, 0.65, 0.2, 4 / 12, 0.999),), 0.5,
        {"heel_sticks": 1.0, "nicu_stay": 0.75},
        (("posterolateral heel", 0.40), ("heels", 0.20), ("left heel", 0.20), ("right heel", 0.20)),
        ((0, 0, 0, 0.90), (0, 1, 0, 0.10)), _NORMAL_LABS, _NORMAL_CORR, lesion_count=(0.4, 3.0, 1.5),
        exposure_weeks=Margin.since_birth(1.5, 2.0, 0.1)),
    Presentation(
        "iatrogenic/electrode_paste", "iatrogenic", 1.0,
        "Calcium chloride EEG/EMG electrode paste: nodules at electrode sites within weeks",
        (46, 78, 79),
        (AgeBand(0.6, 7.0, 4.0, 0.1, 17.9), AgeBand(0.4, 45.0, 18.0, 18.0, 90.0)), 0.5,
        {"electrode_paste": 1.0, "recent_hospitalisation": 0.6},
        (("scalp", 0.60), ("scalp electrode sites", 0.20), ("forehead", 0.10), ("temple", 0.10)),
        ((0, 0, 0, 0.40), (1, 0, 0, 0.25), (1, 1, 0, 0.15), (1, 1, 1, 0.20)), _NORMAL_LABS, _NORMAL_CORR,
        lesion_count=(0.2, 4.0, 1.8), exposure_weeks=Margin.normal(3.0, 1.5, 0.3, 8.0)),
    # ------------------------------------------------------------------ calciphylaxis
    Presentation(
        "calciphylaxis/uremic", "calciphylaxis", 12.7,
        "Calcific uremic arteriolopathy: dialysis/ESRD, painful necrosis, near-normal to deranged labs",
        (8, 9, 10, 11, 12, 13, 15, 16, 17, 21, 22, 23, 24, 26),
        (AgeBand(1.0, 60.0, 13.0, 20.0, 95.0),), 0.63,
        {"ckd": 1.0, "hyperparathyroidism": 0.5, "warfarin": 0.45, "diabetes": 0.5, "obesity": 0.55,
         "corticosteroids": 0.15, "thrombophilia": 0.15, "calcium_binders": 0.4, "active_vitamin_d": 0.4,
         "kidney_transplant": 0.07, "weight_loss": 0.3, "biopsy_vascular_calcification": 0.35,
         "vascular_calcification_xray": 0.3, "fever_sepsis": 0.15},
        _PROXIMAL_DISTAL_SITES, _CALCIPHYLAXIS_LESIONS,
        {"calcium": Margin.ref(0.2, 0.35, -0.8, 1.5), "phosphate": Margin.ref(1.6, 0.9, -0.3, 5.0),
         "pth": Margin.lognormal(250.0, 2.3, 10.0), "albumin": Margin.normal(3.1, 0.5, 1.5, 4.6),
         "vitamin_d_25oh": Margin.lognormal(18.0, 1.7, 3.0, 100.0), "egfr": Margin.lognormal(9.0, 1.5, 2.0, 45.0)},
        _CKD_CORR, p_dialysis_if_esrd=0.95, lesion_count=(0.3, 3.0, 1.8),
        dialysis_years=Margin.lognormal(2.5, 3.0, 0.1, 40.0), warfarin_months=Margin.lognormal(30.0, 2.0, 1.0, 480.0)),
    Presentation(
        "calciphylaxis/nonuremic_warfarin", "calciphylaxis", 1.0,
        "Warfarin-associated non-uremic calciphylaxis, about 32 months on warfarin, below-knee lesions",
        (18, 19, 20, 32, 33),
        (AgeBand(1.0, 58.0, 16.0, 19.0, 86.0),), 0.83,
        {"warfarin": 1.0, "obesity": 0.45, "corticosteroids": 0.3, "diabetes": 0.3, "liver_disease": 0.1,
         "thrombophilia": 0.1, "biopsy_vascular_calcification": 0.4},
        (("below knees", 0.67), ("thighs", 0.15), ("abdomen", 0.10), ("buttocks", 0.08)),
        _CALCIPHYLAXIS_LESIONS,
        {"calcium": Margin.ref(0.45, 0.25, -0.4, 1.2), "phosphate": Margin.ref(0.5, 0.25, -0.4, 1.3),
         "pth": Margin.lognormal(50.0, 1.5, 8.0, 250.0), "albumin": Margin.normal(3.4, 0.5, 1.8, 4.8),
         "vitamin_d_25oh": Margin.lognormal(24.0, 1.5, 4.0, 100.0), "egfr": Margin.healthy_egfr(1.2, lower=20.0)},
        _NORMAL_CORR, lesion_count=(0.3, 3.0, 1.8), warfarin_months=Margin.lognormal(32.0, 1.6, 3.0, 480.0)),
    Presentation(
        "calciphylaxis/nonuremic_primary_hpt", "calciphylaxis", 0.8,
        "Non-uremic calciphylaxis with primary HPT (the commonest non-uremic cause)",
        (18, 33),
        (AgeBand(1.0, 58.0, 14.0, 15.0, 82.0),), 0.75,
        {"hyperparathyroidism": 1.0, "corticosteroids": 0.6, "obesity": 0.4, "warfarin": 0.15,
         "biopsy_vascular_calcification": 0.4},
        _PROXIMAL_DISTAL_SITES, _CALCIPHYLAXIS_LESIONS,
        {"calcium": Margin.above(0.9, 1.5), "phosphate": Margin.ref(0.2, 0.22, -0.6, 0.85),
         "pth": Margin.above(90.0, 1.8), "albumin": Margin.normal(3.5, 0.5, 1.8, 4.8),
         "vitamin_d_25oh": Margin.lognormal(22.0, 1.5, 4.0, 100.0), "egfr": Margin.healthy_egfr(1.2, lower=20.0)},
        (("calcium", "pth", 0.6), ("calcium", "phosphate", -0.3), ("pth", "phosphate", -0.35))),
    Presentation(
        "calciphylaxis/nonuremic_other", "calciphylaxis", 0.5,
        "Non-uremic calciphylaxis with liver disease, malignancy or CTD on steroids",
        (18, 20, 24, 33, 104),
        (AgeBand(1.0, 56.0, 15.0, 15.0, 85.0),), 0.75,
        {"liver_disease": 0.35, "malignancy": 0.3, "autoimmune_disease": 0.3, "corticosteroids": 0.6,
         "thrombophilia": 0.11, "obesity": 0.4, "weight_loss": 0.3, "biopsy_vascular_calcification": 0.4},
        _PROXIMAL_DISTAL_SITES, _CALCIPHYLAXIS_LESIONS,
        {"calcium": Margin.ref(0.4, 0.25, -0.4, 1.2), "phosphate": Margin.ref(0.5, 0.25, -0.4, 1.3),
         "pth": Margin.lognormal(50.0, 1.5, 8.0, 250.0), "albumin": Margin.normal(3.0, 0.5, 1.5, 4.6),
         "vitamin_d_25oh": Margin.lognormal(20.0, 1.6, 4.0, 100.0), "egfr": Margin.healthy_egfr(1.2, lower=20.0)},
        _NORMAL_CORR, lesion_count=(0.3, 3.0, 1.8)),
    # ------------------------------------------------------------------ atypical (atypical_rate)
    Presentation(
        "dystrophic/atypical_ssc_on_dialysis", "dystrophic", 1.0,
        "SSc patient on dialysis with thumb-pad calcinosis: dystrophic despite a metastatic milieu",
        (56, 43),
        (AgeBand(1.0, 58.0, 12.0, 25.0, 90.0),), 0.8,
        {"autoimmune_disease": 1.0, "ctd_antibody": 0.5, "raynaud_digital_ulcers": 0.75, "ckd": 1.0,
         "hyperparathyroidism": 0.4},
        _SSC_SITES, _SSC_LESIONS, _labs(_CKD_LABS, egfr=_ESRD_EGFR), _CKD_CORR, p_dialysis_if_esrd=1.0,
        lesion_count=(0.2, 4.0, 2.0), atypical=True),
    Presentation(
        "metastatic/atypical_ckd_with_ctd", "metastatic", 1.0,
        "Lupus nephritis on dialysis with periarticular masses and Ca x P > 70: metastatic despite CTD",
        (43, 44, 47),
        (AgeBand(1.0, 40.0, 12.0, 18.0, 80.0),), 0.85,
        {"autoimmune_disease": 1.0, "ckd": 1.0, "hyperparathyroidism": 0.6, "corticosteroids": 0.5,
         "calcium_binders": 0.4},
        _METASTATIC_SITES[:4], _METASTATIC_LESIONS,
        _labs(_CKD_LABS, calcium=Margin.ref(0.6, 0.3, -0.3, 1.6), phosphate=Margin.ref(2.6, 0.6, 0.8, 5.0),
              egfr=_ESRD_EGFR),
        _CKD_CORR, p_dialysis_if_esrd=1.0, atypical=True),
    Presentation(
        "metastatic/atypical_masked_hypercalcaemia", "metastatic", 1.0,
        "Malignancy with hypoalbuminaemia: normal total Ca hides corrected/ionised hypercalcaemia",
        (45, 52, 94, 99),
        (AgeBand(1.0, 67.0, 10.0, 30.0, 95.0),), 0.5,
        {"malignancy": 1.0, "weight_loss": 0.5},
        _METASTATIC_SITES, _METASTATIC_LESIONS,
        # Total Ca >= 9.7 mg/dL with albumin <= 2.85 g/dL: corrected Ca >= 10.6 mg/dL.
        {"calcium": Margin.ref(0.78, 0.08, 0.6, 0.95), "phosphate": Margin.ref(0.4, 0.3, -0.4, 0.9),
         "pth": _SUPPRESSED_PTH, "albumin": Margin.normal(2.4, 0.2, 1.6, 2.85),
         "vitamin_d_25oh": Margin.lognormal(22.0, 1.5, 4.0, 100.0), "egfr": Margin.healthy_egfr(1.25)},
        (("calcium", "pth", -0.3),), atypical=True),
    Presentation(
        "idiopathic/atypical_hftc_metastatic_mimic", "idiopathic", 1.0,
        "Adult HFTC without known family history: very high P and Ca x P > 70 mimic metastatic calcinosis",
        (66, 67),
        (AgeBand(1.0, 38.0, 10.0, 20.0, 65.0),), 0.5,
        {"family_history_calcinosis": 0.1},
        (("hip", 0.40), ("shoulder", 0.30), ("elbow", 0.30)),
        ((1, 0, 0, 0.55), (1, 1, 0, 0.35), (0, 0, 0, 0.10)),
        {"calcium": Margin.ref(0.72, 0.08, 0.55, 0.8), "phosphate": Margin.above(3.2, 1.25),
         "pth": Margin.ref(0.25, 0.12, 0.1, 0.6), "albumin": Margin.band(3.7, 4.3),
         "vitamin_d_25oh": Margin.lognormal(27.0, 1.45, 4.0, 120.0),
         "egfr": Margin.healthy_egfr(1.1, lower=75.0)},
        _NORMAL_CORR, lesion_count=(0.4, 3.0, 1.5), atypical=True),
    Presentation(
        "iatrogenic/atypical_extravasation_esrd", "iatrogenic", 1.0,
        "IV calcium extravasation in a dialysis patient with high Ca x P: iatrogenic, metastatic milieu",
        (76,),
        (AgeBand(1.0, 60.0, 14.0, 20.0, 90.0),), 0.5,
        {"iv_calcium": 1.0, "ckd": 1.0, "hyperparathyroidism": 0.5, "calcium_binders": 0.4},
        (("dorsum of hand", 0.35), ("forearm", 0.30), ("wrist", 0.20), ("antecubital fossa", 0.15)),
        _EXTRAVASATION_LESIONS,
        _labs(_CKD_LABS, calcium=Margin.ref(0.6, 0.3, -0.3, 1.6), phosphate=Margin.ref(2.5, 0.6, 0.8, 5.0),
              egfr=_ESRD_EGFR),
        _CKD_CORR, p_dialysis_if_esrd=1.0, lesion_count=(0.5, 3.0, 1.6),
        exposure_weeks=Margin.normal(2.0, 1.0, 0.3, 6.0), atypical=True),
    Presentation(
        "calciphylaxis/atypical_normal_labs", "calciphylaxis", 1.0,
        "Calciphylaxis with normal calcium, phosphate and PTH",
        (9, 15, 19),
        (AgeBand(1.0, 60.0, 13.0, 20.0, 95.0),), 0.7,
        {"obesity": 0.6, "diabetes": 0.5, "corticosteroids": 0.3, "warfarin": 0.3, "ckd": 0.5},
        _PROXIMAL_DISTAL_SITES, _CALCIPHYLAXIS_LESIONS,
        _labs(_NORMAL_LABS, egfr=Margin.lognormal(14.0, 2.5, 2.0, 120.0)), _NORMAL_CORR,
        p_dialysis_if_esrd=0.9, lesion_count=(0.3, 3.0, 1.8), atypical=True),
)

#: Every presentation profile by name (read-only).
PRESENTATIONS: Mapping[str, Presentation] = MappingProxyType({p.name: p for p in _PROFILES})

# --------------------------------------------------------------------------- columns and vocabularies

_STATUS_OF: Mapping[str, str] = MappingProxyType({
    f.name[: -len("_status")]: f.name for f in FIELDS if f.kind == "status"
})
_SI_FIELDS: tuple[str, ...] = tuple(
    f.name for f in FIELDS
    if f.name in (*_LATENT, *_DERIVED_LABS) and f.si_unit is not None and f.si_unit != f.unit
)
_USED_FLAGS = {name for p in _PROFILES for name in p.flags} | set(_ADULT_BACKGROUND) | {"ckd", "dialysis",
                                                                                          "nicu_stay"}
_LESION_FLAGS: tuple[str, ...] = ("painful", "ulceration", "necrosis")
# Contract flags always; extension flags only when some profile uses them.
_FLAG_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in FIELDS if f.kind == "flag" and (f.contract or f.name in _USED_FLAGS)
)
_HISTORY_FLAGS: tuple[str, ...] = tuple(f for f in _FLAG_COLUMNS if f not in _LESION_FLAGS)
_EXTENSION_NUMBERS: tuple[str, ...] = ("lesion_count", "dialysis_years", "warfarin_months", "exposure_weeks")
_NUMBER_COLUMNS: tuple[str, ...] = ("age_years", *_LATENT, *_DERIVED_LABS, *_EXTENSION_NUMBERS)
_SITE_VOCAB: tuple[str, ...] = tuple(sorted({s for p in _PROFILES for s, _ in p.sites}))
_SITE_CODE = {s: i for i, s in enumerate(_SITE_VOCAB)}
_BRANCHES: tuple[str, ...] = tuple(p.name for p in _PROFILES)


def _column_order(with_units: bool) -> list[str]:
    emitted = {"case_id", "sex", "lesion_site", *_NUMBER_COLUMNS, *_FLAG_COLUMNS, *_STATUS_OF.values()}
    columns: list[str] = []
    for f in FIELDS:
        if f.name in emitted:
            columns.append(f.name)
            if with_units and f.name in _SI_FIELDS:
                columns.append(f"{f.name}_unit")
    return [*columns, "true_subtype", "presentation", "is_atypical", "generator_version", "seed"]


# --------------------------------------------------------------------------- validation of the table

def _correlation(p: Presentation) -> np.ndarray:
    index = {lab: i for i, lab in enumerate(_LATENT)}
    matrix = np.eye(len(_LATENT))
    for a, b, rho in p.correlations:
        if a not in index or b not in index or a == b:
            raise RuntimeError(f"synthetic: {p.name}: correlation ({a!r}, {b!r}) must name two latent labs "
                               f"of {_LATENT}")
        if not -1 < rho < 1:
            raise RuntimeError(f"synthetic: {p.name}: correlation of {a} and {b} must be in (-1, 1), got {rho}")
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = rho
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise RuntimeError(f"synthetic: {p.name}: correlations do not form a positive-definite matrix") from None


def _check_presentation(p: Presentation) -> None:
    where = f"synthetic: {p.name}"
    _check_identity(p, where)
    _check_probabilities(p, where)
    _check_labs(p, where)


def _check_identity(p: Presentation, where: str) -> None:
    if p.subtype not in SUBTYPES or not p.name.startswith(p.subtype + "/"):
        raise RuntimeError(f"{where}: name must start with its subtype, one of {SUBTYPES}")
    if p.atypical != p.name.split("/", 1)[1].startswith("atypical_"):
        raise RuntimeError(f"{where}: atypical branches (and only they) are named '<subtype>/atypical_...'")
    if not (p.weight > 0 and p.refs and p.ages and p.sites and p.lesions):
        raise RuntimeError(f"{where}: needs a positive weight, references, ages, sites and lesion patterns")
    for band in p.ages:
        if not (band.weight > 0 and 0 <= band.lower < band.upper <= 110):
            raise RuntimeError(f"{where}: age band needs a positive weight and 0 <= lower < upper <= 110")


def _check_probabilities(p: Presentation, where: str) -> None:
    for name, prob in (("p_female", p.p_female), ("p_dialysis_if_esrd", p.p_dialysis_if_esrd),
                       *p.flags.items()):
        if not 0 <= prob <= 1:
            raise RuntimeError(f"{where}: probability {name} must be in [0, 1], got {prob}")
    for name in p.flags:
        spec = FIELD_BY_NAME.get(name)
        if spec is None or spec.kind != "flag" or name in (*_LESION_FLAGS, "dialysis"):
            raise RuntimeError(f"{where}: {name!r} is not a history flag of the schema (dialysis follows eGFR)")
    if not math.isclose(sum(w for *_, w in p.lesions), 1.0) or any(w <= 0 for _, w in p.sites):
        raise RuntimeError(f"{where}: lesion pattern probabilities must sum to 1 and site weights be positive")


def _check_labs(p: Presentation, where: str) -> None:
    if set(p.labs) != set(_LATENT):
        raise RuntimeError(f"{where}: labs must give exactly {_LATENT}")
    for lab, margin in p.labs.items():
        if margin.kind in _AGE_RELATIVE_KINDS or (margin.kind == "above" and math.isnan(margin.base)):
            if lab not in _AGE_RANGES:
                raise RuntimeError(f"{where}: {lab} has no age-specific interval for a {margin.kind!r} margin")
        if margin.kind == "healthy_egfr" and lab != "egfr":
            raise RuntimeError(f"{where}: healthy_egfr margin is for egfr only")
    if p.labs["calcium"].kind == "within":
        albumin = p.labs["albumin"]
        if albumin.kind != "band" or albumin.lower < 3.7 or albumin.upper > 4.3:
            raise RuntimeError(f"{where}: normal calcium needs albumin in band(3.7-4.3 g/dL) so corrected "
                               f"calcium stays normal")


def _check_table() -> dict[str, np.ndarray]:
    if len(PRESENTATIONS) != len(_PROFILES):
        raise RuntimeError("synthetic: presentation names must be unique")
    for p in _PROFILES:
        _check_presentation(p)
    for subtype in SUBTYPES:
        kinds = {p.atypical for p in _PROFILES if p.subtype == subtype}
        if kinds != {False, True}:
            raise RuntimeError(f"synthetic: subtype {subtype} needs typical and atypical presentations")
    return {p.name: _correlation(p) for p in _PROFILES}


_CHOLESKY = _check_table()


# --------------------------------------------------------------------------- drawing helpers

def _age_limits(lab: str, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    table = _AGE_RANGES[lab]
    starts = np.array([r[0] for r in table])
    idx = np.clip(np.searchsorted(starts, age, side="right") - 1, 0, len(table) - 1)
    return np.array([r[1] for r in table])[idx], np.array([r[2] for r in table])[idx]


def _logistic(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _healthy_egfr(age: np.ndarray) -> np.ndarray:
    """Typical eGFR (mL/min/1.73 m²) without kidney disease.

    GFR matures from about 30% of the adult value at birth to adult values by
    two years and declines by about 0.9 per year after 40 (population norms).
    """
    maturation = np.clip(0.3 + 0.35 * age, 0.3, 1.0)
    return 115.0 * maturation - 0.9 * np.maximum(age - 40.0, 0.0)


def _height_cm(age: np.ndarray) -> np.ndarray:
    """Approximate median height for age (growth-chart medians; Weech's 6 * age + 77 for 2-12 y)."""
    return np.select([age < 1, age < 2, age < 12], [50 + 25 * age, 75 + 12 * (age - 1), 6 * age + 77],
                     np.minimum(149 + 4 * (age - 12), 175))


def _creatinine(egfr: np.ndarray, age: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Serum creatinine (mg/dL) that gives ``egfr`` under the equation a laboratory would use.

    Adults: CKD-EPI 2021 race-free equation (Inker et al., NEJM 2021), inverted.
    Children: bedside Schwartz (eGFR = 0.413 x height / creatinine).
    """
    kappa = np.where(female, 0.7, 0.9)
    alpha = np.where(female, -0.241, -0.302)
    scale = 142.0 * 0.9938 ** age * np.where(female, 1.012, 1.0)
    ratio = egfr / scale
    adult = kappa * np.where(ratio <= 1, ratio ** (-1 / 1.2), ratio ** (1 / alpha))
    child = 0.413 * _height_cm(age) / egfr
    return np.where(age >= _ADULT_AGE, adult, child)


def _draw_margin(margin: Margin, z: np.ndarray, lab: str, age: np.ndarray) -> np.ndarray:
    kind = margin.kind
    if kind in _AGE_RELATIVE_KINDS or kind == "above":
        lo, hi = _age_limits(lab, age) if lab in _AGE_RANGES else (np.full(age.shape, np.nan),) * 2
        if kind == "within":
            return lo + (hi - lo) * (margin.loc + (1 - 2 * margin.loc) * _logistic(z))
        if kind == "ref":
            return lo + (hi - lo) * np.clip(margin.loc + margin.scale * z, margin.lower, margin.upper)
        base = hi if math.isnan(margin.base) else np.full(age.shape, margin.base)
        return base + margin.loc * margin.scale ** z
    if kind == "band":
        return margin.lower + (margin.upper - margin.lower) * _logistic(z)
    if kind == "normal":
        value = margin.loc + margin.scale * z
    elif kind == "lognormal":
        value = margin.loc * margin.scale ** z
    elif kind == "healthy_egfr":
        value = _healthy_egfr(age) * margin.scale ** z
    else:  # since_birth
        value = age * _WEEKS_PER_YEAR - margin.loc * margin.scale ** z
    return np.clip(value, margin.lower, margin.upper)


def _plausible(name: str, values: np.ndarray) -> np.ndarray:
    spec = FIELD_BY_NAME[name]
    assert spec.plausible is not None
    return np.clip(values, *spec.plausible)


def _round(name: str, values: np.ndarray, *, up: bool = False, si: bool = False) -> np.ndarray:
    decimals = _DECIMALS[name][1 if si else 0]
    if up:
        scale = 10.0 ** decimals
        return np.ceil(values * scale) / scale
    return np.round(values, decimals)


def _draw_ages(p: Presentation, m: int, rng: np.random.Generator) -> np.ndarray:
    weights = np.array([b.weight for b in p.ages])
    component = rng.choice(len(p.ages), size=m, p=weights / weights.sum())
    z = rng.standard_normal(m)
    mean = np.array([b.mean for b in p.ages])[component]
    sd = np.array([b.sd for b in p.ages])[component]
    age = np.clip(mean + sd * z, np.array([b.lower for b in p.ages])[component],
                  np.array([b.upper for b in p.ages])[component])
    # Infants are recorded in days, everyone else in completed years (as on a chart).
    return np.where(age < 2, np.maximum(np.round(age * 365.25), 1) / 365.25, np.floor(age))


def _generate_block(p: Presentation, m: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """All canonical values of ``m`` cases of one presentation (before missingness and units)."""
    out: dict[str, np.ndarray] = {}
    age = _draw_ages(p, m, rng)
    female = rng.random(m) < p.p_female
    out["age_years"] = age
    out["sex"] = np.where(female, 0, 1).astype(np.int32)  # codes into ("F", "M")

    latent = rng.standard_normal((m, len(_LATENT))) @ _CHOLESKY[p.name].T
    raw = {lab: _plausible(lab, _draw_margin(p.labs[lab], latent[:, j], lab, age))
           for j, lab in enumerate(_LATENT)}
    for lab in _LATENT:
        out[lab] = _round(lab, raw[lab], up=p.labs[lab].kind == "above")

    # Ionised calcium follows the albumin-corrected calcium's place in its own interval.
    corrected = raw["calcium"] + _ALBUMIN_SLOPE * (_ALBUMIN_NORMAL - raw["albumin"])
    ca_lo, ca_hi = _age_limits("calcium", age)
    position = (corrected - ca_lo) / (ca_hi - ca_lo) + 0.05 * rng.standard_normal(m)
    if p.labs["calcium"].kind == "within":
        position = np.clip(position, 0.1, 0.9)
    i_lo, i_hi = _age_limits("ionized_calcium", age)
    out["ionized_calcium"] = _round("ionized_calcium", _plausible("ionized_calcium", i_lo + (i_hi - i_lo) * position))

    gfr = raw["egfr"]
    out["creatinine"] = _round("creatinine", _plausible("creatinine", _creatinine(gfr, age, female)))
    # No validated eGFR equation under one year: laboratories report creatinine only.
    out["egfr"] = np.where(age < 1, np.nan, out["egfr"])

    adult = age >= _ADULT_AGE
    p_adult = np.array([p.flags.get(f, _ADULT_BACKGROUND.get(f, 0.0)) for f in _HISTORY_FLAGS])
    p_child = np.array([p.flags.get(f, 0.0) for f in _HISTORY_FLAGS])
    active = np.flatnonzero((p_adult > 0) | (p_child > 0))
    drawn = rng.random((m, active.size)) < np.where(adult[:, None], p_adult[active], p_child[active])
    flags = {f: np.zeros(m, dtype=bool) for f in _HISTORY_FLAGS}
    for k, j in enumerate(active):
        flags[_HISTORY_FLAGS[j]] = drawn[:, k]
    dialysis = (gfr < 15) & (rng.random(m) < p.p_dialysis_if_esrd)
    flags["dialysis"] = dialysis
    # eGFR < 60 is CKD once renal maturation is complete (about two years) [41].
    flags["ckd"] = flags["ckd"] | dialysis | ((gfr < 60) & (age >= 2))
    flags["nicu_stay"] = flags["nicu_stay"] & (age < 1)

    weights = np.array([w for *_, w in p.lesions])
    pattern = np.array([pat[:3] for pat in p.lesions], dtype=np.float64)[
        rng.choice(len(p.lesions), size=m, p=weights / weights.sum())]
    for k, name in enumerate(_LESION_FLAGS):
        out[name] = pattern[:, k]
    for name, values in flags.items():
        out[name] = values.astype(np.float64)

    site_weights = np.array([w for _, w in p.sites])
    site_codes = np.array([_SITE_CODE[s] for s, _ in p.sites], dtype=np.int32)
    out["lesion_site"] = site_codes[rng.choice(len(p.sites), size=m, p=site_weights / site_weights.sum())]

    p_solitary, median, gsd = p.lesion_count
    multiple = np.maximum(2.0, np.round(median * gsd ** rng.standard_normal(m)))
    out["lesion_count"] = _plausible("lesion_count", np.where(rng.random(m) < p_solitary, 1.0, multiple))

    z_ext = rng.standard_normal((m, 3))
    dialysis_years = np.minimum(_draw_margin(p.dialysis_years, z_ext[:, 0], "dialysis_years", age), age)
    out["dialysis_years"] = np.where(dialysis, _round("dialysis_years", _plausible("dialysis_years",
                                                                                   dialysis_years)), np.nan)
    warfarin_months = np.minimum(_draw_margin(p.warfarin_months, z_ext[:, 1], "warfarin_months", age), age * 12)
    out["warfarin_months"] = np.where(flags["warfarin"], _round("warfarin_months", _plausible(
        "warfarin_months", warfarin_months)), np.nan)
    if p.exposure_weeks is None:
        out["exposure_weeks"] = np.full(m, np.nan)
    else:
        weeks = _draw_margin(p.exposure_weeks, z_ext[:, 2], "exposure_weeks", age)
        out["exposure_weeks"] = _round("exposure_weeks", _plausible("exposure_weeks", weeks))
    return out


def _status_codes(lab: str, values: np.ndarray, age: np.ndarray) -> np.ndarray:
    """0/1/2 = low/normal/high against the age-specific interval; -1 where unknown."""
    lo, hi = _age_limits(lab, age)
    code = np.where(values < lo, 0, np.where(values > hi, 2, 1))
    return np.where(np.isnan(values), -1, code).astype(np.int32)


def _strings(vocabulary: tuple[str, ...], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Text column from integer codes (-1 = missing), built in Arrow without Python objects per row."""
    codes = np.asarray(codes, dtype=np.int64)
    taken = pa.array(list(vocabulary), type=pa.large_string()).take(pa.array(codes, mask=codes < 0))
    return pd.array(taken, dtype="str")


# --------------------------------------------------------------------------- knobs

def _check_rate(name: str, value: Any, *, upper_open: bool = False) -> float:
    bracket = ")" if upper_open else "]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number in [0, 1{bracket}, got {value!r}")
    rate = float(value)
    if not (0.0 <= rate and (rate < 1.0 if upper_open else rate <= 1.0)):
        raise InputError(f"{name} must be in [0, 1{bracket}, got {value!r}")
    return rate


def _check_class_weights(class_weights: Mapping[str, float] | None) -> np.ndarray:
    if class_weights is None:
        return np.array([sum(p.weight for p in _PROFILES if p.subtype == s and not p.atypical) for s in SUBTYPES])
    if not isinstance(class_weights, Mapping):
        raise InputError(f"class_weights must be a mapping of subtype to weight, got {type(class_weights).__name__}")
    unknown = sorted(str(k) for k in class_weights if k not in SUBTYPES)
    if unknown:
        raise InputError(f"class_weights has unknown subtype(s) {', '.join(map(repr, unknown))}; "
                         f"expected some of {', '.join(SUBTYPES)}")
    weights = np.zeros(len(SUBTYPES))
    for i, subtype in enumerate(SUBTYPES):
        value = class_weights.get(subtype, 0.0)
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
                math.isfinite(float(value)) and float(value) >= 0):
            raise InputError(f"class_weights[{subtype!r}] must be a finite number >= 0, got {value!r}")
        weights[i] = float(value)
    if weights.sum() <= 0:
        raise InputError("class_weights must give at least one subtype a positive weight")
    return weights


def _branch_probabilities(subtype_weights: np.ndarray, atypical_rate: float) -> np.ndarray:
    shares = subtype_weights / subtype_weights.sum()
    probs = np.zeros(len(_PROFILES))
    for i, p in enumerate(_PROFILES):
        s = SUBTYPES.index(p.subtype)
        pool = [q.weight for q in _PROFILES if q.subtype == p.subtype and q.atypical == p.atypical]
        probs[i] = shares[s] * (atypical_rate if p.atypical else 1 - atypical_rate) * p.weight / sum(pool)
    return probs / probs.sum()


# --------------------------------------------------------------------------- public API

def generate_cohort(
    n: int,
    seed: int = 0,
    *,
    class_weights: Mapping[str, float] | None = None,
    missing_rate: float = 0.1,
    qualitative_rate: float = 0.05,
    si_fraction: float = 0.0,
    atypical_rate: float = 0.0,
    label_noise: float = 0.0,
    sparse_rate: float = 0.0,
) -> pd.DataFrame:
    """Generate a synthetic cohort of calcinosis cutis cases with known ground truth.

    Cases are drawn from the profiles in :data:`PRESENTATIONS`, independently of the rule base. Same
    ``seed``, knobs and :data:`GENERATOR_VERSION` give an identical frame.

    Parameters
    ----------
    n : int
        Number of cases (>= 0).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng` (0 <= seed < 2**63); recorded
        in the ``seed`` column.
    class_weights : mapping of str to float, optional
        Relative weight of each subtype (unlisted subtypes get 0). Default per
        100 cases: dystrophic 40, metastatic 20, calciphylaxis 15, idiopathic
        15, iatrogenic 10.
    missing_rate, qualitative_rate, si_fraction, atypical_rate, label_noise, sparse_rate : float
        Missing items, labs reported only as a status, rows in SI units,
        atypical presentations, flipped labels and sparse case-report-like
        rows: see "Knobs" in the module documentation.

    Returns
    -------
    pandas.DataFrame
        One row per case, columns in schema order plus the ground truth
        (``true_subtype``, ``presentation``, ``is_atypical``,
        ``generator_version``, ``seed``): see "Columns" in the module
        documentation.

    Raises
    ------
    InputError
        (a ``ValueError``) when a knob is invalid; the message names it.
    """
    n, seed = _check_size(n, seed)
    subtype_weights = _check_class_weights(class_weights)
    missing_rate = _check_rate("missing_rate", missing_rate, upper_open=True)
    qualitative_rate = _check_rate("qualitative_rate", qualitative_rate)
    si_fraction = _check_rate("si_fraction", si_fraction)
    atypical_rate = _check_rate("atypical_rate", atypical_rate)
    label_noise = _check_rate("label_noise", label_noise)
    sparse_rate = _check_rate("sparse_rate", sparse_rate)

    # One independent stream per concern: a knob never shifts another knob's draws (spawned children are
    # indexed, so adding a stream leaves the first ones unchanged).
    rng, rng_noise, rng_missing, rng_qualitative, rng_si, rng_sparse = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6))
    branch, values, codes = _draw_cases(n, subtype_weights, atypical_rate, rng)
    true_subtype = _true_subtypes(branch, label_noise, rng_noise)
    age = values["age_years"].copy()  # the reporting laboratory knows the age even if the extract does not
    if missing_rate > 0:
        _apply_missingness(values, codes, age, missing_rate, rng_missing)
    as_status = _apply_sparse(values, codes, sparse_rate, rng_sparse) if sparse_rate > 0 else {}
    status = _report_statuses(values, age, qualitative_rate, as_status, rng_qualitative)
    units = _report_units(values, si_fraction, rng_si) if si_fraction > 0 else {}

    columns: dict[str, Any] = {"case_id": np.arange(1, n + 1, dtype=np.int64)}
    columns.update(values)
    columns["sex"] = _strings(("F", "M"), codes["sex"])
    columns["lesion_site"] = _strings(_SITE_VOCAB, codes["lesion_site"])
    columns.update({name: _strings(_STATUS_WORDS, c) for name, c in status.items()})
    columns.update(units)
    columns["true_subtype"] = _strings(SUBTYPES, true_subtype)
    columns["presentation"] = _strings(_BRANCHES, branch)
    columns["is_atypical"] = np.array([p.atypical for p in _PROFILES], dtype=bool)[branch]
    columns["generator_version"] = _strings((GENERATOR_VERSION,), np.zeros(n, np.int32))
    columns["seed"] = np.full(n, seed, dtype=np.int64)
    return pd.DataFrame({name: columns[name] for name in _column_order(si_fraction > 0)}, copy=False)


def _check_size(n: Any, seed: Any) -> tuple[int, int]:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or int(n) < 0:
        raise InputError(f"n must be an integer >= 0, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2**63:
        raise InputError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    return int(n), int(seed)


def _draw_cases(n: int, subtype_weights: np.ndarray, atypical_rate: float, rng: np.random.Generator
                ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each case's branch, and its values and codes drawn from the branch's presentation."""
    counts = rng.multinomial(n, _branch_probabilities(subtype_weights, atypical_rate))
    branch = np.repeat(np.arange(len(_PROFILES), dtype=np.int32), counts)
    rng.shuffle(branch)
    rows_by_branch = np.split(np.argsort(branch, kind="stable"), np.cumsum(counts)[:-1])
    values: dict[str, np.ndarray] = {name: np.full(n, np.nan) for name in (*_NUMBER_COLUMNS, *_FLAG_COLUMNS)}
    codes: dict[str, np.ndarray] = {"sex": np.full(n, -1, np.int32), "lesion_site": np.full(n, -1, np.int32)}
    for p, rows, count in zip(_PROFILES, rows_by_branch, counts, strict=True):
        if count == 0:
            continue
        block = _generate_block(p, int(count), rng)
        for name, column in block.items():
            (codes if name in codes else values)[name][rows] = column
    return branch, values, codes


def _true_subtypes(branch: np.ndarray, label_noise: float, rng: np.random.Generator) -> np.ndarray:
    subtype_of_branch = np.array([SUBTYPES.index(p.subtype) for p in _PROFILES], dtype=np.int32)
    true_subtype = subtype_of_branch[branch]
    if label_noise > 0:
        n = branch.size
        flip = rng.random(n) < label_noise
        shift = rng.integers(1, len(SUBTYPES), size=n, dtype=np.int32)
        true_subtype = np.where(flip, (true_subtype + shift) % len(SUBTYPES), true_subtype).astype(np.int32)
    return true_subtype


def _report_statuses(values: dict[str, np.ndarray], age: np.ndarray, qualitative_rate: float,
                     as_status: Mapping[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Status codes of the labs reported only as low / normal / high (their numbers removed in place)."""
    n = age.size
    status: dict[str, np.ndarray] = {}
    for lab, status_field in _STATUS_OF.items():
        status[status_field] = np.full(n, -1, np.int32)
        if qualitative_rate > 0 or lab in as_status:
            chosen = ~np.isnan(values[lab]) & ((rng.random(n) < qualitative_rate) | as_status.get(lab, False))
            status[status_field] = np.where(chosen, _status_codes(lab, values[lab], age), -1).astype(np.int32)
            values[lab] = np.where(chosen, np.nan, values[lab])
    return status


def _report_units(values: dict[str, np.ndarray], si_fraction: float, rng: np.random.Generator) -> dict[str, Any]:
    """Convert the SI rows in place; the ``<lab>_unit`` columns."""
    n = values["age_years"].size
    in_si = rng.random(n) < si_fraction
    stated = rng.random(n) < _CONVENTIONAL_UNIT_STATED
    units: dict[str, Any] = {}
    for lab in _SI_FIELDS:
        spec = FIELD_BY_NAME[lab]
        factor = spec.factor(spec.si_unit) if spec.si_unit is not None else None
        if spec.unit is None or spec.si_unit is None or factor is None:
            raise RuntimeError(f"synthetic: {lab} needs a unit, an SI unit and a factor between them")
        values[lab] = np.where(in_si, _round(lab, values[lab] / factor, si=True), values[lab])
        known = ~np.isnan(values[lab])
        unit_codes = np.where(known & in_si, 1, np.where(known & stated, 0, -1))
        units[f"{lab}_unit"] = _strings((spec.unit, spec.si_unit), unit_codes)
    return units


def _apply_missingness(values: dict[str, np.ndarray], codes: dict[str, np.ndarray], age: np.ndarray,
                       rate: float, rng: np.random.Generator) -> None:
    """Blank values in place: missing at random plus the clinical patterns of ``generate_cohort``."""
    n = age.size

    def draw(weight: float) -> np.ndarray:
        return rng.random(n) < min(1.0, rate * weight)

    # Indication for PTH judged on the values before anything is blanked.
    ca_lo, ca_hi = _age_limits("calcium", age)
    calcium_normal = (values["calcium"] >= ca_lo) & (values["calcium"] <= ca_hi)
    unindicated = calcium_normal & (values["ckd"] == 0) & (values["hyperparathyroidism"] == 0)

    no_panel = draw(_MISSING_WEIGHT_PANEL)
    for lab in (*_LATENT, *_DERIVED_LABS):
        gone = no_panel | draw(_MISSING_WEIGHT[lab])
        if lab == "pth":
            gone |= unindicated & draw(_MISSING_WEIGHT_PTH_UNINDICATED)
        values[lab][gone] = np.nan
    values["egfr"][np.isnan(values["creatinine"])] = np.nan

    for name in ("age_years", *_EXTENSION_NUMBERS):
        values[name][draw(_MISSING_WEIGHT[name])] = np.nan
    for name in _FLAG_COLUMNS:
        if name in _MISSING_WEIGHT:
            weight = _MISSING_WEIGHT[name]
        elif FIELD_BY_NAME[name].contract:
            weight = _MISSING_WEIGHT_HISTORY
        else:
            weight = _MISSING_WEIGHT_EXTENSION
        values[name][draw(weight)] = np.nan
    for name in ("sex", "lesion_site"):
        codes[name][draw(_MISSING_WEIGHT[name])] = -1


def _apply_sparse(values: dict[str, np.ndarray], codes: dict[str, np.ndarray], rate: float,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Turn a ``rate`` share of rows into sparse presentations in place (see ``sparse_rate``); returns, per
    lab that has a status field, the rows whose value is to be reported as a status only."""
    n = codes["sex"].size
    sparse = rng.random(n) < rate

    def drop(rows: np.ndarray, keep: float) -> np.ndarray:
        return sparse & rows & (rng.random(n) >= keep)

    for name in _FLAG_COLUMNS:
        v = values[name]
        lesion = name in _LESION_FLAGS
        v[drop(v == 1, _SPARSE_KEEP_POSITIVE_LESION if lesion else _SPARSE_KEEP_POSITIVE_HISTORY)] = np.nan
        v[drop(v == 0, _SPARSE_KEEP_NEGATIVE_LESION if lesion else _SPARSE_KEEP_NEGATIVE_HISTORY)] = np.nan
    no_labs = sparse & (rng.random(n) < _SPARSE_NO_LABS)
    everyone = np.ones(n, dtype=bool)
    for lab in (*_LATENT, *_DERIVED_LABS):
        core = lab in ("calcium", "phosphate", "pth", "creatinine", "egfr")
        values[lab][no_labs | drop(everyone, _SPARSE_KEEP_CORE_LAB if core else _SPARSE_KEEP_OTHER_LAB)] = np.nan
    values["egfr"][np.isnan(values["creatinine"]) & sparse] = np.nan
    for name in _EXTENSION_NUMBERS:
        values[name][drop(everyone, _SPARSE_KEEP_EXTENSION_NUMBER)] = np.nan
    values["age_years"][drop(everyone, _SPARSE_KEEP["age_years"])] = np.nan
    for name in ("sex", "lesion_site"):
        codes[name][drop(everyone, _SPARSE_KEEP[name])] = -1
    return {lab: sparse & (rng.random(n) < _SPARSE_AS_STATUS) for lab in _STATUS_OF}


def describe_presentations() -> pd.DataFrame:
    """One row per presentation: subtype, weight, default share, demographics and references.

    Returns
    -------
    pandas.DataFrame
        Columns ``presentation``, ``subtype``, ``atypical``, ``weight``,
        ``default_share`` (expected fraction of a cohort generated with the
        default knobs; 0 for atypical branches, which need ``atypical_rate``),
        ``age`` (mixture summary, years), ``p_female``, ``sites`` (most
        frequent first), ``references`` (clinical-spec numbers) and
        ``description``.
    """
    shares = _branch_probabilities(_check_class_weights(None), 0.0)

    def ages(p: Presentation) -> str:
        total = sum(b.weight for b in p.ages)
        return "; ".join(f"{b.weight / total:.0%} {b.mean:.3g} (sd {b.sd:.2g}, {b.lower:.3g}-{b.upper:.3g})"
                         for b in p.ages)

    return pd.DataFrame({
        "presentation": [p.name for p in _PROFILES],
        "subtype": [p.subtype for p in _PROFILES],
        "atypical": [p.atypical for p in _PROFILES],
        "weight": [p.weight for p in _PROFILES],
        "default_share": shares,
        "age": [ages(p) for p in _PROFILES],
        "p_female": [p.p_female for p in _PROFILES],
        "sites": [", ".join(s for s, _ in sorted(p.sites, key=lambda sw: -sw[1])) for p in _PROFILES],
        "references": ["".join(f"[{r}]" for r in p.refs) for p in _PROFILES],
        "description": [p.description for p in _PROFILES],
    })
