"""A rich table that does not fit the terminal loses whole columns, never a digit (issue 18).

rich fits a too-wide table to the console by cutting cells (``4,209,088`` printed as ``4,209``), which looks
real. ``fit`` never lets it: below the width a table needs, it hides whole columns in the order of
``HIDE_FIRST`` (the columns that repeat what another one says first), and says in one line which it hid and
what shows them; when the columns that are left still do not fit, it stacks them: the table is printed in
parts, each led by the table's key columns (the layer's or the network's name), so every number is printed
whole, once. A key column's names may wrap onto a second line; a number never does (docs/output.md).
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Column, Table
from rich.text import Text

from costcalc.render.numbers import BAR_BLOCKS
from costcalc.render.sections import natural_width

# Hidden first to last. "bar" is the unnamed column of shares drawn as bars; a column not listed is never
# hidden (the counts, and the names that say what a row is), only stacked.
HIDE_FIRST = ("bar", "Kind", "#", "Share", "% ", "%", "Stride", "Filter", "Bound", "Input → Output", "Uses",
              "× baseline", "Layers", "Memory-bound", "% time")

# Tables whose columns the user chose (report --columns): never hidden, only stacked.
_CHOSEN: "weakref.WeakSet[Table]" = weakref.WeakSet()


def keep_columns(table: Table) -> Table:
    """Mark ``table``'s columns as chosen: ``fit`` stacks them rather than hide one."""
    _CHOSEN.add(table)
    return table


# What shows a hidden column, in the note that names it (a file or a pipe has no width to fit).
SHOW_HINT = "a wider terminal, a pipe or -o FILE shows them"


def column_name(column: Column) -> str:
    """The name a column is hidden by: its header's text, ``bar`` for the unnamed column of bars."""
    header = column.header
    name = header.plain if isinstance(header, Text) else str(header)
    if name:
        return name
    cells = [cell.plain if isinstance(cell, Text) else str(cell) for cell in column._cells]
    return "bar" if all(set(cell) <= set(BAR_BLOCKS) for cell in cells) else "(unnamed)"


def key_count(table: Table) -> int:
    """How many leading columns say what a row is: up to the first that is not ``#`` (the layer, kind or
    network), and the ``Network`` beside a kind or stage; they lead each part of a stacked table."""
    names = [column_name(column) for column in table.columns]
    count = 0
    while count < len(names) - 1 and names[count] == "#":
        count += 1
    count += 1
    if count < len(names) and names[count] == "Network":
        count += 1
    return count


def with_columns(table: Table, columns: Sequence[Column], title: bool = True) -> Table:
    """A copy of ``table`` with only ``columns`` (its own, with their cells), renumbered as rich expects; the
    rows' styles and section ends are kept, and the title too unless ``title`` is False (a stacked part)."""
    chosen = copy.copy(table)
    chosen.columns = []
    for index, column in enumerate(columns):
        kept = copy.copy(column)
        kept._index = index
        chosen.columns.append(kept)
    if not title:
        chosen.title = None
    return chosen


def fit_table(table: Table, width: int, hint: str = SHOW_HINT) -> list[RenderableType]:
    """``table`` as renderables that fit ``width`` characters with every printed number whole."""
    if natural_width(table) <= width:
        return [table]
    columns = list(table.columns)
    hidden: list[str] = []
    keys = key_count(table)
    for name in () if table in _CHOSEN else HIDE_FIRST:
        # a key is never hidden, but for a "#" before the name it numbers
        at = [index for index, column in enumerate(columns) if column_name(column) == name and
              (index >= keys or name == "#" and index + 1 < keys)]
        for index in reversed(at):
            del columns[index]
            if index < keys:
                keys -= 1
        if at:
            hidden.append(name)
            if natural_width(with_columns(table, columns)) <= width:
                break
    parts: list[RenderableType] = []
    fitted = with_columns(table, columns)
    if natural_width(fitted) <= width:
        parts.append(fitted)
    else:
        parts += _stacked(table, columns, max(keys, 1), width)
    if hidden:
        names = list(dict.fromkeys(name.strip() for name in hidden))
        parts.append(Text(f"Hidden to fit {width} columns: {', '.join(names)} ({hint})", style="yellow"))
    return parts


def _stacked(table: Table, columns: list[Column], keys: int, width: int) -> list[RenderableType]:
    """The columns after the keys in groups that fit beside the keys, a part per group."""
    leading = [copy.copy(column) for column in columns[:keys]]
    for column in leading:  # a long name wraps rather than pushing a number off the line
        column.no_wrap = False
        column.overflow = "fold"
    groups: list[list[Column]] = []
    for column in columns[keys:]:
        if groups and natural_width(with_columns(table, [*leading, *groups[-1], column])) <= width:
            groups[-1].append(column)
        else:
            groups.append([column])
    parts: list[RenderableType] = []
    for number, group in enumerate(groups):
        parts.append(with_columns(table, [*leading, *group], title=number == 0))
    parts.append(Text(f"Stacked in {len(groups)} parts to fit {width} columns, each led by "
                      f"{', '.join(column_name(column) for column in leading)}", style="yellow"))
    return parts


def fit(renderable: RenderableType, width: int, hint: str = SHOW_HINT) -> RenderableType:
    """``renderable`` (a table, or a group of texts and tables) with each table fitted to ``width``."""
    if isinstance(renderable, Table):
        parts = fit_table(renderable, width, hint)
        return parts[0] if len(parts) == 1 else Group(*parts)
    if isinstance(renderable, Group):
        fitted: list[RenderableType] = []
        for part in renderable.renderables:
            fitted += fit_table(part, width, hint) if isinstance(part, Table) else [fit(part, width, hint)]
        return Group(*fitted)
    return renderable
