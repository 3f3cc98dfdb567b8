"""``calcinosis-classify score`` of a FHIR input: read it (:func:`read_fhir`), then score the cases with the
batch scorer, one output row per patient, the FHIR warnings first in ``--report``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from calcinosis_classify._atomic import atomic_path
from calcinosis_classify.batch import REPORT_COLUMNS, BatchSummary, score_file
from calcinosis_classify.fhir._read import FhirRead, read_fhir

__all__ = ["is_fhir_input", "report_rows", "score_fhir"]

_NDJSON = (".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")


def is_fhir_input(path: str) -> bool:
    """Whether ``path`` looks like FHIR input: a folder, an NDJSON file or a ``.json`` file (a Bundle)."""
    if path == "-":
        return False
    name = path.lower()
    return os.path.isdir(path) or name.endswith((*_NDJSON, ".json"))


def report_rows(read: FhirRead) -> pd.DataFrame:
    """The FHIR warnings in the columns of ``--report`` (``input_row`` = 1-based patient row)."""
    w = read.warnings
    rows = w["row"]
    ids = read.cases["case_id"].to_numpy(dtype=object)
    case_id = [None if pd.isna(r) else ids[int(r)] for r in rows]
    return pd.DataFrame({"input_row": rows + 1, "case_id": case_id, "column": w["column"], "value": w["value"],
                         "problem": w["message"], "code": w["code"], "field": w["field"]},
                        columns=list(REPORT_COLUMNS))


def score_fhir(input: str, output: str = "-", *, as_of: Any = None, window_days: int = 90,
               report: str | None = None, fhir_out: str | None = None, **options: Any) -> BatchSummary:
    """Score a FHIR Bundle or bulk export: one output row per patient.

    Parameters
    ----------
    input : str
        As for :func:`calcinosis_classify.fhir.read_fhir`.
    output : str
        As for :func:`calcinosis_classify.batch.score_file`.
    as_of, window_days
        As for :func:`calcinosis_classify.fhir.read_fhir`.
    report : str, optional
        Write every data problem to this CSV (``-``: standard error): the FHIR warnings first (``column``
        names the resource, ``input_row`` the patient's row), then those of scoring.
    fhir_out : str, optional
        Also write one FHIR ``RiskAssessment`` per patient to this NDJSON file (subject ``Patient/<id>``,
        ``basis`` = the resources used; ``occurrenceDateTime`` = the index date the data were read for:
        ``as_of``, or the newest date in the export), read back from ``output``, which must then be a file.
    **options
        Passed to :func:`calcinosis_classify.batch.score_file` (units, thresholds, model, ...).

    Returns
    -------
    BatchSummary
        ``problems`` counts the FHIR warnings too.

    Raises
    ------
    InputError
        The input is unreadable as a whole (see :func:`read_fhir`), or as for ``score_file``.
    """
    read = read_fhir(input, as_of=as_of, window_days=window_days)
    with tempfile.TemporaryDirectory(prefix="calcinosis-fhir-") as tmp:
        cases = Path(tmp) / "cases.parquet"
        read.cases.to_parquet(cases, index=False)
        scoring_report = str(Path(tmp) / "report.csv") if report is not None else None
        summary = score_file(str(cases), output, report=scoring_report, **options)
        if fhir_out is not None:
            from calcinosis_classify.fhir._risk import write_risk_assessments_from_file

            write_risk_assessments_from_file(output, fhir_out, read.basis, as_of=read.cases.attrs["as_of"],
                                             prefix=options.get("prefix", ""), sep=options.get("out_sep"))
        fhir_rows = report_rows(read)
        if report is not None:
            assert scoring_report is not None
            later = pd.read_csv(scoring_report, dtype=object, keep_default_na=False)
            both = pd.concat([fhir_rows.astype(object), later.astype(object)], ignore_index=True)
            if report == "-":
                import sys

                both.to_csv(sys.stderr, index=False)
            else:
                with atomic_path(report) as path:
                    both.to_csv(path, index=False)
    summary.problems += len(fhir_rows)
    with_rows = read.warnings["row"].dropna().unique()
    summary.rows_with_warnings = max(summary.rows_with_warnings, len(with_rows))
    summary.notes.append(f"FHIR input: {len(read.cases)} patients, {len(read.warnings)} FHIR warnings")
    return summary
