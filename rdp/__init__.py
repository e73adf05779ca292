"""rdp: rate–distortion–perception theory of lossy compression.

The object model (Blau & Michaeli, ICML 2019):

- sources: :class:`Bernoulli`, :class:`Gaussian`, :class:`GaussianVector`, :class:`Discrete`;
- distortions: :class:`Hamming`, :class:`SquaredError`, :class:`AbsoluteError`,
  :class:`MatrixDistortion`;
- perceptions: :class:`TotalVariation`, :class:`Wasserstein`, :class:`KL`,
  :class:`NoPerception`;
- :class:`Problem` combines them; ``Problem.rate(D, P)`` and
  ``Problem.distortion(R, P)`` return :class:`RateResult` / :class:`DistortionResult`;
- :class:`UnconvergedWarning` is issued when a point has bounds but no certified value.
"""

from rdp.channels import DiscreteChannel, GaussianChannel, GaussianVectorChannel
from rdp.distortions import AbsoluteError, Hamming, MatrixDistortion, SquaredError
from rdp.exceptions import UnconvergedWarning
from rdp.perceptions import KL, NoPerception, TotalVariation, Wasserstein
from rdp.problem import Problem
from rdp.result import DistortionResult, PointSolution, RateResult
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector

__version__ = "0.1.0"

__all__ = [
    "KL",
    "AbsoluteError",
    "Bernoulli",
    "Discrete",
    "DiscreteChannel",
    "DistortionResult",
    "Gaussian",
    "GaussianChannel",
    "GaussianVector",
    "GaussianVectorChannel",
    "Hamming",
    "MatrixDistortion",
    "NoPerception",
    "PointSolution",
    "Problem",
    "RateResult",
    "SquaredError",
    "TotalVariation",
    "UnconvergedWarning",
    "Wasserstein",
    "__version__",
]
