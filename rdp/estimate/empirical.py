"""The empirical problem: R(D, P) of the (quantised) empirical law, with optimised particles.

Real samples are put on ``cells`` equal-width histogram cells (each cell's value is the mean of
its samples, as [`Discrete.from_samples`][rdp.sources.Discrete.from_samples] does). Points of
R^d are not quantised: the source is a random subsample of ``atoms`` of the samples themselves,
each at its own position with its exact empirical mass (``sample_atoms``). The
reconstruction symbols ("particles") start at the cell values and, for MSE or absolute error
with a Wasserstein or no perception constraint, move by alternating minimisation: the finite
problem with the particles held fixed is solved by the certified fast solver, then each particle
moves to the minimiser of the expected distortion under the optimal channel's backward law
(conditional mean for MSE, conditional median for absolute error: a Lloyd step), and the move
is kept while the certified upper bound decreases by more than the solver's gap ``tol``. For
fixed particles every answer is the solver's certified bracket; the upper end is the rate of a
channel that meets D and P for the quantised empirical law.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rdp.distortions import squared_distances
from rdp.exceptions import UnconvergedWarning
from rdp.perceptions import WASSERSTEIN_KINDS, Wasserstein, perception_from_name
from rdp.problem import Problem
from rdp.sources import Discrete

#: Perception kinds for which the particles may move (a ground cost on the line).
MOVABLE = (*WASSERSTEIN_KINDS, "none")
#: Iteration cap of the fast solver for a moved set of particles (a deterministic cap): a move
#: whose upper bound is not below the current one within it is not kept; one whose upper bound
#: is below it but not yet certified is solved again without the cap.
TRIAL_MAX_ITER = 500


@dataclass(frozen=True)
class Quantised:
    """Samples on equal-width cells: the finite source and what the cells lose."""

    #: The quantised empirical law (cell pmf, cell sample means).
    source: Discrete
    #: Mean squared distance of the samples to their cell's mean (the MSE the cells lose).
    within_cell_mse: float
    #: Points of R^d under a Wasserstein constraint: the companion sample, one point per
    #: source atom (``split_atoms``); None otherwise.
    companion: NDArray | None = None


@dataclass(frozen=True)
class EmpiricalSolution:
    """The certified answer of the finite problem at the best particles found."""

    lower: float
    upper: float
    status: str
    particles: NDArray
    weights: NDArray
    rounds: int


def quantise(samples: NDArray, cells: int) -> Quantised:
    """The empirical law of ``samples`` on equal-width cells (empty ones dropped).

    1-D samples: ``cells`` cells over their range. Points of R^d (shape (n, d)), when asked
    for: the lattice of ``cells`` equal-width cells per coordinate (by default points are
    not quantised, see ``sample_atoms``). Each cell's value is the mean of its samples.
    """
    if samples.ndim == 1:
        source = Discrete.from_samples(samples, cells)
        edges = np.histogram_bin_edges(samples, bins=cells)
        index = np.clip(np.searchsorted(edges, samples, side="right") - 1, 0, cells - 1)
        means = np.bincount(index, weights=samples, minlength=cells)
        counts = np.bincount(index, minlength=cells)
        means = means / np.maximum(counts, 1)
        return Quantised(source, float(np.mean((samples - means[index]) ** 2)))
    x = samples
    n, d = x.shape
    flat = np.zeros(n, dtype=np.int64)
    for k in range(d):
        edges = np.histogram_bin_edges(x[:, k], bins=cells)
        index = np.clip(np.searchsorted(edges, x[:, k], side="right") - 1, 0, cells - 1)
        flat = flat * cells + index
    labels, cell = np.unique(flat, return_inverse=True)
    counts = np.bincount(cell, minlength=labels.size)
    means = np.stack([np.bincount(cell, weights=x[:, k]) for k in range(d)], axis=1)
    means /= counts[:, None]
    within = float(np.mean(np.sum((x - means[cell]) ** 2, axis=1)))
    return Quantised(Discrete(counts / n, means), within)


def sample_atoms(samples: NDArray, atoms: int, rng: np.random.Generator) -> Quantised:
    """The empirical law of ``atoms`` points of R^d drawn from ``samples`` (n, d).

    Without replacement (all n points, in a random order, when ``atoms ≥ n``); each point is
    a symbol of mass 1/``atoms`` at its own position (repeated points are merged, in the
    order of their first appearance, so the first symbols are a random subset of the
    points). Nothing is lost to cells: ``within_cell_mse`` is 0.
    """
    n = samples.shape[0]
    index = rng.choice(n, atoms, replace=False) if atoms < n else rng.permutation(n)
    points = samples[index]
    _, first, inverse = np.unique(points, axis=0, return_index=True, return_inverse=True)
    counts = np.bincount(inverse.ravel(), minlength=first.size)
    order = np.argsort(first)
    return Quantised(Discrete(counts[order] / points.shape[0], points[first[order]]), 0.0)


def split_atoms(samples: NDArray, atoms: int, order: NDArray) -> Quantised:
    r"""Two disjoint random subsamples of ``samples`` (n, d): ``atoms`` source atoms and as
    many companion points (⌊n/2⌋ each when there are fewer than 2·``atoms`` samples), the
    samples at the first and the next positions of the random permutation ``order``.

    The source is the atoms, each a symbol of mass 1/``atoms`` (repeated points are not
    merged). The companion sample stands for the law p_X in the perception constraint and
    holds the reconstruction: the finite problem is

    $$
    \min I(X; \hat X) \quad\text{s.t.}\quad \mathbb E\lVert X - \hat X\rVert^2 \le D,\;
    W_2^2(p_{\hat X}, \hat q_B) \le P,\qquad X \sim \hat p_A,\; \hat X \in B,
    $$

    with $\hat p_A$, $\hat q_B$ the empirical laws of the atoms A and the companion B.
    At P = 0 it is the entropic transport problem between two independent empirical laws,
    whose plug-in estimates converge at the rate n^{-1/2} in every dimension for a fixed
    slope (Mena & Niles-Weed 2019); with one sample on both sides the channel may send an
    atom to itself at no distortion, which lowered the estimate by 1.1 bits in d = 16.
    """
    m = min(atoms, samples.shape[0] // 2)
    source = Discrete(np.full(m, 1.0 / m), samples[order[:m]])
    return Quantised(source, 0.0, companion=samples[order[m : 2 * m]])


def resample_halves(
    samples: NDArray, atoms: int, order: NDArray, rng: np.random.Generator
) -> NDArray:
    """A two-sample bootstrap resample of the split of ``split_atoms``.

    The samples are cut in two disjoint pools: the atoms' pool (the atoms and half of the
    samples that neither half uses) and the companion's (the companion and the other half
    of them). The atoms' positions in ``order`` are refilled by draws with replacement from
    the first pool, the companion's from the second, so that ``split_atoms(result, atoms,
    order)`` is a resample of each half from its own pool: two independent samples of the
    empirical laws of two independent samples (Efron & Tibshirani 1993, §8.3, two-sample
    problems). Drawing from all the samples at once would put a point in both halves now and
    then: a channel could keep it where it is at no distortion, the one-sample shortcut the
    companion is there to remove.
    """
    m = min(atoms, samples.shape[0] // 2)
    rest = order[2 * m :]
    r = rest.size // 2
    out = samples.copy()
    for half, pool in (
        (order[:m], np.concatenate([order[:m], rest[:r]])),
        (order[m : 2 * m], np.concatenate([order[m : 2 * m], rest[r : 2 * r]])),
    ):
        out[half] = samples[pool[rng.integers(0, pool.size, m)]]
    return out


def companion_problem(companion: NDArray) -> tuple[NDArray, Wasserstein]:
    r"""The reconstruction points and the W₂² perception of the two-sample problem.

    The reconstruction alphabet is the distinct companion points u_j; source atom i stands
    for its companion point b_i, so the ground cost between source symbol i and
    reconstruction symbol j is c_ij = ‖b_i − u_j‖². Every source mass is 1/M, so the
    transport from p_X with this cost is the transport from the companion's empirical law:
    W_c(p_X, q) = W₂²(\hat q_B, q) for every law q on the u_j, and at P = 0 the output law
    is \hat q_B itself (one zero-cost column per row).
    """
    points, inverse = np.unique(companion, axis=0, return_inverse=True)
    cost = squared_distances(points[inverse.ravel()], points)
    return points, Wasserstein(order=2, cost=cost)


def initial_particles(source: Discrete, particles: int | None) -> NDArray:
    """The cell values, or ``particles`` of them: mid-quantiles of the quantised law on the
    line, the first ``particles`` atoms (a random subset, see ``sample_atoms``) in R^d."""
    if particles is None or particles >= source.size:
        return source.alphabet.copy()
    if source.alphabet.ndim == 2:
        return source.alphabet[:particles].copy()
    levels = (np.arange(particles) + 0.5) / particles
    cdf = np.cumsum(source.pmf)
    return source.alphabet[np.minimum(np.searchsorted(cdf, levels), source.size - 1)]


#: Most k-means steps that ``reach_distortion`` takes.
KMEANS_STEPS = 50


def reach_distortion(source: Discrete, particles: NDArray, D: float) -> NDArray:
    """Particles in R^d moved by k-means steps until their nearest-particle distortion is at
    most D (none are taken when it already is): without them, D may lie below the least
    distortion of particles started at random atoms, and the problem would be infeasible.

    Each step sends every atom to its nearest particle and moves each particle to the mean
    of its atoms (Lloyd 1982); at most ``KMEANS_STEPS`` steps.
    """
    from scipy.spatial import cKDTree

    x, p = source.alphabet, source.pmf
    y = particles.copy()
    for _ in range(KMEANS_STEPS):
        distance, nearest = cKDTree(y).query(x)
        if p @ distance**2 <= D:
            break
        mass = np.bincount(nearest, weights=p, minlength=y.shape[0])
        used = mass > 0
        sums = np.stack([np.bincount(nearest, weights=p * x[:, k], minlength=y.shape[0])
                         for k in range(x.shape[1])], axis=1)  # fmt: skip
        y[used] = sums[used] / mass[used][:, None]
    return y


def lloyd_step(source: Discrete, joint: NDArray, particles: NDArray, distortion: str) -> NDArray:
    """Each particle moved to the best point under its backward law ``joint[:, j] / q_j``.

    MSE: the conditional mean; absolute error: a conditional median. Particles that the channel
    never uses stay where they are.
    """
    weights = joint.sum(axis=0)
    moved = particles.copy()
    used = weights > 1e-15
    x = source.alphabet
    if distortion == "mse":
        if x.ndim == 2:  # points of R^d: the conditional mean of each coordinate
            moved[used] = (joint[:, used].T @ x) / weights[used][:, None]
        else:
            moved[used] = (x @ joint[:, used]) / weights[used]
        return moved
    order = np.argsort(x)
    cumulative = np.cumsum(joint[order], axis=0)
    for j in np.flatnonzero(used):
        k = np.searchsorted(cumulative[:, j], 0.5 * weights[j])
        moved[j] = x[order][min(k, x.size - 1)]
    return moved


def solve_empirical(
    source: Discrete,
    D: float,
    P: float,
    *,
    distortion: str,
    perception: str,
    particles: int | None,
    max_rounds: int,
    units: str,
    tol: float,
    companion: NDArray | None = None,
) -> EmpiricalSolution:
    """Certified R(D, P) of ``source`` with particles improved by Lloyd steps.

    With a ``companion`` sample (``split_atoms``) the problem is the two-sample one of
    ``companion_problem``: the particles are the companion points and do not move (the
    perception cost is tied to their positions).

    Raises
    ------
    ValueError
        When D is below the least distortion reachable at P for these particles.
    RuntimeError
        When the solver returns no finite upper bound (no feasible channel found).
    """
    kind = perception_from_name(perception).kind
    measure: str | Wasserstein = perception
    if companion is not None:
        y, measure = companion_problem(companion)
    else:
        y = initial_particles(source, particles)
    if kind == "none" and source.alphabet.ndim == 2 and y.shape[0] < source.size:
        y = reach_distortion(source, y, D)
    best = _solve(source, y, D, P, distortion, measure, units, tol)
    rounds = 0
    if kind in MOVABLE and companion is None:
        for _ in range(max_rounds):
            y_new = lloyd_step(source, best.joint, best.particles, distortion)
            if np.allclose(y_new, best.particles, rtol=0, atol=1e-12):
                break
            args = (source, y_new, D, P, distortion, perception, units, tol)
            trial = _solve(*args, trial=True)
            rounds += 1
            if trial is None or not trial.upper < best.upper - tol:
                break
            if trial.status != "converged":  # better, not yet certified: the full budget
                trial = _solve(*args, trial=True, capped=False)
                if trial is None or not trial.upper < best.upper - tol:
                    break
            best = trial
    return EmpiricalSolution(
        lower=best.lower,
        upper=best.upper,
        status=best.status,
        particles=best.particles,
        weights=best.joint.sum(axis=0),
        rounds=rounds,
    )


@dataclass(frozen=True)
class _Point:
    lower: float
    upper: float
    status: str
    particles: NDArray
    joint: NDArray


def _solve(
    source: Discrete,
    particles: NDArray,
    D: float,
    P: float,
    distortion: str,
    perception: str | Wasserstein,
    units: str,
    tol: float,
    *,
    trial: bool = False,
    capped: bool = True,
) -> _Point | None:
    """The certified solve. A ``trial`` (moved particles) is None when it finds no feasible
    channel; ``capped``, it stops after ``TRIAL_MAX_ITER`` iterations, and its status says
    whether it was certified."""
    problem = Problem(source, distortion, perception, reconstruction_alphabet=particles)
    options = {"max_iter": TRIAL_MAX_ITER} if trial and capped else {}
    with warnings.catch_warnings():
        if trial and capped:  # an uncertified capped trial is decided on, not reported
            warnings.simplefilter("ignore", UnconvergedWarning)
        result = problem.rate(D, P, method="fast", units=units, tol=tol, progress=False, **options)
    if trial:
        if result.status == "infeasible" or not np.isfinite(result.upper):
            return None
        if result.status == "converged" and not result.certified:
            return None
    elif result.status == "infeasible" or not np.isfinite(result.upper):
        if result.status == "infeasible":
            raise ValueError(
                f"D = {D:g} is below the least distortion reachable at P = {P:g} for the "
                f"empirical law on {source.size} atoms with {len(particles)} particles; "
                "raise D (or P), or use more cells (atoms) or particles"
            )
        raise RuntimeError(
            f"the fast solver found no feasible channel for the empirical problem "
            f"(status {result.status!r}: {result.message})"
        )
    joint = np.asarray(result.channel.joint, dtype=float)
    return _Point(float(result.lower), float(result.upper), str(result.status), particles, joint)


@dataclass(frozen=True)
class InverseSolution:
    """The least D found at which the empirical problem has a channel of rate ≤ R."""

    D: float
    search_lower: float
    solution: EmpiricalSolution


#: Most doublings of D while looking for a D at which rate ≤ R.
MAX_DOUBLINGS = 60


def invert_empirical(
    source: Discrete,
    R: float,
    P: float,
    *,
    distortion: str,
    perception: str,
    particles: int | None,
    max_rounds: int,
    units: str,
    tol: float,
    rtol: float,
    companion: NDArray | None = None,
) -> InverseSolution:
    """D(R, P) of ``source`` by bisection on D over [`solve_empirical`][.solve_empirical].

    R(D, P) is non-increasing in D (Blau & Michaeli 2019, Thm 1). The upper end of the
    bracket always carries a channel of certified rate ≤ R meeting D and P (with its
    particles); the lower end is a D at which none was found (or that is infeasible). The
    search stops when the bracket is narrower than ``rtol`` times its upper end.
    """

    def attempt(D: float) -> EmpiricalSolution | None:
        try:
            return solve_empirical(
                source, D, P, distortion=distortion, perception=perception,
                particles=particles, max_rounds=max_rounds, units=units, tol=tol,
                companion=companion,
            )  # fmt: skip
        except ValueError:  # D below the least reachable distortion at P
            return None

    x, p = source.alphabet, source.pmf
    centre = p @ x
    if distortion == "mse":
        spread = p @ np.sum(np.reshape((x - centre) ** 2, (x.shape[0], -1)), axis=1)
    else:
        spread = p @ np.abs(x - centre)
    low, high = 0.0, float(spread)
    best = attempt(high)
    for _ in range(MAX_DOUBLINGS):
        if best is not None and best.upper <= R:
            break
        low, high = high, 2.0 * high
        best = attempt(high)
    else:
        raise RuntimeError(f"no D up to {high:g} reaches a rate ≤ {R:g} {units}")
    while high - low > rtol * high:
        middle = 0.5 * (low + high)
        point = attempt(middle)
        if point is not None and point.upper <= R:
            high, best = middle, point
        else:
            low = middle
    return InverseSolution(high, low, best)
