"""Layers without weights that change nothing or only the shape: batch norm, activations, flatten,
dropout, softmax. None has Mult-Adds under the paper's convention; batch norm reports its per-channel
parameters so that conventions which count them can."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, ClassVar

from costcalc.layers import fields as f
from costcalc.layers.base import Arith, Layer, Shape, not_a_convolution
from costcalc.layers.components import qualified
from costcalc.layers.registry import register, shorthand


class _Elementwise(Layer):
    """The facts of the layers on this page but softmax: the output's size is the input's (or, for flatten,
    its elements), and none is a convolution or stands for other layers."""

    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "itself"
    conv_view = not_a_convolution


class _AfterPrevious(_Elementwise):
    """Named after the layer it follows when unnamed: ``conv_dw_3`` -> ``conv_dw_3_bn``, as Keras does."""

    suffix: ClassVar[str] = ""
    follows_previous = True

    def default_name(self, previous: str | None, counters: dict[str, int]) -> str:
        if previous is None:
            return super().default_name(previous, counters)
        return f"{previous}_{self.suffix or self.name_prefix}"


@register
class BatchNorm(_AfterPrevious):
    """Batch normalisation: per channel a scale and shift (γ, β, trainable) and a running mean and variance
    (not trainable). Folded into the preceding convolution at inference: no Mult-Adds in the paper."""

    kind = "batch_norm"
    summary = "batch normalisation (2 trainable + 2 running statistics per channel)"
    name_prefix = "bn"
    in_place = True
    runs_unfused = True

    name: str | None = f.name_field()

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        return {"bn_affine": 2 * c, "bn_stats": 2 * c, "bn_elements": h * w * c}


@register
class Activation(_AfterPrevious):
    """An elementwise activation function."""

    kind = "activation"
    summary = "elementwise activation (relu, relu6, hard_swish, ...)"
    name_prefix = "act"
    in_place = True
    runs_unfused = True

    takes_tokens = True

    function: str = f.spec_field(f.choice(*f.ACTIVATIONS), "relu", "the function")
    call: str = f.call_field("module", "functional", "method")
    name: str | None = f.name_field()

    @property
    def suffix(self) -> str:  # type: ignore[override]
        return self.function

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        function = "silu" if self.function == "swish" else self.function  # the same function, two names
        return qualified({f"act_{function}": h * w * c}, self.call)

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return self.function


for _function in f.ACTIVATIONS:
    shorthand(_function, "activation", function=_function)


@register
class Flatten(_Elementwise):
    """Reshape H×W×C to 1×1×(H·W·C)."""

    kind = "flatten"
    summary = "reshape HxWxC to 1x1x(H*W*C)"
    name_prefix = "flatten"
    in_place = True  # a view of its input
    channels_follow_resolution = True
    fixed_output_size = True  # 1x1

    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        h, w, c = input_shape
        return Shape(1, 1, h * w * c)


@register
class Dropout(_Elementwise):
    """Dropout: the identity at inference."""

    kind = "dropout"
    summary = "dropout (the identity at inference)"
    name_prefix = "dropout"
    in_place = True
    takes_tokens = True

    rate: Fraction = f.spec_field(f.probability, Fraction(0), "drop probability (documentation only)")
    name: str | None = f.name_field()


@register
class Softmax(_Elementwise):
    """Softmax over the channels: the classifier's output."""

    kind = "softmax"
    summary = "softmax over the channels"
    name_prefix = "softmax"
    in_place = False  # a new tensor of probabilities
    takes_tokens = True

    call: str = f.call_field("module", "functional", "method")
    name: str | None = f.name_field()

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        return qualified({"softmax_elements": h * w * c, "softmax_rows": h * w}, self.call)


@register
class LayerNorm(_AfterPrevious):
    """Layer normalisation over the channels at each position (ConvNeXt's LayerNorm2d): a scale and a
    shift per channel (γ, β). No Mult-Adds under the paper's or torchvision's convention."""

    kind = "layer_norm"
    summary = "layer normalisation over the channels (2 trainable per channel)"
    name_prefix = "ln"
    in_place = False  # it reads every channel of a position before writing any: a new tensor
    takes_tokens = True

    call: str = f.call_field("module", "subclass", "functional")
    name: str | None = f.name_field()

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        return qualified({"norm_affine": 2 * c, "ln_elements": h * w * c}, self.call)


@register
class LayerScale(_AfterPrevious):
    """ConvNeXt's layer scale: the map multiplied by a learned per-channel γ (one parameter per channel)."""

    kind = "layer_scale"
    summary = "per-channel learned scale (ConvNeXt): 1 parameter per channel"
    name_prefix = "layer_scale"
    in_place = True
    runs_unfused = True
    takes_tokens = True

    name: str | None = f.name_field()

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        return {"layer_scale": c, "scale_muls": h * w * c}


@register
class StochasticDepth(_Elementwise):
    """Stochastic depth (drop path): the identity at inference."""

    kind = "stochastic_depth"
    summary = "stochastic depth / drop path (the identity at inference)"
    name_prefix = "drop_path"
    in_place = True
    takes_tokens = True

    rate: Fraction = f.spec_field(f.probability, Fraction(0), "drop probability (documentation only)")
    name: str | None = f.name_field()
