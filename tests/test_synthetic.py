"""Synthetic cohort generator: reproducibility, spec sanity per branch, knobs, validation."""

from __future__ import annotations

import ast
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calcinosis_classify import synthetic
from calcinosis_classify.errors import InputError
from calcinosis_classify.schema import FIELD_BY_NAME, FIELDS
from calcinosis_classify.synthetic import (
    GENERATOR_VERSION,
    PRESENTATIONS,
    SUBTYPES,
    describe_presentations,
    generate_cohort,
)

CONTRACT = [f.name for f in FIELDS if f.contract]
GROUND_TRUTH = ["true_subtype", "presentation", "is_atypical", "generator_version", "seed"]
LABS = ["calcium", "ionized_calcium", "phosphate", "pth", "albumin", "vitamin_d_25oh", "creatinine", "egfr"]
SI_LABS = [f.name for f in FIELDS if f.name in LABS and f.si_unit != f.unit]
KNOBS = ("missing_rate", "qualitative_rate", "si_fraction", "atypical_rate", "label_noise")

# Test oracle, restated from clinical-spec §3.2 (Davis [81][82][83]; DiaSys infant phosphate [85])
# rather than imported from the generator: (age_from_years, low, high).
DAY = 1 / 365.25
SPEC_RANGES = {
    "calcium": [(0, 7.6, 10.4), (11 * DAY, 9.0, 11.0), (3, 8.8, 10.8), (13, 8.4, 10.2), (19, 8.5, 10.5)],
    "phosphate": [(0, 4.6, 8.0), (6 * DAY, 3.5, 6.6), (1, 3.9, 6.5), (4, 4.0, 5.4), (7, 3.7, 5.6),
                  (12, 3.3, 5.4), (14, 2.9, 5.4), (16, 2.8, 4.6), (20, 2.5, 4.5)],
    "pth": [(0, 7, 59), (1 / 12, 8, 61), (1, 11, 59), (11, 15, 68), (18, 15, 65)],
}

# The branches the issue names; more may exist.
NAMED_BRANCHES = [
    "metastatic/ckd_secondary_hpt", "metastatic/primary_hpt", "metastatic/vitamin_d_toxicity",
    "metastatic/milk_alkali", "metastatic/tumour_lysis", "dystrophic/systemic_sclerosis",
    "dystrophic/juvenile_dermatomyositis", "dystrophic/trauma_or_scar", "dystrophic/pxe", "idiopathic/scrotal",
    "idiopathic/subepidermal_nodule", "idiopathic/milia_like_down", "idiopathic/tumoral_hftc",
    "iatrogenic/iv_calcium_extravasation", "iatrogenic/heel_sticks", "iatrogenic/electrode_paste",
    "calciphylaxis/uremic", "calciphylaxis/nonuremic_warfarin", "calciphylaxis/nonuremic_primary_hpt",
]


