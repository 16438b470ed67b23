"""The shape of ``src/atoll``: no import cycles (function-local imports count too) and no
module over the size limit."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "atoll"
MAX_MODULE_LINES = 800


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is named by its ``__init__``)."""
    modules = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:``, which never run."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its body, resolved the way
    Python resolves them: ``from X import Y`` means module ``X.Y`` when that is a module,
    else ``X`` itself."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules
                       else origin for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in modules and t != name)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_no_import_cycles():
    graph = import_graph()
    cycles = _cycles(graph)
    described = ["; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(c)))}" for m in c)
                 for c in cycles]
    assert not cycles, "import cycles in src/atoll:\n" + "\n".join(described)


def test_cycle_finder_sees_function_local_imports(tmp_path):
    # The checker itself must catch a cycle hidden in a function body, and must not count
    # an import that only type checkers see.
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\n"
                      "if TYPE_CHECKING:\n    from . import typed\n"
                      "def f():\n    from .other import thing\n")
    known = {"atoll.cli.other": module, "atoll.cli.m": module, "atoll.cli.typed": module}
    assert _imports("atoll.cli.m", module, known) == {"atoll.cli.other"}


def test_no_module_over_the_size_limit():
    too_big = {name: len(path.read_text().splitlines()) for name, path in _modules().items()}
    too_big = {name: n for name, n in too_big.items() if n > MAX_MODULE_LINES}
    assert not too_big, "\n".join(
        f"{name} has {n} lines; the limit for a module in src/ is {MAX_MODULE_LINES}: "
        "split it into smaller modules with one job each" for name, n in sorted(too_big.items()))


def test_each_package_says_what_lives_there():
    vague = []
    for name, path in sorted(_modules().items()):
        if path.name != "__init__.py":
            continue
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        summary = doc.split("\n\n", 1)[0].splitlines()
        if not summary or len(summary) > 2:
            vague.append(f"{name}: the docstring of {path.relative_to(SRC)} must open with at "
                         "most two lines saying what lives in the package")
    assert not vague, "\n".join(vague)


def test_readme_layout_names_every_package_and_top_level_module():
    readme = (SRC.parent / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("```", 2)[1]
    missing = []
    for path in sorted((SRC / PACKAGE).iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            if f"{path.name}/" not in layout:
                missing.append(f"{path.name}/")
        elif path.suffix == ".py" and path.name not in layout:
            missing.append(path.name)
    assert not missing, f"README.md's Layout section does not mention: {', '.join(missing)}"
