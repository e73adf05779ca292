"""The rate–distortion–perception problem: source + distortion + perception.

.. math::
    R(D, P) = \\min_{p_{\\hat X | X}} I(X; \\hat X)
    \\quad\\text{s.t.}\\quad \\mathbb E[\\Delta(X, \\hat X)] \\le D,\\;
    d(p_X, p_{\\hat X}) \\le P

(Blau & Michaeli, "Rethinking Lossy Compression: The Rate-Distortion-Perception
Tradeoff", ICML 2019, Eq. (3)). :class:`Problem` dispatches each call to a
method — a closed form when one exists, otherwise a numerical solver — and
returns a result object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rdp import closed_forms as _closed_forms  # noqa: F401  (registers the closed forms)
from rdp import solvers as _solvers  # noqa: F401  (registers the finite solvers)
from rdp._validation import (
    as_real_array,
    check_choice,
    check_nonnegative_array,
    check_perception_bound,
    check_solver_options,
    plain,
)
from rdp.distortions import Distortion, Hamming, SquaredError, distortion_from_name
from rdp.exceptions import warn_uncertified
from rdp.inversion import invert_rate
from rdp.methods import Method, resolve_method
from rdp.perceptions import KL, NoPerception, Perception, perception_from_name
from rdp.result import DistortionResult, PointSolution, RateResult
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector, Source
from rdp.units import UNITS, from_units, to_units


class Problem:
    """A rate–distortion–perception problem.

    Parameters
    ----------
    source : Bernoulli, Gaussian, GaussianVector or Discrete
        The source law p_X.
    distortion : str, array_like or Distortion, optional
        'hamming', 'mse', 'absolute', an (N, M) matrix, or an instance from
        :mod:`rdp.distortions`. Default: Hamming for Bernoulli, MSE for
        Gaussian sources; required for :class:`~rdp.sources.Discrete`.
    perception : str or Perception, optional
        'tv', 'w1', 'w2', 'kl-source-recon', 'kl-recon-source', 'none' or an
        instance from :mod:`rdp.perceptions` (default 'none': P = ∞).
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

    # ------------------------------------------------------------------ methods
    def method(self, name: str = "auto", **options: Any) -> Method:
        """The method that answers this problem ('auto', 'closed-form', or a solver name)."""
        return resolve_method(self, name, **options)

    def min_distortion(
        self, P: float = np.inf, *, method: str = "auto", units: str = "bits"
    ) -> float:
        """D_min(P): the least distortion reachable at any rate with perception ≤ P."""
        P = self._check_perception_option(check_perception_bound(P))
        return float(self.method(method).min_distortion(self._perception_bits(P, units)))

    def zero_rate_distortion(
        self, P: float = np.inf, *, method: str = "auto", units: str = "bits"
    ) -> float:
        """D_max(P): the least distortion at rate 0 with perception ≤ P."""
        P = self._check_perception_option(check_perception_bound(P))
        return float(self.method(method).zero_rate_distortion(self._perception_bits(P, units)))

    # --------------------------------------------------------------------- rate
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
            Passed to the solver (e.g. ``tol``, ``max_iter``).

        Returns
        -------
        RateResult
            ``rate``, certified ``lower``/``upper``, ``feasible``, the optimal
            ``channel``, ``method`` and ``reference``.
        """
        check_choice(units, "units", UNITS)
        D_arr = check_nonnegative_array(D, "D", allow_inf=False)
        P_arr = self._check_perception_option(check_nonnegative_array(P, "P", allow_inf=True))
        check_solver_options(options)
        solver = self.method(method, **options)
        D_b, P_b = np.broadcast_arrays(D_arr, P_arr)
        points = _solve_grid(
            lambda d, p: solver.rate_point(d, self._perception_bits(p, units)), D_b, P_b
        )
        fields = _assemble(points, D_b.shape, lambda v: to_units(v, units))
        result = RateResult(
            rate=fields["value"],
            lower=fields["lower"],
            upper=fields["upper"],
            feasible=fields["feasible"],
            D=_scalar_or_array(D_b),
            P=_scalar_or_array(P_b),
            units=units,
            method=solver.name,
            reference=solver.reference,
            channel=fields["channel"],
            diagnostics=fields["diagnostics"],
        )
        warn_uncertified(result)
        return result

    # --------------------------------------------------------------- distortion
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
        (:func:`rdp.inversion.invert_rate`).

        Parameters
        ----------
        R : float or array_like
            Rate(s) in ``units``, in [0, ∞].
        P : float or array_like
            Perception bound(s) in [0, ∞]; broadcasts against ``R``.
        method, units, **options
            As in :meth:`rate`.
        common_randomness : float, optional
            Rate R_c (in ``units``) of randomness shared by encoder and decoder.
            ``None`` (default) means unlimited, as in the definition of R(D, P).
            A finite value is supported for the Gaussian source at P = 0
            (Wagner 2022): D(R, R_c, 0).
        tol : float
            Relative bracket width of the bisection.
        """
        check_choice(units, "units", UNITS)
        R_arr = from_units(check_nonnegative_array(R, "R", allow_inf=True), units)
        P_arr = self._check_perception_option(check_nonnegative_array(P, "P", allow_inf=True))
        check_solver_options({"tol": tol, **options})
        solver = self.method(method, **options)
        extra: dict[str, float] = {}
        if common_randomness is not None:
            rc = float(
                check_nonnegative_array(common_randomness, "common_randomness", allow_inf=True)
            )
            if not hasattr(solver, "distortion_point_common_randomness"):
                raise ValueError(
                    "common_randomness is supported for a Gaussian source with MSE at P = 0 only "
                    "(Wagner 2022); leave it None for unlimited common randomness"
                )
            extra["common_randomness"] = float(from_units(rc, units))
        R_b, P_b = np.broadcast_arrays(R_arr, P_arr)

        def point(r: float, p: float) -> PointSolution:
            p_bits = self._perception_bits(p, units)
            if extra:
                return solver.distortion_point_common_randomness(
                    r, p_bits, extra["common_randomness"]
                )
            if hasattr(solver, "distortion_point"):
                return solver.distortion_point(r, p_bits)
            return invert_rate(solver, r, p_bits, tol=tol)

        points = _solve_grid(point, R_b, P_b)
        fields = _assemble(points, R_b.shape, lambda v: np.asarray(v, dtype=float))
        result = DistortionResult(
            distortion=fields["value"],
            lower=fields["lower"],
            upper=fields["upper"],
            feasible=fields["feasible"],
            R=_scalar_or_array(to_units(R_b, units)),
            P=_scalar_or_array(P_b),
            units=units,
            method=solver.name,
            reference=solver.common_randomness_reference if extra else solver.reference,
            channel=fields["channel"],
            diagnostics=fields["diagnostics"],
        )
        warn_uncertified(result)
        return result

    def rd_curve(self, P: float, D_grid: ArrayLike, **kwargs: Any):
        """R(D, P) on a grid of D at one P (see :func:`rdp.sweeps.rd_curve`)."""
        from rdp.sweeps import rd_curve

        return rd_curve(self, P, D_grid, **kwargs)

    def surface(self, D_grid: ArrayLike, P_grid: ArrayLike, **kwargs: Any):
        """R(D, P) on a (P, D) grid (see :func:`rdp.sweeps.surface`)."""
        from rdp.sweeps import surface

        return surface(self, D_grid, P_grid, **kwargs)

    def _check_perception_option(self, P: Any) -> Any:
        """``P`` unchanged; ``ValueError`` for a finite bound without a perception measure."""
        if isinstance(self.perception_measure, NoPerception) and np.any(np.asarray(P) != np.inf):
            raise ValueError(
                f"P = {plain(P)} has no effect: this problem has no perception measure; pass "
                "perception='tv', 'w1', 'w2', 'kl-source-recon' or 'kl-recon-source' to Problem, "
                "or leave P out (P = inf)"
            )
        return P

    def _perception_bits(self, P: float, units: str) -> float:
        """Perception bound as the methods take it (KL in bits; inf with no perception)."""
        if isinstance(self.perception_measure, NoPerception):
            return float("inf")
        if isinstance(self.perception_measure, KL):
            return float(from_units(P, units))
        return float(P)


def _solve_grid(
    solve: Callable[[float, float], PointSolution], first: NDArray, second: NDArray
) -> NDArray:
    points = np.empty(first.shape, dtype=object)
    for index in np.ndindex(first.shape):
        points[index] = solve(float(first[index]), float(second[index]))
    return points


def _assemble(points: NDArray, shape: tuple[int, ...], convert: Callable) -> dict[str, Any]:
    def gather(attr: str, dtype: type) -> NDArray:
        out = np.empty(shape, dtype=dtype)
        for index in np.ndindex(shape):
            out[index] = getattr(points[index], attr)
        return out

    return {
        "value": _scalar_or_array(convert(gather("value", float))),
        "lower": _scalar_or_array(convert(gather("lower", float))),
        "upper": _scalar_or_array(convert(gather("upper", float))),
        "feasible": _scalar_or_array(gather("feasible", bool)),
        "channel": _scalar_or_array(gather("channel", object)),
        "diagnostics": _scalar_or_array(gather("diagnostics", object)),
    }


def _scalar_or_array(arr: NDArray) -> Any:
    arr = np.asarray(arr)
    return arr.item() if arr.ndim == 0 else arr
