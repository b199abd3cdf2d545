"""The ``frontdesk`` entry point: the core's command line, with the window.

Before the window's database is prepared (which may start the private
server), a short child process checks that Qt can load its platform plugin.
Qt's own failure there ("could not load the Qt platform plugin xcb") is a
fatal abort with a core dump that cannot be caught in this process; the child
turns it into one line naming what to install, or saying there is no display.
``frontdesk db ...`` and ``frontdesk loadtest`` never load Qt.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from frontdesk import cli
from frontdesk.exports import NightSheet
from frontdesk.problems import SetupProblem
from frontdesk.settings import Settings

PROBE_TIMEOUT_S = 30.0

#: Creates the application, so Qt loads its platform plugin, in a child.  A
#: fatal Qt message exits 3 instead of aborting: no core dump.
_PROBE = """\
import os, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
except (ImportError, ValueError, OSError):
    pass
try:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtGui import QGuiApplication
except ImportError as exc:
    print(exc, file=sys.stderr)
    sys.exit(4)

def on_message(kind, _context, message):
    print(message, file=sys.stderr, flush=True)
    if kind == QtMsgType.QtFatalMsg:
        os._exit(3)

qInstallMessageHandler(on_message)
app = QGuiApplication(sys.argv[:1])
print(app.platformName())
"""

#: Debian/Ubuntu packages whose name does not follow from the library's.
_DEBIAN_PACKAGES = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

#: How the dynamic loader says a library is missing (Python's ImportError too).
_NOT_FOUND = re.compile(r"(lib[\w.+-]+?\.so(?:\.\d+)*): cannot open shared object file")
#: The variable each platform plugin needs to reach its display.
_DISPLAY_VARIABLE = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}


@dataclass(frozen=True)
class Probe:
    """What the child said: whether the platform plugin loaded, and Qt's messages."""

    loaded: bool
    messages: str = ""


def probe_platform(environ: Mapping[str, str] | None = None) -> Probe:
    env = dict(os.environ if environ is None else environ)
    try:
        result = subprocess.run(
            [sys.executable, "-c", _PROBE],
            env=env,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Probe(False, f"no answer from the display within {PROBE_TIMEOUT_S:.0f} s")
    return Probe(result.returncode == 0, result.stderr)


def xcb_plugin() -> Path | None:
    """PySide6's X11 platform plugin, found without importing Qt."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(plugin: Path | None) -> list[str]:
    """The shared libraries the plugin needs that the system lacks (via ldd)."""
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    try:
        out = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = re.findall(r"^\s*(\S+) => not found", out, flags=re.MULTILINE)
    return sorted(set(found))


def debian_package(library: str) -> str:
    """The Debian/Ubuntu package that ships a library: libxcb-icccm.so.4 ->
    libxcb-icccm4, libX11-xcb.so.1 -> libx11-xcb1, libxkbcommon-x11.so.0 ->
    libxkbcommon-x11-0."""
    if library in _DEBIAN_PACKAGES:
        return _DEBIAN_PACKAGES[library]
    name, _, version = library.partition(".so")
    version = version.lstrip(".").split(".")[0]
    if not version:
        return name.lower()
    return f"{name}{'-' if name[-1].isdigit() else ''}{version}".lower()


def _requested_platforms(environ: Mapping[str, str]) -> list[str]:
    wanted = environ.get("QT_QPA_PLATFORM", "")
    return [p.split(":")[0].strip() for p in wanted.split(";") if p.strip()]


def window_problem(probe: Probe, missing: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The one line to print when the window cannot open, or None when it can.

    ``missing`` is what the X11 plugin lacks; it is the cause only when Qt
    tries that plugin (QT_QPA_PLATFORM unset, or naming xcb)."""
    if probe.loaded:
        return None
    platforms = _requested_platforms(environ)
    tries_xcb = not platforms or "xcb" in platforms
    libraries = set(missing) if tries_xcb else set()
    # Qt itself (QtGui) may lack a library too: "libGL.so.1: cannot open ...".
    libraries.update(_NOT_FOUND.findall(probe.messages))
    if libraries:
        names = sorted(libraries)
        packages = sorted({debian_package(lib) for lib in names})
        return (
            f"The window needs system libraries that are missing ({', '.join(names)}); "
            f"on Debian/Ubuntu: sudo apt-get install {' '.join(packages)}"
        )
    tried = platforms or list(_DISPLAY_VARIABLE)
    if set(tried) <= set(_DISPLAY_VARIABLE) and not any(
        environ.get(_DISPLAY_VARIABLE[p]) for p in tried
    ):
        names = list(dict.fromkeys(_DISPLAY_VARIABLE[p] for p in tried))
        unset = (
            f"neither {' nor '.join(names)} is set" if len(names) > 1 else f"{names[0]} is not set"
        )
        return (
            f"There is no display to open the window on ({unset}): start frontdesk "
            "from a desktop session (frontdesk db ... works without one)."
        )
    if "could not connect to display" in probe.messages:
        return (
            f"Cannot connect to the display {environ.get('DISPLAY', '')!r}: is the desktop "
            "session running, and may this user open windows on it?"
        )
    said = next((line.strip() for line in probe.messages.splitlines() if line.strip()), "")
    platform = ";".join(platforms) or "default"
    return f"The window cannot open: Qt could not start its {platform} platform plugin ({said})."


def check_window_platform(
    probe: Callable[[], Probe] = probe_platform,
    find_missing: Callable[[], Sequence[str]] = lambda: missing_libraries(xcb_plugin()),
    environ: Mapping[str, str] | None = None,
) -> None:
    """Raise SetupProblem when Qt cannot open a window here.  Windows and
    macOS always have their platform plugin; X11 and Wayland need the system's
    libraries and a display."""
    if sys.platform in ("win32", "darwin"):
        return
    result = probe()
    if result.loaded:
        return
    env = os.environ if environ is None else environ
    problem = window_problem(result, find_missing(), env)
    if problem:
        raise SetupProblem(problem)


def open_window(settings: Settings, url: str) -> int:
    # Imported here so that `frontdesk db ...` never loads Qt.
    from ui.app import run

    code: int = run(settings, url)
    return code


def write_run_sheet_pdf(
    sheet: NightSheet, path: Path, printed_at: datetime, settings: Settings
) -> int:
    """``frontdesk runsheet --pdf``: the window's renderer, without a window."""
    # Imported here so that `frontdesk db ...` never loads Qt.
    from ui import runsheet

    by = runsheet.printed_by(settings.staff_name, settings.terminal)
    return runsheet.save_pdf_headless(sheet, path, printed_at=printed_at, printed_by=by)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(
        sys.argv[1:] if argv is None else argv,
        open_window=open_window,
        preflight=check_window_platform,
        write_pdf=write_run_sheet_pdf,
    )
