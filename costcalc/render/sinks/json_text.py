"""The JSON sink: every ``--format json`` document.

``json.dumps`` escapes what JSON requires (``"``, ``\\`` and the C0 controls, RFC 8259 section 7) and keeps
the rest of Unicode as it is (``ensure_ascii=False``, so that ``×`` and names in any script stay readable).
Two kinds of character still need care: a lone surrogate (a name from a command-line argument that was not
valid UTF-8 holds one) cannot be written as UTF-8 at all; and DEL, the C1 controls (U+0080–U+009F, which
some terminals obey: U+009B is CSI) and the invisible format and separator characters would reach a terminal
that shows the JSON.

Rules (``dumps(data)``):

1. ``json.dumps(data, indent=2, ensure_ascii=False)``.
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
import re
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


def dumps(data: Any) -> str:
    """``data`` as indented JSON, valid UTF-8 whatever its strings hold, with no invisible character."""
    text = _NOT_ASCII.sub(lambda match: _escape(match.group()), json.dumps(data, indent=2, ensure_ascii=False))
    return text.replace("##[", "##\\u005b") if "##[" in text else text
