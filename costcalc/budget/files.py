"""Finding and reading a budgets file: ``costcalc.yaml``, or the ``[tool.costcalc]`` table of a
``pyproject.toml`` (docs/budgets.md); its content is checked by costcalc.budget.config."""

from __future__ import annotations

import os
import re
from typing import Any

from costcalc.budget.config import BudgetConfig, BudgetError, parse_config
from costcalc.errors import Diagnostic, Location, quoted
from costcalc.source.positioned import Mapping, Sequence
from costcalc.source.positioned_yaml import read_yaml

DEFAULT_FILES = ("costcalc.yaml", "pyproject.toml")


def load_config(path: str, allow_outside: bool = False) -> BudgetConfig:
    """A ``costcalc.yaml``-style file, or the ``[tool.costcalc]`` table of a ``pyproject.toml``. The files it
    names must be inside its folder unless ``allow_outside``."""
    if path.endswith(".toml"):
        return _load_pyproject(path, allow_outside)
    from costcalc.errors import SpecError

    try:
        data = read_yaml(path, "budgets")
    except SpecError as error:
        raise BudgetError(error.diagnostics) from None
    return parse_config(data, path, allow_outside=allow_outside)


def find_config() -> str | None:
    """``costcalc.yaml`` in the current folder, else a ``pyproject.toml`` with a ``[tool.costcalc]`` table (or
    too large to tell: then loading it says so)."""
    if os.path.exists(DEFAULT_FILES[0]):
        return DEFAULT_FILES[0]
    if os.path.isfile(DEFAULT_FILES[1]):
        from costcalc.source.files import LIMITS

        try:
            with open(DEFAULT_FILES[1], "rb") as handle:
                head = handle.read(LIMITS["pyproject"] + 1)
        except OSError:
            return DEFAULT_FILES[1]  # loading it says why it cannot be read
        if len(head) > LIMITS["pyproject"] or b"[tool.costcalc" in head:
            return DEFAULT_FILES[1]
    return None


def _load_pyproject(path: str, allow_outside: bool = False) -> BudgetConfig:
    """TOML has no positions in Python's parser: values are re-read as YAML-like data, and problems are
    reported at the ``[tool.costcalc]`` header."""
    import sys

    from costcalc.source.files import InputError, parse_toml, read_text

    if sys.version_info < (3, 11):  # tomllib is new in Python 3.11
        raise BudgetError(Diagnostic(Location(path), "reading [tool.costcalc] needs Python 3.11 or later; "
                                                     "put the budgets in costcalc.yaml instead", "E503"))
    try:
        text = read_text(path, "pyproject")
        document = parse_toml(text, path, "E503")
    except InputError as error:
        raise BudgetError(error.diagnostics) from None
    line = next((number for number, content in enumerate(text.splitlines(), 1)
                 if content.strip().startswith("[tool.costcalc")), 1)
    header = Location(path, line, 1)
    tool = document.get("tool")
    if tool is None or (isinstance(tool, dict) and "costcalc" not in tool):
        raise BudgetError(Diagnostic(header, "no [tool.costcalc] table", "E503"))
    if not isinstance(tool, dict):
        line = next((number for number, content in enumerate(text.splitlines(), 1)
                     if re.match(r"\s*tool\s*[=.]", content)), 0)
        raise BudgetError(Diagnostic(Location(path, line, 1 if line else 0), "'tool' must be a table, as "
                                     f"[tool.costcalc] makes it; here it is {quoted(tool)}", "E503"))
    table = tool["costcalc"]
    if not isinstance(table, dict):
        raise BudgetError(Diagnostic(header, f"[tool.costcalc] must be a table with 'checks', like `[tool.costcalc]` "
                                             f"then `checks = [...]`; here it is {quoted(table)}", "E502"))
    return parse_config(_positioned(table, header), path, header, allow_outside)


def _positioned(value: Any, location: Location) -> Any:
    """TOML data as the YAML reader's Mapping/Sequence, every position being ``location``."""
    if isinstance(value, dict):
        mapping = Mapping({key: _positioned(item, location) for key, item in value.items()})
        mapping.location, mapping.key_at = location, dict.fromkeys(value, location)
        mapping.value_at = dict.fromkeys(value, location)
        return mapping
    if isinstance(value, list):
        sequence = Sequence(_positioned(item, location) for item in value)
        sequence.location, sequence.item_at = location, [location] * len(value)
        return sequence
    return value
