"""Edge cases of the fast finite solver: P = 0, unusable symbols, sigmoid-shaped slopes.

Each case is compared with a reference computed another way (``references``: Sinkhorn
for R(D, 0), the same problem without its zero-mass symbol, the closed form of a
uniform source), and each has a twin on which the comparison fails.
"""

import numpy as np
import pytest
import references as ref

from rdp import KL, Discrete, Problem, TotalVariation, Wasserstein
from rdp.perceptions import as_bound
from rdp.solvers.fast import FastSolver

# ---------------------------------------------------------------- P = 0: the output law is p
PMF = np.array([0.5, 0.3, 0.2])
HAMMING = 1.0 - np.eye(3)


@pytest.fixture(scope="module")
def perfect_perception_reference():
    """R(0.1, 0) of PMF with Hamming distortion by Sinkhorn and bisection (≈ 0.9247614206)."""
    return ref.perfect_perception_rate_tight(PMF, HAMMING, 0.1)


@pytest.mark.parametrize(
    "perception",
    [
        KL("source||reconstruction"),
        KL("reconstruction||source"),
        TotalVariation(),
        Wasserstein(1),
        Wasserstein(2),
    ],
    ids=["kl-sr", "kl-rs", "tv", "w1", "w2"],
)
def test_perfect_perception_channel_has_the_source_law(perception, perfect_perception_reference):
    """At P = 0 the channel's output law is p itself and the bracket holds R(D, 0) to 1e-10."""
    result = Problem(Discrete(PMF), "hamming", perception).rate(0.1, 0.0, method="fast")
    assert result.status == "converged"
    joint = result.channel.joint
    np.testing.assert_allclose(joint.sum(axis=1), PMF, rtol=0, atol=1e-15)
    assert np.abs(joint.sum(axis=0) - PMF).max() <= 1e-12
    assert (joint * HAMMING).sum() <= 0.1 * (1 + 1e-12)
    assert ref.mutual_information_bits(joint) == pytest.approx(result.upper, abs=1e-12)
    assert result.lower <= perfect_perception_reference + 1e-10
    assert result.upper >= perfect_perception_reference - 1e-10
    assert result.upper - result.lower <= 1e-6


def test_perfect_perception_rejects_a_nearby_law(perfect_perception_reference):
    """Twin: a channel whose output law is 3e-9 from p is refused at P = 0.

    Its KL(p‖q) is ~1e-17, below any absolute slack on the divergence, and its rate
    (the value returned before the output law was made exact) lies 1e-9 bits below
    R(D, 0): it is no certificate.
    """
    problem = Problem(Discrete(PMF), "hamming", KL("source||reconstruction"))
    solver = FastSolver(problem)
    result = problem.rate(0.1, 0.0, method="fast")
    joint = result.channel.joint.copy()
    shift = 3e-9
    joint[0, 1] -= shift  # off the diagonal: the rows and the distortion stay as they were
    joint[0, 2] += shift
    q = joint.sum(axis=0)
    assert ref.kl_bits(PMF, q) < 1e-15
    assert (joint * HAMMING).sum() == pytest.approx((result.channel.joint * HAMMING).sum())
    assert not solver._feasible(joint, 0.1, as_bound(0.0, "kl-source-recon").value)
    assert solver._feasible(result.channel.joint, 0.1, as_bound(0.0, "kl-source-recon").value)
    assert 0.92476141938 < perfect_perception_reference - 1e-10


# ---------------------------------------------------------------- zero-mass symbols
def _zero_mass_case(pmf, alphabet, perception):
    problem = Problem(Discrete(pmf, alphabet), "hamming", perception)
    return problem.rate(0.1, 0.05, method="fast", max_iter=2000)


def test_zero_mass_symbol_with_kl_recon_source_matches_the_reduced_problem():
    """A zero-mass symbol under KL(p_X̂‖p_X) is never used; the rate is the 2-symbol one."""
    with_zero = _zero_mass_case([0.6, 0.0, 0.4], [0.0, 1.0, 2.0], KL("reconstruction||source"))
    reduced = _zero_mass_case([0.6, 0.4], [0.0, 2.0], KL("reconstruction||source"))
    assert with_zero.status == reduced.status == "converged"
    assert with_zero.iterations <= 200
    assert with_zero.lower <= reduced.upper + 1e-9
    assert reduced.lower <= with_zero.upper + 1e-9
    joint = with_zero.channel.joint
    assert joint.shape == (3, 3)  # mapped back onto the whole alphabets
    assert (joint[1] == 0).all() and (joint[:, 1] == 0).all()
    np.testing.assert_allclose(joint.sum(axis=1), [0.6, 0.0, 0.4], atol=1e-15)
    q = joint.sum(axis=0)
    kl = ref.kl_bits(q[[0, 2]], np.array([0.6, 0.4]))
    assert kl <= 0.05 * (1 + 1e-12)
    assert ref.mutual_information_bits(joint) == pytest.approx(with_zero.upper, abs=1e-12)


def test_zero_mass_symbol_twin_differs_from_another_source():
    """Twin: the same comparison against a different 2-symbol source fails by far."""
    with_zero = _zero_mass_case([0.6, 0.0, 0.4], [0.0, 1.0, 2.0], KL("reconstruction||source"))
    other = _zero_mass_case([0.5, 0.5], [0.0, 2.0], KL("reconstruction||source"))
    assert abs(with_zero.upper - other.upper) > 1e-2


def test_zero_mass_symbol_stays_usable_with_kl_source_recon():
    """KL(p_X‖p_X̂) is finite wherever q > 0: no symbol is barred, the bracket holds cvxpy's."""
    problem = Problem(Discrete([0.6, 0.0, 0.4]), "hamming", KL("source||reconstruction"))
    result = problem.rate(0.1, 0.05, method="fast", max_iter=2000)
    assert result.status == "converged"
    value, status = ref.convex_rate_tight(
        np.array([0.6, 0.4]), np.array([0.0, 2.0]), np.array([0.0, 1.0, 2.0]),
        1.0 - np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), "kl-source-recon", 0.1, 0.05,
    )  # fmt: skip
    assert status == "optimal"
    assert result.lower - 1e-7 <= value <= result.upper + 1e-7


# ---------------------------------------------------------------- uniform sources
def _uniform_hamming_rate(n, D):
    """Shannon's R(D) of a uniform source on n symbols with Hamming distortion, in bits."""
    h = -D * np.log2(D) - (1 - D) * np.log2(1 - D)
    return np.log2(n) - h - D * np.log2(n - 1)


def test_uniform_source_slope_does_not_cycle():
    """N = 3000, D = 0.58: Newton and secant steps on the slope cycled (1,000 iterations
    left a gap of 0.3 bits); the safeguarded steps converge in a few tens."""
    n, D = 3000, 0.58
    result = Problem(Discrete(np.full(n, 1.0 / n)), "hamming").rate(D, method="fast", max_iter=1000)
    assert result.status == "converged"
    assert result.iterations <= 200
    exact = _uniform_hamming_rate(n, D)
    assert result.lower - 1e-9 <= exact <= result.upper + 1e-9
    # twin: a wrong closed form (log2 n in place of log2(n − 1)) lies outside the bracket
    wrong = np.log2(n) - (-D * np.log2(D) - (1 - D) * np.log2(1 - D)) - D * np.log2(n)
    assert not result.lower - 1e-9 <= wrong <= result.upper + 1e-9
