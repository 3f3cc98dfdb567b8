"""Vectorised access to the elements of a block (:mod:`._parse`): dates, codes, references.

Each function takes Arrow arrays of one block and returns numpy arrays, one value per resource; the
text a function has to look at in Python (a code, a reference) is dictionary-encoded first, so Python
sees each distinct spelling once per block.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calcinosis_classify.fhir_codes import normalise_code
from calcinosis_classify.knowledge.codes import CODE_SYSTEMS, CodeMap

NO_DATE = np.int64(-(2**62))
"""Date sentinel (seconds since 1970): no date."""

_FORMATS = (("%Y-%m-%dT%H:%M:%S", 19, ""), ("%Y-%m-%d", 10, ""), ("%Y-%m-%d", 7, "-15"),
            ("%Y-%m-%d", 4, "-07-01"))


def seconds(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """FHIR dates/dateTimes as int64 seconds since 1970 (time zone ignored; ``YYYY-MM`` = the 15th,
    ``YYYY`` = 1 July); :data:`NO_DATE` where absent or unreadable."""
    out = np.full(len(values), NO_DATE, dtype="int64")
    todo = pc.is_valid(values)
    for fmt, width, suffix in _FORMATS:
        if not pc.any(todo).as_py():
            break
        text = pc.utf8_slice_codeunits(values, 0, width)
        if width < 10:
            text = pc.if_else(pc.equal(pc.utf8_length(values), width), text, pa.scalar(None, pa.string()))
            text = pc.binary_join_element_wise(text, pa.scalar(suffix), "")
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        hit = pc.and_(todo, pc.is_valid(parsed))
        mask = _np_bool(hit)
        if mask.any():
            out[mask] = _np_int(parsed.cast(pa.int64()))[mask]
            todo = pc.and_(todo, pc.invert(hit))
    return out


def _np_bool(values: Any) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _np_int(values: Any) -> np.ndarray:
    return np.asarray(pc.fill_null(values, 0).to_numpy(zero_copy_only=False), dtype="int64")


def coalesce_dates(*columns: Any) -> np.ndarray:
    """The first of several date elements that is present, in seconds."""
    return seconds(pc.coalesce(*columns))


def text(values: Any) -> np.ndarray:
    """Strings as an object array (None where absent)."""
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)


def encoded(values: Any) -> tuple[np.ndarray, list[Any]]:
    """Dictionary codes (-1 = null) and the distinct values as Python objects."""
    enc = pc.dictionary_encode(values)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks else pa.array([], pa.dictionary(pa.int32(), pa.string()))
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype="int64")
    return codes, enc.dictionary.to_pylist()


def field(array: Any, *path: str) -> Any:
    """A nested element (``field(table["subject"], "reference")``), null where a parent is null."""
    for name in path:
        array = pc.struct_field(array, name)
    return array


# --------------------------------------------------------------------------- codes


class CodeIndex:
    """The code maps of :mod:`calcinosis_classify.knowledge.codes`, looked up by (system, code) with the
    rules of :func:`calcinosis_classify.fhir_codes.lookup` (codes compared after ``normalise_code``; an
    exact entry wins, then the longest prefix entry), cached per distinct code.
    """

    def __init__(self, systems: Mapping[str, tuple[CodeMap, ...]] = CODE_SYSTEMS):
        self.entries: list[CodeMap] = []
        self.exact: dict[tuple[str, str], int] = {}
        self.prefix: dict[str, dict[str, int]] = {}
        for system, table in systems.items():
            for entry in table:
                k = len(self.entries)
                self.entries.append(entry)
                key = normalise_code(system, entry.code)
                self.exact.setdefault((system, key), k)
                if entry.match == "prefix":
                    self.prefix.setdefault(system, {}).setdefault(key, k)
        self.find = functools.lru_cache(maxsize=65536)(self._find)

    def _find(self, system: str | None, code: str | None) -> int:
        if not system or not code:
            return -1
        key = normalise_code(system, code)
        hit = self.exact.get((system, key))
        if hit is not None:
            return hit
        prefixes = self.prefix.get(system)
        if prefixes:
            for cut in range(len(key) - 1, 0, -1):
                hit = prefixes.get(key[:cut])
                if hit is not None:
                    return hit
        return -1

    def codings(self, concepts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """Every coding of a CodeableConcept column.

        Returns
        -------
        parent : numpy.ndarray
            The resource (position in the block) of each coding.
        entry : numpy.ndarray
            The map entry it matches (index into :attr:`entries`), -1 for none.
        key : numpy.ndarray
            Index into ``keys`` of the coding's ``system|code``.
        keys : list of str
            The distinct ``system|code`` spellings.
        """
        codings = pc.struct_field(concepts, "coding")
        if isinstance(codings, pa.ChunkedArray):
            codings = codings.combine_chunks()
        parent = np.asarray(pc.list_parent_indices(codings).to_numpy(zero_copy_only=False), dtype="int64")
        flat = pc.list_flatten(codings)
        system = pc.fill_null(pc.struct_field(flat, "system"), "")
        code = pc.fill_null(pc.struct_field(flat, "code"), "")
        key, keys = encoded(pc.binary_join_element_wise(system, code, "|"))
        looked = np.array([self.find(*k.split("|", 1)) if k else -1 for k in keys] + [-1], dtype="int64")
        return parent, looked[key], key, [k if k else "|" for k in keys]


def first_codings(concepts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each concept's first coding: ``code`` and ``display`` (None where absent), and its ``text``, as
    object arrays of one value per concept."""
    n = len(concepts)
    code = np.full(n, None, dtype=object)
    display = np.full(n, None, dtype=object)
    if n == 0:
        return code, display, code.copy()
    codings = pc.struct_field(concepts, "coding")
    if isinstance(codings, pa.ChunkedArray):
        codings = codings.combine_chunks()
    parent = np.asarray(pc.list_parent_indices(codings).to_numpy(zero_copy_only=False), dtype="int64")
    if parent.size:
        rows, first = np.unique(parent, return_index=True)
        flat = pc.list_flatten(codings)
        code[rows] = text(pc.struct_field(flat, "code"))[first]
        display[rows] = text(pc.struct_field(flat, "display"))[first]
    return code, display, text(pc.struct_field(concepts, "text"))


