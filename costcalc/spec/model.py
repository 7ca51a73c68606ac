"""What a validated spec is: plain frozen data, no YAML left in it."""

from __future__ import annotations

from typing import NamedTuple, Union

from costcalc.arith import WidthRule
from costcalc.errors import Location
from costcalc.layers.base import Layer


class InputSpec(NamedTuple):
    """The image: channels (not scaled by alpha) and the resolution that rho scales."""

    channels: int
    height: int
    width: int


class LayerEntry(NamedTuple):
    layer: Layer
    location: Location


class RepeatEntry(NamedTuple):
    """``repeat: N`` over a group of entries; layers are numbered on through the repeats."""

    count: int
    body: tuple[Entry, ...]
    location: Location


Entry = Union[LayerEntry, RepeatEntry]


class Spec(NamedTuple):
    path: str
    name: str
    description: str
    reference: str
    input: InputSpec
    width: WidthRule
    body: tuple[Entry, ...]
