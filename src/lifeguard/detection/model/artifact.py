"""The model on disk: ``model.json`` (parameters and metadata) and plain ``.npy`` arrays. No pickle.

Files are written byte-for-byte deterministically (``np.save`` has no timestamps, JSON keys are sorted,
floats are written as their shortest round-trip repr), so the same seed and data give identical files.

Arrays:
- ``heads_index.npy`` (uint32): bucket ids with a non-zero weight, head after head;
- ``heads_weight.npy`` (float16): their weights; ``model.json["heads"]["offsets"]`` splits both by head;
- ``sos_index.npy`` (uint32) and ``sos_weight.npy`` (float16, rows x 11): the SOS-4K 11-level head (optional).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lifeguard.detection.model.hashing import HASH_SCHEME

FORMAT = "lifeguard-risk-model/1"
ARRAY_NAMES: tuple[str, ...] = ("heads_index", "heads_weight", "sos_index", "sos_weight")
_DTYPES = {"heads_index": np.uint32, "heads_weight": np.float16, "sos_index": np.uint32, "sos_weight": np.float16}


class ArtifactError(ValueError):
    """The model directory is missing, incomplete, or was written by an incompatible version."""


@dataclass(frozen=True, slots=True)
class Artifact:
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]


def shipped_dir() -> Path:
    return Path(__file__).resolve().parent / "shipped"


def content_digest(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    """sha256 over everything that changes predictions (not over metrics or provenance)."""
    digest = hashlib.sha256()
    for key in ("features", "heads", "calibration", "thresholds", "sos", "hash_scheme"):
        digest.update(json.dumps(meta.get(key), sort_keys=True).encode("utf-8"))
    for name in ARRAY_NAMES:
        if name in arrays:
            array = np.ascontiguousarray(arrays[name])
            digest.update(name.encode("utf-8"))
            digest.update(str(array.shape).encode("utf-8"))
            digest.update(array.tobytes())
    return digest.hexdigest()


def save(directory: Path, artifact: Artifact) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in ARRAY_NAMES:
        path = directory / f"{name}.npy"
        if name in artifact.arrays:
            array = np.ascontiguousarray(artifact.arrays[name].astype(_DTYPES[name], copy=False))
            with path.open("wb") as handle:
                np.save(handle, array, allow_pickle=False)
        elif path.exists():
            path.unlink()
    text = json.dumps(artifact.meta, sort_keys=True, indent=1, ensure_ascii=False)
    (directory / "model.json").write_text(text + "\n", encoding="utf-8")


def load(directory: Path) -> Artifact:
    meta_path = directory / "model.json"
    if not meta_path.is_file():
        raise ArtifactError(f"no model.json in {directory}")
    meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ArtifactError(f"{directory}: format {meta.get('format')!r}, expected {FORMAT!r}")
    if meta.get("hash_scheme") != HASH_SCHEME:
        raise ArtifactError(f"{directory}: hash scheme {meta.get('hash_scheme')!r}, this code uses {HASH_SCHEME!r}")
    arrays: dict[str, np.ndarray] = {}
    for name in ARRAY_NAMES:
        path = directory / f"{name}.npy"
        if path.is_file():
            array = np.load(path, allow_pickle=False)
            if array.dtype != _DTYPES[name]:
                raise ArtifactError(f"{path}: dtype {array.dtype}, expected {np.dtype(_DTYPES[name])}")
            arrays[name] = array
    for required in ("heads_index", "heads_weight"):
        if required not in arrays:
            raise ArtifactError(f"{directory}: missing {required}.npy")
    if len(arrays["heads_index"]) != len(arrays["heads_weight"]):
        raise ArtifactError(f"{directory}: heads_index and heads_weight differ in length")
    return Artifact(meta=meta, arrays=arrays)
