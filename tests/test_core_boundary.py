"""The domain core never imports the interface; plain subcommands never import Textual."""

from __future__ import annotations

import ast
import graphlib
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return result.stdout.strip()


def test_annotations_modules_do_not_import_textual() -> None:
    core = importlib.import_module("annotations")
    names = [m.name for m in pkgutil.iter_modules(core.__path__, "annotations.")]
    assert "annotations.workspace" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m == 'textual' or m.startswith(('textual.', 'tui'))))"
    )
    assert run_python(code) == "[]"


def test_cli_without_app_does_not_import_textual(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"main(['--home', {str(tmp_path / 'ws')!r}, 'list', '--json'])\n"
        "print('textual' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stderr.strip().splitlines()[-1] == "False"


def modules_after(tmp_path: Path, commands: list[list[str]], modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh process has imported after running `commands` (printed as
    a sorted list)."""
    lines = "".join(f"    main(['--home', home, *{command!r}])\n" for command in commands)
    code = (
        "import sys, contextlib, io\n"
        "from tui.cli import main\n"
        f"home = {str(tmp_path / 'ws')!r}\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"{lines}"
        f"print(sorted(m for m in {modules!r} if m in sys.modules))"
    )
    return run_python(code)


def test_list_lookup_and_suggest_do_not_import_the_learning_library(tmp_path: Path) -> None:
    """numpy and SciPy cost most of a second to import: only training loads them."""
    commands = [["list", "--json"], ["lookup", "行政复议", "--json"], ["suggest", "常州", "--json"]]
    assert modules_after(tmp_path, commands, ("sklearn", "numpy", "scipy")) == "[]"


def test_list_and_lookup_do_not_import_the_sync_or_export_code(tmp_path: Path) -> None:
    """git, file locks and the exporters cost a fresh command a tenth of a second: only a
    sync or an export loads them."""
    commands = [["list", "--json"], ["lookup", "行政复议", "--json"]]
    modules = ("annotations.sync", "annotations.gitrun", "annotations.export", "csv")
    assert modules_after(tmp_path, commands, modules) == "[]"


def test_serve_does_not_import_textual() -> None:
    # the server only relays bytes: Textual runs in each tab's own `shenyue open` process
    code = (
        "import sys\n"
        "from tui.serve import make_server\n"
        "make_server('true', '127.0.0.1', 8000, local_only=True)\n"
        "print('textual' in sys.modules)"
    )
    assert run_python(code) == "False"


def test_memo_and_stats_do_not_import_textual(tmp_path: Path) -> None:
    code = (
        "import sys, contextlib, io\n"
        "from tui.cli import main\n"
        f"home = {str(tmp_path / 'ws')!r}\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['--home', home, 'memo', '常州', '-o', {str(tmp_path / 'm.docx')!r}])\n"
        "    main(['--home', home, 'stats', '--json'])\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))"
    )
    assert run_python(code) == "[]"


def core_imports() -> dict[str, set[str]]:
    """Each module of `annotations` and the modules of `annotations` it imports, anywhere in
    its source (inside functions too: a deferred import still ties two modules together)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "annotations").glob("*.py")):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if module == "annotations":
                    found.update(alias.name for alias in node.names)
                elif module.startswith("annotations."):
                    found.add(module.split(".")[1])
            elif isinstance(node, ast.Import):
                found.update(a.name.split(".")[1] for a in node.names
                             if a.name.startswith("annotations."))
        graph[path.stem] = found - {path.stem}
    return graph


def test_reading_a_report_file_imports_no_module_that_imports_it_back() -> None:
    graph = core_imports()
    assert "decode" in graph["ingest"] and "decode" in graph["formats"]
    reached, todo = set(), ["ingest"]
    while todo:  # every module ingest needs, directly or not
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(graph[name])
    sorter = graphlib.TopologicalSorter({name: graph[name] for name in reached})
    order = list(sorter.static_order())  # CycleError names the cycle
    assert order.index("decode") < order.index("formats") < order.index("ingest")
