"""The runtime package's import graph: no loops, read from the source without importing it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

import pytest

from attune.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "attune"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: Dict[str, Path] = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def attune_imports(path: Path, at_import_time: bool) -> Set[str]:
    """The attune modules a file imports: at import time only, or anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if at_import_time else list(ast.walk(tree))
    found: Set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in MODULES} - {module_name(path)}


def loops(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    found: List[List[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_the_graph_sees_the_package():
    assert {"attune.practice", "attune.safety.resources", "attune.validation"} <= set(MODULES)
    assert "attune.validation" in attune_imports(MODULES["attune.practice"], at_import_time=True)


def test_no_import_loop_among_attune_modules_at_import_time():
    graph = {name: attune_imports(path, at_import_time=True) for name, path in MODULES.items()}
    assert loops(graph) == []


def test_no_import_loop_even_through_imports_inside_functions():
    # Deferred imports hide a loop until the function runs; there is none to hide.
    graph = {name: attune_imports(path, at_import_time=False) for name, path in MODULES.items()}
    assert loops(graph) == []


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_loops_are_found(graph, expected):
    assert loops(graph) == expected


def test_the_deployment_imports_no_benchmark():
    for path in sorted((REPO_ROOT / "deploy").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            assert not any(name.split(".")[0] == "bench" for name in names), path
