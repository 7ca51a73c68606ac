"""Tokens: a feature map's positions taken as a sequence (a transformer's N x d), and the layers that make,
extend and read them, and the Linear that runs on every token or position.

A sequence of tokens is a ``Tokens`` shape (costcalc.layers.base): ``tokens`` takes a map's h x w positions as
h·w tokens (ViT's ``x.reshape(n, d, h·w).permute(0, 2, 1)``), ``class_token`` joins a learned token in front
(N = h·w + 1), ``position_embedding`` adds a learned vector per token (its parameters follow the number of
tokens, so they change with the resolution, as torchvision's 384-pixel ViT-B/16 shows: 577 x 768 of them
against 197 x 768 at 224), ``select_token`` reads the first token (the classifier's input), ``to_map`` takes
grid tokens back to their map (for hybrids), and ``parameters`` is any other learned tensor used outside a
module. Sources: Dosovitskiy et al. 2021 (arXiv:2010.11929), eq. 1; torchvision/models/vision_transformer.py
(``VisionTransformer._process_input``, ``forward``, ``Encoder``).
"""

from __future__ import annotations

from typing import Any

from costcalc.layers import fields as f
from costcalc.layers.base import Arith, GridTokens, Layer, Shape, Tokens, not_a_convolution
from costcalc.layers.components import qualified
from costcalc.layers.registry import register


class _TokenLayer(Layer):
    """The facts of the layers on this page: none is a convolution or stands for other layers, and none has an
    output size fixed whatever its input."""

    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "itself"
    conv_view = not_a_convolution
    takes_tokens = True


def _needs_tokens(layer: Layer, shape: Shape, arith: Arith) -> None:
    arith.require(isinstance(shape, Tokens), lambda: f"'{layer.kind}' works on tokens, not on a feature map "
                                                     f"({shape}); make tokens of it first (`tokens`)", "E411")


@register
class ToTokens(_TokenLayer):
    """A feature map's ``h x w`` positions as ``h·w`` tokens of its channels (ViT's patches after the patch
    convolution): no cost, a view of the map."""

    kind = "tokens"
    summary = "a feature map's h x w positions as h·w tokens (ViT's patches)"
    name_prefix = "tokens"
    in_place = True
    takes_tokens = False  # it makes them, from a map

    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return GridTokens(*input_shape)


@register
class ToMap(_TokenLayer):
    """Grid tokens back to their ``h x w`` map (a hybrid's way back to convolutions): no cost, a view."""

    kind = "to_map"
    summary = "grid tokens back to their h x w feature map"
    name_prefix = "to_map"
    in_place = True

    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        _needs_tokens(self, input_shape, arith)
        arith.require(isinstance(input_shape, GridTokens),
                      lambda: f"the {input_shape} no longer form a grid (a class token was joined): they cannot be "
                              "taken back to a map", "E411")
        return Shape(*input_shape)


@register
class ClassToken(_TokenLayer):
    """A learned token joined in front of the sequence (BERT's [CLS], ViT eq. 1): ``N + 1`` tokens, ``d``
    parameters (a tensor of the model, outside any module)."""

    kind = "class_token"
    summary = "a learned token joined in front: N + 1 tokens, d parameters"
    name_prefix = "class_token"
    in_place = False  # torch.cat: a new tensor

    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        _needs_tokens(self, input_shape, arith)
        return Tokens(input_shape.height * input_shape.width + 1, 1, input_shape.channels)

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return {"weights.tensor": output_shape.channels}


@register
class PositionEmbedding(_TokenLayer):
    """Learned position embeddings added to the tokens (ViT eq. 1): one vector of ``d`` per token, so ``N·d``
    parameters, which follow the number of tokens (the resolution), and ``N·d`` adds."""

    kind = "position_embedding"
    summary = "learned position embeddings added to the tokens: N·d parameters (they follow the resolution)"
    name_prefix = "pos_embedding"
    in_place = False  # x + pos_embedding: a new tensor

    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        _needs_tokens(self, input_shape, arith)
        return input_shape

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, c = output_shape
        return {"weights.positions": h * w * c, "merge_adds": h * w * c}


@register
class Parameters(_TokenLayer):
    """A learned tensor of ``count`` values that the model uses outside any module (a distillation token, a bias
    table, a learned scale): ``count`` parameters, no Mult-Adds, the shape unchanged. Kinds that own such
    tensors report them themselves (``class_token``, an attention's bias table); this is for the others."""

    kind = "parameters"
    summary = "a learned tensor used outside any module: count parameters, no cost, the shape unchanged"
    name_prefix = "parameters"
    in_place = True

    count: int = f.spec_field(f.positive_int, doc="how many values the tensor holds")
    name: str | None = f.name_field()

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return {"weights.tensor": self.count}


@register
class SelectToken(_TokenLayer):
    """The first token alone (ViT's ``x[:, 0]``, the class token the classifier reads): no cost, a view."""

    kind = "select_token"
    summary = "the first token alone (ViT's x[:, 0], the classifier's input)"
    name_prefix = "select_token"
    in_place = True

    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        _needs_tokens(self, input_shape, arith)
        return Tokens(1, 1, input_shape.channels)


@register
class Linear(_TokenLayer):
    """``nn.Linear`` on the channels of every token (or every position of a map, as ConvNeXt's and Swin's
    blocks run it on NHWC tensors): ``M·N`` Mult-Adds per token, ``M·N`` weights (+ ``N`` biases) -- a 1x1
    convolution's count, which ``costcalc formula``'s eq. 5 derives. Its multiply-accumulates and bias adds are
    the ``.linear`` forms of ``weight_macs`` and ``bias_adds``, and it reports its parameters once more as
    ``linear_params``: counters that look at module types tell a Linear from a convolution (torchinfo counts a
    Linear by its parameters, once, whatever its rows)."""

    kind = "linear"
    summary = "nn.Linear on every token or position: M·N Mult-Adds per token, M·N weights (+N biases)"
    name_prefix = "linear"
    in_place = False

    units: int = f.spec_field(f.positive_int, doc="output channels N; scaled by alpha unless fixed", runtime=True)
    bias: bool = f.spec_field(f.boolean, True, "the layer has a bias per unit")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale units")
    call: str = f.call_field("module", "functional")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return input_shape._replace(channels=arith.channels(self.units, self.fixed))

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        h, w, n = output_shape
        m = input_shape.channels
        costs = {"weight_macs.linear": h * w * m * n, "weights": m * n,
                 "linear_params": m * n + (n if self.bias else 0)}
        if self.bias:
            costs["bias_adds.linear"] = h * w * n
            costs["biases"] = n
        return qualified(costs, self.call)

    def group(self) -> str:
        return "linear"

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"{input_shape.channels}×{output_shape.channels}"
