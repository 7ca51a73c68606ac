"""GitHub-flavoured Markdown tables, shared by every command's Markdown (cells arrive escaped by
costcalc.render.sinks.markdown)."""

from __future__ import annotations


def markdown_table(header: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A GFM table; every cell is Markdown already (names escaped with ``sinks.markdown``)."""
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
