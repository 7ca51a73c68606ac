"""The terminal report: rich tables of the layers, the by-kind breakdown (the paper's Table 2) and the
depthwise-separable pairs against standard convolutions, under a header that names what was counted."""

from __future__ import annotations

from fractions import Fraction

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from costcalc.analysis.breakdown import share
from costcalc.analysis.report import Report
from costcalc.render import numbers as fmt
from costcalc.render.sections import body_table, section_table
from costcalc.render.shown_rows import hidden_summary, is_visible
from costcalc.render.sinks.terminal import text as as_text
from costcalc.render.sinks.terminal import shortened, visible
from costcalc.render.report_formats import per_what
from costcalc.render.view import View

BAR_WIDTH = 8
MAX_ROWS = 400  # a longer table is for a file: the text says so, and CSV and JSON list every layer
MAX_PAIRS = 100  # rows of the separable-vs-standard table without --all-layers (a 10,000-layer net has thousands)


def visible_rows(report: Report, all_layers: bool) -> list:  # type: ignore[type-arg]
    return [row for row in report.outline if row.layer is None or all_layers or is_visible(row.layer)]


def header(report: Report) -> Text:
    evaluation = report.evaluation
    spec = evaluation.spec
    line = Text()
    line.append(visible(spec.name), style="bold")
    if spec.description:
        line.append(f" — {visible(spec.description)}")
    if spec.reference:
        line.append(f" ({visible(spec.reference)})", style="dim")
    line.append("\n")
    shape = evaluation.input_shape
    line.append("alpha ", style="dim")
    line.append(fmt.multiplier(evaluation.alpha), style="bold")
    for label, value in fmt.scaling_shown(evaluation):
        line.append(f"   {label} ", style="dim")
        line.append(visible(value), style="bold")
    line.append("   rho ", style="dim")
    line.append(fmt.multiplier(evaluation.rho), style="bold")
    line.append("   resolution ", style="dim")
    line.append(f"{shape.height}×{shape.width}", style="bold")
    line.append("   convention ", style="dim")
    line.append(visible(evaluation.convention.name), style="bold")
    line.append("   unit ", style="dim")
    line.append(evaluation.convention.unit, style="bold")
    line.append("   per ", style="dim")
    line.append(per_what(report), style="bold")
    line.append("\n")
    line.append(visible(evaluation.convention.description), style="dim")
    if report.roofline is not None:
        from costcalc.render.calibrate_formats import latency_label

        line.append("\n")
        line.append(f"latency on {visible(report.roofline.device.name)} ({report.roofline.dtype}): "
                    f"{latency_label(report.roofline.device)}", style="yellow")
    return line


def layers_table(report: Report, all_layers: bool = False, view: View = View()) -> Table:
    """Every column, or those of ``--columns``; on a narrow terminal ``costcalc.render.fit`` hides whole columns
    by its stated priority (Kind and the bar first: the Filter column still says ``dw``) and says which, or, for
    columns the user chose, stacks them. ``--sort`` and ``--top`` choose the rows (``render.layer_rows``)."""
    table = _layers_table(report, all_layers, True, True, view)
    if not view.columns:
        return table
    from costcalc.render.fit import keep_columns, with_columns
    from costcalc.render.layer_rows import COLUMNS

    chosen = [column for key, column in zip(COLUMNS, table.columns) if key in view.columns]
    return keep_columns(with_columns(table, chosen))


