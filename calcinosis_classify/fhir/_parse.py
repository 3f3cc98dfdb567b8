"""FHIR input as blocks of resources in one Arrow schema.

Every source (a Bundle, one NDJSON file, a folder of NDJSON files, plain or
gzipped) is read into :class:`pyarrow.Table` blocks of :data:`SCHEMA`: only
the elements the reader uses, one column each, whatever the resource type.
NDJSON is read a few megabytes at a time with :func:`pyarrow.json.read_json`
and an explicit schema; a block that Arrow refuses (a malformed line, a value
of the wrong JSON type) is read again line by line with ``orjson``, each bad
line or value becoming a warning, so nothing else in the block is lost.
Memory is bounded by the block size, whatever the size of the input.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from calcinosis_classify.errors import InputError

__all__ = ["RESOURCE_TYPES", "SCHEMA", "Block", "blocks", "prefetched"]

# The resource types the reader uses, in the order their files are read (patients first).
RESOURCE_TYPES = ("Patient", "Observation", "Condition", "MedicationRequest", "MedicationStatement",
                  "Procedure")

_CODING = pa.struct([("system", pa.string()), ("code", pa.string()), ("display", pa.string())])
_CONCEPT = pa.struct([("coding", pa.list_(_CODING)), ("text", pa.string())])
_REFERENCE = pa.struct([("reference", pa.string())])
_PERIOD = pa.struct([("start", pa.string()), ("end", pa.string())])
_QUANTITY = pa.struct([("value", pa.float64()), ("unit", pa.string()), ("code", pa.string()),
                       ("system", pa.string())])
_DOSAGE = pa.list_(pa.struct([("route", _CONCEPT)]))

SCHEMA = pa.schema([
    ("resourceType", pa.string()), ("id", pa.string()), ("status", pa.string()),
    ("subject", _REFERENCE),
    # Patient
    ("gender", pa.string()), ("birthDate", pa.string()),
    # Observation
    ("code", _CONCEPT), ("effectiveDateTime", pa.string()), ("effectiveInstant", pa.string()),
    ("effectivePeriod", _PERIOD), ("issued", pa.string()), ("valueQuantity", _QUANTITY),
    ("dataAbsentReason", _CONCEPT), ("interpretation", pa.list_(_CONCEPT)),
    # Condition
    ("verificationStatus", _CONCEPT), ("clinicalStatus", _CONCEPT), ("bodySite", pa.list_(_CONCEPT)),
    ("onsetDateTime", pa.string()), ("onsetPeriod", _PERIOD), ("recordedDate", pa.string()),
    # MedicationRequest / MedicationStatement
    ("medicationCodeableConcept", _CONCEPT), ("medicationReference", _REFERENCE),
    ("authoredOn", pa.string()), ("dateAsserted", pa.string()),
    ("dosageInstruction", _DOSAGE), ("dosage", _DOSAGE),
    # Procedure
    ("performedDateTime", pa.string()), ("performedPeriod", _PERIOD),
])
"""The elements read, as one Arrow schema shared by every resource type (absent elements are null)."""

_COMMON = ("resourceType", "id", "status", "subject")
_TYPE_FIELDS = {
    "Patient": ("gender", "birthDate"),
    "Observation": ("code", "effectiveDateTime", "effectiveInstant", "effectivePeriod", "issued", "valueQuantity",
                    "dataAbsentReason", "interpretation"),
    "Condition": ("code", "verificationStatus", "clinicalStatus", "bodySite", "onsetDateTime", "onsetPeriod",
                  "recordedDate"),
    "MedicationRequest": ("medicationCodeableConcept", "medicationReference", "authoredOn", "dosageInstruction"),
    "MedicationStatement": ("medicationCodeableConcept", "medicationReference", "effectiveDateTime",
                            "effectivePeriod", "dateAsserted", "dosage"),
    "Procedure": ("code", "performedDateTime", "performedPeriod"),
}


def _options(schema: pa.Schema) -> pa_json.ParseOptions:
    return pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")


_PARSE = _options(SCHEMA)
# A file of one resource type is parsed with only that type's elements (faster than the whole schema).
_TYPE_PARSE = {kind: _options(pa.schema([SCHEMA.field(f) for f in (*_COMMON, *fields)]))
               for kind, fields in _TYPE_FIELDS.items()}
_BLOCK_BYTES = 16 << 20
_ARROW_BLOCK = 1 << 20


@dataclass
class Block:
    """Resources read from one stretch of one input.

    Attributes
    ----------
    table : pyarrow.Table
        The resources, in :data:`SCHEMA`.
    where : str
        The file (and for NDJSON the first line) they come from, for warnings.
    """

    table: pa.Table
    where: str


# A warning raised while parsing: (code, where, value, message).
Warn = Callable[[str, str, Any, str], None]


def blocks(source: Any, warn: Warn, block_bytes: int | None = None) -> Iterator[Block]:
    """Every resource of ``source`` in blocks, Patient resources first.

    Raises
    ------
    InputError
        The source does not exist, is not JSON/NDJSON, or holds no file the reader can use.
    """
    block_bytes = block_bytes or _BLOCK_BYTES
    if isinstance(source, dict):
        yield from _bundle_blocks(source, "the Bundle", warn)
        return
    path = Path(os.fspath(source))
    if path.is_dir():
        files = _export_files(path)
        if not files:
            raise InputError(f"FHIR input {str(path)!r}: the folder holds no .ndjson or .ndjson.gz file; "
                             f"expected a FHIR bulk export (Patient.ndjson, Observation.ndjson, ...)")
        for file in files:
            yield from _ndjson_blocks(file, warn, block_bytes)
        return
    if not path.is_file():
        raise InputError(f"FHIR input {str(path)!r} does not exist; pass a Bundle .json file, an .ndjson "
                         f"file or a folder of .ndjson files")
    if _is_ndjson_name(path):
        yield from _ndjson_blocks(path, warn, block_bytes)
        return
    yield from _bundle_blocks(_load_json(path), path.name, warn)


_END = object()


def prefetched(items: Iterator[Block]) -> Iterator[Block]:
    """The same blocks, each read in a background thread while the caller folds in the one before (Arrow
    parses without the interpreter lock, so reading and folding overlap); one block is held ahead."""
    with ThreadPoolExecutor(1, thread_name_prefix="fhir-read") as pool:
        pending = pool.submit(next, items, _END)
        while True:
            item = pending.result()
            if not isinstance(item, Block):
                return
            pending = pool.submit(next, items, _END)
            yield item


def _is_ndjson_name(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz"))


def _open(path: Path) -> io.BufferedIOBase:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _first_type(path: Path) -> str | None:
    """The resourceType of the first resource line of an NDJSON file (None: none found)."""
    try:
        with _open(path) as f:
            for _ in range(100):
                line = f.readline()
                if not line:
                    return None
                if not line.strip():
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                kind = obj.get("resourceType") if isinstance(obj, dict) else None
                return kind if isinstance(kind, str) else None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"FHIR input {str(path)!r} cannot be read: {exc}") from exc
    return None


def _export_files(folder: Path) -> list[Path]:
    """The NDJSON files of a bulk-export folder the reader uses, Patient files first.

    A file is recognised by the resourceType of its first resource; its name is only a hint (a file
    named after a type the reader does not use is skipped unread).
    """
    found: list[tuple[int, str, Path]] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not _is_ndjson_name(path):
            continue
        hint = path.name.split(".")[0]
        if hint[:1].isupper() and hint.isalpha() and hint not in RESOURCE_TYPES:
            continue
        kind = _first_type(path)
        rank = RESOURCE_TYPES.index(kind) if kind in RESOURCE_TYPES else len(RESOURCE_TYPES)
        found.append((0 if rank == 0 else 1, path.name, path))
    return [p for _, _, p in sorted(found)]


def _load_json(path: Path) -> Any:
    try:
        data = path.read_bytes()
        return orjson.loads(data)
    except OSError as exc:
        raise InputError(f"FHIR input {str(path)!r} cannot be read: {exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(f"FHIR input {str(path)!r} is not JSON ({exc}); expected a Bundle, or NDJSON "
                         f"named .ndjson") from exc


def _chunks(path: Path, block_bytes: int) -> Iterator[tuple[bytes, int]]:
    """The file in pieces of about ``block_bytes`` that end at a line end, with the 1-based number of
    each piece's first line."""
    line = 1
    try:
        with _open(path) as f:
            while True:
                piece = f.read(block_bytes)
                if not piece:
                    return
                if not piece.endswith(b"\n"):
                    piece += f.readline()
                yield piece, line
                line += piece.count(b"\n")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"FHIR input {str(path)!r} cannot be read: {exc}") from exc


