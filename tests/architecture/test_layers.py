"""The house rules of kg/ (docs/architecture.md), checked on the source itself.

Imports run one way, from the CLI down to the model, with no circle anywhere:
every import counts, also those inside functions and under TYPE_CHECKING,
since each is a dependency a reader must follow. A module stays small enough to
hold in one's head, a function fits on a screen, unless a `# size:` comment
right above it says why it is longer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kg"

# A package may import the packages of a lower rank, and itself; never a
# sibling of its own rank nor one above it.
RANKS = {
    "model": 0,
    "stores": 1,
    "knowledge": 2,
    "validation": 3,
    "answers": 3,
    "importers": 4,
    "outputs": 4,
    "cli": 5,
}
# The root: kg/__init__.py holds the version and imports nothing of kg;
# kg/__main__.py runs the CLI.
ROOT_RANKS = {"kg": -1, "kg.__main__": 6}

# Third-party libraries that one package alone may import.
OWNERS = {
    "pyshacl": ("kg.validation.",),
    "networkx": ("kg.outputs.",),
    "matplotlib": ("kg.outputs.",),
}

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
SIZE_NOTE = "# size:"


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            for alias in node.names:
                # `from kg.stores import index` imports the module kg.stores.index.
                submodule = f"{origin}.{alias.name}"
                found.append(Import(name, submodule if submodule in known else origin, node.lineno))
    return found


def all_imports() -> list[Import]:
    known = modules()
    found = {item for name, path in known.items() for item in imports_of(name, path, known)}
    return sorted(found, key=lambda item: (item.importer, item.line, item.imported))


def rank(module: str) -> int:
    if module in ROOT_RANKS:
        return ROOT_RANKS[module]
    return RANKS[module.split(".")[1]]


def test_every_package_has_a_rank_and_a_docstring_that_says_what_it_may_import() -> None:
    for path in sorted(PACKAGE.glob("*/__init__.py")):
        package = path.parent.name
        assert package in RANKS, f"kg/{package}/ has no place in RANKS (docs/architecture.md)"
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert "May import" in docstring, f"kg/{package}/__init__.py: say what it may import"
    loose = sorted(
        path.name
        for path in PACKAGE.glob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    )
    assert loose == [], f"modules at the top of kg/ belong in a package: {loose}"


def against_the_layers(imports: list[Import]) -> list[str]:
    """The imports that go up, or sideways to another package of the same rank."""
    wrong = []
    for item in imports:
        if not item.imported.startswith("kg.") and item.imported != "kg":
            continue
        same_package = item.importer.split(".")[:2] == item.imported.split(".")[:2]
        if same_package and item.importer not in ROOT_RANKS:
            continue
        if rank(item.imported) >= rank(item.importer):
            wrong.append(f"{item.importer} (line {item.line}) imports {item.imported}")
    return wrong


def test_imports_run_one_way_from_the_cli_down_to_the_model() -> None:
    wrong = against_the_layers(all_imports())
    assert wrong == [], "imports against the layers:\n" + "\n".join(wrong)


def test_the_layer_check_refuses_an_import_up_or_sideways() -> None:
    def imports(*pairs: tuple[str, str]) -> list[Import]:
        return [Import(importer, imported, 1) for importer, imported in pairs]

    assert against_the_layers(imports(("kg.answers.entity", "kg.stores.base"))) == []
    assert against_the_layers(imports(("kg.answers.entity", "kg.answers.labels"))) == []
    assert against_the_layers(imports(("kg.answers.entity", "rdflib"))) == []
    up = imports(("kg.model.files", "kg.stores.base"))
    assert against_the_layers(up) == ["kg.model.files (line 1) imports kg.stores.base"]
    sideways = imports(("kg.answers.entity", "kg.validation.shacl"))
    assert against_the_layers(sideways) == [
        "kg.answers.entity (line 1) imports kg.validation.shacl"
    ]


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One circle in a directed graph, or None (an iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(edges[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(edges.get(following, ()))))
    return None


def test_no_import_circle_between_modules() -> None:
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for item in all_imports():
        if item.imported in edges and item.imported != item.importer:
            edges[item.importer].add(item.imported)
    # A package's __init__ runs before its modules: a module importing its own
    # package's __init__ is not a circle unless the __init__ imports it back.
    cycle = find_cycle(edges)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_find_cycle_finds_a_circle_and_only_a_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": set(), "c": {"c"}}) == ["c", "c"]


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_a_heavy_library_has_one_owner(library: str) -> None:
    owners = OWNERS[library]
    strangers = sorted(
        f"{item.importer} (line {item.line})"
        for item in all_imports()
        if item.imported.split(".")[0] == library
        and not any(item.importer.startswith(owner) for owner in owners)
    )
    assert strangers == [], f"{library} belongs to {owners}, but is imported by {strangers}"


def noted(lines: list[str], first_line: int) -> bool:
    """Whether a `# size:` comment stands right above line `first_line` (1-based)."""
    index = first_line - 2
    while index >= 0 and lines[index].strip().startswith(("#", "@")):
        if lines[index].strip().startswith(SIZE_NOTE):
            return True
        index -= 1
    return False


def test_rooms_are_small_enough_to_hold_in_ones_head() -> None:
    too_big = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if len(lines) > MAX_MODULE_LINES and SIZE_NOTE not in text[:2000]:
            too_big.append(f"{name}: {len(lines)} lines")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES and not noted(lines, first):
                too_big.append(f"{name}.{node.name} (line {node.lineno}): {length} lines")
    assert too_big == [], "split these, or say why with a '# size:' comment:\n" + "\n".join(too_big)
