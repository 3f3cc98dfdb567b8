"""``read_fhir``: a FHIR R4 Bundle or bulk export -> cases in the input contract, warnings, basis.

The input is streamed (:mod:`._parse`) and folded into per-patient state (:mod:`._reduce`); this module
settles that state against ``as_of`` and the window: which lab result is used, the calcium/phosphate
pairing for Ca×P, which exposures count, the time windows; numbers and units then go through
:func:`calcinosis_classify.read_cases`, so units and plausibility are judged exactly as for CSV input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calcinosis_classify.errors import InputError
from calcinosis_classify.fhir import _columns as C
from calcinosis_classify.fhir._basis import Basis
from calcinosis_classify.fhir._parse import blocks, prefetched
from calcinosis_classify.fhir._reduce import (
    ABSENT,
    ABSENT_REASONS,
    FLAGS,
    LABS,
    STATUS_LABS,
    Reducer,
)
from calcinosis_classify.fhir._state import ACTIVE, TopK
from calcinosis_classify.intake import WARNING_COLUMNS, read_cases
from calcinosis_classify.knowledge.codes import CODE_SYSTEMS, EXPOSURES, PAIR_DAYS
from calcinosis_classify.schema import FIELD_BY_NAME, FIELDS

__all__ = ["FhirRead", "read_fhir"]

_DAY = 86400
_MONTH_DAYS = 365.25 / 12
_STATUS_WORDS = {-1: "low", 0: "normal", 1: "high"}


class FhirRead(NamedTuple):
    """What :func:`read_fhir` returns.

    Attributes
    ----------
    cases : pandas.DataFrame
        One row per patient (first-seen order: Patient resources first, then patients only referred
        to), columns named as the input contract's fields (``case_id`` = the Patient id), numbers in the
        conventional units: ``calcinosis_classify.score(cases)`` scores it as it is.
        ``cases.attrs["as_of"]`` is the index date the data were read for (``YYYY-MM-DD``): ``as_of`` when
        given, else the newest date in the export.
    warnings : pandas.DataFrame
        Columns ``row`` (the patient's row, <NA> for a problem of no patient), ``column`` (the
        resource, ``Observation/o1``, or the file and line), ``field``, ``code`` (see
        :mod:`calcinosis_classify.warning_codes`), ``value``, ``message``; in the order found (kind by
        kind), not sorted by row: ``warnings[warnings["row"] == i]`` are patient ``i``'s.
    basis : Basis
        For each row, a tuple of the resources (``"Observation/o1"``) its values came from: a list-like
        sequence (``basis[i]``, iteration, ``list(basis)``) that builds each tuple when asked, so a
        million patients' references stay compact.
    """

    cases: pd.DataFrame
    warnings: pd.DataFrame
    basis: Basis


def _as_of_seconds(as_of: Any) -> np.int64 | None:
    if as_of is None:
        return None
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of[:10])
        except ValueError as exc:
            raise InputError(f"as_of {as_of!r} is not a date; expected YYYY-MM-DD, e.g. 2024-06-30") from exc
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if not isinstance(as_of, dt.date):
        raise InputError(f"as_of must be a date (YYYY-MM-DD, datetime.date), got {type(as_of).__name__}")
    return np.int64((as_of - dt.date(1970, 1, 1)).days * _DAY)


def read_fhir(source: Any, as_of: Any = None, window_days: int = 90) -> FhirRead:
    """Read a FHIR R4 Bundle or bulk export into cases of the input contract.

    Parameters
    ----------
    source : str, path or dict
        A Bundle (a ``.json`` file, or the parsed dict), one NDJSON file (``.ndjson``, ``.ndjson.gz``)
        or a folder of NDJSON files (a bulk export: ``Patient.ndjson``, ``Observation.ndjson``,
        ``Condition.ndjson``, ``MedicationRequest.ndjson``, ``MedicationStatement.ndjson``,
        ``Procedure.ndjson``, each possibly gzipped; a file is recognised by its resources'
        ``resourceType``, its name is a hint only).
    as_of : str or datetime.date, optional
        The day the cases are assessed (``YYYY-MM-DD``); resources dated after it are not used.
        Default: the newest date in the input.
    window_days : int
        A lab result (or a finished medication, a procedure describing a current state) counts only
        if dated at most this many days before ``as_of``.

    Returns
    -------
    FhirRead
        ``(cases, warnings, basis)``.

    Raises
    ------
    InputError
        The source is missing, unreadable or not FHIR JSON/NDJSON at all; ``as_of`` is not a date;
        ``window_days`` is not a positive number. Everything else becomes a warning.
    """
    if not isinstance(window_days, (int, np.integer)) or isinstance(window_days, bool) or window_days < 1:
        raise InputError(f"window_days must be a positive whole number of days, got {window_days!r}")
    explicit = _as_of_seconds(as_of)
    reducer = Reducer(C.CodeIndex(CODE_SYSTEMS), explicit)

    def warn(code: str, where: str, value: Any, message: str) -> None:
        reducer.warnings.add(-1, where, None, code, value, message)

    for block in prefetched(blocks(source, warn)):
        reducer.feed(block)
    return _settle(reducer, explicit, int(window_days))


def _settle(r: Reducer, explicit: np.int64 | None, window_days: int) -> FhirRead:
    n = r.patients.n
    if explicit is not None:
        as_of = int(explicit)
    elif r.newest != int(C.NO_DATE):
        as_of = r.newest
    else:
        as_of = (dt.date.today() - dt.date(1970, 1, 1)).days * _DAY
    cutoff = as_of - window_days * _DAY
    basis: list[tuple[np.ndarray, str, np.ndarray]] = []
    _whole_input_warnings(r, as_of)
    labs, units, refs = _choose_labs(r, n, cutoff, as_of, window_days)
    r.labs.clear()  # the state is let go as soon as it is settled: the peak is the settling, not the sum
    flags = _flags(r, n, cutoff, basis)
    r.events.clear()
    r.flag_refs.clear()
    values, judged = _judged(_numbers(r, n, as_of, labs, flags), units)
    del labs, units
    cases = _cases(r, n, values, flags)
    del flags
    _status_from_records(r, cases, values, cutoff, refs)
    r.status.clear()
    for lab_refs in refs.values():
        has = np.flatnonzero(lab_refs != b"")
        basis.append((has, "Observation/", lab_refs[has]))
    _intake_warnings(r, judged, refs)
    _missing_patients(r, n, basis)
    cases.attrs["as_of"] = _day(as_of)
    return FhirRead(cases, r.warnings.frame().reindex(columns=list(WARNING_COLUMNS)), Basis(n, basis))


def _intake_warnings(r: Reducer, iw: pd.DataFrame, refs: dict[str, np.ndarray]) -> None:
    """Intake's warnings about the numbers, naming the Observation each number came from."""
    if len(iw):
        rows = iw["row"].to_numpy(dtype="int64", na_value=-1)
        columns = []
        for row, field in zip(rows, iw["field"], strict=True):
            ref = refs.get(field)
            columns.append(f"Observation/{ref[row].decode('utf-8', 'replace')}" if ref is not None and row >= 0
                           and ref[row] else field)
        for code, part in iw.assign(column=columns).groupby("code", sort=False):
            r.warnings.add(part["row"].to_numpy(dtype="int64", na_value=-1), part["column"].to_numpy(dtype=object),
                           part["field"].to_numpy(dtype=object), str(code), part["value"].to_numpy(dtype=object),
                           part["message"].to_numpy(dtype=object))


