"""The memory of one finite solve, estimated before any array is allocated.

The finite methods hold a few dense N × M float64 arrays at once (distortions,
transport costs, kernels, the joint and its repair), so an N × M problem needs
about ``arrays × 8 N M`` bytes. One estimate, [`estimate_bytes`][rdp.solvers.memory.estimate_bytes],
serves every caller: the fast and cvxpy methods check it when they are built (so
``Problem.rate``, surfaces and ``rdp sweep`` alike), and the command line checks it
against ``--max-memory``. A problem above the ceiling is refused with a
``ValueError`` that gives the estimate and how to raise the ceiling:

- the method option ``max_memory`` (GB), e.g. ``problem.rate(D, P, max_memory=8)``;
- the environment variable ``RDP_MAX_MEMORY`` (GB), read when a method is built;
- ``--max-memory GB`` on the command line.

Measured peak memory (resident set over 8 N M bytes, in arrays): Hamming distortion
without perception 2.3 (N = 4000; 1.74 GB at N = 10,000: the distortion matrix and the
returned channel), with TV 6.4 (N = 4000), with KL 7.5 (N = 3000), with W₁ 9.4
(N = 3000); squared error with KL 11.9, with W₁, W₂ or TV 16–17 (N = 1500).
"""

from __future__ import annotations

import os

import numpy as np

__all__ = [
    "DEFAULT_MAX_MEMORY_GB",
    "ENV_VAR",
    "MemoryCeilingError",
    "check_memory",
    "estimate_bytes",
    "max_memory_gb",
]

#: Ceiling (GB) on the estimated memory of one finite solve unless ``RDP_MAX_MEMORY`` is set.
DEFAULT_MAX_MEMORY_GB = 2.0
#: The environment variable that sets the ceiling, in GB.
ENV_VAR = "RDP_MAX_MEMORY"

#: Dense N × M float64 arrays the fast solver holds at once (measured peaks above, rounded up).
FAST_ARRAYS = 16
#: The same with the O(N + M) Hamming kernel: without perception, and with a TV or KL ball.
FAST_ARRAYS_HAMMING = 2.5
FAST_ARRAYS_HAMMING_BALL = 8
#: Bytes per entry of J (and of the coupling π for Wasserstein) that cvxpy, its
#: canonicalisation and Clarabel/SCS hold (order of magnitude).
CVXPY_BYTES_PER_ENTRY = 2_000


class MemoryCeilingError(ValueError):
    """A problem whose estimated memory is above the ceiling (raised before any allocation)."""


def max_memory_gb() -> float:
    """The ceiling in GB: ``RDP_MAX_MEMORY`` when set, else ``DEFAULT_MAX_MEMORY_GB``."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return DEFAULT_MAX_MEMORY_GB
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{ENV_VAR} must be a number of GB > 0; got {text!r}")
    return value


def estimate_bytes(problem, method: str) -> int:
    """Estimated peak memory (bytes) of one solve of ``problem`` by ``method``.

    0 for problems without a finite alphabet (closed forms) and for two-symbol
    sources; for the cvxpy reference ``CVXPY_BYTES_PER_ENTRY`` per entry of each
    N × M variable; for the fast solver ``8 N M`` bytes times the arrays it holds.
    """
    from rdp.distortions import Hamming
    from rdp.perceptions import NONE, WASSERSTEIN_KINDS, Wasserstein
    from rdp.sources import Bernoulli, Discrete

    if not isinstance(problem.source, Bernoulli | Discrete):
        return 0
    n = problem.source.to_discrete().size
    m = len(problem.reconstruction_alphabet)
    entries = n * m
    if method == "cvxpy":
        couplings = 2 if isinstance(problem.perception_measure, Wasserstein) else 1
        return CVXPY_BYTES_PER_ENTRY * entries * couplings
    if method == "closed-form" or n <= 2:
        return 0
    arrays = FAST_ARRAYS
    kind = problem.perception_measure.kind
    if isinstance(problem.distortion_measure, Hamming) and kind not in WASSERSTEIN_KINDS:
        arrays = FAST_ARRAYS_HAMMING if kind == NONE else FAST_ARRAYS_HAMMING_BALL
    return int(arrays * 8 * entries)


def check_memory(
    problem,
    method: str,
    limit_gb: float | None = None,
    *,
    raise_with: str = f"the method option max_memory (GB) or the environment variable {ENV_VAR}",
) -> None:
    """``MemoryCeilingError`` (a ``ValueError``) when ``problem`` needs more than ``limit_gb``
    GB with ``method``.

    Parameters
    ----------
    problem : Problem
    method : str
        'fast', 'cvxpy', ...
    limit_gb : float, optional
        The ceiling in GB (default: [`max_memory_gb`][rdp.solvers.memory.max_memory_gb]).
    raise_with : str
        How the caller raises the ceiling, named in the message.
    """
    limit = max_memory_gb() if limit_gb is None else limit_gb
    if not (isinstance(limit, int | float) and np.isfinite(limit) and limit > 0):
        raise ValueError(f"max_memory must be a number of GB > 0; got {limit!r}")
    need = estimate_bytes(problem, method)
    if need > limit * 1e9:
        n = problem.source.to_discrete().size
        m = len(problem.reconstruction_alphabet)
        raise MemoryCeilingError(
            f"a {n} x {m} problem needs about {need / 1e9:.1f} GB with method {method!r}, "
            f"above the ceiling of {limit:g} GB; raise it with {raise_with}"
        )
