"""The JSON sink: every ``--format json`` document.

``json.dumps`` escapes what JSON requires (``"``, ``\\`` and the C0 controls, RFC 8259 section 7) and keeps
the rest of Unicode as it is (``ensure_ascii=False``, so that ``×`` and names in any script stay readable).
Two kinds of character still need care: a lone surrogate (a name from a command-line argument that was not
valid UTF-8 holds one) cannot be written as UTF-8 at all; and DEL, the C1 controls (U+0080–U+009F, which
some terminals obey: U+009B is CSI) and the invisible format and separator characters would reach a terminal
that shows the JSON.

Rules (``dumps(data)``):

1. ``json.dumps(data, indent=2, ensure_ascii=False)`` (written by ``_indented``, the same bytes faster).
2. Then every character that ``str.isprintable`` rejects, other than the line breaks between members (a
   line break inside a string is already ``\\n``), is written as its JSON escape: ``\\u001b``, ``\\u009b``,
   ``\\u202e``, a lone surrogate as ``\\ud800``, a character beyond U+FFFF as its surrogate pair
   (``\\udb40\\udc01``). Outside strings JSON is ASCII, so this only ever changes the inside of strings.
3. The ``[`` of a ``##[`` is written ``\\u005b``: a CI runner reads ``##[name]`` anywhere in a line of a log as a
   workflow command (``costcalc.render.sinks.github``); the escape is the same character to a JSON reader. (A
   line of indented JSON never starts with ``::``.)

Guarantees: the output is valid UTF-8 and valid JSON, and ``json.loads`` gives back exactly the data (every
name as it was in the file); it holds no control character but the line breaks and no invisible character.
"""

from __future__ import annotations

import json
import math
import re
from json.encoder import encode_basestring
from typing import Any

_NOT_ASCII = re.compile(r"[^\n\x20-\x7e]")


def _escape(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _scalar(value: Any) -> str | None:
    """A string, int, float, bool or None as ``json`` writes it (``encode_basestring`` is its own string
    encoder with ``ensure_ascii=False``, in C), or None for anything else."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    if kind is float:
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


def _indented(value: Any, depth: int) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` at ``depth`` levels of nesting, byte for byte
    (tests/test_big_outputs.py compares them on random documents), one plain function call per value: the
    indented encoder of ``json`` is a chain of Python generators, and was half of a 10,000-layer report's time
    (issue 17). Anything but plain strings, numbers, lists and string-keyed dicts goes to ``json`` itself."""
    text = _scalar(value)
    if text is not None:
        return text
    if type(value) is dict and all(type(key) is str for key in value):
        if not value:
            return "{}"
        inner = "\n" + "  " * (depth + 1)
        parts = []
        for key, item in value.items():  # the commonest values written here, without a call of _indented
            kind = type(item)
            parts.append(encode_basestring(key) + ": " + (encode_basestring(item) if kind is str else
                                                          int.__repr__(item) if kind is int else
                                                          _indented(item, depth + 1)))
        return "{" + inner + ("," + inner).join(parts) + "\n" + "  " * depth + "}"
    if type(value) in (list, tuple):
        if not value:
            return "[]"
        inner = "\n" + "  " * (depth + 1)
        if all(type(item) is int for item in value):  # a shape
            return "[" + inner + ("," + inner).join(map(int.__repr__, value)) + "\n" + "  " * depth + "]"
        return "[" + inner + ("," + inner).join([_indented(item, depth + 1) for item in value]) + "\n" + "  " * depth + "]"
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


def dumps(data: Any) -> str:
    """``data`` as indented JSON, valid UTF-8 whatever its strings hold, with no invisible character."""
    text = _NOT_ASCII.sub(lambda match: _escape(match.group()), _indented(data, 0))
    return text.replace("##[", "##\\u005b") if "##[" in text else text
