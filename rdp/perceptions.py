"""Perception measures: divergences d(p_X, p_X̂) between the source law and the reconstruction law.

- [`TotalVariation`][rdp.perceptions.TotalVariation]: ½‖p_X − p_X̂‖₁.
- [`Wasserstein`][rdp.perceptions.Wasserstein] ``(order, cost)``: the optimal transport cost
  min_π Σ π c with c(x, x̂) = |x − x̂|^order by default; for order 2 this is the
  **squared** Wasserstein-2 distance W₂², as in the Gaussian literature
  (Zhang et al. 2021), and for order 1 it is W₁.
- [`KL`][rdp.perceptions.KL] ``(direction)``: Kullback–Leibler divergence in an explicit
  direction, ``KL("source||reconstruction")`` = KL(p_X ‖ p_X̂) or
  ``KL("reconstruction||source")`` = KL(p_X̂ ‖ p_X). KL values are in the same
  unit as rates (bits unless ``units="nats"`` is asked for).
- f-divergences: [`Hellinger`][rdp.perceptions.Hellinger] (squared Hellinger),
  [`JensenShannon`][rdp.perceptions.JensenShannon] (in bits, like KL),
  [`ChiSquared`][rdp.perceptions.ChiSquared] ``(direction)`` and
  [`FDivergence`][rdp.perceptions.FDivergence] ``(f)`` for a user's convex f with
  f(1) = 0 (generators and conjugates: ``rdp.fgenerators``).
- [`NoPerception`][rdp.perceptions.NoPerception]: no constraint (P = ∞), i.e. Shannon's R(D).

Every measure has a ``kind`` from one vocabulary (``KINDS``) shared by
the closed forms and the solvers. [`to_bound`][rdp.perceptions.to_bound] (called by
[`Problem.bound`][rdp.problem.Problem.bound], the user's way in) turns a user's bound P
into the one internal [`PerceptionBound`][rdp.perceptions.PerceptionBound] the methods take:
KL in nats, TV and transport costs as they are, ``inf`` without a constraint.
[`as_bound`][rdp.perceptions.as_bound] is the methods' own guard on their ``P`` argument
(a bound passes through, a bare float is read in bits). Adding a measure means a class here
with ``kind``, ``label``, ``divergence`` and ``information_unit``, plus the
places that really differ (its mirror step and support function in the finite
solver, a closed form if one exists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import rel_entr

from rdp import fgenerators
from rdp._validation import check_choice, check_matrix
from rdp.units import LN2, UNITS

# ---------------------------------------------------------------- the kinds
#: No constraint (P = ∞).
NONE = "none"
#: Total variation.
TV = "tv"
#: Transport cost of order 1 (W₁) and 2 (squared W₂), default or explicit ground cost.
W1 = "w1"
W2 = "w2"
#: KL(p_X ‖ p_X̂) and KL(p_X̂ ‖ p_X).
KL_SOURCE_RECON = "kl-source-recon"
KL_RECON_SOURCE = "kl-recon-source"
#: f-divergences: squared Hellinger, Jensen–Shannon, χ² in both directions, a user's f.
HELLINGER = "hellinger"
JS = "js"
CHI2_SOURCE_RECON = "chi2-source-recon"
CHI2_RECON_SOURCE = "chi2-recon-source"
FDIV = "f-divergence"
#: Every kind, in the order of ``PERCEPTION_NAMES``.
KINDS = (
    TV, W1, W2, KL_SOURCE_RECON, KL_RECON_SOURCE,
    HELLINGER, JS, CHI2_SOURCE_RECON, CHI2_RECON_SOURCE, NONE, FDIV,
)  # fmt: skip
WASSERSTEIN_KINDS = (W1, W2)
KL_KINDS = (KL_SOURCE_RECON, KL_RECON_SOURCE)
#: Kinds whose ball is an f-divergence ball other than KL (``rdp.fgenerators``).
F_KINDS = (HELLINGER, JS, CHI2_SOURCE_RECON, CHI2_RECON_SOURCE, FDIV)
#: Kinds whose values are amounts of information (bits for the user, nats inside).
INFORMATION_KINDS = (*KL_KINDS, JS)
#: Kinds whose ball is a transport-cost ball (TV is the transport cost with c = 1[x ≠ x̂]).
TRANSPORT_KINDS = (TV, W1, W2)


@dataclass(frozen=True, eq=False)
class PerceptionBound:
    """A perception constraint d(p_X, p_X̂) ≤ value, in the methods' internal unit.

    Built once per point by [`to_bound`][rdp.perceptions.to_bound]; every method (closed form or
    solver) takes this object, so the user's unit is converted in one place. A small
    frozen value object, not a number: arithmetic and comparisons with numbers raise
    ``TypeError`` (a bound never silently changes its unit); read ``value`` (KL in
    nats) or ``bits`` (KL in bits).

    Parameters
    ----------
    kind : str
        One of ``KINDS``.
    value : float
        The bound: KL in **nats**, TV and transport costs in their own units;
        ``inf`` when there is no constraint (always for kind 'none').
    bits : float, optional
        For KL: the level exactly as the user gave it in bits (nats → bits would round it).

    Examples
    --------
    >>> b = to_bound(KL("source||reconstruction"), 1.0)
    >>> b.value, b.bits
    (0.6931471805599453, 1.0)
    >>> b + 1.0
    Traceback (most recent call last):
    ...
    TypeError: unsupported operand type(s) for +: 'PerceptionBound' and 'float'
    """

    kind: str
    value: float
    given_bits: float | None = field(default=None, repr=False)

    def __init__(self, kind: str, value: float, bits: float | None = None) -> None:
        check_choice(kind, "perception kind", KINDS)
        if isinstance(value, PerceptionBound):
            raise TypeError("value must be a number, not a PerceptionBound (read its .value)")
        number = float("inf") if kind == NONE else float(value)
        if not number >= 0:
            raise ValueError(f"perception bound must be in [0, inf]; got {value!r}")
        if bits is not None and kind not in INFORMATION_KINDS:
            raise ValueError(f"bits is a KL or JS level; a {kind!r} bound has no unit")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "value", number)
        object.__setattr__(self, "given_bits", None if bits is None else float(bits))

    def __reduce__(self) -> tuple:
        return (PerceptionBound, (self.kind, self.value, self.given_bits))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PerceptionBound):
            raise TypeError(
                f"a PerceptionBound compares only with another bound; got {type(other).__name__} "
                "(compare its .value, KL in nats, or .bits)"
            )
        return (self.kind, self.value, self.bits) == (other.kind, other.value, other.bits)

    def __hash__(self) -> int:
        return hash((self.kind, self.value, self.bits))

    @property
    def active(self) -> bool:
        """True when the bound constrains anything (a finite value of a real measure)."""
        return self.kind != NONE and np.isfinite(self.value)

    @property
    def is_kl(self) -> bool:
        """True for either KL direction (the value is then in nats)."""
        return self.kind in KL_KINDS

    @property
    def information(self) -> bool:
        """True for KL and Jensen–Shannon (the value is then in nats)."""
        return self.kind in INFORMATION_KINDS

    @property
    def bits(self) -> float:
        """The bound with KL (or JS) in bits (for the closed forms written in bits).

        A level given in bits is returned exactly as given; other kinds are unit-free
        and return ``value``.
        """
        if not self.information:
            return self.value
        return self.given_bits if self.given_bits is not None else self.value / LN2

    def in_units(self, units: str) -> float:
        """The bound in the user's ``units`` (KL only; other kinds are unit-free)."""
        check_choice(units, "units", UNITS)
        return self.bits if units == "bits" else self.value


