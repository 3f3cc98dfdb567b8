"""scikit-learn face of the rules: :class:`RulesClassifier`.

Imported lazily (``from calcinosis_classify import RulesClassifier``) so that
scoring without a model never pays for importing scikit-learn.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_consistent_length
from sklearn.utils.multiclass import check_classification_targets

from calcinosis_classify import engine
from calcinosis_classify.assessment import INDETERMINATE
from calcinosis_classify.intake import read_cases
from calcinosis_classify.knowledge.thresholds import Thresholds

__all__ = ["CaseInputTags", "RulesClassifier", "as_frame", "check_n_features", "check_units", "validate_fit_input"]

CLASSES = np.array([*engine.SUBTYPES, INDETERMINATE], dtype=object)


def as_frame(X: Any) -> pd.DataFrame:
    """Cases as a DataFrame; bare arrays get columns ``x0, x1, ...`` (which carry no clinical field)."""
    if isinstance(X, pd.DataFrame):
        return X
    if sp.issparse(X):
        raise TypeError("sparse input is not supported: pass a DataFrame of cases with named columns")
    if hasattr(X, "__array__") and not isinstance(X, np.ndarray):
        X = np.asarray(X)
    if isinstance(X, np.ndarray):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-dimensional, got an array of shape {X.shape}. Reshape your data "
                             f"with array.reshape(1, -1) for a single case.")
        return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    if isinstance(X, Mapping):
        return pd.DataFrame.from_records([X])
    return pd.DataFrame.from_records(list(X))


def check_units(units: Any) -> None:
    if units not in ("conventional", "si"):
        raise ValueError(f"units must be 'conventional' or 'si', got {units!r}")


def validate_fit_input(est: BaseEstimator, X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Shared checks of ``fit``: a non-empty frame, a usable 1-d ``y``; records the input features."""
    frame = as_frame(X)
    if len(frame) == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is required.")
    if frame.shape[1] == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required.")
    if not isinstance(X, pd.DataFrame):
        numeric = frame.to_numpy()
        if numeric.dtype.kind == "c":
            raise ValueError("Complex data not supported")
        if numeric.dtype.kind == "f" and np.isinf(numeric).any():
            raise ValueError("Input X contains infinity or a value too large for dtype('float64').")
    y_arr = None
    if y is not None:
        y_arr = np.asarray(y)
        if y_arr.ndim == 2 and y_arr.shape[1] == 1:
            from sklearn.exceptions import DataConversionWarning

            warnings.warn("A column-vector y was passed when a 1d array was expected; it is ravelled.",
                          DataConversionWarning, stacklevel=3)
            y_arr = y_arr.ravel()
        if y_arr.dtype.kind == "f" and not np.isfinite(y_arr).all():
            raise ValueError("Input y contains NaN or infinity.")
        check_classification_targets(y_arr)
        check_consistent_length(frame, y_arr)
    est.n_features_in_ = frame.shape[1]
    if all(isinstance(c, str) for c in frame.columns):
        est.feature_names_in_ = np.asarray(frame.columns, dtype=object)
    elif hasattr(est, "feature_names_in_"):
        del est.feature_names_in_
    return frame, y_arr


def check_n_features(est: BaseEstimator, X: Any, frame: pd.DataFrame) -> None:
    fitted = getattr(est, "n_features_in_", None)
    if fitted is not None and not isinstance(X, pd.DataFrame) and frame.shape[1] != fitted:
        raise ValueError(f"X has {frame.shape[1]} features, but {type(est).__name__} is expecting {fitted} "
                         f"features as input.")


class CaseInputTags:
    """scikit-learn tags shared by the estimators that take cases: text, categories and NaN accepted."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.non_deterministic = False
        return tags


class RulesClassifier(CaseInputTags, ClassifierMixin, BaseEstimator):
    """The cited rule base as a scikit-learn classifier.

    It learns nothing: ``fit`` only validates its input and records
    ``classes_``, and the estimator declares through its tags that it needs no
    fitting, so ``predict`` works on a fresh instance.

    Parameters
    ----------
    units : {"conventional", "si"}
        Default unit system of numeric inputs.
    thresholds : Thresholds or dict, optional
        Threshold overrides (see :class:`~calcinosis_classify.Thresholds`).
    strict_units : bool
        Treat values impossible in their declared unit as unknown.

    Attributes
    ----------
    classes_ : ndarray of str
        The five subtypes then ``"indeterminate"``.

    Notes
    -----
    ``X`` is a DataFrame (or records) in the input contract; columns are
    matched by name, so a bare numeric array carries no usable field and every
    row comes out ``indeterminate``. ``predict_proba`` normalises the rule
    scores over the subtypes; a row with no supported subtype puts all its
    mass on ``indeterminate``. These are rule scores, not calibrated
    probabilities.
    """

    def __init__(self, units: str = "conventional", thresholds: Thresholds | dict[str, float] | None = None,
                 strict_units: bool = False):
        self.units = units
        self.thresholds = thresholds
        self.strict_units = strict_units

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    @property
    def classes_(self) -> np.ndarray:
        return CLASSES

    def fit(self, X: Any, y: Any = None) -> RulesClassifier:
        """Validate parameters and input; the rules need no fitting."""
        Thresholds.coerce(self.thresholds)
        check_units(self.units)
        validate_fit_input(self, X, y)
        return self

    def _evaluate(self, X: Any) -> engine.EngineResult:
        frame = as_frame(X)
        check_n_features(self, X, frame)
        intake = read_cases(frame, units=self.units, strict_units=self.strict_units)  # type: ignore[arg-type]
        return engine.evaluate(intake.values, intake.n, Thresholds.coerce(self.thresholds), with_missing=False)

    def predict(self, X: Any) -> np.ndarray:
        """Top subtype per row (``"indeterminate"`` when nothing is supported)."""
        res = self._evaluate(X)
        return CLASSES[np.where(res.top >= 0, res.top, len(engine.SUBTYPES))]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Rule scores normalised per row over ``classes_``."""
        res = self._evaluate(X)
        scores = res.scores
        total = scores.sum(axis=1, keepdims=True)
        proba = np.zeros((res.n, len(CLASSES)))
        has = total[:, 0] > 0
        proba[has, : len(engine.SUBTYPES)] = scores[has] / total[has]
        proba[~has, -1] = 1.0
        return proba