def limits(lab: str, age: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    table = SPEC_RANGES[lab]
    idx = np.searchsorted([r[0] for r in table], age.to_numpy(), side="right") - 1
    return np.array([r[1] for r in table])[idx], np.array([r[2] for r in table])[idx]


def status(frame: pd.DataFrame, lab: str) -> pd.Series:
    lo, hi = limits(lab, frame["age_years"])
    v = frame[lab].to_numpy()
    return pd.Series(np.where(v < lo, "low", np.where(v > hi, "high", "normal")), index=frame.index)


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    """Complete records (no missingness, no qualitative results) with atypical branches present."""
    return generate_cohort(20_000, seed=2024, missing_rate=0.0, qualitative_rate=0.0, atypical_rate=0.15)


def branch(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    rows = frame[frame["presentation"] == name]
    assert len(rows) >= 30, f"too few {name} rows for a sanity check"
    return rows


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_gives_identical_frame() -> None:
    knobs = dict(missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3, atypical_rate=0.2, label_noise=0.1)
    pd.testing.assert_frame_equal(generate_cohort(800, seed=11, **knobs), generate_cohort(800, seed=11, **knobs))


def test_different_seeds_differ() -> None:
    a, b = generate_cohort(300, seed=1), generate_cohort(300, seed=2)
    assert not a.equals(b)
    assert not np.allclose(a["calcium"].fillna(-1), b["calcium"].fillna(-1))


def test_columns_follow_the_schema_contract() -> None:
    frame = generate_cohort(200, seed=3, si_fraction=0.5)
    assert set(CONTRACT) <= set(frame.columns)
    assert frame.columns[-len(GROUND_TRUTH):].tolist() == GROUND_TRUTH
    assert {c for c in frame.columns if c.endswith("_unit")} == {f"{lab}_unit" for lab in SI_LABS}
    inputs = [c for c in frame.columns if c not in GROUND_TRUTH and not c.endswith("_unit")]
    assert all(c in FIELD_BY_NAME for c in inputs)
    for name in inputs:
        kind = FIELD_BY_NAME[name].kind
        values = frame[name].dropna()
        if kind == "flag":
            assert frame[name].dtype == np.float64 and values.isin([0.0, 1.0]).all(), name
        elif kind == "status":
            assert values.isin(["low", "normal", "high"]).all(), name
        elif kind in ("lab", "number") or name == "age_years":
            assert frame[name].dtype == np.float64, name
    assert frame["sex"].dropna().isin(["F", "M"]).all()
    assert (frame["generator_version"] == GENERATOR_VERSION).all() and (frame["seed"] == 3).all()
    assert frame["case_id"].tolist() == list(range(1, 201))


def test_empty_cohort_keeps_the_columns() -> None:
    empty, some = generate_cohort(0, seed=5), generate_cohort(5, seed=5)
    assert len(empty) == 0 and empty.columns.tolist() == some.columns.tolist()


# --------------------------------------------------------------------------- spec sanity per branch


def test_named_branches_exist_with_references() -> None:
    assert set(NAMED_BRANCHES) <= set(PRESENTATIONS)
    table = describe_presentations()
    assert table["presentation"].tolist() == list(PRESENTATIONS)
    assert (table["weight"] > 0).all() and table["references"].str.match(r"^(\[\d+\])+$").all()
    assert math.isclose(table["default_share"].sum(), 1.0)
    assert set(table.loc[table["atypical"], "subtype"]) == set(SUBTYPES)


def test_ground_truth_matches_branch(clean: pd.DataFrame) -> None:
    assert (clean["presentation"].str.split("/").str[0] == clean["true_subtype"]).all()
    assert (clean["is_atypical"] == clean["presentation"].str.contains("/atypical_")).all()


def test_ckd_secondary_hpt_has_high_phosphate_and_pth(clean: pd.DataFrame) -> None:
    ckd = branch(clean, "metastatic/ckd_secondary_hpt")
    assert (status(ckd, "phosphate") == "high").mean() >= 0.90
    assert (status(ckd, "pth") == "high").mean() >= 0.90
    assert (status(ckd, "calcium") != "high").mean() >= 0.90
    assert (ckd["calcium"] * ckd["phosphate"]).median() >= 60
    assert (ckd["ckd"] == 1).all() and (ckd["egfr"] < 30).mean() >= 0.9


def test_idiopathic_has_normal_calcium_and_phosphate_except_hftc(clean: pd.DataFrame) -> None:
    idio = clean[clean["true_subtype"].eq("idiopathic") & ~clean["presentation"].str.contains("hftc")]
    assert len(idio) > 500
    assert (status(idio, "calcium") == "normal").all()
    assert (status(idio, "phosphate") == "normal").all()
    corrected = idio.assign(calcium=idio["calcium"] + 0.8 * (4.0 - idio["albumin"]))
    assert (status(corrected, "calcium") == "normal").all()


@pytest.mark.parametrize("name", ["idiopathic/tumoral_hftc", "idiopathic/atypical_hftc_metastatic_mimic"])
def test_hftc_has_high_phosphate_with_normal_calcium_pth_and_kidneys(clean: pd.DataFrame, name: str) -> None:
    hftc = branch(clean, name)
    assert (status(hftc, "phosphate") == "high").all()
    assert (status(hftc, "calcium") == "normal").all()
    assert (status(hftc, "pth") == "normal").all()
    assert (hftc["egfr"] >= 60).all() and (hftc["dialysis"] == 0).all()


def test_hftc_mimic_reaches_the_metastatic_product(clean: pd.DataFrame) -> None:
    mimic = branch(clean, "idiopathic/atypical_hftc_metastatic_mimic")
    assert ((mimic["calcium"] * mimic["phosphate"]) > 70).mean() >= 0.75


def test_typical_calciphylaxis_is_painful_and_necrotic_or_ulcerated(clean: pd.DataFrame) -> None:
    typical = clean[clean["true_subtype"].eq("calciphylaxis") & ~clean["is_atypical"]]
    assert len(typical) > 500
    assert (typical["painful"] == 1).all()
    assert ((typical["necrosis"] == 1) | (typical["ulceration"] == 1)).all()


def test_uremic_calciphylaxis_is_mostly_on_dialysis(clean: pd.DataFrame) -> None:
    uremic = branch(clean, "calciphylaxis/uremic")
    assert 0.75 <= (uremic["dialysis"] == 1).mean() <= 0.95  # 86% in the German registry [15]
    assert (uremic["ckd"] == 1).all()
    assert 0.55 <= (uremic["sex"] == "F").mean() <= 0.72  # 60-67% women [12][15][16]


def test_nonuremic_warfarin_calciphylaxis(clean: pd.DataFrame) -> None:
    nuc = branch(clean, "calciphylaxis/nonuremic_warfarin")
    assert (nuc["warfarin"] == 1).all() and (nuc["dialysis"] == 0).all()
    assert 20 <= nuc["warfarin_months"].median() <= 45  # mean 32 months [19]
    assert nuc["lesion_site"].str.contains("below knee").mean() >= 0.5  # 67% [19]


@pytest.mark.parametrize("name", ["metastatic/primary_hpt", "calciphylaxis/nonuremic_primary_hpt"])
def test_primary_hpt_pattern(clean: pd.DataFrame, name: str) -> None:
    hpt = branch(clean, name)
    assert (status(hpt, "calcium") == "high").all()
    assert status(hpt, "phosphate").isin(["low", "normal"]).all()
    assert (status(hpt, "pth") == "high").all()
    assert hpt["calcium"].corr(hpt["pth"]) > 0.2


def test_vitamin_d_toxicity_pattern(clean: pd.DataFrame) -> None:
    vdt = branch(clean, "metastatic/vitamin_d_toxicity")
    assert (vdt["vitamin_d_25oh"] > 150).all()
    assert (status(vdt, "calcium") == "high").all()
    assert (status(vdt, "pth") != "high").all()


def test_pth_independent_hypercalcaemia_suppresses_pth(clean: pd.DataFrame) -> None:
    for name in ("metastatic/milk_alkali", "metastatic/malignancy_hypercalcaemia", "metastatic/sarcoidosis"):
        rows = branch(clean, name)
        assert (status(rows, "calcium") == "high").all(), name
        assert (status(rows, "pth") != "high").all(), name


def test_tumour_lysis_high_phosphate_low_calcium(clean: pd.DataFrame) -> None:
    tls = branch(clean, "metastatic/tumour_lysis")
    assert (status(tls, "phosphate") == "high").all()
    assert (status(tls, "calcium") == "low").mean() >= 0.7
    assert tls["calcium"].corr(tls["phosphate"]) < 0
    assert (tls["malignancy"] == 1).all()


def test_masked_hypercalcaemia_hides_behind_low_albumin(clean: pd.DataFrame) -> None:
    masked = branch(clean, "metastatic/atypical_masked_hypercalcaemia")
    assert (status(masked, "calcium") == "normal").all()
    assert ((masked["calcium"] + 0.8 * (4.0 - masked["albumin"])) > 10.5).all()
    assert (masked["ionized_calcium"] > 1.32).mean() >= 0.9


def test_heel_sticks_are_infants_with_heel_sites(clean: pd.DataFrame) -> None:
    heel = branch(clean, "iatrogenic/heel_sticks")
    assert (heel["age_years"] < 1).all() and (heel["age_years"] >= 4 / 12 - DAY).all()  # 4-12 months [69]
    assert heel["lesion_site"].str.contains("heel").all()
    assert (heel["heel_sticks"] == 1).all()
    assert (heel["exposure_weeks"] <= heel["age_years"] * 52.2).all()


def test_iv_calcium_extravasation(clean: pd.DataFrame) -> None:
    ext = branch(clean, "iatrogenic/iv_calcium_extravasation")
    assert (ext["iv_calcium"] == 1).all()
    assert ext["exposure_weeks"].between(0, 6).all()  # lesions about 13 days after infusion [70]
    neonates = ext[ext["age_years"] < 0.25]
    assert len(neonates) / len(ext) >= 0.6 and 10 <= neonates["age_years"].median() * 365.25 <= 25


def test_extravasation_in_esrd_has_high_product(clean: pd.DataFrame) -> None:
    esrd = branch(clean, "iatrogenic/atypical_extravasation_esrd")
    assert (esrd["iv_calcium"] == 1).all() and (esrd["dialysis"] == 1).all()
    assert (esrd["calcium"] * esrd["phosphate"]).median() > 70


def test_ssc_on_dialysis_keeps_acral_sites(clean: pd.DataFrame) -> None:
    ssc = branch(clean, "dystrophic/atypical_ssc_on_dialysis")
    assert (ssc["autoimmune_disease"] == 1).all() and (ssc["dialysis"] == 1).all()
    assert ssc["lesion_site"].str.contains("thumb|finger|hand|forearm|elbow").all()
    assert (status(ssc, "phosphate") == "high").mean() >= 0.9


def test_calciphylaxis_with_normal_labs(clean: pd.DataFrame) -> None:
    normal = branch(clean, "calciphylaxis/atypical_normal_labs")
    for lab in ("calcium", "phosphate", "pth"):
        assert (status(normal, lab) == "normal").all(), lab


def test_named_idiopathic_phenotypes(clean: pd.DataFrame) -> None:
    scrotal = branch(clean, "idiopathic/scrotal")
    assert (scrotal["sex"] == "M").all() and scrotal["lesion_site"].str.contains("scrot").all()
    assert scrotal["age_years"].between(15, 67).all()
    micc = branch(clean, "idiopathic/milia_like_down")
    assert (micc["down_syndrome"] == 1).all() and (micc["age_years"] < 18).all()
    assert micc["vitamin_d_25oh"].between(20, 80).all()
    scn = branch(clean, "idiopathic/subepidermal_nodule")
    assert 0.6 <= (scn["age_years"] < 18).mean() <= 0.8 and (scn["lesion_count"] == 1).mean() >= 0.7


def test_dystrophic_ctd_profiles(clean: pd.DataFrame) -> None:
    ssc = branch(clean, "dystrophic/systemic_sclerosis")
    assert (ssc["autoimmune_disease"] == 1).all() and (ssc["sex"] == "F").mean() >= 0.75
    assert ssc["lesion_site"].str.contains("thumb|finger|hand").mean() >= 0.7  # hands 70% [56]
    jdm = branch(clean, "dystrophic/juvenile_dermatomyositis")
    assert (jdm["age_years"] < 18).all()
    pxe = branch(clean, "dystrophic/pxe")
    assert (pxe["genetic_disorder"] == 1).all() and pxe["lesion_site"].str.contains("neck|axill|fossa|groin").all()


def test_physiological_consistency(clean: pd.DataFrame) -> None:
    for lab in LABS:
        lo, hi = FIELD_BY_NAME[lab].plausible or (0, 0)
        assert clean[lab].dropna().between(lo, hi).all(), lab
    assert (clean.loc[clean["dialysis"] == 1, "ckd"] == 1).all()
    assert clean["dialysis_years"].notna().eq(clean["dialysis"] == 1).all()
    assert clean["warfarin_months"].notna().eq(clean["warfarin"] == 1).all()
    infants = clean["age_years"] < 1
    assert clean.loc[infants, "egfr"].isna().all() and clean.loc[infants, "creatinine"].notna().all()
    adults = clean[~infants]
    assert adults[["egfr", "creatinine"]].notna().all().all()
    assert adults["egfr"].corr(np.log(adults["creatinine"])) < -0.7
    assert (clean.loc[clean["age_years"] >= 1, "nicu_stay"] == 0).all()


# --------------------------------------------------------------------------- knobs


def test_no_missing_values_without_missingness(clean: pd.DataFrame) -> None:
    core = [c for c in CONTRACT if FIELD_BY_NAME[c].kind != "status" and c != "egfr"]
    assert clean[core].notna().all().all()
    assert clean[["calcium_status", "phosphate_status", "pth_status"]].isna().all().all()


def test_missingness_follows_clinical_patterns() -> None:
    frame = generate_cohort(20_000, seed=8, missing_rate=0.1, qualitative_rate=0.0)
    full = generate_cohort(20_000, seed=8, missing_rate=0.0, qualitative_rate=0.0)
    missing = frame[LABS].isna().mean()
    assert missing["ionized_calcium"] > missing["vitamin_d_25oh"] > missing["albumin"] > missing["calcium"]
    assert frame["egfr"].isna()[frame["creatinine"].isna()].all()
    normal_ca = (status(full, "calcium") == "normal") & (full["ckd"] == 0) & (full["hyperparathyroidism"] == 0)
    high_ca = status(full, "calcium") == "high"
    pth_missing = frame["pth"].isna()
    assert pth_missing[normal_ca].mean() > 0.6 > 0.2 > pth_missing[high_ca].mean()
    known = frame[LABS].notna()
    pd.testing.assert_frame_equal(frame[LABS][known], full[LABS][known])
    assert (frame["true_subtype"] == full["true_subtype"]).all()


def test_qualitative_results_replace_numbers_with_age_aware_status() -> None:
    plain = generate_cohort(6000, seed=9, qualitative_rate=0.0)
    qual = generate_cohort(6000, seed=9, qualitative_rate=0.3)
    for lab in ("calcium", "phosphate", "pth"):
        given_status = qual[f"{lab}_status"].notna()
        assert 0.25 < given_status.sum() / plain[lab].notna().sum() < 0.35
        assert qual.loc[given_status, lab].isna().all()
        expected = status(plain, lab)[given_status]
        assert (qual.loc[given_status, f"{lab}_status"] == expected).all(), lab
        assert plain.loc[given_status, lab].notna().all()
        pd.testing.assert_series_equal(qual.loc[~given_status, lab], plain.loc[~given_status, lab])


def test_si_rows_convert_back_to_the_conventional_values() -> None:
    conventional = generate_cohort(5000, seed=10, si_fraction=0.0)
    mixed = generate_cohort(5000, seed=10, si_fraction=0.4)
    resolution = {"calcium": 0.01, "phosphate": 0.01, "pth": 0.1, "albumin": 1.0, "vitamin_d_25oh": 1.0,
                  "creatinine": 1.0}
    assert set(resolution) == set(SI_LABS)
    for lab in SI_LABS:
        spec = FIELD_BY_NAME[lab]
        assert spec.si_unit is not None
        factor = spec.factor(spec.si_unit)
        assert factor is not None
        unit = mixed[f"{lab}_unit"]
        si = unit.eq(spec.si_unit).fillna(False).to_numpy()
        assert 0.35 < si.sum() / mixed[lab].notna().sum() < 0.45, lab
        assert unit[~si].dropna().eq(spec.unit).all() and unit[~si].isna().any()
        assert unit[mixed[lab].isna()].isna().all()
        back = mixed.loc[si, lab] * factor
        np.testing.assert_allclose(back, conventional.loc[si, lab], atol=resolution[lab] / 2 * factor + 1e-9)
        pd.testing.assert_series_equal(mixed.loc[~si, lab], conventional.loc[~si, lab])
    same = [c for c in conventional.columns if c not in SI_LABS]
    pd.testing.assert_frame_equal(mixed[same], conventional[same])


def test_atypical_rate_and_class_weights() -> None:
    assert not generate_cohort(2000, seed=12, atypical_rate=0.0)["is_atypical"].any()
    assert generate_cohort(500, seed=12, atypical_rate=1.0)["is_atypical"].all()
    mix = generate_cohort(20_000, seed=12, atypical_rate=0.3)
    assert 0.27 < mix["is_atypical"].mean() < 0.33
    shares = mix["true_subtype"].value_counts(normalize=True)
    assert abs(shares["dystrophic"] - 0.40) < 0.02 and abs(shares["iatrogenic"] - 0.10) < 0.02
    only = generate_cohort(300, seed=12, class_weights={"idiopathic": 2.0, "iatrogenic": 0.0})
    assert set(only["true_subtype"]) == {"idiopathic"}
    halves = generate_cohort(4000, seed=12, class_weights={"metastatic": 1, "calciphylaxis": 1})
    assert abs((halves["true_subtype"] == "metastatic").mean() - 0.5) < 0.04


def test_label_noise_keeps_the_presentation() -> None:
    clean_labels = generate_cohort(10_000, seed=13, label_noise=0.0)
    noisy = generate_cohort(10_000, seed=13, label_noise=0.2)
    pd.testing.assert_series_equal(noisy["presentation"], clean_labels["presentation"])
    flipped = noisy["true_subtype"] != clean_labels["true_subtype"]
    assert 0.18 < flipped.mean() < 0.22
    assert (noisy.loc[flipped, "true_subtype"] != noisy.loc[flipped, "presentation"].str.split("/").str[0]).all()
    assert set(noisy["true_subtype"]) == set(SUBTYPES)


# --------------------------------------------------------------------------- validation


def test_invalid_rate_message() -> None:
    with pytest.raises(ValueError, match=r"^missing_rate must be in \[0, 1\), got 1\.5$"):
        generate_cohort(10, missing_rate=1.5)


@pytest.mark.parametrize(("kwargs", "knob"), [
    ({"n": -1}, "n"),
    ({"n": 2.5}, "n"),
    ({"n": True}, "n"),
    ({"seed": -3}, "seed"),
    ({"seed": "x"}, "seed"),
    ({"missing_rate": 1.0}, "missing_rate"),
    ({"qualitative_rate": -0.1}, "qualitative_rate"),
    ({"si_fraction": float("nan")}, "si_fraction"),
    ({"atypical_rate": 2}, "atypical_rate"),
    ({"label_noise": "0.1"}, "label_noise"),
    ({"class_weights": {"metastatic": -1}}, "class_weights"),
    ({"class_weights": {"cancer": 1}}, "class_weights"),
    ({"class_weights": {"metastatic": 0}}, "class_weights"),
    ({"class_weights": [1, 2, 3]}, "class_weights"),
])
def test_invalid_knobs_name_the_knob(kwargs: dict[str, object], knob: str) -> None:
    kwargs = {"n": 10, **kwargs}
    with pytest.raises(ValueError, match=knob):
        generate_cohort(**kwargs)  # type: ignore[arg-type]


rates = st.floats(0.0, 1.0)
weights = st.dictionaries(st.sampled_from(SUBTYPES), st.floats(0.0, 10.0), min_size=1).filter(
    lambda d: sum(d.values()) > 0)


@given(n=st.integers(0, 40), seed=st.integers(0, 2**63 - 1), class_weights=st.none() | weights,
       missing_rate=st.floats(0.0, 1.0, exclude_max=True), qualitative_rate=rates, si_fraction=rates,
       atypical_rate=rates, label_noise=rates)
def test_any_valid_knobs_give_a_contract_frame(n: int, seed: int, class_weights: dict[str, float] | None,
                                               missing_rate: float, qualitative_rate: float, si_fraction: float,
                                               atypical_rate: float, label_noise: float) -> None:
    frame = generate_cohort(n, seed, class_weights=class_weights, missing_rate=missing_rate,
                            qualitative_rate=qualitative_rate, si_fraction=si_fraction,
                            atypical_rate=atypical_rate, label_noise=label_noise)
    assert len(frame) == n
    assert set(CONTRACT + GROUND_TRUTH) <= set(frame.columns)
    assert frame["true_subtype"].isin(SUBTYPES).all() and frame["presentation"].isin(list(PRESENTATIONS)).all()
    if class_weights is not None and label_noise == 0:
        assert frame["true_subtype"].map(lambda s: class_weights.get(s, 0) > 0).all()


bad_rates = st.one_of(st.floats(max_value=-1e-12), st.floats(min_value=1.0, exclude_min=True),
                      st.just(float("nan")), st.text(max_size=3), st.none())


@given(knob=st.sampled_from(KNOBS), value=bad_rates)
def test_invalid_rates_raise_a_clear_error(knob: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"^{knob} must be "):
        generate_cohort(5, **{knob: value})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- independence and intake


def test_generator_does_not_import_the_rules() -> None:
    tree = ast.parse(Path(synthetic.__file__).read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    internal = {m for m in modules if m.startswith("calcinosis_classify")}
    assert internal <= {"calcinosis_classify.schema", "calcinosis_classify.errors"}


def test_cohort_passes_intake_without_warnings() -> None:
    intake = pytest.importorskip("calcinosis_classify.intake")
    cohort = generate_cohort(4000, seed=21, missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3)
    result = intake.read_cases(cohort, units="conventional", strict_units=False)
    assert result.warnings.empty, result.warnings.head(10).to_string()
    from_csv = pd.read_csv(io.StringIO(cohort.to_csv(index=False)))
    result = intake.read_cases(from_csv, units="conventional", strict_units=False)
    assert result.warnings.empty, result.warnings.head(10).to_string()
    spec = FIELD_BY_NAME["calcium"]
    assert spec.si_unit is not None
    in_si = cohort["calcium_unit"].eq(spec.si_unit).fillna(False)
    calcium = np.asarray(result.values["calcium"])
    expected = np.where(in_si, cohort["calcium"] * (spec.factor(spec.si_unit) or np.nan), cohort["calcium"])
    np.testing.assert_allclose(calcium, expected, rtol=1e-9)


def test_sparse_rate_zero_leaves_every_draw_unchanged() -> None:
    """The sparse mode has its own random stream: without it the cohort is the one other knobs give."""
    a = generate_cohort(3000, seed=5, missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3, atypical_rate=0.2)
    b = generate_cohort(3000, seed=5, missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3, atypical_rate=0.2,
                        sparse_rate=0.0)
    pd.testing.assert_frame_equal(a, b)


def test_sparse_rows_look_like_case_reports() -> None:
    """§6.8: history recorded mostly when present (blank is unknown), labs often absent or a status only."""
    full = generate_cohort(20_000, seed=9, missing_rate=0.0)
    sparse = generate_cohort(20_000, seed=9, missing_rate=0.0, sparse_rate=1.0)
    for flag in ("dialysis", "autoimmune_disease", "iv_calcium", "warfarin"):
        present, absent = full[flag] == 1, full[flag] == 0
        kept_present = sparse.loc[present, flag].notna().mean()
        kept_absent = sparse.loc[absent, flag].notna().mean()
        assert 0.6 < kept_present < 0.8 and kept_absent < 0.1, flag
        # What is kept is never changed: blank or the true value.
        kept = sparse[flag].notna()
        assert (sparse.loc[kept, flag] == full.loc[kept, flag]).all()
    no_lab = sparse[["calcium", "phosphate", "pth", "calcium_status", "phosphate_status", "pth_status"]].isna().all(axis=1)
    assert 0.45 < no_lab.mean() < 0.75
    given = sparse["calcium"].notna() | sparse["calcium_status"].notna()
    assert 0.4 < sparse.loc[given, "calcium_status"].notna().mean() < 0.8
    assert sparse["lesion_site"].notna().mean() > 0.8 and sparse["age_years"].notna().mean() > 0.8


def test_sparse_rate_is_validated() -> None:
    with pytest.raises(InputError, match="sparse_rate"):
        generate_cohort(10, sparse_rate=1.5)