def to_bound(perception: Perception | str, P: float, units: str = "bits") -> PerceptionBound:
    """The internal bound of ``perception ≤ P`` with P in the user's ``units``.

    The one place where a user's perception level is converted: KL from
    ``units`` to nats; other measures unchanged; ``inf`` for no perception.

    Examples
    --------
    >>> to_bound(KL("source||reconstruction"), 1.0).value   # 1 bit = ln 2 nats
    0.6931471805599453
    >>> to_bound("tv", 0.1, "nats")
    PerceptionBound(kind='tv', value=0.1)
    """
    measure = perception_from_name(perception)
    if measure.kind == NONE:
        return PerceptionBound(NONE, float("inf"))
    check_choice(units, "units", UNITS)
    value = float(P)
    if measure.information_unit and units == "bits":
        return PerceptionBound(measure.kind, value * LN2, bits=value)
    return PerceptionBound(measure.kind, value)


def as_bound(P: float | PerceptionBound, kind: str) -> PerceptionBound:
    """``P`` as a [`PerceptionBound`][rdp.perceptions.PerceptionBound] of ``kind``.

    A bound is returned as it is (its kind must match); a bare float is read
    as a user value in bits, as [`to_bound`][rdp.perceptions.to_bound] reads it.
    Methods call it on their ``P`` argument because the [`Method`][rdp.methods.Method]
    protocol also accepts a bare float (a method called directly, e.g. by a theorem
    check or a plugin's test); the ``Problem`` methods always pass a bound.
    """
    if isinstance(P, PerceptionBound):
        if P.kind != kind:
            raise ValueError(f"perception bound of kind {P.kind!r} given to a {kind!r} method")
        return P
    if kind == NONE:
        return PerceptionBound(NONE, float("inf"))
    value = float(P)
    if kind in INFORMATION_KINDS and np.isfinite(value):
        return PerceptionBound(kind, value * LN2, bits=value)
    return PerceptionBound(kind, value)


