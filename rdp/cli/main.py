"""Entry point of the ``rdp`` command.

Each subcommand lives in its own module of ``rdp.cli`` exposing
``register(subparsers)``, which adds an ``argparse`` parser whose defaults
include ``handler``: a function ``(args) -> int`` returning the exit status.

Exit statuses (the same for every command):

- 0: done; every number printed is certified (exact, converged or optimal);
- 1: ``rdp verify`` found a failing check;
- 2: bad input (a ``ValueError``: a bad value, file, path or option, a
  problem too large for the memory ceiling): one line on stderr;
- 3: done, but some points have no certified value (the solver stopped at its
  iteration or time limit, or only a first-order solver answered): the table
  marks them and stderr says how many; also when a solver fails outright;
- 130: interrupted (Ctrl-C): one line on stderr; ``rdp surface`` and
  ``rdp reproduce`` keep what they finished;
- 141: the reader of stdout went away (``rdp rate ... --json | head -c 10``):
  no message, as Unix tools end on ``SIGPIPE`` (128 + 13).

A file that cannot be read or written (``OSError``) is bad input too: one line,
exit 2. Output paths are checked before any work by creating and removing a
probe file; a write that still fails at the end puts the results in a fallback
file that the error line names.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

from rdp import __version__
from rdp.exceptions import UnconvergedWarning
from rdp.status import EXIT_UNCERTIFIED

#: Exit status of bad input (a ``ValueError``).
EXIT_BAD_INPUT = 2
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Exit status when stdout's reader has gone (128 + SIGPIPE, as shells report it).
EXIT_BROKEN_PIPE = 141
#: Commands that mark uncertified points in their output and exit with 3 (the others let
#: [`UnconvergedWarning`][rdp.exceptions.UnconvergedWarning] through to stderr).
REPORT_UNCERTIFIED = frozenset({"rate", "distortion", "surface", "sweep", "golden"})

#: Modules that each register one or more subcommands, in help order.
SUBCOMMAND_MODULES = (
    "rdp.cli.rate",
    "rdp.cli.surface",
    "rdp.cli.sweep",
    "rdp.cli.estimate",
    "rdp.cli.verify",
    "rdp.cli.golden",
    "rdp.cli.reproduce",
    "rdp.cli.neural",
    "rdp.cli.codec",
    "rdp.cli.explore",
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
    """Run the ``rdp`` command; returns the exit status (see the module docstring)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            if args.command in REPORT_UNCERTIFIED:
                # these report uncertified points themselves (table mark, count, exit 3)
                warnings.simplefilter("ignore", UnconvergedWarning)
            code = int(args.handler(args))
            sys.stdout.flush()  # a closed pipe shows here, not at exit
            return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except ValueError as err:
        sys.stderr.write(f"rdp {args.command}: error: {_one_line(err)}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"rdp {args.command}: interrupted\n")
        return EXIT_INTERRUPTED
    except RuntimeError as err:  # a solver that returned no usable answer (SolverFailure ...)
        sys.stderr.write(f"rdp {args.command}: no certified answer: {_one_line(err)}\n")
        return EXIT_UNCERTIFIED
    except OSError as err:  # a file that cannot be read or written
        where = f" {err.filename!r}" if getattr(err, "filename", None) else ""
        reason = err.strerror or _one_line(err)
        sys.stderr.write(f"rdp {args.command}: error: cannot read or write{where}: {reason}\n")
        return EXIT_BAD_INPUT


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit finds no closed pipe."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests, notebooks)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


if __name__ == "__main__":
    raise SystemExit(main())
