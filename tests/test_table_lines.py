"""costcalc's tables print their own lines when they fit (``costcalc.render.table_lines``, issue 17), and those
lines are rich's: for random tables of the shape costcalc builds, the fast path gives the same characters,
each in the same style, as rich 15's ``Table.__rich_console__`` (indeed the same segments, so SVG and HTML
exports do not change either), and the same ANSI codes; anything it does not model is left to rich.

The examples are derandomized (the same every run), as the repository's other property tests are.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Span, Text

from costcalc import api
from costcalc.render import table_lines
from costcalc.render.sections import CostTable, body_table, section_table, table_width

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)

# ASCII, spaces (kept or stripped as rich does by justify), a non-ASCII one-cell character, CJK (two cells)
# and a combining acute (no cell: rich measures it by cells, crops by characters)
CHARACTERS = list("ab_1 .,×→") + ["漢", "字", "é", "\u0301"]
WORDS = st.text(alphabet=st.sampled_from(CHARACTERS), max_size=10)
STYLES = st.sampled_from(["", "none", "bold", "dim", "italic", "underline", "red", "green on black",
                          "bold magenta", "on blue", "reverse", "strike", "#ff8800", "rgb(10,200,30) on grey23",
                          Style(bold=True), Style(color="cyan", bgcolor="grey23"), Style(italic=False)])
JUSTIFY = st.sampled_from(["left", "right", "center", "full", "default"])
BOXES = st.sampled_from([box.SIMPLE_HEAD, None, box.ROUNDED, box.HEAVY_HEAD, box.MINIMAL, box.SIMPLE, box.ASCII,
                         box.DOUBLE_EDGE, box.MARKDOWN, box.MINIMAL_DOUBLE_HEAD])
PADDINGS = st.sampled_from([(0, 1), 0, (0, 2), (0, 1, 0, 2), (0, 0, 0, 1), (1, 1), (1, 0, 2, 1), (0, 2, 0, 1)])


@st.composite
def texts(draw: st.DrawFn) -> Text:
    """A ``Text`` with a base style, spans of random styles anywhere in it, and sometimes its own justify."""
    plain = draw(WORDS)
    text = Text(plain, style=draw(STYLES), justify=draw(st.none() | JUSTIFY))
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(plain)))
        text.spans.append(Span(start, draw(st.integers(start, len(plain))), draw(STYLES)))
    return text


CELLS = st.one_of(WORDS, texts(), st.just(""))


@st.composite
def tables(draw: st.DrawFn, narrow: bool = False) -> CostTable:
    """A table of the shape the fast path models; ``narrow``: columns whose ``max_width`` may be under their
    cells (which rich then wraps, and the fast path leaves to it)."""
    table = CostTable(title=draw(st.none() | WORDS | texts()), caption=draw(st.none() | WORDS | texts()),
                      title_justify=draw(JUSTIFY), caption_justify=draw(JUSTIFY), title_style=draw(STYLES),
                      box=draw(BOXES), padding=draw(PADDINGS), collapse_padding=draw(st.booleans()),
                      pad_edge=draw(st.booleans()), show_header=draw(st.booleans()),
                      show_footer=draw(st.booleans()), show_edge=draw(st.booleans()), show_lines=draw(st.booleans()),
                      leading=draw(st.sampled_from([0, 0, 1])), style=draw(STYLES), border_style=draw(STYLES),
                      header_style=draw(STYLES), footer_style=draw(STYLES),
                      row_styles=draw(st.lists(STYLES, max_size=3)))
    for _ in range(draw(st.integers(1, 5))):
        table.add_column(draw(CELLS), footer=draw(CELLS), justify=draw(JUSTIFY), style=draw(STYLES),
                         header_style=draw(STYLES), footer_style=draw(STYLES), no_wrap=draw(st.booleans()),
                         min_width=draw(st.none() | st.integers(0, 15)),
                         max_width=draw(st.none() | (st.integers(0, 12) if narrow else st.integers(40, 50))),
                         vertical=draw(st.sampled_from(["top", "middle", "bottom"])))
    for _ in range(draw(st.integers(0, 5))):
        table.add_row(*(draw(CELLS) for _ in table.columns), style=draw(st.none() | STYLES),
                      end_section=draw(st.booleans()))
    return table


def _console(width: int, **options: Any) -> Console:
    """A console ``width`` cells wide (a legacy Windows one is a cell narrower, whatever the environment's LINES)."""
    return Console(file=io.StringIO(), width=width, height=25, color_system="truecolor", force_terminal=True,
                   **{"legacy_windows": False, **options})


def _characters(segments: list[Segment]) -> list[tuple[str, Style]]:
    """Each character with its style (no style is the null style): what a terminal shows."""
    return [(character, segment.style or Style.null()) for segment in segments for character in segment.text]


def _ansi(table: Table, console: Console) -> str:
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def assert_same_as_rich(table: CostTable, console: Console) -> bool:
    """The fast path's lines of ``table`` are rich's, if it takes it; whether it did. Also on a console that
    cannot print the box's characters (rich draws it in ASCII)."""
    rich_table = copy.copy(table)
    rich_table.__class__ = Table
    ascii_only = console.options.copy()
    ascii_only.encoding = "ascii"
    for options in (ascii_only, console.options):
        fast = table_lines.render(table, console, options)
        if fast is None:
            break
        expected = list(Table.__rich_console__(rich_table, console, options))
        assert "".join(segment.text for segment in fast) == "".join(segment.text for segment in expected)
        assert _characters(fast) == _characters(expected)
        assert fast == expected  # the same segments: a recorded console exports the same SVG and HTML
    assert _ansi(table, console) == _ansi(rich_table, console)
    return fast is not None


def _modelled(table: Table) -> bool:
    """A table whose every cell the fast path models: no combining mark (a cell longer in characters than in
    cells may be cropped by rich), and a row to show."""
    cells = [cell for column in table.columns for cell in (column.header, column.footer, *column._cells)]
    plain = [cell.plain if isinstance(cell, Text) else str(cell) for cell in cells]
    return all(len(text) <= cell_len(text) for text in plain) and bool(
        table.show_header or table.rows or table.show_footer)


@SETTINGS
@given(table=tables(), room=st.integers(0, 20), emoji=st.booleans(), markup=st.booleans(),
       legacy_windows=st.booleans(), safe_box=st.booleans())
def test_a_table_that_fits_prints_rich_lines_by_the_fast_path(table: CostTable, room: int, emoji: bool,
                                                              markup: bool, legacy_windows: bool,
                                                              safe_box: bool) -> None:
    natural = table_width(table)
    assert natural is not None
    console = _console(natural + room + legacy_windows, emoji=emoji, markup=markup, legacy_windows=legacy_windows,
                       safe_box=safe_box)
    assert console.width == natural + room
    taken = assert_same_as_rich(table, console)
    if _modelled(table):
        assert taken, "a table of the modelled shape at its natural width must take the fast path"


@SETTINGS
@given(table=tables(narrow=True), width=st.integers(1, 80))
def test_at_any_width_the_fast_path_is_rich_or_is_not_taken(table: CostTable, width: int) -> None:
    """Narrower than the table, or with a column under its cells' width, rich shrinks or wraps: the fast path
    must step aside (it is taken only when its lines are rich's)."""
    natural = table_width(table)
    taken = assert_same_as_rich(table, _console(width))
    if natural is not None and natural > width:
        assert not taken


def _simple() -> CostTable:
    table = section_table("A title")
    table.add_column("Layer")
    table.add_column("Mult-Adds", justify="right")
    table.add_row("conv1", "10,838,016")
    return table


@pytest.mark.parametrize("change", [
    lambda t: t.add_row("[bold]conv[/bold]", "1"),  # markup
    lambda t: t.add_row("a\nb", "1"),  # two lines
    lambda t: t.add_row("a\tb", "1"),  # a tab
    lambda t: t.add_row(Text("x", end=""), "1"),
    lambda t: t.add_row(Text("x", overflow="ignore"), "1"),
    lambda t: t.add_row(Group(Text("x")), "1"),  # not text
    lambda t: t.add_row("👩\u200d💻", "1"),  # a zero width joiner: rich's cell_len is not the sum of its characters'
    lambda t: t.add_row(Text("x", spans=[Span(0, 5, "bold")]), "1"),  # a span past the end of its text
    lambda t: t.add_column("Params"),  # a column with fewer cells than the others
    lambda t: setattr(t, "expand", True),
    lambda t: setattr(t, "width", 60),
    lambda t: setattr(t, "min_width", 60),
    lambda t: setattr(t.columns[0], "width", 9),
    lambda t: setattr(t.columns[0], "highlight", True),
    lambda t: setattr(t.columns[0], "max_width", 2),  # rich wraps the names
    lambda t: setattr(t.columns[1], "justify", "middle"),
])
def test_what_the_fast_path_does_not_model_is_left_to_rich(change: Any) -> None:
    table = _simple()
    assert assert_same_as_rich(table, _console(80))
    change(table)
    assert not assert_same_as_rich(table, _console(80))


def test_emoji_codes_in_a_str_are_left_to_rich_when_the_console_reads_them() -> None:
    table = _simple()
    table.add_row(":thumbs_up:", "1")
    assert assert_same_as_rich(table, _console(80, emoji=False))
    assert not assert_same_as_rich(table, _console(80, emoji=True))


def test_a_table_narrower_than_its_columns_is_left_to_rich() -> None:
    table = _simple()
    assert assert_same_as_rich(table, _console(table_width(table) or 0))
    assert not assert_same_as_rich(table, _console((table_width(table) or 0) - 1))


def test_every_costcalc_table_is_one_and_so_is_a_copy() -> None:
    from costcalc.render.fit import with_columns

    for table in (section_table("t"), body_table(), body_table(show_footer=True)):
        assert isinstance(table, CostTable)
        table.add_column("a")
        assert type(with_columns(table, table.columns)) is CostTable


def _tables(renderable: object) -> list[Table]:
    if isinstance(renderable, Table):
        return [renderable]
    return [table for part in getattr(renderable, "renderables", []) for table in _tables(part)]


RESULTS = {
    "report": lambda: api.report("mobilenet_v1"),
    "report resnet50 --device": lambda: api.report("resnet50", device="pixel_6_cpu"),
    "report vit_b_16": lambda: api.report("vit_b_16"),
    "compare": lambda: api.compare(["mobilenet_v1", "mobilenet_v2", "efficientnet_b0"]),
    "compare --vs-standard": lambda: api.compare(["mobilenet_v1"], vs_standard=True),
    "sweep": lambda: api.sweep("mobilenet_v1", max_mult_adds=300_000_000),
}


@pytest.mark.parametrize("width", [60, 132, 1000])
@pytest.mark.parametrize("command", list(RESULTS))
def test_costcalc_tables_take_the_fast_path_and_print_what_rich_prints(command: str, width: int) -> None:
    """Every table of a report, a comparison and a sweep, fitted to a terminal (whole columns hidden, or the
    table stacked in parts, at 60) or as a file has it (1000), is a ``CostTable`` that prints its own lines,
    and they are rich's."""
    tables = _tables(RESULTS[command]()._renderable(width))
    assert tables
    for table in tables:
        assert isinstance(table, CostTable)
        assert assert_same_as_rich(table, _console(width, emoji=False, highlight=False)), command
