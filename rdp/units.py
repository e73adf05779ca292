"""Information units and the entropy functions used by the closed forms.

All quantities are in bits unless a function says otherwise; ``LN2`` converts
(1 bit = ln 2 nats).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import xlogy

from rdp._validation import check_choice

LN2 = float(np.log(2.0))
UNITS = ("bits", "nats")


def to_units(bits: ArrayLike, units: str) -> NDArray:
    """Convert an amount in bits to ``units`` ('bits' or 'nats')."""
    check_choice(units, "units", UNITS)
    arr = np.asarray(bits, dtype=float)
    return arr * LN2 if units == "nats" else arr


def from_units(value: ArrayLike, units: str) -> NDArray:
    """Convert an amount in ``units`` ('bits' or 'nats') to bits."""
    check_choice(units, "units", UNITS)
    arr = np.asarray(value, dtype=float)
    return arr / LN2 if units == "nats" else arr


def binary_entropy(a: ArrayLike) -> NDArray:
    r"""Binary entropy in bits.

    $$
    H_b(a) = -a \log_2 a - (1-a) \log_2 (1-a), \quad 0 \log 0 = 0.
    $$

    Examples
    --------
    >>> float(binary_entropy(0.5)), float(binary_entropy(0.0))
    (1.0, 0.0)
    """
    a = np.asarray(a, dtype=float)
    # (1 − a) ln(1 − a) by log1p: ln(1 − a) of the rounded 1 − a loses a's low digits (a ≪ 1)
    return 0.0 - (xlogy(a, a) + _xlog1py(1.0 - a, -a)) / LN2  # 0.0 - x turns -0.0 into 0.0


def ternary_entropy(alpha: ArrayLike, beta: ArrayLike) -> NDArray:
    r"""Entropy in bits of the three-point law $(\alpha, \beta, 1-\alpha-\beta)$.

    $$
    H_t(\alpha, \beta) = -\alpha\log_2\alpha - \beta\log_2\beta
    - (1-\alpha-\beta)\log_2(1-\alpha-\beta)
    $$

    This is $H_t$ of Blau & Michaeli, ICML 2019 (arXiv:1901.07821),
    Theorem 2; see the bibliography (docs/references.md).
    """
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    gamma = 1.0 - alpha - beta
    return -(xlogy(alpha, alpha) + xlogy(beta, beta) + _xlog1py(gamma, -(alpha + beta))) / LN2


def _xlog1py(x: NDArray, y: NDArray) -> NDArray:
    """x·ln(1 + y) with 0·ln 0 = 0, accurate for |y| ≪ 1 (x = 1 + y is the caller's)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log1p(np.maximum(y, -1.0)), 0.0)


def entropy(pmf: ArrayLike) -> float:
    r"""Shannon entropy $H(p) = -\sum_i p_i \log_2 p_i$ in bits."""
    p = np.asarray(pmf, dtype=float)
    return float(-xlogy(p, p).sum() / LN2)


#: Entries per block of the joint in ``mutual_information_nats``.
_BLOCK = 1 << 20


def mutual_information_nats(joint: ArrayLike) -> float:
    r"""Mutual information in nats of a joint pmf matrix $J(x, \hat x)$.

    $$
    I(X;\hat X) = \sum_{x,\hat x} J \ln J - \sum_x p_X \ln p_X - \sum_{\hat x} q \ln q,
    $$

    with $p_X$ and $q$ the row and column sums of $J$; a rounding below zero is
    returned as 0.
    """
    j = np.asarray(joint, dtype=float)
    px = j.sum(axis=1)
    qy = j.sum(axis=0)
    # Σ J ln J in blocks of rows: no temporary of the joint's size (fine grids: N × M)
    rows = max(1, _BLOCK // max(j.shape[1] if j.ndim == 2 else 1, 1))
    plogp = sum(float(xlogy(b, b).sum()) for b in np.array_split(j, -(-len(j) // rows) or 1))
    value = plogp - xlogy(px, px).sum() - xlogy(qy, qy).sum()
    return float(max(value, 0.0))


def mutual_information(joint: ArrayLike) -> float:
    r"""Mutual information in bits of a joint pmf matrix $J(x, \hat x)$.

    $$
    I(X;\hat X) = \sum_{x,\hat x} J \log_2 \frac{J}{p_X(x)\, q(\hat x)}
    $$

    (see [`mutual_information_nats`][rdp.units.mutual_information_nats]).
    """
    return mutual_information_nats(joint) / LN2
