"""The lines of a rich table that fits, made directly: the segments rich 15's ``Table.__rich_console__`` would
emit, segment for segment, without its per-cell ``console.render_lines`` of a ``Padding`` of a wrapped ``Text``
(most of a table report's warm time, issue 17).

``render`` makes them only when rich would neither shrink nor wrap a cell: every cell is one line of text
(a ``Text``, or a ``str`` that rich would not read as markup or emoji) at most as wide as its column's inner
width, and the columns at their natural widths fit the space rich gives the table. It returns None for anything
else (a set width, expand, a fixed-width column, a cell that is not text, a character whose width is not
the sum of its parts, a column with no cell ...), and the caller lets rich render the table.

Each step below is the step of rich it stands for (rich/table.py ``_render``, ``_get_cells``,
``_calculate_column_widths``; padding.py; text.py ``__rich_console__``, ``wrap``, ``render``;
containers.py ``Lines.justify``; segment.py ``split_and_crop_lines``, ``apply_style``).
``tests/test_table_lines.py`` compares the two on random tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType
    from rich.table import Table

# Printable ASCII: one cell a character, nothing rich strips, splits, expands or measures apart.
printable_ascii = frozenset(map(chr, range(0x20, 0x7F))).issuperset
# Control characters (stripped, expanded or split by rich, zero cells wide), and the two characters that make
# rich's cell_len of a string other than the sum of its characters' (a zero width joiner, a variation selector).
_UNMODELLED = re.compile("[\x00-\x1f\x7f-\x9f\u200d\ufe0f]").search
_JUSTIFY = frozenset({"left", "right", "center", "full", "default"})


# A cell as the text rich renders: its characters, spans, base style (falsy for none), own justify (None: the
# column's) and width in cells.
_Cell = tuple[str, Sequence[Span], str | Style, str | None, int]
_NO_SPANS: tuple[Span, ...] = ()


def _cell(cell: RenderableType, markup: bool, emoji: bool) -> _Cell | None:
    """``cell`` as rich renders it (``console.render_str`` for a str), or None when not modelled."""
    style: str | Style
    spans: Sequence[Span]
    if type(cell) is str:
        if (markup and "[" in cell) or (emoji and ":" in cell):
            return None
        plain, spans, style, justify = cell, _NO_SPANS, "", None
    elif type(cell) is Text:
        plain = cell.plain
        if cell.end != "\n" or cell.overflow == "ignore" or (cell.justify is not None and cell.justify not in _JUSTIFY):
            return None
        spans, style, justify = cell.spans, cell.style, cell.justify
        size = len(plain)
        for span in spans:
            if not 0 <= span.start <= span.end <= size:
                return None
    else:
        return None
    if printable_ascii(plain):
        return plain, spans, style, justify, len(plain)
    if _UNMODELLED(plain):
        return None
    return plain, spans, style, justify, cell_len(plain)


class _Column(NamedTuple):
    width: int
    left: int  # the padding left and right of every cell
    right: int
    cells: list[_Cell]
    styles: tuple[Style, Style, Style]  # of its header, body and footer cells, before the row's style
    justify: str


def _columns(table: Table, console: Console, options: ConsoleOptions) -> list[_Column] | None:
    """Each column's width (``_calculate_column_widths`` of a table that fits) and cells, or None."""
    columns = table.columns
    count = len(columns)
    rows = len(table.rows)
    top, pad_right, bottom, pad_left = table.padding
    any_padding = bool(top or pad_right or bottom or pad_left)
    markup = options.markup if options.markup is not None else getattr(console, "_markup", True)
    emoji = getattr(console, "_emoji", True)
    get_style = console.get_style
    header_style = get_style(table.header_style or "")
    footer_style = get_style(table.footer_style or "")
    ascii_text = printable_ascii
    made: list[_Column] = []
    for index, column in enumerate(columns):
        if column.width is not None or column.highlight or column.overflow == "ignore" or len(column._cells) != rows:
            return None
        justify: str = column.justify
        if justify not in _JUSTIFY:
            return None
        left, right = (pad_left, pad_right) if any_padding else (0, 0)
        if table.collapse_padding and index:
            left = max(0, left - right)
        if not table.pad_edge:
            left = 0 if index == 0 else left
            right = 0 if index == count - 1 else right
        raw = [column.header] if table.show_header else []
        raw += column._cells
        if table.show_footer:
            raw.append(column.footer)
        cells: list[_Cell] = []
        widest = longest = 0
        for renderable in raw:
            if type(renderable) is str and ascii_text(renderable) and not (markup and "[" in renderable) and not (
                    emoji and ":" in renderable):
                size = len(renderable)
                cells.append((renderable, _NO_SPANS, "", None, size))
            else:
                cell = _cell(renderable, markup, emoji)
                if cell is None:
                    return None
                cells.append(cell)
                size = cell[4]
                longest = max(longest, len(cell[0]))
            widest = max(widest, size)
        width = widest + left + right
        if column.min_width is not None or column.max_width is not None:
            padding_width = table._get_padding_width(index)
            if column.min_width is not None:
                width = max(width, max(0, column.min_width + padding_width))
            if column.max_width is not None:
                width = min(width, column.max_width + padding_width)
        width = width or 1
        # a cell wider than its column would wrap; and Text.rstrip_end crops a line longer in characters
        if max(widest, longest) > width - left - right:
            return None
        styles = (header_style + get_style(column.header_style), get_style(column.style or ""),
                  footer_style + get_style(column.footer_style))
        made.append(_Column(width, left, right, cells, styles, justify))
    return made


