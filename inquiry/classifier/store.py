"""Model files: skops (never pickle: loading a model must not be able to run code) plus JSON
metadata, under instance/models/. ``current`` names the model in use; older ones stay for
``promote``."""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import subprocess
from pathlib import Path

import sklearn
import skops.io as sio

import inquiry
from inquiry.classifier.pipeline import pack, unpack

# Types a model file may contain: scikit-learn, NumPy and SciPy classes and functions only.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


class ModelFileError(RuntimeError):
    """A model file is missing, corrupt, or holds something it should not."""


def models_dir(instance_path: str) -> Path:
    return Path(instance_path) / "models"


def _code_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).parent).stdout.strip() or inquiry.__version__
    except (OSError, subprocess.SubprocessError):
        return inquiry.__version__


def save(instance_path: str, bundle: dict, *, thresholds: dict, metrics: dict, data_hash: str, examples: int) -> dict:
    """Write a new model (not yet current); returns its metadata."""
    folder = models_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    model_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    meta = {
        "id": model_id,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "version": inquiry.__version__,
        "sklearn_version": sklearn.__version__,
        "code_revision": _code_revision(),
        "training_data_hash": data_hash,
        "examples": examples,
        "thresholds": thresholds,
        "metrics": metrics,
    }
    temporary = folder / f".{model_id}.skops.tmp"
    sio.dump(pack(bundle), temporary)  # pack copies: the caller's bundle still works
    os.replace(temporary, folder / f"{model_id}.skops")
    (folder / f"{model_id}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return meta


def load(instance_path: str, model_id: str | None = None) -> tuple[dict, dict]:
    """(bundle, metadata) of ``model_id`` or the current model. ModelFileError says what is wrong."""
    folder = models_dir(instance_path)
    model_id = model_id or current_id(instance_path)
    if not model_id:
        raise ModelFileError("no model has been trained yet (inquiry classifier train)")
    path, meta_path = folder / f"{model_id}.skops", folder / f"{model_id}.json"
    if not path.exists() or not meta_path.exists():
        raise ModelFileError(f"model {model_id} is missing from {folder}")
    try:
        untrusted = sio.get_untrusted_types(file=path)
        refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
        if refused:
            raise ModelFileError(f"model {model_id} contains types that are not allowed: {refused[:5]}")
        packed = sio.load(path, trusted=untrusted)
        if isinstance(packed, dict) and "heads" in packed and not isinstance(packed.get("features"), dict):
            raise ModelFileError(f"model {model_id} was made by an earlier version of the router: "
                                 "train a new one (inquiry classifier train)")
        bundle = unpack(packed)
        meta = json.loads(meta_path.read_text())
    except ModelFileError:
        raise
    except Exception as exc:  # corrupt or truncated file, wrong format
        raise ModelFileError(f"model {model_id} cannot be read: {type(exc).__name__}: {exc}") from exc
    if not isinstance(bundle, dict) or "features" not in bundle or "heads" not in bundle:
        raise ModelFileError(f"model {model_id} is not an Inquiry router")
    return bundle, meta


def current_id(instance_path: str) -> str | None:
    pointer = models_dir(instance_path) / "current"
    return pointer.read_text().strip() if pointer.exists() else None


def promote(instance_path: str, model_id: str) -> None:
    """Make ``model_id`` current (atomically: a reader sees the old id or the new one)."""
    folder = models_dir(instance_path)
    if not (folder / f"{model_id}.skops").exists():
        raise ModelFileError(f"no model {model_id}")
    temporary = folder / ".current.tmp"
    temporary.write_text(model_id)
    os.replace(temporary, folder / "current")


def list_models(instance_path: str) -> list[dict]:
    folder = models_dir(instance_path)
    if not folder.exists():
        return []
    current = current_id(instance_path)
    found = []
    for meta_path in sorted(folder.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        meta["is_current"] = meta["id"] == current
        found.append(meta)
    return found
