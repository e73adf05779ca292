"""``rdp estimate``: R(D, P) or D(R, P) of the law behind samples in a file, with intervals."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from rdp.cli._json import add_json_arguments, dumps, wants_json
from rdp.perceptions import PERCEPTION_NAMES
from rdp.status import EXIT_UNCERTIFIED, exit_code, is_certified

EPILOG = """\
examples:
  rdp estimate samples.npy -D 0.3 -P 0.0 --perception w2
  rdp estimate samples.npy -R 1.0 -P 0.0 --perception w2          # D(R, P)
  rdp estimate samples.npy -D 0.5 --bootstrap 200 --seed 1 --checkpoint run.json --json
  rdp estimate samples.txt -D 0.4 -P 0.05 --distortion absolute --perception w1

SAMPLES is a .npy file (numpy.save) or a text file (.txt, .csv: one sample per line)
holding n >= 20 samples: shape (n,), or (n, d) for points of R^d (one point per line),
which take --distortion mse (summed over coordinates) and --perception none or w2; they
are not put on cells: --atoms samples are kept as source atoms (a seeded random
subsample; default 10000, or 2000 with w2, where as many other samples hold the
reconstruction and stand for the law in the constraint); --cells N asks
instead for the older lattice of N cells per coordinate (accurate in the plane only).

With -D the estimate is the plug-in R(D, P) of the samples' law on --cells equal-width
cells (real samples) or on the atoms (points of R^d), with the reconstruction on particles
moved by Lloyd steps; each finite problem is solved by the certified fast solver, whose
bracket for that finite problem is printed as "empirical". With -R it is D(R, P), found by
bisection on D to the relative width --rtol.
The interval is a percentile bootstrap for the population's value; it does not correct the
plug-in's finite-sample bias. The lower side is the Shannon lower bound from an entropy
estimate (none when the samples repeat values). --checkpoint FILE keeps every bootstrap
replicate as it is done: rerun the same command to resume an interrupted run. See
docs/estimate.md.

JSON output (--json) is one object with every field of EstimateResult (-D) or
DistortionEstimateResult (-R), status 'estimate'.

