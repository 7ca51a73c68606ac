"""``costcalc compare`` as JSON, Markdown and CSV. Counts are exact ints; ratios to the baseline are exact
``"p/q"`` strings in JSON and CSV (``null`` / empty when the baseline's count is 0), ``8.56×`` in Markdown."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any, Sequence

from costcalc import __version__
from costcalc.analysis.compare import Comparison, Part, ratio
from costcalc.engine.results import Evaluation
from costcalc.quantities import format_fraction
from costcalc.render import numbers as fmt
from costcalc.render.json_fields import counted, exact, multipliers
from costcalc.render.markdown_tables import markdown_table
from costcalc.render.sinks import markdown
from costcalc.render.sinks.json_text import dumps
from costcalc.render.sinks.spreadsheet import cell
from costcalc.render.view import View


def signed(value: int) -> str:
    """A difference to the baseline: ``+4,855,431,168``, ``-539,492,352``, ``0``."""
    return f"{value:+,}" if value else "0"


def ratio_text(value: Fraction | None) -> str:
    """A multiple of the baseline, ``8.56×``; ``—`` when the baseline's count is 0."""
    return "—" if value is None else fmt.times(value)


def resolution_text(evaluation: Evaluation) -> str:
    shape = evaluation.input_shape
    return f"{shape.height}×{shape.width}"


def common_resolution(comparison: Comparison) -> str | None:
    """``224×224`` when every network has that input size, else ``None``."""
    sizes = {resolution_text(entry.evaluation) for entry in comparison.entries}
    return sizes.pop() if len(sizes) == 1 else None


def _spec_names(comparison: Comparison, specs: Sequence[str] | None) -> list[str]:
    """How the user named each spec (a path or a bundled name); default: the spec's path."""
    if specs is not None and len(specs) != len(comparison.entries):
        raise ValueError(f"{len(specs)} spec names for {len(comparison.entries)} networks")
    return list(specs) if specs is not None else [entry.evaluation.spec.path for entry in comparison.entries]


def _part(part: Part) -> dict[str, Any]:
    return {"layers": part.layers, "mult_adds": part.mult_adds, "params": part.params,
            "diff_to_baseline": {"mult_adds": part.mult_adds_diff, "params": part.params_diff}}


def to_data(comparison: Comparison, view: View = View()) -> dict[str, Any]:
    """Top-level ``alpha``, ``rho`` and ``resolution`` are the networks' common values, ``null`` when they
    differ; each entry of ``specs`` has its own. ``by_kind`` and ``by_stage`` list one part per spec, in the
    order of ``specs``."""
    base = comparison.baseline.evaluation
    alpha, rho, resolution = (comparison.common(name) for name in ("alpha", "rho", "resolution"))
    depth = comparison.common("depth_multiplier")
    return {
        "costcalc_version": __version__,
        "convention": base.convention.name,
        "unit": base.convention.unit,
        "counted": counted(base.convention),
        "alpha": float(alpha) if alpha is not None else None,  # type: ignore[arg-type]
        "alpha_exact": format_fraction(alpha) if alpha is not None else None,  # type: ignore[arg-type]
        "depth_multiplier": float(depth) if depth is not None else None,  # type: ignore[arg-type]
        "depth_multiplier_exact": format_fraction(depth) if depth is not None else None,  # type: ignore[arg-type]
        "rho": float(rho) if rho is not None else None,  # type: ignore[arg-type]
        "rho_exact": format_fraction(rho) if rho is not None else None,  # type: ignore[arg-type]
        "resolution": resolution,
        "baseline": 0,
        "specs": [
            {"spec": spec, "name": entry.evaluation.spec.name, "description": entry.evaluation.spec.description,
             **multipliers(entry.evaluation),
             "totals": {"mult_adds": entry.mult_adds, "params": entry.params},
             "ratio_to_baseline": {"mult_adds": exact(entry.mult_adds_ratio), "params": exact(entry.params_ratio)},
             "diff_to_baseline": {"mult_adds": entry.mult_adds_diff, "params": entry.params_diff}}
            for spec, entry in zip(_spec_names(comparison, view.specs or None), comparison.entries)
        ],
        "by_kind": {row.group: [_part(part) for part in row.parts] for row in comparison.by_kind},
        "by_stage": [{"stage": row.label, "size": list(row.size), "specs": [_part(part) for part in row.parts]}
                     for row in comparison.by_stage],
    }


def to_json(comparison: Comparison, view: View = View()) -> str:
    return dumps(to_data(comparison, view))


CSV_COLUMNS = ("section", "key", "index", "spec", "name", "layers", "mult_adds", "params", "mult_adds_diff",
               "params_diff", "mult_adds_ratio", "params_ratio")


