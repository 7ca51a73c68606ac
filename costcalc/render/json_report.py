"""The JSON report (DESIGN.md's contract): counts are exact integers, never floats or strings."""

from __future__ import annotations

from typing import Any

from costcalc import __version__
from costcalc.analysis.report import Report
from costcalc.quantities import format_fraction
from costcalc.render.sinks.json_text import dumps


def ascii_times(label: str) -> str:
    """Machine formats write ``3x3x32`` with a plain x, like the ``by_kind`` keys (``conv 3x3``)."""
    return label.replace("×", "x")


def _exact(value: Any) -> str:
    """An exact rational as a string, always: ``"73/576"``, ``"568740352"``."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def counted(convention: Any) -> dict[str, Any]:
    """What a convention counts: each Mult-Adds component with its weight in the unit, and the parameters."""
    return {"mult_adds": convention.weights, "params": list(convention.params)}


def to_data(report: Report, spec: str | None = None) -> dict[str, Any]:
    """``spec`` is how the user named the spec (a path, or a bundled spec's name); default: its path."""
    evaluation = report.evaluation
    convention = evaluation.convention
    data: dict[str, Any] = {
        "costcalc_version": __version__,
        "spec": spec or evaluation.spec.path,
        "name": evaluation.spec.name,
        "description": evaluation.spec.description,
        "reference": evaluation.spec.reference,
        "alpha": float(evaluation.alpha),
        "alpha_exact": format_fraction(evaluation.alpha),
        "rho": float(evaluation.rho),
        "rho_exact": format_fraction(evaluation.rho),
        "resolution": evaluation.resolution,
        "input_shape": list(evaluation.input_shape),
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
             "standard_mult_adds": pair.standard_mult_adds, "ratio": _exact(pair.ratio)}
            for pair in report.pairs
        ],
        "standard_twin": {"mult_adds": report.twin.mult_adds, "params": report.twin.params},
    }
    for row, layer in zip(data["layers"], report.memory.layers):
        row["activation_bytes"], row["weight_bytes"] = layer.activation_bytes, layer.weight_bytes
    if report.roofline is not None:
        from costcalc.analysis.roofline import ASSUMPTIONS

        roofline = report.roofline
        device = roofline.device
        data["device"] = {"name": device.name, "description": device.description,
                          "peak_mult_adds_per_s": device.peak(roofline.dtype),
                          "bandwidth_bytes_per_s": device.bandwidth_bytes_per_s, "source": device.source,
                          "assumptions": ASSUMPTIONS}
        data["totals"]["latency_s"] = float(roofline.latency_s)
        data["totals"]["latency_s_exact"] = _exact(roofline.latency_s)
        for row, time in zip(data["layers"], roofline.layers):
            row["bytes_moved"] = time.bytes_moved
            row["latency_s"] = float(time.latency_s)
            row["latency_s_exact"] = _exact(time.latency_s)
            row["bound"] = time.bound
            row["intensity"] = None if time.intensity is None else float(time.intensity)
    if report.symbolic is not None:
        from costcalc.render import math

        symbolic = report.symbolic
        data["symbolic"] = {
            "mult_adds": math.plain(symbolic.mult_adds),
            "params": math.plain(symbolic.params),
            "at_alpha_rho": {"mult_adds": _exact(symbolic.ideal_mult_adds), "params": _exact(symbolic.ideal_params)},
            "exact_equals_closed_form": symbolic.matches(evaluation),
        }
    return data


def to_json(report: Report, spec: str | None = None) -> str:
    return dumps(to_data(report, spec))
