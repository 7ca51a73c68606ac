"""What a validated spec is: plain frozen data, no YAML left in it.

A spec is a tree of entries. Field values that depend on block arguments are kept as expressions
(``costcalc.spec.expressions.Expr``) until the network builder (``costcalc.spec.build``) calls the block with its
arguments; everything else is checked while the spec is read.
"""

from fractions import Fraction
from typing import Any, NamedTuple, Union

from costcalc.errors import Location
from costcalc.layers.base import Layer
from costcalc.layers.width import WidthRule
from costcalc.spec.depth import DepthRule

REQUIRED_ARG = "required"  # the default of a block argument that every call must give


class InputSpec(NamedTuple):
    """The image: channels (not scaled by alpha) and the resolution that rho scales."""

    channels: int
    height: int
    width: int


class LayerEntry(NamedTuple):
    """``KIND: {fields}``. ``layer`` is built when no field waits for a block argument; otherwise
    ``values`` holds the fields, some as expressions, and ``value_at`` where each was written."""

    kind: type[Layer]
    values: dict[str, Any]
    value_at: dict[str, Location]
    location: Location
    layer: Layer | None


class RepeatEntry(NamedTuple):
    """``repeat: N`` over a group of entries; layers are numbered on through the repeats. ``index``: the name
    under which the body's expressions read the copy's number (0, 1, ...), if any."""

    count: Any  # int, or an expression of block arguments (round_repeats(n): scaled by the depth multiplier)
    body: "tuple[Entry, ...]"
    location: Location
    index_name: str | None = None


class IfEntry(NamedTuple):
    """``if: CONDITION`` with ``layers`` (and optionally ``else``): chosen when a block is called, or, when the
    condition reads ``in``, ``block_in`` or ``alpha``, when the network is evaluated."""

    condition: Any  # an expression of block arguments
    body: "tuple[Entry, ...]"
    orelse: "tuple[Entry, ...]"
    location: Location


class ResidualEntry(NamedTuple):
    """A main path and a shortcut (none: the identity), both from the same input, summed; only the main path
    where ``when`` (true, or an expression of block arguments) is false."""

    body: "tuple[Entry, ...]"
    shortcut: "tuple[Entry, ...]"
    name: str | None
    location: Location
    when: Any = True


class ConcatEntry(NamedTuple):
    """Branches from the same input (or, with ``split``, from equal slices of its channels), stacked
    along the channels. An empty branch passes its input through."""

    branches: "tuple[tuple[Entry, ...], ...]"
    split: bool
    name: str | None
    location: Location


class ParamsOnlyEntry(NamedTuple):
    """Layers whose parameters count but which do not run at inference (a training-only head such as
    Inception v3's AuxLogits): they read the current tensor, and the layers after them read it too."""

    body: "tuple[Entry, ...]"
    name: str | None
    location: Location


class BlockCall(NamedTuple):
    """A use of a block defined under ``blocks``, with its arguments (values or expressions of the
    caller's arguments)."""

    block: str
    args: dict[str, Any]
    arg_at: dict[str, Location]
    name: str | None
    location: Location


Entry = Union[LayerEntry, RepeatEntry, IfEntry, ResidualEntry, ConcatEntry, ParamsOnlyEntry, BlockCall]


class BlockDef(NamedTuple):
    """A reusable, parameterised group of entries: ``args`` maps each argument to its default
    (``REQUIRED_ARG`` when a call must give it)."""

    name: str
    args: dict[str, Any]
    body: tuple[Entry, ...]
    location: Location


class Variant(NamedTuple):
    """A named model of a spec's family (``variants:``): the spec's arguments it sets, and the alpha, depth
    multiplier, resolution and width rule it is published at (None: the command line's, or 1 and the spec's)."""

    name: str
    description: str
    args: dict[str, Any]
    alpha: Fraction | None
    depth_multiplier: Fraction | None
    resolution: int | None
    width_rule: str | None
    location: Location


class Spec(NamedTuple):
    path: str
    name: str
    description: str
    reference: str
    input: InputSpec
    width: WidthRule
    body: tuple[Entry, ...]
    blocks: dict[str, BlockDef] = {}
    args: dict[str, Any] = {}  # the spec's own arguments (`args:`), read by its top-level layers
    depth: DepthRule = DepthRule()  # how round_repeats(n) rounds d·n
    variants: dict[str, Variant] = {}
    variant: Variant | None = None  # the variant this spec was loaded as
    scales_depth: bool = False  # whether some repeat count calls round_repeats
