"""The published-case validation set: its shape, and the rules' figures on it pinned so a regression fails.

The floors are the figures measured when the set was assembled and the rules revised (README, "Validation
on published cases"); raise them when the rules improve, never lower them to let a change through.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from calcinosis_classify.cli import main
from calcinosis_classify.evaluation import PUBLISHED_BANNER, evaluate
from calcinosis_classify.schema import FIELD_BY_NAME

ROOT = Path(__file__).resolve().parents[1]
CASES = pd.read_csv(ROOT / "fixtures" / "published_cases.csv", dtype=str, keep_default_na=False)
META = ("source_url", "source_title", "year", "true_subtype", "label_basis", "notes")


def test_the_set_has_the_promised_shape() -> None:
    assert len(CASES) >= 120 and CASES["case_id"].is_unique
    counts = CASES["true_subtype"].value_counts()
    assert all(counts.get(s, 0) >= 15 for s in ("dystrophic", "metastatic", "idiopathic", "iatrogenic"))
    assert counts.get("calciphylaxis", 0) <= 0.4 * len(CASES)
    assert set(CASES["label_basis"]) == {"explicit", "implied"}
    assert (CASES["source_url"].str.startswith("http")).all()
    assert not [c for c in CASES.columns if c not in FIELD_BY_NAME and c not in META]
    # Flags are recorded as stated: 1 present, 0 absent, blank when not mentioned.
    for name in CASES.columns:
        if name in FIELD_BY_NAME and FIELD_BY_NAME[name].kind == "flag":
            assert set(CASES[name]) <= {"", "0", "1"}, name


@pytest.fixture(scope="module")
def report():
    return evaluate(CASES)


def test_rules_figures_do_not_regress(report) -> None:
    rules = report.systems["rules"]
    # Measured: 132/152, 145/152, 38/40 flagged, 5/112 false calls, 10/152 indeterminate.
    assert rules["accuracy"] >= 132 / 152 - 1e-9
    assert rules["top2_accuracy"] >= 145 / 152 - 1e-9
    assert rules["calciphylaxis_flagged"] >= 38 / 40 - 1e-9
    assert rules["false_calciphylaxis_rate"] <= 5 / 112 + 1e-9
    assert rules["indeterminate_rate"] <= 10 / 152 + 1e-9
    assert rules["empty_differential"] == 0


def test_report_says_what_the_set_is_and_splits_by_label_basis(report, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.published and report.banner.startswith(PUBLISHED_BANNER)
    assert set(report.by["groups"]) == {"explicit", "implied"}
    assert sum(g["n"] for g in report.by["groups"].values()) == len(CASES)
    assert main(["evaluate", str(ROOT / "fixtures" / "published_cases.csv"), "--truth", "true_subtype"]) == 0
    out = capsys.readouterr().out
    assert "PUBLISHED CASES" in out and "by label_basis" in out and "calciphylaxis flagged" in out
