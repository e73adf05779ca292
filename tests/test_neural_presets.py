"""Presets: gpu-smoke is the gpu models with short training; its MNIST-file path runs here."""

import json

import numpy as np
import pytest

pytest.importorskip("jax")

from rdp.cli.main import main
from rdp.neural.experiments import PRESET_NAMES, PRESETS, preset

pytestmark = pytest.mark.neural

ARCHITECTURE = (
    "conv_channels",
    "encoder_hidden",
    "decoder_hidden",
    "critic_hidden",
    "noise_size",
    "batch_size",
)


@pytest.mark.parametrize("experiment", sorted(PRESETS))
def test_every_experiment_has_every_preset(experiment):
    for name in PRESET_NAMES:
        assert preset(experiment, name)["training"]
    gpu, smoke = preset(experiment, "gpu"), preset(experiment, "gpu-smoke")
    # same models and data, far fewer steps
    for field in ARCHITECTURE:
        assert smoke["training"].get(field) == gpu["training"].get(field)
    assert smoke.get("data") == gpu.get("data")
    for field in ("autoencoder_steps", "generator_steps"):
        assert smoke["training"][field] <= 300 < gpu["training"][field]


def _write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes()
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_gpu_smoke_path_on_mnist_files_at_a_tiny_size(tmp_path, monkeypatch):
    # Full-MNIST IDX files (random 28×28 images), the gpu-smoke preset of yan with its
    # step counts and widths shrunk so that it runs in seconds on a CPU.
    rng = np.random.default_rng(0)
    data = tmp_path / "MNIST" / "raw"
    data.mkdir(parents=True)
    _write_idx(data / "train-images-idx3-ubyte", rng.integers(0, 256, (96, 28, 28)))
    _write_idx(data / "train-labels-idx1-ubyte", np.arange(96) % 10)
    _write_idx(data / "t10k-images-idx3-ubyte", rng.integers(0, 256, (40, 28, 28)))
    _write_idx(data / "t10k-labels-idx1-ubyte", np.arange(40) % 10)
    smoke = preset("yan", "gpu-smoke")
    smoke.update(bits=[2], critic_eval_steps=4, classifier_steps=4, eval_samples=20)
    assert smoke["training"]["conv_channels"]  # the convolutional models of the gpu preset
    smoke["training"].update(
        conv_channels=[2, 4],
        encoder_hidden=[16],
        decoder_hidden=[16],
        critic_hidden=[16],
        noise_size=2,
        autoencoder_steps=4,
        decoder_refit_steps=2,
        generator_steps=2,
        checkpoint_every=2,
        chunk=2,
    )
    monkeypatch.setitem(PRESETS["yan"], "gpu-smoke", smoke)
    out = tmp_path / "out"
    argv = ["neural", "yan", "--preset", "gpu-smoke", "--out", str(out), "--no-progress"]
    argv += ["--data", "mnist", "--data-dir", str(tmp_path)]
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["preset"] == "gpu-smoke" and results["settings"]["data"] == "mnist"
    (row,) = results["rows"]
    assert row["bits"] == 2 and 0 < row["mse_g1"] < 1
    assert results["provenance"]["machine"]["cpu_count"] >= 1
