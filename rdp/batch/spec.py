"""Sweep specs: families of problems with parameter grids, checked before any work.

A spec is a JSON object (or YAML, when PyYAML is installed)::

    {
      "families": [
        {
          "name": "bernoulli",
          "source": {"kind": "bernoulli", "p": "0.05:0.5:32"},
          "distortion": "hamming",
          "perception": ["tv", "kl-source-recon", "kl-recon-source"]
        }
      ],
      "D": "0:0.5:64",
      "P": "0:0.2:64",
      "block": {"D": 16, "P": 16},
      "method": "auto",
      "units": "bits",
      "options": {"tol": 1e-7}
    }

Every value given as a list (or a grid string ``"start:stop:count"``) in a
sweepable field becomes a dimension of the family's dataset, in this order:
the source parameters ``p`` (Bernoulli), ``mean``, ``variance``, ``n`` and
``span`` (Gaussian; with ``n`` the source is discretised on ``n`` cells by
[`rdp.Gaussian.discretize`][rdp.sources.Gaussian.discretize]), ``problem`` (a list of problem
files),
``distortion`` (a list of names) and ``perception`` (a list of names).
A scalar is a fixed value. ``D`` and ``P`` (grids as ``rdp surface`` reads them,
or JSON lists) may be given per family or once for all.

``SPEC_SCHEMA`` is the JSON schema; [`parse_spec`][rdp.batch.spec.parse_spec] checks a spec
against it and against the limits ``MAX_GRID`` (values per grid or
parameter list), ``MAX_POINTS`` (points per sweep) and builds every
problem once, so that a bad spec fails with one ``ValueError`` before any work.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rdp.distortions import DISTORTION_NAMES
from rdp.grids import parse_grid
from rdp.perceptions import PERCEPTION_NAMES
from rdp.problem import Problem

__all__ = [
    "MAX_BLOCK",
    "MAX_GRID",
    "MAX_POINTS",
    "SPEC_SCHEMA",
    "Chunk",
    "Family",
    "SweepSpec",
    "build_problem",
    "load_spec",
    "parse_spec",
]

#: Most values in one grid (D, P) or one swept parameter list.
MAX_GRID = 4096
#: Most (problem, D, P) points in one sweep.
MAX_POINTS = 20_000_000
#: Most points of a chunk along D or P.
MAX_BLOCK = 1024
#: Default chunk block: points along D and along P.
DEFAULT_BLOCK = {"D": 16, "P": 16}

TOP_KEYS = ("families", "D", "P", "block", "method", "units", "options", "warm_start")
FAMILY_KEYS = (
    "name",
    "source",
    "problem_file",
    "distortion",
    "perception",
    "reconstruction_alphabet",
    "D",
    "P",
)
#: Source fields by kind; the swept ones (a list or grid string makes a dimension) first.
SOURCE_FIELDS = {
    "bernoulli": {"swept": ("p",), "fixed": ()},
    "gaussian": {"swept": ("mean", "variance", "n", "span"), "fixed": ()},
    "discrete": {"swept": (), "fixed": ("pmf", "alphabet")},
    "gaussian-vector": {"swept": (), "fixed": ("covariance", "mean")},
}
#: Dimension order of a family's dataset before ``P`` and ``D``.
DIM_ORDER = ("p", "mean", "variance", "n", "span", "problem", "distortion", "perception")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")

_GRID = {
    "oneOf": [
        {"type": "string", "description": "'start:stop:count', 'a,b,c' or 'inf'"},
        {"type": "array", "items": {"type": "number"}, "minItems": 1, "maxItems": MAX_GRID},
    ]
}
_NUMBER_OR_GRID = {"oneOf": [{"type": "number"}, _GRID]}
_NAMES = {
    "oneOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": MAX_GRID},
    ]
}

#: The JSON schema of a sweep spec (``rdp sweep --schema`` prints it).
SPEC_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "rdp sweep spec",
    "type": "object",
    "additionalProperties": False,
    "required": ["families"],
    "properties": {
        "families": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "oneOf": [{"required": ["source"]}, {"required": ["problem_file"]}],
                "properties": {
                    "name": {"type": "string", "pattern": _NAME.pattern},
                    "source": {
                        "type": "object",
                        "description": "as in a problem file; for 'bernoulli' p, for "
                        "'gaussian' mean, variance, n (discretise on n cells) and span may "
                        "be lists or grid strings (swept)",
                        "properties": {
                            "kind": {"enum": list(SOURCE_FIELDS)},
                            "p": _NUMBER_OR_GRID,
                            "mean": _NUMBER_OR_GRID,
                            "variance": _NUMBER_OR_GRID,
                            "n": _NUMBER_OR_GRID,
                            "span": _NUMBER_OR_GRID,
                            "pmf": {"type": "array", "items": {"type": "number"}},
                            "alphabet": {"type": "array", "items": {"type": "number"}},
                            "covariance": {"type": "array"},
                        },
                        "additionalProperties": False,
                    },
                    "problem_file": {
                        "oneOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        ],
                        "description": "problem file(s) (rdp.problem_file), relative to the spec",
                    },
                    "distortion": {
                        "oneOf": [
                            _NAMES,
                            {"type": "array", "items": {"type": "array"}, "minItems": 1},
                        ],
                        "description": "a name, a list of names (swept) or a matrix",
                    },
                    "perception": _NAMES,
                    "reconstruction_alphabet": {"type": "array", "items": {"type": "number"}},
                    "D": _GRID,
                    "P": _GRID,
                },
            },
        },
        "D": _GRID,
        "P": _GRID,
        "block": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "D": {"type": "integer", "minimum": 1, "maximum": MAX_BLOCK},
                "P": {"type": "integer", "minimum": 1, "maximum": MAX_BLOCK},
            },
            "description": "points of one chunk along D and P (default 16 × 16)",
        },
        "method": {"type": "string", "description": "'auto', 'closed-form', 'fast', 'cvxpy'"},
        "units": {"enum": ["bits", "nats"]},
        "options": {"type": "object", "description": "solver options, e.g. tol, max_iter"},
        "warm_start": {"type": "boolean"},
    },
}


@dataclass(frozen=True)
class Family:
    """One family of problems: swept parameters (dims), their coordinates, the grids.

    Attributes
    ----------
    name : str
        The family's name (its group in a multi-family store).
    dims : tuple of str
        The swept parameters, in ``DIM_ORDER``.
    coords : dict
        Parameter name -> 1-D array of its values (str for problem, distortion,
        perception).
    D, P : ndarray
        The grids.
    problems : list of dict
        One problem description per parameter combination (C order over
        ``dims``), as [`build_problem`][rdp.batch.spec.build_problem] reads it.
    fixed : dict
        The scalar (not swept) parameters, kept as attributes.
    """

    name: str
    dims: tuple[str, ...]
    coords: dict[str, np.ndarray]
    D: np.ndarray
    P: np.ndarray
    problems: list[dict[str, Any]]
    fixed: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the family's parameter grid (without P and D)."""
        return tuple(len(self.coords[d]) for d in self.dims)

    @property
    def points(self) -> int:
        """Number of (problem, P, D) points."""
        return len(self.problems) * self.P.size * self.D.size


