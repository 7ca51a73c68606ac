"""The spec language: a spec's YAML (read by costcalc.source) validated into entries and blocks (``schema``,
``entries``, ``blocks``, ``values``, ``expressions``), then built into a graph of layer nodes (``build``)."""

from costcalc.spec.model import LayerEntry, RepeatEntry, Spec
from costcalc.spec.schema import load_spec, parse_spec

__all__ = ["LayerEntry", "RepeatEntry", "Spec", "load_spec", "parse_spec"]
