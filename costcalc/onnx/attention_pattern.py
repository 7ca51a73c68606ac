"""Attention and patch merging in a graph from PyTorch's exporter, folded into costcalc's kinds (docs/onnx.md,
"What maps to what"). ``nn.MultiheadAttention`` as ``torch.onnx.export`` writes it for ViT
(torchvision/models/vision_transformer.py; torch/nn/functional.py, ``multi_head_attention_forward``), and
torchvision's ``shifted_window_attention`` for Swin (swin_transformer.py):

    tokens or a map -> [pad, roll, windows] -> in-projection (to 3·C) -> Q, K, V cut into heads
      -> Q·Kᵀ (MatMul of two activations; Q scaled; a bias table and a mask added) -> Softmax over the keys
      -> A·V (MatMul) -> the heads side by side -> out-projection (to C) -> [windows back, roll back, crop]

The pattern is anchored on the softmax: the product before it and the product after it, the one projection that
every operand of the two products comes from (through ops that only move values or scale them), and the
projection to C after ``A·V``; the rearrangements around them lead from the tensor that enters to the tensor of
the same shape that leaves, and what lies between is the attention, if nothing else reads it: ``attention``
over tokens, ``window_attention`` over a map (its window from the keys a query sees, its heads from the
scores). Swin's patch merging (four strided slices concatenated, a layer norm and a Linear to half the
channels) is ``patch_merging``; Swin V2's cosine attention (Q and K divided by their norms) is read too.
Anything else is left alone, and refused later (E574) if nothing takes it: MaxViT's partitions are not read
yet (docs/onnx.md, "Not yet").
"""

from __future__ import annotations

from costcalc.onnx.ops import Op
from costcalc.onnx.values import Data

# Ops that only move values, or scale them by a constant, between an attention's projections and products.
# (A 4-d tensor rearranged from windows is taken for N x C x H x W where it is Swin's N x H x W x C, so a roll
# back along its height reads as slices and a concatenation of channels: they are rearrangements here too.)
# Swin V2's cosine attention divides Q and K by their norms: a reduction and a division of two activations.
PASSING = frozenset({"reshape", "transpose", "gather", "slice_any", "concat_any", "expand", "noop", "scalar",
                     "const_op", "unmapped", "slice", "split", "concat", "reduce", "elementwise2"})
MAX_STEPS = 64  # ops walked from the softmax to a projection


def fold_attention(ops: list[Op | None], output: str) -> None:
    """Fold every multi-head self-attention of ``ops`` in place (the folded ops become None). The maps of
    producers and readers are made once and kept up to date fold by fold: linear in the graph's ops, whatever
    the number of attentions (a hostile graph of many)."""
    producers, readers = _maps(ops, output)
    for index, op in enumerate(ops):
        if op is not None and op.kind == "softmax_any":
            _fold(ops, index, producers, readers)


def _maps(ops: list[Op | None], output: str) -> tuple[dict[str, int], dict[str, list[int]]]:
    producers = {name: i for i, op in enumerate(ops) if op is not None for name in op.outputs}
    readers: dict[str, list[int]] = {output: [-1]}
    for i, op in enumerate(ops):
        if op is not None:
            for name in dict.fromkeys(op.inputs):
                readers.setdefault(name, []).append(i)
    return producers, readers


def _projection(op: Op) -> bool:
    """A Linear, or a MatMul by a weight on a tensor that is neither tokens nor a map (Swin's windows)."""
    return op.kind == "linear" or op.kind == "matmul" and len(op.inputs) == 1