@dataclass(frozen=True)
class Chunk:
    """One unit of work: one problem × a block of the (P, D) grid.

    ``key`` names the chunk in the store ('family.problem.iP.iD');
    ``index`` is the problem's index tuple in its family's parameter grid;
    ``P_slice``, ``D_slice`` the block's place in the family's grids.
    """

    key: str
    family: str
    index: tuple[int, ...]
    P_slice: slice
    D_slice: slice
    problem: dict[str, Any]
    D: np.ndarray
    P: np.ndarray
    method: str
    units: str
    options: dict[str, Any]
    warm_start: bool

    @property
    def points(self) -> int:
        """Number of points in the chunk."""
        return self.D.size * self.P.size


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep spec: families, chunking, solver settings and a fingerprint.

    ``raw`` is the spec as given; ``fingerprint`` a SHA-256 over the expanded
    spec (grids, problems, problem files' contents, block, solver settings):
    a store written for one fingerprint is not resumed for another.
    """

    raw: dict[str, Any]
    families: tuple[Family, ...]
    block: dict[str, int]
    method: str
    units: str
    options: dict[str, Any]
    warm_start: bool
    fingerprint: str

    @property
    def points(self) -> int:
        """Number of points of the whole sweep."""
        return sum(f.points for f in self.families)

    def chunks(self) -> list[Chunk]:
        """Every chunk, in a fixed order (family, problem in C order, P block, D block)."""
        out = []
        bP, bD = self.block["P"], self.block["D"]
        for fam in self.families:
            indices = list(np.ndindex(*fam.shape)) if fam.dims else [()]
            for k, (index, problem) in enumerate(zip(indices, fam.problems, strict=True)):
                for i0 in range(0, fam.P.size, bP):
                    for j0 in range(0, fam.D.size, bD):
                        ps, ds = (
                            slice(i0, min(i0 + bP, fam.P.size)),
                            slice(j0, min(j0 + bD, fam.D.size)),
                        )
                        out.append(
                            Chunk(
                                key=f"{fam.name}.{k}.{i0 // bP}.{j0 // bD}",
                                family=fam.name,
                                index=tuple(int(i) for i in index),
                                P_slice=ps,
                                D_slice=ds,
                                problem=problem,
                                D=fam.D[ds],
                                P=fam.P[ps],
                                method=self.method,
                                units=self.units,
                                options=dict(self.options),
                                warm_start=self.warm_start,
                            )
                        )
        return out


# ---------------------------------------------------------------------- reading
def load_spec(path: str | Path) -> SweepSpec:
    """Read a spec file (``.json``, or ``.yaml``/``.yml`` with PyYAML) and check it."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ValueError(f"cannot read sweep spec {str(path)!r}: {err.strerror}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ValueError("YAML specs need PyYAML (pip install pyyaml); or use JSON") from None
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise ValueError(f"sweep spec {str(path)!r} is not valid YAML: {err}") from None
    else:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"sweep spec {str(path)!r} is not valid JSON: {err}") from None
    return parse_spec(raw, base=path.parent)


