"""The explorer's figure on screen: six Bokeh panels whose data are replaced, not redrawn.

[`frame`][rdp.explore.live.frame] turns a point and its
[`Sections`][rdp.explore.compute.Sections] into plain columns (numpy only, no web
framework), computed where the numbers are computed;
[`LiveFigure`][rdp.explore.live.LiveFigure] holds the Bokeh models and applies a
frame by assigning those columns to its data sources, so a control change sends
a few kilobytes of numbers to the browser, which redraws the canvas itself.

Everything is marked as [`rdp.plot`][rdp.plot] marks it (its colours, Shannon's
curve black and dashed, certified bands shaded in the curve's colour, points
without a certified value a red × on a red bar spanning their bounds, the
infeasible and zero-rate regions of the (D, P) plane shaded and named); the
downloads (PNG, SVG) are the same data drawn by ``rdp.plot`` itself
([`rdp.explore.figure`][rdp.explore.figure]).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rdp.explore.compute import Point, Sections
from rdp.plot import style
from rdp.plot.data import CurveFamily

#: Panels, in the order they are laid out (2 rows × 3 columns).
PANELS = ("rd", "rp", "dp", "plane", "channel", "laws")
#: Size of one panel on screen (pixels).
PANEL_WIDTH, PANEL_HEIGHT = 370, 300
#: The sources of every panel: name → columns (each a list or array of equal length).
SOURCES: dict[str, tuple[str, ...]] = {
    "lines": ("xs", "ys", "color", "dash", "label"),
    "bands": ("xs", "ys", "color"),
    "marks": ("x", "y", "label"),
    "bars": ("x0", "y0", "x1", "y1"),
    "star": ("x", "y", "label"),
    "cross": ("x", "y", "label"),
    "regions": ("xs", "ys", "color", "label"),
    "edge": ("xs", "ys"),
    "image": ("image", "x", "y", "dw", "dh"),
    "text": ("x", "y", "text"),
    "bar_left": ("x", "top", "label"),
    "bar_right": ("x", "top", "label"),
}


@dataclass
class PanelFrame:
    """What one panel shows: its title, axis labels and ranges, and its sources' columns."""

    title: str
    x_label: str = ""
    y_label: str = ""
    x_range: tuple[float, float] = (0.0, 1.0)
    y_range: tuple[float, float] = (0.0, 1.0)
    axes: bool = True
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def columns(self, name: str) -> dict[str, Any]:
        """The columns of source ``name`` (empty columns when the panel leaves it out)."""
        return self.data.get(name, {column: [] for column in SOURCES[name]})


def _hex(color: Any) -> str:
    from matplotlib.colors import to_hex

    return to_hex(color)


def _finite(values: NDArray) -> NDArray:
    """``values`` as floats with ±inf as NaN (a gap in a line)."""
    out = np.asarray(values, dtype=float).copy()
    out[~np.isfinite(out)] = np.nan
    return out


def _runs(mask: NDArray) -> list[NDArray]:
    """Index arrays of the runs of consecutive True entries of ``mask``."""
    index = np.flatnonzero(mask)
    if index.size == 0:
        return []
    return np.split(index, np.flatnonzero(np.diff(index) > 1) + 1)


def _point_marks(
    point: Point, x: float, y: float, bracket: tuple[float, float] | None, vertical: bool = True
) -> dict[str, dict[str, list]]:
    """The point's marker: a black star, or a red × on a bar spanning its bracket."""
    empty = {"x": [], "y": [], "label": []}
    if not (math.isfinite(x) and math.isfinite(y)):
        return {"star": empty, "cross": empty}
    if point.certified:
        return {"star": {"x": [x], "y": [y], "label": ["the point"]}, "cross": empty}
    label = f"the point: {style.UNCERTIFIED_LABEL}"
    out = {"star": empty, "cross": {"x": [x], "y": [y], "label": [label]}}
    if bracket is not None and all(math.isfinite(b) for b in bracket):
        low, high = bracket
        bar = (
            {"x0": [x], "y0": [low], "x1": [x], "y1": [high]}
            if vertical
            else {"x0": [low], "y0": [y], "x1": [high], "y1": [y]}
        )
        out["point_bar"] = bar
    return out


def _value_bracket(point: Point, axis: str) -> tuple[float, float] | None:
    """The point's bracket when it is drawn on the ``axis`` coordinate ('R' or 'D')."""
    value_axis = "R" if point.mode == "rate" else "D"
    return (point.lower, point.upper) if axis == value_axis else None


