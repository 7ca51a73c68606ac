"""Layer kinds, one small module per family, collected in one registry (``KINDS``). The transformer kinds'
modules (tokens, attention) are imported when a spec names one of their kinds (``registry.ON_DEMAND``)."""

from costcalc.layers import conv, dense, graph, pooling, simple  # noqa: F401  (registers the kinds)
from costcalc.layers.base import Layer, Shape
from costcalc.layers.components import COMPONENTS
from costcalc.layers.registry import INTERNAL_KINDS, KINDS, SHORTHANDS, all_kinds

__all__ = ["COMPONENTS", "INTERNAL_KINDS", "KINDS", "SHORTHANDS", "Layer", "Shape", "all_kinds"]
