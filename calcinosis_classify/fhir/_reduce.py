"""Folding blocks of resources into the per-patient state (:mod:`._state`), one resource type at a time.

Clinical rules applied here (the README's "FHIR input" section documents them):

* Observation: status ``entered-in-error``/``cancelled`` is ignored; the code is looked up in the LOINC
  map; the date is ``effective[x]`` (else ``issued``); a result without a date, with a unit that is not
  a unit of its field, negative, or impossible in every unit of its field is not valid (warning) and
  never chosen; valid results go to the newest-``k`` store of their field, results without a number to
  the qualitative store (``interpretation`` H/L/N, ``dataAbsentReason``).
* Condition: ``entered-in-error`` is ignored; ``refuted`` records its fields as absent (0);
  ``unconfirmed``/``provisional``/``differential`` are not used (warning); otherwise the fields are
  present (1), except that a resolved/inactive/remission condition records a *current state*
  (:data:`CURRENT_STATE`) as absent. Present wins over absent.
* MedicationRequest/MedicationStatement and Procedure: the newest date of each exposure is kept
  (:data:`~._state.ACTIVE` while still going on); whether it counts is decided at the end, against
  ``as_of`` and the window.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calcinosis_classify.fhir import _columns as C
from calcinosis_classify.fhir._parse import Block
from calcinosis_classify.fhir._state import ACTIVE, Patients, TopK, Warnings, _grown, as_ids
from calcinosis_classify.knowledge.codes import CURRENT_STATE, EXPOSURES, INTERPRETATION, ROUTES
from calcinosis_classify.knowledge.codes import DATA_ABSENT_REASONS as ABSENT_REASONS
from calcinosis_classify.schema import FIELD_BY_NAME, FIELDS

LABS = tuple(f.name for f in FIELDS if f.kind == "lab")
STATUS_LABS = tuple(f.name.removesuffix("_status") for f in FIELDS if f.kind == "status")
FLAGS = tuple(f.name for f in FIELDS if f.kind == "flag")
_FLAG_INDEX = {name: k for k, name in enumerate(FLAGS)}
HISTORY = {"calcium": 3, "phosphate": 3}
"""Draws kept per patient (newest first) for the labs that must be paired (Ca×P: at most 7 days apart)."""

ABSENT = 10
"""Qualitative store values: -1/0/1 = low/normal/high; ``ABSENT + k`` = data absent, reason ``k``."""

_IGNORED_STATUS = {"entered-in-error", "cancelled"}
_MED_IGNORED = {"entered-in-error", "cancelled", "draft", "intended", "unknown"}
_MED_ONGOING = {"active", "on-hold"}
_MED_ENDED = {"completed", "stopped"}
_PROC_DONE = {"completed", "in-progress"}
_UNCONFIRMED = {"unconfirmed", "provisional", "differential"}
_RESOLVED = {"inactive", "remission", "resolved"}
_DAY = 86400


class Reducer:
    """All per-patient state of one read, fed block by block."""

    def __init__(self, codes: C.CodeIndex, as_of: np.int64 | None):
        self.codes = codes
        self.as_of_end = None if as_of is None else as_of + _DAY - 1
        self.patients = Patients()
        self.warnings = Warnings()
        self.labs: dict[str, TopK] = {}
        self.status: dict[str, TopK] = {}
        self.events: dict[str, TopK] = {}
        self.flags = np.zeros((0, len(FLAGS)), dtype="int8")
        self.flag_refs: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.site = np.zeros(0, dtype="int32")
        self.site_date = np.zeros(0, dtype="int64")
        self.onset = np.zeros(0, dtype="int64")
        self.warfarin_start = np.zeros(0, dtype="int64")
        self.exposure = np.zeros(0, dtype="int64")
        self.sites: dict[str, int] = {}
        self.unknown_codes: dict[tuple[str, str], list[object]] = {}
        self.newest = int(C.NO_DATE)
        self.later = 0
        self.seen_patient = False
        self._fixed = np.zeros(0, dtype="S1")
        self.patients.listeners.append(self._grow)

    # ------------------------------------------------------------------ state arrays

    def _stores(self) -> list[TopK]:
        return [*self.labs.values(), *self.status.values(), *self.events.values()]

    def _grow(self, capacity: int) -> None:
        for store in self._stores():
            store.grow(capacity)
        self.flags = _grown(self.flags, capacity, -1)
        self.site = _grown(self.site, capacity, -1)
        self.site_date = _grown(self.site_date, capacity, C.NO_DATE)
        self.onset = _grown(self.onset, capacity, C.NO_DATE)
        self.warfarin_start = _grown(self.warfarin_start, capacity, ACTIVE)
        self.exposure = _grown(self.exposure, capacity, C.NO_DATE)

    def _store(self, stores: dict[str, TopK], name: str, k: int = 1) -> TopK:
        store = stores.get(name)
        if store is None:
            store = stores[name] = TopK(k, self.patients.capacity)
        return store

    # ------------------------------------------------------------------ blocks

    def feed(self, block: Block) -> None:
        """Fold one block in, resource type by resource type (patients first)."""
        table = block.table
        kinds, names = C.encoded(table["resourceType"])
        for name in sorted(set(names), key=lambda t: t != "Patient"):
            k = names.index(name)
            part = table.filter(pa.array(kinds == k)) if len(names) > 1 or (kinds < 0).any() else table
            handler = _HANDLERS.get(name)
            if handler is not None:
                handler(self, part)
        missing = kinds < 0
        if missing.any():
            ids = C.text(table["id"].filter(pa.array(missing)))
            self.warnings.add(np.full(ids.size, -1), [f"{block.where}: id {i}" for i in ids], None,
                              "fhir_bad_json", ids, [f"{block.where}: a resource without resourceType (id {i}); "
                                                     f"skipped" for i in ids])

    def _dates(self, dates: np.ndarray) -> np.ndarray:
        """Which dates are usable: present and (with an explicit as_of) not after it; tracks the newest
        (the default as_of: results, conditions, and starts of medications and procedures; not birth dates
        nor planned end dates)."""
        ok = dates != C.NO_DATE
        if self.as_of_end is not None:
            late = ok & (dates > self.as_of_end)
            self.later += int(late.sum())
            ok &= ~late
        if ok.any():
            self.newest = max(self.newest, int(dates[ok].max()))
        return ok

    def subjects(self, table: pa.Table, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """The patient row of each resource (-1: no usable subject, with a warning) and the ids."""
        ids = C.text(table["id"])
        codes, refs = C.encoded(C.field(table["subject"], "reference"))
        pids = [_patient_id(r) for r in refs]
        rows_u, _ = self.patients.rows(pids)
        rows = np.append(rows_u, -1)[codes]
        bad = np.flatnonzero(rows < 0)
        if bad.size:
            said = np.array([*refs, None], dtype=object)[codes[bad]]
            self.warnings.add(np.full(bad.size, -1), [f"{kind}/{i}" for i in ids[bad]], None, "fhir_no_subject",
                              said, [f"{kind}/{i}: subject {s!r} is not a Patient reference; the resource is "
                                     f"not used" if s else f"{kind}/{i}: no subject; the resource is not used"
                                     for i, s in zip(ids[bad], said, strict=True)])
        return rows, ids

    def unknown(self, kind: str, keys: list[str], key: np.ndarray, where: np.ndarray, ids: np.ndarray) -> None:
        """Count resources whose codes map to nothing (one summary warning per code at the end)."""
        if not where.size:
            return
        for k, first in zip(*np.unique(key[where], return_index=True), strict=True):
            spelled = keys[k] if k >= 0 else "(no code)"
            entry = self.unknown_codes.setdefault((kind, spelled), [0, f"{kind}/{ids[where[first]]}"])
            entry[0] = int(entry[0]) + int((key[where] == k).sum())  # type: ignore[call-overload]

    def first_mapped(self, concepts: pa.Array, n: int, kind: str, ids: np.ndarray,
                     keep: np.ndarray) -> np.ndarray:
        """The map entry of each resource's first mapped coding (-1: none; counted as unknown when kept)."""
        parent, entry, key, keys = self.codes.codings(concepts)
        out = np.full(n, -1, dtype="int64")
        hit = entry >= 0
        rows, first = np.unique(parent[hit], return_index=True)
        out[rows] = entry[hit][first]
        self.unknown(kind, keys, _first_per_resource(parent, key, n), np.flatnonzero((out < 0) & keep), ids)
        return out

    def mapped_codings(self, concepts: pa.Array, n: int, kind: str, ids: np.ndarray,
                       keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(resource, map entry) of every mapped coding of the kept resources; a kept resource none of whose
        codings maps is counted as unknown."""
        parent, entry, key, keys = self.codes.codings(concepts)
        mapped = (entry >= 0) & keep[parent] if parent.size else np.zeros(0, dtype=bool)
        some = np.zeros(n, dtype=bool)
        some[parent[mapped]] = True
        self.unknown(kind, keys, _first_per_resource(parent, key, n), np.flatnonzero(keep & ~some), ids)
        return parent[mapped], entry[mapped]

    def set_flags(self, rows: np.ndarray, flags: np.ndarray, values: np.ndarray, refs: np.ndarray) -> None:
        """Record yes/no evidence (present wins over absent), keeping the resource that set each value."""
        if not rows.size:
            return
        width = len(FLAGS)
        before = self.flags.ravel()[rows * width + flags].copy()
        np.maximum.at(self.flags.reshape(-1), rows * width + flags, values.astype("int8"))
        after = self.flags.ravel()[rows * width + flags]
        changed = (values == after) & (after != before)
        if changed.any():
            self.flag_refs.append((rows[changed], flags[changed], values[changed].astype("int8"),
                                   as_ids(refs[changed])))

    # ------------------------------------------------------------------ Patient

    def patient_block(self, table: pa.Table) -> None:
        self.seen_patient = True
        ids = C.text(table["id"])
        gender = C.text(table["gender"])
        birth = C.seconds(table["birthDate"])
        sex = np.array([{"female": 1, "male": 0}.get(g, -1) if g else -1 for g in gender], dtype="int8")
        p = self.patients
        for k, pid in enumerate(ids):
            row = p.index.get(pid) if pid is not None else None
            if row is not None and p.has_patient[row]:
                self.warnings.add(row, f"Patient/{pid}", None, "fhir_duplicate", pid,
                                  f"Patient/{pid} appears more than once; the first is used")
                continue
            if row is None:
                row = p.add(pid)
            if pid is None:
                self.warnings.add(row, "Patient", None, "fhir_no_id", None,
                                  "a Patient without an id: it gets a row, but no resource can refer to it")
            p.has_patient[row] = True
            p.sex[row] = sex[k]
            p.birth[row] = birth[k]

    # ------------------------------------------------------------------ Observation

    def observation_block(self, table: pa.Table) -> None:
        n = table.num_rows
        rows, ids = self.subjects(table, "Observation")
        status = C.text(table["status"])
        keep = (rows >= 0) & ~np.isin(status, list(_IGNORED_STATUS))
        entry = self.first_mapped(table["code"], n, "Observation", ids, keep)
        lab = np.array([LABS.index(e.fields[0]) if e.fields and e.fields[0] in LABS else -1
                        for e in self.codes.entries] + [-1], dtype="int64")[entry]
        keep &= lab >= 0
        dates = C.coalesce_dates(C.field(table["effectivePeriod"], "start"), table["effectiveDateTime"],
                                 table["effectiveInstant"], table["issued"])
        undated = keep & (dates == C.NO_DATE)
        if undated.any():
            where = np.flatnonzero(undated)
            self.warnings.add(rows[where], [f"Observation/{i}" for i in ids[where]],
                              [LABS[j] for j in lab[where]], "fhir_no_date", None,
                              [f"Observation/{i}: no effective date; the result is not used" for i in ids[where]])
        keep &= self._dates(dates)
        self._fixed = C.fixed_ids(table["id"])
        value = C.field(table["valueQuantity"], "value").to_numpy(zero_copy_only=False).astype("float64")
        unit_text = pc.coalesce(C.field(table["valueQuantity"], "code"), C.field(table["valueQuantity"], "unit"))
        ucodes, units = C.encoded(unit_text)
        has_value = ~np.isnan(value)
        for j in np.unique(lab[keep]):
            sel = keep & (lab == j)
            name = LABS[j]
            numeric = sel & has_value
            self._lab_values(name, np.flatnonzero(numeric), rows, ids, dates, value, ucodes, units)
            if name in STATUS_LABS:
                self._lab_status(name, table, np.flatnonzero(sel & ~has_value), rows, ids, dates)

    def _lab_values(self, name: str, where: np.ndarray, rows: np.ndarray, ids: np.ndarray, dates: np.ndarray,
                    value: np.ndarray, ucodes: np.ndarray, units: list[str]) -> None:
        if not where.size:
            return
        spec = FIELD_BY_NAME[name]
        unit_names = list(spec.units)
        assert spec.possible is not None
        lo, hi = spec.possible
        factors = [spec.factor(u) for u in units]
        u_index = np.array([-2 if f is None else _unit_index(unit_names, spec, u)
                            for f, u in zip(factors, units, strict=True)] + [-1], dtype="int64")
        unit = u_index[ucodes[where]]
        v = value[where]
        all_factors = np.array(list(spec.units.values()))
        possible_somewhere = ((v[:, None] * all_factors >= lo) & (v[:, None] * all_factors <= hi)).any(axis=1)
        problems = (("unknown_unit", unit == -2, "unit {u!r} is not a unit of " + name + " (accepted: "
                     + ", ".join(unit_names) + ")"),
                    ("negative", (unit != -2) & (v < 0), "negative value {v:g}"),
                    ("not_finite", (unit != -2) & ~np.isfinite(v), "value {v}"),
                    ("implausible", (unit != -2) & (v >= 0) & np.isfinite(v) & ~possible_somewhere,
                     "value {v:g} is impossible in every unit of " + name))
        good = np.ones(where.size, dtype=bool)
        raw_units = np.array([*units, None], dtype=object)[ucodes[where]]
        for code, bad, text in problems:
            if bad.any():
                b = np.flatnonzero(bad)
                self.warnings.add(rows[where[b]], [f"Observation/{i}" for i in ids[where[b]]], name, code,
                                  [f"{x:g} {u or ''}".strip() for x, u in zip(v[b], raw_units[b], strict=True)],
                                  [f"Observation/{i}: " + text.format(u=u, v=x) + "; the result is not used"
                                   for i, u, x in zip(ids[where[b]], raw_units[b], v[b], strict=True)])
                good &= ~bad
        w = where[good]
        store = self._store(self.labs, name, HISTORY.get(name, 1))
        dup = store.merge(rows[w], dates[w], value[w], unit[good], self._fixed[w])
        self._duplicates("Observation", rows[w[dup]], ids[w[dup]])

    def _lab_status(self, name: str, table: pa.Table, where: np.ndarray, rows: np.ndarray, ids: np.ndarray,
                    dates: np.ndarray) -> None:
        if not where.size:
            return
        part = table.take(pa.array(where))
        interp = C.list_first_codes(part["interpretation"])
        absent = C.first_codings(part["dataAbsentReason"])[0]
        code = np.full(where.size, -99, dtype="int64")
        for k in range(where.size):
            if interp[k] in INTERPRETATION:
                code[k] = INTERPRETATION[interp[k]]
            elif absent[k] is not None:
                reason = absent[k]
                code[k] = ABSENT + (ABSENT_REASONS.index(reason) if reason in ABSENT_REASONS else 0)
        used = code != -99
        if (~used).any():
            b = np.flatnonzero(~used)
            self.warnings.add(rows[where[b]], [f"Observation/{i}" for i in ids[where[b]]], name, "fhir_no_value",
                              None, [f"Observation/{i}: no value, interpretation or dataAbsentReason; not used"
                                     for i in ids[where[b]]])
        w = where[used]
        store = self._store(self.status, name)
        dup = store.merge(rows[w], dates[w], code[used].astype("float64"), np.full(w.size, -1), self._fixed[w])
        self._duplicates("Observation", rows[w[dup]], ids[w[dup]])

    def _duplicates(self, kind: str, rows: np.ndarray, ids: np.ndarray) -> None:
        if rows.size:
            self.warnings.add(rows, [f"{kind}/{i}" for i in ids], None, "fhir_duplicate", ids,
                              [f"{kind}/{i} appears more than once; counted once" for i in ids])

    # ------------------------------------------------------------------ Condition

    def condition_block(self, table: pa.Table) -> None:
        n = table.num_rows
        rows, ids = self.subjects(table, "Condition")
        verification = C.first_codings(table["verificationStatus"])[0]
        clinical = C.first_codings(table["clinicalStatus"])[0]
        keep = (rows >= 0) & (verification != "entered-in-error")
        ids = _dedupe(self, "Condition", rows, ids, keep)
        unconfirmed = keep & np.isin(verification, list(_UNCONFIRMED))
        if unconfirmed.any():
            b = np.flatnonzero(unconfirmed)
            self.warnings.add(rows[b], [f"Condition/{i}" for i in ids[b]], None, "fhir_unconfirmed",
                              verification[b], [f"Condition/{i}: verificationStatus {v!r}; not used as a diagnosis"
                                                for i, v in zip(ids[b], verification[b], strict=True)])
            keep &= ~unconfirmed
        refuted = verification == "refuted"
        resolved = np.isin(clinical, list(_RESOLVED))
        onset = C.coalesce_dates(table["onsetDateTime"], C.field(table["onsetPeriod"], "start"),
                                 table["recordedDate"])
        keep &= self._dates(onset) | (onset == C.NO_DATE)  # recorded after as_of: not known then
        p_all, e_all = self.mapped_codings(table["code"], n, "Condition", ids, keep)
        lesion = np.array([not e.fields or "lesion_site" in e.fields for e in self.codes.entries] + [False])
        calcinosis = np.unique(p_all[lesion[e_all]])  # the calcinosis condition itself (it sets no flag)
        if calcinosis.size:
            self._sites(rows[calcinosis], C.list_first_words(table["bodySite"])[calcinosis], onset[calcinosis],
                        ids[calcinosis])
        flag_lists = [[_FLAG_INDEX[f] for f in entry_.fields if f in _FLAG_INDEX] for entry_ in self.codes.entries]
        counts = np.array([len(x) for x in flag_lists] + [0], dtype="int64")[e_all]
        flat_flags = np.array([j for x in flag_lists for j in x], dtype="int64")
        offsets = np.r_[0, np.cumsum([len(x) for x in flag_lists])]
        p_rep = np.repeat(p_all, counts)
        within = np.arange(p_rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
        f_flags = flat_flags[np.repeat(offsets[e_all], counts) + within] if p_rep.size else np.zeros(0, "int64")
        current = np.isin(np.array(FLAGS, dtype=object)[f_flags], list(CURRENT_STATE)) if p_rep.size else f_flags > 0
        values = np.where(refuted[p_rep] | (resolved[p_rep] & current), 0, 1).astype("int8")
        self.set_flags(rows[p_rep], f_flags, values, np.array([f"Condition/{i}" for i in ids[p_rep]], dtype=object))

    def _sites(self, rows: np.ndarray, words: np.ndarray, onset: np.ndarray, ids: np.ndarray) -> None:
        """``lesion_site`` and the lesion onset from calcinosis conditions: the newest (by onset) wins."""
        blank = pd.isna(words)
        if blank.any():
            b = np.flatnonzero(blank)
            self.warnings.add(rows[b], [f"Condition/{i}" for i in ids[b]], "lesion_site", "fhir_no_body_site", None,
                              [f"Condition/{i}: the calcinosis condition has no bodySite; lesion_site unknown"
                               for i in ids[b]])
        order = np.lexsort((onset, rows))
        last = order[np.r_[rows[order][1:] != rows[order][:-1], True]]
        r = rows[last]
        newer = (self.onset[r] == C.NO_DATE) | (onset[last] >= self.onset[r])
        self.onset[r[newer]] = onset[last][newer]
        said = ~blank
        order = np.lexsort((onset[said], rows[said]))
        r_s, on_s, w_s, id_s = rows[said][order], onset[said][order], words[said][order], ids[said][order]
        last = np.r_[r_s[1:] != r_s[:-1], True] if r_s.size else np.zeros(0, dtype=bool)
        r_s, on_s, w_s, id_s = r_s[last], on_s[last], w_s[last], id_s[last]
        newer = (self.site[r_s] < 0) | (on_s >= self.site_date[r_s])
        if not newer.any():
            return
        r_s, on_s, w_s, id_s = r_s[newer], on_s[newer], w_s[newer], id_s[newer]
        texts, inverse = np.unique(np.array([str(w).strip().lower() for w in w_s], dtype=object), return_inverse=True)
        index = np.array([self.sites.setdefault(t, len(self.sites)) for t in texts], dtype="int32")
        self.site[r_s] = index[inverse]
        self.site_date[r_s] = on_s
        self.flag_refs.append((r_s, np.full(r_s.size, -1), np.ones(r_s.size, dtype="int8"),
                               as_ids([f"Condition/{i}" for i in id_s])))

    # ------------------------------------------------------------------ medications and procedures

    def exposure_block(self, table: pa.Table, kind: str) -> None:
        rows, ids = self.subjects(table, kind)
        status = C.text(table["status"])
        keep = (rows >= 0) & ~np.isin(status, list(_MED_IGNORED if kind != "Procedure" else _IGNORED_STATUS))
        ids = _dedupe(self, kind, rows, ids, keep)
        if kind == "Procedure":
            start = C.coalesce_dates(C.field(table["performedPeriod"], "start"), table["performedDateTime"])
            end = C.coalesce_dates(C.field(table["performedPeriod"], "end"), C.field(table["performedPeriod"],
                                                                                      "start"),
                                   table["performedDateTime"])
            concepts = table["code"]
            ongoing = status == "in-progress"
            done = np.isin(status, list(_PROC_DONE))
            absent = status == "not-done"
            route = np.full(len(ids), None, dtype=object)
        else:
            start = C.coalesce_dates(C.field(table["effectivePeriod"], "start"), table["effectiveDateTime"],
                                     table["authoredOn"], table["dateAsserted"])
            end = C.coalesce_dates(C.field(table["effectivePeriod"], "end"), C.field(table["effectivePeriod"],
                                                                                      "start"),
                                   table["effectiveDateTime"], table["authoredOn"], table["dateAsserted"])
            concepts = table["medicationCodeableConcept"]
            ongoing = np.isin(status, list(_MED_ONGOING))
            done = ongoing | np.isin(status, list(_MED_ENDED))
            absent = status == "not-taken"
            dosage = table["dosageInstruction" if kind == "MedicationRequest" else "dosage"]
            route = _routes(dosage)
        keep &= self._dates(start) | (start == C.NO_DATE)  # started after as_of: not yet; an end may be later
        events: dict[str, list[int]] = {}
        for p, e in zip(*self.mapped_codings(concepts, table.num_rows, kind, ids, keep), strict=True):
            spec = self.codes.entries[e]
            if spec.route and not _route_matches(route[p], spec.route):
                self.warnings.add(rows[p], f"{kind}/{ids[p]}", None, "fhir_route", route[p],
                                  f"{kind}/{ids[p]}: {spec.display} counts only by the {spec.route} route; "
                                  f"route is {route[p] or 'not given'}; not used")
                continue
            for name in spec.fields:
                if name in _FLAG_INDEX and (done[p] or absent[p]):
                    events.setdefault(name, []).append(int(p))
        for name, where_list in events.items():
            self._events(name, kind, np.array(where_list, dtype="int64"), rows, ids, start, end, ongoing,
                         absent, done)

    def _events(self, name: str, kind: str, where: np.ndarray, rows: np.ndarray, ids: np.ndarray,
                start: np.ndarray, end: np.ndarray, ongoing: np.ndarray, absent: np.ndarray,
                done: np.ndarray) -> None:
        refs = np.array([f"{kind}/{i}" for i in ids[where]], dtype=object)
        no = absent[where]
        if no.any():
            self.set_flags(rows[where[no]], np.full(int(no.sum()), _FLAG_INDEX[name]), np.zeros(int(no.sum())),
                           refs[no])
        where, refs = where[~no], refs[~no]
        if kind == "Procedure" and name not in CURRENT_STATE:
            self.set_flags(rows[where], np.full(where.size, _FLAG_INDEX[name]), np.ones(where.size), refs)
            self._starts(name, rows[where], start[where])
            return
        when = np.where(ongoing[where], ACTIVE, end[where])
        dated = when != C.NO_DATE
        where, refs, when = where[dated], refs[dated], when[dated]
        store = self._store(self.events, name)
        store.merge(rows[where], when, np.zeros(where.size), np.full(where.size, -1), as_ids(refs))
        self._starts(name, rows[where], start[where])

    def _starts(self, name: str, rows: np.ndarray, start: np.ndarray) -> None:
        ok = start != C.NO_DATE
        if name == "warfarin":
            np.minimum.at(self.warfarin_start, rows[ok], start[ok])
        elif name in EXPOSURES:
            np.maximum.at(self.exposure, rows[ok], start[ok])


def _unit_index(unit_names: list[str], spec: object, unit: str) -> int:
    from calcinosis_classify.schema import normalise_unit

    key = normalise_unit(unit)
    return next(k for k, u in enumerate(unit_names) if normalise_unit(u) == key)


def _patient_id(ref: str | None) -> str | None:
    """``Patient/p1``, ``https://x/fhir/Patient/p1`` (also with ``/_history/2``) -> ``p1``; other
    references -> None."""
    if not ref:
        return None
    parts = ref.split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] == "Patient" and parts[-1]:
        return parts[-1]
    return None


def _dedupe(reducer: Reducer, kind: str, rows: np.ndarray, ids: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Resources repeated within the block (same type and id): later copies are dropped (``keep``
    updated in place) with a warning."""
    if ids.size < 2:
        return ids
    _, first = np.unique(ids.astype(str), return_index=True)
    repeat = np.ones(ids.size, dtype=bool)
    repeat[first] = False
    repeat &= ~pd.isna(ids)
    if repeat.any():
        reducer._duplicates(kind, rows[repeat], ids[repeat])
        keep &= ~repeat
    return ids


def _first_per_resource(parent: np.ndarray, key: np.ndarray, n: int) -> np.ndarray:
    """The key of each resource's first coding (-1: it has none)."""
    first_key = np.full(n, -1, dtype="int64")
    if parent.size:
        rows, first = np.unique(parent, return_index=True)
        first_key[rows] = key[first]
    return first_key


def _routes(dosage: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """The first dosage's route of each medication (text, display or code, lower case; None: none)."""
    out = np.full(len(dosage), None, dtype=object)
    rows, firsts = C.first_of_each_list(dosage)
    if rows.size:
        code, display, words = C.first_codings(pc.struct_field(firsts, "route"))
        for r, parts in zip(rows, zip(words, display, code, strict=True), strict=True):
            shown = [str(x) for x in parts if x]
            out[r] = " ".join(shown).lower() if shown else None
    return out


def _route_matches(route: str | None, wanted: str) -> bool:
    """Whether a medication's route (its text, display and code, lower case) is the one a code map asks
    for: ``intravenous`` needs an intravenous route; ``systemic`` accepts oral or parenteral routes and a
    medication without a route (systemic use being the rule for the ingredients mapped)."""
    words, if_absent = ROUTES.get(wanted.lower(), (frozenset({wanted.lower()}), False))
    if not route:
        return if_absent
    return not words.isdisjoint(re.split(r"[^0-9a-z]+", route.replace(".", "")))


_HANDLERS = {
    "Patient": Reducer.patient_block,
    "Observation": Reducer.observation_block,
    "Condition": Reducer.condition_block,
    "MedicationRequest": lambda r, t: r.exposure_block(t, "MedicationRequest"),
    "MedicationStatement": lambda r, t: r.exposure_block(t, "MedicationStatement"),
    "Procedure": lambda r, t: r.exposure_block(t, "Procedure"),
}
