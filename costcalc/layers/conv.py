"""Convolutions: standard (and grouped), depthwise, pointwise, and the depthwise-separable pair.

Formulas: ``costcalc.layers.formulas.conv_mult_adds`` / ``conv_params`` (MobileNets eq. 2, 4, 5); output size:
``costcalc.layers.formulas.conv_output_size`` (TF's ``same``/``valid``, PyTorch's explicit padding).
"""

from __future__ import annotations

from typing import Any

from costcalc.layers import fields as f
from costcalc.layers import formulas
from costcalc.layers.base import Arith, ConvView, Layer, Shape, not_a_convolution, size_label, stride_text
from costcalc.layers.registry import register


def _spatial(layer: Any, input_shape: Shape, arith: Arith) -> tuple[Any, Any]:
    kernel, stride, dilation, padding = layer.kernel, layer.stride, layer.dilation, layer.padding
    pad = (0, 0) if isinstance(padding, str) else padding
    mode = padding if isinstance(padding, str) else "explicit"
    height = formulas.conv_output_size(input_shape.height, kernel[0], stride[0], mode, pad[0], dilation[0], arith)
    width = formulas.conv_output_size(input_shape.width, kernel[1], stride[1], mode, pad[1], dilation[1], arith)
    return height, width


def _weighted_costs(kernel: tuple[int, int], m: Any, output_shape: Shape, groups: Any, bias: bool) -> dict[str, Any]:
    n, h, w = output_shape.channels, output_shape.height, output_shape.width
    costs = {
        "weight_macs": formulas.conv_mult_adds(kernel[0], kernel[1], m, n, h, w, groups),
        "weights": formulas.conv_params(kernel[0], kernel[1], m, n, groups),
    }
    if bias:
        costs["biases"] = n
        costs["bias_adds"] = n * h * w
    return costs


class _Convolution(Layer):
    """The convolutions' facts: each computes a new tensor whose size follows its input's."""

    in_place = False
    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "itself"


@register
class Conv(_Convolution):
    """Standard convolution, optionally grouped: ``D_K·D_K·(M/groups)·N·D_F·D_F`` Mult-Adds,
    ``D_K·D_K·(M/groups)·N`` weights (MobileNets eq. 2)."""

    kind = "conv"
    summary = "standard convolution (grouped with groups > 1)"
    name_prefix = "conv"

    kernel: tuple[int, int] = f.spec_field(f.pair, doc="kernel size D_K: 3 or [3, 1]")
    filters: int = f.spec_field(f.positive_int, doc="output channels N; scaled by alpha unless fixed", runtime=True)
    stride: tuple[int, int] = f.spec_field(f.pair, (1, 1), "stride: 2 or [2, 1]")
    padding: str | tuple[int, int] = f.spec_field(f.padding, "same", "same | valid | pixels per side")
    dilation: tuple[int, int] = f.spec_field(f.pair, (1, 1), "kernel dilation")
    groups: int = f.spec_field(f.positive_int, 1, "groups; must divide input and output channels", runtime=True)
    bias: bool = f.spec_field(f.boolean, False, "the layer has a bias term per filter")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale filters")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        n = arith.channels(self.filters, self.fixed)
        arith.require(
            input_shape.channels % self.groups == 0 and n % self.groups == 0,
            lambda: f"groups = {self.groups} must divide the input channels ({input_shape.channels}) "
                    f"and the filters ({n})", "E403",
        )
        height, width = _spatial(self, input_shape, arith)
        return Shape(height, width, n)

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return _weighted_costs(self.kernel, input_shape.channels, output_shape, self.groups, self.bias)

    def conv_view(self) -> ConvView:
        return ConvView(self.kernel, self.stride, self.padding, self.dilation, self.groups)

    def group(self) -> str:
        prefix = "conv" if self.groups == 1 else "group conv"
        return f"{prefix} {size_label(self.kernel)}"

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        per_group = input_shape.channels // self.groups
        return f"{self.kernel[0]}×{self.kernel[1]}×{per_group}×{output_shape.channels}"

    def stride_label(self) -> str:
        return stride_text(self.stride)


