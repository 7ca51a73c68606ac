"""Shared test fixtures: golden-output snapshots (torchinfo-style).

``snapshot(name, text)`` compares ``text`` with the file ``tests/snapshots/<name>``, byte for byte, and fails
with a unified diff when they differ. ``pytest --update-snapshots`` (re)writes the files instead; review the
``git diff`` of ``tests/snapshots/`` before committing. A missing snapshot file is a failure, never a silent
pass, so that a forgotten ``git add`` cannot turn a golden test into a no-op.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Callable

import pytest

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"
UPDATE_OPTION = "--update-snapshots"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(UPDATE_OPTION, action="store_true", default=False,
                     help="rewrite tests/snapshots/* from the current output instead of comparing with it")


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:  # newline="": keep \r\n and trailing spaces as they are
        return handle.read()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``snapshot(name, text)``: assert that ``text`` equals the stored snapshot ``name``."""
    update = request.config.getoption(UPDATE_OPTION)

    def check(name: str, text: str) -> None:
        path = SNAPSHOT_DIR / name
        if update:
            if not path.exists() or _read(path) != text:
                _write(path, text)
            return
        if not path.exists():
            pytest.fail(f"snapshot {name!r} does not exist ({path}); run `pytest {UPDATE_OPTION}` to create it, "
                        "then read it and commit it", pytrace=False)
        expected = _read(path)
        if text != expected:
            diff = "".join(difflib.unified_diff(
                expected.splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"snapshots/{name} (expected)", tofile=f"{name} (actual)"))
            pytest.fail(f"output differs from snapshot {name!r} (if the change is intended, run "
                        f"`pytest {UPDATE_OPTION}` and review the diff):\n{diff}", pytrace=False)

    return check


@pytest.fixture(autouse=True, scope="session")
def spec_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache of bundled specs (costcalc/source/spec_cache.py) in a folder of this run, not the user's: the
    first load of each bundled spec writes its cached form, every later one (and every subprocess) reads it, so
    every golden and snapshot of a bundled spec also checks the cached path."""
    import os

    folder = tmp_path_factory.mktemp("spec-cache")
    os.environ["COSTCALC_CACHE_DIR"] = str(folder)
    return folder
