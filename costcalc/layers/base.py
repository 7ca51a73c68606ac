"""What every layer kind is: a frozen record whose fields are its spec schema, with three pure methods.

- ``output_shape(input_shape, arith)``: shape propagation (exact ints, or sympy expressions);
- ``costs(input_shape, output_shape, arith)``: the layer's cost *components* (costcalc.layers.components), from
  the formulas in ``costcalc.layers.formulas``; a counting convention decides which of them are Mult-Adds and
  which are parameters;
- ``expand()``: sugar kinds (``separable``) return the layers they stand for.

A kind with no cost returns no components: under every convention it counts as zero, explicitly.
"""

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple, Protocol

from costcalc.layers.fields import SpecField


class Shape(NamedTuple):
    """A feature map: height x width x channels, as the paper's Table 1 writes it."""

    height: Any
    width: Any
    channels: Any

    def __str__(self) -> str:
        return self.label()

    def label(self, times: str = "×") -> str:
        return f"{self.height}{times}{self.width}{times}{self.channels}"


class Tokens(Shape):
    """A sequence of ``height·width`` tokens of ``channels`` each (a transformer's N x d): a feature map's positions
    taken as tokens (``GridTokens``: they still form its grid), or a sequence that no longer does (``height``
    tokens, ``width`` 1: after a class token is joined). It is a ``Shape`` to every formula: a token is a
    position, so a per-position formula (a Linear on every token, a layer norm) counts ``height·width`` of them,
    and the number of tokens N is the area that ``costcalc.engine.compiled`` factors by."""

    def label(self, times: str = "×") -> str:
        return f"{self.height * self.width}{times}{self.channels} tokens"


class GridTokens(Tokens):
    """Tokens that are a feature map's ``height x width`` positions, in order (ViT's patches, before its class
    token): they can be taken back to the map (``to_map``)."""


def size_label(pair: tuple[int, int]) -> str:
    """``(3, 3)`` -> ``3x3`` (plain x: this goes into JSON keys such as ``conv 3x3``)."""
    return f"{pair[0]}x{pair[1]}"


class ConvView(NamedTuple):
    """A layer seen as a convolution: what finding depthwise-separable pairs, and the standard convolution
    that would replace one (the paper's Table 4), need to know of it."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: str | tuple[int, int]
    dilation: tuple[int, int]
    groups: int | None  # None: one group per input channel (a depthwise convolution)
    depth_multiplier: int = 1

    @property
    def depthwise(self) -> bool:
        return self.groups is None


# The facts every kind declares, itself or through its family's base class (never inherited from ``Layer``,
# which declares none of them: a kind that forgets one fails tests/test_kind_traits.py, and fails loudly where
# the fact is used). Data traits are class attributes; methods are listed with their parentheses.
TRAITS = ("in_place", "channels_follow_resolution", "fixed_output_size", "expansion", "conv_view()")


class Arith(Protocol):
    """The arithmetic a kind computes its shapes and costs through (costcalc.engine.arith implements it twice):
    exact integers at one alpha (channels rounded by the spec's width rule, sizes by each layer's padding rule,
    impossible shapes refused), or sympy symbols with nothing rounded and nothing checked (the closed form). So
    one line of a kind's code serves the report's integers and ``costcalc formula``'s derivation."""

    exact: bool
    alpha: Any  # a Fraction (exact), or the symbol alpha

    def channels(self, count: int, fixed: bool = False) -> Any:
        """``count`` channels scaled by alpha (unless ``fixed``) and rounded by the width rule."""
        ...

    def ceil_div(self, a: Any, b: int) -> Any:
        ...

    def floor_div(self, a: Any, b: int) -> Any:
        ...

    def require(self, condition: Any, message: Callable[[], str], code: str = "E400") -> None:
        """Refuse an impossible shape (exact arithmetic only); ``message`` is built only when it is refused."""
        ...