def to_csv(comparison: Comparison, view: View = View()) -> str:
    specs = view.specs or None
    """One row per network and section: ``total`` (key ``total``), then ``kind`` (key ``conv 3x3``, ...), then
    ``stage`` (key ``14x14``, ...). ``index`` is the network's position (0: the baseline); ratios are exact
    ``p/q`` of the row's count to the baseline's same row, empty when that is 0."""
    names = _spec_names(comparison, specs)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def write(section: str, key: str, parts: Sequence[Part]) -> None:
        base = parts[0]
        for index, (part, entry) in enumerate(zip(parts, comparison.entries)):
            writer.writerow([cell(value) for value in (
                section, key, index, names[index], entry.evaluation.spec.name, part.layers, part.mult_adds,
                part.params, part.mult_adds_diff, part.params_diff, exact(ratio(part.mult_adds, base.mult_adds)) or "",
                exact(ratio(part.params, base.params)) or "")])

    write("total", "total", [_total(comparison, index) for index in range(len(comparison.entries))])
    for row in comparison.by_kind:
        write("kind", row.group, row.parts)
    for stage in comparison.by_stage:
        write("stage", stage.label, stage.parts)
    return out.getvalue()


def _total(comparison: Comparison, index: int) -> Part:
    """A network's totals as a ``Part``: its layers with any cost, and its totals."""
    entry = comparison.entries[index]
    layers = sum(1 for row in entry.evaluation.layers if row.mult_adds or row.params)
    return Part(layers, entry.mult_adds, entry.params, entry.mult_adds_diff, entry.params_diff)


def to_markdown(comparison: Comparison, view: View = View()) -> str:
    """GitHub-flavoured tables: totals with ratios, then by kind and by stage with differences."""
    names = comparison.names()
    base = comparison.baseline.evaluation
    alpha, rho, resolution = comparison.common("alpha"), comparison.common("rho"), common_resolution(comparison)
    lines = [f"### Comparing {len(names)} networks with {markdown.text(names[0])} (the baseline)", ""]
    depth_text = ""
    if any(evaluation.depth_multiplier != 1 or evaluation.spec.scales_depth
           for evaluation in (entry.evaluation for entry in comparison.entries)):
        depth = comparison.common("depth_multiplier")
        depth_text = f"depth **{fmt.multiplier(depth) if depth is not None else 'per network'}**, "  # type: ignore[arg-type]
    lines.append(f"alpha **{fmt.multiplier(alpha) if alpha is not None else 'per network'}**, {depth_text}"  # type: ignore[arg-type]
                 f"rho **{fmt.multiplier(rho) if rho is not None else 'per network'}**, "  # type: ignore[arg-type]
                 f"resolution **{resolution if resolution is not None else 'per network'}**, unit "
                 f"**{base.convention.unit}**, per **image**, convention **{markdown.text(base.convention.name)}**: "
                 f"{markdown.text(base.convention.description)}.")
    metric = base.convention.metric
    lines.append("")
    rows = []
    for index, entry in enumerate(comparison.entries):
        evaluation = entry.evaluation
        rows.append([str(index + 1), markdown.code(names[index]), markdown.text(evaluation.spec.description),
                     fmt.multiplier(evaluation.alpha), resolution_text(evaluation),
                     fmt.thousands(entry.mult_adds), ratio_text(entry.mult_adds_ratio),
                     fmt.thousands(entry.params), ratio_text(entry.params_ratio)])
    lines += markdown_table(["#", "Network", "Description", "alpha", "Resolution", metric, "× baseline", "Params",
                     "× baseline"], "rllrrrrrr", rows)
    for title, label, keyed in (
            ("**By kind** (the paper's Table 2 groups)", "Kind",
             [(row.group, row.parts) for row in comparison.by_kind]),
            ("**By stage** (layers by output map size)", "Stage",
             [(row.label.replace("x", "×"), row.parts) for row in comparison.by_stage])):
        rows = []
        for key, parts in keyed:
            for index, part in enumerate(parts):
                first = index == 0
                rows.append([markdown.text(key) if first else "", markdown.code(names[index]), str(part.layers),
                             fmt.thousands(part.mult_adds), "" if first else signed(part.mult_adds_diff),
                             fmt.thousands(part.params), "" if first else signed(part.params_diff)])
        lines += ["", title, ""]
        lines += markdown_table([label, "Network", "Layers", metric, f"Δ {metric}", "Params", "Δ Params"],
                        "llrrrrr", rows)
    return "\n".join(lines) + "\n"
