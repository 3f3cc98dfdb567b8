"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

# One case as a mapping of raw cells, every field optional (a blank cell is unknown).
cases = st.fixed_dictionaries({}, optional={
    "age_years": st.floats(0.01, 95),
    "sex": st.sampled_from(["F", "M", ""]),
    "calcium": st.floats(6.0, 16.0),
    "phosphate": st.floats(1.0, 12.0),
    "albumin": st.floats(1.5, 5.0),
    "pth": st.floats(2.0, 2500.0),
    "egfr": st.floats(3.0, 130.0),
    "dialysis": st.sampled_from(["yes", "no", ""]),
    "autoimmune_disease": st.sampled_from(["yes", "no", ""]),
    "iv_calcium": st.sampled_from(["yes", "no", ""]),
    "warfarin": st.sampled_from(["yes", "no", ""]),
    "painful": st.sampled_from(["yes", "no", ""]),
    "necrosis": st.sampled_from(["yes", "no", ""]),
    "lesion_site": st.sampled_from(["thumb", "scrotum", "thighs", "heel", "shoulder", "ear", ""]),
})


def case_frame(cases: list[dict]) -> pd.DataFrame:
    cols = sorted({k for c in cases for k in c})
    return pd.DataFrame([{k: c.get(k, "") for k in cols} for c in cases], dtype=object)




# FHIR resources of the reader's types, each possibly broken: a valid resource of one of three patients, with
# up to three of its elements replaced by junk of any JSON type (missing subject, numbers as text, lists where
# objects belong...).
_FHIR_JUNK = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                       st.lists(st.integers(), max_size=2),
                       st.dictionaries(st.sampled_from(["code", "value", "reference", "coding"]), st.integers(),
                                       max_size=2))


@st.composite
def broken_fhir_resources(draw) -> dict:
    pid = draw(st.sampled_from(["p1", "p2", "p3"]))
    subject = {"reference": f"Patient/{pid}"}
    kind = draw(st.sampled_from(["Observation", "Condition", "MedicationRequest", "Procedure"]))
    resource = {
        "Observation": {"status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "17861-6"}]},
                        "effectiveDateTime": "2024-06-01", "valueQuantity": {"value": 9.0, "code": "mg/dL"}},
        "Condition": {"code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "N18.4"}]},
                      "verificationStatus": {"coding": [{"code": "confirmed"}]}},
        "MedicationRequest": {"status": "active", "authoredOn": "2024-01-01", "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "11289"}]}},
        "Procedure": {"status": "completed", "performedDateTime": "2024-06-01", "code": {
            "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "90935"}]}},
    }[kind]
    resource = {"resourceType": kind, "id": draw(st.sampled_from(["a", "b", "c"])), "subject": subject, **resource}
    for key in draw(st.lists(st.sampled_from(sorted(resource)), max_size=3)):
        resource[key] = draw(_FHIR_JUNK)
    return resource
