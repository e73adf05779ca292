"""Figures of the codec sweep, drawn from ``results.json`` and ``samples.npz`` (no JAX needed).

- ``figure-codec-rd.png``: operational bits per pixel against MSE and
  against FID, one line per β (HiFiC's rate–distortion–perception axes);
- ``figure-codec-gaussian.png``: the codec on N(0, I_16) against Shannon's
  D(R) and against D(R, P) at its measured W₂²;
- ``figure-codec-samples.png``: originals, β = 0 and β > 0 reconstructions
  at two rates.

:func:`figures` offers them to ``rdp reproduce`` when results exist under
``$RDP_CODEC_RESULTS`` (``os.pathsep``-separated folders; default
``results/codec`` then ``docs/codec``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DEFAULT_RESULTS_DIRS = os.pathsep.join(["results/codec", "docs/codec"])
PAPER = (
    "Mentzer, Toderici, Tschannen & Agustsson, High-Fidelity Generative Image Compression, "
    "NeurIPS 2020"
)


def _figure(ncols: int, nrows: int = 1, width: float = 5.0, height: float = 4.0) -> Figure:
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def rd_figure(results: dict[str, Any]) -> Figure:
    """Bits per pixel vs MSE and vs FID for each β (main grid; ablations as markers)."""
    rows = results["rows"]
    fig = _figure(2)
    ax_d, ax_p = fig.subplots(1, 2)
    main = [r for r in rows if r["normalization"] == "gdn" and not r["hyperprior"]]
    for beta, finetune in sorted({(r["beta"], bool(r.get("finetune"))) for r in main}):
        pts = [r for r in main if r["beta"] == beta and bool(r.get("finetune")) == finetune]
        pts = sorted(pts, key=lambda r: r["bpp"])
        bpp = [r["bpp"] for r in pts]
        label = "β = 0 (MSE only)" if beta == 0 else f"β = {beta:g} (HiFiC)"
        if finetune:
            label = "β = 0, as many steps as β > 0"
        ax_d.plot([r["mse"] for r in pts], bpp, "o-", label=label)
        if "fid" in pts[0]:
            ax_p.plot([r["fid"] for r in pts], bpp, "o-", label=label)
    for r in rows:
        if r["normalization"] != "gdn" or r["hyperprior"]:
            label = "ReLU instead of GDN" if r["normalization"] != "gdn" else "hyperprior"
            marker = "s" if r["normalization"] != "gdn" else "^"
            ax_d.plot(r["mse"], r["bpp"], marker, mfc="none", ms=9, label=label)
            if "fid" in r:
                ax_p.plot(r["fid"], r["bpp"], marker, mfc="none", ms=9, label=label)
    ax_d.set_xlabel("MSE per pixel (held out)")
    ax_d.set_ylabel("bits per pixel (real bitstream)")
    ax_d.set_title(f"rate–distortion on {results['settings']['data']}")
    ax_p.set_xlabel("Fréchet distance of classifier features")
    ax_p.set_ylabel("bits per pixel (real bitstream)")
    ax_p.set_title("rate–perception")
    ax_d.legend(fontsize=8)
    ax_p.legend(fontsize=8)
    return fig


def gaussian_figure(results: dict[str, Any]) -> Figure:
    """Rate per coordinate vs MSE of the codec on N(0, I), with D(R) and D(R, P) of each point."""
    rows = results["gaussian_rows"]
    fig = _figure(2)
    ax, ax_gap = fig.subplots(1, 2)
    r_max = max(r["rate_per_dim"] for r in rows) * 1.1
    grid = np.linspace(0.0, r_max, 200)
    ax.plot(2.0 ** (-2 * grid), grid, "k-", label="Shannon D(R)")
    for beta in sorted({r["beta"] for r in rows}):
        pts = sorted((r for r in rows if r["beta"] == beta), key=lambda r: r["rate_per_dim"])
        label = f"codec β = {beta:g}"
        ax.plot([r["mse"] for r in pts], [r["rate_per_dim"] for r in pts], "o-", label=label)
        ax_gap.plot(
            [r["rate_per_dim"] for r in pts],
            [r["gap_db_shannon"] for r in pts],
            "o-",
            label=f"β = {beta:g}: vs D(R)",
        )
        if beta > 0:
            ax.plot(
                [r["d_rp"] for r in pts],
                [r["rate_per_dim"] for r in pts],
                "x--",
                label=f"D(R, P) at the β = {beta:g} points' W₂²",
            )
            ax_gap.plot(
                [r["rate_per_dim"] for r in pts],
                [r["gap_db_rp"] for r in pts],
                "x--",
                label=f"β = {beta:g}: vs D(R, P)",
            )
    ax.set_xlabel("MSE per coordinate")
    ax.set_ylabel("rate (coded bits per coordinate)")
    ax.set_title("learned codec on i.i.d. N(0, 1) vectors")
    ax.legend(fontsize=8)
    ax_gap.axhline(0.0, color="k", lw=0.8)
    ax_gap.axhline(
        10 * np.log10(np.pi * np.e / 6), color="gray", ls=":", label="1.53 dB (ECSQ, high rate)"
    )
    ax_gap.set_xlabel("rate (coded bits per coordinate)")
    ax_gap.set_ylabel("gap to the bound (dB)")
    ax_gap.legend(fontsize=8)
    return fig


def samples_figure(results: dict[str, Any], samples: dict[str, np.ndarray]) -> Figure:
    """Rows: originals, then each stored reconstruction (β = 0 and β > 0 at two rates)."""
    names = ["original", *[k for k in samples if k != "original"]]
    rate_of = {r["name"]: r["bpp"] for r in results["rows"]}
    n = samples["original"].shape[0]
    fig = _figure(1, 1, width=1.0 * n + 1.5, height=1.0 * len(names))
    axes = fig.subplots(len(names), n, squeeze=False)
    for i, name in enumerate(names):
        imgs = samples[name]
        for j in range(n):
            ax = axes[i, j]
            ax.imshow(imgs[j].reshape(imgs.shape[-2], imgs.shape[-1]), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        label = name if name == "original" else f"{name}\n{rate_of.get(name, float('nan')):.3f} bpp"
        axes[i, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    return fig


_FIGURES = (
    (
        "figure-codec-rd.png",
        "codec-rd",
        "Operational rate–distortion–perception of the codec",
        "Real-bitstream bits per pixel against MSE and against the Fréchet distance of classifier "
        "features, one curve per adversarial weight β (β = 0: MSE-only baseline).",
    ),
    (
        "figure-codec-gaussian.png",
        "codec-gaussian",
        "The learned codec against D(R) and D(R, P)",
        "On i.i.d. N(0, I_16) vectors: coded bits per coordinate against MSE with Shannon's D(R), "
        "and the gap in dB of each point to D(R) and (β > 0) to D(R, P) at its measured W₂².",
    ),
    (
        "figure-codec-samples.png",
        "codec-samples",
        "Originals vs β = 0 vs β > 0 reconstructions",
        "Held-out digits and their reconstructions at the lowest and highest rate of the sweep, "
        "MSE-only (β = 0) and HiFiC (β > 0).",
    ),
)


def _draw(figure_id: str, results: dict, samples: dict | None) -> Figure:
    if figure_id == "codec-rd":
        return rd_figure(results)
    if figure_id == "codec-gaussian":
        return gaussian_figure(results)
    return samples_figure(results, samples)


def write_figures(results: dict, samples: dict, out: str | Path) -> list[Path]:
    """Draw the three figures into ``out``."""
    out = Path(out)
    paths = []
    for filename, figure_id, _, _ in _FIGURES:
        fig = _draw(figure_id, results, samples)
        fig.savefig(out / filename, dpi=110)
        paths.append(out / filename)
    return paths


def load_results(folder: str | Path) -> tuple[dict, dict] | None:
    """``(results, samples)`` saved in ``folder``, or ``None``."""
    folder = Path(folder)
    if not (folder / "results.json").is_file():
        return None
    results = json.loads((folder / "results.json").read_text())
    samples = {}
    if (folder / "samples.npz").is_file():
        with np.load(folder / "samples.npz") as npz:
            samples = {k: npz[k] for k in npz.files}
    return results, samples


def figures() -> list:
    """Figure specs for ``rdp reproduce`` from the first folder holding codec results."""
    from rdp.reproduce.registry import FigureOutput, FigureSpec

    roots = os.environ.get("RDP_CODEC_RESULTS", DEFAULT_RESULTS_DIRS).split(os.pathsep)
    for root in filter(None, roots):
        loaded = load_results(root)
        if loaded is None:
            continue
        results, samples = loaded
        specs = []
        for _, figure_id, title, caption in _FIGURES:
            table_rows = (
                results["gaussian_rows"] if figure_id == "codec-gaussian" else results["rows"]
            )

            def make(
                figure_id=figure_id, table_rows=table_rows, results=results, samples=samples
            ) -> FigureOutput:
                columns = {
                    k: np.array([r[k] for r in table_rows])
                    for k in table_rows[0]
                    if all(isinstance(r.get(k), (int, float)) for r in table_rows)
                }
                return FigureOutput(_draw(figure_id, results, samples), {"data": columns})

            specs.append(
                FigureSpec(
                    id=figure_id,
                    title=title,
                    caption=f"{caption} Results: {root} (preset {results.get('preset', '?')}).",
                    paper=PAPER,
                    paper_figure="operational RDP points (Fig. 1/4 axes); Gaussian bounds of rdp",
                    make=make,
                    group="neural",
                )
            )
        return specs
    return []
