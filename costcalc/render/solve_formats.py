"""``costcalc solve`` answers: the exact answer on the grid next to the ideal closed-form bound."""

from __future__ import annotations

from typing import Any

from costcalc import __version__
from costcalc.analysis.solve import Solution, Solved
from costcalc.analysis.sweep import Budget
from costcalc.quantities import format_fraction
from costcalc.render import numbers as fmt
from costcalc.render.json_fields import exact_pair
from costcalc.render.sinks.json_text import dumps
from costcalc.render.sinks.terminal import visible
from costcalc.render.view import View


def _ideal_text(value: Any, vary: str, height: int) -> str | None:
    """``alpha ≤ 0.7191``, ``depth multiplier ≤ 1.6230`` or ``resolution ≤ 162.56 px (rho ≤ 0.7257)`` from a
    sympy number."""
    if value is None:
        return None
    if vary == "alpha":
        return f"alpha ≤ {float(value):.4f}"
    if vary == "depth":
        return f"depth multiplier ≤ {float(value):.4f}"
    return f"resolution ≤ {float(value) * height:.2f} px (rho ≤ {float(value):.4f})"


def _budget_text(budget: Budget, metric: str = "Mult-Adds") -> str:
    parts = []
    if budget.mult_adds is not None:
        parts.append(f"{metric} ≤ {fmt.thousands(budget.mult_adds)}")
    if budget.params is not None:
        parts.append(f"params ≤ {fmt.thousands(budget.params)}")
    if budget.latency_s is not None:
        parts.append(f"latency ≤ {fmt.duration(budget.latency_s)}")
    if budget.peak_bytes is not None:
        parts.append(f"peak memory ≤ {fmt.byte_size(budget.peak_bytes)}")
    return " and ".join(parts)


def _resources_text(solution: Solution, device: Any = None) -> str:
    resources = solution.resources
    if resources is None:
        return ""
    text = f", peak memory {fmt.byte_size(resources.peak_bytes)}"
    if resources.latency_s is not None:
        if getattr(device, "calibration", None) is not None:
            from costcalc.render.calibrate_formats import with_band

            text += f", latency {with_band(fmt.duration(resources.latency_s), device)} (calibrated model)"
        else:
            text += f", latency {fmt.duration(resources.latency_s)} (roofline estimate)"
    return text


_WHAT = {"both": "(alpha, resolution) pairs", "all": "(alpha, depth multiplier, resolution) points",
         "depth": "depth multiplier"}


def _depth_text(solved: Solved, solution: Solution) -> str:
    """``, depth multiplier 1.8`` when the spec scales depth or the multiplier is not 1; else nothing."""
    if solution.depth_multiplier == 1 and not solved.network.spec.scales_depth:
        return ""
    return f", depth multiplier {fmt.multiplier(solution.depth_multiplier)}"


def to_text(solved: Solved, view: View = View()) -> str:
    solutions, vary, budget, height, step = solved.solutions, solved.vary, solved.budget, solved.height, solved.step_text
    spec_name, metric = solved.network.spec.name, solved.convention.metric
    lines = [f"{visible(spec_name)}: the largest {_WHAT.get(vary, vary)} with {_budget_text(budget, metric)}", ""]
    if vary in ("both", "all"):
        depth_column = f"{'depth':>6}  " if vary == "all" else ""
        lines.append(f"{'alpha':>8}  {depth_column}{'resolution':>10}  {metric:>15}  {'params':>12}  "
                     "closed form (no rounding)")
        for solution in solutions:
            ideal = _ideal_text(solution.ideal, "alpha", height) or ""
            depth = f"{fmt.multiplier(solution.depth_multiplier):>6}  " if vary == "all" else ""
            lines.append(f"{fmt.multiplier(solution.alpha):>8}  {depth}{solution.resolution:>10}  "
                         f"{fmt.thousands(solution.mult_adds):>15}  {fmt.thousands(solution.params):>12}  {ideal}")
        lines.append("")
        lines.append(f"Pareto frontier on an alpha grid of step {step}: no other point is both wider and larger."
                     if vary == "both" else f"Pareto frontier on an alpha grid of step {step}: no other point is as "
                     "wide, as deep and as large, and more of one.")
        if any(solution.limited_by_search for solution in solutions):
            lines.append("At some resolutions the budget still held at the end of the search (alpha = 10): "
                         "the width is not what limits it there.")
        return "\n".join(lines) + "\n"
    solution = solutions[0]
    answer = (fmt.multiplier(solution.alpha) if vary == "alpha" else fmt.multiplier(solution.depth_multiplier)
              if vary == "depth" else f"{solution.resolution} px")
    name = "depth multiplier" if vary == "depth" else vary
    lines.append(f"exact (step {step}, the spec's rounding):  {name} = {answer}")
    lines.append(f"    at alpha {fmt.multiplier(solution.alpha)}{_depth_text(solved, solution)}, resolution "
                 f"{solution.resolution}: {fmt.thousands(solution.mult_adds)} {metric}, "
                 f"{fmt.thousands(solution.params)} params{_resources_text(solution, solved.device)}")
    if solution.limited_by_search:
        lines.append(f"    (the budget still holds at the end of the search: {vary} is not what limits it)")
    bound = _ideal_text(solution.ideal, vary, height)
    if bound:
        lines.append(f"ideal (closed form, no rounding):        {bound}")
    return "\n".join(lines) + "\n"


def _point(solution: Solution, vary: str, height: int) -> dict[str, Any]:
    ideal = None
    if solution.ideal is not None:
        ideal = {{"alpha": "alpha", "depth": "depth_multiplier"}.get(vary, "rho"): str(solution.ideal),
                 "value": float(solution.ideal)}
        if vary == "resolution":
            ideal["resolution"] = float(solution.ideal) * height
    totals: dict[str, Any] = {"mult_adds": solution.mult_adds, "params": solution.params}
    if solution.resources is not None:
        totals["peak_activation_bytes"] = solution.resources.peak_bytes
        if solution.resources.latency_s is not None:
            totals["latency_s"] = float(solution.resources.latency_s)
            totals["latency_s_exact"] = format_fraction(solution.resources.latency_s)
    return {**exact_pair("alpha", solution.alpha), "resolution": solution.resolution, **exact_pair("rho", solution.rho),
            **exact_pair("depth_multiplier", solution.depth_multiplier),
            "totals": totals, "limited_by_search": solution.limited_by_search, "closed_form": ideal}


def to_json(solved: Solved, view: View = View()) -> str:
    solutions, vary, budget, height = solved.solutions, solved.vary, solved.budget, solved.height
    spec, name = view.spec or solved.network.spec.path, solved.network.spec.name
    convention, unit = solved.convention.name, solved.convention.unit
    points = [_point(solution, "alpha" if vary in ("both", "all") else vary, height) for solution in solutions]
    data: dict[str, Any] = {"costcalc_version": __version__, "spec": spec, "name": name, "convention": convention,
                            "unit": unit, "width_rule": solved.network.spec.width.name,
                            "vary": vary,
                            "budget": {"mult_adds": budget.mult_adds, "params": budget.params,
                                       **({"latency_s": float(budget.latency_s)} if budget.latency_s is not None else {}),
                                       **({"peak_activation_bytes": budget.peak_bytes}
                                          if budget.peak_bytes is not None else {})}}
    if getattr(solved.device, "calibration", None) is not None and budget.latency_s is not None:
        from costcalc.render.calibrate_formats import band_json

        data["latency_error"] = band_json(solved.device.calibration)
    if vary in ("both", "all"):
        data["points"] = points
    else:
        data.update(points[0])
    return dumps(data)
