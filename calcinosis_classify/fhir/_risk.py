"""Scored rows -> FHIR R4 ``RiskAssessment`` resources (one per patient), as dicts or NDJSON.

Each resource carries the rules' answer for one row of :func:`calcinosis_classify.score`'s output:

* ``subject``: ``Patient/<case_id>`` when the rows came from FHIR (a ``basis`` is given), else a logical
  reference by identifier (``subject.identifier.value`` = the case id, or ``row N`` without one): a CSV
  case id names no FHIR Patient, so no literal reference is made up;
* ``occurrenceDateTime``: the index date the data were read for (``as_of``);
* one ``prediction`` per subtype, in the library's subtype order: ``outcome`` (text and a code of
  :data:`SUBTYPE_SYSTEM`), ``probabilityDecimal`` = the subtype's ``score_<subtype>`` (0-1; a monotone
  rescaling of rule points, **not** a calibrated probability, as ``rationale`` says), and for
  calciphylaxis also ``qualitativeRisk`` = ``calciphylaxis_risk`` in HL7's risk-probability code system;
* ``basis``: references to the resources the reader used for the row;
* ``method``: the library and its version; ``note``: the answer in words, the evidence (rule ids,
  strongest first), the missing inputs that could change it, the row's warnings, and the disclaimer.

The subtype codes are the library's own (:data:`SUBTYPE_SYSTEM`): SNOMED CT has concepts for calcinosis
cutis, but codes for all five subtypes could not be checked against a published source, and a code that
may be wrong is worse than a local one.
"""

from __future__ import annotations

import gzip
import math
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from typing import IO, Any

import orjson
import pandas as pd

from calcinosis_classify._atomic import atomic_path
from calcinosis_classify._version import __version__
from calcinosis_classify.errors import InputError
from calcinosis_classify.knowledge.model import SUBTYPES as _SUBTYPES

__all__ = [
    "METHOD_SYSTEM",
    "RISK_PROBABILITY_SYSTEM",
    "SUBTYPE_SYSTEM",
    "to_risk_assessments",
    "write_risk_assessments",
    "write_risk_assessments_from_file",
]

#: Code system of the ``prediction.outcome`` codes: the subtype names of the library (``dystrophic``,
#: ``metastatic``, ``idiopathic``, ``iatrogenic``, ``calciphylaxis``).
SUBTYPE_SYSTEM = "urn:calcinosis-classify:subtype"
#: Code system of ``method``: code ``rules``, with the library version in ``Coding.version``.
METHOD_SYSTEM = "urn:calcinosis-classify:method"
#: HL7's code system for ``prediction.qualitativeRisk`` (value set risk-probability, FHIR R4):
#: ``negligible``, ``low``, ``moderate``, ``high``, ``certain``.
RISK_PROBABILITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/risk-probability"

_OUTCOME_TEXT = {s: f"{s} calcinosis cutis" for s in _SUBTYPES} | {"calciphylaxis": "calciphylaxis"}
_RISK_DISPLAY = {"low": "Low likelihood", "moderate": "Moderate likelihood", "high": "High likelihood"}
_RATIONALE = ("score_{s} = 1 - exp(-points/4) of the subtype's rule points (0 without a supporting rule): a "
              "monotone rescaling of rule points, not a calibrated probability; compare within a patient only")
# The output columns a resource reads.
_READ = ("subtype", "differential", *(f"score_{s}" for s in _SUBTYPES), "confidence", "calciphylaxis_risk",
         "urgency", "evidence", "missing", "warnings")
# A namespace for the resource ids: the same subject and index date give the same id.
_ID_NAMESPACE = uuid.UUID("6f1c2a4e-7d3b-5c1e-9a8f-2b4d6e8f0a1c")


# FHIR strings allow no whitespace but space, tab, CR and LF (the R4 ``string`` pattern ``[ \r\n\t\S]+``):
# any other (a no-break space, U+0085, a line separator) becomes a space.
_NOT_FHIR_WHITESPACE = re.compile(r"[^\S \r\n\t]")


