"""What each ONNX op that reads the image becomes: a costcalc layer kind with its fields, or a piece of structure
(a join, a split, a layout change, a product of two activations) for ``costcalc.onnx.fuse`` and
``costcalc.onnx.constructs`` to assemble. This table is docs/onnx.md's "What maps to what"; the counts come
from costcalc's own kinds, never from here.

Each rule gets the node and the values of its inputs (``costcalc.onnx.values``) and returns an ``Op`` with
the output's concrete dimensions. An op costcalc has no kind for either keeps its input's shape (an
elementwise op: it is left out, and listed, W170) or is a located error (E574), never a silent zero. The ops
that move values around are in ``lower_layout``, the products and elementwise arithmetic in ``lower_arith``.
"""

from __future__ import annotations

from typing import Any

from costcalc.onnx.lower_arith import binary, einsum, matmul
from costcalc.onnx.lower_layout import concat, gather, pad, rearrange, slice_op, split
from costcalc.onnx.model import Node, fail
from costcalc.onnx.notes import read_note
from costcalc.onnx.ops import Maker, Op, channel_axis, const_ints, scalar, structural
from costcalc.onnx.values import Data, Value

__all__ = ["Op", "lower"]

# Elementwise ops costcalc has no kind for: their output has their input's shape, so they are left out (W170).
ELEMENTWISE = frozenset({
    "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sin", "Cos", "Softsign",
    "Softplus", "Erf", "Sign", "ThresholdedRelu", "Celu", "PRelu", "Shrink", "LRN", "InstanceNormalization",
    "LogSoftmax", "Hardmax", "Not", "IsNaN", "IsInf", "Relu6", "Pow", "Sub", "Div", "Min", "Max", "Mean",
    "Sum", "Where", "Equal", "Less", "Greater", "LpNormalization",
})
ACTIVATIONS = {"Relu": "relu", "LeakyRelu": "leaky_relu", "Elu": "elu", "Selu": "selu", "Sigmoid": "sigmoid",
               "Tanh": "tanh", "HardSwish": "hard_swish", "HardSigmoid": "hard_sigmoid", "Gelu": "gelu",
               "Mish": "mish"}
NOOPS = frozenset({"Identity", "Cast"})
REARRANGE = frozenset({"Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Expand"})


def _pair(values: Any, default: int) -> tuple[int, int]:
    values = tuple(values) if values else (default, default)
    if len(values) != 2 or any(not isinstance(v, int) or v < 1 for v in values):
        raise ValueError(f"expected two whole numbers of at least 1, got {values!r:.60}")
    return values[0], values[1]


