"""Safe model files: :func:`save_model` / :func:`load_model` with a verified manifest.

Loading a pickle (or joblib file) runs whatever code its author put in it, so
model files never contain one. A model file is::

    magic        8 bytes   b"\\x89CCMODEL"   (refuses text-mode mangling and non-model files)
    format       2 bytes   big-endian format version (1)
    length       4 bytes   big-endian size of the manifest in bytes
    digest      32 bytes   SHA-256 of the manifest bytes
    manifest     <length>  UTF-8 JSON (versions, feature schema, provenance,
                           payload size and SHA-256)
    payload      the rest  the model in the skops format (a zip of JSON and
                           .npy arrays, no pickle)

:func:`load_model` checks, in this order and before deserialising anything:
the magic, the format version, the manifest length and digest, the
library, scikit-learn and knowledge-base versions named in the manifest, the
payload size and SHA-256, and that every type named in the payload is on
:data:`TRUSTED_TYPES`; only then does skops build the objects (again told to
trust exactly those types). Any failure raises
:class:`~calcinosis_classify.errors.ModelFileError` with a one-line reason.

The SHA-256 detects damage and tampering by anyone who does not also rewrite
the manifest; it is not a signature. The type allow-list is what keeps a
crafted file from running code.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import struct
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from calcinosis_classify._atomic import atomic_path
from calcinosis_classify._version import __version__
from calcinosis_classify.errors import ModelFileError

__all__ = ["FORMAT_VERSION", "MAGIC", "TRUSTED_TYPES", "load_model", "read_manifest", "save_model", "write_atomic"]

MAGIC = b"\x89CCMODEL"
FORMAT_VERSION = 1
_HEADER = struct.Struct(">8sHI32s")
_PICKLE_STARTS = (b"\x80",)  # pickle protocol 2+ (and so joblib) files start with PROTO
_MAX_MANIFEST = 16 * 1024 * 1024

#: Every type a model file may name (module.qualname). Anything else is refused before loading.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.bool",
    "builtins.dict",
    "builtins.float",
    "builtins.int",
    "builtins.list",
    "builtins.NoneType",
    "builtins.str",
    "builtins.tuple",
    "calcinosis_classify.knowledge.thresholds.Thresholds",
    "calcinosis_classify.model.CaseFeatures",
    "calcinosis_classify.model.HoldoutCalibratedClassifier",
    "calcinosis_classify.model.HybridClassifier",
    "calcinosis_classify.model.InformativeColumns",
    "numpy.bool_",
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.intp",
    "numpy.ndarray",
    "numpy.random._generator.Generator",
    "numpy.uint64",
    "numpy.uint8",
    "sklearn._loss._loss.CyHalfMultinomialLoss",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelEncoder",
)
_TRUSTED = frozenset(TRUSTED_TYPES)


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


def _current_fingerprint() -> str:
    from calcinosis_classify.model import knowledge_fingerprint

    return knowledge_fingerprint()


def _feature_schema(model: Any) -> dict[str, Any]:
    from sklearn.pipeline import Pipeline

    from calcinosis_classify.model import CaseFeatures, HybridClassifier

    inner = model.model_ if isinstance(model, HybridClassifier) else model
    first = inner.steps[0][1] if isinstance(inner, Pipeline) else None
    if not isinstance(first, CaseFeatures):
        raise ModelFileError(f"only models built on CaseFeatures (a HybridClassifier or make_model() pipeline) "
                             f"can be saved, got {type(model).__name__}")
    names = [str(n) for n in first.feature_names_out_]
    return {
        "names": names,
        "names_sha256": hashlib.sha256("\n".join(names).encode()).hexdigest(),
        "knowledge_fingerprint": first.knowledge_fingerprint_,
        "input_columns": [str(c) for c in getattr(first, "feature_names_in_", [])],
        "units": first.units,
        "strict_units": bool(first.strict_units),
    }


def _pack(manifest: Mapping[str, Any], payload: bytes) -> bytes:
    """Header + manifest + payload (the manifest must already name the payload's size and digest)."""
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=True).encode()
    return _HEADER.pack(MAGIC, FORMAT_VERSION, len(text), hashlib.sha256(text).digest()) + text + payload


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: never a half-written file."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def save_model(model: Any, path: str | os.PathLike[str], *, provenance: Mapping[str, Any] | None = None
               ) -> dict[str, Any]:
    """Save a fitted model with its manifest, atomically.

    Parameters
    ----------
    model : HybridClassifier or Pipeline
        Fitted; built on :class:`~calcinosis_classify.model.CaseFeatures`.
    path : path-like
        Target file (conventionally ``*.ccm``); replaced atomically.
    provenance : mapping, optional
        Extra training provenance (JSON-serialisable), merged over the
        model's ``training_provenance_``.

    Returns
    -------
    dict
        The manifest written.
    """
    import skops.io as sio
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    payload = sio.dumps(model, compression=zipfile.ZIP_DEFLATED)
    prov = dict(getattr(model, "training_provenance_", {}) or {})
    prov.update(provenance or {})
    import numpy as np
    import skops

    manifest = {
        "format": "calcinosis_classify.model",
        "format_version": FORMAT_VERSION,
        "library": "calcinosis_classify",
        "library_version": __version__,
        "sklearn_version": _sklearn_version(),
        "skops_version": str(skops.__version__),
        "numpy_version": str(np.__version__),
        "python_version": platform.python_version(),
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "classes": [str(c) for c in getattr(model, "classes_", [])],
        "parameters": {k: v for k, v in model.get_params(deep=False).items()
                       if isinstance(v, (str, int, float, bool, type(None)))},
        "feature_schema": _feature_schema(model),
        "provenance": json.loads(json.dumps(prov, default=str)),
        "payload": {"format": "skops", "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()},
    }
    write_atomic(path, _pack(manifest, payload))
    return manifest


def _refuse(path: Any, reason: str) -> ModelFileError:
    return ModelFileError(f"refusing model file {str(path)!r}: {reason}")


def _read_verified(path: str | os.PathLike[str], check_versions: bool = True) -> tuple[dict[str, Any], bytes]:
    """Manifest and payload bytes after every check that needs no deserialisation."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {str(path)!r}: {exc.strerror or exc}") from None
    if len(data) >= 1 and not data.startswith(MAGIC[: min(len(data), len(MAGIC))]) and data[:1] in _PICKLE_STARTS:
        raise _refuse(path, "it looks like a pickle/joblib file; those are never loaded because loading one can "
                            "run arbitrary code. Save models with calcinosis_classify.save_model")
    if len(data) < _HEADER.size:
        if data and MAGIC.startswith(data[: len(MAGIC)]):
            raise _refuse(path, f"truncated: {len(data)} bytes, shorter than the {_HEADER.size}-byte header")
        raise _refuse(path, "not a calcinosis_classify model file (too short, no model header)")
    magic, version, length, digest = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise _refuse(path, "not a calcinosis_classify model file (wrong magic bytes)")
    if version != FORMAT_VERSION:
        raise _refuse(path, f"model file format version {version} is not supported (this library reads "
                            f"version {FORMAT_VERSION})")
    if length > _MAX_MANIFEST:
        raise _refuse(path, f"implausible manifest length {length} bytes: damaged header")
    end = _HEADER.size + length
    if len(data) < end:
        raise _refuse(path, f"truncated: the manifest needs {end} bytes, the file has {len(data)}")
    text = data[_HEADER.size:end]
    if hashlib.sha256(text).digest() != digest:
        raise _refuse(path, "the manifest does not match its SHA-256: the file was damaged or altered")
    try:
        manifest = json.loads(text.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refuse(path, "the manifest is not valid JSON") from None
    need = ("format", "library_version", "sklearn_version", "feature_schema", "payload")
    if not isinstance(manifest, dict) or any(k not in manifest for k in need):
        raise _refuse(path, f"the manifest lacks required entries ({', '.join(need)})")
    if manifest["format"] != "calcinosis_classify.model":
        raise _refuse(path, f"unknown content format {manifest['format']!r}")
    if check_versions:
        _check_versions(path, manifest)
    payload = data[end:]
    info = manifest["payload"]
    if not isinstance(info, dict) or info.get("format") != "skops":
        raise _refuse(path, "the payload is not in the skops format")
    if len(payload) != info.get("size"):
        what = "truncated" if len(payload) < int(info.get("size") or 0) else "has trailing bytes"
        raise _refuse(path, f"the payload {what}: {len(payload)} bytes, the manifest says {info.get('size')}")
    if hashlib.sha256(payload).hexdigest() != info.get("sha256"):
        raise _refuse(path, "the payload does not match the SHA-256 in its manifest: the file was damaged or "
                            "altered")
    return manifest, payload


def _check_versions(path: Any, manifest: Mapping[str, Any]) -> None:
    saved_lib, saved_skl = manifest["library_version"], manifest["sklearn_version"]
    here_skl = _sklearn_version()
    if saved_lib != __version__ or saved_skl != here_skl:
        raise _refuse(path, f"it was saved with calcinosis_classify {saved_lib} and scikit-learn {saved_skl}, "
                            f"this is calcinosis_classify {__version__} with scikit-learn {here_skl}; retrain it "
                            f"with `calcinosis-classify train` under this version")
    schema = manifest["feature_schema"]
    if not isinstance(schema, dict) or schema.get("knowledge_fingerprint") != _current_fingerprint():
        raise _refuse(path, "it was trained against a different knowledge base or feature layout; retrain it "
                            "with `calcinosis-classify train`")


def _named_types(node: Any) -> Iterator[str]:
    """Every ``module.class`` named anywhere in a skops schema (iteratively: no recursion limit)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__module__" in item or "__class__" in item:
                yield f"{item.get('__module__')}.{item.get('__class__')}"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _audit_payload(path: Any, payload: bytes) -> None:
    """Refuse a payload naming any type off the allow-list (reads JSON only; builds no object)."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            schema = json.loads(zf.read("schema.json").decode())
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError, OSError):
        raise _refuse(path, "the payload is not a skops archive (no readable schema.json)") from None
    untrusted = sorted(set(_named_types(schema)) - _TRUSTED)
    if untrusted:
        shown = ", ".join(untrusted[:5]) + (" ..." if len(untrusted) > 5 else "")
        raise _refuse(path, f"it names types that are not on the trusted list: {shown}")
    import skops.io as sio

    extra = sorted(set(sio.get_untrusted_types(data=payload)) - _TRUSTED)
    if extra:
        raise _refuse(path, f"it names types that are not on the trusted list: {', '.join(extra[:5])}")


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a model file, after its integrity checks (nothing is deserialised).

    Version mismatches are not refused here, so the manifest of an old model
    can still be inspected.
    """
    return _read_verified(path, check_versions=False)[0]


def load_model(path: str | os.PathLike[str]) -> Any:
    """Load a model saved with :func:`save_model`, refusing anything unsafe or stale.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    HybridClassifier or Pipeline

    Raises
    ------
    ModelFileError
        Not a model file, a pickle, damaged or altered (SHA-256 mismatch),
        truncated, saved by another library / scikit-learn version or against
        another knowledge base, or naming an untrusted type. Nothing from the
        file has been executed when this is raised.
    """
    import skops.io as sio

    manifest, payload = _read_verified(path)
    _audit_payload(path, payload)
    try:
        model = sio.loads(payload, trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # skops raises several types for malformed archives
        raise _refuse(path, f"the payload cannot be rebuilt: {type(exc).__name__}: {exc}") from None
    expected = manifest.get("model_class")
    actual = f"{type(model).__module__}.{type(model).__qualname__}"
    if expected is not None and expected != actual:
        raise _refuse(path, f"the manifest says {expected} but the payload holds {actual}")
    return model
