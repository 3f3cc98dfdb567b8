"""FHIR R4: read EHR exports into the input contract, write results as ``RiskAssessment`` resources.

* :func:`to_risk_assessments` / :func:`write_risk_assessments`: one ``RiskAssessment`` per scored row;
* :func:`write_synthetic_export` / :func:`export_frame`: a synthetic cohort as a FHIR Bulk Data export
  (NDJSON per resource type) and the input-contract frame restricted to what the export carries.
"""

from calcinosis_classify.fhir._export import (
    DEFAULT_AS_OF,
    RESOURCE_TYPES,
    SyntheticExport,
    export_fields,
    export_frame,
    write_synthetic_export,
)
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
    "SyntheticExport",
    "export_fields",
    "export_frame",
    "to_risk_assessments",
    "write_risk_assessments",
    "write_risk_assessments_from_file",
    "write_synthetic_export",
]
