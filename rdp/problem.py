"""The rate–distortion–perception problem: source + distortion + perception, as data.

$$
R(D, P) = \\min_{p_{\\hat X | X}} I(X; \\hat X)
\\quad\\text{s.t.}\\quad \\mathbb E[\\Delta(X, \\hat X)] \\le D,\\;
d(p_X, p_{\\hat X}) \\le P
$$

(Blau & Michaeli, "Rethinking Lossy Compression: The Rate-Distortion-Perception
Tradeoff", ICML 2019, Eq. (3)). [`Problem`][rdp.problem.Problem] holds and validates the data
and imports no method. Its methods ``rate``, ``distortion``, ``rd_curve``, ``surface``,
``min_distortion``, ``zero_rate_distortion``, ``method`` and ``bound`` are the API, each the
one way in to its operation; the work (choosing a method, converting units, running the
points, assembling results) is done underneath by the internal module ``rdp._solving``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import as_real_array
from rdp.distortions import Distortion, Hamming, SquaredError, distortion_from_name
from rdp.perceptions import Perception, PerceptionBound, perception_from_name, to_bound
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector, Source

if TYPE_CHECKING:
    from rdp.methods import Method
    from rdp.result import CurveResult, DistortionResult, RateResult, SurfaceResult


#: Largest distortion or transport cost between two symbols that a problem accepts.
MAX_ENTRY = 1e150


class Problem:
    """A rate–distortion–perception problem.

    Parameters
    ----------
    source : Bernoulli, Gaussian, GaussianVector or Discrete
        The source law p_X.
    distortion : str, array_like or Distortion, optional
        'hamming', 'mse', 'absolute', an (N, M) matrix, or an instance from
        [`rdp.distortions`][rdp.distortions]. Default: Hamming for Bernoulli, MSE for
        Gaussian sources; required for [`Discrete`][rdp.sources.Discrete].
    perception : str or Perception, optional
        'tv', 'w1', 'w2', 'kl-source-recon', 'kl-recon-source', 'none' or an
        instance from [`rdp.perceptions`][rdp.perceptions] (default 'none': P = ∞).
    reconstruction_alphabet : array_like, optional
        Values of the reconstruction symbols of a finite problem, shape (M,), or (M, d)
        for a source of points in R^d (default: the source alphabet, or ``0..M-1`` when
        a distortion matrix has M ≠ N columns).

    Examples
    --------
    >>> from rdp import Bernoulli, Problem
    >>> problem = Problem(Bernoulli(0.1), "hamming", "tv")
    >>> round(problem.rate(0.05, 0.02).rate, 5)
    0.19871

    Attributes
    ----------
    source : Source
        The source law.
    distortion_measure : Distortion
        The distortion measure Δ (``problem.distortion(R, P)`` is the *function* D(R, P)).
    perception_measure : Perception
        The perception measure d.
    reconstruction_alphabet : ndarray or None
        The reconstruction symbols of a finite problem (None for Gaussian sources).
    """

    def __init__(
        self,
        source: Source,
        distortion: str | ArrayLike | Distortion | None = None,
        perception: str | Perception | None = None,
        *,
        reconstruction_alphabet: ArrayLike | None = None,
    ) -> None:
        if not isinstance(source, Bernoulli | Gaussian | GaussianVector | Discrete):
            raise ValueError(
                "source must be a Bernoulli, Gaussian, GaussianVector or Discrete; "
                f"got {type(source).__name__}"
            )
        if distortion is None:
            if isinstance(source, Discrete):
                raise ValueError(
                    "distortion is required for a Discrete source: "
                    "'hamming', 'mse', 'absolute' or an (N, M) matrix"
                )
            distortion = Hamming() if isinstance(source, Bernoulli) else SquaredError()
        self.source = source
        self.distortion_measure = distortion_from_name(distortion)
        self.perception_measure = perception_from_name("none" if perception is None else perception)
        self.reconstruction_alphabet = self._reconstruction_alphabet(reconstruction_alphabet)
        self._check_measures()

    def _check_measures(self) -> None:
        """Matrices of the right shape, and distortions/costs that do not overflow float64."""
        matrix = getattr(self.distortion_measure, "values", None)
        cost = getattr(self.perception_measure, "cost", None)
        if isinstance(self.source, Gaussian | GaussianVector):
            if matrix is not None or cost is not None:
                what = "a distortion matrix" if matrix is not None else "a perception cost matrix"
                raise ValueError(
                    f"{what} applies to finite sources (Bernoulli, Discrete); a Gaussian source "
                    "takes distortion 'mse' and the default transport costs"
                )
            return
        x = self.source.to_discrete().alphabet
        y = np.asarray(self.reconstruction_alphabet, dtype=float)
        n, m = len(x), len(y)
        if matrix is not None and matrix.shape[0] != n:
            raise ValueError(
                f"the distortion matrix has shape {matrix.shape}; this source has {n} symbols, "
                f"so it needs shape ({n}, M): one row per source symbol, one column per "
                "reconstruction symbol"
            )
        if cost is not None and cost.shape != (n, m):
            raise ValueError(
                f"the perception cost matrix has shape {cost.shape}; this problem needs shape "
                f"({n}, {m}): one row per source symbol, one column per reconstruction symbol"
            )
        if matrix is None:  # a named measure must apply to these alphabets (points: not all do)
            self.distortion_measure.matrix(x[:1], y[:1])
        if x.ndim != y.ndim:  # a source of points with reconstruction labels 0..M-1
            kind = self.perception_measure.kind
            if (matrix is None) or (cost is None and kind != "none"):
                raise ValueError(
                    f"the source has points in R^{x.shape[1]} but the reconstruction symbols "
                    "are labels (a distortion matrix with M != N columns): give "
                    f"reconstruction_alphabet as an (M, {x.shape[1]}) array of points"
                )
        # the largest |x - x̂| raised to the measure's power must stay far from float64 overflow
        span = _span(x, y)
        powers = {"mse": 2, "absolute": 1}
        power = powers.get(getattr(self.distortion_measure, "name", ""), 0)
        if cost is None:
            power = max(power, int(getattr(self.perception_measure, "order", 0) or 0))
        with np.errstate(over="ignore"):
            largest = float(np.float64(span) ** power) if power else 0.0
        if not largest <= MAX_ENTRY:
            raise ValueError(
                f"alphabet values span {span:.3g}: distortions and transport costs up to "
                f"{largest:.3g} are beyond {MAX_ENTRY:.0e} (float64 overflows); rescale the "
                "alphabet (and D, P with it)"
            )

    def _reconstruction_alphabet(self, values: ArrayLike | None) -> NDArray | None:
        if isinstance(self.source, Gaussian | GaussianVector):
            if values is not None:
                raise ValueError("reconstruction_alphabet applies to finite sources only")
            return None
        source_alphabet = self.source.to_discrete().alphabet
        matrix = getattr(self.distortion_measure, "values", None)
        if values is None:
            if matrix is not None and matrix.shape[1] != len(source_alphabet):
                return np.arange(matrix.shape[1], dtype=float)
            return source_alphabet
        out = as_real_array(values, "reconstruction_alphabet")
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if source_alphabet.ndim == 1:
            if out.ndim != 1 or out.size == 0 or not np.isfinite(out).all():
                raise ValueError(
                    "reconstruction_alphabet must be a non-empty 1-D array of finite values"
                )
        else:
            d = source_alphabet.shape[1]
            if out.ndim != 2 or out.shape[1] != d or out.size == 0 or not np.isfinite(out).all():
                raise ValueError(
                    f"reconstruction_alphabet must be a non-empty (M, {d}) array of finite "
                    f"values (points of R^{d}, as the source's); got shape {out.shape}"
                )
        if matrix is not None and matrix.shape[1] != len(out):
            raise ValueError(
                f"reconstruction_alphabet has {len(out)} symbols but the distortion matrix has "
                f"{matrix.shape[1]} columns"
            )
        return out

    def __repr__(self) -> str:
        return (
            f"Problem({self.source!r}, {type(self.distortion_measure).__name__}, "
            f"{type(self.perception_measure).__name__})"
        )

    # ------------------------------------------------------------ the API
    # Each method below is the one documented way in to its operation; the work is
    # done by its function in ``rdp._solving`` (imported on call, so that ``Problem``
    # stays data and ``import rdp`` loads no method).
    def bound(self, P: float, units: str = "bits") -> PerceptionBound:
        """The perception constraint ``d(p_X, p_X̂) ≤ P`` in the methods' internal unit.

        Parameters
        ----------
        P : float
            Perception level in [0, ∞] (``inf``: no constraint); a KL level is in ``units``.
        units : {'bits', 'nats'}
            Unit of a KL level (other measures have their own units and are unchanged).

        Returns
        -------
        PerceptionBound
            ``kind`` and ``value`` (KL in nats), as the methods read it
            ([`rdp.perceptions.to_bound`][rdp.perceptions.to_bound] converts).

        Examples
        --------
        >>> from rdp import KL, Gaussian, Problem
        >>> Problem(Gaussian(), "mse", KL("source||reconstruction")).bound(1.0).value  # nats
        0.6931471805599453
        """
        return to_bound(self.perception_measure, P, units)

    def method(self, name: str = "auto", **options: Any) -> Method:
        """The method that answers this problem.

        Parameters
        ----------
        name : str
            'auto' (the closed form when one exists, else the default solver),
            'closed-form', or a registered solver name ('fast', 'cvxpy'; see
            [`rdp.methods`][rdp.methods]).
        **options
            Passed to the method's factory (a solver's ``tol``, ``max_iter``, ...).

        Returns
        -------
        Method
            An object with ``rate_point``, ``min_distortion``, ``zero_rate_distortion``,
            ``name`` and ``reference`` ([`rdp.methods.Method`][rdp.methods.Method]).

        Raises
        ------
        ValueError
            For an unknown name, or a method that does not apply to this problem.

        Examples
        --------
        >>> from rdp import Bernoulli, Problem
        >>> Problem(Bernoulli(0.1), "hamming", "tv").method().name
        'closed-form: bernoulli-hamming-tv'
        """
        from rdp import _solving

        return _solving.choose_method(self, name, **options)

    def min_distortion(
        self, P: float = np.inf, *, method: str = "auto", units: str = "bits"
    ) -> float:
        r"""D_min(P): the least expected distortion reachable at any rate with perception ≤ P.

        $$
        D_{\min}(P) = \min_{p_{\hat X|X}} \mathbb E[\Delta(X, \hat X)]
        \quad\text{s.t.}\quad d(p_X, p_{\hat X}) \le P ,
        $$

        the left end of the curve R(·, P): R(D, P) is finite exactly for D ≥ D_min(P)
        (Blau & Michaeli 2019 [1]).

        Parameters
        ----------
        P : float
            Perception level in [0, ∞] (default ``inf``; KL in ``units``).
        method : str
            As in [`rate`][rdp.problem.Problem.rate].
        units : {'bits', 'nats'}
            Unit of a KL perception level.

        Returns
        -------
        float
            D_min(P), in the distortion measure's units.

        Examples
        --------
        >>> from rdp import Bernoulli, Problem
        >>> Problem(Bernoulli(0.1), "hamming", "tv").min_distortion(0.02)
        0.0

        References
        ----------
        1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
           Rate-Distortion-Perception Tradeoff", ICML 2019, Eq. (3).
        """
        from rdp import _solving

        return _solving.min_distortion(self, P, method=method, units=units)

    def zero_rate_distortion(
        self, P: float = np.inf, *, method: str = "auto", units: str = "bits"
    ) -> float:
        r"""D_max(P): the least expected distortion at rate 0 with perception ≤ P.

        $$
        D_{\max}(P) = \min_{p_{\hat X}} \mathbb E[\Delta(X, \hat X)]
        \quad\text{s.t.}\quad \hat X \perp X,\; d(p_X, p_{\hat X}) \le P ,
        $$

        the distortion at which R(·, P) reaches 0 (Blau & Michaeli 2019 [1]).

        Parameters
        ----------
        P, method, units
            As in [`min_distortion`][rdp.problem.Problem.min_distortion].

        Returns
        -------
        float
            D_max(P), in the distortion measure's units.

        Examples
        --------
        >>> from rdp import Bernoulli, Problem
        >>> round(Problem(Bernoulli(0.1), "hamming", "tv").zero_rate_distortion(0.02), 6)
        0.164

        References
        ----------
        1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
           Rate-Distortion-Perception Tradeoff", ICML 2019.
        """
        from rdp import _solving

        return _solving.zero_rate_distortion(self, P, method=method, units=units)

    def rate(
        self,
        D: ArrayLike,
        P: ArrayLike = np.inf,
        *,
        method: str = "auto",
        units: str = "bits",
        warm_start: bool = True,
        progress: bool | None = None,
        **options: Any,
    ) -> RateResult:
        r"""R(D, P): the least rate at expected distortion ≤ D and perception ≤ P.

        $$
        R(D, P) = \min_{p_{\hat X | X}} I(X; \hat X)
        \quad\text{s.t.}\quad \mathbb E[\Delta(X, \hat X)] \le D,\;
        d(p_X, p_{\hat X}) \le P
        $$

        (Blau & Michaeli 2019 [1], Eq. (3)). A closed form answers exactly where one
        exists; otherwise a solver returns certified bounds ``lower ≤ R ≤ upper``,
        ``upper`` being the rate of an exactly feasible channel it returns.

        Parameters
        ----------
        D : float or array_like
            Distortion bound(s), ≥ 0, in the distortion measure's units.
        P : float or array_like
            Perception bound(s), in [0, ∞] (``inf``: no constraint). KL bounds are
            in ``units``. ``D`` and ``P`` broadcast against each other.
        method : str
            'auto' (closed form if one exists, else the default solver),
            'closed-form', or a registered solver name ('fast', 'cvxpy').
        units : {'bits', 'nats'}
            Unit of the returned rate and of KL perception bounds.
        warm_start : bool
            Start each point of an array from the previous one's state (points are
            solved in C order); False solves every point from a cold start.
        progress : bool, optional
            A progress bar on stderr: over an array of more than 20 points once they take
            a few seconds, or, for fewer points, the solver's own bar for a point that runs
            past a few seconds. None (default): on a terminal only; False: never.
        **options
            Passed to the solver. The fast solver's: ``tol`` (certified gap, default
            1e-6 bits), ``max_iter`` (default 100,000), ``time_limit`` (seconds per
            point, default 120; a point stopped there has status ``'time_limit'`` and
            the certified bounds it reached), ``max_memory`` (GB, see
            ``rdp.solvers.memory``).

        Returns
        -------
        RateResult
            ``rate`` (in ``units``; ``inf`` where D < D_min(P)), certified
            ``lower``/``upper``, ``feasible``, the optimal ``channel``,
            ``status``/``message``/``iterations``, ``method`` and ``reference``; arrays of
            the broadcast shape for array inputs.

        Raises
        ------
        ValueError
            For a bad D, P, ``units`` or option (one line naming it, before any work).

        Examples
        --------
        >>> from rdp import Bernoulli, Problem
        >>> result = Problem(Bernoulli(0.1), "hamming", "tv").rate(0.05, 0.02)
        >>> round(result.rate, 5), result.status
        (0.19871, 'exact')

        References
        ----------
        1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
           Rate-Distortion-Perception Tradeoff", ICML 2019, Eq. (3).
        """
        from rdp import _solving

        return _solving.rate(
            self, D, P, method=method, units=units, warm_start=warm_start, progress=progress,
            **options,
        )  # fmt: skip

    def distortion(
        self,
        R: ArrayLike,
        P: ArrayLike = np.inf,
        *,
        method: str = "auto",
        units: str = "bits",
        common_randomness: float | None = None,
        tol: float = 1e-10,
        progress: bool | None = None,
        **options: Any,
    ) -> DistortionResult:
        r"""D(R, P): the least expected distortion at rate ≤ R and perception ≤ P.

        $$
        D(R, P) = \min_{p_{\hat X | X}} \mathbb E[\Delta(X, \hat X)]
        \quad\text{s.t.}\quad I(X; \hat X) \le R,\; d(p_X, p_{\hat X}) \le P ,
        $$

        the inverse of R(·, P) (Blau & Michaeli 2019 [1]). This method computes the
        *function* D(R, P); the distortion *measure* Δ of the problem is the attribute
        ``distortion_measure``. Uses the method's direct inverse when it has one
        (Gaussian closed forms); otherwise a certified bisection on R(D, P)
        ([`rdp.inversion.invert_rate`][rdp.inversion.invert_rate]).

        Parameters
        ----------
        R : float or array_like
            Rate(s) in ``units``, in [0, ∞].
        P : float or array_like
            Perception bound(s) in [0, ∞] (KL in ``units``); broadcasts against ``R``.
        method, units, **options
            As in [`rate`][rdp.problem.Problem.rate].
        common_randomness : float, optional
            Rate R_c (in ``units``) of randomness shared by encoder and decoder.
            ``None`` (default) means unlimited, as in the definition of R(D, P).
            A finite value is supported for the Gaussian source at P = 0
            (Wagner 2022 [2]): D(R, R_c, 0).
        tol : float
            Relative bracket width of the bisection.
        progress : bool, optional
            As in [`rate`][rdp.problem.Problem.rate].

        Returns
        -------
        DistortionResult
            ``distortion`` (in the distortion measure's units) with certified
            ``lower``/``upper``, ``feasible``, ``status``/``message``/``iterations``,
            ``method`` and ``reference``.

        Examples
        --------
        >>> from rdp import Gaussian, Problem
        >>> problem = Problem(Gaussian(0, 1), "mse", "w2")
        >>> round(problem.distortion(1.0, 0.0).distortion, 6)  # 2 (1 - sqrt(3/4))
        0.267949

        References
        ----------
        1. Y. Blau and T. Michaeli, "Rethinking Lossy Compression: The
           Rate-Distortion-Perception Tradeoff", ICML 2019.
        2. A. B. Wagner, "The Rate-Distortion-Perception Trade-off: The Role of
           Common Randomness", arXiv:2202.04147, 2022.
        """
        from rdp import _solving

        return _solving.distortion(
            self, R, P, method=method, units=units, common_randomness=common_randomness,
            tol=tol, progress=progress, **options,
        )  # fmt: skip

    def rd_curve(
        self,
        P: float,
        D_grid: ArrayLike,
        *,
        method: str = "auto",
        units: str = "bits",
        warm_start: bool = True,
        progress: bool | None = None,
        **options: Any,
    ) -> CurveResult:
        """R(D, P) for every D in ``D_grid`` at one perception level ``P``.

        One row of [`surface`][rdp.problem.Problem.surface]: the points are solved in
        increasing D, each starting from the previous one's state.

        Parameters
        ----------
        P : float
            Perception bound in [0, ∞] (KL in ``units``).
        D_grid : array_like
            1-D grid of distortions, ≥ 0 and finite.
        method, units, **options
            As in [`rate`][rdp.problem.Problem.rate].
        warm_start : bool
            Start each point from its neighbour's state (default True).
        progress : bool, optional
            A tqdm progress bar (default: more than 20 points, when stderr is a terminal).

        Returns
        -------
        CurveResult
            Arrays of shape ``(len(D_grid),)`` (``rate`` in ``units``, ``inf`` where
            D < D_min(P)), D_min(P) and D_max(P).

        Examples
        --------
        >>> from rdp import Bernoulli, Problem
        >>> curve = Problem(Bernoulli(0.1), "hamming", "tv").rd_curve(0.02, [0.05, 0.1])
        >>> curve.rate.round(5)
        array([0.19871, 0.069  ])
        """
        from rdp import _solving

        return _solving.rd_curve(
            self, P, D_grid, method=method, units=units, warm_start=warm_start,
            progress=progress, **options,
        )  # fmt: skip

    def surface(
        self,
        D_grid: ArrayLike,
        P_grid: ArrayLike,
        *,
        method: str = "auto",
        units: str = "bits",
        warm_start: bool = True,
        progress: bool | None = None,
        workers: int | None = 1,
        **options: Any,
    ) -> SurfaceResult:
        """R(D, P) on the grid ``P_grid × D_grid`` (rows: P, columns: D).

        One method object solves every cell, sweeping D up and down in turn (snake
        order) so that each cell starts from its neighbour's solution. Cells with
        D < D_min(P) hold ``rate = inf``, ``feasible = False`` and status
        ``'infeasible'``; the boundary D_min(P) is returned per row. For families of
        problems (parameter grids, a store on disk, Dask) see [`rdp.sweep`][rdp.batch.run.sweep].

        Parameters
        ----------
        D_grid, P_grid : array_like
            1-D grids, D ≥ 0 finite, P in [0, ∞] (KL in ``units``).
        method, units, **options
            As in [`rate`][rdp.problem.Problem.rate].
        warm_start : bool
            Start each cell from its neighbour's state (default True).
        progress : bool, optional
            A tqdm progress bar over all cells (default: more than 20 cells, when stderr
            is a terminal).
        workers : int or None
            Processes that solve the rows (default 1: this process; None: one per core,
            never more than the rows of ``P_grid``). With ``workers = W > 1`` the rows are
            dealt to W chains (rows ``w, w + W, …``), each solved in snake order in a
            spawned process with one BLAS thread; the problem, the method's factory and
            ``options`` must pickle. Each cell is certified on its own, so the values agree
            with ``workers = 1`` within the solver's tolerance, not bit for bit.

        Returns
        -------
        SurfaceResult
            Arrays of shape ``(len(P_grid), len(D_grid))``, D_min(P) and D_max(P) per row,
            and axis labels naming the problem's measures.

        Raises
        ------
        ValueError
            For a bad grid, option or ``workers`` (before any work), or a problem that does
            not pickle when ``workers > 1``.
        SweepInterrupted
            On Ctrl-C: its ``partial`` surface keeps the finished cells (status
            ``'not_computed'`` elsewhere).

        Examples
        --------
        >>> from rdp import Bernoulli, Problem
        >>> surface = Problem(Bernoulli(0.1), "hamming", "tv").surface([0.05, 0.1], [0.0, 0.02])
        >>> surface.rate.round(5)
        array([[0.22306, 0.09041],
               [0.19871, 0.069  ]])
        """
        from rdp import _solving

        return _solving.surface(
            self, D_grid, P_grid, method=method, units=units, warm_start=warm_start,
            progress=progress, workers=workers, **options,
        )  # fmt: skip


def _span(x: NDArray, y: NDArray) -> float:
    """An upper bound on the largest distance |x_i − y_j| (Euclidean on points)."""
    a = x if x.ndim == 2 else x[:, None]
    b = y if y.ndim == 2 else y[:, None]
    if a.shape[1] != b.shape[1]:  # labels of a matrix distortion: no distances are formed
        return 0.0
    ranges = np.maximum(a.max(axis=0) - b.min(axis=0), b.max(axis=0) - a.min(axis=0))
    ranges = np.maximum(ranges, 0.0)
    top = float(ranges.max())
    if not 0.0 < top < np.inf:
        return top
    return top * float(np.sqrt(np.sum(np.square(ranges / top))))  # no overflow in the squares
