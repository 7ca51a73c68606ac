"""The markup sink: the SVG and HTML documents of ``--format svg`` and ``--format html``.

rich draws these from the same renderable as the terminal table (``costcalc.cli.output.show_rich``) and escapes
every piece of text it writes with ``html.escape`` (``&``, ``<``, ``>``, ``"`` and ``'`` become references),
so a name cannot open a tag or an attribute. What escaping cannot fix is a character that XML does not allow
at all: XML 1.0 (section 2.2, the ``Char`` production) allows TAB, LF, CR and the characters from U+0020 on,
but no other C0 control, no surrogate and not U+FFFE or U+FFFF, even written as a character reference; it
discourages the C1 controls and the other noncharacters. One such character makes the whole SVG unreadable
to an XML parser, and an image viewer shows nothing.

Rules:

1. Text from a file reaches rich as a ``Text`` made ``terminal.visible`` (the terminal sink's rule), so it
   holds no control character and shows as ``\\x1b``, ``\\n``, … in the picture as on the screen.
2. ``document(text)``, applied to every document rich exports, writes any character left that XML does not
   allow or discourages — C0 controls other than TAB, LF and CR, DEL and the C1 controls, surrogates and
   noncharacters (U+FDD0–U+FDEF and the last two code points of every plane) — as its visible escape
   (``\\x1b``), in case a piece of text ever reaches rich without rule 1.

Guarantees: an SVG costcalc writes parses with an XML parser, whatever the names in the spec; its text shows
every name, control characters as visible escapes; no tag or attribute comes from a name. The HTML is
rich's HTML5 page, which is not XML (its ``<meta>`` is not closed) but holds the same escaped text.
"""

from __future__ import annotations

import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                      + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
                      + "]")


def document(text: str) -> str:
    """An exported SVG or HTML document with every character XML does not allow written visibly."""
    return _NOT_XML.sub(lambda match: repr(match.group())[1:-1], text)
