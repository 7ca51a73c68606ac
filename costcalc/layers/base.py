"""What every layer kind is: a frozen record whose fields are its spec schema, with three pure methods.

- ``output_shape(input_shape, arith)``: shape propagation (exact ints, or sympy expressions);
- ``costs(input_shape, output_shape, arith)``: the layer's cost *components* (see ``COMPONENTS``), from
  the formulas in ``costcalc.formulas``; a counting convention decides which of them are Mult-Adds and
  which are parameters;
- ``expand()``: sugar kinds (``separable``) return the layers they stand for.

A kind with no cost returns no components: under every convention it counts as zero, explicitly.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from costcalc.layers.fields import SpecField

# Cost components a layer may report. Conventions (costcalc.conventions) pick from these by name.
COMPONENTS = {
    "weight_macs": "multiply-accumulates of conv / depthwise / pointwise / fully connected weights",
    "bias_adds": "one add per output element of a layer with a bias",
    "weights": "weights of conv / depthwise / pointwise / fully connected layers",
    "biases": "bias terms",
    "bn_affine": "BatchNorm scale and shift (gamma, beta): 2 per channel",
    "bn_stats": "BatchNorm running mean and variance: 2 per channel (non-trainable)",
    "norm_affine": "LayerNorm scale and shift: 2 per channel",
    "layer_scale": "layer-scale factors (ConvNeXt): 1 per channel",
    "merge_adds": "elementwise adds where branches are summed (residual connections)",
    "scale_muls": "elementwise multiplies (squeeze-and-excitation scaling, layer scale)",
    "bn_elements": "elements a batch norm normalises (its output elements)",
    "ln_elements": "elements a layer norm normalises",
    "act_<function>": "elements an activation is applied to, one component per function (act_relu, act_relu6, "
                      "act_silu, ...; swish is silu)",
    "maxpool_in": "input elements of a windowed max pool",
    "maxpool_out": "output elements of a windowed max pool",
    "avgpool_in": "input elements of a windowed average pool",
    "avgpool_out": "output elements of a windowed average pool",
    "adaptive_avgpool_in": "input elements of a global or adaptive average pool",
    "adaptive_avgpool_out": "output elements of a global or adaptive average pool",
    "adaptive_maxpool_in": "input elements of a global max pool",
    "adaptive_maxpool_out": "output elements of a global max pool",
    "softmax_elements": "elements of a softmax",
    "softmax_rows": "softmaxes computed: one per position (a softmax over the channels of each)",
}
PARAM_COMPONENTS = ("weights", "biases", "bn_affine", "bn_stats", "norm_affine", "layer_scale")
# Components that are proportional to the input's height x width; every other component that is not a
# parameter count is proportional to the output's (or does not depend on the resolution at all: a 1x1 map's,
# a fixed adaptive pool's). costcalc.compiled relies on this split to evaluate grids fast.
PER_INPUT_POSITION = frozenset({"maxpool_in", "avgpool_in", "adaptive_avgpool_in", "adaptive_maxpool_in"})


def is_component(name: str) -> bool:
    """A component some layer may report (conventions are checked against this)."""
    return name in COMPONENTS or (name.startswith("act_") and name[4:] in _activation_names())


def _activation_names() -> tuple[str, ...]:
    from costcalc.layers.fields import ACTIVATIONS

    return tuple(name for name in ACTIVATIONS if name != "swish")


class Shape(NamedTuple):
    """A feature map: height x width x channels, as the paper's Table 1 writes it."""

    height: Any
    width: Any
    channels: Any

    def __str__(self) -> str:
        return f"{self.height}×{self.width}×{self.channels}"


def size_label(pair: tuple[int, int]) -> str:
    """``(3, 3)`` -> ``3x3`` (plain x: this goes into JSON keys such as ``conv 3x3``)."""
    return f"{pair[0]}x{pair[1]}"


class Layer:
    """Base of the layer kinds: frozen records whose fields are declared with ``spec_field`` and are, in
    order, the keys a spec entry of the kind takes. Kinds register themselves by name (``@register``).

    Why not ``@dataclass(frozen=True)``: it generates and compiles six methods per class at import, which
    cost a sixth of ``costcalc report``'s start-up time; these generic methods do the same from the field
    list.
    """

    fields: ClassVar[tuple[SpecField, ...]] = ()
    kind: ClassVar[str]
    summary: ClassVar[str]
    name_prefix: ClassVar[str]
    follows_previous: ClassVar[bool] = False  # unnamed, it takes the name of the layer it follows
    merges: ClassVar[bool] = False  # its input is a tuple of shapes (costcalc.layers.graph)
    name: str | None

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        declared = {name: value for name, value in vars(cls).items() if isinstance(value, SpecField)}
        for name, field in declared.items():
            field.name = name
            delattr(cls, name)
        inherited = [field for field in cls.fields if field.name not in declared]
        cls.fields = (*inherited, *declared.values())

    def __init__(self, **values: Any) -> None:
        for field in self.fields:
            if field.name in values:
                value = values.pop(field.name)
            elif field.required:
                raise TypeError(f"{type(self).__name__}() needs '{field.name}'")
            else:
                value = field.default
            object.__setattr__(self, field.name, value)
        if values:
            raise TypeError(f"{type(self).__name__}() takes no field {', '.join(map(repr, values))}")

    def replace(self, **changes: Any) -> Layer:
        """A copy with some fields changed (how runtime expressions are filled in)."""
        values = {field.name: getattr(self, field.name) for field in self.fields}
        values.update(changes)
        return type(self)(**values)

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, field.name) for field in self.fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.values() == other.values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{field.name}={getattr(self, field.name)!r}" for field in self.fields
                          if getattr(self, field.name) != field.default)
        return f"{type(self).__name__}({shown})"

    def expand(self) -> tuple[Layer, ...]:
        return (self,)

    def output_shape(self, input_shape: Shape, arith: Any) -> Shape:
        return input_shape

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Any) -> dict[str, Any]:
        return {}

    def group(self) -> str:
        """The by-kind group (the paper's Table 2 rows): ``conv 3x3``, ``depthwise 3x3``, ``fc``, ..."""
        return self.kind

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return ""

    def stride_label(self) -> str:
        return ""

    def default_name(self, previous: str | None, counters: dict[str, int]) -> str:
        """A generated name: ``<prefix>_<n>``, counted per prefix across the network. ``previous`` is
        the name of the last layer before this one that is not itself a follower (batch norm, activation)."""
        counters[self.name_prefix] = counters.get(self.name_prefix, 0) + 1
        return f"{self.name_prefix}_{counters[self.name_prefix]}"


def stride_text(stride: tuple[int, int]) -> str:
    return f"s{stride[0]}" if stride[0] == stride[1] else f"s{stride[0]}×{stride[1]}"