def curve_frame(
    family: CurveFamily | None,
    point: Point,
    names: tuple[str, str],
    title: str,
    pending: bool = False,
) -> PanelFrame:
    """A curve family as ``rdp.plot.draw_curve_family`` draws it, with the point marked."""
    if family is None or not np.isfinite(family.y).any():
        reason = "no perception constraint" if math.isinf(point.P) else "not defined at this point"
        return PanelFrame(title=f"{title}: {'computing…' if pending else reason}", axes=False)
    finite = ~np.isinf(family.parameter)
    colors = iter(style.curve_colors(int(finite.sum())))
    lines: dict[str, list] = {column: [] for column in SOURCES["lines"]}
    bands: dict[str, list] = {column: [] for column in SOURCES["bands"]}
    marks: dict[str, list] = {"x": [], "y": [], "label": []}
    bars: dict[str, list] = {column: [] for column in SOURCES["bars"]}
    x = np.asarray(family.x, dtype=float)
    y_top = float(np.nanmax(np.where(np.isfinite(family.y), family.y, np.nan)))
    uncertified = family.uncertified
    for k, (value, y) in enumerate(zip(family.parameter, family.y, strict=True)):
        shannon = bool(np.isinf(value)) and family.parameter_name == "P"
        color = style.SHANNON_COLOR if shannon else next(colors)
        lines["xs"].append(x)
        lines["ys"].append(_finite(y))
        lines["color"].append(_hex(color))
        lines["dash"].append("dashed" if shannon else "solid")
        lines["label"].append(
            "Shannon R(D) (P = ∞)"
            if shannon
            else f"{family.parameter_label} = {style.format_value(value)}"
        )
        if family.lower is None or family.upper is None:
            continue
        lower, upper = family.lower[k], family.upper[k]
        shown = np.isfinite(lower) & np.isfinite(upper)
        if shown.any() and np.any(upper[shown] > lower[shown]):
            for run in _runs(shown):
                bands["xs"].append(np.concatenate([x[run], x[run][::-1]]))
                bands["ys"].append(np.concatenate([lower[run], upper[run][::-1]]))
                bands["color"].append(_hex(color))
        marked = uncertified[k] & np.isfinite(y)
        for j in np.flatnonzero(marked):
            marks["x"].append(float(x[j]))
            marks["y"].append(float(y[j]))
            marks["label"].append(style.UNCERTIFIED_LABEL)
            bars["x0"].append(float(x[j]))
            bars["x1"].append(float(x[j]))
            bars["y0"].append(float(lower[j]))
            bars["y1"].append(float(min(upper[j], y_top)))
    coords = {"D": point.D, "P": point.P, "R": point.R}
    mark = _point_marks(point, coords[names[0]], coords[names[1]], _value_bracket(point, names[1]))
    bar = mark.pop("point_bar", None)
    if bar is not None:
        for column in SOURCES["bars"]:
            bars[column] += bar[column]
    low, high = float(np.min(x)), float(np.max(x))
    y_point = coords[names[1]]
    top = max(y_top, y_point if math.isfinite(y_point) else 0.0)
    return PanelFrame(
        title=title,
        x_label=family.x_label,
        y_label=family.y_label,
        x_range=(0.0 if 0.0 <= low < 0.05 * high else low, high),
        y_range=(0.0, 1.1 * top if top > 0 else 1.0),
        data={"lines": lines, "bands": bands, "marks": marks, "bars": bars, **mark},
    )


