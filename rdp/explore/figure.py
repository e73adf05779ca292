"""The explorer's figure: the point on its curves, sections, (D, P) plane and optimal channel.

Drawn with [`rdp.plot`][rdp.plot] (``draw_curve_family``, ``plot_level_sets``), so
bounds, infeasible regions and points that stopped at a limit look exactly as in
every other rdp figure; the point itself is a black star (a red × on a bar
spanning its bracket when it has no certified value).
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rdp.channels import DiscreteChannel, GaussianChannel, GaussianVectorChannel
from rdp.explore.compute import Point, Sections
from rdp.plot import draw_curve_family, plot_level_sets, style
from rdp.plot.data import CurveFamily

#: The point's marker.
POINT_MARKER = {"marker": "*", "color": "black", "markersize": 13, "linestyle": "none"}
#: Fixed margins (a constrained layout would cost more than the drawing).
LAYOUT = {"left": 0.05, "right": 0.985, "bottom": 0.08, "top": 0.95, "wspace": 0.3, "hspace": 0.38}


def draw_figure(point: Point, sections: Sections) -> Figure:
    """A 2 × 3 figure: R(D) curves, R–P and D–P sections, the (D, P) plane, the channel."""
    with style.style():
        width, height = style.PANEL_SIZE
        fig = Figure(figsize=(3 * width, 2 * height))
        axes = fig.subplots(2, 3, gridspec_kw=LAYOUT)
        _curves(axes[0, 0], sections.rate_distortion, point, ("D", "R"), "R(D) at several P")
        _curves(
            axes[0, 1],
            sections.rate_perception,
            point,
            ("P", "R"),
            f"R–P section at D = {point.D:.4g}",
        )
        _curves(
            axes[0, 2],
            sections.distortion_perception,
            point,
            ("P", "D"),
            f"D–P section at R = {point.R:.4g} {point.units}",
            pending="dp" in sections.pending,
        )
        _plane(axes[1, 0], sections, point)
        _channel(axes[1, 1], axes[1, 2], point)
    return fig


def _mark(ax: Axes, point: Point, x: float, y: float, bracket: tuple[float, float] | None) -> None:
    if not (math.isfinite(x) and math.isfinite(y)):
        return
    if point.certified:
        ax.plot([x], [y], **POINT_MARKER, label="the point", zorder=5)
        return
    if bracket is not None and all(math.isfinite(b) for b in bracket):
        ax.vlines([x], *bracket, color="red", zorder=5)
    ax.plot(
        [x],
        [y],
        **style.UNCERTIFIED_MARKER,
        label=f"the point: {style.UNCERTIFIED_LABEL}",
        zorder=5,
    )


def _bracket(point: Point, axis: str) -> tuple[float, float] | None:
    """The point's bracket when it is drawn on the ``axis`` coordinate ('R' or 'D')."""
    value_axis = "R" if point.mode == "rate" else "D"
    return (point.lower, point.upper) if axis == value_axis else None


