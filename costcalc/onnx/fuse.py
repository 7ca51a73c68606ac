"""Patterns of several ONNX nodes that are one costcalc layer, folded into it (docs/onnx.md, "What maps to what"):

- a weighted op and the per-channel ``Add`` after it (``MatMul`` + ``Add``: a layer with a bias);
- ``x * f(x)``, the activations ONNX writes as a small graph: SiLU ``x * Sigmoid(x)``, hard swish
  ``x * HardSigmoid(x)`` (or ``x * Clip(x + 3, 0, 6) / 6``), Mish ``x * Tanh(Softplus(x))`` and exact GELU
  ``x * (Erf(x / sqrt 2) + 1) * 0.5``;
- squeeze-and-excitation, ``x * gate(conv(act(conv(pool(x)))))``;
- ShuffleNet's channel shuffle, ``Reshape -> Transpose(0, 2, 1, 3, 4) -> Reshape``;
- slices that cut the channels into equal consecutive parts (PyTorch's ``chunk``): one split;
- DenseNet's ``Concat(x0, ..., xk)`` after ``Concat(x0, ..., xk-1)``: ``Concat(that, xk)``, the same tensor.

Layout changes and identities are removed first. What is left that costcalc has no kind for and that keeps its
input's shape (an elementwise op, a constant added or multiplied) is left out and listed (``Fused.left_out``);
a product of two branches that is none of the above is a located error (E576).
"""

from __future__ import annotations

from typing import NamedTuple

from costcalc.onnx.attention_pattern import fold_attention, fold_patch_merging
from costcalc.onnx.constructs import apply_calls, fold_constructs, params_only
from costcalc.onnx.lower import Op
from costcalc.onnx.model import fail
from costcalc.onnx.ops import REFUSED_IF_LEFT

ACTIVATION_GRAPHS = {  # the op types from x to the other operand of x * (...)
    ("Sigmoid",): "silu",
    ("HardSigmoid",): "hard_swish",
    ("Add", "Clip", "Div"): "hard_swish",
    ("Softplus", "Tanh"): "mish",
    ("Div", "Erf", "Add"): "gelu",
    ("Mul", "Erf", "Add"): "gelu",
}
_CHAIN_KINDS = frozenset({"activation", "scalar", "unmapped"})


class Fused(NamedTuple):
    ops: tuple[Op, ...]
    output: str
    left_out: tuple[Op, ...]


