"""The layers of DESIGN.md, checked from the source: store knows nothing of the dashboard,
the dashboard never reaches past the store to TinyDB, and no package imports in a circle.

The checks read every import statement with ``ast``: at module level, inside functions
and classes, and under ``if TYPE_CHECKING:``, since each of those is a dependency even
when it is not one at import time.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("store", "tui")


# -- reading imports ------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import statement's target, and where it stands."""

    importer: str
    target: str
    path: Path
    line: int
    where: str  # "module level", "in a function", "under TYPE_CHECKING", ...

    def __str__(self) -> str:
        return f"{self.importer} -> {self.target} ({self.path.name}:{self.line}, {self.where})"


def modules_under(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of ``packages`` (folders under ``root``) by dotted name."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Collects (absolute module, imported names, line, where) from every import."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.context: list[str] = []
        self.found: list[tuple[str, list[str], int, str]] = []

    def where(self) -> str:
        return ", ".join(reversed(self.context)) if self.context else "module level"

    def _inside(self, node: ast.AST, label: str) -> None:
        self.context.append(label)
        self.generic_visit(node)
        self.context.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._inside(node, "in a function")

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._inside(node, "in a function")

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.context.append("under TYPE_CHECKING")
        for child in node.body:
            self.visit(child)
        self.context.pop()
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, [], node.lineno, self.where()))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            if node.level > 1:
                base = base[: -(node.level - 1)]
            absolute = ".".join([*base, node.module] if node.module else base)
        else:
            absolute = node.module or ""
        names = [alias.name for alias in node.names if alias.name != "*"]
        self.found.append((absolute, names, node.lineno, self.where()))

    def visit_Call(self, node: ast.Call) -> None:
        # importlib.import_module("x") and __import__("x") count as imports of x.
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if (
            name in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            self.found.append((node.args[0].value, [], node.lineno, self.where()))
        self.generic_visit(node)


def imports_in(
    root: Path, packages: tuple[str, ...]
) -> Iterator[tuple[str, Path, str, list[str], int, str]]:
    """(importer, its file, imported module, names imported from it, line, where) for
    every import statement in ``packages``."""
    for module, path in modules_under(root, packages).items():
        visitor = _Imports(module, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for target, names, line, where in visitor.found:
            yield module, path, target, names, line, where


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, list[Import]]:
    """Module -> the imports of other modules of ``packages`` it makes.

    ``from a.b import c`` depends on ``a.b.c`` when that is a module, else on ``a.b``;
    either way also on the packages above it that are not the importer's own (those
    are initialised before the importer runs, so they cannot close a circle through it).
    """
    known = modules_under(root, packages)
    graph: dict[str, list[Import]] = {module: [] for module in known}
    for importer, path, target, names, line, where in imports_in(root, packages):
        targets = [f"{target}.{name}" for name in names if f"{target}.{name}" in known]
        if len(targets) < len(names) or not names:
            targets.append(target)
        own = {importer, *_ancestors(importer)}
        for found in targets:
            for module in [*_ancestors(found), found]:
                if module in known and module not in own:
                    graph[importer].append(Import(importer, module, path, line, where))
    return graph


# -- finding cycles --------------------------------------------------------------------


def _components(graph: dict[str, list[Import]]) -> list[list[str]]:
    """Strongly connected components with a cycle in them (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph[node]:
            if edge.target not in index:
                visit(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in on_stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or any(e.target == node for e in graph[node]):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _shortest_cycle(graph: dict[str, list[Import]], start: str, within: set[str]) -> list[Import]:
    """The shortest chain of imports from ``start`` back to itself, inside ``within``."""
    came_from: dict[str, Import] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for edge in graph[node]:
            if edge.target not in within:
                continue
            if edge.target == start:
                chain = [edge]
                while chain[0].importer != start:
                    chain.insert(0, came_from[chain[0].importer])
                return chain
            if edge.target not in came_from:
                came_from[edge.target] = edge
                queue.append(edge.target)
    raise AssertionError(f"{start} is on no cycle")


def import_cycles(root: Path, packages: tuple[str, ...]) -> list[list[Import]]:
    """For each circle of modules importing each other, the shortest cycle through each
    of its modules (one per distinct set of steps)."""
    graph = import_graph(root, packages)
    cycles: list[list[Import]] = []
    seen: set[frozenset[tuple[str, str]]] = set()
    for component in _components(graph):
        members = set(component)
        for start in component:
            cycle = _shortest_cycle(graph, start, members)
            key = frozenset((e.importer, e.target) for e in cycle)
            if key not in seen:
                seen.add(key)
                cycles.append(cycle)
    return cycles


def describe(cycles: list[list[Import]]) -> str:
    lines = []
    for cycle in cycles:
        path = " -> ".join([cycle[0].importer, *(e.target for e in cycle)])
        lines.append(f"{path}\n" + "".join(f"    {edge}\n" for edge in cycle))
    return f"{len(cycles)} import cycle(s):\n" + "".join(lines)


def assert_no_cycles(root: Path, packages: tuple[str, ...]) -> None:
    cycles = import_cycles(root, packages)
    assert not cycles, describe(cycles)


# -- the layers -------------------------------------------------------------------------


def loaded_by_importing(modules: list[str]) -> tuple[set[str], str]:
    """Top-level packages present in a fresh interpreter after importing ``modules``, and
    the folder the first of them came from."""
    code = (
        "import importlib, json, sys\n"
        f"first = [importlib.import_module(name) for name in {modules!r}][0]\n"
        "print(json.dumps([sorted({m.partition('.')[0] for m in sys.modules}), first.__file__]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded, first = json.loads(done.stdout)
    return set(loaded), first


def test_the_store_never_loads_the_dashboard_or_its_libraries() -> None:
    """Every module of store, imported in a fresh interpreter: no textual, rich or tui."""
    loaded, first = loaded_by_importing(sorted(modules_under(ROOT, ("store",))))
    assert Path(first).is_relative_to(ROOT / "store"), first
    assert "tinydb" in loaded
    assert sorted(loaded & {"textual", "rich", "tui"}) == []


def test_the_dashboard_never_imports_tinydb() -> None:
    """Not at module level, not in a function, not under TYPE_CHECKING."""
    found = [
        f"{path.relative_to(ROOT)}:{line} ({where}) imports {target}"
        for _, path, target, _, line, where in imports_in(ROOT, ("tui",))
        if target.partition(".")[0] == "tinydb"
    ]
    assert not found, "\n".join(found)


def test_no_import_cycles() -> None:
    assert_no_cycles(ROOT, PACKAGES)


# -- the order inside tui/ ------------------------------------------------------------------

# Lowest first; a module may import its own layer and those below, never one above.
TUI_LAYERS = ("helpers and widgets", "dialogs", "views", "forms", "screens", "app", "entry points")
# The texts of a record's details, shared by views and dialogs: text, no widget, whatever
# their folder.
TEXT_HELPERS = {"tui.views.details"}


def full_screens(root: Path) -> set[str]:
    """The modules of tui/screens and tui/dialogs that are whole screens, not dialogs: those
    defining a class based on Textual's ``Screen`` or on another whole screen, or importing
    one."""
    known = modules_under(root, ("tui",))
    screens = {m: p for m, p in known.items() if m.startswith(("tui.screens.", "tui.dialogs."))}
    bases: dict[tuple[str, str], set[str]] = {}
    for module, path in screens.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                bases[module, node.name] = {ast.unparse(b).split("[")[0] for b in node.bases}
    # A modal screen is a dialog, and so is a class mixed into one (a guard on dismiss).
    modal, grown = {"ModalScreen", "SystemModalScreen", "CommandPalette"}, True
    while grown:
        grown = False
        for (_, name), based_on in bases.items():
            if name not in modal and based_on & modal:
                modal.add(name)
                grown = True
    mixed_in = {base for (_, name), based_on in bases.items() if name in modal for base in based_on}
    whole, grown = {"Screen"}, True
    while grown:
        grown = False
        for (_, name), based_on in bases.items():
            if name in modal or name in mixed_in:
                continue
            if name not in whole and based_on & whole:
                whole.add(name)
                grown = True
    full = {module for module, name in bases if name in whole}
    graph = import_graph(root, ("tui",))
    grown = True
    while grown:
        grown = False
        for module in screens.keys() - full:
            if any(edge.target in full for edge in graph[module]):
                full.add(module)
                grown = True
    return full


def misfiled(root: Path) -> list[str]:
    """Every module of tui/screens that is no whole screen, and of tui/dialogs that is one:
    the folder says the layer, so it must say what the module is."""
    full = full_screens(root)
    known = modules_under(root, ("tui",))
    found = [
        f"{module} is a dialog, in tui/screens"
        for module in known
        if module.startswith("tui.screens.") and module not in full
    ]
    found += [
        f"{module} is a whole screen, in tui/dialogs"
        for module in known
        if module.startswith("tui.dialogs.") and module in full
    ]
    return sorted(found)


def tui_layer(module: str) -> int | None:
    """The index in TUI_LAYERS of ``module``; None for a package that only groups others."""
    if module in ("tui.widgets", "tui.dialogs", "tui.views", "tui.screens"):
        return None
    if module in TEXT_HELPERS or module.startswith("tui.widgets."):
        return 0
    if module.startswith("tui.dialogs."):
        return TUI_LAYERS.index("dialogs")
    if module.startswith("tui.views."):
        return TUI_LAYERS.index("views")
    if module in ("tui.forms", "tui.quick"):
        return TUI_LAYERS.index("forms")
    if module.startswith("tui.screens."):
        return TUI_LAYERS.index("screens")
    if module == "tui.app":
        return TUI_LAYERS.index("app")
    if module in ("tui", "tui.cli", "tui.serve") or module.startswith(("tui.cli.", "tui.serve.")):
        return TUI_LAYERS.index("entry points")
    return 0


def tui_layer_breaches(root: Path) -> list[str]:
    """Every import in tui/ of a module from a layer above the importer's."""
    found = []
    for edges in import_graph(root, ("tui",)).values():
        for edge in edges:
            low, high = tui_layer(edge.importer), tui_layer(edge.target)
            if low is not None and high is not None and high > low:
                found.append(f"{edge} imports {TUI_LAYERS[high]} into {TUI_LAYERS[low]}")
    return found


def test_the_dashboard_keeps_its_layers_in_order() -> None:
    """widgets < dialogs < views < forms < screens < app: a view opens a dialog but never a
    screen, a dialog never shows a view, a widget knows none of them; tui/dialogs holds
    the dialogs and tui/screens the whole screens."""
    assert "tui.screens.dashboard" in full_screens(ROOT)
    assert "tui.dialogs.form" not in full_screens(ROOT)
    assert misfiled(ROOT) == []
    breaches = tui_layer_breaches(ROOT)
    assert not breaches, "\n".join(breaches)


# -- the checks can fail ------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_cycle_check_finds_cycles_of_every_kind_of_import(tmp_path: Path) -> None:
    """A fake package whose one cycle closes only under TYPE_CHECKING and in a function,
    through a relative import, plus imports that must not count as cycles."""
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": "from pkg.views import view\n",
            "pkg/views/__init__.py": "from . import view\n",
            "pkg/views/view.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from ..screen import Screen\n"
            ),
            "pkg/screen.py": "def run():\n    import pkg.app\n",
            "pkg/leaf.py": "import pkg\nfrom pkg import screen\nimport os\n",
            "other/__init__.py": "",
            "other/mod.py": "from pkg.app import x\n",
        },
    )
    cycles = import_cycles(tmp_path, ("pkg", "other"))
    assert len(cycles) >= 1
    members = {edge.importer for cycle in cycles for edge in cycle}
    assert members == {"pkg.app", "pkg.views", "pkg.views.view", "pkg.screen"}
    text = describe(cycles)
    assert "pkg.views.view -> pkg.screen (view.py:3, under TYPE_CHECKING)" in text
    assert "pkg.screen -> pkg.app (screen.py:2, in a function)" in text
    with pytest.raises(AssertionError, match="import cycle"):
        assert_no_cycles(tmp_path, ("pkg", "other"))


