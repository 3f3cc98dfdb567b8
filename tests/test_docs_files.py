"""The files and README statements a user relies on to interpret and cite the output."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import pytest

from calcinosis_classify import __version__, classify
from calcinosis_classify.engine import _SCORE_SCALE

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_license_file_is_the_mit_license_pyproject_declares() -> None:
    """Regression: pyproject said MIT but the repository had no LICENSE file."""
    assert PYPROJECT["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def test_citation_file_names_the_current_version_and_license() -> None:
    """Regression: there was no CITATION.cff to cite the software by."""
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^cff-version: 1\.2\.0$", cff, re.M)
    assert re.search(rf'^version: "{re.escape(__version__)}"$', cff, re.M)
    assert re.search(r"^license: MIT$", cff, re.M)


def test_notebooks_extra_installs_what_the_readme_runs_them_with() -> None:
    """Regression: the `notebooks` extra had no way to run a notebook from the README's instructions
    (nbconvert / a Jupyter front end was missing)."""
    extra = " ".join(PYPROJECT["project"]["optional-dependencies"]["notebooks"])
    for package in ("nbconvert", "nbclient", "ipykernel", "matplotlib"):
        assert package in extra
    assert "jupyter nbconvert --to html --execute" in README and "jupyter execute" in README


def test_readme_explains_how_to_read_the_output() -> None:
    """Regression: the README did not say what confidence levels mean, that scores are not probabilities,
    what puts a subtype in the differential, how risk and urgency are meant, the minimum inputs, or the
    limits."""
    section = README.split("## Reading the output")[1].split("\n## ")[0]
    for phrase in ("**`confidence`**", "**not probabilities**", "**`differential`**", "**`calciphylaxis_risk`**",
                   "**`urgency`**", "The minimum for a confident answer", "**Limits.**", "English"):
        assert phrase in section


def test_readme_score_formula_is_the_engines() -> None:
    assert "`1 − exp(−points / 4)`" in README and _SCORE_SCALE == 4.0
    assert f"{1 - math.exp(-4 / _SCORE_SCALE):.2f}" == "0.63" and f"{1 - math.exp(-7 / _SCORE_SCALE):.2f}" == "0.83"


@pytest.mark.parametrize("case, confidence", [
    # Phosphate unknown: low, however strong the rest.
    ({"age_years": 58, "calcium": 9.4, "egfr": 90, "autoimmune_disease": "yes", "lesion_site": "fingers"}, "low"),
    # Everything but the kidney: moderate.
    ({"age_years": 58, "calcium": 9.4, "phosphate": 3.5, "autoimmune_disease": "yes", "lesion_site": "fingers"},
     "moderate"),
    ({"age_years": 58, "calcium": 9.4, "phosphate": 3.5, "egfr": 90, "autoimmune_disease": "yes",
      "lesion_site": "fingers"}, "high"),
])
def test_confidence_levels_as_the_readme_defines_them(case: dict, confidence: str) -> None:
    assert classify(case).confidence == confidence
