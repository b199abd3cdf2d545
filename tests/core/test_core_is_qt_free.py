"""The core never needs Qt: the window is one client of it among others."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "frontdesk"


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(
        "frontdesk." + ".".join(p.relative_to(CORE).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if p.name != "__init__.py"
    )
    check = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'qasync', 'ui'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=60
    )
    assert len(modules) > 10
    assert result.stdout.strip() == "[]"


def test_no_core_module_imports_qt_or_the_ui_even_inside_a_function() -> None:
    # Importing every module proves nothing about an import deferred into a
    # function: read every import statement of the core instead.
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.relative_to(CORE)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in {"PySide6", "qasync", "ui"}
            ]
    assert offenders == []