def plane_frame(surface: Any, point: Point) -> PanelFrame:
    """The (D, P) plane as ``rdp.plot.plot_level_sets`` draws it, with the point marked.

    Equi-rate lines at ``rdp.plot.surface.equi_rate_levels``; the infeasible region is
    the same filled contour of the infeasible cells, the zero-rate region lies right of
    D_max(P); cells without a certified value get a red ×.
    """
    import contourpy

    from rdp.plot.surface import equi_rate_levels

    if surface is None or not np.isfinite(surface.rate).any():
        return PanelFrame(title="(D, P) plane: no perception constraint", axes=False)
    D, P = np.asarray(surface.D, dtype=float), np.asarray(surface.P, dtype=float)
    regions: dict[str, list] = {column: [] for column in SOURCES["regions"]}
    if not surface.feasible.all():
        infeasible = (~surface.feasible).astype(float)
        filled = contourpy.contour_generator(x=D, y=P, z=infeasible, fill_type="OuterOffset")
        points, offsets = filled.filled(0.5, 1.5)
        for outline, offset in zip(points, offsets, strict=True):
            ring = outline[offset[0] : offset[1]]
            regions["xs"].append(ring[:, 0])
            regions["ys"].append(ring[:, 1])
            regions["color"].append(style.INFEASIBLE_COLOR)
            regions["label"].append("infeasible (D < D_min(P))")
    boundary = np.minimum(surface.zero_rate_distortion, D.max())
    regions["xs"].insert(0, np.concatenate([boundary, np.full(P.size, D.max())]))
    regions["ys"].insert(0, np.concatenate([P, P[::-1]]))
    regions["color"].insert(0, style.ZERO_RATE_COLOR)
    regions["label"].insert(0, "R = 0 (D ≥ D_max(P))")
    levels = equi_rate_levels(surface)
    lines: dict[str, list] = {column: [] for column in SOURCES["lines"]}
    if levels.size:
        import matplotlib as mpl

        cmap = mpl.colormaps[style.SURFACE_CMAP]
        span = float(levels.max() - levels.min())
        rate = np.ma.masked_invalid(surface.rate)
        generator = contourpy.contour_generator(x=D, y=P, z=rate, line_type="Separate")
        for level in levels:
            color = _hex(cmap((level - levels.min()) / span if span > 0 else 0.0))
            for line in generator.lines(float(level)):
                lines["xs"].append(line[:, 0])
                lines["ys"].append(line[:, 1])
                lines["color"].append(color)
                lines["dash"].append("solid")
                lines["label"].append(f"R = {level:.3g}")
    marks: dict[str, list] = {"x": [], "y": [], "label": []}
    rows, cols = np.nonzero(~surface.certified)
    marks["x"], marks["y"] = D[cols].tolist(), P[rows].tolist()
    marks["label"] = [style.UNCERTIFIED_LABEL] * rows.size
    bracket = (point.lower, point.upper) if point.mode == "distortion" else None
    mark = _point_marks(point, point.D, point.P, bracket, vertical=False)
    bars = mark.pop("point_bar", {column: [] for column in SOURCES["bars"]})
    return PanelFrame(
        title="(D, P) plane: equi-rate lines of R(D, P)",
        x_label=surface.distortion_label,
        y_label=surface.perception_label,
        x_range=(float(D.min()), float(D.max())),
        y_range=(float(P.min()), float(P.max())),
        data={
            "regions": regions,
            "edge": {"xs": [boundary], "ys": [P]},
            "lines": lines,
            "marks": marks,
            "bars": bars,
            **mark,
        },
    )