def _text_segments(cell: _Cell, justify: str, inner: int, console: Console,
                   cache: dict[tuple[Style, ...], Style]) -> tuple[list[tuple[str, Style | None]], int]:
    """The pieces (text, style) ``Text.__rich_console__`` yields for a cell's one line ``inner`` cells wide
    (``Lines.justify`` pads left, right and center justified text), and how many spaces ``split_and_crop_lines``
    pads it with after that (default and full justified text; a single line is never spread)."""
    plain, spans, base, _, cells = cell
    trailing = 0
    if justify == "left":
        text = plain + " " * (inner - cells)
    elif justify == "right" or justify == "center":
        stripped = plain.rstrip()
        if len(stripped) < len(plain):  # Text.rstrip trims the spans to the shorter text
            end = len(stripped)
            spans = [Span(span.start, min(end, span.end), span.style) for span in spans if span.start < end]
            cells = cell_len(stripped)
        shift = inner - cells if justify == "right" else (inner - cells) // 2
        text = " " * shift + stripped + " " * (inner - cells - shift)
        if shift:
            spans = [Span(span.start + shift, span.end + shift, span.style) for span in spans]
    else:
        text = plain
        trailing = inner - cells
    if base:  # Text.join makes the base style a span over the whole line, before the others
        spans = [Span(0, len(text), base), *spans]
    if not spans:
        return [(text, None)], trailing
    null = Style.null()
    get_style = console.get_style
    styles = [get_style(span.style, default=null) for span in spans]
    offsets = sorted({0, len(text), *(span.start for span in spans), *(span.end for span in spans)})
    pieces: list[tuple[str, Style | None]] = []
    for start, end in pairwise(offsets):
        key = (null, *(style for span, style in zip(spans, styles) if span.start <= start < span.end))
        style = cache.get(key)
        if style is None:
            style = cache[key] = Style.combine(key)
        pieces.append((text[start:end], style))
    return pieces, trailing