class _Measure:
    """What every perception measure shares: its kind and the conversion of its bounds."""

    #: True when values are amounts of information (KL: bits or nats).
    information_unit = False

    @property
    def kind(self) -> str:
        """The measure's kind, one of ``KINDS`` (the same as its name)."""
        return self.name  # type: ignore[attr-defined]

    def bound(self, P: float, units: str = "bits") -> PerceptionBound:
        """Deprecated: use [`Problem.bound`][rdp.problem.Problem.bound] or
        [`to_bound`][rdp.perceptions.to_bound]."""
        from rdp._deprecation import deprecated

        deprecated("Perception.bound", "Problem.bound or rdp.perceptions.to_bound")
        return to_bound(self, P, units)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TotalVariation(_Measure):
    r"""Total variation distance $\mathrm{TV}(p, q) = \tfrac12 \sum_i |p_i - q_i|$."""

    name = "tv"
    label = "total variation"

    def divergence(
        self, source_pmf: ArrayLike, reconstruction_pmf: ArrayLike, **_: object
    ) -> float:
        """TV between the two pmfs (which must be on the same alphabet)."""
        p, q = _same_length(source_pmf, reconstruction_pmf, self.name)
        return float(0.5 * np.abs(p - q).sum())


@dataclass(frozen=True, eq=False)
class Wasserstein(_Measure):
    r"""Optimal-transport perception $\min_{\pi \in \Pi(p, q)} \sum \pi\, c$.

    Parameters
    ----------
    order : {1, 2}
        With the default ground cost $c(x, \hat x) = |x - \hat x|^{order}$
        the value is $W_1$ (order 1) or the squared $W_2^2$
        (order 2). On points of R^d the default cost is the Euclidean
        $\lVert x - \hat x\rVert^{order}$ — the ground cost of the Euclidean
        (order 1) and squared-error (order 2) distortions.
    cost : array_like, shape (N, M), optional
        An explicit ground cost matrix replacing the default.
    """

    order: int = 1
    cost: NDArray | None = None

    def __post_init__(self) -> None:
        if self.order not in (1, 2):
            raise ValueError(f"order must be 1 or 2; got {self.order!r}")
        if self.cost is not None:
            object.__setattr__(self, "cost", check_matrix(self.cost, "cost", (None, None)))

    @property
    def name(self) -> str:
        """'w1' or 'w2'."""
        return f"w{self.order}"

    @property
    def label(self) -> str:
        """Axis label: W₁ or squared W₂."""
        return "W₁" if self.order == 1 else "W₂² (squared Wasserstein-2)"

    def cost_matrix(
        self, source_alphabet: ArrayLike, reconstruction_alphabet: ArrayLike
    ) -> NDArray:
        """Ground cost c[i, j] between source symbol i and reconstruction symbol j."""
        x = np.asarray(source_alphabet, dtype=float)
        y = np.asarray(reconstruction_alphabet, dtype=float)
        if self.cost is not None:
            return check_matrix(self.cost, "cost", (len(x), len(y)))
        if x.ndim == 1 and y.ndim == 1:
            return np.abs(x[:, None] - y[None, :]) ** self.order
        from rdp.distortions import squared_distances

        squared = squared_distances(x, y)
        return squared if self.order == 2 else np.sqrt(squared)

    def divergence(
        self,
        source_pmf: ArrayLike,
        reconstruction_pmf: ArrayLike,
        *,
        source_alphabet: ArrayLike | None = None,
        reconstruction_alphabet: ArrayLike | None = None,
        **_: object,
    ) -> float:
        """Exact transport cost between the pmfs (network simplex, POT's ``ot.emd2``)."""
        import ot  # POT probes its optional backends on import: load it only when needed

        p = np.asarray(source_pmf, dtype=float)
        q = np.asarray(reconstruction_pmf, dtype=float)
        xs = np.arange(p.size, dtype=float) if source_alphabet is None else source_alphabet
        ys = (
            np.arange(q.size, dtype=float)
            if reconstruction_alphabet is None
            else reconstruction_alphabet
        )
        cost = self.cost_matrix(xs, ys)
        return float(ot.emd2(p / p.sum(), q / q.sum(), cost))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Wasserstein) or other.order != self.order:
            return False
        if self.cost is None or other.cost is None:
            return self.cost is None and other.cost is None
        return np.array_equal(self.cost, other.cost)

    def __hash__(self) -> int:
        return hash((self.order, None if self.cost is None else self.cost.tobytes()))


