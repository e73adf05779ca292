"""The layout of the core: no import cycle, no arrow running back up, a light ``import rdp``.

The import graph is read from the source (module-level ``import`` statements,
``if TYPE_CHECKING:`` blocks and function bodies excluded), so the check sees
every module of ``rdp/`` without importing any of them. A submodule's implicit
import of its parent packages is not an edge (Python resolves it before the
submodule runs); ``from pkg import name`` is an edge to ``pkg.name`` when that
is a module, else to ``pkg``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "rdp"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(name: str) -> set[str]:
    """rdp modules imported when module ``name`` is executed (module level only)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")
                    parent = parent[: len(parent) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                # ``from pkg import module`` imports the module (its package is a parent,
                # like for every submodule); ``from module import name`` the module
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in MODULES else base)
            elif isinstance(node, ast.If) and not _is_type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _module_level_imports(name) for name in MODULES}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                cycle = dfs(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = dfs(node)
            if cycle:
                return cycle
    return None


def test_the_graph_reader_sees_imports():
    assert "rdp.problem" in GRAPH["rdp"]
    assert "rdp.perceptions" in GRAPH["rdp.solve"]
    assert "rdp.solvers.finite" in GRAPH["rdp.solvers.fast"]
    # it would see a cycle
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_in_rdp():
    assert _find_cycle(GRAPH) is None, " -> ".join(_find_cycle(GRAPH) or [])


def _reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in GRAPH[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


#: The data layer, below every method: sources, distortions, perceptions, results, Problem.
DATA_LAYER = (
    "rdp._validation",
    "rdp.units",
    "rdp.sources",
    "rdp.distortions",
    "rdp.perceptions",
    "rdp.channels",
    "rdp.result",
    "rdp.problem",
)
ABOVE_DATA = ("rdp.solve", "rdp.methods", "rdp.inversion", "rdp.closed_forms", "rdp.solvers")
ON_TOP = ("rdp.plot", "rdp.theorems", "rdp.reproduce", "rdp.neural", "rdp.cli", "rdp.explore")


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("module", DATA_LAYER)
def test_data_layer_imports_no_method(module):
    up = sorted(m for m in _reachable(module) if _under(m, ABOVE_DATA + ON_TOP))
    assert not up, f"{module} imports {up} at module level"


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if _under(m, ("rdp.closed_forms", "rdp.solvers")))
)
def test_methods_do_not_import_solve_or_the_layers_on_top(module):
    up = sorted(m for m in _reachable(module) if _under(m, ("rdp.solve", *ON_TOP)))
    assert not up, f"{module} imports {up} at module level"


def _fresh(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    return out.stdout.strip()


def test_import_rdp_loads_no_heavy_dependency():
    heavy = ("ot", "cvxpy", "jax", "matplotlib", "sympy")
    code = (
        "import sys, rdp\n"
        "import rdp.solve, rdp.sweeps, rdp.methods\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    assert _fresh(code) == ""


def test_closed_form_cli_parser_loads_no_heavy_dependency():
    heavy = ("ot", "cvxpy", "jax", "matplotlib", "sympy")
    code = (
        "import sys\n"
        "from rdp.cli.main import build_parser\n"
        "build_parser()\n"
        "from rdp import Bernoulli, Problem\n"
        "Problem(Bernoulli(0.1)).rate(0.05)\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    assert _fresh(code) == ""


def test_builtin_methods_are_imported_on_first_use():
    code = (
        "import sys, rdp\n"
        "from rdp.methods import METHODS\n"
        "before = 'rdp.solvers.fast' in sys.modules\n"
        "METHODS['fast']\n"
        "print(before, 'rdp.solvers.fast' in sys.modules, 'ot' in sys.modules)"
    )
    assert _fresh(code) == "False True False"
