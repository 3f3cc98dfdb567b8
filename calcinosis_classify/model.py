"""Learned layer: case features, a calibrated boosting model and the rules-first :class:`HybridClassifier`.

Imported lazily (``from calcinosis_classify import HybridClassifier``) so that
scoring without a model never imports scikit-learn.

The pieces:

* :class:`CaseFeatures` - a transformer turning cases in the input contract
  into one numeric matrix: the canonical inputs, the derived findings, and
  the rule engine's per-rule states, per-subtype points and its own verdict
  (top subtype, confidence, calciphylaxis risk, urgency).
* :class:`HoldoutCalibratedClassifier` - fits a classifier on part of the data
  and calibrates its frozen probabilities (``CalibratedClassifierCV`` around a
  ``FrozenEstimator``) on the held-out rest.
* :func:`make_model` - ``Pipeline(CaseFeatures, HoldoutCalibratedClassifier(
  HistGradientBoostingClassifier))``, seeded.
* :class:`HybridClassifier` - the rules first, the model where the rules are
  unsure; reports both.
* :func:`train` - fit a hybrid on a labelled cohort, recording provenance.

Everything here is decision support for research and teaching, trained on
synthetic cases: it never diagnoses.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils import check_consistent_length
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from calcinosis_classify import engine
from calcinosis_classify import knowledge as kb
from calcinosis_classify._hybrid_policy import CONSULT_LEVELS, DEFAULT_CONSULT
from calcinosis_classify.assessment import INDETERMINATE
from calcinosis_classify.errors import InputError
from calcinosis_classify.estimators import (
    CaseInputTags,
)
from calcinosis_classify.estimators import (
    as_frame as _as_frame,
)
from calcinosis_classify.estimators import (
    check_n_features as _check_n_features,
)
from calcinosis_classify.estimators import (
    check_units as _check_units,
)
from calcinosis_classify.estimators import (
    validate_fit_input as _validate_fit_input,
)
from calcinosis_classify.findings import FINDINGS
from calcinosis_classify.intake import Intake, read_cases
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.ranking import urgency_levels
from calcinosis_classify.schema import FIELDS

__all__ = [
    "CONSULT_LEVELS",
    "CaseFeatures",
    "HoldoutCalibratedClassifier",
    "HybridClassifier",
    "InformativeColumns",
    "feature_names",
    "knowledge_fingerprint",
    "make_model",
    "model_columns",
    "model_outputs",
    "train",
]

SUBTYPES: tuple[str, ...] = engine.SUBTYPES
#: Columns the synthetic generator writes beside the cases; recorded as provenance, never used as features.
PROVENANCE_COLUMNS: tuple[str, ...] = ("generator_version", "seed")
_CALCIPHYLAXIS = engine.SUB_INDEX[kb.CANT_MISS.subtype]
# Tri-state uint8 (0 false, 1 unknown, 2 true) -> 0.0 / NaN / 1.0: the model sees "unknown" as missing.
_TRI_TO_FLOAT = np.array([0.0, np.nan, 1.0])
# Prior weight (in cases) pulling a rules-precision estimate towards the overall rules precision.
_PRECISION_PRIOR_CASES = 20.0


# --------------------------------------------------------------------------- feature layout


def _is_flag_copy(name: str) -> bool:
    """``has_<flag>`` findings that only recode one input flag (the input is already a feature)."""
    node = FINDINGS[name]
    return len(node.inputs) == 1 and name == f"has_{node.inputs[0]}"


@dataclass(frozen=True)
class _Layout:
    input_fields: tuple[str, ...]
    tri_findings: tuple[str, ...]
    num_findings: tuple[str, ...]
    rule_ids: tuple[str, ...]
    names: tuple[str, ...]


@cache
def _layout() -> _Layout:
    inputs = tuple(f.name for f in FIELDS if f.kind not in ("identifier", "text"))
    tri = tuple(n for n, f in FINDINGS.items() if f.kind == "tri" and not _is_flag_copy(n))
    num = tuple(n for n, f in FINDINGS.items() if f.kind == "num")
    rules = tuple(r.rule.id for r in engine.KB.rules)
    names = (
        *(f"input__{n}" for n in inputs),
        *(f"finding__{n}" for n in (*tri, *num)),
        *(f"rule__{r}" for r in rules),
        *(f"points__{s}" for s in SUBTYPES),
        *(f"adjusted__{s}" for s in SUBTYPES),
        *(f"supported__{s}" for s in SUBTYPES),
        *(f"rules_top__{s}" for s in (*SUBTYPES, INDETERMINATE)),
        "rules__confidence", "rules__calciphylaxis_risk", "rules__urgency",
    )
    return _Layout(inputs, tri, num, rules, names)


def feature_names() -> tuple[str, ...]:
    """Names of the features :class:`CaseFeatures` builds with this version of the knowledge base.

    Prefixes say where each comes from: ``input__`` (canonical input),
    ``finding__`` (derived finding), ``rule__`` (a rule's state: 1 fired, 0
    did not, missing when unknown), ``points__`` / ``adjusted__`` /
    ``supported__`` (per subtype, before and after priors and overrides),
    ``rules_top__`` (one-hot of the rules' answer) and ``rules__`` (the
    rules' confidence, calciphylaxis risk and urgency as 0/1/2).
    """
    return _layout().names


@cache
def knowledge_fingerprint() -> str:
    """SHA-256 of everything the features depend on: the feature layout and the knowledge base.

    A model is only valid with the rules it was trained against; saved models
    carry this and are refused when it differs.
    """
    content = {
        "features": list(feature_names()),
        "rules": [asdict(r) for r in kb.RULES],
        "overrides": [asdict(o) for o in kb.OVERRIDES],
        "coexistence": [asdict(c) for c in kb.COEXISTENCE],
        "risk": [asdict(r) for r in kb.RISK_FACTORS],
        "risk_scheme": asdict(kb.RISK_SCHEME),
        "composites": [asdict(c) for c in kb.COMPOSITES],
        "policy": [list(kb.TIE_ORDER), asdict(kb.CANT_MISS), asdict(kb.CONFIDENCE), [asdict(p) for p in kb.PROBES]],
        "urgency": [asdict(u) for u in kb.URGENCY],
        "priors": dict(kb.PRIORS),
        "findings": [[n, list(f.inputs), f.kind] for n, f in FINDINGS.items()],
    }
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _engine_features(values: Mapping[str, np.ndarray], res: engine.EngineResult) -> np.ndarray:
    """The feature matrix (n, len(feature_names())) from canonical inputs and an engine result."""
    lay = _layout()
    n = res.n
    env = res.env
    blocks: list[np.ndarray] = []
    inputs = np.empty((n, len(lay.input_fields)))
    for j, name in enumerate(lay.input_fields):
        v = values[name]
        # Flags and sex are int8 with -1 for unknown; numbers and statuses are already float with NaN.
        inputs[:, j] = v if v.dtype.kind == "f" else np.where(v < 0, np.nan, v)
    blocks.append(inputs)
    tri = np.empty((n, len(lay.tri_findings)), dtype=np.uint8)
    for j, name in enumerate(lay.tri_findings):
        tri[:, j] = env[name]
    blocks.append(_TRI_TO_FLOAT[tri])
    num = np.empty((n, len(lay.num_findings)))
    for j, name in enumerate(lay.num_findings):
        num[:, j] = env[name]
    blocks.append(num)
    blocks.append(_TRI_TO_FLOAT[res.rule_state])
    blocks.append(res.points)
    # Unsupported subtypes sit about -100 below the rest: clip so the value says "unsupported", not how far.
    blocks.append(np.maximum(res.adjusted, -10.0))
    blocks.append(res.supported.astype(np.float64))
    top = np.zeros((n, len(SUBTYPES) + 1))
    top[np.arange(n), np.where(res.top >= 0, res.top, len(SUBTYPES))] = 1.0
    blocks.append(top)
    blocks.append(np.stack([res.confidence, res.risk, res.urgency], axis=1).astype(np.float64))
    out = np.hstack(blocks) if n else np.empty((0, len(lay.names)))
    if out.shape[1] != len(lay.names):  # the layout and the blocks are built from the same tables
        raise RuntimeError(f"feature matrix has {out.shape[1]} columns, the layout {len(lay.names)}")
    return out


# --------------------------------------------------------------------------- transformer


class CaseFeatures(CaseInputTags, TransformerMixin, BaseEstimator):
    """Cases in the input contract -> one numeric feature matrix for a model.

    Columns are matched by name (README, "Input contract") through
    :func:`~calcinosis_classify.intake.read_cases`, so ground-truth and other
    unknown columns (``true_subtype``, ``presentation``, ``seed`` ...) never
    become features. Unknown values stay missing (NaN): use a model that
    handles missing values natively.

    Parameters
    ----------
    units : {"conventional", "si"}
        Default unit system of numeric inputs.
    thresholds : Thresholds or dict, optional
        Threshold overrides used by the findings and rules.
    strict_units : bool
        Treat values impossible in their declared unit as unknown.

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        See :func:`feature_names`.
    knowledge_fingerprint_ : str
        :func:`knowledge_fingerprint` at fit time; ``transform`` refuses to
        run against a different knowledge base.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Input column names, when they are all strings.
    """

    def __init__(self, units: str = "conventional", thresholds: Thresholds | dict[str, float] | None = None,
                 strict_units: bool = False):
        self.units = units
        self.thresholds = thresholds
        self.strict_units = strict_units

    def fit(self, X: Any, y: Any = None) -> CaseFeatures:
        """Validate parameters and input; the feature layout is fixed by the knowledge base."""
        _check_units(self.units)
        Thresholds.coerce(self.thresholds)
        _validate_fit_input(self, X, None)
        self.feature_names_out_ = np.asarray(feature_names(), dtype=object)
        self.knowledge_fingerprint_ = knowledge_fingerprint()
        return self

    def _check_knowledge(self) -> None:
        check_is_fitted(self, "feature_names_out_")
        if self.knowledge_fingerprint_ != knowledge_fingerprint():
            raise ValueError("the knowledge base or feature layout changed since this model was fitted; its "
                             "features no longer mean what it learned: retrain it")

    def _intake_and_rules(self, X: Any) -> tuple[Intake, engine.EngineResult]:
        frame = _as_frame(X)
        _check_n_features(self, X, frame)
        intake = read_cases(frame, units=self.units, strict_units=self.strict_units)  # type: ignore[arg-type]
        res = engine.evaluate(intake.values, intake.n, Thresholds.coerce(self.thresholds), with_missing=False)
        return intake, res

    def transform(self, X: Any) -> np.ndarray:
        """Feature matrix of shape (n_cases, len(feature_names_out_)), NaN where unknown."""
        self._check_knowledge()
        intake, res = self._intake_and_rules(X)
        return _engine_features(intake.values, res)

    def transform_engine(self, values: Mapping[str, np.ndarray], res: engine.EngineResult) -> np.ndarray:
        """Features from an intake and engine result already computed with this transformer's settings."""
        self._check_knowledge()
        return _engine_features(values, res)

    def same_settings(self, units: str, thresholds: Thresholds | dict[str, float] | None,
                      strict_units: bool) -> bool:
        """True if intake and engine results made with these settings can be reused."""
        return (self.units == units and self.strict_units == strict_units
                and Thresholds.coerce(self.thresholds) == Thresholds.coerce(thresholds))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output features (see :func:`feature_names`)."""
        check_is_fitted(self, "feature_names_out_")
        return np.asarray(self.feature_names_out_, dtype=object)


class InformativeColumns(TransformerMixin, BaseEstimator):
    """Keep the columns that took at least two different known values during ``fit``.

    Columns never known (all NaN) or constant in the training data cannot
    inform a split; dropping them speeds up boosting and avoids a
    scikit-learn 1.9 failure on all-missing columns in
    ``HistGradientBoostingClassifier``. When no column qualifies a single
    column of zeros is passed on, so a model can still be fitted (it will
    predict the class prior).

    Attributes
    ----------
    support_ : ndarray of bool
        Kept input columns.
    n_features_in_ : int
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any = None) -> InformativeColumns:
        """Find the informative columns of ``X``."""
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        known = ~np.isnan(X)
        high = np.where(known, X, -np.inf).max(axis=0, initial=-np.inf)
        low = np.where(known, X, np.inf).min(axis=0, initial=np.inf)
        self.support_ = known.any(axis=0) & (high > low)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """``X`` restricted to the informative columns."""
        check_is_fitted(self, "support_")
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        if not self.support_.any():
            return np.zeros((X.shape[0], 1))
        return np.asarray(X[:, self.support_])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the kept columns (``"constant"`` when none is kept)."""
        check_is_fitted(self, "support_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray(names[self.support_] if self.support_.any() else ["constant"], dtype=object)


# --------------------------------------------------------------------------- calibrated classifier


class HoldoutCalibratedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit a classifier on part of the data, calibrate its frozen probabilities on the rest.

    ``fit`` splits the data (stratified, seeded), fits a clone of
    ``estimator`` on the larger part, wraps it in
    :class:`~sklearn.frozen.FrozenEstimator` and fits
    :class:`~sklearn.calibration.CalibratedClassifierCV` on the held-out
    part. One model is trained (not one per fold), which keeps training on
    tens of thousands of cases fast.

    Parameters
    ----------
    estimator : classifier
        Must implement ``predict_proba``.
    method : {"temperature", "sigmoid", "isotonic"}
        Calibration method. Temperature scaling (one parameter for all
        classes) never changes which class ranks first.
    calibration_fraction : float in (0, 1)
        Share of the cases held out for calibration.
    random_state : int or None
        Seed of the split.

    Attributes
    ----------
    estimator_ : classifier
        The fitted (then frozen) classifier.
    calibrated_ : CalibratedClassifierCV
    classes_ : ndarray
    calibration_ : {"held-out", "in-sample"}
        ``"in-sample"`` when the data is too small to hold out a calibration
        set with every class (fewer than 2 cases of a class); the
        probabilities are then calibrated on the training cases themselves.
    calibration_method_ : str
        The method used: ``method``, or ``"sigmoid"`` where temperature
        scaling failed to converge (degenerate scores on tiny data).
    n_features_in_ : int
    """

    def __init__(self, estimator: Any = None, method: str = "temperature", calibration_fraction: float = 0.2,
                 random_state: int | None = 0):
        self.estimator = estimator
        self.method = method
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any) -> HoldoutCalibratedClassifier:
        """Fit on a split of ``X, y`` and calibrate on the held-out part."""
        if self.method not in ("temperature", "sigmoid", "isotonic"):
            raise ValueError(f"method must be 'temperature', 'sigmoid' or 'isotonic', got {self.method!r}")
        if not 0.0 < float(self.calibration_fraction) < 1.0:
            raise ValueError(f"calibration_fraction must be in (0, 1), got {self.calibration_fraction!r}")
        if y is None:
            raise ValueError("requires y to be passed, but the target y is None")
        base = self.estimator if self.estimator is not None else HistGradientBoostingClassifier()
        y_arr = np.asarray(y)
        if y_arr.ndim == 2 and y_arr.shape[1] == 1:
            from sklearn.exceptions import DataConversionWarning

            warnings.warn("A column-vector y was passed when a 1d array was expected; it is ravelled.",
                          DataConversionWarning, stacklevel=2)
            y_arr = y_arr.ravel()
        check_classification_targets(y_arr)
        check_consistent_length(X, y_arr)
        labels, counts = np.unique(y_arr, return_counts=True)
        n = len(y_arr)
        n_cal = int(np.ceil(n * float(self.calibration_fraction)))
        can_hold_out = counts.min() >= 2 and n_cal >= len(labels) and n - n_cal >= len(labels)
        if can_hold_out:
            X_fit, X_cal, y_fit, y_cal = train_test_split(X, y_arr, test_size=n_cal, stratify=y_arr,
                                                          random_state=self.random_state)
            self.calibration_ = "held-out"
        else:
            X_fit, X_cal, y_fit, y_cal = X, X, y_arr, y_arr
            self.calibration_ = "in-sample"
        self.estimator_ = clone(base).fit(X_fit, y_fit)
        if len(self.estimator_.classes_) < 2:
            raise ValueError(f"Only one class is present in y ({labels[0]!r}): at least 2 classes are needed "
                             f"to learn anything.")
        # The frozen model never refits: one "split" whose test part is every calibration case routes them
        # all through it once, whatever the class counts (k-fold would demand k cases per class).
        n_cal_cases = len(y_cal)
        self.calibration_method_ = self.method
        try:
            self.calibrated_ = self._calibrate(self.method, X_cal, y_cal, n_cal_cases)
        except RuntimeError:
            # Temperature scaling's optimiser can fail on degenerate (e.g. constant) scores from tiny
            # data sets; Platt scaling is always defined there.
            if self.method != "temperature":
                raise
            self.calibration_method_ = "sigmoid"
            self.calibrated_ = self._calibrate("sigmoid", X_cal, y_cal, n_cal_cases)
        self.classes_ = self.calibrated_.classes_
        self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def _calibrate(self, method: str, X: Any, y: np.ndarray, n: int) -> CalibratedClassifierCV:
        return CalibratedClassifierCV(FrozenEstimator(self.estimator_), method=method,
                                      cv=[(np.arange(n), np.arange(n))]).fit(X, y)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self, "calibrated_")
        return np.asarray(self.calibrated_.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class."""
        check_is_fitted(self, "calibrated_")
        return np.asarray(self.classes_)[np.argmax(self.predict_proba(X), axis=1)]


def make_model(*, units: str = "conventional", thresholds: Thresholds | dict[str, float] | None = None,
               strict_units: bool = False, random_state: int | None = 0, max_iter: int = 300,
               learning_rate: float = 0.1, max_leaf_nodes: int = 15, max_bins: int = 63, calibration: str = "temperature",
               calibration_fraction: float = 0.2) -> Pipeline:
    """The learned model: one ``Pipeline`` from raw cases to calibrated probabilities.

    ``CaseFeatures`` -> :class:`HoldoutCalibratedClassifier` around a
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier`, which handles
    the many unknown values natively (no imputation) and stops early on an
    internal validation split. Seeded by ``random_state`` throughout: the
    same data and seed give the same model.

    Parameters
    ----------
    units, thresholds, strict_units
        Passed to :class:`CaseFeatures`.
    random_state : int or None
        Seed of the calibration split and of the booster's validation split.
    max_iter, learning_rate, max_leaf_nodes, max_bins
        Booster settings (``max_iter`` is an upper bound: early stopping ends
        training on more than 10,000 cases when 10 rounds bring no
        improvement on a validation split; smaller sets run all rounds). Small trees and 63
        bins keep training on 50,000 cases to seconds with no loss of
        accuracy on held-out synthetic cohorts.
    calibration : {"temperature", "sigmoid", "isotonic"}
        Calibration method.
    calibration_fraction : float
        Share of the training cases held out for calibration.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted; steps ``features`` and ``classifier``.
    """
    booster = HistGradientBoostingClassifier(
        max_iter=max_iter, learning_rate=learning_rate, max_leaf_nodes=max_leaf_nodes, max_bins=max_bins, early_stopping="auto",
        validation_fraction=0.1, n_iter_no_change=10, random_state=random_state)
    return Pipeline([
        ("features", CaseFeatures(units=units, thresholds=thresholds, strict_units=strict_units)),
        ("informative", InformativeColumns()),
        ("classifier", HoldoutCalibratedClassifier(booster, method=calibration,
                                                   calibration_fraction=calibration_fraction,
                                                   random_state=random_state)),
    ])


# --------------------------------------------------------------------------- hybrid


@dataclass
class HybridOutputs:
    """Everything the hybrid computes for a batch (arrays with one entry per case).

    Attributes
    ----------
    res : EngineResult
        The rules' result.
    classes : ndarray
        The model's classes (columns of the probability arrays).
    model_proba : ndarray (n, k)
        Calibrated model probabilities.
    model_index : ndarray (n,)
        Index into ``classes`` of the model's answer.
    rules_index : ndarray (n,)
        Index into ``classes`` of the rules' answer, -1 when the rules are
        indeterminate or their subtype is not a class of the model.
    rules_stand : ndarray of bool (n,)
        The rules' answer is kept.
    hybrid_index : ndarray (n,)
        Index into ``classes`` of the hybrid answer.
    hybrid_proba : ndarray (n, k)
    urgency : ndarray (n,)
        Index into ``URGENCY_LEVELS``: the rules' urgency, raised (never
        lowered) where the hybrid answer triggers an urgency rule.
    """

    res: engine.EngineResult
    classes: np.ndarray
    model_proba: np.ndarray
    model_index: np.ndarray
    rules_index: np.ndarray
    rules_stand: np.ndarray
    hybrid_index: np.ndarray
    hybrid_proba: np.ndarray
    urgency: np.ndarray

    @property
    def agreement(self) -> np.ndarray:
        """Rules and model name the same subtype (False where the rules are indeterminate)."""
        return self.rules_index == self.model_index


def _urgency_for_top(env: Mapping[str, np.ndarray], top: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """The knowledge base's urgency triggers evaluated as if ``top`` were the leading subtype."""
    return urgency_levels(dict(env), top, risk, len(top))[0]


def _model_probabilities(model: Any, frame: pd.DataFrame, intake: Intake, res: engine.EngineResult, *,
                         units: str, thresholds: Any, strict_units: bool) -> np.ndarray:
    """``model.predict_proba`` of a batch, reusing the intake and rules already computed when the model's
    first step is :class:`CaseFeatures` with the same settings."""
    if res.n == 0:  # scikit-learn refuses empty input; an empty batch has empty answers
        return np.zeros((0, len(model.classes_)))
    first = model.steps[0][1] if isinstance(model, Pipeline) else None
    if isinstance(first, CaseFeatures) and first.same_settings(units, thresholds, strict_units):
        return np.asarray(model[1:].predict_proba(first.transform_engine(intake.values, res)))
    return np.asarray(model.predict_proba(frame))


class HybridClassifier(CaseInputTags, ClassifierMixin, BaseEstimator):
    """Rules first, a calibrated model where the rules are unsure; both are always reported.

    When the model is consulted, exactly: for each case the rule engine runs
    first (subtype, confidence low / moderate / high, urgency).

    * The rules' subtype **stands** when their confidence is above
      ``consult`` (with the default ``consult="indeterminate"``: whenever
      the rules name a subtype), and always when the rules rank
      **calciphylaxis** first,
      whatever their confidence: the model never overrides a rules
      calciphylaxis call.
    * Otherwise - confidence at or below ``consult``, or the rules
      ``indeterminate`` - the **model decides**: the hybrid answer is the
      model's most probable subtype. (With ``consult="low"`` moderate-
      confidence rules answers stand too.)
    * A rules subtype that is not among the classes seen in ``y`` cannot
      stand (the model decides), so the hybrid answers in ``classes_`` only.
    * Urgency is the rules' urgency, raised where the hybrid answer itself
      triggers an urgency rule of the knowledge base (e.g. the model puts
      calciphylaxis first with a compatible lesion); it is never lowered, so a
      rules ``emergency`` stays an emergency.

    ``predict_proba``: where the model decides, its calibrated probabilities;
    where the rules stand, the rules' subtype gets the precision the rules
    showed at that subtype and confidence on the training cases (the rules
    do not learn, so this estimate is not optimistic), at least 0.5 so it
    stays first, and the rest is shared in proportion to the model's
    probabilities.

    Parameters
    ----------
    model : estimator, optional
        Unfitted classifier on raw case frames; default :func:`make_model`
        with this estimator's ``units``, ``thresholds``, ``strict_units`` and
        ``random_state``.
    consult : {"indeterminate", "low", "moderate"}
        Highest rules confidence at which the model decides (``"indeterminate"``: only where the rules
        name no subtype).
    units, thresholds, strict_units
        Settings of the rules (and of the default model's features).
    random_state : int or None
        Seed of the default model.

    Attributes
    ----------
    model_ : estimator
        The fitted model.
    classes_ : ndarray
        Classes seen in ``y`` (subtype names for real use).
    rules_precision_ : ndarray (5, 3)
        Smoothed share of training cases where the rules' subtype (row, in
        ``SUBTYPES`` order) at a confidence (column: low, moderate, high) was
        the label.
    training_provenance_ : dict
        ``n`` and, for synthetic cohorts, ``generator_version`` and ``seed``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    Why ``consult="indeterminate"`` by default: on the published-case set
    (``fixtures/published_cases.csv``, ``tests/benchmarks/bench_published.py``)
    letting the model decide only where the rules name no subtype gives the
    best top-1 accuracy of the three policies and keeps every other figure at
    least at the rules' (a model trained on synthetic data is less reliable
    on real, sparse cases than on its own cohorts, where ``"moderate"`` scores
    higher). Calciphylaxis sensitivity is at least the rules' by
    construction, since a rules calciphylaxis call always stands.

    Decision support for research and teaching: trained on synthetic cases,
    this is not a diagnosis and not clinically validated.
    """

    def __init__(self, model: Any = None, *, consult: str = DEFAULT_CONSULT, units: str = "conventional",
                 thresholds: Thresholds | dict[str, float] | None = None, strict_units: bool = False,
                 random_state: int | None = 0):
        self.model = model
        self.consult = consult
        self.units = units
        self.thresholds = thresholds
        self.strict_units = strict_units
        self.random_state = random_state

    # -- fitting

    def fit(self, X: Any, y: Any) -> HybridClassifier:
        """Fit the model on labelled cases and measure the rules' precision on them."""
        if self.consult not in CONSULT_LEVELS:
            raise ValueError(f"consult must be one of {', '.join(map(repr, CONSULT_LEVELS))}, got {self.consult!r}")
        _check_units(self.units)
        th = Thresholds.coerce(self.thresholds)
        if y is None:
            raise ValueError("requires y to be passed, but the target y is None")
        frame, y_arr = _validate_fit_input(self, X, y)
        assert y_arr is not None
        model = clone(self.model) if self.model is not None else make_model(
            units=self.units, thresholds=self.thresholds, strict_units=self.strict_units,
            random_state=self.random_state)
        self.model_ = model.fit(frame, y_arr)
        self.classes_ = np.asarray(self.model_.classes_)
        intake = read_cases(frame, units=self.units, strict_units=self.strict_units)  # type: ignore[arg-type]
        res = engine.evaluate(intake.values, intake.n, th, with_missing=False)
        self.rules_precision_ = self._rules_precision(res, y_arr)
        self.training_provenance_ = _provenance(frame)
        return self

    @staticmethod
    def _rules_precision(res: engine.EngineResult, y: np.ndarray) -> np.ndarray:
        names = np.array(SUBTYPES, dtype=object)
        answered = res.top >= 0
        hit = answered & (names[np.maximum(res.top, 0)] == y.astype(object))
        key = np.maximum(res.top, 0) * len(engine.CONFIDENCE) + res.confidence
        size = len(SUBTYPES) * len(engine.CONFIDENCE)
        count = np.bincount(key[answered], minlength=size).astype(np.float64)
        hits = np.bincount(key[answered], weights=hit[answered], minlength=size)
        overall = hits.sum() / count.sum() if count.sum() else 0.5
        k = _PRECISION_PRIOR_CASES
        return ((hits + k * overall) / (count + k)).reshape(len(SUBTYPES), len(engine.CONFIDENCE))

    # -- prediction

    def _model_proba(self, frame: pd.DataFrame, intake: Intake, res: engine.EngineResult) -> np.ndarray:
        return _model_probabilities(self.model_, frame, intake, res, units=self.units,
                                    thresholds=self.thresholds, strict_units=self.strict_units)

    def outputs(self, X: Any, intake: Intake | None = None, res: engine.EngineResult | None = None
                ) -> HybridOutputs:
        """Rules, model and hybrid answers for a batch (see :class:`HybridOutputs`).

        ``intake`` and ``res`` may be passed when already computed with this
        estimator's ``units``, ``thresholds`` and ``strict_units``.
        """
        check_is_fitted(self, "model_")
        frame = _as_frame(X)
        _check_n_features(self, X, frame)
        if intake is None or res is None:
            intake = read_cases(frame, units=self.units, strict_units=self.strict_units)  # type: ignore[arg-type]
            res = engine.evaluate(intake.values, intake.n, Thresholds.coerce(self.thresholds), with_missing=False)
        proba = self._model_proba(frame, intake, res)
        classes = self.classes_
        n = res.n
        model_index = np.argmax(proba, axis=1) if n else np.zeros(0, dtype=np.int64)
        rules_index = _class_lookup(classes)[np.where(res.top >= 0, res.top, len(SUBTYPES))]
        level = CONSULT_LEVELS.index(self.consult) - 1  # confidence codes: 0 low, 1 moderate, 2 high
        stand = (rules_index >= 0) & ((res.confidence > level) | (res.top == _CALCIPHYLAXIS))
        hybrid_index = np.where(stand, rules_index, model_index)
        hybrid_proba = proba.copy()
        rows = np.flatnonzero(stand)
        if rows.size:
            cols = rules_index[rows]
            share = np.clip(self.rules_precision_[res.top[rows], res.confidence[rows]], 0.5, 1.0)
            rest = proba[rows].copy()
            rest[np.arange(rows.size), cols] = 0.0
            total = rest.sum(axis=1, keepdims=True)
            k = proba.shape[1]
            rest = np.where(total > 0, rest / np.where(total > 0, total, 1.0), 1.0 / max(k - 1, 1))
            rest[np.arange(rows.size), cols] = 0.0
            mixed = rest * (1.0 - share)[:, None]
            mixed[np.arange(rows.size), cols] = share
            hybrid_proba[rows] = mixed
        sub_of_class = np.array([engine.SUB_INDEX.get(str(c), -1) for c in classes], dtype=np.int64)
        hybrid_top = sub_of_class[hybrid_index] if n else np.zeros(0, dtype=np.int64)
        urgency = np.maximum(res.urgency, _urgency_for_top(res.env, hybrid_top, res.risk)) if n else res.urgency
        return HybridOutputs(res=res, classes=classes, model_proba=proba, model_index=model_index,
                             rules_index=rules_index, rules_stand=stand, hybrid_index=hybrid_index,
                             hybrid_proba=hybrid_proba, urgency=urgency)

    def predict(self, X: Any) -> np.ndarray:
        """The hybrid answer per case (see the class docstring for when the model decides)."""
        out = self.outputs(X)
        return self.classes_[out.hybrid_index]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Hybrid probabilities, columns in ``classes_`` order (see the class docstring)."""
        return self.outputs(X).hybrid_proba

    def assess(self, X: Any) -> pd.DataFrame:
        """One row per case: the hybrid answer beside the rules' and the model's.

        Columns: ``subtype`` (hybrid), ``decided_by`` (``rules`` / ``model``),
        ``urgency`` (never below the rules'), ``rules_subtype``,
        ``rules_confidence``, ``rules_urgency``, ``model_subtype``,
        ``model_proba_<class>``, ``agreement``. The index is that of ``X``.
        """
        frame = _as_frame(X)
        out = self.outputs(frame)
        res = out.res
        rules_names = np.array([*SUBTYPES, INDETERMINATE], dtype=object)
        urgency_names = np.array(engine.URGENCY_LEVELS, dtype=object)
        cols: dict[str, Any] = {
            "subtype": out.classes.astype(object)[out.hybrid_index],
            "decided_by": np.where(out.rules_stand, "rules", "model").astype(object),
            "urgency": urgency_names[out.urgency],
            "rules_subtype": rules_names[np.where(res.top >= 0, res.top, len(SUBTYPES))],
            "rules_confidence": np.array(engine.CONFIDENCE, dtype=object)[res.confidence],
            "rules_urgency": urgency_names[res.urgency],
        }
        cols.update(_model_cols(out))
        return pd.DataFrame(cols, index=frame.index)


def _ordered_classes(classes: np.ndarray) -> list[int]:
    """Column order for output: subtypes in ``SUBTYPES`` order first, then any other class."""
    names = [str(c) for c in classes]
    known = [names.index(s) for s in SUBTYPES if s in names]
    return known + [i for i in range(len(names)) if i not in known]


def _model_cols(out: HybridOutputs) -> dict[str, Any]:
    cols: dict[str, Any] = {"model_subtype": out.classes.astype(object)[out.model_index]}
    for i in _ordered_classes(out.classes):
        cols[f"model_proba_{out.classes[i]}"] = np.round(out.model_proba[:, i], 4)
    cols["agreement"] = out.agreement
    return cols


def _provenance(frame: pd.DataFrame) -> dict[str, Any]:
    """Training provenance: number of cases and, for generated cohorts, generator version and seed(s)."""
    prov: dict[str, Any] = {"n": len(frame)}
    for name in PROVENANCE_COLUMNS:
        if name in frame.columns:
            values = sorted({str(v) for v in frame[name].dropna().unique() if str(v) != ""})
            if name == "seed":
                values = sorted(values, key=lambda v: (len(v), v))
            prov[name] = values[0] if len(values) == 1 else values
    if "seed" in prov:
        seeds = prov["seed"] if isinstance(prov["seed"], list) else [prov["seed"]]
        try:
            as_int = [int(float(s)) for s in seeds]
            prov["seed"] = as_int[0] if len(as_int) == 1 else as_int
        except ValueError:
            pass
    return prov


def model_outputs(model: Any, frame: pd.DataFrame, intake: Intake | None = None,
                  res: engine.EngineResult | None = None, *, units: str = "conventional",
                  thresholds: Thresholds | dict[str, float] | None = None, strict_units: bool = False
                  ) -> HybridOutputs:
    """Rules and model answers for a batch, from a :class:`HybridClassifier` or a plain fitted model.

    ``intake`` and ``res`` (computed with ``units``, ``thresholds`` and
    ``strict_units``) are reused where the model's own settings match. For a
    plain model the rules never stand: ``hybrid_*`` equal the model's.
    """
    if isinstance(model, HybridClassifier):
        same = (model.units == units and model.strict_units == strict_units
                and Thresholds.coerce(model.thresholds) == Thresholds.coerce(thresholds))
        return model.outputs(frame, intake, res) if same and intake is not None else model.outputs(frame)
    if not hasattr(model, "predict_proba") or not hasattr(model, "classes_"):
        raise TypeError(f"model must be a fitted classifier with predict_proba (e.g. a HybridClassifier or "
                        f"make_model() pipeline), got {type(model).__name__}")
    if intake is None or res is None:
        intake = read_cases(frame, units=units, strict_units=strict_units)  # type: ignore[arg-type]
        res = engine.evaluate(intake.values, intake.n, Thresholds.coerce(thresholds), with_missing=False)
    proba = _model_probabilities(model, frame, intake, res, units=units, thresholds=thresholds,
                                 strict_units=strict_units)
    classes = np.asarray(model.classes_)
    model_index = np.argmax(proba, axis=1) if res.n else np.zeros(0, dtype=np.int64)
    rules_index = _class_lookup(classes)[np.where(res.top >= 0, res.top, len(SUBTYPES))]
    return HybridOutputs(res=res, classes=classes, model_proba=proba, model_index=model_index,
                         rules_index=rules_index, rules_stand=np.zeros(res.n, dtype=bool),
                         hybrid_index=model_index, hybrid_proba=proba, urgency=res.urgency)


def model_columns(model: Any, frame: pd.DataFrame, intake: Intake, res: engine.EngineResult, *,
                  units: str, thresholds: Thresholds | dict[str, float] | None, strict_units: bool,
                  prefix: str = "") -> dict[str, Any]:
    """Model columns for :func:`~calcinosis_classify.score` (README, "Output columns").

    ``model_subtype``, ``model_proba_<subtype>``, ``agreement``; with a
    :class:`HybridClassifier` also ``hybrid_subtype``, ``decided_by`` and
    ``hybrid_urgency``. ``intake`` and ``res`` are reused when the model's
    settings match the scoring settings.
    """
    out = model_outputs(model, frame, intake, res, units=units, thresholds=thresholds, strict_units=strict_units)
    cols = _model_cols(out)
    if isinstance(model, HybridClassifier):
        cols["hybrid_subtype"] = out.classes.astype(object)[out.hybrid_index]
        cols["decided_by"] = np.where(out.rules_stand, "rules", "model").astype(object)
        cols["hybrid_urgency"] = np.array(engine.URGENCY_LEVELS, dtype=object)[out.urgency]
    return {prefix + k: v for k, v in cols.items()}


def _class_lookup(classes: np.ndarray) -> np.ndarray:
    """Subtype index (or ``len(SUBTYPES)`` for indeterminate) -> column of ``classes``, -1 if absent."""
    lookup = np.full(len(SUBTYPES) + 1, -1, dtype=np.int64)
    names = classes.astype(object)
    for j, s in enumerate(SUBTYPES):
        hits = np.flatnonzero(names == s)
        if hits.size:
            lookup[j] = hits[0]
    return lookup


# --------------------------------------------------------------------------- training


def normalise_labels(values: Any) -> np.ndarray:
    """Truth labels as lower-case trimmed strings; blank / NA -> ``None``."""
    series = pd.Series(values, dtype=object)
    text = series.where(series.notna(), "").astype(str).str.strip().str.lower()
    out = text.to_numpy(dtype=object)
    out[(text == "") | text.isin(["nan", "na", "n/a", "none", "<na>"])] = None
    return out


def check_truth_column(frame: pd.DataFrame, truth: str) -> np.ndarray:
    """Normalised labels of ``frame[truth]``; raises :class:`InputError` for a missing column or unknown labels."""
    if truth not in frame.columns:
        import difflib

        close = difflib.get_close_matches(truth, [str(c) for c in frame.columns], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"truth column {truth!r} not found in the input{hint}")
    labels = normalise_labels(frame[truth])
    given = labels[labels != None]  # noqa: E711 - element-wise comparison on an object array
    unknown = sorted(set(given) - set(SUBTYPES))
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        raise InputError(f"truth column {truth!r} has labels that are not subtypes: {shown}; expected one of "
                         f"{', '.join(SUBTYPES)} (or blank for unlabelled)")
    return labels


def train(cohort: pd.DataFrame, truth: str = "true_subtype", *, consult: str = DEFAULT_CONSULT,
          random_state: int | None = 0, max_iter: int = 300, units: str = "conventional",
          thresholds: Thresholds | dict[str, float] | None = None, strict_units: bool = False,
          source: str | None = None, threads: int | None = None) -> HybridClassifier:
    """Fit a :class:`HybridClassifier` on a labelled cohort.

    Parameters
    ----------
    cohort : pandas.DataFrame
        Cases in the input contract plus a truth column (e.g. from
        :func:`~calcinosis_classify.synthetic.generate_cohort`). Rows with a
        blank truth are skipped.
    truth : str
        Name of the column holding the subtype labels.
    consult : {"indeterminate", "low", "moderate"}
        See :class:`HybridClassifier`.
    random_state, max_iter
        Seed and booster iteration cap of :func:`make_model`.
    units, thresholds, strict_units
        Settings of the rules and features.
    source : str, optional
        Where the cohort came from (recorded in the provenance).
    threads : int, optional
        Native threads (OpenMP, BLAS) the fit may use, set with
        :func:`threadpoolctl.threadpool_limits`; ``None`` leaves the
        libraries' defaults (every logical core), which oversubscribes a
        machine that is busy with other work.

    Returns
    -------
    HybridClassifier
        Fitted; ``training_provenance_`` records ``n``, ``n_skipped``
        (unlabelled rows), ``truth``, ``source`` and, for synthetic
        cohorts, ``generator_version`` and ``seed``.

    Raises
    ------
    InputError
        The truth column is missing, has labels that are not subtypes, or no
        labelled row.
    ValueError
        ``threads`` is less than 1.
    """
    if threads is not None and threads < 1:
        raise ValueError(f"threads must be at least 1 (or None for the libraries' default), got {threads}")
    labels = check_truth_column(cohort, truth)
    keep = labels != None  # noqa: E711 - element-wise comparison on an object array
    if not keep.any():
        raise InputError(f"truth column {truth!r} has no labelled row")
    cases = cohort.loc[keep].drop(columns=[truth])
    model = make_model(units=units, thresholds=thresholds, strict_units=strict_units, random_state=random_state,
                       max_iter=max_iter)
    hybrid = HybridClassifier(model, consult=consult, units=units, thresholds=thresholds,
                              strict_units=strict_units, random_state=random_state)
    with threadpool_limits(limits=threads):
        hybrid.fit(cases, labels[keep].astype(str))
    hybrid.training_provenance_.update({"n_skipped": int((~keep).sum()), "truth": truth})
    if source is not None:
        hybrid.training_provenance_["source"] = source
    return hybrid
