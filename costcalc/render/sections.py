"""The look of costcalc's rich tables, once: a titled section (by kind, by block, the separable pairs, a
comparison's parts) and the plain body of a report's layer table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from costcalc.render import table_lines

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


class CostTable(Table):
    """A rich ``Table`` that, when it fits, prints its lines itself (``costcalc.render.table_lines``: the
    segments rich would emit, without rich's rendering of each cell, most of a table report's time, issue 17);
    any other table is rich's to render. Every costcalc table is one, and so is a copy of one (``fit``)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = table_lines.render(self, console, options)
        return super().__rich_console__(console, options) if lines is None else lines


def section_table(title: str | Text) -> Table:
    """A table under a bold title on the left, a rule under its header, no outer border."""
    return CostTable(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                     collapse_padding=True, header_style="bold")


def body_table(**options: Any) -> Table:
    """A table without a title, in the same look (``show_footer`` and the like pass through)."""
    return CostTable(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, header_style="bold", **options)


UNLIMITED_CELLS = 1000  # the width a renderable is measured at: as wide as it wants


def natural_width(renderable: RenderableType) -> int:
    """The width, in terminal cells, a renderable takes when nothing limits it (1,000 cells), measured rather
    than rendered: rendering a table only to count its width, then again to print it, was most of a table
    report's time (issue 17). Cells, not characters, so a wide (CJK) or zero-width character counts as the
    terminal shows it. A plain table is measured from its cells' ``cell_len`` (``table_width``); anything
    else is printed and its lines counted, as before. Not rich's ``Measurement.get``: it undercounts a column
    whose cells are all empty (0 where rich prints 1). ``tests/test_natural_width.py`` pins the measure to
    the width of what rich prints."""
    if isinstance(renderable, Table):
        width = table_width(renderable)
        if width is not None:
            return width
    elif isinstance(renderable, Group):
        return max((natural_width(part) for part in renderable.renderables), default=0)
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=UNLIMITED_CELLS, color_system=None, emoji=False)
    with console.capture() as capture:
        console.print(renderable)
    return max((cell_len(line) for line in capture.get().splitlines()), default=0)


def table_width(table: Table) -> int | None:
    """The width rich gives ``table`` when nothing limits it, from its cells' own widths; None for a table this
    does not model (a set width, expand, a fixed-width column, a cell that is not text or holds markup), which
    is then printed to be measured.

    It follows how rich's ``Table._calculate_column_widths`` sizes a table that fits: a column is as wide as its widest
    cell (header and footer included) plus the cell's left and right padding (``Table._get_cells``: collapsed
    padding drops the left of every column but the first, no ``pad_edge`` drops the outer ones), clamped by
    the column's ``min_width``/``max_width``, and at least 1; the table adds its borders (``_extra_width``)."""
    if table.width is not None or table.min_width is not None or table.expand or not table.columns:
        return None
    _, pad_right, _, pad_left = table.padding
    last = len(table.columns) - 1
    total = 0
    for index, column in enumerate(table.columns):
        if column.width is not None:
            return None
        cells: list[object] = [column.header] if table.show_header else []
        cells += column._cells
        if table.show_footer:
            cells.append(column.footer)
        widest = 0
        for cell in cells:
            if isinstance(cell, Text):
                plain = cell.plain
            elif isinstance(cell, str) and "[" not in cell:  # no markup: rich shows it as it is
                plain = cell
            else:
                return None
            # printable ASCII: one line, a cell a character (most cells: measuring them was much of fit's time)
            size = len(plain) if table_lines.printable_ascii(plain) else max(
                (cell_len(line) for line in plain.splitlines()), default=0)
            widest = max(widest, size)
        left, right = pad_left, pad_right
        if table.collapse_padding and index > 0:
            left = max(0, left - right)
        if not table.pad_edge:
            left = 0 if index == 0 else left
            right = 0 if index == last else right
        width = widest + left + right if any(table.padding) else widest
        if column.min_width is not None:
            width = max(width, column.min_width + table._get_padding_width(index))
        if column.max_width is not None:
            width = min(width, column.max_width + table._get_padding_width(index))
        total += width or 1
    total += table._extra_width
    return min(total, UNLIMITED_CELLS)  # wider than that: printed at that width, it takes all of it
