"""A synthetic cohort as a FHIR R4 Bulk Data export (one NDJSON file per resource type).

:func:`write_synthetic_export` turns the rows of :func:`calcinosis_classify.synthetic.generate_cohort`
into ``Patient``, ``Observation``, ``Condition``, ``MedicationRequest`` and ``Procedure`` resources the
way an EHR would hold them, and returns (and writes beside the files, as ``cohort.csv``) the input-contract
frame restricted to exactly what the export carries, so the two can be scored and compared.

What the export holds, per patient:

* ``Patient``: ``gender`` from ``sex``; ``birthDate`` such that the age at the index date (``as_of``) is
  ``age_years`` (completed years; infants to the day); the restricted frame has the age the birth date
  gives, days to the index date / 365.25, as a reader computes it;
* per lab field with a LOINC code in :data:`calcinosis_classify.knowledge.codes.LOINC`: the value used,
  dated within ``window_days`` before ``as_of`` (calcium, phosphate and albumin from one draw), in a unit
  picked among the code's UCUM units (mixed units across patients; the value converted and rounded to
  three significant digits), plus zero to two older results with other values; a lab the cohort leaves
  unknown sometimes has a result older than the window only; a lab known only as low/normal/high is an
  ``Observation`` without a value, with ``interpretation`` L/N/H and a ``dataAbsentReason``;
* per yes/no field some code of the maps can express: for a 1, a confirmed ``Condition``, an active
  ``MedicationRequest`` or a ``Procedure`` with a code picked among the codes the maps have for the field
  (codes that set several fields only where all of them are 1); for a 0, sometimes a refuted
  ``Condition`` (the field is then 0) and otherwise nothing (the field is then unknown: an EHR records
  what is present); now and then an entered-in-error ``Condition``, which counts for nothing;
* medication start dates ``warfarin_months`` and ``exposure_weeks`` before the lesion's onset (the frame
  has the durations those dates give); a dialysis session (CPT, ICD-10-PCS) completed within the window,
  or a SNOMED CT dialysis procedure going on since ``dialysis_years`` ago; medications with the route
  their code requires (oral or intravenous for a systemic one);
* the lesion as the maps' calcinosis ``Condition`` (a Condition code that sets no field, e.g. ICD-10-CM
  L94.2) with ``bodySite.text`` = ``lesion_site`` and an onset within 60 days before ``as_of``.

The codes are drawn from the map tables when the export is written, so every code of a table is used
and new entries are used without a change here. A field no table can express stays out of the export and
out of the restricted frame: :func:`export_fields` lists what is in, ``SyntheticExport.left_out`` what
was left out.

Resources are built a chunk of patients at a time with vectorised string operations (pyarrow), so memory
stays flat and 100,000 patients take seconds.
"""

from __future__ import annotations

import gzip as _gzip
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calcinosis_classify._writing import write_frame
from calcinosis_classify.errors import InputError
from calcinosis_classify.knowledge import codes
from calcinosis_classify.knowledge.codes import CodeMap
from calcinosis_classify.schema import FIELD_BY_NAME

__all__ = [
    "DEFAULT_AS_OF",
    "RESOURCE_TYPES",
    "SyntheticExport",
    "export_fields",
    "export_frame",
    "write_synthetic_export",
]

#: Index date of a synthetic export unless one is given (midnight UTC, so ages in days are whole days).
DEFAULT_AS_OF = "2025-06-30T00:00:00+00:00"
RESOURCE_TYPES = ("Patient", "Observation", "Condition", "MedicationRequest", "Procedure")

_LOINC = "http://loinc.org"
_UCUM = "http://unitsofmeasure.org"
_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
_SNOMED = "http://snomed.info/sct"
_CONDITION_SYSTEMS = (_ICD10CM, _SNOMED)
_MEDICATION_SYSTEMS = ("http://www.nlm.nih.gov/research/umls/rxnorm", "http://www.whocc.no/atc")
_PROCEDURE_SYSTEMS = ("http://www.ama-assn.org/go/cpt", "http://www.cms.gov/Medicare/Coding/ICD10")
# The interpretation code written for a status: the first code of the status in the reader's table.
_STATUS_CODES = {word: (next(c for c, v in codes.INTERPRETATION.items() if v == value), word.title())
                 for value, word in ((-1, "low"), (0, "normal"), (1, "high"))}
# Durations the cohort gives and the reader derives: from a medication's or procedure's start to the
# lesion's onset; the exposures whose start feeds exposure_weeks are the reader's.
_MONTH_DAYS = 365.25 / 12
_EXPOSURES = codes.EXPOSURES
_DAY_NS = 86_400 * 10**9
_NO_DATE = np.iinfo(np.int64).min
_SHARED_DRAW = ("calcium", "phosphate", "albumin", "ionized_calcium")  # one blood draw (Ca x P, correction)
_REFUTED_RATE, _ERROR_RATE, _STALE_RATE = 0.35, 0.03, 0.25


