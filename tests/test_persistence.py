"""Model files: round trip, manifest, and refusal of damaged, stale or malicious files without running them."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import struct
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from calcinosis_classify import persistence, score
from calcinosis_classify._version import __version__
from calcinosis_classify.errors import CalcinosisClassifyError, ModelFileError
from calcinosis_classify.model import (
    HybridClassifier,
    feature_names,
    knowledge_fingerprint,
    make_model,
    train,
)
from calcinosis_classify.persistence import MAGIC, load_model, read_manifest, save_model
from calcinosis_classify.synthetic import generate_cohort

_HEADER = struct.Struct(">8sHI32s")


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    return generate_cohort(300, seed=22, atypical_rate=0.2)


@pytest.fixture(scope="module")
def model() -> HybridClassifier:
    return train(generate_cohort(1500, seed=21), max_iter=10)


@pytest.fixture(scope="module")
def saved(model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "model.ccm"
    save_model(model, path)
    return path


@pytest.fixture
def allow_deserialise() -> None:
    """Requested by the tests that load a genuine model file."""


@pytest.fixture(autouse=True)
def _nothing_is_deserialised_on_refusal(monkeypatch, request):
    """Every refusal must come before deserialisation: make any deserialiser call fail loudly."""
    if "allow_deserialise" in request.fixturenames:
        yield
        return

    def forbidden(*args, **kwargs):
        raise AssertionError("a deserialiser ran on a file that should have been refused first")

    monkeypatch.setattr(sio, "loads", forbidden)
    monkeypatch.setattr(sio, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(joblib, "load", forbidden)
    yield


def _split(data: bytes) -> tuple[dict, bytes]:
    _, _, length, _ = _HEADER.unpack_from(data)
    return json.loads(data[_HEADER.size:_HEADER.size + length]), data[_HEADER.size + length:]


def _container(manifest: dict, payload: bytes, fix_payload_digest: bool = True) -> bytes:
    """A well-formed file around any manifest and payload (what an attacker can always build)."""
    manifest = dict(manifest)
    if fix_payload_digest:
        manifest["payload"] = {"format": "skops", "size": len(payload),
                               "sha256": hashlib.sha256(payload).hexdigest()}
    return persistence._pack(manifest, payload)


# --------------------------------------------------------------------------- round trip


def test_round_trip_gives_identical_predictions(model, saved, cases, allow_deserialise) -> None:
    loaded = load_model(saved)
    assert isinstance(loaded, HybridClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(cases), model.predict_proba(cases))
    np.testing.assert_array_equal(loaded.predict(cases), model.predict(cases))
    pd.testing.assert_frame_equal(loaded.assess(cases), model.assess(cases))
    frame = cases.drop(columns=["true_subtype"])
    pd.testing.assert_frame_equal(score(frame, model=saved), score(frame, model=model))


def test_plain_pipeline_round_trip(tmp_path, cases, allow_deserialise) -> None:
    train_frame = generate_cohort(600, seed=23)
    pipe = make_model(max_iter=5).fit(train_frame, train_frame["true_subtype"])
    save_model(pipe, tmp_path / "pipe.ccm")
    np.testing.assert_array_equal(load_model(tmp_path / "pipe.ccm").predict_proba(cases), pipe.predict_proba(cases))


def test_manifest_records_versions_schema_and_provenance(saved) -> None:
    import sklearn

    manifest = read_manifest(saved)
    assert manifest["library_version"] == __version__
    assert manifest["sklearn_version"] == sklearn.__version__
    assert manifest["model_class"] == "calcinosis_classify.model.HybridClassifier"
    assert manifest["feature_schema"]["names"] == list(feature_names())
    assert manifest["feature_schema"]["knowledge_fingerprint"] == knowledge_fingerprint()
    prov = manifest["provenance"]
    assert prov["seed"] == 21 and prov["n"] == 1500 and prov["generator_version"]
    _, payload = _split(saved.read_bytes())
    assert manifest["payload"]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert manifest["payload"]["size"] == len(payload)
    assert saved.read_bytes().startswith(MAGIC)


def test_save_refuses_unfitted_and_foreign_models(tmp_path) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(NotFittedError):
        save_model(HybridClassifier(), tmp_path / "x.ccm")
    foreign = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ModelFileError, match="CaseFeatures"):
        save_model(foreign, tmp_path / "x.ccm")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- tampering and truncation


def test_any_changed_byte_is_refused(saved, tmp_path) -> None:
    data = saved.read_bytes()
    _, _, length, _ = _HEADER.unpack_from(data)
    header_and_manifest = range(_HEADER.size + length)
    payload = np.linspace(_HEADER.size + length, len(data) - 1, 40).astype(int)
    positions = [*header_and_manifest[:: max(1, len(header_and_manifest) // 300)], *range(_HEADER.size), *payload]
    target = tmp_path / "tampered.ccm"
    for pos in sorted(set(positions)):
        changed = bytearray(data)
        changed[pos] ^= 0x01
        target.write_bytes(bytes(changed))
        with pytest.raises(ModelFileError, match="refusing model file"):
            load_model(target)


def test_changed_manifest_value_is_refused(saved, tmp_path) -> None:
    data = saved.read_bytes()
    _, _, length, digest = _HEADER.unpack_from(data)
    text = data[_HEADER.size:_HEADER.size + length].replace(b'"seed": 21', b'"seed": 29')
    assert len(text) == length
    target = tmp_path / "edited.ccm"
    target.write_bytes(data[: _HEADER.size] + text + data[_HEADER.size + length:])
    with pytest.raises(ModelFileError, match="manifest does not match its SHA-256"):
        load_model(target)


@pytest.mark.parametrize("keep", [0, 3, 8, _HEADER.size - 1, _HEADER.size + 10, -1000, -1])
def test_truncated_file_is_refused(saved, tmp_path, keep) -> None:
    data = saved.read_bytes()
    target = tmp_path / "short.ccm"
    target.write_bytes(data[:keep])
    with pytest.raises(ModelFileError) as err:
        load_model(target)
    message = str(err.value)
    assert "truncated" in message or "too short" in message


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelFileError, match="cannot read model file"):
        load_model(tmp_path / "nope.ccm")


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("library_version", "0.0.1", "saved with calcinosis_classify 0.0.1"),
    ("sklearn_version", "1.0.2", "scikit-learn 1.0.2"),
])
def test_other_versions_are_refused(saved, tmp_path, key, value, expected) -> None:
    manifest, payload = _split(saved.read_bytes())
    manifest[key] = value
    target = tmp_path / "old.ccm"
    target.write_bytes(_container(manifest, payload))
    with pytest.raises(ModelFileError, match=expected) as err:
        load_model(target)
    assert "retrain" in str(err.value)
    assert read_manifest(target)[key] == value  # still inspectable


def test_other_knowledge_base_is_refused(saved, tmp_path) -> None:
    manifest, payload = _split(saved.read_bytes())
    manifest["feature_schema"]["knowledge_fingerprint"] = "0" * 64
    target = tmp_path / "kb.ccm"
    target.write_bytes(_container(manifest, payload))
    with pytest.raises(ModelFileError, match="different knowledge base"):
        load_model(target)


def test_unknown_format_version_is_refused(saved, tmp_path) -> None:
    data = bytearray(saved.read_bytes())
    data[8:10] = (2).to_bytes(2, "big")
    target = tmp_path / "v2.ccm"
    target.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="format version 2 is not supported"):
        load_model(target)


# --------------------------------------------------------------------------- malicious content


class _Trap:
    """Creates its marker file when unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


