"""The docs quote only the result statuses the code has, and their numbers come from data.

A page that says a result has status `optimal` when ``rdp.status.Status`` has no
such status misleads its reader; this file scans README.md, docs/**/*.md and the
gallery scripts for status names quoted near the word "status" and checks each
against the code. It also checks the docs hook that renders numbers from the
committed results (``tools/mkdocs_data.py``) against the files read another way.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).parents[1]
PAGES = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").rglob("*.md") if "gallery" not in p.parts),
    *sorted((ROOT / "examples").glob("*/*.py")),
]
#: A quoted lowercase identifier: `name`, "name" or 'name'.
QUOTED = re.compile(r"[`\"']([a-z]+(?:_[a-z]+)*)[`\"']")
#: Names quoted near "status" that are not statuses: result fields and their neighbours.
NOT_STATUSES = {
    "status", "statuses", "lower", "upper", "rate", "value", "message", "diagnostics",
    "flagged", "gap", "distortion", "method", "reference", "channel", "iterations",
    "ds", "error", "warning", "bits", "nats", "solver", "tol", "certified", "feasibility_tol",
    "feasible",
}  # fmt: skip


def method_names() -> set[str]:
    from rdp.methods import METHODS

    return set(METHODS)


def quoted_statuses(text: str) -> list[tuple[str, str]]:
    """``(name, context)`` for every name quoted within the clause after "status"."""
    text = re.sub(r"\{\{.*?\}\}", " ", text, flags=re.S)  # rendered from data by the docs hook
    # keyword arguments other than status=... (method="cvxpy") name no status
    text = re.sub(r"\b(?!status\b)\w+=([`\"'])[^`\"'\n]*\1", " ", text)
    skip = NOT_STATUSES | method_names()
    found = []
    for match in re.finditer(r"\bstatus(?:es)?\b", text, re.I):
        clause = re.split(r"(?<=[.;:!?])\s|\n\n|\|", text[match.end() : match.end() + 120])[0]
        for name in QUOTED.findall(clause):
            if name not in skip:
                found.append((name, " ".join(text[match.start() : match.end() + 80].split())))
    return found


def code_statuses() -> set[str]:
    from rdp.status import Status

    return {str(s.value) for s in Status}


def unknown_statuses(pages) -> list[str]:
    known = code_statuses()
    found = []
    for page in pages:
        name_of_page = str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else str(page)
        found += [
            f"{name_of_page}: {name!r} in «{context}»"
            for name, context in quoted_statuses(page.read_text())
            if name not in known
        ]
    return found


def test_pages_quote_only_statuses_the_code_has():
    assert not unknown_statuses(PAGES)


def test_a_page_quoting_a_status_the_code_lacks_fails(tmp_path):
    """Twin: the old cli.md wording, 'status `optimal`', is caught; real statuses pass."""
    page = tmp_path / "page.md"
    page.write_text(
        "A point has status `converged` or `optimal` (Clarabel's certificate).\n\n"
        'Points with `status="bounds"` are certified; `status == "solved"` is not.\n'
    )
    found = unknown_statuses([page])
    assert [f.split(": ")[1].split(" in ")[0] for f in found] == ["'optimal'", "'solved'"]
    assert quoted_statuses("the status `exact`, then `lower` and `upper`.") == [
        ("exact", "status `exact`, then `lower` and `upper`.")
    ]


# ---------------------------------------------------------------- the numbers hook


@pytest.fixture(scope="module")
def hook():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import mkdocs_data
    finally:
        sys.path.pop(0)
    return mkdocs_data


def test_hook_reads_the_committed_results(hook):
    """Values rendered by the hook against the same files read with csv/json."""
    docs = ROOT / "docs"
    with open(docs / "neural" / "yan" / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    ratio = float(next(r for r in rows if float(r["bits"]) == 16)["ratio"])
    ratios = [float(r["ratio"]) for r in rows]
    surface = json.loads((docs / "benchmarks" / "surface.json").read_text())
    page = (
        'r = {{ csv("neural/yan/results.csv", "ratio", bits=16) :.3f }}; '
        '{{ span("neural/yan/results.csv", "ratio", ".2f") }}; '
        '{{ json("benchmarks/surface.json", "time_s") :.1f }} s; {{ 2 * x }}'
    )
    out = hook.render(page, docs, {"x": 1.5})
    expected = f"r = {ratio:.3f}; {min(ratios):.2f}–{max(ratios):.2f}; {surface['time_s']:.1f} s; 3"
    assert out == expected
    table = hook.render('{{ table("neural/yan/results.csv", ["bits|R|g", "ratio±||.2f"]) }}', docs)
    lines = table.splitlines()
    assert lines[0] == "| R | ratio |" and len(lines) == 2 + len(rows)
    assert lines[2] == f"| 2 | {ratios[0]:.2f} ± {float(rows[0]['ratio_std']):.2g} |"


@pytest.mark.parametrize("true_b, fitted", [(1.5, True), (2.0, False)])
def test_power_fit_recovers_the_exponent(hook, tmp_path, true_b, fitted):
    """power_fit on rows y = 3·N^b (times noise e^{±0.01}) against numpy's polyfit of the
    logarithms of the same rows, and against b = 1.5; twin: rows made with b = 2. A
    tuple in ``where`` selects any of its values; rows of another status are left out."""
    rng = np.random.default_rng(0)
    ns = [64, 128, 256, 512, 1024]
    ys = [3.0 * n**true_b * np.exp(rng.uniform(-0.01, 0.01)) for n in ns]
    lines = ["family,N,time_s,status"]
    lines += [
        f"a,{n},{float(y)!r},{'exact' if i == 0 else 'converged'}"
        for i, (n, y) in enumerate(zip(ns, ys, strict=True))
    ]
    lines += ["a,2048,1.0,time_limit", "b,64,1.0,converged"]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    out = hook.render(
        '{{ power_fit("t.csv", "N", "time_s", family="a", status=("converged", "exact")) :.6f }}',
        tmp_path,
    )
    assert float(out) == pytest.approx(np.polyfit(np.log(ns), np.log(ys), 1)[0], abs=1e-6)
    assert (abs(float(out) - 1.5) < 0.02) == fitted
    with pytest.raises(hook.DataError, match="fewer than 3 sizes"):
        hook.render('{{ power_fit("t.csv", "N", "time_s", family="b") }}', tmp_path)


@pytest.mark.parametrize(
    "placeholder",
    [
        '{{ csv("neural/yan/results.csv", "no_such_column", bits=2) }}',
        '{{ csv("neural/yan/results.csv", "ratio", bits=3) }}',  # no such row
        '{{ csv("neural/yan/results.csv", "ratio") }}',  # several rows
        '{{ json("benchmarks/surface.json", "no.such.key") }}',
        '{{ csv("no/such/file.csv", "x") }}',
        "{{ __import__('os') }}",  # no builtins beyond the listed ones
    ],
)
def test_hook_fails_on_missing_data(hook, placeholder):
    with pytest.raises(hook.DataError):
        hook.render(placeholder, ROOT / "docs")


def test_landing_page_shows_the_output_of_its_code(capsys):
    """The text block after the landing page's python block is what that block prints."""
    text = (ROOT / "docs" / "index.md").read_text()
    match = re.search(r"```python\n(.*?)```\s*```text\n(.*?)```", text, re.S)
    assert match, "docs/index.md: a python block followed by its output"
    exec(compile(match.group(1), "docs/index.md", "exec"), {})
    assert capsys.readouterr().out == match.group(2)