# --------------------------------------------------------------------------- which codes say what


@dataclass(frozen=True)
class _Code:
    system: str
    entry: CodeMap

    @property
    def coding(self) -> str:
        """The Coding as JSON text."""
        return json.dumps({"system": self.system, "code": self.entry.code, "display": self.entry.display},
                          ensure_ascii=False, separators=(",", ":"))


def _is_procedure(entry: CodeMap) -> bool:
    """A SNOMED CT entry naming a procedure (dialysis itself) rather than a disorder or status."""
    text = entry.display.lower()
    return "(procedure)" in text or ("dialysis" in text and not any(
        w in text for w in ("dependen", "status", "disease", "disorder", "finding", "encounter")))


def _maps() -> dict[str, dict[str, list[_Code]]]:
    """Per resource type, per input field: the codes of the map tables that set it."""
    out: dict[str, dict[str, list[_Code]]] = {t: {} for t in ("Observation", "Condition", "MedicationRequest",
                                                              "Procedure", "Lesion")}
    for system, table in codes.CODE_SYSTEMS.items():
        for entry in table:
            if system == _LOINC:
                kind = "Observation"
            elif system in _MEDICATION_SYSTEMS:
                kind = "MedicationRequest"
            elif system in _PROCEDURE_SYSTEMS or (system == _SNOMED and _is_procedure(entry)):
                kind = "Procedure"
            else:
                kind = "Condition"
            if kind == "Condition" and not entry.fields:
                # The condition being classified (calcinosis cutis): it sets no field; its bodySite is
                # the lesion site.
                out["Lesion"].setdefault("lesion_site", []).append(_Code(system, entry))
            for name in entry.fields:
                spec = FIELD_BY_NAME.get(name)
                if kind == "Observation" and spec is not None and spec.kind == "lab":
                    out[kind].setdefault(name, []).append(_Code(system, entry))
                elif kind == "Condition" and name == "lesion_site":
                    out["Lesion"].setdefault(name, []).append(_Code(system, entry))
                elif kind != "Observation" and spec is not None and spec.kind == "flag":
                    out[kind].setdefault(name, []).append(_Code(system, entry))
    return out


def export_fields() -> dict[str, tuple[str, ...]]:
    """The input fields a synthetic export can carry and the resource types that carry them.

    Returns
    -------
    dict of str to tuple of str
        ``age_years`` and ``sex`` always; ``lesion_site`` when a Condition code maps to it; a lab (and
        its ``<lab>_status``) when LOINC has a code for it; a yes/no field when a Condition, medication
        or procedure code sets it; ``warfarin_months`` and ``exposure_weeks`` (from the start of the
        medication or procedure to the lesion's onset) when both ends are carried.
    """
    maps = _maps()
    out: dict[str, tuple[str, ...]] = {"age_years": ("Patient",), "sex": ("Patient",)}
    if maps["Lesion"]:
        out["lesion_site"] = ("Condition",)
    for name in maps["Observation"]:
        out[name] = ("Observation",)
        if f"{name}_status" in FIELD_BY_NAME:
            out[f"{name}_status"] = ("Observation",)
    for kind in ("Condition", "MedicationRequest", "Procedure"):
        for name in maps[kind]:
            out[name] = (*out.get(name, ()), kind)
    if maps["Lesion"] and set(out.get("warfarin", ())) & {"MedicationRequest", "Procedure"}:
        out["warfarin_months"] = ("MedicationRequest", "Condition")
    if maps["Lesion"] and any(set(out.get(f, ())) & {"MedicationRequest", "Procedure"} for f in _EXPOSURES):
        out["exposure_weeks"] = ("MedicationRequest", "Procedure", "Condition")
    return out


# --------------------------------------------------------------------------- vectorised JSON lines


def _join(*parts: Any) -> pa.Array:
    """Element-wise concatenation of string arrays and literal strings (every array of one length)."""
    return pc.binary_join_element_wise(*parts, "")


def _json_text(values: np.ndarray) -> pa.Array:
    """Each string as a JSON string literal (quotes included), escaping done once per distinct value."""
    codes_, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    literals = pa.array([json.dumps(str(u), ensure_ascii=False) for u in uniques], type=pa.string())
    return literals.take(pa.array(codes_))


