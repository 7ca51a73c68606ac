"""Totals by kind and kernel, and each part's exact share of the whole (the paper's Table 2)."""

from fractions import Fraction
from typing import NamedTuple

from costcalc.engine.results import Evaluation


class KindTotal(NamedTuple):
    group: str  # "conv 3x3", "depthwise 3x3", "conv 1x1", "fc", ...
    layers: int
    mult_adds: int
    params: int
    mult_adds_share: Fraction
    params_share: Fraction


def share(part: int, whole: int) -> Fraction:
    """``part / whole`` exactly (0 when the whole is 0)."""
    return Fraction(part, whole) if whole else Fraction(0)


def by_kind(evaluation: Evaluation) -> list[KindTotal]:
    """Groups with any Mult-Adds or params under the evaluation's convention, largest Mult-Adds first."""
    sums: dict[str, list[int]] = {}
    for row in evaluation.layers:
        entry = sums.setdefault(row.group, [0, 0, 0])
        entry[0] += 1
        entry[1] += row.mult_adds
        entry[2] += row.params
    groups = [
        KindTotal(group, count, mult_adds, params,
                  share(mult_adds, evaluation.mult_adds), share(params, evaluation.params))
        for group, (count, mult_adds, params) in sums.items()
        if mult_adds or params
    ]
    return sorted(groups, key=lambda item: (-item.mult_adds, -item.params))
