"""One visual style for every rdp figure: colours, sizes, labels.

Curves indexed by a parameter (perception level, rate, distortion) take their
colours from one sequential colour map (``CURVE_CMAP``, dark = most
constrained); Shannon's unconstrained curve is always ``SHANNON_COLOR``
and dashed; surfaces and level sets share ``SURFACE_CMAP``; infeasible
and zero-rate regions are shaded with ``INFEASIBLE_COLOR`` and
``ZERO_RATE_COLOR``. Every figure is built with the object-oriented API
(``matplotlib.figure.Figure``), so nothing leaks into pyplot's state.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rdp._labels import distortion_label as distortion_label
from rdp._labels import perception_label as perception_label
from rdp._labels import rate_label as rate_label

#: Sequential colour map for curve families (dark = strictest constraint).
CURVE_CMAP = "viridis"
#: Colour map of R(D, P) surfaces and equi-rate level sets.
SURFACE_CMAP = "viridis"
#: Shannon's R(D) (no perception constraint): black, dashed.
SHANNON_COLOR = "black"
SHANNON_LINESTYLE = "--"

#: Marker of a point without a certified value (``rdp.status.is_certified`` false): bounds only.
UNCERTIFIED_MARKER = {"marker": "x", "color": "red", "linestyle": "none", "markersize": 7}
#: Legend entry of that marker.
UNCERTIFIED_LABEL = "no certified value: bounds only"
#: Shading of the infeasible region (D below D_min(P)).
INFEASIBLE_COLOR = "#bbbbbb"
#: Shading of the zero-rate region (D at or above D_max(P)).
ZERO_RATE_COLOR = "#e8e8e8"
#: Categorical colours for comparisons that are not a parameter sweep.
CATEGORICAL = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Marker cycle for operational (one-shot, quantizer) points.
MARKERS = ("o", "s", "^", "D", "v", "P")

#: Size in inches of a single-panel figure; panels are laid side by side.
PANEL_SIZE = (4.6, 3.6)
LINE_WIDTH = 1.8

RC_PARAMS: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": LINE_WIDTH,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
}


@contextmanager
def style() -> Iterator[None]:
    """Apply ``RC_PARAMS`` while a figure is built (restored afterwards)."""
    with mpl.rc_context(RC_PARAMS):
        yield


def new_figure(ncols: int = 1, *, nrows: int = 1, projection: str | None = None) -> Figure:
    """A ``Figure`` sized for ``nrows × ncols`` panels.

    Uses the object-oriented API only (no pyplot): the figure is not registered
    with any pyplot figure manager and is garbage collected like any object.
    """
    width, height = PANEL_SIZE
    with style():
        fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    return fig


def figure_and_axes(
    ax: Axes | None = None, *, projection: str | None = None
) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new one-panel figure (``new_figure``) and its axes.

    ``projection`` (e.g. ``"3d"``) applies only to the new axes.
    """
    if ax is not None:
        return ax.figure, ax
    fig = new_figure()
    return fig, fig.add_subplot(projection=projection)


def curve_colors(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` colours from ``CURVE_CMAP``, avoiding its palest end."""
    cmap = mpl.colormaps[CURVE_CMAP]
    if n <= 1:
        return [cmap(0.0)]
    return [cmap(x) for x in np.linspace(0.0, 0.85, n)]


def weight_colors(weights) -> dict[float, Any]:
    """Colours of curves indexed by a loss weight (λ, β): 0 black, the others viridis.

    A weight of 0 is the model trained without a perception term, drawn in
    ``SHANNON_COLOR`` in every figure; the positive weights take colours from
    ``CURVE_CMAP`` (its dark end skipped, so that none reads as black).
    """
    positive = sorted({float(w) for w in weights if w != 0})
    cmap = mpl.colormaps[CURVE_CMAP]
    stops = np.linspace(0.3, 0.85, len(positive)) if len(positive) > 1 else [0.55]
    colors: dict[float, Any] = {w: cmap(x) for w, x in zip(positive, stops, strict=False)}
    colors[0.0] = SHANNON_COLOR
    return colors


def short_label(label: str) -> str:
    """A compact axis label for crowded (3-D) axes.

    Drops the leading word and any parenthesised gloss inside the measure:
    ``'perception P (W₂² (squared Wasserstein-2))'`` becomes ``'P (W₂²)'``.
    """
    head, _, rest = label.partition(" ")
    if head in {"distortion", "perception", "rate"} and rest:
        label = rest
    return re.sub(r" \([^()]*\)(?=\))", "", label)


def format_value(value: float) -> str:
    """Compact legend text for a parameter value (``∞`` for infinity)."""
    if np.isinf(value):
        return "∞"
    return f"{value:.3g}"
