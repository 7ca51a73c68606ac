"""Fully connected layers."""

from __future__ import annotations

from typing import Any

from costcalc.layers import fields as f
from costcalc.layers import formulas
from costcalc.layers.base import Arith, Layer, Shape, not_a_convolution
from costcalc.layers.registry import register


@register
class FullyConnected(Layer):
    """Fully connected layer on a flat input (1×1×M): ``M·N`` Mult-Adds and ``M·N`` weights — a 1×1
    convolution on a 1×1 map, computed by the same formula."""

    kind = "fc"
    summary = "fully connected layer (needs a 1x1xM input: flatten or global pooling first)"
    name_prefix = "fc"
    in_place = False
    channels_follow_resolution = False
    fixed_output_size = True  # 1x1, whatever the resolution
    expansion = "itself"
    takes_tokens = True  # one token (ViT's class token) is a flat input
    conv_view = not_a_convolution  # a 1x1 convolution on a 1x1 map, but never the pointwise half of a separable pair

    units: int = f.spec_field(f.positive_int, doc="output units N; scaled by alpha unless fixed", runtime=True)
    bias: bool = f.spec_field(f.boolean, True, "the layer has a bias per unit (counted by conventions that count biases)")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale units (set it for the classes)")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        arith.require(
            input_shape.height == 1 and input_shape.width == 1,
            lambda: f"fc needs a flat input (1×1×channels) but gets {input_shape}; "
                    "put a flatten or global_avg_pool layer before it", "E406",
        )
        return Shape(1, 1, arith.channels(self.units, self.fixed))

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        m, n = input_shape.channels, output_shape.channels
        costs = {
            "weight_macs": formulas.conv_mult_adds(1, 1, m, n, 1, 1),
            "weights": formulas.conv_params(1, 1, m, n),
        }
        if self.bias:
            costs["biases"] = n
            costs["bias_adds"] = n
        return costs

    def group(self) -> str:
        return "fc"

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"{input_shape.channels}×{output_shape.channels}"
