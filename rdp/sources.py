"""Sources: the distributions of the data to be compressed.

Four kinds, each an immutable value object:

- :class:`Bernoulli` ``(p)``: a binary source on {0, 1};
- :class:`Gaussian` ``(mean, variance)``: a scalar normal source;
- :class:`GaussianVector` ``(covariance, mean)``: a multivariate normal source;
- :class:`Discrete` ``(pmf, alphabet)``: any finite source; ``alphabet`` holds
  the real value of each symbol, used by squared/absolute-error distortions and
  by Wasserstein ground costs (default ``0, 1, ..., N-1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import check_finite_scalar, check_pmf, check_positive, check_probability
from rdp.units import binary_entropy, entropy


@dataclass(frozen=True)
class Bernoulli:
    """Bernoulli(p) source on the alphabet {0, 1}.

    Parameters
    ----------
    p : float
        Probability of the symbol 1, in [0, 1].
    """

    p: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", check_probability(self.p, "p"))

    @property
    def pmf(self) -> NDArray:
        """The pmf ``[1 - p, p]``."""
        return np.array([1.0 - self.p, self.p])

    @property
    def alphabet(self) -> NDArray:
        """The symbol values ``[0, 1]``."""
        return np.array([0.0, 1.0])

    def entropy(self) -> float:
        """Entropy H_b(p) in bits."""
        return float(binary_entropy(self.p))

    def to_discrete(self) -> Discrete:
        """The same source as a :class:`Discrete` on {0, 1}."""
        return Discrete(self.pmf, self.alphabet)


@dataclass(frozen=True)
class Gaussian:
    """Scalar Gaussian source N(mean, variance).

    Parameters
    ----------
    mean : float
        Mean μ (any real number).
    variance : float
        Variance σ² > 0.
    """

    mean: float = 0.0
    variance: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", check_finite_scalar(self.mean, "mean"))
        object.__setattr__(self, "variance", check_positive(self.variance, "variance"))

    @property
    def std(self) -> float:
        """Standard deviation σ."""
        return float(np.sqrt(self.variance))


@dataclass(frozen=True)
class GaussianVector:
    """Multivariate Gaussian source N(mean, covariance).

    Parameters
    ----------
    covariance : array_like, shape (n, n)
        Symmetric positive-definite covariance matrix.
    mean : array_like, shape (n,), optional
        Mean vector (zeros by default).
    """

    covariance: NDArray
    mean: NDArray | None = None
    eigenvalues: NDArray = field(init=False, repr=False)
    eigenvectors: NDArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            cov = np.array(self.covariance, dtype=float)
        except (TypeError, ValueError):
            raise ValueError("covariance must be a square matrix of real numbers") from None
        if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or cov.shape[0] == 0:
            raise ValueError(f"covariance must be a non-empty square matrix; got shape {cov.shape}")
        if not np.isfinite(cov).all():
            raise ValueError("covariance must have finite entries")
        if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12):
            raise ValueError("covariance must be symmetric")
        cov = 0.5 * (cov + cov.T)
        eigenvalues, eigenvectors = np.linalg.eigh(cov)
        if eigenvalues.min() <= 0:
            raise ValueError(
                "covariance must be positive definite (all eigenvalues > 0); "
                f"smallest eigenvalue is {eigenvalues.min()!r}"
            )
        n = cov.shape[0]
        mean = np.zeros(n) if self.mean is None else np.asarray(self.mean, dtype=float)
        if mean.shape != (n,) or not np.isfinite(mean).all():
            raise ValueError(f"mean must be a finite vector of length {n}; got {self.mean!r}")
        order = np.argsort(eigenvalues)[::-1]
        object.__setattr__(self, "covariance", cov)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "eigenvalues", eigenvalues[order])
        object.__setattr__(self, "eigenvectors", eigenvectors[:, order])

    @property
    def dimension(self) -> int:
        """Number of components n."""
        return int(self.covariance.shape[0])


@dataclass(frozen=True)
class Discrete:
    """A finite source with pmf ``pmf`` on the real values ``alphabet``.

    Parameters
    ----------
    pmf : array_like, shape (N,)
        Probabilities, non-negative, summing to 1 within
        :data:`rdp._validation.PMF_SUM_TOLERANCE`; zero entries are allowed.
    alphabet : array_like, shape (N,), optional
        Real value of each symbol (default ``0, 1, ..., N-1``); used by
        squared/absolute-error distortions and Wasserstein ground costs.
    """

    pmf: NDArray
    alphabet: NDArray | None = None

    def __post_init__(self) -> None:
        pmf = check_pmf(self.pmf, "pmf")
        alphabet = (
            np.arange(pmf.size, dtype=float)
            if self.alphabet is None
            else np.asarray(self.alphabet, dtype=float)
        )
        if alphabet.shape != pmf.shape:
            raise ValueError(
                f"alphabet must have one value per symbol ({pmf.size}); got shape {alphabet.shape}"
            )
        if not np.isfinite(alphabet).all():
            raise ValueError("alphabet must have finite values")
        object.__setattr__(self, "pmf", pmf)
        object.__setattr__(self, "alphabet", alphabet)

    @property
    def size(self) -> int:
        """Number of symbols N."""
        return int(self.pmf.size)

    def entropy(self) -> float:
        """Entropy H(X) in bits."""
        return entropy(self.pmf)

    def to_discrete(self) -> Discrete:
        """Return ``self`` (for a uniform interface with :class:`Bernoulli`)."""
        return self


Source = Bernoulli | Gaussian | GaussianVector | Discrete


def as_pmf(values: ArrayLike) -> NDArray:
    """Validate ``values`` as a pmf (see :func:`rdp._validation.check_pmf`)."""
    return check_pmf(values)
