"""A terminal table's lines lose the spaces rich pads them with, and keep the colour codes among them
(``costcalc.cli.output.without_trailing_spaces``). It reads each line's end backwards (issue 17); it must strip
exactly what the regular expression it replaced stripped, on any line (derandomized examples)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.cli.output import without_trailing_spaces

_REFERENCE = re.compile(r"(?:[ ]|\x1b\[[0-9;]*m)+$")  # what costcalc used before


def reference(text: str) -> str:
    return "\n".join(_REFERENCE.sub(lambda match: match.group(0).replace(" ", ""), line)
                     for line in text.split("\n"))


PIECES = st.sampled_from([" ", "  ", "a", "漢", "\n", "\x1b[1m", "\x1b[0m", "\x1b[38;2;1;2;3m", "\x1b[", "\x1b",
                          "m", ";", "1", "\x1b[1;m ", "\x1b[x"])


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(PIECES, max_size=20))
def test_trailing_spaces_go_and_colour_codes_stay_as_before(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert without_trailing_spaces(text) == reference(text)


def test_a_coloured_line_keeps_its_last_codes() -> None:
    assert without_trailing_spaces("\x1b[1mTotal\x1b[0m   \x1b[2m  \x1b[0m  \nb  ") == "\x1b[1mTotal\x1b[0m\x1b[2m\x1b[0m\nb"
