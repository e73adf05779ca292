"""Sizes of the codec runs: ``quick`` (tests, seconds), ``cpu`` (a laptop), ``gpu``.

Each preset gives the architecture, the training schedule of ``rdp codec
train`` (one model) and the grid of ``rdp codec sweep``: rate weights λ ×
perception weights β on images, with ``finetune_baseline`` an equal-steps
β = 0 model per λ (stage 2 with rate and MSE alone), the ablations (ReLU
instead of GDN, the hyperprior) at ``ablation_lambda``, the Gaussian-vector check of the
sweep, and ``gaussian_dither``: the check against D(R, P) of ``rdp codec
gaussian`` (``rdp.codec.gaussian_check``).
"""

from __future__ import annotations

PRESETS: dict[str, dict] = {
    "quick": {
        "codec": {"filters": 8, "latent_channels": 4, "hyper_channels": 0},
        "train": {"steps": 40, "gan_steps": 10, "batch_size": 8},
        "lambdas": (0.03, 0.3),
        "betas": (0.0, 0.02),
        "extra_betas": (),
        "finetune_baseline": False,
        "ablations": False,
        "ablation_lambda": 0.3,
        "perceptual_weight": 0.02,
        "classifier_steps": 50,
        "eval_images": 64,
        "critic_steps": 0,
        "gaussian": {
            "dim": 16,
            "filters": 32,
            "latent_channels": 16,
            "steps": 300,
            "gan_steps": 50,
            "batch_size": 64,
            "lambdas": (0.1, 1.0),
            "betas": (0.0,),
        },
        "gaussian_dither": {
            "dim": 4,
            "filters": 16,
            "latent_channels": 4,
            "steps": 300,
            "stage2_steps": 100,
            "stage2_learning_rate": 1e-3,
            "batch_size": 128,
            "projections": 16,
            "lambdas": (0.5,),
            "betas": (10.0,),
            "variants": ("dithered", "dithered-perception"),
        },
    },
    "cpu": {
        "codec": {"filters": 16, "latent_channels": 8, "hyper_channels": 0},
        "train": {"steps": 800, "gan_steps": 300, "batch_size": 32},
        "lambdas": (0.03, 0.1, 0.3),
        "betas": (0.0, 0.02, 0.1),
        "extra_betas": (),
        "finetune_baseline": True,
        "ablations": True,
        "ablation_lambda": 0.3,
        "perceptual_weight": 0.02,
        "classifier_steps": 2000,
        "eval_images": 1000,
        "critic_steps": 300,
        "gaussian": {
            "dim": 16,
            "filters": 64,
            "latent_channels": 16,
            "steps": 3000,
            "gan_steps": 1000,
            "batch_size": 256,
            "lambdas": (0.05, 0.15, 0.4, 1.0),
            "betas": (0.0, 0.05),
        },
        "gaussian_dither": {
            "dim": 16,
            "filters": 64,
            "latent_channels": 16,
            "steps": 2000,
            "stage2_steps": 1500,
            "stage2_learning_rate": 3e-4,
            "batch_size": 256,
            "projections": 64,
            "lambdas": (1.0, 0.5, 0.25, 0.1),
            "betas": (3.0, 30.0),
        },
    },
    "gpu": {
        "codec": {"filters": 64, "latent_channels": 16, "hyper_channels": 8},
        "train": {"steps": 20000, "gan_steps": 10000, "batch_size": 64},
        "lambdas": (0.01, 0.03, 0.1, 0.3, 1.0),
        "betas": (0.0, 0.02, 0.1),
        "extra_betas": (),
        "finetune_baseline": True,
        "ablations": True,
        "ablation_lambda": 0.1,
        "perceptual_weight": 0.02,
        "classifier_steps": 5000,
        "eval_images": 1000,
        "critic_steps": 2000,
        "gaussian": {
            "dim": 16,
            "filters": 128,
            "latent_channels": 16,
            "steps": 20000,
            "gan_steps": 5000,
            "batch_size": 512,
            "lambdas": (0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
            "betas": (0.0, 0.05),
        },
        "gaussian_dither": {
            "dim": 16,
            "filters": 128,
            "latent_channels": 16,
            "steps": 20000,
            "stage2_steps": 10000,
            "stage2_learning_rate": 3e-4,
            "batch_size": 512,
            "projections": 128,
            "lambdas": (0.7, 0.5, 0.35, 0.25, 0.15, 0.1, 0.05),
            "betas": (1.0, 3.0, 30.0),
        },
    },
}


def preset(name: str) -> dict:
    """The preset called ``name``."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}; got {name!r}")
    return PRESETS[name]
