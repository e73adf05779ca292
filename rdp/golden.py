r"""Golden tables: R(D, P) and D(R, P) on fixed grids for every closed form and finite problem.

``rdp golden --out DIR`` (or [`write_tables`][rdp.golden.write_tables]) writes, for each table, a
CSV file (one row per grid point) and a JSON file (the same rows with the
problem, method, reference and units). The tables committed under
``docs/data/golden/`` are the numbers behind the library's curves;
``tests/test_golden.py`` recomputes every committed value (a regression guard).

Columns: ``D``, ``P`` (or ``R``, ``P``), the value (``rate`` in bits or
``distortion``), its certified ``lower`` and ``upper`` bounds (equal for
exact closed forms; the solver's bounds for finite problems; the proven
bounds for the Gaussian KL(p_X‖p_X̂) and f-divergence problems, whose ``rate`` is the
midpoint),
its ``status`` ([`rdp.status.Status`][rdp.status.Status]) and whether it is
``certified`` ([`rdp.status.is_certified`][rdp.status.is_certified]).
KL and Jensen–Shannon perception values are in bits.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["GoldenTable", "compute", "tables", "write_tables"]


@dataclass(frozen=True)
class GoldenTable:
    """One table: which problem, which quantity, on which grid."""

    name: str
    description: str
    build: Callable[[], Any]
    kind: str  # 'rate': grid (D, P); 'distortion': grid (R, P); 'function': custom
    first: tuple[float, ...]
    second: tuple[float, ...]
    method: str = "auto"


def _problem(source: Any, distortion: str, perception: str) -> Callable[[], Any]:
    def build() -> Any:
        from rdp.problem import Problem

        return Problem(source, distortion, perception)

    return build


def tables() -> list[GoldenTable]:
    """The fixed set of golden tables."""
    from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector

    three = Discrete([0.5, 0.3, 0.2], [0.0, 1.0, 2.0])
    vector = GaussianVector(np.diag([2.0, 1.0, 0.25]))
    gaussian_D = (0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5)
    gaussian_P = (0.0, 0.05, 0.2, 1.0)
    rates = (0.25, 0.5, 1.0, 2.0)
    out = [
        GoldenTable(
            "bernoulli-0.1-hamming-tv",
            "Bernoulli(0.1), Hamming, TV (Blau & Michaeli 2019, Thm 2)",
            _problem(Bernoulli(0.1), "hamming", "tv"),
            "rate",
            (0.01, 0.03, 0.05, 0.08, 0.12, 0.16),
            (0.0, 0.02, 0.05, 0.1),
        ),
    ]
    for direction in ("kl-source-recon", "kl-recon-source"):
        out.append(
            GoldenTable(
                f"bernoulli-0.2-hamming-{direction}",
                f"Bernoulli(0.2), Hamming, {direction} (reduction to TV, derived here)",
                _problem(Bernoulli(0.2), "hamming", direction),
                "rate",
                (0.02, 0.05, 0.1, 0.15, 0.25),
                (0.0, 0.01, 0.05, 0.2),
            )
        )
    bounded = ("kl-source-recon", "hellinger", "js", "chi2-recon-source", "chi2-source-recon")
    for perception in ("w2", "kl-recon-source", *bounded):
        note = "bounds (derived here)" if perception in bounded else "Zhang et al. 2021"
        out.append(
            GoldenTable(
                f"gaussian-1-mse-{perception}",
                f"Gaussian(0, 1), MSE, {perception} ({note})",
                _problem(Gaussian(0.0, 1.0), "mse", perception),
                "rate",
                gaussian_D,
                gaussian_P,
            )
        )
        out.append(
            GoldenTable(
                f"gaussian-1-mse-{perception}-distortion",
                f"Gaussian(0, 1), MSE, {perception}: D(R, P) ({note})",
                _problem(Gaussian(0.0, 1.0), "mse", perception),
                "distortion",
                rates,
                gaussian_P,
            )
        )
    for perception in ("w2", "kl-recon-source"):
        out.append(
            GoldenTable(
                f"gaussian-vector-2-1-0.25-mse-{perception}",
                f"GaussianVector(diag(2, 1, 0.25)), MSE, {perception} (Qian et al. 2024)",
                _problem(vector, "mse", perception),
                "rate",
                (0.5, 1.0, 1.5, 2.5),
                (0.0, 0.05, 0.5),
            )
        )
    out.append(
        GoldenTable(
            "gaussian-output-constrained-N(0,1)-to-N(1,4)",
            "D(R, R_c) of N(0, 1) coded to i.i.d. N(1, 4) (Xie, Li, Chen & Zhang 2024); "
            "columns R, R_c",
            lambda: None,
            "output-constrained",
            rates,
            (0.0, 0.5, 1.0, float("inf")),
        )
    )
    out.append(
        GoldenTable(
            "gaussian-vector-2-1-0.25-conditional-w2-distortion",
            "D_C(R, P) of N(0, diag(2, 1, 0.25)), MSE, conditional squared W2, no common "
            "randomness (Salehkalaibar et al. 2024; derived here)",
            lambda: None,
            "conditional-perception",
            rates,
            (0.0, 0.05, 0.2, 1.0),
        )
    )
    for perception, name in (("absolute", "w1"), ("hamming", "tv"), ("mse", "kl-recon-source")):
        out.append(
            GoldenTable(
                f"discrete-3-{perception}-{name}",
                f"Discrete([0.5, 0.3, 0.2] on 0, 1, 2), {perception}, {name} (method='fast', "
                "certified bounds)",
                _problem(three, perception, name),
                "rate",
                (0.2, 0.35, 0.5),
                (0.0, 0.1, 0.3),
                method="fast",
            )
        )
    f_divergences = (
        ("mse", "hellinger"),
        ("hamming", "js"),
        ("absolute", "chi2-source-recon"),
        ("mse", "chi2-recon-source"),
    )
    for distortion, name in f_divergences:
        out.append(
            GoldenTable(
                f"discrete-3-{distortion}-{name}",
                f"Discrete([0.5, 0.3, 0.2] on 0, 1, 2), {distortion}, {name} (an f-divergence; "
                "method='fast', certified bounds)",
                _problem(three, distortion, name),
                "rate",
                (0.2, 0.35, 0.5),
                (0.0, 0.01, 0.05),
                method="fast",
            )
        )
    return out


def compute(table: GoldenTable) -> dict[str, Any]:
    """The rows of ``table`` (and its metadata) as a JSON-serialisable dict."""
    rows = []
    if table.kind == "output-constrained":
        from rdp.closed_forms import output_constrained

        for R in table.first:
            for rc in table.second:
                value = output_constrained.distortion(R, rc, source=(0, 1), target=(1, 4))
                rows.append({"R": R, "R_c": rc, **_exact("distortion", value)})
        return {
            "name": table.name,
            "description": table.description,
            "method": "closed-form: output-constrained",
            "reference": output_constrained.REFERENCE,
            "units": "bits",
            "rows": rows,
        }
    if table.kind == "conditional-perception":
        from rdp.closed_forms import conditional_perception

        for R in table.first:
            for p in table.second:
                value = conditional_perception.distortion([2.0, 1.0, 0.25], R, p)
                rows.append({"R": R, "P": p, **_exact("distortion", value)})
        return {
            "name": table.name,
            "description": table.description,
            "method": "closed-form: conditional-perception",
            "reference": conditional_perception.REFERENCE,
            "units": "bits",
            "rows": rows,
        }
    problem = table.build()
    first_name, value_name = ("D", "rate") if table.kind == "rate" else ("R", "distortion")
    method = None
    reference = None
    for x in table.first:
        for p in table.second:
            # one call per point: results never depend on a warm start
            if table.kind == "rate":
                result = problem.rate(x, p, method=table.method)
            else:
                result = problem.distortion(x, p, method=table.method)
            method, reference = result.method, result.reference
            rows.append(
                {
                    first_name: x,
                    "P": p,
                    value_name: float(getattr(result, value_name)),
                    "lower": float(result.lower),
                    "upper": float(result.upper),
                    "status": str(result.status),
                    "certified": bool(result.certified),
                }
            )
    return {
        "name": table.name,
        "description": table.description,
        "method": method,
        "reference": reference,
        "units": "bits",
        "rows": rows,
    }


def _exact(value_name: str, value: float) -> dict[str, Any]:
    """The value, bounds, status and certificate of a closed-form row."""
    from rdp.status import Status

    return {
        value_name: value,
        "lower": value,
        "upper": value,
        "status": str(Status.EXACT),
        "certified": True,
    }


def write_tables(out: str | Path, names: list[str] | None = None) -> list[Path]:
    """Write ``NAME.csv`` and ``NAME.json`` for each golden table into ``out``; return the paths.

    A write that fails (a full disk, a folder made read-only meanwhile) does not
    lose the tables: they and the following ones go to a new folder in the
    temporary folder, and a ``ValueError`` at the end names it.
    """
    from rdp._paths import fallback_folder

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    target = out
    failure: OSError | None = None
    written = []
    for table in tables():
        if names and not any(n in table.name for n in names):
            continue
        data = compute(table)
        try:
            written += _write_table(target, table.name, data)
        except OSError as err:
            if failure is not None:
                raise
            failure, target = err, fallback_folder(out, "rdp-golden")
            written += _write_table(target, table.name, data)
    if failure is not None:
        raise ValueError(
            f"cannot write in {str(out)!r} ({failure.strerror or failure}); the tables not "
            f"written there are in {target}"
        )
    return written


def _write_table(folder: Path, name: str, data: dict[str, Any]) -> list[Path]:
    json_path = folder / f"{name}.json"
    json_path.write_text(json.dumps(data, indent=1) + "\n")
    csv_path = folder / f"{name}.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(data["rows"][0]))
        writer.writeheader()
        for row in data["rows"]:
            writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
    return [csv_path, json_path]
