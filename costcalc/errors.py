"""Diagnostics: what is wrong with user input, and where.

The core raises these; only the CLI prints them (``path:line:col: error[CODE]: message``, the codes in
``costcalc.error_codes``) and turns them into exit code 2. Anything else that escapes is a bug (exit 3).
"""

from __future__ import annotations

from typing import NamedTuple

from costcalc.render.sinks.terminal import visible


def printable(text: str) -> str:
    """``text`` with line breaks, tabs and other control characters written as escapes (``\\n``,
    ``\\x1b``), so that a diagnostic is one line and a spec cannot send escape sequences to the terminal:
    the terminal sink's rule (``costcalc.render.sinks.terminal``), which every output to a terminal shares."""
    return visible(text)


class Location(NamedTuple):
    """A place in a source file: 1-based line and column (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{printable(self.path)}:{self.line}:{self.column}"
        return printable(self.path)


class Diagnostic(NamedTuple):
    location: Location
    message: str
    code: str = ""  # a stable code from costcalc.error_codes.CODES, such as "E204"

    def __str__(self) -> str:
        kind = f"error[{self.code}]" if self.code else "error"
        return f"{self.location}: {kind}: {printable(self.message)}"


class CostcalcError(Exception):
    """Bad user input: one or more diagnostics. The CLI prints each and exits with status 2."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class OutputError(CostcalcError):
    """An output file cannot be written (missing folder, no permission, full disk)."""


class SpecError(CostcalcError):
    """The spec file cannot be read, parsed, validated or evaluated."""


def closest(word: object, choices: object) -> str | None:
    """The choice most like ``word`` (a likely typo of it), or None."""
    import difflib

    matches = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)  # type: ignore[attr-defined]
    return matches[0] if matches else None


def did_you_mean(word: object, choices: object) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""
