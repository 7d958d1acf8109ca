"""No module of the package reaches for another module's private names (import-linter's
contracts in pyproject.toml check the layers and cycles). Read from the source with ``ast``, so
an import inside a function counts as much as one at the top (``if TYPE_CHECKING:`` blocks are
left out: they never run)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_sm_experiments"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST):
    """Every node that can run: the bodies of ``if TYPE_CHECKING:`` are skipped."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> dict[str, set[str]]:
    """The package modules ``module`` imports at run time -> the names it takes from each."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    found.setdefault(alias.name, set())
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in MODULES:
                    found.setdefault(submodule, set())
                elif target in MODULES:
                    found.setdefault(target, set()).add(alias.name)
    return found


def test_the_modules_are_found():
    assert "pytest_sm_experiments.core.service" in MODULES
    assert "pytest_sm_experiments.core.operations.artifacts" in MODULES
    assert "pytest_sm_experiments" in MODULES


def test_no_private_name_is_taken_from_another_module():
    taken = []
    for module in MODULES:
        for target, names in _imports(module).items():
            taken += [f"{module} takes {target}.{name}" for name in sorted(names)
                      if name.startswith("_") and not name.startswith("__")]
    assert taken == []


def test_no_private_attribute_of_another_package_module_is_read():
    read = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # The names under which this module holds other package modules (``from . import x``).
        held = {}
        for node in _runtime_nodes(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, node)
                for alias in node.names:
                    if f"{target}.{alias.name}" in MODULES:
                        held[alias.asname or alias.name] = f"{target}.{alias.name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in held and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                read.append(f"{module} reads {held[node.value.id]}.{node.attr}")
    assert read == []
