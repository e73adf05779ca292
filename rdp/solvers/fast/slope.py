r"""The slope step of the fast solver: s towards the slope at which the channel meets D.

The channel $J(s, v)$ has distortion decreasing in $s$, with derivative minus the
p-average conditional variance of Δ. At the first iterations and once per check period
the slope takes a Newton step (a secant step on the settled distortion later on, since
the weights adapt to s as well), moved only when the distortion mismatch outweighs
the fixed-slope gap — otherwise the slope and the weights chase each other — and kept
inside the bracket of the last slopes measured on either side of D
([`SlopeBracket`][rdp.solvers.fast.slope.SlopeBracket]); ``docs/solver.md``,
"Slope step".
"""

from __future__ import annotations

import numpy as np

from rdp.solvers import finite


class SlopeControl:
    """The slope steps of one point: the bracket and the last (slope, distortion)."""

    def __init__(self, D: float) -> None:
        self.D = D
        self.bracket = SlopeBracket()
        self.history: tuple[float, float] | None = None

    def step(self, s: float, dist: float, var: float, inner_gap: float, early: bool) -> float:
        """The next slope after measuring distortion ``dist`` and variance ``var`` at ``s``
        (``s`` itself when it stays)."""
        D = self.D
        mismatch = abs(dist - D) * max(s, 1e-3)
        self.bracket.measure(s, dist, D)
        if not ((early or mismatch >= 0.5 * inner_gap) and var > 0 and mismatch > 0):
            return s
        slope = var
        history = self.history
        if not early and history is not None and history[0] != s:
            # secant on the settled distortion: the weights adapt to s as well
            secant = (history[1] - dist) / (s - history[0])
            if secant > 0:
                slope = max(secant, 0.05 * var)
        self.history = (s, dist)
        s_new = float(np.clip(s + (dist - D) / slope, 0.25 * s, 4.0 * s + 1.0))
        s_new = self.bracket.keep_inside(s_new, D)
        if abs(s_new - s) > 1e-13 * max(s, 1e-300):
            return max(s_new, 0.0)
        return s


class SlopeBracket:
    """The last slopes measured on either side of "distortion = D": a safeguard for s steps.

    At fixed weights the distortion of J(s, v) falls as s grows. Where it is
    sigmoid-shaped in s, Newton and secant steps on it can cycle without end
    (measured: a uniform source on 10,000 symbols with Hamming distortion at
    D = 0.5 cycled through s ≈ 2.8, 7.6, 17.7, 11.6 for 100,000 iterations, gap
    0.39 bits; the root is s = 9.2). A step that leaves the bracket
    ``(above, below)`` — slopes whose distortion was above / below D — is replaced
    by the regula falsi point between them. The weights move between measurements
    and with them the root, so after three measurements on one side in a row the
    other side is forgotten (a stale end never pins the slope), and a step that
    leaves the bracket by at most ``SLACK`` (relative) is kept: near convergence the
    root drifts that little past ends measured at earlier weights, and pulling those
    steps back cost iterations (Dirichlet source, Hamming, no perception: 420 instead
    of 240 at N = 2048, 740 instead of 640 at N = 256), while the cycling steps
    leave it by far more (N = 3000, D = 0.58: 14.7 against the bracket (3.4, 13.7)).
    """

    RUN = 3
    SLACK = 0.01

    def __init__(self) -> None:
        self.above: tuple[float, float] | None = None  # (s, dist) with dist > D: root > s
        self.below: tuple[float, float] | None = None  # (s, dist) with dist < D: root < s
        self.run = 0
        self.side = 0

    def measure(self, s: float, dist: float, D: float) -> None:
        """Record the distortion ``dist`` measured at slope ``s``."""
        if dist == D:
            return
        side = 1 if dist > D else -1
        self.run = self.run + 1 if side == self.side else 1
        self.side = side
        if side > 0:
            self.above = (s, dist)
            if self.run >= self.RUN or (self.below is not None and self.below[0] <= s):
                self.below = None
        else:
            self.below = (s, dist)
            if self.run >= self.RUN or (self.above is not None and self.above[0] >= s):
                self.above = None

    def keep_inside(self, s_new: float, D: float) -> float:
        """``s_new``, or the regula falsi point of the bracket when ``s_new`` leaves it
        (by more than ``SLACK``)."""
        if self.above is None or self.below is None:
            return s_new
        (lo, d_lo), (hi, d_hi) = self.above, self.below
        if lo * (1 - self.SLACK) < s_new < hi * (1 + self.SLACK):
            return s_new
        mid = lo + (d_lo - D) * (hi - lo) / (d_lo - d_hi)
        return mid if lo < mid < hi else 0.5 * (lo + hi)


def initial_slope(fp: finite.FiniteProblem, D: float) -> float:
    """A first slope from the median positive distortion and D."""
    sample = fp.delta.ravel()[:: max(1, fp.delta.size // 65536)]
    sample = sample[sample > 0]
    scale = float(np.median(sample)) if sample.size else 1.0
    return max(np.log(max(scale / max(D, 1e-12), 1.0 + 1e-9)), 0.1) / scale
