"""Layer kinds, one small module per family, collected in one registry (``KINDS``)."""

from costcalc.layers import conv, dense, graph, pooling, simple  # noqa: F401  (registers the kinds)
from costcalc.layers.base import COMPONENTS, Layer, Shape
from costcalc.layers.registry import KINDS, SHORTHANDS

__all__ = ["COMPONENTS", "KINDS", "SHORTHANDS", "Layer", "Shape"]
