"""A checkpoint file per estimate, so that an interrupted run resumes where it stopped.

The file (JSON) holds a key — a hash of the samples and every setting that changes a
number — the solve on the samples themselves, and the bootstrap replicates done so far.
Resample b is drawn from its own seed ``[seed, b]``, so a resumed run computes exactly the
replicates an uninterrupted one would, and a later run with more resamples extends the file.
The file is rewritten atomically (a temporary file, then a rename) after every replicate.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp._paths import replacing


def key(samples: NDArray, settings: dict[str, Any]) -> str:
    """A hash of the samples (as float64) and of the settings."""
    digest = hashlib.sha256(np.ascontiguousarray(samples, dtype=float).tobytes())
    digest.update(json.dumps(settings, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


class Checkpoint:
    """The checkpoint at ``path`` for the estimate with ``key`` (empty when new)."""

    def __init__(self, path: str | os.PathLike, key: str) -> None:
        self.path = Path(path)
        self.key = key
        self.main: dict[str, Any] | None = None
        self.replicates: list[float] = []
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text())
            except (OSError, ValueError) as err:
                raise ValueError(f"checkpoint: cannot read {str(path)!r}: {err}") from None
            if not isinstance(data, dict) or data.get("key") != key:
                raise ValueError(
                    f"checkpoint: {str(path)!r} holds another estimate (other samples or "
                    "settings); remove it or name another file"
                )
            self.main = data.get("main")
            self.replicates = [float(v) for v in data.get("replicates", [])]
        elif not self.path.parent.is_dir():
            raise ValueError(f"checkpoint: no folder {str(self.path.parent)!r}")

    def save(self) -> None:
        """Write the file atomically."""
        data = {"key": self.key, "main": self.main, "replicates": self.replicates}
        with replacing(self.path) as temporary:
            temporary.write_text(json.dumps(data))
