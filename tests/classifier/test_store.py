"""Model files: skops only, checked before loading; missing or corrupt files say why."""
import shutil

import pytest
import skops.io as sio

from inquiry.classifier import store


class NotAModelPart:
    """A class of ours: a model file holding one must be refused (it could run code)."""


def test_round_trip_keeps_predictions(trained_instance, router, tmp_path):
    bundle, meta = store.load(trained_instance)
    assert meta["thresholds"] == router.thresholds and meta["training_data_hash"] and meta["sklearn_version"]
    assert {"topic", "audience", "priority"} <= set(meta["metrics"])
    copy = store.save(str(tmp_path), bundle, thresholds=meta["thresholds"], metrics=meta["metrics"], data_hash="x", examples=1)
    again, _ = store.load(str(tmp_path), copy["id"])
    text = ["Where do I register for the Nairobi forum on border crime?"]
    from inquiry.classifier.model import Router

    assert Router(again, meta["thresholds"]).predict(text[0]) == router.predict(text[0])


def test_untrusted_types_are_refused(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    sio.dump({"features": NotAModelPart(), "heads": {}}, folder / "evil.skops")
    (folder / "evil.json").write_text('{"id": "evil", "thresholds": {}}')
    store.promote(str(tmp_path), "evil")
    with pytest.raises(store.ModelFileError, match="not allowed"):
        store.load(str(tmp_path))


def test_missing_and_corrupt_files_raise_model_file_error(trained_instance, tmp_path):
    with pytest.raises(store.ModelFileError, match="no model"):
        store.load(str(tmp_path))
    shutil.copytree(f"{trained_instance}/models", tmp_path / "models")
    current = store.current_id(str(tmp_path))
    (tmp_path / "models" / f"{current}.skops").write_bytes(b"not a zip file")
    with pytest.raises(store.ModelFileError, match="cannot be read"):
        store.load(str(tmp_path))


def test_promote_and_list(trained_instance, tmp_path):
    shutil.copytree(f"{trained_instance}/models", tmp_path / "models")
    models = store.list_models(str(tmp_path))
    assert len(models) == 1 and models[0]["is_current"]
    with pytest.raises(store.ModelFileError):
        store.promote(str(tmp_path), "no-such-model")
