"""The specs that ship with costcalc (the repository's ``specs/`` folder, installed as
``costcalc/specs``), found by name: ``costcalc report mobilenet_v1``."""

from __future__ import annotations

import os

DEFAULT_SPEC = "mobilenet_v1"


def bundled_dir() -> str:
    """Installed: ``costcalc/specs`` beside the package's modules; in a source checkout: ``../specs``."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = os.path.join(package, "specs")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(package), "specs")


def bundled_specs() -> dict[str, str]:
    """Bundled spec name -> path, sorted by name."""
    folder = bundled_dir()
    if not os.path.isdir(folder):
        return {}
    names = sorted(entry for entry in os.listdir(folder) if entry.endswith(".yaml"))
    return {name[: -len(".yaml")]: os.path.join(folder, name) for name in names}
