"""Evaluation of the rules, a model and the hybrid against labelled cases.

:func:`evaluate` returns an :class:`EvaluationReport` (``to_text()``,
``to_dict()`` / ``to_json()``): per-class precision, recall and F1, macro-F1,
confusion matrices, top-2 accuracy, calciphylaxis sensitivity, the
``indeterminate`` rate, Brier score and log-loss of probabilistic outputs,
one-vs-rest reliability tables, rules accuracy by confidence and rules-vs-model
agreement. Metrics come from :mod:`sklearn.metrics`.

On synthetic cohorts (a ``generator_version`` column is present) the report
carries a banner: the numbers measure agreement with the generator's
profiles, not clinical validity.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_fscore_support,
)

from calcinosis_classify import engine
from calcinosis_classify import knowledge as kb
from calcinosis_classify.assessment import DISCLAIMER, INDETERMINATE, score_arrays
from calcinosis_classify.errors import InputError
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.model import HybridClassifier, check_truth_column, model_outputs

__all__ = ["PUBLISHED_BANNER", "SYNTHETIC_BANNER", "EvaluationReport", "evaluate", "reliability_table"]

SUBTYPES: tuple[str, ...] = engine.SUBTYPES
CALCIPHYLAXIS = kb.CANT_MISS.subtype
PUBLISHED_BANNER = ("PUBLISHED CASES: patients from outside authors' case reports, letters and abstracts, scored "
                    "only from what each report states (often just its opening part); labels are the authors' own. "
                    "A small, retrospective set selected by what gets published - not a prospective validation.")
SYNTHETIC_BANNER = ("SYNTHETIC DATA: these numbers measure agreement with the synthetic generator's presentation "
                    "profiles - not clinical validation.")


def _num(x: Any) -> float | None:
    """JSON-friendly float (None for NaN / missing)."""
    if x is None:
        return None
    x = float(x)
    return None if np.isnan(x) else x


def reliability_table(outcome: np.ndarray, proba: np.ndarray, n_bins: int = 10) -> dict[str, Any]:
    """One-vs-rest reliability of one class's probabilities.

    Bins are ``n_bins`` equal-width intervals of [0, 1], assigned as
    :func:`sklearn.calibration.calibration_curve` does (``strategy="uniform"``).

    Parameters
    ----------
    outcome : ndarray of bool
        The case belongs to the class.
    proba : ndarray of float
        Predicted probability of the class.
    n_bins : int

    Returns
    -------
    dict
        ``bins``: non-empty bins, each with ``lower``, ``upper``, ``count``,
        ``mean_predicted`` and ``observed`` (share of cases in the class);
        ``ece``: expected calibration error (count-weighted mean absolute
        gap between predicted and observed).
    """
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], proba)
    count = np.bincount(ids, minlength=n_bins)
    pred_sum = np.bincount(ids, weights=proba, minlength=n_bins)
    true_sum = np.bincount(ids, weights=outcome.astype(np.float64), minlength=n_bins)
    nonzero = count > 0
    mean_pred = np.divide(pred_sum, count, out=np.zeros(n_bins), where=nonzero)
    observed = np.divide(true_sum, count, out=np.zeros(n_bins), where=nonzero)
    total = count.sum()
    ece = float(np.sum(count * np.abs(mean_pred - observed)) / total) if total else None
    bins = [{"lower": float(edges[b]), "upper": float(edges[b + 1]), "count": int(count[b]),
             "mean_predicted": float(mean_pred[b]), "observed": float(observed[b])}
            for b in np.flatnonzero(nonzero)]
    return {"bins": bins, "ece": ece}


def _system_metrics(y: np.ndarray, pred: np.ndarray, top2_hit: np.ndarray, proba: np.ndarray | None = None,
                    classes: np.ndarray | None = None, n_bins: int = 10, risk_flag: np.ndarray | None = None,
                    empty_differential: np.ndarray | None = None) -> dict[str, Any]:
    """Metrics of one system (rules, model or hybrid) on labelled cases.

    ``risk_flag``: the rules' calciphylaxis risk is moderate or high (a calciphylaxis patient counts as
    flagged when the system names calciphylaxis or the risk is raised); ``empty_differential``: the
    rules listed no subtype at all.
    """
    present = [s for s in SUBTYPES if (y == s).any() or (pred == s).any()]
    prec, rec, f1, support = precision_recall_fscore_support(y, pred, labels=list(SUBTYPES), zero_division=0)
    per_class = {s: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                     "support": int(support[i])} for i, s in enumerate(SUBTYPES)}
    predicted = [*SUBTYPES, INDETERMINATE]
    matrix = confusion_matrix(y, pred, labels=predicted)[: len(SUBTYPES)]
    has_cp = bool((y == CALCIPHYLAXIS).any())
    out: dict[str, Any] = {
        "n": len(y),
        "accuracy": float(accuracy_score(y, pred)),
        # Averaged over the subtypes present in truth or answers; an `indeterminate` answer counts
        # against recall but is not a class of its own.
        "macro_f1": float(f1_score(y, pred, labels=present, average="macro", zero_division=0)) if present else None,
        "top2_accuracy": float(np.mean(top2_hit)) if len(y) else None,
        "calciphylaxis_sensitivity": per_class[CALCIPHYLAXIS]["recall"] if has_cp else None,
        "indeterminate_rate": float(np.mean(pred == INDETERMINATE)) if len(y) else None,
        # A calciphylaxis patient is flagged when calciphylaxis is named or its risk is moderate/high; a
        # false call names calciphylaxis for a patient who does not have it.
        "calciphylaxis_flagged": (float(np.mean(((pred == CALCIPHYLAXIS) | risk_flag)[y == CALCIPHYLAXIS]))
                                  if has_cp and risk_flag is not None else None),
        "false_calciphylaxis_rate": (float(np.mean(pred[y != CALCIPHYLAXIS] == CALCIPHYLAXIS))
                                     if (y != CALCIPHYLAXIS).any() else None),
        "empty_differential": int(empty_differential.sum()) if empty_differential is not None else None,
        "per_class": per_class,
        "confusion_matrix": {"truth": list(SUBTYPES), "predicted": predicted, "counts": matrix.tolist()},
        "brier": None,
        "log_loss": None,
        "reliability": None,
    }
    if proba is not None and classes is not None:
        labels = [str(c) for c in classes]
        out["brier"] = float(brier_score_loss(y, proba, labels=labels, scale_by_half=False))
        out["log_loss"] = float(log_loss(y, proba, labels=labels))
        out["reliability"] = {c: reliability_table(y == c, proba[:, i], n_bins) for i, c in enumerate(labels)}
    return out


def _top2_from_proba(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Per case: the truth is among the two most probable classes (ties broken by class order)."""
    if len(classes) <= 2:
        return np.isin(y, classes)
    best2 = np.argsort(-proba, axis=1, kind="stable")[:, :2]
    names = np.asarray(classes, dtype=object)[best2]
    return (names == y[:, None]).any(axis=1)


