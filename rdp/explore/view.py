"""What the explorer shows, as data: one [`View`][rdp.explore.view.View] of the controls.

A view names a source, a distortion, a perception measure, the units and the
point: R(D, P) (``mode="rate"``) or D(R, P) (``mode="distortion"``).
[`build_problem`][rdp.explore.view.build_problem] turns it into the
[`Problem`][rdp.problem.Problem] whose ``rate``/``distortion`` give every number shown;
[`python_code`][rdp.explore.view.python_code] and [`cli_command`][rdp.explore.view.cli_command]
write the calls that reproduce it. Text fields (a pmf, an alphabet, a covariance matrix,
a ``scipy.stats`` law's parameters) are parsed here, and bad text raises one
``ValueError`` naming the field and what it accepts.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rdp.perceptions import PERCEPTION_NAMES
from rdp.problem import Problem
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector, Source

#: Source families offered by the explorer.
SOURCES = ("bernoulli", "gaussian", "gaussian-vector", "discrete", "scipy")
#: Distortion names offered (every named distortion of ``rdp.distortions``).
DISTORTIONS = ("hamming", "mse", "absolute")
#: Perception names offered (every measure of ``rdp.perceptions``).
PERCEPTIONS = tuple(PERCEPTION_NAMES)
#: What the point is: R(D, P) or D(R, P).
MODES = ("rate", "distortion")


@dataclass(frozen=True)
class View:
    """The explorer's controls: a problem and one point on its R(D, P) surface.

    Parameters
    ----------
    source : {'bernoulli', 'gaussian', 'gaussian-vector', 'discrete', 'scipy'}
        The source family; 'scipy' is a ``scipy.stats`` law discretised on
        ``cells`` equal cells ([`Discrete.from_scipy`][rdp.sources.Discrete.from_scipy]).
    p : float
        Bernoulli parameter P(X = 1).
    mean, variance : float
        Gaussian mean and variance σ².
    covariance : str
        Vector Gaussian covariance: rows split by ';' or new lines, entries by ',' or
        spaces (or a JSON matrix).
    pmf, alphabet : str
        Discrete source: probabilities and (optional, default 0..N-1) symbol values.
    law, law_parameters : str
        ``scipy.stats`` distribution name and its parameters as ``name=value`` pairs
        (e.g. ``'df=3, scale=2'``).
    cells : int
        Cells of the discretised ``scipy.stats`` law.
    distortion : {'hamming', 'mse', 'absolute'}
    perception : str
        A name of ``rdp.perceptions.PERCEPTION_NAMES``.
    units : {'bits', 'nats'}
        Units of rates and of KL perception levels.
    mode : {'rate', 'distortion'}
        Show R(D, P) at ``D`` or D(R, P) at ``R``.
    D, P, R : float
        The point (``P`` is ignored without a perception measure).
    """

    source: str = "bernoulli"
    p: float = 0.1
    mean: float = 0.0
    variance: float = 1.0
    covariance: str = "1, 0.5; 0.5, 1"
    pmf: str = "0.5, 0.3, 0.2"
    alphabet: str = ""
    law: str = "laplace"
    law_parameters: str = ""
    cells: int = 16
    distortion: str = "hamming"
    perception: str = "tv"
    units: str = "bits"
    mode: str = "rate"
    D: float = 0.05
    P: float = 0.02
    R: float = 0.5

    @property
    def perception_level(self) -> float:
        """The perception bound used: ``P``, or ``inf`` without a perception measure."""
        return float("inf") if self.perception == "none" else float(self.P)


# ---------------------------------------------------------------- parsing text fields
_SPLIT = re.compile(r"[,\s]+")


def parse_numbers(text: str, name: str) -> NDArray:
    """Numbers separated by commas or spaces (``'0.5, 0.3 0.2'``), as a float array.

    Raises ``ValueError`` naming ``name`` when the text is empty or holds a non-number.
    """
    parts = [part for part in _SPLIT.split(str(text).strip().strip("[]")) if part]
    if not parts:
        raise ValueError(f"{name}: enter numbers separated by commas or spaces")
    try:
        values = np.array([float(part) for part in parts])
    except ValueError:
        bad = next(part for part in parts if not _is_number(part))
        raise ValueError(f"{name}: {bad!r} is not a number") from None
    if not np.isfinite(values).all():
        raise ValueError(f"{name}: every value must be finite")
    return values


def parse_matrix(text: str, name: str = "covariance") -> NDArray:
    """A matrix typed as rows split by ';' or new lines (or as a JSON list of rows)."""
    text = str(text).strip()
    if text.startswith("[["):
        try:
            rows = [np.asarray(row, dtype=float) for row in json.loads(text)]
        except (json.JSONDecodeError, TypeError, ValueError):
            raise ValueError(f"{name}: not a JSON matrix such as [[1, 0.5], [0.5, 1]]") from None
    else:
        rows = [parse_numbers(row, name) for row in re.split(r"[;\n]", text) if row.strip()]
    if not rows or any(row.size != len(rows) for row in rows):
        raise ValueError(f"{name}: enter a square matrix, rows split by ';' (e.g. 1, 0.5; 0.5, 1)")
    return np.vstack(rows)


def parse_parameters(text: str, name: str = "law parameters") -> dict[str, float]:
    """``'df=3, scale=2'`` as ``{'df': 3.0, 'scale': 2.0}`` (empty text: no parameters)."""
    out: dict[str, float] = {}
    for item in (part.strip() for part in str(text).split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ValueError(f"{name}: write name=value pairs, e.g. 'df=3, scale=2'; got {item!r}")
        try:
            out[key] = float(value)
        except ValueError:
            raise ValueError(f"{name}: {value.strip()!r} (for {key}) is not a number") from None
    return out


def read_pmf_csv(data: bytes | str) -> tuple[str, str]:
    """The (pmf, alphabet) text fields from a CSV file.

    One column holds the pmf; two columns hold the alphabet (symbol values), then
    the pmf. A first row that is not numeric is a header and is skipped.
    """
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if rows and not all(_is_number(cell) for cell in rows[0] if cell.strip()):
        rows = rows[1:]
    if not rows:
        raise ValueError("pmf file: no rows of numbers")
    widths = {len([cell for cell in row if cell.strip()]) for row in rows}
    if widths not in ({1}, {2}):
        raise ValueError("pmf file: use one column (pmf) or two (value, pmf) on every row")
    cells = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    for row in cells:
        for cell in row:
            if not _is_number(cell):
                raise ValueError(f"pmf file: {cell!r} is not a number")
    if widths == {1}:
        return ", ".join(row[0] for row in cells), ""
    return ", ".join(row[1] for row in cells), ", ".join(row[0] for row in cells)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- the problem
def build_source(view: View) -> Source:
    """The source the view names (``ValueError`` naming the field on bad input)."""
    if view.source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}; got {view.source!r}")
    if view.source == "bernoulli":
        return Bernoulli(view.p)
    if view.source == "gaussian":
        return Gaussian(view.mean, view.variance)
    if view.source == "gaussian-vector":
        return GaussianVector(parse_matrix(view.covariance))
    if view.source == "discrete":
        pmf = parse_numbers(view.pmf, "pmf")
        alphabet = parse_numbers(view.alphabet, "alphabet") if view.alphabet.strip() else None
        return Discrete(pmf, alphabet)
    return Discrete.from_scipy(scipy_law(view), view.cells)


def scipy_law(view: View):
    """The frozen ``scipy.stats`` continuous law the view names."""
    from scipy import stats

    law = getattr(stats, view.law.strip(), None) if view.law.strip().isidentifier() else None
    if not isinstance(law, stats.rv_continuous):
        raise ValueError(
            f"law: {view.law!r} is not a continuous scipy.stats distribution "
            "(e.g. norm, laplace, t, gamma, uniform)"
        )
    try:
        return law(**parse_parameters(view.law_parameters))
    except TypeError as err:
        raise ValueError(f"law parameters: {err}") from None


def build_problem(view: View) -> Problem:
    """The [`Problem`][rdp.problem.Problem] the view shows."""
    if view.perception not in PERCEPTIONS:
        raise ValueError(f"perception must be one of {', '.join(PERCEPTIONS)}")
    if view.units not in ("bits", "nats"):
        raise ValueError(f"units must be 'bits' or 'nats'; got {view.units!r}")
    if view.mode not in MODES:
        raise ValueError(f"mode must be 'rate' or 'distortion'; got {view.mode!r}")
    return Problem(build_source(view), view.distortion, view.perception)


# ---------------------------------------------------------------- copy as code
def _number(value: float) -> str:
    return repr(float(value))


def _numbers(values: NDArray) -> str:
    return ", ".join(_number(v) for v in values)


def _source_code(view: View) -> tuple[str, str]:
    """(the rdp class, source expression) of the view's source in Python."""
    if view.source == "bernoulli":
        return "Bernoulli", f"Bernoulli({_number(view.p)})"
    if view.source == "gaussian":
        return "Gaussian", f"Gaussian({_number(view.mean)}, {_number(view.variance)})"
    if view.source == "gaussian-vector":
        rows = ", ".join(f"[{_numbers(row)}]" for row in parse_matrix(view.covariance))
        return "GaussianVector", f"GaussianVector([{rows}])"
    if view.source == "discrete":
        pmf = parse_numbers(view.pmf, "pmf")
        if view.alphabet.strip():
            alphabet = parse_numbers(view.alphabet, "alphabet")
            return "Discrete", f"Discrete([{_numbers(pmf)}], [{_numbers(alphabet)}])"
        return "Discrete", f"Discrete([{_numbers(pmf)}])"
    parameters = parse_parameters(view.law_parameters)
    arguments = ", ".join(f"{key}={_number(value)}" for key, value in parameters.items())
    law = f"stats.{view.law.strip()}({arguments})"
    return "Discrete", f"Discrete.from_scipy({law}, {int(view.cells)})"