KL_DIRECTIONS = ("source||reconstruction", "reconstruction||source")


@dataclass(frozen=True)
class KL(_Measure):
    r"""Kullback–Leibler perception in an explicit direction.

    Parameters
    ----------
    direction : {'source||reconstruction', 'reconstruction||source'}
        ``'source||reconstruction'`` is $\mathrm{KL}(p_X \| p_{\hat X})$;
        ``'reconstruction||source'`` is $\mathrm{KL}(p_{\hat X} \| p_X)$.
    """

    direction: str
    information_unit = True

    def __post_init__(self) -> None:
        check_choice(self.direction, "direction", KL_DIRECTIONS)

    @property
    def name(self) -> str:
        """Command-line name: 'kl-source-recon' or 'kl-recon-source'."""
        return KL_SOURCE_RECON if self.direction == KL_DIRECTIONS[0] else KL_RECON_SOURCE

    @property
    def label(self) -> str:
        """Axis label naming the direction."""
        return "KL(p_X‖p_X̂)" if self.direction == KL_DIRECTIONS[0] else "KL(p_X̂‖p_X)"

    def divergence(
        self,
        source_pmf: ArrayLike,
        reconstruction_pmf: ArrayLike,
        *,
        units: str = "bits",
        **_: object,
    ) -> float:
        """KL divergence in ``units`` (inf where the support condition fails)."""
        p, q = _same_length(source_pmf, reconstruction_pmf, self.name)
        first, second = (p, q) if self.direction == KL_DIRECTIONS[0] else (q, p)
        nats = float(rel_entr(first, second).sum())
        check_choice(units, "units", UNITS)
        return nats if units == "nats" else nats / LN2


class _FMeasure(_Measure):
    """What the f-divergence measures share: evaluation through their generator."""

    def divergence(
        self,
        source_pmf: ArrayLike,
        reconstruction_pmf: ArrayLike,
        *,
        units: str = "bits",
        **_: object,
    ) -> float:
        """The divergence of the two pmfs (one alphabet); JS in ``units``, others unit-free."""
        p, q = _same_length(source_pmf, reconstruction_pmf, self.name)
        _check_pmf(p, "source_pmf")
        _check_pmf(q, "reconstruction_pmf")
        value = self.generator.divergence(q, p)  # type: ignore[attr-defined]
        if self.information_unit:
            check_choice(units, "units", UNITS)
            return value if units == "nats" else value / LN2
        return value


