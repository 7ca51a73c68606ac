"""A table's width is measured, not rendered (issue 17, item 1), and the measure is the width rich prints.

``costcalc.render.sections.natural_width`` decides whether a table fits the terminal (``render/fit.py``) and
how wide a file's table is; it used to print the table once to count its width. It now adds up the cells'
own ``cell_len`` (``table_width``), or prints what that does not model. Both must give the width of the
widest line rich prints, in terminal cells (a CJK character is two, a combining mark none).
"""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from costcalc.render.sections import body_table, natural_width, section_table, table_width

# names with characters of every terminal width: ASCII, CJK (two cells), a combining acute (none)
NAMES = st.text(alphabet=st.sampled_from(list("ab_1 ×→") + ["漢", "字", "\u0301", "é"]), min_size=0, max_size=12)


def _printed_width(renderable: object) -> int:
    """The widest line rich prints for ``renderable`` when nothing limits it, in terminal cells."""
    console = Console(file=io.StringIO(), width=1000, color_system=None, emoji=False)
    with console.capture() as capture:
        console.print(renderable)
    return max((cell_len(line) for line in capture.get().splitlines()), default=0)


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.lists(NAMES, min_size=3, max_size=3), min_size=0, max_size=4), titled=st.booleans(),
       footer=st.booleans(), as_text=st.booleans(), title=NAMES)
def test_the_measured_width_is_the_printed_width(rows: list[list[str]], titled: bool, footer: bool,
                                                 as_text: bool, title: str) -> None:
    table = section_table(Text(title)) if titled else body_table(show_footer=footer)
    for header in ("Layer", "漢字", ""):
        table.add_column(header, footer=Text("Total") if footer else "", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(*(Text(cell) if as_text else cell for cell in row))
    assert table_width(table) is not None
    assert natural_width(table) == _printed_width(table)
    group = Group(Text("a note wider than the table, " * 2 + title), table)
    assert natural_width(group) == _printed_width(group)


def test_what_the_cells_do_not_model_is_measured_by_rich() -> None:
    table = body_table()
    table.add_column("Layer")
    table.add_row("[bold]conv[/bold]")  # markup: rich shows "conv"
    assert table_width(table) is None
    assert natural_width(table) == _printed_width(table) == len("Layer") + 2  # and the border's spaces
    fixed = Table(width=50)
    fixed.add_column("x")
    assert table_width(fixed) is None and natural_width(fixed) == 50


def test_a_table_wider_than_the_measure_takes_all_of_it_without_being_printed() -> None:
    """A table whose cells want more than 1,000 cells is 1,000 wide, as rich prints it at that width; measured
    from its cells, not printed (a name of 100,000 words made every measure of it a fold of every cell)."""
    for wide in ("w" * 1500, "in + " * 300, "漢" * 600):
        table = body_table()
        table.add_column("Layer", no_wrap=False, overflow="fold")
        table.add_column("Params", justify="right")
        table.add_row(Text(wide), "1,024")
        assert table_width(table) == 1000
        assert natural_width(table) == _printed_width(table) == 1000
