"""What an exact evaluation gives: a row per layer and the network's totals (data only: the analyses and the
renderers read these)."""

from fractions import Fraction
from typing import NamedTuple

from costcalc.conventions import Convention
from costcalc.errors import Location
from costcalc.layers.base import Layer, Shape
from costcalc.spec.build import Network
from costcalc.spec.model import Spec


class LayerCost(NamedTuple):
    """One row of a report."""

    name: str
    kind: str
    group: str
    filter: str
    stride: str
    input_shape: Shape
    output_shape: Shape
    mult_adds: int
    params: int
    components: dict[str, int]
    layer: Layer
    location: Location
    path: tuple[str, ...] = ()  # the block instances it is in, outermost first
    idle: bool = False  # in a params-only branch: its parameters count, it never runs


class Evaluation(NamedTuple):
    """A network evaluated exactly at one alpha and rho under one convention."""

    spec: Spec
    network: Network
    convention: Convention
    alpha: Fraction
    rho: Fraction
    input_shape: Shape
    layers: tuple[LayerCost, ...]
    mult_adds: int
    params: int

    @property
    def resolution(self) -> int:
        return int(self.input_shape.height)

    @property
    def depth_multiplier(self) -> Fraction:
        """The depth multiplier the network was built at (its repeat counts)."""
        return self.network.depth_multiplier
