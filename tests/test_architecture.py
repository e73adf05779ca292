"""The layout of rdp: no import cycle, no arrow running back up, a light ``import rdp``.

The import graph is read from the source, so the check sees every module of
``rdp/`` without importing any of them. ``GRAPH`` holds the imports made when a
module is executed (module level); ``FULL_GRAPH`` adds those inside functions
(run on first use), so a lazy import counts as an arrow too. ``if
TYPE_CHECKING:`` blocks are never run and are excluded. A submodule's implicit
import of its parent packages is not an edge (Python resolves it before the
submodule runs); ``from pkg import name`` is an edge to ``pkg.name`` when that
is a module, else to ``pkg``.

One arrow runs up, and is documented (``docs/model.md``): ``Problem``'s methods
(``rate``, ``distortion``, ``surface``, ...) call ``rdp._solving`` from inside each
method — the facade ``FACADE``. Every other lazy import must respect the layers.
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


def _imports(name: str, *, in_functions: bool = False) -> set[str]:
    """rdp modules imported by module ``name``: at module level, and inside its
    functions too when ``in_functions``."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def add(node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            return
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

    def visit(nodes, inside: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                if in_functions or not inside:
                    add(node)
            elif isinstance(node, ast.If) and _is_type_checking(node):
                visit(node.orelse, inside)  # the body is never run
            else:
                function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                visit(ast.iter_child_nodes(node), inside or function)

    visit(tree.body, False)
    return {m for m in found if m in MODULES and m != name}


#: Imports made when each module is executed.
GRAPH = {name: _imports(name) for name in MODULES}
#: Imports made when each module is executed or any of its functions is called.
FULL_GRAPH = {name: _imports(name, in_functions=True) for name in MODULES}
#: The one documented arrow that runs up: ``Problem``'s methods call ``rdp._solving``.
FACADE = {("rdp.problem", "rdp._solving")}
#: ``FULL_GRAPH`` without the facade: it must hold no cycle and respect the layers.
LAYERED = {name: {m for m in out if (name, m) not in FACADE} for name, out in FULL_GRAPH.items()}


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
    assert "rdp.perceptions" in GRAPH["rdp._solving"]
    assert "rdp.solvers.finite" in GRAPH["rdp.solvers.fast.solver"]
    # imports inside functions: only in the full graph
    assert "rdp._solving" not in GRAPH["rdp.problem"]
    assert "rdp._solving" in FULL_GRAPH["rdp.problem"]
    assert "rdp.methods" in FULL_GRAPH["rdp.batch.spec"]
    # ``if TYPE_CHECKING:`` blocks are never run
    assert "rdp.methods" not in FULL_GRAPH["rdp.problem"]
    # it would see a cycle
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_reader_counts_an_import_inside_a_function(tmp_path, monkeypatch):
    """A lazy import that closes a circle is found (the check can fail)."""
    package = tmp_path / "rdp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from rdp import high\n")
    (package / "high.py").write_text("from rdp import low\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", package)
    monkeypatch.setattr(
        sys.modules[__name__], "MODULES", {_module_name(p): p for p in package.rglob("*.py")}
    )
    graph = {name: _imports(name, in_functions=True) for name in MODULES}
    assert _find_cycle({name: _imports(name) for name in MODULES}) is None
    assert _find_cycle(graph) == ["rdp.high", "rdp.low", "rdp.high"]


def test_the_facade_is_in_the_graph():
    """The documented arrow exists (else FACADE documents nothing)."""
    assert all(target in FULL_GRAPH[source] for source, target in FACADE)


def test_no_import_cycle_in_rdp():
    """No circle at module level, and none with lazy imports other than the facade."""
    assert _find_cycle(GRAPH) is None, " -> ".join(_find_cycle(GRAPH) or [])
    assert _find_cycle(LAYERED) is None, " -> ".join(_find_cycle(LAYERED) or [])


def _reachable(start: str) -> set[str]:
    """Modules ``start`` may import, at once or when a function runs (the facade excluded)."""
    seen, todo = set(), [start]
    while todo:
        for nxt in LAYERED[todo.pop()]:
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
ABOVE_DATA = ("rdp._solving", "rdp.methods", "rdp.inversion", "rdp.closed_forms", "rdp.solvers")
#: Services of the library on top of ``rdp._solving``.
SERVICES = (
    "rdp.batch",
    "rdp.golden",
    "rdp.plot",
    "rdp.theorems",
    "rdp.reproduce",
    "rdp.explore",
    "rdp.estimate",
)
#: The optional extras (JAX), loaded by name by ``rdp.reproduce`` and the CLI.
EXTRAS = ("rdp.neural", "rdp.codec")
ON_TOP = (*SERVICES, *EXTRAS, "rdp.cli")


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


@pytest.mark.parametrize("module", DATA_LAYER)
def test_data_layer_imports_no_method(module):
    up = sorted(m for m in _reachable(module) if _under(m, ABOVE_DATA + ON_TOP))
    assert not up, f"{module} imports {up}"


@pytest.mark.parametrize(
    "module",
    sorted(
        m for m in MODULES if _under(m, ("rdp.closed_forms", "rdp.solvers", "rdp.quantization"))
    ),
)
def test_methods_do_not_import_solve_or_the_layers_on_top(module):
    up = sorted(m for m in _reachable(module) if _under(m, ("rdp._solving", *ON_TOP)))
    assert not up, f"{module} imports {up}"


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if _under(m, ("rdp.batch", "rdp.golden")))
)
def test_batch_and_golden_import_no_other_layer_on_top(module):
    """Sweeps and golden tables are library services: no plot, theorem, figure, extra or CLI."""
    up = sorted(
        m for m in _reachable(module) if _under(m, ON_TOP) and _package(m) != _package(module)
    )
    assert not up, f"{module} imports {up}"


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if not _under(m, ("rdp.cli", "rdp.__main__")))
)
def test_the_library_does_not_import_its_cli(module):
    up = sorted(m for m in _reachable(module) if _under(m, ("rdp.cli",)))
    assert not up, f"{module} imports {up}"


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if not _under(m, (*EXTRAS, "rdp.cli", "rdp.__main__")))
)
def test_the_core_does_not_import_the_extras(module):
    """``rdp.reproduce`` finds the neural and codec figures by module name, never by import."""
    up = sorted(m for m in _reachable(module) if _under(m, EXTRAS))
    assert not up, f"{module} imports {up}"


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
        "import rdp._solving, rdp.methods\n"
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
