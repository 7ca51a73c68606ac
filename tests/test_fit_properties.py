"""The invariant of costcalc.render.fit (issue 18, item 1), for any table and any width: no printed line is
wider than the width, and every number of every cell is printed whole (a count is never cut to its first
digits), whether the table fits, loses whole columns or is stacked."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from costcalc.render.fit import fit
from costcalc.render.sections import body_table

HEADERS = ["Layer", "Kind", "Filter", "Mult-Adds", "Params", "Share", "Time"]


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(st.from_regex(r"[a-z_]{1,24}", fullmatch=True),
                               st.integers(0, 10**12), st.integers(0, 10**9)), min_size=1, max_size=6),
       columns=st.integers(3, len(HEADERS)), width=st.integers(40, 140))
def test_a_fitted_table_is_never_wider_and_never_cuts_a_number(rows: list[tuple[str, int, int]], columns: int,
                                                                width: int) -> None:
    table = body_table()
    headers = HEADERS[:columns]
    for header in headers:
        table.add_column(header, justify="left" if header in ("Layer", "Kind", "Filter") else "right", no_wrap=True)
    cells = []
    for name, mult_adds, params in rows:
        row = [name, "conv", "3×3×32", f"{mult_adds:,}", f"{params:,}", "12.50%", "1.234 ms"][:columns]
        cells.append(row)
        table.add_row(*row)
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(fit(table, width))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert all(len(line) <= width for line in text.splitlines())
    printed = set(re.findall(r"\d[\d,]*", text))
    hidden_line = next((line for line in text.splitlines() if line.startswith("Hidden")), "")
    for row in cells:
        for header, cell in zip(headers, row):
            if header in ("Mult-Adds", "Params"):  # the counts are never hidden, only stacked
                assert cell in printed, (cell, width, text)
    assert "…" not in text and ("Hidden" not in text or hidden_line)
