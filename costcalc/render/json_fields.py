"""The fields every command's JSON writes the same way: exact numbers as strings, multipliers as a number and
its exact text, what a convention counts, kernel labels with a plain x (docs/json.md)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from costcalc.quantities import format_fraction


def ascii_times(label: str) -> str:
    """Machine formats write ``3x3x32`` with a plain x, like the ``by_kind`` keys (``conv 3x3``)."""
    return label.replace("×", "x")


def exact(value: Fraction | None) -> str | None:
    """An exact rational as a string: ``"73/576"``, ``"568740352"`` (a whole number without ``/1``); ``None``
    stays ``None``."""
    if value is None:
        return None
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def exact_pair(key: str, value: Fraction) -> dict[str, Any]:
    """``{"alpha": 0.75, "alpha_exact": "0.75"}``: a multiplier as a number for scripts and exactly."""
    return {key: float(value), f"{key}_exact": format_fraction(value)}


def multipliers(evaluation: Any) -> dict[str, Any]:
    """alpha, the depth multiplier, rho (each as ``exact_pair``), the width rule, the resolution and the input shape
    of an evaluation."""
    return {**exact_pair("alpha", evaluation.alpha), **exact_pair("depth_multiplier", evaluation.depth_multiplier),
            **exact_pair("rho", evaluation.rho), "width_rule": evaluation.spec.width.name,
            "resolution": evaluation.resolution, "input_shape": list(evaluation.input_shape)}


def counted(convention: Any) -> dict[str, Any]:
    """What a convention counts: each Mult-Adds component with its weight in the unit, and the parameters."""
    return {"mult_adds": convention.weights, "params": list(convention.params)}
