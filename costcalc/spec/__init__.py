"""Reading specs: safe YAML with source positions (``yaml_source``), validation into layer objects
(``schema``), and the bundled specs (``bundled``)."""

from costcalc.spec.model import LayerEntry, RepeatEntry, Spec
from costcalc.spec.schema import load_spec, parse_spec

__all__ = ["LayerEntry", "RepeatEntry", "Spec", "load_spec", "parse_spec"]
