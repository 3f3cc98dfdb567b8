"""Intake (columns, units, plausibility, junk, flags) and derived findings, against the spec's numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from calcinosis_classify.errors import ThresholdError
from calcinosis_classify.findings import FALSE, TRUE, UNKNOWN, compute_findings
from calcinosis_classify.intake import read_cases
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS, Thresholds
from calcinosis_classify.schema import FIELDS

NUMBER_FIELDS = [f for f in FIELDS if f.is_number and f.si_unit != f.unit]


def one(case: dict) -> dict:
    return compute_findings(read_cases(case).values, DEFAULT_THRESHOLDS)


@pytest.mark.parametrize("field, si_value, expected", [
    ("calcium", 2.5, 10.02), ("phosphate", 1.0, 3.097), ("pth", 10.0, 94.3), ("albumin", 35.0, 3.5),
    ("vitamin_d_25oh", 100.0, 40.06), ("creatinine", 88.4, 1.0),
])
def test_si_conversions_match_spec_factors(field: str, si_value: float, expected: float) -> None:
    got = read_cases({field: si_value}, units="si").values[field][0]
    assert got == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("spec", NUMBER_FIELDS, ids=lambda f: f.name)
@given(data=st.data())
def test_round_trip_conventional_si_conventional(spec, data) -> None:
    assert spec.plausible is not None and spec.si_unit is not None
    value = data.draw(st.floats(*spec.plausible))
    si = value / spec.factor(spec.si_unit)
    back = read_cases({spec.name: si}, units="si").values[spec.name][0]
    assert back == pytest.approx(value, rel=1e-9)


def test_every_unit_representation_gives_identical_values() -> None:
    conv = read_cases(pd.DataFrame({"calcium": [9.6, 11.0], "phosphate": [3.1, 6.2]})).values
    forms = [
        read_cases(pd.DataFrame({"calcium": [2.3952, 2.7445], "phosphate": [1.001, 2.002]}), units="si"),
        read_cases(pd.DataFrame({"calcium": [2.3952, 2.7445], "calcium_unit": ["mmol/L", "mmol/l"],
                                 "phosphate": [1.001, 2.002], "phosphate_unit": ["mmol/L"] * 2})),
        read_cases(pd.DataFrame({"calcium_mmol_l": [2.3952, 2.7445], "phosphate [mmol/L]": [1.001, 2.002]})),
        read_cases(pd.DataFrame({"Calcium (mmol/L)": [2.3952, 2.7445], "Phosphorus": ["1.001 mmol/L", "2.002 mmol/L"]})),
    ]
    for form in forms:
        for f in ("calcium", "phosphate"):
            np.testing.assert_allclose(form.values[f], conv[f], rtol=1e-3)
        assert form.warnings.empty


def test_plausibility_reinterpretation_and_strict_mode() -> None:
    r = read_cases(pd.DataFrame({"calcium": [2.4, 9.6], "calcium_unit": ["mg/dL", "mmol/L"],
                                 "phosphate": [1.3, 1.3]}))
    np.testing.assert_allclose(r.values["calcium"], [2.4 * 4.008, 9.6], rtol=1e-6)
    assert r.warnings["code"].tolist() == ["unit_assumed", "row_unit_presumed", "unit_assumed"]
    # Row 0's calcium was mmol/L, so its phosphate (no unit) is presumed mmol/L too; row 1's is not.
    np.testing.assert_allclose(r.values["phosphate"], [1.3 * 3.097, 1.3], rtol=1e-9)
    strict = read_cases(pd.DataFrame({"calcium": [2.4]}), strict_units=True)
    assert np.isnan(strict.values["calcium"][0]) and strict.warnings["code"].tolist() == ["implausible_for_unit"]
    absurd = read_cases({"calcium": 5000})
    assert absurd.warnings["code"].tolist() == ["implausible"]


def test_column_matching_aliases_and_near_miss() -> None:
    r = read_cases(pd.DataFrame({" Ca ": [9.5], "Phosphorus": [3.0], "iPTH": [40], "25OHD": [30],
                                 "Lesion-Site": ["thumb"], "calcuim": [1], "other": ["x"]}))
    assert r.values["calcium"][0] == 9.5 and r.values["pth"][0] == 40 and r.values["vitamin_d_25oh"][0] == 30
    assert r.values["lesion_site"][0] == "thumb"
    assert any("read as 'phosphate'" in n for n in r.notes)
    near = r.warnings[r.warnings["code"] == "unknown_column"]
    assert near["message"].tolist() == [
        "column 'calcuim' is not an input field and is passed through; did you mean 'calcium'?"]


def test_flags_statuses_sex_and_contradictions() -> None:
    r = read_cases(pd.DataFrame({
        "case_id": [str(i) for i in range(12)],  # (without it, the row whose only cell is "" is a blank row)
        "dialysis": ["1", "0", "TRUE", "false", "Yes", "n", "present", "ABSENT", "", "NA", "unknown", "maybe"],
    }))
    assert r.values["dialysis"].tolist() == [1, 0, 1, 0, 1, 0, 1, 0, -1, -1, -1, -1]
    assert r.warnings["code"].tolist() == ["unparseable_flag"] and r.warnings["row"].tolist() == [11]
    s = read_cases(pd.DataFrame({"calcium_status": ["low", "Normal", "HIGH", "elevated"],
                                 "calcium": [np.nan, np.nan, np.nan, 8.0], "sex": ["female", "M", "w", "?"]}))
    assert s.values["calcium_status"][:3].tolist() == [-1, 0, 1]
    assert s.values["sex"].tolist() == [1, 0, 1, -1]
    clash = s.warnings[s.warnings["code"] == "status_contradicts_value"]
    assert clash["message"].tolist() == ["calcium_status says 'high' but calcium is 8 mg/dL; the number is used"]


def test_junk_cells_become_unknown_with_warnings() -> None:
    r = read_cases(pd.DataFrame({"calcium": ["abc", "-3", "inf", "<3", "9.5"], "pth": ["<3", "", "12", "x", "1e2"]}))
    assert np.isnan(r.values["calcium"][:3]).all()
    codes = set(r.warnings["code"])
    assert {"not_a_number", "negative", "not_finite", "censored"} <= codes


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(data_frames([column(name, dtype=object, elements=st.one_of(
    st.text(max_size=6), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**9, 10**9),
    st.none(), st.booleans(), st.just(""))) for name in
    ("calcium", "phosphate", "pth", "dialysis", "sex", "calcium_status", "calcium_unit", "lesion_site", "junk")]))
def test_intake_of_junk_never_raises_and_keeps_rows(frame: pd.DataFrame) -> None:
    r = read_cases(frame)
    assert r.n == len(frame)
    assert all(len(v) == len(frame) for v in r.values.values())
    for name in ("calcium", "phosphate", "pth"):
        bad = np.isnan(r.values[name])
        raw = frame[name]
        given_value = raw.map(lambda v: v is not None and str(v).strip().lower() not in ("", "nan", "none"))
        rows = set(np.flatnonzero(bad & given_value.to_numpy(dtype=bool)))
        warned = set(r.warnings.loc[r.warnings["row"].notna(), "row"].astype(int))
        assert rows <= warned


def test_albumin_correction_and_calcium_basis() -> None:
    env = one({"calcium": 8.0, "albumin": 2.5})
    assert env["calcium_corrected"][0] == pytest.approx(9.2)
    assert env["calcium_basis"][0] == 3
    assert one({"ionized_calcium": 1.2, "calcium": 8.0, "albumin": 2.5})["calcium_basis"][0] == 4
    assert one({"calcium": 8.0})["calcium_basis"][0] == 2
    assert one({"calcium_status": "high"})["calcium_basis"][0] == 1
    assert one({})["calcium_basis"][0] == 0
    assert one({"calcium": 8.0, "albumin": 2.5, "phosphate": 5.0})["ca_x_p"][0] == pytest.approx(46.0)
    assert one({"calcium": 8.0, "phosphate": 5.0})["ca_x_p"][0] == pytest.approx(40.0)
    # SI product by hand: 2.0 mmol/L x 1.6 mmol/L (spec §3.3: mmol/L x 4.008, x 3.097 back to mg/dL)
    si = one({"calcium": 2.0, "phosphate": 1.6, "calcium_unit": "mmol/L", "phosphate_unit": "mmol/L"})
    assert si["ca_x_p_si"][0] == pytest.approx(3.2, rel=1e-6)
    assert si["ca_x_p"][0] == pytest.approx(2.0 * 4.008 * 1.6 * 3.097, rel=1e-9)  # mg²/dL²


@pytest.mark.parametrize("age, phosphate, expected", [(3, 5.8, "p_normal"), (40, 5.8, "p_high"),
                                                      (14, 7.5, "p_high"), (0.01, 7.5, "p_normal")])
def test_paediatric_phosphate(age: float, phosphate: float, expected: str) -> None:
    assert one({"age_years": age, "phosphate": phosphate})[expected][0] == TRUE


@pytest.mark.parametrize("calcium, high, moderate, crisis", [(10.6, TRUE, FALSE, FALSE), (12.5, TRUE, TRUE, FALSE),
                                                              (14.2, TRUE, TRUE, TRUE), (9.5, FALSE, FALSE, FALSE)])
def test_hypercalcaemia_grades(calcium: float, high, moderate, crisis) -> None:
    env = one({"age_years": 50, "calcium": calcium})
    assert (env["ca_high"][0], env["ca_moderate_or_worse"][0], env["ca_crisis"][0]) == (high, moderate, crisis)


def test_pth_kidney_and_vitamin_d_status() -> None:
    assert one({"age_years": 50, "pth": 8})["pth_low"][0] == TRUE
    assert one({"age_years": 50, "pth": 40})["pth_normal"][0] == TRUE
    assert one({"age_years": 50, "pth": 300})["pth_high"][0] == TRUE
    assert one({"pth": 1200})["pth_very_high"][0] == TRUE
    assert one({"egfr": 25})["ckd_g4_5"][0] == TRUE
    assert one({"dialysis": "yes"})["esrd"][0] == TRUE
    assert one({"egfr": 95, "ckd": "no"})["kidney_normal"][0] == TRUE
    empty = one({})
    for name in ("kidney_normal", "esrd", "ckd_g4_5", "ca_high", "p_high", "vitd_toxic"):
        assert empty[name][0] == UNKNOWN
    assert one({"vitamin_d_25oh": 60})["vitd_concern"][0] == TRUE
    assert one({"vitamin_d_25oh": 60})["vitd_toxic"][0] == FALSE
    assert one({"vitamin_d_25oh": 160})["vitd_toxic"][0] == TRUE


def test_egfr_from_creatinine_ckd_epi_2021() -> None:
    # Hand computation: female, 60 y, Scr 1.0 mg/dL -> 142 * (1/0.7)^-1.2 * 0.9938^60 * 1.012 = 64.0
    env = one({"age_years": 60, "sex": "F", "creatinine": 1.0})
    assert env["egfr_used"][0] == pytest.approx(142 * (1 / 0.7) ** -1.2 * 0.9938 ** 60 * 1.012, rel=1e-9)
    assert env["egfr_used"][0] == pytest.approx(64.0, abs=0.5)
    assert one({"age_years": 60, "sex": "F", "creatinine": 1.0, "egfr": 20})["egfr_used"][0] == 20
    assert np.isnan(one({"age_years": 10, "sex": "F", "creatinine": 1.0})["egfr_used"][0])


def test_thresholds_are_validated_and_change_findings() -> None:
    case = read_cases({"calcium": 10.0, "phosphate": 6.0, "age_years": 50}).values
    assert compute_findings(case, DEFAULT_THRESHOLDS)["caxp_metastatic"][0] == FALSE
    assert compute_findings(case, Thresholds(caxp_metastatic=55.0, caxp_elevated=50.0))["caxp_metastatic"][0] == TRUE
    with pytest.raises(ThresholdError, match="must be between 50 and 90"):
        Thresholds(caxp_metastatic=5)
    with pytest.raises(ThresholdError, match="did you mean 'caxp_metastatic'"):
        DEFAULT_THRESHOLDS.replace(caxp_metastatc=60)


def test_regression_neonatal_caxp_with_age_normal_labs_is_not_raised() -> None:
    """A healthy newborn's phosphate (7.5 mg/dL, normal for age) with normal calcium gave Ca×P 77.7, which
    fired the metastatic Ca×P rule and made urgency 'urgent'. The raised bands now need an abnormal value."""
    newborn = one({"age_years": 0.01, "calcium": 10.2, "albumin": 3.8, "phosphate": 7.5})
    assert newborn["ca_x_p"][0] > 70
    assert newborn["caxp_metastatic"][0] == FALSE and newborn["caxp_elevated"][0] == FALSE
    adult = one({"age_years": 40, "calcium": 10.2, "albumin": 3.8, "phosphate": 7.5})
    assert adult["caxp_metastatic"][0] == TRUE
    # Age unknown and phosphate normal only for some ages: the band is unknown, not presumed.
    assert one({"calcium": 10.2, "phosphate": 7.5})["caxp_metastatic"][0] == UNKNOWN


@given(st.lists(st.one_of(st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True).map(str),
                          st.integers(-10**6, 10**6).map(str), st.just(""), st.just(" 9.5 "), st.just("+3"),
                          st.just(".5"), st.just("5."), st.just("1e2"), st.just("1,5")), min_size=1, max_size=30))
def test_arrow_and_object_text_parse_identically(cells: list[str]) -> None:
    """Number parsing has a fast path for Arrow-backed text; it must agree with the general one."""
    as_object = read_cases(pd.DataFrame({"calcium": pd.Series(cells, dtype=object)}))
    as_arrow = read_cases(pd.DataFrame({"calcium": pd.Series(cells, dtype=pd.StringDtype("pyarrow"))}))
    np.testing.assert_array_equal(as_object.values["calcium"], as_arrow.values["calcium"])
    pd.testing.assert_frame_equal(as_object.warnings, as_arrow.warnings)


_ONE_CELL = st.one_of(
    st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**9, 10**9), st.none(),
    st.booleans(), st.sampled_from(["", " 9.5 ", "+3", ".5", "1e2", "<3", "9.6 mg/dL", "2.4 mmol/L", "yes", "NO",
                                    "high", "F", "٣", "nan", "inf", "1.0", "0.0", "unknown"]))


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@example(case={"calcium": False, "phosphate": 0.0, "pth": None, "age_years": None, "albumin": None,
               "dialysis": 0.0, "warfarin": None, "sex": None, "calcium_status": 0, "calcium_unit": False,
               "lesion_site": "", "case_id": float("nan")})
@given(st.fixed_dictionaries({name: _ONE_CELL for name in (
    "calcium", "phosphate", "pth", "age_years", "albumin", "dialysis", "warfarin", "sex", "calcium_status",
    "calcium_unit", "lesion_site", "case_id")}))
def test_a_single_case_parses_as_the_column_path_does(case: dict) -> None:
    """A mapping's cells are parsed one by one in Python (pandas' per-call cost dominates one case); values
    and warnings must be those of the column path."""
    import calcinosis_classify.intake as intake_mod

    fast = read_cases(case)
    few = intake_mod._FEW_CELLS
    try:
        intake_mod._FEW_CELLS = 0
        slow = read_cases(case)
    finally:
        intake_mod._FEW_CELLS = few
    assert fast.values.keys() == slow.values.keys()
    for name, value in fast.values.items():
        other = slow.values[name]
        if value.dtype == object:  # identifiers and text pass through: NaN in both counts as equal
            assert all(a == b or (pd.isna(a) and pd.isna(b)) for a, b in zip(value, other, strict=True)), name
        else:
            np.testing.assert_array_equal(value, other, err_msg=name)
    pd.testing.assert_frame_equal(fast.warnings, slow.warnings)
