"""The learned codec on i.i.d. N(0, I_d) against Shannon's D(R) and rdp's closed-form D(R, P).

Every point is operational: the rate is the size of the range-coded stream
of all held-out vectors (``rdp.codec.compression.code_dataset``), the
distortion the held-out MSE per coordinate, the perception an estimate of the
squared W₂ between the law of the reconstructions and the source N(0, I_d).
The bounds are per coordinate: by symmetry and convexity the optimum spreads
rate and perception evenly over i.i.d. coordinates, so
$D_d(R, P) = D_1(R/d, P/d)$, evaluated by
``Problem(Gaussian(0, 1), "mse", "w2").distortion`` (Zhang, Qian, Chen &
Khisti, NeurIPS 2021, Thm 2). The gap of a point is
$10\\log_{10}(\\text{MSE} / D(R, P))$ dB.

Variants at each rate weight λ, all trained for the same steps (stage 1:
rate + MSE; stage 2: the same plus β times the sliced W₂² to a batch of
training vectors, ``rdp.codec.training.sliced_w2``; β = 0 fine-tunes
with rate and MSE alone):

- ``deterministic``: rounding, no common randomness, β = 0 (against D(R));
- ``dithered``: shared subtractive dither (``rdp.codec.dither``), β = 0;
- ``dithered-perception``: dither and β > 0 (against D(R, P) where P binds);
- ``deterministic-perception``: rounding and the largest β (what a decoder
  without common randomness can do for realism).

**Perception estimate.** The true W₂² of a 16-dimensional law cannot be
estimated without a large bias from a few thousand samples, so each point
reports three *lower bounds* on it, computed against the exact source law:
the Gaussian fit (Gelbrich, "On a formula for the L² Wasserstein metric
between measures on Euclidean and Hilbert spaces", Math. Nachr. 1990), the
sum of the d one-dimensional W₂² of the coordinates, and d times the sliced
W₂² (each coupling of the joint law induces couplings of its marginals and
projections, and the mean of $(\\theta^\\top v)^2$ over unit
$\\theta$ is $\\lVert v \\rVert^2 / d$). P is their maximum. A
lower P gives a higher D(R, P), so the reported gap can only understate the
true one; the same estimators on fresh source samples give their noise
floor.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from scipy.special import ndtri

from rdp.codec.model import CodecConfig
from rdp.codec.presets import preset
from rdp.codec.sweep import Run, provenance, train_runs
from rdp.codec.training import TrainConfig

VARIANTS = ("deterministic", "dithered", "dithered-perception", "deterministic-perception")


def _normal_pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def w2sq_to_standard_normal_1d(samples: np.ndarray) -> np.ndarray:
    """Exact W₂² between the empirical law of each column of ``samples (n, k)`` and N(0, 1).

    With the order statistics $x_{(i)}$ and $z_i = \\Phi^{-1}(i/n)$,
    the monotone coupling gives

    $$
    W_2^2 = \\frac1n \\sum_i x_{(i)}^2
      - 2 \\sum_i x_{(i)} \\bigl(\\varphi(z_{i-1}) - \\varphi(z_i)\\bigr) + 1.
    $$
    """
    x = np.sort(np.asarray(samples, np.float64), axis=0)
    n = x.shape[0]
    edges = _normal_pdf(ndtri(np.arange(n + 1) / n))  # φ(±∞) = 0 at the ends
    weights = edges[:-1] - edges[1:]
    return np.mean(x * x, axis=0) - 2.0 * weights @ x + 1.0


def w2sq_lower_bounds(samples: np.ndarray, projections: int = 256, seed: int = 0) -> dict:
    """Three lower bounds on W₂²(law of ``samples``, N(0, I_d)) and their maximum.

    Returns ``gaussian_fit`` (Gelbrich: W₂² of the Gaussian with the samples'
    mean and covariance), ``marginals`` (sum over coordinates of the exact
    one-dimensional W₂²), ``sliced`` (d × mean over random unit directions)
    and ``w2sq`` (the largest), all for the whole vector.
    """
    x = np.asarray(samples, np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or not np.isfinite(x).all():
        raise ValueError(
            f"samples must be a finite (n, d) array with n >= 2 rows; got shape {x.shape}"
        )
    if int(projections) < 1:
        raise ValueError(f"projections must be an integer >= 1; got {projections}")
    d = x.shape[1]
    mean = x.mean(axis=0)
    cov = np.atleast_2d(np.cov(x, rowvar=False))
    eig = np.clip(np.linalg.eigvalsh(cov), 0.0, None)
    gaussian_fit = float(mean @ mean + np.sum(eig) + d - 2.0 * np.sum(np.sqrt(eig)))
    marginals = float(np.sum(w2sq_to_standard_normal_1d(x)))
    theta = np.random.default_rng(seed).normal(size=(d, projections))
    theta /= np.linalg.norm(theta, axis=0, keepdims=True)
    sliced = float(d * np.mean(w2sq_to_standard_normal_1d(x @ theta)))
    return {
        "w2sq_gaussian_fit": gaussian_fit,
        "w2sq_marginals": marginals,
        "w2sq_sliced": sliced,
        "w2sq": max(gaussian_fit, marginals, sliced),
    }


def bounds(rate_per_dim: float, mse: float, p_per_dim: float) -> dict:
    """D(R), D(R, P), D(R, 0) of N(0, 1) from rdp's closed forms, and the gaps of ``mse`` in dB."""
    from rdp import Gaussian, Problem

    problem = Problem(Gaussian(0.0, 1.0), "mse", "w2")
    shannon = float(problem.distortion(rate_per_dim).distortion)
    d_rp = float(problem.distortion(rate_per_dim, max(p_per_dim, 0.0)).distortion)
    perfect = float(problem.distortion(rate_per_dim, 0.0).distortion)
    no_randomness = float(problem.distortion(rate_per_dim, 0.0, common_randomness=0.0).distortion)
    return {
        "d_shannon": shannon,
        "d_rp": d_rp,
        "d_r0": perfect,
        "d_r0_no_common_randomness": no_randomness,
        "gap_db_shannon": float(10.0 * np.log10(mse / shannon)),
        "gap_db_rp": float(10.0 * np.log10(mse / d_rp)),
        "perception_binds": bool(d_rp > shannon * (1.0 + 1e-9)),
    }


