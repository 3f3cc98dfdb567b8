"""Derived findings: corrected calcium, Ca×P, age-aware statuses, kidney status...

Findings form a small dependency graph declared as data (:data:`FINDINGS`):
each node names its inputs (schema fields or earlier findings) and is computed
from exactly those arrays, so the engine can recompute only what a changed
input touches (used to find which missing inputs matter).

Boolean findings are tri-state ``uint8`` arrays: ``FALSE = 0``, ``UNKNOWN = 1``,
``TRUE = 2``, so Kleene logic is ``and = minimum``, ``or = maximum``,
``not = 2 - x``. Numeric findings are float64 with NaN for unknown.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from calcinosis_classify.errors import KnowledgeBaseError
from calcinosis_classify.knowledge import ranges
from calcinosis_classify.knowledge.composites import COMPOSITES
from calcinosis_classify.knowledge.model import Composite
from calcinosis_classify.knowledge.sites import MORPHOLOGY_GROUPS, SITE_GROUPS
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.logic import Condition, ConditionSyntaxError, compile_condition, compile_sequence
from calcinosis_classify.schema import FIELD_BY_NAME, FIELDS

__all__ = ["FALSE", "FINDINGS", "TRUE", "UNKNOWN", "Finding", "compute_findings"]

FALSE, UNKNOWN, TRUE = np.uint8(0), np.uint8(1), np.uint8(2)
_FLAG_LUT = np.array([UNKNOWN, FALSE, TRUE], dtype=np.uint8)  # index = flag + 1


@dataclass(frozen=True)
class Finding:
    """One node of the findings graph.

    Attributes
    ----------
    name : str
    inputs : tuple of str
        Schema fields or earlier findings, passed positionally to ``fn``.
    fn : callable
        ``fn(th, *arrays) -> ndarray``.
    kind : {"tri", "num", "matrix"}
    description : str
    unit : str
        For numeric findings.
    refs : tuple of int
        Clinical-spec references.
    """

    name: str
    inputs: tuple[str, ...]
    fn: Callable[..., np.ndarray]
    kind: str
    description: str
    unit: str = ""
    refs: tuple[int, ...] = ()


FINDINGS: dict[str, Finding] = {}


def _node(name: str, inputs: Iterable[str], kind: str, description: str, refs: tuple[int, ...] = (),
          unit: str = "") -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    def register(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        ins = tuple(inputs)
        for i in ins:
            if i not in FINDINGS and i not in FIELD_BY_NAME:
                raise RuntimeError(f"finding {name!r}: unknown input {i!r}")
        FINDINGS[name] = Finding(name, ins, fn, kind, description, unit, refs)
        return fn
    return register


def _tri_nan(condition: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Tri-state from a fresh boolean ``condition`` that is false wherever ``values`` is NaN (a comparison
    of ``values``): NaN rows are unknown. Four array operations, the cheapest form of :func:`tri`."""
    out = condition.view(np.uint8) << 1
    out |= np.isnan(values).view(np.uint8)
    return out


_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _cmp(values: np.ndarray, op: str, limit: Any) -> np.ndarray:
    # NaN compares false, so the unknown rows are exactly the NaN rows.
    return _tri_nan(_OPS[op](values, limit), values)


# Status findings: a code (-1 low, 0 normal, 1 high, NaN unknown) at one level, by code; computed
# together per code by compute_findings (one lookup for all levels).
_STATUS_NODES: dict[str, list[tuple[str, int]]] = {}


def _status_level(level: int, name: str, inputs: tuple[str, ...], kind: str, description: str,
                  refs: tuple[int, ...] = ()) -> None:
    """Register the finding ``code == level`` (tri-state; unknown where the code is NaN)."""
    (code,) = inputs
    _node(name, inputs, kind, description, refs)(lambda th, s: _tri_nan(s == level, s))
    _STATUS_NODES.setdefault(code, []).append((name, level))


# Single comparisons of one input against a threshold, by input: (finding, operator, threshold name).
# compute_findings evaluates all of an input's comparisons together (one call per operator).
_THRESHOLD_NODES: dict[str, list[tuple[str, str, str]]] = {}


def _threshold(op: str, attr: str, name: str, inputs: tuple[str, ...], kind: str, description: str,
               refs: tuple[int, ...] = ()) -> None:
    """Register the finding ``input <op> thresholds.<attr>`` (tri-state; unknown where the input is NaN)."""
    (field_name,) = inputs
    _node(name, inputs, kind, description, refs)(lambda th, x: _cmp(x, op, getattr(th, attr)))
    _THRESHOLD_NODES.setdefault(field_name, []).append((name, op, attr))


