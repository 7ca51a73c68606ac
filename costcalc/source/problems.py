"""Collecting the problems of one validation stage, and the checks every part of the schema uses."""

from __future__ import annotations

from typing import Any

from costcalc.errors import Diagnostic, Location, SpecError, closest, quoted
from costcalc.layers import fields as f
from costcalc.source.positioned_yaml import Mapping

MAX_PROBLEMS = 100  # per stage: a file with 30,000 bad lines stops at the hundredth, in a moment


class Problems:
    """Collects diagnostics of one stage (each reported once, however often a block is used), at most
    ``MAX_PROBLEMS``: the next one stops the stage with those found and a note where it stopped (E108)."""

    def __init__(self) -> None:
        self.found: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()

    def add(self, location: Location, message: str, code: str) -> None:
        diagnostic = Diagnostic(location, message, code)
        if diagnostic not in self._seen:
            if len(self.found) >= MAX_PROBLEMS:
                stop = Diagnostic(location, f"more problems follow; costcalc stops after {MAX_PROBLEMS}: fix these "
                                            "and run it again", "E108")
                raise SpecError([*self.sorted(), stop])
            self._seen.add(diagnostic)
            self.found.append(diagnostic)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.found, key=lambda found: (found.location.line, found.location.column))


def type_name(value: Any) -> str:
    return f.describe(value)


def field(problems: Problems, mapping: Mapping, key: str, parse: Any, context: str) -> Any:
    try:
        return parse(mapping[key])
    except f.FieldError as error:
        problems.add(mapping.value_at[key], f"{context}'{key}': {error}", error.code or "E204")
        return None


def unknown_keys(problems: Problems, mapping: Mapping, allowed: Any, context: str) -> set[str]:
    """Report keys not in ``allowed``; return the allowed keys they look like typos of."""
    misspelt = set()
    for key in mapping:
        if key not in allowed:
            match = closest(key, allowed)
            hint = f" (did you mean '{match}'?)" if match else ""
            if match:
                misspelt.add(match)
            listed = ", ".join(allowed)
            problems.add(mapping.key_at[key], f"{context}unknown key {quoted(str(key))}{hint}; expected one of: "
                                              f"{listed}", "E200")
    return misspelt


def empty_mapping(location: Location) -> Mapping:
    mapping = Mapping()
    mapping.location, mapping.key_at, mapping.value_at = location, {}, {}
    return mapping
