"""Bernoulli / Hamming / KL (either direction): the reduction to the TV closed form (derived
here) against the certified finite solver and a brute-force search over 2×2 joint laws."""

import numpy as np
import pytest
from scipy.special import rel_entr

from rdp import KL, Bernoulli, Problem
from rdp.closed_forms.bernoulli_kl import lower_end

DIRECTIONS = ["source||reconstruction", "reconstruction||source"]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("p", [0.15, 0.5, 0.8])
def test_matches_the_certified_solver(direction, p):
    problem = Problem(Bernoulli(p), "hamming", KL(direction))
    assert problem.method().name.startswith("closed-form: bernoulli-hamming-kl")
    for D, P in [(0.03, 0.0), (0.08, 0.02), (0.15, 0.1), (0.25, 0.4)]:
        closed = problem.rate(D, P).rate
        solver = problem.rate(D, P, method="fast")
        assert solver.lower - 1e-8 <= closed <= solver.upper + 1e-8


def _brute_force_kl(p, D, P, direction, points=400_001):
    """min I over joints (a, b) on the boundary a + b = D with KL(p‖r) or KL(r‖p) ≤ P."""
    q = 1 - p
    a = np.linspace(max(0.0, D - p), min(D, q), points)
    b = D - a
    r = p + a - b
    joint = np.stack([q - a, a, b, p - b])
    marg = np.stack([q * (1 - r), q * r, p * (1 - r), p * r])
    info = rel_entr(np.maximum(joint, 0), marg).sum(axis=0) / np.log(2)
    pair = (np.stack([[p, q]] * r.size, 1), np.stack([r, 1 - r]))
    if direction.startswith("reconstruction"):
        pair = pair[::-1]
    kl = rel_entr(*pair).sum(axis=0) / np.log(2)
    ok = (joint >= 0).all(axis=0) & (kl <= P)
    s = np.linspace(0, 1, 100_001)  # rate 0: X̂ ~ Bernoulli(s) independent of X
    pair_0 = (np.stack([[p, q]] * s.size, 1), np.stack([s, 1 - s]))
    if direction.startswith("reconstruction"):
        pair_0 = pair_0[::-1]
    admissible = rel_entr(*pair_0).sum(axis=0) / np.log(2) <= P
    zero = np.min((q * s + p * (1 - s))[admissible])
    return 0.0 if zero <= D else float(info[ok].min())


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(("p", "D", "P"), [(0.2, 0.1, 0.05), (0.3, 0.05, 0.01), (0.1, 0.12, 0.3)])
def test_matches_brute_force(direction, p, D, P):
    closed = Problem(Bernoulli(p), "hamming", KL(direction)).rate(D, P).rate
    assert closed == pytest.approx(_brute_force_kl(p, D, P, direction), abs=2e-6)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_lower_end_solves_the_kl_equation(direction):
    for p, P in [(0.2, 0.05), (0.4, 0.5), (0.05, 0.001)]:
        r = lower_end(p, P, direction)
        assert r < p
        pair = (
            ([p, 1 - p], [r, 1 - r]) if direction.startswith("source") else ([r, 1 - r], [p, 1 - p])
        )
        assert rel_entr(*pair).sum() / np.log(2) == pytest.approx(P, rel=1e-9)


def test_large_budget_is_shannon():
    problem = Problem(Bernoulli(0.2), "hamming", "kl-recon-source")
    shannon = Problem(Bernoulli(0.2), "hamming").rate(0.05).rate
    assert problem.rate(0.05, 10.0).rate == pytest.approx(shannon, abs=1e-12)
    assert lower_end(0.2, 10.0, "reconstruction||source") == 0.0


def test_returned_joint_meets_the_kl_budget():
    for direction in DIRECTIONS:
        result = Problem(Bernoulli(0.3), "hamming", KL(direction)).rate(0.1, 0.02)
        joint = result.channel.joint
        px, r = joint.sum(axis=1), joint.sum(axis=0)
        pair = (px, r) if direction.startswith("source") else (r, px)
        assert rel_entr(*pair).sum() / np.log(2) <= 0.02
        assert joint[0, 1] + joint[1, 0] <= 0.1
