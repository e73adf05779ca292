"""The figures of ``docs/multidim.md``: convergence to the vector Gaussian closed form, and
where the mass of a 2-D Gaussian mixture goes as the perception constraint tightens.

    python benchmarks/multidim_figures.py \
        --convergence docs/benchmarks/gaussian-vector-convergence.json --out docs/multidim
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rdp import Discrete, Problem
from rdp.plot import plot_reconstruction_law
from rdp.plot.save import PNG_DPI
from rdp.plot.style import curve_colors, new_figure, style

#: The mixture of the showcase: weights, means, standard deviations (independent axes).
MIXTURE = (
    np.array([0.5, 0.3, 0.2]),
    np.array([[-1.2, 0.0], [1.0, 0.8], [0.9, -1.1]]),
    np.array([[0.45, 0.6], [0.5, 0.35], [0.3, 0.4]]),
)


def mixture_source(samples: int = 200_000, cells: int = 14, seed: int = 0) -> Discrete:
    """The mixture's empirical law on ``cells`` × ``cells`` lattice cells (cell means)."""
    weights, means, stds = MIXTURE
    rng = np.random.default_rng(seed)
    which = rng.choice(weights.size, size=samples, p=weights)
    x = means[which] + stds[which] * rng.standard_normal((samples, 2))
    return Discrete.from_samples(x, cells)


def convergence_figure(record: dict):
    """|R(D, P) of the n × n grid − closed form| against n, log–log, with an n⁻² guide."""
    rows = record["rows"]
    groups = list(dict.fromkeys((r["covariance"], r["perception"]) for r in rows))
    fig = new_figure()
    colors = curve_colors(len(groups))
    with style():
        ax = fig.add_subplot()
        for color, (cov, perception) in zip(colors, groups, strict=True):
            group = [r for r in rows if (r["covariance"], r["perception"]) == (cov, perception)]
            n = np.array([r["n"] for r in group])
            err = np.abs([r["error"] for r in group])
            marker = "o" if perception == "w2" else "s"
            label = f"{cov}, {'W₂²' if perception == 'w2' else 'KL(p_X̂‖p_X)'}"
            ax.loglog(n, err, marker=marker, color=color, label=label)
        guide = np.array([8.0, 48.0])
        ax.loglog(guide, 4.0 * guide**-2, "k--", lw=1, label="∝ n⁻²")
        ax.set_xlabel("cells per axis n (N = n² symbols)")
        ax.set_ylabel("|R(D, P) of the grid − closed form| (bits)")
        ax.legend(fontsize="small")
        ax.set_title("2-D Gaussian grids against the vector closed form")
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--convergence", nargs="+", required=True, help="JSON records")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for path in args.convergence:
        rows += json.loads(Path(path).read_text())["rows"]
    convergence_figure({"rows": rows}).savefig(args.out / "convergence.png", dpi=PNG_DPI)
    problem = Problem(mixture_source(), "mse", "w2")
    fig = plot_reconstruction_law(problem, 0.3, [np.inf, 0.1, 0.02, 0.0], columns=2, tol=1e-4)
    fig.savefig(args.out / "mixture-reconstruction.png", dpi=PNG_DPI)


if __name__ == "__main__":
    main()
