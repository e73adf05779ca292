"""mkdocs hook: the closed-form R(D, P) surfaces as 3-D plots that turn and zoom offline.

A page writes ``<!-- surface-3d: NAME -->`` on a line of its own, NAME a key of
``SURFACES``. At build time the hook evaluates that problem's R(D, P) on its grid with
[`Problem.surface`][rdp.problem.Problem.surface] (every cell must come back certified,
else the build stops), and puts a plotly figure of it in the page: the numbers as JSON
inside the page, drawn in the browser by plotly.js (a copy from the ``plotly`` package
of the ``docs`` extra, added to the site as ``javascripts/plotly/plotly.min.js``, loaded
only by pages with a surface) through ``javascripts/surfaces3d.js``. Cells where the
problem is infeasible (D < D_min(P)) are left out of the surface, not clipped.
Nothing is loaded from the network, at build time or in the browser.
"""

from __future__ import annotations

import html
import json
import logging
import posixpath
import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

PLOTLY = "javascripts/plotly/plotly.min.js"
LOADER = "javascripts/surfaces3d.js"
MARKER = re.compile(r"^<!-- surface-3d: ([\w-]+) -->$", re.M)


@dataclass(frozen=True)
class Surface:
    """One closed-form problem to draw, with its grid and axis titles (units included)."""

    title: str
    source: str
    distortion: str
    perception: str
    D: tuple[float, float, int]  # start, stop, points
    P: tuple[float, float, int]
    D_title: str
    P_title: str

    def problem(self):
        from rdp import Bernoulli, Gaussian, Problem

        source = {"bernoulli": Bernoulli(0.1), "gaussian": Gaussian(0.0, 1.0)}[self.source]
        return Problem(source, self.distortion, self.perception)


#: The surfaces a page may show.
SURFACES = {
    "bernoulli-hamming-tv": Surface(
        "Bernoulli(0.1), Hamming distortion, TV perception",
        "bernoulli",
        "hamming",
        "tv",
        (0.0, 0.2, 61),
        (0.0, 0.1, 51),
        "D: Hamming (error rate)",
        "P: total variation",
    ),
    "gaussian-mse-w2": Surface(
        "N(0, 1), MSE distortion, W₂² perception",
        "gaussian",
        "mse",
        "w2",
        (0.05, 2.05, 61),
        (0.0, 1.0, 51),
        "D: MSE (units of X²)",
        "P: W₂² (units of X²)",
    ),
    "gaussian-mse-kl": Surface(
        "N(0, 1), MSE distortion, KL(p_X̂‖p_X) perception",
        "gaussian",
        "mse",
        "kl-recon-source",
        (0.05, 2.05, 61),
        (0.0, 1.0, 51),
        "D: MSE (units of X²)",
        "P: KL(p_X̂‖p_X) (bits)",
    ),
}


def _rounded(values: np.ndarray, digits: int = 6) -> list:
    """Values rounded to ``digits`` significant digits, ``None`` where not finite."""
    out = []
    for value in np.asarray(values, dtype=float).ravel():
        out.append(float(f"{value:.{digits}g}") if np.isfinite(value) else None)
    return out


@cache
def figure_json(name: str) -> str:
    """The plotly figure of surface ``name`` as JSON (computed once per build)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from rdp.status import is_certified

    spec = SURFACES[name]
    D = np.linspace(*spec.D)
    P = np.linspace(*spec.P)
    surface = spec.problem().surface(D, P, progress=False)
    feasible = np.asarray(surface.feasible, dtype=bool)
    certified = np.asarray(
        is_certified(surface.status, surface.lower, surface.upper, surface.tol), dtype=bool
    )
    if not certified[feasible].all() or not np.isfinite(surface.rate[feasible]).all():
        raise PluginError(f"surface-3d {name}: some cells are not certified")
    rate = np.where(feasible, surface.rate, np.nan)
    rows = [_rounded(row) for row in rate]
    figure = go.Figure(
        go.Surface(
            x=_rounded(D, 12),
            y=_rounded(P, 12),
            z=rows,
            colorscale="Viridis",
            colorbar={"title": {"text": "R (bits)"}},
            contours={"z": {"show": True, "usecolormap": True, "project": {"z": True}}},
            hovertemplate="D = %{x:.4g}<br>P = %{y:.4g}<br>R = %{z:.4f} bits<extra></extra>",
        ),
        layout={
            "template": "plotly_white",
            "title": {"text": spec.title, "font": {"size": 14}},
            "margin": {"l": 0, "r": 0, "t": 40, "b": 0},
            "scene": {
                "xaxis": {"title": {"text": spec.D_title}},
                "yaxis": {"title": {"text": spec.P_title}},
                "zaxis": {"title": {"text": "R (bits)"}},
                "camera": {"eye": {"x": 1.6, "y": -1.6, "z": 0.9}},
            },
        },
    )
    meta = {"reference": surface.reference, "method": surface.method}
    payload = {"figure": json.loads(pio.to_json(figure, validate=True)), "meta": meta}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def block(name: str) -> str:
    """The HTML that replaces one marker: the plot's box and its data."""
    if name not in SURFACES:
        raise PluginError(f"surface-3d: no surface {name!r} (have: {', '.join(SURFACES)})")
    title = html.escape(SURFACES[name].title)
    return (
        f'<div class="rdp-surface3d" id="surface-3d-{name}" role="img" '
        f'aria-label="R(D, P) of {title}, a 3-D surface"></div>\n'
        f'<script type="application/json" class="rdp-surface3d-data" '
        f'data-for="surface-3d-{name}">{figure_json(name)}</script>'
    )


def plotly_js() -> Path:
    """plotly.js as shipped in the ``plotly`` package (docs extra)."""
    try:
        import plotly
    except ImportError as exc:
        raise PluginError(
            "the 3-D surfaces need the 'plotly' package: pip install -e '.[docs]'"
        ) from exc
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise PluginError(f"plotly.js missing from the installed package: {path}")
    return path


def on_files(files: Files, config) -> Files:
    files.append(File.generated(config, PLOTLY, abs_src_path=str(plotly_js())))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    names = MARKER.findall(markdown)
    if not names:
        return markdown
    start = time.perf_counter()
    markdown = MARKER.sub(lambda match: block(match.group(1)), markdown)
    # relative to the page's address (explore.md is served as explore/)
    folder = page.url if page.url.endswith("/") else posixpath.dirname(page.url)
    scripts = "".join(
        f'<script src="{posixpath.relpath(path, folder.rstrip("/") or ".")}"></script>\n'
        for path in (PLOTLY, LOADER)
    )
    seconds = time.perf_counter() - start
    logging.getLogger("mkdocs").info(
        f"surface-3d: {len(names)} surface(s) on {page.file.src_uri} in {seconds:.1f} s"
    )
    return markdown + "\n\n" + scripts
