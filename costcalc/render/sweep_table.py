"""A sweep in the terminal: an alpha x resolution grid of Mult-Adds, shaded like a heat map (green for the
cheapest point, red for the dearest), with the cells over a budget marked."""

from __future__ import annotations

from fractions import Fraction

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from costcalc.analysis.sweep import Sweep
from costcalc.render import numbers as fmt
from costcalc.render.sections import CostTable
from costcalc.render.sinks.terminal import visible
from costcalc.render.view import View

OVER_BUDGET = "✗"


def _shade(value: int, low: int, high: int) -> str:
    """A colour from green (low) through yellow to red (high), on a logarithm-free linear scale."""
    position = Fraction(value - low, high - low) if high > low else Fraction(0)
    red = min(255, int(510 * position))
    green = min(255, int(510 * (1 - position)))
    return f"rgb({red},{green},60)"


def _metric_title(sweep: Sweep) -> str:
    if sweep.metric == "latency":
        from costcalc.render.calibrate_formats import latency_label

        return (f"latency on {visible(sweep.device.name)} ({sweep.dtype}; "  # type: ignore[attr-defined]
                f"{latency_label(sweep.device)})")
    if sweep.metric == "peak-memory":
        return f"peak activation memory ({sweep.dtype})"
    return "params" if sweep.metric == "params" else sweep.convention.metric


def render(sweep: Sweep, view: View = View(), width: int = 132) -> RenderableType:
    spec = sweep.network.spec
    values = [sweep.value(point) for point in sweep.points]
    low, high = min(values), max(values)  # type: ignore[type-var]
    title = Text()
    title.append(visible(spec.name), style="bold")
    shown = _metric_title(sweep)
    title.append(f" — {shown} by width multiplier (rows) and resolution (columns), convention "
                 f"{visible(sweep.convention.name)}, unit {sweep.convention.unit}, per image")
    parts: list[RenderableType] = [title]
    for k, depth in enumerate(sweep.depths):
        if sweep.shows_depth:
            parts.append(Text(f"depth multiplier {fmt.multiplier(depth)}", style="bold"))
        parts.append(_grid(sweep, k, low, high))
    _notes(sweep, parts)
    from costcalc.render.fit import fit

    return fit(Group(*parts), width)


def _grid(sweep: Sweep, k: int, low: object, high: object) -> Table:
    """The alpha x resolution grid at the ``k``-th depth multiplier."""
    vary = sweep.params_vary_with_resolution
    table = CostTable(box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold")
    table.add_column("alpha \\ px", justify="right", style="bold", no_wrap=True)
    for resolution in sweep.resolutions:
        table.add_column(str(resolution), justify="right", no_wrap=True)
    if not vary:
        table.add_column("params", justify="right", no_wrap=True, style="dim")
    for i, alpha in enumerate(sweep.alphas):
        cells: list[Text | str] = [fmt.multiplier(alpha)]
        for j in range(len(sweep.rhos)):
            point = sweep.at(i, j, k)
            value = sweep.value(point)
            label = fmt.metric_value(sweep.metric, value) + (
                f" / {fmt.compact(point.params)}" if vary and sweep.metric != "params" else "")
            if sweep.budget and not sweep.meets(point):
                cells.append(Text(f"{OVER_BUDGET} {label}", style="bold red strike"))
            else:
                cells.append(Text(label, style=_shade(value, low, high)))  # type: ignore[arg-type]
        if not vary:
            cells.append(fmt.compact(sweep.at(i, 0, k).params))
        table.add_row(*cells)
    return table


def _notes(sweep: Sweep, parts: list[RenderableType]) -> None:
    if sweep.budget:
        limits = []
        if sweep.budget.mult_adds is not None:
            limits.append(f"{fmt.thousands(sweep.budget.mult_adds)} {sweep.convention.metric}")
        if sweep.budget.params is not None:
            limits.append(f"{fmt.thousands(sweep.budget.params)} params")
        if sweep.budget.latency_s is not None:
            limits.append(f"{fmt.duration(sweep.budget.latency_s)} latency")
        if sweep.budget.peak_bytes is not None:
            limits.append(f"{fmt.byte_size(sweep.budget.peak_bytes)} peak memory")
        over = sum(not sweep.meets(point) for point in sweep.points)
        parts.append(Text(f"budget: ≤ {' and ≤ '.join(limits)}; {OVER_BUDGET} marks the {over} of "
                          f"{len(sweep.points)} points over it", style="bold"))
    parts.append(Text("Values rounded for display (K = 10³, M = 10⁶, G = 10⁹); --format csv or json gives every "
                      "count exactly.", style="dim"))