def _strings(values: Any) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _dates(ns: np.ndarray) -> pa.Array:
    """Nanoseconds since the epoch (UTC) as FHIR dateTimes to the second."""
    stamps = pa.array(np.asarray(ns, dtype=np.int64) // 10**9, pa.timestamp("s"))
    # Arrow's cast writes "YYYY-MM-DD hh:mm:ss" (and is far faster than strftime).
    return _join(pc.replace_substring(pc.cast(stamps, pa.string()), " ", "T"), "Z")


def _ref(pids: pa.Array) -> pa.Array:
    return _join('"subject":{"reference":"Patient/', pids, '"}')


def _round3(values: np.ndarray) -> np.ndarray:
    """Three significant digits (laboratory reporting precision)."""
    out = values.astype(float).copy()
    positive = out > 0
    scale = 10.0 ** (2 - np.floor(np.log10(out[positive])))
    # An integer divided by a power of ten is the double nearest the decimal (9.5, 2.37), so the JSON
    # text is the short decimal.
    out[positive] = np.round(out[positive] * scale) / scale
    return out


def _factors(spec_name: str, units: np.ndarray) -> np.ndarray:
    """Per unit text, the factor into the field's canonical unit (NaN for a unit the field does not know;
    1 where no unit is given), looked up once per distinct unit."""
    spec = FIELD_BY_NAME[spec_name]
    codes_, uniques = pd.factorize(pd.Series(units, dtype=object))
    table = np.array([np.nan if (f := spec.factor(str(u))) is None else f for u in uniques] + [1.0])
    return table[codes_]


# --------------------------------------------------------------------------- one chunk


@dataclass
class _Chunk:
    """The resources of one chunk of patients (NDJSON lines per type) and its restricted frame."""

    frame: pd.DataFrame
    lines: dict[str, list[pa.Array]] = field(default_factory=lambda: {t: [] for t in RESOURCE_TYPES})


class _Builder:
    """Builds the resources and restricted frame of one chunk of cohort rows."""

    def __init__(self, cohort: pd.DataFrame, rng: np.random.Generator, as_of_ns: int, window_days: int,
                 maps: dict[str, dict[str, list[_Code]]], first: bool):
        self.cohort, self.rng, self.as_of, self.window = cohort, rng, as_of_ns, window_days
        self.maps, self.n = maps, len(cohort)
        self.pids = _strings(cohort["case_id"].astype(str).to_numpy())
        self.pid_np = cohort["case_id"].astype(str).to_numpy()
        self.out = _Chunk(pd.DataFrame({"case_id": self.pid_np}))
        # The day of the draw the labs come from: within the window, a few days' margin; the first patient
        # of an export has it on the index date, so the newest date in the export is the index date.
        draw_days = rng.integers(0, max(window_days - 5, 1), size=self.n)
        if first and self.n:
            draw_days[0] = 0
        self.draw = as_of_ns - draw_days * _DAY_NS - np.where(draw_days > 0, rng.integers(0, 12, self.n), 0) \
            * 3_600 * 10**9
        self.counter = 0
        self.onset = np.full(self.n, _NO_DATE, dtype=np.int64)  # the lesion's onset (ns), set by lesion()

    def _ids(self, prefix: str, rows: np.ndarray) -> pa.Array:
        self.counter += 1
        return _join(prefix, self.pids.take(pa.array(rows)), f"-{self.counter}-",
                     _strings(np.arange(len(rows))))

    def column(self, name: str) -> np.ndarray:
        if name in self.cohort:
            return self.cohort[name].to_numpy()
        return np.full(self.n, np.nan)

    def build(self) -> _Chunk:
        self.patients()
        for name, table in self.maps["Observation"].items():
            self.lab(name, table)
        self.lesion()
        self.flags()
        return self.out

    # ----------------------------------------------------------------- Patient

    def patients(self) -> None:
        age = self.column("age_years").astype(float)
        sex = self.cohort["sex"].to_numpy(dtype=object) if "sex" in self.cohort else np.full(self.n, None)
        known_age = ~np.isnan(age)
        # Infants' ages are days / 365.25 in the cohort: a birth date to the day; others completed years.
        infant = known_age & (np.abs(age - np.round(age)) > 1e-9)
        as_of_day = np.datetime64(self.as_of, "ns").astype("datetime64[D]")
        birth = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[D]")
        birth[infant] = as_of_day - np.round(age[infant] * 365.25).astype(int)
        adult = known_age & ~infant
        years = as_of_day.astype("datetime64[Y]") - age[adult].astype(int)
        anniversary = years.astype("datetime64[D]") + (as_of_day - as_of_day.astype("datetime64[Y]"))
        birth[adult] = anniversary - self.rng.integers(30, 330, size=int(adult.sum()))
        gender = np.where(pd.Series(sex).eq("F"), "female", np.where(pd.Series(sex).eq("M"), "male", ""))
        gender_part = np.where(gender == "", "", np.char.add(np.char.add(',"gender":"', gender.astype(str)), '"'))
        birth_text = np.datetime_as_string(birth, unit="D")
        birth_part = np.where(known_age, np.char.add(np.char.add(',"birthDate":"', birth_text), '"'), "")
        self.out.lines["Patient"].append(_join('{"resourceType":"Patient","id":"', self.pids, '"',
                                               pa.array(gender_part, pa.string()),
                                               pa.array(birth_part, pa.string()), "}"))
        days = (as_of_day - birth).astype(float)
        # The age the export carries: days from the birth date to the index date / 365.25 (as read).
        self.out.frame["age_years"] = np.where(known_age, days / 365.25, np.nan)
        sex_out = np.full(self.n, None, dtype=object)
        sex_out[gender == "female"], sex_out[gender == "male"] = "F", "M"
        self.out.frame["sex"] = sex_out

    # ----------------------------------------------------------------- labs

    def _observation(self, rows: np.ndarray, codings: pa.Array, when: np.ndarray, tail: pa.Array | str) -> None:
        self.out.lines["Observation"].append(_join(
            '{"resourceType":"Observation","id":"', self._ids("o", rows), '","status":"final",'
            '"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category",'
            '"code":"laboratory"}]}],"code":{"coding":[', codings, "]},",
            _ref(self.pids.take(pa.array(rows))), ',"effectiveDateTime":"', _dates(when), '"', tail, "}"))

    def _quantities(self, field_name: str, conventional: np.ndarray, table: list[_Code], pick: np.ndarray,
                    si_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: a unit among its code's UCUM units (SI where the cohort row is SI, else mostly the
        code's own unit) and the value in it, rounded to three significant digits."""
        spec = FIELD_BY_NAME[field_name]
        units = np.full(len(pick), "", dtype=object)
        for k, code in enumerate(table):
            usable = [u for u in code.entry.units if spec.factor(u) is not None] or [spec.unit or ""]
            rows = np.flatnonzero(pick == k)
            choice = np.where(self.rng.random(len(rows)) < 0.7, 0, self.rng.integers(0, len(usable), len(rows)))
            si = [i for i, u in enumerate(usable) if spec.si_unit and spec.factor(u) == spec.factor(spec.si_unit)]
            if si:
                choice = np.where(si_rows[rows], si[0], choice)
            units[rows] = np.asarray(usable, dtype=object)[choice]
        return _round3(conventional / _factors(field_name, units)), units

    def lab(self, name: str, table: list[_Code]) -> None:
        spec = FIELD_BY_NAME[name]
        raw = self.column(name).astype(float)
        unit_col = pd.Series(self.column(f"{name}_unit"), dtype=object)
        factor = _factors(name, unit_col.to_numpy())
        conventional = raw * np.where(np.isnan(factor), 1.0, factor)
        si_rows = unit_col.eq(spec.si_unit or "").to_numpy() & (spec.si_unit != spec.unit)
        codings = pa.array([c.coding for c in table], pa.string())
        pick = self.rng.integers(0, len(table), size=self.n)
        when = self.draw if name in _SHARED_DRAW else np.maximum(
            self.draw - self.rng.integers(0, 15, self.n) * _DAY_NS, self.as_of - (self.window - 2) * _DAY_NS)
        known = np.flatnonzero(~np.isnan(conventional))
        values = np.full(self.n, np.nan)
        units = np.full(self.n, None, dtype=object)
        if len(known):
            values[known], units[known] = self._quantities(name, conventional[known], table, pick[known],
                                                           si_rows[known])
            self._observation(known, codings.take(pa.array(pick[known])), when[known],
                              self._quantity_json(values[known], units[known]))
            self._older(name, known, conventional[known], table, pick[known], when[known], codings)
        self.out.frame[name] = values
        self.out.frame[f"{name}_unit"] = units
        self._status(name, codings, pick, when, known)
        self._stale(name, codings, pick, known)

    def _quantity_json(self, values: np.ndarray, units: np.ndarray) -> pa.Array:
        unit_json = _json_text(units)
        return _join(',"valueQuantity":{"value":', _strings(values), ',"unit":', unit_json,
                     f',"system":"{_UCUM}","code":', unit_json, "}")

    def _older(self, name: str, rows: np.ndarray, conventional: np.ndarray, table: list[_Code], pick: np.ndarray,
               when: np.ndarray, codings: pa.Array) -> None:
        """Zero to two earlier results per known lab, each with another value (5-30% off)."""
        for step in (1, 2):
            has = self.rng.random(len(rows)) < (0.6 if step == 1 else 0.3)
            sub = rows[has]
            if not len(sub):
                continue
            change = self.rng.uniform(0.05, 0.3, len(sub)) * self.rng.choice([-1.0, 1.0], len(sub))
            old_when = when[has] - self.rng.integers(20, 400, len(sub)) * step * _DAY_NS
            old_values, old_units = self._quantities(name, conventional[has] * (1 + change), table, pick[has],
                                                     np.zeros(len(sub), dtype=bool))
            self._observation(sub, codings.take(pa.array(pick[has])), old_when,
                              self._quantity_json(old_values, old_units))

    def _status(self, name: str, codings: pa.Array, pick: np.ndarray, when: np.ndarray, known: np.ndarray) -> None:
        status_name = f"{name}_status"
        if status_name not in FIELD_BY_NAME:
            return
        status = pd.Series(self.column(status_name), dtype=object)
        rows = np.flatnonzero(status.isin(list(_STATUS_CODES)).to_numpy() & ~np.isin(np.arange(self.n), known))
        frame = np.full(self.n, None, dtype=object)
        frame[rows] = status.to_numpy()[rows]
        self.out.frame[status_name] = frame
        if not len(rows):
            return
        code = np.array([_STATUS_CODES[s][0] for s in frame[rows]])
        display = np.array([_STATUS_CODES[s][1] for s in frame[rows]])
        tail = _join(',"interpretation":[{"coding":[{"system":'
                     '"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"',
                     pa.array(code), '","display":"', pa.array(display), '"}]}],"dataAbsentReason":{"coding":[{'
                     '"system":"http://terminology.hl7.org/CodeSystem/data-absent-reason","code":"unknown",'
                     '"display":"Unknown"}],"text":"numeric result not reported"}')
        self._observation(rows, codings.take(pa.array(pick[rows])), when[rows], tail)

    def _stale(self, name: str, codings: pa.Array, pick: np.ndarray, known: np.ndarray) -> None:
        """Some labs the cohort leaves unknown have a result, but only from before the window."""
        spec = FIELD_BY_NAME[name]
        unknown = np.ones(self.n, dtype=bool)
        unknown[known] = False
        status = self.out.frame.get(f"{name}_status")
        if status is not None:
            unknown &= status.isna().to_numpy()
        rows = np.flatnonzero(unknown & (self.rng.random(self.n) < _STALE_RATE))
        if not len(rows) or spec.reference is None:
            return
        low, high = spec.reference
        values = _round3(self.rng.uniform(low, high, len(rows)))
        when = self.as_of - (self.window + self.rng.integers(1, 300, len(rows))) * _DAY_NS
        self._observation(rows, codings.take(pa.array(pick[rows])), when,
                          self._quantity_json(values, np.full(len(rows), spec.unit, dtype=object)))

    # ----------------------------------------------------------------- history, medications, procedures

    def flags(self) -> None:
        kinds = ("Condition", "MedicationRequest", "Procedure")
        names = sorted({n for kind in kinds for n in self.maps[kind]})
        values = {n: self.column(n).astype(float) for n in names}
        for name in names:
            self.out.frame[name] = np.nan
        for name in names:
            self._flag(name, values)

    def _mark(self, name: str, rows: np.ndarray, value: float) -> None:
        """Record what the export says of a field for some rows: 1 wins over 0 (as the reader has it)."""
        column = self.out.frame[name].to_numpy(dtype=float).copy()
        column[rows] = np.fmax(column[rows], value)
        self.out.frame[name] = column

    def _valid(self, table: list[_Code], values: Mapping[str, np.ndarray]) -> np.ndarray:
        """(rows x codes): the code may be written for the row (every field it sets is 1 there)."""
        ok = np.ones((self.n, len(table)), dtype=bool)
        for k, code in enumerate(table):
            for f in code.entry.fields:
                ok[:, k] &= values.get(f, np.full(self.n, np.nan)) == 1
        return ok

    def _pick(self, valid: np.ndarray) -> np.ndarray:
        """Per row, a random column among the valid ones (-1 where none is)."""
        score = np.where(valid, self.rng.random(valid.shape), -1.0)
        best = score.argmax(axis=1)
        return np.where(score.max(axis=1, initial=-1.0) >= 0, best, -1)

    def _flag(self, name: str, values: Mapping[str, np.ndarray]) -> None:
        value = values[name]
        kinds = [k for k in ("Condition", "MedicationRequest", "Procedure") if name in self.maps[k]]
        which = self.rng.integers(0, len(kinds), self.n)
        for i, kind in enumerate(kinds):
            table = self.maps[kind][name]
            pick = self._pick(self._valid(table, values))
            rows = np.flatnonzero((value == 1) & (which == i) & (pick >= 0))
            for k, code in enumerate(table):  # a code that sets several fields says each of them
                for f in code.entry.fields:
                    if f in self.out.frame:
                        self._mark(f, rows[pick[rows] == k], 1.0)
            self._write(kind, name, table, rows, pick[rows], "confirmed")
        single = [c for c in self.maps["Condition"].get(name, []) if c.entry.fields == (name,)]
        if single:
            draw = self.rng.random(self.n)
            pick = self.rng.integers(0, len(single), self.n)
            refuted = np.flatnonzero((value == 0) & (draw < _REFUTED_RATE))
            self._mark(name, refuted, 0.0)
            self._write("Condition", name, single, refuted, pick[refuted], "refuted")
            noise = np.flatnonzero((value != 1) & (draw > 1 - _ERROR_RATE))
            self._write("Condition", name, single, noise, pick[noise], "entered-in-error")

    def _start(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Start dates (ns) of a medication or procedure. With a lesion onset: the cohort's duration before
        the onset where it gives one (warfarin_months, exposure_weeks), and the frame gets the duration as
        the reader derives it; otherwise a random time before the onset or the index date."""
        days = self.rng.integers(30, 900, len(rows)).astype(float)
        onset = self.onset[rows]
        has_onset = onset != _NO_DATE
        if name == "warfarin" or name in _EXPOSURES:
            column, per = ("warfarin_months", _MONTH_DAYS) if name == "warfarin" else ("exposure_weeks", 7.0)
            given = self.column(column).astype(float)[rows]
            days = np.where(np.isnan(given), days, np.maximum(np.round(given * per), 0))
            if column not in self.out.frame:
                self.out.frame[column] = np.nan
            current = self.out.frame[column].to_numpy(dtype=float).copy()
            # Several exposures: the reader dates exposure_weeks from the latest start.
            pick = np.fmax if name == "warfarin" else np.fmin
            current[rows[has_onset]] = pick(current[rows[has_onset]], days[has_onset] / per)
            self.out.frame[column] = current
        return np.where(has_onset, onset, self.as_of) - days.astype(np.int64) * _DAY_NS

    def _write(self, kind: str, name: str, table: list[_Code], rows: np.ndarray, pick: np.ndarray,
               verification: str) -> None:
        if not len(rows):
            return
        codings = pa.array([c.coding for c in table], pa.string()).take(pa.array(pick))
        subject = _ref(self.pids.take(pa.array(rows)))
        if kind == "Condition":
            self._condition(rows, codings, subject, verification, "")
        elif kind == "MedicationRequest":
            start = _dates(self._start(name, rows))
            route_json = pa.array(_ROUTE_JSON, pa.string()).take(pa.array(self._routes(table, pick)))
            self.out.lines["MedicationRequest"].append(_join(
                '{"resourceType":"MedicationRequest","id":"', self._ids("m", rows),
                '","status":"active","intent":"order","medicationCodeableConcept":{"coding":[', codings, "]},",
                subject, ',"authoredOn":"', start, '","dosageInstruction":[{', route_json,
                '"timing":{"repeat":{"boundsPeriod":{"start":"', start, '"}}}}]}'))
        else:
            self._procedure(name, table, rows, pick, codings, subject)

    def _procedure(self, name: str, table: list[_Code], rows: np.ndarray, pick: np.ndarray, codings: pa.Array,
                   subject: pa.Array) -> None:
        """A procedure: a session code (CPT, ICD-10-PCS) as one completed session within the window; a
        SNOMED CT procedure as ongoing since its start (for dialysis, ``dialysis_years`` ago)."""
        session = np.array([c.system in _PROCEDURE_SYSTEMS for c in table])[pick]
        start = self._start(name, rows)
        if name == "dialysis":
            years = self.column("dialysis_years").astype(float)[rows]
            days = np.round(np.nan_to_num(years) * 365.25).astype(np.int64)
            start = np.where(np.isnan(years), start, self.as_of - days * _DAY_NS)
        ids = self._ids("p", rows)
        for part, status, timing in ((~session, "in-progress", "performedPeriod"), (session, "completed", "")):
            k = np.flatnonzero(part)
            if not len(k):
                continue
            index = pa.array(k)
            if timing:
                when = _join(',"performedPeriod":{"start":"', _dates(start[k]), '"}')
            else:
                recent = self.as_of - self.rng.integers(1, max(self.window - 5, 2), len(k)) * _DAY_NS
                when = _join(',"performedDateTime":"', _dates(recent), '"')
            self.out.lines["Procedure"].append(_join(
                '{"resourceType":"Procedure","id":"', ids.take(index), f'","status":"{status}",'
                '"code":{"coding":[', codings.take(index), "]},", subject.take(index), when, "}"))

    def _routes(self, table: list[_Code], pick: np.ndarray) -> np.ndarray:
        """Per medication, an index into :data:`_ROUTE_JSON`: the route its code requires (a systemic one,
        oral or intravenous, for "systemic"), else oral or none."""
        required = np.array([_ROUTE_INDEX.get(c.entry.route, -1) for c in table] + [-1])[pick]
        free = self.rng.integers(0, 2, len(pick))  # 0: no route, 1: oral
        systemic = self.rng.integers(1, 3, len(pick))  # 1: oral, 2: intravenous
        return np.where(required == -2, systemic, np.where(required >= 0, required, free))

    def _condition(self, rows: np.ndarray, codings: pa.Array, subject: pa.Array, verification: str,
                   extra: pa.Array | str) -> None:
        # A refuted or entered-in-error entry is an encounter diagnosis without a clinical status (FHIR
        # invariants con-3 and con-5); a confirmed one is an active problem-list item.
        clinical = ('"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/'
                    'condition-clinical","code":"active"}]},' if verification == "confirmed" else "")
        category = "problem-list-item" if verification == "confirmed" else "encounter-diagnosis"
        recorded = _dates(self.as_of - self.rng.integers(1, 2000, len(rows)) * _DAY_NS)
        self.out.lines["Condition"].append(_join(
            '{"resourceType":"Condition","id":"', self._ids("c", rows), '",', clinical,
            '"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status",'
            f'"code":"{verification}"}}]}},"category":[{{"coding":[{{"system":'
            f'"http://terminology.hl7.org/CodeSystem/condition-category","code":"{category}"}}]}}],'
            '"code":{"coding":[', codings, "]},", subject, extra, ',"recordedDate":"', recorded, '"}'))

    # ----------------------------------------------------------------- the lesion

    def lesion(self) -> None:
        """The calcinosis Condition (a code the maps give ``lesion_site``) with the site as bodySite text and
        an onset within the window; rows without a site get none (and no onset)."""
        self.onset = np.full(self.n, _NO_DATE, dtype=np.int64)
        table = self.maps["Lesion"].get("lesion_site", [])
        if not table:
            return
        site = pd.Series(self.column("lesion_site"), dtype=object)
        rows = np.flatnonzero((site.notna() & site.astype(str).str.strip().ne("")).to_numpy())
        frame = np.full(self.n, None, dtype=object)
        frame[rows] = site.to_numpy()[rows]
        self.out.frame["lesion_site"] = frame
        if not len(rows):
            return
        self.onset[rows] = self.as_of - self.rng.integers(0, 60, len(rows)) * _DAY_NS
        pick = self.rng.integers(0, len(table), len(rows))
        codings = pa.array([c.coding for c in table], pa.string()).take(pa.array(pick))
        extra = _join(',"bodySite":[{"text":', _json_text(site.to_numpy()[rows]), '}],"onsetDateTime":"',
                      _dates(self.onset[rows]), '"')
        self._condition(rows, codings, _ref(self.pids.take(pa.array(rows))), "confirmed", extra)


def _route_json(route: str) -> str:
    if not route:
        return ""
    code, display = codes.ROUTE_CODES[route]
    return (f'"route":{{"coding":[{{"system":"{_SNOMED}","code":"{code}","display":"{display}"}}],'
            f'"text":{json.dumps(route)}}},')


# Route choices of a medication (index 0: none), and the index a code's required route gives (-2: any
# systemic route, oral or intravenous).
_ROUTE_JSON = ["", _route_json("oral"), _route_json("intravenous")]
_ROUTE_INDEX = {"": -1, "oral": 1, "intravenous": 2, "systemic": -2}


# --------------------------------------------------------------------------- the export


@dataclass(frozen=True)
class SyntheticExport:
    """What :func:`write_synthetic_export` wrote.

    Attributes
    ----------
    directory : pathlib.Path
        The export folder.
    frame : pandas.DataFrame
        The input-contract frame restricted to what the export carries (one row per patient, ``case_id`` =
        Patient id, numbers in the unit they were exported in with ``<lab>_unit`` beside them), plus the
        cohort's ground truth columns; also written as ``cohort.csv`` in the folder.
    counts : dict of str to int
        Resources written per type.
    as_of : str
        The index date the export was written for.
    seconds : float
        Time taken.
    left_out : tuple of str
        The cohort's input fields the export does not carry (no code map expresses them), in cohort order.
    """

    directory: Path
    frame: pd.DataFrame
    counts: dict[str, int]
    as_of: str
    seconds: float
    left_out: tuple[str, ...] = ()


_TRUTH = ("true_subtype", "presentation", "is_atypical", "generator_version", "seed")


def _as_of_ns(as_of: Any) -> tuple[int, str]:
    stamp = pd.Timestamp(as_of)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int(stamp.value), stamp.isoformat()


def _chunks(cohort: pd.DataFrame, as_of: Any, window_days: int, seed: int, chunk_rows: int) -> Iterator[_Chunk]:
    if "case_id" not in cohort:
        raise InputError("the cohort needs a case_id column (generate_cohort gives one); got columns "
                         f"{list(cohort.columns)[:8]}...")
    if window_days < 7:
        raise InputError(f"window_days must be at least 7, got {window_days}")
    ids = cohort["case_id"].astype(str)
    bad = ~ids.str.fullmatch(r"[A-Za-z0-9\-.]{1,64}")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"case_id {ids.iloc[row]!r} (row {row + 1}) cannot be a FHIR Patient id: ids are 1-64 "
                         f"letters, digits, '-' or '.' ({int(bad.sum())} such rows); rename the cases first")
    as_of_ns, _ = _as_of_ns(as_of)
    maps = _maps()
    for k, start in enumerate(range(0, len(cohort), chunk_rows)):
        part = cohort.iloc[start:start + chunk_rows].reset_index(drop=True)
        chunk = _Builder(part, np.random.default_rng([seed, k]), as_of_ns, window_days, maps, k == 0).build()
        for name in _TRUTH:
            if name in part:
                chunk.frame[name] = part[name].to_numpy()
        yield chunk


def export_frame(cohort: pd.DataFrame, *, as_of: Any = DEFAULT_AS_OF, window_days: int = 90, seed: int = 0,
                 chunk_rows: int = 20_000) -> pd.DataFrame:
    """The restricted input-contract frame :func:`write_synthetic_export` would write, without the files.

    Parameters are those of :func:`write_synthetic_export`; the same arguments give the same frame.
    """
    return pd.concat([c.frame for c in _chunks(cohort, as_of, window_days, seed, chunk_rows)],
                     ignore_index=True)


def _ndjson_bytes(lines: pa.Array) -> memoryview:
    """The lines, each ending in a newline, as one block of UTF-8 bytes (no copy per line)."""
    joined = _join(lines, "\n")
    if joined.null_count:
        raise AssertionError("a resource line is null: a part of its template was missing")
    joined = pa.concat_arrays([joined]) if joined.offset else joined
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32, count=len(joined) + 1)
    return memoryview(joined.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def _open(path: Path, gz: bool) -> IO[bytes]:
    if gz:
        return _gzip.GzipFile(path, "wb", compresslevel=1)  # type: ignore[return-value]
    return open(path, "wb")


def _write_files(folder: Path, chunks: Iterator[_Chunk], gz: bool, progress: Callable[[int], None] | None
                 ) -> tuple[dict[str, int], pd.DataFrame]:
    """Write the chunks' resources to one NDJSON file per type in ``folder``: counts and the whole frame."""
    suffix = ".ndjson.gz" if gz else ".ndjson"
    counts = dict.fromkeys(RESOURCE_TYPES, 0)
    frames = []
    files = {t: _open(folder / f"{t}{suffix}", gz) for t in RESOURCE_TYPES}
    try:
        for chunk in chunks:
            for kind, arrays in chunk.lines.items():
                for lines in arrays:
                    if len(lines):
                        files[kind].write(_ndjson_bytes(lines))
                        counts[kind] += len(lines)
            frames.append(chunk.frame)
            if progress is not None:
                progress(sum(len(f) for f in frames))
    finally:
        for f in files.values():
            f.close()
    return counts, pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"case_id": []})


def write_synthetic_export(cohort: pd.DataFrame, directory: str | os.PathLike[str], *,
                           as_of: Any = DEFAULT_AS_OF, window_days: int = 90, seed: int = 0, gzip: bool = False,
                           chunk_rows: int = 20_000,
                           progress: Callable[[int], None] | None = None) -> SyntheticExport:
    """Write a synthetic cohort as a FHIR R4 Bulk Data export folder.

    Parameters
    ----------
    cohort : pandas.DataFrame
        Rows of :func:`calcinosis_classify.synthetic.generate_cohort` (any frame in the input contract
        with a ``case_id``, numbers as floats, flags as 1/0/NaN).
    directory : str or path
        The folder to create (it must not exist, or be empty). Files appear only when all are written.
    as_of : datetime-like
        Index date: the labs used are dated within ``window_days`` before it, and no resource is newer.
    window_days : int
        The look-back window the export is written for (as ``read_fhir``'s ``window_days``).
    seed : int
        Seed of the export's own draws (units, dates, codes, older results, refuted conditions).
    gzip : bool
        Write ``<Type>.ndjson.gz`` instead of ``<Type>.ndjson``.
    chunk_rows : int
        Patients built at a time (the draws depend on it).
    progress : callable, optional
        Called with the number of patients written so far after each chunk.

    Returns
    -------
    SyntheticExport
    """
    import time

    began = time.perf_counter()
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"export folder {target} already exists and is not empty; give a new folder name "
                         "or remove it first")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"output directory does not exist: {parent}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        counts, frame = _write_files(tmp, _chunks(cohort, as_of, window_days, seed, chunk_rows), gzip, progress)
        write_frame(frame, str(tmp / "cohort.csv"))
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    carried = set(export_fields())
    left_out = tuple(c for c in cohort.columns if c in FIELD_BY_NAME and c != "case_id" and c not in carried)
    return SyntheticExport(target, frame, counts, _as_of_ns(as_of)[1], time.perf_counter() - began, left_out)
