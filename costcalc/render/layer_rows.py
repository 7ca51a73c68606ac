"""Which layer rows and columns a report's table, Markdown and CSV show: ``--sort``, ``--top N`` and
``--columns`` (issue 18; torchinfo's ``col_names`` and ``row_settings``, size-limit's habit of the largest
first). JSON always lists every layer in network order: it is the data, the others are views of it.
"""

from __future__ import annotations

from typing import Any

# --columns KEY,...: the layer table's columns, by key, in the order the table shows them. "mult-adds" is headed
# by the convention's metric (Mult-Adds or FLOPs); "bar" is the share drawn as a bar; "time" and "bound" need
# --device.
COLUMNS = ("#", "layer", "kind", "filter", "stride", "shapes", "mult-adds", "params", "share", "bar", "time",
           "bound")
SORTS = ("mult-adds", "params", "name")


def sort_key(sort: str) -> Any:
    if sort == "name":
        return lambda row: row.name
    if sort == "params":
        return lambda row: (-row.params, -row.mult_adds)
    return lambda row: (-row.mult_adds, -row.params)


def ordered(rows: list[Any], sort: str | None, top: int | None) -> list[Any]:
    """``rows`` (layer rows, or the outline's) sorted by ``sort`` (stable: ties keep network order) and cut to
    ``top``; ``--top`` alone sorts by Mult-Adds, the largest first."""
    if top is not None and sort is None:
        sort = "mult-adds"
    if sort is not None:
        rows = sorted(rows, key=sort_key(sort))
    return rows if top is None else rows[:top]


def selection_note(shown: int, total: int, sort: str | None, top: int | None) -> str:
    """``# the 5 largest of 28 layers by Mult-Adds; totals are the whole network's``, or ``""``."""
    if sort is None and top is None:
        return ""
    by = {"mult-adds": "Mult-Adds", "params": "params", "name": "name", None: "Mult-Adds"}[sort]
    which = f"the first {shown} of {total} layers" if top is not None else f"{total} layers"
    return f"# {which} by {by} (--sort, --top); the totals are the whole network's"