def _curves(
    ax: Axes,
    family: CurveFamily | None,
    point: Point,
    names: tuple[str, str],
    title: str,
    pending: bool = False,
) -> None:
    if family is None or not np.isfinite(family.y).any():
        reason = "no perception constraint" if math.isinf(point.P) else "not defined at this point"
        if pending:
            reason = "computing…"
        ax.text(0.5, 0.5, f"{title}:\n{reason}", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    draw_curve_family(family, ax)
    coords = {"D": point.D, "P": point.P, "R": point.R}
    _mark(ax, point, coords[names[0]], coords[names[1]], _bracket(point, names[1]))
    top = max(
        float(np.nanmax(family.y)), coords[names[1]] if math.isfinite(coords[names[1]]) else 0
    )
    ax.set_ylim(0.0, 1.1 * top if top > 0 else 1.0)  # a flat section stays off the frame
    ax.legend(loc="best", fontsize=7, framealpha=0.85, edgecolor="none")
    ax.set_title(title)


def _plane(ax: Axes, sections: Sections, point: Point) -> None:
    surface = sections.surface
    if surface is None or not np.isfinite(surface.rate).any():
        ax.text(
            0.5,
            0.5,
            "(D, P) plane:\nno perception constraint",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        return
    plot_level_sets(surface, ax=ax, colorbar=False)
    _mark(ax, point, point.D, point.P, _bracket(point, "D") if point.mode == "distortion" else None)


def _channel(heatmap: Axes, laws: Axes, point: Point) -> None:
    channel = point.channel
    if isinstance(channel, DiscreteChannel):
        image = heatmap.imshow(
            channel.conditional,
            cmap=style.SURFACE_CMAP,
            vmin=0.0,
            vmax=1.0,
            aspect="auto",
            interpolation="nearest",
        )
        heatmap.figure.colorbar(image, ax=heatmap, label="p(x̂ | x)")
        heatmap.set_xlabel("reconstruction symbol x̂ (index)")
        heatmap.set_ylabel("source symbol x (index)")
        heatmap.grid(False)
        for axis in (heatmap.xaxis, heatmap.yaxis, laws.xaxis):
            axis.set_major_locator(MaxNLocator(integer=True))
        heatmap.set_title("optimal channel p(x̂ | x)")
        width = 0.4
        laws.bar(
            np.arange(channel.source_pmf.size) - width / 2,
            channel.source_pmf,
            width,
            label="source p_X",
            color=style.CATEGORICAL[0],
        )
        laws.bar(
            np.arange(channel.reconstruction_pmf.size) + width / 2,
            channel.reconstruction_pmf,
            width,
            label=r"output $p_{\hat X}$",
            color=style.CATEGORICAL[1],
        )
        laws.set_xlabel("symbol (index)")
        laws.set_ylabel("probability")
        laws.legend(loc="best", fontsize=8)
        laws.set_title("output law against source law")
        return
    components = gaussian_components(channel)
    if components:
        _gaussian_text(heatmap, components)
        for k, (mean, sigma, sigma_hat, _rho) in enumerate(components[:3]):
            x = np.linspace(mean - 4 * sigma, mean + 4 * sigma, 200)
            color = style.CATEGORICAL[k]
            tag = "" if len(components) == 1 else f" (component {k + 1})"
            laws.plot(x, _density(x, mean, sigma), color=color, label=f"source{tag}")
            if sigma_hat > 0:
                laws.plot(
                    x,
                    _density(x, mean, sigma_hat),
                    color=color,
                    linestyle="--",
                    label=f"output{tag}",
                )
        laws.set_xlabel("x")
        laws.set_ylabel("density")
        laws.legend(loc="best", fontsize=7)
        laws.set_title("output law against source law")
        return
    for ax in (heatmap, laws):
        ax.text(
            0.5, 0.5, "no channel at this point", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_axis_off()


def gaussian_components(channel: object) -> list[tuple[float, float, float, float]]:
    """(mean, σ, σ̂, ρ) of each component of a Gaussian channel (empty for other channels)."""
    if isinstance(channel, GaussianChannel):
        parts = [channel]
    elif isinstance(channel, GaussianVectorChannel):
        parts = list(channel.components)
    else:
        return []
    return [(c.source_mean, c.source_std, c.reconstruction_std, c.correlation) for c in parts]


#: Components listed in the channel table (the rest are counted).
_TABLE_ROWS = 8


def _gaussian_text(ax: Axes, components: list[tuple[float, float, float, float]]) -> None:
    # Mathtext, not the combining circumflex: fonts draw "σ̂" as "σˆ".
    ax.text(
        0.02,
        0.97,
        r"$\hat X = \mu + \hat\sigma\,(\rho\,(X - \mu)/\sigma + \sqrt{1 - \rho^2}\,Z)$",
        va="top",
        ha="left",
        fontsize=8,
        transform=ax.transAxes,
    )
    rows = [
        [f"{k + 1}", f"{sigma:.4f}", f"{sigma_hat:.4f}", f"{rho:.4f}"]
        for k, (_mean, sigma, sigma_hat, rho) in enumerate(components[:_TABLE_ROWS])
    ]
    if len(components) > _TABLE_ROWS:
        rows.append(["…", f"{len(components) - _TABLE_ROWS} more", "", ""])
    table = ax.table(
        cellText=rows,
        colLabels=[r"$k$", r"$\sigma$", r"$\hat\sigma$", r"$\rho$"],
        loc="upper left",
        bbox=(0.02, 0.85 - 0.07 * (len(rows) + 1), 0.9, 0.07 * (len(rows) + 1)),
        cellLoc="right",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    ax.set_axis_off()
    ax.set_title("optimal Gaussian channel")


def _density(x: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def render(fig: Figure, fmt: str = "png", dpi: int = 80) -> bytes:
    """The figure as PNG or SVG bytes."""
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format=fmt,
        dpi=dpi,
        bbox_inches="tight",
        metadata={"Date": None} if fmt == "svg" else None,
    )
    return buffer.getvalue()
