r"""Output-constrained lossy coding of a Gaussian source to a *different* Gaussian law.

The reconstruction must be i.i.d. with a prescribed law $N(\hat\mu, \hat\sigma^2)$
(perfect realism towards a target, not necessarily the source law); encoder and
decoder share common randomness at rate $R_c$. For squared error, Xie,
Li, Chen & Zhang (arXiv:2403.14849, 2024, Theorem for Gaussian source and
reconstruction) give, in bits,

$$
D(R, R_c \mid N(\mu, \sigma^2), N(\hat\mu, \hat\sigma^2)) = (\mu - \hat\mu)^2
+ \sigma^2 + \hat\sigma^2
- 2\sigma\hat\sigma\sqrt{(1 - 2^{-2R})(1 - 2^{-2(R + R_c)})} .
$$

Special cases: $R_c = \infty$ is the output-constrained distortion–rate
function (the best jointly Gaussian coupling with correlation
$\sqrt{1 - 2^{-2R}}$, Saldi, Linder & Yüksel, IEEE Trans. IT 2015); the
same law $(\hat\mu, \hat\sigma) = (\mu, \sigma)$ gives Wagner's
$D(R, R_c, 0)$ (arXiv:2202.04147), and $R_c = 0$ there gives
$2\sigma^2 2^{-2R}$.

Cross-check (``tests/test_output_constrained.py``): at $R_c = \infty$ the
formula is the limit of the finite output-constrained problem
$\min I(X;\hat X) + s\,\mathbb E d$ over couplings of discretised laws,
solved by Sinkhorn scaling (``rdp.theorems.cross_checks.sinkhorn_output_constrained``).
Finite $R_c$ is taken from the paper (no finite solver for it here).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from rdp.units import LN2

REFERENCE = (
    "Xie, Li, Chen & Zhang, Output-Constrained Lossy Source Coding With Application to "
    "Rate-Distortion-Perception Theory, arXiv:2403.14849, 2024"
)


def distortion(
    R: float,
    common_randomness: float = np.inf,
    *,
    source: tuple[float, float] = (0.0, 1.0),
    target: tuple[float, float] | None = None,
) -> float:
    r"""D(R, R_c) for N(source) coded to i.i.d. N(target) (means, variances), R and R_c in bits.

    Parameters
    ----------
    R : float
        Rate in bits per sample, ≥ 0 (``inf`` allowed).
    common_randomness : float
        R_c in bits per sample, ≥ 0 (default ``inf``: unlimited).
    source, target : (mean, variance)
        The source law and the prescribed reconstruction law (default: the source's).

    Examples
    --------
    >>> distortion(1.0, 0.0)                       # same law, R_c = 0: 2σ²2^{-2R}
    0.5
    >>> round(distortion(1.0, source=(0, 1), target=(1, 4)), 6)   # Xie et al., Fig. 4 setting
    2.535898
    """
    mu, var = source
    mu_hat, var_hat = source if target is None else target
    if R < 0 or common_randomness < 0 or var <= 0 or var_hat <= 0:
        raise ValueError("need R ≥ 0, R_c ≥ 0 and positive variances")
    first = 1.0 if R == np.inf else -np.expm1(-2.0 * R * LN2)
    total = R + common_randomness
    second = 1.0 if total == np.inf else -np.expm1(-2.0 * total * LN2)
    return float((mu - mu_hat) ** 2 + var + var_hat - 2.0 * np.sqrt(var * var_hat * first * second))


def rate(
    D: float,
    common_randomness: float = np.inf,
    *,
    source: tuple[float, float] = (0.0, 1.0),
    target: tuple[float, float] | None = None,
) -> float:
    """The least R (bits) with D(R, R_c) ≤ D: the inverse of ``distortion``.

    ``inf`` below D(∞, R_c) (never reached), 0 at or above D(0, R_c).

    Examples
    --------
    >>> round(rate(distortion(0.7)), 12)
    0.7
    >>> round(rate(distortion(0.7, 0.3), 0.3), 9)
    0.7
    """
    floor = distortion(np.inf, common_randomness, source=source, target=target)
    if D <= floor:  # D(R, R_c) only approaches its floor as R → ∞
        return float("inf")
    if D >= distortion(0.0, common_randomness, source=source, target=target):
        return 0.0
    if common_randomness == np.inf:
        mu, var = source
        mu_hat, var_hat = source if target is None else target
        rho = (var + var_hat + (mu - mu_hat) ** 2 - D) / (2.0 * np.sqrt(var * var_hat))
        return float(-0.5 * np.log2(1.0 - rho * rho))
    hi = 1.0
    while distortion(hi, common_randomness, source=source, target=target) > D:
        hi *= 2.0
    return float(
        brentq(
            lambda r: distortion(r, common_randomness, source=source, target=target) - D,
            0.0,
            hi,
            xtol=1e-15,
            rtol=1e-15,
        )
    )
