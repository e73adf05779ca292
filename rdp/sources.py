"""Sources: the distributions of the data to be compressed.

Four kinds, each an immutable value object:

- [`Bernoulli`][rdp.sources.Bernoulli] ``(p)``: a binary source on {0, 1};
- [`Gaussian`][rdp.sources.Gaussian] ``(mean, variance)``: a scalar normal source;
- [`GaussianVector`][rdp.sources.GaussianVector] ``(covariance, mean)``: a multivariate normal
  source;
- [`Discrete`][rdp.sources.Discrete] ``(pmf, alphabet)``: any finite source; ``alphabet`` holds
  the value of each symbol — a real number, or a point of R^d (one row per symbol) —
  used by the squared-error, absolute-error and Euclidean distortions and by
  Wasserstein ground costs (default ``0, 1, ..., N-1``).

Finite sources in R^d come from a grid of a vector Gaussian law
([`GaussianVector.discretize`][rdp.sources.GaussianVector.discretize]), from any density
on a box ([`Discrete.from_density`][rdp.sources.Discrete.from_density]) or from samples
([`Discrete.from_samples`][rdp.sources.Discrete.from_samples] with an (n, d) array).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import (
    as_real_array,
    check_finite_scalar,
    check_pmf,
    check_positive,
    check_probability,
    plain,
)
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
        """The same source as a [`Discrete`][rdp.sources.Discrete] on {0, 1}."""
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

    def discretize(self, n: int, *, span: float | None = None, values: str = "mean") -> Discrete:
        r"""A finite approximation on ``n`` equal cells of [μ − kσ, μ + kσ] (tails merged).

        As [`Discrete.from_scipy`][rdp.sources.Discrete.from_scipy] with this law, in
        closed form: cell $[a, b]$ (in standard units; the end cells reach ±∞) has mass
        $\Phi(b) - \Phi(a)$ and centroid
        $E[X \mid a < Z < b] = \mu + \sigma\,(\varphi(a) - \varphi(b)) / (\Phi(b) - \Phi(a))$
        (masses right of the mean taken from the upper tail, so that small cells keep
        their digits). ``span`` is k (default ``max(4, sqrt(2 ln n) + 1)``), ``values``
        'mean' (cell centroids, which keep the mean) or 'midpoint'. As n grows, R(D, P)
        of the discretized source converges to the Gaussian closed form (see
        ``docs/discrete.md``).
        """
        from scipy.special import ndtr

        n = _check_cells(n)
        if values not in ("mean", "midpoint"):
            raise ValueError(f"values must be 'mean' or 'midpoint'; got {values!r}")
        k = max(4.0, float(np.sqrt(2.0 * np.log(n))) + 1.0) if span is None else float(span)
        if not (np.isfinite(k) and k > 0):
            raise ValueError(f"span must be > 0 (standard deviations); got {span!r}")
        edges = np.linspace(-k, k, n + 1)
        mids = 0.5 * (edges[:-1] + edges[1:])
        lo, hi = edges[:-1].copy(), edges[1:].copy()
        lo[0], hi[-1] = -np.inf, np.inf  # merge the tails into the end cells
        upper = mids > 0
        mass = np.where(upper, ndtr(-lo) - ndtr(-hi), ndtr(hi) - ndtr(lo))
        if values == "midpoint":
            z = mids
        else:
            density = np.exp(-0.5 * np.square(edges)) / np.sqrt(2.0 * np.pi)
            top, bottom = density[:-1].copy(), density[1:].copy()
            top[0], bottom[-1] = 0.0, 0.0  # φ(±∞) = 0
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(mass > 1e-300, (top - bottom) / mass, mids)
            z = np.clip(z, lo, hi)  # rounding never leaves a centroid outside its cell
        return Discrete(mass / mass.sum(), self.mean + self.std * z)


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
        cov = np.array(as_real_array(self.covariance, "covariance"), dtype=float)
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
                f"smallest eigenvalue is {plain(float(eigenvalues.min()))}"
            )
        n = cov.shape[0]
        mean = np.zeros(n) if self.mean is None else as_real_array(self.mean, "mean")
        if mean.shape != (n,) or not np.isfinite(mean).all():
            raise ValueError(f"mean must be a finite vector of length {n}; got {plain(mean)}")
        order = np.argsort(eigenvalues)[::-1]
        object.__setattr__(self, "covariance", cov)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "eigenvalues", eigenvalues[order])
        object.__setattr__(self, "eigenvectors", eigenvectors[:, order])

    @property
    def dimension(self) -> int:
        """Number of components n."""
        return int(self.covariance.shape[0])

    def discretize(
        self, n: int | Sequence[int], *, span: float | None = None, values: str = "mean"
    ) -> Discrete:
        r"""A finite approximation on a grid of parallelepiped cells aligned with the eigenvectors.

        Write $X = m + U\Lambda^{1/2} Z$ with $\Sigma = U \Lambda U^\top$ and Z standard
        normal in $\mathbb R^d$. Each coordinate of Z is cut into ``n`` equal cells of
        $[-k, k]$ with the tails merged into the end cells, exactly as
        [`Gaussian.discretize`][rdp.sources.Gaussian.discretize] does in one dimension; the
        product cells map to parallelepipeds in x-space. Because the coordinates of Z are
        independent, every cell's probability is the **exact** product of 1-D normal CDF
        differences, and its centroid $E[X \mid X \in \text{cell}] = m + U\Lambda^{1/2}
        E[Z \mid Z \in \text{cell}]$ is exact too (the conditional mean of each coordinate,
        mapped by the affine map). A diagonal covariance keeps the coordinate axes in their
        given order (U = I); a correlated one uses the eigenvectors, so the cells are the
        rotated rectangles of its principal axes. The discretised law keeps the mean, and its
        covariance tends to Σ as n grows.

        Parameters
        ----------
        n : int or sequence of int
            Cells per axis (≥ 2), the same for every axis or one per eigen-direction (in the
            order of ``eigenvalues``, largest first; of the coordinates for a diagonal Σ).
            The source has the product of these many symbols.
        span : float, optional
            k, in standard deviations of each eigen-direction (default as in
            [`Gaussian.discretize`][rdp.sources.Gaussian.discretize] for the largest n).
        values : {'mean', 'midpoint'}
            Cell centroids (default) or the images of the cell midpoints.

        Returns
        -------
        Discrete
            ``alphabet`` of shape (N, d), one point per cell (C order over the axes).

        Examples
        --------
        >>> src = GaussianVector([[1.0, 0.0], [0.0, 0.25]]).discretize(8)
        >>> src.size, src.dimension
        (64, 2)
        """
        d = self.dimension
        counts = [n] * d if np.ndim(n) == 0 else list(n)
        if len(counts) != d:
            raise ValueError(
                f"n must be one integer or {d} integers (one per axis); got {plain(n)}"
            )
        counts = [_check_cells(c) for c in counts]
        if values not in ("mean", "midpoint"):
            raise ValueError(f"values must be 'mean' or 'midpoint'; got {values!r}")
        if span is None:
            span = max(4.0, float(np.sqrt(2.0 * np.log(max(counts)))) + 1.0)
        axes = [Gaussian().discretize(c, span=span, values=values) for c in counts]
        diagonal = np.array_equal(self.covariance, np.diag(np.diag(self.covariance)))
        if diagonal:
            basis = np.diag(np.sqrt(np.diag(self.covariance)))
        else:
            basis = self.eigenvectors * np.sqrt(self.eigenvalues)[None, :]
        grids = np.meshgrid(*[a.alphabet for a in axes], indexing="ij")
        z = np.stack([g.ravel() for g in grids], axis=1)
        masses = np.meshgrid(*[a.pmf for a in axes], indexing="ij")
        pmf = np.prod(np.stack([m.ravel() for m in masses], axis=1), axis=1)
        return Discrete(pmf / pmf.sum(), self.mean[None, :] + z @ basis.T)


@dataclass(frozen=True)
class Discrete:
    """A finite source with pmf ``pmf`` on the real values ``alphabet``.

    Parameters
    ----------
    pmf : array_like, shape (N,)
        Probabilities: non-negative real numbers (not booleans or strings)
        summing to 1 within ``rdp._validation.PMF_SUM_TOLERANCE`` (1e-9);
        zero entries are allowed. A pmf within the tolerance, such as the
        hand-typed ``[0.4, 0.3, 0.2, 0.1]`` (whose floating-point sum is
        ``0.9999999999999999``), is divided by its sum once, here; a pmf
        beyond it raises ``ValueError``.
    alphabet : array_like, shape (N,) or (N, d), optional
        Value of each symbol (default ``0, 1, ..., N-1``): a real number, or a
        point of R^d given as one row per symbol (an (N, 1) array is read as (N,)).
        Used by the squared-error (‖x − x̂‖², summed over coordinates), absolute-error
        and Euclidean (‖x − x̂‖) distortions and by Wasserstein ground costs.

    Examples
    --------
    >>> square = Discrete([0.25] * 4, [[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> square.size, square.dimension
    (4, 2)
    """

    pmf: NDArray
    alphabet: NDArray | None = None

    def __post_init__(self) -> None:
        pmf = check_pmf(self.pmf, "pmf")
        alphabet = (
            np.arange(pmf.size, dtype=float)
            if self.alphabet is None
            else as_real_array(self.alphabet, "alphabet")
        )
        if alphabet.ndim == 2 and alphabet.shape[1] == 1:
            alphabet = alphabet[:, 0]
        if alphabet.ndim not in (1, 2) or alphabet.shape[0] != pmf.size or alphabet.size == 0:
            raise ValueError(
                f"alphabet must have one value (shape ({pmf.size},)) or one point (shape "
                f"({pmf.size}, d)) per symbol; got shape {alphabet.shape}"
            )
        if not np.isfinite(alphabet).all():
            raise ValueError("alphabet must have finite values")
        object.__setattr__(self, "pmf", pmf)
        object.__setattr__(self, "alphabet", alphabet)

    def __repr__(self) -> str:
        return f"Discrete(pmf={plain(self.pmf)}, alphabet={plain(self.alphabet)})"

    @property
    def size(self) -> int:
        """Number of symbols N."""
        return int(self.pmf.size)

    @property
    def dimension(self) -> int:
        """Dimension d of the symbol values: 1 for real values, d for points of R^d."""
        return 1 if self.alphabet.ndim == 1 else int(self.alphabet.shape[1])

    def entropy(self) -> float:
        """Entropy H(X) in bits."""
        return entropy(self.pmf)

    def to_discrete(self) -> Discrete:
        """Return ``self`` (for a uniform interface with [`Bernoulli`][rdp.sources.Bernoulli])."""
        return self

    @classmethod
    def from_scipy(
        cls,
        dist,
        n: int,
        *,
        lower: float | None = None,
        upper: float | None = None,
        tail: float = 1e-6,
        values: str = "mean",
    ) -> Discrete:
        r"""Quantize a continuous ``scipy.stats`` distribution onto ``n`` equal cells.

        The cells split [lower, upper] (default: the ``tail`` and ``1 − tail``
        quantiles) into ``n`` equal intervals; the probability below ``lower``
        and above ``upper`` joins the first and last cell, so the pmf sums to 1.
        Each symbol's value is the cell's conditional mean
        $E[X \mid X \in \text{cell}]$ (``values="mean"``, which keeps
        the mean of the source) or the cell midpoint (``values="midpoint"``).

        Parameters
        ----------
        dist : frozen scipy.stats continuous distribution
            E.g. ``scipy.stats.laplace(scale=1)`` or ``scipy.stats.uniform(0, 1)``.
        n : int
            Number of cells, ≥ 2.
        lower, upper : float, optional
            Range of the cells.
        tail : float
            Tail mass left out of the default range on each side, in (0, 0.5).
        values : {'mean', 'midpoint'}
            Value given to each cell.

        Examples
        --------
        >>> from scipy import stats
        >>> src = Discrete.from_scipy(stats.laplace(), 64)
        >>> src.size
        64
        """
        n = _check_cells(n)
        if values not in ("mean", "midpoint"):
            raise ValueError(f"values must be 'mean' or 'midpoint'; got {values!r}")
        if not (hasattr(dist, "cdf") and hasattr(dist, "ppf")):
            raise ValueError("dist must be a frozen scipy.stats continuous distribution")
        from scipy import stats

        law = getattr(dist, "dist", dist)
        if isinstance(law, stats.rv_discrete):
            name = getattr(law, "name", type(law).__name__)
            raise ValueError(
                f"dist must be a continuous distribution; {name} is discrete: give its pmf "
                "and values to Discrete(pmf, alphabet) instead"
            )
        if not 0 < tail < 0.5:
            raise ValueError(f"tail must be in (0, 0.5); got {tail!r}")
        lo = float(dist.ppf(tail)) if lower is None else float(lower)
        hi = float(dist.ppf(1.0 - tail)) if upper is None else float(upper)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"need finite lower < upper; got lower={lo!r}, upper={hi!r}")
        edges = np.linspace(lo, hi, n + 1)
        cdf = dist.cdf(edges)
        cdf[0], cdf[-1] = 0.0, 1.0  # merge the tails into the end cells
        pmf = np.diff(cdf)
        mids = 0.5 * (edges[:-1] + edges[1:])
        if values == "midpoint":
            return cls(pmf / pmf.sum(), mids)
        outer = edges.copy()
        outer[0], outer[-1] = -np.inf, np.inf
        means = np.array(
            [
                dist.expect(lambda x: x, lb=a, ub=b, conditional=True) if m > 1e-300 else c
                for a, b, m, c in zip(outer[:-1], outer[1:], pmf, mids, strict=True)
            ]
        )
        return cls(pmf / pmf.sum(), means)

    @classmethod
    def from_density(
        cls,
        density: Callable[[NDArray], ArrayLike],
        box: ArrayLike,
        cells: int | Sequence[int],
        *,
        nodes: int = 8,
    ) -> Discrete:
        r"""The law of a density restricted to a box of R^d, on a grid of equal cells.

        The box $\prod_k [a_k, b_k]$ (d = 1, 2 or 3) is cut into ``cells`` equal
        intervals per coordinate. Each cell C gets the probability
        $\int_C f / \int_{\text{box}} f$ and, as its symbol, its centroid
        $\int_C x f / \int_C f$, both integrated with the tensor-product
        Gauss–Legendre rule of ``nodes`` points per coordinate and cell: exact where f
        is a polynomial of degree ≤ 2·nodes − 1 in each coordinate on the cell, and for a
        smooth f with an error that falls like the cell width to the power 2·nodes. The
        density need not be normalised; mass outside the box is left out (the law is f
        conditioned on the box: choose a box that holds all but a negligible part), and
        cells of zero mass are dropped.

        Parameters
        ----------
        density : callable
            ``density(x)`` for an (n, d) array of points (an (n,) array when d = 1)
            returns n finite values ≥ 0.
        box : array_like, shape (d, 2)
            (low, high) per coordinate, finite with low < high; a single pair for d = 1.
        cells : int or sequence of int
            Cells per coordinate (≥ 2 each): one integer for all, or one per coordinate.
        nodes : int
            Gauss–Legendre nodes per coordinate and cell (1 to 32; default 8). The
            density is evaluated at cells·nodes^d points (at most 5·10^7).

        Returns
        -------
        Discrete
            Points of shape (N, d) (shape (N,) for d = 1), in C order over the cells.

        Examples
        --------
        >>> f = lambda x: np.exp(-0.5 * (x**2).sum(axis=1))
        >>> src = Discrete.from_density(f, [(-5, 5), (-5, 5)], 10)
        >>> src.size, src.dimension
        (100, 2)
        """
        from rdp._density_cells import MAX_EVALUATIONS, cell_moments, check_box

        if not callable(density):
            raise ValueError(f"density must be a callable f(x); got {plain(density)}")
        edges = check_box(box)
        d = edges.shape[0]
        counts = [cells] * d if np.ndim(cells) == 0 else list(cells)
        if len(counts) != d:
            raise ValueError(
                f"cells must be one integer or {d} integers (one per coordinate of the box); "
                f"got {plain(cells)}"
            )
        counts = [_check_cells(c) for c in counts]
        if isinstance(nodes, bool) or int(nodes) != nodes or not 1 <= int(nodes) <= 32:
            raise ValueError(f"nodes must be an integer in [1, 32]; got {plain(nodes)}")
        nodes = int(nodes)
        evaluations = int(np.prod(counts)) * nodes**d
        if evaluations > MAX_EVALUATIONS:
            raise ValueError(
                f"cells and nodes ask for {evaluations:,} density evaluations (cells x "
                f"nodes^d); at most {MAX_EVALUATIONS:,}: use fewer cells or nodes"
            )
        mass, first = cell_moments(density, edges, counts, nodes)
        total = float(mass.sum())
        if not total > 0:
            raise ValueError("density has no mass on the box (its integral over the box is 0)")
        keep = mass > 0
        points = first[keep] / mass[keep, None]
        return cls(mass[keep] / mass[keep].sum(), points if d > 1 else points[:, 0])

    @classmethod
    def from_samples(
        cls,
        samples: ArrayLike,
        bins: int | ArrayLike = 32,
        *,
        method: str = "lattice",
        seed: int | None = 0,
    ) -> Discrete:
        r"""The empirical law of ``samples`` on cells, each cell's value its sample mean.

        One-dimensional samples (shape (n,) or (n, 1)) are binned as by
        ``numpy.histogram``. Points of R^d (shape (n, d), d ≥ 2) are quantised by one of
        two documented methods:

        - ``method="lattice"`` (default): the cells of a rectangular lattice, ``bins``
          equal cells per coordinate over the range of the samples (or explicit edges
          per coordinate), as ``numpy.histogramdd`` counts them;
        - ``method="kmeans"``: the nearest-neighbour cells of ``bins`` codevectors found
          by k-means ([`rdp.quantization.kmeans`][rdp.quantization.kmeans]: k-means++
          seeds, Lloyd iterations, the best of 10 restarts, seeded by ``seed``); a local
          optimum of the squared error, not a global one.

        Either way the symbol of a cell is the mean of its samples (so the law keeps the
        sample mean) and its probability the fraction of samples in it; empty cells are
        dropped.

        Parameters
        ----------
        samples : array_like, shape (n,) or (n, d)
            Finite real samples, one row per sample for points of R^d.
        bins : int or array_like
            Lattice: cells per coordinate (≥ 2) or the edges (one array per coordinate
            for d ≥ 2). k-means: the number of cells K (1 ≤ K ≤ n).
        method : {'lattice', 'kmeans'}
            How points are quantised (one-dimensional samples: 'lattice' is the
            histogram, 'kmeans' is 1-D k-means).
        seed : int or None
            Seed of the k-means initialisations (unused by the lattice).

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> cloud = Discrete.from_samples(rng.standard_normal((500, 2)), 10, method="kmeans")
        >>> cloud.size, cloud.dimension
        (10, 2)
        """
        x = as_real_array(samples, "samples")
        if x.ndim == 2 and x.shape[1] == 1:
            x = x[:, 0]
        if x.ndim not in (1, 2) or x.size == 0 or not np.isfinite(x).all():
            raise ValueError(
                "samples must be a non-empty array of finite numbers, shape (n,) or (n, d); "
                f"got shape {x.shape}"
            )
        if method not in ("lattice", "kmeans"):
            raise ValueError(f"method must be 'lattice' or 'kmeans'; got {method!r}")
        if method == "kmeans":
            return _kmeans_cells(cls, x, bins, seed)
        if x.ndim == 2:
            return _lattice_cells(cls, x, bins)
        if np.ndim(bins) == 0:
            _check_cells(int(bins)) if int(bins) != 1 else None
        counts, edges = np.histogram(x, bins=bins)
        index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, counts.size - 1)
        sums = np.bincount(index, weights=x, minlength=counts.size)
        keep = counts > 0
        return cls(counts[keep] / counts.sum(), sums[keep] / counts[keep])


def _cell_means(cls, x: NDArray, labels: NDArray, k: int) -> Discrete:
    """The empirical law on ``k`` cells (sample ``i`` in cell ``labels[i]``), values the
    cell means; empty cells dropped."""
    counts = np.bincount(labels, minlength=k)
    points = x if x.ndim == 2 else x[:, None]
    sums = np.stack(
        [np.bincount(labels, weights=points[:, c], minlength=k) for c in range(points.shape[1])],
        axis=1,
    )
    keep = counts > 0
    means = sums[keep] / counts[keep, None]
    return cls(counts[keep] / counts.sum(), means if x.ndim == 2 else means[:, 0])


def _lattice_cells(cls, x: NDArray, bins: int | ArrayLike) -> Discrete:
    """Samples of R^d on the cells of ``numpy.histogramdd`` (``bins`` per coordinate)."""
    d = x.shape[1]
    if np.ndim(bins) == 0:
        bins = [_check_cells(bins)] * d
    elif len(bins) != d:
        raise ValueError(f"bins must be one integer or {d} entries (one per coordinate)")
    _, edges = np.histogramdd(x, bins=bins)
    index = [
        np.clip(np.searchsorted(e, x[:, c], side="right") - 1, 0, e.size - 2)
        for c, e in enumerate(edges)
    ]
    shape = tuple(e.size - 1 for e in edges)
    labels = np.ravel_multi_index(index, shape)
    return _cell_means(cls, x, labels, int(np.prod(shape)))


def _kmeans_cells(cls, x: NDArray, bins: int | ArrayLike, seed: int | None) -> Discrete:
    """Samples on the nearest-neighbour cells of a k-means codebook."""
    from rdp.quantization.kmeans import kmeans

    if np.ndim(bins) != 0 or isinstance(bins, bool) or int(bins) != bins:
        raise ValueError(f"bins must be the number of k-means cells, an integer; got {plain(bins)}")
    codebook = kmeans(x, int(bins), seed=seed).codebook
    points = x if x.ndim == 2 else x[:, None]
    labels = np.empty(points.shape[0], dtype=np.intp)
    step = max(1, 2**22 // codebook.shape[0])  # squared distances in blocks of ~4M entries
    for first in range(0, points.shape[0], step):
        block = points[first : first + step]
        d2 = ((block[:, None, :] - codebook[None, :, :]) ** 2).sum(axis=2)
        labels[first : first + step] = np.argmin(d2, axis=1)
    return _cell_means(cls, x, labels, int(bins))


Source = Bernoulli | Gaussian | GaussianVector | Discrete


def _check_cells(n: int) -> int:
    if isinstance(n, bool | str) or int(n) != n or int(n) < 2:
        raise ValueError(f"n (number of cells) must be an integer >= 2; got {plain(n)}")
    return int(n)
