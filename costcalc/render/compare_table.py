"""``costcalc compare`` in the terminal: the networks' totals side by side with their ratios to the first
(the baseline), then their Mult-Adds and params by kind (the paper's Table 2 groups) and by stage (output
map size), each with its difference to the baseline.

The kind and stage tables have one line per network under each row, so that any number of networks fits a
fixed width; numbers never shrink (only names are cut, with an ellipsis, on a narrow console).
"""

from __future__ import annotations

from typing import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from costcalc.analysis.compare import Comparison, Part
from costcalc.render import numbers as fmt
from costcalc.render.compare_formats import (
    common_resolution,
    ratio_text,
    resolution_text,
    signed,
)
from costcalc.render.sections import natural_width, section_table
from costcalc.render.sinks.terminal import text as as_text
from costcalc.render.sinks.terminal import visible
from costcalc.render.view import View


def header(comparison: Comparison) -> Text:
    """What was compared, and at which alpha, rho, resolution and convention (or ``per network``)."""
    evaluations = [entry.evaluation for entry in comparison.entries]
    line = Text()
    line.append("Comparing ", style="bold")
    line.append(str(len(evaluations)), style="bold")
    line.append(" networks with ", style="bold")
    line.append(visible(comparison.names()[0]), style="bold")
    line.append(" (the baseline)\n", style="bold")
    alpha, rho = comparison.common("alpha"), comparison.common("rho")
    shown: list[tuple[str, str | None]] = [("alpha", fmt.multiplier(alpha) if alpha is not None else None)]  # type: ignore[arg-type]
    if any(evaluation.depth_multiplier != 1 or evaluation.spec.scales_depth for evaluation in evaluations):
        depth = comparison.common("depth_multiplier")
        shown.append(("depth", fmt.multiplier(depth) if depth is not None else None))  # type: ignore[arg-type]
    shown += [("rho", fmt.multiplier(rho) if rho is not None else None),  # type: ignore[arg-type]
              ("resolution", common_resolution(comparison))]
    for label, value in shown:
        line.append(f"{label} ", style="dim")
        line.append(value or "per network", style="bold" if value else "yellow")
        line.append("   ")
    convention = evaluations[0].convention
    line.append("convention ", style="dim")
    line.append(visible(convention.name), style="bold")
    line.append("   unit ", style="dim")
    line.append(convention.unit, style="bold")
    line.append("   per ", style="dim")
    line.append("image", style="bold")  # a spec is counted per image (report --batch counts a batch)
    line.append("\n")
    line.append(visible(convention.description), style="dim")
    return line


def _widest(cells: Sequence[str], header: str) -> int:
    return max([len(header), *(len(cell) for cell in cells)])


def totals_table(comparison: Comparison) -> Table:
    """One line per network: Mult-Adds and params, and each as a multiple of the baseline's (``8.56×``); the
    alpha and resolution columns appear only when the networks differ in them."""
    table = section_table("Totals")
    show_alpha = comparison.common("alpha") is None
    show_resolution = common_resolution(comparison) is None
    rows = []
    for index, (name, entry) in enumerate(zip(comparison.names(), comparison.entries), 1):
        evaluation = entry.evaluation
        rows.append([str(index), as_text(name), fmt.multiplier(evaluation.alpha), resolution_text(evaluation),
                     fmt.thousands(entry.mult_adds), ratio_text(entry.mult_adds_ratio),
                     fmt.thousands(entry.params), ratio_text(entry.params_ratio)])
    columns = [("#", "right"), ("Network", "left"), ("alpha", "right"), ("Resolution", "right"),
               (comparison.entries[0].evaluation.convention.metric, "right"), ("× baseline", "right"), ("Params", "right"),
               ("× baseline", "right")]
    keep = [True, True, show_alpha, show_resolution, True, True, True, True]
    for position, (name, justify) in enumerate(columns):
        if not keep[position]:
            continue
        if name == "Network":
            table.add_column(name, no_wrap=True)
        else:
            cells = [str(row[position]) for row in rows]
            table.add_column(name, justify=justify, no_wrap=True, min_width=_widest(cells, name))  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(str(cell) if not isinstance(cell, Text) else cell
                        for position, cell in enumerate(row) if keep[position]))
    return table


def _parts_table(title: str, label: str, rows: list[tuple[str, tuple[Part, ...]]], names: list[str],
                 metric: str = "Mult-Adds") -> Table:
    """A row per kind or stage, a line per network under it: layers, Mult-Adds, params and differences."""
    table = section_table(title)
    cells = []
    for key, parts in rows:
        for index, part in enumerate(parts):
            first = index == 0
            cells.append((key if first else "", names[index], str(part.layers), fmt.thousands(part.mult_adds),
                          "" if first else signed(part.mult_adds_diff), fmt.thousands(part.params),
                          "" if first else signed(part.params_diff), index == len(parts) - 1))
    headers = [label, "Network", "Layers", metric, f"Δ {metric}", "Params", "Δ Params"]
    for position, name in enumerate(headers):
        if position < 2:
            table.add_column(name, no_wrap=True)
        else:
            column = [cell[position] for cell in cells]
            table.add_column(name, justify="right", no_wrap=True, min_width=_widest(column, name))  # type: ignore[arg-type]
    for *row, last in cells:
        key, name, *numbers = row
        table.add_row(as_text(key), as_text(name), *numbers, end_section=bool(last))
    return table


def kinds_table(comparison: Comparison, names: list[str] | None = None) -> Table:
    return _parts_table("By kind (the paper's Table 2 groups)", "Kind",
                        [(row.group, row.parts) for row in comparison.by_kind], names or comparison.names(),
                        comparison.entries[0].evaluation.convention.metric)


def stages_table(comparison: Comparison, names: list[str] | None = None) -> Table:
    return _parts_table("By stage (layers by output map size)", "Stage",
                        [(row.label.replace("x", "×"), row.parts) for row in comparison.by_stage],
                        names or comparison.names(), comparison.entries[0].evaluation.convention.metric)


def summary_lines(comparison: Comparison) -> Text:
    """``mobilenet_v1_conv: 8.56× the Mult-Adds (4,867,293,184 vs 568,740,352) and 6.96× the params ...``"""
    base = comparison.baseline
    names = comparison.names()
    text = Text()
    for index, entry in enumerate(comparison.entries[1:], 1):
        if text:
            text.append("\n")
        text.append(visible(names[index]), style="bold")
        text.append(f": {ratio_text(entry.mult_adds_ratio)} the {entry.evaluation.convention.metric} "
                    f"({fmt.thousands(entry.mult_adds)} vs "
                    f"{fmt.thousands(base.mult_adds)}) and {ratio_text(entry.params_ratio)} the params "
                    f"({fmt.thousands(entry.params)} vs {fmt.thousands(base.params)}) of ")
        text.append(visible(names[0]), style="bold")
        text.append(".")
    return text


def render(comparison: Comparison, view: View = View(), width: int = 132) -> RenderableType:
    """The whole comparison for a console ``width`` characters wide: when the kind and stage tables do not
    fit with the networks' names, they name them by their number in the totals table (``#2``)."""
    tables = [kinds_table(comparison), stages_table(comparison)]
    if max(natural_width(table) for table in tables) > width:
        numbers = [f"#{index}" for index in range(1, len(comparison.entries) + 1)]
        tables = [kinds_table(comparison, numbers), stages_table(comparison, numbers)]
    from costcalc.render.fit import fit

    return fit(Group(header(comparison), Text(), totals_table(comparison), *tables, summary_lines(comparison)), width)
