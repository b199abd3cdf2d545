"""``frontdesk`` on a machine where the window cannot open: one line saying
what to install (or that there is no display), exit 1, no core dump, and no
private server left running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from frontdesk import cli
from ui import launcher
from ui.launcher import Probe, check_window_platform, debian_package, window_problem

REPO = Path(__file__).resolve().parents[2]

QT_FAILED = (
    'qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was '
    "found.\nThis application failed to start because no Qt platform plugin could be "
    "initialized.\n"
)


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 platform plugin")
def test_no_display_is_one_line_exit_1_and_no_private_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "FRONTDESK_DATABASE_URL")
    }
    env.update(QT_QPA_PLATFORM="xcb", FRONTDESK_DATA_DIR=str(data))
    result = subprocess.run(
        [sys.executable, str(REPO / "main.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # not -6: no abort, no core dump
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("frontdesk: ")
    # Without the X11 libraries Qt never gets as far as the display.
    assert "sudo apt-get install libxcb-" in line or "DISPLAY is not set" in line, line
    assert not list(data.rglob("postmaster.pid"))
    assert not (data / "postgres").exists()
    assert processes_mentioning(str(data)) == []


def test_missing_libraries_name_the_packages_to_install() -> None:
    missing = ["libxcb-keysyms.so.1", "libxcb-cursor.so.0", "libxcb-icccm.so.4"]
    line = window_problem(Probe(False, QT_FAILED), missing, {"DISPLAY": ":0"})
    assert line == (
        "The window needs system libraries that are missing (libxcb-cursor.so.0, "
        "libxcb-icccm.so.4, libxcb-keysyms.so.1); on Debian/Ubuntu: "
        "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
    )


def test_the_problem_stops_the_command_before_the_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_database(*_args: object, **_kw: object) -> str:
        raise AssertionError("the database must not be prepared")

    monkeypatch.setattr(cli, "prepare_database", no_database)
    monkeypatch.setattr(sys, "platform", "linux")

    def preflight() -> None:
        check_window_platform(
            probe=lambda: Probe(False, QT_FAILED),
            find_missing=lambda: ["libxcb-cursor.so.0"],
            environ={"DISPLAY": ":0"},
        )

    assert cli.main([], open_window=lambda _s, _u: 0, preflight=preflight) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "frontdesk: The window needs system libraries that are missing (libxcb-cursor.so.0); "
        "on Debian/Ubuntu: sudo apt-get install libxcb-cursor0"
    ]


def test_a_platform_that_loads_is_not_examined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")

    def never() -> list[str]:
        raise AssertionError("no need to look for libraries")

    check_window_platform(probe=lambda: Probe(True), find_missing=never, environ={})
    assert window_problem(Probe(True), ["libxcb-cursor.so.0"], {}) is None


def test_a_library_qt_itself_lacks_is_named_too() -> None:
    probe = Probe(False, "libGL.so.1: cannot open shared object file: No such file or directory")
    line = window_problem(probe, [], {"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "w-0"})
    assert line is not None and line.endswith("sudo apt-get install libgl1")


def test_no_display_is_said_when_the_libraries_are_there() -> None:
    xcb = window_problem(Probe(False, QT_FAILED), [], {"QT_QPA_PLATFORM": "xcb"})
    assert xcb is not None and xcb.startswith("There is no display to open the window on")
    assert "(DISPLAY is not set)" in xcb
    default = window_problem(Probe(False, QT_FAILED), [], {})
    assert default is not None and "neither DISPLAY nor WAYLAND_DISPLAY is set" in default


def test_x11_libraries_are_not_blamed_when_qt_does_not_try_x11() -> None:
    line = window_problem(
        Probe(False, "Failed to create wl_display"),
        ["libxcb-cursor.so.0"],
        {"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-0"},
    )
    assert line is not None and "apt-get" not in line
    assert "Failed to create wl_display" in line


@pytest.mark.parametrize(
    ("library", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libX11.so.6", "libx11-6"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
        ("libGL.so.1", "libgl1"),
    ],
)
def test_debian_package_names(library: str, package: str) -> None:
    assert debian_package(library) == package


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd")
def test_the_x11_plugin_and_its_libraries_are_found() -> None:
    plugin = launcher.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    missing = launcher.missing_libraries(plugin)
    assert all(".so" in lib for lib in missing)


def test_db_and_loadtest_never_load_qt_nor_check_the_window() -> None:
    code = (
        "import os, sys\n"
        "from ui import launcher\n"
        "launcher.check_window_platform = lambda: os._exit(9)\n"
        "for argv in (['db', 'stop'], ['db', 'upgrade', '--help'], ['loadtest', '--help']):\n"
        "    try:\n"
        "        launcher.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'qasync'}))\n"
    )
    env = {**os.environ, "FRONTDESK_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
