"""Reading the files costcalc is given, bounded before they are parsed (docs/errors.md, "Limits").

Every kind of file has a size limit, and the reader reads at most one byte more than it: a 1 GB file costs no
more than one just over the limit. The limits are far above what real files need and low enough that the
slowest file of each kind is read, parsed and refused or reported in well under a second and 100 MB (YAML
and TOML are parsed in Python, at about a microsecond a byte; a parsed value costs tens of bytes).

JSON and TOML are checked before they are parsed for how deeply they nest (Python's parsers recurse, so a
file of 100,000 '[' would end in a RecursionError) and JSON for how many values it holds (each costs memory).
Their parsers' messages never quote more than a short piece of the file: a file that is not what costcalc
expected may be anything, a private key included (docs/errors.md, "What a message quotes").
"""

from __future__ import annotations

import re
from typing import Any

from costcalc.errors import CostcalcError, Diagnostic, Location, shorten_quotes

KIB = 2**10
MIB = 2**20
LIMITS = {  # bytes; the largest bundled spec is 4 KB, a densenet121 baseline report 200 KB
    "spec": 128 * KIB,
    "budgets": 64 * KIB,
    "pyproject": 256 * KIB,
    "baseline": 4 * MIB,
    "convention": 64 * KIB,
    "device": 64 * KIB,
    "onnx": 2048 * MIB,  # protobuf's own limit; the weights are never read (costcalc.onnx.wire)
    "measurements": 1 * MIB,  # a calibration's CSV: 5,000 rows of about 100 bytes (costcalc.source.measurements)
}
WHAT = {"spec": "a spec file", "budgets": "a budgets file", "pyproject": "a pyproject.toml",
        "baseline": "a baseline file", "convention": "a convention file", "device": "a device file",
        "onnx": "an ONNX file", "measurements": "a measurements file"}
MAX_NESTING = 64  # levels of arrays and tables (objects) in TOML and JSON; a baseline needs 4, a pyproject a few
MAX_JSON_VALUES = 200_000  # commas, opening brackets and strings of a baseline: a densenet121 report has 16,000


class InputError(CostcalcError):
    """A file that cannot be read, or is over a limit of its kind."""


def size_text(size: int) -> str:
    return f"{size // MIB} MiB" if size >= MIB and size % MIB == 0 else f"{size // KIB} KiB"


STDIN = "-"  # a spec read from standard input (`cat net.yaml | costcalc report -`)
_stdin: list[tuple[object, bytes]] = []  # what standard input held: a command that reads the spec twice reads it once


def _read_stdin(limit: int) -> bytes:
    import sys

    stream = sys.stdin.buffer
    if not _stdin or _stdin[0][0] is not stream:
        _stdin[:] = [(stream, stream.read(limit + 1))]
    return _stdin[0][1]


def read_bytes(path: str, kind: str) -> bytes:
    """At most ``LIMITS[kind]`` bytes of ``path`` (``-``: standard input): a larger file, a missing one or a folder
    is an ``InputError``."""
    limit = LIMITS[kind]
    try:
        if path == STDIN:
            raw = _read_stdin(limit)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError(Diagnostic(Location(path), "no such file", "E100")) from None
    except IsADirectoryError:
        raise InputError(Diagnostic(Location(path), f"is a directory, not {WHAT[kind]}", "E100")) from None
    except OSError as error:
        raise InputError(Diagnostic(Location(path), f"cannot read: {error.strerror or 'error'}", "E100")) from None
    if len(raw) > limit:
        raise InputError(Diagnostic(Location(path), f"the file is larger than {size_text(limit)}, the most costcalc "
                                    f"reads of {WHAT[kind]} (docs/errors.md, \"Limits\")", "E100"))
    return raw


def read_text(path: str, kind: str) -> str:
    """``read_bytes``, decoded as UTF-8 (a byte-order mark is allowed); other bytes are a located error."""
    raw = read_bytes(path, kind)
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0  # what "utf-8-sig" drops, without loading its codec (start-up)
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        start = bom + error.start
        line = raw[:start].count(b"\n") + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise InputError(Diagnostic(Location(path, line, column), "the file is not UTF-8 text", "E101")) from None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _check_nesting(text: str, tokens: re.Pattern[str], path: str, what: str) -> None:
    """Refuse ``text`` at its first bracket nested more than ``MAX_NESTING`` deep (strings and comments, which
    ``tokens`` matches whole, do not count)."""
    depth = 0
    for match in tokens.finditer(text):
        bracket = match[0]
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(Diagnostic(Location(path, *_position(text, match.start())),
                                            f"the {what} is nested more than {MAX_NESTING} levels deep", "E107"))
        elif bracket in "]}":
            depth = max(depth - 1, 0)


