"""Saving and loading trained codecs; a model's identity is the hash of its file.

A model file (``.rdpm``) is ``b"RDPM"``, a u32 length, a JSON object (the
``CodecConfig`` under ``"config"`` and free-form
training metadata under ``"meta"``), then the weights as written by
``equinox.tree_serialise_leaves``. ``model_id`` is the first 8 bytes of
the SHA-256 of the whole file: a compressed file remembers it, and decoding
with any other model is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import equinox as eqx
import jax

from rdp.codec.container import MODEL_ID_BYTES, CodecFileError
from rdp.codec.model import Codec, CodecConfig

MODEL_MAGIC = b"RDPM"
MODEL_FILE = "model.rdpm"


@dataclass(frozen=True)
class LoadedModel:
    """A codec with its identity and training metadata."""

    codec: Codec
    model_id: bytes
    meta: dict
    path: Path


def model_bytes(codec: Codec, meta: dict | None = None) -> bytes:
    """The model file's content."""
    header = json.dumps({"config": codec.config.to_dict(), "meta": meta or {}}).encode()
    buffer = io.BytesIO()
    eqx.tree_serialise_leaves(buffer, codec)
    return MODEL_MAGIC + struct.pack("<I", len(header)) + header + buffer.getvalue()


def save_model(path: str | Path, codec: Codec, meta: dict | None = None) -> Path:
    """Write ``codec`` to ``path`` (a file, or a directory to hold ``MODEL_FILE``)."""
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model_bytes(codec, meta))
    return path


def model_id(data: bytes) -> bytes:
    """Identity of a model file's content."""
    return hashlib.sha256(data).digest()[:MODEL_ID_BYTES]


def load_model(path: str | Path) -> LoadedModel:
    """Read a model file (or ``DIR/model.rdpm``); one-line ``CodecFileError`` if unusable."""
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        raise CodecFileError(f"model file {path} not found")
    data = path.read_bytes()
    if data[:4] != MODEL_MAGIC or len(data) < 8:
        raise CodecFileError(f"{path} is not an rdp codec model (bad magic number)")
    (length,) = struct.unpack_from("<I", data, 4)
    try:
        header = json.loads(data[8 : 8 + length])
        config = CodecConfig(**header["config"])
        template = Codec(config, key=jax.random.PRNGKey(0))
        codec = eqx.tree_deserialise_leaves(io.BytesIO(data[8 + length :]), template)
    except Exception as err:
        raise CodecFileError(f"{path} is not a valid rdp codec model ({err})") from None
    return LoadedModel(codec, model_id(data), header.get("meta", {}), path)