class GraphBuilder(Protocol):
    """What a ``"graph"`` kind's ``expand_graph`` adds its layers through (the network builder implements it):
    nodes are numbered; ``input`` is the node the construct reads."""

    input: int

    def add(self, name: str, layer: "Layer", inputs: tuple[int, ...], reads_construct_input: bool = False) -> int:
        """Add ``layer`` named ``name`` inside the construct, reading ``inputs``; its node. With
        ``reads_construct_input``, its channel counts' ``block_in`` is the construct's input."""
        ...

    def input_channels(self, times: int = 1) -> Any:
        """A channel count equal to ``times`` the construct's input channels, filled in when the network is
        evaluated (for a layer added with ``reads_construct_input``)."""
        ...


class Layer:
    """Base of the layer kinds: frozen records whose fields are declared with ``spec_field`` and are, in
    order, the keys a spec entry of the kind takes. Kinds register themselves by name (``@register``).

    A kind owns all of its facts: its fields, its shape and costs (its formulas), how it is named and shown,
    and the traits of ``TRAITS`` that the engine and the analyses ask of it:

    - ``in_place``: it works in place (fused into the layer before, as inference engines run batch norm and
      activations): it allocates no tensor and moves no bytes of its own (memory, roofline);
    - ``channels_follow_resolution``: its output channels depend on its input's height and width (flatten), so
      a network's cost does not factor into a width part and a resolution part (``costcalc.engine.compiled``);
    - ``fixed_output_size``: its output's height and width do not depend on its input's (global and adaptive
      pools), so a flatten after it has the same channels at every resolution;
    - ``expansion``: what a spec entry of the kind stands for: ``"itself"``; ``"chain"``, the layers of
      ``expand()`` one after another (``separable``); or ``"graph"``, a small graph of its own, grouped under
      its name like a block (``squeeze_excite``: ``expand_graph``);
    - ``conv_view()``: the layer as a convolution (``ConvView``), or None when it is not one.

    Why not ``@dataclass(frozen=True)``: it generates and compiles six methods per class at import, which
    cost a sixth of ``costcalc report``'s start-up time; these generic methods do the same from the field
    list.
    """

    fields: ClassVar[tuple[SpecField, ...]] = ()
    kind: ClassVar[str]
    summary: ClassVar[str]
    name_prefix: ClassVar[str]
    follows_previous: ClassVar[bool] = False  # unnamed, it takes the name of the layer it follows
    in_place: ClassVar[bool]
    channels_follow_resolution: ClassVar[bool]
    fixed_output_size: ClassVar[bool]
    expansion: ClassVar[str]
    takes_tokens: ClassVar[bool] = False  # it may read tokens (not only feature maps); the engine refuses others
    # In place (memory), yet an inference runtime runs it as a kernel of its own that reads its input and
    # writes its output unless a fusion folds it into the convolution before (batch norm, activations) or it
    # copies anyway (a channel shuffle's transpose, a split's slice): the calibrated latency model's facts
    # (costcalc.analysis.latency_terms). False: a view or the identity at inference (flatten, dropout).
    runs_unfused: ClassVar[bool] = False
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

    def replace(self, **changes: Any) -> "Layer":
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
        return isinstance(other, Layer) and type(self) is type(other) and self.values() == other.values()

    def __hash__(self) -> int:
        return hash((type(self), self.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{field.name}={getattr(self, field.name)!r}" for field in self.fields
                          if getattr(self, field.name) != field.default)
        return f"{type(self).__name__}({shown})"

    def expand(self) -> "tuple[Layer, ...]":
        """The layers a ``"chain"`` kind stands for, in order (``(self,)`` for every other kind)."""
        return (self,)

    def expand_graph(self, graph: GraphBuilder) -> int:
        """The layers a ``"graph"`` kind stands for, added to ``graph``; the node whose output is its own."""
        raise NotImplementedError(f"layer kind '{self.kind}' does not expand to a graph (its expansion is "
                                  f"{self.expansion!r})")

    def conv_view(self) -> ConvView | None:
        raise NotImplementedError(f"layer kind '{self.kind}' does not declare its conv_view() (layers/base.py, TRAITS)")

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return input_shape

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
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


def not_a_convolution(self: Layer) -> ConvView | None:
    """``conv_view`` of the kinds that are not convolutions: ``conv_view = not_a_convolution``."""
    return None


def stride_text(stride: tuple[int, int]) -> str:
    return f"s{stride[0]}" if stride[0] == stride[1] else f"s{stride[0]}×{stride[1]}"
