"""Problems described in JSON files, as read by ``rdp rate problem.json`` and ``rdp surface``.

Schema (keys other than ``source`` optional)::

    {
      "source": {"pmf": [...], "alphabet": [...]}        # a finite source
              | {"kind": "bernoulli", "p": 0.1}
              | {"kind": "gaussian", "mean": 0, "variance": 1}
              | {"kind": "gaussian-vector", "covariance": [[...]], "mean": [...]},
      "reconstruction_alphabet": [...],
      "distortion": "hamming" | "mse" | "absolute" | [[matrix]],
      "perception": "tv" | "w1" | "w2" | "kl-source-recon" | "kl-recon-source" | "none"
                  | {"kind": "w1" | "w2", "cost": [[matrix]]},
      "D": 0.1, "P": 0.05, "R": 1.0,
      "units": "bits" | "nats",
      "method": "auto" | "closed-form" | "fast" | "cvxpy"
    }

``kl-source-recon`` is KL(p_X‖p_X̂) and ``kl-recon-source`` is KL(p_X̂‖p_X).

Types are checked as JSON gives them: numbers must be JSON numbers (``0.1``,
not ``"0.1"``; ``true`` is not 1), ``D``, ``P`` and ``R`` a number or a list of
numbers (leave ``P`` out for no perception bound; JSON's ``Infinity`` is
accepted), names strings. A ``pmf`` within 1e-9 of summing to 1 is
renormalised (see [`Discrete`][rdp.sources.Discrete]).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdp._validation import as_real_array, plain
from rdp.perceptions import Perception, Wasserstein, perception_from_name
from rdp.problem import Problem
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector, Source

KNOWN_KEYS = {
    "source", "reconstruction_alphabet", "distortion", "perception",
    "D", "P", "R", "units", "method",
}  # fmt: skip


@dataclass(frozen=True)
class ProblemFile:
    """A parsed problem file: the [`Problem`][rdp.problem.Problem] and the point(s) it names."""

    problem: Problem
    D: Any = None
    P: Any = None
    R: Any = None
    units: str = "bits"
    method: str = "auto"


def parse_problem(spec: dict[str, Any]) -> ProblemFile:
    """Build a ``ProblemFile`` from a dict following the module's schema."""
    if not isinstance(spec, dict):
        raise ValueError("problem file must hold a JSON object")
    unknown = set(spec) - KNOWN_KEYS
    if unknown:
        raise ValueError(
            f"problem file has unknown key(s) {sorted(unknown)}; known: {sorted(KNOWN_KEYS)}"
        )
    if "source" not in spec:
        raise ValueError("problem file needs a 'source' entry")
    for key in ("D", "P", "R"):
        if key in spec:
            _points(spec[key], key)
    for key in ("units", "method"):
        if key in spec and not isinstance(spec[key], str):
            raise ValueError(f"'{key}' must be a string; got {plain(spec[key])}")
    if isinstance(spec.get("distortion"), dict | bool | int | float):
        raise ValueError(
            "'distortion' must be a name ('hamming', 'mse', 'absolute') or a matrix (list of "
            f"rows); got {plain(spec['distortion'])}"
        )
    problem = Problem(
        _source(spec["source"]),
        spec.get("distortion"),
        _perception(spec.get("perception", "none")),
        reconstruction_alphabet=spec.get("reconstruction_alphabet"),
    )
    return ProblemFile(
        problem,
        D=spec.get("D"),
        P=spec.get("P", float("inf")),
        R=spec.get("R"),
        units=spec.get("units", "bits"),
        method=spec.get("method", "auto"),
    )


def load_problem(path: str | Path) -> ProblemFile:
    """Read and parse a problem file (see the module docstring for the schema)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ValueError(f"cannot read problem file {str(path)!r}: {err.strerror}") from None
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"problem file {str(path)!r} is not valid JSON: {err}") from None
    return parse_problem(spec)


def _points(value: Any, key: str) -> None:
    """``ValueError`` unless ``value`` is a JSON number or a flat list of numbers."""
    if isinstance(value, list):
        if not value or any(isinstance(v, list) for v in value):
            raise ValueError(f"'{key}' must be a number or a non-empty flat list of numbers")
    if value is None:
        raise ValueError(
            f"'{key}' must be a number or a list of numbers; got null"
            + (" (leave P out for no perception bound)" if key == "P" else "")
        )
    as_real_array(value, f"'{key}'")


def _source(spec: Any) -> Source:
    if not isinstance(spec, dict):
        raise ValueError("'source' must be an object, e.g. {\"pmf\": [0.9, 0.1]}")
    kind = spec.get("kind", "discrete" if "pmf" in spec else None)
    if not isinstance(kind, str | None):
        raise ValueError(f"'source.kind' must be a string; got {plain(kind)}")
    fields = {k: v for k, v in spec.items() if k != "kind"}
    builders = {
        "discrete": Discrete,
        "bernoulli": Bernoulli,
        "gaussian": Gaussian,
        "gaussian-vector": GaussianVector,
    }
    if kind not in builders:
        raise ValueError(
            "'source.kind' must be one of 'discrete', 'bernoulli', 'gaussian', 'gaussian-vector' "
            f"(or give 'pmf'); got {kind!r}"
        )
    try:
        return builders[kind](**fields)
    except TypeError as err:
        raise ValueError(f"'source' entry has wrong fields for kind {kind!r}: {err}") from None
    except ValueError as err:
        raise ValueError(f"'source': {err}") from None


def _perception(spec: Any) -> Perception:
    if isinstance(spec, dict):
        kind = spec.get("kind")
        if not isinstance(kind, str) or kind not in ("w1", "w2"):
            raise ValueError(
                f"'perception' object must have kind 'w1' or 'w2' with a 'cost'; got {plain(kind)}"
            )
        unknown = set(spec) - {"kind", "cost"}
        if unknown:
            raise ValueError(f"'perception' object has unknown key(s) {sorted(unknown)}")
        return Wasserstein(int(kind[1]), spec.get("cost"))
    return perception_from_name(spec)
