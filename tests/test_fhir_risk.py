"""RiskAssessment output: every resource validates as FHIR R4 and says what the scored row says."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from fhir.resources.R4B.riskassessment import RiskAssessment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcinosis_classify import DISCLAIMER, __version__, score
from calcinosis_classify.cli import main
from calcinosis_classify.errors import InputError
from calcinosis_classify.fhir import (
    RISK_PROBABILITY_SYSTEM,
    SUBTYPE_SYSTEM,
    read_fhir,
    to_risk_assessments,
    write_risk_assessments,
)
from calcinosis_classify.synthetic import SUBTYPES, generate_cohort

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples.csv"


def _validated(resources: list[dict]) -> list[RiskAssessment]:
    """Every resource through the R4 (R4B: the RiskAssessment model is R4's) pydantic model."""
    return [RiskAssessment.model_validate(r) for r in resources]


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return score(pd.read_csv(EXAMPLES))


def test_each_row_gives_a_valid_resource_that_says_what_the_row_says(scored: pd.DataFrame) -> None:
    resources = list(to_risk_assessments(scored, as_of="2024-05-01T08:30:00Z"))
    assert len(_validated(resources)) == len(scored)
    for (_, row), r in zip(scored.iterrows(), resources, strict=True):
        assert r["status"] == "final"
        assert r["subject"]["identifier"]["value"] == row["case_id"]
        assert "reference" not in r["subject"] and "basis" not in r
        assert r["occurrenceDateTime"] == "2024-05-01T08:30:00+00:00"
        assert [p["outcome"]["coding"][0]["code"] for p in r["prediction"]] == list(SUBTYPES)
        assert all(p["outcome"]["coding"][0]["system"] == SUBTYPE_SYSTEM for p in r["prediction"])
        assert [p["probabilityDecimal"] for p in r["prediction"]] == [row[f"score_{s}"] for s in SUBTYPES]
        risk = r["prediction"][-1]["qualitativeRisk"]["coding"][0]
        assert (risk["system"], risk["code"]) == (RISK_PROBABILITY_SYSTEM, row["calciphylaxis_risk"])
        assert r["method"]["coding"][0]["version"] == __version__
        notes = [n["text"] for n in r["note"]]
        assert notes[-1] == DISCLAIMER
        assert row["evidence"].split(";")[0] in notes[1]
        assert f"{row['subtype']} (confidence {row['confidence']})" in notes[0]
        if row["missing"]:
            assert row["missing"].split(";")[0] in notes[2]


def test_fhir_rows_reference_the_patient_and_the_resources_used(scored: pd.DataFrame) -> None:
    basis = [[f"Observation/o{i}", f"Condition/c{i}"] for i in range(len(scored))]
    resources = list(to_risk_assessments(scored, basis))
    _validated(resources)
    assert resources[0]["subject"] == {"reference": "Patient/A"}
    assert resources[3]["basis"] == [{"reference": "Observation/o3"}, {"reference": "Condition/c3"}]


def test_basis_must_have_one_item_per_row(scored: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="one item per scored row: got 2 for 18 rows"):
        list(to_risk_assessments(scored, [[], []]))


def test_the_same_subject_and_date_give_the_same_id(scored: pd.DataFrame) -> None:
    once = [r["id"] for r in to_risk_assessments(scored, as_of="2024-01-01")]
    again = [r["id"] for r in to_risk_assessments(scored, as_of="2024-01-01")]
    later = [r["id"] for r in to_risk_assessments(scored, as_of="2024-01-02")]
    assert once == again and len(set(once)) == len(once) and not set(once) & set(later)


def test_rows_without_a_case_id_are_named_by_row(scored: pd.DataFrame) -> None:
    frame = scored.drop(columns="case_id")
    resources = list(to_risk_assessments(frame))
    _validated(resources)
    assert resources[4]["subject"]["identifier"]["value"] == "row 5"


def test_prefixed_output_columns_are_read(scored: pd.DataFrame) -> None:
    prefixed = score(pd.read_csv(EXAMPLES), prefix="rules_")
    plain = [r["prediction"] for r in to_risk_assessments(scored, as_of="2024-01-01")]
    assert [r["prediction"] for r in to_risk_assessments(prefixed, as_of="2024-01-01", prefix="rules_")] == plain


def test_written_file_holds_one_valid_resource_per_line_and_is_atomic(scored: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "risk.ndjson.gz"
    assert write_risk_assessments([scored.iloc[:5], scored.iloc[5:]], str(out)) == len(scored)
    lines = gzip.decompress(out.read_bytes()).decode().splitlines()
    ids = [RiskAssessment.model_validate_json(line).subject.identifier.value for line in lines]
    assert ids == scored["case_id"].tolist()

    def broken():
        yield scored.iloc[:5]
        raise RuntimeError("reader failed")

    target = tmp_path / "partial.ndjson"
    with pytest.raises(RuntimeError):
        write_risk_assessments(broken(), str(target))
    assert list(tmp_path.iterdir()) == [out]


def test_cli_fhir_out_writes_one_resource_per_output_row(tmp_path: Path) -> None:
    out, risk = tmp_path / "scored.csv", tmp_path / "risk.ndjson"
    assert main(["score", str(EXAMPLES), "-o", str(out), "--fhir-out", str(risk), "-q"]) == 0
    resources = [json.loads(line) for line in risk.read_text().splitlines()]
    _validated(resources)
    scored_back = pd.read_csv(out)
    assert [r["subject"]["identifier"]["value"] for r in resources] == scored_back["case_id"].tolist()
    assert [r["prediction"][1]["probabilityDecimal"] for r in resources] == scored_back["score_metastatic"].tolist()


def test_cli_fhir_out_needs_an_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES), "--fhir-out", str(tmp_path / "r.ndjson")]) == 2
    assert "--fhir-out reads the scored rows back from the output file" in capsys.readouterr().err
    assert not (tmp_path / "r.ndjson").exists()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), sparse=st.sampled_from([0.0, 0.5, 1.0]))
