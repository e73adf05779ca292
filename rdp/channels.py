"""Test channels p(x̂ | x): the optimal encoders/decoders that the solvers return.

- [`DiscreteChannel`][rdp.channels.DiscreteChannel]: a conditional pmf matrix on finite alphabets;
- [`GaussianChannel`][rdp.channels.GaussianChannel]: a jointly Gaussian scalar channel;
- [`GaussianVectorChannel`][rdp.channels.GaussianVectorChannel]: independent Gaussian channels on
  the
  eigen-components of a vector Gaussian source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp.units import mutual_information


@dataclass(frozen=True, eq=False)
class DiscreteChannel:
    """A channel on finite alphabets, described by its joint pmf.

    Parameters
    ----------
    joint : ndarray, shape (N, M)
        ``joint[i, j] = P(X = x_i, X̂ = x̂_j)``; rows sum to the source pmf.
    source_alphabet, reconstruction_alphabet : ndarray
        Real values of the symbols.
    """

    joint: NDArray
    source_alphabet: NDArray
    reconstruction_alphabet: NDArray

    @property
    def source_pmf(self) -> NDArray:
        """Row sums of the joint: the source law p_X."""
        return self.joint.sum(axis=1)

    @property
    def reconstruction_pmf(self) -> NDArray:
        """Column sums of the joint: the reconstruction law p_X̂."""
        return self.joint.sum(axis=0)

    @property
    def conditional(self) -> NDArray:
        """p(x̂ | x) (rows of zero-probability symbols are the reconstruction law)."""
        px = self.source_pmf[:, None]
        out = np.where(px > 0, self.joint / np.where(px > 0, px, 1.0), self.reconstruction_pmf)
        return out

    def mutual_information(self) -> float:
        """I(X; X̂) in bits."""
        return mutual_information(self.joint)

    def expected_distortion(self, distortion_matrix: ArrayLike) -> float:
        """E[Δ(X, X̂)] = Σ J ∘ Δ."""
        return float((self.joint * np.asarray(distortion_matrix, dtype=float)).sum())


@dataclass(frozen=True)
class GaussianChannel:
    r"""Jointly Gaussian channel for a scalar Gaussian source.

    $\hat X = \mu + \hat\sigma\,(\rho\, (X-\mu)/\sigma + \sqrt{1-\rho^2}\, Z)$
    with $Z \sim N(0,1)$ independent of X, so that
    $\hat X \sim N(\mu, \hat\sigma^2)$ and corr(X, X̂) = ρ.
    """

    source_mean: float
    source_std: float
    reconstruction_std: float
    correlation: float

    def mutual_information(self) -> float:
        r"""I(X; X̂) = −½ log₂(1 − ρ²) bits."""
        rho2 = self.correlation**2
        return float("inf") if rho2 >= 1.0 else float(-0.5 * np.log2(1.0 - rho2))

    def mse(self) -> float:
        r"""E(X − X̂)² = σ² + σ̂² − 2ρσσ̂."""
        s, t, r = self.source_std, self.reconstruction_std, self.correlation
        return float(s * s + t * t - 2.0 * r * s * t)

    def sample(self, x: ArrayLike, rng: np.random.Generator) -> NDArray:
        """Draw X̂ given source samples ``x``."""
        x = np.asarray(x, dtype=float)
        z = rng.standard_normal(x.shape)
        u = (x - self.source_mean) / self.source_std
        return self.source_mean + self.reconstruction_std * (
            self.correlation * u + np.sqrt(max(1.0 - self.correlation**2, 0.0)) * z
        )


@dataclass(frozen=True, eq=False)
class GaussianVectorChannel:
    """Independent ``GaussianChannel`` s on the eigen-components of the source.

    Parameters
    ----------
    basis : ndarray, shape (n, n)
        Orthonormal eigenvectors of the source covariance (columns).
    components : tuple of GaussianChannel
        One channel per eigen-component, in the order of ``basis``' columns.
    """

    basis: NDArray
    components: tuple[GaussianChannel, ...]

    def mutual_information(self) -> float:
        """Total I(X; X̂) in bits: the sum over components."""
        return float(sum(c.mutual_information() for c in self.components))

    def mse(self) -> float:
        """Total E‖X − X̂‖²: the sum over components."""
        return float(sum(c.mse() for c in self.components))


Channel = DiscreteChannel | GaussianChannel | GaussianVectorChannel
