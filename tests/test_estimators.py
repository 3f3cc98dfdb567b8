"""RulesClassifier: scikit-learn conventions, Pipeline, cross_val_score."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from calcinosis_classify import RulesClassifier, score

EXAMPLES = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "examples.csv", dtype=str,
                       keep_default_na=False)

_STRING_LABELS = ("predictions are subtype names and the checks compare them numerically "
                  "(or mix them with the integer labels of their toy data)")
_FIXED_CLASSES = "classes_ are the five subtypes by design: the rules learn nothing from y"
# The checks below cannot apply to a classifier whose classes are fixed clinical subtypes and whose
# inputs are matched by column name; every other applicable check must pass.
EXPECTED_FAILED = {
    "check_pipeline_consistency": _STRING_LABELS,
    "check_estimators_pickle": _STRING_LABELS,
    "check_classifier_data_not_an_array": _STRING_LABELS,
    "check_supervised_y_2d": _STRING_LABELS,
    "check_methods_sample_order_invariance": _STRING_LABELS,
    "check_methods_subset_invariance": _STRING_LABELS,
    "check_fit_idempotent": _STRING_LABELS,
    "check_fit_score_takes_y": _STRING_LABELS,
    "check_classifiers_train": "toy numeric blobs carry no clinical fields; accuracy cannot exceed chance",
    "check_classifiers_one_label": _FIXED_CLASSES,
    "check_classifiers_classes": _FIXED_CLASSES,
}


@parametrize_with_checks([RulesClassifier()], expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_checks(estimator, check) -> None:
    check(estimator)


def test_needs_no_fit_and_agrees_with_score() -> None:
    clf = RulesClassifier()
    assert clf.__sklearn_tags__().requires_fit is False
    pred = clf.predict(EXAMPLES)
    assert list(pred) == list(score(EXAMPLES)["subtype"])
    proba = clf.predict_proba(EXAMPLES)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba.shape == (len(EXAMPLES), len(clf.classes_))


def test_pipeline_and_cross_val_score() -> None:
    frame = pd.concat([EXAMPLES] * 3, ignore_index=True)
    y = frame["expected_subtype"].to_numpy()
    pipe = Pipeline([("keep", FunctionTransformer(lambda X: X.drop(columns=["expected_subtype"]))),
                     ("rules", RulesClassifier(thresholds={"caxp_metastatic": 70}))])
    scores = cross_val_score(pipe, frame, y, cv=3)
    assert scores.tolist() == [1.0, 1.0, 1.0]


def test_plain_scoring_does_not_import_sklearn() -> None:
    code = ("import sys, calcinosis_classify as c, pandas as pd; c.score(pd.DataFrame({'calcium': [9.5]})); "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
