"""``costcalc report`` as JSON (docs/json.md's contract: counts are exact integers, never floats or strings), CSV
(one row per layer, every layer, each cell through ``sinks.spreadsheet``) and Markdown (GitHub-flavoured
tables, for pull-request comments and docs)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from costcalc import __version__
from costcalc.analysis.breakdown import share
from costcalc.analysis.report import Report
from costcalc.layers.base import Tokens
from costcalc.render import numbers as fmt
from costcalc.render.json_fields import ascii_times, counted, exact, multipliers
from costcalc.render.sinks.json_text import dumps
from costcalc.render.view import View


def to_data(report: Report, view: View = View()) -> dict[str, Any]:
    """``view.spec`` is how the user named the spec (a path, or a bundled spec's name); default: its path."""
    evaluation = report.evaluation
    convention = evaluation.convention
    data: dict[str, Any] = {
        "costcalc_version": __version__,
        "spec": view.spec or evaluation.spec.path,
        "name": evaluation.spec.name,
        "description": evaluation.spec.description,
        "reference": evaluation.spec.reference,
        **multipliers(evaluation),
        "convention": convention.name,
        "convention_description": convention.description,
        "unit": convention.unit,
        "counted": counted(convention),
        "batch": report.batch,
        "totals": {"mult_adds": evaluation.mult_adds, "params": evaluation.params,
                   "weight_bytes": report.memory.weight_bytes,
                   "peak_activation_bytes": report.memory.peak_activation_bytes},
        "params_split": {"trainable": report.params_split.trainable,
                         "non_trainable": report.params_split.non_trainable,
                         "buffers": report.params_split.buffers},
        "by_kind": {kind.group: {"layers": kind.layers, "mult_adds": kind.mult_adds, "params": kind.params}
                    for kind in report.kinds},
        "layers": [
            {"name": row.name, "kind": row.kind, "group": row.group, "filter": ascii_times(row.filter),
             "stride": ascii_times(row.stride),
             "input_shape": list(row.input_shape), "output_shape": list(row.output_shape),
             "mult_adds": row.mult_adds, "params": row.params, "path": list(row.path)}
            for row in evaluation.layers
        ],
        "by_block": {block.block: {"uses": block.uses, "layers": block.layers, "mult_adds": block.mult_adds,
                                   "params": block.params}
                     for block in report.blocks},
        "memory": {"dtype": report.memory.dtype, "weight_bytes": report.memory.weight_bytes,
                   "peak_activation_bytes": report.memory.peak_activation_bytes,
                   "peak_layer": evaluation.layers[report.memory.peak_layer].name if evaluation.layers else None},
        "separable_pairs": [
            {"depthwise": pair.depthwise.name, "pointwise": pair.pointwise.name, "mult_adds": pair.mult_adds,
             "standard_mult_adds": pair.standard_mult_adds, "ratio": exact(pair.ratio)}
            for pair in report.pairs
        ],
        "standard_twin": {"mult_adds": report.twin.mult_adds, "params": report.twin.params},
    }
    for row, layer, evaluated in zip(data["layers"], report.memory.layers, evaluation.layers):
        row["activation_bytes"], row["weight_bytes"] = layer.activation_bytes, layer.weight_bytes
        if evaluated.idle:  # a params-only branch's layer (keys only where they apply: docs/json.md)
            row["params_only"] = True
        if isinstance(evaluated.output_shape, Tokens):  # the shape is [T, 1, C] (or a grid's [H, W, C])
            row["output_tokens"] = evaluated.output_shape.height * evaluated.output_shape.width
    if report.blocks:  # what the by-block table's "(outside blocks)" row says (issue 18)
        data["outside_blocks"] = {
            "layers": len(evaluation.layers) - sum(block.layers for block in report.blocks),
            "mult_adds": evaluation.mult_adds - sum(block.mult_adds for block in report.blocks),
            "params": evaluation.params - sum(block.params for block in report.blocks)}
    if report.depth is not None:  # --depth: the rows the table and Markdown show, blocks folded (issue 18)
        data["outline"] = [
            {"name": row.name, "level": row.level, "kind": row.kind, "block": row.layer is None,
             "layers": row.layers, "input_shape": list(row.input_shape), "output_shape": list(row.output_shape),
             "mult_adds": row.mult_adds, "params": row.params}
            for row in report.outline]
    if report.roofline is not None:
        from costcalc.render.calibrate_formats import band_json, latency_label

        roofline = report.roofline
        device = roofline.device
        calibrated = roofline.calibration is not None
        data["device"] = {"name": device.name, "description": device.description,
                          "peak_mult_adds_per_s": None if calibrated else device.peak(roofline.dtype),
                          "bandwidth_bytes_per_s": None if calibrated else device.bandwidth_bytes_per_s,
                          "source": device.source, "assumptions": latency_label(device)}
        data["totals"]["latency_s"] = float(roofline.latency_s)
        data["totals"]["latency_s_exact"] = exact(roofline.latency_s)
        if calibrated:  # docs/calibrate.md: a calibrated latency carries its held-out error
            data["device"]["calibration"] = {"form": roofline.calibration.form,
                                             "digest": roofline.calibration.digest,
                                             "per_inference_s_exact": exact(roofline.overhead_s)}
            data["totals"]["latency_error"] = band_json(roofline.calibration)
        for row, time in zip(data["layers"], roofline.layers):
            row["bytes_moved"] = time.bytes_moved
            row["latency_s"] = float(time.latency_s)
            row["latency_s_exact"] = exact(time.latency_s)
            row["bound"] = time.bound
            row["intensity"] = None if time.intensity is None else float(time.intensity)
    if report.symbolic is not None:
        from costcalc.render import sympy_text as math

        symbolic = report.symbolic
        data["symbolic"] = {
            "mult_adds": math.plain(symbolic.mult_adds),
            "params": math.plain(symbolic.params),
            "at_alpha_rho": {"mult_adds": exact(symbolic.ideal_mult_adds), "params": exact(symbolic.ideal_params)},
            "exact_equals_closed_form": symbolic.matches(evaluation),
        }
    return data


def to_json(report: Report, view: View = View()) -> str:
    return dumps(to_data(report, view))


COLUMNS = ("name", "kind", "group", "filter", "stride", "input_shape", "output_shape", "mult_adds", "params", "path",
           "activation_bytes", "weight_bytes", "alive_bytes", "non_trainable_params", "buffers")
LATENCY_COLUMNS = ("bytes_moved", "latency_s", "latency_s_exact", "bound")


def to_csv(report: Report, view: View = View()) -> str:
    """One row per layer, every layer. The memory columns (``alive_bytes``: all that is alive while the layer
    runs; its largest value is the peak) and, with ``--device``, the roofline's, so that the CSV carries the
    facts the table and JSON do (issue 18): their sums are the totals."""
    import csv  # each format imports what only it needs: `report --format json` starts fast
    import io

    from costcalc.analysis.params_split import layer_split
    from costcalc.render.layer_rows import ordered
    from costcalc.render.sinks.spreadsheet import cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    roofline = report.roofline
    writer.writerow(COLUMNS + (LATENCY_COLUMNS if roofline is not None else ()))
    layers = report.evaluation.layers
    position = {id(row): index for index, row in enumerate(layers)}
    for row in ordered(list(layers), view.sort, view.top):  # --sort, --top (render.layer_rows)
        index = position[id(row)]
        memory = report.memory.layers[index]
        values: list[Any] = [
            row.name, row.kind, row.group, ascii_times(row.filter), ascii_times(row.stride),
            fmt.shape_text(row.input_shape, "x"), fmt.shape_text(row.output_shape, "x"), row.mult_adds, row.params,
            "/".join(row.path), memory.activation_bytes, memory.weight_bytes, memory.alive_bytes,
            *layer_split(row, report.evaluation.convention)]
        if roofline is not None:
            time = roofline.layers[index]
            values += [time.bytes_moved, float(time.latency_s), exact(time.latency_s), time.bound]
        writer.writerow([cell(value) for value in values])
    return out.getvalue()


def to_markdown(report: Report, view: View = View()) -> str:
    from costcalc.render.layer_rows import COLUMNS, ordered, selection_note
    from costcalc.render.markdown_tables import markdown_table
    from costcalc.render.shown_rows import hidden_summary, is_visible
    from costcalc.render.sinks.markdown import code, text

    all_layers = view.all_layers
    evaluation = report.evaluation
    spec = evaluation.spec
    shape = evaluation.input_shape
    lines = [f"### {text(spec.name)}" + (f" — {text(spec.description)}" if spec.description else ""), ""]
    scaling = "".join(f"{label} **{text(value)}**, " for label, value in fmt.scaling_shown(evaluation))
    lines.append(f"alpha **{fmt.multiplier(evaluation.alpha)}**, {scaling}rho **{fmt.multiplier(evaluation.rho)}**, "
                 f"resolution **{shape.height}×{shape.width}**, unit **{evaluation.convention.unit}**, per "
                 f"**{per_what(report)}**, convention "
                 f"**{text(evaluation.convention.name)}**: {text(evaluation.convention.description)}.")
    metric = evaluation.convention.metric
    if report.roofline is not None:
        from costcalc.analysis.roofline import ASSUMPTIONS

        lines.append(f"Latency on **{text(report.roofline.device.name)}** ({report.roofline.dtype}): "
                     f"_{ASSUMPTIONS}_.")
    lines.append("")
    rows = []
    entries = [entry for entry in report.outline if entry.layer is None or all_layers or is_visible(entry.layer)]
    if view.sort is not None or view.top is not None:  # --sort, --top (render.layer_rows)
        entries = ordered([entry for entry in entries if entry.layer is not None], view.sort, view.top)
    for entry in entries:  # the table's rows: every layer, or blocks folded at --depth
        if entry.layer is None:
            rows.append(["", f"{'&nbsp;' * 2 * entry.level}**{text(entry.label)}**", f"_{text(entry.kind)}_",
                         fmt.plural(entry.layers, "layer"), "",
                         f"{fmt.shape_text(entry.input_shape)} → {fmt.shape_text(entry.output_shape)}",
                         fmt.thousands(entry.mult_adds), fmt.thousands(entry.params),
                         fmt.percent(share(entry.mult_adds, evaluation.mult_adds))])
            continue
        row = entry.layer
        name = code(row.name) if report.depth is None else f"{'&nbsp;' * 2 * entry.level}{code(entry.label)}"
        rows.append([str(entry.number), name, text(row.kind), text(row.filter), text(row.stride),
                     f"{fmt.shape_text(row.input_shape)} → {fmt.shape_text(row.output_shape)}",
                     fmt.thousands(row.mult_adds), fmt.thousands(row.params),
                     fmt.percent(share(row.mult_adds, evaluation.mult_adds))])
    rows.append(["", "**Total**", "", "", "", "", f"**{fmt.thousands(evaluation.mult_adds)}**",
                 f"**{fmt.thousands(evaluation.params)}**", "**100.00%**"])
    headers, align = ["#", "Layer", "Kind", "Filter", "Stride", "Input → Output", metric, "Params", "Share"], "rlllllrrr"
    if view.columns:  # --columns: the keys of render.layer_rows.COLUMNS that Markdown has
        keep = [index for index, key in enumerate(COLUMNS[:9]) if key in view.columns]
        headers, align = [headers[index] for index in keep], "".join(align[index] for index in keep)
        rows = [[row[index] for index in keep] for row in rows]
    lines += markdown_table(headers, align, rows)
    note = selection_note(len(entries), len([entry for entry in report.outline if entry.layer is not None and
                                             (all_layers or is_visible(entry.layer))]), view.sort, view.top)
    if note:
        lines += ["", f"_{text(note)}._"]
    hidden = "" if all_layers else hidden_summary(evaluation)
    if hidden:
        lines += ["", f"_{hidden}._"]
    lines += ["", _memory_line(report), "", params_split_line(report) + "."]
    if report.roofline is not None:
        lines.append(f"Latency on {text(report.roofline.device.name)} ({report.roofline.dtype}): "
                     f"**{fmt.duration(report.roofline.latency_s)}** (roofline estimate).")
    if report.kinds:
        lines += ["", "**By kind** (the paper's Table 2)", ""]
        lines += markdown_table(["Kind", "Layers", metric, "%", "Params", "%"], "lrrrrr", [
            [text(kind.group), str(kind.layers), fmt.thousands(kind.mult_adds), fmt.percent(kind.mult_adds_share),
             fmt.thousands(kind.params), fmt.percent(kind.params_share)] for kind in report.kinds])
    if report.blocks:
        lines += ["", "**By block** (top-level uses of each block)", ""]
        lines += markdown_table(["Block", "Uses", "Layers", metric, "%", "Params", "%"], "lrrrrrr", [
            [text(block.block), str(block.uses), str(block.layers), fmt.thousands(block.mult_adds),
             fmt.percent(block.mult_adds_share), fmt.thousands(block.params), fmt.percent(block.params_share)]
            for block in report.blocks])
    if report.pairs:
        twin = report.twin
        lines += ["", f"With standard convolutions instead of its {fmt.plural(twin.pairs, 'depthwise-separable pair')}: "
                      f"**{fmt.thousands(twin.mult_adds)}** {metric} "
                      f"({fmt.times(Fraction(twin.mult_adds, evaluation.mult_adds))}), "
                      f"**{fmt.thousands(twin.params)}** params "
                      f"({fmt.times(Fraction(twin.params, evaluation.params) if evaluation.params else Fraction(0))})."]
    return "\n".join(lines) + "\n"


def _memory_line(report: Report) -> str:
    from costcalc.render.sinks.markdown import code

    memory = report.memory
    line = (f"Memory ({memory.dtype}): weights **{fmt.thousands(memory.weight_bytes)}** bytes "
            f"({fmt.byte_size(memory.weight_bytes)}), peak activations **{fmt.thousands(memory.peak_activation_bytes)}**"
            f" bytes ({fmt.byte_size(memory.peak_activation_bytes)})")
    if memory.peak_layer >= 0:
        line += f" while {code(report.evaluation.layers[memory.peak_layer].name)} runs"
    return line + "."


def params_split_line(report: Report) -> str:
    """``Params: 4,209,088 trainable, 0 non-trainable; buffers 54,... (BatchNorm running statistics)``, as
    torchinfo splits them (costcalc.analysis.params_split); every format prints it."""
    split = report.params_split
    return (f"Params: {fmt.thousands(split.trainable)} trainable, {fmt.thousands(split.non_trainable)} "
            f"non-trainable; buffers {fmt.thousands(split.buffers)} (BatchNorm running statistics, not params)")


def per_what(report: Report) -> str:
    """What the counts and activations are of: ``image`` (a spec's own), or ``batch of 8`` (``--batch 8``)."""
    return "image" if report.batch == 1 else f"batch of {report.batch}"
