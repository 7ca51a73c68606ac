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
        "unit": convention.unit,
        "counted": counted(convention),
        "totals": {"mult_adds": evaluation.mult_adds, "params": evaluation.params,
                   "weight_bytes": report.memory.weight_bytes,
                   "peak_activation_bytes": report.memory.peak_activation_bytes},
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


COLUMNS = ("name", "kind", "group", "filter", "stride", "input_shape", "output_shape", "mult_adds", "params", "path")


def to_csv(report: Report, view: View = View()) -> str:
    import csv  # each format imports what only it needs: `report --format json` starts fast
    import io

    from costcalc.render.sinks.spreadsheet import cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.evaluation.layers:
        writer.writerow([cell(value) for value in (
            row.name, row.kind, row.group, ascii_times(row.filter), ascii_times(row.stride),
            fmt.shape_text(row.input_shape, "x"), fmt.shape_text(row.output_shape, "x"), row.mult_adds, row.params,
            "/".join(row.path))])
    return out.getvalue()


def to_markdown(report: Report, view: View = View()) -> str:
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
                 f"resolution **{shape.height}×{shape.width}**, unit **{evaluation.convention.unit}**, convention "
                 f"**{text(evaluation.convention.name)}**: {text(evaluation.convention.description)}.")
    metric = evaluation.convention.metric
    lines.append("")
    rows = []
    for index, row in enumerate(evaluation.layers, 1):
        if all_layers or is_visible(row):
            rows.append([str(index), code(row.name), text(row.kind), text(row.filter), text(row.stride),
                         f"{fmt.shape_text(row.input_shape)} → {fmt.shape_text(row.output_shape)}",
                         fmt.thousands(row.mult_adds), fmt.thousands(row.params),
                         fmt.percent(share(row.mult_adds, evaluation.mult_adds))])
    rows.append(["", "**Total**", "", "", "", "", f"**{fmt.thousands(evaluation.mult_adds)}**",
                 f"**{fmt.thousands(evaluation.params)}**", "**100.00%**"])
    lines += markdown_table(["#", "Layer", "Kind", "Filter", "Stride", "Input → Output", metric, "Params", "Share"],
                    "rlllllrrr", rows)
    hidden = "" if all_layers else hidden_summary(evaluation)
    if hidden:
        lines += ["", f"_{hidden}._"]
    if report.kinds:
        lines += ["", "**By kind** (the paper's Table 2)", ""]
        lines += markdown_table(["Kind", "Layers", metric, "%", "Params", "%"], "lrrrrr", [
            [text(kind.group), str(kind.layers), fmt.thousands(kind.mult_adds), fmt.percent(kind.mult_adds_share),
             fmt.thousands(kind.params), fmt.percent(kind.params_share)] for kind in report.kinds])
    if report.pairs:
        twin = report.twin
        lines += ["", f"With standard convolutions instead of its {fmt.plural(twin.pairs, 'depthwise-separable pair')}: "
                      f"**{fmt.thousands(twin.mult_adds)}** {metric} "
                      f"({fmt.times(Fraction(twin.mult_adds, evaluation.mult_adds))}), "
                      f"**{fmt.thousands(twin.params)}** params "
                      f"({fmt.times(Fraction(twin.params, evaluation.params) if evaluation.params else Fraction(0))})."]
    return "\n".join(lines) + "\n"
