"""Rewrite reStructuredText markup in rdp's docstrings as Markdown that mkdocstrings renders.

The API pages are rendered by mkdocstrings-python, which reads docstrings as
Markdown: Sphinx roles (``:class:`~rdp.x.Y` ``, ``:func:``, ``:math:`` ...) and
``.. math::`` directives would be printed raw. This tool rewrites, inside the
docstrings (string statements found with ``ast``) and ``#:`` comments, in place:

- ``:class:`~rdp.x.Y` `` and the other Python roles into an autorefs cross-reference
  ``[`Y`][rdp.x.Y]`` when the object is rendered somewhere in the site (the
  identifiers come from a real ``mkdocs build``), otherwise into a code span
  ``` ``Y`` ``` (external objects such as ``matplotlib.figure.Figure``, private
  helpers, undocumented constants), so that ``mkdocs build --strict`` never meets
  an unresolved reference;
- ``:math:`x` `` into ``$x$`` and ``.. math::`` blocks into ``$$`` blocks, which
  ``pymdownx.arithmatex`` hands to the bundled MathJax;
- numpydoc citations ``.. [1] text`` into a numbered Markdown list ``1. text`` and
  their references ``[1]_`` into ``[1]``.

Usage (from the repository root, with the docs extra installed)::

    python tools/docstring_markup.py            # rewrite rdp/**/*.py
    python tools/docstring_markup.py --check    # list what is left, exit 1 if any

Run it again after merging code written with Sphinx roles.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "rdp"

REF_ROLE = re.compile(r":(?:py:)?(class|func|meth|attr|data|mod|obj|exc|const):`([^`]+)`")
MATH_ROLE = re.compile(r":math:`([^`]+)`")
MATH_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::(?P<rest>.*)$")
COMMENT = re.compile(r"^[ \t]*#:.*$", re.MULTILINE)
#: A numpydoc citation ``.. [1] text`` (becomes the item ``1. text`` of a Markdown list)
#: and a reference to it ``[1]_`` (becomes ``[1]``).
CITATION = re.compile(r"^(?P<indent>[ \t]*)\.\. \[(?P<n>\d+)\] ", re.MULTILINE)
CITATION_REF = re.compile(r"\[(\d+)\]_")
LEFTOVER = re.compile(r":(?:py:)?[a-z]+:`|^\s*\.\. math::|^\s*\.\. \[\d+\]|\[\d+\]_", re.MULTILINE)


def site_identifiers() -> set[str]:
    """Identifiers that autorefs can resolve: run ``mkdocs build`` and read its URL maps."""
    import tempfile

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    with tempfile.TemporaryDirectory() as site:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=site, strict=False)
        build(config)
        autorefs = config.plugins["autorefs"]
        return set(autorefs._primary_url_map) | set(autorefs._secondary_url_map)


def _walk_attr(obj, parts):
    for part in parts:
        obj = getattr(obj, part)
    return obj


def _import_longest(dotted: str):
    """Import the longest module prefix of ``dotted``; return (module, remaining parts)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        return module, parts[cut:]
    raise LookupError(dotted)


def _canonical(obj, found_path: str) -> str:
    """The path under which griffe documents ``obj`` (where it is defined)."""
    if inspect.ismodule(obj):
        return obj.__name__
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return f"{obj.__module__}.{obj.__qualname__}"
    return found_path


def candidates(target: str, module: str, owner: str | None) -> list[str]:
    """Fully qualified paths ``target`` may mean, best first (Sphinx's lookup order)."""
    paths = []
    if owner:
        paths.append(f"{module}.{owner}.{target}")
    paths += [f"{module}.{target}", target, f"{PACKAGE}.{target}"]
    out = []
    for path in paths:
        try:
            mod, rest = _import_longest(path)
            if mod.__name__ == "builtins" or not path.startswith(mod.__name__):
                continue
            head = _walk_attr(mod, rest[:1]) if rest else mod
            canon = _canonical(head, f"{mod.__name__}.{rest[0]}" if rest else mod.__name__)
            if len(rest) > 1:
                _walk_attr(head, rest[1:])
                canon = ".".join([canon, *rest[1:]])
            out += [canon, path]
        except (LookupError, AttributeError):
            continue
    return list(dict.fromkeys(out))


def convert_ref(role: str, text: str, module: str, owner: str | None, known: set[str]) -> str:
    title_match = re.fullmatch(r"(.+?)\s*<(.+)>", text, flags=re.DOTALL)
    if title_match:
        title, target = title_match.group(1), title_match.group(2)
    else:
        target = text
        title = text[1:].rsplit(".", 1)[-1] if text.startswith("~") else text
    target = target.lstrip("~").strip()
    for path in candidates(target, module, owner):
        if path in known:
            return f"[`{title}`][{path}]"
    return f"``{title}``"


