"""FHIR input: ``read_fhir`` on small hand-written Bundles and bulk exports, one clinical rule per test."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import broken_fhir_resources

from calcinosis_classify import score
from calcinosis_classify.errors import InputError
from calcinosis_classify.fhir import FhirRead, read_fhir
from calcinosis_classify.intake import WARNING_COLUMNS
from calcinosis_classify.warning_codes import WARNING_CODES

LOINC = "http://loinc.org"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CA, P, PTH, ALB = "17861-6", "2777-1", "2731-8", "1751-7"


def patient(pid: str, gender: str = "female", birth: str = "1960-01-01") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "gender": gender, "birthDate": birth}


def obs(oid: str, pid: str, code: str, date: str, value: float | None = None, unit: str | None = "mg/dL",
        **extra: Any) -> dict[str, Any]:
    r: dict[str, Any] = {"resourceType": "Observation", "id": oid, "status": "final",
                         "subject": {"reference": f"Patient/{pid}"},
                         "code": {"coding": [{"system": LOINC, "code": code}]}, "effectiveDateTime": date}
    if value is not None:
        r["valueQuantity"] = {"value": value, **({"code": unit, "system": "http://unitsofmeasure.org"}
                                                 if unit else {})}
    r.update(extra)
    return r


def condition(cid: str, pid: str, code: str, verification: str | None = None, clinical: str | None = None,
              **extra: Any) -> dict[str, Any]:
    r: dict[str, Any] = {"resourceType": "Condition", "id": cid, "subject": {"reference": f"Patient/{pid}"},
                         "code": {"coding": [{"system": ICD, "code": code}]}}
    if verification:
        r["verificationStatus"] = {"coding": [{"code": verification}]}
    if clinical:
        r["clinicalStatus"] = {"coding": [{"code": clinical}]}
    r.update(extra)
    return r


def med(mid: str, pid: str, code: str, status: str, authored: str, **extra: Any) -> dict[str, Any]:
    r = {"resourceType": "MedicationRequest", "id": mid, "status": status, "subject": {"reference": f"Patient/{pid}"},
         "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code}]}, "authoredOn": authored}
    r.update(extra)
    return r


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def codes(read: FhirRead, row: int | None = None) -> list[str]:
    w = read.warnings
    if row is not None:
        w = w[w["row"] == row]
    return list(w["code"])


def one(read: FhirRead, field: str) -> Any:
    value = read.cases[field].iloc[0]
    return None if pd.isna(value) else value


# ------------------------------------------------------------------ the shape of the result

def test_a_bundle_gives_one_row_per_patient_in_the_input_contract() -> None:
    read = read_fhir(bundle(patient("p1"), patient("p2", "male", "2000-06-30"),
                            obs("o1", "p1", CA, "2024-06-01", 9.5), obs("o2", "p2", CA, "2024-06-30", 10.1)))
    assert isinstance(read, FhirRead)
    assert list(read.cases["case_id"]) == ["p1", "p2"]
    assert list(read.cases["sex"]) == ["F", "M"]
    assert read.cases["calcium"].tolist() == [9.5, 10.1]
    assert read.cases["age_years"].iloc[1] == pytest.approx(24.0, abs=0.01)
    assert list(read.warnings.columns) == list(WARNING_COLUMNS)
    assert read.basis == [("Observation/o1", "Patient/p1"), ("Observation/o2", "Patient/p2")]
    out = score(read.cases)
    assert len(out) == 2


def test_bundle_file_ndjson_file_and_gzipped_folder_read_the_same(tmp_path: Path) -> None:
    resources = [patient("p1"), obs("o1", "p1", CA, "2024-06-01", 2.5, "mmol/L"),
                 condition("c1", "p1", "N18.4"), obs("o2", "p1", P, "2024-06-02", 5.0)]
    (tmp_path / "b.json").write_text(json.dumps(bundle(*resources)))
    (tmp_path / "all.ndjson").write_text("".join(json.dumps(r) + "\n" for r in resources))
    folder = tmp_path / "export"
    folder.mkdir()
    for kind in ("Observation", "Condition", "Patient"):
        lines = "".join(json.dumps(r) + "\n" for r in resources if r["resourceType"] == kind)
        with gzip.open(folder / f"{kind}.ndjson.gz", "wt") as f:
            f.write(lines)
    reads = [read_fhir(tmp_path / "b.json"), read_fhir(tmp_path / "all.ndjson"), read_fhir(folder),
             read_fhir(str(folder))]
    for read in reads[1:]:
        pd.testing.assert_frame_equal(read.cases, reads[0].cases)
        assert sorted(read.basis[0]) == sorted(reads[0].basis[0])
    assert reads[0].cases["calcium"].iloc[0] == pytest.approx(2.5 * 4.008)
    assert reads[0].cases["ckd"].iloc[0] == 1


def test_files_are_recognised_by_their_resources_not_their_names(tmp_path: Path) -> None:
    (tmp_path / "part-1.ndjson").write_text(json.dumps(obs("o1", "p1", CA, "2024-06-01", 9.0)) + "\n")
    (tmp_path / "part-2.ndjson").write_text(json.dumps(patient("p1", "male")) + "\n")
    (tmp_path / "Encounter.ndjson").write_text("this file is not read\n")
    read = read_fhir(tmp_path)
    assert list(read.cases["case_id"]) == ["p1"]
    assert one(read, "sex") == "M"
    assert codes(read) == []


def test_blocks_of_a_large_file_are_folded_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from calcinosis_classify.fhir import _parse

    monkeypatch.setattr(_parse, "_BLOCK_BYTES", 300)
    lines = [patient(f"p{k}") for k in range(5)] + [obs(f"o{k}-{d}", f"p{k}", CA, f"2024-06-{d:02d}", 8.0 + d / 10)
                                                     for d in (1, 20, 5) for k in range(5)]
    (tmp_path / "x.ndjson").write_text("".join(json.dumps(r) + "\n" for r in lines))
    read = read_fhir(tmp_path / "x.ndjson")
    assert read.cases["calcium"].tolist() == [10.0] * 5
    assert [b[0] for b in read.basis] == [f"Observation/o{k}-20" for k in range(5)]


# ------------------------------------------------------------------ labs: time window, pairing, units

def test_the_latest_result_within_the_window_is_used() -> None:
    read = read_fhir(bundle(patient("p1"), obs("old", "p1", CA, "2024-03-01", 12.0),
                            obs("new", "p1", CA, "2024-06-01", 9.0), obs("mid", "p1", CA, "2024-05-01", 11.0)))
    assert one(read, "calcium") == 9.0
    assert "Observation/new" in read.basis[0] and "Observation/old" not in read.basis[0]


def test_a_newest_result_older_than_the_window_is_missing_with_its_date() -> None:
    read = read_fhir(bundle(patient("p1"), obs("o1", "p1", CA, "2024-01-02", 9.0),
                            obs("o2", "p1", ALB, "2024-06-30", 4.0, "g/dL")), window_days=90)
    assert one(read, "calcium") is None
    w = read.warnings[read.warnings["code"] == "fhir_lab_too_old"]
    assert w["value"].tolist() == ["2024-01-02"] and "2024-06-30" in w["message"].iloc[0]
    assert one(read_fhir(bundle(patient("p1"), obs("o1", "p1", CA, "2024-01-02", 9.0),
                                obs("o2", "p1", ALB, "2024-06-30", 4.0, "g/dL")), window_days=200), "calcium") == 9.0


def test_as_of_ignores_later_resources_and_dates_the_window() -> None:
    b = bundle(patient("p1", birth="2020-01-01"), obs("o1", "p1", CA, "2024-05-01", 9.0),
               obs("o2", "p1", CA, "2024-07-10", 12.0))
    read = read_fhir(b, as_of="2024-06-30")
    assert one(read, "calcium") == 9.0
    assert "fhir_after_as_of" in codes(read)
    assert one(read, "age_years") == pytest.approx(4.5, abs=0.01)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        read_fhir(b, as_of="June")
    with pytest.raises(InputError, match="window_days"):
        read_fhir(b, window_days=0)


def test_calcium_and_phosphate_come_from_the_newest_draws_at_most_seven_days_apart() -> None:
    read = read_fhir(bundle(patient("p1"), obs("ca-new", "p1", CA, "2024-06-20", 9.0),
                            obs("ca-old", "p1", CA, "2024-06-02", 10.0), obs("p-old", "p1", P, "2024-05-30", 6.0),
                            obs("p-mid", "p1", P, "2024-06-01", 7.0)))
    assert (one(read, "calcium"), one(read, "phosphate")) == (10.0, 7.0)
    assert "fhir_paired_draws" in codes(read)
    assert {"Observation/ca-old", "Observation/p-mid"} <= set(read.basis[0])


def test_draws_too_far_apart_keep_only_the_newer_lab() -> None:
    read = read_fhir(bundle(patient("p1"), obs("ca", "p1", CA, "2024-06-20", 9.0), obs("p", "p1", P, "2024-05-01", 6.0)))
    assert one(read, "calcium") == 9.0 and one(read, "phosphate") is None
    w = read.warnings[read.warnings["code"] == "fhir_unpaired_draws"]
    assert w["field"].tolist() == ["phosphate"]
    assert pd.isna(score(read.cases)["ca_x_p"].iloc[0])


def test_units_come_from_ucum_codes() -> None:
    read = read_fhir(bundle(patient("p1"), obs("o1", "p1", CA, "2024-06-01", 2.5, "mmol/L"),
                            obs("o2", "p1", PTH, "2024-06-01", 10.0, "pmol/L"),
                            obs("o3", "p1", ALB, "2024-06-01", 40.0, "g/L")))
    assert one(read, "calcium") == pytest.approx(10.02)
    assert one(read, "pth") == pytest.approx(94.3)
    assert one(read, "albumin") == pytest.approx(4.0)
    assert codes(read) == []


def test_numbers_are_handed_to_score_in_their_declared_unit() -> None:
    """A creatinine of 1,770 µmol/L is 20.02 mg/dL, above the plausible range in mg/dL: read from FHIR, it must
    reach score() declared as mg/dL, or the CSV reading takes it for µmol/L (0.23 mg/dL, normal kidneys) and
    the dialysis-range setting is lost (found by Hypothesis)."""
    read = read_fhir(bundle(patient("p1", "male", "1955-01-01"),
                            obs("o1", "p1", "14682-9", "2024-06-01", 1770.0, "umol/L")))
    assert one(read, "creatinine") == pytest.approx(20.02, abs=0.01)
    assert read.cases.loc[0, "creatinine_unit"] == "mg/dL" and read.cases.loc[0, "calcium_unit"] is None
    scored = score(read.cases)
    assert "MET-SETTING-UREMIC" in scored.loc[0, "evidence"].split(";")


def test_a_quantity_without_a_unit_is_inferred_as_for_csv_input() -> None:
    read = read_fhir(bundle(patient("p1"), obs("o1", "p1", CA, "2024-06-01", 2.4, None)))
    assert one(read, "calcium") == pytest.approx(2.4 * 4.008)
    assert {"fhir_no_unit", "unit_assumed"} <= set(codes(read, 0))
    assert "Observation/o1" in read.warnings.loc[read.warnings["code"] == "unit_assumed", "column"].tolist()


def test_an_impossible_unit_is_not_used_and_an_older_valid_result_is() -> None:
    read = read_fhir(bundle(patient("p1"), obs("good", "p1", CA, "2024-06-01", 9.0),
                            obs("bad", "p1", CA, "2024-06-10", 9.0, "kg"),
                            obs("huge", "p1", CA, "2024-06-11", 90000.0)))
    assert one(read, "calcium") == 9.0
    assert {"unknown_unit", "implausible"} <= set(codes(read, 0))


def test_interpretation_and_data_absent_reason_fill_the_status_when_no_number() -> None:
    read = read_fhir(bundle(
        patient("p1"), obs("o1", "p1", PTH, "2024-06-01", interpretation=[{"coding": [{"code": "H"}]}]),
        obs("o2", "p1", CA, "2024-06-01", interpretation=[{"coding": [{"code": "L"}]}]),
        obs("o3", "p1", P, "2024-06-01", dataAbsentReason={"coding": [{"code": "not-performed"}]})))
    assert (one(read, "pth_status"), one(read, "calcium_status")) == ("high", "low")
    assert one(read, "phosphate_status") is None and one(read, "pth") is None
    w = read.warnings[read.warnings["code"] == "fhir_data_absent"]
    assert w["value"].tolist() == ["not-performed"]
    with_number = read_fhir(bundle(patient("p1"), obs("o1", "p1", PTH, "2024-06-01", 30.0,
                                                     "pg/mL", interpretation=[{"coding": [{"code": "H"}]}])))
    assert one(with_number, "pth") == 30.0 and one(with_number, "pth_status") is None


def test_an_observation_entered_in_error_is_ignored() -> None:
    read = read_fhir(bundle(patient("p1"), obs("o1", "p1", CA, "2024-06-01", 9.0),
                            obs("o2", "p1", CA, "2024-06-05", 14.0, status="entered-in-error")))
    assert one(read, "calcium") == 9.0


# ------------------------------------------------------------------ conditions

def test_condition_verification_refuted_is_absent_entered_in_error_and_unmentioned_unknown() -> None:
    read = read_fhir(bundle(patient("p1"), condition("c1", "p1", "M34.1", "refuted"),
                            condition("c2", "p1", "E11.9", "entered-in-error"),
                            condition("c3", "p1", "N18.4", "confirmed"),
                            condition("c4", "p1", "M32.1", "provisional")))
    assert one(read, "ckd") == 1
    assert one(read, "autoimmune_disease") == 0
    assert one(read, "diabetes") is None
    assert one(read, "obesity") is None
    assert "fhir_unconfirmed" in codes(read)
    assert "Condition/c2" not in read.basis[0] and "Condition/c1" in read.basis[0]


def test_present_wins_over_refuted() -> None:
    read = read_fhir(bundle(patient("p1"), condition("c1", "p1", "M34.1", "refuted"), condition("c2", "p1", "M32.1")))
    assert one(read, "autoimmune_disease") == 1
    assert "Condition/c1" not in read.basis[0]


def test_a_resolved_condition_keeps_its_history_but_not_a_current_state() -> None:
    read = read_fhir(bundle(patient("p1"), condition("c1", "p1", "M34.1", clinical="resolved"),
                            condition("c2", "p1", "Z99.2", clinical="resolved")))
    assert one(read, "autoimmune_disease") == 1
    assert one(read, "dialysis") == 0


def test_ckd_stage_4_and_5_codes_record_the_category_a_resolved_one_does_not() -> None:
    read = read_fhir(bundle(patient("p1"), condition("c1", "p1", "N18.6"), patient("p2"),
                            condition("c2", "p2", "N18.4"), patient("p3"), condition("c3", "p3", "N18.32"),
                            patient("p4"), condition("c4", "p4", "N18.5", clinical="resolved")))
    cases = read.cases.set_index("case_id")
    assert cases["ckd"].tolist() == [1, 1, 1, 1]
    assert cases.loc["p1", "ckd_g5"] == 1 and cases.loc["p2", "ckd_g4"] == 1
    assert pd.isna(cases.loc["p3", "ckd_g4"]) and pd.isna(cases.loc["p3", "ckd_g5"])
    assert cases.loc["p4", "ckd_g5"] == 0  # a past stage is not the present kidney function
    assert score(read.cases)["differential"].iloc[0].split(";")[:2] == ["calciphylaxis", "metastatic"]


def test_lesion_site_and_onset_come_from_the_calcinosis_condition() -> None:
    read = read_fhir(bundle(patient("p1"), condition("c1", "p1", "L94.2", bodySite=[{"text": "Fingertips"}],
                                                     onsetDateTime="2024-05-01"),
                            med("m1", "p1", "11289", "active", "2023-05-01")))
    assert one(read, "lesion_site") == "fingertips"
    assert one(read, "warfarin") == 1
    assert one(read, "warfarin_months") == pytest.approx(12.0, abs=0.05)
    no_site = read_fhir(bundle(patient("p1"), condition("c1", "p1", "L94.2")))
    assert one(no_site, "lesion_site") is None and "fhir_no_body_site" in codes(no_site)


# ------------------------------------------------------------------ medications

def test_only_current_or_recent_medications_set_exposure_flags() -> None:
    read = read_fhir(bundle(
        patient("p1"), patient("p2"), patient("p3"), patient("p4"),
        med("m1", "p1", "11289", "active", "2020-01-01"),
        med("m2", "p2", "11289", "completed", "2020-01-01"),
        med("m3", "p3", "11289", "completed", "2024-05-01"),
        med("m4", "p4", "11289", "entered-in-error", "2024-05-01"),
        obs("o1", "p1", CA, "2024-06-30", 9.0)), window_days=90)
    assert [None if pd.isna(x) else x for x in read.cases["warfarin"]] == [1, None, 1, None]
    assert "MedicationRequest/m1" in read.basis[0] and "MedicationRequest/m2" not in read.basis[1]


# ------------------------------------------------------------------ bad input

def test_bad_lines_lose_no_patient(tmp_path: Path) -> None:
    lines = [json.dumps(patient("p1")), "{not json", json.dumps(patient("p2")), "[1, 2]",
             json.dumps(obs("o1", "p1", CA, "2024-06-01", "9.5")),  # a number as a string
             json.dumps({**obs("o2", "p2", CA, "2024-06-01", 9.0), "subject": {}}),
             json.dumps(obs("o3", "p9", CA, "2024-06-01", 9.0)),
             json.dumps(obs("o4", "p2", "0000-0", "2024-06-01", 9.0)),
             json.dumps(obs("o5", "p1", CA, "2024-06-02", 9.2)), json.dumps(obs("o5", "p1", CA, "2024-06-02", 9.2))]
    (tmp_path / "mixed.ndjson").write_text("\n".join(lines) + "\n")
    read = read_fhir(tmp_path / "mixed.ndjson")
    assert list(read.cases["case_id"]) == ["p1", "p2", "p9"]
    found = set(codes(read))
    assert {"fhir_bad_json", "fhir_bad_value", "fhir_no_subject", "fhir_patient_not_found", "fhir_unknown_code",
            "fhir_duplicate"} <= found
    assert one(read, "calcium") == 9.2
    assert read.basis[0].count("Observation/o5") == 1
    assert read.cases["calcium"].iloc[2] == 9.0


def test_observations_without_a_patient_file(tmp_path: Path) -> None:
    (tmp_path / "Observation.ndjson").write_text(json.dumps(obs("o1", "p1", CA, "2024-06-01", 9.0)) + "\n"
                                                 + json.dumps(obs("o2", "p2", CA, "2024-06-01", 9.0)) + "\n")
    read = read_fhir(tmp_path)
    assert list(read.cases["case_id"]) == ["p1", "p2"]
    assert codes(read).count("fhir_patient_not_found") == 2 and "fhir_no_patients" in codes(read)


def test_a_duplicated_patient_counts_once() -> None:
    read = read_fhir(bundle(patient("p1"), patient("p1", "male")))
    assert list(read.cases["case_id"]) == ["p1"] and one(read, "sex") == "F"
    assert codes(read) == ["fhir_duplicate"]


@pytest.mark.parametrize("content", [b"", b"\x1f\x8b not gzip", b"[1, 2", b"42"])
def test_only_an_unreadable_input_stops_the_run(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / ("x.ndjson.gz" if content.startswith(b"\x1f") else "x.json")
    path.write_bytes(content)
    with pytest.raises(InputError, match=str(path.name)):
        read_fhir(path)
    with pytest.raises(InputError, match="does not exist"):
        read_fhir(tmp_path / "missing.ndjson")


def test_every_fhir_warning_code_is_registered() -> None:
    import inspect

    from calcinosis_classify.fhir import _parse, _read, _reduce

    text = "".join(inspect.getsource(m) for m in (_parse, _read, _reduce))
    import re

    used = set(re.findall(r'"(fhir_[a-z_]+)"', text))
    assert used and used <= set(WARNING_CODES)


# ------------------------------------------------------------------ property: broken resources

@given(st.lists(broken_fhir_resources(), max_size=8),
       st.lists(st.sampled_from([b"{", b"null", b"\xff\xfe", b"{}", b"[]"]), max_size=2))
def test_broken_resources_never_stop_the_read_nor_lose_a_patient(resources: list[dict[str, Any]],
                                                                  junk: list[bytes]) -> None:
    import tempfile

    lines = [json.dumps(patient("p1")).encode(), json.dumps(patient("p2")).encode()]
    lines += [json.dumps(r).encode() for r in resources] + junk
    # NDJSON cannot hold NaN or infinity (json.dumps writes a line no JSON parser reads): such a resource is an
    # unreadable line there, so the Bundle it is compared with leaves it out too.
    representable = [r for r in resources if _strict_json(r)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.ndjson"
        path.write_bytes(b"\n".join(lines) + b"\n")
        reads = [read_fhir(path), read_fhir(bundle(patient("p1"), patient("p2"), *representable)),
                 read_fhir(bundle(patient("p1"), patient("p2"), *resources))]
    for read in reads:
        assert list(read.cases["case_id"][:2]) == ["p1", "p2"]
        assert set(read.cases["case_id"]) <= {"p1", "p2", "p3"}
        assert len(read.basis) == len(read.cases)
        assert set(read.warnings["code"]) <= set(WARNING_CODES)
        rows = read.warnings["row"].dropna().to_numpy(dtype=np.int64)
        assert ((rows >= 0) & (rows < len(read.cases))).all()
        score(read.cases)
    pd.testing.assert_frame_equal(reads[0].cases, reads[1].cases)


def _strict_json(resource: dict[str, Any]) -> bool:
    try:
        json.dumps(resource, allow_nan=False)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------ command line

def test_score_detects_a_fhir_export_and_reports_its_warnings(tmp_path: Path) -> None:
    from calcinosis_classify.cli import main

    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.ndjson").write_text(json.dumps(patient("p1")) + "\n" + json.dumps(patient("p2")) + "\n")
    (folder / "Observation.ndjson").write_text(json.dumps(obs("o1", "p1", CA, "2024-06-01", 9.5)) + "\n{bad\n")
    out, report = tmp_path / "scored.csv", tmp_path / "report.csv"
    assert main(["score", str(folder), "-o", str(out), "--report", str(report), "-q",
                 "--as-of", "2024-06-30", "--window-days", "60"]) == 1
    scored = pd.read_csv(out)
    assert scored["case_id"].tolist() == ["p1", "p2"] and scored["calcium"].tolist()[0] == 9.5
    problems = pd.read_csv(report)
    assert "fhir_bad_json" in set(problems["code"])
    bundle_file = tmp_path / "b.json"
    bundle_file.write_text(json.dumps(bundle(patient("p1"), obs("o1", "p1", CA, "2024-06-01", 9.5))))
    assert main(["score", str(bundle_file), "-o", str(out), "-q"]) == 0
    text_named = tmp_path / "b.txt"
    text_named.write_text(bundle_file.read_text())
    assert main(["score", str(text_named), "--format", "fhir", "-o", str(out), "-q"]) == 0
    assert pd.read_csv(out)["case_id"].tolist() == ["p1"]


def test_an_unreadable_fhir_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from calcinosis_classify.cli import main

    broken = tmp_path / "x.ndjson.gz"
    broken.write_bytes(b"\x1f\x8b\x08 broken")
    assert main(["score", str(broken), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "x.ndjson.gz" in err[0]
    assert not (tmp_path / "o.csv").exists()


def test_a_route_bound_medication_counts_only_by_its_route() -> None:
    atc = "http://www.whocc.no/atc"

    def calcium_gluconate(mid: str, pid: str, route: str | None) -> dict[str, Any]:
        r = med(mid, pid, "A12AA03", "active", "2024-06-01")
        r["medicationCodeableConcept"] = {"coding": [{"system": atc, "code": "A12AA03"}]}
        if route:
            r["dosageInstruction"] = [{"route": {"text": route}}]
        return r

    read = read_fhir(bundle(patient("p1"), patient("p2"), patient("p3"), calcium_gluconate("m1", "p1", "Intravenous"),
                            calcium_gluconate("m2", "p2", "Oral"), calcium_gluconate("m3", "p3", None),
                            obs("o1", "p1", CA, "2024-06-30", 9.0)))
    assert [None if pd.isna(x) else x for x in read.cases["iv_calcium"]] == [1, None, None]
    assert codes(read).count("fhir_route") == 2
    steroid = read_fhir(bundle(patient("p1"), med("m1", "p1", "8640", "active", "2024-06-01")))
    assert one(steroid, "corticosteroids") == 1


def test_a_calciphylaxis_condition_also_gives_the_lesion_site() -> None:
    read = read_fhir(bundle(patient("p1"), condition("c1", "p1", "E83.59", bodySite=[{"text": "Thigh"}])))
    assert one(read, "lesion_site") == "thigh"


def test_a_dialysis_procedure_counts_while_recent() -> None:
    def session(pid: str, day: str, status: str = "completed") -> dict[str, Any]:
        return {"resourceType": "Procedure", "id": f"d-{pid}", "status": status, "subject": {"reference": f"Patient/{pid}"},
                "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "90935"}]},
                "performedDateTime": day}

    read = read_fhir(bundle(patient("p1"), patient("p2"), patient("p3"), session("p1", "2024-06-20"),
                            session("p2", "2023-01-01"), session("p3", "2024-06-01", "not-done"),
                            obs("o1", "p1", CA, "2024-06-30", 9.0)))
    assert [None if pd.isna(x) else x for x in read.cases["dialysis"]] == [1, None, 0]
    assert "Procedure/d-p1" in read.basis[0]


def test_the_default_as_of_ignores_planned_end_dates_and_explicit_as_of_hides_later_starts() -> None:
    statement = {"resourceType": "MedicationStatement", "id": "s1", "status": "active",
                 "subject": {"reference": "Patient/p1"}, "effectivePeriod": {"start": "2024-01-01", "end": "2026-01-01"},
                 "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "11289"}]}}
    b = bundle(patient("p1"), obs("o1", "p1", CA, "2024-06-01", 9.0), statement,
               med("m2", "p1", "8640", "active", "2024-07-01"))
    read = read_fhir(b)
    assert one(read, "calcium") == 9.0 and one(read, "warfarin") == 1
    earlier = read_fhir(b, as_of="2024-06-15")
    assert one(earlier, "corticosteroids") is None and one(earlier, "warfarin") == 1
