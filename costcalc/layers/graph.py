"""Graph layers: where branches meet (add, concat, the squeeze-and-excitation scale) or part (channel
split), and squeeze-and-excitation itself, which the network builder expands into its own small graph.

Merge layers take a tuple of input shapes. A spec does not write them as layers: ``residual``, ``concat``
and ``squeeze_excite`` entries put them in (``costcalc.network``), and they appear as rows of a report.
"""

from __future__ import annotations

from typing import Any, ClassVar

from costcalc.layers import fields as f
from costcalc.layers.base import Layer, Shape
from costcalc.layers.registry import register


def _same_map(shapes: tuple[Shape, ...], arith: Any, what: str) -> None:
    first = shapes[0]
    for other in shapes[1:]:
        arith.require(other.height == first.height and other.width == first.width,
                      lambda other=other: f"cannot {what} a {first} map and a {other} map: their heights and widths "
                                          "differ", "E402")


class Merge(Layer):
    """A layer whose input is several tensors (``merges``): ``output_shape`` and ``costs`` get a tuple."""

    merges: ClassVar[bool] = True
    name: str | None = f.name_field()


class Add(Merge):
    """Elementwise sum of branches of the same shape (a residual connection's add)."""

    kind = "add"
    summary = "elementwise sum of branches (residual connections)"
    name_prefix = "add"

    def output_shape(self, input_shape: Any, arith: Any) -> Shape:
        shapes: tuple[Shape, ...] = input_shape
        first = shapes[0]
        for other in shapes[1:]:
            arith.require(tuple(other) == tuple(first),
                          lambda other=other: f"cannot add a {first} tensor and a {other} tensor: a residual's "
                                              "main path and shortcut must end in the same shape (give the "
                                              "shortcut a projection: a 1x1 conv with the right filters and "
                                              "stride)", "E401")
        return first

    def costs(self, input_shape: Any, output_shape: Shape, arith: Any) -> dict[str, Any]:
        h, w, c = output_shape
        return {"merge_adds": (len(input_shape) - 1) * h * w * c}

    def filter_label(self, input_shape: Any, output_shape: Shape) -> str:
        return f"{len(input_shape)} inputs"


class Concat(Merge):
    """Branches stacked along the channels (Inception, SqueezeNet's fire module, DenseNet)."""

    kind = "concat"
    summary = "branches stacked along the channels"
    name_prefix = "concat"

    def output_shape(self, input_shape: Any, arith: Any) -> Shape:
        shapes: tuple[Shape, ...] = input_shape
        _same_map(shapes, arith, "concatenate")
        channels = shapes[0].channels
        for other in shapes[1:]:
            channels = channels + other.channels
        return Shape(shapes[0].height, shapes[0].width, channels)

    def filter_label(self, input_shape: Any, output_shape: Shape) -> str:
        return "+".join(str(shape.channels) for shape in input_shape)


class Scale(Merge):
    """A feature map multiplied channel by channel by a 1×1×C gate (squeeze-and-excitation's output)."""

    kind = "scale"
    summary = "a map multiplied per channel by a 1x1xC gate"
    name_prefix = "scale"

    def output_shape(self, input_shape: Any, arith: Any) -> Shape:
        x, gate = input_shape
        arith.require(gate.channels == x.channels,
                      lambda: f"the gate has {gate.channels} channels but the map it scales has {x.channels}", "E403")
        return x

    def costs(self, input_shape: Any, output_shape: Shape, arith: Any) -> dict[str, Any]:
        h, w, c = output_shape
        return {"scale_muls": h * w * c}


class Split(Layer):
    """One of ``parts`` equal slices of the channels (ShuffleNet v2's channel split)."""

    kind = "split"
    summary = "one of several equal slices of the channels"
    name_prefix = "split"

    parts: int = f.spec_field(f.positive_int, 2, "how many equal slices")
    index: int = f.spec_field(f.positive_int, 1, "which slice (1-based)")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Any) -> Shape:
        arith.require(input_shape.channels % self.parts == 0,
                      lambda: f"cannot split {input_shape.channels} channels into {self.parts} equal parts", "E403")
        return Shape(input_shape.height, input_shape.width, arith.floor_div(input_shape.channels, self.parts))

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"{self.index}/{self.parts}"


@register
class ChannelShuffle(Layer):
    """ShuffleNet's channel shuffle: a permutation of the channels, no cost."""

    kind = "channel_shuffle"
    summary = "permute channels across groups (ShuffleNet); no cost"
    name_prefix = "shuffle"

    groups: int = f.spec_field(f.positive_int, 2, "groups to interleave; must divide the channels")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Any) -> Shape:
        arith.require(input_shape.channels % self.groups == 0,
                      lambda: f"groups = {self.groups} must divide the channels ({input_shape.channels})", "E403")
        return input_shape


@register
class SqueezeExcite(Layer):
    """Squeeze-and-excitation (Hu et al. 2018): global average pool, a 1×1 conv down to ``squeeze``
    channels, an activation, a 1×1 conv back up, a gate, and the input scaled by it. Both 1×1 convs have
    biases (as in torchvision). The network builder expands it into those rows, grouped under its name."""

    kind = "squeeze_excite"
    summary = "squeeze-and-excitation: expands to pool, 1x1 conv, act, 1x1 conv, gate, scale"
    name_prefix = "se"

    squeeze: int = f.spec_field(f.positive_int, doc="channels of the bottleneck, usually an expression "
                                "such as make_divisible(in // 4, 8)", runtime=True)
    activation: str = f.spec_field(f.choice(*f.ACTIVATIONS), "relu", "activation after the first 1x1 conv")
    gate: str = f.spec_field(f.choice(*f.ACTIVATIONS), "sigmoid", "the gate: sigmoid or hard_sigmoid")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale a squeeze given as a plain number")
    name: str | None = f.name_field()
