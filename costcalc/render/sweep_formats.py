"""A sweep as JSON, CSV and Markdown. Counts are exact ints; alpha, the depth multiplier and rho are exact decimals
or fractions (``0.75``, ``6/7``) in CSV and Markdown, and numbers plus exact strings in JSON, as in the report. CSV
has a depth_multiplier column, and Markdown a grid per depth multiplier, when the sweep has a depth axis
(``Sweep.shows_depth``)."""

from __future__ import annotations

from typing import Any, Iterator

from costcalc import __version__
from costcalc.analysis.sweep import Sweep
from costcalc.quantities import format_fraction
from costcalc.render import numbers as fmt
from costcalc.render.sinks import markdown
from costcalc.render.sinks.json_text import dumps
from costcalc.render.view import View

CSV_COLUMNS = "alpha,rho,resolution,mult_adds,params"


def _budget(sweep: Sweep) -> dict[str, Any]:
    budget = {"mult_adds": sweep.budget.mult_adds, "params": sweep.budget.params}
    if sweep.budget.latency_s is not None:
        budget["latency_s"] = float(sweep.budget.latency_s)  # type: ignore[assignment]
    if sweep.budget.peak_bytes is not None:
        budget["peak_activation_bytes"] = sweep.budget.peak_bytes
    return budget


def to_data(sweep: Sweep, view: View = View()) -> dict[str, Any]:
    spec = view.spec or sweep.network.spec.path
    exact = {value: format_fraction(value) for value in (*sweep.alphas, *sweep.rhos, *sweep.depths)}
    points = []
    for point in sweep.points:
        entry = {"alpha": float(point.alpha), "alpha_exact": exact[point.alpha],
                 "depth_multiplier": float(point.depth_multiplier),
                 "depth_multiplier_exact": exact[point.depth_multiplier], "rho": float(point.rho),
                 "rho_exact": exact[point.rho], "resolution": point.resolution, "mult_adds": point.mult_adds,
                 "params": point.params}
        if point.resources is not None:
            entry["peak_activation_bytes"] = point.resources.peak_bytes
            if point.resources.latency_s is not None:
                entry["latency_s"] = float(point.resources.latency_s)
                entry["latency_s_exact"] = format_fraction(point.resources.latency_s)
        if sweep.budget:
            entry["within_budget"] = sweep.meets(point)
        points.append(entry)
    return {"costcalc_version": __version__, "spec": spec, "name": sweep.network.spec.name,
            "convention": sweep.convention.name, "width_rule": sweep.network.spec.width.name,
            "unit": sweep.convention.unit, "metric": sweep.metric, "dtype": sweep.dtype,
            "device": getattr(sweep.device, "name", None),
            "budget": _budget(sweep), "points": points, **_latency_error(sweep)}


def _latency_error(sweep: Sweep) -> dict[str, Any]:
    """``{"latency_error": ...}`` when the latencies are a calibrated device's (docs/calibrate.md)."""
    calibration = getattr(sweep.device, "calibration", None)
    with_latency = bool(sweep.points) and sweep.points[0].resources is not None and \
        sweep.points[0].resources.latency_s is not None
    if calibration is None or not with_latency:
        return {}
    from costcalc.render.calibrate_formats import band_json

    return {"latency_error": band_json(calibration)}


def to_json(sweep: Sweep, view: View = View()) -> str:
    return dumps(to_data(sweep, view))


def to_csv(sweep: Sweep, view: View = View()) -> str:
    return "".join(stream_csv(sweep, view))


