"""Pooling: windowed average/max pooling and global pooling. No weights, and no Mult-Adds under the
paper's convention (it counts conv and fully connected layers only)."""

from __future__ import annotations

from typing import Any, ClassVar

from costcalc.layers import fields as f
from costcalc.layers import formulas
from costcalc.layers.base import Arith, Layer, Shape, not_a_convolution, size_label, stride_text
from costcalc.layers.components import qualified
from costcalc.layers.registry import register


class _Pool(Layer):
    """The pools' facts: a new tensor, no weights."""

    in_place = False
    channels_follow_resolution = False
    expansion = "itself"
    conv_view = not_a_convolution


class _WindowPool(_Pool):
    fixed_output_size = False
    kernel: tuple[int, int] = f.spec_field(f.pair, doc="window size: 2 or [2, 3]")
    stride: tuple[int, int] | None = f.spec_field(f.pair, None, "stride; defaults to the window size")
    padding: str | tuple[int, int] = f.spec_field(f.padding, "valid", "valid | same | pixels per side")
    ceil_mode: bool = f.spec_field(f.boolean, False, "round the output size up (PyTorch ceil_mode)")
    call: str = f.call_field("module", "functional")
    name: str | None = f.name_field()

    @property
    def step(self) -> tuple[int, int]:
        return self.stride or self.kernel

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        pad = (0, 0) if isinstance(self.padding, str) else self.padding
        mode = self.padding if isinstance(self.padding, str) else "explicit"
        sizes = [
            formulas.conv_output_size(size, k, s, mode, p, 1, arith, self.ceil_mode)
            for size, k, s, p in zip((input_shape.height, input_shape.width), self.kernel, self.step, pad)
        ]
        return Shape(sizes[0], sizes[1], input_shape.channels)

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        prefix = self.kind.replace("_", "")  # maxpool, avgpool
        return qualified({f"{prefix}_in": _elements(input_shape), f"{prefix}_out": _elements(output_shape)}, self.call)

    def group(self) -> str:
        return f"{self.kind} {size_label(self.kernel)}"

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"{self.kernel[0]}×{self.kernel[1]}"

    def stride_label(self) -> str:
        return stride_text(self.step)


@register
class AvgPool(_WindowPool):
    """Average pooling over a window."""

    kind = "avg_pool"
    summary = "average pooling over a window"
    name_prefix = "avg_pool"


@register
class MaxPool(_WindowPool):
    """Max pooling over a window."""

    kind = "max_pool"
    summary = "max pooling over a window"
    name_prefix = "max_pool"


def _elements(shape: Shape) -> Any:
    return shape.height * shape.width * shape.channels


class _GlobalPool(_Pool):
    fixed_output_size = True
    call: str = f.call_field("module", "functional", "method")
    name: str | None = f.name_field()
    component: ClassVar[str]

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return qualified({f"{self.component}_in": _elements(input_shape),
                          f"{self.component}_out": _elements(output_shape)}, self.call)

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return Shape(1, 1, input_shape.channels)

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"{input_shape.height}×{input_shape.width}"


@register
class GlobalAvgPool(_GlobalPool):
    """Average over the whole feature map (any resolution) to 1×1×C: the paper's final 7×7 average pool."""

    kind = "global_avg_pool"
    summary = "average pooling over the whole map, to 1x1xC"
    name_prefix = "global_avg_pool"
    component = "adaptive_avgpool"  # PyTorch's AdaptiveAvgPool2d(1)


@register
class GlobalMaxPool(_GlobalPool):
    """Max over the whole feature map to 1×1×C."""

    kind = "global_max_pool"
    summary = "max pooling over the whole map, to 1x1xC"
    name_prefix = "global_max_pool"
    component = "adaptive_maxpool"  # PyTorch's AdaptiveMaxPool2d(1)


@register
class AdaptiveAvgPool(_Pool):
    """PyTorch's ``AdaptiveAvgPool2d``: average pooling to a fixed output size, whatever the input's."""

    kind = "adaptive_avg_pool"
    summary = "average pooling to a fixed output size (PyTorch AdaptiveAvgPool2d)"
    name_prefix = "adaptive_avg_pool"
    fixed_output_size = True

    size: tuple[int, int] = f.spec_field(f.pair, doc="output size: 7 or [7, 7]")
    call: str = f.call_field("module", "functional")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return Shape(self.size[0], self.size[1], input_shape.channels)

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return qualified({"adaptive_avgpool_in": _elements(input_shape),
                          "adaptive_avgpool_out": _elements(output_shape)}, self.call)

    def group(self) -> str:
        return f"adaptive_avg_pool {size_label(self.size)}"

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"to {self.size[0]}×{self.size[1]}"
