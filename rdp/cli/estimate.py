"""``rdp estimate``: R(D, P) of the law behind samples in a file, with a bootstrap interval."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from rdp.cli._json import add_json_arguments, dumps, wants_json
from rdp.perceptions import PERCEPTION_NAMES
from rdp.status import EXIT_UNCERTIFIED

EPILOG = """\
examples:
  rdp estimate samples.npy -D 0.3 -P 0.0 --perception w2
  rdp estimate samples.npy -D 0.5 --perception none --bootstrap 200 --seed 1 --json
  rdp estimate samples.txt -D 0.4 -P 0.05 --distortion absolute --perception w1

SAMPLES is a .npy file (numpy.save) or a text file (.txt, .csv: one sample per line)
holding n >= 20 real numbers: shape (n,) or (n, 1). Samples in R^d with d > 1 are not
supported.

The estimate is the plug-in R(D, P) of the samples' law on --cells equal-width cells, with
the reconstruction on particles moved by Lloyd steps; each finite problem is solved by the
certified fast solver, whose bracket for that finite problem is printed as "empirical". The
interval is a percentile bootstrap for the population's R(D, P); it does not correct the
plug-in's finite-sample bias. See docs/estimate.md.

JSON output (--json) is one object with the keys estimate, empirical_lower,
empirical_upper, empirical_status, ci_lower, ci_upper, level, bootstrap, n_samples, cells,
within_cell_mse, particles, particle_weights, rounds, D, P, distortion, perception, units,
seed, seconds, status ('estimate') and reference.

exit status: 3 when done (an estimate is never a certified value, as for every command);
2 bad input (one line on stderr); 130 interrupted.
"""


def register(subparsers: Any) -> None:
    """Add the ``estimate`` subcommand."""
    parser = subparsers.add_parser(
        "estimate",
        help="estimate R(D, P) of the law behind 1-D samples, with a bootstrap interval",
        description="Estimate R(D, P) (bits) of the law that produced the samples in a file: "
        "a plug-in estimate certified for the quantised empirical law, and a percentile "
        "bootstrap interval for the population.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("samples", metavar="SAMPLES", help="a .npy, .txt or .csv file of samples")
    parser.add_argument("-D", type=float, required=True, help="distortion bound, > 0")
    parser.add_argument("-P", type=float, default=None, help="perception bound, ≥ 0 (default: ∞)")
    parser.add_argument(
        "--distortion", choices=("mse", "absolute"), default="mse", help="default mse"
    )
    parser.add_argument(
        "--perception", choices=tuple(PERCEPTION_NAMES), default="none", help="default none"
    )
    parser.add_argument(
        "--cells", type=int, default=64, help="equal-width cells of the empirical law (64)"
    )
    parser.add_argument(
        "--particles", type=int, default=None, help="reconstruction points (default: one per cell)"
    )
    parser.add_argument("--max-rounds", type=int, default=5, help="most Lloyd rounds (5)")
    parser.add_argument("--bootstrap", type=int, default=50, help="bootstrap resamples (50)")
    parser.add_argument("--level", type=float, default=0.9, help="interval coverage (0.9)")
    parser.add_argument("--seed", type=int, default=0, help="resampling seed (0)")
    parser.add_argument("--units", choices=("bits", "nats"), default="bits")
    parser.add_argument(
        "--tol", type=float, default=1e-6, help="certified gap of each finite solve (1e-6)"
    )
    add_json_arguments(parser)
    parser.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar (shown on a terminal)"
    )
    parser.set_defaults(handler=_run)


def _load(path: str) -> np.ndarray:
    """The samples in ``path`` (``.npy`` or text)."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"SAMPLES: no such file {path!r}")
    try:
        if file.suffix == ".npy":
            return np.load(file, allow_pickle=False)
        return np.loadtxt(file, delimiter="," if file.suffix == ".csv" else None, ndmin=1)
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(f"SAMPLES: cannot read {path!r} as numbers: {err}") from None


def _run(args: argparse.Namespace) -> int:
    from rdp.estimate import rate

    if args.P is not None and args.perception == "none":
        raise ValueError("-P needs a perception measure: add --perception w1, w2, tv, ... ")
    samples = _load(args.samples)
    result = rate(
        samples,
        args.D,
        np.inf if args.P is None else args.P,
        distortion=args.distortion,
        perception=args.perception,
        cells=args.cells,
        particles=args.particles,
        max_rounds=args.max_rounds,
        bootstrap=args.bootstrap,
        level=args.level,
        seed=args.seed,
        units=args.units,
        tol=args.tol,
        progress=False if args.no_progress else None,
    )
    if wants_json(args):
        sys.stdout.write(dumps(result.to_dict(), strict_json=args.json_strict) + "\n")
        return EXIT_UNCERTIFIED
    u = result.units
    lines = [
        f"estimate    R(D={result.D:g}, P={result.P:g}) ≈ {result.estimate:.6g} {u} "
        f"(status 'estimate', n = {result.n_samples})",
        f"interval    [{result.ci_lower:.6g}, {result.ci_upper:.6g}] {u}: {result.level:.0%} "
        f"percentile bootstrap, {result.bootstrap} resamples, seed {result.seed}",
        f"empirical   [{result.empirical_lower:.6g}, {result.empirical_upper:.6g}] {u} "
        f"({result.empirical_status}): the finite problem on {result.cells} cells and "
        f"{result.particles.size} particles",
        f"time        {result.seconds:.2f} s",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_UNCERTIFIED
