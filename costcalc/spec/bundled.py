"""The specs that ship with costcalc (the repository's ``specs/`` folder, installed as
``costcalc/specs``), found by name: ``costcalc report mobilenet_v1``."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SPEC = "mobilenet_v1"


def bundled_dir() -> Path:
    """Installed: ``costcalc/specs`` beside the package; from a source checkout: ``../specs``."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "specs"
    return installed if installed.is_dir() else package.parent / "specs"


def bundled_specs() -> dict[str, Path]:
    folder = bundled_dir()
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}


def resolve_spec(argument: str | None) -> str:
    """A path as given, or the path of the bundled spec of that name (a file of that name wins)."""
    if argument is None:
        argument = DEFAULT_SPEC
    if os.path.exists(argument) or os.sep in argument or argument.endswith((".yaml", ".yml")):
        return argument
    return str(bundled_specs().get(argument, argument))
