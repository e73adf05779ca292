"""R(D, P) and D(R, P) of a law known only by samples: plug-in estimates with intervals.

[`rate`][rdp.estimate.estimator.rate] puts the samples on equal-width cells, holds the
reconstruction on particles improved by Lloyd steps, solves each finite problem with the
certified fast solver, and reruns the whole procedure on bootstrap resamples for an interval;
[`distortion`][rdp.estimate.estimator.distortion] inverts it by bisection. Both give a
Shannon lower side from an entropy estimate where the samples have a density. Results are
[`EstimateResult`][rdp.estimate.result.EstimateResult] and
[`DistortionEstimateResult`][rdp.estimate.result.DistortionEstimateResult] with status
``'estimate'``: the certified bracket belongs to the quantised empirical law, the interval to
the population. Samples are real numbers or points of R^d (MSE with no perception
constraint or W₂ there). See ``docs/estimate.md``.
"""

from rdp.estimate.estimator import distortion, rate
from rdp.estimate.result import DistortionEstimateResult, EstimateResult

__all__ = ["DistortionEstimateResult", "EstimateResult", "distortion", "rate"]
