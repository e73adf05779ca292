"""Analysis of the neural experiments' results: curves of equal perception, tables, provenance.

Computed from the rows an experiment stores in ``results.json``; drawn by
[`rdp.neural.plots`][rdp.neural.plots].
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "column",
    "equal_perception_curve",
    "equal_perception_levels",
    "interpolate_at",
    "markdown_table",
    "provenance_note",
    "section",
]


def column(rows: list[dict[str, Any]], name: str) -> np.ndarray:
    """Field ``name`` of every row, as floats."""
    return np.array([r[name] for r in rows], dtype=float)


def section(rows: list[dict[str, Any]], bits: float, measure: str = "w1"):
    """The trained models of one rate sorted by perception: arrays (P, D, λ)."""
    sel = sorted((r for r in rows if r["bits"] == bits), key=lambda r: r[measure])
    return column(sel, measure), column(sel, "mse"), column(sel, "perception_weight")


def equal_perception_levels(rows: list[dict[str, Any]], count: int = 2, measure: str = "w1"):
    """Perception levels for curves of equal measured perception across rates.

    A level is usable at a rate when it lies between the least and the largest
    perception measured at that rate (no extrapolation). Of 41 candidate levels
    between the smallest and largest measured value, those reached at the most
    rates are taken, the second at least a fifth of the range from the first.
    Returns up to ``count`` levels, in increasing order.
    """
    rates = sorted({r["bits"] for r in rows})
    ranges = []
    for bits in rates:
        p = section(rows, bits, measure)[0]
        ranges.append((float(np.min(p)), float(np.max(p))))
    values = column(rows, measure)
    lo, hi = float(np.min(values)), float(np.max(values))
    if not hi > lo:
        return []
    candidates = np.linspace(lo, hi, 43)[1:-1]
    cover = np.array([sum(a <= c <= b for a, b in ranges) for c in candidates])
    order = np.lexsort((candidates, -cover))
    chosen: list[float] = []
    for i in order:
        if cover[i] < 2:
            break
        if all(abs(candidates[i] - c) >= 0.2 * (hi - lo) for c in chosen):
            chosen.append(float(candidates[i]))
        if len(chosen) == count:
            break
    return sorted(chosen)


def equal_perception_curve(rows: list[dict[str, Any]], level: float, measure: str = "w1"):
    """(rates, MSE) along the curve of perception ``level``: at each rate whose measured
    perception range holds it, D interpolated linearly in P between the trained models."""
    rates, mses = [], []
    for bits in sorted({r["bits"] for r in rows}):
        p, d, _ = section(rows, bits, measure)
        if p[0] <= level <= p[-1]:
            rates.append(bits)
            mses.append(float(np.interp(level, p, d)))
    return np.array(rates), np.array(mses)


def interpolate_at(x: np.ndarray, y: np.ndarray, at: float) -> float:
    """y at x = ``at`` by linear interpolation (x sorted first); NaN outside the range of x."""
    order = np.argsort(x)
    x, y = x[order], y[order]
    if at < x[0] or at > x[-1]:
        return float("nan")
    return float(np.interp(at, x, y))


def provenance_note(results: dict[str, Any]) -> str:
    """One line naming the code, date, machine and command that produced ``results``.

    For results averaged over seeds, those of each seed's run (commits and
    dates joined when they differ).
    """
    runs = [p for p in (results.get("per_seed_provenance") or {}).values() if p]
    runs = runs or [results.get("provenance") or {}]
    commits = sorted(
        {str(p.get("commit") or "?")[:7] + ("+dirty" if p.get("dirty") else "") for p in runs}
    )
    dates = sorted(str(p.get("started_utc") or p.get("date_utc") or "?") for p in runs)
    machine = runs[0].get("machine") or {}
    when = dates[0] if dates[0] == dates[-1] else f"{dates[0]} … {dates[-1]}"
    command = runs[0].get("command", "?")
    backend = results.get("environment", {}).get("backend", "?")
    return (
        f"rdp commit {', '.join(commits)}; {when}; {machine.get('node', '?')} "
        f"({machine.get('cpu_count', '?')} CPUs, {backend}); {command}"
    )


def markdown_table(results: dict[str, Any], digits: int = 4) -> str:
    """The rows of an experiment's results as a Markdown table."""
    rows = results["rows"]
    if not rows:
        return ""
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for c in columns:
            v = row[c]
            if isinstance(v, float):
                cells.append(f"{v:.1f}" if c == "seconds" else f"{v:.{digits}g}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
