"""rdp: rate–distortion–perception theory of lossy compression.

The object model (Blau & Michaeli, ICML 2019):

- sources: [`Bernoulli`][rdp.sources.Bernoulli], [`Gaussian`][rdp.sources.Gaussian],
  [`GaussianVector`][rdp.sources.GaussianVector], [`Discrete`][rdp.sources.Discrete];
- distortions: [`Hamming`][rdp.distortions.Hamming], [`SquaredError`][rdp.distortions.SquaredError],
  [`AbsoluteError`][rdp.distortions.AbsoluteError],
  [`MatrixDistortion`][rdp.distortions.MatrixDistortion];
- perceptions: [`TotalVariation`][rdp.perceptions.TotalVariation],
  [`Wasserstein`][rdp.perceptions.Wasserstein], [`KL`][rdp.perceptions.KL],
  [`NoPerception`][rdp.perceptions.NoPerception];
- [`Problem`][rdp.problem.Problem] combines them (data only); ``Problem.rate(D, P)``,
  ``Problem.distortion(R, P)`` and ``Problem.surface(D, P)`` call [`rdp.solve`][rdp.solve],
  which picks a method (a closed form, the convex program or the fast solver,
  found through the lazy registry [`rdp.methods`][rdp.methods]) and returns
  [`RateResult`][rdp.result.RateResult] / [`DistortionResult`][rdp.result.DistortionResult] /
  [`SurfaceResult`][rdp.result.SurfaceResult].

[`sweep`][rdp.batch.run.sweep] runs families of problems over (D, P) grids on local processes
or Dask into a labelled Zarr store (``rdp.batch``).

``import rdp`` loads no solver: POT, cvxpy and JAX are imported when a method
that needs them first runs; Dask, xarray and Zarr when a sweep runs.
Every point carries a [`Status`][rdp.status.Status]; [`is_certified`][rdp.status.is_certified]
decides from it and the bracket whether the value is certified, and
[`UnconvergedWarning`][rdp.exceptions.UnconvergedWarning] is issued when a point has bounds but no
certified value.
"""

from rdp import solve
from rdp._version import __version__
from rdp.batch import sweep
from rdp.channels import DiscreteChannel, GaussianChannel, GaussianVectorChannel
from rdp.distortions import AbsoluteError, Hamming, MatrixDistortion, SquaredError
from rdp.exceptions import UnconvergedWarning
from rdp.perceptions import KL, NoPerception, PerceptionBound, TotalVariation, Wasserstein
from rdp.problem import Problem
from rdp.result import CurveResult, DistortionResult, PointSolution, RateResult, SurfaceResult
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector
from rdp.status import Status, is_certified

__all__ = [
    "KL",
    "AbsoluteError",
    "Bernoulli",
    "CurveResult",
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
    "PerceptionBound",
    "PointSolution",
    "Problem",
    "RateResult",
    "SquaredError",
    "Status",
    "SurfaceResult",
    "TotalVariation",
    "UnconvergedWarning",
    "Wasserstein",
    "__version__",
    "is_certified",
    "solve",
    "sweep",
]