def parse_spec(spec: dict[str, Any] | SweepSpec, base: str | Path = ".") -> SweepSpec:
    """Check ``spec`` (a dict following ``SPEC_SCHEMA``) and expand its families.

    Problem files are read relative to ``base``. Raises ``ValueError`` (one
    line naming the offending entry) on unknown keys, wrong types, empty
    grids, grids or sweeps beyond ``MAX_GRID`` / ``MAX_POINTS``,
    missing problem files and parameters that make no valid problem.
    """
    if isinstance(spec, SweepSpec):
        return spec
    if not isinstance(spec, dict):
        raise ValueError("a sweep spec must be a JSON object with a 'families' list")
    raw = copy.deepcopy(spec)
    _check_keys(spec, TOP_KEYS, "sweep spec")
    families_raw = spec.get("families")
    if not isinstance(families_raw, list) or not families_raw:
        raise ValueError("sweep spec needs a non-empty 'families' list")
    block = dict(DEFAULT_BLOCK)
    given_block = spec.get("block", {})
    if not isinstance(given_block, dict):
        raise ValueError('\'block\' must be an object such as {"D": 16, "P": 16}')
    _check_keys(given_block, ("D", "P"), "'block'")
    for axis, value in given_block.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BLOCK:
            raise ValueError(
                f"'block.{axis}' must be an integer in [1, {MAX_BLOCK}]; got {value!r}"
            )
        block[axis] = value
    method = spec.get("method", "auto")
    _check_method(method)
    units = spec.get("units", "bits")
    if units not in ("bits", "nats"):
        raise ValueError(f"'units' must be 'bits' or 'nats'; got {units!r}")
    options = spec.get("options", {})
    if not isinstance(options, dict):
        raise ValueError("'options' must be an object of solver options, e.g. {\"tol\": 1e-7}")
    warm_start = spec.get("warm_start", True)
    if not isinstance(warm_start, bool):
        raise ValueError(f"'warm_start' must be true or false; got {warm_start!r}")

    families: list[Family] = []
    names: set[str] = set()
    for i, fam in enumerate(families_raw):
        family = _family(fam, i, spec, Path(base), names)
        names.add(family.name)
        families.append(family)
    for family in families:
        _check_method_applies(family, method, options)
    total = sum(f.points for f in families)
    if total > MAX_POINTS:
        raise ValueError(
            f"the sweep has {total:,} points, beyond the limit of {MAX_POINTS:,}; "
            "split it into several specs or use coarser grids"
        )
    expanded = {
        "families": [
            {
                "name": f.name,
                "dims": list(f.dims),
                "coords": {d: np.asarray(v).tolist() for d, v in f.coords.items()},
                "D": f.D.tolist(),
                "P": f.P.tolist(),
                "problems": f.problems,
            }
            for f in families
        ],
        "block": block,
        "method": method,
        "units": units,
        "options": options,
        "warm_start": warm_start,
    }
    text = json.dumps(expanded, sort_keys=True, default=repr)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    return SweepSpec(
        raw=raw,
        families=tuple(families),
        block=block,
        method=method,
        units=units,
        options=dict(options),
        warm_start=warm_start,
        fingerprint=fingerprint,
    )


