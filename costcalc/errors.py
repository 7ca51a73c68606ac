"""Diagnostics: what is wrong with user input, and where.

The core raises these; only the CLI prints them (``path:line:col: error[CODE]: message``, the codes in
``costcalc.error_codes``) and turns them into exit code 2. Anything else that escapes is a bug (exit 3).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from costcalc.render.sinks.terminal import visible


def printable(text: str) -> str:
    """``text`` with line breaks, tabs and other control characters written as escapes (``\\n``,
    ``\\x1b``), so that a diagnostic is one line and a spec cannot send escape sequences to the terminal:
    the terminal sink's rule (``costcalc.render.sinks.terminal``), which every output to a terminal shares."""
    return visible(text)


QUOTE_LIMIT = 60  # characters of a value or key from a file that a message may quote (docs/errors.md)


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value from a file as a message quotes it: its ``repr`` on one line, cut after ``limit`` characters (with
    the length said), so that a message never repeats more than a bounded piece of a file."""
    if isinstance(value, str):
        if len(value) <= limit:
            return printable(repr(value))
        return f"{printable(repr(value[:limit]))}... ({len(value):,} characters)"
    if isinstance(value, list):
        return f"a list of {len(value):,}" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"a whole number of about {int(value.bit_length() * 0.30103):,} digits"  # repr could refuse it
    if value is None:
        return "null"
    text = printable(repr(value)) if isinstance(value, (bool, int, float)) else type(value).__name__
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


_QUOTED = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")


def shorten_quotes(message: str, limit: int = 40) -> str:
    """A third party's message (PyYAML's, a parser's) with every quoted piece cut to ``limit`` characters and
    the whole on one line: such a message may quote the file it could not read."""
    def cut(match: re.Match[str]) -> str:
        text = match[1] if match[1] is not None else match[2]
        return match[0] if len(text) <= limit else quoted(text, limit)

    return printable(_QUOTED.sub(cut, message))


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
    code: str = ""  # a stable code from costcalc.error_codes.CODES, such as "E204" (a "W" code: a warning)

    def __str__(self) -> str:
        severity = "warning" if self.code.startswith("W") else "error"
        kind = f"{severity}[{self.code}]" if self.code else severity
        return f"{self.location}: {kind}: {printable(self.message)}"


class CostcalcError(Exception):
    """Bad user input: one or more diagnostics. The CLI prints each and exits with status 2."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class CostcalcWarning(UserWarning):
    """A problem that does not stop costcalc (a local file that a bundled spec's name shadows, a job summary it
    cannot write). The core warns (``warn``) and never prints; the CLI prints ``PLACE: warning[W100]: ...``."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def warn(location: Location, message: str, code: str) -> None:
    import warnings

    warnings.warn(CostcalcWarning(Diagnostic(location, message, code)), stacklevel=2)


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
