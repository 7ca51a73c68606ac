"""The parts of an attention as ONNX (docs/onnx.md, "Export"): the rows ``attention``, ``window_attention`` and
``patch_merging`` expand into (costcalc.layers.attention_parts), each written as the few nodes PyTorch's
exporter writes for it, so that ONNX Runtime runs the export and its output has the report's shape.

- ``scores``: Q, K and V are the projection's three thirds, ``Reshape(B, K, 3, heads, d)`` then
  ``Transpose(2, 0, 3, 1, 4)`` and a ``Gather`` each (``nn.MultiheadAttention``'s and Swin's
  ``qkv.reshape(...).permute(...)``); ``Q·Kᵀ`` a ``MatMul``; a relative-position bias table is gathered by
  Swin's ``relative_position_index`` and added; Swin V2's cosine attention normalises Q and K
  (``LpNormalization``) and multiplies by the logit scale.
- windows (``window_attention``): the map is rolled by half a window for a shifted one (``torch.roll`` as
  ``Slice``s and a ``Concat``), cut into ``w x w`` windows, or MaxViT's grid of ``w x w`` positions spread over
  the map (``Reshape`` and ``Transpose``), and put back after ``A·V``. Swin's attention mask for shifted
  windows, a constant added to the scores that changes no shape and no count, is not written.
- ``values``: ``A·V`` a ``MatMul`` by V, the heads side by side again.
- padding to whole windows is a ``Pad``, the crop after it a ``Slice``; patch merging's 2 x 2 gather is four
  strided ``Slice``s and a ``Concat`` (``torch.cat([x0, x1, x2, x3], -1)``).

Every node of a construct carries its note (costcalc.onnx.notes), from which ``costcalc import`` reads the
construct back whole: its reshapes cannot say what they stand for.
"""

from __future__ import annotations

from typing import Any

from costcalc.engine.results import LayerCost
from costcalc.export.onnx_builder import Builder

ROLL_END = 2**62  # a Slice's end past any axis


