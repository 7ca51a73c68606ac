"""Budget check results as text (a line per check and a verdict), JSON, Markdown (one pull-request
comment) and GitHub workflow commands (``::error file=…,line=…::…`` annotations). Names and messages from
the spec and the budgets file go through the sink of each format (``costcalc.render.sinks``)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from costcalc import __version__
from costcalc.analysis.check import CheckResult
from costcalc.quantities import format_fraction
from costcalc.render import numbers as fmt
from costcalc.render.json_fields import exact_pair
from costcalc.render.sinks import github, markdown
from costcalc.render.sinks.json_text import dumps
from costcalc.render.sinks.terminal import visible
from costcalc.render.view import View

METRIC_NAMES = {"mult_adds": "Mult-Adds", "params": "params", "latency": "latency", "peak_memory": "peak memory"}


def _json_value(value: object) -> object:
    """Counts stay ints; a latency (an exact fraction of a second) is a float in seconds."""
    return float(value) if isinstance(value, Fraction) else value


def value_text(result: CheckResult, value: object, band: bool = False) -> str:
    """A value of the result's metric, as people write it: 12.35 ms, 4.8 MB (4,816,896 bytes), 568,740,352;
    ``band``: a latency a calibrated device predicted, with its held-out error (docs/calibrate.md)."""
    if result.metric == "latency":
        from costcalc.render.calibrate_formats import with_band

        return with_band(fmt.duration(value), result.device if band else None)  # type: ignore[arg-type]
    if result.metric == "peak_memory":
        return f"{fmt.byte_size(value)} ({fmt.thousands(value)} bytes)"  # type: ignore[arg-type]
    return fmt.thousands(value)  # type: ignore[arg-type]


def metric_name(result: CheckResult) -> str:
    """``Mult-Adds`` (or ``FLOPs`` under --unit flops) or ``params``."""
    return result.evaluation.convention.metric if result.metric == "mult_adds" else METRIC_NAMES[result.metric]
MAX_LAYERS_SHOWN = 5


def _spaced(value: int) -> str:
    """``68.7 M``: compact, with a space, for sentences."""
    compact = fmt.compact(abs(value))
    return f"{compact[:-1]} {compact[-1]}" if compact[-1:].isalpha() else compact


def where(result: CheckResult, escape: Callable[[str], str] = visible) -> str:
    """``tiny_net (alpha 1, 32 px, paper)``, the names written by ``escape`` (the format's sink)."""
    evaluation = result.evaluation
    unit = "" if evaluation.convention.unit == "mult-adds" else f", {evaluation.convention.unit}"
    depth = "".join(f", {label} {escape(value)}" for label, value in fmt.scaling_shown(evaluation))
    return (f"{escape(evaluation.spec.name)} (alpha {fmt.multiplier(evaluation.alpha)}{depth}, {evaluation.resolution} "
            f"px, {escape(evaluation.convention.name)}{unit})")


def limit_text(result: CheckResult) -> str:
    """``over by 68.7 M (13.7%)`` or ``headroom 31.3 M (5.2%)``, against the absolute limit."""
    if result.limit is None:
        return "no limit"
    gap: int | Fraction = result.value - result.limit
    share = fmt.percent(Fraction(gap if gap >= 0 else -gap) / result.limit, 1) if result.limit else "∞%"
    if share == "0.0%" and gap:
        share = "<0.1%"
    if gap > 0:
        return f"over by {_gap_text(result, gap)} ({share})"
    return f"headroom {_gap_text(result, -gap)} ({share})"


def _gap_text(result: CheckResult, gap: object) -> str:
    if result.metric == "latency":
        return fmt.duration(gap)  # type: ignore[arg-type]
    if result.metric == "peak_memory":
        return fmt.byte_size(gap)  # type: ignore[arg-type]
    return _spaced(gap)  # type: ignore[arg-type]


def growth_text(result: CheckResult) -> str:
    """``+1.2 M (+0.21%) since the baseline, allowed +1%``."""
    delta = result.delta
    if delta is None:
        return "no baseline for this network: growth not checked" if result.max_increase is not None else ""
    sign = "+" if delta >= 0 else "-"
    share = f"{sign}{fmt.percent(Fraction(abs(delta), result.baseline), 2)}" if result.baseline else "new"
    text = f"{sign}{fmt.thousands(abs(delta))} ({share}) since the baseline"
    used, evaluation = result.baseline_report, result.evaluation
    if used is not None and (used.alpha, used.resolution, used.depth_multiplier) != (
            evaluation.alpha, evaluation.resolution, evaluation.depth_multiplier):
        depth = f", depth {fmt.multiplier(used.depth_multiplier)}" if used.depth_multiplier != evaluation.depth_multiplier else ""
        text += f" (its alpha {fmt.multiplier(used.alpha)}{depth}, {used.resolution} px)"
    if result.max_increase is not None:
        text += f", allowed +{fmt.percent(result.max_increase, 2)}"
        if result.min_delta:
            text += f" (changes under {fmt.thousands(result.min_delta)} ignored)"
    return text


def failure_text(result: CheckResult) -> str:
    """One sentence for an annotation: what is wrong, with the numbers."""
    metric = metric_name(result)
    parts = []
    if result.over_limit:
        parts.append(f"{metric} {value_text(result, result.value, True)} exceeds the budget {value_text(result, result.limit or 0)}: "
                     f"{limit_text(result)}")
    if result.grew_too_much:
        parts.append(f"{metric} grew {growth_text(result)}")
    text = f"{where(result)}: " + "; ".join(parts)
    if result.check.message:
        text += f" — {result.check.message}"
    return text


def _signed_count(delta: int) -> str:
    """``+65,856``, ``-1,024``: a layer's change since the baseline."""
    return f"{'+' if delta > 0 else '-'}{fmt.thousands(abs(delta))}"


def verdict(results: list[CheckResult]) -> str:
    failed = [result for result in results if not result.ok]
    if not results:
        return "no checks ran"
    if not failed:
        return "✓ the check passes" if len(results) == 1 else f"✓ all {len(results)} checks pass"
    return f"✗ {len(failed)} of {fmt.plural(len(results), 'check')} failed"


def to_text(results: list[CheckResult], view: View = View()) -> str:
    rows = []
    for result in results:
        status = "ok" if result.ok else "FAIL"
        limit = f"limit {value_text(result, result.limit)}" if result.limit is not None else "no limit"
        rows.append((where(result), metric_name(result), value_text(result, result.value, True), limit,
                     limit_text(result) if result.limit is not None else "", growth_text(result), status))
    widths = [max(len(row[column]) for row in rows) for column in range(5)] if rows else []
    lines = []
    for row, result in zip(rows, results):
        line = (f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}  "
                f"{row[4]:<{widths[4]}}  {row[6]}")
        if row[5]:
            line += f"\n    {row[5]}"
        if not result.ok and result.check.message:
            line += f"\n    {visible(result.check.message)}"
        changes = [change for change in result.layer_changes][:MAX_LAYERS_SHOWN]
        if changes and result.delta:
            shown = ", ".join(f"{visible(change.name)} {_signed_count(change.delta)}" for change in changes)
            more = len(result.layer_changes) - len(changes)
            line += f"\n    changed layers: {shown}" + (f" (and {more} more)" if more > 0 else "")
        lines.append(line)
    lines.append(verdict(results))
    return "\n".join(lines) + "\n"