# A string or comment is one token, so that the brackets inside it do not count; an unterminated one runs to the
# end of its line or of the text, so that no quote makes the scan start again (it stays linear). They are texts
# that re compiles when first used (and caches): most runs read neither a JSON nor a TOML file (start-up).
_JSON_TOKENS = r'"(?:[^"\\]+|\\[\s\S]?)*(?:"|\Z)|[\[\]{}]'
_TOML_TOKENS = (r'"""(?:[^"\\]+|\\[\s\S]?|"(?!""))*(?:"""|\Z)'
                r"|'''(?:[^']+|'(?!''))*(?:'''|\Z)"
                r'|"(?:[^"\\\n]+|\\[^\n]?)*(?:"|(?=\n)|\Z)'
                r"|'[^'\n]*(?:'|(?=\n)|\Z)"
                r"|#[^\n]*"
                r"|[\[\]{}]")


def json_values(text: str) -> int:
    """About how many values a JSON text holds, counted before it is parsed: its commas, opening brackets and
    strings (a string's brackets and commas count too: never fewer than there are)."""
    return text.count(",") + text.count("[") + text.count("{") + text.count('"') // 2


def parse_json(text: str, path: str, code: str, what: str = "the file") -> Any:
    """JSON, bounded in nesting and values; a syntax error is located, with the decoder's own short message."""
    import json

    values = json_values(text)
    if values > MAX_JSON_VALUES:
        raise InputError(Diagnostic(Location(path), f"the JSON holds more than {MAX_JSON_VALUES:,} values "
                                    f"({values:,}): far more than a baseline needs", "E107"))
    _check_nesting(text, re.compile(_JSON_TOKENS), path, "JSON")
    from costcalc.quantities import bounded_int, find_long_integer

    try:
        return json.loads(text, parse_int=bounded_int)  # integers' digits counted before they are converted
    except json.JSONDecodeError as error:
        raise InputError(Diagnostic(Location(path, error.lineno, error.colno),
                                    f"{what} is not valid JSON: {shorten_quotes(error.msg)}", code)) from None
    except ValueError as error:  # bounded_int: an integer of more digits than costcalc reads
        found = find_long_integer(text)
        where = Location(path, *found[:2]) if found else Location(path)
        raise InputError(Diagnostic(where, f"{what} holds {shorten_quotes(str(error))}", code)) from None
    except RecursionError:  # nesting the scan missed
        raise InputError(Diagnostic(Location(path), f"{what} is nested too deeply to read", code)) from None


def parse_toml(text: str, path: str, code: str) -> dict[str, Any]:
    """TOML (Python 3.11's tomllib), bounded in nesting; a syntax error is located, with a short message."""
    import sys

    if sys.version_info < (3, 11):  # costcalc.budget.files says so, in the user's terms, before this
        raise InputError(Diagnostic(Location(path), "reading TOML needs Python 3.11 or later", code))
    import tomllib

    _check_nesting(text, re.compile(_TOML_TOKENS), path, "TOML")
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        where = Location(path, int(found[1]), int(found[2])) if found else Location(path)
        message = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(error))
        raise InputError(Diagnostic(where, f"invalid TOML: {shorten_quotes(message)}", code)) from None
    except ValueError:  # an integer Python refuses to convert (over 4,300 digits): tomllib lets it through
        from costcalc.quantities import MAX_INTEGER_DIGITS, find_long_integer

        line, column, digits = find_long_integer(text) or (0, 0, 0)
        raise InputError(Diagnostic(Location(path, line, column), f"invalid TOML: an integer of {digits:,} digits; "
                                    f"costcalc reads integers of at most {MAX_INTEGER_DIGITS} digits", code)) from None
    except RecursionError:  # nesting the scan missed
        raise InputError(Diagnostic(Location(path), "invalid TOML: nested too deeply to read", code)) from None
    deepest = nesting(document)
    if deepest > MAX_NESTING:  # dotted keys (a.b.c = 1) and table headers nest without brackets
        raise InputError(Diagnostic(Location(path), f"the TOML is nested more than {MAX_NESTING} levels deep "
                                    f"({deepest:,})", "E107"))
    return document


def nesting(value: Any) -> int:
    """How many levels of lists and mappings ``value`` has (without recursion: it may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest
