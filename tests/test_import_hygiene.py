"""The layering rule (docs: ARCHITECTURE.md): the library never imports a UI package, and in the app only
the Textual layer (app.py, cli.py, widgets/, screens/) does.

Imports are read with `ast` (so a word in a string or comment does not count, and `from . import x` is
resolved), then checked once more in a fresh interpreter: importing the modules must not load a UI package.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_PACKAGES = {"textual", "textual_plotext", "plotext", "rich"}
# The Textual layer of the app: the only places allowed to import a UI package.
UI_FILES = {"tui/app.py", "tui/cli.py", "tui/terminal_driver.py"}  # the last: Textual's driver, adjusted
UI_DIRECTORIES = ("tui/widgets/", "tui/screens/")
UI_MODULES = {"tui.app", "tui.cli", "tui.widgets", "tui.screens", "tui.terminal_driver"}


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, as absolute dotted names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".") if path.is_relative_to(ROOT) else []
    if package and path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return found


def top_level(name: str) -> str:
    return name.split(".")[0]


def is_ui_file(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative in UI_FILES or relative.startswith(UI_DIRECTORIES)


def test_the_scanner_sees_imports_the_way_python_does(tmp_path):
    sample = ROOT / "tui" / "widgets" / "__probe_never_written__.py"  # only its name is used
    assert module_name(sample) == "tui.widgets.__probe_never_written__"
    code = tmp_path / "probe.py"
    code.write_text("import textual.app\nfrom rich import print\nx = 'import plotext'\n# import textual_plotext\n")
    assert {top_level(m) for m in imported_modules(code)} == {"textual", "rich"}


@pytest.mark.parametrize("path", python_files("micrograd"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_micrograd_imports_no_ui_package_and_not_the_app(path):
    bad = {m for m in imported_modules(path) if top_level(m) in UI_PACKAGES | {"tui"}}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}; the library must not depend on the UI"


def tui_domain_files():
    return [p for p in python_files("tui") if not is_ui_file(p)]


@pytest.mark.parametrize("path", tui_domain_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_only_the_textual_layer_of_the_app_imports_ui_packages(path):
    imports = imported_modules(path)
    bad = {m for m in imports if top_level(m) in UI_PACKAGES}
    assert not bad, (
        f"{path.relative_to(ROOT)} imports {sorted(bad)}; only tui/app.py, tui/cli.py, "
        f"tui/widgets/ and tui/screens/ may import Textual, Rich or plotext"
    )
    if path.name != "__main__.py":  # `python -m tui` starts the app through cli.py, which is its job
        reaching_ui = {m for m in imports if any(m == u or m.startswith(u + ".") for u in UI_MODULES)}
        assert not reaching_ui, (
            f"{path.relative_to(ROOT)} imports {sorted(reaching_ui)}, which pulls in "
            f"Textual; domain code must stay importable without it"
        )


def test_workbench_and_session_are_checked_when_they_exist():
    for name in ("tui/workbench.py", "tui/config.py", "tui/session.py", "tui/session_schema.py", "tui/replay.py"):
        path = ROOT / name
        if path.exists():
            assert path in tui_domain_files()


def fresh_interpreter_modules(modules: list[str]) -> list[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_library_loads_no_ui_package():
    modules = [module_name(p) for p in python_files("micrograd") if p.name != "__main__.py"]
    assert "micrograd.nn" in modules and "micrograd.engine" in modules
    loaded = fresh_interpreter_modules(modules)
    ui = sorted(m for m in loaded if top_level(m) in UI_PACKAGES or top_level(m) == "tui")
    assert not ui, f"importing {modules} loaded {ui}"


def test_importing_the_apps_domain_code_loads_no_ui_package():
    modules = [module_name(p) for p in tui_domain_files() if p.name != "__main__.py"]
    assert "tui.workbench" in modules and "tui.session" in modules
    loaded = fresh_interpreter_modules(modules)
    ui = sorted(m for m in loaded if top_level(m) in UI_PACKAGES)
    assert not ui, f"importing {modules} loaded {ui}"
