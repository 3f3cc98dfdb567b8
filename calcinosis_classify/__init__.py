"""calcinosis_classify: explainable, rules-first classification of calcinosis cutis subtypes.

Decision support for research and teaching only - never a diagnosis.

>>> from calcinosis_classify import classify
>>> classify({"age_years": 25, "sex": "M", "lesion_site": "scrotum",
...           "calcium_status": "normal", "phosphate_status": "normal"}).subtype
'idiopathic'
"""

from calcinosis_classify._version import __version__
from calcinosis_classify.assessment import DISCLAIMER, OUTPUT_COLUMNS, Assessment, classify, score
from calcinosis_classify.errors import CalcinosisClassifyError
from calcinosis_classify.intake import read_cases
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS, Thresholds
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


_LAZY = {
    "HybridClassifier": "calcinosis_classify.model",
    "RulesClassifier": "calcinosis_classify.estimators",
    "load_model": "calcinosis_classify.persistence",
    "save_model": "calcinosis_classify.persistence",
}


def __getattr__(name: str) -> object:
    # scikit-learn (and skops) are imported only when an estimator or model file is asked for.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'calcinosis_classify' has no attribute {name!r}")
