"""Shared (subtractive) dither: universal quantisation with common randomness.

Encoder and decoder draw the same offsets $u \\sim U[-\\tfrac12,
\\tfrac12)^n$ from a seed that the ``.rdpc`` file carries (a message counter
or any 32-bit number the two sides agree on). The encoder sends
$q = \\operatorname{round}(y - u)$; the decoder forms
$\\hat y = q + u$. Whatever the law of $y$, the error
$\\hat y - y$ is uniform on $[-\\tfrac12, \\tfrac12)$ and
independent of $y$ (Schuchman, "Dither signals and their effect on
quantization noise", IEEE Trans. Commun. Technol. 1964), so the additive
uniform noise of training is exactly the test-time error, and coding
$q$ with the tables $P(q \\mid u) = c(q + u + \\tfrac12) - c(q + u
- \\tfrac12)$ costs the model's $-\\log_2$ likelihood of
$\\hat y$ (Ziv, "On universal quantization", IEEE Trans. Inf. Theory
1985; Zamir & Feder, "On universal quantization by randomized
uniform/lattice quantizers", IEEE Trans. Inf. Theory 1992). Unlike a
deterministic decoder, whose outputs take finitely many values, the
reconstruction $g_s(\\hat y)$ has a continuous law, which is what lets a
codec meet a perception constraint at low rate (Theis & Wagner, "A coding
theorem for the rate-distortion-perception function", ICLR 2021 workshop;
Wagner, arXiv:2202.04147, 2022).

The offsets come from numpy's PCG64 bit generator (its raw 64-bit stream is
fixed by the algorithm and the seed, not by the numpy version): the top 24
bits of each word divided by $2^{24}$, less one half, are exactly
representable in float32, so both sides get the same numbers on any machine.
"""

from __future__ import annotations

import numpy as np

#: Bits of each offset (exact in float32's 24-bit significand).
DITHER_BITS = 24
#: Seeds are stored as unsigned 32-bit integers.
SEED_MAX = 2**32 - 1


def dither(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """Offsets ``u`` in ``[-1/2, 1/2)`` of ``shape`` (float32) drawn from ``seed``.

    Examples
    --------
    >>> u = dither(7, (2, 3))
    >>> u.shape, u.dtype, bool(np.all((u >= -0.5) & (u < 0.5)))
    ((2, 3), dtype('float32'), True)
    >>> bool(np.array_equal(u, dither(7, (2, 3)))), bool(np.array_equal(u, dither(8, (2, 3))))
    (True, False)
    """
    seed = int(seed)
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"dither seed must be in [0, 2**32); got {seed}")
    count = int(np.prod(shape, dtype=np.int64))
    raw = np.random.PCG64(seed).random_raw(count)
    fraction = (raw >> np.uint64(64 - DITHER_BITS)).astype(np.float64) / 2.0**DITHER_BITS
    return (fraction - 0.5).astype(np.float32).reshape(shape)


def dithers(seeds, shape: tuple[int, ...]) -> np.ndarray:
    """Stacked ``dither`` of each seed: shape ``(len(seeds), *shape)``."""
    return np.stack([dither(s, shape) for s in seeds]) if len(seeds) else np.zeros((0, *shape))