def _layers_table(report: Report, all_layers: bool, full: bool, medium: bool, view: View = View()) -> Table:
    evaluation = report.evaluation
    table = body_table(show_footer=True)
    # Numbers never shrink: when the terminal is narrow, names, kinds and the bar give way first.
    total_mult_adds, total_params = fmt.thousands(evaluation.mult_adds), fmt.thousands(evaluation.params)
    if medium:
        table.add_column("#", justify="right", style="dim", no_wrap=True, min_width=len(str(len(evaluation.layers))))
    table.add_column("Layer", footer="Total", footer_style="bold", no_wrap=True)
    if full:
        table.add_column("Kind", no_wrap=True)
    table.add_column("Filter", no_wrap=True)
    table.add_column("Stride", no_wrap=True, min_width=6)
    table.add_column("Input → Output", no_wrap=True)
    table.add_column(evaluation.convention.metric, justify="right", footer=total_mult_adds, footer_style="bold", no_wrap=True,
                     min_width=len(total_mult_adds))
    table.add_column("Params", justify="right", footer=total_params, footer_style="bold", no_wrap=True,
                     min_width=len(total_params))
    if medium:
        table.add_column("Share", footer="100.00%", justify="right", footer_style="bold", no_wrap=True, min_width=7)
    # The bar is scaled to the largest layer, so that the heavy layers stand out.
    if full:
        table.add_column("", style="cyan", no_wrap=True, min_width=BAR_WIDTH)
    times = report.roofline
    if times is not None:  # --device: the roofline estimate of each layer
        total_time = fmt.duration(times.latency_s)
        table.add_column("Time", justify="right", footer=total_time, footer_style="bold", no_wrap=True,
                         min_width=len(total_time))
        table.add_column("Bound", no_wrap=True)
    shown = visible_rows(report, all_layers)
    if view.sort is not None or view.top is not None:
        from costcalc.render.layer_rows import ordered

        shown = ordered([row for row in shown if row.layer is not None], view.sort, view.top)
    shown = shown[:MAX_ROWS]
    largest = max((row.mult_adds for row in shown if not row.expanded), default=0)
    for row in shown:
        part = share(row.mult_adds, evaluation.mult_adds)
        name = Text("  " * row.level + shortened(visible(row.label)))
        if row.layer is None:
            name.stylize("bold")
            cells: list[RenderableType] = ["", name, as_text(row.kind, style="italic"), fmt.plural(row.layers, "layer"), "",
                     f"{fmt.shape_text(row.input_shape)} → {fmt.shape_text(row.output_shape)}",
                     fmt.thousands(row.mult_adds), fmt.thousands(row.params), fmt.percent(part),
                     "" if row.expanded else fmt.bar(share(row.mult_adds, largest), BAR_WIDTH)]
            style = "dim italic" if row.expanded else None
            extra: list[RenderableType] = ["", ""]
        else:
            layer = row.layer
            cells = [str(row.number), name, as_text(layer.kind), as_text(layer.filter), as_text(layer.stride),
                     f"{fmt.shape_text(layer.input_shape)} → {fmt.shape_text(layer.output_shape)}",
                     fmt.thousands(layer.mult_adds), fmt.thousands(layer.params), fmt.percent(part),
                     fmt.bar(share(layer.mult_adds, largest), BAR_WIDTH)]
            style = "dim" if not (layer.mult_adds or layer.params) else None
            timing = times.layers[row.number - 1] if times is not None else None
            extra = [fmt.duration(timing.latency_s), timing.bound] if timing is not None else ["", ""]
        if not full:
            del cells[9], cells[2]
        if not medium:
            del cells[-1], cells[0]
        if times is not None:
            cells += extra
        table.add_row(*cells, style=style)
    return table


def _shares_table(report: Report, title: str, first: str, counts: tuple[str, ...]) -> Table:
    """A titled table of parts of the network: ``first`` (a name), ``counts`` (whole numbers), then Mult-Adds and
    params with their shares of the total, and a bar of the Mult-Adds share."""
    evaluation = report.evaluation
    table = section_table(title)
    metric = evaluation.convention.metric
    widest = {metric: len(fmt.thousands(evaluation.mult_adds)), "Params": len(fmt.thousands(evaluation.params))}
    table.add_column(first, justify="left")
    for name in (*counts, metric, "%", "Params", "% "):
        table.add_column(name, justify="right", no_wrap=True, min_width=widest.get(name))
    table.add_column("", style="cyan", no_wrap=True, min_width=BAR_WIDTH)
    return table


def _share_cells(mult_adds: int, mult_adds_share: Fraction, params: int, params_share: Fraction) -> list[str]:
    return [fmt.thousands(mult_adds), fmt.percent(mult_adds_share), fmt.thousands(params), fmt.percent(params_share),
            fmt.bar(mult_adds_share, BAR_WIDTH)]


def blocks_table(report: Report) -> Table:
    evaluation = report.evaluation
    table = _shares_table(report, "By block (top-level uses of each block)", "Block", ("Uses", "Layers"))
    in_blocks = [0, 0, 0]
    for block in report.blocks:
        table.add_row(as_text(block.block), str(block.uses), str(block.layers),
                      *_share_cells(block.mult_adds, block.mult_adds_share, block.params, block.params_share))
        in_blocks = [in_blocks[0] + block.layers, in_blocks[1] + block.mult_adds, in_blocks[2] + block.params]
    rest = [len(evaluation.layers) - in_blocks[0], evaluation.mult_adds - in_blocks[1],
            evaluation.params - in_blocks[2]]
    if rest[0]:
        table.add_row(Text("(outside blocks)", style="dim"), "", str(rest[0]),
                      *_share_cells(rest[1], share(rest[1], evaluation.mult_adds), rest[2],
                                    share(rest[2], evaluation.params)))
    return table


def kinds_table(report: Report) -> Table:
    table = _shares_table(report, "By kind (the paper's Table 2)", "Kind", ("Layers",))
    for kind in report.kinds:
        table.add_row(as_text(kind.group), str(kind.layers),
                      *_share_cells(kind.mult_adds, kind.mult_adds_share, kind.params, kind.params_share))
    return table


