"""``rdp sweep``: R(D, P) over families of problems, chunked, resumable, on Dask if asked."""

from __future__ import annotations

import argparse
import json
import sys

from rdp.status import EXIT_CERTIFIED, EXIT_UNCERTIFIED

#: Exit status after Ctrl-C (128 + SIGINT); finished chunks stay in the store.
EXIT_INTERRUPTED = 130

EPILOG = """\
examples:
  rdp sweep spec.json --out results.zarr                       # local processes
  rdp sweep spec.json --out results.zarr --executor serial
  rdp sweep spec.json --out results.zarr --executor dask --workers 4
  rdp sweep spec.json --out results.zarr --executor dask --scheduler tcp://10.0.0.5:8786
  rdp sweep --schema                                            # the spec's JSON schema

A spec names families of problems with parameter grids, e.g.
  {"families": [{"source": {"kind": "bernoulli", "p": "0.05:0.5:32"},
                 "distortion": "hamming", "perception": ["tv", "kl-recon-source"]}],
   "D": "0:0.5:64", "P": "0:0.2:64"}
(see docs/sweeps.md). Rerunning with the same spec and store skips finished
chunks; a store of another spec is refused unless --overwrite. Only a sweep
store is ever replaced: a file, a folder with other content, the current folder
or one of its parents is refused (exit 2), with or without --overwrite.
Exit status: 0 done and every point certified; 2 bad spec or options (before
any work); 3 done but some points have no certified value (status and certified
kept in the store);
130 interrupted (Ctrl-C; finished chunks kept, rerun to resume).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` subcommand."""
    parser = subparsers.add_parser(
        "sweep",
        help="R(D,P) over families of problems into a Zarr store (serial, processes, Dask)",
        description="Run a sweep spec chunk by chunk and write one labelled xarray dataset "
        "(Zarr store). Resumable: finished chunks are kept and skipped on rerun.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", nargs="?", help="sweep spec (JSON, or YAML with PyYAML)")
    parser.add_argument("--out", help="the Zarr store (a folder) to write or resume")
    parser.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        default="processes",
        help="where chunks run (default: processes, one per core)",
    )
    parser.add_argument("--workers", type=int, default=None, help="processes/Dask workers")
    parser.add_argument(
        "--scheduler", default=None, help="address of a running Dask scheduler (tcp://HOST:PORT)"
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a sweep store that holds another spec (never anything else)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--schema", action="store_true", help="print the spec's JSON schema")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check the spec, run the sweep, print the summary."""
    from rdp.batch import SPEC_SCHEMA, load_spec, write_sweep

    if args.schema:
        sys.stdout.write(json.dumps(SPEC_SCHEMA, indent=1) + "\n")
        return 0
    if args.spec is None or args.out is None:
        raise ValueError("give a spec and --out STORE (or --schema)")
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be ≥ 1; got {args.workers}")
    if args.scheduler is not None and args.executor != "dask":
        raise ValueError("--scheduler needs --executor dask")
    spec = load_spec(args.spec)
    try:
        summary = write_sweep(
            spec,
            args.out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            overwrite=args.overwrite,
            progress=False if args.no_progress else True,
            announce=lambda line: sys.stderr.write(line + "\n"),
        )
    except KeyboardInterrupt:
        sys.stderr.write(
            f"rdp sweep: interrupted; finished chunks are kept in {args.out}, rerun the same "
            "command to resume\n"
        )
        return EXIT_INTERRUPTED
    if args.json:
        data = {
            "points": summary.points,
            "chunks": summary.chunks,
            "computed_chunks": summary.computed_chunks,
            "skipped_chunks": summary.skipped_chunks,
            "uncertified": summary.uncertified,
            "uncertified_statuses": summary.uncertified_statuses,
            "infeasible": summary.infeasible,
            "wall_seconds": summary.wall_seconds,
            "points_per_second": summary.points_per_second,
            "executor": summary.executor,
            "store": summary.store,
        }
        sys.stdout.write(json.dumps(data) + "\n")
    else:
        sys.stdout.write("\n".join(summary.lines()) + "\n")
    if summary.uncertified:
        sys.stderr.write(
            f"rdp sweep: {summary.warning()}; store {summary.store} (exit status "
            f"{EXIT_UNCERTIFIED})\n"
        )
    return EXIT_UNCERTIFIED if summary.uncertified else EXIT_CERTIFIED
