"""``check --format pr-comment``: one Markdown comment for a pull request, ready to post (size-limit's comment,
for network cost): each budget's status and what the change did to each network since the base (``--base
REF``) or the baseline, with ▲ for growth and ▼ for a reduction, and the layers that changed.

The first line is an HTML comment, ``<!-- costcalc pr-comment -->``, which a workflow finds to update its
comment instead of adding one. Every name and message from a file goes through the Markdown sink
(``costcalc.render.sinks.markdown``): names in code spans, the rest as text, so no name adds a cell, a link, an
image, a tag or a line.
"""

from __future__ import annotations

from fractions import Fraction

from costcalc import __version__
from costcalc.analysis.check import CheckResult
from costcalc.render import numbers as fmt
from costcalc.render.check_formats import limit_text, metric_name, value_text, verdict
from costcalc.render.sinks import markdown
from costcalc.render.view import View

MARKER = "<!-- costcalc pr-comment -->"
MAX_LAYERS_LISTED = 10  # per check, in the details: the largest changes


def _configuration(result: CheckResult) -> str:
    evaluation = result.evaluation
    depth = "".join(f", {label} {markdown.text(value)}" for label, value in fmt.scaling_shown(evaluation))
    unit = "" if evaluation.convention.unit == "mult-adds" else f", {evaluation.convention.unit}"
    return (f"α {fmt.multiplier(evaluation.alpha)}{depth}, {evaluation.resolution} px, "
            f"{markdown.text(evaluation.convention.name)}{unit}")


def _arrow(delta: int | None) -> str:
    if delta is None:
        return "new"
    return "▲" if delta > 0 else "▼" if delta < 0 else ""


def _change(result: CheckResult) -> str:
    delta = result.delta
    if delta is None:
        return "—"
    if delta == 0:
        return "0"
    sign = "+" if delta > 0 else "-"
    share = f" ({sign}{fmt.percent(Fraction(abs(delta), result.baseline), 2)})" if result.baseline else ""
    return f"{_arrow(delta)} {sign}{fmt.thousands(abs(delta))}{share}"


def _status(result: CheckResult) -> str:
    parts = []
    if result.limit is not None:
        parts.append(markdown.text(limit_text(result)))
    if result.grew_too_much and result.max_increase is not None:
        parts.append(f"grew more than +{fmt.percent(result.max_increase, 2)}")
    elif result.max_increase is not None and result.delta is not None:
        parts.append(f"growth within +{fmt.percent(result.max_increase, 2)}")
    return ("✅ " if result.ok else "❌ ") + ("; ".join(parts) or "ok")


def _base_count(result: CheckResult) -> str:
    """The baseline's count, with its configuration when it is another one (a check of α 1.1 against α 1)."""
    if result.baseline is None:
        return "—"
    used, evaluation = result.baseline_report, result.evaluation
    shown = fmt.thousands(result.baseline)
    if used is not None and (used.alpha, used.resolution, used.depth_multiplier) != (
            evaluation.alpha, evaluation.resolution, evaluation.depth_multiplier):
        depth = f", d {fmt.multiplier(used.depth_multiplier)}" if used.depth_multiplier != evaluation.depth_multiplier else ""
        shown += f" (α {fmt.multiplier(used.alpha)}{depth}, {used.resolution} px)"
    return shown


def _base(results: list[CheckResult]) -> str:
    sources = sorted({result.baseline_report.source for result in results
                      if result.baseline_report is not None and result.baseline_report.source})
    return ", ".join(markdown.code(source, in_table=False) for source in sources) or "the baseline"


def to_pr_comment(results: list[CheckResult], view: View = View()) -> str:
    """The comment: a heading with the verdict, a table of every check, the layers that changed, the messages
    of the checks that failed."""
    compared = [result for result in results if result.delta is not None]
    changed = {(result.evaluation.spec.name, result.evaluation.alpha, result.evaluation.resolution,
                result.evaluation.depth_multiplier) for result in compared if result.delta}
    lines = [MARKER, f"### costcalc: {verdict(results)}", ""]
    if compared:
        lines += [f"Compared with {_base(results)}: {fmt.plural(len(changed), 'network configuration')} changed.", ""]
    lines += ["| | Network | Configuration | Metric | Base | This change | Change | Budget | Status |",
              "|:-:|:--|:--|:--|--:|--:|--:|--:|:--|"]
    for result in results:
        lines.append("| " + " | ".join([
            _arrow(result.delta) if result.delta is not None else "", markdown.code(result.evaluation.spec.name),
            _configuration(result), markdown.text(metric_name(result)),
            _base_count(result),
            value_text(result, result.value), _change(result),
            value_text(result, result.limit) if result.limit is not None else "—", _status(result)]) + " |")
    grown = [result for result in results if result.layer_changes and result.delta]
    if grown:
        lines += ["", "<details><summary>Layers that changed</summary>", ""]
        for result in grown:
            shown = result.layer_changes[:MAX_LAYERS_LISTED]
            more = len(result.layer_changes) - len(shown)
            lines += [f"{markdown.code(result.evaluation.spec.name, in_table=False)} "
                      f"({_configuration(result)}), {markdown.text(metric_name(result))}: " + ", ".join(
                          f"{markdown.code(change.name, in_table=False)} {_arrow(change.delta)} "
                          f"{'+' if change.delta > 0 else '-'}{fmt.thousands(abs(change.delta))}"
                          for change in shown) + (f", and {more} more" if more > 0 else ""), ""]
        lines.append("</details>")
    messages = sorted({result.check.message for result in results if not result.ok and result.check.message})
    if messages:
        lines += [""] + [f"> {markdown.text(message)}" for message in messages]
    lines += ["", f"_costcalc {__version__}: exact counts from the specs, per image._"]
    return "\n".join(lines) + "\n"
