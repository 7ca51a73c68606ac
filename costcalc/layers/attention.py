"""Transformer kinds: multi-head self-attention over all tokens (ViT), attention within windows (Swin's shifted
windows, MaxViT's blocks and grids), the MLP block, and Swin's patch merging. Each expands into a small graph of
its parts (``expand_graph``), grouped under its name like a block, so a report shows the projections, the two
activation-by-activation products and the softmax as rows of their own (costcalc.layers.attention_parts).

Sources: Vaswani et al. 2017 (arXiv:1706.03762), eq. 1 and section 3.2.2; Dosovitskiy et al. 2021
(arXiv:2010.11929), eq. 2-3; Liu et al. 2021 (Swin, arXiv:2103.14030), section 3.2 and eq. 4; Liu et al. 2022
(Swin V2, arXiv:2111.09883), eq. 2-4; Tu et al. 2022 (MaxViT, arXiv:2204.01697), section 3.2. As torchvision 0.29.1
runs them: ``nn.MultiheadAttention`` (vision_transformer.py), ``shifted_window_attention`` and
``PatchMerging(V2)`` (swin_transformer.py), ``RelativePositionalMultiHeadAttention`` and
``PartitionAttentionLayer`` (maxvit.py), ``torchvision.ops.MLP``.

``call`` says how the model's code runs each part, which is what counting tools see (docs/conventions.md):

- ``attention``'s ``mha``: inside ``nn.MultiheadAttention`` (its in-projection, ``scaled_dot_product_attention``
  and ``out_proj``); ``module``: ``nn.Linear`` projections, ``q @ k.transpose(-2, -1)``, ``x.softmax(-1)``,
  ``attn @ v`` (timm's ``Attention``).
- ``window_attention``'s ``swin``: ``F.linear`` projections, ``q * scale``, ``q.matmul(k.transpose(-2, -1))``
  (``F.normalize(q) @ F.normalize(k).transpose(-2, -1)`` with ``cosine``), ``F.softmax``, ``attn.matmul(v)``;
  ``maxvit``: ``nn.Linear`` projections, ``k * scale``, ``torch.einsum`` products, ``F.softmax``.
"""

from __future__ import annotations

from costcalc.layers import fields as f
from costcalc.layers.attention_parts import (
    AttentionScale,
    AttentionScores,
    AttentionSoftmax,
    AttentionValues,
    MergeTwoByTwo,
    PositionBiasCoords,
    PositionBiasGather,
    WindowCrop,
    WindowPad,
)
from costcalc.layers.base import GraphBuilder, Layer, not_a_convolution
from costcalc.layers.registry import register
from costcalc.layers.simple import Activation, LayerNorm
from costcalc.layers.tokens import Linear

# how each implementation runs each part: projections, scaling, Q·Kᵀ, softmax, A·V (components qualifiers)
CALLS = {
    "mha": ("mha", "mha", "mha", "mha", "mha"),
    "module": ("module", "operator", "operator", "method", "operator"),
    "swin": ("functional", "operator", "method", "functional", "method"),
    "maxvit": ("module", "operator", "einsum", "functional", "einsum"),
}
SWIN_V2_BIAS_HIDDEN = 512  # Swin V2's continuous position-bias MLP: Linear(2, 512), ReLU, Linear(512, heads)


class _Construct(Layer):
    """The facts of the kinds on this page: each stands for a graph of its own (its parts)."""

    in_place = False
    channels_follow_resolution = False
    fixed_output_size = False
    expansion = "graph"
    conv_view = not_a_convolution  # it stands for its graph, which the network holds instead
    takes_tokens = True


