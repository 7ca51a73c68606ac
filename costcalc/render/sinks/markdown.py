"""The Markdown sink: names in GitHub-flavoured Markdown (report, compare, check, explain and sweep
``--format markdown``, and the check summary in ``$GITHUB_STEP_SUMMARY``), shown as they are written.

In a GFM table a ``|`` ends a cell and a line break ends the row; a cell's leading and trailing spaces are
dropped. In any text, CommonMark reads `` ` `` as a code span, ``*``, ``_`` and ``~`` as emphasis and
strike-through, ``[…](…)`` and ``![…](…)`` as a link and an image (an image is fetched when the page is
shown), ``<…>`` as raw HTML or an autolink, ``&name;`` as a character reference, and GitHub reads ``$…$`` as
mathematics. CommonMark lets a backslash escape any ASCII punctuation character; GFM tables also take ``\\|``
for a pipe, even inside a code span; inside a code span nothing else is an escape, and the span ends at a
run of backticks as long as the one that opened it.

Rules:

1. ``text(value)`` — text in a paragraph, a heading or a table cell: first ``terminal.visible`` (a line
   break becomes ``\\n``, so a name stays in its row and its line); then a backslash before each ``\\``,
   `` ` ``, ``*``, ``~``, ``$``, ``[``, ``]`` and ``|``, and before each ``_`` that is not between two letters
   or digits (CommonMark never reads those as emphasis: ``conv_dw_1`` stays as it is); ``&`` becomes
   ``&amp;`` and ``<`` becomes ``&lt;``; a backslash goes before a ``#``, ``>``, ``+``, ``=`` or ``-`` that
   starts the text, before the ``.`` or ``)`` of a number that starts it, and before a run of ``#`` that
   ends it after a space (so a text at the start of a line starts no heading, quote, list or rule, and ends
   no heading); a leading or trailing space becomes ``&#32;``, so a cell keeps it.
2. ``code(value, in_table=True)`` — a name in a code span: ``terminal.visible``; in a table, ``|`` becomes
   ``\\|``; the span is fenced with one backtick more than the longest run of backticks inside, with a space
   on each side when the name starts or ends with a backtick or a space (CommonMark removes one on each side).

Guarantees: every table row has as many cells as its header, whatever the names; no name adds a link, an
image, an HTML tag, emphasis, mathematics or a line; the rendered text of ``text(s)`` and of ``code(s)`` is
``terminal.visible(s)``; an ordinary name (letters and digits, with ``_``, ``-``, ``.``, ``/`` or spaces
inside it) is unchanged.
"""

from __future__ import annotations

import re

from costcalc.render.sinks.terminal import visible

_PUNCTUATION = re.compile(r"([\\`*~$\[\]|])")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # an _ without a letter or digit on one side
_BACKTICKS = re.compile(r"`+")
_BLOCK_MARK = re.compile(r"^([#>+=-])")  # would start a heading, a quote, a list or a rule
_LIST_NUMBER = re.compile(r"^([0-9]+)([.)])")  # would start a numbered list
_CLOSING_HASH = re.compile(r"(^| )#(#*)$")  # would close a heading


def text(value: str) -> str:
    """``value`` as Markdown text (a paragraph, a heading or a table cell) that renders as itself."""
    escaped = _PUNCTUATION.sub(r"\\\1", visible(value))
    escaped = _UNDERSCORE.sub(r"\\_", escaped)
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;")
    core = escaped.strip(" ")
    core = _LIST_NUMBER.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", core))
    core = _CLOSING_HASH.sub(r"\1\\#\2", core)
    leading = len(escaped) - len(escaped.lstrip(" "))
    trailing = len(escaped) - len(escaped.rstrip(" ")) if core else 0
    return "&#32;" * leading + core + "&#32;" * trailing


def code(value: str, in_table: bool = True) -> str:
    """``value`` as an inline code span that renders as itself (in a table cell when ``in_table``)."""
    shown = visible(value)
    if not shown:
        return ""  # an empty code span does not exist: two backticks would show as such
    if in_table:
        shown = shown.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(shown)), default=0) + 1)
    padded = shown.startswith(("`", " ")) or shown.endswith(("`", " "))
    if padded and shown.strip(" "):
        shown = f" {shown} "
    return f"{fence}{shown}{fence}"
