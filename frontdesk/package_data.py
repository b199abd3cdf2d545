"""Where the app's data files are: the SQL (``sql/``) and the icons and style
sheets (``resources/``).

In the repository they sit beside the packages; a wheel carries them inside
the ``frontdesk`` package as ``frontdesk/_sql`` and ``frontdesk/_resources``
(pyproject.toml maps them there as package data).  Both are found through
``importlib.resources`` from the ``frontdesk`` package, so the same code works
from an installed wheel, an editable install and a plain checkout
(``python main.py``).  Alembic reads migration scripts by path, so these are
always real directories.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: Inside an installed ``frontdesk`` package / beside it in the repository.
_SQL = ("_sql", "sql")
_RESOURCES = ("_resources", "resources")


def sql_dir() -> Path:
    """The ``sql/`` folder: migrations, engine, Alembic scripts, demo venue."""
    return _directory(*_SQL)


def resources_dir() -> Path:
    """The ``resources/`` folder: icons and style sheets."""
    return _directory(*_RESOURCES)


def _directory(installed: str, checkout: str) -> Path:
    package = resources.files("frontdesk")
    if not isinstance(package, Path):
        raise RuntimeError(
            f"frontdesk is installed as an archive ({package}); it needs its files on disk"
        )
    if (package / installed).is_dir():
        return package / installed
    # A checkout (plain or editable install): the folder beside the package.
    if (package.parent / "pyproject.toml").is_file() and (package.parent / checkout).is_dir():
        return package.parent / checkout
    raise FileNotFoundError(
        f"frontdesk's {checkout}/ folder is missing: looked in {package / installed} "
        f"and {package.parent / checkout}"
    )
