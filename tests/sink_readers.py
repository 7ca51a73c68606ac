"""Readers of costcalc's output, one per sink, written from each sink's own rules and never from costcalc's
code: what a terminal, a spreadsheet, an XML parser, the GitHub Actions runner and a Markdown renderer would
make of it. Each ``check_*`` fails (``AssertionError``, or the parser's own error) when the output would do
something in its sink that a name from a file made it do. Used by ``test_output_escaping.py`` (every
format of every command), ``test_sinks.py`` (the sink functions) and ``test_hostile_outputs.py``.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from typing import Any

from markdown_it import MarkdownIt  # rich's own Markdown parser: CommonMark, with GFM's tables

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
FORMULA_START = "=+-@\t\r"
NUMBER = re.compile(r"-?[0-9]+(/[0-9]+)?")
SVG_ELEMENTS = {"svg", "style", "defs", "clipPath", "rect", "g", "text", "circle"}  # rich's window, lines, text
HTML_TAGS = {"html", "head", "meta", "style", "body", "pre", "code", "span"}
MARKDOWN_TAGS = {"<details>", "<summary>", "</summary>", "</details>"}
# what costcalc's own Markdown renders to: headings of level 3, paragraphs, tables, bold, italic (the hidden
# rows' note), strike-through (a sweep's cells over budget), code spans, quotes, <details>; a name adds none
RENDERED_TAGS = {"h3", "p", "table", "thead", "tbody", "tr", "th", "td", "strong", "em", "s", "code", "blockquote",
                 "details", "summary"}
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def check_terminal(text: str, commands_allowed: bool = False) -> None:
    """No control character but the line break, so no ESC and no escape sequence at all; and, since a terminal
    is often a CI log, no line a workflow runner would obey (``commands_allowed``: the github format's own
    ``::error`` lines, which its caller checks)."""
    found = CONTROL.findall(text)
    assert not found, sorted(set(found))
    if not commands_allowed:
        assert not workflow_commands(text), workflow_commands(text)


def check_json(text: str) -> Any:
    check_terminal(text)  # JSON escapes its controls: a JSON document is safe on a terminal too
    return json.loads(text)


def check_csv(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    width = len(rows[0])
    for row in rows:
        assert len(row) == width, (row, rows[0])
        for cell in row:
            assert not CONTROL.search(cell), cell
            if cell[:1] and cell[0] in FORMULA_START:
                assert NUMBER.fullmatch(cell), f"a text cell read as a formula: {cell!r}"
            for piece in re.split(r"[,;\"]", cell)[1:]:  # a spreadsheet that splits at , or ; or quotes
                assert not (piece[:1] and piece[0] in FORMULA_START), f"a formula inside a cell: {cell!r}"
    return rows


def check_svg(text: str) -> None:
    root = ElementTree.fromstring(text)
    for element in root.iter():
        assert element.tag.split("}")[-1] in SVG_ELEMENTS, element.tag
        assert not CONTROL.search(element.text or ""), element.text


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def check_html(text: str) -> None:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    assert parser.tags <= HTML_TAGS, parser.tags - HTML_TAGS
    check_terminal("".join(parser.data))


def markdown_cells(row: str) -> list[str]:
    """A GFM table row's cells: split at every pipe without a backslash before it."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return re.split(r"(?<!\\)\|", inner)


CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)")


def check_markdown(text: str) -> None:
    check_terminal(text)
    outside_code = CODE_SPAN.sub("", text.replace("\\`", ""))  # a code span shows HTML as text
    assert set(re.findall(r"</?[A-Za-z][^>]*>", outside_code)) <= MARKDOWN_TAGS, text
    parser = _Tags()
    parser.feed(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text))
    assert parser.tags <= RENDERED_TAGS, (parser.tags - RENDERED_TAGS, text)
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        if lines[index].startswith("|") and index + 1 < len(lines) and re.fullmatch(r"\|(:?-+:?\|)+", lines[index + 1]):
            width = len(markdown_cells(lines[index]))
            index += 2
            while index < len(lines) and lines[index].startswith("|"):
                assert len(markdown_cells(lines[index])) == width, (lines[index], width)
                index += 1
        else:
            assert not lines[index].startswith("|"), f"a line that a table would read as a row: {lines[index]!r}"
            index += 1


def workflow_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """The commands the Actions runner reads in ``text``: (name, properties, data), unescaped as it does.
    Any command name counts (``::stop-commands::TOKEN`` registers TOKEN); a legacy ``##[`` command counts
    as ``("##[", {}, line)``."""
    found = []
    for line in LINE_BREAK.split(text):
        trimmed = line.lstrip()
        end = trimmed.find("::", 2)
        if trimmed.startswith("::") and end >= 0:
            name, _, listed = trimmed[2:end].partition(" ")
            properties = {}
            for pair in listed.strip().split(","):
                key, _, value = pair.partition("=")
                if key and value:  # the runner drops a pair with an empty side
                    properties[key] = _unescape(value, property_value=True)
            found.append((name, properties, _unescape(trimmed[end + 2:])))
        elif "##[" in line and "]" in line[line.index("##["):]:
            found.append(("##[", {}, line))
    return found


def _unescape(text: str, property_value: bool = False) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if property_value else []) + [("%25", "%")]
    for escaped, plain in pairs:
        text = text.replace(escaped, plain)
    return text
