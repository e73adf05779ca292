"""The gallery scripts examples/<section>/plot_*.py.

The docs build runs every script once (mkdocs-gallery with
``abort_on_example_error``), so a failing script fails ``mkdocs build`` in CI.
``RDP_RUN_GALLERY=1 pytest -m gallery`` runs them here as well, each in a
subprocess the way the gallery does (working directory its section's folder, Agg
backend); without the variable they skip, so that CI does not run them twice.
The fast tests check what a build does not: that the gallery draws every
figure of ``rdp reproduce`` through the registry, never a copy of its plotting
code.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
#: The gallery's sections: the papers' figures, then recipes (each folder has a README.md).
SECTIONS = ("papers", "recipes")
SCRIPTS = sorted(EXAMPLES.glob("*/plot_*.py"))


def _literals(script: Path) -> set[str]:
    """Every string constant in a script (f-string parts included)."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_every_script_is_a_gallery_page():
    assert len(SCRIPTS) >= 14
    assert sorted(EXAMPLES.rglob("*.py")) == SCRIPTS, "every example is a plot_*.py gallery script"
    assert {script.parent.name for script in SCRIPTS} == set(SECTIONS)
    for section in SECTIONS:
        assert (EXAMPLES / section / "README.md").is_file(), f"examples/{section} has no README.md"
    for script in SCRIPTS:
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")))
        assert doc, f"{script.name} has no docstring"
        title, underline = doc.splitlines()[:2]
        assert underline == "=" * len(title), f"{script.name}: the title needs a '=' underline"


def test_gallery_draws_every_reproduce_figure(monkeypatch):
    """Each figure spec is selected by a script: by ID, by an ID prefix ending in '-', or by
    its group, with the neural and codec figures drawn from the committed runs."""
    from rdp.reproduce import all_figures

    monkeypatch.setenv("RDP_NEURAL_RESULTS", str(ROOT / "docs" / "neural"))
    monkeypatch.setenv("RDP_CODEC_RESULTS", str(ROOT / "docs" / "codec"))
    literals = set().union(*map(_literals, SCRIPTS))
    specs = all_figures()
    assert {spec.group for spec in specs} >= {"analytic", "discrete", "neural"}
    assert "analytic" not in literals  # the analytic figures are each named by their ID
    missing = [
        spec.id
        for spec in specs
        if spec.id not in literals
        and spec.group not in literals
        and not any(lit.endswith("-") and spec.id.startswith(lit) for lit in literals)
    ]
    assert not missing, f"figures of rdp reproduce missing from the gallery: {missing}"


def test_captions_are_prose_not_printed():
    """A figure's caption is text between the cells (markdown), not a printed 'Out' block:
    no script reads a spec's ``caption``."""
    for script in SCRIPTS:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                assert node.attr != "caption", f"{script.name} prints a figure caption"


def test_scripts_use_the_registry_not_the_plotting_modules():
    """One source of truth: scripts reach reproduce figures through rdp.reproduce only."""
    for script in SCRIPTS:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("rdp.reproduce."), (script.name, node.module)


@pytest.mark.gallery
@pytest.mark.skipif(
    not os.environ.get("RDP_RUN_GALLERY"),
    reason="the docs build runs the gallery scripts; RDP_RUN_GALLERY=1 runs them here too",
)
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_runs(script):
    before = sorted(script.parent.iterdir())
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, script.name],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=script.parent,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip(), "a gallery script prints what it computes"
    assert sorted(script.parent.iterdir()) == before, "a gallery script leaves no files behind"
    assert "Warning" not in out.stderr + out.stdout, "a gallery page shows no warning"
