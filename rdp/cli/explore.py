"""``rdp explore``: the interactive R(D, P) explorer in the browser (needs the explore extra)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EPILOG = """\
examples:
  rdp explore                         # serve on http://127.0.0.1:5006/ and open the browser
  rdp explore --port 8080 --no-browser

The app runs on this machine only (127.0.0.1) and loads nothing from the internet.
It needs the explore extra: pip install "rdp-theory[explore]". Ctrl-C stops it (exit
status 0); a bad option or a port in use is one line on stderr and exit status 2.
"""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer in 1..65535; got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be an integer in 1..65535; got {port}")
    return port


def register(subparsers: Any) -> None:
    """Add the ``explore`` subcommand."""
    parser = subparsers.add_parser(
        "explore",
        help="interactive R(D, P) explorer in the browser",
        description="Serve the interactive R(D, P) explorer on 127.0.0.1: move the controls "
        "and see the point R(D, P) or D(R, P) with its bracket and status, the curves, "
        "sections and (D, P) plane through it, and the optimal channel.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=_port, default=5006, help="port to serve on (default 5006)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        from rdp.explore.app import serve
    except ImportError as err:
        raise ValueError(
            f"rdp explore needs the explore extra ({err.name} is missing): "
            "pip install 'rdp-theory[explore]'"
        ) from None
    sys.stderr.write(f"rdp explore: serving on http://127.0.0.1:{args.port}/ (Ctrl-C stops)\n")
    try:
        serve(port=args.port, show=not args.no_browser)
    except OSError as err:
        raise ValueError(
            f"--port {args.port}: cannot serve there ({err.strerror or err})"
        ) from None
    sys.stderr.write("rdp explore: stopped\n")  # Ctrl-C is how a server ends: exit status 0
    return 0