def channel_frames(point: Point) -> dict[str, PanelFrame]:
    """The optimal channel: a heatmap of p(x̂ | x) or the Gaussian channel's parameters,
    and the output law against the source law."""
    from rdp.channels import DiscreteChannel
    from rdp.explore.figure import gaussian_components

    channel = point.channel
    if isinstance(channel, DiscreteChannel):
        n, m = channel.conditional.shape
        heatmap = PanelFrame(
            title="optimal channel p(x̂ | x)",
            x_label="reconstruction symbol x̂ (index)",
            y_label="source symbol x (index)",
            x_range=(-0.5, m - 0.5),
            y_range=(n - 0.5, -0.5),  # row 0 on top, as a matrix is read
            data={
                "image": {
                    "image": [np.asarray(channel.conditional, dtype=float)],
                    "x": [-0.5],
                    "y": [-0.5],
                    "dw": [m],
                    "dh": [n],
                }
            },
        )
        source, output = channel.source_pmf, channel.reconstruction_pmf
        symbols = max(source.size, output.size)
        laws = PanelFrame(
            title="output law against source law",
            x_label="symbol (index)",
            y_label="probability",
            x_range=(-0.6, symbols - 0.4),
            y_range=(0.0, 1.1 * float(max(source.max(), output.max()))),
            data={
                "bar_left": {
                    "x": np.arange(source.size) - 0.2,
                    "top": np.asarray(source, dtype=float),
                    "label": ["source p_X"] * source.size,
                },
                "bar_right": {
                    "x": np.arange(output.size) + 0.2,
                    "top": np.asarray(output, dtype=float),
                    "label": ["output p_X̂"] * output.size,
                },
            },
        )
        return {"channel": heatmap, "laws": laws}
    components = gaussian_components(channel)
    if not components:
        return {
            "channel": PanelFrame(title="no channel at this point", axes=False),
            "laws": PanelFrame(title="no channel at this point", axes=False),
        }
    text = ["X̂ = μ + σ̂ (ρ (X − μ)/σ + √(1 − ρ²) Z)", "", "  k      σ        σ̂        ρ"]
    text += [
        f"{k + 1:3d}  {sigma:7.4f}  {sigma_hat:7.4f}  {rho:7.4f}"
        for k, (_mean, sigma, sigma_hat, rho) in enumerate(components)
    ]
    heatmap = PanelFrame(
        title="optimal Gaussian channel",
        axes=False,
        data={
            "text": {
                "x": [0.02] * len(text),
                "y": [0.95 - 0.08 * k for k in range(len(text))],
                "text": text,
            }
        },
    )
    lines: dict[str, list] = {column: [] for column in SOURCES["lines"]}
    low, high, top = math.inf, -math.inf, 0.0
    for k, (mean, sigma, sigma_hat, _rho) in enumerate(components[:3]):
        x = np.linspace(mean - 4 * sigma, mean + 4 * sigma, 200)
        low, high = min(low, x[0]), max(high, x[-1])
        tag = "" if len(components) == 1 else f" (component {k + 1})"
        color = style.CATEGORICAL[k]
        for width, dash, name in ((sigma, "solid", "source"), (sigma_hat, "dashed", "output")):
            if width <= 0:
                continue
            y = np.exp(-0.5 * ((x - mean) / width) ** 2) / (width * math.sqrt(2 * math.pi))
            top = max(top, float(y.max()))
            lines["xs"].append(x)
            lines["ys"].append(y)
            lines["color"].append(color)
            lines["dash"].append(dash)
            lines["label"].append(f"{name}{tag}")
    laws = PanelFrame(
        title="output law against source law",
        x_label="x",
        y_label="density",
        x_range=(float(low), float(high)),
        y_range=(0.0, 1.1 * top),
        data={"lines": lines},
    )
    return {"channel": heatmap, "laws": laws}


def frame(point: Point, sections: Sections) -> dict[str, PanelFrame]:
    """Every panel of the figure for ``point`` and its ``sections``."""
    return {
        "rd": curve_frame(sections.rate_distortion, point, ("D", "R"), "R(D) at several P"),
        "rp": curve_frame(
            sections.rate_perception, point, ("P", "R"), f"R–P section at D = {point.D:.4g}"
        ),
        "dp": curve_frame(
            sections.distortion_perception,
            point,
            ("P", "D"),
            f"D–P section at R = {point.R:.4g} {point.units}",
            pending="dp" in sections.pending,
        ),
        "plane": plane_frame(sections.surface, point),
        **channel_frames(point),
    }


#: Which sources each panel draws.
PANEL_SOURCES = {
    "rd": ("bands", "lines", "bars", "marks", "star", "cross"),
    "rp": ("bands", "lines", "bars", "marks", "star", "cross"),
    "dp": ("bands", "lines", "bars", "marks", "star", "cross"),
    "plane": ("regions", "edge", "lines", "bars", "marks", "star", "cross"),
    "channel": ("image", "text"),
    "laws": ("bar_left", "bar_right", "lines"),
}


def _same_column(a: Any, b: Any) -> bool:
    if len(a) != len(b):
        return False
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return isinstance(b, np.ndarray) and np.array_equal(a, b, equal_nan=True)
    return all(
        np.array_equal(x, y, equal_nan=np.asarray(x).dtype.kind == "f")
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray)
        else x == y
        for x, y in zip(a, b, strict=True)
    )


