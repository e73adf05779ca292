"""Docstrings are Markdown for mkdocstrings: no reStructuredText roles or math directives.

mkdocstrings-python prints ``:class:`X``` and ``.. math::`` raw in the API pages;
cross-references are written ``[`X`][rdp.module.X]`` and math ``$...$`` / ``$$``
blocks. ``python tools/docstring_markup.py`` rewrites what this test finds. (The
browser test checks the rendered pages; this one needs no browser.)
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rdp"
RST = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|obj|exc|const|math|ref):`|\.\. math::")


def docstrings(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node.lineno, node.value.value


def test_the_pattern_finds_roles_and_directives():
    found = [bool(RST.search(s)) for s in (":class:`~rdp.Problem`", ".. math:: x", "$x$")]
    assert found == [True, True, False]


def test_no_restructuredtext_markup_in_docstrings():
    hits = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {m.group(0)}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, doc in docstrings(path)
        for m in RST.finditer(doc)
    ]
    assert not hits, "run `python tools/docstring_markup.py`:\n" + "\n".join(hits)