def concept_words(concepts: Any) -> np.ndarray:
    """Each concept's text, else its first coding's display, else its first code (None: none)."""
    code, display, words = first_codings(concepts)
    out = words.copy()
    for other in (display, code):
        gap = pd.isna(out)
        out[gap] = other[gap]
    return out


def first_of_each_list(lists: Any) -> tuple[np.ndarray, pa.Array]:
    """The rows of a list column that hold at least one element, and the first element of each."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    parent = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), dtype="int64")
    rows, first = np.unique(parent, return_index=True)
    return rows, pc.list_flatten(lists).take(pa.array(first, pa.int64()))


def list_first_codes(concept_lists: Any) -> np.ndarray:
    """The first coding's ``code`` of the first concept of each list of concepts (``interpretation``)."""
    out = np.full(len(concept_lists), None, dtype=object)
    rows, firsts = first_of_each_list(concept_lists)
    if rows.size:
        out[rows] = first_codings(firsts)[0]
    return out


def list_first_words(concept_lists: Any) -> np.ndarray:
    """:func:`concept_words` of the first concept of each list of concepts (``bodySite``)."""
    out = np.full(len(concept_lists), None, dtype=object)
    rows, firsts = first_of_each_list(concept_lists)
    if rows.size:
        out[rows] = concept_words(firsts)
    return out


def fixed_ids(values: Any) -> np.ndarray:
    """Resource ids as a fixed-width bytes array (UTF-8; absent = empty), built in Arrow when every id is
    ASCII (bulk exports), else one id at a time."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = pc.fill_null(values, "")
    if len(values) == 0:
        return np.zeros(0, dtype="S1")
    width = max(1, pc.max(pc.binary_length(values)).as_py() or 1)
    if pc.all(pc.string_is_ascii(values)).as_py() is not False:
        fixed = pc.utf8_rpad(values, width, "\x00").cast(pa.binary()).cast(pa.binary(width))
        data = np.frombuffer(fixed.buffers()[1], dtype=f"S{width}", count=fixed.offset + len(fixed))
        return data[fixed.offset:].copy()
    encoded = [v.encode("utf-8") for v in values.to_pylist()]
    return np.array(encoded, dtype=f"S{width}")
