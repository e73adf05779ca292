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

exit status: 0 every row certified; 2 bad input or an --out that cannot be
written (checked before any work); 3 written, but some rows carry certified
bounds only (status 'bounds': the Gaussian KL(p_X||p_X^) problem, whose exact
value is not known): stderr names the tables.
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
    """Handler of ``rdp golden``; 3 when some rows carry bounds only (labelled in the tables)."""
    from rdp.cli._checks import prepare_folder
    from rdp.exceptions import uncertified_message
    from rdp.golden import tables, write_tables
    from rdp.status import EXIT_UNCERTIFIED, exit_code

    if args.list:
        sys.stdout.write("\n".join(t.name for t in tables()) + "\n")
        return 0
    if not args.out:
        raise ValueError("--out DIR is required (or --list)")
    known = [t.name for t in tables()]
    for wanted in args.only:
        if not any(wanted in name for name in known):
            raise ValueError(f"--only {wanted!r} matches no golden table")
    prepare_folder(args.out)
    paths = write_tables(args.out, args.only or None)
    sys.stdout.write(f"wrote {len(paths)} files to {args.out}\n")
    count, total, found, where = _uncertified_rows(paths)
    if count:
        line = uncertified_message(count, total, found)
        sys.stderr.write(f"rdp golden: {line}; tables {where} (exit status {EXIT_UNCERTIFIED})\n")
    return exit_code([count == 0])


def _uncertified_rows(paths: list) -> tuple[int, int, dict[str, int], str]:
    """Rows without a certificate (their ``certified`` column false): count, total, statuses,
    and the tables that hold them (closed-form rows, without the column, are exact)."""
    import json

    count, total, found, tables = 0, 0, {}, []
    for path in paths:
        if path.suffix != ".json":
            continue
        data = json.loads(path.read_text())
        loose = [row for row in data["rows"] if row.get("certified", True) is False]
        total += len(data["rows"])
        if loose:
            count += len(loose)
            tables.append(f"{data['name']} ({len(loose)})")
            for row in loose:
                found[row["status"]] = found.get(row["status"], 0) + 1
    return count, total, found, ", ".join(tables)