@register
class Attention(_Construct):
    """Multi-head self-attention over all ``N`` tokens (ViT's ``nn.MultiheadAttention``): the in-projection to
    Q, K and V (``3·N·C²``), the scaling of Q, the scores ``Q·Kᵀ`` (``N²·C``), their softmax
    (``heads·N²``), ``A·V`` (``N²·C``) and the output projection (``N·C²``). With ``N = ρ²·h·w + 1`` tokens, the
    products grow as ρ⁴ while everything else grows as ρ² (``report --symbolic``)."""

    kind = "attention"
    summary = "multi-head self-attention over all tokens (ViT): projections, Q·Kᵀ, softmax, A·V"
    name_prefix = "attention"

    heads: int = f.spec_field(f.positive_int, doc="heads; they divide the channels C (head dim C / heads)")
    qkv_bias: bool = f.spec_field(f.boolean, True, "the in-projection has biases")
    proj_bias: bool = f.spec_field(f.boolean, True, "the output projection has biases")
    call: str = f.spec_field(f.choice("mha", "module"), "mha", "how it runs: mha (nn.MultiheadAttention) | module "
                             "(nn.Linear projections, @ products, x.softmax)")
    name: str | None = f.name_field()

    def expand_graph(self, graph: GraphBuilder) -> int:
        projection, scaling, scores, softmax, values = CALLS[self.call]
        qkv = graph.add("in_proj", Linear(units=graph.input_channels(3), bias=self.qkv_bias, call=projection,
                                          name="in_proj"), (graph.input,), reads_construct_input=True)
        scaled = graph.add("scale", AttentionScale(call=scaling, name="scale"), (qkv,))
        scored = graph.add("scores", AttentionScores(heads=self.heads, call=scores, name="scores"), (scaled,))
        probabilities = graph.add("softmax", AttentionSoftmax(call=softmax, name="softmax"), (scored,))
        weighted = graph.add("values", AttentionValues(call=values, name="values"), (probabilities, scaled))
        return graph.add("out_proj", Linear(units=graph.input_channels(), bias=self.proj_bias, call=projection,
                                            name="out_proj"), (weighted,), reads_construct_input=True)


@register
class WindowAttention(_Construct):
    """Multi-head self-attention within windows of ``w x w`` positions of a map: Swin's (shifted) windows,
    MaxViT's blocks and grids. Each query sees the ``w²`` keys of its window, so the products are ``N·w²·C``
    each (linear in the positions N, not quadratic). Swin pads the map to whole windows and crops it after
    (the projections and products run on the padded map); MaxViT requires whole windows. The shift (Swin) and
    the grid partition (MaxViT) move positions around and cost nothing here. ``position_bias``: a learned table
    of ``(2w - 1)²·heads`` (Swin, MaxViT), or Swin V2's continuous MLP ``2 -> 512 -> heads`` on ``(2w - 1)²``
    log-spaced coordinates (a cost that does not follow the resolution); ``cosine``: Swin V2's cosine
    attention with a learned logit scale per head."""

    kind = "window_attention"
    summary = "multi-head self-attention within w x w windows of a map (Swin, MaxViT)"
    name_prefix = "window_attention"
    takes_tokens = False

    window: int = f.spec_field(f.positive_int, doc="w: windows (partitions) of w x w positions")
    heads: int | None = f.spec_field(f.positive_int, None, "heads (or give head_dim)")
    head_dim: int | None = f.spec_field(f.positive_int, None, "channels per head: heads = C / head_dim (MaxViT)")
    shift: bool = f.spec_field(f.boolean, False, "shifted windows (Swin's odd blocks): no cost of its own")
    partition: str = f.spec_field(f.choice("window", "grid"), "window", "window | grid (MaxViT's two "
                                  "partitions; the same cost)")
    position_bias: str = f.spec_field(f.choice("table", "mlp", "none"), "table", "table | mlp (Swin V2) | none")
    cosine: bool = f.spec_field(f.boolean, False, "cosine attention with a learned logit scale per head (Swin V2)")
    qkv_bias: bool = f.spec_field(f.boolean, True, "the in-projection has biases")
    proj_bias: bool = f.spec_field(f.boolean, True, "the output projection has biases")
    call: str = f.spec_field(f.choice("swin", "maxvit"), "swin", "how it runs: swin (torchvision's "
                             "shifted_window_attention) | maxvit (torchvision's MaxViT attention)")
    name: str | None = f.name_field()

    def expand_graph(self, graph: GraphBuilder) -> int:
        projection, scaling, scores, softmax, values = CALLS[self.call]
        if self.cosine:
            scores = "operator"  # F.normalize(q) @ F.normalize(k).transpose(-2, -1)
        swin = self.call == "swin"
        padded = graph.add("pad", WindowPad(window=self.window, pad=swin, name="pad"), (graph.input,))
        qkv = graph.add("qkv", Linear(units=graph.input_channels(3), bias=self.qkv_bias, call=projection, name="qkv"),
                        (padded,), reads_construct_input=True)
        if not self.cosine:
            qkv = graph.add("scale", AttentionScale(call=scaling, name="scale"), (qkv,))
        scored = graph.add("scores", AttentionScores(
            heads=self.heads, head_dim=self.head_dim, window=self.window, table=self.position_bias == "table",
            logit_scale=self.cosine, call=scores, name="scores"), (qkv,))
        inputs: tuple[int, ...] = (scored,)
        if self.position_bias == "mlp":
            inputs = (scored, self._bias_mlp(graph, padded))
        probabilities = graph.add("softmax", AttentionSoftmax(call=softmax, name="softmax"), inputs)
        weighted = graph.add("values", AttentionValues(call=values, name="values"), (probabilities, qkv))
        out = graph.add("proj", Linear(units=graph.input_channels(), bias=self.proj_bias, call=projection,
                                       name="proj"), (weighted,), reads_construct_input=True)
        return graph.add("crop", WindowCrop(name="crop"), (out, graph.input)) if swin else out

    def _bias_mlp(self, graph: GraphBuilder, source: int) -> int:
        """Swin V2's ``cpb_mlp`` on its coordinates table, its outputs gathered for every pair of a window and
        squashed to (0, 16) by ``16 * torch.sigmoid``."""
        coords = graph.add("coords", PositionBiasCoords(window=self.window, name="coords"), (source,))
        hidden = graph.add("cpb_fc1", Linear(units=SWIN_V2_BIAS_HIDDEN, fixed=True, name="cpb_fc1"), (coords,))
        relu = graph.add("cpb_relu", Activation(function="relu", name="cpb_relu"), (hidden,))
        table = graph.add("cpb_fc2", Linear(units=self.heads or 1, bias=False, fixed=True, name="cpb_fc2"), (relu,))
        pairs = graph.add("gather", PositionBiasGather(window=self.window, name="gather"), (table,))
        return graph.add("sigmoid", Activation(function="sigmoid", call="method", name="sigmoid"), (pairs,))


