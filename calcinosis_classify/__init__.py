"""calcinosis_classify: explainable, rules-first classification of calcinosis cutis subtypes.

Decision support for research and teaching only - never a diagnosis.

>>> from calcinosis_classify import classify
>>> classify({"age_years": 25, "sex": "M", "lesion_site": "scrotum",
...           "calcium_status": "normal", "phosphate_status": "normal"}).subtype
'idiopathic'
"""

from typing import TYPE_CHECKING

from calcinosis_classify._version import __version__
from calcinosis_classify.errors import CalcinosisClassifyError

if TYPE_CHECKING:
    from calcinosis_classify.assessment import DISCLAIMER, OUTPUT_COLUMNS, Assessment, classify, score
    from calcinosis_classify.estimators import RulesClassifier
    from calcinosis_classify.intake import read_cases
    from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS, Thresholds
    from calcinosis_classify.model import HybridClassifier
    from calcinosis_classify.persistence import load_model, save_model
    from calcinosis_classify.schema import FIELDS

__all__ = [
    "DEFAULT_THRESHOLDS",
    "DISCLAIMER",
    "FIELDS",
    "OUTPUT_COLUMNS",
    "Assessment",
    "CalcinosisClassifyError",
    "HybridClassifier",
    "RulesClassifier",
    "Thresholds",
    "__version__",
    "classify",
    "load_model",
    "read_cases",
    "save_model",
    "score",
]

# Imported on first use: the command line starts its worker processes before loading numpy and pandas,
# and scikit-learn (with skops) is loaded only when an estimator or a model file is asked for.
_LAZY = {
    "DEFAULT_THRESHOLDS": "calcinosis_classify.knowledge.thresholds",
    "DISCLAIMER": "calcinosis_classify.assessment",
    "FIELDS": "calcinosis_classify.schema",
    "OUTPUT_COLUMNS": "calcinosis_classify.assessment",
    "Assessment": "calcinosis_classify.assessment",
    "HybridClassifier": "calcinosis_classify.model",
    "RulesClassifier": "calcinosis_classify.estimators",
    "Thresholds": "calcinosis_classify.knowledge.thresholds",
    "classify": "calcinosis_classify.assessment",
    "load_model": "calcinosis_classify.persistence",
    "read_cases": "calcinosis_classify.intake",
    "save_model": "calcinosis_classify.persistence",
    "score": "calcinosis_classify.assessment",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'calcinosis_classify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
