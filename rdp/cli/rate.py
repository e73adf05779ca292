"""``rdp rate`` and ``rdp distortion``: R(D, P) and D(R, P) from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from rdp.cli._checks import (
    add_limit_arguments,
    add_solver_arguments,
    check_memory,
    check_points,
    solver_options,
)
from rdp.cli._json import add_json_arguments, dumps, wants_json
from rdp.distortions import DISTORTION_NAMES
from rdp.exceptions import statuses, uncertified, uncertified_message
from rdp.perceptions import PERCEPTION_NAMES
from rdp.problem import Problem
from rdp.problem_file import load_problem
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector, Source
from rdp.status import EXIT_UNCERTIFIED, exit_code

SOURCES = ("bernoulli", "gaussian", "gaussian-vector", "discrete")

RATE_EPILOG = """\
perception names:
  tv               total variation ½‖p_X − p_X̂‖₁
  w1               Wasserstein-1 (transport cost with |x − x̂|)
  w2               squared Wasserstein-2, W₂² (transport cost with |x − x̂|²)
  kl-source-recon  KL(p_X ‖ p_X̂)   (in the rate's units: bits, or nats with --units nats)
  kl-recon-source  KL(p_X̂ ‖ p_X)
  none             no perception constraint (P = ∞, Shannon's R(D))

examples:
  rdp rate --source bernoulli --p 0.1 --distortion hamming --perception tv -D 0.05 -P 0.02
  rdp rate --source gaussian --mean 0 --variance 1 --distortion mse --perception w2 -D 0.5 -P 0.1
  rdp rate --source gaussian --perception kl-recon-source -D 0.3 -P 0.05 --units nats --json
  rdp rate --source bernoulli --p 0.1 --perception tv -D 0.01 0.05 0.1 -P 0.02 --json
  rdp rate --source discrete --pmf 0.5 0.3 0.2 --distortion hamming --perception tv -D 0.2 -P 0.05
  rdp rate problem.json            # a problem file (see docs/cli.md for the schema)

JSON output (--json) is one object with the keys rate, lower, upper, feasible, method, units,
reference, status, message, iterations, D, P and diagnostics; lists where -D/-P have several
values; infeasible points have "rate": Infinity and "feasible": false (Python's json reads
Infinity; --json-strict writes null instead, for jq and other strict parsers).
Several -D values pair with as many -P values (or one -P applies to all).

exit status: 0 every value certified; 2 bad input (one line on stderr); 3 some points have
no certified value (marked UNCONVERGED, bounds only; stderr says how many); 130 interrupted.
"""

DISTORTION_EPILOG = """\
examples:
  rdp distortion --source gaussian --variance 1 --perception w2 -R 1.0 -P 0.0
  rdp distortion --source gaussian --perception w2 -R 1.0 -P 0.0 --common-randomness 0
  rdp distortion --source bernoulli --p 0.1 --perception tv -R 0.2 -P 0.02 --json
  rdp distortion problem.json -R 0.5

JSON output (--json) is one object with the keys distortion, lower, upper, feasible, method,
units, reference, status, message, iterations, R, P and diagnostics (an infinite value is
written Infinity; --json-strict writes null instead).

exit status: 0 every value certified; 2 bad input; 3 some points uncertified; 130 interrupted.
"""


def register(subparsers: Any) -> None:
    """Add the ``rate`` and ``distortion`` subcommands."""
    rate = subparsers.add_parser(
        "rate",
        help="R(D, P): least rate at distortion ≤ D and perception ≤ P",
        description="Compute R(D, P), the least rate (bits) at distortion ≤ D and "
        "perception ≤ P, with certified lower/upper bounds.",
        epilog=RATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_problem_arguments(rate)
    rate.add_argument("-D", nargs="+", type=float, metavar="D", help="distortion bound(s), ≥ 0")
    rate.set_defaults(handler=_run_rate)

    distortion = subparsers.add_parser(
        "distortion",
        help="D(R, P): least distortion at rate ≤ R and perception ≤ P",
        description="Compute D(R, P), the least expected distortion at rate ≤ R (bits) and "
        "perception ≤ P.",
        epilog=DISTORTION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_problem_arguments(distortion)
    distortion.add_argument("-R", nargs="+", type=float, metavar="R", help="rate(s), ≥ 0")
    distortion.add_argument(
        "--common-randomness",
        type=float,
        metavar="RC",
        help="rate of common randomness (Gaussian source, P = 0 only; default unlimited)",
    )
    distortion.set_defaults(handler=_run_distortion)


def _add_problem_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "problem_file", nargs="?", help="JSON problem file (instead of --source options)"
    )
    parser.add_argument(
        "-P", nargs="+", type=float, metavar="P", help="perception bound(s), ≥ 0 (default: ∞)"
    )
    group = parser.add_argument_group("source")
    group.add_argument("--source", choices=SOURCES, help="source family")
    group.add_argument("--p", type=float, help="Bernoulli parameter P(X = 1), in [0, 1]")
    group.add_argument("--mean", type=float, default=None, help="Gaussian mean (default 0)")
    group.add_argument(
        "--variance", type=float, default=None, help="Gaussian variance, > 0 (default 1)"
    )
    group.add_argument(
        "--covariance", help="gaussian-vector covariance as JSON, e.g. '[[1, 0.5], [0.5, 1]]'"
    )
    group.add_argument("--pmf", nargs="+", type=float, help="discrete source pmf")
    group.add_argument("--alphabet", nargs="+", type=float, help="discrete symbol values")
    measures = parser.add_argument_group("measures and method")
    measures.add_argument(
        "--distortion",
        help=f"distortion: {', '.join(DISTORTION_NAMES)} (default: hamming for bernoulli, "
        "mse for gaussian)",
    )
    measures.add_argument(
        "--perception",
        choices=tuple(PERCEPTION_NAMES),
        help="perception measure (default: none)",
    )
    measures.add_argument(
        "--method",
        default=None,
        help="auto (default), closed-form, or a solver name such as fast or cvxpy",
    )
    measures.add_argument(
        "--units", choices=("bits", "nats"), default=None, help="rate units (default bits)"
    )
    add_solver_arguments(measures, tol=parser.prog.split()[-1] == "rate")
    add_json_arguments(parser)
    parser.add_argument(
        "--no-progress", action="store_true", help="hide progress bars (shown on a terminal)"
    )
    add_limit_arguments(parser)


def _problem_and_defaults(args: argparse.Namespace) -> tuple[Problem, dict[str, Any]]:
    """The problem named on the command line, and point/method defaults from a problem file."""
    if args.problem_file is not None:
        if args.source is not None:
            raise ValueError("give either a problem file or --source, not both")
        _unused_source_options(args)
        spec = load_problem(args.problem_file)
        defaults = {"D": spec.D, "P": spec.P, "R": spec.R, "units": spec.units,
                    "method": spec.method}  # fmt: skip
        return spec.problem, defaults
    if args.source is None:
        raise ValueError("--source is required (one of " + ", ".join(SOURCES) + ")")
    if args.P is not None and args.perception in (None, "none"):
        raise ValueError(
            "-P needs a perception measure: add --perception tv, w1, w2, kl-source-recon or "
            "kl-recon-source (without one there is no perception constraint, P = inf)"
        )
    problem = Problem(_source(args), args.distortion, args.perception)
    return problem, {"P": float("inf"), "units": "bits", "method": "auto"}


#: The source options each ``--source`` reads (the others are refused, not ignored).
SOURCE_OPTIONS = {
    "bernoulli": ("p",),
    "gaussian": ("mean", "variance"),
    "gaussian-vector": ("covariance",),
    "discrete": ("pmf", "alphabet"),
}


def _unused_source_options(args: argparse.Namespace) -> None:
    """``ValueError`` naming a source option given that the chosen source does not read."""
    used = SOURCE_OPTIONS.get(args.source, ()) if args.source is not None else ()
    for name in ("p", "mean", "variance", "covariance", "pmf", "alphabet"):
        if getattr(args, name) is not None and name not in used:
            where = (
                "a problem file (its source is in the file)"
                if args.source is None
                else f"--source {args.source} (it reads {', '.join('--' + u for u in used)})"
            )
            raise ValueError(f"--{name} is not used by {where}; remove it")


def _source(args: argparse.Namespace) -> Source:
    _unused_source_options(args)
    if args.source == "bernoulli":
        if args.p is None:
            raise ValueError("--p is required for --source bernoulli (a probability in [0, 1])")
        return Bernoulli(args.p)
    if args.source == "gaussian":
        mean = 0.0 if args.mean is None else args.mean
        return Gaussian(mean, 1.0 if args.variance is None else args.variance)
    if args.source == "gaussian-vector":
        if args.covariance is None:
            raise ValueError("--covariance is required for --source gaussian-vector")
        try:
            covariance = json.loads(args.covariance)
        except json.JSONDecodeError:
            raise ValueError(
                "--covariance must be a JSON matrix, e.g. '[[1, 0], [0, 2]]'"
            ) from None
        return GaussianVector(covariance)
    if args.pmf is None:
        raise ValueError("--pmf is required for --source discrete")
    return Discrete(args.pmf, args.alphabet)


def _values(given: list[float] | None, default: Any, name: str) -> Any:
    values = given if given is not None else default
    if values is None:
        raise ValueError(f"-{name} is required")
    arr = np.asarray(values, dtype=float)
    return arr.item() if arr.size == 1 else arr


def _checked_points(args: argparse.Namespace, first: Any, perception: Any, problem, method: str):
    name = "-D" if args.command == "rate" else "-R"
    sizes = (np.size(first), np.size(perception))
    if sizes[0] > 1 and sizes[1] > 1 and sizes[0] != sizes[1]:
        raise ValueError(
            f"{name} has {sizes[0]} values and -P has {sizes[1]}: give one value for either, "
            f"or as many -P values as {name} values (they are paired)"
        )
    count = int(np.broadcast(np.asarray(first), np.asarray(perception)).size)
    check_points(count, args.max_points)
    check_memory(problem, method, args.max_memory)


def _run_rate(args: argparse.Namespace) -> int:
    problem, defaults = _problem_and_defaults(args)
    D = _values(args.D, defaults.get("D"), "D")
    P = _values(args.P, defaults.get("P"), "P")
    method = args.method or defaults["method"]
    _checked_points(args, D, P, problem, method)
    units = args.units or defaults["units"]
    result = problem.rate(
        D, P, method=method, units=units, progress=False if args.no_progress else None,
        **solver_options(args),
    )  # fmt: skip
    return _emit(result, args, "rate", "D", _perception_unit(problem, units))


def _run_distortion(args: argparse.Namespace) -> int:
    problem, defaults = _problem_and_defaults(args)
    R = _values(args.R, defaults.get("R"), "R")
    P = _values(args.P, defaults.get("P"), "P")
    method = args.method or defaults["method"]
    _checked_points(args, R, P, problem, method)
    units = args.units or defaults["units"]
    result = problem.distortion(
        R,
        P,
        method=method,
        units=units,
        common_randomness=args.common_randomness,
        progress=False if args.no_progress else None,
        **solver_options(args),
    )
    return _emit(result, args, "distortion", "R", _perception_unit(problem, units))


def _perception_unit(problem: Problem, units: str) -> str:
    """The unit of P in the text output: the rate's for a KL bound, none for the others."""
    return f" {units}" if getattr(problem.perception_measure, "information_unit", False) else ""


def _emit(result: Any, args: argparse.Namespace, key: str, given: str, p_unit: str = "") -> int:
    """Print the result; returns the exit status (3 when some points are uncertified)."""
    data = result.to_dict()
    status = statuses(result)
    data.setdefault("status", status.tolist())
    bad = uncertified(result)
    count = int(bad.sum())
    if wants_json(args):
        sys.stdout.write(dumps(data, args.json_strict) + "\n")
    else:
        _table(data, key, given, np.atleast_1d(status), np.atleast_1d(bad), p_unit)
    if count:
        found = np.atleast_1d(status)[np.atleast_1d(bad)].tolist()
        line = uncertified_message(count, bad.size, found)
        sys.stderr.write(f"rdp {key}: {line} (exit status {EXIT_UNCERTIFIED})\n")
    return exit_code(~bad)


def _table(data: dict[str, Any], key: str, given: str, status, bad, p_unit: str = "") -> None:
    unit = data["units"] if key == "rate" else "(distortion units)"
    rows = np.atleast_1d(np.asarray(data[key], dtype=float))
    first = np.broadcast_to(np.asarray(data[given], dtype=float), rows.shape)
    perception = np.broadcast_to(np.asarray(data["P"], dtype=float), rows.shape)
    lower = np.broadcast_to(np.asarray(data["lower"], dtype=float), rows.shape)
    upper = np.broadcast_to(np.asarray(data["upper"], dtype=float), rows.shape)
    feasible = np.broadcast_to(np.asarray(data["feasible"], dtype=bool), rows.shape)
    symbol = "R" if key == "rate" else "D"
    cells = zip(first, perception, rows, lower, upper, feasible, status, bad, strict=True)
    for g, p, v, lo, hi, ok, st, unsure in cells:
        note = "" if ok else "  INFEASIBLE (below the least distortion reachable under P)"
        value = f"{v:.9g}"
        if unsure:
            note = f"  UNCERTIFIED ({st}): no certified value, only the bounds hold"
            value = "unknown" if not np.isfinite(v) else f"~{v:.9g}"
        bounds = f"bounds [{lo:.9g}, {hi:.9g}]"
        shown = "" if unsure else f"   status {st}"
        print(f"{symbol}({given}={g:g}, P={p:g}{p_unit}) = {value} {unit}   {bounds}{shown}{note}")
    print(f"method: {data['method']}")
    print(f"reference: {data['reference']}")