@register
class Depthwise(_Convolution):
    """Depthwise convolution: one ``D_K × D_K`` filter per input channel (times the depth multiplier):
    ``D_K·D_K·M·D_F·D_F`` Mult-Adds, ``D_K·D_K·M`` weights (MobileNets eq. 4). It is a convolution with
    ``groups = M`` and ``N = M·depth_multiplier``, and is computed as one."""

    kind = "depthwise"
    summary = "depthwise convolution (one filter per input channel)"
    name_prefix = "conv_dw"

    kernel: tuple[int, int] = f.spec_field(f.pair, doc="kernel size D_K")
    stride: tuple[int, int] = f.spec_field(f.pair, (1, 1), "stride")
    padding: str | tuple[int, int] = f.spec_field(f.padding, "same", "same | valid | pixels per side")
    dilation: tuple[int, int] = f.spec_field(f.pair, (1, 1), "kernel dilation")
    depth_multiplier: int = f.spec_field(f.positive_int, 1, "output channels per input channel")
    bias: bool = f.spec_field(f.boolean, False, "the layer has a bias term per output channel")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        height, width = _spatial(self, input_shape, arith)
        return Shape(height, width, input_shape.channels * self.depth_multiplier)

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        m = input_shape.channels
        return _weighted_costs(self.kernel, m, output_shape, m, self.bias)

    def conv_view(self) -> ConvView:
        return ConvView(self.kernel, self.stride, self.padding, self.dilation, None, self.depth_multiplier)

    def group(self) -> str:
        return f"depthwise {size_label(self.kernel)}"

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        multiplier = f"×{self.depth_multiplier}" if self.depth_multiplier != 1 else ""
        return f"{self.kernel[0]}×{self.kernel[1]}×{input_shape.channels}{multiplier} dw"

    def stride_label(self) -> str:
        return stride_text(self.stride)


@register
class Pointwise(_Convolution):
    """Pointwise (1×1) convolution: ``M·N·D_F·D_F`` Mult-Adds, ``M·N`` weights (MobileNets eq. 5,
    second term)."""

    kind = "pointwise"
    summary = "pointwise (1x1) convolution"
    name_prefix = "conv_pw"

    filters: int = f.spec_field(f.positive_int, doc="output channels N; scaled by alpha unless fixed", runtime=True)
    stride: tuple[int, int] = f.spec_field(f.pair, (1, 1), "stride")
    groups: int = f.spec_field(f.positive_int, 1, "groups (ShuffleNet-style grouped 1x1)", runtime=True)
    bias: bool = f.spec_field(f.boolean, False, "the layer has a bias term per filter")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale filters")
    name: str | None = f.name_field()

    def as_conv(self) -> Conv:
        return Conv(kernel=(1, 1), filters=self.filters, stride=self.stride, padding="same",
                    groups=self.groups, bias=self.bias, fixed=self.fixed, name=self.name)

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return self.as_conv().output_shape(input_shape, arith)

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return self.as_conv().costs(input_shape, output_shape, arith)

    def conv_view(self) -> ConvView:
        return self.as_conv().conv_view()

    def group(self) -> str:
        return self.as_conv().group()

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return self.as_conv().filter_label(input_shape, output_shape)

    def stride_label(self) -> str:
        return stride_text(self.stride)


@register
class Separable(_Convolution):
    """Depthwise-separable convolution (MobileNets Fig. 3): sugar for a depthwise ``D_K × D_K`` layer
    followed by a pointwise 1×1 layer, each optionally followed by batch norm and an activation. It
    expands into those rows; costs come from them (eq. 5: ``D_K·D_K·M·D_F·D_F + M·N·D_F·D_F``)."""

    kind = "separable"
    summary = "depthwise-separable convolution: expands to depthwise + pointwise rows"
    name_prefix = "conv_sep"
    expansion = "chain"
    conv_view = not_a_convolution  # it stands for two convolutions, which the network holds instead

    kernel: tuple[int, int] = f.spec_field(f.pair, doc="depthwise kernel size D_K")
    filters: int = f.spec_field(f.positive_int, doc="pointwise output channels N; scaled by alpha", runtime=True)
    stride: tuple[int, int] = f.spec_field(f.pair, (1, 1), "depthwise stride")
    padding: str | tuple[int, int] = f.spec_field(f.padding, "same", "depthwise padding")
    dilation: tuple[int, int] = f.spec_field(f.pair, (1, 1), "depthwise kernel dilation")
    depth_multiplier: int = f.spec_field(f.positive_int, 1, "depthwise channel multiplier")
    bias: bool = f.spec_field(f.boolean, False, "both convolutions have bias terms")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale the pointwise filters")
    batch_norm: bool = f.spec_field(f.boolean, False, "a batch_norm after each of the two convolutions")
    activation: str | None = f.spec_field(f.choice(*f.ACTIVATIONS), None, "an activation after each (after its batch_norm)")
    name: str | None = f.name_field()

    def expand(self) -> tuple[Layer, ...]:
        from costcalc.layers.simple import Activation, BatchNorm

        def named(suffix: str) -> str | None:
            return f"{self.name}_{suffix}" if self.name else None

        def followers(prefix: str) -> list[Layer]:
            after: list[Layer] = []
            if self.batch_norm:
                after.append(BatchNorm(name=named(f"{prefix}_bn")))
            if self.activation:
                after.append(Activation(function=self.activation, name=named(f"{prefix}_{self.activation}")))
            return after

        depthwise = Depthwise(kernel=self.kernel, stride=self.stride, padding=self.padding, dilation=self.dilation,
                              depth_multiplier=self.depth_multiplier, bias=self.bias, name=named("dw"))
        pointwise = Pointwise(filters=self.filters, bias=self.bias, fixed=self.fixed, name=named("pw"))
        return (depthwise, *followers("dw"), pointwise, *followers("pw"))
