"""Tests of rdp.theorems.yan2021: the cost of perfect perception."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rdp import Discrete, Gaussian, Problem
from rdp.quantization import (
    PartitionEncoder,
    lloyd_max,
    modulo_encoder,
    perfect_perception_cost,
    uniform_encoder,
)
from rdp.quantization.perfect_perception import SamplingDecoder, TransportDecoder
from rdp.theorems import yan2021
from rdp.theorems.standard import skewed_discrete_source


@pytest.mark.parametrize(
    ("distribution", "label"),
    [
        (stats.norm(), "gaussian"),
        (stats.laplace(), "laplace"),
        (stats.uniform(), "uniform"),
        (skewed_discrete_source(), "skewed-discrete"),
    ],
)
def test_optimal_encoder_costs_exactly_twice(distribution, label):
    report = yan2021.check_cost_of_perfect_perception(distribution, levels=(2, 5, 16), label=label)
    assert report.passed, report
    exact = label in ("uniform", "skewed-discrete")
    assert report.tolerance == (1e-9 if exact else 3e-4)
    for row in report.quantities["levels"]:
        assert row["ratio"] == pytest.approx(2.0, rel=report.tolerance)
        # W2 by quantile functions equals the encoder's cell-moment MSE (interval cells)
        assert row["w2_squared"] == pytest.approx(row["encoder_mse"], rel=1e-9)


@pytest.mark.parametrize("distribution", [stats.norm(), skewed_discrete_source()])
def test_a_suboptimal_quantizer_design_fails(monkeypatch, distribution):
    """If the quantizer design itself were wrong (uniform thresholds), D*(K) is not taken from
    it: the independent optimum exposes it (D = 0.0532 at K = 8 vs 0.0345)."""
    from types import SimpleNamespace

    scale = 0.6 if isinstance(distribution, Discrete) else 0.3
    centre = 8.0 if isinstance(distribution, Discrete) else 0.0

    def uniform_design(dist, K, **kwargs):
        return SimpleNamespace(thresholds=centre + scale * (np.arange(1, K) - K / 2), levels=K)

    monkeypatch.setattr(yan2021, "_lloyd_max", uniform_design)
    report = yan2021.check_cost_of_perfect_perception(distribution, levels=(4, 8))
    assert not report.passed
    assert report.deviation > 0.05


def test_reference_optimum_is_independent_of_lloyd():
    """The reference D*(K) agrees with the exact K = 2 value 1 − 2/π of N(0, 1) and with
    Lloyd–Max within the grid's resolution, without calling it (it is an upper bound)."""
    values, how, exact = yan2021.reference_optimal_mse(stats.norm(), 8)
    assert not exact and "dynamic program" in how
    assert values[1] == pytest.approx(1 - 2 / np.pi, rel=1e-6)
    for K in (2, 4, 8):
        optimum = lloyd_max(stats.norm(), K).mse
        assert optimum * (1 - 1e-12) <= values[K - 1] <= optimum * (1 + 1.1e-4)


def test_claiming_a_suboptimal_encoder_optimal_fails():
    """A uniform-threshold encoder claimed optimal must FAIL the 2·D*(K) check."""
    report = yan2021.check_cost_of_perfect_perception(
        stats.norm(), levels=(4, 8), encoder_for=lambda K: uniform_encoder(K, 0.3)
    )
    assert not report.passed
    assert report.deviation > 0.1


@pytest.mark.parametrize(
    ("distribution", "encoder"),
    [
        (stats.norm(), modulo_encoder(4, 0.5, 12)),
        (stats.laplace(), modulo_encoder(3, 1.0, 9)),
        (skewed_discrete_source(), modulo_encoder(3, 2.0, 10, centre=8.0)),
    ],
)
def test_suboptimal_encoder_strictly_between(distribution, encoder):
    report = yan2021.check_suboptimal_encoder(distribution, encoder)
    assert report.passed, report
    q = report.quantities
    assert q["encoder_mse"] < q["best_decoder_mse"] < q["sampling_decoder_mse"]
    assert q["best_decoder_mse"] >= q["two_D_star_K"]