def pairs_table(report: Report, all_layers: bool = False) -> Table:
    """The separable pairs against standard convolutions: the first ``MAX_PAIRS`` of them, or all with
    ``--all-layers`` (``pairs_left_out`` says how many more there are)."""
    table = section_table("Depthwise separable vs standard convolution (ratio = 1/N + 1/D_K², `costcalc formula`)")
    for name in ("Depthwise + pointwise", "D_K", "M", "N", "D_F", report.evaluation.convention.metric, "Standard conv",
                 "Ratio", ""):
        table.add_column(name, justify="left" if name.startswith("Depthwise") or not name else "right")
    for pair in report.pairs if all_layers else report.pairs[:MAX_PAIRS]:
        dw, pw = pair.depthwise, pair.pointwise
        kernel = dw.layer.kernel  # type: ignore[attr-defined]
        d_k = str(kernel[0]) if kernel[0] == kernel[1] else f"{kernel[0]}×{kernel[1]}"
        d_f = fmt.shape_text(pw.output_shape[:2])
        ratio = pair.ratio
        table.add_row(as_text(f"{dw.name} + {pw.name}"), d_k, str(dw.input_shape.channels),
                      str(pw.output_shape.channels), d_f, fmt.thousands(pair.mult_adds),
                      fmt.thousands(pair.standard_mult_adds), f"{ratio.numerator}/{ratio.denominator}",
                      f"= {fmt.rounded(ratio, 4)}")
    return table


def pairs_left_out(report: Report, all_layers: bool) -> list[RenderableType]:
    """The line under a capped pairs table, or nothing."""
    left_out = 0 if all_layers else len(report.pairs) - MAX_PAIRS
    return [Text(f"# {left_out:,} more rows: --all-layers", style="yellow")] if left_out > 0 else []


def twin_line(report: Report) -> Text:
    evaluation, twin = report.evaluation, report.twin
    line = Text()
    line.append("With standard convolutions", style="bold")
    line.append(f" for its {fmt.plural(twin.pairs, 'separable pair')}: ")
    line.append(fmt.thousands(twin.mult_adds), style="bold")
    line.append(f" {evaluation.convention.metric} ({fmt.times(Fraction(twin.mult_adds, evaluation.mult_adds))}), ")
    line.append(fmt.thousands(twin.params), style="bold")
    params_ratio = Fraction(twin.params, evaluation.params) if evaluation.params else Fraction(0)
    line.append(f" params ({fmt.times(params_ratio)}).")
    return line


def symbolic_text(report: Report) -> Text:
    assert report.symbolic is not None
    symbolic, evaluation = report.symbolic, report.evaluation
    line = Text()
    line.append("Closed form", style="bold")
    depth = evaluation.spec.scales_depth
    line.append(" in α, ρ and d (α·n channels, ρ·size pixels, d·n repeats, no rounding)\n" if depth else
                " in α and ρ (α·n channels, ρ·size pixels, no rounding)\n")
    from costcalc.render.sympy_text import unicode

    line.append(f"  {evaluation.convention.metric:<9} = ", style="dim")
    line.append(f"{unicode(symbolic.mult_adds)}\n", style="bold")
    line.append("  params    = ", style="dim")
    line.append(f"{unicode(symbolic.params)}\n", style="bold")
    at = f"α = {fmt.multiplier(evaluation.alpha)}, ρ = {fmt.multiplier(evaluation.rho)}" + (
        f", d = {fmt.multiplier(evaluation.depth_multiplier)}" if depth else "")
    if symbolic.matches(evaluation):
        line.append(f"  At {at} the closed form equals the exact count.")
    else:
        line.append(f"  At {at} the closed form gives {_exact(symbolic.ideal_mult_adds)} {evaluation.convention.metric} and "
                    f"{_exact(symbolic.ideal_params)} params.\n", style="yellow")
        line.append("  The exact count differs: channels are rounded by the spec's width rule" + (
            ", repeats by its depth rule" if depth else "") + " and sizes are whole pixels.", style="yellow")
    return line


def _exact(value: Fraction) -> str:
    if value.denominator == 1:
        return fmt.thousands(value.numerator)
    return f"{value.numerator}/{value.denominator} (≈ {fmt.thousands(round(value))})"


def summary_line(report: Report) -> Text:
    evaluation = report.evaluation
    line = Text()
    line.append("Total: ", style="bold")
    line.append(fmt.thousands(evaluation.mult_adds), style="bold green")
    line.append(f" {evaluation.convention.metric} ({fmt.compact(evaluation.mult_adds)}), ")
    line.append(fmt.thousands(evaluation.params), style="bold green")
    line.append(f" params ({fmt.compact(evaluation.params)})")
    return line


