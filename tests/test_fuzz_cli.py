"""Fuzz the ``rdp`` command in-process with generated problem files and arguments.

Every run must end in one of two ways:

- a certified answer (exit 0, every point's status exact/converged/optimal/
  infeasible) whose bounds contain an independent reference: the cvxpy program
  of ``tests/references.py`` (Blau & Michaeli 2019, Eq. (3)) for finite
  sources, Shannon's R(D) = max(0, ½ log₂(σ²/D)) for a Gaussian without
  perception; or bounds with exit 3 and a count on stderr when a point is not
  certified;
- exit 2 with exactly one line on stderr (bad input);

never a traceback and never an uncertified number with exit 0. Invalid inputs
(pmfs off by more than the 1e-9 tolerance, negative entries, strings or
booleans for numbers, ``-P`` without a perception measure ...) must give exit 2.
Hand-typed decimal pmfs (``0.07, 0.23, ...``) that do not sum to 1 in floating
point are valid. The seed is fixed (``derandomize=True``).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import references as ref
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rdp.cli.main import main

#: The status model written out again (rdp.status): certified by the status alone, or by
#: the status and a bracket within the result's tol.
ALWAYS_CERTIFIED = {"exact", "infeasible"}
CERTIFIED_WITHIN_TOL = {"converged", "bounds"}


def certified(data: dict) -> bool:
    """Whether the first point of a ``--json`` answer is certified, by the documented rule."""
    status, lower, upper = (
        data[k] if isinstance(data[k], str | float | int) else data[k][0]
        for k in ("status", "lower", "upper")
    )
    return status in ALWAYS_CERTIFIED or (
        status in CERTIFIED_WITHIN_TOL and upper - lower <= data["tol"]
    )


PERCEPTIONS = ["tv", "w1", "w2", "kl-source-recon", "kl-recon-source", "none"]
DISTORTIONS = ["hamming", "mse", "absolute"]


def reference_rate(pmf, distortion: str, perception: str, D: float, P: float) -> float:
    """R(D, P) in bits on the alphabet 0..N-1 (inf when infeasible), by the cvxpy program of
    ``tests/references.py`` (Clarabel).

    Zero-probability source symbols are dropped (rows of the channel); a
    reconstruction value is dropped when the constraint forces its probability to
    0 (KL(q‖p) always, every measure at P = 0), so that no exponential cone is
    pinned at its boundary.
    """
    p_all = np.asarray(pmf, dtype=float)
    p_all = p_all / p_all.sum()
    values = np.arange(p_all.size, dtype=float)
    rows = p_all > 0
    active = perception != "none" and np.isfinite(P)
    forced = active and (P == 0 or perception == "kl-recon-source")
    x, y = values[rows], values[rows if forced else slice(None)]
    delta = ref.distortion_matrix(distortion, x, y)
    value, status = ref.convex_rate(p_all[rows], x, y, delta, perception, D, P)
    if value == np.inf:
        return value
    assert status in ("optimal", "optimal_inaccurate"), status
    return max(value, 0.0)


# ------------------------------------------------------------------ strategies
@st.composite
def hand_typed_pmf(draw) -> list[float]:
    """Decimals with two digits that sum to 1 on paper (often not in floating point)."""
    n = draw(st.integers(2, 4))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    weights = np.diff([0, *cuts, 100])
    if weights.max() == 0:  # pragma: no cover - cuts in [0, 100] always leave mass
        weights[0] = 100
    return [float(f"{w / 100:.2f}") for w in weights]


#: How an otherwise valid input is broken (None: left valid).
BREAKS = [None, None, None, "sum", "negative", "string", "boolean", "D-negative", "D-string",
          "D-boolean", "D-object", "P-negative", "P-null", "P-no-perception"]  # fmt: skip


@st.composite
def case(draw) -> dict:
    kind = draw(st.sampled_from(["discrete", "discrete", "bernoulli", "gaussian"]))
    out: dict = {"kind": kind, "break": draw(st.sampled_from(BREAKS))}
    if kind == "discrete":
        out["pmf"] = draw(hand_typed_pmf())
        out["distortion"] = draw(st.sampled_from(DISTORTIONS))
        out["perception"] = draw(st.sampled_from(PERCEPTIONS))
        out["method"] = draw(st.sampled_from(["auto", "auto", "cvxpy"]))
    elif kind == "bernoulli":
        p = draw(st.integers(0, 50)) / 100
        out["pmf"] = [1 - p, p]
        out["p"] = p
        out["distortion"] = "hamming"
        out["perception"] = draw(st.sampled_from(["tv", "none"]))
        out["method"] = "auto"
    else:
        out["variance"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
        out["distortion"] = "mse"
        out["perception"] = "none"
        out["method"] = "auto"
    out["D"] = draw(st.integers(0, 30)) / 20
    out["P"] = None if out["perception"] == "none" else draw(st.integers(0, 10)) / 20
    out["as_file"] = draw(st.booleans())
    return out


def build_argv(c: dict, folder: Path) -> tuple[list[str], bool]:
    """The command line of a case, and whether the input is invalid (exit 2 expected)."""
    brk = c["break"]
    if c["kind"] == "gaussian" and brk in ("sum", "negative", "string", "boolean"):
        brk = None
    D, P = c["D"], c["P"]
    source: dict = {}
    if c["kind"] == "gaussian":
        source = {"kind": "gaussian", "mean": 0, "variance": c["variance"]}
    elif c["kind"] == "bernoulli" and not c["as_file"]:
        source = {"kind": "bernoulli", "p": c["p"]}
    else:
        source = {"pmf": list(c["pmf"])}
    if brk == "sum":
        target = "pmf" if "pmf" in source else "p"
        source[target] = [v * 1.5 for v in source["pmf"]] if target == "pmf" else 1.5
    elif brk == "negative":
        if "pmf" in source:
            source["pmf"] = [-0.1, *source["pmf"][1:-1], source["pmf"][-1] + 0.1]
        else:
            source["p"] = -0.1
    elif brk in ("string", "boolean"):
        if not c["as_file"]:
            brk = None  # the command line parses numbers itself
        elif "pmf" in source:
            bad = str(source["pmf"][0]) if brk == "string" else True
            source["pmf"] = [bad, *source["pmf"][1:]]
        else:
            source["p"] = str(source["p"]) if brk == "string" else True
    no_perception = c["perception"] == "none"
    if brk == "D-negative":
        D = -D - 0.05
    elif brk in ("D-string", "D-boolean", "D-object"):
        if c["as_file"]:
            D = {"D-string": str(D), "D-boolean": True, "D-object": {"a": D}}[brk]
        else:
            brk = None
    if brk == "P-negative":
        P = -0.1 if not no_perception else None
        brk = brk if not no_perception else None
    elif brk == "P-null":
        if c["as_file"] and not no_perception:
            P = "null"
        else:
            brk = None
    elif brk == "P-no-perception":
        if no_perception:
            P = 0.1
        else:
            brk = None
    argv: list[str]
    if c["as_file"]:
        spec: dict = {"source": source, "distortion": c["distortion"],
                      "perception": c["perception"], "D": D}  # fmt: skip
        if P == "null":
            spec["P"] = None
        elif P is not None:
            spec["P"] = P
        path = folder / "problem.json"
        path.write_text(json.dumps(spec))
        argv = ["rate", str(path)]
    else:
        argv = ["rate", "--source", c["kind"]]
        if c["kind"] == "discrete":
            argv += ["--pmf", *map(str, source["pmf"])]
        elif c["kind"] == "bernoulli":
            argv += ["--p", str(source["p"])]
        else:
            argv += ["--variance", str(c["variance"])]
        argv += ["--distortion", c["distortion"], "--perception", c["perception"], "-D", str(D)]
        if P is not None:
            argv += ["-P", str(P)]
    if c["method"] != "auto":
        argv += ["--method", c["method"]]
    return [*argv, "--json"], brk is not None


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
    return int(code), out.getvalue(), err.getvalue()


def reference(c: dict) -> float:
    D = c["D"]
    if c["kind"] == "gaussian":
        return max(0.0, 0.5 * np.log2(c["variance"] / D)) if D > 0 else float("inf")
    P = np.inf if c["P"] is None else c["P"]
    return reference_rate(c["pmf"], c["distortion"], c["perception"], D, P)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case())
def test_cli_answers_certified_or_exits_2_with_one_line(c):
    with tempfile.TemporaryDirectory() as folder:
        argv, invalid = build_argv(c, Path(folder))
        try:
            code, out, err = run(argv)
        except BaseException as exc:  # a traceback would have reached the user
            raise AssertionError(f"rdp {' '.join(argv)} raised {exc!r}") from exc
    where = f"rdp {' '.join(argv)}: exit {code}, stderr {err!r}"
    event(f"exit {code}" + (" (invalid input)" if invalid else ""))
    assert "Traceback" not in err, where
    if invalid:
        assert code == 2, where
    assert code in (0, 2, 3), where
    if code == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith("rdp "), where
        assert invalid, where
        return
    data = json.loads(out)
    if code == 0:
        assert certified(data) and err == "", where
    else:
        assert not certified(data) and err.count("\n") == 1, where
    truth = reference(c)
    if not data["feasible"] or truth == float("inf"):
        # infeasible (D < D_min(P)), or a continuous source at D = 0 (R = inf, feasible)
        assert truth == float("inf") and data["rate"] == float("inf"), f"{where}: ref {truth}"
        assert data["feasible"] == (c["kind"] == "gaussian"), where
        return
    slack = 2e-6 * max(1.0, truth)
    assert data["lower"] - slack <= truth <= data["upper"] + slack, f"{where}: ref {truth}"
    if code == 0:
        assert data["rate"] == data["upper"] or abs(data["rate"] - truth) <= 1e-5, where