def _call(view: View) -> str:
    P = "" if view.perception == "none" else f", {_number(view.P)}"
    if view.mode == "rate":
        return f"problem.rate({_number(view.D)}{P}, units={view.units!r})"
    return f"problem.distortion({_number(view.R)}{P}, units={view.units!r})"


def python_code(view: View) -> str:
    """Python that builds the view's problem and computes its point (``result``)."""
    name, source = _source_code(view)
    imports = ["from scipy import stats"] if view.source == "scipy" else []
    lines = [
        *imports,
        f"from rdp import {name}, Problem",
        "",
        f"problem = Problem({source}, {view.distortion!r}, {view.perception!r})",
        f"result = {_call(view)}",
        f"print(result.{view.mode}, result.lower, result.upper, result.status, result.method)",
    ]
    return "\n".join(lines) + "\n"


def cli_arguments(view: View) -> list[str]:
    """The ``rdp`` command-line arguments computing the view's point (with ``--json``).

    A ``scipy.stats`` law has no command-line form of its own: its discretised pmf
    and alphabet are written out (``--source discrete --pmf ... --alphabet ...``).
    """
    args = [view.mode]
    source = build_source(view)
    if view.source == "bernoulli":
        args += ["--source", "bernoulli", "--p", _number(view.p)]
    elif view.source == "gaussian":
        args += ["--source", "gaussian", "--mean", _number(view.mean)]
        args += ["--variance", _number(view.variance)]
    elif view.source == "gaussian-vector":
        args += ["--source", "gaussian-vector", "--covariance"]
        args += [json.dumps(parse_matrix(view.covariance).tolist())]
    else:
        args += ["--source", "discrete", "--pmf", *map(_number, source.pmf)]
        args += ["--alphabet", *map(_number, source.alphabet)]
    args += ["--distortion", view.distortion, "--perception", view.perception]
    args += ["-D", _number(view.D)] if view.mode == "rate" else ["-R", _number(view.R)]
    if view.perception != "none":
        args += ["-P", _number(view.P)]
    return [*args, "--units", view.units, "--json"]


def cli_command(view: View) -> str:
    """The shell command (``rdp rate ...`` or ``rdp distortion ...``) for the view's point."""
    return shlex.join(["rdp", *cli_arguments(view)])
