"""Why two conventions give different counts for the same network: the difference split by cost component
(what one counts and the other does not, or counts more times), by layer kind and by layer.

Both counts come from the same layers' components, weighted by each convention, so every split adds up to
the difference of the totals exactly: the sum over components, over kinds and over layers is that
difference (tests check it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from costcalc.conventions import Convention
from costcalc.engine.results import Evaluation


class ComponentDiff(NamedTuple):
    component: str
    weight_a: int  # how many times convention A counts one unit of it (in the unit)
    weight_b: int
    amount: int  # the component summed over the network's layers
    layers: int  # layers that have it
    kinds: tuple[str, ...]  # their kinds
    diff: int  # (weight_a - weight_b) · amount


class GroupDiff(NamedTuple):
    group: str  # a by-kind group (conv 3x3, batch_norm, ...)
    layers: int
    a: int
    b: int
    diff: int


class LayerDiff(NamedTuple):
    name: str
    kind: str
    a: int
    b: int
    diff: int


class Explanation(NamedTuple):
    a: Evaluation
    b: Evaluation
    components: list[ComponentDiff]  # Mult-Adds, largest |difference| first
    params: list[ComponentDiff]  # params, largest |difference| first (weights are 1 or 0)
    groups: list[GroupDiff]
    layers: list[LayerDiff]  # every layer whose count differs, largest |difference| first

    @property
    def mult_adds_diff(self) -> int:
        return self.a.mult_adds - self.b.mult_adds

    @property
    def params_diff(self) -> int:
        return self.a.params - self.b.params


def _by_component(a: Evaluation, weight_a_of: Callable[[str], int],
                  weight_b_of: Callable[[str], int]) -> list[ComponentDiff]:
    """Every component the network reports, with each convention's weight for it (a qualified component's is
    its nearest named ancestor's: costcalc.conventions.builtin)."""
    found = []
    for component in sorted({name for row in a.layers for name in row.components}):
        weight_a, weight_b = weight_a_of(component), weight_b_of(component)
        rows = [row for row in a.layers if row.components.get(component)]
        amount = sum(row.components[component] for row in rows)
        if weight_a == weight_b or not amount:
            continue
        kinds = tuple(dict.fromkeys(row.kind for row in rows))
        found.append(ComponentDiff(component, weight_a, weight_b, amount, len(rows), kinds,
                                   (weight_a - weight_b) * amount))
    return sorted(found, key=lambda item: (-abs(item.diff), item.component))


def _params_weights(convention: Convention) -> Callable[[str], int]:
    return lambda component: int(convention.counts_param(component))


def explain(a: Evaluation, b: Evaluation) -> Explanation:
    """``a`` and ``b``: the same network at the same alpha and rho, under two conventions (and one unit)."""
    components = _by_component(a, a.convention.weight_of, b.convention.weight_of)
    params = _by_component(a, _params_weights(a.convention), _params_weights(b.convention))
    groups: dict[str, list[int]] = {}
    layers = []
    for row_a, row_b in zip(a.layers, b.layers):
        entry = groups.setdefault(row_a.group, [0, 0, 0])
        entry[0] += 1
        entry[1] += row_a.mult_adds
        entry[2] += row_b.mult_adds
        if row_a.mult_adds != row_b.mult_adds:
            layers.append(LayerDiff(row_a.name, row_a.kind, row_a.mult_adds, row_b.mult_adds,
                                    row_a.mult_adds - row_b.mult_adds))
    group_diffs = [GroupDiff(group, count, total_a, total_b, total_a - total_b)
                   for group, (count, total_a, total_b) in groups.items() if total_a != total_b]
    return Explanation(a, b, components, params,
                       sorted(group_diffs, key=lambda item: (-abs(item.diff), item.group)),
                       sorted(layers, key=lambda item: -abs(item.diff)))
