"""The wheel carries everything the app reads: every package, all of sql/ and
resources/, found through ``frontdesk.package_data`` once installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from frontdesk import migrations, package_data

REPO = Path(__file__).resolve().parents[2]
#: What a build reads from the repository (tests/ and docs/ do not ship).
SOURCES = ("pyproject.toml", "README.md", "main.py", "frontdesk", "ui", "sql", "resources")


def files_below(root: Path) -> set[str]:
    """Every file below root, as posix paths relative to it (no byte code)."""
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_the_data_folders_are_the_repository_ones_in_a_checkout() -> None:
    sql = package_data.sql_dir()
    assert sql == REPO / "sql" == migrations.SQL_DIR
    assert (sql / "alembic" / "env.py").is_file()
    assert (sql / "alembic" / "script.py.mako").is_file()
    assert sql / "demo.sql" == migrations.DEMO_SQL
    assert migrations.DEMO_SQL.is_file()

    res = package_data.resources_dir()
    assert res == REPO / "resources"
    assert (res / "style" / "desk.qss").is_file()
    assert (res / "icons" / "frontdesk.svg").is_file()


def test_an_installed_package_uses_its_own_copy_never_a_stray_folder_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    (site / "frontdesk" / "_sql").mkdir(parents=True)
    (site / "sql").mkdir()  # somebody else's top-level "sql" package
    (site / "resources").mkdir()
    monkeypatch.setattr("importlib.resources.files", lambda _name: site / "frontdesk")

    assert package_data.sql_dir() == site / "frontdesk" / "_sql"
    with pytest.raises(FileNotFoundError, match="resources/ folder is missing"):
        package_data.resources_dir()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (the build writes build/ and
    *.egg-info next to them) without isolation: no network."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, src / name)
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(work), str(src)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (whl,) = work.glob("frontdesk-*.whl")
    return whl


def test_the_wheel_holds_every_package_and_every_data_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "frontdesk = ui.launcher:main" in whl.read(entry_points).decode()

    def shipped(prefix: str) -> set[str]:
        return {n.removeprefix(prefix) for n in names if n.startswith(prefix)}

    # Every module, subpackages too (pyproject lists the packages by hand).
    for package in ("frontdesk", "ui"):
        modules = {p for p in files_below(REPO / package) if p.endswith(".py")}
        assert modules and modules <= shipped(f"{package}/")
    assert "frontdesk/loadtest/__init__.py" in names and "main.py" in names

    assert shipped("frontdesk/_sql/") == files_below(REPO / "sql")
    assert shipped("frontdesk/_resources/") == files_below(REPO / "resources")
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_the_unpacked_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as whl:
        whl.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The unpacked wheel comes first on the path, ahead of the editable install.
    env = {**os.environ, "PYTHONPATH": str(site)}
    check = (
        "from frontdesk import migrations, package_data\n"
        "print(package_data.sql_dir())\n"
        "print(package_data.resources_dir())\n"
        "print(migrations.head_revision())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    sql, res, head = result.stdout.split("\n")[:3]
    assert Path(sql) == site / "frontdesk" / "_sql"
    assert Path(res) == site / "frontdesk" / "_resources"
    assert head == migrations.head_revision()

    for args in (["--help"], ["loadtest", "--help"], ["db", "upgrade", "--help"]):
        helped = subprocess.run(
            [sys.executable, "-c", "import sys, ui.launcher; sys.exit(ui.launcher.main())", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert helped.returncode == 0, helped.stderr
        assert "usage: frontdesk" in helped.stdout
