"""The shape of ``generator/``: data flows one way, and no stage reaches back up.

The import graph is read from the source (every ``import``, also inside functions; imports
under ``if TYPE_CHECKING:`` are type annotations only and are left out), so a new upward
edge or cycle fails here before it confuses a reader.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "generator"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path) -> set[str]:
    """The ``generator`` modules and third-party top-level packages a file imports."""
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from generator import history` imports the module generator.history
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if f"{node.module}.{alias.name}" in MODULES
            )
    return found


GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def internal(name: str) -> set[str]:
    return {m for m in GRAPH[name] if m in MODULES and m != name}


def edges_from(prefix: str) -> dict[str, set[str]]:
    return {name: GRAPH[name] for name in GRAPH if name == prefix or name.startswith(prefix + ".")}


def reaches(module: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in GRAPH[module] if m.split(".")[0] in forbidden or m in forbidden)


def test_no_import_cycle() -> None:
    # a package's __init__ re-exporting its own modules is not a cycle of the design
    def deps(name: str) -> set[str]:
        return {m for m in internal(name) if not (name.startswith(m + ".") and m != name)}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for dep in sorted(deps(name)):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :] + [dep]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


@pytest.mark.parametrize(
    ("stage", "forbidden"),
    [
        # registry clients fetch and read; verification, rendering and orchestration are later
        ("generator.ecosystems", ("generator.verify", "generator.render", "generator.history")),
        ("generator.verify", ("generator.ecosystems", "generator.render", "generator.history")),
        ("generator.classify", ("generator.http", "generator.verify", "generator.ecosystems")),
        # history is pure: no network, no event loop, no markup
        ("generator.history", ("generator.http", "anyio", "httpx", "jinja2", "generator.render")),
        ("generator.render", ("generator.http", "generator.crawl", "anyio", "httpx")),
    ],
)
def test_stages_never_reach_upward(stage: str, forbidden: tuple[str, ...]) -> None:
    top = ("generator.pipeline", "generator.cli", "generator.history_cli")
    for name in edges_from(stage):
        assert not reaches(name, forbidden + top), f"{name} imports {reaches(name, forbidden)}"


def test_only_the_command_line_imports_the_pipeline() -> None:
    importers = sorted(n for n in GRAPH if "generator.pipeline" in GRAPH[n])
    assert importers == ["generator.cli", "generator.history_cli"]
    assert not [n for n in GRAPH if "generator.cli" in GRAPH[n] and n != "generator.__main__"]


def test_the_graph_reader_sees_function_level_and_from_imports() -> None:
    # the checks above are only as good as this reader
    assert "generator.history" in GRAPH["generator.pipeline"]
    assert "generator.verify" in GRAPH["generator.crawl"]
    assert "jinja2" in GRAPH["generator.render.env"]


@pytest.mark.parametrize("prefix", ["history", "render", "verify", "cli.py", "history_cli.py"])
def test_split_modules_stay_small(prefix: str) -> None:
    paths = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0].startswith(prefix)]
    assert paths
    for path in paths:
        lines = len(path.read_text().splitlines())
        assert lines < 350, f"{path.relative_to(ROOT)} has {lines} lines"


def test_no_absolute_path_of_a_machine_in_the_repository() -> None:
    try:
        files = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    pattern = re.compile(r"(?<![\w.])/(?:work|farm|home/\w+|Users/\w+)/")
    offenders = []
    for name in files:
        path = ROOT / name
        if path.suffix in {".bin", ".png", ".gz", ".tgz"} or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}:{m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders, offenders