def memory_line(report: Report) -> Text:
    memory = report.memory
    line = Text()
    line.append(f"Memory ({memory.dtype}): ", style="bold")
    line.append(f"weights {fmt.thousands(memory.weight_bytes)} bytes ({fmt.byte_size(memory.weight_bytes)}), "
                f"peak activations {fmt.thousands(memory.peak_activation_bytes)} bytes "
                f"({fmt.byte_size(memory.peak_activation_bytes)})")
    if memory.peak_layer >= 0:
        line.append(f" while {shortened(visible(report.evaluation.layers[memory.peak_layer].name))} runs")
    return line


def latency_line(report: Report) -> Text:
    from costcalc.analysis.roofline import ASSUMPTIONS
    from costcalc.render.calibrate_formats import error_band

    times = report.roofline
    line = Text()
    line.append(f"Latency on {visible(times.device.name)} ({times.dtype}): ", style="bold")
    line.append(fmt.duration(times.latency_s), style="bold green")
    if times.calibration is None:
        line.append(f" — {ASSUMPTIONS}", style="dim")
    else:  # the held-out error is the network's; the layers' times are the model's split of it
        line.append(f" {error_band(times.calibration)}", style="bold")
        overhead = f", {fmt.duration(times.overhead_s)} of it per inference" if times.overhead_s else ""
        line.append(f" — calibrated model{overhead}; the layers' times are its split of the total", style="dim")
    return line


def time_table(report: Report) -> Table:
    """By kind: the share of the time against the share of the Mult-Adds (MobileNet's depthwise layers take
    far more of the time than of the Mult-Adds, because they move more bytes than they compute)."""
    evaluation, times = report.evaluation, report.roofline
    what = "roofline estimate" if times.calibration is None else "calibrated model"
    table = section_table(as_text(f"Time by kind on {times.device.name} ({what})"))
    for name, justify in (("Kind", "left"), ("Layers", "right"), ("Time", "right"), ("% time", "right"),
                          (f"% {evaluation.convention.metric}", "right"), ("Memory-bound", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    groups: dict[str, list] = {}  # type: ignore[type-arg]
    for row, timing in zip(evaluation.layers, times.layers):
        entry = groups.setdefault(row.group, [0, Fraction(0), 0, 0])
        entry[0] += 1
        entry[1] += timing.latency_s
        entry[2] += row.mult_adds
        entry[3] += timing.bound == "memory"
    ordered = sorted(groups.items(), key=lambda item: -item[1][1])
    for group, (layers, latency, mult_adds, memory_bound) in ordered:
        if not latency:
            continue
        table.add_row(as_text(group), str(layers), fmt.duration(latency), fmt.percent(share(latency, times.latency_s)),
                      fmt.percent(share(mult_adds, evaluation.mult_adds)), f"{memory_bound} of {layers}")
    return table


def render(report: Report, view: View = View(), width: int = 132) -> RenderableType:
    """The whole terminal report for a console ``width`` characters wide."""
    all_layers = view.all_layers
    parts: list[RenderableType] = [header(report)]
    if report.outline:
        parts.append(layers_table(report, all_layers, view))
    shown = [row.layer for row in report.outline if row.layer is not None]
    from costcalc.render.layer_rows import selection_note

    candidates = [row for row in visible_rows(report, all_layers) if row.layer is not None]
    selection = selection_note(min(len(candidates), view.top or len(candidates)), len(candidates), view.sort,
                               view.top)
    if selection:
        parts.append(Text(selection, style="dim"))
    hidden = "" if all_layers or not shown else hidden_summary(report.evaluation, shown)
    if hidden:
        parts.append(Text(hidden, style="dim"))
    left_out = len(visible_rows(report, all_layers)) - MAX_ROWS
    if left_out > 0:
        parts.append(Text(f"# {left_out:,} more rows are not shown: --depth 1 folds blocks, and --format csv or "
                          "json lists every layer", style="yellow"))
    parts.append(summary_line(report))
    parts.append(memory_line(report))
    from costcalc.render.report_formats import params_split_line

    parts.append(Text(params_split_line(report)))
    if report.roofline is not None:
        parts.append(latency_line(report))
    if report.kinds:
        parts += [Text(), kinds_table(report)]
    if report.roofline is not None:
        parts += [time_table(report)]
    if report.blocks:
        parts += [blocks_table(report)]
    if report.pairs:
        parts += [pairs_table(report, all_layers), *pairs_left_out(report, all_layers), twin_line(report)]
    if report.symbolic is not None:
        parts += [Text(), symbolic_text(report)]
    from costcalc.render.fit import fit

    return fit(Group(*parts), width)
