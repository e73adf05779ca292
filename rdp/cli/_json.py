"""JSON output of the commands: ``--json`` (Python's JSON) and ``--json-strict`` (RFC 8259).

Python's ``json`` writes an infinite or undefined float as ``Infinity`` or
``NaN``, which Python and JavaScript's ``JSON5`` read but strict parsers (``jq``,
``JSON.parse``, Go, Rust's serde) refuse. ``--json-strict`` writes ``null``
there instead; the ``status`` and ``feasible`` fields next to it say why (an
infeasible point, R = ∞ for a continuous source at D = 0, a bound not known).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

#: Where the options' help and the commands' epilogs point for the meaning of Infinity.
JSON_HELP = (
    "print one JSON object (an infinite value is written Infinity, as Python's json "
    "reads it; see --json-strict)"
)
STRICT_HELP = "as --json, with null for Infinity and NaN (strict JSON: jq, JSON.parse ...)"


def add_json_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--json`` and ``--json-strict`` to a command."""
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    parser.add_argument("--json-strict", action="store_true", help=STRICT_HELP)


def wants_json(args: argparse.Namespace) -> bool:
    """Whether ``--json`` or ``--json-strict`` was given."""
    return bool(getattr(args, "json", False) or getattr(args, "json_strict", False))


def strict(value: Any) -> Any:
    """``value`` with every non-finite float (also in lists and dicts) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    return value


def dumps(data: Any, strict_json: bool = False, **kwargs: Any) -> str:
    """``json.dumps(data)``; with ``strict_json``, non-finite floats become ``null``."""
    if strict_json:
        return json.dumps(strict(data), allow_nan=False, **kwargs)
    return json.dumps(data, **kwargs)
