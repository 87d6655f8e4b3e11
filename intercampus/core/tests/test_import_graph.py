"""No import circles between the files of the project (issue 8: dependencies point down only).

The graph has one node per module of ``intercampus`` and an edge for every import of another
of its modules, wherever the import statement sits: at the top of the file or inside a
function. A lazy import inside a function hides a circle from Python but not from the reader,
and it is exactly how the circles this test guards against were kept alive. Imports under
``if TYPE_CHECKING:`` are left out: they never run.

A circle is a strongly connected component of that graph with more than one module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import intercampus

PACKAGE = Path(intercampus.__file__).parent

# Circles that exist today and are to be removed; never add one. Each entry is the set of the
# modules of one circle. The test also fails when an entry no longer exists, so that the list
# can only shrink. (Empty: the last three, the onboarding clock, mobility's calls and
# applications services, and the tasks queued by services, were removed.)
ALLOWED_CYCLES: set[frozenset[str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def runtime_imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement below ``node``, skipping ``if TYPE_CHECKING:`` blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from runtime_imports(ast.Module(body=child.orelse, type_ignores=[]))
        else:
            yield from runtime_imports(child)


def _is_type_checking(test: ast.expr) -> bool:
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", "")
    return name == "TYPE_CHECKING"


def imported_names(
    statement: ast.Import | ast.ImportFrom, importer: str, is_package: bool
) -> list[str]:
    """The dotted names ``statement`` imports (``from a import b`` gives ``a.b``: a module if
    ``b`` is one, otherwise an attribute of ``a``, which ``owning_module`` strips)."""
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    if statement.level:
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (statement.level - 1)]
        source = ".".join([*base, *([statement.module] if statement.module else [])])
    else:
        source = statement.module or ""
    return [f"{source}.{alias.name}" for alias in statement.names]


def owning_module(name: str, modules: set[str]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for importer, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for statement in runtime_imports(tree):
            for name in imported_names(statement, importer, path.name == "__init__.py"):
                target = owning_module(name, modules)
                if target and target != importer:
                    graph[importer].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(cycle: frozenset[str], graph: dict[str, set[str]]) -> str:
    edges = [f"{a} -> {b}" for a in sorted(cycle) for b in sorted(graph[a] & cycle)]
    return "\n  ".join(edges)


def test_no_new_import_cycle_between_files():
    graph = import_graph()
    new = cycles(graph) - ALLOWED_CYCLES
    assert not new, "New import circles between files:\n  " + "\n\n  ".join(
        describe(cycle, graph) for cycle in new
    )


def test_the_allowed_cycles_still_exist_so_the_list_only_shrinks():
    gone = ALLOWED_CYCLES - cycles(import_graph())
    assert not gone, f"These circles are gone; remove them from ALLOWED_CYCLES: {gone}"


def test_the_graph_finds_a_circle_made_by_an_import_inside_a_function():
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert cycles(graph) == {frozenset({"a", "b"})}
    source = ast.parse("def f():\n    from intercampus.x import y\n")
    names = [n for s in runtime_imports(source) for n in imported_names(s, "p.m", False)]
    assert names == ["intercampus.x.y"]


def test_the_graph_sees_the_project_and_skips_type_checking_imports():
    graph = import_graph()
    assert "intercampus.core.models" in graph["intercampus.core.notices"]
    source = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import intercampus.x\n"
        "else:\n    import intercampus.y\n"
    )
    names = [n for s in runtime_imports(source) for n in imported_names(s, "p.m", False)]
    assert names == ["typing.TYPE_CHECKING", "intercampus.y"]
