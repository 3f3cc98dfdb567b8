"""The knowledge base as data: rules, composite findings, overrides, policy, thresholds, ranges, sites,
management options, plain-language wording, references.

Nothing here evaluates anything; :mod:`calcinosis_classify.engine` compiles
and validates these tables when the package is imported.
"""

from calcinosis_classify.knowledge.composites import COMPOSITES
from calcinosis_classify.knowledge.management import MANAGEMENT
from calcinosis_classify.knowledge.model import (
    EVIDENCE_LEVELS,
    PRACTICE_STATUSES,
    SUBTYPES,
    CantMiss,
    Coexistence,
    Composite,
    ConfidencePolicy,
    ManagementOption,
    NextStep,
    Override,
    Probe,
    RiskFactor,
    RiskScheme,
    Rule,
    UrgencyTrigger,
)
from calcinosis_classify.knowledge.plain import (
    LEAFLET,
    PLAIN_PROBES,
    PLAIN_SUBTYPES,
    PLAIN_URGENCY,
    PlainProbe,
    PlainSubtype,
)
from calcinosis_classify.knowledge.policy import (
    CANT_MISS,
    CONFIDENCE,
    CORRECTED_CALCIUM,
    PROBES,
    REPORTED_FINDINGS,
    RISK_SCHEME,
    TIE_ORDER,
)
from calcinosis_classify.knowledge.references import REFERENCES, REFERENCES_BY_NUMBER, Reference
from calcinosis_classify.knowledge.rules import (
    COEXISTENCE,
    NEXT_STEPS,
    OVERRIDES,
    PRIOR_REFS,
    PRIORS,
    RISK_FACTORS,
    RULES,
    URGENCY,
)
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "CANT_MISS",
    "COEXISTENCE",
    "COMPOSITES",
    "CONFIDENCE",
    "CORRECTED_CALCIUM",
    "DEFAULT_THRESHOLDS",
    "EVIDENCE_LEVELS",
    "LEAFLET",
    "MANAGEMENT",
    "NEXT_STEPS",
    "OVERRIDES",
    "PLAIN_PROBES",
    "PLAIN_SUBTYPES",
    "PLAIN_URGENCY",
    "PRACTICE_STATUSES",
    "PRIORS",
    "PRIOR_REFS",
    "PROBES",
    "REPORTED_FINDINGS",
    "REFERENCES",
    "REFERENCES_BY_NUMBER",
    "RISK_FACTORS",
    "RISK_SCHEME",
    "RULES",
    "SUBTYPES",
    "TIE_ORDER",
    "URGENCY",
    "CantMiss",
    "Coexistence",
    "Composite",
    "ConfidencePolicy",
    "ManagementOption",
    "NextStep",
    "Override",
    "PlainProbe",
    "PlainSubtype",
    "Probe",
    "Reference",
    "RiskFactor",
    "RiskScheme",
    "Rule",
    "Thresholds",
    "UrgencyTrigger",
]
