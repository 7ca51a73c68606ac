"""``costcalc explain``: the difference of two conventions' counts, in words and numbers (text, Markdown,
JSON). Each line of the text says what one convention counts and the other does not, over how many
layers, and what that adds. Names from files (the spec's, its layers', a convention file's) go through the
format's sink (``costcalc.render.sinks``)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from costcalc import __version__
from costcalc.analysis.explain import ComponentDiff, Explanation
from costcalc.render import numbers as fmt
from costcalc.render.json_fields import exact_pair
from costcalc.render.markdown_tables import markdown_table
from costcalc.render.sinks import markdown
from costcalc.render.sinks.json_text import dumps
from costcalc.render.sinks.terminal import visible
from costcalc.render.view import View

# component -> (what it is, the unit one of it is counted per)
WORDS = {
    "weight_macs": ("multiply-accumulates of conv and fully connected weights", "multiply-accumulate"),
    "bias_adds": ("bias adds", "biased output element"),
    "bn_elements": ("batch-norm elements", "element"),
    "ln_elements": ("layer-norm elements", "element"),
    "maxpool_in": ("max-pool inputs", "input element"),
    "maxpool_out": ("max-pool outputs", "output element"),
    "avgpool_in": ("average-pool inputs", "input element"),
    "avgpool_out": ("average-pool outputs", "output element"),
    "adaptive_avgpool_in": ("global and adaptive average-pool inputs", "input element"),
    "adaptive_avgpool_out": ("global and adaptive average-pool outputs", "output element"),
    "adaptive_maxpool_in": ("global max-pool inputs", "input element"),
    "adaptive_maxpool_out": ("global max-pool outputs", "output element"),
    "softmax_elements": ("softmax elements", "element"),
    "softmax_rows": ("softmax rows", "row"),
    "merge_adds": ("residual adds", "element"),
    "scale_muls": ("scaling multiplies (squeeze-and-excitation, layer scale)", "element"),
    "weights": ("weights", "weight"),
    "biases": ("biases", "bias"),
    "bn_affine": ("batch-norm gamma and beta", "parameter"),
    "bn_stats": ("batch-norm moving mean and variance", "statistic"),
    "norm_affine": ("layer-norm gamma and beta", "parameter"),
    "layer_scale": ("layer-scale factors", "factor"),
}


def words(component: str) -> tuple[str, str]:
    """What ``explain`` calls a component, and its unit; a qualified one (``act_relu.functional``) is its base's
    words and how it is done: "relu activation elements, called as a torch.nn.functional function"."""
    if component in WORDS:
        return WORDS[component]
    from costcalc.layers.components import COMPONENTS, QUALIFIERS

    if component.startswith("act_") and "." not in component:
        return f"{component[4:]} activation elements", "element"
    if component in COMPONENTS:
        return COMPONENTS[component].words, COMPONENTS[component].unit
    head, _, qualifier = component.rpartition(".")
    if head and qualifier in QUALIFIERS:
        base, unit = words(head)
        return f"{base}, {QUALIFIERS[qualifier][0]}", unit
    return component, "unit"


def _units(unit: str, count: int) -> str:
    if count == 1:
        return unit
    return unit + ("es" if unit.endswith("s") else "s")


def _rate(weight: int, unit: str) -> str:
    return "none" if weight == 0 else f"{weight} per {unit}"


def reason(entry: ComponentDiff, name_a: str, name_b: str, params: bool = False,
           escape: Callable[[str], str] = visible) -> str:
    """``batch-norm elements: fvcore counts 2 per element, paper none; 27 batch_norm layers, 5,042,688
    elements``; ``name_a`` and ``name_b`` already written for the format, the kinds written by ``escape``."""
    what, unit = words(entry.component)
    kinds = escape(", ".join(entry.kinds))
    if params:
        counted = f"{name_a} counts them, {name_b} does not" if entry.weight_a else f"{name_b} counts them, {name_a} does not"
        return (f"{what}: {counted}; {fmt.plural(entry.layers, 'layer')} ({kinds}), "
                f"{fmt.thousands(entry.amount)} {_units(unit, entry.amount)}")
    return (f"{what}: {name_a} counts {_rate(entry.weight_a, unit)}, {name_b} {_rate(entry.weight_b, unit)}; "
            f"{fmt.plural(entry.layers, 'layer')} ({kinds}), {fmt.thousands(entry.amount)} "
            f"{_units(unit, entry.amount)}")


def _signed(value: int) -> str:
    return f"+{fmt.thousands(value)}" if value > 0 else f"−{fmt.thousands(-value)}" if value < 0 else "0"


def _percent(diff: int, base: int) -> str:
    return f" ({'+' if diff >= 0 else '−'}{fmt.percent(Fraction(abs(diff), base))})" if base else ""


def to_text(explanation: Explanation, view: View = View()) -> str:
    layers_shown = view.layers_shown
    a, b = explanation.a, explanation.b
    name_a, name_b = visible(a.convention.name), visible(b.convention.name)
    metric = a.convention.metric
    width = max(len(name_a), len(name_b), len("difference"))
    lines = [f"Why {name_a} and {name_b} count {visible(a.spec.name)} differently (alpha {fmt.multiplier(a.alpha)}, "
             f"{a.resolution} px, unit {a.convention.unit})", ""]
    for evaluation, name in ((a, name_a), (b, name_b)):
        lines.append(f"  {name:<{width}}  {fmt.thousands(evaluation.mult_adds):>16} {metric}  "
                     f"{fmt.thousands(evaluation.params):>12} params   "
                     f"{visible(evaluation.convention.tool or evaluation.convention.description)}")
    lines.append(f"  {'difference':<{width}}  {_signed(explanation.mult_adds_diff):>16} {metric}  "
                 f"{_signed(explanation.params_diff):>12} params   "
                 f"({name_a} minus {name_b}{_percent(explanation.mult_adds_diff, b.mult_adds).replace(' (', ', ').rstrip(')')})")
    if explanation.components:
        lines += ["", f"{metric}, by what is counted:"]
        for entry in explanation.components:
            lines.append(f"  {_signed(entry.diff):>16}  {reason(entry, name_a, name_b)}")
        lines.append(f"  {_signed(explanation.mult_adds_diff):>16}  in all")
        lines += ["", f"{metric}, by layer kind:"]
        for group in explanation.groups:
            lines.append(f"  {_signed(group.diff):>16}  {visible(group.group)} ({fmt.plural(group.layers, 'layer')}: "
                         f"{fmt.thousands(group.a)} against {fmt.thousands(group.b)})")
        shown = explanation.layers[:layers_shown]
        title = "the largest" if len(explanation.layers) > len(shown) else "every"
        lines += ["", f"{metric}, by layer ({title} {len(shown)} of the {len(explanation.layers)} that differ):"]
        for layer in shown:
            lines.append(f"  {_signed(layer.diff):>16}  {visible(layer.name)} ({visible(layer.kind)})")
    else:
        lines += ["", f"Both count the same {metric}."]
    if explanation.params:
        lines += ["", "Params, by what is counted:"]
        for entry in explanation.params:
            lines.append(f"  {_signed(entry.diff):>16}  {reason(entry, name_a, name_b, params=True)}")
    return "\n".join(lines) + "\n"


def _component_data(entry: ComponentDiff) -> dict[str, Any]:
    return {"component": entry.component, "description": words(entry.component)[0], "weight_a": entry.weight_a,
            "weight_b": entry.weight_b, "amount": entry.amount, "layers": entry.layers, "kinds": list(entry.kinds),
            "difference": entry.diff}


def to_data(explanation: Explanation, view: View = View()) -> dict[str, Any]:
    spec = view.spec or explanation.a.spec.path
    a, b = explanation.a, explanation.b
    return {
        "costcalc_version": __version__, "spec": spec, "name": a.spec.name,
        **exact_pair("alpha", a.alpha), "resolution": a.resolution,
        "unit": a.convention.unit,
        "a": {"convention": a.convention.name, "description": a.convention.description, "mult_adds": a.mult_adds,
              "params": a.params},
        "b": {"convention": b.convention.name, "description": b.convention.description, "mult_adds": b.mult_adds,
              "params": b.params},
        "difference": {"mult_adds": explanation.mult_adds_diff, "params": explanation.params_diff},
        "by_component": [_component_data(entry) for entry in explanation.components],
        "params_by_component": [_component_data(entry) for entry in explanation.params],
        "by_kind": [{"group": group.group, "layers": group.layers, "a": group.a, "b": group.b,
                     "difference": group.diff} for group in explanation.groups],
        "by_layer": [{"name": layer.name, "kind": layer.kind, "a": layer.a, "b": layer.b, "difference": layer.diff}
                     for layer in explanation.layers],
    }


def to_json(explanation: Explanation, view: View = View()) -> str:
    return dumps(to_data(explanation, view))


def to_markdown(explanation: Explanation, view: View = View()) -> str:
    a, b = explanation.a, explanation.b
    name_a, name_b = markdown.text(a.convention.name), markdown.text(b.convention.name)
    metric = a.convention.metric
    lines = [f"### Why {name_a} and {name_b} count {markdown.text(a.spec.name)} differently", "",
             f"alpha **{fmt.multiplier(a.alpha)}**, resolution **{a.resolution}**, unit **{a.convention.unit}**", ""]
    lines += markdown_table(["Convention", metric, "Params"], "lrr", [
        [name_a, fmt.thousands(a.mult_adds), fmt.thousands(a.params)],
        [name_b, fmt.thousands(b.mult_adds), fmt.thousands(b.params)],
        ["**difference**", f"**{_signed(explanation.mult_adds_diff)}**", f"**{_signed(explanation.params_diff)}**"]])
    if explanation.components:
        lines += ["", f"**{metric} by what is counted**", ""]
        lines += markdown_table(["Difference", "Why"], "rl", [
            [_signed(entry.diff), reason(entry, name_a, name_b, escape=markdown.text)]
            for entry in explanation.components])
        lines += ["", f"**{metric} by layer kind**", ""]
        lines += markdown_table(["Kind", "Layers", name_a, name_b, "Difference"], "lrrrr", [
            [markdown.text(group.group), str(group.layers), fmt.thousands(group.a), fmt.thousands(group.b),
             _signed(group.diff)]
            for group in explanation.groups])
    if explanation.params:
        lines += ["", "**Params by what is counted**", ""]
        lines += markdown_table(["Difference", "Why"], "rl", [
            [_signed(entry.diff), reason(entry, name_a, name_b, True, markdown.text)]
            for entry in explanation.params])
    return "\n".join(lines) + "\n"