def _ndjson_blocks(path: Path, warn: Warn, block_bytes: int) -> Iterator[Block]:
    kind = _first_type(path)
    for piece, first in _chunks(path, block_bytes):
        where = f"{path.name} line {first}"
        try:
            table = _arrow_table(piece, kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            table = _lines_table(piece, path.name, first, warn)
        if table.num_rows:
            yield Block(table, where)


def _arrow_table(piece: bytes, kind: str | None) -> pa.Table:
    """A piece of NDJSON in :data:`SCHEMA`: parsed with only ``kind``'s elements when every resource in
    it is of that type, else with the whole schema."""
    options = _TYPE_PARSE.get(kind or "")
    read = pa_json.ReadOptions(block_size=_ARROW_BLOCK)
    if options is not None:
        table = pa_json.read_json(io.BytesIO(piece), read_options=read, parse_options=options)
        types = table["resourceType"]
        if types.null_count == 0 and pc.all(pc.equal(types, kind)).as_py() is not False:
            return pa.Table.from_arrays(
                [table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
                 for f in SCHEMA], schema=SCHEMA)
    return pa_json.read_json(io.BytesIO(piece), read_options=read, parse_options=_PARSE)


def _lines_table(piece: bytes, name: str, first: int, warn: Warn) -> pa.Table:
    """A piece Arrow refused, read line by line: bad lines and values become warnings."""
    records: list[dict[str, Any]] = []
    for k, line in enumerate(piece.split(b"\n")):
        if not line.strip():
            continue
        where = f"{name} line {first + k}"
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            warn("fhir_bad_json", where, line[:80].decode("utf-8", "replace"),
                 f"{where}: not a JSON object ({exc}); the line is skipped")
            continue
        if not isinstance(obj, dict):
            warn("fhir_bad_json", where, str(obj)[:80],
                 f"{where}: a JSON {type(obj).__name__}, not a resource object; the line is skipped")
            continue
        records.append(coerce(obj, where, warn))
    return pa.Table.from_pylist(records, schema=SCHEMA)


def _bundle_blocks(data: Any, name: str, warn: Warn) -> Iterator[Block]:
    if not isinstance(data, dict):
        raise InputError(f"FHIR input {name!r}: a JSON {type(data).__name__}, not a Bundle or a resource; "
                         f"pass a Bundle .json file, an .ndjson file or a folder of .ndjson files")
    if data.get("resourceType") != "Bundle":
        entries: list[Any] = [{"resource": data}]
    else:
        entries = data.get("entry") or []
        if not isinstance(entries, list):
            raise InputError(f"FHIR input {name!r}: Bundle.entry is a {type(entries).__name__}, not a list")
    urls: dict[str, str] = {}
    resources: list[tuple[int, dict[str, Any]]] = []
    for k, entry in enumerate(entries):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict):
            warn("fhir_bad_json", f"{name} entry {k}", str(entry)[:80],
                 f"{name} entry {k}: no resource object; the entry is skipped")
            continue
        full = entry.get("fullUrl")
        if isinstance(full, str) and isinstance(res.get("resourceType"), str) and isinstance(res.get("id"), str):
            urls[full] = f"{res['resourceType']}/{res['id']}"
        resources.append((k, res))
    records = []
    for k, res in sorted(resources, key=lambda kr: (kr[1].get("resourceType") != "Patient", kr[0])):
        record = coerce(res, f"{name} entry {k}", warn)
        ref = record.get("subject")
        if ref and ref.get("reference") in urls:
            record["subject"] = {"reference": urls[ref["reference"]]}
        records.append(record)
    if records:
        yield Block(pa.Table.from_pylist(records, schema=SCHEMA), name)