exit status: 3 when done (an estimate is never a certified value: the status model's exit
status for status 'estimate'); 2 bad input (one line on stderr); 130 interrupted (with
--checkpoint, the replicates done are kept).
"""


def register(subparsers: Any) -> None:
    """Add the ``estimate`` subcommand."""
    parser = subparsers.add_parser(
        "estimate",
        help="estimate R(D, P) or D(R, P) of the law behind samples, with intervals",
        description="Estimate R(D, P) (bits) or D(R, P) of the law that produced the samples "
        "in a file: a plug-in estimate certified for the quantised empirical law, a "
        "percentile bootstrap interval for the population, and a Shannon lower side.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("samples", metavar="SAMPLES", help="a .npy, .txt or .csv file of samples")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("-D", type=float, help="distortion bound, > 0: estimate R(D, P)")
    target.add_argument("-R", type=float, help="rate bound (--units), > 0: estimate D(R, P)")
    parser.add_argument("-P", type=float, default=None, help="perception bound, ≥ 0 (default: ∞)")
    parser.add_argument(
        "--distortion", choices=("mse", "absolute"), default="mse", help="default mse"
    )
    parser.add_argument(
        "--perception", choices=tuple(PERCEPTION_NAMES), default="none", help="default none"
    )
    parser.add_argument(
        "--cells",
        type=int,
        default=None,
        help="equal-width cells of the empirical law (64); in R^d: a lattice per coordinate",
    )
    parser.add_argument(
        "--atoms",
        type=int,
        default=None,
        help="points of R^d: samples kept as source atoms (10000; w2: 2000, at most n/2)",
    )
    parser.add_argument(
        "--particles",
        type=int,
        default=None,
        help="reconstruction points (default: one per cell; in R^d: 256; w2 in R^d: a "
        "companion sample as large as --atoms, not settable)",
    )
    parser.add_argument("--max-rounds", type=int, default=5, help="most Lloyd rounds (5)")
    parser.add_argument("--bootstrap", type=int, default=50, help="bootstrap resamples (50)")
    parser.add_argument("--level", type=float, default=0.9, help="interval coverage (0.9)")
    parser.add_argument("--seed", type=int, default=0, help="resampling seed (0)")
    parser.add_argument("--units", choices=("bits", "nats"), default="bits")
    parser.add_argument(
        "--tol", type=float, default=1e-6, help="certified gap of each finite solve (1e-6)"
    )
    parser.add_argument(
        "--rtol", type=float, default=1e-3, help="relative width of the D search, with -R (1e-3)"
    )
    parser.add_argument(
        "--checkpoint", default=None, metavar="FILE", help="keep and resume from this file"
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
    from rdp.estimate import distortion, rate

    if args.P is not None and args.perception == "none":
        raise ValueError("-P needs a perception measure: add --perception w1, w2, tv, ... ")
    samples = _load(args.samples)
    options = {
        "distortion": args.distortion, "perception": args.perception, "cells": args.cells,
        "atoms": args.atoms, "particles": args.particles, "max_rounds": args.max_rounds,
        "bootstrap": args.bootstrap, "level": args.level, "seed": args.seed,
        "units": args.units, "tol": args.tol, "checkpoint": args.checkpoint,
        "progress": False if args.no_progress else None,
    }  # fmt: skip
    P = np.inf if args.P is None else args.P
    if args.R is None:
        result = rate(samples, args.D, P, **options)
    else:
        result = distortion(samples, args.R, P, rtol=args.rtol, **options)
    if wants_json(args):
        sys.stdout.write(dumps(result.to_dict(), strict_json=args.json_strict) + "\n")
    else:
        sys.stdout.write("\n".join(_lines(result)) + "\n")
    # the one predicate of the status model: an estimate is never certified
    code = exit_code(is_certified(result.status, result.ci_lower, result.ci_upper))
    if code == EXIT_UNCERTIFIED:
        sys.stderr.write(
            f"rdp estimate: status 'estimate' is not a certified value (exit status {code})\n"
        )
    return code


def _lines(result: Any) -> list[str]:
    """The plain-text report of an estimate of R(D, P) or D(R, P)."""
    u = result.units
    source = f"{result.cells} {'cells' if result.dimension == 1 else 'atoms'}"
    if hasattr(result, "D"):
        what, unit = f"R(D={result.D:g}, P={result.P:g})", f" {u}"
        empirical = (
            f"empirical   [{result.empirical_lower:.6g}, {result.empirical_upper:.6g}] {u} "
            f"({result.empirical_status}): the finite problem on {source} and "
            f"{len(result.particles)} particles"
        )
    else:
        what, unit = f"D(R={result.R:g}, P={result.P:g})", ""
        empirical = (
            f"empirical   rate {result.empirical_rate:.6g} {u} ≤ R at D = {result.estimate:.6g} "
            f"({result.empirical_status}); none found at D = {result.search_lower:.6g}, on "
            f"{source} and {len(result.particles)} particles"
        )
    lines = [
        f"estimate    {what} ≈ {result.estimate:.6g}{unit} "
        f"(status 'estimate', n = {result.n_samples})",
        f"interval    [{result.ci_lower:.6g}, {result.ci_upper:.6g}]{unit}: {result.level:.0%} "
        f"percentile bootstrap, {result.bootstrap} resamples, seed {result.seed}",
        empirical,
    ]
    if result.shannon_lower is None:
        lines.append(f"lower side  {result.lower_side}")
    else:
        lines.append(
            f"lower side  {result.shannon_lower:.6g}{unit} (at the entropy's {result.level:.0%} "
            f"lower end: {result.shannon_lower_ci:.6g}{unit}): {result.lower_side}"
        )
    lines.append(f"time        {result.seconds:.2f} s")
    return lines
