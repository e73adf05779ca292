"""rdp: rate–distortion–perception theory of lossy compression.

The object model (Blau & Michaeli, ICML 2019):

- sources: [`Bernoulli`][rdp.sources.Bernoulli], [`Gaussian`][rdp.sources.Gaussian],
  [`GaussianVector`][rdp.sources.GaussianVector], [`Discrete`][rdp.sources.Discrete];
- distortions: [`Hamming`][rdp.distortions.Hamming], [`SquaredError`][rdp.distortions.SquaredError],
  [`AbsoluteError`][rdp.distortions.AbsoluteError], [`Euclidean`][rdp.distortions.Euclidean],
  [`MatrixDistortion`][rdp.distortions.MatrixDistortion];
- perceptions: [`TotalVariation`][rdp.perceptions.TotalVariation],
  [`Wasserstein`][rdp.perceptions.Wasserstein], [`KL`][rdp.perceptions.KL],
  the f-divergences [`Hellinger`][rdp.perceptions.Hellinger],
  [`JensenShannon`][rdp.perceptions.JensenShannon],
  [`ChiSquared`][rdp.perceptions.ChiSquared] and
  [`FDivergence`][rdp.perceptions.FDivergence],
  [`NoPerception`][rdp.perceptions.NoPerception];
- [`Problem`][rdp.problem.Problem] combines them; its methods are the API, one per operation:
  [`rate`][rdp.problem.Problem.rate] R(D, P), [`distortion`][rdp.problem.Problem.distortion]
  D(R, P), [`rd_curve`][rdp.problem.Problem.rd_curve], [`surface`][rdp.problem.Problem.surface],
  [`min_distortion`][rdp.problem.Problem.min_distortion],
  [`zero_rate_distortion`][rdp.problem.Problem.zero_rate_distortion],
  [`method`][rdp.problem.Problem.method] and [`bound`][rdp.problem.Problem.bound]. Each picks a
  method (a closed form, the convex program or the fast solver, found through the lazy
  registry [`rdp.methods`][rdp.methods]) and returns
  [`RateResult`][rdp.result.RateResult] / [`DistortionResult`][rdp.result.DistortionResult] /
  [`CurveResult`][rdp.result.CurveResult] / [`SurfaceResult`][rdp.result.SurfaceResult].

[`sweep`][rdp.batch.run.sweep] runs *families* of problems (parameter grids × (D, P) grids) on
local processes or Dask into a labelled Zarr store (``rdp.batch``); one problem's curve or
surface is ``Problem.rd_curve`` / ``Problem.surface``.

``import rdp`` loads no solver: POT, cvxpy and JAX are imported when a method
that needs them first runs; Dask, xarray and Zarr when a sweep runs.
Every point carries a [`Status`][rdp.status.Status]; [`is_certified`][rdp.status.is_certified]
decides from it and the bracket whether the value is certified, and
[`UnconvergedWarning`][rdp.exceptions.UnconvergedWarning] is issued when a point has bounds but no
certified value.
"""

from typing import Any

from rdp._version import __version__
from rdp.batch import sweep
from rdp.channels import DiscreteChannel, GaussianChannel, GaussianVectorChannel
from rdp.distortions import AbsoluteError, Euclidean, Hamming, MatrixDistortion, SquaredError
from rdp.exceptions import TimeLimitError, UnconvergedWarning
from rdp.perceptions import (
    KL,
    ChiSquared,
    FDivergence,
    Hellinger,
    JensenShannon,
    NoPerception,
    PerceptionBound,
    TotalVariation,
    Wasserstein,
)
from rdp.problem import Problem
from rdp.result import CurveResult, DistortionResult, PointSolution, RateResult, SurfaceResult
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector
from rdp.status import Status, is_certified

__all__ = [
    "KL",
    "AbsoluteError",
    "Bernoulli",
    "ChiSquared",
    "CurveResult",
    "Discrete",
    "DiscreteChannel",
    "DistortionResult",
    "Euclidean",
    "FDivergence",
    "Gaussian",
    "GaussianChannel",
    "GaussianVector",
    "GaussianVectorChannel",
    "Hamming",
    "Hellinger",
    "JensenShannon",
    "MatrixDistortion",
    "NoPerception",
    "PerceptionBound",
    "PointSolution",
    "Problem",
    "RateResult",
    "SquaredError",
    "Status",
    "SurfaceResult",
    "TimeLimitError",
    "TotalVariation",
    "UnconvergedWarning",
    "Wasserstein",
    "__version__",
    "is_certified",
    "sweep",
]


# ``rdp.solve`` and ``rdp.sweeps``: deprecated modules, loaded (with a warning) on use.
def __getattr__(name: str) -> Any:
    if name in ("solve", "sweeps"):
        import importlib

        from rdp._deprecation import deprecated

        deprecated(f"rdp.{name}", "the Problem methods (rate, distortion, rd_curve, surface)")
        return importlib.import_module(f"rdp.{name}")
    raise AttributeError(f"module 'rdp' has no attribute {name!r}")