@register
class MLP(_Construct):
    """A transformer's MLP block (torchvision.ops.MLP): ``nn.Linear`` to ``hidden``, the activation,
    ``nn.Linear`` back to the input's channels, both with biases: ``2·N·C·hidden`` Mult-Adds. Its dropouts are
    the identity at inference."""

    kind = "mlp"
    summary = "transformer MLP: Linear to hidden, activation, Linear back (torchvision.ops.MLP)"
    name_prefix = "mlp"

    hidden: int = f.spec_field(f.positive_int, doc="hidden channels; scaled by alpha unless fixed (an "
                               "expression such as 4 * in reads the channels flowing in)", runtime=True)
    activation: str = f.spec_field(f.choice(*f.ACTIVATIONS), "gelu", "the activation between the two Linears")
    bias: bool = f.spec_field(f.boolean, True, "both Linears have biases")
    fixed: bool = f.spec_field(f.boolean, False, "alpha does not scale a hidden size given as a plain number")
    name: str | None = f.name_field()

    def expand_graph(self, graph: GraphBuilder) -> int:
        fc1 = graph.add("fc1", Linear(units=self.hidden, bias=self.bias, fixed=self.fixed, name="fc1"), (graph.input,))
        act = graph.add(self.activation, Activation(function=self.activation, name=self.activation), (fc1,))
        return graph.add("fc2", Linear(units=graph.input_channels(), bias=self.bias, fixed=True, name="fc2"), (act,),
                         reads_construct_input=True)


@register
class PatchMerging(_Construct):
    """Swin's patch merging: each 2 x 2 block of positions stacked to ``4C`` channels (the map padded to even
    sizes), a layer norm and a Linear to ``2C`` without bias (``norm: pre``, Swin); Swin V2 normalises after
    the Linear, over ``2C`` (``norm: post``)."""

    kind = "patch_merging"
    summary = "Swin's patch merging: 2x2 positions to 4C channels, layer norm, Linear to 2C"
    name_prefix = "patch_merging"
    takes_tokens = False

    norm: str = f.spec_field(f.choice("pre", "post"), "pre", "the layer norm before the Linear (Swin) or after "
                             "it (Swin V2)")
    name: str | None = f.name_field()

    def expand_graph(self, graph: GraphBuilder) -> int:
        merged = graph.add("gather", MergeTwoByTwo(name="gather"), (graph.input,))
        reduction = Linear(units=graph.input_channels(2), bias=False, name="reduction")
        if self.norm == "pre":
            norm = graph.add("norm", LayerNorm(name="norm"), (merged,))
            return graph.add("reduction", reduction, (norm,), reads_construct_input=True)
        reduced = graph.add("reduction", reduction, (merged,), reads_construct_input=True)
        return graph.add("norm", LayerNorm(name="norm"), (reduced,))