def coerce(obj: dict[str, Any], where: str, warn: Warn) -> dict[str, Any]:
    """The elements of ``obj`` that :data:`SCHEMA` reads, each of the JSON type it expects; an element of
    another type is dropped with a ``fhir_bad_value`` warning."""
    return _coerce_struct(obj, SCHEMA, where, "", warn)


def _coerce_struct(obj: dict[str, Any], fields: Any, where: str, path: str, warn: Warn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.name in obj and obj[f.name] is not None:
            out[f.name] = _coerce(obj[f.name], f.type, where, f"{path}{f.name}", warn)
    return out


def _coerce(value: Any, kind: pa.DataType, where: str, path: str, warn: Warn) -> Any:
    ok: bool
    if pa.types.is_struct(kind):
        ok = isinstance(value, dict)
        if ok:
            return _coerce_struct(value, kind, where, path + ".", warn)
    elif pa.types.is_list(kind):
        ok = isinstance(value, list)
        if ok:
            return [_coerce(v, kind.value_type, where, f"{path}[{i}]", warn) for i, v in enumerate(value)]
    elif pa.types.is_floating(kind):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            return float(value)
    else:
        ok = isinstance(value, str)
        if ok:
            return value
    warn("fhir_bad_value", where, str(value)[:80],
         f"{where}: {path} is a JSON {_json_type(value)}, not {_expected(kind)}; the element is ignored")
    return None


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number"}.get(type(value), type(value).__name__)


def _expected(kind: pa.DataType) -> str:
    if pa.types.is_struct(kind):
        return "an object"
    if pa.types.is_list(kind):
        return "an array"
    return "a number" if pa.types.is_floating(kind) else "a string"
