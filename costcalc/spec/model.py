"""What a validated spec is: plain frozen data, no YAML left in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from costcalc.arith import WidthRule
from costcalc.errors import Location
from costcalc.layers.base import Layer


@dataclass(frozen=True)
class InputSpec:
    """The image: channels (not scaled by alpha) and the resolution that rho scales."""

    channels: int
    height: int
    width: int


@dataclass(frozen=True)
class LayerEntry:
    layer: Layer
    location: Location


@dataclass(frozen=True)
class RepeatEntry:
    """``repeat: N`` over a group of entries; layers are numbered on through the repeats."""

    count: int
    body: tuple[Entry, ...]
    location: Location


Entry = Union[LayerEntry, RepeatEntry]


@dataclass(frozen=True)
class Spec:
    path: str
    name: str
    description: str
    reference: str
    input: InputSpec
    width: WidthRule
    body: tuple[Entry, ...]
