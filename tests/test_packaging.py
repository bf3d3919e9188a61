"""The distribution ships every package of the repository: a folder with an
``__init__.py`` left out of ``pyproject.toml`` would work in the editable install the tests
use and be missing from a site's install."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {name: ROOT / path for name, path in setuptools["package-dir"].items()}
    listed = set(setuptools["packages"])

    def folder_of(package: str) -> Path:
        top, _, rest = package.partition(".")
        for name in sorted(folders, key=len, reverse=True):
            if package == name or package.startswith(name + "."):
                tail = package[len(name) :].lstrip(".")
                return folders[name].joinpath(*tail.split(".")) if tail else folders[name]
        return ROOT.joinpath(top, *rest.split(".")) if rest else ROOT / top

    found = set()
    for package in listed:
        base = folder_of(package)
        assert (base / "__init__.py").is_file(), f"{package} is listed but has no __init__.py"
        for init in base.rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            tail = init.parent.relative_to(base).parts
            found.add(".".join((package, *tail)))
    assert found == listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"
