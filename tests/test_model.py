"""Learned layer: features, calibrated model, the rules-first HybridClassifier, score(model=)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.utils.estimator_checks import parametrize_with_checks

import calcinosis_classify
from calcinosis_classify import engine, score
from calcinosis_classify.errors import ColumnClashError, InputError
from calcinosis_classify.intake import read_cases
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS
from calcinosis_classify.model import (
    CaseFeatures,
    HoldoutCalibratedClassifier,
    HybridClassifier,
    InformativeColumns,
    feature_names,
    make_model,
    train,
)
from calcinosis_classify.synthetic import generate_cohort

SUBTYPES = engine.SUBTYPES
GROUND_TRUTH = ["true_subtype", "presentation", "is_atypical", "generator_version", "seed"]


@pytest.fixture(scope="module")
def cohorts() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_cohort(3000, seed=11), generate_cohort(1200, seed=12, atypical_rate=0.15)


@pytest.fixture(scope="module")
def hybrid(cohorts) -> HybridClassifier:
    return train(cohorts[0], max_iter=40)


# --------------------------------------------------------------------------- scikit-learn conventions

_NO_FIELDS = "toy numeric blobs carry no clinical field, so no feature varies and accuracy cannot exceed chance"
_PIPELINE_IN_PLACE = "scikit-learn's Pipeline fits the estimators in `steps` in place (it never clones them)"
_PIPELINE_TAGS = ("scikit-learn's Pipeline does not forward its first step's input tags: cases are read by "
                  "name, text and unknown (NaN) values are accepted by design")
EXPECTED_FAILED = {
    "Pipeline": {
        "check_classifiers_train": _NO_FIELDS,
        "check_estimators_overwrite_params": _PIPELINE_IN_PLACE,
        "check_dont_overwrite_parameters": _PIPELINE_IN_PLACE,
        "check_dtype_object": _PIPELINE_TAGS,
        "check_estimators_nan_inf": _PIPELINE_TAGS,
    },
    "HybridClassifier": {"check_classifiers_train": _NO_FIELDS},
}


def _small_booster() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=5, random_state=0)


@parametrize_with_checks(
    [CaseFeatures(), InformativeColumns(), HoldoutCalibratedClassifier(_small_booster()), make_model(max_iter=5),
     HybridClassifier(make_model(max_iter=5))],
    expected_failed_checks=lambda est: EXPECTED_FAILED.get(type(est).__name__, {}),
)
def test_sklearn_checks(estimator, check) -> None:
    check(estimator)


def test_lazy_public_names() -> None:
    assert calcinosis_classify.HybridClassifier is HybridClassifier
    from calcinosis_classify.persistence import load_model, save_model

    assert calcinosis_classify.load_model is load_model
    assert calcinosis_classify.save_model is save_model
    code = "import sys, calcinosis_classify; print('sklearn' in sys.modules, 'skops' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- features


def test_feature_layout_is_named_and_complete(cohorts) -> None:
    names = feature_names()
    assert len(names) == len(set(names))
    prefixes = {n.split("__")[0] for n in names}
    assert prefixes == {"input", "finding", "rule", "points", "adjusted", "supported", "rules_top", "rules"}
    assert {f"rule__{r.rule.id}" for r in engine.KB.rules} <= set(names)
    X = CaseFeatures().fit(cohorts[1]).transform(cohorts[1])
    assert X.shape == (len(cohorts[1]), len(names))
    assert X.dtype == np.float64
    assert not np.isinf(X).any()


def test_ground_truth_columns_never_reach_the_features(cohorts) -> None:
    frame = cohorts[1]
    feats = CaseFeatures().fit(frame)
    shuffled = frame.copy()
    rng = np.random.default_rng(0)
    for col in GROUND_TRUTH:
        shuffled[col] = rng.permutation(shuffled[col].to_numpy())
    np.testing.assert_array_equal(feats.transform(frame), feats.transform(shuffled))
    np.testing.assert_array_equal(feats.transform(frame), feats.transform(frame.drop(columns=GROUND_TRUTH)))


def test_features_carry_the_engine_result(cohorts) -> None:
    frame = cohorts[1]
    X = CaseFeatures().fit(frame).transform(frame)
    names = list(feature_names())
    intake = read_cases(frame)
    res = engine.evaluate(intake.values, intake.n, DEFAULT_THRESHOLDS, with_missing=False)
    for j, s in enumerate(SUBTYPES):
        np.testing.assert_array_equal(X[:, names.index(f"points__{s}")], res.points[:, j])
    rule_cols = [names.index(f"rule__{r.rule.id}") for r in engine.KB.rules]
    expected = np.array([0.0, np.nan, 1.0])[res.rule_state]
    np.testing.assert_array_equal(X[:, rule_cols], expected)
    np.testing.assert_array_equal(X[:, names.index("rules__confidence")], res.confidence)
    calcium = X[:, names.index("input__calcium")]
    np.testing.assert_array_equal(np.isnan(calcium), np.isnan(intake.values["calcium"]))


def test_unknown_stays_missing() -> None:
    X = CaseFeatures().fit(pd.DataFrame({"calcium": [9.5]})).transform(pd.DataFrame({"age_years": [""]}))
    names = list(feature_names())
    for field in ("calcium", "dialysis", "sex", "phosphate_status"):
        assert np.isnan(X[0, names.index(f"input__{field}")])


def test_features_refuse_a_changed_knowledge_base(cohorts) -> None:
    feats = CaseFeatures().fit(cohorts[1])
    feats.knowledge_fingerprint_ = "0" * 64
    with pytest.raises(ValueError, match="retrain"):
        feats.transform(cohorts[1])


def test_informative_columns_drop_never_known_and_constant() -> None:
    X = np.array([[np.nan, 1.0, 0.0, np.nan], [np.nan, 1.0, 1.0, 2.0], [np.nan, 1.0, np.nan, 3.0]])
    sel = InformativeColumns().fit(X)
    assert sel.support_.tolist() == [False, False, True, True]
    assert sel.transform(X).shape == (3, 2)
    assert InformativeColumns().fit(X[:, :2]).transform(X[:, :2]).shape == (3, 1)


# --------------------------------------------------------------------------- model


def test_model_is_seeded_and_reproducible(cohorts) -> None:
    train_frame, test_frame = cohorts[0].iloc[:1500], cohorts[1]
    y = train_frame["true_subtype"]
    a = make_model(max_iter=15, random_state=3).fit(train_frame, y).predict_proba(test_frame)
    b = make_model(max_iter=15, random_state=3).fit(train_frame, y).predict_proba(test_frame)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


def test_model_calibration_is_held_out(cohorts) -> None:
    model = make_model(max_iter=10).fit(cohorts[0], cohorts[0]["true_subtype"])
    clf = model.named_steps["classifier"]
    assert clf.calibration_ == "held-out"
    assert list(clf.classes_) == sorted(SUBTYPES)
    tiny = cohorts[0].iloc[:12]
    small = make_model(max_iter=3).fit(tiny, tiny["true_subtype"]).named_steps["classifier"]
    assert small.calibration_ in ("held-out", "in-sample")


def test_model_learns_and_hybrid_beats_rules(hybrid, cohorts) -> None:
    test_frame = cohorts[1]
    y = test_frame["true_subtype"].to_numpy()
    out = hybrid.outputs(test_frame)
    rules = score(test_frame.drop(columns=GROUND_TRUTH))["subtype"].to_numpy()
    model = hybrid.classes_[out.model_index]
    mixed = hybrid.classes_[out.hybrid_index]
    assert np.mean(model == y) > 0.85
    macro = {name: f1_score(y, pred, labels=list(SUBTYPES), average="macro")
             for name, pred in (("rules", rules), ("hybrid", mixed))}
    assert macro["hybrid"] > macro["rules"]
    cp = y == "calciphylaxis"
    assert np.mean(mixed[cp] == y[cp]) >= np.mean(rules[cp] == y[cp])


# --------------------------------------------------------------------------- hybrid policy


def _rules(frame: pd.DataFrame) -> pd.DataFrame:
    return score(frame.drop(columns=[c for c in GROUND_TRUTH if c in frame.columns]))


@pytest.mark.parametrize("consult", ["indeterminate", "low", "moderate"])
def test_model_is_consulted_exactly_as_documented(hybrid, cohorts, consult) -> None:
    frame = cohorts[1]
    default = hybrid.consult
    hybrid.set_params(consult=consult)
    try:
        out = hybrid.assess(frame)
    finally:
        hybrid.set_params(consult=default)
    rules = _rules(frame)
    pd.testing.assert_series_equal(out["rules_subtype"], rules["subtype"], check_names=False)
    unsure = {"indeterminate": [], "low": ["low"], "moderate": ["low", "moderate"]}[consult]
    stands = ~rules["confidence"].isin(unsure) | (rules["subtype"] == "calciphylaxis")
    stands &= rules["subtype"] != "indeterminate"
    assert (out["decided_by"] == np.where(stands, "rules", "model")).all()
    assert (out.loc[stands, "subtype"] == rules.loc[stands, "subtype"]).all()
    assert (out.loc[~stands, "subtype"] == out.loc[~stands, "model_subtype"]).all()
    assert (out["agreement"] == (out["rules_subtype"] == out["model_subtype"])).all()
    assert stands.any() and (~stands).any()


class _Always(ClassifierMixin, BaseEstimator):
    """A model that always names one class with certainty (the worst case for the rules-first guarantees)."""

    def __init__(self, answer: str = "dystrophic"):
        self.answer = answer

    def fit(self, X, y):
        self.classes_ = np.unique(np.asarray(y))
        return self

    def predict_proba(self, X):
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, list(self.classes_).index(self.answer)] = 1.0
        return proba


def _assert_urgency_never_lowered(out: pd.DataFrame, rules: pd.DataFrame) -> None:
    level = {u: i for i, u in enumerate(engine.URGENCY_LEVELS)}
    assert (out["urgency"].map(level) >= rules["urgency"].map(level)).all()


def _hybrid_against_rules(frame: pd.DataFrame, label: str) -> tuple[HybridClassifier, pd.DataFrame, pd.DataFrame]:
    """A hybrid whose model always says ``label``, its assessment of ``frame`` and the rules' scores, with the
    urgency never below the rules' (checked here for every such hybrid)."""
    hybrid = HybridClassifier(_Always(label)).fit(frame, frame["true_subtype"])
    out, rules = hybrid.assess(frame), _rules(frame)
    _assert_urgency_never_lowered(out, rules)
    return hybrid, out, rules