def to_data(results: list[CheckResult], view: View = View()) -> dict[str, Any]:
    checks = []
    for result in results:
        evaluation = result.evaluation
        checks.append({
            "spec": result.check.label, "name": evaluation.spec.name,
            **exact_pair("alpha", evaluation.alpha), **exact_pair("depth_multiplier", evaluation.depth_multiplier),
            "width_rule": evaluation.spec.width.name,
            "resolution": evaluation.resolution, "convention": evaluation.convention.name,
            "unit": evaluation.convention.unit,
            "metric": result.metric, "value": _json_value(result.value), "limit": _json_value(result.limit),
            "baseline": result.baseline, "delta": result.delta,
            "max_increase": None if result.max_increase is None else format_fraction(result.max_increase),
            "min_delta": result.min_delta,
            "over_limit": result.over_limit, "grew_too_much": result.grew_too_much, "ok": result.ok,
            "message": result.check.message,
            "layers_changed": [{"name": change.name, "baseline": change.baseline, "value": change.value,
                                "delta": change.delta} for change in result.layer_changes],
        })
        if result.metric == "latency" and getattr(result.device, "calibration", None) is not None:
            from costcalc.render.calibrate_formats import band_json

            checks[-1]["latency_error"] = band_json(result.device.calibration)
    return {"costcalc_version": __version__, "ok": all(result.ok for result in results), "checks": checks}


