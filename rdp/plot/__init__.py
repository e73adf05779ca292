"""Plots of R(D, P): surfaces, level sets, cross sections and tradeoff curves.

Every function returns a ``matplotlib.figure.Figure`` built with the
object-oriented API (no pyplot state), in one style ([`rdp.plot.style`][rdp.plot.style]).
Data functions compute the arrays through the public [`Problem`][rdp.problem.Problem]
API; plot functions take either those arrays or a problem and grids.

>>> import numpy as np
>>> from rdp import Bernoulli, Problem
>>> from rdp.plot import plot_rate_distortion, save_figure
>>> problem = Problem(Bernoulli(0.1), "hamming", "tv")
>>> fig = plot_rate_distortion(problem, [0.0, 0.04], np.linspace(0, 0.2, 50))
"""

from typing import Any

from rdp.plot.curves import (
    draw_curve_family,
    plot_distortion_perception,
    plot_rate_distortion,
    plot_rate_perception,
)
from rdp.plot.data import (
    CurveFamily,
    axis_labels,
    distortion_perception_curves,
    rate_distortion_curves,
    rate_perception_curves,
)
from rdp.plot.points import plot_reconstruction_law
from rdp.plot.save import save_figure
from rdp.plot.surface import plot_level_sets, plot_surface

__all__ = [
    "CurveFamily",
    "axis_labels",
    "distortion_perception_curves",
    "draw_curve_family",
    "plot_distortion_perception",
    "plot_level_sets",
    "plot_rate_distortion",
    "plot_rate_perception",
    "plot_reconstruction_law",
    "plot_surface",
    "rate_distortion_curves",
    "rate_perception_curves",
    "save_figure",
]


# ``RateSurface`` and ``rate_surface``: deprecated (``SurfaceResult``, ``Problem.surface``).
def __getattr__(name: str) -> Any:
    if name in ("RateSurface", "rate_surface"):
        from rdp.plot import data

        return getattr(data, name)
    raise AttributeError(f"module 'rdp.plot' has no attribute {name!r}")