def render(table: Table, console: Console, options: ConsoleOptions) -> list[Segment] | None:
    """The segments of ``table`` rendered in ``options``, as rich's ``Table.__rich_console__`` yields them, or
    None when rich might render it otherwise than this models."""
    if (table.width is not None or table.min_width is not None or table.expand or not table.columns
            or not (table.show_header or table.rows or table.show_footer)):
        return None
    columns = _columns(table, console, options)
    if columns is None:
        return None
    widths = [column.width for column in columns]
    extra_width = table._extra_width
    if sum(widths) > max(0, options.max_width - extra_width):
        return None
    render_options = options.update(width=sum(widths) + extra_width, highlight=table.highlight, height=None)
    out: list[Segment] = []
    if table.title:
        out += _annotation(console, render_options, table.title, Style.pick_first(table.title_style, "table.title"),
                           table.title_justify)
    _body(table, console, options, columns, widths, out)
    if table.caption:
        out += _annotation(console, render_options, table.caption,
                           Style.pick_first(table.caption_style, "table.caption"), table.caption_justify)
    return out


def _annotation(console: Console, options: ConsoleOptions, text: str | Text, style: str | Style,
                justify: JustifyMethod) -> list[Segment]:
    """A title or caption: rich's own rendering of it (``render_annotation``), at the table's width."""
    shown = console.render_str(text, style=style, highlight=False) if isinstance(text, str) else text
    return list(console.render(shown, options.update(justify=justify)))


def _lines(column: _Column, kinds: list[int], row_styles: list[Style | None], console: Console,
           cache: dict[tuple[Style, ...], Style]) -> list[list[Segment]]:
    """Each cell's line in ``column``: the ``Padding`` left and right of its text, all under the cell's style
    (``render_lines``' ``apply_style``: the cell's style first, the text's own over it; a text without a style
    of its own keeps none when the cell's is null)."""
    width, left, right, cells, styles, column_justify = column
    inner = width - left - right
    before, after = " " * left, " " * right
    own_styles = [style if style else None for style in styles]
    paddings = [(Segment(before, style), Segment(after, style)) for style in styles]
    lines: list[list[Segment]] = []
    append = lines.append
    for cell, kind, row_style in zip(cells, kinds, row_styles):
        if row_style is None:  # the row's style is null: the cell's alone
            style, text_style = styles[kind], own_styles[kind]
            padding_left, padding_right = paddings[kind]
        else:
            style = text_style = styles[kind] + row_style
            padding_left, padding_right = Segment(before, style), Segment(after, style)
        if inner < 1:  # Padding renders no line of text: Table's align_cell pads the cell with a blank one
            append([Segment(" " * width, style)])
            continue
        line = [padding_left] if left else []
        plain, spans, base, justify, size = cell
        justify = justify or column_justify
        if spans or base:
            pieces, trailing = _text_segments(cell, justify, inner, console, cache)
            line += [Segment(text, style + own if text_style else own) for text, own in pieces]
            if trailing:
                line.append(Segment(" " * trailing, style))
        elif justify == "left":
            line.append(Segment(plain + " " * (inner - size), text_style))
        elif justify == "right" or justify == "center":
            stripped = plain.rstrip()
            if len(stripped) < len(plain):
                size = cell_len(stripped)
            shift = inner - size if justify == "right" else (inner - size) // 2
            line.append(Segment(" " * shift + stripped + " " * (inner - size - shift), text_style))
        else:
            line.append(Segment(plain, text_style))
            if size < inner:
                line.append(Segment(" " * (inner - size), style))
        if right:
            line.append(padding_right)
        append(line)
    return lines


