"""Exact closed forms of R(D, P), selected by the problem's source, distortion and perception.

=====================  ============  ==========================  ==============================
source                 distortion    perception                  reference
=====================  ============  ==========================  ==============================
Bernoulli (or 2-symbol Hamming       TV, none                    Blau & Michaeli 2019, Thm 2
Discrete)              Hamming       KL (both)                   reduction to TV (derived here)
Gaussian               MSE           squared W₂, KL (both), none Zhang et al. 2021, Thm 2
Gaussian               MSE           H², JS, χ² (both), f        bounds (derived here)
GaussianVector         MSE           squared W₂, KL (both), none Qian et al. 2024; Serra et al.
=====================  ============  ==========================  ==============================

``closed_form`` is the factory registered as ``method="closed-form"`` in
[`rdp.methods`][rdp.methods] (by dotted path: this package is imported on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rdp.closed_forms.bernoulli import BernoulliHammingTV
from rdp.closed_forms.gaussian import GaussianMSE
from rdp.closed_forms.gaussian_kl import GaussianKLSourceBounds
from rdp.closed_forms.gaussian_vector import GaussianVectorMSE
from rdp.distortions import Hamming, SquaredError
from rdp.perceptions import F_KINDS, KL_KINDS, KL_SOURCE_RECON, NONE, TV, W2
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector

if TYPE_CHECKING:
    from rdp.methods import Method
    from rdp.problem import Problem


def closed_form(problem: Problem, **options: Any) -> Method:
    """The closed-form method for ``problem``; ``ValueError`` when none exists."""
    if options:
        raise ValueError(f"closed forms take no solver options; got {sorted(options)}")
    source, distortion, perception = (
        problem.source,
        problem.distortion_measure,
        problem.perception_measure,
    )
    if _is_binary_hamming_tv(problem):
        discrete = source.to_discrete()
        return BernoulliHammingTV(float(discrete.pmf[1]), discrete.alphabet, perception.kind)
    if _is_binary_hamming_kl(problem):
        from rdp.closed_forms.bernoulli_kl import BernoulliHammingKL

        discrete = source.to_discrete()
        return BernoulliHammingKL(float(discrete.pmf[1]), discrete.alphabet, perception.direction)
    if (
        isinstance(source, Gaussian)
        and isinstance(distortion, SquaredError)
        and perception.kind in F_KINDS
    ):  # no closed form: certified bounds
        from rdp.closed_forms.gaussian_fdivergence import GaussianFDivergenceBounds

        return GaussianFDivergenceBounds(source.mean, source.variance, perception)
    gaussian_perception = perception.kind in (*KL_KINDS, NONE) or (
        perception.kind == W2 and perception.cost is None
    )
    if (
        isinstance(source, Gaussian)
        and isinstance(distortion, SquaredError)
        and gaussian_perception
    ):
        if perception.kind == KL_SOURCE_RECON:  # no closed form: certified bounds
            return GaussianKLSourceBounds(source.mean, source.variance, perception)
        return GaussianMSE(source.mean, source.variance, perception)
    if (
        isinstance(source, GaussianVector)
        and isinstance(distortion, SquaredError)
        and gaussian_perception
    ):
        return GaussianVectorMSE(source, perception)
    raise ValueError(
        f"no closed form for {type(source).__name__} source, {type(distortion).__name__} "
        f"distortion and {type(perception).__name__} perception"
    )


def _is_binary_hamming_kl(problem: Problem) -> bool:
    """Bernoulli / Hamming / KL: reduced to the TV closed form (rdp.closed_forms.bernoulli_kl)."""
    source = problem.source
    if (
        not isinstance(source, Bernoulli | Discrete)
        or problem.perception_measure.kind not in KL_KINDS
    ):
        return False
    if not isinstance(problem.distortion_measure, Hamming):
        return False
    alphabet = source.to_discrete().alphabet
    recon = problem.reconstruction_alphabet
    return len(alphabet) == 2 and recon is not None and np.array_equal(recon, alphabet)


def _is_binary_hamming_tv(problem: Problem) -> bool:
    source = problem.source
    if not isinstance(source, Bernoulli | Discrete):
        return False
    if not isinstance(problem.distortion_measure, Hamming):
        return False
    if problem.perception_measure.kind not in (TV, NONE):
        return False
    alphabet = source.to_discrete().alphabet
    recon = problem.reconstruction_alphabet
    return len(alphabet) == 2 and recon is not None and np.array_equal(recon, alphabet)