def test_rules_emergency_and_calciphylaxis_are_never_downgraded(cohorts) -> None:
    frame = cohorts[1]
    contrary, out, rules = _hybrid_against_rules(frame, "idiopathic")
    emergency = rules["urgency"] == "emergency"
    assert emergency.any()
    assert (out.loc[emergency, "urgency"] == "emergency").all()
    cp = rules["subtype"] == "calciphylaxis"
    assert cp.any() and (out.loc[cp, "subtype"] == "calciphylaxis").all()
    assert (out.loc[cp, "model_subtype"] == "idiopathic").all()
    # The one-case examples: dialysis with necrotic, painful ulcers stays an emergency.
    case = pd.DataFrame([{"age_years": 60, "dialysis": "yes", "ckd": "yes", "lesion_site": "thigh",
                          "painful": "yes", "ulceration": "yes", "necrosis": "yes"}])
    assert _rules(case)["urgency"].iloc[0] == "emergency"
    assert contrary.assess(case)["urgency"].iloc[0] == "emergency"


def test_model_calciphylaxis_call_can_raise_urgency(cohorts) -> None:
    frame = cohorts[1]
    _, out, rules = _hybrid_against_rules(frame, "calciphylaxis")
    assert (out["rules_urgency"] == rules["urgency"]).all()