def _whole_input_warnings(r: Reducer, as_of: int) -> None:
    for (kind, code), (count, example) in r.unknown_codes.items():
        r.warnings.add(-1, kind, None, "fhir_unknown_code", code,
                       f"{kind} code {code} ({count} resource{'s' if count != 1 else ''}, e.g. {example}) is in "
                       f"no code map; not used")
    if r.later:
        day = _day(as_of)
        r.warnings.add(-1, None, None, "fhir_after_as_of", day,
                       f"{r.later} resource date(s) after as_of {day}: those resources are not used")


def _day(seconds: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds))).date().isoformat()


def _refs(prefix: str, ids: np.ndarray) -> pa.Array:
    """Fixed-width ids as ``prefix + id`` strings (an Arrow array: warnings about every patient cost their
    text, not Python objects)."""
    return pc.binary_join_element_wise(prefix, pa.array(ids, type=pa.binary()).cast(pa.string()), "")


def _text(*parts: str | pa.Array) -> pa.Array:
    """Strings and string arrays joined element-wise (the message of many warnings at once)."""
    return pc.binary_join_element_wise(*parts, "")


def _arrow_days(seconds: np.ndarray) -> pa.Array:
    """Dates (seconds since 1970) as ``YYYY-MM-DD`` (an Arrow string array)."""
    days = pa.array((np.asarray(seconds, dtype="int64") // _DAY).astype("datetime64[D]"))
    return pc.strftime(days, format="%Y-%m-%d")


def _choose_labs(r: Reducer, n: int, cutoff: int, as_of: int, window_days: int
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per lab: the value used (raw, in its stated unit), the unit's name (None: no unit) and the id of
    its Observation (``b""``: none)."""
    values: dict[str, np.ndarray] = {}
    units: dict[str, np.ndarray] = {}
    refs: dict[str, np.ndarray] = {}
    slot: dict[str, np.ndarray] = {}
    for name, store in r.labs.items():
        date = store.date[:n, 0]
        old = (date != C.NO_DATE) & (date < cutoff)
        if old.any():
            rows = np.flatnonzero(old)
            days = _arrow_days(date[rows])
            r.warnings.add(rows, _refs("Observation/", store.ids[rows, 0]), name, "fhir_lab_too_old", days,
                           _text(f"{name}: newest result ", days, f" is over {window_days} days before {_day(as_of)}; "
                                 "unknown"))
        slot[name] = np.where((date != C.NO_DATE) & (date >= cutoff), 0, -1)
    if "calcium" in r.labs and "phosphate" in r.labs:
        _pair(r, n, cutoff, slot)
    for name, chosen in slot.items():
        store = r.labs[name]
        spec = FIELD_BY_NAME[name]
        unit_names = np.array([*spec.units, None], dtype=object)
        has = chosen >= 0
        k = np.where(has, chosen, 0)
        rows = np.arange(n)
        values[name] = np.where(has, store.value[rows, k], np.nan)
        unit = store.unit[rows, k].astype("int64")
        units[name] = unit_names[np.where(has & (unit >= 0), unit, len(spec.units))]
        refs[name] = np.where(has, store.ids[rows, k], b"")
        unitless = np.flatnonzero(has & (unit < 0))
        if unitless.size:
            said = pc.cast(pa.array(values[name][unitless]), pa.string())
            r.warnings.add(unitless, _refs("Observation/", refs[name][unitless]), name, "fhir_no_unit", said,
                           _text(f"{name}: ", said, f" has no unit; its unit is inferred as for CSV input (default "
                                 f"{spec.unit})"))
    return values, units, refs


def _pair(r: Reducer, n: int, cutoff: int, slot: dict[str, np.ndarray]) -> None:
    """Calcium and phosphate from draws at most :data:`PAIR_DAYS` apart: the newest such pair within the
    window; with no such pair, the older of the two newest results is not used."""
    ca, ph = r.labs["calcium"], r.labs["phosphate"]
    cd, pd_ = ca.date[:n], ph.date[:n]
    cv, pv = (cd != C.NO_DATE) & (cd >= cutoff), (pd_ != C.NO_DATE) & (pd_ >= cutoff)
    both = np.flatnonzero(cv[:, 0] & pv[:, 0])
    if not both.size:
        return
    c, p = cd[both][:, :, None], pd_[both][:, None, :]
    ok = cv[both][:, :, None] & pv[both][:, None, :] & (np.abs(c - p) <= PAIR_DAYS * _DAY)
    score = np.where(ok, np.minimum(c, p), np.iinfo("int64").min)
    best = score.reshape(both.size, -1).argmax(axis=1)
    paired = ok.reshape(both.size, -1)[np.arange(both.size), best]
    ci, pi = np.divmod(best, pd_.shape[1])
    moved = paired & ((ci != 0) | (pi != 0))
    for rows, i, j in ((both[moved], ci[moved], pi[moved]),):
        slot["calcium"][rows] = i
        slot["phosphate"][rows] = j
        if rows.size:
            a, b = _arrow_days(cd[rows, i]), _arrow_days(pd_[rows, j])
            r.warnings.add(rows, _refs("Observation/", ca.ids[rows, i]), "calcium", "fhir_paired_draws",
                           _text(a, " / ", b),
                           _text("calcium (", a, ") and phosphate (", b, f") used together as the newest draws at "
                                 f"most {PAIR_DAYS} days apart; newer single results not used"))
    lone = both[~paired]
    if lone.size:
        newer_ca = cd[lone, 0] >= pd_[lone, 0]
        slot["phosphate"][lone[newer_ca]] = -1
        slot["calcium"][lone[~newer_ca]] = -1
        dropped = np.where(newer_ca, "phosphate", "calcium")
        which = np.where(newer_ca, ph.ids[lone, 0], ca.ids[lone, 0])
        a, b, d = _arrow_days(cd[lone, 0]), _arrow_days(pd_[lone, 0]), pa.array(dropped.tolist(), pa.string())
        r.warnings.add(lone, _refs("Observation/", which), d, "fhir_unpaired_draws", _text(a, " / ", b),
                       _text("calcium (", a, ") and phosphate (", b, f") were drawn more than {PAIR_DAYS} days "
                             "apart with no closer pair in the window: the older, ", d, ", is not used (so no Ca×P)"))


def _flags(r: Reducer, n: int, cutoff: int, basis: list[tuple[np.ndarray, str, np.ndarray]]) -> np.ndarray:
    """Yes/no/unknown per flag: conditions (and procedures of past events) as recorded, medications and
    procedures of current states when still going on or ended within the window."""
    flags = r.flags[:n].copy()
    for name, store in r.events.items():
        date = store.date[:n, 0]
        counts = (date == ACTIVE) | ((date != C.NO_DATE) & (date >= cutoff))
        j = FLAGS.index(name)
        flags[counts, j] = 1
        rows = np.flatnonzero(counts)
        basis.append((rows, "", store.ids[rows, 0]))
    for rows, which, value, refs in r.flag_refs:
        site = which < 0
        final = np.where(site, 1, flags[rows, np.where(site, 0, which)])
        used = final == value
        basis.append((rows[used], "", refs[used]))
    return flags


def _numbers(r: Reducer, n: int, as_of: int, labs: dict[str, np.ndarray], flags: np.ndarray
             ) -> dict[str, np.ndarray]:
    """The numbers of every row: labs as written (their units beside), the rest in the field's unit."""
    birth = r.patients.birth[:n]
    columns = {"age_years": np.where(birth != C.NO_DATE, (as_of - birth) / (365.25 * _DAY), np.nan)}
    columns.update({name: labs[name] for name in LABS if name in labs})
    onset = np.where(r.onset[:n] != C.NO_DATE, r.onset[:n], np.nan)
    warfarin = flags[:, FLAGS.index("warfarin")] == 1
    start = np.where((r.warfarin_start[:n] != ACTIVE) & warfarin, r.warfarin_start[:n], np.nan)
    columns["warfarin_months"] = np.clip((onset - start) / (_MONTH_DAYS * _DAY), 0, None)
    exposed = (flags[:, [FLAGS.index(f) for f in EXPOSURES]] == 1).any(axis=1)
    when = np.where((r.exposure[:n] != C.NO_DATE) & exposed, r.exposure[:n], np.nan)
    columns["exposure_weeks"] = (onset - when) / (7 * _DAY)
    return columns


def _judged(columns: dict[str, np.ndarray], units: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray],
                                                                                   pd.DataFrame]:
    """Every number in its field's unit, judged as :func:`read_cases` judges CSV input.

    A number stated in a unit of its field and plausible in it is converted here; the rows holding any
    other number (no unit, implausible in its unit) go through ``read_cases`` itself, so the reading of
    units and plausibility is exactly that of CSV input. Returns the values and intake's warnings (``row``
    = the patient's row)."""
    values: dict[str, np.ndarray] = {}
    hard = np.zeros(len(columns["age_years"]), dtype=bool)
    for name, raw in columns.items():
        spec = FIELD_BY_NAME[name]
        assert spec.plausible is not None
        if name in units:
            codes, names = pd.factorize(units[name], use_na_sentinel=True)
            factors = np.array([spec.factor(u) or np.nan for u in names] + [np.nan])[codes]
        else:
            factors = np.ones(raw.size)
        converted = raw * factors
        lo, hi = spec.plausible
        hard |= ~np.isnan(raw) & ~((converted >= lo) & (converted <= hi))
        values[name] = converted
    rows = np.flatnonzero(hard)
    if not rows.size:
        return {**_unknowns(len(hard)), **values}, pd.DataFrame(columns=list(WARNING_COLUMNS))
    sub: dict[str, Any] = {}
    for name, raw in columns.items():
        sub[name] = raw[rows]
        if name in units:
            sub[f"{name}_unit"] = units[name][rows]
    intake = read_cases(pd.DataFrame(sub))
    for name in columns:
        values[name][rows] = intake.values[name]
    warnings = intake.warnings.copy()
    at = warnings["row"].notna()
    warnings.loc[at, "row"] = rows[warnings.loc[at, "row"].to_numpy(dtype="int64")]
    return {**_unknowns(len(hard)), **values}, warnings


def _unknowns(n: int) -> dict[str, np.ndarray]:
    return {f.name: np.full(n, np.nan) for f in FIELDS if f.is_number}


def output_fields(codes: C.CodeIndex | None = None) -> list[str]:
    """The columns of ``read_fhir(...).cases``: the contract's fields, and the optional extensions the
    code maps can fill (plus ``warfarin_months`` and ``exposure_weeks``)."""
    codes = codes or C.CodeIndex(CODE_SYSTEMS)
    mapped = {f for e in codes.entries for f in e.fields} | {"warfarin_months", "exposure_weeks"}
    return [f.name for f in FIELDS if f.contract or f.name in mapped]


def _cases(r: Reducer, n: int, values: dict[str, np.ndarray], flags: np.ndarray) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    sex = np.array(["M", "F", None], dtype=object)
    sites = np.array([*r.sites, None], dtype=object)
    for name in output_fields():
        spec = FIELD_BY_NAME[name]
        if name == "case_id":
            columns[name] = np.array(r.patients.ids, dtype=object)
        elif name == "sex":
            columns[name] = sex[np.where(r.patients.sex[:n] >= 0, r.patients.sex[:n], 2)]
        elif name == "lesion_site":
            columns[name] = sites[np.where(r.site[:n] >= 0, r.site[:n], len(r.sites))]
        elif spec.kind == "flag":
            f = flags[:, FLAGS.index(name)]
            columns[name] = _nullable(f)
        elif spec.kind == "status":
            columns[name] = np.full(n, None, dtype=object)
        elif spec.is_number:
            columns[name] = values[name]
            if name in LABS:
                # The numbers are already in the field's unit, settled as for CSV input (see _judged): saying
                # so keeps score() from judging a value again, e.g. taking a creatinine of 20.02 mg/dL (1,770
                # µmol/L as exported), above the plausible range in mg/dL, for µmol/L.
                columns[f"{name}_unit"] = np.where(np.isnan(values[name]), np.array(None, dtype=object),
                                                   np.array(spec.unit, dtype=object))
        else:
            columns[name] = np.full(n, None, dtype=object)
    return pd.DataFrame(columns)


def _nullable(flag: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(flag >= 0, flag, 0).astype("int8"), flag < 0)


def _status_from_records(r: Reducer, cases: pd.DataFrame, values: dict[str, np.ndarray], cutoff: int,
                         refs: dict[str, np.ndarray]) -> None:
    """``<lab>_status`` from the newest qualitative record (interpretation H/L/N) when no number is
    used; a newest record that says the data are absent gets a warning."""
    n = len(cases)
    for name in STATUS_LABS:
        store: TopK | None = r.status.get(name)
        if store is None:
            continue
        date = store.date[:n, 0]
        code = store.value[:n, 0]
        use = (date != C.NO_DATE) & (date >= cutoff) & ~np.isfinite(values[name])
        ids = store.ids[:n, 0]
        words = np.array([_STATUS_WORDS.get(int(c)) if np.isfinite(c) and c < ABSENT else None for c in code[use]],
                         dtype=object)
        rows = np.flatnonzero(use)
        status = cases[f"{name}_status"].to_numpy(dtype=object, copy=True)
        status[rows] = words
        cases[f"{name}_status"] = status
        said = rows[~pd.isna(words)]
        ref = refs.setdefault(name, np.full(n, b"", dtype=ids.dtype))
        if ref.dtype.itemsize < ids.dtype.itemsize:
            ref = refs[name] = ref.astype(ids.dtype)
        ref[said] = ids[said]
        absent = rows[pd.isna(words)]
        if absent.size:
            reasons = [ABSENT_REASONS[int(c) - ABSENT] for c in code[absent]]
            r.warnings.add(absent, _refs("Observation/", ids[absent]), name,
                           "fhir_data_absent", reasons,
                           [f"{name}: the newest result says the data are absent ({why}); {name} is unknown"
                            for why in reasons])


def _missing_patients(r: Reducer, n: int, basis: list[tuple[np.ndarray, str, np.ndarray]]) -> None:
    has = r.patients.has_patient[:n]
    rows = np.flatnonzero(has)
    ids = np.array(r.patients.ids, dtype=object)
    basis.append((rows, "Patient/", ids[rows]))
    missing = np.flatnonzero(~has)
    if not r.seen_patient and n:
        r.warnings.add(-1, None, None, "fhir_no_patients", None,
                       "the input has no Patient resources: every patient's age and sex are unknown")
    if missing.size:
        said = pa.array(ids[missing], type=pa.string())
        r.warnings.add(missing, _text("Patient/", said), None, "fhir_patient_not_found", said,
                       _text("Patient/", said, " is referred to but not in the input: the patient gets a row, age "
                                           "and sex unknown"))
