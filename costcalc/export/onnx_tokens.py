"""Tokens and Linear layers as ONNX (docs/onnx.md, "Export"): a map's positions taken as tokens and back, the
class token, position embeddings, the first token, and ``nn.Linear`` on every token or position, written as
PyTorch's exporter writes them (torchvision/models/vision_transformer.py), so that ``costcalc import`` reads
them back as the same kinds.

Tensors: a feature map is ``N x C x H x W``, tokens ``N x T x C``, a flat tensor ``N x C``.
"""

from __future__ import annotations

from costcalc.engine.results import LayerCost
from costcalc.export.onnx_builder import Builder


def linear(b: Builder, x: str, m: int, n: int, bias: bool, name: str) -> str:
    """``nn.Linear(m, n)`` on the last axis: ``MatMul`` by an ``m x n`` weight and ``Add`` of the bias, as
    ``torch.onnx.export`` writes it for inputs of more than two dimensions; a map is made channels-last first
    and back after (ConvNeXt's and Swin's permutes)."""
    rank = b.rank[x]
    if rank == 4:
        x = b.node("Transpose", [x], f"{name}/nhwc", f"{name}/nhwc", 4, perm=[0, 2, 3, 1])
    weight = b.param(f"{name}.weight", (m, n), fan_in=m)
    out = b.node("MatMul", [x, weight], f"{name}/matmul" if bias or rank == 4 else name,
                 f"{name}/matmul" if bias or rank == 4 else name, rank)
    if bias:
        out = b.node("Add", [out, b.param(f"{name}.bias", (n,), "zero")], name if rank != 4 else f"{name}/add",
                     name if rank != 4 else f"{name}/add", rank)
    if rank == 4:
        out = b.node("Transpose", [out], name, name, 4, perm=[0, 3, 1, 2])
    return out


def token_layer(b: Builder, row: LayerCost, inputs: list[str]) -> str | None:
    """The nodes of a tokens kind or a Linear; None for any other kind."""
    layer, name, kind = row.layer, row.name, row.kind
    x = inputs[0]
    before, after = row.input_shape, row.output_shape
    if kind == "linear":
        return linear(b, x, before.channels, after.channels, bool(getattr(layer, "bias")), name)
    if kind == "tokens":  # x.reshape(n, c, h * w).permute(0, 2, 1)
        rows = b.const(f"{name}/shape", [0, before.channels, before.height * before.width])
        flat = b.node("Reshape", [x, rows], f"{name}/flat", f"{name}/flat", 3)
        return b.node("Transpose", [flat], name, name, 3, perm=[0, 2, 1])
    if kind == "to_map":
        back = b.node("Transpose", [x], f"{name}/nct", f"{name}/nct", 3, perm=[0, 2, 1])
        shape = b.const(f"{name}/shape", [0, after.channels, after.height, after.width])
        return b.node("Reshape", [back, shape], name, name, 4)
    if kind == "class_token":  # torch.cat([class_token.expand(n, -1, -1), x], dim=1)
        token = b.param(f"{name}.class_token", (1, 1, after.channels), "zero")
        shape = b.node("Shape", [x], f"{name}/input_shape", f"{name}/input_shape", 1)
        batch = b.node("Slice", [shape, b.const(f"{name}/zero", [0]), b.const(f"{name}/one", [1])],
                       f"{name}/batch", f"{name}/batch", 1)
        target = b.node("Concat", [batch, b.const(f"{name}/rest", [1, after.channels])], f"{name}/target",
                        f"{name}/target", 1, axis=0)
        tokens = b.node("Expand", [token, target], f"{name}/expand", f"{name}/expand", 3)
        return b.node("Concat", [tokens, x], name, name, 3, axis=1)
    if kind == "position_embedding":  # x + pos_embedding, one vector per token
        count = after.height * after.width
        embedding = b.param(f"{name}.pos_embedding", (1, count, after.channels), "zero")
        return b.node("Add", [x, embedding], name, name, 3)
    if kind == "select_token":  # x[:, 0]
        return b.node("Gather", [x, b.const(f"{name}/index", 0)], name, name, 2, axis=1)
    if kind == "parameters":  # a tensor of the model used outside any module: the note says how large
        return b.node("Identity", [x], name, name, b.rank[x])
    return None
