"""Rows of results (a list of dicts with the same keys) written as a CSV table."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from typing import Any


def write_csv(path: str | os.PathLike, rows: Sequence[dict[str, Any]]) -> bool:
    """Write ``rows`` to ``path`` with a header from the first row's keys.

    Returns False (and writes nothing) when there are no rows.
    """
    if not rows:
        return False
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return True