@lru_cache(maxsize=32)
def _age_arrays(table: tuple[tuple[float, float, float], ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(band starts, lows, highs) of an age table; lows and highs also as (bands, 1) columns."""
    return (np.array([r[0] for r in table]), np.array([[r[1]] for r in table]),
            np.array([[r[2]] for r in table]))


def _status_code(value: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    """-1 below ``lo``, 1 above ``hi``, 0 within, NaN where ``value`` is NaN."""
    code = (value > hi).astype(np.float64)
    code -= value < lo
    code[..., np.isnan(value)] = np.nan
    return code


def _age_status(value: np.ndarray, age: np.ndarray, table: tuple[tuple[float, float, float], ...],
                adult_high: float | None = None) -> np.ndarray:
    """Status (-1/0/1, NaN unknown) against the age band's range.

    Unknown age uses the adult band, but the status is known only where every age band agrees
    (Kleene: an unknown age must not decide the answer); elsewhere it is NaN.
    """
    if adult_high is not None:
        table = (*table[:-1], (table[-1][0], table[-1][1], adult_high))
    starts, lows, highs = _age_arrays(table)
    if value.size and np.isnan(value).all():
        return np.full(value.shape, np.nan)
    # NaN ages sort after every start: they land in the adult (last) band; negative ages in the first.
    band = np.maximum(np.searchsorted(starts, age, side="right") - 1, 0)
    out = _status_code(value, lows[band, 0], highs[band, 0])
    no_age = np.isnan(age)
    if no_age.any():
        per_band = _status_code(value[no_age], lows, highs)  # (bands, rows without age)
        first = per_band[0]
        agree = (per_band == first).all(axis=0)
        first[~agree] = np.nan
        out[no_age] = first
    return out


# --------------------------------------------------------------------------- flags

def _flag_node(field_name: str) -> None:
    spec = FIELD_BY_NAME[field_name]
    _node(f"has_{field_name}", (field_name,), "tri", spec.description, spec.refs)(
        lambda th, flag: _FLAG_LUT[flag.astype(np.int64) + 1])


for _f in FIELDS:
    if _f.kind == "flag" and _f.name not in ("painful", "necrosis", "ulceration"):
        _flag_node(_f.name)

_FLAG_NODES = tuple(f"has_{f.name}" for f in FIELDS if f"has_{f.name}" in FINDINGS and f.kind == "flag")


# --------------------------------------------------------------------------- text

_GROUP_PATTERNS = {
    "site": tuple(re.compile(p, re.IGNORECASE) for p, _, _ in SITE_GROUPS.values()),
    "morphology": tuple(re.compile(p, re.IGNORECASE) for p, _, _ in MORPHOLOGY_GROUPS.values()),
}


@lru_cache(maxsize=8192)
def _text_row(kind: str, text: str) -> tuple[int, ...]:
    """Which groups of ``kind`` one text matches (cached: free text repeats across rows and chunks)."""
    return tuple(int(bool(p.search(text))) for p in _GROUP_PATTERNS[kind])


_SMALL_TEXT = 256


def _repeat_row(one: np.ndarray, n: int) -> np.ndarray:
    """A read-only view repeating the single row of ``one`` ``n`` times (``np.broadcast_to`` without its
    per-call cost, which matters on a single case)."""
    view = np.ndarray((n, *one.shape[1:]), one.dtype, buffer=one, strides=(0, *one.strides[1:]))
    view.flags.writeable = False
    return view


def _text_groups(texts: np.ndarray, kind: str) -> np.ndarray:
    """(n, groups) matrix of matches; row of -1 where the text is unknown."""
    width = len(_GROUP_PATTERNS[kind])
    if len(texts) <= _SMALL_TEXT:  # a single case and its probe variants: a factorisation costs more
        cells = texts.tolist()
        distinct = dict.fromkeys(cells)
        unknown = (-1,) * width
        table = np.array([_text_row(kind, str(t)) if t is not None else unknown for t in distinct],
                         dtype=np.int8).reshape(len(distinct), width)
        if len(distinct) == 1:
            return _repeat_row(table, len(cells))
        position = {t: i for i, t in enumerate(distinct)}
        return table[[position[t] for t in cells]]
    codes, uniques = pd.factorize(texts, use_na_sentinel=True)
    table = np.array([_text_row(kind, str(u)) for u in uniques], dtype=np.int8).reshape(len(uniques), width)
    table = np.vstack([table, np.full((1, width), -1, np.int8)])
    return table[np.where(codes >= 0, codes, len(uniques))]


_SITE_LUT = _FLAG_LUT  # index = larger match code + 1 (-1 unknown, 0 no, 1 yes)
_MORPH_LUT = np.array([UNKNOWN, UNKNOWN, TRUE], dtype=np.uint8)  # a mention counts; its absence says nothing


@_node("site_matrix", ("lesion_site", "lesion_description"), "matrix", "site groups matched in the text")
def _site_matrix(th: Thresholds, site: np.ndarray, desc: np.ndarray) -> np.ndarray:
    a, b = _text_groups(site, "site"), _text_groups(desc, "site")
    # True if either text names the site (2); false if the site text is known and neither names it (0);
    # else unknown (1). Codes are -1 unknown, 0 no, 1 yes. A description only adds a site it names: a
    # morphology without a site ("firm white papules") says nothing about where the lesion is.
    # All in int8 (an (n, groups) int64 temporary would be 8 times the memory traffic).
    named_in_description = (b == 1).view(np.int8) * np.int8(2) - np.int8(1)
    return _SITE_LUT[np.maximum(a, named_in_description) + np.int8(1)]


@_node("morph_matrix", ("lesion_site", "lesion_description"), "matrix", "morphology words in the text")
def _morph_matrix(th: Thresholds, site: np.ndarray, desc: np.ndarray) -> np.ndarray:
    a, b = _text_groups(site, "morphology"), _text_groups(desc, "morphology")
    return _MORPH_LUT[np.maximum(a, b) + 1]


for _i, (_g, (_p, _d, _r)) in enumerate(SITE_GROUPS.items()):
    _node(_g, ("site_matrix",), "tri", f"lesion site: {_d}", _r)(lambda th, m, _i=_i: m[:, _i])
for _i, (_g, (_p, _d, _r)) in enumerate(MORPHOLOGY_GROUPS.items()):
    _node(_g, ("morph_matrix",), "tri", f"description mentions: {_d}", _r)(lambda th, m, _i=_i: m[:, _i])


# Lesion flags: the flag, or a positive statement in the text when the flag is unknown.
@_node("has_necrosis", ("necrosis", "text_necrosis"), "tri",
       "necrosis, eschar, retiform purpura or livedo racemosa", (7, 8, 9))
def _necrosis(th: Thresholds, flag: np.ndarray, text: np.ndarray) -> np.ndarray:
    f = _FLAG_LUT[flag.astype(np.int64) + 1]
    return np.where(f == UNKNOWN, text, f).astype(np.uint8)


@_node("has_painful", ("painful", "text_painful", "text_painless"), "tri", "painful or tender lesion", (8, 9))
def _painful(th: Thresholds, flag: np.ndarray, yes: np.ndarray, no: np.ndarray) -> np.ndarray:
    f = _FLAG_LUT[flag.astype(np.int64) + 1]
    from_text = np.where(yes == TRUE, TRUE, np.where(no == TRUE, FALSE, UNKNOWN))
    return np.where(f == UNKNOWN, from_text, f).astype(np.uint8)


@_node("has_ulceration", ("ulceration", "text_ulcer"), "tri", "ulcerated lesion", (5,))
def _ulcer(th: Thresholds, flag: np.ndarray, text: np.ndarray) -> np.ndarray:
    f = _FLAG_LUT[flag.astype(np.int64) + 1]
    return np.where(f == UNKNOWN, text, f).astype(np.uint8)


# --------------------------------------------------------------------------- demographics

# Sex codes are -1 unknown, 0 male, 1 female (intake): a lookup by code + 1.
_FEMALE_LUT = _FLAG_LUT
_MALE_LUT = np.array([UNKNOWN, TRUE, FALSE], dtype=np.uint8)
_node("female", ("sex",), "tri", "female sex", (11, 12, 59))(
    lambda th, sex: _FEMALE_LUT[sex.astype(np.intp) + 1])
_node("male", ("sex",), "tri", "male sex", (61,))(lambda th, sex: _MALE_LUT[sex.astype(np.intp) + 1])
_threshold("<", "neonate_years", "neonate", ("age_years",), "tri", "neonate (first 28 days)", (70, 80))
_threshold("<", "infant_years", "infant", ("age_years",), "tri", "infant (under 1 year)", (69, 70))
_threshold("<", "child_years", "child", ("age_years",), "tri", "child (under 18 years)", (82, 97))
_threshold("<=", "young_child_years", "young_child", ("age_years",), "tri", "aged 12 or less", (37,))
_threshold("<", "calciphylaxis_min_age", "below_calciphylaxis_age", ("age_years",), "tri",
           "younger than any reported calciphylaxis patient", (12, 15, 16, 18))
_node("scrotal_age", ("age_years",), "tri", "age within the reported range of scrotal calcinosis", (61, 62))(
    lambda th, age: _tri_nan((age >= th.scrotal_min_age) & (age < th.scrotal_max_age), age))
_threshold("<", "hftc_max_age", "young_person", ("age_years",), "tri", "child or young adult", (66, 67))
_threshold(">=", "heel_stick_min_years", "heel_stick_age", ("age_years",), "tri",
           "old enough for heel-stick nodules to appear", (69,))
_node("heel_stick_peak_age", ("age_years",), "tri", "4-12 months old (typical heel-stick nodule age)", (69,))(
    lambda th, age: _tri_nan((age >= th.heel_stick_peak_lo_years) & (age <= th.heel_stick_peak_hi_years), age))


# --------------------------------------------------------------------------- calcium

@_node("calcium_corrected", ("calcium", "albumin"), "num", "albumin-corrected calcium", (52, 94), "mg/dL")
def _corrected(th: Thresholds, ca: np.ndarray, alb: np.ndarray) -> np.ndarray:
    return ca + th.albumin_slope * (th.albumin_normal - alb)


@_node("calcium_for_product", ("calcium_corrected", "calcium"), "num",
       "corrected calcium if albumin is known, else total calcium", (39, 52), "mg/dL")
def _ca_product(th: Thresholds, corr: np.ndarray, ca: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(corr), ca, corr)


@_node("calcium_status_code", ("ionized_calcium", "calcium_corrected", "calcium", "calcium_status", "age_years"),
       "num", "calcium status from ionised > corrected > total > qualitative (-1/0/1)", (52, 81, 94))
def _ca_status(th: Thresholds, ion: np.ndarray, corr: np.ndarray, ca: np.ndarray, status: np.ndarray,
               age: np.ndarray) -> np.ndarray:
    total = np.where(np.isnan(corr), ca, corr)
    out = _age_status(ion, age, ranges.CALCIUM_IONIZED)
    for fallback in (_age_status(total, age, ranges.CALCIUM_TOTAL, th.calcium_mild), status):
        gap = np.isnan(out)
        out[gap] = fallback[gap]
    return out


@_node("calcium_basis", ("ionized_calcium", "calcium_corrected", "calcium", "calcium_status"), "num",
       "which calcium was used: 4 ionised, 3 corrected, 2 total, 1 qualitative, 0 none")
def _ca_basis(th: Thresholds, ion: np.ndarray, corr: np.ndarray, ca: np.ndarray, status: np.ndarray) -> np.ndarray:
    basis = np.where(np.isnan(status), 0.0, 1.0)
    for level, x in ((2.0, ca), (3.0, corr), (4.0, ion)):
        basis[~np.isnan(x)] = level
    return basis


_status_level(1, "ca_high", ("calcium_status_code",), "tri", "hypercalcaemia (age-aware; ionised > corrected > total)",
      (52, 81))
_status_level(-1, "ca_low", ("calcium_status_code",), "tri", "hypocalcaemia", (52, 81))
_status_level(0, "ca_normal", ("calcium_status_code",), "tri", "calcium within the reference range", (52, 81))
_threshold(">=", "calcium_moderate", "ca_moderate_or_worse", ("calcium_for_product",), "tri",
           "calcium ≥ 12 mg/dL (moderate hypercalcaemia)", (52,))
_threshold(">=", "calcium_crisis", "ca_crisis", ("calcium_for_product",), "tri",
           "calcium ≥ 14 mg/dL (hypercalcaemic crisis)", (52,))
_threshold(">", "scfn_ionized_emergency", "ionized_above_scfn_limit", ("ionized_calcium",), "tri",
           "ionised calcium > 1.6 mmol/L", (80,))


# --------------------------------------------------------------------------- phosphate, product, PTH, vitamin D

@_node("phosphate_status_code", ("phosphate", "phosphate_status", "age_years"), "num",
       "phosphate status against the age-specific range (-1/0/1)", (82, 84, 85))
def _p_status(th: Thresholds, p: np.ndarray, status: np.ndarray, age: np.ndarray) -> np.ndarray:
    out = _age_status(p, age, ranges.PHOSPHATE)
    gap = np.isnan(out)
    out[gap] = status[gap]
    return out


_status_level(1, "p_high", ("phosphate_status_code",), "tri", "hyperphosphataemia (age-specific range)", (82, 84))
_status_level(-1, "p_low", ("phosphate_status_code",), "tri", "hypophosphataemia", (82,))
_status_level(0, "p_normal", ("phosphate_status_code",), "tri", "phosphate within the age-specific range", (82,))


@_node("ca_x_p", ("calcium_for_product", "phosphate"), "num", "calcium × phosphate product", (1, 5, 45), "mg²/dL²")
def _caxp(th: Thresholds, ca: np.ndarray, p: np.ndarray) -> np.ndarray:
    return ca * p


# factor() converts mmol/L into the conventional unit; the SI product divides by both.
_CAXP_SI_FACTOR = 1.0 / (FIELD_BY_NAME["calcium"].factor("mmol/L")  # type: ignore[operator]
                         * FIELD_BY_NAME["phosphate"].factor("mmol/L"))
_node("ca_x_p_si", ("ca_x_p",), "num", "calcium × phosphate product in SI units", (89,), "mmol²/L²")(
    lambda th, x: x * _CAXP_SI_FACTOR)


_threshold(">=", "caxp_metastatic", "caxp_metastatic_band", ("ca_x_p",), "tri",
           "Ca×P at or above the metastatic threshold (70)", (1, 5, 45))


@_node("caxp_elevated_band", ("ca_x_p", "young_child"), "tri",
       "Ca×P above the CKD target (55; 65 aged ≤ 12) but below the metastatic threshold", (36, 37, 43))
def _caxp_elev(th: Thresholds, x: np.ndarray, yc: np.ndarray) -> np.ndarray:
    below_metastatic = x < th.caxp_metastatic
    adult = _tri_nan((x >= th.caxp_elevated) & below_metastatic, x)
    young = _tri_nan((x >= th.caxp_elevated_young_child) & below_metastatic, x)
    # A young child gets the higher cut-off; with age unknown the band is known only where both agree.
    band = np.where(yc == TRUE, young, adult)
    band[(yc == UNKNOWN) & (adult != young)] = UNKNOWN
    return band


@_node("pth_status_code", ("pth", "pth_status", "age_years"), "num", "PTH status (age-specific range)", (83,))
def _pth_status(th: Thresholds, pth: np.ndarray, status: np.ndarray, age: np.ndarray) -> np.ndarray:
    out = _age_status(pth, age, ranges.PTH)
    gap = np.isnan(out)
    out[gap] = status[gap]
    return out


_status_level(1, "pth_high", ("pth_status_code",), "tri", "PTH above the reference range", (83, 90))
_status_level(-1, "pth_low", ("pth_status_code",), "tri", "PTH suppressed (below the reference range)", (83, 99))
_status_level(0, "pth_normal", ("pth_status_code",), "tri", "PTH within the reference range", (83,))
_threshold(">", "pth_very_high", "pth_very_high", ("pth",), "tri", "iPTH > 1,000 pg/mL", (26,))
_threshold("<", "pth_dialysis_low", "pth_below_dialysis_target", ("pth",), "tri", "iPTH < 300 pg/mL", (26,))
_threshold(">", "vitd_toxic", "vitd_toxic", ("vitamin_d_25oh",), "tri",
           "25-OH vitamin D > 150 ng/mL (toxicity)", (50,))
_threshold(">", "vitd_concern", "vitd_concern", ("vitamin_d_25oh",), "tri",
           "25-OH vitamin D > 50 ng/mL (possible concern)", (51,))
_threshold(">", "vitd125_high", "vitd125_high", ("vitamin_d_125",), "tri",
           "1,25-(OH)₂D above the reference range", (50, 92))
_threshold("<", "albumin_low", "albumin_low", ("albumin",), "tri",
           "hypoalbuminaemia (< 3.4 g/dL)", (11, 13, 88))


# --------------------------------------------------------------------------- kidney

def _egfr(th: Thresholds, egfr: np.ndarray, scr: np.ndarray, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    # CKD-EPI 2021 race-free creatinine equation (Inker et al., NEJM 2021).
    female = sex == 1
    kappa = np.where(female, 0.7, 0.9)
    alpha = np.where(female, -0.241, -0.302)
    ratio = scr / kappa
    with np.errstate(invalid="ignore", divide="ignore"):
        est = (142 * np.minimum(ratio, 1) ** alpha * np.maximum(ratio, 1) ** -1.200
               * 0.9938 ** age * np.where(female, 1.012, 1.0))
    usable = (sex >= 0) & (age >= 18)
    return np.where(np.isnan(egfr), np.where(usable, est, np.nan), egfr)


@_node("egfr_used", ("egfr", "creatinine", "age_years", "sex"), "num",
       "eGFR as given, else CKD-EPI 2021 from creatinine (adults with known sex)", (41,), "mL/min/1.73m²")
def _egfr_used(th: Thresholds, egfr: np.ndarray, scr: np.ndarray, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    # No creatinine anywhere (a typical case report): nothing to estimate.
    return egfr.copy() if np.isnan(scr).all() else _egfr(th, egfr, scr, age, sex)


_threshold("<", "egfr_ckd", "egfr_below_60", ("egfr_used",), "tri", "eGFR < 60 (CKD G3a or worse)", (41,))
_threshold("<", "egfr_g3b", "egfr_below_45", ("egfr_used",), "tri", "eGFR < 45 (CKD G3b or worse)", (41,))
_threshold("<", "egfr_g4", "egfr_below_30", ("egfr_used",), "tri", "eGFR < 30 (CKD G4-G5)", (41,))
_threshold("<", "egfr_g5", "egfr_below_15", ("egfr_used",), "tri", "eGFR < 15 (CKD G5)", (41,))
@_node("dialysis_long", ("dialysis_years",), "tri", "on dialysis for more than 5 years", (26,))
def _dia_long(th: Thresholds, y: np.ndarray) -> np.ndarray:
    return _cmp(y, ">", th.dialysis_long_years)


# --------------------------------------------------------------------------- timing and count

_threshold("<", "warfarin_necrosis_months", "warfarin_recent_start", ("warfarin_months",), "tri",
           "lesions within ~2 weeks of starting warfarin", (32, 33))
_node("exposure_in_window", ("exposure_weeks",), "tri", "lesion 0-6 weeks after the exposure", (70, 71, 72, 73))(
    lambda th, w: _tri_nan((w >= 0.0) & (w <= th.extravasation_window_weeks), w))
_node("onset_before_exposure", ("exposure_weeks",), "tri", "lesion began before the exposure", (5,))(
    lambda th, w: _cmp(w, "<", 0.0))


@_node("solitary_lesion", ("lesion_count", "text_solitary", "text_multiple"), "tri", "a single lesion", (63, 64))
def _solitary(th: Thresholds, count: np.ndarray, one: np.ndarray, many: np.ndarray) -> np.ndarray:
    by_count = _cmp(count, "<=", 1.0)
    by_text = np.where(one == TRUE, TRUE, np.where(many == TRUE, FALSE, UNKNOWN))
    return np.where(by_count == UNKNOWN, by_text, by_count).astype(np.uint8)


# --------------------------------------------------------------------------- composites
# Findings that only combine other findings are knowledge-base data (knowledge/composites.py), written in the
# condition language and evaluated by the same generated code as the rules.


_COMPOSITE_CONDITIONS: dict[str, Condition] = {}


def _composite_node(item: Composite) -> None:
    try:
        cond = compile_condition(item.condition)
    except ConditionSyntaxError as exc:
        raise KnowledgeBaseError(item.name, str(exc)) from None
    if item.name in FINDINGS or item.name in FIELD_BY_NAME:
        raise KnowledgeBaseError(item.name, "composite name is already a finding or an input field")
    for name in cond.names:
        if name not in FINDINGS and name not in FIELD_BY_NAME:
            close = difflib.get_close_matches(name, [*FINDINGS, *FIELD_BY_NAME], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KnowledgeBaseError(item.name, f"condition names unknown finding {name!r} (a composite can use "
                                                f"findings, input fields and the composites listed above it){hint}")
    if not item.refs:
        raise KnowledgeBaseError(item.name, "cites no clinical-spec reference")
    inputs = tuple(sorted(cond.names))
    evaluate = cond.evaluate
    _COMPOSITE_CONDITIONS[item.name] = cond

    def run(th: Thresholds, *arrays: np.ndarray) -> np.ndarray:
        return evaluate(dict(zip(inputs, arrays, strict=True)))

    _node(item.name, inputs, "tri", item.description, item.refs)(run)


for _c in COMPOSITES:
    _composite_node(_c)
COMPOSITE_NAMES = frozenset(c.name for c in COMPOSITES)

_ORDER = tuple(FINDINGS)
_CLOSURE_BITS = {name: 1 << i for i, name in enumerate([*FIELD_BY_NAME, *_ORDER])}
_CLOSURE_NODES = tuple((name, _CLOSURE_BITS[name], sum(_CLOSURE_BITS[i] for i in set(FINDINGS[name].inputs)))
                       for name in _ORDER)


def all_unknown(values: np.ndarray) -> bool:
    """True when every element of a canonical input array is unknown (NaN, negative flag code, None)."""
    if values.size == 1:  # the single-case path: a scalar test is far cheaper than an array reduction
        v = values[0]
        return v is None or (v != v if values.dtype.kind == "f" else (v < 0 if values.dtype.kind in "iu" else False))
    if values.dtype.kind == "f":
        return bool(np.isnan(values).all())
    if values.dtype.kind in "iu":
        return bool((values < 0).all())
    # A column with a value usually shows it in its first cell; only then is every cell compared.
    return not values.size or (values[0] is None and bool(np.equal(values, _NONE).all()))


_NONE = np.array(None, dtype=object)


def absent_inputs(values: Mapping[str, np.ndarray]) -> frozenset[str]:
    """The input fields unknown in every row."""
    return frozenset(name for name in FIELD_BY_NAME if name in values and all_unknown(values[name]))


@lru_cache(maxsize=512)
def unknown_closure(absent: frozenset[str]) -> frozenset[str]:
    """``absent`` plus every finding that reads only from it (directly or not)."""
    bit = _CLOSURE_BITS
    closed = 0
    for name in absent:
        closed |= bit.get(name, 0)
    found = set(absent)
    for name, own, inputs in _CLOSURE_NODES:  # in dependency order, as bit masks: a few µs per new set
        if inputs & ~closed == 0:
            closed |= own
            found.add(name)
    return frozenset(found)


@lru_cache(maxsize=16)
def unknown_defaults(thresholds: Thresholds) -> Mapping[str, np.ndarray]:
    """Every input and finding for one row with no input known (read-only, length 1)."""
    from calcinosis_classify.intake import read_cases

    env = compute_findings(read_cases({}).values, thresholds)
    for v in env.values():
        v.flags.writeable = False
    return env


def compute_findings(values: Mapping[str, np.ndarray], thresholds: Thresholds,
                     only: AbstractSet[str] | None = None, base: Mapping[str, np.ndarray] | None = None,
                     absent: frozenset[str] | None = None) -> dict[str, np.ndarray]:
    """Evaluate the findings graph.

    Parameters
    ----------
    values : mapping of str to ndarray
        Canonical input arrays (from :func:`calcinosis_classify.intake.read_cases`).
    thresholds : Thresholds
    only : set of str, optional
        Compute only these findings; the rest are taken from ``base``.
    base : mapping, optional
        Previously computed findings (same rows) used for nodes not in ``only``.
    absent : frozenset of str, optional
        Input fields known to be unknown in every row (see :func:`absent_inputs`). A finding that reads
        only from them is a pure function of "nothing known", so it is broadcast from
        :func:`unknown_defaults` instead of computed: a sparse extract or a single case skips most of the
        graph.

    Returns
    -------
    dict
        Input arrays and findings by name.
    """
    out: dict[str, np.ndarray] = dict(values)
    if base is not None:
        for k, v in base.items():
            if k not in values:
                out[k] = v
    skip = unknown_closure(absent) if absent else frozenset()
    defaults = unknown_defaults(thresholds) if skip else {}
    n = len(next(iter(values.values()))) if values else 0
    get = out.__getitem__
    for name, fn, inputs in _plan(only if only is None else frozenset(only)):
        if name.__class__ is str:
            if name in skip:
                default = defaults[name]
                out[name] = default if n == 1 else _repeat_row(default, n)
            else:
                out[name] = fn(thresholds, *map(get, inputs))
        elif skip.issuperset(name):
            for member in name:
                default = defaults[member]
                out[member] = default if n == 1 else _repeat_row(default, n)
        else:
            # Members reading only absent inputs come out at their all-unknown values here too.
            out.update(zip(name, fn(thresholds, *map(get, inputs)), strict=True))
    return out


# --------------------------------------------------------------------------- fused evaluation
# Nodes of the same simple form are computed together, one numpy call for many findings (on a single
# case and its probe variants, per-call cost is most of the cost). Each node keeps its own function for
# partial recomputation; a test checks the fused results equal them.

_FLAG_BY_CODE = np.roll(_FLAG_LUT, -1)  # _FLAG_LUT indexed by the flag code itself (-1 is the last)


def _fused_flags(names: tuple[str, ...]) -> Callable[..., np.ndarray]:
    def run(th: Thresholds, *flags: np.ndarray) -> np.ndarray:
        return _FLAG_BY_CODE[np.array(flags)]
    return run


def _fused_thresholds(names: tuple[str, ...]) -> Callable[..., np.ndarray]:
    """All comparisons of one input, ``names`` sorted by operator: one comparison per operator."""
    spec = {name: (op, attr) for members in _THRESHOLD_NODES.values() for name, op, attr in members}
    groups: list[tuple[Callable[..., np.ndarray], int, int, tuple[str, ...]]] = []
    start = 0
    for op in dict.fromkeys(spec[name][0] for name in names):
        attrs = tuple(spec[name][1] for name in names if spec[name][0] == op)
        groups.append((_OPS[op], start, start + len(attrs), attrs))
        start += len(attrs)

    def run(th: Thresholds, x: np.ndarray) -> np.ndarray:
        out = np.empty((len(names), len(x)), dtype=np.uint8)
        for compare, lo, hi, attrs in groups:
            np.left_shift(compare(x, _limits(th, attrs)).view(np.uint8), 1, out=out[lo:hi])
        out |= np.isnan(x).view(np.uint8)
        return out
    return run


@lru_cache(maxsize=64)
def _limits(th: Thresholds, attrs: tuple[str, ...]) -> np.ndarray:
    """The named thresholds as a (k, 1) column."""
    return np.array([[getattr(th, a)] for a in attrs])


def _fused_status(names: tuple[str, ...]) -> Callable[..., np.ndarray]:
    """Several levels (low -1, normal 0, high 1) of one status code, one row per finding in ``names``: a
    table lookup whose columns are code 0, code 1, NaN (unknown) and code -1 (reached as index -1)."""
    level = {name: lvl for members in _STATUS_NODES.values() for name, lvl in members}
    table = np.array([[TRUE if code == level[name] else FALSE for code in (0, 1)] + [UNKNOWN]
                      + [TRUE if level[name] == -1 else FALSE] for name in names], dtype=np.uint8)

    def run(th: Thresholds, code: np.ndarray) -> np.ndarray:
        # Columns: code 0, code 1, NaN, code -1 (index -1 is the last column).
        return table[:, np.where(np.isnan(code), 2, code).astype(np.intp)]
    return run


def _fused_composites(names: tuple[str, ...]) -> tuple[Callable[..., list[np.ndarray]], tuple[str, ...]]:
    """The composites ``names`` (in dependency order) as one generated function, and what it reads: every
    name they use that is not one of them (earlier composites outside ``names`` come from the base)."""
    steps = [(name, _COMPOSITE_CONDITIONS[name]) for name in names]
    inputs = tuple(sorted(set().union(*(cond.names for _, cond in steps)) - set(names)))
    sequence = compile_sequence(steps)

    def run(th: Thresholds, *arrays: np.ndarray) -> list[np.ndarray]:
        return sequence(dict(zip(inputs, arrays, strict=True)), len(arrays[0]))
    return run, inputs


def _fusable() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Finding -> (fused group key, all members of that group)."""
    groups: dict[str, tuple[str, ...]] = {"flags": _FLAG_NODES}
    for code, levels in _STATUS_NODES.items():
        groups[f"status:{code}"] = tuple(name for name, _ in levels)
    for field_name, members in _THRESHOLD_NODES.items():
        if len(members) > 1:
            groups[f"thresholds:{field_name}"] = tuple(name for name, _, _ in members)
    groups["composites"] = tuple(c.name for c in COMPOSITES)
    return {name: (key, members) for key, members in groups.items() for name in members}


_FUSABLE = _fusable()
# A fused step returns one result per name (rows of an array, or a list of arrays).
_PlanStep = tuple["str | tuple[str, ...]", "Callable[..., Any]", tuple[str, ...]]


@lru_cache(maxsize=256)
def _plan(only: frozenset[str] | None) -> tuple[_PlanStep, ...]:
    """The steps to take, in order: (name, function, inputs), or for fused nodes (names, function returning
    one row per name, inputs). Which nodes take their all-unknown default is decided per call."""
    steps: list[_PlanStep] = []
    fused: set[str] = set()
    for name in _ORDER:
        if (only is not None and name not in only) or name in fused:
            continue
        if name in _FUSABLE:
            key, members = _FUSABLE[name]
            chosen = [m for m in members if only is None or m in only]
            if len(chosen) > 1:
                if key == "flags":
                    names = tuple(chosen)
                    steps.append((names, _fused_flags(names), tuple(FINDINGS[m].inputs[0] for m in names)))
                elif key.startswith("status:"):
                    names = tuple(chosen)
                    steps.append((names, _fused_status(names), FINDINGS[names[0]].inputs))
                elif key == "composites":
                    names = tuple(chosen)
                    steps.append((names, *_fused_composites(names)))
                else:
                    order = {op: i for i, op in enumerate(_OPS)}
                    ops = {m: op for m_list in _THRESHOLD_NODES.values() for m, op, _ in m_list}
                    names = tuple(sorted(chosen, key=lambda m: order[ops[m]]))
                    steps.append((names, _fused_thresholds(names), FINDINGS[names[0]].inputs))
                fused.update(chosen)
                continue
        steps.append((name, FINDINGS[name].fn, FINDINGS[name].inputs))
    return tuple(steps)


def downstream(fields: Iterable[str]) -> set[str]:
    """Every finding that depends, directly or not, on any of ``fields``."""
    changed = set(fields)
    hit: set[str] = set()
    for name in _ORDER:
        if any(i in changed or i in hit for i in FINDINGS[name].inputs):
            hit.add(name)
    return hit
