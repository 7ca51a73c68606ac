"""Graph layers: where branches meet (add, concat, the squeeze-and-excitation scale) or part (channel
split), and squeeze-and-excitation itself, which expands into a small graph of its own (``expand_graph``).

Merge layers take a tuple of input shapes (``merge_shape``, ``merge_costs``). A spec does not write them as
layers: ``residual``, ``concat`` and ``squeeze_excite`` entries put them in (costcalc.spec.build), and they
appear as rows of a report.
"""

from __future__ import annotations

from typing import Any

from costcalc.layers import fields as f
from costcalc.layers.base import Arith, GraphBuilder, Layer, Shape, not_a_convolution
from costcalc.layers.registry import register, register_internal


def _same_map(shapes: tuple[Shape, ...], arith: Arith, what: str) -> None:
    first = shapes[0]
    for other in shapes[1:]:
        arith.require(other.height == first.height and other.width == first.width,
                      lambda: f"cannot {what} a {first} map and a {other} map: their heights and widths "
                                          "differ", "E402")


class Merge(Layer):
    """A layer whose input is several tensors: the engine calls ``merge_shape``, ``merge_costs`` and
    ``merge_label`` with the tuple of their shapes instead of ``output_shape``, ``costs`` and ``filter_label``."""

    in_place = False
    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "itself"
    conv_view = not_a_convolution
    name: str | None = f.name_field()

    def merge_shape(self, inputs: tuple[Shape, ...], arith: Arith) -> Shape:
        raise NotImplementedError

    def merge_costs(self, inputs: tuple[Shape, ...], output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return {}

    def merge_label(self, inputs: tuple[Shape, ...], output_shape: Shape) -> str:
        return ""

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        raise TypeError(f"'{self.kind}' merges several inputs: use merge_shape")


@register_internal
class Add(Merge):
    """Elementwise sum of branches of the same shape (a residual connection's add)."""

    kind = "add"
    summary = "elementwise sum of branches (residual connections)"
    name_prefix = "add"
    takes_tokens = True

    def merge_shape(self, inputs: tuple[Shape, ...], arith: Arith) -> Shape:
        first = inputs[0]
        for other in inputs[1:]:
            arith.require(tuple(other) == tuple(first),
                          lambda: f"cannot add a {first} tensor and a {other} tensor: a residual's "
                                              "main path and shortcut must end in the same shape (give the "
                                              "shortcut a projection: a 1x1 conv with the right filters and "
                                              "stride)", "E401")
        return first

    def merge_costs(self, inputs: tuple[Shape, ...], output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        return {"merge_adds": (len(inputs) - 1) * h * w * c}

    def merge_label(self, inputs: tuple[Shape, ...], output_shape: Shape) -> str:
        return f"{len(inputs)} inputs"


@register_internal
class Concat(Merge):
    """Branches stacked along the channels (Inception, SqueezeNet's fire module, DenseNet)."""

    kind = "concat"
    summary = "branches stacked along the channels"
    name_prefix = "concat"

    def merge_shape(self, inputs: tuple[Shape, ...], arith: Arith) -> Shape:
        _same_map(inputs, arith, "concatenate")
        channels = inputs[0].channels
        for other in inputs[1:]:
            channels = channels + other.channels
        return Shape(inputs[0].height, inputs[0].width, channels)

    def merge_label(self, inputs: tuple[Shape, ...], output_shape: Shape) -> str:
        return "+".join(str(shape.channels) for shape in inputs)


@register_internal
class Scale(Merge):
    """A feature map multiplied channel by channel by a 1×1×C gate (squeeze-and-excitation's output)."""

    kind = "scale"
    summary = "a map multiplied per channel by a 1x1xC gate"
    name_prefix = "scale"

    def merge_shape(self, inputs: tuple[Shape, ...], arith: Arith) -> Shape:
        x, gate = inputs
        arith.require(gate.channels == x.channels,
                      lambda: f"the gate has {gate.channels} channels but the map it scales has {x.channels}", "E403")
        return x

    def merge_costs(self, inputs: tuple[Shape, ...], output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        return {"scale_muls": h * w * c}


class _Rearrange(Layer):
    """The facts of split and shuffle: a view or permutation of their input, in place (memory); a runtime still
    copies it (ONNX Runtime's Split, and the Transpose of a shuffle's reshape-transpose-reshape)."""

    in_place = True
    runs_unfused = True
    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "itself"
    conv_view = not_a_convolution


@register_internal
class Split(_Rearrange):
    """One of ``parts`` equal slices of the channels (ShuffleNet v2's channel split)."""

    kind = "split"
    summary = "one of several equal slices of the channels"
    name_prefix = "split"

    parts: int = f.spec_field(f.positive_int, 2, "how many equal slices")
    index: int = f.spec_field(f.positive_int, 1, "which slice (1-based)")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        arith.require(input_shape.channels % self.parts == 0,
                      lambda: f"cannot split {input_shape.channels} channels into {self.parts} equal parts", "E403")
        return Shape(input_shape.height, input_shape.width, arith.floor_div(input_shape.channels, self.parts))

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"{self.index}/{self.parts}"


@register
class ChannelShuffle(_Rearrange):
    """ShuffleNet's channel shuffle: a permutation of the channels, no cost."""

    kind = "channel_shuffle"
    summary = "permute channels across groups (ShuffleNet); no cost"
    name_prefix = "shuffle"

    groups: int = f.spec_field(f.positive_int, 2, "groups to interleave; must divide the channels")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        arith.require(input_shape.channels % self.groups == 0,
                      lambda: f"groups = {self.groups} must divide the channels ({input_shape.channels})", "E403")
        return input_shape


@register
class SqueezeExcite(Layer):
    """Squeeze-and-excitation (Hu et al. 2018): global average pool, a 1×1 conv down to ``squeeze``
    channels, an activation, a 1×1 conv back up, a gate, and the input scaled by it. Both 1×1 convs have
    biases (as in torchvision). It expands into those rows (``expand_graph``), grouped under its name."""

    kind = "squeeze_excite"
    summary = "squeeze-and-excitation: expands to pool, 1x1 conv, act, 1x1 conv, gate, scale"
    name_prefix = "se"
    in_place = False
    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "graph"
    conv_view = not_a_convolution  # it stands for its graph, which the network holds instead

    squeeze: int = f.spec_field(f.positive_int, doc="channels of the bottleneck, usually an expression "
                                "such as make_divisible(in // 4, 8)", runtime=True)
    activation: str = f.spec_field(f.choice(*f.ACTIVATIONS), "relu", "activation after the first 1x1 conv")
    gate: str = f.spec_field(f.choice(*f.ACTIVATIONS), "sigmoid", "the gate: sigmoid or hard_sigmoid")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale a squeeze given as a plain number")
    name: str | None = f.name_field()

    def expand_graph(self, graph: GraphBuilder) -> int:
        """Add its layers to ``graph``; the node whose output is the construct's."""
        from costcalc.layers.conv import Conv
        from costcalc.layers.pooling import GlobalAvgPool
        from costcalc.layers.simple import Activation

        pool = graph.add("pool", GlobalAvgPool(name="pool"), (graph.input,))
        fc1 = graph.add("fc1", Conv(kernel=(1, 1), filters=self.squeeze, bias=True, fixed=self.fixed, name="fc1"),
                        (pool,))
        act = graph.add(self.activation, Activation(function=self.activation, name=self.activation), (fc1,))
        back = Conv(kernel=(1, 1), filters=graph.input_channels(), bias=True, fixed=True, name="fc2")  # to scale
        fc2 = graph.add("fc2", back, (act,), reads_construct_input=True)
        gate = graph.add("gate", Activation(function=self.gate, name="gate"), (fc2,))
        return graph.add("scale", Scale(name="scale"), (graph.input, gate))
