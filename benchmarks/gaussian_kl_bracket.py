"""Width of the certified bracket on R(D, P) for N(0, 1), MSE, KL(p_X‖p_X̂) on a 32 × 32 grid.

P takes 32 values log-spaced in [1e-3, 3] bits and, for each, D takes
D_max(P)·i/33, i = 1..32. At each point the analytic bracket
(``rdp.closed_forms.gaussian_kl.rate_bounds``) is refined, as
``Problem.rate`` does, by the gated channel and its dual bound where
0 < P ≤ ``REFINE_MAX_P`` (``rdp.closed_forms.gaussian_kl_channel.gated_bounds``;
along each D sweep the finite solver starts from the previous point). Writes
``docs/closed-forms/gaussian-kl-bracket.json`` and the figure
``docs/closed-forms/gaussian-kl-bracket.png``::

    python benchmarks/gaussian_kl_bracket.py            # compute (tens of minutes) and draw
    python benchmarks/gaussian_kl_bracket.py --draw     # redraw from the JSON
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "closed-forms" / "gaussian-kl-bracket.json"
FIGURE = OUT.with_suffix(".png")


def compute(ps: list[float], rows: list[dict]) -> None:
    from rdp.closed_forms import gaussian_kl
    from rdp.closed_forms.gaussian_kl_channel import gated_bounds

    for P in ps:
        d_max = gaussian_kl.zero_rate_distortion(1.0, P)
        state = None
        for i in range(32, 0, -1):
            D = d_max * i / 33.0
            began = time.perf_counter()
            analytic = gaussian_kl.rate_bounds(1.0, D, P)
            lower, upper, refined = analytic.lower, analytic.upper, None
            if P <= gaussian_kl.REFINE_MAX_P and upper - lower > gaussian_kl.REFINE_MIN_GAP:
                refined = gated_bounds(D, P, warm=state)
                if refined is not None:
                    state = refined.state
                    lower, upper = max(lower, refined.lower), min(upper, refined.upper)
            rows.append({
                "P": P, "D": D, "i": i, "lower": min(lower, upper), "upper": upper,
                "analytic_lower": analytic.lower, "analytic_upper": analytic.upper,
                "refined": refined is not None, "seconds": time.perf_counter() - began,
            })  # fmt: skip
            print(f"P={P:.4g} D={D:.4f} width={upper - lower:.2e} "
                  f"({analytic.upper - analytic.lower:.2e}) {rows[-1]['seconds']:.1f}s",
                  flush=True)  # fmt: skip


def draw(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ps = sorted({r["P"] for r in rows})
    width = np.full((32, len(ps)), np.nan)
    before = np.full((32, len(ps)), np.nan)
    for r in rows:
        j = ps.index(r["P"])
        width[r["i"] - 1, j] = r["upper"] - r["lower"]
        before[r["i"] - 1, j] = r["analytic_upper"] - r["analytic_lower"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True, constrained_layout=True)
    floor = 1e-10
    for ax, data, title in ((axes[0], before, "analytic bracket"), (axes[1], width, "refined")):
        mesh = ax.pcolormesh(
            ps, np.arange(1, 33) / 33.0, np.log10(np.maximum(data, floor)),
            vmin=-10, vmax=-1, shading="nearest", cmap="viridis",
        )  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel("P (bits)")
        ax.set_title(f"upper − lower, {title}")
    axes[0].set_ylabel("D / D_max(P)")
    fig.colorbar(mesh, ax=axes, label="log10 width (bits)")
    fig.savefig(FIGURE, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", action="store_true", help="redraw from the stored JSON")
    parser.add_argument("--part", type=int, default=None, help="compute P values i::2 only")
    parser.add_argument("--above", type=float, default=0.0, help="compute only P above this")
    args = parser.parse_args()
    if not args.draw:
        ps = [float(p) for p in np.geomspace(1e-3, 3.0, 32) if p > args.above]
        if args.part is not None:
            ps = ps[args.part :: 2]
        rows: list[dict] = []
        compute(ps, rows)
        out = OUT if args.part is None else OUT.with_suffix(f".part{args.part}.json")
        out.write_text(json.dumps(rows, indent=1))
        if args.part is not None:
            return
    draw(json.loads(OUT.read_text()))


if __name__ == "__main__":
    main()
