"""Figures and tables of the neural experiments, drawn from their saved results.

Each experiment writes ``results.json`` into its output directory;
:func:`make_figures` draws its figures there as PNG files, and
:func:`available_figures` lists the figures under a results tree, for
``rdp reproduce``. Figures are :class:`matplotlib.figure.Figure` objects on
the Agg canvas: no pyplot state is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rdp.neural.experiments._results import RESULTS_FILE, read_results

#: What to run when no neural results exist.
HOW_TO_RUN = (
    "no neural results found; make them with e.g.\n"
    "  rdp neural theory-check --preset cpu --out results/neural/theory-check\n"
    "  rdp neural yan --preset cpu --out results/neural/yan\n"
    "  rdp neural blau-michaeli --preset cpu --out results/neural/blau-michaeli\n"
    "(needs the neural extra: pip install 'rdp-theory[neural]')"
)


@dataclass(frozen=True)
class NeuralFigure:
    """A figure file made from an experiment's results.

    Attributes
    ----------
    experiment : str
        ``"yan"``, ``"theory-check"`` or ``"blau-michaeli"``.
    path : Path
        The PNG file.
    title, caption : str
        Short title and a one-paragraph caption naming the paper figure.
    """

    experiment: str
    path: Path
    title: str
    caption: str


def _new_figure(ncols: int) -> Figure:
    fig = Figure(figsize=(5.2 * ncols, 4.0), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def yan_figure(results: dict[str, Any]) -> Figure:
    """Rate against MSE of G1, G2 and 2·MSE(G1) (Yan et al. 2021, Fig. 2), and the ratio."""
    rows = results["rows"]
    bits = np.array([r["bits"] for r in rows], dtype=float)
    mse1 = np.array([r["mse_g1"] for r in rows])
    mse2 = np.array([r["mse_g2"] for r in rows])
    fig = _new_figure(2)
    ax, ax_ratio = fig.subplots(1, 2)
    ax.plot(mse1, bits, "o-", label="MSE(G1): $R(D,\\infty)$")
    ax.plot(mse2, bits, "s-", label="MSE(G2): $R(D,0)$")
    ax.plot(2 * mse1, bits, "k--", label="2·MSE(G1): $R(D/2,\\infty)$")
    ax.set_xlabel("MSE per pixel")
    ax.set_ylabel("rate (bits per image)")
    ax.set_title(f"Yan et al. 2021 framework on {results['settings']['data']}")
    ax.legend()
    ax_ratio.plot(bits, mse2 / mse1, "o-", label="MSE(G2) / MSE(G1)")
    ax_ratio.axhline(2.0, color="k", ls="--", label="theorem: 2")
    ax_ratio.set_xlabel("rate (bits per image)")
    ax_ratio.set_ylabel("ratio")
    ax_ratio.set_ylim(0, max(3.0, float(np.max(mse2 / mse1)) * 1.1))
    ax_ratio.legend()
    return fig


def yan_samples_figure(samples: dict[str, np.ndarray]) -> Figure:
    """Held-out digits and their G1 / G2 reconstructions at each rate."""
    shape = tuple(int(s) for s in samples["image_shape"])
    bits = sorted(int(k.split("_")[1]) for k in samples if k.startswith("g1_"))
    rows = [("original", samples["originals"])]
    for b in bits:
        rows += [(f"G1 {b} bits", samples[f"g1_{b}"]), (f"G2 {b} bits", samples[f"g2_{b}"])]
    ncols = len(samples["originals"])
    fig = Figure(figsize=(1.0 * ncols + 1.2, 1.0 * len(rows)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(rows), ncols, squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(ncols):
            ax = axes[r][c]
            ax.imshow(np.clip(images[c].reshape(shape), 0, 1), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r][0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    return fig


def theory_check_figure(results: dict[str, Any]) -> Figure:
    """MSE(G1), MSE(G2) against the Lloyd–Max D*(K) and 2·D*(K) on a scalar Gaussian."""
    rows = results["rows"]
    levels = np.array([r["levels"] for r in rows])
    fig = _new_figure(2)
    ax, ax_ratio = fig.subplots(1, 2)
    d_star = np.array([r["d_star"] for r in rows])
    ax.plot(levels, d_star, "k-", label="Lloyd–Max $D^*(K)$")
    ax.plot(levels, 2 * d_star, "k--", label="$2D^*(K)$")
    ax.plot(levels, [r["mse_g1"] for r in rows], "o", label="MSE(G1)")
    ax.plot(levels, [r["mse_g2"] for r in rows], "s", label="MSE(G2)")
    ax.plot(
        levels,
        [r["two_d_star_f"] for r in rows],
        "x",
        color="C2",
        label="$2D^*_f$ (learned encoder)",
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("levels K (rate $\\log_2 K$ bits)")
    ax.set_ylabel("MSE")
    ax.set_title("N(0,1), K-level codes")
    ax.legend(fontsize=8)
    ax_ratio.plot(levels, [r["ratio"] for r in rows], "o-", label="MSE(G2)/MSE(G1)")
    ax_ratio.plot(
        levels, [r["mse_g2_over_2d_star"] * 2 for r in rows], "s-", label="MSE(G2)/$D^*(K)$"
    )
    ax_ratio.axhline(2.0, color="k", ls="--", label="theorem: 2")
    ax_ratio.set_xscale("log", base=2)
    ax_ratio.set_xlabel("levels K")
    ax_ratio.set_ylabel("ratio")
    ax_ratio.set_ylim(0, 3.5)
    ax_ratio.legend(fontsize=8)
    return fig


def blau_michaeli_figure(results: dict[str, Any]) -> Figure:
    """Rate vs MSE at fixed perception weights, and MSE vs W₁ at fixed rates."""
    rows = results["rows"]
    fig = _new_figure(2)
    ax_rd, ax_dp = fig.subplots(1, 2)
    for weight in sorted({r["perception_weight"] for r in rows}):
        sel = sorted((r for r in rows if r["perception_weight"] == weight), key=lambda r: r["bits"])
        ax_rd.plot([r["mse"] for r in sel], [r["bits"] for r in sel], "o-", label=f"λ={weight:g}")
    ax_rd.set_xlabel("MSE per pixel")
    ax_rd.set_ylabel("rate (bits per image)")
    ax_rd.set_title("rate–distortion at fixed perception weight")
    ax_rd.legend()
    for bits in sorted({r["bits"] for r in rows}):
        sel = sorted((r for r in rows if r["bits"] == bits), key=lambda r: r["perception_weight"])
        ax_dp.plot([r["w1"] for r in sel], [r["mse"] for r in sel], "o-", label=f"{bits:.3g} bits")
    ax_dp.set_xlabel("perception: $W_1$ (fresh critic)")
    ax_dp.set_ylabel("MSE per pixel")
    ax_dp.set_title("distortion–perception at fixed rate")
    ax_dp.legend()
    return fig


_FIGURES = {
    "yan": [
        (
            "figure-yan.png",
            yan_figure,
            "Yan et al. 2021: cost of perfect perception",
            "Rate against MSE of the MSE decoder G1 (R(D,∞)), the perceptual decoder G2 trained "
            "with a code-conditioned critic only (R(D,0)), and 2·MSE(G1) (R(D/2,∞)), as in Yan "
            "et al. (ICML 2021) Fig. 2; right: MSE(G2)/MSE(G1), which their Theorem 2 puts at 2.",
        ),
    ],
    "theory-check": [
        (
            "figure-theory-check.png",
            theory_check_figure,
            "Two-decoder framework vs theory",
            "Scalar N(0,1) with K-level codes: MSE(G1) against the Lloyd–Max D*(K), MSE(G2) "
            "against 2·D*(K) (Yan et al. 2021, Theorem 2).",
        ),
    ],
    "blau-michaeli": [
        (
            "figure-blau-michaeli.png",
            blau_michaeli_figure,
            "Blau & Michaeli 2019: RDP tradeoff",
            "Rate against MSE at fixed perception weights and MSE against W₁ at fixed rates "
            "(Blau & Michaeli, ICML 2019, §5).",
        ),
    ],
}


def _save(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=120)


def make_figures(results_dir: str | os.PathLike) -> list[NeuralFigure]:
    """Draw the figures of the experiment whose ``results.json`` is in ``results_dir``."""
    results_dir = Path(results_dir)
    results = read_results(results_dir)
    made = []
    for filename, draw, title, caption in _FIGURES[results["experiment"]]:
        path = results_dir / filename
        _save(draw(results), path)
        made.append(NeuralFigure(results["experiment"], path, title, caption))
    samples_path = results_dir / "samples.npz"
    if results["experiment"] == "yan" and samples_path.is_file():
        with np.load(samples_path) as npz:
            samples = dict(npz)
        path = results_dir / "figure-yan-samples.png"
        _save(yan_samples_figure(samples), path)
        made.append(
            NeuralFigure(
                "yan",
                path,
                "Yan et al. 2021: reconstructions",
                "Held-out digits, their MSE reconstructions (G1) and perceptual reconstructions "
                "(G2) at each rate.",
            )
        )
    return made


def available_figures(results_dir: str | os.PathLike) -> list[NeuralFigure]:
    """Figures of every neural experiment with results under ``results_dir``.

    Looks for ``results.json`` in ``results_dir`` and in its sub-directories
    (two levels), draws any figure whose PNG is missing, and returns them all.
    Returns an empty list when there are none; :data:`HOW_TO_RUN` says how to
    make them.
    """
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        return []
    candidates = [
        results_dir / RESULTS_FILE,
        *results_dir.glob(f"*/{RESULTS_FILE}"),
        *results_dir.glob(f"*/*/{RESULTS_FILE}"),
    ]
    figures = []
    for path in sorted(set(candidates)):
        if not path.is_file():
            continue
        try:
            experiment = read_results(path).get("experiment")
        except ValueError:
            continue
        if experiment not in _FIGURES:
            continue
        expected = [path.parent / name for name, *_ in _FIGURES[experiment]]
        if all(p.is_file() for p in expected):
            for name, _, title, caption in _FIGURES[experiment]:
                figures.append(NeuralFigure(experiment, path.parent / name, title, caption))
            extra = path.parent / "figure-yan-samples.png"
            if experiment == "yan" and extra.is_file():
                figures.append(
                    NeuralFigure(
                        "yan",
                        extra,
                        "Yan et al. 2021: reconstructions",
                        "Held-out digits, their G1 and G2 reconstructions at each rate.",
                    )
                )
        else:
            figures.extend(make_figures(path.parent))
    return figures


#: Where :func:`figures` looks for results (``os.pathsep``-separated; overridden by the
#: environment variable ``RDP_NEURAL_RESULTS``).
DEFAULT_RESULTS_DIRS = "results/neural"

_PAPERS = {
    "yan": (
        "Yan, Wen, Ying, Ma & Liu, On Perceptual Lossy Compression: The Cost of Perceptual "
        "Reconstruction and An Optimal Training Framework, ICML 2021",
        "Fig. 2 (MNIST)",
    ),
    "theory-check": (
        "Yan, Wen, Ying, Ma & Liu, ICML 2021 (the two-decoder framework on a scalar Gaussian)",
        "Theorem 2: MSE(G2) = 2·D*(K)",
    ),
    "blau-michaeli": (
        "Blau & Michaeli, Rethinking Lossy Compression: The Rate-Distortion-Perception "
        "Tradeoff, ICML 2019",
        "§5, MNIST experiments",
    ),
}


def figures() -> list[Any]:
    """Figure specs for ``rdp reproduce``: one per figure of each experiment with results.

    Results are looked for (as in :func:`available_figures`) under the folders in
    ``$RDP_NEURAL_RESULTS`` (``os.pathsep``-separated), default
    :data:`DEFAULT_RESULTS_DIRS`; the first folder holding an experiment wins.
    Each spec redraws its figure from ``results.json`` and writes the result rows
    as its data table. Empty when no results exist (see :data:`HOW_TO_RUN`).
    """
    from rdp.reproduce.registry import FigureOutput, FigureSpec

    roots = os.environ.get("RDP_NEURAL_RESULTS", DEFAULT_RESULTS_DIRS).split(os.pathsep)
    specs: dict[str, FigureSpec] = {}
    for root in filter(None, roots):
        for path in _results_files(Path(root)):
            results = read_results(path)
            experiment = results.get("experiment")
            if experiment not in _FIGURES:
                continue
            paper, paper_figure = _PAPERS[experiment]
            for filename, draw, title, caption in _FIGURES[experiment]:
                figure_id = "neural-" + Path(filename).stem.removeprefix("figure-")

                def make(draw=draw, results=results) -> FigureOutput:
                    return FigureOutput(draw(results), {"data": _rows_as_columns(results)})

                specs.setdefault(
                    figure_id,
                    FigureSpec(
                        id=figure_id,
                        title=title,
                        caption=f"{caption} Results: {path.parent} "
                        f"(preset {results.get('preset', '?')}).",
                        paper=paper,
                        paper_figure=paper_figure,
                        make=make,
                        group="neural",
                        environment=f"RDP_NEURAL_RESULTS={root}",
                    ),
                )
    return list(specs.values())


def _results_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    candidates = {
        root / RESULTS_FILE,
        *root.glob(f"*/{RESULTS_FILE}"),
        *root.glob(f"*/*/{RESULTS_FILE}"),
    }
    return sorted(p for p in candidates if p.is_file())


def _rows_as_columns(results: dict[str, Any]) -> dict[str, np.ndarray]:
    rows = results["rows"]
    return {name: np.array([row[name] for row in rows]) for name in rows[0]}


def markdown_table(results: dict[str, Any], digits: int = 4) -> str:
    """The rows of an experiment's results as a Markdown table."""
    rows = results["rows"]
    if not rows:
        return ""
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for c in columns:
            v = row[c]
            if isinstance(v, float):
                cells.append(f"{v:.1f}" if c == "seconds" else f"{v:.{digits}g}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