def _window(node: Node, x: Data, kernel: tuple[int, int], ceil: bool = False,
            pool: bool = False) -> tuple[dict[str, Any], int, int]:
    """The stride, padding and dilation fields of a convolution or pool, and its output height and width
    (ONNX's formulas: onnx/defs/nn/defs.cc, convPoolShapeInference). In a params-only branch, which never
    runs, a window larger than its input gives 1 x 1, as costcalc holds such a branch's maps
    (docs/spec-format.md, "params_only")."""
    idle = "params_only" in read_note(node).tags
    a = node.attributes
    stride = _pair(a.get("strides"), 1)
    dilation = _pair(a.get("dilations"), 1)
    auto = str(a.get("auto_pad", "NOTSET"))
    size = x.dims[2:4]
    fields: dict[str, Any] = {} if stride == (1, 1) and not pool else {"stride": _compact(stride)}
    if dilation != (1, 1):
        fields["dilation"] = _compact(dilation)
    span = [dilation[i] * (kernel[i] - 1) + 1 for i in range(2)]
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        fields["padding"] = "same"
        return fields, -(-size[0] // stride[0]), -(-size[1] // stride[1])
    pads = tuple(a.get("pads") or (0, 0, 0, 0)) if auto != "VALID" else (0, 0, 0, 0)
    if len(pads) != 4 or any(not isinstance(p, int) or p < 0 for p in pads):
        raise ValueError(f"'pads' must be four whole numbers, got {pads!r:.60}")
    out = []
    for i in range(2):
        room = size[i] + pads[i] + pads[i + 2] - span[i]
        if room < 0 and idle:
            room = 0
        if room < 0:
            raise ValueError(f"its window ({span[i]}) is larger than its padded input ({size[i]})")
        out.append((-(-room // stride[i]) if ceil else room // stride[i]) + 1)
    if pads[0] == pads[2] and pads[1] == pads[3]:
        fields["padding"] = _compact((pads[0], pads[1]))
    elif not ceil and out == [-(-size[0] // stride[0]), -(-size[1] // stride[1])]:
        fields["padding"] = "same"  # asymmetric, as TensorFlow's SAME pads: the same output size at this size
    else:
        raise ValueError(f"its padding {pads!r:.60} is not the same on both sides, which a spec cannot write")
    return fields, out[0], out[1]


def _compact(pair: tuple[int, int]) -> Any:
    return pair[0] if pair[0] == pair[1] else [pair[0], pair[1]]


def lower(node: Node, inputs: list[Value | None], path: str) -> Op:
    """The op ``node`` is: its first data input is ``inputs``' first ``Data`` (a located error, E574, when it
    cannot be followed)."""
    try:
        return _lower(node, inputs)
    except (ValueError, TypeError, IndexError, ZeroDivisionError) as error:
        raise fail(path, f"{node.where()}: {error}", "E574") from None


def _data_inputs(node: Node, inputs: list[Value | None]) -> tuple[tuple[str, ...], list[Data]]:
    names = tuple(name for name, value in zip(node.inputs, inputs) if isinstance(value, Data))
    return names, [value for value in inputs if isinstance(value, Data)]


def _lower(node: Node, inputs: list[Value | None]) -> Op:  # noqa: C901 - one table, one branch per op
    op, a = node.op_type, node.attributes
    names, data = _data_inputs(node, inputs)
    x = data[0]
    first = names[0]
    note = read_note(node)
    tags = note.tags

    def make(kind: str, fields: dict[str, Any], *out: Data, reads: tuple[str, ...] = (first,)) -> Op:
        return Op(kind, fields, reads, tuple(node.outputs[:len(out)]), node, out)

    if node.domain not in ("", "ai.onnx"):
        raise ValueError(f"it is an op of the domain {node.domain!r:.40}, which costcalc does not know")
    if op in NOOPS:
        if op == "Identity" and "parameters" in tags and isinstance(note.fields.get("count"), int):
            return make("parameters", {"count": note.fields["count"]}, x)
        if op == "Identity" and "stochastic_depth" in tags:
            return make("stochastic_depth", {}, x)
        return make("noop", {}, x)
    if op in ("Conv", "ConvTranspose") and x.layout != "nchw":
        raise ValueError(f"it reads a {len(x.dims)}-d tensor; costcalc counts 2-d convolutions of N x C x H x W maps")
    if op == "Conv":
        return _conv(node, inputs, x, make)
    if op == "BatchNormalization":
        return make("batch_norm", {}, x)
    if op in ACTIVATIONS:
        return make("activation", {"function": ACTIVATIONS[op]}, x)
    if op == "Clip":
        low = scalar(inputs[1]) if len(inputs) > 1 else a.get("min")
        high = scalar(inputs[2]) if len(inputs) > 2 else a.get("max")
        if low == 0 and high == 6:
            return make("activation", {"function": "relu6"}, x)
        if low == 0 and (high is None or high == float("inf")):
            return make("activation", {"function": "relu"}, x)
        return make("unmapped", {}, x)
    if op in ("MaxPool", "AveragePool"):
        return _pool(node, x, make, "adaptive_avg_pool" in tags)
    if op in ("GlobalAveragePool", "GlobalMaxPool") and x.layout == "nchw":
        kind = "global_avg_pool" if op == "GlobalAveragePool" else "global_max_pool"
        return make(kind, {}, Data((x.dims[0], x.dims[1], 1, 1), "nchw"))
    if op in ("ReduceMean", "ReduceMax", "ReduceSum", "ReduceL2"):
        return _reduce(node, inputs, x, make)
    if op in REARRANGE:
        return rearrange(node, inputs, x, make)
    if op == "Gather":
        return gather(node, inputs, x, make)
    if op in ("Gemm", "MatMul"):
        return matmul(node, inputs, x, make)
    if op == "Einsum":
        return einsum(node, inputs, names, data, make)
    if op in ("Add", "Mul", "Sub", "Div"):
        return binary(node, inputs, names, data, make)
    if op == "Concat":
        return concat(node, inputs, names, data, make)
    if op == "Split":
        return split(node, inputs, x, make)
    if op == "Slice":
        return slice_op(node, inputs, x, make)
    if op == "Pad":
        return pad(node, inputs, x, make)
    if op == "Softmax":
        axis = a.get("axis", -1) % len(x.dims)
        if axis != channel_axis(x) or x.layout == "nchw" and x.dims[2:] != (1, 1) and a.get("axis", -1) == -1:
            return structural(make, "softmax_any", "it takes the softmax along an axis that is not the channels",
                              x, axis=axis)
        return make("softmax", {}, x)
    if op == "Dropout":
        return make("dropout", {}, x)
    if op == "LayerNormalization":
        axis = a.get("axis", -1) % len(x.dims)
        if axis == len(x.dims) - 1 and axis == channel_axis(x):
            return make("layer_norm", {}, x)
        if axis == 3 and x.layout == "nchw":  # a 4-d tensor rearranged back from windows: channels last (Swin)
            return make("layer_norm", {}, x._replace(layout="nhwc"))
        raise ValueError("it normalises over more than the channels; costcalc's layer_norm normalises each "
                         "position over its channels")
    if op in ELEMENTWISE:
        return make("unmapped", {}, x)
    raise ValueError(f"costcalc has no kind for {op!r:.40} and cannot tell the shape it gives")


def _conv(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    from costcalc.onnx.ops import param_dims

    a = node.attributes
    weight = param_dims(inputs[1] if len(inputs) > 1 else None)
    if weight is None or len(weight) != 4:
        raise ValueError("the shape of its weight is not given (a 4-d tensor in the file)")
    groups = a.get("group", 1)
    m, per_group = weight[0], weight[1]
    if not isinstance(groups, int) or groups < 1 or per_group * groups != x.dims[1] or m % groups or m < 1:
        raise ValueError(f"its weight {list(weight)} and group {groups} do not fit its {x.dims[1]} input channels")
    kernel = _pair(a.get("kernel_shape") or weight[2:], 1)
    fields, h, w = _window(node, x, kernel)
    bias = len(node.inputs) > 2 and bool(node.inputs[2])
    if groups == x.dims[1] and groups > 1 or (groups == 1 == x.dims[1] and m == 1):
        fields = {"kernel": _compact(kernel), **fields}
        if m != x.dims[1]:
            fields["depth_multiplier"] = m // x.dims[1]
        kind = "depthwise"
    else:
        fields = {"kernel": _compact(kernel), "filters": m, **fields}
        if groups > 1:
            fields["groups"] = groups
        kind = "conv"
    if bias:
        fields["bias"] = True
    return make(kind, fields, Data((x.dims[0], m, h, w), "nchw"))


def _pool(node: Node, x: Data, make: Maker, adaptive: bool) -> Op:
    a = node.attributes
    if x.layout != "nchw":
        raise ValueError("it pools a tensor that is not N x C x H x W")
    kernel = _pair(a.get("kernel_shape"), 1)
    if node.op_type == "MaxPool" and tuple(a.get("dilations") or (1, 1)) != (1, 1):
        raise ValueError("a dilated max pool has no costcalc kind")
    ceil = bool(a.get("ceil_mode", 0))
    fields, h, w = _window(node, x, kernel, ceil, pool=True)  # a pool's stride defaults to its window
    out = Data((x.dims[0], x.dims[1], h, w), "nchw")
    if adaptive and node.op_type == "AveragePool":
        return make("adaptive_avg_pool", {"size": _compact((h, w))}, out)
    fields = {"kernel": _compact(kernel), **fields}
    if ceil and fields.get("padding") != "same":
        fields["ceil_mode"] = True
    return make("max_pool" if node.op_type == "MaxPool" else "avg_pool", fields, out)


def _reduce(node: Node, inputs: list[Value | None], x: Data, make: Maker) -> Op:
    """A mean or max over height and width is a global pool; any other reduction only a pattern takes (the
    norms of a cosine attention's queries and keys)."""
    a = node.attributes
    axes = tuple(a.get("axes") or const_ints(inputs[1] if len(inputs) > 1 else None) or ())
    keep = a.get("keepdims", 1)
    if node.op_type in ("ReduceMean", "ReduceMax") and x.layout == "nchw" and sorted(v % 4 for v in axes) == [2, 3]:
        kind = "global_avg_pool" if node.op_type == "ReduceMean" else "global_max_pool"
        out = Data((x.dims[0], x.dims[1], 1, 1), "nchw") if keep else Data((x.dims[0], x.dims[1]), "flat")
        return make(kind, {}, out)
    chosen = {v % len(x.dims) for v in axes} if axes else set(range(len(x.dims)))
    dims = tuple(1 if i in chosen else d for i, d in enumerate(x.dims) if keep or i not in chosen)
    return structural(make, "reduce", f"it reduces over the axes {sorted(chosen)!r:.60}; costcalc pools over height "
                      "and width only", Data(dims, "other"))
