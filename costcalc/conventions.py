"""Counting conventions: which of a layer's cost components count as Mult-Adds and which as parameters.

Conventions are data. Every report names the one it counts under (DESIGN.md, "Counting conventions").
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Convention(NamedTuple):
    name: str
    description: str
    mult_adds: tuple[str, ...]
    params: tuple[str, ...]

    def mult_adds_of(self, components: dict[str, Any]) -> Any:
        return _total(components, self.mult_adds)

    def params_of(self, components: dict[str, Any]) -> Any:
        return _total(components, self.params)


def _total(components: dict[str, Any], names: tuple[str, ...]) -> Any:
    values = [components[name] for name in names if name in components]
    if not values:
        return 0
    if len(values) == 1:
        return values[0]
    if all(isinstance(value, int) for value in values):
        return sum(values)
    from sympy import Add

    return Add(*values)


PAPER = Convention(
    name="paper",
    description="as MobileNets (Howard et al. 2017): conv and fully connected weights only "
    "(no biases, no batch norm)",
    mult_adds=("weight_macs",),
    params=("weights",),
)

TORCHVISION = Convention(
    name="torchvision",
    description="as torchvision's weights.meta: conv and linear Mult-Adds; params with biases, norm gamma/beta, "
    "layer scale",
    mult_adds=("weight_macs",),
    params=("weights", "biases", "bn_affine", "norm_affine", "layer_scale"),
)

CONVENTIONS = {convention.name: convention for convention in (PAPER, TORCHVISION)}
