"""What ``costcalc export``'s notes say of the imported ops (costcalc.onnx.notes), applied before and after the
patterns are folded (costcalc.onnx.fuse):

- ``fold_constructs``: the ops of one noted ``attention``, ``window_attention`` or ``patch_merging`` (the nodes
  the exporter wrote for it, tagged with its kind and ``instance=N``) become that one construct, with the
  note's fields, reading the one tensor that enters them and giving the one tensor that leaves them. The
  kind then counts it like any spec's (its projections, products, softmax and bias tables). The ops in
  between are the construct's own business: an export writes its heads, windows, shifts and bias tables as
  plain ONNX so that ONNX Runtime runs it, and those reshapes cannot say what they stand for.
- ``apply_calls``: a ``call=...`` note on the nodes of a kind that takes ``call`` becomes that field.

A graph without notes (PyTorch's exporter) is untouched by both: it imports as what its ops are.
"""

from __future__ import annotations

from costcalc.onnx.model import fail
from costcalc.onnx.notes import CONSTRUCTS, merged, read_note
from costcalc.onnx.ops import Op
from costcalc.onnx.values import Data, Value

# The fields each construct's note may give (costcalc.layers.attention); the kind's parser checks their values.
CONSTRUCT_FIELDS = {
    "attention": ("heads", "qkv_bias", "proj_bias", "call"),
    "window_attention": ("window", "heads", "head_dim", "shift", "partition", "position_bias", "cosine", "qkv_bias",
                         "proj_bias", "call"),
    "patch_merging": ("norm",),
}


def fold_constructs(ops: tuple[Op, ...], output: str, path: str) -> tuple[Op, ...]:
    """``ops`` with the ops of each noted construct folded into one (E574 when its nodes do not form one)."""
    groups: dict[tuple[str, int], list[int]] = {}
    for index, op in enumerate(ops):
        note = read_note(op.node)
        kinds = note.tags & CONSTRUCTS
        if kinds:
            (kind,) = kinds if len(kinds) == 1 else (min(kinds),)
            instance = note.fields.get("instance")
            groups.setdefault((kind, instance if isinstance(instance, int) else 0), []).append(index)
    if not groups:
        return ops
    readers: dict[str, set[int]] = {}
    for index, op in enumerate(ops):
        for name in op.inputs:
            readers.setdefault(name, set()).add(index)
    folded: dict[int, Op | None] = {}
    for (kind, _instance), members in groups.items():
        inside = set(members)
        first = ops[members[0]]
        produced = {name for i in members for name in ops[i].outputs}
        entering = list(dict.fromkeys(name for i in members for name in ops[i].inputs if name not in produced))
        leaving = [(i, k) for i in members for k, name in enumerate(ops[i].outputs)
                   if name == output or readers.get(name, set()) - inside]
        if len(entering) != 1 or len(leaving) != 1:
            raise fail(path, f"{first.node.where()}: the nodes noted as one '{kind}' read {len(entering)} tensors and "
                             f"give {len(leaving)} (a construct reads one and gives one)", "E574")
        last, slot = leaving[0]
        note = read_note(first.node)
        fields = {key: note.fields[key] for key in CONSTRUCT_FIELDS[kind] if key in note.fields}
        nodes = tuple(ops[i].node for i in members if i != members[0])
        construct = Op(kind, fields, (entering[0],), (ops[last].outputs[slot],), first.node, (ops[last].out[slot],),
                       nodes)
        for i in members:
            folded[i] = None
        folded[last] = construct
    kept = (folded[i] if i in folded else op for i, op in enumerate(ops))
    return tuple(op for op in kept if op is not None)


def apply_calls(ops: tuple[Op, ...]) -> tuple[Op, ...]:
    """Each op of a kind with a ``call`` field gets the ``call`` its nodes' notes give."""
    from costcalc.layers.registry import KINDS

    out = []
    for op in ops:
        kind = KINDS.get(op.kind)
        call = merged(op.nodes).fields.get("call")
        if kind is not None and call is not None and op.kind not in CONSTRUCTS \
                and any(field.name == "call" for field in kind.fields):
            op = op._replace(fields={**op.fields, "call": call})
        out.append(op)
    return tuple(out)


def params_only(op: Op) -> bool:
    """Whether ``op`` stands for a layer of a params-only branch (it never runs; its outputs go nowhere)."""
    return "params_only" in read_note(op.node).tags


class Layouts:
    """What the trace needs of noted constructs before they are folded: the ops inside one compute on tensors
    costcalc has no layout for (heads, windows), and the tensor that leaves it is the map or the tokens that
    entered it, of the same shape; ``settle`` gives such a tensor its entering layout back, so that the layers
    after the construct read tokens or a map."""

    def __init__(self) -> None:
        self.entered: dict[tuple[str, int], Data] = {}

    def settle(self, op: Op, inputs: list[Value | None]) -> Op:
        note = read_note(op.node)
        kinds = sorted(note.tags & CONSTRUCTS)
        if not kinds:
            return op
        instance = note.fields.get("instance")
        key = (kinds[0], instance if isinstance(instance, int) else 0)
        if key not in self.entered:  # the first op of a construct, in topological order, reads what enters it
            self.entered[key] = next((value for value in inputs if isinstance(value, Data)), op.out[0])
            return op
        entry = self.entered[key]
        return op._replace(out=tuple(entry if data.layout == "other" and data.dims == entry.dims else data
                                     for data in op.out))
