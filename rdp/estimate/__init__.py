"""R(D, P) of a law known only by samples: a plug-in estimate with a bootstrap interval.

[`rate`][rdp.estimate.estimator.rate] puts the samples on equal-width cells, holds the
reconstruction on particles improved by Lloyd steps, solves each finite problem with the
certified fast solver, and reruns the whole procedure on bootstrap resamples for an interval.
It returns an [`EstimateResult`][rdp.estimate.result.EstimateResult] with status
``'estimate'``: the certified bracket belongs to the quantised empirical law, the interval to
the population. 1-D samples only. See ``docs/estimate.md``.
"""

from rdp.estimate.estimator import rate
from rdp.estimate.result import EstimateResult

__all__ = ["EstimateResult", "rate"]
