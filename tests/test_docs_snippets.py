"""Every code block of README.md and docs/**/*.md runs (issue 10, item 10).

- ``python`` blocks of one page run in order in one namespace (a page reads
  like a notebook), in a temporary folder, with matplotlib's Agg backend;
- ``bash`` blocks: each ``rdp ...`` line runs in-process through
  :func:`rdp.cli.main.main` and must exit 0; commands that take minutes
  (``rdp reproduce`` of every figure, the full ``rdp verify``, ``rdp neural``)
  are parsed instead, so that every option they use exists; ``pip``/``make``
  lines are not run;
- ``json`` blocks are problem files: they parse and build a problem.

The problem file of ``docs/cli.md`` is ``problem.json`` for the commands.
"""

from __future__ import annotations

import json
import re
import shlex
import warnings
from pathlib import Path

import pytest

from rdp import UnconvergedWarning

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)

#: Subcommands run for real; the others are parsed only (minutes of work each).
RUN = {"rate", "distortion", "surface"}
#: Commands of the other subcommands that are cheap enough to run.
CHEAP = ("--list",)


def blocks(page: Path, language: str) -> list[str]:
    return [m.group(2) for m in BLOCK.finditer(page.read_text()) if m.group(1) == language]


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def test_every_block_has_a_known_language():
    """A block without a language would escape these tests."""
    known = {"python", "bash", "json", "text"}
    for page in PAGES:
        for match in BLOCK.finditer(page.read_text()):
            assert match.group(1) in known, f"{page_id(page)}: block ```{match.group(1)}"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    spec = json.loads(blocks(ROOT / "docs" / "cli.md", "json")[0])
    (tmp_path / "problem.json").write_text(json.dumps(spec))
    return tmp_path


PYTHON_PAGES = [p for p in PAGES if blocks(p, "python")]
BASH_PAGES = [p for p in PAGES if any("rdp " in b for b in blocks(p, "bash"))]


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=page_id)
def test_python_blocks_run(page, workdir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rdp.reproduce import registry

    providers = list(registry._PROVIDERS)  # a snippet may register figures: undo it after
    namespace: dict = {"__name__": "__docs__"}
    try:
        with warnings.catch_warnings():
            # the docs show certified numbers only
            warnings.simplefilter("error", UnconvergedWarning)
            for number, code in enumerate(blocks(page, "python"), 1):
                exec(compile(code, f"{page_id(page)}[python block {number}]", "exec"), namespace)
    finally:
        plt.close("all")
        registry._PROVIDERS[:] = providers


def rdp_commands(page: Path) -> list[list[str]]:
    commands = []
    for block in blocks(page, "bash"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("rdp ") or re.match(r"^[A-Z_]+=\S+ rdp ", line):
                words = shlex.split(line)
                commands.append(words[words.index("rdp") + 1 :])
    return commands


@pytest.mark.parametrize("page", BASH_PAGES, ids=page_id)
def test_shell_commands_run(page, workdir, capsys):
    from rdp.cli.main import build_parser, main

    for argv in rdp_commands(page):
        if argv[0] in RUN or any(flag in argv for flag in CHEAP):
            code = main(argv)
            err = capsys.readouterr().err
            assert code == 0, f"{page_id(page)}: rdp {shlex.join(argv)} -> {code}: {err}"
        else:
            args = build_parser().parse_args(argv)  # exits 2 on an unknown option
            assert args.handler is not None


def test_json_blocks_are_problem_files():
    from rdp.problem_file import parse_problem

    for page in PAGES:
        for block in blocks(page, "json"):
            parse_problem(json.loads(block))


def test_cli_page_documents_every_command():
    from rdp.cli.main import build_parser

    text = (ROOT / "docs" / "cli.md").read_text()
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"rdp {name}" in text, f"docs/cli.md does not document 'rdp {name}'"
    for status in ("0", "2", "3", "130"):
        assert f"| {status} |" in text


def test_figures_page_counts_the_figures(monkeypatch):
    """docs/figures.md said 'fifteen figures' while `make reproduce` made 17."""
    from rdp.reproduce import select_figures

    monkeypatch.delenv("RDP_NEURAL_RESULTS", raising=False)
    monkeypatch.chdir(ROOT)
    plain = len([s for s in select_figures([]) if s.group != "neural"])
    text = (ROOT / "docs" / "figures.md").read_text()
    assert f"The {plain} analytic and\ndiscrete figures" in text
    pytest.importorskip("jax")
    from rdp.neural.figures import figures

    monkeypatch.setenv("RDP_NEURAL_RESULTS", "results/neural:docs/neural")  # as `make reproduce`
    neural = len(figures())
    assert f"adds {neural} figures\n({plain + neural} figures in all)" in text
    assert not re.search(r"\b(fourteen|fifteen|sixteen|seventeen) figures", text)