def gaussian_check_runs(preset_name: str, seed: int = 0) -> list[tuple[str, Run]]:
    """``(variant, run)`` of every point of the check (the preset's ``variants``, default all)."""
    g = preset(preset_name)["gaussian_dither"]
    arch = {"kind": "dense", "shape": (g["dim"],), "filters": g["filters"]}
    arch["latent_channels"] = g["latent_channels"]
    plain = CodecConfig(**arch)
    dithered = CodecConfig(**arch, decoder_quantization="noise", dither=True)
    schedule = {
        "steps": g["steps"],
        "gan_steps": g["stage2_steps"],
        "batch_size": g["batch_size"],
        "gan_learning_rate": g["stage2_learning_rate"],
        "projections": g["projections"],
        "perception_loss": "sliced-w2",
        "finetune": True,
        "seed": seed,
    }
    runs = []
    for lam in g["lambdas"]:
        points = [("deterministic", plain, 0.0), ("dithered", dithered, 0.0)]
        points += [("dithered-perception", dithered, b) for b in g["betas"]]
        points.append(("deterministic-perception", plain, max(g["betas"])))
        points = [pt for pt in points if pt[0] in g.get("variants", VARIANTS)]
        for variant, config, beta in points:
            tc = TrainConfig(lmbda=lam, beta=beta, **schedule)
            runs.append((variant, Run(f"gcheck-{variant}-lam{lam:g}-beta{beta:g}", config, tc)))
    return runs


def measure(codec, heldout: np.ndarray, seed: int = 0) -> dict:
    """Rate (coded stream), MSE and perception lower bounds of ``codec`` on ``heldout``."""
    from rdp.codec.evaluate import evaluate, reconstruct_batch

    m = evaluate(codec, heldout, seed=seed)
    dim = heldout.shape[1]
    p = w2sq_lower_bounds(reconstruct_batch(codec, heldout, seed=seed), seed=seed)
    rate = m["stream_bits"] / dim
    return {
        "stream_bits": m["stream_bits"],
        "model_bits": m["model_bits"],
        "payload_bits": m["payload_bits"],
        "rate_per_dim": rate,
        "mse": m["mse"],
        **p,
        "p_per_dim": p["w2sq"] / dim,
        **bounds(rate, m["mse"], p["w2sq"] / dim),
    }


def run_gaussian_check(
    out: str | Path,
    preset_name: str = "cpu",
    *,
    work: str | Path | None = None,
    seed: int = 0,
    progress: bool = False,
    log=print,
) -> dict:
    """Train and measure every point; write ``gaussian-dither.{json,csv,png}`` to ``out``."""
    from rdp._csv import write_csv
    from rdp.codec.data import load_codec_data
    from rdp.codec.figures import write_gaussian_check_figure
    from rdp.codec.sweep import checkpoint_dir
    from rdp.result import to_jsonable

    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(work) if work is not None else out / "work"
    g = preset(preset_name)["gaussian_dither"]
    data = load_codec_data("gaussian", dim=g["dim"], seed=seed)
    heldout = data.heldout
    floor = w2sq_lower_bounds(np.random.default_rng(seed + 1).normal(size=heldout.shape), seed=seed)
    rows = []
    for variant, run in gaussian_check_runs(preset_name, seed):
        codec, seconds = train_runs([run], data.train, work, log=log, progress=progress)[run.name]
        cache = checkpoint_dir(work, run) / f"gcheck-{run.name}-n{len(heldout)}.json"
        if cache.is_file():
            measured = json.loads(cache.read_text())
        else:
            measured = measure(codec, heldout, seed)
            cache.write_text(json.dumps(measured))
        tc = run.train_config
        rows.append(
            {
                "name": run.name,
                "variant": variant,
                "dither": run.codec_config.dither,
                "lambda": tc.lmbda,
                "beta": tc.beta,
                **measured,
                "steps": tc.steps,
                "stage2_steps": tc.gan_steps,
                "train_seconds": seconds,
            }
        )
        log(
            f"  {run.name}: R={measured['rate_per_dim']:.4f} MSE={measured['mse']:.4f} "
            f"P={measured['p_per_dim']:.4f} gap D(R)={measured['gap_db_shannon']:.2f} dB "
            f"gap D(R,P)={measured['gap_db_rp']:.2f} dB"
        )
    results = {
        "experiment": "codec-gaussian-dither",
        "preset": preset_name,
        "settings": {
            "dim": g["dim"],
            "train_vectors": len(data.train),
            "heldout_vectors": len(heldout),
            "preset": to_jsonable(g),
            "seed": seed,
            "perception_floor_per_dim": {k: v / g["dim"] for k, v in floor.items()},
        },
        "rows": rows,
        "wall_seconds": time.perf_counter() - start,
        "provenance": provenance(),
        "note": "timings on a shared 2-core machine under heavy load (nice 19)",
    }
    (out / "gaussian-dither.json").write_text(json.dumps(to_jsonable(results), indent=1))
    write_csv(out / "gaussian-dither.csv", rows)
    write_gaussian_check_figure(results, out)
    return results