def _same_columns(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """True when the columns ``new`` hold the values of ``old`` (NaN equal to NaN)."""
    return new.keys() == old.keys() and all(_same_column(new[k], old[k]) for k in new)


class LiveFigure:
    """The six Bokeh panels; [`show`][rdp.explore.live.LiveFigure.show] replaces their data.

    ``layout`` is the Bokeh grid to put on the page. ``show`` must run where the
    page's models may change (the session's event loop).
    """

    def __init__(self) -> None:
        from bokeh.layouts import gridplot
        from bokeh.models import ColumnDataSource, Legend, LegendItem, Range1d
        from bokeh.plotting import figure

        self.figures: dict[str, Any] = {}
        self.sources: dict[str, dict[str, Any]] = {}
        self.legends: dict[str, Any] = {}
        for name in PANELS:
            fig = figure(
                width=PANEL_WIDTH,
                height=PANEL_HEIGHT,
                x_range=Range1d(0, 1),
                y_range=Range1d(0, 1),
                tools="pan,wheel_zoom,box_zoom,reset,save",
                toolbar_location=None,
            )
            fig.title.text_font_size = "10pt"
            for axis in fig.axis:
                axis.axis_label_text_font_size = "9pt"
                axis.axis_label_text_font_style = "normal"
            sources = {
                source: ColumnDataSource({column: [] for column in SOURCES[source]})
                for source in PANEL_SOURCES[name]
            }
            items = [
                LegendItem(label={"field": "label"}, renderers=[self._glyph(fig, source, data)])
                if "label" in SOURCES[source]
                else self._glyph(fig, source, data)
                for source, data in sources.items()
            ]
            legend = Legend(
                items=[item for item in items if isinstance(item, LegendItem)],
                location="top_right",
                label_text_font_size="8pt",
                glyph_height=14,
                glyph_width=14,
                spacing=1,
                padding=3,
                background_fill_alpha=0.85,
                border_line_alpha=0.0,
                click_policy="hide",
            )
            fig.add_layout(legend)
            self.figures[name], self.sources[name], self.legends[name] = fig, sources, legend
        grid = [[self.figures[name] for name in row] for row in (PANELS[:3], PANELS[3:])]
        self.layout = gridplot(grid, toolbar_location="right", merge_tools=True)

    def _glyph(self, fig: Any, source: str, data: Any) -> Any:
        """Draw ``source`` (a name of ``SOURCES``) into ``fig``; return its renderer."""
        if source in ("bands", "regions"):
            alpha = 0.3 if source == "bands" else 1.0
            return fig.patches("xs", "ys", source=data, fill_color="color", fill_alpha=alpha,
                               line_width=0)  # fmt: skip
        if source == "edge":
            return fig.multi_line("xs", "ys", source=data, line_color="#666666", line_width=1)
        if source == "lines":
            return fig.multi_line("xs", "ys", source=data, line_color="color", line_dash="dash",
                                  line_width=style.LINE_WIDTH + 0.2)  # fmt: skip
        if source == "bars":
            return fig.segment("x0", "y0", "x1", "y1", source=data, line_color="red",
                               line_width=1.5)  # fmt: skip
        if source in ("marks", "cross"):
            return fig.scatter("x", "y", source=data, marker="x", line_color="red",
                               size=12 if source == "cross" else 9, line_width=2)  # fmt: skip
        if source == "star":
            return fig.scatter("x", "y", source=data, marker="star", fill_color="black",
                               line_color="black", size=17)  # fmt: skip
        if source == "image":
            from bokeh.models import ColorBar, LinearColorMapper
            from bokeh.palettes import Viridis256

            mapper = LinearColorMapper(palette=Viridis256, low=0.0, high=1.0)
            renderer = fig.image("image", "x", "y", "dw", "dh", source=data, color_mapper=mapper)
            self.colorbar = ColorBar(color_mapper=mapper, title="p(x̂ | x)", width=10)
            fig.add_layout(self.colorbar, "right")
            return renderer
        if source == "text":
            return fig.text("x", "y", "text", source=data, text_font={"value": "monospace"},
                            text_font_size="9pt", text_baseline="top")  # fmt: skip
        color = style.CATEGORICAL[0 if source == "bar_left" else 1]
        return fig.vbar("x", 0.4, "top", source=data, fill_color=color, line_width=0)

    def show(self, frames: dict[str, PanelFrame]) -> None:
        """Replace the panels' data (only the panels in ``frames``)."""
        for name, panel in frames.items():
            fig = self.figures[name]
            fig.title.text = panel.title
            fig.xaxis.axis_label, fig.yaxis.axis_label = panel.x_label, panel.y_label
            fig.x_range.update(start=panel.x_range[0], end=panel.x_range[1])
            fig.y_range.update(start=panel.y_range[0], end=panel.y_range[1])
            for part in (*fig.axis, *fig.grid):
                part.visible = panel.axes
            labelled = False
            for source, data in self.sources[name].items():
                columns = panel.columns(source)
                if not _same_columns(columns, data.data):  # unchanged data: nothing to send
                    data.data = columns
                labelled |= len(columns.get("label", ())) > 0
            self.legends[name].visible = labelled
            if name == "channel":
                self.colorbar.visible = len(panel.columns("image")["image"]) > 0