def test_any_synthetic_cohort_gives_valid_resources(seed: int, sparse: float) -> None:
    cohort = generate_cohort(40, seed=seed, sparse_rate=sparse, missing_rate=0.3, qualitative_rate=0.3)
    scored = score(cohort)
    resources = list(to_risk_assessments(scored, [[f"Patient/{c}"] for c in cohort["case_id"]]))
    assert len(_validated(resources)) == len(cohort)
    assert all(0 <= p["probabilityDecimal"] <= 1 for r in resources for p in r["prediction"])


def test_cli_fhir_input_gives_patient_subjects_and_the_resources_used(tmp_path: Path) -> None:
    export, out, risk = tmp_path / "export", tmp_path / "scored.csv", tmp_path / "risk.ndjson.gz"
    assert main(["synth", "-n", "40", "--format", "fhir", "-o", str(export), "-q"]) == 0
    assert main(["score", str(export), "-o", str(out), "--fhir-out", str(risk), "--as-of", "2025-06-30",
                 "-q"]) in (0, 1)
    resources = [json.loads(line) for line in gzip.decompress(risk.read_bytes()).decode().splitlines()]
    _validated(resources)
    assert [r["subject"]["reference"] for r in resources] == [f"Patient/{i}" for i in range(1, 41)]
    assert all(r["occurrenceDateTime"] == "2025-06-30T00:00:00+00:00" for r in resources)
    assert all(f"Patient/{i}" in {b["reference"] for b in r["basis"]} for i, r in enumerate(resources, 1))
    assert any(b["reference"].startswith("Observation/") for r in resources for b in r["basis"])


def test_cli_fhir_input_without_as_of_dates_each_assessment_by_the_exports_newest_date(tmp_path: Path) -> None:
    export, out, risk = tmp_path / "export", tmp_path / "scored.csv", tmp_path / "risk.ndjson"
    assert main(["synth", "-n", "20", "--format", "fhir", "-o", str(export), "-q"]) == 0
    index_date = read_fhir(export).cases.attrs["as_of"]
    assert main(["score", str(export), "-o", str(out), "--fhir-out", str(risk), "-q"]) in (0, 1)
    resources = [json.loads(line) for line in risk.read_text().splitlines()]
    assert {r["occurrenceDateTime"] for r in resources} == {f"{index_date}T00:00:00+00:00"}


def test_every_public_name_of_the_fhir_package_resolves() -> None:
    import calcinosis_classify.fhir as fhir

    assert all(getattr(fhir, name) is not None for name in fhir.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        fhir.nothing  # noqa: B018


@settings(max_examples=30, deadline=None)
@given(ids=st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=6),
       warning=st.text(max_size=30))
def test_any_case_id_and_warning_text_gives_valid_json_resources(ids: list[str], warning: str) -> None:
    frame = pd.DataFrame({"case_id": ids, "subtype": "indeterminate", "warnings": warning,
                          **{f"score_{s}": 0.0 for s in SUBTYPES}})
    resources = list(to_risk_assessments(frame))
    _validated(resources)
    def fhir_string(text: str) -> str:  # whitespace other than space, tab, CR, LF is not allowed
        return "".join(" " if c.isspace() and c not in " \t\r\n" else c for c in text)

    for k, (given_id, r) in enumerate(zip(ids, resources, strict=True), 1):
        assert r["subject"]["identifier"]["value"] == (fhir_string(given_id) or f"row {k}")
        if warning:
            assert any(n["text"] == f"Data warnings: {fhir_string(warning)}" for n in r["note"])


def test_whitespace_fhir_does_not_allow_becomes_a_space() -> None:
    frame = pd.DataFrame({"case_id": ["a\x85b", "c\u00a0d"], "subtype": "indeterminate",
                          "warnings": "w\u2028x", **{f"score_{s}": 0.0 for s in SUBTYPES}})
    resources = list(to_risk_assessments(frame))
    _validated(resources)
    assert [r["subject"]["identifier"]["value"] for r in resources] == ["a b", "c d"]
    assert all({"text": "Data warnings: w x"} in r["note"] for r in resources)


def test_cli_fhir_out_reads_back_parquet_and_prefixed_output(tmp_path: Path) -> None:
    out, risk = tmp_path / "scored.parquet", tmp_path / "risk.ndjson"
    assert main(["score", str(EXAMPLES), "-o", str(out), "--prefix", "rules_", "--fhir-out", str(risk), "-q"]) == 0
    scored_back = pd.read_parquet(out)
    resources = [json.loads(line) for line in risk.read_text().splitlines()]
    assert [r["prediction"][-1]["probabilityDecimal"] for r in resources] == \
        scored_back["rules_score_calciphylaxis"].tolist()
    assert [r["prediction"][-1]["qualitativeRisk"]["coding"][0]["code"] for r in resources] == \
        scored_back["rules_calciphylaxis_risk"].tolist()