def convert_math_block(lines: list[str], start: int) -> tuple[list[str], int]:
    """Convert the ``.. math::`` directive at ``lines[start]``; return new lines and the end."""
    m = MATH_DIRECTIVE.match(lines[start])
    indent = m.group("indent")
    body = [m.group("rest").strip()] if m.group("rest").strip() else []
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and len(line) - len(line.lstrip()) <= len(indent):
            break
        end += 1
    block = lines[start + 1 : end]
    while block and not block[-1].strip():
        block.pop()
        end -= 1
    if block:
        depth = min(len(x) - len(x.lstrip()) for x in block if x.strip())
        body += [x[depth:] if x.strip() else "" for x in block]
    while body and not body[0].strip():
        body.pop(0)
    equations: list[list[str]] = [[]]
    for line in body:
        if line.strip():
            equations[-1].append(line)
        elif equations[-1]:
            equations.append([])
    out: list[str] = []
    if start > 0 and lines[start - 1].strip():
        out.append("")
    for eq in (e for e in equations if e):
        if out and out[-1] != "":
            out.append("")
        out += [f"{indent}$$", *(f"{indent}{x}" for x in eq), f"{indent}$$"]
    if end < len(lines) and lines[end].strip() not in ("", '"""', "'''"):
        out.append("")
    return out, end


def convert_docstring(text: str, module: str, owner: str | None, known: set[str]) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if MATH_DIRECTIVE.match(lines[i]):
            new, i = convert_math_block(lines, i)
            out += new
        else:
            out.append(lines[i])
            i += 1
    text = "\n".join(out)
    text = MATH_ROLE.sub(lambda m: f"${m.group(1).strip()}$", text)
    text = CITATION.sub(lambda m: f"{m.group('indent')}{m.group('n')}. ", text)
    text = CITATION_REF.sub(r"[\1]", text)
    return REF_ROLE.sub(lambda m: convert_ref(m.group(1), m.group(2), module, owner, known), text)


PROTECTED = re.compile(r"\[`[^`]*`\]\[[^\]]*\]|\$[^$]*\$|``[^`]*``|`[^`]*`")
MAX_LINE = 100


LINK = re.compile(r"\[`([^`]*)`\]\[([^\]]*)\]")


def _break(line: str) -> list[str]:
    """Break ``line`` at spaces outside links, math and code, never before a Markdown marker."""
    out = []
    while len(line) > MAX_LINE:
        guarded = [range(*m.span()) for m in PROTECTED.finditer(line)]
        indent = len(line) - len(line.lstrip())
        cont = indent + (2 if line.lstrip()[:2] in ("- ", "* ") else 0)
        cuts = [
            i
            for i, ch in enumerate(line[: MAX_LINE + 1])
            if ch == " "
            and i > indent
            and not any(i in g for g in guarded)
            and not re.match(r"[-*+>#=]|\d+\.", line[i + 1 :])
        ]
        if not cuts:
            break
        out.append(line[: cuts[-1]])
        line = " " * cont + line[cuts[-1] + 1 :]
    return [*out, line]


def wrap_long_lines(text: str, first_col: int = 0) -> str:
    """Keep docstring lines within ``MAX_LINE`` (the links are longer than the roles were).

    A long line is broken between words; where that is not enough (or on the summary
    line, which stays one line and starts at column ``first_col``), a link's dotted
    title is cut to its last name, then the line's links become code spans.
    """
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines):
        fits = (
            (lambda x: len(x) <= MAX_LINE) if number else (lambda x: first_col + len(x) <= MAX_LINE)
        )
        pieces = _break(line) if number else [line]
        for shorten in (
            lambda m: f"[`{m.group(1).rsplit('.', 1)[-1]}`][{m.group(2)}]",
            lambda m: f"``{m.group(1).rsplit('.', 1)[-1]}``",
        ):
            if all(fits(x) for x in pieces):
                break
            line = LINK.sub(shorten, line)
            pieces = _break(line) if number else [line]
        out += pieces
    return "\n".join(out)


def docstring_nodes(tree: ast.Module):
    """Yield (string node, enclosing class name or None) for every string statement."""

    def visit(node, owner):
        for child in ast.iter_child_nodes(node):
            if (
                isinstance(child, ast.Expr)
                and isinstance(child.value, ast.Constant)
                and isinstance(child.value.value, str)
            ):
                yield child.value, owner
            inner = owner
            if isinstance(child, ast.ClassDef):
                inner = f"{owner}.{child.name}" if owner else child.name
            yield from visit(child, inner)

    yield from visit(tree, None)


def convert_file(path: Path, known: set[str]) -> bool:
    source = path.read_text()
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    module = module.removesuffix(".__init__")
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for node, owner in docstring_nodes(ast.parse(source)):
        start = offsets[node.lineno - 1] + node.col_offset
        end = offsets[node.end_lineno - 1] + node.end_col_offset
        segment = source[start:end]
        if not (REF_ROLE.search(segment) or MATH_ROLE.search(segment) or ".. math::" in segment):
            continue
        new = wrap_long_lines(convert_docstring(segment, module, owner, known), node.col_offset)
        if new != segment:
            edits.append((start, end, new))
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    # Sphinx's ``#:`` attribute comments: griffe does not render them, but keep one markup.
    commented = COMMENT.sub(
        lambda m: wrap_long_lines(convert_docstring(m.group(0), module, None, known)), source
    )
    if edits or commented != source:
        path.write_text(commented)
    return bool(edits) or commented != source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list leftover markup")
    args = parser.parse_args(argv)
    files = sorted((ROOT / PACKAGE).rglob("*.py"))
    if args.check:
        left = [
            f"{f.relative_to(ROOT)}: {m.group(0).strip()}"
            for f in files
            for m in LEFTOVER.finditer(f.read_text())
        ]
        print("\n".join(left) or "no reStructuredText roles or math directives left")
        return 1 if left else 0
    sys.path.insert(0, str(ROOT))
    known = site_identifiers()
    changed = [f for f in files if convert_file(f, known)]
    print(f"rewrote {len(changed)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