def _fold(ops: list[Op | None], softmax: int, producers: dict[str, int],  # noqa: C901 - one pattern, step by step
          readers: dict[str, list[int]]) -> None:
    soft = ops[softmax]
    assert soft is not None
    scores_at = _back(ops, producers, soft.inputs[0], lambda op: op.kind == "matmul" and len(op.inputs) == 2)
    after = readers.get(soft.outputs[0], [])
    if scores_at is None or len(after) != 1 or after[0] < 0:
        return
    scores, values = ops[scores_at], ops[after[0]]
    if scores is None or values is None or values.kind != "matmul" or len(values.inputs) != 2:
        return
    projection = _source(ops, producers, [*scores.inputs, *(n for n in values.inputs if n != soft.outputs[0])])
    out_at = _forward(ops, readers, values.outputs[0], _projection)
    if projection is None or out_at is None:
        return
    qkv, out_proj = ops[projection], ops[out_at]
    assert qkv is not None and out_proj is not None
    entry = _edge(ops, producers, readers, qkv.inputs[0], backward=True)
    exit_name = _edge(ops, producers, readers, _biased(ops, readers, out_at)[0], backward=False)
    entered = _data_of(ops, producers, entry) if entry else None
    left = _data_of(ops, producers, exit_name) if exit_name else None
    width = qkv.out[0].dims[-1]
    if entered is None or left is None or entry is None or exit_name is None or left.dims != entered.dims \
            or width % 3 or width // 3 != out_proj.out[0].dims[-1] or entered.layout not in ("tokens", "nhwc", "nchw"):
        return
    region = _region(ops, producers, exit_name, entry)
    if region is None or any(reader not in region for i in region for name in ops[i].outputs  # type: ignore[union-attr]
                             if name != exit_name for reader in readers.get(name, [])):
        return
    tokens, keys, heads = scores.out[0].dims[-2], scores.out[0].dims[-1], scores.out[0].dims[-3]
    fields = _fields(ops, region, scores_at, softmax, entered, keys, heads, width // 3)
    if fields is None:
        return
    fields.update(qkv_bias=_biased(ops, readers, projection)[1], proj_bias=_biased(ops, readers, out_at)[1])
    del tokens
    nodes = tuple(ops[i].node for i in sorted(region) if i != projection)  # type: ignore[union-attr]
    last = max(region)
    for i in region:
        for name in ops[i].inputs:  # type: ignore[union-attr]
            if i in readers.get(name, []):
                readers[name].remove(i)
        for name in ops[i].outputs:  # type: ignore[union-attr]
            producers.pop(name, None)
        ops[i] = None
    kind = "attention" if entered.layout == "tokens" else "window_attention"
    ops[last] = Op(kind, fields, (entry,), (exit_name,), qkv.node, (entered,), nodes)
    producers[exit_name] = last
    readers.setdefault(entry, []).append(last)


def _fields(ops: list[Op | None], region: set[int], scores: int, softmax: int, entered: Data, keys: int,
            heads: int, channels: int) -> dict[str, object] | None:
    """The construct's fields from what the region shows: global attention over all tokens, or windows of
    ``w x w`` keys with a relative-position table (a constant added to the scores before the softmax: Swin's and
    MaxViT's bias, and Swin's mask for shifted windows), shifted when the map is rolled (a concatenation of
    two slices along its height)."""
    if not heads or channels % heads:
        return None
    if entered.layout == "tokens":
        return {"heads": heads} if keys == entered.dims[-2] else None
    window = int(keys ** 0.5)
    while window * window > keys:
        window -= 1
    while (window + 1) * (window + 1) <= keys:
        window += 1
    if window * window != keys:
        return None
    added = any(op is not None and op.kind == "const_op" and op.node.op_type == "Add" for i, op in enumerate(ops)
                if i in region and scores < i < softmax)
    rolled = any(op is not None and op.kind == "concat_any" for i, op in enumerate(ops) if i in region and i < scores)
    cosine = any(op is not None and op.kind == "reduce" for i, op in enumerate(ops) if i in region and i < scores)
    if cosine:  # Swin V2: Q and K normalised, a logit scale, the continuous bias MLP's output added
        return {"window": window, "heads": heads, "shift": rolled, "position_bias": "mlp" if added else "none",
                "cosine": True}
    return {"window": window, "heads": heads, "shift": rolled, "position_bias": "table" if added else "none"}


def _biased(ops: list[Op | None], readers: dict[str, list[int]], at: int) -> tuple[str, bool]:
    """The output of a projection with its bias (a Linear's own, or a constant added right after a MatMul)."""
    op = ops[at]
    assert op is not None
    if op.kind == "linear":
        return op.outputs[0], bool(op.fields.get("bias"))
    after = readers.get(op.outputs[0], [])
    bias = ops[after[0]] if len(after) == 1 and after[0] >= 0 else None
    if bias is not None and bias.kind == "const_op" and bias.node.op_type == "Add":
        return bias.outputs[0], True
    return op.outputs[0], False


def _edge(ops: list[Op | None], producers: dict[str, int], readers: dict[str, list[int]], start: str,
          backward: bool) -> str | None:
    """The one tensor where the rearrangements around a projection meet the network: backward, the tensor the
    pads, rolls and window partitions before it read; forward, the tensor the merges, rolls back and crops after
    it give, which a layer that is not a rearrangement reads (None: not one tensor)."""
    inside: set[int] = set()
    stack = [start]
    while stack:
        name = stack.pop()
        nearby = [producers[name]] if backward and name in producers else [] if backward else readers.get(name, [])
        for at in nearby:
            op = ops[at] if at >= 0 else None
            if op is None or op.kind not in PASSING or at in inside:
                continue
            inside.add(at)
            if len(inside) > MAX_STEPS:
                return None
            stack.extend(op.inputs if backward else op.outputs)
    if backward:
        edges = {name for i in inside for name in ops[i].inputs if producers.get(name) not in inside}  # type: ignore[union-attr]
        return edges.pop() if len(edges) == 1 else start if not inside else None
    names = [start] + [name for i in inside for name in ops[i].outputs]  # type: ignore[union-attr]
    edges = {name for name in names if any(r < 0 or r not in inside for r in readers.get(name, []))}
    return edges.pop() if len(edges) == 1 else None


def _back(ops: list[Op | None], producers: dict[str, int], name: str, wanted: object) -> int | None:
    """The first op before ``name`` along single inputs through ``PASSING`` ops that is ``wanted``."""
    for _step in range(MAX_STEPS):
        at = producers.get(name)
        op = ops[at] if at is not None else None
        if op is None:
            return None
        if wanted(op):  # type: ignore[operator]
            return at
        if op.kind not in PASSING or len(op.inputs) != 1:
            return None
        name = op.inputs[0]
    return None


def _data_of(ops: list[Op | None], producers: dict[str, int], name: str) -> Data | None:
    at = producers.get(name)
    op = ops[at] if at is not None else None
    if op is None:
        return None
    return op.out[op.outputs.index(name)]


def _source(ops: list[Op | None], producers: dict[str, int], starts: list[str]) -> int | None:
    """The one Linear that every name of ``starts`` comes from through ``PASSING`` ops (None: not one)."""
    found: set[int] = set()
    seen: set[int] = set()
    stack = list(starts)
    while stack:
        at = producers.get(stack.pop())
        if at is None or len(seen) > MAX_STEPS:
            return None
        op = ops[at]
        assert op is not None
        if _projection(op):
            found.add(at)
        elif op.kind in PASSING:
            if at not in seen:
                seen.add(at)
                stack.extend(op.inputs)
        else:
            return None
    return found.pop() if len(found) == 1 else None


def _forward(ops: list[Op | None], readers: dict[str, list[int]], name: str, wanted: object) -> int | None:
    """The first op after ``name`` along a chain of single readers through ``PASSING`` ops that is ``wanted``."""
    for _step in range(MAX_STEPS):
        after = readers.get(name, [])
        op = ops[after[0]] if len(after) == 1 and after[0] >= 0 else None
        if op is None:
            return None
        if wanted(op):  # type: ignore[operator]
            return after[0]
        if op.kind not in PASSING or len(op.inputs) != 1:
            return None
        name = op.outputs[0]
    return None


def _region(ops: list[Op | None], producers: dict[str, int], end: str, entry: str) -> set[int] | None:
    """The ops ``end`` is computed by from ``entry`` (None: it reads something else that depends on the image)."""
    region: set[int] = set()
    stack = [end]
    while stack:
        name = stack.pop()
        if name == entry:
            continue
        at = producers.get(name)
        if at is None or len(region) > 4 * MAX_STEPS:
            return None
        if at not in region:
            region.add(at)
            op = ops[at]
            assert op is not None
            stack.extend(op.inputs)
    return region


def fold_patch_merging(ops: list[Op | None], output: str) -> None:
    """Swin's patch merging as PyTorch exports it (torchvision's ``_patch_merging_pad``): the four strided
    slices ``x[..., 0::2, 0::2, :]``, ``x[..., 1::2, 0::2, :]``, ... of one map concatenated along the channels,
    then a layer norm and a Linear to half as many channels without bias (``norm: pre``), or the Linear first
    (Swin V2, ``norm: post``): costcalc's ``patch_merging``."""
    producers, readers = _maps(ops, output)
    for index, op in enumerate(ops):
        if op is None or op.kind not in ("concat", "concat_any") or len(op.inputs) != 4:
            continue
        chains = [_strided(ops, producers, name) for name in op.inputs]
        if any(chain is None for chain in chains) or len({chain[0] for chain in chains if chain}) != 1:
            continue
        parts = sorted({at for chain in chains if chain for at in chain[1]})
        origin = chains[0][0] if chains[0] else ""
        source = _data_of(ops, producers, origin)
        first_at = _forward(ops, readers, op.outputs[0], lambda o: o.kind in ("layer_norm", "linear"))
        first = ops[first_at] if first_at is not None else None
        second_at = _forward(ops, readers, first.outputs[0], lambda o: o.kind in ("layer_norm", "linear")) \
            if first is not None else None
        second = ops[second_at] if second_at is not None else None
        if source is None or source.layout != "nhwc" or first is None or second is None \
                or {first.kind, second.kind} != {"layer_norm", "linear"}:
            continue
        linear = first if first.kind == "linear" else second
        if linear.fields.get("units") != 2 * source.dims[-1] or linear.fields.get("bias"):
            continue
        slices = [ops[at] for at in parts]
        merged = Op("patch_merging", {"norm": "pre" if first.kind == "layer_norm" else "post"}, (origin,),
                    second.outputs, op.node, second.out,
                    tuple(o.node for o in (*slices, first, second) if o is not None))
        for at in (*parts, index, first_at):
            if at is not None:
                ops[at] = None
        ops[second_at] = merged  # type: ignore[index]


def _strided(ops: list[Op | None], producers: dict[str, int], name: str) -> tuple[str, list[int]] | None:
    """The map that ``name`` takes every second row and column of, through one or two strided slices."""
    chain: list[int] = []
    while len(chain) < 2:
        at = producers.get(name)
        op = ops[at] if at is not None else None
        if op is None or op.kind != "slice_any" or any(step != 2 for *_rest, step in op.fields.get("cuts", ())):
            break
        chain.append(at)  # type: ignore[arg-type]
        name = op.inputs[0]
    return (name, chain) if chain else None