def build_problem(description: dict[str, Any]) -> Problem:
    """The [`Problem`][rdp.problem.Problem] of one problem description (a problem-file dict).

    A Gaussian source with ``n`` is discretised on ``n`` cells
    ([`rdp.Gaussian.discretize`][rdp.sources.Gaussian.discretize], with ``span`` when given).
    """
    from rdp.problem_file import parse_problem

    description = copy.deepcopy(description)
    source = description["source"]
    n = source.pop("n", None) if isinstance(source, dict) else None
    span = source.pop("span", None) if isinstance(source, dict) else None
    if span is not None and n is None:
        raise ValueError("'source.span' applies to a discretised Gaussian only (give 'n')")
    parsed = parse_problem(description).problem
    if n is None:
        return parsed
    if isinstance(n, bool) or not float(n).is_integer() or n < 2:
        raise ValueError(f"'source.n' must be an integer ≥ 2 (cells); got {n!r}")
    discrete = parsed.source.discretize(int(n), span=span)
    distortion = description.get("distortion") or "mse"
    return Problem(
        discrete,
        distortion,
        description.get("perception", "none"),
        reconstruction_alphabet=description.get("reconstruction_alphabet"),
    )


# ---------------------------------------------------------------------- families
def _family(fam: Any, i: int, spec: dict, base: Path, taken: set[str]) -> Family:
    where = f"families[{i}]"
    if not isinstance(fam, dict):
        raise ValueError(f"{where} must be an object with a 'source' or a 'problem_file'")
    _check_keys(fam, FAMILY_KEYS, where)
    if ("source" in fam) == ("problem_file" in fam):
        raise ValueError(f"{where} needs exactly one of 'source' and 'problem_file'")
    axes: dict[str, list[Any]] = {}
    fixed: dict[str, Any] = {}
    if "source" in fam:
        source = fam["source"]
        if not isinstance(source, dict):
            raise ValueError(f'{where}.source must be an object, e.g. {{"kind": "bernoulli"}}')
        kind = source.get("kind", "discrete" if "pmf" in source else None)
        if kind not in SOURCE_FIELDS:
            raise ValueError(
                f"{where}.source.kind must be one of {', '.join(map(repr, SOURCE_FIELDS))} "
                f"(or give 'pmf'); got {kind!r}"
            )
        allowed = SOURCE_FIELDS[kind]
        _check_keys(source, ("kind", *allowed["swept"], *allowed["fixed"]), f"{where}.source")
        for name in allowed["swept"]:
            if name in source:
                value = source[name]
                if isinstance(value, list | str):
                    axes[name] = _grid(value, f"{where}.source.{name}", allow_inf=False).tolist()
                else:
                    fixed[name] = value
        base_source = {k: v for k, v in source.items() if k not in axes}
        base_source["kind"] = kind
        default_name = kind
    else:
        files = fam["problem_file"]
        paths = [files] if isinstance(files, str) else files
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise ValueError(f"{where}.problem_file must be a path or a non-empty list of paths")
        _check_length(paths, f"{where}.problem_file")
        contents = {}
        for p in paths:
            contents[p] = _read_problem_file(base / p, f"{where}.problem_file")
        if isinstance(files, list):
            axes["problem"] = paths
        else:
            fixed["problem"] = files
        base_source = None
        default_name = "problems"

    distortion = fam.get("distortion")
    if isinstance(distortion, list) and distortion and all(isinstance(d, str) for d in distortion):
        axes["distortion"] = _names(distortion, DISTORTION_NAMES, f"{where}.distortion")
    elif isinstance(distortion, list) and not distortion:
        raise ValueError(f"{where}.distortion is an empty list")
    perception = fam.get("perception")
    if isinstance(perception, list):
        if not perception or not all(isinstance(p, str) for p in perception):
            raise ValueError(f"{where}.perception must be a name or a non-empty list of names")
        axes["perception"] = _names(perception, PERCEPTION_NAMES, f"{where}.perception")

    name = fam.get("name", default_name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"{where}.name must start with a letter and hold letters, digits, '_' or '-'; "
            f"got {name!r}"
        )
    if name in taken:
        if "name" in fam:
            raise ValueError(f"{where}.name {name!r} is used by another family")
        name = f"{name}-{i}"
    D = _grid(_axis(fam, spec, "D", where), f"{where}.D", allow_inf=False)
    P = _grid(_axis(fam, spec, "P", where), f"{where}.P", allow_inf=True)

    dims = tuple(d for d in DIM_ORDER if d in axes)
    coords = {d: np.asarray(axes[d]) for d in dims}
    if "n" in coords:
        coords["n"] = coords["n"].astype(int)
    problems = []
    for combo in itertools.product(*(axes[d] for d in dims)):
        values = dict(zip(dims, combo, strict=True))
        if base_source is not None:
            src = dict(base_source)
            src.update(
                {k: v for k, v in values.items() if k in SOURCE_FIELDS[src["kind"]]["swept"]}
            )
            description: dict[str, Any] = {"source": src}
        else:
            path = values.get("problem", fixed.get("problem"))
            description = copy.deepcopy(contents[path])
            for key in ("D", "P", "R", "units", "method"):
                description.pop(key, None)
        for key in ("distortion", "perception", "reconstruction_alphabet"):
            if key in values:
                description[key] = values[key]
            elif key in fam:
                description[key] = fam[key]
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        try:
            problem = build_problem(description)
        except (ValueError, TypeError) as err:
            raise ValueError(f"{where}{' (' + shown + ')' if shown else ''}: {err}") from None
        if problem.perception_measure.name == "none" and np.isfinite(P).any():
            raise ValueError(
                f"{where}{' (' + shown + ')' if shown else ''}: perception 'none' has no "
                "perception constraint, so its P grid must be 'inf'; put it in a family of its "
                'own with "P": "inf"'
            )
        problems.append(description)
    for key in ("distortion", "perception"):
        if key in fam and key not in axes:
            fixed[key] = fam[key]
    return Family(name, dims, coords, D, P, problems, fixed)


