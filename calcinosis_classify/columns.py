"""Problems of the input's columns as a whole, gathered for the reader.

Cell problems travel with their row (the ``warnings`` column, the report). Problems of a whole column do
not belong to any row, so they are collected here: a misspelt header (with the field it probably means), a
unit no field knows, a second column for a field already read, a unit column with nothing beside it,
columns that name no input field (passed through unused), and lesion-site text that no site group
recognises (the site rules cannot use it). :func:`~calcinosis_classify.score` returns them in
``DataFrame.attrs["column_problems"]`` and as a :class:`~calcinosis_classify.errors.InputWarning`; the
command line lists them in its summary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from calcinosis_classify.intake import Intake
from calcinosis_classify.knowledge.sites import SITE_GROUPS

__all__ = ["COLUMN_PROBLEM_KEYS", "column_problems", "unmatched_sites"]

COLUMN_PROBLEM_KEYS = ("column", "field", "code", "value", "rows", "message")
# The free-text field whose words are matched against the site groups.
_SITE_FIELD = "lesion_site"
_SITE_PATTERNS = tuple(re.compile(pattern, re.IGNORECASE) for pattern, _, _ in SITE_GROUPS.values())
# Codes of whole-input problems that only inform: they alone raise no Python warning.
QUIET_CODES = frozenset({"ignored_column"})


@lru_cache(maxsize=8192)
def _names_a_site(text: str) -> bool:
    return any(p.search(text) for p in _SITE_PATTERNS)


def unmatched_sites(intake: Intake) -> Counter[str]:
    """Lesion-site texts (as read: trimmed, lower-case) that match no site group, with their row counts.

    One regular-expression pass per distinct text, so a column of repeated spellings costs little.
    """
    texts = intake.values.get(_SITE_FIELD)
    if texts is None or not len(texts):
        return Counter()
    codes, uniques = pd.factorize(texts, use_na_sentinel=True)
    if not len(uniques):
        return Counter()
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return Counter({str(u): int(c) for u, c in zip(uniques, counts, strict=True) if not _names_a_site(str(u))})


def column_problems(intake: Intake, sites: Mapping[str, int] | None = None) -> list[dict[str, object]]:
    """Every problem of a whole column, as records with the keys of :data:`COLUMN_PROBLEM_KEYS`.

    Parameters
    ----------
    intake : Intake
        The intake of the input (or of its header alone).
    sites : mapping of str to int, optional
        Unmatched lesion-site texts with their row counts; default: :func:`unmatched_sites` of ``intake``.

    Returns
    -------
    list of dict
        ``column`` (as written in the header), ``field`` (the input field concerned, or None), ``code``,
        ``value``, ``rows`` (rows concerned, or None for the column as a whole) and ``message`` (what is
        wrong and what to do).
    """
    out: list[dict[str, object]] = []
    whole = intake.warnings[intake.warnings["row"].isna()]
    warned = set(whole["column"])
    for rec in whole.to_dict("records"):
        out.append({"column": rec["column"], "field": rec["field"], "code": rec["code"], "value": rec["value"],
                    "rows": None, "message": rec["message"]})
    for name in intake.ignored:
        if name not in warned:
            out.append({"column": name, "field": None, "code": "ignored_column", "value": name, "rows": None,
                        "message": f"column {name!r} is not an input field; passed through unused"})
    column = intake.columns.get(_SITE_FIELD, _SITE_FIELD)
    found = unmatched_sites(intake) if sites is None else sites
    for text, rows in sorted(found.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append({"column": column, "field": _SITE_FIELD, "code": "unmatched_site", "value": text, "rows": rows,
                    "message": f"{column} text {text!r} ({rows:,} row{'s' if rows != 1 else ''}) matched no site "
                               f"group, so no site rule can use it; name the body site in English (e.g. "
                               f"'finger', 'elbow', 'thigh', 'lower leg')"})
    return out
