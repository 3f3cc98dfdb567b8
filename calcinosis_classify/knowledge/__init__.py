"""The knowledge base as data: rules, overrides, thresholds, ranges, sites, references.

Nothing here evaluates anything; :mod:`calcinosis_classify.engine` compiles
and validates these tables when the package is imported.
"""

from calcinosis_classify.knowledge.model import (
    SUBTYPES,
    Coexistence,
    NextStep,
    Override,
    RiskFactor,
    Rule,
    UrgencyTrigger,
)
from calcinosis_classify.knowledge.references import REFERENCES, REFERENCES_BY_NUMBER, Reference
from calcinosis_classify.knowledge.rules import (
    COEXISTENCE,
    NEXT_STEPS,
    OVERRIDES,
    PRIOR_REFS,
    PRIORS,
    RISK_FACTORS,
    RISK_SCHEME,
    RULES,
    URGENCY,
)
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "COEXISTENCE",
    "DEFAULT_THRESHOLDS",
    "NEXT_STEPS",
    "OVERRIDES",
    "PRIORS",
    "PRIOR_REFS",
    "REFERENCES",
    "REFERENCES_BY_NUMBER",
    "RISK_FACTORS",
    "RISK_SCHEME",
    "RULES",
    "SUBTYPES",
    "URGENCY",
    "Coexistence",
    "NextStep",
    "Override",
    "Reference",
    "RiskFactor",
    "Rule",
    "Thresholds",
    "UrgencyTrigger",
]
