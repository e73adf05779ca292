"""``rdp golden``: write the golden tables of R(D, P) and D(R, P) (CSV and JSON)."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Write golden tables: R(D,P) (and D(R,P) where defined) on fixed grids for every
closed form and for named finite problems (certified solver bounds), one CSV and
one JSON file per table. The committed copy lives in docs/data/golden/.
"""

EPILOG = """\
examples:
  rdp golden --out docs/data/golden
  rdp golden --out /tmp/golden --only gaussian-1-mse-w2
  rdp golden --list
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``golden`` subcommand."""
    parser = subparsers.add_parser(
        "golden",
        help="write golden tables of R(D,P) and D(R,P)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", metavar="DIR", help="directory to write (created if needed)")
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        default=[],
        help="tables whose name contains NAME",
    )
    parser.add_argument("--list", action="store_true", help="list the table names and exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handler of ``rdp golden``."""
    from rdp.golden import tables, write_tables

    if args.list:
        sys.stdout.write("\n".join(t.name for t in tables()) + "\n")
        return 0
    if not args.out:
        raise ValueError("--out DIR is required (or --list)")
    known = [t.name for t in tables()]
    for wanted in args.only:
        if not any(wanted in name for name in known):
            raise ValueError(f"--only {wanted!r} matches no golden table")
    paths = write_tables(args.out, args.only or None)
    sys.stdout.write(f"wrote {len(paths)} files to {args.out}\n")
    return 0
