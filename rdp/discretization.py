r"""Estimates of a continuous problem by solving finer and finer discretisations of it.

Where no closed form exists — the Gaussian source with MSE and
$\mathrm{KL}(p_X\|p_{\hat X})$, whose certified bounds are those of
[`rdp.closed_forms.gaussian_kl`][rdp.closed_forms.gaussian_kl] — the problem is
solved on [`Gaussian.discretize`][rdp.sources.Gaussian.discretize]``(n)`` for
growing n with the certified finite solver (``method="fast"``), and the values are
extrapolated in n. The result is an estimate, not a bound: a discretised problem
is neither a lower nor an upper bound of the continuous one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rdp.closed_forms.gaussian_kl import RateBounds, rate_bounds
from rdp.problem import Problem
from rdp.sources import Gaussian

__all__ = ["Estimate", "kl_source_recon_estimate"]


@dataclass(frozen=True)
class Estimate:
    """R(D, P) of the discretised problem for growing n, and its extrapolation.

    Attributes
    ----------
    n : list of int
        Numbers of cells of [`rdp.Gaussian.discretize`][rdp.sources.Gaussian.discretize].
    lower, upper : list of float
        The fast solver's certified bounds on each discretised problem (bits).
    extrapolated : float
        Richardson extrapolation of the last two midpoints assuming O(1/n²)
        convergence (an estimate, not a bound).
    bounds : RateBounds
        The certified bounds on the Gaussian problem itself.
    seconds : list of float
        Wall time of each solve.
    """

    n: list[int]
    lower: list[float]
    upper: list[float]
    extrapolated: float
    bounds: RateBounds
    seconds: list[float] = field(default_factory=list)

    def table(self) -> str:
        """A plain-text table of n, bounds and the change from the previous n."""
        rows = ["     n   lower(bits)   upper(bits)   change"]
        previous = None
        for n, lo, up in zip(self.n, self.lower, self.upper, strict=True):
            mid = 0.5 * (lo + up)
            change = "" if previous is None else f"{mid - previous:+.2e}"
            rows.append(f"{n:6d}   {lo:.8f}    {up:.8f}    {change}")
            previous = mid
        rows.append(f"extrapolated (O(1/n²)): {self.extrapolated:.8f}")
        rows.append(f"certified bounds: [{self.bounds.lower:.8f}, {self.bounds.upper:.8f}]")
        return "\n".join(rows)


def kl_source_recon_estimate(
    variance: float, D: float, P: float, ns: tuple[int, ...] = (32, 64, 128, 256)
) -> Estimate:
    r"""Estimate R(D, P) for N(0, variance), MSE, KL(p_X‖p_X̂) ≤ P bits by discretisation.

    Solves ``Problem(Gaussian(0, variance).discretize(n), "mse", "kl-source-recon")``
    with ``method="fast"`` for each n in ``ns`` (slow beyond n ≈ 256) and
    extrapolates the last two values assuming an O(1/n²) error. The
    discretised problem is neither a lower nor an upper bound of the Gaussian
    one; the certified bounds are [`rate_bounds`][rdp.closed_forms.gaussian_kl.rate_bounds].

    Examples
    --------
    >>> est = kl_source_recon_estimate(1.0, 0.6, 0.05, ns=(16, 32))
    >>> est.bounds.lower <= est.extrapolated <= est.bounds.upper
    True
    """
    source = Gaussian(0.0, variance)
    lowers, uppers, seconds = [], [], []
    for n in ns:
        began = time.perf_counter()
        result = Problem(source.discretize(n), "mse", "kl-source-recon").rate(D, P, method="fast")
        seconds.append(time.perf_counter() - began)
        lowers.append(float(result.lower))
        uppers.append(float(result.upper))
    mids = [0.5 * (a + b) for a, b in zip(lowers, uppers, strict=True)]
    if len(ns) >= 2:
        ratio = (ns[-1] / ns[-2]) ** 2
        extrapolated = mids[-1] + (mids[-1] - mids[-2]) / (ratio - 1.0)
    else:
        extrapolated = mids[-1]
    return Estimate(
        list(ns), lowers, uppers, float(extrapolated), rate_bounds(variance, D, P), seconds
    )