def _text(value: Any) -> str:
    """A cell as FHIR-valid text: missing (None, NaN, pandas NA) is empty; other whitespace is a space."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return _NOT_FHIR_WHITESPACE.sub(" ", str(value))


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _as_of_text(as_of: Any) -> str:
    """``as_of`` as a FHIR dateTime (UTC when it has no zone); now when None."""
    stamp = pd.Timestamp.now(tz=UTC) if as_of is None else pd.Timestamp(as_of)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    return stamp.isoformat(timespec="seconds")


# The parts of a prediction that are the same in every resource (shared, never modified).
_OUTCOMES = {s: {"coding": [{"system": SUBTYPE_SYSTEM, "code": s, "display": _OUTCOME_TEXT[s]}],
                 "text": _OUTCOME_TEXT[s]} for s in _SUBTYPES}
_RATIONALES = {s: _RATIONALE.format(s=s) for s in _SUBTYPES}
_RISKS = {r: {"coding": [{"system": RISK_PROBABILITY_SYSTEM, "code": r, "display": d}],
              "text": f"calciphylaxis risk {r}"} for r, d in _RISK_DISPLAY.items()}
_METHOD = {"coding": [{"system": METHOD_SYSTEM, "version": __version__, "code": "rules",
                       "display": "calcinosis_classify rules"}],
           "text": f"calcinosis_classify {__version__}, rules-first calcinosis cutis subtype ranking"}
_CODE = {"text": "calcinosis cutis subtype assessment"}


def _predictions(row: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    out = []
    for s in _SUBTYPES:
        item: dict[str, Any] = {"outcome": _OUTCOMES[s]}
        score = _number(row.get(f"{prefix}score_{s}"))
        if score is not None:
            item["probabilityDecimal"] = score
        if s == "calciphylaxis":
            risk = _RISKS.get(_text(row.get(f"{prefix}calciphylaxis_risk")))
            if risk is not None:
                item["qualitativeRisk"] = risk
        item["rationale"] = _RATIONALES[s]
        out.append(item)
    return out


def _notes(row: dict[str, Any], prefix: str) -> list[dict[str, str]]:
    from calcinosis_classify.assessment import DISCLAIMER

    def get(name: str) -> str:
        return _text(row.get(prefix + name))

    subtype = get("subtype") or "indeterminate"
    summary = (f"Pattern the recorded data fit best: {subtype} (confidence {get('confidence') or 'unknown'}); "
               f"differential: {get('differential').replace(';', ', ') or 'none'}; "
               f"calciphylaxis risk: {get('calciphylaxis_risk') or 'unknown'}; urgency: {get('urgency') or 'unknown'}.")
    evidence = get("evidence").replace(";", ", ")
    missing = get("missing").replace(";", ", ")
    notes = [summary,
             f"Evidence (rules that fired, strongest first): {evidence or 'none'}.",
             ("Missing (unknown inputs that could change the answer, most decisive first): "
              f"{missing}." if missing else "Missing: nothing that could change the answer.")]
    if get("warnings"):
        notes.append(f"Data warnings: {get('warnings')}")
    notes.append(DISCLAIMER)
    return [{"text": t} for t in notes]


def _subject(case_id: str, row_number: int, patient: bool) -> dict[str, Any]:
    if patient and case_id:
        return {"reference": f"Patient/{case_id}"}
    value = case_id or f"row {row_number}"
    return {"identifier": {"value": value}, "display": f"case {value}"}


def _resource(row: dict[str, Any], *, case_id: str, row_number: int, basis: Sequence[str] | None,
              occurrence: str, prefix: str) -> dict[str, Any]:
    subject = _subject(case_id, row_number, basis is not None)
    key = subject.get("reference") or f"case/{subject['identifier']['value']}"
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": str(uuid.uuid5(_ID_NAMESPACE, f"{key}|{occurrence}")),
        "status": "final",
        "method": _METHOD,
        "code": _CODE,
        "subject": subject,
        "occurrenceDateTime": occurrence,
    }
    if basis:
        resource["basis"] = [{"reference": ref} for ref in basis]
    resource["prediction"] = _predictions(row, prefix)
    resource["note"] = _notes(row, prefix)
    return resource


def _case_column(scored: pd.DataFrame, case_column: str | None) -> str | None:
    """The case-id column: the one named, else the one intake reads as the case id (``case_id``, ``ID``...)."""
    if case_column is not None:
        if case_column not in scored.columns:
            raise InputError(f"case_column {case_column!r} is not a column of the scored frame; "
                             f"its columns are {list(scored.columns)[:12]}...")
        return case_column
    from calcinosis_classify.intake import read_cases

    return read_cases(scored.iloc[:0]).columns.get("case_id")


def to_risk_assessments(scored: pd.DataFrame, basis: Sequence[Sequence[str]] | None = None, *,
                        as_of: Any = None, prefix: str = "", case_column: str | None = None,
                        start_row: int = 1) -> Iterator[dict[str, Any]]:
    """One FHIR R4 ``RiskAssessment`` (a JSON-ready dict) per row of a scored frame.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`calcinosis_classify.score` (input columns and output columns); score columns may
        also be text (as read back from a CSV file).
    basis : sequence of sequences of str, optional
        Per row, the ``"ResourceType/id"`` references the reader used (``FhirRead.basis``). When given,
        ``subject`` is the literal reference ``Patient/<case_id>``; when None the rows are taken as
        non-FHIR cases: ``subject`` is a logical reference by identifier and there is no ``basis``.
    as_of : datetime-like, optional
        Index date of the data (``occurrenceDateTime``); default: now (UTC).
    prefix : str
        Prefix of the output column names, as given to ``score``.
    case_column : str, optional
        Column of the case ids; default: the one intake reads as the case id (``case_id``, ``ID``, ...).
    start_row : int
        1-based number of the first row (``row N`` identifies a row without a case id).

    Yields
    ------
    dict
        A ``RiskAssessment`` resource.

    Raises
    ------
    InputError
        When ``basis`` has not one item per row, or ``case_column`` is not a column.
    """
    if basis is not None and len(basis) != len(scored):
        raise InputError(f"basis must have one item per scored row: got {len(basis)} for {len(scored)} rows; "
                         "pass FhirRead.basis of the read that gave the scored cases")
    column = _case_column(scored, case_column)
    occurrence = _as_of_text(as_of)
    wanted = [prefix + name for name in _READ if prefix + name in scored.columns]
    ids = scored[column].map(_text).tolist() if column is not None else [""] * len(scored)
    # Column by column into plain Python lists, then one dict per row (to_dict("records") boxes every cell).
    columns = {name: scored[name].to_numpy(dtype=object).tolist() for name in wanted}
    records = ({name: values[i] for name, values in columns.items()} for i in range(len(scored)))
    for i, row in enumerate(records):
        yield _resource(row, case_id=ids[i], row_number=start_row + i,
                        basis=None if basis is None else basis[i], occurrence=occurrence, prefix=prefix)


def _pairs(scored: pd.DataFrame | Iterable[pd.DataFrame], basis: Any
           ) -> Iterator[tuple[pd.DataFrame, Sequence[Sequence[str]] | None]]:
    """(chunk, its basis) pairs of a frame or of an iterable of frames (with an iterable of bases)."""
    if isinstance(scored, pd.DataFrame):
        yield scored, basis
        return
    bases = iter(basis) if basis is not None else None
    for chunk in scored:
        yield chunk, (next(bases) if bases is not None else None)


def _open_text(path: str, gz: bool) -> IO[bytes]:
    if gz:
        return gzip.GzipFile(path, "wb", compresslevel=1)  # type: ignore[return-value]
    return open(path, "wb")


def _dumps(resource: dict[str, Any]) -> bytes:
    """One NDJSON line (UTF-8, compact, with its newline)."""
    return orjson.dumps(resource, option=orjson.OPT_APPEND_NEWLINE)


def write_risk_assessments(scored: pd.DataFrame | Iterable[pd.DataFrame], path: str,
                           basis: Sequence[Sequence[str]] | Iterable[Sequence[Sequence[str]]] | None = None, *,
                           as_of: Any = None, prefix: str = "", case_column: str | None = None) -> int:
    """Write one ``RiskAssessment`` per scored row to an NDJSON file (``.gz``: gzipped), atomically.

    Parameters
    ----------
    scored : pandas.DataFrame or iterable of DataFrames
        Scored rows (:func:`calcinosis_classify.score`'s output), whole or in chunks.
    path : str
        The NDJSON file to write; it appears only when every resource was written.
    basis : sequence, or iterable of sequences (one per chunk), optional
        ``FhirRead.basis`` of the rows: see :func:`to_risk_assessments`.
    as_of, prefix, case_column
        As for :func:`to_risk_assessments`; every resource gets the same ``occurrenceDateTime``.

    Returns
    -------
    int
        The number of resources written.
    """
    return _write_pairs(_pairs(scored, basis), path, _as_of_text(as_of), prefix, case_column)


def _write_pairs(pairs: Iterable[tuple[pd.DataFrame, Sequence[Sequence[str]] | None]], path: str, occurrence: str,
                 prefix: str, case_column: str | None) -> int:
    written = 0
    with atomic_path(path) as tmp, _open_text(tmp, path.endswith(".gz")) as stream:
        for chunk, chunk_basis in pairs:
            for resource in to_risk_assessments(chunk, chunk_basis, as_of=occurrence, prefix=prefix,
                                                case_column=case_column, start_row=written + 1):
                stream.write(_dumps(resource))
                written += 1
    return written


def write_risk_assessments_from_file(scored_path: str, path: str, basis: Sequence[Sequence[str]] | None = None, *,
                                     as_of: Any = None, prefix: str = "", sep: str | None = None,
                                     chunk_rows: int = 32_768) -> int:
    """Write the ``RiskAssessment`` resources of a scored CSV or Parquet file (``score``'s output file).

    The file is read back in chunks, so memory does not grow with its size.

    Parameters
    ----------
    scored_path : str
        A file written by ``calcinosis-classify score`` (CSV, ``.csv.gz`` or Parquet).
    path : str
        The NDJSON file to write (``.gz``: gzipped), atomically.
    basis : sequence of sequences of str, optional
        ``FhirRead.basis`` of the rows, when they were read from FHIR (see :func:`to_risk_assessments`);
        None for other input: no ``basis``, subject by identifier.
    as_of, prefix
        As for :func:`to_risk_assessments`.
    sep : str, optional
        The CSV delimiter of ``scored_path``; sniffed when omitted.
    chunk_rows : int
        Rows read at a time.

    Returns
    -------
    int
        The number of resources written.
    """
    from calcinosis_classify._reading import open_input

    src = open_input(scored_path, scored_path, sep)
    frames = (table.to_pandas() for table in src.batches(chunk_rows, lambda _position: None))
    return _write_pairs(_sliced(frames, basis), path, _as_of_text(as_of), prefix, None)


def _sliced(frames: Iterable[pd.DataFrame], basis: Sequence[Sequence[str]] | None
            ) -> Iterator[tuple[pd.DataFrame, Sequence[Sequence[str]] | None]]:
    """Each chunk with its slice of ``basis``; the rows and the basis must end together."""
    done = 0
    for frame in frames:
        yield frame, None if basis is None else basis[done:done + len(frame)]
        done += len(frame)
    if basis is not None and len(basis) != done:
        raise InputError(f"basis must have one item per scored row: got {len(basis)} for {done} rows")
