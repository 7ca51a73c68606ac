"""Markdown: the report as GitHub-flavoured tables, for pull-request comments and docs."""

from __future__ import annotations

from fractions import Fraction

from costcalc.analysis.breakdown import share
from costcalc.analysis.report import Report
from costcalc.render import text as fmt
from costcalc.render.sinks.markdown import code, text
from costcalc.render.visible import hidden_summary, is_visible


def markdown_table(header: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A GFM table; every cell is Markdown already (names escaped with ``sinks.markdown``)."""
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def to_markdown(report: Report, all_layers: bool = False) -> str:
    evaluation = report.evaluation
    spec = evaluation.spec
    shape = evaluation.input_shape
    lines = [f"### {text(spec.name)}" + (f" — {text(spec.description)}" if spec.description else ""), ""]
    lines.append(f"alpha **{fmt.multiplier(evaluation.alpha)}**, rho **{fmt.multiplier(evaluation.rho)}**, "
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
