"""Entry point of the ``rdp`` command.

Each subcommand lives in its own module of :mod:`rdp.cli` exposing
``register(subparsers)``, which adds an ``argparse`` parser whose defaults
include ``handler``: a function ``(args) -> int`` returning the exit status.
Bad input (``ValueError``) prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rdp import __version__

#: Modules that each register one or more subcommands, in help order.
SUBCOMMAND_MODULES = (
    "rdp.cli.rate",
    "rdp.cli.surface",
    "rdp.cli.verify",
    "rdp.cli.golden",
    "rdp.cli.reproduce",
    "rdp.cli.neural",
)

DESCRIPTION = """\
rdp: rate-distortion-perception theory of lossy compression.

Compute R(D,P) and D(R,P) exactly (closed forms) or with certified numerical
bounds, check theorems, and reproduce the papers' figures.
"""

EPILOG = """\
examples:
  rdp rate --source bernoulli --p 0.1 --distortion hamming --perception tv -D 0.05 -P 0.02
  rdp rate --source gaussian --variance 1 --distortion mse --perception w2 -D 0.5 -P 0.1 --json
  rdp distortion --source gaussian --perception w2 -R 1.0 -P 0.0

run 'rdp COMMAND --help' for each command's options and examples.
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full ``rdp`` argument parser with every registered subcommand."""
    parser = _Parser(
        prog="rdp",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rdp {__version__}")
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", dest="command", parser_class=_Parser
    )
    for module in SUBCOMMAND_MODULES:
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``rdp`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except ValueError as err:
        sys.stderr.write(f"rdp {args.command}: error: {err}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
