"""The parts an attention expands into (costcalc.layers.attention), each a row of a report: the query scaling,
the scores ``Q·Kᵀ``, their softmax, the weighted sum ``A·V``, and for windows the padding, the crop and Swin V2's
relative-position MLP. The spec never writes them; ``attention`` and ``window_attention`` put them in.

Why the products are layers of their own: they multiply an activation by an activation (no weights), so their
cost grows with the square of the tokens a query sees, and their scores are an activation of ``heads x N x N``
elements that a report must show in the memory peak and a roofline must move. The scores are a shape like any
other, ``tokens x keys x heads`` (N x N x heads for global attention, N x w² x heads for windows of w x w), so
``Q·Kᵀ`` is ``C`` Mult-Adds per element of it and ``A·V`` the same per element it reads: a width factor times
an area, which the compiled grid and the closed form both use (ρ⁴ for global attention: N² = (ρ²·h·w + 1)²).

Formulas (Vaswani et al. 2017, eq. 1, per head of ``d_h = C / heads`` channels, summed over the heads):
``Q·Kᵀ``: N·K·d_h per head, N·K·C in all; ``A·V``: the same; softmax: heads·N·K elements; the scaling of Q (or
K) by 1/√d_h: N·C multiplies.
"""

from __future__ import annotations

from typing import Any

from costcalc.layers import fields as f
from costcalc.layers.base import Arith, Layer, Shape, Tokens, not_a_convolution
from costcalc.layers.components import qualified
from costcalc.layers.graph import Merge
from costcalc.layers.registry import register_internal


class _Part(Layer):
    """The facts of an attention's parts: none is a convolution or stands for other layers."""

    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "itself"
    conv_view = not_a_convolution
    takes_tokens = True


def heads_of(layer: Any, channels: Any, arith: Arith) -> Any:
    """The heads of ``channels``: ``layer.heads``, or ``channels / layer.head_dim`` (MaxViT); they must divide."""
    if layer.heads:
        arith.require(channels % layer.heads == 0, lambda: f"{layer.heads} heads do not divide the {channels} "
                                                            "channels", "E412")
        return layer.heads
    arith.require(bool(layer.head_dim), lambda: "give the attention its 'heads' or its 'head_dim'", "E412")
    arith.require(channels % layer.head_dim == 0, lambda: f"heads of {layer.head_dim} channels do not divide the "
                                                           f"{channels} channels", "E412")
    return arith.floor_div(channels, layer.head_dim)


def _queries(qkv: Shape, arith: Arith) -> Any:
    """C, the channels of Q (and of K and V) in a shape that holds Q, K and V side by side (3·C channels)."""
    arith.require(qkv.channels % 3 == 0, lambda: f"{qkv.channels} channels are not Q, K and V side by side", "E412")
    return arith.floor_div(qkv.channels, 3)


@register_internal
class AttentionScale(_Part):
    """Q (or K) multiplied by ``1/√d_h``: ``N·C`` multiplies, in place on the projections."""

    kind = "attention_scale"
    summary = "queries (or keys) times 1/sqrt(head dim)"
    name_prefix = "scale"
    in_place = True

    call: str = f.spec_field(f.text, "operator", "how it is done (a components qualifier)")
    name: str | None = f.name_field()

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        return qualified({"scale_muls": input_shape.height * input_shape.width * _queries(input_shape, arith)},
                         self.call)


@register_internal
class AttentionScores(_Part):
    """``Q·Kᵀ``: every query against the ``K`` keys it sees (all ``N`` tokens, or the ``w²`` of its window), in
    every head: ``N·K·C`` multiply-accumulates; the output is the scores, ``N x K x heads``. Its parameters are
    the learned tensors the scores use: a relative-position bias table of ``(2w - 1)²·heads`` (Swin, MaxViT), or
    Swin V2's logit scale, one per head."""

    kind = "attention_scores"
    summary = "attention scores Q·Kᵀ: N·K·C multiply-accumulates, an N x K x heads activation"
    name_prefix = "scores"
    in_place = False

    heads: int | None = f.spec_field(f.positive_int, None, "heads")
    head_dim: int | None = f.spec_field(f.positive_int, None, "channels per head (heads = C / head_dim)")
    window: int = f.spec_field(f.non_negative_int, 0, "w: each query sees a window of w x w keys; 0: all tokens")
    table: bool = f.spec_field(f.boolean, False, "a relative-position bias table of (2w - 1)² x heads")
    logit_scale: bool = f.spec_field(f.boolean, False, "a learned logit scale per head (cosine attention)")
    call: str = f.spec_field(f.text, "method", "how Q·Kᵀ is done (a components qualifier)")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        channels = _queries(input_shape, arith)
        tokens = input_shape.height * input_shape.width
        keys = self.window * self.window if self.window else tokens
        return Shape(tokens, keys, heads_of(self, channels, arith))

    def costs(self, input_shape: Shape, output_shape: Shape, arith: Arith) -> dict[str, Any]:
        tokens, keys, heads = output_shape
        costs = qualified({"weight_macs.qk": tokens * keys * _queries(input_shape, arith)}, self.call)
        tensors = (self.table and (2 * self.window - 1) ** 2 * heads) + (self.logit_scale and heads)
        if tensors:
            costs["weights.tensor"] = tensors
        return costs

    def filter_label(self, input_shape: Shape, output_shape: Shape) -> str:
        return f"{output_shape.channels} heads"