@dataclass(frozen=True)
class Hellinger(_FMeasure):
    r"""Squared Hellinger distance, symmetric, in [0, 1] (unit-free).

    $$
    H^2(p_X, p_{\hat X}) = 1 - \sum_j \sqrt{p_X(j)\, p_{\hat X}(j)}
    = \tfrac12 \sum_j \big(\sqrt{p_X(j)} - \sqrt{p_{\hat X}(j)}\big)^2 ,
    $$

    the f-divergence of $f(t) = \tfrac12(\sqrt t - 1)^2$ (either direction).

    References
    ----------
    1. G. Serra, P. A. Stavrou and M. Kountouris, "Computation of
       rate-distortion-perception function under f-divergence perception constraints",
       ISIT 2023, arXiv:2305.04604 (R(D, P) with f-divergence perception on finite
       alphabets).
    2. Y. Blau and T. Michaeli, "Rethinking lossy compression: the
       rate-distortion-perception tradeoff", ICML 2019 (perception as a divergence).

    Examples
    --------
    >>> round(Hellinger().divergence([0.5, 0.5], [0.9, 0.1]), 6)
    0.105573
    """

    name = HELLINGER
    label = "H² (squared Hellinger)"

    @property
    def generator(self) -> fgenerators.Generator:
        """The generator f(t) = ½(√t − 1)² (``rdp.fgenerators``)."""
        return fgenerators.SquaredHellinger()


@dataclass(frozen=True)
class JensenShannon(_FMeasure):
    r"""Jensen–Shannon divergence, symmetric, in [0, 1] bit (bits unless ``units="nats"``).

    $$
    \mathrm{JS}(p_X, p_{\hat X}) = \tfrac12 \mathrm{KL}(p_X \| m)
    + \tfrac12 \mathrm{KL}(p_{\hat X} \| m), \qquad m = \tfrac12(p_X + p_{\hat X}),
    $$

    the f-divergence of $f(t) = \tfrac12[t \log\frac{2t}{1+t} + \log\frac{2}{1+t}]$.
    Perception levels are read in the same unit as rates, as for KL. (The *geometric*
    Jensen–Shannon divergence of Serra et al. is not an f-divergence and is not offered.)

    References
    ----------
    1. J. Lin, "Divergence measures based on the Shannon entropy", IEEE Trans. IT 37(1),
       1991.
    2. G. Serra, P. A. Stavrou and M. Kountouris, ISIT 2023, arXiv:2305.04604.

    Examples
    --------
    >>> round(JensenShannon().divergence([1.0, 0.0], [0.0, 1.0]), 12)   # disjoint: 1 bit
    1.0
    """

    name = JS
    label = "JS(p_X, p_X̂)"
    information_unit = True

    @property
    def generator(self) -> fgenerators.Generator:
        """The generator of JS in nats (``rdp.fgenerators``)."""
        return fgenerators.JensenShannon()


@dataclass(frozen=True)
class ChiSquared(_FMeasure):
    r"""Pearson's χ² divergence in an explicit direction (unit-free).

    Parameters
    ----------
    direction : {'reconstruction||source', 'source||reconstruction'}
        ``'reconstruction||source'`` is
        $\chi^2(p_{\hat X} \| p_X) = \sum_j (p_{\hat X}(j) - p_X(j))^2 / p_X(j)$
        (f(t) = (t − 1)²); ``'source||reconstruction'`` is
        $\chi^2(p_X \| p_{\hat X}) = \sum_j (p_X(j) - p_{\hat X}(j))^2 / p_{\hat X}(j)$
        (Neyman's; f(t) = (1 − t)²/t in the other orientation).

    References
    ----------
    1. K. Pearson, "On the criterion that a given system of deviations…", Phil. Mag.
       50(302), 1900.
    2. G. Serra, P. A. Stavrou and M. Kountouris, ISIT 2023, arXiv:2305.04604.

    Examples
    --------
    >>> ChiSquared("reconstruction||source").divergence([0.5, 0.5], [0.9, 0.1])
    0.64
    """

    direction: str

    def __post_init__(self) -> None:
        check_choice(self.direction, "direction", KL_DIRECTIONS)

    @property
    def name(self) -> str:
        """'chi2-source-recon' or 'chi2-recon-source'."""
        return CHI2_SOURCE_RECON if self.direction == KL_DIRECTIONS[0] else CHI2_RECON_SOURCE

    @property
    def label(self) -> str:
        """Axis label naming the direction."""
        return "χ²(p_X‖p_X̂)" if self.direction == KL_DIRECTIONS[0] else "χ²(p_X̂‖p_X)"

    @property
    def generator(self) -> fgenerators.Generator:
        """(t − 1)² for χ²(p_X̂‖p_X); (1 − t)²/t for χ²(p_X‖p_X̂) (``rdp.fgenerators``)."""
        if self.direction == KL_DIRECTIONS[1]:
            return fgenerators.PearsonChi2()
        return fgenerators.NeymanChi2()