class _Graph:
    def __init__(self, ops: list[Op], output: str, path: str):
        self.ops: list[Op | None] = list(ops)
        self.output = output
        self.path = path
        self.alias: dict[str, str] = {}
        self.maps: tuple[dict[str, int], dict[str, list[int]]] = ({}, {})

    def index(self) -> None:
        self.maps = (self.producers(), self.readers())

    def resolve(self, name: str) -> str:
        while name in self.alias:
            name = self.alias[name]
        return name

    def drop(self, index: int, keep_input: bool = True) -> None:
        op = self.ops[index]
        assert op is not None
        if keep_input:
            for name in op.outputs:
                self.alias[name] = op.inputs[0]
        self.ops[index] = None

    def rewire(self) -> None:
        for index, op in enumerate(self.ops):
            if op is not None:
                self.ops[index] = op._replace(inputs=tuple(self.resolve(name) for name in op.inputs))
        self.output = self.resolve(self.output)

    def producers(self) -> dict[str, int]:
        return {name: index for index, op in enumerate(self.ops) if op is not None for name in op.outputs}

    def readers(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for index, op in enumerate(self.ops):
            if op is not None:
                for name in op.inputs:
                    found.setdefault(name, []).append(index)
        found.setdefault(self.output, []).append(-1)
        return found

    def chain_back(self, end: str, root: str, kinds: frozenset[str], limit: int = 6) -> list[int] | None:
        """The ops from ``root`` to ``end`` (in order), each of one of ``kinds``, one input, one reader (the maps
        of producers and readers are made once per pass: ops only disappear within a pass)."""
        producers, readers = self.maps
        chain: list[int] = []
        name = end
        while name != root:
            index = producers.get(name)
            if index is None or len(chain) >= limit:
                return None
            op = self.ops[index]
            if op is None or op.kind not in kinds or len(op.inputs) != 1 or len(readers.get(name, ())) != 1:
                return None
            chain.append(index)
            name = op.inputs[0]
        return list(reversed(chain))


def fuse(ops: tuple[Op, ...], output: str, path: str) -> Fused:
    graph = _Graph(list(fold_constructs(ops, output, path)), output, path)
    for index, op in enumerate(graph.ops):
        if op is not None and op.kind == "noop":
            graph.drop(index)
    graph.rewire()
    _unused(graph)
    _bias(graph)
    fold_attention(graph.ops, graph.output)
    fold_patch_merging(graph.ops, graph.output)
    _products(graph)
    _shuffles(graph)
    _slices(graph)
    graph.rewire()
    _dense_concats(graph)
    left_out = []
    for index, op in enumerate(graph.ops):
        if op is None:
            continue
        if op.kind in ("bias", "scalar", "unmapped"):
            left_out.append(op)
            graph.drop(index)
        elif op.kind == "mul":
            raise fail(path, f"{op.node.where()} multiplies two branches in a way costcalc cannot write as a spec "
                             "(it knows x * f(x) activations and squeeze-and-excitation)", "E576")
        elif op.kind in REFUSED_IF_LEFT:
            raise fail(path, f"{op.node.where()}: {op.fields.get('refusal', 'costcalc has no kind for it')}", "E574")
        elif op.kind == "linear":  # nn.Linear: an fc on N x C, a linear on every position or token
            kind = "fc" if op.out[0].layout == "flat" else "linear"
            graph.ops[index] = op._replace(kind=kind, fields={"units": op.fields["units"], "bias": op.fields["bias"]})
    graph.rewire()
    kept = apply_calls(tuple(op for op in graph.ops if op is not None))
    return Fused(kept, graph.output, tuple(left_out))


def _unused(graph: _Graph) -> None:
    """Drop the ops whose outputs never reach the network's output (a dropout's mask, a dead branch)."""
    producers = graph.producers()
    needed: set[int] = set()
    stack = [producers[graph.output]] if graph.output in producers else []
    while stack:
        index = stack.pop()
        if index in needed:
            continue
        needed.add(index)
        op = graph.ops[index]
        assert op is not None
        stack.extend(producers[name] for name in op.inputs if name in producers)
    for index, op in enumerate(graph.ops):  # a params-only branch goes nowhere, by design: it stays
        if op is not None and index not in needed and not params_only(op):
            graph.ops[index] = None


def _bias(graph: _Graph) -> None:
    producers, readers = graph.producers(), graph.readers()
    for index, op in enumerate(graph.ops):
        if op is None or op.kind != "bias":
            continue
        source = producers.get(op.inputs[0])
        before = graph.ops[source] if source is not None else None
        if (before is None or before.kind not in ("conv", "depthwise", "linear") or len(readers[op.inputs[0]]) != 1
                or before.fields.get("bias")):
            continue
        assert source is not None
        graph.ops[source] = before._replace(fields={**before.fields, "bias": True}, outputs=op.outputs, out=op.out,
                                            folded=(*before.folded, op.node))
        graph.ops[index] = None


def _products(graph: _Graph) -> None:
    graph.index()
    for index, op in enumerate(graph.ops):
        if op is None or op.kind != "mul":
            continue
        for root, other in ((op.inputs[0], op.inputs[1]), (op.inputs[1], op.inputs[0])):
            chain = graph.chain_back(other, root, _CHAIN_KINDS)
            if chain:
                function = ACTIVATION_GRAPHS.get(tuple(_op(graph, i).node.op_type for i in chain))
                if function:
                    _fold_activation(graph, index, chain, root, function)
                    break
            if _squeeze_excite(graph, index, root, other):
                break


def _op(graph: _Graph, index: int) -> Op:
    op = graph.ops[index]
    assert op is not None
    return op


def _fold_activation(graph: _Graph, index: int, chain: list[int], root: str, function: str) -> None:
    mul = _op(graph, index)
    folded = tuple(_op(graph, i).node for i in chain[1:]) + (mul.node,)
    first = _op(graph, chain[0])
    graph.ops[index] = Op("activation", {"function": function}, (root,), mul.outputs, first.node, mul.out, folded)
    for i in chain:
        graph.ops[i] = None
    table = graph.maps[1]  # the root is now read by the activation instead of the chain's first op
    table[root] = sorted({i for i in table.get(root, ()) if graph.ops[i] is not None} | {index})
    if function == "gelu":  # PyTorch's exact GELU ends in a multiplication by 0.5
        readers = table.get(mul.outputs[0], [])
        after = graph.ops[readers[0]] if len(readers) == 1 and readers[0] >= 0 else None
        if after is not None and after.kind == "scalar" and after.fields.get("value") == 0.5:
            graph.ops[index] = _op(graph, index)._replace(outputs=after.outputs, folded=(*folded, after.node))
            graph.ops[readers[0]] = None


def _squeeze_excite(graph: _Graph, index: int, root: str, gate: str) -> bool:
    kinds = frozenset({"activation", "conv", "global_avg_pool"})
    chain = graph.chain_back(gate, root, kinds)
    if not chain or len(chain) != 5:
        return False
    pool, fc1, act, fc2, gate_op = (_op(graph, i) for i in chain)
    mul = _op(graph, index)
    shape = [op.kind for op in (pool, fc1, act, fc2, gate_op)]
    channels = mul.out[0].dims[1] if mul.out[0].layout == "nchw" else 0
    if (shape != ["global_avg_pool", "conv", "activation", "conv", "activation"]
            or any(fc.fields.get("kernel") != 1 or not fc.fields.get("bias") or fc.fields.get("groups")
                   for fc in (fc1, fc2)) or fc2.fields["filters"] != channels):
        return False
    fields = {"squeeze": fc1.fields["filters"], "activation": act.fields["function"],
              "gate": gate_op.fields["function"]}
    folded = tuple(op.node for op in (fc1, act, fc2, gate_op)) + (mul.node,)
    graph.ops[index] = Op("squeeze_excite", fields, (root,), mul.outputs, pool.node, mul.out, folded)
    for i in chain:
        graph.ops[i] = None
    return True


def _shuffles(graph: _Graph) -> None:
    readers = graph.readers()
    for index, op in enumerate(graph.ops):
        if op is None or op.kind != "reshape" or len(op.out[0].dims) != 5:
            continue
        after = [graph.ops[i] for i in readers.get(op.outputs[0], []) if i >= 0]
        if len(after) != 1 or after[0] is None or after[0].kind != "transpose" or after[0].fields["perm"] != (
                0, 2, 1, 3, 4):
            continue
        transpose = after[0]
        last = [graph.ops[i] for i in readers.get(transpose.outputs[0], []) if i >= 0]
        dims = op.out[0].dims
        if len(last) != 1 or last[0] is None or last[0].kind != "reshape" or len(last[0].out[0].dims) != 4:
            continue
        back = last[0]
        if back.out[0].dims != (dims[0], dims[1] * dims[2], dims[3], dims[4]):
            continue
        graph.ops[index] = Op("channel_shuffle", {"groups": dims[1]}, op.inputs, back.outputs, op.node,
                              (back.out[0]._replace(layout="nchw"),), (transpose.node, back.node))
        for position in (*readers[op.outputs[0]], *readers[transpose.outputs[0]]):
            graph.ops[position] = None


def _slices(graph: _Graph) -> None:
    by_input: dict[str, list[int]] = {}
    for index, op in enumerate(graph.ops):
        if op is not None and op.kind == "slice":
            by_input.setdefault(op.inputs[0], []).append(index)
    for name, indices in by_input.items():
        slices = sorted(indices, key=lambda i: _op(graph, i).fields["start"])
        bounds = [(_op(graph, i).fields["start"], _op(graph, i).fields["end"]) for i in slices]
        parts = len(bounds)
        width = bounds[0][1] - bounds[0][0]
        if parts < 2 or any(bounds[k] != (k * width, (k + 1) * width) for k in range(parts)):
            first = _op(graph, slices[0])
            raise fail(graph.path, f"{first.node.where()} slices the channels into parts that are not equal and "
                                   "consecutive, which a spec's split cannot write", "E574")
        ops = [_op(graph, i) for i in slices]
        graph.ops[slices[0]] = Op("split", {"parts": parts}, (name,), tuple(op.outputs[0] for op in ops),
                                  ops[0].node, tuple(op.out[0] for op in ops), tuple(op.node for op in ops[1:]))
        for i in slices[1:]:
            graph.ops[i] = None


def _dense_concats(graph: _Graph) -> None:
    seen: dict[tuple[str, ...], str] = {}  # a concat's inputs, its own concats written out -> its output
    written: dict[str, tuple[str, ...]] = {}  # the other way
    for index, op in enumerate(graph.ops):
        if op is None or op.kind != "concat":
            continue
        if len(op.inputs) == 1:
            graph.drop(index)
            graph.rewire()
            continue
        for cut in range(len(op.inputs) - 1, 1, -1):
            prefix = seen.get(op.inputs[:cut])
            if prefix is not None:
                graph.ops[index] = op = op._replace(inputs=(prefix, *op.inputs[cut:]))
                break
        expanded: list[str] = []
        for name in op.inputs:
            expanded.extend(written.get(name, (name,)))
        seen[tuple(expanded)] = op.outputs[0]
        written[op.outputs[0]] = tuple(expanded)

