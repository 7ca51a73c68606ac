"""Collecting the problems of one validation stage, and the checks every part of the schema uses."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from costcalc.errors import CostcalcError, Diagnostic, Location, SpecError, closest, quoted
from costcalc.source.positioned import Mapping

MAX_PROBLEMS = 100  # per stage: a file with 30,000 bad lines stops at the hundredth, in a moment


class Problems:
    """Collects diagnostics of one stage (each reported once, however often a block is used), at most
    ``MAX_PROBLEMS``: the next one stops the stage with those found and a note where it stopped (E108), raised
    as ``error`` (the kind of file's own error class)."""

    def __init__(self, error: type[CostcalcError] = SpecError) -> None:
        self.error_class = error
        self.found: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()

    def add(self, location: Location, message: str, code: str) -> None:
        diagnostic = Diagnostic(location, message, code)
        if diagnostic not in self._seen:
            if len(self.found) >= MAX_PROBLEMS:
                stop = Diagnostic(location, f"more problems follow; costcalc stops after {MAX_PROBLEMS}: fix these "
                                            "and run it again", "E108")
                raise self.error_class([*self.sorted(), stop])
            self._seen.add(diagnostic)
            self.found.append(diagnostic)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.found, key=lambda found: (found.location.line, found.location.column))


def describe(value: Any) -> str:
    """A value from a spec as a message shows it: strings quoted and cut (``costcalc.errors.quoted``)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    if isinstance(value, int):
        from costcalc.quantities import shown_integer

        return shown_integer(value)
    if isinstance(value, float):
        return quoted(value)
    if isinstance(value, str):
        return f"the string {quoted(value)}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return type(value).__name__


def kind_of(value: Any) -> str:
    """What a value is, without any of it: for a file that is not what it should be, which may be anything (a
    private key read as YAML is a string), so that a message never repeats it."""
    if value is None:
        return "empty"
    for kind, name in ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"),
                       (list, "a list"), (dict, "a mapping")):
        if isinstance(value, kind):
            return name
    return "a value of another kind"


def unknown_keys(problems: Problems, mapping: Mapping, allowed: Any, context: str, code: str = "E200") -> set[str]:
    """Report keys not in ``allowed`` (with ``code``: each kind of file has its own); return the allowed keys
    they look like typos of."""
    misspelt = set()
    for key in mapping:
        if key not in allowed:
            match = closest(key, allowed)
            hint = f" (did you mean '{match}'?)" if match else ""
            if match:
                misspelt.add(match)
            listed = ", ".join(allowed)
            problems.add(mapping.key_at[key], f"{context}unknown key {quoted(str(key))}{hint}; expected one of: "
                                              f"{listed}", code)
    return misspelt


def empty_mapping(location: Location) -> Mapping:
    mapping = Mapping()
    mapping.location, mapping.key_at, mapping.value_at = location, {}, {}
    return mapping