def _body(table: Table, console: Console, options: ConsoleOptions, columns: list[_Column], widths: list[int],
          out: list[Segment]) -> None:
    """The edges and rows, as ``Table._render`` yields them."""
    get_style = console.get_style
    border_style = get_style(table.style or "") + get_style(table.border_style or "")
    safe = table.safe_box if table.safe_box is not None else console.safe_box
    box = table.box.substitute(options, safe=safe) if table.box else None
    box = box.get_plain_headed_box() if box and not table.show_header else box
    new_line = Segment.line()
    show_header, show_footer, show_edge, pad_edge = table.show_header, table.show_footer, table.show_edge, table.pad_edge
    edges: list[tuple[Segment, Segment, Segment]] = []
    if box:
        edges = [(Segment(box.head_left, border_style), Segment(box.head_right, border_style),
                  Segment(box.head_vertical, border_style)),
                 (Segment(box.mid_left, border_style), Segment(box.mid_right, border_style),
                  Segment(box.mid_vertical, border_style)),
                 (Segment(box.foot_left, border_style), Segment(box.foot_right, border_style),
                  Segment(box.foot_vertical, border_style))]
        if show_edge:
            out += [Segment(box.get_top(widths), border_style), new_line]
    height = len(columns[0].cells)
    null = Style.null()
    kinds = [1] * height
    row_styles: list[Style | None] = [None] * height  # None: null
    for index in range(show_header, height - show_footer):
        row_styles[index] = get_style(table.get_row_style(console, index - show_header)) or None
    if show_header:
        kinds[0] = 0
    if show_footer:
        kinds[-1] = 2
    # a cell with no room for text has only the blank lines of its padding: when no cell has room, a row has no
    # line of text, and no line at all without top or bottom padding, but the blank one set_shape gives it
    roomy = any(column.width - column.left - column.right >= 1 for column in columns)
    cache: dict[tuple[Style, ...], Style] = {}
    lines = [_lines(column, kinds, row_styles, console, cache) for column in columns]
    # a whitespace divider takes the row's background: of a row without a style, none
    plain_edges = [(left, right, divider if divider.text.strip() else
                    Segment(divider.text, null.background_style + divider.style)) for left, right, divider in edges]
    top, _, bottom, _ = table.padding
    append = out.append
    for index in range(height):
        first, last = index == 0, index == height - 1
        header_row, footer_row = first and show_header, last and show_footer
        row = table.rows[index - show_header] if not header_row and not footer_row else None
        row_style = row_styles[index]
        # the blank lines above and below the text (_get_cells' get_padding)
        above = 0 if first and not pad_edge else top
        below = max(0, top - bottom) if table.collapse_padding and not last else bottom
        below = 0 if last and not pad_edge else below
        row_lines = [[column_lines[index] for column_lines in lines]]  # each line of the row, cell by cell
        if above or below or not roomy:
            blanks = [[Segment(" " * column.width, column.styles[kinds[index]] + (row_style or null))]
                      for column in columns]
            if roomy:
                row_lines = [blanks] * above + row_lines + [blanks] * below
            else:
                row_lines = [blanks] * (above + below) or [[[Segment(" " * column.width)] for column in columns]]
        if box:
            if footer_row:
                out += [Segment(box.get_row(widths, "foot", edge=show_edge), border_style), new_line]
            left, right, divider = plain_edges[0 if first else (2 if last else 1)]
            if row_style is not None and not divider.text.strip():
                divider = Segment(divider.text, row_style.background_style + divider.style)
            for cells in row_lines:
                if show_edge:
                    append(left)
                out += cells[0]
                for cell in cells[1:]:
                    append(divider)
                    out += cell
                if show_edge:
                    append(right)
                append(new_line)
            if header_row:
                out += [Segment(box.get_row(widths, "head", edge=show_edge), border_style), new_line]
            end_section = row is not None and row.end_section
            if (table.show_lines or table.leading or end_section) and not last and not header_row and not (
                    show_footer and index >= height - 2):
                rule = box.get_row(widths, "mid", edge=show_edge) * table.leading if table.leading else \
                    box.get_row(widths, "row", edge=show_edge)
                out += [Segment(rule, border_style), new_line]
        else:
            for cells in row_lines:
                for cell in cells:
                    out += cell
                append(new_line)
    if box and show_edge:
        out += [Segment(box.get_bottom(widths), border_style), new_line]
