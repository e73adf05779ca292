"""Pieces shared by the experiment runners."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rdp.neural.framework import TrainingConfig

#: Environment variable naming the cache of trained feature classifiers.
CACHE_ENV = "RDP_CACHE_DIR"


def training_config(settings: dict[str, Any]) -> TrainingConfig:
    """The :class:`TrainingConfig` of a preset's ``"training"`` entry."""
    fields = dict(settings)
    for name in ("encoder_hidden", "decoder_hidden", "critic_hidden"):
        if name in fields:
            fields[name] = tuple(int(v) for v in fields[name])
    return TrainingConfig(**fields)


def cache_directory(cache_dir: str | os.PathLike | None, out: Path) -> Path:
    """``cache_dir``, else ``$RDP_CACHE_DIR``, else ``OUT/cache``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else out / "cache"
