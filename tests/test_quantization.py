"""Tests of rdp.quantization against published tables, exact formulas and brute force."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from rdp import Bernoulli, Discrete
from rdp.quantization import (
    PartitionEncoder,
    cell_statistics,
    kmeans,
    lloyd_max,
    modulo_encoder,
    perfect_perception_cost,
)
from rdp.quantization.moments import _quadrature_statistics
from rdp.quantization.perfect_perception import TransportDecoder, monte_carlo_mse
from rdp.quantization.wasserstein import w2_squared_to_source


# ----------------------------------------------------------------- published values
@pytest.mark.parametrize(
    ("levels", "published"),
    [(2, 0.3634), (4, 0.1175), (8, 0.03454)],
)
def test_gaussian_matches_max_1960_table(levels, published):
    """Max (1960), Table I: least MSE of the K-level quantizer of N(0, 1), 4 significant digits."""
    q = lloyd_max(stats.norm(), levels)
    assert q.converged
    assert q.mse == pytest.approx(published, abs=6e-5)


def test_gaussian_two_levels_exact():
    """K = 2: codepoints ±√(2/π), D* = 1 − 2/π."""
    q = lloyd_max(stats.norm(), 2)
    np.testing.assert_allclose(q.codepoints, [-np.sqrt(2 / np.pi), np.sqrt(2 / np.pi)], rtol=1e-14)
    assert q.mse == pytest.approx(1 - 2 / np.pi, rel=1e-13)


def test_gaussian_16_levels_codepoints_match_max_table():
    """Max (1960), Table I, N = 16 outputs (positive half): 0.1284 0.3881 0.6568 0.9424
    1.256 1.618 2.069 2.733."""
    q = lloyd_max(stats.norm(), 16)
    published = [0.1284, 0.3881, 0.6568, 0.9424, 1.256, 1.618, 2.069, 2.733]
    np.testing.assert_allclose(q.codepoints[8:], published, atol=6e-4)
    np.testing.assert_allclose(q.codepoints[:8], -q.codepoints[8:][::-1], atol=1e-12)


@pytest.mark.parametrize("levels", [1, 2, 3, 5, 16])
def test_uniform_source_is_delta_squared_over_twelve(levels):
    """U(a, b): equal cells of width Δ = (b − a)/K, D* = Δ²/12 exactly."""
    a, b = -1.5, 2.5
    q = lloyd_max(stats.uniform(a, b - a), levels)
    delta = (b - a) / levels
    assert q.mse == pytest.approx(delta**2 / 12, rel=1e-12)
    np.testing.assert_allclose(q.thresholds, a + delta * np.arange(1, levels), atol=1e-12)


@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0])
def test_laplace_two_levels_and_memoryless_outer_cell(scale):
    """Laplace(b): K = 2 gives codepoints ±b and D* = 2b² − b² = b²; for every K the outer
    codepoint lies exactly b beyond the last threshold (memorylessness of the tail)."""
    q2 = lloyd_max(stats.laplace(scale=scale), 2)
    assert q2.mse == pytest.approx(scale**2, rel=1e-12)
    np.testing.assert_allclose(q2.codepoints, [-scale, scale], rtol=1e-12)
    q8 = lloyd_max(stats.laplace(scale=scale), 8)
    assert q8.codepoints[-1] - q8.thresholds[-1] == pytest.approx(scale, rel=1e-10)


@pytest.mark.parametrize(
    "distribution", [stats.norm(0.3, 1.7), stats.laplace(-1, 0.8), stats.logistic(), stats.gamma(3)]
)
def test_lloyd_max_conditions_hold_by_independent_quadrature(distribution):
    """Thresholds are codepoint midpoints; codepoints are the conditional means (scipy quad)."""
    q = lloyd_max(distribution, 6)
    np.testing.assert_allclose(
        q.thresholds, 0.5 * (q.codepoints[:-1] + q.codepoints[1:]), rtol=1e-9, atol=1e-9
    )
    edges = np.concatenate([[-np.inf], q.thresholds, [np.inf]])
    lo, hi = distribution.support()
    edges = np.clip(edges, lo, hi)
    total = 0.0
    for k in range(q.levels):
        mass = integrate.quad(distribution.pdf, edges[k], edges[k + 1], epsabs=0, epsrel=1e-12)[0]
        first = integrate.quad(
            lambda x: x * distribution.pdf(x), edges[k], edges[k + 1], epsabs=0, epsrel=1e-12
        )[0]
        assert first / mass == pytest.approx(q.codepoints[k], rel=1e-8, abs=1e-9)
        assert mass == pytest.approx(q.cell_probabilities[k], rel=1e-8)
        total += integrate.quad(
            lambda x, c=q.codepoints[k]: (x - c) ** 2 * distribution.pdf(x),
            edges[k],
            edges[k + 1],
            epsabs=0,
            epsrel=1e-12,
        )[0]
    assert q.mse == pytest.approx(total, rel=1e-9)


def test_quadrature_path_agrees_with_closed_forms():
    """The generic quad_vec statistics equal the closed-form partial moments."""
    lower = np.array([-np.inf, -1.0, 0.2, 2.0])
    upper = np.array([-1.0, 0.2, 2.0, np.inf])
    for dist in (stats.norm(0.5, 2.0), stats.laplace(0.1, 1.3)):
        exact = cell_statistics(dist, lower, upper)
        quad = _quadrature_statistics(dist, lower, upper)
        for e, g in zip(exact, quad, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-13)


# --------------------------------------------------------------------- finite sources
def _brute_force_partition_mse(values, weights, levels):
    """Least MSE over ALL assignments of support points to `levels` non-empty cells."""
    n = len(values)
    best = np.inf
    for labels in itertools.product(range(levels), repeat=n):
        if len(set(labels)) != levels:
            continue
        err = 0.0
        for k in range(levels):
            idx = [i for i in range(n) if labels[i] == k]
            w = weights[idx]
            c = np.dot(w, values[idx]) / w.sum()
            err += np.dot(w, (values[idx] - c) ** 2)
        best = min(best, err)
    return best


@given(
    st.lists(st.floats(0.05, 1.0), min_size=2, max_size=6),
    st.integers(1, 4),
    st.integers(0, 2**31 - 1),
)
def test_dynamic_program_is_the_global_optimum(raw_weights, levels, seed):
    """The DP optimum equals the brute-force optimum over every partition (not only contiguous)."""
    weights = np.array(raw_weights) / np.sum(raw_weights)
    values = np.sort(np.random.default_rng(seed).normal(size=weights.size) * 3)
    levels = min(levels, weights.size)
    q = lloyd_max(Discrete(weights, values), levels)
    assert q.mse == pytest.approx(
        _brute_force_partition_mse(values, weights, levels), rel=1e-9, abs=1e-12
    )
    assert q.cell_probabilities.sum() == pytest.approx(1.0)
    # the encoder puts each support point in the cell of its nearest codepoint's cell
    assert np.all(np.diff(q.encode(values)) >= 0)


def test_finite_source_inputs_agree():
    values, weights = np.array([3.0, 0.0, 1.0, 7.0]), np.array([0.1, 0.4, 0.3, 0.2])
    from_tuple = lloyd_max((values, weights), 2)
    from_discrete = lloyd_max(Discrete(weights, values), 2)
    assert from_tuple.mse == pytest.approx(from_discrete.mse, rel=1e-14)
    samples = np.repeat(values, (weights * 10).astype(int))
    assert lloyd_max(samples, 2).mse == pytest.approx(from_tuple.mse, rel=1e-12)
    # Bernoulli with two levels is lossless
    assert lloyd_max(Bernoulli(0.2), 2).mse == pytest.approx(0.0, abs=1e-15)
    # a finite-support scipy.stats distribution
    binom = stats.binom(4, 0.3)
    support = np.arange(5.0)
    assert lloyd_max(binom, 3).mse == pytest.approx(
        lloyd_max((support, binom.pmf(support)), 3).mse, rel=1e-12
    )


def test_encode_decode_round_trip():
    q = lloyd_max(stats.norm(), 8)
    x = np.linspace(-4, 4, 101)
    idx = q.encode(x)
    assert idx.min() == 0 and idx.max() == 7
    # nearest-codepoint encoding
    np.testing.assert_array_equal(idx, np.argmin(np.abs(x[:, None] - q.codepoints[None]), axis=1))
    np.testing.assert_array_equal(q.decode(idx), q.codepoints[idx])
    assert q.rate == pytest.approx(3.0)
    with pytest.raises(ValueError, match="indices"):
        q.decode([8])


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="levels"):
        lloyd_max(stats.norm(), 0)
    with pytest.raises(ValueError, match="levels"):
        lloyd_max(Discrete([0.5, 0.5]), 3)
    with pytest.raises(ValueError, match="variance"):
        lloyd_max(stats.cauchy(), 2)
    with pytest.raises(ValueError, match="tol"):
        lloyd_max(stats.norm(), 2, tol=0)
    with pytest.raises(ValueError, match="levels"):
        kmeans(np.zeros((3, 2)), 4)


# ---------------------------------------------------------------------------- k-means
def test_kmeans_is_a_lloyd_fixed_point_and_not_better_than_the_exact_optimum():
    rng = np.random.default_rng(0)
    samples = rng.normal(size=400)
    vq = kmeans(samples, 4, seed=1)
    assert vq.converged
    labels = vq.encode(samples[:, None])
    for k in range(4):
        np.testing.assert_allclose(vq.codebook[k, 0], samples[labels == k].mean(), rtol=1e-12)
    exact = lloyd_max(samples, 4)
    assert exact.mse <= vq.mse + 1e-12
    assert vq.mse == pytest.approx(exact.mse, rel=1e-6)  # k-means++ restarts find it in 1-D


def test_kmeans_two_dimensional_gaussian_clusters():
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = np.concatenate([c + 0.1 * rng.normal(size=(200, 2)) for c in centres])
    vq = kmeans(samples, 3, seed=0)
    found = vq.codebook[np.argsort(vq.codebook @ np.array([1.0, 2.0]))]
    np.testing.assert_allclose(found, centres[[0, 1, 2]], atol=0.05)
    assert vq.mse == pytest.approx(2 * 0.01, rel=0.2)
    np.testing.assert_allclose(vq.cell_probabilities, 1 / 3)


def test_docstring_examples_run():
    import doctest
    import importlib

    # the package re-exports the function under the module's name, so import the module
    module = importlib.import_module("rdp.quantization.lloyd_max")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------- one-shot encoders and perfect-perception decoders
def test_gaussian_two_levels_known_value():
    """N(0,1), K = 2: D* = 1 − 2/π, so the perfect-perception MSE is 2 − 4/π."""
    q = lloyd_max(stats.norm(), 2)
    cost = perfect_perception_cost(stats.norm(), PartitionEncoder.from_quantizer(q))
    assert cost.best_decoder_mse == pytest.approx(2 - 4 / np.pi, rel=1e-12)
    assert cost.sampling_decoder_mse == pytest.approx(2 - 4 / np.pi, rel=1e-12)


def test_uniform_source_w2_closed_form():
    """U(0,1), K levels: D* = 1/(12K²) and W₂²(p_X*, p_X) = 1/(12K²) (K equal cells)."""
    for K in (3, 7):
        q = lloyd_max(stats.uniform(), K)
        w2 = w2_squared_to_source(stats.uniform(), q.codepoints, q.cell_probabilities)
        assert w2 == pytest.approx(1 / (12 * K**2), rel=1e-10)


def test_w2_of_a_point_mass_is_the_second_moment():
    """W₂²(δ_a, N(μ, σ²)) = σ² + (μ − a)²: a closed form for the quantile quadrature."""
    w2 = w2_squared_to_source(stats.norm(1.0, 2.0), [0.5], [1.0])
    assert w2 == pytest.approx(4.0 + 0.25, rel=1e-10)


def test_monte_carlo_detects_a_wrong_exact_value():
    """A decoder whose claimed MSE is off by 10 standard errors fails the Monte Carlo check."""
    enc = modulo_encoder(4, 0.5, 12)
    decoder = TransportDecoder(stats.norm(), enc)
    mean, se = monte_carlo_mse(stats.norm(), enc, decoder, samples=20_000, seed=3)
    assert abs(mean - decoder.mse) < 4 * se
    assert abs(mean - (decoder.mse + 10 * se)) > 4 * se


def test_partition_encoder_validation():
    with pytest.raises(ValueError, match="labels"):
        PartitionEncoder([0.0], [0, 2])
    with pytest.raises(ValueError, match="breakpoints"):
        PartitionEncoder([1.0, 0.0], [0, 1, 0])
    with pytest.raises(ValueError, match="pieces"):
        modulo_encoder(4, 1.0, 3)
