"""The progress bar of one point of the fast solver (tqdm on stderr, after a few seconds)."""

from __future__ import annotations

import time
from typing import Any

#: Seconds after which a point shows its progress bar.
PROGRESS_AFTER = 3.0


class PointProgress:
    """A tqdm bar on stderr for one point once it has run ``PROGRESS_AFTER`` seconds.

    It counts iterations and shows the certified gap and the time left before the
    time limit; ``show`` None keeps it off when stderr is not a terminal.
    """

    def __init__(self, show: bool | None, start: float, limit: float) -> None:
        self.show, self.start, self.limit = show, start, limit
        self.bar: Any = None

    def update(self, iteration: int, gap_bits: float) -> None:
        if self.show is False:
            return
        elapsed = time.perf_counter() - self.start
        if self.bar is None:
            if elapsed < PROGRESS_AFTER:
                return
            from tqdm.auto import tqdm

            disable = None if self.show is None else False
            self.bar = tqdm(desc="R(D, P) point", unit="it", disable=disable, leave=False)
        self.bar.update(iteration - self.bar.n)
        left = max(self.limit - elapsed, 0.0)
        self.bar.set_postfix_str(f"gap {gap_bits:.1e} bits, {left:.0f} s to the time limit")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
