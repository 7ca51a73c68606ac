"""The output sinks (``costcalc.render.sinks``), one by one: each escaping function against the reader of its
sink (``sink_readers``: the runner's reading of workflow commands, ``csv``, an XML parser, markdown-it), for
any text (hypothesis, derandomized), and on the examples their docstrings give. The readers themselves are
checked first: each rejects what its sink would obey, so that a passing test means something."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sink_readers import (
    CONTROL,
    check_csv,
    check_markdown,
    check_svg,
    check_terminal,
    markdown_cells,
    workflow_commands,
)

from costcalc.errors import printable
from costcalc.render.sinks import github, json_text, markdown, markup, spreadsheet, terminal

ATTACKS = ["\n::add-mask::x", "\r\n::stop-commands::t", "##[error]e", "  ::warning::w", "\x1b[31m", "\x1b]0;t\x07",
           "\x9b", "\x85", "\u2028", "\u202e", "\x00", "=1+1", "+1", "-1", "@x", ";=x", "|", "`", "\\", "<b>", "&lt;",
           "[x](y)", "_", "*", "#", "1.", "> ", " ", "%0A", "%25", ":", ","]
TEXT = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(st.characters(), max_size=5)), max_size=5).map("".join)
SETTINGS = settings(max_examples=100, derandomize=True, deadline=None)
RENDER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


# --- the readers reject what their sink would obey ------------------------------------------------------

@pytest.mark.parametrize("check, bad", [
    (check_terminal, "a\x1b[2Jb"),
    (check_csv, "name\n=HYPERLINK(\"x\")\n"),
    (check_csv, "name,kind\na;=1+1,conv\n"),
    (check_svg, "<svg><text>\x1b</text></svg>"),
    (check_svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
    (check_markdown, "| a | b |\n|--|--|\n| x | y | z |\n"),
    (check_markdown, "text ![i](http://x/p.png)\n"),
    (check_markdown, "# a heading no renderer of ours makes\n"),
])
def test_each_reader_rejects_what_its_sink_would_obey(check: object, bad: str) -> None:
    with pytest.raises((AssertionError, ElementTree.ParseError)):
        check(bad)  # type: ignore[operator]


def test_the_command_reader_reads_both_forms_of_workflow_command_as_the_runner_does() -> None:
    assert workflow_commands("  ::add-mask::s%0At\nx ##[error]y\n::error file=a%3Ab,line=3::m%25") == [
        ("add-mask", {}, "s\nt"), ("##[", {}, "x ##[error]y"), ("error", {"file": "a:b", "line": "3"}, "m%")]
    assert workflow_commands("a ::add-mask::x\n::nothing\n\\::add-mask::x\n##\\[error]") == []


# --- terminal -------------------------------------------------------------------------------------------

def test_terminal_shows_control_characters_and_keeps_printable_text() -> None:
    ordinary = "conv_dw_1 — résumé 畳み込み ×3 \\ 😀"
    assert terminal.visible(ordinary) == ordinary
    assert terminal.visible("a\x1b[31mb\nc\td\x07\x9b\u202e\u2028\xa0\U000e0001") == (
        "a\\x1b[31mb\\nc\\td\\x07\\x9b\\u202e\\u2028\\xa0\\U000e0001")
    assert printable("x\x1b") == "x\\x1b"  # diagnostics share the rule


def test_terminal_text_is_never_rich_markup() -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(terminal.text("[link=http://x]a[/link] [bold]b :smile:\x1b"))
    assert console.file.getvalue() == "[link=http://x]a[/link] [bold]b :smile:\\x1b\n"  # type: ignore[attr-defined]


@SETTINGS
@given(TEXT)
def test_terminal_output_is_one_line_without_control_characters_and_stable(text: str) -> None:
    shown = terminal.visible(text)
    assert shown.isprintable() and not CONTROL.search(shown)
    assert terminal.visible(shown) == shown


# --- GitHub workflow commands ---------------------------------------------------------------------------

@SETTINGS
@given(TEXT, TEXT, TEXT)
def test_a_command_is_one_command_whose_values_the_runner_reads_back(title: str, path: str, message: str) -> None:
    title = f"costcalc: {title} Mult-Adds"  # as costcalc writes it (the runner trims the last value's end)
    line = github.command("error", {"file": path, "line": "3", "title": title}, message)
    expected = {"file": path, "line": "3", "title": title}
    assert workflow_commands(line) == [("error", {key: terminal.visible(value).replace("##[", "##\\[")
                                                  for key, value in expected.items() if value},
                                        terminal.visible(message).replace("##[", "##\\["))]


@SETTINGS
@given(TEXT)
def test_a_plain_text_is_never_read_as_a_command(text: str) -> None:
    for made in (github.plain_text(text), github.plain_text(terminal.visible(text))):
        assert workflow_commands(made) == []
    assert github.plain_text("report\n  ok\n") == "report\n  ok\n"


def test_plain_lines_keep_their_text_visibly() -> None:
    assert github.plain("  ::add-mask::x") == "  \\::add-mask::x"
    assert github.plain("\u200b::x::y") == "\u200b\\::x::y"
    assert github.plain("a ##[error]b ###[c") == "a ##\\[error]b ###\\[c"
    assert github.plain_text("::a::b\r::c::d\r\n") == "\\::a::b\r\\::c::d\r\n"


# --- spreadsheet ----------------------------------------------------------------------------------------

def test_formula_starts_get_a_quote_and_numbers_stay_numbers() -> None:
    assert [spreadsheet.cell(value) for value in ("=1+1", "+1", "-x", "@SUM(A1)", "\t=1", "conv_1", "a;=b", 568740352,
                                                  -3, None)] == [
        "'=1+1", "'+1", "'-x", "'@SUM(A1)", "\\t=1", "conv_1", "a;'=b", 568740352, -3, None]


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=4))
def test_a_csv_row_of_any_text_reads_back_as_text_cells(texts: list[str]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["name", *[f"c{i}" for i in range(len(texts) - 1)]])
    csv.writer(out, lineterminator="\n").writerow([spreadsheet.cell(text) for text in texts])
    rows = check_csv(out.getvalue())
    assert [cell.replace("'", "") for cell in rows[1]] == [terminal.visible(text).replace("'", "") for text in texts]


# --- markup (SVG, HTML) ---------------------------------------------------------------------------------

@SETTINGS
@given(st.text(st.characters(), max_size=20))
def test_a_document_with_any_characters_becomes_valid_xml(text: str) -> None:
    import html

    document = markup.document(f"<svg><text>{html.escape(text)}</text></svg>")
    assert ElementTree.fromstring(document).text in (None, markup.document(text))


def test_markup_leaves_printable_text_and_line_breaks() -> None:
    assert markup.document("<svg>\n\t<text>a\u00a0×</text></svg>") == "<svg>\n\t<text>a\u00a0×</text></svg>"
    assert markup.document("a\x1b\x00\ufffe\U0001fffe") == "a\\x1b\\x00\\ufffe\\U0001fffe"


# --- Markdown -------------------------------------------------------------------------------------------

def _rendered_cells(row: str) -> list[str]:
    """The text of each cell of a one-row GFM table, as markdown-it renders and html.parser reads it."""
    import html.parser

    class Cells(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []
            self.inside = False

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag == "td":
                self.cells.append("")
                self.inside = True

        def handle_endtag(self, tag: str) -> None:
            self.inside = self.inside and tag != "td"

        def handle_data(self, data: str) -> None:
            if self.inside:
                self.cells[-1] += data

    parser = Cells()
    parser.feed(RENDER.render(f"| a | b |\n|---|---|\n{row}\n"))
    return parser.cells


@SETTINGS
@given(TEXT)
def test_a_markdown_cell_renders_as_the_name_shown_on_a_terminal(text: str) -> None:
    row = f"| {markdown.text(text)} | {markdown.code(text)} |"
    assert len(markdown_cells(row)) == 2
    assert _rendered_cells(row) == [terminal.visible(text)] * 2
    check_markdown(f"### {markdown.text(text)}\n\n> {markdown.text(text)}\n\n**{markdown.text(text)}**: "
                   f"{markdown.code(text, in_table=False)}\n")


def test_markdown_escapes_only_what_markdown_would_read() -> None:
    ordinary = "conv_dw_1 (Table 1), 224x224 mobilenet_v1 #1, global_avg_pool - 3/4"
    assert markdown.text(ordinary) == ordinary
    assert markdown.text("_x_ a|b `c` <img> [l](u) # 1. & $m$") == (
        "\\_x\\_ a\\|b \\`c\\` &lt;img> \\[l\\](u) # 1. &amp; \\$m\\$")
    assert markdown.text("# h #") == "\\# h \\#" and markdown.text(" x ") == "&#32;x&#32;"
    assert markdown.code("a`b") == "``a`b``" and markdown.code("`x") == "`` `x ``" and markdown.code("a|b") == "`a\\|b`"
    assert markdown.code("a|b", in_table=False) == "`a|b`"


# --- JSON -----------------------------------------------------------------------------------------------

@SETTINGS
@given(st.text(st.characters(), max_size=20), st.text(st.characters(), max_size=5))
def test_json_reads_back_exactly_and_holds_no_invisible_character(text: str, key: str) -> None:
    document = json_text.dumps({key: [text, 1, {"n": text}]})
    document.encode("utf-8")  # a lone surrogate would fail here
    assert json.loads(document) == {key: [text, 1, {"n": text}]}
    assert all(char.isprintable() or char == "\n" for char in document)


def test_json_keeps_readable_text_and_escapes_the_rest() -> None:
    assert json_text.dumps(["×→é", "\x9b\u202e\udcff\U000e0001"]) == (
        '[\n  "×→é",\n  "\\u009b\\u202e\\udcff\\udb40\\udc01"\n]')


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(name=st.text(min_size=0, max_size=700), limit=st.integers(min_value=40, max_value=300))
def test_a_long_name_is_shortened_in_its_middle_and_says_by_how_much(name: str, limit: int) -> None:
    """Rule 5 of the terminal sink: at most ``limit`` characters; a name within it unchanged; a longer one keeps
    its start and its end, and the marker between them counts what it leaves out."""
    from costcalc.render.sinks.terminal import shortened

    shown = shortened(name, limit)
    assert len(shown) <= limit
    if len(name) <= limit:
        assert shown == name
        return
    # the marker, wherever a name's own text could look like one: some split of the shown text must fit
    splits = [(shown[:found.start()], int(found[1].replace(",", "")), shown[found.end():])
              for found in re.finditer(r"…\[([0-9,]+) more characters\]…", shown)]
    assert any(head and tail and name.startswith(head) and name.endswith(tail)
               and len(head) + left_out + len(tail) == len(name) for head, left_out, tail in splits), shown