@dataclass(frozen=True, eq=False)
class FDivergence(_FMeasure):
    r"""A user's f-divergence: $D_f(p_{\hat X} \| p_X) = \sum_j p_X(j)\, f(p_{\hat X}(j)/p_X(j))$.

    For a convex f on $[0, \infty)$ with $f(1) = 0$, strictly convex at 1 (so that
    P = 0 means $p_{\hat X} = p_X$). Symbols where $p_X$ has no mass cost
    $f'(\infty) = \lim_{t\to\infty} f(t)/t$ per unit of reconstruction mass. In
    the other direction, $D_f(p_X \| p_{\hat X}) = \sum_j p_{\hat X}(j)\, f(p_X(j) /
    p_{\hat X}(j))$. Values are in the unit of f (none is assumed).

    Parameters
    ----------
    f : callable
        f on t > 0, vectorised (a numpy array in, an array out).
    direction : {'reconstruction||source', 'source||reconstruction'}
        Which law is compared with which (default: $D_f(p_{\hat X}\|p_X)$).
    f0 : float, optional
        f(0) (``inf`` allowed); default ``f(0.0)`` as the callable returns it.
    slope_at_infinity : float
        $f'(\infty)$, default ``inf`` (superlinear f such as χ² or t log t). Give the
        finite limit of a linear-growth f (½ for f(t) = ½|t − 1|): with ``inf`` a
        reconstruction symbol without source mass is forbidden instead of costed.
    conjugate : callable, optional
        Its convex conjugate $f^*(s) = \sup_{t \ge 0} st - f(t)$, vectorised
        (``inf`` off its domain). Without it the solvers use a certified numerical
        upper bound (``rdp.fgenerators.NumericGenerator``). Direction
        'reconstruction||source' only.
    cvxpy_f : callable, optional
        f as a convex elementwise cvxpy expression, e.g. ``lambda t: cvxpy.square(t - 1)``:
        needed by ``method="cvxpy"`` (direction 'reconstruction||source' only) and to
        compute D_min(P) where the identity map does not settle it.
    label : str
        Axis label (default "D_f").

    References
    ----------
    1. I. Csiszár, "Information-type measures of difference of probability
       distributions and indirect observations", Studia Sci. Math. Hungar. 2, 1967.
    2. G. Serra, P. A. Stavrou and M. Kountouris, ISIT 2023, arXiv:2305.04604, and
       IEEE Trans. IT 2024, arXiv:2408.15015.

    Examples
    --------
    >>> pearson = FDivergence(lambda t: (t - 1.0) ** 2)
    >>> round(pearson.divergence([0.5, 0.5], [0.9, 0.1]), 12)
    0.64
    """

    f: Callable[[NDArray], NDArray]
    direction: str = "reconstruction||source"
    f0: float | None = None
    slope_at_infinity: float = float("inf")
    conjugate: Callable[[NDArray], NDArray] | None = None
    cvxpy_f: Callable | None = None
    label: str = "D_f"
    name = FDIV

    def __post_init__(self) -> None:
        if not callable(self.f):
            raise ValueError(f"f must be a callable (vectorised on numpy arrays); got {self.f!r}")
        check_choice(self.direction, "direction", KL_DIRECTIONS)
        if self.f0 is None:
            with np.errstate(all="ignore"):
                value = float(np.asarray(self.f(np.array([0.0])), dtype=float).ravel()[0])
            if np.isnan(value):
                raise ValueError("f(0) is NaN: give f0= (the limit of f(t) as t → 0, inf allowed)")
            object.__setattr__(self, "f0", value)
        slope = float(self.slope_at_infinity)
        if not slope > -np.inf or np.isnan(slope):
            raise ValueError(f"slope_at_infinity must be a number or inf; got {slope!r}")
        if self.conjugate is not None and self.direction != KL_DIRECTIONS[1]:
            raise ValueError(
                "conjugate is the conjugate of f for direction 'reconstruction||source'; "
                "with 'source||reconstruction' it is computed numerically"
            )
        _check_generator(self.f, float(self.f0), slope)

    @property
    def generator(self) -> fgenerators.Generator:
        """The generator in the orientation D(p_X̂‖p_X) (transposed for the other direction)."""
        base = fgenerators.NumericGenerator(
            self.f,
            float(self.f0),  # type: ignore[arg-type]
            float(self.slope_at_infinity),
            conjugate=self.conjugate,
            cvxpy_f=self.cvxpy_f,
        )
        return base if self.direction == KL_DIRECTIONS[1] else fgenerators.Transposed(base)


