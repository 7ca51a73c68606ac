"""The package's layout keeps its promises (docs/architecture.md): the folders are the stages of the data flow,
each imports only from the stages before it, nothing imports in a cycle, no module grows past 400 lines, and
only a few small modules live at the top.

Imports are read from the source (``ast``), every one of them: a lazy import inside a function is still an
arrow between two stages.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "costcalc"
# The stages in the order data flows (docs/architecture.md); a module may import from its own stage and the
# ones before it. The shared modules come first: the package itself (its version), the escaping of text for
# each place output goes (render/sinks/: pure functions of strings, which diagnostics use too), errors and
# quantities.
SHARED = ("costcalc", "costcalc.render.sinks")
STAGES = ("errors", "quantities", "source", "layers", "onnx", "spec", "conventions", "engine", "export", "devices",
          "budget", "analysis", "render", "api", "cli")
TOP_LEVEL = {"__init__", "__main__", "errors", "quantities"}
MAX_LINES = 400


@functools.cache
def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imports(path: Path, module: str) -> Iterator[tuple[str, int, bool]]:
    """(imported costcalc module, line, at module level) for every import in ``path``."""
    tree = _tree(path)
    top_level = {id(node) for node in tree.body}
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "costcalc":
                continue
            names = [f"{base}.{alias.name}" for alias in node.names]
            for name in names:  # `from costcalc.render import numbers` imports the module costcalc.render.numbers
                yield (name if name in modules() else base), node.lineno, id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "costcalc":
                    yield alias.name, node.lineno, id(node) in top_level


def stage(module: str, importing: bool = False) -> int:
    """The module's place in the flow; the package's ``__init__`` and ``__main__`` may import anything."""
    parts = module.split(".")
    if module == "costcalc" or parts[1:2] == ["__main__"]:
        return len(STAGES) if importing else -1
    if any(module == shared or module.startswith(shared + ".") for shared in SHARED[1:]):
        return -1
    return STAGES.index(parts[1])


def test_only_a_few_small_modules_at_the_top() -> None:
    top = {path.stem for path in PACKAGE.glob("*.py")}
    assert top <= TOP_LEVEL, f"top-level modules beyond {sorted(TOP_LEVEL)}: {sorted(top - TOP_LEVEL)}"
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and not path.name.startswith("__")}
    assert folders == set(STAGES) - {"errors", "quantities"}, folders


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_is_over_400_lines(module: str) -> None:
    lines = modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by what its parts do"


def test_every_import_points_back_along_the_data_flow() -> None:
    wrong = []
    for module, path in modules().items():
        for imported, line, _top in imports(path, module):
            if stage(imported) > stage(module, importing=True):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {module} imports {imported}")
    assert not wrong, "imports against the data flow (docs/architecture.md):\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    """Among the imports at module level (those that run when a module is imported)."""
    known = modules()
    graph = {module: {imported for imported, _line, top in imports(path, module) if top and imported in known
                      and imported != module}
             for module, path in known.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                cycles.append(" -> ".join([*trail[trail.index(imported):], imported]))
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles


def test_every_package_is_installed() -> None:
    """pyproject.toml lists the packages setuptools installs: a folder missing there is missing from a wheel."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        listed = set(tomllib.load(handle)["tool"]["setuptools"]["packages"])
    packages = {".".join(path.parent.relative_to(ROOT).parts) for path in PACKAGE.rglob("__init__.py")}
    assert packages <= listed, sorted(packages - listed)
