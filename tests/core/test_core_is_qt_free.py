"""The core never needs Qt: the window is one client of it among others."""

from __future__ import annotations

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