def _axis(fam: dict, spec: dict, axis: str, where: str) -> Any:
    if axis in fam:
        return fam[axis]
    if axis in spec:
        return spec[axis]
    raise ValueError(f"{where} has no {axis} grid (give '{axis}' in the family or the spec)")


def _grid(value: Any, name: str, *, allow_inf: bool) -> np.ndarray:
    """A 1-D grid from 'a:b:n', 'a,b,c', 'inf' or a JSON list (the syntax of ``rdp.grids``)."""
    if isinstance(value, str):
        arr = parse_grid(value, name)
    elif isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        arr = np.asarray(value, dtype=float)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        arr = np.asarray([value], dtype=float)
    else:
        raise ValueError(f"{name} must be a grid string ('0:0.5:64') or a list of numbers")
    if arr.size == 0:
        raise ValueError(f"{name} is an empty grid")
    _check_length(arr, name)
    if np.isnan(arr).any() or ((arr < 0).any() and name.endswith((".D", ".P"))):
        raise ValueError(f"{name} must hold numbers ≥ 0; got {value!r}")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite; got {value!r}")
    if len(np.unique(arr)) != arr.size:
        raise ValueError(f"{name} repeats a value; a grid's values must differ")
    return arr


def _names(values: list[str], known, field: str) -> list[str]:
    """A swept list of measure names, each checked against ``known`` (case-insensitive)."""
    _check_length(values, field)
    seen: dict[str, str] = {}
    for value in values:
        if value.lower() not in known:
            raise ValueError(f"{field} entries must be among {', '.join(known)}; got {value!r}")
        if value.lower() in seen:
            raise ValueError(
                f"{field} names {seen[value.lower()]!r} and {value!r}, the same measure (names "
                "are case-insensitive); list each once"
            )
        seen[value.lower()] = value
    return list(values)


def _check_length(values: Any, name: str) -> None:
    if len(values) > MAX_GRID:
        raise ValueError(f"{name} has {len(values):,} values, beyond the limit of {MAX_GRID:,}")


def _check_keys(obj: dict, known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(obj) - set(known))
    if unknown:
        raise ValueError(f"{where} has unknown key(s) {unknown}; known: {sorted(known)}")


def _check_method(method: Any) -> None:
    from rdp.methods import METHODS

    if not isinstance(method, str) or (method != "auto" and method not in METHODS):
        raise ValueError(
            f"'method' must be 'auto' or one of {', '.join(map(repr, METHODS))}; got {method!r}"
        )


def _check_method_applies(family: Family, method: str, options: dict[str, Any]) -> None:
    """Build the method (with the solver options) once per distortion × perception of a family."""
    seen = set()
    for description in family.problems:
        key = json.dumps(
            [description.get("distortion"), description.get("perception")], default=repr
        )
        if key in seen:
            continue
        seen.add(key)
        try:
            build_problem(description).method(method, **options)
        except (ValueError, TypeError) as err:
            raise ValueError(f"family {family.name!r}: method {method!r}: {err}") from None


def _read_problem_file(path: Path, where: str) -> dict[str, Any]:
    from rdp.problem_file import load_problem

    if not path.is_file():
        raise ValueError(f"{where}: problem file {str(path)!r} does not exist")
    load_problem(path)
    return json.loads(path.read_text())