def test_predict_proba_agrees_with_predict(hybrid, cohorts) -> None:
    frame = cohorts[1]
    proba = hybrid.predict_proba(frame)
    pred = hybrid.predict(frame)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert (hybrid.classes_[np.argmax(proba, axis=1)] == pred).all()
    assert set(pred) <= set(SUBTYPES)
    assert hybrid.rules_precision_.shape == (len(SUBTYPES), len(engine.CONFIDENCE))


def test_provenance_is_recorded(hybrid) -> None:
    prov = hybrid.training_provenance_
    assert prov["n"] == 3000 and prov["seed"] == 11 and prov["generator_version"]
    assert prov["truth"] == "true_subtype" and prov["n_skipped"] == 0


def test_train_rejects_bad_truth(cohorts) -> None:
    frame = cohorts[0].iloc[:50]
    with pytest.raises(InputError, match="did you mean 'true_subtype'"):
        train(frame, truth="true_subtyp")
    bad = frame.assign(true_subtype="gout")
    with pytest.raises(InputError, match="not subtypes: 'gout'"):
        train(bad)
    with pytest.raises(InputError, match="no labelled row"):
        train(frame.assign(true_subtype=""))


def test_train_skips_unlabelled_rows(cohorts) -> None:
    frame = cohorts[0].iloc[:400].copy()
    frame["true_subtype"] = frame["true_subtype"].astype(object)
    frame.loc[frame.index[:7], "true_subtype"] = None
    frame.loc[frame.index[7], "true_subtype"] = " Dystrophic "
    model = train(frame, max_iter=5)
    assert model.training_provenance_["n"] == 393
    assert model.training_provenance_["n_skipped"] == 7


