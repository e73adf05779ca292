"""Error and cost of ``rdp.estimate.rate`` on points of R^d against the number of source
atoms M and of particles K.

The laws, D and closed forms of ``estimate_dimensions.py`` (correlated Gaussians, squared
error summed over the coordinates): n = 10⁴ samples (seed 0), ``atoms = M`` atoms drawn
from them and ``particles = K``, without perception (d = 8, 16; M at K = 256 and K at
M = 10⁴) and with W₂² = 0 (d = 4, 8; the particles are the M atoms). One run per row: the
errors include the sampling error of one sample set. Writes ``estimate-particles.json``
and ``.csv`` to ``--out`` and the figure ``particles.png`` to ``--figure``::

    python benchmarks/estimate_particles.py --out docs/benchmarks --figure docs/estimate
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
from estimate_dimensions import DISTORTION_PER_COORDINATE, closed_form, samples
from estimate_validation import provenance

from rdp.estimate import rate

COLUMNS = [
    "study", "d", "D", "perception", "n", "atoms", "particles", "closed_form", "estimate",
    "error", "target", "rounds", "seconds", "cpu_seconds",
]  # fmt: skip

#: (study, d, perception, atoms M, particles K): K None = the atoms (W₂² = 0).
GRID = (
    [("atoms", d, "none", m, 256) for d in (8, 16) for m in (1250, 2500, 5000, 10_000)]
    + [("particles", d, "none", 10_000, k) for d in (8, 16) for k in (32, 64, 128)]
    + [("atoms", d, "w2", m, None) for d in (4, 8) for m in (500, 1000, 2000)]
)


def figure(rows: list[dict]):
    """|error| against M (left) and against K (right), one line per (d, perception)."""
    from rdp.plot.style import curve_colors, new_figure, style

    fig = new_figure(2)
    with style():
        panels = fig.subplots(1, 2)
        for ax, study, key, label in (
            (panels[0], "atoms", "atoms", "source atoms M"),
            (panels[1], "particles", "particles", "particles K (M = 10⁴)"),
        ):
            chosen = [r for r in rows if r["study"] == study or (
                study == "particles" and r["perception"] == "none" and r["atoms"] == 10_000
            ) or (study == "atoms" and r["particles"] == 256 and r["atoms"] == 10_000)]  # fmt: skip
            groups = sorted({(r["d"], r["perception"]) for r in chosen})
            for color, (d, perception) in zip(curve_colors(len(groups)), groups, strict=True):
                group = sorted(
                    {r[key]: r for r in chosen if (r["d"], r["perception"]) == (d, perception)
                     }.values(), key=lambda r: r[key])  # fmt: skip
                ax.plot(
                    [r[key] for r in group], [r["error"] for r in group],
                    marker="o" if perception == "none" else "s", color=color,
                    label=f"d = {d}, {'R(D)' if perception == 'none' else 'R(D, 0), W₂²'}",
                )  # fmt: skip
                ax.axhline(-0.02 * d, color=color, lw=0.8, ls=":")
            ax.axhline(0.0, color="k", lw=0.8)
            ax.set_xscale("log")
            ax.set_xlabel(label)
            ax.set_ylabel("estimate − closed form (bits)")
            ax.legend(fontsize="small")
        panels[0].set_title("error against the atoms (dotted: −0.02·d)")
        panels[1].set_title("error against the particles")
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--figure", type=Path, required=True)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--redraw", action="store_true", help="only redraw from --out's JSON")
    args = parser.parse_args()
    json_path = args.out / "estimate-particles.json"
    if args.redraw:
        rows = json.loads(json_path.read_text())["rows"]
    else:
        record = provenance("python benchmarks/estimate_particles.py " + " ".join(sys.argv[1:]))
        rows = []
        exact: dict[tuple, float] = {}
        for study, d, perception, atoms, particles in GRID:
            D, P = DISTORTION_PER_COORDINATE[d] * d, (np.inf if perception == "none" else 0.0)
            if (d, perception) not in exact:
                exact[d, perception] = closed_form(d, D, perception, P)
            x = samples(d, args.n, 0)
            start, cpu = time.perf_counter(), time.process_time()
            r = rate(x, D, P, perception=perception, atoms=atoms, particles=particles,
                     bootstrap=0, progress=False)  # fmt: skip
            rows.append({
                "study": study, "d": d, "D": D, "perception": perception, "n": args.n,
                "atoms": r.cells, "particles": len(r.particles),
                "closed_form": exact[d, perception], "estimate": r.estimate,
                "error": r.estimate - exact[d, perception], "target": 0.02 * d,
                "rounds": r.rounds, "seconds": time.perf_counter() - start,
                "cpu_seconds": time.process_time() - cpu,
            })  # fmt: skip
            print(rows[-1], file=sys.stderr)
        with open(args.out / "estimate-particles.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        json_path.write_text(json.dumps({"provenance": record, "rows": rows}, indent=1) + "\n")
    from rdp.plot.save import PNG_DPI

    args.figure.mkdir(parents=True, exist_ok=True)
    figure(rows).savefig(args.figure / "particles.png", dpi=PNG_DPI)


if __name__ == "__main__":
    main()
