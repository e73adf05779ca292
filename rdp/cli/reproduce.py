"""``rdp reproduce``: write the papers' figures, their data and an index page."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DESCRIPTION = """\
Reproduce the figures of the rate-distortion-perception papers (Blau & Michaeli
2019; Yan et al. 2021; Freirich et al. 2021; and discrete examples beyond them).

For each figure ID (all figures when none is given) writes ID.png, ID.pdf and
the data behind it (ID.csv, or ID-<table>.csv) into --out, and an index page
(index.md) with every figure, its caption, the paper and figure it reproduces,
and the command that made it.
"""

EPILOG = """\
examples:
  rdp reproduce --list
  rdp reproduce --out results
  rdp reproduce bernoulli-tv-rd gaussian-w2-rd --out /tmp/figs
  rdp reproduce --list --json
  RDP_NEURAL_RESULTS=docs/neural rdp reproduce neural-yan neural-theory-check

Neural (MNIST) figures are included when results of 'rdp neural ...' exist under
$RDP_NEURAL_RESULTS (os.pathsep-separated folders; default results/neural).
"""


NO_NEURAL_RESULTS = """\
no neural (MNIST) figures: no results under $RDP_NEURAL_RESULTS (default results/neural).
Make them with the neural extra, e.g.
  rdp neural yan --preset cpu --out results/neural/yan
  rdp neural theory-check --preset cpu --out results/neural/theory-check
or draw the committed CPU-run results: RDP_NEURAL_RESULTS=docs/neural rdp reproduce"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``reproduce`` subcommand."""
    parser = subparsers.add_parser(
        "reproduce",
        help="reproduce the papers' figures (PNG, PDF, CSV data, index.md)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="figure IDs (default: all)")
    parser.add_argument("--out", default="results", help="output folder (default: %(default)s)")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``rdp reproduce``."""
    # matplotlib and the figure registry load only when this command runs
    from rdp.reproduce import reproduce, select_figures
    from rdp.reproduce.runner import INDEX_NAME, ReproduceInterrupted

    specs = select_figures(args.ids)
    if args.list:
        return _list(specs, args.json)
    from rdp.cli._checks import prepare_folder

    prepare_folder(args.out)  # before the first figure
    start = time.perf_counter()
    try:
        written = reproduce(specs, args.out, progress=not (args.quiet or args.json))
    except ReproduceInterrupted as interrupt:
        sys.stderr.write(
            f"rdp reproduce: interrupted after {len(interrupt.written)} of {len(specs)} "
            f"figure(s); {Path(args.out) / INDEX_NAME} lists the finished ones\n"
        )
        return 130
    total = time.perf_counter() - start
    out = Path(args.out)
    for item in written:
        if item.stopped:
            sys.stderr.write(
                f"rdp reproduce: {item.spec.id}: {item.stopped} point(s) have no certified "
                "value and carry bounds only (marked with a red x in the figure)\n"
            )
    if args.json:
        payload = {
            "out": str(out),
            "index": str(out / INDEX_NAME),
            "seconds": round(total, 3),
            "figures": [
                {
                    "id": item.spec.id,
                    "seconds": round(item.seconds, 3),
                    "stopped": item.stopped,
                    "files": [str(p) for p in item.files],
                }
                for item in written
            ],
        }
        print(json.dumps(payload))
        return 0
    for item in written:
        print(f"  {item.spec.id:<36} {item.seconds:6.2f} s")
    if not args.ids and not any(spec.group == "neural" for spec in specs):
        print(NO_NEURAL_RESULTS)
    print(
        f"wrote {len(written)} figure(s) (PNG, PDF, CSV) in {total:.1f} s to {out}/; "
        f"open {out / INDEX_NAME}"
    )
    return 0


def _list(specs: list, as_json: bool) -> int:
    from rdp.reproduce import skipped_providers  # lazy, as in run

    skipped = skipped_providers()
    if as_json:
        payload = {
            "figures": [
                {
                    "id": s.id,
                    "title": s.title,
                    "paper": s.paper,
                    "paper_figure": s.paper_figure,
                    "group": s.group,
                    "command": s.command,
                }
                for s in specs
            ],
            "skipped_providers": skipped,
        }
        print(json.dumps(payload))
        return 0
    for spec in specs:
        print(f"{spec.id:<36} {spec.title}")
    for name, reason in skipped.items():
        sys.stderr.write(f"(optional figures from {name} skipped: {reason})\n")
    return 0