# --------------------------------------------------------------------------- score(model=)


def test_score_with_model_appends_columns_and_keeps_the_rules(hybrid, cohorts) -> None:
    frame = cohorts[1].drop(columns=GROUND_TRUTH).iloc[:200]
    plain = score(frame)
    with_model = score(frame, model=hybrid)
    pd.testing.assert_frame_equal(with_model[plain.columns], plain)
    extra = [c for c in with_model.columns if c not in plain.columns]
    assert extra == ["model_subtype", *(f"model_proba_{s}" for s in SUBTYPES), "agreement", "hybrid_subtype",
                     "decided_by", "hybrid_urgency"]
    assessed = hybrid.assess(frame)
    assert (with_model["hybrid_subtype"] == assessed["subtype"]).all()
    assert (with_model["agreement"] == (with_model["subtype"] == with_model["model_subtype"])).all()
    np.testing.assert_allclose(with_model[[f"model_proba_{s}" for s in SUBTYPES]].sum(axis=1), 1.0, atol=1e-3)


def test_score_with_a_plain_pipeline(cohorts) -> None:
    train_frame = cohorts[0].iloc[:1000]
    pipe = make_model(max_iter=10).fit(train_frame, train_frame["true_subtype"])
    frame = cohorts[1].drop(columns=GROUND_TRUTH).iloc[:100]
    out = score(frame, model=pipe)
    assert (out["model_subtype"] == pipe.predict(frame)).all()
    assert "hybrid_subtype" not in out.columns


def test_score_with_model_refuses_column_clash(hybrid, cohorts) -> None:
    frame = cohorts[1].drop(columns=GROUND_TRUTH).iloc[:5].assign(model_subtype="x")
    with pytest.raises(ColumnClashError):
        score(frame, model=hybrid)
    out = score(frame, model=hybrid, prefix="cc_")
    assert "cc_model_subtype" in out.columns and (out["model_subtype"] == "x").all()


def test_score_with_different_thresholds_recomputes_for_the_model(hybrid, cohorts) -> None:
    frame = cohorts[1].drop(columns=GROUND_TRUTH).iloc[:100]
    shifted = score(frame, model=hybrid, thresholds={"caxp_metastatic": 55})
    assert (shifted["hybrid_subtype"] == hybrid.predict(frame)).all()


def test_calibration_falls_back_to_platt_when_temperature_fails(monkeypatch) -> None:
    """Temperature scaling's optimiser failed now and then on the constant scores of tiny toy data."""
    from sklearn.calibration import CalibratedClassifierCV

    original = CalibratedClassifierCV.fit

    def flaky(self, X, y, **kw):
        if self.method == "temperature":
            raise RuntimeError("Temperature scaling fails to optimize during calibration.")
        return original(self, X, y, **kw)

    monkeypatch.setattr(CalibratedClassifierCV, "fit", flaky)
    rng = np.random.default_rng(0)
    X, y = rng.random((60, 3)), np.repeat([0, 1, 2], 20)
    clf = HoldoutCalibratedClassifier(_small_booster()).fit(X, y)
    assert clf.calibration_method_ == "sigmoid"
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    monkeypatch.undo()
    assert HoldoutCalibratedClassifier(_small_booster()).fit(X, y).calibration_method_ == "temperature"
