"""The terminal sink: text that a terminal shows and never obeys.

A terminal reads control characters as orders: ESC starts an escape sequence (ECMA-48: ``ESC [ … m`` sets
colours, ``ESC [ 2 J`` clears the screen, ``ESC ] 0 ; title BEL`` sets the window title, ``ESC ] 8 ; ; URL``
makes a hyperlink), CR and backspace overwrite what was written, a newline starts a line that seems to be
costcalc's own. Unicode adds invisible characters that reorder or hide text (bidirectional overrides such as
U+202E, zero-width spaces, line and paragraph separators). A name from a file must reach the screen as what
it is, so:

Rules (the source is Python's ``str.isprintable``, which follows the Unicode character categories):

1. Every character that is not printable — Unicode categories Cc (C0 and C1 controls, DEL: so ESC, and with
   it every escape sequence), Cf (format characters: bidirectional overrides, zero-width characters, the
   byte-order mark), Cs (surrogates), Co (private use), Cn (unassigned, noncharacters), Zl, Zp, and Zs other
   than the ASCII space — is written as Python writes it in a string literal: ``\\x1b``, ``\\n``, ``\\t``,
   ``\\x85``, ``\\u202e``, ``\\U000e0001``.
2. Everything else is left as it is: letters of any script, marks, symbols, emoji, the ASCII space and the
   backslash.
3. In rich, text from a file is a ``Text`` (``text()``), never a string that rich would read as markup, so
   ``[dw]``, ``[bold]`` and ``[link=…]`` stay literal and ``:smile:`` stays a word.
4. A terminal is often a CI log, whose runner obeys workflow commands in any line a step prints (see
   ``costcalc.render.sinks.github``). A renderer may wrap a name at any space or fold it anywhere (a table
   cell, the memory line), so a ``::`` in the middle of a name can start a line too: every ``::`` gets a
   backslash between its colons (``:\\:add-mask:\\:x``), and every ``##[`` becomes ``##\\[``, so no part of
   a name can ever make a line a command, wherever a renderer puts it and however it wraps.

5. A table cell shows at most ``MAX_SHOWN`` characters of a name (``shortened``): a longer one keeps its start
   and its end around a marker that says how much is left out (``…[99,853 more characters]…``). A name of
   100,000 words folded into a narrow column took rich seconds per cell; no real name comes near the limit,
   and the JSON, CSV and Markdown keep every name whole.

Guarantees: ``visible(s)`` holds no control character (no ESC, CR, LF, TAB, BEL, DEL, C1), no invisible
format or separator character, and no character other than the ASCII space for which ``str.isspace`` is
true; a string stays on one line; it holds neither ``::`` nor ``##[`` anywhere; other
printable text is unchanged, so an ordinary name looks the same; applying ``visible`` twice gives what applying
it once gives. ``costcalc.errors.printable`` is this function, so
diagnostics on stderr follow the same rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text


_DOUBLE_COLON = ":(?=:)"  # each colon followed by a colon: ":::" becomes ":\\:\\:"


def _shown(char: str) -> str:
    return char if char.isprintable() else repr(char)[1:-1]


def visible(text: str) -> str:
    """``text`` with every character a terminal could obey, or that cannot be seen, written as an escape
    (``\\x1b``, ``\\n``, ``\\u202e``), and no workflow-command marker (rule 4); other text unchanged."""
    if not text.isprintable():
        text = "".join(_shown(char) for char in text)
    if "##[" in text:
        text = text.replace("##[", "##\\[")
    if "::" in text:
        text = re.sub(_DOUBLE_COLON, ":\\\\", text)
    return text


MAX_SHOWN = 200  # characters of a name in a table cell (rule 5)


def shortened(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` whole when it has at most ``limit`` characters, else its start and its end around a marker
    that says how many characters are left out (rule 5); at most ``limit`` characters either way."""
    if len(text) <= limit:
        return text
    keep = limit - 32  # the marker, "…[9,999,999 more characters]…", is at most 30 characters
    head = keep * 2 // 3
    left_out = len(text) - keep
    return f"{text[:head]}…[{left_out:,} more characters]…{text[len(text) - (keep - head):]}"


def text(value: str, style: str = "") -> Text:
    """A rich ``Text`` of a name for a table cell, ``shortened(visible(value))``: shown literally, never read
    as rich markup."""
    from rich.text import Text

    return Text(shortened(visible(value)), style=style)