def _check_generator(f: Callable, f0: float, slope: float) -> None:
    """f(1) = 0, convex on a grid, strictly convex at 1, and (f(t) − f0)/t ≤ f'(∞)."""
    t = np.logspace(-6, 6, 241)
    with np.errstate(all="ignore"):
        values = np.asarray(f(t), dtype=float)
        one = float(np.asarray(f(np.array([1.0])), dtype=float).ravel()[0])
        near = np.asarray(f(np.array([1 - 1e-3, 1 + 1e-3])), dtype=float)
    if values.shape != t.shape or not np.isfinite(values).all():
        raise ValueError("f must return finite values of the same shape on t in [1e-6, 1e6]")
    if abs(one) > 1e-12:
        raise ValueError(f"f must satisfy f(1) = 0; got f(1) = {one!r}")
    # convexity on the grid: slopes of successive chords do not decrease
    slopes = np.diff(values) / np.diff(t)
    scale = np.abs(slopes[1:]) + np.abs(slopes[:-1]) + 1.0
    if (np.diff(slopes) < -1e-9 * scale).any():
        raise ValueError("f must be convex on [0, ∞): its chord slopes decrease on [1e-6, 1e6]")
    if not near.sum() > 0:
        raise ValueError("f must be strictly convex at 1 (f(1 − h) + f(1 + h) > 0)")
    if np.isfinite(f0) and (values[-1] - f0) / t[-1] > slope * (1 + 1e-9) + 1e-12:
        raise ValueError(
            f"slope_at_infinity = {slope!r} is below (f(t) − f(0)) / t at t = 1e6, which is at "
            "most f'(∞) for a convex f"
        )


def _check_pmf(p: NDArray, what: str) -> None:
    if p.ndim != 1 or not np.isfinite(p).all() or (p < 0).any() or abs(p.sum() - 1) > 1e-9:
        raise ValueError(f"{what} must be a pmf (finite, ≥ 0, summing to 1); got {p!r}")


@dataclass(frozen=True)
class NoPerception(_Measure):
    """No perception constraint (P = ∞): R(D, P) reduces to Shannon's R(D)."""

    name = "none"
    label = "no perception constraint"

    def divergence(
        self, source_pmf: ArrayLike, reconstruction_pmf: ArrayLike, **_: object
    ) -> float:
        """Always 0: every reconstruction law is admissible."""
        return 0.0


Perception = (
    TotalVariation
    | Wasserstein
    | KL
    | Hellinger
    | JensenShannon
    | ChiSquared
    | FDivergence
    | NoPerception
)

#: Names accepted by ``perception_from_name`` and on the command line.
PERCEPTION_NAMES = {
    "tv": TotalVariation,
    "w1": lambda: Wasserstein(1),
    "w2": lambda: Wasserstein(2),
    "kl-source-recon": lambda: KL("source||reconstruction"),
    "kl-recon-source": lambda: KL("reconstruction||source"),
    "hellinger": Hellinger,
    "js": JensenShannon,
    "chi2-source-recon": lambda: ChiSquared("source||reconstruction"),
    "chi2-recon-source": lambda: ChiSquared("reconstruction||source"),
    "none": NoPerception,
}


def perception_from_name(name: str | Perception) -> Perception:
    """Build a perception from its name (see ``PERCEPTION_NAMES``) or return an instance."""
    if isinstance(name, _Measure):
        return name  # type: ignore[return-value]
    if not isinstance(name, str) or name.lower() not in PERCEPTION_NAMES:
        raise ValueError(
            f"perception must be one of {', '.join(map(repr, PERCEPTION_NAMES))}; got {name!r}"
        )
    return PERCEPTION_NAMES[name.lower()]()


def _same_length(p: ArrayLike, q: ArrayLike, name: str) -> tuple[NDArray, NDArray]:
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(
            f"{name} perception compares laws on one alphabet: source pmf has shape {p.shape}, "
            f"reconstruction pmf {q.shape}"
        )
    return p, q
