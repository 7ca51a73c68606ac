"""The look of costcalc's rich tables, once: a titled section (by kind, by block, the separable pairs, a
comparison's parts) and the plain body of a report's layer table."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text


def section_table(title: str | Text) -> Table:
    """A table under a bold title on the left, a rule under its header, no outer border."""
    return Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                 collapse_padding=True, header_style="bold")


def body_table(**options: Any) -> Table:
    """A table without a title, in the same look (``show_footer`` and the like pass through)."""
    return Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, header_style="bold", **options)


def natural_width(table: RenderableType) -> int:
    """The width a renderable takes when nothing limits it (rich's own measure undercounts collapsed
    padding)."""
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=1000, color_system=None, emoji=False)
    with console.capture() as capture:
        console.print(table)
    return max((len(line) for line in capture.get().splitlines()), default=0)
