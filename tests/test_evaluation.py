"""Evaluation report: hand-computed metrics on a tiny set, consistency on a cohort, and the train/evaluate CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import calibration_curve
from sklearn.metrics import top_k_accuracy_score

from calcinosis_classify import engine, score
from calcinosis_classify.cli import main
from calcinosis_classify.errors import InputError
from calcinosis_classify.evaluation import SYNTHETIC_BANNER, evaluate, reliability_table
from calcinosis_classify.model import train
from calcinosis_classify.persistence import load_model, read_manifest
from calcinosis_classify.synthetic import generate_cohort

SUBTYPES = engine.SUBTYPES
CLASSES = sorted(SUBTYPES)  # calciphylaxis, dystrophic, iatrogenic, idiopathic, metastatic

# Eight labelled cases and the probabilities a stub model gives them, columns in CLASSES order.
HAND = [
    # truth          cp   dys  iat  idi  met      model answer
    ("dystrophic", [0.0, 0.7, 0.0, 0.0, 0.3]),   # dystrophic   (right)
    ("dystrophic", [0.0, 0.4, 0.0, 0.0, 0.6]),   # metastatic   (wrong, truth second)
    ("metastatic", [0.0, 0.2, 0.0, 0.0, 0.8]),   # metastatic   (right)
    ("metastatic", [0.5, 0.1, 0.0, 0.0, 0.4]),   # calciphylaxis (wrong, truth second)
    ("calciphylaxis", [0.9, 0.1, 0.0, 0.0, 0.0]),  # calciphylaxis (right)
    ("calciphylaxis", [0.3, 0.6, 0.1, 0.0, 0.0]),  # dystrophic   (wrong, truth second)
    ("idiopathic", [0.0, 0.5, 0.0, 0.2, 0.3]),   # dystrophic   (wrong, truth third)
    ("iatrogenic", [0.0, 0.0, 0.8, 0.2, 0.0]),   # iatrogenic   (right)
]


class _Stub(ClassifierMixin, BaseEstimator):
    """Returns the fixed probabilities of HAND by case_id."""

    def fit(self, X, y):
        self.classes_ = np.array(CLASSES, dtype=object)
        return self

    def predict_proba(self, X):
        return np.array([HAND[int(i)][1] for i in X["case_id"]])


@pytest.fixture(scope="module")
def hand_frame() -> pd.DataFrame:
    return pd.DataFrame({"case_id": range(len(HAND)), "truth": [t for t, _ in HAND],
                         "calcium": 9.5, "phosphate": 3.5, "age_years": 50})


def test_metrics_match_hand_computation(hand_frame) -> None:
    stub = _Stub().fit(None, None)
    report = evaluate(hand_frame, "truth", model=stub)
    m = report.systems["model"]
    assert m["accuracy"] == pytest.approx(4 / 8)
    expected = {  # precision, recall, F1, support
        "dystrophic": (1 / 3, 1 / 2, 2 / 5, 2),  # answered for cases 1, 6, 7; right once
        "metastatic": (1 / 2, 1 / 2, 1 / 2, 2),
        "calciphylaxis": (1 / 2, 1 / 2, 1 / 2, 2),
        "idiopathic": (0.0, 0.0, 0.0, 1),  # never answered
        "iatrogenic": (1.0, 1.0, 1.0, 1),
    }
    for sub, (p, r, f, n) in expected.items():
        got = m["per_class"][sub]
        assert (got["precision"], got["recall"], got["f1"], got["support"]) == pytest.approx((p, r, f, n)), sub
    assert m["macro_f1"] == pytest.approx((2 / 5 + 1 / 2 + 1 / 2 + 0 + 1) / 5)
    assert m["top2_accuracy"] == pytest.approx(7 / 8)  # only the idiopathic case misses the top two
    assert m["calciphylaxis_sensitivity"] == pytest.approx(1 / 2)
    assert m["indeterminate_rate"] == 0.0
    # Brier: per case, the sum over classes of (p - outcome)^2, then the mean.
    per_case = [0.09 + 0.09, 0.36 + 0.36, 0.04 + 0.04, 0.25 + 0.01 + 0.36, 0.01 + 0.01, 0.49 + 0.36 + 0.01,
                0.25 + 0.64 + 0.09, 0.04 + 0.04]
    assert m["brier"] == pytest.approx(sum(per_case) / 8) and m["brier"] == pytest.approx(0.4425)
    truth_p = [0.7, 0.4, 0.8, 0.4, 0.9, 0.3, 0.2, 0.8]
    assert m["log_loss"] == pytest.approx(-sum(math.log(p) for p in truth_p) / 8)
    cm = m["confusion_matrix"]
    assert cm["truth"] == list(SUBTYPES) and cm["predicted"] == [*SUBTYPES, "indeterminate"]
    assert cm["counts"] == [
        [1, 1, 0, 0, 0, 0],  # dystrophic -> dystrophic, metastatic
        [0, 1, 0, 0, 1, 0],  # metastatic -> metastatic, calciphylaxis
        [1, 0, 0, 0, 0, 0],  # idiopathic -> dystrophic
        [0, 0, 0, 1, 0, 0],  # iatrogenic -> iatrogenic
        [1, 0, 0, 0, 1, 0],  # calciphylaxis -> dystrophic, calciphylaxis
    ]
    cp = m["reliability"]["calciphylaxis"]
    assert cp["bins"][0] == {"lower": 0.0, "upper": pytest.approx(0.1), "count": 5, "mean_predicted": 0.0,
                             "observed": 0.0}
    assert sum(b["count"] for b in cp["bins"]) == 8
    # ECE: bins {0.5: not cp}, {0.9: cp}, {0.3: cp}: (|0.5-0| + |0.9-1| + |0.3-1|) / 8
    assert cp["ece"] == pytest.approx((0.5 + 0.1 + 0.7) / 8)
    assert report.synthetic is None and report.n == 8 and report.n_unlabelled == 0


def test_rules_and_agreement_are_consistent_with_score(hand_frame) -> None:
    report = evaluate(hand_frame, "truth", model=_Stub().fit(None, None))
    rules = score(hand_frame.drop(columns=["truth"]))["subtype"].to_numpy()
    truth = hand_frame["truth"].to_numpy()
    assert report.systems["rules"]["accuracy"] == pytest.approx(np.mean(rules == truth))
    assert report.systems["rules"]["indeterminate_rate"] == pytest.approx(np.mean(rules == "indeterminate"))
    answers = np.array(CLASSES, dtype=object)[np.argmax([p for _, p in HAND], axis=1)]
    assert report.agreement["rate"] == pytest.approx(np.mean(rules == answers))
    assert "hybrid" not in report.systems


def test_reliability_table_bins_like_sklearn() -> None:
    rng = np.random.default_rng(0)
    proba = rng.random(500)
    outcome = rng.random(500) < proba
    table = reliability_table(outcome, proba, n_bins=10)
    prob_true, prob_pred = calibration_curve(outcome, proba, n_bins=10)
    np.testing.assert_allclose([b["observed"] for b in table["bins"]], prob_true)
    np.testing.assert_allclose([b["mean_predicted"] for b in table["bins"]], prob_pred)
    assert sum(b["count"] for b in table["bins"]) == 500


def test_unlabelled_rows_are_skipped_and_bad_truth_refused(hand_frame) -> None:
    frame = pd.concat([hand_frame, hand_frame.iloc[:2].assign(truth=["", None])], ignore_index=True)
    report = evaluate(frame, "truth")
    assert report.n == 8 and report.n_unlabelled == 2
    with pytest.raises(InputError, match="not found"):
        evaluate(hand_frame, "subtype_truth")
    with pytest.raises(InputError, match="not subtypes"):
        evaluate(hand_frame.assign(truth="gout"), "truth")


@pytest.fixture(scope="module")
def cohort_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_cohort(2000, seed=31), generate_cohort(600, seed=32, atypical_rate=0.15)


@pytest.fixture(scope="module")
def hybrid(cohort_pair):
    return train(cohort_pair[0], max_iter=20)


def test_hybrid_report_is_consistent(hybrid, cohort_pair) -> None:
    test = cohort_pair[1]
    report = evaluate(test, model=hybrid)
    y = test["true_subtype"].to_numpy()
    assert set(report.systems) == {"rules", "model", "hybrid"}
    assert report.systems["hybrid"]["accuracy"] == pytest.approx(np.mean(hybrid.predict(test) == y))
    proba = hybrid.outputs(test).model_proba
    assert report.systems["model"]["top2_accuracy"] == pytest.approx(
        top_k_accuracy_score(y, proba, k=2, labels=hybrid.classes_))
    assert report.systems["rules"]["brier"] is None
    differential = score(test.drop(columns=["true_subtype"]))["differential"].str.split(";")
    rules_top2 = np.mean([t in d[:2] for t, d in zip(y, differential, strict=True)])
    assert report.systems["rules"]["top2_accuracy"] == pytest.approx(rules_top2)
    assert 0 <= report.agreement["decided_by_model"] <= 1
    assert report.synthetic == {"generator_version": [test["generator_version"].iloc[0]], "seed": ["32"]}
    text = report.to_text()
    assert SYNTHETIC_BANNER.split(": ", 1)[1] in text and "not clinical validation" in text
    assert "Decision support" in text
    data = json.loads(report.to_json())
    assert data["banner"] == SYNTHETIC_BANNER
    assert data["systems"]["hybrid"]["confusion_matrix"]["truth"] == list(SUBTYPES)
    no_banner = evaluate(test.drop(columns=["generator_version"]), model=hybrid)
    assert no_banner.synthetic is None and "SYNTHETIC" not in no_banner.to_text()


# --------------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def cohort_csv(tmp_path_factory, cohort_pair) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cohort.csv"
    cohort_pair[0].iloc[:800].to_csv(path, index=False)
    return path


def test_cli_train_and_evaluate(cohort_csv, tmp_path, capsys) -> None:
    model_path = tmp_path / "model.ccm"
    assert main(["train", str(cohort_csv), "-o", str(model_path), "--max-iter", "10", "-q"]) == 0
    model = load_model(model_path)
    assert model.training_provenance_["source"] == str(cohort_csv)
    assert read_manifest(model_path)["provenance"]["n"] == 800
    json_path = tmp_path / "report.json"
    text_path = tmp_path / "report.txt"
    code = main(["evaluate", str(cohort_csv), "--truth", "true_subtype", "--model", str(model_path),
                 "--json-output", str(json_path), "-o", str(text_path)])
    assert code == 0
    assert "not clinical validation" in text_path.read_text()
    report = json.loads(json_path.read_text())
    assert set(report["systems"]) == {"rules", "model", "hybrid"}
    assert main(["evaluate", str(cohort_csv), "--truth", "true_subtype", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed["systems"]) == {"rules"}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_train_synthetic(tmp_path, capsys) -> None:
    model_path = tmp_path / "synthetic.ccm"
    code = main(["train", "--synthetic", "500", "--seed", "5", "--atypical-rate", "0.1", "-o", str(model_path),
                 "--max-iter", "5"])
    assert code == 0
    prov = read_manifest(model_path)["provenance"]
    assert prov["seed"] == 5 and prov["n"] == 500 and "atypical_rate=0.1" in prov["source"]
    assert "trained on 500 cases" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--threads", "1"], []])
def test_cli_train_threads_reach_the_fit(cohort_csv, tmp_path, monkeypatch, request, argv) -> None:
    """`--threads N` (default: the physical cores, here pretended to be one) limits the native threads the
    gradient boosting sees while it fits; unlimited, it would use two (the limit the test sets around it,
    in place of the suite's one thread)."""
    import joblib
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    from threadpoolctl import threadpool_limits

    from calcinosis_classify import cli

    assert cli._physical_cores() == joblib.cpu_count(only_physical_cores=True)
    if joblib.cpu_count(only_physical_cores=True) < 2:
        pytest.skip("needs two physical cores to tell a limit of one from no limit")
    outer = threadpool_limits(limits=2, user_api="openmp")
    request.addfinalizer(outer.restore_original_limits)
    unlimited = _openmp_effective_n_threads()
    assert unlimited == 2
    seen: list[int] = []
    fit = HistGradientBoostingClassifier.fit

    def recording_fit(self, *args, **kwargs):
        seen.append(_openmp_effective_n_threads())
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", recording_fit)
    monkeypatch.setattr(cli, "_physical_cores", lambda: 1)
    assert main(["train", str(cohort_csv), "-o", str(tmp_path / "m.ccm"), "--max-iter", "5", "-q", *argv]) == 0
    assert seen and set(seen) == {1}
    assert _openmp_effective_n_threads() == unlimited  # the limit ends with the fit


def test_threads_must_be_positive(cohort_csv, tmp_path, capsys) -> None:
    assert main(["train", str(cohort_csv), "-o", str(tmp_path / "m.ccm"), "--threads", "0", "-q"]) == 2
    assert "--threads must be at least 1, got 0" in capsys.readouterr().err
    with pytest.raises(ValueError, match="threads must be at least 1"):
        train(pd.read_csv(cohort_csv), threads=0)


def test_cli_exit_codes(cohort_csv, tmp_path, capsys) -> None:
    model_path = tmp_path / "m.ccm"
    assert main(["train", str(cohort_csv), "--synthetic", "10", "-o", str(model_path)]) == 2
    assert main(["train", "-o", str(model_path)]) == 2
    assert main(["train", str(cohort_csv), "-o", str(model_path), "--truth", "nope", "-q"]) == 2
    assert main(["evaluate", str(cohort_csv), "--truth", "nope"]) == 2
    bad = tmp_path / "bad.ccm"
    bad.write_bytes(b"\x80\x04junk")
    assert main(["evaluate", str(cohort_csv), "--truth", "true_subtype", "--model", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "refusing model file" in err and "Traceback" not in err
    assert not model_path.exists()
    # Unlabelled rows: output written, exit 1.
    frame = pd.read_csv(cohort_csv, dtype=str, keep_default_na=False)
    frame.loc[:9, "true_subtype"] = ""
    partly = tmp_path / "partly.csv"
    frame.to_csv(partly, index=False)
    assert main(["train", str(partly), "-o", str(model_path), "--max-iter", "5", "-q"]) == 1
    assert model_path.exists()
    out = tmp_path / "partly.txt"
    assert main(["evaluate", str(partly), "--truth", "true_subtype", "-o", str(out), "-q"]) == 1
    assert "10 unlabelled rows skipped" in out.read_text()