def stream_csv(sweep: Sweep, view: View = View()) -> Iterator[str]:
    """One row per point: ``alpha,rho,resolution,mult_adds,params``, as text chunks (the header, then one chunk
    per alpha), so that a streamed sweep (``Sweep.rows``) of millions of points is never one string. Built as
    plain text (no csv module): every field is a number costcalc wrote (no name from a file, so nothing for
    ``sinks.spreadsheet`` to neutralise) and no field can hold a comma or a quote. Each alpha, rho and depth
    multiplier is formatted once, by its index (no exact fraction is hashed per point)."""
    rho_text = [f"{format_fraction(rho)},{resolution}," for rho, resolution in zip(sweep.rhos, sweep.resolutions)]
    alpha_text = [format_fraction(alpha) + "," for alpha in sweep.alphas]
    depth_text = [format_fraction(depth) + "," if sweep.shows_depth else "" for depth in sweep.depths]
    with_resources = bool(sweep.points) and sweep.points[0].resources is not None
    columns = CSV_COLUMNS.replace("alpha,", "alpha,depth_multiplier,") if sweep.shows_depth else CSV_COLUMNS
    calibration = getattr(sweep.device, "calibration", None) if with_resources else None
    band = "" if calibration is None else f",{format_fraction(calibration.held_out.rmspe)}"  # its held-out error
    yield (columns + (",peak_activation_bytes,latency_s" if with_resources else "")
           + (",latency_rmspe" if band else "") + "\n")
    if with_resources:
        yield from _csv_with_resources(sweep, rho_text, alpha_text, depth_text, band)
        return
    for k, i, mult_adds, params in sweep.rows():
        prefix = alpha_text[i] + depth_text[k]
        if params.count(params[0]) == len(params):  # params that do not follow the resolution: one text
            suffix = f",{params[0]}\n"
            yield "".join([f"{prefix}{rho}{count}{suffix}" for rho, count in zip(rho_text, mult_adds)])
        else:
            yield "".join([f"{prefix}{rho}{count},{param}\n" for rho, count, param in zip(rho_text, mult_adds, params)])


def _csv_with_resources(sweep: Sweep, rho_text: list[str], alpha_text: list[str],
                        depth_text: list[str], band: str) -> Iterator[str]:
    """The rows of a sweep whose points carry their peak memory and latency (at most MAX_EVALUATED_POINTS);
    ``band``: ``,RMSPE`` of a calibrated device's held-out error, or nothing."""
    width = len(sweep.rhos)
    for n, point in enumerate(sweep.points):
        k, i, j = n // (width * len(sweep.alphas)), n // width % len(sweep.alphas), n % width
        latency = point.resources.latency_s  # type: ignore[union-attr]
        yield (f"{alpha_text[i]}{depth_text[k]}{rho_text[j]}{point.mult_adds},{point.params},"
               f"{point.resources.peak_bytes},{'' if latency is None else format_fraction(latency)}{band}\n")  # type: ignore[union-attr]


def to_markdown(sweep: Sweep, view: View = View()) -> str:
    spec = sweep.network.spec
    lines = [f"### {markdown.text(spec.name)}: {sweep.convention.metric} by width (rows) and resolution (columns)",
             "", f"convention **{markdown.text(sweep.convention.name)}**, unit **{sweep.convention.unit}**, per **image**"
             + _budget_text(sweep), ""]
    for k, depth in enumerate(sweep.depths):
        if sweep.shows_depth:
            lines += [f"**depth multiplier {fmt.multiplier(depth)}**", ""]
        lines += _markdown_grid(sweep, k)
        lines.append("")
    lines.pop()
    if sweep.budget:
        lines += ["", "Struck-out cells exceed the budget."]
    if sweep.metric == "latency" and getattr(sweep.device, "calibration", None) is not None:
        from costcalc.render.calibrate_formats import latency_label

        lines += ["", f"Latency on {markdown.text(sweep.device.name)} ({sweep.dtype}): "  # type: ignore[attr-defined]
                      f"{markdown.text(latency_label(sweep.device))}."]
    return "\n".join(lines) + "\n"


def _markdown_grid(sweep: Sweep, k: int) -> list[str]:
    lines = []
    vary = sweep.params_vary_with_resolution
    header = ["alpha \\ resolution", *(str(resolution) for resolution in sweep.resolutions)]
    if not vary:
        header.append("params")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["--:"] * len(header)) + "|")
    for i, alpha in enumerate(sweep.alphas):
        row = [fmt.multiplier(alpha)]
        for j in range(len(sweep.rhos)):
            point = sweep.at(i, j, k)
            cell = fmt.metric_value(sweep.metric, sweep.value(point), exact=True)
            if vary and sweep.metric != "params":
                cell += f" / {fmt.thousands(point.params)}"
            if sweep.budget and not sweep.meets(point):
                cell = f"~~{cell}~~"
            row.append(cell)
        if not vary:
            row.append(fmt.thousands(sweep.at(i, 0, k).params))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _budget_text(sweep: Sweep) -> str:
    parts = []
    if sweep.budget.mult_adds is not None:
        parts.append(f"{fmt.thousands(sweep.budget.mult_adds)} {sweep.convention.metric}")
    if sweep.budget.params is not None:
        parts.append(f"{fmt.thousands(sweep.budget.params)} params")
    return f", budget ≤ {' and ≤ '.join(parts)}" if parts else ""