def test_the_cycle_check_passes_a_package_without_cycles(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.a import A\n",
            "pkg/a.py": "from pkg import b\nfrom .c import C\n",
            "pkg/b.py": "def f():\n    from pkg.c import C\n",
            "pkg/c.py": "import pkg.d\n",
            "pkg/d.py": "import json\n",
        },
    )
    assert_no_cycles(tmp_path, ("pkg",))


def test_every_file_replaced_whole_goes_through_one_writer() -> None:
    """A file is replaced (written beside, flushed, renamed over) only in
    store/files/atomic.py: one place holds how it is done, and a fix there reaches every
    file."""
    found = []
    for path in sorted([*(ROOT / "store").rglob("*.py"), *(ROOT / "tui").rglob("*.py")]):
        if path == ROOT / "store" / "files" / "atomic.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "os"
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


def test_the_layer_check_finds_an_import_from_above(tmp_path: Path) -> None:
    """A view that opens a whole screen, a dialog that shows a view and a widget that
    opens a dialog, each found; a screen using a view and a view opening a dialog pass; a
    whole screen among the dialogs and a dialog among the screens, each found misfiled."""
    write(
        tmp_path,
        {
            "tui/__init__.py": "",
            "tui/app.py": "from tui.screens.main import Main\n",
            "tui/widgets/__init__.py": "",
            "tui/widgets/table.py": "def f():\n    from tui.dialogs.ask import Ask\n",
            "tui/screens/__init__.py": "",
            "tui/screens/main.py": (
                "from textual.screen import Screen\nfrom tui.views.list import List\n"
                "class Main(Screen[None]):\n    pass\n"
            ),
            "tui/dialogs/__init__.py": "",
            "tui/dialogs/ask.py": (
                "from textual.screen import ModalScreen\nfrom tui.views.list import List\n"
                "class Ask(ModalScreen[None]):\n    pass\n"
            ),
            "tui/dialogs/whole.py": (
                "from textual.screen import Screen\nclass Whole(Screen[None]):\n    pass\n"
            ),
            "tui/screens/confirm.py": (
                "from textual.screen import ModalScreen\nclass Confirm(ModalScreen[bool]):\n"
                "    pass\n"
            ),
            "tui/views/__init__.py": "",
            "tui/views/list.py": (
                "from tui.dialogs.ask import Ask\nfrom tui.screens.main import Main\n"
            ),
        },
    )
    assert full_screens(tmp_path) == {"tui.screens.main", "tui.dialogs.whole"}
    assert misfiled(tmp_path) == [
        "tui.dialogs.whole is a whole screen, in tui/dialogs",
        "tui.screens.confirm is a dialog, in tui/screens",
    ]
    found = sorted(tui_layer_breaches(tmp_path))
    assert len(found) == 3, found
    assert "tui.dialogs.ask -> tui.views.list" in found[0]
    assert "tui.views.list -> tui.screens.main" in found[1]
    assert "tui.widgets.table -> tui.dialogs.ask" in found[2]