def _synthetic_info(frame: pd.DataFrame) -> dict[str, Any] | None:
    if "generator_version" not in frame.columns:
        return None
    info: dict[str, Any] = {"generator_version": sorted({str(v) for v in frame["generator_version"].dropna()
                                                         if str(v) != ""})}
    if "seed" in frame.columns:
        info["seed"] = sorted({str(v) for v in frame["seed"].dropna() if str(v) != ""}, key=lambda s: (len(s), s))
    return info


_PUBLISHED_COLUMNS = ("source_url", "label_basis")
_SUMMARY_ROWS = (("accuracy (top-1)", "accuracy"), ("macro-F1", "macro_f1"), ("top-2 accuracy", "top2_accuracy"),
                 ("calciphylaxis sensitivity", "calciphylaxis_sensitivity"),
                 ("calciphylaxis flagged", "calciphylaxis_flagged"),
                 ("false calciphylaxis calls", "false_calciphylaxis_rate"),
                 ("indeterminate rate", "indeterminate_rate"), ("Brier score (0-2)", "brier"),
                 ("log-loss", "log_loss"))


@dataclass
class EvaluationReport:
    """The result of :func:`evaluate` (see :meth:`to_text`, :meth:`to_dict`).

    Attributes
    ----------
    n : int
        Labelled cases evaluated.
    n_unlabelled : int
        Rows skipped for a blank truth.
    truth : str
        The truth column.
    synthetic : dict or None
        ``generator_version`` and ``seed`` values when the data is synthetic.
    systems : dict
        ``"rules"`` and, with a model, ``"model"`` and (for a hybrid)
        ``"hybrid"``: each a dict of metrics.
    rules_by_confidence : dict
        Rules accuracy and case count per confidence level.
    agreement : dict or None
        Rules-vs-model agreement (with a model).
    model : dict or None
        Class and training provenance of the model.
    published : bool
        The cases are published case reports (a ``source_url`` or ``label_basis`` column).
    by : dict
        With ``by=COLUMN``: the column name and, per value, the same metrics per system.
    """

    n: int
    n_unlabelled: int
    truth: str
    synthetic: dict[str, Any] | None
    systems: dict[str, dict[str, Any]]
    rules_by_confidence: dict[str, dict[str, Any]]
    agreement: dict[str, Any] | None = None
    model: dict[str, Any] | None = None
    published: bool = False
    by: dict[str, Any] = field(default_factory=dict)
    disclaimer: str = field(default=DISCLAIMER)

    @property
    def banner(self) -> str | None:
        """What the numbers can and cannot show, for synthetic or published data."""
        if self.synthetic is not None:
            return SYNTHETIC_BANNER
        return f"{PUBLISHED_BANNER} n = {self.n}." if self.published else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "banner": self.banner, "n": self.n, "n_unlabelled": self.n_unlabelled, "truth": self.truth,
            "synthetic": self.synthetic, "published": self.published, "model": self.model, "systems": self.systems,
            "by": self.by, "rules_by_confidence": self.rules_by_confidence, "agreement": self.agreement,
            "disclaimer": self.disclaimer,
        }

    def to_json(self, indent: int = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_text(self, reliability: bool = True) -> str:
        """Readable report (fixed-width tables)."""
        lines = [*self._banner_lines(), *self._summary_lines(self.systems)]
        lines += self._by_lines()
        for name, metrics in self.systems.items():
            lines += _per_system_lines(name, metrics, reliability)
        lines += ["", "rules accuracy by confidence"]
        for level, v in self.rules_by_confidence.items():
            acc = f"{v['accuracy']:.4f}" if v["accuracy"] is not None else "-"
            lines.append(f"  {level:<10}{v['n']:>8d} cases  accuracy {acc}")
        lines += _agreement_lines(self.agreement)
        lines += ["", self.disclaimer]
        return "\n".join(lines)

    def _banner_lines(self) -> list[str]:
        lines: list[str] = []
        if self.synthetic is not None:
            gv = ", ".join(self.synthetic.get("generator_version", [])) or "?"
            seeds = ", ".join(self.synthetic.get("seed", [])) or "?"
            banner = f"*** SYNTHETIC DATA (generator {gv}, seed {seeds}): {SYNTHETIC_BANNER.split(': ', 1)[1]} ***"
            lines += ["*" * min(len(banner), 100), banner, "*" * min(len(banner), 100), ""]
        elif self.published:
            lines += ["*" * 100, f"*** {self.banner} ***", "*" * 100, ""]
        skipped = f"; {self.n_unlabelled} unlabelled rows skipped" if self.n_unlabelled else ""
        lines.append(f"Evaluation on {self.n} labelled cases (truth column {self.truth!r}){skipped}")
        if self.model is not None:
            prov = self.model.get("provenance") or {}
            shown = ", ".join(f"{k} {v}" for k, v in prov.items()) or "no provenance recorded"
            lines.append(f"Model: {self.model.get('class')} ({shown})")
        return lines

    @staticmethod
    def _summary_lines(systems: dict[str, dict[str, Any]], indent: str = "") -> list[str]:
        names = list(systems)
        lines = ["", f"{indent}{'':<28}" + "".join(f"{s:>10}" for s in names)]
        for label, key in _SUMMARY_ROWS:
            cells = "".join(f"{systems[s][key]:>10.4f}" if systems[s].get(key) is not None else f"{'-':>10}"
                            for s in names)
            lines.append(f"{indent}{label:<28}{cells}")
        empty = systems.get("rules", {}).get("empty_differential")
        if empty is not None:
            lines.append(f"{indent}{'empty differential (rules)':<28}{empty:>10d}")
        return lines

    def _by_lines(self) -> list[str]:
        if not self.by:
            return []
        lines = ["", f"by {self.by['column']}"]
        for value, group in self.by["groups"].items():
            lines += ["", f"  {value} ({group['n']} cases)"]
            lines += [line for line in self._summary_lines(group["systems"], "  ")[1:]
                      if not line.strip().startswith(("Brier", "log-loss"))]
        return lines


def _per_system_lines(name: str, m: dict[str, Any], reliability: bool) -> list[str]:
    lines = ["", f"{name}: per class", f"  {'subtype':<15}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>9}"]
    for sub, v in m["per_class"].items():
        lines.append(f"  {sub:<15}{v['precision']:>10.4f}{v['recall']:>10.4f}{v['f1']:>10.4f}{v['support']:>9d}")
    cm = m["confusion_matrix"]
    lines += [f"{name}: confusion matrix (rows truth, columns answer)",
              f"  {'':<15}" + "".join(f"{p[:6]:>8}" for p in cm["predicted"])]
    for t, row in zip(cm["truth"], cm["counts"], strict=True):
        lines.append(f"  {t:<15}" + "".join(f"{c:>8d}" for c in row))
    if reliability and m["reliability"]:
        lines.append(f"{name}: reliability, one-vs-rest (bin: cases, mean predicted -> observed)")
        for cls, table in m["reliability"].items():
            ece = table["ece"]
            lines.append(f"  {cls} (ECE {ece:.4f})" if ece is not None else f"  {cls}")
            for b in table["bins"]:
                lines.append(f"    {b['lower']:.1f}-{b['upper']:.1f}: {b['count']:>7d}  "
                             f"{b['mean_predicted']:.3f} -> {b['observed']:.3f}")
    return lines


def _agreement_lines(a: dict[str, Any] | None) -> list[str]:
    if a is None:
        return []
    lines = ["", "rules vs model"]
    lines.append(f"  agreement {a['rate']:.4f}, Cohen's kappa {a['kappa']:.4f}" if a["kappa"] is not None
                 else f"  agreement {a['rate']:.4f}")
    for key, label in (("accuracy_when_agree", "accuracy where they agree"),
                       ("rules_accuracy_when_disagree", "rules accuracy where they disagree"),
                       ("model_accuracy_when_disagree", "model accuracy where they disagree")):
        if a[key] is not None:
            lines.append(f"  {label}: {a[key]:.4f}")
    if a.get("decided_by_model") is not None:
        lines.append(f"  hybrid answers decided by the model: {a['decided_by_model']:.4f}")
    return lines


def evaluate(frame: pd.DataFrame, truth: str = "true_subtype", model: Any = None, *,
             units: str = "conventional", thresholds: Thresholds | dict[str, float] | None = None,
             strict_units: bool = False, n_bins: int = 10, by: str | None = None) -> EvaluationReport:
    """Evaluate the rules (and a model, and the hybrid) against labelled cases.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cases in the input contract plus the truth column. Rows with a blank
        truth are skipped (and counted).
    truth : str
        Column of subtype labels.
    model : HybridClassifier, Pipeline or path, optional
        A fitted model or a model file. A :class:`HybridClassifier` is
        evaluated three ways: rules only, model only and hybrid.
    units, thresholds, strict_units
        Settings of the rules.
    n_bins : int
        Bins of the reliability tables.
    by : str, optional
        A column to split the summary by (e.g. ``label_basis`` of the published-case set); by default
        ``label_basis`` when the frame has it.

    Returns
    -------
    EvaluationReport

    Raises
    ------
    InputError
        The truth column (or the ``by`` column) is missing, the truth holds labels that are not subtypes, or
        has no labelled row.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    labels = check_truth_column(frame, truth)
    keep = labels != None  # noqa: E711 - element-wise comparison on an object array
    if not keep.any():
        raise InputError(f"truth column {truth!r} has no labelled row")
    if by is None and "label_basis" in frame.columns:
        by = "label_basis"
    if by is not None and by not in frame.columns:
        raise InputError(f"by column {by!r} is not in the data; columns: {', '.join(map(str, frame.columns))}")
    cases = frame.loc[keep].drop(columns=[truth])
    y = labels[keep].astype(object)
    th = Thresholds.coerce(thresholds)
    cols, _ = score_arrays(cases, units=units, thresholds=th, strict_units=strict_units)  # type: ignore[arg-type]
    answers = {"rules": _rules_answers(cols, y)}
    report = EvaluationReport(n=int(keep.sum()), n_unlabelled=int((~keep).sum()), truth=truth,
                              synthetic=_synthetic_info(frame), systems={}, rules_by_confidence=_by_confidence(cols, y),
                              published=any(c in frame.columns for c in _PUBLISHED_COLUMNS))
    if model is not None:
        if isinstance(model, (str, os.PathLike)):
            from calcinosis_classify.persistence import load_model

            model = load_model(model)
        report.model = {"class": type(model).__name__,
                        "provenance": dict(getattr(model, "training_provenance_", {}) or {})}
        out = model_outputs(model, cases, units=units, thresholds=th, strict_units=strict_units)
        classes = out.classes.astype(object)
        answers["model"] = (classes[out.model_index], _top2_from_proba(y, out.model_proba, classes),
                            out.model_proba, classes)
        if isinstance(model, HybridClassifier):
            hybrid_pred = classes[out.hybrid_index]
            answers["hybrid"] = (hybrid_pred, _hybrid_top2(y, hybrid_pred, cols["differential"]),
                                 out.hybrid_proba, classes)
        report.agreement = _agreement(y, answers["rules"][0], answers["model"][0],
                                      float(np.mean(~out.rules_stand)) if "hybrid" in answers else None)
    risk_flag = np.isin(np.asarray(cols["calciphylaxis_risk"], dtype=object), ("moderate", "high"))
    empty = np.asarray(cols["differential"], dtype=object) == ""
    report.systems = _systems(y, answers, risk_flag, empty, n_bins)
    if by is not None:
        groups = frame.loc[keep, by].astype(str).to_numpy()
        report.by = {"column": by, "groups": {
            str(g): {"n": int((groups == g).sum()),
                     "systems": _systems(y[groups == g], {k: _subset(v, groups == g) for k, v in answers.items()},
                                         risk_flag[groups == g], empty[groups == g], n_bins)}
            for g in sorted(set(groups))}}
    return report


_Answers = tuple  # (predictions, top-2 hits, probabilities or None, classes or None)


def _rules_answers(cols: dict[str, Any], y: np.ndarray) -> _Answers:
    pred = np.asarray(cols["subtype"], dtype=object)
    # Rules top-2: the first two subtypes of the differential (ranked, best first).
    parts = pd.Series(cols["differential"], dtype=object).str.split(";", n=2)
    top2 = (parts.str[0].to_numpy(dtype=object) == y) | (parts.str[1].to_numpy(dtype=object) == y)
    return pred, top2, None, None


def _hybrid_top2(y: np.ndarray, hybrid_pred: np.ndarray, differential: Any) -> np.ndarray:
    """The hybrid's two best: its answer, then the first subtype of the rules' differential other than it
    (what ``score`` shows: ``hybrid_subtype`` beside the rules' ``differential``)."""
    parts = pd.Series(differential, dtype=object).str.split(";", n=2)
    first, second = parts.str[0].to_numpy(dtype=object), parts.str[1].to_numpy(dtype=object)
    other = np.where(first == hybrid_pred, second, first)
    return (hybrid_pred == y) | (other == y)


def _subset(answers: _Answers, mask: np.ndarray) -> _Answers:
    pred, top2, proba, classes = answers
    return pred[mask], top2[mask], None if proba is None else proba[mask], classes


def _systems(y: np.ndarray, answers: dict[str, _Answers], risk_flag: np.ndarray, empty: np.ndarray,
             n_bins: int) -> dict[str, dict[str, Any]]:
    return {name: _system_metrics(y, pred, top2, proba, classes, n_bins, risk_flag=risk_flag,
                                  empty_differential=empty if name == "rules" else None)
            for name, (pred, top2, proba, classes) in answers.items()}


def _by_confidence(cols: dict[str, Any], y: np.ndarray) -> dict[str, dict[str, Any]]:
    pred = np.asarray(cols["subtype"], dtype=object)
    confidence = np.asarray(cols["confidence"], dtype=object)
    out = {}
    for level in engine.CONFIDENCE:
        m = confidence == level
        out[level] = {"n": int(m.sum()), "accuracy": float(np.mean(pred[m] == y[m])) if m.any() else None}
    return out


def _agreement(y: np.ndarray, rules_pred: np.ndarray, model_pred: np.ndarray,
               decided_by_model: float | None) -> dict[str, Any]:
    agree = rules_pred == model_pred
    disagree = ~agree
    return {
        "rate": float(agree.mean()),
        "kappa": _num(cohen_kappa_score(rules_pred, model_pred)) if len(set(rules_pred) | set(model_pred)) > 1
        else None,
        "accuracy_when_agree": float(np.mean(rules_pred[agree] == y[agree])) if agree.any() else None,
        "rules_accuracy_when_disagree": float(np.mean(rules_pred[disagree] == y[disagree])) if disagree.any()
        else None,
        "model_accuracy_when_disagree": float(np.mean(model_pred[disagree] == y[disagree])) if disagree.any()
        else None,
        "decided_by_model": decided_by_model,
    }