class _SetStateTrap:
    """Creates its marker file when rebuilt by skops (through ``__setstate__``)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __getstate__(self):
        return {"marker": self.marker}

    def __setstate__(self, state):
        Path(state["marker"]).touch()
        self.__dict__.update(state)


def test_the_traps_are_live(tmp_path, allow_deserialise) -> None:
    """Sanity check of the tests below: loading these payloads naively does run their code."""
    first = tmp_path / "pickle-ran"
    pickle.loads(pickle.dumps(_Trap(first)))
    assert first.exists()
    second = tmp_path / "skops-ran"
    payload = sio.dumps({"trap": _SetStateTrap(str(second))})
    sio.loads(payload, trusted=sio.get_untrusted_types(data=payload))
    assert second.exists()


def test_malicious_pickle_file_is_refused(tmp_path) -> None:
    marker = tmp_path / "pwned"
    target = tmp_path / "model.pkl"
    target.write_bytes(pickle.dumps(_Trap(marker), protocol=pickle.HIGHEST_PROTOCOL))
    with pytest.raises(ModelFileError, match="looks like a pickle"):
        load_model(target)
    assert not marker.exists()


def test_joblib_dump_of_a_real_model_is_refused(model, tmp_path) -> None:
    target = tmp_path / "model.joblib"
    joblib.dump(model, target)
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(target)


def test_malicious_pickle_inside_a_well_formed_container_is_refused(saved, tmp_path) -> None:
    marker = tmp_path / "pwned"
    manifest, _ = _split(saved.read_bytes())
    target = tmp_path / "wrapped.ccm"
    target.write_bytes(_container(manifest, pickle.dumps(_Trap(marker))))
    with pytest.raises(ModelFileError, match="not a skops archive"):
        load_model(target)
    assert not marker.exists()


def test_untrusted_type_in_a_skops_payload_is_refused(saved, tmp_path) -> None:
    marker = tmp_path / "pwned"
    manifest, _ = _split(saved.read_bytes())
    payload = sio.dumps({"trap": _SetStateTrap(str(marker))})
    target = tmp_path / "trap.ccm"
    target.write_bytes(_container(manifest, payload))
    with pytest.raises(ModelFileError, match=r"not on the trusted list: .*_SetStateTrap"):
        load_model(target)
    assert not marker.exists()


def test_payload_naming_a_dangerous_builtin_is_refused(saved, tmp_path) -> None:
    manifest, payload = _split(saved.read_bytes())
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    schema = json.loads(files["schema.json"])
    schema["content"]["content"]["consult"] = {"__class__": "system", "__module__": "os",
                                               "__loader__": "FunctionNode", "__id__": 1, "content": {}}
    files["schema.json"] = json.dumps(schema).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    target = tmp_path / "os.ccm"
    target.write_bytes(_container(manifest, buffer.getvalue()))
    with pytest.raises(ModelFileError, match="not on the trusted list: os.system"):
        load_model(target)


def test_not_a_model_file(tmp_path) -> None:
    target = tmp_path / "cases.csv"
    target.write_text("calcium,phosphate\n9.5,3.5\n" * 10)
    with pytest.raises(ModelFileError, match="not a calcinosis_classify model file"):
        load_model(target)
    with pytest.raises(CalcinosisClassifyError):
        load_model(target)