@register_internal
class AttentionSoftmax(_Part, Merge):
    """The softmax of every query's scores over its keys: ``heads·N·K`` elements, a new activation of the
    scores' size. Its inputs are the scores and, for Swin V2, the relative-position bias added to them."""

    kind = "attention_softmax"
    summary = "softmax of the attention scores over the keys"
    name_prefix = "softmax"
    in_place = False

    call: str = f.spec_field(f.text, "functional", "how it is done (a components qualifier)")
    name: str | None = f.name_field()

    def merge_shape(self, inputs: tuple[Shape, ...], arith: Arith) -> Shape:
        scores = inputs[0]
        for bias in inputs[1:]:
            arith.require(bias.channels == scores.channels,
                          lambda: f"the position bias has {bias.channels} heads and the scores {scores.channels} "
                                  "(Swin V2's bias MLP needs 'heads', not 'head_dim')", "E412")
        return scores

    def merge_costs(self, inputs: tuple[Shape, ...], output_shape: Shape, arith: Arith) -> dict[str, Any]:
        tokens, keys, heads = output_shape
        return qualified({"softmax_elements": tokens * keys * heads}, self.call)


@register_internal
class AttentionValues(_Part, Merge):
    """``A·V``: the probabilities times the values, ``N·K·C`` multiply-accumulates (as many per score it reads);
    the output is the values' tokens, ``C`` channels (the heads side by side)."""

    kind = "attention_values"
    summary = "attention's weighted sum A·V: N·K·C multiply-accumulates"
    name_prefix = "values"
    in_place = False

    call: str = f.spec_field(f.text, "method", "how A·V is done (a components qualifier)")
    name: str | None = f.name_field()

    def merge_shape(self, inputs: tuple[Shape, ...], arith: Arith) -> Shape:
        probabilities, qkv = inputs
        return qkv._replace(channels=_queries(qkv, arith))

    def merge_costs(self, inputs: tuple[Shape, ...], output_shape: Shape, arith: Arith) -> dict[str, Any]:
        tokens, keys, _heads = inputs[0]
        return qualified({"weight_macs.av": tokens * keys * output_shape.channels}, self.call)

    def merge_label(self, inputs: tuple[Shape, ...], output_shape: Shape) -> str:
        return f"{inputs[0].channels} heads"


@register_internal
class WindowPad(_Part):
    """A map padded at the bottom and right to whole windows of ``w x w`` (Swin: ``F.pad``), or checked to be
    made of whole windows (MaxViT, which refuses any other size): no cost."""

    kind = "window_pad"
    summary = "a map padded to whole windows (Swin), or checked to be whole windows (MaxViT)"
    name_prefix = "pad"
    in_place = True
    takes_tokens = False

    window: int = f.spec_field(f.positive_int, doc="w")
    pad: bool = f.spec_field(f.boolean, True, "pad to whole windows; false: require them")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        w = self.window
        if not self.pad:
            arith.require(input_shape.height % w == 0 and input_shape.width % w == 0,
                          lambda: f"the {input_shape} map is not made of whole {w}×{w} partitions (its height and "
                                  f"width must be multiples of {w})", "E413")
            return input_shape
        return Shape(arith.ceil_div(input_shape.height, w) * w, arith.ceil_div(input_shape.width, w) * w,
                     input_shape.channels)


@register_internal
class WindowCrop(_Part, Merge):
    """The padded map cropped back to the size of the map that was padded (its second input): a view."""

    kind = "window_crop"
    summary = "a padded map cropped back to its size before padding"
    name_prefix = "crop"
    in_place = True
    takes_tokens = False

    name: str | None = f.name_field()

    def merge_shape(self, inputs: tuple[Shape, ...], arith: Arith) -> Shape:
        padded, original = inputs
        return Shape(original.height, original.width, padded.channels)


@register_internal
class PositionBiasCoords(_Part):
    """Swin V2's table of relative coordinates, ``(2w - 1)²`` pairs (a buffer of the model, log-spaced), the
    input of its continuous position-bias MLP: tokens of 2 channels, whatever the resolution."""

    kind = "position_bias_coords"
    summary = "Swin V2's (2w - 1)² relative coordinates (log-spaced), input of its bias MLP"
    name_prefix = "coords"
    in_place = False
    fixed_output_size = True

    window: int = f.spec_field(f.positive_int, doc="w")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return Tokens((2 * self.window - 1) ** 2, 1, 2)


@register_internal
class PositionBiasGather(_Part):
    """The bias of every (query, key) pair of a window gathered from the per-offset table: ``w² x w² x heads``
    (an index, no arithmetic)."""

    kind = "position_bias_gather"
    summary = "the relative-position bias of every pair of a window, gathered from its table"
    name_prefix = "gather"
    in_place = False
    fixed_output_size = True

    window: int = f.spec_field(f.positive_int, doc="w")
    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        pairs = self.window * self.window
        return Shape(pairs, pairs, input_shape.channels)


@register_internal
class MergeTwoByTwo(_Part):
    """Swin's patch merging gather: each 2 x 2 block of positions stacked along the channels, the map padded to
    even sizes first: ``ceil(h/2) x ceil(w/2) x 4C``, no arithmetic (``torch.cat`` of four strided views)."""

    kind = "merge_2x2"
    summary = "each 2x2 block of positions stacked along the channels (Swin's patch merging)"
    name_prefix = "gather"
    in_place = False
    takes_tokens = False

    name: str | None = f.name_field()

    def output_shape(self, input_shape: Shape, arith: Arith) -> Shape:
        return Shape(arith.ceil_div(input_shape.height, 2), arith.ceil_div(input_shape.width, 2),
                     4 * input_shape.channels)
