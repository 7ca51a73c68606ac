"""Multi-head self-attention in a graph from PyTorch's exporter, folded into costcalc's ``attention``
(docs/onnx.md, "What maps to what"): ``nn.MultiheadAttention`` as ``torch.onnx.export`` writes it for ViT
(torchvision/models/vision_transformer.py; torch/nn/functional.py, ``multi_head_attention_forward``):

    tokens -> in-projection (a Linear to 3·C) -> Q, K, V cut into heads (Reshape, Transpose, Gather)
           -> Q·Kᵀ (MatMul of two activations, Q scaled) -> Softmax over the keys -> A·V (MatMul)
           -> the heads side by side again -> out-projection (a Linear to C) -> tokens of the input's shape

The pattern is anchored on the softmax: the product before it and the product after it, the one Linear that
every operand of the two products comes from (through ops that only move values or scale them), and the
Linear to C after ``A·V``; what lies between the tokens that enter and the tokens of the same shape that leave
is the attention, if nothing else reads it. Its heads are the scores' third-last dimension (at batch 1),
its biases those of the two Linears. Anything else is left alone, and refused later (E574) if nothing takes
it: Swin's windows and MaxViT's partitions in a PyTorch graph are not read yet (docs/onnx.md, "Not yet").
"""

from __future__ import annotations

from costcalc.onnx.ops import Op
from costcalc.onnx.values import Data

# Ops that only move values, or scale them by a constant, between an attention's projections and products.
PASSING = frozenset({"reshape", "transpose", "gather", "slice_any", "concat_any", "expand", "noop", "scalar",
                     "const_op", "unmapped", "slice", "split"})
MAX_STEPS = 64  # ops walked from the softmax to a projection


def fold_attention(ops: list[Op | None], output: str) -> None:
    """Fold every multi-head self-attention of ``ops`` in place (the folded ops become None)."""
    for index, op in enumerate(ops):
        if op is not None and op.kind == "softmax_any":
            _fold(ops, index, output)


def _maps(ops: list[Op | None], output: str) -> tuple[dict[str, int], dict[str, list[int]]]:
    producers = {name: i for i, op in enumerate(ops) if op is not None for name in op.outputs}
    readers: dict[str, list[int]] = {output: [-1]}
    for i, op in enumerate(ops):
        if op is not None:
            for name in dict.fromkeys(op.inputs):
                readers.setdefault(name, []).append(i)
    return producers, readers


def _fold(ops: list[Op | None], softmax: int, output: str) -> None:  # noqa: C901 - one pattern, step by step
    producers, readers = _maps(ops, output)
    soft = ops[softmax]
    assert soft is not None
    scores_at = producers.get(soft.inputs[0])
    after = readers.get(soft.outputs[0], [])
    if scores_at is None or len(after) != 1 or after[0] < 0:
        return
    scores, values = ops[scores_at], ops[after[0]]
    if scores is None or values is None or scores.kind != "matmul" or values.kind != "matmul" \
            or len(scores.inputs) != 2 or len(values.inputs) != 2:
        return
    projection = _source(ops, producers, [*scores.inputs, *(n for n in values.inputs if n != soft.outputs[0])])
    if projection is None:
        return
    qkv = ops[projection]
    assert qkv is not None
    entry = qkv.inputs[0]
    entered = _data_of(ops, producers, entry)
    units = qkv.fields.get("units", 0)
    if entered is None or entered.layout != "tokens" or units % 3 or units // 3 != entered.dims[-1]:
        return
    out_at = _forward(ops, readers, values.outputs[0], lambda op: op.kind == "linear")
    out_proj = ops[out_at] if out_at is not None else None
    if out_proj is None or out_proj.fields.get("units") != units // 3:
        return
    exit_name, exit_data, steps = out_proj.outputs[0], out_proj.out[0], 0
    while exit_data.dims != entered.dims:
        nxt = readers.get(exit_name, [])
        step = ops[nxt[0]] if len(nxt) == 1 and nxt[0] >= 0 else None
        steps += 1
        if step is None or step.kind not in PASSING or len(step.inputs) != 1 or steps > MAX_STEPS:
            return
        exit_name, exit_data = step.outputs[0], step.out[0]
    region = _region(ops, producers, exit_name, entry)
    if region is None or any(reader not in region for i in region for name in ops[i].outputs  # type: ignore[union-attr]
                             if name != exit_name for reader in readers.get(name, [])):
        return
    heads = scores.out[0].dims[-3] if len(scores.out[0].dims) >= 3 else 0
    if not heads or entered.dims[-1] % heads:
        return
    nodes = tuple(ops[i].node for i in sorted(region) if i != projection)  # type: ignore[union-attr]
    fields = {"heads": heads, "qkv_bias": bool(qkv.fields.get("bias")), "proj_bias": bool(out_proj.fields.get("bias"))}
    last = max(region)
    for i in region:
        ops[i] = None
    ops[last] = Op("attention", fields, (entry,), (exit_name,), qkv.node, (entered,), nodes)


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
        if op.kind == "linear":
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
