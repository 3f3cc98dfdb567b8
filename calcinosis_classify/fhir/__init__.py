"""FHIR R4: read EHR exports into the input contract, write results as ``RiskAssessment`` resources.

* :func:`read_fhir`: a Bundle or a bulk export (NDJSON) -> cases of the input contract (:class:`FhirRead`);
* :func:`to_risk_assessments` / :func:`write_risk_assessments`: one ``RiskAssessment`` per scored row;
* :func:`write_synthetic_export` / :func:`export_frame`: a synthetic cohort as a FHIR Bulk Data export
  (NDJSON per resource type) and the input-contract frame restricted to what the export carries.

>>> from calcinosis_classify.fhir import read_fhir
>>> cases, warnings, basis = read_fhir("export/")  # doctest: +SKIP
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calcinosis_classify.fhir._export import (
        DEFAULT_AS_OF,
        RESOURCE_TYPES,
        SyntheticExport,
        export_fields,
        export_frame,
        write_synthetic_export,
    )
    from calcinosis_classify.fhir._read import FhirRead, read_fhir
    from calcinosis_classify.fhir._risk import (
        METHOD_SYSTEM,
        RISK_PROBABILITY_SYSTEM,
        SUBTYPE_SYSTEM,
        to_risk_assessments,
        write_risk_assessments,
        write_risk_assessments_from_file,
    )

__all__ = [
    "DEFAULT_AS_OF",
    "METHOD_SYSTEM",
    "RESOURCE_TYPES",
    "RISK_PROBABILITY_SYSTEM",
    "SUBTYPE_SYSTEM",
    "FhirRead",
    "SyntheticExport",
    "export_fields",
    "export_frame",
    "read_fhir",
    "to_risk_assessments",
    "write_risk_assessments",
    "write_risk_assessments_from_file",
    "write_synthetic_export",
]

# Imported on first use: scoring FHIR input needs only the reader, not the writers.
_LAZY = {
    **dict.fromkeys(("FhirRead", "read_fhir"), "calcinosis_classify.fhir._read"),
    **dict.fromkeys(("DEFAULT_AS_OF", "RESOURCE_TYPES", "SyntheticExport", "export_fields", "export_frame",
                     "write_synthetic_export"), "calcinosis_classify.fhir._export"),
    **dict.fromkeys(("METHOD_SYSTEM", "RISK_PROBABILITY_SYSTEM", "SUBTYPE_SYSTEM", "to_risk_assessments",
                     "write_risk_assessments", "write_risk_assessments_from_file"), "calcinosis_classify.fhir._risk"),
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'calcinosis_classify.fhir' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