def _windows(b: Builder, x: str, shape: Any, construct: Any, name: str) -> tuple[str, int]:
    """``x`` (``N x C x H x W``) as ``B x w² x C`` windows (or MaxViT's grids), shifted first for a shifted
    window; for tokens (``N x T x C``), ``x`` itself. Also the number of keys a query sees."""
    window = getattr(construct, "window", 0)
    if not window:
        return x, shape.height * shape.width
    if getattr(construct, "shift", False):
        x = _roll(b, x, shape, window // 2, f"{name}/shift")
    c, h, w = shape.channels, shape.height // window, shape.width // window
    grid = getattr(construct, "partition", "window") == "grid"
    split = [-1, c, window, h, window, w] if grid else [-1, c, h, window, w, window]
    perm = [0, 3, 5, 2, 4, 1] if grid else [0, 2, 4, 3, 5, 1]
    cut = b.node("Reshape", [x, b.const(f"{name}/cut_shape", split)], f"{name}/cut", f"{name}/cut", 6)
    moved = b.node("Transpose", [cut], f"{name}/windows6", f"{name}/windows6", 6, perm=perm)
    flat = b.const(f"{name}/windows_shape", [-1, window * window, c])
    return b.node("Reshape", [moved, flat], f"{name}/windows", f"{name}/windows", 3), window * window


def _unwindow(b: Builder, x: str, shape: Any, construct: Any, name: str) -> str:
    """The inverse of ``_windows``: ``B x w² x C`` back to the ``N x C x H x W`` map, the shift undone."""
    window = getattr(construct, "window", 0)
    if not window:
        return x
    c, h, w = shape.channels, shape.height // window, shape.width // window
    grid = getattr(construct, "partition", "window") == "grid"
    six = b.node("Reshape", [x, b.const(f"{name}/split", [-1, h, w, window, window, c])], f"{name}/six",
                 f"{name}/six", 6)
    perm = [0, 5, 3, 1, 4, 2] if grid else [0, 5, 1, 3, 2, 4]
    moved = b.node("Transpose", [six], f"{name}/back6", f"{name}/back6", 6, perm=perm)
    out = b.node("Reshape", [moved, b.const(f"{name}/map_shape", [-1, c, shape.height, shape.width])], f"{name}/map",
                 f"{name}/map", 4)
    if getattr(construct, "shift", False):
        out = _roll(b, out, shape, -(window // 2), f"{name}/unshift")
    return out


def _roll(b: Builder, x: str, shape: Any, by: int, name: str) -> str:
    """``torch.roll(x, shifts=(-by, -by), dims=(2, 3))`` as PyTorch exports it: two ``Slice``s and a
    ``Concat`` per axis."""
    for axis, size in ((2, shape.height), (3, shape.width)):
        cut = by % size if size else 0
        if not cut:
            continue
        tail = b.node("Slice", [x, b.const(f"{name}/{axis}/s1", [cut]), b.const(f"{name}/{axis}/e1", [ROLL_END]),
                                b.const(f"{name}/{axis}/a1", [axis])], f"{name}/{axis}/tail", f"{name}/{axis}/tail", 4)
        head = b.node("Slice", [x, b.const(f"{name}/{axis}/s0", [0]), b.const(f"{name}/{axis}/e0", [cut]),
                                b.const(f"{name}/{axis}/a0", [axis])], f"{name}/{axis}/head", f"{name}/{axis}/head", 4)
        x = b.node("Concat", [tail, head], f"{name}/{axis}", f"{name}/{axis}", 4, axis=axis)
    return x


def _heads(b: Builder, qkv: str, shape: Any, heads: int, construct: Any, name: str) -> tuple[list[str], int]:
    """Q, K and V, each ``B x heads x K x d``, from the projection's ``3·C`` channels; and K, the keys."""
    seq, keys = _windows(b, qkv, shape, construct, name)
    channels = shape.channels // 3
    five = b.node("Reshape", [seq, b.const(f"{name}/heads_shape", [0, 0, 3, heads, channels // heads])],
                  f"{name}/heads", f"{name}/heads", 5)
    parts = b.node("Transpose", [five], f"{name}/qkv", f"{name}/qkv", 5, perm=[2, 0, 3, 1, 4])
    return [b.node("Gather", [parts, b.const(f"{name}/{key}_index", index)], f"{name}/{key}", f"{name}/{key}", 4,
                   axis=0) for index, key in enumerate("qkv")], keys


def relative_index(numpy: Any, window: int) -> Any:
    """Swin's ``relative_position_index``: for every pair of a window's positions, the row of their offset in
    the ``(2w - 1)²`` table (torchvision/models/swin_transformer.py, ``define_relative_position_index``)."""
    coords = numpy.stack(numpy.meshgrid(numpy.arange(window), numpy.arange(window), indexing="ij")).reshape(2, -1)
    offsets = coords[:, :, None] - coords[:, None, :] + window - 1
    return (offsets[0] * (2 * window - 1) + offsets[1]).reshape(-1)


def _table(b: Builder, table: str, window: int, heads: int, name: str) -> str:
    """A ``(2w - 1)² x heads`` table (or ``1 x (2w - 1)² x heads``) gathered to ``heads x w² x w²``."""
    pairs = window * window
    index = b.const(f"{name}/relative_index", relative_index(b.np, window))
    axis = 1 if b.rank.get(table, 2) == 3 else 0
    picked = b.node("Gather", [table, index], f"{name}/picked", f"{name}/picked", b.rank.get(table, 2), axis=axis)
    square = b.node("Reshape", [picked, b.const(f"{name}/square_shape", [pairs, pairs, heads])], f"{name}/square",
                    f"{name}/square", 3)
    return b.node("Transpose", [square], name, name, 3, perm=[2, 0, 1])


def attention_part(b: Builder, row: LayerCost, inputs: list[str], construct: Any) -> str | None:
    """The nodes of one part of an attention or a patch merging; None for any other kind."""
    layer, name, kind = row.layer, row.name, row.kind
    x = inputs[0]
    shape, out = row.input_shape, row.output_shape
    if kind == "attention_scale":
        heads = getattr(construct, "heads", None) or shape.channels // 3 // max(getattr(construct, "head_dim", 1), 1)
        factor = b.const(f"{name}/factor", (shape.channels // 3 // heads) ** -0.5, "float32")
        return b.node("Mul", [x, factor], name, name, b.rank[x])
    if kind == "attention_scores":
        heads = out.channels
        (q, k, _v), _keys = _heads(b, x, shape, heads, construct, name)
        if getattr(layer, "logit_scale", False):  # cosine attention: F.normalize(q) @ F.normalize(k)ᵀ
            q = b.node("LpNormalization", [q], f"{name}/q_unit", f"{name}/q_unit", 4, axis=-1, p=2)
            k = b.node("LpNormalization", [k], f"{name}/k_unit", f"{name}/k_unit", 4, axis=-1, p=2)
        keys_t = b.node("Transpose", [k], f"{name}/k_t", f"{name}/k_t", 4, perm=[0, 1, 3, 2])
        scores = b.node("MatMul", [q, keys_t], f"{name}/matmul", f"{name}/matmul", 4)
        if getattr(layer, "logit_scale", False):
            scale = b.param(f"{name}.logit_scale", (heads, 1, 1), "one")
            scores = b.node("Mul", [scores, scale], f"{name}/logit_scale", f"{name}/logit_scale", 4)
        if getattr(layer, "table", False):
            window = layer.window  # type: ignore[attr-defined]
            table = b.param(f"{name}.relative_position_bias_table", ((2 * window - 1) ** 2, heads), "zero")
            scores = b.node("Add", [scores, _table(b, table, window, heads, f"{name}/bias")], f"{name}/biased",
                            f"{name}/biased", 4)
        return scores
    if kind == "attention_softmax":
        scores = x if len(inputs) == 1 else b.node("Add", inputs[:2], f"{name}/biased", f"{name}/biased", 4)
        return b.node("Softmax", [scores], name, name, 4, axis=-1)
    if kind == "attention_values":
        qkv = inputs[1]
        before = row.input_shape  # the probabilities; the projection's shape is the output's with 3·C
        qkv_shape = out._replace(channels=3 * out.channels)
        (_q, _k, v), _keys = _heads(b, qkv, qkv_shape, before.channels, construct, f"{name}/v")
        weighted = b.node("MatMul", [x, v], f"{name}/matmul", f"{name}/matmul", 4)
        tokens = b.node("Transpose", [weighted], f"{name}/tokens4", f"{name}/tokens4", 4, perm=[0, 2, 1, 3])
        joined = b.node("Reshape", [tokens, b.const(f"{name}/join", [0, 0, out.channels])], f"{name}/joined",
                        f"{name}/joined", 3)
        return _unwindow(b, joined, out, construct, name)
    if kind == "window_pad":
        if (out.height, out.width) == (shape.height, shape.width):
            return b.node("Identity", [x], name, name, 4)
        pads = b.const(f"{name}/pads", [0, 0, 0, 0, 0, 0, out.height - shape.height, out.width - shape.width])
        return b.node("Pad", [x, pads], name, name, 4)
    if kind == "window_crop":
        if (out.height, out.width) == (shape.height, shape.width):
            return b.node("Identity", [x], name, name, 4)
        bounds = [b.const(f"{name}/{key}", value) for key, value in
                  (("starts", [0, 0]), ("ends", [out.height, out.width]), ("axes", [2, 3]))]
        return b.node("Slice", [x, *bounds], name, name, 4)
    if kind == "position_bias_coords":  # Swin V2's log-spaced relative coordinates: a buffer of the model
        coords = b.const(f"{name}/coords", b.np.zeros((1, out.height * out.width, 2)), "float32")
        b.rank[coords] = 3
        return coords
    if kind == "position_bias_gather":
        return _table(b, x, layer.window, out.channels, name)  # type: ignore[attr-defined]
    if kind == "merge_2x2":  # x0 = x[..., 0::2, 0::2, :], x1 = x[..., 1::2, 0::2, :], ...; torch.cat(-1)
        if shape.height % 2 or shape.width % 2:
            pads = b.const(f"{name}/pads", [0, 0, 0, 0, 0, 0, shape.height % 2, shape.width % 2])
            x = b.node("Pad", [x, pads], f"{name}/even", f"{name}/even", 4)
        parts = []
        for index, (row_start, column_start) in enumerate(((0, 0), (1, 0), (0, 1), (1, 1))):
            bounds = [b.const(f"{name}/{index}/{key}", value) for key, value in
                      (("starts", [row_start, column_start]), ("ends", [ROLL_END, ROLL_END]), ("axes", [2, 3]),
                       ("steps", [2, 2]))]
            parts.append(b.node("Slice", [x, *bounds], f"{name}/x{index}", f"{name}/x{index}", 4))
        return b.node("Concat", parts, name, name, 4, axis=1)
    return None