def test_interval_encoder_is_not_strictly_between():
    """Interval cells are optimally coupled already: best = 2·D*_f, so strictness fails (1-D)."""
    report = yan2021.check_suboptimal_encoder(stats.norm(), uniform_encoder(4, 0.5))
    assert not report.passed
    q = report.quantities
    assert q["best_decoder_mse"] == pytest.approx(q["sampling_decoder_mse"], rel=1e-9)


def test_monte_carlo_within_standard_error():
    report = yan2021.check_monte_carlo(
        stats.norm(), modulo_encoder(4, 0.5, 12), samples=50_000, seed=7
    )
    assert report.passed, report
    # the transport decoder's output is distributed as p_X (perfect perception)
    enc = modulo_encoder(4, 0.5, 12)
    rng = np.random.default_rng(11)
    x = stats.norm().rvs(size=20_000, random_state=rng)
    x_hat = TransportDecoder(stats.norm(), enc).sample(enc.encode(x), rng)
    assert stats.kstest(x_hat, stats.norm().cdf).pvalue > 1e-3
    x_s = SamplingDecoder(stats.norm(), enc).sample(enc.encode(x), rng)
    assert stats.kstest(x_s, stats.norm().cdf).pvalue > 1e-3


def test_empirical_vector_kmeans():
    x = np.random.default_rng(5).normal(size=(300, 2))
    report = yan2021.check_empirical_vector(x, 6, seed=1)
    assert report.passed, report
    q = report.quantities
    assert q["w2_squared"] == pytest.approx(q["kmeans_mse"], rel=1e-7)
    assert (
        q["random_encoder_mse"] < q["random_encoder_best_decoder_mse"] < 2 * q["random_encoder_mse"]
    )


def test_information_theoretic_contrast():
    report = yan2021.check_information_theoretic_contrast()
    assert report.passed, report
    # 2/(1 + √(1 − 2^{−2R})) (Zhang et al., NeurIPS 2021, Thm 2 at P = 0):
    # 1.0718 at R = 1, 1.0161 at R = 2
    ratio = yan2021.information_theoretic_ratio([1.0, 2.0])
    np.testing.assert_allclose(ratio, [1.0718, 1.0161], atol=5e-5)
    problem = Problem(Gaussian(), "mse", "w2")
    for row in report.quantities["rates"]:
        assert 1.0 < row["ratio_information_theoretic"] < 2.0
        assert row["ratio_with_common_randomness"]["0.0"] == pytest.approx(2.0, rel=1e-12)
    assert problem.distortion(1.0, 0.0).distortion / problem.distortion(
        1.0, np.inf
    ).distortion == pytest.approx(1.0718, abs=5e-5)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(0.01, 1.0), min_size=4, max_size=10),
    st.integers(2, 3),
    st.integers(0, 2**31 - 1),
)
def test_finite_sources_cost_exactly_twice(raw, levels, seed):
    """Hypothesis: for random finite sources the exact optimum costs 2·D*(K) under perfect
    perception, and a random relabelled encoder is never below 2·D*(K)."""
    rng = np.random.default_rng(seed)
    pmf = np.array(raw) / np.sum(raw)
    values = np.sort(rng.normal(size=pmf.size) * 5) + np.arange(pmf.size) * 1e-3
    source = Discrete(pmf, values)
    report = yan2021.check_cost_of_perfect_perception(source, levels=(levels,))
    assert report.passed, report
    d_star = lloyd_max(source, levels).mse
    cuts = np.sort(rng.choice(np.arange(1, pmf.size), size=levels, replace=False))
    edges = 0.5 * (values[cuts - 1] + values[cuts])
    labels = np.concatenate([np.arange(levels), rng.integers(0, levels, size=1)])
    encoder = PartitionEncoder(edges, labels)
    cost = perfect_perception_cost(source, encoder)
    assert cost.best_decoder_mse >= 2 * d_star - 1e-9 * max(1.0, d_star)
    assert cost.encoder_mse - 1e-12 <= cost.best_decoder_mse <= cost.sampling_decoder_mse + 1e-9
