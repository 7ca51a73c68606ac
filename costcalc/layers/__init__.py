"""Layer kinds, one small module per family, collected in one registry (``KINDS``)."""

from costcalc.layers import attention, attention_parts, conv, dense, graph, pooling, simple, tokens  # noqa: F401  (registers the kinds)
from costcalc.layers.base import Layer, Shape
from costcalc.layers.components import COMPONENTS
from costcalc.layers.registry import INTERNAL_KINDS, KINDS, SHORTHANDS, all_kinds

__all__ = ["COMPONENTS", "INTERNAL_KINDS", "KINDS", "SHORTHANDS", "Layer", "Shape", "all_kinds"]
