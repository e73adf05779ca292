"""The rate–distortion–perception problem: source + distortion + perception, as data.

$$
R(D, P) = \\min_{p_{\\hat X | X}} I(X; \\hat X)
\\quad\\text{s.t.}\\quad \\mathbb E[\\Delta(X, \\hat X)] \\le D,\\;
d(p_X, p_{\\hat X}) \\le P
$$

(Blau & Michaeli, "Rethinking Lossy Compression: The Rate-Distortion-Perception
Tradeoff", ICML 2019, Eq. (3)). [`Problem`][rdp.problem.Problem] holds and validates the data
and imports no method; [`rdp.solve`][rdp.solve] chooses a method (a closed form when
one exists, otherwise a numerical solver), converts units and returns result
objects. ``Problem.rate``, ``.distortion``, ``.surface`` … are conveniences
that call [`rdp.solve`][rdp.solve].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp._validation import as_real_array
from rdp.distortions import Distortion, Hamming, SquaredError, distortion_from_name
from rdp.perceptions import Perception, PerceptionBound, perception_from_name
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
        Real values of the reconstruction symbols of a finite problem (default:
        the source alphabet, or ``0..M-1`` when a distortion matrix has M ≠ N
        columns).

    Examples
    --------
    >>> from rdp import Bernoulli, Problem
    >>> problem = Problem(Bernoulli(0.1), "hamming", "tv")
    >>> round(problem.rate(0.05, 0.02).rate, 5)
    0.19871
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
        n, m = x.size, y.size
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
        # the largest |x - x̂| raised to the measure's power must stay far from float64 overflow
        span = max(float(x.max() - y.min()), float(y.max() - x.min()), 0.0)
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
            if matrix is not None and matrix.shape[1] != source_alphabet.size:
                return np.arange(matrix.shape[1], dtype=float)
            return source_alphabet
        out = as_real_array(values, "reconstruction_alphabet")
        if out.ndim != 1 or out.size == 0 or not np.isfinite(out).all():
            raise ValueError(
                "reconstruction_alphabet must be a non-empty 1-D array of finite values"
            )
        if matrix is not None and matrix.shape[1] != out.size:
            raise ValueError(
                f"reconstruction_alphabet has {out.size} symbols but the distortion matrix has "
                f"{matrix.shape[1]} columns"
            )
        return out

    def __repr__(self) -> str:
        return (
            f"Problem({self.source!r}, {type(self.distortion_measure).__name__}, "
            f"{type(self.perception_measure).__name__})"
        )

    # ------------------------------------------------------------ conveniences
    def bound(self, P: float, units: str = "bits") -> PerceptionBound:
        """The internal perception bound at level ``P`` in ``units`` (KL → nats)."""
        return self.perception_measure.bound(P, units)

    def method(self, name: str = "auto", **options: Any) -> Method:
        """The method that answers this problem ('auto', 'closed-form', or a solver name)."""
        from rdp import solve

        return solve.get_method(self, name, **options)

    def min_distortion(
        self, P: float = np.inf, *, method: str = "auto", units: str = "bits"
    ) -> float:
        """D_min(P): the least distortion reachable at any rate with perception ≤ P."""
        from rdp import solve

        return solve.min_distortion(self, P, method=method, units=units)

    def zero_rate_distortion(
        self, P: float = np.inf, *, method: str = "auto", units: str = "bits"
    ) -> float:
        """D_max(P): the least distortion at rate 0 with perception ≤ P."""
        from rdp import solve

        return solve.zero_rate_distortion(self, P, method=method, units=units)

    def rate(
        self,
        D: ArrayLike,
        P: ArrayLike = np.inf,
        *,
        method: str = "auto",
        units: str = "bits",
        **options: Any,
    ) -> RateResult:
        """R(D, P): the least rate at distortion ≤ D and perception ≤ P.

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
        **options
            Passed to the solver. The fast solver's: ``tol`` (certified gap, default
            1e-6 bits), ``max_iter`` (default 100,000), ``time_limit`` (seconds per
            point, default 120; a point stopped there has status ``'time_limit'`` and
            the certified bounds it reached), ``max_memory`` (GB, see
            ``rdp.solvers.memory``). ``warm_start=False`` solves every point of an array
            from a cold start; ``progress`` shows a progress bar on stderr for arrays of
            more than 20 points and for a point that runs past a few seconds (None, the
            default: on a terminal only; False: never).

        Returns
        -------
        RateResult
            ``rate``, certified ``lower``/``upper``, ``feasible``, the optimal
            ``channel``, ``status``/``message``/``iterations``, ``method`` and
            ``reference`` (see [`rdp.solve.solve_rate`][rdp.solve.solve_rate]).
        """
        from rdp import solve

        return solve.solve_rate(self, D, P, method=method, units=units, **options)

    def distortion(
        self,
        R: ArrayLike,
        P: ArrayLike = np.inf,
        *,
        method: str = "auto",
        units: str = "bits",
        common_randomness: float | None = None,
        tol: float = 1e-10,
        **options: Any,
    ) -> DistortionResult:
        """D(R, P): the least distortion at rate ≤ R and perception ≤ P.

        Uses the method's direct inverse when it has one (Gaussian closed
        forms); otherwise a certified bisection on R(D, P)
        ([`rdp.inversion.invert_rate`][rdp.inversion.invert_rate]).

        Parameters
        ----------
        R : float or array_like
            Rate(s) in ``units``, in [0, ∞].
        P : float or array_like
            Perception bound(s) in [0, ∞]; broadcasts against ``R``.
        method, units, **options
            As in [`rate`][rdp.problem.Problem.rate].
        common_randomness : float, optional
            Rate R_c (in ``units``) of randomness shared by encoder and decoder.
            ``None`` (default) means unlimited, as in the definition of R(D, P).
            A finite value is supported for the Gaussian source at P = 0
            (Wagner 2022): D(R, R_c, 0).
        tol : float
            Relative bracket width of the bisection.
        """
        from rdp import solve

        return solve.solve_distortion(
            self,
            R,
            P,
            method=method,
            units=units,
            common_randomness=common_randomness,
            tol=tol,
            **options,
        )

    def rd_curve(self, P: float, D_grid: ArrayLike, **kwargs: Any) -> CurveResult:
        """R(D, P) on a grid of D at one P (see [`rdp.sweeps.rd_curve`][rdp.sweeps.rd_curve])."""
        from rdp import solve

        return solve.solve_curve(self, P, D_grid, **kwargs)

    def surface(self, D_grid: ArrayLike, P_grid: ArrayLike, **kwargs: Any) -> SurfaceResult:
        """R(D, P) on a (P, D) grid (see [`rdp.sweeps.surface`][rdp.sweeps.surface])."""
        from rdp import solve

        return solve.solve_grid(self, D_grid, P_grid, **kwargs)
