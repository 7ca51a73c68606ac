"""The spreadsheet sink: CSV cells that a spreadsheet shows as text, never runs as a formula.

Excel, LibreOffice Calc and Google Sheets read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula, quoted or not: ``=HYPERLINK("http://…"&A1)`` sends the sheet's
data away, ``=cmd|' /C calc'!A0`` runs a program through DDE. OWASP's "CSV Injection" guidance: no cell may
begin with one of these characters; prepend a single quote to one that does, which the spreadsheet reads as
"this is text"; and mind the field separator and quotes, which a spreadsheet set to another separator (a
semicolon, in many locales) may use to start a new cell in the middle of a text.

Rules (``cell(value)``):

1. A number (an ``int``) or ``None`` is returned as it is: numbers stay numbers.
2. Text is first made ``terminal.visible``: a control character has no place in a cell, and a CSV printed on
   a terminal must not carry escape sequences. This also turns a leading tab or carriage return into the
   visible ``\\t`` or ``\\r``.
3. A single quote ``'`` goes before a text's first character when it is ``=``, ``+``, ``-``, ``@``, tab or
   carriage return, and before each of these characters that follows a ``,``, a ``;`` or a ``"`` inside the
   text.
4. Quoting (a cell holding a comma, a quote or a line break) is the ``csv`` module's, as RFC 4180 says.

Guarantees: a text cell read back with ``csv.reader`` does not start with ``=``, ``+``, ``-``, ``@``, tab or
carriage return, and neither does any piece of it after a comma, semicolon or quote; it holds no control
character; a row keeps its number of cells; an ordinary name is unchanged.
"""

from __future__ import annotations

import re
from typing import TypeVar

from costcalc.render.sinks.terminal import visible

FORMULA_STARTS = "=+-@\t\r"
_INNER_FORMULA = re.compile(r"""([,;"])([=+\-@\t\r])""")

Value = TypeVar("Value")


def cell(value: Value) -> Value | str:
    """``value`` as a CSV cell: text made visible and kept from being read as a formula; numbers unchanged."""
    if not isinstance(value, str):
        return value
    text = _INNER_FORMULA.sub(r"\1'\2", visible(value))
    return "'" + text if text and text[0] in FORMULA_STARTS else text