def to_json(results: list[CheckResult], view: View = View()) -> str:
    return dumps(to_data(results))


def to_markdown(results: list[CheckResult], view: View = View()) -> str:
    """A table for one pull-request comment, with the diff against the baseline and what grew."""
    has_baseline = any(result.baseline is not None for result in results)
    header = ["", "Network", "α", "Resolution", "Metric", "Value", "Budget", "Headroom"]
    if has_baseline:
        header += ["Baseline", "Δ"]
    lines = [f"### costcalc budget check: {verdict(results)}", "",
             "| " + " | ".join(header) + " |", "|" + "|".join([":-:", ":--", "--:", "--:", ":--", "--:", "--:", ":--"]
                                                            + ([ "--:", "--:"] if has_baseline else [])) + "|"]
    for result in results:
        evaluation = result.evaluation
        row = ["✅" if result.ok else "❌", markdown.code(evaluation.spec.name), fmt.multiplier(evaluation.alpha),
               str(evaluation.resolution), metric_name(result), value_text(result, result.value, True),
               value_text(result, result.limit) if result.limit is not None else "—",
               limit_text(result) if result.limit is not None else "—"]
        if has_baseline:
            delta = result.delta
            row += [fmt.thousands(result.baseline) if result.baseline is not None else "—",
                    "—" if delta is None else (f"{'+' if delta >= 0 else '-'}{fmt.thousands(abs(delta))}"
                                              + (f" ({'+' if delta >= 0 else '-'}"
                                                 f"{fmt.percent(Fraction(abs(delta), result.baseline), 2)})"
                                                 if result.baseline else ""))]
        lines.append("| " + " | ".join(row) + " |")
    grown = [result for result in results if result.layer_changes and result.delta]
    if grown:
        lines += ["", "<details><summary>Layers that changed since the baseline</summary>", ""]
        for result in grown:
            lines.append(f"**{where(result, markdown.text)}, {metric_name(result)}**: " + ", ".join(
                f"{markdown.code(change.name, in_table=False)} {_signed_count(change.delta)}"
                for change in result.layer_changes[:10]))
            lines.append("")
        lines.append("</details>")
    failed_messages = sorted({result.check.message for result in results if not result.ok and result.check.message})
    if failed_messages:
        lines += [""] + [f"> {markdown.text(message)}" for message in failed_messages]
    return "\n".join(lines) + "\n"


def _repository_path(path: str) -> str:
    """GitHub attaches annotations to paths relative to the repository (the job's working folder)."""
    import os

    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def to_github(results: list[CheckResult], view: View = View()) -> str:
    """One ``::error`` per failure, at the line of the budget that failed, then the text report; no other
    line is a workflow command, whatever the names and messages hold."""
    lines = []
    for result in results:
        if result.ok:
            continue
        key = result.metric if result.over_limit else "increase"
        location = result.check.limit_at.get(key, result.check.location)
        properties = {"file": _repository_path(location.path)}
        if location.line:
            properties.update(line=str(location.line), col=str(location.column))
        properties["title"] = f"costcalc: {result.evaluation.spec.name} {metric_name(result)}"
        lines.append(github.command("error", properties, failure_text(result)))
    # the runner reads every line for commands: the report's lines, names and messages in them, are made
    # lines it cannot read as one (costcalc.render.sinks.github, rule 3)
    return "\n".join(lines) + ("\n" if lines else "") + github.plain_text(to_text(results))


def to_pr_comment(results: list[CheckResult], view: View = View()) -> str:
    """``--format pr-comment``: one Markdown comment for a pull request (costcalc.render.check_comment)."""
    from costcalc.render.check_comment import to_pr_comment as comment

    return comment(results, view)
